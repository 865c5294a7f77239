/* SPDX-License-Identifier: MIT */
/*
 * Validation of a request body against a generated field table: every
 * required member present, every member of the expected JSON type, no
 * member the table does not name. The rules a table cannot express are
 * in rules.h; cr_validate_body runs both and reports every problem.
 */
#ifndef CR_VALIDATE_H
#define CR_VALIDATE_H

#include <json-c/json.h>

#include "fieldspec.h"
#include "problems.h"

/* Return the value of header NAME (as sent by the client), or NULL. */
typedef const char *(*cr_header_lookup)(void *context, const char *name);

/* Check the rows of SPEC that describe headers. */
void cr_validate_headers(const struct cr_spec *spec, cr_header_lookup lookup, void *context,
    struct cr_problems *problems);

/* Check BODY against the table and the rules of SPEC's call. */
void cr_validate_body(const struct cr_spec *spec, struct json_object *body,
    struct cr_problems *problems);

/* The JSON type name used in messages: "a string", "an object", ... */
const char *cr_json_type_phrase(enum json_type type);

#endif
