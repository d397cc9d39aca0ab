#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count TBU40 writes the kernel had to redo because of the low-24-bit carry.

Reads QEMU's "ppc_tb_store" trace of a powernv boot (-trace ppc_tb_store),
one line per write to a timebase-like register (TB through TBU40, and also
PURR, SPURR and VTB): "ppc_tb_store tb 0x<value> offset 0x<value - now>".

KVM's guest entry adds the vcore's offset to the upper 40 bits of TB with
mtspr TBU40, and its exit takes it off again. If the low 24 bits wrapped
between the kernel's mftb and that write, the write lands 2^24 short and
the kernel (book3s_hv_p9_entry.c) writes again 2^24 higher at once, with
nothing in between. So a carry fix-up is two consecutive stores whose
offsets differ by +2^24 (QEMU's read-modify-write of TBU40 loses a few
ticks, hence the tolerance) and that are close in virtual time (a few
microseconds, more if the host preempts QEMU in between). In the normal
flow two TB writes are never consecutive (the guest's or the host's PURR,
SPURR and VTB are written in between), and those registers' offsets are
unrelated to TB's.

Prints "carries N stores S".
"""
import re
import sys

LOW = 1 << 24
MASK = (1 << 64) - 1
SLACK = 1024		# ticks QEMU's TBU40 emulation may drift per write
NEAR = 1 << 20		# ticks (2 ms at 512 MHz) between the two writes


def main(path):
    pat = re.compile(r"ppc_tb_store tb 0x([0-9a-f]+) offset 0x([0-9a-f]+)")
    prev = None
    carries = stores = 0
    with open(path, errors="replace") as f:
        for line in f:
            m = pat.search(line)
            if not m:
                continue
            tb, off = int(m.group(1), 16), int(m.group(2), 16)
            stores += 1
            if prev:
                d_off = (off - prev[1]) & MASK
                d_now = ((tb - off) - (prev[0] - prev[1])) & MASK
                if abs(d_off - LOW) <= SLACK and d_now < NEAR:
                    carries += 1
            prev = (tb, off)
    print(f"carries {carries} stores {stores}")


if __name__ == "__main__":
    main(sys.argv[1])
