/* SPDX-License-Identifier: MIT */
/*
 * POST .../auth/login (form fields username and password) and
 * POST .../auth/logout. Login sets the JSESSIONID cookie: 32 random
 * bytes, stored only as a hash, valid for session_lifetime_seconds and
 * ended by logout, a password change or a disable.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "auth.h"
#include "handlers.h"
#include "log.h"

static void
reply_unauthorized(struct cr_response *resp)
{
	cr_response_failure(resp, 401,
	    "Authentication is required: the credentials are missing or not valid.", NULL);
}

static char *
session_cookie(struct cr_request *req, const char *value, unsigned max_age)
{
	struct cr_buf cookie;

	cr_buf_init(&cookie);
	cr_buf_printf(&cookie, "%s=%s; Path=/; Max-Age=%u; HttpOnly; SameSite=Lax",
	    CR_SESSION_COOKIE, value, max_age);
	if (cr_request_is_https(req))
		cr_buf_puts(&cookie, "; Secure");
	if (cookie.failed) {
		cr_buf_free(&cookie);
		return NULL;
	}
	return cookie.data;
}

void
cr_handle_login(struct cr_app *app, struct cr_request *req, struct cr_response *resp)
{
	char secret[CR_SECRET_TEXT_LEN + 1];
	unsigned char hash[CR_TOKEN_HASH_BYTES];
	char *name = NULL, *password = NULL;
	size_t password_len = 0;
	enum cr_store_status status;
	struct cr_user user;
	time_t now = time(NULL);

	memset(&user, 0, sizeof(user));
	if (!(app->conf.auth_methods & CR_AUTH_SESSION)) {
		cr_response_failure(resp, 404, "Session login is not enabled on this server.", NULL);
		return;
	}
	if (req->body != NULL) {
		name = cr_form_value(req->body, req->body_len, "username", NULL);
		password = cr_form_value(req->body, req->body_len, "password", &password_len);
	}
	if (name == NULL || password == NULL || strlen(name) == 0) {
		cr_response_failure(resp, 400, "The form fields username and password are required.",
		    NULL);
		goto out;
	}
	switch (cr_auth_check_password(app->store, name, password, password_len, &user)) {
	case CR_AUTH_OK:
		break;
	case CR_AUTH_UNAVAILABLE:
		cr_log(CR_LOG_ERROR, req->id, "login failed: %s", cr_store_error(app->store));
		resp->retry_after = 1;
		cr_response_failure(resp, 503, "The service is busy; try again shortly.", NULL);
		goto out;
	default:
		reply_unauthorized(resp);
		goto out;
	}

	cr_auth_random_text(secret);
	cr_auth_secret_hash(secret, CR_SECRET_TEXT_LEN, hash);
	status = cr_store_session_add(app->store, hash, &user, (int64_t)now,
	    (int64_t)now + app->conf.session_lifetime_seconds);
	if (status != CR_STORE_OK) {
		cr_reply_store_failure(app, req, resp, status);
		goto out;
	}
	resp->set_cookie = session_cookie(req, secret, app->conf.session_lifetime_seconds);
	if (resp->set_cookie == NULL) {
		cr_response_failure(resp, 503, "The server is out of memory; try again later.", NULL);
		goto out;
	}
	cr_log(CR_LOG_INFO, req->id, "session started for user %s", user.name);
	cr_response_success(resp);
out:
	sodium_memzero(secret, sizeof(secret));
	if (password != NULL)
		sodium_memzero(password, password_len);
	free(password);
	free(name);
	cr_user_free(&user);
}

void
cr_handle_logout(struct cr_app *app, struct cr_request *req, struct cr_response *resp)
{
	const char *cookie = cr_request_header(req, "Cookie");
	unsigned char hash[CR_TOKEN_HASH_BYTES];
	char session[CR_SECRET_TEXT_LEN + 2];
	enum cr_store_status status;

	/* Logging out twice, or without a session, succeeds as well. */
	if (cookie != NULL && cr_auth_session_cookie(cookie, session, sizeof(session))) {
		cr_auth_secret_hash(session, strlen(session), hash);
		sodium_memzero(session, sizeof(session));
		status = cr_store_session_delete(app->store, hash);
		if (status != CR_STORE_OK) {
			cr_reply_store_failure(app, req, resp, status);
			return;
		}
	}
	resp->set_cookie = session_cookie(req, "", 0);
	cr_response_success(resp);
}
