#!/usr/bin/env bash
# Applies each mutant in scripts/mutants.txt (or the file given) on its
# own, runs the tests named for it, and reports whether they failed
# ("killed") as they must, or passed ("SURVIVED": a promise no test
# holds). Each file is restored after its mutant, also on Ctrl-C.
# Exit status: 0 when every mutant was killed, 1 otherwise.
#
#   bash scripts/mutants.sh                 # all
#   bash scripts/mutants.sh scripts/mutants.txt 'metrics|watch'  # filter
set -uo pipefail
cd "$(dirname "$0")/.."
list=${1:-scripts/mutants.txt}
filter=${2:-}

restore=""
trap '[ -n "$restore" ] && mv -f "$restore.mutant-orig" "$restore"; exit 130' INT TERM

survivors=0 killed=0 broken=0
while IFS= read -r line; do
	case "$line" in ''|'#'*) continue ;; esac
	[ -n "$filter" ] && ! grep -qE "$filter" <<<"$line" && continue
	IFS=$'\x1f' read -r file old new pkg tests why <<<"$(sed 's/ || /\x1f/g' <<<"$line")"
	if [ ! -f "$file" ]; then
		echo "BROKEN   $file: no such file ($why)"; broken=$((broken + 1)); continue
	fi
	n=$(OLD="$old" perl -0ne '$c = () = /\Q$ENV{OLD}\E/g; print $c' "$file")
	if [ "$n" != 1 ]; then
		echo "BROKEN   $file: the text occurs $n times, want once: $old"; broken=$((broken + 1)); continue
	fi
	cp -p "$file" "$file.mutant-orig"
	restore=$file
	OLD="$old" NEW="$new" perl -0pi -e 's/\Q$ENV{OLD}\E/$ENV{NEW}/' "$file"
	if out=$(go test -count=1 -run "^(${tests})\$" "$pkg" 2>&1) && grep -q 'no tests to run' <<<"$out"; then
		echo "BROKEN   $file ($why): no test matches $tests in $pkg"; broken=$((broken + 1))
	elif [ -z "${out##ok*}" ] || go test -count=1 -run "^(${tests})\$" "$pkg" >/dev/null 2>&1; then
		echo "SURVIVED $file ($why): $tests passed with: $new"; survivors=$((survivors + 1))
	elif grep -q "\[build failed\]\|setup failed" <<<"$out"; then
		echo "BROKEN   $file ($why): the mutant does not build"; broken=$((broken + 1))
	else
		echo "killed   $file ($why) by $tests"; killed=$((killed + 1))
	fi
	mv -f "$file.mutant-orig" "$file"
	restore=""
done <"$list"
echo "$killed killed, $survivors survived, $broken broken"
[ "$survivors" = 0 ] && [ "$broken" = 0 ]
