// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the ONE_REG tables: ids, sizes, routing, rejection of
 * malformed values, and QEMU's save/restore sequences replayed through
 * them.
 */
#include <kunit/test.h>
#include <linux/limits.h>

#include "core/onereg.h"
#include "core/ppc_tb.h"
#include "fake.h"
#include "ref.h"
#include "suites.h"

#define START		(7200 * NSEC_PER_SEC)

struct id_case {
	u64 id;
	unsigned int size;
	bool mips;
	const char *name;
};

/* The uapi values, as documented for KVM_{GET,SET}_ONE_REG. */
static const struct id_case ids[] = {
	{ 0x7020000000010048ull, 4, true, "CP0_COUNT" },
	{ 0x7020000000010058ull, 4, true, "CP0_COMPARE" },
	{ 0x7020000000010068ull, 4, true, "CP0_CAUSE" },
	{ 0x7030000000020000ull, 8, true, "COUNT_CTL" },
	{ 0x7030000000020001ull, 8, true, "COUNT_RESUME" },
	{ 0x7030000000020002ull, 8, true, "COUNT_HZ" },
	{ 0x103000000000009cull, 8, false, "TB_OFFSET" },
	{ 0x10300000000000beull, 8, false, "DEC_EXPIRY" },
};

static void id_desc(const struct id_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(id, ids, id_desc);

/* Every register is in its architecture's table, not the other one. */
static void registers_have_their_ids_and_sizes(struct kunit *test)
{
	const struct id_case *c = test->param_value;
	const struct ktb_reg *mine, *other;

	if (c->mips) {
		mine = ktb_reg_find(ktb_mips_regs, ktb_mips_nr_regs, c->id);
		other = ktb_reg_find(ktb_ppc_regs, ktb_ppc_nr_regs, c->id);
	} else {
		mine = ktb_reg_find(ktb_ppc_regs, ktb_ppc_nr_regs, c->id);
		other = ktb_reg_find(ktb_mips_regs, ktb_mips_nr_regs, c->id);
	}
	KUNIT_ASSERT_NOT_NULL(test, mine);
	KUNIT_EXPECT_NULL(test, other);
	KUNIT_EXPECT_STREQ(test, mine->name, c->name);
	KUNIT_EXPECT_EQ(test, ktb_reg_size(c->id), c->size);
}

/* Ids that are not ours are left to the kernel. */
static void unknown_ids_are_left_to_the_kernel(struct kunit *test)
{
	/* Count with a 64-bit size field is another register. */
	KUNIT_EXPECT_NULL(test, ktb_reg_find(ktb_mips_regs, ktb_mips_nr_regs,
					     0x7030000000010048ull));
	KUNIT_EXPECT_NULL(test, ktb_reg_find(ktb_mips_regs, ktb_mips_nr_regs,
					     0x7030000000020003ull));
	KUNIT_EXPECT_NULL(test, ktb_reg_find(ktb_mips_regs, ktb_mips_nr_regs,
					     0));
	KUNIT_EXPECT_NULL(test, ktb_reg_find(ktb_ppc_regs, ktb_ppc_nr_regs,
					     0x103000000000009dull));
	KUNIT_EXPECT_EQ(test, ktb_mips_nr_regs, 6u);
	KUNIT_EXPECT_EQ(test, ktb_ppc_nr_regs, 2u);
}

static const struct ktb_reg *mips_reg(struct kunit *test, u64 id)
{
	const struct ktb_reg *r = ktb_reg_find(ktb_mips_regs,
					       ktb_mips_nr_regs, id);

	KUNIT_ASSERT_NOT_NULL(test, r);
	return r;
}

static u64 get(struct kunit *test, struct ktb_fake *f, u64 id)
{
	u64 v = 0xdeadbeefdeadbeefull;

	KUNIT_EXPECT_EQ(test, ktb_reg_get(mips_reg(test, id), &f->t, &v), 0);
	return v;
}

static int set(struct kunit *test, struct ktb_fake *f, u64 id, u64 v)
{
	return ktb_reg_set(mips_reg(test, id), &f->t, v);
}

/* Values reach the core and come back, 32-bit ones sign-extended. */
static void mips_values_reach_the_core_and_come_back(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);

	KUNIT_EXPECT_EQ(test, set(test, f, KTB_REG_MIPS_CP0_COMPARE,
				  0xffffffff80000000ull), 0);
	KUNIT_EXPECT_EQ(test, ktb_mips_read_compare(&f->t), 0x80000000u);
	KUNIT_EXPECT_EQ(test, get(test, f, KTB_REG_MIPS_CP0_COMPARE),
			0xffffffff80000000ull);

	KUNIT_EXPECT_EQ(test, set(test, f, KTB_REG_MIPS_CP0_COUNT, 0x1234), 0);
	KUNIT_EXPECT_EQ(test, get(test, f, KTB_REG_MIPS_CP0_COUNT), 0x1234ull);
	ktb_fake_advance(f, 100);
	KUNIT_EXPECT_EQ(test, get(test, f, KTB_REG_MIPS_CP0_COUNT), 0x123eull);

	KUNIT_EXPECT_EQ(test, set(test, f, KTB_REG_MIPS_COUNT_HZ, 1000000), 0);
	KUNIT_EXPECT_EQ(test, get(test, f, KTB_REG_MIPS_COUNT_HZ), 1000000ull);
	KUNIT_EXPECT_EQ(test, set(test, f, KTB_REG_MIPS_COUNT_CTL, 1), 0);
	KUNIT_EXPECT_EQ(test, get(test, f, KTB_REG_MIPS_COUNT_CTL), 1ull);
	KUNIT_EXPECT_EQ(test, get(test, f, KTB_REG_MIPS_COUNT_RESUME),
			(u64)f->now);
	KUNIT_EXPECT_EQ(test, set(test, f, KTB_REG_MIPS_COUNT_RESUME, 5), 0);
	KUNIT_EXPECT_EQ(test, get(test, f, KTB_REG_MIPS_COUNT_RESUME), 5ull);

	KUNIT_EXPECT_EQ(test, set(test, f, KTB_REG_MIPS_CP0_CAUSE,
				  KTB_CAUSE_DC | 0x300), 0);
	KUNIT_EXPECT_EQ(test, get(test, f, KTB_REG_MIPS_CP0_CAUSE),
			(u64)(KTB_CAUSE_DC | 0x300));
	KUNIT_EXPECT_EQ(test, set(test, f, KTB_REG_MIPS_CP0_CAUSE,
				  0xffffffff80000000ull), 0);
	KUNIT_EXPECT_EQ(test, get(test, f, KTB_REG_MIPS_CP0_CAUSE),
			0xffffffff80000000ull);
}

struct bad_case {
	u64 id;
	u64 value;
	const char *what;
};

static const struct bad_case bads[] = {
	{ KTB_REG_MIPS_COUNT_CTL, 2, "COUNT_CTL reserved bit 1" },
	{ KTB_REG_MIPS_COUNT_CTL, 1ull << 32, "COUNT_CTL reserved bit 32" },
	{ KTB_REG_MIPS_COUNT_CTL, ~0ull, "COUNT_CTL all ones" },
	{ KTB_REG_MIPS_COUNT_RESUME, -1ll, "COUNT_RESUME negative" },
	{ KTB_REG_MIPS_COUNT_RESUME, START + NSEC_PER_SEC,
	  "COUNT_RESUME in the future" },
	{ KTB_REG_MIPS_COUNT_RESUME, S64_MAX, "COUNT_RESUME S64_MAX" },
	{ KTB_REG_MIPS_COUNT_HZ, 0, "COUNT_HZ zero" },
	{ KTB_REG_MIPS_COUNT_HZ, -5ll, "COUNT_HZ negative" },
	{ KTB_REG_MIPS_COUNT_HZ, NSEC_PER_SEC + 1, "COUNT_HZ above 1 GHz" },
	{ KTB_REG_MIPS_COUNT_HZ, 1ull << 32, "COUNT_HZ 2^32" },
};

static void bad_desc(const struct bad_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->what);
}

KUNIT_ARRAY_PARAM(bad, bads, bad_desc);

/* Malformed values: -EINVAL, and the vCPU's timer state is unchanged. */
static void malformed_mips_values_are_rejected(struct kunit *test)
{
	const struct bad_case *c = test->param_value;
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);
	struct ktb_fake before;

	ktb_mips_write_compare(&f->t, 5000, true);
	ktb_fake_advance(f, 1234);
	memcpy(&before, f, sizeof(before));
	KUNIT_EXPECT_EQ(test, set(test, f, c->id, c->value), -EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&before, f, sizeof(before)), 0);
}

/* The PPC registers: rounding, the decrementer fix-up, plain DEC_EXPIRY. */
static u64 fixed_tb(void)
{
	return 0x100000000ull;
}

static void ppc_values_reach_the_core_and_come_back(struct kunit *test)
{
	u64 offset = 0, dec = 0, v;
	struct ktb_ppc_tb_regs r = {
		.tb_offset = &offset,
		.dec_expires = &dec,
		.read_tb = fixed_tb,
		.units = KTB_PPC_DEC_GUEST_TB,
	};
	const struct ktb_reg *tb = ktb_reg_find(ktb_ppc_regs, ktb_ppc_nr_regs,
						KTB_REG_PPC_TB_OFFSET);
	const struct ktb_reg *de = ktb_reg_find(ktb_ppc_regs, ktb_ppc_nr_regs,
						KTB_REG_PPC_DEC_EXPIRY);

	KUNIT_ASSERT_NOT_NULL(test, tb);
	KUNIT_ASSERT_NOT_NULL(test, de);
	KUNIT_EXPECT_EQ(test, ktb_reg_set(tb, &r, -0x1000001ll), 0);
	KUNIT_EXPECT_EQ(test, offset, (u64)-0x1000000ll);
	KUNIT_EXPECT_EQ(test, ktb_reg_get(tb, &r, &v), 0);
	KUNIT_EXPECT_EQ(test, v, (u64)-0x1000000ll);
	KUNIT_EXPECT_EQ(test, dec, 0x100000000ull - 0x1000000);

	KUNIT_EXPECT_EQ(test, ktb_reg_set(de, &r, 42), 0);
	KUNIT_EXPECT_EQ(test, ktb_reg_get(de, &r, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 42ull);
	KUNIT_EXPECT_EQ(test, ktb_reg_set(tb, &r, 1), 0);
	KUNIT_EXPECT_EQ(test, offset, 0x1000000ull);
	KUNIT_EXPECT_EQ(test, dec, 42ull);
}

/* The same table on a host-timebase-era kernel: the field in host units. */
static void ppc_values_are_in_host_units_in_the_host_era(struct kunit *test)
{
	u64 offset = 0, dec = 0x5000, v;
	struct ktb_ppc_tb_regs r = {
		.tb_offset = &offset,
		.dec_expires = &dec,
		.read_tb = fixed_tb,
		.units = KTB_PPC_DEC_HOST_TB,
	};
	const struct ktb_reg *tb = ktb_reg_find(ktb_ppc_regs, ktb_ppc_nr_regs,
						KTB_REG_PPC_TB_OFFSET);
	const struct ktb_reg *de = ktb_reg_find(ktb_ppc_regs, ktb_ppc_nr_regs,
						KTB_REG_PPC_DEC_EXPIRY);

	KUNIT_ASSERT_NOT_NULL(test, tb);
	KUNIT_ASSERT_NOT_NULL(test, de);
	KUNIT_EXPECT_EQ(test, ktb_reg_set(tb, &r, 0x2000000), 0);
	KUNIT_EXPECT_EQ(test, dec, 0x5000ull);
	KUNIT_EXPECT_EQ(test, ktb_reg_get(de, &r, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0x2005000ull);
	KUNIT_EXPECT_EQ(test, ktb_reg_set(de, &r, 0x9000000), 0);
	KUNIT_EXPECT_EQ(test, dec, 0x7000000ull);
	KUNIT_EXPECT_EQ(test, ktb_reg_get(de, &r, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0x9000000ull);
}

/* QEMU's kvm_mips_save_count(): freeze, then read Cause and Count. */
static void qemu_save(struct kunit *test, struct ktb_fake *f, u64 *cause,
		      u64 *count)
{
	u64 ctl = get(test, f, KTB_REG_MIPS_COUNT_CTL);

	if (!(ctl & KTB_COUNT_CTL_DC))
		KUNIT_ASSERT_EQ(test, set(test, f, KTB_REG_MIPS_COUNT_CTL,
					  ctl | KTB_COUNT_CTL_DC), 0);
	*cause = get(test, f, KTB_REG_MIPS_CP0_CAUSE);
	*count = get(test, f, KTB_REG_MIPS_CP0_COUNT);
}

/* QEMU's kvm_mips_restore_count(). */
static void qemu_restore(struct kunit *test, struct ktb_fake *f, u64 cause,
			 u64 count)
{
	u64 ctl = get(test, f, KTB_REG_MIPS_COUNT_CTL);

	if (!(ctl & KTB_COUNT_CTL_DC)) {
		ctl |= KTB_COUNT_CTL_DC;
		KUNIT_ASSERT_EQ(test, set(test, f, KTB_REG_MIPS_COUNT_CTL, ctl),
				0);
	}
	KUNIT_ASSERT_EQ(test, set(test, f, KTB_REG_MIPS_CP0_CAUSE, cause), 0);
	KUNIT_ASSERT_EQ(test, set(test, f, KTB_REG_MIPS_CP0_COUNT, count), 0);
	KUNIT_ASSERT_EQ(test, set(test, f, KTB_REG_MIPS_COUNT_CTL,
				  ctl & ~(u64)KTB_COUNT_CTL_DC), 0);
}

/*
 * VM stopped and started on the same host: QEMU sets COUNT_RESUME to its
 * "now" before restoring, so the guest sees no time pass while stopped,
 * and the pending Compare still fires at its Count.
 */
static void qemu_stop_start(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);
	u64 cause, count;

	ktb_mips_write_compare(&f->t, 30000, true);
	ktb_fake_advance(f, 100000);			/* Count 10000 */
	qemu_save(test, f, &cause, &count);
	KUNIT_EXPECT_EQ(test, count, 10000ull);
	ktb_fake_advance(f, NSEC_PER_SEC / 1000);	/* stopped 1 ms */

	KUNIT_ASSERT_EQ(test, set(test, f, KTB_REG_MIPS_COUNT_RESUME, f->now),
			0);
	qemu_restore(test, f, cause, count);
	KUNIT_EXPECT_EQ(test, get(test, f, KTB_REG_MIPS_CP0_COUNT), 10000ull);
	KUNIT_EXPECT_EQ(test, f->irqs, 0u);
	ktb_fake_advance(f, 199999);
	KUNIT_EXPECT_EQ(test, f->irqs, 0u);
	ktb_fake_advance(f, 1);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
	KUNIT_EXPECT_EQ(test, f->fired_count, 30000u);
}

/*
 * The same without the COUNT_RESUME update: Count jumps by the time the
 * VM was stopped, and the interrupt that fell due meanwhile is raised once.
 */
static void qemu_stop_start_without_resume(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);
	u64 cause, count;

	ktb_mips_write_compare(&f->t, 30000, true);
	ktb_fake_advance(f, 100000);
	qemu_save(test, f, &cause, &count);
	ktb_fake_advance(f, NSEC_PER_SEC / 1000);
	qemu_restore(test, f, cause, count);
	KUNIT_EXPECT_EQ(test, get(test, f, KTB_REG_MIPS_CP0_COUNT), 110000ull);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
	ktb_fake_advance(f, 10 * NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
}

/*
 * Migration into a fresh vCPU with the timer interrupt pending: the
 * registers go in with the master disable set, Compare last (no ack), so
 * the pending TI survives.
 */
static void qemu_migrate_pending_irq(struct kunit *test)
{
	struct ktb_fake *src = ktb_fake_new(test, START, MHZ100);
	struct ktb_fake *dst = ktb_fake_new(test, START + 5 * NSEC_PER_SEC,
					    MHZ100);
	u64 cause, count, compare;

	ktb_mips_write_compare(&src->t, 1000, true);
	ktb_fake_advance(src, 20000);			/* fired at 1000 */
	KUNIT_ASSERT_TRUE(test, ktb_fake_pending(src));
	qemu_save(test, src, &cause, &count);
	compare = get(test, src, KTB_REG_MIPS_CP0_COMPARE);

	KUNIT_ASSERT_EQ(test, set(test, dst, KTB_REG_MIPS_COUNT_RESUME,
				  dst->now), 0);
	KUNIT_ASSERT_EQ(test, set(test, dst, KTB_REG_MIPS_COUNT_CTL, 1), 0);
	KUNIT_ASSERT_EQ(test, set(test, dst, KTB_REG_MIPS_CP0_CAUSE, cause), 0);
	KUNIT_ASSERT_EQ(test, set(test, dst, KTB_REG_MIPS_CP0_COUNT, count), 0);
	KUNIT_ASSERT_EQ(test, set(test, dst, KTB_REG_MIPS_CP0_COMPARE,
				  compare), 0);
	KUNIT_ASSERT_EQ(test, set(test, dst, KTB_REG_MIPS_COUNT_CTL, 0), 0);

	KUNIT_EXPECT_TRUE(test, ktb_fake_pending(dst));
	KUNIT_EXPECT_EQ(test, get(test, dst, KTB_REG_MIPS_CP0_COUNT), 2000ull);
	/* Queued once by the Cause write; no new match was raised. */
	KUNIT_EXPECT_EQ(test, dst->irqs, 1u);
	/* Next match a full period after 1000, not early. */
	KUNIT_EXPECT_EQ(test, dst->expiry - dst->now,
			(s64)dst->t.count_period - 10000);
}

/*
 * ONE_REG Cause with TI clear withdraws a pending interrupt; an expiry
 * that lands while the write is under way (here: just before the
 * withdrawal) must still be delivered, not withdrawn with the old one.
 */
static void cause_write_races_expiry(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);
	s64 due;

	ktb_mips_write_compare(&f->t, 1000, true);
	ktb_fake_advance(f, 20000);			/* fired at 1000 */
	KUNIT_ASSERT_TRUE(test, ktb_fake_pending(f));
	KUNIT_ASSERT_EQ(test, set(test, f, KTB_REG_MIPS_CP0_COMPARE, 3000), 0);
	due = f->expiry;
	/* One tick (10 ns) before the match, racing to one tick after. */
	ktb_fake_set_time(f, due - 10);
	f->race_to = due + 10;
	KUNIT_EXPECT_EQ(test, set(test, f, KTB_REG_MIPS_CP0_CAUSE, 0), 0);
	ktb_fake_advance(f, 0);
	KUNIT_EXPECT_TRUE(test, ktb_fake_pending(f));
	KUNIT_EXPECT_EQ(test, f->irqs, 2u);
	/* The next match is a whole period after the one just delivered. */
	KUNIT_EXPECT_EQ(test, f->expiry, due + (s64)f->t.count_period);
}

/* ONE_REG Cause with TI set queues the interrupt, also while stopped. */
static void cause_write_ti_queues(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, START, MHZ100);

	KUNIT_EXPECT_EQ(test, set(test, f, KTB_REG_MIPS_CP0_CAUSE,
				  KTB_CAUSE_TI), 0);
	KUNIT_EXPECT_TRUE(test, ktb_fake_pending(f));
	KUNIT_EXPECT_EQ(test, set(test, f, KTB_REG_MIPS_CP0_CAUSE,
				  KTB_CAUSE_DC), 0);
	KUNIT_EXPECT_FALSE(test, ktb_fake_pending(f));
	KUNIT_EXPECT_EQ(test, set(test, f, KTB_REG_MIPS_CP0_CAUSE,
				  KTB_CAUSE_DC | KTB_CAUSE_TI), 0);
	KUNIT_EXPECT_TRUE(test, ktb_fake_pending(f));
	KUNIT_EXPECT_EQ(test, set(test, f, KTB_REG_MIPS_CP0_CAUSE,
				  KTB_CAUSE_TI), 0);
	KUNIT_EXPECT_TRUE(test, ktb_fake_pending(f));
	KUNIT_EXPECT_FALSE(test, ktb_mips_timer_stopped(&f->t));
}

static struct kunit_case ktb_onereg_cases[] = {
	KUNIT_CASE_PARAM(registers_have_their_ids_and_sizes, id_gen_params),
	KUNIT_CASE(unknown_ids_are_left_to_the_kernel),
	KUNIT_CASE(mips_values_reach_the_core_and_come_back),
	KUNIT_CASE_PARAM(malformed_mips_values_are_rejected, bad_gen_params),
	KUNIT_CASE(ppc_values_reach_the_core_and_come_back),
	KUNIT_CASE(ppc_values_are_in_host_units_in_the_host_era),
	KUNIT_CASE(cause_write_races_expiry),
	KUNIT_CASE(cause_write_ti_queues),
	KUNIT_CASE(qemu_stop_start),
	KUNIT_CASE(qemu_stop_start_without_resume),
	KUNIT_CASE(qemu_migrate_pending_irq),
	{}
};

struct kunit_suite ktb_onereg_suite = {
	.name = "kvm_timer_backport_onereg",
	.test_cases = ktb_onereg_cases,
};
