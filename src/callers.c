// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting for the last call into our wrappers before the module goes.
 */
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include "callers.h"

/**
 * ktb_callers_drain() - wait until no task can be in a wrapper any more
 * @c: the wrappers' count.
 *
 * Call after the kernel's own function pointers are back in place. A task
 * may have loaded a wrapper's address just before that: once every task
 * has passed a voluntary context switch (plain RCU on kernels without
 * preemption) it is either counted inside or gone, because every wrapper
 * counts itself (ktb_callers_enter()) before it can sleep, unless a module
 * reference holds it there (a MIPS vCPU whose timer the module owns: the
 * module cannot be going while it exits). Then wait for
 * the count, and once more for the last caller to have returned past its
 * decrement, which is still our text.
 *
 * Context: process context, may sleep for as long as a wrapper runs.
 */
void ktb_callers_drain(struct ktb_callers *c)
{
	synchronize_rcu_tasks();
	wait_var_event(&c->inflight, !atomic_read(&c->inflight));
	synchronize_rcu_tasks();
}
