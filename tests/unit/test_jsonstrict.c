/* SPDX-License-Identifier: MIT */
/* Strict JSON parsing: what RFC 8259 allows and what json-c's tokener would let through. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "jsonstrict.h"

struct json_case {
	const char *label;
	const char *text;
	size_t len;            /* 0: strlen(text) */
	const char *pointer;   /* NULL: the text must parse */
	const char *message;   /* expected part of the problem message */
};

#define BYTES(literal) literal, sizeof(literal) - 1

static const struct json_case cases[] = {
	{ "empty object", "{}", 0, NULL, NULL },
	{ "nested values", "{\"a\":[1,-2.5e3,true,false,null,\"x\"],\"b\":{\"c\":{}}}", 0, NULL, NULL },
	{ "white space", " \t\r\n{ \"a\" : 1 } \n", 0, NULL, NULL },
	{ "escapes", "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}", 0, NULL, NULL },
	{ "utf-8 text", "{\"名前\":\"Données & <数据> 100%\"}", 0, NULL, NULL },
	{ "largest int64", "{\"a\":9223372036854775807,\"b\":-9223372036854775808}", 0, NULL, NULL },
	{ "large double", "{\"a\":1.5e308}", 0, NULL, NULL },
	{ "double that underflows to zero", "{\"a\":1e-400}", 0, NULL, NULL },
	{ "null document", "null", 0, "", "must be a JSON object, not null" },
	{ "keys equal after unescaping differ in text", "{\"a\":1,\"\\u0062\":2}", 0, NULL, NULL },

	{ "trailing bytes", "{} x", 0, "", "unexpected data after the JSON value" },
	{ "two values", "{}{}", 0, "", "unexpected data" },
	{ "NUL after value", BYTES("{}\0"), "", "NUL byte after the JSON value" },
	{ "NUL inside object", BYTES("{\"a\":\0}"), "/a", "NUL byte" },
	{ "duplicate key", "{\"a\":1,\"a\":2}", 0, "/a", "duplicate member name" },
	{ "duplicate escaped key", "{\"a\":1,\"\\u0061\":2}", 0, "/a", "duplicate member name" },
	{ "nested duplicate key", "{\"o\":{\"k\":1,\"k\":1}}", 0, "/o/k", "duplicate member name" },
	{ "duplicate after nested object", "{\"o\":{\"x\":{}},\"p\":{\"q\":1,\"q\":2}}", 0, "/p/q",
	  "duplicate member name" },
	{ "NaN", "{\"a\":NaN}", 0, "/a", "unexpected character" },
	{ "Infinity", "{\"a\":Infinity}", 0, "/a", "unexpected character" },
	{ "negative Infinity", "{\"a\":-Infinity}", 0, "/a", "invalid number" },
	{ "single-quoted key", "{'a':1}", 0, "", "single-quoted" },
	{ "single-quoted value", "{\"a\":'x'}", 0, "/a", "single-quoted" },
	{ "unquoted key", "{a:1}", 0, "", "expected a string" },
	{ "trailing comma", "{\"a\":1,}", 0, "", "expected a string" },
	{ "trailing comma in array", "[1,]", 0, "/1", "unexpected character" },
	{ "number with trailing dot", "{\"a\":1.}", 0, "/a", "decimal point" },
	{ "leading zero", "{\"a\":01}", 0, "/a", "leading zeros" },
	{ "plus sign", "{\"a\":+1}", 0, "/a", "unexpected character" },
	{ "hex number", "{\"a\":0x10}", 0, "/a", "expected ',' or '}'" },
	{ "exponent without digits", "{\"a\":1e}", 0, "/a", "exponent" },
	{ "integer beyond int64", "{\"a\":9223372036854775808}", 0, "/a", "64-bit" },
	{ "integer below int64", "{\"a\":-9223372036854775809}", 0, "/a", "64-bit" },
	{ "double overflow", "{\"a\":1e999}", 0, "/a", "too large" },
	{ "raw tab in string", "{\"a\":\"x\ty\"}", 0, "/a", "control character" },
	{ "raw newline in string", "{\"a\":\"x\ny\"}", 0, "/a", "control character" },
	{ "lone high surrogate", "{\"a\":\"\\ud800\"}", 0, "/a", "unpaired high surrogate" },
	{ "lone low surrogate", "{\"a\":\"\\udc00\"}", 0, "/a", "unpaired low surrogate" },
	{ "escaped NUL", "{\"a\":\"x\\u0000y\"}", 0, "/a", "\\u0000" },
	{ "bad escape", "{\"a\":\"\\x41\"}", 0, "/a", "invalid escape" },
	{ "short unicode escape", "{\"a\":\"\\u12\"}", 0, "/a", "\\u escape" },
	{ "invalid UTF-8 byte", "{\"a\":\"\xff\"}", 0, "/a", "invalid UTF-8" },
	{ "overlong UTF-8", "{\"a\":\"\xc0\xaf\"}", 0, "/a", "invalid UTF-8" },
	{ "UTF-8 surrogate", "{\"a\":\"\xed\xa0\x80\"}", 0, "/a", "invalid UTF-8" },
	{ "UTF-8 beyond U+10FFFF", "{\"a\":\"\xf4\x90\x80\x80\"}", 0, "/a", "invalid UTF-8" },
	{ "truncated UTF-8", "{\"a\":\"\xe2\x82\"}", 0, "/a", "invalid UTF-8" },
	{ "unterminated string", "{\"a\":\"abc", 0, "/a", "unterminated string" },
	{ "unterminated object", "{\"a\":1", 0, "/a", "expected ',' or '}'" },
	{ "missing comma", "{\"a\":1 \"b\":2}", 0, "/a", "expected ',' or '}'" },
	{ "missing comma in array", "[1 2]", 0, "/0", "expected ',' or ']'" },
	{ "empty text", "", 0, "", "unexpected end of input" },
	{ "only white space", "  \n", 0, "", "unexpected end of input" },
	{ "comment", "{/* x */}", 0, "", "expected a string" },
	{ "bare word", "{\"a\":tru}", 0, "/a", "unexpected character" },
	{ "too deep", "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}", 0, "/a/b/c/d", "too deep" },
	{ "pointer escaping", "{\"a/b\":{\"c~d\":x}}", 0, "/a~1b/c~0d", "unexpected character" },
	{ "array index in pointer", "{\"a\":[0,1,{\"b\":-}]}", 0, "/a/2/b", "invalid number" },
};

/* The depth limit used for every case: "too deep" nests 5 objects. */
#define TEST_DEPTH 4

static void
run_case(const struct json_case *c)
{
	struct cr_problems problems;
	struct json_object *value;
	size_t len = c->len ? c->len : strlen(c->text);

	cr_problems_init(&problems);
	value = cr_json_parse_strict(c->text, len, TEST_DEPTH, &problems);
	if (c->pointer == NULL) {
		if (value == NULL)
			fail_msg("%s: rejected: %s", c->label,
			    problems.count ? problems.items[0].message : "no problem recorded");
		assert_int_equal(problems.count, 0);
	} else {
		if (value != NULL)
			fail_msg("%s: accepted", c->label);
		assert_int_equal(problems.count, 1);
		if (strcmp(problems.items[0].pointer, c->pointer) != 0)
			fail_msg("%s: pointer '%s', expected '%s'", c->label,
			    problems.items[0].pointer, c->pointer);
		if (strstr(problems.items[0].message, c->message) == NULL)
			fail_msg("%s: message '%s' lacks '%s'", c->label,
			    problems.items[0].message, c->message);
	}
	json_object_put(value);
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
values_survive_parsing(void **state)
{
	static const char text[] = "{\"port\":\"25432\",\"n\":-7,\"s\":\"\\u00c4rger\"}";
	struct cr_problems problems;
	struct json_object *value, *member;

	(void)state;
	cr_problems_init(&problems);
	value = cr_json_parse_strict(text, sizeof(text) - 1, TEST_DEPTH, &problems);
	assert_non_null(value);
	assert_true(json_object_object_get_ex(value, "port", &member));
	assert_string_equal(json_object_get_string(member), "25432");
	assert_true(json_object_object_get_ex(value, "n", &member));
	assert_int_equal(json_object_get_int64(member), -7);
	assert_true(json_object_object_get_ex(value, "s", &member));
	assert_string_equal(json_object_get_string(member), "\xc3\x84rger");
	json_object_put(value);

	/* Numbers with a fraction or exponent keep the text they were sent as. */
	value = cr_json_parse_strict("[1.50,-2E3,0]", 13, TEST_DEPTH, &problems);
	assert_non_null(value);
	assert_string_equal(json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN),
	    "[1.50,-2E3,0]");
	assert_true(json_object_is_type(json_object_array_get_idx(value, 2), json_type_int));
	json_object_put(value);
	cr_problems_free(&problems);
}

static void
deep_nesting_is_bounded(void **state)
{
	static char text[200001];
	struct cr_problems problems;
	struct json_object *value;

	(void)state;
	memset(text, '[', sizeof(text) - 1);
	cr_problems_init(&problems);
	value = cr_json_parse_strict(text, sizeof(text) - 1, 64, &problems);
	assert_null(value);
	assert_int_equal(problems.count, 1);
	assert_non_null(strstr(problems.items[0].message, "too deep"));
	cr_problems_free(&problems);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(case_table),
		cmocka_unit_test(values_survive_parsing),
		cmocka_unit_test(deep_nesting_is_bounded),
	};

	return cmocka_run_group_tests_name("jsonstrict", tests, NULL, NULL);
}
