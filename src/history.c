/* SPDX-License-Identifier: MIT */
/* Descriptions of changes for the history table, built from JSON documents and ACLs. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "authz.h"
#include "buf.h"
#include "history.h"
#include "problems.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Parse DOCUMENT as an object; NULL DOCUMENT gives an empty object. */
static struct json_object *
parse_document(const char *document)
{
	struct json_object *parsed;

	if (document == NULL)
		return json_object_new_object();
	parsed = json_tokener_parse(document);
	if (!json_object_is_type(parsed, json_type_object)) {
		json_object_put(parsed);
		return NULL;
	}
	return parsed;
}

static void
append_value(struct cr_buf *out, struct json_object *value)
{
	cr_buf_puts(out, value != NULL ? json_object_to_json_string_ext(value, JSON_FLAGS) : "null");
}

static void
append_entry(struct cr_buf *out, bool *first, const char *key, struct json_object *old_value,
    struct json_object *new_value)
{
	struct cr_buf pointer;

	cr_buf_init(&pointer);
	cr_pointer_append(&pointer, key, strlen(key));
	cr_buf_puts(out, *first ? "{\"field\":" : ",{\"field\":");
	*first = false;
	cr_buf_json_string(out, cr_buf_str(&pointer), pointer.len);
	cr_buf_puts(out, ",\"old\":");
	append_value(out, old_value);
	cr_buf_puts(out, ",\"new\":");
	append_value(out, new_value);
	cr_buf_puts(out, "}");
	out->failed |= pointer.failed;
	cr_buf_free(&pointer);
}

static bool
values_equal(struct json_object *a, struct json_object *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(json_object_to_json_string_ext(a, JSON_FLAGS),
	    json_object_to_json_string_ext(b, JSON_FLAGS)) == 0;
}

/* The password never reaches a stored document, but skip it anyway. */
static bool
is_recorded(const char *key)
{
	return strcmp(key, "password") != 0;
}

/*
 * Record a whole document as one entry with field "" (the document's
 * JSON Pointer), for an add or a delete. The document is already JSON
 * text without the password, so it is copied, not parsed again: parsing
 * it doubled the work of an add.
 */
static char *
whole_document(const char *old_document, const char *new_document, bool password_changed)
{
	struct cr_buf out;

	cr_buf_init(&out);
	cr_buf_puts(&out, "[{\"field\":\"\",\"old\":");
	cr_buf_puts(&out, old_document != NULL ? old_document : "null");
	cr_buf_puts(&out, ",\"new\":");
	cr_buf_puts(&out, new_document != NULL ? new_document : "null");
	cr_buf_puts(&out, password_changed ? "},{\"field\":\"/password\",\"changed\":true}]" : "}]");
	if (out.failed) {
		cr_buf_free(&out);
		return NULL;
	}
	return out.data;
}

char *
cr_history_diff(const char *old_document, const char *new_document, bool password_changed)
{
	struct json_object *old_root, *new_root, *other;
	struct cr_buf out;
	bool first = true;

	if (old_document == NULL || new_document == NULL)
		return whole_document(old_document, new_document, password_changed);
	old_root = parse_document(old_document);
	new_root = parse_document(new_document);
	cr_buf_init(&out);
	if (old_root == NULL || new_root == NULL) {
		out.failed = true;
		goto out;
	}
	cr_buf_puts(&out, "[");
	json_object_object_foreach(old_root, old_key, old_value) {
		if (!json_object_object_get_ex(new_root, old_key, &other))
			other = NULL;
		if (is_recorded(old_key) && !values_equal(old_value, other))
			append_entry(&out, &first, old_key, old_value, other);
	}
	json_object_object_foreach(new_root, new_key, new_value) {
		if (is_recorded(new_key) && !json_object_object_get_ex(old_root, new_key, &other))
			append_entry(&out, &first, new_key, NULL, new_value);
	}
	if (password_changed)
		cr_buf_puts(&out, first ? "{\"field\":\"/password\",\"changed\":true}" :
		    ",{\"field\":\"/password\",\"changed\":true}");
	cr_buf_puts(&out, "]");
out:
	json_object_put(old_root);
	json_object_put(new_root);
	if (out.failed) {
		cr_buf_free(&out);
		return NULL;
	}
	return out.data;
}

static void
append_acl(struct cr_buf *out, const struct cr_acl *acl)
{
	const char *separator;
	size_t i;
	int code;

	if (acl == NULL) {
		cr_buf_puts(out, "null");
		return;
	}
	cr_buf_puts(out, "{\"owner\":");
	if (acl->owner != NULL)
		cr_buf_json_string(out, acl->owner, strlen(acl->owner));
	else
		cr_buf_puts(out, "null");
	cr_buf_printf(out, ",\"entriesInheriting\":%s,\"aces\":[",
	    acl->entries_inheriting ? "true" : "false");
	for (i = 0; i < acl->naces; i++) {
		cr_buf_puts(out, i > 0 ? ",{\"recipient\":" : "{\"recipient\":");
		cr_buf_json_string(out, acl->aces[i].recipient, strlen(acl->aces[i].recipient));
		cr_buf_printf(out, ",\"recipientType\":%d,\"permissions\":[", (int)acl->aces[i].type);
		separator = "";
		for (code = 0; code < CR_PERMISSION_COUNT; code++) {
			if (acl->aces[i].permissions & CR_PERMISSION_BIT(code)) {
				cr_buf_printf(out, "%s%d", separator, code);
				separator = ",";
			}
		}
		cr_buf_puts(out, "]}");
	}
	cr_buf_puts(out, "]}");
}

char *
cr_history_acl_change(const struct cr_acl *old_acl, const struct cr_acl *new_acl)
{
	struct cr_buf out;

	cr_buf_init(&out);
	cr_buf_puts(&out, "[{\"field\":\"acl\",\"old\":");
	append_acl(&out, old_acl);
	cr_buf_puts(&out, ",\"new\":");
	append_acl(&out, new_acl);
	cr_buf_puts(&out, "}]");
	if (out.failed) {
		cr_buf_free(&out);
		return NULL;
	}
	return out.data;
}
