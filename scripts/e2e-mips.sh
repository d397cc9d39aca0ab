#!/usr/bin/env bash
# End to end on MIPS: the module on real 5.10 KVM trap-and-emulate host
# kernels (32-bit Malta under qemu-system-mipsel) running a real guest.
#
# Three host kernels, all from Debian's linux-source-5.10 (cached; the
# variants rebuild only what their patches touch, see malta-5.10.sh):
#   stock         as Debian ships it
#   no-count-ctl  lacking the master disable interface (e2e/mips/variants/
#                 no-count-ctl.patch: no COUNT_CTL/COUNT_RESUME/COUNT_HZ)
#   old-timer     lacking the 3.16 timer rewrite too (old-timer.patch:
#                 Count from the host's, a 10 ms tick whatever Compare says,
#                 no count_* fields in struct kvm_vcpu_arch)
#   fixed-delivery  without the two trap-and-emulate delivery gaps the
#                 module fixes (fixed-delivery.patch): its fixes must
#                 stand aside
# For each: the module built against that kernel's tree (no undefined
# symbols allowed), an initramfs with the module installed the way a
# package installs it (/lib/modules/KVER/updates/dkms, the package's
# modprobe.d softdep file, depmod, Debian's real kmod) and /init
# (e2e/mips/init.sh), which runs the client (e2e/mips/client.c +
# guest.S) with no module, the module loaded by "modprobe kvm" alone
# (auto), mode=defer and mode=takeover, plus the unload checks.
#
# Prints the guest's "ok"/"not ok" lines, one table of every test's
# outcome, kernels x modes, and ends with "e2e-mips: N passed, M failed".
# Fails on any "not ok", on any cell that differs from what the table's
# rules (expect() below) explain, on a QEMU timeout or if a guest never
# ran. E2E_MIPS_KERNELS (default: all four) picks the
# kernels; E2E_MIPS_TIMEOUT (seconds, default 900) bounds each QEMU run;
# E2E_MIPS_REV picks a commit to build the module from and E2E_MIPS_PATCH
# a patch to apply to the module's copy. Records the step for make check.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
start=$(date +%s)
work=$CACHE/e2e-mips
mkdir -p "$work"
read -ra kernels <<<"${E2E_MIPS_KERNELS:-stock no-count-ctl old-timer fixed-delivery}"
modes=(none auto defer takeover)

rig_start e2e-mips "5.10 Malta trap-and-emulate: ${kernels[*]} x ${modes[*]}"

apt_need qemu-system-mips gcc-mipsel-linux-gnu libc6-dev-mipsel-cross cpio kmod

# The module's sources: a copy of this checkout (no .git), or
# E2E_MIPS_REV=<git revision> (e.g. HEAD, to leave uncommitted work in a
# shared checkout out); E2E_MIPS_PATCH=FILE: a -p1 patch applied to that
# copy only, to confirm a diagnosis or try a fix.
src=$work/module-src
rm -rf "$src"
mkdir -p "$src"
if [[ -n ${E2E_MIPS_REV:-} ]]; then
	git -C "$REPO" archive "$E2E_MIPS_REV" | tar -C "$src" -xf -
	echo "# module sources: $(git -C "$REPO" rev-parse --short "$E2E_MIPS_REV") ($E2E_MIPS_REV)"
else
	tar -C "$REPO" --exclude=./.git --exclude=./e2e -cf - . | tar -C "$src" -xf -
	echo "# module sources: the working tree of $REPO"
fi
if [[ -n ${E2E_MIPS_PATCH:-} ]]; then
	patch -s -d "$src" -p1 <"$E2E_MIPS_PATCH" || die "apply $E2E_MIPS_PATCH"
	echo "# module patched with $E2E_MIPS_PATCH (a diagnosis run, not the module as committed)"
fi

mips_client "$work/client" || die "the e2e-mips client builds"

# busybox-static for mipsel, unpacked once per version. The fetch's
# progress lines name the archive: keep them out of every log.
deb=$("$here/debs.sh" fetch mipsel bookworm busybox-static 2>/dev/null) ||
	die "fetch busybox-static for mipsel"
bb=$work/busybox-$(dpkg-deb -f "$deb" Version | tr ':' '_')
if [[ ! -x $bb/bin/busybox ]]; then
	rm -rf "$bb.tmp"
	dpkg-deb -x "$deb" "$bb.tmp"
	mv "$bb.tmp" "$bb"
fi
# Debian's kmod for mipsel (busybox's modprobe knows no softdep).
kmod_root=$work/kmod-root
rm -rf "$kmod_root"
mkdir -p "$kmod_root"
"$here/rig-kmod.sh" mipsel "$kmod_root" >"$LOGDIR/e2e-mips-kmod.log" 2>&1 ||
	{ tail -5 "$LOGDIR/e2e-mips-kmod.log" >&2; die "Debian's kmod for mipsel (scripts/rig-kmod.sh)"; }
t_tools=$(date +%s)

# Per kernel: tree, module, initramfs.
declare -A tree=()
for k in "${kernels[@]}"; do
	case $k in
	stock) t=$("$here/malta-5.10.sh" build) || die "build the Malta 5.10 kernel" ;;
	*) t=$("$here/malta-5.10.sh" variant "$k") || die "build the Malta 5.10 $k variant" ;;
	esac
	[[ -f $t/vmlinux && -f $t/arch/mips/kvm/kvm.ko ]] ||
		die "Malta 5.10 $k tree $t lacks vmlinux or kvm.ko"
	tree[$k]=$t

	mod=$work/$k/module
	rm -rf "$mod"
	mkdir -p "$mod"
	cp -a "$src/." "$mod/"
	mlog=$LOGDIR/e2e-mips-module-$k.log
	if make -C "$t" M="$mod" ARCH=mips CROSS_COMPILE=mipsel-linux-gnu- \
		-j"$(nproc)" modules >"$mlog" 2>&1; then
		if grep -q 'undefined!' "$mlog"; then
			grep 'undefined!' "$mlog" >&2
			die "kvm_timer_backport.ko links against the Malta 5.10 $k tree (undefined symbols)"
		fi
		glue=$(cd "$mod" && find src/mips -name '*.o' ! -name '*.mod.o' -printf '%f ' | sort)
		ok "kvm_timer_backport.ko builds against the Malta 5.10 $k tree, every symbol resolved (MIPS glue: $glue)"
	else
		tail -20 "$mlog" >&2
		die "kvm_timer_backport.ko builds against the Malta 5.10 $k tree"
	fi

	kver=$(make -s -C "$t" ARCH=mips CROSS_COMPILE=mipsel-linux-gnu- kernelrelease)
	root=$work/$k/root
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modprobe.d}
	cp -a "$kmod_root/." "$root/"
	cp "$bb/bin/busybox" "$root/bin/"
	cp "$REPO/e2e/mips/init.sh" "$root/init"
	chmod +x "$root/init"
	cp "$work/client" "$mod/kvm_timer_backport.ko" "$root/"
	# As a package installs it: the module where dkms puts it, the
	# softdep file, depmod.
	install -D -m 644 "$t/arch/mips/kvm/kvm.ko" \
		"$root/lib/modules/$kver/kernel/arch/mips/kvm/kvm.ko"
	install -D -m 644 "$mod/kvm_timer_backport.ko" \
		"$root/lib/modules/$kver/updates/dkms/kvm_timer_backport.ko"
	cp "$REPO/packaging/kvm-timer-backport.conf" "$root/lib/modprobe.d/"
	cp "$t/modules.order" "$t/modules.builtin" "$t/modules.builtin.modinfo" \
		"$root/lib/modules/$kver/"
	depmod -b "$root" "$kver" || die "depmod for the $k initramfs"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/$k/init.cpio.gz"
done
t_built=$(date +%s)

# Boot each kernel. The console is the test output; show its test lines.
for k in "${kernels[@]}"; do
	log=$LOGDIR/e2e-mips-$k.log
	set +e
	timeout "${E2E_MIPS_TIMEOUT:-900}" qemu-system-mipsel -M malta -cpu 24Kf -m 512M \
		-smp 1 -nic none -vga none -nographic -no-reboot \
		-kernel "${tree[$k]}/vmlinux" -initrd "$work/$k/init.cpio.gz" \
		-append "console=ttyS0 panic=-1 loglevel=4 ktb.kernel=$k" </dev/null 2>&1 |
		tr -d '\r' | tee "$log" | grep --line-buffered -E '^(ok|not ok|#) '
	qemu_rc=${PIPESTATUS[0]}
	set -e
	count_verdicts "$log"
	if ((qemu_rc == 124)); then
		notok "$k: QEMU finished within ${E2E_MIPS_TIMEOUT:-900} s (timed out; tail of the console in $log)"
	elif ((qemu_rc != 0)); then
		notok "$k: QEMU exits 0 (exit status $qemu_rc)"
	fi
	grep -q '^e2e-mips-init: done' "$log" ||
		notok "$k: the guest system ran to the end of /init (see $log)"
done
t_run=$(date +%s)

# ---- the table: every test's outcome, kernels x modes ----
declare -A res=()
names=()
for k in "${kernels[@]}"; do
	while read -r _ cell name what; do
		[[ " ${names[*]} " == *" $name "* ]] || names+=("$name")
		res[$name,$cell]=$what
	done < <(grep '^result ' "$LOGDIR/e2e-mips-$k.log" || true)
done
((${#names[@]})) || die "the guests ran and reported results (none in $LOGDIR/e2e-mips-*.log)"

# Tests that need COUNT_CTL/COUNT_RESUME/COUNT_HZ.
ctl_rows=" save-restore-jump save-restore-resume save-restore-irq hz-running hz-frozen einval restore-pending dc-twice hz-1ghz-wrap "
# Stock 5.10's trap-and-emulate delivery bugs: every line is tested
# against Status.IM0, and a restored Cause.TI is never queued.
declare -A stock_bug=(
	[irq-im7-only]=lost [irq-im0-only]=delivered-once [restore-pending]=lost
	[irq-io2-own]=lost [irq-io2-im0]=delivered-once
	[irq-io4-own]=lost [irq-io4-im0]=delivered-once
)

# expect ROW KERNEL MODE: what the cell must hold, as
#   =CELL  the same as that cell     ~RE  matches the regex
#   !CELL  anything but what that cell holds
#   *      shown, not judged (with why on the next line of output)
# Reference: stock-takeover, the full upstream semantics with the fixes.
expect() {
	local row=$1 k=$2 m=$3
	case $m in
	auto | takeover)
		# The full upstream semantics, whatever the kernel lacks.
		echo "=stock-takeover"
		return
		;;
	esac
	if [[ $k == fixed-delivery ]]; then
		# Nothing to fix: the kernel alone gives the upstream result.
		echo "=stock-takeover"
		return
	fi
	case $k in
	stock)
		if [[ -v "stock_bug[$row]" ]]; then
			echo "~^${stock_bug[$row]}\$"
		else
			echo "=stock-takeover"
		fi
		;;
	*)
		if [[ $ctl_rows == *" $row "* ]]; then
			echo "~^einval\$"
		elif [[ $row == reg-list ]]; then
			echo "~^no-ctl-"
		elif [[ $k == no-count-ctl ]]; then
			# Only the ids are missing: as stock 5.10 otherwise.
			echo "=stock-none"
		elif [[ $row == count-rate || $row == rdhwr-cc ]]; then
			# Count from the host's / 4; RDHWR returns the stored Count.
			echo "~^fail\$"
		elif [[ $row == cause-dc || $row == guest-count-write ]]; then
			# Cause.DC stops nothing; guest Count writes are dropped.
			echo "!stock-takeover"
		else
			echo "*"
		fi
		;;
	esac
}

short() {
	case $1 in
	delivered-once) echo once ;;
	*) echo "$1" ;;
	esac
}

cells=()
for k in "${kernels[@]}"; do
	for m in "${modes[@]}"; do
		cells+=("$k-$m")
	done
done
printf '# %-20s' test
for k in "${kernels[@]}"; do printf ' | %-43s' "$k: none / auto / defer / takeover"; done
echo
unjudged=()
for n in "${names[@]}"; do
	printf '# %-20s' "$n"
	for k in "${kernels[@]}"; do
		printf ' |'
		for m in "${modes[@]}"; do
			printf ' %-10s' "$(short "${res[$n,$k-$m]:-missing}")"
		done
	done
	echo
done
for n in "${names[@]}"; do
	bad=()
	for k in "${kernels[@]}"; do
		for m in "${modes[@]}"; do
			got=${res[$n,$k-$m]:-missing}
			e=$(expect "$n" "$k" "$m")
			case $e in
			=*)
				ref=${res[$n,${e#=}]:-missing}
				[[ $got == "$ref" && $got != missing ]] ||
					bad+=("$k-$m $got (want $ref, as ${e#=})")
				;;
			~*)
				[[ $got =~ ${e#\~} ]] || bad+=("$k-$m $got (want ${e#\~})")
				;;
			!*)
				ref=${res[$n,${e#!}]:-missing}
				[[ $got != "$ref" && $got != missing ]] ||
					bad+=("$k-$m $got (want anything but ${e#!}'s)")
				;;
			*)
				[[ $got != missing ]] || bad+=("$k-$m missing")
				unjudged+=("$n:$k-$m=$got")
				;;
			esac
		done
	done
	if ((${#bad[@]})); then
		notok "$n: unexplained: ${bad[*]}"
	else
		ok "$n: every cell as explained"
	fi
done
((${#unjudged[@]})) &&
	echo "# shown, not judged (old-timer without the module: the pre-3.16 timer ticks every 10 ms whatever Compare says, so timing outcomes are whatever the tick makes them): ${unjudged[*]}"

# What the module decided on each kernel (debugfs "features" in auto), and
# which paths of the glue ran: where the module runs the timer (auto on
# the kernels lacking the master disable, takeover everywhere), Count
# reads in delay slots were carried out by the module, none handed back.
declare -A want_features=(
	[stock]="kernel kernel fixed fixed"
	[no-count-ctl]="provided provided fixed provided"
	[old-timer]="provided provided fixed provided"
	[fixed-delivery]="kernel kernel kernel kernel"
)
feature_names=("COUNT_CTL/COUNT_RESUME/COUNT_HZ" "Count/Compare timer"
	"Status.IM interrupt delivery" "restored pending timer interrupt")
for k in "${kernels[@]}"; do
	klog=$LOGDIR/e2e-mips-$k.log
	read -ra want <<<"${want_features[$k]}"
	got=()
	for f in "${feature_names[@]}"; do
		got+=("$(sed -n "s|^# $k-auto features after the client: $f: \([a-z ]*\) (.*|\1|p" "$klog" | head -n1)")
	done
	if [[ "${got[*]}" == "${want[*]}" ]]; then
		ok "$k-auto: the module decided ${want[*]} (registers, timer, IM delivery, restored interrupt)"
	else
		notok "$k-auto: the module decided '${got[*]}', want '${want[*]}' (registers, timer, IM delivery, restored interrupt)"
	fi
	for m in auto takeover; do
		line=$(grep -m1 "^# $k-$m vcpus after the client: totals" "$klog" || true)
		[[ -n $line ]] || { notok "$k-$m: debugfs totals shown"; continue; }
		ds=$(sed -n 's/.* delay_slot \([0-9]*\).*/\1/p' <<<"$line")
		hb=$(sed -n 's/.* handed_back \([0-9]*\).*/\1/p' <<<"$line")
		if [[ $m == auto && ${want[1]} == kernel ]]; then
			if [[ $ds == 0 ]]; then
				ok "$k-$m: the kernel runs the timer, the module emulated nothing (debugfs: ${line#*: })"
			else
				notok "$k-$m: the module ran timers on a kernel that has the master disable (${line#*: })"
			fi
		elif ((ds > 0 && hb == 0)); then
			ok "$k-$m: $ds delay-slot accesses carried out by the module, none handed back to the kernel"
		else
			notok "$k-$m: delay slot $ds, handed back $hb (want > 0 and 0)"
		fi
	done
done
echo "# times: tools $((t_tools - start)) s, kernels+modules+initramfs $((t_built - t_tools)) s, QEMU runs $((t_run - t_built)) s, total $((t_run - start)) s"
rig_finish
