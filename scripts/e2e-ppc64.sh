#!/usr/bin/env bash
# make e2e-ppc64: the module's PowerPC part end to end, on Debian's ppc64el
# 6.1 kernel running a real guest under kvm-hv, in qemu-system-ppc64 (TCG).
#
# Cross-builds kvm_timer_backport.ko against the ppc64el headers of the
# same ABI as the kernel image, and the static test client (e2e/ppc64/),
# then boots the kernel with a busybox initramfs whose /init
# (e2e/ppc64/init) first loads KVM as a booted machine does (auto): the
# module in /lib/modules/ABI/updates/dkms/ as dkms installs it, kvm.ko and
# kvm-hv.ko as Debian's image ships them, packaging/kvm-timer-backport.conf
# in /lib/modprobe.d/ as the .deb installs it, Debian's kmod
# (scripts/rig-kmod.sh); depmod -a, then "modprobe kvm_hv" alone must
# load the module, attached to kvm-hv before the first VM, which then
# runs. Then it runs the client with the module absent (a), loaded (b),
# loaded with takeover=1 (c), and loaded with takeover=1 before kvm-hv
# (d); every client check must pass in each, and b, c, d must give the
# same checks and verdicts as a. Then (e) a VM created before insmod lives
# through the module's arrival and departure, and (f) kvm-hv is unloaded
# and reloaded under the module. The module's dmesg lines are checked in
# every mode. Prints one line per check, then
# "e2e-ppc64: N passed, M failed"; records the step for make check.
#
#   E2E_PPC64_MACHINES  QEMU machines, booted one after the other
#                       (default "powernv9 pseries")
#   E2E_PPC64_TIMEOUT   seconds allowed per boot (default 300)
#
# What is fetched or extracted is cached in $CACHE/e2e-ppc64; the module,
# the client and the initramfs are rebuilt every run in
# $CACHE/build/e2e-ppc64. Serial consoles: $LOGDIR/e2e-ppc64-MACHINE.log.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
lock_cache
lock_wait=$SECONDS
here=$(dirname "$0")

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
		"${first_failure:-$machines, modes auto, a-f}"
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

# ---- setup: packages, kernel, busybox, module, client, initramfs ----

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
mod=$build/mod
rm -rf "$mod"
mkdir -p "$mod"
tar -C "$REPO" --exclude=.git -cf - . | tar -C "$mod" -xf -
rc=0
make -C "$kdir" M="$mod" ARCH=powerpc CROSS_COMPILE="$cross" modules \
	>>"$buildlog" 2>&1 || rc=$?
ktb=$mod/kvm_timer_backport.ko
if ((rc == 0)); then
	ok "kvm_timer_backport.ko cross-builds for $abi: $ktb"
	check "the module's vermagic matches the image's kvm.ko" \
		"$(ko_info vermagic "$ktb")" \
		test "$(ko_info vermagic "$ktb")" = "$(ko_info vermagic "$kern/modules/kvm.ko")"
else
	grep -E 'error|Error' "$buildlog" | head -n 20
	not_ok "kvm_timer_backport.ko cross-builds for $abi: make exit $rc, see $buildlog"
	rm -f "$ktb"
fi

client=$build/client
rc=0
"${cross}gcc" -static -O2 -Wall -Wextra -Werror -Wa,-mregnames -o "$client" \
	"$REPO/e2e/ppc64/client.c" "$REPO/e2e/ppc64/guest.S" >>"$buildlog" 2>&1 || rc=$?
((rc == 0)) || { tail -n 20 "$buildlog"; fatal "test client builds: see $buildlog"; }

root=$build/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules/e2e}
cp "$bb" "$root/bin/busybox"
cp "$client" "$root/bin/client"
cp "$REPO/e2e/ppc64/init" "$root/init"
chmod 755 "$root/init"
cp "$kern"/modules/* "$root/lib/modules/e2e/"
[[ -e $ktb ]] && cp "$ktb" "$root/lib/modules/e2e/"
# For mode auto: installed as on a machine with the image, the .deb and
# dkms's build, with Debian's kmod.
cp -a "$kern/tree/lib/modules/$abi" "$root/lib/modules/"
if [[ -e $ktb ]]; then
	install -D -m 0644 "$ktb" "$root/lib/modules/$abi/updates/dkms/kvm_timer_backport.ko"
fi
install -D -m 0644 "$REPO/packaging/kvm-timer-backport.conf" \
	"$root/lib/modprobe.d/kvm-timer-backport.conf"
"$here/rig-kmod.sh" ppc64el "$root" || fatal "Debian's kmod in the initramfs (scripts/rig-kmod.sh ppc64el)"
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
initrd=$build/initrd.cpio.gz
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$initrd"
say "# setup took $((SECONDS - lock_wait))s (and ${lock_wait}s waiting for the cache lock): kernel $abi $kversion, initramfs $(du -k "$initrd" | cut -f1) KiB"

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

ref_sig="" ref_tag=""

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
	done < <(lines "$log" "$mode" | grep -E '^debugfs-after ' || true)
	bad=$(lines "$log" "$mode" | grep -E '^dmesg ' |
		grep -m1 -E 'WARNING:|BUG:|Oops|Call Trace|Unable to handle|refcount_t' || true)
	check "$tag the kernel log has no warning, BUG or oops" "${bad:-clean}" \
		test -z "$bad"
}

# Mode auto: the module loads by itself, as at a machine's boot. Depends
# only on "attached to kvm-hv" and /sys/module, not on the module's other
# words or parameters.
judge_auto() {
	local log=$1 tag="[$2 auto]" line
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

judge_mode() {
	local log=$1 machine=$2 mode=$3 tag="[$2 $3]" sig line n
	judge_client "$log" "$mode" "$tag" || return 0

	# The module's decision for TB_OFFSET (b: no parameter, i.e. mode=auto;
	# the others: takeover=1, the alias of mode=takeover).
	local say_mode="kvm_timer_backport: TB_OFFSET/DEC_EXPIRY: kernel has it: taken over"
	local alive=""
	if [[ $mode == b ]]; then
		say_mode="kvm_timer_backport: TB_OFFSET/DEC_EXPIRY: kernel has it: kernel"
	elif [[ $mode == e ]]; then
		alive=" while the VM created before insmod lives"
	fi
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
		dmesg_check "$log" "$mode" "$tag" "$say_mode"
		check "$tag rmmod kvm_timer_backport$alive" "" \
			has "$log" "$mode" "rmmod kvm_timer_backport rc=0"
		dmesg_check "$log" "$mode" "$tag" "kvm_timer_backport: powerpc: detached from kvm-hv"
		;;
	esac
	[[ $mode == [abcd] ]] || return 0

	# Every mode must agree with the first, check for check.
	sig=$(signature "$log" "$mode")
	n=$(grep -c . <<<"$sig" || true)
	if [[ -z $ref_sig ]]; then
		ref_sig=$sig ref_tag=$tag
		return
	fi
	if [[ $sig == "$ref_sig" && -n $sig ]]; then
		ok "$tag same $n checks and verdicts as $ref_tag"
	else
		line=$(diff <(echo "$ref_sig") <(echo "$sig") || true)
		not_ok "$tag same checks and verdicts as $ref_tag: first difference: $ref_tag \"$(grep -m1 '^<' <<<"$line" | cut -c3-)\", $tag \"$(grep -m1 '^>' <<<"$line" | cut -c3-)\""
	fi
}

boot() {
	local machine=$1 log=$LOGDIR/e2e-ppc64-$1.log raw tag="[$1]" rc=0 margs start
	local trace=$build/tbtrace-$1.log soak=1500 carries
	rm -f "$trace"
	case $machine in
	powernv9)
		# Here the kernel applies the offset itself with mtspr TBU40:
		# trace QEMU's timebase writes to see its carry fix-up run,
		# and soak longer to make that likely.
		margs=(-M powernv9 -m 2G -trace ppc_tb_store -D "$trace")
		soak=3000
		;;
	pseries)
		margs=(-M "pseries,cap-nested-hv=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off"
			-cpu POWER9 -m 1G)
		;;
	*)
		not_ok "$tag known QEMU machine (powernv9 or pseries)"
		return
		;;
	esac
	raw=$build/console-$machine.raw
	rm -f "$raw"
	echo "e2e-ppc64: booting $machine (console: $log)"
	start=$SECONDS
	timeout -k 10 "$boot_timeout" qemu-system-ppc64 "${margs[@]}" -smp 1 \
		-display none -vga none -nic none -monitor none -serial "file:$raw" \
		-no-reboot -kernel "$kern/vmlinux" -initrd "$initrd" \
		-append "console=hvc0 panic=-1 quiet e2e_soak_ms=$soak" </dev/null || rc=$?
	tr -d '\r' <"$raw" >"$log" 2>/dev/null || : >"$log"
	case $rc in
	0) ok "$tag QEMU ran the guest to poweroff: $((SECONDS - start)) s" ;;
	124 | 137) not_ok "$tag QEMU ran the guest to poweroff: timed out after ${boot_timeout}s" ;;
	*) not_ok "$tag QEMU ran the guest to poweroff: exit $rc" ;;
	esac

	check "$tag kvm.ko and kvm-hv.ko load (modprobe kvm_hv)" "" \
		has "$log" auto "modprobe kvm_hv rc=0"
	judge_auto "$log" "$machine"
	for mode in a b c d e f; do
		judge_mode "$log" "$machine" "$mode"
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

for machine in $machines; do
	boot "$machine"
done
finish
