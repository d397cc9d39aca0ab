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
