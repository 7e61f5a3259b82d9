// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetimes: a vCPU fd outlives its instance fd and stays usable; closing
 * everything frees everything (no slab growth over 10k instance cycles).
 */
#include <kselftest_harness.h>

#include "common.h"

/* MemFree from /proc/meminfo, in KiB, or -1 */
static long mem_free_kb(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

TEST(vcpu_outlives_instance)
{
	struct virq_vcpu_output out;
	struct virq_ack ack = { 0 };
	struct virq_attr a;
	struct virq_call c;
	__u64 icp = 0;
	int fd, vfd[2];

	VIRQ_OPEN_OR_SKIP(fd);
	REQUIRE_XICS(fd);
	ASSERT_EQ(0, xics_make(fd, 2, 1024, vfd, 2));
	ASSERT_EQ(0, xics_route(fd, XICS_SRC, 0));
	ASSERT_EQ(0, virq_line(fd, XICS_SRC, VIRQ_LINE_EDGE, NULL));
	ASSERT_EQ(0, close(fd));

	/* The vCPU fds still work: outputs, poll, calls, attrs, ack. */
	memset(&out, 0xcc, sizeof(out));
	out.flags = 0;
	ASSERT_EQ(0, ioctl(vfd[0], VIRQ_VCPU_GET_OUTPUT, &out));
	EXPECT_EQ(VIRQ_OUT_INT, out.lines);
	EXPECT_EQ(0, out.reserved[0]);
	EXPECT_EQ(POLLIN, fd_revents(vfd[0]));
	EXPECT_EQ(0, fd_revents(vfd[1]));

	a = (struct virq_attr){ .group = VIRQ_XICS_GRP_ICP,
				.addr = (__u64)(uintptr_t)&icp, .size = 8 };
	ASSERT_EQ(0, ioctl(vfd[0], VIRQ_VCPU_GET_ATTR, &a));
	EXPECT_EQ(XICS_SRC, (icp >> VIRQ_XICS_ICP_XISR_SHIFT) &
			    VIRQ_XICS_ICP_XISR_MASK);

	ASSERT_EQ(0, ioctl(vfd[0], VIRQ_VCPU_ACK, &ack));
	EXPECT_EQ(0xff000000ULL | XICS_SRC, ack.id);
	EXPECT_EQ(0, fd_revents(vfd[0]));
	ASSERT_EQ(0, xics_hcall(vfd[0], H_EOI, ack.id, 0, &c));
	EXPECT_EQ(H_SUCCESS, c.ret);

	/* An IPI between the surviving vCPUs (server 1 -> 0) */
	ASSERT_EQ(0, xics_hcall(vfd[1], H_IPI, 0, XICS_PRIO, &c));
	EXPECT_EQ(H_SUCCESS, c.ret);
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(vfd[0]));

	/* Unknown commands are still ENOTTY, validation still EINVAL. */
	ASSERT_EQ(-1, ioctl(vfd[0], VIRQ_IOCTL_UNDEF, 0));
	EXPECT_EQ(ENOTTY, errno);
	out.flags = 1;
	ASSERT_EQ(-1, ioctl(vfd[0], VIRQ_VCPU_GET_OUTPUT, &out));
	EXPECT_EQ(EINVAL, errno);

	close(vfd[0]);
	/* the last vCPU fd still works alone */
	EXPECT_LE(0, virq_vcpu_lines(vfd[1]));
	close(vfd[1]);
}

/* Closing a vCPU fd first leaves the instance and the other vCPU alive. */
TEST(vcpu_close_first)
{
	int fd, vfd[2];

	VIRQ_OPEN_OR_SKIP(fd);
	REQUIRE_XICS(fd);
	ASSERT_EQ(0, xics_make(fd, 2, 1024, vfd, 2));
	ASSERT_EQ(0, close(vfd[0]));
	ASSERT_EQ(0, xics_route(fd, XICS_SRC, 1));
	ASSERT_EQ(0, virq_line(fd, XICS_SRC, VIRQ_LINE_EDGE, NULL));
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(vfd[1]));
	/* an interrupt for the closed vCPU's server is still accepted */
	ASSERT_EQ(0, xics_route(fd, XICS_SRC + 1, 0));
	ASSERT_EQ(0, virq_line(fd, XICS_SRC + 1, VIRQ_LINE_EDGE, NULL));
	close(vfd[1]);
	ASSERT_EQ(0, virq_line(fd, XICS_SRC, VIRQ_LINE_EDGE, NULL));
	close(fd);
}

/*
 * One instance with a chip, @nvcpus vCPUs and maybe an irqfd, closed in
 * the order @order picks.  0 or -1.
 */
static int cycle(int order, int nvcpus, int with_irqfd)
{
	int fd, vfd[4] = { -1, -1, -1, -1 }, efd = -1, rfd = -1, i, ret = -1;

	fd = virq_open();
	if (fd < 0)
		return -1;
	if (xics_make(fd, 4, 1024, vfd, nvcpus))
		goto out;
	if (with_irqfd) {
		struct virq_irqfd a = { .source = XICS_SRC };

		efd = eventfd(0, EFD_CLOEXEC);
		rfd = eventfd(0, EFD_CLOEXEC);
		if (efd < 0 || rfd < 0)
			goto out;
		a.fd = efd;
		if (order & 2) {
			a.flags = VIRQ_IRQFD_FLAG_RESAMPLE;
			a.resamplefd = rfd;
		}
		if (ioctl(fd, VIRQ_IRQFD, &a))
			goto out;
	}
	ret = 0;
out:
	if (order & 1) {
		close(fd);
		fd = -1;
	}
	if (efd >= 0 && (order & 4))
		close(efd);
	for (i = 0; i < nvcpus; i++)
		if (vfd[i] >= 0)
			close(vfd[i]);
	if (efd >= 0 && !(order & 4))
		close(efd);
	if (rfd >= 0)
		close(rfd);
	if (fd >= 0)
		close(fd);
	return ret;
}

static void settle(void)
{
	/* let RCU callbacks and deferred frees run */
	usleep(200000);
}

#define CYCLES		10000
#define WARMUP		100
#define SLAB_TOLERANCE	2000

/*
 * KASAN's quarantine holds freed objects, which slabinfo counts as
 * active, so the counts mean nothing on a KASAN kernel; that kernel (the
 * debug kernel) has kmemleak, whose scan after the run (tools/vm/run.sh)
 * finds the leaks these tests count.
 */
static bool slab_counts_meaningful(void)
{
	return access("/sys/kernel/debug/kmemleak", F_OK) != 0;
}

FIXTURE(cycles) {
	int unused;
};

FIXTURE_SETUP(cycles)
{
}

FIXTURE_TEARDOWN(cycles)
{
}

TEST_F_TIMEOUT(cycles, instance_no_leak, 240)
{
	long s0, s1, m0, m1;
	double t0, dt;
	int fd, i;

	VIRQ_OPEN_OR_SKIP(fd);
	REQUIRE_XICS(fd);
	close(fd);
	if (virq_slab_active_objects() < 0)
		SKIP(return, "no /proc/slabinfo");
	if (!slab_counts_meaningful())
		SKIP(return, "KASAN/kmemleak kernel: kmemleak's scan checks leaks");

	for (i = 0; i < WARMUP; i++)
		ASSERT_EQ(0, cycle(i, 1, 0))
			TH_LOG("warm-up %d: %s", i, strerror(errno));
	settle();
	s0 = virq_slab_active_objects();
	m0 = mem_free_kb();
	t0 = now_s();
	for (i = 0; i < CYCLES; i++)
		ASSERT_EQ(0, cycle(i, 1, 0))
			TH_LOG("cycle %d: %s", i, strerror(errno));
	dt = now_s() - t0;
	settle();
	s1 = virq_slab_active_objects();
	m1 = mem_free_kb();
	TH_LOG("%d cycles in %.2f s (%.0f us each)", CYCLES, dt,
	       dt * 1e6 / CYCLES);
	TH_LOG("kmalloc active objects: %ld -> %ld (%+ld)", s0, s1, s1 - s0);
	TH_LOG("MemFree: %ld -> %ld kB (%+ld)", m0, m1, m1 - m0);
	EXPECT_GT(SLAB_TOLERANCE, s1 - s0);
	/* nothing big leaked either (pages beyond the kmalloc caches) */
	EXPECT_GT(32 * 1024, m0 - m1);
}

/* Fewer cycles, but each with more vCPUs and an irqfd, all close orders */
TEST_F_TIMEOUT(cycles, irqfd_no_leak, 120)
{
	long s0, s1;
	double t0;
	int fd, i, n = 600;

	VIRQ_OPEN_OR_SKIP(fd);
	REQUIRE_XICS(fd);
	close(fd);
	if (virq_slab_active_objects() < 0)
		SKIP(return, "no /proc/slabinfo");
	if (!slab_counts_meaningful())
		SKIP(return, "KASAN/kmemleak kernel: kmemleak's scan checks leaks");

	for (i = 0; i < WARMUP; i++)
		ASSERT_EQ(0, cycle(i, 4, 1));
	settle();
	s0 = virq_slab_active_objects();
	t0 = now_s();
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, cycle(i, 4, 1))
			TH_LOG("cycle %d: %s", i, strerror(errno));
	settle();
	s1 = virq_slab_active_objects();
	TH_LOG("%d cycles in %.2f s; kmalloc active objects %ld -> %ld (%+ld)",
	       n, now_s() - t0, s0, s1, s1 - s0);
	/* >= 6 allocations a cycle: a leak of one shows */
	EXPECT_GT(n / 2, s1 - s0);
}

TEST_HARNESS_MAIN
