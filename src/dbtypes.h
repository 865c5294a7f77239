/* SPDX-License-Identifier: MIT */
/*
 * The database types a connection may name in databaseType.shortName,
 * with their display names, default ports and supported access types.
 * The validator and the types resource both read this one table.
 */
#ifndef CR_DBTYPES_H
#define CR_DBTYPES_H

#include <stdbool.h>
#include <stddef.h>

enum cr_access_type {
	CR_ACCESS_NATIVE = 1 << 0,
	CR_ACCESS_ODBC = 1 << 1,
	CR_ACCESS_OCI = 1 << 2,
	CR_ACCESS_JNDI = 1 << 3,
	CR_ACCESS_PLUGIN = 1 << 4,
	CR_ACCESS_CUSTOM = 1 << 5,
};

struct cr_dbtype {
	const char *short_name;
	const char *name;
	unsigned default_port;  /* 0 for types that have no port, such as SQLite */
	unsigned access;        /* bit set of enum cr_access_type */
};

extern const struct cr_dbtype cr_dbtypes[];
extern const size_t cr_dbtypes_count;

/* Return the type with SHORT_NAME (exact match), or NULL. */
const struct cr_dbtype *cr_dbtype_find(const char *short_name);

/* Parse an access type name such as "NATIVE"; 0 when unknown. */
unsigned cr_access_type_parse(const char *text);

/* The name of one access type bit, such as "NATIVE". */
const char *cr_access_type_name(unsigned bit);

#endif
