#!/bin/sh
# tests/kernel/record-replay.sh: a scripted shell session on the bundled
# kernel under ringlab --record, then --replay of the recording with no
# input at all: the -d int log, the JSON trace and the console must be the
# same, byte for byte, and the replay must stop where the recording did.
#
# The session types each line only once the shell's prompt is there, so
# the bytes reach the UART at moments no script could plan: what makes
# the replay the same run is the recording alone.
#
# Environment: RINGLAB (default ./ringlab), KERNEL, INITRD, TIMEOUT.
# Exit status: 0 pass, 1 fail, 77 skipped (no ringlab), 99 hard error.

RINGLAB=${RINGLAB:-./ringlab}
EMU=$RINGLAB
. "$(dirname "$0")/emulator.sh"
if [ ! -x "$RINGLAB" ]; then
	echo "SKIP: $RINGLAB not found"
	exit 77
fi
require_emulator record-replay

fail() {
	echo "FAIL: $*"
	exit 1
}

# wait_prompts N: until the console shows N shell prompts.
wait_prompts() {
	i=0
	while [ "$(tr -d '\r' <"$tmp/rec.out" | grep -c '^\$ ')" -lt "$1" ]; do
		kill -0 "$emu_pid" 2>/dev/null || fail "ringlab exited during the recorded session"
		i=$((i + 1))
		[ $i -le $((TIMEOUT * 10)) ] || fail "timed out waiting for prompt $1"
		sleep 0.1
	done
}

start_emulator "$tmp/rec.out" -d int -D "$tmp/rec.int" --trace "$tmp/rec.jsonl" \
	--record "$tmp/session.rec"
n=1
wait_prompts $n
for line in hello ls segv cow 'syscalls'; do
	printf '%s\r' "$line" >&3
	n=$((n + 1))
	if [ "$line" = syscalls ]; then
		while ! grep -q 'type a line> ' "$tmp/rec.out"; do sleep 0.1; done
		printf '%s\r' 'typed while recording' >&3
	fi
	wait_prompts $n
done
sleep 0.3 # the idle shell: timer interrupts go on, and are recorded too
stop_emulator
grep -q '^end ' "$tmp/session.rec" || fail "the recording has no end line"
grep -c '^in ' "$tmp/session.rec" | grep -qv '^0$' || fail "the recording holds no input"

timeout "$TIMEOUT" "$RINGLAB" -kernel "$KERNEL" -initrd "$INITRD" -nographic -no-reboot \
	-d int -D "$tmp/rep.int" \
	--trace "$tmp/rep.jsonl" --replay "$tmp/session.rec" </dev/null >"$tmp/rep.out" 2>"$tmp/rep.err"
status=$?
[ $status -eq 0 ] || { cat "$tmp/rep.err"; fail "the replay exited with status $status"; }
grep -q 'the recording ends here' "$tmp/rep.err" || fail "the replay did not stop at the recording's end"

for f in int jsonl; do
	cmp -s "$tmp/rec.$f" "$tmp/rep.$f" || {
		diff "$tmp/rec.$f" "$tmp/rep.$f" | head -20
		fail "the replay's $f log differs from the recorded run's"
	}
done
cmp -s "$tmp/rec.out" "$tmp/rep.out" || {
	diff "$tmp/rec.out" "$tmp/rep.out" | head -20
	fail "the replay's console differs from the recorded run's"
}
grep -q 'read = 21, "typed while recording"' "$tmp/rep.out" ||
	fail "the replayed console lacks the typed line"
events=$(grep -c '^ *[0-9]*: v=' "$tmp/rep.int")
echo "PASS: the replay is the recorded run ($events events, $(grep -c '^in ' "$tmp/session.rec") input bytes)"
exit 0
