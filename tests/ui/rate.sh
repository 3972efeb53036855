#!/bin/sh
# tests/ui/rate.sh — the view keeps its rate while the guest runs because a
# frame costs only what changed, and every slice of the run is drawn over.
# Told by the view's `stats` (counts, not times, so the machine's load does
# not matter), on the compute loop of bench/ (no interrupt, no paging, no
# event: only the registers and the code change as it runs):
#   - at full speed, each slice of the run had its frame (frames = slices
#     plus the first), and the panels that did not change were not drawn
#     again;
#   - under Xvfb, whose OpenGL is drawn by the CPU (llvmpipe), the view
#     draws with SDL's software renderer, which costs less a frame;
#   - slowed to 5 million instructions a frame (at least 15 frames), the
#     registers were drawn again every frame and the unchanged panels
#     never, and a frame drew at most 2000 glyphs (the registers and the
#     code hold about 1400; the whole window about 6000);
#   - `until insns N` at full speed counts over all its slices.
. "$(dirname "$0")/view.sh"

guest=bench/compute-small.elf
[ -f "$guest" ] || { echo "SKIP: $guest is not built"; exit 77; }

# loop SCRIPT: the view with SCRIPT on the loop, which ends the machine by
# isa-debug-exit with status 1 (the exit status, as under QEMU).
loop() {
	xvfb "$RINGLAB" --ui-script "$1" --timeout 120 -kernel "$guest" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
	[ "$status" -eq 1 ] || { fail "exit status $status, not 1"; cat "$tmp/err"; }
}

# stat NAME COLUMN: a part's row in the stats table (2 built, 3 drawn, 4 kept).
stat() {
	awk -v part="$1" -v col="$2" '$1 == part && NF == 6 { print $col; exit }' "$tmp/out"
}
# unchanged WHAT: the panels that show nothing new during the loop were kept.
unchanged() {
	for p in rings stack timeline pagefault addresses tables console status; do
		n=$(stat "$p" 3)
		[ "$n" = 0 ] || fail "$1: the $p part was drawn $n times, though it did not change"
	done
}

printf 'r\nc\nstats\nq\n' >"$tmp/script"
loop "$tmp/script"
frames=$(sed -n 's/^frames while the guest ran: \([0-9]*\) .*/\1/p' "$tmp/out")
slices=$(sed -n 's/^frames while the guest ran: .*, slices \([0-9]*\)$/\1/p' "$tmp/out")
if [ -z "$frames" ] || [ -z "$slices" ]; then
	fail "no stats in the output"
else
	[ "$slices" -ge 1 ] || fail "the run at full speed was not sliced (slices $slices)"
	[ "$frames" -eq $((slices + 1)) ] ||
		fail "at full speed, $frames frames for $slices slices: a slice was not drawn over"
	[ "$(stat registers 2)" = "$frames" ] || fail "the models were not built at every frame"
	unchanged "at full speed"
fi
if [ -z "${SDL_RENDER_DRIVER:-}" ]; then
	grep -q '^renderer software, 1280x800 pixels$' "$tmp/out" ||
		fail "under Xvfb the view did not choose the software renderer: $(grep '^renderer' "$tmp/out")"
fi

printf 'r\nspeed 5000000\nc\nstats\nq\n' >"$tmp/script"
loop "$tmp/script"
frames=$(sed -n 's/^frames while the guest ran: \([0-9]*\) .*/\1/p' "$tmp/out")
glyphs=$(sed -n 's/^parts drawn .*; glyphs \([0-9]*\),.*/\1/p' "$tmp/out")
# 70 million instructions, 5 million a frame: 14 slices, a frame after each
# but the last, and the first (and one more whenever a slice takes longer
# than a frame's period).
if [ -z "$frames" ] || [ "$frames" -lt 15 ]; then
	fail "the slowed run drew '$frames' frames, not at least 15"
else
	regs=$(stat registers 3)
	[ -n "$regs" ] && [ "$regs" -ge 14 ] ||
		fail "the registers were drawn $regs times in $frames frames"
	unchanged "slowed"
	[ "$(stat toolbar 3)" -le 1 ] || fail "the toolbar was drawn $(stat toolbar 3) times"
	[ -n "$glyphs" ] && [ "$glyphs" -le $((frames * 2000)) ] ||
		fail "$glyphs glyphs drawn in $frames frames: more than 2000 a frame"
fi

# A count is the whole run's, not each slice's: at full speed `until insns
# 60000000` (about eight slices of the 70 million) stops where the
# debugger's does, before the loop ends the machine.
printf 'until insns 60000000\nq\n' >"$tmp/script"
xvfb "$RINGLAB" --ui-script "$tmp/script" --timeout 120 -kernel "$guest" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$tmp/out" 2>"$tmp/err"
status=$?
view_at=$(sed -n 's/^\[CPL 0\] //p' "$tmp/out" | tail -n 1)
debugger_at=$(printf 'until insns 60000000\nq\n' |
	"$RINGLAB" --debugger -nographic -kernel "$guest" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		2>&1 | tr -d '\r' | sed -n 's/^\[CPL 0\] //p' | tail -n 1)
if [ "$status" -ne 0 ] || [ -z "$view_at" ] || [ "$view_at" != "$debugger_at" ]; then
	fail "until insns at full speed: status $status, stopped at '$view_at', the debugger at '$debugger_at'"
fi

finish "a frame draws only what changed while the guest runs, and every slice is drawn over"
