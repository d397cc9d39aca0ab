/* SPDX-License-Identifier: GPL-2.0 */
/*
 * timer_list API of 6.16+ on older kernels:
 *
 * - timer_delete() and timer_delete_sync() (6.2; del_timer*() went away in
 *   6.15). Functions, so Kbuild greps the kernel's header for them
 *   (KTB_HAVE_TIMER_DELETE, KTB_HAVE_TIMER_DELETE_SYNC): several stable
 *   series carry timer_delete_sync() alone, 5.10.223 among them. The
 *   stand-ins take the API's names, so a probe that misses the kernel's
 *   declaration breaks the build rather than shadowing it.
 * - timer_container_of() (6.16; from_timer() before it, removed then).
 *   A macro: tested for here.
 *
 * Tested by the compat_timer_* cases of kunit/compat_kunit.c.
 */
#ifndef KTB_COMPAT_LINUX_TIMER_H
#define KTB_COMPAT_LINUX_TIMER_H

#include_next <linux/timer.h>

#ifndef KTB_HAVE_TIMER_DELETE
static inline int timer_delete(struct timer_list *timer)
{
	return del_timer(timer);
}
#endif

#ifndef KTB_HAVE_TIMER_DELETE_SYNC
static inline int timer_delete_sync(struct timer_list *timer)
{
	return del_timer_sync(timer);
}
#endif

#ifndef timer_container_of
#define timer_container_of(var, callback_timer, timer_fieldname) \
	container_of(callback_timer, typeof(*(var)), timer_fieldname)
#endif

#endif /* KTB_COMPAT_LINUX_TIMER_H */
