/* SPDX-License-Identifier: MIT */
/*
 * POST .../connection/update: validate a connection against the update
 * table, find the stored one by id (or by name when id is ""), check
 * Edit permission and If-Match, and replace it. A null, empty or
 * all-asterisk password keeps the stored password.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connection.h"
#include "connection_view.h"
#include "handlers.h"
#include "jsonstrict.h"
#include "log.h"
#include "spec_update.h"
#include "validate.h"

#define ETAG_SIZE 64

static const char *
lookup_header(void *context, const char *name)
{
	return cr_request_header(context, name);
}

static const char *
body_string(struct json_object *body, const char *member)
{
	struct json_object *value;

	if (!json_object_object_get_ex(body, member, &value) ||
	    !json_object_is_type(value, json_type_string))
		return NULL;
	return json_object_get_string(value);
}

/* Parse and validate the body; NULL with the error in RESP when invalid. */
static struct json_object *
read_valid_body(struct cr_app *app, struct cr_request *req, struct cr_response *resp)
{
	struct cr_problems problems;
	struct json_object *body;
	const char *name;
	bool invalid;

	cr_problems_init(&problems);
	cr_validate_headers(&cr_spec_update, lookup_header, req, &problems);
	body = cr_json_parse_strict(req->body, req->body_len, app->conf.max_json_depth, &problems);
	if (body != NULL) {
		name = body_string(body, "name");
		if (name != NULL)
			req->log_name = strdup(name);
		cr_validate_body(&cr_spec_update, body, &problems);
	}
	invalid = problems.out_of_memory || cr_problems_total(&problems) > 0;
	if (problems.out_of_memory)
		cr_response_failure(resp, 503, "The server is out of memory; try again later.", NULL);
	else if (invalid)
		cr_response_failure(resp, 400, "The request is invalid.", &problems);
	cr_problems_free(&problems);
	if (invalid && body != NULL) {
		cr_connection_wipe_password(body);
		json_object_put(body);
		body = NULL;
	}
	return body;
}

/* The current name of the connection with ID; NULL with a 404 or 503 in RESP. */
static char *
name_of_id(struct cr_app *app, struct cr_request *req, struct cr_response *resp,
    const char *id)
{
	struct cr_connection_record record;
	enum cr_store_status status;
	char *name;

	status = cr_store_get_connection_by_id(app->store, id, &record);
	if (status == CR_STORE_NOT_FOUND) {
		cr_response_failure(resp, 404, "No connection has that id.", NULL);
		return NULL;
	}
	if (status != CR_STORE_OK) {
		cr_reply_store_failure(app, req, resp, status);
		return NULL;
	}
	name = record.name;
	record.name = NULL;
	cr_connection_record_free(&record);
	return name;
}

/*
 * Find the connection to update and check Edit on it; fill CURRENT.
 * The check goes through cr_access_connection, by the stored name when
 * the body gives an id.
 */
static bool
locate(struct cr_app *app, struct cr_request *req, struct cr_response *resp,
    struct json_object *body, struct cr_connection_record *current)
{
	const char *id = body_string(body, "id");
	char *by_id = NULL, *name_key = NULL, *stored_name = NULL;
	enum cr_store_status status;
	struct cr_acl acl;
	bool found = false;

	memset(&acl, 0, sizeof(acl));
	if (id != NULL && id[0] != '\0' && (by_id = name_of_id(app, req, resp, id)) == NULL)
		return false;
	if (cr_access_connection(app, req, resp, by_id != NULL ? by_id : body_string(body, "name"),
	    CR_PERMISSION_EDIT, &acl, &name_key, &stored_name) != CR_ACCESS_GRANTED)
		goto out;
	status = cr_store_get_connection(app->store, name_key, current);
	if (status == CR_STORE_NOT_FOUND)
		cr_response_failure(resp, 404, "No connection has that name.", NULL);
	else if (status != CR_STORE_OK)
		cr_reply_store_failure(app, req, resp, status);
	found = status == CR_STORE_OK;
out:
	cr_acl_free(&acl);
	free(by_id);
	free(name_key);
	free(stored_name);
	return found;
}

/*
 * Apply If-Match (RFC 9110, strong comparison): true when it is absent,
 * "*", or lists CURRENT's ETag. Set *EXPECTED to the version the store
 * must still find, or 0 when the header is absent.
 */
static bool
if_match_holds(struct cr_request *req, const struct cr_connection_record *current,
    int64_t *expected)
{
	const char *header = cr_request_header(req, "If-Match"), *p;
	char etag[ETAG_SIZE];
	size_t len;

	*expected = 0;
	if (header == NULL)
		return true;
	*expected = current->version;
	cr_connection_etag(current, etag, sizeof(etag));
	len = strlen(etag);
	for (p = header; *p != '\0';) {
		p += strspn(p, " \t,");
		if (p[0] == '*' && (p[1] == '\0' || strchr(" \t,", p[1]) != NULL))
			return true;
		if (strncmp(p, etag, len) == 0 && (p[len] == '\0' || strchr(" \t,", p[len]) != NULL))
			return true;
		p += strcspn(p, " \t,");
	}
	return false;
}

static void
reply_stale(struct cr_response *resp)
{
	cr_response_failure(resp, 412, "The connection has changed since the version named in "
	    "If-Match; get it again and retry.", NULL);
}

static void
store_change(struct cr_app *app, struct cr_request *req, struct cr_response *resp,
    const struct cr_new_connection *conn, int64_t expected_version)
{
	struct cr_connection_change change = {
		.id = conn->id,
		.name = conn->name,
		.name_key = conn->name_key,
		.document = conn->document,
		.secret = conn->secret,
		.secret_len = conn->secret_len,
		.expected_version = expected_version,
		.actor = req->principal->user.name,
	};
	enum cr_store_status status;
	char message[512];
	char *clash = NULL;

	status = cr_store_update_connection(app->store, &change, &clash);
	switch (status) {
	case CR_STORE_OK:
		cr_response_success(resp);
		break;
	case CR_STORE_DUPLICATE:
		snprintf(message, sizeof(message), "Another connection is named \"%s\"; names are "
		    "compared without regard to case.", clash != NULL ? clash : conn->name);
		cr_response_failure(resp, 409, message, NULL);
		break;
	case CR_STORE_CONFLICT:
		reply_stale(resp);
		break;
	case CR_STORE_NOT_FOUND:
		cr_response_failure(resp, 404, "No connection has that id.", NULL);
		break;
	case CR_STORE_BUSY:
	case CR_STORE_ERROR:
		cr_reply_store_failure(app, req, resp, status);
		break;
	}
	free(clash);
}

void
cr_handle_connection_update(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp)
{
	struct cr_connection_record current;
	struct cr_new_connection conn;
	struct json_object *body;
	int64_t expected_version;

	memset(&current, 0, sizeof(current));
	memset(&conn, 0, sizeof(conn));
	body = read_valid_body(app, req, resp);
	if (body == NULL || !locate(app, req, resp, body, &current))
		goto out;
	if (!if_match_holds(req, &current, &expected_version)) {
		reply_stale(resp);
		goto out;
	}
	if (cr_connection_build_existing(&cr_spec_update, body, &app->key, current.id, &conn) != 0) {
		cr_log(CR_LOG_ERROR, req->id, "cannot build the stored connection: out of memory");
		cr_response_failure(resp, 503, "The server is out of memory; try again later.", NULL);
		goto out;
	}
	store_change(app, req, resp, &conn, expected_version);
out:
	cr_new_connection_free(&conn);
	cr_connection_record_free(&current);
	if (body != NULL)
		cr_connection_wipe_password(body);
	json_object_put(body);
}
