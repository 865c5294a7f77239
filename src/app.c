/* SPDX-License-Identifier: MIT */
/* Routing, authentication and the per-request steps shared by every call. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth.h"
#include "handlers.h"
#include "log.h"
#include "writer.h"

enum route_body {
	BODY_NONE,
	BODY_JSON,
	BODY_FORM,
};

/* The callers a route admits; finer checks are in the handlers. */
enum route_access {
	ACCESS_PUBLIC,   /* no authentication: login and logout */
	ACCESS_USER,     /* any authenticated user */
	ACCESS_CREATE,   /* a user whose type may create connections */
};

struct route {
	const char *suffix;   /* the end of the path, after the mount prefix */
	const char *method;
	enum route_body body;
	enum route_access access;
	cr_handler handler;
};

/*
 * Routes match the end of the path, so the service works wherever it is
 * mounted; the default mounts are /plugin/datafor-modeler/api/connection/
 * and /plugin/datafor/api/extension/auth/.
 */
static const struct route routes[] = {
	{ "/connection/add", "POST", BODY_JSON, ACCESS_CREATE, cr_handle_connection_add },
	{ "/connection/acl", "GET", BODY_NONE, ACCESS_USER, cr_handle_acl_get },
	{ "/connection/acl", "PUT", BODY_JSON, ACCESS_USER, cr_handle_acl_put },
	{ "/connection/aclBatch", "PUT", BODY_JSON, ACCESS_USER, cr_handle_acl_batch },
	{ "/auth/login", "POST", BODY_FORM, ACCESS_PUBLIC, cr_handle_login },
	{ "/auth/logout", "POST", BODY_NONE, ACCESS_PUBLIC, cr_handle_logout },
	{ "/connection/list", "GET", BODY_NONE, ACCESS_USER, cr_handle_connection_list },
	{ "/connection/get", "GET", BODY_NONE, ACCESS_USER, cr_handle_connection_get },
	{ "/connection/checkexists", "GET", BODY_NONE, ACCESS_USER, cr_handle_connection_checkexists },
	{ "/connection/update", "POST", BODY_JSON, ACCESS_USER, cr_handle_connection_update },
	{ "/connection/deletebyname", "DELETE", BODY_NONE, ACCESS_USER, cr_handle_connection_delete },
	{ "/connection/poolingParameters", "GET", BODY_NONE, ACCESS_USER, cr_handle_pooling_parameters },
	{ "/connection/databaseTypes", "GET", BODY_NONE, ACCESS_USER, cr_handle_database_types },
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static bool
path_matches(const char *path, const char *suffix)
{
	size_t path_len = strlen(path), suffix_len = strlen(suffix);

	return path_len >= suffix_len && strcmp(path + path_len - suffix_len, suffix) == 0;
}

/* Find the route for REQ; on failure fill RESP with a 404 or a 405. */
static const struct route *
find_route(struct cr_request *req, struct cr_response *resp)
{
	static char allow[64];
	bool path_known = false;
	size_t i;

	allow[0] = '\0';
	for (i = 0; i < NROUTES; i++) {
		if (!path_matches(req->path, routes[i].suffix))
			continue;
		if (strcmp(req->method, routes[i].method) == 0)
			return &routes[i];
		if (path_known)
			strncat(allow, ", ", sizeof(allow) - strlen(allow) - 1);
		strncat(allow, routes[i].method, sizeof(allow) - strlen(allow) - 1);
		path_known = true;
	}
	if (path_known) {
		resp->allow = allow;
		cr_response_failure(resp, 405, "This call does not accept that HTTP method.", NULL);
	} else {
		cr_response_failure(resp, 404, "There is no API call at this path.", NULL);
	}
	return NULL;
}

/*
 * Authenticate REQ for ROUTE and apply the route's access rule. Return
 * true when the handler may run; otherwise RESP contains the 401, 403 or
 * 503 response.
 */
static bool
admit(struct cr_app *app, const struct route *route, struct cr_request *req,
    struct cr_response *resp, struct cr_principal *principal)
{
	char message[256];

	if (route->access == ACCESS_PUBLIC)
		return true;
	switch (cr_authenticate(app->store, app->conf.auth_methods, req, principal)) {
	case CR_AUTH_OK:
		break;
	case CR_AUTH_MISSING:
	case CR_AUTH_FAILED:
		cr_response_failure(resp, 401,
		    "Authentication is required: the credentials are missing or not valid.", NULL);
		return false;
	case CR_AUTH_UNREGISTERED:
		cr_response_failure(resp, 403, "The user named by the web server is not a connreg "
		    "user; an administrator can add it with `connreg user add`.", NULL);
		return false;
	case CR_AUTH_UNAVAILABLE:
		cr_log(CR_LOG_ERROR, req->id, "authentication failed: %s", cr_store_error(app->store));
		resp->retry_after = 1;
		cr_response_failure(resp, 503, "The service is busy; try again shortly.", NULL);
		return false;
	}
	req->principal = principal;
	if (route->access == ACCESS_CREATE && !cr_authz_may_create(principal)) {
		snprintf(message, sizeof(message), "Users of type %s cannot create connections.",
		    cr_user_type_name(principal->user.type));
		cr_response_failure(resp, 403, message, NULL);
		return false;
	}
	return true;
}

static double
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static void
log_request(const struct cr_request *req, const struct cr_response *resp,
    const struct timespec *start)
{
	enum cr_log_level level = resp->status >= 500 ? CR_LOG_ERROR : CR_LOG_INFO;
	struct cr_buf method, path, name, user;

	if (!cr_log_enabled(level))
		return;
	cr_buf_init(&method);
	cr_buf_init(&path);
	cr_buf_init(&name);
	cr_buf_init(&user);
	cr_buf_log_string(&method, req->method, 16);
	cr_buf_log_string(&path, req->path, 256);
	if (req->log_name != NULL)
		cr_buf_log_string(&name, req->log_name, 128);
	if (req->principal != NULL)
		cr_buf_log_string(&user, req->principal->user.name, 128);
	cr_log(level, req->id, "method=%s path=%s status=%d duration_ms=%.3f user=%s auth=%s name=%s",
	    cr_buf_str(&method), cr_buf_str(&path), resp->status, elapsed_ms(start),
	    req->principal != NULL ? cr_buf_str(&user) : "-",
	    req->principal != NULL ? req->principal->method : "-",
	    req->log_name != NULL ? cr_buf_str(&name) : "-");
	cr_buf_free(&method);
	cr_buf_free(&path);
	cr_buf_free(&name);
	cr_buf_free(&user);
}

static void
run_route(struct cr_app *app, const struct route *route, struct cr_request *req,
    struct cr_response *resp, struct cr_principal *principal)
{
	/* Credentials are checked before the body is read, so that an
	 * unauthenticated caller learns nothing from validation. */
	if (!admit(app, route, req, resp, principal))
		return;
	if (route->body != BODY_NONE &&
	    cr_request_read_body(req, route->body == BODY_JSON ? CR_MEDIA_JSON : CR_MEDIA_FORM,
	    app->conf.max_body_bytes, resp) != 0)
		return;
	route->handler(app, req, resp);
}

void
cr_app_serve(struct cr_app *app, struct cr_io *io)
{
	const struct route *route;
	struct cr_principal principal;
	struct cr_request req;
	struct cr_response resp;
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	memset(&principal, 0, sizeof(principal));
	cr_request_begin(&req, io);
	cr_response_init(&resp);

	/* libfcgi serves a connection that closed while sending its
	 * parameters as a request with an empty environment. */
	if (req.method[0] == '\0') {
		cr_response_failure(&resp, 400, "The request has no method.", NULL);
	} else {
		route = find_route(&req, &resp);
		if (route != NULL)
			run_route(app, route, &req, &resp, &principal);
	}

	if (cr_response_send(&resp, req.id, io) != 0)
		cr_log(CR_LOG_WARN, req.id, "client went away before the response was sent");
	log_request(&req, &resp, &start);
	cr_response_free(&resp);
	cr_request_end(&req);
	cr_principal_free(&principal);
}

int
cr_app_open(struct cr_app *app, const char *config_path, char *err, size_t err_size)
{
	struct cr_store_options options;
	char detail[1024];

	memset(app, 0, sizeof(*app));
	if (cr_conf_load(config_path, &app->conf, err, err_size) != 0) {
		cr_conf_free(&app->conf);
		return -1;
	}
	cr_log_set_level(app->conf.log_level);

	if (cr_secret_key_load(app->conf.key_file, true, &app->key, err, err_size) != 0) {
		cr_conf_free(&app->conf);
		return -1;
	}
	options.path = app->conf.database;
	options.busy_timeout_ms = app->conf.busy_timeout_ms;
	if (cr_store_open(&options, &app->store, detail, sizeof(detail)) != CR_STORE_OK) {
		snprintf(err, err_size, "cannot open database %s", detail);
		cr_secret_key_wipe(&app->key);
		cr_conf_free(&app->conf);
		return -1;
	}
	cr_auth_init(app->conf.auth_cache_seconds);
	if (app->conf.auth_methods & CR_AUTH_NONE)
		cr_log(CR_LOG_WARN, NULL, "authentication is off (auth_methods = none): "
		    "every caller acts as an Administrator");
	return 0;
}

enum cr_store_status
cr_app_add_connection(struct cr_app *app, const struct cr_connection_row *row, char **clash,
    char *error, size_t error_size)
{
	enum cr_store_status status;

	if (app->writer != NULL)
		return cr_writer_add_connection(app->writer, row, clash, error, error_size);
	status = cr_store_add_connection(app->store, row, clash);
	snprintf(error, error_size, "%s", cr_store_error(app->store));
	return status;
}

void
cr_app_close(struct cr_app *app)
{
	cr_store_close(app->store);
	cr_secret_key_wipe(&app->key);
	cr_conf_free(&app->conf);
	memset(app, 0, sizeof(*app));
}
