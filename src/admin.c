/* SPDX-License-Identifier: MIT */
/*
 * connreg: the administration command. It works on the database named
 * by the same configuration file as connreg-fcgi: users, their types,
 * roles and passwords, API tokens, and the change history of
 * connections. Passwords are read from the
 * terminal without echo, or from standard input with --stdin, and never
 * from the command line, where other users could see them.
 */
#include "config.h"

#include <stdarg.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sodium.h>

#include "auth.h"
#include "authz.h"
#include "conf.h"
#include "names.h"
#include "secret.h"
#include "store.h"

#define MAX_PASSWORD 1024
#define MAX_NAME 128

struct admin {
	struct cr_conf conf;
	struct cr_store *store;
};

static int
fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("connreg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* A wrong number or form of arguments: exit status 2, as for options. */
static int
usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("connreg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nRun connreg --help for the commands and their arguments.\n", stderr);
	return 2;
}

static int
store_failure(struct admin *admin, enum cr_store_status status, const char *what,
    const char *name)
{
	bool token = strcmp(what, "token revoke") == 0;

	switch (status) {
	case CR_STORE_OK:
		return 0;
	case CR_STORE_NOT_FOUND:
		if (token)
			return fail("%s: no token has the id '%s'", what, name);
		return fail("%s: no user named '%s'", what, name);
	case CR_STORE_DUPLICATE:
		return fail("%s: '%s' already exists", what, name);
	case CR_STORE_BUSY:
		return fail("%s: the database is busy; try again", what);
	case CR_STORE_CONFLICT:
	case CR_STORE_ERROR:
		break;
	}
	return fail("%s: %s", what, cr_store_error(admin->store));
}

static bool
valid_name(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > MAX_NAME)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x21 || name[i] == 0x7f || name[i] == ':')
			return false;
	return true;
}

/* Read one line into BUF without echo when standard input is a terminal. */
static int
read_secret_line(const char *prompt, char *buf, size_t size)
{
	struct termios saved, quiet;
	bool terminal = isatty(STDIN_FILENO);
	size_t len;

	if (terminal) {
		fputs(prompt, stderr);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &saved) != 0)
			return -1;
		quiet = saved;
		quiet.c_lflag &= (tcflag_t)~ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, (int)size, stdin) == NULL)
		buf[0] = '\0';
	if (terminal) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		fputc('\n', stderr);
	}
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	else if (len == size - 1)
		return -1;  /* longer than the buffer */
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	return 0;
}

static int
read_password(bool from_stdin, char *password, size_t size)
{
	char again[MAX_PASSWORD + 2];

	if (!from_stdin && !isatty(STDIN_FILENO))
		return fail("set-password: standard input is not a terminal; use --stdin to read "
		    "the password from it");
	if (read_secret_line("New password: ", password, size) != 0)
		return fail("set-password: the password is longer than %d bytes", MAX_PASSWORD);
	if (password[0] == '\0')
		return fail("set-password: the password must not be empty");
	if (!from_stdin) {
		if (read_secret_line("Repeat the password: ", again, sizeof(again)) != 0 ||
		    strcmp(password, again) != 0) {
			sodium_memzero(again, sizeof(again));
			return fail("set-password: the passwords do not match; nothing was changed");
		}
		sodium_memzero(again, sizeof(again));
	}
	return 0;
}

static int
open_admin(struct admin *admin, const char *config_path)
{
	struct cr_store_options options;
	struct cr_secret_key key;
	char err[1024];

	if (sodium_init() < 0)
		return fail("libsodium failed to initialize");
	if (cr_conf_load(config_path, &admin->conf, err, sizeof(err)) != 0) {
		cr_conf_free(&admin->conf);
		return fail("%s", err);
	}
	/* The key file is created here too, so that init prepares everything. */
	if (cr_secret_key_load(admin->conf.key_file, true, &key, err, sizeof(err)) != 0) {
		cr_conf_free(&admin->conf);
		return fail("%s", err);
	}
	cr_secret_key_wipe(&key);
	options.path = admin->conf.database;
	options.busy_timeout_ms = admin->conf.busy_timeout_ms;
	if (cr_store_open(&options, &admin->store, err, sizeof(err)) != CR_STORE_OK) {
		cr_conf_free(&admin->conf);
		return fail("cannot open database %s", err);
	}
	return 0;
}

static int
command_init(struct admin *admin, int argc, char **argv)
{
	(void)argv;
	if (argc != 0)
		return usage_error("init takes no arguments");
	printf("database %s is ready (schema version %d)\n", admin->conf.database,
	    cr_store_schema_version());
	return 0;
}

static int
parse_type(const char *text, enum cr_user_type *type)
{
	if (!cr_user_type_parse(text, type))
		return usage_error("unknown user type '%s': use SYS_Reader, SYS_Creator or "
		    "Administrator", text);
	return 0;
}

static int
command_user_add(struct admin *admin, int argc, char **argv)
{
	enum cr_user_type type = CR_USER_READER;
	char *roles[64];
	size_t nroles = 0;
	int i, rc;

	if (argc < 1 || !valid_name(argv[0]))
		return usage_error("user add needs a user name of 1 to %d visible characters "
		    "without ':'", MAX_NAME);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--type") == 0 && i + 1 < argc) {
			if (parse_type(argv[++i], &type) != 0)
				return 2;
		} else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc) {
			if (nroles == sizeof(roles) / sizeof(roles[0]) || !valid_name(argv[i + 1]))
				return fail("invalid or too many roles");
			roles[nroles++] = argv[++i];
		} else {
			return usage_error("user add: unknown argument '%s'", argv[i]);
		}
	}
	rc = store_failure(admin, cr_store_user_add(admin->store, argv[0], type), "user add",
	    argv[0]);
	if (rc == 0 && nroles > 0)
		rc = store_failure(admin, cr_store_user_set_roles(admin->store, argv[0], roles, nroles),
		    "user add", argv[0]);
	if (rc == 0)
		printf("added user %s (%s); set a password with: connreg --config %s "
		    "user set-password %s\n", argv[0], cr_user_type_name(type), admin->conf.path,
		    argv[0]);
	return rc;
}

static int
command_user_list(struct admin *admin, int argc, char **argv)
{
	struct cr_user *users;
	size_t count, i, j;
	enum cr_store_status status;

	(void)argv;
	if (argc != 0)
		return usage_error("user list takes no arguments");
	status = cr_store_user_list(admin->store, &users, &count);
	if (status != CR_STORE_OK)
		return store_failure(admin, status, "user list", "");
	printf("%-24s %-14s %-9s %-8s %s\n", "NAME", "TYPE", "STATE", "PASSWORD", "ROLES");
	for (i = 0; i < count; i++) {
		printf("%-24s %-14s %-9s %-8s ", users[i].name, cr_user_type_name(users[i].type),
		    users[i].disabled ? "disabled" : "enabled",
		    users[i].password_hash != NULL ? "set" : "none");
		for (j = 0; j < users[i].nroles; j++)
			printf("%s%s", j ? "," : "", users[i].roles[j]);
		printf("%s\n", users[i].nroles ? "" : "-");
		cr_user_free(&users[i]);
	}
	free(users);
	return 0;
}

static int
command_user_one(struct admin *admin, int argc, char **argv, const char *what)
{
	enum cr_store_status status;
	enum cr_user_type type;

	if (strcmp(what, "set-type") == 0) {
		if (argc != 2)
			return usage_error("usage: connreg user set-type NAME TYPE");
		if (parse_type(argv[1], &type) != 0)
			return 2;
		status = cr_store_user_set_type(admin->store, argv[0], type);
	} else if (argc != 1) {
		return usage_error("usage: connreg user %s NAME", what);
	} else if (strcmp(what, "disable") == 0) {
		status = cr_store_user_set_disabled(admin->store, argv[0], true);
	} else if (strcmp(what, "enable") == 0) {
		status = cr_store_user_set_disabled(admin->store, argv[0], false);
	} else {
		status = cr_store_user_delete(admin->store, argv[0]);
	}
	if (status != CR_STORE_OK)
		return store_failure(admin, status, what, argv[0]);
	printf("user %s: %s done\n", argv[0], what);
	return 0;
}

static int
command_user_roles(struct admin *admin, int argc, char **argv)
{
	enum cr_store_status status;
	int i;

	if (argc < 1)
		return usage_error("usage: connreg user set-roles NAME [ROLE...]");
	for (i = 1; i < argc; i++)
		if (!valid_name(argv[i]))
			return fail("invalid role name '%s'", argv[i]);
	status = cr_store_user_set_roles(admin->store, argv[0], argv + 1, (size_t)(argc - 1));
	if (status != CR_STORE_OK)
		return store_failure(admin, status, "set-roles", argv[0]);
	printf("user %s now has %d role(s)\n", argv[0], argc - 1);
	return 0;
}

static int
command_user_password(struct admin *admin, int argc, char **argv)
{
	char password[MAX_PASSWORD + 2], hash[crypto_pwhash_STRBYTES];
	enum cr_store_status status;
	bool from_stdin = false;
	struct cr_user user;
	int rc;

	if (argc == 2 && strcmp(argv[1], "--stdin") == 0)
		from_stdin = true;
	else if (argc != 1)
		return usage_error("usage: connreg user set-password NAME [--stdin]");
	status = cr_store_user_get(admin->store, argv[0], &user);
	if (status != CR_STORE_OK)
		return store_failure(admin, status, "set-password", argv[0]);
	cr_user_free(&user);

	rc = read_password(from_stdin, password, sizeof(password));
	if (rc == 0 && cr_auth_hash_password(password, strlen(password), hash, sizeof(hash)) != 0)
		rc = fail("set-password: hashing failed (out of memory?)");
	sodium_memzero(password, sizeof(password));
	if (rc != 0)
		return rc;
	status = cr_store_user_set_password(admin->store, argv[0], hash);
	if (status != CR_STORE_OK)
		return store_failure(admin, status, "set-password", argv[0]);
	printf("password of %s changed; its sessions have ended\n", argv[0]);
	return 0;
}

static int
command_token_create(struct admin *admin, int argc, char **argv)
{
	char secret[CR_SECRET_TEXT_LEN + 1], token[sizeof(CR_TOKEN_PREFIX) + CR_SECRET_TEXT_LEN];
	unsigned char hash[CR_TOKEN_HASH_BYTES], id_bytes[6];
	char id[sizeof(id_bytes) * 2 + 1];
	const char *label = "";
	enum cr_store_status status;

	if (argc == 3 && strcmp(argv[1], "--label") == 0)
		label = argv[2];
	else if (argc != 1)
		return usage_error("usage: connreg token create USER [--label TEXT]");

	cr_auth_random_text(secret);
	snprintf(token, sizeof(token), "%s%s", CR_TOKEN_PREFIX, secret);
	cr_auth_secret_hash(token, strlen(token), hash);
	randombytes_buf(id_bytes, sizeof(id_bytes));
	sodium_bin2hex(id, sizeof(id), id_bytes, sizeof(id_bytes));
	status = cr_store_token_add(admin->store, argv[0], id, hash, label);
	if (status != CR_STORE_OK) {
		sodium_memzero(token, sizeof(token));
		return store_failure(admin, status, "token create", argv[0]);
	}
	printf("token %s for user %s (shown once; send it as \"Authorization: Bearer TOKEN\"):\n%s\n",
	    id, argv[0], token);
	sodium_memzero(token, sizeof(token));
	sodium_memzero(secret, sizeof(secret));
	return 0;
}

static int
command_token_list(struct admin *admin, int argc, char **argv)
{
	struct cr_token_info *tokens;
	enum cr_store_status status;
	size_t count, i;

	(void)argv;
	if (argc != 0)
		return usage_error("token list takes no arguments");
	status = cr_store_token_list(admin->store, &tokens, &count);
	if (status != CR_STORE_OK)
		return store_failure(admin, status, "token list", "");
	printf("%-12s %-24s %-8s %-24s %s\n", "ID", "USER", "STATE", "CREATED", "LABEL");
	for (i = 0; i < count; i++)
		printf("%-12s %-24s %-8s %-24s %s\n", tokens[i].id, tokens[i].user,
		    tokens[i].revoked ? "revoked" : "active", tokens[i].created_at, tokens[i].label);
	cr_token_list_free(tokens, count);
	return 0;
}

static int
command_token_revoke(struct admin *admin, int argc, char **argv)
{
	enum cr_store_status status;

	if (argc != 1)
		return usage_error("usage: connreg token revoke ID");
	status = cr_store_token_revoke(admin->store, argv[0]);
	if (status != CR_STORE_OK)
		return store_failure(admin, status, "token revoke", argv[0]);
	printf("token %s revoked\n", argv[0]);
	return 0;
}

/* Print each member of DOCUMENT as added (ADDED) or removed. */
static void
print_document_members(struct json_object *document, bool added)
{
	const int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;

	if (!json_object_is_type(document, json_type_object))
		return;
	json_object_object_foreach(document, key, value) {
		const char *text = value != NULL ? json_object_to_json_string_ext(value, flags) : "null";

		if (added)
			printf("    /%s: (none) -> %s\n", key, text);
		else
			printf("    /%s: %s -> (none)\n", key, text);
	}
}

/* Print one change of a history entry: "FIELD: OLD -> NEW", never a password. */
static void
print_change(struct json_object *change)
{
	struct json_object *field, *old_value, *new_value;
	const int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;

	if (!json_object_object_get_ex(change, "field", &field))
		return;
	if (json_object_object_get_ex(change, "changed", NULL)) {
		printf("    %s: changed\n", json_object_get_string(field));
		return;
	}
	if (!json_object_object_get_ex(change, "old", &old_value))
		old_value = NULL;
	if (!json_object_object_get_ex(change, "new", &new_value))
		new_value = NULL;

	/* A whole document (an add or a delete) is shown member by member. */
	if (json_object_get_string_len(field) == 0) {
		print_document_members(new_value != NULL ? new_value : old_value, new_value != NULL);
		return;
	}
	printf("    %s: %s -> %s\n", json_object_get_string(field),
	    old_value != NULL ? json_object_to_json_string_ext(old_value, flags) : "(none)",
	    new_value != NULL ? json_object_to_json_string_ext(new_value, flags) : "(none)");
}

static void
print_history_entry(const struct cr_history_entry *entry)
{
	struct json_object *changes = json_tokener_parse(entry->changes);
	size_t i, n;

	printf("%s  %-6s  %s  (id %s) by %s\n", entry->at, entry->action, entry->connection_name,
	    entry->connection_id, entry->actor[0] != '\0' ? entry->actor : "(unknown)");
	n = json_object_is_type(changes, json_type_array) ? json_object_array_length(changes) : 0;
	for (i = 0; i < n; i++)
		print_change(json_object_array_get_idx(changes, i));
	json_object_put(changes);
}

static int
command_history(struct admin *admin, int argc, char **argv)
{
	struct cr_history_entry *entries;
	enum cr_store_status status;
	char *trimmed = NULL, *name_key = NULL;
	size_t count, i;

	if (argc > 1)
		return usage_error("usage: connreg history [NAME]");
	if (argc == 1) {
		trimmed = cr_name_trim(argv[0]);
		name_key = trimmed != NULL ? cr_name_fold(trimmed) : NULL;
		free(trimmed);
		if (name_key == NULL)
			return fail("history: '%s' is not a valid connection name", argv[0]);
	}
	status = cr_store_history_list(admin->store, name_key, &entries, &count);
	free(name_key);
	if (status != CR_STORE_OK)
		return store_failure(admin, status, "history", argc == 1 ? argv[0] : "");
	if (count == 0 && argc == 1)
		printf("no changes recorded for a connection named '%s'\n", argv[0]);
	for (i = 0; i < count; i++)
		print_history_entry(&entries[i]);
	cr_history_list_free(entries, count);
	return 0;
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "Usage: connreg [--config FILE] COMMAND [ARGUMENTS]\n"
	    "\n"
	    "Commands:\n"
	    "  init                               create the database and key file\n"
	    "  user add NAME [--type TYPE] [--role ROLE]...\n"
	    "                                     add a user (TYPE: SYS_Reader (default),\n"
	    "                                     SYS_Creator or Administrator)\n"
	    "  user list                          list users\n"
	    "  user set-password NAME [--stdin]   set a password, prompted without echo,\n"
	    "                                     or read as one line from standard input\n"
	    "  user set-type NAME TYPE            change a user's type\n"
	    "  user set-roles NAME [ROLE...]      replace a user's roles\n"
	    "  user disable NAME                  refuse the user's credentials\n"
	    "  user enable NAME                   accept them again\n"
	    "  user delete NAME                   delete a user, its tokens and sessions\n"
	    "  token create USER [--label TEXT]   make an API token and print it once\n"
	    "  token list                         list tokens (never their secrets)\n"
	    "  token revoke ID                    revoke a token\n"
	    "  history [NAME]                     show who added, updated or deleted\n"
	    "                                     connections and changed their ACLs,\n"
	    "                                     with old and new values (never a\n"
	    "                                     password); NAME limits it to every\n"
	    "                                     connection ever called NAME\n"
	    "\n"
	    "The configuration file is found as for connreg-fcgi: --config, then\n"
	    "$CONNREG_CONFIG, then %s.\n",
	    cr_conf_choose_path(NULL));
}

typedef int (*command_fn)(struct admin *admin, int argc, char **argv);

static int
command_user_set_type(struct admin *admin, int argc, char **argv)
{
	return command_user_one(admin, argc, argv, "set-type");
}

static int
command_user_disable(struct admin *admin, int argc, char **argv)
{
	return command_user_one(admin, argc, argv, "disable");
}

static int
command_user_enable(struct admin *admin, int argc, char **argv)
{
	return command_user_one(admin, argc, argv, "enable");
}

static int
command_user_delete(struct admin *admin, int argc, char **argv)
{
	return command_user_one(admin, argc, argv, "delete");
}

/* Commands by group and verb; a NULL verb takes the arguments directly. */
static const struct {
	const char *group;
	const char *verb;
	command_fn run;
} commands[] = {
	{ "init", NULL, command_init },
	{ "history", NULL, command_history },
	{ "user", "add", command_user_add },
	{ "user", "list", command_user_list },
	{ "user", "set-password", command_user_password },
	{ "user", "set-roles", command_user_roles },
	{ "user", "set-type", command_user_set_type },
	{ "user", "disable", command_user_disable },
	{ "user", "enable", command_user_enable },
	{ "user", "delete", command_user_delete },
	{ "token", "create", command_token_create },
	{ "token", "list", command_token_list },
	{ "token", "revoke", command_token_revoke },
};

/* Find the command that ARGV names; *USED is how many words name it. */
static command_fn
find_command(int argc, char **argv, int *used)
{
	const char *verb = argc > 1 ? argv[1] : "";
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].group, argv[0]) != 0)
			continue;
		if (commands[i].verb == NULL) {
			*used = 1;
			return commands[i].run;
		}
		if (strcmp(commands[i].verb, verb) == 0) {
			*used = 2;
			return commands[i].run;
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_option = NULL;
	struct admin admin;
	command_fn run;
	int opt, rc, used = 0;

	/* Stop at the first command word, so commands keep their own options. */
	while ((opt = getopt_long(argc, argv, "+c:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'c': config_option = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("connreg %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}

	/* The command is checked first, so a typo is reported as such even
	 * when the configuration cannot be read. */
	run = find_command(argc - optind, argv + optind, &used);
	if (run == NULL)
		return usage_error("unknown command '%s%s%s'", argv[optind],
		    optind + 1 < argc ? " " : "", optind + 1 < argc ? argv[optind + 1] : "");
	memset(&admin, 0, sizeof(admin));
	if (open_admin(&admin, cr_conf_choose_path(config_option)) != 0)
		return 1;
	rc = run(&admin, argc - optind - used, argv + optind + used);
	cr_store_close(admin.store);
	cr_conf_free(&admin.conf);
	return rc;
}
