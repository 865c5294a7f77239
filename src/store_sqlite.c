/* SPDX-License-Identifier: MIT */
/*
 * The store on SQLite: opening, schema migrations, connections and their
 * ACLs. Users, tokens and sessions are in store_sqlite_users.c.
 *
 * WAL mode with synchronous FULL, so a commit has reached the disk
 * before the call returns. Every write runs in BEGIN IMMEDIATE, so it
 * takes the write lock first and waits for it under the busy timeout,
 * because a deferred transaction that reads and then writes can fail at
 * once with SQLITE_BUSY. The schema version is kept in PRAGMA
 * user_version and advanced by the steps in `migrations`.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "store_sqlite_internal.h"

/*
 * Step N brings the schema from version N to N + 1; a new database runs
 * them all. Never edit a step that has been released: add one.
 *
 * Every add writes one row to connections, acl_entries and history in
 * one transaction, and each B-tree it touches adds a page to the commit.
 * So the write path keeps few of them: connections and acl_entries are
 * WITHOUT ROWID tables keyed by what they are looked up by, and history
 * has no index. Only the admin command reads the history, by a scan.
 */
static const char *const migrations[] = {
	"CREATE TABLE connections ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  name_key TEXT NOT NULL UNIQUE,"
	"  document TEXT NOT NULL,"
	"  password BLOB,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  owner TEXT NOT NULL DEFAULT '',"
	"  entries_inheriting INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL"
	") STRICT, WITHOUT ROWID;"
	"CREATE TABLE acl_entries ("
	"  connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,"
	"  recipient_type INTEGER NOT NULL CHECK (recipient_type IN (0, 1, 2)),"
	"  recipient TEXT NOT NULL,"
	"  permissions INTEGER NOT NULL,"
	"  PRIMARY KEY (connection_id, recipient_type, recipient)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  user_type INTEGER NOT NULL CHECK (user_type IN (0, 1, 2)),"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  password_hash TEXT,"
	"  credential_version INTEGER NOT NULL DEFAULT 1,"
	"  created_at TEXT NOT NULL"
	") STRICT;"
	"CREATE TABLE user_roles ("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL,"
	"  PRIMARY KEY (user_id, role)"
	") STRICT;"
	"CREATE TABLE tokens ("
	"  id TEXT PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  token_hash BLOB NOT NULL UNIQUE,"
	"  label TEXT NOT NULL DEFAULT '',"
	"  created_at TEXT NOT NULL,"
	"  revoked_at TEXT"
	") STRICT;"
	"CREATE TABLE sessions ("
	"  id_hash BLOB PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  credential_version INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX sessions_expiry ON sessions (expires_at);"
	/* The change history outlives the connections it names, so it has
	 * no foreign key; name_key finds a connection's entries by name. */
	"CREATE TABLE history ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL CHECK (action IN ('add', 'update', 'delete', 'acl')),"
	"  connection_id TEXT NOT NULL,"
	"  connection_name TEXT NOT NULL,"
	"  name_key TEXT NOT NULL,"
	"  changes TEXT NOT NULL"
	") STRICT;",
};

#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

#define NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
#define USER_COLUMNS "id, name, user_type, disabled, password_hash, credential_version"
#define CONNECTION_COLUMNS \
	"id, name, name_key, document, password, version, owner, entries_inheriting"
#define HISTORY_COLUMNS "id, at, actor, action, connection_id, connection_name, changes"

static const char *const statement_sql[STMT__MAX] = {
	/* Prepared once: sqlite3_exec would parse them on every write. */
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_SAVEPOINT] = "SAVEPOINT job",
	[STMT_RELEASE] = "RELEASE job",
	[STMT_ROLLBACK_TO] = "ROLLBACK TO job",
	[STMT_CONNECTION_INSERT] =
	    "INSERT INTO connections (id, name, name_key, document, password, owner,"
	    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, " NOW ", " NOW ")",
	[STMT_CONNECTION_FIND_NAME] = "SELECT name FROM connections WHERE name_key = ?1",
	[STMT_CONNECTION_FIND_ACL] =
	    "SELECT id, name, owner, entries_inheriting FROM connections WHERE name_key = ?1",
	[STMT_CONNECTION_SET_ACL_HEADER] =
	    "UPDATE connections SET owner = ?2, entries_inheriting = ?3 WHERE id = ?1",
	[STMT_ACE_INSERT] =
	    "INSERT INTO acl_entries (connection_id, recipient_type, recipient, permissions)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET permissions = permissions | ?4",
	[STMT_ACE_LIST] =
	    "SELECT recipient_type, recipient, permissions FROM acl_entries"
	    " WHERE connection_id = ?1 ORDER BY recipient_type, recipient",
	[STMT_ACE_DELETE_ALL] = "DELETE FROM acl_entries WHERE connection_id = ?1",
	[STMT_USER_INSERT] =
	    "INSERT INTO users (name, user_type, created_at) VALUES (?1, ?2, " NOW ")",
	[STMT_USER_GET] = "SELECT " USER_COLUMNS " FROM users WHERE name = ?1",
	[STMT_USER_GET_BY_ID] = "SELECT " USER_COLUMNS " FROM users WHERE id = ?1",
	[STMT_USER_LIST] = "SELECT " USER_COLUMNS " FROM users ORDER BY name",
	[STMT_USER_DELETE] = "DELETE FROM users WHERE name = ?1",
	[STMT_USER_SET_DISABLED] =
	    "UPDATE users SET disabled = ?2, credential_version = credential_version + 1"
	    " WHERE name = ?1",
	[STMT_USER_SET_TYPE] = "UPDATE users SET user_type = ?2 WHERE name = ?1",
	[STMT_USER_SET_PASSWORD] =
	    "UPDATE users SET password_hash = ?2, credential_version = credential_version + 1"
	    " WHERE name = ?1",
	[STMT_ROLE_LIST] = "SELECT role FROM user_roles WHERE user_id = ?1 ORDER BY role",
	[STMT_ROLE_DELETE_ALL] = "DELETE FROM user_roles WHERE user_id = ?1",
	[STMT_ROLE_INSERT] = "INSERT OR IGNORE INTO user_roles (user_id, role) VALUES (?1, ?2)",
	[STMT_TOKEN_INSERT] =
	    "INSERT INTO tokens (id, user_id, token_hash, label, created_at)"
	    " SELECT ?1, id, ?3, ?4, " NOW " FROM users WHERE name = ?2",
	[STMT_TOKEN_FIND] =
	    "SELECT user_id FROM tokens WHERE token_hash = ?1 AND revoked_at IS NULL",
	[STMT_TOKEN_REVOKE] =
	    "UPDATE tokens SET revoked_at = " NOW " WHERE id = ?1 AND revoked_at IS NULL",
	[STMT_TOKEN_LIST] =
	    "SELECT tokens.id, users.name, tokens.label, tokens.created_at,"
	    " tokens.revoked_at IS NOT NULL FROM tokens JOIN users ON users.id = tokens.user_id"
	    " ORDER BY users.name, tokens.created_at",
	[STMT_SESSION_INSERT] =
	    "INSERT INTO sessions (id_hash, user_id, credential_version, expires_at)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[STMT_SESSION_FIND] =
	    "SELECT sessions.user_id FROM sessions JOIN users ON users.id = sessions.user_id"
	    " WHERE sessions.id_hash = ?1 AND sessions.expires_at > ?2"
	    " AND sessions.credential_version = users.credential_version",
	[STMT_SESSION_DELETE] = "DELETE FROM sessions WHERE id_hash = ?1",
	[STMT_SESSION_DELETE_USER] = "DELETE FROM sessions WHERE user_id = ?1",
	[STMT_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at <= ?1",
	[STMT_CONNECTION_GET] =
	    "SELECT " CONNECTION_COLUMNS " FROM connections WHERE name_key = ?1",
	[STMT_CONNECTION_GET_BY_ID] =
	    "SELECT " CONNECTION_COLUMNS " FROM connections WHERE id = ?1",
	[STMT_CONNECTION_LIST] =
	    "SELECT " CONNECTION_COLUMNS " FROM connections ORDER BY name_key, name",
	[STMT_ACE_LIST_ALL] =
	    "SELECT connection_id, recipient_type, recipient, permissions FROM acl_entries"
	    " ORDER BY connection_id, recipient_type, recipient",
	[STMT_CONNECTION_UPDATE] =
	    "UPDATE connections SET name = ?2, name_key = ?3, document = ?4,"
	    " password = CASE WHEN ?6 THEN ?5 ELSE password END,"
	    " version = version + 1, updated_at = " NOW " WHERE id = ?1",
	[STMT_CONNECTION_DELETE] = "DELETE FROM connections WHERE id = ?1",
	[STMT_HISTORY_INSERT] =
	    "INSERT INTO history (at, actor, action, connection_id, connection_name, name_key,"
	    " changes) VALUES (" NOW ", ?1, ?2, ?3, ?4, ?5, ?6)",
	[STMT_HISTORY_LIST] =
	    "SELECT " HISTORY_COLUMNS " FROM history ORDER BY id",
	[STMT_HISTORY_LIST_NAME] =
	    "SELECT " HISTORY_COLUMNS " FROM history WHERE connection_id IN"
	    " (SELECT connection_id FROM history WHERE name_key = ?1) ORDER BY id",
};

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

enum cr_store_status
store_fail(struct cr_store *store, const char *what, int rc)
{
	snprintf(store->error, sizeof(store->error), "%s: %s (%s)", what,
	    sqlite3_errmsg(store->db), sqlite3_errstr(rc));
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED || (rc & 0xff) == SQLITE_BUSY)
		return CR_STORE_BUSY;
	return CR_STORE_ERROR;
}

static int
exec(struct cr_store *store, const char *sql)
{
	return sqlite3_exec(store->db, sql, NULL, NULL, NULL);
}

enum cr_store_status
store_begin(struct cr_store *store)
{
	sqlite3_stmt *stmt = store_statement(store, STMT_BEGIN);
	int rc;

	if (stmt == NULL)
		return CR_STORE_ERROR;
	rc = store_step_done(stmt);
	return rc == SQLITE_DONE ? CR_STORE_OK : store_fail(store, "cannot begin a write transaction", rc);
}

enum cr_store_status
store_commit(struct cr_store *store)
{
	sqlite3_stmt *stmt = store_statement(store, STMT_COMMIT);
	enum cr_store_status status;
	int rc;

	if (stmt == NULL) {
		store_rollback(store);
		return CR_STORE_ERROR;
	}
	rc = store_step_done(stmt);
	if (rc == SQLITE_DONE)
		return CR_STORE_OK;
	status = store_fail(store, "cannot commit", rc);
	store_rollback(store);
	return status;
}

void
store_rollback(struct cr_store *store)
{
	if (!sqlite3_get_autocommit(store->db))
		exec(store, "ROLLBACK");
}

sqlite3_stmt *
store_statement(struct cr_store *store, enum store_statement id)
{
	sqlite3_stmt **slot = &store->statements[id];
	int rc;

	if (*slot != NULL) {
		sqlite3_reset(*slot);
		sqlite3_clear_bindings(*slot);
		return *slot;
	}
	rc = sqlite3_prepare_v3(store->db, statement_sql[id], -1, SQLITE_PREPARE_PERSISTENT, slot,
	    NULL);
	if (rc != SQLITE_OK) {
		store_fail(store, "cannot prepare a statement", rc);
		*slot = NULL;
	}
	return *slot;
}

int
store_step_done(sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	return rc;
}

char *
store_column_text(sqlite3_stmt *stmt, int column)
{
	const unsigned char *text = sqlite3_column_text(stmt, column);

	return text != NULL ? strdup((const char *)text) : NULL;
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
 * write lock. Only an actual migration takes the lock, and it reads the
 * version again under it, because another process may have migrated in
 * between.
 */
static enum cr_store_status
migrate(struct cr_store *store)
{
	char sql[64];
	int version = 0, rc;

	rc = read_user_version(store, &version);
	if (rc != SQLITE_OK)
		return store_fail(store, "cannot read the schema version", rc);
	if (version == SCHEMA_VERSION)
		return CR_STORE_OK;

	rc = exec(store, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK)
		return store_fail(store, "cannot lock the database to migrate its schema", rc);
	rc = read_user_version(store, &version);
	if (rc != SQLITE_OK)
		goto fail;
	if (version > SCHEMA_VERSION) {
		store_rollback(store);
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
	store_fail(store, "cannot create or migrate the schema", rc);
	store_rollback(store);
	return CR_STORE_ERROR;
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
			store_fail(store, "cannot open the database", rc);
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
		store_fail(store, "cannot set up the database", rc);
		goto fail;
	}
	if (migrate(store) != CR_STORE_OK)
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
	size_t i;

	if (store == NULL)
		return;
	for (i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(store->statements[i]);
	sqlite3_close(store->db);
	free(store);
}

static char *
find_clash(struct cr_store *store, const char *name_key)
{
	sqlite3_stmt *stmt = store_statement(store, STMT_CONNECTION_FIND_NAME);
	char *name = NULL;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_text(stmt, 1, name_key, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		name = store_column_text(stmt, 0);
	sqlite3_reset(stmt);
	return name;
}

static int
insert_ace(struct cr_store *store, const char *connection_id, const struct cr_ace *ace)
{
	sqlite3_stmt *stmt = store_statement(store, STMT_ACE_INSERT);

	if (stmt == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_text(stmt, 1, connection_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, (int)ace->type);
	sqlite3_bind_text(stmt, 3, ace->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 4, (int)ace->permissions);
	return store_step_done(stmt);
}

static int
record_add(struct cr_store *store, const struct cr_connection_row *row)
{
	char *changes = cr_history_diff(NULL, row->document, row->secret != NULL);
	int rc;

	if (changes == NULL)
		return SQLITE_NOMEM;
	rc = store_history_record(store, row->owner, "add", row->id, row->name, row->name_key,
	    changes);
	free(changes);
	return rc;
}

/* Insert one connection, its owner's entry and its history inside a transaction. */
static enum cr_store_status
insert_connection(struct cr_store *store, const struct cr_connection_row *row, char **clash)
{
	struct cr_ace owner_entry = { CR_RECIPIENT_USER, (char *)row->owner, 1u << 4 };
	sqlite3_stmt *stmt;
	int rc;

	stmt = store_statement(store, STMT_CONNECTION_INSERT);
	if (stmt == NULL)
		return CR_STORE_ERROR;
	sqlite3_bind_text(stmt, 1, row->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, row->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, row->name_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, row->document, -1, SQLITE_STATIC);
	if (row->secret != NULL)
		sqlite3_bind_blob(stmt, 5, row->secret, (int)row->secret_len, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, row->owner != NULL ? row->owner : "", -1, SQLITE_STATIC);
	rc = store_step_done(stmt);
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		if (clash != NULL)
			*clash = find_clash(store, row->name_key);
		return CR_STORE_DUPLICATE;
	}
	if (rc != SQLITE_DONE)
		return store_fail(store, "cannot insert a connection", rc);
	if (row->owner != NULL && row->owner[0] != '\0') {
		rc = insert_ace(store, row->id, &owner_entry);
		if (rc != SQLITE_DONE)
			return store_fail(store, "cannot insert the owner's access entry", rc);
	}
	rc = record_add(store, row);
	if (rc != SQLITE_DONE)
		return store_fail(store, "cannot record the history", rc);
	return CR_STORE_OK;
}

/* Run one of the savepoint statements; false when it failed. */
static bool
run_savepoint(struct cr_store *store, enum store_statement id)
{
	sqlite3_stmt *stmt = store_statement(store, id);

	return stmt != NULL && store_step_done(stmt) == SQLITE_DONE;
}

void
cr_store_add_connections(struct cr_store *store, struct cr_store_add_job *jobs, size_t count)
{
	enum cr_store_status status;
	size_t i;

	for (i = 0; i < count; i++) {
		jobs[i].status = CR_STORE_ERROR;
		jobs[i].clash = NULL;
	}
	status = store_begin(store);
	if (status != CR_STORE_OK) {
		for (i = 0; i < count; i++)
			jobs[i].status = status;
		return;
	}

	/* A savepoint per job lets one duplicate name fail alone. */
	for (i = 0; i < count; i++) {
		if (!run_savepoint(store, STMT_SAVEPOINT)) {
			jobs[i].status = store_fail(store, "cannot start a savepoint",
			    sqlite3_errcode(store->db));
			continue;
		}
		jobs[i].status = insert_connection(store, jobs[i].row, &jobs[i].clash);
		if (jobs[i].status != CR_STORE_OK && !run_savepoint(store, STMT_ROLLBACK_TO))
			goto fail;
		if (!run_savepoint(store, STMT_RELEASE))
			goto fail;
	}
	status = store_commit(store);
	if (status == CR_STORE_OK)
		return;
	goto fail_all;
fail:
	status = store_fail(store, "cannot end a savepoint", sqlite3_errcode(store->db));
	store_rollback(store);
fail_all:
	/* Nothing of the transaction is on disk. */
	for (i = 0; i < count; i++) {
		if (jobs[i].status == CR_STORE_OK)
			jobs[i].status = status;
	}
}

enum cr_store_status
cr_store_add_connection(struct cr_store *store, const struct cr_connection_row *row,
    char **clash)
{
	struct cr_store_add_job job = { row, CR_STORE_ERROR, NULL };

	cr_store_add_connections(store, &job, 1);
	if (clash != NULL)
		*clash = job.clash;
	else
		free(job.clash);
	return job.status;
}

void
cr_acl_free(struct cr_acl *acl)
{
	size_t i;

	free(acl->owner);
	for (i = 0; i < acl->naces; i++)
		free(acl->aces[i].recipient);
	free(acl->aces);
	memset(acl, 0, sizeof(*acl));
}

static enum cr_store_status
read_aces(struct cr_store *store, const char *connection_id, struct cr_acl *acl)
{
	sqlite3_stmt *stmt = store_statement(store, STMT_ACE_LIST);
	struct cr_ace *grown;
	int rc;

	if (stmt == NULL)
		return CR_STORE_ERROR;
	sqlite3_bind_text(stmt, 1, connection_id, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		grown = realloc(acl->aces, (acl->naces + 1) * sizeof(*grown));
		if (grown == NULL)
			break;
		acl->aces = grown;
		grown[acl->naces].type = (enum cr_recipient_type)sqlite3_column_int(stmt, 0);
		grown[acl->naces].recipient = store_column_text(stmt, 1);
		grown[acl->naces].permissions = (unsigned)sqlite3_column_int(stmt, 2);
		if (grown[acl->naces].recipient == NULL)
			break;
		acl->naces++;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_ROW ? CR_STORE_ERROR : store_fail(store, "cannot read an ACL", rc);
	return CR_STORE_OK;
}

/* Look up a connection's id; *ID is newly allocated. */
static enum cr_store_status
find_acl_header(struct cr_store *store, const char *name_key, char **id, char **name,
    struct cr_acl *acl)
{
	sqlite3_stmt *stmt = store_statement(store, STMT_CONNECTION_FIND_ACL);
	enum cr_store_status status = CR_STORE_NOT_FOUND;
	int rc;

	if (stmt == NULL)
		return CR_STORE_ERROR;
	sqlite3_bind_text(stmt, 1, name_key, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*id = store_column_text(stmt, 0);
		if (name != NULL)
			*name = store_column_text(stmt, 1);
		if (acl != NULL) {
			acl->owner = store_column_text(stmt, 2);
			acl->entries_inheriting = sqlite3_column_int(stmt, 3) != 0;
		}
		status = *id != NULL ? CR_STORE_OK : CR_STORE_ERROR;
	} else if (rc != SQLITE_DONE) {
		status = store_fail(store, "cannot find a connection", rc);
	}
	sqlite3_reset(stmt);
	return status;
}

enum cr_store_status
cr_store_get_acl(struct cr_store *store, const char *name_key, char **name, struct cr_acl *acl)
{
	enum cr_store_status status;
	char *id = NULL;

	memset(acl, 0, sizeof(*acl));
	if (name != NULL)
		*name = NULL;
	status = find_acl_header(store, name_key, &id, name, acl);
	if (status == CR_STORE_OK)
		status = read_aces(store, id, acl);
	free(id);
	if (status != CR_STORE_OK) {
		cr_acl_free(acl);
		if (name != NULL) {
			free(*name);
			*name = NULL;
		}
	}
	return status;
}

enum cr_store_status
store_read_aces(struct cr_store *store, const char *connection_id, struct cr_acl *acl)
{
	return read_aces(store, connection_id, acl);
}

/* Record an ACL change of the connection with ID, from OLD_ACL to ACL. */
static int
record_acl_change(struct cr_store *store, const char *id, const char *name,
    const char *name_key, const struct cr_acl *old_acl, const struct cr_acl *acl,
    const char *actor)
{
	char *changes = cr_history_acl_change(old_acl, acl);
	int rc;

	if (changes == NULL)
		return SQLITE_NOMEM;
	rc = store_history_record(store, actor, "acl", id, name, name_key, changes);
	free(changes);
	return rc;
}

enum cr_store_status
cr_store_set_acl(struct cr_store *store, const char *name_key, const struct cr_acl *acl,
    const char *actor)
{
	enum cr_store_status status;
	struct cr_acl old_acl;
	sqlite3_stmt *stmt;
	char *id = NULL, *name = NULL;
	size_t i;
	int rc;

	memset(&old_acl, 0, sizeof(old_acl));
	status = store_begin(store);
	if (status != CR_STORE_OK)
		return status;
	status = find_acl_header(store, name_key, &id, &name, &old_acl);
	if (status == CR_STORE_OK)
		status = read_aces(store, id, &old_acl);
	if (status != CR_STORE_OK)
		goto out;

	stmt = store_statement(store, STMT_CONNECTION_SET_ACL_HEADER);
	if (stmt == NULL)
		goto error;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, acl->owner, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, acl->entries_inheriting);
	rc = store_step_done(stmt);
	if (rc != SQLITE_DONE)
		goto fail;

	stmt = store_statement(store, STMT_ACE_DELETE_ALL);
	if (stmt == NULL)
		goto error;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	rc = store_step_done(stmt);
	if (rc != SQLITE_DONE)
		goto fail;
	for (i = 0; i < acl->naces; i++) {
		rc = insert_ace(store, id, &acl->aces[i]);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	rc = record_acl_change(store, id, name, name_key, &old_acl, acl, actor);
	if (rc != SQLITE_DONE)
		goto fail;
	free(id);
	free(name);
	cr_acl_free(&old_acl);
	return store_commit(store);
fail:
	status = store_fail(store, "cannot change an ACL", rc);
	goto out;
error:
	status = CR_STORE_ERROR;
out:
	store_rollback(store);
	free(id);
	free(name);
	cr_acl_free(&old_acl);
	return status;
}
