/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Division-free conversion between nanoseconds and guest Count ticks.
 *
 * The timer converts in both directions all the time: every guest Count
 * read scales nanoseconds to ticks, floor(x * hz / 10^9), and every re-arm
 * of the expiry timer scales ticks back, floor(t * 10^9 / hz). Written as
 * div_u64() these cost a 64-bit division each, which 32-bit kernels (MIPS
 * among them) carry out as a bit-at-a-time loop of some 33 steps. Here the
 * divisions happen once, when the rate is set (ktb_mips_scale_init()), and
 * leave per-rate multipliers behind. ns to ticks is then one 64 x 64 bit
 * multiply keeping the high half and two shifts; ticks to ns that multiply,
 * a 64 x 32 bit one and an add. There is no correction step: both results
 * are exactly div_u64()'s over the whole domain the timer uses.
 *
 * Notation: D = 10^9 (NSEC_PER_SEC), g = gcd(hz, D), 1 <= hz < 2 * D.
 *
 * ns to ticks, x < P = floor(2^32 * D / hz) (the count period: a time
 * reduced modulo it is below it; then x < 2^32 * D / hz < 2^62):
 *   Let s = 63 + k with k the smallest integer >= 0 such that
 *   hz * 2^k >= KTB_MIPS_SCALE_HZ_FLOOR = ceil(10^18 / 2^31), i.e. the
 *   smallest s >= 63 with hz * 2^s >= 2^32 * D^2, and
 *   m = ceil(hz * 2^s / D) (tick_mult), so m * D = hz * 2^s + e with
 *   0 <= e < D. Write x * hz = q * D + r, 0 <= r < D, q the wanted result.
 *   Then x * m * D = (q * D + r) * 2^s + x * e, so
 *     x * m / 2^s = q + (r * 2^s + x * e) / (D * 2^s)
 *   and floor(x * m / 2^s) = q exactly when r * 2^s + x * e < D * 2^s.
 *   Both r and e are multiples of g (x * hz, hz * 2^s and D are), so
 *   r <= D - g and it suffices that x * e < g * 2^s, for which x * e < 2^s
 *   will do. And x * e < (2^32 * D / hz) * D <= 2^s by the choice of s.
 *   The result q is below 2^32 since x * hz < 2^32 * D.
 *   Sizes: if k > 0, hz * 2^(k-1) < KTB_MIPS_SCALE_HZ_FLOOR, so
 *   hz * 2^k < 2 * KTB_MIPS_SCALE_HZ_FLOOR < D and m <= 2^63; if k = 0,
 *   m = ceil(hz * 2^63 / D), 2^63 at hz = D and below 2^64 for hz < 2 * D.
 *   The product is formed as (2x) * m, 2x < 2^63, of which the high 64 bits
 *   floor(2x * m / 2^64) shifted right by k are floor(x * m / 2^(63 + k))
 *   (floor(floor(a / b) / c) = floor(a / (b * c)) for positive integers).
 *   Using 2x and 63 + k rather than x and 64 + k is what lets hz = D, whose
 *   m would be 2^64, fit in 64 bits.
 *
 * ticks to ns, t <= 2^32 (in fact any t < 2^33):
 *   Let n = floor(D / hz) (ns_int), R = D - n * hz < hz, and
 *   f = ceil(R * 2^64 / hz) (ns_frac), f * hz = R * 2^64 + e, 0 <= e < hz.
 *   t * D / hz = t * n + t * R / hz; with t * R = u * hz + v, 0 <= v < hz,
 *   the same argument gives floor(t * f / 2^64) = u exactly when
 *   v * 2^64 + t * e < hz * 2^64, true whenever t * e < 2^64 (v <= hz - 1),
 *   and t * e < 2^33 * 2^31 here (e < hz < 2^31). So floor(t * D / hz) =
 *   t * n + floor(t * f / 2^64), at most 2^32 * D < 2^62 for t <= 2^32.
 *   f < 2^64: f <= ceil((hz - 1) * 2^64 / hz) = 2^64 - floor(2^64 / hz).
 *
 * The rates the proof turns on are where k changes,
 * hz = ceil(KTB_MIPS_SCALE_HZ_FLOOR / 2^k) for k = 0 .. 29 (k = 29 at
 * 1 Hz), and the largest multipliers, at hz = D (m = 2^63) and where
 * R = hz - 1 (hz dividing 10^9 + 1, e.g. 7 or 142857143: f close to 2^64).
 * kunit/mips_scale_kunit.c tests those, the largest x and t of each rate
 * and the inputs that leave the least slack (r = D - g, v = hz - g).
 */
#ifndef KTB_CORE_MIPS_SCALE_H
#define KTB_CORE_MIPS_SCALE_H

#include <linux/math64.h>
#include <linux/types.h>

/* ceil(10^18 / 2^31): hz * 2^k at least this makes 63 + k bits enough. */
#define KTB_MIPS_SCALE_HZ_FLOOR	465661288u

/**
 * struct ktb_mips_scale - per-rate constants of the tick conversions
 * @tick_mult:  ceil(hz * 2^(63 + @tick_shift) / 10^9), at most 2^63 for
 *              hz <= 10^9.
 * @ns_frac:    ceil((10^9 mod hz) * 2^64 / hz).
 * @ns_int:     floor(10^9 / hz).
 * @tick_shift: 0 .. 29; see the proof at the top of this file.
 */
struct ktb_mips_scale {
	u64 tick_mult;
	u64 ns_frac;
	u32 ns_int;
	u32 tick_shift;
};

void ktb_mips_scale_init(struct ktb_mips_scale *s, u32 hz);

/**
 * ktb_mul_u64_u64_hi_u32s() - high half of a 64 x 64 bit product
 * @a: a factor.
 * @b: the other.
 *
 * Built from four 32 x 32 bit products, for machines without a 64-bit
 * multiply; ktb_mul_u64_u64_hi() picks it where needed. The three 32-bit
 * pieces of bits 32 .. 63 of the product are summed in 64 bits (below
 * 3 * 2^32), so the carry into the high half is exact.
 *
 * Return: floor(@a * @b / 2^64).
 */
static inline u64 ktb_mul_u64_u64_hi_u32s(u64 a, u64 b)
{
	u64 lo = mul_u32_u32((u32)a, (u32)b);
	u64 mid1 = mul_u32_u32((u32)a, b >> 32);
	u64 mid2 = mul_u32_u32(a >> 32, (u32)b);
	u64 carry = (lo >> 32) + (u32)mid1 + (u32)mid2;

	return mul_u32_u32(a >> 32, b >> 32) + (mid1 >> 32) + (mid2 >> 32) +
	       (carry >> 32);
}

/**
 * ktb_mul_u64_u64_hi() - high half of a 64 x 64 bit product
 * @a: a factor.
 * @b: the other.
 *
 * On 64-bit machines one multiply-high instruction (mulhdu, dmultu and
 * mfhi, dmuhu, mul), through the compiler's 128-bit type: Debian's gcc 12
 * emits no library call for this widening multiply on mips64r2, mips64r6,
 * ppc64le or x86_64 (and MIPS exports __multi3 for the older compilers
 * that called it on R6). The kernel's mul_u64_u64_shr() takes that type
 * only where the architecture selects ARCH_SUPPORTS_INT128, which MIPS,
 * PowerPC and UML do not, and four 32-bit products elsewhere: about twice
 * the instructions of upstream's whole Count read on mips64 and ppc64.
 *
 * Return: floor(@a * @b / 2^64).
 */
static inline u64 ktb_mul_u64_u64_hi(u64 a, u64 b)
{
#if BITS_PER_LONG == 64 && defined(__SIZEOF_INT128__)
	return ((__uint128_t)a * b) >> 64;
#else
	return ktb_mul_u64_u64_hi_u32s(a, b);
#endif
}

/**
 * ktb_mips_scale_ns_to_ticks() - nanoseconds to Count ticks
 * @s:  constants of the rate hz, from ktb_mips_scale_init().
 * @ns: nanoseconds, below the count period floor(2^32 * 10^9 / hz).
 *
 * Return: floor(@ns * hz / 10^9), exactly; below 2^32.
 */
static inline u32 ktb_mips_scale_ns_to_ticks(const struct ktb_mips_scale *s,
					     u64 ns)
{
	return ktb_mul_u64_u64_hi(ns << 1, s->tick_mult) >> s->tick_shift;
}

/**
 * ktb_mips_scale_ticks_to_ns() - Count ticks to nanoseconds
 * @s:     constants of the rate hz, from ktb_mips_scale_init().
 * @ticks: at most 2^32.
 *
 * Return: floor(@ticks * 10^9 / hz), exactly.
 */
static inline u64 ktb_mips_scale_ticks_to_ns(const struct ktb_mips_scale *s,
					     u64 ticks)
{
	return ticks * s->ns_int + ktb_mul_u64_u64_hi(ticks, s->ns_frac);
}

#endif /* KTB_CORE_MIPS_SCALE_H */
