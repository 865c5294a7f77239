/* SPDX-License-Identifier: MIT */
/*
 * A list of problems found in one request, each naming the place by
 * JSON Pointer (RFC 6901) and saying what is wrong in a plain sentence.
 * The list keeps at most CR_PROBLEMS_MAX entries and counts the rest,
 * so that a hostile body cannot make the error response unbounded.
 */
#ifndef CR_PROBLEMS_H
#define CR_PROBLEMS_H

#include <stddef.h>

#define CR_PROBLEMS_MAX 64

struct cr_problem {
	char *pointer;
	char *message;
};

struct cr_problems {
	struct cr_problem items[CR_PROBLEMS_MAX];
	size_t count;
	size_t dropped;   /* problems found beyond CR_PROBLEMS_MAX */
	int out_of_memory;
};

void cr_problems_init(struct cr_problems *list);
void cr_problems_free(struct cr_problems *list);
void cr_problems_add(struct cr_problems *list, const char *pointer, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
size_t cr_problems_total(const struct cr_problems *list);

/* Append "/" and KEY, escaped as RFC 6901 requires, to POINTER. */
struct cr_buf;
void cr_pointer_append(struct cr_buf *pointer, const char *key, size_t key_len);

#endif
