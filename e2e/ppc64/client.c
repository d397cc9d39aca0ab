// SPDX-License-Identifier: GPL-2.0
/*
 * e2e-ppc64 test client: runs a real guest under kvm-hv and checks what
 * KVM_REG_PPC_TB_OFFSET does to the timebase the guest reads.
 *
 * The guest (guest.S) reads its timebase and reports it with "sc 1"; the
 * host reads its own timebase just before and just after KVM_RUN, so a
 * correct offset puts (guest TB - offset) inside that bracket, exactly,
 * with no tolerance. Every KVM_RUN has a watchdog (SIGALRM), so a guest
 * that hangs fails a check instead of hanging the rig.
 *
 * Output: one "ok - NAME[: figures]" or "not ok - NAME[: figures]" line
 * per check, "row NAME RESULT: figures" per decrementer row (behaviour
 * that differs by kernel, judged by the rig), "# ..." lines of
 * information, and last
 * "client: N passed, M failed". NAME holds only what must be the same on
 * every run and in every mode (the rig compares the names and verdicts of
 * the modes); figures hold what varies, such as timebase readings.
 *
 *   client [--debugfs] [--soak-ms MS] [--live | --quick]
 *   client stress churn [SECS [THREADS]] | fuzz [SECS [THREADS]] |
 *                 failslab [TRIES] | vmloop [SECS [absent-ok,gaps]] |
 *                 modrace SECS KTB_KO KVM_HV_KO | cpus
 *                  make stress-ppc64's loads (see the functions stress_*)
 *     --debugfs      the module is loaded: check its debugfs view of this
 *                    client's vCPUs too
 *     --soak-ms MS   how long the carry soak runs (default 1500)
 *     --live         only the live attach/detach test (test_live())
 *     --quick        only a guest run and the rounding table
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "../harness.h"
#include "guest.h"

/* uapi values (notes: upstream-semantics.md, section 1) */
#define REG_TB_OFFSET	0x103000000000009cULL
#define REG_DEC_EXPIRY	0x10300000000000beULL
_Static_assert(REG_TB_OFFSET == KVM_REG_PPC_TB_OFFSET, "TB_OFFSET id");
_Static_assert(REG_DEC_EXPIRY == KVM_REG_PPC_DEC_EXPIRY, "DEC_EXPIRY id");

#define MSR_SF		(1ULL << 63)
#define MSR_EE		(1ULL << 15)
#define MSR_ME		(1ULL << 12)
#define MSR_RI		(1ULL << 1)
#define MSR_LE		(1ULL << 0)
#define LPCR_ILE	0x0000000002000000ULL
#define LPCR_LD		0x0000000000020000ULL
_Static_assert(MSR_EE == GUEST_MSR_EE, "guest.h MSR_EE");

#define TB_LOW		(1ULL << 24)	/* offset granule */
#define GUEST_MEM	(1UL << 20)
#define RUN_MS		2000		/* watchdog of an ordinary KVM_RUN */
#define DEC_MS		1000		/* decrementer interrupt must come by */
#define CONTROL_MS	300		/* control: no interrupt within */
#define OFFSET_RUNS	60		/* KVM_RUNs per offset */
#define SOAK_MS		1500		/* carry soak duration, by default */

static int kvm_fd;
static long run_size;
static uint64_t tb_hz = 512000000;
static bool check_debugfs;
static unsigned int soak_ms = SOAK_MS;

struct vm {
	int fd;
	void *mem;
};

struct vcpu {
	int fd;
	int id;
	struct kvm_run *run;
};

/* What one KVM_RUN did. */
struct exit_info {
	uint64_t t0, t1;	/* host timebase just before and after */
	int err;		/* errno of KVM_RUN, 0 if it returned 0 */
	bool timed_out;		/* the watchdog ended it */
	uint32_t reason;
	uint64_t nr;		/* hcall number, for KVM_EXIT_PAPR_HCALL */
	uint64_t args[3];
};

static uint64_t mftb(void)
{
	return __builtin_ppc_get_timebase();
}

/*
 * Microseconds, in integers: the client uses no floating point, because
 * host FP/VMX registers do not always survive KVM_RUN here (see
 * fp_canary_run()).
 */
static uint64_t tb_us(uint64_t ticks)
{
	return ticks * 1000000 / tb_hz;
}

static uint64_t round_up_24(uint64_t raw)
{
	return (raw + TB_LOW - 1) & ~(TB_LOW - 1);
}

static int get_reg(struct vcpu *v, uint64_t id, uint64_t *val)
{
	return e2e_one_reg(v->fd, KVM_GET_ONE_REG, id, val);
}

static int set_reg(struct vcpu *v, uint64_t id, uint64_t val)
{
	return e2e_one_reg(v->fd, KVM_SET_ONE_REG, id, &val);
}

/* A VM with the guest image at guest physical 0. Returns -errno. */
static int vm_create(struct vm *vm)
{
	vm->fd = e2e_vm_create(kvm_fd, KVM_VM_PPC_HV, guest_image,
			       guest_image_end - guest_image, GUEST_MEM, &vm->mem);
	return vm->fd < 0 ? vm->fd : 0;
}

static void vm_destroy(struct vm *vm)
{
	close(vm->fd);
	munmap(vm->mem, GUEST_MEM);
}

/* Point @v at guest code @entry, real mode, MSR[EE] off. */
static int vcpu_start_at(struct vcpu *v, const unsigned char *entry)
{
	struct kvm_regs regs;

	if (ioctl(v->fd, KVM_GET_REGS, &regs))
		return -errno;
	memset(regs.gpr, 0, sizeof(regs.gpr));
	regs.pc = entry - guest_image;
	regs.msr = MSR_SF | MSR_ME | MSR_RI | MSR_LE;
	return ioctl(v->fd, KVM_SET_REGS, &regs) ? -errno : 0;
}

/*
 * A vCPU with PAPR hypercalls enabled, little-endian interrupts and the
 * 32-bit decrementer (LPCR[LD] off), about to run @entry. Returns -errno.
 */
static int vcpu_create(struct vm *vm, struct vcpu *v, int id,
		       const unsigned char *entry)
{
	struct kvm_enable_cap papr = { .cap = KVM_CAP_PPC_PAPR };
	uint64_t lpcr;
	long size;	/* run_size, which main() has set */
	int ret;

	v->id = id;
	v->fd = e2e_vcpu_create(kvm_fd, vm->fd, id, &v->run, &size);
	if (v->fd < 0)
		return v->fd;
	if (ioctl(v->fd, KVM_ENABLE_CAP, &papr))
		return -errno;
	ret = get_reg(v, KVM_REG_PPC_LPCR_64, &lpcr);
	if (!ret)
		ret = set_reg(v, KVM_REG_PPC_LPCR_64,
			      (lpcr | LPCR_ILE) & ~LPCR_LD);
	if (!ret)
		ret = vcpu_start_at(v, entry);
	return ret;
}

static void vcpu_destroy(struct vcpu *v)
{
	munmap(v->run, run_size);
	close(v->fd);
}

/* One KVM_RUN under a watchdog of @ms, bracketed by host timebase reads. */
static void vcpu_run(struct vcpu *v, unsigned int ms, struct exit_info *e)
{
	int ret;

	memset(e, 0, sizeof(*e));
	v->run->papr_hcall.ret = 0;	/* the guest's r3 on return */
	e2e_watchdog_ms(ms);
	e->t0 = mftb();
	ret = ioctl(v->fd, KVM_RUN, 0);
	e->t1 = mftb();
	/* 5.10 (unlike 6.1) can return > 0 from a successful KVM_RUN. */
	e->err = ret < 0 ? errno : 0;
	e2e_watchdog_ms(0);
	e->timed_out = e->err == EINTR;
	e->reason = v->run->exit_reason;
	if (!e->err && e->reason == KVM_EXIT_PAPR_HCALL) {
		e->nr = v->run->papr_hcall.nr;
		memcpy(e->args, v->run->papr_hcall.args, sizeof(e->args));
	}
}

/* Describe an exit that was not the expected hypercall @want. */
static const char *exit_str(const struct exit_info *e, uint64_t want)
{
	static char buf[160];

	if (e->timed_out)
		snprintf(buf, sizeof(buf), "KVM_RUN still running after the watchdog (%" PRIu64 " us)",
			 tb_us(e->t1 - e->t0));
	else if (e->err)
		snprintf(buf, sizeof(buf), "KVM_RUN: %s", strerror(e->err));
	else if (e->reason != KVM_EXIT_PAPR_HCALL)
		snprintf(buf, sizeof(buf), "exit reason %u", e->reason);
	else if (e->nr == HC_UNEXPECTED)
		snprintf(buf, sizeof(buf),
			 "unexpected guest interrupt %#" PRIx64 " at %#" PRIx64 " (SRR1 %#" PRIx64 ")",
			 e->args[0], e->args[1], e->args[2]);
	else if (e->nr != want)
		snprintf(buf, sizeof(buf), "hcall %#" PRIx64 ", wanted %#" PRIx64,
			 e->nr, want);
	else
		snprintf(buf, sizeof(buf), "as expected");
	return buf;
}

/* Run the TB loop once: true if the guest reported its timebase. */
static bool guest_tb(struct vcpu *v, struct exit_info *e)
{
	vcpu_run(v, RUN_MS, e);
	return !e->err && e->reason == KVM_EXIT_PAPR_HCALL && e->nr == HC_TB;
}

/*
 * One KVM_RUN of the TB loop with a canary in the callee-saved f31 and
 * v31, which KVM_RUN must hand back untouched. Measured on QEMU TCG with
 * Debian's 6.1 kernel (powernv9 and nested pseries, with and without the
 * module): about one KVM_RUN in a thousand, always a long one (the
 * vCPU task was interrupted or preempted inside it), returns with f14-f31
 * and v20-v31 holding the guest's values instead of the host's. The TB
 * loop's vCPU gets a recognisable FPR31 (GUEST_FPR31) to show whose
 * values they are. That is not what this rig tests, so it is counted and
 * reported, not judged.
 */
#define REG_FPR31	(0x1030000000000020ULL + 31)
_Static_assert(REG_FPR31 == KVM_REG_PPC_FPR(31), "FPR31 id");
#define GUEST_FPR31	0x9e57f00d9e57f00dULL
static unsigned int fp_runs, fp_lost, fp_guest;

static bool __attribute__((noinline)) fp_canary_run(struct vcpu *v,
						    struct exit_info *e)
{
	static const uint64_t canary[2] __attribute__((aligned(16))) = {
		0x0123456789abcdefULL, 0xfedcba9876543210ULL,
	};
	uint64_t f31 = 0, v31[2] __attribute__((aligned(16))) = { 0, 0 };

	__asm__ volatile("lfd 31,0(%0)\n\tlvx 31,0,%0"
			 : : "b"(canary) : "fr31", "v31");
	vcpu_run(v, RUN_MS, e);
	__asm__ volatile("stfd 31,0(%0)\n\tstvx 31,0,%1"
			 : : "b"(&f31), "b"(v31) : "memory");
	fp_runs++;
	if (f31 != canary[0] || memcmp(v31, canary, sizeof(v31)))
		fp_lost++;
	if (f31 == GUEST_FPR31)
		fp_guest++;
	return !e->err && e->reason == KVM_EXIT_PAPR_HCALL && e->nr == HC_TB;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * guest TB - offset - host TB before KVM_RUN over all runs: min, max and
 * count exact, the median over the first runs that fit.
 */
static uint64_t all_deltas[16384], all_min = UINT64_MAX, all_max;
static unsigned int nr_deltas, all_runs;

static void add_delta(uint64_t d)
{
	if (nr_deltas < sizeof(all_deltas) / sizeof(all_deltas[0]))
		all_deltas[nr_deltas++] = d;
	if (d < all_min)
		all_min = d;
	if (d > all_max)
		all_max = d;
	all_runs++;
}

/*
 * Run @v @runs times (or for @ms if @runs is 0) with offset @off applied:
 * true if every guest reading minus @off fell inside the host's bracket.
 * The median is over the first runs only, as many as fit in the buffer.
 */
struct tb_stats {
	unsigned int runs, outside, wraps;
	uint64_t dmin, dmed, dmax, wmax;
	int64_t worst;		/* largest deviation outside the bracket */
	char err[160];
};

static bool run_offset(struct vcpu *v, uint64_t off, unsigned int runs,
		       unsigned int ms, struct tb_stats *s)
{
	static uint64_t d[16384];
	const unsigned int cap = sizeof(d) / sizeof(d[0]);
	uint64_t end = mftb() + ms * (tb_hz / 1000);
	struct exit_info e;

	memset(s, 0, sizeof(*s));
	s->dmin = UINT64_MAX;
	while (runs ? s->runs < runs : mftb() < end) {
		uint64_t g, dev, w;

		if (!fp_canary_run(v, &e)) {
			snprintf(s->err, sizeof(s->err), "%s", exit_str(&e, HC_TB));
			return false;
		}
		g = e.args[0];
		w = e.t1 - e.t0;
		dev = g - off - e.t0;	/* in [0, w] when right */
		if (dev > w) {
			int64_t sd = (int64_t)dev < 0 ? (int64_t)dev :
				     (int64_t)(dev - w);

			s->outside++;
			if (!s->worst || llabs(sd) > llabs(s->worst))
				s->worst = sd;
		}
		if ((e.t0 >> 24) != (e.t1 >> 24))
			s->wraps++;
		if (w > s->wmax)
			s->wmax = w;
		if (dev < s->dmin)
			s->dmin = dev;
		if (dev > s->dmax)
			s->dmax = dev;
		if (s->runs < cap)
			d[s->runs] = dev;
		s->runs++;
		add_delta(dev);
	}
	if (s->runs) {
		unsigned int n = s->runs < cap ? s->runs : cap;

		qsort(d, n, sizeof(d[0]), cmp_u64);
		s->dmed = d[n / 2];
	}
	return !s->outside;
}

static void report_offset(bool ok, const char *name, const struct tb_stats *s)
{
	if (s->err[0])
		e2e_result(false, name, "run %u: %s", s->runs + 1, s->err);
	else if (!ok)
		e2e_result(false, name,
			   "%u of %u guest readings outside the host bracket, worst by %" PRId64 " ticks",
			   s->outside, s->runs, s->worst);
	else
		e2e_result(true, name,
			   "%u runs, guest TB - offset - host TB before KVM_RUN min/median/max %" PRIu64 "/%" PRIu64 "/%" PRIu64 " ticks, bracket <= %" PRIu64,
			   s->runs, s->dmin, s->dmed, s->dmax, s->wmax);
}

/* A VM with one vCPU running the TB loop; false (and a failed check) if not. */
static bool setup_one(struct vm *vm, struct vcpu *v, const char *what)
{
	char name[96];
	int ret = vm_create(vm);

	if (!ret)
		ret = vcpu_create(vm, v, 0, guest_tb_loop);
	if (ret) {
		snprintf(name, sizeof(name), "%s, VM and vCPU", what);
		e2e_result(false, name, "%s", strerror(-ret));
	}
	return !ret;
}

/* A VM is created (KVM_CREATE_VM, not /dev/kvm, is what proves kvm-hv works) and a guest runs. */
static void test_guest_runs(void)
{
	struct exit_info e;
	struct vcpu v;
	struct vm vm;
	uint64_t lpcr = 0;
	int ret;

	ret = vm_create(&vm);
	e2e_result(!ret, "KVM_CREATE_VM(KVM_VM_PPC_HV) and a memory slot", ret ? "%s" : NULL,
		   strerror(-ret));
	if (ret)
		e2e_finish();
	ret = vcpu_create(&vm, &v, 0, guest_tb_loop);
	e2e_result(!ret, "KVM_CREATE_VCPU, KVM_CAP_PPC_PAPR, LPCR[ILE] set and [LD] clear",
		   ret ? "%s" : NULL, strerror(-ret));
	if (ret)
		e2e_finish();
	get_reg(&v, KVM_REG_PPC_LPCR_64, &lpcr);
	e2e_info("guest LPCR %#" PRIx64 ", timebase %" PRIu64 " Hz", lpcr, tb_hz);
	if (!guest_tb(&v, &e)) {
		e2e_result(false, "the guest runs and reports its timebase with sc 1", "%s",
			   exit_str(&e, HC_TB));
		e2e_finish();
	}
	e2e_result(true, "the guest runs and reports its timebase with sc 1",
		   "host %#" PRIx64 " guest %#" PRIx64 ", first KVM_RUN %" PRIu64 " us",
		   e.t0, e.args[0], tb_us(e.t1 - e.t0));
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/*
 * The guest's timebase is the host's plus the rounded offset, exactly.
 * The low 24 bits of an offset are always zero after rounding, so the
 * entry/exit code's carry fix-up depends only on when the host's low 24
 * bits wrap, which nothing here can force: the soak below makes many
 * entries and counts how many KVM_RUNs a wrap fell into.
 */
static void test_offsets(void)
{
	static const uint64_t raws[] = {
		0, 1, 0xffffff, 0x1000000, 0x1000001,
		0x123456789abcdefULL, 1ULL << 63,
		-1ULL, -0x1000000ULL, -0x1000001ULL, -0x123456789abcdefULL,
	};
	struct tb_stats s;
	struct vcpu v;
	struct vm vm;
	char name[128];
	unsigned int i;
	uint64_t got;

	if (!setup_one(&vm, &v, "guest TB offsets"))
		return;
	set_reg(&v, REG_FPR31, GUEST_FPR31);
	for (i = 0; i < sizeof(raws) / sizeof(raws[0]); i++) {
		int ret = set_reg(&v, REG_TB_OFFSET, raws[i]);

		if (!ret)
			ret = get_reg(&v, REG_TB_OFFSET, &got);
		snprintf(name, sizeof(name), "guest TB = host TB + %#" PRIx64 " after SET TB_OFFSET %#" PRIx64,
			 ret ? 0 : got, raws[i]);
		if (ret) {
			e2e_result(false, name, "ONE_REG: %s", strerror(-ret));
			continue;
		}
		if (got != round_up_24(raws[i])) {
			e2e_result(false, name, "GET returned %#" PRIx64 ", not the rounded %#" PRIx64,
				   got, round_up_24(raws[i]));
			continue;
		}
		report_offset(run_offset(&v, got, OFFSET_RUNS, 0, &s), name, &s);
	}

	/* The carry soak. */
	got = 0;
	if (set_reg(&v, REG_TB_OFFSET, 0x5a5a5a5a5a5a5aULL) ||
	    get_reg(&v, REG_TB_OFFSET, &got)) {
		e2e_result(false, "carry soak", "ONE_REG failed");
	} else {
		bool ok = run_offset(&v, got, 0, soak_ms, &s);

		snprintf(name, sizeof(name), "carry soak, guest TB = host TB + %#" PRIx64 " on every KVM_RUN",
			 got);
		report_offset(ok, name, &s);
		e2e_info("carry soak: %u KVM_RUNs in %u ms, each a guest entry (TB += offset through TBU40) and exit (TB -= offset); the host TB's low 24 bits wrapped inside %u of them. The carry fix-up runs only if a wrap falls between the kernel's mftb and mtspr TBU40: not forced, and not observable from here (on powernv the rig counts it in QEMU's trace)",
			 s.runs, soak_ms, s.wraps);
	}
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/* SET raw, GET the rounded value (notes section 5 and kunit/ppc_tb_kunit.c). */
static void test_rounding(void)
{
	static const uint64_t rows[][2] = {
		{ 0, 0 },
		{ 1, 0x1000000 },
		{ 0xffffff, 0x1000000 },
		{ 0x1000000, 0x1000000 },
		{ 0x1000001, 0x2000000 },
		{ 0x123456789abcdefULL, 0x12345678a000000ULL },
		{ ~0ULL, 0 },
		{ ~0ULL - 0xffffff, ~0ULL - 0xffffff },
		{ ~0ULL - 0x1000000, ~0ULL - 0xffffff },
		{ -0x1000001ULL, -0x1000000ULL },
		{ -0x1000000ULL, -0x1000000ULL },
		{ -1ULL, 0 },
		{ 1ULL << 63, 1ULL << 63 },
	};
	struct vcpu v;
	struct vm vm;
	char name[128];
	unsigned int i;

	if (!setup_one(&vm, &v, "rounding"))
		return;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint64_t got = 0;
		int ret = set_reg(&v, REG_TB_OFFSET, rows[i][0]);
		int gret = get_reg(&v, REG_TB_OFFSET, &got);

		snprintf(name, sizeof(name), "rounding SET %#" PRIx64 " GET %#" PRIx64 " (want %#" PRIx64 ")",
			 rows[i][0], got, rows[i][1]);
		if (ret || gret)
			e2e_result(false, name, "SET: %s, GET: %s", strerror(-ret),
				   strerror(-gret));
		else
			e2e_result(got == rows[i][1], name, NULL);
	}
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/* Print the module's debugfs view and check it lists @n vCPUs of ours with @offs. */
static void check_debugfs_view(struct vcpu *v, unsigned int n, const uint64_t *offs)
{
	const char *path = "/sys/kernel/debug/kvm_timer_backport/vcpus";
	FILE *f = fopen(path, "r");
	unsigned int found = 0, right = 0, i;
	char line[256];

	if (!f) {
		e2e_result(false, "debugfs kvm_timer_backport/vcpus lists this VM's vCPUs", "%s: %s",
			   path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		int pid, id;
		unsigned long long off, dec;

		line[strcspn(line, "\n")] = 0;
		e2e_info("debugfs: %s", line);
		if (sscanf(line, "vm %d vcpu %d: tb_offset %llx dec_expires %llx",
			   &pid, &id, &off, &dec) != 4 || pid != getpid())
			continue;
		for (i = 0; i < n; i++) {
			if (v[i].id == id) {
				found++;
				right += off == offs[i];
			}
		}
	}
	fclose(f);
	e2e_result(found == n && right == n,
		   "debugfs kvm_timer_backport/vcpus lists this VM's vCPUs with their TB_OFFSET",
		   "%u of %u listed, %u with the offset GET returns", found, n, right);
}

/*
 * QEMU's PPC migration (notes section 6), four times over, on 2 vCPUs: save
 * guest_timebase = host TB + GET TB_OFFSET; the VM stays stopped while the
 * host sleeps; load: SET TB_OFFSET = guest_timebase - host TB, the raw
 * value, on every vCPU. Since SET rounds up, the guest's TB must go on
 * from where it was as if no time had passed, at most 2^24 - 1 ticks
 * ahead, and never back.
 */
static void test_migration(void)
{
	static const unsigned int sleeps[] = { 3, 17, 41, 97 };
	struct vcpu v[2];
	struct vm vm;
	uint64_t last[2] = { 0, 0 }, off[2];
	char name[128];
	unsigned int r, i;
	int ret;

	ret = vm_create(&vm);
	for (i = 0; !ret && i < 2; i++)
		ret = vcpu_create(&vm, &v[i], i, guest_tb_loop);
	if (ret) {
		e2e_result(false, "migration, VM with 2 vCPUs", "%s", strerror(-ret));
		return;
	}

	/* The source host ran the guest with some offset. */
	for (i = 0; i < 2; i++) {
		struct exit_info e;

		ret = set_reg(&v[i], REG_TB_OFFSET, 0x7654321000000ULL);
		if (ret || !guest_tb(&v[i], &e)) {
			e2e_result(false, "migration, the source runs", "%s",
				   ret ? strerror(-ret) : exit_str(&e, HC_TB));
			return;
		}
		last[i] = e.args[0];
	}

	for (r = 0; r < sizeof(sleeps) / sizeof(sleeps[0]); r++) {
		uint64_t tb_off, gtb, t_load, raw, lo[2] = { 0 }, hi[2] = { 0 };
		uint64_t step[2] = { 0 };
		bool back = false, jump_ok = true, get_ok = true;
		struct exit_info e[2];
		char err[200] = "";

		/* save */
		ret = get_reg(&v[0], REG_TB_OFFSET, &tb_off);
		gtb = mftb() + tb_off;
		e2e_sleep_ms(sleeps[r]);
		/* load */
		t_load = mftb();
		raw = gtb - t_load;
		for (i = 0; i < 2 && !ret; i++)
			ret = set_reg(&v[i], REG_TB_OFFSET, raw);
		for (i = 0; i < 2 && !ret; i++) {
			ret = get_reg(&v[i], REG_TB_OFFSET, &off[i]);
			get_ok &= off[i] == round_up_24(raw);
		}
		if (ret) {
			snprintf(name, sizeof(name), "migration round %u, ONE_REG", r + 1);
			e2e_result(false, name, "%s", strerror(-ret));
			break;
		}
		snprintf(name, sizeof(name), "migration round %u, both vCPUs GET round_up(guest_timebase - host TB)",
			 r + 1);
		e2e_result(get_ok, name, "raw %#" PRIx64 " -> %#" PRIx64 " / %#" PRIx64 " (jump %" PRId64 " ticks)",
			   raw, off[0], off[1], (int64_t)(off[0] - raw));

		for (i = 0; i < 2; i++) {
			if (!guest_tb(&v[i], &e[i])) {
				snprintf(err, sizeof(err), "vCPU %u: %s", i,
					 exit_str(&e[i], HC_TB));
				break;
			}
			/*
			 * "No time passed" would have the guest read
			 * gtb + (h - t_load) at host time h in [t0, t1]:
			 * the jump lies in [lo, hi].
			 */
			lo[i] = e[i].args[0] - gtb - (e[i].t1 - t_load);
			hi[i] = e[i].args[0] - gtb - (e[i].t0 - t_load);
			if ((int64_t)(e[i].args[0] - last[i]) <= 0)
				back = true;
			if ((int64_t)hi[i] < 0 || (int64_t)lo[i] >= (int64_t)TB_LOW)
				jump_ok = false;
			step[i] = e[i].args[0] - last[i];
			last[i] = e[i].args[0];
		}
		if (err[0]) {
			snprintf(name, sizeof(name), "migration round %u, the guest runs after load", r + 1);
			e2e_result(false, name, "%s", err);
			break;
		}
		snprintf(name, sizeof(name), "migration round %u (host sleeps %u ms), guest TB never goes backwards",
			 r + 1, sleeps[r]);
		e2e_result(!back, name, "vCPU 0 %+" PRId64 ", vCPU 1 %+" PRId64 " ticks since its last reading",
			   (int64_t)step[0], (int64_t)step[1]);
		snprintf(name, sizeof(name), "migration round %u, guest TB jumps forward by less than 2^24 ticks",
			 r + 1);
		e2e_result(jump_ok, name, "rounding adds %" PRId64 "; measured jump in [%" PRId64 ", %" PRId64 "] on vCPU 0, [%" PRId64 ", %" PRId64 "] on vCPU 1",
			   (int64_t)(off[0] - raw), (int64_t)lo[0], (int64_t)hi[0], (int64_t)lo[1], (int64_t)hi[1]);
		if (check_debugfs && r == 0)
			check_debugfs_view(v, 2, off);
	}
	for (i = 0; i < 2; i++)
		vcpu_destroy(&v[i]);
	vm_destroy(&vm);
}

/*
 * Decrementer rows. What the kernel does with DEC_EXPIRY depends on its
 * era (host timebase units up to 5.16, guest units from 5.17) and on
 * whether it has the migration fix (6.1), so these are not ok/not-ok
 * checks: each prints "row NAME RESULT: figures" and the rig judges
 * RESULT by what the kernel and the mode should give.
 */
#define DEC_AHEAD	(tb_hz / 50)	/* an expiry 20 ms ahead */
#define ORDER_OFFSET	0x3000000ULL	/* ~98 ms at 512 MHz */

static void __attribute__((format(printf, 3, 4)))
row(const char *name, const char *res, const char *fmt, ...)
{
	va_list ap;

	printf("row %s %s: ", name, res);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/*
 * A VM whose vCPU 0 has run once (the guest's code is faulted in, so a
 * vCPU created next enters at once) and that vCPU 1, fresh, waiting for
 * its decrementer. On POWER8 both share a virtual core, and so its
 * offset: vCPU 0 does not run again.
 */
static bool dec_setup(struct vm *vm, struct vcpu *warm, struct vcpu *v,
		      const char *name)
{
	struct exit_info e;
	int ret;

	if (!setup_one(vm, warm, name))
		return false;
	if (!guest_tb(warm, &e)) {
		row(name, "error", "warm-up run: %s", exit_str(&e, HC_TB));
		return false;
	}
	ret = vcpu_create(vm, v, 1, guest_dec_wait);
	if (ret) {
		row(name, "error", "vCPU 1: %s", strerror(-ret));
		return false;
	}
	return true;
}

static void dec_teardown(struct vm *vm, struct vcpu *warm, struct vcpu *v)
{
	vcpu_destroy(v);
	vcpu_destroy(warm);
	vm_destroy(vm);
}

/*
 * Run @v until its decrementer interrupt (at most DEC_MS) and classify
 * when it came against @want, the guest timebase it was due at:
 * "on-time" within [0, ORDER_OFFSET / 2) after it, "offset-late" that
 * much after @want + @late_by, else "early", "late" or "hang".
 */
static const char *dec_wait(struct vcpu *v, uint64_t want, uint64_t late_by,
			    int64_t *err, struct exit_info *e)
{
	vcpu_run(v, DEC_MS, e);
	*err = 0;
	if (e->timed_out)
		return "hang";
	if (e->err || e->reason != KVM_EXIT_PAPR_HCALL || e->nr != HC_DEC)
		return "error";
	*err = (int64_t)(e->args[0] - want);
	if (*err >= 0 && *err < (int64_t)(ORDER_OFFSET / 2))
		return "on-time";
	if (late_by && *err - (int64_t)late_by >= 0 &&
	    *err - (int64_t)late_by < (int64_t)(ORDER_OFFSET / 2))
		return "offset-late";
	return *err < 0 ? "early" : "late";
}

/* The figures of a dec_wait(). */
static const char *dec_figures(const char *res, int64_t err,
			       const struct exit_info *e)
{
	static char buf[200];

	if (!strcmp(res, "hang"))
		snprintf(buf, sizeof(buf), "no interrupt within %u ms", DEC_MS);
	else if (!strcmp(res, "error"))
		snprintf(buf, sizeof(buf), "%s", exit_str(e, HC_DEC));
	else
		snprintf(buf, sizeof(buf), "guest TB at the interrupt - expiry = %" PRId64 " ticks (%" PRId64 " us), after %" PRIu64 " us",
			 err, err / (int64_t)(tb_hz / 1000000),
			 tb_us(e->t1 - e->t0));
	return buf;
}

/* What a brand-new vCPU's DEC_EXPIRY reads: 0 (6.1+) or its creation. */
static void row_new_vcpu(void)
{
	struct vcpu v;
	struct vm vm;
	uint64_t t0, t1, dec = 0;
	const char *res;
	int ret;

	ret = vm_create(&vm);
	t0 = mftb();
	ret = ret ?: vcpu_create(&vm, &v, 0, guest_dec_wait);
	t1 = mftb();
	ret = ret ?: get_reg(&v, REG_DEC_EXPIRY, &dec);
	if (ret) {
		row("new-vcpu-expiry", "error", "%s", strerror(-ret));
		return;
	}
	res = !dec ? "0" : dec - t0 <= t1 - t0 ? "creation" : "other";
	row("new-vcpu-expiry", res, "DEC_EXPIRY %#" PRIx64 ", host TB around KVM_CREATE_VCPU [%#" PRIx64 ", %#" PRIx64 "]",
	    dec, t0, t1);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/*
 * DEC_EXPIRY 0, then TB_OFFSET without DEC_EXPIRY: the fix-up of 6.1
 * makes the expiry "now"; a 5.17-6.0 kernel leaves 0, which lies ~3.7 s
 * (0x70000000 ticks, 32-bit decrementer) ahead of the guest's timebase
 * with the offset chosen here; the host era reads 0 + offset (its 0 is
 * a host timebase, not "unset").
 */
static void row_fixup(void)
{
	struct vcpu warm, v;
	struct exit_info e;
	struct vm vm;
	uint64_t raw, off = 0, dec = 0, s0, s1;
	const char *res;
	int64_t err;
	int ret;

	if (!dec_setup(&vm, &warm, &v, "fixup"))
		return;
	ret = set_reg(&v, REG_DEC_EXPIRY, 0);
	s0 = mftb();
	raw = ((0x90000000ULL - (s0 & 0xffffffffULL)) & 0xffffffffULL) + 0x300000000ULL;
	ret = ret ?: set_reg(&v, REG_TB_OFFSET, raw);
	s1 = mftb();
	ret = ret ?: get_reg(&v, REG_TB_OFFSET, &off);
	ret = ret ?: get_reg(&v, REG_DEC_EXPIRY, &dec);
	if (ret) {
		row("fixup", "error", "%s", strerror(-ret));
		dec_teardown(&vm, &warm, &v);
		return;
	}
	res = dec - off - s0 <= s1 - s0 ? "now" : dec == off ? "offset" :
	      !dec ? "0" : "other";
	row("fixup", res, "offset %#" PRIx64 ", DEC_EXPIRY %#" PRIx64 ", host TB during SET [%#" PRIx64 ", %#" PRIx64 "]",
	    off, dec, s0, s1);
	if (dec == off) {
		/*
		 * The host era: the expiry is host timebase 0, and the
		 * 32-bit decrementer loaded at entry is the low half of
		 * 0 - host TB, whatever that is: nothing to judge.
		 */
		row("fixup-irq", "n/a", "host timebase era, expiry at host TB 0");
		dec_teardown(&vm, &warm, &v);
		return;
	}
	res = dec_wait(&v, dec, 0, &err, &e);
	/* Any interrupt will do: the expiry lies in the past. */
	if (strcmp(res, "hang") && strcmp(res, "error"))
		res = "irq";
	row("fixup-irq", res, "%s", dec_figures(res, err, &e));
	dec_teardown(&vm, &warm, &v);
}

/*
 * QEMU's incoming migration on a fresh vCPU: SET TB_OFFSET (guest
 * timebase of the source - host timebase, negative here: the source
 * booted later) and no DEC_EXPIRY. The guest must get its decrementer
 * at once; a 5.17-6.0 kernel keeps the creation's host timebase as a
 * guest value, 0x6f000000 ticks (~3.6 s) ahead.
 */
static void row_fresh_migration(void)
{
	const uint64_t raw = -0x70000000ULL + 0x123456;
	struct vcpu warm, v;
	struct exit_info e;
	struct vm vm;
	uint64_t off = 0, dec = 0;
	const char *res;
	int64_t err;
	int ret;

	if (!dec_setup(&vm, &warm, &v, "fresh-migration"))
		return;
	ret = set_reg(&v, REG_TB_OFFSET, raw);
	ret = ret ?: get_reg(&v, REG_TB_OFFSET, &off);
	ret = ret ?: get_reg(&v, REG_DEC_EXPIRY, &dec);
	if (ret) {
		row("fresh-migration", "error", "%s", strerror(-ret));
		dec_teardown(&vm, &warm, &v);
		return;
	}
	res = dec_wait(&v, dec, 0, &err, &e);
	if (strcmp(res, "hang") && strcmp(res, "error"))
		res = "irq";
	row("fresh-migration", res, "offset %#" PRIx64 ", DEC_EXPIRY %#" PRIx64 "; %s",
	    off, dec, dec_figures(res, err, &e));
	dec_teardown(&vm, &warm, &v);
}

/*
 * DEC_EXPIRY set 20 ms ahead, after (@before false) or before TB_OFFSET:
 * what GET returns afterwards and when the interrupt comes. After, both
 * eras keep the value. Before, the host era moves it by the offset (it
 * stores value - offset in force, then adds the new one), the guest era
 * keeps it.
 */
static void row_dec_expiry(bool before)
{
	const char *name = before ? "dec-before-offset" : "dec-after-offset";
	const uint64_t off = before ? ORDER_OFFSET : 0x7654321000000ULL;
	char gname[64], iname[64];
	struct vcpu warm, v;
	struct exit_info e;
	struct vm vm;
	uint64_t want, got = 0;
	const char *res;
	int64_t err;
	int ret = 0;

	snprintf(gname, sizeof(gname), "%s-get", name);
	snprintf(iname, sizeof(iname), "%s-irq", name);
	if (!dec_setup(&vm, &warm, &v, name))
		return;
	if (!before)
		ret = set_reg(&v, REG_TB_OFFSET, off);
	want = mftb() + off + DEC_AHEAD;
	ret = ret ?: set_reg(&v, REG_DEC_EXPIRY, want);
	if (before)
		ret = ret ?: set_reg(&v, REG_TB_OFFSET, off);
	ret = ret ?: get_reg(&v, REG_DEC_EXPIRY, &got);
	if (ret) {
		row(gname, "error", "%s", strerror(-ret));
		dec_teardown(&vm, &warm, &v);
		return;
	}
	res = got == want ? "kept" : got == want + off ? "moved" : "other";
	row(gname, res, "set %#" PRIx64 ", GET %#" PRIx64 " (%+" PRId64 "), offset %#" PRIx64,
	    want, got, (int64_t)(got - want), off);
	res = dec_wait(&v, want, before ? off : 0, &err, &e);
	row(iname, res, "%s", dec_figures(res, err, &e));
	dec_teardown(&vm, &warm, &v);
}

/*
 * Control, an ok/not-ok check in every era: an expiry 2 s ahead, set
 * after TB_OFFSET, gives no interrupt within CONTROL_MS (the watchdog
 * ends KVM_RUN), so a "hang" row above is a real one.
 */
static void test_decrementer_control(void)
{
	struct vcpu warm, v;
	struct exit_info e;
	struct vm vm;
	char name[160];
	int ret;

	if (!dec_setup(&vm, &warm, &v, "control"))
		return;
	ret = set_reg(&v, REG_TB_OFFSET, 0x5000000);
	ret = ret ?: set_reg(&v, REG_DEC_EXPIRY, mftb() + 0x5000000 + 2 * tb_hz);
	if (!ret)
		vcpu_run(&v, CONTROL_MS, &e);
	snprintf(name, sizeof(name), "decrementer control, DEC_EXPIRY set 2 s ahead gives no interrupt within %u ms (the watchdog ends KVM_RUN)",
		 CONTROL_MS);
	e2e_result(!ret && e.timed_out, name, "%s",
		   ret ? strerror(-ret) : exit_str(&e, HC_DEC));
	dec_teardown(&vm, &warm, &v);
}

static void test_decrementer(void)
{
	row_new_vcpu();
	row_fixup();
	row_fresh_migration();
	row_dec_expiry(false);
	row_dec_expiry(true);
	test_decrementer_control();
}

/* Tell /init we reached @stage, and wait (at most a minute) for SIGUSR1. */
static bool live_stage(int stage)
{
	struct timespec limit = { .tv_sec = 60 };
	FILE *f = fopen("/tmp/live-stage", "w");
	sigset_t usr1;

	if (!f)
		return false;
	fprintf(f, "%d\n", stage);
	fclose(f);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	return sigtimedwait(&usr1, NULL, &limit) == SIGUSR1;
}

/* SET @raw, GET the rounded value back, and run with it. */
static void live_check(struct vcpu *v, const char *when, uint64_t raw)
{
	struct tb_stats s;
	char name[160];
	uint64_t got = 0;
	int ret = set_reg(v, REG_TB_OFFSET, raw);

	ret = ret ?: get_reg(v, REG_TB_OFFSET, &got);
	snprintf(name, sizeof(name), "live %s, SET TB_OFFSET %#" PRIx64 " GET %#" PRIx64 " and the guest TB follows",
		 when, raw, got);
	if (ret || got != round_up_24(raw)) {
		e2e_result(false, name, "%s", ret ? strerror(-ret) : "GET is not the rounded value");
		return;
	}
	report_offset(run_offset(v, got, OFFSET_RUNS, 0, &s), name, &s);
}

/*
 * --live: one VM lives across the module's arrival and departure. /init
 * loads the module (takeover=1) at stage 1 and removes it at stage 2; the
 * VM was created before the module attached, so it does not pin it, and
 * its vCPU must go on working through the patched and then the restored
 * ops table, keeping its offset across each change.
 */
static void test_live(void)
{
	uint64_t got = 0;
	struct vcpu v;
	struct vm vm;
	sigset_t usr1;

	/* Blocked, so that it waits for sigtimedwait() and kills nothing. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);

	if (!setup_one(&vm, &v, "live"))
		return;
	live_check(&v, "before insmod", 0x123456789abcdefULL);

	e2e_result(live_stage(1), "live, /init loaded the module while the VM lives", NULL);
	e2e_result(!get_reg(&v, REG_TB_OFFSET, &got) && got == 0x12345678a000000ULL,
		   "live, after insmod GET TB_OFFSET still returns 0x12345678a000000",
		   "%#" PRIx64, got);
	live_check(&v, "after insmod", 0x1000001);

	e2e_result(live_stage(2), "live, /init removed the module while the VM lives", NULL);
	e2e_result(!get_reg(&v, REG_TB_OFFSET, &got) && got == 0x2000000,
		   "live, after rmmod GET TB_OFFSET still returns 0x2000000",
		   "%#" PRIx64, got);
	live_check(&v, "after rmmod", -0x1000001ULL);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/* ---- stress (make stress-ppc64): several parties on the same VMs ---- */

/*
 * The stress commands (scripts/stress-ppc64.sh, e2e/ppc64/stress-init)
 * print, besides their ok / not ok lines, "@fig NAME N" lines that the
 * rig adds up over the run: operations, faults injected, errors by errno.
 */
#define ST_THREADS_MAX	8
#define ST_SLOTS	3
#define ST_VCPUS	3
/*
 * A TB-loop KVM_RUN that takes longer hangs. A VM's first one allocates
 * its hash page table (16 MiB from CMA, migrating what is there), which
 * has taken over 5 s under TCG with the other threads busy.
 */
#define ST_RUN_MS	30000

/*
 * vCPU ids of a stress VM: 0 and 1 (one virtual core where the host's
 * cores have the threads for it), 8 (another one in any case).
 */
static const int st_ids[ST_VCPUS] = { 0, 1, 8 };
static volatile int st_stop;

static void st_vcpu_init(struct vcpu *v)
{
	v->fd = -1;
	v->run = MAP_FAILED;
}

static void st_vcpu_close(struct vcpu *v)
{
	if (v->run != MAP_FAILED)
		munmap(v->run, run_size);
	if (v->fd >= 0)
		close(v->fd);
	st_vcpu_init(v);
}

static void st_vm_close(struct vm *vm, struct vcpu *v, unsigned int nv)
{
	unsigned int i;

	for (i = 0; i < nv; i++)
		st_vcpu_close(&v[i]);
	if (vm->mem != MAP_FAILED)
		munmap(vm->mem, GUEST_MEM);
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
	vm->mem = MAP_FAILED;
}

/*
 * A VM with @nv vCPUs (ids st_ids[]) about to run the TB loop; -errno,
 * with everything it opened closed again, if any step fails.
 */
static int st_vm_open(struct vm *vm, struct vcpu *v, unsigned int nv)
{
	unsigned int i;
	int ret;

	vm->fd = -1;
	vm->mem = MAP_FAILED;
	for (i = 0; i < nv; i++)
		st_vcpu_init(&v[i]);
	ret = vm_create(vm);
	for (i = 0; !ret && i < nv; i++)
		ret = vcpu_create(vm, &v[i], st_ids[i], guest_tb_loop);
	if (ret)
		st_vm_close(vm, v, nv);
	return ret;
}

/*
 * The watchdog's ticks: stress_churn()'s main thread counts its 100 ms
 * sleeps, and a run is as old as the ticks since it began. Not the
 * clock: a worker's timestamp compared with the main thread's gave
 * false hangs here (a KVM_RUN of 169 ms taken for one older than 30 s;
 * not diagnosed, stock 5.10 without the module as well).
 */
static volatile uint64_t st_ticks = 1;

/*
 * One KVM_RUN of the TB loop from any thread: no process-wide watchdog
 * (stress_churn()'s main thread interrupts a run older than ST_RUN_MS
 * with SIGALRM, through *since). -errno, or 0 and the guest's timebase in
 * *gtb with the host's before the run in *t0.
 */
static int st_run(struct vcpu *v, volatile uint64_t *since, uint64_t *t0,
		  uint64_t *gtb, char *why, size_t len)
{
	int ret;

	v->run->papr_hcall.ret = 0;
	if (since)
		*since = st_ticks;
	*t0 = mftb();
	ret = ioctl(v->fd, KVM_RUN, 0);
	if (since)
		*since = 0;
	if (ret < 0) {
		ret = errno;
		snprintf(why, len, "KVM_RUN: %s%s", e2e_errname(ret),
			 ret == EINTR ? " (still running after the watchdog's 30 s)" : "");
		return -ret;
	}
	if (v->run->exit_reason != KVM_EXIT_PAPR_HCALL || v->run->papr_hcall.nr != HC_TB) {
		snprintf(why, len, "KVM_RUN: exit reason %u, hcall %#llx, not the guest's timebase report",
			 v->run->exit_reason, (unsigned long long)v->run->papr_hcall.nr);
		return -EPROTO;
	}
	*gtb = v->run->papr_hcall.args[0];
	return 0;
}

/*
 * churn: ST_SLOTS live VMs of ST_VCPUS vCPUs each, shared by worker
 * threads that SET and GET TB_OFFSET and DEC_EXPIRY on random vCPUs, run
 * the guest, and now and then destroy a VM and create a new one in its
 * slot. A TB_OFFSET a thread sets says who set it on which vCPU of which
 * VM:
 *
 *   bits 63-56  the thread's number + 1
 *   bits 55-52  the vCPU's index in the VM (0-2)
 *   bits 51-48  the slot's generation (one per VM created in it)
 *   bits 47-28  a counter, per slot and thread, taken before the SET
 *   bits 27-24  0
 *   bits 23-0   random (0 one time in four)
 *
 * which the kernel (or the module) rounds up to a multiple of 2^24: bits
 * 27-24 become 1 unless bits 23-0 were 0. The offset belongs to a
 * virtual core, which vCPUs may share (KVM_CREATE_VCPU decides from the
 * host's threads per core): which ones do is found out on each new VM
 * (a SET on one, a GET on the others). So a GET TB_OFFSET on a vCPU must
 * return 0 if no SET on its virtual core had returned, and otherwise
 * exactly such a value: a thread that exists, a vCPU of the same virtual
 * core, this VM's generation, a counter that thread has taken. The
 * guest's timebase minus the host's before KVM_RUN must carry the same
 * (the guest runs with one of the values set). Every ioctl must succeed.
 * A slot's VM is recreated under its write lock; everything else holds
 * it for reading.
 */
struct st_slot {
	pthread_rwlock_t lock;
	struct vm vm;
	struct vcpu v[ST_VCPUS];
	bool live;
	unsigned int gen;
	bool share[ST_VCPUS][ST_VCPUS];		/* same virtual core */
	unsigned long issued[ST_THREADS_MAX];	/* counters taken (atomic) */
	int set_done[ST_VCPUS];			/* a SET has returned (atomic) */
};

static struct st_slot st_slots[ST_SLOTS];
static unsigned int st_nthreads;

struct st_worker {
	pthread_t thread;
	unsigned int idx;
	uint32_t seed;
	volatile uint64_t run_since;	/* watchdog tick at KVM_RUN, or 0 */
	unsigned long ops, sets, gets, dec_sets, dec_gets, runs, vms, bad;
	uint64_t longest_run_us;
	int done;			/* the thread has returned (atomic) */
	struct e2e_errs errs;
	char first_bad[400];
};

static void __attribute__((format(printf, 2, 3)))
st_bad(struct st_worker *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->bad++) {
		va_start(ap, fmt);
		vsnprintf(w->first_bad, sizeof(w->first_bad), fmt, ap);
		va_end(ap);
	}
}

/* Has a SET on vCPU @vi's virtual core returned? */
static bool st_set_before(struct st_slot *s, unsigned int vi)
{
	unsigned int j;

	for (j = 0; j < ST_VCPUS; j++)
		if (s->share[vi][j] && __atomic_load_n(&s->set_done[j], __ATOMIC_SEQ_CST))
			return true;
	return false;
}

/* Is @val, read from vCPU @vi of slot @s, one of the values set there? */
static bool st_offset_ok(struct st_slot *s, unsigned int vi, uint64_t val,
			 bool set_before)
{
	unsigned int t = val >> 56, from = (val >> 52) & 0xf;
	uint64_t c = (val >> 28) & 0xfffff;

	if (!val)
		return !set_before;
	if (val & (TB_LOW - 1) || ((val >> 24) & 0xf) > 1)
		return false;
	if (t < 1 || t > st_nthreads || from >= ST_VCPUS || !s->share[vi][from] ||
	    ((val >> 48) & 0xf) != (s->gen & 0xf))
		return false;
	return c && c <= __atomic_load_n(&s->issued[t - 1], __ATOMIC_SEQ_CST);
}

/* Which vCPUs of a new VM share a virtual core: a SET on one, GETs on the others. */
static int st_probe_share(struct st_slot *s)
{
	unsigned int i, j;
	uint64_t val;
	int ret = 0;

	for (i = 0; i < ST_VCPUS; i++)
		for (j = 0; j < ST_VCPUS; j++)
			s->share[i][j] = i == j;
	for (i = 0; !ret && i < ST_VCPUS; i++) {
		ret = set_reg(&s->v[i], REG_TB_OFFSET, (i + 1) * TB_LOW);
		for (j = 0; !ret && j < ST_VCPUS; j++) {
			ret = j == i ? 0 : get_reg(&s->v[j], REG_TB_OFFSET, &val);
			if (!ret && j != i && val == (i + 1) * TB_LOW)
				s->share[i][j] = s->share[j][i] = true;
		}
	}
	for (i = 0; !ret && i < ST_VCPUS; i++)
		ret = set_reg(&s->v[i], REG_TB_OFFSET, 0);
	return ret;
}

/* Destroy slot @s's VM (if any) and create the next one. */
static void st_recreate(struct st_worker *w, struct st_slot *s)
{
	unsigned int i;
	int ret;

	pthread_rwlock_wrlock(&s->lock);
	if (s->live)
		st_vm_close(&s->vm, s->v, ST_VCPUS);
	s->live = false;
	s->gen++;
	for (i = 0; i < ST_THREADS_MAX; i++)
		__atomic_store_n(&s->issued[i], 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < ST_VCPUS; i++)
		__atomic_store_n(&s->set_done[i], 0, __ATOMIC_SEQ_CST);
	ret = st_vm_open(&s->vm, s->v, ST_VCPUS);
	if (!ret) {
		ret = st_probe_share(s);
		if (ret)
			st_vm_close(&s->vm, s->v, ST_VCPUS);
	}
	if (ret) {
		e2e_count_err(&w->errs, -ret);
		st_bad(w, "creating a VM with %u vCPUs: %s", ST_VCPUS, e2e_errname(-ret));
	} else {
		s->live = true;
		w->vms++;
	}
	pthread_rwlock_unlock(&s->lock);
}

static void st_op(struct st_worker *w, struct st_slot *s, unsigned int vi,
		  unsigned int r)
{
	struct vcpu *v = &s->v[vi];
	uint64_t val, t0 = 0, gtb = 0, d, c;
	bool before, none, valid;
	char why[160];
	int ret;

	w->ops++;
	if (r < 40) {
		c = __atomic_add_fetch(&s->issued[w->idx], 1, __ATOMIC_SEQ_CST);
		val = (uint64_t)(w->idx + 1) << 56 | (uint64_t)vi << 52 |
		      (uint64_t)(s->gen & 0xf) << 48 | (c & 0xfffff) << 28 |
		      (e2e_rnd(&w->seed) % 4 ? e2e_rnd(&w->seed) & (TB_LOW - 1) : 0);
		ret = set_reg(v, REG_TB_OFFSET, val);
		w->sets++;
		if (!ret)
			__atomic_store_n(&s->set_done[vi], 1, __ATOMIC_SEQ_CST);
		else
			st_bad(w, "SET TB_OFFSET %#" PRIx64 " on vCPU %d: %s", val, v->id,
			       e2e_errname(-ret));
	} else if (r < 65) {
		before = st_set_before(s, vi);
		ret = get_reg(v, REG_TB_OFFSET, &val);
		w->gets++;
		if (ret)
			st_bad(w, "GET TB_OFFSET on vCPU %d: %s", v->id, e2e_errname(-ret));
		else if (!st_offset_ok(s, vi, val, before))
			st_bad(w, "GET TB_OFFSET on vCPU %d of VM generation %u returned %#" PRIx64 ", which no thread set on its virtual core%s",
			       v->id, s->gen, val, before ? " (after a SET there had returned)" : "");
	} else if (r < 75) {
		val = mftb() + (e2e_rnd(&w->seed) & 0x7fffffff);
		ret = set_reg(v, REG_DEC_EXPIRY, val);
		w->dec_sets++;
		if (ret)
			st_bad(w, "SET DEC_EXPIRY on vCPU %d: %s", v->id, e2e_errname(-ret));
	} else if (r < 85) {
		ret = get_reg(v, REG_DEC_EXPIRY, &val);
		w->dec_gets++;
		if (ret)
			st_bad(w, "GET DEC_EXPIRY on vCPU %d: %s", v->id, e2e_errname(-ret));
	} else {
		uint64_t us = e2e_now_us();

		before = st_set_before(s, vi);
		ret = st_run(v, &w->run_since, &t0, &gtb, why, sizeof(why));
		us = e2e_now_us() - us;
		if (us > w->longest_run_us)
			w->longest_run_us = us;
		w->runs++;
		d = gtb - t0;
		/* No offset yet, or one a thread set on this virtual core. */
		none = !before && d < (1ULL << 40);
		valid = (d >> 56) >= 1 && (d >> 56) <= st_nthreads &&
			((d >> 52) & 0xf) < ST_VCPUS && s->share[vi][(d >> 52) & 0xf] &&
			((d >> 48) & 0xf) == (s->gen & 0xf);
		if (ret == -EINTR) {
			struct kvm_regs regs = { 0 };
			uint64_t off = 0, dec = 0;

			/* What the vCPU had: the hang's circumstances. */
			get_reg(v, REG_TB_OFFSET, &off);
			get_reg(v, REG_DEC_EXPIRY, &dec);
			ioctl(v->fd, KVM_GET_REGS, &regs);
			st_bad(w, "vCPU %d: %s, with TB_OFFSET %#" PRIx64 " DEC_EXPIRY %#" PRIx64 " (host TB %#" PRIx64 "), guest pc %#llx msr %#llx, after %" PRIu64 " ms",
			       v->id, why, off, dec, mftb(), (unsigned long long)regs.pc,
			       (unsigned long long)regs.msr, us / 1000);
		} else if (ret) {
			st_bad(w, "vCPU %d: %s", v->id, why);
		} else if (!none && !valid)
			st_bad(w, "vCPU %d of VM generation %u: guest TB - host TB = %#" PRIx64 ", no offset a thread set on its virtual core",
			       v->id, s->gen, d);
	}
	if (ret && ret != -EPROTO)
		e2e_count_err(&w->errs, -ret);
}

static void *st_churn_fn(void *arg)
{
	struct st_worker *w = arg;

	while (!st_stop) {
		struct st_slot *s = &st_slots[e2e_rnd(&w->seed) % ST_SLOTS];
		unsigned int r = e2e_rnd(&w->seed) % 100;

		/* A new VM in one op of 120. */
		if (e2e_rnd(&w->seed) % 120 == 0) {
			st_recreate(w, s);
			continue;
		}
		pthread_rwlock_rdlock(&s->lock);
		if (s->live)
			st_op(w, s, e2e_rnd(&w->seed) % ST_VCPUS, r);
		pthread_rwlock_unlock(&s->lock);
	}
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static int stress_churn(unsigned int secs, unsigned int nthreads)
{
	struct st_worker w[ST_THREADS_MAX];
	struct e2e_errs errs = { { 0 } };
	unsigned long ops = 0, sets = 0, gets = 0, dsets = 0, dgets = 0, runs = 0;
	unsigned long vms = 0, bad = 0, hung = 0, jumps = 0;
	uint64_t end = st_ticks + secs * 10ULL, longest, jump_max = 0;
	const char *first = NULL;
	unsigned int i;
	bool ok;

	if (nthreads > ST_THREADS_MAX)
		nthreads = ST_THREADS_MAX;
	st_nthreads = nthreads;
	st_stop = 0;
	memset(w, 0, sizeof(w));
	for (i = 0; i < ST_SLOTS; i++) {
		pthread_rwlock_init(&st_slots[i].lock, NULL);
		st_slots[i].live = false;
		st_recreate(&w[0], &st_slots[i]);
	}
	e2e_info("churn: vCPUs %d/%d/%d: %s share a virtual core (and its TB_OFFSET)",
		 st_ids[0], st_ids[1], st_ids[2],
		 st_slots[0].share[0][1] ? (st_slots[0].share[0][2] ? "all three" : "0 and 1") :
		 st_slots[0].share[1][2] ? "1 and 8" : "none");
	for (i = 0; i < nthreads; i++) {
		w[i].idx = i;
		w[i].seed = 0x5eed0001u * (i + 1);
		pthread_create(&w[i].thread, NULL, st_churn_fn, &w[i]);
	}
	/*
	 * The watchdog: a TB-loop run older than ST_RUN_MS is interrupted.
	 * It goes on until every worker has returned. It counts its ticks
	 * (and the phase ends after SECS of them), and notes the times
	 * CLOCK_MONOTONIC jumps: a 100 ms sleep that took seconds.
	 */
	for (;;) {
		unsigned int running = 0;
		uint64_t t0 = e2e_now_us(), dt;

		e2e_sleep_ms(100);
		dt = e2e_now_us() - t0;
		if (dt > 2000000) {
			jumps++;
			if (dt > jump_max)
				jump_max = dt;
		}
		if (++st_ticks >= end)
			st_stop = 1;
		for (i = 0; i < nthreads; i++) {
			uint64_t since = w[i].run_since;

			running += !__atomic_load_n(&w[i].done, __ATOMIC_SEQ_CST);
			if (since && st_ticks - since > ST_RUN_MS / 100) {
				pthread_kill(w[i].thread, SIGALRM);
				hung++;
			}
		}
		if (st_stop && !running)
			break;
	}
	longest = 0;
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].longest_run_us > longest)
			longest = w[i].longest_run_us;
		ops += w[i].ops;
		sets += w[i].sets;
		gets += w[i].gets;
		dsets += w[i].dec_sets;
		dgets += w[i].dec_gets;
		runs += w[i].runs;
		vms += w[i].vms;
		bad += w[i].bad;
		e2e_add_errs(&errs, &w[i].errs);
		if (w[i].bad) {
			e2e_info("churn thread %u: %lu failures, the first: %s", i, w[i].bad,
				 w[i].first_bad);
			if (!first)
				first = w[i].first_bad;
		}
	}
	for (i = 0; i < ST_SLOTS; i++) {
		if (st_slots[i].live)
			st_vm_close(&st_slots[i].vm, st_slots[i].v, ST_VCPUS);
		st_slots[i].live = false;
		pthread_rwlock_destroy(&st_slots[i].lock);
	}
	ok = !bad && !hung && ops;
	printf("@fig ops %lu\n@fig vms %lu\n@fig clock-jumps %lu\n", ops, vms, jumps);
	if (jumps)
		e2e_info("churn: CLOCK_MONOTONIC jumped forward %lu times while the guests ran, a 100 ms sleep lasting up to %" PRIu64 " ms by it",
			 jumps, jump_max / 1000);
	e2e_result(ok, "stress churn, every GET TB_OFFSET is a value a thread set on that virtual core (rounded up to 2^24), every guest runs with one, no ioctl error",
		   "%u threads on %u VMs of %u vCPUs, %lu VMs created in all, %lu operations (%lu SET and %lu GET TB_OFFSET, %lu SET and %lu GET DEC_EXPIRY, %lu KVM_RUN, the longest %" PRIu64 " ms), %lu failures, %lu hung runs, errors by errno %s%s%s",
		   nthreads, ST_SLOTS, ST_VCPUS, vms, ops, sets, gets, dsets, dgets, runs,
		   longest / 1000, bad, hung, e2e_errs_str(&errs, true), first ? "; the first failure " : "",
		   first ? first : "");
	return !ok;
}

/*
 * fuzz: random KVM_GET/SET_ONE_REG from several threads on the two
 * vCPUs of a VM whose guest keeps running: ids of this module
 * (TB_OFFSET, DEC_EXPIRY), of the kernel, their neighbours (GET only),
 * unknown ids and ids of another size; random values; valid, NULL-page,
 * kernel, read-only and page-crossing addresses. Only registers the
 * guest's TB loop does not depend on are written. Every error must be
 * EINVAL or EFAULT; the guest must keep running; afterwards a new VM
 * must run with the offset GET returns.
 */
static const uint64_t st_fuzz_set_ids[] = {
	REG_TB_OFFSET, REG_DEC_EXPIRY, KVM_REG_PPC_DAR, KVM_REG_PPC_DSISR,
	KVM_REG_PPC_FPR(0), KVM_REG_PPC_FPR(30), KVM_REG_PPC_VSR(3),
	KVM_REG_PPC_VR(2), KVM_REG_PPC_PURR, KVM_REG_PPC_SPURR, KVM_REG_PPC_TAR,
};

static const uint64_t st_fuzz_get_ids[] = {
	REG_TB_OFFSET, REG_DEC_EXPIRY, KVM_REG_PPC_LPCR_64, KVM_REG_PPC_LPCR,
	KVM_REG_PPC_ARCH_COMPAT, KVM_REG_PPC_VPA_ADDR, KVM_REG_PPC_VPA_SLB,
	KVM_REG_PPC_VPA_DTL, KVM_REG_PPC_ONLINE, KVM_REG_PPC_VTB, KVM_REG_PPC_IC,
	KVM_REG_PPC_HIOR, KVM_REG_PPC_ICP_STATE, KVM_REG_PPC_FPSCR,
	KVM_REG_PPC_VSCR, KVM_REG_PPC_VRSAVE, KVM_REG_PPC_PPR, KVM_REG_PPC_AMR,
	KVM_REG_PPC_PSSCR, KVM_REG_PPC_PTCR, KVM_REG_PPC_SPRG9, KVM_REG_PPC_DPDES,
	KVM_REG_PPC_TM_GPR(0), KVM_REG_PPC_DAR, KVM_REG_PPC_FPR(7),
};

#define ST_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The last successful SETs of the fuzzers, to name a guest's death. */
#define ST_RING	16
static struct { uint64_t id, val; } st_ring[ST_RING];
static unsigned int st_ring_pos;

struct st_fuzzer {
	pthread_t thread;
	uint32_t seed;
	struct vcpu *v;
	char *ro, *edge;
	unsigned long ops, ok, gets, sets, other;
	struct e2e_errs errs;
	int other_errno;
	uint64_t other_id;
};

static uint64_t st_fuzz_id(uint32_t *seed, bool set)
{
	const uint64_t *tab = set ? st_fuzz_set_ids : st_fuzz_get_ids;
	size_t n = set ? ST_ARRAY_SIZE(st_fuzz_set_ids) : ST_ARRAY_SIZE(st_fuzz_get_ids);
	uint64_t id = tab[e2e_rnd(seed) % n];

	switch (e2e_rnd(seed) % 6) {
	case 0:		/* another size: no PowerPC register for these */
		return (id & ~KVM_REG_SIZE_MASK) |
		       ((uint64_t)(e2e_rnd(seed) % 8) << KVM_REG_SIZE_SHIFT);
	case 1:		/* a neighbour (GET), an unknown PowerPC id */
		if (!set && e2e_rnd(seed) & 1)
			return id + 1 + e2e_rnd(seed) % 16;
		return KVM_REG_PPC | ((uint64_t)(e2e_rnd(seed) % 8) << KVM_REG_SIZE_SHIFT) |
		       (0x1000 + e2e_rnd(seed) % 0x7fffe000);
	case 2:		/* another architecture's */
		if (e2e_rnd(seed) % 4 == 0)
			return KVM_REG_MIPS | KVM_REG_SIZE_U64 | (e2e_rnd(seed) & 0xffff);
		return id;
	default:
		return id;
	}
}

static void *st_fuzz_fn(void *arg)
{
	struct st_fuzzer *f = arg;
	uint64_t buf[32] __attribute__((aligned(16)));

	while (!st_stop) {
		bool set = e2e_rnd(&f->seed) % 2;
		struct kvm_one_reg r = { .id = st_fuzz_id(&f->seed, set) };
		uint32_t where = e2e_rnd(&f->seed) % 10;
		int ret;

		r.addr = where == 0 ? 0x10 :
			 where == 1 ? (uintptr_t)f->ro :
			 where == 2 ? 0xc000000000010000ULL :
			 where == 3 ? (uintptr_t)(f->edge - 4) :
			 (uintptr_t)buf;
		buf[0] = e2e_rnd64(&f->seed);
		buf[1] = e2e_rnd64(&f->seed);
		f->ops++;
		if (set) {
			f->sets++;
			ret = ioctl(f->v->fd, KVM_SET_ONE_REG, &r);
		} else {
			f->gets++;
			ret = ioctl(f->v->fd, KVM_GET_ONE_REG, &r);
		}
		if (!ret) {
			f->ok++;
			if (set) {
				unsigned int i = __atomic_fetch_add(&st_ring_pos, 1,
								    __ATOMIC_SEQ_CST) % ST_RING;

				st_ring[i].id = r.id;
				st_ring[i].val = buf[0];
			}
			continue;
		}
		e2e_count_err(&f->errs, errno);
		/* The interrupt controller state: ENXIO without one (the kernel's). */
		if (errno == ENXIO && (r.id == KVM_REG_PPC_ICP_STATE ||
				       r.id == KVM_REG_PPC_VP_STATE))
			continue;
		if (errno != EINVAL && errno != EFAULT && !f->other++) {
			f->other_errno = errno;
			f->other_id = r.id;
		}
	}
	return NULL;
}

static int stress_fuzz(unsigned int secs, unsigned int nthreads)
{
	struct st_fuzzer f[ST_THREADS_MAX];
	struct e2e_errs errs = { { 0 } };
	unsigned long ops = 0, okc = 0, gets = 0, sets = 0, other = 0;
	uint64_t end = e2e_now_us() + secs * 1000000ULL, got = 0;
	long pg = sysconf(_SC_PAGESIZE);
	unsigned int i, runs = 0;
	char died[320] = "";
	struct vcpu v[2];
	struct tb_stats s;
	struct vm vm;
	char *pages;
	int ret;
	bool ok;

	if (nthreads > ST_THREADS_MAX)
		nthreads = ST_THREADS_MAX;
	/*
	 * A read-only page, then a page, then an inaccessible one (kept
	 * mapped, PROT_NONE: an unmapped hole is where the next mmap, a
	 * vCPU's kvm_run, would go): edge is the inaccessible page.
	 */
	pages = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED || mprotect(pages, pg, PROT_READ) ||
	    mprotect(pages + 2 * pg, pg, PROT_NONE)) {
		e2e_result(false, "stress fuzz, address pages", "%s", strerror(errno));
		return 1;
	}
	ret = st_vm_open(&vm, v, 2);
	if (ret) {
		e2e_result(false, "stress fuzz, a VM with 2 vCPUs", "%s", e2e_errname(-ret));
		return 1;
	}
	st_stop = 0;
	for (i = 0; i < nthreads; i++) {
		memset(&f[i], 0, sizeof(f[i]));
		f[i].v = &v[i % 2];
		f[i].ro = pages;
		f[i].edge = pages + 2 * pg;
		f[i].seed = 0xf0220001u + i;
		e2e_thread_start(&f[i].thread, st_fuzz_fn, &f[i]);
	}
	while (e2e_now_us() < end && !died[0]) {
		struct exit_info e;
		struct kvm_regs regs = { 0 };

		if (!guest_tb(&v[0], &e)) {
			ioctl(v[0].fd, KVM_GET_REGS, &regs);
			snprintf(died, sizeof(died), "%s (hardware exit reason %#llx, pc %#llx, msr %#llx)",
				 exit_str(&e, HC_TB),
				 (unsigned long long)v[0].run->hw.hardware_exit_reason,
				 (unsigned long long)regs.pc, (unsigned long long)regs.msr);
		}
		runs++;
	}
	st_stop = 1;
	for (i = 0; i < nthreads; i++) {
		pthread_join(f[i].thread, NULL);
		ops += f[i].ops;
		okc += f[i].ok;
		gets += f[i].gets;
		sets += f[i].sets;
		other += f[i].other;
		e2e_add_errs(&errs, &f[i].errs);
		if (f[i].other)
			e2e_info("fuzz thread %u: %lu unexpected errors, the first %s on id %#" PRIx64,
				 i, f[i].other, e2e_errname(f[i].other_errno), f[i].other_id);
	}
	if (died[0]) {
		for (i = 0; i < ST_RING; i++) {
			unsigned int k = (st_ring_pos + i) % ST_RING;

			if (st_ring[k].id)
				e2e_info("fuzz: a SET before the guest died: id %#" PRIx64 " value %#" PRIx64,
					 st_ring[k].id, st_ring[k].val);
		}
	}
	st_vm_close(&vm, v, 2);
	munmap(pages, 3 * pg);
	printf("@fig ops %lu\n", ops);
	ok = !other && !died[0];
	e2e_result(ok, "stress fuzz, every ONE_REG error is EINVAL or EFAULT and the guest keeps running",
		   "%u threads, %lu calls (%lu GET, %lu SET): %lu ok, errors by errno %s; the guest ran %u times meanwhile%s%s",
		   nthreads, ops, gets, sets, okc, e2e_errs_str(&errs, true), runs,
		   died[0] ? ", then " : "", died);

	/* Afterwards: a new VM runs with the offset GET returns. */
	ret = st_vm_open(&vm, v, 1);
	ret = ret ?: set_reg(&v[0], REG_TB_OFFSET, 0x123456789abcdefULL);
	ret = ret ?: get_reg(&v[0], REG_TB_OFFSET, &got);
	if (ret || got != round_up_24(0x123456789abcdefULL)) {
		e2e_result(false, "stress fuzz, afterwards a new VM's TB_OFFSET round trip", "%s, GET %#" PRIx64,
			   e2e_errname(-ret), got);
		return 1;
	}
	ok = run_offset(&v[0], got, 20, 0, &s) && ok;
	report_offset(!s.outside && !s.err[0],
		      "stress fuzz, afterwards a new VM's guest runs with the offset GET returns", &s);
	st_vm_close(&vm, v, 1);
	return !ok;
}

/* A number from a sysfs or debugfs file, or -1. */
/* What the failslab walks do, one step each. */
enum st_step { ST_CREATE_VM, ST_CREATE_VCPU, ST_ONE_REG, ST_STEPS };
static const char *const st_step_names[ST_STEPS] = {
	"KVM_CREATE_VM", "KVM_CREATE_VCPU", "SET+GET TB_OFFSET",
};

/*
 * One step under test, with what it needs made first (outside the
 * fault): -errno or 0. @nth > 0 fails the step's nth slab allocation
 * (fail-nth); *injected says whether it came to that.
 */
static int st_fault_step(enum st_step step, int nth_fd, unsigned int nth,
			 bool *injected)
{
	struct vm vm = { .fd = -1, .mem = MAP_FAILED };
	struct vcpu v;
	char num[16];
	uint64_t got = 0;
	int ret = 0, err = 0, len;

	st_vcpu_init(&v);
	if (step != ST_CREATE_VM) {
		vm.fd = ioctl(kvm_fd, KVM_CREATE_VM, KVM_VM_PPC_HV);
		if (vm.fd < 0)
			return -1000 - errno;	/* not under test: setup failed */
		if (step == ST_ONE_REG) {
			v.fd = ioctl(vm.fd, KVM_CREATE_VCPU, 0);
			if (v.fd < 0) {
				err = errno;
				close(vm.fd);
				return -1000 - err;
			}
		}
	}
	len = snprintf(num, sizeof(num), "%u", nth);
	if (nth && pwrite(nth_fd, num, len, 0) != len)
		return -1000 - errno;
	switch (step) {
	case ST_CREATE_VM:
		vm.fd = ioctl(kvm_fd, KVM_CREATE_VM, KVM_VM_PPC_HV);
		ret = vm.fd < 0 ? -errno : 0;
		break;
	case ST_CREATE_VCPU:
		v.fd = ioctl(vm.fd, KVM_CREATE_VCPU, 0);
		ret = v.fd < 0 ? -errno : 0;
		break;
	default:
		ret = set_reg(&v, REG_TB_OFFSET, 0x1000001);
		ret = ret ?: get_reg(&v, REG_TB_OFFSET, &got);
		if (!ret && got != 0x2000000)
			ret = -EPROTO;
		break;
	}
	*injected = false;
	if (nth) {
		if (pread(nth_fd, num, sizeof(num) - 1, 0) > 0)
			*injected = strtoul(num, NULL, 10) == 0;
		if (pwrite(nth_fd, "0", 1, 0) != 1)	/* not reached: clear it */
			ret = ret ?: -1000 - errno;
	}
	/* Whatever got through must work: a vCPU of the VM, ONE_REG. */
	if (!ret && step != ST_ONE_REG) {
		if (step == ST_CREATE_VM)
			v.fd = ioctl(vm.fd, KVM_CREATE_VCPU, 0);
		err = v.fd < 0 ? -errno : set_reg(&v, REG_TB_OFFSET, 0x1000001);
		err = err ?: get_reg(&v, REG_TB_OFFSET, &got);
		if (!err && got != 0x2000000)
			err = -EPROTO;
		if (err)
			ret = -2000 + err;
	}
	if (v.fd >= 0)
		close(v.fd);
	if (vm.fd >= 0)
		close(vm.fd);
	return ret;
}

/*
 * failslab TRIES: KVM_CREATE_VM, KVM_CREATE_VCPU and a TB_OFFSET round
 * trip with slab allocations failing. First a walk per step: its 1st,
 * 2nd, ... slab allocation fails (/proc/thread-self/fail-nth) until the
 * step completes without reaching the fault; then TRIES rounds of all
 * three with 1 in 10 allocations failing (failslab's probability, with
 * its task filter: /proc/self/make-it-fail). A step that fails must
 * fail with ENOMEM; one that succeeds must have given a working VM or
 * vCPU. /init checks that the module then unloads with 0 and the rig
 * that the kernel log has no splat. Also reported: kvm-hv's reference
 * count before and after (5.10's kvm_arch_init_vm() keeps a reference
 * on kvm-hv when the ops' init_vm fails).
 */
static int stress_failslab(unsigned int tries)
{
	const char *fs_times = "/sys/kernel/debug/failslab/times";
	unsigned long nomem = 0, tolerated = 0, faults = 0, other = 0, walked[ST_STEPS] = { 0 };
	long refs0 = e2e_read_long("/sys/module/kvm_hv/refcnt"), refs1, times0, times1;
	int nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	int mif, first_err = 0;
	char first[160] = "";
	unsigned int step, n, i;
	bool injected, ok;
	int ret;

	if (nth_fd < 0) {
		e2e_result(false, "stress failslab, /proc/thread-self/fail-nth", "%s", strerror(errno));
		return 1;
	}
	for (step = 0; step < ST_STEPS; step++) {
		for (n = 1; n < 5000; n++) {
			ret = st_fault_step(step, nth_fd, n, &injected);
			if (ret <= -1000) {
				other++;
				if (!first[0])
					snprintf(first, sizeof(first), "%s walk, fault %u: %s %s",
						 st_step_names[step], n,
						 ret <= -2000 ? "what got through does not work:" :
						 "setup failed:", e2e_errname(ret <= -2000 ? -ret - 2000 : -ret - 1000));
				break;
			}
			if (!injected) {
				if (ret) {
					other++;
					if (!first[0])
						snprintf(first, sizeof(first), "%s fails without a fault: %s",
							 st_step_names[step], e2e_errname(-ret));
				}
				break;
			}
			faults++;
			walked[step]++;
			if (!ret) {
				tolerated++;
			} else if (ret == -ENOMEM) {
				nomem++;
			} else {
				other++;
				if (!first[0]) {
					first_err = -ret;
					snprintf(first, sizeof(first), "%s with its slab allocation %u failing: %s",
						 st_step_names[step], n,
						 ret == -EPROTO ? "wrong GET" : e2e_errname(first_err));
				}
			}
		}
	}
	close(nth_fd);

	/* The random part: failslab's probability for this task. */
	times0 = e2e_read_long(fs_times);
	mif = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	if (mif < 0 || write(mif, "1", 1) != 1) {
		e2e_result(false, "stress failslab, /proc/self/make-it-fail", "%s", strerror(errno));
		return 1;
	}
	for (i = 0; i < tries; i++) {
		for (step = 0; step < ST_STEPS; step++) {
			int err;

			/* Here the setup and the check fail too: ENOMEM is fine. */
			ret = st_fault_step(step, -1, 0, &injected);
			err = ret <= -2000 ? -ret - 2000 : ret <= -1000 ? -ret - 1000 : -ret;
			if (!ret)
				continue;
			if (err == ENOMEM)
				nomem++;
			else if (!other++)
				snprintf(first, sizeof(first), "%s under failslab's probability: %s",
					 st_step_names[step],
					 err == EPROTO ? "wrong GET" : e2e_errname(err));
		}
	}
	if (write(mif, "0", 1) != 1)
		other++;
	close(mif);
	times1 = e2e_read_long(fs_times);
	refs1 = e2e_read_long("/sys/module/kvm_hv/refcnt");
	faults += times0 > times1 ? times0 - times1 : 0;
	printf("@fig errno ENOMEM %lu\n", nomem);
	printf("@fig faults %lu\n@fig ops %lu\n", faults,
	       walked[0] + walked[1] + walked[2] + 3UL * tries);
	ok = !other && nomem;
	e2e_result(ok, "stress failslab, KVM_CREATE_VM, KVM_CREATE_VCPU and ONE_REG fail only with ENOMEM, and what they create works",
		   "walks of %lu, %lu and %lu slab allocations failing one at a time, then %u rounds at 1 in 10: %lu faults injected, %lu ENOMEM, %lu tolerated, %lu other%s%s",
		   walked[0], walked[1], walked[2], tries, faults, nomem, tolerated, other,
		   first[0] ? "; the first " : "", first);
	printf("@fig hv-refs-leaked %ld\n", refs1 > refs0 ? refs1 - refs0 : 0);
	/*
	 * 5.10's kvm_arch_init_vm() keeps its kvm-hv reference when the ops'
	 * init_vm fails: a VM must never fail there for this module's sake.
	 */
	e2e_result(refs1 <= refs0, "stress failslab, kvm-hv's reference count is back where it was once no VM is left",
		   "%ld before, %ld after", refs0, refs1);
	return !ok || refs1 > refs0;
}

/*
 * vmloop SECS [absent-ok,gaps]: VMs created (2 vCPUs), SET and GET
 * TB_OFFSET and DEC_EXPIRY (exact round trips), the guest run with the
 * offset, and closed, in a loop while /init loads and unloads the module.
 * With absent-ok, KVM_CREATE_VM failing with EINVAL or ENOENT counts as
 * "kvm-hv is not loaded" (it comes and goes); with gaps, half the VMs are
 * followed by up to 80 ms without any (VMs created while the module is
 * attached pin it: an rmmod can only succeed in between).
 */
static int stress_vmloop(unsigned int secs, bool absent_ok, bool gaps)
{
	uint64_t end = e2e_now_us() + secs * 1000000ULL;
	unsigned long n = 0, bad = 0, absent = 0;
	uint32_t seed = 0x7e570001;
	struct e2e_errs errs = { { 0 } };
	char first[200] = "";
	struct vcpu v[2];
	struct vm vm;

	while (e2e_now_us() < end) {
		uint64_t raw = e2e_rnd64(&seed), got = 0, dec, dgot = 0;
		struct tb_stats s;
		int ret = st_vm_open(&vm, v, 2);
		bool opened = !ret;

		if (ret && absent_ok && (ret == -EINVAL || ret == -ENOENT)) {
			absent++;
			e2e_sleep_ms(20);
			continue;
		}
		n++;
		if (!ret)
			ret = set_reg(&v[0], REG_TB_OFFSET, raw);
		ret = ret ?: get_reg(&v[0], REG_TB_OFFSET, &got);
		dec = mftb() + got + (e2e_rnd(&seed) & 0xfffffff);
		ret = ret ?: set_reg(&v[0], REG_DEC_EXPIRY, dec);
		ret = ret ?: get_reg(&v[0], REG_DEC_EXPIRY, &dgot);
		if (ret) {
			e2e_count_err(&errs, -ret);
			if (!bad++)
				snprintf(first, sizeof(first), "VM %lu: %s", n, e2e_errname(-ret));
		} else if (got != round_up_24(raw) || dgot != dec) {
			if (!bad++)
				snprintf(first, sizeof(first), "VM %lu: SET TB_OFFSET %#" PRIx64 " GET %#" PRIx64 ", SET DEC_EXPIRY %#" PRIx64 " GET %#" PRIx64,
					 n, raw, got, dec, dgot);
		} else if (!run_offset(&v[0], got, 2, 0, &s)) {
			if (!bad++)
				snprintf(first, sizeof(first), "VM %lu: the guest with offset %#" PRIx64 ": %s",
					 n, got, s.err[0] ? s.err : "timebase outside the host's bracket");
		}
		if (opened)
			st_vm_close(&vm, v, 2);
		/* No VM for a while: time for an rmmod to succeed. */
		if (gaps && e2e_rnd(&seed) % 2)
			e2e_sleep_ms(e2e_rnd(&seed) % 80);
	}
	printf("@fig ops %lu\n@fig vms %lu\n", n * 7, n);
	e2e_result(n && !bad, "stress vmloop, VMs created and closed in a loop, their ONE_REG round trips exact and their guests running with the offset",
		   "%lu VMs, %lu failures, %lu times kvm-hv absent, errors by errno %s%s%s",
		   n, bad, absent, e2e_errs_str(&errs, true), first[0] ? "; the first " : "", first);
	return !n || bad;
}

/*
 * modrace SECS KTB_KO KVM_HV_KO: this module and kvm-hv unloaded at the
 * same time (delete_module from two threads released together, within a
 * millisecond of each other or one up to 40 ms late; every other round
 * skewed instead, see st_hog_fn()), then loaded again the same way
 * (finit_module; the module in mode auto, takeover or defer in turn),
 * round after round. Every removal must return 0 or EBUSY/EAGAIN (the
 * other party held the module a moment), every load 0 or EEXIST (still
 * loaded); once both are loaded the module must say it is attached
 * (debugfs vcpus: "attached: yes"), and every 4th round a VM must run
 * with the TB_OFFSET GET returns. Prints "@rmmod RESULT CS" per removal
 * of this module. A round that does not end within 60 s is a hang:
 * reported, and the client exits without waiting for it. Which of the
 * two went first is read from the module's words in /dev/kmsg.
 */
struct st_mod {
	pthread_t thread;
	const char *name;	/* as delete_module() wants it */
	int fd;			/* the .ko, for finit_module() */
	bool loaded;
	bool is_ktb;
	uint32_t seed;
	unsigned long removed, busy, loads, exists, bad;
	char first_bad[160];
	uint64_t longest_us;
	unsigned int round;	/* the round to do (read under st_mr_lock) */
	bool unload;		/* this round: unload (else load) */
	const char *params;
	bool skewed;		/* this round: see st_hog_fn() */
	unsigned int delay_us;	/* before this round's call */
	int nice;		/* this round's nice value */
	unsigned int cpu;	/* where it runs */
	unsigned int done;	/* rounds done */
};

static pthread_mutex_t st_mr_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t st_mr_cond = PTHREAD_COND_INITIALIZER;

/* Pin the calling thread to CPU @cpu (the raw call: no _GNU_SOURCE here). */
static void st_pin(unsigned int cpu)
{
	unsigned long mask = 1UL << cpu;

	syscall(__NR_sched_setaffinity, 0, sizeof(mask), &mask);
}

/*
 * Skewed rounds: the round this module's removal is about to start in
 * (st_ktb_go), and the one whose kvm-hv removal may start (st_hv_go).
 */
static volatile unsigned int st_ktb_go, st_hv_go;
static int st_go_pipe[2] = { -1, -1 };	/* wakes the preempter, no timer */

/*
 * The preempter: a SCHED_FIFO thread on CPU 1, where this module's
 * removal runs. In a skewed round, once that removal is about to start,
 * it lets it run for 1 to 3 slices of 50-500 us (its sleeps), taking the
 * CPU back after each (1 ms, and 100 ms after the last). When it takes
 * it back the last time it lets kvm-hv's removal go, on CPU 0: the whole
 * of kvm-hv's removal (its exit, its going notification, its memory
 * freed) then happens while this module's removal stands still at
 * whatever point that slice ended, a different one each round.
 */
static void *st_hog_fn(void *arg)
{
	struct sched_param sp = { .sched_priority = 50 };
	uint32_t seed = 0x40970001;
	unsigned int done = 0;

	(void)arg;
	st_pin(1);
	sched_setscheduler(0, SCHED_FIFO, &sp);
	while (!st_stop) {
		unsigned int round, k, slices;
		uint64_t end;
		char c;

		/* Blocked in read(), not polling: no timer on CPU 1 meanwhile. */
		if (read(st_go_pipe[0], &c, 1) != 1)
			break;
		round = st_ktb_go;
		if (st_stop || !round || round == done)
			continue;
		done = round;
		slices = 1 + e2e_rnd(&seed) % 3;
		for (k = 1; k <= slices && !st_stop; k++) {
			usleep(50 + e2e_rnd(&seed) % 450);
			if (k == slices)
				st_hv_go = round;
			end = e2e_now_us() + (k == slices ? 100000 : 1000);
			while (!st_stop && e2e_now_us() < end)
				;
		}
	}
	return NULL;
}

static void st_spin_us(unsigned int us)
{
	uint64_t end = e2e_now_us() + us;

	while (e2e_now_us() < end)
		;
}

static void st_mod_bad(struct st_mod *m, const char *what, int err)
{
	if (!m->bad++)
		snprintf(m->first_bad, sizeof(m->first_bad), "%s %s: %s", what, m->name,
			 e2e_errname(err));
}

static void *st_mod_fn(void *arg)
{
	struct st_mod *m = arg;
	unsigned int round = 0;

	st_pin(m->cpu);
	for (;;) {
		uint64_t t0, us;
		int ret, err;

		pthread_mutex_lock(&st_mr_lock);
		while (m->round == round && !st_stop)
			pthread_cond_wait(&st_mr_cond, &st_mr_lock);
		round = m->round;
		pthread_mutex_unlock(&st_mr_lock);
		if (st_stop)
			return NULL;
		/* Per thread on Linux (the calling thread's id). */
		setpriority(PRIO_PROCESS, 0, m->nice);
		if (m->skewed && m->unload && m->is_ktb) {
			char c = 1;

			st_ktb_go = round;
			if (write(st_go_pipe[1], &c, 1) != 1)
				st_mod_bad(m, "waking the preempter for", errno);
		} else if (m->skewed && m->unload) {
			uint64_t limit = e2e_now_us() + 3000000;

			while (st_hv_go != round && e2e_now_us() < limit)
				;
		} else if (m->delay_us < 2000) {
			st_spin_us(m->delay_us);
		} else {
			usleep(m->delay_us);
		}
		t0 = e2e_now_us();
		if (m->unload) {
			ret = syscall(__NR_delete_module, m->name, O_NONBLOCK);
			err = errno;
			us = e2e_now_us() - t0;
			if (m->is_ktb)
				printf("@rmmod %s %" PRIu64 "\n", ret ? e2e_errname(err) : "0",
				       us / 10000);
			if (us > m->longest_us)
				m->longest_us = us;
			if (!ret) {
				m->removed++;
				m->loaded = false;
			} else if (err == EBUSY || err == EAGAIN) {
				m->busy++;
			} else {
				st_mod_bad(m, "delete_module", err);
			}
		} else {
			ret = syscall(__NR_finit_module, m->fd, m->params, 0);
			err = errno;
			if (!ret) {
				m->loads++;
				m->loaded = true;
			} else if (err == EEXIST) {
				m->exists++;
			} else {
				st_mod_bad(m, "finit_module", err);
			}
		}
		pthread_mutex_lock(&st_mr_lock);
		m->done = round;
		pthread_cond_broadcast(&st_mr_cond);
		pthread_mutex_unlock(&st_mr_lock);
	}
}

/* Start one half-round (unload or load) on both and wait for it: false on a hang. */
static bool st_mr_step(struct st_mod *m, unsigned int round, bool unload)
{
	struct timespec limit;
	bool done = true;
	unsigned int i;

	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += 60;
	pthread_mutex_lock(&st_mr_lock);
	for (i = 0; i < 2; i++) {
		m[i].unload = unload;
		m[i].round = round;
	}
	pthread_cond_broadcast(&st_mr_cond);
	while (m[0].done != round || m[1].done != round) {
		if (pthread_cond_timedwait(&st_mr_cond, &st_mr_lock, &limit)) {
			done = false;
			break;
		}
	}
	pthread_mutex_unlock(&st_mr_lock);
	return done;
}

/*
 * The kernel's messages since the last call (/dev/kmsg, opened
 * non-blocking at its end): how the last removals went, told by the
 * module's words. 1: kvm-hv's going came first ("kvm-hv unloaded,
 * detached"), 2: the module detached first ("detached from kvm-hv"),
 * 0: neither (the detach found kvm-hv going and left its table alone).
 */
static int st_kmsg_order(int fd)
{
	char rec[1024];
	int order = 0;
	ssize_t n;

	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		if (strstr(rec, "kvm_timer_backport: powerpc: kvm-hv unloaded, detached"))
			order = 1;
		else if (strstr(rec, "kvm_timer_backport: powerpc: detached from kvm-hv") && !order)
			order = 2;
	}
	return order;
}

/* debugfs: is the module attached to kvm-hv? 1, 0, or -1 if unreadable. */
static int st_attached(void)
{
	FILE *f = fopen("/sys/kernel/debug/kvm_timer_backport/vcpus", "r");
	char line[128] = "";
	int ret = -1;

	if (f) {
		if (fgets(line, sizeof(line), f))
			ret = !strncmp(line, "attached: yes", 13) ? 1 :
			      !strncmp(line, "attached: no", 12) ? 0 : -1;
		fclose(f);
	}
	return ret;
}

static int stress_modrace(unsigned int secs, const char *ktb_ko, const char *hv_ko)
{
	static const char *const modes[] = { "mode=auto", "mode=takeover", "mode=defer" };
	struct st_mod m[2] = {
		{ .name = "kvm_timer_backport", .is_ktb = true, .seed = 0x30d0001, .cpu = 1 },
		{ .name = "kvm_hv", .seed = 0x30d0002, .params = "", .cpu = 0 },
	};
	uint64_t end = e2e_now_us() + secs * 1000000ULL;
	unsigned long both = 0, checks = 0, vm_checks = 0, bad = 0, order[3] = { 0 };
	unsigned long skewed = 0;
	pthread_t hog;
	char first[400] = "", hung[80] = "";
	unsigned int round = 0, i;
	uint32_t seed = 0x30d0003;
	int kmsg;
	bool ok;

	m[0].fd = open(ktb_ko, O_RDONLY | O_CLOEXEC);
	m[1].fd = open(hv_ko, O_RDONLY | O_CLOEXEC);
	if (m[0].fd < 0 || m[1].fd < 0) {
		e2e_result(false, "stress modrace, the two .ko files", "%s", strerror(errno));
		return 1;
	}
	m[0].loaded = !access("/sys/module/kvm_timer_backport", F_OK);
	m[1].loaded = !access("/sys/module/kvm_hv", F_OK);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	st_stop = 0;
	for (i = 0; i < 2; i++)
		pthread_create(&m[i].thread, NULL, st_mod_fn, &m[i]);
	if (pipe(st_go_pipe)) {
		e2e_result(false, "stress modrace, a pipe", "%s", strerror(errno));
		return 1;
	}
	pthread_create(&hog, NULL, st_hog_fn, NULL);
	while (e2e_now_us() < end) {
		bool was_both = m[0].loaded && m[1].loaded;
		unsigned int late = e2e_rnd(&seed) % 3;

		/*
		 * Together within a millisecond, or one of them up to 40 ms
		 * late: kvm-hv's removal (its exit, then its going) takes some
		 * milliseconds, so all the orders come up.
		 */
		for (i = 0; i < 2; i++)
			m[i].delay_us = late == i + 1 ? e2e_rnd(&seed) % 40000 :
					e2e_rnd(&seed) % 1000;
		/*
		 * Every other round, skewed (st_hog_fn()): kvm-hv's removal,
		 * on CPU 0 at nice -20, starts when the preempter has stopped
		 * this module's, on CPU 1, at some point of its path, for
		 * 100 ms. One such point lies between the detach's
		 * unregistering of its module notifier and its writing of
		 * kvm-hv's table in the code before c5b1309 (issue 12,
		 * finding 5): kvm-hv is then freed in between.
		 */
		for (i = 0; i < 2; i++)
			m[i].skewed = round / 2 % 2;
		skewed += m[0].skewed;
		m[1].nice = m[1].skewed ? -20 : 0;
		m[0].params = modes[round / 2 % 3];
		if (!st_mr_step(m, ++round, true)) {
			snprintf(hung, sizeof(hung), "round %u: a removal", round / 2 + 1);
			break;
		}
		m[0].skewed = m[1].skewed = false;
		m[1].nice = 0;
		if (was_both && !m[0].loaded && !m[1].loaded) {
			both++;
			if (kmsg >= 0)
				order[st_kmsg_order(kmsg)]++;
		}
		for (i = 0; i < 2; i++)
			m[i].delay_us = e2e_rnd(&seed) % 2000;
		if (!st_mr_step(m, ++round, false)) {
			snprintf(hung, sizeof(hung), "round %u: a load", round / 2);
			break;
		}
		/* Both loaded: the module must have attached, whoever came first. */
		if (m[0].loaded && m[1].loaded) {
			int att = st_attached();

			checks++;
			if (att != 1 && !bad++)
				snprintf(first, sizeof(first), "round %u: both loaded, debugfs says attached %s",
					 round / 2, att ? "(unreadable)" : "no");
		}
		if (m[1].loaded && round / 2 % 4 == 0) {
			struct vcpu v;
			struct vm vm;
			struct tb_stats s;
			uint64_t got = 0;
			int ret = st_vm_open(&vm, &v, 1);

			vm_checks++;
			ret = ret ?: set_reg(&v, REG_TB_OFFSET, 0x5a5a5a5a5a5a5aULL);
			ret = ret ?: get_reg(&v, REG_TB_OFFSET, &got);
			if (ret || got != round_up_24(0x5a5a5a5a5a5a5aULL) ||
			    !run_offset(&v, got, 2, 0, &s)) {
				if (!bad++)
					snprintf(first, sizeof(first), "round %u: a VM: %s, GET %#" PRIx64 "%s%s",
						 round / 2, ret ? e2e_errname(-ret) : "ONE_REG ok", got,
						 ret ? "" : ", guest: ", ret ? "" : s.err[0] ? s.err : "TB outside the bracket");
			}
			if (!ret)
				st_vm_close(&vm, &v, 1);
		}
	}
	if (hung[0]) {
		printf("@rmmod timeout 6000\n");
		e2e_result(false, "stress modrace, every removal and load returns", "%s did not return within 60 s", hung);
		fflush(stdout);
		_exit(1);
	}
	pthread_mutex_lock(&st_mr_lock);
	st_stop = 1;
	pthread_cond_broadcast(&st_mr_cond);
	pthread_mutex_unlock(&st_mr_lock);
	for (i = 0; i < 2; i++)
		pthread_join(m[i].thread, NULL);
	close(st_go_pipe[1]);	/* the preempter's read() returns 0 */
	pthread_join(hog, NULL);
	close(st_go_pipe[0]);
	printf("@fig ops %u\n", round * 2);
	if (kmsg >= 0)
		close(kmsg);
	e2e_info("modrace: of the rounds with both removed, kvm-hv's going came first in %lu, the module's detach (holding kvm-hv) in %lu, the detach found kvm-hv going in %lu",
		 order[1], order[2], order[0]);
	ok = !bad && !m[0].bad && !m[1].bad && round;
	e2e_result(ok, "stress modrace, this module and kvm-hv removed and loaded at once, each removal 0 or busy, attached whenever both are loaded, VMs work",
		   "%u rounds (%lu skewed), %lu with both removed together; kvm_timer_backport %lu removed (longest %" PRIu64 " ms) %lu busy %lu loaded %lu still there; kvm_hv %lu removed (longest %" PRIu64 " ms) %lu busy %lu loaded %lu still there; %lu attach checks, %lu VM checks%s%s%s%s%s%s",
		   round / 2, skewed, both, m[0].removed, m[0].longest_us / 1000, m[0].busy, m[0].loads,
		   m[0].exists, m[1].removed, m[1].longest_us / 1000, m[1].busy, m[1].loads,
		   m[1].exists, checks, vm_checks,
		   first[0] ? "; " : "", first, m[0].bad ? "; " : "", m[0].first_bad,
		   m[1].bad ? "; " : "", m[1].first_bad);
	close(m[0].fd);
	close(m[1].fd);
	return !ok;
}

/* A thread pinned to one CPU, to see that it runs there at all. */
struct st_probe {
	unsigned int cpu;
	int fd;		/* the write end of a pipe */
};

static void *st_probe_fn(void *arg)
{
	struct st_probe *p = arg;
	char c = 1;

	st_pin(p->cpu);
	usleep(100000);		/* a timer on that CPU must fire too */
	if (write(p->fd, &c, 1) != 1)
		return NULL;
	return NULL;
}

/*
 * cpus: every online CPU runs a thread pinned to it, and that thread's
 * 100 ms sleep ends, within 5 s. Seen here once the preempter of
 * modrace's skewed rounds had run: a CPU whose timer interrupts stop
 * (it still takes IPIs), so that what waits for a timer there never
 * wakes ("rcu: ... 1-...!: (0 ticks this GP) idle=..." and the RCU
 * kthread starved on it, Tasks RCU and with it rmmod hung).
 */
static int stress_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN), cpu;
	unsigned int dead = 0;
	char list[64] = "";

	for (cpu = 0; cpu < n && cpu < 64; cpu++) {
		struct st_probe p = { .cpu = cpu };
		struct pollfd pfd;
		int pipefd[2];
		pthread_t t;

		if (pipe(pipefd))
			return 1;
		p.fd = pipefd[1];
		pfd.fd = pipefd[0];
		pfd.events = POLLIN;
		pthread_create(&t, NULL, st_probe_fn, &p);
		if (poll(&pfd, 1, 5000) != 1) {
			dead++;
			snprintf(list + strlen(list), sizeof(list) - strlen(list), " %ld", cpu);
			pthread_detach(t);	/* may never run */
			continue;		/* the pipe stays: the thread writes to it */
		}
		pthread_join(t, NULL);
		close(pipefd[0]);
		close(pipefd[1]);
	}
	e2e_result(!dead, "stress cpus, every online CPU runs a thread pinned to it and ends its 100 ms sleep within 5 s",
		   "%ld CPUs, %u silent%s", n, dead, list);
	if (dead)
		fflush(stdout), _exit(1);
	return 0;
}

/* client stress CMD ...: see the functions stress_*() above. */
static int stress(int argc, char **argv)
{
	unsigned int a = argc > 2 ? strtoul(argv[2], NULL, 0) : 0;
	unsigned int b = argc > 3 ? strtoul(argv[3], NULL, 0) : 0;
	int ret = 2;

	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "churn"))
		ret = stress_churn(a ?: 20, b ?: 4);
	else if (!strcmp(argv[1], "fuzz"))
		ret = stress_fuzz(a ?: 10, b ?: 3);
	else if (!strcmp(argv[1], "failslab"))
		ret = stress_failslab(a ?: 100);
	else if (!strcmp(argv[1], "vmloop"))
		ret = stress_vmloop(a ?: 20, argc > 3 && strstr(argv[3], "absent-ok"),
				    argc > 3 && strstr(argv[3], "gaps"));
	else if (!strcmp(argv[1], "cpus"))
		ret = stress_cpus();
	else if (!strcmp(argv[1], "modrace") && argc > 4)
		ret = stress_modrace(a ?: 20, argv[3], argv[4]);
	e2e_summary();
	return ret;
}

static void read_tb_hz(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	unsigned long long hz;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "timebase : %llu", &hz) == 1 && hz)
			tb_hz = hz;
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	bool live = false, quick = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--debugfs"))
			check_debugfs = true;
		else if (!strcmp(argv[i], "--soak-ms") && i + 1 < argc)
			soak_ms = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--live"))
			live = true;
		else if (!strcmp(argv[i], "--quick"))
			quick = true;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	e2e_watchdog_init();
	read_tb_hz();

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		e2e_result(false, "open /dev/kvm", "%s", strerror(errno));
		e2e_finish();
	}
	run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (argc > 1 && !strcmp(argv[1], "stress"))
		return stress(argc - 1, argv + 1);

	test_guest_runs();
	if (live) {
		test_live();
		e2e_finish();
	}
	test_rounding();
	if (quick)
		e2e_finish();
	test_offsets();
	test_migration();
	test_decrementer();

	if (nr_deltas) {
		uint64_t med;

		qsort(all_deltas, nr_deltas, sizeof(all_deltas[0]), cmp_u64);
		med = all_deltas[nr_deltas / 2];
		e2e_info("tb-deltas: guest TB - offset - host TB before KVM_RUN over %u runs: min %" PRIu64 " median %" PRIu64 " max %" PRIu64 " ticks (%" PRIu64 "/%" PRIu64 "/%" PRIu64 " us)",
			 all_runs, all_min, med, all_max, tb_us(all_min),
			 tb_us(med), tb_us(all_max));
	}
	e2e_info("host FP/VMX canary (f31, v31) lost across KVM_RUN in %u of %u runs, %u times replaced by the guest's FPR31 (not judged here)",
		 fp_lost, fp_runs, fp_guest);
	e2e_finish();
}
