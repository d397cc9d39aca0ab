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
 *     --debugfs      the module is loaded: check its debugfs view of this
 *                    client's vCPUs too
 *     --soak-ms MS   how long the carry soak runs (default 1500)
 *     --live         only the live attach/detach test (test_live())
 *     --quick        only a guest run and the rounding table
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
static unsigned int passed, failed;
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

static void __attribute__((format(printf, 3, 4)))
result(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	/* The rig splits a line at the first ": " into name and figures. */
	if (strstr(name, ": ")) {
		fprintf(stderr, "client: bad check name \"%s\"\n", name);
		abort();
	}
	printf("%s - %s", ok ? "ok" : "not ok", name);
	if (fmt) {
		fputs(": ", stdout);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

static void __attribute__((format(printf, 1, 2))) info(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void __attribute__((noreturn)) finish(void)
{
	printf("client: %u passed, %u failed\n", passed, failed);
	fflush(stdout);
	exit(failed ? 1 : 0);
}

static void on_alarm(int sig)
{
	(void)sig;	/* only there to interrupt KVM_RUN */
}

static void watchdog(unsigned int ms)
{
	struct itimerval it = {
		.it_value = { .tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000 },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int get_reg(struct vcpu *v, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)val };

	return ioctl(v->fd, KVM_GET_ONE_REG, &r) ? -errno : 0;
}

static int set_reg(struct vcpu *v, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&val };

	return ioctl(v->fd, KVM_SET_ONE_REG, &r) ? -errno : 0;
}

/* A VM with the guest image at guest physical 0. Returns -errno. */
static int vm_create(struct vm *vm)
{
	struct kvm_userspace_memory_region slot = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = GUEST_MEM,
	};

	vm->fd = ioctl(kvm_fd, KVM_CREATE_VM, KVM_VM_PPC_HV);
	if (vm->fd < 0)
		return -errno;
	vm->mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		return -errno;
	memcpy(vm->mem, guest_image, guest_image_end - guest_image);
	slot.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &slot))
		return -errno;
	return 0;
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
	int ret;

	v->id = id;
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0)
		return -errno;
	v->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED)
		return -errno;
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
	watchdog(ms);
	e->t0 = mftb();
	ret = ioctl(v->fd, KVM_RUN, 0);
	e->t1 = mftb();
	/* 5.10 (unlike 6.1) can return > 0 from a successful KVM_RUN. */
	e->err = ret < 0 ? errno : 0;
	watchdog(0);
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
		result(false, name, "run %u: %s", s->runs + 1, s->err);
	else if (!ok)
		result(false, name,
		       "%u of %u guest readings outside the host bracket, worst by %" PRId64 " ticks",
		       s->outside, s->runs, s->worst);
	else
		result(true, name,
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
		result(false, name, "%s", strerror(-ret));
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
	result(!ret, "KVM_CREATE_VM(KVM_VM_PPC_HV) and a memory slot", ret ? "%s" : NULL,
	       strerror(-ret));
	if (ret)
		finish();
	ret = vcpu_create(&vm, &v, 0, guest_tb_loop);
	result(!ret, "KVM_CREATE_VCPU, KVM_CAP_PPC_PAPR, LPCR[ILE] set and [LD] clear",
	       ret ? "%s" : NULL, strerror(-ret));
	if (ret)
		finish();
	get_reg(&v, KVM_REG_PPC_LPCR_64, &lpcr);
	info("guest LPCR %#" PRIx64 ", timebase %" PRIu64 " Hz", lpcr, tb_hz);
	if (!guest_tb(&v, &e)) {
		result(false, "the guest runs and reports its timebase with sc 1", "%s",
		       exit_str(&e, HC_TB));
		finish();
	}
	result(true, "the guest runs and reports its timebase with sc 1",
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
			result(false, name, "ONE_REG: %s", strerror(-ret));
			continue;
		}
		if (got != round_up_24(raws[i])) {
			result(false, name, "GET returned %#" PRIx64 ", not the rounded %#" PRIx64,
			       got, round_up_24(raws[i]));
			continue;
		}
		report_offset(run_offset(&v, got, OFFSET_RUNS, 0, &s), name, &s);
	}

	/* The carry soak. */
	got = 0;
	if (set_reg(&v, REG_TB_OFFSET, 0x5a5a5a5a5a5a5aULL) ||
	    get_reg(&v, REG_TB_OFFSET, &got)) {
		result(false, "carry soak", "ONE_REG failed");
	} else {
		bool ok = run_offset(&v, got, 0, soak_ms, &s);

		snprintf(name, sizeof(name), "carry soak, guest TB = host TB + %#" PRIx64 " on every KVM_RUN",
			 got);
		report_offset(ok, name, &s);
		info("carry soak: %u KVM_RUNs in %u ms, each a guest entry (TB += offset through TBU40) and exit (TB -= offset); the host TB's low 24 bits wrapped inside %u of them. The carry fix-up runs only if a wrap falls between the kernel's mftb and mtspr TBU40: not forced, and not observable from here (on powernv the rig counts it in QEMU's trace)",
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
			result(false, name, "SET: %s, GET: %s", strerror(-ret),
			       strerror(-gret));
		else
			result(got == rows[i][1], name, NULL);
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
		result(false, "debugfs kvm_timer_backport/vcpus lists this VM's vCPUs", "%s: %s",
		       path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		int pid, id;
		unsigned long long off, dec;

		line[strcspn(line, "\n")] = 0;
		info("debugfs: %s", line);
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
	result(found == n && right == n,
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
		result(false, "migration, VM with 2 vCPUs", "%s", strerror(-ret));
		return;
	}

	/* The source host ran the guest with some offset. */
	for (i = 0; i < 2; i++) {
		struct exit_info e;

		ret = set_reg(&v[i], REG_TB_OFFSET, 0x7654321000000ULL);
		if (ret || !guest_tb(&v[i], &e)) {
			result(false, "migration, the source runs", "%s",
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
		sleep_ms(sleeps[r]);
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
			result(false, name, "%s", strerror(-ret));
			break;
		}
		snprintf(name, sizeof(name), "migration round %u, both vCPUs GET round_up(guest_timebase - host TB)",
			 r + 1);
		result(get_ok, name, "raw %#" PRIx64 " -> %#" PRIx64 " / %#" PRIx64 " (jump %" PRId64 " ticks)",
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
			result(false, name, "%s", err);
			break;
		}
		snprintf(name, sizeof(name), "migration round %u (host sleeps %u ms), guest TB never goes backwards",
			 r + 1, sleeps[r]);
		result(!back, name, "vCPU 0 %+" PRId64 ", vCPU 1 %+" PRId64 " ticks since its last reading",
		       (int64_t)step[0], (int64_t)step[1]);
		snprintf(name, sizeof(name), "migration round %u, guest TB jumps forward by less than 2^24 ticks",
			 r + 1);
		result(jump_ok, name, "rounding adds %" PRId64 "; measured jump in [%" PRId64 ", %" PRId64 "] on vCPU 0, [%" PRId64 ", %" PRId64 "] on vCPU 1",
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
	result(!ret && e.timed_out, name, "%s",
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
		result(false, name, "%s", ret ? strerror(-ret) : "GET is not the rounded value");
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

	result(live_stage(1), "live, /init loaded the module while the VM lives", NULL);
	result(!get_reg(&v, REG_TB_OFFSET, &got) && got == 0x12345678a000000ULL,
	       "live, after insmod GET TB_OFFSET still returns 0x12345678a000000",
	       "%#" PRIx64, got);
	live_check(&v, "after insmod", 0x1000001);

	result(live_stage(2), "live, /init removed the module while the VM lives", NULL);
	result(!get_reg(&v, REG_TB_OFFSET, &got) && got == 0x2000000,
	       "live, after rmmod GET TB_OFFSET still returns 0x2000000",
	       "%#" PRIx64, got);
	live_check(&v, "after rmmod", -0x1000001ULL);
	vcpu_destroy(&v);
	vm_destroy(&vm);
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
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
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
	sigaction(SIGALRM, &sa, NULL);
	read_tb_hz();

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		result(false, "open /dev/kvm", "%s", strerror(errno));
		finish();
	}
	run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	test_guest_runs();
	if (live) {
		test_live();
		finish();
	}
	test_rounding();
	if (quick)
		finish();
	test_offsets();
	test_migration();
	test_decrementer();

	if (nr_deltas) {
		uint64_t med;

		qsort(all_deltas, nr_deltas, sizeof(all_deltas[0]), cmp_u64);
		med = all_deltas[nr_deltas / 2];
		info("tb-deltas: guest TB - offset - host TB before KVM_RUN over %u runs: min %" PRIu64 " median %" PRIu64 " max %" PRIu64 " ticks (%" PRIu64 "/%" PRIu64 "/%" PRIu64 " us)",
		     all_runs, all_min, med, all_max, tb_us(all_min),
		     tb_us(med), tb_us(all_max));
	}
	info("host FP/VMX canary (f31, v31) lost across KVM_RUN in %u of %u runs, %u times replaced by the guest's FPR31 (not judged here)",
	     fp_lost, fp_runs, fp_guest);
	finish();
}
