// SPDX-License-Identifier: GPL-2.0
/*
 * virq GICv3 model: creation errnos, register reset values and access
 * widths, group/priority/preemption order, EOImode 0 and 1, SGIs, level
 * and edge SPIs, 1-of-N routing, PPIs of the resident vCPU across
 * LOAD/PUT (with a "guest" thread per vCPU against a VMM thread), bad
 * sources, source words, register-level save/restore into a fresh
 * instance, irqfds.
 *
 * A device model runs on any host: this runs in the x86-64 guest with
 * virq.ko loaded, a VMM's view only (no arm64 code).  Skips when
 * /dev/virq is missing or has no GICv3 family.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/virq.h>

#include <kselftest_harness.h>

#define NR_VCPUS	4
#define NR_SOURCES	256
#define DIST		VIRQ_GICV3_DEFAULT_DIST_BASE
#define RD(i)		(VIRQ_GICV3_DEFAULT_REDIST_BASE + \
			 (__u64)(i) * VIRQ_GICV3_REDIST_SIZE)
#define SGIF(i)		(RD(i) + 0x10000)
#define SPUR		VIRQ_GICV3_SPURIOUS
#define OUT_INT		((int)VIRQ_OUT_INT)
#define OUT_FIQ		((int)VIRQ_OUT_FIQ)
#define IIDR		0x5600143bLL
#define ICC_CTLR_RESET	(4 << 8 | 1 << 15 | 1 << 18)
#define PRIV(v, i)	VIRQ_GICV3_SOURCE_PRIVATE(v, i)
#define RES(p, i)	VIRQ_GICV3_SOURCE_RESIDENT(p, i)

#define ICC_PMR		VIRQ_GICV3_ICC_PMR_EL1
#define ICC_IAR0	VIRQ_GICV3_ICC_IAR0_EL1
#define ICC_IAR1	VIRQ_GICV3_ICC_IAR1_EL1
#define ICC_EOIR0	VIRQ_GICV3_ICC_EOIR0_EL1
#define ICC_EOIR1	VIRQ_GICV3_ICC_EOIR1_EL1
#define ICC_HPPIR0	VIRQ_GICV3_ICC_HPPIR0_EL1
#define ICC_HPPIR1	VIRQ_GICV3_ICC_HPPIR1_EL1
#define ICC_BPR0	VIRQ_GICV3_ICC_BPR0_EL1
#define ICC_BPR1	VIRQ_GICV3_ICC_BPR1_EL1
#define ICC_DIR		VIRQ_GICV3_ICC_DIR_EL1
#define ICC_RPR		VIRQ_GICV3_ICC_RPR_EL1
#define ICC_CTLR	VIRQ_GICV3_ICC_CTLR_EL1
#define ICC_SRE		VIRQ_GICV3_ICC_SRE_EL1
#define ICC_IGRPEN0	VIRQ_GICV3_ICC_IGRPEN0_EL1
#define ICC_IGRPEN1	VIRQ_GICV3_ICC_IGRPEN1_EL1
#define ICC_SGI0R	VIRQ_GICV3_ICC_SGI0R_EL1
#define ICC_SGI1R	VIRQ_GICV3_ICC_SGI1R_EL1
#define ICC_ASGI1R	VIRQ_GICV3_ICC_ASGI1R_EL1
#define ICC_AP0R(n)	VIRQ_GICV3_ICC_AP0R_EL1(n)
#define ICC_AP1R(n)	VIRQ_GICV3_ICC_AP1R_EL1(n)

/* --- helpers ----------------------------------------------------------- */

static int g3_chip(int fd, __u32 nr_vcpus, __u32 nr_sources,
		   const struct virq_gicv3_options *o)
{
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_GICV3,
		.nr_vcpus = nr_vcpus,
		.nr_sources = nr_sources,
		.options = (uintptr_t)o,
		.options_size = o ? sizeof(*o) : 0,
	};

	return ioctl(fd, VIRQ_CREATE_CHIP, &cfg);
}

static int g3_vcpu(int fd, __u32 index, __u64 mpidr)
{
	struct virq_vcpu_create vc = { .index = index, .arch_id = mpidr };

	return ioctl(fd, VIRQ_CREATE_VCPU, &vc);
}

static int acc(int vfd, __u32 space, __u64 addr, __u32 len, bool write,
	       __u64 *data)
{
	struct virq_access a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.space = space;
	a.flags = write ? VIRQ_ACCESS_WRITE : 0;
	a.addr = addr;
	a.len = len;
	a.data = write ? *data : 0xcccccccccccccccc;
	ret = ioctl(vfd, VIRQ_VCPU_ACCESS, &a);
	if (!ret && !write)
		*data = a.data;
	return ret;
}

#define RD32(vfd, a)	mmio_rd(_metadata, vfd, a, 4)
#define WR32(vfd, a, v)	mmio_wr(_metadata, vfd, a, 4, v)

static long long mmio_rd(struct __test_metadata *_metadata, int vfd,
			 __u64 addr, __u32 len)
{
	__u64 v;

	EXPECT_EQ(0, acc(vfd, VIRQ_SPACE_MMIO, addr, len, false, &v)) {
		TH_LOG("read %#llx/%u: %s", (unsigned long long)addr, len,
		       strerror(errno));
		return -1;
	}
	return v;
}

static void mmio_wr(struct __test_metadata *_metadata, int vfd, __u64 addr,
		    __u32 len, __u64 v)
{
	EXPECT_EQ(0, acc(vfd, VIRQ_SPACE_MMIO, addr, len, true, &v))
		TH_LOG("write %#llx/%u: %s", (unsigned long long)addr, len,
		       strerror(errno));
}

static long long icc_rd(struct __test_metadata *_metadata, int vfd,
			__u32 reg)
{
	__u64 v;

	EXPECT_EQ(0, acc(vfd, VIRQ_SPACE_SYSREG, reg, 8, false, &v))
		return -1;
	return v;
}

static void icc_wr(struct __test_metadata *_metadata, int vfd, __u32 reg,
		   __u64 v)
{
	EXPECT_EQ(0, acc(vfd, VIRQ_SPACE_SYSREG, reg, 8, true, &v));
}

/* VIRQ_IRQ_LINE: the status, or -1000 - errno on failure */
static int line(int fd, __u32 src, __u32 op)
{
	struct virq_irq_line l;

	memset(&l, 0xcc, sizeof(l));
	l.source = src;
	l.op = op;
	l.flags = 0;
	if (ioctl(fd, VIRQ_IRQ_LINE, &l))
		return -1000 - errno;
	return l.status;
}

static int out(int vfd)
{
	struct virq_vcpu_output o;

	memset(&o, 0xcc, sizeof(o));
	o.flags = 0;
	if (ioctl(vfd, VIRQ_VCPU_GET_OUTPUT, &o))
		return -1;
	return o.lines;
}

/* VIRQ_VCPU_ACK: IAR1 */
static long long ack(int vfd)
{
	struct virq_ack a = { .flags = 0, .event = 0, .id = 0xcc };

	if (ioctl(vfd, VIRQ_VCPU_ACK, &a))
		return -1;
	return a.id;
}

static int vcall(int vfd, __u32 nr, __u64 a0)
{
	struct virq_call c;

	memset(&c, 0, sizeof(c));
	c.nr = nr;
	c.args[0] = a0;
	return ioctl(vfd, VIRQ_VCPU_CALL, &c);
}

static int attr(int fd, unsigned long cmd, __u32 group, __u64 at, void *buf,
		__u32 *size)
{
	struct virq_attr a = {
		.group = group, .attr = at, .addr = (uintptr_t)buf,
		.size = size ? *size : 0,
	};
	int ret = ioctl(fd, cmd, &a);

	if (size)
		*size = a.size;
	return ret;
}

static int sources(int fd, unsigned long cmd, __u32 first, __u32 count,
		   __u64 *words)
{
	struct virq_sources s = {
		.first = first, .count = count, .addr = (uintptr_t)words,
	};

	return ioctl(fd, cmd, &s);
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

static bool have_gicv3(void)
{
	struct virq_family_info fi = { .family = VIRQ_FAMILY_GICV3 };
	int fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = !ioctl(fd, VIRQ_GET_FAMILY, &fi);
	close(fd);
	return ok;
}

/*
 * An instance of @n vCPUs (MPIDR Aff0 = index) ready to take interrupts:
 * both groups on in GICD_CTLR, every redistributor awake, PMR 0xf8,
 * ICC_IGRPEN0/1 set.
 */
static void g3_setup(struct __test_metadata *_metadata, int *fd, int *vfd,
		     __u32 n, __u32 nr_sources)
{
	__u32 i;

	*fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, *fd);
	ASSERT_EQ(0, g3_chip(*fd, n, nr_sources, NULL));
	for (i = 0; i < n; i++) {
		vfd[i] = g3_vcpu(*fd, i, i);
		ASSERT_LE(0, vfd[i]);
		WR32(vfd[i], RD(i) + 0x14, 0);
		icc_wr(_metadata, vfd[i], ICC_PMR, 0xf8);
		icc_wr(_metadata, vfd[i], ICC_IGRPEN0, 1);
		icc_wr(_metadata, vfd[i], ICC_IGRPEN1, 1);
	}
	WR32(vfd[0], DIST, 3);
}

FIXTURE(gic) {
	int fd;
	int v[NR_VCPUS];
	bool skip;
};

FIXTURE_SETUP(gic)
{
	if (!have_gicv3()) {
		self->skip = true;
		SKIP(return, "/dev/virq without GICv3");
	}
	g3_setup(_metadata, &self->fd, self->v, NR_VCPUS, NR_SOURCES);
}

FIXTURE_TEARDOWN(gic)
{
	int i;

	if (self->skip)
		return;
	for (i = 0; i < NR_VCPUS; i++)
		close(self->v[i]);
	close(self->fd);
}

/* Enable SPI or private @intid (on @vfd's redistributor) at @prio */
static void enable(struct __test_metadata *_metadata, int vfd, __u32 vcpu,
		   __u32 intid, __u8 prio)
{
	__u64 base = intid < 32 ? SGIF(vcpu) : DIST;

	mmio_wr(_metadata, vfd, base + 0x400 + intid, 1, prio);
	WR32(vfd, base + 0x100 + intid / 32 * 4, 1U << (intid % 32));
}

/* --- creation ------------------------------------------------------------ */

TEST(family_and_options)
{
	struct virq_family_info fi;
	struct virq_gicv3_options o;
	int fd, vfd;

	if (!have_gicv3())
		SKIP(return, "/dev/virq without GICv3");
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	memset(&fi, 0xcc, sizeof(fi));
	fi.family = VIRQ_FAMILY_GICV3;
	fi.flags = 0;
	ASSERT_EQ(0, ioctl(fd, VIRQ_GET_FAMILY, &fi));
	EXPECT_EQ(VIRQ_GICV3_FEATURE_ITS | VIRQ_GICV3_FEATURE_LPIS |
		  VIRQ_GICV3_FEATURE_RESIDENT, fi.features);
	EXPECT_EQ(1024U, fi.max_sources);
	EXPECT_EQ((__u32)VIRQ_GICV3_SOURCE_WORD_VERSION,
		  fi.source_word_version);
	EXPECT_EQ(sizeof(o), fi.options_size);

#define BAD(field, value, nv, ns) do {					\
	memset(&o, 0, sizeof(o));					\
	o.field = (value);						\
	EXPECT_EQ(-1, g3_chip(fd, nv, ns, &o));				\
	EXPECT_EQ(EINVAL, errno);					\
} while (0)
	BAD(flags, 1U << 2, 1, 64);
	BAD(flags, ~0U, 1, 64);
	BAD(lpi_bits, 16, 1, 64);		/* without LPIs */
	BAD(its_base, 0x20000000, 1, 64);	/* without an ITS */
	BAD(dist_base, 0x8001000, 1, 64);	/* alignment */
	BAD(redist_base, 0x1008000, 1, 64);
	BAD(dist_base, 0xffffffffffff0000ULL, 1, 64);	/* overlaps none, */
	BAD(redist_base, 0xfffffffffffe0000ULL, 2, 64);	/* but wraps */
	BAD(dist_base, VIRQ_GICV3_DEFAULT_REDIST_BASE + 0x30000, 2, 64);
	BAD(redist_base, VIRQ_GICV3_DEFAULT_DIST_BASE - 0x20000, 2, 64);
	BAD(reserved[0], 1, 1, 64);
	BAD(reserved[3], 1, 1, 64);
	BAD(flags, 0, 1, 32);			/* nr_sources */
	BAD(flags, 0, 1, 1025);
	BAD(flags, 0, 1, 100);
	BAD(flags, 0, 1, 2048);
	memset(&o, 0, sizeof(o));
	o.flags = VIRQ_GICV3_OPT_LPIS;
	o.lpi_bits = 13;
	EXPECT_EQ(-1, g3_chip(fd, 1, 64, &o));
	EXPECT_EQ(EINVAL, errno);
	o.lpi_bits = 21;
	EXPECT_EQ(-1, g3_chip(fd, 1, 64, &o));
	EXPECT_EQ(EINVAL, errno);
	memset(&o, 0, sizeof(o));
	o.flags = VIRQ_GICV3_OPT_ITS;
	o.its_base = VIRQ_GICV3_DEFAULT_DIST_BASE;	/* overlaps GICD */
	EXPECT_EQ(-1, g3_chip(fd, 1, 64, &o));
	EXPECT_EQ(EINVAL, errno);
#undef BAD

	/* A good one; then the vCPUs' MPIDRs */
	memset(&o, 0, sizeof(o));
	o.dist_base = 0x40000000;
	o.redist_base = 0x40100000;
	ASSERT_EQ(0, g3_chip(fd, 2, 1024, &o));
	EXPECT_EQ(-1, g3_vcpu(fd, 0, 1ULL << 24));	/* bit 24: not Aff */
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, g3_vcpu(fd, 0, 1ULL << 40));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, g3_vcpu(fd, 0, 0x0102030405ULL));	/* bit 25 */
	EXPECT_EQ(EINVAL, errno);
	vfd = g3_vcpu(fd, 0, 0x0100030405ULL);
	ASSERT_LE(0, vfd);
	EXPECT_EQ(-1, g3_vcpu(fd, 1, 0x0100030405ULL));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(0x01030405LL << 32,
		  mmio_rd(_metadata, vfd, 0x40100008, 8));
	close(vfd);
	close(fd);
}

/* --- reset values and access widths ---------------------------------------- */

struct reg_val {
	__u64 off;
	__u32 len;
	long long val;
};

TEST(reset_values_and_widths)
{
	static const struct reg_val dist[] = {
		{ 0x0000, 4, 0x50 }, { 0x0004, 4, 7 | 1 << 16 | 9 << 19 |
					1 << 24 | 1 << 26 },
		{ 0x0008, 4, IIDR }, { 0x000c, 4, 0 }, { 0x0010, 4, 0 },
		{ 0x0080, 4, 0 }, { 0x0084, 4, 0xffffffff },
		{ 0x009c, 4, 0xffffffff }, { 0x00a0, 4, 0 },	/* > SPIs */
		{ 0x0104, 4, 0 }, { 0x0184, 4, 0 }, { 0x0204, 4, 0 },
		{ 0x0284, 4, 0 }, { 0x0304, 4, 0 }, { 0x0384, 4, 0 },
		{ 0x0420, 4, 0 }, { 0x0421, 1, 0 }, { 0x0c08, 4, 0 },
		{ 0x0d04, 4, 0 }, { 0x6100, 8, 0 }, { 0x6104, 4, 0 },
		{ 0xffe8, 4, 0x3b }, { 0x0800, 4, 0 }, { 0x0f00, 4, 0 },
	};
	static const struct reg_val redist[] = {
		{ 0x0000, 4, 0 }, { 0x0004, 4, IIDR },
		{ 0x0008, 8, 0x0000000000000000ULL },
		{ 0x000c, 4, 0 }, { 0x0010, 4, 0 }, { 0x0014, 4, 6 },
		{ 0x0070, 8, 0 }, { 0x0078, 8, 0 }, { 0x00c0, 4, 0 },
		{ 0xffe8, 4, 0x3b }, { 0x10080, 4, 0xffffffff },
		{ 0x10100, 4, 0xffff }, { 0x10180, 4, 0xffff },
		{ 0x10200, 4, 0 }, { 0x10300, 4, 0 }, { 0x10400, 4, 0 },
		{ 0x1041f, 1, 0 }, { 0x10c00, 4, 0xaaaaaaaa },
		{ 0x10c04, 4, 0 }, { 0x10d00, 4, 0 },
	};
	static const struct reg_val bad[] = {	/* EINVAL widths */
		{ DIST + 0x0000, 1 }, { DIST + 0x0000, 2 }, { DIST + 0x0000, 8 },
		{ DIST + 0x0004, 8 }, { DIST + 0x0085, 1 }, { DIST + 0x0084, 8 },
		{ DIST + 0x0422, 2 }, { DIST + 0x6100, 2 }, { DIST + 0x6102, 4 },
		{ DIST + 0x6104, 8 }, { DIST + 0xc08, 1 },
		{ RD(0) + 0x0008, 2 }, { RD(0) + 0x000a, 2 },
		{ RD(0) + 0x0014, 8 }, { RD(0) + 0x10400, 2 },
		{ RD(0) + 0x10c00, 8 }, { RD(0) + 0x10100, 1 },
	};
	static const struct reg_val sysregs[] = {
		{ ICC_PMR, 8, 0 }, { ICC_BPR0, 8, 2 }, { ICC_BPR1, 8, 3 },
		{ ICC_CTLR, 8, ICC_CTLR_RESET }, { ICC_SRE, 8, 7 },
		{ ICC_IGRPEN0, 8, 0 }, { ICC_IGRPEN1, 8, 0 },
		{ ICC_AP0R(0), 8, 0 }, { ICC_AP0R(3), 8, 0 },
		{ ICC_AP1R(0), 8, 0 }, { ICC_AP1R(2), 8, 0 },
		{ ICC_RPR, 8, 0xff }, { ICC_HPPIR0, 8, SPUR },
		{ ICC_HPPIR1, 8, SPUR }, { ICC_IAR0, 8, SPUR },
		{ ICC_IAR1, 8, SPUR },
	};
	int fd, v[2];
	__u64 x;
	size_t i;

	if (!have_gicv3())
		SKIP(return, "/dev/virq without GICv3");
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, g3_chip(fd, 2, 256, NULL));
	v[0] = g3_vcpu(fd, 0, 0);
	v[1] = g3_vcpu(fd, 1, 0x0100000203ULL);
	ASSERT_LE(0, v[0]);
	ASSERT_LE(0, v[1]);

	for (i = 0; i < sizeof(dist) / sizeof(dist[0]); i++)
		EXPECT_EQ(dist[i].val, mmio_rd(_metadata, v[0],
					       DIST + dist[i].off,
					       dist[i].len))
			TH_LOG("GICD +%#llx", (unsigned long long)dist[i].off);
	for (i = 0; i < sizeof(redist) / sizeof(redist[0]); i++)
		EXPECT_EQ(redist[i].val, mmio_rd(_metadata, v[1],
						 RD(0) + redist[i].off,
						 redist[i].len))
			TH_LOG("GICR +%#llx", (unsigned long long)redist[i].off);
	/* vCPU 1: affinity, Processor_Number, Last */
	EXPECT_EQ(0x01000203LL << 32 | 1 << 8 | 1 << 4,
		  mmio_rd(_metadata, v[0], RD(1) + 8, 8));
	EXPECT_EQ(0x01000203LL, RD32(v[0], RD(1) + 0xc));
	EXPECT_EQ(1 << 8 | 1 << 4, RD32(v[0], RD(1) + 8));
	for (i = 0; i < sizeof(sysregs) / sizeof(sysregs[0]); i++)
		EXPECT_EQ(sysregs[i].val, icc_rd(_metadata, v[0],
						 sysregs[i].off))
			TH_LOG("sysreg %#llx", (unsigned long long)sysregs[i].off);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, acc(v[0], VIRQ_SPACE_MMIO, bad[i].off,
				  bad[i].len, false, &x))
			TH_LOG("%#llx/%u", (unsigned long long)bad[i].off,
			       bad[i].len);
		EXPECT_EQ(EINVAL, errno);
		x = 0;
		EXPECT_EQ(-1, acc(v[0], VIRQ_SPACE_MMIO, bad[i].off,
				  bad[i].len, true, &x));
		EXPECT_EQ(EINVAL, errno);
	}

	/* the widths that are allowed do what they say */
	mmio_wr(_metadata, v[0], DIST + 0x421, 1, 0xff);
	EXPECT_EQ(0xf800, RD32(v[0], DIST + 0x420));
	WR32(v[0], DIST + 0x420, 0x87654321);
	EXPECT_EQ(0x80604020, RD32(v[0], DIST + 0x420));
	EXPECT_EQ(0x60, mmio_rd(_metadata, v[0], DIST + 0x422, 1));
	mmio_wr(_metadata, v[0], DIST + 0x6100, 8, ~0ULL);
	EXPECT_EQ(0xff80ffffffLL, mmio_rd(_metadata, v[0], DIST + 0x6100, 8));
	WR32(v[0], DIST + 0x6104, 0);
	EXPECT_EQ(0x80ffffffLL, mmio_rd(_metadata, v[0], DIST + 0x6100, 8));
	WR32(v[0], DIST + 0xc08, 0xffffffff);		/* low bits RAZ */
	EXPECT_EQ(0xaaaaaaaa, RD32(v[0], DIST + 0xc08));
	WR32(v[0], DIST + 0x0, 0xffffffff);		/* ARE, DS RAO */
	EXPECT_EQ(0x53, RD32(v[0], DIST));
	WR32(v[0], DIST + 0xd04, 0xffffffff);		/* IGRPMODR RAZ/WI */
	EXPECT_EQ(0, RD32(v[0], DIST + 0xd04));
	WR32(v[0], RD(0) + 0x10c04, 0xaaaaaaaa);	/* PPIs: level, RO */
	EXPECT_EQ(0, RD32(v[0], RD(0) + 0x10c04));
	WR32(v[0], RD(0) + 0x14, 2);			/* WAKER */
	EXPECT_EQ(6, RD32(v[0], RD(0) + 0x14));
	WR32(v[0], RD(0) + 0x14, 0);
	EXPECT_EQ(0, RD32(v[0], RD(0) + 0x14));
	WR32(v[0], RD(0) + 0x70, 0xffffffff);		/* no LPIs: RAZ/WI */
	EXPECT_EQ(0, RD32(v[0], RD(0) + 0x70));

	/* CPU interface writes */
	icc_wr(_metadata, v[0], ICC_PMR, 0xff);
	EXPECT_EQ(0xf8, icc_rd(_metadata, v[0], ICC_PMR));
	icc_wr(_metadata, v[0], ICC_BPR0, 0);
	EXPECT_EQ(2, icc_rd(_metadata, v[0], ICC_BPR0));
	icc_wr(_metadata, v[0], ICC_BPR1, 1);
	EXPECT_EQ(3, icc_rd(_metadata, v[0], ICC_BPR1));
	icc_wr(_metadata, v[0], ICC_BPR0, 5);
	icc_wr(_metadata, v[0], ICC_CTLR, ~0ULL);	/* CBPR, EOImode */
	EXPECT_EQ(ICC_CTLR_RESET | 3, icc_rd(_metadata, v[0], ICC_CTLR));
	EXPECT_EQ(6, icc_rd(_metadata, v[0], ICC_BPR1));
	icc_wr(_metadata, v[0], ICC_SRE, 0);
	EXPECT_EQ(7, icc_rd(_metadata, v[0], ICC_SRE));
	icc_wr(_metadata, v[0], ICC_AP0R(1), ~0ULL);
	EXPECT_EQ(0, icc_rd(_metadata, v[0], ICC_AP0R(1)));

	/* spaces and lengths */
	EXPECT_EQ(-1, acc(v[0], VIRQ_SPACE_SYSREG, ICC_PMR, 4, false, &x));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, acc(v[0], VIRQ_SPACE_SYSREG, 0x1234, 8, false, &x));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, acc(v[0], VIRQ_SPACE_MMIO, 0x1000, 4, false, &x));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, acc(v[0], VIRQ_SPACE_MMIO, RD(2), 4, false, &x));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, acc(v[0], VIRQ_SPACE_MMIO, DIST, 3, false, &x));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, acc(v[0], VIRQ_SPACE_MSR, 0x1b, 8, false, &x));
	EXPECT_EQ(ENXIO, errno);
	close(v[0]);
	close(v[1]);
	close(fd);
}

/*
 * Every register: the widths it takes (bit n: 1 << n bytes) succeed, the
 * others fail with EINVAL, reads and writes alike (writes of the value
 * just read, so the state does not change).
 */
struct reg_width {
	__u64 addr;
	__u32 widths;
};

static void check_widths(struct __test_metadata *_metadata, int v,
			 __u64 addr, __u32 widths)
{
	static __u64 x;	/* static: the harness setjmp()s the test body */
	__u32 len;
	int ret;

	for (len = 1; len <= 8; len <<= 1) {
		bool ok = widths & len;

		ret = acc(v, VIRQ_SPACE_MMIO, addr, len, false, &x);
		EXPECT_EQ(ok ? 0 : -1, ret)
			TH_LOG("read %#llx/%u", (unsigned long long)addr, len);
		if (!ok) {
			EXPECT_EQ(EINVAL, errno);
			x = 0;
		}
		ret = acc(v, VIRQ_SPACE_MMIO, addr, len, true, &x);
		EXPECT_EQ(ok ? 0 : -1, ret)
			TH_LOG("write %#llx/%u", (unsigned long long)addr, len);
		if (!ok)
			EXPECT_EQ(EINVAL, errno);
	}
}

TEST(access_widths)
{
	static const struct reg_width regs[] = {
		{ DIST + 0x0000, 4 }, { DIST + 0x0004, 4 }, { DIST + 0x0008, 4 },
		{ DIST + 0x000c, 4 }, { DIST + 0x0010, 4 }, { DIST + 0x0040, 4 },
		{ DIST + 0x0048, 4 }, { DIST + 0x0084, 4 }, { DIST + 0x0104, 4 },
		{ DIST + 0x0184, 4 }, { DIST + 0x0204, 4 }, { DIST + 0x0284, 4 },
		{ DIST + 0x0304, 4 }, { DIST + 0x0384, 4 },
		{ DIST + 0x0420, 1 | 4 }, { DIST + 0x0c08, 4 },
		{ DIST + 0x0d04, 4 }, { DIST + 0x6100, 4 | 8 },
		{ DIST + 0xffe8, 4 },
		{ RD(0) + 0x0000, 4 }, { RD(0) + 0x0004, 4 },
		{ RD(0) + 0x0008, 4 | 8 }, { RD(0) + 0x0010, 4 },
		{ RD(0) + 0x0014, 4 }, { RD(0) + 0x0070, 4 | 8 },
		{ RD(0) + 0x0078, 4 | 8 }, { RD(0) + 0x00c0, 4 },
		{ RD(0) + 0xffe8, 4 }, { SGIF(0) + 0x0080, 4 },
		{ SGIF(0) + 0x0100, 4 }, { SGIF(0) + 0x0180, 4 },
		{ SGIF(0) + 0x0200, 4 }, { SGIF(0) + 0x0280, 4 },
		{ SGIF(0) + 0x0300, 4 }, { SGIF(0) + 0x0380, 4 },
		{ SGIF(0) + 0x0400, 1 | 4 }, { SGIF(0) + 0x0c00, 4 },
		{ SGIF(0) + 0x0c04, 4 }, { SGIF(0) + 0x0d00, 4 },
	};
	size_t i;
	int fd, v;

	if (!have_gicv3())
		SKIP(return, "/dev/virq without GICv3");
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, g3_chip(fd, 1, 64, NULL));
	v = g3_vcpu(fd, 0, 0);
	ASSERT_LE(0, v);
	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		check_widths(_metadata, v, regs[i].addr, regs[i].widths);
	close(v);
	close(fd);
}

/* --- delivery order ------------------------------------------------------- */

TEST_F(gic, priority_and_preemption)
{
	int fd = self->fd, v = self->v[0];

	if (self->skip)
		return;
	enable(_metadata, v, 0, 50, 0x80);
	enable(_metadata, v, 0, 51, 0x40);
	enable(_metadata, v, 0, 52, 0x40);
	enable(_metadata, v, 0, 53, 0x20);
	EXPECT_EQ(1, line(fd, 50, VIRQ_LINE_EDGE));
	EXPECT_EQ(1, line(fd, 52, VIRQ_LINE_EDGE));
	EXPECT_EQ(1, line(fd, 51, VIRQ_LINE_EDGE));
	EXPECT_EQ(0, line(fd, 51, VIRQ_LINE_EDGE));	/* coalesced */
	EXPECT_EQ(OUT_INT, out(v));
	EXPECT_EQ(51, icc_rd(_metadata, v, ICC_HPPIR1));
	EXPECT_EQ(51, ack(v));				/* lowest INTID first */
	EXPECT_EQ(0x40, icc_rd(_metadata, v, ICC_RPR));
	EXPECT_EQ(1U << 8, icc_rd(_metadata, v, ICC_AP1R(0)));
	EXPECT_EQ(0, out(v));				/* 0x40 can't preempt */
	EXPECT_EQ(SPUR, ack(v));
	EXPECT_EQ(52, icc_rd(_metadata, v, ICC_HPPIR1));
	EXPECT_EQ(1, line(fd, 53, VIRQ_LINE_EDGE));	/* 0x20 preempts */
	EXPECT_EQ(53, ack(v));
	EXPECT_EQ(0x20, icc_rd(_metadata, v, ICC_RPR));
	icc_wr(_metadata, v, ICC_EOIR1, 53);
	EXPECT_EQ(0x40, icc_rd(_metadata, v, ICC_RPR));
	icc_wr(_metadata, v, ICC_EOIR1, 51);
	EXPECT_EQ(0xff, icc_rd(_metadata, v, ICC_RPR));
	EXPECT_EQ(52, ack(v));
	icc_wr(_metadata, v, ICC_EOIR1, 52);
	/* PMR */
	icc_wr(_metadata, v, ICC_PMR, 0x80);
	EXPECT_EQ(0, out(v));
	EXPECT_EQ(SPUR, ack(v));
	icc_wr(_metadata, v, ICC_PMR, 0x88);
	EXPECT_EQ(50, ack(v));
	icc_wr(_metadata, v, ICC_EOIR1, 50);
	/* binary point: BPR1 7 leaves one group priority bit */
	icc_wr(_metadata, v, ICC_PMR, 0xf8);
	icc_wr(_metadata, v, ICC_BPR1, 7);
	EXPECT_EQ(1, line(fd, 51, VIRQ_LINE_EDGE));
	EXPECT_EQ(51, ack(v));
	EXPECT_EQ(0, line(fd, 53, VIRQ_LINE_EDGE));	/* held */
	EXPECT_EQ(0, out(v));
	icc_wr(_metadata, v, ICC_EOIR1, 51);
	EXPECT_EQ(53, ack(v));
	icc_wr(_metadata, v, ICC_EOIR1, 53);
	/* group 0 before group 1 at a higher priority; FIQ */
	icc_wr(_metadata, v, ICC_BPR1, 3);
	WR32(v, DIST + 0x84, ~(1U << (60 - 32)));
	enable(_metadata, v, 0, 60, 0x10);
	EXPECT_EQ(1, line(fd, 60, VIRQ_LINE_EDGE));
	EXPECT_EQ(0, line(fd, 50, VIRQ_LINE_EDGE));	/* behind 60 */
	EXPECT_EQ(OUT_FIQ, out(v));
	EXPECT_EQ(SPUR, ack(v));			/* IAR1: HPPI is G0 */
	EXPECT_EQ(SPUR, icc_rd(_metadata, v, ICC_HPPIR1));
	EXPECT_EQ(60, icc_rd(_metadata, v, ICC_HPPIR0));
	EXPECT_EQ(60, icc_rd(_metadata, v, ICC_IAR0));
	EXPECT_EQ(1U << 2, icc_rd(_metadata, v, ICC_AP0R(0)));
	icc_wr(_metadata, v, ICC_EOIR1, 60);		/* wrong group */
	EXPECT_EQ(0x10, icc_rd(_metadata, v, ICC_RPR));
	icc_wr(_metadata, v, ICC_EOIR0, 60);
	EXPECT_EQ(OUT_INT, out(v));
	EXPECT_EQ(50, ack(v));
	icc_wr(_metadata, v, ICC_EOIR1, 50);
	/* a group disabled in the distributor or the CPU interface */
	WR32(v, DIST, 2);
	EXPECT_EQ(VIRQ_STATUS_MASKED, line(fd, 60, VIRQ_LINE_EDGE));
	EXPECT_EQ(0, out(v));
	WR32(v, DIST, 3);
	EXPECT_EQ(OUT_FIQ, out(v));
	icc_wr(_metadata, v, ICC_IGRPEN0, 0);
	EXPECT_EQ(0, out(v));
	EXPECT_EQ(VIRQ_STATUS_MASKED, line(fd, 60, VIRQ_LINE_EDGE));
	icc_wr(_metadata, v, ICC_IGRPEN0, 1);
	EXPECT_EQ(60, icc_rd(_metadata, v, ICC_IAR0));
	icc_wr(_metadata, v, ICC_EOIR0, 60);
	EXPECT_EQ(0, out(v));
}

TEST_F(gic, eoimode)
{
	int fd = self->fd, v = self->v[1];

	if (self->skip)
		return;
	WR32(v, DIST + 0x6000 + 70 * 8, 1);		/* to vCPU 1 */
	enable(_metadata, v, 1, 70, 0x80);
	/* EOImode 0: EOIR drops the priority and deactivates */
	EXPECT_EQ(1, line(fd, 70, VIRQ_LINE_EDGE));
	EXPECT_EQ(70, ack(v));
	EXPECT_EQ(1U << (70 - 64), RD32(v, DIST + 0x308));
	icc_wr(_metadata, v, ICC_DIR, 70);		/* ignored */
	EXPECT_EQ(1U << (70 - 64), RD32(v, DIST + 0x308));
	icc_wr(_metadata, v, ICC_EOIR1, 70);
	EXPECT_EQ(0, RD32(v, DIST + 0x308));
	EXPECT_EQ(0xff, icc_rd(_metadata, v, ICC_RPR));
	/* EOImode 1: EOIR drops, DIR deactivates */
	icc_wr(_metadata, v, ICC_CTLR, 2);
	EXPECT_EQ(1, line(fd, 70, VIRQ_LINE_EDGE));
	EXPECT_EQ(70, ack(v));
	icc_wr(_metadata, v, ICC_EOIR1, 70);
	EXPECT_EQ(0xff, icc_rd(_metadata, v, ICC_RPR));
	EXPECT_EQ(1U << (70 - 64), RD32(v, DIST + 0x308));
	EXPECT_EQ(0, line(fd, 70, VIRQ_LINE_EDGE));	/* held: active */
	EXPECT_EQ(0, out(v));
	icc_wr(_metadata, v, ICC_DIR, 70);
	EXPECT_EQ(0, RD32(v, DIST + 0x308));
	EXPECT_EQ(OUT_INT, out(v));
	EXPECT_EQ(70, ack(v));
	/* ICACTIVER from the distributor also deactivates */
	icc_wr(_metadata, v, ICC_EOIR1, 70);
	WR32(v, DIST + 0x388, 1U << (70 - 64));
	EXPECT_EQ(0, RD32(v, DIST + 0x308));
	/* special INTIDs: priority drop only */
	EXPECT_EQ(1, line(fd, 70, VIRQ_LINE_EDGE));
	EXPECT_EQ(70, ack(v));
	icc_wr(_metadata, v, ICC_EOIR1, 1023);
	EXPECT_EQ(0xff, icc_rd(_metadata, v, ICC_RPR));
	icc_wr(_metadata, v, ICC_DIR, 70);
	EXPECT_EQ(0, out(v));
}

/* --- SGIs ---------------------------------------------------------------- */

TEST_F(gic, sgis)
{
	int *v = self->v, i;

	if (self->skip)
		return;
	/* SGI 3 to Aff0 1 and 3 */
	icc_wr(_metadata, v[0], ICC_SGI1R, 3ULL << 24 | 0xa);
	for (i = 0; i < NR_VCPUS; i++)
		EXPECT_EQ(i == 1 || i == 3 ? OUT_INT : 0, out(v[i]));
	EXPECT_EQ(1U << 3, RD32(v[0], SGIF(1) + 0x200));
	EXPECT_EQ(3, ack(v[1]));
	EXPECT_EQ(3, ack(v[3]));
	icc_wr(_metadata, v[1], ICC_EOIR1, 3);
	icc_wr(_metadata, v[3], ICC_EOIR1, 3);
	/* Aff1 != 0: nobody there */
	icc_wr(_metadata, v[0], ICC_SGI1R, 3ULL << 24 | 1ULL << 16 | 0xf);
	for (i = 0; i < NR_VCPUS; i++)
		EXPECT_EQ(0, out(v[i]));
	/* RS selects Aff0 16..31: nobody there either */
	icc_wr(_metadata, v[0], ICC_SGI1R, 3ULL << 24 | 1ULL << 44 | 0xf);
	for (i = 0; i < NR_VCPUS; i++)
		EXPECT_EQ(0, out(v[i]));
	/* IRM: every vCPU but the sender */
	icc_wr(_metadata, v[2], ICC_SGI1R, 7ULL << 24 | 1ULL << 40);
	for (i = 0; i < NR_VCPUS; i++) {
		EXPECT_EQ(i == 2 ? 0 : OUT_INT, out(v[i]));
		if (i != 2) {
			EXPECT_EQ(7, ack(v[i]));
			icc_wr(_metadata, v[i], ICC_EOIR1, 7);
		}
	}
	/* SGI0R and ASGI1R: group 0 SGIs only; SGI1R: either group */
	icc_wr(_metadata, v[0], ICC_SGI0R, 4ULL << 24 | 0x2);
	icc_wr(_metadata, v[0], ICC_ASGI1R, 4ULL << 24 | 0x2);
	EXPECT_EQ(0, out(v[1]));
	WR32(v[1], SGIF(1) + 0x80, ~(1U << 4));
	icc_wr(_metadata, v[0], ICC_SGI0R, 4ULL << 24 | 0x2);
	EXPECT_EQ(OUT_FIQ, out(v[1]));
	EXPECT_EQ(4, icc_rd(_metadata, v[1], ICC_IAR0));
	icc_wr(_metadata, v[1], ICC_EOIR0, 4);
	icc_wr(_metadata, v[0], ICC_SGI1R, 4ULL << 24 | 0x2);
	EXPECT_EQ(OUT_FIQ, out(v[1]));
	EXPECT_EQ(4, icc_rd(_metadata, v[1], ICC_IAR0));
	icc_wr(_metadata, v[1], ICC_EOIR0, 4);
	/* injection: edge only, on a vCPU */
	EXPECT_EQ(-1000 - EINVAL, line(self->fd, PRIV(2, 5), VIRQ_LINE_SET));
	EXPECT_EQ(-1000 - EINVAL, line(self->fd, PRIV(2, 5),
				       VIRQ_LINE_RESET));
	EXPECT_EQ(1, line(self->fd, PRIV(2, 5), VIRQ_LINE_EDGE));
	EXPECT_EQ(5, ack(v[2]));
	/* a disabled SGI latches */
	WR32(v[2], SGIF(2) + 0x180, 1U << 6);
	EXPECT_EQ(VIRQ_STATUS_MASKED, line(self->fd, PRIV(2, 6),
					   VIRQ_LINE_EDGE));
	EXPECT_EQ(1U << 6, RD32(v[2], SGIF(2) + 0x200));
}

/* --- SPIs: edge and level ---------------------------------------------------- */

TEST_F(gic, level_and_edge)
{
	int fd = self->fd, v = self->v[0];
	struct virq_msi m = { 0 };

	if (self->skip)
		return;
	enable(_metadata, v, 0, 80, 0x80);	/* level (reset config) */
	enable(_metadata, v, 0, 81, 0x80);
	WR32(v, DIST + 0xc00 + 81 / 16 * 4, 2U << (81 % 16 * 2));	/* edge */
	/* level: pending while the line is high */
	EXPECT_EQ(1, line(fd, 80, VIRQ_LINE_SET));
	EXPECT_EQ(0, line(fd, 80, VIRQ_LINE_SET));
	EXPECT_EQ(80, ack(v));
	icc_wr(_metadata, v, ICC_EOIR1, 80);
	EXPECT_EQ(OUT_INT, out(v));		/* still high */
	EXPECT_EQ(80, ack(v));
	EXPECT_EQ(0, line(fd, 80, VIRQ_LINE_RESET));
	icc_wr(_metadata, v, ICC_EOIR1, 80);
	EXPECT_EQ(0, out(v));
	/* ...or its latch is set (ISPENDR), cleared by ICPENDR or ack */
	WR32(v, DIST + 0x208, 1U << (80 - 64));
	EXPECT_EQ(1U << (80 - 64), RD32(v, DIST + 0x208) & 1U << 16);
	WR32(v, DIST + 0x288, 1U << (80 - 64));
	EXPECT_EQ(0, out(v));
	WR32(v, DIST + 0x208, 1U << (80 - 64));
	EXPECT_EQ(80, ack(v));
	icc_wr(_metadata, v, ICC_EOIR1, 80);
	EXPECT_EQ(0, out(v));
	/* an edge on a level interrupt latches */
	EXPECT_EQ(1, line(fd, 80, VIRQ_LINE_EDGE));
	EXPECT_EQ(80, ack(v));
	icc_wr(_metadata, v, ICC_EOIR1, 80);
	EXPECT_EQ(0, out(v));
	/* edge: SET latches once per rising edge */
	EXPECT_EQ(1, line(fd, 81, VIRQ_LINE_SET));
	EXPECT_EQ(81, ack(v));
	icc_wr(_metadata, v, ICC_EOIR1, 81);
	EXPECT_EQ(0, out(v));				/* no new edge */
	EXPECT_EQ(0, line(fd, 81, VIRQ_LINE_RESET));
	EXPECT_EQ(1, line(fd, 81, VIRQ_LINE_SET));
	EXPECT_EQ(81, ack(v));
	EXPECT_EQ(0, line(fd, 81, VIRQ_LINE_EDGE));	/* latched behind */
	icc_wr(_metadata, v, ICC_EOIR1, 81);
	EXPECT_EQ(81, ack(v));
	icc_wr(_metadata, v, ICC_EOIR1, 81);
	/* disabled: masked but latched */
	WR32(v, DIST + 0x188, 1U << (81 - 64));
	EXPECT_EQ(VIRQ_STATUS_MASKED, line(fd, 81, VIRQ_LINE_EDGE));
	EXPECT_EQ(0, out(v));
	WR32(v, DIST + 0x108, 1U << (81 - 64));
	EXPECT_EQ(81, ack(v));
	icc_wr(_metadata, v, ICC_EOIR1, 81);
	/* routed to a vCPU that does not exist: masked */
	mmio_wr(_metadata, v, DIST + 0x6000 + 81 * 8, 8, 0x100);
	EXPECT_EQ(VIRQ_STATUS_MASKED, line(fd, 81, VIRQ_LINE_EDGE));
	mmio_wr(_metadata, v, DIST + 0x6000 + 81 * 8, 8, 2);
	EXPECT_EQ(OUT_INT, out(self->v[2]));
	EXPECT_EQ(81, ack(self->v[2]));
	/* SETSPI_NSR / CLRSPI_NSR and VIRQ_SIGNAL_MSI to SETSPI_NSR */
	WR32(v, DIST + 0x40, 80);
	EXPECT_EQ(OUT_INT, out(v));
	WR32(v, DIST + 0x48, 80);
	EXPECT_EQ(0, out(v));
	m.address_lo = DIST + VIRQ_GICV3_GICD_SETSPI_NSR;
	m.data = 80;
	ASSERT_EQ(0, ioctl(fd, VIRQ_SIGNAL_MSI, &m));
	EXPECT_EQ(1, m.status);
	m.data = 20;
	EXPECT_EQ(-1, ioctl(fd, VIRQ_SIGNAL_MSI, &m));
	EXPECT_EQ(EINVAL, errno);
	m.data = 80;
	m.address_lo += 8;
	EXPECT_EQ(-1, ioctl(fd, VIRQ_SIGNAL_MSI, &m));
	EXPECT_EQ(EINVAL, errno);
	m.address_lo = VIRQ_GICV3_DEFAULT_ITS_BASE + VIRQ_GICV3_GITS_TRANSLATER;
	m.flags = VIRQ_MSI_FLAG_DEVID;
	EXPECT_EQ(-1, ioctl(fd, VIRQ_SIGNAL_MSI, &m));	/* no ITS */
	EXPECT_EQ(EINVAL, errno);
}

/* --- 1-of-N ------------------------------------------------------------------- */

TEST_F(gic, one_of_n)
{
	int fd = self->fd, *v = self->v, i, c, got[NR_VCPUS] = { 0 };

	if (self->skip)
		return;
	enable(_metadata, v[0], 0, 90, 0x80);
	mmio_wr(_metadata, v[0], DIST + 0x6000 + 90 * 8, 8, 1ULL << 31);
	WR32(v[0], RD(1) + 0x14, 2);			/* vCPU 1 asleep */
	icc_wr(_metadata, v[2], ICC_IGRPEN1, 0);	/* vCPU 2: G1 off */
	for (i = 0; i < 6; i++) {
		int hit = 0;

		EXPECT_EQ(1, line(fd, 90, VIRQ_LINE_EDGE));
		for (c = 0; c < NR_VCPUS; c++) {
			if (!out(v[c]))
				continue;
			hit++;
			got[c]++;
			EXPECT_EQ(90, ack(v[c]));
			/* active: stays with its target */
			EXPECT_EQ(0, line(fd, 90, VIRQ_LINE_EDGE));
			EXPECT_EQ(0, out(v[c]));
			icc_wr(_metadata, v[c], ICC_EOIR1, 90);
			EXPECT_EQ(90, ack(v[c]));
			icc_wr(_metadata, v[c], ICC_EOIR1, 90);
		}
		EXPECT_EQ(1, hit);
	}
	EXPECT_EQ(0, got[1]);
	EXPECT_EQ(0, got[2]);
	EXPECT_EQ(3, got[0]);				/* round robin */
	EXPECT_EQ(3, got[3]);
	/* nobody participates: it waits for the first that does */
	WR32(v[0], RD(0) + 0x14, 2);
	WR32(v[0], RD(3) + 0x14, 2);
	EXPECT_EQ(VIRQ_STATUS_MASKED, line(fd, 90, VIRQ_LINE_EDGE));
	for (c = 0; c < NR_VCPUS; c++)
		EXPECT_EQ(0, out(v[c]));
	icc_wr(_metadata, v[2], ICC_IGRPEN1, 1);
	EXPECT_EQ(OUT_INT, out(v[2]));
	EXPECT_EQ(90, ack(v[2]));
	/* back to a fixed route */
	icc_wr(_metadata, v[2], ICC_EOIR1, 90);
	mmio_wr(_metadata, v[0], DIST + 0x6000 + 90 * 8, 8, 3);
	EXPECT_EQ(1, line(fd, 90, VIRQ_LINE_EDGE));
	EXPECT_EQ(OUT_INT, out(v[3]));
}

/* --- resident PPIs -------------------------------------------------------------- */

TEST_F(gic, resident_load_put)
{
	int fd = self->fd, *v = self->v;

	if (self->skip)
		return;
	enable(_metadata, v[0], 0, 27, 0x80);
	enable(_metadata, v[1], 1, 27, 0x80);
	EXPECT_EQ(-1000 - ESRCH, line(fd, RES(7, 27), VIRQ_LINE_SET));
	EXPECT_EQ(-1000 - EINVAL, line(fd, RES(7, 3), VIRQ_LINE_EDGE));
	ASSERT_EQ(0, vcall(v[0], VIRQ_GICV3_CALL_LOAD, 7));
	EXPECT_EQ(-1, vcall(v[0], VIRQ_GICV3_CALL_LOAD, 8));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, vcall(v[1], VIRQ_GICV3_CALL_LOAD, 7));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, vcall(v[1], VIRQ_GICV3_CALL_LOAD, 0x10000));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, vcall(v[1], VIRQ_GICV3_CALL_PUT, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, vcall(v[1], 99, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);

	/* pending and active on vCPU 0 across PUT; vCPU 1 loaded there */
	EXPECT_EQ(1, line(fd, RES(7, 27), VIRQ_LINE_SET));
	EXPECT_EQ(27, ack(v[0]));
	ASSERT_EQ(0, vcall(v[0], VIRQ_GICV3_CALL_PUT, 0));
	EXPECT_EQ(-1000 - ESRCH, line(fd, RES(7, 27), VIRQ_LINE_EDGE));
	ASSERT_EQ(0, vcall(v[1], VIRQ_GICV3_CALL_LOAD, 7));
	EXPECT_EQ(1, line(fd, RES(7, 27), VIRQ_LINE_EDGE));
	EXPECT_EQ(27, ack(v[1]));
	icc_wr(_metadata, v[1], ICC_EOIR1, 27);
	EXPECT_EQ(0, out(v[1]));
	/* vCPU 0's line is still high: pending again after its EOI */
	icc_wr(_metadata, v[0], ICC_EOIR1, 27);
	EXPECT_EQ(OUT_INT, out(v[0]));
	EXPECT_EQ(0, line(fd, PRIV(0, 27), VIRQ_LINE_RESET));
	EXPECT_EQ(0, out(v[0]));
	/* vCPU 0 loads elsewhere and gets its own PPIs there */
	ASSERT_EQ(0, vcall(v[0], VIRQ_GICV3_CALL_LOAD, 0xffff));
	EXPECT_EQ(1, line(fd, RES(0xffff, 27), VIRQ_LINE_EDGE));
	EXPECT_EQ(27, ack(v[0]));
	icc_wr(_metadata, v[0], ICC_EOIR1, 27);
}

struct res_guest {
	int vfd;
	__u32 index;
	bool *stop;
	unsigned long acks;
	unsigned long toggles;
	unsigned long bad;
};

/* A guest vCPU: take PPI 27 whenever signalled, mask/unmask it now and then */
static void *res_guest_thread(void *arg)
{
	struct res_guest *g = arg;
	__u64 en = 1U << 27, x;
	unsigned long n = 0;
	bool done = false;

	while (!done) {
		struct pollfd p = { .fd = g->vfd, .events = POLLIN };

		done = __atomic_load_n(g->stop, __ATOMIC_ACQUIRE);
		if (poll(&p, 1, done ? 0 : 20) == 1) {
			x = ack(g->vfd);
			if (x == 27) {
				g->acks++;
				x = 27;
				if (acc(g->vfd, VIRQ_SPACE_SYSREG, ICC_EOIR1,
					8, true, &x))
					g->bad++;
			} else if (x != SPUR) {
				g->bad++;
			}
			done = false;	/* drain until quiet */
		}
		if (!done && ++n % 3 == 0) {
			/* the guest masks, then unmasks its PPI */
			acc(g->vfd, VIRQ_SPACE_MMIO, SGIF(g->index) + 0x180, 4,
			    true, &en);
			acc(g->vfd, VIRQ_SPACE_MMIO, SGIF(g->index) + 0x100, 4,
			    true, &en);
			g->toggles++;
		}
	}
	return NULL;
}

/*
 * A VMM thread moves two vCPUs on and off pCPU 3 and injects the "timer"
 * PPI 27 of whichever is resident, while each vCPU's guest thread takes
 * and masks it.  Each injection lands on the vCPU loaded at that moment:
 * every one that returned 1 (a new pending interrupt) must be taken by
 * that vCPU, none by the other, and nothing may stay pending at the end.
 */
TEST_F(gic, resident_ppi_threads)
{
	unsigned long inj[2] = { 0 }, fresh[2] = { 0 }, esrch = 0;
	struct res_guest g[2];
	pthread_t t[2];
	bool stop = false;
	int i, k, s, spin;

	if (self->skip)
		return;
	for (i = 0; i < 2; i++) {
		enable(_metadata, self->v[i], i, 27, 0x80);
		g[i] = (struct res_guest){ .vfd = self->v[i], .index = i,
					   .stop = &stop };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, res_guest_thread,
					    &g[i]));
	}
	for (k = 0; k < 4000; k++) {
		i = (k / 5) % 2;
		if (k % 5 == 0)
			ASSERT_EQ(0, vcall(self->v[i], VIRQ_GICV3_CALL_LOAD,
					   3));
		s = line(self->fd, RES(3, 27), VIRQ_LINE_EDGE);
		ASSERT_TRUE(s >= -1 && s <= 1) TH_LOG("status %d", s);
		inj[i]++;
		fresh[i] += s == 1;
		/*
		 * Now and then let the guest take it (or mask it) before the
		 * next LOAD/PUT, so that PUTs find it pending and active too.
		 * Bounded by a count, not a time: going on early is no error.
		 */
		for (spin = 0; k % 5 == 2 && out(self->v[i]) > 0 &&
		     spin < 100000; spin++)
			sched_yield();
		if (k % 5 == 4) {
			ASSERT_EQ(0, vcall(self->v[i], VIRQ_GICV3_CALL_PUT,
					   0));
			if (line(self->fd, RES(3, 27), VIRQ_LINE_EDGE) ==
			    -1000 - ESRCH)
				esrch++;
		}
	}
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(800UL, esrch);
	for (i = 0; i < 2; i++) {
		TH_LOG("vcpu %d: %lu injected, %lu fresh, %lu taken, %lu masks",
		       i, inj[i], fresh[i], g[i].acks, g[i].toggles);
		EXPECT_EQ(0UL, g[i].bad);
		EXPECT_LE(fresh[i], g[i].acks);
		EXPECT_GE(inj[i], g[i].acks);
		EXPECT_LT(0UL, g[i].acks);
		EXPECT_EQ(0, out(self->v[i]));
		EXPECT_EQ(0, RD32(self->v[i], SGIF(i) + 0x200));
		EXPECT_EQ(0, RD32(self->v[i], SGIF(i) + 0x300));
	}
}

/* --- bad sources ------------------------------------------------------------------ */

TEST_F(gic, bad_sources)
{
	static const __u32 bad[] = {
		0, 15, 31, NR_SOURCES, 1019, 1020, 1021, 1022, 1023, ~0U,
		PRIV(NR_VCPUS, 16), PRIV(0xffff, 16), PRIV(0, 32),
		PRIV(0, 16) | 1 << 10, RES(0, 3), RES(0, 15), RES(0, 32),
		3U << 28 | 40, 1U << 12 | 40, 0x80000000 | 40,
	};
	struct virq_irq_line l[3] = {
		{ .source = 40, .op = VIRQ_LINE_EDGE },
		{ .source = PRIV(1, 3), .op = VIRQ_LINE_SET },	/* refused */
		{ .source = 41, .op = VIRQ_LINE_EDGE },
	};
	struct virq_irq_lines ls = { .count = 3, .lines = (uintptr_t)l };
	size_t i;
	int fd;

	if (self->skip)
		return;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-1000 - EINVAL, line(self->fd, bad[i],
					       VIRQ_LINE_EDGE))
			TH_LOG("source %#x", bad[i]);
	/* a full-size chip: 1020-1023 are still not sources */
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, g3_chip(fd, 1, 1024, NULL));
	EXPECT_EQ(VIRQ_STATUS_MASKED, line(fd, 1019, VIRQ_LINE_EDGE));
	for (i = 1020; i < 1024; i++)
		EXPECT_EQ(-1000 - EINVAL, line(fd, i, VIRQ_LINE_EDGE));
	/* a private source of a vCPU not created yet */
	EXPECT_EQ(-1000 - ESRCH, line(fd, PRIV(0, 20), VIRQ_LINE_SET));
	close(fd);
	/* a batch stops at the entry the family refuses */
	EXPECT_EQ(1, ioctl(self->fd, VIRQ_IRQ_LINES, &ls));
	EXPECT_EQ(VIRQ_STATUS_MASKED, l[0].status);
}

/* --- source words ------------------------------------------------------------------ */

TEST_F(gic, source_words)
{
	int fd = self->fd, v = self->v[0];
	__u64 w[4], w2[4];

	if (self->skip)
		return;
	enable(_metadata, v, 0, 100, 0x48);
	mmio_wr(_metadata, v, DIST + 0x6000 + 100 * 8, 8,
		0x0102030405ULL | 1ULL << 31);
	EXPECT_EQ(VIRQ_STATUS_MASKED, line(fd, 101, VIRQ_LINE_SET));
	memset(w, 0xcc, sizeof(w));
	ASSERT_EQ(0, sources(fd, VIRQ_GET_SOURCES, 100, 4, w));
	EXPECT_EQ(0x48 | VIRQ_GICV3_SRC_ENABLED | VIRQ_GICV3_SRC_GROUP1 |
		  VIRQ_GICV3_SRC_IRM | 0x01030405ULL << 32, w[0]);
	EXPECT_EQ(VIRQ_GICV3_SRC_GROUP1 | VIRQ_GICV3_SRC_LEVEL_USER, w[1]);
	EXPECT_EQ(VIRQ_GICV3_SRC_GROUP1, w[2]);

	/* SET: all or nothing */
	memcpy(w2, w, sizeof(w));
	w2[2] = VIRQ_GICV3_SRC_ENABLED | VIRQ_GICV3_SRC_PENDING |
		VIRQ_GICV3_SRC_EDGE | VIRQ_GICV3_SRC_GROUP1 | 0x20 | 2ULL << 32;
	w2[3] = 1ULL << 16;			/* unknown bit */
	EXPECT_EQ(-1, sources(fd, VIRQ_SET_SOURCES, 100, 4, w2));
	EXPECT_EQ(EINVAL, errno);
	w2[3] = 0x21;				/* low priority bits */
	EXPECT_EQ(-1, sources(fd, VIRQ_SET_SOURCES, 100, 4, w2));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, sources(fd, VIRQ_GET_SOURCES, 100, 4, w));
	EXPECT_EQ(VIRQ_GICV3_SRC_GROUP1, w[2]);	/* unchanged */
	w2[3] = VIRQ_GICV3_SRC_GROUP1;
	ASSERT_EQ(0, sources(fd, VIRQ_SET_SOURCES, 100, 4, w2));
	EXPECT_EQ(OUT_INT, out(self->v[2]));	/* 102 pending there */
	EXPECT_EQ(102, ack(self->v[2]));
	/* ranges */
	EXPECT_EQ(-1, sources(fd, VIRQ_GET_SOURCES, 0, 4, w));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sources(fd, VIRQ_GET_SOURCES, 31, 2, w));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sources(fd, VIRQ_SET_SOURCES, 16, 4, w));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sources(fd, VIRQ_GET_SOURCES, NR_SOURCES - 2, 4, w));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sources(fd, VIRQ_GET_SOURCES, 32, 0, w));
	EXPECT_EQ(EINVAL, errno);
}

/* --- save/restore ------------------------------------------------------------------- */

static const __u32 cpu_sysregs[] = {
	ICC_SRE, ICC_CTLR, ICC_PMR, ICC_BPR0, ICC_BPR1,
	ICC_AP0R(0), ICC_AP0R(1), ICC_AP0R(2), ICC_AP0R(3),
	ICC_AP1R(0), ICC_AP1R(1), ICC_AP1R(2), ICC_AP1R(3),
	ICC_IGRPEN0, ICC_IGRPEN1,
};

/*
 * The "clear" registers of the per-interrupt arrays (ICENABLER,
 * ICPENDR, ICACTIVER; KVM's uaccess rules: a write clears) are not
 * copied; instead each is written with all ones just before its "set"
 * register gets the saved value, as QEMU restores KVM's vgic.
 */
static bool clear_reg(__u32 off, bool redist)
{
	__u32 o = redist ? off - 0x10000 : off;

	if (redist && (off < 0x10000 || off >= 0x10400))
		return false;
	return (o >= 0x180 && o < 0x200) || (o >= 0x280 && o < 0x300) ||
	       (o >= 0x380 && o < 0x400);
}

/* Every register of a group that HAS_ATTR knows, old to new */
static void copy_regs(struct __test_metadata *_metadata, int from, int to,
		      __u32 group, __u32 frame, bool vcpu, __u32 *count)
{
	unsigned long has = vcpu ? VIRQ_VCPU_HAS_ATTR : VIRQ_HAS_ATTR;
	unsigned long get = vcpu ? VIRQ_VCPU_GET_ATTR : VIRQ_GET_ATTR;
	unsigned long set = vcpu ? VIRQ_VCPU_SET_ATTR : VIRQ_SET_ATTR;
	__u32 off, sz;
	__u64 val;

	for (off = 0; off < frame; off += 4) {
		if (clear_reg(off, vcpu) ||
		    attr(from, has, group, off, NULL, NULL))
			continue;
		if (clear_reg(off + 0x80, vcpu)) {
			val = ~0ULL;
			sz = 4;
			ASSERT_EQ(0, attr(to, set, group, off + 0x80, &val,
					  &sz));
		}
		val = 0;
		sz = 8;
		ASSERT_EQ(0, attr(from, get, group, off, &val, &sz))
			TH_LOG("get %#x", off);
		ASSERT_EQ(0, attr(to, set, group, off, &val, &sz))
			TH_LOG("set %#x = %#llx", off, (unsigned long long)val);
		(*count)++;
		if (sz == 8)
			off += 4;
	}
}

/* The KVM order: IIDR, distributor, redistributors, CPU interfaces, lines */
static void migrate(struct __test_metadata *_metadata, int a, int *va,
		    int b, int *vb, __u32 n)
{
	__u64 words[NR_SOURCES - 32], priv[32], val;
	__u32 i, j, sz, count = 0;

	sz = 4;
	ASSERT_EQ(0, attr(a, VIRQ_GET_ATTR, VIRQ_GICV3_GRP_DIST_REGS, 8, &val,
			  &sz));
	ASSERT_EQ(0, attr(b, VIRQ_SET_ATTR, VIRQ_GICV3_GRP_DIST_REGS, 8, &val,
			  &sz));
	copy_regs(_metadata, a, b, VIRQ_GICV3_GRP_DIST_REGS, 0x10000, false,
		  &count);
	for (i = 0; i < n; i++) {
		copy_regs(_metadata, va[i], vb[i], VIRQ_GICV3_VGRP_REDIST_REGS,
			  0x20000, true, &count);
		for (j = 0; j < sizeof(cpu_sysregs) / 4; j++) {
			sz = 8;
			ASSERT_EQ(0, attr(va[i], VIRQ_VCPU_GET_ATTR,
					  VIRQ_GICV3_VGRP_CPU_SYSREGS,
					  cpu_sysregs[j], &val, &sz));
			ASSERT_EQ(0, attr(vb[i], VIRQ_VCPU_SET_ATTR,
					  VIRQ_GICV3_VGRP_CPU_SYSREGS,
					  cpu_sysregs[j], &val, &sz));
		}
		sz = sizeof(priv);
		ASSERT_EQ(0, attr(va[i], VIRQ_VCPU_GET_ATTR,
				  VIRQ_GICV3_VGRP_PRIVATE, 0, priv, &sz));
		ASSERT_EQ(sizeof(priv), sz);
		ASSERT_EQ(0, attr(vb[i], VIRQ_VCPU_SET_ATTR,
				  VIRQ_GICV3_VGRP_PRIVATE, 0, priv, &sz));
	}
	ASSERT_EQ(0, sources(a, VIRQ_GET_SOURCES, 32, NR_SOURCES - 32, words));
	ASSERT_EQ(0, sources(b, VIRQ_SET_SOURCES, 32, NR_SOURCES - 32, words));
	EXPECT_LT(200U, count);
}

TEST_F(gic, save_restore)
{
	int b, vb[NR_VCPUS], *va = self->v, x, i;
	__u64 w, val, priv[32];
	__u32 sz;

	if (self->skip)
		return;
	/* mid-flight: pending, active, level lines, priorities, routes */
	enable(_metadata, va[0], 0, 110, 0x60);		/* level, high */
	enable(_metadata, va[0], 0, 111, 0x40);		/* active+pending */
	enable(_metadata, va[0], 0, 112, 0x80);		/* to vCPU 1 */
	mmio_wr(_metadata, va[0], DIST + 0x6000 + 112 * 8, 8, 1);
	enable(_metadata, va[1], 1, 20, 0x90);		/* PPI, level */
	enable(_metadata, va[2], 2, 9, 0x30);		/* SGI, group 0 */
	WR32(va[2], SGIF(2) + 0x80, ~(1U << 9));
	icc_wr(_metadata, va[3], ICC_CTLR, 2);		/* EOImode 1 */
	icc_wr(_metadata, va[3], ICC_BPR1, 5);
	EXPECT_EQ(1, line(self->fd, 110, VIRQ_LINE_SET));
	EXPECT_EQ(1, line(self->fd, 111, VIRQ_LINE_EDGE));
	EXPECT_EQ(111, ack(va[0]));
	EXPECT_EQ(0, line(self->fd, 111, VIRQ_LINE_EDGE));
	EXPECT_EQ(1, line(self->fd, 112, VIRQ_LINE_EDGE));
	/* the PPI's line is high, behind SPI 112's higher priority */
	EXPECT_EQ(0, line(self->fd, PRIV(1, 20), VIRQ_LINE_SET));
	icc_wr(_metadata, va[0], ICC_SGI0R, 9ULL << 24 | 1 << 2);
	WR32(va[0], DIST + 0x200 + 113 / 32 * 4, 1U << (113 % 32));

	g3_setup(_metadata, &b, vb, NR_VCPUS, NR_SOURCES);
	/* a fresh instance's reset state, except what the fixture set */
	migrate(_metadata, self->fd, va, b, vb, NR_VCPUS);

	for (x = 0; x < 2; x++) {
		int fd = x ? b : self->fd, *v = x ? vb : va;

		EXPECT_EQ(0x40, icc_rd(_metadata, v[0], ICC_RPR));
		EXPECT_EQ(0, out(v[0]));
		icc_wr(_metadata, v[0], ICC_EOIR1, 111);
		EXPECT_EQ(111, ack(v[0]));
		icc_wr(_metadata, v[0], ICC_EOIR1, 111);
		EXPECT_EQ(110, ack(v[0]));
		icc_wr(_metadata, v[0], ICC_EOIR1, 110);
		EXPECT_EQ(110, ack(v[0]));		/* the line is high */
		icc_wr(_metadata, v[0], ICC_EOIR1, 110);
		EXPECT_EQ(0, line(fd, 110, VIRQ_LINE_RESET));
		EXPECT_EQ(0, out(v[0]));
		EXPECT_EQ(112, ack(v[1]));
		icc_wr(_metadata, v[1], ICC_EOIR1, 112);
		EXPECT_EQ(20, ack(v[1]));
		icc_wr(_metadata, v[1], ICC_EOIR1, 20);
		EXPECT_EQ(20, ack(v[1]));
		EXPECT_EQ(OUT_FIQ, out(v[2]));
		EXPECT_EQ(9, icc_rd(_metadata, v[2], ICC_IAR0));
		EXPECT_EQ(ICC_CTLR_RESET | 2, icc_rd(_metadata, v[3], ICC_CTLR));
		EXPECT_EQ(5, icc_rd(_metadata, v[3], ICC_BPR1));
		ASSERT_EQ(0, sources(fd, VIRQ_GET_SOURCES, 113, 1, &w));
		EXPECT_EQ(VIRQ_GICV3_SRC_PENDING | VIRQ_GICV3_SRC_GROUP1, w);
	}

	/* restore refusals */
	val = 0x1234;
	sz = 4;
	EXPECT_EQ(-1, attr(b, VIRQ_SET_ATTR, VIRQ_GICV3_GRP_DIST_REGS,
			   8, &val, &sz));	/* another IIDR */
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, attr(b, VIRQ_SET_ATTR, VIRQ_GICV3_GRP_DIST_REGS,
			   4, &val, &sz));	/* TYPER */
	EXPECT_EQ(EINVAL, errno);
	sz = 8;
	EXPECT_EQ(-1, attr(b, VIRQ_SET_ATTR, VIRQ_GICV3_GRP_DIST_REGS,
			   0x100, &val, &sz));	/* width */
	EXPECT_EQ(EINVAL, errno);
	sz = 4;
	EXPECT_EQ(-1, attr(b, VIRQ_GET_ATTR, VIRQ_GICV3_GRP_DIST_REGS,
			   0x6100, &val, &sz));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(8U, sz);
	EXPECT_EQ(-1, attr(b, VIRQ_GET_ATTR, VIRQ_GICV3_GRP_DIST_REGS,
			   0x40, &val, &sz));	/* write-only */
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, attr(b, VIRQ_HAS_ATTR, VIRQ_GICV3_GRP_DIST_REGS,
			   0x800, NULL, NULL));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, attr(b, VIRQ_HAS_ATTR, 77, 0, NULL, NULL));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, attr(b, VIRQ_HAS_ATTR, VIRQ_GICV3_GRP_ITS_REGS,
			   0, NULL, NULL));
	EXPECT_EQ(ENXIO, errno);
	sz = 0;
	EXPECT_EQ(-1, attr(b, VIRQ_SET_ATTR, VIRQ_GICV3_GRP_CTRL,
			   VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES, &val,
			   &sz));		/* no LPIs */
	EXPECT_EQ(ENXIO, errno);
	sz = 8;
	val = 0;
	EXPECT_EQ(-1, attr(vb[0], VIRQ_VCPU_SET_ATTR,
			   VIRQ_GICV3_VGRP_CPU_SYSREGS, ICC_SRE, &val,
			   &sz));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, attr(vb[0], VIRQ_VCPU_SET_ATTR,
			   VIRQ_GICV3_VGRP_CPU_SYSREGS, ICC_IAR1, &val,
			   &sz));		/* not state */
	EXPECT_EQ(ENXIO, errno);
	val = 0x123;
	EXPECT_EQ(-1, attr(vb[0], VIRQ_VCPU_SET_ATTR,
			   VIRQ_GICV3_VGRP_CPU_SYSREGS, ICC_CTLR, &val,
			   &sz));		/* RO fields */
	EXPECT_EQ(EINVAL, errno);
	sz = 4;
	val = 1;
	EXPECT_EQ(-1, attr(vb[0], VIRQ_VCPU_SET_ATTR,
			   VIRQ_GICV3_VGRP_REDIST_REGS, 0x8, &val,
			   &sz));		/* TYPER width */
	EXPECT_EQ(EINVAL, errno);
	memset(priv, 0, sizeof(priv));
	sz = sizeof(priv);
	priv[20] = VIRQ_GICV3_SRC_EDGE;		/* PPIs: level */
	EXPECT_EQ(-1, attr(vb[0], VIRQ_VCPU_SET_ATTR, VIRQ_GICV3_VGRP_PRIVATE,
			   0, priv, &sz));
	EXPECT_EQ(EINVAL, errno);
	sz = 8;
	EXPECT_EQ(-1, attr(vb[0], VIRQ_VCPU_SET_ATTR, VIRQ_GICV3_VGRP_PRIVATE,
			   0, priv, &sz));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, attr(vb[0], VIRQ_VCPU_GET_ATTR, VIRQ_GICV3_VGRP_PRIVATE,
			   0, priv, &sz));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(256U, sz);

	for (i = 0; i < NR_VCPUS; i++)
		close(vb[i]);
	close(b);
}

/* --- irqfd ----------------------------------------------------------------------------- */

static int irqfd(int fd, int efd, __u32 src, __u32 flags, int rfd)
{
	struct virq_irqfd i = {
		.fd = efd, .source = src, .flags = flags,
		.resamplefd = rfd < 0 ? 0 : rfd,
	};

	return ioctl(fd, VIRQ_IRQFD, &i);
}

TEST_F(gic, irqfd_spi_ppi_resample)
{
	int fd = self->fd, *v = self->v, e1, e2, e3, r3;
	__u64 one = 1, cnt;

	if (self->skip)
		return;
	enable(_metadata, v[0], 0, 120, 0x80);
	enable(_metadata, v[1], 1, 23, 0x80);
	enable(_metadata, v[0], 0, 121, 0x80);
	e1 = eventfd(0, EFD_CLOEXEC);
	e2 = eventfd(0, EFD_CLOEXEC);
	e3 = eventfd(0, EFD_CLOEXEC);
	r3 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, e1);
	ASSERT_LE(0, r3);
	ASSERT_EQ(0, irqfd(fd, e1, 120, 0, -1));
	ASSERT_EQ(0, irqfd(fd, e2, PRIV(1, 23), 0, -1));
	ASSERT_EQ(0, irqfd(fd, e3, 121, VIRQ_IRQFD_FLAG_RESAMPLE, r3));
	EXPECT_EQ(-1, irqfd(fd, e1, 1020, 0, -1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, irqfd(fd, e1, PRIV(NR_VCPUS, 23), 0, -1));
	EXPECT_EQ(EINVAL, errno);

	/* SPI edge */
	ASSERT_EQ(8, write(e1, &one, 8));
	ASSERT_TRUE(readable(v[0], 5000));
	EXPECT_EQ(120, ack(v[0]));
	icc_wr(_metadata, v[0], ICC_EOIR1, 120);
	/* PPI on vCPU 1 */
	ASSERT_EQ(8, write(e2, &one, 8));
	ASSERT_TRUE(readable(v[1], 5000));
	EXPECT_EQ(23, ack(v[1]));
	icc_wr(_metadata, v[1], ICC_EOIR1, 23);
	/* level SPI with a resampler: the EOI lowers it, signals r3 */
	ASSERT_EQ(8, write(e3, &one, 8));
	ASSERT_TRUE(readable(v[0], 5000));
	EXPECT_EQ(121, ack(v[0]));
	EXPECT_FALSE(readable(r3, 0));
	icc_wr(_metadata, v[0], ICC_EOIR1, 121);
	ASSERT_TRUE(readable(r3, 5000));
	ASSERT_EQ(8, read(r3, &cnt, 8));
	EXPECT_EQ(1ULL, cnt);
	EXPECT_EQ(0, out(v[0]));
	/* the device still wants service: signal again */
	ASSERT_EQ(8, write(e3, &one, 8));
	ASSERT_TRUE(readable(v[0], 5000));
	EXPECT_EQ(121, ack(v[0]));
	icc_wr(_metadata, v[0], ICC_CTLR, 2);		/* EOImode 1 */
	icc_wr(_metadata, v[0], ICC_EOIR1, 121);
	EXPECT_FALSE(readable(r3, 0));			/* not yet ended */
	icc_wr(_metadata, v[0], ICC_DIR, 121);
	ASSERT_TRUE(readable(r3, 5000));

	ASSERT_EQ(0, irqfd(fd, e1, 120, VIRQ_IRQFD_FLAG_DEASSIGN, -1));
	ASSERT_EQ(0, irqfd(fd, e2, PRIV(1, 23), VIRQ_IRQFD_FLAG_DEASSIGN,
			   -1));
	ASSERT_EQ(0, irqfd(fd, e3, 121, VIRQ_IRQFD_FLAG_DEASSIGN, -1));
	close(e1);
	close(e2);
	close(e3);
	close(r3);
}

/* --- other errnos ---------------------------------------------------------------------- */

TEST_F(gic, ack_and_calls)
{
	struct virq_ack a = { .event = VIRQ_OUT_NMI };
	struct virq_call c = { .nr = VIRQ_GICV3_CALL_LOAD };
	struct virq_routing r = { 0 };

	if (self->skip)
		return;
	EXPECT_EQ(-1, ioctl(self->v[0], VIRQ_VCPU_ACK, &a));
	EXPECT_EQ(EINVAL, errno);
	a.event = 0;
	ASSERT_EQ(0, ioctl(self->v[0], VIRQ_VCPU_ACK, &a));
	EXPECT_EQ((__u64)SPUR, a.id);
	c.args[1] = 1;
	EXPECT_EQ(-1, ioctl(self->v[0], VIRQ_VCPU_CALL, &c));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VIRQ_SET_GSI_ROUTING, &r));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

TEST_HARNESS_MAIN
