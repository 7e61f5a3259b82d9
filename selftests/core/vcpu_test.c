// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU fds: VIRQ_VCPU_GET_OUTPUT, VIRQ_VCPU_ACK, VIRQ_VCPU_ACCESS,
 * VIRQ_VCPU_CALL, VIRQ_VCPU_{GET,SET}_ATTR validation, unknown commands,
 * and poll() semantics.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>

#include <kselftest_harness.h>

#include "common.h"

FIXTURE(xics) {
	XICS_FIXTURE_FIELDS;
};

FIXTURE_SETUP(xics)
{
	XICS_FIXTURE_SETUP();
}

FIXTURE_TEARDOWN(xics)
{
	XICS_FIXTURE_TEARDOWN();
}

/* Present XICS_SRC to server @server */
static int present(int fd, __u32 server)
{
	if (xics_route(fd, XICS_SRC, server))
		return -1;
	return virq_line(fd, XICS_SRC, VIRQ_LINE_EDGE, NULL);
}

/* --- unknown commands ------------------------------------------------- */

TEST_F(xics, unknown_commands)
{
	unsigned long cmds[] = {
		VIRQ_IOCTL_UNDEF,
		_IOWR(VIRQIO, 0x46, struct virq_attr),
		_IOWR(VIRQIO, 0x7f, struct virq_call),
		_IOWR(VIRQIO, 0x40, __u64),	/* GET_OUTPUT, wrong size */
		_IOR(VIRQIO, 0x41, struct virq_ack), /* ACK, wrong direction */
		KVM_IOCTL_NR,
		_IO(0xAE, 0x80),		/* KVM_RUN */
		/* instance commands are not vCPU commands */
		VIRQ_GET_API, VIRQ_GET_FAMILY, VIRQ_CREATE_CHIP,
		VIRQ_CREATE_VCPU, VIRQ_IRQ_LINE, VIRQ_IRQ_LINES,
		VIRQ_SIGNAL_MSI, VIRQ_IRQFD, VIRQ_SET_GSI_ROUTING,
		VIRQ_GET_SOURCES, VIRQ_SET_SOURCES, VIRQ_GET_ATTR,
		VIRQ_SET_ATTR, VIRQ_HAS_ATTR, VIRQ_CHIP_CALL,
		FIONREAD,
	};
	char buf[256];
	size_t i;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		memset(buf, 0, sizeof(buf));
		ASSERT_EQ(-1, ioctl(self->vfd[0], cmds[i], buf));
		ASSERT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
}

/* --- VIRQ_VCPU_GET_OUTPUT ----------------------------------------------- */

TEST_F(xics, get_output_zeroes)
{
	struct virq_vcpu_output out;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, present(self->fd, 0));
	memset(&out, 0xcc, sizeof(out));
	out.flags = 0;
	ASSERT_EQ(0, ioctl(self->vfd[0], VIRQ_VCPU_GET_OUTPUT, &out));
	EXPECT_EQ(VIRQ_OUT_INT, out.lines);
	EXPECT_EQ(0, out.flags);
	EXPECT_EQ(0, out.sipi_vector);
	EXPECT_EQ(0, out.padding);
	EXPECT_EQ(0, out.reserved[0]);
	EXPECT_EQ(0, out.reserved[1]);
}

TEST_F(xics, get_output_flags)
{
	struct virq_vcpu_output out;
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	for (bit = 0; bit < 32; bit++) {
		memset(&out, 0, sizeof(out));
		out.flags = 1U << bit;
		ASSERT_EQ(-1, ioctl(self->vfd[0], VIRQ_VCPU_GET_OUTPUT, &out));
		ASSERT_EQ(EINVAL, errno) TH_LOG("flags bit %u", bit);
	}
	ASSERT_EQ(-1, ioctl(self->vfd[0], VIRQ_VCPU_GET_OUTPUT,
			    virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
}

/* --- VIRQ_VCPU_ACK ------------------------------------------------------ */

TEST_F(xics, ack_returns_xirr)
{
	struct virq_ack ack;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, present(self->fd, 0));
	memset(&ack, 0xcc, sizeof(ack));
	ack.flags = 0;
	ack.event = 0;
	ASSERT_EQ(0, ioctl(self->vfd[0], VIRQ_VCPU_ACK, &ack));
	/* XIRR: old CPPR (0xff) in the top byte, XISR below */
	EXPECT_EQ(0xff000000ULL | XICS_SRC, ack.id);
	EXPECT_EQ(0, ack.flags);
	EXPECT_EQ(0, ack.event);
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));
	/* nothing more: XISR 0, CPPR now the interrupt's priority */
	memset(&ack, 0, sizeof(ack));
	ASSERT_EQ(0, ioctl(self->vfd[0], VIRQ_VCPU_ACK, &ack));
	EXPECT_EQ((__u64)XICS_PRIO << 24, ack.id);
}

/*
 * flags must be 0; event must be 0 or one event line (the core's rule),
 * and XICS has no events at all (the family's rule): EINVAL either way.
 */
TEST_F(xics, ack_flags_event)
{
	__u32 events[] = { VIRQ_OUT_INT, VIRQ_OUT_FIQ,
			   VIRQ_OUT_NMI | VIRQ_OUT_INIT, 1U << 31,
			   VIRQ_OUT_NMI, VIRQ_OUT_INIT, VIRQ_OUT_SIPI,
			   VIRQ_OUT_SMI, VIRQ_OUT_EXTINT };
	struct virq_ack ack;
	__u32 bit;
	size_t i;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, present(self->fd, 0));
	for (bit = 0; bit < 32; bit++) {
		memset(&ack, 0, sizeof(ack));
		ack.flags = 1U << bit;
		ASSERT_EQ(-1, ioctl(self->vfd[0], VIRQ_VCPU_ACK, &ack));
		ASSERT_EQ(EINVAL, errno) TH_LOG("flags bit %u", bit);
	}
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		memset(&ack, 0, sizeof(ack));
		ack.event = events[i];
		ASSERT_EQ(-1, ioctl(self->vfd[0], VIRQ_VCPU_ACK, &ack));
		ASSERT_EQ(EINVAL, errno) TH_LOG("event %#x", events[i]);
	}
	/* nothing was acknowledged */
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[0]));
	ASSERT_EQ(-1, ioctl(self->vfd[0], VIRQ_VCPU_ACK, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
}

/* --- VIRQ_VCPU_ACCESS --------------------------------------------------- */

static struct virq_access valid_access(void)
{
	struct virq_access a = {
		.space = VIRQ_SPACE_MMIO, .addr = 0xfee00000, .len = 4,
	};

	return a;
}

#define ACCESS_FAILS(vfd, a, err) do {					\
		ASSERT_EQ(-1, ioctl(vfd, VIRQ_VCPU_ACCESS, &(a)));	\
		ASSERT_EQ(err, errno);					\
	} while (0)

TEST_F(xics, access_no_registers)
{
	struct virq_access a;
	__u32 space, len;

	SKIP_IF_SETUP_SKIPPED();
	for (space = VIRQ_SPACE_MMIO; space <= VIRQ_SPACE_PIO; space++) {
		for (len = 1; len <= 8; len *= 2) {
			a = valid_access();
			a.space = space;
			a.len = len;
			ACCESS_FAILS(self->vfd[0], a, ENXIO);
			a.flags = VIRQ_ACCESS_WRITE;
			ACCESS_FAILS(self->vfd[0], a, ENXIO);
		}
	}
}

TEST_F(xics, access_invalid)
{
	__u32 spaces[] = { 0, VIRQ_SPACE_PIO + 1, 0xffffffff };
	__u32 lens[] = { 0, 3, 5, 6, 7, 9, 16, 0xffffffff };
	struct virq_access a;
	size_t i;
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < sizeof(spaces) / sizeof(spaces[0]); i++) {
		a = valid_access();
		a.space = spaces[i];
		ACCESS_FAILS(self->vfd[0], a, EINVAL);
	}
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		a = valid_access();
		a.len = lens[i];
		ACCESS_FAILS(self->vfd[0], a, EINVAL);
	}
	for (bit = 1; bit < 32; bit++) {
		a = valid_access();
		a.flags = 1U << bit;
		ACCESS_FAILS(self->vfd[0], a, EINVAL);
		a.flags |= VIRQ_ACCESS_WRITE;
		ACCESS_FAILS(self->vfd[0], a, EINVAL);
	}
	for (bit = 0; bit < 32; bit++) {
		a = valid_access();
		a.padding = 1U << bit;
		ACCESS_FAILS(self->vfd[0], a, EINVAL);
	}
	ASSERT_EQ(-1, ioctl(self->vfd[0], VIRQ_VCPU_ACCESS, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
}

/* --- VIRQ_VCPU_CALL ----------------------------------------------------- */

TEST_F(xics, call_flags)
{
	struct virq_call c;
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, present(self->fd, 0));
	for (bit = 0; bit < 32; bit++) {
		memset(&c, 0, sizeof(c));
		c.nr = H_XIRR;
		c.flags = 1U << bit;
		ASSERT_EQ(-1, virq_vcpu_call(self->vfd[0], &c));
		ASSERT_EQ(EINVAL, errno) TH_LOG("flags bit %u", bit);
	}
	/* the H_XIRR did not happen */
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[0]));
	ASSERT_EQ(-1, virq_vcpu_call(self->vfd[0], virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F(xics, call_unimplemented)
{
	__u32 nrs[] = { 0, H_ENTER, 0x2fc + 4, 0xffffffff };
	struct virq_call c;
	size_t i;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		ASSERT_EQ(-1, xics_hcall(self->vfd[0], nrs[i], 0, 0, &c));
		ASSERT_EQ(EOPNOTSUPP, errno) TH_LOG("hcall %#x", nrs[i]);
	}
}

/* H_XIRR through VIRQ_VCPU_CALL, then H_EOI; outputs zeroed */
TEST_F(xics, call_xirr_eoi)
{
	struct virq_call c;
	size_t i;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, present(self->fd, 0));
	memset(&c, 0xcc, sizeof(c));
	c.nr = H_XIRR;
	c.flags = 0;
	memset(c.args, 0, sizeof(c.args));
	ASSERT_EQ(0, virq_vcpu_call(self->vfd[0], &c));
	EXPECT_EQ(H_SUCCESS, c.ret);
	EXPECT_EQ(H_XIRR, c.nr);
	EXPECT_EQ(0, c.flags);
	EXPECT_EQ(0xff000000ULL | XICS_SRC, c.rets[0]);
	for (i = 1; i < 4; i++)
		EXPECT_EQ(0, c.rets[i]) TH_LOG("rets[%zu]", i);
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));
	ASSERT_EQ(0, xics_hcall(self->vfd[0], H_EOI, c.rets[0], 0, &c));
	EXPECT_EQ(H_SUCCESS, c.ret);
	/* CPPR is back at 0xff: the next interrupt is presented */
	ASSERT_EQ(0, virq_line(self->fd, XICS_SRC, VIRQ_LINE_EDGE, NULL));
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[0]));
}

/* --- VIRQ_VCPU_{GET,SET}_ATTR ------------------------------------------- */

static struct virq_attr icp_attr(__u64 *val)
{
	struct virq_attr a = {
		.group = VIRQ_XICS_GRP_ICP, .attr = 0,
		.addr = (__u64)(uintptr_t)val, .size = 8,
	};

	return a;
}

#define ATTR_FAILS(fd, cmd, a, err) do {				\
		ASSERT_EQ(-1, ioctl(fd, cmd, &(a)));			\
		ASSERT_EQ(err, errno) TH_LOG("%s", #cmd);		\
	} while (0)

TEST_F(xics, vcpu_attr_roundtrip)
{
	__u64 big[2] = { 0xccccccccccccccccULL, 0x1122334455667788ULL };
	struct virq_attr a;
	__u64 val, val2;

	SKIP_IF_SETUP_SKIPPED();
	val = 0xccccccccccccccccULL;
	a = icp_attr(&val);
	ASSERT_EQ(0, ioctl(self->vfd[0], VIRQ_VCPU_GET_ATTR, &a));
	EXPECT_EQ(8, a.size);
	EXPECT_EQ(0xffULL, val >> VIRQ_XICS_ICP_CPPR_SHIFT);
	ASSERT_EQ(0, ioctl(self->vfd[0], VIRQ_VCPU_SET_ATTR, &a));
	val2 = 0xccccccccccccccccULL;
	a = icp_attr(&val2);
	ASSERT_EQ(0, ioctl(self->vfd[0], VIRQ_VCPU_GET_ATTR, &a));
	EXPECT_EQ(val, val2);
	/* a larger buffer: size reports 8, the bytes after stay */
	a = icp_attr(big);
	a.size = 16;
	ASSERT_EQ(0, ioctl(self->vfd[0], VIRQ_VCPU_GET_ATTR, &a));
	EXPECT_EQ(8, a.size);
	EXPECT_EQ(val, big[0]);
	EXPECT_EQ(0x1122334455667788ULL, big[1]);
}

TEST_F(xics, vcpu_attr_enospc)
{
	struct virq_attr a;
	__u64 val = 0x1122334455667788ULL;
	__u32 sz;

	SKIP_IF_SETUP_SKIPPED();
	for (sz = 0; sz < 8; sz++) {
		a = icp_attr(&val);
		a.size = sz;
		ATTR_FAILS(self->vfd[0], VIRQ_VCPU_GET_ATTR, a, ENOSPC);
		EXPECT_EQ(8, a.size) TH_LOG("buffer of %u", sz);
		/* nothing written into the small buffer */
		EXPECT_EQ(0x1122334455667788ULL, val);
	}
}

TEST_F(xics, vcpu_attr_invalid)
{
	unsigned long cmds[] = { VIRQ_VCPU_GET_ATTR, VIRQ_VCPU_SET_ATTR,
				 VIRQ_VCPU_HAS_ATTR };
	struct virq_attr a;
	__u64 val = 0;
	size_t i;
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	a = icp_attr(&val);
	ASSERT_EQ(0, ioctl(self->vfd[0], VIRQ_VCPU_GET_ATTR, &a));
	/* SET refuses more than VIRQ_ATTR_MAX_SIZE; GET takes any buffer */
	a = icp_attr(&val);
	a.size = VIRQ_ATTR_MAX_SIZE + 1;
	ATTR_FAILS(self->vfd[0], VIRQ_VCPU_SET_ATTR, a, E2BIG);
	a.size = 0xffffffff;
	ATTR_FAILS(self->vfd[0], VIRQ_VCPU_SET_ATTR, a, E2BIG);
	ASSERT_EQ(0, ioctl(self->vfd[0], VIRQ_VCPU_GET_ATTR, &a));
	EXPECT_EQ(8, a.size);
	for (i = 0; i < 3; i++) {
		for (bit = 0; bit < 32; bit++) {
			a = icp_attr(&val);
			a.flags = 1U << bit;
			ATTR_FAILS(self->vfd[0], cmds[i], a, EINVAL);
			a = icp_attr(&val);
			a.padding = 1U << bit;
			ATTR_FAILS(self->vfd[0], cmds[i], a, EINVAL);
		}
		/* unknown group */
		a = icp_attr(&val);
		a.group = 0x1234;
		ATTR_FAILS(self->vfd[0], cmds[i], a, ENXIO);
		a.group = 0;
		ATTR_FAILS(self->vfd[0], cmds[i], a, ENXIO);
		/* unknown attribute in the ICP group */
		a = icp_attr(&val);
		a.attr = 1;
		ATTR_FAILS(self->vfd[0], cmds[i], a, ENXIO);
		/* bad buffer (HAS does not read it) */
		a = icp_attr(&val);
		a.addr = virq_bad_uptr();
		if (cmds[i] != VIRQ_VCPU_HAS_ATTR)
			ATTR_FAILS(self->vfd[0], cmds[i], a, EFAULT);
		ASSERT_EQ(-1, ioctl(self->vfd[0], cmds[i], virq_bad_ptr()));
		ASSERT_EQ(EFAULT, errno);
	}
	a = icp_attr(&val);
	a.addr = virq_bad_uptr();
	ASSERT_EQ(0, ioctl(self->vfd[0], VIRQ_VCPU_HAS_ATTR, &a));
}

/* --- poll() ------------------------------------------------------------- */

TEST_F(xics, poll_idle)
{
	SKIP_IF_SETUP_SKIPPED();
	EXPECT_EQ(0, fd_revents(self->vfd[0]));
	EXPECT_EQ(0, fd_readable(self->vfd[0], 50));
	/* an interrupt for the other server does not wake this one */
	ASSERT_EQ(0, present(self->fd, 1));
	EXPECT_EQ(0, fd_revents(self->vfd[0]));
	EXPECT_EQ(POLLIN, fd_revents(self->vfd[1]));
}

TEST_F(xics, poll_in_then_ack_clears)
{
	struct virq_ack ack = { 0 };

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, present(self->fd, 0));
	EXPECT_EQ(POLLIN, fd_revents(self->vfd[0]));
	/* level-like: still there on a second poll */
	EXPECT_EQ(POLLIN, fd_revents(self->vfd[0]));
	ASSERT_EQ(0, ioctl(self->vfd[0], VIRQ_VCPU_ACK, &ack));
	EXPECT_EQ(XICS_SRC, ack.id & 0xffffff);
	EXPECT_EQ(0, fd_revents(self->vfd[0]));
	/* a second source of the same priority waits for the EOI */
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC + 1, 0));
	ASSERT_EQ(0, virq_line(self->fd, XICS_SRC + 1, VIRQ_LINE_EDGE, NULL));
	EXPECT_EQ(0, fd_revents(self->vfd[0]));
}

struct poller {
	int fd;
	int timeout_ms;
	atomic_int tid;
	int ret;
	short revents;
	double waited;
};

static void *poll_thread(void *arg)
{
	struct poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	double t0;

	atomic_store(&p->tid, (int)syscall(SYS_gettid));
	t0 = now_s();
	p->ret = poll(&pfd, 1, p->timeout_ms);
	p->waited = now_s() - t0;
	p->revents = pfd.revents;
	return NULL;
}

/* Is thread @tid asleep (state S)?  Then it is blocked in poll(). */
static int thread_sleeping(int tid)
{
	char path[64], buf[256], *s;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	s = strrchr(buf, ')');
	return s && s[1] == ' ' && s[2] == 'S';
}

TEST_F(xics, poll_wakes_blocked_thread)
{
	struct poller p = { .fd = self->vfd[0], .timeout_ms = 10000 };
	pthread_t th;
	int i;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 0));
	ASSERT_EQ(0, pthread_create(&th, NULL, poll_thread, &p));
	/* wait until the poller sleeps in poll() */
	for (i = 0; i < 500; i++) {
		int tid = atomic_load(&p.tid);

		if (tid && thread_sleeping(tid))
			break;
		usleep(10000);
	}
	usleep(20000);
	ASSERT_EQ(0, virq_line(self->fd, XICS_SRC, VIRQ_LINE_EDGE, NULL));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(1, p.ret);
	EXPECT_EQ(POLLIN, p.revents);
	EXPECT_GT(5.0, p.waited) TH_LOG("poll() waited %.3f s", p.waited);
	TH_LOG("poller woken after %.3f s", p.waited);
}

/* An injection into one vCPU's server wakes that poller, not the other. */
TEST_F(xics, poll_wakes_right_vcpu)
{
	struct poller p0 = { .fd = self->vfd[0], .timeout_ms = 1000 };
	struct poller p1 = { .fd = self->vfd[1], .timeout_ms = 10000 };
	pthread_t t0, t1;
	int i;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 1));
	ASSERT_EQ(0, pthread_create(&t0, NULL, poll_thread, &p0));
	ASSERT_EQ(0, pthread_create(&t1, NULL, poll_thread, &p1));
	for (i = 0; i < 500; i++) {
		int a = atomic_load(&p0.tid), b = atomic_load(&p1.tid);

		if (a && b && thread_sleeping(a) && thread_sleeping(b))
			break;
		usleep(10000);
	}
	ASSERT_EQ(0, virq_line(self->fd, XICS_SRC, VIRQ_LINE_EDGE, NULL));
	ASSERT_EQ(0, pthread_join(t1, NULL));
	ASSERT_EQ(0, pthread_join(t0, NULL));
	EXPECT_EQ(1, p1.ret);
	EXPECT_EQ(POLLIN, p1.revents);
	/* woken, not found at the timeout's last look */
	EXPECT_GT(5.0, p1.waited) TH_LOG("poll() waited %.3f s", p1.waited);
	EXPECT_EQ(0, p0.ret);
}

TEST_HARNESS_MAIN
