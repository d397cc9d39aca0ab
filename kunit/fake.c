// SPDX-License-Identifier: GPL-2.0
/*
 * Fake clock, fake expiry timer and fake interrupt line for the KUnit suites.
 */
#include <linux/math64.h>

#include "fake.h"

static struct ktb_fake *to_fake(struct ktb_mips_timer *t)
{
	return container_of(t, struct ktb_fake, t);
}

static ktime_t fake_now(struct ktb_mips_timer *t)
{
	return ns_to_ktime(to_fake(t)->now);
}

static void fake_start(struct ktb_mips_timer *t, ktime_t expires)
{
	struct ktb_fake *f = to_fake(t);

	f->armed = true;
	f->expiry = ktime_to_ns(expires);
}

static bool fake_cancel(struct ktb_mips_timer *t)
{
	struct ktb_fake *f = to_fake(t);
	bool was_armed = f->armed;

	f->armed = false;
	return was_armed;
}

static void fake_queue(struct ktb_mips_timer *t)
{
	struct ktb_fake *f = to_fake(t);

	f->cause |= KTB_CAUSE_TI | KTB_CAUSE_IP7;
	f->irqs++;
}

static void fake_dequeue(struct ktb_mips_timer *t)
{
	struct ktb_fake *f = to_fake(t);
	s64 race_to = f->race_to;

	/*
	 * A test that sets race_to has the expiry timer, the one truly
	 * concurrent party, run to that time just before this withdrawal.
	 */
	if (race_to) {
		f->race_to = 0;
		ktb_fake_set_time(f, race_to);
	}
	f->cause &= ~(KTB_CAUSE_TI | KTB_CAUSE_IP7);
	f->acks++;
}

static void fake_wake(struct ktb_mips_timer *t)
{
	to_fake(t)->wakes++;
}

static u32 fake_read_cause(struct ktb_mips_timer *t)
{
	return to_fake(t)->cause;
}

static void fake_write_cause(struct ktb_mips_timer *t, u32 cause)
{
	to_fake(t)->cause = cause;
}

static const struct ktb_mips_clock_ops fake_clock = {
	.now = fake_now,
	.start = fake_start,
	.cancel = fake_cancel,
};

static const struct ktb_mips_irq_ops fake_irq = {
	.queue = fake_queue,
	.dequeue = fake_dequeue,
	.wake = fake_wake,
	.read_cause = fake_read_cause,
	.write_cause = fake_write_cause,
};

/**
 * ktb_fake_init() - set up a timer on the fake clock
 * @f:   the fake.
 * @now: initial fake time in ns.
 * @hz:  Count rate; Count starts at 0.
 */
void ktb_fake_init(struct ktb_fake *f, s64 now, u32 hz)
{
	memset(f, 0, sizeof(*f));
	f->now = now;
	ktb_mips_timer_init(&f->t, &fake_clock, &fake_irq);
	ktb_mips_timer_reset(&f->t, hz);
}

/**
 * ktb_fake_new() - allocate and set up a fake for one test
 * @test: the test; the fake is freed with it.
 * @now:  initial fake time in ns.
 * @hz:   Count rate; Count starts at 0.
 *
 * Return: the fake. Fails the test if out of memory.
 */
struct ktb_fake *ktb_fake_new(struct kunit *test, s64 now, u32 hz)
{
	struct ktb_fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	ktb_fake_init(f, now, hz);
	return f;
}

/**
 * ktb_fake_set_time() - jump the fake clock, firing the expiry timer
 * @f:   the fake.
 * @now: new fake time in ns, not before the current one.
 *
 * Like a real hrtimer, each expiry runs at its own time, so the Count the
 * callback sees is the Count at the moment the timer was due.
 */
void ktb_fake_set_time(struct ktb_fake *f, s64 now)
{
	while (f->armed && f->expiry <= now) {
		f->now = max(f->now, f->expiry);
		f->fires++;
		f->fired_count = ktb_fake_peek_count(f);
		f->expiry = ktime_to_ns(ktb_mips_timer_expired(&f->t));
	}
	f->now = max(f->now, now);
}

/**
 * ktb_fake_advance() - let @ns nanoseconds of fake time pass
 * @f:  the fake.
 * @ns: how long, >= 0.
 */
void ktb_fake_advance(struct ktb_fake *f, s64 ns)
{
	ktb_fake_set_time(f, f->now + ns);
}

/**
 * ktb_fake_pending() - whether the guest timer interrupt is raised
 * @f: the fake.
 *
 * Return: true if Cause.TI is set.
 */
bool ktb_fake_pending(const struct ktb_fake *f)
{
	return f->cause & KTB_CAUSE_TI;
}

/**
 * ktb_fake_peek_count() - Count at the fake time without side effects
 * @f: the fake.
 *
 * Return: the guest Count, as ktb_mips_peek_count() computes it.
 */
u32 ktb_fake_peek_count(const struct ktb_fake *f)
{
	return ktb_mips_peek_count(&f->t, ns_to_ktime(f->now));
}
