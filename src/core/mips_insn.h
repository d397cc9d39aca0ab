/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest instructions that access the MIPS timer: decoding a trapped
 * instruction word and carrying it out on the timer core. Used by both
 * trap-and-emulate (coprocessor unusable / reserved instruction exits) and
 * VZ (guest privileged sensitive instruction exits).
 */
#ifndef KTB_CORE_MIPS_INSN_H
#define KTB_CORE_MIPS_INSN_H

#include <linux/types.h>

#include "core/mips_timer.h"

/* CP0 register numbers (select 0) of the timer registers. */
#define KTB_CP0_COUNT		9
#define KTB_CP0_COMPARE		11
#define KTB_CP0_CAUSE		13

/**
 * struct ktb_mips_timer_insn - a decoded guest timer access
 * @write: true for mtc0/dmtc0, false for a read.
 * @rdhwr: the read is RDHWR $2 (the user-mode Count read), not mfc0.
 * @reg:   KTB_CP0_COUNT, KTB_CP0_COMPARE or KTB_CP0_CAUSE.
 * @rt:    the general register read (write) or written (read).
 */
struct ktb_mips_timer_insn {
	bool write;
	bool rdhwr;
	u8 reg;
	u8 rt;
};

bool ktb_mips_decode_timer_insn(u32 word, struct ktb_mips_timer_insn *insn);
u32 ktb_mips_exec_timer_insn(struct ktb_mips_timer *t,
			     const struct ktb_mips_timer_insn *insn,
			     u32 src, u32 cause_mask);

#endif /* KTB_CORE_MIPS_INSN_H */
