/* SPDX-License-Identifier: MIT */
/* The one way handlers reach a connection: look it up, then apply its ACL. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "handlers.h"
#include "log.h"
#include "names.h"

void
cr_reply_store_failure(struct cr_app *app, struct cr_request *req, struct cr_response *resp,
    enum cr_store_status status)
{
	cr_reply_store_error(req, resp, status, cr_store_error(app->store));
}

void
cr_reply_store_error(struct cr_request *req, struct cr_response *resp,
    enum cr_store_status status, const char *error)
{
	if (status == CR_STORE_BUSY) {
		cr_log(CR_LOG_WARN, req->id, "store busy: %s", error);
		resp->retry_after = 1;
		cr_response_failure(resp, 503, "The database is busy; try again shortly.", NULL);
		return;
	}
	cr_log(CR_LOG_ERROR, req->id, "store failed: %s", error);
	cr_response_failure(resp, 500, "The request failed because of a server error.", NULL);
}

enum cr_access_result
cr_access_connection(struct cr_app *app, struct cr_request *req, struct cr_response *resp,
    const char *name, enum cr_permission needed, struct cr_acl *acl, char **name_key,
    char **stored_name)
{
	enum cr_store_status status;
	char *trimmed, *key;

	*name_key = NULL;
	*stored_name = NULL;
	trimmed = cr_name_trim(name);
	key = trimmed != NULL ? cr_name_fold(trimmed) : NULL;
	free(trimmed);
	if (key == NULL) {
		if (resp != NULL)
			cr_response_failure(resp, 404, "No connection has that name.", NULL);
		return CR_ACCESS_NOT_FOUND;
	}

	status = cr_store_get_acl(app->store, key, stored_name, acl);
	if (status == CR_STORE_BUSY || status == CR_STORE_ERROR) {
		if (resp != NULL)
			cr_reply_store_failure(app, req, resp, status);
		free(key);
		return CR_ACCESS_FAILED;
	}

	/* A connection the caller cannot read gets the same 404 as a missing one, so
	 * that names do not leak. */
	if (status != CR_STORE_OK ||
	    !cr_authz_allows(req->principal, acl, CR_PERMISSION_READ)) {
		if (resp != NULL)
			cr_response_failure(resp, 404, "No connection has that name.", NULL);
		goto refuse;
	}
	if (!cr_authz_allows(req->principal, acl, needed)) {
		if (resp != NULL)
			cr_response_failure(resp, 403,
			    "You do not have the permission this call needs on that connection.", NULL);
		cr_acl_free(acl);
		free(*stored_name);
		*stored_name = NULL;
		free(key);
		return CR_ACCESS_DENIED;
	}
	*name_key = key;
	return CR_ACCESS_GRANTED;
refuse:
	cr_acl_free(acl);
	free(*stored_name);
	*stored_name = NULL;
	free(key);
	return CR_ACCESS_NOT_FOUND;
}
