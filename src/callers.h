/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calls into the wrappers this module installs in the kernel's ops tables,
 * counted so that unloading can wait until none is left in our text.
 */
#ifndef KTB_CALLERS_H
#define KTB_CALLERS_H

#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/wait_bit.h>

/**
 * struct ktb_callers - wrappers currently being executed
 * @inflight: number of calls between ktb_callers_enter() and _exit().
 */
struct ktb_callers {
	atomic_t inflight;
};

/* The first thing every wrapper does, before anything that can sleep. */
static inline void ktb_callers_enter(struct ktb_callers *c)
{
	atomic_inc(&c->inflight);
	/*
	 * The caller loaded this wrapper's address from a table the attach
	 * published only after filling in what wrappers read (the kernel's
	 * original handlers): order that load before the wrapper's reads.
	 * Pairs with the smp_wmb() or release store of the attach.
	 */
	smp_rmb();
}

static inline void ktb_callers_exit(struct ktb_callers *c)
{
	if (atomic_dec_and_test(&c->inflight))
		wake_up_var(&c->inflight);
}

/**
 * ktb_callers_enter_pinned() - ktb_callers_enter() for a wrapper that can block
 * @c: the wrappers' count.
 *
 * A wrapper that can block for as long as userspace likes (a user copy,
 * a guest memory fault on userfaultfd or FUSE memory) also holds the
 * module, so that rmmod meanwhile fails with EBUSY instead of waiting in
 * ktb_callers_drain(). Not taken once the module is going: the drain
 * then waits for this call, which began after rmmod had committed.
 *
 * Return: whether the module is held; pass it to ktb_callers_exit_pinned().
 */
static inline bool ktb_callers_enter_pinned(struct ktb_callers *c)
{
	ktb_callers_enter(c);
	return try_module_get(THIS_MODULE);
}

/**
 * ktb_callers_exit_pinned() - the end of a ktb_callers_enter_pinned() call
 * @c:      the wrappers' count.
 * @pinned: what ktb_callers_enter_pinned() returned.
 */
static inline void ktb_callers_exit_pinned(struct ktb_callers *c, bool pinned)
{
	if (pinned)
		module_put(THIS_MODULE);
	ktb_callers_exit(c);
}

void ktb_callers_drain(struct ktb_callers *c);

#endif /* KTB_CALLERS_H */
