// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the MIPS Count/Compare model on a fake clock.
 */
#include <kunit/test.h>
#include <linux/math64.h>

#include "fake.h"
#include "ref.h"
#include "suites.h"

/* The spec: only the position of @now within its period counts. */
static u32 ref_count(u32 bias, u64 now, u32 hz)
{
	u64 in_period;

	div64_u64_rem(now, ref_period(hz), &in_period);
	return bias + ref_scaled_mod32(in_period, hz);
}

/*
 * hrtimer expiry is not exact: model a timer whose programmed expiry lands
 * @ns after the instant Count reaches Compare, and which fires then.
 */
static void make_timer_late(struct ktb_fake *f, s64 ns)
{
	f->t.expires = ktime_add_ns(f->t.expires, ns);
	f->expiry += ns;
}

static const u32 count_rates[] = {
	1, 3, 1000, 32768, MHZ100, 999999937, GHZ,
};

static void rate_desc(const u32 *hz, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u Hz", *hz);
}

KUNIT_ARRAY_PARAM(count_rate, count_rates, rate_desc);

static void check_count_at(struct kunit *test, struct ktb_fake *f, u64 now)
{
	u32 want = ref_count(0x89abcdefu, now, f->t.count_hz);

	f->now = now;
	KUNIT_EXPECT_EQ_MSG(test, ktb_mips_read_count(&f->t), want,
			    "hz=%u now=%llu", f->t.count_hz, now);
}

/*
 * Count is bit-exact against the reference at every dynamic-bias wrap
 * boundary, far out, and when time is presented out of order (operations
 * under the master disable evaluate Count at an earlier time).
 */
static void count_matches_reference(struct kunit *test)
{
	const u32 *hz = test->param_value;
	u64 period = ref_period(*hz);
	u64 times[40];
	unsigned int n = 0, i, k;
	struct ktb_fake *f;
	u64 x = 0x9e3779b97f4a7c15ull;

	for (k = 0; k < 4 && period * k < (1ull << 62); k++) {
		u64 b = period * k;

		if (b)
			times[n++] = b - 1;
		times[n++] = b;
		times[n++] = b + 1;
	}
	times[n++] = 1ull << 62;
	times[n++] = (1ull << 62) + 12345;
	for (i = 0; n < ARRAY_SIZE(times); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		times[n++] = x >> 2;
	}

	f = ktb_fake_new(test, 0, *hz);
	/* Compare far from everything so reads raise nothing. */
	f->t.compare = 0x80000000u;
	ktb_mips_write_count(&f->t, 0x89abcdefu);

	for (i = 0; i < n; i++)
		check_count_at(test, f, times[i]);
	for (i = n; i-- > 0;)
		check_count_at(test, f, times[i]);
}

/* For rates where a period is exactly 2^32 ticks, Count is the ideal. */
static void count_is_ideal_for_exact_rates(struct kunit *test)
{
	static const u32 exact[] = { 1, MHZ100, GHZ };
	static const u64 when[] = {
		0, 1, 999999999, 42949672959ull, 42949672960ull,
		42949672961ull, 4294967295ull, 4294967296ull, 1ull << 62,
		(1ull << 62) + 999,
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(exact); i++) {
		struct ktb_fake *f = ktb_fake_new(test, 0, exact[i]);

		for (j = 0; j < ARRAY_SIZE(when); j++) {
			f->now = when[j];
			KUNIT_EXPECT_EQ_MSG(test, ktb_mips_read_count(&f->t),
					    ref_scaled_mod32(when[j], exact[i]),
					    "hz=%u now=%llu", exact[i], when[j]);
		}
	}
}

/* Count runs through 0xffffffff into 0 without a jump. */
static void count_wraps_at_32_bits(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, 5000000000ll, MHZ100);
	u32 prev, now;
	int i;

	ktb_mips_write_count(&f->t, 0xffffff00u);
	prev = ktb_mips_read_count(&f->t);
	for (i = 0; i < 100; i++) {
		ktb_fake_advance(f, 30);	/* 3 ticks */
		now = ktb_mips_read_count(&f->t);
		KUNIT_EXPECT_EQ(test, now - prev, 3u);
		prev = now;
	}
	KUNIT_EXPECT_LT(test, prev, 0x100u);
}

/* Reset starts Count at 0 and it advances at the given rate. */
static void count_init_at_rate(struct kunit *test)
{
	const u32 *hz = test->param_value;
	struct ktb_fake *f = ktb_fake_new(test, 7 * NSEC_PER_SEC + 3, *hz);

	KUNIT_EXPECT_EQ(test, ktb_mips_read_count(&f->t), 0u);
	KUNIT_EXPECT_EQ(test, f->t.count_hz, *hz);
	KUNIT_EXPECT_EQ(test, f->t.count_period, ref_period(*hz));
	f->t.compare = 0x80000000u;
	f->now += NSEC_PER_SEC;
	/* One second later: hz ticks, give or take the truncation. */
	KUNIT_EXPECT_LE(test, (u32)(*hz - ktb_mips_read_count(&f->t)), 1u);
}

/* The timer fires when Count reaches Compare, not before. */
static void compare_interrupt_at_match(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);
	u32 c = ktb_mips_read_count(&f->t);

	ktb_mips_write_compare(&f->t, c + 1000, true);	/* 10 us */
	ktb_fake_advance(f, 9990);
	KUNIT_EXPECT_EQ(test, f->irqs, 0u);
	KUNIT_EXPECT_FALSE(test, ktb_fake_pending(f));
	ktb_fake_advance(f, 10);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
	KUNIT_EXPECT_EQ(test, f->wakes, 1u);
	KUNIT_EXPECT_TRUE(test, ktb_fake_pending(f));
	KUNIT_EXPECT_EQ(test, f->fired_count, c + 1000);
	/* Next match is a whole Count period later. */
	KUNIT_EXPECT_EQ(test, f->expiry - f->now, (s64)f->t.count_period);
	KUNIT_EXPECT_EQ(test, ktb_mips_read_count(&f->t), c + 1000);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
}

/* Compare equal to Count is a whole period (2^32 ticks) away. */
static void compare_equal_count_is_full_period(struct kunit *test)
{
	const u32 *hz = test->param_value;
	struct ktb_fake *f = ktb_fake_new(test, 3 * NSEC_PER_SEC, *hz);
	u64 ns = div_u64((1ull << 32) * NSEC_PER_SEC, *hz);

	f->t.compare = 1;
	ktb_mips_write_count(&f->t, 1);
	KUNIT_EXPECT_EQ(test, f->expiry - f->now, (s64)ns);
	/* Compare one below Count: a tick short of that. */
	ktb_mips_write_count(&f->t, 2);
	KUNIT_EXPECT_EQ(test, f->expiry - f->now,
			(s64)div_u64(0xffffffffull * NSEC_PER_SEC, *hz));
}

/* Each expiry moves one period on, and each raises the interrupt. */
static void expiry_repeats_every_period(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, GHZ);
	s64 first;

	ktb_mips_write_compare(&f->t, 100, true);
	first = f->expiry;
	ktb_fake_set_time(f, first + 3 * (s64)f->t.count_period);
	KUNIT_EXPECT_EQ(test, f->fires, 4u);
	KUNIT_EXPECT_EQ(test, f->irqs, 4u);
	KUNIT_EXPECT_EQ(test, f->expiry, first + 4 * (s64)f->t.count_period);
}

/*
 * Regression test for upstream 4355c44f063d: the hrtimer is late, Count
 * has already reached Compare when the guest stops the timer, and the
 * timer has not run. The interrupt must be raised by the freeze, once,
 * and after the restart the next one is a whole period away.
 */
static void freeze_race_raises_pending_interrupt(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);
	u32 c = ktb_mips_read_count(&f->t);
	s64 resumed;

	ktb_mips_write_compare(&f->t, c + 500, true);
	/* The hrtimer is due 200 ns (20 ticks) after the match. */
	make_timer_late(f, 200);
	/* Count passes Compare by 5 ticks; the timer has not fired. */
	ktb_fake_advance(f, 5050);
	KUNIT_ASSERT_EQ(test, f->fires, 0u);
	KUNIT_ASSERT_EQ(test, f->irqs, 0u);

	ktb_mips_write_cause(&f->t, KTB_CAUSE_DC, KTB_CAUSE_GUEST_WRITABLE);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
	KUNIT_EXPECT_TRUE(test, ktb_fake_pending(f));
	KUNIT_EXPECT_EQ(test, f->t.count, c + 505);
	KUNIT_EXPECT_FALSE(test, f->armed);

	/* The late expiry time passes while stopped: nothing fires. */
	ktb_fake_advance(f, 1000);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);

	ktb_mips_write_cause(&f->t, 0, KTB_CAUSE_GUEST_WRITABLE);
	resumed = f->expiry - f->now;
	/* 2^32 - 5 ticks at 100 MHz. */
	KUNIT_EXPECT_EQ(test, resumed, (s64)f->t.count_period - 50);
	ktb_fake_advance(f, 10 * NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
}

/* A guest Count read past Compare before the late timer raises it too. */
static void read_past_compare_raises_once(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);
	u32 c = ktb_mips_read_count(&f->t);
	s64 late;

	ktb_mips_write_compare(&f->t, c + 100, true);
	make_timer_late(f, 300);
	late = f->expiry;
	f->now += 1050;		/* Count = Compare + 5, timer not run */
	KUNIT_EXPECT_EQ(test, ktb_mips_read_count(&f->t), c + 105);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
	/* The timer was moved to the following match ... */
	KUNIT_EXPECT_EQ(test, f->expiry, late + (s64)f->t.count_period);
	/* ... so reading again, or the old expiry passing, adds nothing. */
	KUNIT_EXPECT_EQ(test, ktb_mips_read_count(&f->t), c + 105);
	ktb_fake_set_time(f, late + 1);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
}

/*
 * Regression test for upstream b45bacd2d048: the guest acknowledges by
 * writing a new Compare just as Count passes the old one (timer late). The
 * acknowledge must happen inside the frozen window, so no stale interrupt
 * is left pending for a Compare that is now far away.
 */
static void compare_write_ack_is_atomic(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);
	u32 c = ktb_mips_read_count(&f->t);

	ktb_mips_write_compare(&f->t, c + 100, true);
	make_timer_late(f, 300);
	f->now += 1020;		/* Count = Compare + 2 */

	ktb_mips_write_compare(&f->t, c + 1000100, true);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
	KUNIT_EXPECT_FALSE(test, ktb_fake_pending(f));
	/* The new match fires at the right time. */
	ktb_fake_advance(f, 9999000);
	KUNIT_EXPECT_FALSE(test, ktb_fake_pending(f));
	ktb_fake_advance(f, 10000);
	KUNIT_EXPECT_TRUE(test, ktb_fake_pending(f));
	KUNIT_EXPECT_EQ(test, f->fired_count, c + 1000100);
}

/* A ONE_REG Compare write (no ack) keeps a pending interrupt. */
static void compare_write_without_ack_keeps_pending(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);
	u32 c = ktb_mips_read_count(&f->t);
	unsigned int acks;

	ktb_mips_write_compare(&f->t, c + 10, true);
	ktb_fake_advance(f, 200);
	KUNIT_ASSERT_TRUE(test, ktb_fake_pending(f));
	acks = f->acks;

	ktb_mips_write_compare(&f->t, c + 100000, false);
	KUNIT_EXPECT_TRUE(test, ktb_fake_pending(f));
	KUNIT_EXPECT_EQ(test, f->acks, acks);
	KUNIT_EXPECT_EQ(test, ktb_mips_read_compare(&f->t), c + 100000);
}

/* Unchanged Compare: with ack it only acknowledges, without it is a no-op. */
static void compare_unchanged(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);
	s64 expiry;

	ktb_mips_write_compare(&f->t, 50, true);
	ktb_fake_advance(f, 1000);
	KUNIT_ASSERT_TRUE(test, ktb_fake_pending(f));
	expiry = f->expiry;

	ktb_mips_write_compare(&f->t, 50, false);
	KUNIT_EXPECT_TRUE(test, ktb_fake_pending(f));
	KUNIT_EXPECT_EQ(test, f->expiry, expiry);

	ktb_mips_write_compare(&f->t, 50, true);
	KUNIT_EXPECT_FALSE(test, ktb_fake_pending(f));
	KUNIT_EXPECT_EQ(test, f->expiry, expiry);
	KUNIT_EXPECT_TRUE(test, f->armed);
}

/* Cause.DC stops Count; no time passes for it until DC is cleared. */
static void cause_dc_stops_count(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);
	u32 c;

	ktb_mips_write_compare(&f->t, 5000, true);
	ktb_fake_advance(f, 10000);			/* Count 1000 */
	ktb_mips_write_cause(&f->t, KTB_CAUSE_DC, KTB_CAUSE_GUEST_WRITABLE);
	KUNIT_EXPECT_TRUE(test, ktb_mips_timer_stopped(&f->t));
	c = ktb_mips_read_count(&f->t);
	KUNIT_EXPECT_EQ(test, c, 1000u);

	ktb_fake_advance(f, NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, ktb_mips_read_count(&f->t), c);
	KUNIT_EXPECT_EQ(test, f->irqs, 0u);

	ktb_mips_write_cause(&f->t, 0, KTB_CAUSE_GUEST_WRITABLE);
	KUNIT_EXPECT_FALSE(test, ktb_mips_timer_stopped(&f->t));
	KUNIT_EXPECT_EQ(test, ktb_mips_read_count(&f->t), c);
	ktb_fake_advance(f, 40000);			/* Count 5000 */
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
	KUNIT_EXPECT_EQ(test, f->fired_count, 5000u);
}

/* Count written while stopped is what Count resumes from. */
static void count_write_while_stopped(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);

	ktb_mips_write_cause(&f->t, KTB_CAUSE_DC, ~0u);
	ktb_mips_write_count(&f->t, 0x1000);
	ktb_fake_advance(f, NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, ktb_mips_read_count(&f->t), 0x1000u);
	ktb_mips_write_cause(&f->t, 0, ~0u);
	ktb_fake_advance(f, 100);
	KUNIT_EXPECT_EQ(test, ktb_mips_read_count(&f->t), 0x100au);
}

/* The guest can only change DC, IV, IP1 and IP0 with mtc0. */
static void guest_cause_write_mask(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);

	f->cause = KTB_CAUSE_TI | KTB_CAUSE_IP7 | 0x7c;
	ktb_mips_write_cause(&f->t, 0xffffffffu & ~KTB_CAUSE_DC,
			     KTB_CAUSE_GUEST_WRITABLE);
	KUNIT_EXPECT_EQ(test, f->cause,
			KTB_CAUSE_TI | KTB_CAUSE_IP7 | 0x7c | 0x00800300u);
	ktb_mips_write_cause(&f->t, 0, KTB_CAUSE_GUEST_WRITABLE);
	KUNIT_EXPECT_EQ(test, f->cause, KTB_CAUSE_TI | KTB_CAUSE_IP7 | 0x7c);
}

/*
 * ONE_REG Cause with DC being set: the timer stops first, so the value
 * written decides TI even if the stop raised a due interrupt.
 */
static void onereg_cause_stop_then_bits(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);

	ktb_mips_write_compare(&f->t, 100, true);
	make_timer_late(f, 500);
	f->now += 1010;			/* Count 101 */

	ktb_mips_write_cause(&f->t, KTB_CAUSE_DC, ~0u);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
	KUNIT_EXPECT_EQ(test, f->cause, KTB_CAUSE_DC);
	KUNIT_EXPECT_EQ(test, f->t.count, 101u);
}

/* ONE_REG Cause with DC being cleared: the bits go in before the start. */
static void onereg_cause_bits_then_start(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);

	ktb_mips_write_cause(&f->t, KTB_CAUSE_DC, ~0u);
	ktb_mips_write_compare(&f->t, 10, false);
	ktb_mips_write_cause(&f->t, KTB_CAUSE_TI | KTB_CAUSE_IP7, ~0u);
	KUNIT_EXPECT_FALSE(test, ktb_mips_timer_stopped(&f->t));
	KUNIT_EXPECT_TRUE(test, ktb_fake_pending(f));
	KUNIT_EXPECT_TRUE(test, f->armed);
	ktb_fake_advance(f, 100);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
}

/* An expiry carried over from another implementation is kept exactly. */
static void timer_arm_carries_expiry(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);
	s64 at = f->now + 12345;

	ktb_mips_timer_arm(&f->t, ns_to_ktime(at));
	KUNIT_EXPECT_TRUE(test, f->armed);
	KUNIT_EXPECT_EQ(test, f->expiry, at);
	ktb_fake_set_time(f, at);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
	KUNIT_EXPECT_EQ(test, f->expiry, at + (s64)f->t.count_period);
}

static struct kunit_case ktb_mips_count_cases[] = {
	KUNIT_CASE_PARAM(count_matches_reference, count_rate_gen_params),
	KUNIT_CASE(count_is_ideal_for_exact_rates),
	KUNIT_CASE(count_wraps_at_32_bits),
	KUNIT_CASE_PARAM(count_init_at_rate, count_rate_gen_params),
	KUNIT_CASE(compare_interrupt_at_match),
	KUNIT_CASE_PARAM(compare_equal_count_is_full_period,
			 count_rate_gen_params),
	KUNIT_CASE(expiry_repeats_every_period),
	KUNIT_CASE(freeze_race_raises_pending_interrupt),
	KUNIT_CASE(read_past_compare_raises_once),
	KUNIT_CASE(compare_write_ack_is_atomic),
	KUNIT_CASE(compare_write_without_ack_keeps_pending),
	KUNIT_CASE(compare_unchanged),
	KUNIT_CASE(cause_dc_stops_count),
	KUNIT_CASE(count_write_while_stopped),
	KUNIT_CASE(guest_cause_write_mask),
	KUNIT_CASE(onereg_cause_stop_then_bits),
	KUNIT_CASE(onereg_cause_bits_then_start),
	KUNIT_CASE(timer_arm_carries_expiry),
	{}
};

struct kunit_suite ktb_mips_count_suite = {
	.name = "kvm_timer_backport_mips_count",
	.test_cases = ktb_mips_count_cases,
};
