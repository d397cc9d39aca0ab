// SPDX-License-Identifier: GPL-2.0
/*
 * ktb_slowcb: a test fixture for make stress, never shipped.
 *
 * Holds kvm_timer_backport's next calls into one of KVM's functions for a
 * while, with interrupts enabled, so that a timer expiry falls between
 * what the module did before the call and the call itself. The stress
 * /init uses it on kvm_mips_dequeue_timer_int_cb(), which the module
 * calls to withdraw the guest's timer interrupt when a ONE_REG write of
 * Cause clears TI: an expiry that fires just before that call must not be
 * withdrawn with it (issue 12, finding 8).
 *
 * How: a kprobe on the function; when the call comes from the module's
 * text (the return address in ra, at the function's first instruction)
 * and a shot is armed, the pre-handler spins for delay_us before letting
 * the function run. MIPS runs kprobe handlers from the breakpoint
 * exception with interrupts enabled, so the expiry's hrtimer interrupt
 * is taken during the spin.
 *
 * Parameters (/sys/module/ktb_slowcb/parameters/):
 *   symbol    the function probed, at load (default
 *             kvm_mips_dequeue_timer_int_cb)
 *   shots     calls still to hold (write to arm)
 *   delay_us  how long each is held (default 10000)
 *   held      calls held so far
 */
#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/spinlock.h>

static char *symbol = "kvm_mips_dequeue_timer_int_cb";
module_param(symbol, charp, 0444);
MODULE_PARM_DESC(symbol, "the function whose calls from kvm_timer_backport are held");

static int shots;
module_param(shots, int, 0644);
MODULE_PARM_DESC(shots, "calls still to hold");

static unsigned int delay_us = 10000;
module_param(delay_us, uint, 0644);
MODULE_PARM_DESC(delay_us, "how long each held call spins first");

static int held;
module_param(held, int, 0444);
MODULE_PARM_DESC(held, "calls held so far");

#define TARGET	"kvm_timer_backport"

/* shots and held, written here and through sysfs. */
static DEFINE_SPINLOCK(shot_lock);

/* Takes one of the armed shots; false when there is none left. */
static bool take_shot(void)
{
	unsigned long irqflags;
	bool ret;

	spin_lock_irqsave(&shot_lock, irqflags);
	ret = shots > 0;
	if (ret) {
		WRITE_ONCE(shots, shots - 1);
		WRITE_ONCE(held, held + 1);
	}
	spin_unlock_irqrestore(&shot_lock, irqflags);
	return ret;
}

/* Whether @addr is in the target's text (kallsyms: what 5.10 exports). */
static bool from_target(unsigned long addr)
{
	static const char tag[] = " [" TARGET "]";
	char sym[KSYM_SYMBOL_LEN];
	int len = sprint_symbol(sym, addr);

	return len >= sizeof(tag) - 1 && !strcmp(sym + len - (sizeof(tag) - 1), tag);
}

static int hold_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned int us = READ_ONCE(delay_us);

	if (!READ_ONCE(shots) || !from_target(regs->regs[31]) || !take_shot())
		return 0;
	mdelay(us / 1000);
	udelay(us % 1000);
	return 0;
}

static struct kprobe hold_probe = {
	.pre_handler = hold_pre,
};

static int __init slowcb_init(void)
{
	hold_probe.symbol_name = symbol;
	return register_kprobe(&hold_probe);
}
module_init(slowcb_init);

static void __exit slowcb_exit(void)
{
	unregister_kprobe(&hold_probe);
}
module_exit(slowcb_exit);

MODULE_DESCRIPTION("Test fixture: hold kvm_timer_backport's calls into a KVM function");
MODULE_LICENSE("GPL");
