/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reference model of the MIPS guest timer, written from the spec
 * (upstream-semantics.md, sections 2 and 3) and kept deliberately plain so
 * that it does not share the core's mistakes: Count is bias + ticks(now mod
 * period) computed from scratch every time (no cached dynamic bias), the
 * pending expiry is a single absolute time, and every register write is
 * spelled out on its own. mips_model_kunit.c checks it against values
 * worked out by hand; mips_diff_kunit.c runs the core against it.
 */
#ifndef KTB_KUNIT_MIPS_MODEL_H
#define KTB_KUNIT_MIPS_MODEL_H

#include <linux/types.h>

#include "core/mips_timer.h"

/* What a raised timer interrupt sets in Cause. */
#define REF_TI		(KTB_CAUSE_TI | KTB_CAUSE_IP7)

/**
 * struct ref_timer - the guest timer as the spec describes it, nothing more
 * @now:       the current time in ns.
 * @hz:        the Count rate (COUNT_HZ).
 * @period:    nanoseconds per 2^32 ticks at @hz.
 * @bias:      Count minus ticks(now), while running.
 * @held:      Count while stopped.
 * @compare:   CP0 Compare.
 * @cause:     CP0 Cause.
 * @master_dc: COUNT_CTL.DC.
 * @resume:    COUNT_RESUME.
 * @expiry:    when the expiry timer fires next, while running.
 * @irqs:      how many times the timer interrupt was raised.
 *
 * "Running" means neither COUNT_CTL.DC nor Cause.DC is set: Count is then
 * @bias + ticks(@now) and the expiry timer is armed for @expiry; while
 * stopped, Count is @held and no timer is armed.
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

/**
 * ref_reset() - a freshly reset timer: Count 0, running unless @cause has DC
 * @r:       the model.
 * @hz:      Count rate.
 * @now:     the time of the reset.
 * @compare: initial Compare.
 * @cause:   initial Cause.
 * @resume:  initial COUNT_RESUME.
 */
void ref_reset(struct ref_timer *r, u32 hz, s64 now, u32 compare, u32 cause,
	       s64 resume);

/**
 * ref_ticks() - ticks elapsed at a time, modulo 2^32
 * @r:  the model (its rate).
 * @ns: the time, >= 0.
 *
 * Return: floor((@ns mod period) * hz / 10^9).
 */
u32 ref_ticks(const struct ref_timer *r, s64 ns);

/**
 * ref_ns() - whole nanoseconds a number of ticks takes (rounded down)
 * @r:     the model (its rate).
 * @ticks: the ticks, at most 2^32.
 *
 * Return: floor(@ticks * 10^9 / hz).
 */
u64 ref_ns(const struct ref_timer *r, u64 ticks);

/**
 * ref_ticks_until() - ticks until Count next equals Compare
 * @compare: Compare.
 * @count:   Count now.
 *
 * Return: 1..2^32; a whole round when they are already equal.
 */
u64 ref_ticks_until(u32 compare, u32 count);

/**
 * ref_running() - whether Count runs
 * @r: the model.
 *
 * Return: true unless COUNT_CTL.DC or Cause.DC is set.
 */
bool ref_running(const struct ref_timer *r);

/**
 * ref_peek() - Count as seen from outside, without any side effect
 * @r: the model.
 *
 * Return: Count at the model's current time.
 */
u32 ref_peek(const struct ref_timer *r);

/**
 * ref_advance() - let time pass; every expiry on the way raises the interrupt
 * @r:  the model.
 * @to: the new time, not before the current one.
 */
void ref_advance(struct ref_timer *r, s64 to);

/**
 * ref_read_count() - a guest read of Count, which may deliver a due interrupt
 * @r: the model.
 *
 * Return: Count.
 */
u32 ref_read_count(struct ref_timer *r);

/**
 * ref_write_count() - a write of Count (guest or ONE_REG)
 * @r:     the model.
 * @count: the value.
 */
void ref_write_count(struct ref_timer *r, u32 count);

/**
 * ref_write_compare() - a write of Compare
 * @r:       the model.
 * @compare: the value.
 * @ack:     a guest write, which also clears a pending timer interrupt;
 *           false for a ONE_REG write.
 */
void ref_write_compare(struct ref_timer *r, u32 compare, bool ack);

/**
 * ref_write_cause() - a write of the bits @mask of Cause
 * @r:     the model.
 * @value: the new bits.
 * @mask:  KTB_CAUSE_GUEST_WRITABLE for a guest write, ~0 for ONE_REG.
 */
void ref_write_cause(struct ref_timer *r, u32 value, u32 mask);

/**
 * ref_set_count_ctl() - a ONE_REG write of COUNT_CTL
 * @r:   the model.
 * @ctl: the value.
 *
 * Return: 0, or -EINVAL (reserved bits set; nothing changes).
 */
int ref_set_count_ctl(struct ref_timer *r, s64 ctl);

/**
 * ref_set_count_resume() - a ONE_REG write of COUNT_RESUME
 * @r:  the model.
 * @ns: the value.
 *
 * Return: 0, or -EINVAL (negative or in the future; nothing changes).
 */
int ref_set_count_resume(struct ref_timer *r, s64 ns);

/**
 * ref_set_count_hz() - a ONE_REG write of COUNT_HZ
 * @r:  the model.
 * @hz: the value.
 *
 * Return: 0, or -EINVAL (not in 1..10^9; nothing changes).
 */
int ref_set_count_hz(struct ref_timer *r, s64 hz);

#endif /* KTB_KUNIT_MIPS_MODEL_H */
