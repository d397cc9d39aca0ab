/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PowerPC Book3S HV guest timebase offset (KVM_REG_PPC_TB_OFFSET).
 *
 * The guest's timebase is the host's plus a per-virtual-core offset. The
 * hardware can only rewrite the upper 40 bits of the timebase (TBU40)
 * without disturbing the cross-core synchronisation of the lower 24, so
 * the offset is kept a multiple of 2^24.
 *
 * Each vCPU's decrementer expiry (DEC_EXPIRY) is kept by the kernel in
 * one of two units, depending on its era; the arithmetic here takes the
 * era as a parameter, and userspace always sees guest timebase values.
 */
#ifndef KTB_CORE_PPC_TB_H
#define KTB_CORE_PPC_TB_H

#include <linux/types.h>

#define KTB_TB_LOW_BITS		24
#define KTB_TB_LOW_MASK		((1ULL << KTB_TB_LOW_BITS) - 1)

/**
 * enum ktb_ppc_dec_units - what vcpu->arch.dec_expires counts in
 * @KTB_PPC_DEC_HOST_TB:  host timebase, as up to Linux 5.16: ONE_REG adds
 *                        the virtual core's offset on GET and takes it off
 *                        on SET, and a new vCPU's expiry is the host
 *                        timebase at its creation.
 * @KTB_PPC_DEC_GUEST_TB: guest timebase, from 5.17 (upstream 3c1a4322bba7):
 *                        ONE_REG copies it, and since 6.1 (0a5bfb824a6e) a
 *                        new vCPU's expiry is 0 until the offset is known.
 */
enum ktb_ppc_dec_units {
	KTB_PPC_DEC_HOST_TB,
	KTB_PPC_DEC_GUEST_TB,
};

/**
 * enum ktb_ppc_fixup_seen - what a kernel's own SET TB_OFFSET showed
 * @KTB_PPC_FIXUP_UNTOLD:   nothing: the expiry was already set, the offset
 *                          is 0, or the era has no such fix-up.
 * @KTB_PPC_FIXUP_DONE:     the kernel moved a never-set expiry to "now".
 * @KTB_PPC_FIXUP_MISSING:  the kernel left a never-set expiry at 0 under a
 *                          non-zero offset (5.17-6.0 without 0a5bfb824a6e).
 */
enum ktb_ppc_fixup_seen {
	KTB_PPC_FIXUP_UNTOLD,
	KTB_PPC_FIXUP_DONE,
	KTB_PPC_FIXUP_MISSING,
};

u64 ktb_ppc_round_tb_offset(u64 raw);
bool ktb_ppc_dec_fixup(enum ktb_ppc_dec_units units, u64 offset, u64 host_tb,
		       u64 *dec_expires);
u64 ktb_ppc_tb_offset_set(enum ktb_ppc_dec_units units, u64 raw, u64 host_tb,
			  u64 *dec_expires);
enum ktb_ppc_fixup_seen ktb_ppc_fixup_seen(enum ktb_ppc_dec_units units,
					   u64 dec_before, u64 dec_after,
					   u64 offset);
u64 ktb_ppc_dec_expiry_get(enum ktb_ppc_dec_units units, u64 dec_expires,
			   u64 tb_offset);
u64 ktb_ppc_dec_expiry_set(enum ktb_ppc_dec_units units, u64 val,
			   u64 tb_offset);
u64 ktb_ppc_new_vcpu_dec_expires(enum ktb_ppc_dec_units units,
				 u64 kernel_value);

#endif /* KTB_CORE_PPC_TB_H */
