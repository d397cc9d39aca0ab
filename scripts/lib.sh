# shellcheck shell=bash
# Settings and helpers shared by the scripts/*.sh check steps (sourced).
# shellcheck disable=SC2034 # variables are used by the scripts that source this

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
CACHE=${KTB_CACHE:-/var/cache/kvm-timer-backport}
LOGDIR=$CACHE/logs
RESDIR=$CACHE/results
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
mkdir -p "$LOGDIR" "$RESDIR"

# The extracted linux-source-6.1 tree that this project owns.
tree_dir() {
	echo "$CACHE/src/linux-source-$(dpkg-query -W -f='${Version}' linux-source-6.1)"
}

# record STEP PASSED FAILED NOTE: the line scripts/check.sh puts in its table.
record() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" >"$RESDIR/$1"
}

# Serialise runs: every clone shares the cache and the tree's symlink.
lock_cache() {
	[[ -n ${KTB_LOCKED:-} ]] && return
	exec 9>"$CACHE/.lock"
	flock 9
	export KTB_LOCKED=1
}

# apt_need PKG...: install, from bookworm, those of PKG... not installed.
apt_need() {
	local need=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			need+=("$p")
	done
	((${#need[@]})) || return 0
	apt-get update -q >/dev/null
	apt-get install -y -q -t bookworm --no-install-recommends "${need[@]}" >/dev/null
}

# mips_client OUT: the static e2e-mips test client (e2e/mips/), warnings
# are errors.
mips_client() {
	mipsel-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$1" \
		"$REPO/e2e/mips/client.c" "$REPO/e2e/mips/guest.S"
}

# module_tree DIR [REV]: DIR afresh with the module's sources, of git
# revision REV, or of the working tree without REV; prints which.
module_tree() {
	rm -rf "$1"
	mkdir -p "$1"
	if [[ -n ${2:-} ]]; then
		git -C "$REPO" archive "$2" | tar -C "$1" -xf -
		echo "$(git -C "$REPO" rev-parse --short "$2") ($2)"
	else
		tar -C "$REPO" --exclude=./.git -cf - . | tar -C "$1" -xf -
		echo "working tree"
	fi
}

# mips_busybox_root DIR: DIR afresh as the root of a mipsel initramfs:
# Debian's busybox-static and the directories an /init mounts on.
mips_busybox_root() {
	local deb
	deb=$("$REPO/scripts/debs.sh" fetch mipsel bookworm busybox-static 2>/dev/null) ||
		return 1
	rm -rf "$1"
	mkdir -p "$1"/{bin,dev,proc,sys,tmp}
	dpkg-deb --fsys-tarfile "$deb" | tar -C "$1" -x ./bin/busybox
}
