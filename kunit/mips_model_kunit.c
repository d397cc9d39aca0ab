// SPDX-License-Identifier: GPL-2.0
/*
 * The reference model of mips_model.c against values worked out by hand,
 * so that the differential test (mips_diff_kunit.c) does not trust it
 * blindly.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/time64.h>

#include "mips_model.h"
#include "suites.h"

/* Tick arithmetic at rates whose values can be worked out by hand. */
static void model_tick_arithmetic_is_exact(struct kunit *test)
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
static void model_delivers_interrupts_as_worked_by_hand(struct kunit *test)
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
	KUNIT_EXPECT_EQ(test, r.cause, REF_TI);
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
	KUNIT_EXPECT_EQ(test, r.cause, REF_TI);
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
	KUNIT_EXPECT_EQ(test, r.cause, REF_TI | KTB_CAUSE_DC);
}

/* COUNT_CTL, COUNT_RESUME, COUNT_HZ and Cause.DC, at 1 GHz then 100 MHz. */
static void model_stops_and_rescales_as_worked_by_hand(struct kunit *test)
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
	ref_write_cause(&r, REF_TI, ~0U);
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

static struct kunit_case ktb_mips_model_cases[] = {
	KUNIT_CASE(model_tick_arithmetic_is_exact),
	KUNIT_CASE(model_delivers_interrupts_as_worked_by_hand),
	KUNIT_CASE(model_stops_and_rescales_as_worked_by_hand),
	{}
};

struct kunit_suite ktb_mips_model_suite = {
	.name = "kvm_timer_backport_mips_model",
	.test_cases = ktb_mips_model_cases,
};
