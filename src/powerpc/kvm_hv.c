// SPDX-License-Identifier: GPL-2.0
/*
 * PowerPC Book3S HV glue: KVM_REG_PPC_TB_OFFSET (and DEC_EXPIRY) through
 * the timer core, by wrapping fields of kvm-hv's ops table.
 *
 * kvm-hv's struct kvmppc_ops is patched in place rather than replaced: a VM
 * keeps the pointer it was created with and the kernel recognises HV VMs by
 * comparing it with kvmppc_hv_ops, so VMs created before and after attach
 * must go on seeing the same table. Every VM pins kvm-hv, so the table
 * outlives all callers; what must outlive them too is this module's text,
 * which is why VMs created while attached pin this module, and detach
 * waits for every call already inside a wrapper.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": powerpc: " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/kvm_host.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <asm/kvm_ppc.h>
#include <asm/time.h>

#include "callers.h"
#include "core/onereg.h"
#include "glue.h"

static_assert(KTB_REG_PPC_TB_OFFSET == KVM_REG_PPC_TB_OFFSET);
static_assert(KTB_REG_PPC_DEC_EXPIRY == KVM_REG_PPC_DEC_EXPIRY);

/* A VM created while attached; it holds a reference on this module. */
struct ktb_vm {
	struct list_head node;
	struct kvm *kvm;
};

/* A vCPU this module has seen, for debugfs. */
struct ktb_vcpu {
	struct list_head node;
	struct kvm_vcpu *vcpu;
};

/* Serialises attach/detach with kvm-hv's load/unload and the lists. */
static DEFINE_MUTEX(ktb_lock);
static struct kvmppc_ops *ktb_hv;	/* the table we patched, or NULL */
static bool ktb_leaving;		/* detach has begun: attach no more */
static struct kvmppc_ops ktb_orig;	/* its fields as they were */
static LIST_HEAD(ktb_vms);
static LIST_HEAD(ktb_vcpus);
static struct ktb_callers ktb_callers;

/*
 * What vcpu->arch.dec_expires counts in on the kernel this was built for:
 * Kbuild tells from what the kernel's headers declare.
 */
static const enum ktb_ppc_dec_units ktb_units = KTB_PPC_DEC_UNITS;

static struct ktb_feature ktb_feature_tb = {
	.name = "TB_OFFSET",
};

static struct ktb_feature ktb_feature_dec = {
	.name = "DEC_EXPIRY",
};

static struct ktb_feature ktb_feature_mig = {
	.name = "decrementer migration fix",
};

/*
 * Decided at the first vCPU this module sees: whether it implements each
 * register itself. Written under ktb_lock before the release of
 * ktb_decided; read after its acquire.
 */
static bool ktb_decided;
static bool ktb_own_tb, ktb_own_dec;
/* Set once the kernel is seen to lack the migration fix, mode != defer. */
static bool ktb_fix_mig;

/* What was observed, for dmesg and debugfs "features". */
static const char ktb_why_host_units[] =
	"not needed, the kernel keeps the expiry in host timebase units";
static const char ktb_why_new_vcpu[] =
	"kernel lacks it, a new vCPU's expiry starts at the host timebase";
static const char ktb_why_no_fixup[] =
	"kernel lacks it, SET TB_OFFSET leaves a never-set expiry at 0";

static void ktb_enter(void)
{
	ktb_callers_enter(&ktb_callers);
}

static void ktb_exit(void)
{
	ktb_callers_exit(&ktb_callers);
}

static u64 ktb_read_tb(void)
{
	return get_tb();
}

static void ktb_track_vcpu(struct kvm_vcpu *vcpu)
{
	struct ktb_vcpu *v;

	mutex_lock(&ktb_lock);
	list_for_each_entry(v, &ktb_vcpus, node)
		if (v->vcpu == vcpu)
			goto out;
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (v) {
		v->vcpu = vcpu;
		list_add_tail(&v->node, &ktb_vcpus);
	}
out:
	mutex_unlock(&ktb_lock);
}

static void ktb_untrack_vcpu(struct kvm_vcpu *vcpu)
{
	struct ktb_vcpu *v, *tmp;

	mutex_lock(&ktb_lock);
	list_for_each_entry_safe(v, tmp, &ktb_vcpus, node) {
		if (v->vcpu == vcpu) {
			list_del(&v->node);
			kfree(v);
		}
	}
	mutex_unlock(&ktb_lock);
}

/* Decide one register: who implements it, and say so. */
static bool ktb_decide_reg(struct ktb_feature *f, bool kernel_has)
{
	switch (ktb_mode) {
	case KTB_MODE_TAKEOVER:
		ktb_feature_decide(f, kernel_has ? KTB_FEATURE_TAKEN_OVER :
				   KTB_FEATURE_PROVIDED,
				   kernel_has ? "kernel has it" : "kernel lacks it");
		return true;
	case KTB_MODE_AUTO:
		ktb_feature_decide(f, kernel_has ? KTB_FEATURE_KERNEL :
				   KTB_FEATURE_PROVIDED,
				   kernel_has ? "kernel has it" : "kernel lacks it");
		return !kernel_has;
	default:
		ktb_feature_decide(f, KTB_FEATURE_KERNEL, kernel_has ?
				   "kernel has it" :
				   "kernel lacks it, not provided (mode=defer)");
		return false;
	}
}

/*
 * What this module does on this kernel, decided once from what the
 * kernel's own handlers answer for the first vCPU the module sees (never
 * from the version: distributions backport). Process context.
 */
static void ktb_decide(struct kvm_vcpu *vcpu)
{
	union kvmppc_one_reg probe;
	bool has_tb, has_dec;

	/* Pairs with the release below: the decisions come with the flag. */
	if (smp_load_acquire(&ktb_decided))
		return;
	mutex_lock(&ktb_lock);
	if (ktb_decided)
		goto out;
	has_tb = ktb_orig.get_one_reg(vcpu, KVM_REG_PPC_TB_OFFSET, &probe) !=
		 -EINVAL;
	has_dec = ktb_orig.get_one_reg(vcpu, KVM_REG_PPC_DEC_EXPIRY, &probe) !=
		  -EINVAL;
	ktb_own_tb = ktb_decide_reg(&ktb_feature_tb, has_tb);
	ktb_own_dec = ktb_decide_reg(&ktb_feature_dec, has_dec);
	/*
	 * The migration fix is about the guest timebase era; before it a
	 * new vCPU's expiry is the host timebase of its creation, which
	 * never leaves a guest waiting. In that era it is decided here; in
	 * the other by what the kernel is seen to do (ktb_seen_*()).
	 */
	if (ktb_units == KTB_PPC_DEC_HOST_TB)
		ktb_feature_decide(&ktb_feature_mig, KTB_FEATURE_KERNEL,
				   ktb_why_host_units);
	/* Lock-free readers that see the flag see every decision. */
	smp_store_release(&ktb_decided, true);
out:
	mutex_unlock(&ktb_lock);
}

/*
 * The kernel lacks (part of) the migration fix: fix it from now on unless
 * deferring. Announced with the first evidence only.
 */
static void ktb_seen_mig_missing(const char *why)
{
	if (ktb_mode == KTB_MODE_DEFER) {
		ktb_feature_decide(&ktb_feature_mig, KTB_FEATURE_KERNEL,
				   "kernel lacks it, not fixed (mode=defer)");
		return;
	}
	if (READ_ONCE(ktb_fix_mig))
		return;
	WRITE_ONCE(ktb_fix_mig, true);
	ktb_feature_decide(&ktb_feature_mig, KTB_FEATURE_FIXED, why);
}

/*
 * A vCPU the kernel has just created, in the guest timebase era. Since
 * 0a5bfb824a6e its expiry starts at 0, "not set yet"; a kernel that starts
 * it at the host timebase (5.17-6.0) leaves a migrated guest waiting for
 * a whole negative offset.
 */
static void ktb_seen_new_vcpu(struct kvm_vcpu *vcpu)
{
	u64 *dec = &vcpu->arch.dec_expires;

	if (ktb_units != KTB_PPC_DEC_GUEST_TB)
		return;
	if (*dec)
		ktb_seen_mig_missing(ktb_why_new_vcpu);
	else
		ktb_feature_decide_once(&ktb_feature_mig,
					ktb_mode == KTB_MODE_TAKEOVER ?
					KTB_FEATURE_TAKEN_OVER :
					KTB_FEATURE_KERNEL, "kernel has it");
	if (READ_ONCE(ktb_fix_mig))
		*dec = ktb_ppc_new_vcpu_dec_expires(ktb_units, *dec);
}

/*
 * The kernel's own SET TB_OFFSET has just run on @vcpu, whose expiry was
 * @dec_before. Where it left a never-set expiry at 0 under an offset, it
 * lacks the TB_OFFSET half of the fix: apply it as the fixed kernel would
 * have, in its units.
 */
static void ktb_seen_tb_offset_set(struct kvm_vcpu *vcpu, u64 dec_before)
{
	u64 offset = vcpu->arch.vcore->tb_offset;

	switch (ktb_ppc_fixup_seen(ktb_units, dec_before,
				   vcpu->arch.dec_expires, offset)) {
	case KTB_PPC_FIXUP_MISSING:
		ktb_seen_mig_missing(ktb_why_no_fixup);
		if (READ_ONCE(ktb_fix_mig))
			ktb_ppc_dec_fixup(ktb_units, offset, get_tb(),
					  &vcpu->arch.dec_expires);
		break;
	case KTB_PPC_FIXUP_DONE:
		ktb_feature_decide_once(&ktb_feature_mig, KTB_FEATURE_KERNEL,
					"kernel has it");
		break;
	case KTB_PPC_FIXUP_UNTOLD:
		break;
	}
}

/* The register if this module implements @id for @vcpu, else NULL. */
static const struct ktb_reg *ktb_ours(struct kvm_vcpu *vcpu, u64 id)
{
	const struct ktb_reg *reg = ktb_reg_find(ktb_ppc_regs, ktb_ppc_nr_regs,
						 id);

	if (!reg)
		return NULL;
	ktb_track_vcpu(vcpu);
	ktb_decide(vcpu);
	if (id == KVM_REG_PPC_TB_OFFSET ? ktb_own_tb : ktb_own_dec)
		return reg;
	return NULL;
}

/*
 * The kernel keeps the offset per virtual core and the decrementer
 * expiry, in ktb_units, per vCPU; the entry path applies both.
 */
static struct ktb_ppc_tb_regs ktb_state(struct kvm_vcpu *vcpu)
{
	return (struct ktb_ppc_tb_regs) {
		.tb_offset = &vcpu->arch.vcore->tb_offset,
		.dec_expires = &vcpu->arch.dec_expires,
		.read_tb = ktb_read_tb,
		.units = ktb_units,
	};
}

static int ktb_get_one_reg(struct kvm_vcpu *vcpu, u64 id,
			   union kvmppc_one_reg *val)
{
	const struct ktb_reg *reg;
	int ret;

	ktb_enter();
	reg = ktb_ours(vcpu, id);
	if (reg) {
		struct ktb_ppc_tb_regs st = ktb_state(vcpu);
		u64 v;

		ret = ktb_reg_get(reg, &st, &v);
		if (!ret)
			val->dval = v;
	} else {
		ret = ktb_orig.get_one_reg(vcpu, id, val);
	}
	ktb_exit();
	return ret;
}

static int ktb_set_one_reg(struct kvm_vcpu *vcpu, u64 id,
			   union kvmppc_one_reg *val)
{
	const struct ktb_reg *reg;
	u64 dec_before;
	int ret;

	ktb_enter();
	reg = ktb_ours(vcpu, id);
	if (reg) {
		struct ktb_ppc_tb_regs st = ktb_state(vcpu);

		ret = ktb_reg_set(reg, &st, val->dval);
	} else {
		/* ONE_REG runs with the vCPU loaded: nothing else writes it. */
		dec_before = vcpu->arch.dec_expires;
		ret = ktb_orig.set_one_reg(vcpu, id, val);
		if (!ret && id == KVM_REG_PPC_TB_OFFSET)
			ktb_seen_tb_offset_set(vcpu, dec_before);
	}
	ktb_exit();
	return ret;
}

static int ktb_vcpu_create(struct kvm_vcpu *vcpu)
{
	int ret;

	ktb_enter();
	ret = ktb_orig.vcpu_create(vcpu);
	if (!ret) {
		ktb_track_vcpu(vcpu);
		ktb_decide(vcpu);
		ktb_seen_new_vcpu(vcpu);
	}
	ktb_exit();
	return ret;
}

static void ktb_vcpu_free(struct kvm_vcpu *vcpu)
{
	ktb_enter();
	ktb_untrack_vcpu(vcpu);
	ktb_orig.vcpu_free(vcpu);
	ktb_exit();
}

static int ktb_init_vm(struct kvm *kvm)
{
	struct ktb_vm *vm;
	int ret;

	/* Counted before anything that can sleep: see ktb_callers_drain(). */
	ktb_enter();
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	ret = ktb_orig.init_vm(kvm);
	/*
	 * The VM never fails for this module's bookkeeping: 5.10's
	 * kvm_arch_init_vm() keeps its kvm-hv reference when init_vm fails,
	 * so an ENOMEM here would pin kvm-hv until reboot. Out of memory, or
	 * unable to pin because this module is on its way out, the VM goes
	 * untracked: it does not hold the module, like a VM created before
	 * attach, and gets the kernel's own handlers back at detach.
	 */
	if (!ret && vm && try_module_get(THIS_MODULE)) {
		vm->kvm = kvm;
		mutex_lock(&ktb_lock);
		list_add_tail(&vm->node, &ktb_vms);
		mutex_unlock(&ktb_lock);
		vm = NULL;
	}
	ktb_exit();
	kfree(vm);
	return ret;
}

static void ktb_destroy_vm(struct kvm *kvm)
{
	struct ktb_vm *vm, *found = NULL;

	ktb_enter();
	ktb_orig.destroy_vm(kvm);
	mutex_lock(&ktb_lock);
	list_for_each_entry(vm, &ktb_vms, node) {
		if (vm->kvm == kvm) {
			found = vm;
			list_del(&vm->node);
			break;
		}
	}
	mutex_unlock(&ktb_lock);
	kfree(found);
	/* Detach waits for this call to leave before the text goes. */
	if (found)
		module_put(THIS_MODULE);
	ktb_exit();
}

static void ktb_patch(struct kvmppc_ops *ops)
{
	ktb_orig = *ops;
	/*
	 * A vCPU may call a field the moment it is patched: the copy must be
	 * visible first. Pairs with the smp_rmb() in ktb_callers_enter().
	 */
	smp_wmb();
	WRITE_ONCE(ops->get_one_reg, ktb_get_one_reg);
	WRITE_ONCE(ops->set_one_reg, ktb_set_one_reg);
	WRITE_ONCE(ops->vcpu_create, ktb_vcpu_create);
	WRITE_ONCE(ops->vcpu_free, ktb_vcpu_free);
	WRITE_ONCE(ops->init_vm, ktb_init_vm);
	WRITE_ONCE(ops->destroy_vm, ktb_destroy_vm);
	ktb_hv = ops;
	pr_info("attached to kvm-hv\n");
}

/* Put back exactly the pointers ktb_patch() replaced. */
static void ktb_unpatch(void)
{
	struct kvmppc_ops *ops = ktb_hv;

	WARN_ONCE(ops->get_one_reg != ktb_get_one_reg ||
		  ops->set_one_reg != ktb_set_one_reg ||
		  ops->vcpu_create != ktb_vcpu_create ||
		  ops->vcpu_free != ktb_vcpu_free ||
		  ops->init_vm != ktb_init_vm ||
		  ops->destroy_vm != ktb_destroy_vm,
		  "kvm-hv's ops table changed while attached\n");
	WRITE_ONCE(ops->get_one_reg, ktb_orig.get_one_reg);
	WRITE_ONCE(ops->set_one_reg, ktb_orig.set_one_reg);
	WRITE_ONCE(ops->vcpu_create, ktb_orig.vcpu_create);
	WRITE_ONCE(ops->vcpu_free, ktb_orig.vcpu_free);
	WRITE_ONCE(ops->init_vm, ktb_orig.init_vm);
	WRITE_ONCE(ops->destroy_vm, ktb_orig.destroy_vm);
	ktb_hv = NULL;
}

static void ktb_forget_all(void)
{
	struct ktb_vcpu *v, *tv;
	struct ktb_vm *vm, *tvm;

	list_for_each_entry_safe(v, tv, &ktb_vcpus, node) {
		list_del(&v->node);
		kfree(v);
	}
	/* Only reachable with no VM left: each one pins this module. */
	list_for_each_entry_safe(vm, tvm, &ktb_vms, node) {
		list_del(&vm->node);
		kfree(vm);
	}
}

/* Attach to kvm-hv if it is loaded and we are not attached yet. */
static void ktb_try_attach(void)
{
	struct kvmppc_ops *ops;

	mutex_lock(&ktb_lock);
	ops = READ_ONCE(kvmppc_hv_ops);
	/* Holding kvm-hv keeps it from going away while we patch. */
	if (!ktb_hv && !ktb_leaving && ops && try_module_get(ops->owner)) {
		ktb_patch(ops);
		module_put(ops->owner);
	}
	mutex_unlock(&ktb_lock);
}

static int ktb_module_event(struct notifier_block *nb, unsigned long event,
			    void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, "kvm_hv"))
		return NOTIFY_DONE;

	if (event == MODULE_STATE_LIVE) {
		ktb_try_attach();
	} else if (event == MODULE_STATE_GOING) {
		/*
		 * kvm-hv can only go with no VM left, so nothing calls the
		 * wrappers any more; its table goes with it.
		 */
		mutex_lock(&ktb_lock);
		if (ktb_hv && ktb_hv->owner == mod) {
			ktb_hv = NULL;
			ktb_forget_all();
			pr_info("kvm-hv unloaded, detached\n");
		}
		mutex_unlock(&ktb_lock);
	}
	return NOTIFY_OK;
}

static struct notifier_block ktb_module_nb = {
	.notifier_call = ktb_module_event,
};

static int ktb_vcpus_show(struct seq_file *m, void *unused)
{
	struct ktb_vcpu *v;

	mutex_lock(&ktb_lock);
	seq_printf(m, "attached: %s, mode: %s\n", ktb_hv ? "yes" : "no",
		   ktb_mode_name());
	list_for_each_entry(v, &ktb_vcpus, node) {
		struct kvm_vcpu *vcpu = v->vcpu;

		seq_printf(m, "vm %d vcpu %d: tb_offset %#llx dec_expires %#llx\n",
			   vcpu->kvm->userspace_pid, vcpu->vcpu_id,
			   READ_ONCE(vcpu->arch.vcore->tb_offset),
			   READ_ONCE(vcpu->arch.dec_expires));
	}
	mutex_unlock(&ktb_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ktb_vcpus);

/*
 * PowerPC: attach to kvm-hv now, or when it loads (a negative errno only
 * if the module notifier cannot be set up).
 */
int ktb_glue_attach(struct dentry *debugfs)
{
	int ret = register_module_notifier(&ktb_module_nb);

	if (ret)
		return ret;
	ktb_features_register(&ktb_feature_tb);
	ktb_features_register(&ktb_feature_dec);
	ktb_features_register(&ktb_feature_mig);
	debugfs_create_file("vcpus", 0444, debugfs, NULL, &ktb_vcpus_fops);
	ktb_try_attach();
	if (!READ_ONCE(ktb_hv))
		pr_info("waiting for kvm-hv\n");
	return 0;
}

/*
 * PowerPC: restore kvm-hv's table exactly as it was. Runs only once no VM
 * created while attached is left (they pin this module); VMs created
 * before attach may still be calling in, and are waited for.
 */
void ktb_glue_detach(void)
{
	bool unpatched = false;

	/*
	 * The notifier stays registered until the table is put back, and
	 * kvm-hv is held while it is written: a concurrent rmmod kvm_hv
	 * either waits (EBUSY) or has already gone past the point where
	 * its GOING notification told us to leave its table alone.
	 */
	mutex_lock(&ktb_lock);
	ktb_leaving = true;
	if (ktb_hv && try_module_get(ktb_hv->owner)) {
		struct module *owner = ktb_hv->owner;

		ktb_unpatch();
		module_put(owner);
		unpatched = true;
	}
	ktb_hv = NULL;
	mutex_unlock(&ktb_lock);
	unregister_module_notifier(&ktb_module_nb);
	ktb_callers_drain(&ktb_callers);
	mutex_lock(&ktb_lock);
	if (unpatched)
		pr_info("detached from kvm-hv\n");
	ktb_forget_all();
	mutex_unlock(&ktb_lock);
}
