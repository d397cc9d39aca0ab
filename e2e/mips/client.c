// SPDX-License-Identifier: GPL-2.0
/*
 * e2e-mips test client: runs a real guest (guest.S) under KVM
 * trap-and-emulate on a 5.10 Malta host kernel and checks the guest CP0
 * Count/Compare timer and its ONE_REG interface through the real ioctls.
 *
 *   client CELL PROFILE [TEST]  run every test (or only TEST); CELL
 *                      labels the output (the rig uses KERNEL-MODE, e.g.
 *                      stock-auto); PROFILE says what to expect:
 *                        fixed    upstream's semantics with the module's
 *                                 fixes (the timer interrupt delivery and
 *                                 the restored pending interrupt)
 *                        stock    upstream's semantics with stock 5.10's
 *                                 known trap-and-emulate bugs
 *                        observe  no verdicts (a kernel that lacks what is
 *                                 tested): "# observed" lines and outcomes
 *   client hold FILE [LABEL]  create a VM, run its guest once, create
 *                      FILE and keep the VM open until SIGTERM; then check
 *                      the guest still runs (the unload test)
 *   client adopt FILE [LABEL]  create a VM before the module is loaded,
 *                      create FILE, wait for SIGUSR1 (sent once
 *                      takeover=1 is loaded), check the adoption, create
 *                      FILE.2 and keep the VM open until SIGTERM
 *   client waithold FILE [LABEL]  a vCPU asleep in WAIT with nothing to
 *                      wake it, from FILE's creation until SIGUSR2
 *   client smoke [LABEL]  one VM, the guest reads Count twice
 *   client bench LABEL [BATCHES]  back-to-back trapped Count reads:
 *                      "@bench LABEL READS MEDIAN P10 P90 MIN MAX" (ticks)
 *   client stress churn [N] | readstorm [SECS] | hammer [SECS [THREADS]] |
 *                      fuzz [SECS [THREADS]] | failslab [N] | vmloop [SECS] |
 *                      uffd FILE
 *                      make stress's loads (see the functions stress_*)
 *
 * Output: "ok - ..." / "not ok - ..." per check, "# ..." for information,
 * and "result MODE NAME OUTCOME" lines the rig tabulates across modes.
 * Every KVM_RUN has a watchdog (SIGALRM), so a guest that spins or
 * sleeps forever becomes an outcome, not a hung rig.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <sys/syscall.h>

#include "../harness.h"
#include "guest.h"

#define REG_COUNT	0x7020000000010048ULL
#define REG_COMPARE	0x7020000000010058ULL
#define REG_CAUSE	0x7020000000010068ULL
#define REG_COUNT_CTL	0x7030000000020000ULL
#define REG_COUNT_RESUME 0x7030000000020001ULL
#define REG_COUNT_HZ	0x7030000000020002ULL
#define HZ_DEFAULT	100000000LL
#define MEM_SIZE	0x10000

_Static_assert(REG_COUNT_CTL == KVM_REG_MIPS_COUNT_CTL, "uapi COUNT_CTL");
_Static_assert(REG_COUNT_HZ == KVM_REG_MIPS_COUNT_HZ, "uapi COUNT_HZ");

static enum { PROFILE_FIXED, PROFILE_STOCK, PROFILE_OBSERVE } profile;
/* The test in progress saw -EINVAL for COUNT_CTL, COUNT_RESUME or COUNT_HZ. */
static bool ctl_einval;
static volatile sig_atomic_t abort_run;	/* SIGUSR2: leave KVM_RUN for good */
static int kvm_fd = -1;

struct vcpu {
	int vm, fd;
	void *mem;
	struct kvm_run *run;
	long run_size;
	bool dead;		/* unexpected exception, timeout or error */
	bool at_cmd;		/* stopped at the guest's load of MMIO_CMD */
};

/* What one command reported: values by OUT_ slot, and host time brackets. */
struct report {
	bool has[16];
	uint32_t val[16];
	int64_t t0[16], t1[16];	/* KVM_RUN that produced the store */
	bool timeout;
};

/*
 * A test that did not pass on a kernel without the master disable
 * registers reports that, whatever else went wrong after it.
 */
static void outcome(const char *name, const char *what)
{
	if (ctl_einval && strcmp(what, "pass"))
		what = "einval";
	printf("result %s %s %s\n", e2e_label, name, what);
	fflush(stdout);
}

static bool is_ctl(uint64_t id)
{
	return id == REG_COUNT_CTL || id == REG_COUNT_RESUME || id == REG_COUNT_HZ;
}

/* ONE_REG of a 32- or 64-bit register, by the size in its id. */
static int get_reg(struct vcpu *v, uint64_t id, int64_t *val)
{
	bool u64 = (id & KVM_REG_SIZE_MASK) == KVM_REG_SIZE_U64;
	int32_t v32 = 0;
	int64_t v64 = 0;
	int ret;

	ret = e2e_one_reg(v->fd, KVM_GET_ONE_REG, id,
			  u64 ? (void *)&v64 : (void *)&v32);
	if (ret == -EINVAL && is_ctl(id))
		ctl_einval = true;
	if (!ret)
		*val = u64 ? v64 : v32;
	return ret;
}

static int set_reg(struct vcpu *v, uint64_t id, int64_t val)
{
	bool u64 = (id & KVM_REG_SIZE_MASK) == KVM_REG_SIZE_U64;
	int32_t v32 = (int32_t)val;
	int64_t v64 = val;
	int ret;

	ret = e2e_one_reg(v->fd, KVM_SET_ONE_REG, id,
			  u64 ? (void *)&v64 : (void *)&v32);
	if (ret == -EINVAL && is_ctl(id))
		ctl_einval = true;
	return ret;
}

/* A register that must read: a failure is reported and yields 0. */
static int64_t reg(struct vcpu *v, uint64_t id)
{
	int64_t val = 0;
	int ret = get_reg(v, id, &val);

	if (ret)
		e2e_result(false, "KVM_GET_ONE_REG", "id %#" PRIx64 ": %s", id,
			   strerror(-ret));
	return val;
}

static bool sreg(struct vcpu *v, uint64_t id, int64_t val)
{
	int ret = set_reg(v, id, val);

	if (ret)
		e2e_result(false, "KVM_SET_ONE_REG", "id %#" PRIx64 " = %" PRId64 ": %s",
			   id, val, strerror(-ret));
	return !ret;
}

static void vcpu_close(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	if (v->vm >= 0)
		close(v->vm);
	if (v->mem)
		munmap(v->mem, MEM_SIZE);
	memset(v, 0, sizeof(*v));
	v->vm = v->fd = -1;
}

/* A VM with the guest image at guest physical 0 and PC at its start. */
static bool vcpu_open(struct vcpu *v)
{
	struct kvm_regs regs;
	int ret;

	memset(v, 0, sizeof(*v));
	v->fd = -1;
	v->vm = e2e_vm_create(kvm_fd, 0, guest_image, guest_image_end - guest_image,
			      MEM_SIZE, &v->mem);
	if (v->vm < 0) {
		ret = v->vm;
		v->mem = NULL;
		goto fail;
	}
	v->fd = e2e_vcpu_create(kvm_fd, v->vm, 0, &v->run, &v->run_size);
	if (v->fd < 0) {
		ret = v->fd;
		v->run = NULL;
		goto fail;
	}
	if (ioctl(v->fd, KVM_GET_REGS, &regs))
		goto fail_errno;
	regs.pc = GUEST_BASE;
	if (ioctl(v->fd, KVM_SET_REGS, &regs))
		goto fail_errno;
	return true;
fail_errno:
	ret = -errno;
fail:
	e2e_result(false, "create a VM with the test guest", "%s", strerror(-ret));
	vcpu_close(v);
	return false;
}

/*
 * Run until the guest loads MMIO_CMD (the previous command is complete)
 * and answer that load with @cmd, its argument loads with @args. Stores
 * go into @rep. @timeout_ns bounds the whole command.
 */
static bool guest_cmd(struct vcpu *v, uint32_t cmd, const uint32_t *args,
		      unsigned int nargs, struct report *rep, int64_t timeout_ns)
{
	int64_t deadline = e2e_now_ns() + timeout_ns;
	struct kvm_run *run = v->run;
	bool sent = false;

	memset(rep, 0, sizeof(*rep));
	if (v->dead)
		return false;
	for (;;) {
		struct itimerval it = { { 0, 0 }, { 0, 0 } };
		int64_t left = deadline - e2e_now_ns(), t0, t1;
		int ret;

		if (v->at_cmd) {
			if (sent)
				return true;
			memcpy(run->mmio.data, &cmd, 4);
			v->at_cmd = false;
			sent = true;
		}
		if (left <= 0)
			goto timeout;
		left = left / 1000 + 1;	/* microseconds, never 0 */
		it.it_value.tv_sec = left / 1000000;
		it.it_value.tv_usec = left % 1000000;
		setitimer(ITIMER_REAL, &it, NULL);
		t0 = e2e_now_ns();
		ret = ioctl(v->fd, KVM_RUN, 0);
		t1 = e2e_now_ns();
		memset(&it, 0, sizeof(it));
		setitimer(ITIMER_REAL, &it, NULL);
		if (ret < 0 && errno == EINTR && abort_run) {
			v->dead = true;
			return false;
		}
		if (ret < 0 && errno == EINTR)
			continue;	/* the deadline check decides */
		if (ret < 0) {
			e2e_result(false, "KVM_RUN", "%s", strerror(errno));
			v->dead = true;
			return false;
		}
		if (run->exit_reason == KVM_EXIT_INTR ||
		    run->exit_reason == KVM_EXIT_IRQ_WINDOW_OPEN)
			continue;
		if (run->exit_reason != KVM_EXIT_MMIO) {
			e2e_result(false, "guest exit", "unexpected exit reason %u",
				   run->exit_reason);
			v->dead = true;
			return false;
		}
		uint32_t off = run->mmio.phys_addr - MMIO_PHYS;
		uint32_t data = 0;

		if ((run->mmio.phys_addr & ~0xffULL) != MMIO_PHYS ||
		    run->mmio.len != 4) {
			e2e_result(false, "guest MMIO", "address %#llx len %u",
				   (unsigned long long)run->mmio.phys_addr,
				   run->mmio.len);
			v->dead = true;
			return false;
		}
		if (!run->mmio.is_write) {
			if (off == MMIO_CMD) {
				v->at_cmd = true;
				continue;
			}
			if (off >= MMIO_ARG0 && off <= MMIO_ARG2 &&
			    (off - MMIO_ARG0) / 4 < nargs)
				data = args[(off - MMIO_ARG0) / 4];
			memcpy(run->mmio.data, &data, 4);
			continue;
		}
		memcpy(&data, run->mmio.data, 4);
		rep->has[off / 4] = true;
		rep->val[off / 4] = data;
		rep->t0[off / 4] = t0;
		rep->t1[off / 4] = t1;
		if (off == OUT_UNEXP_EPC) {
			e2e_result(false, "guest exception",
				   "unexpected: Cause %#x EPC %#x",
				   rep->val[OUT_UNEXP_CAUSE / 4], data);
			v->dead = true;
			return false;
		}
		if (off == OUT_BADCMD) {
			e2e_result(false, "guest command", "guest rejected %u", data);
			v->dead = true;
			return false;
		}
	}
timeout:
	rep->timeout = true;
	v->dead = true;
	return false;
}

#define SLOT(o) ((o) / 4)

/* Two back-to-back guest Count reads, with the KVM_RUN's host bracket. */
static bool guest_count(struct vcpu *v, uint32_t *a, uint32_t *b,
			int64_t *t0, int64_t *t1)
{
	struct report r;

	if (!guest_cmd(v, CMD_COUNT, NULL, 0, &r, E2E_NSEC) || !r.has[SLOT(OUT_B)]) {
		e2e_result(false, "guest reads Count", "%s",
			   r.timeout ? "timed out" : "no report");
		return false;
	}
	*a = r.val[SLOT(OUT_A)];
	if (b)
		*b = r.val[SLOT(OUT_B)];
	*t0 = r.t0[SLOT(OUT_A)];
	*t1 = r.t1[SLOT(OUT_A)];
	return true;
}

/* A command reporting OUT_A, OUT_B, OUT_C; the KVM_RUN bracket of OUT_A. */
static bool guest_abc(struct vcpu *v, uint32_t cmd, uint32_t abc[3],
		      int64_t *t0, int64_t *t1)
{
	struct report r;

	if (!guest_cmd(v, cmd, NULL, 0, &r, E2E_NSEC) || !r.has[SLOT(OUT_C)]) {
		e2e_result(false, "guest command", "command %u: %s", cmd,
			   r.timeout ? "timed out" : "no report");
		return false;
	}
	abc[0] = r.val[SLOT(OUT_A)];
	abc[1] = r.val[SLOT(OUT_B)];
	abc[2] = r.val[SLOT(OUT_C)];
	if (t0)
		*t0 = r.t0[SLOT(OUT_A)];
	if (t1)
		*t1 = r.t1[SLOT(OUT_A)];
	return true;
}

static bool guest_setcause(struct vcpu *v, uint32_t cause)
{
	struct report r;

	return guest_cmd(v, CMD_SETCAUSE, &cause, 1, &r, E2E_NSEC);
}

/* Interrupt test outcome, filled in by wait_irq(). */
struct irq_seen {
	bool delivered, early, no_ti, finished;
	uint32_t nirq, count, cause, compare;
	int32_t latency;	/* Count at delivery - Compare */
	uint32_t arm_late;	/* ticks from the Count read to after mtc0 Compare */
};

/*
 * Let the guest take the timer interrupt with Status @status, then spin
 * @spin ticks with interrupts on, counting further ones. If @arm, the
 * guest first sets Compare @arm ticks ahead of its Count; else @compare
 * is the Compare in force (for the latency). @timeout_ns bounds the wait.
 */
static const char *wait_irq(struct vcpu *v, uint32_t status, uint32_t spin,
			    uint32_t arm, uint32_t compare, int64_t timeout_ns,
			    struct irq_seen *s)
{
	uint32_t args[3] = { status, spin, arm };
	struct report r;

	memset(s, 0, sizeof(*s));
	memset((char *)v->mem + ARMCMP_OFF, 0, 8);
	guest_cmd(v, CMD_WAITIRQ, args, 3, &r, timeout_ns);
	if (arm) {
		uint32_t cmp, cnt;

		memcpy(&cmp, (char *)v->mem + ARMCMP_OFF, 4);
		memcpy(&cnt, (char *)v->mem + ARMCOUNT_OFF, 4);
		compare = cmp;
		s->compare = cmp;
		s->arm_late = cnt - (cmp - arm);
		if ((int32_t)(cnt - cmp) >= 0)
			return "arm-missed";
	}
	s->compare = compare;
	if (r.has[SLOT(OUT_IRQ_COUNT)]) {
		s->delivered = true;
		s->count = r.val[SLOT(OUT_IRQ_COUNT)];
		s->cause = r.val[SLOT(OUT_IRQ_CAUSE)];
		s->latency = (int32_t)(s->count - compare);
		s->early = s->latency < 0;
		s->no_ti = !(s->cause & CAUSE_TI);
	}
	if (r.has[SLOT(OUT_NIRQ)])
		s->nirq = r.val[SLOT(OUT_NIRQ)];
	s->finished = r.has[SLOT(OUT_NIRQ)];
	if (!s->delivered)
		return "lost";
	if (!s->finished)
		return "stuck";
	if (s->early)
		return "early";
	if (s->no_ti)
		return "no-TI";
	if (s->nirq != 1)
		return s->nirq ? "repeated" : "uncounted";
	return "delivered-once";
}

/* Guest-acknowledged: Cause.TI clear afterwards (ONE_REG). */
static bool acked(struct vcpu *v)
{
	return !(reg(v, REG_CAUSE) & CAUSE_TI);
}

static bool stock_bug_expected(void)
{
	return profile == PROFILE_STOCK;
}

/* --- tests ------------------------------------------------------------ */

static void test_count_monotonic(void)
{
	uint32_t a, b, prev = 0, min_d = UINT32_MAX, max_d = 0;
	int64_t t0, t1;
	unsigned int i, bad = 0;
	struct vcpu v;

	if (!vcpu_open(&v))
		return outcome("count-monotonic", "error");
	for (i = 0; i < 50; i++) {
		if (!guest_count(&v, &a, &b, &t0, &t1))
			break;
		if ((int32_t)(b - a) <= 0 || (i && (int32_t)(a - prev) <= 0))
			bad++;
		if (b - a < min_d)
			min_d = b - a;
		if (b - a > max_d)
			max_d = b - a;
		prev = b;
	}
	e2e_result(i == 50 && !bad, "guest Count strictly increases, back to back and across exits",
		   "%u pairs, %u bad, back-to-back delta %u..%u ticks", i, bad, min_d, max_d);
	outcome("count-monotonic", i == 50 && !bad ? "pass" : "fail");
	vcpu_close(&v);
}

/*
 * Rate from two reads around a host sleep: with each read bracketed by
 * its KVM_RUN, the true rate lies in [dc/(b1-a0), dc/(a1-b0)].
 */
static bool rate_ok(uint32_t c0, int64_t a0, int64_t b0, uint32_t c1,
		    int64_t a1, int64_t b1, double hz, double tol, double *meas)
{
	double dc = (uint32_t)(c1 - c0);
	double lo = dc * E2E_NSEC / (b1 - a0), hi = dc * E2E_NSEC / (a1 - b0);

	*meas = dc * E2E_NSEC / ((a1 + b1) / 2.0 - (a0 + b0) / 2.0);
	return hz >= lo * (1 - tol) && hz <= hi * (1 + tol);
}

static void test_count_rate(void)
{
	uint32_t c0, c1;
	int64_t a0, b0, a1, b1;
	double meas;
	bool ok;
	struct vcpu v;

	if (!vcpu_open(&v))
		return outcome("count-rate", "error");
	if (!guest_count(&v, &c0, NULL, &a0, &b0))
		goto out;
	e2e_sleep_ns(300000000);
	if (!guest_count(&v, &c1, NULL, &a1, &b1))
		goto out;
	ok = rate_ok(c0, a0, b0, c1, a1, b1, HZ_DEFAULT, 0.002, &meas);
	e2e_result(ok, "guest Count advances at 100 MHz across a 300 ms host sleep (tolerance 0.2% beyond the KVM_RUN brackets)",
		   "%u ticks in %.3f ms: %.4f MHz", c1 - c0,
		   ((a1 + b1) - (a0 + b0)) / 2e6, meas / 1e6);
	outcome("count-rate", ok ? "pass" : "fail");
	vcpu_close(&v);
	return;
out:
	outcome("count-rate", "error");
	vcpu_close(&v);
}

/*
 * Arm Compare @delta ticks ahead from the guest; returns Compare. If
 * Count had passed it by the time the write completed (a slow emulated
 * host; the match is then a whole period away), arm again, further ahead.
 */
static bool guest_arm(struct vcpu *v, uint32_t delta, uint32_t *compare)
{
	unsigned int tries;
	struct report r;
	uint32_t after;

	for (tries = 0; tries < 5; tries++, delta *= 2) {
		if (!guest_cmd(v, CMD_ARM, &delta, 1, &r, E2E_NSEC) ||
		    !r.has[SLOT(OUT_COMPARE)]) {
			e2e_result(false, "guest arms Compare", "no report");
			return false;
		}
		*compare = r.val[SLOT(OUT_COMPARE)];
		memcpy(&after, (char *)v->mem + ARMCOUNT_OFF, 4);
		if ((int32_t)(after - *compare) < 0)
			return true;
		e2e_info("Count passed Compare (%u ticks ahead) before the guest's write of it completed; arming again", delta);
	}
	e2e_result(false, "guest arms Compare ahead of Count", "5 tries");
	return false;
}

static int cmp_i32(const void *a, const void *b)
{
	return *(const int32_t *)a < *(const int32_t *)b ? -1 :
	       *(const int32_t *)a > *(const int32_t *)b;
}

/*
 * A guest that took its interrupt but never finished the round: what the
 * vCPU looks like, for the log (is Count still running, is TI still set,
 * where is the guest).
 */
/*
 * Copy FILE's lines as "# " lines: all, or those containing WHAT and the
 * line after each (/proc/timer_list puts an hrtimer's expiry there).
 */
static void dump_matching(const char *file, const char *what)
{
	char line[256];
	bool next = false;
	FILE *f = fopen(file, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		bool hit = !what || strstr(line, what) || !strncmp(line, "now at", 6);

		if (hit || next)
			printf("#   %s: %s", file, line);
		next = hit && what;
	}
	fclose(f);
	fflush(stdout);
}

static void stuck_info(struct vcpu *v, const char *name, unsigned int round)
{
	int64_t c0 = 0, c1 = 0, cause = 0, ctl = -1, cmp = 0, hz = 0;
	struct kvm_regs regs = { 0 };

	get_reg(v, REG_COUNT, &c0);
	e2e_sleep_ns(10000000);
	get_reg(v, REG_COUNT, &c1);
	get_reg(v, REG_CAUSE, &cause);
	get_reg(v, REG_COUNT_CTL, &ctl);
	ioctl(v->fd, KVM_GET_REGS, &regs);
	get_reg(v, REG_COMPARE, &cmp);
	get_reg(v, REG_COUNT_HZ, &hz);
	e2e_info("%s: round %u stuck: Count %#x then %#x 10 ms later, Compare %#x, Cause %#x, COUNT_CTL %" PRId64 ", COUNT_HZ %" PRId64 ", guest PC %#llx, interrupts taken %u",
		 name, round, (uint32_t)c0, (uint32_t)c1, (uint32_t)cmp, (uint32_t)cause, ctl, hz,
		 (unsigned long long)regs.pc,
		 *(uint32_t *)((char *)v->mem + IRQCOUNT_OFF));
	/* Where the expiry went: the module's view and the host's hrtimers. */
	dump_matching("/sys/kernel/debug/kvm_timer_backport/vcpus", NULL);
	dump_matching("/proc/timer_list", "comparecount");
}

/*
 * Five rounds in one VM: arm 10 ms ahead, WAIT, take it, spin 20 ms.
 * @expect_stock and @expect_fixed: the outcome on stock 5.10 (modes a, b)
 * and with takeover=1 (mode c).
 */
static void irq_test(const char *name, uint32_t status, const char *expect_stock,
		     const char *expect_fixed)
{
	const char *expect = stock_bug_expected() ? expect_stock : expect_fixed;
	int32_t lat[5];
	struct irq_seen s;
	const char *got = "error";
	struct vcpu v;
	bool ack = false;
	char what[320];
	unsigned int i, n = 0;

	if (!vcpu_open(&v)) {
		outcome(name, "error");
		return;
	}
	for (i = 0; i < 5; i++) {
		unsigned int tries = 0;

		do {
			if (tries && !vcpu_open(&v))
				break;
			got = wait_irq(&v, status, 2000000, 1000000, 0, 3 * E2E_NSEC / 2, &s);
			if (!strcmp(got, "arm-missed")) {
				e2e_info("%s: round %u: Count passed Compare before the guest's mtc0 Compare completed (%u ticks from reading Count to after the write; host too slow); new VM, retrying",
					 name, i, s.arm_late);
				vcpu_close(&v);
			}
		} while (!strcmp(got, "arm-missed") && ++tries < 3);
		ack = s.finished && acked(&v);
		if (!strcmp(got, "stuck"))
			stuck_info(&v, name, i);
		if (s.delivered)
			lat[n++] = s.latency;
		if (strcmp(got, "delivered-once") || !ack)
			break;
	}
	if (n) {
		qsort(lat, n, sizeof(lat[0]), cmp_i32);
		e2e_info("%s: Count at delivery - Compare over %u rounds: min %.1f us, median %.1f us, max %.1f us (Cause %#x at delivery)",
			 name, n, lat[0] / 100.0, lat[n / 2] / 100.0, lat[n - 1] / 100.0, s.cause);
	}
	snprintf(what, sizeof(what),
		 "Status %#x, Compare 10 ms ahead, WAIT, 5 rounds - timer interrupt %s%s", status,
		 strcmp(expect, "lost") ? "delivered once, not before Count reaches Compare, with Cause.TI" :
		 status & ST_IM7 ? "lost (known 5.10 trap-and-emulate bug, reproduced)" :
		 "not delivered, IM7 is masked",
		 strcmp(expect, "lost") ? (status & ST_IM7 ? "; a Compare write acknowledges it" :
		 "; a Compare write acknowledges it (IM7 masked, the known 5.10 bug tests IM0, reproduced)") : "");
	e2e_result(!strcmp(got, expect) && (!s.finished || ack), what, "outcome %s%s", got,
		   s.finished && !ack ? ", Cause.TI still set after the guest's Compare write" : "");
	outcome(name, s.finished && !ack ? "not-acked" : got);
	vcpu_close(&v);
}

/* QEMU's save: the master disable, then Cause and Count. */
static bool qemu_save(struct vcpu *v, int64_t *cause, int64_t *count)
{
	int64_t ctl = reg(v, REG_COUNT_CTL);

	if (!(ctl & 1) && !sreg(v, REG_COUNT_CTL, ctl | 1))
		return false;
	*cause = reg(v, REG_CAUSE);
	*count = reg(v, REG_COUNT);
	return true;
}

/* QEMU's restore: the master disable, Cause, Count, re-enable. */
static bool qemu_restore(struct vcpu *v, int64_t cause, int64_t count)
{
	int64_t ctl = reg(v, REG_COUNT_CTL);

	if (!(ctl & 1) && !sreg(v, REG_COUNT_CTL, ctl | 1))
		return false;
	return sreg(v, REG_CAUSE, cause) && sreg(v, REG_COUNT, count) &&
	       sreg(v, REG_COUNT_CTL, (ctl | 1) & ~1LL);
}

/*
 * Save, sleep @sleep, (optionally set COUNT_RESUME to @resume_at - the
 * time of the save, added to the recorded freeze time), restore, let the
 * guest read Count. Count must continue from the saved value as if
 * started at the effective COUNT_RESUME time R: Count - saved lies in
 * [(a - R) * hz, (b - R) * hz] for the guest read's KVM_RUN [a, b].
 */
static void test_save_restore(const char *name, bool set_resume)
{
	int64_t cause, count, r0, r, a, b, sleep = 300000000, t_save, t_restore;
	uint32_t c;
	struct vcpu v;
	bool ok;

	if (!vcpu_open(&v) || !guest_count(&v, &c, NULL, &a, &b))
		goto err;
	t_save = e2e_now_ns();
	if (!qemu_save(&v, &cause, &count))
		goto err;
	r0 = reg(&v, REG_COUNT_RESUME);
	e2e_sleep_ns(sleep);
	r = r0;
	if (set_resume) {
		r = e2e_now_ns();
		if (!sreg(&v, REG_COUNT_RESUME, r))
			goto err;
		if (reg(&v, REG_COUNT_RESUME) != r)
			e2e_result(false, "COUNT_RESUME reads back what was set", NULL);
	}
	t_restore = e2e_now_ns();
	if (!qemu_restore(&v, cause, count) || !guest_count(&v, &c, NULL, &a, &b))
		goto err;
	{
		double lo = (a - r) / 10.0 - 2, hi = (b - r) / 10.0 + 2;
		double jump = (uint32_t)(c - (uint32_t)count);

		ok = jump >= lo && jump <= hi;
		e2e_info("%s: saved Count %#x at freeze %.3f ms after the save began, Count %#x after restore: jumped %.3f ms; host slept %.3f ms (save to restore %.3f ms)",
			 name, (uint32_t)count, (r0 - t_save) / 1e6, c, jump / 1e5,
			 sleep / 1e6, (t_restore - t_save) / 1e6);
		e2e_result(ok, set_resume ?
			   "QEMU restore with COUNT_RESUME set to the host's now - Count continues from the saved value as of COUNT_RESUME" :
			   "QEMU save/restore around a 300 ms sleep, COUNT_RESUME left alone - Count jumps by the time since the freeze",
			   "jump %.0f ticks, expected %.0f..%.0f", jump, lo, hi);
		outcome(name, ok ? "pass" : "fail");
	}
	vcpu_close(&v);
	return;
err:
	outcome(name, "error");
	vcpu_close(&v);
}

/* An interrupt that fell due while frozen is delivered once after restore. */
static void test_save_restore_irq(void)
{
	int64_t cause, count;
	uint32_t compare;
	struct irq_seen s;
	const char *got;
	struct vcpu v;

	if (!vcpu_open(&v) || !guest_arm(&v, 5000000, &compare))
		goto err;
	if (!qemu_save(&v, &cause, &count))
		goto err;
	e2e_sleep_ns(300000000);
	if (!qemu_restore(&v, cause, count))
		goto err;
	got = wait_irq(&v, ST_IE | ST_IM0 | ST_IM7, 2000000, 0, compare, E2E_NSEC, &s);
	if (s.delivered)
		e2e_info("save-restore-irq: Compare was %u ticks after the saved Count; delivered at Count - Compare = %d ticks, %u interrupt(s)",
			 compare - (uint32_t)count, s.latency, s.nirq);
	e2e_result(!strcmp(got, "delivered-once"),
		   "an interrupt due while frozen (Compare 50 ms ahead, frozen 300 ms) is delivered once after QEMU's restore",
		   "outcome %s", got);
	outcome("save-restore-irq", got);
	vcpu_close(&v);
	return;
err:
	outcome("save-restore-irq", "error");
	vcpu_close(&v);
}

/*
 * COUNT_HZ changed while running: the guest's Count before (c0 in
 * [a0, b0]) and after (c1 in [a1, b1]) a change at [s0, s1] must fit a
 * continuous Count: old rate up to the change, new rate after it.
 */
static void test_hz_running(void)
{
	uint32_t c0, c1, c2;
	int64_t a0, b0, a1, b1, a2, b2, s0, s1;
	double meas, lo, hi, d;
	struct vcpu v;
	bool ok, ok_rate;

	if (!vcpu_open(&v) || !guest_count(&v, &c0, NULL, &a0, &b0))
		goto err;
	s0 = e2e_now_ns();
	if (!sreg(&v, REG_COUNT_HZ, 50000000))
		goto err;
	s1 = e2e_now_ns();
	if (!guest_count(&v, &c1, NULL, &a1, &b1))
		goto err;
	d = (uint32_t)(c1 - c0);
	lo = (s0 - b0) / 10.0 + (a1 - s1) / 20.0 - 2;
	hi = (s1 - a0) / 10.0 + (b1 - s0) / 20.0 + 2;
	ok = d >= lo && d <= hi && reg(&v, REG_COUNT_HZ) == 50000000;
	e2e_sleep_ns(200000000);
	if (!guest_count(&v, &c2, NULL, &a2, &b2))
		goto err;
	ok_rate = rate_ok(c1, a1, b1, c2, a2, b2, 50000000, 0.002, &meas);
	e2e_result(ok && ok_rate, "COUNT_HZ 100 MHz -> 50 MHz while running - Count continuous, then 50 MHz",
		   "Count advanced %.0f ticks across the change, continuous range %.0f..%.0f; then %.4f MHz",
		   d, lo, hi, meas / 1e6);
	outcome("hz-running", ok && ok_rate ? "pass" : "fail");
	vcpu_close(&v);
	return;
err:
	outcome("hz-running", "error");
	vcpu_close(&v);
}

/* COUNT_HZ changed under the master disable: Count frozen and unchanged. */
static void test_hz_frozen(void)
{
	int64_t c0, c1, r, a, b;
	uint32_t c, dummy;
	struct vcpu v;
	double lo, hi, jump;
	bool ok;

	if (!vcpu_open(&v) || !guest_count(&v, &dummy, NULL, &a, &b))
		goto err;
	if (!sreg(&v, REG_COUNT_CTL, 1))
		goto err;
	c0 = reg(&v, REG_COUNT);
	r = reg(&v, REG_COUNT_RESUME);
	if (!sreg(&v, REG_COUNT_HZ, 25000000))
		goto err;
	c1 = reg(&v, REG_COUNT);
	e2e_sleep_ns(100000000);
	if (!sreg(&v, REG_COUNT_CTL, 0) || !guest_count(&v, &c, NULL, &a, &b))
		goto err;
	jump = (uint32_t)(c - (uint32_t)c0);
	lo = (a - r) / 40.0 - 2;
	hi = (b - r) / 40.0 + 2;
	ok = c0 == c1 && jump >= lo && jump <= hi;
	e2e_result(ok, "COUNT_HZ 100 MHz -> 25 MHz under the master disable - Count unchanged, then continues at 25 MHz from COUNT_RESUME",
		   "Count %#" PRIx64 " -> %#" PRIx64 " across the change; after re-enable +%.0f ticks, expected %.0f..%.0f",
		   c0, c1, jump, lo, hi);
	outcome("hz-frozen", ok ? "pass" : "fail");
	vcpu_close(&v);
	return;
err:
	outcome("hz-frozen", "error");
	vcpu_close(&v);
}

/* Malformed values: -EINVAL and nothing changes. */
static void test_einval(void)
{
	static const struct { uint64_t id; const char *name; int64_t val; } bad[] = {
		{ REG_COUNT_CTL, "COUNT_CTL", 2 },
		{ REG_COUNT_CTL, "COUNT_CTL", 3 },
		{ REG_COUNT_CTL, "COUNT_CTL", 0x100 },
		{ REG_COUNT_CTL, "COUNT_CTL", (int64_t)0x100000000LL },
		{ REG_COUNT_CTL, "COUNT_CTL", INT64_MIN },
		{ REG_COUNT_CTL, "COUNT_CTL", -1 },
		{ REG_COUNT_RESUME, "COUNT_RESUME", -1 },
		{ REG_COUNT_RESUME, "COUNT_RESUME", INT64_MIN },
		{ REG_COUNT_RESUME, "COUNT_RESUME", 0 /* now + 10 s */ },
		{ REG_COUNT_RESUME, "COUNT_RESUME", INT64_MAX },
		{ REG_COUNT_HZ, "COUNT_HZ", 0 },
		{ REG_COUNT_HZ, "COUNT_HZ", -1 },
		{ REG_COUNT_HZ, "COUNT_HZ", -100000000 },
		{ REG_COUNT_HZ, "COUNT_HZ", 1000000001 },
		{ REG_COUNT_HZ, "COUNT_HZ", INT64_MAX },
		{ REG_COUNT_HZ, "COUNT_HZ", INT64_MIN },
	};
	unsigned int i, fails = 0;
	struct vcpu v;
	uint32_t c0, c1;
	int64_t a, b;

	if (!vcpu_open(&v) || !guest_count(&v, &c0, NULL, &a, &b))
		goto err;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t val = bad[i].val, before[3] = { 0 }, after[3] = { 0 };
		int ret;

		if (bad[i].id == REG_COUNT_RESUME && !val)
			val = e2e_now_ns() + 10 * E2E_NSEC;
		int unread = 0;

		unread += !!get_reg(&v, REG_COUNT_CTL, &before[0]);
		unread += !!get_reg(&v, REG_COUNT_RESUME, &before[1]);
		unread += !!get_reg(&v, REG_COUNT_HZ, &before[2]);
		ret = set_reg(&v, bad[i].id, val);
		unread += !!get_reg(&v, REG_COUNT_CTL, &after[0]);
		unread += !!get_reg(&v, REG_COUNT_RESUME, &after[1]);
		unread += !!get_reg(&v, REG_COUNT_HZ, &after[2]);
		if (ret != -EINVAL || unread || memcmp(before, after, sizeof(before))) {
			fails++;
			e2e_result(false, "malformed ONE_REG value refused",
				   "%s = %" PRId64 ": %s, COUNT_CTL %" PRId64 "->%" PRId64
				   " RESUME %" PRId64 "->%" PRId64 " HZ %" PRId64 "->%" PRId64,
				   bad[i].name, val, ret ? strerror(-ret) : "accepted",
				   before[0], after[0], before[1], after[1], before[2], after[2]);
		}
	}
	/* Still running at 100 MHz from the guest's point of view. */
	if (!guest_count(&v, &c1, NULL, &a, &b))
		goto err;
	if ((int32_t)(c1 - c0) <= 0)
		fails++;
	e2e_result(!fails, "every malformed COUNT_CTL/COUNT_RESUME/COUNT_HZ value - -EINVAL, state unchanged, Count still running",
		   "%u values, %u failures", i, fails);
	outcome("einval", fails ? "fail" : "pass");
	vcpu_close(&v);
	return;
err:
	outcome("einval", "error");
	vcpu_close(&v);
}

/*
 * Migration with the timer interrupt pending: VM 1 lets Count pass
 * Compare with interrupts off; QEMU's save; VM 2 gets QEMU's restore
 * (COUNT_RESUME, Cause with TI, Count, Compare) and enables interrupts.
 */
static void test_restore_pending(void)
{
	const char *expect = stock_bug_expected() ? "lost" : "delivered-once";
	int64_t cause, count, compare, ctl;
	uint32_t cmp;
	struct irq_seen s;
	struct vcpu v1, v2;
	const char *got;
	bool setup_ok;

	if (!vcpu_open(&v1))
		return outcome("restore-pending", "error");
	if (!guest_arm(&v1, 100000, &cmp))
		goto err1;
	e2e_sleep_ns(20000000);
	if (!qemu_save(&v1, &cause, &count))
		goto err1;
	compare = reg(&v1, REG_COMPARE);
	vcpu_close(&v1);
	setup_ok = (cause & CAUSE_TI) && (uint32_t)compare == cmp;
	if (!setup_ok) {
		e2e_result(false, "VM 1 has its timer interrupt pending at save",
			   "Cause %#" PRIx64 ", Compare %#" PRIx64 " (armed %#x)",
			   cause, compare, cmp);
		return outcome("restore-pending", "error");
	}

	if (!vcpu_open(&v2))
		return outcome("restore-pending", "error");
	ctl = reg(&v2, REG_COUNT_CTL);
	if (!sreg(&v2, REG_COUNT_CTL, ctl | 1) ||
	    !sreg(&v2, REG_COUNT_RESUME, e2e_now_ns()) ||
	    !qemu_restore(&v2, cause, count) ||
	    !sreg(&v2, REG_COMPARE, compare))
		goto err2;
	e2e_info("restore-pending: saved Cause %#" PRIx64 ", restored Cause %#" PRIx64,
		 cause, reg(&v2, REG_CAUSE));
	got = wait_irq(&v2, ST_IE | ST_IM0 | ST_IM7, 2000000, 0, cmp, E2E_NSEC, &s);
	e2e_result(!strcmp(got, expect),
		   !strcmp(expect, "lost") ?
		   "a VM restored with Cause.TI set does not get its interrupt (known 5.10 trap-and-emulate gap, reproduced)" :
		   "a VM restored with Cause.TI set gets its timer interrupt once when it enables interrupts",
		   "outcome %s", got);
	outcome("restore-pending", got);
	vcpu_close(&v2);
	return;
err1:
	outcome("restore-pending", "error");
	vcpu_close(&v1);
	return;
err2:
	outcome("restore-pending", "error");
	vcpu_close(&v2);
}

/* RDHWR $2 (CC) reads Count: between two mfc0 Count reads around it. */
static void test_rdhwr(void)
{
	uint32_t v3[3];
	unsigned int i, bad = 0;
	struct vcpu v;

	if (!vcpu_open(&v))
		return outcome("rdhwr-cc", "error");
	for (i = 0; i < 20 && guest_abc(&v, CMD_RDHWR, v3, NULL, NULL); i++)
		if ((int32_t)(v3[1] - v3[0]) < 0 || (int32_t)(v3[2] - v3[1]) < 0)
			bad++;
	e2e_result(i == 20 && !bad, "RDHWR $2 (CC) in guest kernel mode reads Count",
		   "%u rounds, %u out of order; last %#x <= %#x <= %#x", i, bad,
		   v3[0], v3[1], v3[2]);
	outcome("rdhwr-cc", i == 20 && !bad ? "pass" : "fail");
	vcpu_close(&v);
}

/*
 * A Count read in a branch delay slot (where the module runs the timer it
 * carries out the branch too), then a timer interrupt: neither Count nor
 * the armed interrupt is lost. Count is first set with ONE_REG, so a read
 * served from any state but the current one shows.
 */
static void test_count_bd(void)
{
	uint32_t v3[3];
	unsigned int i, bad = 0;
	struct irq_seen s;
	const char *got = "error";
	struct vcpu v;
	bool ok;

	if (!vcpu_open(&v) || !sreg(&v, REG_COUNT, 0x70000000)) {
		vcpu_close(&v);
		return outcome("count-delay-slot", "error");
	}
	for (i = 0; i < 20 && guest_abc(&v, CMD_COUNT_BD, v3, NULL, NULL); i++)
		if ((int32_t)(v3[1] - v3[0]) <= 0 || (int32_t)(v3[2] - v3[1]) <= 0)
			bad++;
	if (i == 20)
		got = wait_irq(&v, ST_IE | ST_IM0 | ST_IM7, 2000000, 1000000, 0,
			       3 * E2E_NSEC / 2, &s);
	ok = i == 20 && !bad && !strcmp(got, "delivered-once");
	e2e_result(ok, "Count (set to 0x70000000 with ONE_REG) read in a branch delay slot is in order, then the timer interrupt is still delivered once",
		   "%u rounds, %u out of order, last %#x < %#x < %#x; interrupt %s",
		   i, bad, v3[0], v3[1], v3[2], got);
	outcome("count-delay-slot", ok ? "pass" : !bad && i == 20 ? got : "fail");
	vcpu_close(&v);
}

/* Guest mtc0 Cause.DC stops Count; clearing it resumes without a jump. */
static void test_cause_dc(void)
{
	uint32_t c1, c2, c2b, c3;
	int64_t a, b, a3, b3, s0, onereg;
	struct vcpu v;
	bool ok;

	if (!vcpu_open(&v) || !guest_count(&v, &c1, NULL, &a, &b) ||
	    !guest_setcause(&v, 0x08000000) ||
	    !guest_count(&v, &c1, NULL, &a, &b))
		goto err;
	e2e_sleep_ns(100000000);
	onereg = reg(&v, REG_COUNT);
	if (!guest_count(&v, &c2, &c2b, &a, &b))
		goto err;
	s0 = e2e_now_ns();
	if (!guest_setcause(&v, 0) || !guest_count(&v, &c3, NULL, &a3, &b3))
		goto err;
	ok = c2 == c1 && c2b == c1 && (uint32_t)onereg == c1 &&
	     (int32_t)(c3 - c1) >= 0 && (c3 - c1) <= (b3 - s0) / 10 + 2;
	e2e_result(ok, "guest Cause.DC stops Count across a 100 ms host sleep; clearing it resumes from the stopped value",
		   "stopped %#x, 100 ms later guest %#x/%#x, ONE_REG %#x; after clearing DC +%u ticks (at most %" PRId64 ")",
		   c1, c2, c2b, (uint32_t)onereg, c3 - c1, (b3 - s0) / 10 + 2);
	outcome("cause-dc", ok ? "pass" : "fail");
	vcpu_close(&v);
	return;
err:
	outcome("cause-dc", "error");
	vcpu_close(&v);
}

/* Compare agrees between ONE_REG and the guest, both directions. */
static void test_compare_sync(void)
{
	static const uint32_t vals[] = { 0x12345678, 0x9abcdef0 };
	unsigned int i, bad = 0;
	struct report r;
	struct vcpu v;
	uint32_t z = 0x0badcafe;
	int64_t got;

	if (!vcpu_open(&v))
		return outcome("compare-sync", "error");
	for (i = 0; i < 2; i++) {
		if (!sreg(&v, REG_COMPARE, (int32_t)vals[i]) ||
		    !guest_cmd(&v, CMD_READCMP, NULL, 0, &r, E2E_NSEC) ||
		    r.val[SLOT(OUT_A)] != vals[i] || r.val[SLOT(OUT_B)] != vals[i])
			bad++;
	}
	if (!guest_cmd(&v, CMD_COMPARE, &z, 1, &r, E2E_NSEC))
		bad++;
	got = reg(&v, REG_COMPARE);
	if ((uint32_t)got != z)
		bad++;
	e2e_result(!bad, "Compare set with ONE_REG is what the guest reads; Compare the guest writes is what ONE_REG reads",
		   "%u mismatches; guest wrote %#x, ONE_REG reads %#x", bad, z, (uint32_t)got);
	z = 0x5eed5eed;
	if (!guest_cmd(&v, CMD_COMPARE_BD, &z, 1, &r, E2E_NSEC) ||
	    !guest_cmd(&v, CMD_READCMP, NULL, 0, &r, E2E_NSEC)) {
		bad++;
	} else {
		got = reg(&v, REG_COMPARE);
		if ((uint32_t)got != z || r.val[SLOT(OUT_A)] != z)
			bad++;
		e2e_result((uint32_t)got == z && r.val[SLOT(OUT_A)] == z,
			   "Compare written by the guest in a branch delay slot is what the guest and ONE_REG read",
			   "wrote %#x; guest reads %#x, ONE_REG reads %#x", z,
			   r.val[SLOT(OUT_A)], (uint32_t)got);
	}
	outcome("compare-sync", bad ? "fail" : "pass");
	vcpu_close(&v);
}

/*
 * The guest writes Compare, then Count 2 ms before it: Count continues
 * from the written value and the interrupt comes once when Count gets
 * there.
 */
static void test_guest_count_write(void)
{
	uint32_t cmp = 0x50000000, cnt = 0x50000000 - 200000, args[1];
	struct irq_seen s;
	struct report r;
	const char *got = "error";
	int64_t one;
	struct vcpu v;
	bool ok_read = false;

	if (!vcpu_open(&v))
		return outcome("guest-count-write", "error");
	args[0] = cmp;
	if (guest_cmd(&v, CMD_COMPARE, args, 1, &r, E2E_NSEC)) {
		args[0] = cnt;
		if (guest_cmd(&v, CMD_SETCOUNT, args, 1, &r, E2E_NSEC)) {
			uint32_t a = r.val[SLOT(OUT_A)], b = r.val[SLOT(OUT_B)];
			int64_t span = (r.t1[SLOT(OUT_A)] - r.t0[SLOT(OUT_A)]) / 10 + 2;

			one = reg(&v, REG_COUNT);
			ok_read = (int32_t)(a - cnt) >= 0 && (int64_t)(a - cnt) <= span &&
				  (int32_t)(b - a) > 0 && (int32_t)((uint32_t)one - b) > 0;
			e2e_info("guest-count-write: wrote %#x, read %#x then %#x (KVM_RUN allows +%" PRId64 "), ONE_REG %#x",
				 cnt, a, b, span, (uint32_t)one);
			got = wait_irq(&v, ST_IE | ST_IM0 | ST_IM7, 2000000, 0, cmp,
				       3 * E2E_NSEC / 2, &s);
		}
	}
	e2e_result(ok_read && !strcmp(got, "delivered-once"),
		   "guest mtc0 Count - Count continues from the written value; the interrupt at Compare 2 ms later comes once",
		   "read back %s, interrupt %s", ok_read ? "ok" : "wrong", got);
	outcome("guest-count-write", !ok_read ? "fail" : got);
	vcpu_close(&v);
}

/*
 * 1 GHz: Count wraps every 4.29 s; reads every 250 ms for 5 s must each
 * advance by exactly the elapsed time (within the KVM_RUN brackets).
 */
static void test_hz_1ghz(void)
{
	uint32_t c0, c1;
	int64_t a0, b0, a1, b1, worst = 0;
	unsigned int i, bad = 0, wraps = 0;
	struct vcpu v;

	if (!vcpu_open(&v) || !sreg(&v, REG_COUNT_HZ, 1000000000) ||
	    !guest_count(&v, &c0, NULL, &a0, &b0)) {
		vcpu_close(&v);
		return outcome("hz-1ghz-wrap", "error");
	}
	for (i = 0; i < 20; i++) {
		e2e_sleep_ns(250000000);
		if (!guest_count(&v, &c1, NULL, &a1, &b1))
			break;
		int64_t d = (uint32_t)(c1 - c0);

		if (d < a1 - b0 - 2 || d > b1 - a0 + 2) {
			bad++;
			if (llabs(d - (a1 - a0)) > llabs(worst))
				worst = d - (a1 - a0);
		}
		if (c1 < c0)
			wraps++;
		c0 = c1, a0 = a1, b0 = b1;
	}
	e2e_result(i == 20 && !bad && wraps, "COUNT_HZ 1 GHz - Count advances by exactly the elapsed time over 5 s, through a 32-bit wrap",
		   "%u intervals, %u outside their bracket (worst %+" PRId64 " ticks), %u wrap(s)", i, bad, worst, wraps);
	outcome("hz-1ghz-wrap", i == 20 && !bad && wraps ? "pass" : "fail");
	vcpu_close(&v);
}

/* KVM_GET_REG_LIST: the timer registers listed once each. */
static void test_reg_list(void)
{
	static const uint64_t want[] = { REG_COUNT, REG_COMPARE, REG_CAUSE,
		REG_COUNT_CTL, REG_COUNT_RESUME, REG_COUNT_HZ };
	struct kvm_reg_list probe = { .n = 0 }, *list;
	unsigned int i, j, n, bad = 0;
	struct vcpu v;
	char what[40];

	if (!vcpu_open(&v))
		return outcome("reg-list", "error");
	ioctl(v.fd, KVM_GET_REG_LIST, &probe);
	n = probe.n;
	list = calloc(1, sizeof(*list) + n * sizeof(uint64_t));
	list->n = n;
	if (ioctl(v.fd, KVM_GET_REG_LIST, list)) {
		e2e_result(false, "KVM_GET_REG_LIST", "%s", strerror(errno));
		free(list);
		vcpu_close(&v);
		return outcome("reg-list", "error");
	}
	unsigned int ctl_absent = 0;

	for (i = 0; i < 6; i++) {
		unsigned int seen = 0;

		for (j = 0; j < list->n; j++)
			seen += list->reg[j] == want[i];
		bad += seen != 1;
		ctl_absent += is_ctl(want[i]) && !seen;
	}
	e2e_result(!bad, "KVM_GET_REG_LIST lists each timer register exactly once",
		   "%llu ids, %u timer registers missing or repeated", (unsigned long long)list->n, bad);
	snprintf(what, sizeof(what), !bad ? "%llu-ids" :
		 bad == 3 && ctl_absent == 3 ? "no-ctl-%llu-ids" : "fail-%llu-ids",
		 (unsigned long long)list->n);
	outcome("reg-list", what);
	free(list);
	vcpu_close(&v);
}

/*
 * Count read just past Compare, before the expiry timer can have run:
 * the read itself raises the interrupt (Cause.TI in the very next Cause
 * read), and enabling interrupts then delivers it once. A round where
 * Count had already passed Compare when the guest's write of it
 * completed (the emulated host was slower than 50 us) is skipped: that
 * Compare correctly matches only after a whole Count period.
 */
static void test_ti_on_read(void)
{
	uint32_t v3[3] = { 0, 0, 0 };
	unsigned int i, no_ti = 0, bad_irq = 0, tries = 0, missed = 0;
	int32_t armt[40];
	unsigned int na = 0;
	struct irq_seen s;
	const char *got = "error";
	uint32_t arg = 5000;	/* 50 us */
	struct report r;
	struct vcpu v;
	bool ok;

	if (!vcpu_open(&v))
		return outcome("ti-on-read", "error");
	for (i = 0; i < 5 && tries < 40; tries++) {
		uint32_t after;

		if (!guest_cmd(&v, CMD_SPINCAUSE, &arg, 1, &r, E2E_NSEC) || !r.has[SLOT(OUT_C)])
			break;
		v3[0] = r.val[SLOT(OUT_A)];
		v3[1] = r.val[SLOT(OUT_B)];
		v3[2] = r.val[SLOT(OUT_C)];
		memcpy(&after, (char *)v.mem + ARMCOUNT_OFF, 4);
		armt[na++] = after - (v3[2] - arg);
		if ((int32_t)(after - v3[2]) >= 0) {
			missed++;
			if (arg < 100000)
				arg *= 2;	/* up to 1 ms ahead */
			continue;
		}
		i++;
		if (!(v3[1] & CAUSE_TI))
			no_ti++;
		got = wait_irq(&v, ST_IE | ST_IM0 | ST_IM7, 1000000, 0, v3[2], E2E_NSEC, &s);
		if (strcmp(got, "delivered-once") && !bad_irq++)
			e2e_info("ti-on-read: round %u (after %u overtaken): %s, Count %#x at the interrupt, Compare %#x, Cause %#x, %u interrupts",
				 i, missed, got, s.count, v3[2], s.cause, s.nirq);
		if (v.dead)
			break;
	}
	ok = i == 5 && !no_ti && !bad_irq;
	if (na) {
		unsigned int n = na;

		qsort(armt, n, sizeof(armt[0]), cmp_i32);
		e2e_info("ti-on-read: guest mfc0 Count to after mtc0 Compare: min %.1f us, median %.1f us, max %.1f us over %u writes; Compare finally %u ticks ahead",
			 armt[0] / 100.0, armt[n / 2] / 100.0, armt[n - 1] / 100.0, n, arg);
	}
	e2e_result(ok, "Count read just past Compare (armed 50 us ahead, more if the write completes too late) - Cause.TI set in the next Cause read; then delivered once",
		   "%u rounds (%u writes completed after Count passed Compare), %u without TI, %u not delivered once (last: Count %#x, Compare %#x, Cause %#x, %s)",
		   i, missed, no_ti, bad_irq, v3[0], v3[2], v3[1], got);
	outcome("ti-on-read", ok ? "pass" : no_ti ? "no-TI" : "fail");
	vcpu_close(&v);
}

/*
 * A pending timer interrupt the guest acknowledges with a Compare write
 * before enabling interrupts is gone: Cause.TI clear, nothing delivered.
 */
static void test_ack_pending(void)
{
	uint32_t cmp, far;
	int64_t cause_before, cause_after;
	struct irq_seen s;
	struct report r;
	const char *got;
	struct vcpu v;
	bool ok;

	if (!vcpu_open(&v) || !guest_arm(&v, 100000, &cmp)) {
		vcpu_close(&v);
		return outcome("ack-pending", "error");
	}
	e2e_sleep_ns(20000000);
	cause_before = reg(&v, REG_CAUSE);
	far = cmp + 1000000000u;	/* 10 s on */
	if (!guest_cmd(&v, CMD_COMPARE, &far, 1, &r, E2E_NSEC)) {
		vcpu_close(&v);
		return outcome("ack-pending", "error");
	}
	cause_after = reg(&v, REG_CAUSE);
	got = wait_irq(&v, ST_IE | ST_IM0 | ST_IM7, 0, 0, far, E2E_NSEC / 2, &s);
	ok = (cause_before & CAUSE_TI) && !(cause_after & CAUSE_TI) && !strcmp(got, "lost");
	e2e_result(ok, "a pending timer interrupt acknowledged by a guest Compare write before interrupts are enabled is not delivered",
		   "Cause %#" PRIx64 " before the write, %#" PRIx64 " after; then %s", cause_before,
		   cause_after, strcmp(got, "lost") ? got : "nothing in 0.5 s");
	outcome("ack-pending", ok ? "pass" : "fail");
	vcpu_close(&v);
}

/* Setting COUNT_CTL.DC again keeps the recorded COUNT_RESUME. */
static void test_dc_twice(void)
{
	int64_t r1, r2;
	struct vcpu v;
	bool ok;

	if (!vcpu_open(&v) || !sreg(&v, REG_COUNT_CTL, 1)) {
		vcpu_close(&v);
		return outcome("dc-twice", "error");
	}
	r1 = reg(&v, REG_COUNT_RESUME);
	e2e_sleep_ns(10000000);
	ok = sreg(&v, REG_COUNT_CTL, 1);
	r2 = reg(&v, REG_COUNT_RESUME);
	ok = ok && r1 == r2 && r1 > 0;
	e2e_result(ok, "setting COUNT_CTL.DC again 10 ms later keeps COUNT_RESUME",
		   "%" PRId64 " then %" PRId64, r1, r2);
	outcome("dc-twice", ok ? "pass" : "fail");
	vcpu_close(&v);
}

/*
 * A KVM_INTERRUPT line (@irq 2 or 4) with Status @status: the guest WAITs
 * for it with the timer far away. Stock 5.8-5.12 trap-and-emulate tests
 * Status.IM0 for every line, so it delivers with the line's own IM bit
 * masked and loses the interrupt with only that bit set.
 */
static void io_irq_test(const char *name, unsigned int irq, uint32_t status,
			const char *expect_stock, const char *expect_fixed)
{
	const char *expect = stock_bug_expected() ? expect_stock : expect_fixed;
	struct kvm_mips_interrupt mi = { .cpu = -1, .irq = irq };
	uint32_t line = 1u << (8 + irq);
	const char *got = "error";
	struct irq_seen s = { 0 };
	struct vcpu v;

	if (!vcpu_open(&v))
		return outcome(name, "error");
	if (ioctl(v.fd, KVM_INTERRUPT, &mi)) {
		e2e_result(false, "KVM_INTERRUPT", "irq %u: %s", irq, strerror(errno));
	} else {
		wait_irq(&v, status, 100000, 0, 0, E2E_NSEC / 2, &s);
		got = !s.delivered ? "lost" : !(s.cause & line) ? "wrong-line" :
		      !s.finished ? "stuck" : s.nirq != 1 ? "repeated" :
		      "delivered-once";
	}
	e2e_result(!strcmp(got, expect),
		   !strcmp(expect, "lost") ? "KVM_INTERRUPT line not delivered while its Status.IM bit is clear" :
		   "KVM_INTERRUPT line delivered once while its Status.IM bit is set",
		   "irq %u, Status %#x: %s (Cause %#x at delivery)", irq, status, got, s.cause);
	outcome(name, got);
	vcpu_close(&v);
}

static void irq_io2_own(void)
{
	io_irq_test("irq-io2-own", 2, ST_IE | 0x0400, "lost", "delivered-once");
}

static void irq_io2_im0(void)
{
	io_irq_test("irq-io2-im0", 2, ST_IE | ST_IM0, "delivered-once", "lost");
}

static void irq_io4_own(void)
{
	io_irq_test("irq-io4-own", 4, ST_IE | 0x1000, "lost", "delivered-once");
}

static void irq_io4_im0(void)
{
	io_irq_test("irq-io4-im0", 4, ST_IE | ST_IM0, "delivered-once", "lost");
}

/*
 * Count read in the delay slot of every kind of branch (guest.S
 * do_count_branches), 20 times: the branches go where the architecture
 * says, with their links, and Count never goes backwards; then the timer
 * interrupt comes once, never early, with the guest looping on WAIT.
 */
static void test_count_branches(void)
{
	uint32_t prev = 0, cnt[BRANCH_STAGES];
	unsigned int i, j, bad_path = 0, backwards = 0;
	const char *got = "error";
	struct irq_seen s;
	struct report r;
	struct vcpu v;
	bool ok;

	if (!vcpu_open(&v))
		return outcome("count-branches", "error");
	for (i = 0; i < 20; i++) {
		if (!guest_cmd(&v, CMD_COUNT_BRANCHES, NULL, 0, &r, E2E_NSEC) ||
		    !r.has[SLOT(OUT_C)])
			break;
		if (r.val[SLOT(OUT_A)] != BRANCH_STAGES ||
		    r.val[SLOT(OUT_B)] != BRANCH_PATH)
			bad_path++;
		memcpy(cnt, (char *)v.mem + BRANCH_OFF, sizeof(cnt));
		for (j = 0; j < BRANCH_STAGES; j++) {
			if ((i || j) && (int32_t)(cnt[j] - prev) <= 0)
				backwards++;
			prev = cnt[j];
		}
	}
	if (i == 20 && !bad_path)
		for (j = 0; j < 3; j++) {
			got = wait_irq(&v, ST_IE | ST_IM0 | ST_IM7, 1000000, 1000000, 0,
				       3 * E2E_NSEC / 2, &s);
			if (strcmp(got, "delivered-once"))
				break;
		}
	ok = i == 20 && !bad_path && !backwards && !strcmp(got, "delivered-once");
	e2e_result(ok, "Count read in the delay slot of beq, bne, beql, bltz, bgez, blez, bgtz, bal, jr, jalr, bltzal (not taken, linking), bnel (annulled) - branches and links as the architecture says, Count in order; then 3 timer interrupts, each once and not early",
		   "%u rounds, path %#x (want %#x), %u out of order; interrupt %s",
		   i, r.val[SLOT(OUT_B)], BRANCH_PATH, backwards, got);
	outcome("count-branches", ok ? "pass" : bad_path ? "bad-path" :
		backwards ? "backwards" : i < 20 ? "error" : got);
	vcpu_close(&v);
}

static int smoke(void)
{
	uint32_t a, b;
	int64_t t0, t1;
	struct vcpu v;
	bool ok;

	if (!vcpu_open(&v))
		return 1;
	ok = guest_count(&v, &a, &b, &t0, &t1) && (int32_t)(b - a) > 0;
	e2e_result(ok, "KVM works - a new VM's guest reads an advancing Count",
		   "%#x then %#x", a, b);
	vcpu_close(&v);
	return !ok;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int hold(const char *file)
{
	uint32_t a, b;
	int64_t t0, t1;
	struct vcpu v;
	int fd;

	if (!vcpu_open(&v) || !guest_count(&v, &a, &b, &t0, &t1))
		return 1;
	signal(SIGTERM, on_term);
	fd = open(file, O_CREAT | O_WRONLY, 0644);
	if (fd < 0)
		return 1;
	close(fd);
	while (!stop)
		pause();
	/* The VM still works after the failed unload. */
	if (!guest_count(&v, &a, &b, &t0, &t1) || (int32_t)(b - a) <= 0) {
		printf("hold: the held VM no longer runs\n");
		return 1;
	}
	printf("hold: the held VM still runs (Count %#x -> %#x), closing it\n", a, b);
	vcpu_close(&v);
	return 0;
}

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

static void touch(const char *file)
{
	int fd = open(file, O_CREAT | O_WRONLY, 0644);

	if (fd >= 0)
		close(fd);
}

/*
 * A vCPU created before "insmod mode=takeover": the module owns it from
 * its first timer ONE_REG access. Count must not jump at the adoption,
 * and the timer interrupt must then work with IM7 alone.
 */
static int adopt(const char *file)
{
	uint32_t cp, c0, c1;
	int64_t ap, bp, a0, b0, a1, b1, c;
	double lo, hi, r0, r1 = HZ_DEFAULT / 1e9;
	struct irq_seen s;
	const char *got;
	char file2[256];
	struct vcpu v;
	bool ok;

	signal(SIGUSR1, on_usr1);
	signal(SIGTERM, on_term);
	/* The kernel's own Count rate: a kernel before 3.16 has its own. */
	if (!vcpu_open(&v) || !guest_count(&v, &cp, NULL, &ap, &bp))
		return 1;
	e2e_sleep_ns(100000000);
	if (!guest_count(&v, &c0, NULL, &a0, &b0))
		return 1;
	r0 = (uint32_t)(c0 - cp) / ((a0 + b0) / 2.0 - (ap + bp) / 2.0);
	touch(file);
	while (!go)
		pause();
	c = reg(&v, REG_COUNT);	/* the first timer ONE_REG: adoption */
	if (!guest_count(&v, &c1, NULL, &a1, &b1))
		return 1;
	/* No jump: at least the slower rate's ticks, at most the faster's. */
	lo = (a1 - b0) * (r0 < r1 ? r0 : r1) - 2;
	hi = (b1 - a0) * (r0 > r1 ? r0 : r1) + 2;
	ok = (uint32_t)(c1 - c0) >= lo && (uint32_t)(c1 - c0) <= hi &&
	     (int32_t)((uint32_t)c - c0) >= 0 && (int32_t)(c1 - (uint32_t)c) >= 0;
	e2e_result(ok, "a vCPU created before the module is loaded is adopted without a Count jump",
		   "kernel's Count rate %.4f MHz; guest Count %#x before, ONE_REG %#x at adoption, guest %#x after: +%u ticks, expected %.0f..%.0f",
		   r0 * 1e3, c0, (uint32_t)c, c1, c1 - c0, lo, hi);
	/*
	 * 50 ms ahead: a Compare the guest's write completes too late for
	 * is a whole period away, and this vCPU cannot be replaced by a
	 * new one (that would not be adopted).
	 */
	got = wait_irq(&v, ST_IE | ST_IM7, 2000000, 5000000, 0, 3 * E2E_NSEC / 2, &s);
	e2e_result(!strcmp(got, "delivered-once"),
		   "the adopted vCPU takes an IM7-only timer interrupt once", "outcome %s", got);
	snprintf(file2, sizeof(file2), "%s.2", file);
	touch(file2);
	while (!stop)
		pause();
	vcpu_close(&v);
	return 0;
}

static void on_usr2(int sig)
{
	(void)sig;
	abort_run = 1;
}

/*
 * A vCPU asleep in WAIT with nothing to wake it (Count stopped by
 * Cause.DC, interrupts off): create FILE, then sleep in KVM_RUN until
 * SIGUSR2. The unload test runs rmmod meanwhile.
 */
static int waithold(const char *file)
{
	uint32_t args[3] = { 0, 0, 0 };
	struct sigaction sa = { .sa_handler = on_usr2 };
	struct report r;
	struct vcpu v;
	int64_t t0;

	sigaction(SIGUSR2, &sa, NULL);
	if (!vcpu_open(&v) || !guest_setcause(&v, 0x08000000))
		return 1;
	touch(file);
	t0 = e2e_now_ns();
	guest_cmd(&v, CMD_WAITIRQ, args, 3, &r, 120 * E2E_NSEC);
	printf("# %s: waithold: the vCPU slept in WAIT for %.1f s, until %s\n", e2e_label,
	       (e2e_now_ns() - t0) / 1e9, abort_run ? "SIGUSR2" : "its timeout");
	vcpu_close(&v);
	return !abort_run;
}

static void irq_im0_im7(void)
{
	irq_test("irq-im0-im7", ST_IE | ST_IM0 | ST_IM7, "delivered-once", "delivered-once");
}

static void irq_im7_only(void)
{
	irq_test("irq-im7-only", ST_IE | ST_IM7, "lost", "delivered-once");
}

static void irq_im0_only(void)
{
	irq_test("irq-im0-only", ST_IE | ST_IM0, "delivered-once", "lost");
}

static void save_restore_jump(void)
{
	test_save_restore("save-restore-jump", false);
}

static void save_restore_resume(void)
{
	test_save_restore("save-restore-resume", true);
}

/* In order; "client CELL PROFILE NAME" runs only the one named. */
/* ---- stress (make stress): several parties on the same vCPUs ---- */

/*
 * churn N: N VMs, each closed right after its Compare was set (ONE_REG)
 * to fall due at a random point of its close, so that many matches land
 * while KVM destroys the vCPU (issue 12, finding 3). How long a close
 * takes is measured as it goes (Count runs at 100 MHz: 10 ns a tick).
 */
static int stress_churn(unsigned int n)
{
	uint32_t seed = 0x5eed0001;
	unsigned int i, armed = 0;
	int64_t t0 = e2e_now_ns(), close_ns = 200000, sum_ns = 0;
	struct vcpu v;

	for (i = 0; i < n; i++) {
		int64_t count, c0;

		if (!vcpu_open(&v))
			break;
		if (!get_reg(&v, REG_COUNT, &count) &&
		    !set_reg(&v, REG_COMPARE, (int64_t)(int32_t)
			     ((uint32_t)count + 1 + e2e_rnd(&seed) % (uint32_t)(close_ns / 10 + 1))))
			armed++;
		c0 = e2e_now_ns();
		vcpu_close(&v);
		close_ns = e2e_now_ns() - c0;
		sum_ns += close_ns;
	}
	e2e_result(i == n && armed == n, "stress churn - VMs closed with Compare due during their close",
		   "%u of %u VMs, %u armed, a close takes %" PRId64 " us on average, %.1f s in all",
		   i, n, armed, i ? sum_ns / i / 1000 : 0, (e2e_now_ns() - t0) / 1e9);
	return i == n && armed == n ? 0 : 1;
}

/*
 * readstorm SECS: the guest arms Compare 20 to 100 us ahead and reads
 * Count until it is past (CMD_SPINCAUSE), so that a read, not the expiry
 * timer, usually delivers the match, and sometimes the two meet; then it
 * takes the interrupt and keeps reading Count with interrupts enabled for
 * 200 us. Every round must see its interrupt exactly once. An expiry that
 * fired inside the glue's cancel once dropped itself and left the timer
 * idle, and every later read past Compare delivered the match again.
 */
static int stress_readstorm(unsigned int secs)
{
	int64_t end = e2e_now_ns() + secs * E2E_NSEC;
	unsigned int rounds = 0, overtaken = 0, bad = 0;
	uint32_t seed = 0x5eed0003, arg, after, compare;
	char first[160] = "none";
	struct irq_seen seen;
	const char *got;
	struct report r;
	struct vcpu v;

	if (!vcpu_open(&v))
		return 1;
	while (e2e_now_ns() < end && !v.dead) {
		arg = 2000 + e2e_rnd(&seed) % 8000;
		if (!guest_cmd(&v, CMD_SPINCAUSE, &arg, 1, &r, E2E_NSEC) ||
		    !r.has[SLOT(OUT_C)])
			break;
		compare = r.val[SLOT(OUT_C)];
		memcpy(&after, (char *)v.mem + ARMCOUNT_OFF, 4);
		if ((int32_t)(after - compare) >= 0) {
			overtaken++;	/* the match is a Count period away */
			continue;
		}
		rounds++;
		got = wait_irq(&v, ST_IE | ST_IM0 | ST_IM7, 20000, 0, compare,
			       E2E_NSEC, &seen);
		if (strcmp(got, "delivered-once") && !bad++)
			snprintf(first, sizeof(first),
				 "round %u: %s, %u interrupts, Count %#x at the last, Compare %#x",
				 rounds, got, seen.nirq, seen.count, compare);
	}
	vcpu_close(&v);
	e2e_result(rounds && !bad && !v.dead,
		   "stress readstorm - every match the guest reads Count across is delivered exactly once",
		   "%u rounds, %u not delivered once (the first: %s), %u arms overtaken and skipped%s",
		   rounds, bad, first, overtaken, v.dead ? ", the guest died" : "");
	return !(rounds && !bad && !v.dead);
}

/* What one ONE_REG hammering thread did. */
struct hammer {
	struct vcpu *v;
	pthread_t thread;
	uint32_t seed;
	unsigned long ops, freezes, rate_changes, backwards, errors;
	int first_errno;
	uint64_t first_id;
};

static volatile int hammer_stop;
/*
 * Held by the main thread while its guest waits for an interrupt, and by
 * a hammering thread between its freeze and its resume: a guest waiting
 * (in WAIT, or spinning on Count) holds the vCPU inside KVM_RUN, so the
 * resume could never get in and the freeze would stop that guest for
 * good. Everything else the threads do races the guest's exits freely.
 */
static pthread_mutex_t hammer_gate = PTHREAD_MUTEX_INITIALIZER;

static void hammer_error(struct hammer *h, uint64_t id, int err)
{
	if (!h->errors++) {
		h->first_errno = err;
		h->first_id = id;
	}
}

/*
 * COUNT_CTL freeze and resume, COUNT_HZ between 100 and 25 MHz, Count
 * (which must never go backwards, frozen or not, whatever the rate),
 * Compare, Cause and KVM_GET_REG_LIST: between the guest's exits, since
 * KVM_RUN holds the vCPU. The guest's Compare is left alone.
 */
static void *hammer_fn(void *arg)
{
	struct hammer *h = arg;
	struct {
		struct kvm_reg_list l;
		uint64_t ids[128];
	} list;
	int64_t c, last = -1, val;
	int ret;

	while (!hammer_stop) {
		uint32_t op = e2e_rnd(&h->seed) % 8;

		h->ops++;
		switch (op) {
		case 0:
		case 1:
			pthread_mutex_lock(&hammer_gate);
			ret = set_reg(h->v, REG_COUNT_CTL, 1);
			if (!ret)
				ret = get_reg(h->v, REG_COUNT, &c);
			/* Frozen: a second read gives the same Count. */
			if (!ret && !get_reg(h->v, REG_COUNT, &val) && val != c)
				h->backwards++;
			if (!ret && last >= 0 && (int32_t)((uint32_t)c - (uint32_t)last) < 0)
				h->backwards++;
			if (!ret)
				last = c;
			if (ret)
				hammer_error(h, REG_COUNT_CTL, -ret);
			ret = set_reg(h->v, REG_COUNT_CTL, 0);
			pthread_mutex_unlock(&hammer_gate);
			if (ret)
				hammer_error(h, REG_COUNT_CTL, -ret);
			h->freezes++;
			break;
		case 2:
			ret = set_reg(h->v, REG_COUNT_HZ,
				      e2e_rnd(&h->seed) & 1 ? HZ_DEFAULT : HZ_DEFAULT / 4);
			if (ret)
				hammer_error(h, REG_COUNT_HZ, -ret);
			h->rate_changes++;
			break;
		case 3:
		case 4:
			ret = get_reg(h->v, REG_COUNT, &c);
			if (ret) {
				hammer_error(h, REG_COUNT, -ret);
				break;
			}
			if (last >= 0 && (int32_t)((uint32_t)c - (uint32_t)last) < 0)
				h->backwards++;
			last = c;
			break;
		case 5:
			ret = get_reg(h->v, REG_COMPARE, &val);
			if (ret)
				hammer_error(h, REG_COMPARE, -ret);
			break;
		case 6:
			ret = get_reg(h->v, REG_CAUSE, &val);
			if (ret)
				hammer_error(h, REG_CAUSE, -ret);
			break;
		default:
			list.l.n = 128;
			if (ioctl(h->v->fd, KVM_GET_REG_LIST, &list))
				hammer_error(h, 0, errno);
			break;
		}
	}
	return NULL;
}

/*
 * hammer SECONDS THREADS: one vCPU whose guest arms Compare 1 ms ahead,
 * WAITs for the interrupt and counts the ones it takes, round after
 * round, while THREADS threads hammer its ONE_REG registers (freezes
 * only between rounds: see hammer_gate). Every round
 * must see its interrupt exactly once; Count must never go backwards;
 * every ioctl must succeed.
 */
static int stress_hammer(unsigned int secs, unsigned int nthreads)
{
	struct hammer h[8];
	unsigned long ops = 0, freezes = 0, rates = 0, back = 0, errs = 0;
	unsigned int rounds = 0, once = 0, i, other = 0, missed = 0;
	const char *first_bad = NULL;
	int64_t end = e2e_now_ns() + secs * E2E_NSEC;
	struct irq_seen seen;
	struct vcpu v;
	bool ok;

	if (nthreads > 8)
		nthreads = 8;
	if (!vcpu_open(&v))
		return 1;
	hammer_stop = 0;
	for (i = 0; i < nthreads; i++) {
		memset(&h[i], 0, sizeof(h[i]));
		h[i].v = &v;
		h[i].seed = 0x9e3779b9u * (i + 1);
		e2e_thread_start(&h[i].thread, hammer_fn, &h[i]);
	}
	while (e2e_now_ns() < end && !v.dead) {
		const char *got;

		pthread_mutex_lock(&hammer_gate);
		got = wait_irq(&v, ST_IE | ST_IM0 | ST_IM7, 0, 100000, 0,
			       5 * E2E_NSEC, &seen);
		if (v.dead) {
			got = "timed-out";	/* whatever the reports say */
			/* Under the gate: no freeze in the picture. */
			v.dead = false;
			stuck_info(&v, "hammer", rounds + 1);
			e2e_info("hammer: round %u: Compare %#x (ONE_REG), armed %#x, Count right after arming %#x",
				 rounds + 1, (uint32_t)reg(&v, REG_COMPARE),
				 *(uint32_t *)((char *)v.mem + ARMCMP_OFF),
				 *(uint32_t *)((char *)v.mem + ARMCOUNT_OFF));
			v.dead = true;
		}
		pthread_mutex_unlock(&hammer_gate);

		rounds++;
		if (!strcmp(got, "delivered-once")) {
			once++;
		} else if (!strcmp(got, "arm-missed")) {
			/*
			 * The guest was held up past its own Compare between
			 * arming and checking (a loaded host): the match is a
			 * Count period away, so the guest did not wait for it.
			 */
			rounds--;
			missed++;
		} else {
			other++;
			if (!first_bad)
				first_bad = got;
			if (!strcmp(got, "stuck"))
				stuck_info(&v, "hammer", rounds);
		}
	}
	hammer_stop = 1;
	for (i = 0; i < nthreads; i++) {
		pthread_join(h[i].thread, NULL);
		ops += h[i].ops;
		freezes += h[i].freezes;
		rates += h[i].rate_changes;
		back += h[i].backwards;
		errs += h[i].errors;
		if (h[i].errors)
			e2e_info("hammer thread %u: %lu errors, the first %s on id %#" PRIx64,
				 i, h[i].errors, strerror(h[i].first_errno), h[i].first_id);
	}
	ok = rounds && once == rounds && !back && !errs && !v.dead;
	e2e_result(ok, "stress hammer - every armed Compare delivered exactly once, Count never backwards, no ioctl error",
		   "%u threads, %lu ONE_REG operations (%lu freeze/resume, %lu rate changes), %u rounds, %u delivered once, %u other (first: %s), %u arms overtaken and redone, %lu backwards steps, %lu errors%s",
		   nthreads, ops, freezes, rates, rounds, once, other,
		   first_bad ? first_bad : "none", missed, back, errs,
		   v.dead ? ", guest died" : "");
	vcpu_close(&v);
	return !ok;
}

/* The ONE_REG ids the fuzzer picks from, besides random ones. */
#define REG_STATUS	0x7020000000010060ULL
#define REG_EPC		0x7020000000010070ULL
static const uint64_t fuzz_ids[] = {
	REG_COUNT, REG_COMPARE, REG_CAUSE, REG_COUNT_CTL, REG_COUNT_RESUME,
	REG_COUNT_HZ, REG_STATUS, REG_EPC,
	0x7030000000000020ULL,	/* HI */
};

struct fuzzer {
	struct vcpu *v;
	pthread_t thread;
	uint32_t seed;
	void *ro;		/* a read-only page */
	unsigned long ops, ok, other;
	struct e2e_errs errs;
	int other_errno;
	uint64_t other_id;
};

/*
 * An id to fuzz: one of fuzz_ids, in its size or another; for a GET also
 * its neighbours (the kernel's other CP0 registers); or a stranger.
 * Neighbours are not written: random EntryHi, EPC or Cause bits would
 * end the guest with an exception it does not expect.
 */
static uint64_t fuzz_id(uint32_t *seed, bool set)
{
	uint64_t id = fuzz_ids[e2e_rnd(seed) % (sizeof(fuzz_ids) / sizeof(fuzz_ids[0]))];

	switch (e2e_rnd(seed) % 4) {
	case 0:		/* another size */
		return (id & ~KVM_REG_SIZE_MASK) |
		       ((uint64_t)(e2e_rnd(seed) % 8) << KVM_REG_SIZE_SHIFT);
	case 1:		/* a neighbour or a stranger */
		return e2e_rnd(seed) & 1 && !set ? id + 1 + e2e_rnd(seed) % 16 :
		       KVM_REG_MIPS | ((uint64_t)e2e_rnd(seed) << 16) | e2e_rnd(seed);
	default:
		return id;
	}
}

/*
 * Random GET/SET_ONE_REG (ids of ours, of the kernel's, unknown ones;
 * right and wrong sizes; random values; valid, unmapped and read-only
 * addresses) and KVM_GET_REG_LIST with random sizes. Every error must be
 * one upstream gives for that: EINVAL, EFAULT or E2BIG.
 */
static void *fuzz_fn(void *arg)
{
	struct fuzzer *f = arg;
	/* Room for a whole register list: the kernel fills up to n ids. */
	union {
		uint64_t u64[128];
		struct kvm_reg_list l;
	} buf;

	while (!hammer_stop) {
		uint32_t op = e2e_rnd(&f->seed) % 8;
		struct kvm_one_reg r = { .id = fuzz_id(&f->seed, op >= 3) };
		uint32_t where = e2e_rnd(&f->seed) % 8;
		int ret;

		r.addr = where == 0 ? 0x10 : where == 1 ? (uintptr_t)f->ro :
			 (uintptr_t)buf.u64;
		buf.u64[0] = ((uint64_t)e2e_rnd(&f->seed) << 32) | e2e_rnd(&f->seed);
		/* Valid rates mostly, so the timer keeps running. */
		if (r.id == REG_COUNT_HZ && e2e_rnd(&f->seed) % 4)
			buf.u64[0] = 1000000 + e2e_rnd(&f->seed) % 200000000;
		/* Cause: only the timer's bits (others raise guest exceptions). */
		if (r.id == REG_CAUSE)
			buf.u64[0] &= CAUSE_TI | 0x08000000;	/* TI, DC */
		/* Status and EPC would kill the guest: read only. */
		if (r.id == REG_STATUS || r.id == REG_EPC)
			op %= 3;
		f->ops++;
		if (op < 3) {
			ret = ioctl(f->v->fd, KVM_GET_ONE_REG, &r);
		} else if (op < 7) {
			ret = ioctl(f->v->fd, KVM_SET_ONE_REG, &r);
		} else {
			buf.l.n = e2e_rnd(&f->seed) % 96;
			ret = ioctl(f->v->fd, KVM_GET_REG_LIST,
				    where == 0 ? (void *)0x10 : &buf.l);
		}
		if (!ret) {
			f->ok++;
			continue;
		}
		e2e_count_err(&f->errs, errno);
		if (errno != EINVAL && errno != EFAULT && errno != E2BIG &&
		    !f->other++) {
			f->other_errno = errno;
			f->other_id = r.id;
		}
	}
	return NULL;
}

/*
 * fuzz SECONDS THREADS: the fuzzer on a live vCPU whose guest keeps
 * reading Count; afterwards a new VM must still get a Compare interrupt
 * exactly once.
 */
static int stress_fuzz(unsigned int secs, unsigned int nthreads)
{
	unsigned long ops = 0, okc = 0, other = 0;
	struct e2e_errs errs = { 0 };
	struct fuzzer f[8];
	int64_t end = e2e_now_ns() + secs * E2E_NSEC;
	struct irq_seen seen;
	unsigned int i, runs = 0;
	const char *got;
	struct vcpu v;
	void *ro;
	bool ok;

	if (nthreads > 8)
		nthreads = 8;
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED || !vcpu_open(&v))
		return 1;
	hammer_stop = 0;
	for (i = 0; i < nthreads; i++) {
		memset(&f[i], 0, sizeof(f[i]));
		f[i].v = &v;
		f[i].ro = ro;
		f[i].seed = 0xf0220001u + i;
		e2e_thread_start(&f[i].thread, fuzz_fn, &f[i]);
	}
	while (e2e_now_ns() < end && !v.dead) {
		struct report r;

		if (!guest_cmd(&v, CMD_COUNT, NULL, 0, &r, 5 * E2E_NSEC))
			break;
		runs++;
	}
	hammer_stop = 1;
	for (i = 0; i < nthreads; i++) {
		pthread_join(f[i].thread, NULL);
		ops += f[i].ops;
		okc += f[i].ok;
		e2e_add_errs(&errs, &f[i].errs);
		other += f[i].other;
		if (f[i].other)
			e2e_info("fuzz thread %u: %lu unexpected errors, the first %s on id %#" PRIx64,
				 i, f[i].other, strerror(f[i].other_errno), f[i].other_id);
	}
	vcpu_close(&v);
	e2e_result(!other, "stress fuzz - every ONE_REG / REG_LIST error is EINVAL, EFAULT or E2BIG",
		   "%u threads, %lu calls: %lu ok, errors by errno %s (%lu other); the guest ran %u commands meanwhile%s",
		   nthreads, ops, okc, e2e_errs_str(&errs, false), other, runs,
		   v.dead ? " (then died: fuzzed registers)" : "");
	if (!vcpu_open(&v))
		return 1;
	for (i = 0; i < 3; i++) {
		/* A round whose arming the host held up longer is retried. */
		got = wait_irq(&v, ST_IE | ST_IM0 | ST_IM7, 20000, 100000 << i, 0,
			       5 * E2E_NSEC, &seen);
		if (strcmp(got, "arm-missed"))
			break;
	}
	ok = !strcmp(got, "delivered-once");
	e2e_result(ok, "stress fuzz - afterwards a new VM's Compare interrupt comes exactly once",
		   "outcome %s", got);
	vcpu_close(&v);
	munmap(ro, 4096);
	return other || !ok;
}

/*
 * failslab N: KVM_CREATE_VM and KVM_CREATE_VCPU N times with this task's
 * slab allocations failing at random (/init sets failslab up with a task
 * filter; this writes /proc/self/make-it-fail). Every other VM is created
 * with no fault injected, so that most vCPU creations get as far as the
 * module's own allocations (issue 12, findings 1 and 2) instead of most
 * tries ending in KVM_CREATE_VM's many. Failures must be clean errors;
 * afterwards a VM must work. /init then checks that the module unloads
 * (no reference leaked) and that the kernel log is clean (no hrtimer
 * freed while armed: DEBUG_OBJECTS_FREE).
 */
static int stress_failslab(unsigned int n)
{
	unsigned int i, vms = 0, vcpus = 0, vm_fail = 0, vcpu_fail = 0, other = 0;
	int mif = open("/proc/self/make-it-fail", O_WRONLY), other_errno = 0;
	uint32_t a, b;
	int64_t t0, t1;
	struct vcpu v;
	bool ok;

	if (mif < 0 || write(mif, "1", 1) != 1) {
		e2e_result(false, "stress failslab - /proc/self/make-it-fail", "%s", strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		int vm, fd;

		if (write(mif, i & 1 ? "1" : "0", 1) != 1)
			other++;
		vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
		if (write(mif, "1", 1) != 1)
			other++;
		if (vm < 0) {
			if (errno == ENOMEM)
				vm_fail++;
			else if (!other++)
				other_errno = errno;
			continue;
		}
		vms++;
		fd = ioctl(vm, KVM_CREATE_VCPU, 0);
		if (fd >= 0) {
			vcpus++;
			close(fd);
		} else if (errno == ENOMEM) {
			vcpu_fail++;
		} else if (!other++) {
			other_errno = errno;
		}
		close(vm);
	}
	if (write(mif, "0", 1) != 1)
		other++;
	close(mif);
	e2e_result(!other && vcpu_fail && vcpus,
		   "stress failslab - KVM_CREATE_VM / KVM_CREATE_VCPU fail only with ENOMEM under injected slab failures",
		   "%u tries: %u VMs (%u ENOMEM), %u vCPUs (%u ENOMEM), %u other errors%s%s",
		   n, vms, vm_fail, vcpus, vcpu_fail, other,
		   other ? ", the first: " : "", other ? strerror(other_errno) : "");
	if (!vcpu_open(&v))
		return 1;
	ok = guest_count(&v, &a, &b, &t0, &t1) && (int32_t)(b - a) > 0;
	e2e_result(ok, "stress failslab - afterwards a new VM's guest reads an advancing Count",
		   "%#x then %#x", a, b);
	vcpu_close(&v);
	return other || !ok;
}

/*
 * vmloop SECONDS: VMs created, run for one command and closed, in a
 * loop, while /init loads and unloads the module; any failure counts.
 */
static int stress_vmloop(unsigned int secs)
{
	int64_t end = e2e_now_ns() + secs * E2E_NSEC;
	unsigned int n = 0, bad = 0;
	uint32_t a, b;
	int64_t t0, t1;
	struct vcpu v;

	while (e2e_now_ns() < end) {
		if (!vcpu_open(&v)) {
			bad++;
			continue;
		}
		if (!guest_count(&v, &a, &b, &t0, &t1) || (int32_t)(b - a) <= 0)
			bad++;
		vcpu_close(&v);
		n++;
	}
	e2e_result(n && !bad, "stress vmloop - VMs created, run and closed while the module comes and goes",
		   "%u VMs, %u failures", n, bad);
	return !n || bad;
}

/* A KVM_GET_REG_LIST call on its own thread. */
struct reglist_call {
	int fd;
	struct kvm_reg_list *list;
	int ret, err;
};

static void *reglist_fn(void *arg)
{
	struct reglist_call *c = arg;

	c->ret = ioctl(c->fd, KVM_GET_REG_LIST, c->list);
	c->err = errno;
	return NULL;
}

/*
 * causerace N: a Compare match that falls while a ONE_REG write of Cause
 * with TI clear is under way (issue 12, finding 8). /init has loaded the
 * fixture ktb_slowcb, which holds the module's call into KVM's
 * dequeue_timer_int callback (how the module withdraws TI) for 10 ms.
 * Each round sets Compare 2 ms ahead, arms one hold, writes Cause (TI
 * and DC clear), reads Count. The match fell inside the write if Compare
 * lies between the Counts read before and after it and the fixture found
 * no timer interrupt queued when the hold began (one that came before the
 * write is rightly withdrawn by it: a round where the client was held off
 * the CPU that long is done again, up to 5 N rounds in all). Then 20 ms
 * later Cause.TI must be set. The vCPU never runs: the module's timer
 * raises TI on its own.
 */
static int stress_causerace(unsigned int n)
{
	const char *shots = "/sys/module/ktb_slowcb/parameters/shots";
	const char *early = "/sys/module/ktb_slowcb/parameters/early";
	unsigned int i, inside_n = 0, lost = 0, outside = 0;
	char first[160] = "none";
	int64_t hz = 0, cause = 0;
	struct vcpu v;
	int fd;

	fd = open(shots, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		e2e_result(false, "stress causerace - the fixture ktb_slowcb is loaded",
			   "%s: %s", shots, strerror(errno));
		return 1;
	}
	if (!vcpu_open(&v) || get_reg(&v, REG_COUNT_HZ, &hz) || hz < 1000 ||
	    get_reg(&v, REG_CAUSE, &cause) ||
	    !sreg(&v, REG_CAUSE, cause & ~(CAUSE_TI | CAUSE_DC))) {
		e2e_result(false, "stress causerace - a vCPU with COUNT_HZ and a running Count",
			   "COUNT_HZ %" PRId64 ", Cause %#" PRIx64, hz, (uint64_t)cause);
		close(fd);
		return 1;
	}
	cause &= ~(CAUSE_TI | CAUSE_DC);
	for (i = 0; inside_n < n && i < 5 * n; i++) {
		int64_t before = 0, after = 0, got = 0;
		long early0 = e2e_read_long(early);
		uint32_t compare;
		bool inside;

		if (get_reg(&v, REG_COUNT, &before))
			break;
		compare = (uint32_t)before + (uint32_t)(hz / 500);
		if (set_reg(&v, REG_COMPARE, (int32_t)compare) || write(fd, "1", 1) != 1)
			break;
		if (get_reg(&v, REG_COUNT, &before) || set_reg(&v, REG_CAUSE, cause) ||
		    get_reg(&v, REG_COUNT, &after))
			break;
		inside = (int32_t)(compare - (uint32_t)before) > 0 &&
			 (int32_t)((uint32_t)after - compare) >= 0 &&
			 early0 >= 0 && e2e_read_long(early) == early0;
		e2e_sleep_ms(20);
		if (get_reg(&v, REG_CAUSE, &got))
			break;
		if (!inside) {
			outside++;
		} else {
			inside_n++;
			if (!(got & CAUSE_TI) && !lost++)
				snprintf(first, sizeof(first),
					 "round %u: Count %#x before the write, Compare %#x, Count %#x after it, Cause %#x 20 ms later",
					 i, (uint32_t)before, compare, (uint32_t)after, (uint32_t)got);
		}
		/* Next round from TI clear, the write's own dequeue unheld. */
		if (write(fd, "0", 1) != 1 || set_reg(&v, REG_CAUSE, cause))
			break;
	}
	close(fd);
	vcpu_close(&v);
	e2e_result(inside_n == n && !lost,
		   "stress causerace - a Compare match during a Cause write that clears TI is not withdrawn",
		   "%u rounds with the match inside the write (%u more before or after it, done again), %u lost; the first lost: %s",
		   inside_n, outside, lost, first);
	return inside_n == n && !lost ? 0 : 1;
}

/*
 * uffd FILE: KVM_GET_REG_LIST into a buffer whose last ids lie on a
 * userfaultfd page nobody serves, so the call blocks inside the ids the
 * kernel's copy_reg_indices callback (which the module wraps) writes.
 * FILE says /init can try rmmod now; SIGUSR1 (or 10 s) says to serve
 * the page, after which the call must complete with every id.
 */
static int stress_uffd(const char *file)
{
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_api api = { .api = UFFD_API };
	struct timespec limit = { .tv_sec = 10 };
	struct kvm_reg_list probe = { .n = 0 }, *l;
	struct uffdio_zeropage zero = { 0 };
	struct reglist_call call;
	long pg = sysconf(_SC_PAGESIZE);
	struct vcpu v;
	sigset_t usr1;
	pthread_t t;
	char *area;
	int uffd;
	bool ok;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	if (!vcpu_open(&v))
		return 1;
	if (!ioctl(v.fd, KVM_GET_REG_LIST, &probe) || errno != E2BIG || probe.n < 4) {
		e2e_result(false, "stress uffd - KVM_GET_REG_LIST sizes itself", "%s", strerror(errno));
		return 1;
	}
	area = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (area == MAP_FAILED || uffd < 0 || ioctl(uffd, UFFDIO_API, &api)) {
		e2e_result(false, "stress uffd - userfaultfd", "%s", strerror(errno));
		return 1;
	}
	memset(area, 0, pg);
	reg.range.start = (uintptr_t)area + pg;
	reg.range.len = pg;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		e2e_result(false, "stress uffd - UFFDIO_REGISTER", "%s", strerror(errno));
		return 1;
	}
	/* The last three ids on the second page, the rest on the first. */
	l = (struct kvm_reg_list *)(area + pg - sizeof(*l) - (probe.n - 3) * 8);
	l->n = probe.n;
	call.fd = v.fd;
	call.list = l;
	pthread_create(&t, NULL, reglist_fn, &call);
	e2e_sleep_ns(200000000);
	touch(file);
	sigtimedwait(&usr1, NULL, &limit);
	zero.range = reg.range;
	ioctl(uffd, UFFDIO_ZEROPAGE, &zero);
	pthread_join(t, NULL);
	ok = !call.ret && l->reg[probe.n - 1];
	e2e_result(ok, "stress uffd - KVM_GET_REG_LIST blocked on a userfaultfd page completes once the page is served",
		   "ret %d%s%s, last id %#llx", call.ret, call.ret ? ": " : "",
		   call.ret ? strerror(call.err) : "",
		   (unsigned long long)l->reg[probe.n - 1]);
	vcpu_close(&v);
	close(uffd);
	return !ok;
}

static int stress(int argc, char **argv)
{
	unsigned int a = argc > 3 ? strtoul(argv[3], NULL, 0) : 0;
	unsigned int b = argc > 4 ? strtoul(argv[4], NULL, 0) : 0;
	int ret = 2;

	if (argc < 3)
		return 2;
	e2e_label = "stress";
	if (!strcmp(argv[2], "churn"))
		ret = stress_churn(a ?: 3000);
	else if (!strcmp(argv[2], "readstorm"))
		ret = stress_readstorm(a ?: 10);
	else if (!strcmp(argv[2], "hammer"))
		ret = stress_hammer(a ?: 20, b ?: 3);
	else if (!strcmp(argv[2], "fuzz"))
		ret = stress_fuzz(a ?: 15, b ?: 3);
	else if (!strcmp(argv[2], "failslab"))
		ret = stress_failslab(a ?: 300);
	else if (!strcmp(argv[2], "vmloop"))
		ret = stress_vmloop(a ?: 20);
	else if (!strcmp(argv[2], "causerace"))
		ret = stress_causerace(a ?: 20);
	else if (!strcmp(argv[2], "uffd") && argc > 3)
		ret = stress_uffd(argv[3]);
	e2e_summary();
	return ret;
}

static const struct { const char *name; void (*fn)(void); } tests[] = {
	{ "count-monotonic", test_count_monotonic },
	{ "count-rate", test_count_rate },
	{ "irq-im0-im7", irq_im0_im7 },
	{ "irq-im7-only", irq_im7_only },
	{ "irq-im0-only", irq_im0_only },
	{ "save-restore-jump", save_restore_jump },
	{ "save-restore-resume", save_restore_resume },
	{ "save-restore-irq", test_save_restore_irq },
	{ "hz-running", test_hz_running },
	{ "hz-frozen", test_hz_frozen },
	{ "einval", test_einval },
	{ "restore-pending", test_restore_pending },
	{ "rdhwr-cc", test_rdhwr },
	{ "count-delay-slot", test_count_bd },
	{ "cause-dc", test_cause_dc },
	{ "compare-sync", test_compare_sync },
	{ "guest-count-write", test_guest_count_write },
	{ "reg-list", test_reg_list },
	{ "ti-on-read", test_ti_on_read },
	{ "ack-pending", test_ack_pending },
	{ "dc-twice", test_dc_twice },
	{ "hz-1ghz-wrap", test_hz_1ghz },
	{ "irq-io2-own", irq_io2_own },
	{ "irq-io2-im0", irq_io2_im0 },
	{ "irq-io4-own", irq_io4_own },
	{ "irq-io4-im0", irq_io4_im0 },
	{ "count-branches", test_count_branches },
};

/* ---- bench (make bench): the trapped Count read's round trip ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * bench LABEL [BATCHES]: BATCHES batches of LOOP_MAX back-to-back guest
 * Count reads, each of which traps; the first batch warms up and is not
 * counted. The difference of consecutive Counts is one round trip (exit,
 * emulation, entry) plus four guest instructions, in Count ticks of 10 ns
 * (100 MHz, the rate of a new vCPU). Prints "@bench LABEL READS MEDIAN
 * P10 P90 MIN MAX", ticks, for scripts/bench.sh to tabulate.
 */
static int bench(const char *label, unsigned int batches)
{
	static uint32_t d[16 * LOOP_MAX];
	uint32_t args[1] = { LOOP_MAX };
	const uint32_t *c;
	unsigned int b, i, n = 0;
	struct report r;
	struct vcpu v;

	if (batches < 2 || batches > 17)
		batches = 9;
	if (!vcpu_open(&v))
		return 1;
	c = (const uint32_t *)((char *)v.mem + LOOP_OFF);
	for (b = 0; b < batches; b++) {
		if (!guest_cmd(&v, CMD_COUNT_LOOP, args, 1, &r, 10 * E2E_NSEC) ||
		    !r.has[SLOT(OUT_A)] || r.val[SLOT(OUT_A)] != LOOP_MAX) {
			e2e_result(false, "bench - the guest reads Count back to back", "batch %u: %s",
				   b, r.timeout ? "timed out" : "no report");
			vcpu_close(&v);
			return 1;
		}
		for (i = 1; b && i < LOOP_MAX; i++)
			d[n++] = c[i] - c[i - 1];
	}
	vcpu_close(&v);
	qsort(d, n, sizeof(d[0]), cmp_u32);
	printf("@bench %s %u %u %u %u %u %u\n", label, n, d[n / 2], d[n / 10],
	       d[n - 1 - n / 10], d[0], d[n - 1]);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	e2e_watchdog_init();
	if (argc < 2) {
		fprintf(stderr, "usage: %s CELL fixed|stock|observe [TEST] | hold FILE [LABEL] | adopt FILE [LABEL] | waithold FILE [LABEL] | smoke [LABEL] | bench LABEL [BATCHES] | stress ...\n",
			argv[0]);
		return 2;
	}
	kvm_fd = open("/dev/kvm", O_RDWR);
	if (kvm_fd < 0) {
		printf("not ok - open /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "hold") && argc >= 3) {
		e2e_label = argc > 3 ? argv[3] : "hold";
		return hold(argv[2]);
	}
	if (!strcmp(argv[1], "waithold") && argc >= 3) {
		e2e_label = argc > 3 ? argv[3] : "waithold";
		return waithold(argv[2]);
	}
	if (!strcmp(argv[1], "adopt") && argc >= 3) {
		e2e_label = argc > 3 ? argv[3] : "adopt";
		return adopt(argv[2]);
	}
	if (!strcmp(argv[1], "stress"))
		return stress(argc, argv);
	if (!strcmp(argv[1], "bench") && argc >= 3)
		return bench(argv[2], argc > 3 ? atoi(argv[3]) : 0);
	if (!strcmp(argv[1], "smoke")) {
		e2e_label = argc > 2 ? argv[2] : "smoke";
		return smoke();
	}
	e2e_label = argv[1];
	if (argc < 3 || (strcmp(argv[2], "fixed") && strcmp(argv[2], "stock") &&
			 strcmp(argv[2], "observe"))) {
		fprintf(stderr, "%s: CELL needs a profile: fixed, stock or observe\n", argv[0]);
		return 2;
	}
	profile = !strcmp(argv[2], "fixed") ? PROFILE_FIXED :
		  !strcmp(argv[2], "stock") ? PROFILE_STOCK : PROFILE_OBSERVE;
	e2e_observe = profile == PROFILE_OBSERVE;
	e2e_info("guest image %zu bytes, KVM_CAP_MIPS_TE %d", (size_t)(guest_image_end - guest_image),
		 ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MIPS_TE));

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (argc > 3 && strcmp(argv[3], tests[i].name))
			continue;
		ctl_einval = false;
		tests[i].fn();
	}
	return e2e_summary();
}
