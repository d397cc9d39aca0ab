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
#define pr_fmt(fmt) KBUILD_MODNAME ": mips: " fmt

#include <linux/bitops.h>
#include <linux/kvm_host.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/mipsregs.h>

#include "core/mips_insn.h"
#include "features.h"
#include "kvm_mips.h"

/*
 * KVM's private interrupt priorities (arch/mips/kvm/interrupt.h, not
 * reachable from a module). The timer's is 7 from 3.10 to 5.12, the last
 * kernel with trap-and-emulate; the others are those of 5.8 to 5.12.
 */
#define KTB_EXC_INT_TIMER	7
#define KTB_EXC_INT_IO_1	8
#define KTB_EXC_INT_IPI_1	11
#define KTB_EXC_INT_IPI_2	12

#define KTB_HWR_CC		2
/* Exits resumed to read a trapped instruction again, before giving up. */
#define KTB_TE_READ_RETRIES	3

/* No hardware guest timer. */
const struct ktb_mips_hw_timer_ops *const ktb_mips_mode_hw_timer;

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
 * Read @n guest instruction words from @pc on. During exit handling the
 * guest's address space is the live one, as long as nothing switches it
 * away (IRQs off) and no pending TLB flush makes a mapping stale: the
 * kernel flushes those before such reads, which a module cannot do, so
 * with a request pending this gives up (the guest then executes the
 * instruction again, after the kernel has served the request). A fault
 * also gives up rather than being serviced here.
 */
static bool ktb_te_read_insns(struct kvm_vcpu *vcpu, u32 *words,
			      unsigned int n)
{
	u32 __user *pc = (u32 __user *)vcpu->arch.pc;
	unsigned long flags;
	unsigned int i;
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
		for (i = 0, err = 0; !err && i < n; i++)
			err = __get_user(words[i], pc + i);
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
 * Emulate a trapped guest timer access of an owned vCPU. In a branch delay
 * slot (Cause.BD: EPC is the branch) the branch is carried out too, so the
 * kernel's emulation, which on kernels of before 3.16 is not the timer this
 * module provides, is never needed for a timer access; only a branch the
 * core does not evaluate (a coprocessor condition, an ISA mode switch)
 * still goes to the kernel. An instruction that cannot be read is run
 * again, a few times, before that too goes to the kernel.
 */
static enum ktb_emul ktb_te_emulate(struct ktb_mips_vcpu *v, bool cop_unusable)
{
	struct kvm_vcpu *vcpu = v->vcpu;
	bool bd = vcpu->arch.host_cp0_cause & CAUSEF_BD;
	struct ktb_mips_timer_insn insn;
	struct ktb_mips_branch branch;
	u32 words[2];

	if (!ktb_te_read_insns(vcpu, words, bd ? 2 : 1)) {
		if (v->read_failures++ < KTB_TE_READ_RETRIES) {
			v->counts.retried++;
			return KTB_EMUL_RETRY;
		}
		v->read_failures = 0;
		return KTB_EMUL_KERNEL;
	}
	v->read_failures = 0;
	/* CP0 accesses trap as coprocessor unusable, RDHWR as reserved. */
	if (!ktb_mips_decode_timer_insn(words[bd], &insn) ||
	    insn.rdhwr == cop_unusable ||
	    (insn.rdhwr && !ktb_te_rdhwr_allowed(vcpu)))
		return KTB_EMUL_OTHER;
	if (!bd)
		return ktb_mips_emulate(v, &insn, KTB_CAUSE_GUEST_WRITABLE, NULL);
	if (!ktb_mips_eval_branch(words[0], vcpu->arch.pc, vcpu->arch.gprs,
				  &branch)) {
		pr_warn_ratelimited("vCPU %d: guest timer access in the delay slot of a branch this module does not evaluate (%08x at %#lx): the kernel emulates it\n",
				    vcpu->vcpu_id, words[0], vcpu->arch.pc);
		return KTB_EMUL_KERNEL;
	}
	return ktb_mips_emulate(v, &insn, KTB_CAUSE_GUEST_WRITABLE, &branch);
}

static int ktb_te_handle_exit(struct kvm_vcpu *vcpu, bool cop_unusable)
{
	int (*handler)(struct kvm_vcpu *vcpu) = cop_unusable ?
		ktb_mips_kernel_cb->handle_cop_unusable :
		ktb_mips_kernel_cb->handle_res_inst;
	enum ktb_emul how = KTB_EMUL_OTHER;
	struct ktb_mips_vcpu *v;
	enum ktb_mips_hold hold;
	int ret;

	/* Reading the instruction, or the kernel's handler, can fault. */
	v = ktb_mips_enter_guest_exit(vcpu, &hold);
	if (v)
		how = ktb_te_emulate(v, cop_unusable);
	ret = ktb_mips_dispatch(vcpu, how, handler);
	ktb_mips_leave_guest_exit(hold);
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
 * The Status.IM bit that enables the interrupt line KVM delivers at each
 * priority (KVM's private numbering of 5.8 to 5.12, the kernels that have
 * the delivery bug; the default table, not Loongson's). Cause.IPn and
 * Status.IMn sit at the same bit.
 */
static const u32 ktb_te_line_im[] = {
	[KTB_EXC_INT_TIMER] = STATUSF_IP7,
	[KTB_EXC_INT_IO_1] = STATUSF_IP2,
	[KTB_EXC_INT_IPI_1] = STATUSF_IP3,
	[KTB_EXC_INT_IPI_2] = STATUSF_IP4,
};

/* Priorities whose delivery tests Status.IM0 instead of their own bit. */
static unsigned long ktb_te_im0_bug;
/* The kernel leaves a Cause.TI restored with ONE_REG unqueued. */
static bool ktb_te_restore_unqueued;

static struct ktb_feature ktb_te_feature_im = {
	.name = "Status.IM interrupt delivery",
};

static struct ktb_feature ktb_te_feature_restore = {
	.name = "restored pending timer interrupt",
};

/*
 * Trap-and-emulate kernels 5.8 to 5.12 compute the Status.IM bit of every
 * line as 1 << (Cause bit + 8), which only keeps the low 5 bits of the
 * shift and lands on IM0: an interrupt is delivered when IM0 is set
 * whatever its own bit says. For the duration of the kernel's delivery,
 * make IM0 say what the line's own bit says. Only installed for lines the
 * kernel was seen to get wrong (ktb_mips_mode_decide()).
 */
static int ktb_te_irq_deliver(struct kvm_vcpu *vcpu, unsigned int priority,
			      u32 cause)
{
	struct mips_coproc *cop0 = ktb_cop0(vcpu);
	bool fix = priority < BITS_PER_LONG &&
		   test_bit(priority, &ktb_te_im0_bug);
	u32 im0 = 0;
	int ret;

	ktb_mips_enter();
	if (fix) {
		u32 status = kvm_read_c0_guest_status(cop0);

		im0 = status & STATUSF_IP0;
		kvm_write_c0_guest_status(cop0, status & ktb_te_line_im[priority] ?
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

/* Would the kernel deliver the interrupt of @priority with @status? */
static bool ktb_te_delivers(struct kvm_vcpu *vcpu, unsigned int priority,
			    u32 status)
{
	kvm_write_c0_guest_status(ktb_cop0(vcpu), status);
	return ktb_mips_kernel_cb->irq_deliver(vcpu, priority, 0);
}

/*
 * Ask the kernel's own handlers, on a vCPU that is not running, how it
 * delivers each line and whether it queues a restored Cause.TI. They
 * change the vCPU as they would for the guest: everything they may touch
 * is saved first and put back after.
 */
static int ktb_te_probe(struct kvm_vcpu *vcpu, unsigned long *im0_bug,
			bool *queues_restored, bool *recognised)
{
	struct kvm_one_reg cause_reg = { .id = KVM_REG_MIPS_CP0_CAUSE };
	struct kvm_vcpu_arch *a = &vcpu->arch;
	struct mips_coproc *cop0 = ktb_cop0(vcpu);
	unsigned long pending = a->pending_exceptions;
	unsigned long pending_clr = a->pending_exceptions_clr;
	unsigned long pc = a->pc;
	struct mips_coproc *saved;
	unsigned int p;

	saved = kmemdup(cop0, sizeof(*cop0), GFP_KERNEL);
	if (!saved)
		return -ENOMEM;
	*im0_bug = 0;
	*recognised = true;
	for (p = 0; p < ARRAY_SIZE(ktb_te_line_im); p++) {
		bool by_im0, by_own;

		if (!ktb_te_line_im[p])
			continue;
		by_im0 = ktb_te_delivers(vcpu, p, ST0_IE | STATUSF_IP0);
		memcpy(cop0, saved, sizeof(*cop0));
		a->pc = pc;
		by_own = ktb_te_delivers(vcpu, p, ST0_IE | ktb_te_line_im[p]);
		memcpy(cop0, saved, sizeof(*cop0));
		a->pc = pc;
		if (by_im0 && !by_own)
			__set_bit(p, im0_bug);
		else if (by_im0 || !by_own)
			*recognised = false;
	}

	clear_bit(KTB_EXC_INT_TIMER, &a->pending_exceptions);
	*queues_restored =
		!ktb_mips_kernel_cb->set_one_reg(vcpu, &cause_reg,
						 (s32)(kvm_read_c0_guest_cause(cop0) |
						       CAUSEF_TI)) &&
		test_bit(KTB_EXC_INT_TIMER, &a->pending_exceptions);

	memcpy(cop0, saved, sizeof(*cop0));
	a->pc = pc;
	a->pending_exceptions = pending;
	a->pending_exceptions_clr = pending_clr;
	kfree(saved);
	return 0;
}

/**
 * ktb_mips_mode_decide() - what to fix in trap-and-emulate on this kernel
 * @cb:         the module's callbacks table, installed.
 * @vcpu:       the first vCPU, set up and not running.
 * @own_timers: this module runs every vCPU's timer.
 *
 * Where this module will own no vCPU's timer, its exit wrappers would
 * only pass every trapped instruction on: the kernel's handlers go back
 * into @cb, and trapped accesses cost what they cost without the module.
 *
 * Context: process context, once, under the glue's decision lock.
 */
void ktb_mips_mode_decide(struct kvm_mips_callbacks *cb, struct kvm_vcpu *vcpu,
			  bool own_timers)
{
	bool fixing = ktb_mode != KTB_MODE_DEFER;
	bool queues = true, recognised = true;
	unsigned long bug = 0;

	if (ktb_te_probe(vcpu, &bug, &queues, &recognised)) {
		pr_warn("out of memory probing the kernel's interrupt delivery: nothing fixed\n");
		return;
	}
	if (!bug || !fixing)	/* nothing to fix on delivery */
		WRITE_ONCE(cb->irq_deliver, ktb_mips_kernel_cb->irq_deliver);
	if (bug && fixing) {
		WRITE_ONCE(ktb_te_im0_bug, bug);
		ktb_feature_decide(&ktb_te_feature_im, KTB_FEATURE_FIXED,
				   "kernel tests Status.IM0 for the lines it delivers");
	} else if (bug) {
		ktb_feature_decide(&ktb_te_feature_im, KTB_FEATURE_KERNEL,
				   "kernel tests Status.IM0 for the lines it delivers, not fixed (mode=defer)");
	} else {
		ktb_feature_decide(&ktb_te_feature_im, KTB_FEATURE_KERNEL,
				   recognised ? "kernel tests each line's own Status.IM bit" :
				   "kernel's delivery not recognised, left alone");
	}

	if (!own_timers) {
		WRITE_ONCE(cb->handle_cop_unusable,
			   ktb_mips_kernel_cb->handle_cop_unusable);
		WRITE_ONCE(cb->handle_res_inst,
			   ktb_mips_kernel_cb->handle_res_inst);
	}

	if (own_timers) {
		ktb_feature_decide(&ktb_te_feature_restore,
				   ktb_mode == KTB_MODE_TAKEOVER ?
				   KTB_FEATURE_TAKEN_OVER : KTB_FEATURE_PROVIDED,
				   "queued by this module's timer");
	} else if (queues) {
		ktb_feature_decide(&ktb_te_feature_restore, KTB_FEATURE_KERNEL,
				   "kernel queues it");
	} else if (fixing) {
		WRITE_ONCE(ktb_te_restore_unqueued, true);
		ktb_feature_decide(&ktb_te_feature_restore, KTB_FEATURE_FIXED,
				   "kernel does not queue it");
	} else {
		ktb_feature_decide(&ktb_te_feature_restore, KTB_FEATURE_KERNEL,
				   "kernel does not queue it, not fixed (mode=defer)");
	}
}

/**
 * ktb_mips_mode_cause_set() - the kernel has written the guest's Cause
 * @vcpu:  a vCPU whose timer the kernel runs, in its ONE_REG ioctl.
 * @cause: the value userspace wrote.
 *
 * A Cause.TI restored by userspace (QEMU does so on migration) is a
 * pending timer interrupt: where the kernel leaves it unqueued, queue it,
 * so that the guest takes it once when it enables interrupts.
 */
void ktb_mips_mode_cause_set(struct kvm_vcpu *vcpu, s64 cause)
{
	if (READ_ONCE(ktb_te_restore_unqueued) && (cause & CAUSEF_TI) &&
	    !test_bit(KTB_EXC_INT_TIMER, &vcpu->arch.pending_exceptions))
		ktb_mips_kernel_cb->queue_timer_int(vcpu);
}

/**
 * ktb_mips_mode_attach() - install the trap-and-emulate wrappers
 * @cb: this module's copy of the callbacks.
 *
 * The exit wrappers carry out timer accesses of owned vCPUs; the delivery
 * wrapper applies the fix ktb_mips_mode_decide() chose. mode=defer
 * installs neither.
 */
void ktb_mips_mode_attach(struct kvm_mips_callbacks *cb)
{
	ktb_features_register(&ktb_te_feature_im);
	ktb_features_register(&ktb_te_feature_restore);
	if (ktb_mode == KTB_MODE_DEFER)
		return;
	cb->handle_cop_unusable = ktb_te_handle_cop_unusable;
	cb->handle_res_inst = ktb_te_handle_res_inst;
	cb->irq_deliver = ktb_te_irq_deliver;
}
