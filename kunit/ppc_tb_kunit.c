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
static void tb_offset_rounding(struct kunit *test)
{
	const struct round_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, ktb_ppc_round_tb_offset(c->raw), c->rounded);
}

struct dec_case {
	const char *what;
	u64 dec_expires;
	u64 raw;
	u64 want;		/* ~0 means host_tb + rounded offset */
};

static const struct dec_case decs[] = {
	{ "unset decrementer, offset set", 0, 0x5000000, ~0ull },
	{ "unset decrementer, offset rounds up", 0, 5, ~0ull },
	{ "unset decrementer, zero offset", 0, 0, 0 },
	{ "unset decrementer, offset rounds to zero", 0, ~0ull, 0 },
	{ "decrementer set", 123456789, 0x5000000, 123456789 },
};

static void dec_desc(const struct dec_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->what);
}

KUNIT_ARRAY_PARAM(dec, decs, dec_desc);

/*
 * The decrementer migration fix: a never-set expiry becomes "now" in
 * guest timebase units once a non-zero offset applies.
 */
static void tb_offset_dec_expires_fixup(struct kunit *test)
{
	const struct dec_case *c = test->param_value;
	u64 host_tb = 0x0000123456789abcull;
	u64 dec = c->dec_expires;
	u64 off = ktb_ppc_tb_offset_set(c->raw, host_tb, &dec);

	KUNIT_EXPECT_EQ(test, off, ktb_ppc_round_tb_offset(c->raw));
	KUNIT_EXPECT_EQ(test, dec, c->want == ~0ull ? host_tb + off : c->want);
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
	struct ktb_tb_ops ops = {
		.read_tb = tb_sim_read,
		.write_tbu40 = tb_sim_write_tbu40,
		.ctx = &sim,
	};
	struct ktb_ppc_vcore_tb vc = { .tb_offset = c->offset };

	ktb_ppc_guest_enter(&vc, &ops);
	KUNIT_EXPECT_EQ(test, sim.tb - sim.host, c->offset);
	KUNIT_EXPECT_EQ(test, vc.tb_offset_applied, c->offset);
	tb_sim_tick(&sim);
	ktb_ppc_guest_exit(&vc, &ops);
	KUNIT_EXPECT_EQ(test, sim.tb, sim.host);
	KUNIT_EXPECT_EQ(test, vc.tb_offset_applied, 0ull);
}

/* No offset: the timebase is not written at all. */
static void tbu40_zero_offset_untouched(struct kunit *test)
{
	struct tb_sim sim = { .host = 77, .tb = 77, .step = 3 };
	struct ktb_tb_ops ops = {
		.read_tb = tb_sim_read,
		.write_tbu40 = tb_sim_write_tbu40,
		.ctx = &sim,
	};
	struct ktb_ppc_vcore_tb vc = { 0 };

	ktb_ppc_guest_enter(&vc, &ops);
	ktb_ppc_guest_exit(&vc, &ops);
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
	struct ktb_tb_ops ops = {
		.read_tb = tb_sim_read,
		.write_tbu40 = tb_sim_write_tbu40,
		.ctx = &sim,
	};
	struct ktb_ppc_vcore_tb vc = { .tb_offset = 0x5000000 };

	ktb_ppc_guest_enter(&vc, &ops);
	vc.tb_offset = ktb_ppc_round_tb_offset(0x9000001);
	ktb_ppc_guest_exit(&vc, &ops);
	KUNIT_EXPECT_EQ(test, sim.tb, sim.host);
	ktb_ppc_guest_enter(&vc, &ops);
	KUNIT_EXPECT_EQ(test, sim.tb - sim.host, 0xa000000ull);
}

static struct kunit_case ktb_ppc_tb_cases[] = {
	KUNIT_CASE_PARAM(tb_offset_rounding, round_gen_params),
	KUNIT_CASE_PARAM(tb_offset_dec_expires_fixup, dec_gen_params),
	KUNIT_CASE_PARAM(tbu40_entry_exit_exact, shift_gen_params),
	KUNIT_CASE(tbu40_zero_offset_untouched),
	KUNIT_CASE(tbu40_exit_uses_applied_offset),
	{}
};

struct kunit_suite ktb_ppc_tb_suite = {
	.name = "kvm_timer_backport_ppc_tb",
	.test_cases = ktb_ppc_tb_cases,
};
