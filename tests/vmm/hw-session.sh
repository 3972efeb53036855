#!/bin/sh
# tests/vmm/hw-session.sh: the bundled kernel, unmodified, boots under
# `ringlab pg vmm --strategy hw` and passes the scripted shell session of
# tests/kernel/session.sh with the same transcript as a native run; the
# monitor's report names its exits by cause (#PF and external interrupts by
# default: every page fault and every timer tick left the guest) and the
# native run of the same session it measured beside, with the same
# instructions.  The same with -smp 2.
#
# Environment: RINGLAB (default ./ringlab), KERNEL, INITRD (the build
# tree's), TIMEOUT.
# Exit status: 0 pass, 1 fail, 77 skipped, 99 hard error.

RINGLAB=${RINGLAB:-./ringlab}
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
case $RINGLAB in /*) ;; *) RINGLAB=$(pwd)/$RINGLAB ;; esac
KERNEL=${KERNEL:-guests/kernel/kernel.elf}
INITRD=${INITRD:-guests/initrd.img}
export KERNEL INITRD
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-hw.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# Bad monitor arguments: one line on stderr, status 2, nothing run.
for args in "" "--strategy" "--strategy nope" "--strategy hw --exit-on pf,bogus"; do
	# shellcheck disable=SC2086 # the words are the arguments
	"$RINGLAB" pg vmm $args -nographic </dev/null >"$tmp/out" 2>"$tmp/err"
	st=$?
	if [ "$st" -ne 2 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
		echo "FAIL: ringlab pg vmm $args: status $st (want 2), stderr: $(cat "$tmp/err")"
		exit 1
	fi
done
# The monitor in the view (tests/ui/monitor.sh): without a display, the
# view's one line and its status, 14, as for any run.
env -u DISPLAY -u WAYLAND_DISPLAY "$RINGLAB" pg vmm --strategy hw -display sdl </dev/null \
	>"$tmp/out" 2>"$tmp/err"
st=$?
if [ "$st" -ne 14 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q 'no display' "$tmp/err"; then
	echo "FAIL: the monitor in the view without a display: status $st (want 14), stderr: $(cat "$tmp/err")"
	exit 1
fi
# --exit-on none: no exits at all, and the controls say so.
"$RINGLAB" pg vmm --strategy hw --vmcs --exit-on none -nographic --max-insns 20000000 \
	</dev/null >"$tmp/none.out" 2>&1
grep -q '^vmm hw: 0 exits$' "$tmp/none.out" &&
	grep -q '^vmcs: exception bitmap     00000000$' "$tmp/none.out" &&
	grep -q '^vmcs: external-interrupt exiting  off$' "$tmp/none.out" ||
	{ echo "FAIL: --exit-on none:"; grep -E '^(vmcs|vmm)' "$tmp/none.out"; exit 1; }

# The debugger under the monitor: `info vmm` shows the controls, the
# virtual CPU beside the real one and the exits taken; without a monitor
# it says there is none.
printf 'until insns 30000000\ninfo vmm\nq\n' |
	"$RINGLAB" pg vmm --strategy hw --debugger -nographic >"$tmp/info.out" 2>&1
for want in '^monitor: hw' '^vmcs: exception bitmap     00004000 #PF$' \
	'^ *virtual CPU \(the guest.s\) *real CPU$' '^  CPL        0 *0$' \
	'^exits: [1-9][0-9]*: #PF [1-9]' '^  at instruction [0-9]*: external interrupt \(vector 0x20\)'; do
	grep -q -E "$want" "$tmp/info.out" ||
		{ echo "FAIL: info vmm under the monitor lacks /$want/:"; cat "$tmp/info.out"; exit 1; }
done
printf 'info vmm\nq\n' | "$RINGLAB" --debugger -nographic >"$tmp/info.out" 2>&1
grep -q '^no monitor: the guest runs natively' "$tmp/info.out" ||
	{ echo "FAIL: info vmm without a monitor:"; cat "$tmp/info.out"; exit 1; }

# The session natively, then under the monitor with the exit controls
# printed first.
failed=0
. "$here/sessions.sh"
monitor_sessions hw --strategy hw --vmcs
# The exit controls, and the report the monitor wrote when the session
# script ended the run.
grep -q '^vmcs: exception bitmap     00004000 #PF$' "$tmp/hw.log" ||
	{ echo "FAIL: no exit controls printed:"; head -n 5 "$tmp/hw.log"; failed=1; }
grep -q '^vmcs: external-interrupt exiting  on$' "$tmp/hw.log" ||
	{ echo "FAIL: external-interrupt exiting not printed"; failed=1; }
report=$(grep '^vmm hw: [0-9]* exits' "$tmp/hw.log")
if ! printf '%s\n' "$report" | grep -q -E '^vmm hw: [1-9][0-9]* exits: #PF [1-9][0-9]*, external interrupt [1-9][0-9]* \(vector 0x20: [1-9]'; then
	echo "FAIL: the monitor's report does not count #PF and timer exits: '$report'"
	tail -n 5 "$tmp/hw.log"
	failed=1
fi
# The native run of the same session, on a second machine: the same
# instructions as under the monitor.
same_instructions hw "$tmp/hw.log"
# With two CPUs (the bundled kernel starts only the BSP, the AP waits for
# its SIPI): the same transcript; the other strategies refuse -smp
# (tests/vmm/trap.sh).
monitor_sessions hw-smp --strategy hw -smp 2
grep -q '^vmm hw: [1-9][0-9]* exits' "$tmp/hw-smp.log" ||
	{ echo "FAIL: no exits counted with -smp 2"; tail -n 5 "$tmp/hw-smp.log"; failed=1; }
[ "$failed" -eq 0 ] || exit 1
echo "ok: the session under the hw monitor matches the native one; $report"
