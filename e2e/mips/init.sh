#!/bin/busybox sh
# shellcheck shell=sh
# /init of an e2e-mips initramfs (scripts/e2e-mips.sh builds one per host
# kernel): runs on a Malta 5.10 trap-and-emulate host kernel under QEMU.
# The kernel command line names the host kernel (ktb.kernel=stock,
# no-count-ctl or old-timer); the client then runs in four modes:
#   none      kvm.ko alone
#   auto      the module installed as a package installs it, loaded by
#             nothing but "modprobe kvm" (the softdep), no parameters
#   defer     insmod kvm_timer_backport.ko mode=defer
#   takeover  insmod kvm_timer_backport.ko mode=takeover
# with the unload checks in between. Prints "ok - ..."/"not ok - ..."
# lines (the rig counts them), the client's "result CELL TEST OUTCOME"
# lines (the rig tabulates them) and ends with "e2e-mips-init: done"
# before powering off.
/bin/busybox --install -s /bin
export PATH=/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
dbg=/sys/kernel/debug/kvm_timer_backport
ko=/kvm_timer_backport.ko

kernel=$(sed -n 's/.*ktb\.kernel=\([^ ]*\).*/\1/p' /proc/cmdline)
kernel=${kernel:-stock}

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...
	what=$1
	shift
	if out=$("$@" 2>&1); then ok "$what"; else notok "$what: $out"; fi
}
show() { # prefix every line of a file or command output
	sed "s/^/# $1: /"
}
loaded() { grep -q '^kvm_timer_backport ' /proc/modules; }
wait_file() { # wait_file FILE: until a background client creates it, 10 s at most
	i=0
	while [ ! -e "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
# What the client expects of a cell: the upstream result where the module
# runs or the kernel has nothing to fix; stock's known delivery bugs on
# stock; where the kernel lacks the master disable registers and nothing
# provides them, there is nothing to judge.
profile() {
	case $kernel-$1 in
	*-auto | *-takeover | fixed-delivery-*) echo fixed ;;
	stock-*) echo stock ;;
	*) echo observe ;;
	esac
}
client() { # client MODE: the whole client run, bounded
	timeout 400 /client "$kernel-$1" "$(profile "$1")"
	rc=$?
	# 1: some check failed, and said so; more: the client itself failed.
	[ $rc -eq 143 ] && notok "$kernel-$1: client timed out"
	[ $rc -gt 1 ] && [ $rc -ne 143 ] && notok "$kernel-$1: client exits 0 or 1 (exit status $rc)"
}
debugfs() { # debugfs MODE WHEN: the module's view, for the log
	[ -r $dbg/features ] && show "$kernel-$1 features $2" <$dbg/features
	[ -r $dbg/vcpus ] && show "$kernel-$1 vcpus $2" <$dbg/vcpus
}
owns() { grep -q 'own timers: yes' $dbg/vcpus 2>/dev/null; }

# hold LABEL EXPECT: rmmod with a VM open; EXPECT is refused or unloads.
hold() {
	rm -f /tmp/held
	/client hold /tmp/held "$1" &
	hp=$!
	wait_file /tmp/held
	[ -e /tmp/held ] || notok "$1: the holding client did not start its VM"
	ref=$(cat /sys/module/kvm_timer_backport/refcnt 2>/dev/null)
	out=$(rmmod kvm_timer_backport 2>&1)
	rc=$?
	if [ "$2" = refused ]; then
		if [ $rc -ne 0 ] && loaded; then
			ok "$1: rmmod kvm_timer_backport with a VM open is refused: the module runs its timer (refcnt $ref: $out)"
		else
			notok "$1: rmmod kvm_timer_backport with a VM open: rc $rc, refcnt $ref, $out"
		fi
	else
		if [ $rc -eq 0 ] && ! loaded; then
			ok "$1: rmmod kvm_timer_backport with a VM open unloads: the module owns no vCPU (refcnt was $ref)"
		else
			notok "$1: rmmod kvm_timer_backport with a VM open: rc $rc, refcnt $ref, $out"
		fi
	fi
	kill -TERM $hp
	if wait $hp; then
		ok "$1: the VM held open across the rmmod still runs, then closes"
	else
		notok "$1: the VM held open across the rmmod"
	fi
}

# rmmod while a vCPU sleeps in WAIT, i.e. inside the module's exit
# wrapper (or, in defer mode, with none installed): the unload completes,
# at the latest once the vCPU leaves WAIT.
waithold() {
	rm -f /tmp/wh
	/client waithold /tmp/wh "$1" &
	wp=$!
	wait_file /tmp/wh
	sleep 1
	rmmod kvm_timer_backport &
	rp=$!
	sleep 3
	if kill -0 $rp 2>/dev/null; then
		echo "# $1: rmmod with a vCPU asleep in WAIT: still running after 3 s, state $(cut -d' ' -f3 /proc/$rp/stat), wchan $(cat /proc/$rp/wchan 2>/dev/null); waking the vCPU"
	else
		echo "# $1: rmmod with a vCPU asleep in WAIT: finished within 3 s"
	fi
	kill -USR2 $wp
	wait $rp
	rrc=$?
	wait $wp
	if [ $rrc -eq 0 ] && ! loaded; then
		ok "$1: rmmod with a vCPU asleep in WAIT completes (at the latest once the vCPU leaves WAIT)"
	elif loaded; then
		# The module owns that vCPU: the unload is refused instead.
		ok "$1: rmmod with an owned vCPU asleep in WAIT is refused, not blocked (rc $rrc)"
		rmmod kvm_timer_backport
	else
		notok "$1: rmmod with a vCPU asleep in WAIT: rc $rrc"
	fi
}

echo "e2e-mips-init: start $(uname -r) kernel $kernel"

echo "e2e-mips-init: mode none"
check "$kernel-none: insmod kvm.ko" insmod /lib/modules/"$(uname -r)"/kernel/arch/mips/kvm/kvm.ko
client none
check "$kernel-none: rmmod kvm" rmmod kvm

echo "e2e-mips-init: mode auto"
# As a machine with the package boots: nothing names the module, modprobe
# loads it after kvm because of the softdep the package installs. Debian's
# kmod by its path: busybox's sh runs its own modprobe applet, which knows
# no softdep, for a bare "modprobe".
check "$kernel-auto: modprobe kvm (Debian's kmod)" /sbin/modprobe kvm
if loaded && dmesg | grep -q 'attached to kvm_mips_callbacks (mode=auto)'; then
	ok "$kernel-auto: modprobe kvm alone loads kvm_timer_backport (softdep) and it attaches in mode=auto before the first VM"
else
	notok "$kernel-auto: modprobe kvm alone did not load and attach kvm_timer_backport ($(grep kvm /proc/modules | tr '\n' ' '))"
fi
debugfs auto "before the first VM"
client auto
debugfs auto "after the client"
# A VM created now: the module runs its timer on a kernel that lacks the
# master disable (so rmmod is refused), defers to the kernel otherwise.
if owns; then hold "$kernel-auto" refused; else hold "$kernel-auto" unloads; fi
loaded || check "$kernel-auto: modprobe kvm_timer_backport again" /sbin/modprobe kvm_timer_backport
waithold "$kernel-auto"
loaded && rmmod kvm_timer_backport

echo "e2e-mips-init: mode defer"
check "$kernel-defer: insmod kvm_timer_backport.ko mode=defer" insmod $ko mode=defer
client defer
debugfs defer "after the client"
waithold "$kernel-defer"
loaded || check "$kernel-defer: insmod kvm_timer_backport.ko mode=defer again" insmod $ko mode=defer
hold "$kernel-defer" unloads
loaded && rmmod kvm_timer_backport

echo "e2e-mips-init: mode takeover"
# A VM created before the module is loaded, adopted by mode=takeover.
rm -f /tmp/adopt /tmp/adopt.2
/client adopt /tmp/adopt "$kernel-takeover" &
ap=$!
wait_file /tmp/adopt
[ -e /tmp/adopt ] || notok "$kernel-takeover: the adopt client did not start its VM"
check "$kernel-takeover: insmod kvm_timer_backport.ko mode=takeover" insmod $ko mode=takeover
kill -USR1 $ap
wait_file /tmp/adopt.2
[ -e /tmp/adopt.2 ] || notok "$kernel-takeover: the adopt client did not finish its checks"
kill -TERM $ap
wait $ap || notok "$kernel-takeover: the adopt client exits 0"
client takeover
debugfs takeover "after the client"
hold "$kernel-takeover" refused
check "$kernel-takeover: rmmod kvm_timer_backport once the VM is closed" rmmod kvm_timer_backport
timeout 30 /client smoke "$kernel-after-unload"

dmesg | grep -E 'kvm|KVM|WARNING|BUG|Oops|Call Trace|rcu' | show "$kernel dmesg"
if dmesg | grep -qE 'WARNING|BUG|Oops|Call Trace|stall'; then
	notok "$kernel: kernel log free of warnings, BUGs and oopses"
else
	ok "$kernel: kernel log free of warnings, BUGs and oopses"
fi
echo "e2e-mips-init: done"
reboot -f
