/* SPDX-License-Identifier: MIT */
/* Configuration file reader. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "conf.h"

#ifndef CR_DEFAULT_CONFIG
#define CR_DEFAULT_CONFIG "/etc/connreg/connreg.conf"
#endif

#define MAX_LINE 4096

enum key_kind { KEY_PATH, KEY_SIZE, KEY_UINT, KEY_LEVEL, KEY_AUTH_METHODS };

struct key_spec {
	const char *name;
	enum key_kind kind;
	size_t offset;
	unsigned long min;
	unsigned long max;
};

static const struct key_spec keys[] = {
	{ "database", KEY_PATH, offsetof(struct cr_conf, database), 0, 0 },
	{ "key_file", KEY_PATH, offsetof(struct cr_conf, key_file), 0, 0 },
	{ "max_body_bytes", KEY_SIZE, offsetof(struct cr_conf, max_body_bytes), 1024, CR_CONF_MAX_BODY_LIMIT },
	{ "max_json_depth", KEY_UINT, offsetof(struct cr_conf, max_json_depth), 2, 64 },
	{ "busy_timeout_ms", KEY_UINT, offsetof(struct cr_conf, busy_timeout_ms), 0, 600000 },
	{ "threads", KEY_UINT, offsetof(struct cr_conf, threads), 1, 64 },
	{ "log_level", KEY_LEVEL, offsetof(struct cr_conf, log_level), 0, 0 },
	{ "auth_methods", KEY_AUTH_METHODS, offsetof(struct cr_conf, auth_methods), 0, 0 },
	{ "auth_cache_seconds", KEY_UINT, offsetof(struct cr_conf, auth_cache_seconds), 0, 3600 },
	{ "session_lifetime_seconds", KEY_UINT, offsetof(struct cr_conf, session_lifetime_seconds),
	  60, 31u * 24 * 3600 },
};

const char *
cr_conf_choose_path(const char *option)
{
	const char *env;

	if (option != NULL)
		return option;
	env = getenv("CONNREG_CONFIG");
	if (env != NULL && env[0] != '\0')
		return env;
	return CR_DEFAULT_CONFIG;
}

static char *
trim(char *text)
{
	char *end;

	while (isspace((unsigned char)*text))
		text++;
	end = text + strlen(text);
	while (end > text && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return text;
}

/* Resolve VALUE against the directory of the configuration file. */
static char *
resolve_path(const char *conf_path, const char *value)
{
	const char *slash;
	char *joined;
	size_t dir_len;

	if (value[0] == '/' || (slash = strrchr(conf_path, '/')) == NULL)
		return strdup(value);
	dir_len = (size_t)(slash - conf_path);
	joined = malloc(dir_len + 1 + strlen(value) + 1);
	if (joined == NULL)
		return NULL;
	memcpy(joined, conf_path, dir_len);
	joined[dir_len] = '/';
	strcpy(joined + dir_len + 1, value);
	return joined;
}

static bool
parse_unsigned(const char *text, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long value;
	char *end;

	if (!isdigit((unsigned char)text[0]))
		return false;
	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || value < min || value > max)
		return false;
	*out = value;
	return true;
}

static int
set_key(struct cr_conf *conf, const struct key_spec *key, const char *value,
    char *err, size_t err_size, const char *where)
{
	char *base = (char *)conf + key->offset;
	unsigned long number;
	char **path_slot;

	switch (key->kind) {
	case KEY_PATH:
		if (value[0] == '\0') {
			snprintf(err, err_size, "%s: key '%s' needs a file path", where, key->name);
			return -1;
		}
		path_slot = (char **)(void *)base;
		free(*path_slot);
		*path_slot = resolve_path(conf->path, value);
		if (*path_slot == NULL) {
			snprintf(err, err_size, "%s: out of memory", where);
			return -1;
		}
		return 0;
	case KEY_SIZE:
	case KEY_UINT:
		if (!parse_unsigned(value, key->min, key->max, &number)) {
			snprintf(err, err_size, "%s: key '%s' must be a whole number from %lu to %lu, not '%s'",
			    where, key->name, key->min, key->max, value);
			return -1;
		}
		if (key->kind == KEY_SIZE)
			*(size_t *)(void *)base = number;
		else
			*(unsigned *)(void *)base = (unsigned)number;
		return 0;
	case KEY_LEVEL:
		if (!cr_log_level_parse(value, (enum cr_log_level *)(void *)base)) {
			snprintf(err, err_size, "%s: key '%s' must be error, warn, info or debug, not '%s'",
			    where, key->name, value);
			return -1;
		}
		return 0;
	case KEY_AUTH_METHODS:
		if (!cr_auth_methods_parse(value, (unsigned *)(void *)base)) {
			snprintf(err, err_size, "%s: key '%s' must list basic, session, token or "
			    "remote_user, or be none alone, not '%s'", where, key->name, value);
			return -1;
		}
		return 0;
	}
	return -1;
}

static const struct key_spec *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
parse_line(struct cr_conf *conf, char *line, unsigned lineno, char *err, size_t err_size)
{
	const struct key_spec *key;
	char where[512];
	char *text, *eq, *name, *value;

	snprintf(where, sizeof(where), "%s:%u", conf->path, lineno);
	text = trim(line);
	if (text[0] == '\0' || text[0] == '#')
		return 0;
	eq = strchr(text, '=');
	if (eq == NULL) {
		snprintf(err, err_size, "%s: expected 'key = value'", where);
		return -1;
	}
	*eq = '\0';
	name = trim(text);
	value = trim(eq + 1);
	key = find_key(name);
	if (key == NULL) {
		snprintf(err, err_size, "%s: unknown key '%.64s'", where, name);
		return -1;
	}
	return set_key(conf, key, value, err, err_size, where);
}

int
cr_conf_load(const char *path, struct cr_conf *conf, char *err, size_t err_size)
{
	char line[MAX_LINE];
	unsigned lineno = 0;
	FILE *file;
	int rc = -1;

	memset(conf, 0, sizeof(*conf));
	conf->max_body_bytes = 65536;
	conf->max_json_depth = 16;
	conf->busy_timeout_ms = 5000;
	conf->threads = 4;
	conf->log_level = CR_LOG_INFO;
	conf->auth_methods = CR_AUTH_BASIC | CR_AUTH_SESSION | CR_AUTH_TOKEN;
	conf->auth_cache_seconds = 60;
	conf->session_lifetime_seconds = 8 * 3600;
	conf->path = strdup(path);
	if (conf->path == NULL) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}

	file = fopen(path, "r");
	if (file == NULL) {
		snprintf(err, err_size, "cannot open configuration file %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), file) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(file)) {
			snprintf(err, err_size, "%s:%u: line longer than %d bytes", path, lineno, MAX_LINE - 2);
			goto out;
		}
		if (parse_line(conf, line, lineno, err, err_size) != 0)
			goto out;
	}
	if (ferror(file)) {
		snprintf(err, err_size, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (conf->database == NULL) {
		snprintf(err, err_size, "%s: key 'database' is missing", path);
		goto out;
	}
	if (conf->key_file == NULL) {
		snprintf(err, err_size, "%s: key 'key_file' is missing", path);
		goto out;
	}
	rc = 0;
out:
	fclose(file);
	return rc;
}

void
cr_conf_free(struct cr_conf *conf)
{
	free(conf->path);
	free(conf->database);
	free(conf->key_file);
	memset(conf, 0, sizeof(*conf));
}
