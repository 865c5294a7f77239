#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Memory of connreg-fcgi under load. The script starts lighttpd with
# connreg on 127.0.0.1 and a new database, then sends REQUESTS add
# requests with unique names through wrk in STEPS equal steps. After each
# step it prints VmRSS and VmHWM (peak RSS) of every connreg-fcgi process
# from /proc/PID/status, and at the end compares them with the target of
# 8 MiB. It prints figures and never fails on the target.
#
# Usage: bench/memory.sh    (build src/connreg-fcgi first)
# Environment, with defaults:
#   REQUESTS=100000      add requests to send in total
#   STEPS=4              memory is read after each of this many equal steps
#   CONNECTIONS=16       wrk connections
#   PROCS=1              FastCGI processes (lighttpd max-procs)
#   THREADS=2            wrk threads
#   STEP_TIMEOUT=900     seconds a step may take before it is cut short
#   CONNREG, BENCH_DB_DIR, KEEP_WORK_DIR as for bench/run.sh
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

REQUESTS=${REQUESTS:-100000}
STEPS=${STEPS:-4}
CONNECTIONS=${CONNECTIONS:-16}
PROCS=${PROCS:-1}
STEP_TIMEOUT=${STEP_TIMEOUT:-900}
TARGET_KB=8192

# Print the PIDs of the FastCGI processes of the running lighttpd.
backend_pids() {
	pgrep -P "$SERVER_PID"
}

# Print one line of memory figures for process PID, in kB as
# /proc/PID/status gives them.
memory_line() {
	local pid=$1

	awk -v pid="$pid" '
	    /^VmRSS:/ { rss = $2 } /^VmHWM:/ { hwm = $2 }
	    /^RssAnon:/ { anon = $2 } /^RssFile:/ { file = $2 } /^RssShmem:/ { shmem = $2 }
	    END {
		printf "pid %d  VmRSS %6d kB  VmHWM %6d kB  (RssAnon %d, RssFile %d, RssShmem %d)\n",
		    pid, rss, hwm, anon, file, shmem
	    }' "/proc/$pid/status"
}

report_memory() {
	local label=$1 pid

	for pid in $(backend_pids); do
		printf '%-28s %s\n' "$label" "$(memory_line "$pid")"
	done
}

# Count the rows stored so far. Every 200 response stored exactly one row.
stored_rows() {
	sqlite3 "$SERVER_DIR/connreg.db" 'PRAGMA busy_timeout = 5000; SELECT count(*) FROM connections;' |
	    tail -n 1
}

# Send about COUNT requests with wrk. The Lua script stops each thread
# after its share of responses, but wrk itself waits for its -d duration.
# So this function watches the row count and, once all rows are stored,
# ends wrk with SIGINT, which makes it print its summary.
send_requests() {
	local count=$1 prefix=$2 start_rows target threads=$THREADS per_thread deadline

	[ "$threads" -le "$CONNECTIONS" ] || threads=$CONNECTIONS
	per_thread=$(((count + threads - 1) / threads))
	start_rows=$(stored_rows)
	target=$((start_rows + per_thread * threads))
	deadline=$((SECONDS + STEP_TIMEOUT))

	BENCH_RUN_PREFIX=$prefix BENCH_BODY=$BODY_FILE BENCH_REQUESTS_PER_THREAD=$per_thread \
	    wrk -t "$threads" -c "$CONNECTIONS" -d "${STEP_TIMEOUT}s" --timeout 30s \
	    -s "$BENCH_DIR/add.lua" "$SERVER_URL" >"$SERVER_DIR/wrk.out" 2>&1 &
	WRK_PID=$!
	while kill -0 "$WRK_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 1
		if [ "$(stored_rows)" -ge "$target" ]; then
			break
		fi
	done
	kill -INT "$WRK_PID" 2>/dev/null || true
	wait "$WRK_PID" || true
	WRK_PID=
	grep '^RESULT ' "$SERVER_DIR/wrk.out" | sed 's/^RESULT /  wrk: /' || cat "$SERVER_DIR/wrk.out" >&2
}

main() {
	local dir step per_step rows pid

	bench_init sqlite3 od ss
	echo "connreg-fcgi memory under load"
	describe_machine
	echo "settings:   REQUESTS=$REQUESTS STEPS=$STEPS CONNECTIONS=$CONNECTIONS PROCS=$PROCS"
	echo

	dir=$WORK_DIR/memory
	mkdir -p "$dir"
	printf 'database = connreg.db\nkey_file = connreg.key\nlog_level = warn\nauth_methods = none\n' >"$dir/connreg.conf"
	server_start "$dir" "$PROCS" "$CONNREG --config $dir/connreg.conf"
	check_add "$RUN_PREFIX-check"
	report_memory "after 1 request"

	per_step=$(((REQUESTS + STEPS - 1) / STEPS))
	for step in $(seq 1 "$STEPS"); do
		send_requests "$per_step" "$RUN_PREFIX-$step"
		rows=$(stored_rows)
		report_memory "after $rows requests"
	done

	echo
	echo "Target: VmRSS and VmHWM of each connreg-fcgi process at most 8 MiB ($TARGET_KB kB)"
	for pid in $(backend_pids); do
		awk -v pid="$pid" -v target="$TARGET_KB" '
		    /^VmRSS:/ { rss = $2 } /^VmHWM:/ { hwm = $2 }
		    END {
			printf "  pid %d: VmRSS %.2f MiB (%s), VmHWM %.2f MiB (%s)\n", pid,
			    rss / 1024, (rss <= target ? "met" : "missed"),
			    hwm / 1024, (hwm <= target ? "met" : "missed")
		    }' "/proc/$pid/status"
	done
	echo "database: $(du -k "$dir/connreg.db" | awk '{ print $1 }') kB for $(stored_rows) rows"
	server_stop
}

main "$@"
