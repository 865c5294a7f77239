/* SPDX-License-Identifier: MIT */
/*
 * The store's connection calls beyond add: get by name and id, list
 * with every ACL joined, update with version checks, renames and kept
 * passwords, delete with its ACL, and the change history each writes.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "connection.h"
#include "history.h"
#include "names.h"
#include "store.h"

struct fixture {
	char dir[64];
	char db_path[128];
	struct cr_store *store;
};

static int
setup(void **state)
{
	struct cr_store_options options;
	struct fixture *f = calloc(1, sizeof(*f));
	char err[512];

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/connreg-connections-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->db_path, sizeof(f->db_path), "%s/test.db", f->dir);
	options.path = f->db_path;
	options.busy_timeout_ms = 10000;
	if (cr_store_open(&options, &f->store, err, sizeof(err)) != CR_STORE_OK) {
		print_error("%s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char command[256];

	cr_store_close(f->store);
	snprintf(command, sizeof(command), "rm -rf '%s'", f->dir);
	if (system(command) != 0)
		print_error("cannot remove %s\n", f->dir);
	free(f);
	return 0;
}

/* Add NAME owned by OWNER with DOCUMENT and a fake sealed SECRET; write its id to ID. */
static void
add(struct cr_store *store, const char *name, const char *owner, const char *document,
    const char *secret, char id[CR_UUID_LEN + 1])
{
	struct cr_connection_row row;
	char *key = cr_name_fold(name);

	assert_non_null(key);
	cr_uuid_generate(id);
	row.id = id;
	row.name = name;
	row.name_key = key;
	row.document = document;
	row.secret = (const unsigned char *)secret;
	row.secret_len = secret != NULL ? strlen(secret) : 0;
	row.owner = owner;
	assert_int_equal(cr_store_add_connection(store, &row, NULL), CR_STORE_OK);
	free(key);
}

static void
get_by_name_and_id(void **state)
{
	struct fixture *f = *state;
	struct cr_connection_record record;
	char id[CR_UUID_LEN + 1];

	add(f->store, "Ärger", "carol", "{\"hostname\":\"h\"}", "sealed-1", id);
	assert_int_equal(cr_store_get_connection(f->store, "ärger", &record), CR_STORE_OK);
	assert_string_equal(record.id, id);
	assert_string_equal(record.name, "Ärger");
	assert_string_equal(record.document, "{\"hostname\":\"h\"}");
	assert_int_equal(record.version, 1);
	assert_int_equal(record.secret_len, 8);
	assert_memory_equal(record.secret, "sealed-1", 8);
	assert_string_equal(record.acl.owner, "carol");
	assert_int_equal(record.acl.naces, 1);
	cr_connection_record_free(&record);

	assert_int_equal(cr_store_get_connection_by_id(f->store, id, &record), CR_STORE_OK);
	assert_string_equal(record.name, "Ärger");
	cr_connection_record_free(&record);
	assert_int_equal(cr_store_get_connection(f->store, "nothing", &record), CR_STORE_NOT_FOUND);
	assert_int_equal(cr_store_get_connection_by_id(f->store, "nothing", &record),
	    CR_STORE_NOT_FOUND);
}

static void
list_joins_acls_in_name_order(void **state)
{
	struct fixture *f = *state;
	struct cr_ace aces[2] = {
		{ CR_RECIPIENT_USER, "carol", 1u << 4 },
		{ CR_RECIPIENT_ROLE, "analysts", 1u },
	};
	struct cr_acl acl = { "carol", false, aces, 2 };
	struct cr_connection_record *records;
	char id[CR_UUID_LEN + 1];
	size_t count;

	add(f->store, "zeta", "carol", "{}", NULL, id);
	add(f->store, "Alpha", "olga", "{}", NULL, id);
	add(f->store, "beta", "", "{}", NULL, id);
	assert_int_equal(cr_store_set_acl(f->store, "zeta", &acl, "carol"), CR_STORE_OK);

	assert_int_equal(cr_store_list_connections(f->store, &records, &count), CR_STORE_OK);
	assert_int_equal(count, 3);
	assert_string_equal(records[0].name, "Alpha");
	assert_string_equal(records[1].name, "beta");
	assert_string_equal(records[2].name, "zeta");
	assert_int_equal(records[0].acl.naces, 1);
	assert_string_equal(records[0].acl.aces[0].recipient, "olga");
	assert_int_equal(records[1].acl.naces, 0);
	assert_int_equal(records[2].acl.naces, 2);
	assert_string_equal(records[2].acl.aces[1].recipient, "analysts");
	assert_int_equal(records[2].acl.aces[1].type, CR_RECIPIENT_ROLE);
	cr_connection_records_free(records, count);
}

static void
list_of_empty_store(void **state)
{
	struct fixture *f = *state;
	struct cr_connection_record *records;
	size_t count;

	assert_int_equal(cr_store_list_connections(f->store, &records, &count), CR_STORE_OK);
	assert_int_equal(count, 0);
	cr_connection_records_free(records, count);
}

/* Fill CHANGE for connection ID with NAME and DOCUMENT, keeping the password. */
static struct cr_connection_change
change_of(const char *id, const char *name, char *key, const char *document)
{
	struct cr_connection_change change = {
		.id = id,
		.name = name,
		.name_key = key,
		.document = document,
		.secret = NULL,
		.secret_len = 0,
		.expected_version = 0,
		.actor = "carol",
	};

	return change;
}

static void
update_keeps_or_replaces_secret(void **state)
{
	struct fixture *f = *state;
	struct cr_connection_record record;
	struct cr_connection_change change;
	char id[CR_UUID_LEN + 1];

	add(f->store, "pg", "carol", "{\"hostname\":\"a\"}", "sealed-1", id);
	change = change_of(id, "pg", "pg", "{\"hostname\":\"b\"}");
	assert_int_equal(cr_store_update_connection(f->store, &change, NULL), CR_STORE_OK);
	assert_int_equal(cr_store_get_connection(f->store, "pg", &record), CR_STORE_OK);
	assert_string_equal(record.document, "{\"hostname\":\"b\"}");
	assert_memory_equal(record.secret, "sealed-1", 8);
	assert_int_equal(record.version, 2);
	cr_connection_record_free(&record);

	change.secret = (const unsigned char *)"sealed-2!";
	change.secret_len = 9;
	assert_int_equal(cr_store_update_connection(f->store, &change, NULL), CR_STORE_OK);
	assert_int_equal(cr_store_get_connection(f->store, "pg", &record), CR_STORE_OK);
	assert_int_equal(record.secret_len, 9);
	assert_memory_equal(record.secret, "sealed-2!", 9);
	assert_int_equal(record.version, 3);
	cr_connection_record_free(&record);
}

static void
update_checks_version(void **state)
{
	struct fixture *f = *state;
	struct cr_connection_change change;
	char id[CR_UUID_LEN + 1];

	add(f->store, "pg", "carol", "{}", NULL, id);
	change = change_of(id, "pg", "pg", "{\"x\":1}");
	change.expected_version = 2;
	assert_int_equal(cr_store_update_connection(f->store, &change, NULL), CR_STORE_CONFLICT);
	change.expected_version = 1;
	assert_int_equal(cr_store_update_connection(f->store, &change, NULL), CR_STORE_OK);
	assert_int_equal(cr_store_update_connection(f->store, &change, NULL), CR_STORE_CONFLICT);

	/* The same content again, members reordered, is no change: the
	 * version stays 2, so the ETag of version 2 still matches. */
	change = change_of(id, "pg", "pg", "{\"x\":1}");
	change.expected_version = 2;
	assert_int_equal(cr_store_update_connection(f->store, &change, NULL), CR_STORE_OK);
	assert_int_equal(cr_store_update_connection(f->store, &change, NULL), CR_STORE_OK);
}

static void
update_rename_and_clash(void **state)
{
	struct fixture *f = *state;
	struct cr_connection_record record;
	struct cr_connection_change change;
	char id[CR_UUID_LEN + 1], other[CR_UUID_LEN + 1];
	char *clash = NULL;

	add(f->store, "first", "carol", "{}", NULL, id);
	add(f->store, "Second", "carol", "{}", NULL, other);
	change = change_of(id, "SECOND", "second", "{}");
	assert_int_equal(cr_store_update_connection(f->store, &change, &clash), CR_STORE_DUPLICATE);
	assert_string_equal(clash, "Second");
	free(clash);

	change = change_of(id, "renamed", "renamed", "{}");
	assert_int_equal(cr_store_update_connection(f->store, &change, NULL), CR_STORE_OK);
	assert_int_equal(cr_store_get_connection(f->store, "first", &record), CR_STORE_NOT_FOUND);
	assert_int_equal(cr_store_get_connection(f->store, "renamed", &record), CR_STORE_OK);
	assert_string_equal(record.id, id);
	cr_connection_record_free(&record);

	change = change_of("00000000-0000-4000-8000-000000000000", "x", "x", "{}");
	assert_int_equal(cr_store_update_connection(f->store, &change, NULL), CR_STORE_NOT_FOUND);
}

static void
delete_removes_acl(void **state)
{
	struct fixture *f = *state;
	struct cr_connection_record *records;
	struct cr_acl acl;
	char id[CR_UUID_LEN + 1];
	size_t count;

	add(f->store, "gone", "carol", "{}", NULL, id);
	add(f->store, "kept", "carol", "{}", NULL, id);
	assert_int_equal(cr_store_delete_connection(f->store, "gone", "boss"), CR_STORE_OK);
	assert_int_equal(cr_store_delete_connection(f->store, "gone", "boss"), CR_STORE_NOT_FOUND);
	assert_int_equal(cr_store_get_acl(f->store, "gone", NULL, &acl), CR_STORE_NOT_FOUND);
	assert_int_equal(cr_store_list_connections(f->store, &records, &count), CR_STORE_OK);
	assert_int_equal(count, 1);
	assert_string_equal(records[0].name, "kept");
	assert_int_equal(records[0].acl.naces, 1);
	cr_connection_records_free(records, count);
}

static void
history_records_each_change(void **state)
{
	struct fixture *f = *state;
	struct cr_ace ace = { CR_RECIPIENT_USER, "rick", 1u };
	struct cr_acl acl = { "carol", false, &ace, 1 };
	struct cr_connection_change change;
	struct cr_history_entry *entries;
	char id[CR_UUID_LEN + 1];
	size_t count;

	add(f->store, "pg", "carol", "{\"hostname\":\"a\",\"port\":\"1\"}", "sealed", id);
	change = change_of(id, "pg2", "pg2", "{\"hostname\":\"b\",\"port\":\"1\"}");
	change.secret = (const unsigned char *)"sealed-new";
	change.secret_len = 10;
	assert_int_equal(cr_store_update_connection(f->store, &change, NULL), CR_STORE_OK);
	assert_int_equal(cr_store_set_acl(f->store, "pg2", &acl, "boss"), CR_STORE_OK);
	assert_int_equal(cr_store_delete_connection(f->store, "pg2", "boss"), CR_STORE_OK);

	/* The old name finds every entry of the connection, renamed or not. */
	assert_int_equal(cr_store_history_list(f->store, "pg", &entries, &count), CR_STORE_OK);
	assert_int_equal(count, 4);
	assert_string_equal(entries[0].action, "add");
	assert_string_equal(entries[0].actor, "carol");
	assert_string_equal(entries[0].connection_id, id);
	assert_non_null(strstr(entries[0].changes, "{\"field\":\"/password\",\"changed\":true}"));
	assert_string_equal(entries[1].action, "update");
	assert_string_equal(entries[1].connection_name, "pg2");
	assert_string_equal(entries[1].changes,
	    "[{\"field\":\"/hostname\",\"old\":\"a\",\"new\":\"b\"},"
	    "{\"field\":\"/password\",\"changed\":true}]");
	assert_string_equal(entries[2].action, "acl");
	assert_string_equal(entries[2].actor, "boss");
	assert_non_null(strstr(entries[2].changes, "\"recipient\":\"rick\""));
	assert_string_equal(entries[3].action, "delete");
	assert_null(strstr(entries[0].changes, "sealed"));
	assert_null(strstr(entries[1].changes, "sealed"));
	cr_history_list_free(entries, count);

	assert_int_equal(cr_store_history_list(f->store, NULL, &entries, &count), CR_STORE_OK);
	assert_int_equal(count, 4);
	cr_history_list_free(entries, count);
	assert_int_equal(cr_store_history_list(f->store, "other", &entries, &count), CR_STORE_OK);
	assert_int_equal(count, 0);
	cr_history_list_free(entries, count);
}

static void
history_diff_cases(void **state)
{
	char *diff;

	(void)state;
	diff = cr_history_diff("{\"a\":1,\"b\":{\"c\":2},\"d/e\":3}", "{\"a\":1,\"b\":{\"c\":3},\"f\":null}",
	    false);
	assert_non_null(diff);
	assert_string_equal(diff, "[{\"field\":\"/b\",\"old\":{\"c\":2},\"new\":{\"c\":3}},"
	    "{\"field\":\"/d~1e\",\"old\":3,\"new\":null},"
	    "{\"field\":\"/f\",\"old\":null,\"new\":null}]");
	free(diff);
	diff = cr_history_diff("{\"a\":1}", "{\"a\":1}", false);
	assert_string_equal(diff, "[]");
	free(diff);
	diff = cr_history_diff("{\"password\":\"x\"}", "{}", true);
	assert_string_equal(diff, "[{\"field\":\"/password\",\"changed\":true}]");
	free(diff);
	assert_null(cr_history_diff("[1]", "{}", false));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(get_by_name_and_id, setup, teardown),
		cmocka_unit_test_setup_teardown(list_joins_acls_in_name_order, setup, teardown),
		cmocka_unit_test_setup_teardown(list_of_empty_store, setup, teardown),
		cmocka_unit_test_setup_teardown(update_keeps_or_replaces_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(update_checks_version, setup, teardown),
		cmocka_unit_test_setup_teardown(update_rename_and_clash, setup, teardown),
		cmocka_unit_test_setup_teardown(delete_removes_acl, setup, teardown),
		cmocka_unit_test_setup_teardown(history_records_each_change, setup, teardown),
		cmocka_unit_test(history_diff_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
