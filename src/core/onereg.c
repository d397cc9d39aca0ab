// SPDX-License-Identifier: GPL-2.0
/*
 * ONE_REG tables: each register id routed to the timer core.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <kunit/visibility.h>

#include "core/mips_timer.h"
#include "core/onereg.h"
#include "core/ppc_tb.h"

/* MIPS 32-bit registers travel sign-extended to 64 bits. */
static u64 sext32(u32 v)
{
	return (u64)(s64)(s32)v;
}

static int mips_get_count(void *state, u64 *val)
{
	*val = sext32(ktb_mips_read_count(state));
	return 0;
}

static int mips_set_count(void *state, u64 val)
{
	ktb_mips_write_count(state, val);
	return 0;
}

static int mips_get_compare(void *state, u64 *val)
{
	*val = sext32(ktb_mips_read_compare(state));
	return 0;
}

static int mips_set_compare(void *state, u64 val)
{
	/* Userspace restoring state must not acknowledge the interrupt. */
	ktb_mips_write_compare(state, val, false);
	return 0;
}

static int mips_get_cause(void *state, u64 *val)
{
	struct ktb_mips_timer *t = state;

	*val = sext32(t->irq->read_cause(t));
	return 0;
}

static int mips_set_cause(void *state, u64 val)
{
	ktb_mips_set_cause(state, val);
	return 0;
}

static int mips_get_count_ctl(void *state, u64 *val)
{
	*val = ((struct ktb_mips_timer *)state)->count_ctl;
	return 0;
}

static int mips_set_count_ctl(void *state, u64 val)
{
	return ktb_mips_set_count_ctl(state, val);
}

static int mips_get_count_resume(void *state, u64 *val)
{
	*val = ktb_mips_get_count_resume(state);
	return 0;
}

static int mips_set_count_resume(void *state, u64 val)
{
	return ktb_mips_set_count_resume(state, val);
}

static int mips_get_count_hz(void *state, u64 *val)
{
	*val = ((struct ktb_mips_timer *)state)->count_hz;
	return 0;
}

static int mips_set_count_hz(void *state, u64 val)
{
	return ktb_mips_set_count_hz(state, val);
}

/* State: struct ktb_mips_timer. */
const struct ktb_reg ktb_mips_regs[] = {
	{ KTB_REG_MIPS_CP0_COUNT, "CP0_COUNT",
	  mips_get_count, mips_set_count },
	{ KTB_REG_MIPS_CP0_COMPARE, "CP0_COMPARE",
	  mips_get_compare, mips_set_compare },
	{ KTB_REG_MIPS_CP0_CAUSE, "CP0_CAUSE",
	  mips_get_cause, mips_set_cause },
	{ KTB_REG_MIPS_COUNT_CTL, "COUNT_CTL",
	  mips_get_count_ctl, mips_set_count_ctl },
	{ KTB_REG_MIPS_COUNT_RESUME, "COUNT_RESUME",
	  mips_get_count_resume, mips_set_count_resume },
	{ KTB_REG_MIPS_COUNT_HZ, "COUNT_HZ",
	  mips_get_count_hz, mips_set_count_hz },
};
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_regs);
const unsigned int ktb_mips_nr_regs = ARRAY_SIZE(ktb_mips_regs);
EXPORT_SYMBOL_IF_KUNIT(ktb_mips_nr_regs);

static int ppc_get_tb_offset(void *state, u64 *val)
{
	*val = *((struct ktb_ppc_tb_regs *)state)->tb_offset;
	return 0;
}

static int ppc_set_tb_offset(void *state, u64 val)
{
	struct ktb_ppc_tb_regs *r = state;

	*r->tb_offset = ktb_ppc_tb_offset_set(r->units, val, r->read_tb(),
					      r->dec_expires);
	return 0;
}

static int ppc_get_dec_expiry(void *state, u64 *val)
{
	struct ktb_ppc_tb_regs *r = state;

	*val = ktb_ppc_dec_expiry_get(r->units, *r->dec_expires,
				      *r->tb_offset);
	return 0;
}

static int ppc_set_dec_expiry(void *state, u64 val)
{
	struct ktb_ppc_tb_regs *r = state;

	*r->dec_expires = ktb_ppc_dec_expiry_set(r->units, val, *r->tb_offset);
	return 0;
}

/* State: struct ktb_ppc_tb_regs. */
const struct ktb_reg ktb_ppc_regs[] = {
	{ KTB_REG_PPC_TB_OFFSET, "TB_OFFSET",
	  ppc_get_tb_offset, ppc_set_tb_offset },
	{ KTB_REG_PPC_DEC_EXPIRY, "DEC_EXPIRY",
	  ppc_get_dec_expiry, ppc_set_dec_expiry },
};
EXPORT_SYMBOL_IF_KUNIT(ktb_ppc_regs);
const unsigned int ktb_ppc_nr_regs = ARRAY_SIZE(ktb_ppc_regs);
EXPORT_SYMBOL_IF_KUNIT(ktb_ppc_nr_regs);

/**
 * ktb_reg_find() - look a ONE_REG id up in a table
 * @table: ktb_mips_regs or ktb_ppc_regs.
 * @nr:    its length.
 * @id:    the id, including its size field.
 *
 * Return: the register, or NULL if the id is not one of ours (the caller
 * then hands it to the kernel's own handler).
 */
const struct ktb_reg *ktb_reg_find(const struct ktb_reg *table,
				   unsigned int nr, u64 id)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (table[i].id == id)
			return &table[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_reg_find);

/**
 * ktb_reg_get() - KVM_GET_ONE_REG of one of our registers
 * @reg:   from ktb_reg_find().
 * @state: what the table's operations work on.
 * @val:   the value read.
 *
 * Return: 0 or a negative errno.
 */
int ktb_reg_get(const struct ktb_reg *reg, void *state, u64 *val)
{
	return reg->get(state, val);
}
EXPORT_SYMBOL_IF_KUNIT(ktb_reg_get);

/**
 * ktb_reg_set() - KVM_SET_ONE_REG of one of our registers
 * @reg:   from ktb_reg_find().
 * @state: what the table's operations work on.
 * @val:   the value, as read from userspace for the id's size.
 *
 * A rejected value leaves the state unchanged and is reported once in a
 * while in the kernel log, so whoever debugs a failing restore sees which
 * register and value were refused.
 *
 * Return: 0 or a negative errno.
 */
int ktb_reg_set(const struct ktb_reg *reg, void *state, u64 val)
{
	int ret = reg->set(state, val);

	if (ret)
		pr_notice_ratelimited("KVM_SET_ONE_REG %s: value %#llx rejected (%d)\n",
				      reg->name, val, ret);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(ktb_reg_set);
