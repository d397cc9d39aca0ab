// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the division-free tick conversions (core/mips_scale.h)
 * against the divisions they replace, bit for bit:
 *   ns to ticks: div_u64(x * hz, NSEC_PER_SEC), x < the count period
 *                div_u64((u64)NSEC_PER_SEC << 32, hz);
 *   ticks to ns: div_u64(t * NSEC_PER_SEC, hz), t <= 2^32.
 *
 * The fixed cases take the rates the proof in mips_scale.h turns on (every
 * rate where the shift changes and the one just below it, 10^9 where the
 * multiplier is largest, rates dividing 10^9 + 1 where the fraction is
 * closest to 1) and the usual ones, and at each the inputs with the least
 * slack: the largest time of the period and the largest tick count, and
 * the largest ones whose remainder is the greatest possible, which are
 * where a multiplier one too small or too large, or a shift one too short,
 * shows first. They also check the shift against the proof's definition,
 * worked out here without the constant the core uses.
 *
 * The random case compares mips_scale_points (default 100000) inputs each
 * way at random rates; raise it for a soak, e.g.
 *   kunit.py run ... --kernel_args kvm_timer_backport_kunit.mips_scale_points=10000000
 * when built in (mips_scale_points=... on insmod of the test module), and
 * change the sequence with mips_scale_seed.
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/time64.h>

#include "core/mips_scale.h"
#include "ref.h"
#include "suites.h"

#define SCALE_DEFAULT_POINTS	100000
#define SCALE_TICKS_MAX		BIT_ULL(32)
#define SCALE_MAX_SHIFT		29
/* Failures reported in full before the rest are only counted. */
#define SCALE_MAX_REPORTS	8

static unsigned long mips_scale_points;
module_param(mips_scale_points, ulong, 0644);
MODULE_PARM_DESC(mips_scale_points,
		 "inputs each way of the random tick conversion test (default 100000; 10000000 for a soak)");

static unsigned long mips_scale_seed;
module_param(mips_scale_seed, ulong, 0644);
MODULE_PARM_DESC(mips_scale_seed,
		 "mixed into the random tick conversion test's seed (default 0)");

/* The formulas the conversions replace (and ref_period(), ref.h). */
static u64 ref_ticks(u64 ns, u32 hz)
{
	return div_u64(ns * hz, NSEC_PER_SEC);
}

static u64 ref_ns(u64 ticks, u32 hz)
{
	return div_u64(ticks * NSEC_PER_SEC, hz);
}

/*
 * The proof's shift: the smallest k with hz * 2^(63 + k) >= 2^32 * 10^18,
 * i.e. hz * 2^k * 2^31 >= 10^18 (below 2^62 for every k tried).
 */
static u32 ref_shift(u32 hz)
{
	u32 k = 0;

	while ((((u64)hz << k) << 31) < 1000000000000000000ULL)
		k++;
	return k;
}

/* The smallest rate whose shift is @k: ceil(10^18 / 2^(31 + k)). */
static u32 shift_boundary(u32 k)
{
	u64 step = 1ULL << (31 + k);

	return div64_u64(1000000000000000000ULL + step - 1, step);
}

static u64 gcd(u64 a, u64 b)
{
	while (b) {
		u64 r;

		div64_u64_rem(a, b, &r);
		a = b;
		b = r;
	}
	return a;
}

/* (-1 / @a) mod @m for gcd(@a, @m) = 1, @m < 2^32 (0 when @m is 1). */
static u64 neg_inverse(u64 a, u64 m)
{
	s64 r0 = m, r1, s0 = 0, s1 = 1;

	if (m == 1)
		return 0;
	div64_u64_rem(a, m, &a);
	r1 = a;
	while (r1) {
		s64 q = div64_s64(r0, r1);
		s64 tmp;

		tmp = r0 - q * r1;
		r0 = r1;
		r1 = tmp;
		tmp = s0 - q * s1;
		s0 = s1;
		s1 = tmp;
	}
	/* s0 * a = 1 (mod m), |s0| < m. */
	return s0 > 0 ? m - s0 : -s0;
}

/*
 * The largest n <= @max with n * @a mod @m = @m - gcd(@a, @m), the largest
 * remainder there is: where rounding the multiplier has the least room.
 * Also returns @m / gcd, the spacing of such n, in @step.
 */
static u64 tightest(u64 a, u64 m, u64 max, u64 *step)
{
	u64 g = gcd(a, m);
	u64 b = div64_u64(m, g);
	u64 n0 = neg_inverse(div64_u64(a, g), b);

	*step = b;
	if (n0 > max)
		return max;
	return n0 + div64_u64(max - n0, b) * b;
}

struct scale_check {
	struct kunit *test;
	unsigned long failures;
};

static void check_ns(struct scale_check *c, const struct ktb_mips_scale *s,
		     u32 hz, u64 ns)
{
	u64 got = ktb_mips_scale_ns_to_ticks(s, ns);
	u64 want = ref_ticks(ns, hz);

	if (got == want)
		return;
	if (c->failures++ < SCALE_MAX_REPORTS)
		KUNIT_FAIL(c->test, "ns_to_ticks(%llu) at %u Hz: %llu, div_u64 gives %llu",
			   ns, hz, got, want);
}

static void check_ticks(struct scale_check *c, const struct ktb_mips_scale *s,
			u32 hz, u64 ticks)
{
	u64 got = ktb_mips_scale_ticks_to_ns(s, ticks);
	u64 want = ref_ns(ticks, hz);

	if (got == want)
		return;
	if (c->failures++ < SCALE_MAX_REPORTS)
		KUNIT_FAIL(c->test, "ticks_to_ns(%llu) at %u Hz: %llu, div_u64 gives %llu",
			   ticks, hz, got, want);
}

/*
 * The constants of @hz checked against the proof, then the inputs with the
 * least slack, the smallest ones and some in between.
 */
static void check_rate(struct scale_check *c, u32 hz)
{
	struct kunit *test = c->test;
	struct ktb_mips_scale s;
	u64 period = ref_period(hz);
	u64 step, hard, i;

	ktb_mips_scale_init(&s, hz);
	KUNIT_EXPECT_EQ_MSG(test, s.tick_shift, ref_shift(hz), "%u Hz", hz);
	KUNIT_EXPECT_EQ_MSG(test, s.ns_int, (u32)NSEC_PER_SEC / hz, "%u Hz", hz);
	if (hz <= NSEC_PER_SEC)
		KUNIT_EXPECT_LE_MSG(test, s.tick_mult, 1ULL << 63, "%u Hz", hz);

	for (i = 0; i < 4 && i < period; i++) {
		check_ns(c, &s, hz, i);
		check_ns(c, &s, hz, period - 1 - i);
	}
	check_ns(c, &s, hz, period >> 1);
	hard = tightest(hz, NSEC_PER_SEC, period - 1, &step);
	for (i = 0; i < 4 && i * step <= hard; i++) {
		check_ns(c, &s, hz, hard - i * step);
		/* Exact multiples of 10^9 / g: a remainder of 0. */
		check_ns(c, &s, hz, (i + 1) * step < period ? (i + 1) * step : 0);
		if (hard - i * step + 1 < period)
			check_ns(c, &s, hz, hard - i * step + 1);
	}

	for (i = 0; i < 4; i++) {
		check_ticks(c, &s, hz, i);
		check_ticks(c, &s, hz, SCALE_TICKS_MAX - i);
	}
	check_ticks(c, &s, hz, SCALE_TICKS_MAX >> 1);
	hard = tightest(NSEC_PER_SEC, hz, SCALE_TICKS_MAX, &step);
	for (i = 0; i < 4 && i * step <= hard; i++) {
		check_ticks(c, &s, hz, hard - i * step);
		check_ticks(c, &s, hz, min((i + 1) * step, SCALE_TICKS_MAX));
	}
}

static const u32 scale_rates[] = {
	1, 2, 3, 7, 10, 11, 13, 1000, 32768, 1000000, 3000000,
	76923077,	/* (10^9 + 1) / 13 */
	90909091,	/* (10^9 + 1) / 11 */
	100000000,	/* the trap-and-emulate default */
	142857143,	/* (10^9 + 1) / 7 */
	232830643, 232830644,	/* shift 2 to 1 */
	465661287, 465661288,	/* shift 1 to 0 */
	500000000, 999999937, 999999999,
	1000000000,	/* multiplier 2^63 */
	/* Beyond COUNT_HZ: a VZ host counter taken over from the kernel. */
	1500000000, 1999999999,
};

static void scale_rate_desc(const u32 *hz, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u Hz", *hz);
}

KUNIT_ARRAY_PARAM(scale_rate, scale_rates, scale_rate_desc);

static void scaling_matches_div_u64_at_each_rate(struct kunit *test)
{
	struct scale_check c = { .test = test };

	check_rate(&c, *(const u32 *)test->param_value);
	KUNIT_EXPECT_EQ(test, c.failures, 0UL);
}

/*
 * Every rate where the shift changes, and the rate just below, which needs
 * one more bit: those the choice of the shift depends on.
 */
static void scaling_matches_div_u64_where_the_shift_changes(struct kunit *test)
{
	struct scale_check c = { .test = test };
	struct ktb_mips_scale s;
	u32 k;

	for (k = 0; k <= SCALE_MAX_SHIFT; k++) {
		u32 hz = shift_boundary(k);

		ktb_mips_scale_init(&s, hz);
		KUNIT_EXPECT_EQ_MSG(test, s.tick_shift, k, "%u Hz", hz);
		check_rate(&c, hz);
		if (hz == 1)
			continue;
		ktb_mips_scale_init(&s, hz - 1);
		KUNIT_EXPECT_EQ_MSG(test, s.tick_shift, k + 1, "%u Hz", hz - 1);
		check_rate(&c, hz - 1);
	}
	KUNIT_EXPECT_EQ(test, shift_boundary(0), KTB_MIPS_SCALE_HZ_FLOOR);
	KUNIT_EXPECT_EQ(test, shift_boundary(SCALE_MAX_SHIFT), 1U);
	KUNIT_EXPECT_EQ(test, c.failures, 0UL);
}

/* splitmix64, as in the other randomized suite. */
static u64 scale_rand(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* In [0, n], n < 2^63, close enough to uniform. */
static u64 scale_upto(u64 *state, u64 n)
{
	return mul_u64_u64_shr(scale_rand(state), n + 1, 64);
}

/* A rate in 1 .. 10^9: uniform, log-uniform, or next to a boundary. */
static u32 scale_pick_rate(u64 *state)
{
	u32 r = scale_rand(state);
	s64 hz;

	switch (r & 3) {
	case 0:
		hz = 1 + scale_upto(state, NSEC_PER_SEC - 1);
		break;
	case 1:
		hz = scale_rand(state) >> (34 + (r >> 2) % 30);
		break;
	case 2:
		hz = (s64)shift_boundary((r >> 2) % (SCALE_MAX_SHIFT + 1)) +
		     (s64)((r >> 8) % 5) - 2;
		break;
	default:
		hz = (s64)scale_rates[(r >> 2) % ARRAY_SIZE(scale_rates)] +
		     (s64)((r >> 8) % 3) - 1;
		break;
	}
	return clamp_t(s64, hz, 1, NSEC_PER_SEC);
}

/* A time in the period: anywhere, near either end, or a tight one. */
static u64 scale_pick_ns(u64 *state, u32 hz, u64 period)
{
	u64 r = scale_rand(state), step, hard;

	switch (r & 3) {
	case 0:
	case 1:
		return scale_upto(state, period - 1);
	case 2:
		return period - 1 - scale_upto(state, min(period - 1, 4096ULL));
	default:
		hard = tightest(hz, NSEC_PER_SEC, period - 1, &step);
		return hard - min(div64_u64(hard, step), (r >> 2) & 63) * step;
	}
}

static u64 scale_pick_ticks(u64 *state, u32 hz)
{
	u64 r = scale_rand(state), step, hard;

	switch (r & 3) {
	case 0:
	case 1:
		return scale_upto(state, SCALE_TICKS_MAX);
	case 2:
		return SCALE_TICKS_MAX - scale_upto(state, 4096);
	default:
		hard = tightest(NSEC_PER_SEC, hz, SCALE_TICKS_MAX, &step);
		return hard - min(div64_u64(hard, step), (r >> 2) & 63) * step;
	}
}

/* Inputs compared per random rate, each way. */
#define SCALE_PER_RATE		4

static void scaling_matches_div_u64_at_random_rates(struct kunit *test)
{
	unsigned long points = mips_scale_points ?: SCALE_DEFAULT_POINTS;
	u64 state = 0x6b74622d7363616cULL ^ mips_scale_seed;
	struct scale_check c = { .test = test };
	struct ktb_mips_scale s;
	unsigned long n;
	u32 hz = 0, i;
	u64 period = 0;

	for (n = 0; n < points; n++) {
		i = n % SCALE_PER_RATE;
		if (!i) {
			hz = scale_pick_rate(&state);
			period = ref_period(hz);
			ktb_mips_scale_init(&s, hz);
		}
		check_ns(&c, &s, hz, scale_pick_ns(&state, hz, period));
		check_ticks(&c, &s, hz, scale_pick_ticks(&state, hz));
		if (!(n & 4095))
			cond_resched();
	}
	kunit_info(test, "%lu inputs each way, seed %#lx: %lu differ from div_u64\n",
		   points, mips_scale_seed, c.failures);
	KUNIT_EXPECT_EQ(test, c.failures, 0UL);
}

/*
 * The four-product high half, which 32-bit kernels use, against the
 * kernel's mul_u64_u64_shr() (and the 128-bit one where there is one).
 */
static void mul_hi_matches_mul_u64_u64_shr(struct kunit *test)
{
	static const u64 edge[] = {
		0, 1, 2, 0xffffffffULL, 0x100000000ULL, 0x1ffffffffULL,
		1ULL << 62, (1ULL << 63) - 1, 1ULL << 63, 0xfffffffeffffffffULL,
		0xffffffff00000000ULL, ~0ULL - 1, ~0ULL,
	};
	u64 state = 0x6d756c2d6869ULL ^ mips_scale_seed;
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(edge); i++) {
		for (j = 0; j < ARRAY_SIZE(edge); j++) {
			u64 want = mul_u64_u64_shr(edge[i], edge[j], 64);

			KUNIT_EXPECT_EQ_MSG(test, ktb_mul_u64_u64_hi_u32s(edge[i], edge[j]),
					    want, "%#llx * %#llx", edge[i], edge[j]);
			KUNIT_EXPECT_EQ_MSG(test, ktb_mul_u64_u64_hi(edge[i], edge[j]),
					    want, "%#llx * %#llx", edge[i], edge[j]);
		}
	}
	for (i = 0; i < 100000; i++) {
		u64 a = scale_rand(&state), b = scale_rand(&state);
		u64 want = mul_u64_u64_shr(a, b, 64);

		if (ktb_mul_u64_u64_hi_u32s(a, b) != want ||
		    ktb_mul_u64_u64_hi(a, b) != want) {
			KUNIT_FAIL(test, "%#llx * %#llx: high half %#llx / %#llx, want %#llx",
				   a, b, ktb_mul_u64_u64_hi_u32s(a, b),
				   ktb_mul_u64_u64_hi(a, b), want);
			break;
		}
	}
}

static struct kunit_case mips_scale_cases[] = {
	KUNIT_CASE_PARAM(scaling_matches_div_u64_at_each_rate, scale_rate_gen_params),
	KUNIT_CASE(scaling_matches_div_u64_where_the_shift_changes),
	KUNIT_CASE(mul_hi_matches_mul_u64_u64_shr),
	KUNIT_CASE(scaling_matches_div_u64_at_random_rates),
	{}
};

/* Registered with the other suites of the module in suites.c. */
struct kunit_suite ktb_mips_scale_suite = {
	.name = "kvm_timer_backport_mips_scale",
	.test_cases = mips_scale_cases,
};
