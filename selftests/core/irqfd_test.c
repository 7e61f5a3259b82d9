// SPDX-License-Identifier: GPL-2.0
/*
 * VIRQ_IRQFD: validation, delivery (sources and MSIs), deassign, teardown
 * on eventfd close,
 * resampling on an LSI, and a race of assign/deassign/close against the
 * instance going away.
 */
#include <pthread.h>
#include <stdatomic.h>

#include <kselftest_harness.h>

#include "common.h"

FIXTURE(xics) {
	XICS_FIXTURE_FIELDS;
	int efd;
	int rfd;
};

FIXTURE_SETUP(xics)
{
	self->efd = -1;
	self->rfd = -1;
	XICS_FIXTURE_SETUP();
	self->efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, self->efd);
	self->rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, self->rfd);
}

FIXTURE_TEARDOWN(xics)
{
	if (self->rfd >= 0)
		close(self->rfd);
	if (self->efd >= 0)
		close(self->efd);
	XICS_FIXTURE_TEARDOWN();
}

static struct virq_irqfd irqfd_args(int efd, __u32 source, __u32 flags)
{
	struct virq_irqfd a = { .fd = efd, .source = source, .flags = flags };

	return a;
}

static int do_irqfd(int fd, struct virq_irqfd a)
{
	return ioctl(fd, VIRQ_IRQFD, &a);
}

#define IRQFD_FAILS(a, err) do {					\
		ASSERT_EQ(-1, do_irqfd(self->fd, a));			\
		ASSERT_EQ(err, errno);					\
	} while (0)

static int signal_efd(int efd)
{
	__u64 one = 1;

	return write(efd, &one, sizeof(one)) == sizeof(one) ? 0 : -1;
}

/* Acknowledge and end whatever vCPU @vfd has pending; the XIRR or 0 */
static __u64 ack_eoi(int vfd)
{
	struct virq_ack ack = { 0 };
	struct virq_call c;

	if (ioctl(vfd, VIRQ_VCPU_ACK, &ack))
		return ~0ULL;
	if (!(ack.id & 0xffffff))
		return 0;
	if (xics_hcall(vfd, H_EOI, ack.id, 0, &c) || c.ret != H_SUCCESS)
		return ~0ULL;
	return ack.id;
}

/* --- validation --------------------------------------------------------- */

TEST_F(xics, bad_fd)
{
	SKIP_IF_SETUP_SKIPPED();
	IRQFD_FAILS(irqfd_args(closed_fd(), XICS_SRC, 0), EBADF);
	IRQFD_FAILS(irqfd_args(-1, XICS_SRC, 0), EBADF);
	IRQFD_FAILS(irqfd_args(closed_fd(), XICS_SRC,
			       VIRQ_IRQFD_FLAG_DEASSIGN), EBADF);
}

TEST_F(xics, not_eventfd)
{
	struct virq_irqfd a;

	SKIP_IF_SETUP_SKIPPED();
	/* the instance fd, a vCPU fd, /dev/null: none is an eventfd */
	IRQFD_FAILS(irqfd_args(self->fd, XICS_SRC, 0), EINVAL);
	IRQFD_FAILS(irqfd_args(self->vfd[0], XICS_SRC, 0), EINVAL);
	IRQFD_FAILS(irqfd_args(self->vfd[0], XICS_SRC,
			       VIRQ_IRQFD_FLAG_DEASSIGN), EINVAL);
	/* a resamplefd that is not an eventfd, or closed */
	a = irqfd_args(self->efd, XICS_SRC, VIRQ_IRQFD_FLAG_RESAMPLE);
	a.resamplefd = self->vfd[0];
	IRQFD_FAILS(a, EINVAL);
	a.resamplefd = closed_fd();
	IRQFD_FAILS(a, EBADF);
	/* and none of it bound self->efd */
	ASSERT_EQ(0, do_irqfd(self->fd, irqfd_args(self->efd, XICS_SRC, 0)));
}

TEST_F(xics, flags)
{
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	for (bit = 2; bit < 32; bit++)
		IRQFD_FAILS(irqfd_args(self->efd, XICS_SRC, 1U << bit), EINVAL);
	/* DEASSIGN and RESAMPLE together */
	IRQFD_FAILS(irqfd_args(self->efd, XICS_SRC,
			       VIRQ_IRQFD_FLAG_DEASSIGN |
			       VIRQ_IRQFD_FLAG_RESAMPLE), EINVAL);
	ASSERT_EQ(0, do_irqfd(self->fd, irqfd_args(self->efd, XICS_SRC, 0)));
}

TEST_F(xics, padding)
{
	struct virq_irqfd a;
	size_t i;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < sizeof(a.padding); i++) {
		a = irqfd_args(self->efd, XICS_SRC, 0);
		a.padding[i] = 1;
		IRQFD_FAILS(a, EINVAL);
		a.padding[i] = 0x80;
		IRQFD_FAILS(a, EINVAL);
		/* on deassign too */
		a.flags = VIRQ_IRQFD_FLAG_DEASSIGN;
		IRQFD_FAILS(a, EINVAL);
	}
	ASSERT_EQ(0, do_irqfd(self->fd, irqfd_args(self->efd, XICS_SRC, 0)));
}

TEST_F(xics, resamplefd_without_resample)
{
	struct virq_irqfd a = irqfd_args(self->efd, XICS_SRC, 0);

	SKIP_IF_SETUP_SKIPPED();
	a.resamplefd = self->rfd;
	IRQFD_FAILS(a, EINVAL);
	a.flags = VIRQ_IRQFD_FLAG_DEASSIGN;
	IRQFD_FAILS(a, EINVAL);
}

TEST_F(xics, source_range)
{
	__u32 bad[] = { XICS_NR_SOURCES, 0x80000000, 0xffffffff };
	size_t i;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		IRQFD_FAILS(irqfd_args(self->efd, bad[i], 0), EINVAL);
		IRQFD_FAILS(irqfd_args(self->efd, bad[i],
				       VIRQ_IRQFD_FLAG_DEASSIGN), EINVAL);
	}
	ASSERT_EQ(0, do_irqfd(self->fd, irqfd_args(self->efd,
						   XICS_NR_SOURCES - 1, 0)));
}

static struct virq_irqfd msi_args(int efd, __u32 data, __u32 flags)
{
	struct virq_irqfd a = {
		.fd = efd,
		.flags = VIRQ_IRQFD_FLAG_MSI | flags,
		.msi.data = data,
	};

	return a;
}

TEST_F(xics, msi_invalid)
{
	struct virq_irqfd a;

	SKIP_IF_SETUP_SKIPPED();
	/* an MSI irqfd has no source */
	a = msi_args(self->efd, XICS_SRC, 0);
	a.source = XICS_SRC;
	IRQFD_FAILS(a, EINVAL);
	/* nor resampling, nor a resamplefd */
	IRQFD_FAILS(msi_args(self->efd, XICS_SRC, VIRQ_IRQFD_FLAG_RESAMPLE),
		    EINVAL);
	a = msi_args(self->efd, XICS_SRC, 0);
	a.resamplefd = self->rfd;
	IRQFD_FAILS(a, EINVAL);
	/* a device id needs its flag, the flag needs MSI */
	a = msi_args(self->efd, XICS_SRC, 0);
	a.msi.devid = 1;
	IRQFD_FAILS(a, EINVAL);
	IRQFD_FAILS(irqfd_args(self->efd, XICS_SRC,
			       VIRQ_IRQFD_FLAG_MSI_DEVID), EINVAL);
	/* a deassign with the message checks it as an assign does */
	IRQFD_FAILS(msi_args(self->efd, 0, VIRQ_IRQFD_FLAG_DEASSIGN), EINVAL);
	/* XICS checks the message: data is a source number */
	IRQFD_FAILS(msi_args(self->efd, 0, 0), EINVAL);
	IRQFD_FAILS(msi_args(self->efd, VIRQ_XICS_IPI, 0), EINVAL);
	IRQFD_FAILS(msi_args(self->efd, XICS_NR_SOURCES, 0), EINVAL);
	/* none of it bound the eventfd */
	ASSERT_EQ(0, do_irqfd(self->fd, msi_args(self->efd, XICS_SRC, 0)));
}

TEST_F(xics, msi_delivers_deassign_stops)
{
	__u64 cnt;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 0));
	ASSERT_EQ(0, do_irqfd(self->fd, msi_args(self->efd, XICS_SRC, 0)));
	/* the eventfd is taken, whatever the kind of irqfd */
	IRQFD_FAILS(irqfd_args(self->efd, XICS_SRC + 1, 0), EBUSY);

	ASSERT_EQ(0, signal_efd(self->efd));
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[0]));
	EXPECT_EQ(0xff000000ULL | XICS_SRC, ack_eoi(self->vfd[0]));
	ASSERT_EQ(0, signal_efd(self->efd));
	EXPECT_EQ(0xff000000ULL | XICS_SRC, ack_eoi(self->vfd[0]));

	/* the source number does not find it; source 0 does */
	IRQFD_FAILS(irqfd_args(self->efd, XICS_SRC, VIRQ_IRQFD_FLAG_DEASSIGN),
		    ENOENT);
	ASSERT_EQ(0, do_irqfd(self->fd, irqfd_args(self->efd, 0,
						   VIRQ_IRQFD_FLAG_DEASSIGN)));
	IRQFD_FAILS(irqfd_args(self->efd, 0, VIRQ_IRQFD_FLAG_DEASSIGN), ENOENT);
	/* the struct that assigned it also deassigns it */
	ASSERT_EQ(0, do_irqfd(self->fd, msi_args(self->efd, XICS_SRC, 0)));
	ASSERT_EQ(0, do_irqfd(self->fd, msi_args(self->efd, XICS_SRC,
						 VIRQ_IRQFD_FLAG_DEASSIGN)));
	IRQFD_FAILS(msi_args(self->efd, XICS_SRC, VIRQ_IRQFD_FLAG_DEASSIGN),
		    ENOENT);
	ASSERT_EQ(0, signal_efd(self->efd));
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));
	ASSERT_EQ(sizeof(cnt), read(self->efd, &cnt, sizeof(cnt)));
	EXPECT_EQ(1, cnt);
}

TEST_F(xics, busy_and_enoent)
{
	int efd2;

	SKIP_IF_SETUP_SKIPPED();
	/* deassign of something never assigned */
	IRQFD_FAILS(irqfd_args(self->efd, XICS_SRC, VIRQ_IRQFD_FLAG_DEASSIGN),
		    ENOENT);
	ASSERT_EQ(0, do_irqfd(self->fd, irqfd_args(self->efd, XICS_SRC, 0)));
	/* the same eventfd again, on the same or another source */
	IRQFD_FAILS(irqfd_args(self->efd, XICS_SRC, 0), EBUSY);
	IRQFD_FAILS(irqfd_args(self->efd, XICS_SRC + 1, 0), EBUSY);
	/* a dup() of it is the same eventfd */
	efd2 = dup(self->efd);
	ASSERT_LE(0, efd2);
	IRQFD_FAILS(irqfd_args(efd2, XICS_SRC, 0), EBUSY);
	close(efd2);
	/* deassign names the source it was bound to */
	IRQFD_FAILS(irqfd_args(self->efd, XICS_SRC + 1,
			       VIRQ_IRQFD_FLAG_DEASSIGN), ENOENT);
	ASSERT_EQ(0, do_irqfd(self->fd,
			      irqfd_args(self->efd, XICS_SRC,
					 VIRQ_IRQFD_FLAG_DEASSIGN)));
	IRQFD_FAILS(irqfd_args(self->efd, XICS_SRC, VIRQ_IRQFD_FLAG_DEASSIGN),
		    ENOENT);
	/* free again */
	ASSERT_EQ(0, do_irqfd(self->fd, irqfd_args(self->efd, XICS_SRC, 0)));
}

TEST_F(xics, efault)
{
	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_IRQFD, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
}

/* --- behaviour ----------------------------------------------------------- */

TEST_F(xics, signal_delivers_deassign_stops)
{
	__u64 cnt;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 0));
	ASSERT_EQ(0, do_irqfd(self->fd, irqfd_args(self->efd, XICS_SRC, 0)));
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));

	ASSERT_EQ(0, signal_efd(self->efd));
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[0]));
	/* the irqfd consumed the count */
	EXPECT_EQ(0, fd_readable(self->efd, 0));
	EXPECT_EQ(0xff000000ULL | XICS_SRC, ack_eoi(self->vfd[0]));
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));

	/* again: every signal is an edge */
	ASSERT_EQ(0, signal_efd(self->efd));
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[0]));
	EXPECT_EQ(0xff000000ULL | XICS_SRC, ack_eoi(self->vfd[0]));

	ASSERT_EQ(0, do_irqfd(self->fd,
			      irqfd_args(self->efd, XICS_SRC,
					 VIRQ_IRQFD_FLAG_DEASSIGN)));
	ASSERT_EQ(0, signal_efd(self->efd));
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));
	/* nobody consumed the signal */
	ASSERT_EQ(sizeof(cnt), read(self->efd, &cnt, sizeof(cnt)));
	EXPECT_EQ(1, cnt);
}

/* A signal already pending at assign time is delivered by the assign. */
TEST_F(xics, pending_signal_at_assign)
{
	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 1));
	ASSERT_EQ(0, signal_efd(self->efd));
	ASSERT_EQ(0, do_irqfd(self->fd, irqfd_args(self->efd, XICS_SRC, 0)));
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[1]));
}

/* Closing the eventfd tears the irqfd down; the source can be rebound. */
TEST_F(xics, close_eventfd_tears_down)
{
	int efd2, i;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 0));
	ASSERT_EQ(0, do_irqfd(self->fd, irqfd_args(self->efd, XICS_SRC, 0)));
	ASSERT_EQ(0, signal_efd(self->efd));
	EXPECT_EQ(0xff000000ULL | XICS_SRC, ack_eoi(self->vfd[0]));
	close(self->efd);
	self->efd = -1;

	/* A new eventfd (possibly the same number) binds and works. */
	efd2 = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd2);
	ASSERT_EQ(0, do_irqfd(self->fd, irqfd_args(efd2, XICS_SRC, 0)));
	ASSERT_EQ(0, signal_efd(efd2));
	EXPECT_EQ(0xff000000ULL | XICS_SRC, ack_eoi(self->vfd[0]));
	/* Many bind-and-close cycles: teardown on close, no EBUSY. */
	for (i = 0; i < 200; i++) {
		int e = eventfd(0, EFD_CLOEXEC);

		ASSERT_LE(0, e);
		ASSERT_EQ(0, do_irqfd(self->fd, irqfd_args(e, XICS_SRC + 1,
							   0)));
		close(e);
	}
	close(efd2);
	/* the instance still injects */
	ASSERT_EQ(0, virq_line(self->fd, XICS_SRC, VIRQ_LINE_EDGE, NULL));
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[0]));
}

/* An irqfd on a vCPU-held instance whose instance fd closes is gone. */
TEST_F(xics, instance_close_tears_down)
{
	__u64 cnt;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 0));
	ASSERT_EQ(0, do_irqfd(self->fd, irqfd_args(self->efd, XICS_SRC, 0)));
	close(self->fd);
	self->fd = -1;
	/* the vCPU fds keep the chip; the irqfd went with the instance fd */
	ASSERT_EQ(0, signal_efd(self->efd));
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));
	ASSERT_EQ(sizeof(cnt), read(self->efd, &cnt, sizeof(cnt)));
	EXPECT_EQ(1, cnt);
}

/* --- resampling ----------------------------------------------------------- */

TEST_F(xics, resample_lsi)
{
	struct virq_irqfd a;
	struct virq_ack ack = { 0 };
	struct virq_call c;
	__u64 w, cnt;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_set_lsi(self->fd, XICS_SRC));
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 0));
	w = virq_word(self->fd, XICS_SRC);
	ASSERT_NE(0, w & VIRQ_XICS_LEVEL_SENSITIVE);
	ASSERT_EQ(0, w & VIRQ_XICS_ASSERTED);

	a = irqfd_args(self->efd, XICS_SRC, VIRQ_IRQFD_FLAG_RESAMPLE);
	a.resamplefd = self->rfd;
	ASSERT_EQ(0, do_irqfd(self->fd, a));
	ASSERT_EQ(0, signal_efd(self->efd));

	w = virq_word(self->fd, XICS_SRC);
	EXPECT_NE(0, w & VIRQ_XICS_ASSERTED)
		TH_LOG("word %#llx", (unsigned long long)w);
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[0]));

	ASSERT_EQ(0, ioctl(self->vfd[0], VIRQ_VCPU_ACK, &ack));
	EXPECT_EQ(0xff000000ULL | XICS_SRC, ack.id);
	/* acknowledged, not ended: still asserted, no resample yet */
	EXPECT_NE(0, virq_word(self->fd, XICS_SRC) & VIRQ_XICS_ASSERTED);
	EXPECT_EQ(0, fd_readable(self->rfd, 0));

	ASSERT_EQ(0, xics_hcall(self->vfd[0], H_EOI, ack.id, 0, &c));
	EXPECT_EQ(H_SUCCESS, c.ret);
	EXPECT_EQ(1, fd_readable(self->rfd, 2000));
	ASSERT_EQ(sizeof(cnt), read(self->rfd, &cnt, sizeof(cnt)));
	EXPECT_EQ(1, cnt);
	w = virq_word(self->fd, XICS_SRC);
	EXPECT_EQ(0, w & VIRQ_XICS_ASSERTED) TH_LOG("word %#llx",
						    (unsigned long long)w);
	/* lowered: not presented again */
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));

	/* the device signals again: one more round */
	ASSERT_EQ(0, signal_efd(self->efd));
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[0]));
	EXPECT_EQ(0xff000000ULL | XICS_SRC, ack_eoi(self->vfd[0]));
	EXPECT_EQ(1, fd_readable(self->rfd, 2000));

	/* deassigning a resampler lowers the line it held */
	ASSERT_EQ(sizeof(cnt), read(self->rfd, &cnt, sizeof(cnt)));
	ASSERT_EQ(0, signal_efd(self->efd));
	EXPECT_NE(0, virq_word(self->fd, XICS_SRC) & VIRQ_XICS_ASSERTED);
	a.flags = VIRQ_IRQFD_FLAG_DEASSIGN;
	a.resamplefd = 0;
	ASSERT_EQ(0, do_irqfd(self->fd, a));
	EXPECT_EQ(0, virq_word(self->fd, XICS_SRC) & VIRQ_XICS_ASSERTED);
}

/* The VMM's own drive of a level line survives the resampler's EOI. */
TEST_F(xics, resample_shared_line)
{
	struct virq_irqfd a;
	__u64 cnt;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_set_lsi(self->fd, XICS_SRC));
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 0));
	a = irqfd_args(self->efd, XICS_SRC, VIRQ_IRQFD_FLAG_RESAMPLE);
	a.resamplefd = self->rfd;
	ASSERT_EQ(0, do_irqfd(self->fd, a));
	ASSERT_EQ(0, signal_efd(self->efd));
	ASSERT_EQ(0, virq_line(self->fd, XICS_SRC, VIRQ_LINE_SET, NULL));
	EXPECT_EQ(0xff000000ULL | XICS_SRC, ack_eoi(self->vfd[0]));
	EXPECT_EQ(1, fd_readable(self->rfd, 2000));
	ASSERT_EQ(sizeof(cnt), read(self->rfd, &cnt, sizeof(cnt)));
	/* the VMM still holds it high: asserted and presented again */
	EXPECT_NE(0, virq_word(self->fd, XICS_SRC) & VIRQ_XICS_ASSERTED);
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[0]));
	ASSERT_EQ(0, virq_line(self->fd, XICS_SRC, VIRQ_LINE_RESET, NULL));
	EXPECT_EQ(0xff000000ULL | XICS_SRC, ack_eoi(self->vfd[0]));
	EXPECT_EQ(0, virq_word(self->fd, XICS_SRC) & VIRQ_XICS_ASSERTED);
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));
}

/* --- races ---------------------------------------------------------------- */

#define RACE_THREADS	4
#define RACE_SECONDS	3.0

struct race {
	atomic_int inst_fd;
	atomic_int stop;
	atomic_long assigned;
	atomic_long deassigned;
	atomic_long signalled;
	atomic_long rounds;
};

static void *race_worker(void *arg)
{
	struct race *r = arg;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;

	while (!atomic_load(&r->stop)) {
		int fd = atomic_load(&r->inst_fd);
		struct virq_irqfd a = {
			.source = XICS_SRC + rand_r(&seed) % 64,
		};
		int efd, rfd = -1;

		efd = eventfd(0, EFD_CLOEXEC);
		if (efd < 0)
			continue;
		a.fd = efd;
		if (rand_r(&seed) & 1) {
			rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			a.flags = VIRQ_IRQFD_FLAG_RESAMPLE;
			a.resamplefd = rfd;
		}
		if (!ioctl(fd, VIRQ_IRQFD, &a))
			atomic_fetch_add(&r->assigned, 1);
		if (!signal_efd(efd))
			atomic_fetch_add(&r->signalled, 1);
		if (rand_r(&seed) & 1) {
			a.flags = VIRQ_IRQFD_FLAG_DEASSIGN;
			a.resamplefd = 0;
			if (!ioctl(fd, VIRQ_IRQFD, &a))
				atomic_fetch_add(&r->deassigned, 1);
		}
		signal_efd(efd);
		close(efd);
		if (rfd >= 0)
			close(rfd);
	}
	return NULL;
}

static int race_instance(int *vfd)
{
	int fd = virq_open();

	if (fd < 0)
		return -1;
	if (xics_make(fd, 2, 1024, vfd, 1)) {
		close(fd);
		return -1;
	}
	/* route the sources the workers use, some as LSIs */
	for (int s = XICS_SRC; s < XICS_SRC + 64; s++) {
		if (s & 1)
			xics_set_lsi(fd, s);
		xics_route(fd, s, 0);
	}
	return fd;
}

TEST_F_TIMEOUT(xics, race_assign_close, 60)
{
	struct race r = { 0 };
	pthread_t th[RACE_THREADS];
	double t0;
	int i, vfd = -1, fd;

	SKIP_IF_SETUP_SKIPPED();
	fd = race_instance(&vfd);
	ASSERT_LE(0, fd);
	atomic_store(&r.inst_fd, fd);
	for (i = 0; i < RACE_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, race_worker, &r));

	t0 = now_s();
	while (now_s() - t0 < RACE_SECONDS) {
		int nfd, nvfd = -1;

		usleep(20000);
		/* EOIs too, so resamplers get notified while others churn */
		for (i = 0; i < 8; i++)
			ack_eoi(vfd);
		nfd = race_instance(&nvfd);
		ASSERT_LE(0, nfd);
		atomic_store(&r.inst_fd, nfd);
		/*
		 * Close the old instance while workers may still use it: the
		 * vCPU fd alternately dies before and after the instance fd.
		 */
		if (atomic_load(&r.rounds) & 1) {
			close(vfd);
			close(fd);
		} else {
			close(fd);
			ack_eoi(vfd);
			close(vfd);
		}
		fd = nfd;
		vfd = nvfd;
		atomic_fetch_add(&r.rounds, 1);
	}
	atomic_store(&r.stop, 1);
	for (i = 0; i < RACE_THREADS; i++)
		pthread_join(th[i], NULL);
	close(vfd);
	close(fd);
	TH_LOG("%ld rounds, %ld assigned, %ld deassigned, %ld signals",
	       atomic_load(&r.rounds), atomic_load(&r.assigned),
	       atomic_load(&r.deassigned), atomic_load(&r.signalled));
	EXPECT_LT(10, atomic_load(&r.rounds));
	EXPECT_LT(100, atomic_load(&r.assigned));
	EXPECT_LT(10, atomic_load(&r.deassigned));
}

TEST_HARNESS_MAIN
