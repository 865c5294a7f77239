/* SPDX-License-Identifier: MIT */
/*
 * GET and PUT .../connection/acl?name= and PUT .../connection/aclBatch.
 *
 * An ACL reads {"owner":NAME,"ownerType":0,"entriesInheriting":BOOL,
 * "aces":[{"recipient":NAME,"recipientType":0|1|2,"permissions":[CODES],
 * "modifiable":true}]}, with recipient types 0 user, 1 role, 2 user type
 * and the permission codes of authz.h. Reading one needs Manage
 * permissions; changing one needs Full control, or an Administrator.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "handlers.h"
#include "jsonstrict.h"
#include "log.h"
#include "validate.h"

#define MAX_ACES 256

static void
append_acl_json(struct cr_buf *out, const struct cr_acl *acl)
{
	size_t i;
	int code;

	cr_buf_puts(out, "{\"owner\":");
	cr_buf_json_string(out, acl->owner, strlen(acl->owner));
	cr_buf_printf(out, ",\"ownerType\":0,\"entriesInheriting\":%s,\"aces\":[",
	    acl->entries_inheriting ? "true" : "false");
	for (i = 0; i < acl->naces; i++) {
		const struct cr_ace *ace = &acl->aces[i];
		const char *separator = "";

		cr_buf_puts(out, i ? ",{\"recipient\":" : "{\"recipient\":");
		cr_buf_json_string(out, ace->recipient, strlen(ace->recipient));
		cr_buf_printf(out, ",\"recipientType\":%d,\"permissions\":[", (int)ace->type);
		for (code = 0; code < CR_PERMISSION_COUNT; code++) {
			if (ace->permissions & CR_PERMISSION_BIT(code)) {
				cr_buf_printf(out, "%s%d", separator, code);
				separator = ",";
			}
		}
		cr_buf_puts(out, "],\"modifiable\":true}");
	}
	cr_buf_puts(out, "]}");
}

static bool
has_control_characters(const char *text)
{
	for (; *text != '\0'; text++)
		if ((unsigned char)*text < 0x20 || *text == 0x7f)
			return true;
	return false;
}

/* Set POINTER to PREFIX followed by the escaped member KEY, and return it. */
static const char *
child_pointer(struct cr_buf *pointer, const char *prefix, const char *key)
{
	cr_buf_reset(pointer);
	cr_buf_puts(pointer, prefix);
	cr_pointer_append(pointer, key, strlen(key));
	return cr_buf_str(pointer);
}

/* Parse one permission code: a JSON integer 0-4 or the same as a string. */
static bool
parse_code(struct json_object *value, int *code)
{
	const char *text;

	if (json_object_is_type(value, json_type_int)) {
		int64_t number = json_object_get_int64(value);

		if (number < 0 || number >= CR_PERMISSION_COUNT)
			return false;
		*code = (int)number;
		return true;
	}
	if (!json_object_is_type(value, json_type_string))
		return false;
	text = json_object_get_string(value);
	if (text[0] < '0' || text[0] > '4' || text[1] != '\0')
		return false;
	*code = text[0] - '0';
	return true;
}

static void
parse_ace(struct cr_app *app, struct json_object *item, const char *prefix,
    struct cr_ace *ace, bool check_users, struct cr_problems *problems)
{
	struct json_object *recipient = NULL, *type = NULL, *permissions = NULL;
	struct cr_buf pointer;
	char index[32];
	enum cr_user_type user_type;
	struct cr_user user;
	size_t i, n;
	int code;

	cr_buf_init(&pointer);
	if (!json_object_is_type(item, json_type_object)) {
		cr_problems_add(problems, prefix, "must be an object");
		goto out;
	}
	json_object_object_foreach(item, key, value) {
		if (strcmp(key, "recipient") == 0)
			recipient = value;
		else if (strcmp(key, "recipientType") == 0)
			type = value;
		else if (strcmp(key, "permissions") == 0)
			permissions = value;
		else if (strcmp(key, "modifiable") != 0 && strcmp(key, "tenantPath") != 0) {
			cr_problems_add(problems, child_pointer(&pointer, prefix, key), "is not a field of an access control entry");
		}
	}

	child_pointer(&pointer, prefix, "recipientType");
	if (!json_object_is_type(type, json_type_int) || json_object_get_int64(type) < 0 ||
	    json_object_get_int64(type) > 2)
		cr_problems_add(problems, cr_buf_str(&pointer), "must be 0 (user), 1 (role) or 2 (user type)");
	else
		ace->type = (enum cr_recipient_type)json_object_get_int64(type);

	child_pointer(&pointer, prefix, "recipient");
	if (!json_object_is_type(recipient, json_type_string) ||
	    json_object_get_string_len(recipient) == 0 ||
	    has_control_characters(json_object_get_string(recipient))) {
		cr_problems_add(problems, cr_buf_str(&pointer), "must be a non-empty name without control characters");
	} else {
		ace->recipient = strdup(json_object_get_string(recipient));
		if (ace->recipient == NULL)
			problems->out_of_memory = 1;
		else if (ace->type == CR_RECIPIENT_USER_TYPE &&
		    !cr_user_type_parse(ace->recipient, &user_type))
			cr_problems_add(problems, cr_buf_str(&pointer),
			    "must be SYS_Reader, SYS_Creator or Administrator for a user type entry");
		else if (ace->type == CR_RECIPIENT_USER && check_users) {
			if (cr_store_user_get(app->store, ace->recipient, &user) == CR_STORE_OK)
				cr_user_free(&user);
			else
				cr_problems_add(problems, cr_buf_str(&pointer), "is not a connreg user");
		}
	}

	child_pointer(&pointer, prefix, "permissions");
	if (!json_object_is_type(permissions, json_type_array)) {
		cr_problems_add(problems, cr_buf_str(&pointer), "must be an array of permission codes 0 to 4");
		goto out;
	}
	n = json_object_array_length(permissions);
	for (i = 0; i < n; i++) {
		if (!parse_code(json_object_array_get_idx(permissions, i), &code)) {
			snprintf(index, sizeof(index), "/%zu", i);
			child_pointer(&pointer, prefix, "permissions");
			cr_buf_puts(&pointer, index);
			cr_problems_add(problems, cr_buf_str(&pointer),
			    "must be a permission code: 0 Read, 1 Edit, 2 Delete, 3 Manage, 4 Full");
			continue;
		}
		ace->permissions |= CR_PERMISSION_BIT(code);
	}
out:
	cr_buf_free(&pointer);
}

/*
 * Parse an ACL at PREFIX in a body, with problems named by pointers
 * below PREFIX. CHECK_USERS looks the owner and user recipients up in
 * the store. It is false for a connection the caller may not change,
 * whose response must not depend on which users exist.
 */
static void
parse_acl(struct cr_app *app, struct json_object *body, const char *prefix, struct cr_acl *acl,
    bool check_users, struct cr_problems *problems)
{
	struct json_object *owner = NULL, *owner_type = NULL, *inheriting = NULL, *aces = NULL;
	bool has_owner_type = false, has_inheriting = false;
	struct cr_buf pointer;
	char index[32];
	struct cr_user user;
	size_t i, n;

	cr_buf_init(&pointer);
	memset(acl, 0, sizeof(*acl));
	if (!json_object_is_type(body, json_type_object)) {
		cr_problems_add(problems, prefix, "must be an ACL object");
		goto out;
	}
	json_object_object_foreach(body, key, value) {
		if (strcmp(key, "owner") == 0)
			owner = value;
		else if (strcmp(key, "ownerType") == 0) {
			has_owner_type = true;
			owner_type = value;
		} else if (strcmp(key, "entriesInheriting") == 0) {
			has_inheriting = true;
			inheriting = value;
		}
		else if (strcmp(key, "aces") == 0)
			aces = value;
		else if (strcmp(key, "tenantPath") != 0) {
			cr_problems_add(problems, child_pointer(&pointer, prefix, key), "is not a field of an ACL");
		}
	}

	child_pointer(&pointer, prefix, "owner");
	if (!json_object_is_type(owner, json_type_string)) {
		cr_problems_add(problems, cr_buf_str(&pointer), "must be the name of a connreg user");
	} else if (check_users &&
	    cr_store_user_get(app->store, json_object_get_string(owner), &user) != CR_STORE_OK) {
		cr_problems_add(problems, cr_buf_str(&pointer), "is not a connreg user");
	} else {
		if (check_users)
			cr_user_free(&user);
		acl->owner = strdup(json_object_get_string(owner));
		if (acl->owner == NULL)
			problems->out_of_memory = 1;
	}
	child_pointer(&pointer, prefix, "ownerType");
	if (has_owner_type && (!json_object_is_type(owner_type, json_type_int) ||
	    json_object_get_int64(owner_type) != 0))
		cr_problems_add(problems, cr_buf_str(&pointer), "must be 0: owners are users");
	child_pointer(&pointer, prefix, "entriesInheriting");
	if (has_inheriting && !json_object_is_type(inheriting, json_type_boolean))
		cr_problems_add(problems, cr_buf_str(&pointer), "must be true or false");
	else
		acl->entries_inheriting = inheriting != NULL && json_object_get_boolean(inheriting);

	child_pointer(&pointer, prefix, "aces");
	if (!json_object_is_type(aces, json_type_array)) {
		cr_problems_add(problems, cr_buf_str(&pointer), "must be an array of access control entries");
		goto out;
	}
	n = json_object_array_length(aces);
	if (n > MAX_ACES) {
		cr_problems_add(problems, cr_buf_str(&pointer), "must have at most %d entries", MAX_ACES);
		goto out;
	}
	acl->aces = calloc(n ? n : 1, sizeof(*acl->aces));
	if (acl->aces == NULL) {
		problems->out_of_memory = 1;
		goto out;
	}
	acl->naces = n;
	for (i = 0; i < n; i++) {
		snprintf(index, sizeof(index), "/%zu", i);
		child_pointer(&pointer, prefix, "aces");
		cr_buf_puts(&pointer, index);
		parse_ace(app, json_object_array_get_idx(aces, i), cr_buf_str(&pointer), &acl->aces[i],
		    check_users, problems);
	}
out:
	cr_buf_free(&pointer);
}

static void
reply_invalid(struct cr_response *resp, struct cr_problems *problems)
{
	if (problems->out_of_memory)
		cr_response_failure(resp, 503, "The server is out of memory; try again later.", NULL);
	else
		cr_response_failure(resp, 400, "The request is invalid.", problems);
}

void
cr_handle_acl_get(struct cr_app *app, struct cr_request *req, struct cr_response *resp)
{
	char *name = cr_name_parameter(req, resp), *name_key = NULL, *stored_name = NULL;
	struct cr_acl acl;

	if (name == NULL)
		return;
	memset(&acl, 0, sizeof(acl));
	if (cr_access_connection(app, req, resp, name, CR_PERMISSION_MANAGE, &acl, &name_key,
	    &stored_name) == CR_ACCESS_GRANTED) {
		resp->status = 200;
		cr_buf_reset(&resp->body);
		append_acl_json(&resp->body, &acl);
	}
	cr_acl_free(&acl);
	free(name);
	free(name_key);
	free(stored_name);
}

/* Parse REQ's body as JSON; NULL with a 400 in RESP when invalid. */
static struct json_object *
parse_body(struct cr_app *app, struct cr_request *req, struct cr_response *resp)
{
	struct cr_problems problems;
	struct json_object *body;

	cr_problems_init(&problems);
	body = cr_json_parse_strict(req->body, req->body_len, app->conf.max_json_depth, &problems);
	if (body == NULL)
		reply_invalid(resp, &problems);
	cr_problems_free(&problems);
	return body;
}

/*
 * Full control lets a user change the entries, but only the owner or an
 * Administrator may hand the connection to another owner, so that no
 * one else can take it away from its owner.
 */
static bool
may_set_owner(const struct cr_principal *principal, const struct cr_acl *current,
    const struct cr_acl *wanted)
{
	return strcmp(current->owner, wanted->owner) == 0 ||
	    strcmp(current->owner, principal->user.name) == 0 ||
	    principal->user.type == CR_USER_ADMINISTRATOR;
}

void
cr_handle_acl_put(struct cr_app *app, struct cr_request *req, struct cr_response *resp)
{
	char *name = cr_name_parameter(req, resp), *name_key = NULL, *stored_name = NULL;
	struct json_object *body = NULL;
	struct cr_problems problems;
	struct cr_acl current, wanted;
	enum cr_store_status status;

	memset(&current, 0, sizeof(current));
	memset(&wanted, 0, sizeof(wanted));
	cr_problems_init(&problems);
	if (name == NULL || (body = parse_body(app, req, resp)) == NULL)
		goto out;
	if (cr_access_connection(app, req, resp, name, CR_PERMISSION_FULL, &current, &name_key,
	    &stored_name) != CR_ACCESS_GRANTED)
		goto out;
	parse_acl(app, body, "", &wanted, true, &problems);
	if (cr_problems_total(&problems) > 0 || problems.out_of_memory) {
		reply_invalid(resp, &problems);
		goto out;
	}
	if (!may_set_owner(req->principal, &current, &wanted)) {
		cr_response_failure(resp, 403,
		    "Only the owner or an Administrator can give a connection another owner.", NULL);
		goto out;
	}
	status = cr_store_set_acl(app->store, name_key, &wanted, req->principal->user.name);
	if (status == CR_STORE_OK)
		cr_response_success(resp);
	else if (status == CR_STORE_NOT_FOUND)
		cr_response_failure(resp, 404, "No connection has that name.", NULL);
	else
		cr_reply_store_failure(app, req, resp, status);
out:
	json_object_put(body);
	cr_problems_free(&problems);
	cr_acl_free(&current);
	cr_acl_free(&wanted);
	free(name);
	free(name_key);
	free(stored_name);
}

/* One entry of a batch: the access decision, then the ACL to set. */
struct batch_entry {
	const char *name;               /* borrowed from the request body */
	enum cr_access_result access;
	struct cr_acl current;
	struct cr_acl wanted;
	char *name_key;
	char *stored_name;
};

/* Apply one ACL of a batch and return its status string. */
static const char *
apply_batch_entry(struct cr_app *app, struct cr_request *req, struct batch_entry *entry)
{
	enum cr_store_status status;

	switch (entry->access) {
	case CR_ACCESS_GRANTED:
		break;
	case CR_ACCESS_DENIED:
		return "401";
	case CR_ACCESS_NOT_FOUND:
		return "404";
	default:
		return "500";
	}
	if (!may_set_owner(req->principal, &entry->current, &entry->wanted))
		return "401";
	status = cr_store_set_acl(app->store, entry->name_key, &entry->wanted,
	    req->principal->user.name);
	if (status == CR_STORE_BUSY || status == CR_STORE_ERROR)
		cr_log(CR_LOG_ERROR, req->id, "ACL change failed: %s", cr_store_error(app->store));
	if (status == CR_STORE_OK)
		return "200";
	if (status == CR_STORE_NOT_FOUND)
		return "404";
	return "500";
}

static void
free_batch(struct batch_entry *entries, size_t n)
{
	size_t i;

	for (i = 0; entries != NULL && i < n; i++) {
		cr_acl_free(&entries[i].current);
		cr_acl_free(&entries[i].wanted);
		free(entries[i].name_key);
		free(entries[i].stored_name);
	}
	free(entries);
}

void
cr_handle_acl_batch(struct cr_app *app, struct cr_request *req, struct cr_response *resp)
{
	struct json_object *body = parse_body(app, req, resp);
	struct batch_entry *entries = NULL;
	struct cr_problems problems;
	struct cr_buf pointer;
	size_t n = 0, i = 0;

	cr_problems_init(&problems);
	cr_buf_init(&pointer);
	if (body == NULL)
		goto out;
	if (!json_object_is_type(body, json_type_object)) {
		cr_problems_add(&problems, "", "the body must map connection names to ACLs");
		reply_invalid(resp, &problems);
		goto out;
	}

	/* Every ACL is checked before any is applied. Users are looked up
	 * only for connections the caller may change, so the response does
	 * not tell a stranger which user names exist. */
	n = (size_t)json_object_object_length(body);
	entries = calloc(n ? n : 1, sizeof(*entries));
	if (entries == NULL) {
		cr_response_failure(resp, 503, "The server is out of memory; try again later.", NULL);
		goto out;
	}
	json_object_object_foreach(body, name, value) {
		struct batch_entry *entry = &entries[i++];

		entry->name = name;
		entry->access = cr_access_connection(app, req, NULL, name, CR_PERMISSION_FULL,
		    &entry->current, &entry->name_key, &entry->stored_name);
		cr_buf_reset(&pointer);
		cr_pointer_append(&pointer, name, strlen(name));
		parse_acl(app, value, cr_buf_str(&pointer), &entry->wanted,
		    entry->access == CR_ACCESS_GRANTED, &problems);
	}
	if (cr_problems_total(&problems) > 0 || problems.out_of_memory) {
		reply_invalid(resp, &problems);
		goto out;
	}

	resp->status = 200;
	cr_buf_reset(&resp->body);
	cr_buf_puts(&resp->body, "{");
	for (i = 0; i < n; i++) {
		cr_buf_puts(&resp->body, i ? "," : "");
		cr_buf_json_string(&resp->body, entries[i].name, strlen(entries[i].name));
		cr_buf_puts(&resp->body, ":\"");
		cr_buf_puts(&resp->body, apply_batch_entry(app, req, &entries[i]));
		cr_buf_puts(&resp->body, "\"");
	}
	cr_buf_puts(&resp->body, "}");
out:
	free_batch(entries, n);
	json_object_put(body);
	cr_problems_free(&problems);
	cr_buf_free(&pointer);
}
