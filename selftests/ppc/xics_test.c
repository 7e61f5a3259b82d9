// SPDX-License-Identifier: GPL-2.0
/*
 * virq XICS model: hcalls, RTAS calls, injection, MSI blocks, state
 * save/restore, poll() and concurrent injection.
 *
 * Runs inside the project's QEMU guest with virq.ko loaded; skips when
 * /dev/virq is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <linux/virq.h>

#include <kselftest_harness.h>

#define NR_SOURCES	4096
#define NR_VCPUS	3
#define PRIO_MASKED	VIRQ_XICS_PRIORITY_MASKED
#define FRESH_WORD	(VIRQ_XICS_MASKED | \
			 (__u64)PRIO_MASKED << VIRQ_XICS_PRIORITY_SHIFT)

/* Non-contiguous server numbers, on purpose */
static const __u64 servers[NR_VCPUS] = { 0x10, 0x20, 0x30 };

/* --- helpers ----------------------------------------------------------- */

static int xt_open(void)
{
	return open("/dev/virq", O_RDWR | O_CLOEXEC);
}

static int xt_create_chip(int fd, __u32 nr_vcpus, __u32 nr_sources)
{
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_XICS,
		.nr_vcpus = nr_vcpus,
		.nr_sources = nr_sources,
	};

	return ioctl(fd, VIRQ_CREATE_CHIP, &cfg);
}

static int xt_create_vcpu(int fd, __u32 index, __u64 arch_id)
{
	struct virq_vcpu_create vc = { .index = index, .arch_id = arch_id };

	return ioctl(fd, VIRQ_CREATE_VCPU, &vc);
}

static void xt_call_init(struct virq_call *c, __u32 nr, __u64 a0, __u64 a1,
			 __u64 a2)
{
	memset(c, 0xcc, sizeof(*c));
	c->nr = nr;
	c->flags = 0;
	memset(c->args, 0, sizeof(c->args));
	c->args[0] = a0;
	c->args[1] = a1;
	c->args[2] = a2;
}

/* An hcall; returns the ioctl result, the call in *c. */
static int xt_hcall(int vfd, struct virq_call *c, __u32 nr, __u64 a0, __u64 a1)
{
	xt_call_init(c, nr, a0, a1, 0);
	return ioctl(vfd, VIRQ_VCPU_CALL, c);
}

/* An RTAS call on the instance. */
static int xt_rtas(int fd, struct virq_call *c, __u32 nr, __u64 a0, __u64 a1,
		   __u64 a2)
{
	xt_call_init(c, nr, a0, a1, a2);
	return ioctl(fd, VIRQ_CHIP_CALL, c);
}

/* hcall expected to succeed at ioctl level: returns its hcall status */
static __s64 hcall(struct __test_metadata *_metadata, int vfd, __u32 nr,
		   __u64 a0, __u64 a1, __u64 *r0, __u64 *r1)
{
	struct virq_call c;

	ASSERT_EQ(0, xt_hcall(vfd, &c, nr, a0, a1));
	ASSERT_EQ(nr, c.nr);
	if (r0)
		*r0 = c.rets[0];
	if (r1)
		*r1 = c.rets[1];
	return c.ret;
}

static __s64 rtas(struct __test_metadata *_metadata, int fd, __u32 nr,
		  __u64 a0, __u64 a1, __u64 a2)
{
	struct virq_call c;

	ASSERT_EQ(0, xt_rtas(fd, &c, nr, a0, a1, a2));
	return c.ret;
}

static __s64 xirr(struct __test_metadata *_metadata, int vfd)
{
	__u64 r0;

	ASSERT_EQ(VIRQ_XICS_H_SUCCESS,
		  hcall(_metadata, vfd, VIRQ_XICS_H_XIRR, 0, 0, &r0, NULL));
	ASSERT_EQ(0ULL, r0 >> 32);
	return r0;
}

static void eoi(struct __test_metadata *_metadata, int vfd, __u32 x)
{
	ASSERT_EQ(VIRQ_XICS_H_SUCCESS,
		  hcall(_metadata, vfd, VIRQ_XICS_H_EOI, x, 0, NULL, NULL));
}

static void cppr(struct __test_metadata *_metadata, int vfd, __u8 v)
{
	ASSERT_EQ(VIRQ_XICS_H_SUCCESS,
		  hcall(_metadata, vfd, VIRQ_XICS_H_CPPR, v, 0, NULL, NULL));
}

static void ipi(struct __test_metadata *_metadata, int vfd, __u64 server,
		__u8 mfrr)
{
	ASSERT_EQ(VIRQ_XICS_H_SUCCESS,
		  hcall(_metadata, vfd, VIRQ_XICS_H_IPI, server, mfrr, NULL,
			NULL));
}

/* XIRR of @server as H_IPOLL sees it (no side effect) */
static __s64 ipoll(struct __test_metadata *_metadata, int vfd, __u64 server,
		   __u8 *mfrr)
{
	__u64 r0, r1;

	ASSERT_EQ(VIRQ_XICS_H_SUCCESS,
		  hcall(_metadata, vfd, VIRQ_XICS_H_IPOLL, server, 0, &r0,
			&r1));
	if (mfrr)
		*mfrr = r1;
	return r0;
}

static void set_xive(struct __test_metadata *_metadata, int fd, __u32 irq,
		     __u64 server, __u8 prio)
{
	ASSERT_EQ(VIRQ_XICS_RTAS_SUCCESS,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_SET_XIVE, irq, server,
		       prio));
}

static void set_lsi(struct __test_metadata *_metadata, int fd, __u32 irq,
		    int level)
{
	ASSERT_EQ(VIRQ_XICS_RTAS_SUCCESS,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_SET_LSI, irq, level, 0));
}

/* One injection; returns the status. */
static int line(struct __test_metadata *_metadata, int fd, __u32 src,
		__u32 op)
{
	struct virq_irq_line l;

	memset(&l, 0xcc, sizeof(l));
	l.source = src;
	l.op = op;
	l.flags = 0;
	ASSERT_EQ(0, ioctl(fd, VIRQ_IRQ_LINE, &l));
	return l.status;
}

static long long lines(struct __test_metadata *_metadata, int vfd)
{
	struct virq_vcpu_output out;

	memset(&out, 0xcc, sizeof(out));
	out.flags = 0;
	ASSERT_EQ(0, ioctl(vfd, VIRQ_VCPU_GET_OUTPUT, &out));
	return out.lines;
}

static int xt_sources(int fd, unsigned long cmd, __u32 first, __u32 count,
		      __u64 *words)
{
	struct virq_sources s = {
		.first = first,
		.count = count,
		.addr = (uintptr_t)words,
	};

	return ioctl(fd, cmd, &s);
}

static __u64 word(struct __test_metadata *_metadata, int fd, __u32 src)
{
	__u64 w;

	memset(&w, 0xcc, sizeof(w));
	ASSERT_EQ(0, xt_sources(fd, VIRQ_GET_SOURCES, src, 1, &w));
	return w;
}

static int xt_icp_attr(int vfd, unsigned long cmd, __u32 group, __u64 attr,
		       __u64 *val, __u32 *size)
{
	struct virq_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uintptr_t)val,
		.size = *size,
	};
	int ret;

	ret = ioctl(vfd, cmd, &a);
	*size = a.size;
	return ret;
}

static __u64 icp_word(struct __test_metadata *_metadata, int vfd)
{
	__u32 size = 8;
	__u64 w;

	memset(&w, 0xcc, sizeof(w));
	ASSERT_EQ(0, xt_icp_attr(vfd, VIRQ_VCPU_GET_ATTR, VIRQ_XICS_GRP_ICP, 0,
				 &w, &size));
	ASSERT_EQ(8U, size);
	return w;
}

static int set_icp_word(int vfd, __u64 w)
{
	__u32 size = 8;

	return xt_icp_attr(vfd, VIRQ_VCPU_SET_ATTR, VIRQ_XICS_GRP_ICP, 0, &w,
			   &size);
}

static __u64 icp_make(__u8 cppr, __u32 xisr, __u8 mfrr, __u8 ppri)
{
	return (__u64)cppr << VIRQ_XICS_ICP_CPPR_SHIFT |
	       (__u64)xisr << VIRQ_XICS_ICP_XISR_SHIFT |
	       (__u64)mfrr << VIRQ_XICS_ICP_MFRR_SHIFT |
	       (__u64)ppri << VIRQ_XICS_ICP_PPRI_SHIFT;
}

#define XISR(x)		((x) & VIRQ_XICS_XIRR_XISR_MASK)
#define XCPPR(x)	((x) >> VIRQ_XICS_XIRR_CPPR_SHIFT)

/* --- fixture ------------------------------------------------------------ */

FIXTURE(xics) {
	int fd;
	int vcpu[NR_VCPUS];
	bool skip;
};

/* Instance with NR_VCPUS vCPUs (servers[]) whose CPPR is 0xff. */
static void xics_instance(struct __test_metadata *_metadata, int *fd,
			  int *vcpu, __u32 nr_sources)
{
	int i;

	*fd = xt_open();
	ASSERT_LE(0, *fd);
	ASSERT_EQ(0, xt_create_chip(*fd, NR_VCPUS, nr_sources));
	for (i = 0; i < NR_VCPUS; i++) {
		vcpu[i] = xt_create_vcpu(*fd, i, servers[i]);
		ASSERT_LE(0, vcpu[i]);
		cppr(_metadata, vcpu[i], 0xff);
	}
}

FIXTURE_SETUP(xics)
{
	int fd = xt_open();

	if (fd < 0) {
		self->skip = true;
		SKIP(return, "/dev/virq: %s", strerror(errno));
	}
	close(fd);
	xics_instance(_metadata, &self->fd, self->vcpu, NR_SOURCES);
}

FIXTURE_TEARDOWN(xics)
{
	int i;

	if (self->skip)
		return;
	for (i = 0; i < NR_VCPUS; i++)
		if (self->vcpu[i] > 0)
			close(self->vcpu[i]);
	if (self->fd > 0)
		close(self->fd);
}

/*
 * kselftest_harness (6.1) runs the body even when the setup skipped: each
 * test starts with "if (self->skip) return;".
 */

/* --- creation ---------------------------------------------------------- */

TEST(create_bad_nr_sources)
{
	static const __u32 bad[] = {
		1000, 1025, VIRQ_XICS_ICS_SIZE + 1,
		VIRQ_XICS_MAX_SOURCES + VIRQ_XICS_ICS_SIZE,
	};
	unsigned int i;
	int fd;

	fd = xt_open();
	if (fd < 0)
		SKIP(return, "/dev/virq: %s", strerror(errno));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, xt_create_chip(fd, 2, bad[i]));
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(0, xt_create_chip(fd, 2, VIRQ_XICS_ICS_SIZE));
	close(fd);
}

TEST(vcpu_arch_id)
{
	int fd, v;

	fd = xt_open();
	if (fd < 0)
		SKIP(return, "/dev/virq: %s", strerror(errno));
	ASSERT_EQ(0, xt_create_chip(fd, 2, NR_SOURCES));
	/* Server numbers are 32-bit. */
	EXPECT_EQ(-1, xt_create_vcpu(fd, 0, 1ULL << 32));
	EXPECT_EQ(EINVAL, errno);
	v = xt_create_vcpu(fd, 0, 0xffffffff);
	ASSERT_LE(0, v);
	EXPECT_EQ(-1, xt_create_vcpu(fd, 1, 0xffffffff));
	EXPECT_EQ(EEXIST, errno);
	close(v);
	close(fd);
}

/* --- hcalls ------------------------------------------------------------ */

TEST_F(xics, hcall_unknown)
{
	struct virq_call c;

	if (self->skip)
		return;
	EXPECT_EQ(-1, xt_hcall(self->vcpu[0], &c, 0x04 /* H_ENTER */, 0, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/* Non-zero flags are rejected. */
	xt_call_init(&c, VIRQ_XICS_H_XIRR, 0, 0, 0);
	c.flags = 1;
	EXPECT_EQ(-1, ioctl(self->vcpu[0], VIRQ_VCPU_CALL, &c));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(xics, h_cppr)
{
	int v = self->vcpu[0];

	if (self->skip)
		return;
	EXPECT_EQ(VIRQ_XICS_H_PARAMETER,
		  hcall(_metadata, v, VIRQ_XICS_H_CPPR, 0x100, 0, NULL, NULL));
	EXPECT_EQ(0xff, XCPPR(ipoll(_metadata, v, servers[0], NULL)));
	cppr(_metadata, v, 5);
	EXPECT_EQ(5, XCPPR(ipoll(_metadata, v, servers[0], NULL)));
	cppr(_metadata, v, 0xff);
	EXPECT_EQ(0xff, XCPPR(ipoll(_metadata, v, servers[0], NULL)));
}

TEST_F(xics, h_ipoll)
{
	__u64 r0, r1;
	__u8 mfrr;

	if (self->skip)
		return;
	EXPECT_EQ(VIRQ_XICS_H_PARAMETER,
		  hcall(_metadata, self->vcpu[0], VIRQ_XICS_H_IPOLL, 0x11, 0,
			&r0, &r1));
	EXPECT_EQ(0ULL, r0);
	EXPECT_EQ(VIRQ_XICS_H_PARAMETER,
		  hcall(_metadata, self->vcpu[0], VIRQ_XICS_H_IPOLL,
			1ULL << 32 | servers[1], 0, NULL, NULL));
	EXPECT_EQ(0xff000000, ipoll(_metadata, self->vcpu[0], servers[1],
				    &mfrr));
	EXPECT_EQ(0xff, mfrr);
	/* H_IPOLL does not accept: the IPI stays pending. */
	ipi(_metadata, self->vcpu[0], servers[1], 7);
	EXPECT_EQ(0xff000002, ipoll(_metadata, self->vcpu[0], servers[1],
				    &mfrr));
	EXPECT_EQ(7, mfrr);
	EXPECT_EQ(0xff000002, ipoll(_metadata, self->vcpu[1], servers[1],
				    NULL));
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, self->vcpu[1]));
}

TEST_F(xics, h_ipi)
{
	int a = self->vcpu[0], b = self->vcpu[1];

	if (self->skip)
		return;
	EXPECT_EQ(VIRQ_XICS_H_PARAMETER,
		  hcall(_metadata, a, VIRQ_XICS_H_IPI, 0x11, 5, NULL, NULL));
	EXPECT_EQ(VIRQ_XICS_H_PARAMETER,
		  hcall(_metadata, a, VIRQ_XICS_H_IPI, servers[1], 0x100, NULL,
			NULL));
	EXPECT_EQ(0, lines(_metadata, b));

	/* A sends B an IPI. */
	ipi(_metadata, a, servers[1], 5);
	EXPECT_EQ(0, lines(_metadata, a));
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, b));
	EXPECT_EQ(0xff000002, xirr(_metadata, b));
	EXPECT_EQ(0, lines(_metadata, b));
	EXPECT_EQ(0x05000000, ipoll(_metadata, b, servers[1], NULL));

	/* EOI with the MFRR still set presents it again (PAPR). */
	eoi(_metadata, b, 0xff000002);
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, b));
	EXPECT_EQ(0xff000002, xirr(_metadata, b));
	/* The handler clears its MFRR before the EOI: done. */
	ipi(_metadata, b, servers[1], 0xff);
	eoi(_metadata, b, 0xff000002);
	EXPECT_EQ(0, lines(_metadata, b));
	EXPECT_EQ(0xff000000, xirr(_metadata, b));

	/* An IPI not more favoured than the CPPR waits for Down_CPPR. */
	cppr(_metadata, b, 5);
	ipi(_metadata, a, servers[1], 5);
	EXPECT_EQ(0, lines(_metadata, b));
	cppr(_metadata, b, 6);
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, b));
	EXPECT_EQ(0x06000002, xirr(_metadata, b));
	ipi(_metadata, b, servers[1], 0xff);
	eoi(_metadata, b, 0xff000002);
	EXPECT_EQ(0, lines(_metadata, b));
}

TEST_F(xics, h_xirr_x_and_ack)
{
	struct virq_ack ack;
	__u64 r0, r1;
	int v = self->vcpu[2];

	if (self->skip)
		return;
	set_xive(_metadata, self->fd, 100, servers[2], 5);
	EXPECT_EQ(1, line(_metadata, self->fd, 100, VIRQ_LINE_EDGE));
	EXPECT_EQ(VIRQ_XICS_H_SUCCESS,
		  hcall(_metadata, v, VIRQ_XICS_H_XIRR_X, 0, 0, &r0, &r1));
	EXPECT_EQ(0xff000000 | 100, r0);
	EXPECT_EQ(0ULL, r1);	/* no timebase */
	eoi(_metadata, v, 0xff000000 | 100);

	/* VIRQ_VCPU_ACK is H_XIRR */
	EXPECT_EQ(1, line(_metadata, self->fd, 100, VIRQ_LINE_EDGE));
	memset(&ack, 0xcc, sizeof(ack));
	ack.flags = 0;
	ack.event = 0;
	ASSERT_EQ(0, ioctl(v, VIRQ_VCPU_ACK, &ack));
	EXPECT_EQ(0xff000000 | 100, ack.id);
	memset(&ack, 0xcc, sizeof(ack));
	ack.flags = 0;
	ack.event = 0;
	ASSERT_EQ(0, ioctl(v, VIRQ_VCPU_ACK, &ack));
	EXPECT_EQ(0x05000000ULL, ack.id);	/* nothing pending */
	eoi(_metadata, v, 0xff000000 | 100);
	EXPECT_EQ(0xff000000, xirr(_metadata, v));
}

TEST_F(xics, h_eoi_bad)
{
	int v = self->vcpu[0];

	if (self->skip)
		return;
	EXPECT_EQ(VIRQ_XICS_H_PARAMETER,
		  hcall(_metadata, v, VIRQ_XICS_H_EOI, 0xff000005, 0, NULL,
			NULL));
	EXPECT_EQ(VIRQ_XICS_H_PARAMETER,
		  hcall(_metadata, v, VIRQ_XICS_H_EOI, 0xff000000 | NR_SOURCES,
			0, NULL, NULL));
	EXPECT_EQ(VIRQ_XICS_H_PARAMETER,
		  hcall(_metadata, v, VIRQ_XICS_H_EOI, 1ULL << 32 | 0xff000020,
			0, NULL, NULL));
	/* EOI of a source that never fired is harmless. */
	eoi(_metadata, v, 0xff000000 | 200);
	eoi(_metadata, v, 0xff000000 | 3000);
	EXPECT_EQ(0, lines(_metadata, v));
}

/* --- RTAS ---------------------------------------------------------------- */

TEST_F(xics, rtas_xive)
{
	struct virq_call c;
	int fd = self->fd;

	if (self->skip)
		return;
	/* A source nobody touched reads as fresh. */
	ASSERT_EQ(0, xt_rtas(fd, &c, VIRQ_XICS_CALL_GET_XIVE, 2000, 0, 0));
	EXPECT_EQ(VIRQ_XICS_RTAS_SUCCESS, c.ret);
	EXPECT_EQ(0ULL, c.rets[0]);
	EXPECT_EQ(0xffULL, c.rets[1]);

	set_xive(_metadata, fd, 2000, servers[1], 7);
	ASSERT_EQ(0, xt_rtas(fd, &c, VIRQ_XICS_CALL_GET_XIVE, 2000, 0, 0));
	EXPECT_EQ(VIRQ_XICS_RTAS_SUCCESS, c.ret);
	EXPECT_EQ(servers[1], c.rets[0]);
	EXPECT_EQ(7ULL, c.rets[1]);
	EXPECT_EQ(servers[1] | 7ULL << 32, word(_metadata, fd, 2000));

	/* Parameter errors: reserved/out-of-range source, server, prio */
	EXPECT_EQ(VIRQ_XICS_RTAS_PARAMETER,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_SET_XIVE, 5, servers[0],
		       5));
	EXPECT_EQ(VIRQ_XICS_RTAS_PARAMETER,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_SET_XIVE, NR_SOURCES,
		       servers[0], 5));
	EXPECT_EQ(VIRQ_XICS_RTAS_PARAMETER,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_SET_XIVE, 2000, 0x11, 5));
	EXPECT_EQ(VIRQ_XICS_RTAS_PARAMETER,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_SET_XIVE, 2000,
		       1ULL << 32 | servers[0], 5));
	EXPECT_EQ(VIRQ_XICS_RTAS_PARAMETER,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_SET_XIVE, 2000, servers[0],
		       0x100));
	EXPECT_EQ(VIRQ_XICS_RTAS_PARAMETER,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_GET_XIVE, 15, 0, 0));
	EXPECT_EQ(VIRQ_XICS_RTAS_PARAMETER,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_GET_XIVE, NR_SOURCES, 0,
		       0));
	/* Nothing changed */
	EXPECT_EQ(servers[1] | 7ULL << 32, word(_metadata, fd, 2000));

	/* Unknown chip call, bad flags */
	EXPECT_EQ(-1, xt_rtas(fd, &c, 99, 0, 0, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	xt_call_init(&c, VIRQ_XICS_CALL_GET_XIVE, 2000, 0, 0);
	c.flags = 2;
	EXPECT_EQ(-1, ioctl(fd, VIRQ_CHIP_CALL, &c));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(xics, rtas_int_off_on)
{
	struct virq_call c;
	int fd = self->fd;

	if (self->skip)
		return;
	set_xive(_metadata, fd, 300, servers[0], 4);
	EXPECT_EQ(VIRQ_XICS_RTAS_SUCCESS,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_INT_OFF, 300, 0, 0));
	ASSERT_EQ(0, xt_rtas(fd, &c, VIRQ_XICS_CALL_GET_XIVE, 300, 0, 0));
	EXPECT_EQ(0xffULL, c.rets[1]);
	EXPECT_EQ(VIRQ_XICS_MASKED | servers[0] | 4ULL << 32,
		  word(_metadata, fd, 300));
	/* A second int-off keeps the saved priority. */
	EXPECT_EQ(VIRQ_XICS_RTAS_SUCCESS,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_INT_OFF, 300, 0, 0));
	EXPECT_EQ(VIRQ_XICS_RTAS_SUCCESS,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_INT_ON, 300, 0, 0));
	ASSERT_EQ(0, xt_rtas(fd, &c, VIRQ_XICS_CALL_GET_XIVE, 300, 0, 0));
	EXPECT_EQ(servers[0], c.rets[0]);
	EXPECT_EQ(4ULL, c.rets[1]);

	EXPECT_EQ(VIRQ_XICS_RTAS_PARAMETER,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_INT_OFF, 2, 0, 0));
	EXPECT_EQ(VIRQ_XICS_RTAS_PARAMETER,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_INT_ON, NR_SOURCES, 0, 0));
	/* int-on needs an existing server: fresh sources have server 0 */
	EXPECT_EQ(VIRQ_XICS_RTAS_PARAMETER,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_INT_ON, 301, 0, 0));
	/* int-off of a fresh source is a no-op */
	EXPECT_EQ(VIRQ_XICS_RTAS_SUCCESS,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_INT_OFF, 3500, 0, 0));
	EXPECT_EQ(FRESH_WORD, word(_metadata, fd, 3500));
}

TEST_F(xics, rtas_set_lsi)
{
	int fd = self->fd;

	if (self->skip)
		return;
	EXPECT_EQ(VIRQ_XICS_RTAS_PARAMETER,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_SET_LSI, 400, 2, 0));
	EXPECT_EQ(VIRQ_XICS_RTAS_PARAMETER,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_SET_LSI, 0, 1, 0));
	EXPECT_EQ(VIRQ_XICS_RTAS_PARAMETER,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_SET_LSI, NR_SOURCES, 1,
		       0));
	set_lsi(_metadata, fd, 400, 1);
	EXPECT_EQ(FRESH_WORD | VIRQ_XICS_LEVEL_SENSITIVE,
		  word(_metadata, fd, 400));
	set_lsi(_metadata, fd, 400, 0);
	EXPECT_EQ(FRESH_WORD, word(_metadata, fd, 400));
}

/* --- injection ------------------------------------------------------------ */

TEST_F(xics, inject_bad)
{
	struct virq_irq_line l = { .source = 3, .op = VIRQ_LINE_EDGE };
	struct virq_msi msi = { .data = 5 };

	if (self->skip)
		return;
	EXPECT_EQ(-1, ioctl(self->fd, VIRQ_IRQ_LINE, &l));
	EXPECT_EQ(EINVAL, errno);
	l.source = NR_SOURCES;
	EXPECT_EQ(-1, ioctl(self->fd, VIRQ_IRQ_LINE, &l));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VIRQ_SIGNAL_MSI, &msi));
	EXPECT_EQ(EINVAL, errno);
	msi.data = NR_SOURCES;
	EXPECT_EQ(-1, ioctl(self->fd, VIRQ_SIGNAL_MSI, &msi));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(xics, signal_msi)
{
	struct virq_msi msi;
	int v = self->vcpu[1];

	if (self->skip)
		return;
	set_xive(_metadata, self->fd, 1500, servers[1], 3);
	memset(&msi, 0xcc, sizeof(msi));
	msi.address_lo = 0x12345678;	/* ignored */
	msi.address_hi = 0;
	msi.data = 1500;
	msi.flags = 0;
	msi.devid = 0;
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_SIGNAL_MSI, &msi));
	EXPECT_EQ(1, msi.status);
	EXPECT_EQ(0xff000000 | 1500, xirr(_metadata, v));
	eoi(_metadata, v, 0xff000000 | 1500);
}

TEST_F(xics, priority_order)
{
	int fd = self->fd, v = self->vcpu[0];
	__s64 x;

	if (self->skip)
		return;
	set_xive(_metadata, fd, 100, servers[0], 6);
	set_xive(_metadata, fd, 101, servers[0], 4);
	set_xive(_metadata, fd, 102, servers[0], 5);
	set_xive(_metadata, fd, 1100, servers[0], 3);	/* another ICS */

	EXPECT_EQ(1, line(_metadata, fd, 100, VIRQ_LINE_EDGE));
	EXPECT_EQ(1, line(_metadata, fd, 102, VIRQ_LINE_EDGE));	/* rejects 100 */
	EXPECT_EQ(1, line(_metadata, fd, 101, VIRQ_LINE_EDGE));	/* rejects 102 */
	/* Less favoured than the one pending: waits */
	EXPECT_EQ(VIRQ_STATUS_COALESCED,
		  line(_metadata, fd, 100, VIRQ_LINE_EDGE));

	x = xirr(_metadata, v);
	EXPECT_EQ(0xff000000 | 101, x);
	EXPECT_EQ(0, lines(_metadata, v));

	/* Nesting: a more favoured one interrupts the handler of 101. */
	EXPECT_EQ(1, line(_metadata, fd, 1100, VIRQ_LINE_EDGE));
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, v));
	EXPECT_EQ(0x04000000 | 1100, xirr(_metadata, v));
	eoi(_metadata, v, 0x04000000 | 1100);
	EXPECT_EQ(0, lines(_metadata, v));
	eoi(_metadata, v, x);

	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, v));
	x = xirr(_metadata, v);
	EXPECT_EQ(0xff000000 | 102, x);
	eoi(_metadata, v, x);
	x = xirr(_metadata, v);
	EXPECT_EQ(0xff000000 | 100, x);
	eoi(_metadata, v, x);
	/* 100 fired twice while pending: once more (P/Q), then nothing */
	x = xirr(_metadata, v);
	EXPECT_EQ(0xff000000 | 100, x);
	eoi(_metadata, v, x);
	EXPECT_EQ(0, lines(_metadata, v));
	EXPECT_EQ(0xff000000, xirr(_metadata, v));
}

TEST_F(xics, reject_and_resend)
{
	int fd = self->fd, v = self->vcpu[0];
	__s64 x;

	if (self->skip)
		return;
	set_xive(_metadata, fd, 120, servers[0], 5);
	EXPECT_EQ(1, line(_metadata, fd, 120, VIRQ_LINE_EDGE));
	EXPECT_EQ(0xff000000 | 120, ipoll(_metadata, v, servers[0], NULL));

	/* Up_CPPR rejects the pending 120 back to its ICS. */
	cppr(_metadata, v, 5);
	EXPECT_EQ(0, lines(_metadata, v));
	EXPECT_EQ(0x05000000, ipoll(_metadata, v, servers[0], NULL));
	EXPECT_EQ(servers[0] | 5ULL << 32 | VIRQ_XICS_PENDING |
		  VIRQ_XICS_PRESENTED, word(_metadata, fd, 120));
	/* Down_CPPR resends it. */
	cppr(_metadata, v, 0xff);
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, v));
	EXPECT_EQ(servers[0] | 5ULL << 32 | VIRQ_XICS_PRESENTED,
		  word(_metadata, fd, 120));

	/* A more favoured IPI rejects it too; it is back after the IPI. */
	ipi(_metadata, v, servers[0], 2);
	EXPECT_EQ(0xff000002, ipoll(_metadata, v, servers[0], NULL));
	x = xirr(_metadata, v);
	EXPECT_EQ(0xff000002, x);
	ipi(_metadata, v, servers[0], 0xff);
	EXPECT_EQ(0, lines(_metadata, v));
	eoi(_metadata, v, x);
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, v));
	x = xirr(_metadata, v);
	EXPECT_EQ(0xff000000 | 120, x);
	eoi(_metadata, v, x);
	EXPECT_EQ(0, lines(_metadata, v));
	EXPECT_EQ(servers[0] | 5ULL << 32, word(_metadata, fd, 120));

	/* Retargeting a waiting source delivers it to the new server. */
	cppr(_metadata, v, 1);
	EXPECT_EQ(VIRQ_STATUS_COALESCED,
		  line(_metadata, fd, 120, VIRQ_LINE_EDGE));
	set_xive(_metadata, fd, 120, servers[2], 5);
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, self->vcpu[2]));
	x = xirr(_metadata, self->vcpu[2]);
	EXPECT_EQ(0xff000000 | 120, x);
	eoi(_metadata, self->vcpu[2], x);
	cppr(_metadata, v, 0xff);
	EXPECT_EQ(0, lines(_metadata, v));
}

TEST_F(xics, cppr_raise_drop)
{
	int fd = self->fd, v = self->vcpu[1];
	__s64 x;

	if (self->skip)
		return;
	set_xive(_metadata, fd, 130, servers[1], 6);
	set_xive(_metadata, fd, 131, servers[1], 4);
	cppr(_metadata, v, 5);
	EXPECT_EQ(VIRQ_STATUS_COALESCED,
		  line(_metadata, fd, 130, VIRQ_LINE_EDGE));
	EXPECT_EQ(0, lines(_metadata, v));
	EXPECT_EQ(1, line(_metadata, fd, 131, VIRQ_LINE_EDGE));
	x = xirr(_metadata, v);
	EXPECT_EQ(0x05000000 | 131, x);
	eoi(_metadata, v, x);		/* back to CPPR 5: 130 still waits */
	EXPECT_EQ(0, lines(_metadata, v));
	cppr(_metadata, v, 6);		/* not yet: 6 is not above 6 */
	EXPECT_EQ(0, lines(_metadata, v));
	cppr(_metadata, v, 7);
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, v));
	x = xirr(_metadata, v);
	EXPECT_EQ(0x07000000 | 130, x);
	eoi(_metadata, v, 0xff000000 | 130);
	EXPECT_EQ(0xff000000, xirr(_metadata, v));
}

TEST_F(xics, masked_pending)
{
	int fd = self->fd, v = self->vcpu[0];

	if (self->skip)
		return;
	/* A fresh source is masked: the edge is latched. */
	EXPECT_EQ(VIRQ_STATUS_MASKED,
		  line(_metadata, fd, 140, VIRQ_LINE_EDGE));
	EXPECT_EQ(FRESH_WORD | VIRQ_XICS_PENDING | VIRQ_XICS_PRESENTED,
		  word(_metadata, fd, 140));
	EXPECT_EQ(VIRQ_STATUS_MASKED,
		  line(_metadata, fd, 140, VIRQ_LINE_EDGE));
	EXPECT_EQ(0, lines(_metadata, v));
	set_xive(_metadata, fd, 140, servers[0], 5);
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, v));
	EXPECT_EQ(0xff000000 | 140, xirr(_metadata, v));
	eoi(_metadata, v, 0xff000000 | 140);
	/* the second edge was queued */
	EXPECT_EQ(0xff000000 | 140, xirr(_metadata, v));
	eoi(_metadata, v, 0xff000000 | 140);
	EXPECT_EQ(0, lines(_metadata, v));

	/* int-off, fire, int-on */
	EXPECT_EQ(VIRQ_XICS_RTAS_SUCCESS,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_INT_OFF, 140, 0, 0));
	EXPECT_EQ(VIRQ_STATUS_MASKED,
		  line(_metadata, fd, 140, VIRQ_LINE_EDGE));
	EXPECT_EQ(0, lines(_metadata, v));
	EXPECT_EQ(VIRQ_XICS_RTAS_SUCCESS,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_INT_ON, 140, 0, 0));
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, v));
	EXPECT_EQ(0xff000000 | 140, xirr(_metadata, v));
	eoi(_metadata, v, 0xff000000 | 140);
	EXPECT_EQ(0, lines(_metadata, v));

	/* Masking a source that sits in the XISR does not retract it. */
	EXPECT_EQ(1, line(_metadata, fd, 140, VIRQ_LINE_EDGE));
	EXPECT_EQ(VIRQ_XICS_RTAS_SUCCESS,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_INT_OFF, 140, 0, 0));
	EXPECT_EQ(0xff000000 | 140, xirr(_metadata, v));
	eoi(_metadata, v, 0xff000000 | 140);
}

TEST_F(xics, level)
{
	int fd = self->fd, v = self->vcpu[2];
	__s64 x = 0xff000000 | 150;

	if (self->skip)
		return;
	set_lsi(_metadata, fd, 150, 1);
	set_xive(_metadata, fd, 150, servers[2], 5);
	EXPECT_EQ(1, line(_metadata, fd, 150, VIRQ_LINE_SET));
	EXPECT_EQ(VIRQ_STATUS_COALESCED,
		  line(_metadata, fd, 150, VIRQ_LINE_SET));
	EXPECT_EQ(x, xirr(_metadata, v));
	EXPECT_EQ(VIRQ_STATUS_COALESCED,
		  line(_metadata, fd, 150, VIRQ_LINE_SET));
	EXPECT_EQ(servers[2] | 5ULL << 32 | VIRQ_XICS_LEVEL_SENSITIVE |
		  VIRQ_XICS_PRESENTED | VIRQ_XICS_ASSERTED,
		  word(_metadata, fd, 150));

	/* Still asserted at EOI: presented again, every time. */
	eoi(_metadata, v, x);
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, v));
	EXPECT_EQ(x, xirr(_metadata, v));
	eoi(_metadata, v, x);
	EXPECT_EQ(x, xirr(_metadata, v));

	/* Lowered in the handler: not again. */
	EXPECT_EQ(VIRQ_STATUS_COALESCED,
		  line(_metadata, fd, 150, VIRQ_LINE_RESET));
	eoi(_metadata, v, x);
	EXPECT_EQ(0, lines(_metadata, v));
	EXPECT_EQ(0xff000000, xirr(_metadata, v));
	EXPECT_EQ(servers[2] | 5ULL << 32 | VIRQ_XICS_LEVEL_SENSITIVE,
		  word(_metadata, fd, 150));

	/* An edge on an LSI is a pulse: once. */
	EXPECT_EQ(1, line(_metadata, fd, 150, VIRQ_LINE_EDGE));
	EXPECT_EQ(x, xirr(_metadata, v));
	eoi(_metadata, v, x);
	EXPECT_EQ(0, lines(_metadata, v));

	/* An LSI raised while masked fires at unmask. */
	EXPECT_EQ(VIRQ_XICS_RTAS_SUCCESS,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_INT_OFF, 150, 0, 0));
	EXPECT_EQ(VIRQ_STATUS_MASKED,
		  line(_metadata, fd, 150, VIRQ_LINE_SET));
	EXPECT_EQ(VIRQ_XICS_RTAS_SUCCESS,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_INT_ON, 150, 0, 0));
	EXPECT_EQ(x, xirr(_metadata, v));
	line(_metadata, fd, 150, VIRQ_LINE_RESET);
	eoi(_metadata, v, x);
	EXPECT_EQ(0, lines(_metadata, v));

	/* MSI: a level SET fires once per rising edge. */
	set_xive(_metadata, fd, 151, servers[2], 5);
	EXPECT_EQ(1, line(_metadata, fd, 151, VIRQ_LINE_SET));
	EXPECT_EQ(VIRQ_STATUS_COALESCED,
		  line(_metadata, fd, 151, VIRQ_LINE_SET));
	EXPECT_EQ(0xff000000 | 151, xirr(_metadata, v));
	eoi(_metadata, v, 0xff000000 | 151);
	EXPECT_EQ(0, lines(_metadata, v));
	line(_metadata, fd, 151, VIRQ_LINE_RESET);
}

/* --- MSI blocks ------------------------------------------------------------ */

static int msi_alloc(int fd, __u64 count, __s64 *first)
{
	struct virq_call c;
	int ret;

	ret = xt_rtas(fd, &c, VIRQ_XICS_CALL_MSI_ALLOC, count, 0, 0);
	if (!ret) {
		*first = c.rets[0];
		if (c.ret)
			return -2;
	}
	return ret;
}

static int msi_free(int fd, __u64 first, __u64 count)
{
	struct virq_call c;

	return xt_rtas(fd, &c, VIRQ_XICS_CALL_MSI_FREE, first, count, 0);
}

TEST_F(xics, msi_alloc)
{
	int fd = self->fd;
	__s64 first;

	if (self->skip)
		return;
	/* Bad counts */
	EXPECT_EQ(-1, msi_alloc(fd, 0, &first));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msi_alloc(fd, 3, &first));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msi_alloc(fd, VIRQ_XICS_MSI_MAX * 2, &first));
	EXPECT_EQ(EINVAL, errno);

	/* Lowest free, aligned to the count, configured sources skipped */
	set_lsi(_metadata, fd, 17, 1);
	ASSERT_EQ(0, msi_alloc(fd, 1, &first));
	EXPECT_EQ(16, first);
	ASSERT_EQ(0, msi_alloc(fd, 1, &first));
	EXPECT_EQ(18, first);
	ASSERT_EQ(0, msi_alloc(fd, 4, &first));
	EXPECT_EQ(20, first);
	EXPECT_EQ(FRESH_WORD | VIRQ_XICS_MSI | VIRQ_XICS_MSI_FIRST,
		  word(_metadata, fd, 20));
	EXPECT_EQ(FRESH_WORD | VIRQ_XICS_MSI, word(_metadata, fd, 23));
	ASSERT_EQ(0, msi_alloc(fd, 32, &first));
	EXPECT_EQ(32, first);
	ASSERT_EQ(0, msi_alloc(fd, 1024, &first));
	EXPECT_EQ(1024, first);

	/* Sources of a block work as MSIs. */
	set_xive(_metadata, fd, 21, servers[0], 5);
	EXPECT_EQ(1, line(_metadata, fd, 21, VIRQ_LINE_EDGE));
	EXPECT_EQ(0xff000000 | 21, xirr(_metadata, self->vcpu[0]));
	eoi(_metadata, self->vcpu[0], 0xff000000 | 21);
	/* and cannot become LSIs */
	EXPECT_EQ(VIRQ_XICS_RTAS_PARAMETER,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_SET_LSI, 21, 1, 0));

	/* Free exactly a block */
	EXPECT_EQ(-1, msi_free(fd, 21, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msi_free(fd, 20, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msi_free(fd, 20, 8));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msi_free(fd, 20, 3));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msi_free(fd, 17, 1));	/* not a block */
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msi_free(fd, 3000, 1));	/* never allocated */
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, msi_free(fd, 20, 4));
	EXPECT_EQ(FRESH_WORD, word(_metadata, fd, 20));
	EXPECT_EQ(FRESH_WORD, word(_metadata, fd, 21));
	EXPECT_EQ(-1, msi_free(fd, 20, 4));
	EXPECT_EQ(EINVAL, errno);

	/* Reuse */
	ASSERT_EQ(0, msi_alloc(fd, 4, &first));
	EXPECT_EQ(20, first);

	/* Exhaustion: 4096 sources, ICS 1 taken, ICS 2 and 3 left */
	ASSERT_EQ(0, msi_alloc(fd, 1024, &first));
	EXPECT_EQ(2048, first);
	ASSERT_EQ(0, msi_alloc(fd, 1024, &first));
	EXPECT_EQ(3072, first);
	EXPECT_EQ(-1, msi_alloc(fd, 1024, &first));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, msi_alloc(fd, 512, &first));
	EXPECT_EQ(512, first);
	EXPECT_EQ(-1, msi_alloc(fd, 512, &first));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, msi_free(fd, 2048, 1024));
	ASSERT_EQ(0, msi_alloc(fd, 512, &first));
	EXPECT_EQ(2048, first);
}

/* --- sparse numbering ------------------------------------------------------- */

TEST(sparse_max_sources)
{
	const __u32 top = VIRQ_XICS_MAX_SOURCES - 1;
	__u64 words[VIRQ_XICS_ICS_SIZE];
	int fd, vcpu[NR_VCPUS], i;
	struct virq_irq_line l;
	__s64 first;

	fd = xt_open();
	if (fd < 0)
		SKIP(return, "/dev/virq: %s", strerror(errno));
	close(fd);
	xics_instance(_metadata, &fd, vcpu, VIRQ_XICS_MAX_SOURCES);

	set_xive(_metadata, fd, top, servers[1], 5);
	set_xive(_metadata, fd, 0x80000, servers[0], 5);
	EXPECT_EQ(1, line(_metadata, fd, top, VIRQ_LINE_EDGE));
	EXPECT_EQ(0xff000000 | top, xirr(_metadata, vcpu[1]));
	eoi(_metadata, vcpu[1], 0xff000000 | top);
	EXPECT_EQ(1, line(_metadata, fd, 0x80000, VIRQ_LINE_EDGE));
	EXPECT_EQ(0xff000000 | 0x80000, xirr(_metadata, vcpu[0]));
	eoi(_metadata, vcpu[0], 0xff000000 | 0x80000);

	/* The top ICS reads back; an untouched ICS reads fresh. */
	memset(words, 0xcc, sizeof(words));
	ASSERT_EQ(0, xt_sources(fd, VIRQ_GET_SOURCES,
				VIRQ_XICS_MAX_SOURCES - VIRQ_XICS_ICS_SIZE,
				VIRQ_XICS_ICS_SIZE, words));
	for (i = 0; i < (int)VIRQ_XICS_ICS_SIZE - 1; i++)
		ASSERT_EQ(FRESH_WORD, words[i]);
	EXPECT_EQ(servers[1] | 5ULL << 32, words[VIRQ_XICS_ICS_SIZE - 1]);
	memset(words, 0xcc, sizeof(words));
	ASSERT_EQ(0, xt_sources(fd, VIRQ_GET_SOURCES, 0x40000,
				VIRQ_XICS_ICS_SIZE, words));
	for (i = 0; i < (int)VIRQ_XICS_ICS_SIZE; i++)
		ASSERT_EQ(FRESH_WORD, words[i]);
	/* Past the end */
	EXPECT_EQ(-1, xt_sources(fd, VIRQ_GET_SOURCES, top, 2, words));
	EXPECT_EQ(EINVAL, errno);
	memset(&l, 0, sizeof(l));
	l.source = VIRQ_XICS_MAX_SOURCES;
	l.op = VIRQ_LINE_EDGE;
	EXPECT_EQ(-1, ioctl(fd, VIRQ_IRQ_LINE, &l));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, msi_alloc(fd, 1024, &first));
	EXPECT_EQ(1024, first);

	for (i = 0; i < NR_VCPUS; i++)
		close(vcpu[i]);
	close(fd);
}

/* --- state ------------------------------------------------------------------ */

/* Source words VIRQ_SET_SOURCES must reject */
static const __u64 bad_words[] = {
	1ULL << 45,				/* reserved bit */
	1ULL << 63,
	0x11 | 5ULL << 32,			/* no such server */
	FRESH_WORD | VIRQ_XICS_QUEUED,		/* Q without P */
	FRESH_WORD | VIRQ_XICS_LEVEL_SENSITIVE |
		VIRQ_XICS_PRESENTED | VIRQ_XICS_QUEUED,
	FRESH_WORD | VIRQ_XICS_LEVEL_SENSITIVE | VIRQ_XICS_MSI,
	FRESH_WORD | VIRQ_XICS_MSI_FIRST,
};

/* ICP words VIRQ_VCPU_SET_ATTR must reject, as KVM does */
static const struct {
	__u8 cppr;
	__u32 xisr;
	__u8 mfrr, ppri;
} bad_icps[] = {
	{ 0xff, 0, 0xff, 5 },		/* nothing pending, PPRI set */
	{ 0xff, 2, 5, 6 },		/* IPI not at MFRR */
	{ 5, 2, 5, 5 },			/* IPI not above CPPR */
	{ 0xff, 100, 5, 5 },		/* external not above MFRR */
	{ 5, 100, 0xff, 5 },		/* external not above CPPR */
	{ 0xff, 5, 0xff, 3 },		/* reserved source */
	{ 0xff, NR_SOURCES, 0xff, 3 },	/* no such source */
};

TEST_F(xics, set_sources_bad)
{
	struct virq_sources req = { .first = 200, .count = 1, .flags = 1 };
	__u64 w[2], before;
	int fd = self->fd;
	unsigned int i;

	if (self->skip)
		return;
	set_xive(_metadata, fd, 200, servers[0], 5);
	before = word(_metadata, fd, 200);

	/* Each bad second word leaves the good first one unapplied. */

	for (i = 0; i < ARRAY_SIZE(bad_words); i++) {
		w[0] = servers[1] | 6ULL << 32;
		w[1] = bad_words[i];
		EXPECT_EQ(-1, xt_sources(fd, VIRQ_SET_SOURCES, 200, 2, w));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(before, word(_metadata, fd, 200));
	}

	/* Reserved sources take only the fresh word. */
	w[0] = FRESH_WORD;
	EXPECT_EQ(0, xt_sources(fd, VIRQ_SET_SOURCES, 4, 1, w));
	w[0] = servers[0] | 5ULL << 32;
	EXPECT_EQ(-1, xt_sources(fd, VIRQ_SET_SOURCES, 4, 1, w));
	EXPECT_EQ(EINVAL, errno);
	/* Masked sources may name a server that does not exist (as KVM). */
	w[0] = VIRQ_XICS_MASKED | 0x11 | 0xffULL << 32;
	EXPECT_EQ(0, xt_sources(fd, VIRQ_SET_SOURCES, 201, 1, w));
	EXPECT_EQ(w[0], word(_metadata, fd, 201));
	/* Flags, ranges */
	req.addr = (uintptr_t)w;
	EXPECT_EQ(-1, ioctl(fd, VIRQ_SET_SOURCES, &req));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, xt_sources(fd, VIRQ_GET_SOURCES, NR_SOURCES - 1, 2, w));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(xics, icp_word)
{
	struct virq_attr has = { .group = VIRQ_XICS_GRP_ICP };
	int v = self->vcpu[0];
	unsigned int i;
	__u32 size;
	__u64 w;

	if (self->skip)
		return;
	EXPECT_EQ(icp_make(0xff, 0, 0xff, 0xff), icp_word(_metadata, v));

	/* Inconsistent words */

	for (i = 0; i < ARRAY_SIZE(bad_icps); i++) {
		EXPECT_EQ(-1, set_icp_word(v, icp_make(bad_icps[i].cppr,
						       bad_icps[i].xisr,
						       bad_icps[i].mfrr,
						       bad_icps[i].ppri)));
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(-1, set_icp_word(v, icp_make(0xff, 0, 0xff, 0xff) | 1));
	EXPECT_EQ(EINVAL, errno);

	/* Size, group, attribute */
	size = 4;
	EXPECT_EQ(-1, xt_icp_attr(v, VIRQ_VCPU_SET_ATTR, VIRQ_XICS_GRP_ICP, 0,
				  &w, &size));
	EXPECT_EQ(EINVAL, errno);
	size = 4;
	EXPECT_EQ(-1, xt_icp_attr(v, VIRQ_VCPU_GET_ATTR, VIRQ_XICS_GRP_ICP, 0,
				  &w, &size));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(8U, size);
	size = 8;
	EXPECT_EQ(-1, xt_icp_attr(v, VIRQ_VCPU_GET_ATTR, 99, 0, &w, &size));
	EXPECT_EQ(ENXIO, errno);
	size = 8;
	EXPECT_EQ(-1, xt_icp_attr(v, VIRQ_VCPU_GET_ATTR, VIRQ_XICS_GRP_ICP, 1,
				  &w, &size));
	EXPECT_EQ(ENXIO, errno);
	size = 8;
	EXPECT_EQ(-1, xt_icp_attr(self->fd, VIRQ_GET_ATTR, VIRQ_XICS_GRP_ICP,
				  0, &w, &size));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VIRQ_HAS_ATTR, &has));
	EXPECT_EQ(ENXIO, errno);

	/* Valid words: an IPI pending, then an external one */
	ASSERT_EQ(0, set_icp_word(v, icp_make(0xff, 2, 4, 4)));
	EXPECT_EQ(icp_make(0xff, 2, 4, 4), icp_word(_metadata, v));
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, v));
	/* An IPI presented at 3, the MFRR since made less favoured */
	ASSERT_EQ(0, set_icp_word(v, icp_make(0xff, 2, 5, 3)));
	EXPECT_EQ(icp_make(0xff, 2, 5, 3), icp_word(_metadata, v));
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, v));
	ASSERT_EQ(0, set_icp_word(v, icp_make(6, 0, 0xff, 0xff)));
	EXPECT_EQ(0, lines(_metadata, v));
	EXPECT_EQ(0x06000000, ipoll(_metadata, v, servers[0], NULL));
	ASSERT_EQ(0, set_icp_word(v, icp_make(0xff, 0, 0xff, 0xff)));
}

/*
 * H_IPI at 0, then at 5 before the IPI was taken: the IPI stays in the
 * XISR at priority 0 (as in KVM).  The word that leaves must restore into
 * another instance, which then presents the same IPI.
 */
TEST_F(xics, icp_word_raised_mfrr_migrates)
{
	int fd2, vcpu2[NR_VCPUS], i;
	__u64 w;

	if (self->skip)
		return;
	ipi(_metadata, self->vcpu[1], servers[0], 0);
	ipi(_metadata, self->vcpu[1], servers[0], 5);
	w = icp_word(_metadata, self->vcpu[0]);
	EXPECT_EQ(icp_make(0xff, 2, 5, 0), w);

	xics_instance(_metadata, &fd2, vcpu2, NR_SOURCES);
	ASSERT_EQ(0, set_icp_word(vcpu2[0], w));
	EXPECT_EQ(w, icp_word(_metadata, vcpu2[0]));
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, vcpu2[0]));
	EXPECT_EQ(xirr(_metadata, self->vcpu[0]), xirr(_metadata, vcpu2[0]));
	EXPECT_EQ(icp_word(_metadata, self->vcpu[0]),
		  icp_word(_metadata, vcpu2[0]));
	for (i = 0; i < NR_VCPUS; i++)
		close(vcpu2[i]);
	close(fd2);
}

/* Run the same guest script on an instance; log XIRRs into @log. */
static int guest_script(struct __test_metadata *_metadata, int fd,
			int *vcpu, __u32 *log)
{
	int n = 0, i, round;
	__s64 x;

	/* vCPU 1 finishes the handler it was in. */
	eoi(_metadata, vcpu[1], 0xff000000 | 211);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < NR_VCPUS; i++) {
			cppr(_metadata, vcpu[i], 0xff);
			for (;;) {
				log[n++] = i << 28 | lines(_metadata, vcpu[i]);
				x = xirr(_metadata, vcpu[i]);
				log[n++] = x;
				if (!XISR(x) || n > 200)
					break;
				if (XISR(x) == 214)
					line(_metadata, fd, 214,
					     VIRQ_LINE_RESET);
				if (XISR(x) == 2)
					ipi(_metadata, vcpu[i], servers[i],
					    0xff);
				eoi(_metadata, vcpu[i], x);
			}
		}
		/* Unmask the latched one, then drain again. */
		if (!round)
			set_xive(_metadata, fd, 213, servers[2], 5);
	}
	return n;
}

TEST_F(xics, save_restore)
{
	int fd = self->fd, *v = self->vcpu, fd2, v2[NR_VCPUS], i, n1, n2;
	__u64 src1[64], src2[64], icp1[NR_VCPUS];
	__u32 log1[256], log2[256];
	int seen[256] = { 0 };

	if (self->skip)
		return;
	for (i = 210; i < 216; i++)
		set_xive(_metadata, fd, i, servers[i % NR_VCPUS], 5);
	set_xive(_metadata, fd, 211, servers[1], 3);
	set_xive(_metadata, fd, 212, servers[1], 6);
	set_lsi(_metadata, fd, 214, 1);
	set_xive(_metadata, fd, 214, servers[2], 4);
	EXPECT_EQ(VIRQ_XICS_RTAS_SUCCESS,
		  rtas(_metadata, fd, VIRQ_XICS_CALL_INT_OFF, 213, 0, 0));

	/* 210: presented in server 0x10's XISR, not accepted */
	EXPECT_EQ(1, line(_metadata, fd, 210, VIRQ_LINE_EDGE));
	/* 211: accepted by 0x20 (in service, CPPR 3), fired again (Q) */
	EXPECT_EQ(1, line(_metadata, fd, 211, VIRQ_LINE_EDGE));
	EXPECT_EQ(0xff000000 | 211, xirr(_metadata, v[1]));
	EXPECT_EQ(VIRQ_STATUS_COALESCED,
		  line(_metadata, fd, 211, VIRQ_LINE_EDGE));
	/* 212: waits behind 0x20's CPPR (resend) */
	EXPECT_EQ(VIRQ_STATUS_COALESCED,
		  line(_metadata, fd, 212, VIRQ_LINE_EDGE));
	/* 213: latched while masked */
	EXPECT_EQ(VIRQ_STATUS_MASKED,
		  line(_metadata, fd, 213, VIRQ_LINE_EDGE));
	/* 214: LSI asserted, in 0x30's XISR */
	EXPECT_EQ(1, line(_metadata, fd, 214, VIRQ_LINE_SET));
	/* 0x10's MFRR at 7: the IPI waits behind 210 (priority 5) */
	ipi(_metadata, v[2], servers[0], 7);

	memset(src1, 0xcc, sizeof(src1));
	ASSERT_EQ(0, xt_sources(fd, VIRQ_GET_SOURCES, 200, 64, src1));
	for (i = 0; i < NR_VCPUS; i++)
		icp1[i] = icp_word(_metadata, v[i]);
	EXPECT_EQ(servers[1] | 3ULL << 32 | VIRQ_XICS_PRESENTED |
		  VIRQ_XICS_QUEUED, src1[11]);
	EXPECT_EQ(servers[1] | 6ULL << 32 | VIRQ_XICS_PRESENTED |
		  VIRQ_XICS_PENDING, src1[12]);
	EXPECT_EQ(VIRQ_XICS_MASKED | servers[0] | 5ULL << 32 |
		  VIRQ_XICS_PRESENTED | VIRQ_XICS_PENDING, src1[13]);
	EXPECT_EQ(icp_make(0xff, 210, 7, 5), icp1[0]);
	EXPECT_EQ(icp_make(3, 0, 0xff, 0xff), icp1[1]);

	/* Restore into a fresh instance: sources first, then ICPs. */
	fd2 = xt_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, xt_create_chip(fd2, NR_VCPUS, NR_SOURCES));
	for (i = 0; i < NR_VCPUS; i++) {
		v2[i] = xt_create_vcpu(fd2, i, servers[i]);
		ASSERT_LE(0, v2[i]);
	}
	ASSERT_EQ(0, xt_sources(fd2, VIRQ_SET_SOURCES, 200, 64, src1));
	for (i = 0; i < NR_VCPUS; i++)
		ASSERT_EQ(0, set_icp_word(v2[i], icp1[i]));

	memset(src2, 0xcc, sizeof(src2));
	ASSERT_EQ(0, xt_sources(fd2, VIRQ_GET_SOURCES, 200, 64, src2));
	for (i = 0; i < 64; i++)
		EXPECT_EQ(src1[i], src2[i]);
	for (i = 0; i < NR_VCPUS; i++) {
		EXPECT_EQ(icp1[i], icp_word(_metadata, v2[i]));
		EXPECT_EQ(lines(_metadata, v[i]), lines(_metadata, v2[i]));
	}

	/* Identical delivery afterwards */
	n1 = guest_script(_metadata, fd, v, log1);
	n2 = guest_script(_metadata, fd2, v2, log2);
	ASSERT_EQ(n1, n2);
	for (i = 0; i < n1; i++)
		EXPECT_EQ(log1[i], log2[i]);
	/* and everything was delivered: 210, 211 x2, 212, 213, 214, IPI */
	for (i = 1; i < n1; i += 2)
		seen[XISR(log1[i]) & 0xff]++;
	EXPECT_EQ(1, seen[210]);
	EXPECT_EQ(1, seen[211]);	/* the queued one */
	EXPECT_EQ(1, seen[212]);
	EXPECT_EQ(1, seen[213]);
	EXPECT_EQ(1, seen[214]);
	EXPECT_EQ(1, seen[2]);

	for (i = 0; i < NR_VCPUS; i++)
		close(v2[i]);
	close(fd2);
}

/* --- poll ---------------------------------------------------------------- */

static short poll_now(int vfd, int timeout_ms)
{
	struct pollfd p = { .fd = vfd, .events = POLLIN | POLLPRI };

	if (poll(&p, 1, timeout_ms) < 0)
		return -1;
	return p.revents;
}

struct late_inject {
	int fd;
	__u32 src;
};

static void *late_inject_fn(void *arg)
{
	struct late_inject *li = arg;
	struct virq_irq_line l = { .source = li->src, .op = VIRQ_LINE_EDGE };

	usleep(50 * 1000);
	ioctl(li->fd, VIRQ_IRQ_LINE, &l);
	return NULL;
}

TEST_F(xics, poll)
{
	int fd = self->fd, v = self->vcpu[1];
	struct late_inject li = { .fd = fd, .src = 220 };
	pthread_t t;

	if (self->skip)
		return;
	set_xive(_metadata, fd, 220, servers[1], 5);
	EXPECT_EQ(0, poll_now(v, 0));
	EXPECT_EQ(1, line(_metadata, fd, 220, VIRQ_LINE_EDGE));
	EXPECT_EQ(POLLIN, poll_now(v, 0));
	EXPECT_EQ(0, poll_now(self->vcpu[0], 0));
	EXPECT_EQ(0xff000000 | 220, xirr(_metadata, v));
	EXPECT_EQ(0, poll_now(v, 0));
	eoi(_metadata, v, 0xff000000 | 220);
	EXPECT_EQ(0, poll_now(v, 0));

	/* A sleeping poller is woken by the injection (kick). */
	ASSERT_EQ(0, pthread_create(&t, NULL, late_inject_fn, &li));
	EXPECT_EQ(POLLIN, poll_now(v, 5000));
	pthread_join(t, NULL);
	EXPECT_EQ(0xff000000 | 220, xirr(_metadata, v));
	eoi(_metadata, v, 0xff000000 | 220);

	/* and by an IPI from another vCPU */
	EXPECT_EQ(0, poll_now(v, 0));
	ipi(_metadata, self->vcpu[0], servers[1], 3);
	EXPECT_EQ(POLLIN, poll_now(v, 0));
	/* A less favoured MFRR does not withdraw an IPI already pending. */
	ipi(_metadata, self->vcpu[0], servers[1], 0xff);
	EXPECT_EQ(0xff000002, xirr(_metadata, v));
	eoi(_metadata, v, 0xff000002);
	EXPECT_EQ(0, poll_now(v, 0));
}

/* --- concurrency ------------------------------------------------------- */

#define CONC_THREADS	4
#define CONC_PER_THREAD	256
#define CONC_BASE	1024

struct conc_arg {
	int fd;
	int id;
	int errors;
};

static void *conc_fn(void *p)
{
	struct conc_arg *a = p;
	int i;

	for (i = 0; i < CONC_PER_THREAD; i++) {
		struct virq_msi m = {
			.data = CONC_BASE + a->id * CONC_PER_THREAD + i,
		};

		if (i & 1) {
			struct virq_irq_line l = {
				.source = m.data, .op = VIRQ_LINE_EDGE,
			};

			if (ioctl(a->fd, VIRQ_IRQ_LINE, &l) ||
			    l.status < VIRQ_STATUS_COALESCED || l.status > 1)
				a->errors++;
		} else if (ioctl(a->fd, VIRQ_SIGNAL_MSI, &m) ||
			   m.status < VIRQ_STATUS_COALESCED || m.status > 1) {
			a->errors++;
		}
	}
	return NULL;
}

TEST_F(xics, concurrent_inject)
{
	const int total = CONC_THREADS * CONC_PER_THREAD;
	int fd = self->fd, v = self->vcpu[2], i, got = 0, dup = 0;
	struct conc_arg args[CONC_THREADS];
	pthread_t t[CONC_THREADS];
	static unsigned char seen[CONC_THREADS * CONC_PER_THREAD];
	struct timespec start, now;
	__s64 first;

	if (self->skip)
		return;
	/* One MSI block, every source to server 0x30 at varied priorities */
	ASSERT_EQ(0, msi_alloc(fd, 1024, &first));
	ASSERT_EQ(CONC_BASE, first);
	for (i = 0; i < total; i++)
		set_xive(_metadata, fd, CONC_BASE + i, servers[2], 1 + i % 7);
	memset(seen, 0, sizeof(seen));

	for (i = 0; i < CONC_THREADS; i++) {
		args[i] = (struct conc_arg){ .fd = fd, .id = i };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, conc_fn, &args[i]));
	}

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (got < total) {
		__s64 x = xirr(_metadata, v), s = XISR(x);

		if (s) {
			ASSERT_LE(CONC_BASE, s);
			ASSERT_GT(CONC_BASE + total, s);
			if (seen[s - CONC_BASE]++)
				dup++;
			got++;
			eoi(_metadata, v, x);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		ASSERT_GT(30, now.tv_sec - start.tv_sec) {
			TH_LOG("only %d of %d delivered", got, total);
		}
		sched_yield();
	}
	for (i = 0; i < CONC_THREADS; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, args[i].errors);
	}
	EXPECT_EQ(0, dup);
	for (i = 0; i < total; i++)
		ASSERT_EQ(1, seen[i]);
	/* Nothing left over */
	EXPECT_EQ(0, lines(_metadata, v));
	EXPECT_EQ(0xff000000, xirr(_metadata, v));
}

/*
 * All servers at once: 3 "vCPU" threads accept and end interrupts, raise
 * and drop their CPPR and send each other IPIs, while 4 threads inject
 * distinct MSIs spread over the servers.  Each must arrive exactly once.
 */
#define MULTI_SOURCES	1024

struct multi_ctx {
	int fd;
	int vcpu[NR_VCPUS];
	int seen[MULTI_SOURCES];
	int got;
	int stop;
	int errors;
};

struct multi_arg {
	struct multi_ctx *ctx;
	int id;
};

static int multi_hcall(int vfd, __u32 nr, __u64 a0, __u64 a1, __u64 *r0)
{
	struct virq_call c;

	if (xt_hcall(vfd, &c, nr, a0, a1) || c.ret != VIRQ_XICS_H_SUCCESS)
		return -1;
	if (r0)
		*r0 = c.rets[0];
	return 0;
}

static void *multi_cpu_fn(void *p)
{
	struct multi_arg *a = p;
	struct multi_ctx *ctx = a->ctx;
	int vfd = ctx->vcpu[a->id], n = 0;
	__u64 x;
	__u32 s;

	while (!__atomic_load_n(&ctx->stop, __ATOMIC_ACQUIRE)) {
		if (multi_hcall(vfd, VIRQ_XICS_H_XIRR, 0, 0, &x))
			goto err;
		s = XISR(x);
		if (s == VIRQ_XICS_IPI) {
			if (multi_hcall(vfd, VIRQ_XICS_H_IPI, servers[a->id],
					0xff, NULL))
				goto err;
		} else if (s >= CONC_BASE && s < CONC_BASE + MULTI_SOURCES) {
			__atomic_fetch_add(&ctx->seen[s - CONC_BASE], 1,
					   __ATOMIC_RELAXED);
			__atomic_fetch_add(&ctx->got, 1, __ATOMIC_RELEASE);
		} else if (s) {
			goto err;
		}
		if (s) {
			/* Poke the next server now and then. */
			if (!(++n % 8) &&
			    multi_hcall(vfd, VIRQ_XICS_H_IPI,
					servers[(a->id + 1) % NR_VCPUS], 2,
					NULL))
				goto err;
			if (multi_hcall(vfd, VIRQ_XICS_H_EOI, x, 0, NULL))
				goto err;
			continue;
		}
		/* Idle: raise the CPPR (rejecting) and drop it (resending). */
		if (multi_hcall(vfd, VIRQ_XICS_H_CPPR, 3, 0, NULL) ||
		    multi_hcall(vfd, VIRQ_XICS_H_CPPR, 0xff, 0, NULL))
			goto err;
		sched_yield();
	}
	return NULL;
err:
	__atomic_fetch_add(&ctx->errors, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void *multi_inject_fn(void *p)
{
	struct multi_arg *a = p;
	struct multi_ctx *ctx = a->ctx;
	const int per = MULTI_SOURCES / CONC_THREADS;
	int i;

	for (i = 0; i < per; i++) {
		struct virq_msi m = { .data = CONC_BASE + a->id * per + i };

		if (ioctl(ctx->fd, VIRQ_SIGNAL_MSI, &m) ||
		    m.status < VIRQ_STATUS_COALESCED || m.status > 1)
			__atomic_fetch_add(&ctx->errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * The wait below bounds only a lost interrupt (it ends the test with the
 * counts); the harness timeout must be longer, for slow emulated guests.
 */
TEST_F_TIMEOUT(xics, concurrent_all_servers, 180)
{
	struct multi_arg cpus[NR_VCPUS], inj[CONC_THREADS];
	pthread_t tc[NR_VCPUS], ti[CONC_THREADS];
	static struct multi_ctx ctx;
	struct timespec start, now;
	__s64 first, x;
	int i, bad = 0;

	if (self->skip)
		return;
	memset(&ctx, 0, sizeof(ctx));
	ctx.fd = self->fd;
	memcpy(ctx.vcpu, self->vcpu, sizeof(ctx.vcpu));
	ASSERT_EQ(0, msi_alloc(self->fd, MULTI_SOURCES, &first));
	ASSERT_EQ(CONC_BASE, first);
	for (i = 0; i < MULTI_SOURCES; i++)
		set_xive(_metadata, self->fd, CONC_BASE + i,
			 servers[i % NR_VCPUS], 4 + i % 4);

	for (i = 0; i < NR_VCPUS; i++) {
		cpus[i] = (struct multi_arg){ .ctx = &ctx, .id = i };
		ASSERT_EQ(0, pthread_create(&tc[i], NULL, multi_cpu_fn,
					    &cpus[i]));
	}
	for (i = 0; i < CONC_THREADS; i++) {
		inj[i] = (struct multi_arg){ .ctx = &ctx, .id = i };
		ASSERT_EQ(0, pthread_create(&ti[i], NULL, multi_inject_fn,
					    &inj[i]));
	}
	for (i = 0; i < CONC_THREADS; i++)
		pthread_join(ti[i], NULL);

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (__atomic_load_n(&ctx.got, __ATOMIC_ACQUIRE) < MULTI_SOURCES) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 120)
			break;
		usleep(1000);
	}
	__atomic_store_n(&ctx.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < NR_VCPUS; i++)
		pthread_join(tc[i], NULL);

	EXPECT_EQ(0, ctx.errors);
	EXPECT_EQ(MULTI_SOURCES, ctx.got);
	for (i = 0; i < MULTI_SOURCES; i++) {
		if (ctx.seen[i] != 1) {
			TH_LOG("source %d seen %d times", CONC_BASE + i,
			       ctx.seen[i]);
			bad++;
		}
	}
	EXPECT_EQ(0, bad);

	/* Only IPIs may be left; after them, every ICP is quiet. */
	for (i = 0; i < NR_VCPUS; i++) {
		ipi(_metadata, self->vcpu[i], servers[i], 0xff);
		for (;;) {
			x = xirr(_metadata, self->vcpu[i]);
			if (!XISR(x))
				break;
			EXPECT_EQ(VIRQ_XICS_IPI, XISR(x));
			eoi(_metadata, self->vcpu[i], x);
		}
		EXPECT_EQ(0, lines(_metadata, self->vcpu[i]));
	}
}

/* --- irqfd and debugfs ------------------------------------------------- */

static int xt_irqfd(int fd, int efd, __u32 src, __u32 flags, int rfd)
{
	struct virq_irqfd i = {
		.fd = efd, .source = src, .flags = flags,
		.resamplefd = rfd < 0 ? 0 : rfd,
	};

	return ioctl(fd, VIRQ_IRQFD, &i);
}

static bool fd_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

TEST_F(xics, irqfd_resample_lsi)
{
	int fd = self->fd, v = self->vcpu[0], efd, rfd;
	__s64 x = 0xff000000 | 170;
	__u64 one = 1, cnt;

	if (self->skip)
		return;
	set_lsi(_metadata, fd, 170, 1);
	set_xive(_metadata, fd, 170, servers[0], 5);
	efd = eventfd(0, EFD_CLOEXEC);
	rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	ASSERT_LE(0, rfd);
	ASSERT_EQ(0, xt_irqfd(fd, efd, 170, VIRQ_IRQFD_FLAG_RESAMPLE, rfd));

	/* The irqfd raises the line; EOI lowers it and signals rfd. */
	ASSERT_EQ(8, write(efd, &one, 8));
	ASSERT_TRUE(fd_readable(v, 2000));
	EXPECT_EQ(servers[0] | 5ULL << 32 | VIRQ_XICS_LEVEL_SENSITIVE |
		  VIRQ_XICS_PRESENTED | VIRQ_XICS_ASSERTED,
		  word(_metadata, fd, 170));
	EXPECT_EQ(x, xirr(_metadata, v));
	EXPECT_FALSE(fd_readable(rfd, 0));
	eoi(_metadata, v, x);
	EXPECT_TRUE(fd_readable(rfd, 2000));
	ASSERT_EQ(8, read(rfd, &cnt, 8));
	EXPECT_EQ(0, lines(_metadata, v));
	EXPECT_EQ(servers[0] | 5ULL << 32 | VIRQ_XICS_LEVEL_SENSITIVE,
		  word(_metadata, fd, 170));

	/* The VMM holds the line too: presented again after the EOI. */
	ASSERT_EQ(8, write(efd, &one, 8));
	ASSERT_TRUE(fd_readable(v, 2000));
	EXPECT_EQ(VIRQ_STATUS_COALESCED,
		  line(_metadata, fd, 170, VIRQ_LINE_SET));
	EXPECT_EQ(x, xirr(_metadata, v));
	eoi(_metadata, v, x);
	EXPECT_TRUE(fd_readable(rfd, 2000));
	ASSERT_EQ(8, read(rfd, &cnt, 8));
	EXPECT_EQ(VIRQ_OUT_INT, lines(_metadata, v));
	EXPECT_EQ(x, xirr(_metadata, v));
	EXPECT_EQ(VIRQ_STATUS_COALESCED,
		  line(_metadata, fd, 170, VIRQ_LINE_RESET));
	eoi(_metadata, v, x);
	EXPECT_EQ(0, lines(_metadata, v));

	ASSERT_EQ(0, xt_irqfd(fd, efd, 170, VIRQ_IRQFD_FLAG_DEASSIGN, -1));
	close(efd);
	close(rfd);
}

TEST_F(xics, irqfd_msi)
{
	int fd = self->fd, v = self->vcpu[1], efd;
	__u64 one = 1;

	if (self->skip)
		return;
	set_xive(_metadata, fd, 180, servers[1], 5);
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, xt_irqfd(fd, efd, 180, 0, -1));
	ASSERT_EQ(8, write(efd, &one, 8));
	ASSERT_TRUE(fd_readable(v, 2000));
	EXPECT_EQ(0xff000000 | 180, xirr(_metadata, v));
	eoi(_metadata, v, 0xff000000 | 180);
	EXPECT_EQ(0, lines(_metadata, v));
	ASSERT_EQ(0, xt_irqfd(fd, efd, 180, VIRQ_IRQFD_FLAG_DEASSIGN, -1));
	close(efd);
}

/* The debugfs dump mentions our ICPs and sources. */
TEST_F(xics, debugfs_show)
{
	char path[128], buf[16384] = "";
	bool found = false;
	int id, dfd;
	ssize_t n;

	if (self->skip)
		return;
	set_xive(_metadata, self->fd, 190, servers[2], 5);
	EXPECT_EQ(1, line(_metadata, self->fd, 190, VIRQ_LINE_EDGE));
	if (access("/sys/kernel/debug/virq", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (access("/sys/kernel/debug/virq", F_OK))
		SKIP(return, "no debugfs");
	for (id = 0; id < 4096 && !found; id++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/virq/%d/state",
			 id);
		dfd = open(path, O_RDONLY);
		if (dfd < 0)
			continue;
		n = read(dfd, buf, sizeof(buf) - 1);
		close(dfd);
		if (n <= 0)
			continue;
		buf[n] = 0;
		found = strstr(buf, "src 0x000be:") &&
			strstr(buf, "icp 2 srv 0x30") &&
			strstr(buf, "xics: 4096 sources");
	}
	EXPECT_TRUE(found) {
		TH_LOG("no dump of this instance; last read:\n%s", buf);
	}
}

/* --- misc ---------------------------------------------------------------- */

TEST_F(xics, no_gsi_routing)
{
	struct virq_routing r = { .nr = 0 };

	if (self->skip)
		return;
	EXPECT_EQ(-1, ioctl(self->fd, VIRQ_SET_GSI_ROUTING, &r));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

TEST_F(xics, no_register_access)
{
	struct virq_access acc = {
		.space = VIRQ_SPACE_MMIO, .addr = 0x1000, .len = 4,
	};

	if (self->skip)
		return;
	EXPECT_EQ(-1, ioctl(self->vcpu[0], VIRQ_VCPU_ACCESS, &acc));
	EXPECT_EQ(ENXIO, errno);
}

TEST_HARNESS_MAIN
