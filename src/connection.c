/* SPDX-License-Identifier: MIT */
/* Turning a validated body into the row the store keeps. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "connection.h"
#include "names.h"
#include "rules.h"

void
cr_uuid_generate(char out[CR_UUID_LEN + 1])
{
	unsigned char bytes[16];

	randombytes_buf(bytes, sizeof(bytes));
	bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40);  /* version 4 */
	bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80);  /* RFC 4122 variant */
	snprintf(out, CR_UUID_LEN + 1,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
	    bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
}

void
cr_connection_wipe_password(struct json_object *body)
{
	struct json_object *password;

	/* json-c hands out its own copy of the string; overwriting it keeps
	 * the password out of freed heap memory. */
	if (json_object_object_get_ex(body, "password", &password) &&
	    json_object_is_type(password, json_type_string))
		sodium_memzero((char *)json_object_get_string(password),
		    (size_t)json_object_get_string_len(password));
}

/* Seal the password and wipe it from the parsed body. */
static int
take_password(struct json_object *body, const struct cr_secret_key *key,
    struct cr_new_connection *out)
{
	struct json_object *password;
	const char *text;
	size_t len;

	if (!json_object_object_get_ex(body, "password", &password) ||
	    !json_object_is_type(password, json_type_string))
		return 0;
	text = json_object_get_string(password);
	len = (size_t)json_object_get_string_len(password);
	out->secret_len = cr_secret_sealed_size(len);
	out->secret = malloc(out->secret_len);
	if (out->secret == NULL)
		return -1;
	cr_secret_seal(key, out->id, text, len, out->secret);
	cr_connection_wipe_password(body);
	json_object_object_del(body, "password");
	return 0;
}

bool
cr_connection_keeps_password(struct json_object *body)
{
	struct json_object *password;
	const char *text;

	if (!json_object_object_get_ex(body, "password", &password) ||
	    !json_object_is_type(password, json_type_string))
		return true;
	text = json_object_get_string(password);
	while (*text == '*')
		text++;
	return *text == '\0';
}

/* Fill OUT, whose id is set, from BODY; KEEP_PASSWORD leaves OUT->secret NULL. */
static int
build_with_id(const struct cr_spec *spec, struct json_object *body,
    const struct cr_secret_key *key, bool keep_password, struct cr_new_connection *out)
{
	struct json_object *name, *id, *trimmed;
	const char *document;

	if (keep_password) {
		cr_connection_wipe_password(body);
		json_object_object_del(body, "password");
	} else if (take_password(body, key, out) != 0) {
		goto fail;
	}
	json_object_object_del(body, "changed");

	if (!json_object_object_get_ex(body, "name", &name))
		goto fail;
	out->name = cr_name_trim(json_object_get_string(name));
	if (out->name == NULL)
		goto fail;
	out->name_key = cr_name_fold(out->name);
	trimmed = json_object_new_string(out->name);
	id = json_object_new_string(out->id);
	if (out->name_key == NULL || trimmed == NULL || id == NULL) {
		json_object_put(trimmed);
		json_object_put(id);
		goto fail;
	}
	json_object_object_add(body, "name", trimmed);
	json_object_object_add(body, "id", id);
	if (cr_rules_normalize_numbers(spec, body) != 0)
		goto fail;

	document = json_object_to_json_string_ext(body,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (document == NULL || (out->document = strdup(document)) == NULL)
		goto fail;
	return 0;
fail:
	cr_new_connection_free(out);
	return -1;
}

int
cr_connection_build(const struct cr_spec *spec, struct json_object *body,
    const struct cr_secret_key *key, struct cr_new_connection *out)
{
	memset(out, 0, sizeof(*out));
	cr_uuid_generate(out->id);
	return build_with_id(spec, body, key, false, out);
}

int
cr_connection_build_existing(const struct cr_spec *spec, struct json_object *body,
    const struct cr_secret_key *key, const char *id, struct cr_new_connection *out)
{
	struct json_object *type;

	memset(out, 0, sizeof(*out));
	if (strlen(id) != CR_UUID_LEN)
		return -1;
	memcpy(out->id, id, CR_UUID_LEN + 1);

	/* get adds the access types from the types table; they are never
	 * stored, so a client can send back what it read. */
	if (json_object_object_get_ex(body, "databaseType", &type) &&
	    json_object_is_type(type, json_type_object))
		json_object_object_del(type, "supportedAccessTypes");
	return build_with_id(spec, body, key, cr_connection_keeps_password(body), out);
}

struct cr_connection_row
cr_connection_row(const struct cr_new_connection *conn)
{
	struct cr_connection_row row = {
		.id = conn->id,
		.name = conn->name,
		.name_key = conn->name_key,
		.document = conn->document,
		.secret = conn->secret,
		.secret_len = conn->secret_len,
		.owner = NULL,
	};

	return row;
}

void
cr_new_connection_free(struct cr_new_connection *conn)
{
	free(conn->name);
	free(conn->name_key);
	free(conn->document);
	free(conn->secret);
	memset(conn, 0, sizeof(*conn));
}
