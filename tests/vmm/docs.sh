#!/bin/sh
# tests/vmm/docs.sh: the outputs docs/popek-goldberg.md shows are the
# program's.  Each block
#
#     <!-- output: COMMAND -->
#     ...lines...
#     <!-- end -->
#
# must hold exactly what COMMAND prints (a shell command line in which
# `ringlab` is the ringlab under test).
#
#   docs.sh            check (exit 0 pass, 1 fail, 77 skip)
#   docs.sh --update   write the outputs into the document instead
#
# Environment: RINGLAB (default ./ringlab), DOC (default: the document
# beside this script's ../../docs).

RINGLAB=${RINGLAB:-./ringlab}
here=$(cd "$(dirname "$0")" && pwd)
DOC=${DOC:-$here/../../docs/popek-goldberg.md}
update=no
[ "${1:-}" = "--update" ] && update=yes
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
[ -f "$DOC" ] || { echo "FAIL: no $DOC"; exit 1; }
case $RINGLAB in /*) ;; *) RINGLAB=$(pwd)/$RINGLAB ;; esac
export RINGLAB
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-docs.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# The document with every block's lines replaced by the command's output.
: >"$tmp/new"
failed=0
inside=no
while IFS= read -r line; do
	case $line in
	'<!-- output: '*' -->')
		printf '%s\n' "$line" >>"$tmp/new"
		cmd=${line#'<!-- output: '}
		cmd=${cmd%' -->'}
		if ! sh -c "ringlab() { \"\$RINGLAB\" \"\$@\"; }; $cmd" >"$tmp/out" 2>"$tmp/err"; then
			if [ -s "$tmp/err" ]; then
				echo "FAIL: '$cmd' failed:"
				sed 's/^/    /' "$tmp/err"
				failed=1
			fi
		fi
		cat "$tmp/out" >>"$tmp/new"
		inside=yes
		;;
	'<!-- end -->')
		printf '%s\n' "$line" >>"$tmp/new"
		inside=no
		;;
	*)
		[ "$inside" = yes ] || printf '%s\n' "$line" >>"$tmp/new"
		;;
	esac
done <"$DOC"
if [ "$inside" = yes ]; then
	echo "FAIL: $DOC: an output block has no <!-- end -->"
	exit 1
fi

if [ "$update" = yes ]; then
	cp "$tmp/new" "$DOC" || exit 1
	echo "updated $DOC"
	exit $failed
fi
if ! cmp -s "$DOC" "$tmp/new"; then
	echo "FAIL: $DOC shows outputs that differ from the program's (- document, + program);"
	echo "      run tests/vmm/docs.sh --update from the build directory if the change is right:"
	diff -u "$DOC" "$tmp/new" | sed 1,2d
	exit 1
fi
[ "$failed" -eq 0 ] || exit 1
echo "ok: every output in $(basename "$DOC") is the program's"
