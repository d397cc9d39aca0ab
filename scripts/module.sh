#!/usr/bin/env bash
# Build the module out of tree against Debian's newest 6.1 amd64 headers (or
# $KDIR) with W=1, then run sparse over every source (C=2). Any diagnostic
# is a failure.
# Records two steps: module-build (compiler, modpost) and sparse.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
lock_cache

# KDIR=/path/to/prepared/tree builds for another kernel instead.
kdir=${KDIR:-$(printf '%s\n' /usr/src/linux-headers-6.1.*-amd64 | sort -V | tail -n1)}
[[ -d $kdir ]] || { echo "module: no kernel tree at $kdir" >&2; exit 1; }

# A fresh copy every run: the repository stays clean, and nothing is left
# built from a previous run that would hide its warnings.
work=$CACHE/build/mod-6.1-amd64
rm -rf "$work"
mkdir -p "$work"
tar -C "$REPO" --exclude=.git -cf - . | tar -C "$work" -xf -
make -s -C "$kdir" M="$work" clean

diag='(warning|error|WARNING|ERROR):'
# run STEP MAKE-ARGS...: build, record and show the diagnostics.
run() {
	local step=$1 log=$LOGDIR/$1.log rc=0
	shift
	echo "$step: make -C $kdir M=$work $* (log: $log)"
	make -k -C "$kdir" M="$work" "$@" >"$log" 2>&1 || rc=$?
	if ((rc == 0)) && ! grep -Eq "$diag" "$log"; then
		record "$step" 1 0 "$(basename "$kdir")"
		return 0
	fi
	grep -E "$diag" "$log" | sed "s|$work/||" | head -n 50
	echo "$step: FAILED (make exit $rc, $(grep -Ec "$diag" "$log") diagnostics)"
	record "$step" 0 1 "$(grep -Ec "$diag" "$log") diagnostics, make exit $rc"
	return 1
}

rm -f "$RESDIR/module-build" "$RESDIR/sparse"
rc=0
run module-build W=1 modules || rc=1
# Everything is built now: C=2 runs sparse alone, over every source.
run sparse W=1 C=2 modules || rc=1
((rc == 0)) && echo "module: built $work/kvm_timer_backport.ko"
exit $rc
