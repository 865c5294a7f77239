/* SPDX-License-Identifier: MIT */
/* Problem lists for validation responses. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "problems.h"

void
cr_problems_init(struct cr_problems *list)
{
	memset(list, 0, sizeof(*list));
}

void
cr_problems_free(struct cr_problems *list)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		free(list->items[i].pointer);
		free(list->items[i].message);
	}
	cr_problems_init(list);
}

void
cr_problems_add(struct cr_problems *list, const char *pointer, const char *fmt, ...)
{
	struct cr_problem *item;
	char message[512];
	va_list ap;

	if (list->count == CR_PROBLEMS_MAX) {
		list->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);

	item = &list->items[list->count];
	item->pointer = strdup(pointer);
	item->message = strdup(message);
	if (item->pointer == NULL || item->message == NULL) {
		free(item->pointer);
		free(item->message);
		list->out_of_memory = 1;
		return;
	}
	list->count++;
}

size_t
cr_problems_total(const struct cr_problems *list)
{
	return list->count + list->dropped;
}

void
cr_pointer_append(struct cr_buf *pointer, const char *key, size_t key_len)
{
	size_t i;

	cr_buf_append(pointer, "/", 1);
	if (memchr(key, '~', key_len) == NULL && memchr(key, '/', key_len) == NULL) {
		cr_buf_append(pointer, key, key_len);
		return;
	}
	for (i = 0; i < key_len; i++) {
		if (key[i] == '~')
			cr_buf_append(pointer, "~0", 2);
		else if (key[i] == '/')
			cr_buf_append(pointer, "~1", 2);
		else
			cr_buf_append(pointer, key + i, 1);
	}
}
