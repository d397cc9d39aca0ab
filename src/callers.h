/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calls into the wrappers this module installs in the kernel's ops tables,
 * counted so that unloading can wait until none is left in our text.
 */
#ifndef KTB_CALLERS_H
#define KTB_CALLERS_H

#include <linux/atomic.h>
#include <linux/wait_bit.h>

/**
 * struct ktb_callers - wrappers currently being executed
 * @inflight: number of calls between ktb_callers_enter() and _exit().
 */
struct ktb_callers {
	atomic_t inflight;
};

static inline void ktb_callers_enter(struct ktb_callers *c)
{
	atomic_inc(&c->inflight);
}

static inline void ktb_callers_exit(struct ktb_callers *c)
{
	if (atomic_dec_and_test(&c->inflight))
		wake_up_var(&c->inflight);
}

void ktb_callers_drain(struct ktb_callers *c);

#endif /* KTB_CALLERS_H */
