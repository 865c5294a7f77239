/* SPDX-License-Identifier: MIT */
/*
 * Authentication: which user sent a request. The methods are switched
 * on in the configuration: HTTP Basic against connreg's users, a
 * REMOTE_USER set by the web server, a session cookie from the login
 * call, and bearer tokens made by the admin command.
 *
 * Every failure looks the same to the client (401 and one body), so a
 * caller cannot tell a wrong password from an unknown user, a disabled
 * user, an expired session or a revoked token.
 */
#ifndef CR_AUTH_H
#define CR_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "authz.h"
#include "store.h"

enum cr_auth_method {
	CR_AUTH_BASIC = 1 << 0,
	CR_AUTH_SESSION = 1 << 1,
	CR_AUTH_TOKEN = 1 << 2,
	CR_AUTH_REMOTE_USER = 1 << 3,
	CR_AUTH_NONE = 1 << 4,   /* no authentication: every caller is an Administrator */
};

enum cr_auth_result {
	CR_AUTH_OK,
	CR_AUTH_MISSING,       /* no credentials: 401 */
	CR_AUTH_FAILED,        /* wrong or unusable credentials: 401 */
	CR_AUTH_UNREGISTERED,  /* REMOTE_USER names no connreg user: 403 */
	CR_AUTH_UNAVAILABLE,   /* the store failed: 503 */
};

#define CR_SESSION_COOKIE "JSESSIONID"
#define CR_TOKEN_PREFIX "crt_"
/* 32 random bytes in unpadded base64url, as used for tokens and sessions. */
#define CR_SECRET_TEXT_LEN 43

/* Parse "basic, session" into a bit set of enum cr_auth_method. */
bool cr_auth_methods_parse(const char *text, unsigned *methods);

/* Prepare the per-process state: the key of the credential cache. */
void cr_auth_init(unsigned cache_seconds);

/*
 * Identify the caller from the request's Authorization header, session
 * cookie or REMOTE_USER, trying only METHODS. On CR_AUTH_OK, PRINCIPAL
 * contains the user and must be freed with cr_principal_free.
 */
struct cr_request;
enum cr_auth_result cr_authenticate(struct cr_store *store, unsigned methods,
    struct cr_request *req, struct cr_principal *principal);

/*
 * Check NAME and PASSWORD against the store. Return CR_AUTH_OK with the
 * user in USER, or CR_AUTH_FAILED after spending the same work as a
 * real check, so that timing does not reveal which part was wrong.
 */
enum cr_auth_result cr_auth_check_password(struct cr_store *store, const char *name,
    const char *password, size_t password_len, struct cr_user *user);

/* How many Argon2id verifications this process has run. */
unsigned long cr_auth_hash_checks(void);

/*
 * Find the JSESSIONID cookie in the Cookie header HEADER and copy its
 * value into OUT; false when there is none or it does not fit.
 */
bool cr_auth_session_cookie(const char *header, char *out, size_t out_size);

/* Hash a password with Argon2id for storage; -1 when out of memory. */
int cr_auth_hash_password(const char *password, size_t len, char *out, size_t out_size);

/* Make a random secret as text (CR_SECRET_TEXT_LEN characters). */
void cr_auth_random_text(char out[CR_SECRET_TEXT_LEN + 1]);

/* The lookup hash of a token or session secret. */
void cr_auth_secret_hash(const char *secret, size_t len, unsigned char out[CR_TOKEN_HASH_BYTES]);

#endif
