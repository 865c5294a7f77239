#!/bin/sh
# SPDX-License-Identifier: MIT
# The generator rejects malformed parameter tables with FILE:LINE and a
# reason, and exits non-zero so that the build stops.
set -u
: "${top_srcdir:=.}"
: "${AWK:=awk}"
gen="$top_srcdir/tools/specgen.awk"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passes=0

# expect_failure NAME EXPECTED_MESSAGE TABLE_ROWS...
expect_failure() {
	name=$1 expected=$2
	shift 2
	printf '|Name|Location|Type|Required|\n|---|---|---|---|\n' > "$work/$name.md"
	for row in "$@"; do
		printf '%s\n' "$row" >> "$work/$name.md"
	done
	if $AWK -v call=t -v output=source -f "$gen" "$work/$name.md" > "$work/out" 2> "$work/err"; then
		echo "FAIL $name: generator accepted the table"
		failures=$((failures + 1))
	elif ! grep -q -- "$expected" "$work/err"; then
		echo "FAIL $name: expected '$expected' in: $(cat "$work/err")"
		failures=$((failures + 1))
	elif ! grep -q "$name.md:[0-9]" "$work/err"; then
		echo "FAIL $name: message does not name the file and line: $(cat "$work/err")"
		failures=$((failures + 1))
	else
		echo "ok $name"
		passes=$((passes + 1))
	fi
}

expect_failure unknown-type "unknown type 'text'" '|body|body|object| yes |' '|» a|body|text| yes |'
expect_failure bad-required "required must be yes or no" '|body|body|object| yes |' '|» a|body|string| maybe |'
expect_failure bad-location "location must be body or header" '|body|body|object| yes |' '|» a|query|string| yes |'
expect_failure orphan-nesting "not an object" '|body|body|object| yes |' '|» a|body|string| yes |' '|»» b|body|string| yes |'
expect_failure duplicate-row "duplicate row for /a" '|body|body|object| yes |' '|» a|body|string| yes |' '|» a|body|string| no |'
expect_failure required-wildcard "cannot be required" '|body|body|object| yes |' '|» m|body|object| yes |' '|»» *|body|string| yes |'
expect_failure quote-in-name "quote" '|body|body|object| yes |' '|» a"b|body|string| yes |'
expect_failure nested-header "cannot be nested" '|»  X|header|string| no |'
expect_failure short-row "expected 4 columns" '|body|body|'

# A table without rows is an error too, reported without a line number.
printf '# prose only\n' > "$work/empty.md"
if $AWK -v call=t -v output=source -f "$gen" "$work/empty.md" > /dev/null 2>&1; then
	echo "FAIL empty: generator accepted a file without rows"
	failures=$((failures + 1))
else
	echo "ok empty"
	passes=$((passes + 1))
fi

# The published add table generates, and the output names every row.
if $AWK -v call=add -v output=source -f "$gen" "$top_srcdir/spec/add.md" > "$work/add.c"; then
	rows=$(grep -c '^	\[CR_ADD_' "$work/add.c")
	if [ "$rows" -eq 48 ]; then
		echo "ok add-table"
		passes=$((passes + 1))
	else
		echo "FAIL add-table: expected 48 rows, generated $rows"
		failures=$((failures + 1))
	fi
else
	echo "FAIL add-table: generator rejected spec/add.md"
	failures=$((failures + 1))
fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
