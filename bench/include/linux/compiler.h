/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for what the kernel's asm-generic/div64.h takes from
 * linux/compiler.h, for the bench's copy of upstream's div_u64().
 */
#ifndef KTB_BENCH_LINUX_COMPILER_H
#define KTB_BENCH_LINUX_COMPILER_H

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#endif
