// SPDX-License-Identifier: GPL-2.0
/*
 * Kernels with the timer of before 3.16: struct kvm_vcpu_arch has no
 * count_bias, count_hz or count_ctl; guest Count reads come from the
 * host's Count, and comparecount_timer is a periodic tick that raises the
 * timer interrupt whatever Compare says. Nothing of that is a state worth
 * carrying over, so this module starts a vCPU's timer from the guest's
 * CP0 registers alone, and never gives it back for longer than one
 * instruction the kernel must emulate. Built where the kernel's header
 * does not declare count_hz.
 */
#include <linux/kvm_host.h>
#include <asm/mipsregs.h>

#include "kvm_mips.h"

const char *const ktb_mips_kernel_timer_kind = "periodic tick of before 3.16, not carried over";

/**
 * ktb_mips_kernel_timer_adopt() - start (or continue) this module's timer
 * @v:       a vCPU this module owns.
 * @armed:   unused: the kernel's tick says nothing about Compare.
 * @expires: unused.
 *
 * The first time, Count continues from what the guest last saw, at the
 * trap-and-emulate rate of 100 MHz against the guest's Compare, as the
 * 3.16 timer runs. These kernels give the guest the host's Count divided
 * by 4 (a vCPU set up after this module was loaded starts at 0 instead,
 * see ktb_start()). After the kernel emulated an access (see
 * ktb_mips_kernel_timer_hand_back()), the timer carries on with its own
 * state: only a Compare the kernel stored is taken, as the guest write it
 * was, and the expiry timer stopped for the hand-back is armed again.
 *
 * Context: preemption disabled; the kernel's timer is stopped.
 */
void ktb_mips_kernel_timer_adopt(struct ktb_mips_vcpu *v, bool armed,
				 ktime_t expires)
{
	struct ktb_mips_timer *t = &v->t;
	u32 compare = ktb_mips_guest_compare(v);
	ktime_t now;
	u32 count;

	if (!t->count_hz) {
		t->compare = compare;
		ktb_mips_timer_reset(t, KTB_MIPS_DEFAULT_HZ);
		ktb_mips_write_count(t, read_c0_count() >> 2);
		return;
	}
	if (!ktb_mips_timer_stopped(t)) {
		now = ktb_mips_freeze(t, &count);
		ktb_mips_resume(t, now, count);
	}
	if (compare != t->compare)
		ktb_mips_write_compare(t, compare, true);
}

/**
 * ktb_mips_kernel_timer_hand_back() - let the kernel emulate one access
 * @v:     an owned vCPU.
 * @armed: unused: the kernel's periodic tick is not restarted.
 *
 * The kernel reads Count and Compare from its CP0 array: give it the
 * current values, which ktb_mips_kernel_timer_adopt() takes back after
 * its emulation.
 *
 * Context: preemption disabled; this module's timer is stopped.
 */
void ktb_mips_kernel_timer_hand_back(struct ktb_mips_vcpu *v, bool armed)
{
	struct ktb_mips_timer *t = &v->t;

	kvm_write_c0_guest_count(ktb_cop0(v->vcpu),
				 ktb_mips_peek_count(t, t->clock->now(t)));
	ktb_mips_set_guest_compare(v, t->compare);
}
