#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# connreg-fcgi on a socket of its own (--listen 127.0.0.1:PORT), driven
# with cgi-fcgi from libfcgi: responses, clients that go away in the
# middle of a request, and a clean stop on SIGTERM.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init
e2e_require cgi-fcgi sqlite3

CONF=$E2E_TMP/connreg.conf
DB=$E2E_TMP/connreg.db
SERVER_LOG=$E2E_TMP/connreg.log
# Request handling without credentials; tests/e2e/auth.sh covers them.
e2e_write_config "$CONF" auth_methods=none

# Start connreg-fcgi --listen on a free port; retry with another port
# when it exits at once, such as when another program took the port.
# Sets CONNREG_PID and PORT.
start_connreg() {
	local attempt
	for attempt in 1 2 3 4 5; do
		PORT=$(e2e_free_port) || return 1
		"$CONNREG_FCGI" --config "$CONF" --listen "127.0.0.1:$PORT" </dev/null 2>>"$SERVER_LOG" &
		CONNREG_PID=$!
		if e2e_wait_listening "$CONNREG_PID" "$PORT"; then
			E2E_PIDS+=("$CONNREG_PID")
			e2e_note "connreg-fcgi $CONNREG_PID listens on 127.0.0.1:$PORT (attempt $attempt)"
			return 0
		fi
		kill -KILL "$CONNREG_PID" 2>/dev/null
		wait "$CONNREG_PID" 2>/dev/null
	done
	echo "error: connreg-fcgi did not start; its log:" >&2
	cat "$SERVER_LOG" >&2
	return 1
}

# fcgi_request BODY_FILE: POST BODY_FILE to the add call through
# cgi-fcgi, with a clean environment. Sets FCGI_EXIT, FCGI_STATUS and
# FCGI_BODY.
fcgi_request() {
	timeout 15 env -i REQUEST_METHOD=POST SCRIPT_NAME="$ADD_PATH" \
		CONTENT_TYPE=application/json CONTENT_LENGTH="$(wc -c <"$1")" \
		cgi-fcgi -bind -connect "127.0.0.1:$PORT" <"$1" >"$E2E_TMP/fcgi.out" 2>"$E2E_TMP/fcgi.err"
	FCGI_EXIT=$?
	parse_fcgi_output
}

parse_fcgi_output() {
	FCGI_STATUS=$(sed -n '1s/^Status: \([0-9][0-9]*\) .*/\1/p' "$E2E_TMP/fcgi.out")
	FCGI_BODY=$(sed '1,/^\r$/d' "$E2E_TMP/fcgi.out")
}

# check_fcgi DESCRIPTION STATUS
check_fcgi() {
	check_eq "$1: cgi-fcgi exit status" 0 "$FCGI_EXIT"
	check_eq "$1: Status header" "$2" "$FCGI_STATUS"
	check_contains "$1: JSON content type" "Content-Type: application/json" "$(cat "$E2E_TMP/fcgi.out")"
	if [ "$2" = 200 ]; then
		check_eq "$1: exact body" "$SUCCESS_BODY" "$FCGI_BODY"
	else
		check_contains "$1: failure envelope" "\"code\":\"$2\",\"success\":false" "$FCGI_BODY"
	fi
}

check_alive() {
	if kill -0 "$CONNREG_PID" 2>/dev/null; then
		e2e_pass "$1: connreg-fcgi still running"
	else
		e2e_fail "$1: connreg-fcgi still running" "$(tail -n 5 "$SERVER_LOG")"
	fi
}

row_count() {
	sqlite3 "$DB" 'SELECT count(*) FROM connections'
}

# send_raw BYTES: connect, send BYTES (with \xHH escapes) and close at once.
send_raw() {
	(
		exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 1
		printf '%b' "$1" >&3
		exec 3>&-
	) 2>/dev/null
}

start_connreg || exit 99
BODIES=$E2E_TMP/bodies
mkdir -p "$BODIES"

e2e_note "responses"
e2e_example_body "$BODIES/first.json" "fcgi-first" "postgres"
fcgi_request "$BODIES/first.json"
check_fcgi "add" 200
check_eq "add: row stored" 1 "$(row_count)"
fcgi_request "$BODIES/first.json"
check_fcgi "same name again" 409
e2e_example_body "$BODIES/invalid.json" "fcgi-invalid" "postgres" 's|"hostname":"127.0.0.1",||'
fcgi_request "$BODIES/invalid.json"
check_fcgi "missing hostname" 400
check_contains "missing hostname: error pointer" '"pointer":"/hostname"' "$FCGI_BODY"
check_eq "rejected requests store nothing" 1 "$(row_count)"

e2e_note "clients that go away in the middle of a request"
# A FastCGI BEGIN_REQUEST record (version 1, type 1, request id 1, 8
# content bytes) for the responder role, then one PARAMS record header
# that announces 64 bytes which never come.
BEGIN_REQUEST='\x01\x01\x00\x01\x00\x08\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00'
PARAMS_HEADER='\x01\x04\x00\x01\x00\x40\x00\x00'
send_raw ''
check_alive "connection closed before any byte"
send_raw '\x01\x01\x00'
check_alive "connection closed inside a record header"
send_raw "$BEGIN_REQUEST"
check_alive "connection closed after BEGIN_REQUEST"
send_raw "$BEGIN_REQUEST$PARAMS_HEADER"
check_alive "connection closed inside the parameters"

# cgi-fcgi sends the parameters and the first 100 body bytes, then is
# killed while connreg waits for the rest of the body.
e2e_example_body "$BODIES/cut.json" "fcgi-cut" "postgres"
(
	{ head -c 100 "$BODIES/cut.json"; sleep 2; } |
		timeout -s KILL 1 env -i REQUEST_METHOD=POST SCRIPT_NAME="$ADD_PATH" \
			CONTENT_TYPE=application/json CONTENT_LENGTH="$(wc -c <"$BODIES/cut.json")" \
			cgi-fcgi -bind -connect "127.0.0.1:$PORT"
) >/dev/null 2>&1
check_alive "client killed while sending the body"
check_eq "client killed while sending the body: nothing stored" 0 \
	"$(sqlite3 "$DB" "SELECT count(*) FROM connections WHERE name = 'fcgi-cut'")"

e2e_example_body "$BODIES/after.json" "fcgi-after-disconnects" "postgres"
fcgi_request "$BODIES/after.json"
check_fcgi "add after the disconnects" 200
check_eq "add after the disconnects: two rows" 2 "$(row_count)"

e2e_note "SIGTERM while a request is being served"
# The body arrives in two parts one second apart; SIGTERM comes between
# them. connreg finishes the request, then exits.
e2e_example_body "$BODIES/slow.json" "fcgi-slow" "postgres"
{
	head -c 100 "$BODIES/slow.json"
	sleep 1
	tail -c +101 "$BODIES/slow.json"
} | timeout 15 env -i REQUEST_METHOD=POST SCRIPT_NAME="$ADD_PATH" \
	CONTENT_TYPE=application/json CONTENT_LENGTH="$(wc -c <"$BODIES/slow.json")" \
	cgi-fcgi -bind -connect "127.0.0.1:$PORT" >"$E2E_TMP/fcgi.out" 2>"$E2E_TMP/fcgi.err" &
CLIENT_PID=$!
sleep 0.5
kill -TERM "$CONNREG_PID"
wait "$CLIENT_PID"
FCGI_EXIT=$?
parse_fcgi_output
check_fcgi "request in progress at SIGTERM" 200
e2e_wait_exit "$CONNREG_PID" 5
check_eq "SIGTERM: exit status 0 within 5 s" 0 "$E2E_EXIT_STATUS"
check_eq "request in progress at SIGTERM: stored" 1 \
	"$(sqlite3 "$DB" "SELECT count(*) FROM connections WHERE name = 'fcgi-slow'")"
served=$(grep -c ' req=' "$SERVER_LOG")
check_contains "SIGTERM: stop logged" "stopped after $served requests" "$(cat "$SERVER_LOG")"

e2e_note "SIGTERM while idle"
start_connreg || exit 99
fcgi_request "$BODIES/first.json"
check_fcgi "second server: same name again" 409
kill -TERM "$CONNREG_PID"
e2e_wait_exit "$CONNREG_PID" 5
check_eq "SIGTERM while idle: exit status 0 within 5 s" 0 "$E2E_EXIT_STATUS"

e2e_finish
