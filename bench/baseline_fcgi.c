/* SPDX-License-Identifier: MIT */
/*
 * baseline-fcgi: the least a FastCGI responder can do for the add call,
 * used by bench/run.sh as the yardstick for connreg-fcgi behind the same
 * lighttpd configuration.
 *
 * Mode "store" (the default) reads the CONTENT_LENGTH bytes of the body,
 * parses them with json-c and takes the string member "name". It inserts
 * the name and the body text in one durable SQLite transaction, with the
 * settings connreg uses: WAL, synchronous FULL, BEGIN IMMEDIATE and a
 * busy timeout of 5000 ms. There is no validation, no encryption and no
 * logging.
 *
 * Mode "fixed" reads the body and sends the success response without
 * parsing it or touching a database: the ceiling of the HTTP path.
 *
 * Usage: baseline-fcgi [store DATABASE | fixed]
 * The web server starts it with the listening socket on standard input.
 * The mode may also come from BASELINE_MODE and the database path from
 * BASELINE_DB, for web servers that do not pass arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>
#include <json-c/json.h>
#include <sqlite3.h>

#define MAX_BODY_BYTES 65536

static const char success_body[] = "{\"msg\":\"success\",\"code\":\"200\",\"success\":true}";

struct store {
	sqlite3 *db;
	sqlite3_stmt *insert;
};

static int
exec_sql(sqlite3 *db, const char *sql)
{
	char *message = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &message);

	if (rc != SQLITE_OK) {
		fprintf(stderr, "baseline-fcgi: %s failed: %s\n", sql,
		    message != NULL ? message : sqlite3_errstr(rc));
		sqlite3_free(message);
	}
	return rc;
}

static int
store_open(struct store *store, const char *path)
{
	int rc;

	rc = sqlite3_open_v2(path, &store->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "baseline-fcgi: cannot open database %s: %s\n", path,
		    sqlite3_errstr(rc));
		return -1;
	}
	sqlite3_busy_timeout(store->db, 5000);
	if (exec_sql(store->db, "PRAGMA journal_mode = WAL") != SQLITE_OK ||
	    exec_sql(store->db, "PRAGMA synchronous = FULL") != SQLITE_OK ||
	    exec_sql(store->db, "CREATE TABLE IF NOT EXISTS connections ("
	    " name TEXT NOT NULL UNIQUE, document TEXT NOT NULL)") != SQLITE_OK)
		return -1;
	rc = sqlite3_prepare_v3(store->db,
	    "INSERT INTO connections (name, document) VALUES (?1, ?2)", -1,
	    SQLITE_PREPARE_PERSISTENT, &store->insert, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "baseline-fcgi: cannot prepare the insert: %s\n",
		    sqlite3_errmsg(store->db));
		return -1;
	}
	return 0;
}

/* Insert one row in its own transaction and return the SQLite result code. */
static int
store_insert(struct store *store, const char *name, const char *document, size_t document_len)
{
	int rc;

	rc = sqlite3_exec(store->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(store->insert, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(store->insert, 2, document, (int)document_len, SQLITE_STATIC);
	rc = sqlite3_step(store->insert);
	sqlite3_reset(store->insert);
	sqlite3_clear_bindings(store->insert);
	if (rc != SQLITE_DONE) {
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	rc = sqlite3_exec(store->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/*
 * Send STATUS with BODY. The header is built with snprintf because
 * FCGX_FPrintF does not understand %zu. The header set matches what
 * connreg-fcgi sends, so both responses have about the same size.
 */
static void
send_response(FCGX_Request *request, int status, const char *reason, const char *body,
    unsigned long request_number)
{
	char head[512];
	size_t body_len = strlen(body);
	int head_len;

	head_len = snprintf(head, sizeof(head),
	    "Status: %d %s\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Request-Id: %016lx\r\n"
	    "\r\n",
	    status, reason, body_len, request_number);
	FCGX_PutStr(head, head_len, request->out);
	FCGX_PutStr(body, (int)body_len, request->out);
}

static void
send_failure(FCGX_Request *request, int status, const char *reason,
    unsigned long request_number)
{
	char body[160];

	snprintf(body, sizeof(body), "{\"msg\":\"%s\",\"code\":\"%d\",\"success\":false}",
	    reason, status);
	send_response(request, status, reason, body, request_number);
}

/* Read the whole body into a new buffer. Return NULL when it is missing or too large. */
static char *
read_body(FCGX_Request *request, size_t *length)
{
	const char *length_text = FCGX_GetParam("CONTENT_LENGTH", request->envp);
	unsigned long declared;
	char *body, *end;
	int got;

	if (length_text == NULL || length_text[0] == '\0')
		return NULL;
	errno = 0;
	declared = strtoul(length_text, &end, 10);
	if (errno != 0 || *end != '\0' || declared == 0 || declared > MAX_BODY_BYTES)
		return NULL;
	body = malloc(declared + 1);
	if (body == NULL)
		return NULL;
	got = FCGX_GetStr(body, (int)declared, request->in);
	if (got != (int)declared) {
		free(body);
		return NULL;
	}
	body[got] = '\0';
	*length = (size_t)got;
	return body;
}

static void
serve_store(FCGX_Request *request, struct store *store, unsigned long request_number)
{
	struct json_object *document = NULL, *name;
	size_t body_len = 0;
	char *body;
	int rc;

	body = read_body(request, &body_len);
	if (body == NULL) {
		send_failure(request, 400, "Bad Request", request_number);
		return;
	}
	document = json_tokener_parse(body);
	if (document == NULL || !json_object_object_get_ex(document, "name", &name) ||
	    !json_object_is_type(name, json_type_string)) {
		send_failure(request, 400, "Bad Request", request_number);
		goto out;
	}
	rc = store_insert(store, json_object_get_string(name), body, body_len);
	if (rc == SQLITE_OK)
		send_response(request, 200, "OK", success_body, request_number);
	else if ((rc & 0xff) == SQLITE_CONSTRAINT)
		send_failure(request, 409, "Conflict", request_number);
	else {
		fprintf(stderr, "baseline-fcgi: insert failed: %s\n", sqlite3_errstr(rc));
		send_failure(request, 500, "Internal Server Error", request_number);
	}
out:
	json_object_put(document);
	free(body);
}

static void
serve_fixed(FCGX_Request *request, unsigned long request_number)
{
	size_t body_len = 0;
	char *body = read_body(request, &body_len);

	free(body);
	send_response(request, 200, "OK", success_body, request_number);
}

int
main(int argc, char **argv)
{
	const char *mode = getenv("BASELINE_MODE");
	const char *database = getenv("BASELINE_DB");
	struct store store = { NULL, NULL };
	FCGX_Request request;
	unsigned long request_number = 0;
	int fixed;

	if (argc > 1)
		mode = argv[1];
	if (argc > 2)
		database = argv[2];
	if (mode == NULL)
		mode = "store";
	if (strcmp(mode, "fixed") == 0) {
		fixed = 1;
	} else if (strcmp(mode, "store") == 0) {
		fixed = 0;
		if (database == NULL) {
			fprintf(stderr, "usage: baseline-fcgi [store DATABASE | fixed]\n");
			return 2;
		}
		if (store_open(&store, database) != 0)
			return 1;
	} else {
		fprintf(stderr, "baseline-fcgi: unknown mode '%s'; use store or fixed\n", mode);
		return 2;
	}

	if (FCGX_Init() != 0 || FCGX_InitRequest(&request, 0, 0) != 0) {
		fprintf(stderr, "baseline-fcgi: libfcgi failed to initialize\n");
		return 1;
	}
	while (FCGX_Accept_r(&request) >= 0) {
		request_number++;
		if (fixed)
			serve_fixed(&request, request_number);
		else
			serve_store(&request, &store, request_number);
		FCGX_Finish_r(&request);
	}

	sqlite3_finalize(store.insert);
	sqlite3_close(store.db);
	return 0;
}
