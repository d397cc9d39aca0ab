# shellcheck shell=bash
# What scripts/matrix.sh builds against, obtained and prepared once per
# Debian package version under $CACHE (sourced after lib.sh):
#
#   kernel sources   linux-source-X .debs, unpacked (never installed) into
#                    $CACHE/src/linux-source-VERSION, this repository linked
#                    in as drivers/misc/kvm_timer_backport for KUnit in UML;
#                    6.1 is scripts/tree.sh's tree, shared with make check
#   Debian headers   scripts/cross-headers.sh (any architecture)
#   prepared trees   sid's linux-source configured with the .config of sid's
#                    headers for the flavour, make modules_prepare, and that
#                    package's Module.symvers (sid's headers themselves need
#                    a newer gcc and glibc than Debian 12 has)
#   gcc-10           bullseye's, unpacked: what Debian built 5.10 with
#   sparse           sid's source package built here, for kernels whose
#                    scripts/checker-valid.sh rejects Debian 12's sparse
# shellcheck disable=SC2034 # variables are used by the scripts that source this

MX_HERE=$(dirname "${BASH_SOURCE[0]}")
MX=$CACHE/matrix
MX_LOGS=$LOGDIR/matrix
mkdir -p "$MX" "$MX_LOGS"

# What this repository's module build needs from a checkout.
MX_FILES=(Kbuild Kconfig dkms.conf compat src kunit)

# Packages the matrix needs beyond scripts/deps.sh's.
mx_deps() {
	local p status missing=()

	"$MX_HERE/deps.sh" >/dev/null
	for p in gcc-mips64el-linux-gnuabi64 gcc-powerpc64le-linux-gnu dwarves \
		dpkg-dev; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[[ $status == installed ]] || missing+=("$p")
	done
	((${#missing[@]} == 0)) && return
	echo "matrix: installing ${missing[*]}"
	apt-get update -q >/dev/null
	apt-get install -y -q -t bookworm --no-install-recommends "${missing[@]}" >/dev/null
}

# mx_lock NAME: hold a lock of the matrix's own until the calling shell
# exits; one per kernel tree, so matrix runs of other clones wait for the
# tree they share rather than for the whole run. Taking it twice is fine
# (a second flock on a new descriptor would wait for the first).
declare -A MX_LOCKED=()
mx_lock() {
	local fd
	[[ -n ${MX_LOCKED[$1]:-} ]] && return
	exec {fd}>"$MX/.lock-$1"
	flock "$fd"
	MX_LOCKED[$1]=$fd
}

# mx_link TREE: link this repository into a kernel source tree, with its
# Kconfig and Makefile lines (as scripts/tree.sh does for 6.1).
mx_link() {
	local tree=$1 kconfig=$1/drivers/misc/Kconfig makefile=$1/drivers/misc/Makefile
	local line last

	ln -sfn "$REPO" "$tree/drivers/misc/kvm_timer_backport"
	line='source "drivers/misc/kvm_timer_backport/Kconfig"'
	if ! grep -qxF "$line" "$kconfig"; then
		last=$(grep -n '^endmenu' "$kconfig" | tail -n1 | cut -d: -f1)
		sed -i "${last}i $line" "$kconfig"
	fi
	# shellcheck disable=SC2016 # a make variable
	line='obj-$(CONFIG_KVM_TIMER_BACKPORT) += kvm_timer_backport/'
	grep -qxF "$line" "$makefile" || echo "$line" >>"$makefile"
}

# mx_source SERIES SUITE: print the extracted, linked source tree of
# linux-source-SERIES from SUITE (6.1: scripts/tree.sh's). Hold
# mx_lock src-SERIES (6.1: lock_cache) while using it.
mx_source() {
	local series=$1 suite=$2 deb version tree tmp old

	if [[ $series == 6.1 ]]; then
		"$MX_HERE/tree.sh" >&2
		tree_dir
		return
	fi
	deb=$("$MX_HERE/debs.sh" fetch amd64 "$suite" "linux-source-$series")
	version=$(dpkg-deb -f "$deb" Version)
	tree=$CACHE/src/linux-source-$version
	if [[ ! -e $tree/.ktb-extracted ]]; then
		echo "matrix: extracting linux-source-$series $version" >&2
		mkdir -p "$CACHE/src"
		tmp=$(mktemp -d "$CACHE/src/.extract.XXXXXX")
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO "./usr/src/linux-source-$series.tar.xz" | tar -xJ -C "$tmp"
		echo "$version" >"$tmp/linux-source-$series/.ktb-extracted"
		rm -rf "$tree"
		mv "$tmp/linux-source-$series" "$tree"
		rmdir "$tmp"
		# Earlier versions of the series are superseded.
		for old in "$CACHE/src/linux-source-$series".*; do
			[[ $old != "$tree" && -e $old/.ktb-extracted ]] && rm -rf "$old"
		done
	fi
	mx_link "$tree"
	echo "$tree"
}

# mx_fresh DIR STAMP: empty DIR unless it was made from STAMP (the source
# tree's name, which has its version): sources unpacked later can be older
# than the objects.
mx_fresh() {
	if [[ ! -f $1/.ktb-stamp || $(cat "$1/.ktb-stamp") != "$2" ]]; then
		rm -rf "$1"
		mkdir -p "$1"
		echo "$2" >"$1/.ktb-stamp"
	fi
}

# mx_headers ARCH FLAVOUR SUITES: Debian's headers, ready for M= builds.
mx_headers() {
	if [[ $1 == amd64 && $2 == amd64 && $3 == bookworm ]]; then
		# Installed by scripts/deps.sh, as scripts/module.sh uses them.
		printf '%s\n' /usr/src/linux-headers-6.1.*-amd64 | sort -V | tail -n1
		return
	fi
	"$MX_HERE/cross-headers.sh" "$@" 2> >(grep -Ev '^(Get:|Fetched )' >&2)
}

# mx_kvm_run_form KDIR: a test fixture, a copy of the prepared MIPS headers
# tree KDIR (from mx_headers) in which struct kvm_mips_callbacks'
# vcpu_reenter takes the struct kvm_run argument it took before 5.8: the
# form of the VZ kernels 4.12-5.7, none of which Debian still ships. The
# VZ glue wraps vcpu_reenter in its 5.8 form, so Kbuild must leave it out
# there (the code before c5b1309 did not, and failed to compile). Hard
# links but for the two files edited; made once; prints the copy's KDIR.
mx_kvm_run_form() {
	local kdir=$1 root dst h mk
	root=${kdir%/usr/src/*}
	dst=$MX/fixtures/kvm_run-form_$(basename "$root")
	if [[ ! -e $dst/.ktb-done ]]; then
		rm -rf "$dst"
		mkdir -p "$dst"
		cp -al "$root/." "$dst/"
		h=$(printf '%s\n' "$dst"/usr/src/linux-headers-*-common/arch/mips/include/asm/kvm_host.h | head -n1)
		sed 's/void (\*vcpu_reenter)(struct kvm_vcpu \*vcpu);/void (*vcpu_reenter)(struct kvm_run *run, struct kvm_vcpu *vcpu);/' \
			"$h" >"$h.new"
		mv "$h.new" "$h"
		grep -q 'vcpu_reenter)(struct kvm_run \*run, struct kvm_vcpu \*vcpu);' "$h" || return 1
		# The flavour's Makefile includes the -common tree's by path.
		mk=$dst${kdir#"$root"}/Makefile
		sed "s|$root/|$dst/|" "$mk" >"$mk.new"
		mv "$mk.new" "$mk"
		grep -q "$dst/" "$mk" || return 1
		touch "$dst/.ktb-done"
	fi
	echo "$dst${kdir#"$root"}"
}

# mx_gcc10: bullseye's gcc-10, unpacked (gcc finds its parts relative to
# itself); print the compiler's path.
mx_gcc10() {
	local files dir

	mapfile -t files < <("$MX_HERE/debs.sh" fetch amd64 bullseye gcc-10 cpp-10 \
		gcc-10-base libgcc-10-dev 2> >(grep -Ev '^(Get:|Fetched )' >&2))
	dir=$CACHE/toolchains/gcc-10_$(dpkg-deb -f "${files[0]}" Version)
	if [[ ! -x $dir/usr/bin/gcc-10 ]]; then
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp"
		for f in "${files[@]}"; do
			dpkg -x "$f" "$dir.tmp"
		done
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir/usr/bin/gcc-10"
}

# mx_sparse SRCTREE CHECKFLAGS...: the sparse to use for a kernel: Debian
# 12's, unless the kernel's own check (scripts/checker-valid.sh, 6.14+)
# rejects it; then sid's, built from source once.
mx_sparse() {
	local srctree=$1 dsc version dir
	shift
	if [[ ! -x $srctree/scripts/checker-valid.sh ]] ||
		[[ $("$srctree/scripts/checker-valid.sh" sparse "$@") == 1 ]]; then
		echo sparse
		return
	fi
	dsc=$("$MX_HERE/debs.sh" source sid sparse 2>"$MX_LOGS/sparse-fetch.log") ||
		{ cat "$MX_LOGS/sparse-fetch.log" >&2; return 1; }
	version=$(basename "$dsc" .dsc)
	dir=$CACHE/tools/$version
	if [[ ! -x $dir/sparse ]]; then
		echo "matrix: building $version" >&2
		rm -rf "$dir"
		mkdir -p "$CACHE/tools"
		# Debian patches its Makefile to the gcc it builds with (gcc-16).
		if ! dpkg-source -q -x "$dsc" "$dir" >"$MX_LOGS/sparse-build.log" 2>&1 ||
			! make -s -C "$dir" -j2 sparse CC=gcc HAVE_LLVM=no HAVE_GTK=no \
				HAVE_LIBXML=no HAVE_SQLITE=no >>"$MX_LOGS/sparse-build.log" 2>&1; then
			tail "$MX_LOGS/sparse-build.log" >&2
			return 1
		fi
	fi
	"$srctree/scripts/checker-valid.sh" "$dir/sparse" "$@" | grep -qx 1 ||
		{ echo "matrix: $version fails $srctree/scripts/checker-valid.sh" >&2; return 1; }
	echo "$dir/sparse"
}

# mx_prepared SRCTREE ARCH DEBARCH FLAVOUR MAKEARGS...: a tree prepared for
# M= builds from SRCTREE (sid's source) with the configuration of sid's
# linux-headers for FLAVOUR; print it. Options gcc 12 cannot have are
# dropped by olddefconfig. A compile check: modpost checks the module's
# symbols against that package's Module.symvers, but the tree is not
# byte-for-byte the kernel Debian built.
mx_prepared() {
	local src=$1 arch=$2 debarch=$3 flavour=$4 hdr deb version out member
	shift 4

	hdr=$("$MX_HERE/debs.sh" depends "$debarch" sid "linux-headers-$flavour" |
		grep -m1 '^linux-headers-')
	deb=$("$MX_HERE/debs.sh" fetch "$debarch" sid "$hdr" 2> >(grep -Ev '^(Get:|Fetched )' >&2))
	version=$(dpkg-deb -f "$deb" Version)
	[[ $version == "$(cat "$src/.ktb-extracted")" ]] ||
		echo "matrix: note: $hdr is $version, the source $(cat "$src/.ktb-extracted")" >&2
	out=$CACHE/trees/linux-$(cat "$src/.ktb-extracted")-$flavour
	if [[ $(cat "$out/.ktb-prepared" 2>/dev/null) != "$hdr $version" ]]; then
		echo "matrix: preparing $out" >&2
		rm -rf "$out"
		mkdir -p "$out"
		member=./usr/src/$hdr
		dpkg-deb --fsys-tarfile "$deb" | tar -xO "$member/.config" >"$out/.config"
		if [[ $arch == powerpc ]]; then
			# gcc 12 cannot trace through a patchable function entry
			# as the gcc Debian built with does, and would call
			# _mcount, which that kernel does not export: no tracers.
			"$src/scripts/config" --file "$out/.config" -d FTRACE
		fi
		if ! make -s -C "$src" O="$out" ARCH="$arch" "$@" olddefconfig \
			>"$MX_LOGS/prepare-$flavour.log" 2>&1 ||
			! make -s -C "$src" O="$out" ARCH="$arch" "$@" -j2 modules_prepare \
				>>"$MX_LOGS/prepare-$flavour.log" 2>&1; then
			tail -n 20 "$MX_LOGS/prepare-$flavour.log" >&2
			return 1
		fi
		# Module.symvers last: modules_prepare would not keep it.
		dpkg-deb --fsys-tarfile "$deb" | tar -xO "$member/Module.symvers" \
			>"$out/Module.symvers"
		echo "$hdr $version" >"$out/.ktb-prepared"
	fi
	echo "$out"
}

# mx_config KDIR SYMBOL: whether the kernel's configuration has SYMBOL
# (=y or =m).
mx_config() {
	local f=$1/include/config/auto.conf
	[[ -f $f ]] || f=$1/.config
	grep -Eq "^$2=[ym]$" "$f"
}

# mx_dkms_skips KDIR: print why dkms would skip this kernel, if it would
# (dkms.conf's BUILD_EXCLUSIVE_CONFIG: each symbol set, or unset with !).
mx_dkms_skips() {
	local want sym
	want=$(sed -n 's/^BUILD_EXCLUSIVE_CONFIG="\(.*\)"/\1/p' "$REPO/dkms.conf")
	for sym in $want; do
		if [[ $sym == !* ]]; then
			mx_config "$1" "${sym#!}" && echo "${sym#!} set" && return
		else
			mx_config "$1" "$sym" || { echo "no $sym" && return; }
		fi
	done
	return 0
}
