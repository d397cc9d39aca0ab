// SPDX-License-Identifier: GPL-2.0
/*
 * Trap-and-emulate guests (kernels up to 5.12 built with
 * CONFIG_KVM_MIPS_TE): every guest CP0 access traps. The instruction that
 * trapped is decoded and, when it is a guest access to CP0 Count, Compare
 * or Cause (mfc0/mtc0 and their 64-bit forms) or RDHWR $2, carried out on
 * the timer core. Anything else, and any case this file cannot handle
 * exactly, is left to the kernel's own emulation. The guest's registers
 * live in the kernel's CP0 array.
 */
#include <linux/kvm_host.h>
#include <linux/uaccess.h>
#include <asm/mipsregs.h>

#include "core/mips_insn.h"
#include "kvm_mips.h"

/*
 * The timer's interrupt priority in KVM's private interrupt numbering
 * (MIPS_EXC_INT_TIMER in arch/mips/kvm/interrupt.h, the same from 3.10 to
 * 5.12, the last kernel with trap-and-emulate).
 */
#define KTB_MIPS_EXC_INT_TIMER	7
#define KTB_HWR_CC		2

/* No hardware guest timer. */
const struct ktb_vz_hw_ops *const ktb_mips_mode_vz;

/**
 * ktb_mips_guest_compare() - the guest's CP0 Compare as the kernel holds it
 * @v: an owned vCPU.
 *
 * Return: the kernel's copy of the guest's Compare.
 */
u32 ktb_mips_guest_compare(struct ktb_mips_vcpu *v)
{
	return kvm_read_c0_guest_compare(ktb_cop0(v->vcpu));
}

/**
 * ktb_mips_set_guest_compare() - set the kernel's copy of guest Compare
 * @v:       an owned vCPU.
 * @compare: the value.
 */
void ktb_mips_set_guest_compare(struct ktb_mips_vcpu *v, u32 compare)
{
	kvm_write_c0_guest_compare(ktb_cop0(v->vcpu), compare);
}

/**
 * ktb_mips_guest_cause() - the guest's CP0 Cause
 * @v: an owned vCPU.
 *
 * Return: the kernel's copy of the guest's Cause.
 */
u32 ktb_mips_guest_cause(struct ktb_mips_vcpu *v)
{
	return kvm_read_c0_guest_cause(ktb_cop0(v->vcpu));
}

/**
 * ktb_mips_set_guest_cause() - set the guest's CP0 Cause
 * @v:     an owned vCPU.
 * @cause: the value.
 */
void ktb_mips_set_guest_cause(struct ktb_mips_vcpu *v, u32 cause)
{
	kvm_write_c0_guest_cause(ktb_cop0(v->vcpu), cause);
}

/**
 * ktb_mips_mode_adopted() - a vCPU's timer was just taken over
 * @v: the vCPU.
 *
 * Nothing to do: the kernel's timer is only ever consulted through the
 * exits this file wraps.
 */
void ktb_mips_mode_adopted(struct ktb_mips_vcpu *v)
{
}

/**
 * ktb_mips_mode_put() - an owned vCPU is being put
 * @v: the vCPU.
 *
 * Nothing to do: the timer does not depend on the CPU's state.
 */
void ktb_mips_mode_put(struct ktb_mips_vcpu *v)
{
}

/*
 * Read the guest instruction at @pc. During exit handling the guest's
 * address space is the live one, as long as nothing switches it away (IRQs
 * off) and no pending TLB flush makes a mapping stale: the kernel flushes
 * those before such reads, which a module cannot do, so with a request
 * pending this gives up and the kernel handles the trap. A fault also
 * gives up rather than being serviced here.
 */
static bool ktb_te_read_inst(struct kvm_vcpu *vcpu, bool bd, u32 *inst)
{
	/* In a branch delay slot, EPC is the branch: the access follows it. */
	u32 __user *pc = (u32 __user *)vcpu->arch.pc + bd;
	unsigned long flags;
	int err = -EAGAIN;

	if (vcpu->arch.pc & 3)
		return false;
	local_irq_save(flags);
	/*
	 * As the kernel's own reader: announce the read before looking for
	 * flush requests, so a later requester must IPI us (and wait for
	 * IRQs to come back on) instead of assuming we see its change.
	 */
	smp_store_mb(vcpu->mode, READING_SHADOW_PAGE_TABLES);
	if (!kvm_request_pending(vcpu)) {
		pagefault_disable();
		err = __get_user(*inst, pc);
		pagefault_enable();
	}
	/* The read is complete before the requester may skip the IPI. */
	smp_store_release(&vcpu->mode, OUTSIDE_GUEST_MODE);
	local_irq_restore(flags);
	return !err;
}

/* RDHWR $2 that the guest may execute (else the kernel raises RI)? */
static bool ktb_te_rdhwr_allowed(struct kvm_vcpu *vcpu)
{
	return KVM_GUEST_KERNEL_MODE(vcpu) ||
	       (kvm_read_c0_guest_hwrena(ktb_cop0(vcpu)) & BIT(KTB_HWR_CC));
}

/*
 * Emulate a trapped guest timer access of an owned vCPU. An access inside
 * a branch delay slot would mean emulating the branch as well, which stays
 * with the kernel; so does an instruction that cannot be read here.
 */
static enum ktb_emul ktb_te_emulate(struct ktb_mips_vcpu *v, bool cop_unusable)
{
	struct kvm_vcpu *vcpu = v->vcpu;
	bool bd = vcpu->arch.host_cp0_cause & CAUSEF_BD;
	struct ktb_mips_timer_insn insn;
	u32 word;

	if (!ktb_te_read_inst(vcpu, bd, &word))
		return KTB_EMUL_KERNEL;
	/* CP0 accesses trap as coprocessor unusable, RDHWR as reserved. */
	if (!ktb_mips_decode_timer_insn(word, &insn) ||
	    insn.rdhwr == cop_unusable ||
	    (insn.rdhwr && !ktb_te_rdhwr_allowed(vcpu)))
		return KTB_EMUL_OTHER;
	if (bd)
		return KTB_EMUL_KERNEL;

	return ktb_mips_emulate(v, &insn, KTB_CAUSE_GUEST_WRITABLE);
}

static int ktb_te_handle_exit(struct kvm_vcpu *vcpu, bool cop_unusable)
{
	int (*handler)(struct kvm_vcpu *vcpu) = cop_unusable ?
		ktb_mips_kernel_cb->handle_cop_unusable :
		ktb_mips_kernel_cb->handle_res_inst;
	enum ktb_emul how = KTB_EMUL_OTHER;
	struct ktb_mips_vcpu *v;
	int ret;

	ktb_mips_enter();
	v = ktb_mips_owned(vcpu);
	if (v)
		how = ktb_te_emulate(v, cop_unusable);
	ret = ktb_mips_dispatch(vcpu, how, handler);
	ktb_mips_exit();
	return ret;
}

static int ktb_te_handle_cop_unusable(struct kvm_vcpu *vcpu)
{
	return ktb_te_handle_exit(vcpu, true);
}

static int ktb_te_handle_res_inst(struct kvm_vcpu *vcpu)
{
	return ktb_te_handle_exit(vcpu, false);
}

/*
 * Trap-and-emulate kernels 5.8 to 5.12 test the wrong Status.IM bit when
 * delivering an interrupt: the shift they compute for the timer line
 * keeps only 5 bits and always lands on IM0. For the duration of the
 * kernel's delivery, make IM0 say what IM7 says; on a kernel without the
 * bug IM0 is not consulted for the timer, and nothing observes the guest's
 * Status meanwhile.
 */
static int ktb_te_irq_deliver(struct kvm_vcpu *vcpu, unsigned int priority,
			      u32 cause)
{
	struct mips_coproc *cop0 = ktb_cop0(vcpu);
	u32 im0 = 0;
	bool fix = priority == KTB_MIPS_EXC_INT_TIMER && ktb_mips_owned(vcpu);
	int ret;

	ktb_mips_enter();
	if (fix) {
		u32 status = kvm_read_c0_guest_status(cop0);

		im0 = status & STATUSF_IP0;
		kvm_write_c0_guest_status(cop0, status & STATUSF_IP7 ?
					  status | STATUSF_IP0 :
					  status & ~STATUSF_IP0);
	}
	ret = ktb_mips_kernel_cb->irq_deliver(vcpu, priority, cause);
	if (fix)
		kvm_write_c0_guest_status(cop0, (kvm_read_c0_guest_status(cop0) &
						 ~STATUSF_IP0) | im0);
	ktb_mips_exit();
	return ret;
}

/**
 * ktb_mips_mode_takeover() - install the trap-and-emulate exit wrappers
 * @cb: this module's copy of the callbacks.
 */
void ktb_mips_mode_takeover(struct kvm_mips_callbacks *cb)
{
	cb->handle_cop_unusable = ktb_te_handle_cop_unusable;
	cb->handle_res_inst = ktb_te_handle_res_inst;
	cb->irq_deliver = ktb_te_irq_deliver;
}
