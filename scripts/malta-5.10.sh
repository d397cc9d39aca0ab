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
prepare | build) ;;
variant)
	name=${2:-}
	chain=$(variant_chain "$name") || {
		echo "malta-5.10: unknown variant '$name' (no-count-ctl, old-timer, fixed-delivery)" >&2
		exit 2
	}
	;;
*)
	echo "usage: malta-5.10.sh prepare | build | variant NAME" >&2
	exit 2
	;;
esac

if ! dpkg-query -W -f='${Status}' gcc-mipsel-linux-gnu 2>/dev/null |
	grep -q 'ok installed'; then
	apt-get update -q >/dev/null
	apt-get install -y -q -t bookworm --no-install-recommends \
		gcc-mipsel-linux-gnu >/dev/null
fi

deb=$("$here/debs.sh" fetch all bullseye linux-source-5.10)
version=$(dpkg-deb -f "$deb" Version)
tree=$CACHE/malta/linux-$version
exec 6>"$CACHE/malta.lock"
flock 6
if [[ ! -e $tree/.extracted ]]; then
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO --wildcards '*/linux-source-5.10.tar.xz' |
		tar -xJ -C "$tree.tmp" --strip-components=1
	mv "$tree.tmp" "$tree"
	touch "$tree/.extracted"
fi

kflags=(ARCH=mips CROSS_COMPILE=mipsel-linux-gnu- -j"$(nproc)")
kmake=(make -C "$tree" "${kflags[@]}")
frag=$REPO/e2e/mips/malta-5.10.config
if ! cmp -s "$frag" "$tree/.ktb-fragment"; then
	KCONFIG_ALLCONFIG=$frag "${kmake[@]}" allnoconfig >/dev/null
	cp "$frag" "$tree/.ktb-fragment"
	# Every line of the fragment must have stuck.
	while read -r line; do
		[[ $line == CONFIG_* ]] || continue
		grep -qx "$line" "$tree/.config" ||
			{ echo "malta-5.10: $line did not stick" >&2; exit 1; }
	done <"$frag"
fi
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
