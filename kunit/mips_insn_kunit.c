// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the guest timer instruction decoder and of carrying the
 * decoded accesses out on the core (fake clock), of evaluating the branch
 * whose delay slot held the access, plus re-arming the expiry timer when a
 * vCPU moves.
 */
#include <kunit/test.h>

#include "core/mips_insn.h"
#include "fake.h"
#include "ref.h"
#include "suites.h"

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

static void timer_instructions_decode_as_tabled(struct kunit *test)
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

/*
 * Branches whose delay slot trapped. Every expected address is worked out
 * by hand from the encoding. Most cases branch at PC with offset 0x10
 * words: taken, the guest goes on at TAKEN; not taken, and for the return
 * address, at PC + 8. Registers a case does not set hold distinct positive
 * values, and gprs[0] holds -1 so that a read of $0 from the array shows.
 */
#define PC		0x80001000u
#define TAKEN		0x80001044u	/* PC + 4 + 0x10 * 4 */
#define NEXT		0x80001008u	/* PC + 8 */

struct branch_reg {
	u8 r;
	u64 val;
};

struct branch_case {
	const char *name;
	u32 word;
	u64 pc;
	struct branch_reg set[2];	/* r == 0: unused */
	bool ok;
	u64 next_pc;
	u8 link;
	u64 link_pc;
};

static const struct branch_case branch_cases[] = {
	{ "beq t0,t1 branches when they are equal", 0x11090010, PC,
	  { { 8, 5 }, { 9, 5 } }, true, TAKEN },
	{ "beq t0,t1 falls through when they differ", 0x11090010, PC,
	  { { 8, 5 }, { 9, 6 } }, true, NEXT },
	{ "beq zero,zero (b) always branches", 0x10000010, PC,
	  {}, true, TAKEN },
	{ "beq t0,zero branches when t0 is 0, whatever gprs[0] holds",
	  0x11000010, PC, { { 8, 0 } }, true, TAKEN },
	{ "beq t0,zero falls through when t0 is -1, whatever gprs[0] holds",
	  0x11000010, PC, { { 8, -1 } }, true, NEXT },
	{ "bne t0,t1 branches when they differ", 0x15090010, PC,
	  { { 8, 5 }, { 9, 6 } }, true, TAKEN },
	{ "bne t0,t1 falls through when they are equal", 0x15090010, PC,
	  { { 8, 5 }, { 9, 5 } }, true, NEXT },
	{ "blez t0 branches when t0 is negative", 0x19000010, PC,
	  { { 8, -1 } }, true, TAKEN },
	{ "blez t0 branches when t0 is zero", 0x19000010, PC,
	  { { 8, 0 } }, true, TAKEN },
	{ "blez t0 falls through when t0 is positive", 0x19000010, PC,
	  { { 8, 1 } }, true, NEXT },
	{ "blez zero always branches", 0x18000010, PC, {}, true, TAKEN },
	{ "bgtz t0 falls through when t0 is negative", 0x1d000010, PC,
	  { { 8, -1 } }, true, NEXT },
	{ "bgtz t0 falls through when t0 is zero", 0x1d000010, PC,
	  { { 8, 0 } }, true, NEXT },
	{ "bgtz t0 branches when t0 is positive", 0x1d000010, PC,
	  { { 8, 1 } }, true, TAKEN },
	{ "bgtz zero never branches", 0x1c000010, PC, {}, true, NEXT },
	{ "bltz t0 branches when t0 is negative", 0x05000010, PC,
	  { { 8, -1 } }, true, TAKEN },
	{ "bltz t0 falls through when t0 is zero", 0x05000010, PC,
	  { { 8, 0 } }, true, NEXT },
	{ "bltz t0 falls through when t0 is positive", 0x05000010, PC,
	  { { 8, 1 } }, true, NEXT },
	{ "bltz zero never branches", 0x04000010, PC, {}, true, NEXT },
	{ "bgez t0 falls through when t0 is negative", 0x05010010, PC,
	  { { 8, -1 } }, true, NEXT },
	{ "bgez t0 branches when t0 is zero", 0x05010010, PC,
	  { { 8, 0 } }, true, TAKEN },
	{ "bgez t0 branches when t0 is positive", 0x05010010, PC,
	  { { 8, 1 } }, true, TAKEN },
	{ "bgez zero always branches", 0x04010010, PC, {}, true, TAKEN },
	{ "bltzl t0 branches when t0 is negative", 0x05020010, PC,
	  { { 8, -1 } }, true, TAKEN },
	{ "bltzl t0 falls through when t0 is zero", 0x05020010, PC,
	  { { 8, 0 } }, true, NEXT },
	{ "bgezl t0 branches when t0 is zero", 0x05030010, PC,
	  { { 8, 0 } }, true, TAKEN },
	{ "bgezl t0 falls through when t0 is negative", 0x05030010, PC,
	  { { 8, -1 } }, true, NEXT },
	{ "bltzal t0 branches when t0 is negative and links ra", 0x05100010,
	  PC, { { 8, -1 } }, true, TAKEN, 31, NEXT },
	{ "bltzal t0 falls through when t0 is zero and still links ra",
	  0x05100010, PC, { { 8, 0 } }, true, NEXT, 31, NEXT },
	{ "bltzal t0 falls through when t0 is positive and still links ra",
	  0x05100010, PC, { { 8, 1 } }, true, NEXT, 31, NEXT },
	{ "bgezal t0 branches when t0 is zero and links ra", 0x05110010, PC,
	  { { 8, 0 } }, true, TAKEN, 31, NEXT },
	{ "bgezal t0 falls through when t0 is negative and still links ra",
	  0x05110010, PC, { { 8, -1 } }, true, NEXT, 31, NEXT },
	{ "bltzall t0 branches when t0 is negative and links ra", 0x05120010,
	  PC, { { 8, -1 } }, true, TAKEN, 31, NEXT },
	{ "bltzall t0 falls through when t0 is positive and still links ra",
	  0x05120010, PC, { { 8, 1 } }, true, NEXT, 31, NEXT },
	{ "bgezall t0 branches when t0 is positive and links ra", 0x05130010,
	  PC, { { 8, 1 } }, true, TAKEN, 31, NEXT },
	{ "bgezall t0 falls through when t0 is negative and still links ra",
	  0x05130010, PC, { { 8, -1 } }, true, NEXT, 31, NEXT },
	{ "bgezal zero (bal) always branches and links ra", 0x04110010, PC,
	  {}, true, TAKEN, 31, NEXT },
	{ "bltzal zero (nal) never branches but links ra", 0x04100010, PC,
	  {}, true, NEXT, 31, NEXT },
	{ "beql t0,t1 branches when they are equal", 0x51090010, PC,
	  { { 8, 5 }, { 9, 5 } }, true, TAKEN },
	{ "beql t0,t1 falls through when they differ", 0x51090010, PC,
	  { { 8, 5 }, { 9, 6 } }, true, NEXT },
	{ "bnel t0,t1 branches when they differ", 0x55090010, PC,
	  { { 8, 5 }, { 9, 6 } }, true, TAKEN },
	{ "bnel t0,t1 falls through when they are equal", 0x55090010, PC,
	  { { 8, 5 }, { 9, 5 } }, true, NEXT },
	{ "blezl t0 branches when t0 is negative", 0x59000010, PC,
	  { { 8, -1 } }, true, TAKEN },
	{ "blezl t0 branches when t0 is zero", 0x59000010, PC,
	  { { 8, 0 } }, true, TAKEN },
	{ "blezl t0 falls through when t0 is positive", 0x59000010, PC,
	  { { 8, 1 } }, true, NEXT },
	{ "bgtzl t0 branches when t0 is positive", 0x5d000010, PC,
	  { { 8, 1 } }, true, TAKEN },
	{ "bgtzl t0 falls through when t0 is zero", 0x5d000010, PC,
	  { { 8, 0 } }, true, NEXT },
	{ "b with offset -1 branches to itself", 0x1000ffff, PC,
	  {}, true, PC },
	{ "b with offset -32768 goes back 128 KB from the delay slot",
	  0x10008000, PC, {}, true, 0x7ffe1004 },
	{ "b with offset 32767 goes forward 128 KB less a word", 0x10007fff,
	  PC, {}, true, 0x80021000 },
	{ "bal with offset -16 branches backwards and links ra", 0x0411fff0,
	  PC, {}, true, 0x80000fc4, 31, NEXT },
	{ "j stays in the 256 MB region of its delay slot", 0x08123456,
	  0x9ffff000, {}, true, 0x9048d158 },
	{ "jal stays in the region and links ra", 0x0c123456, 0x9ffff000,
	  {}, true, 0x9048d158, 31, 0x9ffff008 },
	{ "j with the largest target reaches the region's last word",
	  0x0bffffff, PC, {}, true, 0x8ffffffc },
	{ "j in a region's last word jumps into the next region", 0x08000010,
	  0x8ffffffc, {}, true, 0x90000040 },
	{ "jal in a region's last word jumps and returns into the next region",
	  0x0c000010, 0x8ffffffc, {}, true, 0x90000040, 31, 0x90000004 },
	{ "jr ra jumps to ra", 0x03e00008, PC,
	  { { 31, 0x80004000 } }, true, 0x80004000 },
	{ "jr t9 jumps to t9", 0x03200008, PC,
	  { { 25, 0x8000abc0 } }, true, 0x8000abc0 },
	{ "jr.hb ra jumps to ra, the hint changes nothing", 0x03e00408, PC,
	  { { 31, 0x80004000 } }, true, 0x80004000 },
	{ "jalr t9 jumps to t9 and links ra", 0x0320f809, PC,
	  { { 25, 0x8000abc0 } }, true, 0x8000abc0, 31, NEXT },
	{ "jalr v0,t9 jumps to t9 and links v0", 0x03201009, PC,
	  { { 25, 0x8000abc0 } }, true, 0x8000abc0, 2, NEXT },
	{ "jalr a1,a1 jumps to the old a1 and links a1", 0x00a02809, PC,
	  { { 5, 0x80002000 } }, true, 0x80002000, 5, NEXT },
	{ "jalr.hb t9 jumps to t9 and links ra, the hint changes nothing",
	  0x0320fc09, PC, { { 25, 0x8000abc0 } }, true, 0x8000abc0, 31, NEXT },
	{ "jalr zero,t9 jumps to t9 and links nothing", 0x03200009, PC,
	  { { 25, 0x8000abc0 } }, true, 0x8000abc0 },
	{ "jr t9 to an odd address (ISA mode switch) is left to the kernel",
	  0x03200008, PC, { { 25, 0x8000abc1 } } },
	{ "jalr t9 to an odd address (ISA mode switch) is left to the kernel",
	  0x0320f809, PC, { { 25, 0x8000abc1 } } },
	{ "jr with a nonzero rt field is not a jr", 0x03e10008, PC,
	  { { 31, 0x80004000 } } },
	{ "jalx is left to the kernel", 0x74000010, PC },
	{ "bc1f is left to the kernel", 0x45000010, PC },
	{ "bc1t is left to the kernel", 0x45010010, PC },
	{ "bc1fl is left to the kernel", 0x45020010, PC },
	{ "bc1tl is left to the kernel", 0x45030010, PC },
	{ "bc1any2f (MIPS-3D) is left to the kernel", 0x45200010, PC },
	{ "bc2f is left to the kernel", 0x49000010, PC },
	{ "cop1x madd.s is not a branch", 0x4c231020, PC },
	{ "bposge32 (DSP) is left to the kernel", 0x041c0010, PC },
	{ "bposge64 (DSP) is left to the kernel", 0x041d0010, PC },
	{ "R6 blezalc (blez with rt set) is left to the kernel", 0x18090010,
	  PC, { { 9, -1 } } },
	{ "R6 bltzc (bgtzl with rt set) is left to the kernel", 0x5d080010,
	  PC, { { 8, -1 } } },
	{ "R6 bc is left to the kernel", 0xc8000010, PC },
	{ "R6 balc is left to the kernel", 0xe8000010, PC },
	{ "teqi (REGIMM, not a branch) is not a branch", 0x050c0010, PC },
	{ "add t0,t1,t2 is not a branch", 0x012a4020, PC },
	{ "mfc0 t0,Count is not a branch", 0x40084800, PC },
	{ "0 (nop) is not a branch", 0x00000000, PC },
};

/*
 * Cases whose registers or addresses need a 64-bit long: mips64 guests,
 * whose 32-bit values live sign-extended in 64-bit registers.
 */
#define KPC		0xffffffff80001000ull

static const struct branch_case branch64_cases[] = {
	{ "beq t0,t1 compares all 64 bits", 0x11090010, PC,
	  { { 8, 0x100000000ull }, { 9, 0 } }, true, NEXT },
	{ "bne t0,t1 sees a difference in the upper 32 bits", 0x15090010, PC,
	  { { 8, 0x100000005ull }, { 9, 5 } }, true, TAKEN },
	{ "bne tells 0xffffffff80000000 from 0x80000000", 0x15090010, PC,
	  { { 8, 0xffffffff80000000ull }, { 9, 0x80000000 } }, true, TAKEN },
	{ "bltz t0 branches on sign-extended 0xffffffff80000000", 0x05000010,
	  PC, { { 8, 0xffffffff80000000ull } }, true, TAKEN },
	{ "bltz t0 falls through on 0x80000000, positive in 64 bits",
	  0x05000010, PC, { { 8, 0x80000000 } }, true, NEXT },
	{ "bgez t0 branches on 0x80000000, positive in 64 bits", 0x05010010,
	  PC, { { 8, 0x80000000 } }, true, TAKEN },
	{ "blez t0 branches on 0xffffffff00000001", 0x19000010, PC,
	  { { 8, 0xffffffff00000001ull } }, true, TAKEN },
	{ "bgtz t0 branches on 0x100000000", 0x1d000010, PC,
	  { { 8, 0x100000000ull } }, true, TAKEN },
	{ "bgezal t0 falls through on 0xffffffff80000000 and still links",
	  0x05110010, PC, { { 8, 0xffffffff80000000ull } }, true, NEXT, 31,
	  NEXT },
	{ "beq branches from a sign-extended kernel address", 0x11090010, KPC,
	  { { 8, 5 }, { 9, 5 } }, true, 0xffffffff80001044ull },
	{ "bltz falls through from a sign-extended kernel address",
	  0x05000010, KPC, { { 8, 1 } }, true, 0xffffffff80001008ull },
	{ "b with offset -32768 from a kernel address stays sign-extended",
	  0x10008000, KPC, {}, true, 0xffffffff7ffe1004ull },
	{ "b with offset -32768 from address 0x10 wraps below 0", 0x10008000,
	  0x10, {}, true, 0xfffffffffffe0014ull },
	{ "j keeps the upper 36 bits of a sign-extended pc", 0x08123456, KPC,
	  {}, true, 0xffffffff8048d158ull },
	{ "jal in the last word of a 64-bit region jumps into the next",
	  0x0c000010, 0xffffffff8ffffffcull, {}, true, 0xffffffff90000040ull,
	  31, 0xffffffff90000004ull },
	{ "jal from xkphys stays in xkphys and links a 64-bit address",
	  0x0c123456, 0x9800000000401000ull, {}, true, 0x980000000048d158ull,
	  31, 0x9800000000401008ull },
	{ "jr ra jumps to a sign-extended address", 0x03e00008, PC,
	  { { 31, 0xffffffff80004000ull } }, true, 0xffffffff80004000ull },
	{ "jalr t9 to a 64-bit address links a 64-bit return address",
	  0x0320f809, KPC, { { 25, 0x9800000000402000ull } }, true,
	  0x9800000000402000ull, 31, 0xffffffff80001008ull },
};

static void branch_desc(const struct branch_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(branch, branch_cases, branch_desc);
KUNIT_ARRAY_PARAM(branch64, branch64_cases, branch_desc);

static void branch_check(struct kunit *test, const struct branch_case *c)
{
	const struct ktb_mips_branch poison = {
		.next_pc = 0xdead, .link = 0xff, .link_pc = 0xbeef,
	};
	struct ktb_mips_branch b = poison;
	unsigned long gprs[32];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gprs); i++)
		gprs[i] = 0x40000000 + i * 0x100;
	gprs[0] = -1;
	for (i = 0; i < ARRAY_SIZE(c->set); i++)
		if (c->set[i].r)
			gprs[c->set[i].r] = (unsigned long)c->set[i].val;

	KUNIT_ASSERT_EQ_MSG(test,
			    ktb_mips_eval_branch(c->word, (unsigned long)c->pc,
						 gprs, &b),
			    c->ok, "%s (%#010x)", c->name, c->word);
	if (!c->ok) {
		/* The caller falls back: nothing half-evaluated for it. */
		KUNIT_EXPECT_EQ(test, b.next_pc, poison.next_pc);
		KUNIT_EXPECT_EQ(test, b.link, poison.link);
		KUNIT_EXPECT_EQ(test, b.link_pc, poison.link_pc);
		return;
	}
	KUNIT_EXPECT_EQ(test, b.next_pc, (unsigned long)c->next_pc);
	KUNIT_EXPECT_EQ(test, b.link, c->link);
	KUNIT_EXPECT_EQ(test, b.link_pc, (unsigned long)c->link_pc);
}

static void branches_resolve_as_tabled(struct kunit *test)
{
	branch_check(test, test->param_value);
}

static void branches_on_64_bit_registers_resolve_as_tabled(struct kunit *test)
{
	/* A 32-bit long cannot hold these values: nothing to check there. */
	if (sizeof(long) < 8)
		return;
	branch_check(test, test->param_value);
}

static u32 exec(struct ktb_fake *f, u32 word, u32 src, u32 mask)
{
	struct ktb_mips_timer_insn insn;

	if (!ktb_mips_decode_timer_insn(word, &insn))
		return 0xdeadbeef;
	return ktb_mips_exec_timer_insn(&f->t, &insn, src, mask);
}

/* mtc0 Count then mfc0 and RDHWR: Count runs on from the written value. */
static void count_runs_on_from_a_written_value(struct kunit *test)
{
	struct ktb_fake *f = ktb_fake_new(test, NSEC_PER_SEC, MHZ100);

	KUNIT_EXPECT_EQ(test, exec(f, 0x40884800, 0xfffff000, ~0u), 0u);
	ktb_fake_advance(f, 1000);
	KUNIT_EXPECT_EQ(test, exec(f, 0x40084800, 0, ~0u), 0xfffff064u);
	ktb_fake_advance(f, 10);
	KUNIT_EXPECT_EQ(test, exec(f, 0x7c03103b, 0, ~0u), 0xfffff065u);
}

/* A guest Compare write acknowledges the pending interrupt; mfc0 reads it. */
static void compare_write_acknowledges_the_interrupt(struct kunit *test)
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
static void cause_write_takes_only_the_masked_bits(struct kunit *test)
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
	KUNIT_CASE_PARAM(timer_instructions_decode_as_tabled, insn_gen_params),
	KUNIT_CASE_PARAM(branches_resolve_as_tabled, branch_gen_params),
	KUNIT_CASE_PARAM(branches_on_64_bit_registers_resolve_as_tabled, branch64_gen_params),
	KUNIT_CASE(count_runs_on_from_a_written_value),
	KUNIT_CASE(compare_write_acknowledges_the_interrupt),
	KUNIT_CASE(cause_write_takes_only_the_masked_bits),
	KUNIT_CASE(migrate_keeps_expiry),
	{}
};

struct kunit_suite ktb_mips_insn_suite = {
	.name = "kvm_timer_backport_mips_insn",
	.test_cases = ktb_mips_insn_cases,
};
