#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# connreg behind a real lighttpd, started from etc/lighttpd.conf.in with
# two connreg-fcgi processes: successful adds, duplicates, every class of
# rejected request, what reaches the database and what reaches the logs.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init
e2e_require lighttpd curl sqlite3

SERVER_DIR=$E2E_TMP/server
DB=$SERVER_DIR/connreg.db
LOG=$SERVER_DIR/error.log
SECRET='Zq7-distinctive-Passw0rd-5c1e9b'
mkdir -p "$SERVER_DIR"
e2e_write_config "$SERVER_DIR/connreg.conf" max_body_bytes=4096 max_json_depth=8
"$CONNREG_FCGI" --config "$SERVER_DIR/connreg.conf" --check >/dev/null || exit 99
# Every request is sent as a SYS_Creator with HTTP Basic.
CREATOR_PASSWORD=Creator-Pw-61c0d2
e2e_add_user "$SERVER_DIR/connreg.conf" creator SYS_Creator "$CREATOR_PASSWORD" || exit 99
E2E_CURL_AUTH=(-u "creator:$CREATOR_PASSWORD")
e2e_start_lighttpd "$SERVER_DIR" "$SERVER_DIR/connreg.conf" 2 || exit 99

# check_response DESCRIPTION STATUS: check the last response's status,
# its JSON content type, and for a failure the code in its body.
check_response() {
	check_eq "$1: HTTP status" "$2" "$HTTP_STATUS"
	check_contains "$1: JSON content type" "application/json" "$HTTP_TYPE"
	if [ "$2" != 200 ]; then
		check_contains "$1: failure envelope" "\"code\":\"$2\",\"success\":false" "$HTTP_BODY"
	fi
}

# post_json BODY_FILE: POST a JSON body to the add call.
post_json() {
	e2e_http POST "$ADD_PATH" application/json "$1"
}

# Rejected requests must leave the database exactly as it was.
# A state that is not "rows=N dump=SHA256" means sqlite3 failed, and two
# failures must not compare equal.
DB_STATE_PATTERN='^rows=[0-9]+ dump=[0-9a-f]{64}$'
remember_db() {
	DB_BEFORE=$(e2e_db_state "$DB")
	[[ $DB_BEFORE =~ $DB_STATE_PATTERN ]] || DB_BEFORE="unreadable before the request"
}
check_db_unchanged() {
	check_eq "$1: database unchanged" "$DB_BEFORE" "$(e2e_db_state "$DB")"
}

# expect_rejected DESCRIPTION STATUS METHOD PATH CONTENT_TYPE BODY_FILE
expect_rejected() {
	remember_db
	e2e_http "$3" "$4" "$5" "$6"
	check_response "$1" "$2"
	check_db_unchanged "$1"
}

# expect_invalid DESCRIPTION BODY_FILE POINTER MESSAGE_PART: a 400 whose
# errors list names POINTER with a message containing MESSAGE_PART.
expect_invalid() {
	expect_rejected "$1" 400 POST "$ADD_PATH" application/json "$2"
	check_contains "$1: error at ${3:-the root}" "{\"pointer\":\"$3\",\"message\":\"" "$HTTP_BODY"
	check_contains "$1: error message" "$4" "$HTTP_BODY"
}

BODY=$E2E_TMP/bodies
mkdir -p "$BODY"

e2e_note "successful add of the documented example"
post_json "$EXAMPLE_BODY"
check_response "documented example" 200
check_eq "documented example: exact body" "$SUCCESS_BODY" "$HTTP_BODY"
EXAMPLE_REQUEST_ID=$(printf '%s\n' "$HTTP_HEADERS" | sed -n 's/^X-Request-Id: *//p')
check_eq "documented example: row stored" 1 \
	"$(sqlite3 "$DB" "SELECT count(*) FROM connections WHERE name = 'foodmart2'")"
# The sealed form is a 24-byte nonce, the ciphertext and a 16-byte tag.
check_eq "documented example: password sealed (8 + 40 bytes)" 48 \
	"$(sqlite3 "$DB" "SELECT length(password) FROM connections WHERE name = 'foodmart2'")"
check_eq "documented example: password column without the plaintext" 0 \
	"$(sqlite3 "$DB" "SELECT instr(password, CAST('postgres' AS BLOB)) FROM connections WHERE name = 'foodmart2'")"
check_eq "documented example: document without a password member" 1 \
	"$(sqlite3 "$DB" "SELECT json_extract(document, '\$.password') IS NULL FROM connections WHERE name = 'foodmart2'")"

e2e_note "a distinctive password is stored sealed and logged nowhere"
e2e_example_body "$BODY/secret.json" "Secret-Conn" "$SECRET"
post_json "$BODY/secret.json"
check_response "distinctive password" 200
check_eq "distinctive password: exact body" "$SUCCESS_BODY" "$HTTP_BODY"
check_eq "distinctive password: sealed length" $((40 + ${#SECRET})) \
	"$(sqlite3 "$DB" "SELECT length(password) FROM connections WHERE name = 'Secret-Conn'")"
check_eq "distinctive password: not in the document" 0 \
	"$(sqlite3 "$DB" "SELECT instr(document, '$SECRET') FROM connections WHERE name = 'Secret-Conn'")"
for file in "$DB" "$DB-wal" "$DB-shm"; do
	if [ -f "$file" ]; then
		check_eq "distinctive password: absent from $(basename "$file")" 0 \
			"$(grep -a -c -F -- "$SECRET" "$file")"
	elif [ "$file" = "$DB" ]; then
		e2e_fail "database file $DB exists"
	fi
done
check_eq "database is in WAL mode" wal "$(sqlite3 "$DB" 'PRAGMA journal_mode')"

e2e_note "duplicate names, compared without regard to case"
expect_rejected "same body again" 409 POST "$ADD_PATH" application/json "$BODY/secret.json"
check_contains "same body again: message names the connection" "Secret-Conn" "$HTTP_BODY"
e2e_example_body "$BODY/secret-upper.json" "SECRET-CONN" "other-password"
expect_rejected "upper-cased name" 409 POST "$ADD_PATH" application/json "$BODY/secret-upper.json"
e2e_example_body "$BODY/padded.json" "  secret-conn  " "other-password"
expect_rejected "name with surrounding spaces" 409 POST "$ADD_PATH" application/json "$BODY/padded.json"
e2e_example_body "$BODY/aerger-upper.json" "Ärger" "postgres"
post_json "$BODY/aerger-upper.json"
check_response "non-ASCII name" 200
e2e_example_body "$BODY/aerger-lower.json" "ärger" "postgres"
expect_rejected "non-ASCII lower-case variant" 409 POST "$ADD_PATH" application/json "$BODY/aerger-lower.json"
e2e_example_body "$BODY/strasse.json" "STRASSE" "postgres"
post_json "$BODY/strasse.json"
check_response "name STRASSE" 200
e2e_example_body "$BODY/strasse-sharp-s.json" "straße" "postgres"
expect_rejected "name straße after STRASSE" 409 POST "$ADD_PATH" application/json "$BODY/strasse-sharp-s.json"

e2e_note "method, path and media type"
e2e_example_body "$BODY/fresh.json" "fresh-name" "postgres"
expect_rejected "GET on the add call" 405 GET "$ADD_PATH" "" ""
check_contains "GET on the add call: Allow header" "Allow: POST" "$HTTP_HEADERS"
expect_rejected "PUT on the add call" 405 PUT "$ADD_PATH" application/json "$BODY/fresh.json"
check_contains "PUT on the add call: Allow header" "Allow: POST" "$HTTP_HEADERS"
expect_rejected "unknown path" 404 POST /plugin/datafor-modeler/api/connection/nothing \
	application/json "$BODY/fresh.json"
expect_rejected "text/plain body" 415 POST "$ADD_PATH" text/plain "$BODY/fresh.json"
expect_rejected "no content type" 415 POST "$ADD_PATH" "" "$BODY/fresh.json"
expect_rejected "charset other than UTF-8" 415 POST "$ADD_PATH" "application/json; charset=latin1" \
	"$BODY/fresh.json"
e2e_example_body "$BODY/charset.json" "charset-utf8" "postgres"
remember_db
e2e_http POST "$ADD_PATH" "application/json; charset=utf-8" "$BODY/charset.json"
check_response "charset=utf-8 accepted" 200
# The unchanged-database checks above mean something only if an add
# changes the state they compare.
if [ "$DB_BEFORE" != "$(e2e_db_state "$DB")" ]; then
	e2e_pass "charset=utf-8 accepted: database changed"
else
	e2e_fail "charset=utf-8 accepted: database changed" "state: $DB_BEFORE"
fi

remember_db
e2e_http GET /connreg.key "" ""
check_eq "files outside the API are not served" 403 "$HTTP_STATUS"
# lighttpd responded to that request itself, so connreg did not log it.
E2E_REQUESTS=$((E2E_REQUESTS - 1))
check_db_unchanged "files outside the API are not served"

e2e_note "body size limit (max_body_bytes = 4096)"
# Pad connectSql so that the body is exactly at the limit, then one over.
e2e_example_body "$BODY/base.json" "size-limit" "postgres"
padding=$((4096 - $(wc -c <"$BODY/base.json")))
pad=$(printf '%*s' "$padding" '' | tr ' ' x)
e2e_example_body "$BODY/at-limit.json" "size-limit" "postgres" "s|\"connectSql\":\"\"|\"connectSql\":\"$pad\"|"
e2e_example_body "$BODY/over-limit.json" "size-limit" "postgres" "s|\"connectSql\":\"\"|\"connectSql\":\"${pad}x\"|"
check_eq "body at the limit is 4096 bytes" 4096 "$(wc -c <"$BODY/at-limit.json")"
expect_rejected "body of 4097 bytes" 413 POST "$ADD_PATH" application/json "$BODY/over-limit.json"
big=$E2E_TMP/big.json
head -c 100000 /dev/zero | tr '\0' ' ' >"$big"
expect_rejected "body of 100000 bytes" 413 POST "$ADD_PATH" application/json "$big"
post_json "$BODY/at-limit.json"
check_response "body of exactly 4096 bytes" 200

e2e_note "invalid JSON"
e2e_example_body "$BODY/json.json" "json-bad" "postgres"
{ cat "$BODY/json.json"; printf ' x'; } >"$BODY/trailing.json"
expect_invalid "trailing bytes" "$BODY/trailing.json" "" "unexpected data after the JSON value"
{ cat "$BODY/json.json"; printf '\0'; } >"$BODY/nul-after.json"
expect_invalid "NUL byte after the value" "$BODY/nul-after.json" "" "NUL byte after the JSON value"
sed 's|"hostname":"127.0.0.1"|"hostname":"127.0.0.1\x00"|' "$BODY/json.json" >"$BODY/nul-inside.json"
check_eq "NUL body holds a NUL byte" 1 "$(tr -cd '\000' <"$BODY/nul-inside.json" | wc -c)"
expect_invalid "NUL byte inside a string" "$BODY/nul-inside.json" "/hostname" "control character inside a string"
{ printf '{"name":"dup-first",'; tail -c +2 "$BODY/json.json"; } >"$BODY/duplicate.json"
expect_invalid "duplicate member name" "$BODY/duplicate.json" /name "duplicate member name"
e2e_example_body "$BODY/nan.json" "json-bad" "postgres" 's|"initialPoolSize":0|"initialPoolSize":NaN|'
expect_invalid "NaN" "$BODY/nan.json" "/initialPoolSize" "unexpected character"
e2e_example_body "$BODY/single-quote.json" "json-bad" "postgres" "s|\"hostname\":|'hostname':|"
expect_invalid "single-quoted key" "$BODY/single-quote.json" "" "single-quoted strings are not JSON"
e2e_example_body "$BODY/huge-number.json" "json-bad" "postgres" 's|"initialPoolSize":0|"initialPoolSize":1e999|'
expect_invalid "number 1e999" "$BODY/huge-number.json" "/initialPoolSize" "number is too large"
e2e_example_body "$BODY/int64.json" "json-bad" "postgres" \
	's|"initialPoolSize":0|"initialPoolSize":9223372036854775808|'
expect_invalid "integer beyond int64" "$BODY/int64.json" "/initialPoolSize" \
	"integer is outside the 64-bit signed range"
e2e_example_body "$BODY/bad-utf8.json" "json-bad\xff\xfe" "postgres"
check_eq "invalid UTF-8 body holds byte 0xff" 1 "$(grep -a -c $'\xff' "$BODY/bad-utf8.json")"
expect_invalid "invalid UTF-8" "$BODY/bad-utf8.json" "/name" "invalid UTF-8"
e2e_example_body "$BODY/surrogate.json" 'json-bad\\ud800' "postgres"
check_contains "lone surrogate body holds the escape" '"json-bad\ud800"' "$(cat "$BODY/surrogate.json")"
expect_invalid "lone surrogate escape" "$BODY/surrogate.json" "/name" "unpaired high surrogate escape"
# max_json_depth = 8: the body object and 7 arrays parse, 8 arrays do not.
nested() {
	printf '%*s' "$1" '' | tr ' ' '['
	printf 1
	printf '%*s' "$1" '' | tr ' ' ']'
}
e2e_example_body "$BODY/depth-8.json" "json-bad" "postgres" "s|^{|{\"deep\":$(nested 7),|"
expect_invalid "nesting 8 levels deep" "$BODY/depth-8.json" "/deep" "is not a field of a connection"
check_not_contains "nesting 8 levels deep: parsed" "nesting is too deep" "$HTTP_BODY"
e2e_example_body "$BODY/depth-9.json" "json-bad" "postgres" "s|^{|{\"deep\":$(nested 8),|"
expect_invalid "nesting 9 levels deep" "$BODY/depth-9.json" "/deep/0/0/0/0/0/0/0" "nesting is too deep"
: >"$BODY/empty.json"
expect_rejected "empty body" 400 POST "$ADD_PATH" application/json "$BODY/empty.json"
check_contains "empty body: message" "empty" "$HTTP_BODY"

e2e_note "validation"
e2e_example_body "$BODY/missing.json" "invalid-body" "postgres" 's|"hostname":"127.0.0.1",||'
expect_invalid "missing hostname" "$BODY/missing.json" "/hostname" "is required"
e2e_example_body "$BODY/unknown.json" "invalid-body" "postgres" 's|^{|{"hostName":"db.example",|'
expect_invalid "unknown member hostName" "$BODY/unknown.json" "/hostName" "is not a field of a connection"
e2e_example_body "$BODY/wrong-type.json" "invalid-body" "postgres" 's|"changed":false|"changed":"false"|'
expect_invalid "string for a boolean" "$BODY/wrong-type.json" "/changed" "must be true or false"
e2e_example_body "$BODY/port-range.json" "invalid-body" "postgres" 's|"25432"|"70000"|g'
expect_invalid "port 70000" "$BODY/port-range.json" "/databasePort" "is out of range"
check_contains "port 70000: copy in attributes" '"pointer":"/attributes/PORT_NUMBER"' "$HTTP_BODY"
e2e_example_body "$BODY/port-copies.json" "invalid-body" "postgres" \
	's|"PORT_NUMBER":"25432","driverId":"postgresql","CUSTOM_URL"|"PORT_NUMBER":"25433","driverId":"postgresql","CUSTOM_URL"|'
expect_invalid "port copies that differ" "$BODY/port-copies.json" "/PORT_NUMBER" "must equal /databasePort"
check_not_contains "port copies that differ: attributes copy agrees" '/attributes/PORT_NUMBER' "$HTTP_BODY"

e2e_note "a client that stops in the middle of its body"
# lighttpd reads the whole body before it passes the request to connreg,
# so the incomplete request occupies no connreg process, and connreg
# never receives it: the log line count below would be one too high.
exec {slow}<>"/dev/tcp/127.0.0.1/$PORT"
printf 'POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":' \
	"$ADD_PATH" >&"$slow"
e2e_example_body "$BODY/during-slow.json" "during-slow-client" "postgres"
post_json "$BODY/during-slow.json"
check_response "add while a body is incomplete" 200
exec {slow}>&-
e2e_example_body "$BODY/after-slow.json" "after-slow-client" "postgres"
post_json "$BODY/after-slow.json"
check_response "add after the client left" 200

e2e_note "database content after all requests"
check_eq "stored connections" \
	"STRASSE,Secret-Conn,after-slow-client,charset-utf8,during-slow-client,foodmart2,size-limit,Ärger" \
	"$(sqlite3 "$DB" "SELECT group_concat(name, ',') FROM (SELECT name FROM connections ORDER BY name)")"

e2e_note "logs"
# Stop lighttpd so that every connreg process has written its last line.
kill -TERM "$LIGHTTPD_PID"
e2e_wait_exit "$LIGHTTPD_PID" 10
check_eq "lighttpd stops on SIGTERM" 0 "$E2E_EXIT_STATUS"
request_lines=$(grep -c -E ' req=[0-9a-f]{16} method=' "$LOG")
check_eq "one log line per request" "$E2E_REQUESTS" "$request_lines"
check_eq "example request logged with its request id" 1 \
	"$(grep -c -F "req=$EXAMPLE_REQUEST_ID method=\"POST\" path=\"$ADD_PATH\" status=200 " "$LOG")"
# Two processes serve the connection calls and one the login calls.
check_eq "all three connreg processes started" 3 "$(grep -c 'started in FastCGI mode' "$LOG")"
check_eq "distinctive password absent from the log" 0 "$(grep -a -c -F -- "$SECRET" "$LOG")"
check_eq "no password value in the log" 0 "$(grep -a -c -F -- '"password"' "$LOG")"
for file in "$SERVER_DIR"/*.log; do
	check_eq "distinctive password absent from $(basename "$file")" 0 "$(grep -a -c -F -- "$SECRET" "$file")"
done

e2e_finish
