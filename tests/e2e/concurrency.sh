#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Concurrent adds through lighttpd with four connreg-fcgi processes on
# one SQLite database: every add succeeds exactly once, names stay
# unique under a race, and a write lock held by another program makes
# connreg wait (busy_timeout_ms) or respond with 503.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init
e2e_require lighttpd curl sqlite3

SERVER_DIR=$E2E_TMP/server
DB=$SERVER_DIR/connreg.db
LOG=$SERVER_DIR/error.log
CLIENTS=4
ADDS_PER_CLIENT=50
TOTAL=$((CLIENTS * ADDS_PER_CLIENT))
mkdir -p "$SERVER_DIR"
e2e_write_config "$SERVER_DIR/connreg.conf" busy_timeout_ms=5000
"$CONNREG_FCGI" --config "$SERVER_DIR/connreg.conf" --check >/dev/null || exit 99
CREATOR_PASSWORD=Creator-Pw-0b9e44
e2e_add_user "$SERVER_DIR/connreg.conf" creator SYS_Creator "$CREATOR_PASSWORD" || exit 99
E2E_CURL_AUTH=(-u "creator:$CREATOR_PASSWORD")
e2e_start_lighttpd "$SERVER_DIR" "$SERVER_DIR/connreg.conf" 4 || exit 99

# post_status BODY_FILE: print the HTTP status of one add, 000 when curl
# failed or timed out.
post_status() {
	curl -sS --max-time 30 -o /dev/null -w '%{http_code}' "${E2E_CURL_AUTH[@]}" -H 'Content-Type: application/json' \
		--data-binary "@$1" "$BASE_URL$ADD_PATH" 2>/dev/null || printf '000'
}

BODIES=$E2E_TMP/bodies
mkdir -p "$BODIES"
for ((client = 1; client <= CLIENTS; client++)); do
	for ((i = 1; i <= ADDS_PER_CLIENT; i++)); do
		e2e_example_body "$BODIES/c$client-$i.json" "load-$client-$i" "postgres"
	done
done

e2e_note "$CLIENTS clients add $ADDS_PER_CLIENT connections each, all at once"
client_pids=()
for ((client = 1; client <= CLIENTS; client++)); do
	(
		for ((i = 1; i <= ADDS_PER_CLIENT; i++)); do
			echo "$(post_status "$BODIES/c$client-$i.json") load-$client-$i"
		done
	) >"$E2E_TMP/client-$client.out" &
	client_pids+=($!)
done
for pid in "${client_pids[@]}"; do
	wait "$pid"
done
cat "$E2E_TMP"/client-*.out >"$E2E_TMP/all.out"
check_eq "responses received" "$TOTAL" "$(wc -l <"$E2E_TMP/all.out")"
check_eq "responses with status 200" "$TOTAL" "$(grep -c '^200 ' "$E2E_TMP/all.out")"
grep -v '^200 ' "$E2E_TMP/all.out" | head -n 5
check_eq "rows stored" "$TOTAL" "$(sqlite3 "$DB" 'SELECT count(*) FROM connections')"
check_eq "distinct names stored" "$TOTAL" \
	"$(sqlite3 "$DB" "SELECT count(DISTINCT name) FROM connections WHERE name LIKE 'load-%'")"
# lighttpd spreads the load over its processes, so more than one of
# them wrote to the database at the same time.
processes=$(grep ' status=200 ' "$LOG" | sed -n 's/.* connreg\[\([0-9]*\)\] .*/\1/p' | sort -u | wc -l)
if [ "$processes" -ge 2 ]; then
	e2e_pass "adds served by $processes connreg processes"
else
	e2e_fail "adds served by at least 2 connreg processes" "served by $processes"
fi

e2e_note "8 clients add the same name at once"
e2e_example_body "$BODIES/race.json" "Race-Name" "postgres"
race_pids=()
for ((i = 1; i <= 8; i++)); do
	post_status "$BODIES/race.json" >"$E2E_TMP/race-$i.out" &
	race_pids+=($!)
done
for pid in "${race_pids[@]}"; do
	wait "$pid"
done
statuses=$(cat "$E2E_TMP"/race-*.out | fold -w 3 | sort | uniq -c | awk '{print $2 "x" $1}' | paste -sd ' ')
check_eq "same-name race: one 200 and seven 409" "200x1 409x7" "$statuses"
check_eq "same-name race: one row" 1 "$(sqlite3 "$DB" "SELECT count(*) FROM connections WHERE name = 'Race-Name'")"

e2e_note "a write lock held by another program"
# sqlite3 holds the write lock for 3 seconds. The four processes above
# wait up to busy_timeout_ms (5000) and succeed. A second lighttpd runs
# connreg with busy_timeout_ms = 100 on the same database; its process
# starts before the lock is taken, gives up on the insert and responds with 503.
MAIN_URL=$BASE_URL
FAST_DIR=$E2E_TMP/fast
mkdir -p "$FAST_DIR"
{
	echo "database = $DB"
	echo "key_file = $SERVER_DIR/connreg.key"
	echo "busy_timeout_ms = 100"
	echo "auth_methods = none"
} >"$FAST_DIR/connreg.conf"
e2e_start_lighttpd "$FAST_DIR" "$FAST_DIR/connreg.conf" 1 || exit 99
FAST_URL=$BASE_URL
BASE_URL=$MAIN_URL

{
	echo 'BEGIN IMMEDIATE;'
	echo "SELECT 'locked';"
	sleep 3
	echo 'COMMIT;'
} | sqlite3 "$DB" >"$E2E_TMP/lock.out" &
LOCK_PID=$!
for ((i = 0; i < 50; i++)); do
	[ -s "$E2E_TMP/lock.out" ] && break
	sleep 0.1
done
check_eq "sqlite3 holds the write lock" locked "$(cat "$E2E_TMP/lock.out")"

e2e_example_body "$BODIES/busy-fail.json" "busy-fail" "postgres"
curl -sS --max-time 10 -D "$E2E_TMP/busy.head" -o "$E2E_TMP/busy.body" \
	-H 'Content-Type: application/json' --data-binary "@$BODIES/busy-fail.json" \
	"$FAST_URL$ADD_PATH" 2>/dev/null
busy_headers=$(tr -d '\r' <"$E2E_TMP/busy.head")
check_contains "locked database, busy_timeout_ms 100: status 503" "HTTP/1.1 503" "$busy_headers"
check_contains "locked database, busy_timeout_ms 100: Retry-After" "Retry-After: 1" "$busy_headers"
check_contains "locked database, busy_timeout_ms 100: JSON body" '"code":"503","success":false' \
	"$(cat "$E2E_TMP/busy.body")"

e2e_example_body "$BODIES/busy-wait.json" "busy-wait" "postgres"
started=$(date +%s%N)
check_eq "locked database, busy_timeout_ms 5000: waits and succeeds" 200 \
	"$(post_status "$BODIES/busy-wait.json")"
waited_ms=$((($(date +%s%N) - started) / 1000000))
if [ "$waited_ms" -ge 1000 ]; then
	e2e_pass "locked database: the add waited for the lock (${waited_ms} ms)"
else
	e2e_fail "locked database: the add waited for the lock" "took only ${waited_ms} ms"
fi
wait "$LOCK_PID"
check_eq "after the lock: busy-fail not stored, busy-wait stored" "busy-wait" \
	"$(sqlite3 "$DB" "SELECT group_concat(name) FROM connections WHERE name LIKE 'busy-%'")"
check_eq "rows stored in all" $((TOTAL + 2)) "$(sqlite3 "$DB" 'SELECT count(*) FROM connections')"

e2e_finish
