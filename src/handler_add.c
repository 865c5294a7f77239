/* SPDX-License-Identifier: MIT */
/* POST .../connection/add: validate a connection and store it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connection.h"
#include "handlers.h"
#include "jsonstrict.h"
#include "log.h"
#include "spec_add.h"
#include "validate.h"

static const char *
lookup_header(void *context, const char *name)
{
	return cr_request_header(context, name);
}

/* Remember the name for the request log, if the body has one. */
static void
note_name(struct cr_request *req, struct json_object *body)
{
	struct json_object *name;

	if (json_object_object_get_ex(body, "name", &name) &&
	    json_object_is_type(name, json_type_string))
		req->log_name = strdup(json_object_get_string(name));
}

static void
reply_invalid(struct cr_response *resp, struct cr_problems *problems)
{
	if (problems->out_of_memory)
		cr_response_failure(resp, 503, "The server is out of memory; try again later.", NULL);
	else
		cr_response_failure(resp, 400, "The request is invalid.", problems);
}

static void
store_new_connection(struct cr_app *app, struct cr_request *req, struct cr_response *resp,
    struct cr_new_connection *conn)
{
	struct cr_connection_row row = cr_connection_row(conn);
	enum cr_store_status status;
	char message[512], error[256];
	char *clash = NULL;

	row.owner = req->principal->user.name;
	status = cr_app_add_connection(app, &row, &clash, error, sizeof(error));
	switch (status) {
	case CR_STORE_OK:
		cr_response_success(resp);
		return;
	case CR_STORE_DUPLICATE:
		snprintf(message, sizeof(message),
		    "A connection named \"%s\" already exists; names are compared without regard to case.",
		    clash != NULL ? clash : conn->name);
		cr_response_failure(resp, 409, message, NULL);
		free(clash);
		return;
	case CR_STORE_BUSY:
	case CR_STORE_NOT_FOUND:
	case CR_STORE_CONFLICT:
	case CR_STORE_ERROR:
		cr_reply_store_error(req, resp, status, error);
		return;
	}
}

void
cr_handle_connection_add(struct cr_app *app, struct cr_request *req, struct cr_response *resp)
{
	struct cr_new_connection conn;
	struct cr_problems problems;
	struct json_object *body;

	cr_problems_init(&problems);
	cr_validate_headers(&cr_spec_add, lookup_header, req, &problems);
	body = cr_json_parse_strict(req->body, req->body_len, app->conf.max_json_depth, &problems);
	if (body != NULL) {
		note_name(req, body);
		cr_validate_body(&cr_spec_add, body, &problems);
	}
	if (cr_problems_total(&problems) > 0 || problems.out_of_memory) {
		reply_invalid(resp, &problems);
		goto out;
	}

	if (cr_connection_build(&cr_spec_add, body, &app->key, &conn) != 0) {
		cr_log(CR_LOG_ERROR, req->id, "cannot build the stored connection: out of memory");
		cr_response_failure(resp, 503, "The server is out of memory; try again later.", NULL);
		goto out;
	}
	store_new_connection(app, req, resp, &conn);
	cr_new_connection_free(&conn);
out:
	if (body != NULL)
		cr_connection_wipe_password(body);
	json_object_put(body);
	cr_problems_free(&problems);
}
