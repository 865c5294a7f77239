/* SPDX-License-Identifier: MIT */
/* Line-oriented logging to stderr. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

static enum cr_log_level current_level = CR_LOG_INFO;

static const char *const level_names[] = {
	[CR_LOG_ERROR] = "error",
	[CR_LOG_WARN] = "warn",
	[CR_LOG_INFO] = "info",
	[CR_LOG_DEBUG] = "debug",
};

bool
cr_log_level_parse(const char *text, enum cr_log_level *level)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(text, level_names[i]) == 0) {
			*level = (enum cr_log_level)i;
			return true;
		}
	}
	return false;
}

void
cr_log_set_level(enum cr_log_level level)
{
	current_level = level;
}

bool
cr_log_enabled(enum cr_log_level level)
{
	return level <= current_level;
}

void
cr_log(enum cr_log_level level, const char *request_id, const char *fmt, ...)
{
	struct cr_buf line;
	struct timespec now;
	struct tm tm;
	char stamp[32];
	char message[2048];
	va_list ap;
	size_t i, len;

	if (!cr_log_enabled(level))
		return;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);

	/* Messages are built by the program, but a newline in one would
	 * still split the line, so the last line of defence is here. */
	len = strlen(message);
	for (i = 0; i < len; i++)
		if ((unsigned char)message[i] < 0x20)
			message[i] = ' ';

	cr_buf_init(&line);
	cr_buf_printf(&line, "%s.%03ldZ connreg[%ld] %s", stamp, now.tv_nsec / 1000000L,
	    (long)getpid(), level_names[level]);
	if (request_id != NULL)
		cr_buf_printf(&line, " req=%s", request_id);
	cr_buf_printf(&line, " %s\n", message);
	if (!line.failed)
		(void)!write(STDERR_FILENO, line.data, line.len);
	cr_buf_free(&line);
}
