// SPDX-License-Identifier: GPL-2.0
/*
 * The bench's driver (scripts/bench.sh runs it under qemu-user).
 *
 *   scale-bench count     call each conversion, upstream's and the module's,
 *                         once per input of a fixed list, each call between
 *                         bench_start() and bench_stop(), for bench/count.py
 *                         to count the instructions executed in between from
 *                         QEMU's execution log; print the inputs and results
 *   scale-bench check N   compare upstream's and the module's conversions on
 *                         N random inputs each way (rates 1 .. 10^9, times
 *                         within the count period, 0 .. 2^32 ticks)
 *
 * Both exit 1 if any result differs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define D		1000000000ULL
#define TICKS_MAX	(1ULL << 32)

/* Markers: distinct bodies, so that they are never merged. */
static volatile int bench_marker;

__attribute__((noipa)) void bench_start(void)
{
	bench_marker = 1;
}

__attribute__((noipa)) void bench_stop(void)
{
	bench_marker = 2;
}

static u64 period(u32 hz)
{
	return (D << 32) / hz;
}

static const u32 count_rates[] = {
	100000000, 1, 3, 7, 32768, 999999937, 1000000000,
};

#define N_RATES		(sizeof(count_rates) / sizeof(count_rates[0]))
#define N_INPUTS	(2 * N_RATES)

struct input {
	struct up_rate up;
	struct ktb_mips_scale mod;
	u64 ns;
	u64 ticks;
	u64 res[4];
};

static struct input inputs[N_INPUTS];

/*
 * Everything between the markers that is not this function's own code
 * (nor the markers') is the called conversion's: count.py excludes this
 * function's address range.
 */
__attribute__((noipa)) void bench_counts(struct input *in, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		bench_start();
		in[i].res[0] = up_ns_to_ticks(&in[i].up, in[i].ns);
		bench_stop();
		bench_start();
		in[i].res[1] = mod_ns_to_ticks(&in[i].mod, in[i].ns);
		bench_stop();
		bench_start();
		in[i].res[2] = up_ticks_to_ns(&in[i].up, in[i].ticks);
		bench_stop();
		bench_start();
		in[i].res[3] = mod_ticks_to_ns(&in[i].mod, in[i].ticks);
		bench_stop();
	}
}

static int count(void)
{
	unsigned int i, bad = 0;

	for (i = 0; i < N_INPUTS; i++) {
		u32 hz = count_rates[i / 2];
		struct input *in = &inputs[i];

		in->up.hz = hz;
		ktb_mips_scale_init(&in->mod, hz);
		/* A time in mid-period and a 1 ms re-arm; then the largest. */
		in->ns = i & 1 ? period(hz) - 1 : period(hz) / 2 + 1;
		in->ticks = i & 1 ? TICKS_MAX : hz / 1000 + 1;
	}
	bench_counts(inputs, N_INPUTS);
	for (i = 0; i < N_INPUTS; i++) {
		struct input *in = &inputs[i];

		printf("input %" PRIu32 " %" PRIu64 " %" PRIu64 " %" PRIu64
		       " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", in->up.hz,
		       in->ns, in->ticks, in->res[0], in->res[1], in->res[2],
		       in->res[3]);
		bad += in->res[0] != in->res[1] || in->res[2] != in->res[3];
	}
	return bad ? 1 : 0;
}

/* splitmix64 */
static u64 rnd(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* In [0, n], n < 2^63. */
static u64 upto(u64 *state, u64 n)
{
	return rnd(state) % (n + 1);
}

static u32 pick_rate(u64 *state)
{
	u64 r = rnd(state);
	u64 hz;

	switch (r & 3) {
	case 0:
		hz = 1 + upto(state, D - 1);
		break;
	case 1:
		hz = rnd(state) >> (34 + (r >> 2) % 30);
		break;
	case 2:
		/* Next to where the shift changes: ceil(10^18 / 2^(31 + k)). */
		hz = (D * D + (1ULL << (31 + (r >> 2) % 30)) - 1) >>
		     (31 + (r >> 2) % 30);
		hz += (r >> 8) % 5;
		hz = hz > 2 ? hz - 2 : 1;
		break;
	default:
		hz = count_rates[(r >> 2) % N_RATES];
		break;
	}
	return hz < 1 ? 1 : hz > D ? D : hz;
}

static int check(unsigned long n)
{
	u64 state = 0x62656e6368ULL;
	unsigned long i, bad = 0;

	for (i = 0; i < n; i++) {
		u32 hz = pick_rate(&state);
		struct up_rate up = { .hz = hz };
		struct ktb_mips_scale mod;
		u64 p = period(hz), ns, ticks;

		ktb_mips_scale_init(&mod, hz);
		ns = rnd(&state) & 1 ? upto(&state, p - 1) :
				       p - 1 - upto(&state, 1000);
		ticks = rnd(&state) & 1 ? upto(&state, TICKS_MAX) :
					  TICKS_MAX - upto(&state, 1000);
		if (up_ns_to_ticks(&up, ns) != mod_ns_to_ticks(&mod, ns) ||
		    up_ticks_to_ns(&up, ticks) != mod_ticks_to_ns(&mod, ticks)) {
			if (bad++ < 8)
				printf("differ: %" PRIu32 " Hz, ns %" PRIu64
				       ", ticks %" PRIu64 "\n", hz, ns, ticks);
		}
	}
	printf("check: %lu inputs each way, %lu differ\n", n, bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "count"))
		return count();
	if (argc == 3 && !strcmp(argv[1], "check"))
		return check(strtoul(argv[2], NULL, 0));
	fprintf(stderr, "usage: %s count | check N\n", argv[0]);
	return 2;
}
