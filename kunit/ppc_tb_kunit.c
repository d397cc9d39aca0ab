// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the PowerPC timebase offset arithmetic, with a simulated
 * timebase that keeps running while the TBU40 sequence executes.
 */
#include <kunit/test.h>

#include "core/ppc_tb.h"
#include "suites.h"

struct round_case {
	u64 raw;
	u64 rounded;
};

static const struct round_case rounds[] = {
	{ 0, 0 },
	{ 1, 0x1000000 },
	{ 0xffffff, 0x1000000 },
	{ 0x1000000, 0x1000000 },
	{ 0x1000001, 0x2000000 },
	{ 0x123456789abcdefull, 0x12345678a000000ull },
	{ ~0ull, 0 },
	{ ~0ull - 0xffffff, ~0ull - 0xffffff },
	{ ~0ull - 0x1000000, ~0ull - 0xffffff },
	{ -0x1000001ll, -0x1000000ll },
	{ -0x1000000ll, -0x1000000ll },
	{ -1ll, 0 },
	{ 1ull << 63, 1ull << 63 },
};

static void round_desc(const struct round_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%#llx rounds to %#llx", c->raw,
		 c->rounded);
}

KUNIT_ARRAY_PARAM(round, rounds, round_desc);

/* Offsets round up to a multiple of 2^24, modulo 2^64. */
static void tb_offset_rounds_up_to_2_24(struct kunit *test)
{
	const struct round_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, ktb_ppc_round_tb_offset(c->raw), c->rounded);
}

struct dec_case {
	const char *what;
	enum ktb_ppc_dec_units units;
	u64 dec_expires;
	u64 raw;
	u64 want;		/* ~0 means host_tb + rounded offset */
};

#define HOST	KTB_PPC_DEC_HOST_TB
#define GUEST	KTB_PPC_DEC_GUEST_TB

static const struct dec_case decs[] = {
	{ "guest era: unset expiry, offset set", GUEST, 0, 0x5000000, ~0ull },
	{ "guest era: unset expiry, offset rounds up", GUEST, 0, 5, ~0ull },
	{ "guest era: unset expiry, negative offset", GUEST, 0, -0x3000000ll,
	  ~0ull },
	{ "guest era: unset expiry, zero offset", GUEST, 0, 0, 0 },
	{ "guest era: unset expiry, offset rounds to zero", GUEST, 0, ~0ull,
	  0 },
	{ "guest era: expiry set", GUEST, 123456789, 0x5000000, 123456789 },
	/* A host-era expiry of 0 is a time long past, not "unset". */
	{ "host era: zero expiry, offset set", HOST, 0, 0x5000000, 0 },
	{ "host era: zero expiry, negative offset", HOST, 0, -0x3000000ll, 0 },
	{ "host era: expiry set", HOST, 123456789, 0x5000000, 123456789 },
};

static void dec_desc(const struct dec_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->what);
}

KUNIT_ARRAY_PARAM(dec, decs, dec_desc);

/*
 * The decrementer migration fix: in the guest timebase era a never-set
 * expiry becomes "now" once a non-zero offset applies; the host era has
 * no such state and keeps its expiry as it is.
 */
static void tb_offset_dec_expires_fixup(struct kunit *test)
{
	const struct dec_case *c = test->param_value;
	u64 host_tb = 0x0000123456789abcull;
	u64 dec = c->dec_expires;
	u64 off = ktb_ppc_tb_offset_set(c->units, c->raw, host_tb, &dec);

	KUNIT_EXPECT_EQ(test, off, ktb_ppc_round_tb_offset(c->raw));
	KUNIT_EXPECT_EQ(test, dec, c->want == ~0ull ? host_tb + off : c->want);
}

/*
 * A vCPU's life through ONE_REG, in each era: created at host timebase
 * @created, then DEC_EXPIRY and TB_OFFSET set in the row's order; GET
 * DEC_EXPIRY afterwards, and the stored field, must be what that era's
 * upstream kernel holds.
 */
struct life_case {
	const char *what;
	enum ktb_ppc_dec_units units;
	bool set_dec;		/* SET DEC_EXPIRY = dec at all */
	bool dec_first;		/* ... before SET TB_OFFSET */
	u64 dec;
	u64 raw;		/* SET TB_OFFSET */
	u64 want_get;		/* GET DEC_EXPIRY at the end */
	u64 want_field;		/* vcpu->arch.dec_expires at the end */
};

#define CREATED	0x0000004000000000ull	/* host TB at vCPU creation */
#define NOW	0x0000004000100000ull	/* host TB at SET TB_OFFSET */

static const struct life_case lives[] = {
	/* SET DEC_EXPIRY after TB_OFFSET: GET returns it in both eras. */
	{ "host era: DEC_EXPIRY after TB_OFFSET reads back", HOST, true, false,
	  0x77000000, 0x3000000, 0x77000000, 0x77000000 - 0x3000000 },
	{ "guest era: DEC_EXPIRY after TB_OFFSET reads back", GUEST, true,
	  false, 0x77000000, 0x3000000, 0x77000000, 0x77000000 },
	{ "host era: DEC_EXPIRY below a negative offset wraps and reads back",
	  HOST, true, false, 5, -0x5000000ll, 5, 5 + 0x5000000 },
	/* The order trap: the host era moves an earlier expiry by the offset. */
	{ "host era: DEC_EXPIRY before TB_OFFSET moves by the offset", HOST,
	  true, true, 0x77000000, 0x3000000, 0x77000000 + 0x3000000,
	  0x77000000 },
	{ "guest era: DEC_EXPIRY before TB_OFFSET stays", GUEST, true, true,
	  0x77000000, 0x3000000, 0x77000000, 0x77000000 },
	/* QEMU's migration: TB_OFFSET only, negative, on a fresh vCPU. */
	{ "host era: fresh vCPU, negative offset: expiry is its creation",
	  HOST, false, false, 0, -0x300000001ll, CREATED - 0x300000000ull,
	  CREATED },
	{ "guest era: fresh vCPU, negative offset: expiry is now", GUEST,
	  false, false, 0, -0x300000001ll, NOW - 0x300000000ull,
	  NOW - 0x300000000ull },
	/* The rig's decrementer test: DEC_EXPIRY 0, then TB_OFFSET. */
	{ "host era: DEC_EXPIRY 0 then TB_OFFSET reads the offset", HOST, true,
	  true, 0, 0x5000000, 0x5000000, 0 },
	{ "guest era: DEC_EXPIRY 0 then TB_OFFSET reads now", GUEST, true,
	  true, 0, 0x5000000, NOW + 0x5000000, NOW + 0x5000000 },
};

static void life_desc(const struct life_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->what);
}

KUNIT_ARRAY_PARAM(life, lives, life_desc);

static void life_set_dec(const struct life_case *c, u64 *field, u64 offset)
{
	*field = ktb_ppc_dec_expiry_set(c->units, c->dec, offset);
}

static void dec_expiry_through_one_reg(struct kunit *test)
{
	const struct life_case *c = test->param_value;
	u64 field = ktb_ppc_new_vcpu_dec_expires(c->units, CREATED);
	u64 offset = 0;

	if (c->set_dec && c->dec_first)
		life_set_dec(c, &field, offset);
	offset = ktb_ppc_tb_offset_set(c->units, c->raw, NOW, &field);
	if (c->set_dec && !c->dec_first)
		life_set_dec(c, &field, offset);
	KUNIT_EXPECT_EQ(test, ktb_ppc_dec_expiry_get(c->units, field, offset),
			c->want_get);
	KUNIT_EXPECT_EQ(test, field, c->want_field);
}

/* Only the guest era starts a vCPU's expiry at 0 ("not set yet"). */
static void new_vcpu_dec_expires_by_era(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ktb_ppc_new_vcpu_dec_expires(HOST, CREATED),
			CREATED);
	KUNIT_EXPECT_EQ(test, ktb_ppc_new_vcpu_dec_expires(GUEST, CREATED),
			0ull);
}

/* GET after SET is the identity, whatever the offset, in both eras. */
static void dec_expiry_set_get_identity(struct kunit *test)
{
	static const u64 vals[] = { 0, 1, 0x7fffffff, 1ull << 63, ~0ull };
	static const u64 offs[] = { 0, 0x1000000, -0x1000000ll, 1ull << 63 };
	unsigned int i, j, e;

	for (e = 0; e < 2; e++)
		for (i = 0; i < ARRAY_SIZE(vals); i++)
			for (j = 0; j < ARRAY_SIZE(offs); j++) {
				enum ktb_ppc_dec_units u = e ? GUEST : HOST;
				u64 f = ktb_ppc_dec_expiry_set(u, vals[i],
							       offs[j]);

				KUNIT_EXPECT_EQ_MSG(test,
						    ktb_ppc_dec_expiry_get(u, f, offs[j]),
						    vals[i], "era %u value %#llx offset %#llx",
						    e, vals[i], offs[j]);
			}
}

struct seen_case {
	const char *what;
	enum ktb_ppc_dec_units units;
	u64 before, after, offset;
	enum ktb_ppc_fixup_seen want;
};

static const struct seen_case seens[] = {
	{ "guest era, kernel with the fix", GUEST, 0, NOW + 0x5000000,
	  0x5000000, KTB_PPC_FIXUP_DONE },
	{ "guest era, kernel without the fix", GUEST, 0, 0, 0x5000000,
	  KTB_PPC_FIXUP_MISSING },
	{ "guest era, negative offset, without the fix", GUEST, 0, 0,
	  -0x1000000ll, KTB_PPC_FIXUP_MISSING },
	{ "guest era, expiry already set", GUEST, 42, 42, 0x5000000,
	  KTB_PPC_FIXUP_UNTOLD },
	{ "guest era, zero offset", GUEST, 0, 0, 0, KTB_PPC_FIXUP_UNTOLD },
	{ "host era, zero expiry left alone", HOST, 0, 0, 0x5000000,
	  KTB_PPC_FIXUP_UNTOLD },
};

static void seen_desc(const struct seen_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->what);
}

KUNIT_ARRAY_PARAM(seen, seens, seen_desc);

/* Auto mode's reading of a kernel's own SET TB_OFFSET. */
static void kernel_fixup_judged_by_effect(struct kunit *test)
{
	const struct seen_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, ktb_ppc_fixup_seen(c->units, c->before, c->after,
						 c->offset), c->want);
}

/* A timebase that advances @step ticks with every access. */
struct tb_sim {
	u64 host;	/* host time, in ticks: the truth */
	u64 tb;		/* the timebase register */
	u64 step;
	unsigned int writes;
};

static void tb_sim_tick(struct tb_sim *s)
{
	s->host += s->step;
	s->tb += s->step;
}

static u64 tb_sim_read(void *ctx)
{
	struct tb_sim *s = ctx;

	tb_sim_tick(s);
	return s->tb;
}

static void tb_sim_write_tbu40(void *ctx, u64 val)
{
	struct tb_sim *s = ctx;

	tb_sim_tick(s);
	s->tb = (val & ~KTB_TB_LOW_MASK) | (s->tb & KTB_TB_LOW_MASK);
	s->writes++;
}

/*
 * The kernel applies a virtual core's offset in its guest entry and exit
 * code (book3s_hv_rmhandlers.S; kvmhv_load_hv_regs_and_go() on POWER9),
 * built into the kernel image: this module only sets the offset. What
 * follows models that sequence on the simulated timebase, to show that
 * an offset as ktb_ppc_round_tb_offset() leaves it is applied and taken
 * off exactly, however the low 24 bits move meanwhile.
 */
struct vcore_model {
	u64 tb_offset;		/* as set, rounded */
	u64 tb_offset_applied;	/* what the last entry added */
};

/*
 * Add @delta to the running timebase through TBU40, which replaces the
 * upper 40 bits only: if the low 24 bits wrapped between the read and
 * the write, the carry was lost with the write, so write one 2^24 step
 * higher again.
 */
static void tb_shift(struct tb_sim *s, u64 delta)
{
	u64 val = tb_sim_read(s) + delta;

	tb_sim_write_tbu40(s, val);
	if ((tb_sim_read(s) & KTB_TB_LOW_MASK) < (val & KTB_TB_LOW_MASK))
		tb_sim_write_tbu40(s, val + (1ULL << KTB_TB_LOW_BITS));
}

/* The offset is read once: a SET meanwhile must not change the exit's. */
static void guest_enter(struct vcore_model *vc, struct tb_sim *s)
{
	u64 offset = READ_ONCE(vc->tb_offset);

	if (offset)
		tb_shift(s, offset);
	vc->tb_offset_applied = offset;
}

static void guest_exit(struct vcore_model *vc, struct tb_sim *s)
{
	if (vc->tb_offset_applied)
		tb_shift(s, -vc->tb_offset_applied);
	vc->tb_offset_applied = 0;
}

struct shift_case {
	u64 low;	/* low 24 bits of the timebase at entry */
	u64 step;
	u64 offset;
};

static const struct shift_case shifts[] = {
	{ 0x000000, 5, 0x1000000 },
	{ 0x800000, 5, 0x7000000 },
	/* The low bits wrap between the read and the TBU40 write. */
	{ 0xfffffa, 5, 0x1000000 },
	{ 0xfffffa, 5, -0x3000000ll },
	/* ... between the write and the check. */
	{ 0xfffff5, 5, 0x2000000 },
	{ 0xfffff5, 5, -0x1000000ll },
	/* ... after the check. */
	{ 0xfffff0, 5, 0x123000000ull },
	{ 0xffffff, 1, 0xfff0000001000000ull },
	{ 0xfffffe, 7, 1ull << 63 },
};

static void shift_desc(const struct shift_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "low %#llx step %llu offset %#llx",
		 c->low, c->step, c->offset);
}

KUNIT_ARRAY_PARAM(shift, shifts, shift_desc);

/*
 * Entry adds exactly the offset to the running timebase, whatever the low
 * 24 bits do meanwhile; exit takes exactly it off again.
 */
static void tbu40_entry_exit_exact(struct kunit *test)
{
	const struct shift_case *c = test->param_value;
	struct tb_sim sim = {
		.host = 0x0000abcd00000000ull | c->low,
		.tb = 0x0000abcd00000000ull | c->low,
		.step = c->step,
	};
	struct vcore_model vc = { .tb_offset = c->offset };

	guest_enter(&vc, &sim);
	KUNIT_EXPECT_EQ(test, sim.tb - sim.host, c->offset);
	KUNIT_EXPECT_EQ(test, vc.tb_offset_applied, c->offset);
	tb_sim_tick(&sim);
	guest_exit(&vc, &sim);
	KUNIT_EXPECT_EQ(test, sim.tb, sim.host);
	KUNIT_EXPECT_EQ(test, vc.tb_offset_applied, 0ull);
}

/* No offset: the timebase is not written at all. */
static void tbu40_zero_offset_untouched(struct kunit *test)
{
	struct tb_sim sim = { .host = 77, .tb = 77, .step = 3 };
	struct vcore_model vc = { 0 };

	guest_enter(&vc, &sim);
	guest_exit(&vc, &sim);
	KUNIT_EXPECT_EQ(test, sim.writes, 0u);
	KUNIT_EXPECT_EQ(test, sim.tb, sim.host);
}

/*
 * Regression test for upstream 57b8daa70a17: userspace changes the offset
 * while the guest runs; the exit must undo what the entry applied.
 */
static void tbu40_exit_uses_applied_offset(struct kunit *test)
{
	struct tb_sim sim = { .host = 1ull << 40, .tb = 1ull << 40, .step = 9 };
	struct vcore_model vc = { .tb_offset = 0x5000000 };

	guest_enter(&vc, &sim);
	vc.tb_offset = ktb_ppc_round_tb_offset(0x9000001);
	guest_exit(&vc, &sim);
	KUNIT_EXPECT_EQ(test, sim.tb, sim.host);
	guest_enter(&vc, &sim);
	KUNIT_EXPECT_EQ(test, sim.tb - sim.host, 0xa000000ull);
}

static struct kunit_case ktb_ppc_tb_cases[] = {
	KUNIT_CASE_PARAM(tb_offset_rounds_up_to_2_24, round_gen_params),
	KUNIT_CASE_PARAM(tb_offset_dec_expires_fixup, dec_gen_params),
	KUNIT_CASE_PARAM(dec_expiry_through_one_reg, life_gen_params),
	KUNIT_CASE(new_vcpu_dec_expires_by_era),
	KUNIT_CASE(dec_expiry_set_get_identity),
	KUNIT_CASE_PARAM(kernel_fixup_judged_by_effect, seen_gen_params),
	KUNIT_CASE_PARAM(tbu40_entry_exit_exact, shift_gen_params),
	KUNIT_CASE(tbu40_zero_offset_untouched),
	KUNIT_CASE(tbu40_exit_uses_applied_offset),
	{}
};

struct kunit_suite ktb_ppc_tb_suite = {
	.name = "kvm_timer_backport_ppc_tb",
	.test_cases = ktb_ppc_tb_cases,
};
