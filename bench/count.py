#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Exact instruction counts from a QEMU execution log.

Usage: count.py LOG NM

LOG is what `qemu-ARCH -d in_asm,exec,nochain -D LOG scale-bench count`
wrote: every translated block's guest instructions ("IN:" listings, one
line per instruction, address first) and, with block chaining off, one
"Trace" line per block executed, naming its guest address. NM is
`nm -S --defined-only` of the binary. Each execution of a block adds its
instructions; the instructions executed from entering bench_start() to
entering bench_stop() make one measurement, less those of bench_start()
and of bench_counts() (the caller, whose argument set-up and call
instructions are between the markers too). Prints one count per
measurement, in order.
"""
import re
import sys

IN_RE = re.compile(r"^IN:")
INSN_RE = re.compile(r"^0x([0-9a-fA-F]+):")
TRACE_RE = re.compile(r"^Trace \d+: 0x[0-9a-fA-F]+ \[[0-9a-fA-F]+/([0-9a-fA-F]+)/")


def ranges(nm_path):
    sym = {}
    with open(nm_path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 4:
                sym[parts[3]] = (int(parts[0], 16), int(parts[0], 16) + int(parts[1], 16))
    return sym


def main():
    log, nm_path = sys.argv[1:3]
    sym = ranges(nm_path)
    start, stop = sym["bench_start"], sym["bench_stop"]
    skip = [start, sym["bench_counts"]]

    def inside(addr, r):
        return r[0] <= addr < r[1]

    blocks = {}     # guest address -> instruction addresses of its block
    listing = None  # the block being listed
    counting = False
    in_start = in_stop = False
    counts = []
    with open(log, errors="replace") as f:
        for line in f:
            if IN_RE.match(line):
                listing = []
                continue
            if listing is not None:
                m = INSN_RE.match(line)
                if m:
                    listing.append(int(m.group(1), 16))
                    continue
                if listing:
                    blocks[listing[0]] = listing
                listing = None
            m = TRACE_RE.match(line)
            if not m:
                continue
            pc = int(m.group(1), 16)
            if pc not in blocks:
                sys.exit(f"count.py: block at {pc:#x} executed but never listed")
            # A marker may span several blocks (one per instruction with
            # -singlestep): a measurement starts at the first of them.
            if inside(pc, start):
                if not in_start:
                    if counting:
                        sys.exit("count.py: bench_start entered twice")
                    counting = True
                    counts.append(0)
                in_start = True
                continue
            in_start = False
            if inside(pc, stop):
                if not counting and not in_stop:
                    sys.exit("count.py: bench_stop without bench_start")
                counting = False
                in_stop = True
                continue
            in_stop = False
            if counting:
                counts[-1] += sum(1 for a in blocks[pc]
                                  if not any(inside(a, r) for r in skip))
    if counting:
        sys.exit("count.py: log ends between the markers")
    for c in counts:
        print(c)


if __name__ == "__main__":
    main()
