/* SPDX-License-Identifier: MIT */
/*
 * The configuration file: "key = value" lines, '#' comments, blank lines
 * ignored. Every key is documented in etc/connreg.conf.sample. Relative
 * paths are taken relative to the directory of the configuration file.
 */
#ifndef CR_CONF_H
#define CR_CONF_H

#include <stddef.h>

#include "log.h"

#define CR_CONF_MAX_BODY_LIMIT (16u * 1024u * 1024u)

struct cr_conf {
	char *path;             /* the file that was read */
	char *database;         /* SQLite database file */
	char *key_file;         /* 32-byte key for password encryption */
	size_t max_body_bytes;  /* largest accepted request body */
	unsigned max_json_depth; /* deepest accepted JSON nesting */
	unsigned busy_timeout_ms; /* how long a write waits for the lock */
	unsigned threads;          /* FastCGI worker threads per process */
	enum cr_log_level log_level;
	unsigned auth_methods;     /* bit set of enum cr_auth_method */
	unsigned auth_cache_seconds; /* how long a verified Basic password is remembered */
	unsigned session_lifetime_seconds;
};

/*
 * Read the file at PATH into CONF. On failure, return -1 and write a
 * message naming the file, the line and the key into ERR.
 */
int cr_conf_load(const char *path, struct cr_conf *conf, char *err, size_t err_size);
void cr_conf_free(struct cr_conf *conf);

/*
 * Choose the configuration file: OPTION when given, else the
 * CONNREG_CONFIG environment variable, else the compiled-in default.
 */
const char *cr_conf_choose_path(const char *option);

#endif
