/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest instructions that access the MIPS timer: decoding a trapped
 * instruction word and carrying it out on the timer core. Used by both
 * trap-and-emulate (coprocessor unusable / reserved instruction exits) and
 * VZ (guest privileged sensitive instruction exits), and evaluating the
 * branch when the access trapped in its delay slot.
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

/**
 * struct ktb_mips_branch - where a branch whose delay slot trapped goes
 * @next_pc: the address the guest continues at after the delay slot.
 * @link:    the general register the branch writes its return address to,
 *           0 if it writes none.
 * @link_pc: that return address (the branch's address + 8), 0 if none.
 */
struct ktb_mips_branch {
	unsigned long next_pc;
	u8 link;
	unsigned long link_pc;
};

bool ktb_mips_decode_timer_insn(u32 word, struct ktb_mips_timer_insn *insn);
bool ktb_mips_eval_branch(u32 word, unsigned long pc,
			  const unsigned long gprs[32],
			  struct ktb_mips_branch *b);
u32 ktb_mips_exec_timer_insn(struct ktb_mips_timer *t,
			     const struct ktb_mips_timer_insn *insn,
			     u32 src, u32 cause_mask);

#endif /* KTB_CORE_MIPS_INSN_H */
