/* SPDX-License-Identifier: MIT */
/*
 * connreg-fcgi: the connection registry as a FastCGI program. Started by
 * a web server with a listening socket on standard input, it serves
 * requests until it receives a stop signal. With --listen it opens the
 * socket itself. Started as a CGI program, it serves the one request in
 * its environment and exits.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "app.h"
#include "log.h"
#include "server.h"

#define LISTEN_BACKLOG 128

/*
 * Block the stop signals before any thread starts, so that every thread
 * inherits the mask and cr_server_run receives them with sigwait, and
 * ignore SIGPIPE so that a client that goes away cannot kill the
 * process.
 */
static void
prepare_signals(bool fastcgi)
{
	struct sigaction action;
	sigset_t stop_signals;

	memset(&action, 0, sizeof(action));
	action.sa_handler = SIG_IGN;
	sigemptyset(&action.sa_mask);
	sigaction(SIGPIPE, &action, NULL);
	if (!fastcgi)
		return;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
}

/* CGI I/O: the environment, standard input and standard output. */

static const char *
cgi_param(void *context, const char *name)
{
	(void)context;
	return getenv(name);
}

static ssize_t
cgi_read(void *context, char *data, size_t len)
{
	ssize_t n;

	(void)context;
	do
		n = read(STDIN_FILENO, data, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static int
cgi_write(void *context, const char *data, size_t len)
{
	ssize_t n;

	(void)context;
	while (len > 0) {
		n = write(STDOUT_FILENO, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Open a listening socket on "HOST:PORT" or a unix socket path. */
static int
open_listener(const char *address)
{
	struct addrinfo hints, *found = NULL, *ai;
	struct sockaddr_un sun;
	const char *colon = strrchr(address, ':');
	char host[256];
	int fd = -1, one = 1, rc;

	if (address[0] == '/' || address[0] == '.' || colon == NULL) {
		if (strlen(address) >= sizeof(sun.sun_path)) {
			fprintf(stderr, "connreg-fcgi: socket path is too long: %s\n", address);
			return -1;
		}
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		strcpy(sun.sun_path, address);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			goto fail;
		/* Remove a socket left behind by an earlier run, never a file. */
		struct stat st;
		if (lstat(address, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(address);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
		    listen(fd, LISTEN_BACKLOG) != 0)
			goto fail;
		return fd;
	}

	if (colon == address || (size_t)(colon - address) >= sizeof(host)) {
		fprintf(stderr, "connreg-fcgi: --listen needs HOST:PORT or a socket path, not %s\n",
		    address);
		return -1;
	}
	memcpy(host, address, (size_t)(colon - address));
	host[colon - address] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	rc = getaddrinfo(host, colon + 1, &hints, &found);
	if (rc != 0) {
		fprintf(stderr, "connreg-fcgi: invalid listen address %s: %s\n", address,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = found; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, LISTEN_BACKLOG) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(found);
	if (fd >= 0)
		return fd;
fail:
	fprintf(stderr, "connreg-fcgi: cannot listen on %s: %s\n", address, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int
serve_cgi(struct cr_app *app)
{
	struct cr_io io = { NULL, cgi_param, cgi_read, cgi_write };

	cr_app_serve(app, &io);
	return 0;
}

/*
 * Send 503 for the one CGI request when start-up failed, so that the
 * client gets a JSON error instead of the web server's generic one. The
 * reason is in the log only.
 */
static void
send_unavailable(void)
{
	struct cr_io io = { NULL, cgi_param, cgi_read, cgi_write };
	struct cr_response resp;
	struct cr_request req;

	cr_request_begin(&req, &io);
	cr_response_init(&resp);
	resp.retry_after = 5;
	cr_response_failure(&resp, 503, "The service is unavailable; try again later.", NULL);
	cr_response_send(&resp, req.id, &io);
	cr_response_free(&resp);
	cr_request_end(&req);
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "Usage: connreg-fcgi [--config FILE] [--listen ADDRESS] [--check]\n"
	    "\n"
	    "Serve the connections API over FastCGI (socket on standard input, as\n"
	    "web servers start it), over plain CGI (one request, when started as a\n"
	    "CGI program), or on a socket of its own with --listen.\n"
	    "\n"
	    "  -c, --config FILE      configuration file (default: $CONNREG_CONFIG,\n"
	    "                         then %s)\n"
	    "  -l, --listen ADDRESS   listen on HOST:PORT (such as 127.0.0.1:9000)\n"
	    "                         or on a unix socket path\n"
	    "      --check            load the configuration, open the database and\n"
	    "                         the key file (creating them when missing), exit\n"
	    "  -h, --help             show this help\n"
	    "  -V, --version          show the version\n",
	    cr_conf_choose_path(NULL));
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_option = NULL, *listen_address = NULL;
	bool check_only = false, cgi;
	struct cr_app app;
	char err[1024];
	int opt, listen_fd, rc;

	while ((opt = getopt_long(argc, argv, "c:l:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'c': config_option = optarg; break;
		case 'l': listen_address = optarg; break;
		case 'k': check_only = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("connreg-fcgi %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "connreg-fcgi: unexpected argument: %s\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	if (FCGX_Init() != 0) {
		cr_log(CR_LOG_ERROR, NULL, "libfcgi failed to initialize");
		return 1;
	}
	cgi = listen_address == NULL && !check_only && FCGX_IsCGI();
	prepare_signals(!cgi && !check_only);

	if (cr_app_open(&app, cr_conf_choose_path(config_option), err, sizeof(err)) != 0) {
		cr_log(CR_LOG_ERROR, NULL, "start-up failed: %s", err);
		if (cgi)
			send_unavailable();
		return 1;
	}
	if (check_only) {
		printf("configuration %s is valid; database and key file are ready\n", app.conf.path);
		cr_app_close(&app);
		return 0;
	}

	if (listen_address != NULL) {
		listen_fd = open_listener(listen_address);
		rc = listen_fd < 0 ? 1 : cr_server_run(&app, listen_fd, "standalone");
	} else if (cgi) {
		rc = serve_cgi(&app);
	} else {
		rc = cr_server_run(&app, 0, "FastCGI");
	}
	cr_app_close(&app);
	return rc;
}
