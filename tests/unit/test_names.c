/* SPDX-License-Identifier: MIT */
/* Connection names: trimming, checks and case folding across Unicode. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "names.h"

static void
assert_same_key(const char *a, const char *b)
{
	char *key_a = cr_name_fold(a), *key_b = cr_name_fold(b);

	assert_non_null(key_a);
	assert_non_null(key_b);
	if (strcmp(key_a, key_b) != 0)
		fail_msg("'%s' and '%s' fold to different keys '%s' and '%s'", a, b, key_a, key_b);
	free(key_a);
	free(key_b);
}

static void
assert_different_key(const char *a, const char *b)
{
	char *key_a = cr_name_fold(a), *key_b = cr_name_fold(b);

	assert_non_null(key_a);
	assert_non_null(key_b);
	if (strcmp(key_a, key_b) == 0)
		fail_msg("'%s' and '%s' fold to the same key '%s'", a, b, key_a);
	free(key_a);
	free(key_b);
}

static void
fold_ignores_case(void **state)
{
	(void)state;
	assert_same_key("foodmart2", "FOODMART2");
	assert_same_key("\xc3\x84rger", "\xc3\xa4rger");                 /* Ärger, ärger */
	assert_same_key("STRASSE", "stra\xc3\x9f" "e");                  /* straße */
	assert_same_key("\xce\xa3\xce\x99\xce\xa3\xce\xa5\xce\xa6\xce\x9f\xce\xa3",
	    "\xcf\x83\xce\xb9\xcf\x83\xcf\x85\xcf\x86\xce\xbf\xcf\x82"); /* ΣΙΣΥΦΟΣ, σισυφος */
	assert_same_key("\xd0\x91\xd0\x90\xd0\x97\xd0\x90", "\xd0\xb1\xd0\xb0\xd0\xb7\xd0\xb0"); /* БАЗА */
	assert_same_key("\xef\xbc\xa4\xef\xbc\xa2", "db");               /* full-width ＤＢ */
	assert_same_key("A\xcc\x8a", "\xc3\xa5");                        /* A + ring, å */
}

static void
fold_keeps_distinct_names(void **state)
{
	(void)state;
	assert_different_key("foodmart", "foodmart2");
	assert_different_key("\xc3\xa4rger", "arger");
	assert_different_key("\xe6\x95\xb0\xe6\x8d\xae", "\xe6\x95\xb0");
}

static void
fold_is_stable(void **state)
{
	static const char *const names[] = {
		"\xc3\x84rger", "stra\xc3\x9f" "e", "\xef\xac\x81le", "\xe1\xba\x9e", "\xc7\x85",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *once = cr_name_fold(names[i]);
		char *twice = cr_name_fold(once);

		assert_string_equal(once, twice);
		free(once);
		free(twice);
	}
}

static void
trim_removes_unicode_space(void **state)
{
	char *trimmed;

	(void)state;
	trimmed = cr_name_trim("  \t\xe3\x80\x80 sales db \xc2\xa0\n");
	assert_string_equal(trimmed, "sales db");
	free(trimmed);
	trimmed = cr_name_trim("   ");
	assert_string_equal(trimmed, "");
	free(trimmed);
	trimmed = cr_name_trim("x");
	assert_string_equal(trimmed, "x");
	free(trimmed);
}

static void
problems_found(void **state)
{
	(void)state;
	assert_null(cr_name_problem("Donn\xc3\xa9" "es & <\xe6\x95\xb0\xe6\x8d\xae> 100%"));
	assert_non_null(cr_name_problem(""));
	assert_non_null(cr_name_problem("a\x01" "b"));
	assert_non_null(cr_name_problem("a\x7f" "b"));
	assert_non_null(cr_name_problem("a\xc2\x85" "b"));       /* NEL, a C1 control */
	assert_non_null(cr_name_problem("a\xe2\x80\xa8" "b"));   /* LINE SEPARATOR */
	assert_non_null(cr_name_problem("a\xff"));
	assert_non_null(cr_name_problem("zw\xe2\x80\x8bsp"));     /* ZERO WIDTH SPACE */
	assert_non_null(cr_name_problem("abc\xe2\x80\xaegpj"));   /* RIGHT-TO-LEFT OVERRIDE */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fold_ignores_case),
		cmocka_unit_test(fold_keeps_distinct_names),
		cmocka_unit_test(fold_is_stable),
		cmocka_unit_test(trim_removes_unicode_space),
		cmocka_unit_test(problems_found),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
