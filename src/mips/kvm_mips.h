/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the MIPS glue files: the per-vCPU timer this module owns in
 * takeover mode, and the kernel's own callbacks it delegates to.
 */
#ifndef KTB_MIPS_KVM_MIPS_H
#define KTB_MIPS_KVM_MIPS_H

#include <linux/kvm_host.h>

#include "core/mips_timer.h"

/**
 * struct ktb_mips_vcpu - a vCPU whose timer this module runs
 * @vcpu: the kernel's vCPU.
 * @t:    its timer, replacing the kernel's comparecount timer.
 */
struct ktb_mips_vcpu {
	struct kvm_vcpu *vcpu;
	struct ktb_mips_timer t;
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

extern struct kvm_mips_callbacks *ktb_mips_kernel_cb;

struct ktb_mips_vcpu *ktb_mips_owned(struct kvm_vcpu *vcpu);
void ktb_mips_sync_compare(struct ktb_mips_vcpu *v);

enum ktb_te_result { KTB_TE_EMULATED, KTB_TE_OTHER, KTB_TE_KERNEL };

#ifdef CONFIG_KVM_MIPS_TE
enum ktb_te_result ktb_te_emulate(struct kvm_vcpu *vcpu, bool cop_unusable);
#else
/* VZ: guest timer accesses take other paths (the handoff, not yet here). */
static inline enum ktb_te_result ktb_te_emulate(struct kvm_vcpu *vcpu,
						bool cop_unusable)
{
	return KTB_TE_OTHER;
}
#endif

#endif /* KTB_MIPS_KVM_MIPS_H */
