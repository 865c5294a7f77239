#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Time GET .../connection/list over 10,000 connections beside a GET of one
# connection, in the same run, through lighttpd and connreg-fcgi built in
# this tree. Prints the median of RUNS runs of each (interleaved, so both
# see the same machine load). With --write, also replaces the "Listing"
# section of docs/benchmarks.md with the figures.
#
# Usage: bench/list.sh [--write] [RUNS]   (RUNS defaults to 9)
# Needs: a built tree (make), lighttpd, curl, sqlite3, jq.
# shellcheck source-path=SCRIPTDIR source=../tests/e2e/lib.sh
set -u
WRITE=0
if [ "${1:-}" = --write ]; then
	WRITE=1
	shift
fi
RUNS=${1:-9}
COUNT=10000

. "$(dirname "$0")/../tests/e2e/lib.sh"
e2e_init
e2e_require lighttpd curl sqlite3 jq

DIR=$E2E_TMP/server
CONF=$DIR/connreg.conf
DB=$DIR/connreg.db
mkdir -p "$DIR"
e2e_write_config "$CONF" log_level=warn
"$CONNREG_ADMIN" --config "$CONF" init >/dev/null || exit 99
e2e_add_user "$CONF" bench Administrator Bench-Pw-1 || exit 99
e2e_start_lighttpd "$DIR" "$CONF" 1 >/dev/null || exit 99
API=/plugin/datafor-modeler/api/connection
E2E_CURL_AUTH=(-u bench:Bench-Pw-1)

e2e_example_body "$E2E_TMP/add.json" bench-one Bench-Db-Pw-1
e2e_http POST "$API/add" application/json "$E2E_TMP/add.json"
[ "$HTTP_STATUS" = 200 ] || { echo "error: add failed: $HTTP_BODY" >&2; exit 99; }
sqlite3 "$DB" "SELECT document FROM connections WHERE name = 'bench-one'" >"$E2E_TMP/template.json"
sqlite3 "$DB" <<SQL || exit 99
BEGIN IMMEDIATE;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $((COUNT - 1)))
INSERT INTO connections (id, name, name_key, document, version, created_at, updated_at, owner)
SELECT printf('%08x-0000-4000-8000-%012x', i, i), printf('bulk-%05d', i), printf('bulk-%05d', i),
	json_set(readfile('$E2E_TMP/template.json'), '$.id', printf('%08x-0000-4000-8000-%012x', i, i),
		'$.name', printf('bulk-%05d', i)),
	1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'bench'
FROM n;
COMMIT;
SQL

# milliseconds PATH: print curl's total time of one GET, in milliseconds.
milliseconds() {
	curl -sS --max-time 60 -o /dev/null -w '%{time_total}\n' "${E2E_CURL_AUTH[@]}" "$BASE_URL$1" |
		awk '{ printf "%.1f\n", $1 * 1000 }'
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

LISTED=$(curl -sS --max-time 60 "${E2E_CURL_AUTH[@]}" "$BASE_URL$API/list" | jq '.databaseConnections | length')
: >"$E2E_TMP/list.ms"
: >"$E2E_TMP/get.ms"
for ((run = 0; run < RUNS; run++)); do
	milliseconds "$API/list" >>"$E2E_TMP/list.ms"
	milliseconds "$API/get?name=bench-one" >>"$E2E_TMP/get.ms"
done
LIST_MS=$(median <"$E2E_TMP/list.ms")
GET_MS=$(median <"$E2E_TMP/get.ms")
printf 'list of %s connections: median %s ms over %s runs\n' "$LISTED" "$LIST_MS" "$RUNS"
printf 'get of one connection:   median %s ms over %s runs\n' "$GET_MS" "$RUNS"

if [ "$WRITE" = 1 ]; then
	FILE=$top_srcdir/docs/benchmarks.md
	[ -f "$FILE" ] || printf '# Benchmarks\n\nMeasured figures, each with the script that produced it.\n' >"$FILE"
	SECTION=$E2E_TMP/section.md
	{
		echo "## Listing"
		echo
		echo "\`bench/list.sh $RUNS\` on $(date -u +%Y-%m-%d), $(nproc) CPUs ($(uname -m)),"
		echo "lighttpd with one connreg-fcgi process, an Administrator with Basic"
		echo "authentication, $LISTED connections. Times are curl's total per request on"
		echo "127.0.0.1, the median of $RUNS interleaved runs."
		echo
		echo "| request | median |"
		echo "|---|---|"
		echo "| \`list\` ($LISTED connections) | $LIST_MS ms |"
		echo "| \`get\` (one connection) | $GET_MS ms |"
	} >"$SECTION"
	# Replace this section only, up to the next "## " heading; keep the rest.
	awk -v section="$SECTION" '
		/^## / { if (skipping) skipping = 0 }
		/^## Listing$/ { while ((getline line < section) > 0) print line; print ""; skipping = 1; done = 1; next }
		!skipping { print }
		END { if (!done) { print ""; while ((getline line < section) > 0) print line } }
	' "$FILE" >"$FILE.tmp" && mv "$FILE.tmp" "$FILE"
	echo "wrote the Listing section of $FILE"
fi
