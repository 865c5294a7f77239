# SPDX-License-Identifier: MIT
# Shared helpers for the end-to-end tests, sourced by each tests/e2e/*.sh.
#
# A test script calls e2e_init first, then e2e_require for the programs
# it needs, then its checks, and ends with e2e_finish. Exit statuses
# follow the automake test protocol: 0 pass, 1 fail, 77 skip, 99 hard
# error (the test could not be set up).
#
# Environment: top_srcdir and top_builddir, as make check sets them.
# When unset, both default to the checkout that contains this file.

# The test scripts read the variables set here (SC2034 is "unused").
# shellcheck shell=bash disable=SC2034

E2E_PASSED=0
E2E_FAILED=0
E2E_TMP=
E2E_PIDS=()

E2E_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top_srcdir=$(cd "${top_srcdir:-$E2E_LIB_DIR/../..}" && pwd)
top_builddir=$(cd "${top_builddir:-$top_srcdir}" && pwd)
CONNREG_FCGI=$top_builddir/src/connreg-fcgi
CONNREG_ADMIN=$top_builddir/src/connreg
EXAMPLE_BODY=$top_srcdir/tests/fixtures/seed-add.json
ADD_PATH=/plugin/datafor-modeler/api/connection/add
SUCCESS_BODY='{"msg":"success","code":"200","success":true}'
export LC_ALL=C

# Print a line that a person reading the test log can act on.
e2e_note() {
	printf '# %s\n' "$*"
}

e2e_pass() {
	E2E_PASSED=$((E2E_PASSED + 1))
	printf 'ok: %s\n' "$1"
}

e2e_fail() {
	E2E_FAILED=$((E2E_FAILED + 1))
	printf 'FAIL: %s\n' "$1"
	shift
	local line
	for line in "$@"; do
		printf '    %s\n' "$line"
	done
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		e2e_pass "$1"
	else
		e2e_fail "$1" "expected: $2" "actual:   $3"
	fi
}

# check_contains DESCRIPTION NEEDLE HAYSTACK
check_contains() {
	case $3 in
	*"$2"*) e2e_pass "$1" ;;
	*) e2e_fail "$1" "expected to contain: $2" "actual: $3" ;;
	esac
}

# check_not_contains DESCRIPTION NEEDLE HAYSTACK
check_not_contains() {
	case $3 in
	*"$2"*) e2e_fail "$1" "must not contain: $2" "actual: $3" ;;
	*) e2e_pass "$1" ;;
	esac
}

# Stop the background processes this test started, then remove its
# temporary directory. Runs on every exit through the EXIT trap.
e2e_cleanup() {
	local pid
	for pid in "${E2E_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${E2E_PIDS[@]}"; do
		e2e_wait_exit "$pid" 5
	done
	if [ -n "$E2E_TMP" ] && [ -z "${E2E_KEEP_TMP:-}" ]; then
		rm -rf "$E2E_TMP"
	elif [ -n "$E2E_TMP" ]; then
		e2e_note "kept $E2E_TMP"
	fi
}

# Create the temporary directory and check that the program was built.
e2e_init() {
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/connreg-e2e.XXXXXX") || exit 99
	trap e2e_cleanup EXIT
	trap 'exit 1' INT TERM HUP
	if [ ! -x "$CONNREG_FCGI" ]; then
		echo "error: $CONNREG_FCGI is missing: run make first" >&2
		exit 99
	fi
	if [ ! -f "$EXAMPLE_BODY" ]; then
		echo "error: $EXAMPLE_BODY is missing" >&2
		exit 99
	fi
	e2e_note "temporary directory: $E2E_TMP"
}

# Skip the test (exit 77) when one of the named programs is not installed.
# lighttpd lives in /usr/sbin, which is not on every user's PATH.
e2e_require() {
	local program
	for program in "$@"; do
		if [ "$program" = lighttpd ]; then
			LIGHTTPD=$(command -v lighttpd || true)
			[ -n "$LIGHTTPD" ] || [ ! -x /usr/sbin/lighttpd ] || LIGHTTPD=/usr/sbin/lighttpd
			if [ -z "$LIGHTTPD" ]; then
				echo "SKIP: lighttpd is not installed (Debian package lighttpd)"
				exit 77
			fi
		elif ! command -v "$program" >/dev/null 2>&1; then
			echo "SKIP: $program is not installed"
			exit 77
		fi
	done
}

# Print the summary line and exit with the automake status.
e2e_finish() {
	printf '%s: %d passed, %d failed\n' "$(basename "$0")" "$E2E_PASSED" "$E2E_FAILED"
	if [ "$E2E_FAILED" -gt 0 ]; then
		exit 1
	fi
	if [ "$E2E_PASSED" -eq 0 ]; then
		echo "error: no check ran"
		exit 99
	fi
	exit 0
}

# e2e_wait_exit PID SECONDS: wait for a child process of this shell to
# exit, killing it with SIGKILL after SECONDS. Set E2E_EXIT_STATUS to its
# exit status (137 when it had to be killed). Bash reaps exited children
# at once, so kill -0 fails as soon as the child has exited. Not for use
# in $(...): a subshell cannot wait for its parent's children.
e2e_wait_exit() {
	local pid=$1 seconds=$2 i
	for ((i = 0; i < seconds * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	E2E_EXIT_STATUS=$?
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
e2e_port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Print a port on 127.0.0.1 that nothing listens on now. Another program
# may take it before the caller binds it, so callers retry on failure.
e2e_free_port() {
	local base=$((20000 + RANDOM % 40000)) i port
	for ((i = 0; i < 100; i++)); do
		port=$((base + i))
		if ! e2e_port_open "$port"; then
			echo "$port"
			return 0
		fi
	done
	echo "error: no free port found from $base" >&2
	return 1
}

# e2e_wait_listening PID PORT: wait up to 10 s until process PID (a child
# of this shell) listens on PORT. Fail when PID exits first, such as when
# it could not bind the port.
e2e_wait_listening() {
	local pid=$1 port=$2 i
	for ((i = 0; i < 100; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			return 1
		fi
		if e2e_port_open "$port"; then
			# Another program may own the port while PID is still
			# failing to bind it, so make sure PID is still running.
			sleep 0.2
			kill -0 "$pid" 2>/dev/null
			return
		fi
		sleep 0.1
	done
	return 1
}

# e2e_write_config FILE [KEY=VALUE...]: write a connreg configuration
# with the database and key file beside FILE; the arguments override
# the defaults.
e2e_write_config() {
	local file=$1 setting
	shift
	{
		echo "database = connreg.db"
		echo "key_file = connreg.key"
		echo "busy_timeout_ms = 5000"
		echo "log_level = info"
		for setting in "$@"; do
			echo "${setting%%=*} = ${setting#*=}"
		done
	} >"$file"
}

# e2e_add_user CONFIG NAME TYPE PASSWORD: add a connreg user with the admin
# command and give it PASSWORD, read from standard input.
e2e_add_user() {
	local config=$1 name=$2 type=$3 password=$4
	"$CONNREG_ADMIN" --config "$config" user add "$name" --type "$type" >/dev/null &&
		printf '%s\n' "$password" |
		"$CONNREG_ADMIN" --config "$config" user set-password "$name" --stdin >/dev/null
}

# e2e_render_lighttpd_conf OUTPUT PORT CONNREG_CONFIG MAX_PROCS: write a
# lighttpd configuration from etc/lighttpd.conf.in, as ./bootstrap does.
e2e_render_lighttpd_conf() {
	local output=$1 port=$2 config=$3 procs=$4 dir
	dir=$(dirname "$output")
	mkdir -p "$dir/htdocs"
	sed -e "s|@BIND_ADDRESS@|127.0.0.1|g" \
		-e "s|@PORT@|$port|g" \
		-e "s|@DOCUMENT_ROOT@|$dir/htdocs|g" \
		-e "s|@CONNREG_FCGI@|$CONNREG_FCGI|g" \
		-e "s|@CONNREG_CONFIG@|$config|g" \
		-e "s|@SOCKET@|$dir/connreg.sock|g" \
		-e "s|@MAX_PROCS@|$procs|g" \
		"$top_srcdir/etc/lighttpd.conf.in" >"$output"
	if grep -v '^[[:space:]]*#' "$output" | grep '@[A-Z_]*@'; then
		echo "error: $output still contains placeholders" >&2
		return 1
	fi
}

# e2e_start_lighttpd DIR CONNREG_CONFIG MAX_PROCS: start lighttpd in the
# foreground (in the background of this shell) with connreg behind it.
# Its standard error, which connreg's processes inherit, goes to
# DIR/error.log. Sets LIGHTTPD_PID, PORT and BASE_URL. A port that
# another program takes first is retried with a new one.
e2e_start_lighttpd() {
	local dir=$1 config=$2 procs=$3 attempt
	mkdir -p "$dir"
	for attempt in 1 2 3 4 5; do
		PORT=$(e2e_free_port) || return 1
		e2e_render_lighttpd_conf "$dir/lighttpd.conf" "$PORT" "$config" "$procs" || return 1
		"$LIGHTTPD" -tt -f "$dir/lighttpd.conf" >>"$dir/error.log" 2>&1 || {
			echo "error: lighttpd rejected $dir/lighttpd.conf:" >&2
			cat "$dir/error.log" >&2
			return 1
		}
		"$LIGHTTPD" -D -f "$dir/lighttpd.conf" </dev/null >>"$dir/error.log" 2>&1 &
		LIGHTTPD_PID=$!
		if e2e_wait_listening "$LIGHTTPD_PID" "$PORT"; then
			E2E_PIDS+=("$LIGHTTPD_PID")
			BASE_URL=http://127.0.0.1:$PORT
			e2e_note "lighttpd $LIGHTTPD_PID listens on $BASE_URL (attempt $attempt)"
			return 0
		fi
		kill -KILL "$LIGHTTPD_PID" 2>/dev/null
		wait "$LIGHTTPD_PID" 2>/dev/null
		e2e_note "lighttpd did not start on port $PORT; retrying"
	done
	echo "error: lighttpd did not start; its log:" >&2
	cat "$dir/error.log" >&2
	return 1
}

# e2e_http METHOD PATH CONTENT_TYPE BODY_FILE: send one request to
# BASE_URL with curl. An empty CONTENT_TYPE or BODY_FILE sends none.
# Sets HTTP_STATUS (000 when curl failed), HTTP_TYPE (the Content-Type),
# HTTP_BODY and HTTP_HEADERS (the header block, CRs removed), and counts
# the request in E2E_REQUESTS. The curl options in the array E2E_CURL_AUTH
# (such as -u NAME:PASSWORD) are added to every request.
E2E_REQUESTS=0
E2E_CURL_AUTH=()
e2e_http() {
	local method=$1 path=$2 type=$3 body=$4
	local args=(-sS --max-time 15 -X "$method" -o "$E2E_TMP/response.body"
		-D "$E2E_TMP/response.head" -w '%{http_code}' "${E2E_CURL_AUTH[@]}")
	if [ -n "$type" ]; then
		args+=(-H "Content-Type: $type")
	else
		# Without this, curl adds a form content type to a body.
		args+=(-H "Content-Type:")
	fi
	if [ -n "$body" ]; then
		args+=(--data-binary "@$body")
	fi
	: >"$E2E_TMP/response.body"
	: >"$E2E_TMP/response.head"
	HTTP_STATUS=$(curl "${args[@]}" "$BASE_URL$path" 2>"$E2E_TMP/curl.err") || HTTP_STATUS=000
	HTTP_BODY=$(cat "$E2E_TMP/response.body")
	HTTP_HEADERS=$(tr -d '\r' <"$E2E_TMP/response.head")
	HTTP_TYPE=$(printf '%s\n' "$HTTP_HEADERS" | sed -n 's/^[Cc]ontent-[Tt]ype: *//p' | tail -n 1)
	E2E_REQUESTS=$((E2E_REQUESTS + 1))
	if [ "$HTTP_STATUS" = 000 ]; then
		e2e_note "curl failed: $(cat "$E2E_TMP/curl.err")"
	fi
}

# e2e_example_body OUTPUT NAME PASSWORD [SED_EXPRESSION...]: write the
# documented example body of the add call (tests/fixtures/seed-add.json)
# with another name and password, and with any further sed edits applied.
e2e_example_body() {
	local output=$1 name=$2 password=$3 edits=() expression
	shift 3
	for expression in "$@"; do
		edits+=(-e "$expression")
	done
	sed -e "s|\"name\":\"foodmart2\"|\"name\":\"$name\"|" \
		-e "s|\"password\":\"postgres\"|\"password\":\"$password\"|" \
		"${edits[@]}" "$EXAMPLE_BODY" >"$output"
}

# Print the number of stored connections and a checksum of the whole
# database content, so that a test can tell that a request changed nothing.
e2e_db_state() {
	local db=$1 count sum
	count=$(sqlite3 "$db" 'SELECT count(*) FROM connections') || return 1
	sum=$(sqlite3 "$db" .dump | sha256sum | cut -d' ' -f1) || return 1
	echo "rows=$count dump=$sum"
}
