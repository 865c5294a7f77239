/* SPDX-License-Identifier: MIT */
/* The generator's output for tests/fixtures/mini.md, row by row. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spec_mini.h"

static void
spec_metadata(void **state)
{
	(void)state;
	assert_string_equal(cr_spec_mini.call, "mini");
	assert_int_equal(cr_spec_mini.nfields, CR_MINI__MAX);
	assert_int_equal(CR_MINI__MAX, 10);
	assert_true(cr_spec_mini.body_required);
}

static void
header_row(void **state)
{
	const struct cr_field *field = &cr_spec_mini.fields[CR_MINI_HEADER_X_TRACE];

	(void)state;
	assert_string_equal(field->name, "X-Trace");
	assert_int_equal(field->location, CR_LOCATION_HEADER);
	assert_true(field->required);
	assert_string_equal(field->pointer, "");
}

static void
top_level_rows(void **state)
{
	const struct cr_field *id = &cr_spec_mini.fields[CR_MINI_ID];
	const struct cr_field *label = &cr_spec_mini.fields[CR_MINI_LABEL];
	const struct cr_field *port = &cr_spec_mini.fields[CR_MINI_PORT];

	(void)state;
	assert_string_equal(id->pointer, "/id");
	assert_int_equal(id->type, CR_TYPE_NULLABLE_STRING);
	assert_int_equal(id->parent, CR_FIELD_ROOT);
	assert_true(id->required);
	assert_int_equal(label->type, CR_TYPE_STRING);
	assert_false(label->required);
	assert_int_equal(port->type, CR_TYPE_INTEGER);
	assert_int_equal(cr_spec_mini.fields[CR_MINI_RATIO].type, CR_TYPE_NUMBER);
	assert_int_equal(cr_spec_mini.fields[CR_MINI_TAGS].type, CR_TYPE_ARRAY);
}

static void
nested_rows(void **state)
{
	const struct cr_field *enabled = &cr_spec_mini.fields[CR_MINI_OPTIONS_ENABLED];
	const struct cr_field *any = &cr_spec_mini.fields[CR_MINI_OPTIONS_ANY];

	(void)state;
	assert_int_equal(cr_spec_mini.fields[CR_MINI_OPTIONS].type, CR_TYPE_OBJECT);
	assert_int_equal(enabled->parent, CR_MINI_OPTIONS);
	assert_string_equal(enabled->pointer, "/options/enabled");
	assert_int_equal(enabled->type, CR_TYPE_BOOLEAN);
	assert_int_equal(any->parent, CR_MINI_OPTIONS);
	assert_string_equal(any->name, "*");
	assert_false(any->required);
	/* A row after a nested block is top level again. */
	assert_int_equal(cr_spec_mini.fields[CR_MINI_RATIO].parent, CR_FIELD_ROOT);
}

static void
pointer_escaping(void **state)
{
	const struct cr_field *field = &cr_spec_mini.fields[CR_MINI_A_B_C];

	(void)state;
	assert_string_equal(field->name, "a/b~c");
	assert_string_equal(field->pointer, "/a~1b~0c");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spec_metadata),
		cmocka_unit_test(header_row),
		cmocka_unit_test(top_level_rows),
		cmocka_unit_test(nested_rows),
		cmocka_unit_test(pointer_escaping),
	};

	return cmocka_run_group_tests_name("specgen", tests, NULL, NULL);
}
