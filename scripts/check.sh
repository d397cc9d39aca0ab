#!/usr/bin/env bash
# make check: install what is missing, run every step, print a table and,
# last, "check: N passed, M failed". Exits non-zero on any failure.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
lock_cache
here=$(dirname "$0")
rm -f "$RESDIR"/*

if ! "$here/deps.sh" || ! "$here/tree.sh"; then
	echo "check: setup (packages or kernel tree) failed"
	echo "check: 0 passed, 1 failed"
	exit 1
fi

# Each step records its own counts; one that records nothing failed.
"$here/kunit.sh" default || true
"$here/uml-lint.sh" || true
"$here/kunit.sh" debug || true
"$here/module.sh" || true
"$here/checkpatch.sh" || true
"$here/kerneldoc.sh" || true
"$here/bench.sh" || true
"$here/pkg-test.sh" || true
"$here/e2e-ppc64.sh" || true
"$here/e2e-mips.sh" || true
"$here/stress.sh" || true
"$here/stress-ppc64.sh" || true
"$here/matrix.sh" || true

passed=0 failed=0
printf '\n%-13s %6s %6s  %s\n' step passed failed note
for step in kunit uml-lint kunit-debug module-build sparse checkpatch kerneldoc bench packages e2e-ppc64 e2e-mips stress stress-ppc64 matrix; do
	p=0 f=1 note="did not run to the end"
	if [[ -f $RESDIR/$step ]]; then
		IFS=$'\t' read -r _ p f note <"$RESDIR/$step"
	fi
	printf '%-13s %6d %6d  %s\n' "$step" "$p" "$f" "$note"
	passed=$((passed + p)) failed=$((failed + f))
done
echo "logs: $LOGDIR, took ${SECONDS}s"
echo "check: $passed passed, $failed failed"
((failed == 0))
