#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# connreg-fcgi as a plain CGI program: with a regular file, not a socket,
# on standard input it serves the one request described by its
# environment and exits.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init
e2e_require sqlite3

CONF=$E2E_TMP/connreg.conf
DB=$E2E_TMP/connreg.db
# Request handling without credentials; tests/e2e/auth.sh covers them.
e2e_write_config "$CONF" max_body_bytes=4096 auth_methods=none

# run_cgi STDIN_FILE [VARIABLE=VALUE...]: run one CGI request with only
# the given variables (and CONNREG_CONFIG) in the environment. Sets
# CGI_EXIT, CGI_STATUS, CGI_HEADERS, CGI_BODY and CGI_LOG (standard error).
run_cgi() {
	local stdin=$1
	shift
	timeout 10 env -i CONNREG_CONFIG="$CONF" "$@" "$CONNREG_FCGI" \
		<"$stdin" >"$E2E_TMP/cgi.out" 2>"$E2E_TMP/cgi.err"
	CGI_EXIT=$?
	CGI_HEADERS=$(sed '/^\r$/q' "$E2E_TMP/cgi.out" | tr -d '\r')
	CGI_BODY=$(sed '1,/^\r$/d' "$E2E_TMP/cgi.out")
	CGI_STATUS=$(printf '%s\n' "$CGI_HEADERS" | sed -n '1s/^Status: \([0-9][0-9]*\) .*/\1/p')
	CGI_LOG=$(cat "$E2E_TMP/cgi.err")
}

# check_cgi DESCRIPTION STATUS: check the exit status, the Status header,
# the content type, the code in the body and the request log line.
check_cgi() {
	check_eq "$1: exit status" 0 "$CGI_EXIT"
	check_eq "$1: Status header" "$2" "$CGI_STATUS"
	check_contains "$1: JSON content type" "Content-Type: application/json" "$CGI_HEADERS"
	if [ "$2" = 200 ]; then
		check_eq "$1: exact body" "$SUCCESS_BODY" "$CGI_BODY"
	else
		check_contains "$1: failure envelope" "\"code\":\"$2\",\"success\":false" "$CGI_BODY"
	fi
	check_contains "$1: request logged" "status=$2 " "$CGI_LOG"
}

row_count() {
	sqlite3 "$DB" 'SELECT count(*) FROM connections'
}

BODY=$E2E_TMP/body.json
e2e_example_body "$BODY" "cgi-connection" "cgi-Secret-81d0f2"
LENGTH=$(wc -c <"$BODY")
REQUEST=(REQUEST_METHOD=POST SCRIPT_NAME=/plugin/datafor-modeler/api/connection PATH_INFO=/add)

e2e_note "successful add"
run_cgi "$BODY" "${REQUEST[@]}" CONTENT_TYPE=application/json CONTENT_LENGTH="$LENGTH"
check_cgi "add" 200
check_eq "add: row stored" 1 "$(sqlite3 "$DB" "SELECT count(*) FROM connections WHERE name = 'cgi-connection'")"
check_eq "add: key file created with mode 600" 600 "$(stat -c %a "$E2E_TMP/connreg.key")"
check_not_contains "add: password not logged" "cgi-Secret-81d0f2" "$CGI_LOG"

e2e_note "same name again"
run_cgi "$BODY" "${REQUEST[@]}" CONTENT_TYPE=application/json CONTENT_LENGTH="$LENGTH"
check_cgi "duplicate" 409
check_eq "duplicate: still one row" 1 "$(row_count)"

e2e_note "requests rejected before the body is parsed"
e2e_example_body "$BODY" "cgi-rejected" "postgres"
LENGTH=$(wc -c <"$BODY")
run_cgi "$BODY" "${REQUEST[@]}" CONTENT_TYPE=application/json
check_cgi "no CONTENT_LENGTH" 411
check_eq "no CONTENT_LENGTH: nothing stored" 1 "$(row_count)"

run_cgi "$BODY" "${REQUEST[@]}" CONTENT_TYPE=application/json CONTENT_LENGTH=$((LENGTH + 100))
check_cgi "body shorter than CONTENT_LENGTH" 400
check_contains "body shorter than CONTENT_LENGTH: message" \
	"ended after $LENGTH of the $((LENGTH + 100)) bytes" "$CGI_BODY"
check_eq "body shorter than CONTENT_LENGTH: nothing stored" 1 "$(row_count)"

run_cgi "$BODY" "${REQUEST[@]}" CONTENT_TYPE=text/plain CONTENT_LENGTH="$LENGTH"
check_cgi "text/plain" 415
check_eq "text/plain: nothing stored" 1 "$(row_count)"

run_cgi "$BODY" "${REQUEST[@]}" CONTENT_TYPE=application/json CONTENT_LENGTH=5000
check_cgi "CONTENT_LENGTH over max_body_bytes" 413
check_eq "CONTENT_LENGTH over max_body_bytes: nothing stored" 1 "$(row_count)"

run_cgi "$BODY" "${REQUEST[@]}" CONTENT_TYPE=application/json CONTENT_LENGTH=12abc
check_cgi "CONTENT_LENGTH not a number" 400
check_eq "CONTENT_LENGTH not a number: nothing stored" 1 "$(row_count)"

e2e_note "the body that was rejected is accepted with a correct request"
run_cgi "$BODY" "${REQUEST[@]}" CONTENT_TYPE=application/json CONTENT_LENGTH="$LENGTH"
check_cgi "add after rejections" 200
check_eq "add after rejections: two rows" 2 "$(row_count)"

e2e_finish
