/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the core selftests (selftests/core/): opening the
 * device with a SKIP when the module is missing, the XICS set-up every
 * chip-level test starts from, hcalls and RTAS calls, a pointer that
 * always faults.
 *
 * Include after <kselftest_harness.h>: the macros use _metadata.
 */
#ifndef _VIRQ_CORE_COMMON_H
#define _VIRQ_CORE_COMMON_H

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>

#include "virq_test.h"

/* The harness's EXPECT_EQ(0, unsigned) comparisons are fine. */
#pragma GCC diagnostic ignored "-Wsign-compare"

/* PAPR hcall numbers (arch/powerpc/include/asm/hvcall.h) */
#ifdef VIRQ_XICS_H_EOI
#define H_SUCCESS	VIRQ_XICS_H_SUCCESS
#define H_EOI		VIRQ_XICS_H_EOI
#define H_CPPR		VIRQ_XICS_H_CPPR
#define H_IPI		VIRQ_XICS_H_IPI
#define H_XIRR		VIRQ_XICS_H_XIRR
#else
#define H_SUCCESS	0
#define H_EOI		0x64
#define H_CPPR		0x68
#define H_IPI		0x6c
#define H_XIRR		0x74
#endif
#define H_ENTER		0x08	/* an hcall no interrupt controller implements */

/* An ioctl number of KVM (KVM_CREATE_VM), and one of ours never defined */
#define KVM_IOCTL_NR	_IO(0xAE, 0x01)
#define VIRQ_IOCTL_UNDEF _IO(VIRQIO, 0x3f)

#define XICS_NR_SOURCES	2048
#define XICS_NR_VCPUS	4
#define XICS_PRIO	5
#define XICS_SRC	32	/* an ordinary (non-reserved) source */

/*
 * Open /dev/virq into @fd, or SKIP the test when the module is not loaded.
 * On kselftest_harness of 6.1 a SKIP in FIXTURE_SETUP does not stop the
 * test body; TEST_F bodies start with SKIP_IF_SETUP_SKIPPED().
 */
#define VIRQ_OPEN_OR_SKIP(fd) do {					\
	(fd) = virq_open();						\
	if ((fd) < 0 && (errno == ENOENT || errno == ENODEV))		\
		SKIP(return, "%s: %s (module not loaded)", VIRQ_DEV,	\
		     strerror(errno));					\
	ASSERT_LE(0, (fd)) TH_LOG("open %s: %s", VIRQ_DEV,		\
				  strerror(errno));			\
} while (0)

#define SKIP_IF_SETUP_SKIPPED() do {					\
	if (_metadata->skip)						\
		return;							\
} while (0)

static inline int virq_get_api(int fd, struct virq_api *api)
{
	memset(api, 0xcc, sizeof(*api));
	api->flags = 0;
	return ioctl(fd, VIRQ_GET_API, api);
}

static inline int virq_family_built(int fd, __u32 family)
{
	struct virq_api api;

	if (virq_get_api(fd, &api))
		return 0;
	return !!(api.families & (1ULL << family));
}

/* SKIP unless the XICS family is built in (test on instance @fd). */
#define REQUIRE_XICS(fd) do {						\
	if (!virq_family_built((fd), VIRQ_FAMILY_XICS))			\
		SKIP(return, "XICS family not built in");		\
} while (0)

/* A chip call (RTAS); returns the ioctl result, RTAS status in *ret. */
static inline int xics_rtas(int fd, __u32 nr, __u64 a0, __u64 a1, __u64 a2,
			    struct virq_call *c)
{
	memset(c, 0, sizeof(*c));
	c->nr = nr;
	c->args[0] = a0;
	c->args[1] = a1;
	c->args[2] = a2;
	c->ret = 0x5a5a;
	return virq_chip_call(fd, c);
}

static inline int xics_hcall(int vfd, __u32 nr, __u64 a0, __u64 a1,
			     struct virq_call *c)
{
	memset(c, 0, sizeof(*c));
	c->nr = nr;
	c->args[0] = a0;
	c->args[1] = a1;
	c->ret = 0x5a5a;
	return virq_vcpu_call(vfd, c);
}

/* Route @src to @server at XICS_PRIO; 0 or -1. */
static inline int xics_route(int fd, __u32 src, __u32 server)
{
	struct virq_call c;

	if (xics_rtas(fd, VIRQ_XICS_CALL_SET_XIVE, src, server, XICS_PRIO, &c))
		return -1;
	return c.ret ? -1 : 0;
}

static inline int xics_set_lsi(int fd, __u32 src)
{
	struct virq_call c;

	if (xics_rtas(fd, VIRQ_XICS_CALL_SET_LSI, src, 1, 0, &c))
		return -1;
	return c.ret ? -1 : 0;
}

/* Open the ICP of @vfd to every priority (CPPR 0xff); 0 or -1. */
static inline int xics_open_cppr(int vfd)
{
	struct virq_call c;

	if (xics_hcall(vfd, H_CPPR, 0xff, 0, &c))
		return -1;
	return c.ret == H_SUCCESS ? 0 : -1;
}

static inline int virq_get_words(int fd, __u32 first, __u32 count,
				 __u64 *words)
{
	struct virq_sources s = {
		.first = first, .count = count,
		.addr = (__u64)(uintptr_t)words,
	};

	return ioctl(fd, VIRQ_GET_SOURCES, &s);
}

static inline int virq_set_words(int fd, __u32 first, __u32 count,
				 const __u64 *words)
{
	struct virq_sources s = {
		.first = first, .count = count,
		.addr = (__u64)(uintptr_t)words,
	};

	return ioctl(fd, VIRQ_SET_SOURCES, &s);
}

static inline __u64 virq_word(int fd, __u32 src)
{
	__u64 w = 0xccccccccccccccccULL;

	if (virq_get_words(fd, src, 1, &w))
		return ~0ULL;
	return w;
}

/* A user address that always faults (a PROT_NONE page). */
static inline void *virq_bad_ptr(void)
{
	static void *p;

	if (!p) {
		p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (p == MAP_FAILED)
			p = (void *)16;
	}
	return p;
}

/* The last 8 bytes of a writable page that a PROT_NONE page follows */
static inline void *virq_edge_ptr(void)
{
	static char *p;

	long pg = sysconf(_SC_PAGESIZE);

	if (!p) {
		p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || mprotect(p + pg, pg, PROT_NONE))
			abort();
	}
	return p + pg - 8;
}

static inline __u64 virq_bad_uptr(void)
{
	return (__u64)(uintptr_t)virq_bad_ptr();
}

/* Is @fd readable within @ms milliseconds? 1, 0, or -1. */
static inline int fd_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r = poll(&p, 1, ms);

	if (r < 0)
		return -1;
	return r == 1 && (p.revents & POLLIN);
}

/* poll() events of @fd right now */
static inline int fd_revents(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLPRI };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A module parameter of virq, or -1 */
static inline long virq_module_param(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/virq/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* A fd number that is certainly closed */
static inline int closed_fd(void)
{
	int fd = dup(0);

	if (fd < 0)
		fd = open("/dev/null", O_RDONLY);
	close(fd);
	return fd;
}

/*
 * On instance @fd: an XICS chip of @nr_vcpus and @nr_sources, then @nvfds
 * vCPUs (index i, server i) into @vfds with CPPR opened to 0xff.
 * Returns 0, or -1 with errno of the failing step.
 */
static inline int xics_make(int fd, __u32 nr_vcpus, __u32 nr_sources,
			    int *vfds, int nvfds)
{
	int i;

	if (virq_create_chip(fd, VIRQ_FAMILY_XICS, nr_vcpus, nr_sources))
		return -1;
	for (i = 0; i < nvfds; i++) {
		vfds[i] = virq_create_vcpu(fd, i, i);
		if (vfds[i] < 0)
			return -1;
		if (xics_open_cppr(vfds[i]))
			return -1;
	}
	return 0;
}

/*
 * A fixture body shared by the files: instance fd, XICS chip, two vCPUs.
 * Each file says FIXTURE(xics) { XICS_FIXTURE_FIELDS; }; and uses
 * XICS_FIXTURE_SETUP / XICS_FIXTURE_TEARDOWN.
 */
#define XICS_FIXTURE_FIELDS int fd; int vfd[2]

#define XICS_FIXTURE_SETUP() do {					\
	self->fd = -1;							\
	self->vfd[0] = -1;						\
	self->vfd[1] = -1;						\
	VIRQ_OPEN_OR_SKIP(self->fd);					\
	REQUIRE_XICS(self->fd);						\
	ASSERT_EQ(0, xics_make(self->fd, XICS_NR_VCPUS,			\
			       XICS_NR_SOURCES, self->vfd, 2))		\
		TH_LOG("XICS set-up: %s", strerror(errno));		\
} while (0)

#define XICS_FIXTURE_TEARDOWN() do {					\
	if (self->vfd[1] >= 0)						\
		close(self->vfd[1]);					\
	if (self->vfd[0] >= 0)						\
		close(self->vfd[0]);					\
	if (self->fd >= 0)						\
		close(self->fd);					\
} while (0)

#endif /* _VIRQ_CORE_COMMON_H */
