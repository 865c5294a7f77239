/* SPDX-License-Identifier: MIT */
/*
 * The SQLite store and the stored form of a connection: schema creation,
 * unique names across Unicode case, concurrent writers in separate
 * processes, and passwords that never reach the file in plaintext.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "connection.h"
#include "jsonstrict.h"
#include "names.h"
#include "secret.h"
#include "spec_add.h"
#include "store.h"

#define SECRET_PASSWORD "Zebra-Quartz-7781"

struct fixture {
	char dir[64];
	char db_path[128];
	char key_path[128];
	struct cr_store *store;
	struct cr_secret_key key;
};

static int
setup(void **state)
{
	struct cr_store_options options;
	struct fixture *f = calloc(1, sizeof(*f));
	char err[512];

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/connreg-store-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->db_path, sizeof(f->db_path), "%s/test.db", f->dir);
	snprintf(f->key_path, sizeof(f->key_path), "%s/test.key", f->dir);
	if (cr_secret_key_load(f->key_path, true, &f->key, err, sizeof(err)) != 0)
		return -1;
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

static enum cr_store_status
add_named(struct cr_store *store, const char *name, char **clash)
{
	char id[CR_UUID_LEN + 1];
	char *key = cr_name_fold(name);
	struct cr_connection_row row = { .id = id, .name = name, .name_key = key, .document = "{}" };
	enum cr_store_status status;

	assert_non_null(key);
	cr_uuid_generate(id);
	status = cr_store_add_connection(store, &row, clash);
	free(key);
	return status;
}

static long
query_number(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	long value = -1;

	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return value;
}

static void
schema_is_versioned(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(query_number(f->db_path, "PRAGMA user_version"), cr_store_schema_version());
	assert_int_equal(query_number(f->db_path, "SELECT count(*) FROM connections"), 0);
	assert_int_equal(query_number(f->db_path,
	    "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
}

static void
reopen_keeps_rows(void **state)
{
	struct fixture *f = *state;
	struct cr_store_options options = { f->db_path, 1000 };
	struct cr_store *again;
	char err[512];

	assert_int_equal(add_named(f->store, "kept", NULL), CR_STORE_OK);
	assert_int_equal(cr_store_open(&options, &again, err, sizeof(err)), CR_STORE_OK);
	assert_int_equal(add_named(again, "KEPT", NULL), CR_STORE_DUPLICATE);
	cr_store_close(again);
}

static void
newer_schema_is_refused(void **state)
{
	struct fixture *f = *state;
	struct cr_store_options options = { f->db_path, 1000 };
	struct cr_store *again;
	char err[512];
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(cr_store_open(&options, &again, err, sizeof(err)), CR_STORE_ERROR);
	assert_null(again);
	assert_non_null(strstr(err, "newer than this program"));
}

static void
names_clash_across_unicode_case(void **state)
{
	static const char *const pairs[][2] = {
		{ "\xc3\x84rger", "\xc3\xa4rger" },                 /* Ärger, ärger */
		{ "Stra\xc3\x9f" "e", "STRASSE" },                  /* Straße */
		{ "\xd0\x91\xd0\x90\xd0\x97\xd0\x90", "\xd0\xb1\xd0\xb0\xd0\xb7\xd0\xb0" }, /* БАЗА, база */
		{ "\xce\x9f\xce\x94\xce\x9f\xce\xa3", "\xce\xbf\xce\xb4\xce\xbf\xcf\x82" }, /* ΟΔΟΣ, οδος */
		{ "\xef\xbc\xa4\xef\xbc\xa2", "Db" },               /* full-width ＤＢ */
	};
	struct fixture *f = *state;
	char *clash;
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		assert_int_equal(add_named(f->store, pairs[i][0], NULL), CR_STORE_OK);
		assert_int_equal(add_named(f->store, pairs[i][1], &clash), CR_STORE_DUPLICATE);
		assert_non_null(clash);
		assert_string_equal(clash, pairs[i][0]);
		free(clash);
	}
	assert_int_equal(add_named(f->store, "arger", NULL), CR_STORE_OK);
	assert_int_equal(query_number(f->db_path, "SELECT count(*) FROM connections"), 6);
}

/* Each child process opens its own store and adds COUNT names. */
static int
add_in_child(const char *db_path, const char *prefix, int count)
{
	struct cr_store_options options = { db_path, 20000 };
	struct cr_store *store;
	struct cr_connection_row row;
	char err[512], name[64], id[CR_UUID_LEN + 1];
	int i, failures = 0;

	if (cr_store_open(&options, &store, err, sizeof(err)) != CR_STORE_OK)
		return 100;
	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "%s-%d", prefix, i);
		cr_uuid_generate(id);
		row = (struct cr_connection_row){ .id = id, .name = name, .name_key = name, .document = "{}" };
		if (cr_store_add_connection(store, &row, NULL) != CR_STORE_OK)
			failures++;
	}
	cr_store_close(store);
	return failures > 99 ? 99 : failures;
}

static void
two_processes_add_at_once(void **state)
{
	struct fixture *f = *state;
	pid_t children[2];
	int i, status;

	for (i = 0; i < 2; i++) {
		children[i] = fork();
		assert_true(children[i] >= 0);
		if (children[i] == 0)
			_exit(add_in_child(f->db_path, i == 0 ? "left" : "right", 150));
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(waitpid(children[i], &status, 0), children[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(query_number(f->db_path, "SELECT count(*) FROM connections"), 300);
}

static struct json_object *
load_seed(const char *password)
{
	char path[4096], text[8192];
	struct cr_problems problems;
	struct json_object *body;
	FILE *file;
	size_t len;

	snprintf(path, sizeof(path), "%s/seed-add.json", FIXTURES_DIR);
	file = fopen(path, "rb");
	assert_non_null(file);
	len = fread(text, 1, sizeof(text) - 1, file);
	fclose(file);
	text[len] = '\0';
	cr_problems_init(&problems);
	body = cr_json_parse_strict(text, len, 16, &problems);
	assert_non_null(body);
	json_object_object_add(body, "password", json_object_new_string(password));
	json_object_object_add(body, "databasePort", json_object_new_int(25432));
	json_object_object_add(body, "name", json_object_new_string("  foodmart2 "));
	return body;
}

/* True when NEEDLE occurs anywhere in the file at PATH; false if it is missing. */
static bool
file_contains(const char *path, const char *needle)
{
	size_t needle_len = strlen(needle), len;
	static char data[1 << 20];
	FILE *file = fopen(path, "rb");

	if (file == NULL)
		return false;
	len = fread(data, 1, sizeof(data), file);
	fclose(file);
	return memmem(data, len, needle, needle_len) != NULL;
}

static void
stored_form_of_a_connection(void **state)
{
	struct fixture *f = *state;
	struct json_object *body = load_seed(SECRET_PASSWORD), *doc, *member;
	struct cr_new_connection conn;
	struct cr_connection_row row;
	char *plain, path[256];

	assert_int_equal(cr_connection_build(&cr_spec_add, body, &f->key, &conn), 0);
	assert_int_equal(strlen(conn.id), 36);
	assert_int_equal(conn.id[14], '4');
	assert_string_equal(conn.name, "foodmart2");
	assert_null(strstr(conn.document, SECRET_PASSWORD));

	doc = json_tokener_parse(conn.document);
	assert_non_null(doc);
	assert_false(json_object_object_get_ex(doc, "password", NULL));
	assert_false(json_object_object_get_ex(doc, "changed", NULL));
	assert_true(json_object_object_get_ex(doc, "id", &member));
	assert_string_equal(json_object_get_string(member), conn.id);
	assert_true(json_object_object_get_ex(doc, "name", &member));
	assert_string_equal(json_object_get_string(member), "foodmart2");
	assert_true(json_object_object_get_ex(doc, "databasePort", &member));
	assert_true(json_object_is_type(member, json_type_string));
	assert_string_equal(json_object_get_string(member), "25432");
	json_object_put(doc);

	/* The sealed password opens only with its own connection id. */
	assert_int_equal(cr_secret_open(&f->key, conn.id, conn.secret, conn.secret_len, &plain), 0);
	assert_string_equal(plain, SECRET_PASSWORD);
	free(plain);
	assert_int_equal(cr_secret_open(&f->key, "another-id", conn.secret, conn.secret_len, &plain),
	    -1);
	assert_null(plain);

	row = cr_connection_row(&conn);
	assert_int_equal(cr_store_add_connection(f->store, &row, NULL), CR_STORE_OK);
	assert_int_equal(query_number(f->db_path,
	    "SELECT length(password) FROM connections"), (long)conn.secret_len);
	assert_false(file_contains(f->db_path, SECRET_PASSWORD));
	snprintf(path, sizeof(path), "%s-wal", f->db_path);
	assert_false(file_contains(path, SECRET_PASSWORD));
	assert_true(file_contains(path, "foodmart2") || file_contains(f->db_path, "foodmart2"));
	cr_new_connection_free(&conn);
	json_object_put(body);
}

static void
key_file_is_private(void **state)
{
	struct fixture *f = *state;
	struct cr_secret_key again;
	struct stat st;
	char err[512], path[256];
	FILE *file;

	assert_int_equal(stat(f->key_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, CR_SECRET_KEY_BYTES);

	/* Loading again reads the same key instead of making a new one. */
	assert_int_equal(cr_secret_key_load(f->key_path, true, &again, err, sizeof(err)), 0);
	assert_memory_equal(again.bytes, f->key.bytes, CR_SECRET_KEY_BYTES);

	assert_int_equal(chmod(f->key_path, 0644), 0);
	assert_int_equal(cr_secret_key_load(f->key_path, true, &again, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "chmod 600"));

	snprintf(path, sizeof(path), "%s/short.key", f->dir);
	file = fopen(path, "wb");
	assert_non_null(file);
	fputs("short", file);
	fclose(file);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(cr_secret_key_load(path, true, &again, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exactly 32 bytes"));

	snprintf(path, sizeof(path), "%s/missing.key", f->dir);
	assert_int_equal(cr_secret_key_load(path, false, &again, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open key file"));
}

static void
tampered_secret_is_rejected(void **state)
{
	struct fixture *f = *state;
	unsigned char sealed[128];
	char *plain;
	size_t len = cr_secret_sealed_size(6);

	cr_secret_seal(&f->key, "id-1", "abcdef", 6, sealed);
	sealed[len - 1] ^= 1;
	assert_int_equal(cr_secret_open(&f->key, "id-1", sealed, len, &plain), -1);
	assert_int_equal(cr_secret_open(&f->key, "id-1", sealed, 10, &plain), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(schema_is_versioned, setup, teardown),
		cmocka_unit_test_setup_teardown(reopen_keeps_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(newer_schema_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(names_clash_across_unicode_case, setup, teardown),
		cmocka_unit_test_setup_teardown(two_processes_add_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(stored_form_of_a_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(key_file_is_private, setup, teardown),
		cmocka_unit_test_setup_teardown(tampered_secret_is_rejected, setup, teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
