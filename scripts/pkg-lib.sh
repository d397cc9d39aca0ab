# shellcheck shell=bash
# Helpers shared by the scripts/pkg-*.sh packaging scripts (sourced after
# lib.sh).
# shellcheck disable=SC2034 # variables are used by the scripts that source this

PKG_NAME=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' "$REPO/dkms.conf")
# The one place the version lives; everything else derives from it.
PKG_VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$REPO/dkms.conf")
[[ -n $PKG_NAME && -n $PKG_VERSION ]] ||
	{ echo "pkg: no PACKAGE_NAME/PACKAGE_VERSION in $REPO/dkms.conf" >&2; exit 1; }
PKG_DIR=$CACHE/pkg

# The paths listed in packaging/dkms-files, one a line.
pkg_dkms_files() {
	grep -v -e '^#' -e '^$' "$REPO/packaging/dkms-files"
}

# pkg_source_tree DIR: copy the source as the packages are built from it
# into DIR: what git tracks plus new files it does not ignore (so a file
# about to be committed is in), or, outside git, everything but .git.
# KTB_PKG_SRC=DIR copies that tree instead (make pkg-test builds both
# packages from one snapshot, so edits in between cannot part them).
pkg_source_tree() {
	local dir=$1
	rm -rf "$dir"
	mkdir -p "$dir"
	if [[ -n ${KTB_PKG_SRC:-} ]]; then
		cp -a "$KTB_PKG_SRC/." "$dir/"
	elif git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
		# Tracked files deleted in the work tree are left out.
		git -C "$REPO" ls-files -z -co --exclude-standard |
			while IFS= read -r -d '' f; do
				if [[ -e $REPO/$f ]]; then printf '%s\0' "$f"; fi
			done |
			tar -C "$REPO" --null -T - -cf - | tar -C "$dir" -xf -
	else
		tar -C "$REPO" --exclude=.git -cf - . | tar -C "$dir" -xf -
	fi
}

# pkg_date_epoch: the time of the last commit (reproducible dates in the
# changelogs), or now outside git.
pkg_date_epoch() {
	git -C "$REPO" log -1 --format=%ct 2>/dev/null || date +%s
}

# pkg_need PKG...: apt-get install those of PKG that are not installed.
pkg_need() {
	local p status missing=()
	for p in "$@"; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[[ $status == installed ]] || missing+=("$p")
	done
	((${#missing[@]} == 0)) && return 0
	echo "pkg: installing ${missing[*]}"
	apt-get update -q
	apt-get install -y -q -t bookworm --no-install-recommends "${missing[@]}"
}
