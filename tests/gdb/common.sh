# tests/gdb/common.sh: sourced by the gdb stub's tests.
#
# need_tools: skip (77) without gdb; scratch directory $tmp, removed at exit.
# start_stub LOG INPUT ARGS...: ringlab -S -gdb tcp::PORT ARGS in the
#   background, console to LOG, serial input from the file INPUT (a
#   background job's stdin would be /dev/null); sets $port (a free one)
#   and $stub_pid.  STUB_FIRST: words before -S (e.g. "pg vmm --strategy bt").
# stop_stub: end it (after gdb has killed or detached).

RINGLAB=${RINGLAB:-./ringlab}
GDB=${GDB:-gdb}
TIMEOUT=${TIMEOUT:-120}
stub_pid=

need_tools() {
	for t in "$GDB" "$RINGLAB"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			echo "SKIP: $t not found"
			exit 77
		fi
	done
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 99
	trap 'stop_stub; [ -n "$KEEP" ] || rm -rf "$tmp"' EXIT
	trap 'exit 99' INT TERM HUP
}

start_stub() {
	log=$1
	input=$2
	shift 2
	# A port of this test's own; another one if it is taken.
	for try in 1 2 3 4 5 6 7 8; do
		port=$((20000 + ($$ * 7 + try * 131) % 30000))
		: >"$log.err"
		# shellcheck disable=SC2086
		"$RINGLAB" $STUB_FIRST -S -gdb "tcp::$port" "$@" <"$input" >"$log" 2>"$log.err" &
		stub_pid=$!
		i=0
		while [ $i -lt 50 ] && ! grep -q 'waiting for gdb' "$log.err"; do
			kill -0 "$stub_pid" 2>/dev/null || break
			sleep 0.1
			i=$((i + 1))
		done
		if grep -q 'waiting for gdb' "$log.err"; then
			return 0
		fi
		wait "$stub_pid" 2>/dev/null
		stub_pid=
		grep -q 'in use' "$log.err" || break
	done
	echo "ERROR: ringlab's stub did not start:"
	cat "$log.err"
	exit 99
}

stop_stub() {
	if [ -n "$stub_pid" ]; then
		kill "$stub_pid" 2>/dev/null
		wait "$stub_pid" 2>/dev/null
		stub_pid=
	fi
}

# run_gdb SCRIPT ARGS...: gdb in batch mode on SCRIPT, the port in $PORT.
run_gdb() {
	script=$1
	shift
	PORT=$port timeout "$TIMEOUT" "$GDB" -nx -batch -q "$@" -x "$script" </dev/null
}
