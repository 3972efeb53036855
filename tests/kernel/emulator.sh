# tests/kernel/emulator.sh: sourced by the bundled kernel's session tests.
# The emulator (EMU: qemu-system-i386, ringlab, or anything taking the same
# options) boots KERNEL with INITRD; its console input is a FIFO the test
# writes to through file descriptor 3.
#
# require_emulator NAME: exit 77 (skip) without EMU, 99 without the guest;
#   makes $tmp, a scratch directory removed at exit.
# start_emulator OUTPUT ARGS...: boot in the background, console to OUTPUT.
# stop_emulator: close the console and end the emulator (flushes its logs).

EMU=${EMU:-qemu-system-i386}
KERNEL=${KERNEL:-guests/kernel/kernel.elf}
INITRD=${INITRD:-guests/initrd.img}
TIMEOUT=${TIMEOUT:-60}
emu_pid=

require_emulator() {
	if ! command -v "$EMU" >/dev/null 2>&1; then
		echo "SKIP: $EMU not found"
		exit 77
	fi
	for f in "$KERNEL" "$INITRD"; do
		if [ ! -f "$f" ]; then
			echo "ERROR: $f missing (build it first)"
			exit 99
		fi
	done
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 99
	trap 'stop_emulator; rm -rf "$tmp"' EXIT
	trap 'exit 99' INT TERM HUP
}

start_emulator() {
	out=$1
	shift
	# Empty it now: the emulator's own redirection truncates it only once
	# the FIFO opens, and until then a reader would see the last run's log.
	: >"$out" || exit 99
	mkfifo "$tmp/in" || exit 99
	"$EMU" -kernel "$KERNEL" -initrd "$INITRD" -nographic -no-reboot "$@" \
		<"$tmp/in" >"$out" 2>&1 &
	emu_pid=$!
	exec 3>"$tmp/in"
}

stop_emulator() {
	exec 3>&- 2>/dev/null
	if [ -n "$emu_pid" ]; then
		kill "$emu_pid" 2>/dev/null
		wait "$emu_pid" 2>/dev/null
		emu_pid=
	fi
}
