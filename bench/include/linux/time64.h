/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in, for the bench (bench/). */
#ifndef KTB_BENCH_LINUX_TIME64_H
#define KTB_BENCH_LINUX_TIME64_H

#define NSEC_PER_SEC 1000000000L

#endif
