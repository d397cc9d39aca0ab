#!/usr/bin/env bash
# make e2e-ppc64: the module's PowerPC part end to end, on three kernels
# running a real guest under kvm-hv, in qemu-system-ppc64 (TCG):
#
#   6.1        Debian's ppc64el 6.1 image (guest timebase era, with the
#              decrementer migration fix), on powernv9 and nested pseries;
#   6.1-nofix  the same image with kvm.ko and kvm-hv.ko rebuilt from
#              linux-source-6.1 with 0a5bfb824a6e reverted
#              (scripts/ppc64-kvm-variant.sh): a 5.17-6.0 kernel, on
#              powernv9;
#   5.10       linux-source-5.10 built for powernv (scripts/ppc64-5.10.sh):
#              the host timebase era, on powernv8 (no scv; the P7/8 entry
#              path with TBU40).
#
# Cross-builds kvm_timer_backport.ko against each kernel (Debian's headers
# of the image's ABI, or the built 5.10 tree) and the static test client
# (e2e/ppc64/), then boots each kernel with a busybox initramfs whose /init
# (e2e/ppc64/init) runs the client once per mode: without the module (a),
# auto (b, no parameter), defer (g) and takeover (c) on every kernel; on
# 6.1 first as a booted machine loads KVM (auto: Debian's kmod,
# "modprobe kvm_hv" alone must bring the module through the softdep of
# packaging/kvm-timer-backport.conf), then also takeover=1 before kvm-hv
# (d), a VM living through insmod and rmmod (e), and kvm-hv reloaded
# under the module (f). Every client check must pass in every mode, and
# each mode must give the same checks and verdicts as mode a of its
# kernel. The client's decrementer rows (DEC_EXPIRY round trip before and
# after TB_OFFSET, the fix-up, QEMU's migration on a fresh vCPU), which
# differ by kernel, are printed as a table kernels x modes and judged by
# expect_row(); the module's decisions by its debugfs "features". Prints
# one line per check, then "e2e-ppc64: N passed, M failed"; records the
# step for make check.
#
#   E2E_PPC64_KERNELS   kernels to boot (default "6.1 6.1-nofix 5.10")
#   E2E_PPC64_MACHINES  QEMU machines for 6.1 (default "powernv9 pseries")
#   E2E_PPC64_TIMEOUT   seconds allowed per boot (default 300)
#
# What is fetched, extracted or built is cached in $CACHE (e2e-ppc64/,
# ppc64-5.10/, ppc64-kvm-variant/); the module, the client and the
# initramfs are rebuilt every run in $CACHE/build/e2e-ppc64. Serial
# consoles: $LOGDIR/e2e-ppc64-KERNEL-MACHINE.log.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
lock_cache
lock_wait=$SECONDS
here=$(dirname "$0")

kernels=${E2E_PPC64_KERNELS:-6.1 6.1-nofix 5.10}
machines=${E2E_PPC64_MACHINES:-powernv9 pseries}
boot_timeout=${E2E_PPC64_TIMEOUT:-300}
suite=bookworm
cross=powerpc64le-linux-gnu-
store=$CACHE/e2e-ppc64
build=$CACHE/build/e2e-ppc64
report=$LOGDIR/e2e-ppc64.log
mkdir -p "$store" "$build"
: >"$report"

passed=0 failed=0 first_failure=""

say() {
	echo "$*" | tee -a "$report"
}

ok() {
	passed=$((passed + 1))
	say "ok - $*"
}

not_ok() {
	failed=$((failed + 1))
	[[ -n $first_failure ]] || first_failure=${1%%: *}
	say "not ok - $*"
}

# check NAME FIGURES CMD...: ok if CMD succeeds (FIGURES may be empty).
check() {
	local line=$1${2:+: $2}
	shift 2
	if "$@"; then ok "$line"; else not_ok "$line"; fi
}

# Predicates for check: STRING matches PATTERN; CMD fails.
# shellcheck disable=SC2317 # called through check
matches() {
	# shellcheck disable=SC2053 # $2 is a pattern
	[[ $1 == $2 ]]
}

# shellcheck disable=SC2317
not() {
	! "$@"
}

finish() {
	say "# e2e-ppc64 took ${SECONDS}s; logs in $LOGDIR"
	say "e2e-ppc64: $passed passed, $failed failed"
	record e2e-ppc64 "$passed" "$failed" \
		"${first_failure:-$kernels}"
	exit $((failed > 0))
}

# A setup step failed: nothing further can run.
fatal() {
	not_ok "$@"
	finish
}

# apt and debs.sh name the archive they talk to: keep that out of the
# output, which CI may store.
redact() {
	sed -E 's#[a-z]+://[^ ]+#<archive>#g'
}

debs() {
	"$here/debs.sh" "$@" 2> >(redact >&2)
}

host_packages() {
	local pkgs=(qemu-system-ppc qemu-system-data gcc-powerpc64le-linux-gnu
		libc6-dev-ppc64el-cross binutils-powerpc64le-linux-gnu cpio
		xz-utils gzip) missing=() p status
	for p in "${pkgs[@]}"; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[[ $status == installed ]] || missing+=("$p")
	done
	((${#missing[@]} == 0)) && return 0
	echo "e2e-ppc64: installing ${missing[*]}"
	apt-get update -q 2>&1 | redact || return 1
	apt-get install -y -q -t "$suite" --no-install-recommends "${missing[@]}" 2>&1 | redact
}

# ko_info FIELD KO: a field of a module's .modinfo (no modinfo binary needed).
ko_info() {
	local tmp
	tmp=$(mktemp)
	"${cross}objcopy" -O binary --only-section=.modinfo "$2" "$tmp"
	tr '\0' '\n' <"$tmp" | sed -n "s/^$1=//p"
	rm -f "$tmp"
}

# Put kvm-hv and what it depends on, uncompressed (busybox insmod takes
# plain .ko only), and the order to load them in, into DIR/modules.
extract_modules() {
	local modroot=$1 dir=$2 f n
	declare -A where=() seen=()
	while IFS= read -r f; do
		n=$(basename "$f")
		n=${n%%.ko*}
		where[${n//-/_}]=$f
	done < <(find "$modroot" -name '*.ko*')
	mkdir -p "$dir/modules"
	: >"$dir/modules/load-order"

	add_module() {
		local name=${1//-/_} src dst dep
		[[ -z ${seen[$name]:-} ]] || return 0
		src=${where[$name]:-}
		[[ -n $src ]] || { echo "e2e-ppc64: module $1 not in the image" >&2; return 1; }
		dst=$dir/modules/$(basename "${src%%.ko*}").ko
		case $src in
		*.ko) cp "$src" "$dst" ;;
		*.ko.xz) xz -dc "$src" >"$dst" ;;
		*.ko.gz) gzip -dc "$src" >"$dst" ;;
		*.ko.zst) zstd -qdc "$src" >"$dst" ;;
		*) false ;;
		esac || { echo "e2e-ppc64: cannot unpack $src" >&2; return 1; }
		seen[$name]=1
		for dep in $(ko_info depends "$dst" | tr ',' ' '); do
			add_module "$dep" || return 1
		done
		basename "$dst" >>"$dir/modules/load-order"
	}
	add_module kvm_hv
}

# kernel_tree DEB DIR ABI: what a machine with the image installed has of
# /lib/modules/ABI for KVM: the modules of DIR/modules/load-order at their
# paths, as the package ships them (compressed or not), and the files
# depmod reads besides (modules.order, modules.builtin*). Cached as
# DIR/tree/lib/modules/ABI.
kernel_tree() {
	local deb=$1 dir=$2 abi=$3 tmp=$2/tree.tmp src dst ko rel
	[[ -e $dir/tree/.done ]] && return 0
	src=$tmp/deb/lib/modules/$abi dst=$tmp/tree/lib/modules/$abi
	rm -rf "$tmp" && mkdir -p "$dst" && dpkg-deb -x "$deb" "$tmp/deb" &&
		cp "$src/modules.order" "$src/modules.builtin" "$src/modules.builtin.modinfo" "$dst/" ||
		return 1
	while read -r ko; do
		rel=$(cd "$src" && find . -name "${ko%.ko}.ko*" | head -n1)
		[[ -n $rel ]] || { echo "e2e-ppc64: ${ko%.ko} not in the image" >&2; return 1; }
		mkdir -p "$dst/$(dirname "$rel")" && cp -p "$src/$rel" "$dst/$rel" || return 1
	done <"$dir/modules/load-order"
	touch "$tmp/tree/.done" && rm -rf "$dir/tree" && mv "$tmp/tree" "$dir/tree" && rm -rf "$tmp"
}

# The kernel image package of the suite's ppc64el flavour, cached as
# STORE/PKG_VERSION/{vmlinux,modules/,abi,tree/}. Prints that directory.
kernel_image() {
	local img deb version dir tmp abi
	# Called as $(kernel_image) || ...: errexit is off in here.
	img=$(debs depends ppc64el "$suite" linux-image-powerpc64le) || return 1
	img=$(grep -m1 '^linux-image-' <<<"$img") || return 1
	deb=$(debs fetch ppc64el "$suite" "$img") || return 1
	version=$(dpkg-deb -f "$deb" Version) || return 1
	abi=${img#linux-image-}
	dir=$store/${img}_$version
	if [[ ! -e $dir/.done ]]; then
		echo "e2e-ppc64: extracting $img $version" >&2
		tmp=$dir.tmp
		rm -rf "$tmp" && mkdir -p "$tmp" &&
			dpkg-deb -x "$deb" "$tmp/deb" &&
			cp "$tmp/deb/boot/vmlinux-$abi" "$tmp/vmlinux" &&
			extract_modules "$tmp/deb/lib/modules/$abi" "$tmp" &&
			echo "$abi" >"$tmp/abi" && echo "$version" >"$tmp/version" &&
			rm -rf "$tmp/deb" "$dir" && mv "$tmp" "$dir" &&
			touch "$dir/.done" || return 1
	fi
	kernel_tree "$deb" "$dir" "$abi" || return 1
	echo "$dir"
}

busybox_binary() {
	local deb version dir
	deb=$(debs fetch ppc64el "$suite" busybox-static) || return 1
	version=$(dpkg-deb -f "$deb" Version) || return 1
	dir=$store/busybox-static_${version//:/%3a}
	if [[ ! -e $dir/.done ]]; then
		rm -rf "$dir" && mkdir -p "$dir" &&
			dpkg-deb --fsys-tarfile "$deb" | tar -C "$dir" -x ./bin/busybox &&
			touch "$dir/.done" || return 1
	fi
	echo "$dir/bin/busybox"
}

# ---- setup: packages, kernels, busybox, module, client, initramfs ----

if ! host_packages; then
	fatal "host packages (qemu-system-ppc, the ppc64el cross toolchain, cpio)"
fi
kern=$(kernel_image) || fatal "Debian's ppc64el kernel image ($suite)"
abi=$(cat "$kern/abi")
kversion=$(cat "$kern/version")
bb=$(busybox_binary) || fatal "busybox-static for ppc64el ($suite)"
kdir=$("$here/cross-headers.sh" ppc64el powerpc64le "$suite" 2> >(redact >&2)) ||
	fatal "ppc64el headers ($suite)"

# Same package version, same ABI: the headers' tree is named after both.
hdr_tree=${kdir%/usr/src/*}
check "image and headers are the same kernel" \
	"linux-image-$abi $kversion, $(basename "$hdr_tree")" \
	matches "$(basename "$kdir")/$hdr_tree" "linux-headers-$abi/*_$kversion"

buildlog=$LOGDIR/e2e-ppc64-build.log
: >"$buildlog"

# build_module NAME KDIR KVM_KO: kvm_timer_backport.ko for a kernel, in
# $build/mod-NAME; checks its vermagic against that kernel's kvm.ko. Sets
# k_ktb[NAME] to the .ko's path, or to nothing if it does not build.
build_module() {
	local name=$1 tree=$2 kvm_ko=$3 mod=$build/mod-$1 rc=0 ko
	k_ktb[$name]=""
	rm -rf "$mod" && mkdir -p "$mod"
	tar -C "$REPO" --exclude=.git -cf - . | tar -C "$mod" -xf -
	make -C "$tree" M="$mod" ARCH=powerpc CROSS_COMPILE="$cross" modules \
		>>"$buildlog" 2>&1 || rc=$?
	ko=$mod/kvm_timer_backport.ko
	if ((rc != 0)); then
		grep -E 'error|Error' "$buildlog" | tail -n 20
		not_ok "[$name] kvm_timer_backport.ko cross-builds: make exit $rc, see $buildlog"
		return 0
	fi
	ok "[$name] kvm_timer_backport.ko cross-builds: $ko"
	check "[$name] the module's vermagic matches the kernel's kvm.ko" \
		"$(ko_info vermagic "$ko")" \
		test "$(ko_info vermagic "$ko")" = "$(ko_info vermagic "$kvm_ko")"
	k_ktb[$name]=$ko
}

# Per kernel: vmlinux, the directory of KVM's modules (with load-order),
# the module built for it, the QEMU machines and the modes to run.
declare -A k_vmlinux=() k_modules=() k_ktb=() k_machines=() k_modes=()
for k in $kernels; do
	case $k in
	6.1)
		k_vmlinux[$k]=$kern/vmlinux k_modules[$k]=$kern/modules
		k_machines[$k]=$machines k_modes[$k]=auto,a,b,g,c,d,e,f
		build_module "$k" "$kdir" "$kern/modules/kvm.ko"
		;;
	6.1-nofix)
		# Debian's image and headers; only kvm.ko and kvm-hv.ko differ.
		if ! v=$("$here/ppc64-kvm-variant.sh" no-dec-migration-fix 2> >(redact >&2)); then
			not_ok "[$k] kvm.ko and kvm-hv.ko without 0a5bfb824a6e (scripts/ppc64-kvm-variant.sh no-dec-migration-fix)"
			continue
		fi
		ok "[$k] kvm.ko and kvm-hv.ko rebuilt without 0a5bfb824a6e: $v"
		mkdir -p "$build/kvm-$k" && cp "$kern"/modules/* "$build/kvm-$k/" &&
			cp "$v"/*.ko "$build/kvm-$k/"
		k_vmlinux[$k]=$kern/vmlinux k_modules[$k]=$build/kvm-$k
		k_machines[$k]=powernv9 k_modes[$k]=a,b,g,c
		build_module "$k" "$kdir" "$v/kvm.ko"
		;;
	5.10)
		if ! t=$("$here/ppc64-5.10.sh" build 2> >(redact >&2)); then
			not_ok "[$k] linux-source-5.10 builds for powernv (scripts/ppc64-5.10.sh build)"
			continue
		fi
		ok "[$k] linux-source-5.10 built for powernv: $t"
		rm -rf "$build/kvm-$k" && mkdir -p "$build/kvm-$k" &&
			cp "$t/arch/powerpc/kvm/kvm.ko" "$t/arch/powerpc/kvm/kvm-hv.ko" "$build/kvm-$k/" &&
			printf '%s\n' kvm.ko kvm-hv.ko >"$build/kvm-$k/load-order"
		k_vmlinux[$k]=$t/vmlinux k_modules[$k]=$build/kvm-$k
		k_machines[$k]=powernv8 k_modes[$k]=a,b,g,c
		build_module "$k" "$t" "$t/arch/powerpc/kvm/kvm.ko"
		;;
	*)
		not_ok "known kernel $k (6.1, 6.1-nofix or 5.10)"
		;;
	esac
done

client=$build/client
rc=0
"${cross}gcc" -static -O2 -Wall -Wextra -Werror -Wa,-mregnames -o "$client" \
	"$REPO/e2e/ppc64/client.c" "$REPO/e2e/ppc64/guest.S" >>"$buildlog" 2>&1 || rc=$?
((rc == 0)) || { tail -n 20 "$buildlog"; fatal "test client builds: see $buildlog"; }

# make_initrd KERNEL: the initramfs for a kernel, $build/initrd-KERNEL.cpio.gz.
make_initrd() {
	local k=$1 root=$build/initramfs-$1 ktb=${k_ktb[$1]}
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules/e2e}
	cp "$bb" "$root/bin/busybox"
	cp "$client" "$root/bin/client"
	cp "$REPO/e2e/ppc64/init" "$root/init"
	chmod 755 "$root/init"
	cp "${k_modules[$k]}"/* "$root/lib/modules/e2e/"
	[[ -z $ktb ]] || cp "$ktb" "$root/lib/modules/e2e/"
	if [[ ${k_modes[$k]} == auto,* ]]; then
		# For phase auto: installed as on a machine with the image,
		# the .deb and dkms's build, with Debian's kmod.
		cp -a "$kern/tree/lib/modules/$abi" "$root/lib/modules/"
		if [[ -n $ktb ]]; then
			install -D -m 0644 "$ktb" "$root/lib/modules/$abi/updates/dkms/kvm_timer_backport.ko"
		fi
		install -D -m 0644 "$REPO/packaging/kvm-timer-backport.conf" \
			"$root/lib/modprobe.d/kvm-timer-backport.conf"
		"$here/rig-kmod.sh" ppc64el "$root" || return 1
	fi
	mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		gzip -1 >"$build/initrd-$k.cpio.gz"
}

for k in "${!k_vmlinux[@]}"; do
	make_initrd "$k" || fatal "[$k] initramfs (Debian's kmod: scripts/rig-kmod.sh ppc64el)"
done
say "# setup took $((SECONDS - lock_wait))s (and ${lock_wait}s waiting for the cache lock): Debian's $abi $kversion; kernels: ${!k_vmlinux[*]}"

# ---- boot and judge ----

# lines LOG MODE: the lines the guest's /init tagged with MODE, untagged.
lines() {
	sed -n "s/^@$2 //p" "$1"
}

# The client's checks as "ok - NAME" without the figures, minus the
# module-only debugfs check: what every mode must agree on.
signature() {
	lines "$1" "$2" | grep -E '^(not )?ok - ' | sed 's/: .*//' |
		grep -v -- '- debugfs ' || true
}

# has LOG MODE STRING: the mode's output has a line containing STRING.
# (No grep -q after a pipe: with pipefail, the writer's SIGPIPE would
# turn a match into a failure.)
has() {
	lines "$1" "$2" | grep -F -- "$3" >/dev/null
}

# said LOG MODE STRING: the kernel log of that mode has STRING.
# shellcheck disable=SC2317 # called through check
said() {
	lines "$1" "$2" | grep '^dmesg ' | grep -F -- "$3" >/dev/null
}

# dmesg_check LOG MODE TAG STRING: check that the module said STRING.
dmesg_check() {
	check "$3 dmesg says \"$4\"" "" said "$1" "$2" "$4"
}

# before LOG MODE RE1 RE2: in the mode's output, a line matching RE1 comes
# before the first line matching RE2.
# shellcheck disable=SC2317 # called through check
before() {
	lines "$1" "$2" | awk -v a="$3" -v b="$4" '
		!ia && $0 ~ a { ia = NR }
		!ib && $0 ~ b { ib = NR }
		END { exit !(ia && ib && ia < ib) }'
}

# judge_client LOG MODE TAG: the client's own checks in that mode, the
# module's dmesg lines, and a kernel log free of warnings. Fails (returns
# 1) if the client never started.
judge_client() {
	local log=$1 mode=$2 tag=$3 line bad
	if ! has "$log" "$mode" "client start"; then
		not_ok "$tag the client ran: the guest's /init never got to mode $mode"
		return 1
	fi
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "$tag ${line#ok - }" ;;
		"not ok - "*) not_ok "$tag ${line#not ok - }" ;;
		"# tb-deltas: "* | "# host FP/VMX"* | "# carry soak: "*) say "# $tag ${line#\# }" ;;
		"# debugfs: "*) say "# $tag ${line#\# }" ;;
		esac
	done < <(lines "$log" "$mode")
	line=$(lines "$log" "$mode" | grep -m1 '^client: ' || true)
	check "$tag the client ran to the end" "${line:-no summary line}" \
		test -n "$line"

	# The module's own words, and anything alarming from the kernel.
	while IFS= read -r line; do
		say "# $tag dmesg: ${line#dmesg }"
	done < <(lines "$log" "$mode" | grep -E '^dmesg .*kvm_timer_backport' || true)
	while IFS= read -r line; do
		say "# $tag ${line}"
	done < <(lines "$log" "$mode" | grep -E '^(debugfs-after|features) ' || true)
	bad=$(lines "$log" "$mode" | grep -E '^dmesg ' |
		grep -m1 -E 'WARNING:|BUG:|Oops|Call Trace|Unable to handle|refcount_t' || true)
	check "$tag the kernel log has no warning, BUG or oops" "${bad:-clean}" \
		test -z "$bad"
}

# Phase auto (6.1): the module loads by itself, as at a machine's boot.
# Depends only on "attached to kvm-hv" and /sys/module, not on the
# module's other words or parameters.
judge_auto() {
	local log=$1 tag="[$2 boot]" line
	check "$tag depmod -a in the guest (Debian's kmod)" "" has "$log" auto "depmod -a rc=0"
	while IFS= read -r line; do
		say "# $tag depmod said: $line"
	done < <(lines "$log" auto | sed -n 's/^depmod-out //p')
	line=$(lines "$log" auto | grep -m1 '^modprobe kvm_hv rc=' || true)
	check "$tag ${line:-modprobe kvm_hv: no such line}, alone" "" matches "$line" "* rc=0"
	line=$(lines "$log" auto | sed -n 's/^modprobe-out //p' | head -n1)
	check "$tag modprobe kvm_hv printed nothing" "${line:-nothing}" test -z "$line"
	check "$tag the softdep loaded kvm_timer_backport: /sys/module/kvm_timer_backport before the first VM" "" \
		before "$log" auto '^sys-module kvm_timer_backport present$' '^client start'
	check "$tag dmesg says \"attached to kvm-hv\" before the first VM" "" \
		before "$log" auto '^dmesg .*kvm_timer_backport.*attached to kvm-hv' '^client start'
	judge_client "$log" auto "$tag" || return 0
	check "$tag rmmod kvm_timer_backport after the VM" "" \
		has "$log" auto "rmmod kvm_timer_backport rc=0"
}

mode_name() {
	case $1 in
	a) echo none ;;
	b) echo auto ;;
	g) echo defer ;;
	c) echo takeover ;;
	d) echo takeover-before-kvm-hv ;;
	e) echo live ;;
	f) echo kvm-hv-reload ;;
	*) echo "$1" ;;
	esac
}

# want_features KERNEL MODE: the module's decisions (debugfs "features")
# for TB_OFFSET, DEC_EXPIRY and the decrementer migration fix, as
# "STATE|STATE|STATE"; empty where not judged.
want_features() {
	local k=$1 m=$2 mig
	case $k in
	6.1) mig=kernel ;;
	6.1-nofix) mig=fixed ;;
	5.10) mig=kernel ;;
	esac
	case $m in
	b) echo "kernel|kernel|$mig" ;;
	g) echo "kernel|kernel|kernel" ;;
	c | d | f)
		# takeover implements the fix itself where the kernel has it
		# (guest era); the host era needs none.
		[[ $k == 6.1 ]] && mig="taken over"
		echo "taken over|taken over|$mig"
		;;
	esac
}

# feature_state LOG MODE NAME: the state debugfs "features" gave NAME.
feature_state() {
	lines "$1" "$2" | sed -n "s/^features $3: \([a-z ]*\) (.*/\1/p" | tail -n1
}

declare -A ref_sig=() ref_tag=()

judge_mode() {
	local log=$1 k=$2 machine=$3 mode=$4 cell="$2 $3" sig line n want got
	local tag alive=""
	tag="[$2 $3 $(mode_name "$4")]"
	judge_client "$log" "$mode" "$tag" || return 0

	[[ $mode == e ]] && alive=" while the VM created before insmod lives"
	case $mode in
	a)
		check "$tag kvm_timer_backport is not loaded" "" \
			not has "$log" a "kvm_timer_backport"
		;;
	*)
		if [[ $mode == d ]]; then
			check "$tag rmmod kvm_hv before loading the module" "" \
				has "$log" d "rmmod kvm_hv rc=0"
		fi
		line=$(lines "$log" "$mode" | grep -m1 '^insmod kvm_timer_backport' || true)
		check "$tag ${line:-insmod kvm_timer_backport: no such line}" "" \
			matches "$line" "* rc=0"
		if [[ $mode == d ]]; then
			dmesg_check "$log" d "$tag" "kvm_timer_backport: powerpc: waiting for kvm-hv"
			check "$tag insmod kvm-hv.ko after the module" "" \
				has "$log" d "insmod kvm-hv.ko rc=0"
		fi
		dmesg_check "$log" "$mode" "$tag" "kvm_timer_backport: powerpc: attached to kvm-hv"
		if [[ $mode == f ]]; then
			check "$tag rmmod kvm_hv under the loaded module" "" \
				has "$log" f "rmmod kvm_hv rc=0"
			dmesg_check "$log" f "$tag" "kvm_timer_backport: powerpc: kvm-hv unloaded, detached"
			check "$tag insmod kvm-hv.ko again" "" \
				has "$log" f "insmod kvm-hv.ko rc=0"
			line=$(lines "$log" f | grep -c '^dmesg .*powerpc: attached to kvm-hv' || true)
			check "$tag the module attached again to the new kvm-hv" \
				"$line \"attached\" lines" test "$line" -ge 2
		fi
		want=$(want_features "$k" "$mode")
		if [[ -n $want ]]; then
			got="$(feature_state "$log" "$mode" TB_OFFSET)|$(feature_state "$log" "$mode" DEC_EXPIRY)|$(feature_state "$log" "$mode" "decrementer migration fix")"
			check "$tag debugfs features: TB_OFFSET|DEC_EXPIRY|decrementer migration fix = $want" \
				"$got" test "$got" = "$want"
		fi
		check "$tag rmmod kvm_timer_backport$alive" "" \
			has "$log" "$mode" "rmmod kvm_timer_backport rc=0"
		dmesg_check "$log" "$mode" "$tag" "kvm_timer_backport: powerpc: detached from kvm-hv"
		;;
	esac
	[[ $mode == [abcdg] ]] || return 0

	# Every mode must agree with the kernel's first, check for check.
	sig=$(signature "$log" "$mode")
	n=$(grep -c . <<<"$sig" || true)
	if [[ -z ${ref_sig[$cell]:-} ]]; then
		ref_sig[$cell]=$sig ref_tag[$cell]=$tag
		return
	fi
	if [[ $sig == "${ref_sig[$cell]}" && -n $sig ]]; then
		ok "$tag same $n checks and verdicts as ${ref_tag[$cell]}"
	else
		line=$(diff <(echo "${ref_sig[$cell]}") <(echo "$sig") || true)
		not_ok "$tag same checks and verdicts as ${ref_tag[$cell]}: first difference: ${ref_tag[$cell]} \"$(grep -m1 '^<' <<<"$line" | cut -c3-)\", $tag \"$(grep -m1 '^>' <<<"$line" | cut -c3-)\""
	fi
}

# The decrementer rows, per cell "KERNEL MACHINE MODE": result and figures.
declare -A row_res=() row_fig=()
row_names=(new-vcpu-expiry fixup fixup-irq fresh-migration
	dec-after-offset-get dec-after-offset-irq
	dec-before-offset-get dec-before-offset-irq)

collect_rows() {
	local log=$1 cell=$2 mode=$3 name res fig
	while read -r name res fig; do
		res=${res%:}
		row_res[$name,$cell $mode]=$res
		row_fig[$name,$cell $mode]=$fig
	done < <(lines "$log" "$mode" | sed -n 's/^row //p')
}

# expect_row ROW KERNEL MODE: the result the row must have.
#   6.1 (upstream with the fix) in every mode, and wherever the module
#   fixes the kernel: a new vCPU's expiry 0, made "now" by SET TB_OFFSET,
#   the migrated guest gets its interrupt, DEC_EXPIRY kept and on time
#   in either order.
#   6.1-nofix without the module or with mode=defer: the expiry starts
#   at the creation's host TB and SET TB_OFFSET leaves a 0 at 0, so both
#   decrementer cases hang (the bug of 5.17-6.0).
#   5.10, every mode (the module follows the host era, where nothing
#   needs fixing): the expiry starts at creation, TB_OFFSET leaves a 0
#   (host TB 0) alone, which GET shows as the offset; DEC_EXPIRY set
#   before TB_OFFSET moves by the offset and fires that much late.
expect_row() {
	local row=$1 k=$2 m=$3 i
	local fixed=(0 now irq irq kept on-time kept on-time)
	local unfixed=(creation 0 hang hang kept on-time kept on-time)
	local host=(creation offset n/a irq kept on-time moved offset-late)
	for i in "${!row_names[@]}"; do
		[[ ${row_names[$i]} == "$row" ]] && break
	done
	case $k,$m in
	5.10,*) echo "${host[$i]}" ;;
	6.1-nofix,a | 6.1-nofix,g) echo "${unfixed[$i]}" ;;
	*) echo "${fixed[$i]}" ;;
	esac
}

boot() {
	local k=$1 machine=$2 log=$LOGDIR/e2e-ppc64-$1-$2.log raw tag="[$1 $2]" rc=0 margs start
	local trace=$build/tbtrace-$1-$2.log soak=1500 carries mode
	rm -f "$trace"
	case $machine in
	powernv9)
		margs=(-M powernv9 -m 2G)
		if [[ $k == 6.1 ]]; then
			# Here the kernel applies the offset itself with mtspr
			# TBU40: trace QEMU's timebase writes to see its carry
			# fix-up run, and soak longer to make that likely.
			margs+=(-trace ppc_tb_store -D "$trace")
			soak=3000
		fi
		;;
	powernv8)
		margs=(-M powernv8 -m 2G)
		;;
	pseries)
		margs=(-M "pseries,cap-nested-hv=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off"
			-cpu POWER9 -m 1G)
		;;
	*)
		not_ok "$tag known QEMU machine (powernv9, powernv8 or pseries)"
		return
		;;
	esac
	raw=$build/console-$k-$machine.raw
	rm -f "$raw"
	echo "e2e-ppc64: booting $k on $machine (console: $log)"
	start=$SECONDS
	timeout -k 10 "$boot_timeout" qemu-system-ppc64 "${margs[@]}" -smp 1 \
		-display none -vga none -nic none -monitor none -serial "file:$raw" \
		-no-reboot -kernel "${k_vmlinux[$k]}" -initrd "$build/initrd-$k.cpio.gz" \
		-append "console=hvc0 panic=-1 quiet e2e_soak_ms=$soak e2e_modes=${k_modes[$k]}" </dev/null || rc=$?
	tr -d '\r' <"$raw" >"$log" 2>/dev/null || : >"$log"
	case $rc in
	0) ok "$tag QEMU ran the guest to poweroff: $((SECONDS - start)) s" ;;
	124 | 137) not_ok "$tag QEMU ran the guest to poweroff: timed out after ${boot_timeout}s" ;;
	*) not_ok "$tag QEMU ran the guest to poweroff: exit $rc" ;;
	esac

	if [[ ${k_modes[$k]} == auto,* ]]; then
		check "$tag kvm.ko and kvm-hv.ko load (modprobe kvm_hv)" "" \
			has "$log" auto "modprobe kvm_hv rc=0"
		judge_auto "$log" "$k $machine"
	else
		check "$tag kvm.ko and kvm-hv.ko load (insmod)" \
			"$(lines "$log" load | grep '^insmod ' | tr '\n' ' ')" \
			not has "$log" load "rc=1"
	fi
	for mode in ${k_modes[$k]//,/ }; do
		[[ $mode == auto ]] && continue
		judge_mode "$log" "$k" "$machine" "$mode"
		[[ $mode == [abgc] ]] && collect_rows "$log" "$k $machine" "$mode"
	done
	check "$tag /init ran every mode" \
		"guest uptime $(lines "$log" end | sed -n 's/^uptime //p') s" \
		has "$log" end "uptime"
	if [[ -s $trace ]]; then
		carries=$(python3 "$here/e2e-ppc64-carries.py" "$trace" || echo "unreadable")
		say "# $tag TBU40 carry fix-ups in QEMU's timebase-write trace, all modes: $carries" \
			"(not forced: each needs the low 24 bits to wrap inside the kernel's entry or exit window)"
	fi
}

cells=()
for k in $kernels; do
	[[ -v "k_vmlinux[$k]" ]] || continue
	for machine in ${k_machines[$k]}; do
		boot "$k" "$machine"
		cells+=("$k $machine")
	done
done

# The decrementer table, kernels x modes, and its judgement.
say "# decrementer rows (none / auto / defer / takeover):"
line=$(printf '%-22s' row)
for c in "${cells[@]}"; do line+=$(printf ' | %-44s' "$c"); done
say "# $line"
for n in "${row_names[@]}"; do
	line=$(printf '%-22s' "$n")
	for c in "${cells[@]}"; do
		line+=" |"
		for m in a b g c; do
			line+=$(printf ' %-10s' "${row_res[$n,$c $m]:-missing}")
		done
	done
	say "# $line"
done
for n in "${row_names[@]}"; do
	bad=()
	for c in "${cells[@]}"; do
		for m in a b g c; do
			want=$(expect_row "$n" "${c%% *}" "$m")
			got=${row_res[$n,$c $m]:-missing}
			[[ $got == "$want" ]] || bad+=("$c $(mode_name "$m"): $got, want $want (${row_fig[$n,$c $m]:-no figures})")
		done
	done
	if ((${#bad[@]})); then
		not_ok "decrementer row $n: unexplained: ${bad[*]}"
	else
		ok "decrementer row $n: every kernel and mode as explained"
	fi
done
# The measured DEC_EXPIRY error: guest TB at the interrupt - the value set.
for c in "${cells[@]}"; do
	for m in a b g c; do
		say "# DEC_EXPIRY error [$c $(mode_name "$m")]: after TB_OFFSET: ${row_fig[dec-after-offset-irq,$c $m]:-none}; before TB_OFFSET: ${row_fig[dec-before-offset-irq,$c $m]:-none}"
	done
done
finish
