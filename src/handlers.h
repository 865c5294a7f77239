/* SPDX-License-Identifier: MIT */
/*
 * Request handlers. Each receives a request whose method, path, caller
 * and (for calls with a body) body have been checked by cr_app_serve,
 * and fills the response. Handlers reach stored data only through
 * store.h, and reach a connection only through cr_access_connection,
 * which applies its ACL.
 */
#ifndef CR_HANDLERS_H
#define CR_HANDLERS_H

#include "app.h"
#include "authz.h"
#include "http.h"

typedef void (*cr_handler)(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp);

void cr_handle_connection_add(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp);
void cr_handle_acl_get(struct cr_app *app, struct cr_request *req, struct cr_response *resp);
void cr_handle_acl_put(struct cr_app *app, struct cr_request *req, struct cr_response *resp);
void cr_handle_acl_batch(struct cr_app *app, struct cr_request *req, struct cr_response *resp);
void cr_handle_login(struct cr_app *app, struct cr_request *req, struct cr_response *resp);
void cr_handle_logout(struct cr_app *app, struct cr_request *req, struct cr_response *resp);
void cr_handle_connection_list(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp);
void cr_handle_connection_get(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp);
void cr_handle_connection_checkexists(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp);
void cr_handle_connection_update(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp);
void cr_handle_connection_delete(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp);
void cr_handle_pooling_parameters(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp);
void cr_handle_database_types(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp);

enum cr_access_result {
	CR_ACCESS_GRANTED,
	CR_ACCESS_NOT_FOUND,   /* missing, or not readable by the caller: 404 */
	CR_ACCESS_DENIED,      /* readable, but the permission is missing: 403 */
	CR_ACCESS_FAILED,      /* the store failed: 503 */
};

/*
 * Find the connection called NAME and check that the caller holds
 * NEEDED on it. On CR_ACCESS_GRANTED, ACL, *NAME_KEY and *STORED_NAME
 * (each newly allocated) describe it; otherwise they are empty and, when
 * RESP is not NULL, RESP contains the error response.
 */
enum cr_access_result cr_access_connection(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp, const char *name, enum cr_permission needed,
    struct cr_acl *acl, char **name_key, char **stored_name);

/*
 * The ?name= query parameter, percent-decoded and newly allocated; NULL
 * with a 400 in RESP when it is absent or malformed.
 */
char *cr_name_parameter(struct cr_request *req, struct cr_response *resp);

/* Send 503 (busy) or 500 after a store failure, and log the store's message. */
void cr_reply_store_failure(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp, enum cr_store_status status);
/* The same, with the store's message given as ERROR. */
void cr_reply_store_error(struct cr_request *req, struct cr_response *resp,
    enum cr_store_status status, const char *error);

#endif
