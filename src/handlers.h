/* SPDX-License-Identifier: MIT */
/*
 * Request handlers. Each receives a request whose method, path and (for
 * calls with a body) JSON body have been checked by cr_app_serve, and
 * fills the response. Handlers reach stored data only through store.h.
 */
#ifndef CR_HANDLERS_H
#define CR_HANDLERS_H

#include "app.h"
#include "http.h"

typedef void (*cr_handler)(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp);

void cr_handle_connection_add(struct cr_app *app, struct cr_request *req,
    struct cr_response *resp);

#endif
