// SPDX-License-Identifier: GPL-2.0
/*
 * Every rate: the constants ktb_mips_scale_init() computes, checked against
 * their definitions in src/core/mips_scale.h in 128-bit arithmetic, and
 * the premises of the proof there checked for each rate on its own:
 *   - tick_shift is the smallest k >= 0 with hz * 2^k * 2^31 >= 10^18;
 *   - tick_mult = ceil(hz * 2^s / 10^9), s = 63 + tick_shift, at most 2^63,
 *     and (P - 1) * e < 2^s for its rounding excess e and the count period
 *     P: the bound that makes floor(x * tick_mult / 2^s) exact below P;
 *   - ns_int = floor(10^9 / hz), ns_frac = ceil((10^9 mod hz) * 2^64 / hz)
 *     with an excess e' such that 2^32 * e' < 2^64;
 * plus both conversions at the ends of their domains. Run on the build
 * machine (it needs the compiler's 128-bit type) by scripts/bench.sh:
 *   rates [FIRST [LAST]]       default 1 .. 10^9, about 20 s
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/mips_scale.h"

typedef unsigned __int128 u128;

#define D	1000000000ULL

static int rate_ok(u32 hz)
{
	struct ktb_mips_scale s;
	u64 period = (D << 32) / hz, r = D % hz;
	u32 k = 0, shift;
	u128 md, num, fh, rn;

	ktb_mips_scale_init(&s, hz);
	while ((((u64)hz << k) << 31) < D * D)
		k++;
	shift = 63 + k;
	num = (u128)hz << shift;
	md = (u128)s.tick_mult * D;
	if (s.tick_shift != k || md < num || md - num >= D ||
	    s.tick_mult > 1ULL << 63 ||
	    (u128)(period - 1) * (md - num) >= (u128)1 << shift)
		return 0;
	fh = (u128)s.ns_frac * hz;
	rn = (u128)r << 64;
	if (s.ns_int != D / hz || fh < rn || fh - rn >= hz ||
	    ((fh - rn) << 32) >> 64)
		return 0;
	return ktb_mips_scale_ns_to_ticks(&s, period - 1) ==
		       (period - 1) * hz / D &&
	       ktb_mips_scale_ns_to_ticks(&s, 0) == 0 &&
	       ktb_mips_scale_ticks_to_ns(&s, 1ULL << 32) == (D << 32) / hz &&
	       ktb_mips_scale_ticks_to_ns(&s, 1) == D / hz;
}

int main(int argc, char **argv)
{
	u32 first = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
	u32 last = argc > 2 ? strtoul(argv[2], NULL, 0) : D;
	unsigned long bad = 0;
	u32 hz;

	for (hz = first; hz >= first && hz <= last; hz++) {
		if (!rate_ok(hz) && bad++ < 10)
			printf("rates: %u Hz: a constant or a premise is wrong\n", hz);
	}
	printf("rates: %u .. %u Hz: %lu with a wrong constant or premise\n",
	       first, last, bad);
	return bad ? 1 : 0;
}
