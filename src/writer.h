/* SPDX-License-Identifier: MIT */
/*
 * Group commit for adds. With several worker threads, each add would
 * wait for its own disk flush while the others queue for SQLite's write
 * lock. The writer thread instead takes every add queued while the
 * previous commit was flushing and commits them together: one flush
 * for the group, and each add's response still waits until it is on
 * disk.
 */
#ifndef CR_WRITER_H
#define CR_WRITER_H

#include <stddef.h>

#include "store.h"

struct cr_writer;

/*
 * Start the writer thread with a store of its own. On failure return -1
 * with a message in ERR.
 */
int cr_writer_start(const struct cr_store_options *options, struct cr_writer **writer,
    char *err, size_t err_size);

/* Commit what is queued, stop the thread and close its store; NULL is accepted. */
void cr_writer_stop(struct cr_writer *writer);

/*
 * Queue ROW for the next group commit and wait until it is durable or
 * failed. The result is that of cr_store_add_connection; on failure,
 * ERROR contains the store's message for the log.
 */
enum cr_store_status cr_writer_add_connection(struct cr_writer *writer,
    const struct cr_connection_row *row, char **clash, char *error, size_t error_size);

#endif
