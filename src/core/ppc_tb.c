// SPDX-License-Identifier: GPL-2.0
/*
 * PowerPC Book3S HV timebase offset arithmetic.
 */
#include <linux/compiler.h>
#include <linux/export.h>
#include <kunit/visibility.h>

#include "core/ppc_tb.h"

/**
 * ktb_ppc_round_tb_offset() - round an offset up to a multiple of 2^24
 * @raw: offset as userspace gave it.
 *
 * Arithmetic is modulo 2^64, so a "negative" offset rounds towards zero
 * and the largest values wrap to 0; rounding up means a migrated guest's
 * timebase may jump forward a little but never back.
 *
 * Return: the offset the hardware can apply.
 */
u64 ktb_ppc_round_tb_offset(u64 raw)
{
	return (raw + KTB_TB_LOW_MASK) & ~KTB_TB_LOW_MASK;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_ppc_round_tb_offset);

/**
 * ktb_ppc_tb_offset_set() - KVM_SET_ONE_REG of KVM_REG_PPC_TB_OFFSET
 * @raw:         value from userspace; any value is accepted.
 * @host_tb:     host timebase now.
 * @dec_expires: the vCPU's decrementer expiry, in guest timebase units.
 *
 * A vCPU whose decrementer expiry was never set (0) would otherwise see
 * its decrementer as far in the future once an offset applies, and a
 * migrated guest hangs waiting for it: make it expire now instead.
 *
 * Return: the rounded offset to store for the virtual core.
 */
u64 ktb_ppc_tb_offset_set(u64 raw, u64 host_tb, u64 *dec_expires)
{
	u64 offset = ktb_ppc_round_tb_offset(raw);

	if (!*dec_expires && offset)
		*dec_expires = host_tb + offset;
	return offset;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_ppc_tb_offset_set);

/**
 * ktb_ppc_tb_shift() - add @delta to the running timebase through TBU40
 * @ops:   timebase access.
 * @delta: amount to add, a multiple of 2^24 (modulo 2^64).
 *
 * TBU40 replaces the upper 40 bits only. If the lower 24 bits wrapped
 * between reading the timebase and writing TBU40, the carry into the upper
 * bits was lost with the write: detect that (the low bits are now smaller
 * than those we read) and write again one 2^24 step higher.
 *
 * Return: the value last written to TBU40.
 */
u64 ktb_ppc_tb_shift(const struct ktb_tb_ops *ops, u64 delta)
{
	u64 val = ops->read_tb(ops->ctx) + delta;

	ops->write_tbu40(ops->ctx, val);
	if ((ops->read_tb(ops->ctx) & KTB_TB_LOW_MASK) <
	    (val & KTB_TB_LOW_MASK)) {
		val += 1ULL << KTB_TB_LOW_BITS;
		ops->write_tbu40(ops->ctx, val);
	}
	return val;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_ppc_tb_shift);

/**
 * ktb_ppc_guest_enter() - apply the virtual core's offset on guest entry
 * @vc:  the virtual core.
 * @ops: timebase access.
 *
 * The offset is snapshotted, so a concurrent KVM_SET_ONE_REG between
 * entry and exit cannot make the exit take off a different amount and
 * leave this host core's timebase out of step with the others.
 */
void ktb_ppc_guest_enter(struct ktb_ppc_vcore_tb *vc,
			 const struct ktb_tb_ops *ops)
{
	u64 offset = READ_ONCE(vc->tb_offset);

	if (offset)
		ktb_ppc_tb_shift(ops, offset);
	vc->tb_offset_applied = offset;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_ppc_guest_enter);

/**
 * ktb_ppc_guest_exit() - restore the host timebase on guest exit
 * @vc:  the virtual core.
 * @ops: timebase access.
 */
void ktb_ppc_guest_exit(struct ktb_ppc_vcore_tb *vc,
			const struct ktb_tb_ops *ops)
{
	if (vc->tb_offset_applied)
		ktb_ppc_tb_shift(ops, -vc->tb_offset_applied);
	vc->tb_offset_applied = 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_ppc_guest_exit);
