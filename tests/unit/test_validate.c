/* SPDX-License-Identifier: MIT */
/*
 * Validation of the add call: the published example body, and a table
 * of changes to it, each with the status and the JSON Pointer expected.
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
#include <json-c/json_pointer.h>

#include "buf.h"
#include "jsonstrict.h"
#include "spec_add.h"
#include "validate.h"

#define MAX_EDITS 4
#define DELETE NULL

struct edit {
	const char *pointer;
	const char *json;  /* new value as JSON text, or DELETE */
};

struct validate_case {
	const char *label;
	struct edit edits[MAX_EDITS];
	int status;              /* 200 or 400 */
	const char *pointer;     /* a problem expected at this pointer */
	const char *message;     /* part of that problem's message */
};

static const struct validate_case cases[] = {
	{ "published example", { { NULL, NULL } }, 200, NULL, NULL },
	{ "ports as JSON integers",
	  { { "/databasePort", "25432" }, { "/PORT_NUMBER", "25432" },
	    { "/attributes/PORT_NUMBER", "25432" }, { "/databaseType/defaultDatabasePort", "5432" } },
	  200, NULL, NULL },
	{ "pool sizes as JSON integers",
	  { { "/connectionPoolingProperties/initialSize", "5" },
	    { "/connectionPoolingProperties/maxActive", "200" } }, 200, NULL, NULL },
	{ "extra pool property", { { "/connectionPoolingProperties/maxWait", "\"10000\"" } },
	  200, NULL, NULL },
	{ "null custom attributes",
	  { { "/attributes/CUSTOM_URL", "null" }, { "/attributes/CUSTOM_DRIVER_CLASS", "null" } },
	  200, NULL, NULL },
	{ "name with surrounding space", { { "/name", "\"  foodmart3 \\t\"" } }, 200, NULL, NULL },
	{ "non-ASCII name", { { "/name", "\"Donn\\u00e9es & <\\u6570\\u636e> 100%\"" } }, 200, NULL, NULL },
	{ "JNDI without port",
	  { { "/accessType", "\"JNDI\"" }, { "/accessTypeValue", "\"JNDI\"" },
	    { "/databasePort", "\"\"" }, { "/PORT_NUMBER", "\"\"" } }, 400, "/attributes/PORT_NUMBER",
	  "must equal /databasePort" },
	{ "SQL Server instance",
	  { { "/databaseType/shortName", "\"MSSQLNATIVE\"" }, { "/SQLServerInstance", "\"SQLEXPRESS\"" } },
	  200, NULL, NULL },
	{ "generic type with URL",
	  { { "/databaseType/shortName", "\"GENERIC\"" }, { "/CUSTOM_URL", "\"jdbc:x://h/db\"" },
	    { "/CUSTOM_DRIVER_CLASS", "\"org.x.Driver\"" } }, 200, NULL, NULL },
	{ "empty extra options",
	  { { "/extraOptions", "{}" }, { "/extraOptionsOrder", "{}" } }, 200, NULL, NULL },

	{ "missing name", { { "/name", DELETE } }, 400, "/name", "is required" },
	{ "missing nested member", { { "/attributes/PORT_NUMBER", DELETE } }, 400,
	  "/attributes/PORT_NUMBER", "is required" },
	{ "missing nullable member", { { "/CUSTOM_URL", DELETE } }, 400, "/CUSTOM_URL", "is required" },
	{ "unknown member", { { "/hostName", "\"db\"" } }, 400, "/hostName", "not a field" },
	{ "unknown nested member", { { "/databaseType/port", "\"1\"" } }, 400,
	  "/databaseType/port", "not a field" },
	{ "boolean as string", { { "/usingConnectionPool", "\"yes\"" } }, 400,
	  "/usingConnectionPool", "must be true or false, not a string" },
	{ "integer as string", { { "/initialPoolSize", "\"0\"" } }, 400, "/initialPoolSize",
	  "must be an integer" },
	{ "integer as fraction", { { "/initialPoolSize", "1.5" } }, 400, "/initialPoolSize",
	  "must be an integer" },
	{ "object as string", { { "/attributes", "\"x\"" } }, 400, "/attributes", "must be an object" },
	{ "string as null", { { "/hostname", "null" } }, 400, "/hostname", "must be a string, not null" },
	{ "string as array", { { "/username", "[]" } }, 400, "/username", "must be a string" },
	{ "map value as number", { { "/extraOptions/POSTGRESQL.TimeZone", "5" } }, 400,
	  "/extraOptions/POSTGRESQL.TimeZone", "must be a string" },
	{ "id given", { { "/id", "\"6f1c\"" } }, 400, "/id", "must be null" },
	{ "empty name", { { "/name", "\"\"" } }, 400, "/name", "must not be empty" },
	{ "blank name", { { "/name", "\" \\u3000 \"" } }, 400, "/name", "must not be empty" },
	{ "control character in name", { { "/name", "\"a\\u0001b\"" } }, 400, "/name",
	  "control characters" },
	{ "line break in name", { { "/name", "\"a\\nb\"" } }, 400, "/name", "control characters" },
	{ "port zero", { { "/databasePort", "\"0\"" } }, 400, "/databasePort", "out of range" },
	{ "port too high", { { "/databasePort", "\"65536\"" } }, 400, "/databasePort", "out of range" },
	{ "port with sign", { { "/databasePort", "\"+25432\"" } }, 400, "/databasePort",
	  "plain decimal integer" },
	{ "port with space", { { "/databasePort", "\" 25432\"" } }, 400, "/databasePort",
	  "plain decimal integer" },
	{ "port with suffix", { { "/databasePort", "\"25432x\"" } }, 400, "/databasePort",
	  "plain decimal integer" },
	{ "port as boolean", { { "/databasePort", "true" } }, 400, "/databasePort", "must be a string" },
	{ "port as fraction", { { "/databasePort", "25432.0" } }, 400, "/databasePort",
	  "must be a string" },
	{ "port integer out of range", { { "/attributes/PORT_NUMBER", "70000" } }, 400,
	  "/attributes/PORT_NUMBER", "out of range" },
	{ "empty native port",
	  { { "/databasePort", "\"\"" }, { "/PORT_NUMBER", "\"\"" }, { "/attributes/PORT_NUMBER", "\"\"" } },
	  400, "/databasePort", "must not be empty for a native PostgreSQL" },
	{ "port copies disagree", { { "/PORT_NUMBER", "\"5432\"" } }, 400, "/PORT_NUMBER",
	  "must equal /databasePort" },
	{ "driver copies disagree", { { "/driverId", "\"mysql\"" } }, 400, "/attributes/driverId",
	  "must equal /driverId" },
	{ "access copies disagree", { { "/accessTypeValue", "\"JNDI\"" } }, 400, "/accessTypeValue",
	  "must equal /accessType" },
	{ "custom URL copies disagree",
	  { { "/CUSTOM_URL", "\"jdbc:a\"" }, { "/attributes/CUSTOM_URL", "\"jdbc:b\"" } }, 400,
	  "/attributes/CUSTOM_URL", "must equal /CUSTOM_URL" },
	{ "unknown access type",
	  { { "/accessType", "\"TELNET\"" }, { "/accessTypeValue", "\"TELNET\"" } }, 400,
	  "/accessType", "must be NATIVE, ODBC, OCI, JNDI, PLUGIN or CUSTOM" },
	{ "access type the database lacks",
	  { { "/accessType", "\"OCI\"" }, { "/accessTypeValue", "\"OCI\"" } }, 400, "/accessType",
	  "PostgreSQL does not support access type OCI" },
	{ "unknown database type", { { "/databaseType/shortName", "\"POSTGRES\"" } }, 400,
	  "/databaseType/shortName", "not a supported database type" },
	{ "default port out of range", { { "/databaseType/defaultDatabasePort", "\"-2\"" } }, 400,
	  "/databaseType/defaultDatabasePort", "out of range" },
	{ "minIdle above maxIdle", { { "/connectionPoolingProperties/minIdle", "\"50\"" } }, 400,
	  "/connectionPoolingProperties/minIdle", "greater than maxIdle" },
	{ "maxIdle above maxActive", { { "/connectionPoolingProperties/maxIdle", "\"300\"" } }, 400,
	  "/connectionPoolingProperties/maxIdle", "greater than maxActive" },
	{ "initialSize above maxActive", { { "/connectionPoolingProperties/initialSize", "\"201\"" } },
	  400, "/connectionPoolingProperties/initialSize", "greater than maxActive" },
	{ "negative pool size", { { "/connectionPoolingProperties/minIdle", "\"-1\"" } }, 400,
	  "/connectionPoolingProperties/minIdle", "out of range" },
	{ "empty pool size", { { "/connectionPoolingProperties/maxActive", "\"\"" } }, 400,
	  "/connectionPoolingProperties/maxActive", "must not be empty" },
	{ "negative pool size integer", { { "/maximumPoolSize", "-3" } }, 400, "/maximumPoolSize",
	  "out of range" },
	{ "initial pool above maximum", { { "/initialPoolSize", "5" }, { "/maximumPoolSize", "2" } },
	  400, "/initialPoolSize", "greater than maximumPoolSize" },
	{ "both forcing flags",
	  { { "/forcingIdentifiersToLowerCase", "true" }, { "/forcingIdentifiersToUpperCase", "true" } },
	  400, "/forcingIdentifiersToUpperCase", "cannot be true" },
	{ "option name without type", { { "/extraOptions/TimeZone", "\"UTC\"" } }, 400,
	  "/extraOptions/TimeZone", "TYPE.option" },
	{ "option order with a gap", { { "/extraOptionsOrder", "{\"1\":\"POSTGRESQL.TimeZone\"}" } },
	  400, "/extraOptionsOrder/1", "positions 0 to 0" },
	{ "option order with leading zero",
	  { { "/extraOptionsOrder", "{\"00\":\"POSTGRESQL.TimeZone\"}" } }, 400,
	  "/extraOptionsOrder/00", "positions" },
	{ "option order naming a missing option",
	  { { "/extraOptionsOrder/0", "\"POSTGRESQL.ssl\"" } }, 400, "/extraOptionsOrder/0",
	  "not in extraOptions" },
	{ "generic type without URL", { { "/databaseType/shortName", "\"GENERIC\"" } }, 400,
	  "/CUSTOM_URL", "must be set for a native generic connection" },
	{ "instance on another type", { { "/SQLServerInstance", "\"SQLEXPRESS\"" } }, 400,
	  "/SQLServerInstance", "only to MSSQL" },
	{ "control character in host", { { "/hostname", "\"db\\r\\nX: y\"" } }, 400, "/hostname",
	  "control characters" },
};

static char *seed_text;

static int
load_seed(void **state)
{
	char path[4096];
	FILE *file;
	long size;

	(void)state;
	snprintf(path, sizeof(path), "%s/seed-add.json", FIXTURES_DIR);
	file = fopen(path, "rb");
	if (file == NULL)
		return -1;
	fseek(file, 0, SEEK_END);
	size = ftell(file);
	rewind(file);
	seed_text = calloc(1, (size_t)size + 1);
	if (seed_text == NULL || fread(seed_text, 1, (size_t)size, file) != (size_t)size) {
		fclose(file);
		return -1;
	}
	fclose(file);
	return 0;
}

static int
free_seed(void **state)
{
	(void)state;
	free(seed_text);
	return 0;
}

/* Remove the member at POINTER, whose parent must be an object. */
static void
delete_member(struct json_object *body, const char *pointer)
{
	char parent_pointer[256];
	const char *slash = strrchr(pointer, '/');
	struct json_object *parent = body;

	snprintf(parent_pointer, sizeof(parent_pointer), "%.*s", (int)(slash - pointer), pointer);
	if (parent_pointer[0] != '\0')
		assert_int_equal(json_pointer_get(body, parent_pointer, &parent), 0);
	json_object_object_del(parent, slash + 1);
}

/* Apply the edits to the example and validate the result as a request body. */
static void
validate_edited(const struct validate_case *c, struct cr_problems *problems)
{
	struct json_object *body, *parsed;
	const char *text;
	size_t i;

	body = json_tokener_parse(seed_text);
	assert_non_null(body);
	for (i = 0; i < MAX_EDITS && c->edits[i].pointer != NULL; i++) {
		if (c->edits[i].json == DELETE) {
			delete_member(body, c->edits[i].pointer);
			continue;
		}
		struct json_object *value = json_tokener_parse(c->edits[i].json);
		if (value == NULL && strcmp(c->edits[i].json, "null") != 0)
			fail_msg("%s: edit value is not JSON: %s", c->label, c->edits[i].json);
		assert_int_equal(json_pointer_set(&body, c->edits[i].pointer, value), 0);
	}
	text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
	parsed = cr_json_parse_strict(text, strlen(text), 16, problems);
	if (parsed == NULL)
		fail_msg("%s: edited body does not parse: %s", c->label, problems->items[0].message);
	cr_validate_body(&cr_spec_add, parsed, problems);
	json_object_put(parsed);
	json_object_put(body);
}

static void
run_case(const struct validate_case *c)
{
	struct cr_problems problems;
	size_t i;
	bool found = false;

	cr_problems_init(&problems);
	validate_edited(c, &problems);
	if (c->status == 200) {
		if (problems.count > 0)
			fail_msg("%s: expected valid, got %s: %s", c->label, problems.items[0].pointer,
			    problems.items[0].message);
	} else {
		for (i = 0; i < problems.count && !found; i++)
			found = strcmp(problems.items[i].pointer, c->pointer) == 0 &&
			    strstr(problems.items[i].message, c->message) != NULL;
		if (!found) {
			for (i = 0; i < problems.count; i++)
				print_message("  got %s: %s\n", problems.items[i].pointer,
				    problems.items[i].message);
			fail_msg("%s: expected %s: ...%s...", c->label, c->pointer, c->message);
		}
	}
	cr_problems_free(&problems);
}

static void
case_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

static void
every_problem_reported(void **state)
{
	static const struct validate_case c = {
		"three problems",
		{ { "/name", DELETE }, { "/databasePort", "\"x\"" }, { "/typo", "1" } },
		400, NULL, NULL,
	};
	struct cr_problems problems;

	(void)state;
	cr_problems_init(&problems);
	validate_edited(&c, &problems);
	assert_int_equal(problems.count, 3);
	assert_string_equal(problems.items[0].pointer, "/name");
	assert_string_equal(problems.items[1].pointer, "/typo");
	assert_string_equal(problems.items[2].pointer, "/databasePort");
	cr_problems_free(&problems);
}

/* Validate the example with its name set to COUNT copies of the UTF-8 text UNIT. */
static size_t
count_name_problems(const char *unit, int count)
{
	struct validate_case c = { "name length", { { "/name", NULL } }, 400, NULL, NULL };
	struct cr_problems problems;
	struct cr_buf json;
	size_t found;
	int i;

	cr_buf_init(&json);
	cr_buf_puts(&json, "\"");
	for (i = 0; i < count; i++)
		cr_buf_puts(&json, unit);
	cr_buf_puts(&json, "\"");
	c.edits[0].json = json.data;
	cr_problems_init(&problems);
	validate_edited(&c, &problems);
	found = problems.count;
	if (found > 0) {
		assert_string_equal(problems.items[0].pointer, "/name");
		assert_non_null(strstr(problems.items[0].message, "at most 200 characters"));
	}
	cr_problems_free(&problems);
	cr_buf_free(&json);
	return found;
}

static void
name_length_counts_characters(void **state)
{
	(void)state;
	assert_int_equal(count_name_problems("a", 200), 0);
	assert_int_equal(count_name_problems("a", 201), 1);
	/* Three bytes each in UTF-8, but 200 characters. */
	assert_int_equal(count_name_problems("\xe6\x95\xb0", 200), 0);
	assert_int_equal(count_name_problems("\xe6\x95\xb0", 201), 1);
}

static void
body_must_be_object(void **state)
{
	struct cr_problems problems;
	struct json_object *value;

	(void)state;
	cr_problems_init(&problems);
	value = cr_json_parse_strict("[1]", 3, 16, &problems);
	assert_non_null(value);
	cr_validate_body(&cr_spec_add, value, &problems);
	assert_int_equal(problems.count, 1);
	assert_string_equal(problems.items[0].pointer, "");
	assert_non_null(strstr(problems.items[0].message, "must be a JSON object"));
	json_object_put(value);
	cr_problems_free(&problems);
}

static void
problem_list_is_bounded(void **state)
{
	struct cr_buf text;
	struct cr_problems problems;
	struct json_object *value;
	int i;

	(void)state;
	cr_buf_init(&text);
	cr_buf_puts(&text, "{");
	for (i = 0; i < 500; i++)
		cr_buf_printf(&text, "%s\"unknown%d\":1", i ? "," : "", i);
	cr_buf_puts(&text, "}");
	cr_problems_init(&problems);
	value = cr_json_parse_strict(text.data, text.len, 16, &problems);
	assert_non_null(value);
	cr_validate_body(&cr_spec_add, value, &problems);
	assert_int_equal(problems.count, CR_PROBLEMS_MAX);
	assert_true(cr_problems_total(&problems) > 500);
	json_object_put(value);
	cr_problems_free(&problems);
	cr_buf_free(&text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(case_table),
		cmocka_unit_test(every_problem_reported),
		cmocka_unit_test(name_length_counts_characters),
		cmocka_unit_test(body_must_be_object),
		cmocka_unit_test(problem_list_is_bounded),
	};

	return cmocka_run_group_tests_name("validate", tests, load_seed, free_seed);
}
