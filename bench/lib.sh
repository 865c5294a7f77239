# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Shared helpers for bench/run.sh and bench/memory.sh, to be sourced, not
# run. They create one scratch directory, start at most one lighttpd at a
# time on 127.0.0.1, and remove both on exit through a trap.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(dirname "$BENCH_DIR")
CONNREG=${CONNREG:-$TOP_DIR/src/connreg-fcgi}
CONNREG_ADMIN=${CONNREG_ADMIN:-$(dirname "$CONNREG")/connreg}
BODY_FILE=${BENCH_BODY:-$BENCH_DIR/add_body.json}
ADD_PATH=/plugin/datafor-modeler/api/connection/add
THREADS=${THREADS:-2}

WORK_DIR=
SERVER_PID=
SERVER_DIR=
SERVER_PORT=
SERVER_URL=
WRK_PID=

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

note() {
	echo "$*" >&2
}

# Stop the running lighttpd and any FastCGI process it started that is
# still alive. lighttpd sends SIGTERM to its backends when it stops.
server_stop() {
	local children pid

	[ -n "$SERVER_PID" ] || return 0
	children=$(pgrep -P "$SERVER_PID" || true)
	kill -TERM "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	for pid in $children; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	SERVER_PID=
}

bench_cleanup() {
	if [ -n "$WRK_PID" ]; then
		kill -TERM "$WRK_PID" 2>/dev/null || true
		wait "$WRK_PID" 2>/dev/null || true
		WRK_PID=
	fi
	server_stop
	if [ -n "$WORK_DIR" ] && [ -z "${KEEP_WORK_DIR:-}" ]; then
		rm -rf "$WORK_DIR"
	elif [ -n "$WORK_DIR" ]; then
		note "kept the scratch directory $WORK_DIR"
	fi
}

# Check the tools, create the scratch directory and install the trap.
# The scratch directory, and so every database, is created under
# BENCH_DB_DIR when it is set (to measure another disk), else under
# TMPDIR or /tmp.
bench_init() {
	local tool

	for tool in lighttpd wrk curl cc pkg-config pgrep "$@"; do
		command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
	done
	[ -x "$CONNREG" ] || die "$CONNREG not found; build it first with: autoreconf -fi && ./configure && make"
	[ -r "$BODY_FILE" ] || die "cannot read the request body file $BODY_FILE"

	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if [ -n "${BENCH_DB_DIR:-}" ]; then
		WORK_DIR=$(mktemp -d "$BENCH_DB_DIR/connreg-bench.XXXXXX")
	else
		WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/connreg-bench.XXXXXX")
	fi
	mkdir -p "$WORK_DIR/bin"
	# Names start with a random prefix, so they stay unique even on a reused database.
	export RUN_PREFIX
	RUN_PREFIX=r$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')
}

# Compile the baseline programs into the scratch directory.
build_baselines() {
	local cflags=(-O2 -g -Wall -Wextra)

	# shellcheck disable=SC2046 # pkg-config output is a list of flags
	cc "${cflags[@]}" -o "$WORK_DIR/bin/baseline-fcgi" "$BENCH_DIR/baseline_fcgi.c" \
	    $(pkg-config --cflags --libs fcgi json-c sqlite3) ||
	    die "cannot build baseline_fcgi.c"
	# shellcheck disable=SC2046
	cc "${cflags[@]}" -o "$WORK_DIR/bin/baseline-store" "$BENCH_DIR/baseline_store.c" \
	    $(pkg-config --cflags --libs sqlite3) ||
	    die "cannot build baseline_store.c"
}

# Print a TCP port on 127.0.0.1 that nothing listens on right now.
pick_port() {
	local port

	for _ in $(seq 1 50); do
		port=$((20000 + RANDOM % 40000))
		if [ -z "$(ss -Htln "sport = :$port" 2>/dev/null)" ]; then
			echo "$port"
			return 0
		fi
	done
	die "no free TCP port found"
}

# Start lighttpd on a free port of 127.0.0.1 with one FastCGI mount for
# the add call. Arguments: a directory for this server's files, the
# number of FastCGI processes (max-procs) and the backend command line.
# The configuration is the same for connreg and the baselines.
server_start() {
	local dir=$1 procs=$2 command=$3 code

	SERVER_DIR=$dir
	mkdir -p "$dir/docroot"
	for _ in 1 2 3 4 5; do
		SERVER_PORT=$(pick_port)
		SERVER_URL=http://127.0.0.1:$SERVER_PORT$ADD_PATH
		cat >"$dir/lighttpd.conf" <<-EOF
		server.modules = ( "mod_fastcgi" )
		server.bind = "127.0.0.1"
		server.port = $SERVER_PORT
		server.document-root = "$dir/docroot"
		server.errorlog = "$dir/lighttpd-error.log"
		server.max-connections = 1024
		fastcgi.server = (
		  "/plugin/datafor-modeler/api/connection/" => ((
		    "socket" => "$dir/fcgi.sock",
		    "bin-path" => "$command",
		    "max-procs" => $procs,
		    "check-local" => "disable",
		  ))
		)
		EOF
		lighttpd -D -f "$dir/lighttpd.conf" 2>>"$dir/lighttpd-error.log" &
		SERVER_PID=$!

		# lighttpd spawns its FastCGI processes before it accepts
		# connections, so any HTTP response means it is ready.
		for _ in $(seq 1 100); do
			if ! kill -0 "$SERVER_PID" 2>/dev/null; then
				wait "$SERVER_PID" 2>/dev/null || true
				SERVER_PID=
				break
			fi
			code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SERVER_PORT/" || true)
			if [ "$code" != "000" ]; then
				return 0
			fi
			sleep 0.1
		done
		server_stop
	done
	cat "$dir/lighttpd-error.log" >&2 2>/dev/null || true
	die "lighttpd did not start; its error log is above"
}

# Send one add request with a unique name and fail unless it returns 200,
# so that a broken setup never produces figures.
check_add() {
	local name=$1 status

	status=$(sed "s/\"name\":\"bench\"/\"name\":\"$name\"/" "$BODY_FILE" |
	    curl -s -o "$SERVER_DIR/check-response" -w '%{http_code}' -X POST \
	    ${BENCH_AUTHORIZATION:+-H "Authorization: $BENCH_AUTHORIZATION"} \
	    -H 'Content-Type: application/json' --data-binary @- "$SERVER_URL" || true)
	if [ "$status" != "200" ]; then
		cat "$SERVER_DIR/check-response" >&2 2>/dev/null || true
		tail -n 20 "$SERVER_DIR/lighttpd-error.log" >&2 2>/dev/null || true
		die "the check request to $SERVER_URL returned HTTP $status, not 200"
	fi
}

# Run wrk against the current server and print its RESULT line.
# Arguments: connections, duration in seconds, name prefix.
run_wrk() {
	local connections=$1 seconds=$2 prefix=$3 threads=$THREADS

	[ "$threads" -le "$connections" ] || threads=$connections
	BENCH_RUN_PREFIX=$prefix BENCH_BODY=$BODY_FILE \
	    wrk -t "$threads" -c "$connections" -d "${seconds}s" --timeout 30s \
	    -s "$BENCH_DIR/add.lua" "$SERVER_URL" >"$SERVER_DIR/wrk.out" 2>&1 ||
	    { cat "$SERVER_DIR/wrk.out" >&2; die "wrk failed"; }
	grep '^RESULT ' "$SERVER_DIR/wrk.out" || { cat "$SERVER_DIR/wrk.out" >&2; die "wrk printed no RESULT line"; }
}

# Print the CPU time (user plus system) used so far by the processes
# PID..., in microseconds, from /proc/PID/stat.
cpu_time_us() {
	local pid ticks=0 hz

	hz=$(getconf CLK_TCK)
	for pid in "$@"; do
		# Fields 14 and 15 are utime and stime in clock ticks. They are
		# the 12th and 13th after the ")" that ends the command name.
		ticks=$((ticks + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
	done
	echo $((ticks * 1000000 / hz))
}

# Print the value of FIELD from a "KEY=VALUE ..." line.
field() {
	local line=$1 name=$2

	echo "$line" | tr ' ' '\n' | sed -n "s/^$name=//p"
}

# Print the version of a library: the Debian package version when the
# package is installed through dpkg, else the pkg-config version of MODULE.
package_version() {
	local package=$1 module=$2

	dpkg-query -W -f '${Version}\n' "$package" 2>/dev/null ||
	    pkg-config --modversion "$module" 2>/dev/null || echo unknown
}

# Print a description of the machine, the disk of the database
# directory and the versions of the software under test.
describe_machine() {
	echo "nproc:      $(nproc)"
	echo "cpu:        $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "kernel:     $(uname -sr)"
	echo "db dir:     $WORK_DIR on $(df -PT "$WORK_DIR" | awk 'NR == 2 { print $2 " (" $1 ")" }')"
	echo "lighttpd:   $(lighttpd -v 2>&1 | head -n 1)"
	echo "sqlite:     $(package_version libsqlite3-0 sqlite3)"
	echo "libfcgi:    $(package_version libfcgi0ldbl fcgi)"
	echo "json-c:     $(package_version libjson-c5 json-c)"
	echo "libsodium:  $(package_version libsodium23 libsodium)"
	echo "wrk:        $(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }'), $THREADS threads"
	echo "connreg:    $CONNREG ($(git -C "$TOP_DIR" rev-parse --short HEAD 2>/dev/null || echo 'no git')$(git -C "$TOP_DIR" diff --quiet HEAD -- src 2>/dev/null || echo ', src/ has uncommitted changes'))"
}
