#!/bin/sh
# tests/ui/errors.sh — how the view opens, and how it fails: one line on
# stderr and a documented status (14, the view cannot open; 2, a wrong
# option or script line; 10, a screenshot that cannot be written).
#   - a font that cannot be found, a display that is not there, no display
#     at all: status 14 when the view was asked for (-display sdl);
#   - not asked for, a display that cannot be opened: the terminal run, with
#     one line saying so; no display: the terminal run, silently;
#   - --ui-script or --screenshot with -nographic, a screenshot not .png,
#     a script that cannot be read, a bad line (named FILE:LINE);
#   - a screenshot that cannot be written.
. "$(dirname "$0")/view.sh"

# expect STATUS PATTERN WHAT: the last run's status, and one stderr line
# matching PATTERN (grep -E).
expect() {
	if [ "$st" -ne "$1" ]; then
		fail "$3: status $st, expected $1"
	fi
	lines=$(grep -c '^ringlab: ' "$tmp/err")
	if ! grep -qE "$2" "$tmp/err" || [ "$lines" -ne 1 ]; then
		fail "$3: expected one line like '$2' on stderr, got:"
		sed 's/^/    /' "$tmp/err"
	fi
}

RINGLAB_FONT=/nonexistent/font.ttf xvfb "$RINGLAB" -display sdl --max-insns 1000 \
	</dev/null >"$tmp/out" 2>"$tmp/err"
st=$?
expect 14 "^ringlab: the view's font /nonexistent/font.ttf cannot be opened .*fonts-dejavu-core" \
	"font not found"

RINGLAB_FONT=$0 xvfb "$RINGLAB" -display sdl --max-insns 1000 </dev/null >"$tmp/out" 2>"$tmp/err"
st=$?
expect 14 "^ringlab: the view's font .* cannot be opened" "a font file that is no font"

env -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER DISPLAY=:999 "$RINGLAB" -display sdl --max-insns 1000 \
	</dev/null >"$tmp/out" 2>"$tmp/err"
st=$?
expect 14 "^ringlab: no window can be opened: " "a display that is not there"

env -u WAYLAND_DISPLAY -u DISPLAY -u SDL_VIDEODRIVER "$RINGLAB" -display sdl </dev/null \
	>"$tmp/out" 2>"$tmp/err"
st=$?
expect 14 "^ringlab: no window can be opened: no display \(neither DISPLAY nor WAYLAND_DISPLAY" \
	"no display, -display sdl"

# Not asked for: the terminal run (the kernel's banner on stdout).
env -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER DISPLAY=:999 "$RINGLAB" --max-insns 5000000 \
	</dev/null >"$tmp/out" 2>"$tmp/err"
st=$?
grep -q '^ringlab teaching kernel' "$tmp/out" || fail "bad display, default: no terminal run"
grep -q "no window can be opened: .*; running on the terminal" "$tmp/err" ||
	fail "bad display, default: no line saying the terminal is used"
[ "$st" -eq 8 ] || fail "bad display, default: status $st, expected 8 (--max-insns)"
env -u WAYLAND_DISPLAY -u DISPLAY "$RINGLAB" --max-insns 5000000 </dev/null >"$tmp/out" 2>"$tmp/err"
st=$?
grep -q '^ringlab teaching kernel' "$tmp/out" || fail "no display: no terminal run"
grep -q "window" "$tmp/err" && fail "no display: a word about windows nobody asked for"
[ "$st" -eq 8 ] || fail "no display: status $st, expected 8"

printf 'q\n' >"$tmp/q"
"$RINGLAB" --ui-script "$tmp/q" -nographic </dev/null >"$tmp/out" 2>"$tmp/err"
st=$?
expect 2 "^ringlab: --ui-script: needs the view, so it cannot be used with -nographic" \
	"--ui-script -nographic"
"$RINGLAB" --screenshot "$tmp/shot.txt" </dev/null >"$tmp/out" 2>"$tmp/err"
st=$?
expect 2 "^ringlab: --screenshot: '.*shot.txt' must name a .png file" "--screenshot not .png"
xvfb "$RINGLAB" --ui-script "$tmp/none" </dev/null >"$tmp/out" 2>"$tmp/err"
st=$?
expect 2 "^ringlab: --ui-script: .*none: cannot be read" "a script that is not there"
printf 'r\nfrobnicate 3\nq\n' >"$tmp/bad"
xvfb "$RINGLAB" --ui-script "$tmp/bad" </dev/null >"$tmp/out" 2>"$tmp/err"
st=$?
expect 2 "^ringlab: .*bad:2: unknown command 'frobnicate'" "a bad script line"
printf 'select-event 99999999\n' >"$tmp/bad"
xvfb "$RINGLAB" --ui-script "$tmp/bad" </dev/null >"$tmp/out" 2>"$tmp/err"
st=$?
expect 2 "^ringlab: .*bad:1: select-event: no event '99999999'" "select-event of no event"
xvfb "$RINGLAB" --ui-script "$tmp/q" --screenshot /nonexistent/shot.png </dev/null \
	>"$tmp/out" 2>"$tmp/err"
st=$?
expect 10 "^ringlab: /nonexistent/shot.png: cannot write the screenshot" "an unwritable screenshot"
# And one that can: a PNG of the window's size.
xvfb "$RINGLAB" --ui-script "$tmp/q" --screenshot "$tmp/shot.png" </dev/null \
	>"$tmp/out" 2>"$tmp/err"
st=$?
[ "$st" -eq 0 ] || fail "--screenshot: status $st"
"$PNG_PROBE" "$tmp/shot.png" 1279 799 >/dev/null || fail "--screenshot: no 1280x800 PNG"

[ "$failures" -eq 0 ] || exit 1
echo "PASS: the view's failures: their lines and statuses"
