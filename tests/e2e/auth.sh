#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Authentication and permissions through a real lighttpd. Each user type
# is tried with each method: Basic, bearer token, session cookie, and
# REMOTE_USER from lighttpd's own mod_auth. Also the failures that must
# all look alike, ACL grants and revocations, the admin command, and a
# scan of every log line for the secrets the test used.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init
e2e_require lighttpd curl sqlite3

SERVER_DIR=$E2E_TMP/server
CONF=$SERVER_DIR/connreg.conf
DB=$SERVER_DIR/connreg.db
mkdir -p "$SERVER_DIR"
e2e_write_config "$CONF" auth_cache_seconds=60
ADMIN=("$CONNREG_ADMIN" --config "$CONF")

ADMIN_PW=Admin-Pw-7d1e93
CREATOR_PW=Creator-Pw-2a5f08
READER_PW=Reader-Pw-c4b611
OTHER_PW=Other-Pw-9e02fa
"${ADMIN[@]}" init >/dev/null || exit 99
e2e_add_user "$CONF" boss Administrator "$ADMIN_PW" || exit 99
e2e_add_user "$CONF" carol SYS_Creator "$CREATOR_PW" || exit 99
e2e_add_user "$CONF" rick SYS_Reader "$READER_PW" || exit 99
e2e_add_user "$CONF" olga SYS_Creator "$OTHER_PW" || exit 99
"${ADMIN[@]}" user set-roles rick analysts >/dev/null || exit 99

# new_token USER: print a new API token of USER.
new_token() {
	"${ADMIN[@]}" token create "$1" --label e2e | tail -n 1
}
TOKEN_boss=$(new_token boss)
TOKEN_carol=$(new_token carol)
TOKEN_rick=$(new_token rick)
SECRETS=("$ADMIN_PW" "$CREATOR_PW" "$READER_PW" "$OTHER_PW" "$TOKEN_boss" "$TOKEN_carol" "$TOKEN_rick")

e2e_start_lighttpd "$SERVER_DIR" "$CONF" 2 || exit 99
LOGIN=/plugin/datafor/api/extension/auth/login
LOGOUT=/plugin/datafor/api/extension/auth/logout
ACL=/plugin/datafor-modeler/api/connection/acl
BATCH=/plugin/datafor-modeler/api/connection/aclBatch
UNAUTHORIZED_BODY='{"msg":"Authentication is required: the credentials are missing or not valid.","code":"401","success":false}'

# login USER PASSWORD: log in; sets SESSION (empty on failure) and HTTP_*.
login() {
	local form=$E2E_TMP/login.form
	printf 'username=%s&password=%s' "$1" "$2" >"$form"
	E2E_CURL_AUTH=()
	e2e_http POST "$LOGIN" application/x-www-form-urlencoded "$form"
	SESSION=$(printf '%s\n' "$HTTP_HEADERS" | sed -n 's/^Set-Cookie: JSESSIONID=\([^;]*\);.*/\1/p')
}

# as USER METHOD: send the next requests as USER with METHOD.
as() {
	local user=$1 method=$2 password token_var
	case $user in
		boss) password=$ADMIN_PW ;;
		carol) password=$CREATOR_PW ;;
		rick) password=$READER_PW ;;
		olga) password=$OTHER_PW ;;
	esac
	case $method in
		basic) E2E_CURL_AUTH=(-u "$user:$password") ;;
		token)
			token_var=TOKEN_$user
			E2E_CURL_AUTH=(-H "Authorization: Bearer ${!token_var}")
			;;
		session)
			login "$user" "$password"
			SECRETS+=("$SESSION")
			E2E_CURL_AUTH=(-b "JSESSIONID=$SESSION")
			;;
	esac
}

COUNTER=0
# add_as USER METHOD EXPECTED: add a new connection as USER and check the status.
add_as() {
	COUNTER=$((COUNTER + 1))
	LAST_NAME="conn-$1-$2-$COUNTER"
	e2e_example_body "$E2E_TMP/add.json" "$LAST_NAME" "Db-Pw-$COUNTER-5c1a"
	SECRETS+=("Db-Pw-$COUNTER-5c1a")
	as "$1" "$2"
	e2e_http POST "$ADD_PATH" application/json "$E2E_TMP/add.json"
	check_eq "add as $1 by $2: status" "$3" "$HTTP_STATUS"
}

e2e_note "no credentials"
E2E_CURL_AUTH=()
e2e_example_body "$E2E_TMP/anon.json" anonymous-add Anon-Db-Pw-1
e2e_http POST "$ADD_PATH" application/json "$E2E_TMP/anon.json"
check_eq "add without credentials: 401" 401 "$HTTP_STATUS"
check_contains "401 names the Basic realm" 'WWW-Authenticate: Basic realm="connreg"' "$HTTP_HEADERS"
check_eq "401 body" "$UNAUTHORIZED_BODY" "$HTTP_BODY"
check_eq "nothing stored without credentials" 0 "$(sqlite3 "$DB" 'SELECT count(*) FROM connections')"

e2e_note "user type by method for the add call"
for method in basic token session; do
	add_as boss "$method" 200
	add_as carol "$method" 200
	check_eq "owner of $LAST_NAME" carol \
		"$(sqlite3 "$DB" "SELECT owner FROM connections WHERE name = '$LAST_NAME'")"
	add_as rick "$method" 403
	check_contains "403 names the user type" "SYS_Reader cannot create" "$HTTP_BODY"
done
check_eq "six adds stored" 6 "$(sqlite3 "$DB" 'SELECT count(*) FROM connections')"

e2e_note "failures look alike"
# fail_with DESCRIPTION CURL_OPTION...: expect 401 and the one body.
fail_with() {
	local description=$1
	shift
	E2E_CURL_AUTH=("$@")
	e2e_example_body "$E2E_TMP/bad.json" "bad-$COUNTER" Bad-Db-Pw-1
	COUNTER=$((COUNTER + 1))
	e2e_http POST "$ADD_PATH" application/json "$E2E_TMP/bad.json"
	check_eq "$description: 401" 401 "$HTTP_STATUS"
	check_eq "$description: same body" "$UNAUTHORIZED_BODY" "$HTTP_BODY"
}
fail_with "wrong password" -u "carol:not-$CREATOR_PW"
fail_with "unknown user" -u "nobody:$CREATOR_PW"
fail_with "empty password" -u "carol:"
fail_with "malformed Basic" -H "Authorization: Basic %%%"
fail_with "unknown token" -H "Authorization: Bearer crt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
fail_with "short token" -H "Authorization: Bearer crt_x"
fail_with "unknown scheme" -H "Authorization: Digest x"
fail_with "unknown session" -b "JSESSIONID=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

login carol "not-$CREATOR_PW"
check_eq "login with a wrong password: 401" 401 "$HTTP_STATUS"
check_eq "login with a wrong password: no cookie" "" "$SESSION"
login nobody "$CREATOR_PW"
check_eq "login of an unknown user: 401" 401 "$HTTP_STATUS"

e2e_note "session cookie"
login carol "$CREATOR_PW"
SECRETS+=("$SESSION")
check_eq "login: 200" 200 "$HTTP_STATUS"
check_eq "login: body" "$SUCCESS_BODY" "$HTTP_BODY"
check_contains "cookie is HttpOnly" "HttpOnly" "$HTTP_HEADERS"
check_contains "cookie is SameSite=Lax" "SameSite=Lax" "$HTTP_HEADERS"
check_not_contains "cookie is not Secure over plain HTTP" "Secure" \
	"$(printf '%s\n' "$HTTP_HEADERS" | grep '^Set-Cookie')"
check_eq "session cookie length" 43 "${#SESSION}"
check_eq "session stored only as a hash" 0 \
	"$(sqlite3 "$DB" "SELECT count(*) FROM sessions WHERE id_hash = CAST('$SESSION' AS BLOB)")"
tampered=${SESSION:0:42}$([ "${SESSION:42:1}" = A ] && echo B || echo A)
fail_with "tampered session" -b "JSESSIONID=$tampered"

E2E_CURL_AUTH=(-b "JSESSIONID=$SESSION")
: >"$E2E_TMP/empty"
e2e_http POST "$LOGOUT" "" "$E2E_TMP/empty"
check_eq "logout: 200" 200 "$HTTP_STATUS"
check_contains "logout clears the cookie" "Max-Age=0" "$HTTP_HEADERS"
fail_with "session after logout" -b "JSESSIONID=$SESSION"

# Another cookie whose name ends in JSESSIONID must not hide the session.
login carol "$CREATOR_PW"
SECRETS+=("$SESSION")
E2E_CURL_AUTH=(-H "Cookie: OLDJSESSIONID=x; JSESSIONID=$SESSION")
e2e_http POST "$LOGOUT" "" "$E2E_TMP/empty"
check_eq "logout beside a look-alike cookie: 200" 200 "$HTTP_STATUS"
fail_with "session after that logout" -b "JSESSIONID=$SESSION"

login carol "$CREATOR_PW"
SECRETS+=("$SESSION")
sqlite3 "$DB" "UPDATE sessions SET expires_at = 1" || exit 99
fail_with "expired session" -b "JSESSIONID=$SESSION"

e2e_note "password change and disable end remembered credentials"
add_as carol basic 200
login carol "$CREATOR_PW"
SECRETS+=("$SESSION")
CAROL_SESSION=$SESSION
NEW_CREATOR_PW=Creator-Pw-Changed-77
SECRETS+=("$NEW_CREATOR_PW")
printf '%s\n' "$NEW_CREATOR_PW" | "${ADMIN[@]}" user set-password carol --stdin >/dev/null
fail_with "old password after a change" -u "carol:$CREATOR_PW"
fail_with "session after a password change" -b "JSESSIONID=$CAROL_SESSION"
CREATOR_PW=$NEW_CREATOR_PW
add_as carol basic 200

"${ADMIN[@]}" user disable carol >/dev/null
fail_with "disabled user by Basic" -u "carol:$CREATOR_PW"
fail_with "disabled user by token" -H "Authorization: Bearer $TOKEN_carol"
"${ADMIN[@]}" user enable carol >/dev/null
add_as carol token 200

token_id=$("${ADMIN[@]}" token list | awk '$2 == "rick" { print $1 }')
"${ADMIN[@]}" token revoke "$token_id" >/dev/null
fail_with "revoked token" -H "Authorization: Bearer $TOKEN_rick"

e2e_note "ACL grants and revocations"
add_as carol basic 200
SHARED=$LAST_NAME
acl_json() { # OWNER ACES_JSON
	printf '{"owner":"%s","ownerType":0,"entriesInheriting":false,"aces":%s}' "$1" "$2" \
		>"$E2E_TMP/acl.json"
}
as carol basic
e2e_http GET "$ACL?name=$SHARED" "" ""
check_eq "owner reads the ACL" 200 "$HTTP_STATUS"
check_eq "new ACL gives the owner Full control" \
	"{\"owner\":\"carol\",\"ownerType\":0,\"entriesInheriting\":false,\"aces\":[{\"recipient\":\"carol\",\"recipientType\":0,\"permissions\":[4],\"modifiable\":true}]}" \
	"$HTTP_BODY"

as rick basic
e2e_http GET "$ACL?name=$SHARED" "" ""
check_eq "reader without a grant: 404" 404 "$HTTP_STATUS"
as olga basic
e2e_http GET "$ACL?name=$SHARED" "" ""
check_eq "other creator without a grant: 404" 404 "$HTTP_STATUS"

acl_json carol '[{"recipient":"carol","recipientType":0,"permissions":[4]},{"recipient":"rick","recipientType":0,"permissions":[0]}]'
as olga basic
e2e_http PUT "$ACL?name=$SHARED" application/json "$E2E_TMP/acl.json"
check_eq "stranger cannot change the ACL" 404 "$HTTP_STATUS"
as carol basic
e2e_http PUT "$ACL?name=$SHARED" application/json "$E2E_TMP/acl.json"
check_eq "owner grants Read to rick" 200 "$HTTP_STATUS"
as rick basic
e2e_http GET "$ACL?name=$SHARED" "" ""
check_eq "Read is not enough to see the ACL" 403 "$HTTP_STATUS"
e2e_http PUT "$ACL?name=$SHARED" application/json "$E2E_TMP/acl.json"
check_eq "Read is not enough to change the ACL" 403 "$HTTP_STATUS"

acl_json carol '[{"recipient":"analysts","recipientType":1,"permissions":[3]}]'
as carol token
e2e_http PUT "$ACL?name=$SHARED" application/json "$E2E_TMP/acl.json"
check_eq "owner grants Manage to the role analysts" 200 "$HTTP_STATUS"
as rick basic
e2e_http GET "$ACL?name=$SHARED" "" ""
check_eq "role grant lets rick read the ACL" 200 "$HTTP_STATUS"
e2e_http PUT "$ACL?name=$SHARED" application/json "$E2E_TMP/acl.json"
check_eq "Manage is not Full control" 403 "$HTTP_STATUS"

acl_json carol '[{"recipient":"SYS_Creator","recipientType":2,"permissions":[4]}]'
as carol basic
e2e_http PUT "$ACL?name=$SHARED" application/json "$E2E_TMP/acl.json"
check_eq "owner grants Full control to the type SYS_Creator" 200 "$HTTP_STATUS"
as rick basic
e2e_http GET "$ACL?name=$SHARED" "" ""
check_eq "revoked role grant: 404 again" 404 "$HTTP_STATUS"
as olga basic
e2e_http PUT "$ACL?name=$SHARED" application/json "$E2E_TMP/acl.json"
check_eq "type grant lets olga change the ACL" 200 "$HTTP_STATUS"

acl_json olga '[]'
as olga basic
e2e_http PUT "$ACL?name=$SHARED" application/json "$E2E_TMP/acl.json"
check_eq "Full control without ownership cannot take ownership" 403 "$HTTP_STATUS"
check_eq "owner unchanged" carol "$(sqlite3 "$DB" "SELECT owner FROM connections WHERE name = '$SHARED'")"

as boss token
e2e_http GET "$ACL?name=$(printf '%s' "$SHARED" | tr a-z A-Z)" "" ""
check_eq "Administrator reads any ACL, name without regard to case" 200 "$HTTP_STATUS"
e2e_http GET "$ACL?name=no-such-connection" "" ""
check_eq "ACL of a missing connection: 404" 404 "$HTTP_STATUS"
e2e_http GET "$ACL" "" ""
check_eq "ACL without a name: 400" 400 "$HTTP_STATUS"

acl_json carol '[{"recipient":"ghost","recipientType":0,"permissions":[9]},{"recipient":"x","recipientType":2,"permissions":[0]}]'
e2e_http PUT "$ACL?name=$SHARED" application/json "$E2E_TMP/acl.json"
check_eq "invalid ACL: 400" 400 "$HTTP_STATUS"
check_contains "unknown user named" '"pointer":"/aces/0/recipient","message":"is not a connreg user"' "$HTTP_BODY"
check_contains "bad code named" '"pointer":"/aces/0/permissions/0"' "$HTTP_BODY"
check_contains "bad user type named" '"pointer":"/aces/1/recipient"' "$HTTP_BODY"

e2e_note "aclBatch"
add_as boss basic 200
BOSS_ONLY=$LAST_NAME
printf '{"%s":{"owner":"carol","aces":[]},"%s":{"owner":"carol","aces":[]},"missing-one":{"owner":"carol","aces":[]}}' \
	"$SHARED" "$BOSS_ONLY" >"$E2E_TMP/batch.json"
as carol basic
e2e_http PUT "$BATCH" application/json "$E2E_TMP/batch.json"
check_eq "batch: 200" 200 "$HTTP_STATUS"
check_eq "batch: each result" "{\"$SHARED\":\"200\",\"$BOSS_ONLY\":\"404\",\"missing-one\":\"404\"}" "$HTTP_BODY"
printf '{"%s":{"owner":"boss","aces":[{"recipient":"carol","recipientType":0,"permissions":[0]}]}}' \
	"$BOSS_ONLY" >"$E2E_TMP/batch.json"
as boss basic
e2e_http PUT "$BATCH" application/json "$E2E_TMP/batch.json"
check_eq "batch as Administrator" "{\"$BOSS_ONLY\":\"200\"}" "$HTTP_BODY"
printf '{"%s":{"owner":"boss","aces":[]}}' "$BOSS_ONLY" >"$E2E_TMP/batch.json"
as carol basic
e2e_http PUT "$BATCH" application/json "$E2E_TMP/batch.json"
check_eq "batch with Read only: 401 entry" "{\"$BOSS_ONLY\":\"401\"}" "$HTTP_BODY"
printf '{"%s":{"owner":"boss","aces":[]},"%s":{"owner":"no-such-user","aces":[]}}' \
	"$BOSS_ONLY" "$BOSS_ONLY-x" >"$E2E_TMP/batch.json"
as rick basic
e2e_http PUT "$BATCH" application/json "$E2E_TMP/batch.json"
check_eq "batch does not reveal which users exist" "{\"$BOSS_ONLY\":\"404\",\"$BOSS_ONLY-x\":\"404\"}" \
	"$HTTP_BODY"

e2e_note "REMOTE_USER set by lighttpd's mod_auth"
RU_DIR=$E2E_TMP/remote-user
mkdir -p "$RU_DIR"
sed -e 's/^auth_methods.*//' "$CONF" >"$RU_DIR/connreg.conf"
sed -i "s|^database = .*|database = $DB|; s|^key_file = .*|key_file = $SERVER_DIR/connreg.key|" \
	"$RU_DIR/connreg.conf"
echo "auth_methods = remote_user" >>"$RU_DIR/connreg.conf"
printf 'carol:web-pw-1\nrick:web-pw-2\nwanda:web-pw-3\n' >"$RU_DIR/users"
SECRETS+=(web-pw-1 web-pw-2 web-pw-3)
# Like e2e_start_lighttpd, with mod_auth in front of connreg and a retry
# when another program takes the chosen port first.
for attempt in 1 2 3 4 5; do
	RU_PORT=$(e2e_free_port) || exit 99
	e2e_render_lighttpd_conf "$RU_DIR/lighttpd.conf" "$RU_PORT" "$RU_DIR/connreg.conf" 1 || exit 99
	sed -i 's/^server.modules += ( "mod_access", "mod_fastcgi" )/server.modules += ( "mod_access", "mod_auth", "mod_authn_file", "mod_fastcgi" )/' \
		"$RU_DIR/lighttpd.conf"
	cat >>"$RU_DIR/lighttpd.conf" <<CONF
auth.backend = "plain"
auth.backend.plain.userfile = "$RU_DIR/users"
auth.require = ( "/plugin/" => ( "method" => "basic", "realm" => "web", "require" => "valid-user" ) )
CONF
	"$LIGHTTPD" -D -f "$RU_DIR/lighttpd.conf" </dev/null >>"$RU_DIR/error.log" 2>&1 &
	RU_PID=$!
	if e2e_wait_listening "$RU_PID" "$RU_PORT"; then
		E2E_PIDS+=("$RU_PID")
		break
	fi
	kill -KILL "$RU_PID" 2>/dev/null
	wait "$RU_PID" 2>/dev/null
	RU_PID=
done
[ -n "$RU_PID" ] || { cat "$RU_DIR/error.log"; exit 99; }
MAIN_URL=$BASE_URL
BASE_URL=http://127.0.0.1:$RU_PORT
COUNTER=$((COUNTER + 1))
e2e_example_body "$E2E_TMP/ru.json" "remote-user-$COUNTER" Ru-Db-Pw-1
SECRETS+=(Ru-Db-Pw-1)
E2E_CURL_AUTH=(-u carol:web-pw-1)
e2e_http POST "$ADD_PATH" application/json "$E2E_TMP/ru.json"
check_eq "REMOTE_USER of a creator: 200" 200 "$HTTP_STATUS"
E2E_CURL_AUTH=(-u rick:web-pw-2)
e2e_http POST "$ADD_PATH" application/json "$E2E_TMP/ru.json"
check_eq "REMOTE_USER of a reader: 403" 403 "$HTTP_STATUS"
E2E_CURL_AUTH=(-u wanda:web-pw-3)
e2e_http POST "$ADD_PATH" application/json "$E2E_TMP/ru.json"
check_eq "REMOTE_USER unknown to connreg: 403" 403 "$HTTP_STATUS"
check_contains "403 says the user is not a connreg user" "not a connreg user" "$HTTP_BODY"
E2E_CURL_AUTH=(-u carol:wrong)
e2e_http POST "$ADD_PATH" application/json "$E2E_TMP/ru.json"
check_eq "lighttpd rejects a wrong web password" 401 "$HTTP_STATUS"
BASE_URL=$MAIN_URL

e2e_note "admin command failures"
# admin_fails DESCRIPTION EXPECTED_MESSAGE ARGUMENT...
admin_fails() {
	local description=$1 expected=$2 output status
	shift 2
	output=$("${ADMIN[@]}" "$@" 2>&1 </dev/null)
	status=$?
	check_eq "$description: exit status" 1 "$((status != 0))"
	check_contains "$description: message" "$expected" "$output"
}
admin_fails "duplicate user" "already exists" user add carol
admin_fails "unknown type" "unknown user type" user add zed --type Root
admin_fails "unknown user" "no user named 'nobody'" user disable nobody
admin_fails "unknown token" "no token has the id" token revoke 000000000000
admin_fails "token for unknown user" "no user named" token create nobody
admin_fails "password from a pipe without --stdin" "not a terminal" user set-password carol
admin_fails "empty password" "must not be empty" user set-password carol --stdin
admin_fails "unknown command" "unknown command" user rename carol
"$CONNREG_ADMIN" --config "$E2E_TMP/missing.conf" user rename x >/dev/null 2>&1
check_eq "unknown command exits 2 before reading the configuration" 2 "$?"
"${ADMIN[@]}" user add zed --type Root >/dev/null 2>&1
check_eq "invalid argument exits 2" 2 "$?"
output=$("$CONNREG_ADMIN" --config "$E2E_TMP/missing.conf" user list 2>&1)
check_contains "missing configuration is named" "missing.conf" "$output"
output=$("${ADMIN[@]}" user list)
check_contains "user list shows types" "rick                     SYS_Reader     enabled" "$output"
"${ADMIN[@]}" user delete olga >/dev/null
check_eq "deleted user is gone" 0 "$(sqlite3 "$DB" "SELECT count(*) FROM users WHERE name = 'olga'")"

e2e_note "secrets in logs"
for log in "$SERVER_DIR/error.log" "$RU_DIR/error.log"; do
	for secret in "${SECRETS[@]}"; do
		[ -n "$secret" ] || continue
		if grep -qF -- "$secret" "$log"; then
			e2e_fail "log $(basename "$(dirname "$log")") contains a secret" "${secret:0:4}..."
		fi
	done
done
check_eq "log checked for secrets" 1 "$([ "${#SECRETS[@]}" -gt 20 ] && echo 1 || echo 0)"
check_contains "log has request lines with users" 'user="carol" auth=basic' "$(cat "$SERVER_DIR/error.log")"
for secret in "$ADMIN_PW" "$TOKEN_boss"; do
	check_eq "database holds no plaintext credential" 0 "$(grep -caF -- "$secret" "$DB" || true)"
done

e2e_finish
