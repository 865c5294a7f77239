/* SPDX-License-Identifier: MIT */
/*
 * The service: configuration, store and key loaded once per process,
 * and the function that serves one request from any gateway interface.
 */
#ifndef CR_APP_H
#define CR_APP_H

#include <stddef.h>

#include "conf.h"
#include "http.h"
#include "secret.h"
#include "store.h"

struct cr_writer;

/*
 * The state one thread serves requests with. Worker threads each have
 * their own store, because an SQLite connection is used by one thread at
 * a time, and share the configuration, the key and the writer.
 */
struct cr_app {
	struct cr_conf conf;
	struct cr_store *store;
	struct cr_secret_key key;
	struct cr_writer *writer;  /* group commit for adds, or NULL to add directly */
};

/*
 * Load the configuration at CONFIG_PATH, open the store and the key
 * (creating either when missing). On failure return -1 with a message
 * in ERR, and APP then has nothing that needs closing.
 */
int cr_app_open(struct cr_app *app, const char *config_path, char *err, size_t err_size);
void cr_app_close(struct cr_app *app);

/*
 * Add a connection through the group commit writer when there is one,
 * else directly. On BUSY or ERROR, ERROR contains the store's message.
 */
enum cr_store_status cr_app_add_connection(struct cr_app *app,
    const struct cr_connection_row *row, char **clash, char *error, size_t error_size);

/*
 * Serve one request: route it, read and check its body, run the
 * handler, send the response and log one line. Never exits; every
 * failure becomes an HTTP error response.
 */
void cr_app_serve(struct cr_app *app, struct cr_io *io);

#endif
