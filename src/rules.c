/* SPDX-License-Identifier: MIT */
/*
 * The rules beyond presence and type. Field rules apply to one member
 * each and are listed in field_rules with their reasons. Cross-field
 * rules are the functions below that table, each led by its reason.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json_pointer.h>

#include "dbtypes.h"
#include "names.h"
#include "rules.h"

enum rule_kind {
	RULE_PORT,          /* decimal 1-65535, or "" when not set */
	RULE_DEFAULT_PORT,  /* decimal 0-65535, "-1" or "" for types with no port */
	RULE_COUNT,         /* decimal 0 or more */
	RULE_ACCESS_TYPE,   /* one of NATIVE, ODBC, OCI, JNDI, PLUGIN, CUSTOM */
	RULE_DBTYPE,        /* a shortName from the database types table */
	RULE_NAME,          /* a connection name */
	RULE_SINGLE_LINE,   /* no control characters */
	RULE_ID,            /* null when adding; "" or a UUID when updating */
};

struct field_rule {
	const char *pointer;
	enum rule_kind kind;
	const char *reason;
};

/* The largest pool size accepted: DBCP reads these into a Java int. */
#define MAX_COUNT INT32_MAX

static const struct field_rule field_rules[] = {
	{ "/id", RULE_ID, "the server assigns ids, and an update names one it assigned" },
	{ "/name", RULE_NAME, "names identify connections in every other call" },
	{ "/databasePort", RULE_PORT, "a TCP port, written as a string by clients" },
	{ "/PORT_NUMBER", RULE_PORT, "a copy of databasePort" },
	{ "/attributes/PORT_NUMBER", RULE_PORT, "a copy of databasePort read by drivers" },
	{ "/databaseType/defaultDatabasePort", RULE_DEFAULT_PORT,
	  "upstream writes -1 for types without a port, such as SQLite" },
	{ "/connectionPoolingProperties/initialSize", RULE_COUNT, "a DBCP pool size" },
	{ "/connectionPoolingProperties/maxActive", RULE_COUNT, "a DBCP pool size" },
	{ "/connectionPoolingProperties/maxIdle", RULE_COUNT, "a DBCP pool size" },
	{ "/connectionPoolingProperties/minIdle", RULE_COUNT, "a DBCP pool size" },
	{ "/initialPoolSize", RULE_COUNT, "a pool size" },
	{ "/maximumPoolSize", RULE_COUNT, "a pool size" },
	{ "/accessType", RULE_ACCESS_TYPE, "drivers are chosen by access type" },
	{ "/accessTypeValue", RULE_ACCESS_TYPE, "a copy of accessType" },
	{ "/databaseType/shortName", RULE_DBTYPE, "the type decides driver, URL and defaults" },
	{ "/hostname", RULE_SINGLE_LINE, "a host name never contains control characters" },
	{ "/databaseName", RULE_SINGLE_LINE, "ends up in a JDBC URL" },
	{ "/username", RULE_SINGLE_LINE, "sent to the database server at login" },
};

#define NFIELD_RULES (sizeof(field_rules) / sizeof(field_rules[0]))

/* Copies of one value that clients send in several places. */
static const char *const port_copies[] = { "/databasePort", "/attributes/PORT_NUMBER", "/PORT_NUMBER" };
static const char *const driver_copies[] = { "/driverId", "/attributes/driverId" };
static const char *const access_copies[] = { "/accessType", "/accessTypeValue" };
static const char *const url_copies[] = { "/CUSTOM_URL", "/attributes/CUSTOM_URL" };
static const char *const class_copies[] = { "/CUSTOM_DRIVER_CLASS", "/attributes/CUSTOM_DRIVER_CLASS" };

/*
 * The value at POINTER, or NULL. The rules name members with plain
 * pointers (no "~" escapes, no array indexes), so each segment is an
 * object member name. Walking them here avoids json_pointer_get, which
 * copies the pointer on every call.
 */
static struct json_object *
member(struct json_object *body, const char *pointer)
{
	struct json_object *value = body;
	char segment[128];
	const char *start = pointer, *end;
	size_t len;

	while (*start == '/') {
		start++;
		end = strchr(start, '/');
		len = end != NULL ? (size_t)(end - start) : strlen(start);
		if (len >= sizeof(segment) || !json_object_is_type(value, json_type_object))
			return NULL;
		memcpy(segment, start, len);
		segment[len] = '\0';
		if (!json_object_object_get_ex(value, segment, &value))
			return NULL;
		start += len;
	}
	return value;
}

/* The string at POINTER, or NULL when it is absent or not a string. */
static const char *
string_at(struct json_object *body, const char *pointer)
{
	struct json_object *value = member(body, pointer);

	return json_object_is_type(value, json_type_string) ? json_object_get_string(value) : NULL;
}

/*
 * Parse a plain decimal integer: an optional '-', then digits, nothing
 * else, no leading '+' or white space that strtoll would skip.
 */
static bool
parse_decimal(const char *text, long long *out)
{
	const char *digits = text[0] == '-' ? text + 1 : text;
	char *end;

	if (digits[0] < '0' || digits[0] > '9')
		return false;
	errno = 0;
	*out = strtoll(text, &end, 10);
	return errno == 0 && *end == '\0';
}

enum decimal_state { DECIMAL_ABSENT, DECIMAL_EMPTY, DECIMAL_VALID, DECIMAL_INVALID };

/* Read a number written as a string, or given as a JSON integer. */
static enum decimal_state
decimal_at(struct json_object *body, const char *pointer, long long *out)
{
	struct json_object *value = member(body, pointer);
	const char *text;

	if (json_object_is_type(value, json_type_int)) {
		*out = json_object_get_int64(value);
		return DECIMAL_VALID;
	}
	if (!json_object_is_type(value, json_type_string))
		return DECIMAL_ABSENT;
	text = json_object_get_string(value);
	if (text[0] == '\0')
		return DECIMAL_EMPTY;
	return parse_decimal(text, out) ? DECIMAL_VALID : DECIMAL_INVALID;
}

bool
cr_rules_accepts_integer(const char *pointer)
{
	size_t i;

	for (i = 0; i < NFIELD_RULES; i++) {
		if (strcmp(field_rules[i].pointer, pointer) != 0)
			continue;
		return field_rules[i].kind == RULE_PORT || field_rules[i].kind == RULE_DEFAULT_PORT ||
		    field_rules[i].kind == RULE_COUNT;
	}
	return false;
}

static void
check_range(struct json_object *body, const char *pointer, long long min, long long max,
    bool empty_ok, const char *what, struct cr_problems *problems)
{
	long long value;

	switch (decimal_at(body, pointer, &value)) {
	case DECIMAL_ABSENT:
		return;
	case DECIMAL_EMPTY:
		if (!empty_ok)
			cr_problems_add(problems, pointer, "must not be empty: expected %s", what);
		return;
	case DECIMAL_INVALID:
		cr_problems_add(problems, pointer, "must be a plain decimal integer: expected %s", what);
		return;
	case DECIMAL_VALID:
		if (value < min || value > max)
			cr_problems_add(problems, pointer, "is out of range: expected %s", what);
		return;
	}
}

static bool
has_control_characters(const char *text)
{
	for (; *text != '\0'; text++)
		if ((unsigned char)*text < 0x20 || *text == 0x7f)
			return true;
	return false;
}

/* True for the lower-case 8-4-4-4-12 hex form that cr_uuid_generate writes. */
static bool
is_uuid(const char *text)
{
	size_t i;

	if (strlen(text) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (text[i] != '-')
				return false;
		} else if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f'))) {
			return false;
		}
	}
	return true;
}

static void
check_field_rule(const char *call, const struct field_rule *rule, struct json_object *body,
    struct cr_problems *problems)
{
	struct json_object *value = member(body, rule->pointer);
	const char *text = string_at(body, rule->pointer);
	const char *problem;
	char *trimmed;

	switch (rule->kind) {
	case RULE_PORT:
		check_range(body, rule->pointer, 1, 65535, true, "a port from 1 to 65535", problems);
		return;
	case RULE_DEFAULT_PORT:
		check_range(body, rule->pointer, -1, 65535, true,
		    "a port from 0 to 65535, or -1 for none", problems);
		return;
	case RULE_COUNT:
		check_range(body, rule->pointer, 0, MAX_COUNT, false,
		    "a whole number from 0 to 2147483647", problems);
		return;
	case RULE_ACCESS_TYPE:
		if (text != NULL && cr_access_type_parse(text) == 0)
			cr_problems_add(problems, rule->pointer,
			    "must be NATIVE, ODBC, OCI, JNDI, PLUGIN or CUSTOM");
		return;
	case RULE_DBTYPE:
		if (text != NULL && cr_dbtype_find(text) == NULL)
			cr_problems_add(problems, rule->pointer,
			    "is not a supported database type (see the types list)");
		return;
	case RULE_NAME:
		if (text == NULL)
			return;
		trimmed = cr_name_trim(text);
		problem = trimmed != NULL ? cr_name_problem(trimmed) : "is not valid UTF-8";
		if (problem != NULL)
			cr_problems_add(problems, rule->pointer, "%s", problem);
		free(trimmed);
		return;
	case RULE_SINGLE_LINE:
		if (text != NULL && has_control_characters(text))
			cr_problems_add(problems, rule->pointer, "must not contain control characters");
		return;
	case RULE_ID:
		if (strcmp(call, "add") == 0 && value != NULL)
			cr_problems_add(problems, rule->pointer,
			    "must be null: the server assigns the id of a new connection");
		else if (strcmp(call, "update") == 0 && text != NULL && text[0] != '\0' &&
		    !is_uuid(text))
			cr_problems_add(problems, rule->pointer,
			    "must be the id that get returned (a UUID), or \"\" to find the connection by name");
		return;
	}
}

/* Compare the string form of each copy that is present and valid. */
static void
check_copies_agree(struct json_object *body, const char *const *copies, size_t ncopies,
    bool decimal, struct cr_problems *problems)
{
	const char *first_text = NULL, *first_pointer = NULL;
	long long first_number = 0, number;
	size_t i;

	for (i = 0; i < ncopies; i++) {
		const char *text = string_at(body, copies[i]);

		if (decimal) {
			if (decimal_at(body, copies[i], &number) != DECIMAL_VALID &&
			    (text == NULL || text[0] != '\0'))
				continue;
			if (text != NULL && text[0] == '\0')
				number = -1;
			if (first_pointer == NULL) {
				first_pointer = copies[i];
				first_number = number;
			} else if (number != first_number) {
				cr_problems_add(problems, copies[i], "must equal %s", first_pointer);
			}
			continue;
		}
		if (text == NULL)
			continue;
		if (first_pointer == NULL) {
			first_pointer = copies[i];
			first_text = text;
		} else if (strcmp(text, first_text) != 0) {
			cr_problems_add(problems, copies[i], "must equal %s", first_pointer);
		}
	}
}

/* A type decides which access methods its drivers offer. */
static void
check_access_supported(struct json_object *body, struct cr_problems *problems)
{
	const char *short_name = string_at(body, "/databaseType/shortName");
	const char *access = string_at(body, "/accessType");
	const struct cr_dbtype *type;
	unsigned bit;

	if (short_name == NULL || access == NULL)
		return;
	type = cr_dbtype_find(short_name);
	bit = cr_access_type_parse(access);
	if (type != NULL && bit != 0 && (type->access & bit) == 0)
		cr_problems_add(problems, "/accessType", "%s does not support access type %s",
		    type->name, access);
}

/* A native connection to a server type needs the port to connect to. */
static void
check_native_port(struct json_object *body, struct cr_problems *problems)
{
	const char *short_name = string_at(body, "/databaseType/shortName");
	const char *access = string_at(body, "/accessType");
	const char *port = string_at(body, "/databasePort");
	const struct cr_dbtype *type;

	if (short_name == NULL || access == NULL || port == NULL)
		return;
	type = cr_dbtype_find(short_name);
	if (type != NULL && type->default_port != 0 && strcmp(access, "NATIVE") == 0 &&
	    port[0] == '\0')
		cr_problems_add(problems, "/databasePort",
		    "must not be empty for a native %s connection", type->name);
}

/* DBCP refuses a pool whose idle or initial sizes exceed its maximum. */
static void
check_pool_sizes(struct json_object *body, struct cr_problems *problems)
{
	long long initial, max_active, max_idle, min_idle, initial_pool, max_pool;
	bool have_initial, have_active, have_max_idle, have_min_idle;

	have_initial = decimal_at(body, "/connectionPoolingProperties/initialSize", &initial) == DECIMAL_VALID;
	have_active = decimal_at(body, "/connectionPoolingProperties/maxActive", &max_active) == DECIMAL_VALID;
	have_max_idle = decimal_at(body, "/connectionPoolingProperties/maxIdle", &max_idle) == DECIMAL_VALID;
	have_min_idle = decimal_at(body, "/connectionPoolingProperties/minIdle", &min_idle) == DECIMAL_VALID;

	if (have_min_idle && have_max_idle && min_idle > max_idle)
		cr_problems_add(problems, "/connectionPoolingProperties/minIdle",
		    "must not be greater than maxIdle");
	if (have_max_idle && have_active && max_idle > max_active)
		cr_problems_add(problems, "/connectionPoolingProperties/maxIdle",
		    "must not be greater than maxActive");
	if (have_initial && have_active && initial > max_active)
		cr_problems_add(problems, "/connectionPoolingProperties/initialSize",
		    "must not be greater than maxActive");

	/* A maximumPoolSize of 0 means the client left the pool unsized. */
	if (decimal_at(body, "/initialPoolSize", &initial_pool) == DECIMAL_VALID &&
	    decimal_at(body, "/maximumPoolSize", &max_pool) == DECIMAL_VALID &&
	    max_pool > 0 && initial_pool > max_pool)
		cr_problems_add(problems, "/initialPoolSize", "must not be greater than maximumPoolSize");
}

/* Identifiers cannot be forced to lower case and upper case at once. */
static void
check_forcing_flags(struct json_object *body, struct cr_problems *problems)
{
	struct json_object *lower = member(body, "/forcingIdentifiersToLowerCase");
	struct json_object *upper = member(body, "/forcingIdentifiersToUpperCase");

	if (json_object_is_type(lower, json_type_boolean) && json_object_get_boolean(lower) &&
	    json_object_is_type(upper, json_type_boolean) && json_object_get_boolean(upper))
		cr_problems_add(problems, "/forcingIdentifiersToUpperCase",
		    "cannot be true while forcingIdentifiersToLowerCase is true");
}

/*
 * extraOptions keys read "SHORTNAME.option", and extraOptionsOrder maps
 * "0", "1", ... to those keys, giving the order options are appended in.
 */
static void
check_extra_options(struct json_object *body, struct cr_problems *problems)
{
	struct json_object *options = member(body, "/extraOptions");
	struct json_object *order = member(body, "/extraOptionsOrder");
	size_t count, seen_size;
	char pointer[600];
	bool *seen;

	if (json_object_is_type(options, json_type_object)) {
		json_object_object_foreach(options, key, value) {
			const char *dot = strchr(key, '.');

			(void)value;
			if (dot == NULL || dot == key || dot[1] == '\0') {
				snprintf(pointer, sizeof(pointer), "/extraOptions/%.500s", key);
				cr_problems_add(problems, pointer,
				    "option names must read TYPE.option, such as POSTGRESQL.TimeZone");
			}
		}
	}
	if (!json_object_is_type(order, json_type_object))
		return;

	count = (size_t)json_object_object_length(order);
	seen_size = count ? count : 1;
	seen = calloc(seen_size, sizeof(*seen));
	if (seen == NULL) {
		problems->out_of_memory = 1;
		return;
	}
	json_object_object_foreach(order, index, target) {
		long long position;

		snprintf(pointer, sizeof(pointer), "/extraOptionsOrder/%.500s", index);
		if (!parse_decimal(index, &position) || position < 0 || (size_t)position >= count ||
		    (index[0] == '0' && index[1] != '\0')) {
			cr_problems_add(problems, pointer,
			    "keys must be the positions 0 to %zu, each once", count - 1);
			continue;
		}
		seen[position] = true;
		if (json_object_is_type(target, json_type_string) &&
		    json_object_is_type(options, json_type_object) &&
		    !json_object_object_get_ex(options, json_object_get_string(target), NULL))
			cr_problems_add(problems, pointer, "names an option that is not in extraOptions");
	}
	free(seen);
}

/* The generic type connects through the URL and driver class given. */
static void
check_custom_url(struct json_object *body, struct cr_problems *problems)
{
	const char *short_name = string_at(body, "/databaseType/shortName");
	const char *access = string_at(body, "/accessType");
	const char *url = string_at(body, "/CUSTOM_URL");

	if (url == NULL)
		url = string_at(body, "/attributes/CUSTOM_URL");
	if (short_name != NULL && strcmp(short_name, "GENERIC") == 0 && access != NULL &&
	    strcmp(access, "NATIVE") == 0 && (url == NULL || url[0] == '\0'))
		cr_problems_add(problems, "/CUSTOM_URL",
		    "must be set for a native generic connection");
}

/* SQLServerInstance names an instance of SQL Server and nothing else. */
static void
check_sql_server_instance(struct json_object *body, struct cr_problems *problems)
{
	const char *instance = string_at(body, "/SQLServerInstance");
	const char *short_name = string_at(body, "/databaseType/shortName");

	if (instance == NULL || instance[0] == '\0' || short_name == NULL)
		return;
	if (strcmp(short_name, "MSSQL") != 0 && strcmp(short_name, "MSSQLNATIVE") != 0)
		cr_problems_add(problems, "/SQLServerInstance",
		    "applies only to MSSQL and MSSQLNATIVE connections");
}

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

void
cr_rules_check(const char *call, struct json_object *body, struct cr_problems *problems)
{
	size_t i;

	for (i = 0; i < NFIELD_RULES; i++)
		check_field_rule(call, &field_rules[i], body, problems);

	check_copies_agree(body, port_copies, COUNT_OF(port_copies), true, problems);
	check_copies_agree(body, driver_copies, COUNT_OF(driver_copies), false, problems);
	check_copies_agree(body, access_copies, COUNT_OF(access_copies), false, problems);
	check_copies_agree(body, url_copies, COUNT_OF(url_copies), false, problems);
	check_copies_agree(body, class_copies, COUNT_OF(class_copies), false, problems);
	check_access_supported(body, problems);
	check_native_port(body, problems);
	check_pool_sizes(body, problems);
	check_forcing_flags(body, problems);
	check_extra_options(body, problems);
	check_custom_url(body, problems);
	check_sql_server_instance(body, problems);
}

static bool
table_says_string(const struct cr_spec *spec, const char *pointer)
{
	size_t i;

	for (i = 0; i < spec->nfields; i++)
		if (strcmp(spec->fields[i].pointer, pointer) == 0)
			return spec->fields[i].type == CR_TYPE_STRING;
	return false;
}

int
cr_rules_normalize_numbers(const struct cr_spec *spec, struct json_object *body)
{
	char text[32];
	size_t i;

	for (i = 0; i < NFIELD_RULES; i++) {
		struct json_object *value = member(body, field_rules[i].pointer);
		struct json_object *replacement;

		if (!cr_rules_accepts_integer(field_rules[i].pointer) ||
		    !json_object_is_type(value, json_type_int) ||
		    !table_says_string(spec, field_rules[i].pointer))
			continue;
		snprintf(text, sizeof(text), "%" PRId64, json_object_get_int64(value));
		replacement = json_object_new_string(text);
		if (replacement == NULL ||
		    json_pointer_set(&body, field_rules[i].pointer, replacement) != 0) {
			json_object_put(replacement);
			return -1;
		}
	}
	return 0;
}
