/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the e2e clients (e2e/mips/client.c, e2e/ppc64/client.c) share,
 * header-only as tools/testing/selftests/kselftest.h is: one client is one
 * translation unit.
 *
 * - Result lines and their counts:
 *     ok - [LABEL: ]NAME[: FIGURES]       a check that passed
 *     not ok - [LABEL: ]NAME[: FIGURES]   one that failed
 *     # [LABEL: ]...                      information
 *     client: N passed, M failed          last (e2e_summary())
 *   NAME is what is the same on every run and in every mode, FIGURES what
 *   varies (timings, counts); a rig splits the two at the first ": " after
 *   the label, so a NAME never holds one. LABEL (e2e_label) names the cell
 *   when one client runs in several. With e2e_observe set, checks are not
 *   counted and print as "# observed (as upstream|not as upstream) - ...".
 * - Time: CLOCK_MONOTONIC in ns, sleeps that survive signals, and a
 *   watchdog (SIGALRM without SA_RESTART) that ends a KVM_RUN that hangs.
 * - KVM: ONE_REG by id and address, a VM with a guest image at guest
 *   physical 0, a vCPU with its kvm_run mapped. All return -errno.
 * - Stress: a reproducible random source, errno names and an errno
 *   histogram, worker threads that leave SIGALRM to the main thread.
 */
#ifndef E2E_HARNESS_H
#define E2E_HARNESS_H

#include <errno.h>
#include <pthread.h>
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

#define E2E_NSEC	1000000000LL
/* Errno histogram buckets; the last one counts every errno beyond. */
#define E2E_ERRNOS	136

static const char *e2e_label;
static bool e2e_observe;
static unsigned int e2e_passed, e2e_failed;

static inline void e2e_prefix(void)
{
	if (e2e_label)
		printf("%s: ", e2e_label);
}

static inline void __attribute__((format(printf, 3, 4)))
e2e_result(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (strstr(name, ": ")) {
		fprintf(stderr, "client: bad check name \"%s\"\n", name);
		abort();
	}
	if (e2e_observe)
		printf("# observed (%s) - ", ok ? "as upstream" : "not as upstream");
	else
		printf("%s - ", ok ? "ok" : "not ok");
	e2e_prefix();
	fputs(name, stdout);
	if (fmt && *fmt) {
		fputs(": ", stdout);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
	if (e2e_observe)
		return;
	if (ok)
		e2e_passed++;
	else
		e2e_failed++;
}

static inline void __attribute__((format(printf, 1, 2)))
e2e_info(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	e2e_prefix();
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* The summary line. Returns 1 if any check failed, else 0. */
static inline int e2e_summary(void)
{
	printf("client: %u passed, %u failed\n", e2e_passed, e2e_failed);
	fflush(stdout);
	return e2e_failed ? 1 : 0;
}

/* The summary line, then exit: 1 if any check failed, else 0. */
static inline void __attribute__((noreturn)) e2e_finish(void)
{
	exit(e2e_summary());
}

static inline int64_t e2e_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * E2E_NSEC + ts.tv_nsec;
}

static inline uint64_t e2e_now_us(void)
{
	return e2e_now_ns() / 1000;
}

static inline void e2e_sleep_ns(int64_t ns)
{
	struct timespec ts = { ns / E2E_NSEC, ns % E2E_NSEC };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static inline void e2e_sleep_ms(unsigned int ms)
{
	e2e_sleep_ns(ms * 1000000LL);
}

static inline void e2e_on_alarm(int sig)
{
	(void)sig;	/* only there to interrupt KVM_RUN with EINTR */
}

/* Installs the watchdog's handler; call once, before any thread starts. */
static inline void e2e_watchdog_init(void)
{
	struct sigaction sa = { .sa_handler = e2e_on_alarm };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
}

/* SIGALRM to this process in @ms milliseconds; 0 disarms it. */
static inline void e2e_watchdog_ms(unsigned int ms)
{
	struct itimerval it = {
		.it_value = { .tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000 },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

/* The number a sysfs or procfs file holds, or -1. */
static inline long e2e_read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* KVM_GET_ONE_REG or KVM_SET_ONE_REG (@req) of @id at @addr. */
static inline int e2e_one_reg(int vcpu_fd, unsigned long req, uint64_t id,
			      void *addr)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)addr };

	return ioctl(vcpu_fd, req, &r) ? -errno : 0;
}

/*
 * A VM of @type whose memory slot 0 at guest physical 0 is @mem_size
 * bytes of anonymous memory starting with @image. Returns the VM's fd and
 * the memory in @mem, or -errno with nothing left open and @mem
 * MAP_FAILED.
 */
static inline int e2e_vm_create(int kvm_fd, unsigned long type,
				const void *image, size_t image_len,
				size_t mem_size, void **mem)
{
	struct kvm_userspace_memory_region slot = { .memory_size = mem_size };
	int vm, err;

	*mem = MAP_FAILED;
	vm = ioctl(kvm_fd, KVM_CREATE_VM, type);
	if (vm < 0)
		return -errno;
	*mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*mem == MAP_FAILED) {
		err = -errno;
		close(vm);
		return err;
	}
	memcpy(*mem, image, image_len);
	slot.userspace_addr = (uintptr_t)*mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot)) {
		err = -errno;
		munmap(*mem, mem_size);
		*mem = MAP_FAILED;
		close(vm);
		return err;
	}
	return vm;
}

/*
 * vCPU @id of @vm with its struct kvm_run mapped (@run_size bytes, from
 * KVM_GET_VCPU_MMAP_SIZE). Returns the vCPU's fd, or -errno with nothing
 * left open and @run MAP_FAILED.
 */
static inline int e2e_vcpu_create(int kvm_fd, int vm, int id,
				  struct kvm_run **run, long *run_size)
{
	int fd, err;

	*run = MAP_FAILED;
	fd = ioctl(vm, KVM_CREATE_VCPU, id);
	if (fd < 0)
		return -errno;
	*run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	*run = *run_size > 0 ? mmap(NULL, *run_size, PROT_READ | PROT_WRITE,
				    MAP_SHARED, fd, 0) : MAP_FAILED;
	if (*run == MAP_FAILED) {
		err = *run_size > 0 ? -errno : -EINVAL;
		close(fd);
		return err;
	}
	return fd;
}

/* xorshift32: reproducible, one state per caller. */
static inline uint32_t e2e_rnd(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

static inline uint64_t e2e_rnd64(uint32_t *state)
{
	uint64_t hi = e2e_rnd(state);

	return hi << 32 | e2e_rnd(state);
}

/* "EINVAL" for the errnos KVM ioctls give, "errnoN" for the rest. */
static inline const char *e2e_errname(int err)
{
	static const struct { int err; const char *name; } names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" },
		{ EIO, "EIO" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" },
		{ ENOEXEC, "ENOEXEC" }, { EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
		{ ENFILE, "ENFILE" }, { EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" },
		{ ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" },
	};
	static __thread char buf[24];
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(buf, sizeof(buf), "errno%d", err);
	return buf;
}

/* An errno histogram: n[errno], and n[E2E_ERRNOS - 1] for any beyond. */
struct e2e_errs {
	unsigned long n[E2E_ERRNOS];
};

static inline void e2e_count_err(struct e2e_errs *e, int err)
{
	e->n[err > 0 && err < E2E_ERRNOS - 1 ? err : E2E_ERRNOS - 1]++;
}

static inline void e2e_add_errs(struct e2e_errs *to,
				const struct e2e_errs *from)
{
	unsigned int i;

	for (i = 0; i < E2E_ERRNOS; i++)
		to->n[i] += from->n[i];
}

/*
 * "EINVAL 3, EFAULT 5", or "none"; with @fig also one "@fig errno NAME N"
 * line each, for a rig to add up. The string lives until the next call.
 */
static inline const char *e2e_errs_str(const struct e2e_errs *e, bool fig)
{
	static char buf[400];
	size_t len = 0;
	unsigned int i;

	buf[0] = 0;
	for (i = 1; i < E2E_ERRNOS; i++) {
		const char *name = i == E2E_ERRNOS - 1 ? "other" : e2e_errname(i);

		if (!e->n[i])
			continue;
		if (fig)
			printf("@fig errno %s %lu\n", name, e->n[i]);
		if (len < sizeof(buf))
			len += snprintf(buf + len, sizeof(buf) - len, "%s%s %lu",
					len ? ", " : "", name, e->n[i]);
	}
	return buf[0] ? buf : "none";
}

/*
 * A worker thread running @fn(@arg), with SIGALRM blocked in it: the
 * watchdog is the main thread's. Returns pthread_create()'s result.
 */
static inline int e2e_thread_start(pthread_t *thread, void *(*fn)(void *),
				   void *arg)
{
	sigset_t alrm, old;
	int ret;

	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, &old);
	ret = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

#endif /* E2E_HARNESS_H */
