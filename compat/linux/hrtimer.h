/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hrtimer API of 6.13+ on older kernels:
 *
 * - hrtimer_setup() sets the callback together with clock and mode (6.13;
 *   hrtimer_init() and assigning ->function directly went away in 6.15,
 *   when ->function became __private). KTB_HAVE_HRTIMER_SETUP.
 * - hrtimer_update_function() changes the callback of a timer that is not
 *   queued (6.13, and 6.12-stable). KTB_HAVE_HRTIMER_UPDATE_FUNCTION.
 *
 * Both are functions, so the KTB_HAVE_ macros come from a grep of the
 * kernel's header in Kbuild: stable and distribution kernels carry them
 * earlier than the version that introduced them. The stand-ins take the
 * API's own names, not prefixed ones behind a #define, so that a probe
 * that misses the kernel's declaration breaks the build (a static
 * definition after an extern declaration, or a second definition) instead
 * of silently shadowing it. Tested by the compat_hrtimer_* cases of
 * kunit/compat_kunit.c.
 */
#ifndef KTB_COMPAT_LINUX_HRTIMER_H
#define KTB_COMPAT_LINUX_HRTIMER_H

#include_next <linux/hrtimer.h>

#ifndef KTB_HAVE_HRTIMER_SETUP
static inline enum hrtimer_restart ktb_hrtimer_dummy_timeout(struct hrtimer *t)
{
	return HRTIMER_NORESTART;
}

/* As upstream: a NULL callback warns and gets a harmless one. */
static inline void
hrtimer_setup(struct hrtimer *timer,
	      enum hrtimer_restart (*function)(struct hrtimer *),
	      clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	if (WARN_ON_ONCE(!function))
		function = ktb_hrtimer_dummy_timeout;
	timer->function = function;
}
#endif

#ifndef KTB_HAVE_HRTIMER_UPDATE_FUNCTION
/* As upstream: the sanity checks only under lockdep, where they are cheap. */
static inline void
hrtimer_update_function(struct hrtimer *timer,
			enum hrtimer_restart (*function)(struct hrtimer *))
{
#ifdef CONFIG_PROVE_LOCKING
	unsigned long flags;

	raw_spin_lock_irqsave(&timer->base->cpu_base->lock, flags);
	if (!WARN_ON_ONCE(hrtimer_is_queued(timer)) && !WARN_ON_ONCE(!function))
		timer->function = function;
	raw_spin_unlock_irqrestore(&timer->base->cpu_base->lock, flags);
#else
	timer->function = function;
#endif
}
#endif

#endif /* KTB_COMPAT_LINUX_HRTIMER_H */
