#!/usr/bin/env bash
# checkpatch.pl --strict over every .c and .h in src/ compat/ kunit/ and the
# stress rigs' fixture kernel modules (e2e/kfixture.h, e2e/*/slow*.c);
# each file is one result. Any ERROR, WARNING or CHECK fails that file.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
lock_cache
"$(dirname "$0")/tree.sh"

# --no-tree: with --root, checkpatch would also run the tree's spdxcheck.py,
# which needs python3-ply and python3-git in whatever python3 comes first on
# PATH and is silently skipped when they are missing. No ignores: every type
# it reports on our files is a real style point.
checkpatch=(perl "$(tree_dir)/scripts/checkpatch.pl" --strict --no-tree
	--terse --show-types -f)
log=$LOGDIR/checkpatch.log
rm -f "$RESDIR/checkpatch"
: >"$log"
# A clean result depends only on the file's name and bytes and on
# checkpatch itself: remember clean ones so that warm runs skip them.
okdir=$CACHE/checkpatch-ok
mkdir -p "$okdir"
cp_sum=$(printf '%s\n' "${checkpatch[@]}" | cat - "${checkpatch[1]}" | sha256sum)

cd "$REPO"
mapfile -t files < <({
	find src compat kunit -name '*.[ch]'
	ls e2e/kfixture.h e2e/*/slow*.c
} | sort)
passed=0 failed=0 cached=0
for f in "${files[@]}"; do
	key=$(printf '%s\n%s\n' "$cp_sum" "$f" | cat - "$f" | sha256sum | cut -c1-64)
	if [[ -e $okdir/$key ]]; then
		passed=$((passed + 1)) cached=$((cached + 1))
		continue
	fi
	if out=$("${checkpatch[@]}" "$f" 2>&1); then
		passed=$((passed + 1))
		touch "$okdir/$key"
	else
		failed=$((failed + 1))
		echo "$out" | grep -v '^total:'
	fi
	echo "$out" >>"$log"
done
echo "checkpatch: ${#files[@]} files ($cached unchanged and clean before)," \
	"$failed with findings (log: $log)"
if ((${#files[@]} == 0)); then
	record checkpatch 0 1 "no .c or .h files found"
	exit 1
fi
record checkpatch "$passed" "$failed" "one per file"
((failed == 0))
