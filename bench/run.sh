#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Benchmark of POST /plugin/datafor-modeler/api/connection/add through a
# real lighttpd on 127.0.0.1, driven by wrk, next to three baselines
# measured in the same run:
#   (a) bench/baseline_fcgi.c in store mode, a minimal FastCGI responder
#       behind the same lighttpd configuration. It parses the body with
#       json-c and does one durable SQLite insert, with no validation.
#   (b) The same program in fixed mode. It sends a fixed response with no
#       parsing and no database: the ceiling of the HTTP path.
#   (c) bench/baseline_store.c, the same durable insert in a plain loop
#       with no HTTP: the ceiling of storage.
# "connreg" runs with authentication off (auth_methods = none); "basic"
# is connreg with HTTP Basic as a SYS_Creator, measured at PROCS only,
# to show what authentication costs beside the unauthenticated rate.
# The configurations are interleaved: each run measures (c), then
# connreg, (a) and (b) at each concurrency with PROCS processes, then the
# same at ALT_CONCURRENCY with ALT_PROCS processes. The tables show the
# median of RUNS runs. Every configuration gets a new database and a new
# lighttpd. This script prints figures and never fails on a threshold. It
# exits non-zero only when the setup is broken.
#
# Usage: bench/run.sh    (build src/connreg-fcgi first)
# Environment, with defaults:
#   DURATION=10          seconds of measurement per configuration
#   WARMUP=1             seconds of unmeasured load before each measurement
#   RUNS=3               runs per configuration; the table shows medians
#   CONCURRENCY="1 16 64"   wrk connections at PROCS
#   PROCS=1              FastCGI processes per lighttpd (max-procs)
#   ALT_PROCS=2          a second process count to compare ...
#   ALT_CONCURRENCY="16 64"  ... at these connections; "" skips it
#   THREADS=2            wrk threads (at most one per connection)
#   CONNREG=src/connreg-fcgi   the binary under test
#   BENCH_DB_DIR         directory for the scratch files and databases
#                        (default: a new directory under TMPDIR or /tmp)
#   RESULTS_FILE         when set, the per-run figures are copied there
#                        as tab-separated values
#   KEEP_WORK_DIR        when set, the scratch directory and the databases
#                        are kept
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-1}
RUNS=${RUNS:-3}
CONCURRENCY=${CONCURRENCY:-1 16 64}
PROCS=${PROCS:-1}
ALT_PROCS=${ALT_PROCS:-2}
ALT_CONCURRENCY=${ALT_CONCURRENCY-16 64}

RESULTS=
CONFIG_NUMBER=0

# Start the server for VARIANT (connreg, store or fixed) with PROCS
# processes in a new directory with a new database.
start_variant() {
	local variant=$1 procs=$2 dir

	CONFIG_NUMBER=$((CONFIG_NUMBER + 1))
	dir=$WORK_DIR/config-$CONFIG_NUMBER
	mkdir -p "$dir"
	unset BENCH_AUTHORIZATION
	case $variant in
	connreg)
		printf 'database = connreg.db\nkey_file = connreg.key\nlog_level = warn\nauth_methods = none\n' \
		    >"$dir/connreg.conf"
		server_start "$dir" "$procs" "$CONNREG --config $dir/connreg.conf"
		;;
	basic)
		printf 'database = connreg.db\nkey_file = connreg.key\nlog_level = warn\nauth_methods = basic\n' \
		    >"$dir/connreg.conf"
		"$CONNREG_ADMIN" --config "$dir/connreg.conf" user add bench --type SYS_Creator >/dev/null
		printf 'bench-password-1\n' |
		    "$CONNREG_ADMIN" --config "$dir/connreg.conf" user set-password bench --stdin >/dev/null
		export BENCH_AUTHORIZATION="Basic $(printf 'bench:bench-password-1' | base64)"
		server_start "$dir" "$procs" "$CONNREG --config $dir/connreg.conf"
		;;
	store)
		server_start "$dir" "$procs" "$WORK_DIR/bin/baseline-fcgi store $dir/baseline.db"
		;;
	fixed)
		server_start "$dir" "$procs" "$WORK_DIR/bin/baseline-fcgi fixed"
		;;
	esac
}

# Measure one configuration and append its figures to RESULTS.
measure_http() {
	local run=$1 procs=$2 connections=$3 variant=$4 prefix line backends
	local backend_before backend_after server_before server_after

	start_variant "$variant" "$procs"
	prefix=$RUN_PREFIX-$CONFIG_NUMBER
	check_add "$prefix-check"
	if [ "$WARMUP" -gt 0 ]; then
		run_wrk "$connections" "$WARMUP" "$prefix-warmup" >/dev/null
	fi
	# shellcheck disable=SC2207 # PIDs are plain numbers
	backends=($(pgrep -P "$SERVER_PID"))
	backend_before=$(cpu_time_us "${backends[@]}")
	server_before=$(cpu_time_us "$SERVER_PID")
	line=$(run_wrk "$connections" "$DURATION" "$prefix")
	backend_after=$(cpu_time_us "${backends[@]}")
	server_after=$(cpu_time_us "$SERVER_PID")
	server_stop
	[ -n "${KEEP_WORK_DIR:-}" ] || rm -rf "$SERVER_DIR"

	local rps p50 p99 non2xx errors requests backend_cpu server_cpu
	requests=$(field "$line" requests)
	[ "$requests" -gt 0 ] || die "wrk completed no request against $variant with $connections connections"
	backend_cpu=$(((backend_after - backend_before) / requests))
	server_cpu=$(((server_after - server_before) / requests))
	rps=$(field "$line" rps)
	p50=$(field "$line" p50_us)
	p99=$(field "$line" p99_us)
	non2xx=$(field "$line" non2xx)
	errors=$(($(field "$line" connect_errors) + $(field "$line" read_errors) +
	    $(field "$line" write_errors) + $(field "$line" timeouts)))
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$procs" "$variant" \
	    "$connections" "$run" "$rps" "$p50" "$p99" "$non2xx" "$errors" "$backend_cpu" \
	    "$server_cpu" >>"$RESULTS"
	note "$(printf 'run %d  procs %d  conns %2d  %-7s  %9.1f req/s  p50 %7.2f ms  p99 %7.2f ms  cpu/req %4d us + lighttpd %3d us  non-2xx %s  socket errors %s' \
	    "$run" "$procs" "$connections" "$variant" "$rps" \
	    "$(echo "$p50" | awk '{ print $1 / 1000 }')" "$(echo "$p99" | awk '{ print $1 / 1000 }')" \
	    "$backend_cpu" "$server_cpu" "$non2xx" "$errors")"
}

measure_store() {
	local run=$1 dir line

	CONFIG_NUMBER=$((CONFIG_NUMBER + 1))
	dir=$WORK_DIR/config-$CONFIG_NUMBER
	mkdir -p "$dir"
	line=$("$WORK_DIR/bin/baseline-store" "$dir/store.db" "$BODY_FILE" "$DURATION")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' 1 direct 1 "$run" \
	    "$(field "$line" inserts_per_s)" "$(field "$line" p50_us)" "$(field "$line" p99_us)" \
	    0 0 0 0 >>"$RESULTS"
	note "run $run  (c) $line"
	[ -n "${KEEP_WORK_DIR:-}" ] || rm -rf "$dir"
}

# Print, over the runs of one configuration, the sum of column 8 or 9
# (non-2xx responses, socket errors) or else the median of COLUMN:
# 5 = req/s, 6 = p50, 7 = p99, 10 = backend CPU, 11 = lighttpd CPU.
result_stat() {
	local procs=$1 variant=$2 connections=$3 column=$4

	awk -F '\t' -v p="$procs" -v v="$variant" -v c="$connections" -v col="$column" '
	    $1 == p && $2 == v && $3 == c { values[n++] = $col; sum += $col }
	    END {
		if (n == 0) { print "nan"; exit }
		if (col == 8 || col == 9) { print sum; exit }
		for (i = 1; i < n; i++)
			for (j = i; j > 0 && values[j - 1] + 0 > values[j] + 0; j--) {
				t = values[j]; values[j] = values[j - 1]; values[j - 1] = t
			}
		if (n % 2) print values[(n - 1) / 2]
		else print (values[n / 2 - 1] + values[n / 2]) / 2
	    }' "$RESULTS"
}

print_table() {
	local procs=$1 connections_list=$2 c

	echo
	echo "PROCS=$procs (lighttpd max-procs), median of $RUNS runs of ${DURATION} s; latencies in ms"
	printf '%5s  %12s  %12s  %6s  %8s  %8s  %8s  %8s  %9s  %12s  %9s\n' \
	    conns "connreg r/s" "(a) r/s" ratio "conn p50" "conn p99" "(a) p50" "(a) p99" \
	    "p99 ratio" "(b) r/s" "non-2xx"
	for c in $connections_list; do
		awk -v c="$c" \
		    -v cr="$(result_stat "$procs" connreg "$c" 5)" -v ar="$(result_stat "$procs" store "$c" 5)" \
		    -v c50="$(result_stat "$procs" connreg "$c" 6)" -v c99="$(result_stat "$procs" connreg "$c" 7)" \
		    -v a50="$(result_stat "$procs" store "$c" 6)" -v a99="$(result_stat "$procs" store "$c" 7)" \
		    -v br="$(result_stat "$procs" fixed "$c" 5)" \
		    -v bad="$(result_stat "$procs" connreg "$c" 8)/$(result_stat "$procs" store "$c" 8)/$(result_stat "$procs" fixed "$c" 8)" \
		    'BEGIN {
			printf "%5d  %12.1f  %12.1f  %6.2f  %8.2f  %8.2f  %8.2f  %8.2f  %9.2f  %12.1f  %9s\n",
			    c, cr, ar, cr / ar, c50 / 1000, c99 / 1000, a50 / 1000, a99 / 1000,
			    c99 / a99, br, bad
		    }'
	done
}

print_cpu_table() {
	local procs=$1 connections_list=$2 c

	echo
	echo "PROCS=$procs: CPU time per request in microseconds (user + system, median of $RUNS runs)"
	printf '%5s  %12s  %12s  %12s  %18s  %14s\n' \
	    conns "connreg" "(a)" "(b)" "lighttpd, connreg" "lighttpd, (a)"
	for c in $connections_list; do
		printf '%5d  %12s  %12s  %12s  %18s  %14s\n' "$c" \
		    "$(result_stat "$procs" connreg "$c" 10)" "$(result_stat "$procs" store "$c" 10)" \
		    "$(result_stat "$procs" fixed "$c" 10)" "$(result_stat "$procs" connreg "$c" 11)" \
		    "$(result_stat "$procs" store "$c" 11)"
	done
}

print_targets() {
	local procs=$1 connections_list=$2 c

	for c in 16 64; do
		case " $connections_list " in *" $c "*) ;; *) continue ;; esac
		awk -v p="$procs" -v c="$c" \
		    -v cr="$(result_stat "$procs" connreg "$c" 5)" -v ar="$(result_stat "$procs" store "$c" 5)" \
		    -v c99="$(result_stat "$procs" connreg "$c" 7)" -v a99="$(result_stat "$procs" store "$c" 7)" \
		    'BEGIN {
			r = cr / ar; q = c99 / a99
			printf "  PROCS=%d, %2d connections: req/s ratio %.2f (%s), p99 ratio %.2f (%s)\n",
			    p, c, r, (r >= 0.90 ? "met" : "missed"), q, (q <= 1.50 ? "met" : "missed")
		    }'
	done
}

print_process_counts() {
	local c variant

	echo
	echo "Process count: PROCS=$PROCS against ALT_PROCS=$ALT_PROCS (median req/s, p99 ms)"
	for c in $ALT_CONCURRENCY; do
		for variant in connreg store; do
			awk -v c="$c" -v v="$variant" -v p1="$PROCS" -v p2="$ALT_PROCS" \
			    -v r1="$(result_stat "$PROCS" "$variant" "$c" 5)" -v q1="$(result_stat "$PROCS" "$variant" "$c" 7)" \
			    -v r2="$(result_stat "$ALT_PROCS" "$variant" "$c" 5)" -v q2="$(result_stat "$ALT_PROCS" "$variant" "$c" 7)" \
			    'BEGIN {
				name = v == "store" ? "(a)" : v
				printf "  %2d connections, %-7s  %d procs: %8.1f req/s, p99 %7.2f   %d procs: %8.1f req/s, p99 %7.2f\n",
				    c, name, p1, r1, q1 / 1000, p2, r2, q2 / 1000
			    }'
		done
	done
}

# HTTP Basic against no authentication, both connreg at PROCS.
print_basic_ratio() {
	local c

	echo
	echo "HTTP Basic (SYS_Creator, auth_cache_seconds = 60) against no authentication,"
	echo "PROCS=$PROCS, median req/s; target (reported, not enforced): ratio >= 0.80"
	for c in $CONCURRENCY; do
		awk -v c="$c" -v b="$(result_stat "$PROCS" basic "$c" 5)" \
		    -v n="$(result_stat "$PROCS" connreg "$c" 5)" \
		    -v b99="$(result_stat "$PROCS" basic "$c" 7)" -v n99="$(result_stat "$PROCS" connreg "$c" 7)" \
		    -v bad="$(result_stat "$PROCS" basic "$c" 8)" 'BEGIN {
			r = b / n
			printf "  %2d connections: basic %8.1f req/s (p99 %6.2f ms), none %8.1f req/s (p99 %6.2f ms), ratio %.2f (%s), non-2xx %s\n",
			    c, b, b99 / 1000, n, n99 / 1000, r, (r >= 0.80 ? "met" : "missed"), bad
		    }'
	done
}

main() {
	local run c variant

	bench_init awk od ss
	build_baselines
	RESULTS=$WORK_DIR/results.tsv
	: >"$RESULTS"

	echo "connreg add benchmark through lighttpd and FastCGI"
	describe_machine
	echo "settings:   DURATION=$DURATION WARMUP=$WARMUP RUNS=$RUNS CONCURRENCY=\"$CONCURRENCY\" PROCS=$PROCS ALT_PROCS=$ALT_PROCS ALT_CONCURRENCY=\"$ALT_CONCURRENCY\""

	for run in $(seq 1 "$RUNS"); do
		measure_store "$run"
		for c in $CONCURRENCY; do
			for variant in connreg basic store fixed; do
				measure_http "$run" "$PROCS" "$c" "$variant"
			done
		done
		for c in $ALT_CONCURRENCY; do
			for variant in connreg store fixed; do
				measure_http "$run" "$ALT_PROCS" "$c" "$variant"
			done
		done
	done

	echo
	echo "connreg: the service; (a): baseline-fcgi store mode, parse and durable insert, no"
	echo "validation; (b): baseline-fcgi fixed mode, no parsing and no database."
	echo "ratio = connreg req/s / (a) req/s; p99 ratio = connreg p99 / (a) p99."
	echo "non-2xx: responses other than 2xx summed over the runs, connreg/(a)/(b)."
	print_table "$PROCS" "$CONCURRENCY"
	if [ -n "$ALT_CONCURRENCY" ]; then
		print_table "$ALT_PROCS" "$ALT_CONCURRENCY"
	fi
	print_cpu_table "$PROCS" "$CONCURRENCY"
	if [ -n "$ALT_CONCURRENCY" ]; then
		print_cpu_table "$ALT_PROCS" "$ALT_CONCURRENCY"
	fi

	echo
	awk -v r="$(result_stat 1 direct 1 5)" -v a="$(result_stat 1 direct 1 6)" -v b="$(result_stat 1 direct 1 7)" \
	    -v n="$RUNS" -v d="$DURATION" 'BEGIN {
		printf "(c) storage ceiling, one process, no HTTP, median of %d runs of %d s:\n", n, d
		printf "    %.1f inserts/s, p50 %.3f ms, p99 %.3f ms per insert\n", r, a / 1000, b / 1000
	    }'

	echo
	echo "Targets (reported, not enforced): connreg >= 0.90 x (a) req/s and p99 <= 1.50 x (a) p99"
	print_targets "$PROCS" "$CONCURRENCY"
	if [ -n "$ALT_CONCURRENCY" ]; then
		print_targets "$ALT_PROCS" "$ALT_CONCURRENCY"
		print_process_counts
	fi
	print_basic_ratio

	if [ -n "${RESULTS_FILE:-}" ]; then
		{
			printf 'procs\tvariant\tconnections\trun\trps\tp50_us\tp99_us\tnon2xx\tsocket_errors\tbackend_cpu_us\tlighttpd_cpu_us\n'
			cat "$RESULTS"
		} >"$RESULTS_FILE"
		note "per-run figures written to $RESULTS_FILE"
	fi
}

main "$@"
