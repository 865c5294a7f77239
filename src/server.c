/* SPDX-License-Identifier: MIT */
/*
 * Worker threads for FastCGI. Each worker has its own FCGX_Request and
 * its own store, and calls FCGX_Accept_r on the shared listening socket.
 * Adds go through the group commit writer, so that requests served at
 * the same time share a disk flush.
 *
 * Stopping: the stop signals stay blocked in every thread, and the main
 * thread waits for them with sigwait. It then sets the stop flag and
 * sends SIGUSR2 to each worker until the worker has ended. A worker
 * unblocks SIGUSR2 only around FCGX_Accept_r, so the signal interrupts
 * a wait for a connection (FCGI_FAIL_ACCEPT_ON_INTR) but never a read or
 * write of a request in progress, which finishes first. The signal is
 * repeated because one that arrives just before accept is entered would
 * be lost.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "log.h"
#include "server.h"
#include "writer.h"

#define SOCKET_WAIT_SECONDS 30
#define WAKE_SIGNAL SIGUSR2

struct worker {
	pthread_t thread;
	struct cr_app app;         /* shares conf, key and writer; owns store */
	FCGX_Request request;
	int listen_fd;
	unsigned long served;
	bool started;
	bool owns_store;           /* false for the worker that uses the caller's store */
	volatile sig_atomic_t done;
};

static volatile sig_atomic_t stopping;
static volatile sig_atomic_t worker_failed;

static void
on_wake(int signo)
{
	(void)signo;
}

/* FastCGI I/O for the gateway-independent request code. */
static const char *
fcgi_param(void *context, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)context)->envp);
}

static ssize_t
fcgi_read(void *context, char *data, size_t len)
{
	int chunk = len > 65536 ? 65536 : (int)len;

	return FCGX_GetStr(data, chunk, ((FCGX_Request *)context)->in);
}

static int
fcgi_write(void *context, const char *data, size_t len)
{
	FCGX_Stream *out = ((FCGX_Request *)context)->out;

	while (len > 0) {
		int chunk = len > 65536 ? 65536 : (int)len;

		if (FCGX_PutStr(data, chunk, out) != chunk)
			return -1;
		data += chunk;
		len -= (size_t)chunk;
	}
	return 0;
}

/*
 * Bound how long one read or write of a request may wait, so that a
 * client that stalls mid-request cannot hold a worker (and delay a stop)
 * for longer. Web servers that buffer the request never stall.
 */
static void
limit_socket_waits(int fd)
{
	struct timeval limit = { SOCKET_WAIT_SECONDS, 0 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
}

static void *
run_worker(void *context)
{
	struct worker *worker = context;
	struct cr_io io = { &worker->request, fcgi_param, fcgi_read, fcgi_write };
	sigset_t wake;
	int rc;

	sigemptyset(&wake);
	sigaddset(&wake, WAKE_SIGNAL);
	while (!stopping) {
		pthread_sigmask(SIG_UNBLOCK, &wake, NULL);
		rc = FCGX_Accept_r(&worker->request);
		pthread_sigmask(SIG_BLOCK, &wake, NULL);
		if (rc < 0) {
			if (stopping || rc == -EINTR)
				continue;
			cr_log(CR_LOG_ERROR, NULL, "FastCGI accept failed: %s; stopping",
			    strerror(-rc));
			worker_failed = 1;
			kill(getpid(), SIGTERM);
			break;
		}
		limit_socket_waits(worker->request.ipcFd);
		cr_app_serve(&worker->app, &io);
		FCGX_Finish_r(&worker->request);
		worker->served++;
	}
	worker->done = 1;
	return NULL;
}

/* Start a worker; the first one uses APP's own store, the others open theirs. */
static int
start_worker(struct worker *worker, const struct cr_app *app, struct cr_writer *writer,
    int listen_fd, bool first)
{
	struct cr_store_options options = { app->conf.database, app->conf.busy_timeout_ms };
	char err[1024];

	worker->app = *app;
	worker->app.writer = writer;
	worker->owns_store = !first;
	if (!first &&
	    cr_store_open(&options, &worker->app.store, err, sizeof(err)) != CR_STORE_OK) {
		cr_log(CR_LOG_ERROR, NULL, "cannot open the database for a worker: %s", err);
		return -1;
	}
	if (FCGX_InitRequest(&worker->request, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0 ||
	    pthread_create(&worker->thread, NULL, run_worker, worker) != 0) {
		cr_log(CR_LOG_ERROR, NULL, "cannot start a worker thread");
		if (worker->owns_store)
			cr_store_close(worker->app.store);
		return -1;
	}
	worker->started = true;
	return 0;
}

/* Wake every worker until all have ended, then collect them. */
static unsigned long
stop_workers(struct worker *workers, unsigned count)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	unsigned long served = 0;
	bool running = true;
	unsigned i;

	stopping = 1;
	while (running) {
		running = false;
		for (i = 0; i < count; i++) {
			if (workers[i].started && !workers[i].done) {
				pthread_kill(workers[i].thread, WAKE_SIGNAL);
				running = true;
			}
		}
		if (running)
			nanosleep(&pause, NULL);
	}
	for (i = 0; i < count; i++) {
		if (!workers[i].started)
			continue;
		pthread_join(workers[i].thread, NULL);
		FCGX_Free(&workers[i].request, 0);
		if (workers[i].owns_store)
			cr_store_close(workers[i].app.store);
		served += workers[i].served;
	}
	return served;
}

int
cr_server_run(struct cr_app *app, int listen_fd, const char *mode)
{
	struct cr_store_options options = { app->conf.database, app->conf.busy_timeout_ms };
	unsigned count = app->conf.threads, i;
	struct cr_writer *writer = NULL;
	struct worker *workers = NULL;
	struct sigaction action;
	sigset_t stop_signals;
	unsigned long served;
	char err[1024];
	int signo = 0, status = 1;

	memset(&action, 0, sizeof(action));
	action.sa_handler = on_wake;
	sigemptyset(&action.sa_mask);
	sigaction(WAKE_SIGNAL, &action, NULL);
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGUSR1);

	/* glibc gives each thread's allocations an arena of their own; two
	 * are enough for requests that allocate little and keep memory use
	 * low. */
	mallopt(M_ARENA_MAX, 2);

	if (cr_writer_start(&options, &writer, err, sizeof(err)) != 0) {
		cr_log(CR_LOG_ERROR, NULL, "cannot start the writer: %s", err);
		return 1;
	}
	workers = calloc(count, sizeof(*workers));
	if (workers == NULL) {
		cr_log(CR_LOG_ERROR, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < count; i++)
		if (start_worker(&workers[i], app, writer, listen_fd, i == 0) != 0)
			goto stop;
	cr_log(CR_LOG_INFO, NULL, "started in %s mode with %u worker threads: database=%s", mode,
	    count, app->conf.database);

	sigwait(&stop_signals, &signo);
	cr_log(CR_LOG_INFO, NULL, "stopping on signal %d; finishing requests in progress", signo);
	status = worker_failed ? 1 : 0;
stop:
	served = stop_workers(workers, count);
	cr_log(CR_LOG_INFO, NULL, "stopped after %lu requests", served);
out:
	free(workers);
	cr_writer_stop(writer);
	return status;
}
