// SPDX-License-Identifier: GPL-2.0
/*
 * The per-rate constants of the tick conversions in mips_scale.h, which
 * also holds the proof that they make the conversions exact.
 */
#include <linux/export.h>
#include <linux/math64.h>
#include <linux/time64.h>
#include <kunit/visibility.h>

#include "core/mips_scale.h"

/*
 * ceil(@num * 2^32 / @den) for @num < @den * 2^32: long division with a
 * first digit floor(@num / @den), below 2^32 by the precondition, and a
 * second one from the remainder, below @den, shifted by 32 bits.
 */
static u64 div_shl32_ceil(u64 num, u32 den)
{
	u32 rem;
	u64 hi = div_u64_rem(num, den, &rem);
	u64 lo = div_u64_rem((u64)rem << 32, den, &rem);

	return (hi << 32) + lo + (rem != 0);
}

/**
 * ktb_mips_scale_init() - compute the constants of a tick rate
 * @s:  filled in.
 * @hz: the rate, 1 .. 1999999999 (COUNT_HZ allows 1 .. 10^9; a VZ host
 *      counter rate taken over from the kernel must be below 2 GHz too).
 *
 * Divides (four 64 by 32 bit divisions); the conversions that use the
 * result do not.
 */
void ktb_mips_scale_init(struct ktb_mips_scale *s, u32 hz)
{
	u32 shift = 0;
	u32 rem;

	/* At most 29 steps (1 Hz); the bound only guards against hz = 0. */
	while (((u64)hz << shift) < KTB_MIPS_SCALE_HZ_FLOOR && shift < 31)
		shift++;
	/* hz * 2^shift < 2 * 10^9, so (hz << shift) * 2^31 < 10^9 * 2^32. */
	s->tick_mult = div_shl32_ceil(((u64)hz << shift) << 31, NSEC_PER_SEC);
	s->tick_shift = shift;
	s->ns_int = div_u64_rem(NSEC_PER_SEC, hz, &rem);
	/* rem < hz: ceil(rem * 2^64 / hz) = ceil((rem << 32) * 2^32 / hz). */
	s->ns_frac = div_shl32_ceil((u64)rem << 32, hz);
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_scale_init);
