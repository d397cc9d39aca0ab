#!/usr/bin/env bash
# Prepare Debian's linux-headers of another architecture for out-of-tree
# module builds on this amd64 machine, and print the tree to pass as KDIR.
#
#   cross-headers.sh ARCH FLAVOUR [SUITES]
#   e.g. cross-headers.sh ppc64el powerpc64le
#        cross-headers.sh mips64el loongson-3 bookworm-backports
#
# The headers package's host tools (scripts/, tools/) are foreign binaries,
# so the amd64 linux-kbuild package of the same version is unpacked beside
# it, and the flavour Makefile's absolute include of the -common tree is
# pointed at the unpacked copy. Prepared once per package version.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")

(($# >= 2)) || { sed -n '5,7p' "$0" >&2; exit 2; }
arch=$1 flavour=$2 suites=${3:-bookworm}

# linux-headers-FLAVOUR is a metapackage: find the versioned headers, and
# the -common package and kbuild version those need.
hdr=$("$here/debs.sh" depends "$arch" "$suites" "linux-headers-$flavour" |
	grep -m1 '^linux-headers-')
[[ -n $hdr ]] || { echo "cross-headers: no headers for $flavour in $suites/$arch" >&2; exit 1; }
mapfile -t deps < <("$here/debs.sh" depends "$arch" "$suites" "$hdr")
common=$(printf '%s\n' "${deps[@]}" | grep -m1 -- '-common')
kbuild=$(printf '%s\n' "${deps[@]}" | grep -m1 '^linux-kbuild-')
[[ -n $common && -n $kbuild ]] ||
	{ echo "cross-headers: cannot resolve -common/kbuild of $hdr" >&2; exit 1; }

mapfile -t files < <("$here/debs.sh" fetch "$arch" "$suites" "$hdr" "$common")
mapfile -t kfiles < <("$here/debs.sh" fetch amd64 "$suites" "$kbuild")
version=$(dpkg-deb -f "${files[0]}" Version)
kversion=$(dpkg-deb -f "${kfiles[0]}" Version)
[[ $version == "$kversion" ]] ||
	{ echo "cross-headers: $hdr $version but amd64 $kbuild $kversion" >&2; exit 1; }

root=$CACHE/trees/${hdr}_$version
exec 7>"$CACHE/trees.lock"
flock 7
if [[ ! -e $root/.prepared ]]; then
	rm -rf "$root.tmp"
	mkdir -p "$root.tmp"
	for f in "${files[@]}" "${kfiles[@]}"; do
		dpkg -x "$f" "$root.tmp"
	done
	sed -i "s|^include /usr/src/|include $root/usr/src/|" \
		"$root.tmp/usr/src/$hdr/Makefile"
	rm -rf "$root"
	mv "$root.tmp" "$root"
	sed -i "s|$root.tmp/|$root/|" "$root/usr/src/$hdr/Makefile"
	touch "$root/.prepared"
fi
echo "$root/usr/src/$hdr"
