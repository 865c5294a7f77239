/* SPDX-License-Identifier: MIT */
/*
 * One HTTP exchange as the gateway interface presents it, the same for
 * FastCGI and plain CGI. The request's variables and body come through
 * a small I/O table, and a response is a status, a few headers and a
 * JSON body.
 */
#ifndef CR_HTTP_H
#define CR_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "problems.h"

/* Access to one request's variables and streams. */
struct cr_io {
	void *context;
	/* The value of CGI variable NAME, or NULL; valid until the request ends. */
	const char *(*param)(void *context, const char *name);
	/* Read up to LEN body bytes; 0 at the end of the body, -1 on error. */
	ssize_t (*read)(void *context, char *data, size_t len);
	/* Write all LEN bytes; -1 when the client is gone. */
	int (*write)(void *context, const char *data, size_t len);
};

#define CR_REQUEST_ID_LEN 16

struct cr_request {
	struct cr_io *io;
	char id[CR_REQUEST_ID_LEN + 1];   /* random hex id, in log lines and responses */
	const char *method;
	const char *path;                 /* decoded path, without the query */
	const char *query;                /* raw query string, "" when none */
	char *body;                       /* NUL-terminated copy of the body, or NULL */
	size_t body_len;
	char *log_name;                   /* connection name for the request log, or NULL */
	struct cr_principal *principal;   /* the authenticated caller, or NULL */
	struct cr_buf path_buf;
};

struct cr_response {
	int status;
	const char *allow;        /* Allow header for 405 */
	unsigned retry_after;     /* Retry-After seconds for 503, 0 for none */
	char *set_cookie;         /* Set-Cookie header value, or NULL; freed with the response */
	char *etag;               /* ETag header value for a 200, or NULL; freed with the response */
	struct cr_buf body;
};

/* Media types a call's body may have. */
enum cr_media {
	CR_MEDIA_JSON,  /* application/json, optionally with charset=utf-8 */
	CR_MEDIA_FORM,  /* application/x-www-form-urlencoded */
};

/* The standard reason phrase of STATUS, such as "Not Found". */
const char *cr_http_reason(int status);

/*
 * Fill REQ from IO: a new id, the method and the path. The path is
 * SCRIPT_NAME followed by PATH_INFO, which the web server has already
 * percent-decoded; the query string stays raw.
 */
void cr_request_begin(struct cr_request *req, struct cr_io *io);
void cr_request_end(struct cr_request *req);

/* Value of request header NAME ("Content-Type"), or NULL. */
const char *cr_request_header(struct cr_request *req, const char *name);

/*
 * Read the body, enforcing the media type, the declared length and
 * MAX_BODY. Return 0, or the HTTP status of the failure with the error
 * response already in RESP.
 */
int cr_request_read_body(struct cr_request *req, enum cr_media media, size_t max_body,
    struct cr_response *resp);

/*
 * Find NAME in TEXT of LEN bytes, in application/x-www-form-urlencoded
 * form (a query string or a form body), and return its percent-decoded
 * value, newly allocated, with its length in *VALUE_LEN when that is not
 * NULL. Return NULL when NAME is absent or its value is malformed.
 */
char *cr_form_value(const char *text, size_t len, const char *name, size_t *value_len);

/* True when the client reached the web server over HTTPS. */
bool cr_request_is_https(struct cr_request *req);

void cr_response_init(struct cr_response *resp);
void cr_response_free(struct cr_response *resp);

/* Set the success envelope {"msg":"success","code":"200","success":true}. */
void cr_response_success(struct cr_response *resp);

/* Set a failure envelope with MESSAGE and, when not NULL, PROBLEMS. */
void cr_response_failure(struct cr_response *resp, int status, const char *message,
    const struct cr_problems *problems);

/* Send RESP through IO, tagged with REQUEST_ID; -1 when the client has gone. */
int cr_response_send(struct cr_response *resp, const char *request_id, struct cr_io *io);

#endif
