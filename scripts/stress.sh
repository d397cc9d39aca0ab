#!/usr/bin/env bash
# make stress: the module under load on a debug kernel. The debug variant
# of the Malta 5.10 trap-and-emulate host kernel (malta-5.10.sh debug:
# lockdep, atomic-sleep checks, hrtimer debug objects, slab poisoning,
# failslab) boots under qemu-system-mipsel with slub_debug=FZP and runs
# e2e/mips/stress-init.sh: VM churn with Compare due during the close,
# guest Count reads across one Compare match after another (readstorm),
# ONE_REG hammering threads on a guest taking interrupts, a ONE_REG
# fuzzer, KVM_CREATE_VCPU under failslab, insmod/rmmod racing VM
# creation, and Compare matches falling inside ONE_REG writes of Cause
# that clear TI (causerace: the fixture module e2e/mips/slowcb.c holds
# the module's call into KVM's dequeue callback; the code before c5b1309
# withdrew the match) (the client's "stress" commands, e2e/mips/client.c).
#
# Fails on any "not ok", on a kernel log line that is a splat (BUG,
# WARNING, lockdep, ODEBUG, slab corruption, suspicious RCU usage, ...)
# other than the one known warning of stock 5.10 itself (below), on a
# taint other than O/E (an out-of-tree, unsigned module), on an rmmod
# that did not return (a timeout) or failed otherwise than EBUSY, and on
# a QEMU timeout. Prints the figures: operations, faults injected, lost or
# repeated interrupts, backwards steps, the longest rmmod.
#
#   STRESS_REV=REV    build the module from git revision REV instead of
#                     the working tree (to show a bug on older code)
#   STRESS_CHURN=N    VMs of the churn phase (default 3000)
#   STRESS_SECS=S     seconds of the hammer phase (default 20)
#   STRESS_FAILSLAB=N VM and vCPU creations under failslab (default 1000)
#   STRESS_TIMEOUT=S  bound of the QEMU run (default 900)
#   STRESS_PHASES=P   the phases of e2e/mips/stress-init.sh to run, comma
#                     separated (default all:
#                     takeover,auto,none,race,uffd,causerace)
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
lock_cache
work=$CACHE/stress
mkdir -p "$work"
log=$LOGDIR/stress.log

rig_start stress "Malta 5.10 debug kernel: churn, readstorm, hammer, fuzz, failslab, load/unload race, causerace"

apt_need qemu-system-mips gcc-mipsel-linux-gnu libc6-dev-mipsel-cross cpio

t=$("$here/malta-5.10.sh" debug) || die "build the Malta 5.10 debug kernel (malta-5.10.sh debug)"
[[ -f $t/vmlinux && -f $t/arch/mips/kvm/kvm.ko ]] || die "debug tree $t lacks vmlinux or kvm.ko"

src=$work/module
echo "# module sources: $(module_tree "$src" "${STRESS_REV:-}")"
mlog=$LOGDIR/stress-module.log
make -C "$t" M="$src" ARCH=mips CROSS_COMPILE=mipsel-linux-gnu- -j"$(nproc)" modules \
	>"$mlog" 2>&1 || { tail -20 "$mlog" >&2; die "kvm_timer_backport.ko builds against the debug tree"; }
! grep -q 'undefined!' "$mlog" || die "kvm_timer_backport.ko links against the debug tree (undefined symbols)"
ok "kvm_timer_backport.ko builds against the Malta 5.10 debug tree"

# The fixture of phase causerace, always the working tree's.
fx_ko=$(fixture_ko "$t" mips/slowcb.c ktb_slowcb mips mipsel-linux-gnu-) ||
	die "the fixture ktb_slowcb.ko builds against the debug tree"

# The client of the working tree, whatever STRESS_REV says: the load
# is the same for old and new code.
mips_client "$work/client" || die "the stress client builds"

root=$work/root
busybox_root mipsel "$root" || die "fetch busybox-static for mipsel"
cp "$REPO/e2e/mips/stress-init.sh" "$root/init"
chmod +x "$root/init"
cp "$work/client" "$src/kvm_timer_backport.ko" "$fx_ko" \
	"$t/arch/mips/kvm/kvm.ko" "$root/"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/init.cpio.gz"

echo "# booting the debug kernel (console: $log)"
set +e
timeout "${STRESS_TIMEOUT:-900}" qemu-system-mipsel -M malta -cpu 24Kf -m 512M \
	-smp 1 -nic none -vga none -nographic -no-reboot \
	-kernel "$t/vmlinux" -initrd "$work/init.cpio.gz" \
	-append "console=ttyS0 panic=-1 loglevel=4 slub_debug=FZP log_buf_len=4M ktb.churn=${STRESS_CHURN:-3000} ktb.failslab=${STRESS_FAILSLAB:-1000} ktb.secs=${STRESS_SECS:-20} ktb.phases=${STRESS_PHASES:-takeover,auto,none,race,uffd,causerace}" \
	</dev/null 2>&1 | tr -d '\r' >"$log"
qemu_rc=${PIPESTATUS[0]}
set -e

guest_verdicts "$log" "$qemu_rc" "${STRESS_TIMEOUT:-900}"

# rmmod: every one returned, with 0 or EBUSY (busybox: 1); the longest.
rmmod_tally "$log" 1
if ((rm_n && ${#rm_bad[@]} == 0)); then
	ok "every rmmod returned (0 or EBUSY): $rm_n removals, $rm_busy EBUSY (a VM pinned the module), the longest $rm_longest ms"
else
	notok "every rmmod returned (0 or EBUSY): $rm_n removals, exit status ${rm_bad[*]:-none recorded}"
fi

# A wrapper blocked on a userfaultfd page holds the module: rmmod says
# EBUSY (busybox: 1) at once instead of waiting for the page.
if line=$(grep -m1 '^@uffd-rmmod ' "$log"); then
	read -r _ rc cs <<<"$line"
	if [[ $rc == 1 ]] && ((cs < 300)); then
		ok "rmmod while KVM_GET_REG_LIST blocks in the module on a userfaultfd page: EBUSY after $((cs * 10)) ms"
	else
		notok "rmmod while KVM_GET_REG_LIST blocks in the module on a userfaultfd page: EBUSY at once (got rc $rc after $((cs * 10)) ms)"
	fi
elif [[ ${STRESS_PHASES:-uffd} == *uffd* ]]; then
	notok "rmmod while KVM_GET_REG_LIST blocks on a userfaultfd page: no result"
fi

# The kernel log: nothing but the one known splat of stock 5.10. Under
# PROVE_LOCKING its MMIO emulation calls kvm_io_bus_write() without the
# SRCU read lock: "suspicious RCU usage" whose detail line names
# virt/kvm/kvm_main.c, with or without this module. Every other report
# header fails.
splats=$(sed -n '/^@dmesg-begin$/,/^@dmesg-end$/p' "$log" | kernel_splats)
known=$(grep -c 'suspicious RCU usage: .*virt/kvm/kvm_main\.c' <<<"$splats" || true)
unknown=$(grep -v 'suspicious RCU usage: .*virt/kvm/kvm_main\.c' <<<"$splats" | grep . | head -n3 | tr '\n' '|' || true)
if [[ -z $unknown ]]; then
	ok "the debug kernel's log has no splat but stock 5.10's known one (the suspicious RCU usage at virt/kvm/kvm_main.c, $known times)"
else
	notok "the debug kernel's log has no splat but stock 5.10's known one: $unknown"
fi
taint_verdict "$log"
echo "# console: $log"
rig_finish
