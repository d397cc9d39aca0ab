/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Arch-neutral model of the MIPS guest CP0 Count/Compare timer.
 *
 * Count is derived from monotonic time: Count = bias + scaled(now), where
 * scaled() converts nanoseconds to ticks at count_hz. An absolute-mode timer
 * is kept armed at the time Count next reaches Compare. The model knows
 * nothing about struct kvm_vcpu: time, the timer and the guest's interrupt
 * line come in through two small ops tables, so the same code runs against
 * the real hrtimer in production and against a fake clock in KUnit.
 *
 * Locking: every function except ktb_mips_timer_expired() runs in the
 * context that owns the vCPU (its ioctl or run loop, or with preemption
 * disabled on the vCPU's CPU for the VZ handoff). ktb_mips_timer_expired()
 * runs in the timer's expiry context and only touches @expires and the
 * interrupt ops, which is why the owner cancels the timer before it changes
 * anything the expiry path reads.
 */
#ifndef KTB_CORE_MIPS_TIMER_H
#define KTB_CORE_MIPS_TIMER_H

#include <linux/ktime.h>
#include <linux/types.h>

#include "core/mips_scale.h"

/* Guest CP0 Cause bits the timer cares about. */
#define KTB_CAUSE_TI		0x40000000u	/* timer interrupt pending */
#define KTB_CAUSE_DC		0x08000000u	/* disable Count */
#define KTB_CAUSE_IP7		0x00008000u	/* timer line, Cause.IP7 */
/* Bits a trap-and-emulate guest may change with mtc0 (DC, IV, IP1, IP0). */
#define KTB_CAUSE_GUEST_WRITABLE 0x08800300u

/* KVM_REG_MIPS_COUNT_CTL: the only defined bit is the master disable. */
#define KTB_COUNT_CTL_DC	0x1u

/* Trap-and-emulate guests start at 100 MHz. */
#define KTB_MIPS_DEFAULT_HZ	100000000u

struct ktb_mips_timer;

/**
 * struct ktb_mips_clock_ops - where time and the expiry timer come from
 * @now:    current monotonic time.
 * @start:  arm the expiry timer at an absolute time.
 * @cancel: disarm the expiry timer, waiting for a running expiry callback;
 *          returns true if it was armed.
 *
 * The glue runs the expiry on the kernel's own per-vCPU hrtimer (so that
 * the kernel's vCPU teardown cancels it); KUnit passes a fake clock, or a
 * real hrtimer of its own.
 */
struct ktb_mips_clock_ops {
	ktime_t (*now)(struct ktb_mips_timer *t);
	void (*start)(struct ktb_mips_timer *t, ktime_t expires);
	bool (*cancel)(struct ktb_mips_timer *t);
};

/**
 * struct ktb_mips_irq_ops - the guest side the timer drives
 * @queue:       raise the guest timer interrupt (Cause.TI and IP7).
 * @dequeue:     withdraw it (a guest Compare write acknowledges it).
 * @wake:        wake the vCPU if it is blocked in WAIT.
 * @read_cause:  the guest's CP0 Cause register.
 * @write_cause: replace the guest's CP0 Cause register.
 */
struct ktb_mips_irq_ops {
	void (*queue)(struct ktb_mips_timer *t);
	void (*dequeue)(struct ktb_mips_timer *t);
	void (*wake)(struct ktb_mips_timer *t);
	u32 (*read_cause)(struct ktb_mips_timer *t);
	void (*write_cause)(struct ktb_mips_timer *t, u32 cause);
};

/**
 * struct ktb_mips_hw_timer_ops - a hardware guest timer's registers (VZ)
 * @host_count:          root CP0 Count.
 * @host_hz:             rate of the root CP0 Count.
 * @gtoffset_mask:       implemented bits of CP0 GTOffset.
 * @write_gtoffset:      set CP0 GTOffset (guest Count = root Count + it).
 * @guest_count:         guest CP0 Count.
 * @guest_compare:       guest CP0 Compare.
 * @write_guest_compare: set guest CP0 Compare (clears guest Cause.TI).
 * @guest_cause:         guest CP0 Cause.
 * @write_guest_cause:   set guest CP0 Cause.
 * @gt:                  whether GuestCtl0.GT gives the guest the timer.
 * @set_gt:              set or clear GuestCtl0.GT.
 */
struct ktb_mips_hw_timer_ops {
	u32 (*host_count)(struct ktb_mips_timer *t);
	u32 (*host_hz)(struct ktb_mips_timer *t);
	u32 (*gtoffset_mask)(struct ktb_mips_timer *t);
	void (*write_gtoffset)(struct ktb_mips_timer *t, u32 offset);
	u32 (*guest_count)(struct ktb_mips_timer *t);
	u32 (*guest_compare)(struct ktb_mips_timer *t);
	void (*write_guest_compare)(struct ktb_mips_timer *t, u32 compare);
	u32 (*guest_cause)(struct ktb_mips_timer *t);
	void (*write_guest_cause)(struct ktb_mips_timer *t, u32 cause);
	bool (*gt)(struct ktb_mips_timer *t);
	void (*set_gt)(struct ktb_mips_timer *t, bool on);
};

/**
 * struct ktb_mips_timer - per-vCPU guest timer state
 * @clock:        time source and expiry timer.
 * @irq:          guest interrupt delivery and Cause access.
 * @hw:           the hardware guest timer's registers where the guest has
 *                one (VZ; mips_vz.c hands the timer to and from it), else
 *                NULL (trap-and-emulate).
 * @expires:      absolute time the expiry timer was last armed for.
 * @count_period: nanoseconds per 2^32 ticks at @count_hz.
 * @scale:        constants of the conversions at @count_hz, so that they do
 *                not divide; set with @count_hz.
 * @count_dyn_bias: multiple of -@count_period added to the time before
 *                scaling, keeping it below @count_period as @scale
 *                requires.
 * @count_resume: time the master disable took effect (COUNT_RESUME).
 * @count_ctl:    KVM_REG_MIPS_COUNT_CTL.
 * @count_bias:   Count minus the scaled time.
 * @count_hz:     tick rate (KVM_REG_MIPS_COUNT_HZ), 1 .. NSEC_PER_SEC.
 * @count:        Count while the timer is stopped.
 * @compare:      guest CP0 Compare.
 */
struct ktb_mips_timer {
	const struct ktb_mips_clock_ops *clock;
	const struct ktb_mips_irq_ops *irq;
	const struct ktb_mips_hw_timer_ops *hw;
	ktime_t expires;
	u64 count_period;
	struct ktb_mips_scale scale;
	s64 count_dyn_bias;
	ktime_t count_resume;
	u32 count_ctl;
	u32 count_bias;
	u32 count_hz;
	u32 count;
	u32 compare;
};

void ktb_mips_timer_init(struct ktb_mips_timer *t,
			 const struct ktb_mips_clock_ops *clock,
			 const struct ktb_mips_irq_ops *irq);
void ktb_mips_timer_reset(struct ktb_mips_timer *t, u32 hz);
void ktb_mips_timer_release(struct ktb_mips_timer *t);
void ktb_mips_timer_arm(struct ktb_mips_timer *t, ktime_t expires);
void ktb_mips_timer_migrate(struct ktb_mips_timer *t);
ktime_t ktb_mips_timer_expired(struct ktb_mips_timer *t);

bool ktb_mips_timer_stopped(struct ktb_mips_timer *t);
u32 ktb_mips_read_count(struct ktb_mips_timer *t);
void ktb_mips_write_count(struct ktb_mips_timer *t, u32 count);
void ktb_mips_park_hw_count(struct ktb_mips_timer *t, u32 compare);
void ktb_mips_write_compare(struct ktb_mips_timer *t, u32 compare, bool ack);
void ktb_mips_set_cause(struct ktb_mips_timer *t, u32 value);
void ktb_mips_write_cause(struct ktb_mips_timer *t, u32 value, u32 mask);

int ktb_mips_set_count_ctl(struct ktb_mips_timer *t, s64 ctl);
int ktb_mips_set_count_resume(struct ktb_mips_timer *t, s64 resume_ns);
int ktb_mips_set_count_hz(struct ktb_mips_timer *t, s64 hz);

u32 ktb_mips_ns_to_ticks(struct ktb_mips_timer *t, ktime_t now);
u32 ktb_mips_peek_count(const struct ktb_mips_timer *t, ktime_t now);
ktime_t ktb_mips_freeze(struct ktb_mips_timer *t, u32 *count);
void ktb_mips_resume(struct ktb_mips_timer *t, ktime_t now, u32 count);
int ktb_mips_restore(struct ktb_mips_timer *t, ktime_t before, u32 count,
		     int min_drift);

static inline u32 ktb_mips_read_compare(const struct ktb_mips_timer *t)
{
	return t->compare;
}

static inline s64 ktb_mips_get_count_resume(const struct ktb_mips_timer *t)
{
	return ktime_to_ns(t->count_resume);
}

#endif /* KTB_CORE_MIPS_TIMER_H */
