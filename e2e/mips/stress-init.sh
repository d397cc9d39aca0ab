#!/bin/busybox sh
# shellcheck shell=sh
# /init of the make-stress initramfs (scripts/stress.sh): runs on the
# debug variant of the Malta 5.10 trap-and-emulate host kernel (lockdep,
# hrtimer debug objects, slab poisoning with slub_debug=FZP, failslab)
# under QEMU. Phases, each loading the module as it says:
#   takeover  mode=takeover: VM churn with Compare due during the close,
#             ONE_REG hammering threads on a guest taking interrupts, the
#             ONE_REG fuzzer, KVM_CREATE_VCPU under failslab; then rmmod
#   auto      no parameter (the kernel's timer, the module's delivery
#             fixes): hammer and churn; then rmmod
#   none      kvm.ko alone: hammer and churn, for comparison
#   race      VMs created, run and closed in a loop while the module is
#             loaded (auto, takeover, defer in turn) and removed, rmmod
#             bounded by a timeout; its exit status and duration recorded
#   uffd      auto: rmmod while KVM_GET_REG_LIST blocks inside the module's
#             wrapper on a userfaultfd page: "@uffd-rmmod RC CENTISECONDS"
#   causerace takeover, with the fixture ktb_slowcb.ko: a Compare match
#             falling while a ONE_REG write of Cause clears TI
# Prints the client's "ok"/"not ok" lines and "# ..." figures, "@rmmod
# RC CENTISECONDS" per removal, then the kernel log between
# "@dmesg-begin" and "@dmesg-end" and "@tainted N", and last
# "stress-init: done" before powering off.
/bin/busybox --install -s /bin
export PATH=/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
dmesg -n 1
ko=/kvm_timer_backport.ko

param() { sed -n "s/.*ktb\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
churn=$(param churn)
failslab=$(param failslab)
secs=$(param secs)
phases=$(param phases | tr ',' ' ')
churn=${churn:-3000}
failslab=${failslab:-1000}
secs=${secs:-20}
phases=${phases:-takeover auto none race uffd causerace}

uptime_cs() { sed 's/^\([0-9]*\)\.\([0-9]*\).*/\1\2/' /proc/uptime; }
# rmmod, bounded: a hang is reported, not waited for forever.
rm_ktb() {
	t0=$(uptime_cs)
	timeout 60 rmmod kvm_timer_backport
	rc=$?
	echo "@rmmod $rc $(($(uptime_cs) - t0))"
	return $rc
}
phase() { echo "# phase $1"; }

insmod /kvm.ko || echo "not ok - insmod kvm.ko"

# Slab failures for the tasks that ask (/proc/self/make-it-fail), sleeping
# allocations included: 1 in 10.
fs=/sys/kernel/debug/failslab
if [ -d $fs ]; then
	echo 10 >$fs/probability
	echo 1 >$fs/interval
	echo -1 >$fs/times
	echo Y >$fs/task-filter
	echo N >$fs/ignore-gfp-wait
	echo 0 >$fs/verbose
else
	echo "not ok - /sys/kernel/debug/failslab exists (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS)"
fi

# stress CMD ARGS...: one of the client's loads in the foreground. Exit
# status 1 comes with a "not ok" line of the client's own; anything more
# means the client itself failed.
stress() {
	/client stress "$@"
	rc=$?
	[ $rc -le 1 ] || echo "not ok - client stress $1 exits 0 or 1 (exit status $rc)"
}

# insmod the module in takeover mode. takeover=1: what modules older than
# mode= take (STRESS_REV). Ask the module: insmod ignores an unknown
# parameter, it does not fail.
in_takeover() {
	m=mode=takeover
	modinfo -F parm $ko | grep -q '^mode:' || m=takeover=1
	insmod $ko $m || echo "not ok - insmod kvm_timer_backport $m"
	grep -qx Y /sys/module/kvm_timer_backport/parameters/takeover ||
		echo "not ok - kvm_timer_backport is in takeover mode (after insmod $m)"
}

phase_takeover() {
	phase takeover
	in_takeover
	stress churn "$churn"
	stress readstorm "$((secs / 2 + 1))"
	stress hammer "$secs" 3
	stress fuzz "$((secs / 2 + 1))" 3
	stress failslab "$failslab"
	rm_ktb || echo "not ok - rmmod kvm_timer_backport after the takeover phase (a leaked reference?)"
}

phase_auto() {
	phase auto
	insmod $ko || echo "not ok - insmod kvm_timer_backport"
	stress hammer "$((secs / 2 + 1))" 3
	stress churn "$((churn / 6 + 1))"
	rm_ktb || echo "not ok - rmmod kvm_timer_backport after the auto phase"
}

phase_none() {
	phase none
	stress hammer "$((secs / 2 + 1))" 3
	stress churn "$((churn / 6 + 1))"
}

phase_race() {
	phase race
	/client stress vmloop "$secs" &
	loop=$!
	i=0
	while kill -0 $loop 2>/dev/null; do
		case $((i % 3)) in
		0) insmod $ko ;;
		1) insmod $ko mode=takeover ;;
		*) insmod $ko mode=defer ;;
		esac
		usleep $((100000 + (i * 37 % 7) * 50000))
		rm_ktb
		i=$((i + 1))
	done
	wait $loop
	echo "# race: $i loads and removals while VMs came and went"
	# Owned vCPUs pin the module: it goes once the last VM has.
	rm_ktb 2>/dev/null
}

# A Compare match during a ONE_REG write of Cause that clears TI: the
# fixture ktb_slowcb holds the module's call into KVM's dequeue callback
# for 10 ms (the client arms it before each write).
phase_causerace() {
	phase causerace
	insmod /ktb_slowcb.ko || { echo "not ok - insmod ktb_slowcb.ko"; return; }
	in_takeover
	stress causerace 20
	echo "# causerace: calls into kvm_mips_dequeue_timer_int_cb held: $(cat /sys/module/ktb_slowcb/parameters/held)"
	rm_ktb || echo "not ok - rmmod kvm_timer_backport after the causerace phase"
	rmmod ktb_slowcb || echo "not ok - rmmod ktb_slowcb"
}

# rmmod while a wrapper blocks on a userfaultfd page: it must say EBUSY at
# once, not wait for the page (auto: the vCPU does not pin the module).
phase_uffd() {
	phase uffd
	insmod $ko || echo "not ok - insmod kvm_timer_backport"
	rm -f /tmp/uffd-ready
	/client stress uffd /tmp/uffd-ready &
	c=$!
	i=0
	while [ ! -e /tmp/uffd-ready ] && [ $i -lt 100 ]; do usleep 100000; i=$((i + 1)); done
	t0=$(uptime_cs)
	timeout 60 rmmod kvm_timer_backport 2>/dev/null
	echo "@uffd-rmmod $? $(($(uptime_cs) - t0))"
	kill -USR1 $c 2>/dev/null
	wait $c
	rm_ktb
}

for p in $phases; do
	"phase_$p"
done

echo "@dmesg-begin"
dmesg
echo "@dmesg-end"
echo "@tainted $(cat /proc/sys/kernel/tainted)"
echo "stress-init: done"
reboot -f
