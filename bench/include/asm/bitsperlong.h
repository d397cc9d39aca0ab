/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in, for the bench (bench/). */
#ifndef KTB_BENCH_ASM_BITSPERLONG_H
#define KTB_BENCH_ASM_BITSPERLONG_H

#define BITS_PER_LONG (__SIZEOF_LONG__ * 8)

#endif
