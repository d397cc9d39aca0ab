// SPDX-License-Identifier: GPL-2.0
/*
 * Decode and carry out guest accesses to CP0 Count, Compare and Cause.
 *
 * Only the exact encodings are accepted: mfc0, dmfc0, mtc0 and dmtc0 with
 * select 0 and the must-be-zero bits clear, and RDHWR $2 as the kernel's
 * own emulation accepts it.
 * Anything else is not a timer access, and the kernel's own emulation
 * decides what it is.
 */
#include <linux/export.h>
#include <kunit/visibility.h>

#include "core/mips_insn.h"

#define KTB_OP_COP0	0x10
#define KTB_OP_SPECIAL3	0x1f
#define KTB_FN_RDHWR	0x3b
#define KTB_COP0_MF	0x00
#define KTB_COP0_DMF	0x01
#define KTB_COP0_MT	0x04
#define KTB_COP0_DMT	0x05
#define KTB_HWR_CC	2

static bool ktb_is_timer_reg(unsigned int rd)
{
	return rd == KTB_CP0_COUNT || rd == KTB_CP0_COMPARE ||
	       rd == KTB_CP0_CAUSE;
}

/**
 * ktb_mips_decode_timer_insn() - recognise a guest timer access
 * @word: the instruction word.
 * @insn: filled in when it is one.
 *
 * Return: true if @word reads or writes CP0 Count, Compare or Cause, or is
 * RDHWR $2; false for any other instruction.
 */
bool ktb_mips_decode_timer_insn(u32 word, struct ktb_mips_timer_insn *insn)
{
	unsigned int op = word >> 26;
	unsigned int rs = (word >> 21) & 0x1f;
	unsigned int rt = (word >> 16) & 0x1f;
	unsigned int rd = (word >> 11) & 0x1f;
	unsigned int re = (word >> 6) & 0x1f;

	if (op == KTB_OP_COP0) {
		/* Bits 10..3 must be zero and select (2..0) is 0. */
		if (word & 0x7ff || !ktb_is_timer_reg(rd))
			return false;
		if (rs == KTB_COP0_MF || rs == KTB_COP0_DMF)
			insn->write = false;
		else if (rs == KTB_COP0_MT || rs == KTB_COP0_DMT)
			insn->write = true;
		else
			return false;
		insn->rdhwr = false;
		insn->reg = rd;
		insn->rt = rt;
		return true;
	}
	/*
	 * RDHWR rt, $2: rs and the upper bits of the re field are zero; the
	 * select in its low three bits means nothing for this register.
	 */
	if (op == KTB_OP_SPECIAL3 && (word & 0x3f) == KTB_FN_RDHWR && !rs &&
	    !(re >> 3) && rd == KTB_HWR_CC) {
		insn->write = false;
		insn->rdhwr = true;
		insn->reg = KTB_CP0_COUNT;
		insn->rt = rt;
		return true;
	}
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_decode_timer_insn);

/**
 * ktb_mips_exec_timer_insn() - carry out a decoded timer access
 * @t:          the timer.
 * @insn:       the access.
 * @src:        for a write, the low 32 bits of the source register.
 * @cause_mask: the Cause bits a guest write may change.
 *
 * A guest write of Compare acknowledges a pending timer interrupt.
 *
 * Return: for a read, the register's value (the caller sign-extends it
 * into a 64-bit register); 0 for a write.
 */
u32 ktb_mips_exec_timer_insn(struct ktb_mips_timer *t,
			     const struct ktb_mips_timer_insn *insn,
			     u32 src, u32 cause_mask)
{
	if (!insn->write) {
		if (insn->reg == KTB_CP0_COUNT)
			return ktb_mips_read_count(t);
		if (insn->reg == KTB_CP0_COMPARE)
			return ktb_mips_read_compare(t);
		return t->irq->read_cause(t);
	}
	if (insn->reg == KTB_CP0_COUNT)
		ktb_mips_write_count(t, src);
	else if (insn->reg == KTB_CP0_COMPARE)
		ktb_mips_write_compare(t, src, true);
	else
		ktb_mips_write_cause(t, src, cause_mask);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_exec_timer_insn);
