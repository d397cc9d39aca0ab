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
 * ktb_ppc_dec_fixup() - make a never-set decrementer expire now
 * @units:       the running kernel's era.
 * @offset:      the virtual core's offset, already rounded.
 * @host_tb:     host timebase now.
 * @dec_expires: the vCPU's expiry, in @units.
 *
 * Upstream's decrementer migration fix (0a5bfb824a6e, part of
 * kvmppc_set_one_reg_hv()). In the guest timebase era a new vCPU's expiry
 * stays 0 until userspace sets one; once a non-zero offset applies, 0
 * would lie a whole offset away from the guest's timebase, and a migrated
 * guest whose VMM does not restore DEC_EXPIRY (QEMU does not) would wait
 * that long for its decrementer. Make it "now" instead. In the host
 * timebase era a new vCPU starts at the host timebase of its creation, so
 * its expiry is never unset and there is nothing to fix: that era's
 * kernels never did this, and neither does this function.
 *
 * Return: true if @dec_expires was changed.
 */
bool ktb_ppc_dec_fixup(enum ktb_ppc_dec_units units, u64 offset, u64 host_tb,
		       u64 *dec_expires)
{
	if (units != KTB_PPC_DEC_GUEST_TB || *dec_expires || !offset)
		return false;
	*dec_expires = host_tb + offset;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_ppc_dec_fixup);

/**
 * ktb_ppc_tb_offset_set() - KVM_SET_ONE_REG of KVM_REG_PPC_TB_OFFSET
 * @units:       the running kernel's era.
 * @raw:         value from userspace; any value is accepted.
 * @host_tb:     host timebase now.
 * @dec_expires: the vCPU's decrementer expiry, in @units.
 *
 * Upstream: the TB_OFFSET case of kvmppc_set_one_reg_hv(). The offset is
 * rounded, and the expiry fixed up as ktb_ppc_dec_fixup() says.
 *
 * Return: the rounded offset to store for the virtual core.
 */
u64 ktb_ppc_tb_offset_set(enum ktb_ppc_dec_units units, u64 raw, u64 host_tb,
			  u64 *dec_expires)
{
	u64 offset = ktb_ppc_round_tb_offset(raw);

	ktb_ppc_dec_fixup(units, offset, host_tb, dec_expires);
	return offset;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_ppc_tb_offset_set);

/**
 * ktb_ppc_fixup_seen() - judge a kernel's own SET TB_OFFSET by its effect
 * @units:      the running kernel's era.
 * @dec_before: the vCPU's expiry before the kernel's set.
 * @dec_after:  the same after it.
 * @offset:     the virtual core's offset after it.
 *
 * Only a set that would trigger the fix-up tells anything: a never-set
 * (0) expiry in the guest timebase era under a non-zero offset. A kernel
 * with the fix moved it; one without left it at 0.
 *
 * Return: what the set showed.
 */
enum ktb_ppc_fixup_seen ktb_ppc_fixup_seen(enum ktb_ppc_dec_units units,
					   u64 dec_before, u64 dec_after,
					   u64 offset)
{
	if (units != KTB_PPC_DEC_GUEST_TB || dec_before || !offset)
		return KTB_PPC_FIXUP_UNTOLD;
	return dec_after ? KTB_PPC_FIXUP_DONE : KTB_PPC_FIXUP_MISSING;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_ppc_fixup_seen);

/**
 * ktb_ppc_dec_expiry_get() - KVM_GET_ONE_REG of KVM_REG_PPC_DEC_EXPIRY
 * @units:       the running kernel's era.
 * @dec_expires: the vCPU's expiry, in @units.
 * @tb_offset:   the virtual core's offset now.
 *
 * Upstream: the DEC_EXPIRY case of kvmppc_get_one_reg_hv().
 *
 * Return: the expiry in guest timebase units. In the host era that is
 * the stored value plus the offset in force now: an expiry set before
 * the offset changed moves with it.
 */
u64 ktb_ppc_dec_expiry_get(enum ktb_ppc_dec_units units, u64 dec_expires,
			   u64 tb_offset)
{
	if (units == KTB_PPC_DEC_HOST_TB)
		return dec_expires + tb_offset;
	return dec_expires;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_ppc_dec_expiry_get);

/**
 * ktb_ppc_dec_expiry_set() - KVM_SET_ONE_REG of KVM_REG_PPC_DEC_EXPIRY
 * @units:     the running kernel's era.
 * @val:       the expiry from userspace, in guest timebase units.
 * @tb_offset: the virtual core's offset now.
 *
 * Upstream: the DEC_EXPIRY case of kvmppc_set_one_reg_hv(). Any value is
 * accepted (modulo 2^64).
 *
 * Return: the value to store in vcpu->arch.dec_expires.
 */
u64 ktb_ppc_dec_expiry_set(enum ktb_ppc_dec_units units, u64 val,
			   u64 tb_offset)
{
	if (units == KTB_PPC_DEC_HOST_TB)
		return val - tb_offset;
	return val;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_ppc_dec_expiry_set);

/**
 * ktb_ppc_new_vcpu_dec_expires() - a new vCPU's expiry, as upstream has it
 * @units:        the running kernel's era.
 * @kernel_value: what the kernel's vCPU creation stored.
 *
 * Upstream: kvm_arch_vcpu_create() as of 6.1. The host era starts the
 * expiry at the host timebase of the creation, which is right in host
 * units: keep the kernel's value. In the guest era that same value, taken
 * as a guest timebase, is a whole offset off once one applies (the half
 * of 0a5bfb824a6e that 5.17-6.0 lack): start at 0, "not set yet", which
 * SET TB_OFFSET turns into "now".
 *
 * Return: the value the vCPU's expiry should start with.
 */
u64 ktb_ppc_new_vcpu_dec_expires(enum ktb_ppc_dec_units units,
				 u64 kernel_value)
{
	return units == KTB_PPC_DEC_HOST_TB ? kernel_value : 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_ppc_new_vcpu_dec_expires);
