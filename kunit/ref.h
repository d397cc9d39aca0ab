/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reference tick arithmetic the KUnit suites check the core against,
 * written the plain way (divisions, a 96-bit product) and independent of
 * src/core/, which avoids both on its hot paths.
 */
#ifndef KTB_KUNIT_REF_H
#define KTB_KUNIT_REF_H

#include <linux/math64.h>
#include <linux/time64.h>
#include <linux/types.h>

#define MHZ100		100000000u
#define GHZ		1000000000u

/* Nanoseconds per 2^32 Count ticks at @hz (upstream's count_period). */
static inline u64 ref_period(u32 hz)
{
	return div_u64((u64)NSEC_PER_SEC << 32, hz);
}

/*
 * floor(@a * @b / 10^9) mod 2^32 for @a < 2^63 ns and @b <= 10^9 Hz, from
 * the 96-bit product split into 32-bit halves: no reduction modulo a Count
 * period, which is what the core does instead.
 */
static inline u32 ref_scaled_mod32(u64 a, u32 b)
{
	u64 lo = (a & 0xffffffffu) * b;
	u64 hi = (a >> 32) * b + (lo >> 32);
	u32 rem;

	div_u64_rem(hi, NSEC_PER_SEC, &rem);
	return div_u64(((u64)rem << 32) | (lo & 0xffffffffu), NSEC_PER_SEC);
}

#endif /* KTB_KUNIT_REF_H */
