# tests/vmm/sessions.sh: sourced by the monitor tests.  monitor_sessions
# NAME ARGS... runs tests/kernel/session.sh natively, then with ringlab
# started as `ringlab pg vmm ARGS...`, comparing the transcripts; the
# monitored run's log (with the monitor's report) is $tmp/NAME.log.
# MONITORED_KERNEL, when set, is the kernel of the monitored run (the
# native one runs $KERNEL).
# Needs RINGLAB (absolute), tmp and here; sets failed=1 when the monitored
# session fails or differs, and exits 1 when the native one fails.
monitor_sessions() {
	name=$1
	shift
	{
		echo '#!/bin/sh'
		printf 'exec "%s" pg vmm' "$RINGLAB"
		printf ' %s' "$@"
		echo ' "$@"'
	} >"$tmp/ringlab-$name"
	chmod +x "$tmp/ringlab-$name"
	EMU=$RINGLAB TRANSCRIPT=$tmp/native.transcript LOG=$tmp/native.log \
		sh "$here/../kernel/session.sh" >"$tmp/native.out" 2>&1
	st=$?
	if [ "$st" -ne 0 ]; then
		echo "FAIL: the native session failed (status $st):"
		tail -n 20 "$tmp/native.out"
		exit 1
	fi
	KERNEL=${MONITORED_KERNEL:-$KERNEL} EMU=$tmp/ringlab-$name TRANSCRIPT=$tmp/$name.transcript \
		LOG=$tmp/$name.log COMPARE_WITH=$tmp/native.transcript sh "$here/../kernel/session.sh" \
		>"$tmp/$name.out" 2>&1
	st=$?
	if [ "$st" -ne 0 ]; then
		echo "FAIL: the session under the $name monitor failed or differs (status $st):"
		tail -n 40 "$tmp/$name.out"
		grep "^vmm $name" "$tmp/$name.log"
		failed=1
	fi
}

# same_instructions NAME REPORT: the report's run under the monitor and
# its native run of the same session executed as many guest
# instructions; sets failed=1 when not.
same_instructions() {
	mon=$(sed -n "s/^vmm $1: under the monitor: \([0-9]*\) guest instructions.*/\1/p" "$2")
	nat=$(sed -n "s/^vmm $1: native, the same session: \([0-9]*\) guest instructions.*/\1/p" "$2")
	if [ -z "$mon" ] || [ "$mon" != "$nat" ] || ! grep -q 'the same instructions' "$2"; then
		echo "FAIL: the native run of the same session: '$nat' instructions, under the monitor '$mon':"
		grep "^vmm $1" "$2"
		failed=1
	fi
}
