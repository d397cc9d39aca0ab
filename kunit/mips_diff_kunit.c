// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized differential test of the MIPS guest timer core.
 *
 * Each random case runs one long pseudo-random sequence of operations twice
 * in lockstep: against the core, through the fake clock of fake.c, and
 * against a small reference model of the guest timer written here from the
 * behaviour the project reproduces (upstream-semantics.md, sections 2 and
 * 3). After every operation everything the guest or the VMM could observe
 * is compared: the value a Count read returns, error codes, how many times
 * the timer interrupt was raised, Cause (TI in particular), Count, Compare,
 * COUNT_CTL, COUNT_RESUME, COUNT_HZ, and when the expiry timer is armed for.
 *
 * The operations: time steps from a nanosecond to several Count periods,
 * many of them to just before, onto or just after the pending expiry (some
 * with the expiry callback held back, as a late hrtimer would be), guest
 * Count reads and writes, guest Compare writes (ack) and ONE_REG ones (no
 * ack), guest and ONE_REG Cause writes toggling DC, and COUNT_CTL,
 * COUNT_RESUME and COUNT_HZ writes, valid and invalid.
 *
 * The reference is kept deliberately plain so that it does not share the
 * core's mistakes: Count is bias + ticks(now mod period) computed from
 * scratch every time (no cached dynamic bias), the pending expiry is a
 * single absolute time, and every register write is spelled out on its own.
 * The mips_diff_reference_* cases check the reference itself against values
 * worked out by hand, so it is not trusted blindly either.
 *
 * Exact and loose checks: the spec pins every raise of the interrupt the
 * fake can observe (expiries, delivery by a Count read or a stop when the
 * pending expiry is less than a quarter period away, the master re-enable),
 * so the number of raises is compared exactly, after every operation. Two
 * readings were needed:
 *  - Master re-enable raises once at most, however many matches were missed
 *    ("if now >= expiry queue the interrupt"). Upstream then reads Count
 *    through the read-time rule, against the expiry of the timer cancelled
 *    at the disable, which can queue a second time; queueing twice makes no
 *    difference to the guest, but the spec (and this test) say once.
 *  - A ONE_REG Cause write that sets DC stops the timer before writing the
 *    other bits, so an interrupt delivered by that stop is counted but its
 *    TI is then whatever the written value says.
 * Loose, because the spec does not pin them: wake-ups (at least one per
 * expiry), and the number of dequeue calls (Cause is compared instead).
 * Not compared: the Count the expiry callback saw (fake.c's fired_count),
 * which depends on how late the fake ran it.
 * The expiry timer itself is compared exactly: armed exactly while the
 * timer runs, and for the time the spec's formula gives.
 *
 * Replaying a failure: the operation sequence depends only on the case (its
 * seed, rate and start time), on mips_diff_seed and on the reference's state,
 * which is the same on every run up to the first divergence. A failure
 * names the case seed, the step and the operation, and logs the operations
 * that led to it; running the suite again with at least that many
 * operations replays it exactly.
 *
 * Size: the random cases run DIFF_DEFAULT_OPS operations each. The
 * mips_diff_ops parameter raises that (1000000 is a good soak), e.g.
 *   kunit.py run ... --kernel_args kvm_timer_backport_kunit.mips_diff_ops=1000000
 * when the tests are built in, or mips_diff_ops=1000000 on insmod of the
 * test module. mips_diff_seed=N mixes N into every case's seed to explore
 * other sequences (failures then report the mixed seed).
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "fake.h"
#include "ref.h"
#include "suites.h"

#define DIFF_DEFAULT_OPS	4000
/* How many past operations a failure report shows. */
#define DIFF_HISTORY		16

/*
 * Fake time never goes past this. Both the core and the reference add up to
 * 1.25 Count periods (each 4.3e18 ns at 1 Hz) to the current time when the
 * timer is re-armed, so staying below S64_MAX - 1.25 * 4.3e18 keeps every
 * such sum inside s64 at any legal rate. Real uptimes are far below it.
 */
#define DIFF_TIME_CAP		3800000000000000000LL

/* Nanoseconds per 2^32 ticks, as a constant expression for the case table. */
#define DIFF_PERIOD(hz)		((s64)(((u64)NSEC_PER_SEC << 32) / (hz)))
#define DIFF_HOUR		(3600LL * NSEC_PER_SEC)

#define DIFF_TI			(KTB_CAUSE_TI | KTB_CAUSE_IP7)

static unsigned int mips_diff_ops;
module_param(mips_diff_ops, uint, 0644);
MODULE_PARM_DESC(mips_diff_ops,
		 "operations per random MIPS timer differential case (default 4000; 1000000 for a soak)");

static ulong mips_diff_seed;
module_param(mips_diff_seed, ulong, 0644);
MODULE_PARM_DESC(mips_diff_seed,
		 "mixed into every random MIPS timer differential case's seed (default 0)");

/*
 * ---------------------------------------------------------------------------
 * Reference model
 *
 * State as the spec describes the guest timer, nothing more. "Running"
 * means neither COUNT_CTL.DC nor Cause.DC is set. While running, Count is
 * bias + ticks(now) and @expiry is when the expiry timer fires next; while
 * stopped, Count is @held and no timer is armed.
 * ---------------------------------------------------------------------------
 */
struct ref_timer {
	s64 now;
	u32 hz;
	u64 period;
	u32 bias;
	u32 held;
	u32 compare;
	u32 cause;
	bool master_dc;
	s64 resume;
	s64 expiry;
	unsigned int irqs;
};

/*
 * Ticks elapsed at time @ns, modulo 2^32. Reducing @ns modulo the period
 * first is what the spec's dynamic bias amounts to for any @ns >= 0, and it
 * keeps the product below 1e9 * 2^32 < 2^62, so plain 64-bit arithmetic is
 * exact (no mul_u64_u32_div(), which is broken on some kernels).
 */
static u32 ref_ticks(const struct ref_timer *r, s64 ns)
{
	u64 within;

	div64_u64_rem((u64)ns, r->period, &within);
	return (u32)div_u64(within * r->hz, NSEC_PER_SEC);
}

/* Whole nanoseconds that @ticks take at the current rate (rounded down). */
static u64 ref_ns(const struct ref_timer *r, u64 ticks)
{
	return div_u64(ticks * NSEC_PER_SEC, r->hz);
}

/*
 * Ticks until Count next equals @compare, counting from @count. Count has
 * to go all the way round when they are already equal.
 */
static u64 ref_ticks_until(u32 compare, u32 count)
{
	return compare == count ? 1ULL << 32 : (u64)(u32)(compare - count);
}

static bool ref_running(const struct ref_timer *r)
{
	return !r->master_dc && !(r->cause & KTB_CAUSE_DC);
}

/* Count as seen from outside, without any side effect. */
static u32 ref_peek(const struct ref_timer *r)
{
	return ref_running(r) ? r->bias + ref_ticks(r, r->now) : r->held;
}

/* "Count time": frozen at COUNT_RESUME while the master disable is set. */
static s64 ref_count_time(const struct ref_timer *r)
{
	return r->master_dc ? r->resume : r->now;
}

static void ref_raise(struct ref_timer *r)
{
	r->cause |= DIFF_TI;
	r->irqs++;
}

static void ref_ack(struct ref_timer *r)
{
	r->cause &= ~DIFF_TI;
}

static void ref_arm(struct ref_timer *r, s64 at, u32 count)
{
	r->expiry = at + ref_ns(r, ref_ticks_until(r->compare, count));
}

/*
 * The read-time delivery rule: Count has reached Compare (within half the
 * range) and the pending expiry is less than a quarter period away, so the
 * expiry is for this very match and has not been delivered yet.
 */
static bool ref_due(const struct ref_timer *r, u32 count)
{
	return (s32)(count - r->compare) >= 0 &&
	       r->expiry < r->now + (s64)(r->period / 4);
}

/* A guest read of Count; while running it may deliver a due interrupt. */
static u32 ref_read_count(struct ref_timer *r)
{
	u32 count;

	if (!ref_running(r))
		return r->held;
	count = r->bias + ref_ticks(r, r->now);
	if (ref_due(r, count)) {
		ref_raise(r);
		r->expiry += r->period;
	}
	return count;
}

/*
 * Stop a running timer at the current time: the same delivery rule as a
 * read, but the timer is not re-armed. Returns Count at that moment.
 */
static u32 ref_stop(struct ref_timer *r)
{
	u32 count = r->bias + ref_ticks(r, r->now);

	if (ref_due(r, count))
		ref_raise(r);
	return count;
}

/* Let time pass up to @to; every expiry on the way raises the interrupt. */
static void ref_advance(struct ref_timer *r, s64 to)
{
	while (ref_running(r) && r->expiry <= to) {
		ref_raise(r);
		r->expiry += r->period;
	}
	r->now = to;
}

static void ref_write_count(struct ref_timer *r, u32 count)
{
	s64 at = ref_count_time(r);

	r->bias = count - ref_ticks(r, at);
	if (ref_running(r))
		ref_arm(r, at, count);
	else
		r->held = count;
}

static void ref_write_compare(struct ref_timer *r, u32 compare, bool ack)
{
	bool running = ref_running(r);
	u32 count = 0;

	if (compare == r->compare) {
		if (ack)
			ref_ack(r);
		return;
	}
	/*
	 * An interrupt that became due just before the write is delivered by
	 * the stop and only then acknowledged: it was for the old Compare.
	 */
	if (running)
		count = ref_stop(r);
	if (ack)
		ref_ack(r);
	r->compare = compare;
	if (running)
		ref_arm(r, r->now, count);
}

static void ref_write_cause(struct ref_timer *r, u32 value, u32 mask)
{
	u32 next = (r->cause & ~mask) | (value & mask);

	if (!((r->cause ^ next) & KTB_CAUSE_DC)) {
		r->cause = next;
		return;
	}
	if (next & KTB_CAUSE_DC) {
		/*
		 * Stop first, then write: with mask ~0 the written value
		 * decides TI even if stopping just raised it.
		 */
		if (ref_running(r))
			r->held = ref_stop(r);
		r->cause = (r->cause & ~mask) | (value & mask);
	} else {
		/* Write first, then restart from the held Count. */
		r->cause = next;
		ref_write_count(r, r->held);
	}
}

static int ref_set_count_ctl(struct ref_timer *r, s64 ctl)
{
	bool dc = ctl & KTB_COUNT_CTL_DC;
	u64 due_in;

	if (ctl & ~(s64)KTB_COUNT_CTL_DC)
		return -EINVAL;
	if (dc == r->master_dc)
		return 0;
	if (dc) {
		if (ref_running(r))
			r->held = ref_stop(r);
		r->master_dc = true;
		r->resume = r->now;
		return 0;
	}
	r->master_dc = false;
	if (r->cause & KTB_CAUSE_DC)
		return 0;
	/*
	 * One interrupt, however many matches were missed while stopped, and
	 * only if the first of them is not in the future.
	 */
	due_in = ref_ns(r, ref_ticks_until(r->compare, r->held));
	if (r->now >= r->resume + (s64)due_in)
		ref_raise(r);
	/* The bias is kept: Count jumps to where it would have been. */
	ref_arm(r, r->now, r->bias + ref_ticks(r, r->now));
	return 0;
}

static int ref_set_count_resume(struct ref_timer *r, s64 ns)
{
	if (ns < 0 || ns > r->now)
		return -EINVAL;
	r->resume = ns;
	return 0;
}

static int ref_set_count_hz(struct ref_timer *r, s64 hz)
{
	bool running = ref_running(r);
	u32 count;
	s64 at;

	if (hz <= 0 || hz > NSEC_PER_SEC)
		return -EINVAL;
	if (hz == r->hz)
		return 0;
	if (running) {
		at = r->now;
		count = ref_stop(r);
	} else {
		at = ref_count_time(r);
		count = r->held;
	}
	r->hz = hz;
	r->period = ref_period(hz);
	/* Count does not jump: only its slope changes. */
	r->bias = count - ref_ticks(r, at);
	if (running)
		ref_arm(r, at, count);
	return 0;
}

/* What the spec says a freshly reset timer looks like: Count 0, running. */
static void ref_reset(struct ref_timer *r, u32 hz, s64 now, u32 compare,
		      u32 cause, s64 resume)
{
	memset(r, 0, sizeof(*r));
	r->now = now;
	r->hz = hz;
	r->period = ref_period(hz);
	r->compare = compare;
	r->cause = cause;
	r->resume = resume;
	r->bias = 0 - ref_ticks(r, now);
	if (ref_running(r))
		ref_arm(r, now, 0);
}

/*
 * ---------------------------------------------------------------------------
 * The reference against values worked out by hand
 * ---------------------------------------------------------------------------
 */
static void mips_diff_reference_arithmetic(struct kunit *test)
{
	struct ref_timer r;

	/* 100 MHz: a tick is exactly 10 ns, a period 10 * 2^32 ns. */
	ref_reset(&r, 100000000, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, r.period, 42949672960ULL);
	KUNIT_EXPECT_EQ(test, ref_ticks(&r, NSEC_PER_SEC), 100000000U);
	KUNIT_EXPECT_EQ(test, ref_ticks(&r, 42949672960LL - 1), 0xffffffffU);
	KUNIT_EXPECT_EQ(test, ref_ticks(&r, 42949672960LL + 9), 0U);
	KUNIT_EXPECT_EQ(test, ref_ticks(&r, 42949672960LL + 10), 1U);
	KUNIT_EXPECT_EQ(test, ref_ns(&r, 1), 10ULL);

	/* 1 GHz: Count is the time modulo 2^32. */
	ref_reset(&r, NSEC_PER_SEC, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, r.period, 1ULL << 32);
	KUNIT_EXPECT_EQ(test, ref_ticks(&r, 100LL * NSEC_PER_SEC), 1215752192U);

	/*
	 * 999999937 Hz: the period (4294967566 ns) ends a little before
	 * 2^32 ticks, so Count skips 0xffffffff at each wrap.
	 */
	ref_reset(&r, 999999937, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, r.period, 4294967566ULL);
	KUNIT_EXPECT_EQ(test, ref_ticks(&r, 4294967566LL - 1), 4294967294U);
	KUNIT_EXPECT_EQ(test, ref_ticks(&r, 3 * 4294967566LL + 12345), 12344U);
	KUNIT_EXPECT_EQ(test, ref_ticks(&r, 1000000000000LL), 3567524463U);
	KUNIT_EXPECT_EQ(test, ref_ns(&r, 1), 1ULL);

	/* 3 Hz and 1 Hz: periods of decades, where 64 bits get tight. */
	ref_reset(&r, 3, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, r.period, 1431655765333333333ULL);
	KUNIT_EXPECT_EQ(test, ref_ns(&r, 1), 333333333ULL);
	KUNIT_EXPECT_EQ(test, ref_ns(&r, 1ULL << 32), 1431655765333333333ULL);
	KUNIT_EXPECT_EQ(test, ref_ticks(&r, 2 * 1431655765333333333LL +
				     5 * NSEC_PER_SEC), 15U);
	ref_reset(&r, 1, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, r.period, 4294967296000000000ULL);
	KUNIT_EXPECT_EQ(test, ref_ticks(&r, 4294967296000000000LL - 1),
			0xffffffffU);

	KUNIT_EXPECT_EQ(test, ref_ticks_until(5, 5), 1ULL << 32);
	KUNIT_EXPECT_EQ(test, ref_ticks_until(6, 5), 1ULL);
	KUNIT_EXPECT_EQ(test, ref_ticks_until(4, 5), 0xffffffffULL);
	KUNIT_EXPECT_EQ(test, ref_ticks_until(0, 0xffffffff), 1ULL);
}

/* Expiry, read-time delivery and the Compare write race, at 100 MHz. */
static void mips_diff_reference_expiry(struct kunit *test)
{
	const s64 t0 = 10LL * NSEC_PER_SEC;
	const s64 t1 = t0 + 30001 + 3 * 42949672960LL;
	struct ref_timer r;

	/* Reset at 10 s: ticks(10 s) = 1e9, so the bias is -1e9. */
	ref_reset(&r, 100000000, t0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, r.bias, 3294967296U);
	KUNIT_EXPECT_EQ(test, ref_peek(&r), 0U);
	KUNIT_EXPECT_TRUE(test, ref_running(&r));
	KUNIT_EXPECT_EQ(test, r.expiry, t0 + 42949672960LL);

	/* Compare 1000 = 1000 ticks = 10 us ahead. */
	ref_write_compare(&r, 1000, true);
	KUNIT_EXPECT_EQ(test, r.expiry, t0 + 10000);
	KUNIT_EXPECT_EQ(test, r.irqs, 0U);

	ref_advance(&r, t0 + 9999);
	KUNIT_EXPECT_EQ(test, ref_read_count(&r), 999U);
	KUNIT_EXPECT_EQ(test, r.irqs, 0U);
	ref_advance(&r, t0 + 10000);
	KUNIT_EXPECT_EQ(test, r.irqs, 1U);
	KUNIT_EXPECT_EQ(test, r.cause, DIFF_TI);
	KUNIT_EXPECT_EQ(test, r.expiry, t0 + 10000 + 42949672960LL);
	/* The same Compare with ack only withdraws the interrupt. */
	ref_write_compare(&r, 1000, true);
	KUNIT_EXPECT_EQ(test, r.cause, 0U);
	KUNIT_EXPECT_EQ(test, r.expiry, t0 + 10000 + 42949672960LL);

	/*
	 * Armed 5 ns into a tick, Count reaches Compare 5 ns before the
	 * expiry: a read in between delivers it and pushes the timer on.
	 */
	ref_advance(&r, t0 + 10005);
	KUNIT_EXPECT_EQ(test, ref_peek(&r), 1000U);
	ref_write_compare(&r, 1001, false);
	KUNIT_EXPECT_EQ(test, r.irqs, 1U);
	KUNIT_EXPECT_EQ(test, r.expiry, t0 + 10015);
	ref_advance(&r, t0 + 10010);
	KUNIT_EXPECT_EQ(test, r.irqs, 1U);
	KUNIT_EXPECT_EQ(test, ref_read_count(&r), 1001U);
	KUNIT_EXPECT_EQ(test, r.irqs, 2U);
	KUNIT_EXPECT_EQ(test, r.expiry, t0 + 10015 + 42949672960LL);
	ref_advance(&r, t0 + 10020);
	KUNIT_EXPECT_EQ(test, r.irqs, 2U);
	/* Reading again does not deliver the same match twice. */
	KUNIT_EXPECT_EQ(test, ref_read_count(&r), 1002U);
	KUNIT_EXPECT_EQ(test, r.irqs, 2U);

	/*
	 * A guest Compare write just after Count reached the old Compare
	 * but before its expiry: the stop delivers it, the ack withdraws it.
	 */
	ref_write_compare(&r, 2000, true);
	ref_advance(&r, t0 + 10027);
	ref_write_compare(&r, 1005, true);
	KUNIT_EXPECT_EQ(test, r.expiry, t0 + 10057);
	ref_advance(&r, t0 + 10050);
	KUNIT_EXPECT_EQ(test, ref_peek(&r), 1005U);
	ref_write_compare(&r, 2000, true);
	KUNIT_EXPECT_EQ(test, r.irqs, 3U);
	KUNIT_EXPECT_EQ(test, r.cause, 0U);
	KUNIT_EXPECT_EQ(test, r.expiry, t0 + 20000);
	/* Without ack (ONE_REG) the same race leaves TI set. */
	ref_advance(&r, t0 + 10053);
	ref_write_compare(&r, 1010, false);
	KUNIT_EXPECT_EQ(test, r.expiry, t0 + 10103);
	ref_advance(&r, t0 + 10101);
	KUNIT_EXPECT_EQ(test, ref_peek(&r), 1010U);
	ref_write_compare(&r, 3000, false);
	KUNIT_EXPECT_EQ(test, r.irqs, 4U);
	KUNIT_EXPECT_EQ(test, r.cause, DIFF_TI);
	KUNIT_EXPECT_EQ(test, r.expiry, t0 + 30001);

	/* Many periods at once: one interrupt per period. */
	ref_advance(&r, t1);
	KUNIT_EXPECT_EQ(test, r.irqs, 8U);
	KUNIT_EXPECT_EQ(test, r.expiry, t1 + 42949672960LL);
	KUNIT_EXPECT_EQ(test, ref_peek(&r), 3000U);

	/*
	 * A ONE_REG Cause write that sets DC stops the timer first, which
	 * delivers the due match, and then writes its own TI (clear).
	 */
	ref_write_compare(&r, 3001, true);
	KUNIT_EXPECT_EQ(test, r.cause, 0U);
	KUNIT_EXPECT_EQ(test, r.expiry, t1 + 10);
	ref_advance(&r, t1 + 9);
	KUNIT_EXPECT_EQ(test, ref_peek(&r), 3001U);
	ref_write_cause(&r, KTB_CAUSE_DC, ~0U);
	KUNIT_EXPECT_EQ(test, r.irqs, 9U);
	KUNIT_EXPECT_EQ(test, r.cause, KTB_CAUSE_DC);
	KUNIT_EXPECT_EQ(test, r.held, 3001U);
	/* Restarting from the held Count, no time lost. */
	ref_write_cause(&r, 0, KTB_CAUSE_GUEST_WRITABLE);
	KUNIT_EXPECT_EQ(test, r.bias, 3294967296U);
	KUNIT_EXPECT_EQ(test, r.expiry, t1 + 9 + 42949672960LL);
	/* A guest write cannot touch TI, so the delivered match stays. */
	ref_advance(&r, t1 + 12);
	ref_write_compare(&r, 3002, true);
	KUNIT_EXPECT_EQ(test, r.expiry, t1 + 22);
	ref_advance(&r, t1 + 20);
	KUNIT_EXPECT_EQ(test, ref_peek(&r), 3002U);
	ref_write_cause(&r, KTB_CAUSE_DC, KTB_CAUSE_GUEST_WRITABLE);
	KUNIT_EXPECT_EQ(test, r.irqs, 10U);
	KUNIT_EXPECT_EQ(test, r.cause, DIFF_TI | KTB_CAUSE_DC);
}

/* COUNT_CTL, COUNT_RESUME, COUNT_HZ and Cause.DC, at 1 GHz then 100 MHz. */
static void mips_diff_reference_master(struct kunit *test)
{
	const s64 t0 = 100LL * NSEC_PER_SEC;
	struct ref_timer r;

	ref_reset(&r, NSEC_PER_SEC, t0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, ref_peek(&r), 0U);
	ref_write_compare(&r, 1000, true);
	KUNIT_EXPECT_EQ(test, r.expiry, t0 + 1000);

	/* Master disable at Count 500, re-enable 2 us later. */
	ref_advance(&r, t0 + 500);
	KUNIT_EXPECT_EQ(test, ref_set_count_ctl(&r, 1), 0);
	KUNIT_EXPECT_EQ(test, r.held, 500U);
	KUNIT_EXPECT_EQ(test, r.resume, t0 + 500);
	KUNIT_EXPECT_FALSE(test, ref_running(&r));
	ref_advance(&r, t0 + 2500);
	KUNIT_EXPECT_EQ(test, r.irqs, 0U);
	KUNIT_EXPECT_EQ(test, ref_read_count(&r), 500U);
	/* Setting it again does not move COUNT_RESUME. */
	KUNIT_EXPECT_EQ(test, ref_set_count_ctl(&r, 1), 0);
	KUNIT_EXPECT_EQ(test, r.resume, t0 + 500);
	/* The match at t0 + 1000 was missed: exactly one interrupt. */
	KUNIT_EXPECT_EQ(test, ref_set_count_ctl(&r, 0), 0);
	KUNIT_EXPECT_EQ(test, r.irqs, 1U);
	KUNIT_EXPECT_EQ(test, ref_peek(&r), 2500U);
	KUNIT_EXPECT_EQ(test, r.expiry, t0 + 2500 + (1LL << 32) - 1500);

	/* Re-enabling exactly at the missed match delivers; 1 ns early not. */
	ref_advance(&r, t0 + 3000);
	ref_write_compare(&r, 4000, true);
	KUNIT_EXPECT_EQ(test, ref_set_count_ctl(&r, 1), 0);
	ref_advance(&r, t0 + 3999);
	KUNIT_EXPECT_EQ(test, ref_set_count_ctl(&r, 0), 0);
	KUNIT_EXPECT_EQ(test, r.irqs, 1U);
	KUNIT_EXPECT_EQ(test, r.expiry, t0 + 4000);
	KUNIT_EXPECT_EQ(test, ref_set_count_ctl(&r, 1), 0);
	ref_advance(&r, t0 + 4000);
	KUNIT_EXPECT_EQ(test, ref_set_count_ctl(&r, 0), 0);
	KUNIT_EXPECT_EQ(test, r.irqs, 2U);

	/* COUNT_RESUME moved back, then Count written while stopped. */
	KUNIT_EXPECT_EQ(test, ref_set_count_ctl(&r, 1), 0);
	KUNIT_EXPECT_EQ(test, ref_set_count_resume(&r, t0 + 4001), -EINVAL);
	KUNIT_EXPECT_EQ(test, ref_set_count_resume(&r, -1), -EINVAL);
	KUNIT_EXPECT_EQ(test, r.resume, t0 + 4000);
	KUNIT_EXPECT_EQ(test, ref_set_count_resume(&r, t0), 0);
	ref_write_count(&r, 7);
	KUNIT_EXPECT_EQ(test, ref_peek(&r), 7U);
	KUNIT_EXPECT_EQ(test, r.bias, 7U - 1215752192U);
	ref_advance(&r, t0 + 5000);
	/* Count 7 at t0, Compare 4000: due at t0 + 3993, so deliver. */
	KUNIT_EXPECT_EQ(test, ref_set_count_ctl(&r, 0), 0);
	KUNIT_EXPECT_EQ(test, r.irqs, 3U);
	KUNIT_EXPECT_EQ(test, ref_peek(&r), 5007U);

	KUNIT_EXPECT_EQ(test, ref_set_count_ctl(&r, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, ref_set_count_ctl(&r, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, ref_set_count_ctl(&r, -1), -EINVAL);
	KUNIT_EXPECT_EQ(test, ref_set_count_ctl(&r, 1LL << 32), -EINVAL);
	KUNIT_EXPECT_FALSE(test, r.master_dc);

	/* 1 GHz -> 100 MHz at t0 + 5000: Count stays 5007. */
	KUNIT_EXPECT_EQ(test, ref_set_count_hz(&r, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ref_set_count_hz(&r, -100000000), -EINVAL);
	KUNIT_EXPECT_EQ(test, ref_set_count_hz(&r, NSEC_PER_SEC + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, ref_set_count_hz(&r, (1LL << 32) + 100000000),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, r.hz, 1000000000U);
	KUNIT_EXPECT_EQ(test, ref_set_count_hz(&r, 100000000), 0);
	KUNIT_EXPECT_EQ(test, r.irqs, 3U);
	KUNIT_EXPECT_EQ(test, ref_peek(&r), 5007U);
	/* ticks(t0 + 5000) at 100 MHz = (t0 + 5000 - 2 periods) / 10. */
	KUNIT_EXPECT_EQ(test, r.bias, 5007U - 1410065908U);
	KUNIT_EXPECT_EQ(test, r.expiry,
			t0 + 5000 + 10 * ((1LL << 32) - 1007));
	ref_advance(&r, t0 + 5000 + NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, ref_peek(&r), 100005007U);

	/*
	 * Cause.DC: time stands still while it is set. A ONE_REG write
	 * that sets DC writes TI from its value after the stop.
	 */
	ref_write_cause(&r, KTB_CAUSE_DC, KTB_CAUSE_GUEST_WRITABLE);
	KUNIT_EXPECT_FALSE(test, ref_running(&r));
	KUNIT_EXPECT_EQ(test, r.held, 100005007U);
	ref_advance(&r, t0 + 5000 + 6 * NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, r.irqs, 3U);
	ref_write_cause(&r, 0, KTB_CAUSE_GUEST_WRITABLE);
	KUNIT_EXPECT_EQ(test, ref_peek(&r), 100005007U);
	KUNIT_EXPECT_EQ(test, r.expiry, t0 + 5000 + 6 * NSEC_PER_SEC +
			10 * ((1LL << 32) - 100001007));
	ref_write_cause(&r, DIFF_TI, ~0U);
	KUNIT_EXPECT_EQ(test, r.irqs, 3U);
	ref_write_cause(&r, KTB_CAUSE_DC, ~0U);
	KUNIT_EXPECT_EQ(test, r.cause, KTB_CAUSE_DC);
	/* COUNT_CTL.DC on top of Cause.DC only records the time. */
	ref_advance(&r, t0 + 7 * NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, ref_set_count_ctl(&r, 1), 0);
	KUNIT_EXPECT_EQ(test, r.resume, t0 + 7 * NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, ref_set_count_ctl(&r, 0), 0);
	KUNIT_EXPECT_FALSE(test, ref_running(&r));
	KUNIT_EXPECT_EQ(test, r.irqs, 3U);
	KUNIT_EXPECT_EQ(test, ref_peek(&r), 100005007U);
}

/*
 * ---------------------------------------------------------------------------
 * Lockstep driver
 * ---------------------------------------------------------------------------
 */
struct diff_case {
	const char *name;
	u64 seed;
	u32 hz;
	s64 start;
};

struct diff_run {
	struct kunit *test;
	const struct diff_case *c;
	struct ktb_fake fake;
	struct ref_timer ref;
	u64 seed;
	u64 rng;
	unsigned long step;
	s64 max_step;
	bool failed;
	bool probe;
	char op[96];
	char history[DIFF_HISTORY][128];
};

/* splitmix64: tiny, good enough, and the same on every architecture. */
static u64 diff_rand(struct diff_run *run)
{
	u64 z = (run->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Roughly uniform in [0, n); 0 when n is 0. */
static u64 diff_below(struct diff_run *run, u64 n)
{
	u64 rem;

	if (!n)
		return 0;
	div64_u64_rem(diff_rand(run), n, &rem);
	return rem;
}

static __printf(2, 3) void diff_op(struct diff_run *run, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(run->op, sizeof(run->op), fmt, args);
	va_end(args);
	snprintf(run->history[run->step % DIFF_HISTORY],
		 sizeof(run->history[0]), "step %lu at %lld ns: %s",
		 run->step, run->ref.now, run->op);
}

/* What led to a divergence, and both sides' state after it. */
static void diff_dump_history(struct diff_run *run)
{
	const struct ref_timer *r = &run->ref;
	struct ktb_fake *f = &run->fake;
	unsigned long first = run->step >= DIFF_HISTORY ?
			      run->step - DIFF_HISTORY + 1 : 0;
	unsigned long i;

	kunit_info(run->test, "last operations (seed %#llx, %u Hz at start):\n",
		   run->seed, run->c->hz);
	for (i = first; i <= run->step; i++)
		kunit_info(run->test, "  %s\n", run->history[i % DIFF_HISTORY]);
	kunit_info(run->test,
		   "reference: Count %#x Compare %#x Cause %#x COUNT_CTL %u resume %lld hz %u expiry %lld irqs %u\n",
		   ref_peek(r), r->compare, r->cause, r->master_dc, r->resume,
		   r->hz, ref_running(r) ? r->expiry : -1LL, r->irqs);
	kunit_info(run->test,
		   "core:      Count %#x Compare %#x Cause %#x COUNT_CTL %u resume %lld hz %u expiry %lld irqs %u\n",
		   ktb_fake_peek_count(f), ktb_mips_read_compare(&f->t),
		   f->cause, f->t.count_ctl,
		   ktb_mips_get_count_resume(&f->t), f->t.count_hz,
		   f->armed ? f->expiry : -1LL, f->irqs);
}

/* Report the first divergence of a run; later ones are consequences. */
static bool diff_differs(struct diff_run *run, const char *what, u64 core,
			 u64 ref)
{
	if (core == ref)
		return false;
	if (!run->failed) {
		KUNIT_FAIL(run->test,
			   "seed %#llx step %lu, %s: %s is %lld (%#llx), reference %lld (%#llx)",
			   run->seed, run->step, run->op, what, (s64)core, core,
			   (s64)ref, ref);
		diff_dump_history(run);
		run->failed = true;
	}
	return true;
}

/* Everything observable after an operation. */
static void diff_check(struct diff_run *run)
{
	struct ktb_fake *f = &run->fake;
	struct ref_timer *r = &run->ref;
	bool running = ref_running(r);

	if (diff_differs(run, "fake time", f->now, r->now) ||
	    diff_differs(run, "raised interrupts", f->irqs, r->irqs) ||
	    diff_differs(run, "Cause.TI", !!(f->cause & KTB_CAUSE_TI),
			 !!(r->cause & KTB_CAUSE_TI)) ||
	    diff_differs(run, "Cause", f->cause, r->cause) ||
	    diff_differs(run, "Count", ktb_fake_peek_count(f), ref_peek(r)) ||
	    diff_differs(run, "Compare", ktb_mips_read_compare(&f->t),
			 r->compare) ||
	    diff_differs(run, "COUNT_CTL", f->t.count_ctl, r->master_dc) ||
	    diff_differs(run, "COUNT_RESUME",
			 ktb_mips_get_count_resume(&f->t), r->resume) ||
	    diff_differs(run, "COUNT_HZ", f->t.count_hz, r->hz) ||
	    diff_differs(run, "stopped", ktb_mips_timer_stopped(&f->t),
			 !running) ||
	    diff_differs(run, "expiry timer armed", f->armed, running))
		return;
	if (running)
		diff_differs(run, "expiry time", f->expiry, r->expiry);
}

/*
 * Only expiries raise the interrupt while time passes, so the reference's
 * raises during the step are its expiries. Each must have run the core's
 * callback (exactly) and woken the vCPU (at least once: the spec does not
 * say whether other deliveries wake it too, so no exact count of wakes).
 */
static void diff_advance_to(struct diff_run *run, s64 to)
{
	struct ktb_fake *f = &run->fake;
	unsigned int fires = f->fires, wakes = f->wakes;
	unsigned int expiries = run->ref.irqs;
	s64 now = run->ref.now;

	to = clamp(to, now, DIFF_TIME_CAP);
	diff_op(run, "advance %lld ns to %lld", to - now, to);
	ktb_fake_set_time(f, to);
	ref_advance(&run->ref, to);
	expiries = run->ref.irqs - expiries;
	if (diff_differs(run, "expiry callbacks", f->fires - fires, expiries))
		return;
	if (f->wakes - wakes < expiries)
		diff_differs(run, "wake-ups", f->wakes - wakes, expiries);
}

/*
 * Move time on without running the expiry callback, as when the host runs
 * the hrtimer late: the next operation meets a timer that is overdue but
 * has not fired, and the read-time delivery rule has to make up for it
 * without delivering twice. The callback runs at the next ordinary step.
 * The reference needs nothing special: it fires expiries only when asked
 * to advance, and its delivery rule already covers an overdue expiry.
 */
static void diff_advance_late(struct diff_run *run, s64 to)
{
	diff_op(run, "advance %lld ns to %lld, expiry callback held back",
		to - run->ref.now, to);
	run->fake.now = to;
	run->ref.now = to;
}

static void diff_read_count(struct diff_run *run)
{
	u32 got, want;

	diff_op(run, "guest read Count");
	got = ktb_mips_read_count(&run->fake.t);
	want = ref_read_count(&run->ref);
	diff_differs(run, "value read", got, want);
}

static void diff_write_count(struct diff_run *run, u32 count)
{
	diff_op(run, "write Count %#x", count);
	ktb_mips_write_count(&run->fake.t, count);
	ref_write_count(&run->ref, count);
}

static void diff_write_compare(struct diff_run *run, u32 compare, bool ack)
{
	diff_op(run, "%s Compare %#x", ack ? "guest write (ack)" :
		"ONE_REG write (no ack)", compare);
	ktb_mips_write_compare(&run->fake.t, compare, ack);
	ref_write_compare(&run->ref, compare, ack);
}

static void diff_write_cause(struct diff_run *run, u32 value, u32 mask)
{
	diff_op(run, "%s Cause %#x (was %#x)",
		mask == KTB_CAUSE_GUEST_WRITABLE ? "guest write" :
		"ONE_REG write", value, run->ref.cause);
	ktb_mips_write_cause(&run->fake.t, value, mask);
	ref_write_cause(&run->ref, value, mask);
}

static void diff_set_count_ctl(struct diff_run *run, s64 ctl)
{
	int got, want;

	diff_op(run, "set COUNT_CTL %#llx", ctl);
	got = ktb_mips_set_count_ctl(&run->fake.t, ctl);
	want = ref_set_count_ctl(&run->ref, ctl);
	diff_differs(run, "return value", got, want);
}

static void diff_set_count_resume(struct diff_run *run, s64 ns)
{
	int got, want;

	diff_op(run, "set COUNT_RESUME %lld", ns);
	got = ktb_mips_set_count_resume(&run->fake.t, ns);
	want = ref_set_count_resume(&run->ref, ns);
	diff_differs(run, "return value", got, want);
}

static void diff_set_count_hz(struct diff_run *run, s64 hz)
{
	int got, want;

	diff_op(run, "set COUNT_HZ %lld", hz);
	got = ktb_mips_set_count_hz(&run->fake.t, hz);
	want = ref_set_count_hz(&run->ref, hz);
	diff_differs(run, "return value", got, want);
}

/*
 * ---------------------------------------------------------------------------
 * Choosing operations
 *
 * Uniformly random values would almost never land where the rules are
 * delicate, so most choices aim at them: times just around the pending
 * expiry (where Count can already equal Compare because the expiry is
 * rounded down to whole nanoseconds while Count is rounded down to whole
 * ticks), around the match missed while master-disabled, Compare a few
 * ticks ahead or just behind Count, DC toggles, and every kind of invalid
 * value.
 * ---------------------------------------------------------------------------
 */

/*
 * How far one step may move time: the whole run then stays below
 * DIFF_TIME_CAP. At 1 GHz or 100 MHz this never binds; at 3 Hz or 1 Hz a
 * Count period is decades, so a run there only ever sees part of one.
 */
static s64 diff_reach(struct diff_run *run)
{
	return min(run->max_step, DIFF_TIME_CAP - run->ref.now);
}

/*
 * Move time to just before or onto the next event, and have the next
 * operation probe it. While running, that is the pending expiry: mostly
 * the tick before it, where Count can already have reached Compare. While
 * only the master disable stops the timer, it is the first match a
 * re-enable would have to deliver.
 */
static void diff_pick_event(struct diff_run *run)
{
	struct ref_timer *r = &run->ref;
	u64 tick_ns = ref_ns(r, 1) + 1;
	s64 now = r->now, target;
	bool late = false;

	if (ref_running(r)) {
		switch (diff_below(run, 8)) {
		case 0:
			/* A few ticks past it, the callback not run yet. */
			late = true;
			target = r->expiry + diff_below(run, 4 * tick_ns);
			break;
		case 1:
			/* Further past, up to beyond a whole period. */
			late = true;
			target = r->expiry +
				 diff_below(run, r->period + (r->period >> 1));
			break;
		case 2:
		case 3:
			target = r->expiry + 1 -
				 diff_below(run, 2 * tick_ns + 3);
			break;
		default:
			target = r->expiry - 1 - diff_below(run, tick_ns);
			break;
		}
	} else if (r->master_dc && !(r->cause & KTB_CAUSE_DC)) {
		target = r->resume + 1 - diff_below(run, 3) +
			 ref_ns(r, ref_ticks_until(r->compare, r->held));
	} else {
		target = now + diff_below(run, 2 * tick_ns);
	}

	if (target - now > diff_reach(run) && ref_running(r)) {
		/* Out of reach: bring Compare close so a later step gets it. */
		diff_write_compare(run, ref_peek(r) + 1 + diff_below(run, 64),
				   diff_below(run, 2));
		return;
	}
	if (target < now || target - now > diff_reach(run)) {
		target = now + diff_below(run, tick_ns);
	} else {
		run->probe = true;
		if (late) {
			diff_advance_late(run, target);
			return;
		}
	}
	diff_advance_to(run, target);
}

static void diff_pick_advance(struct diff_run *run, unsigned int kind)
{
	struct ref_timer *r = &run->ref;
	u64 tick_ns = ref_ns(r, 1) + 1;
	s64 now = r->now, reach = diff_reach(run), target;

	switch (kind) {
	case 0:		/* a few ns or a few ticks */
		if (diff_below(run, 2))
			target = now + diff_below(run, 1000);
		else
			target = now + diff_below(run, 4 * tick_ns);
		break;
	case 1:		/* up to half a period */
		target = now + diff_below(run, min_t(u64, r->period / 2,
						     reach));
		break;
	default:	/* across several Count wraps and matches */
		if (r->period > div_u64(reach, 6))
			target = now + diff_below(run, reach);
		else
			target = now + diff_below(run, 6) * r->period +
				 diff_below(run, r->period);
		break;
	}
	diff_advance_to(run, target);
}

static u32 diff_pick_count_value(struct diff_run *run)
{
	struct ref_timer *r = &run->ref;

	switch (diff_below(run, 6)) {
	case 0:
		return diff_rand(run);
	case 1:
		return r->compare - diff_below(run, 2000);
	case 2:
		return r->compare;
	case 3:
		return r->compare - 1;
	case 4:
		return ref_peek(r);
	default:
		return ref_peek(r) + diff_below(run, 1000);
	}
}

static u32 diff_pick_compare_value(struct diff_run *run)
{
	struct ref_timer *r = &run->ref;
	u32 count = ref_peek(r);

	switch (diff_below(run, 8)) {
	case 0:
		return count + 1 + diff_below(run, 64);
	case 1:
		return count + diff_below(run, 1 << 20);
	case 2:
		return count - diff_below(run, 64);
	case 3:
		return count;
	case 4:
		return count + 1;
	case 5:
		return r->compare;
	case 6:
		return r->compare + 1;
	default:
		return diff_rand(run);
	}
}

/*
 * The DC bit to write next. Setting DC is less likely than clearing it, so
 * that the timer, stopped by either of two bits, still runs about half of
 * the time: the rules about expiries and delivery only apply then.
 */
static bool diff_pick_dc(struct diff_run *run, bool dc)
{
	return dc ? diff_below(run, 100) < 15 : diff_below(run, 100) < 40;
}

static void diff_pick_guest_cause(struct diff_run *run)
{
	u32 cause = run->ref.cause;
	u32 value = diff_rand(run) & ~KTB_CAUSE_DC;

	if (diff_pick_dc(run, cause & KTB_CAUSE_DC))
		value |= KTB_CAUSE_DC;
	diff_write_cause(run, value, KTB_CAUSE_GUEST_WRITABLE);
}

static void diff_pick_onereg_cause(struct diff_run *run)
{
	u32 value = run->ref.cause & ~KTB_CAUSE_DC;

	if (diff_pick_dc(run, run->ref.cause & KTB_CAUSE_DC))
		value |= KTB_CAUSE_DC;
	if (!diff_below(run, 6))
		value ^= DIFF_TI;
	if (!diff_below(run, 20))
		value ^= KTB_CAUSE_TI;
	if (!diff_below(run, 20))
		value ^= KTB_CAUSE_IP7;
	if (!diff_below(run, 3))
		value ^= (u32)diff_rand(run) & ~(DIFF_TI | KTB_CAUSE_DC);
	diff_write_cause(run, value, ~0U);
}

static void diff_pick_count_ctl(struct diff_run *run)
{
	static const s64 invalid[] = {
		2, 3, -1, -2, 0x80, 1LL << 32, (1LL << 32) | 1, S64_MIN,
		S64_MAX,
	};
	s64 ctl;

	if (diff_below(run, 10) < 7) {
		ctl = diff_pick_dc(run, run->ref.master_dc);
	} else if (diff_below(run, 2)) {
		ctl = invalid[diff_below(run, ARRAY_SIZE(invalid))];
	} else {
		/* Some reserved bit, with or without DC. */
		ctl = (1LL << (1 + diff_below(run, 62))) | diff_below(run, 2);
	}
	diff_set_count_ctl(run, ctl);
}

static void diff_pick_count_resume(struct diff_run *run)
{
	s64 now = run->ref.now, ns;

	switch (diff_below(run, 10)) {
	case 0:
		ns = now;
		break;
	case 1:
		ns = now - min_t(s64, diff_below(run, 1000000), now);
		break;
	case 2:
		ns = diff_below(run, now + 1);
		break;
	case 3:
		ns = 0;
		break;
	case 4:
		/* Back by a whole number of periods and a bit. */
		ns = now - min_t(u64, diff_below(run, 4) * run->ref.period +
				 diff_below(run, 1000), now);
		break;
	case 5:
		ns = -1;
		break;
	case 6:
		ns = -1 - (s64)diff_below(run, S64_MAX);
		break;
	case 7:
		ns = now + 1;
		break;
	case 8:
		ns = now + 1 + diff_below(run, 1ULL << 40);
		break;
	default:
		ns = S64_MAX;
		break;
	}
	diff_set_count_resume(run, ns);
}

static void diff_pick_count_hz(struct diff_run *run)
{
	static const s64 valid[] = {
		1, 3, 100000000, 999999937, 1000000000,
	};
	static const s64 invalid[] = {
		0, -1, -100000000, 1000000001, S64_MAX, S64_MIN,
		U32_MAX, 1LL << 32, (1LL << 32) + 100000000,
	};
	s64 hz;

	switch (diff_below(run, 8)) {
	case 0:
	case 1:
		/* Mostly come back to the case's own rate. */
		hz = run->c->hz;
		break;
	case 2:
	case 3:
		hz = valid[diff_below(run, ARRAY_SIZE(valid))];
		break;
	case 4:
		hz = run->ref.hz;
		break;
	case 5:
		hz = 1 + diff_below(run, NSEC_PER_SEC);
		break;
	default:
		hz = invalid[diff_below(run, ARRAY_SIZE(invalid))];
		break;
	}
	diff_set_count_hz(run, hz);
}

/*
 * Right after time was moved to just before an event: the operations whose
 * outcome depends on whether that event is already due.
 */
static void diff_probe_op(struct diff_run *run)
{
	struct ref_timer *r = &run->ref;
	unsigned int roll = diff_below(run, 100);

	if (r->master_dc && roll < 50)
		diff_set_count_ctl(run, 0);
	else if (roll < 40)
		diff_read_count(run);
	else if (roll < 55)
		diff_write_compare(run, diff_pick_compare_value(run), true);
	else if (roll < 65)
		diff_write_compare(run, diff_pick_compare_value(run), false);
	else if (roll < 72)
		diff_write_cause(run, r->cause | KTB_CAUSE_DC,
				 KTB_CAUSE_GUEST_WRITABLE);
	else if (roll < 79)
		diff_pick_onereg_cause(run);
	else if (roll < 86)
		diff_set_count_ctl(run, KTB_COUNT_CTL_DC);
	else if (roll < 93)
		diff_pick_count_hz(run);
	else
		diff_write_count(run, diff_pick_count_value(run));
}

static void diff_random_op(struct diff_run *run)
{
	unsigned int roll;

	if (run->probe) {
		run->probe = false;
		diff_probe_op(run);
		return;
	}
	roll = diff_below(run, 100);
	if (roll < 10)
		diff_pick_advance(run, 0);
	else if (roll < 24)
		diff_pick_event(run);
	else if (roll < 29)
		diff_pick_advance(run, 1);
	else if (roll < 33)
		diff_pick_advance(run, 2);
	else if (roll < 49)
		diff_read_count(run);
	else if (roll < 55)
		diff_write_count(run, diff_pick_count_value(run));
	else if (roll < 65)
		diff_write_compare(run, diff_pick_compare_value(run), true);
	else if (roll < 71)
		diff_write_compare(run, diff_pick_compare_value(run), false);
	else if (roll < 78)
		diff_pick_guest_cause(run);
	else if (roll < 84)
		diff_pick_onereg_cause(run);
	else if (roll < 91)
		diff_pick_count_ctl(run);
	else if (roll < 95)
		diff_pick_count_resume(run);
	else
		diff_pick_count_hz(run);
}

/*
 * Fake time starts soon after boot, at typical uptimes, and just before the
 * first Count period boundaries of the case's rate (where the dynamic bias
 * first moves). At 1 Hz the first boundary is beyond DIFF_TIME_CAP.
 */
static const struct diff_case diff_cases[] = {
	{ "100MHz_boot_2s", 0x7c72e9932b7b6a1eULL, 100000000,
	  2 * NSEC_PER_SEC + 3 },
	{ "100MHz_3h", 0x243f6a8885a308d3ULL, 100000000, 3 * DIFF_HOUR },
	{ "100MHz_before_period_1", 0x13198a2e03707344ULL, 100000000,
	  DIFF_PERIOD(100000000) - 2000 },
	{ "100MHz_before_period_3", 0xa4093822299f31d0ULL, 100000000,
	  3 * DIFF_PERIOD(100000000) - 7 },
	{ "100MHz_9days", 0x082efa98ec4e6c89ULL, 100000000,
	  9 * 24 * DIFF_HOUR + 123456789 },
	{ "1GHz_2days", 0x452821e638d01377ULL, 1000000000,
	  48 * DIFF_HOUR },
	{ "1GHz_before_period_2", 0xbe5466cf34e90c6cULL, 1000000000,
	  2 * DIFF_PERIOD(1000000000) - 1 },
	{ "999999937Hz_5h", 0xc0ac29b7c97c50ddULL, 999999937,
	  5 * DIFF_HOUR + 999 },
	{ "999999937Hz_at_period_1", 0x3f84d5b5b5470917ULL, 999999937,
	  DIFF_PERIOD(999999937) },
	{ "3Hz_1day", 0x9216d5d98979fb1bULL, 3, 24 * DIFF_HOUR },
	{ "3Hz_before_period_2", 0xd1310ba698dfb5acULL, 3,
	  2 * DIFF_PERIOD(3) - 500000000 },
	{ "1Hz_6h", 0x2ffd72dbd01adfb7ULL, 1, 6 * DIFF_HOUR },
	{ "1Hz_40days", 0xb8e1afed6a267e96ULL, 1, 960 * DIFF_HOUR + 1 },
};

static void diff_case_desc(const struct diff_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(diff, diff_cases, diff_case_desc);

static void diff_start(struct diff_run *run, struct kunit *test,
		       const struct diff_case *c, unsigned int ops)
{
	struct ktb_fake *f = &run->fake;

	run->test = test;
	run->c = c;
	run->seed = c->seed ^ mips_diff_seed;
	run->rng = run->seed;
	run->max_step = max_t(s64, div_u64(DIFF_TIME_CAP - c->start, ops),
			      1000LL * NSEC_PER_SEC);
	ktb_fake_init(f, c->start, c->hz);
	/*
	 * The spec pins Count (0) and a running timer after reset but not
	 * Compare, Cause or COUNT_RESUME: take those from the core.
	 */
	ref_reset(&run->ref, c->hz, c->start, ktb_mips_read_compare(&f->t),
		  f->cause, ktb_mips_get_count_resume(&f->t));
	diff_op(run, "reset at %lld ns, %u Hz", c->start, c->hz);
	diff_check(run);
}

static void mips_diff_random(struct kunit *test)
{
	const struct diff_case *c = test->param_value;
	unsigned int ops = mips_diff_ops ? mips_diff_ops : DIFF_DEFAULT_OPS;
	struct diff_run *run;

	run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, run);
	diff_start(run, test, c, ops);
	for (run->step = 1; run->step <= ops && !run->failed; run->step++) {
		diff_random_op(run);
		diff_check(run);
		/* A soak runs for a while: let the rest of UML breathe. */
		if (!(run->step & 4095))
			cond_resched();
	}
	ktb_mips_timer_release(&run->fake.t);
}

static struct kunit_case mips_diff_cases[] = {
	KUNIT_CASE(mips_diff_reference_arithmetic),
	KUNIT_CASE(mips_diff_reference_expiry),
	KUNIT_CASE(mips_diff_reference_master),
	KUNIT_CASE_PARAM(mips_diff_random, diff_gen_params),
	{}
};

/* Registered with the other suites of the module in suites.c. */
struct kunit_suite ktb_mips_diff_suite = {
	.name = "kvm_timer_backport_mips_diff",
	.test_cases = mips_diff_cases,
};
