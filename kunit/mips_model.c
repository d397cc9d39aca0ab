// SPDX-License-Identifier: GPL-2.0
/*
 * The reference model of the MIPS guest timer (mips_model.h says what it
 * is for and how it is kept independent of the core).
 */
#include <linux/errno.h>
#include <linux/math64.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "mips_model.h"
#include "ref.h"

/*
 * Reducing @ns modulo the period first is what the spec's dynamic bias
 * amounts to for any @ns >= 0, and it keeps the product below
 * 1e9 * 2^32 < 2^62, so plain 64-bit arithmetic is exact (no
 * mul_u64_u32_div(), which is broken on some kernels).
 */
u32 ref_ticks(const struct ref_timer *r, s64 ns)
{
	u64 within;

	div64_u64_rem((u64)ns, r->period, &within);
	return (u32)div_u64(within * r->hz, NSEC_PER_SEC);
}

u64 ref_ns(const struct ref_timer *r, u64 ticks)
{
	return div_u64(ticks * NSEC_PER_SEC, r->hz);
}

u64 ref_ticks_until(u32 compare, u32 count)
{
	return compare == count ? 1ULL << 32 : (u64)(u32)(compare - count);
}

bool ref_running(const struct ref_timer *r)
{
	return !r->master_dc && !(r->cause & KTB_CAUSE_DC);
}

u32 ref_peek(const struct ref_timer *r)
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
	r->cause |= REF_TI;
	r->irqs++;
}

static void ref_ack(struct ref_timer *r)
{
	r->cause &= ~REF_TI;
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

u32 ref_read_count(struct ref_timer *r)
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

void ref_advance(struct ref_timer *r, s64 to)
{
	while (ref_running(r) && r->expiry <= to) {
		ref_raise(r);
		r->expiry += r->period;
	}
	r->now = to;
}

void ref_write_count(struct ref_timer *r, u32 count)
{
	s64 at = ref_count_time(r);

	r->bias = count - ref_ticks(r, at);
	if (ref_running(r))
		ref_arm(r, at, count);
	else
		r->held = count;
}

void ref_write_compare(struct ref_timer *r, u32 compare, bool ack)
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

void ref_write_cause(struct ref_timer *r, u32 value, u32 mask)
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

int ref_set_count_ctl(struct ref_timer *r, s64 ctl)
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

int ref_set_count_resume(struct ref_timer *r, s64 ns)
{
	if (ns < 0 || ns > r->now)
		return -EINVAL;
	r->resume = ns;
	return 0;
}

int ref_set_count_hz(struct ref_timer *r, s64 hz)
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

void ref_reset(struct ref_timer *r, u32 hz, s64 now, u32 compare, u32 cause,
	       s64 resume)
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
