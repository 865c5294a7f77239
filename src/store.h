/* SPDX-License-Identifier: MIT */
/*
 * The connection store: the only interface through which handlers reach
 * persistent data. store_sqlite.c implements it on one SQLite file; a
 * store on another database implements the same functions. Handlers
 * pass and receive plain values and never see SQL.
 */
#ifndef CR_STORE_H
#define CR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cr_store_status {
	CR_STORE_OK,
	CR_STORE_DUPLICATE,  /* a connection with the same name key exists */
	CR_STORE_NOT_FOUND,
	CR_STORE_BUSY,       /* the write lock was not free within the busy timeout */
	CR_STORE_ERROR,      /* any other failure, described by cr_store_error() */
	CR_STORE_CONFLICT,   /* the connection's version is not the one expected */
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
	const char *owner;           /* name of the user who created it */
};

enum cr_user_type {
	CR_USER_READER,        /* SYS_Reader */
	CR_USER_CREATOR,       /* SYS_Creator */
	CR_USER_ADMINISTRATOR, /* Administrator */
};

/* A user as stored; cr_user_free releases the strings. */
struct cr_user {
	int64_t id;
	char *name;
	enum cr_user_type type;
	bool disabled;
	char *password_hash;        /* Argon2id string from crypto_pwhash_str, or NULL */
	int64_t credential_version; /* raised by every password change and disable */
	char **roles;
	size_t nroles;
};

void cr_user_free(struct cr_user *user);

/* Recipients of access control entries, numbered as in the API. */
enum cr_recipient_type {
	CR_RECIPIENT_USER = 0,
	CR_RECIPIENT_ROLE = 1,
	CR_RECIPIENT_USER_TYPE = 2,
};

struct cr_ace {
	enum cr_recipient_type type;
	char *recipient;       /* user name, role name, or user type name */
	unsigned permissions;  /* bit set: bit N is permission code N */
};

/* A connection's access control list; cr_acl_free releases it. */
struct cr_acl {
	char *owner;
	bool entries_inheriting;
	struct cr_ace *aces;
	size_t naces;
};

void cr_acl_free(struct cr_acl *acl);

/* An API token as listed; the secret itself is never stored. */
struct cr_token_info {
	char *id;          /* public identifier, used to revoke */
	char *user;
	char *label;
	char *created_at;
	bool revoked;
};

void cr_token_list_free(struct cr_token_info *tokens, size_t count);

#define CR_TOKEN_HASH_BYTES 32

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
 * Insert ROW durably, with an ACL that gives its owner Full control.
 * When its name key is taken, return CR_STORE_DUPLICATE and, if CLASH
 * is not NULL, set *CLASH to a newly allocated copy of the existing
 * connection's name.
 */
enum cr_store_status cr_store_add_connection(struct cr_store *store,
    const struct cr_connection_row *row, char **clash);

/* One add of a batch: ROW in; STATUS and CLASH (as above) out. */
struct cr_store_add_job {
	const struct cr_connection_row *row;
	enum cr_store_status status;
	char *clash;
};

/*
 * Insert the connections of COUNT jobs in one transaction, so that they
 * share one disk flush. Each job succeeds or fails on its own; when the
 * commit fails, every job fails with its error.
 */
void cr_store_add_connections(struct cr_store *store, struct cr_store_add_job *jobs,
    size_t count);

/*
 * Read the ACL of the connection whose name key is NAME_KEY into ACL,
 * and its stored name into *NAME when NAME is not NULL.
 */
enum cr_store_status cr_store_get_acl(struct cr_store *store, const char *name_key,
    char **name, struct cr_acl *acl);

/*
 * Replace the ACL (owner, inheriting flag and entries) of a connection,
 * and record the change in the history as made by ACTOR.
 */
enum cr_store_status cr_store_set_acl(struct cr_store *store, const char *name_key,
    const struct cr_acl *acl, const char *actor);

/* Users. Names are matched exactly. */
enum cr_store_status cr_store_user_add(struct cr_store *store, const char *name,
    enum cr_user_type type);
enum cr_store_status cr_store_user_get(struct cr_store *store, const char *name,
    struct cr_user *user);
enum cr_store_status cr_store_user_list(struct cr_store *store, struct cr_user **users,
    size_t *count);
enum cr_store_status cr_store_user_delete(struct cr_store *store, const char *name);
enum cr_store_status cr_store_user_set_disabled(struct cr_store *store, const char *name,
    bool disabled);
enum cr_store_status cr_store_user_set_type(struct cr_store *store, const char *name,
    enum cr_user_type type);
enum cr_store_status cr_store_user_set_roles(struct cr_store *store, const char *name,
    char *const *roles, size_t nroles);
/* Store a new password hash; this also ends the user's sessions. */
enum cr_store_status cr_store_user_set_password(struct cr_store *store, const char *name,
    const char *password_hash);

/* API tokens, kept as hashes of their secrets. */
enum cr_store_status cr_store_token_add(struct cr_store *store, const char *user,
    const char *id, const unsigned char hash[CR_TOKEN_HASH_BYTES], const char *label);
/* Find the user of an unrevoked token. */
enum cr_store_status cr_store_token_find(struct cr_store *store,
    const unsigned char hash[CR_TOKEN_HASH_BYTES], struct cr_user *user);
enum cr_store_status cr_store_token_revoke(struct cr_store *store, const char *id);
enum cr_store_status cr_store_token_list(struct cr_store *store, struct cr_token_info **tokens,
    size_t *count);

/* Login sessions, kept as hashes of their cookie values. */
/* Store a session of USER that ends at EXPIRES_AT; NOW is the Unix time. */
enum cr_store_status cr_store_session_add(struct cr_store *store,
    const unsigned char hash[CR_TOKEN_HASH_BYTES], const struct cr_user *user,
    int64_t now, int64_t expires_at);
/*
 * Find the user of a session that has not expired at NOW (Unix time)
 * and was made under the user's current credential version.
 */
enum cr_store_status cr_store_session_find(struct cr_store *store,
    const unsigned char hash[CR_TOKEN_HASH_BYTES], int64_t now, struct cr_user *user);
enum cr_store_status cr_store_session_delete(struct cr_store *store,
    const unsigned char hash[CR_TOKEN_HASH_BYTES]);

/* A connection as read back; cr_connection_record_free releases it. */
struct cr_connection_record {
	char *id;
	char *name;
	char *name_key;
	char *document;          /* JSON text, without the password */
	unsigned char *secret;   /* the sealed password, or NULL */
	size_t secret_len;
	int64_t version;         /* raised by every update, starting at 1 */
	struct cr_acl acl;
};

void cr_connection_record_free(struct cr_connection_record *record);
void cr_connection_records_free(struct cr_connection_record *records, size_t count);

/* Read the connection whose name key is NAME_KEY, with its ACL. */
enum cr_store_status cr_store_get_connection(struct cr_store *store, const char *name_key,
    struct cr_connection_record *record);
/* Read the connection with ID, with its ACL. */
enum cr_store_status cr_store_get_connection_by_id(struct cr_store *store, const char *id,
    struct cr_connection_record *record);

/*
 * Read every connection with its ACL, sorted by name key. Two queries
 * run, whatever the number of connections: one for the rows and one for
 * all ACL entries, which are joined to their rows in memory.
 */
enum cr_store_status cr_store_list_connections(struct cr_store *store,
    struct cr_connection_record **records, size_t *count);

/* A change to a stored connection. Every pointer is borrowed. */
struct cr_connection_change {
	const char *id;               /* the connection to change */
	const char *name;
	const char *name_key;
	const char *document;
	const unsigned char *secret;  /* a new sealed password, or NULL to keep the stored one */
	size_t secret_len;
	int64_t expected_version;     /* 0 for any version */
	const char *actor;            /* the user name for the history */
};

/*
 * Replace a connection's name, document and (when SECRET is not NULL)
 * password, raise its version and record the change. Return
 * CR_STORE_NOT_FOUND when the id is unknown, CR_STORE_CONFLICT when the
 * version is not EXPECTED_VERSION, and CR_STORE_DUPLICATE with *CLASH
 * (newly allocated, when CLASH is not NULL) naming the other connection
 * when the new name is taken.
 */
enum cr_store_status cr_store_update_connection(struct cr_store *store,
    const struct cr_connection_change *change, char **clash);

/* Delete a connection and its ACL, and record it as done by ACTOR. */
enum cr_store_status cr_store_delete_connection(struct cr_store *store, const char *name_key,
    const char *actor);

/* One entry of the change history; cr_history_list_free releases a list. */
struct cr_history_entry {
	int64_t id;
	char *at;               /* UTC time, ISO 8601 */
	char *actor;            /* user name, or "" when unknown */
	char *action;           /* "add", "update", "delete" or "acl" */
	char *connection_id;
	char *connection_name;  /* the name at the time of the change */
	char *changes;          /* JSON array of {"field","old","new"}; see history.h */
};

void cr_history_list_free(struct cr_history_entry *entries, size_t count);

/*
 * Read the history, oldest first: all of it when NAME_KEY is NULL, or
 * every entry of each connection that has ever had that name key.
 */
enum cr_store_status cr_store_history_list(struct cr_store *store, const char *name_key,
    struct cr_history_entry **entries, size_t *count);

/* The schema version this build writes. */
int cr_store_schema_version(void);

/* A description of the last failure, for the log only: never for clients. */
const char *cr_store_error(const struct cr_store *store);

#endif
