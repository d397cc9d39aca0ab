/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the MIPS glue files. kvm_mips.c attaches to KVM, decides what
 * to do on this kernel and owns the per-vCPU timers; the KVM mode the
 * kernel was built with, trap_emul.c or vz.c (exactly one is built),
 * supplies where the guest's registers live and the exit paths of that
 * mode; kernel_timer.c or kernel_timer_periodic.c (exactly one is built)
 * knows how the kernel keeps its own timer state.
 */
#ifndef KTB_MIPS_KVM_MIPS_H
#define KTB_MIPS_KVM_MIPS_H

#include <linux/kvm_host.h>

#include "core/mips_timer.h"

struct ktb_mips_timer_insn;
struct ktb_mips_branch;

/**
 * struct ktb_mips_counts - what the exit wrappers did with timer accesses
 * @emulated:    carried out on the core.
 * @delay_slot:  of those, in a branch delay slot (the branch done too).
 * @retried:     exits resumed without emulating because the instruction
 *               could not be read; the guest executes it again.
 * @handed_back: left to the kernel's own emulation.
 */
struct ktb_mips_counts {
	unsigned long emulated;
	unsigned long delay_slot;
	unsigned long retried;
	unsigned long handed_back;
};

/**
 * struct ktb_mips_vcpu - a vCPU whose timer this module runs
 * @node:         in the table of owned vCPUs, hashed by @vcpu.
 * @rcu:          frees it once no lookup can be walking past @node.
 * @vcpu:         the kernel's vCPU.
 * @t:            its timer; its expiries run on the kernel's comparecount
 *                timer.
 * @cpu:          VZ: the CPU whose guest CP0 context holds this vCPU's
 *                registers (it is loaded there), or -1. Not vcpu->cpu,
 *                which the kernel clears before calling vcpu_put, while the
 *                registers are still there to be saved.
 * @hw_timer:     VZ: the guest has the hardware timer (for debugfs).
 * @armed:        the core has the comparecount timer armed.
 * @kernel_fn:    the callback of the kernel's comparecount timer, replaced
 *                by the core's expiry while this module owns the vCPU.
 * @counts:       what the exit wrappers did with its timer accesses.
 * @read_failures: consecutive failed instruction reads (bounds retrying).
 */
struct ktb_mips_vcpu {
	struct hlist_node node;
	struct rcu_head rcu;
	struct kvm_vcpu *vcpu;
	struct ktb_mips_timer t;
	int cpu;
	bool hw_timer;
	bool armed;
	enum hrtimer_restart (*kernel_fn)(struct hrtimer *timer);
	struct ktb_mips_counts counts;
	unsigned int read_failures;
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

/* What keeps the module loaded during a guest exit wrapper. */
enum ktb_mips_hold {
	KTB_HELD_BY_VCPU,	/* the owned vCPU's module reference */
	KTB_HELD_COUNTED,	/* in flight, unpinned: rmmod has begun */
	KTB_HELD_PINNED,	/* in flight and pinned */
};

/* How an exit wrapper has dealt with a guest exit. */
enum ktb_emul {
	KTB_EMUL_OTHER,		/* not ours: the kernel's handler takes it */
	KTB_EMUL_DONE,		/* emulated on the core, PC advanced */
	KTB_EMUL_RETRY,		/* not emulated, PC unchanged: run it again */
	KTB_EMUL_KERNEL,	/* the kernel emulates it, timer handed back */
};

/* kvm_mips.c, for the other MIPS files. */
extern struct kvm_mips_callbacks *ktb_mips_kernel_cb;
struct ktb_mips_vcpu *ktb_mips_owned(struct kvm_vcpu *vcpu);
void ktb_mips_enter(void);
void ktb_mips_exit(void);
struct ktb_mips_vcpu *ktb_mips_enter_guest_exit(struct kvm_vcpu *vcpu,
						enum ktb_mips_hold *hold);
void ktb_mips_leave_guest_exit(enum ktb_mips_hold hold);
enum ktb_emul ktb_mips_emulate(struct ktb_mips_vcpu *v,
			       const struct ktb_mips_timer_insn *insn,
			       u32 cause_mask,
			       const struct ktb_mips_branch *branch);
int ktb_mips_dispatch(struct kvm_vcpu *vcpu, enum ktb_emul how,
		      int (*handler)(struct kvm_vcpu *vcpu));

/* The mode file (trap_emul.c or vz.c), for kvm_mips.c. */
extern const struct ktb_mips_hw_timer_ops *const ktb_mips_mode_hw_timer;
u32 ktb_mips_guest_compare(struct ktb_mips_vcpu *v);
void ktb_mips_set_guest_compare(struct ktb_mips_vcpu *v, u32 compare);
u32 ktb_mips_guest_cause(struct ktb_mips_vcpu *v);
void ktb_mips_set_guest_cause(struct ktb_mips_vcpu *v, u32 cause);
void ktb_mips_mode_adopted(struct ktb_mips_vcpu *v);
void ktb_mips_mode_put(struct ktb_mips_vcpu *v);
void ktb_mips_mode_attach(struct kvm_mips_callbacks *cb);
void ktb_mips_mode_decide(struct kvm_mips_callbacks *cb, struct kvm_vcpu *vcpu,
			  bool own_timers);
void ktb_mips_mode_cause_set(struct kvm_vcpu *vcpu, s64 cause);

/* The kernel's timer state file, for kvm_mips.c. */
extern const char *const ktb_mips_kernel_timer_kind;
void ktb_mips_kernel_timer_adopt(struct ktb_mips_vcpu *v, bool armed,
				 ktime_t expires);
void ktb_mips_kernel_timer_hand_back(struct ktb_mips_vcpu *v, bool armed);

#endif /* KTB_MIPS_KVM_MIPS_H */
