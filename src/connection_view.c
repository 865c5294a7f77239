/* SPDX-License-Identifier: MIT */
/* Rendering a stored connection for get and list. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "authz.h"
#include "connection_view.h"
#include "dbtypes.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static struct json_object *
access_types_array(unsigned access)
{
	struct json_object *array = json_object_new_array();
	unsigned bit;

	for (bit = 1; array != NULL && bit <= CR_ACCESS_CUSTOM; bit <<= 1)
		if (access & bit)
			json_object_array_add(array, json_object_new_string(cr_access_type_name(bit)));
	return array;
}

/*
 * Add what the types table knows and the stored object lacks; stored
 * members keep their values, so a get returns what was added.
 */
static void
complete_database_type(struct json_object *document)
{
	const struct cr_dbtype *type;
	struct json_object *object, *short_name;
	char port[16];

	if (!json_object_object_get_ex(document, "databaseType", &object) ||
	    !json_object_is_type(object, json_type_object) ||
	    !json_object_object_get_ex(object, "shortName", &short_name) ||
	    (type = cr_dbtype_find(json_object_get_string(short_name))) == NULL)
		return;
	if (!json_object_object_get_ex(object, "name", NULL))
		json_object_object_add(object, "name", json_object_new_string(type->name));
	if (!json_object_object_get_ex(object, "defaultDatabasePort", NULL)) {
		snprintf(port, sizeof(port), "%d", type->default_port ? (int)type->default_port : -1);
		json_object_object_add(object, "defaultDatabasePort", json_object_new_string(port));
	}
	if (!json_object_object_get_ex(object, "supportedAccessTypes", NULL))
		json_object_object_add(object, "supportedAccessTypes",
		    access_types_array(type->access));
}

static struct json_object *
access_map(unsigned granted)
{
	struct json_object *array = json_object_new_array(), *item;
	char code[2];
	int i;

	for (i = 0; array != NULL && i < CR_PERMISSION_COUNT; i++) {
		code[0] = (char)('0' + i);
		code[1] = '\0';
		item = json_object_new_object();
		json_object_object_add(item, "name", json_object_new_string(code));
		json_object_object_add(item, "value", json_object_new_string(
		    (granted & CR_PERMISSION_BIT(i)) ? "true" : "false"));
		json_object_array_add(array, item);
	}
	return array;
}

int
cr_connection_render(struct cr_buf *out, const struct cr_connection_record *record,
    bool with_access_map, unsigned granted)
{
	struct json_object *document = json_tokener_parse(record->document);
	const char *text;

	if (!json_object_is_type(document, json_type_object)) {
		json_object_put(document);
		return -1;
	}
	json_object_object_add(document, "id", json_object_new_string(record->id));
	json_object_object_add(document, "name", json_object_new_string(record->name));
	json_object_object_add(document, "password", NULL);
	json_object_object_add(document, "changed", json_object_new_boolean(0));
	complete_database_type(document);
	if (with_access_map)
		json_object_object_add(document, "accessMap", access_map(granted));
	text = json_object_to_json_string_ext(document, JSON_FLAGS);
	if (text != NULL)
		cr_buf_puts(out, text);
	json_object_put(document);
	return text != NULL ? 0 : -1;
}

void
cr_connection_etag(const struct cr_connection_record *record, char *out, size_t size)
{
	snprintf(out, size, "\"%s.%" PRId64 "\"", record->id, record->version);
}
