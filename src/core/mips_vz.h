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

bool ktb_vz_can_give(struct ktb_mips_timer *t);
void ktb_vz_give(struct ktb_mips_timer *t);
void ktb_vz_take(struct ktb_mips_timer *t);

#endif /* KTB_CORE_MIPS_VZ_H */
