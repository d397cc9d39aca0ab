// SPDX-License-Identifier: GPL-2.0
/*
 * Kernels with the 3.16 timer (count_bias, count_hz, count_ctl, ... in
 * struct kvm_vcpu_arch): the kernel's timer state and this module's are
 * the same model, so a vCPU's timer moves between them exactly, armed
 * expiry included. Built where the kernel's header declares count_hz.
 */
#include <linux/hrtimer.h>
#include <linux/kvm_host.h>

#include "kvm_mips.h"

const char *const ktb_mips_kernel_timer_kind = "3.16+ timer, carried over exactly";

/**
 * ktb_mips_kernel_timer_adopt() - take the kernel's timer state over
 * @v:       a vCPU this module now owns.
 * @armed:   the kernel's expiry timer was armed when it was stopped.
 * @expires: its expiry then.
 *
 * Context: preemption disabled; the kernel's timer is stopped.
 */
void ktb_mips_kernel_timer_adopt(struct ktb_mips_vcpu *v, bool armed,
				 ktime_t expires)
{
	struct kvm_vcpu_arch *a = &v->vcpu->arch;
	struct ktb_mips_timer *t = &v->t;

	t->count_ctl = a->count_ctl;
	t->count_bias = a->count_bias;
	t->count_hz = a->count_hz;
	t->count_dyn_bias = a->count_dyn_bias;
	t->count_resume = a->count_resume;
	t->count_period = a->count_period;
	ktb_mips_scale_init(&t->scale, t->count_hz);
	t->count = kvm_read_c0_guest_count(ktb_cop0(v->vcpu));
	t->compare = ktb_mips_guest_compare(v);
	if (armed)
		ktb_mips_timer_arm(t, expires);
}

/**
 * ktb_mips_kernel_timer_hand_back() - give the timer back to the kernel
 * @v:     an owned vCPU.
 * @armed: this module's expiry timer was armed when it was stopped.
 *
 * The kernel's timer continues exactly where this module's stopped.
 *
 * Context: preemption disabled; this module's timer is stopped and the
 * kernel's has its own callback again.
 */
void ktb_mips_kernel_timer_hand_back(struct ktb_mips_vcpu *v, bool armed)
{
	struct kvm_vcpu_arch *a = &v->vcpu->arch;
	struct ktb_mips_timer *t = &v->t;

	a->count_ctl = t->count_ctl;
	a->count_bias = t->count_bias;
	a->count_hz = t->count_hz;
	a->count_dyn_bias = t->count_dyn_bias;
	a->count_resume = t->count_resume;
	a->count_period = t->count_period;
	kvm_write_c0_guest_count(ktb_cop0(v->vcpu), t->count);
	/* Unchanged under VZ, where a write would acknowledge Cause.TI. */
	if (ktb_mips_guest_compare(v) != t->compare)
		ktb_mips_set_guest_compare(v, t->compare);
	if (armed)
		hrtimer_start(&a->comparecount_timer, READ_ONCE(t->expires),
			      HRTIMER_MODE_ABS);
}
