/* SPDX-License-Identifier: MIT */
/*
 * Types of the field tables that tools/specgen.awk generates from the
 * parameter tables in spec/. A table lists the body members of one call
 * in spec order; each row points at the row of its enclosing object.
 */
#ifndef CR_FIELDSPEC_H
#define CR_FIELDSPEC_H

#include <stdbool.h>
#include <stddef.h>

enum cr_field_type {
	CR_TYPE_STRING,
	CR_TYPE_NULLABLE_STRING, /* "null" in a published table */
	CR_TYPE_BOOLEAN,
	CR_TYPE_INTEGER,
	CR_TYPE_NUMBER,
	CR_TYPE_OBJECT,
	CR_TYPE_ARRAY,
};

enum cr_field_location {
	CR_LOCATION_BODY,
	CR_LOCATION_HEADER,
};

#define CR_FIELD_ROOT (-1) /* parent of the body's top-level members */

struct cr_field {
	const char *name;     /* member or header name; "*" matches any other member */
	const char *pointer;  /* JSON Pointer from the body root; "" for headers */
	int parent;           /* index of the enclosing object's row, or CR_FIELD_ROOT */
	enum cr_field_location location;
	enum cr_field_type type;
	bool required;
};

struct cr_spec {
	const char *call;            /* the call's name, as in the URL */
	const struct cr_field *fields;
	size_t nfields;
	bool body_required;
};

#endif
