/* SPDX-License-Identifier: MIT */
/* The change history on SQLite: one row per add, update, delete or ACL change. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store_sqlite_internal.h"

int
store_history_record(struct cr_store *store, const char *actor, const char *action,
    const char *connection_id, const char *connection_name, const char *name_key,
    const char *changes)
{
	sqlite3_stmt *stmt = store_statement(store, STMT_HISTORY_INSERT);

	if (stmt == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_text(stmt, 1, actor != NULL ? actor : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, connection_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, connection_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, name_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, changes, -1, SQLITE_STATIC);
	return store_step_done(stmt);
}

static void
free_entry(struct cr_history_entry *entry)
{
	free(entry->at);
	free(entry->actor);
	free(entry->action);
	free(entry->connection_id);
	free(entry->connection_name);
	free(entry->changes);
}

void
cr_history_list_free(struct cr_history_entry *entries, size_t count)
{
	size_t i;

	for (i = 0; entries != NULL && i < count; i++)
		free_entry(&entries[i]);
	free(entries);
}

static int
read_entry(sqlite3_stmt *stmt, struct cr_history_entry *entry)
{
	entry->id = sqlite3_column_int64(stmt, 0);
	entry->at = store_column_text(stmt, 1);
	entry->actor = store_column_text(stmt, 2);
	entry->action = store_column_text(stmt, 3);
	entry->connection_id = store_column_text(stmt, 4);
	entry->connection_name = store_column_text(stmt, 5);
	entry->changes = store_column_text(stmt, 6);
	if (entry->at == NULL || entry->actor == NULL || entry->action == NULL ||
	    entry->connection_id == NULL || entry->connection_name == NULL ||
	    entry->changes == NULL) {
		free_entry(entry);
		return -1;
	}
	return 0;
}

enum cr_store_status
cr_store_history_list(struct cr_store *store, const char *name_key,
    struct cr_history_entry **entries, size_t *count)
{
	sqlite3_stmt *stmt = store_statement(store,
	    name_key != NULL ? STMT_HISTORY_LIST_NAME : STMT_HISTORY_LIST);
	struct cr_history_entry *grown;
	size_t capacity = 0;
	int rc;

	*entries = NULL;
	*count = 0;
	if (stmt == NULL)
		return CR_STORE_ERROR;
	if (name_key != NULL)
		sqlite3_bind_text(stmt, 1, name_key, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (*count == capacity) {
			capacity = capacity ? capacity * 2 : 16;
			grown = realloc(*entries, capacity * sizeof(*grown));
			if (grown == NULL)
				break;
			*entries = grown;
		}
		if (read_entry(stmt, &(*entries)[*count]) != 0)
			break;
		(*count)++;
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return CR_STORE_OK;
	cr_history_list_free(*entries, *count);
	*entries = NULL;
	*count = 0;
	return rc == SQLITE_ROW ? CR_STORE_ERROR : store_fail(store, "cannot read the history", rc);
}
