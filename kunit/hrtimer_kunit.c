// SPDX-License-Identifier: GPL-2.0
/*
 * The timer core on the real clock and the real hrtimer: the Compare
 * interrupt arrives at the right Count.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/slab.h>

#include "core/mips_timer.h"
#include "suites.h"

/*
 * Allowed lateness of the interrupt. An hrtimer never fires early; how
 * late it runs depends on the host (UML under load can be milliseconds).
 */
#define SLACK_NS	(20 * NSEC_PER_MSEC)

struct real_vcpu {
	struct ktb_mips_timer t;
	struct hrtimer hrtimer;
	struct completion irq;
	u32 cause;
	int irqs;
	u32 count_at_irq;
	int wakes;
};

static struct real_vcpu *to_real(struct ktb_mips_timer *t)
{
	return container_of(t, struct real_vcpu, t);
}

/* Runs in the hrtimer callback: record Count as the guest would see it. */
static void real_queue(struct ktb_mips_timer *t)
{
	struct real_vcpu *v = to_real(t);

	if (!v->irqs++)
		v->count_at_irq = t->count_bias +
				  ktb_mips_ns_to_ticks(t, ktime_get());
	v->cause |= KTB_CAUSE_TI;
	complete(&v->irq);
}

static void real_dequeue(struct ktb_mips_timer *t)
{
	to_real(t)->cause &= ~KTB_CAUSE_TI;
}

static void real_wake(struct ktb_mips_timer *t)
{
	to_real(t)->wakes++;
}

static u32 real_read_cause(struct ktb_mips_timer *t)
{
	return to_real(t)->cause;
}

static void real_write_cause(struct ktb_mips_timer *t, u32 cause)
{
	to_real(t)->cause = cause;
}

static const struct ktb_mips_irq_ops real_irq = {
	.queue = real_queue,
	.dequeue = real_dequeue,
	.wake = real_wake,
	.read_cause = real_read_cause,
	.write_cause = real_write_cause,
};

/*
 * The clock: monotonic time and an hrtimer of the test's own, whose
 * expiry is the core's, as the glue's is on the kernel's per-vCPU timer.
 */
static ktime_t real_now(struct ktb_mips_timer *t)
{
	return ktime_get();
}

static void real_start(struct ktb_mips_timer *t, ktime_t expires)
{
	hrtimer_start(&to_real(t)->hrtimer, expires, HRTIMER_MODE_ABS);
}

static bool real_cancel(struct ktb_mips_timer *t)
{
	return hrtimer_cancel(&to_real(t)->hrtimer);
}

static enum hrtimer_restart real_expired(struct hrtimer *timer)
{
	struct real_vcpu *v = container_of(timer, struct real_vcpu, hrtimer);

	hrtimer_set_expires(timer, ktb_mips_timer_expired(&v->t));
	return HRTIMER_RESTART;
}

static const struct ktb_mips_clock_ops real_clock = {
	.now = real_now,
	.start = real_start,
	.cancel = real_cancel,
};

/* A vCPU on the real clock, its timer reset to @hz. */
static void real_init(struct real_vcpu *v, u32 hz)
{
	init_completion(&v->irq);
	hrtimer_setup(&v->hrtimer, real_expired, CLOCK_MONOTONIC,
		      HRTIMER_MODE_ABS);
	ktb_mips_timer_init(&v->t, &real_clock, &real_irq);
	ktb_mips_timer_reset(&v->t, hz);
}

struct real_case {
	u32 hz;
	u32 ticks;
};

static const struct real_case real_cases[] = {
	{ 100000000, 2000000 },		/* 20 ms at 100 MHz */
	{ 1000000000, 5000000 },	/* 5 ms at 1 GHz */
	{ 32768, 100 },			/* 3 ms at 32 kHz */
};

static void real_desc(const struct real_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u ticks at %u Hz", c->ticks,
		 c->hz);
}

KUNIT_ARRAY_PARAM(real, real_cases, real_desc);

/*
 * Compare a few milliseconds ahead: the interrupt arrives once, with
 * Count at or past Compare and at most SLACK_NS late, and the vCPU is
 * woken.
 */
static void real_hrtimer_fires_at_compare(struct kunit *test)
{
	const struct real_case *c = test->param_value;
	struct real_vcpu *v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);
	u32 compare, slack;
	unsigned long left;
	s32 late;

	KUNIT_ASSERT_NOT_NULL(test, v);
	real_init(v, c->hz);
	compare = ktb_mips_read_count(&v->t) + c->ticks;
	ktb_mips_write_compare(&v->t, compare, true);

	left = wait_for_completion_timeout(&v->irq, msecs_to_jiffies(2000));
	/* Count read now must be past Compare too. */
	late = ktb_mips_read_count(&v->t) - compare;
	ktb_mips_timer_release(&v->t);

	KUNIT_ASSERT_NE_MSG(test, left, 0ul, "no interrupt within 2 s");
	KUNIT_EXPECT_EQ(test, v->irqs, 1);
	KUNIT_EXPECT_EQ(test, v->wakes, 1);
	KUNIT_EXPECT_GE(test, late, 0);
	slack = div_u64((u64)SLACK_NS * c->hz, NSEC_PER_SEC);
	late = v->count_at_irq - compare;
	kunit_info(test, "interrupt at Compare + %d ticks (slack %u)", late,
		   slack);
	KUNIT_EXPECT_GE(test, late, 0);
	KUNIT_EXPECT_LE(test, late, (s32)slack);
}

/* After release nothing fires, even for a Compare that is due. */
static void real_release_stops_timer(struct kunit *test)
{
	struct real_vcpu *v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, v);
	real_init(v, 100000000);
	ktb_mips_write_compare(&v->t, ktb_mips_read_count(&v->t) + 100000,
			       true);	/* 1 ms */
	ktb_mips_timer_release(&v->t);
	KUNIT_EXPECT_FALSE(test, hrtimer_active(&v->hrtimer));
	KUNIT_EXPECT_EQ(test,
			wait_for_completion_timeout(&v->irq,
						    msecs_to_jiffies(20)),
			0ul);
	KUNIT_EXPECT_EQ(test, v->irqs, 0);
}

static struct kunit_case ktb_hrtimer_cases[] = {
	KUNIT_CASE_PARAM(real_hrtimer_fires_at_compare, real_gen_params),
	KUNIT_CASE(real_release_stops_timer),
	{}
};

struct kunit_suite ktb_hrtimer_suite = {
	.name = "kvm_timer_backport_hrtimer",
	.test_cases = ktb_hrtimer_cases,
};
