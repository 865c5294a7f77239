/* SPDX-License-Identifier: MIT */
/*
 * Growable byte buffer used to build response bodies, log lines and
 * stored JSON documents. A buffer that failed to grow remembers it, so
 * callers can append freely and check once at the end.
 */
#ifndef CR_BUF_H
#define CR_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct cr_buf {
	char *data;   /* always NUL-terminated when len > 0 or after any append */
	size_t len;
	size_t cap;
	bool failed;  /* an allocation failed; contents are incomplete */
};

/* The contents as a C string; "" for a buffer never appended to. */
static inline const char *
cr_buf_str(const struct cr_buf *buf)
{
	return buf->data != NULL ? buf->data : "";
}

void cr_buf_init(struct cr_buf *buf);
void cr_buf_free(struct cr_buf *buf);
/* Overwrite the whole allocation, then free it: for buffers that held secrets. */
void cr_buf_wipe(struct cr_buf *buf);
void cr_buf_reset(struct cr_buf *buf);
void cr_buf_append(struct cr_buf *buf, const char *data, size_t len);
void cr_buf_puts(struct cr_buf *buf, const char *text);
void cr_buf_printf(struct cr_buf *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append TEXT of LEN bytes as a JSON string literal, quotes included. */
void cr_buf_json_string(struct cr_buf *buf, const char *text, size_t len);

/*
 * Append TEXT for a log line: printable ASCII and UTF-8 pass through,
 * control bytes, quotes and backslashes are escaped, and at most
 * MAX_BYTES of input are copied.
 */
void cr_buf_log_string(struct cr_buf *buf, const char *text, size_t max_bytes);

#endif
