/* SPDX-License-Identifier: MIT */
/* Growable byte buffer with JSON and log escaping. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
cr_buf_init(struct cr_buf *buf)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
	buf->failed = false;
}

void
cr_buf_free(struct cr_buf *buf)
{
	free(buf->data);
	cr_buf_init(buf);
}

void
cr_buf_wipe(struct cr_buf *buf)
{
	if (buf->data != NULL)
		explicit_bzero(buf->data, buf->cap);
	cr_buf_free(buf);
}

void
cr_buf_reset(struct cr_buf *buf)
{
	buf->len = 0;
	buf->failed = false;
	if (buf->data != NULL)
		buf->data[0] = '\0';
}

static bool
reserve(struct cr_buf *buf, size_t extra)
{
	size_t need, cap;
	char *data;

	if (buf->failed)
		return false;
	if (extra > SIZE_MAX - buf->len - 1) {
		buf->failed = true;
		return false;
	}
	need = buf->len + extra + 1;
	if (need <= buf->cap)
		return true;
	cap = buf->cap ? buf->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	data = realloc(buf->data, cap);
	if (data == NULL) {
		buf->failed = true;
		return false;
	}
	buf->data = data;
	buf->cap = cap;
	return true;
}

void
cr_buf_append(struct cr_buf *buf, const char *data, size_t len)
{
	/* The common case, room to spare, skips the overflow checks. */
	if (buf->cap - buf->len <= len && !reserve(buf, len))
		return;
	if (buf->failed)
		return;
	memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
}

void
cr_buf_puts(struct cr_buf *buf, const char *text)
{
	cr_buf_append(buf, text, strlen(text));
}

void
cr_buf_printf(struct cr_buf *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(buf, (size_t)n)) {
		buf->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf->len += (size_t)n;
}

void
cr_buf_json_string(struct cr_buf *buf, const char *text, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	cr_buf_append(buf, "\"", 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		cr_buf_append(buf, text + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': cr_buf_append(buf, "\\\"", 2); break;
		case '\\': cr_buf_append(buf, "\\\\", 2); break;
		case '\n': cr_buf_append(buf, "\\n", 2); break;
		case '\r': cr_buf_append(buf, "\\r", 2); break;
		case '\t': cr_buf_append(buf, "\\t", 2); break;
		default: cr_buf_append(buf, esc, sizeof(esc)); break;
		}
	}
	cr_buf_append(buf, text + run, len - run);
	cr_buf_append(buf, "\"", 1);
}

void
cr_buf_log_string(struct cr_buf *buf, const char *text, size_t max_bytes)
{
	size_t i, len = strlen(text);

	if (len > max_bytes)
		len = max_bytes;
	cr_buf_append(buf, "\"", 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			cr_buf_printf(buf, "\\x%02x", c);
		else
			cr_buf_append(buf, (const char *)&c, 1);
	}
	if (strlen(text) > max_bytes)
		cr_buf_puts(buf, "...");
	cr_buf_append(buf, "\"", 1);
}
