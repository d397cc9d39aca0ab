// SPDX-License-Identifier: GPL-2.0
/*
 * Upstream's conversions, as KVM's MIPS timer writes them in
 * arch/mips/kvm/emulate.c: div_u64(x * count_hz, NSEC_PER_SEC) for a
 * Count read and div_u64(ticks * NSEC_PER_SEC, count_hz) for a re-arm.
 *
 * div_u64() is the kernel's. On 64-bit, linux/math64.h defines it as an
 * inline plain division (written out below; with the constant 10^9 the
 * compiler turns the Count read's into a multiplication). On 32-bit it is
 * div_u64_rem() around do_div(), which comes here from the kernel's own
 * asm/div64.h and asm-generic/div64.h: scripts/bench.sh puts the kernel
 * tree's copies on the include path (this file holds none). gcc compiles
 * div_u64_rem() out of line both in the Malta 5.10 kvm.ko and in this
 * module (objdump: a local div_u64_rem called from
 * kvm_mips_ktime_to_count() with the divisor in a register), so its
 * do_div() takes the run-time divisor path, MIPS's __div64_32: a 33-step
 * shift-and-subtract loop. The noinline below reproduces that.
 */
#include <linux/time64.h>
#include <linux/types.h>

#include "bench.h"

#if BITS_PER_LONG == 32
#include <asm/div64.h>

static __attribute__((noinline)) u64 up_div_u64_rem(u64 dividend, u32 divisor,
						    u32 *remainder)
{
	*remainder = do_div(dividend, divisor);
	return dividend;
}
#else
static inline u64 up_div_u64_rem(u64 dividend, u32 divisor, u32 *remainder)
{
	*remainder = dividend % divisor;
	return dividend / divisor;
}
#endif

static inline u64 up_div_u64(u64 dividend, u32 divisor)
{
	u32 remainder;

	return up_div_u64_rem(dividend, divisor, &remainder);
}

BENCH_MEASURED u64 up_ns_to_ticks(const struct up_rate *r, u64 ns)
{
	return up_div_u64(ns * r->hz, NSEC_PER_SEC);
}

BENCH_MEASURED u64 up_ticks_to_ns(const struct up_rate *r, u64 ticks)
{
	return up_div_u64(ticks * NSEC_PER_SEC, r->hz);
}
