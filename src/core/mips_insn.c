// SPDX-License-Identifier: GPL-2.0
/*
 * Decode and carry out guest accesses to CP0 Count, Compare and Cause.
 *
 * Only the exact encodings are accepted: mfc0, dmfc0, mtc0 and dmtc0 with
 * select 0 and the must-be-zero bits clear, and RDHWR $2 as the kernel's
 * own emulation accepts it.
 * Anything else is not a timer access, and the kernel's own emulation
 * decides what it is.
 *
 * When the access sits in a branch delay slot, the branch is carried out
 * here too. Only the pre-R6 MIPS32/MIPS64 integer branches are evaluated;
 * the rest (FPU, COP2 and DSP conditions, ISA mode switches, R6 compact
 * branches) are left to the kernel, which knows the state they depend on.
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

#define KTB_OP_SPECIAL	0x00
#define KTB_OP_REGIMM	0x01
#define KTB_OP_J	0x02
#define KTB_OP_JAL	0x03
#define KTB_OP_BEQ	0x04
#define KTB_OP_BNE	0x05
#define KTB_OP_BLEZ	0x06
#define KTB_OP_BGTZ	0x07
#define KTB_OP_BEQL	0x14
#define KTB_OP_BNEL	0x15
#define KTB_OP_BLEZL	0x16
#define KTB_OP_BGTZL	0x17
#define KTB_FN_JR	0x08
#define KTB_FN_JALR	0x09
#define KTB_RI_BLTZ	0x00
#define KTB_RI_BGEZ	0x01
#define KTB_RI_BLTZL	0x02
#define KTB_RI_BGEZL	0x03
#define KTB_RI_BLTZAL	0x10
#define KTB_RI_BGEZAL	0x11
#define KTB_RI_BLTZALL	0x12
#define KTB_RI_BGEZALL	0x13
#define KTB_GPR_RA	31
/* j and jal replace the low 28 bits of the address: a 256 MB region. */
#define KTB_J_REGION	0x0fffffffUL

static bool is_timer_reg(unsigned int rd)
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
		if (word & 0x7ff || !is_timer_reg(rd))
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

/* $0 reads as zero whatever the caller's copy of it holds. */
static unsigned long gpr_value(const unsigned long *gprs, unsigned int r)
{
	return r ? gprs[r] : 0;
}

/* The branch offset: the sign-extended immediate, counted in words. */
static long branch_offset(u32 word)
{
	return (long)(s16)(word & 0xffff) * 4;
}

/* jr and jalr: the target and the register jalr links, if it is one. */
static bool jump_reg(u32 word, const unsigned long *gprs, unsigned long *next,
		     u8 *link)
{
	unsigned int rd = (word >> 11) & 0x1f;
	unsigned int fn = word & 0x3f;

	/* Bits 10..6 are the hazard barrier hint: no effect on the target. */
	if ((word >> 16) & 0x1f)
		return false;
	if (fn == KTB_FN_JR && !rd)
		*link = 0;
	else if (fn == KTB_FN_JALR)
		*link = rd;
	else
		return false;
	*next = gpr_value(gprs, (word >> 21) & 0x1f);
	/* Bit 0 set switches to microMIPS or MIPS16e, which we do not decode. */
	return !(*next & 1);
}

/* The conditional branches: whether taken, and whether they link $31. */
static bool branch_cond(u32 word, const unsigned long *gprs, bool *taken,
			u8 *link)
{
	unsigned int rt = (word >> 16) & 0x1f;
	unsigned long s = gpr_value(gprs, (word >> 21) & 0x1f);

	*link = 0;
	switch (word >> 26) {
	case KTB_OP_BEQ:
	case KTB_OP_BEQL:
		*taken = s == gpr_value(gprs, rt);
		return true;
	case KTB_OP_BNE:
	case KTB_OP_BNEL:
		*taken = s != gpr_value(gprs, rt);
		return true;
	case KTB_OP_BLEZ:
	case KTB_OP_BLEZL:
		*taken = (long)s <= 0;
		/* With rt set these are R6 compact branches: no delay slot. */
		return !rt;
	case KTB_OP_BGTZ:
	case KTB_OP_BGTZL:
		*taken = (long)s > 0;
		return !rt;
	case KTB_OP_REGIMM:
		break;
	default:
		return false;
	}

	switch (rt) {
	case KTB_RI_BLTZAL:
	case KTB_RI_BLTZALL:
		*link = KTB_GPR_RA;
		fallthrough;
	case KTB_RI_BLTZ:
	case KTB_RI_BLTZL:
		*taken = (long)s < 0;
		return true;
	case KTB_RI_BGEZAL:
	case KTB_RI_BGEZALL:
		*link = KTB_GPR_RA;
		fallthrough;
	case KTB_RI_BGEZ:
	case KTB_RI_BGEZL:
		*taken = (long)s >= 0;
		return true;
	}
	return false;
}

/**
 * ktb_mips_eval_branch() - evaluate the branch whose delay slot trapped
 * @word: the branch instruction, at @pc (EPC when Cause.BD is set).
 * @pc:   the branch's address.
 * @gprs: the guest's general registers as they were before the delay slot
 *        ran; gprs[0] is not read.
 * @b:    filled in when the branch is one evaluated here.
 *
 * Evaluates the pre-R6 MIPS32/MIPS64 integer branches and jumps: jr, jalr,
 * j, jal, beq, bne, blez, bgtz, bltz, bgez, bltzal, bgezal and the likely
 * forms of the conditional ones. Registers are compared whole, as unsigned
 * long for beq and bne and as long for the sign tests, so a mips64 guest's
 * 32-bit values count sign-extended. A likely branch is evaluated like the
 * plain one: its delay slot runs only when it is taken, so with the
 * registers from before the slot it comes out taken, but nothing here
 * relies on that. The linking REGIMM forms link $31 whether or not they
 * are taken.
 *
 * The caller carries the whole pair out in this order: evaluate the branch
 * first, because the branch executes before its delay slot and the timer
 * access in the slot may overwrite a register the branch reads; then write
 * @b->link, because the slot sees the return address the branch wrote and
 * its own write of the same register must win; then carry out the timer
 * access; then set the guest's PC to @b->next_pc.
 *
 * Context: any; reads only its arguments.
 * Return: true if @word is one of the branches above, with @b filled in.
 * False, leaving @b untouched, for anything else, so that the caller leaves
 * the instruction pair to the kernel: a jr or jalr target with bit 0 set
 * (a switch to microMIPS or MIPS16e), jalx, the COP1, COP1X and COP2
 * condition branches, BPOSGE32/64, R6 compact branches, and instructions
 * that are not branches.
 */
bool ktb_mips_eval_branch(u32 word, unsigned long pc,
			  const unsigned long gprs[32],
			  struct ktb_mips_branch *b)
{
	unsigned int op = word >> 26;
	unsigned long next;
	bool taken;
	u8 link;

	if (op == KTB_OP_SPECIAL) {
		if (!jump_reg(word, gprs, &next, &link))
			return false;
	} else if (op == KTB_OP_J || op == KTB_OP_JAL) {
		/*
		 * The region is the delay slot's: a jump in the last word of a
		 * region lands in the next one.
		 */
		next = ((pc + 4) & ~KTB_J_REGION) | (word & 0x03ffffff) << 2;
		link = op == KTB_OP_JAL ? KTB_GPR_RA : 0;
	} else if (branch_cond(word, gprs, &taken, &link)) {
		next = taken ? pc + 4 + branch_offset(word) : pc + 8;
	} else {
		return false;
	}
	b->next_pc = next;
	b->link = link;
	b->link_pc = link ? pc + 8 : 0;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_eval_branch);
