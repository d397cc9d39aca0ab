// SPDX-License-Identifier: GPL-2.0
/*
 * ktb_slowcb: a test fixture for make stress, never shipped.
 *
 * Holds kvm_timer_backport's next calls into KVM's
 * kvm_mips_dequeue_timer_int_cb() for a while, with interrupts enabled.
 * The module calls it to withdraw the guest's timer interrupt when a
 * ONE_REG write of Cause clears TI; an expiry that fires after the write
 * began must not be withdrawn with it (issue 12, finding 8). Held, the
 * call is where such an expiry lands if the module lets the timer run
 * across the write.
 *
 * How: a kprobe on the function; when the call comes from the module's
 * text (the return address in ra, at the function's first instruction)
 * and a shot is armed, the pre-handler spins for delay_us before letting
 * the function run. MIPS runs kprobe handlers from the breakpoint
 * exception with interrupts enabled, so a timer interrupt is taken during
 * the spin. It also notes whether the vCPU (the first argument) already
 * had its timer interrupt queued when the hold began: then the expiry
 * came before the write, and withdrawing it is right.
 *
 * Built against the Malta 5.10 tree of the stress rig: the queued timer
 * interrupt is bit MIPS_EXC_INT_TIMER (7, arch/mips/kvm/interrupt.h, not
 * a public header) of vcpu->arch.pending_exceptions there.
 *
 * Parameters (/sys/module/ktb_slowcb/parameters/):
 *   shots       calls still to hold (write to arm)
 *   delay_us    how long each is held (default 10000)
 *   held        calls held so far
 *   early       of those, how many found the timer interrupt queued
 *               when the hold began
 */
#include <linux/bitops.h>
#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/spinlock.h>

#include "kfixture.h"

#define TIMER_EXC	7	/* MIPS_EXC_INT_TIMER */

static int shots;
module_param(shots, int, 0644);
MODULE_PARM_DESC(shots, "calls still to hold");

static unsigned int delay_us = 10000;
module_param(delay_us, uint, 0644);
MODULE_PARM_DESC(delay_us, "how long each held call spins first");

static int held;
module_param(held, int, 0444);
MODULE_PARM_DESC(held, "calls held so far");

static int early;
module_param(early, int, 0444);
MODULE_PARM_DESC(early, "held calls that found the timer interrupt already queued");

/* The counters, written here and through sysfs. */
static DEFINE_SPINLOCK(shot_lock);

static int hold_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct kvm_vcpu *vcpu = (struct kvm_vcpu *)regs->regs[4];
	unsigned int us = READ_ONCE(delay_us);
	unsigned long irqflags;

	if (!READ_ONCE(shots) || !kfixture_from_target(regs->regs[31]) ||
	    !kfixture_take_shot(&shot_lock, &shots, &held))
		return 0;
	if (test_bit(TIMER_EXC, &vcpu->arch.pending_exceptions)) {
		spin_lock_irqsave(&shot_lock, irqflags);
		WRITE_ONCE(early, early + 1);
		spin_unlock_irqrestore(&shot_lock, irqflags);
	}
	mdelay(us / 1000);
	udelay(us % 1000);
	return 0;
}

static struct kprobe hold_probe = {
	.symbol_name = "kvm_mips_dequeue_timer_int_cb",
	.pre_handler = hold_pre,
};

static int __init slowcb_init(void)
{
	return register_kprobe(&hold_probe);
}
module_init(slowcb_init);

static void __exit slowcb_exit(void)
{
	unregister_kprobe(&hold_probe);
}
module_exit(slowcb_exit);

MODULE_DESCRIPTION("Test fixture: hold kvm_timer_backport's calls into KVM's timer dequeue");
MODULE_LICENSE("GPL");
