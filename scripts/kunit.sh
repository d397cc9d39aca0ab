#!/usr/bin/env bash
# Run the KUnit suites in UML 6.1 with kunit.py: scripts/kunit.sh [default|debug]
# default: kunit/.kunitconfig; debug: kunit/debug.kunitconfig (lockdep, KASAN,
# UBSAN), whose raw kernel log must also be free of splats.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
lock_cache

case ${1:-default} in
default) step=kunit conf=$REPO/kunit/.kunitconfig build=$CACHE/build/um-6.1 ;;
debug) step=kunit-debug conf=$REPO/kunit/debug.kunitconfig build=$CACHE/build/um-6.1-debug ;;
*) echo "usage: $0 [default|debug]" >&2 && exit 2 ;;
esac
log=$LOGDIR/$step.log
rm -f "$RESDIR/$step"

"$(dirname "$0")/tree.sh"
mkdir -p "$build"
# The tree's link follows whichever clone ran last: when that changes, drop
# our objects, since another clone's older file times could look up to date.
if [[ $(cat "$build/.ktb-repo" 2>/dev/null) != "$REPO" ]]; then
	rm -rf "$build/drivers/misc/kvm_timer_backport"
	echo "$REPO" >"$build/.ktb-repo"
fi
cd "$(tree_dir)"
echo "$step: kunit.py run --build_dir=$build (log: $log)"
rc=0
timeout 3600 ./tools/testing/kunit/kunit.py run --arch=um --jobs=2 \
	--timeout=600 --build_dir="$build" --kunitconfig="$conf" \
	>"$log" 2>&1 || rc=$?
sed -i 's/\x1b\[[0-9;]*m//g' "$log"

summary=$(grep -o 'Testing complete\. Ran [0-9]* tests:.*' "$log" | tail -n1 || true)
if [[ -z $summary ]]; then
	# No parsed results: say which stage kunit.py stopped in.
	if ((rc == 124)); then
		why="timed out"
	elif grep -q 'Starting KUnit Kernel' "$log"; then
		why="kernel run/parse failed"
	elif grep -q 'Building KUnit Kernel' "$log"; then
		why="build failed"
	else
		why="config failed"
	fi
	grep -E '(error|warning):' "$log" | head -n 30 || true
	tail -n 15 "$log"
	echo "$step: FAILED: $why (rc=$rc)"
	record "$step" 0 1 "$why"
	exit 1
fi

# Passing cases are in the log; show suites, failures and the totals.
sed -n '/Starting KUnit Kernel/,$p' "$log" | grep -Ev '\[PASSED\]|^stty: ' || true

count() { grep -o "$1: [0-9]*" <<<"$summary" | grep -o '[0-9]*$' || echo 0; }
passed=$(count passed)
failed=$(($(count failed) + $(count crashed) + $(count errors)))
skipped=$(count skipped)
note="skipped $skipped"
if ((passed + failed == 0)); then
	failed=1 note="no tests ran"
elif ((rc != 0 && failed == 0)); then
	failed=1 note="kunit.py exited $rc"
fi

if [[ $step == kunit-debug ]]; then
	# lockdep, KASAN, UBSAN and WARN_ON reports do not fail a test case.
	splat='BUG:|WARNING:|UBSAN:|KASAN:|Kernel panic|INFO: trying to register'
	if grep -En "$splat" "$build/test.log"; then
		echo "$step: kernel splat in $build/test.log"
		failed=$((failed + 1)) note="$note, kernel splat"
	else
		passed=$((passed + 1)) note="$note, +1 clean kernel log"
	fi
fi

record "$step" "$passed" "$failed" "$note"
((failed == 0))
