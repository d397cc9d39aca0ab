// SPDX-License-Identifier: GPL-2.0
/*
 * MIPS glue: attach to KVM through kvm_mips_callbacks and, in takeover
 * mode, run each vCPU's guest timer on the core. What differs between
 * trap-and-emulate and VZ is in trap_emul.c and vz.c.
 *
 * Every caller loads kvm_mips_callbacks afresh, so attaching means
 * installing a patched copy of the kernel's table and detaching means
 * putting the original pointer back. In takeover mode this module owns a
 * vCPU's timer from vcpu_setup (or, for a vCPU created before the module
 * was loaded, from its first ONE_REG access to a timer register): the
 * kernel's comparecount hrtimer is stopped and its state carried over
 * exactly, and the core's own hrtimer runs instead. Each owned vCPU pins
 * this module, so it cannot be unloaded under a VM that depends on it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": mips: " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "callers.h"
#include "core/mips_insn.h"
#include "core/onereg.h"
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

/* Owned vCPUs by struct kvm_vcpu address; the mutex orders changes. */
static DEFINE_XARRAY(ktb_vcpus);
static DEFINE_MUTEX(ktb_lock);
static struct ktb_callers ktb_callers;

enum ktb_kernel_regs { KTB_UNKNOWN, KTB_KERNEL_HAS, KTB_KERNEL_LACKS };
static atomic_t ktb_kernel_regs = ATOMIC_INIT(KTB_UNKNOWN);

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

/**
 * ktb_mips_owned() - the timer state of a vCPU this module owns
 * @vcpu: the vCPU.
 *
 * Return: the state, or NULL if the kernel runs this vCPU's timer.
 */
struct ktb_mips_vcpu *ktb_mips_owned(struct kvm_vcpu *vcpu)
{
	return xa_load(&ktb_vcpus, (unsigned long)vcpu);
}

/*
 * Mirror Compare into the guest's register. Trap-and-emulate: dynamic
 * translation turns guest reads of Compare into loads from the kernel's
 * CP0 array, so it must hold the core's value. VZ: the core writes the
 * hardware register itself (a second write would acknowledge Cause.TI).
 */
static void ktb_sync_compare(struct ktb_mips_vcpu *v)
{
	if (!v->t.vz)
		ktb_mips_set_guest_compare(v, v->t.compare);
}

/* Take the kernel's timer state over exactly, expiry included. */
static void ktb_adopt(struct ktb_mips_vcpu *v)
{
	struct kvm_vcpu_arch *a = &v->vcpu->arch;
	struct ktb_mips_timer *t = &v->t;
	bool armed = hrtimer_cancel(&a->comparecount_timer);

	preempt_disable();

	t->count_ctl = a->count_ctl;
	t->count_bias = a->count_bias;
	t->count_hz = a->count_hz;
	t->count_dyn_bias = a->count_dyn_bias;
	t->count_resume = a->count_resume;
	t->count_period = a->count_period;
	t->count = kvm_read_c0_guest_count(ktb_cop0(v->vcpu));
	t->compare = ktb_mips_guest_compare(v);
	if (armed)
		ktb_mips_timer_arm(t, hrtimer_get_expires(&a->comparecount_timer));
	ktb_mips_mode_adopted(v);
	preempt_enable();
}

/* The reverse: the kernel's timer continues exactly where ours was. */
static void ktb_hand_back(struct ktb_mips_vcpu *v)
{
	struct kvm_vcpu_arch *a = &v->vcpu->arch;
	struct ktb_mips_timer *t = &v->t;
	bool armed = hrtimer_cancel(&t->hrtimer);

	preempt_disable();
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
	preempt_enable();
}

/* Own @vcpu's timer (takeover mode); returns it, or NULL if out of memory. */
static struct ktb_mips_vcpu *ktb_own(struct kvm_vcpu *vcpu)
{
	struct ktb_mips_vcpu *v = ktb_mips_owned(vcpu);

	if (v)
		return v;
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return NULL;
	v->vcpu = vcpu;
	v->cpu = -1;
	ktb_mips_timer_init(&v->t, &ktb_mips_hrtimer_clock, &ktb_irq);
	v->t.vz = ktb_mips_mode_vz;

	mutex_lock(&ktb_lock);
	/* A pin that fails means this module is going: leave it be. */
	if (!try_module_get(THIS_MODULE) ||
	    xa_insert(&ktb_vcpus, (unsigned long)vcpu, v, GFP_KERNEL)) {
		mutex_unlock(&ktb_lock);
		kfree(v);
		return ktb_mips_owned(vcpu);
	}
	/*
	 * Owned from a ONE_REG ioctl, the vCPU is loaded here; from
	 * vcpu_setup it is not. Load and put keep this up to date from now
	 * on: both see @v, which is already in the table.
	 */
	preempt_disable();
	v->cpu = vcpu->cpu == smp_processor_id() ? vcpu->cpu : -1;
	preempt_enable();
	ktb_adopt(v);
	mutex_unlock(&ktb_lock);
	return v;
}

static void ktb_disown(struct kvm_vcpu *vcpu)
{
	struct ktb_mips_vcpu *v;

	mutex_lock(&ktb_lock);
	v = xa_erase(&ktb_vcpus, (unsigned long)vcpu);
	mutex_unlock(&ktb_lock);
	if (!v)
		return;
	ktb_mips_timer_release(&v->t);
	kfree(v);
	/* Detach waits for this call to return before the text goes. */
	module_put(THIS_MODULE);
}

/*
 * Does the running kernel implement the master disable registers itself?
 * Asked once, of the kernel's own handler.
 */
static bool ktb_kernel_has_regs(struct kvm_vcpu *vcpu)
{
	int state = atomic_read(&ktb_kernel_regs);

	if (state == KTB_UNKNOWN) {
		struct kvm_one_reg probe = { .id = KVM_REG_MIPS_COUNT_CTL };
		s64 val;
		bool has = !ktb_mips_kernel_cb->get_one_reg(vcpu, &probe, &val);

		state = has ? KTB_KERNEL_HAS : KTB_KERNEL_LACKS;
		if (atomic_cmpxchg(&ktb_kernel_regs, KTB_UNKNOWN, state) ==
		    KTB_UNKNOWN) {
			if (!has && ktb_takeover)
				pr_info("kernel lacks KVM_REG_MIPS_COUNT_CTL and friends, providing them (takeover=1)\n");
			else if (!has)
				pr_info("kernel lacks KVM_REG_MIPS_COUNT_CTL and friends; load with takeover=1 to provide them\n");
			else if (ktb_takeover)
				pr_info("kernel implements KVM_REG_MIPS_COUNT_CTL and friends, taking the guest timer over (takeover=1)\n");
			else
				pr_info("kernel implements KVM_REG_MIPS_COUNT_CTL and friends, deferring to it\n");
		}
	}
	return state == KTB_KERNEL_HAS;
}

/*
 * Only takeover=1 replaces anything: in defer mode every callback passes
 * straight through (the probe above only decides what dmesg says).
 */
static bool ktb_taking_over(struct kvm_vcpu *vcpu)
{
	ktb_kernel_has_regs(vcpu);
	return ktb_takeover;
}

static int ktb_vcpu_setup(struct kvm_vcpu *vcpu)
{
	int ret;

	ktb_mips_enter();
	ret = ktb_mips_kernel_cb->vcpu_setup(vcpu);
	if (!ret && ktb_takeover && !ktb_own(vcpu))
		ret = -ENOMEM;
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
	if (r && ktb_taking_over(vcpu)) {
		v = ktb_own(vcpu);
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
	if (!r || !ktb_taking_over(vcpu)) {
		ret = ktb_mips_kernel_cb->set_one_reg(vcpu, reg, val);
		goto out;
	}
	v = ktb_own(vcpu);
	if (!v) {
		ret = -ENOMEM;
		goto out;
	}
	preempt_disable();
	ret = ktb_reg_set(r, &v->t, val);
	if (ret) {
		/* Nothing changed. */
	} else if (reg->id == KVM_REG_MIPS_CP0_COMPARE) {
		ktb_sync_compare(v);
	} else if (reg->id == KVM_REG_MIPS_CP0_CAUSE) {
		/*
		 * Cause.TI set by userspace (a restored VM whose timer
		 * interrupt was pending) must also be queued, or the guest
		 * only gets it when Count next reaches Compare; TI cleared
		 * withdraws a queued one.
		 */
		if (val & CAUSEF_TI)
			ktb_queue(&v->t);
		else
			ktb_dequeue(&v->t);
	}
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
	return ktb_takeover && !ktb_kernel_has_regs(vcpu) ?
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
	int ret;

	ktb_mips_enter();
	ret = ktb_mips_kernel_cb->copy_reg_indices(vcpu, indices);
	n = ktb_mips_kernel_cb->num_regs(vcpu);
	for (i = 0; !ret && i < ktb_extra_regs(vcpu); i++)
		if (put_user(KTB_REG_MIPS_COUNT_CTL + i, indices + n + i))
			ret = -EFAULT;
	ktb_mips_exit();
	return ret;
}

/*
 * A guest timer access the decoder could not emulate itself: hand the
 * timer back to the kernel for the duration of its emulation.
 */
static int ktb_kernel_emulates(struct kvm_vcpu *vcpu,
			       int (*handler)(struct kvm_vcpu *vcpu))
{
	struct ktb_mips_vcpu *v = ktb_mips_owned(vcpu);
	int ret;

	ktb_hand_back(v);
	ret = handler(vcpu);
	ktb_adopt(v);
	return ret;
}

/**
 * ktb_mips_emulate() - carry out a decoded guest timer access
 * @v:          an owned vCPU, in its exit handler.
 * @insn:       the access, not in a branch delay slot.
 * @cause_mask: the Cause bits a guest write may change.
 *
 * Writes a read's result to the destination register (sign-extended, as
 * 32-bit CP0 values are held) and steps the guest past the instruction.
 *
 * Return: KTB_EMUL_DONE.
 */
enum ktb_emul ktb_mips_emulate(struct ktb_mips_vcpu *v,
			       const struct ktb_mips_timer_insn *insn,
			       u32 cause_mask)
{
	struct kvm_vcpu *vcpu = v->vcpu;
	u32 val = ktb_mips_exec_timer_insn(&v->t, insn,
					   vcpu->arch.gprs[insn->rt],
					   cause_mask);

	if (insn->write && insn->reg == KTB_CP0_COMPARE)
		ktb_sync_compare(v);
	else if (!insn->write && insn->rt)
		vcpu->arch.gprs[insn->rt] = (long)(s32)val;
	vcpu->arch.pc += 4;
	return KTB_EMUL_DONE;
}

/**
 * ktb_mips_dispatch() - finish a guest exit as an exit wrapper decided
 * @vcpu:    the vCPU, in its exit handler.
 * @how:     what the wrapper made of the exit.
 * @handler: the kernel's handler for this exit.
 *
 * Return: the exit handler's result (RESUME_GUEST after an emulation).
 */
int ktb_mips_dispatch(struct kvm_vcpu *vcpu, enum ktb_emul how,
		      int (*handler)(struct kvm_vcpu *vcpu))
{
	bool pinned;
	int ret;

	if (how == KTB_EMUL_DONE)
		return RESUME_GUEST;
	/*
	 * The kernel's handler may sleep for as long as the guest waits
	 * (WAIT): hold the module meanwhile, so rmmod says "in use" instead
	 * of blocking in detach until the guest wakes.
	 */
	pinned = try_module_get(THIS_MODULE);
	if (how == KTB_EMUL_KERNEL)
		ret = ktb_kernel_emulates(vcpu, handler);
	else
		ret = handler(vcpu);
	if (pinned)
		module_put(THIS_MODULE);
	return ret;
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
	struct ktb_mips_vcpu *v;
	unsigned long index;

	mutex_lock(&ktb_lock);
	seq_printf(m, "attached: %s, mode: %s\n", ktb_attached ? "yes" : "no",
		   ktb_takeover ? "takeover" : "defer");
	xa_for_each(&ktb_vcpus, index, v) {
		struct ktb_mips_timer *t = &v->t;

		/* Count is the soft timer's: stale while the hardware has it. */
		seq_printf(m, "vm %d vcpu %d: count %#x compare %#x cause %#x count_ctl %#x count_hz %u count_resume %lld%s%s\n",
			   v->vcpu->kvm->userspace_pid, v->vcpu->vcpu_id,
			   ktb_mips_peek_count(t, ktime_get()),
			   t->compare, t->irq->read_cause(t), t->count_ctl,
			   t->count_hz, ktb_mips_get_count_resume(t),
			   ktb_mips_timer_stopped(t) ? " stopped" : "",
			   READ_ONCE(v->htimer) ? " htimer" : "");
	}
	mutex_unlock(&ktb_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ktb_vcpus);

/**
 * ktb_glue_attach() - install this module's copy of kvm_mips_callbacks
 * @debugfs: the module's debugfs directory.
 *
 * Return: 0, or -ENODEV if KVM has not set its callbacks up.
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
	/* Load, put and guest exits only matter for timers this module owns. */
	if (ktb_takeover) {
		ktb_cb.vcpu_load = ktb_vcpu_load;
		ktb_cb.vcpu_put = ktb_vcpu_put;
		ktb_mips_mode_takeover(&ktb_cb);
	}
	debugfs_create_file("vcpus", 0444, debugfs, NULL, &ktb_vcpus_fops);
	WRITE_ONCE(kvm_mips_callbacks, &ktb_cb);
	ktb_attached = true;
	pr_info("attached to kvm_mips_callbacks (%s)\n",
		ktb_takeover ? "takeover" : "defer to the kernel's timer");
	return 0;
}

/**
 * ktb_glue_detach() - put the kernel's kvm_mips_callbacks back
 *
 * Runs only with no owned vCPU left (each pins this module); calls
 * already inside a wrapper, or about to enter one, are waited for.
 */
void ktb_glue_detach(void)
{
	WRITE_ONCE(kvm_mips_callbacks, ktb_mips_kernel_cb);
	ktb_attached = false;
	ktb_callers_drain(&ktb_callers);
	WARN_ON(!xa_empty(&ktb_vcpus));
	pr_info("detached from kvm_mips_callbacks\n");
}
