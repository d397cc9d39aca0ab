// SPDX-License-Identifier: GPL-2.0
/*
 * The module's conversions: src/core/mips_scale.h itself, compiled for
 * user space against the stand-ins in bench/include.
 */
#include "bench.h"

BENCH_MEASURED u64 mod_ns_to_ticks(const struct ktb_mips_scale *s, u64 ns)
{
	return ktb_mips_scale_ns_to_ticks(s, ns);
}

BENCH_MEASURED u64 mod_ticks_to_ns(const struct ktb_mips_scale *s, u64 ticks)
{
	return ktb_mips_scale_ticks_to_ns(s, ticks);
}
