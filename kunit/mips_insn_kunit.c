// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the guest timer instruction decoder and of carrying the
 * decoded accesses out on the core (fake clock), plus re-arming the expiry
 * timer when a vCPU moves.
 */
#include <kunit/test.h>

#include "core/mips_insn.h"
#include "fake.h"
#include "suites.h"

#define MHZ100		100000000u

struct insn_case {
	const char *name;
	u32 word;
	bool timer;
	bool write;
	bool rdhwr;
	u8 reg;
	u8 rt;
};

static const struct insn_case insn_cases[] = {
	{ "mfc0 t0,Count", 0x40084800, true, false, false, KTB_CP0_COUNT, 8 },
	{ "dmfc0 t0,Count", 0x40284800, true, false, false, KTB_CP0_COUNT, 8 },
	{ "mtc0 a0,Compare", 0x40845800, true, true, false, KTB_CP0_COMPARE, 4 },
	{ "dmtc0 a0,Compare", 0x40a45800, true, true, false, KTB_CP0_COMPARE, 4 },
	{ "mfc0 zero,Compare", 0x40005800, true, false, false, KTB_CP0_COMPARE, 0 },
	{ "mtc0 v0,Cause", 0x40826800, true, true, false, KTB_CP0_CAUSE, 2 },
	{ "mfc0 ra,Cause", 0x401f6800, true, false, false, KTB_CP0_CAUSE, 31 },
	{ "rdhwr v1,$2", 0x7c03103b, true, false, true, KTB_CP0_COUNT, 3 },
	{ "rdhwr v1,$2,1", 0x7c03107b, true, false, true, KTB_CP0_COUNT, 3 },
	{ "mfc0 t0,Count,1", 0x40084801 },
	{ "mfc0 t0,Status", 0x40086000 },
	{ "mtc0 t0,EntryHi", 0x40885000 },
	{ "mfc0 with bit 3 set", 0x40084808 },
	{ "mfc0 with bit 10 set", 0x40084c00 },
	{ "mfhc0 t0,Count", 0x40484800 },
	{ "mfmc0 (di)", 0x41606000 },
	{ "eret", 0x42000018 },
	{ "wait", 0x42000020 },
	{ "rdhwr v1,$2 with rs", 0x7c23103b },
	{ "rdhwr v1,$2 with re bit 3", 0x7c03123b },
	{ "rdhwr v1,$29 (ULR)", 0x7c03e83b },
	{ "rdhwr v1,$3 (CCRes)", 0x7c03183b },
	{ "ext (special3, not rdhwr)", 0x7c0300c0 },
	{ "lw t0,0(a0)", 0x8c880000 },
	{ "cop1 mfc1 t0,$f9", 0x44084800 },
};

static void insn_desc(const struct insn_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(insn, insn_cases, insn_desc);

static void decode_table(struct kunit *test)
{
	const struct insn_case *c = test->param_value;
	struct ktb_mips_timer_insn insn = { .reg = 0xff, .rt = 0xff };

	KUNIT_ASSERT_EQ_MSG(test, ktb_mips_decode_timer_insn(c->word, &insn),
			    c->timer, "%s (%#010x)", c->name, c->word);
	if (!c->timer)
		return;
	KUNIT_EXPECT_EQ(test, insn.write, c->write);
	KUNIT_EXPECT_EQ(test, insn.rdhwr, c->rdhwr);
	KUNIT_EXPECT_EQ(test, insn.reg, c->reg);
	KUNIT_EXPECT_EQ(test, insn.rt, c->rt);
}

static u32 exec(struct ktb_fake *f, u32 word, u32 src, u32 mask)
{
	struct ktb_mips_timer_insn insn;

	if (!ktb_mips_decode_timer_insn(word, &insn))
		return 0xdeadbeef;
	return ktb_mips_exec_timer_insn(&f->t, &insn, src, mask);
}

/* mtc0 Count then mfc0 and RDHWR: Count runs on from the written value. */
static void exec_count(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);

	KUNIT_EXPECT_EQ(test, exec(f, 0x40884800, 0xfffff000, ~0u), 0u);
	ktb_fake_advance(f, 1000);
	KUNIT_EXPECT_EQ(test, exec(f, 0x40084800, 0, ~0u), 0xfffff064u);
	ktb_fake_advance(f, 10);
	KUNIT_EXPECT_EQ(test, exec(f, 0x7c03103b, 0, ~0u), 0xfffff065u);
}

/* A guest Compare write acknowledges the pending interrupt; mfc0 reads it. */
static void exec_compare_acks(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);

	exec(f, 0x40845800, 100, ~0u);
	ktb_fake_advance(f, 2000);		/* Count 200: past Compare */
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
	KUNIT_EXPECT_TRUE(test, f->cause & KTB_CAUSE_TI);

	exec(f, 0x40845800, 1000, ~0u);
	KUNIT_EXPECT_FALSE(test, f->cause & KTB_CAUSE_TI);
	KUNIT_EXPECT_EQ(test, exec(f, 0x40085800, 0, ~0u), 1000u);
	KUNIT_EXPECT_EQ(test, f->irqs, 1u);
	KUNIT_EXPECT_TRUE(test, f->armed);
}

/*
 * Cause writes take only the bits of the mask: trap-and-emulate passes the
 * guest-writable bits, VZ (where the hardware completes the rest) only DC.
 * DC stops Count either way.
 */
static void exec_cause_mask(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);
	u32 count;

	exec(f, 0x40826800, ~0u & ~KTB_CAUSE_TI, KTB_CAUSE_GUEST_WRITABLE);
	KUNIT_EXPECT_EQ(test, f->cause, KTB_CAUSE_GUEST_WRITABLE);
	count = exec(f, 0x40084800, 0, ~0u);
	ktb_fake_advance(f, 1000);
	KUNIT_EXPECT_EQ(test, exec(f, 0x40084800, 0, ~0u), count);

	exec(f, 0x40826800, 0x300, KTB_CAUSE_DC);
	KUNIT_EXPECT_EQ(test, f->cause, KTB_CAUSE_GUEST_WRITABLE & ~KTB_CAUSE_DC);
	ktb_fake_advance(f, 1000);
	KUNIT_EXPECT_EQ(test, exec(f, 0x40084800, 0, ~0u), count + 100);
	KUNIT_EXPECT_EQ(test, exec(f, 0x40026800, 0, ~0u), f->cause);
}

/* Re-arming on another CPU keeps the expiry, and a disarmed timer so. */
static void migrate_keeps_expiry(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);
	s64 expiry;

	ktb_mips_write_compare(&f->t, 5000, false);
	KUNIT_ASSERT_TRUE(test, f->armed);
	expiry = f->expiry;
	f->expiry = 0;				/* the old CPU's copy is gone */
	ktb_mips_timer_migrate(&f->t);
	KUNIT_EXPECT_TRUE(test, f->armed);
	KUNIT_EXPECT_EQ(test, f->expiry, expiry);

	ktb_mips_write_cause(&f->t, KTB_CAUSE_DC, ~0u);
	KUNIT_ASSERT_FALSE(test, f->armed);
	ktb_mips_timer_migrate(&f->t);
	KUNIT_EXPECT_FALSE(test, f->armed);
}

static struct kunit_case ktb_mips_insn_cases[] = {
	KUNIT_CASE_PARAM(decode_table, insn_gen_params),
	KUNIT_CASE(exec_count),
	KUNIT_CASE(exec_compare_acks),
	KUNIT_CASE(exec_cause_mask),
	KUNIT_CASE(migrate_keeps_expiry),
	{}
};

struct kunit_suite ktb_mips_insn_suite = {
	.name = "kvm_timer_backport_mips_insn",
	.test_cases = ktb_mips_insn_cases,
};
