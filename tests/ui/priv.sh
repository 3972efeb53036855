#!/bin/sh
# tests/ui/priv.sh — the view at priv's first #GP: `cli` at CPL 3 with
# IOPL 0 (SDM Vol. 2A CLI).  Ring 0 lit (the handler), the timeline names
# the #GP, the tables mark vector 0x0d, the stack shows the frame with its
# error code 0, and the registers are the machine's.
. "$(dirname "$0")/view.sh"

script_to_exec priv
cat >>"$tmp/script" <<SCRIPT
until vector 13
r
screenshot $tmp/gp.png
model $tmp/gp.model
q
SCRIPT
run_view "$tmp/script"

m=$tmp/gp.model
has "$m" rings "CPL 0: ring 0 is lit"
has "$m" rings "#GP"
probe_is "$tmp/gp.png" "$m" ring0 ring-lit
probe_is "$tmp/gp.png" "$m" ring3 ring-off
has "$m" timeline "#GP e=0000"
has "$m" timeline "gate: IDT[0x0d] intr32, DPL 0"
has "$m" tables "<- vector 0x0d"
has "$m" stack "frame pushed by #GP"
same "the pushed error code" "$(value "$m" stack '^  error code +([0-9a-f]{8})$')" 00000000
same "the pushed CS (ring 3's)" "$(value "$m" stack '^  CS +([0-9a-f]{8})$')" 0000001b
for r in eax ebx esi edi esp; do
	R=$(echo "$r" | tr a-z A-Z)
	same "$R at the #GP" "$(value "$m" registers ".*$R ([0-9a-f]{8}).*")" "$(debugger_reg 1 "$r")"
done

finish "priv's #GP: ring 0 lit, the gate and the frame shown"
