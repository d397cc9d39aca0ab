// SPDX-License-Identifier: GPL-2.0
/*
 * ktb_slowalloc: a test fixture for make stress-ppc64, never shipped.
 *
 * Makes the next slab allocations that kvm_timer_backport asks for sleep
 * before they are served, as an allocation asleep in direct reclaim does.
 * A task asleep there is quiescent for Tasks RCU: a wrapper that sleeps
 * before counting itself (ktb_callers_enter()) is invisible to the drain
 * at rmmod, and returns into freed text when it wakes (issue 12, finding
 * 4). The stress /init arms one shot, creates a VM, and removes the module
 * while the VM's init_vm sleeps in its allocation.
 *
 * How: a kprobe on kmem_cache_alloc_trace() (what kzalloc() of a constant
 * size calls in 5.10 with CONFIG_TRACING, as in the debug kernel). When the
 * call comes from the module's text and a shot is armed, the pre-handler
 * points the trap's return at slow_alloc(), which has the same arguments
 * and return address: it sleeps, checks that the text it will return to
 * is still kvm_timer_backport's, and makes the allocation itself (its own call
 * comes from this module, so the probe lets it through). Its post-handler
 * only keeps the probe from being optimised into a jump, which would not
 * honour the new nip. ppc64 ELFv2 only: r12 must hold the entry address.
 * Not to be removed while a task sleeps in it: /init waits for its VM.
 *
 * Parameters (/sys/module/ktb_slowalloc/parameters/):
 *   shots     allocations still to slow down (write to arm)
 *   sleep_ms  how long each sleeps (default 1500)
 *   asleep    tasks asleep in slow_alloc() now
 *   slept     allocations slowed down so far
 *   stale     of those, how many woke to find the text they return to
 *             freed (each also a WARNING in the kernel log)
 */
#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "kfixture.h"

static int shots;
module_param(shots, int, 0644);
MODULE_PARM_DESC(shots, "allocations of kvm_timer_backport still to slow down");

static unsigned int sleep_ms = 1500;
module_param(sleep_ms, uint, 0644);
MODULE_PARM_DESC(sleep_ms, "how long each slowed allocation sleeps");

static int asleep;
module_param(asleep, int, 0444);
MODULE_PARM_DESC(asleep, "tasks asleep in a slowed allocation now");

static int slept;
module_param(slept, int, 0444);
MODULE_PARM_DESC(slept, "allocations slowed down so far");

static int stale;
module_param(stale, int, 0444);
MODULE_PARM_DESC(stale, "slowed allocations whose caller's text was freed while they slept");

/* The counters above, read through sysfs and written by sleepers. */
static DEFINE_SPINLOCK(count_lock);

static void count(int *what, int by)
{
	unsigned long irqflags;

	spin_lock_irqsave(&count_lock, irqflags);
	WRITE_ONCE(*what, *what + by);
	spin_unlock_irqrestore(&count_lock, irqflags);
}

static void *slow_alloc(struct kmem_cache *s, gfp_t flags, size_t size)
{
	unsigned long ret_to = (unsigned long)__builtin_return_address(0);

	count(&asleep, 1);
	msleep(READ_ONCE(sleep_ms));
	count(&asleep, -1);
	count(&slept, 1);
	if (!kfixture_from_target(ret_to)) {
		count(&stale, 1);
		WARN(1, "ktb_slowalloc: the text at %pS that called this allocation was freed while it slept\n",
		     (void *)ret_to);
	}
	return kmem_cache_alloc_trace(s, flags, size);
}

/* Runs in the trap, preemption off: no sleeping here. */
static int slow_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned long to = (unsigned long)slow_alloc;

	if (!READ_ONCE(shots) || !kfixture_from_target(regs->link) ||
	    !kfixture_take_shot(&count_lock, &shots, NULL))
		return 0;
	regs->gpr[12] = to;
	regs->nip = to;
	return 1;
}

static void slow_post(struct kprobe *p, struct pt_regs *regs,
		      unsigned long flags)
{
}

static struct kprobe slow_probe = {
	.symbol_name = "kmem_cache_alloc_trace",
	.pre_handler = slow_pre,
	.post_handler = slow_post,
};

static int __init slowalloc_init(void)
{
	return register_kprobe(&slow_probe);
}
module_init(slowalloc_init);

static void __exit slowalloc_exit(void)
{
	unregister_kprobe(&slow_probe);
}
module_exit(slowalloc_exit);

MODULE_DESCRIPTION("Test fixture: slow down kvm_timer_backport's slab allocations");
MODULE_LICENSE("GPL");
