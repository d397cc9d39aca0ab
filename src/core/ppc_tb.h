/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PowerPC Book3S HV guest timebase offset (KVM_REG_PPC_TB_OFFSET).
 *
 * The guest's timebase is the host's plus a per-virtual-core offset. The
 * hardware can only rewrite the upper 40 bits of the timebase (TBU40)
 * without disturbing the cross-core synchronisation of the lower 24, so
 * the offset is kept a multiple of 2^24.
 */
#ifndef KTB_CORE_PPC_TB_H
#define KTB_CORE_PPC_TB_H

#include <linux/types.h>

#define KTB_TB_LOW_BITS		24
#define KTB_TB_LOW_MASK		((1ULL << KTB_TB_LOW_BITS) - 1)

/**
 * struct ktb_tb_ops - timebase access for the entry/exit sequence
 * @read_tb:     read the current timebase (mftb).
 * @write_tbu40: write the upper 40 bits of the timebase from @val, leaving
 *               the running lower 24 bits alone (mtspr TBU40).
 * @ctx:         passed back to both.
 */
struct ktb_tb_ops {
	u64 (*read_tb)(void *ctx);
	void (*write_tbu40)(void *ctx, u64 val);
	void *ctx;
};

/**
 * struct ktb_ppc_vcore_tb - timebase offset state of one virtual core
 * @tb_offset:         offset set by userspace, already rounded.
 * @tb_offset_applied: offset the last guest entry added to the timebase,
 *                     which the matching exit must take off again.
 */
struct ktb_ppc_vcore_tb {
	u64 tb_offset;
	u64 tb_offset_applied;
};

u64 ktb_ppc_round_tb_offset(u64 raw);
u64 ktb_ppc_tb_offset_set(u64 raw, u64 host_tb, u64 *dec_expires);
u64 ktb_ppc_tb_shift(const struct ktb_tb_ops *ops, u64 delta);
void ktb_ppc_guest_enter(struct ktb_ppc_vcore_tb *vc,
			 const struct ktb_tb_ops *ops);
void ktb_ppc_guest_exit(struct ktb_ppc_vcore_tb *vc,
			const struct ktb_tb_ops *ops);

#endif /* KTB_CORE_PPC_TB_H */
