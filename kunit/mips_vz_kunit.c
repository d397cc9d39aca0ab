// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the VZ hardware timer handoff against a simulated VZ
 * core: a root Count that may run slightly fast or slow against monotonic
 * time, GTOffset, guest Compare/Cause, and time passing between register
 * accesses, which is what opens the handoff windows.
 */
#include <kunit/test.h>
#include <linux/math64.h>

#include "core/mips_vz.h"
#include "fake.h"
#include "ref.h"
#include "suites.h"

struct vz_sim {
	struct ktb_fake f;
	u32 host_hz;
	u32 gtoffset_mask;
	s64 skew_ppb;		/* root Count rate error, parts per 10^9 */
	s64 step;		/* ns that pass with each register access */
	u32 host_base;
	u32 gtoffset;
	bool gt;
	u32 compare;
	u32 cause;
	u32 seen;		/* guest Count at the previous access */
	unsigned int hw_irqs;	/* hardware Compare matches (set Cause.TI) */
	unsigned int soft_irqs;	/* interrupts raised by the core */
};

static struct vz_sim *to_sim(struct ktb_mips_timer *t)
{
	return container_of(t, struct vz_sim, f.t);
}

static u32 sim_host_count(struct vz_sim *s)
{
	s64 now = s->f.now;

	now += div_s64(now * s->skew_ppb, NSEC_PER_SEC);
	return s->host_base + ref_scaled_mod32(now, s->host_hz);
}

/* Guest Count at the current time; a match of Compare raises TI. */
static u32 sim_observe(struct vz_sim *s)
{
	u32 now = sim_host_count(s) + s->gtoffset;

	if (now - s->seen > s->compare - s->seen - 1) {
		s->cause |= KTB_CAUSE_TI;
		s->hw_irqs++;
	}
	s->seen = now;
	return now;
}

/* Every register access takes a little time. */
static void sim_tick(struct vz_sim *s)
{
	ktb_fake_advance(&s->f, s->step);
	sim_observe(s);
}

static u32 hw_host_count(struct ktb_mips_timer *t)
{
	struct vz_sim *s = to_sim(t);

	sim_tick(s);
	return sim_host_count(s);
}

static u32 hw_host_hz(struct ktb_mips_timer *t)
{
	return to_sim(t)->host_hz;
}

static u32 hw_gtoffset_mask(struct ktb_mips_timer *t)
{
	return to_sim(t)->gtoffset_mask;
}

static void hw_write_gtoffset(struct ktb_mips_timer *t, u32 offset)
{
	struct vz_sim *s = to_sim(t);

	sim_tick(s);
	s->gtoffset = offset;
	/* Count jumps: that is no match. */
	s->seen = sim_host_count(s) + offset;
}

static u32 hw_guest_count(struct ktb_mips_timer *t)
{
	struct vz_sim *s = to_sim(t);

	ktb_fake_advance(&s->f, s->step);
	return sim_observe(s);
}

static u32 hw_guest_compare(struct ktb_mips_timer *t)
{
	struct vz_sim *s = to_sim(t);

	sim_tick(s);
	return s->compare;
}

static void hw_write_guest_compare(struct ktb_mips_timer *t, u32 compare)
{
	struct vz_sim *s = to_sim(t);

	sim_tick(s);
	s->compare = compare;
	s->cause &= ~KTB_CAUSE_TI;
}

static u32 hw_guest_cause(struct ktb_mips_timer *t)
{
	struct vz_sim *s = to_sim(t);

	sim_tick(s);
	return s->cause;
}

static void hw_write_guest_cause(struct ktb_mips_timer *t, u32 cause)
{
	struct vz_sim *s = to_sim(t);

	sim_tick(s);
	s->cause = cause;
}

static bool hw_gt(struct ktb_mips_timer *t)
{
	return to_sim(t)->gt;
}

static void hw_set_gt(struct ktb_mips_timer *t, bool on)
{
	struct vz_sim *s = to_sim(t);

	sim_tick(s);
	s->gt = on;
}

static const struct ktb_mips_hw_timer_ops sim_hw = {
	.host_count = hw_host_count,
	.host_hz = hw_host_hz,
	.gtoffset_mask = hw_gtoffset_mask,
	.write_gtoffset = hw_write_gtoffset,
	.guest_count = hw_guest_count,
	.guest_compare = hw_guest_compare,
	.write_guest_compare = hw_write_guest_compare,
	.guest_cause = hw_guest_cause,
	.write_guest_cause = hw_write_guest_cause,
	.gt = hw_gt,
	.set_gt = hw_set_gt,
};

/* Under VZ the core's interrupt is a pending bit, not a Cause write. */
static void sim_queue(struct ktb_mips_timer *t)
{
	to_sim(t)->soft_irqs++;
}

static void sim_dequeue(struct ktb_mips_timer *t)
{
	to_sim(t)->cause &= ~KTB_CAUSE_TI;
}

static void sim_wake(struct ktb_mips_timer *t)
{
}

static u32 sim_read_cause(struct ktb_mips_timer *t)
{
	return to_sim(t)->cause;
}

static void sim_write_cause(struct ktb_mips_timer *t, u32 cause)
{
	to_sim(t)->cause = cause;
}

static const struct ktb_mips_irq_ops sim_irq = {
	.queue = sim_queue,
	.dequeue = sim_dequeue,
	.wake = sim_wake,
	.read_cause = sim_read_cause,
	.write_cause = sim_write_cause,
};

static struct vz_sim *sim_new(struct kunit *test, s64 skew_ppb, s64 step)
{
	struct vz_sim *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->host_hz = MHZ100;
	s->gtoffset_mask = 0xffffffffu;
	s->skew_ppb = skew_ppb;
	s->step = step;
	s->host_base = 0x40000000u;
	ktb_fake_init(&s->f, 1000 * NSEC_PER_SEC, MHZ100);
	s->f.t.irq = &sim_irq;
	s->f.t.hw = &sim_hw;
	/*
	 * The hardware guest Count starts level with the soft Count, as if
	 * just handed back: unless the core parks it, it then matches every
	 * Compare the soft timer does.
	 */
	s->gtoffset = ktb_mips_read_count(&s->f.t) - sim_host_count(s);
	s->seen = sim_host_count(s) + s->gtoffset;
	return s;
}

/* Count as the guest sees it, whoever owns the timer. */
static u32 sim_guest_count(struct vz_sim *s)
{
	if (s->gt)
		return sim_observe(s);
	return ktb_mips_read_count(&s->f.t);
}

/*
 * Interrupts the guest gets: those the core raised, plus a TI still set in
 * its Cause. A hardware match whose TI the hypervisor then overwrote is
 * lost, so it does not count.
 */
static unsigned int sim_irqs(const struct vz_sim *s)
{
	return s->soft_irqs + !!(s->cause & KTB_CAUSE_TI);
}

/* The hardware is used only for a running timer it can represent. */
static void hw_timer_given_only_at_host_rate_with_full_gtoffset(struct kunit *test)
{
	struct vz_sim *s = sim_new(test, 0, 10);

	KUNIT_EXPECT_TRUE(test, ktb_vz_can_give(&s->f.t));
	s->host_hz = MHZ100 + 1;
	KUNIT_EXPECT_FALSE(test, ktb_vz_can_give(&s->f.t));
	s->host_hz = MHZ100;
	s->gtoffset_mask = 0xffffu;
	KUNIT_EXPECT_FALSE(test, ktb_vz_can_give(&s->f.t));
	s->gtoffset_mask = 0xffffffffu;
	ktb_mips_set_count_ctl(&s->f.t, 1);
	KUNIT_EXPECT_FALSE(test, ktb_vz_can_give(&s->f.t));
	ktb_mips_set_count_ctl(&s->f.t, 0);
	s->cause |= KTB_CAUSE_DC;
	KUNIT_EXPECT_FALSE(test, ktb_vz_can_give(&s->f.t));

	/* ... and giving then leaves the soft timer in charge. */
	ktb_vz_give(&s->f.t);
	KUNIT_EXPECT_FALSE(test, s->gt);
}

/* Giving hands over the soft Count; taking takes the hardware Count back. */
static void handoff_carries_count(struct kunit *test)
{
	struct vz_sim *s = sim_new(test, 0, 10);
	u32 before, hw, after;

	ktb_mips_write_compare(&s->f.t, 0x7fffffffu, true);
	ktb_fake_advance(&s->f, 12345);
	before = ktb_mips_read_count(&s->f.t);
	ktb_vz_give(&s->f.t);
	KUNIT_ASSERT_TRUE(test, s->gt);
	KUNIT_EXPECT_FALSE(test, s->f.armed);
	hw = sim_guest_count(s);
	KUNIT_EXPECT_LE(test, hw - before, 10u);

	ktb_fake_advance(&s->f, 1000000);
	hw = sim_guest_count(s);
	ktb_vz_take(&s->f.t);
	KUNIT_EXPECT_FALSE(test, s->gt);
	KUNIT_EXPECT_TRUE(test, s->f.armed);
	after = ktb_mips_read_count(&s->f.t);
	KUNIT_EXPECT_LE(test, after - hw, 10u);
	KUNIT_EXPECT_EQ(test, sim_irqs(s), 0u);
}

/* Compare written by the guest while it owned the timer is kept. */
static void take_adopts_guest_compare(struct kunit *test)
{
	struct vz_sim *s = sim_new(test, 0, 10);
	u32 c;

	ktb_vz_give(&s->f.t);
	c = sim_guest_count(s);
	s->compare = c + 5000;		/* a direct guest write */
	ktb_vz_take(&s->f.t);
	KUNIT_EXPECT_EQ(test, ktb_mips_read_compare(&s->f.t), c + 5000);
	ktb_fake_advance(&s->f, 60000);
	KUNIT_EXPECT_EQ(test, sim_irqs(s), 1u);
}

struct window_case {
	s64 skew_ppb;
	s64 step;
};

static const struct window_case windows[] = {
	{ 0, 10 }, { 0, 37 }, { 50000, 10 }, { -50000, 10 }, { 50000, 97 },
	{ -50000, 97 },
};

static void window_desc(const struct window_case *w, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "skew %lld ppb, %lld ns/access",
		 w->skew_ppb, w->step);
}

KUNIT_ARRAY_PARAM(window, windows, window_desc);

/*
 * Compare at every position around a give: the interrupt is raised
 * (by the soft timer, the handoff check or the hardware) if and only if
 * the guest Count passed Compare.
 */
static void give_window_loses_nothing(struct kunit *test)
{
	const struct window_case *w = test->param_value;
	int k;

	for (k = -3; k < 40; k++) {
		struct vz_sim *s = sim_new(test, w->skew_ppb, w->step);
		u32 start, end, compare;

		ktb_fake_advance(&s->f, 100000);
		start = ktb_mips_read_count(&s->f.t);
		compare = start + k;
		if (k > 0)
			ktb_mips_write_compare(&s->f.t, compare, true);
		start = ktb_mips_read_count(&s->f.t);
		ktb_vz_give(&s->f.t);
		end = sim_guest_count(s);
		ktb_fake_advance(&s->f, w->step);
		end = sim_guest_count(s);

		if (k > 0 && (s32)(end - compare) >= 0 &&
		    (s32)(compare - start) > 0)
			KUNIT_EXPECT_GE_MSG(test, sim_irqs(s), 1u,
					    "compare at +%d lost", k);
		else if (k > 0 && (s32)(compare - end) > 0)
			KUNIT_EXPECT_EQ_MSG(test, sim_irqs(s), 0u,
					    "compare at +%d early", k);
	}
}

/* The same around a take, with Compare set by the guest in hardware. */
static void take_window_loses_nothing(struct kunit *test)
{
	const struct window_case *w = test->param_value;
	int k;

	for (k = 1; k < 40; k++) {
		struct vz_sim *s = sim_new(test, w->skew_ppb, w->step);
		u32 start, end, compare;

		ktb_fake_advance(&s->f, 100000);
		ktb_vz_give(&s->f.t);
		KUNIT_ASSERT_TRUE(test, s->gt);
		start = sim_guest_count(s);
		compare = start + k;
		s->compare = compare;
		ktb_vz_take(&s->f.t);
		end = ktb_mips_read_count(&s->f.t);

		if ((s32)(end - compare) >= 0)
			KUNIT_EXPECT_GE_MSG(test, sim_irqs(s), 1u,
					    "compare at +%d lost", k);
		else
			KUNIT_EXPECT_EQ_MSG(test, sim_irqs(s), 0u,
					    "compare at +%d early", k);
		/* Later matches belong to the soft timer, exactly once. */
		if ((s32)(end - compare) < 0) {
			ktb_fake_advance(&s->f, 10000);
			KUNIT_EXPECT_EQ(test, sim_irqs(s), 1u);
		}
	}
}

/*
 * Many handoffs with a skewed root counter: guest Count never goes
 * backwards, and stays within the skew of monotonic time.
 */
static void handoffs_never_go_backwards(struct kunit *test)
{
	const struct window_case *w = test->param_value;
	struct vz_sim *s = sim_new(test, w->skew_ppb, w->step);
	u32 first, last, now;
	s64 start = s->f.now;
	u64 elapsed;
	int i;

	ktb_mips_write_compare(&s->f.t, 0x7fffffffu, true);
	first = ktb_mips_read_count(&s->f.t);
	last = first;
	for (i = 0; i < 2000; i++) {
		if (i & 1)
			ktb_vz_take(&s->f.t);
		else
			ktb_vz_give(&s->f.t);
		now = sim_guest_count(s);
		KUNIT_ASSERT_GE_MSG(test, (s32)(now - last), 0,
				    "handoff %d: %u after %u", i, now, last);
		last = now;
		ktb_fake_advance(&s->f, 1000 + 17 * (i % 50));
		now = sim_guest_count(s);
		KUNIT_ASSERT_GE_MSG(test, (s32)(now - last), 0,
				    "running after handoff %d", i);
		last = now;
	}
	elapsed = ref_scaled_mod32(s->f.now - start, MHZ100);
	/* |skew| * elapsed plus a few ticks of handoff slack per cycle. */
	KUNIT_EXPECT_LE(test, abs((s32)(last - first - (u32)elapsed)),
			(s32)div_s64(abs(w->skew_ppb) * elapsed, NSEC_PER_SEC)
			+ 2000 * 2);
}

struct drift_case {
	const char *what;
	s32 offset;		/* hardware Count relative to soft */
	bool vs_now;		/* offset relative to soft Count now */
	int ret;		/* drift taken into the bias */
	s32 count_after;	/* Count now, relative to hardware Count */
};

/*
 * Soft timer frozen at F; the hardware Count was read at F + 500 ns
 * ("before"); the restore happens at F + 1000 ns. At 100 MHz: 50 ticks
 * from before to now.
 */
static const struct drift_case drifts[] = {
	{ "large lag below min_drift", -0x20000, false, -0x20000, 50 },
	{ "lag just below min_drift", -0x10001, false, -0x10001, 50 },
	{ "lag at min_drift", -0x10000, false, 0, 0x10000 + 50 },
	{ "small lag", -10, false, 0, 60 },
	{ "in step", 0, true, 0, 0 },
	{ "hardware ahead", 100, true, 100, 0 },
};

static void drift_desc(const struct drift_case *d, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", d->what);
}

KUNIT_ARRAY_PARAM(drift, drifts, drift_desc);

/* The drift policy of ktb_mips_restore() with min_drift = -0x10000. */
static void restore_follows_the_drift_policy(struct kunit *test)
{
	const struct drift_case *d = test->param_value;
	struct ktb_fake *f = ktb_fake_new(test, 1000 * NSEC_PER_SEC, MHZ100);
	ktime_t before;
	u32 soft, count;
	int ret;

	ktb_mips_write_compare(&f->t, 0x7fffffffu, true);
	ktb_fake_advance(f, 100000);
	ktb_mips_freeze(&f->t, &soft);
	before = ns_to_ktime(f->now + 500);
	f->now += 1000;
	count = soft + (d->vs_now ? 100 : 50) + d->offset;

	ret = ktb_mips_restore(&f->t, before, count, KTB_VZ_MIN_DRIFT);
	KUNIT_EXPECT_EQ(test, ret, d->ret);
	KUNIT_EXPECT_EQ(test, (s32)(ktb_mips_read_count(&f->t) - count),
			d->count_after);
	KUNIT_EXPECT_TRUE(test, f->armed);
}

/*
 * Compare writes while the soft timer owns: GTOffset follows Compare, so
 * the idle hardware Count never matches it.
 */
static void compare_write_keeps_hardware_parked(struct kunit *test)
{
	struct vz_sim *s = sim_new(test, 0, 10);
	u32 c = ktb_mips_read_count(&s->f.t);

	ktb_mips_write_compare(&s->f.t, c + 100000, true);
	ktb_mips_write_compare(&s->f.t, c + 500, true);
	KUNIT_EXPECT_EQ(test, s->compare, c + 500);
	ktb_fake_advance(&s->f, NSEC_PER_SEC);
	sim_observe(s);
	KUNIT_EXPECT_EQ(test, s->soft_irqs, 1u);

	/* Forward again: unparked, the hardware would match in 0.5 ms. */
	c = ktb_mips_read_count(&s->f.t);
	ktb_mips_write_compare(&s->f.t, c + 50000, true);
	KUNIT_EXPECT_EQ(test, s->compare, c + 50000);
	ktb_fake_advance(&s->f, 10 * NSEC_PER_SEC);
	sim_observe(s);
	KUNIT_EXPECT_EQ(test, s->hw_irqs, 0u);
	KUNIT_EXPECT_EQ(test, s->soft_irqs, 2u);
}

/* A ONE_REG Compare write must not clear a pending TI in hardware. */
static void compare_write_without_ack_keeps_ti(struct kunit *test)
{
	struct vz_sim *s = sim_new(test, 0, 10);

	s->cause |= KTB_CAUSE_TI;
	ktb_mips_write_compare(&s->f.t, 12345, false);
	KUNIT_EXPECT_TRUE(test, s->cause & KTB_CAUSE_TI);
	ktb_mips_write_compare(&s->f.t, 54321, true);
	KUNIT_EXPECT_FALSE(test, s->cause & KTB_CAUSE_TI);
}

static struct kunit_case ktb_mips_vz_cases[] = {
	KUNIT_CASE(hw_timer_given_only_at_host_rate_with_full_gtoffset),
	KUNIT_CASE(handoff_carries_count),
	KUNIT_CASE(take_adopts_guest_compare),
	KUNIT_CASE_PARAM(give_window_loses_nothing, window_gen_params),
	KUNIT_CASE_PARAM(take_window_loses_nothing, window_gen_params),
	KUNIT_CASE_PARAM(handoffs_never_go_backwards, window_gen_params),
	KUNIT_CASE_PARAM(restore_follows_the_drift_policy, drift_gen_params),
	KUNIT_CASE(compare_write_keeps_hardware_parked),
	KUNIT_CASE(compare_write_without_ack_keeps_ti),
	{}
};

struct kunit_suite ktb_mips_vz_suite = {
	.name = "kvm_timer_backport_mips_vz",
	.test_cases = ktb_mips_vz_cases,
};
