/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for what the module's scaling code takes from the
 * kernel's linux/math64.h, for the bench (bench/): the same semantics,
 * written plainly. div_u64_rem() is used only when a rate is set, which
 * the bench does not measure.
 */
#ifndef KTB_BENCH_LINUX_MATH64_H
#define KTB_BENCH_LINUX_MATH64_H

#include <asm/bitsperlong.h>
#include <linux/types.h>

static inline u64 mul_u32_u32(u32 a, u32 b)
{
	return (u64)a * b;
}

static inline u64 div_u64_rem(u64 dividend, u32 divisor, u32 *remainder)
{
	*remainder = dividend % divisor;
	return dividend / divisor;
}

#endif
