/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handoff of the MIPS guest timer between the soft timer of mips_timer.c
 * and the VZ hardware guest timer (GuestCtl0.GT with CP0 GTOffset).
 */
#ifndef KTB_CORE_MIPS_VZ_H
#define KTB_CORE_MIPS_VZ_H

#include "core/mips_timer.h"

/*
 * How far the hardware Count may lag the soft Count when the soft timer
 * takes over before the lag goes into the bias instead of being caught up.
 */
#define KTB_VZ_MIN_DRIFT	(-0x10000)

/**
 * struct ktb_vz_hw_ops - the VZ registers the handoff uses
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
struct ktb_vz_hw_ops {
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

bool ktb_vz_should_use_htimer(struct ktb_mips_timer *t);
void ktb_vz_acquire(struct ktb_mips_timer *t);
void ktb_vz_lose(struct ktb_mips_timer *t);
void ktb_vz_park(struct ktb_mips_timer *t, u32 compare);

#endif /* KTB_CORE_MIPS_VZ_H */
