/* SPDX-License-Identifier: MIT */
/*
 * The FastCGI server: worker threads that accept and serve requests on
 * one listening socket, and the group commit writer they share.
 */
#ifndef CR_SERVER_H
#define CR_SERVER_H

#include "app.h"

/*
 * Serve FastCGI on LISTEN_FD with the configured number of worker
 * threads until SIGTERM, SIGINT or SIGUSR1; requests in progress finish
 * first. Call with those signals blocked in every thread. MODE names
 * the mode in the log. Return the exit status.
 */
int cr_server_run(struct cr_app *app, int listen_fd, const char *mode);

#endif
