#!/bin/sh
# tests/ui/hello.sh — the view at hello's system call and at its return.
#
# Under Xvfb, a --ui-script types "hello" at the bundled kernel's shell and
# runs from system call to system call until hello's write, through
# int 0x80 (-cpu pentium has no sysenter, so the IDT gate and the TSS stack
# switch are used).  There it takes a screenshot: ring 0 must be lit and
# ring 3 not, in the picture; the timeline must name the call with its
# arguments; the registers, the frame the CPU pushed and the gate must be
# what the machine holds (the debugger's `r`, the event's state before).
# Then it runs until the return to ring 3: ring 3 lit, ring 0 not, EAX 18.
. "$(dirname "$0")/view.sh"

cat >"$tmp/script" <<SCRIPT
until syscall
until syscall
until syscall
until syscall
until syscall
type hello\r
until syscall
until syscall
until syscall
until syscall
r
screenshot $tmp/syscall.png
model $tmp/syscall.model
until sysret
r
screenshot $tmp/return.png
model $tmp/return.model
q
SCRIPT
run_view "$tmp/script" -cpu pentium

m=$tmp/syscall.model
has "$m" rings "CPL 0: ring 0 is lit"
has "$m" rings "int 0x80 write"
probe_is "$tmp/syscall.png" "$m" ring0 ring-lit
probe_is "$tmp/syscall.png" "$m" ring3 ring-off
has "$m" timeline 'int 0x80 write(1, "hello from ring 3\n", 18)'
has "$m" code "running: the kernel (for hello)"
has "$m" tables "<- vector 0x80"
for r in eax ebx ecx edx esi edi ebp esp; do
	R=$(echo "$r" | tr a-z A-Z)
	same "$R at the system call" "$(value "$m" registers ".*$R ([0-9a-f]{8}).*")" \
		"$(debugger_reg 1 "$r")"
done
same "EAX, the call's number" "$(value "$m" registers '.*EAX ([0-9a-f]{8}).*')" 00000002
same "EDI, write's length" "$(value "$m" registers '.*EDI ([0-9a-f]{8}).*')" 00000012
# The frame: the user's SS:ESP and the address after the INT, as the event
# says the CPU was before it (the timeline's detail).
before=$(value "$m" timeline '^before +3 +([0-9a-f:]+ +[0-9a-f:]+).*')
user_ss=$(echo "$before" | sed 's/.* \([0-9a-f]*\):.*/\1/')
user_esp=$(echo "$before" | sed 's/.*:\([0-9a-f]*\)$/\1/')
int_eip=$(echo "$before" | sed 's/^[0-9a-f]*:\([0-9a-f]*\) .*/\1/')
has "$m" stack "frame pushed by int 0x80 write"
same "the pushed SS" "$(value "$m" stack '^  SS +([0-9a-f]{8})$')" "0000$user_ss"
same "the pushed ESP" "$(value "$m" stack '^  ESP +([0-9a-f]{8})$')" "$user_esp"
same "the pushed EIP (after the 2-byte INT)" "$(value "$m" stack '^  EIP +([0-9a-f]{8})$')" \
	"$(printf '%08x' $((0x$int_eip + 2)))"
has "$m" timeline "stack: switched, from TSS 0028"

m=$tmp/return.model
has "$m" rings "CPL 3: ring 3 is lit"
has "$m" rings "iret"
probe_is "$tmp/return.png" "$m" ring3 ring-lit
probe_is "$tmp/return.png" "$m" ring0 ring-off
has "$m" timeline "iret back to ring 3, EAX=00000012"
has "$m" code "running: hello"
same "EAX, write's result" "$(value "$m" registers '.*EAX ([0-9a-f]{8}).*')" \
	"$(debugger_reg 2 eax)"
same "EAX after write" "$(value "$m" registers '.*EAX ([0-9a-f]{8}).*')" 00000012
same "EIP back in hello" "$(value "$m" registers '^EIP ([0-9a-f]{8}).*')" "$(debugger_reg 2 eip)"

finish "hello's write: ring 0 lit at the int 0x80, ring 3 at the iret, the panels as the machine is"
