/* SPDX-License-Identifier: MIT */
/*
 * The read calls and the delete call on stored connections:
 * GET .../connection/list, GET .../connection/get?name=,
 * GET .../connection/checkexists?name= and
 * DELETE .../connection/deletebyname?name=.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "connection_view.h"
#include "handlers.h"
#include "log.h"

#define ETAG_SIZE 64

char *
cr_name_parameter(struct cr_request *req, struct cr_response *resp)
{
	char *name = cr_form_value(req->query, strlen(req->query), "name", NULL);

	if (name == NULL || name[0] == '\0') {
		cr_response_failure(resp, 400,
		    "The query parameter name is required, percent-encoded as UTF-8.", NULL);
		free(name);
		return NULL;
	}
	req->log_name = strdup(name);
	return name;
}

static void
reply_render_failure(struct cr_request *req, struct cr_response *resp, const char *id)
{
	cr_log(CR_LOG_ERROR, req->id, "cannot render stored connection %s", id);
	cr_response_failure(resp, 500, "The request failed because of a server error.", NULL);
}

/* The permission codes the caller may use on a connection with ACL. */
static unsigned
granted_codes(const struct cr_principal *principal, const struct cr_acl *acl)
{
	unsigned granted = 0;
	int code;

	for (code = 0; code < CR_PERMISSION_COUNT; code++)
		if (cr_authz_allows(principal, acl, (enum cr_permission)code))
			granted |= CR_PERMISSION_BIT(code);
	return granted;
}

static bool
wants_access_map(struct cr_request *req)
{
	char *value = cr_form_value(req->query, strlen(req->query), "includeAccessMap", NULL);
	bool wanted = value != NULL && strcmp(value, "true") == 0;

	free(value);
	return wanted;
}

void
cr_handle_connection_list(struct cr_app *app, struct cr_request *req, struct cr_response *resp)
{
	struct cr_connection_record *records = NULL;
	bool with_access_map = wants_access_map(req), first = true;
	enum cr_store_status status;
	size_t count = 0, i;
	unsigned granted;

	status = cr_store_list_connections(app->store, &records, &count);
	if (status != CR_STORE_OK) {
		cr_reply_store_failure(app, req, resp, status);
		return;
	}
	cr_buf_reset(&resp->body);
	cr_buf_puts(&resp->body, "{\"success\":true,\"databaseConnections\":[");
	for (i = 0; i < count; i++) {
		granted = granted_codes(req->principal, &records[i].acl);
		if (!(granted & CR_PERMISSION_BIT(CR_PERMISSION_READ)))
			continue;
		if (!first)
			cr_buf_puts(&resp->body, ",");
		first = false;
		if (cr_connection_render(&resp->body, &records[i], with_access_map, granted) != 0) {
			reply_render_failure(req, resp, records[i].id);
			goto out;
		}
	}
	cr_buf_puts(&resp->body, "]}");
	resp->status = 200;
out:
	cr_connection_records_free(records, count);
}

/* Read the connection that cr_access_connection found under NAME_KEY. */
static bool
read_found(struct cr_app *app, struct cr_request *req, struct cr_response *resp,
    const char *name_key, struct cr_connection_record *record)
{
	enum cr_store_status status = cr_store_get_connection(app->store, name_key, record);

	if (status == CR_STORE_OK)
		return true;
	if (status == CR_STORE_NOT_FOUND)
		cr_response_failure(resp, 404, "No connection has that name.", NULL);
	else
		cr_reply_store_failure(app, req, resp, status);
	return false;
}

void
cr_handle_connection_get(struct cr_app *app, struct cr_request *req, struct cr_response *resp)
{
	char *name = cr_name_parameter(req, resp), *name_key = NULL, *stored_name = NULL;
	struct cr_connection_record record;
	char etag[ETAG_SIZE];
	struct cr_acl acl;

	memset(&record, 0, sizeof(record));
	memset(&acl, 0, sizeof(acl));
	if (name == NULL)
		return;
	if (cr_access_connection(app, req, resp, name, CR_PERMISSION_READ, &acl, &name_key,
	    &stored_name) != CR_ACCESS_GRANTED ||
	    !read_found(app, req, resp, name_key, &record))
		goto out;

	cr_buf_reset(&resp->body);
	if (cr_connection_render(&resp->body, &record, false, 0) != 0) {
		reply_render_failure(req, resp, record.id);
		goto out;
	}
	cr_connection_etag(&record, etag, sizeof(etag));
	resp->etag = strdup(etag);
	resp->status = 200;
out:
	cr_connection_record_free(&record);
	cr_acl_free(&acl);
	free(name);
	free(name_key);
	free(stored_name);
}

void
cr_handle_connection_checkexists(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp)
{
	char *name = cr_name_parameter(req, resp), *name_key = NULL, *stored_name = NULL;
	enum cr_access_result result;
	struct cr_acl acl;

	if (name == NULL)
		return;
	memset(&acl, 0, sizeof(acl));
	/* A connection the caller cannot read does not exist for it, so the
	 * 404 that access prepared becomes "exists": false. A store failure
	 * keeps the 503 or 500 it prepared. */
	result = cr_access_connection(app, req, resp, name, CR_PERMISSION_READ, &acl, &name_key,
	    &stored_name);
	if (result != CR_ACCESS_FAILED) {
		resp->status = 200;
		cr_buf_reset(&resp->body);
		cr_buf_printf(&resp->body, "{\"success\":true,\"exists\":%s}",
		    result == CR_ACCESS_GRANTED ? "true" : "false");
	}
	cr_acl_free(&acl);
	free(name);
	free(name_key);
	free(stored_name);
}

void
cr_handle_connection_delete(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp)
{
	char *name = cr_name_parameter(req, resp), *name_key = NULL, *stored_name = NULL;
	enum cr_store_status status;
	struct cr_acl acl;

	if (name == NULL)
		return;
	memset(&acl, 0, sizeof(acl));
	if (cr_access_connection(app, req, resp, name, CR_PERMISSION_DELETE, &acl, &name_key,
	    &stored_name) == CR_ACCESS_GRANTED) {
		status = cr_store_delete_connection(app->store, name_key, req->principal->user.name);
		if (status == CR_STORE_OK)
			cr_response_success(resp);
		else if (status == CR_STORE_NOT_FOUND)
			cr_response_failure(resp, 404, "No connection has that name.", NULL);
		else
			cr_reply_store_failure(app, req, resp, status);
	}
	cr_acl_free(&acl);
	free(name);
	free(name_key);
	free(stored_name);
}
