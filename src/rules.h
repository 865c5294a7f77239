/* SPDX-License-Identifier: MIT */
/*
 * Validation rules that a parameter table cannot express: ranges,
 * enumerations, copies of one value that must agree, and rules that
 * span fields. Each rule in rules.c carries the reason it exists.
 */
#ifndef CR_RULES_H
#define CR_RULES_H

#include <stdbool.h>

#include <json-c/json.h>

#include "fieldspec.h"
#include "problems.h"

/*
 * True when the member at POINTER is a number written as a string
 * (a port or a pool size) and therefore also accepts a JSON integer.
 */
bool cr_rules_accepts_integer(const char *pointer);

/*
 * Check BODY, already checked against the field table of CALL ("add",
 * "update"), and add a problem for each rule it breaks. Members whose
 * base type is wrong were reported by the table check and are skipped.
 */
void cr_rules_check(const char *call, struct json_object *body, struct cr_problems *problems);

/*
 * Rewrite every member that SPEC types as a string but that contains an
 * accepted JSON integer into its string form, as the upstream server's JSON binding stores it.
 * Return -1 when out of memory.
 */
int cr_rules_normalize_numbers(const struct cr_spec *spec, struct json_object *body);

#endif
