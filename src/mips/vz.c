// SPDX-License-Identifier: GPL-2.0
/*
 * VZ guests (kernels 4.12 to 6.2 built without CONFIG_KVM_MIPS_TE): the
 * guest's CP0 Compare and Cause are hardware registers (the guest context
 * of CP0) while the vCPU is loaded, and the guest can be given the
 * hardware timer itself: GuestCtl0.GT, with the guest Count running at the
 * root Count plus GTOffset. This file supplies those registers to the
 * core's handoff policy (core/mips_vz.c) and calls it where the timer
 * changes hands:
 *
 * - the guest gets the hardware timer after an exit this file handled and
 *   just before any re-entry of the guest;
 * - the core takes it back when the vCPU is put (preemption, return to
 *   userspace) and on the guest exits that may touch the timer: guest
 *   privileged sensitive instructions (mfc0/mtc0 of Count and Compare,
 *   RDHWR $2, WAIT), emulated on the core, and guest software field
 *   changes (a Cause.DC write starts or stops Count on the core).
 *
 * The kernel's own timer of an owned vCPU is kept master-disabled, so the
 * kernel never hands the hardware timer to the guest itself.
 *
 * No QEMU CPU implements VZ: this file is compiled against Debian's
 * loongson-3 kernel headers, and the policy it drives is tested by KUnit
 * against a simulated VZ core; it has not run on VZ hardware.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": mips: " fmt

#include <linux/kvm_host.h>
#include <linux/preempt.h>
#include <asm/cpu-features.h>
#include <asm/cpu-info.h>
#include <asm/mipsregs.h>
#include <asm/time.h>

#include "core/mips_insn.h"
#include "core/mips_vz.h"
#include "features.h"
#include "kvm_mips.h"

static struct ktb_mips_vcpu *ktb_vz_v(struct ktb_mips_timer *t)
{
	return container_of(t, struct ktb_mips_vcpu, t);
}

/*
 * Whether this CPU's guest CP0 context holds @v's registers. Callers that
 * write them run with preemption disabled; the only preemptible caller is
 * debugfs, which at worst reads the kernel's saved copy.
 */
static bool ktb_vz_live(struct ktb_mips_vcpu *v)
{
	return READ_ONCE(v->cpu) == raw_smp_processor_id();
}

/* The hardware ops touch this CPU's guest context: it must be @t's. */
static void ktb_vz_check(struct ktb_mips_timer *t)
{
	WARN_ON_ONCE(!ktb_vz_live(ktb_vz_v(t)));
}

static u32 ktb_vz_host_count(struct ktb_mips_timer *t)
{
	return read_c0_count();
}

static u32 ktb_vz_host_hz(struct ktb_mips_timer *t)
{
	return mips_hpt_frequency;
}

static u32 ktb_vz_gtoffset_mask(struct ktb_mips_timer *t)
{
	return current_cpu_data.gtoffset_mask;
}

static void ktb_vz_write_gtoffset(struct ktb_mips_timer *t, u32 offset)
{
	ktb_vz_check(t);
	write_c0_gtoffset(offset);
	back_to_back_c0_hazard();
}

static u32 ktb_vz_guest_count(struct ktb_mips_timer *t)
{
	return read_gc0_count();
}

static u32 ktb_vz_guest_compare(struct ktb_mips_timer *t)
{
	return read_gc0_compare();
}

static void ktb_vz_write_guest_compare(struct ktb_mips_timer *t, u32 compare)
{
	ktb_vz_check(t);
	write_gc0_compare(compare);
	back_to_back_c0_hazard();
}

static u32 ktb_vz_guest_cause(struct ktb_mips_timer *t)
{
	return read_gc0_cause();
}

static void ktb_vz_write_guest_cause(struct ktb_mips_timer *t, u32 cause)
{
	ktb_vz_check(t);
	write_gc0_cause(cause);
	back_to_back_c0_hazard();
}

static bool ktb_vz_gt(struct ktb_mips_timer *t)
{
	return read_c0_guestctl0() & MIPS_GCTL0_GT;
}

static void ktb_vz_set_gt(struct ktb_mips_timer *t, bool on)
{
	ktb_vz_check(t);
	if (on)
		set_c0_guestctl0(MIPS_GCTL0_GT);
	else
		clear_c0_guestctl0(MIPS_GCTL0_GT);
	back_to_back_c0_hazard();
}

static const struct ktb_mips_hw_timer_ops ktb_vz_hw = {
	.host_count = ktb_vz_host_count,
	.host_hz = ktb_vz_host_hz,
	.gtoffset_mask = ktb_vz_gtoffset_mask,
	.write_gtoffset = ktb_vz_write_gtoffset,
	.guest_count = ktb_vz_guest_count,
	.guest_compare = ktb_vz_guest_compare,
	.write_guest_compare = ktb_vz_write_guest_compare,
	.guest_cause = ktb_vz_guest_cause,
	.write_guest_cause = ktb_vz_write_guest_cause,
	.gt = ktb_vz_gt,
	.set_gt = ktb_vz_set_gt,
};

/* Owned timers hand over to and from the hardware guest timer. */
const struct ktb_mips_hw_timer_ops *const ktb_mips_mode_hw_timer = &ktb_vz_hw;

/**
 * ktb_mips_guest_compare() - the guest's CP0 Compare
 * @v: an owned vCPU.
 *
 * Context: preemption disabled.
 * Return: the hardware register while @v is loaded here, else the
 * kernel's saved copy.
 */
u32 ktb_mips_guest_compare(struct ktb_mips_vcpu *v)
{
	return ktb_vz_live(v) ? read_gc0_compare() :
	       kvm_read_sw_gc0_compare(ktb_cop0(v->vcpu));
}

/**
 * ktb_mips_set_guest_compare() - set the guest's CP0 Compare
 * @v:       an owned vCPU.
 * @compare: the value; in hardware this acknowledges Cause.TI.
 *
 * Context: preemption disabled.
 */
void ktb_mips_set_guest_compare(struct ktb_mips_vcpu *v, u32 compare)
{
	if (ktb_vz_live(v)) {
		write_gc0_compare(compare);
		back_to_back_c0_hazard();
	} else {
		kvm_write_sw_gc0_compare(ktb_cop0(v->vcpu), compare);
	}
}

/**
 * ktb_mips_guest_cause() - the guest's CP0 Cause
 * @v: an owned vCPU.
 *
 * Context: preemption disabled, except for a debugfs read.
 * Return: the hardware register while @v is loaded here, else the
 * kernel's saved copy.
 */
u32 ktb_mips_guest_cause(struct ktb_mips_vcpu *v)
{
	return ktb_vz_live(v) ? read_gc0_cause() :
	       kvm_read_sw_gc0_cause(ktb_cop0(v->vcpu));
}

/**
 * ktb_mips_set_guest_cause() - set the guest's CP0 Cause
 * @v:     an owned vCPU.
 * @cause: the value.
 *
 * Context: preemption disabled.
 */
void ktb_mips_set_guest_cause(struct ktb_mips_vcpu *v, u32 cause)
{
	if (ktb_vz_live(v)) {
		write_gc0_cause(cause);
		back_to_back_c0_hazard();
	} else {
		kvm_write_sw_gc0_cause(ktb_cop0(v->vcpu), cause);
	}
}

/**
 * ktb_mips_mode_adopted() - a vCPU's timer was just taken over
 * @v: the vCPU.
 *
 * Master-disable the kernel's own copy of the timer: the kernel then
 * considers its timer stopped and never gives the guest the hardware
 * timer itself. Handing the timer back restores the real COUNT_CTL.
 */
void ktb_mips_mode_adopted(struct ktb_mips_vcpu *v)
{
	v->vcpu->arch.count_ctl |= KVM_REG_MIPS_COUNT_CTL_DC;
}

/* Give the guest the hardware timer if the policy allows. */
static void give_hw_timer(struct ktb_mips_vcpu *v)
{
	ktb_vz_give(&v->t);
	WRITE_ONCE(v->hw_timer, ktb_vz_gt(&v->t));
}

/* Run the guest timer on the core from here on. */
static void take_hw_timer(struct ktb_mips_vcpu *v)
{
	ktb_vz_take(&v->t);
	WRITE_ONCE(v->hw_timer, false);
}

/**
 * ktb_mips_mode_put() - an owned vCPU is being put
 * @v: the vCPU.
 *
 * The hardware timer does not survive a put: the core takes it back while
 * the guest context is still this vCPU's.
 *
 * Context: interrupts disabled.
 */
void ktb_mips_mode_put(struct ktb_mips_vcpu *v)
{
	take_hw_timer(v);
}

/*
 * A guest exit of an owned vCPU, preemption disabled. The instruction is
 * the one BadInstr captured: without BadInstr the kernel emulates the exit
 * with the timer handed back.
 */
static enum ktb_emul ktb_vz_exit(struct ktb_mips_vcpu *v)
{
	struct kvm_vcpu *vcpu = v->vcpu;
	u32 gexc = (vcpu->arch.host_cp0_guestctl0 & MIPS_GCTL0_GEXC) >>
		   MIPS_GCTL0_GEXC_SHIFT;
	struct ktb_mips_timer_insn insn;
	struct ktb_mips_branch branch;

	if (gexc != MIPS_GCTL0_GEXC_GPSI && gexc != MIPS_GCTL0_GEXC_GSFC)
		return KTB_EMUL_OTHER;
	/* Either may touch the timer, and WAIT sleeps on the core's. */
	take_hw_timer(v);
	if (!cpu_has_badinstr)
		return KTB_EMUL_KERNEL;
	if (!ktb_mips_decode_timer_insn(vcpu->arch.host_cp0_badinstr, &insn))
		return KTB_EMUL_OTHER;

	if (gexc == MIPS_GCTL0_GEXC_GSFC) {
		/*
		 * A guest Cause write that changes DC: start or stop Count on
		 * the core, then let the kernel complete the write (its other
		 * bits, the PC), which then sees no DC change.
		 */
		if (insn.write && insn.reg == KTB_CP0_CAUSE)
			ktb_mips_exec_timer_insn(&v->t, &insn,
						 vcpu->arch.gprs[insn.rt],
						 KTB_CAUSE_DC);
		return KTB_EMUL_OTHER;
	}
	/* Cause is not a sensitive instruction's: as the kernel does. */
	if (insn.reg == KTB_CP0_CAUSE)
		return KTB_EMUL_OTHER;
	if (!(vcpu->arch.host_cp0_cause & CAUSEF_BD))
		return ktb_mips_emulate(v, &insn, 0, NULL);
	/* In a delay slot: BadInstrP holds the branch, if the CPU has it. */
	if (!cpu_has_badinstrp ||
	    !ktb_mips_eval_branch(vcpu->arch.host_cp0_badinstrp,
				  vcpu->arch.pc, vcpu->arch.gprs, &branch))
		return KTB_EMUL_KERNEL;
	return ktb_mips_emulate(v, &insn, 0, &branch);
}

static int ktb_vz_handle_guest_exit(struct kvm_vcpu *vcpu)
{
	enum ktb_emul how = KTB_EMUL_OTHER;
	struct ktb_mips_vcpu *v;
	enum ktb_mips_hold hold;
	int ret;

	/* The kernel's exit handlers can fault on guest memory. */
	v = ktb_mips_enter_guest_exit(vcpu, &hold);
	if (v) {
		preempt_disable();
		how = ktb_vz_exit(v);
		preempt_enable();
	}
	ret = ktb_mips_dispatch(vcpu, how,
				ktb_mips_kernel_cb->handle_guest_exit);
	/*
	 * Back to the guest: give it the hardware timer now, before the
	 * kernel delivers pending interrupts, so one the handover raises
	 * goes in with this entry.
	 */
	if (v && ret == RESUME_GUEST) {
		preempt_disable();
		give_hw_timer(v);
		preempt_enable();
	}
	ktb_mips_leave_guest_exit(hold);
	return ret;
}

/*
 * Every re-entry after an exit: interrupts are off. After a put (the vCPU
 * was preempted while handling the exit) the hardware timer is given back
 * here; an interrupt the handover raises then reaches the guest at its
 * next exit, as the kernel has already delivered this entry's.
 */
static void ktb_vz_vcpu_reenter(struct kvm_vcpu *vcpu)
{
	struct ktb_mips_vcpu *v;

	ktb_mips_enter();
	v = ktb_mips_owned(vcpu);
	if (v)
		give_hw_timer(v);
	ktb_mips_kernel_cb->vcpu_reenter(vcpu);
	ktb_mips_exit();
}

/**
 * ktb_mips_mode_decide() - under VZ, only whether to stay on the exit path
 * @cb:         the module's callbacks table, installed.
 * @vcpu:       the first vCPU.
 * @own_timers: this module runs every vCPU's timer.
 *
 * The trap-and-emulate delivery bugs do not exist here; VZ kernels (4.12
 * on) always have the master disable registers. Where this module will
 * own no vCPU's timer, the kernel's exit and re-entry handlers go back
 * into @cb.
 */
void ktb_mips_mode_decide(struct kvm_mips_callbacks *cb, struct kvm_vcpu *vcpu,
			  bool own_timers)
{
	if (own_timers)
		return;
	WRITE_ONCE(cb->handle_guest_exit, ktb_mips_kernel_cb->handle_guest_exit);
	WRITE_ONCE(cb->vcpu_reenter, ktb_mips_kernel_cb->vcpu_reenter);
}

/**
 * ktb_mips_mode_cause_set() - nothing to fix after a ONE_REG Cause write
 * @vcpu:  the vCPU.
 * @cause: the value written.
 */
void ktb_mips_mode_cause_set(struct kvm_vcpu *vcpu, s64 cause)
{
}

/**
 * ktb_mips_mode_attach() - install the VZ wrappers
 * @cb: this module's copy of the callbacks.
 *
 * They only act on vCPUs whose timer this module owns, which under VZ
 * happens in mode=takeover. The first entry of KVM_RUN is not wrapped (a
 * wrapper would stay on the stack for the whole run): until the guest's
 * first exit, the soft timer runs it and guest timer accesses trap to this
 * file.
 */
void ktb_mips_mode_attach(struct kvm_mips_callbacks *cb)
{
	if (ktb_mode == KTB_MODE_DEFER)
		return;
	if (ktb_mode == KTB_MODE_TAKEOVER)
		pr_warn("VZ takeover has been compiled and simulated, never run on VZ hardware\n");
	cb->handle_guest_exit = ktb_vz_handle_guest_exit;
	cb->vcpu_reenter = ktb_vz_vcpu_reenter;
}
