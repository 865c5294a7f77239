/* SPDX-License-Identifier: MIT */
/*
 * Reading, changing and deleting stored connections on SQLite. Every
 * change runs in one BEGIN IMMEDIATE transaction together with its
 * history entry, so the history never misses a committed change.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "store_sqlite_internal.h"

/* Column order of CONNECTION_COLUMNS in store_sqlite.c. */
enum {
	COLUMN_ID,
	COLUMN_NAME,
	COLUMN_NAME_KEY,
	COLUMN_DOCUMENT,
	COLUMN_PASSWORD,
	COLUMN_VERSION,
	COLUMN_OWNER,
	COLUMN_INHERITING,
};

void
cr_connection_record_free(struct cr_connection_record *record)
{
	free(record->id);
	free(record->name);
	free(record->name_key);
	free(record->document);
	free(record->secret);
	cr_acl_free(&record->acl);
	memset(record, 0, sizeof(*record));
}

void
cr_connection_records_free(struct cr_connection_record *records, size_t count)
{
	size_t i;

	for (i = 0; records != NULL && i < count; i++)
		cr_connection_record_free(&records[i]);
	free(records);
}

/* Copy the current row of STMT into RECORD; -1 when out of memory. */
static int
read_record(sqlite3_stmt *stmt, struct cr_connection_record *record)
{
	const void *blob = sqlite3_column_blob(stmt, COLUMN_PASSWORD);
	int blob_len = sqlite3_column_bytes(stmt, COLUMN_PASSWORD);

	memset(record, 0, sizeof(*record));
	record->id = store_column_text(stmt, COLUMN_ID);
	record->name = store_column_text(stmt, COLUMN_NAME);
	record->name_key = store_column_text(stmt, COLUMN_NAME_KEY);
	record->document = store_column_text(stmt, COLUMN_DOCUMENT);
	record->version = sqlite3_column_int64(stmt, COLUMN_VERSION);
	record->acl.owner = store_column_text(stmt, COLUMN_OWNER);
	record->acl.entries_inheriting = sqlite3_column_int(stmt, COLUMN_INHERITING) != 0;
	if (blob != NULL && blob_len > 0) {
		record->secret = malloc((size_t)blob_len);
		if (record->secret == NULL)
			goto fail;
		memcpy(record->secret, blob, (size_t)blob_len);
		record->secret_len = (size_t)blob_len;
	}
	if (record->id == NULL || record->name == NULL || record->name_key == NULL ||
	    record->document == NULL || record->acl.owner == NULL)
		goto fail;
	return 0;
fail:
	cr_connection_record_free(record);
	return -1;
}

/* Read the one row that STATEMENT selects by KEY, with its ACL. */
static enum cr_store_status
get_one(struct cr_store *store, enum store_statement statement, const char *key,
    struct cr_connection_record *record)
{
	sqlite3_stmt *stmt = store_statement(store, statement);
	enum cr_store_status status = CR_STORE_NOT_FOUND;
	int rc;

	memset(record, 0, sizeof(*record));
	if (stmt == NULL)
		return CR_STORE_ERROR;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		status = read_record(stmt, record) == 0 ? CR_STORE_OK : CR_STORE_ERROR;
	else if (rc != SQLITE_DONE)
		status = store_fail(store, "cannot read a connection", rc);
	sqlite3_reset(stmt);
	if (status == CR_STORE_OK)
		status = store_read_aces(store, record->id, &record->acl);
	if (status != CR_STORE_OK)
		cr_connection_record_free(record);
	return status;
}

enum cr_store_status
cr_store_get_connection(struct cr_store *store, const char *name_key,
    struct cr_connection_record *record)
{
	return get_one(store, STMT_CONNECTION_GET, name_key, record);
}

enum cr_store_status
cr_store_get_connection_by_id(struct cr_store *store, const char *id,
    struct cr_connection_record *record)
{
	return get_one(store, STMT_CONNECTION_GET_BY_ID, id, record);
}

/* An index entry that finds a record by its id. */
struct id_slot {
	const char *id;
	size_t index;
};

static int
compare_slots(const void *a, const void *b)
{
	return strcmp(((const struct id_slot *)a)->id, ((const struct id_slot *)b)->id);
}

static int
append_ace(struct cr_acl *acl, sqlite3_stmt *stmt)
{
	struct cr_ace *grown = realloc(acl->aces, (acl->naces + 1) * sizeof(*grown));

	if (grown == NULL)
		return -1;
	acl->aces = grown;
	grown[acl->naces].type = (enum cr_recipient_type)sqlite3_column_int(stmt, 1);
	grown[acl->naces].permissions = (unsigned)sqlite3_column_int(stmt, 3);
	grown[acl->naces].recipient = store_column_text(stmt, 2);
	if (grown[acl->naces].recipient == NULL)
		return -1;
	acl->naces++;
	return 0;
}

/* Read every ACL entry in one query and attach it to its record. */
static enum cr_store_status
attach_all_aces(struct cr_store *store, struct cr_connection_record *records, size_t count)
{
	struct id_slot *slots, key, *found;
	enum cr_store_status status = CR_STORE_OK;
	sqlite3_stmt *stmt;
	size_t i;
	int rc;

	slots = malloc((count ? count : 1) * sizeof(*slots));
	stmt = store_statement(store, STMT_ACE_LIST_ALL);
	if (slots == NULL || stmt == NULL) {
		free(slots);
		return CR_STORE_ERROR;
	}
	for (i = 0; i < count; i++) {
		slots[i].id = records[i].id;
		slots[i].index = i;
	}
	qsort(slots, count, sizeof(*slots), compare_slots);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		key.id = (const char *)sqlite3_column_text(stmt, 0);
		if (key.id == NULL)
			continue;
		found = bsearch(&key, slots, count, sizeof(*slots), compare_slots);
		if (found != NULL && append_ace(&records[found->index].acl, stmt) != 0) {
			status = CR_STORE_ERROR;
			break;
		}
	}
	if (status == CR_STORE_OK && rc != SQLITE_DONE)
		status = store_fail(store, "cannot read the ACL entries", rc);
	sqlite3_reset(stmt);
	free(slots);
	return status;
}

/* Read every row, in name key order, without ACL entries. */
static enum cr_store_status
read_all_rows(struct cr_store *store, struct cr_connection_record **records, size_t *count)
{
	sqlite3_stmt *stmt = store_statement(store, STMT_CONNECTION_LIST);
	struct cr_connection_record *grown;
	size_t capacity = 0;
	int rc;

	if (stmt == NULL)
		return CR_STORE_ERROR;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (*count == capacity) {
			capacity = capacity ? capacity * 2 : 64;
			grown = realloc(*records, capacity * sizeof(*grown));
			if (grown == NULL)
				break;
			*records = grown;
		}
		if (read_record(stmt, &(*records)[*count]) != 0)
			break;
		(*count)++;
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return CR_STORE_ERROR;
	if (rc != SQLITE_DONE)
		return store_fail(store, "cannot list the connections", rc);
	return CR_STORE_OK;
}

/*
 * Both queries run in one read transaction, so that the entries match
 * the rows even while another process changes them.
 */
enum cr_store_status
cr_store_list_connections(struct cr_store *store, struct cr_connection_record **records,
    size_t *count)
{
	enum cr_store_status status;
	int rc;

	*records = NULL;
	*count = 0;
	rc = sqlite3_exec(store->db, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_fail(store, "cannot begin a read transaction", rc);
	status = read_all_rows(store, records, count);
	if (status == CR_STORE_OK)
		status = attach_all_aces(store, *records, *count);
	store_rollback(store);
	if (status != CR_STORE_OK) {
		cr_connection_records_free(*records, *count);
		*records = NULL;
		*count = 0;
	}
	return status;
}

static int
bind_change(sqlite3_stmt *stmt, const struct cr_connection_change *change)
{
	sqlite3_bind_text(stmt, 1, change->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, change->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, change->name_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, change->document, -1, SQLITE_STATIC);
	if (change->secret != NULL)
		sqlite3_bind_blob(stmt, 5, change->secret, (int)change->secret_len, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 6, change->secret != NULL);
	return store_step_done(stmt);
}

/* Look up the name holding NAME_KEY for a clash message; NULL when none. */
static char *
find_holder(struct cr_store *store, const char *name_key)
{
	struct cr_connection_record other;
	char *name = NULL;

	if (get_one(store, STMT_CONNECTION_GET, name_key, &other) == CR_STORE_OK) {
		name = other.name;
		other.name = NULL;
		cr_connection_record_free(&other);
	}
	return name;
}

/* True when the two documents differ in any member, whatever their order. */
static bool
document_differs(const char *old_document, const char *new_document)
{
	char *changes = cr_history_diff(old_document, new_document, false);
	bool differs = changes == NULL || strcmp(changes, "[]") != 0;

	free(changes);
	return differs;
}

static enum cr_store_status
record_update(struct cr_store *store, const struct cr_connection_change *change,
    const struct cr_connection_record *old)
{
	char *changes = cr_history_diff(old->document, change->document, change->secret != NULL);
	int rc;

	if (changes == NULL)
		return CR_STORE_ERROR;
	rc = store_history_record(store, change->actor, "update", change->id, change->name,
	    change->name_key, changes);
	free(changes);
	return rc == SQLITE_DONE ? CR_STORE_OK : store_fail(store, "cannot record the history", rc);
}

enum cr_store_status
cr_store_update_connection(struct cr_store *store, const struct cr_connection_change *change,
    char **clash)
{
	struct cr_connection_record old;
	enum cr_store_status status;
	sqlite3_stmt *stmt;
	int rc;

	if (clash != NULL)
		*clash = NULL;
	status = store_begin(store);
	if (status != CR_STORE_OK)
		return status;
	status = get_one(store, STMT_CONNECTION_GET_BY_ID, change->id, &old);
	if (status != CR_STORE_OK)
		goto out;
	if (change->expected_version != 0 && change->expected_version != old.version) {
		status = CR_STORE_CONFLICT;
		goto out;
	}

	/* An update that changes nothing keeps the version, so that other
	 * clients' ETags stay valid, and records no history. */
	if (change->secret == NULL && strcmp(old.name, change->name) == 0 &&
	    !document_differs(old.document, change->document)) {
		cr_connection_record_free(&old);
		store_rollback(store);
		return CR_STORE_OK;
	}

	stmt = store_statement(store, STMT_CONNECTION_UPDATE);
	rc = stmt != NULL ? bind_change(stmt, change) : SQLITE_ERROR;
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		if (clash != NULL)
			*clash = find_holder(store, change->name_key);
		status = CR_STORE_DUPLICATE;
		goto out;
	}
	if (rc != SQLITE_DONE) {
		status = stmt != NULL ? store_fail(store, "cannot update a connection", rc) :
		    CR_STORE_ERROR;
		goto out;
	}
	status = record_update(store, change, &old);
	if (status == CR_STORE_OK) {
		cr_connection_record_free(&old);
		return store_commit(store);
	}
out:
	cr_connection_record_free(&old);
	store_rollback(store);
	return status;
}

enum cr_store_status
cr_store_delete_connection(struct cr_store *store, const char *name_key, const char *actor)
{
	struct cr_connection_record old;
	enum cr_store_status status;
	sqlite3_stmt *stmt;
	char *changes = NULL;
	int rc;

	status = store_begin(store);
	if (status != CR_STORE_OK)
		return status;
	status = get_one(store, STMT_CONNECTION_GET, name_key, &old);
	if (status != CR_STORE_OK)
		goto out;
	stmt = store_statement(store, STMT_CONNECTION_DELETE);
	if (stmt == NULL) {
		status = CR_STORE_ERROR;
		goto out;
	}
	sqlite3_bind_text(stmt, 1, old.id, -1, SQLITE_STATIC);
	rc = store_step_done(stmt);
	if (rc == SQLITE_DONE) {
		changes = cr_history_diff(old.document, NULL, false);
		rc = changes != NULL ? store_history_record(store, actor, "delete", old.id, old.name,
		    old.name_key, changes) : SQLITE_NOMEM;
	}
	if (rc != SQLITE_DONE) {
		status = store_fail(store, "cannot delete a connection", rc);
		goto out;
	}
	free(changes);
	cr_connection_record_free(&old);
	return store_commit(store);
out:
	free(changes);
	cr_connection_record_free(&old);
	store_rollback(store);
	return status;
}
