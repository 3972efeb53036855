#!/bin/sh
# tests/ui/segv.sh — the page-fault explainer at segv's read of address 0:
# nothing is mapped there, not even a page table, so the walk stops at the
# PDE and its P bit is the one marked.  The timeline explains the fault in
# words; ring 0 is lit.
. "$(dirname "$0")/view.sh"

script_to_exec segv
cat >>"$tmp/script" <<SCRIPT
until fault
r
screenshot $tmp/fault.png
model $tmp/fault.model
q
SCRIPT
run_view "$tmp/script"

m=$tmp/fault.model
has "$m" pagefault "CR2 00000000"
has "$m" pagefault "-> no page table: the walk stops at the PDE"
has "$m" pagefault "why: PDE P=0: the page is not present"
probe_is "$tmp/fault.png" "$m" pf-bit-PDE-P vermillion
grep -q '^probe pf-bit-PTE-' "$m" && fail "a PTE bit is marked, but there is no page table"
probe_is "$tmp/fault.png" "$m" ring0 ring-lit
probe_is "$tmp/fault.png" "$m" ring3 ring-off
has "$m" timeline "#PF e=0004 user read of not-present page 0x00000000"
has "$m" rings "#PF"
same "CR2" "$(value "$m" registers '^CR2 ([0-9a-f]{8}).*')" "$(debugger_reg 1 cr2)"
same "EIP in the #PF handler" "$(value "$m" registers '^EIP ([0-9a-f]{8}).*')" \
	"$(debugger_reg 1 eip)"

finish "segv's #PF at 0: the PDE's P bit marked"
