/* SPDX-License-Identifier: MIT */
/* Supported database types. */
#include "config.h"

#include <string.h>

#include "dbtypes.h"

#define N CR_ACCESS_NATIVE
#define O CR_ACCESS_ODBC
#define C CR_ACCESS_OCI
#define J CR_ACCESS_JNDI

const struct cr_dbtype cr_dbtypes[] = {
	{ "POSTGRESQL", "PostgreSQL", 5432, N | O | J },
	{ "MYSQL", "MySQL", 3306, N | O | J },
	{ "MARIADB", "MariaDB", 3306, N | O | J },
	{ "ORACLE", "Oracle", 1521, N | O | C | J },
	{ "MSSQL", "MS SQL Server", 1433, N | O | J },
	{ "MSSQLNATIVE", "MS SQL Server (Native)", 1433, N | O | J },
	{ "AZURESQLDB", "Azure SQL DB", 1433, N | J },
	{ "H2", "H2", 8082, N | O | J },
	{ "HYPERSONIC", "Hypersonic", 9001, N | O | J },
	{ "SQLITE", "SQLite", 0, N | O | J },
	{ "DB2", "IBM DB2", 50000, N | O | J },
	{ "VERTICA5", "Vertica 5+", 5433, N | O | J },
	{ "REDSHIFT", "Redshift", 5439, N | O | J },
	{ "SNOWFLAKEHV", "Snowflake", 443, N | J },
	{ "GOOGLEBIGQUERY", "Google BigQuery", 443, N | J },
	{ "GREENPLUM", "Greenplum", 5432, N | O | J },
	{ "TERADATA", "Teradata", 1025, N | O | J },
	{ "SYBASE", "Sybase", 5001, N | O | J },
	{ "SYBASEIQ", "SybaseIQ", 2638, N | O | J },
	{ "INFORMIX", "Informix", 1526, N | O | J },
	{ "NETEZZA", "Netezza", 5480, N | O | J },
	{ "MONETDB", "MonetDB", 50000, N | O | J },
	{ "FIREBIRD", "Firebird", 3050, N | O | J },
	{ "EXASOL4", "Exasol 4", 8563, N | J },
	{ "HIVE2", "Hadoop Hive 2", 10000, N | J },
	{ "IMPALA", "Impala", 21050, N | J },
	{ "GENERIC", "Generic database", 0, N | O | J },
};

const size_t cr_dbtypes_count = sizeof(cr_dbtypes) / sizeof(cr_dbtypes[0]);

static const char *const access_names[] = {
	"NATIVE", "ODBC", "OCI", "JNDI", "PLUGIN", "CUSTOM",
};

const struct cr_dbtype *
cr_dbtype_find(const char *short_name)
{
	size_t i;

	for (i = 0; i < cr_dbtypes_count; i++)
		if (strcmp(cr_dbtypes[i].short_name, short_name) == 0)
			return &cr_dbtypes[i];
	return NULL;
}

unsigned
cr_access_type_parse(const char *text)
{
	size_t i;

	for (i = 0; i < sizeof(access_names) / sizeof(access_names[0]); i++)
		if (strcmp(access_names[i], text) == 0)
			return 1u << i;
	return 0;
}

const char *
cr_access_type_name(unsigned bit)
{
	size_t i;

	for (i = 0; i < sizeof(access_names) / sizeof(access_names[0]); i++)
		if (bit == 1u << i)
			return access_names[i];
	return "";
}
