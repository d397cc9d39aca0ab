// SPDX-License-Identifier: GPL-2.0
/*
 * MIPS glue: attach to KVM through kvm_mips_callbacks, decide at the first
 * vCPU what this kernel needs, and run the guest timer of every vCPU on
 * the core where it needs that. What differs between trap-and-emulate and
 * VZ is in trap_emul.c and vz.c; how the kernel keeps its own timer, in
 * kernel_timer.c or kernel_timer_periodic.c.
 *
 * Every caller loads kvm_mips_callbacks afresh, so attaching means
 * installing a patched copy of the kernel's table and detaching means
 * putting the original pointer back. When this module runs the timers
 * (mode=auto on a kernel without the master disable registers, or
 * mode=takeover) it owns a vCPU's timer from vcpu_setup (or, for a vCPU
 * created before the module was loaded, from its first ONE_REG access to
 * a timer register): the core's expiries then run on the kernel's own
 * comparecount hrtimer, whose callback is switched to this module's. So
 * the kernel's cancel of that timer, the first thing its vCPU destroy
 * does (before it frees the guest's CP0 registers), covers this module's
 * expiries too. Each owned vCPU pins this module, so it cannot be
 * unloaded under a VM that depends on it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": mips: " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/hashtable.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "callers.h"
#include "core/mips_insn.h"
#include "core/onereg.h"
#include "features.h"
#include "glue.h"
#include "kvm_mips.h"

static_assert(KTB_REG_MIPS_CP0_COUNT == KVM_REG_MIPS_CP0_COUNT);
static_assert(KTB_REG_MIPS_CP0_COMPARE == KVM_REG_MIPS_CP0_COMPARE);
static_assert(KTB_REG_MIPS_CP0_CAUSE == KVM_REG_MIPS_CP0_CAUSE);
static_assert(KTB_REG_MIPS_COUNT_CTL == KVM_REG_MIPS_COUNT_CTL);
static_assert(KTB_REG_MIPS_COUNT_RESUME == KVM_REG_MIPS_COUNT_RESUME);
static_assert(KTB_REG_MIPS_COUNT_HZ == KVM_REG_MIPS_COUNT_HZ);
static_assert(KTB_CAUSE_DC == CAUSEF_DC && KTB_CAUSE_TI == CAUSEF_TI);
static_assert(KTB_CAUSE_IP7 == C_IRQ5);

struct kvm_mips_callbacks *ktb_mips_kernel_cb;
static struct kvm_mips_callbacks ktb_cb;
static bool ktb_attached;

/*
 * Owned vCPUs, hashed by struct kvm_vcpu address: every guest exit looks
 * its vCPU up, so the lookup is a hash and a short RCU list walk, not a
 * radix tree descent keyed by a pointer. Changes under the mutex.
 */
static DEFINE_HASHTABLE(ktb_vcpus, 6);
static DEFINE_MUTEX(ktb_lock);
static struct ktb_callers ktb_callers;

/*
 * Decided once, at the first vCPU: does the kernel implement the master
 * disable registers, and does this module run every vCPU's timer?
 */
static bool ktb_decided;
static bool ktb_kernel_has_regs;
static bool ktb_own_timers;

/*
 * Expiries of the comparecount timer while this module owned the vCPU
 * that the core had not asked for: the kernel re-armed it from a path of
 * its own.
 */
static atomic_long_t ktb_kernel_timer_fired = ATOMIC_LONG_INIT(0);

/* The counts of vCPUs already gone, for debugfs. */
static struct ktb_mips_counts ktb_gone;

static void ktb_counts_add(struct ktb_mips_counts *sum,
			   const struct ktb_mips_counts *c)
{
	sum->emulated += c->emulated;
	sum->delay_slot += c->delay_slot;
	sum->retried += c->retried;
	sum->handed_back += c->handed_back;
}

static struct ktb_feature ktb_feature_regs = {
	.name = "COUNT_CTL/COUNT_RESUME/COUNT_HZ",
};

static struct ktb_feature ktb_feature_timer = {
	.name = "Count/Compare timer",
};

/**
 * ktb_mips_enter() - start of a call into one of this module's callbacks
 *
 * Detach waits for every call between ktb_mips_enter() and
 * ktb_mips_exit() to finish.
 */
void ktb_mips_enter(void)
{
	ktb_callers_enter(&ktb_callers);
}

/**
 * ktb_mips_exit() - end of a call into one of this module's callbacks
 */
void ktb_mips_exit(void)
{
	ktb_callers_exit(&ktb_callers);
}

/* For a callback that can block: see ktb_callers_enter_pinned(). */
static bool ktb_mips_enter_pinned(void)
{
	return ktb_callers_enter_pinned(&ktb_callers);
}

static void ktb_mips_exit_pinned(bool pinned)
{
	ktb_callers_exit_pinned(&ktb_callers, pinned);
}

/**
 * ktb_mips_enter_guest_exit() - the start of a guest exit handler's wrapper
 * @vcpu: the vCPU that exited.
 * @hold: set to what keeps the module here; pass to ktb_mips_leave_guest_exit().
 *
 * An exit handler can block on guest memory, so the module must stay for
 * as long as it runs, and rmmod meanwhile say EBUSY. A vCPU this module
 * owns holds a module reference (ktb_own()) until its vcpu_uninit, which
 * cannot run during its exit: that is enough, and every trapped timer
 * access of an owned vCPU goes without the in-flight count and a module
 * pin of its own. Any other vCPU's exit is counted (the lookup before it
 * cannot sleep: see ktb_callers_drain()) and pinned.
 *
 * Return: the vCPU's state if this module owns its timer, else NULL.
 */
struct ktb_mips_vcpu *ktb_mips_enter_guest_exit(struct kvm_vcpu *vcpu,
						enum ktb_mips_hold *hold)
{
	struct ktb_mips_vcpu *v = ktb_mips_owned(vcpu);

	if (v) {
		*hold = KTB_HELD_BY_VCPU;
		return v;
	}
	ktb_callers_enter(&ktb_callers);
	*hold = try_module_get(THIS_MODULE) ? KTB_HELD_PINNED : KTB_HELD_COUNTED;
	return NULL;
}

/**
 * ktb_mips_leave_guest_exit() - the end of a guest exit handler's wrapper
 * @hold: what ktb_mips_enter_guest_exit() set.
 */
void ktb_mips_leave_guest_exit(enum ktb_mips_hold hold)
{
	if (hold != KTB_HELD_BY_VCPU)
		ktb_callers_exit_pinned(&ktb_callers, hold == KTB_HELD_PINNED);
}

static struct ktb_mips_vcpu *ktb_v(struct ktb_mips_timer *t)
{
	return container_of(t, struct ktb_mips_vcpu, t);
}

static struct kvm_vcpu *ktb_vcpu_of(struct ktb_mips_timer *t)
{
	return ktb_v(t)->vcpu;
}

static void ktb_queue(struct ktb_mips_timer *t)
{
	ktb_mips_kernel_cb->queue_timer_int(ktb_vcpu_of(t));
}

static void ktb_dequeue(struct ktb_mips_timer *t)
{
	ktb_mips_kernel_cb->dequeue_timer_int(ktb_vcpu_of(t));
}

static void ktb_wake(struct ktb_mips_timer *t)
{
	struct kvm_vcpu *vcpu = ktb_vcpu_of(t);

	vcpu->arch.wait = 0;
	kvm_vcpu_wake_up(vcpu);
}

static u32 ktb_read_cause(struct ktb_mips_timer *t)
{
	return ktb_mips_guest_cause(ktb_v(t));
}

static void ktb_write_cause(struct ktb_mips_timer *t, u32 cause)
{
	ktb_mips_set_guest_cause(ktb_v(t), cause);
}

static const struct ktb_mips_irq_ops ktb_irq = {
	.queue = ktb_queue,
	.dequeue = ktb_dequeue,
	.wake = ktb_wake,
	.read_cause = ktb_read_cause,
	.write_cause = ktb_write_cause,
};

/*
 * No reference is taken: the state lives until the vCPU's vcpu_uninit,
 * which cannot run while a caller holds the vCPU or runs its timer
 * (disown cancels the timer first).
 */
static struct ktb_mips_vcpu *lookup(struct kvm_vcpu *vcpu)
{
	struct ktb_mips_vcpu *v;

	rcu_read_lock();
	hash_for_each_possible_rcu(ktb_vcpus, v, node, (unsigned long)vcpu)
		if (v->vcpu == vcpu)
			break;
	rcu_read_unlock();
	return v;
}

/**
 * ktb_mips_owned() - the timer state of a vCPU this module owns
 * @vcpu: the vCPU.
 *
 * Return: the state, or NULL if the kernel runs this vCPU's timer.
 */
struct ktb_mips_vcpu *ktb_mips_owned(struct kvm_vcpu *vcpu)
{
	/* Every exit asks: where the kernel runs the timers, skip the lookup. */
	if (!READ_ONCE(ktb_own_timers))
		return NULL;
	return lookup(vcpu);
}

/*
 * Mirror Compare into the guest's register. Trap-and-emulate: dynamic
 * translation turns guest reads of Compare into loads from the kernel's
 * CP0 array, so it must hold the core's value. VZ: the core writes the
 * hardware register itself (a second write would acknowledge Cause.TI).
 */
static void ktb_sync_compare(struct ktb_mips_vcpu *v)
{
	if (!v->t.hw)
		ktb_mips_set_guest_compare(v, v->t.compare);
}

/*
 * The callback of an owned vCPU's comparecount timer: the core's expiry.
 * A firing the core did not arm (some kernels, such as the periodic tick
 * before 3.16, restart the timer from paths of their own) is counted for
 * debugfs and put back where the core wants it, if anywhere.
 *
 * Context: hard interrupt (the timer's expiry).
 */
static enum hrtimer_restart ktb_comparecount_fn(struct hrtimer *timer)
{
	struct kvm_vcpu *vcpu = container_of(timer, struct kvm_vcpu,
					     arch.comparecount_timer);
	/* Disown cancels this timer before it frees @v. */
	struct ktb_mips_vcpu *v = lookup(vcpu);
	ktime_t want;

	if (!v || !READ_ONCE(v->armed)) {
		atomic_long_inc(&ktb_kernel_timer_fired);
		return HRTIMER_NORESTART;
	}
	want = READ_ONCE(v->t.expires);
	if (ktime_before(hrtimer_get_expires(timer), want)) {
		atomic_long_inc(&ktb_kernel_timer_fired);
		hrtimer_set_expires(timer, want);
		return HRTIMER_RESTART;
	}
	hrtimer_set_expires(timer, ktb_mips_timer_expired(&v->t));
	return HRTIMER_RESTART;
}

static ktime_t ktb_clock_now(struct ktb_mips_timer *t)
{
	return ktime_get();
}

static void ktb_clock_start(struct ktb_mips_timer *t, ktime_t expires)
{
	struct ktb_mips_vcpu *v = ktb_v(t);

	WRITE_ONCE(v->armed, true);
	hrtimer_start(&v->vcpu->arch.comparecount_timer, expires,
		      HRTIMER_MODE_ABS);
}

/*
 * Disarmed only once the timer is cancelled: an expiry that fires while
 * the cancel is under way is one the core armed, and must run as such. A
 * callback that found ->armed already clear would drop it (NORESTART) and
 * leave the timer idle, and the read-time delivery, which re-arms only a
 * timer it cancelled, would then raise the interrupt on every Count read
 * past Compare until the next Compare write.
 */
static bool ktb_clock_cancel(struct ktb_mips_timer *t)
{
	struct ktb_mips_vcpu *v = ktb_v(t);
	bool was_armed;

	was_armed = hrtimer_cancel(&v->vcpu->arch.comparecount_timer) > 0;
	WRITE_ONCE(v->armed, false);
	return was_armed;
}

/* The core's clock for an owned vCPU: the kernel's comparecount timer. */
static const struct ktb_mips_clock_ops ktb_vcpu_clock = {
	.now = ktb_clock_now,
	.start = ktb_clock_start,
	.cancel = ktb_clock_cancel,
};

/*
 * Stop the kernel's timer and make it the core's for as long as this
 * module owns @v.
 */
static bool ktb_stop_kernel_timer(struct ktb_mips_vcpu *v, ktime_t *expires)
{
	struct hrtimer *kt = &v->vcpu->arch.comparecount_timer;
	bool armed = hrtimer_cancel(kt);

	*expires = hrtimer_get_expires(kt);
	if (!v->kernel_fn) {
		v->kernel_fn = kt->function;
		hrtimer_update_function(kt, ktb_comparecount_fn);
	}
	return armed;
}

/* Give the kernel's timer its own callback back (it is stopped). */
static void ktb_restore_kernel_timer(struct ktb_mips_vcpu *v)
{
	struct hrtimer *kt = &v->vcpu->arch.comparecount_timer;

	hrtimer_cancel(kt);
	if (v->kernel_fn) {
		hrtimer_update_function(kt, v->kernel_fn);
		v->kernel_fn = NULL;
	}
}

/* Take the vCPU's timer over from the kernel's, in whatever state it is. */
static void ktb_adopt(struct ktb_mips_vcpu *v)
{
	ktime_t expires;
	bool armed = ktb_stop_kernel_timer(v, &expires);

	preempt_disable();
	ktb_mips_kernel_timer_adopt(v, armed, expires);
	ktb_mips_mode_adopted(v);
	preempt_enable();
}

/*
 * A vCPU just set up: start its timer as upstream's does, Count 0 at
 * 100 MHz against the guest's Compare, reading nothing of the kernel's
 * timer (a kernel of before 3.16 has none of its fields). VZ starts at the
 * rate the kernel chose from the host's timer, taken over as it is.
 */
static void ktb_start(struct ktb_mips_vcpu *v)
{
	ktime_t expires;

	if (ktb_mips_mode_hw_timer) {
		ktb_adopt(v);
		return;
	}
	ktb_stop_kernel_timer(v, &expires);
	v->t.compare = ktb_mips_guest_compare(v);
	ktb_mips_timer_reset(&v->t, KTB_MIPS_DEFAULT_HZ);
}

/* The reverse of ktb_adopt(), around one emulation by the kernel. */
static void ktb_hand_back(struct ktb_mips_vcpu *v)
{
	bool armed = v->t.clock->cancel(&v->t);

	ktb_restore_kernel_timer(v);
	preempt_disable();
	ktb_mips_kernel_timer_hand_back(v, armed);
	preempt_enable();
}

/*
 * Own @vcpu's timer: from vcpu_setup (@fresh) or, for a vCPU created
 * before this module was loaded, from its first access to a timer
 * register. Returns it, or NULL if out of memory or unloading; the
 * kernel's timer then goes on running the vCPU.
 */
static struct ktb_mips_vcpu *ktb_own(struct kvm_vcpu *vcpu, bool fresh)
{
	struct ktb_mips_vcpu *v = ktb_mips_owned(vcpu);

	if (v)
		return v;
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return NULL;
	v->vcpu = vcpu;
	v->cpu = -1;
	ktb_mips_timer_init(&v->t, &ktb_vcpu_clock, &ktb_irq);
	v->t.hw = ktb_mips_mode_hw_timer;

	mutex_lock(&ktb_lock);
	/*
	 * A pin that fails means this module is going: leave it be. Two
	 * first accesses of one vCPU cannot race here (ONE_REG holds the
	 * vCPU's mutex, vcpu_setup comes before any of them), but the
	 * table stays right if they did.
	 */
	if (lookup(vcpu) || !try_module_get(THIS_MODULE)) {
		mutex_unlock(&ktb_lock);
		kfree(v);
		return lookup(vcpu);
	}
	hash_add_rcu(ktb_vcpus, &v->node, (unsigned long)vcpu);
	/*
	 * Owned from a ONE_REG ioctl, the vCPU is loaded here; from
	 * vcpu_setup it is not. Load and put keep this up to date from now
	 * on: both see @v, which is already in the table.
	 */
	preempt_disable();
	v->cpu = vcpu->cpu == smp_processor_id() ? vcpu->cpu : -1;
	preempt_enable();
	if (fresh)
		ktb_start(v);
	else
		ktb_adopt(v);
	mutex_unlock(&ktb_lock);
	return v;
}

static void ktb_disown(struct kvm_vcpu *vcpu)
{
	struct ktb_mips_vcpu *v;

	mutex_lock(&ktb_lock);
	v = lookup(vcpu);
	if (v) {
		hash_del_rcu(&v->node);
		ktb_counts_add(&ktb_gone, &v->counts);
	}
	mutex_unlock(&ktb_lock);
	if (!v)
		return;
	ktb_mips_timer_release(&v->t);
	ktb_restore_kernel_timer(v);
	/* A lookup may still be walking past @v's node. */
	kfree_rcu(v, rcu);
	/* Detach waits for this call to return before the text goes. */
	module_put(THIS_MODULE);
}

/*
 * What this module does on this kernel, decided once from what the
 * kernel's own handlers do on the first vCPU the module sees (never from
 * the version: distributions backport). Process context, the vCPU not
 * running.
 */
static void ktb_decide(struct kvm_vcpu *vcpu)
{
	struct kvm_one_reg probe = { .id = KVM_REG_MIPS_COUNT_CTL };
	struct ktb_feature *regs = &ktb_feature_regs;
	struct ktb_feature *timer = &ktb_feature_timer;
	s64 val;

	/* Pairs with the release below: the decisions come with the flag. */
	if (smp_load_acquire(&ktb_decided))
		return;
	mutex_lock(&ktb_lock);
	if (ktb_decided)
		goto out;

	ktb_kernel_has_regs = !ktb_mips_kernel_cb->get_one_reg(vcpu, &probe,
							       &val);
	if (ktb_mode == KTB_MODE_TAKEOVER) {
		WRITE_ONCE(ktb_own_timers, true);
		ktb_feature_decide(regs, ktb_kernel_has_regs ?
				   KTB_FEATURE_TAKEN_OVER : KTB_FEATURE_PROVIDED,
				   ktb_kernel_has_regs ? "kernel has them" :
				   "kernel lacks them");
		ktb_feature_decide(timer, KTB_FEATURE_TAKEN_OVER,
				   ktb_mips_kernel_timer_kind);
	} else if (!ktb_kernel_has_regs && ktb_mode == KTB_MODE_AUTO) {
		/* They only make sense on a timer that implements them. */
		WRITE_ONCE(ktb_own_timers, true);
		ktb_feature_decide(regs, KTB_FEATURE_PROVIDED,
				   "kernel lacks them");
		ktb_feature_decide(timer, KTB_FEATURE_PROVIDED,
				   ktb_mips_kernel_timer_kind);
	} else {
		ktb_feature_decide(regs, KTB_FEATURE_KERNEL,
				   ktb_kernel_has_regs ? "kernel has them" :
				   "kernel lacks them, not provided (mode=defer)");
		ktb_feature_decide(timer, KTB_FEATURE_KERNEL,
				   ktb_kernel_has_regs ? "kernel has the 3.16 timer" :
				   "kernel's own (mode=defer)");
	}
	ktb_mips_mode_decide(&ktb_cb, vcpu, ktb_own_timers);
	/*
	 * Loads and puts concern only vCPUs this module owns: where it will
	 * own none, the kernel's handlers go back into the table (a vCPU
	 * may be inside a wrapper meanwhile: either is right).
	 */
	if (!ktb_own_timers) {
		WRITE_ONCE(ktb_cb.vcpu_load, ktb_mips_kernel_cb->vcpu_load);
		WRITE_ONCE(ktb_cb.vcpu_put, ktb_mips_kernel_cb->vcpu_put);
	}
	/* Lock-free readers that see the flag see every decision. */
	smp_store_release(&ktb_decided, true);
out:
	mutex_unlock(&ktb_lock);
}

/* Does this module run @vcpu's timer registers? */
static bool ktb_routed(struct kvm_vcpu *vcpu, const struct ktb_reg *r)
{
	if (!r)
		return false;
	ktb_decide(vcpu);
	return READ_ONCE(ktb_own_timers);
}

/*
 * The kernel set the vCPU up (its timer included). A vCPU cannot fail
 * here: if this module cannot own it, the kernel's timer runs it.
 */
static int ktb_vcpu_setup(struct kvm_vcpu *vcpu)
{
	int ret;

	ktb_mips_enter();
	ret = ktb_mips_kernel_cb->vcpu_setup(vcpu);
	if (!ret) {
		ktb_decide(vcpu);
		if (READ_ONCE(ktb_own_timers) && !ktb_own(vcpu, true))
			pr_warn_ratelimited("vCPU %d: cannot own its timer (out of memory or unloading): the kernel's runs it\n",
					    vcpu->vcpu_id);
	}
	ktb_mips_exit();
	return ret;
}

static void ktb_vcpu_uninit(struct kvm_vcpu *vcpu)
{
	ktb_mips_enter();
	ktb_disown(vcpu);
	ktb_mips_kernel_cb->vcpu_uninit(vcpu);
	ktb_mips_exit();
}

static int ktb_get_one_reg(struct kvm_vcpu *vcpu,
			   const struct kvm_one_reg *reg, s64 *val)
{
	const struct ktb_reg *r = ktb_reg_find(ktb_mips_regs, ktb_mips_nr_regs,
					       reg->id);
	struct ktb_mips_vcpu *v;
	int ret;

	ktb_mips_enter();
	if (ktb_routed(vcpu, r)) {
		v = ktb_own(vcpu, false);
		ret = -ENOMEM;
		if (v) {
			/* VZ: the registers are this CPU's guest context. */
			preempt_disable();
			ret = ktb_reg_get(r, &v->t, (u64 *)val);
			preempt_enable();
		}
	} else {
		ret = ktb_mips_kernel_cb->get_one_reg(vcpu, reg, val);
	}
	ktb_mips_exit();
	return ret;
}

static int ktb_set_one_reg(struct kvm_vcpu *vcpu,
			   const struct kvm_one_reg *reg, s64 val)
{
	const struct ktb_reg *r = ktb_reg_find(ktb_mips_regs, ktb_mips_nr_regs,
					       reg->id);
	struct ktb_mips_vcpu *v;
	int ret;

	ktb_mips_enter();
	if (!ktb_routed(vcpu, r)) {
		ret = ktb_mips_kernel_cb->set_one_reg(vcpu, reg, val);
		if (!ret && reg->id == KVM_REG_MIPS_CP0_CAUSE)
			ktb_mips_mode_cause_set(vcpu, val);
		goto out;
	}
	v = ktb_own(vcpu, false);
	if (!v) {
		ret = -ENOMEM;
		goto out;
	}
	preempt_disable();
	ret = ktb_reg_set(r, &v->t, val);
	if (!ret && reg->id == KVM_REG_MIPS_CP0_COMPARE)
		ktb_sync_compare(v);
	preempt_enable();
out:
	ktb_mips_exit();
	return ret;
}

/*
 * KVM_GET_REG_LIST: a kernel that lacks the master disable registers still
 * lists CP0 Count/Compare/Cause; what this module adds when providing
 * them are the three control registers, last in its table.
 */
#define KTB_NR_CONTROL_REGS	3
static_assert(KTB_REG_MIPS_COUNT_CTL + 2 == KTB_REG_MIPS_COUNT_HZ);

static unsigned long ktb_extra_regs(struct kvm_vcpu *vcpu)
{
	ktb_decide(vcpu);
	return READ_ONCE(ktb_own_timers) && !ktb_kernel_has_regs ?
	       KTB_NR_CONTROL_REGS : 0;
}

static unsigned long ktb_num_regs(struct kvm_vcpu *vcpu)
{
	unsigned long n;

	ktb_mips_enter();
	n = ktb_mips_kernel_cb->num_regs(vcpu) + ktb_extra_regs(vcpu);
	ktb_mips_exit();
	return n;
}

static int ktb_copy_reg_indices(struct kvm_vcpu *vcpu, u64 __user *indices)
{
	unsigned long i, n;
	bool pinned;
	int ret;

	/* User copies: they can block on userfaultfd or FUSE memory. */
	pinned = ktb_mips_enter_pinned();
	ret = ktb_mips_kernel_cb->copy_reg_indices(vcpu, indices);
	n = ktb_mips_kernel_cb->num_regs(vcpu);
	for (i = 0; !ret && i < ktb_extra_regs(vcpu); i++)
		if (put_user(KTB_REG_MIPS_COUNT_CTL + i, indices + n + i))
			ret = -EFAULT;
	ktb_mips_exit_pinned(pinned);
	return ret;
}

/*
 * A guest timer access this module cannot carry out itself (a branch it
 * does not evaluate precedes it, or its instruction cannot be read): hand
 * the timer to the kernel for the duration of its emulation.
 */
static int ktb_kernel_emulates(struct kvm_vcpu *vcpu,
			       int (*handler)(struct kvm_vcpu *vcpu))
{
	struct ktb_mips_vcpu *v = ktb_mips_owned(vcpu);
	int ret;

	v->counts.handed_back++;
	ktb_hand_back(v);
	ret = handler(vcpu);
	ktb_adopt(v);
	return ret;
}

/**
 * ktb_mips_emulate() - carry out a decoded guest timer access
 * @v:          an owned vCPU, in its exit handler.
 * @insn:       the access.
 * @cause_mask: the Cause bits a guest write may change.
 * @branch:     the branch whose delay slot holds the access, evaluated
 *              with the registers as they were before the delay slot; NULL
 *              if the access is not in a delay slot.
 *
 * In the order the processor does it: the branch's link register, then the
 * access (a read's result goes to the destination register, sign-extended
 * as 32-bit CP0 values are held), then the guest continues after the
 * access, or at the branch's destination.
 *
 * Return: KTB_EMUL_DONE.
 */
enum ktb_emul ktb_mips_emulate(struct ktb_mips_vcpu *v,
			       const struct ktb_mips_timer_insn *insn,
			       u32 cause_mask,
			       const struct ktb_mips_branch *branch)
{
	struct kvm_vcpu *vcpu = v->vcpu;
	u32 val;

	if (branch && branch->link)
		vcpu->arch.gprs[branch->link] = branch->link_pc;
	val = ktb_mips_exec_timer_insn(&v->t, insn, vcpu->arch.gprs[insn->rt],
				       cause_mask);
	if (insn->write && insn->reg == KTB_CP0_COMPARE)
		ktb_sync_compare(v);
	else if (!insn->write && insn->rt)
		vcpu->arch.gprs[insn->rt] = (long)(s32)val;
	if (branch) {
		vcpu->arch.pc = branch->next_pc;
		v->counts.delay_slot++;
	} else {
		vcpu->arch.pc += 4;
	}
	v->counts.emulated++;
	return KTB_EMUL_DONE;
}

/**
 * ktb_mips_dispatch() - finish a guest exit as an exit wrapper decided
 * @vcpu:    the vCPU, in its exit handler.
 * @how:     what the wrapper made of the exit.
 * @handler: the kernel's handler for this exit.
 *
 * Return: the exit handler's result (RESUME_GUEST after an emulation, or
 * to run the instruction again).
 */
int ktb_mips_dispatch(struct kvm_vcpu *vcpu, enum ktb_emul how,
		      int (*handler)(struct kvm_vcpu *vcpu))
{
	/*
	 * The kernel's handler may sleep for as long as the guest waits
	 * (WAIT); the module is held meanwhile (ktb_mips_enter_guest_exit()),
	 * so rmmod says "in use" instead of blocking until the guest wakes.
	 */
	if (how == KTB_EMUL_DONE || how == KTB_EMUL_RETRY)
		return RESUME_GUEST;
	if (how == KTB_EMUL_KERNEL)
		return ktb_kernel_emulates(vcpu, handler);
	return handler(vcpu);
}

/*
 * Load and put run with interrupts off. A vCPU that moved takes its expiry
 * timer along, as the kernel does with its own, so that the expiry
 * interrupts the CPU the guest runs on.
 */
static int ktb_vcpu_load(struct kvm_vcpu *vcpu, int cpu)
{
	struct ktb_mips_vcpu *v;
	int ret;

	ktb_mips_enter();
	v = ktb_mips_owned(vcpu);
	if (v && vcpu->arch.last_sched_cpu != cpu)
		ktb_mips_timer_migrate(&v->t);
	ret = ktb_mips_kernel_cb->vcpu_load(vcpu, cpu);
	if (v)
		WRITE_ONCE(v->cpu, cpu);
	ktb_mips_exit();
	return ret;
}

static int ktb_vcpu_put(struct kvm_vcpu *vcpu, int cpu)
{
	struct ktb_mips_vcpu *v;
	int ret;

	ktb_mips_enter();
	v = ktb_mips_owned(vcpu);
	if (v) {
		ktb_mips_mode_put(v);
		WRITE_ONCE(v->cpu, -1);
	}
	ret = ktb_mips_kernel_cb->vcpu_put(vcpu, cpu);
	ktb_mips_exit();
	return ret;
}

static int ktb_vcpus_show(struct seq_file *m, void *unused)
{
	struct ktb_mips_counts sum;
	struct ktb_mips_vcpu *v;
	int bkt;

	mutex_lock(&ktb_lock);
	sum = ktb_gone;
	hash_for_each(ktb_vcpus, bkt, v, node)
		ktb_counts_add(&sum, &v->counts);
	seq_printf(m, "totals, closed vCPUs included: emulated %lu delay_slot %lu retried %lu handed_back %lu\n",
		   sum.emulated, sum.delay_slot, sum.retried, sum.handed_back);
	seq_printf(m, "attached: %s, mode: %s, own timers: %s, kernel timer expiries while owned: %ld\n",
		   ktb_attached ? "yes" : "no", ktb_mode_name(),
		   !ktb_decided ? "undecided" : ktb_own_timers ? "yes" : "no",
		   atomic_long_read(&ktb_kernel_timer_fired));
	hash_for_each(ktb_vcpus, bkt, v, node) {
		struct ktb_mips_timer *t = &v->t;

		/*
		 * Only this module's state: a vCPU stays listed until its
		 * vcpu_uninit, and the kernel frees its guest registers
		 * (Cause, on which Count's state depends) before that.
		 */
		seq_printf(m, "vm %d vcpu %d: compare %#x count_ctl %#x count_hz %u count_resume %lld emulated %lu delay_slot %lu retried %lu handed_back %lu%s%s\n",
			   v->vcpu->kvm->userspace_pid, v->vcpu->vcpu_id,
			   t->compare, t->count_ctl, t->count_hz,
			   ktb_mips_get_count_resume(t),
			   v->counts.emulated, v->counts.delay_slot,
			   v->counts.retried, v->counts.handed_back,
			   READ_ONCE(v->armed) ? " armed" : "",
			   READ_ONCE(v->hw_timer) ? " hw_timer" : "");
	}
	mutex_unlock(&ktb_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ktb_vcpus);

/*
 * MIPS: install this module's copy of kvm_mips_callbacks (-ENODEV if KVM
 * has not set its callbacks up). What the module then does on this
 * kernel is decided at the first vCPU: see ktb_decide().
 */
int ktb_glue_attach(struct dentry *debugfs)
{
	struct kvm_mips_callbacks *kernel = READ_ONCE(kvm_mips_callbacks);

	if (!kernel) {
		pr_err("KVM has not initialised kvm_mips_callbacks\n");
		return -ENODEV;
	}
	ktb_mips_kernel_cb = kernel;
	ktb_cb = *kernel;
	ktb_cb.vcpu_setup = ktb_vcpu_setup;
	ktb_cb.vcpu_uninit = ktb_vcpu_uninit;
	ktb_cb.get_one_reg = ktb_get_one_reg;
	ktb_cb.set_one_reg = ktb_set_one_reg;
	ktb_cb.num_regs = ktb_num_regs;
	ktb_cb.copy_reg_indices = ktb_copy_reg_indices;
	ktb_features_register(&ktb_feature_regs);
	ktb_features_register(&ktb_feature_timer);
	/* Load, put and guest exits only matter for timers this module owns. */
	if (ktb_mode != KTB_MODE_DEFER) {
		ktb_cb.vcpu_load = ktb_vcpu_load;
		ktb_cb.vcpu_put = ktb_vcpu_put;
	}
	ktb_mips_mode_attach(&ktb_cb);
	debugfs_create_file("vcpus", 0444, debugfs, NULL, &ktb_vcpus_fops);
	/*
	 * The table and ktb_mips_kernel_cb are complete before a vCPU can
	 * see the pointer. Pairs with the kernel's dependent load through
	 * the pointer and with the smp_rmb() in ktb_callers_enter().
	 */
	smp_store_release(&kvm_mips_callbacks, &ktb_cb);
	ktb_attached = true;
	pr_info("attached to kvm_mips_callbacks (mode=%s)\n", ktb_mode_name());
	return 0;
}

/* MIPS: put the kernel's kvm_mips_callbacks back. */
void ktb_glue_detach(void)
{
	WRITE_ONCE(kvm_mips_callbacks, ktb_mips_kernel_cb);
	ktb_attached = false;
	ktb_callers_drain(&ktb_callers);
	/* Pending kfree_rcu()s of disowned vCPUs need none of our text. */
	WARN_ON(!hash_empty(ktb_vcpus));
	pr_info("detached from kvm_mips_callbacks\n");
}
