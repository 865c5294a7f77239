/* SPDX-License-Identifier: MIT */
/*
 * A stored connection as the read calls return it: the stored document
 * with its id and stored name, "password":null, "changed":false, and
 * databaseType completed from the database types table.
 */
#ifndef CR_CONNECTION_VIEW_H
#define CR_CONNECTION_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "store.h"

/*
 * Append RECORD as a JSON object to OUT. When WITH_ACCESS_MAP is true,
 * add "accessMap": one {"name":"<code>","value":"true|false"} for each
 * permission code 0-4, true where bit CODE of GRANTED is set. Return -1
 * when the stored document cannot be read or memory runs out.
 */
int cr_connection_render(struct cr_buf *out, const struct cr_connection_record *record,
    bool with_access_map, unsigned granted);

/* Write the strong ETag of RECORD ("\"ID.VERSION\"") into OUT of SIZE bytes. */
void cr_connection_etag(const struct cr_connection_record *record, char *out, size_t size);

#endif
