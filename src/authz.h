/* SPDX-License-Identifier: MIT */
/*
 * Authorization: who may do what. User types gate whole calls (a
 * SYS_Reader never adds, updates or deletes), and each connection's ACL
 * grants permission codes to users, roles and user types. Every handler
 * goes through cr_authz_connection or cr_authz_create, so the rules live
 * here and nowhere else.
 */
#ifndef CR_AUTHZ_H
#define CR_AUTHZ_H

#include <stdbool.h>

#include "store.h"

/* Permission codes, as the API numbers them. */
enum cr_permission {
	CR_PERMISSION_READ = 0,
	CR_PERMISSION_EDIT = 1,
	CR_PERMISSION_DELETE = 2,
	CR_PERMISSION_MANAGE = 3,  /* read the ACL */
	CR_PERMISSION_FULL = 4,    /* everything, including changing the ACL */
};

#define CR_PERMISSION_COUNT 5
#define CR_PERMISSION_BIT(code) (1u << (code))
#define CR_PERMISSION_ALL ((1u << CR_PERMISSION_COUNT) - 1)

/* The authenticated caller of one request. */
struct cr_principal {
	struct cr_user user;
	const char *method;  /* "basic", "session", "token", "remote_user" or "none" */
};

void cr_principal_free(struct cr_principal *principal);

/* "SYS_Reader", "SYS_Creator" or "Administrator". */
const char *cr_user_type_name(enum cr_user_type type);
/* Parse a user type name; false when unknown. */
bool cr_user_type_parse(const char *text, enum cr_user_type *type);

/*
 * The permissions PRINCIPAL holds on a connection with ACL, as a bit
 * set: the union of the entries naming the user, one of the user's
 * roles or the user's type, with Full control implying every code and
 * any other code implying Read. An Administrator and the connection's
 * owner hold them all.
 */
unsigned cr_authz_effective(const struct cr_principal *principal, const struct cr_acl *acl);

/* True when PRINCIPAL may create connections. */
bool cr_authz_may_create(const struct cr_principal *principal);

/*
 * True when PRINCIPAL may perform an action that needs permission code
 * NEEDED on a connection with ACL. Edit, Delete and Full control (which
 * changing an ACL needs) are refused to every SYS_Reader, whatever the
 * ACL grants: a SYS_Reader only reads, and with Manage permissions also
 * reads the ACL.
 */
bool cr_authz_allows(const struct cr_principal *principal, const struct cr_acl *acl,
    enum cr_permission needed);

#endif
