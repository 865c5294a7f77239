/* SPDX-License-Identifier: MIT */
/* Routing and the per-request steps shared by every call. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "handlers.h"
#include "log.h"

struct route {
	const char *suffix;   /* the end of the path, after the mount prefix */
	const char *method;
	bool json_body;       /* the call takes a JSON body */
	cr_handler handler;
};

/*
 * Routes match the end of the path, so the service works wherever it is
 * mounted; the default mount is /plugin/datafor-modeler/api/connection/.
 */
static const struct route routes[] = {
	{ "/connection/add", "POST", true, cr_handle_connection_add },
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
	struct cr_buf method, path, name;

	if (!cr_log_enabled(level))
		return;
	cr_buf_init(&method);
	cr_buf_init(&path);
	cr_buf_init(&name);
	cr_buf_log_string(&method, req->method, 16);
	cr_buf_log_string(&path, req->path, 256);
	if (req->log_name != NULL)
		cr_buf_log_string(&name, req->log_name, 128);
	cr_log(level, req->id, "method=%s path=%s status=%d duration_ms=%.3f name=%s",
	    cr_buf_str(&method), cr_buf_str(&path), resp->status, elapsed_ms(start),
	    req->log_name != NULL ? cr_buf_str(&name) : "-");
	cr_buf_free(&method);
	cr_buf_free(&path);
	cr_buf_free(&name);
}

void
cr_app_serve(struct cr_app *app, struct cr_io *io)
{
	const struct route *route;
	struct cr_request req;
	struct cr_response resp;
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	cr_request_begin(&req, io);
	cr_response_init(&resp);

	/* libfcgi serves a connection that closed while sending its
	 * parameters as a request with an empty environment. */
	if (req.method[0] == '\0') {
		cr_response_failure(&resp, 400, "The request has no method.", NULL);
		route = NULL;
	} else {
		route = find_route(&req, &resp);
	}
	if (route != NULL &&
	    (!route->json_body || cr_request_read_json_body(&req, app->conf.max_body_bytes, &resp) == 0))
		route->handler(app, &req, &resp);

	if (cr_response_send(&resp, req.id, io) != 0)
		cr_log(CR_LOG_WARN, req.id, "client went away before the response was sent");
	log_request(&req, &resp, &start);
	cr_response_free(&resp);
	cr_request_end(&req);
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
	return 0;
}

void
cr_app_close(struct cr_app *app)
{
	cr_store_close(app->store);
	cr_secret_key_wipe(&app->key);
	cr_conf_free(&app->conf);
	memset(app, 0, sizeof(*app));
}
