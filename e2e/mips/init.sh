#!/bin/busybox sh
# shellcheck shell=sh
# /init of the e2e-mips initramfs (scripts/e2e-mips.sh builds it): runs on
# the Malta 5.10 trap-and-emulate host kernel under QEMU. Loads kvm.ko and
# runs the client in three modes:
#   a  no kvm_timer_backport
#   b  insmod kvm_timer_backport.ko          (defers to the kernel's timer)
#   c  insmod kvm_timer_backport.ko takeover=1
# then the unload checks. Prints "ok - ..."/"not ok - ..." lines (the rig
# counts them) and ends with "e2e-mips-init: done" before powering off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
vcpus=/sys/kernel/debug/kvm_timer_backport/vcpus

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
client() { # client MODE: the whole client run, bounded
	timeout 300 /client "$1"
	rc=$?
	[ $rc -eq 143 ] && notok "$1: client timed out"
}
loaded() { grep -q '^kvm_timer_backport ' /proc/modules; }

# hold LABEL EXPECT: rmmod with a VM open; EXPECT is refused or unloads.
hold() {
	rm -f /tmp/held
	/client hold /tmp/held "$1" &
	hp=$!
	i=0
	while [ ! -e /tmp/held ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e /tmp/held ] || notok "$1: the holding client did not start its VM"
	[ -r $vcpus ] && show "$1 debugfs with a VM open" <$vcpus
	ref=$(cat /sys/module/kvm_timer_backport/refcnt 2>/dev/null)
	out=$(rmmod kvm_timer_backport 2>&1)
	rc=$?
	if [ "$2" = refused ]; then
		if [ $rc -ne 0 ] && loaded; then
			ok "$1: rmmod kvm_timer_backport with a VM open is refused (refcnt $ref: $out)"
		else
			notok "$1: rmmod kvm_timer_backport with a VM open: rc $rc, refcnt $ref, $out"
		fi
	else
		if [ $rc -eq 0 ] && ! loaded; then
			ok "$1: rmmod kvm_timer_backport with a VM open unloads (defer mode owns no vCPU; refcnt was $ref)"
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

echo "e2e-mips-init: start $(uname -r)"
check "insmod kvm.ko" insmod /kvm.ko

echo "e2e-mips-init: mode a"
client a

echo "e2e-mips-init: mode b"
check "b: insmod kvm_timer_backport.ko" insmod /kvm_timer_backport.ko
client b
[ -r $vcpus ] && show "b debugfs" <$vcpus
# rmmod while a vCPU sleeps in WAIT, i.e. inside the module's
# cop_unusable wrapper: how long does the unload wait for it?
rm -f /tmp/wh
/client waithold /tmp/wh b &
wp=$!
i=0
while [ ! -e /tmp/wh ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
rmmod kvm_timer_backport &
rp=$!
sleep 3
if kill -0 $rp 2>/dev/null; then
	echo "# b: rmmod with a vCPU asleep in WAIT: still running after 3 s, state $(cut -d' ' -f3 /proc/$rp/stat), wchan $(cat /proc/$rp/wchan 2>/dev/null); waking the vCPU"
	grep -q '^kvm_timer_backport ' /proc/modules && echo "# b: /proc/modules: $(grep '^kvm_timer_backport ' /proc/modules)"
else
	echo "# b: rmmod with a vCPU asleep in WAIT: finished within 3 s"
fi
kill -USR2 $wp
wait $rp
rrc=$?
wait $wp
if [ $rrc -eq 0 ] && ! loaded; then
	ok "b: rmmod with a vCPU asleep in WAIT completes (at the latest once the vCPU leaves WAIT)"
else
	notok "b: rmmod with a vCPU asleep in WAIT: rc $rrc"
fi
loaded || check "b: insmod kvm_timer_backport.ko again" insmod /kvm_timer_backport.ko
hold b unloads
loaded && rmmod kvm_timer_backport

echo "e2e-mips-init: mode c"
# A VM created before the module is loaded, adopted by takeover=1.
rm -f /tmp/adopt /tmp/adopt.2
/client adopt /tmp/adopt c &
ap=$!
i=0
while [ ! -e /tmp/adopt ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /tmp/adopt ] || notok "c: the adopt client did not start its VM"
check "c: insmod kvm_timer_backport.ko takeover=1" insmod /kvm_timer_backport.ko takeover=1
[ -r $vcpus ] && show "c debugfs before the adoption" <$vcpus
kill -USR1 $ap
i=0
while [ ! -e /tmp/adopt.2 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /tmp/adopt.2 ] || notok "c: the adopt client did not finish its checks"
[ -r $vcpus ] && show "c debugfs after the adoption" <$vcpus
kill -TERM $ap
wait $ap || notok "c: the adopt client exits 0"
client c
[ -r $vcpus ] && show "c debugfs after the client closed its VMs" <$vcpus
hold c refused
check "c: rmmod kvm_timer_backport once the VM is closed" rmmod kvm_timer_backport
timeout 30 /client smoke after-unload

dmesg | grep -E 'kvm|KVM|WARNING|BUG|Oops|Call Trace|rcu' | show dmesg
if dmesg | grep -qE 'WARNING|BUG|Oops|Call Trace|stall'; then
	notok "kernel log free of warnings, BUGs and oopses"
else
	ok "kernel log free of warnings, BUGs and oopses"
fi
echo "e2e-mips-init: done"
reboot -f
