#!/bin/sh
# tests/vmm/docs.sh: the outputs docs/popek-goldberg.md and README.md show
# are the program's.  Each block
#
#     <!-- output: COMMAND -->
#     ...lines...
#     <!-- end -->
#
# must hold exactly what COMMAND prints (a shell command line in which
# `ringlab` is the ringlab under test).
#
#   docs.sh [DOC...]            check (exit 0 pass, 1 fail, 77 skip)
#   docs.sh --update [DOC...]   write the outputs into the documents instead
#
# Without DOC: docs/popek-goldberg.md and README.md of the source tree.
# Environment: RINGLAB (default ./ringlab).

RINGLAB=${RINGLAB:-./ringlab}
here=$(cd "$(dirname "$0")" && pwd)
update=no
if [ "${1:-}" = "--update" ]; then
	update=yes
	shift
fi
[ $# -gt 0 ] || set -- "$here/../../docs/popek-goldberg.md" "$here/../../README.md"
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
case $RINGLAB in /*) ;; *) RINGLAB=$(pwd)/$RINGLAB ;; esac
export RINGLAB
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-docs.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# check_doc DOC: the document with every block's lines replaced by the
# command's output, compared with it (or written over it).
check_doc() {
DOC=$1
[ -f "$DOC" ] || { echo "FAIL: no $DOC"; return 1; }
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
	return 1
fi
if [ "$update" = yes ]; then
	cp "$tmp/new" "$DOC" || return 1
	echo "updated $DOC"
	return $failed
fi
if ! cmp -s "$DOC" "$tmp/new"; then
	echo "FAIL: $DOC shows outputs that differ from the program's (- document, + program);"
	echo "      run tests/vmm/docs.sh --update from the build directory if the change is right:"
	diff -u "$DOC" "$tmp/new" | sed 1,2d
	return 1
fi
[ "$failed" -eq 0 ] || return 1
echo "ok: every output in $(basename "$DOC") is the program's"
}

status=0
for doc in "$@"; do
	check_doc "$doc" || status=1
done
exit $status
