/* SPDX-License-Identifier: MIT */
/* Authentication of requests: Basic, session cookie, bearer token, REMOTE_USER. */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "auth.h"
#include "http.h"

/*
 * Argon2id costs tens of milliseconds and tens of megabytes by design,
 * so a Basic credential verified once is remembered for a short time.
 * The cache keeps a BLAKE2b digest of the user id, the credential
 * version and the password, keyed with a random key that exists only in
 * this process, so the digest cannot be reversed into the password. A
 * password change or a disable raises the credential version, which no
 * cached digest matches.
 */
#define CACHE_SLOTS 64

struct cache_entry {
	int64_t user_id;
	unsigned char digest[crypto_generichash_BYTES];
	time_t expires;  /* CLOCK_MONOTONIC seconds */
};

/* The cache and the counter are shared by the worker threads. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cache_entry cache[CACHE_SLOTS];
static unsigned char cache_key[crypto_generichash_KEYBYTES];
static unsigned cache_lifetime;
static unsigned long hash_checks;

/* A valid hash of a random password, checked when the user does not exist. */
static char decoy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t decoy_once = PTHREAD_ONCE_INIT;

void
cr_auth_init(unsigned cache_seconds)
{
	cache_lifetime = cache_seconds;
	randombytes_buf(cache_key, sizeof(cache_key));
	memset(cache, 0, sizeof(cache));
}

unsigned long
cr_auth_hash_checks(void)
{
	unsigned long count;

	pthread_mutex_lock(&cache_lock);
	count = hash_checks;
	pthread_mutex_unlock(&cache_lock);
	return count;
}

static void
count_hash_check(void)
{
	pthread_mutex_lock(&cache_lock);
	hash_checks++;
	pthread_mutex_unlock(&cache_lock);
}

bool
cr_auth_methods_parse(const char *text, unsigned *methods)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{ "basic", CR_AUTH_BASIC },
		{ "session", CR_AUTH_SESSION },
		{ "token", CR_AUTH_TOKEN },
		{ "remote_user", CR_AUTH_REMOTE_USER },
		{ "none", CR_AUTH_NONE },
	};
	const char *p = text;
	unsigned result = 0;
	size_t i, len;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		len = strcspn(p, " \t,");
		if (len == 0)
			break;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == len && strncmp(p, names[i].name, len) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return false;
		result |= names[i].bit;
		p += len;
	}
	/* "none" cannot be combined: it would make the others pointless. */
	if (result == 0 || ((result & CR_AUTH_NONE) && result != CR_AUTH_NONE))
		return false;
	*methods = result;
	return true;
}

int
cr_auth_hash_password(const char *password, size_t len, char *out, size_t out_size)
{
	if (out_size < crypto_pwhash_STRBYTES)
		return -1;
	return crypto_pwhash_str(out, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

void
cr_auth_random_text(char out[CR_SECRET_TEXT_LEN + 1])
{
	unsigned char bytes[32];

	randombytes_buf(bytes, sizeof(bytes));
	sodium_bin2base64(out, CR_SECRET_TEXT_LEN + 1, bytes, sizeof(bytes),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(bytes, sizeof(bytes));
}

void
cr_auth_secret_hash(const char *secret, size_t len, unsigned char out[CR_TOKEN_HASH_BYTES])
{
	crypto_generichash(out, CR_TOKEN_HASH_BYTES, (const unsigned char *)secret, len, NULL, 0);
}

static time_t
monotonic_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec;
}

static void
cache_digest(const struct cr_user *user, const char *password, size_t len,
    unsigned char digest[crypto_generichash_BYTES])
{
	crypto_generichash_state state;
	int64_t fields[2] = { user->id, user->credential_version };

	crypto_generichash_init(&state, cache_key, sizeof(cache_key), crypto_generichash_BYTES);
	crypto_generichash_update(&state, (const unsigned char *)fields, sizeof(fields));
	crypto_generichash_update(&state, (const unsigned char *)password, len);
	crypto_generichash_final(&state, digest, crypto_generichash_BYTES);
}

static bool
cache_lookup(const unsigned char digest[crypto_generichash_BYTES], int64_t user_id)
{
	time_t now = monotonic_seconds();
	bool found = false;
	size_t i;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < CACHE_SLOTS && !found; i++)
		found = cache[i].user_id == user_id && cache[i].expires > now &&
		    sodium_memcmp(cache[i].digest, digest, crypto_generichash_BYTES) == 0;
	pthread_mutex_unlock(&cache_lock);
	return found;
}

static void
cache_store(const unsigned char digest[crypto_generichash_BYTES], int64_t user_id)
{
	size_t i, slot = 0;

	if (cache_lifetime == 0)
		return;
	pthread_mutex_lock(&cache_lock);
	/* Reuse the user's slot, else take the one that expires first. */
	for (i = 0; i < CACHE_SLOTS; i++) {
		if (cache[i].user_id == user_id) {
			slot = i;
			break;
		}
		if (cache[i].expires < cache[slot].expires)
			slot = i;
	}
	cache[slot].user_id = user_id;
	memcpy(cache[slot].digest, digest, crypto_generichash_BYTES);
	cache[slot].expires = monotonic_seconds() + (time_t)cache_lifetime;
	pthread_mutex_unlock(&cache_lock);
}

static void
make_decoy(void)
{
	char random_password[CR_SECRET_TEXT_LEN + 1];

	cr_auth_random_text(random_password);
	if (cr_auth_hash_password(random_password, CR_SECRET_TEXT_LEN, decoy_hash,
	    sizeof(decoy_hash)) != 0)
		decoy_hash[0] = '\0';
	sodium_memzero(random_password, sizeof(random_password));
}

static void
verify_decoy(const char *password, size_t len)
{
	/* Made on first use, so that a CGI request that never needs it does
	 * not pay for an Argon2id hash. */
	pthread_once(&decoy_once, make_decoy);
	count_hash_check();
	if (decoy_hash[0] != '\0')
		(void)!crypto_pwhash_str_verify(decoy_hash, password, len);
}

enum cr_auth_result
cr_auth_check_password(struct cr_store *store, const char *name, const char *password,
    size_t password_len, struct cr_user *user)
{
	unsigned char digest[crypto_generichash_BYTES];
	enum cr_store_status status;
	bool verified;

	status = cr_store_user_get(store, name, user);
	if (status == CR_STORE_BUSY || status == CR_STORE_ERROR)
		return CR_AUTH_UNAVAILABLE;
	if (status != CR_STORE_OK || user->password_hash == NULL) {
		verify_decoy(password, password_len);
		cr_user_free(user);
		return CR_AUTH_FAILED;
	}

	cache_digest(user, password, password_len, digest);
	verified = cache_lookup(digest, user->id);
	if (!verified) {
		count_hash_check();
		verified = crypto_pwhash_str_verify(user->password_hash, password, password_len) == 0;
		if (verified)
			cache_store(digest, user->id);
	}
	sodium_memzero(digest, sizeof(digest));
	if (!verified || user->disabled) {
		cr_user_free(user);
		return CR_AUTH_FAILED;
	}
	return CR_AUTH_OK;
}

/* Decode "Basic BASE64(name:password)" and check it. */
static enum cr_auth_result
authenticate_basic(struct cr_store *store, const char *encoded, struct cr_user *user)
{
	unsigned char decoded[1024];
	enum cr_auth_result result;
	size_t decoded_len;
	char *colon;

	if (sodium_base642bin(decoded, sizeof(decoded) - 1, encoded, strlen(encoded), NULL,
	    &decoded_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return CR_AUTH_FAILED;
	decoded[decoded_len] = '\0';
	colon = memchr(decoded, ':', decoded_len);
	if (colon == NULL || memchr(decoded, '\0', decoded_len) != NULL) {
		sodium_memzero(decoded, sizeof(decoded));
		return CR_AUTH_FAILED;
	}
	*colon = '\0';
	result = cr_auth_check_password(store, (const char *)decoded, colon + 1,
	    decoded_len - (size_t)(colon + 1 - (char *)decoded), user);
	sodium_memzero(decoded, sizeof(decoded));
	return result;
}

static enum cr_auth_result
found_user(enum cr_store_status status, struct cr_user *user)
{
	if (status == CR_STORE_BUSY || status == CR_STORE_ERROR)
		return CR_AUTH_UNAVAILABLE;
	if (status != CR_STORE_OK)
		return CR_AUTH_FAILED;
	if (user->disabled) {
		cr_user_free(user);
		return CR_AUTH_FAILED;
	}
	return CR_AUTH_OK;
}

static enum cr_auth_result
authenticate_token(struct cr_store *store, const char *token, struct cr_user *user)
{
	unsigned char hash[CR_TOKEN_HASH_BYTES];

	if (strncmp(token, CR_TOKEN_PREFIX, strlen(CR_TOKEN_PREFIX)) != 0 ||
	    strlen(token) != strlen(CR_TOKEN_PREFIX) + CR_SECRET_TEXT_LEN)
		return CR_AUTH_FAILED;
	cr_auth_secret_hash(token, strlen(token), hash);
	return found_user(cr_store_token_find(store, hash, user), user);
}

bool
cr_auth_session_cookie(const char *header, char *out, size_t out_size)
{
	static const char name[] = CR_SESSION_COOKIE "=";
	const char *p = header;
	size_t len;

	while (*p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		len = strcspn(p, ";");
		if (len > sizeof(name) - 1 && strncmp(p, name, sizeof(name) - 1) == 0) {
			len -= sizeof(name) - 1;
			while (len > 0 && p[sizeof(name) - 1 + len - 1] == ' ')
				len--;
			if (len >= out_size)
				return false;
			memcpy(out, p + sizeof(name) - 1, len);
			out[len] = '\0';
			return true;
		}
		p += len;
	}
	return false;
}

static enum cr_auth_result
authenticate_session(struct cr_store *store, const char *value, struct cr_user *user)
{
	unsigned char hash[CR_TOKEN_HASH_BYTES];

	if (strlen(value) != CR_SECRET_TEXT_LEN)
		return CR_AUTH_FAILED;
	cr_auth_secret_hash(value, strlen(value), hash);
	return found_user(cr_store_session_find(store, hash, (int64_t)time(NULL), user), user);
}

static enum cr_auth_result
authenticate_remote_user(struct cr_store *store, const char *name, struct cr_user *user)
{
	enum cr_store_status status = cr_store_user_get(store, name, user);

	if (status == CR_STORE_NOT_FOUND)
		return CR_AUTH_UNREGISTERED;
	return found_user(status, user);
}

/* The credentials of the Authorization header, after its scheme. */
static const char *
credentials_after(const char *header, const char *scheme)
{
	size_t len = strlen(scheme);

	if (strncasecmp(header, scheme, len) != 0 || header[len] != ' ')
		return NULL;
	header += len;
	while (*header == ' ')
		header++;
	return header;
}

enum cr_auth_result
cr_authenticate(struct cr_store *store, unsigned methods, struct cr_request *req,
    struct cr_principal *principal)
{
	const char *authorization = cr_request_header(req, "Authorization");
	const char *cookie = cr_request_header(req, "Cookie");
	const char *remote_user = req->io->param(req->io->context, "REMOTE_USER");
	const char *credentials;
	char session[CR_SECRET_TEXT_LEN + 2];
	enum cr_auth_result result;

	memset(principal, 0, sizeof(*principal));
	if (methods & CR_AUTH_NONE) {
		principal->user.name = strdup("anonymous");
		principal->user.type = CR_USER_ADMINISTRATOR;
		principal->method = "none";
		return principal->user.name != NULL ? CR_AUTH_OK : CR_AUTH_UNAVAILABLE;
	}

	/* An Authorization header of an enabled scheme is used, and its
	 * failure is final, so a bad token does not fall back to a cookie.
	 * Other schemes are left to the web server, as with REMOTE_USER. */
	if (authorization != NULL && (methods & CR_AUTH_BASIC) &&
	    (credentials = credentials_after(authorization, "Basic")) != NULL) {
		principal->method = "basic";
		result = authenticate_basic(store, credentials, &principal->user);
	} else if (authorization != NULL && (methods & CR_AUTH_TOKEN) &&
	    (credentials = credentials_after(authorization, "Bearer")) != NULL) {
		principal->method = "token";
		result = authenticate_token(store, credentials, &principal->user);
	} else if ((methods & CR_AUTH_SESSION) && cookie != NULL &&
	    cr_auth_session_cookie(cookie, session, sizeof(session))) {
		principal->method = "session";
		result = authenticate_session(store, session, &principal->user);
	} else if ((methods & CR_AUTH_REMOTE_USER) && remote_user != NULL && remote_user[0] != '\0') {
		principal->method = "remote_user";
		result = authenticate_remote_user(store, remote_user, &principal->user);
	} else if (authorization != NULL && authorization[0] != '\0') {
		result = CR_AUTH_FAILED;
	} else {
		result = CR_AUTH_MISSING;
	}
	if (result != CR_AUTH_OK)
		memset(principal, 0, sizeof(*principal));
	return result;
}
