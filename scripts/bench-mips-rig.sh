#!/usr/bin/env bash
# The guest's view of a trapped Count read: the stock Malta 5.10
# trap-and-emulate kernel (malta-5.10.sh build) boots under
# qemu-system-mipsel, and in that one boot a guest reads Count back to
# back (every read traps; "client bench", e2e/mips/client.c) with the
# kernel's own emulation (module absent), then with the module in auto
# (on this kernel: the kernel's timer, so the module is only on the exit
# path where it decides the vCPU is not its own) and in takeover (the
# module emulates the read). The modes alternate ROUNDS times so that a
# drift of the host shows as spread, not as a difference between modes.
#
# Prints, per mode, the median round trip in Count ticks (10 ns) and its
# spread, and the ratios to the kernel's own. It measures; it judges
# nothing but that every run produced its figures.
#
#   BENCH_REV=REV     build the module from git revision REV instead of
#                     the working tree (to show what a change did)
#   BENCH_ROUNDS=N    alternations of none/auto/takeover (default 3)
#   BENCH_BATCHES=N   batches of 8191 reads per run, the first discarded
#                     (default 9)
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
lock_cache
work=$CACHE/bench-mips
mkdir -p "$work"
log=$LOGDIR/bench-mips.log
rounds=${BENCH_ROUNDS:-3}

die() {
	echo "bench-mips: $*" >&2
	exit 1
}

apt_need qemu-system-mips gcc-mipsel-linux-gnu libc6-dev-mipsel-cross cpio

t=$("$here/malta-5.10.sh" build) || die "build the Malta 5.10 kernel (malta-5.10.sh build)"

src=$work/module
rev=$(module_tree "$src" "${BENCH_REV:-}")
make -C "$t" M="$src" ARCH=mips CROSS_COMPILE=mipsel-linux-gnu- -j"$(nproc)" modules \
	>"$LOGDIR/bench-mips-module.log" 2>&1 ||
	{ tail -20 "$LOGDIR/bench-mips-module.log" >&2; die "kvm_timer_backport.ko builds against $t"; }
mips_client "$work/client" || die "the client builds"

root=$work/root
busybox_root mipsel "$root" || die "fetch busybox-static for mipsel"
cp "$work/client" "$src/kvm_timer_backport.ko" "$t/arch/mips/kvm/kvm.ko" "$root/"
cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
dmesg -n 1
insmod /kvm.ko
for r in \$(seq $rounds); do
	/client bench none ${BENCH_BATCHES:-9}
	insmod /kvm_timer_backport.ko
	/client bench auto ${BENCH_BATCHES:-9}
	rmmod kvm_timer_backport
	insmod /kvm_timer_backport.ko mode=takeover
	/client bench takeover ${BENCH_BATCHES:-9}
	rmmod kvm_timer_backport
done
echo "bench-init: done"
reboot -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/init.cpio.gz"

set +e
timeout "${BENCH_TIMEOUT:-900}" qemu-system-mipsel -M malta -cpu 24Kf -m 512M \
	-smp 1 -nic none -vga none -nographic -no-reboot \
	-kernel "$t/vmlinux" -initrd "$work/init.cpio.gz" \
	-append "console=ttyS0 panic=-1 loglevel=4" </dev/null 2>&1 | tr -d '\r' >"$log"
qemu_rc=${PIPESTATUS[0]}
set -e
if ((qemu_rc != 0)) || ! grep -q '^bench-init: done' "$log"; then
	die "the bench boot did not finish (QEMU exit $qemu_rc; console: $log)"
fi
n=$(grep -c '^@bench ' "$log" || true)
((n == 3 * rounds)) || die "expected $((3 * rounds)) bench runs, got $n (console: $log)"

echo "# guest Count read round trip, Malta 5.10 trap-and-emulate, one boot, module: $rev"
echo "# median of each run, ticks of 10 ns (p10..p90 of all reads of the mode)"
python3 - "$log" <<'EOF'
import statistics
import sys

runs = {}
for line in open(sys.argv[1], errors="replace"):
    f = line.split()
    if f[:1] == ["@bench"]:
        runs.setdefault(f[1], []).append([int(x) for x in f[2:]])
print(f"{'mode':9} {'run medians':24} {'median':>7} {'p10..p90':>13} {'vs none':>8}")
base = None
for mode in ("none", "auto", "takeover"):
    meds = [r[1] for r in runs[mode]]
    mid = statistics.median(meds)
    base = base or mid
    lo = min(r[2] for r in runs[mode])
    hi = max(r[3] for r in runs[mode])
    print(f"{mode:9} {' '.join(map(str, meds)):24} {mid:7.1f} {lo:6d}..{hi:<6d} {mid / base:7.2f}x")
EOF
