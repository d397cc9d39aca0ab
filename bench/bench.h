/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The functions scripts/bench.sh counts the instructions of, and what
 * main.c needs to call them. See main.c.
 */
#ifndef KTB_BENCH_H
#define KTB_BENCH_H

#include <linux/types.h>

#include "core/mips_scale.h"

/*
 * Measured functions are compiled as they are, but never inlined, cloned
 * for constant arguments or merged with others: each call runs them whole.
 */
#define BENCH_MEASURED __attribute__((noipa))

/* Upstream keeps the rate in struct kvm_vcpu_arch and loads it from there. */
struct up_rate {
	u32 hz;
};

u64 up_ns_to_ticks(const struct up_rate *r, u64 ns);
u64 up_ticks_to_ns(const struct up_rate *r, u64 ticks);
u64 mod_ns_to_ticks(const struct ktb_mips_scale *s, u64 ns);
u64 mod_ticks_to_ns(const struct ktb_mips_scale *s, u64 ticks);

#endif
