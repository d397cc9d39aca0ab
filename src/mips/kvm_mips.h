/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the MIPS glue files. kvm_mips.c attaches to KVM and owns the
 * per-vCPU timers; the KVM mode the kernel was built with, trap_emul.c or
 * vz.c (exactly one is built), supplies where the guest's registers live
 * and the exit paths of that mode.
 */
#ifndef KTB_MIPS_KVM_MIPS_H
#define KTB_MIPS_KVM_MIPS_H

#include <linux/kvm_host.h>

#include "core/mips_timer.h"

struct ktb_mips_timer_insn;

/**
 * struct ktb_mips_vcpu - a vCPU whose timer this module runs
 * @vcpu:   the kernel's vCPU.
 * @t:      its timer, replacing the kernel's comparecount timer.
 * @cpu:    VZ: the CPU whose guest CP0 context holds this vCPU's
 *          registers (it is loaded there), or -1. Not vcpu->cpu, which
 *          the kernel clears before calling vcpu_put, while the
 *          registers are still there to be saved.
 * @htimer: VZ: the guest has the hardware timer (for debugfs).
 */
struct ktb_mips_vcpu {
	struct kvm_vcpu *vcpu;
	struct ktb_mips_timer t;
	int cpu;
	bool htimer;
};

/*
 * The guest's CP0 registers: a pointer in struct kvm_vcpu_arch on older
 * kernels, an embedded struct on newer ones. Chosen by the field's type,
 * so it is right whichever kernel this is built for.
 */
static inline struct mips_coproc *ktb_cop0(struct kvm_vcpu *vcpu)
{
	return __builtin_choose_expr(__same_type(vcpu->arch.cop0,
						 struct mips_coproc *),
				     vcpu->arch.cop0, &vcpu->arch.cop0);
}

/* How an exit wrapper has dealt with a guest exit. */
enum ktb_emul {
	KTB_EMUL_OTHER,		/* not ours: the kernel's handler takes it */
	KTB_EMUL_DONE,		/* emulated on the core, PC advanced */
	KTB_EMUL_KERNEL,	/* the kernel emulates it, timer handed back */
};

/* kvm_mips.c, for the mode files. */
extern struct kvm_mips_callbacks *ktb_mips_kernel_cb;
struct ktb_mips_vcpu *ktb_mips_owned(struct kvm_vcpu *vcpu);
void ktb_mips_enter(void);
void ktb_mips_exit(void);
enum ktb_emul ktb_mips_emulate(struct ktb_mips_vcpu *v,
			       const struct ktb_mips_timer_insn *insn,
			       u32 cause_mask);
int ktb_mips_dispatch(struct kvm_vcpu *vcpu, enum ktb_emul how,
		      int (*handler)(struct kvm_vcpu *vcpu));

/* The mode file, for kvm_mips.c. */
extern const struct ktb_vz_hw_ops *const ktb_mips_mode_vz;
u32 ktb_mips_guest_compare(struct ktb_mips_vcpu *v);
void ktb_mips_set_guest_compare(struct ktb_mips_vcpu *v, u32 compare);
u32 ktb_mips_guest_cause(struct ktb_mips_vcpu *v);
void ktb_mips_set_guest_cause(struct ktb_mips_vcpu *v, u32 cause);
void ktb_mips_mode_adopted(struct ktb_mips_vcpu *v);
void ktb_mips_mode_put(struct ktb_mips_vcpu *v);
void ktb_mips_mode_takeover(struct kvm_mips_callbacks *cb);

#endif /* KTB_MIPS_KVM_MIPS_H */
