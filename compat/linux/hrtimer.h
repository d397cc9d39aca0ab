/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hrtimer_setup() sets the callback together with clock and mode (6.13;
 * hrtimer_init() and assigning ->function directly went away in 6.15).
 * KTB_HAVE_HRTIMER_SETUP comes from a probe of the kernel's header in
 * Kbuild, because stable and distribution kernels carry it earlier.
 */
#ifndef KTB_COMPAT_LINUX_HRTIMER_H
#define KTB_COMPAT_LINUX_HRTIMER_H

#include_next <linux/hrtimer.h>

#ifndef KTB_HAVE_HRTIMER_SETUP
static inline void
ktb_hrtimer_setup(struct hrtimer *timer,
		  enum hrtimer_restart (*function)(struct hrtimer *),
		  clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}

#define hrtimer_setup ktb_hrtimer_setup
#endif

#endif /* KTB_COMPAT_LINUX_HRTIMER_H */
