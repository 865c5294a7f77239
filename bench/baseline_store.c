/* SPDX-License-Identifier: MIT */
/*
 * baseline-store: the storage ceiling for the add call. One process runs
 * the same durable insert as bench/baseline_fcgi.c in a plain loop, with
 * no HTTP: WAL, synchronous FULL, BEGIN IMMEDIATE and one commit per row.
 * It prints the insert rate and percentiles of the time per insert.
 *
 * Usage: baseline-store DATABASE BODY_FILE SECONDS [MAX_ROWS]
 * The loop stops after SECONDS or after MAX_ROWS inserts, whichever
 * comes first. The result is one line on standard output:
 *   STORE inserts=N seconds=S inserts_per_s=R p50_us=A p99_us=B max_us=C
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile P (0 to 100) of the N sorted values. */
static double
percentile(const double *sorted, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return 0;
	rank = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

static char *
read_file(const char *path, size_t *length)
{
	FILE *file = fopen(path, "rb");
	char *data;
	long size;

	if (file == NULL) {
		fprintf(stderr, "baseline-store: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fseek(file, 0, SEEK_END) != 0 || (size = ftell(file)) < 0 ||
	    fseek(file, 0, SEEK_SET) != 0) {
		fprintf(stderr, "baseline-store: cannot read %s\n", path);
		fclose(file);
		return NULL;
	}
	data = malloc((size_t)size + 1);
	if (data == NULL || fread(data, 1, (size_t)size, file) != (size_t)size) {
		fprintf(stderr, "baseline-store: cannot read %s\n", path);
		free(data);
		fclose(file);
		return NULL;
	}
	data[size] = '\0';
	*length = (size_t)size;
	fclose(file);
	return data;
}

static int
exec_sql(sqlite3 *db, const char *sql)
{
	char *message = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &message);

	if (rc != SQLITE_OK) {
		fprintf(stderr, "baseline-store: %s failed: %s\n", sql,
		    message != NULL ? message : sqlite3_errstr(rc));
		sqlite3_free(message);
	}
	return rc;
}

int
main(int argc, char **argv)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *insert = NULL;
	double *latencies = NULL, seconds, start, end, before, elapsed;
	size_t document_len = 0, count = 0, capacity = 0;
	unsigned long max_rows = 0;
	char *document, name[64];
	int rc;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: baseline-store DATABASE BODY_FILE SECONDS [MAX_ROWS]\n");
		return 2;
	}
	seconds = strtod(argv[3], NULL);
	if (argc == 5)
		max_rows = strtoul(argv[4], NULL, 10);
	if (seconds <= 0) {
		fprintf(stderr, "baseline-store: SECONDS must be a positive number, not '%s'\n",
		    argv[3]);
		return 2;
	}
	document = read_file(argv[2], &document_len);
	if (document == NULL)
		return 1;

	rc = sqlite3_open_v2(argv[1], &db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "baseline-store: cannot open database %s: %s\n", argv[1],
		    sqlite3_errstr(rc));
		return 1;
	}
	sqlite3_busy_timeout(db, 5000);
	if (exec_sql(db, "PRAGMA journal_mode = WAL") != SQLITE_OK ||
	    exec_sql(db, "PRAGMA synchronous = FULL") != SQLITE_OK ||
	    exec_sql(db, "CREATE TABLE IF NOT EXISTS connections ("
	    " name TEXT NOT NULL UNIQUE, document TEXT NOT NULL)") != SQLITE_OK)
		return 1;
	rc = sqlite3_prepare_v3(db, "INSERT INTO connections (name, document) VALUES (?1, ?2)",
	    -1, SQLITE_PREPARE_PERSISTENT, &insert, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "baseline-store: cannot prepare the insert: %s\n", sqlite3_errmsg(db));
		return 1;
	}

	start = now_seconds();
	end = start + seconds;
	for (;;) {
		before = now_seconds();
		if (before >= end || (max_rows > 0 && count >= max_rows))
			break;
		snprintf(name, sizeof(name), "store-%ld-%zu", (long)getpid(), count);

		if (exec_sql(db, "BEGIN IMMEDIATE") != SQLITE_OK)
			return 1;
		sqlite3_bind_text(insert, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(insert, 2, document, (int)document_len, SQLITE_STATIC);
		rc = sqlite3_step(insert);
		sqlite3_reset(insert);
		sqlite3_clear_bindings(insert);
		if (rc != SQLITE_DONE) {
			fprintf(stderr, "baseline-store: insert failed: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		if (exec_sql(db, "COMMIT") != SQLITE_OK)
			return 1;

		if (count == capacity) {
			capacity = capacity ? capacity * 2 : 4096;
			latencies = realloc(latencies, capacity * sizeof(*latencies));
			if (latencies == NULL) {
				fprintf(stderr, "baseline-store: out of memory\n");
				return 1;
			}
		}
		latencies[count++] = (now_seconds() - before) * 1e6;
	}
	elapsed = now_seconds() - start;

	qsort(latencies, count, sizeof(*latencies), compare_doubles);
	printf("STORE inserts=%zu seconds=%.3f inserts_per_s=%.1f p50_us=%.0f p99_us=%.0f max_us=%.0f\n",
	    count, elapsed, (double)count / elapsed, percentile(latencies, count, 50),
	    percentile(latencies, count, 99), count ? latencies[count - 1] : 0.0);

	free(latencies);
	free(document);
	sqlite3_finalize(insert);
	sqlite3_close(db);
	return 0;
}
