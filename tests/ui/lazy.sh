#!/bin/sh
# tests/ui/lazy.sh — the page-fault explainer at lazy's first touch of its
# heap: sbrk() mapped nothing, so the PDE is there and the PTE is not.  The
# PTE's P bit must be the one marked, in the model and in the screenshot;
# the walk's values must be the machine's (the debugger's `page` of CR2 and
# `r`), and ring 0 lit (the #PF handler runs).
. "$(dirname "$0")/view.sh"

script_to_exec lazy
cat >>"$tmp/script" <<SCRIPT
until fault
r
page cr2
screenshot $tmp/fault.png
model $tmp/fault.model
q
SCRIPT
run_view "$tmp/script"

m=$tmp/fault.model
has "$m" code "running: the kernel (for lazy)"
has "$m" pagefault "error code 0004: P=0 not present, W/R=0 read,"
has "$m" pagefault "why: PTE P=0: the page is not present"
probe_is "$tmp/fault.png" "$m" pf-bit-PTE-P vermillion
probe_is "$tmp/fault.png" "$m" ring0 ring-lit
grep -q '^probe pf-bit-PDE-' "$m" && fail "a PDE bit is marked too"
cr2=$(debugger_reg 1 cr2)
same "CR2, the heap page" "$(value "$m" pagefault '.*CR2 ([0-9a-f]{8})$')" "$cr2"
# The entries as the debugger's walk of CR2 reads them.
pde=$(sed -n 's/.*PDE 0x\([0-9a-f]*\).*/\1/p' "$tmp/out" | head -n 1)
same "the PDE" "$(value "$m" pagefault '.*PDE\[[0-9a-f]+\] at [0-9a-f]+ = ([0-9a-f]{8})$')" "$pde"
same "the PTE" "$(value "$m" pagefault '.*PTE\[[0-9a-f]+\] at [0-9a-f]+ = ([0-9a-f]{8})$')" 00000000
has "$m" addresses "last #PF address $cr2: not mapped"
probe_is "$tmp/fault.png" "$m" map-cr2 vermillion
has "$m" stack "frame pushed by #PF"
same "the pushed error code" "$(value "$m" stack '^  error code +([0-9a-f]{8})$')" 00000004

finish "lazy's heap #PF: the PTE's P bit marked, the walk as the machine has it"
