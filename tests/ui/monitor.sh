#!/bin/sh
# tests/ui/monitor.sh — the view under `pg vmm`: the monitor panel draws
# ring -1 (the monitor) above ring 0, lights the ring the kernel really
# runs at and marks the one it believes it runs at, and sets the virtual
# CPU beside the real one, with the traps or exits by cause and the latest.
# bt's panel adds its intercepts and the blocks it scanned, pv's its
# hypercalls by number and what still trapped.
# For trap, stopped at the kernel's timer_check: the guest believes CPL 0
# and its own GDT, the CPU runs it at CPL 1 with the shadow GDT, and the
# guest's own boot checks have already printed what they saw.
. "$(dirname "$0")/view.sh"

# run_view SCRIPT [pg vmm ARGS...]: as view.sh's, with `pg vmm`'s words
# first, as the command line wants them.
run_view() {
	script=$1
	shift
	xvfb "$RINGLAB" "$@" --ui-script "$script" --timeout 120 </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ "$status" -ne 0 ]; then
		fail "exit status $status"
		cat "$tmp/err"
	fi
}

cat >"$tmp/script" <<SCRIPT
until eip timer_check
screenshot $tmp/trap.png
model $tmp/trap.model
info vmm
q
SCRIPT
run_view "$tmp/script" pg vmm --strategy trap
m=$tmp/trap.model
has "$m" monitor "monitor: trap, the kernel at real ring 1"
has "$m" monitor "     guest's   real"
same "the virtual and the real CPL" "$(value "$m" monitor '^CPL  ([0-9]) +([0-9])$')" 0
same "the real CPL" "$(value "$m" monitor '^CPL  [0-9] +([0-9])$')" 1
same "the shadow GDT" "$(value "$m" monitor '^GDT  c[0-9a-f]{7}  ([0-9a-f]{8})$')" c009f000
guest_gdt=$(value "$m" monitor '^GDT  (c[0-9a-f]{7})  c009f000$')
[ -n "$guest_gdt" ] && [ "$guest_gdt" != c009f000 ] || fail "the guest's GDT is not its own: '$guest_gdt'"
grep -q -E '^traps [1-9][0-9]*: .*OUT [1-9]' "$m" || fail "no traps by cause in the monitor panel"
# Under the shadow page tables the address space is the guest's (the real
# CR3 names the monitor's directory, which ringlab's walks do not read).
grep -q -E '^CR3 [0-9a-f]{8} \(the guest.s\)' "$m" || fail "the address space panel does not show the guest's CR3"
grep -q -E 'supv r/w [0-9]+ pages' "$m" || fail "the address space panel shows no kernel pages"
# The shadow page tables' hidden faults count among the traps.
grep -q -E '^traps [1-9][0-9]*: .*hidden #PF [1-9]' "$m" || fail "no hidden page faults in the monitor panel"
grep -q -E '^latest: (OUT|IN) at 0009:c[0-9a-f]{7}, instruction [1-9]' "$m" ||
	fail "no latest trap in the monitor panel"
# The watch runs in the view too: seg_init's SGDT has already shown the
# shadow GDT, and the view's run went on through it to timer_check.
grep -q -E '^FAILED \([1-9] kinds\), last: ' "$m" || fail "the view's trap monitor saw no failure"
grep -q -E '^watched \(sensitive, no trap\): [1-9][0-9]* .*SGDT at seg_init\+0x[0-9a-f]+ 1' "$tmp/out" ||
	fail "info vmm in the view shows no watched site hit"
# The ladder: ring -1 above ring 0, each band where the model says.
probe_is "$tmp/trap.png" "$m" monitor-ring-1 purple
probe_is "$tmp/trap.png" "$m" monitor-ring0 sky
probe_is "$tmp/trap.png" "$m" monitor-ring1 ring-lit
probe_is "$tmp/trap.png" "$m" monitor-ring3 ring-off
y_monitor=$(grep '^probe monitor-ring-1 ' "$m" | cut -d' ' -f4)
y_ring0=$(grep '^probe monitor-ring0 ' "$m" | cut -d' ' -f4)
[ -n "$y_monitor" ] && [ -n "$y_ring0" ] && [ "$y_monitor" -lt "$y_ring0" ] ||
	fail "ring -1 (y $y_monitor) is not drawn above ring 0 (y $y_ring0)"
# The rings panel shows the real CPL; the console the guest's own words.
has "$m" rings "CPL 1: ring 1 is lit"
has "$m" console "seg: running at CPL 1, not 0 (CS 9)"
# The same account as `info vmm`, which the view's debugger answers.
grep -q -E '^  GDTR       c[0-9a-f]{7}/[0-9a-f]{4} +c009f000/' "$tmp/out" ||
	fail "info vmm in the view did not answer"

# hw: one CPU, nothing shadowed: ring 0 lit, no ring marked as believed.
cat >"$tmp/script" <<SCRIPT
until eip timer_check
screenshot $tmp/hw.png
model $tmp/hw.model
q
SCRIPT
run_view "$tmp/script" pg vmm --strategy hw
m=$tmp/hw.model
has "$m" monitor "monitor: hw, the kernel at ring 0, non-root"
same "hw's CPL" "$(value "$m" monitor '^CPL  ([0-9]) +0$')" 0
probe_is "$tmp/hw.png" "$m" monitor-ring-1 purple
probe_is "$tmp/hw.png" "$m" monitor-ring0 ring-lit
probe_is "$tmp/hw.png" "$m" monitor-ring1 ring-off

# bt: over the trap monitor, so the same virtual CPU at real ring 1, with
# bt's own intercepts by kind and the blocks it scanned.
cat >"$tmp/script" <<SCRIPT
until eip timer_check
screenshot $tmp/bt.png
model $tmp/bt.model
info vmm
q
SCRIPT
run_view "$tmp/script" pg vmm --strategy bt
m=$tmp/bt.model
has "$m" monitor "monitor: bt, the kernel at real ring 1, translated"
same "bt's virtual CPL" "$(value "$m" monitor '^CPL  ([0-9]) +[0-9]$')" 0
same "bt's real CPL" "$(value "$m" monitor '^CPL  [0-9] +([0-9])$')" 1
same "bt's shadow GDT" "$(value "$m" monitor '^GDT  c[0-9a-f]{7}  ([0-9a-f]{8})$')" c009f000
grep -q -E '^intercepts [1-9][0-9]*: [A-Z]' "$m" || fail "no intercepts by kind in bt's panel"
grep -q -E '^latest: [A-Z ]+ at 0009:c[0-9a-f]{7}, instruction [1-9][0-9]*, (emulated|run natively)$' "$m" ||
	fail "no latest intercept in bt's panel"
grep -q -E '^blocks scanned [1-9][0-9]*, [1-9][0-9]* with a sensitive instruction$' "$m" ||
	fail "no blocks scanned in bt's panel"
grep -q -E '^traps [1-9][0-9]*: .*OUT [1-9]' "$m" || fail "no traps of the trap monitor in bt's panel"
has "$m" monitor "no failure of the deception seen"
probe_is "$tmp/bt.png" "$m" monitor-ring0 sky
probe_is "$tmp/bt.png" "$m" monitor-ring1 ring-lit
grep -q '^monitor: bt, binary translation' "$tmp/out" || fail "info vmm under bt in the view did not answer"

# pv: the paravirtual kernel knows it runs at ring 1 (no ring marked as
# believed apart from it), its hypercalls by number and what still trapped.
cat >"$tmp/script" <<SCRIPT
until eip scheduler
screenshot $tmp/pv.png
model $tmp/pv.model
info vmm
q
SCRIPT
run_view "$tmp/script" pg vmm --strategy pv
m=$tmp/pv.model
has "$m" monitor "monitor: pv, the kernel at ring 1, hypercalls"
same "pv's virtual and real CPL" "$(value "$m" monitor '^CPL  ([0-9]) +1$')" 1
grep -q -E '^hypercalls [1-9][0-9]*: [a-z_]+ \([0-9]+\) [1-9]' "$m" ||
	fail "no hypercalls by number in pv's panel"
grep -q -E '^latest: [a-z_]+ \([0-9]+\) from c[0-9a-f]{7}, instruction [1-9]' "$m" ||
	fail "no latest hypercall in pv's panel"
grep -q -E '^still trapped: SYSENTER [0-9]+, interrupts [0-9]+, INT n [0-9]+, exceptions [0-9]+$' "$m" ||
	fail "no traps still taken in pv's panel"
has "$m" monitor "no failure of the deception seen"
probe_is "$tmp/pv.png" "$m" monitor-ring-1 purple
probe_is "$tmp/pv.png" "$m" monitor-ring0 ring-off
probe_is "$tmp/pv.png" "$m" monitor-ring1 ring-lit
grep -q '^monitor: pv, paravirtualization' "$tmp/out" || fail "info vmm under pv in the view did not answer"

# Without a monitor the panel is not there.
cat >"$tmp/script" <<SCRIPT
model $tmp/plain.model
q
SCRIPT
run_view "$tmp/script"
grep -q '^== monitor' "$tmp/plain.model" && fail "a monitor panel without a monitor"

finish "the monitor panel: ring -1 above ring 0, the virtual CPU beside the real one"
