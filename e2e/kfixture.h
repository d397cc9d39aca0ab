/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the stress rigs' fixture modules (mips/slowcb.c, ppc64/slowalloc.c)
 * share: which calls come from kvm_timer_backport, and armed shots taken
 * one at a time. The rigs copy this header next to the fixture's source
 * to build it.
 */
#ifndef KTB_KFIXTURE_H
#define KTB_KFIXTURE_H

#include <linux/kallsyms.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#define KFIXTURE_TARGET	"kvm_timer_backport"

/*
 * Whether @addr is in the target's text. kallsyms is the only lookup of
 * an address' module that 5.10 exports; it takes care of the module
 * list's locking and works in a trap.
 */
static inline bool kfixture_from_target(unsigned long addr)
{
	static const char tag[] = " [" KFIXTURE_TARGET "]";
	char sym[KSYM_SYMBOL_LEN];
	int len = sprint_symbol(sym, addr);

	return len >= sizeof(tag) - 1 && !strcmp(sym + len - (sizeof(tag) - 1), tag);
}

/*
 * Takes one of *@shots under @lock, and counts it in *@taken if that is
 * not NULL; false when there is none left.
 */
static inline bool kfixture_take_shot(spinlock_t *lock, int *shots, int *taken)
{
	unsigned long irqflags;
	bool ret;

	spin_lock_irqsave(lock, irqflags);
	ret = *shots > 0;
	if (ret) {
		WRITE_ONCE(*shots, *shots - 1);
		if (taken)
			WRITE_ONCE(*taken, *taken + 1);
	}
	spin_unlock_irqrestore(lock, irqflags);
	return ret;
}

#endif /* KTB_KFIXTURE_H */
