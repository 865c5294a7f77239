/* SPDX-License-Identifier: MIT */
/*
 * The stored form of a connection, made from a validated request body:
 * a server-assigned UUID, the trimmed name and its comparison key, the
 * JSON document without the password and the client's dirty flag, and
 * the password sealed under the key file's key.
 */
#ifndef CR_CONNECTION_H
#define CR_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "fieldspec.h"
#include "secret.h"
#include "store.h"

#define CR_UUID_LEN 36

struct cr_new_connection {
	char id[CR_UUID_LEN + 1];
	char *name;
	char *name_key;
	char *document;
	unsigned char *secret;
	size_t secret_len;
};

/* Write a random (version 4) UUID into OUT. */
void cr_uuid_generate(char out[CR_UUID_LEN + 1]);

/*
 * Build OUT from BODY, which passed validation against SPEC. BODY is
 * changed: the password is cleared from it and removed. Return -1 when
 * out of memory or when the name cannot be folded.
 */
int cr_connection_build(const struct cr_spec *spec, struct json_object *body,
    const struct cr_secret_key *key, struct cr_new_connection *out);

/*
 * Build OUT from an update BODY, which passed validation against SPEC,
 * for the stored connection ID. When cr_connection_keeps_password is
 * true for BODY, OUT->secret stays NULL; otherwise the new password is
 * sealed with ID as its context. BODY is changed as by
 * cr_connection_build. Return -1 when out of memory.
 */
int cr_connection_build_existing(const struct cr_spec *spec, struct json_object *body,
    const struct cr_secret_key *key, const char *id, struct cr_new_connection *out);

/*
 * True when BODY's password means "keep the stored one": absent, null,
 * empty or made only of asterisks, as clients send a masked password.
 */
bool cr_connection_keeps_password(struct json_object *body);

/* Overwrite the password string inside BODY, if it has one. */
void cr_connection_wipe_password(struct json_object *body);

/* The row to hand to the store; its pointers borrow from CONN. */
struct cr_connection_row cr_connection_row(const struct cr_new_connection *conn);

void cr_new_connection_free(struct cr_new_connection *conn);

#endif
