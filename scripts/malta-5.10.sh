#!/usr/bin/env bash
# The 32-bit Malta 5.10 host kernel with KVM trap-and-emulate (the only
# MIPS KVM that runs under QEMU: no QEMU CPU has VZ), configured from
# e2e/mips/malta-5.10.config and built from Debian's linux-source-5.10.
#
#   malta-5.10.sh prepare        configure + modules_prepare; print the tree
#   malta-5.10.sh build          also vmlinux and modules; print the tree
#   malta-5.10.sh variant NAME   the built tree with the test-fixture patch
#                                chain of NAME applied (see variant_chain)
#                                and rebuilt; print the variant's tree
#   malta-5.10.sh debug          the same sources configured from
#                                malta-5.10.config plus
#                                e2e/mips/malta-5.10-debug.config (lockdep,
#                                debug objects, SLUB debug, failslab...),
#                                vmlinux and modules built; print its tree
#
# A variant tree is a copy of the built base tree next to it (the
# tarball's sources hard-linked, everything the build wrote copied, see
# below), patched, then rebuilt by kbuild's dependency tracking: only what
# the patches touch is compiled again. Its arch/mips/kvm/kvm.ko and
# vmlinux are the variant kernel (vmlinux is relinked only when a patch
# changes something built into it, such as struct kvm_vcpu_arch, which the
# built-in arch/mips/kvm/tlb.o uses), and out-of-tree modules for it are
# built against that tree. It is cached under a hash of its patches, of
# the base build and of this script, and redone when any changes.
#
# The debug tree differs from the base by configuration only, and a
# configuration that changes lockdep's hooks recompiles nearly everything,
# so it shares nothing with the base tree: the tarball is extracted again
# next to it (linux-VERSION-debug), under a lock of its own (it never
# blocks the base or the variants), and configured from the two fragments
# merged (a symbol the debug fragment sets replaces the base's line for
# it), every line of which must stick. It is cached under a hash of both
# fragments and of this script; when any changes it is reconfigured and
# kbuild rebuilds what the change touches. Its kvm.ko and vmlinux are the
# debug kernel, and out-of-tree modules for it are built against it.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
what=${1:-prepare}

# variant_chain NAME: the patches of e2e/mips/variants/ that make the
# variant, in the order they apply (each is -p1 on top of the previous).
variant_chain() {
	case $1 in
	no-count-ctl) echo no-count-ctl.patch ;;
	old-timer) echo no-count-ctl.patch old-timer.patch ;;
	fixed-delivery) echo fixed-delivery.patch ;;
	*) return 1 ;;
	esac
}

case $what in
prepare | build | debug) ;;
variant)
	name=${2:-}
	chain=$(variant_chain "$name") || {
		echo "malta-5.10: unknown variant '$name' (no-count-ctl, old-timer, fixed-delivery)" >&2
		exit 2
	}
	;;
*)
	echo "usage: malta-5.10.sh prepare | build | variant NAME | debug" >&2
	exit 2
	;;
esac

if ! dpkg-query -W -f='${Status}' gcc-mipsel-linux-gnu 2>/dev/null |
	grep -q 'ok installed'; then
	apt-get update -q >/dev/null
	apt-get install -y -q -t bookworm --no-install-recommends \
		gcc-mipsel-linux-gnu >/dev/null
fi

# The fetch's progress lines name the archive: keep them out of the logs.
deb=$("$here/debs.sh" fetch all bullseye linux-source-5.10 2> >(sed -E 's#[a-z]+://[^ ]+#<archive>#g' >&2))
version=$(dpkg-deb -f "$deb" Version)
kflags=(ARCH=mips CROSS_COMPILE=mipsel-linux-gnu- -j"$(nproc)")
frag=$REPO/e2e/mips/malta-5.10.config

# extract DIR: the tarball's sources in DIR, once (marked .extracted).
extract() {
	[[ -e $1/.extracted ]] && return
	rm -rf "$1" "$1.tmp"
	mkdir -p "$1.tmp"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO --wildcards '*/linux-source-5.10.tar.xz' |
		tar -xJ -C "$1.tmp" --strip-components=1
	mv "$1.tmp" "$1"
	touch "$1/.extracted"
}

# configure DIR FRAGMENT: allnoconfig plus FRAGMENT in DIR, unless DIR
# was last configured from the same text (kept as DIR/.ktb-fragment).
configure() {
	local line
	cmp -s "$2" "$1/.ktb-fragment" && return
	KCONFIG_ALLCONFIG=$2 make -C "$1" "${kflags[@]}" allnoconfig >/dev/null
	# Every line of the fragment must have stuck (recorded only then, so
	# a rerun checks again).
	while read -r line; do
		[[ $line == CONFIG_* ]] || continue
		grep -qx "$line" "$1/.config" ||
			{ echo "malta-5.10: $line did not stick" >&2; exit 1; }
	done <"$2"
	cp "$2" "$1/.ktb-fragment"
}

if [[ $what == debug ]]; then
	dtree=$CACHE/malta/linux-$version-debug
	dfrag=$REPO/e2e/mips/malta-5.10-debug.config
	dlog=$LOGDIR/malta-5.10-debug.log
	exec 6>"$CACHE/malta-debug.lock"
	flock 6
	key=$(cat "$0" "$frag" "$dfrag" | sha256sum | cut -d' ' -f1)
	if [[ -e $dtree/.ktb-debug && $(<"$dtree/.ktb-debug") == "$key" ]]; then
		echo "$dtree"
		exit
	fi
	extract "$dtree"
	merge_config "$frag" "$dfrag" >"$dtree/.ktb-allconfig"
	configure "$dtree" "$dtree/.ktb-allconfig"
	make -C "$dtree" "${kflags[@]}" vmlinux modules >"$dlog" 2>&1 ||
		{ tail -20 "$dlog" >&2; exit 1; }
	echo "$key" >"$dtree/.ktb-debug"
	echo "$dtree"
	exit
fi

tree=$CACHE/malta/linux-$version
exec 6>"$CACHE/malta.lock"
flock 6
extract "$tree"
kmake=(make -C "$tree" "${kflags[@]}")
configure "$tree" "$frag"
if [[ $what == prepare ]]; then
	"${kmake[@]}" modules_prepare >"$LOGDIR/malta-5.10-prepare.log" 2>&1 ||
		{ tail -20 "$LOGDIR/malta-5.10-prepare.log" >&2; exit 1; }
	echo "$tree"
	exit
fi
"${kmake[@]}" vmlinux modules >"$LOGDIR/malta-5.10-build.log" 2>&1 ||
	{ tail -20 "$LOGDIR/malta-5.10-build.log" >&2; exit 1; }
if [[ $what == build ]]; then
	echo "$tree"
	exit
fi

# The variant, still under the lock: a rebuild of the base (new config,
# new vmlinux or kvm.ko), a changed patch or a change to this script
# gives a new key.
vtree=$tree-$name
vlog=$LOGDIR/malta-5.10-variant-$name.log
key=$({
	cat "$0"
	echo "$name"
	for p in $chain; do
		echo "$p"
		cat "$REPO/e2e/mips/variants/$p"
	done
	cat "$tree/.config" "$tree/vmlinux" "$tree/arch/mips/kvm/kvm.ko"
} | sha256sum | cut -d' ' -f1)
if [[ -e $vtree/.ktb-variant && $(<"$vtree/.ktb-variant") == "$key" ]]; then
	echo "$vtree"
	exit
fi
rm -rf "$vtree"
# The copy shares with the base only the files untouched since the
# extraction: the tarball's sources, which the build only reads. What the
# base build wrote (objects, .cmd files, generated headers, .config, ...)
# is newer than .extracted and is copied, after removing the link, since
# the compiler and kbuild rewrite such files in place. The files the
# patches change get an inode of their own below, whatever patch does.
cp -al "$tree" "$vtree"
(cd "$tree" && find . -type f -newer .extracted -print0) |
	(cd "$tree" && xargs -0r cp -a --parents --remove-destination -t "$vtree")
# kbuild records a few absolute paths in .cmd files (the vDSO's -include
# of lib/vdso/gettimeofday.c): point them at the copy, or the changed
# command line rebuilds the vDSO and relinks vmlinux for every variant.
abs=$(grep -rlF --include='.*.cmd' "$tree/" "$vtree") || (($? == 1))
if [[ -n $abs ]]; then
	mapfile -t abs <<<"$abs"
	sed -i "s|${tree//./\\.}/|$vtree/|g" "${abs[@]}"
fi
: >"$vlog"
for p in $chain; do
	echo "== $p" >>"$vlog"
	sed -n 's|^+++ b/||p' "$REPO/e2e/mips/variants/$p" |
		while read -r f; do
			[[ -e $vtree/$f ]] || continue
			cp -p "$vtree/$f" "$vtree/$f.ktb-unshare"
			mv "$vtree/$f.ktb-unshare" "$vtree/$f"
		done
	patch -d "$vtree" -p1 --fuzz=0 --no-backup-if-mismatch -r - \
		<"$REPO/e2e/mips/variants/$p" >>"$vlog" 2>&1 ||
		{ tail -20 "$vlog" >&2; echo "malta-5.10: $p does not apply" >&2; exit 1; }
done
# Not "make modules" alone: that leaves KBUILD_BUILTIN unset, so a patch
# that changes a header also used by built-in code (old-timer's
# struct kvm_vcpu_arch, read by the built-in tlb.o) would leave vmlinux
# with the old layout and kvm.ko with the new one.
echo "== make vmlinux modules" >>"$vlog"
make -C "$vtree" "${kflags[@]}" vmlinux modules >>"$vlog" 2>&1 ||
	{ tail -20 "$vlog" >&2; exit 1; }
echo "$key" >"$vtree/.ktb-variant"
echo "$vtree"
