// SPDX-License-Identifier: GPL-2.0
/*
 * MIPS guest CP0 Count/Compare emulated on monotonic time, with the
 * COUNT_CTL master disable, COUNT_RESUME and COUNT_HZ controls.
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/math64.h>
#include <linux/preempt.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "core/mips_timer.h"

static bool master_disabled(const struct ktb_mips_timer *t)
{
	return t->count_ctl & KTB_COUNT_CTL_DC;
}

/**
 * ktb_mips_timer_stopped() - whether guest Count is currently frozen
 * @t: the timer.
 *
 * Count stops while either the master disable (COUNT_CTL.DC) or the
 * guest's own Cause.DC is set.
 *
 * Upstream: kvm_mips_count_disabled() in arch/mips/kvm/emulate.c.
 *
 * Return: true if Count is not advancing.
 */
bool ktb_mips_timer_stopped(struct ktb_mips_timer *t)
{
	return master_disabled(t) ||
	       (t->irq->read_cause(t) & KTB_CAUSE_DC);
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_timer_stopped);

/*
 * Under the master disable every Count computation happens as if at the
 * moment the disable took effect, so userspace sees one consistent instant.
 */
static ktime_t count_time(struct ktb_mips_timer *t)
{
	if (master_disabled(t))
		return t->count_resume;
	return t->clock->now(t);
}

/**
 * ktb_mips_ns_to_ticks() - scale monotonic time to unbiased Count ticks
 * @t:   the timer.
 * @now: a time >= 0.
 *
 * Only the position of @now within the current 2^32-tick period matters
 * to a 32-bit Count, so the time is first reduced by a whole number of
 * periods (@count_dyn_bias, recomputed only when @now leaves the cached
 * period). The reduced time is below count_period, which is what the
 * division-free scaling of mips_scale.h needs to be exact.
 *
 * Upstream: kvm_mips_ktime_to_count() in arch/mips/kvm/emulate.c.
 *
 * Return: the scaled time, truncated to 32 bits.
 */
u32 ktb_mips_ns_to_ticks(struct ktb_mips_timer *t, ktime_t now)
{
	u64 now_ns = ktime_to_ns(now);
	u64 in_period = now_ns + t->count_dyn_bias;

	/* Unsigned: a time before the cached period also lands here. */
	if (in_period >= t->count_period) {
		u64 periods = div64_u64(now_ns, t->count_period);

		t->count_dyn_bias = -(s64)(periods * t->count_period);
		in_period = now_ns + t->count_dyn_bias;
	}
	return ktb_mips_scale_ns_to_ticks(&t->scale, in_period);
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_ns_to_ticks);

/**
 * ktb_mips_peek_count() - Count at a given time, without side effects
 * @t:   the timer.
 * @now: a time >= 0.
 *
 * Unlike ktb_mips_read_count() this raises no interrupt and leaves the
 * cached dynamic bias alone, so an observer (debugfs, a test) may call it
 * while the vCPU runs. It computes the same value, from scratch.
 *
 * Return: the guest Count at @now, or the frozen Count while stopped.
 */
u32 ktb_mips_peek_count(const struct ktb_mips_timer *t, ktime_t now)
{
	u64 in_period;

	if ((t->count_ctl & KTB_COUNT_CTL_DC) ||
	    (t->irq->read_cause((struct ktb_mips_timer *)t) & KTB_CAUSE_DC))
		return t->count;
	div64_u64_rem(ktime_to_ns(now), t->count_period, &in_period);
	return t->count_bias + ktb_mips_scale_ns_to_ticks(&t->scale, in_period);
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_peek_count);

/* @ticks is at most 2^32, as mips_scale.h requires. */
static u64 ticks_to_ns(const struct ktb_mips_timer *t, u64 ticks)
{
	return ktb_mips_scale_ticks_to_ns(&t->scale, ticks);
}

/*
 * The rate and everything derived from it: the period and the scaling
 * constants (the only divisions the conversions need), and a dynamic bias
 * that must be recomputed for the new period.
 */
static void set_rate(struct ktb_mips_timer *t, u32 hz)
{
	t->count_hz = hz;
	t->count_period = div_u64((u64)NSEC_PER_SEC << 32, hz);
	ktb_mips_scale_init(&t->scale, hz);
	t->count_dyn_bias = 0;
}

static void arm_expiry(struct ktb_mips_timer *t, ktime_t expires)
{
	WRITE_ONCE(t->expires, expires);
	t->clock->start(t, expires);
}

/**
 * ktb_mips_timer_arm() - arm the expiry timer at a given time
 * @t:       the timer, running.
 * @expires: absolute expiry, as computed elsewhere.
 *
 * For taking over a timer another implementation had armed: the expiry
 * carries over exactly instead of being recomputed from Count.
 */
void ktb_mips_timer_arm(struct ktb_mips_timer *t, ktime_t expires)
{
	arm_expiry(t, expires);
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_timer_arm);

/**
 * ktb_mips_timer_migrate() - re-arm the expiry timer on this CPU
 * @t: the timer.
 *
 * For a vCPU that moved to another CPU: an expiry that interrupts the CPU
 * the guest runs on makes it exit and see its interrupt at once. The
 * expiry time is unchanged; a timer that was not armed stays disarmed.
 */
void ktb_mips_timer_migrate(struct ktb_mips_timer *t)
{
	if (t->clock->cancel(t))
		arm_expiry(t, READ_ONCE(t->expires));
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_timer_migrate);

/*
 * Count at @now while running. If Count has reached Compare but the expiry
 * timer has not delivered that interrupt yet (it is due less than a quarter
 * period from now: timers fire late, so "now >= expiry" misses the case
 * where Count is computed just past Compare before the timer runs), deliver
 * it here so that nobody can observe Count past Compare without the
 * interrupt, and move the timer on to the next match.
 */
static u32 read_count_running(struct ktb_mips_timer *t, ktime_t now)
{
	u32 count = t->count_bias + ktb_mips_ns_to_ticks(t, now);
	ktime_t expires, threshold;

	if ((s32)(count - t->compare) < 0)
		return count;

	expires = READ_ONCE(t->expires);
	threshold = ktime_add_ns(now, t->count_period / 4);
	if (ktime_before(expires, threshold)) {
		/* Cancel first so the expiry callback cannot run twice. */
		bool was_armed = t->clock->cancel(t);

		t->irq->queue(t);
		if (was_armed)
			arm_expiry(t, ktime_add_ns(expires, t->count_period));
	}
	return count;
}

/**
 * ktb_mips_freeze() - stop the expiry timer and sample Count
 * @t:     the timer, running.
 * @count: set to Count at the returned time.
 *
 * An interrupt due at or before the returned time has been raised when
 * this returns; none after it will be.
 *
 * Upstream: kvm_mips_freeze_hrtimer() in arch/mips/kvm/emulate.c.
 *
 * Return: the time of the sample.
 */
ktime_t ktb_mips_freeze(struct ktb_mips_timer *t, u32 *count)
{
	ktime_t now;

	t->clock->cancel(t);
	now = t->clock->now(t);
	*count = read_count_running(t, now);
	return now;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_freeze);

/**
 * ktb_mips_resume() - arm the expiry timer for the next Compare match
 * @t:     the timer, running.
 * @now:   time at which Count was @count.
 * @count: Count at @now.
 *
 * Compare equal to @count means a whole 2^32-tick period away: a match at
 * @count itself is the caller's business (ktb_mips_freeze() handles it).
 *
 * Upstream: kvm_mips_resume_hrtimer() in arch/mips/kvm/emulate.c.
 */
void ktb_mips_resume(struct ktb_mips_timer *t, ktime_t now, u32 count)
{
	u64 ticks = (u64)(u32)(t->compare - count - 1) + 1;

	t->clock->cancel(t);
	arm_expiry(t, ktime_add_ns(now, ticks_to_ns(t, ticks)));
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_resume);

/**
 * ktb_mips_read_count() - guest read of CP0 Count
 * @t: the timer.
 *
 * A read while running may raise a timer interrupt that is due.
 *
 * Upstream: kvm_mips_read_count() with kvm_mips_read_count_running() in
 * arch/mips/kvm/emulate.c.
 *
 * Return: the guest's Count.
 */
u32 ktb_mips_read_count(struct ktb_mips_timer *t)
{
	if (ktb_mips_timer_stopped(t))
		return t->count;
	return read_count_running(t, t->clock->now(t));
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_read_count);

/**
 * ktb_mips_write_count() - set CP0 Count (guest or ONE_REG)
 * @t:     the timer.
 * @count: new Count.
 *
 * The bias is recomputed so Count continues from @count; while stopped the
 * value is also kept as the frozen Count.
 *
 * Upstream: kvm_mips_write_count() in arch/mips/kvm/emulate.c.
 */
void ktb_mips_write_count(struct ktb_mips_timer *t, u32 count)
{
	ktime_t now = count_time(t);

	t->count_bias = count - ktb_mips_ns_to_ticks(t, now);
	if (ktb_mips_timer_stopped(t))
		t->count = count;
	else
		ktb_mips_resume(t, now, count);
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_write_count);

/**
 * ktb_mips_timer_init() - bind a timer to its clock and interrupt line
 * @t:     the timer; zeroed here.
 * @clock: time source and expiry timer.
 * @irq:   guest interrupt delivery and Cause access.
 *
 * Call ktb_mips_timer_reset() before use.
 */
void ktb_mips_timer_init(struct ktb_mips_timer *t,
			 const struct ktb_mips_clock_ops *clock,
			 const struct ktb_mips_irq_ops *irq)
{
	memset(t, 0, sizeof(*t));
	t->clock = clock;
	t->irq = irq;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_timer_init);

/**
 * ktb_mips_timer_reset() - start the timer from Count 0 at a given rate
 * @t:  the timer.
 * @hz: rate, 1 .. NSEC_PER_SEC.
 *
 * Upstream: kvm_mips_init_count() in arch/mips/kvm/emulate.c.
 */
void ktb_mips_timer_reset(struct ktb_mips_timer *t, u32 hz)
{
	set_rate(t, hz);
	ktb_mips_write_count(t, 0);
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_timer_reset);

/**
 * ktb_mips_timer_release() - stop the expiry timer for good
 * @t: the timer.
 *
 * Waits for a running expiry callback; afterwards nothing in @t runs.
 */
void ktb_mips_timer_release(struct ktb_mips_timer *t)
{
	t->clock->cancel(t);
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_timer_release);

/**
 * ktb_mips_timer_expired() - the expiry timer has fired
 * @t: the timer.
 *
 * Count has reached Compare: raise the interrupt, wake a vCPU waiting in
 * WAIT, and move the expiry one whole Count period on, which is when Count
 * next equals Compare if nothing changes.
 *
 * Context: the expiry timer's callback (hard or soft interrupt).
 * Upstream: kvm_mips_count_timeout() and the comparecount callback in
 * arch/mips/kvm/emulate.c.
 *
 * Return: the new expiry; the caller re-arms the timer with it.
 */
ktime_t ktb_mips_timer_expired(struct ktb_mips_timer *t)
{
	ktime_t next = ktime_add_ns(READ_ONCE(t->expires), t->count_period);

	t->irq->queue(t);
	t->irq->wake(t);
	WRITE_ONCE(t->expires, next);
	return next;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_timer_expired);

/**
 * ktb_mips_park_hw_count() - keep an idle hardware guest Count at Compare
 * @t:       a timer with a hardware guest timer (@t->hw), which the guest
 *           does not have now (this model runs the timer).
 * @compare: the guest's Compare.
 *
 * The hardware Count is placed at Compare, and so just past a match: it
 * cannot raise an interrupt of its own for close to a whole Count period.
 * Upstream keeps the hardware timer of a vCPU that is not running in the
 * same place (kvm_vz_lose_htimer() in arch/mips/kvm/vz.c).
 */
void ktb_mips_park_hw_count(struct ktb_mips_timer *t, u32 compare)
{
	t->hw->write_gtoffset(t, compare - t->hw->host_count(t));
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_park_hw_count);

/**
 * ktb_mips_write_compare() - set CP0 Compare
 * @t:       the timer.
 * @compare: new Compare.
 * @ack:     true for a guest write, which acknowledges a pending timer
 *           interrupt; false for ONE_REG, which must preserve it.
 *
 * The timer is frozen across the update and the acknowledge happens inside
 * that window: acknowledging before the freeze could drop an interrupt the
 * freeze raises for the old Compare, and acknowledging after it could drop
 * one for the new Compare.
 *
 * Upstream: kvm_mips_write_compare() in arch/mips/kvm/emulate.c.
 */
void ktb_mips_write_compare(struct ktb_mips_timer *t, u32 compare, bool ack)
{
	s32 delta = compare - t->compare;
	ktime_t now = 0;
	u32 count = 0;
	u32 cause = 0;
	bool running;

	if (compare == t->compare) {
		if (ack)
			t->irq->dequeue(t);
		return;
	}

	/*
	 * With the hardware guest timer parked on Compare, moving Compare
	 * forward must move the hardware Count first, or the hardware Count
	 * could match the new Compare in between. Stay on this CPU until
	 * both are written.
	 */
	if (t->hw && delta > 0) {
		preempt_disable();
		ktb_mips_park_hw_count(t, compare);
	}

	running = !ktb_mips_timer_stopped(t);
	if (running)
		now = ktb_mips_freeze(t, &count);

	if (ack)
		t->irq->dequeue(t);
	else if (t->hw)
		cause = t->irq->read_cause(t);

	t->compare = compare;
	if (t->hw) {
		/* A hardware Compare write clears Cause.TI: keep it. */
		t->hw->write_guest_compare(t, compare);
		if (cause & KTB_CAUSE_TI)
			t->irq->write_cause(t, cause);
		if (delta > 0)
			preempt_enable();
	}

	if (running)
		ktb_mips_resume(t, now, count);

	/* Moving backward: only now may the hardware Count follow. */
	if (t->hw && delta <= 0)
		ktb_mips_park_hw_count(t, compare);
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_write_compare);

static void change_cause(struct ktb_mips_timer *t, u32 mask, u32 value)
{
	u32 cause = t->irq->read_cause(t);

	t->irq->write_cause(t, (cause & ~mask) | (value & mask));
}

/**
 * ktb_mips_write_cause() - write CP0 Cause, starting or stopping Count
 * @t:     the timer.
 * @value: new Cause.
 * @mask:  bits of @value to take: KTB_CAUSE_GUEST_WRITABLE for a guest
 *         mtc0, ~0 for ONE_REG.
 *
 * A DC change must look atomic with the other bits (TI in particular):
 * stopping freezes Count first, so an interrupt it raises is then subject
 * to @value, and starting writes the bits first, so an interrupt due right
 * after the start is not overwritten. While stopped by Cause.DC, no time
 * passes for Count.
 *
 * Upstream: kvm_mips_count_disable_cause() and
 * kvm_mips_count_enable_cause(), as the guest's Cause write calls them in
 * arch/mips/kvm/emulate.c.
 */
void ktb_mips_write_cause(struct ktb_mips_timer *t, u32 value, u32 mask)
{
	u32 old = t->irq->read_cause(t);

	if (!((old ^ value) & mask & KTB_CAUSE_DC)) {
		change_cause(t, mask, value);
		return;
	}

	if (value & KTB_CAUSE_DC) {
		change_cause(t, KTB_CAUSE_DC, KTB_CAUSE_DC);
		if (!master_disabled(t))
			ktb_mips_freeze(t, &t->count);
		change_cause(t, mask & ~KTB_CAUSE_DC, value);
	} else {
		change_cause(t, mask & ~KTB_CAUSE_DC, value);
		change_cause(t, KTB_CAUSE_DC, 0);
		ktb_mips_write_count(t, t->count);
	}
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_write_cause);

/* Make the queued timer interrupt agree with a Cause value's TI bit. */
static void sync_ti(struct ktb_mips_timer *t, u32 value)
{
	if (value & KTB_CAUSE_TI)
		t->irq->queue(t);
	else
		t->irq->dequeue(t);
}

/**
 * ktb_mips_set_cause() - KVM_SET_ONE_REG of CP0 Cause
 * @t:     the timer.
 * @value: new Cause.
 *
 * Upstream: the CP0_CAUSE case of kvm_mips_set_one_reg(), as
 * ktb_mips_write_cause() with every bit, plus what upstream lacks: the
 * queued timer interrupt follows TI, so a restored VM whose interrupt was
 * pending gets it, and one cleared is withdrawn. The bits and the queue
 * change inside one window in which the timer cannot fire: an expiry
 * cannot fall between them and be withdrawn with the old interrupt.
 */
void ktb_mips_set_cause(struct ktb_mips_timer *t, u32 value)
{
	u32 old = t->irq->read_cause(t);
	ktime_t now = 0;
	u32 count = 0;
	bool running;

	if ((old ^ value) & KTB_CAUSE_DC) {
		if (value & KTB_CAUSE_DC) {
			/* Stopped once the bits are written. */
			ktb_mips_write_cause(t, value, ~0u);
			sync_ti(t, value);
		} else {
			/* Everything else first, then the start. */
			change_cause(t, ~KTB_CAUSE_DC, value);
			sync_ti(t, value);
			ktb_mips_write_cause(t, value, ~0u);
		}
		return;
	}

	running = !ktb_mips_timer_stopped(t);
	if (running)
		now = ktb_mips_freeze(t, &count);
	t->irq->write_cause(t, value);
	sync_ti(t, value);
	if (running)
		ktb_mips_resume(t, now, count);
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_set_cause);

/*
 * Master re-enable: Count continues with its bias unchanged, i.e. as if it
 * had never stopped, and one interrupt is raised if Count passed Compare
 * between the disable (count_resume) and now.
 */
static void master_enable(struct ktb_mips_timer *t)
{
	u64 ticks = (u64)(u32)(t->compare - t->count - 1) + 1;
	ktime_t due = ktime_add_ns(t->count_resume, ticks_to_ns(t, ticks));
	ktime_t now = t->clock->now(t);

	if (ktime_compare(now, due) >= 0)
		t->irq->queue(t);
	ktb_mips_resume(t, now, t->count_bias + ktb_mips_ns_to_ticks(t, now));
}

/**
 * ktb_mips_set_count_ctl() - KVM_SET_ONE_REG of KVM_REG_MIPS_COUNT_CTL
 * @t:   the timer.
 * @ctl: new value; only KTB_COUNT_CTL_DC may be set.
 *
 * Setting DC freezes Count and records the time in count_resume; clearing
 * it resumes Count as if it had never stopped. Setting DC again while set
 * keeps the recorded time.
 *
 * Upstream: kvm_mips_set_count_ctl() in arch/mips/kvm/emulate.c.
 *
 * Return: 0, or -EINVAL for reserved bits (nothing changed).
 */
int ktb_mips_set_count_ctl(struct ktb_mips_timer *t, s64 ctl)
{
	bool cause_dc;

	if (ctl & ~(s64)KTB_COUNT_CTL_DC)
		return -EINVAL;
	if (!((ctl ^ t->count_ctl) & KTB_COUNT_CTL_DC))
		return 0;

	cause_dc = t->irq->read_cause(t) & KTB_CAUSE_DC;
	if (ctl & KTB_COUNT_CTL_DC) {
		if (cause_dc)
			t->count_resume = t->clock->now(t);
		else
			t->count_resume = ktb_mips_freeze(t, &t->count);
		t->count_ctl = ctl;
	} else {
		t->count_ctl = ctl;
		if (!cause_dc)
			master_enable(t);
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_set_count_ctl);

/**
 * ktb_mips_set_count_resume() - KVM_SET_ONE_REG of KVM_REG_MIPS_COUNT_RESUME
 * @t:         the timer.
 * @resume_ns: monotonic time in ns, not in the future.
 *
 * Only records the time; the bias is untouched. A future time is refused
 * because the interrupt check on re-enable could then miss a whole period.
 *
 * Upstream: kvm_mips_set_count_resume() in arch/mips/kvm/emulate.c.
 *
 * Return: 0, or -EINVAL if negative or in the future (nothing changed).
 */
int ktb_mips_set_count_resume(struct ktb_mips_timer *t, s64 resume_ns)
{
	if (resume_ns < 0 || resume_ns > ktime_to_ns(t->clock->now(t)))
		return -EINVAL;
	t->count_resume = ns_to_ktime(resume_ns);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_set_count_resume);

/**
 * ktb_mips_set_count_hz() - KVM_SET_ONE_REG of KVM_REG_MIPS_COUNT_HZ
 * @t:  the timer.
 * @hz: new rate, 1 .. NSEC_PER_SEC.
 *
 * Count is continuous across the change: the bias is recomputed at the
 * new rate for the instant of the change.
 *
 * Upstream: kvm_mips_set_count_hz() in arch/mips/kvm/emulate.c.
 *
 * Return: 0, or -EINVAL if out of range (nothing changed).
 */
int ktb_mips_set_count_hz(struct ktb_mips_timer *t, s64 hz)
{
	bool stopped;
	ktime_t now;
	u32 count;

	if (hz <= 0 || hz > NSEC_PER_SEC)
		return -EINVAL;
	if (hz == t->count_hz)
		return 0;

	stopped = ktb_mips_timer_stopped(t);
	if (stopped) {
		now = count_time(t);
		count = t->count;
	} else {
		now = ktb_mips_freeze(t, &count);
	}

	set_rate(t, hz);
	t->count_bias = count - ktb_mips_ns_to_ticks(t, now);

	if (!stopped)
		ktb_mips_resume(t, now, count);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_set_count_hz);

/**
 * ktb_mips_restore() - hand Count back from hardware to the soft timer
 * @t:         the timer, frozen by ktb_mips_freeze() earlier.
 * @before:    a time shortly before @count was read from hardware.
 * @count:     the hardware Count to continue from.
 * @min_drift: how far (in ticks, negative) @count may lag the soft Count
 *             at @before before the lag is absorbed into the bias.
 *
 * The hardware counter and monotonic time need not agree exactly. A small
 * lag is expected (the hardware was synchronised slightly after the
 * freeze) and is made up by letting Count jump forward a little; a large
 * one moves the bias instead of jumping. If the hardware is ahead, the bias
 * takes the difference so that Count never goes backwards.
 *
 * Upstream: kvm_mips_restore_hrtimer() in arch/mips/kvm/emulate.c.
 *
 * Return: the drift absorbed into the bias, in ticks (0 if none).
 */
int ktb_mips_restore(struct ktb_mips_timer *t, ktime_t before, u32 count,
		     int min_drift)
{
	u32 soft = t->count_bias + ktb_mips_ns_to_ticks(t, before);
	s32 drift = count - soft;
	ktime_t at;
	u64 behind;

	if (drift < min_drift) {
		t->count_bias += drift;
		ktb_mips_resume(t, before, count);
		return drift;
	}

	at = t->clock->now(t);
	soft = t->count_bias + ktb_mips_ns_to_ticks(t, at);
	drift = count - soft;
	if (drift > 0) {
		t->count_bias += drift;
		ktb_mips_resume(t, at, count);
		return drift;
	}

	/* Count lags slightly: resume from the moment the soft Count was it. */
	behind = ticks_to_ns(t, (u32)(soft - count));
	ktb_mips_resume(t, ktime_sub_ns(at, behind), count);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_restore);
