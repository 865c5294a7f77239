/* SPDX-License-Identifier: MIT */
/* Connection name trimming, checking and case folding. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "names.h"

static bool
is_space(utf8proc_int32_t cp)
{
	utf8proc_category_t category = utf8proc_category(cp);

	return cp == '\t' || cp == '\n' || cp == '\v' || cp == '\f' || cp == '\r' ||
	    category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_ZL ||
	    category == UTF8PROC_CATEGORY_ZP;
}

char *
cr_name_trim(const char *name)
{
	const utf8proc_uint8_t *text = (const utf8proc_uint8_t *)name;
	utf8proc_ssize_t len = (utf8proc_ssize_t)strlen(name), pos = 0, n;
	utf8proc_ssize_t start = -1, end = 0;
	utf8proc_int32_t cp;
	char *copy;

	while (pos < len) {
		n = utf8proc_iterate(text + pos, len - pos, &cp);
		if (n <= 0)
			return NULL;
		if (!is_space(cp)) {
			if (start < 0)
				start = pos;
			end = pos + n;
		}
		pos += n;
	}
	if (start < 0)
		start = end = 0;
	copy = malloc((size_t)(end - start) + 1);
	if (copy == NULL)
		return NULL;
	memcpy(copy, name + start, (size_t)(end - start));
	copy[end - start] = '\0';
	return copy;
}

const char *
cr_name_problem(const char *name)
{
	const utf8proc_uint8_t *text = (const utf8proc_uint8_t *)name;
	utf8proc_ssize_t len = (utf8proc_ssize_t)strlen(name), pos = 0, n;
	utf8proc_int32_t cp;
	size_t count = 0;

	if (len == 0)
		return "must not be empty or only white space";
	while (pos < len) {
		n = utf8proc_iterate(text + pos, len - pos, &cp);
		if (n <= 0)
			return "is not valid UTF-8";
		switch (utf8proc_category(cp)) {
		case UTF8PROC_CATEGORY_CC:
		case UTF8PROC_CATEGORY_ZL:
		case UTF8PROC_CATEGORY_ZP:
			return "must not contain control characters or line breaks";
		case UTF8PROC_CATEGORY_CF:
			/* Invisible format characters (zero-width spaces, direction
			 * overrides) would make two names look the same. */
			return "must not contain invisible format characters such as U+200B";
		default:
			break;
		}
		pos += n;
		count++;
	}
	if (count > CR_NAME_MAX_CODEPOINTS)
		return "must be at most 200 characters long";
	return NULL;
}

static char *
fold_once(const char *name)
{
	utf8proc_uint8_t *folded = NULL;

	if (utf8proc_map((const utf8proc_uint8_t *)name, 0, &folded,
	    UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
	    UTF8PROC_CASEFOLD | UTF8PROC_IGNORE) < 0)
		return NULL;
	return (char *)folded;
}

char *
cr_name_fold(const char *name)
{
	char *once, *twice;

	/* Case folding can produce text that NFKC changes again (and the
	 * reverse), so a second pass makes the key stable: the key of a
	 * key is the key itself. */
	once = fold_once(name);
	if (once == NULL)
		return NULL;
	twice = fold_once(once);
	free(once);
	return twice;
}
