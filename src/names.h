/* SPDX-License-Identifier: MIT */
/*
 * Connection names. A name is stored trimmed of surrounding white space
 * and compared through a key that ignores case across all of Unicode.
 * The key is the NFKC form with full case folding and without default
 * ignorable code points (utf8proc), so "Ärger" and "ärger", or "STRASSE"
 * and "straße", are the same name.
 */
#ifndef CR_NAMES_H
#define CR_NAMES_H

#include <stddef.h>

#define CR_NAME_MAX_CODEPOINTS 200

/*
 * Return a newly allocated copy of NAME without leading and trailing
 * Unicode white space, or NULL when out of memory. NAME must be valid
 * UTF-8.
 */
char *cr_name_trim(const char *name);

/*
 * Check a trimmed name. Return NULL when it is acceptable, else a static
 * message such as "must not be empty".
 */
const char *cr_name_problem(const char *name);

/* Return the newly allocated comparison key of NAME, or NULL on failure. */
char *cr_name_fold(const char *name);

#endif
