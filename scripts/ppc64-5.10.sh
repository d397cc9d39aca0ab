#!/usr/bin/env bash
# A ppc64le POWER host kernel of the host-timebase era, 5.10 (Debian 11's,
# which Debian ships no ppc64el build of any more), with KVM-HV as modules:
# configured from e2e/ppc64/powernv-5.10.config (allnoconfig plus that
# fragment) and built from linux-source-5.10 with Debian 12's cross gcc 12.
# It boots under qemu-system-ppc64 -M powernv8 (POWER8: the P7/P8 guest
# entry path, timebase offset applied through TBU40) and runs KVM-HV
# guests. Unlike 6.1, its KVM_RUN returns RESUME_HOST (2), not 0, after an
# exit to userspace such as a guest's hypercall.
#
#   ppc64-5.10.sh build    configure, build vmlinux and modules (kvm.ko,
#                          kvm-hv.ko); print the built tree
#   ppc64-5.10.sh debug    the same sources configured from
#                          powernv-5.10.config plus
#                          e2e/ppc64/powernv-5.10-debug.config (preemption,
#                          lockdep, debug objects, SLUB debug, failslab...),
#                          vmlinux and modules built; print its tree
#
# The printed tree is the O= output directory: TREE/vmlinux,
# TREE/arch/powerpc/kvm/kvm{,-hv}.ko, and a KDIR for out-of-tree modules
# (make -C TREE ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu- M=DIR
# modules). It is $CACHE/ppc64-5.10/KEY, KEY a hash of this script, the
# fragment, the source version and the compiler; a tree built for that key
# is returned at once (a second call takes about a second). Trees of other
# keys are removed by the next build once unused for a day. The build log
# is $LOGDIR/ppc64-5.10-build.log.
#
# The debug tree is $CACHE/ppc64-5.10/KEY-debug, KEY a hash of the same
# and of the debug fragment, next to the plain one and under the same
# lock and clean-up rule; it is another O= directory over the same
# source copy (a configuration that changes lockdep's hooks recompiles
# nearly everything, so it shares no objects, but nothing is extracted
# again). It is configured from the two fragments merged (a symbol the
# debug fragment sets replaces the base's line for it), every line of
# which must stick. Log: $LOGDIR/ppc64-5.10-debug-build.log. The stress
# rig (scripts/stress-ppc64.sh) boots it.
#
# Sources: the linux-source-5.10 tree that scripts/matrix-lib.sh extracts
# into $CACHE/src (extracted here if missing, under the matrix's lock for
# it), hard-linked into $CACHE/ppc64-5.10/src-VERSION, never built in. The
# copy drops the matrix's link of this repository into drivers/misc (the
# link points at whichever clone last ran the matrix, maybe gone: Kconfig
# would fail on it). Only the two files that link touches are rewritten in
# the copy, which gives them inodes of their own; nothing writes into the
# other (shared) files.
#
# gcc 12 needs nothing extra for this configuration (no warning in the
# whole build); the fragment still turns off arch/powerpc's -Werror, so
# that a gcc update's new warning cannot stop the build.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# mx_lock and mx_source: the shared extracted linux-source-5.10.
# shellcheck source=matrix-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/matrix-lib.sh"
here=$(dirname "$0")
what=${1:-build}

case $what in
build | debug) ;;
*)
	echo "usage: ppc64-5.10.sh build | debug" >&2
	exit 2
	;;
esac

cross=powerpc64le-linux-gnu-
if ! dpkg-query -W -f='${Status}' gcc-powerpc64le-linux-gnu 2>/dev/null |
	grep -q 'ok installed'; then
	apt-get update -q >/dev/null
	apt-get install -y -q -t bookworm --no-install-recommends \
		gcc-powerpc64le-linux-gnu >/dev/null
fi

frag=$REPO/e2e/ppc64/powernv-5.10.config
dfrag=$REPO/e2e/ppc64/powernv-5.10-debug.config
base=$CACHE/ppc64-5.10
log=$LOGDIR/ppc64-5.10-build.log
[[ $what == debug ]] && log=$LOGDIR/ppc64-5.10-debug-build.log
mkdir -p "$base"
exec 6>"$CACHE/ppc64-5.10.lock"
flock 6

deb=$("$here/debs.sh" fetch amd64 bullseye linux-source-5.10)
version=$(dpkg-deb -f "$deb" Version)
key=$({
	cat "$0" "$frag"
	[[ $what == build ]] || cat "$dfrag"
	echo "$version"
	"${cross}gcc" --version | head -n1
} | sha256sum | cut -c1-16)
out=$base/$key
[[ $what == build ]] || out=$out-debug
src=$base/src-$version
if [[ -e $out/.ktb-built ]]; then
	touch "$out/.ktb-built" # last use, see below
	echo "$out"
	exit
fi

# Other builds are kept for a day after their last use (other clones of
# this repository, with another fragment or script, share the cache and
# would otherwise remove each other's tree at every call), then removed,
# with the source copies that no remaining build uses (a build's
# "source" link names its copy: M= builds read it). No build is running
# (the lock is held): one without .ktb-built was interrupted.
for d in "$base"/*; do
	[[ -d $d && $d != "$base"/src-* ]] || continue
	if [[ ! -e $d/.ktb-built || -n $(find "$d/.ktb-built" -mmin +1440) ]]; then
		rm -rf "$d"
	fi
done
for s in "$base"/src-*; do
	[[ -e $s && $s != "$src" ]] || continue
	used=
	for l in "$base"/*/source; do
		[[ $(readlink "$l") == "$s" ]] && used=1
	done
	[[ -n $used ]] || rm -rf "$s"
done

if [[ ! -e $src/.ktb-copied ]]; then
	rm -rf "$src" "$src.tmp"
	(
		mx_lock src-5.10
		shared=$CACHE/src/linux-source-$version
		[[ -e $shared/.ktb-extracted ]] || mx_source 5.10 bullseye >/dev/null
		cp -al "$shared" "$src.tmp"
	)
	rm -f "$src.tmp/drivers/misc/kvm_timer_backport"
	sed -i '/kvm_timer_backport/d' "$src.tmp/drivers/misc/Kconfig" \
		"$src.tmp/drivers/misc/Makefile"
	touch "$src.tmp/.ktb-copied"
	mv "$src.tmp" "$src"
fi

kmake=(make -C "$src" O="$out" ARCH=powerpc CROSS_COMPILE="$cross")
mkdir -p "$out"
echo "ppc64-5.10: building $out (log: $log)" >&2
allconfig=$frag
if [[ $what == debug ]]; then
	allconfig=$out/.ktb-allconfig
	merge_config "$frag" "$dfrag" >"$allconfig"
fi
KCONFIG_ALLCONFIG=$allconfig "${kmake[@]}" allnoconfig >"$log" 2>&1 ||
	{ tail -20 "$log" >&2; exit 1; }
# Every line of the fragment(s) must have stuck.
while read -r line; do
	[[ $line == CONFIG_* ]] || continue
	grep -qx "$line" "$out/.config" ||
		{ echo "ppc64-5.10: $line did not stick" >&2; exit 1; }
done <"$allconfig"
"${kmake[@]}" -j"$(nproc)" vmlinux modules >>"$log" 2>&1 ||
	{ tail -20 "$log" >&2; exit 1; }
touch "$out/.ktb-built"
echo "$out"
