/* SPDX-License-Identifier: MIT */
/*
 * Reference data for clients: GET .../connection/poolingParameters (the
 * Apache Commons DBCP 1.x pool settings a connection may set in
 * connectionPoolingProperties) and GET .../connection/databaseTypes
 * (the database types table that the validator also reads).
 */
#include "config.h"

#include <string.h>

#include "dbtypes.h"
#include "handlers.h"

struct pool_parameter {
	const char *name;
	const char *default_value;  /* as DBCP 1.4 documents it; "" when the driver decides */
	const char *description;
};

static const struct pool_parameter pool_parameters[] = {
	{ "defaultAutoCommit", "true", "Auto-commit state of connections the pool creates." },
	{ "defaultReadOnly", "", "Read-only state of new connections; empty leaves the driver default." },
	{ "defaultTransactionIsolation", "",
	  "Transaction isolation of new connections, such as READ_COMMITTED; empty leaves the driver default." },
	{ "defaultCatalog", "", "Catalog of new connections." },
	{ "initialSize", "0", "Connections created when the pool starts." },
	{ "maxActive", "8", "Maximum connections open at once; negative means no limit." },
	{ "maxIdle", "8", "Maximum idle connections kept; negative means no limit." },
	{ "minIdle", "0", "Minimum idle connections kept, or created when the evictor runs." },
	{ "maxWait", "-1", "Milliseconds to wait for a free connection; -1 waits without limit." },
	{ "validationQuery", "", "SQL query that checks a connection; it must return at least one row." },
	{ "testOnBorrow", "true", "Validate a connection before handing it out." },
	{ "testOnReturn", "false", "Validate a connection when it is returned to the pool." },
	{ "testWhileIdle", "false", "Validate idle connections from the evictor; failures are dropped." },
	{ "timeBetweenEvictionRunsMillis", "-1",
	  "Milliseconds between evictor runs; zero or negative runs no evictor." },
	{ "numTestsPerEvictionRun", "3", "Idle connections the evictor examines in each run." },
	{ "minEvictableIdleTimeMillis", "1800000",
	  "Milliseconds a connection may stay idle before the evictor may close it." },
	{ "connectionInitSqls", "", "SQL statements run once on each new connection." },
	{ "poolPreparedStatements", "false", "Pool prepared statements per connection." },
	{ "maxOpenPreparedStatements", "-1",
	  "Maximum pooled prepared statements per connection; negative means no limit." },
	{ "accessToUnderlyingConnectionAllowed", "false",
	  "Let code reach the driver's connection beneath the pool's wrapper." },
	{ "removeAbandoned", "false", "Close connections that were borrowed and not returned in time." },
	{ "removeAbandonedTimeout", "300", "Seconds before a borrowed connection counts as abandoned." },
	{ "logAbandoned", "false", "Log the stack trace of code that abandoned a connection." },
};

#define NPOOL_PARAMETERS (sizeof(pool_parameters) / sizeof(pool_parameters[0]))

static void
append_member(struct cr_buf *out, const char *name, const char *value)
{
	cr_buf_json_string(out, name, strlen(name));
	cr_buf_puts(out, ":");
	cr_buf_json_string(out, value, strlen(value));
}

void
cr_handle_pooling_parameters(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp)
{
	size_t i;

	(void)app;
	(void)req;
	cr_buf_reset(&resp->body);
	cr_buf_puts(&resp->body, "{\"databaseConnectionPoolParameters\":[");
	for (i = 0; i < NPOOL_PARAMETERS; i++) {
		cr_buf_puts(&resp->body, i > 0 ? ",{" : "{");
		append_member(&resp->body, "parameter", pool_parameters[i].name);
		cr_buf_puts(&resp->body, ",");
		append_member(&resp->body, "defaultValue", pool_parameters[i].default_value);
		cr_buf_puts(&resp->body, ",");
		append_member(&resp->body, "description", pool_parameters[i].description);
		cr_buf_puts(&resp->body, "}");
	}
	cr_buf_puts(&resp->body, "]}");
	resp->status = 200;
}

static void
append_access_types(struct cr_buf *out, unsigned access)
{
	const char *separator = "";
	unsigned bit;

	cr_buf_puts(out, "[");
	for (bit = 1; bit <= CR_ACCESS_CUSTOM; bit <<= 1) {
		if (access & bit) {
			cr_buf_printf(out, "%s\"%s\"", separator, cr_access_type_name(bit));
			separator = ",";
		}
	}
	cr_buf_puts(out, "]");
}

void
cr_handle_database_types(struct cr_app *app, struct cr_request *req, struct cr_response *resp)
{
	const struct cr_dbtype *type;
	size_t i;

	(void)app;
	(void)req;
	cr_buf_reset(&resp->body);
	cr_buf_puts(&resp->body, "{\"success\":true,\"databaseTypes\":[");
	for (i = 0; i < cr_dbtypes_count; i++) {
		type = &cr_dbtypes[i];
		cr_buf_puts(&resp->body, i > 0 ? ",{" : "{");
		append_member(&resp->body, "shortName", type->short_name);
		cr_buf_puts(&resp->body, ",");
		append_member(&resp->body, "name", type->name);
		/* Types without a port are written -1, as clients send them. */
		cr_buf_printf(&resp->body, ",\"defaultDatabasePort\":\"%d\",\"supportedAccessTypes\":",
		    type->default_port ? (int)type->default_port : -1);
		append_access_types(&resp->body, type->access);
		cr_buf_puts(&resp->body, "}");
	}
	cr_buf_puts(&resp->body, "]}");
	resp->status = 200;
}
