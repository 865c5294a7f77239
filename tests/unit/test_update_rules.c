/* SPDX-License-Identifier: MIT */
/*
 * Validation of the update call against its own table: the add example
 * turned into an update body, the id rules of each call, and the
 * members the two tables treat differently.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "connection.h"
#include "spec_add.h"
#include "spec_update.h"
#include "validate.h"

#define STORED_ID "0c9f3f38-5d1e-4b7a-9f1e-2f6a4d1c8b00"

/* The add example as a client sends it back for update. */
static struct json_object *
update_body(void)
{
	struct json_object *body = json_object_from_file(FIXTURES_DIR "/seed-add.json");

	assert_non_null(body);
	json_object_object_add(body, "id", json_object_new_string(STORED_ID));
	json_object_object_add(body, "password", NULL);
	json_object_object_del(body, "CUSTOM_DRIVER_CLASS");
	return body;
}

/* True when PROBLEMS has one at POINTER whose message contains TEXT. */
static bool
has_problem(const struct cr_problems *problems, const char *pointer, const char *text)
{
	size_t i;

	for (i = 0; i < problems->count; i++)
		if (strcmp(problems->items[i].pointer, pointer) == 0 &&
		    strstr(problems->items[i].message, text) != NULL)
			return true;
	return false;
}

static size_t
count_problems(const struct cr_spec *spec, struct json_object *body, struct cr_problems *problems)
{
	cr_problems_init(problems);
	cr_validate_body(spec, body, problems);
	return problems->count;
}

static void
update_example_is_valid(void **state)
{
	struct json_object *body = update_body();
	struct cr_problems problems;

	(void)state;
	assert_int_equal(count_problems(&cr_spec_update, body, &problems), 0);
	cr_problems_free(&problems);
	json_object_put(body);
}

static void
update_accepts_empty_id(void **state)
{
	struct json_object *body = update_body();
	struct cr_problems problems;

	(void)state;
	json_object_object_add(body, "id", json_object_new_string(""));
	assert_int_equal(count_problems(&cr_spec_update, body, &problems), 0);
	cr_problems_free(&problems);
	json_object_put(body);
}

static void
update_rejects_malformed_id(void **state)
{
	struct json_object *body = update_body();
	struct cr_problems problems;

	(void)state;
	json_object_object_add(body, "id", json_object_new_string("not-a-uuid"));
	assert_int_equal(count_problems(&cr_spec_update, body, &problems), 1);
	assert_true(has_problem(&problems, "/id", "UUID"));
	cr_problems_free(&problems);
	json_object_put(body);
}

static void
update_rejects_null_id(void **state)
{
	struct json_object *body = update_body();
	struct cr_problems problems;

	(void)state;
	json_object_object_add(body, "id", NULL);
	assert_int_equal(count_problems(&cr_spec_update, body, &problems), 1);
	assert_true(has_problem(&problems, "/id", "string"));
	cr_problems_free(&problems);
	json_object_put(body);
}

static void
update_requires_id(void **state)
{
	struct json_object *body = update_body();
	struct cr_problems problems;

	(void)state;
	json_object_object_del(body, "id");
	assert_int_equal(count_problems(&cr_spec_update, body, &problems), 1);
	assert_true(has_problem(&problems, "/id", "is required"));
	cr_problems_free(&problems);
	json_object_put(body);
}

static void
update_optional_members(void **state)
{
	static const char *const optional[] = {
		"SQLServerInstance", "changed", "connectSql", "CUSTOM_URL",
	};
	struct json_object *body = update_body();
	struct cr_problems problems;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(optional) / sizeof(optional[0]); i++)
		json_object_object_del(body, optional[i]);
	assert_int_equal(count_problems(&cr_spec_update, body, &problems), 0);
	cr_problems_free(&problems);
	json_object_put(body);
}

static void
update_accepts_custom_driver_class(void **state)
{
	struct json_object *body = update_body();
	struct cr_problems problems;

	(void)state;
	/* get returns it, so a client may send it back; it stays optional. */
	json_object_object_add(body, "CUSTOM_DRIVER_CLASS", NULL);
	assert_int_equal(count_problems(&cr_spec_update, body, &problems), 0);
	cr_problems_free(&problems);
	json_object_object_add(body, "CUSTOM_DRIVER_CLASS", json_object_new_int(3));
	assert_int_equal(count_problems(&cr_spec_update, body, &problems), 1);
	assert_true(has_problem(&problems, "/CUSTOM_DRIVER_CLASS", "must be a string or null"));
	cr_problems_free(&problems);
	json_object_put(body);
}

static void
update_accepts_string_password(void **state)
{
	struct json_object *body = update_body();
	struct cr_problems problems;

	(void)state;
	json_object_object_add(body, "password", json_object_new_string("new-secret"));
	assert_int_equal(count_problems(&cr_spec_update, body, &problems), 0);
	cr_problems_free(&problems);
	json_object_put(body);
}

static void
add_still_requires_null_id(void **state)
{
	struct json_object *body = json_object_from_file(FIXTURES_DIR "/seed-add.json");
	struct cr_problems problems;

	(void)state;
	assert_non_null(body);
	json_object_object_add(body, "id", json_object_new_string(STORED_ID));
	assert_int_equal(count_problems(&cr_spec_add, body, &problems), 1);
	assert_true(has_problem(&problems, "/id", "must be null"));
	cr_problems_free(&problems);
	json_object_put(body);
}

static void
keeps_password_cases(void **state)
{
	static const struct {
		const char *json;
		bool keeps;
	} cases[] = {
		{ "{\"password\":null}", true },
		{ "{}", true },
		{ "{\"password\":\"\"}", true },
		{ "{\"password\":\"********\"}", true },
		{ "{\"password\":\"*\"}", true },
		{ "{\"password\":\"**x**\"}", false },
		{ "{\"password\":\"secret\"}", false },
		{ "{\"password\":\" \"}", false },
	};
	struct json_object *body;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		body = json_tokener_parse(cases[i].json);
		assert_non_null(body);
		if (cr_connection_keeps_password(body) != cases[i].keeps)
			fail_msg("%s: expected keeps=%d", cases[i].json, (int)cases[i].keeps);
		json_object_put(body);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(update_example_is_valid),
		cmocka_unit_test(update_accepts_empty_id),
		cmocka_unit_test(update_rejects_malformed_id),
		cmocka_unit_test(update_rejects_null_id),
		cmocka_unit_test(update_requires_id),
		cmocka_unit_test(update_optional_members),
		cmocka_unit_test(update_accepts_custom_driver_class),
		cmocka_unit_test(update_accepts_string_password),
		cmocka_unit_test(add_still_requires_null_id),
		cmocka_unit_test(keeps_password_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
