// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized differential test of the MIPS guest timer core.
 *
 * Each random case runs one long pseudo-random sequence of operations twice
 * in lockstep: against the core, through the fake clock of fake.c, and
 * against the reference model of mips_model.c. After every operation
 * everything the guest or the VMM could observe is compared: the value a
 * Count read returns, error codes, how many times the timer interrupt was
 * raised, Cause (TI in particular), Count, Compare, COUNT_CTL, COUNT_RESUME,
 * COUNT_HZ, and when the expiry timer is armed for.
 *
 * The operations: time steps from a nanosecond to several Count periods,
 * many of them to just before, onto or just after the pending expiry (some
 * with the expiry callback held back, as a late hrtimer would be), guest
 * Count reads and writes, guest Compare writes (ack) and ONE_REG ones (no
 * ack), guest and ONE_REG Cause writes toggling DC, and COUNT_CTL,
 * COUNT_RESUME and COUNT_HZ writes, valid and invalid.
 *
 * Exact and loose checks: the spec pins every raise of the interrupt the
 * fake can observe (expiries, delivery by a Count read or a stop when the
 * pending expiry is less than a quarter period away, the master re-enable),
 * so the number of raises is compared exactly, after every operation. Two
 * readings were needed:
 *  - Master re-enable raises once at most, however many matches were missed
 *    ("if now >= expiry queue the interrupt"). Upstream then reads Count
 *    through the read-time rule, against the expiry of the timer cancelled
 *    at the disable, which can queue a second time; queueing twice makes no
 *    difference to the guest, but the spec (and this test) say once.
 *  - A ONE_REG Cause write that sets DC stops the timer before writing the
 *    other bits, so an interrupt delivered by that stop is counted but its
 *    TI is then whatever the written value says.
 * Loose, because the spec does not pin them: wake-ups (at least one per
 * expiry), and the number of dequeue calls (Cause is compared instead).
 * Not compared: the Count the expiry callback saw (fake.c's fired_count),
 * which depends on how late the fake ran it.
 * The expiry timer itself is compared exactly: armed exactly while the
 * timer runs, and for the time the spec's formula gives.
 *
 * Replaying a failure: the operation sequence depends only on the case (its
 * seed, rate and start time), on mips_diff_seed and on the reference's state,
 * which is the same on every run up to the first divergence. A failure
 * names the case seed, the step and the operation, and logs the operations
 * that led to it; running the suite again with at least that many
 * operations replays it exactly.
 *
 * Size: the random cases run DIFF_DEFAULT_OPS operations each. The
 * mips_diff_ops parameter raises that (1000000 is a good soak), e.g.
 *   kunit.py run ... --kernel_args kvm_timer_backport_kunit.mips_diff_ops=1000000
 * when the tests are built in, or mips_diff_ops=1000000 on insmod of the
 * test module. mips_diff_seed=N mixes N into every case's seed to explore
 * other sequences (failures then report the mixed seed).
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "fake.h"
#include "mips_model.h"
#include "ref.h"
#include "suites.h"

#define DIFF_DEFAULT_OPS	4000
/* How many past operations a failure report shows. */
#define DIFF_HISTORY		16

/*
 * Fake time never goes past this. Both the core and the reference add up to
 * 1.25 Count periods (each 4.3e18 ns at 1 Hz) to the current time when the
 * timer is re-armed, so staying below S64_MAX - 1.25 * 4.3e18 keeps every
 * such sum inside s64 at any legal rate. Real uptimes are far below it.
 */
#define DIFF_TIME_CAP		3800000000000000000LL

/* Nanoseconds per 2^32 ticks, as a constant expression for the case table. */
#define DIFF_PERIOD(hz)		((s64)(((u64)NSEC_PER_SEC << 32) / (hz)))
#define DIFF_HOUR		(3600LL * NSEC_PER_SEC)

static unsigned int mips_diff_ops;
module_param(mips_diff_ops, uint, 0644);
MODULE_PARM_DESC(mips_diff_ops,
		 "operations per random MIPS timer differential case (default 4000; 1000000 for a soak)");

static ulong mips_diff_seed;
module_param(mips_diff_seed, ulong, 0644);
MODULE_PARM_DESC(mips_diff_seed,
		 "mixed into every random MIPS timer differential case's seed (default 0)");

/*
 * ---------------------------------------------------------------------------
 * Lockstep driver
 * ---------------------------------------------------------------------------
 */
struct diff_case {
	const char *name;
	u64 seed;
	u32 hz;
	s64 start;
};

struct diff_run {
	struct kunit *test;
	const struct diff_case *c;
	struct ktb_fake fake;
	struct ref_timer ref;
	u64 seed;
	u64 rng;
	unsigned long step;
	s64 max_step;
	bool failed;
	bool probe;
	char op[96];
	char history[DIFF_HISTORY][128];
};

/* splitmix64: tiny, good enough, and the same on every architecture. */
static u64 diff_rand(struct diff_run *run)
{
	u64 z = (run->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Roughly uniform in [0, n); 0 when n is 0. */
static u64 diff_below(struct diff_run *run, u64 n)
{
	u64 rem;

	if (!n)
		return 0;
	div64_u64_rem(diff_rand(run), n, &rem);
	return rem;
}

static __printf(2, 3) void diff_op(struct diff_run *run, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(run->op, sizeof(run->op), fmt, args);
	va_end(args);
	snprintf(run->history[run->step % DIFF_HISTORY],
		 sizeof(run->history[0]), "step %lu at %lld ns: %s",
		 run->step, run->ref.now, run->op);
}

/* What led to a divergence, and both sides' state after it. */
static void diff_dump_history(struct diff_run *run)
{
	const struct ref_timer *r = &run->ref;
	struct ktb_fake *f = &run->fake;
	unsigned long first = run->step >= DIFF_HISTORY ?
			      run->step - DIFF_HISTORY + 1 : 0;
	unsigned long i;

	kunit_info(run->test, "last operations (seed %#llx, %u Hz at start):\n",
		   run->seed, run->c->hz);
	for (i = first; i <= run->step; i++)
		kunit_info(run->test, "  %s\n", run->history[i % DIFF_HISTORY]);
	kunit_info(run->test,
		   "reference: Count %#x Compare %#x Cause %#x COUNT_CTL %u resume %lld hz %u expiry %lld irqs %u\n",
		   ref_peek(r), r->compare, r->cause, r->master_dc, r->resume,
		   r->hz, ref_running(r) ? r->expiry : -1LL, r->irqs);
	kunit_info(run->test,
		   "core:      Count %#x Compare %#x Cause %#x COUNT_CTL %u resume %lld hz %u expiry %lld irqs %u\n",
		   ktb_fake_peek_count(f), ktb_mips_read_compare(&f->t),
		   f->cause, f->t.count_ctl,
		   ktb_mips_get_count_resume(&f->t), f->t.count_hz,
		   f->armed ? f->expiry : -1LL, f->irqs);
}

/* Report the first divergence of a run; later ones are consequences. */
static bool diff_differs(struct diff_run *run, const char *what, u64 core,
			 u64 ref)
{
	if (core == ref)
		return false;
	if (!run->failed) {
		KUNIT_FAIL(run->test,
			   "seed %#llx step %lu, %s: %s is %lld (%#llx), reference %lld (%#llx)",
			   run->seed, run->step, run->op, what, (s64)core, core,
			   (s64)ref, ref);
		diff_dump_history(run);
		run->failed = true;
	}
	return true;
}

/* Everything observable after an operation. */
static void diff_check(struct diff_run *run)
{
	struct ktb_fake *f = &run->fake;
	struct ref_timer *r = &run->ref;
	bool running = ref_running(r);

	if (diff_differs(run, "fake time", f->now, r->now) ||
	    diff_differs(run, "raised interrupts", f->irqs, r->irqs) ||
	    diff_differs(run, "Cause.TI", !!(f->cause & KTB_CAUSE_TI),
			 !!(r->cause & KTB_CAUSE_TI)) ||
	    diff_differs(run, "Cause", f->cause, r->cause) ||
	    diff_differs(run, "Count", ktb_fake_peek_count(f), ref_peek(r)) ||
	    diff_differs(run, "Compare", ktb_mips_read_compare(&f->t),
			 r->compare) ||
	    diff_differs(run, "COUNT_CTL", f->t.count_ctl, r->master_dc) ||
	    diff_differs(run, "COUNT_RESUME",
			 ktb_mips_get_count_resume(&f->t), r->resume) ||
	    diff_differs(run, "COUNT_HZ", f->t.count_hz, r->hz) ||
	    diff_differs(run, "stopped", ktb_mips_timer_stopped(&f->t),
			 !running) ||
	    diff_differs(run, "expiry timer armed", f->armed, running))
		return;
	if (running)
		diff_differs(run, "expiry time", f->expiry, r->expiry);
}

/*
 * Only expiries raise the interrupt while time passes, so the reference's
 * raises during the step are its expiries. Each must have run the core's
 * callback (exactly) and woken the vCPU (at least once: the spec does not
 * say whether other deliveries wake it too, so no exact count of wakes).
 */
static void diff_advance_to(struct diff_run *run, s64 to)
{
	struct ktb_fake *f = &run->fake;
	unsigned int fires = f->fires, wakes = f->wakes;
	unsigned int expiries = run->ref.irqs;
	s64 now = run->ref.now;

	to = clamp(to, now, DIFF_TIME_CAP);
	diff_op(run, "advance %lld ns to %lld", to - now, to);
	ktb_fake_set_time(f, to);
	ref_advance(&run->ref, to);
	expiries = run->ref.irqs - expiries;
	if (diff_differs(run, "expiry callbacks", f->fires - fires, expiries))
		return;
	if (f->wakes - wakes < expiries)
		diff_differs(run, "wake-ups", f->wakes - wakes, expiries);
}

/*
 * Move time on without running the expiry callback, as when the host runs
 * the hrtimer late: the next operation meets a timer that is overdue but
 * has not fired, and the read-time delivery rule has to make up for it
 * without delivering twice. The callback runs at the next ordinary step.
 * The reference needs nothing special: it fires expiries only when asked
 * to advance, and its delivery rule already covers an overdue expiry.
 */
static void diff_advance_late(struct diff_run *run, s64 to)
{
	diff_op(run, "advance %lld ns to %lld, expiry callback held back",
		to - run->ref.now, to);
	run->fake.now = to;
	run->ref.now = to;
}

static void diff_read_count(struct diff_run *run)
{
	u32 got, want;

	diff_op(run, "guest read Count");
	got = ktb_mips_read_count(&run->fake.t);
	want = ref_read_count(&run->ref);
	diff_differs(run, "value read", got, want);
}

static void diff_write_count(struct diff_run *run, u32 count)
{
	diff_op(run, "write Count %#x", count);
	ktb_mips_write_count(&run->fake.t, count);
	ref_write_count(&run->ref, count);
}

static void diff_write_compare(struct diff_run *run, u32 compare, bool ack)
{
	diff_op(run, "%s Compare %#x", ack ? "guest write (ack)" :
		"ONE_REG write (no ack)", compare);
	ktb_mips_write_compare(&run->fake.t, compare, ack);
	ref_write_compare(&run->ref, compare, ack);
}

static void diff_write_cause(struct diff_run *run, u32 value, u32 mask)
{
	diff_op(run, "%s Cause %#x (was %#x)",
		mask == KTB_CAUSE_GUEST_WRITABLE ? "guest write" :
		"ONE_REG write", value, run->ref.cause);
	ktb_mips_write_cause(&run->fake.t, value, mask);
	ref_write_cause(&run->ref, value, mask);
}

static void diff_set_count_ctl(struct diff_run *run, s64 ctl)
{
	int got, want;

	diff_op(run, "set COUNT_CTL %#llx", ctl);
	got = ktb_mips_set_count_ctl(&run->fake.t, ctl);
	want = ref_set_count_ctl(&run->ref, ctl);
	diff_differs(run, "return value", got, want);
}

static void diff_set_count_resume(struct diff_run *run, s64 ns)
{
	int got, want;

	diff_op(run, "set COUNT_RESUME %lld", ns);
	got = ktb_mips_set_count_resume(&run->fake.t, ns);
	want = ref_set_count_resume(&run->ref, ns);
	diff_differs(run, "return value", got, want);
}

static void diff_set_count_hz(struct diff_run *run, s64 hz)
{
	int got, want;

	diff_op(run, "set COUNT_HZ %lld", hz);
	got = ktb_mips_set_count_hz(&run->fake.t, hz);
	want = ref_set_count_hz(&run->ref, hz);
	diff_differs(run, "return value", got, want);
}

/*
 * ---------------------------------------------------------------------------
 * Choosing operations
 *
 * Uniformly random values would almost never land where the rules are
 * delicate, so most choices aim at them: times just around the pending
 * expiry (where Count can already equal Compare because the expiry is
 * rounded down to whole nanoseconds while Count is rounded down to whole
 * ticks), around the match missed while master-disabled, Compare a few
 * ticks ahead or just behind Count, DC toggles, and every kind of invalid
 * value.
 * ---------------------------------------------------------------------------
 */

/*
 * How far one step may move time: the whole run then stays below
 * DIFF_TIME_CAP. At 1 GHz or 100 MHz this never binds; at 3 Hz or 1 Hz a
 * Count period is decades, so a run there only ever sees part of one.
 */
static s64 diff_reach(struct diff_run *run)
{
	return min(run->max_step, DIFF_TIME_CAP - run->ref.now);
}

/*
 * Move time to just before or onto the next event, and have the next
 * operation probe it. While running, that is the pending expiry: mostly
 * the tick before it, where Count can already have reached Compare. While
 * only the master disable stops the timer, it is the first match a
 * re-enable would have to deliver.
 */
static void diff_pick_event(struct diff_run *run)
{
	struct ref_timer *r = &run->ref;
	u64 tick_ns = ref_ns(r, 1) + 1;
	s64 now = r->now, target;
	bool late = false;

	if (ref_running(r)) {
		switch (diff_below(run, 8)) {
		case 0:
			/* A few ticks past it, the callback not run yet. */
			late = true;
			target = r->expiry + diff_below(run, 4 * tick_ns);
			break;
		case 1:
			/* Further past, up to beyond a whole period. */
			late = true;
			target = r->expiry +
				 diff_below(run, r->period + (r->period >> 1));
			break;
		case 2:
		case 3:
			target = r->expiry + 1 -
				 diff_below(run, 2 * tick_ns + 3);
			break;
		default:
			target = r->expiry - 1 - diff_below(run, tick_ns);
			break;
		}
	} else if (r->master_dc && !(r->cause & KTB_CAUSE_DC)) {
		target = r->resume + 1 - diff_below(run, 3) +
			 ref_ns(r, ref_ticks_until(r->compare, r->held));
	} else {
		target = now + diff_below(run, 2 * tick_ns);
	}

	if (target - now > diff_reach(run) && ref_running(r)) {
		/* Out of reach: bring Compare close so a later step gets it. */
		diff_write_compare(run, ref_peek(r) + 1 + diff_below(run, 64),
				   diff_below(run, 2));
		return;
	}
	if (target < now || target - now > diff_reach(run)) {
		target = now + diff_below(run, tick_ns);
	} else {
		run->probe = true;
		if (late) {
			diff_advance_late(run, target);
			return;
		}
	}
	diff_advance_to(run, target);
}

static void diff_pick_advance(struct diff_run *run, unsigned int kind)
{
	struct ref_timer *r = &run->ref;
	u64 tick_ns = ref_ns(r, 1) + 1;
	s64 now = r->now, reach = diff_reach(run), target;

	switch (kind) {
	case 0:		/* a few ns or a few ticks */
		if (diff_below(run, 2))
			target = now + diff_below(run, 1000);
		else
			target = now + diff_below(run, 4 * tick_ns);
		break;
	case 1:		/* up to half a period */
		target = now + diff_below(run, min_t(u64, r->period / 2,
						     reach));
		break;
	default:	/* across several Count wraps and matches */
		if (r->period > div_u64(reach, 6))
			target = now + diff_below(run, reach);
		else
			target = now + diff_below(run, 6) * r->period +
				 diff_below(run, r->period);
		break;
	}
	diff_advance_to(run, target);
}

static u32 diff_pick_count_value(struct diff_run *run)
{
	struct ref_timer *r = &run->ref;

	switch (diff_below(run, 6)) {
	case 0:
		return diff_rand(run);
	case 1:
		return r->compare - diff_below(run, 2000);
	case 2:
		return r->compare;
	case 3:
		return r->compare - 1;
	case 4:
		return ref_peek(r);
	default:
		return ref_peek(r) + diff_below(run, 1000);
	}
}

static u32 diff_pick_compare_value(struct diff_run *run)
{
	struct ref_timer *r = &run->ref;
	u32 count = ref_peek(r);

	switch (diff_below(run, 8)) {
	case 0:
		return count + 1 + diff_below(run, 64);
	case 1:
		return count + diff_below(run, 1 << 20);
	case 2:
		return count - diff_below(run, 64);
	case 3:
		return count;
	case 4:
		return count + 1;
	case 5:
		return r->compare;
	case 6:
		return r->compare + 1;
	default:
		return diff_rand(run);
	}
}

/*
 * The DC bit to write next. Setting DC is less likely than clearing it, so
 * that the timer, stopped by either of two bits, still runs about half of
 * the time: the rules about expiries and delivery only apply then.
 */
static bool diff_pick_dc(struct diff_run *run, bool dc)
{
	return dc ? diff_below(run, 100) < 15 : diff_below(run, 100) < 40;
}

static void diff_pick_guest_cause(struct diff_run *run)
{
	u32 cause = run->ref.cause;
	u32 value = diff_rand(run) & ~KTB_CAUSE_DC;

	if (diff_pick_dc(run, cause & KTB_CAUSE_DC))
		value |= KTB_CAUSE_DC;
	diff_write_cause(run, value, KTB_CAUSE_GUEST_WRITABLE);
}

static void diff_pick_onereg_cause(struct diff_run *run)
{
	u32 value = run->ref.cause & ~KTB_CAUSE_DC;

	if (diff_pick_dc(run, run->ref.cause & KTB_CAUSE_DC))
		value |= KTB_CAUSE_DC;
	if (!diff_below(run, 6))
		value ^= REF_TI;
	if (!diff_below(run, 20))
		value ^= KTB_CAUSE_TI;
	if (!diff_below(run, 20))
		value ^= KTB_CAUSE_IP7;
	if (!diff_below(run, 3))
		value ^= (u32)diff_rand(run) & ~(REF_TI | KTB_CAUSE_DC);
	diff_write_cause(run, value, ~0U);
}

static void diff_pick_count_ctl(struct diff_run *run)
{
	static const s64 invalid[] = {
		2, 3, -1, -2, 0x80, 1LL << 32, (1LL << 32) | 1, S64_MIN,
		S64_MAX,
	};
	s64 ctl;

	if (diff_below(run, 10) < 7) {
		ctl = diff_pick_dc(run, run->ref.master_dc);
	} else if (diff_below(run, 2)) {
		ctl = invalid[diff_below(run, ARRAY_SIZE(invalid))];
	} else {
		/* Some reserved bit, with or without DC. */
		ctl = (1LL << (1 + diff_below(run, 62))) | diff_below(run, 2);
	}
	diff_set_count_ctl(run, ctl);
}

static void diff_pick_count_resume(struct diff_run *run)
{
	s64 now = run->ref.now, ns;

	switch (diff_below(run, 10)) {
	case 0:
		ns = now;
		break;
	case 1:
		ns = now - min_t(s64, diff_below(run, 1000000), now);
		break;
	case 2:
		ns = diff_below(run, now + 1);
		break;
	case 3:
		ns = 0;
		break;
	case 4:
		/* Back by a whole number of periods and a bit. */
		ns = now - min_t(u64, diff_below(run, 4) * run->ref.period +
				 diff_below(run, 1000), now);
		break;
	case 5:
		ns = -1;
		break;
	case 6:
		ns = -1 - (s64)diff_below(run, S64_MAX);
		break;
	case 7:
		ns = now + 1;
		break;
	case 8:
		ns = now + 1 + diff_below(run, 1ULL << 40);
		break;
	default:
		ns = S64_MAX;
		break;
	}
	diff_set_count_resume(run, ns);
}

static void diff_pick_count_hz(struct diff_run *run)
{
	static const s64 valid[] = {
		1, 3, 100000000, 999999937, 1000000000,
	};
	static const s64 invalid[] = {
		0, -1, -100000000, 1000000001, S64_MAX, S64_MIN,
		U32_MAX, 1LL << 32, (1LL << 32) + 100000000,
	};
	s64 hz;

	switch (diff_below(run, 8)) {
	case 0:
	case 1:
		/* Mostly come back to the case's own rate. */
		hz = run->c->hz;
		break;
	case 2:
	case 3:
		hz = valid[diff_below(run, ARRAY_SIZE(valid))];
		break;
	case 4:
		hz = run->ref.hz;
		break;
	case 5:
		hz = 1 + diff_below(run, NSEC_PER_SEC);
		break;
	default:
		hz = invalid[diff_below(run, ARRAY_SIZE(invalid))];
		break;
	}
	diff_set_count_hz(run, hz);
}

/*
 * Right after time was moved to just before an event: the operations whose
 * outcome depends on whether that event is already due.
 */
static void diff_probe_op(struct diff_run *run)
{
	struct ref_timer *r = &run->ref;
	unsigned int roll = diff_below(run, 100);

	if (r->master_dc && roll < 50)
		diff_set_count_ctl(run, 0);
	else if (roll < 40)
		diff_read_count(run);
	else if (roll < 55)
		diff_write_compare(run, diff_pick_compare_value(run), true);
	else if (roll < 65)
		diff_write_compare(run, diff_pick_compare_value(run), false);
	else if (roll < 72)
		diff_write_cause(run, r->cause | KTB_CAUSE_DC,
				 KTB_CAUSE_GUEST_WRITABLE);
	else if (roll < 79)
		diff_pick_onereg_cause(run);
	else if (roll < 86)
		diff_set_count_ctl(run, KTB_COUNT_CTL_DC);
	else if (roll < 93)
		diff_pick_count_hz(run);
	else
		diff_write_count(run, diff_pick_count_value(run));
}

static void diff_random_op(struct diff_run *run)
{
	unsigned int roll;

	if (run->probe) {
		run->probe = false;
		diff_probe_op(run);
		return;
	}
	roll = diff_below(run, 100);
	if (roll < 10)
		diff_pick_advance(run, 0);
	else if (roll < 24)
		diff_pick_event(run);
	else if (roll < 29)
		diff_pick_advance(run, 1);
	else if (roll < 33)
		diff_pick_advance(run, 2);
	else if (roll < 49)
		diff_read_count(run);
	else if (roll < 55)
		diff_write_count(run, diff_pick_count_value(run));
	else if (roll < 65)
		diff_write_compare(run, diff_pick_compare_value(run), true);
	else if (roll < 71)
		diff_write_compare(run, diff_pick_compare_value(run), false);
	else if (roll < 78)
		diff_pick_guest_cause(run);
	else if (roll < 84)
		diff_pick_onereg_cause(run);
	else if (roll < 91)
		diff_pick_count_ctl(run);
	else if (roll < 95)
		diff_pick_count_resume(run);
	else
		diff_pick_count_hz(run);
}

/*
 * Fake time starts soon after boot, at typical uptimes, and just before the
 * first Count period boundaries of the case's rate (where the dynamic bias
 * first moves). At 1 Hz the first boundary is beyond DIFF_TIME_CAP.
 */
static const struct diff_case diff_cases[] = {
	{ "100MHz_boot_2s", 0x7c72e9932b7b6a1eULL, 100000000,
	  2 * NSEC_PER_SEC + 3 },
	{ "100MHz_3h", 0x243f6a8885a308d3ULL, 100000000, 3 * DIFF_HOUR },
	{ "100MHz_before_period_1", 0x13198a2e03707344ULL, 100000000,
	  DIFF_PERIOD(100000000) - 2000 },
	{ "100MHz_before_period_3", 0xa4093822299f31d0ULL, 100000000,
	  3 * DIFF_PERIOD(100000000) - 7 },
	{ "100MHz_9days", 0x082efa98ec4e6c89ULL, 100000000,
	  9 * 24 * DIFF_HOUR + 123456789 },
	{ "1GHz_2days", 0x452821e638d01377ULL, 1000000000,
	  48 * DIFF_HOUR },
	{ "1GHz_before_period_2", 0xbe5466cf34e90c6cULL, 1000000000,
	  2 * DIFF_PERIOD(1000000000) - 1 },
	{ "999999937Hz_5h", 0xc0ac29b7c97c50ddULL, 999999937,
	  5 * DIFF_HOUR + 999 },
	{ "999999937Hz_at_period_1", 0x3f84d5b5b5470917ULL, 999999937,
	  DIFF_PERIOD(999999937) },
	{ "3Hz_1day", 0x9216d5d98979fb1bULL, 3, 24 * DIFF_HOUR },
	{ "3Hz_before_period_2", 0xd1310ba698dfb5acULL, 3,
	  2 * DIFF_PERIOD(3) - 500000000 },
	{ "1Hz_6h", 0x2ffd72dbd01adfb7ULL, 1, 6 * DIFF_HOUR },
	{ "1Hz_40days", 0xb8e1afed6a267e96ULL, 1, 960 * DIFF_HOUR + 1 },
};

static void diff_case_desc(const struct diff_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(diff, diff_cases, diff_case_desc);

static void diff_start(struct diff_run *run, struct kunit *test,
		       const struct diff_case *c, unsigned int ops)
{
	struct ktb_fake *f = &run->fake;

	run->test = test;
	run->c = c;
	run->seed = c->seed ^ mips_diff_seed;
	run->rng = run->seed;
	run->max_step = max_t(s64, div_u64(DIFF_TIME_CAP - c->start, ops),
			      1000LL * NSEC_PER_SEC);
	ktb_fake_init(f, c->start, c->hz);
	/*
	 * The spec pins Count (0) and a running timer after reset but not
	 * Compare, Cause or COUNT_RESUME: take those from the core.
	 */
	ref_reset(&run->ref, c->hz, c->start, ktb_mips_read_compare(&f->t),
		  f->cause, ktb_mips_get_count_resume(&f->t));
	diff_op(run, "reset at %lld ns, %u Hz", c->start, c->hz);
	diff_check(run);
}

static void random_operations_match_the_model(struct kunit *test)
{
	const struct diff_case *c = test->param_value;
	unsigned int ops = mips_diff_ops ? mips_diff_ops : DIFF_DEFAULT_OPS;
	struct diff_run *run;

	run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, run);
	diff_start(run, test, c, ops);
	for (run->step = 1; run->step <= ops && !run->failed; run->step++) {
		diff_random_op(run);
		diff_check(run);
		/* A soak runs for a while: let the rest of UML breathe. */
		if (!(run->step & 4095))
			cond_resched();
	}
	ktb_mips_timer_release(&run->fake.t);
}

static struct kunit_case mips_diff_cases[] = {
	KUNIT_CASE_PARAM(random_operations_match_the_model, diff_gen_params),
	{}
};

/* Registered with the other suites of the module in suites.c. */
struct kunit_suite ktb_mips_diff_suite = {
	.name = "kvm_timer_backport_mips_diff",
	.test_cases = mips_diff_cases,
};
