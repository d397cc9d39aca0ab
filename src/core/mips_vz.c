// SPDX-License-Identifier: GPL-2.0
/*
 * Moving the MIPS guest timer between the soft timer and the VZ hardware
 * guest timer without losing an interrupt or letting Count run backwards.
 */
#include <linux/export.h>
#include <linux/irqflags.h>
#include <kunit/visibility.h>

#include "core/mips_vz.h"

/*
 * True if @compare lies in (@start, @end] on the 32-bit Count circle, i.e.
 * Count passed it while moving from @start to @end.
 */
static bool passed(u32 start, u32 end, u32 compare)
{
	return end - start > compare - start - 1;
}

/**
 * ktb_vz_can_give() - whether the hardware can run this timer
 * @t: the timer.
 *
 * Only a running timer at exactly the root Count rate can be handed over,
 * and only if GTOffset is as wide as Count.
 *
 * Upstream: kvm_vz_should_use_htimer() in arch/mips/kvm/vz.c.
 *
 * Return: true if ktb_vz_give() would hand the timer to the hardware.
 */
bool ktb_vz_can_give(struct ktb_mips_timer *t)
{
	return !ktb_mips_timer_stopped(t) &&
	       t->hw->host_hz(t) == t->count_hz &&
	       t->hw->gtoffset_mask(t) == 0xffffffffu;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_vz_can_give);

/**
 * ktb_vz_give() - give the guest the hardware timer
 * @t: the timer.
 *
 * Does nothing if the hardware already owns it or cannot run it.
 *
 * Upstream: kvm_vz_acquire_htimer() with _kvm_vz_restore_htimer() in
 * arch/mips/kvm/vz.c.
 *
 * Context: preemption disabled, vCPU loaded on this CPU.
 */
void ktb_vz_give(struct ktb_mips_timer *t)
{
	const struct ktb_mips_hw_timer_ops *hw = t->hw;
	unsigned long flags;
	u32 start, now;

	if (hw->gt(t) || !ktb_vz_can_give(t))
		return;

	hw->set_gt(t, true);

	/* Interrupts off: the gap between sample and offset write is drift. */
	local_irq_save(flags);
	ktb_mips_freeze(t, &start);
	hw->write_gtoffset(t, start - hw->host_count(t));
	local_irq_restore(flags);

	/*
	 * Guest Compare and Cause are already in the hardware (the soft timer
	 * writes Compare through, and Cause is the guest's own register). The
	 * hardware only matches Compare from the offset write on: raise an
	 * interrupt for a match the handover itself stepped over.
	 */
	now = hw->guest_count(t);
	if (passed(start, now, t->compare))
		t->irq->queue(t);
}
EXPORT_SYMBOL_IF_KUNIT(ktb_vz_give);

/**
 * ktb_vz_take() - take the timer back from the hardware
 * @t: the timer.
 *
 * The guest may have changed Compare directly while it owned the timer;
 * that value is taken over. Count continues from the hardware Count.
 *
 * Upstream: kvm_vz_lose_htimer() with _kvm_vz_save_htimer() in
 * arch/mips/kvm/vz.c.
 *
 * Context: preemption disabled, vCPU loaded on this CPU.
 */
void ktb_vz_take(struct ktb_mips_timer *t)
{
	const struct ktb_mips_hw_timer_ops *hw = t->hw;
	u32 compare, cause, before, end;
	ktime_t before_time;

	if (!hw->gt(t))
		return;

	hw->set_gt(t, false);

	compare = hw->guest_compare(t);
	before_time = t->clock->now(t);
	/*
	 * Count before Cause: every match up to @before is reflected in the
	 * Cause we save. Count again after it: a match in between is raised
	 * here, and none after @end is the hardware's any more.
	 */
	before = hw->guest_count(t);
	cause = hw->guest_cause(t);
	end = hw->guest_count(t);
	if (passed(before, end, compare))
		t->irq->queue(t);

	t->compare = compare;
	ktb_mips_restore(t, before_time, end, KTB_VZ_MIN_DRIFT);

	ktb_mips_park_hw_count(t, compare);
	hw->write_guest_cause(t, cause);
}
EXPORT_SYMBOL_IF_KUNIT(ktb_vz_take);
