#!/bin/sh
# tests/debug/terminal.sh: the debugger at a terminal (tests/debug/terminal.py
# drives it through a pseudo-terminal).  Skipped without python3.
RINGLAB=${RINGLAB:-./ringlab}
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
exec python3 "$(dirname "$0")/terminal.py" "$RINGLAB"
