// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the MIPS master disable (COUNT_CTL), COUNT_RESUME and
 * COUNT_HZ, on a fake clock.
 */
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/math64.h>

#include "fake.h"
#include "ref.h"
#include "suites.h"

#define START		(3600 * NSEC_PER_SEC)

/* Two fakes started together: one is stopped and restarted, one is not. */
static void twins(struct kunit *test, struct ktb_fake **a, struct ktb_fake **b)
{
	*a = ktb_fake_new(test, START, MHZ100);
	*b = ktb_fake_new(test, START, MHZ100);
}

/* Count after re-enable is what it would have been had it never stopped. */
static void reenable_count_as_if_never_stopped(struct kunit *test)
{
	static const s64 pauses[] = { 1, 999, 1000, 12345678, 3 * NSEC_PER_SEC,
				      50 * NSEC_PER_SEC };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pauses); i++) {
		struct ktb_fake *f, *ref;

		twins(test, &f, &ref);
		f->t.compare = 0x7fffffffu;
		ref->t.compare = 0x7fffffffu;
		ktb_fake_advance(f, 777);
		ktb_fake_advance(ref, 777);
		KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, 1), 0);
		ktb_fake_advance(f, pauses[i]);
		ktb_fake_advance(ref, pauses[i]);
		KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, 0), 0);
		KUNIT_EXPECT_EQ_MSG(test, ktb_mips_read_count(&f->t),
				    ktb_mips_read_count(&ref->t),
				    "pause %lld ns", pauses[i]);
		ktb_fake_advance(f, 5555);
		ktb_fake_advance(ref, 5555);
		KUNIT_EXPECT_EQ(test, ktb_mips_read_count(&f->t),
				ktb_mips_read_count(&ref->t));
	}
}

/* While disabled, Count reads and COUNT_RESUME give the disable instant. */
static void disabled_count_is_frozen(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);

	ktb_fake_advance(f, 10000);
	KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, 1), 0);
	KUNIT_EXPECT_EQ(test, ktb_mips_get_count_resume(&f->t), START + 10000);
	KUNIT_EXPECT_TRUE(test, ktb_mips_timer_stopped(&f->t));
	KUNIT_EXPECT_FALSE(test, f->armed);
	ktb_fake_advance(f, NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, ktb_mips_read_count(&f->t), 1000u);
	KUNIT_EXPECT_EQ(test, f->t.count_ctl, 1u);
}

/* Setting DC again does not move the recorded instant. */
static void disable_twice_keeps_resume(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);

	KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, 1), 0);
	ktb_fake_advance(f, 5000);
	KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, 1), 0);
	KUNIT_EXPECT_EQ(test, ktb_mips_get_count_resume(&f->t), START);
}

/*
 * An interrupt that became due while disabled is raised exactly once on
 * re-enable, and the next one is a period after the match.
 */
static void irq_due_while_disabled_raised_once(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);

	ktb_mips_write_compare(&f->t, 5000, true);	/* due at +50 us */
	ktb_fake_advance(f, 10000);
	KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, 1), 0);
	ktb_fake_advance(f, 100000);
	KUNIT_EXPECT_EQ(test, f->irqs, 0u);
	KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, 0), 0);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
	KUNIT_EXPECT_TRUE(test, ktb_fake_pending(f));
	KUNIT_EXPECT_EQ(test, ktb_mips_read_count(&f->t), 11000u);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
	/* Count 11000 now; next match at 5000 + 2^32. */
	KUNIT_EXPECT_EQ(test, f->expiry - f->now,
			(s64)f->t.count_period - 60000);
	ktb_fake_advance(f, 20 * NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
}

/* No interrupt on re-enable if Compare was not reached while disabled. */
static void irq_not_due_not_raised(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);

	ktb_mips_write_compare(&f->t, 50000, true);	/* due at +500 us */
	KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, 1), 0);
	ktb_fake_advance(f, 400000);
	KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, 0), 0);
	KUNIT_EXPECT_EQ(test, f->irqs, 0u);
	KUNIT_EXPECT_EQ(test, f->expiry - f->now, 100000);
	ktb_fake_advance(f, 100000);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
	KUNIT_EXPECT_EQ(test, f->fired_count, 50000u);
}

/*
 * Compare exactly at the disable instant was handled by the freeze; the
 * re-enable must not raise it a second time.
 */
static void irq_at_disable_instant_not_repeated(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);

	ktb_mips_write_compare(&f->t, 1000, true);
	ktb_fake_advance(f, 10000);			/* fires at Count 1000 */
	KUNIT_ASSERT_EQ(test, f->irqs, 1u);
	KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, 1), 0);
	ktb_fake_advance(f, 5000);
	KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, 0), 0);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
}

struct ctl_case {
	s64 value;
	const char *what;
};

static const struct ctl_case bad_ctls[] = {
	{ 2, "bit 1" },
	{ 3, "DC and bit 1" },
	{ 0x80000000ll, "bit 31" },
	{ 1ll << 32, "bit 32" },
	{ -1, "all bits" },
	{ S64_MIN, "sign bit" },
};

static void ctl_desc(const struct ctl_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "COUNT_CTL %s", c->what);
}

KUNIT_ARRAY_PARAM(bad_ctl, bad_ctls, ctl_desc);

/* Reserved COUNT_CTL bits are refused and nothing changes. */
static void count_ctl_reserved_bits_rejected(struct kunit *test)
{
	const struct ctl_case *c = test->param_value;
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);
	struct ktb_mips_timer before;
	int i;

	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, i), 0);
		ktb_fake_advance(f, 1000);
		memcpy(&before, &f->t, sizeof(before));
		KUNIT_EXPECT_EQ(test, ktb_mips_set_count_ctl(&f->t, c->value),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, memcmp(&before, &f->t, sizeof(before)), 0);
	}
}

/* COUNT_RESUME: not negative, not in the future; the bias is untouched. */
static void count_resume_is_neither_negative_nor_future(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);
	u32 bias = f->t.count_bias;

	KUNIT_EXPECT_EQ(test, ktb_mips_set_count_resume(&f->t, -1), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktb_mips_set_count_resume(&f->t, S64_MIN),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ktb_mips_set_count_resume(&f->t, START + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ktb_mips_set_count_resume(&f->t, S64_MAX),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ktb_mips_get_count_resume(&f->t), 0);

	KUNIT_EXPECT_EQ(test, ktb_mips_set_count_resume(&f->t, START), 0);
	KUNIT_EXPECT_EQ(test, ktb_mips_get_count_resume(&f->t), START);
	KUNIT_EXPECT_EQ(test, ktb_mips_set_count_resume(&f->t, 0), 0);
	KUNIT_EXPECT_EQ(test, ktb_mips_get_count_resume(&f->t), 0);
	KUNIT_EXPECT_EQ(test, f->t.count_bias, bias);
}

/*
 * An earlier COUNT_RESUME set by userspace is honoured: on re-enable the
 * interrupt check covers [resume, now] and Count continues from the
 * static Count as of that instant.
 */
static void count_resume_earlier_is_honoured(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);

	KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, 1), 0);
	ktb_fake_advance(f, 100000);
	/* Restore a state saved 40 us ago: Count 7000, Compare 9000. */
	KUNIT_ASSERT_EQ(test,
			ktb_mips_set_count_resume(&f->t, f->now - 40000), 0);
	ktb_mips_write_count(&f->t, 7000);
	ktb_mips_write_compare(&f->t, 9000, false);
	KUNIT_EXPECT_EQ(test, f->irqs, 0u);
	KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, 0), 0);
	KUNIT_EXPECT_EQ(test, ktb_mips_read_count(&f->t), 11000u);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
}

struct hz_case {
	s64 hz;
	int ret;
};

static const struct hz_case hz_cases[] = {
	{ 0, -EINVAL },
	{ -1, -EINVAL },
	{ S64_MIN, -EINVAL },
	{ NSEC_PER_SEC + 1, -EINVAL },
	{ 1ll << 32, -EINVAL },
	{ (1ll << 32) + MHZ100, -EINVAL },
	{ S64_MAX, -EINVAL },
	{ 1, 0 },
	{ 3, 0 },
	{ 32768, 0 },
	{ MHZ100, 0 },
	{ 250000000, 0 },
	{ NSEC_PER_SEC, 0 },
};

static void hz_desc(const struct hz_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "COUNT_HZ %lld %s", c->hz,
		 c->ret ? "rejected" : "accepted");
}

KUNIT_ARRAY_PARAM(hz, hz_cases, hz_desc);

enum stop_kind { RUNNING, MASTER, CAUSE_DC, NR_STOP_KINDS };

static void stop(struct ktb_fake *f, enum stop_kind how)
{
	if (how == MASTER)
		ktb_mips_set_count_ctl(&f->t, 1);
	else if (how == CAUSE_DC)
		ktb_mips_write_cause(&f->t, KTB_CAUSE_DC, ~0u);
}

/*
 * COUNT_HZ: out-of-range values are refused with nothing changed; valid
 * ones keep Count continuous whether running, master-disabled or stopped
 * by Cause.DC, and Count then advances at the new rate.
 */
static void count_hz_change_keeps_count_continuous(struct kunit *test)
{
	const struct hz_case *c = test->param_value;
	int how;

	for (how = 0; how < NR_STOP_KINDS; how++) {
		struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);
		struct ktb_mips_timer before;
		u32 count;

		f->t.compare = 0x7fffffffu;
		ktb_mips_write_count(&f->t, 0x12345678u);
		ktb_fake_advance(f, 123456);
		stop(f, how);
		count = ktb_mips_read_count(&f->t);
		memcpy(&before, &f->t, sizeof(before));

		KUNIT_ASSERT_EQ(test, ktb_mips_set_count_hz(&f->t, c->hz),
				c->ret);
		if (c->ret) {
			KUNIT_EXPECT_EQ(test,
					memcmp(&before, &f->t, sizeof(before)),
					0);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, ktb_mips_read_count(&f->t), count,
				    "stop kind %d", how);
		KUNIT_EXPECT_EQ(test, f->t.count_hz, (u32)c->hz);

		if (how == MASTER)
			ktb_mips_set_count_ctl(&f->t, 0);
		else if (how == CAUSE_DC)
			ktb_mips_write_cause(&f->t, 0, ~0u);
		count = ktb_mips_read_count(&f->t);
		ktb_fake_advance(f, 2 * NSEC_PER_SEC);
		KUNIT_EXPECT_LE_MSG(test,
				    (u32)(ktb_mips_read_count(&f->t) - count -
					  2 * (u32)c->hz), 1u,
				    "stop kind %d", how);
	}
}

/* Setting the current rate again changes nothing at all. */
static void count_hz_same_is_noop(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);
	struct ktb_mips_timer before;

	ktb_fake_advance(f, 999);
	memcpy(&before, &f->t, sizeof(before));
	KUNIT_EXPECT_EQ(test, ktb_mips_set_count_hz(&f->t, MHZ100), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&before, &f->t, sizeof(before)), 0);
}

/* A rate change moves the pending expiry to the new rate. */
static void count_hz_moves_expiry(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);

	ktb_mips_write_compare(&f->t, 1000000, true);	/* 10 ms away */
	KUNIT_ASSERT_EQ(test, ktb_mips_set_count_hz(&f->t, 1000000), 0);
	KUNIT_EXPECT_EQ(test, f->expiry - f->now, NSEC_PER_SEC);
	ktb_fake_advance(f, NSEC_PER_SEC - 1);
	KUNIT_EXPECT_EQ(test, f->irqs, 0u);
	ktb_fake_advance(f, 1);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
}

/*
 * Master disable with Cause.DC already set only records the time; clearing
 * the master disable leaves Count stopped by Cause.DC.
 */
static void master_disable_over_cause_dc_only_records_the_time(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);

	ktb_fake_advance(f, 10000);
	ktb_mips_write_cause(&f->t, KTB_CAUSE_DC, ~0u);
	ktb_fake_advance(f, 10000);
	KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, 1), 0);
	KUNIT_EXPECT_EQ(test, ktb_mips_get_count_resume(&f->t), f->now);
	ktb_fake_advance(f, 10000);
	KUNIT_ASSERT_EQ(test, ktb_mips_set_count_ctl(&f->t, 0), 0);
	KUNIT_EXPECT_TRUE(test, ktb_mips_timer_stopped(&f->t));
	KUNIT_EXPECT_FALSE(test, f->armed);
	KUNIT_EXPECT_EQ(test, ktb_mips_read_count(&f->t), 1000u);
	ktb_mips_write_cause(&f->t, 0, ~0u);
	ktb_fake_advance(f, 10);
	KUNIT_EXPECT_EQ(test, ktb_mips_read_count(&f->t), 1001u);
}

static struct kunit_case ktb_mips_master_cases[] = {
	KUNIT_CASE(reenable_count_as_if_never_stopped),
	KUNIT_CASE(disabled_count_is_frozen),
	KUNIT_CASE(disable_twice_keeps_resume),
	KUNIT_CASE(irq_due_while_disabled_raised_once),
	KUNIT_CASE(irq_not_due_not_raised),
	KUNIT_CASE(irq_at_disable_instant_not_repeated),
	KUNIT_CASE_PARAM(count_ctl_reserved_bits_rejected, bad_ctl_gen_params),
	KUNIT_CASE(count_resume_is_neither_negative_nor_future),
	KUNIT_CASE(count_resume_earlier_is_honoured),
	KUNIT_CASE_PARAM(count_hz_change_keeps_count_continuous, hz_gen_params),
	KUNIT_CASE(count_hz_same_is_noop),
	KUNIT_CASE(count_hz_moves_expiry),
	KUNIT_CASE(master_disable_over_cause_dc_only_records_the_time),
	{}
};

struct kunit_suite ktb_mips_master_suite = {
	.name = "kvm_timer_backport_mips_master",
	.test_cases = ktb_mips_master_cases,
};
