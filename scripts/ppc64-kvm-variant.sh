#!/usr/bin/env bash
# A PowerPC KVM test fixture: kvm.ko and kvm-hv.ko of Debian's ppc64el 6.1
# kernel rebuilt from linux-source-6.1 with the patch
# e2e/ppc64/variants/NAME.patch, for Debian's own vmlinux. The rigs load
# them instead of the image's modules to get a kernel behaviour Debian does
# not ship for ppc64el (a 5.17-6.0 kernel, say); the modules are built in
# C and not patched in binary, so they behave as that source would.
#
#   ppc64-kvm-variant.sh NAME    e.g. no-dec-migration-fix
#
# Prints a directory holding kvm.ko, kvm-hv.ko (and any other module of
# arch/powerpc/kvm that kvm-hv depends on), uncompressed and stripped of
# debug info as Debian installs them, with load-order listing them in the
# order to insmod them. The directory is
# $CACHE/ppc64-kvm-variant/NAME_HASH, HASH covering the patch, this script
# and the Debian kernel's ABI and version: a second call only looks that up.
#
# To load into linux-image-ABI-powerpc64le the modules must carry the
# image's vermagic, and the CRCs of their imports must be those of the
# image's exports (modversions). So: the source of the image's own version
# (linux-source-6.1 of the same Debian version, extracted once and kept
# pristine), Debian's .config of that flavour and Module.symvers (from the
# ppc64el headers package, scripts/cross-headers.sh), make olddefconfig
# with the release string Debian's build passes (KERNELRELEASE=ABI, so
# UTS_RELEASE is ABI), modules_prepare, and "make M=arch/powerpc/kvm
# modules", which takes the CRCs of vmlinux's exports from Module.symvers,
# as an out-of-tree build against the headers would. A hard-linked copy of
# the pristine source is patched (each file the patch touches gets an
# inode of its own first) and built with O= into a work directory, removed
# afterwards; the source tree of scripts/tree.sh is left alone (it links
# this repository into drivers/misc). The result is checked against the
# image's modules: same vermagic, and the same CRC for every symbol both
# import (__versions) or export (Module.symvers). The M= build would mark
# the modules out of tree; the intree flag of an in-tree build is put back
# (CFLAGS_arch/powerpc/kvm/MODULE.mod.o), so besides the patch they differ
# from the image's only in being unsigned (a taint on Debian, not a
# refusal: MODULE_SIG_FORCE is off). Debian's config has DEBUG_INFO_BTF
# off, so no pahole is needed. Measured with a patch that touches no
# code: .text, .data, .rodata and __versions as the image's byte for byte,
# .modinfo the same fields (intree=Y in another place); only .comment (the
# cross gcc's "12.2.0-14" against Debian's "12.2.0-14+deb12u1") and the
# signature differ.
#
# Build output: $LOGDIR/ppc64-kvm-variant-NAME.log. Serialised by its own
# lock ($CACHE/ppc64-kvm-variant.lock), not lock_cache: the rigs call this
# while make check holds that one.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")

suite=bookworm
flavour=powerpc64le
cross=powerpc64le-linux-gnu-
name=${1:-}
patchfile=$REPO/e2e/ppc64/variants/$name.patch
if [[ -z $name || $name == */* || ! -f $patchfile ]]; then
	known=()
	for p in "$REPO"/e2e/ppc64/variants/*.patch; do
		[[ -e $p ]] && known+=("$(basename "$p" .patch)")
	done
	echo "usage: ppc64-kvm-variant.sh NAME (one of: ${known[*]})" >&2
	exit 2
fi
store=$CACHE/ppc64-kvm-variant
log=$LOGDIR/ppc64-kvm-variant-$name.log
mkdir -p "$store"

# apt and debs.sh name the archive they talk to: keep that out of the
# output and the log.
redact() {
	sed -E 's#[a-z]+://[^ ]+#<archive>#g'
}

debs() {
	"$here/debs.sh" "$@" 2> >(redact >&2)
}

die() {
	echo "ppc64-kvm-variant: $*" >&2
	exit 1
}

host_packages() {
	local pkgs=(gcc-powerpc64le-linux-gnu binutils-powerpc64le-linux-gnu
		make bc bison flex libssl-dev libelf-dev xz-utils python3) missing=() p status
	for p in "${pkgs[@]}"; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[[ $status == installed ]] || missing+=("$p")
	done
	((${#missing[@]} == 0)) && return 0
	echo "ppc64-kvm-variant: installing ${missing[*]}" >&2
	apt-get update -q 2>&1 | redact >&2
	apt-get install -y -q -t "$suite" --no-install-recommends "${missing[@]}" 2>&1 | redact >&2
}

# ko_section SECTION KO: a section's bytes on stdout.
ko_section() {
	local tmp
	tmp=$(mktemp)
	"${cross}objcopy" -O binary --only-section="$1" "$2" "$tmp"
	cat "$tmp"
	rm -f "$tmp"
}

# ko_info FIELD KO: a field of a module's .modinfo.
ko_info() {
	ko_section .modinfo "$2" | tr '\0' '\n' | sed -n "s/^$1=//p"
}

# ko_versions KO: the module's __versions table, "CRC SYMBOL" per line,
# sorted by symbol (struct modversion_info: a u64 CRC, then the name in
# the rest of 64 bytes; ppc64el is little-endian).
ko_versions() {
	ko_section __versions "$1" | python3 -c '
import struct, sys
data = sys.stdin.buffer.read()
for off in range(0, len(data) - 63, 64):
    crc, raw = struct.unpack_from("<Q56s", data, off)
    print("0x%08x %s" % (crc, raw.split(b"\0")[0].decode()))
' | sort -k2,2
}

host_packages || die "cannot install the host packages"

# The image: its ABI (6.1.0-N-powerpc64le) and Debian version.
img=$(debs depends ppc64el "$suite" "linux-image-$flavour" | grep -m1 '^linux-image-') ||
	die "no linux-image-$flavour in $suite/ppc64el"
imgdeb=$(debs fetch ppc64el "$suite" "$img") || die "cannot fetch $img"
version=$(dpkg-deb -f "$imgdeb" Version)
abi=${img#linux-image-}

key=$({
	cat "$0" "$patchfile"
	echo "$name $abi $version"
} | sha256sum | cut -c1-16)
outdir=$store/${name}_$key
if [[ -e $outdir/.done ]]; then
	echo "$outdir"
	exit 0
fi

exec 6>"$CACHE/ppc64-kvm-variant.lock"
flock 6
# Another call may have built it while this one waited.
if [[ -e $outdir/.done ]]; then
	echo "$outdir"
	exit 0
fi
start=$SECONDS
: >"$log"
echo "ppc64-kvm-variant: building $name for $abi $version (log: $log)" >&2

# Debian's headers of the same package version: .config, Module.symvers,
# UTS_RELEASE.
kdir=$("$here/cross-headers.sh" ppc64el "$flavour" "$suite" 2> >(redact >&2)) ||
	die "cannot prepare the ppc64el headers"
[[ $(basename "$kdir") == "linux-headers-$abi" && ${kdir%/usr/src/*} == *"_$version" ]] ||
	die "headers $kdir are not linux-headers-$abi $version"

# The image's own modules, for the comparison, and kvm-hv's dependencies.
work=$store/work-$name
rm -rf "$work"
mkdir -p "$work/image"
dpkg-deb --fsys-tarfile "$imgdeb" |
	tar -x -C "$work/image" --wildcards "./lib/modules/$abi/kernel/arch/powerpc/kvm/*"
mods=$work/image/lib/modules/$abi/kernel/arch/powerpc/kvm
for f in "$mods"/*.ko.*; do
	case $f in
	*.ko.xz) xz -d "$f" ;;
	*.ko.gz) gzip -d "$f" ;;
	*.ko.zst) zstd -q -d --rm "$f" ;;
	*) [[ ! -e $f ]] || die "cannot unpack $f" ;;
	esac
done
# load: kvm-hv and what it depends on, dependencies first. All of them
# must be modules of arch/powerpc/kvm, the directory built here.
load=()
add_module() {
	local file=$mods/${1//_/-}.ko dep m
	[[ -e $file ]] || file=$mods/${1//-/_}.ko
	[[ -e $file ]] || die "$1 (a dependency of kvm-hv) is not a module of arch/powerpc/kvm"
	for m in "${load[@]}"; do
		[[ $m == "$(basename "$file")" ]] && return 0
	done
	for dep in $(ko_info depends "$file" | tr ',' ' '); do
		add_module "$dep"
	done
	load+=("$(basename "$file")")
}
add_module kvm-hv
echo "== $img $version: modules to build: ${load[*]}" >>"$log"

# The pristine source of the same version, extracted once: the installed
# linux-source-6.1 if it is that version, else the package from the suite.
src=$store/linux-source-$version
if [[ ! -e $src/.extracted ]]; then
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	if [[ $(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true) == "$version" ]]; then
		echo "== extracting /usr/src/linux-source-6.1.tar.xz" >>"$log"
		tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$src.tmp" --strip-components=1
	else
		srcdeb=$(debs fetch all "$suite" linux-source-6.1) || die "cannot fetch linux-source-6.1"
		[[ $(dpkg-deb -f "$srcdeb" Version) == "$version" ]] ||
			die "linux-source-6.1 in $suite is $(dpkg-deb -f "$srcdeb" Version), the image $version"
		echo "== extracting linux-source-6.1 $version" >>"$log"
		dpkg-deb --fsys-tarfile "$srcdeb" |
			tar -xO --wildcards '*/linux-source-6.1.tar.xz' |
			tar -xJ -C "$src.tmp" --strip-components=1
	fi
	mv "$src.tmp" "$src"
	touch "$src/.extracted"
fi

# The patched copy: hard links to the pristine files, except those the
# patch changes, which are copied first (patch would usually replace them
# by a new file anyway; this does not count on it). The build writes only
# under O=.
cp -al "$src" "$work/src"
rm "$work/src/.extracted"
echo "== patch $(basename "$patchfile")" >>"$log"
sed -n 's|^+++ b/\([^\t]*\).*|\1|p' "$patchfile" |
	while read -r f; do
		[[ -e $work/src/$f ]] || continue
		cp -p "$work/src/$f" "$work/src/$f.unshare"
		mv "$work/src/$f.unshare" "$work/src/$f"
	done
patch -d "$work/src" -p1 --fuzz=0 --no-backup-if-mismatch -r - \
	<"$patchfile" >>"$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; die "$name.patch does not apply to linux-source-6.1 $version"; }

out=$work/out
mkdir -p "$out"
cp "$kdir/.config" "$out/.config"
kmake=(make -C "$work/src" O="$out" ARCH=powerpc CROSS_COMPILE="$cross"
	KERNELRELEASE="$abi" -j2)
run() {
	echo "== ${*: -1}" >>"$log"
	"${kmake[@]}" "$@" >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; die "make ${*: -1} failed, see $log"; }
}
run olddefconfig
# Only what the toolchain reports should differ (compiler version text,
# assembler/linker capabilities); the CRC checks below are the judge.
echo "== .config lines that olddefconfig changed from Debian's:" >>"$log"
diff <(grep '^CONFIG_' "$kdir/.config") <(grep '^CONFIG_' "$out/.config") >>"$log" || true
cp "$kdir/Module.symvers" "$out/Module.symvers"
run modules_prepare
cmp -s "$kdir/include/generated/utsrelease.h" "$out/include/generated/utsrelease.h" ||
	die "UTS_RELEASE differs from the headers': $(cat "$out/include/generated/utsrelease.h")"

# An M= build is an external one for modpost, which then leaves out the
# intree flag: put it back in each module's .mod.c compile (Makefile.modfinal
# has no $(obj), so the per-object flags are named with the path).
printf '#include <linux/module.h>\nMODULE_INFO(intree, "Y");\n' >"$work/intree.h"
intree=()
for m in "${load[@]}"; do
	intree+=("CFLAGS_arch/powerpc/kvm/${m%.ko}.mod.o=-include $work/intree.h")
done
# arch/powerpc/kvm/Makefile's include paths (-Ivirt/kvm -Iarch/powerpc/kvm)
# are relative to the object tree, and an M= build does not get kbuild's
# -I$(srctree)/$(src) of an in-tree O= build (trace.h's TRACE_INCLUDE_PATH
# is "."): give them as source paths.
run M=arch/powerpc/kvm "${intree[@]}" \
	"ccflags-y=-I$work/src/virt/kvm -I$work/src/arch/powerpc/kvm" modules
kvmout=$out/arch/powerpc/kvm

# The checks against the image's modules, then the result.
mkdir -p "$work/result"
crcs=0
for m in "${load[@]}"; do
	[[ -e $kvmout/$m ]] || die "the build made no $m"
	"${cross}strip" --strip-debug -o "$work/result/$m" "$kvmout/$m"
	ours=$(ko_info vermagic "$work/result/$m")
	theirs=$(ko_info vermagic "$mods/$m")
	[[ $ours == "$theirs" ]] || die "$m: vermagic '$ours', the image's '$theirs'"
	[[ $(ko_info intree "$work/result/$m") == Y ]] || die "$m: no intree=Y in .modinfo"
	diffs=$(join -j2 <(ko_versions "$work/result/$m") <(ko_versions "$mods/$m") |
		awk '$2 != $3')
	[[ -z $diffs ]] || die "$m: imports with CRCs other than the image's: $diffs"
	n=$(join -j2 <(ko_versions "$work/result/$m") <(ko_versions "$mods/$m") | wc -l)
	only=$(join -j2 -v1 <(ko_versions "$work/result/$m") <(ko_versions "$mods/$m") |
		awk '{ print $1 }' | tr '\n' ' ')
	echo "== $m: vermagic '$ours'; $n imports with the image's CRCs; only here: ${only:-none}" >>"$log"
	crcs=$((crcs + n))
	echo "$m" >>"$work/result/load-order"
done
# Exports (what kvm-hv and other modules import from kvm): same CRCs as in
# Debian's Module.symvers, none missing.
exports=$(awk -F'\t' '$3 ~ /^arch\/powerpc\/kvm\// { print $2 "\t" $1 }' "$kvmout/Module.symvers" | sort)
theirs=$(awk -F'\t' '$3 ~ /^arch\/powerpc\/kvm\// { print $2 "\t" $1 }' "$kdir/Module.symvers" | sort)
[[ $exports == "$theirs" ]] ||
	die "exports differ from Debian's Module.symvers: $(diff <(echo "$theirs") <(echo "$exports") | head -n 5 | tr '\n' ' ')"
echo "== $(grep -c . <<<"$exports") exports with Debian's CRCs" >>"$log"

rm -rf "$outdir"
mv "$work/result" "$outdir"
touch "$outdir/.done"
rm -rf "$work"
# Older builds of this variant are of no further use.
for old in "$store/${name}"_*; do
	[[ $old == "$outdir" ]] || rm -rf "$old"
done
echo "== done in $((SECONDS - start)) s: $outdir" >>"$log"
echo "ppc64-kvm-variant: built in $((SECONDS - start)) s; $crcs imported CRCs and every export as in the image" >&2
echo "$outdir"
