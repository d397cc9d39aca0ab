#!/usr/bin/env bash
# make stress-ppc64: the module's PowerPC part under load on a debug
# kernel. The debug variant of the powernv 5.10 host kernel
# (ppc64-5.10.sh debug: preemptible, lockdep, atomic-sleep checks, debug
# objects, slab poisoning, failslab, hung-task reports) boots under
# qemu-system-ppc64 -M powernv8 with two CPUs (multi-threaded TCG: one
# host thread per CPU, so the guest's two CPUs really run at the same
# time) and slub_debug=FZP, and runs e2e/ppc64/stress-init: VM churn with
# TB_OFFSET and DEC_EXPIRY set, read and run from several threads on
# several vCPUs of live VMs, a ONE_REG fuzzer, insmod/rmmod of the module
# racing VM creation, the module and kvm-hv removed and loaded at the same
# time (half the rounds with the module's removal held off at a random
# point while kvm-hv's runs through: the code before c5b1309 oopses there,
# reading kvm-hv's freed table), a KVM_CREATE_VM asleep in the module's
# allocation while the module is removed (the fixture module
# e2e/ppc64/slowalloc.c slows the allocation down as reclaim would; the
# code before c5b1309 returns into freed text there), and KVM_CREATE_VM /
# KVM_CREATE_VCPU / ONE_REG with slab allocations failing (the client's
# "stress" commands, e2e/ppc64/client.c), in modes takeover, auto and (as
# the baseline) without the module.
#
# Fails on any "not ok", on a kernel log line that is a splat (BUG,
# WARNING, lockdep, ODEBUG, slab corruption, suspicious RCU usage, Oops,
# a hung task, ...), on a taint other than O/E (an out-of-tree, unsigned
# module), on an rmmod that did not return within 60 s or failed
# otherwise than busy, and on a QEMU timeout. Stock 5.10 itself shows no
# splat under this load (the "none" phases; see KNOWN below for how one
# would be named). Prints the figures: operations, VMs, faults injected,
# errors by errno, splats, the longest rmmod.
#
#   STRESS_REV=REV    build the module from git revision REV instead of
#                     the working tree (to show a bug on older code); the
#                     client and /init are the working tree's either way
#   STRESS_SECS=S     seconds of the longer phases (default 16)
#   STRESS_TRIES=N    rounds of failslab's random part per mode (default 30)
#   STRESS_SMP=N      guest CPUs (default 2)
#   STRESS_TIMEOUT=S  bound of the QEMU run (default 600)
#   STRESS_SILENCE=S  a console silent this long is a hung guest (default
#                     240): the monitor's view of its CPUs is saved in
#                     $LOGDIR/stress-ppc64-silent.txt and QEMU stopped
# A run that fails after the emulated timebase jumped by more than a day
# is run once more (see boot below).
#   STRESS_PHASES=P   the phases of e2e/ppc64/stress-init to run, comma
#                     separated (default all:
#                     takeover,auto,none,vms,race,asleep,hvrace,failslab)
#
# Cached: the debug kernel ($CACHE/ppc64-5.10/KEY-debug). Rebuilt every
# run: the module, the client, the initramfs in $CACHE/stress-ppc64, the
# fixture in $CACHE/fixtures.
# Console: $LOGDIR/stress-ppc64.log. An Oops panics the guest (oops=panic)
# and QEMU exits at once instead of waiting for the timeout.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
lock_cache
work=$CACHE/stress-ppc64
mkdir -p "$work"
log=$LOGDIR/stress-ppc64.log
cross=powerpc64le-linux-gnu-
secs=${STRESS_SECS:-16}
tries=${STRESS_TRIES:-30}
smp=${STRESS_SMP:-2}
qtimeout=${STRESS_TIMEOUT:-600}
phases=${STRESS_PHASES:-takeover,auto,none,vms,race,asleep,hvrace,failslab}

rig_start stress-ppc64 "powernv 5.10 debug kernel, 2 CPUs: churn, fuzz, failslab, load/unload races with VMs, with kvm-hv and with a VM asleep in the module"

apt_need qemu-system-ppc qemu-system-data gcc-powerpc64le-linux-gnu \
	libc6-dev-ppc64el-cross binutils-powerpc64le-linux-gnu cpio gzip

t=$("$here/ppc64-5.10.sh" debug) || die "build the powernv 5.10 debug kernel (ppc64-5.10.sh debug)"
kvm_ko=$t/arch/powerpc/kvm/kvm.ko
hv_ko=$t/arch/powerpc/kvm/kvm-hv.ko
[[ -f $t/vmlinux && -f $kvm_ko && -f $hv_ko ]] ||
	die "debug tree $t lacks vmlinux, kvm.ko or kvm-hv.ko"

src=$work/module
echo "# module sources: $(module_tree "$src" "${STRESS_REV:-}")"
mlog=$LOGDIR/stress-ppc64-module.log
make -C "$t" M="$src" ARCH=powerpc CROSS_COMPILE="$cross" -j"$(nproc)" modules \
	>"$mlog" 2>&1 || { tail -20 "$mlog" >&2; die "kvm_timer_backport.ko builds against the debug tree"; }
! grep -q 'undefined!' "$mlog" || die "kvm_timer_backport.ko links against the debug tree (undefined symbols)"
ok "kvm_timer_backport.ko builds against the powernv 5.10 debug tree"

# The fixture of phase asleep, always the working tree's.
fx_ko=$(fixture_ko "$t" ppc64/slowalloc.c ktb_slowalloc powerpc "$cross") ||
	die "the fixture ktb_slowalloc.ko builds against the debug tree"

# The client of the working tree, whatever STRESS_REV says: the load is
# the same for old and new code. The flags of e2e-ppc64's build.
"${cross}gcc" -static -O2 -Wall -Wextra -Werror -pthread -Wa,-mregnames \
	-o "$work/client" "$REPO/e2e/ppc64/client.c" "$REPO/e2e/ppc64/guest.S" ||
	die "the stress client builds without warnings"

root=$work/root
busybox_root ppc64el "$root" || die "fetch busybox-static for ppc64el"
cp "$REPO/e2e/ppc64/stress-init" "$root/init"
chmod +x "$root/init"
cp "$work/client" "$src/kvm_timer_backport.ko" "$fx_ko" \
	"$kvm_ko" "$hv_ko" "$root/"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/init.cpio.gz"

# Multi-threaded TCG (QEMU's default for ppc64 on an x86 host, asked for
# explicitly): each guest CPU is a host thread. One thread per core, so
# each vCPU is a virtual core of its own (with its own TB_OFFSET): a
# POWER8 KVM host runs with its secondary threads offline and kvm-hv
# puts a virtual core's other vCPUs on them, but QEMU 7.2's powernv8
# dies with SIGSEGV at start with threads=2 (tried: -smp 2 or 4, one
# or two cores, single- or multi-threaded TCG).
# boot: one run of the guest system, its console in $log. Sets qemu_rc
# (QEMU's exit status, or "silent"), silent and qstart.
boot() {
	echo "# booting the debug kernel on $smp CPUs (console: $log)"
	raw=$work/console.raw
	rm -f "$raw"
	mon=$work/monitor.sock
	snap=$LOGDIR/stress-ppc64-silent.txt
	rm -f "$mon" "$snap"
	qstart=$SECONDS
	set +e
	timeout -k 10 "$qtimeout" qemu-system-ppc64 -M powernv8 -m 2G \
		-accel tcg,thread=multi -smp "$smp,cores=$smp,threads=1" \
		-display none -vga none -nic none -monitor "unix:$mon,server=on,wait=off" \
		-serial "file:$raw" -no-reboot -kernel "$t/vmlinux" -initrd "$work/init.cpio.gz" \
		-append "console=hvc0 oops=panic panic=-1 slub_debug=FZP log_buf_len=4M ktb.secs=$secs ktb.tries=$tries ktb.phases=$phases" \
		</dev/null &
	qpid=$!
	# Nothing on the console for that long is a hung guest (the quietest
	# stretch of a healthy run is a phase's load, STRESS_SECS, or a bounded
	# rmmod, 60 s): its CPUs are looked at and it is stopped, instead of
	# waiting for the timeout.
	silence=${STRESS_SILENCE:-240}
	silent=
	watch_silence "$qpid" "$raw" "$silence" "$mon" "$t/vmlinux" "${cross}nm" "$snap" &&
		silent=$((SECONDS - qstart - silence))
	wait "$qpid"
	qemu_rc=$?
	[[ -z $silent ]] || qemu_rc=silent
	set -e
	tr -d '\r' <"$raw" >"$log" 2>/dev/null || : >"$log"
}

# The emulated POWER8 host's timebase now and then jumps forward by 2^52
# ticks (about 102 days) during the TB_OFFSET churn, with the module or
# without it (seen in phase none alone), and then timers stop waking the
# idle CPUs: RCU stalls and an rmmod waits for it. A run that failed so
# (it did not reach the end of /init, or its kernel log has a splat)
# after the churn saw a jump of more than a day is the emulator's: it is
# reported and the guest booted once more, and the verdicts are those of
# the second run.
clock_jump_ms() {
	sed -n 's/.*a 100 ms sleep lasting up to \([0-9]*\) ms by it.*/\1/p' "$1" |
		sort -n | tail -n1
}
boot
jump=$(clock_jump_ms "$log")
if [[ -n $jump ]] && ((jump > 86400000)) &&
	{ ! grep -q '^stress-init: done' "$log" || [[ -n $(kernel_splats <"$log") ]]; }; then
	cp "$log" "$log.1"
	echo "# the guest's clock jumped forward $jump ms in the churn and the run failed after it (kept: $log.1): the emulated timebase; booting again"
	echo "# first run's splats: $(kernel_splats <"$log" | head -n3 | tr '\n' '|')"
	boot
fi

echo "# QEMU ran $((SECONDS - qstart)) s"
guest_verdicts "$log" "$qemu_rc" "$qtimeout"
if [[ -n $silent ]]; then
	notok "the guest's console is never silent for $silence s (it was from about $silent s on; QEMU stopped; what its monitor said of the CPUs: $snap; where they were: $(sed -n '/^== symbols/,$p' "$snap" | tail -n +2 | tr '\n' ';')"
fi

# rmmod of the module: every one returned, with 0 or busy; the longest.
rmmod_tally "$log" EBUSY EAGAIN
if ((rm_n == 0)) && [[ ,$phases, != *,@(takeover|auto|race|asleep|hvrace|failslab),* ]]; then
	ok "no rmmod of kvm_timer_backport in phases $phases"
elif ((rm_n && ${#rm_bad[@]} == 0)); then
	ok "every rmmod of kvm_timer_backport returned 0 or busy: $rm_n removals, $rm_busy busy (a VM or kvm-hv's removal held it), the longest $rm_longest ms"
else
	notok "every rmmod of kvm_timer_backport returned 0 or busy: $rm_n removals, ${rm_bad[*]:-none recorded}"
fi

# The kernel log: the dump /init made at the end, or, if it never got
# there, the whole console (errors and worse are printed as they come).
# KNOWN: the splats stock 5.10 shows under this load without the module,
# as an awk pattern of the first line; none so far.
if grep -q '^@dmesg-end$' "$log"; then
	klog=$(sed -n '/^@dmesg-begin$/,/^@dmesg-end$/p' "$log")
else
	klog=$(cat "$log")
fi
splats=$(kernel_splats <<<"$klog")
nsplat=$(grep -c . <<<"$splats" || true)
if ((nsplat == 0)); then
	ok "the debug kernel's log has no splat (BUG, WARNING, lockdep, ODEBUG, slab poison or redzone, suspicious RCU usage, Oops, hung task)"
else
	notok "the debug kernel's log has no splat: $nsplat lines, the first: $(head -n3 <<<"$splats" | tr '\n' '|')"
fi
taint_verdict "$log"

# The figures, over the whole run.
read -r ops vms faults leaked jumps errs < <(awk '
	$1 == "@fig" && $2 == "ops" { ops += $3 }
	$1 == "@fig" && $2 == "clock-jumps" { jumps += $3 }
	$1 == "@fig" && $2 == "vms" { vms += $3 }
	$1 == "@fig" && $2 == "faults" { faults += $3 }
	$1 == "@fig" && $2 == "hv-refs-leaked" { leaked += $3 }
	$1 == "@fig" && $2 == "errno" { e[$3] += $4 }
	END {
		for (k in e) s = s (s ? "," : "") k "=" e[k]
		print ops + 0, vms + 0, faults + 0, leaked + 0, jumps + 0, (s ? s : "none")
	}' "$log")
echo "# figures: $ops operations (ONE_REG, KVM_RUN, VM and module loads), $vms VMs, $faults slab faults injected, errors by errno ${errs//,/ }, splats $nsplat, longest rmmod $rm_longest ms"
if ((jumps)); then
	echo "# the guest's CLOCK_MONOTONIC jumped forward $jumps times during churn (a 100 ms sleep lasting seconds by it; see the churn lines)"
fi
if ((leaked)); then
	echo "# kvm-hv references left behind by failed KVM_CREATE_VMs: $leaked (5.10's kvm_arch_init_vm() does not put kvm-hv when the ops' init_vm fails; Debian's 6.1 puts it back)"
fi
echo "# console: $log"
rig_finish
