/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KVM_{GET,SET}_ONE_REG registers this module implements: one table
 * per architecture, mapping each id to the core operation behind it.
 */
#ifndef KTB_CORE_ONEREG_H
#define KTB_CORE_ONEREG_H

#include <linux/types.h>

#include "core/ppc_tb.h"

/*
 * uapi register ids. The per-arch headers that define them are not
 * available on every build host, so the values are spelled out here; the
 * arch glue checks them against the kernel's own definitions.
 */
#define KTB_REG_SIZE_SHIFT		52
#define KTB_REG_SIZE_MASK		0x00f0000000000000ULL

#define KTB_REG_MIPS_CP0_COUNT		0x7020000000010048ULL
#define KTB_REG_MIPS_CP0_COMPARE	0x7020000000010058ULL
#define KTB_REG_MIPS_CP0_CAUSE		0x7020000000010068ULL
#define KTB_REG_MIPS_COUNT_CTL		0x7030000000020000ULL
#define KTB_REG_MIPS_COUNT_RESUME	0x7030000000020001ULL
#define KTB_REG_MIPS_COUNT_HZ		0x7030000000020002ULL

#define KTB_REG_PPC_TB_OFFSET		0x103000000000009cULL
#define KTB_REG_PPC_DEC_EXPIRY		0x10300000000000beULL

/**
 * struct ktb_reg - one ONE_REG register
 * @id:   uapi id; its size field says how many bytes travel.
 * @name: for messages.
 * @get:  read into @val. U32 registers are returned sign-extended, as
 *        KVM MIPS does.
 * @set:  write @val (for U32 registers, its low 32 bits); returns 0 or a
 *        negative errno, in which case nothing changed.
 */
struct ktb_reg {
	u64 id;
	const char *name;
	int (*get)(void *state, u64 *val);
	int (*set)(void *state, u64 val);
};

/**
 * struct ktb_ppc_tb_regs - what the PowerPC registers operate on
 * @tb_offset:   the virtual core's offset (shared by its vCPUs).
 * @dec_expires: this vCPU's decrementer expiry, in @units.
 * @read_tb:     the host timebase now.
 * @units:       the running kernel's era.
 */
struct ktb_ppc_tb_regs {
	u64 *tb_offset;
	u64 *dec_expires;
	u64 (*read_tb)(void);
	enum ktb_ppc_dec_units units;
};

extern const struct ktb_reg ktb_mips_regs[];
extern const unsigned int ktb_mips_nr_regs;
extern const struct ktb_reg ktb_ppc_regs[];
extern const unsigned int ktb_ppc_nr_regs;

const struct ktb_reg *ktb_reg_find(const struct ktb_reg *table,
				   unsigned int nr, u64 id);
int ktb_reg_get(const struct ktb_reg *reg, void *state, u64 *val);
int ktb_reg_set(const struct ktb_reg *reg, void *state, u64 val);

/**
 * ktb_reg_size() - bytes a register's value occupies in userspace
 * @id: ONE_REG id.
 *
 * Return: 1 << the id's size field.
 */
static inline unsigned int ktb_reg_size(u64 id)
{
	return 1U << ((id & KTB_REG_SIZE_MASK) >> KTB_REG_SIZE_SHIFT);
}

#endif /* KTB_CORE_ONEREG_H */
