/* SPDX-License-Identifier: MIT */
/*
 * Shared parts of the SQLite store, for store_sqlite*.c only: the store
 * handle, its prepared statements, and helpers for transactions and
 * errors.
 */
#ifndef CR_STORE_SQLITE_INTERNAL_H
#define CR_STORE_SQLITE_INTERNAL_H

#include <time.h>

#include <sqlite3.h>

#include "store.h"

/* Every statement the store runs; SQL in statement_sql[], store_sqlite.c. */
enum store_statement {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	STMT_CONNECTION_INSERT,
	STMT_CONNECTION_FIND_NAME,
	STMT_CONNECTION_FIND_ACL,
	STMT_CONNECTION_SET_ACL_HEADER,
	STMT_ACE_INSERT,
	STMT_ACE_LIST,
	STMT_ACE_DELETE_ALL,
	STMT_USER_INSERT,
	STMT_USER_GET,
	STMT_USER_GET_BY_ID,
	STMT_USER_LIST,
	STMT_USER_DELETE,
	STMT_USER_SET_DISABLED,
	STMT_USER_SET_TYPE,
	STMT_USER_SET_PASSWORD,
	STMT_ROLE_LIST,
	STMT_ROLE_DELETE_ALL,
	STMT_ROLE_INSERT,
	STMT_TOKEN_INSERT,
	STMT_TOKEN_FIND,
	STMT_TOKEN_REVOKE,
	STMT_TOKEN_LIST,
	STMT_SESSION_INSERT,
	STMT_SESSION_FIND,
	STMT_SESSION_DELETE,
	STMT_SESSION_DELETE_USER,
	STMT_SESSION_PURGE,
	STMT_CONNECTION_GET,
	STMT_CONNECTION_GET_BY_ID,
	STMT_CONNECTION_LIST,
	STMT_ACE_LIST_ALL,
	STMT_CONNECTION_UPDATE,
	STMT_CONNECTION_DELETE,
	STMT_HISTORY_INSERT,
	STMT_HISTORY_LIST,
	STMT_HISTORY_LIST_NAME,
	STMT__MAX
};

struct cr_store {
	sqlite3 *db;
	sqlite3_stmt *statements[STMT__MAX];
	unsigned busy_timeout_ms;
	struct timespec busy_since;  /* when the current wait for a lock began */
	char error[512];
};

/* The prepared statement ID, reset and ready to bind; NULL on failure. */
sqlite3_stmt *store_statement(struct cr_store *store, enum store_statement id);

/* Record the failure of WHAT with SQLite code RC; returns BUSY or ERROR. */
enum cr_store_status store_fail(struct cr_store *store, const char *what, int rc);

/* BEGIN IMMEDIATE, COMMIT and ROLLBACK. */
enum cr_store_status store_begin(struct cr_store *store);
enum cr_store_status store_commit(struct cr_store *store);
void store_rollback(struct cr_store *store);

/* Run a statement that returns no rows; SQLITE_DONE on success. */
int store_step_done(sqlite3_stmt *stmt);

/* A newly allocated copy of text column COLUMN, or NULL when it is NULL. */
char *store_column_text(sqlite3_stmt *stmt, int column);

/*
 * Append one entry to the change history, inside the caller's write
 * transaction. CHANGES is the JSON array that cr_history_diff or
 * cr_history_acl_change made. It never contains a password.
 */
int store_history_record(struct cr_store *store, const char *actor, const char *action,
    const char *connection_id, const char *connection_name, const char *name_key,
    const char *changes);

/* Read the ACL of the connection with ID into ACL (entries only). */
enum cr_store_status store_read_aces(struct cr_store *store, const char *connection_id,
    struct cr_acl *acl);

#endif
