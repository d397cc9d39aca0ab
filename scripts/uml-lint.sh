#!/usr/bin/env bash
# W=1 and sparse (C=2) over our sources as the KUnit build compiles them:
# UML with CONFIG_KUNIT=y, so kunit/*.c too, which the amd64 module build
# never sees. A build dir of its own, seeded with the KUnit run's .config;
# our objects are deleted first so that no warning hides in a cached one.
# Any diagnostic in one of our files fails.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
lock_cache
"$(dirname "$0")/tree.sh"

step=uml-lint
seed=$CACHE/build/um-6.1/.config
lint=$CACHE/build/um-6.1-lint
log=$LOGDIR/$step.log
rm -f "$RESDIR/$step"
if [[ ! -f $seed ]]; then
	echo "$step: no $seed: run scripts/kunit.sh first"
	record "$step" 0 1 "no KUnit build to take .config from"
	exit 1
fi
mkdir -p "$lint"
cmp -s "$seed" "$lint/.config" || cp "$seed" "$lint/.config"
rm -rf "$lint/drivers/misc/kvm_timer_backport"

cd "$(tree_dir)"
echo "$step: make ARCH=um O=$lint W=1 C=2 drivers/misc/kvm_timer_backport/ (log: $log)"
rc=0
make ARCH=um O="$lint" -j2 W=1 C=2 drivers/misc/kvm_timer_backport/ \
	>"$log" 2>&1 || rc=$?

ours='kvm_timer_backport/[^:]*:[0-9]+:([0-9]+:)? (warning|error):'
n=$(grep -Ec "$ours" "$log" || true)
if ((rc == 0 && n == 0)); then
	record "$step" 1 0 "W=1 C=2, UML KUnit config"
	exit 0
fi
grep -E "$ours" "$log" | sed 's|^.*/kvm_timer_backport/||' | head -n 50
((rc == 0)) || tail -n 20 "$log"
echo "$step: FAILED (make exit $rc, $n diagnostics)"
record "$step" 0 1 "$n diagnostics, make exit $rc"
exit 1
