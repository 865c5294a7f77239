/* SPDX-License-Identifier: MIT */
/* Request reading and response writing over the gateway interface. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "http.h"

const char *
cr_http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

static const char *
param_or_empty(struct cr_io *io, const char *name)
{
	const char *value = io->param(io->context, name);

	return value != NULL ? value : "";
}

void
cr_request_begin(struct cr_request *req, struct cr_io *io)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char random[CR_REQUEST_ID_LEN / 2];
	size_t i;

	memset(req, 0, sizeof(*req));
	req->io = io;
	randombytes_buf(random, sizeof(random));
	for (i = 0; i < sizeof(random); i++) {
		req->id[2 * i] = hex[random[i] >> 4];
		req->id[2 * i + 1] = hex[random[i] & 15];
	}
	req->id[CR_REQUEST_ID_LEN] = '\0';

	req->method = param_or_empty(io, "REQUEST_METHOD");
	req->query = param_or_empty(io, "QUERY_STRING");
	cr_buf_init(&req->path_buf);
	cr_buf_puts(&req->path_buf, param_or_empty(io, "SCRIPT_NAME"));
	cr_buf_puts(&req->path_buf, param_or_empty(io, "PATH_INFO"));
	req->path = cr_buf_str(&req->path_buf);
}

void
cr_request_end(struct cr_request *req)
{
	/* The body may hold a database password: clear it before freeing. */
	if (req->body != NULL) {
		sodium_memzero(req->body, req->body_len);
		free(req->body);
	}
	free(req->log_name);
	cr_buf_free(&req->path_buf);
	memset(req, 0, sizeof(*req));
}

const char *
cr_request_header(struct cr_request *req, const char *name)
{
	char variable[128] = "HTTP_";
	size_t i, j = 5;

	if (strcasecmp(name, "Content-Type") == 0)
		return req->io->param(req->io->context, "CONTENT_TYPE");
	if (strcasecmp(name, "Content-Length") == 0)
		return req->io->param(req->io->context, "CONTENT_LENGTH");
	for (i = 0; name[i] != '\0' && j < sizeof(variable) - 1; i++, j++)
		variable[j] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
	variable[j] = '\0';
	return req->io->param(req->io->context, variable);
}

/*
 * Accept MEDIA with an optional charset parameter naming UTF-8, the only
 * encoding RFC 8259 allows between systems and the one form values are
 * decoded as.
 */
static bool
media_type_matches(const char *value, const char *media)
{
	const char *p = value, *name, *val;
	size_t name_len, val_len, media_len = strlen(media);

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, media, media_len) != 0)
		return false;
	p += media_len;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			return true;
		if (*p != ';')
			return false;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		name = p;
		while (*p != '\0' && *p != '=' && *p != ';' && *p != ' ')
			p++;
		name_len = (size_t)(p - name);
		if (*p != '=')
			return false;
		p++;
		if (*p == '"') {
			val = ++p;
			while (*p != '\0' && *p != '"')
				p++;
			if (*p != '"')
				return false;
			val_len = (size_t)(p - val);
			p++;
		} else {
			val = p;
			while (*p != '\0' && *p != ';' && *p != ' ' && *p != '\t')
				p++;
			val_len = (size_t)(p - val);
		}
		if (name_len != 7 || strncasecmp(name, "charset", 7) != 0)
			return false;
		if (val_len != 5 || strncasecmp(val, "utf-8", 5) != 0)
			return false;
	}
}

/*
 * Parse CONTENT_LENGTH: digits only, no sign. A number too large for
 * size_t is valid HTTP and is returned as SIZE_MAX, which every body
 * cap rejects with 413.
 */
static bool
parse_content_length(const char *text, size_t *out)
{
	size_t value = 0;

	if (text[0] == '\0')
		return false;
	for (; *text != '\0'; text++) {
		if (*text < '0' || *text > '9')
			return false;
		if (value > (SIZE_MAX - 9) / 10)
			value = SIZE_MAX;
		else
			value = value * 10 + (size_t)(*text - '0');
	}
	*out = value;
	return true;
}

int
cr_request_read_body(struct cr_request *req, enum cr_media media, size_t max_body,
    struct cr_response *resp)
{
	const char *type = cr_request_header(req, "Content-Type");
	const char *length_text = cr_request_header(req, "Content-Length");
	char message[160];
	size_t length, got = 0;
	ssize_t n;

	if (media == CR_MEDIA_JSON && (type == NULL || !media_type_matches(type, "application/json"))) {
		cr_response_failure(resp, 415, "The body must be sent as application/json "
		    "(optionally with charset=utf-8).", NULL);
		return 415;
	}
	if (media == CR_MEDIA_FORM &&
	    (type == NULL || !media_type_matches(type, "application/x-www-form-urlencoded"))) {
		cr_response_failure(resp, 415, "The body must be sent as "
		    "application/x-www-form-urlencoded (optionally with charset=utf-8).", NULL);
		return 415;
	}
	if (length_text == NULL) {
		cr_response_failure(resp, 411, "A Content-Length header is required.", NULL);
		return 411;
	}
	if (!parse_content_length(length_text, &length)) {
		cr_response_failure(resp, 400, "The Content-Length header is not a valid number.",
		    NULL);
		return 400;
	}
	if (length > max_body) {
		snprintf(message, sizeof(message),
		    "The body is larger than the limit of %zu bytes.", max_body);
		cr_response_failure(resp, 413, message, NULL);
		return 413;
	}
	if (length == 0 && media == CR_MEDIA_JSON) {
		cr_response_failure(resp, 400, "The body is empty: a JSON object is required.", NULL);
		return 400;
	}

	req->body = malloc(length + 1);
	if (req->body == NULL) {
		cr_response_failure(resp, 503, "The server is out of memory; try again later.", NULL);
		return 503;
	}
	while (got < length) {
		n = req->io->read(req->io->context, req->body + got, length - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	req->body[got] = '\0';
	req->body_len = got;
	if (got < length) {
		snprintf(message, sizeof(message),
		    "The body ended after %zu of the %zu bytes that Content-Length announced.",
		    got, length);
		cr_response_failure(resp, 400, message, NULL);
		return 400;
	}
	return 0;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode SRC of LEN bytes into a new string; NULL when malformed. */
static char *
percent_decode(const char *src, size_t len, size_t *out_len)
{
	char *out = malloc(len + 1);
	size_t i, n = 0;
	int high, low;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (src[i] == '+') {
			out[n++] = ' ';
		} else if (src[i] == '%') {
			if (i + 2 >= len)
				goto malformed;
			high = hex_digit(src[i + 1]);
			low = hex_digit(src[i + 2]);
			if (high < 0 || low < 0)
				goto malformed;
			/* A NUL would cut the value short in every C string use. */
			if (high == 0 && low == 0)
				goto malformed;
			out[n++] = (char)(high * 16 + low);
			i += 2;
		} else {
			out[n++] = src[i];
		}
	}
	out[n] = '\0';
	if (out_len != NULL)
		*out_len = n;
	return out;
malformed:
	free(out);
	return NULL;
}

char *
cr_form_value(const char *text, size_t len, const char *name, size_t *value_len)
{
	size_t name_len = strlen(name), pos = 0, field_len;
	const char *field, *end;

	while (pos < len) {
		field = text + pos;
		end = memchr(field, '&', len - pos);
		field_len = end != NULL ? (size_t)(end - field) : len - pos;
		if (field_len > name_len && field[name_len] == '=' &&
		    memcmp(field, name, name_len) == 0)
			return percent_decode(field + name_len + 1, field_len - name_len - 1, value_len);
		pos += field_len + 1;
	}
	return NULL;
}

bool
cr_request_is_https(struct cr_request *req)
{
	const char *https = req->io->param(req->io->context, "HTTPS");
	const char *scheme = req->io->param(req->io->context, "REQUEST_SCHEME");

	return (https != NULL && strcasecmp(https, "on") == 0) ||
	    (scheme != NULL && strcasecmp(scheme, "https") == 0);
}

void
cr_response_init(struct cr_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = 500;
	cr_buf_init(&resp->body);
}

void
cr_response_free(struct cr_response *resp)
{
	free(resp->set_cookie);
	free(resp->etag);
	cr_buf_free(&resp->body);
}

void
cr_response_success(struct cr_response *resp)
{
	resp->status = 200;
	cr_buf_reset(&resp->body);
	cr_buf_puts(&resp->body, "{\"msg\":\"success\",\"code\":\"200\",\"success\":true}");
}

void
cr_response_failure(struct cr_response *resp, int status, const char *message,
    const struct cr_problems *problems)
{
	size_t i;

	resp->status = status;
	cr_buf_reset(&resp->body);
	cr_buf_puts(&resp->body, "{\"msg\":");
	cr_buf_json_string(&resp->body, message, strlen(message));
	cr_buf_printf(&resp->body, ",\"code\":\"%d\",\"success\":false", status);
	if (problems != NULL && problems->count > 0) {
		cr_buf_puts(&resp->body, ",\"errors\":[");
		for (i = 0; i < problems->count; i++) {
			const struct cr_problem *item = &problems->items[i];

			cr_buf_puts(&resp->body, i ? ",{\"pointer\":" : "{\"pointer\":");
			cr_buf_json_string(&resp->body, item->pointer, strlen(item->pointer));
			cr_buf_puts(&resp->body, ",\"message\":");
			cr_buf_json_string(&resp->body, item->message, strlen(item->message));
			cr_buf_puts(&resp->body, "}");
		}
		cr_buf_puts(&resp->body, "]");
		if (problems->dropped > 0)
			cr_buf_printf(&resp->body, ",\"omittedErrors\":%zu", problems->dropped);
	}
	cr_buf_puts(&resp->body, "}");
}

int
cr_response_send(struct cr_response *resp, const char *request_id, struct cr_io *io)
{
	static const char fallback[] =
	    "{\"msg\":\"The server is out of memory; try again later.\",\"code\":\"503\",\"success\":false}";
	struct cr_buf head;
	const char *body = resp->body.data;
	size_t body_len = resp->body.len;
	int status = resp->status, rc;

	if (resp->body.failed || body == NULL) {
		status = 503;
		body = fallback;
		body_len = sizeof(fallback) - 1;
	}

	/* Built with snprintf, never with libfcgi's own printf, which
	 * does not understand %zu. */
	cr_buf_init(&head);
	cr_buf_printf(&head, "Status: %d %s\r\n", status, cr_http_reason(status));
	cr_buf_puts(&head, "Content-Type: application/json; charset=utf-8\r\n");
	cr_buf_printf(&head, "Content-Length: %zu\r\n", body_len);
	cr_buf_puts(&head, "Cache-Control: no-store\r\n");
	cr_buf_puts(&head, "X-Content-Type-Options: nosniff\r\n");
	cr_buf_printf(&head, "X-Request-Id: %s\r\n", request_id);
	if (resp->allow != NULL && status == 405)
		cr_buf_printf(&head, "Allow: %s\r\n", resp->allow);
	if (resp->retry_after > 0 && status == 503)
		cr_buf_printf(&head, "Retry-After: %u\r\n", resp->retry_after);
	if (status == 401)
		cr_buf_puts(&head, "WWW-Authenticate: Basic realm=\"connreg\"\r\n");
	if (resp->set_cookie != NULL)
		cr_buf_printf(&head, "Set-Cookie: %s\r\n", resp->set_cookie);
	if (resp->etag != NULL && status == 200)
		cr_buf_printf(&head, "ETag: %s\r\n", resp->etag);
	cr_buf_puts(&head, "\r\n");
	if (head.failed) {
		cr_buf_free(&head);
		return -1;
	}
	rc = io->write(io->context, head.data, head.len);
	if (rc == 0)
		rc = io->write(io->context, body, body_len);
	cr_buf_free(&head);
	return rc;
}
