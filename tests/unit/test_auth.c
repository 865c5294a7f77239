/* SPDX-License-Identifier: MIT */
/*
 * Authentication and authorization: permission decisions from user types
 * and ACLs, the auth_methods setting, password checks with the credential
 * cache, sessions and tokens against a real store.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sodium.h>

#include "auth.h"
#include "authz.h"
#include "store.h"

#define BIT CR_PERMISSION_BIT

static struct cr_principal
principal_of(const char *name, enum cr_user_type type, char **roles, size_t nroles)
{
	struct cr_principal principal;

	memset(&principal, 0, sizeof(principal));
	principal.user.name = (char *)name;
	principal.user.type = type;
	principal.user.roles = roles;
	principal.user.nroles = nroles;
	principal.method = "basic";
	return principal;
}

static void
permissions_from_acl(void **state)
{
	char *analyst_roles[] = { "analysts" };
	struct cr_ace aces[] = {
		{ CR_RECIPIENT_USER, "carol", BIT(CR_PERMISSION_FULL) },
		{ CR_RECIPIENT_USER, "rick", BIT(CR_PERMISSION_READ) },
		{ CR_RECIPIENT_ROLE, "analysts", BIT(CR_PERMISSION_MANAGE) },
		{ CR_RECIPIENT_USER_TYPE, "SYS_Creator", BIT(CR_PERMISSION_EDIT) },
	};
	struct cr_acl acl = { "carol", false, aces, 4 };
	struct cr_principal carol = principal_of("carol", CR_USER_CREATOR, NULL, 0);
	struct cr_principal rick = principal_of("rick", CR_USER_READER, NULL, 0);
	struct cr_principal ann = principal_of("ann", CR_USER_READER, analyst_roles, 1);
	struct cr_principal olga = principal_of("olga", CR_USER_CREATOR, NULL, 0);
	struct cr_principal zed = principal_of("zed", CR_USER_READER, NULL, 0);
	struct cr_principal boss = principal_of("boss", CR_USER_ADMINISTRATOR, NULL, 0);

	(void)state;
	assert_int_equal(cr_authz_effective(&carol, &acl), CR_PERMISSION_ALL);
	assert_int_equal(cr_authz_effective(&rick, &acl), BIT(CR_PERMISSION_READ));
	assert_int_equal(cr_authz_effective(&ann, &acl),
	    BIT(CR_PERMISSION_MANAGE) | BIT(CR_PERMISSION_READ));
	assert_int_equal(cr_authz_effective(&olga, &acl),
	    BIT(CR_PERMISSION_EDIT) | BIT(CR_PERMISSION_READ));
	assert_int_equal(cr_authz_effective(&zed, &acl), 0);
	assert_int_equal(cr_authz_effective(&boss, &acl), CR_PERMISSION_ALL);

	assert_true(cr_authz_allows(&olga, &acl, CR_PERMISSION_EDIT));
	assert_false(cr_authz_allows(&olga, &acl, CR_PERMISSION_DELETE));
	assert_false(cr_authz_allows(&rick, &acl, CR_PERMISSION_EDIT));
	assert_true(cr_authz_allows(&ann, &acl, CR_PERMISSION_MANAGE));
	assert_false(cr_authz_allows(&ann, &acl, CR_PERMISSION_FULL));
	assert_false(cr_authz_allows(&zed, &acl, CR_PERMISSION_READ));
}

static void
owner_keeps_full_control(void **state)
{
	struct cr_acl acl = { "olga", false, NULL, 0 };
	struct cr_principal olga = principal_of("olga", CR_USER_CREATOR, NULL, 0);
	struct cr_principal rita = principal_of("rita", CR_USER_READER, NULL, 0);

	(void)state;
	assert_true(cr_authz_allows(&olga, &acl, CR_PERMISSION_FULL));
	acl.owner = "rita";
	/* Owning a connection does not let a SYS_Reader edit, delete or
	 * change the ACL of it. */
	assert_false(cr_authz_allows(&rita, &acl, CR_PERMISSION_FULL));
	assert_true(cr_authz_allows(&rita, &acl, CR_PERMISSION_MANAGE));
	assert_false(cr_authz_allows(&rita, &acl, CR_PERMISSION_EDIT));
	assert_false(cr_authz_allows(&rita, &acl, CR_PERMISSION_DELETE));
}

static void
reader_never_edits(void **state)
{
	struct cr_ace aces[] = { { CR_RECIPIENT_USER, "rick", BIT(CR_PERMISSION_FULL) } };
	struct cr_acl acl = { "carol", false, aces, 1 };
	struct cr_principal rick = principal_of("rick", CR_USER_READER, NULL, 0);

	(void)state;
	assert_true(cr_authz_allows(&rick, &acl, CR_PERMISSION_READ));
	assert_true(cr_authz_allows(&rick, &acl, CR_PERMISSION_MANAGE));
	assert_false(cr_authz_allows(&rick, &acl, CR_PERMISSION_FULL));
	assert_false(cr_authz_allows(&rick, &acl, CR_PERMISSION_EDIT));
	assert_false(cr_authz_allows(&rick, &acl, CR_PERMISSION_DELETE));
	assert_false(cr_authz_may_create(&rick));
}

static void
user_type_names(void **state)
{
	enum cr_user_type type;

	(void)state;
	assert_true(cr_user_type_parse("SYS_Reader", &type));
	assert_int_equal(type, CR_USER_READER);
	assert_true(cr_user_type_parse("Administrator", &type));
	assert_int_equal(type, CR_USER_ADMINISTRATOR);
	assert_false(cr_user_type_parse("administrator", &type));
	assert_string_equal(cr_user_type_name(CR_USER_CREATOR), "SYS_Creator");
}

static void
methods_setting(void **state)
{
	unsigned methods;

	(void)state;
	assert_true(cr_auth_methods_parse("basic, session,token", &methods));
	assert_int_equal(methods, CR_AUTH_BASIC | CR_AUTH_SESSION | CR_AUTH_TOKEN);
	assert_true(cr_auth_methods_parse("remote_user", &methods));
	assert_int_equal(methods, CR_AUTH_REMOTE_USER);
	assert_true(cr_auth_methods_parse("none", &methods));
	assert_int_equal(methods, CR_AUTH_NONE);
	assert_false(cr_auth_methods_parse("none, basic", &methods));
	assert_false(cr_auth_methods_parse("basic, kerberos", &methods));
	assert_false(cr_auth_methods_parse("", &methods));
	assert_false(cr_auth_methods_parse(" , ", &methods));
}

/* Store-backed tests share one temporary database. */
struct fixture {
	char dir[64];
	struct cr_store *store;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cr_store_options options;
	char path[128], err[512], hash[crypto_pwhash_STRBYTES];

	if (f == NULL || sodium_init() < 0)
		return -1;
	strcpy(f->dir, "/tmp/connreg-auth-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/auth.db", f->dir);
	options.path = path;
	options.busy_timeout_ms = 5000;
	if (cr_store_open(&options, &f->store, err, sizeof(err)) != CR_STORE_OK)
		return -1;
	if (cr_store_user_add(f->store, "carol", CR_USER_CREATOR) != CR_STORE_OK ||
	    cr_auth_hash_password("right-pw", 8, hash, sizeof(hash)) != 0 ||
	    cr_store_user_set_password(f->store, "carol", hash) != CR_STORE_OK ||
	    cr_store_user_add(f->store, "nopass", CR_USER_READER) != CR_STORE_OK)
		return -1;
	cr_auth_init(60);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char command[128];

	cr_store_close(f->store);
	snprintf(command, sizeof(command), "rm -rf '%s'", f->dir);
	if (system(command) != 0)
		return -1;
	free(f);
	return 0;
}

static enum cr_auth_result
check(struct fixture *f, const char *name, const char *password)
{
	struct cr_user user;
	enum cr_auth_result result;

	result = cr_auth_check_password(f->store, name, password, strlen(password), &user);
	if (result == CR_AUTH_OK) {
		assert_string_equal(user.name, name);
		cr_user_free(&user);
	}
	return result;
}

/* Check carol's PASSWORD and return how many Argon2id runs it took. */
static unsigned long
hash_runs_for_check(struct fixture *f, const char *password)
{
	unsigned long before = cr_auth_hash_checks();

	assert_int_equal(check(f, "carol", password), CR_AUTH_OK);
	return cr_auth_hash_checks() - before;
}

static void
password_checks(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(check(f, "carol", "right-pw"), CR_AUTH_OK);
	assert_int_equal(check(f, "carol", "wrong-pw"), CR_AUTH_FAILED);
	assert_int_equal(check(f, "carol", ""), CR_AUTH_FAILED);
	assert_int_equal(check(f, "nobody", "right-pw"), CR_AUTH_FAILED);
	assert_int_equal(check(f, "nopass", ""), CR_AUTH_FAILED);
	assert_int_equal(check(f, "Carol", "right-pw"), CR_AUTH_FAILED);
}

static void
cache_ends_with_credential_change(void **state)
{
	struct fixture *f = *state;
	char hash[crypto_pwhash_STRBYTES];

	/* The second check is served from the cache, without Argon2id. */
	assert_int_equal(hash_runs_for_check(f, "right-pw"), 1);
	assert_int_equal(hash_runs_for_check(f, "right-pw"), 0);

	assert_int_equal(cr_auth_hash_password("new-pw", 6, hash, sizeof(hash)), 0);
	assert_int_equal(cr_store_user_set_password(f->store, "carol", hash), CR_STORE_OK);
	assert_int_equal(check(f, "carol", "right-pw"), CR_AUTH_FAILED);
	assert_int_equal(hash_runs_for_check(f, "new-pw"), 1);
	assert_int_equal(hash_runs_for_check(f, "new-pw"), 0);

	assert_int_equal(cr_store_user_set_disabled(f->store, "carol", true), CR_STORE_OK);
	assert_int_equal(check(f, "carol", "new-pw"), CR_AUTH_FAILED);
	assert_int_equal(cr_store_user_set_disabled(f->store, "carol", false), CR_STORE_OK);
	assert_int_equal(hash_runs_for_check(f, "new-pw"), 1);

	/* A wrong password never hits the cache of the right one. */
	assert_int_equal(check(f, "carol", "new-pw "), CR_AUTH_FAILED);
}

static void
sessions_expire_and_end(void **state)
{
	struct fixture *f = *state;
	unsigned char hash[CR_TOKEN_HASH_BYTES], other[CR_TOKEN_HASH_BYTES];
	char secret[CR_SECRET_TEXT_LEN + 1], password_hash[crypto_pwhash_STRBYTES];
	struct cr_user user, found;
	int64_t now = (int64_t)time(NULL);

	assert_int_equal(cr_store_user_get(f->store, "carol", &user), CR_STORE_OK);
	cr_auth_random_text(secret);
	assert_int_equal(strlen(secret), CR_SECRET_TEXT_LEN);
	cr_auth_secret_hash(secret, strlen(secret), hash);
	assert_int_equal(cr_store_session_add(f->store, hash, &user, now, now + 100), CR_STORE_OK);

	assert_int_equal(cr_store_session_find(f->store, hash, now, &found), CR_STORE_OK);
	assert_string_equal(found.name, "carol");
	cr_user_free(&found);
	assert_int_equal(cr_store_session_find(f->store, hash, now + 100, &found), CR_STORE_NOT_FOUND);
	cr_auth_secret_hash("another", 7, other);
	assert_int_equal(cr_store_session_find(f->store, other, now, &found), CR_STORE_NOT_FOUND);

	/* A password change ends the session. */
	assert_int_equal(cr_auth_hash_password("pw-3", 4, password_hash, sizeof(password_hash)), 0);
	assert_int_equal(cr_store_user_set_password(f->store, "carol", password_hash), CR_STORE_OK);
	assert_int_equal(cr_store_session_find(f->store, hash, now, &found), CR_STORE_NOT_FOUND);

	cr_user_free(&user);
	assert_int_equal(cr_store_user_get(f->store, "carol", &user), CR_STORE_OK);
	assert_int_equal(cr_store_session_add(f->store, hash, &user, now, now + 100), CR_STORE_OK);
	assert_int_equal(cr_store_session_delete(f->store, hash), CR_STORE_OK);
	assert_int_equal(cr_store_session_find(f->store, hash, now, &found), CR_STORE_NOT_FOUND);
	cr_user_free(&user);
}

static void
tokens_revoke(void **state)
{
	struct fixture *f = *state;
	unsigned char hash[CR_TOKEN_HASH_BYTES];
	struct cr_token_info *tokens;
	struct cr_user found;
	size_t count;

	cr_auth_secret_hash("crt_example", 11, hash);
	assert_int_equal(cr_store_token_add(f->store, "carol", "t1", hash, "ci"), CR_STORE_OK);
	assert_int_equal(cr_store_token_add(f->store, "ghost", "t2", hash, ""), CR_STORE_NOT_FOUND);
	assert_int_equal(cr_store_token_find(f->store, hash, &found), CR_STORE_OK);
	assert_string_equal(found.name, "carol");
	cr_user_free(&found);

	assert_int_equal(cr_store_token_list(f->store, &tokens, &count), CR_STORE_OK);
	assert_int_equal(count, 1);
	assert_string_equal(tokens[0].id, "t1");
	assert_string_equal(tokens[0].label, "ci");
	assert_false(tokens[0].revoked);
	cr_token_list_free(tokens, count);

	assert_int_equal(cr_store_token_revoke(f->store, "t1"), CR_STORE_OK);
	assert_int_equal(cr_store_token_revoke(f->store, "t1"), CR_STORE_NOT_FOUND);
	assert_int_equal(cr_store_token_find(f->store, hash, &found), CR_STORE_NOT_FOUND);

	/* Deleting the user removes its tokens. */
	assert_int_equal(cr_store_user_delete(f->store, "carol"), CR_STORE_OK);
	assert_int_equal(cr_store_token_list(f->store, &tokens, &count), CR_STORE_OK);
	assert_int_equal(count, 0);
	cr_token_list_free(tokens, count);
}

static void
roles_replace(void **state)
{
	struct fixture *f = *state;
	char *roles[] = { "b-role", "a-role", "a-role" };
	struct cr_user user;

	assert_int_equal(cr_store_user_set_roles(f->store, "carol", roles, 3), CR_STORE_OK);
	assert_int_equal(cr_store_user_get(f->store, "carol", &user), CR_STORE_OK);
	assert_int_equal(user.nroles, 2);
	assert_string_equal(user.roles[0], "a-role");
	assert_string_equal(user.roles[1], "b-role");
	cr_user_free(&user);
	assert_int_equal(cr_store_user_set_roles(f->store, "carol", NULL, 0), CR_STORE_OK);
	assert_int_equal(cr_store_user_get(f->store, "carol", &user), CR_STORE_OK);
	assert_int_equal(user.nroles, 0);
	cr_user_free(&user);
	assert_int_equal(cr_store_user_set_roles(f->store, "ghost", roles, 1), CR_STORE_NOT_FOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(permissions_from_acl),
		cmocka_unit_test(owner_keeps_full_control),
		cmocka_unit_test(reader_never_edits),
		cmocka_unit_test(user_type_names),
		cmocka_unit_test(methods_setting),
		cmocka_unit_test_setup_teardown(password_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(cache_ends_with_credential_change, setup, teardown),
		cmocka_unit_test_setup_teardown(sessions_expire_and_end, setup, teardown),
		cmocka_unit_test_setup_teardown(tokens_revoke, setup, teardown),
		cmocka_unit_test_setup_teardown(roles_replace, setup, teardown),
	};

	return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
