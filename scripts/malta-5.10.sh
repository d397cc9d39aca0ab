#!/usr/bin/env bash
# The 32-bit Malta 5.10 host kernel with KVM trap-and-emulate (the only
# MIPS KVM that runs under QEMU: no QEMU CPU has VZ), configured from
# e2e/mips/malta-5.10.config and built from Debian's linux-source-5.10.
#
#   malta-5.10.sh prepare   configure + modules_prepare; print the tree
#   malta-5.10.sh build     also vmlinux and modules; print the tree
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
what=${1:-prepare}

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

kmake=(make -C "$tree" ARCH=mips CROSS_COMPILE=mipsel-linux-gnu- -j"$(nproc)")
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
if [[ $what == build ]]; then
	"${kmake[@]}" vmlinux modules >"$LOGDIR/malta-5.10-build.log" 2>&1 ||
		{ tail -20 "$LOGDIR/malta-5.10-build.log" >&2; exit 1; }
else
	"${kmake[@]}" modules_prepare >"$LOGDIR/malta-5.10-prepare.log" 2>&1 ||
		{ tail -20 "$LOGDIR/malta-5.10-prepare.log" >&2; exit 1; }
fi
echo "$tree"
