/* SPDX-License-Identifier: MIT */
/*
 * The change history's description of one change: a JSON array of
 * {"field":POINTER,"old":VALUE,"new":VALUE} entries, one for each
 * top-level member of the connection document that differs, with null
 * for a member that is absent on one side. A member that changes between
 * null and absent is not recorded, because both read back as null. A changed password appears
 * as {"field":"/password","changed":true} and its value never appears.
 * An ACL change is one entry with field "acl". An add or a delete is one
 * entry with field "" (the whole document) and the document as its new
 * or old value.
 */
#ifndef CR_HISTORY_H
#define CR_HISTORY_H

#include <stdbool.h>

#include "store.h"

/*
 * Describe the change from document OLD_DOCUMENT to NEW_DOCUMENT (JSON
 * texts; NULL stands for no document, as before an add or after a
 * delete). Return the array as a newly allocated string, or NULL when
 * out of memory or when a document is not a JSON object.
 */
char *cr_history_diff(const char *old_document, const char *new_document,
    bool password_changed);

/* Describe an ACL change as a newly allocated JSON array; NULL when out of memory. */
char *cr_history_acl_change(const struct cr_acl *old_acl, const struct cr_acl *new_acl);

#endif
