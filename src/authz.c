/* SPDX-License-Identifier: MIT */
/* Permission decisions from user types and connection ACLs. */
#include "config.h"

#include <string.h>

#include "authz.h"

static const char *const type_names[] = {
	[CR_USER_READER] = "SYS_Reader",
	[CR_USER_CREATOR] = "SYS_Creator",
	[CR_USER_ADMINISTRATOR] = "Administrator",
};

const char *
cr_user_type_name(enum cr_user_type type)
{
	if ((size_t)type >= sizeof(type_names) / sizeof(type_names[0]))
		return "unknown";
	return type_names[type];
}

bool
cr_user_type_parse(const char *text, enum cr_user_type *type)
{
	size_t i;

	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (strcmp(text, type_names[i]) == 0) {
			*type = (enum cr_user_type)i;
			return true;
		}
	}
	return false;
}

void
cr_principal_free(struct cr_principal *principal)
{
	cr_user_free(&principal->user);
	principal->method = NULL;
}

static bool
has_role(const struct cr_user *user, const char *role)
{
	size_t i;

	for (i = 0; i < user->nroles; i++)
		if (strcmp(user->roles[i], role) == 0)
			return true;
	return false;
}

static bool
entry_applies(const struct cr_ace *ace, const struct cr_user *user)
{
	switch (ace->type) {
	case CR_RECIPIENT_USER:
		return strcmp(ace->recipient, user->name) == 0;
	case CR_RECIPIENT_ROLE:
		return has_role(user, ace->recipient);
	case CR_RECIPIENT_USER_TYPE:
		return strcmp(ace->recipient, cr_user_type_name(user->type)) == 0;
	}
	return false;
}

unsigned
cr_authz_effective(const struct cr_principal *principal, const struct cr_acl *acl)
{
	unsigned granted = 0;
	size_t i;

	/* The owner always keeps Full control, so an ACL change cannot
	 * lock the owner out; only the owner or an Administrator can move
	 * ownership (handler_acl.c). */
	if (principal->user.type == CR_USER_ADMINISTRATOR ||
	    (acl->owner != NULL && strcmp(acl->owner, principal->user.name) == 0))
		return CR_PERMISSION_ALL;
	for (i = 0; i < acl->naces; i++)
		if (entry_applies(&acl->aces[i], &principal->user))
			granted |= acl->aces[i].permissions;

	/* Full control implies every code; any code implies Read, since no
	 * one can edit, delete or manage what they cannot see. */
	if (granted & CR_PERMISSION_BIT(CR_PERMISSION_FULL))
		granted = CR_PERMISSION_ALL;
	if (granted != 0)
		granted |= CR_PERMISSION_BIT(CR_PERMISSION_READ);
	return granted & CR_PERMISSION_ALL;
}

bool
cr_authz_may_create(const struct cr_principal *principal)
{
	return principal->user.type != CR_USER_READER;
}

bool
cr_authz_allows(const struct cr_principal *principal, const struct cr_acl *acl,
    enum cr_permission needed)
{
	if (principal->user.type == CR_USER_READER &&
	    (needed == CR_PERMISSION_EDIT || needed == CR_PERMISSION_DELETE ||
	    needed == CR_PERMISSION_FULL))
		return false;
	return (cr_authz_effective(principal, acl) & CR_PERMISSION_BIT(needed)) != 0;
}
