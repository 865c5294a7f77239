/* SPDX-License-Identifier: MIT */
/*
 * The connection store: the only interface through which handlers reach
 * persistent data. store_sqlite.c implements it on one SQLite file; a
 * store on another database implements the same functions. Handlers
 * pass and receive plain values and never see SQL.
 */
#ifndef CR_STORE_H
#define CR_STORE_H

#include <stddef.h>

enum cr_store_status {
	CR_STORE_OK,
	CR_STORE_DUPLICATE,  /* a connection with the same name key exists */
	CR_STORE_NOT_FOUND,
	CR_STORE_BUSY,       /* the write lock was not free within the busy timeout */
	CR_STORE_ERROR,      /* anything else; cr_store_error() says what */
};

struct cr_store;

struct cr_store_options {
	const char *path;
	unsigned busy_timeout_ms;
};

/* One connection as stored. Every pointer is borrowed from the caller. */
struct cr_connection_row {
	const char *id;              /* UUID assigned by the server */
	const char *name;            /* trimmed name, as the client wrote it */
	const char *name_key;        /* folded name, unique across the store */
	const char *document;        /* the connection as JSON text, without the password */
	const unsigned char *secret; /* the sealed password, or NULL */
	size_t secret_len;
};

/*
 * Open the store, creating the file and its schema on first use and
 * migrating an older schema. On failure return CR_STORE_ERROR with a
 * message in ERR and *STORE set to NULL.
 */
enum cr_store_status cr_store_open(const struct cr_store_options *options,
    struct cr_store **store, char *err, size_t err_size);

/* Close the store; NULL is accepted. */
void cr_store_close(struct cr_store *store);

/*
 * Insert ROW durably. When its name key is taken, return
 * CR_STORE_DUPLICATE and, if CLASH is not NULL, set *CLASH to a newly
 * allocated copy of the existing connection's name.
 */
enum cr_store_status cr_store_add_connection(struct cr_store *store,
    const struct cr_connection_row *row, char **clash);

/* The schema version this build writes. */
int cr_store_schema_version(void);

/* A description of the last failure, for the log only: never for clients. */
const char *cr_store_error(const struct cr_store *store);

#endif
