// SPDX-License-Identifier: GPL-2.0
/*
 * Trap-and-emulate guests: decode the instruction that trapped and, when it
 * is a guest access to CP0 Count, Compare or Cause (mfc0/mtc0 and their
 * 64-bit forms) or RDHWR $2, emulate it through the timer core. Anything
 * else, and any case this decoder cannot handle exactly, is left to the
 * kernel's own emulation.
 */
#include <linux/kvm_host.h>
#include <linux/uaccess.h>
#include <asm/mipsregs.h>

#include "kvm_mips.h"

#define KTB_OP_COP0	0x10
#define KTB_OP_SPEC3	0x1f
#define KTB_FN_RDHWR	0x3b
#define KTB_COP0_MF	0x00
#define KTB_COP0_DMF	0x01
#define KTB_COP0_MT	0x04
#define KTB_COP0_DMT	0x05
#define KTB_HWR_CC	2

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

static void ktb_te_set_gpr(struct kvm_vcpu *vcpu, unsigned int rt, u32 val)
{
	/* Registers hold 32-bit CP0 values sign-extended. */
	if (rt)
		vcpu->arch.gprs[rt] = (long)(s32)val;
}

static bool ktb_te_is_timer_reg(unsigned int rd)
{
	return rd == MIPS_CP0_COUNT || rd == MIPS_CP0_COMPARE ||
	       rd == MIPS_CP0_CAUSE;
}

/* mfc0/mtc0 (or dmfc0/dmtc0) of Count, Compare or Cause, select 0? */
static bool ktb_te_is_timer_cop0(u32 inst)
{
	unsigned int rs = (inst >> 21) & 0x1f;

	/* Bits 10..3 are zero and sel (2..0) is 0 for these registers. */
	return (inst >> 26) == KTB_OP_COP0 && !(inst & 0x7ff) &&
	       (rs == KTB_COP0_MF || rs == KTB_COP0_DMF ||
		rs == KTB_COP0_MT || rs == KTB_COP0_DMT) &&
	       ktb_te_is_timer_reg((inst >> 11) & 0x1f);
}

/* RDHWR $2 that the guest may execute (else the kernel raises RI)? */
static bool ktb_te_is_timer_rdhwr(struct kvm_vcpu *vcpu, u32 inst)
{
	unsigned int rs = (inst >> 21) & 0x1f;
	unsigned int rd = (inst >> 11) & 0x1f;
	unsigned int re = (inst >> 6) & 0x1f;

	if ((inst >> 26) != KTB_OP_SPEC3 || (inst & 0x3f) != KTB_FN_RDHWR ||
	    rs || (re >> 3) || rd != KTB_HWR_CC)
		return false;
	return KVM_GUEST_KERNEL_MODE(vcpu) ||
	       (kvm_read_c0_guest_hwrena(ktb_cop0(vcpu)) & BIT(KTB_HWR_CC));
}

static void ktb_te_cop0(struct ktb_mips_vcpu *v, u32 inst)
{
	struct ktb_mips_timer *t = &v->t;
	unsigned int rs = (inst >> 21) & 0x1f;
	unsigned int rt = (inst >> 16) & 0x1f;
	unsigned int rd = (inst >> 11) & 0x1f;
	u32 val = v->vcpu->arch.gprs[rt];

	if (rs == KTB_COP0_MF || rs == KTB_COP0_DMF) {
		if (rd == MIPS_CP0_COUNT)
			val = ktb_mips_read_count(t);
		else if (rd == MIPS_CP0_COMPARE)
			val = ktb_mips_read_compare(t);
		else
			val = t->irq->read_cause(t);
		ktb_te_set_gpr(v->vcpu, rt, val);
	} else if (rd == MIPS_CP0_COUNT) {
		ktb_mips_write_count(t, val);
	} else if (rd == MIPS_CP0_COMPARE) {
		ktb_mips_write_compare(t, val, true);
		ktb_mips_sync_compare(v);
	} else {
		ktb_mips_write_cause(t, val, KTB_CAUSE_GUEST_WRITABLE);
	}
}

/**
 * ktb_te_emulate() - emulate a trapped guest timer access
 * @vcpu:         the vCPU, in its exit handler.
 * @cop_unusable: true for a coprocessor unusable exit, false for a
 *                reserved instruction exit.
 *
 * Handles only vCPUs whose timer this module owns. An access inside a
 * branch delay slot would mean emulating the branch as well, which stays
 * with the kernel; so does an instruction that cannot be read here.
 *
 * Return: KTB_TE_EMULATED (PC advanced: resume the guest), KTB_TE_OTHER
 * (not a timer access: the kernel's handler takes it), or KTB_TE_KERNEL
 * (a timer access, or possibly one, that the kernel must emulate with the
 * timer state handed back to it).
 */
enum ktb_te_result ktb_te_emulate(struct kvm_vcpu *vcpu, bool cop_unusable)
{
	struct ktb_mips_vcpu *v = ktb_mips_owned(vcpu);
	bool bd = vcpu->arch.host_cp0_cause & CAUSEF_BD;
	u32 inst;

	if (!v)
		return KTB_TE_OTHER;
	if (!ktb_te_read_inst(vcpu, bd, &inst))
		return KTB_TE_KERNEL;
	if (cop_unusable ? !ktb_te_is_timer_cop0(inst) :
			   !ktb_te_is_timer_rdhwr(vcpu, inst))
		return KTB_TE_OTHER;
	if (bd)
		return KTB_TE_KERNEL;

	if (cop_unusable)
		ktb_te_cop0(v, inst);
	else
		ktb_te_set_gpr(vcpu, (inst >> 16) & 0x1f,
			       ktb_mips_read_count(&v->t));
	vcpu->arch.pc += 4;
	return KTB_TE_EMULATED;
}
