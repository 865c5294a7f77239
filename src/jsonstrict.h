/* SPDX-License-Identifier: MIT */
/*
 * Strict RFC 8259 JSON input. json-c 0.16's tokener accepts more than
 * the RFC even with JSON_TOKENER_STRICT (single-quoted keys, NaN,
 * Infinity, "1.", numbers that overflow, lone surrogates, raw tabs in
 * strings, a NUL that ends the text early). It also keeps the last of
 * duplicate keys without an error. So connreg reads the body with its own
 * parser, which follows the RFC grammar exactly, and builds the result
 * as json-c objects for the rest of the program.
 */
#ifndef CR_JSONSTRICT_H
#define CR_JSONSTRICT_H

#include <stddef.h>

#include <json-c/json.h>

#include "problems.h"

/*
 * Parse BODY of LEN bytes. Return the parsed value, owned by the caller
 * (release with json_object_put), or NULL after adding one problem that
 * names where the text stops being valid JSON, or that it is null.
 * Nesting deeper than MAX_DEPTH arrays and objects is rejected.
 */
struct json_object *cr_json_parse_strict(const char *body, size_t len, unsigned max_depth,
    struct cr_problems *problems);

#endif
