/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr, which the web server copies to its error log.
 * One line per event: UTC time, level, request id when there is one,
 * then the message. Callers never pass passwords, bodies, cookies or
 * Authorization headers; string values from requests go through
 * cr_buf_log_string so that control characters cannot forge lines.
 */
#ifndef CR_LOG_H
#define CR_LOG_H

#include <stdbool.h>

enum cr_log_level {
	CR_LOG_ERROR,
	CR_LOG_WARN,
	CR_LOG_INFO,
	CR_LOG_DEBUG,
};

/* Parse "error", "warn", "info" or "debug"; false on anything else. */
bool cr_log_level_parse(const char *text, enum cr_log_level *level);
void cr_log_set_level(enum cr_log_level level);
bool cr_log_enabled(enum cr_log_level level);

/* Log a message; REQUEST_ID may be NULL outside a request. */
void cr_log(enum cr_log_level level, const char *request_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
