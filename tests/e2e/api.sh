#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The connection calls beyond add, through a real lighttpd: list, get,
# checkexists, update, deletebyname, poolingParameters and databaseTypes,
# with their success and failure statuses for each kind of user. Also a
# non-ASCII name through add, get, update and delete, password keep
# versus replace, the change history from `connreg history`, and a list
# of 10,000 connections.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init
e2e_require lighttpd curl sqlite3 jq

SERVER_DIR=$E2E_TMP/server
CONF=$SERVER_DIR/connreg.conf
DB=$SERVER_DIR/connreg.db
mkdir -p "$SERVER_DIR"
e2e_write_config "$CONF"
ADMIN=("$CONNREG_ADMIN" --config "$CONF")

ADMIN_PW=Api-Admin-Pw-61c2
CREATOR_PW=Api-Creator-Pw-93d7
READER_PW=Api-Reader-Pw-0b4e
OTHER_PW=Api-Other-Pw-57aa
"${ADMIN[@]}" init >/dev/null || exit 99
e2e_add_user "$CONF" boss Administrator "$ADMIN_PW" || exit 99
e2e_add_user "$CONF" carol SYS_Creator "$CREATOR_PW" || exit 99
e2e_add_user "$CONF" rick SYS_Reader "$READER_PW" || exit 99
e2e_add_user "$CONF" olga SYS_Creator "$OTHER_PW" || exit 99
SECRETS=("$ADMIN_PW" "$CREATOR_PW" "$READER_PW" "$OTHER_PW")

# Keep every response body, to check at the end that none carries a password.
eval "$(declare -f e2e_http | sed '1s/^e2e_http/e2e_http_unrecorded/')"
e2e_http() {
	e2e_http_unrecorded "$@"
	printf '%s\n%s\n' "$HTTP_HEADERS" "$HTTP_BODY" >>"$E2E_TMP/responses"
}

e2e_start_lighttpd "$SERVER_DIR" "$CONF" 2 || exit 99
API=/plugin/datafor-modeler/api/connection

# as USER: send the next requests as USER with Basic; "nobody" sends none.
as() {
	case $1 in
		boss) E2E_CURL_AUTH=(-u "boss:$ADMIN_PW") ;;
		carol) E2E_CURL_AUTH=(-u "carol:$CREATOR_PW") ;;
		rick) E2E_CURL_AUTH=(-u "rick:$READER_PW") ;;
		olga) E2E_CURL_AUTH=(-u "olga:$OTHER_PW") ;;
		nobody) E2E_CURL_AUTH=() ;;
	esac
}

# urlencode TEXT: percent-encode every byte but the unreserved ones.
urlencode() {
	local LC_ALL=C text=$1 i c out=
	for ((i = 0; i < ${#text}; i++)); do
		c=${text:i:1}
		case $c in
			[A-Za-z0-9._~-]) out+=$c ;;
			*) printf -v c '%%%02X' "'$c" && out+=$c ;;
		esac
	done
	printf '%s' "$out"
}

# add_connection USER NAME PASSWORD: add the example body as USER.
add_connection() {
	jq -c --arg name "$2" --arg pw "$3" '.name = $name | .password = $pw' "$EXAMPLE_BODY" \
		>"$E2E_TMP/add.json"
	SECRETS+=("$3")
	as "$1"
	e2e_http POST "$API/add" application/json "$E2E_TMP/add.json"
}

# get_as USER NAME: GET .../get?name=NAME as USER.
get_as() {
	as "$1"
	e2e_http GET "$API/get?name=$(urlencode "$2")" "" ""
}

# update_as USER JQ_FILTER [CURL_HEADER]: send the last get body, changed by
# JQ_FILTER, as an update.
update_as() {
	printf '%s' "$LAST_GET" | jq -c "$2" >"$E2E_TMP/update.json"
	as "$1"
	if [ -n "${3:-}" ]; then
		E2E_CURL_AUTH+=(-H "$3")
	fi
	e2e_http POST "$API/update" application/json "$E2E_TMP/update.json"
}

secret_of() {
	sqlite3 "$DB" "SELECT hex(password) FROM connections WHERE name = '$1'"
}

# lighttpd rejects a POST without Content-Length itself, with 411.
EMPTY=$E2E_TMP/empty.json
: >"$EMPTY"

e2e_note "without credentials every call is 401"
as nobody
for call in "GET list" "GET get?name=x" "GET checkexists?name=x" "POST update" \
	"DELETE deletebyname?name=x" "GET poolingParameters" "GET databaseTypes"; do
	e2e_http "${call%% *}" "$API/${call#* }" application/json "$EMPTY"
	check_eq "${call#* } without credentials: 401" 401 "$HTTP_STATUS"
done

e2e_note "wrong methods are 405 with Allow"
as boss
e2e_http POST "$API/list" application/json "$EMPTY"
check_eq "POST list: 405" 405 "$HTTP_STATUS"
check_contains "POST list: Allow" "Allow: GET" "$HTTP_HEADERS"
e2e_http GET "$API/update" "" ""
check_eq "GET update: 405" 405 "$HTTP_STATUS"
check_contains "GET update: Allow" "Allow: POST" "$HTTP_HEADERS"
e2e_http GET "$API/deletebyname?name=x" "" ""
check_eq "GET deletebyname: 405" 405 "$HTTP_STATUS"
check_contains "GET deletebyname: Allow" "Allow: DELETE" "$HTTP_HEADERS"

e2e_note "reference data"
as rick
e2e_http GET "$API/poolingParameters" "" ""
check_eq "poolingParameters: 200" 200 "$HTTP_STATUS"
check_eq "poolingParameters: maxActive default" '"8"' \
	"$(printf '%s' "$HTTP_BODY" | jq -c '.databaseConnectionPoolParameters[] | select(.parameter == "maxActive") | .defaultValue')"
e2e_http GET "$API/databaseTypes" "" ""
check_eq "databaseTypes: 200" 200 "$HTTP_STATUS"
check_eq "databaseTypes: 27 types" 27 "$(printf '%s' "$HTTP_BODY" | jq '.databaseTypes | length')"
check_eq "databaseTypes: Oracle" '{"shortName":"ORACLE","name":"Oracle","defaultDatabasePort":"1521","supportedAccessTypes":["NATIVE","ODBC","OCI","JNDI"]}' \
	"$(printf '%s' "$HTTP_BODY" | jq -c '.databaseTypes[] | select(.shortName == "ORACLE")')"

e2e_note "get, list and checkexists"
add_connection carol carol-pg Db-Pw-carol-1
check_eq "add carol-pg: 200" 200 "$HTTP_STATUS"
get_as carol carol-pg
check_eq "get as owner: 200" 200 "$HTTP_STATUS"
LAST_GET=$HTTP_BODY
check_eq "get: password is null" null "$(printf '%s' "$HTTP_BODY" | jq -c .password)"
check_eq "get: changed is false" false "$(printf '%s' "$HTTP_BODY" | jq -c .changed)"
check_eq "get: id is the stored id" "$(sqlite3 "$DB" "SELECT id FROM connections WHERE name = 'carol-pg'")" \
	"$(printf '%s' "$HTTP_BODY" | jq -r .id)"
check_eq "get: supportedAccessTypes" '["NATIVE","ODBC","JNDI"]' \
	"$(printf '%s' "$HTTP_BODY" | jq -c .databaseType.supportedAccessTypes)"
check_eq "get: every added field with its value" "" \
	"$(jq -c 'del(.password, .changed, .id)' "$EXAMPLE_BODY" | jq -c \
		--argjson got "$(printf '%s' "$HTTP_BODY" | jq -c 'del(.databaseType.supportedAccessTypes)')" \
		'to_entries[] | select(.key != "name" and $got[.key] != .value)')"
check_contains "get: strong ETag with the version" 'ETag: "' "$HTTP_HEADERS"
ETAG_1=$(printf '%s\n' "$HTTP_HEADERS" | sed -n 's/^ETag: //p')
check_contains "ETag ends in version 1" '.1"' "$ETAG_1"
get_as rick carol-pg
check_eq "get unreadable as reader: 404" 404 "$HTTP_STATUS"
get_as olga carol-pg
check_eq "get unreadable as other creator: 404" 404 "$HTTP_STATUS"
get_as carol no-such-connection
check_eq "get missing: 404" 404 "$HTTP_STATUS"
as carol
e2e_http GET "$API/get" "" ""
check_eq "get without name: 400" 400 "$HTTP_STATUS"
as rick
e2e_http GET "$API/checkexists?name=carol-pg" "" ""
check_eq "checkexists unreadable: false" '{"success":true,"exists":false}' "$HTTP_BODY"
as carol
e2e_http GET "$API/checkexists?name=CAROL-PG" "" ""
check_eq "checkexists readable, other case: true" '{"success":true,"exists":true}' "$HTTP_BODY"
e2e_http GET "$API/checkexists?name=nothing-here" "" ""
check_eq "checkexists missing: false" '{"success":true,"exists":false}' "$HTTP_BODY"

e2e_note "list with an access map for a reader with a Read grant"
add_connection boss boss-pg Db-Pw-boss-1
add_connection carol carol-aa Db-Pw-carol-2
as carol
printf '{"owner":"carol","aces":[{"recipient":"carol","recipientType":0,"permissions":[4]},{"recipient":"rick","recipientType":0,"permissions":[0]}]}' \
	>"$E2E_TMP/acl.json"
e2e_http PUT "$API/acl?name=carol-pg" application/json "$E2E_TMP/acl.json"
check_eq "grant Read to rick: 200" 200 "$HTTP_STATUS"
as rick
e2e_http GET "$API/list?includeAccessMap=true" "" ""
check_eq "list as reader: 200" 200 "$HTTP_STATUS"
check_eq "list as reader: only the granted one" '["carol-pg"]' \
	"$(printf '%s' "$HTTP_BODY" | jq -c '[.databaseConnections[].name]')"
check_eq "list as reader: accessMap" '[{"name":"0","value":"true"},{"name":"1","value":"false"},{"name":"2","value":"false"},{"name":"3","value":"false"},{"name":"4","value":"false"}]' \
	"$(printf '%s' "$HTTP_BODY" | jq -c '.databaseConnections[0].accessMap')"
check_eq "list: passwords are null" null "$(printf '%s' "$HTTP_BODY" | jq -c '.databaseConnections[0].password')"
as boss
e2e_http GET "$API/list" "" ""
check_eq "list as admin: sorted by name" '["boss-pg","carol-aa","carol-pg"]' \
	"$(printf '%s' "$HTTP_BODY" | jq -c '[.databaseConnections[].name]')"
check_eq "list without includeAccessMap: no accessMap" null \
	"$(printf '%s' "$HTTP_BODY" | jq -c '.databaseConnections[0].accessMap')"
get_as rick carol-pg
check_eq "get with a Read grant: 200" 200 "$HTTP_STATUS"
check_eq "list item is what get returns" "$HTTP_BODY" \
	"$(as rick; e2e_http GET "$API/list" "" ""; printf '%s' "$HTTP_BODY" | jq -c '.databaseConnections[0]')"

e2e_note "update"
get_as carol carol-pg
LAST_GET=$HTTP_BODY
SECRET_1=$(secret_of carol-pg)
update_as rick '.hostname = "reader-edit"'
check_eq "update as reader with Read: 403" 403 "$HTTP_STATUS"
update_as olga '.hostname = "other-edit"'
check_eq "update unreadable: 404" 404 "$HTTP_STATUS"
update_as carol '.hostname = "db2.example.com" | .password = null'
check_eq "update, null password: 200" 200 "$HTTP_STATUS"
check_eq "update: success envelope" "$SUCCESS_BODY" "$HTTP_BODY"
check_eq "null password keeps the sealed blob" "$SECRET_1" "$(secret_of carol-pg)"
update_as carol '.hostname = "db3.example.com" | .password = "********"'
check_eq "update, masked password: 200" 200 "$HTTP_STATUS"
check_eq "masked password keeps the sealed blob" "$SECRET_1" "$(secret_of carol-pg)"
update_as carol '.hostname = "db4.example.com" | .password = ""'
check_eq "empty password keeps the sealed blob" "$SECRET_1" "$(secret_of carol-pg)"
SECRETS+=(New-Db-Pw-77f1)
update_as carol '.hostname = "db4.example.com" | .password = "New-Db-Pw-77f1"'
check_eq "update, new password: 200" 200 "$HTTP_STATUS"
SECRET_2=$(secret_of carol-pg)
check_eq "new password changes the sealed blob" 1 "$([ "$SECRET_2" != "$SECRET_1" ] && echo 1 || echo 0)"
check_not_contains "sealed blob is not the plain password" \
	"$(printf '%s' New-Db-Pw-77f1 | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" "$SECRET_2"
get_as carol carol-pg
check_eq "get after update: hostname" '"db4.example.com"' "$(printf '%s' "$HTTP_BODY" | jq -c .hostname)"
check_eq "get after update: version 5 in ETag" 1 \
	"$(printf '%s\n' "$HTTP_HEADERS" | grep -c '^ETag: ".*\.5"$')"
check_eq "changed is never stored" 0 \
	"$(sqlite3 "$DB" "SELECT count(*) FROM connections WHERE json_type(document, '$.changed') IS NOT NULL")"

update_as carol '.hostname = "stale"' "If-Match: $ETAG_1"
check_eq "update with a stale If-Match: 412" 412 "$HTTP_STATUS"
ETAG_NOW=$(printf '%s\n' "$HTTP_HEADERS" | sed -n 's/^ETag: //p')
get_as carol carol-pg
LAST_GET=$HTTP_BODY
ETAG_NOW=$(printf '%s\n' "$HTTP_HEADERS" | sed -n 's/^ETag: //p')
update_as carol '.hostname = "db5.example.com"' "If-Match: $ETAG_NOW"
check_eq "update with the current If-Match: 200" 200 "$HTTP_STATUS"
update_as carol '.hostname = "db6.example.com"' "If-Match: $ETAG_NOW"
check_eq "the same If-Match again: 412" 412 "$HTTP_STATUS"

update_as carol '.name = "CAROL-AA"'
check_eq "rename onto another name: 409" 409 "$HTTP_STATUS"
check_contains "409 names the other connection" 'carol-aa' "$HTTP_BODY"
update_as carol '.hostname = 7 | .databasePort = "0" | .id = "not-a-uuid"'
check_eq "invalid update: 400" 400 "$HTTP_STATUS"
check_contains "400 points at hostname" '"/hostname"' "$HTTP_BODY"
check_contains "400 points at id" '"/id"' "$HTTP_BODY"
update_as carol '.id = "" | .port = 1'
check_eq "unknown field: 400" 400 "$HTTP_STATUS"
update_as carol '.id = "" | .hostname = "by-name.example.com"'
check_eq "update by name when id is empty: 200" 200 "$HTTP_STATUS"
update_as carol '.id = "00000000-0000-4000-8000-000000000000"'
check_eq "update of an unknown id: 404" 404 "$HTTP_STATUS"
update_as carol '.name = "carol-renamed"'
check_eq "rename: 200" 200 "$HTTP_STATUS"
get_as carol carol-renamed
check_eq "get by the new name: 200" 200 "$HTTP_STATUS"
get_as carol carol-pg
check_eq "get by the old name: 404" 404 "$HTTP_STATUS"

e2e_note "non-ASCII name through add, get, update and delete"
ODD='Données & <数据> 100%'
add_connection carol "$ODD" Db-Pw-odd-1
check_eq "add non-ASCII name: 200" 200 "$HTTP_STATUS"
get_as carol "$ODD"
check_eq "get non-ASCII name: 200" 200 "$HTTP_STATUS"
check_eq "get non-ASCII name: same name" "$ODD" "$(printf '%s' "$HTTP_BODY" | jq -r .name)"
LAST_GET=$HTTP_BODY
update_as carol '.databaseName = "donnees"'
check_eq "update non-ASCII name: 200" 200 "$HTTP_STATUS"
get_as carol "DONNÉES & <数据> 100%"
check_eq "get non-ASCII name in another case: updated" '"donnees"' \
	"$(printf '%s' "$HTTP_BODY" | jq -c .databaseName)"
as rick
e2e_http DELETE "$API/deletebyname?name=$(urlencode "$ODD")" "" ""
check_eq "delete unreadable as reader: 404" 404 "$HTTP_STATUS"
as carol
e2e_http DELETE "$API/deletebyname?name=$(urlencode "$ODD")" "" ""
check_eq "delete non-ASCII name: 200" 200 "$HTTP_STATUS"
check_eq "delete: success envelope" "$SUCCESS_BODY" "$HTTP_BODY"
get_as carol "$ODD"
check_eq "get after delete: 404" 404 "$HTTP_STATUS"
as carol
e2e_http DELETE "$API/deletebyname?name=$(urlencode "$ODD")" "" ""
check_eq "delete missing: 404" 404 "$HTTP_STATUS"

e2e_note "delete needs Delete"
as carol
printf '{"owner":"carol","aces":[{"recipient":"carol","recipientType":0,"permissions":[4]},{"recipient":"olga","recipientType":0,"permissions":[0,1]}]}' \
	>"$E2E_TMP/acl.json"
e2e_http PUT "$API/acl?name=carol-aa" application/json "$E2E_TMP/acl.json"
check_eq "grant Read and Edit to olga: 200" 200 "$HTTP_STATUS"
as olga
e2e_http DELETE "$API/deletebyname?name=carol-aa" "" ""
check_eq "delete without Delete: 403" 403 "$HTTP_STATUS"
as boss
e2e_http DELETE "$API/deletebyname?name=carol-aa" "" ""
check_eq "delete as admin: 200" 200 "$HTTP_STATUS"
check_eq "ACL entries go with the connection" 0 \
	"$(sqlite3 "$DB" "SELECT count(*) FROM acl_entries WHERE connection_id NOT IN (SELECT id FROM connections)")"

e2e_note "history"
HISTORY=$("${ADMIN[@]}" history)
check_contains "history: add by carol" "add     carol-pg" "$HISTORY"
check_contains "history: hostname change" '/hostname: "db2.example.com" -> "db3.example.com"' "$HISTORY"
check_contains "history: password replaced" "/password: changed" "$HISTORY"
check_contains "history: ACL change" "acl     carol-aa" "$HISTORY"
check_contains "history: delete by boss" "delete  carol-aa" "$HISTORY"
check_contains "history: rename" '/name: "carol-pg" -> "carol-renamed"' "$HISTORY"
ODD_HISTORY=$("${ADMIN[@]}" history "$ODD")
check_eq "history of the non-ASCII name: add, update, delete" "add update delete" \
	"$(printf '%s\n' "$ODD_HISTORY" | awk '/^[0-9]/ {print $2}' | xargs)"
RENAMED_HISTORY=$("${ADMIN[@]}" history carol-renamed)
check_contains "history by new name includes the old name's add" "add     carol-pg" "$RENAMED_HISTORY"
check_eq "history rows: one for each change" 1 "$(sqlite3 "$DB" "SELECT count(*) > 10 FROM history")"
for secret in "${SECRETS[@]}"; do
	check_not_contains "history has no password $secret" "$secret" "$HISTORY$(sqlite3 "$DB" 'SELECT changes FROM history')"
done
check_contains "admin usage documents history" "history [NAME]" "$("${ADMIN[@]}" --help)"

e2e_note "10,000 connections"
TEMPLATE=$(sqlite3 "$DB" "SELECT document FROM connections WHERE name = 'boss-pg'")
printf '%s' "$TEMPLATE" >"$E2E_TMP/template.json"
sqlite3 "$DB" <<SQL || exit 99
BEGIN IMMEDIATE;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO connections (id, name, name_key, document, version, created_at, updated_at, owner)
SELECT printf('%08x-0000-4000-8000-%012x', i, i), printf('bulk-%05d', i), printf('bulk-%05d', i),
	json_set(readfile('$E2E_TMP/template.json'), '$.id', printf('%08x-0000-4000-8000-%012x', i, i),
		'$.name', printf('bulk-%05d', i)),
	1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'boss'
FROM n;
COMMIT;
SQL
TOTAL=$(sqlite3 "$DB" 'SELECT count(*) FROM connections')
as boss
START=$(date +%s%N)
e2e_http GET "$API/list?includeAccessMap=true" "" ""
END=$(date +%s%N)
check_eq "list of $TOTAL connections: 200" 200 "$HTTP_STATUS"
check_eq "list returns all $TOTAL" "$TOTAL" "$(printf '%s' "$HTTP_BODY" | jq '.databaseConnections | length')"
e2e_note "listing $TOTAL connections took $(((END - START) / 1000000)) ms"
as carol
e2e_http GET "$API/list" "" ""
check_eq "creator sees none of the bulk rows" 0 \
	"$(printf '%s' "$HTTP_BODY" | jq '[.databaseConnections[].name | select(startswith("bulk-"))] | length')"

e2e_note "no password in any response or log line"
for secret in "${SECRETS[@]}"; do
	check_not_contains "log has no $secret" "$secret" "$(cat "$SERVER_DIR/error.log")"
	check_eq "no response has $secret" 0 "$(grep -cF -- "$secret" "$E2E_TMP/responses")"
done

e2e_finish
