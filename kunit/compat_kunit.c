// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the compat/ shims, run on every kernel the module is
 * built for: whichever way a shim resolves there (the kernel's own API or
 * compat/'s stand-in), it must behave like the newest kernel's API.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "suites.h"

struct setup_probe {
	struct hrtimer timer;
	struct completion fired;
	int calls;
	int other_calls;
};

static enum hrtimer_restart setup_probe_fn(struct hrtimer *timer)
{
	struct setup_probe *p = container_of(timer, struct setup_probe, timer);

	p->calls++;
	complete(&p->fired);
	return HRTIMER_NORESTART;
}

static enum hrtimer_restart setup_probe_other_fn(struct hrtimer *timer)
{
	struct setup_probe *p = container_of(timer, struct setup_probe, timer);

	p->other_calls++;
	complete(&p->fired);
	return HRTIMER_NORESTART;
}

/*
 * hrtimer_setup() must install the callback as well as clock and mode
 * (a backport that forgot the callback once shipped): arm a relative
 * timer and see the callback run.
 */
static void compat_hrtimer_setup_sets_function(struct kunit *test)
{
	struct setup_probe *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	unsigned long left;

	KUNIT_ASSERT_NOT_NULL(test, p);
	init_completion(&p->fired);
	hrtimer_setup(&p->timer, setup_probe_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL);
	hrtimer_start(&p->timer, ms_to_ktime(2), HRTIMER_MODE_REL);
	left = wait_for_completion_timeout(&p->fired, msecs_to_jiffies(2000));
	hrtimer_cancel(&p->timer);
	KUNIT_EXPECT_NE(test, left, 0ul);
	KUNIT_EXPECT_EQ(test, p->calls, 1);
}

/* ... and an absolute-mode timer on CLOCK_MONOTONIC, as the core uses. */
static void compat_hrtimer_setup_abs_monotonic(struct kunit *test)
{
	struct setup_probe *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	ktime_t due = ktime_add_ms(ktime_get(), 3);
	unsigned long left;

	KUNIT_ASSERT_NOT_NULL(test, p);
	init_completion(&p->fired);
	hrtimer_setup(&p->timer, setup_probe_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_ABS);
	hrtimer_start(&p->timer, due, HRTIMER_MODE_ABS);
	left = wait_for_completion_timeout(&p->fired, msecs_to_jiffies(2000));
	hrtimer_cancel(&p->timer);
	KUNIT_EXPECT_NE(test, left, 0ul);
	KUNIT_EXPECT_GE(test, ktime_to_ns(ktime_get()), ktime_to_ns(due));
}

/*
 * hrtimer_update_function() on an idle timer: the new callback runs
 * the next time the timer fires, and the old one never does.
 */
static void compat_hrtimer_update_function(struct kunit *test)
{
	struct setup_probe *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	unsigned long left;

	KUNIT_ASSERT_NOT_NULL(test, p);
	init_completion(&p->fired);
	hrtimer_setup(&p->timer, setup_probe_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL);
	hrtimer_update_function(&p->timer, setup_probe_other_fn);
	hrtimer_start(&p->timer, ms_to_ktime(2), HRTIMER_MODE_REL);
	left = wait_for_completion_timeout(&p->fired, msecs_to_jiffies(2000));
	hrtimer_cancel(&p->timer);
	KUNIT_EXPECT_NE(test, left, 0ul);
	KUNIT_EXPECT_EQ(test, p->other_calls, 1);
	KUNIT_EXPECT_EQ(test, p->calls, 0);
}

/*
 * The ktime helpers the core relies on, with no shim from 5.10 on (ktime_t
 * has been a plain s64 since 4.10): pin the semantics it assumes, so a
 * kernel that changed them fails here rather than in the timer model.
 */
static void compat_ktime_helpers_keep_their_semantics(struct kunit *test)
{
	ktime_t t = ns_to_ktime(1000000000LL);
	u64 a, b;

	KUNIT_EXPECT_EQ(test, ktime_to_ns(ktime_add_ns(t, 5)), 1000000005LL);
	KUNIT_EXPECT_EQ(test, ktime_to_ns(ktime_sub_ns(t, 5)), 999999995LL);
	KUNIT_EXPECT_EQ(test, ktime_to_ns(ktime_add_ms(t, 2)), 1002000000LL);
	KUNIT_EXPECT_EQ(test, ktime_to_ns(ms_to_ktime(3)), 3000000LL);
	KUNIT_EXPECT_TRUE(test, ktime_before(t, ktime_add_ns(t, 1)));
	KUNIT_EXPECT_FALSE(test, ktime_before(t, t));
	KUNIT_EXPECT_EQ(test, ktime_compare(t, ktime_add_ns(t, 1)), -1);
	KUNIT_EXPECT_EQ(test, ktime_compare(t, t), 0);
	KUNIT_EXPECT_EQ(test, ktime_compare(ktime_add_ns(t, 1), t), 1);
	/* Signed: a time before another compares below it across zero. */
	KUNIT_EXPECT_TRUE(test, ktime_before(ns_to_ktime(-1), ns_to_ktime(0)));

	a = ktime_get_ns();
	b = ktime_to_ns(ktime_get());
	KUNIT_EXPECT_LE(test, a, b);
}

/*
 * MODULE_IMPORT_NS() takes the namespace as a string and must record that
 * string itself (not its quoted form, as stringifying it again would):
 * capture what it hands to MODULE_INFO() instead of emitting modinfo.
 */
#pragma push_macro("MODULE_INFO")
#undef MODULE_INFO
#define MODULE_INFO(tag, info) static const char compat_captured_##tag[] = info
MODULE_IMPORT_NS("KTB_COMPAT_TEST_NS");
#pragma pop_macro("MODULE_INFO")

static void compat_module_import_ns_string(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, compat_captured_import_ns,
			   "KTB_COMPAT_TEST_NS");
}

/*
 * A test context of our own, to see the NULL expectations fail where they
 * should: a failed expectation marks it failed (and logs a message that
 * names it) without touching the running test.
 */
static bool fake_failed(struct kunit *fake)
{
#ifdef KTB_HAVE_KUNIT_STATUS
	return fake->status == KUNIT_FAILURE;
#else
	return !fake->success;
#endif
}

static void compat_kunit_null_expectations(struct kunit *test)
{
	/* A pointer: the macros do not parenthesise their test argument. */
	struct kunit *fake = kunit_kzalloc(test, sizeof(*fake), GFP_KERNEL);
	int x = 0, *none = NULL, *some = &x;

	KUNIT_EXPECT_NULL(test, none);
	KUNIT_EXPECT_NULL_MSG(test, none, "%d", 1);
	KUNIT_EXPECT_NOT_NULL(test, some);
	KUNIT_EXPECT_NOT_NULL_MSG(test, some, "%d", 2);
	KUNIT_ASSERT_NULL(test, none);
	KUNIT_ASSERT_NULL_MSG(test, none, "%d", 3);
	KUNIT_ASSERT_NOT_NULL(test, some);
	KUNIT_ASSERT_NOT_NULL_MSG(test, some, "%d", 4);

	KUNIT_ASSERT_NOT_NULL(test, fake);
	kunit_init_test(fake, "expected-failure-probe", NULL);
	KUNIT_EXPECT_NULL(fake, some);
	KUNIT_EXPECT_TRUE(test, fake_failed(fake));
	kunit_cleanup(fake);

	kunit_init_test(fake, "expected-failure-probe", NULL);
	KUNIT_EXPECT_NOT_NULL(fake, none);
	KUNIT_EXPECT_TRUE(test, fake_failed(fake));
	kunit_cleanup(fake);

	kunit_init_test(fake, "expected-failure-probe", NULL);
	KUNIT_EXPECT_NULL(fake, none);
	KUNIT_EXPECT_NOT_NULL(fake, some);
	KUNIT_EXPECT_FALSE(test, fake_failed(fake));
	kunit_cleanup(fake);
}

static struct kunit_case ktb_compat_cases[] = {
	KUNIT_CASE(compat_hrtimer_setup_sets_function),
	KUNIT_CASE(compat_hrtimer_setup_abs_monotonic),
	KUNIT_CASE(compat_hrtimer_update_function),
	KUNIT_CASE(compat_ktime_helpers_keep_their_semantics),
	KUNIT_CASE(compat_module_import_ns_string),
	KUNIT_CASE(compat_kunit_null_expectations),
	{}
};

struct kunit_suite ktb_compat_suite = {
	.name = "kvm_timer_backport_compat",
	.test_cases = ktb_compat_cases,
};
