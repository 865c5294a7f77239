/* SPDX-License-Identifier: MIT */
/*
 * The connection store on SQLite. WAL mode with synchronous FULL, so a
 * commit has reached the disk before the call returns; every write runs
 * in BEGIN IMMEDIATE so that it takes the write lock first and waits for
 * it under the busy timeout (a deferred transaction that reads and then
 * writes can fail at once with SQLITE_BUSY). The schema version is kept
 * in PRAGMA user_version and advanced by the steps in `migrations`.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "store.h"

struct cr_store {
	sqlite3 *db;
	sqlite3_stmt *insert;
	sqlite3_stmt *find_name;
	sqlite3_stmt *begin;     /* prepared once: sqlite3_exec would parse it on every write */
	sqlite3_stmt *commit;
	unsigned busy_timeout_ms;
	struct timespec busy_since;  /* when the current wait for a lock began */
	char error[512];
};

/* Step N brings the schema from version N to N + 1. */
static const char *const migrations[] = {
	"CREATE TABLE connections ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  name_key TEXT NOT NULL UNIQUE,"
	"  document TEXT NOT NULL,"
	"  password BLOB,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL"
	") STRICT;",
};

#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

int
cr_store_schema_version(void)
{
	return SCHEMA_VERSION;
}

const char *
cr_store_error(const struct cr_store *store)
{
	return store->error;
}

static enum cr_store_status
record_error(struct cr_store *store, const char *what, int rc)
{
	snprintf(store->error, sizeof(store->error), "%s: %s (%s)", what,
	    sqlite3_errmsg(store->db), sqlite3_errstr(rc));
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return CR_STORE_BUSY;
	return CR_STORE_ERROR;
}

static int
exec(struct cr_store *store, const char *sql)
{
	return sqlite3_exec(store->db, sql, NULL, NULL, NULL);
}

static int
read_user_version(struct cr_store *store, int *version)
{
	sqlite3_stmt *stmt;
	int rc;

	rc = sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int(stmt, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * Bring the schema up to SCHEMA_VERSION. A current schema is detected
 * with a plain read, so that opening the store never waits for the
 * write lock; only an actual migration takes it, and then reads the
 * version again under the lock, because another process may have
 * migrated in between.
 */
static enum cr_store_status
migrate(struct cr_store *store)
{
	char sql[64];
	int version = 0, rc;

	rc = read_user_version(store, &version);
	if (rc != SQLITE_OK)
		return record_error(store, "cannot read the schema version", rc);
	if (version == SCHEMA_VERSION)
		return CR_STORE_OK;

	rc = exec(store, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK)
		return record_error(store, "cannot lock the database to migrate its schema", rc);
	rc = read_user_version(store, &version);
	if (rc != SQLITE_OK)
		goto fail;
	if (version > SCHEMA_VERSION) {
		exec(store, "ROLLBACK");
		snprintf(store->error, sizeof(store->error),
		    "database schema version %d is newer than this program's %d", version,
		    SCHEMA_VERSION);
		return CR_STORE_ERROR;
	}
	for (; version < SCHEMA_VERSION; version++) {
		rc = exec(store, migrations[version]);
		if (rc != SQLITE_OK)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", SCHEMA_VERSION);
	rc = exec(store, sql);
	if (rc != SQLITE_OK)
		goto fail;
	rc = exec(store, "COMMIT");
	if (rc != SQLITE_OK)
		goto fail;
	return CR_STORE_OK;
fail:
	record_error(store, "cannot create or migrate the schema", rc);
	exec(store, "ROLLBACK");
	return CR_STORE_ERROR;
}

static enum cr_store_status
prepare(struct cr_store *store, const char *sql, sqlite3_stmt **stmt)
{
	int rc = sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);

	return rc == SQLITE_OK ? CR_STORE_OK : record_error(store, "cannot prepare a statement", rc);
}

/*
 * Wait for a lock held by another connection. SQLite's own handler
 * sleeps 1, 2, 5, 10 ... up to 100 ms between tries, so a write that
 * queues behind another process's commit of a fraction of a millisecond
 * can wait tens of milliseconds. This one sleeps 50 microseconds,
 * doubling to at most 2 ms, until busy_timeout_ms has passed.
 */
static int
wait_for_lock(void *context, int tries)
{
	struct cr_store *store = context;
	struct timespec now, pause;
	long waited_ms, sleep_us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (tries == 0)
		store->busy_since = now;
	waited_ms = (now.tv_sec - store->busy_since.tv_sec) * 1000 +
	    (now.tv_nsec - store->busy_since.tv_nsec) / 1000000;
	if (waited_ms >= (long)store->busy_timeout_ms)
		return 0;
	sleep_us = tries < 6 ? 50L << tries : 2000;
	pause.tv_sec = 0;
	pause.tv_nsec = sleep_us * 1000;
	nanosleep(&pause, NULL);
	return 1;
}

enum cr_store_status
cr_store_open(const struct cr_store_options *options, struct cr_store **out,
    char *err, size_t err_size)
{
	struct cr_store *store;
	int rc;

	*out = NULL;
	store = calloc(1, sizeof(*store));
	if (store == NULL) {
		snprintf(err, err_size, "out of memory");
		return CR_STORE_ERROR;
	}
	rc = sqlite3_open_v2(options->path, &store->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (store->db != NULL)
			record_error(store, "cannot open the database", rc);
		else
			snprintf(store->error, sizeof(store->error), "cannot open the database: %s",
			    sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(store->db, 1);
	store->busy_timeout_ms = options->busy_timeout_ms;
	sqlite3_busy_handler(store->db, wait_for_lock, store);

	/* journal_mode needs a lock too; retry through the busy handler. */
	rc = exec(store, "PRAGMA journal_mode = WAL");
	if (rc == SQLITE_OK)
		rc = exec(store, "PRAGMA synchronous = FULL");
	if (rc == SQLITE_OK)
		rc = exec(store, "PRAGMA foreign_keys = ON");
	if (rc != SQLITE_OK) {
		record_error(store, "cannot set up the database", rc);
		goto fail;
	}
	if (migrate(store) != CR_STORE_OK)
		goto fail;
	if (prepare(store, "INSERT INTO connections"
	    " (id, name, name_key, document, password, created_at, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5,"
	    " strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
	    &store->insert) != CR_STORE_OK ||
	    prepare(store, "SELECT name FROM connections WHERE name_key = ?1",
	    &store->find_name) != CR_STORE_OK ||
	    prepare(store, "BEGIN IMMEDIATE", &store->begin) != CR_STORE_OK ||
	    prepare(store, "COMMIT", &store->commit) != CR_STORE_OK)
		goto fail;
	*out = store;
	return CR_STORE_OK;
fail:
	snprintf(err, err_size, "%s: %s", options->path, store->error);
	cr_store_close(store);
	return CR_STORE_ERROR;
}

void
cr_store_close(struct cr_store *store)
{
	if (store == NULL)
		return;
	sqlite3_finalize(store->insert);
	sqlite3_finalize(store->find_name);
	sqlite3_finalize(store->begin);
	sqlite3_finalize(store->commit);
	sqlite3_close(store->db);
	free(store);
}

/* Run a prepared statement that returns no rows, and reset it. */
static int
run(sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static char *
find_clash(struct cr_store *store, const char *name_key)
{
	char *name = NULL;

	sqlite3_bind_text(store->find_name, 1, name_key, -1, SQLITE_STATIC);
	if (sqlite3_step(store->find_name) == SQLITE_ROW)
		name = strdup((const char *)sqlite3_column_text(store->find_name, 0));
	sqlite3_reset(store->find_name);
	sqlite3_clear_bindings(store->find_name);
	return name;
}

enum cr_store_status
cr_store_add_connection(struct cr_store *store, const struct cr_connection_row *row,
    char **clash)
{
	enum cr_store_status status;
	sqlite3_stmt *stmt = store->insert;
	int rc;

	if (clash != NULL)
		*clash = NULL;
	rc = run(store->begin);
	if (rc != SQLITE_OK)
		return record_error(store, "cannot begin a write transaction", rc);

	sqlite3_bind_text(stmt, 1, row->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, row->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, row->name_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, row->document, -1, SQLITE_STATIC);
	if (row->secret != NULL)
		sqlite3_bind_blob(stmt, 5, row->secret, (int)row->secret_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 5);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);

	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		if (clash != NULL)
			*clash = find_clash(store, row->name_key);
		exec(store, "ROLLBACK");
		return CR_STORE_DUPLICATE;
	}
	if (rc != SQLITE_DONE) {
		status = record_error(store, "cannot insert a connection", rc);
		exec(store, "ROLLBACK");
		return status;
	}
	rc = run(store->commit);
	if (rc != SQLITE_OK) {
		status = record_error(store, "cannot commit a connection", rc);
		exec(store, "ROLLBACK");
		return status;
	}
	return CR_STORE_OK;
}
