#!/usr/bin/env bash
# Debian's real kmod (modprobe, depmod, insmod, rmmod, lsmod, modinfo) for
# a QEMU rig's initramfs. Busybox's modprobe does not implement softdep, so
# a rig that shows the module loading by itself, as on a booted machine,
# needs this one.
#
#   rig-kmod.sh ARCH ROOT
#     ARCH  Debian architecture of the guest: mipsel or ppc64el (any other
#           one bookworm has works the same way)
#     ROOT  the initramfs root directory (created if missing)
#
# Installs into ROOT, at the paths Debian's packages use:
#   /bin/kmod; symlinks /bin/lsmod and /sbin/{depmod,insmod,lsmod,modinfo,
#   modprobe,rmmod} -> kmod; the dynamic loader (the ELF interpreter) and
#   every shared library kmod needs, found by following DT_NEEDED from
#   /bin/kmod recursively (libkmod, libc, liblzma, libzstd, libcrypto...).
# Nothing else: no modprobe.d configuration (copy
# packaging/kvm-timer-backport.conf to ROOT/lib/modprobe.d/, as the .deb
# installs it), no modules, no /etc/ld.so.cache (the loader's built-in
# search path finds the libraries). Every symlink is relative, so ROOT
# works both as the guest's / and as qemu-user's -L prefix:
#   qemu-ppc64le-static -L ROOT ROOT/sbin/depmod -b DIR KVER
#
# `busybox --install -s /bin`, run afterwards, keeps the files already
# there, so /bin/lsmod stays kmod's while /bin/modprobe, /bin/insmod and
# /bin/rmmod become busybox's; call kmod's by their full path
# (/sbin/modprobe, /sbin/depmod) where it matters.
#
# Packages: bookworm's kmod and the library packages it depends on
# (recursively; only packages named lib*, which hold the libraries), fetched
# with scripts/debs.sh, never installed on this machine. The unpacked
# result is cached in $CACHE/rig-kmod/ARCH/ per set of package versions.
# When qemu-user-static is installed, ROOT's kmod is run once under it
# (kmod --version) before this exits 0.
#
# Prints one line: "rig-kmod: kmod VERSION (ARCH) in ROOT: N files".
# Exit: 0 done; 1 a package, library or the check failed; 2 usage.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")

usage() {
	sed -n '7,10p' "$0" >&2
	exit 2
}
(($# == 2)) || usage
arch=$1 root=$2
suite=bookworm
[[ $arch =~ ^[a-z0-9]+$ ]] || usage

die() {
	echo "rig-kmod: $*" >&2
	exit 1
}

# apt and debs.sh name the archive they talk to: keep that out of the
# output, which CI may store.
debs() {
	"$here/debs.sh" "$@" 2> >(sed -E 's#[a-z]+://[^ ]+#<archive>#g' >&2)
}

# kmod and, recursively, the lib* packages it depends on.
declare -A seen=()
pkgs=()
want=(kmod)
while ((${#want[@]})); do
	p=${want[0]}
	want=("${want[@]:1}")
	[[ -z ${seen[$p]:-} ]] || continue
	seen[$p]=1
	pkgs+=("$p")
	deps=$(debs depends "$arch" "$suite" "$p") || die "cannot resolve the dependencies of $p ($suite/$arch)"
	for d in $deps; do
		d=${d%%:*}
		[[ $d == lib* && -z ${seen[$d]:-} ]] && want+=("$d")
	done
done
mapfile -t files < <(debs fetch "$arch" "$suite" "${pkgs[@]}") ||
	die "cannot fetch ${pkgs[*]} ($suite/$arch)"
((${#files[@]} == ${#pkgs[@]})) || die "cannot fetch ${pkgs[*]} ($suite/$arch)"

key=$(for f in "${files[@]}"; do basename "$f"; done | LC_ALL=C sort | sha256sum | cut -c1-16)
store=$CACHE/rig-kmod/$arch
stage=$store/$key
mkdir -p "$store"
exec 6>"$store/.lock"
flock 6

# copy_path SRC DST REL: copy REL (a file or a symlink, with every link in
# its chain and the file it ends at) from tree SRC to tree DST, making
# absolute symlinks relative. Sets copied to the file's path in the tree.
copied=
copy_path() {
	local src=$1 dst=$2 rel=$3 target dir hops=0
	while :; do
		[[ -e $src/$rel || -L $src/$rel ]] || return 1
		((++hops < 40)) || return 1
		dir=$(dirname "$rel")
		mkdir -p "$dst/$dir"
		if [[ -L $src/$rel ]]; then
			target=$(readlink "$src/$rel")
			if [[ $target == /* ]]; then
				ln -sfn "$(realpath -sm --relative-to="/$dir" "$target")" "$dst/$rel"
				rel=${target#/}
			else
				ln -sfn "$target" "$dst/$rel"
				rel=$(realpath -sm --relative-to=/ "/$dir/$target")
			fi
		else
			cp -p "$src/$rel" "$dst/$rel"
			copied=$rel
			return 0
		fi
	done
}

# find_lib UNPACKED SONAME: the library's path in the unpacked packages,
# in the directories the loader searches.
find_lib() {
	local d
	for d in "$1"/lib/*-linux-gnu* "$1"/usr/lib/*-linux-gnu* "$1"/{lib,lib64,lib32,usr/lib,usr/lib64}; do
		if [[ -e $d/$2 || -L $d/$2 ]]; then
			echo "${d#"$1"/}/$2"
			return 0
		fi
	done
	return 1
}

build_stage() {
	local tmp=$stage.tmp un out f rel interp lib
	rm -rf "$tmp"
	un=$tmp/unpacked out=$tmp/root
	mkdir -p "$un" "$out"
	for f in "${files[@]}"; do
		dpkg-deb -x "$f" "$un"
	done
	copy_path "$un" "$out" bin/kmod || die "no /bin/kmod in $(basename "${files[0]}")"
	# The package's own links to kmod, nothing else of it.
	while IFS= read -r rel; do
		if [[ $(basename "$(readlink "$un/$rel")") == kmod ]]; then
			copy_path "$un" "$out" "$rel"
		fi
	done < <(cd "$un" && find bin sbin usr/bin usr/sbin -type l 2>/dev/null)

	interp=$(readelf -lW "$un/bin/kmod" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
	[[ -n $interp ]] || die "bin/kmod has no ELF interpreter"
	copy_path "$un" "$out" "${interp#/}" || die "no loader $interp in ${pkgs[*]}"

	# DT_NEEDED, recursively, from kmod and each library it brings.
	local -A done_libs=()
	local todo=(bin/kmod) elf
	while ((${#todo[@]})); do
		elf=${todo[0]}
		todo=("${todo[@]:1}")
		while IFS= read -r lib; do
			[[ -z ${done_libs[$lib]:-} ]] || continue
			done_libs[$lib]=1
			rel=$(find_lib "$un" "$lib") || die "$lib (needed by $elf) is in none of ${pkgs[*]}"
			copy_path "$un" "$out" "$rel" || die "$rel: a broken symlink"
			todo+=("$copied")
		done < <(readelf -dW "$un/$elf" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]$/\1/p')
	done
	dpkg-deb -f "${files[0]}" Version >"$tmp/version"
	rm -rf "$un" "$stage"
	mv "$tmp" "$stage"
}
[[ -d $stage/root ]] || build_stage

mkdir -p "$root"
cp -a --remove-destination "$stage/root/." "$root/"

# kmod runs where it is going to run: a foreign binary under qemu-user.
case $arch in
ppc64el) qarch=ppc64le ;;
arm64) qarch=aarch64 ;;
amd64) qarch=x86_64 ;;
i386) qarch=i386 ;;
armhf | armel) qarch=arm ;;
*) qarch=$arch ;;
esac
if command -v "qemu-$qarch-static" >/dev/null; then
	out=$("qemu-$qarch-static" -L "$root" "$root/bin/kmod" --version 2>&1) ||
		die "ROOT's kmod does not run under qemu-$qarch-static: $out"
	[[ $out == "kmod version "* ]] || die "ROOT's kmod --version said: $out"
fi
echo "rig-kmod: kmod $(cat "$stage/version") ($arch) in $root: $(cd "$stage/root" && find . ! -type d | wc -l) files"
