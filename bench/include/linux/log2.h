/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for what the kernel's asm-generic/div64.h takes from
 * linux/log2.h. Used there only for divisors known at compile time, which
 * the bench's upstream path never has (see bench/upstream.c).
 */
#ifndef KTB_BENCH_LINUX_LOG2_H
#define KTB_BENCH_LINUX_LOG2_H

#define ilog2(n)		(63 - __builtin_clzll(n))
#define is_power_of_2(n)	((n) != 0 && ((n) & ((n) - 1)) == 0)

#endif
