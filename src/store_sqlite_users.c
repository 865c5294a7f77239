/* SPDX-License-Identifier: MIT */
/* Users, roles, API tokens and login sessions in the SQLite store. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store_sqlite_internal.h"

void
cr_user_free(struct cr_user *user)
{
	size_t i;

	if (user->password_hash != NULL)
		memset(user->password_hash, 0, strlen(user->password_hash));
	free(user->password_hash);
	free(user->name);
	for (i = 0; i < user->nroles; i++)
		free(user->roles[i]);
	free(user->roles);
	memset(user, 0, sizeof(*user));
}

void
cr_token_list_free(struct cr_token_info *tokens, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		free(tokens[i].id);
		free(tokens[i].user);
		free(tokens[i].label);
		free(tokens[i].created_at);
	}
	free(tokens);
}

static enum cr_store_status
read_roles(struct cr_store *store, struct cr_user *user)
{
	sqlite3_stmt *stmt = store_statement(store, STMT_ROLE_LIST);
	char **grown;
	int rc;

	if (stmt == NULL)
		return CR_STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user->id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		grown = realloc(user->roles, (user->nroles + 1) * sizeof(*grown));
		if (grown == NULL)
			break;
		user->roles = grown;
		grown[user->nroles] = store_column_text(stmt, 0);
		if (grown[user->nroles] == NULL)
			break;
		user->nroles++;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_ROW ? CR_STORE_ERROR : store_fail(store, "cannot read roles", rc);
	return CR_STORE_OK;
}

/* Fill USER from the current row of a statement selecting USER_COLUMNS. */
static enum cr_store_status
read_user_row(sqlite3_stmt *stmt, struct cr_user *user)
{
	memset(user, 0, sizeof(*user));
	user->id = sqlite3_column_int64(stmt, 0);
	user->name = store_column_text(stmt, 1);
	user->type = (enum cr_user_type)sqlite3_column_int(stmt, 2);
	user->disabled = sqlite3_column_int(stmt, 3) != 0;
	user->password_hash = store_column_text(stmt, 4);
	user->credential_version = sqlite3_column_int64(stmt, 5);
	return user->name != NULL ? CR_STORE_OK : CR_STORE_ERROR;
}

/* Run a prepared lookup of one user, then read the user's roles. */
static enum cr_store_status
get_user(struct cr_store *store, sqlite3_stmt *stmt, struct cr_user *user)
{
	enum cr_store_status status = CR_STORE_NOT_FOUND;
	int rc = sqlite3_step(stmt);

	memset(user, 0, sizeof(*user));
	if (rc == SQLITE_ROW)
		status = read_user_row(stmt, user);
	else if (rc != SQLITE_DONE)
		status = store_fail(store, "cannot read a user", rc);
	sqlite3_reset(stmt);
	if (status == CR_STORE_OK)
		status = read_roles(store, user);
	if (status != CR_STORE_OK)
		cr_user_free(user);
	return status;
}

static enum cr_store_status
get_user_by_id(struct cr_store *store, int64_t id, struct cr_user *user)
{
	sqlite3_stmt *stmt = store_statement(store, STMT_USER_GET_BY_ID);

	if (stmt == NULL)
		return CR_STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	return get_user(store, stmt, user);
}

enum cr_store_status
cr_store_user_get(struct cr_store *store, const char *name, struct cr_user *user)
{
	sqlite3_stmt *stmt = store_statement(store, STMT_USER_GET);

	memset(user, 0, sizeof(*user));
	if (stmt == NULL)
		return CR_STORE_ERROR;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	return get_user(store, stmt, user);
}

enum cr_store_status
cr_store_user_list(struct cr_store *store, struct cr_user **users, size_t *count)
{
	sqlite3_stmt *stmt = store_statement(store, STMT_USER_LIST);
	enum cr_store_status status = CR_STORE_OK;
	struct cr_user *list = NULL, *grown;
	size_t n = 0, i;
	int rc;

	*users = NULL;
	*count = 0;
	if (stmt == NULL)
		return CR_STORE_ERROR;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		grown = realloc(list, (n + 1) * sizeof(*grown));
		if (grown == NULL) {
			status = CR_STORE_ERROR;
			break;
		}
		list = grown;
		status = read_user_row(stmt, &list[n]);
		n++;
		if (status != CR_STORE_OK)
			break;
	}
	sqlite3_reset(stmt);
	if (status == CR_STORE_OK && rc != SQLITE_DONE)
		status = store_fail(store, "cannot list users", rc);
	for (i = 0; i < n && status == CR_STORE_OK; i++)
		status = read_roles(store, &list[i]);
	if (status != CR_STORE_OK) {
		for (i = 0; i < n; i++)
			cr_user_free(&list[i]);
		free(list);
		return status;
	}
	*users = list;
	*count = n;
	return CR_STORE_OK;
}

/*
 * Begin a write transaction and return statement ID, ready to bind. On
 * failure, return NULL with *STATUS set and nothing left open.
 */
static sqlite3_stmt *
begin_write(struct cr_store *store, enum store_statement id, enum cr_store_status *status)
{
	sqlite3_stmt *stmt;

	*status = store_begin(store);
	if (*status != CR_STORE_OK)
		return NULL;
	stmt = store_statement(store, id);
	if (stmt == NULL) {
		store_rollback(store);
		*status = CR_STORE_ERROR;
	}
	return stmt;
}

/*
 * Run the bound STMT of a begin_write transaction and commit it. A
 * unique key that is taken gives CR_STORE_DUPLICATE and, when
 * MUST_CHANGE is true, a statement that changed no row gives
 * CR_STORE_NOT_FOUND; both roll back. WHAT names the write in errors.
 */
static enum cr_store_status
finish_write(struct cr_store *store, sqlite3_stmt *stmt, bool must_change, const char *what)
{
	enum cr_store_status status;
	int rc = store_step_done(stmt);

	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		store_rollback(store);
		return CR_STORE_DUPLICATE;
	}
	if (rc != SQLITE_DONE) {
		status = store_fail(store, what, rc);
		store_rollback(store);
		return status;
	}
	if (must_change && sqlite3_changes(store->db) == 0) {
		store_rollback(store);
		return CR_STORE_NOT_FOUND;
	}
	return store_commit(store);
}

enum cr_store_status
cr_store_user_add(struct cr_store *store, const char *name, enum cr_user_type type)
{
	enum cr_store_status status;
	sqlite3_stmt *stmt = begin_write(store, STMT_USER_INSERT, &status);

	if (stmt == NULL)
		return status;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, (int)type);
	return finish_write(store, stmt, false, "cannot add a user");
}

/* Delete the sessions of the user NAME, inside the caller's transaction. */
static enum cr_store_status
end_sessions_of(struct cr_store *store, const char *name)
{
	enum cr_store_status status;
	struct cr_user user;
	sqlite3_stmt *stmt;
	int rc;

	status = cr_store_user_get(store, name, &user);
	if (status != CR_STORE_OK)
		return status;
	stmt = store_statement(store, STMT_SESSION_DELETE_USER);
	if (stmt == NULL) {
		cr_user_free(&user);
		return CR_STORE_ERROR;
	}
	sqlite3_bind_int64(stmt, 1, user.id);
	rc = store_step_done(stmt);
	cr_user_free(&user);
	return rc == SQLITE_DONE ? CR_STORE_OK : store_fail(store, "cannot end sessions", rc);
}

/*
 * Run statement ID, bound to NAME as ?1 and to VALUE as ?2 (an integer
 * or, when TEXT is not NULL, a string), in its own write transaction,
 * ending the user's sessions first when END_SESSIONS is true. Return
 * CR_STORE_NOT_FOUND when it changed no row.
 */
static enum cr_store_status
update_user(struct cr_store *store, enum store_statement id, const char *name, int64_t value,
    const char *text, bool end_sessions)
{
	enum cr_store_status status;
	sqlite3_stmt *stmt = begin_write(store, id, &status);

	if (stmt == NULL)
		return status;
	if (end_sessions) {
		status = end_sessions_of(store, name);
		if (status != CR_STORE_OK) {
			store_rollback(store);
			return status;
		}
	}
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	if (text != NULL)
		sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC);
	else if (id != STMT_USER_DELETE)
		sqlite3_bind_int64(stmt, 2, value);
	return finish_write(store, stmt, true, "cannot change a user");
}

enum cr_store_status
cr_store_user_delete(struct cr_store *store, const char *name)
{
	return update_user(store, STMT_USER_DELETE, name, 0, NULL, false);
}

enum cr_store_status
cr_store_user_set_disabled(struct cr_store *store, const char *name, bool disabled)
{
	return update_user(store, STMT_USER_SET_DISABLED, name, disabled, NULL, disabled);
}

enum cr_store_status
cr_store_user_set_type(struct cr_store *store, const char *name, enum cr_user_type type)
{
	return update_user(store, STMT_USER_SET_TYPE, name, type, NULL, false);
}

enum cr_store_status
cr_store_user_set_password(struct cr_store *store, const char *name, const char *password_hash)
{
	return update_user(store, STMT_USER_SET_PASSWORD, name, 0, password_hash, true);
}

enum cr_store_status
cr_store_user_set_roles(struct cr_store *store, const char *name, char *const *roles,
    size_t nroles)
{
	enum cr_store_status status = store_begin(store);
	struct cr_user user;
	sqlite3_stmt *stmt;
	size_t i;
	int rc = SQLITE_DONE;

	if (status != CR_STORE_OK)
		return status;
	status = cr_store_user_get(store, name, &user);
	if (status != CR_STORE_OK) {
		store_rollback(store);
		return status;
	}
	stmt = store_statement(store, STMT_ROLE_DELETE_ALL);
	if (stmt != NULL) {
		sqlite3_bind_int64(stmt, 1, user.id);
		rc = store_step_done(stmt);
	}
	for (i = 0; stmt != NULL && rc == SQLITE_DONE && i < nroles; i++) {
		stmt = store_statement(store, STMT_ROLE_INSERT);
		if (stmt == NULL)
			break;
		sqlite3_bind_int64(stmt, 1, user.id);
		sqlite3_bind_text(stmt, 2, roles[i], -1, SQLITE_STATIC);
		rc = store_step_done(stmt);
	}
	cr_user_free(&user);
	if (stmt == NULL || rc != SQLITE_DONE) {
		status = stmt == NULL ? CR_STORE_ERROR : store_fail(store, "cannot set roles", rc);
		store_rollback(store);
		return status;
	}
	return store_commit(store);
}

enum cr_store_status
cr_store_token_add(struct cr_store *store, const char *user, const char *id,
    const unsigned char hash[CR_TOKEN_HASH_BYTES], const char *label)
{
	enum cr_store_status status;
	sqlite3_stmt *stmt = begin_write(store, STMT_TOKEN_INSERT, &status);

	if (stmt == NULL)
		return status;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, user, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 3, hash, CR_TOKEN_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, label, -1, SQLITE_STATIC);

	/* The insert selects the user's id, so an unknown user inserts nothing. */
	return finish_write(store, stmt, true, "cannot add a token");
}

/* Read the user id from a one-column lookup by hash, then the user. */
static enum cr_store_status
find_user_by_hash(struct cr_store *store, sqlite3_stmt *stmt, struct cr_user *user)
{
	enum cr_store_status status = CR_STORE_NOT_FOUND;
	int64_t user_id = 0;
	int rc = sqlite3_step(stmt);

	memset(user, 0, sizeof(*user));
	if (rc == SQLITE_ROW) {
		user_id = sqlite3_column_int64(stmt, 0);
		status = CR_STORE_OK;
	} else if (rc != SQLITE_DONE) {
		status = store_fail(store, "cannot look up a credential", rc);
	}
	sqlite3_reset(stmt);
	if (status != CR_STORE_OK)
		return status;
	return get_user_by_id(store, user_id, user);
}

enum cr_store_status
cr_store_token_find(struct cr_store *store, const unsigned char hash[CR_TOKEN_HASH_BYTES],
    struct cr_user *user)
{
	sqlite3_stmt *stmt = store_statement(store, STMT_TOKEN_FIND);

	memset(user, 0, sizeof(*user));
	if (stmt == NULL)
		return CR_STORE_ERROR;
	sqlite3_bind_blob(stmt, 1, hash, CR_TOKEN_HASH_BYTES, SQLITE_STATIC);
	return find_user_by_hash(store, stmt, user);
}

enum cr_store_status
cr_store_token_revoke(struct cr_store *store, const char *id)
{
	enum cr_store_status status;
	sqlite3_stmt *stmt = begin_write(store, STMT_TOKEN_REVOKE, &status);

	if (stmt == NULL)
		return status;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	return finish_write(store, stmt, true, "cannot revoke a token");
}

enum cr_store_status
cr_store_token_list(struct cr_store *store, struct cr_token_info **tokens, size_t *count)
{
	sqlite3_stmt *stmt = store_statement(store, STMT_TOKEN_LIST);
	struct cr_token_info *list = NULL, *grown;
	size_t n = 0;
	int rc;

	*tokens = NULL;
	*count = 0;
	if (stmt == NULL)
		return CR_STORE_ERROR;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		grown = realloc(list, (n + 1) * sizeof(*grown));
		if (grown == NULL)
			break;
		list = grown;
		list[n].id = store_column_text(stmt, 0);
		list[n].user = store_column_text(stmt, 1);
		list[n].label = store_column_text(stmt, 2);
		list[n].created_at = store_column_text(stmt, 3);
		list[n].revoked = sqlite3_column_int(stmt, 4) != 0;
		n++;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		cr_token_list_free(list, n);
		return rc == SQLITE_ROW ? CR_STORE_ERROR : store_fail(store, "cannot list tokens", rc);
	}
	*tokens = list;
	*count = n;
	return CR_STORE_OK;
}

enum cr_store_status
cr_store_session_add(struct cr_store *store, const unsigned char hash[CR_TOKEN_HASH_BYTES],
    const struct cr_user *user, int64_t now, int64_t expires_at)
{
	enum cr_store_status status = store_begin(store);
	sqlite3_stmt *stmt;
	int rc;

	if (status != CR_STORE_OK)
		return status;

	/* Expired sessions are removed as new ones are made. */
	stmt = store_statement(store, STMT_SESSION_PURGE);
	if (stmt == NULL)
		goto error;
	sqlite3_bind_int64(stmt, 1, now);
	rc = store_step_done(stmt);
	if (rc != SQLITE_DONE)
		goto fail;

	stmt = store_statement(store, STMT_SESSION_INSERT);
	if (stmt == NULL)
		goto error;
	sqlite3_bind_blob(stmt, 1, hash, CR_TOKEN_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, user->id);
	sqlite3_bind_int64(stmt, 3, user->credential_version);
	sqlite3_bind_int64(stmt, 4, expires_at);
	rc = store_step_done(stmt);
	if (rc != SQLITE_DONE)
		goto fail;
	return store_commit(store);
fail:
	status = store_fail(store, "cannot store a session", rc);
	store_rollback(store);
	return status;
error:
	store_rollback(store);
	return CR_STORE_ERROR;
}

enum cr_store_status
cr_store_session_find(struct cr_store *store, const unsigned char hash[CR_TOKEN_HASH_BYTES],
    int64_t now, struct cr_user *user)
{
	sqlite3_stmt *stmt = store_statement(store, STMT_SESSION_FIND);

	memset(user, 0, sizeof(*user));
	if (stmt == NULL)
		return CR_STORE_ERROR;
	sqlite3_bind_blob(stmt, 1, hash, CR_TOKEN_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now);
	return find_user_by_hash(store, stmt, user);
}

enum cr_store_status
cr_store_session_delete(struct cr_store *store, const unsigned char hash[CR_TOKEN_HASH_BYTES])
{
	enum cr_store_status status;
	sqlite3_stmt *stmt = begin_write(store, STMT_SESSION_DELETE, &status);

	if (stmt == NULL)
		return status;
	sqlite3_bind_blob(stmt, 1, hash, CR_TOKEN_HASH_BYTES, SQLITE_STATIC);

	/* Ending a session that is already gone succeeds too. */
	return finish_write(store, stmt, false, "cannot end a session");
}
