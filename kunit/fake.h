/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A deterministic stand-in for time, the expiry timer and the guest's
 * interrupt line, so the timer core can be driven step by step.
 */
#ifndef KTB_KUNIT_FAKE_H
#define KTB_KUNIT_FAKE_H

#include <kunit/test.h>

#include "core/mips_timer.h"

/**
 * struct ktb_fake - a vCPU timer on a fake clock
 * @t:       the timer under test.
 * @now:     fake monotonic time in ns.
 * @armed:   whether the fake expiry timer is armed.
 * @expiry:  when it fires.
 * @cause:   the guest's CP0 Cause.
 * @irqs:    number of times the core raised the timer interrupt.
 * @acks:    number of times it withdrew it.
 * @wakes:   number of vCPU wake-ups.
 * @fires:   number of expiry callbacks run.
 * @fired_count: guest Count read at the most recent expiry callback.
 * @race_to:   if non-zero, the next dequeue first runs the clock (and so
 *             the expiry timer, if armed) to this time, then clears it.
 */
struct ktb_fake {
	struct ktb_mips_timer t;
	s64 now;
	bool armed;
	s64 expiry;
	u32 cause;
	unsigned int irqs;
	unsigned int acks;
	unsigned int wakes;
	unsigned int fires;
	u32 fired_count;
	s64 race_to;
};

void ktb_fake_init(struct ktb_fake *f, s64 now, u32 hz);
struct ktb_fake *ktb_fake_new(struct kunit *test, s64 now, u32 hz);
void ktb_fake_advance(struct ktb_fake *f, s64 ns);
void ktb_fake_set_time(struct ktb_fake *f, s64 now);
bool ktb_fake_pending(const struct ktb_fake *f);
u32 ktb_fake_peek_count(const struct ktb_fake *f);

#endif /* KTB_KUNIT_FAKE_H */
