/* SPDX-License-Identifier: MIT */
/* Table-driven presence and type checks. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "rules.h"
#include "validate.h"

static const char *
field_type_phrase(enum cr_field_type type)
{
	switch (type) {
	case CR_TYPE_STRING: return "a string";
	case CR_TYPE_NULLABLE_STRING: return "a string or null";
	case CR_TYPE_BOOLEAN: return "true or false";
	case CR_TYPE_INTEGER: return "an integer";
	case CR_TYPE_NUMBER: return "a number";
	case CR_TYPE_OBJECT: return "an object";
	case CR_TYPE_ARRAY: return "an array";
	}
	return "a value";
}

const char *
cr_json_type_phrase(enum json_type type)
{
	switch (type) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a number with a fraction or exponent";
	case json_type_int: return "an integer";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "a value";
}

static bool
type_matches(enum cr_field_type expected, struct json_object *value, const char *pointer)
{
	enum json_type actual = json_object_get_type(value);

	switch (expected) {
	case CR_TYPE_STRING:
		return actual == json_type_string ||
		    (actual == json_type_int && cr_rules_accepts_integer(pointer));
	case CR_TYPE_NULLABLE_STRING:
		return actual == json_type_string || actual == json_type_null;
	case CR_TYPE_BOOLEAN:
		return actual == json_type_boolean;
	case CR_TYPE_INTEGER:
		return actual == json_type_int;
	case CR_TYPE_NUMBER:
		return actual == json_type_int || actual == json_type_double;
	case CR_TYPE_OBJECT:
		return actual == json_type_object;
	case CR_TYPE_ARRAY:
		return actual == json_type_array;
	}
	return false;
}

static int
find_child(const struct cr_spec *spec, int parent, const char *name)
{
	size_t i;

	for (i = 0; i < spec->nfields; i++) {
		const struct cr_field *field = &spec->fields[i];

		if (field->parent == parent && field->name[0] == name[0] &&
		    field->location == CR_LOCATION_BODY && strcmp(field->name, name) == 0)
			return (int)i;
	}
	return -1;
}

static void validate_object(const struct cr_spec *spec, int parent, struct json_object *object,
    struct cr_buf *pointer, struct cr_problems *problems);

static void
validate_member(const struct cr_spec *spec, int row, struct json_object *value,
    struct cr_buf *pointer, struct cr_problems *problems)
{
	const struct cr_field *field = &spec->fields[row];

	if (!type_matches(field->type, value, cr_buf_str(pointer))) {
		cr_problems_add(problems, cr_buf_str(pointer), "must be %s, not %s",
		    field_type_phrase(field->type), cr_json_type_phrase(json_object_get_type(value)));
		return;
	}
	if (field->type == CR_TYPE_OBJECT)
		validate_object(spec, row, value, pointer, problems);
}

static void
validate_object(const struct cr_spec *spec, int parent, struct json_object *object,
    struct cr_buf *pointer, struct cr_problems *problems)
{
	size_t saved = pointer->len, i;
	int wildcard = find_child(spec, parent, "*");

	/* Required members first, in table order, so messages follow the spec. */
	for (i = 0; i < spec->nfields; i++) {
		const struct cr_field *field = &spec->fields[i];

		if (field->location != CR_LOCATION_BODY || field->parent != parent ||
		    strcmp(field->name, "*") == 0)
			continue;
		if (field->required && !json_object_object_get_ex(object, field->name, NULL))
			cr_problems_add(problems, field->pointer, "is required");
	}

	/* Then every member that was sent, in body order. */
	json_object_object_foreach(object, key, value) {
		int row = find_child(spec, parent, key);

		cr_pointer_append(pointer, key, strlen(key));
		if (row < 0 && wildcard < 0)
			cr_problems_add(problems, cr_buf_str(pointer),
			    "is not a field of a connection");
		else
			validate_member(spec, row >= 0 ? row : wildcard, value, pointer, problems);
		pointer->len = saved;
		pointer->data[saved] = '\0';
	}
}

void
cr_validate_headers(const struct cr_spec *spec, cr_header_lookup lookup, void *context,
    struct cr_problems *problems)
{
	size_t i;

	for (i = 0; i < spec->nfields; i++) {
		const struct cr_field *field = &spec->fields[i];

		if (field->location == CR_LOCATION_HEADER && field->required &&
		    lookup(context, field->name) == NULL)
			cr_problems_add(problems, "", "header %s is required", field->name);
	}
}

void
cr_validate_body(const struct cr_spec *spec, struct json_object *body,
    struct cr_problems *problems)
{
	struct cr_buf pointer;

	if (!json_object_is_type(body, json_type_object)) {
		cr_problems_add(problems, "", "the body must be a JSON object, not %s",
		    cr_json_type_phrase(json_object_get_type(body)));
		return;
	}
	cr_buf_init(&pointer);
	cr_buf_append(&pointer, "", 0);
	validate_object(spec, CR_FIELD_ROOT, body, &pointer, problems);
	if (pointer.failed)
		problems->out_of_memory = 1;
	cr_buf_free(&pointer);

	cr_rules_check(spec->call, body, problems);
}
