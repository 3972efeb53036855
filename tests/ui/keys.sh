#!/bin/sh
# tests/ui/keys.sh — the view's keys, as a person presses them: Tab gives
# the console the focus and the letters typed there go to the guest's
# serial input (hello runs); Escape gives the keys back to the controls,
# where F7 runs to the next system call, ':' opens the command prompt
# (the debugger's language: a breakpoint on hello's exit), and + and -
# change the speed.
. "$(dirname "$0")/view.sh"

cat >"$tmp/script" <<SCRIPT
until syscall
until syscall
until syscall
until syscall
until syscall
key Tab
key h
key e
key l
key l
key o
key Return
key Escape
key F7
key F7
key F7
key F7
key :
key b
key Space
key e
key x
key i
key t
key Return
key F5
key -
key -
model $tmp/keys.model
q
SCRIPT
run_view "$tmp/script"

m=$tmp/keys.model
has "$m" console "hello from ring 3"
has "$m" timeline 'sysenter write(1, "hello from ring 3\n", 18)'
has "$m" code "running: hello"
has "$m" registers "<exit>"
has "$m" code "B>"
# Two steps down from full speed.
has "$m" view "speed 100000 instr/frame"
finish "Tab types to the guest, F7 runs to system calls, ':' takes a breakpoint, F5 runs to it"
