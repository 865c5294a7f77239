/* SPDX-License-Identifier: MIT */
/* Request checks before a handler runs: media type, length, size cap. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"

struct fake_request {
	const char *content_type;
	const char *content_length;
	const char *body;      /* bytes the client actually sends */
	struct cr_buf output;
};

static const char *
fake_param(void *context, const char *name)
{
	struct fake_request *fake = context;

	if (strcmp(name, "CONTENT_TYPE") == 0)
		return fake->content_type;
	if (strcmp(name, "CONTENT_LENGTH") == 0)
		return fake->content_length;
	if (strcmp(name, "REQUEST_METHOD") == 0)
		return "POST";
	if (strcmp(name, "SCRIPT_NAME") == 0)
		return "/api/connection";
	if (strcmp(name, "PATH_INFO") == 0)
		return "/add";
	return NULL;
}

static ssize_t
fake_read(void *context, char *data, size_t len)
{
	struct fake_request *fake = context;
	size_t left = strlen(fake->body);

	/* One byte at a time, to exercise the read loop. */
	if (left == 0 || len == 0)
		return 0;
	data[0] = fake->body[0];
	fake->body++;
	return 1;
}

static int
fake_write(void *context, const char *data, size_t len)
{
	cr_buf_append(&((struct fake_request *)context)->output, data, len);
	return 0;
}

/* Run the body check for a request with the given headers and body. */
static int
read_status(const char *type, const char *length, const char *body, size_t max_body,
    struct cr_buf *response)
{
	struct fake_request fake = { type, length, body, { 0 } };
	struct cr_io io = { &fake, fake_param, fake_read, fake_write };
	struct cr_request req;
	struct cr_response resp;
	int status;

	cr_buf_init(&fake.output);
	cr_request_begin(&req, &io);
	assert_string_equal(req.path, "/api/connection/add");
	assert_int_equal(strlen(req.id), CR_REQUEST_ID_LEN);
	cr_response_init(&resp);
	status = cr_request_read_body(&req, CR_MEDIA_JSON, max_body, &resp);
	if (status == 0) {
		assert_int_equal(req.body_len, strlen(body));
		assert_string_equal(req.body, body);
		cr_response_success(&resp);
	}
	assert_int_equal(cr_response_send(&resp, req.id, &io), 0);
	cr_buf_reset(response);
	cr_buf_puts(response, cr_buf_str(&fake.output));
	cr_response_free(&resp);
	cr_request_end(&req);
	cr_buf_free(&fake.output);
	return status;
}

static void
media_types(void **state)
{
	static const char *const accepted[] = {
		"application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8",
		"application/json ; charset=\"utf-8\"", " application/json",
	};
	static const char *const rejected[] = {
		"text/plain", "application/json; charset=latin1", "application/jsonx",
		"application/json; version=2", "application/json;", "", "multipart/form-data",
		"application/json; charset=\"utf-8",
	};
	struct cr_buf response;
	size_t i;

	(void)state;
	cr_buf_init(&response);
	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		if (read_status(accepted[i], "2", "{}", 100, &response) != 0)
			fail_msg("media type '%s' was rejected", accepted[i]);
	for (i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++)
		if (read_status(rejected[i], "2", "{}", 100, &response) != 415)
			fail_msg("media type '%s' was accepted", rejected[i]);
	assert_int_equal(read_status(NULL, "2", "{}", 100, &response), 415);
	assert_non_null(strstr(response.data, "Status: 415 Unsupported Media Type\r\n"));
	cr_buf_free(&response);
}

static void
lengths(void **state)
{
	struct cr_buf response;

	(void)state;
	cr_buf_init(&response);
	assert_int_equal(read_status("application/json", NULL, "{}", 100, &response), 411);
	assert_non_null(strstr(response.data, "\"code\":\"411\""));
	assert_int_equal(read_status("application/json", "-1", "{}", 100, &response), 400);
	assert_int_equal(read_status("application/json", "2x", "{}", 100, &response), 400);
	/* Valid HTTP, only too large for size_t: still "too large". */
	assert_int_equal(read_status("application/json", "99999999999999999999999", "{}", 100,
	    &response), 413);
	assert_int_equal(read_status("application/json", "101", "{}", 100, &response), 413);
	assert_non_null(strstr(response.data, "limit of 100 bytes"));
	assert_int_equal(read_status("application/json", "100", "{}", 100, &response), 400);
	assert_non_null(strstr(response.data, "ended after 2 of the 100 bytes"));
	assert_int_equal(read_status("application/json", "0", "", 100, &response), 400);
	assert_int_equal(read_status("application/json", "2", "{}", 100, &response), 0);
	cr_buf_free(&response);
}

static void
response_format(void **state)
{
	struct cr_buf response;
	const char *body;

	(void)state;
	cr_buf_init(&response);
	assert_int_equal(read_status("application/json", "2", "{}", 100, &response), 0);
	assert_non_null(strstr(response.data, "Status: 200 OK\r\n"));
	assert_non_null(strstr(response.data, "Content-Type: application/json; charset=utf-8\r\n"));
	assert_non_null(strstr(response.data, "Content-Length: 45\r\n"));
	assert_non_null(strstr(response.data, "X-Request-Id: "));
	body = strstr(response.data, "\r\n\r\n");
	assert_non_null(body);
	assert_string_equal(body + 4, "{\"msg\":\"success\",\"code\":\"200\",\"success\":true}");
	cr_buf_free(&response);
}

static void
failure_envelope(void **state)
{
	struct cr_response resp;
	struct cr_problems problems;

	(void)state;
	cr_response_init(&resp);
	cr_problems_init(&problems);
	cr_problems_add(&problems, "/a~1b", "must be \"x\"\n");
	cr_response_failure(&resp, 400, "The request is invalid.", &problems);
	assert_string_equal(resp.body.data,
	    "{\"msg\":\"The request is invalid.\",\"code\":\"400\",\"success\":false,"
	    "\"errors\":[{\"pointer\":\"/a~1b\",\"message\":\"must be \\\"x\\\"\\n\"}]}");
	cr_problems_free(&problems);
	cr_response_free(&resp);
}

static void
form_values(void **state)
{
	static const char form[] = "username=al%C3%AFce&password=a+b%26c%3D&empty=&bad=%zz&x=%4";
	size_t len;
	char *value;

	(void)state;
	value = cr_form_value(form, strlen(form), "username", NULL);
	assert_string_equal(value, "al\xc3\xaf" "ce");
	free(value);
	value = cr_form_value(form, strlen(form), "password", &len);
	assert_string_equal(value, "a b&c=");
	assert_int_equal(len, 6);
	free(value);
	value = cr_form_value(form, strlen(form), "empty", &len);
	assert_string_equal(value, "");
	free(value);
	assert_null(cr_form_value(form, strlen(form), "bad", NULL));
	assert_null(cr_form_value("name=a%00b", 10, "name", NULL));
	assert_null(cr_form_value(form, strlen(form), "x", NULL));
	assert_null(cr_form_value(form, strlen(form), "user", NULL));
	assert_null(cr_form_value(form, strlen(form), "missing", NULL));
	/* Only the first LEN bytes count. */
	assert_null(cr_form_value(form, 8, "username", NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(media_types),
		cmocka_unit_test(lengths),
		cmocka_unit_test(response_format),
		cmocka_unit_test(failure_envelope),
		cmocka_unit_test(form_values),
	};

	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
