// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the compat/ shims, run on every kernel the module is
 * built for: whichever way a shim resolves there, it must behave like the
 * newest kernel's API.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/slab.h>

#include "suites.h"

struct setup_probe {
	struct hrtimer timer;
	struct completion fired;
	int calls;
};

static enum hrtimer_restart setup_probe_fn(struct hrtimer *timer)
{
	struct setup_probe *p = container_of(timer, struct setup_probe, timer);

	p->calls++;
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

static struct kunit_case ktb_compat_cases[] = {
	KUNIT_CASE(compat_hrtimer_setup_sets_function),
	KUNIT_CASE(compat_hrtimer_setup_abs_monotonic),
	{}
};

struct kunit_suite ktb_compat_suite = {
	.name = "kvm_timer_backport_compat",
	.test_cases = ktb_compat_cases,
};
