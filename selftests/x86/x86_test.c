// SPDX-License-Identifier: GPL-2.0
/*
 * virq x86 family: creation options, GSI routing, IOAPIC level and edge
 * delivery with remote IRR and EOI, the PIC through ExtINT, LAPIC IPIs
 * and timer, MSIs with and without interrupt remapping, irqfd resampling
 * on a level GSI, and save/restore into a fresh instance.
 *
 * The VMM's part is played by the test: it forwards the guest's register
 * accesses with VIRQ_VCPU_ACCESS and takes interrupts with VIRQ_VCPU_ACK,
 * as a VMM does when its vCPU thread exits on an MMIO, MSR or port access
 * and when it injects what poll() announced.
 *
 * Runs inside the project's QEMU guest with virq.ko loaded; skips when
 * /dev/virq is missing or the module has no x86 family.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/virq.h>

#include <kselftest_harness.h>

#define NR_VCPUS	4
#define NR_GSIS		1024
#define LAPIC		VIRQ_X86_LAPIC_DEFAULT_BASE
#define IOAPIC		VIRQ_X86_IOAPIC_DEFAULT_BASE

/* LAPIC register offsets (SDM table 11-1) */
#define APIC_ID		0x20
#define APIC_TPR	0x80
#define APIC_PPR	0xa0
#define APIC_EOI	0xb0
#define APIC_LDR	0xd0
#define APIC_DFR	0xe0
#define APIC_SVR	0xf0
#define APIC_ISR	0x100
#define APIC_TMR	0x180
#define APIC_IRR	0x200
#define APIC_ICR	0x300
#define APIC_ICR2	0x310
#define APIC_LVTT	0x320
#define APIC_LVT0	0x350
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0

/* IOAPIC redirection entry bits */
#define RTE_LEVEL	(1ULL << 15)
#define RTE_REMOTE_IRR	(1ULL << 14)
#define RTE_MASKED	(1ULL << 16)
#define RTE_LOGICAL	(1ULL << 11)

/* --- helpers ------------------------------------------------------------ */

static int xo_create(int fd, __u32 nr_vcpus, __u32 nr_gsis,
		     const struct virq_x86_options *o)
{
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_X86,
		.nr_vcpus = nr_vcpus,
		.nr_sources = nr_gsis,
		.options = (__u64)(uintptr_t)o,
		.options_size = o ? sizeof(*o) : 0,
	};

	return ioctl(fd, VIRQ_CREATE_CHIP, &cfg);
}

static int xo_vcpu(int fd, __u32 index, __u64 apic_id)
{
	struct virq_vcpu_create vc = { .index = index, .arch_id = apic_id };

	return ioctl(fd, VIRQ_CREATE_VCPU, &vc);
}

static int access_(int vfd, __u32 space, __u64 addr, __u32 len, bool write,
		   __u64 *data)
{
	struct virq_access a = {
		.space = space, .addr = addr, .len = len,
		.flags = write ? VIRQ_ACCESS_WRITE : 0,
		.data = write ? *data : 0,
	};
	int ret = ioctl(vfd, VIRQ_VCPU_ACCESS, &a);

	if (!ret && !write)
		*data = a.data;
	return ret;
}

static int mmio_write(int vfd, __u64 addr, __u32 val)
{
	__u64 d = val;

	return access_(vfd, VIRQ_SPACE_MMIO, addr, 4, true, &d);
}

static __u32 mmio_read(int vfd, __u64 addr)
{
	__u64 d = 0xdeadbeef;

	if (access_(vfd, VIRQ_SPACE_MMIO, addr, 4, false, &d))
		return 0xdeadbeef;
	return d;
}

static int pio_write(int vfd, __u16 port, __u8 val)
{
	__u64 d = val;

	return access_(vfd, VIRQ_SPACE_PIO, port, 1, true, &d);
}

static int pio_read(int vfd, __u16 port)
{
	__u64 d = 0;

	if (access_(vfd, VIRQ_SPACE_PIO, port, 1, false, &d))
		return -1;
	return d;
}

static void ioapic_write_rte(int vfd, __u32 pin, __u64 rte)
{
	mmio_write(vfd, IOAPIC, 0x10 + 2 * pin);
	mmio_write(vfd, IOAPIC + 0x10, (__u32)rte);
	mmio_write(vfd, IOAPIC, 0x11 + 2 * pin);
	mmio_write(vfd, IOAPIC + 0x10, rte >> 32);
}

static __u64 ioapic_read_rte(int vfd, __u32 pin)
{
	__u64 lo, hi;

	mmio_write(vfd, IOAPIC, 0x10 + 2 * pin);
	lo = mmio_read(vfd, IOAPIC + 0x10);
	mmio_write(vfd, IOAPIC, 0x11 + 2 * pin);
	hi = mmio_read(vfd, IOAPIC + 0x10);
	return hi << 32 | lo;
}

/* Software-enable a LAPIC (SVR bit 8, spurious vector 0xff) */
static int lapic_enable(int vfd)
{
	return mmio_write(vfd, LAPIC + APIC_SVR, 0x1ff);
}

static long lines(int vfd)
{
	struct virq_vcpu_output out = { 0 };

	if (ioctl(vfd, VIRQ_VCPU_GET_OUTPUT, &out))
		return -1;
	return out.lines;
}

/* INTA: the vector, or -1 */
static long inta(int vfd)
{
	struct virq_ack ack = { 0 };

	if (ioctl(vfd, VIRQ_VCPU_ACK, &ack))
		return -1;
	return ack.id;
}

/* INTA, then the EOI the guest's handler would write */
static long inta_eoi(int vfd)
{
	long v = inta(vfd);

	mmio_write(vfd, LAPIC + APIC_EOI, 0);
	return v;
}

static long ack_event(int vfd, __u32 event)
{
	struct virq_ack ack = { .event = event };

	if (ioctl(vfd, VIRQ_VCPU_ACK, &ack))
		return -1;
	return ack.id;
}

static int line(int fd, __u32 gsi, __u32 op, int *status)
{
	struct virq_irq_line l = { .source = gsi, .op = op };
	int ret = ioctl(fd, VIRQ_IRQ_LINE, &l);

	if (status)
		*status = l.status;
	return ret;
}

static int msi(int fd, __u64 addr, __u32 data, int *status)
{
	struct virq_msi m = {
		.address_lo = (__u32)addr, .address_hi = addr >> 32,
		.data = data,
	};
	int ret = ioctl(fd, VIRQ_SIGNAL_MSI, &m);

	if (status)
		*status = m.status;
	return ret;
}

static short revents(int vfd, int timeout_ms)
{
	struct pollfd p = { .fd = vfd, .events = POLLIN | POLLPRI };

	if (poll(&p, 1, timeout_ms) < 0)
		return -1;
	return p.revents;
}

static int update_route(int fd, __u32 op, const struct virq_route *r)
{
	struct virq_route_update u = { .op = op, .route = *r };

	return ioctl(fd, VIRQ_UPDATE_GSI_ROUTE, &u);
}

static int get_routes(int fd, struct virq_route *e, __u32 *nr)
{
	struct virq_routing rt = { .nr = *nr,
				   .entries = (__u64)(uintptr_t)e };
	int ret = ioctl(fd, VIRQ_GET_GSI_ROUTING, &rt);

	*nr = rt.nr;
	return ret;
}

static bool have_x86(void)
{
	struct virq_api api = { 0 };
	int fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = !ioctl(fd, VIRQ_GET_API, &api) &&
	     (api.families & (1ULL << VIRQ_FAMILY_X86));
	close(fd);
	return ok;
}

/* --- fixture: a default chip (PIC + one 24-pin IOAPIC), 4 vCPUs ------- */

FIXTURE(x86) {
	int fd;
	int vfd[NR_VCPUS];
	bool skip;
};

FIXTURE_SETUP(x86)
{
	int i;

	self->fd = -1;
	self->skip = !have_x86();
	if (self->skip)
		SKIP(return, "no /dev/virq with the x86 family");
	self->fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, xo_create(self->fd, NR_VCPUS, NR_GSIS, NULL));
	for (i = 0; i < NR_VCPUS; i++) {
		self->vfd[i] = xo_vcpu(self->fd, i, i);
		ASSERT_LE(0, self->vfd[i]);
	}
}

FIXTURE_TEARDOWN(x86)
{
	int i;

	if (self->skip)
		return;
	for (i = 0; i < NR_VCPUS; i++)
		close(self->vfd[i]);
	close(self->fd);
}

#define SKIP_IF_SETUP_SKIPPED() do { if (self->skip) return; } while (0)

/* --- creation ----------------------------------------------------------- */

TEST(family_info)
{
	struct virq_family_info info = { .family = VIRQ_FAMILY_X86 };
	int fd;

	if (!have_x86())
		SKIP(return, "no x86 family");
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, VIRQ_GET_FAMILY, &info));
	EXPECT_EQ(sizeof(struct virq_x86_options), info.options_size);
	EXPECT_EQ((__u32)VIRQ_X86_SOURCE_WORD_VERSION, info.source_word_version);
	EXPECT_NE(0ULL, info.features & VIRQ_X86_FEATURE_MULTI_IOAPIC);
	EXPECT_NE(0ULL, info.features & VIRQ_X86_FEATURE_IR);
	close(fd);
}

/* Every option rule, each with its errno, and nothing created */
TEST(options_invalid)
{
	struct virq_x86_options o;
	int fd, i;

	if (!have_x86())
		SKIP(return, "no x86 family");
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);

#define OPT_FAILS(nr_gsis, err) do {					\
		EXPECT_EQ(-1, xo_create(fd, 2, nr_gsis, &o));		\
		EXPECT_EQ(err, errno);					\
	} while (0)
	for (i = 2; i < 32; i++) {
		memset(&o, 0, sizeof(o));
		o.flags = 1U << i;
		OPT_FAILS(64, EINVAL);
	}
	memset(&o, 0, sizeof(o));
	o.padding = 1;
	OPT_FAILS(64, EINVAL);
	memset(&o, 0, sizeof(o));
	o.nr_ioapics = VIRQ_X86_MAX_IOAPICS + 1;
	OPT_FAILS(64, EINVAL);
	memset(&o, 0, sizeof(o));
	o.nr_irtes = 3;				/* not a power of two */
	OPT_FAILS(64, EINVAL);
	o.nr_irtes = VIRQ_X86_MAX_IRTES * 2;
	OPT_FAILS(64, EINVAL);
	memset(&o, 0, sizeof(o));
	o.ioapics[1].nr_pins = 8;		/* beyond nr_ioapics (0) */
	OPT_FAILS(64, EINVAL);
	memset(&o, 0, sizeof(o));
	o.nr_ioapics = 1;
	o.ioapics[0].nr_pins = VIRQ_X86_IOAPIC_MAX_PINS + 1;
	OPT_FAILS(512, EINVAL);
	o.ioapics[0].nr_pins = 24;
	o.ioapics[0].base = 0xfec00100;		/* not page aligned */
	OPT_FAILS(64, EINVAL);
	o.ioapics[0].base = 0;
	o.ioapics[0].id = 16;
	OPT_FAILS(64, EINVAL);
	o.ioapics[0].id = 0;
	o.ioapics[0].gsi_base = 8;		/* IOAPIC 0 starts at GSI 0 */
	OPT_FAILS(64, EINVAL);
	o.ioapics[0].gsi_base = 0;
	OPT_FAILS(16, EINVAL);			/* 24 pins need 24 GSIs */
	/* two IOAPICs: same base, same id, overlapping GSIs */
	o.nr_ioapics = 2;
	o.ioapics[1].nr_pins = 24;
	o.ioapics[1].gsi_base = 24;
	o.ioapics[1].id = 1;
	o.ioapics[1].base = 0xfec00000;
	OPT_FAILS(64, EINVAL);
	o.ioapics[1].base = 0;
	o.ioapics[1].id = 0;
	OPT_FAILS(64, EINVAL);
	o.ioapics[1].id = 1;
	o.ioapics[1].gsi_base = 20;
	OPT_FAILS(64, EINVAL);
	o.ioapics[1].gsi_base = 24;
	OPT_FAILS(40, EINVAL);			/* 24 + 24 > 40 */
	/* and then the valid one */
	EXPECT_EQ(0, xo_create(fd, 2, 64, &o));
#undef OPT_FAILS
	close(fd);
}

/* Default routes as KVM's: 0-15 on PIC and IOAPIC, 16-23 IOAPIC only */
TEST_F(x86, default_routes)
{
	struct virq_route e[64];
	__u32 nr = 64, i, pic = 0, io = 0;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, get_routes(self->fd, e, &nr));
	EXPECT_EQ(16U * 2 + 8, nr);
	for (i = 0; i < nr; i++) {
		ASSERT_EQ((__u32)VIRQ_ROUTE_IRQCHIP, e[i].type);
		if (i)
			EXPECT_LE(e[i - 1].gsi, e[i].gsi);
		if (e[i].u.irqchip.irqchip == VIRQ_X86_IRQCHIP_IOAPIC(0)) {
			EXPECT_EQ(e[i].gsi, e[i].u.irqchip.pin);
			io++;
		} else {
			EXPECT_EQ(e[i].gsi < 8 ? (__u32)VIRQ_X86_IRQCHIP_PIC_MASTER :
				  VIRQ_X86_IRQCHIP_PIC_SLAVE,
				  e[i].u.irqchip.irqchip);
			EXPECT_EQ(e[i].gsi % 8, e[i].u.irqchip.pin);
			pic++;
		}
	}
	EXPECT_EQ(24U, io);
	EXPECT_EQ(16U, pic);
	/* too small a buffer: ENOSPC with the count */
	nr = 3;
	ASSERT_EQ(-1, get_routes(self->fd, e, &nr));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(40U, nr);
}

/* --- routing validation ------------------------------------------------- */

TEST_F(x86, route_invalid)
{
	struct virq_route r = { .gsi = 40, .type = VIRQ_ROUTE_IRQCHIP,
				.u.irqchip = { VIRQ_X86_IRQCHIP_IOAPIC(0), 5 } };
	struct virq_route m = { .gsi = 41, .type = VIRQ_ROUTE_MSI,
				.u.msi = { 0xfee00000, 0, 0x31, 0 } };
	struct virq_routing rt = { .nr = 1, .entries = (__u64)(uintptr_t)&r };
	struct virq_route bad;

	SKIP_IF_SETUP_SKIPPED();
#define UPD_FAILS(op, ent, err) do {					\
		EXPECT_EQ(-1, update_route(self->fd, op, &(ent)));	\
		EXPECT_EQ(err, errno) TH_LOG("%s", #ent);		\
	} while (0)
	bad = r;
	bad.gsi = NR_GSIS;
	UPD_FAILS(VIRQ_ROUTE_OP_ADD, bad, EINVAL);
	bad = r;
	bad.pad = 1;
	UPD_FAILS(VIRQ_ROUTE_OP_ADD, bad, EINVAL);
	bad = r;
	bad.type = 3;
	UPD_FAILS(VIRQ_ROUTE_OP_ADD, bad, EINVAL);
	bad = r;
	bad.flags = VIRQ_ROUTE_FLAG_DEVID;	/* DEVID only on MSI */
	UPD_FAILS(VIRQ_ROUTE_OP_ADD, bad, EINVAL);
	bad = r;
	bad.u.pad[2] = 1;			/* unused word */
	UPD_FAILS(VIRQ_ROUTE_OP_ADD, bad, EINVAL);
	bad = m;
	bad.u.msi.devid = 7;			/* devid without the flag */
	UPD_FAILS(VIRQ_ROUTE_OP_ADD, bad, EINVAL);
	bad = m;
	bad.u.pad[4] = 1;
	UPD_FAILS(VIRQ_ROUTE_OP_ADD, bad, EINVAL);
	bad = r;
	bad.u.irqchip.pin = 24;			/* IOAPIC 0 has 24 pins */
	UPD_FAILS(VIRQ_ROUTE_OP_ADD, bad, EINVAL);
	bad.u.irqchip.irqchip = VIRQ_X86_IRQCHIP_IOAPIC(1);	/* no such */
	bad.u.irqchip.pin = 0;
	UPD_FAILS(VIRQ_ROUTE_OP_ADD, bad, EINVAL);
	bad = r;
	bad.u.irqchip.irqchip = VIRQ_X86_IRQCHIP_PIC_MASTER;
	bad.u.irqchip.pin = 8;
	UPD_FAILS(VIRQ_ROUTE_OP_ADD, bad, EINVAL);
	/* unknown op, flags, CLEAR with more than a gsi */
	UPD_FAILS(0, r, EINVAL);
	UPD_FAILS(VIRQ_ROUTE_OP_CLEAR + 1, r, EINVAL);
	UPD_FAILS(VIRQ_ROUTE_OP_CLEAR, r, EINVAL);
	/* ADD twice: EEXIST; DELETE of what is not there: ENOENT */
	ASSERT_EQ(0, update_route(self->fd, VIRQ_ROUTE_OP_ADD, &r));
	UPD_FAILS(VIRQ_ROUTE_OP_ADD, r, EEXIST);
	bad = m;
	bad.gsi = r.gsi;			/* MSI beside a pin */
	UPD_FAILS(VIRQ_ROUTE_OP_ADD, bad, EEXIST);
	bad = r;
	bad.u.irqchip.pin = 6;			/* a second pin, same irqchip */
	UPD_FAILS(VIRQ_ROUTE_OP_ADD, bad, EEXIST);
	ASSERT_EQ(0, update_route(self->fd, VIRQ_ROUTE_OP_ADD, &m));
	bad = m;
	bad.u.msi.data = 0x32;			/* a second MSI */
	UPD_FAILS(VIRQ_ROUTE_OP_ADD, bad, EEXIST);
	UPD_FAILS(VIRQ_ROUTE_OP_DELETE, bad, ENOENT);
	ASSERT_EQ(0, update_route(self->fd, VIRQ_ROUTE_OP_DELETE, &m));
	UPD_FAILS(VIRQ_ROUTE_OP_DELETE, m, ENOENT);
#undef UPD_FAILS
	/* whole-table SET with one bad entry changes nothing */
	{
		struct virq_route two[2] = { r, r };
		struct virq_route e[64];
		__u32 nr = 64;

		two[1].u.irqchip.pin = 99;
		rt.nr = 2;
		rt.entries = (__u64)(uintptr_t)two;
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SET_GSI_ROUTING, &rt));
		EXPECT_EQ(EINVAL, errno);
		ASSERT_EQ(0, get_routes(self->fd, e, &nr));
		EXPECT_EQ(41U, nr);
		rt.nr = 0xffffffff;
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SET_GSI_ROUTING, &rt));
		EXPECT_EQ(E2BIG, errno);
	}
}

/* --- IOAPIC level delivery, remote IRR, EOI ----------------------------- */

TEST_F(x86, ioapic_level_remote_irr_eoi)
{
	int st;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, lapic_enable(self->vfd[1]));
	/*
	 * GSI 17 -> pin 17 (IOAPIC only: GSIs 0-15 also reach the PIC),
	 * vector 0x35, level, physical destination APIC 1
	 */
	ioapic_write_rte(self->vfd[0], 17, 0x35 | RTE_LEVEL | (1ULL << 56));
	EXPECT_EQ(0x35 | RTE_LEVEL | (1ULL << 56),
		  ioapic_read_rte(self->vfd[0], 17));

	ASSERT_EQ(0, line(self->fd, 17, VIRQ_LINE_SET, &st));
	EXPECT_EQ(1, st);
	EXPECT_EQ(POLLIN, revents(self->vfd[1], 0));
	EXPECT_EQ(0, revents(self->vfd[0], 0));
	EXPECT_NE(0ULL, ioapic_read_rte(self->vfd[0], 17) & RTE_REMOTE_IRR);
	/* asserting again while remote IRR is set coalesces */
	ASSERT_EQ(0, line(self->fd, 17, VIRQ_LINE_SET, &st));
	EXPECT_EQ(VIRQ_STATUS_COALESCED, st);

	EXPECT_EQ(0x35, inta(self->vfd[1]));
	EXPECT_EQ(0, lines(self->vfd[1]) & VIRQ_OUT_INT);
	/* ISR and TMR hold it */
	EXPECT_EQ(1U << (0x35 % 32),
		  mmio_read(self->vfd[1], LAPIC + APIC_ISR + 0x10));
	EXPECT_EQ(1U << (0x35 % 32),
		  mmio_read(self->vfd[1], LAPIC + APIC_TMR + 0x10));

	/* EOI while the line is still high: remote IRR clears, redelivered */
	ASSERT_EQ(0, mmio_write(self->vfd[1], LAPIC + APIC_EOI, 0));
	EXPECT_EQ(POLLIN, revents(self->vfd[1], 0));
	EXPECT_EQ(0x35, inta(self->vfd[1]));
	/* line low, EOI: nothing more */
	ASSERT_EQ(0, line(self->fd, 17, VIRQ_LINE_RESET, &st));
	ASSERT_EQ(0, mmio_write(self->vfd[1], LAPIC + APIC_EOI, 0));
	EXPECT_EQ(0ULL, ioapic_read_rte(self->vfd[0], 17) & RTE_REMOTE_IRR);
	EXPECT_EQ(0, revents(self->vfd[1], 0));
}

/* An edge on a masked pin is lost; unmasking a high level pin delivers */
TEST_F(x86, ioapic_mask)
{
	int st;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, lapic_enable(self->vfd[0]));
	ioapic_write_rte(self->vfd[0], 18, 0x39 | RTE_MASKED);
	ASSERT_EQ(0, line(self->fd, 18, VIRQ_LINE_EDGE, &st));
	EXPECT_EQ(VIRQ_STATUS_MASKED, st);
	ioapic_write_rte(self->vfd[0], 18, 0x39);
	EXPECT_EQ(0, revents(self->vfd[0], 0));

	ioapic_write_rte(self->vfd[0], 19, 0x3a | RTE_LEVEL | RTE_MASKED);
	ASSERT_EQ(0, line(self->fd, 19, VIRQ_LINE_SET, &st));
	EXPECT_EQ(VIRQ_STATUS_MASKED, st);
	EXPECT_EQ(0, revents(self->vfd[0], 0));
	ioapic_write_rte(self->vfd[0], 19, 0x3a | RTE_LEVEL);
	EXPECT_EQ(POLLIN, revents(self->vfd[0], 0));
	EXPECT_EQ(0x3a, inta(self->vfd[0]));
}

/* Lowest priority goes to one vCPU, the one with the lowest TPR */
TEST_F(x86, ioapic_lowest_priority_logical)
{
	int i, st;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < NR_VCPUS; i++) {
		ASSERT_EQ(0, lapic_enable(self->vfd[i]));
		/* flat model, one bit per vCPU */
		mmio_write(self->vfd[i], LAPIC + APIC_DFR, 0xffffffff);
		mmio_write(self->vfd[i], LAPIC + APIC_LDR, (1U << i) << 24);
		mmio_write(self->vfd[i], LAPIC + APIC_TPR, 0x20);
	}
	mmio_write(self->vfd[2], LAPIC + APIC_TPR, 0x00);
	/* lowest priority, logical, to vCPUs 1..3 */
	ioapic_write_rte(self->vfd[0], 20, 0x44 | (1 << 8) | RTE_LOGICAL |
			 (0xeULL << 56));
	ASSERT_EQ(0, line(self->fd, 20, VIRQ_LINE_EDGE, &st));
	EXPECT_EQ(1, st);
	for (i = 0; i < NR_VCPUS; i++)
		EXPECT_EQ(i == 2 ? VIRQ_OUT_INT : 0,
			  lines(self->vfd[i]) & VIRQ_OUT_INT) TH_LOG("%d", i);
	/* fixed, logical, to the same set: all three */
	ioapic_write_rte(self->vfd[0], 20, 0x45 | RTE_LOGICAL | (0xeULL << 56));
	ASSERT_EQ(0, line(self->fd, 20, VIRQ_LINE_EDGE, &st));
	EXPECT_EQ(3, st);
}

/* --- PIC through LINT0 ExtINT ------------------------------------------ */

TEST_F(x86, pic_extint)
{
	int st;

	SKIP_IF_SETUP_SKIPPED();
	/* the usual init: ICW1..4, vectors 0x20/0x28, cascade on IRQ2 */
	ASSERT_EQ(0, pio_write(self->vfd[0], 0x20, 0x11));
	ASSERT_EQ(0, pio_write(self->vfd[0], 0x21, 0x20));
	ASSERT_EQ(0, pio_write(self->vfd[0], 0x21, 0x04));
	ASSERT_EQ(0, pio_write(self->vfd[0], 0x21, 0x01));
	ASSERT_EQ(0, pio_write(self->vfd[0], 0xa0, 0x11));
	ASSERT_EQ(0, pio_write(self->vfd[0], 0xa1, 0x28));
	ASSERT_EQ(0, pio_write(self->vfd[0], 0xa1, 0x02));
	ASSERT_EQ(0, pio_write(self->vfd[0], 0xa1, 0x01));
	ASSERT_EQ(0, pio_write(self->vfd[0], 0x21, 0xf7));	/* only IRQ3 */
	EXPECT_EQ(0xf7, pio_read(self->vfd[0], 0x21));
	/* LINT0 ExtINT, unmasked, on a software-enabled LAPIC */
	ASSERT_EQ(0, lapic_enable(self->vfd[0]));
	ASSERT_EQ(0, mmio_write(self->vfd[0], LAPIC + APIC_LVT0, 0x700));
	/* IOAPIC pin 3 stays masked at reset: only the PIC takes GSI 3 */
	ASSERT_EQ(0, line(self->fd, 3, VIRQ_LINE_EDGE, &st));
	EXPECT_NE(0, lines(self->vfd[0]) & VIRQ_OUT_EXTINT);
	EXPECT_EQ(0, lines(self->vfd[1]) & VIRQ_OUT_EXTINT);
	EXPECT_NE(0, revents(self->vfd[0], 0) & POLLIN);
	EXPECT_EQ(0x23, ack_event(self->vfd[0], VIRQ_OUT_EXTINT));
	EXPECT_EQ(0, lines(self->vfd[0]) & VIRQ_OUT_EXTINT);
	/* ISR (OCW3 read ISR) shows IRQ3 until the EOI */
	ASSERT_EQ(0, pio_write(self->vfd[0], 0x20, 0x0b));
	EXPECT_EQ(0x08, pio_read(self->vfd[0], 0x20));
	ASSERT_EQ(0, pio_write(self->vfd[0], 0x20, 0x20));	/* EOI */
	EXPECT_EQ(0x00, pio_read(self->vfd[0], 0x20));
	/* nothing pending: EAGAIN */
	EXPECT_EQ(-1, ack_event(self->vfd[0], VIRQ_OUT_EXTINT));
	EXPECT_EQ(EAGAIN, errno);
}

/* --- MSIs and IPIs -------------------------------------------------------- */

TEST_F(x86, msi_physical_and_ipi)
{
	int st;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, lapic_enable(self->vfd[2]));
	ASSERT_EQ(0, lapic_enable(self->vfd[3]));
	/* MSI to APIC 2, vector 0x51, edge */
	ASSERT_EQ(0, msi(self->fd, 0xfee00000 | (2 << 12), 0x51, &st));
	EXPECT_EQ(1, st);
	EXPECT_EQ(0x51, inta(self->vfd[2]));
	/* not an MSI address */
	ASSERT_EQ(-1, msi(self->fd, 0xfed00000, 0x51, &st));
	EXPECT_EQ(EINVAL, errno);
	/* an IPI from vCPU 2 to APIC 3: ICR2 then ICR */
	ASSERT_EQ(0, mmio_write(self->vfd[2], LAPIC + APIC_ICR2, 3U << 24));
	ASSERT_EQ(0, mmio_write(self->vfd[2], LAPIC + APIC_ICR, 0x62));
	EXPECT_EQ(0x62, inta(self->vfd[3]));
	/* all-excluding-self NMI: every other vCPU gets an NMI event */
	ASSERT_EQ(0, mmio_write(self->vfd[2], LAPIC + APIC_ICR,
				(3 << 18) | (4 << 8)));
	EXPECT_EQ(0, lines(self->vfd[2]) & VIRQ_OUT_NMI);
	EXPECT_NE(0, lines(self->vfd[0]) & VIRQ_OUT_NMI);
	EXPECT_EQ(POLLPRI, revents(self->vfd[1], 0) & POLLPRI);
	EXPECT_EQ(0, ack_event(self->vfd[1], VIRQ_OUT_NMI));
	EXPECT_EQ(0, lines(self->vfd[1]) & VIRQ_OUT_NMI);
	EXPECT_EQ(-1, ack_event(self->vfd[1], VIRQ_OUT_NMI));
	EXPECT_EQ(EAGAIN, errno);
}

/* x2APIC: ids above 255 through MSRs */
TEST(x2apic_big_ids)
{
	__u64 base, d;
	int fd, v0, v1, st;

	if (!have_x86())
		SKIP(return, "no x86 family");
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xo_create(fd, 2, 64, NULL));
	v0 = xo_vcpu(fd, 0, 300);
	v1 = xo_vcpu(fd, 1, 0x12345);
	ASSERT_LE(0, v0);
	ASSERT_LE(0, v1);
	/* enable x2APIC mode on both: IA32_APIC_BASE bits 11 and 10 */
	ASSERT_EQ(0, access_(v0, VIRQ_SPACE_MSR, 0x1b, 8, false, &base));
	base |= 3 << 10;
	ASSERT_EQ(0, access_(v0, VIRQ_SPACE_MSR, 0x1b, 8, true, &base));
	ASSERT_EQ(0, access_(v1, VIRQ_SPACE_MSR, 0x1b, 8, false, &base));
	base |= 3 << 10;
	ASSERT_EQ(0, access_(v1, VIRQ_SPACE_MSR, 0x1b, 8, true, &base));
	/* ID MSR holds the 32-bit id; the MMIO page is gone */
	ASSERT_EQ(0, access_(v1, VIRQ_SPACE_MSR, 0x802, 8, false, &d));
	EXPECT_EQ(0x12345ULL, d);
	d = 0;
	EXPECT_EQ(-1, access_(v1, VIRQ_SPACE_MMIO, LAPIC + APIC_ID, 4, false,
			      &d));
	EXPECT_EQ(ENXIO, errno);
	d = 0x1ff;
	ASSERT_EQ(0, access_(v1, VIRQ_SPACE_MSR, 0x80f, 8, true, &d));
	/* IPI from 300 to 0x12345 with the 64-bit ICR */
	d = 0x12345ULL << 32 | 0x77;
	ASSERT_EQ(0, access_(v0, VIRQ_SPACE_MSR, 0x830, 8, true, &d));
	EXPECT_EQ(0x77, inta(v1));
	d = 0;
	ASSERT_EQ(0, access_(v1, VIRQ_SPACE_MSR, 0x80b, 8, true, &d));	/* EOI */
	/* an MSI with the high destination bits in address_hi */
	ASSERT_EQ(0, msi(fd, (0x123ULL << 40) | 0xfee00000 | (0x45 << 12),
			 0x78, &st));
	EXPECT_EQ(1, st);
	EXPECT_EQ(0x78, inta(v1));
	close(v0);
	close(v1);
	close(fd);
}

/* --- LAPIC timer ---------------------------------------------------------- */

TEST_F(x86, lapic_timer_oneshot)
{
	struct timespec a, b;
	double ms;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, lapic_enable(self->vfd[0]));
	mmio_write(self->vfd[0], LAPIC + APIC_TDCR, 0xb);	/* divide by 1 */
	mmio_write(self->vfd[0], LAPIC + APIC_LVTT, 0xec);	/* one-shot */
	clock_gettime(CLOCK_MONOTONIC, &a);
	/* 20 ms at 1 ns per bus cycle */
	mmio_write(self->vfd[0], LAPIC + APIC_TMICT, 20000000);
	EXPECT_LT(0U, mmio_read(self->vfd[0], LAPIC + APIC_TMCCT));
	EXPECT_EQ(POLLIN, revents(self->vfd[0], 5000));
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	/* never early; late is fine on a TCG guest */
	EXPECT_LE(19.0, ms) TH_LOG("fired after %.1f ms", ms);
	EXPECT_EQ(0xec, inta(self->vfd[0]));
	EXPECT_EQ(0U, mmio_read(self->vfd[0], LAPIC + APIC_TMCCT));
}

TEST_F(x86, lapic_timer_periodic)
{
	int n;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, lapic_enable(self->vfd[0]));
	mmio_write(self->vfd[0], LAPIC + APIC_TDCR, 0xb);
	mmio_write(self->vfd[0], LAPIC + APIC_LVTT, 0xed | (1 << 17));
	mmio_write(self->vfd[0], LAPIC + APIC_TMICT, 2000000);	/* 2 ms */
	for (n = 0; n < 3; n++) {
		ASSERT_EQ(POLLIN, revents(self->vfd[0], 5000)) TH_LOG("%d", n);
		ASSERT_EQ(0xed, inta(self->vfd[0]));
		ASSERT_EQ(0, mmio_write(self->vfd[0], LAPIC + APIC_EOI, 0));
	}
	/* masking stops the interrupts (the count goes on) */
	mmio_write(self->vfd[0], LAPIC + APIC_LVTT,
		   0xed | (1 << 17) | (1 << 16));
	usleep(20000);
	while (lines(self->vfd[0]) & VIRQ_OUT_INT) {
		inta(self->vfd[0]);
		mmio_write(self->vfd[0], LAPIC + APIC_EOI, 0);
	}
	usleep(20000);
	EXPECT_EQ(0, lines(self->vfd[0]) & VIRQ_OUT_INT);
}

/* --- interrupt remapping -------------------------------------------------- */

static int set_irte(int fd, __u32 index, __u64 lo, __u64 hi)
{
	struct virq_x86_irte e = { .lo = lo, .hi = hi };
	struct virq_attr a = { .group = VIRQ_X86_GRP_IRTE, .attr = index,
			       .addr = (__u64)(uintptr_t)&e,
			       .size = sizeof(e) };

	return ioctl(fd, VIRQ_SET_ATTR, &a);
}

static int get_fault(int fd, struct virq_x86_ir_fault *f)
{
	struct virq_attr a = { .group = VIRQ_X86_GRP_IR_FAULT, .attr = 0,
			       .addr = (__u64)(uintptr_t)f,
			       .size = sizeof(*f) };

	return ioctl(fd, VIRQ_GET_ATTR, &a);
}

TEST(remapping)
{
	struct virq_x86_options o = { .nr_irtes = 64 };
	struct virq_x86_ir_fault f;
	struct virq_attr a;
	__u64 cnt;
	int fd, v[2], efd, st, i;
	/* remappable MSI address for handle h, no subhandle */
#define IR_ADDR(h) (0xfee00000ULL | ((h) & 0x7fff) << 5 | 1 << 4)

	if (!have_x86())
		SKIP(return, "no x86 family");
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xo_create(fd, 2, 64, &o));
	for (i = 0; i < 2; i++) {
		v[i] = xo_vcpu(fd, i, i);
		ASSERT_LE(0, v[i]);
		ASSERT_EQ(0, lapic_enable(v[i]));
	}
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	a = (struct virq_attr){ .group = VIRQ_X86_GRP_IR_FAULT, .attr = 1,
				.addr = (__u64)(uintptr_t)&efd,
				.size = sizeof(efd) };
	ASSERT_EQ(0, ioctl(fd, VIRQ_SET_ATTR, &a));

	/* IRTE 5: present, vector 0x40, fixed, physical, dest APIC 1 */
	ASSERT_EQ(0, set_irte(fd, 5, VIRQ_X86_IRTE_PRESENT |
			      0x40ULL << VIRQ_X86_IRTE_VECTOR_SHIFT |
			      1ULL << VIRQ_X86_IRTE_DEST_SHIFT, 0));
	ASSERT_EQ(0, msi(fd, IR_ADDR(5), 0, &st));
	EXPECT_EQ(1, st);
	EXPECT_EQ(0x40, inta(v[1]));
	EXPECT_EQ(0, lines(v[0]) & VIRQ_OUT_INT);

	/* miss: not present, counted, the eventfd signalled, dropped */
	ASSERT_EQ(0, msi(fd, IR_ADDR(6), 0, &st));
	EXPECT_EQ(VIRQ_STATUS_MASKED, st);
	ASSERT_EQ(0, get_fault(fd, &f));
	EXPECT_EQ(1ULL, f.count);
	EXPECT_EQ((__u32)VIRQ_X86_IR_FAULT_NOT_PRESENT, f.reason);
	EXPECT_EQ(6U, f.index);
	ASSERT_EQ((ssize_t)sizeof(cnt), read(efd, &cnt, sizeof(cnt)));
	EXPECT_EQ(1ULL, cnt);
	/* out of range */
	ASSERT_EQ(0, msi(fd, IR_ADDR(64), 0, &st));
	ASSERT_EQ(0, get_fault(fd, &f));
	EXPECT_EQ(2ULL, f.count);
	EXPECT_EQ((__u32)VIRQ_X86_IR_FAULT_INDEX, f.reason);
	EXPECT_EQ(0, lines(v[0]) & VIRQ_OUT_INT);
	EXPECT_EQ(0, lines(v[1]) & VIRQ_OUT_INT);

	/* source-id check: SVT 1, SID 0x0810 under the full mask */
	ASSERT_EQ(0, set_irte(fd, 7, VIRQ_X86_IRTE_PRESENT |
			      0x41ULL << VIRQ_X86_IRTE_VECTOR_SHIFT,
			      0x0810 | 1ULL << VIRQ_X86_IRTE_SVT_SHIFT));
	{
		struct virq_msi m = { .address_lo = IR_ADDR(7), .data = 0,
				      .flags = VIRQ_MSI_FLAG_DEVID,
				      .devid = 0x0810 };

		ASSERT_EQ(0, ioctl(fd, VIRQ_SIGNAL_MSI, &m));
		EXPECT_EQ(1, m.status);
		EXPECT_EQ(0x41, inta(v[0]));
		m.devid = 0x0811;
		ASSERT_EQ(0, ioctl(fd, VIRQ_SIGNAL_MSI, &m));
		EXPECT_EQ(VIRQ_STATUS_MASKED, m.status);
		ASSERT_EQ(0, get_fault(fd, &f));
		EXPECT_EQ((__u32)VIRQ_X86_IR_FAULT_SID, f.reason);
	}
	/* entry bounds: beyond the table, and not a whole entry */
	EXPECT_EQ(-1, set_irte(fd, 64, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	a = (struct virq_attr){ .group = VIRQ_X86_GRP_IRTE, .attr = 0,
				.addr = (__u64)(uintptr_t)&cnt, .size = 8 };
	EXPECT_EQ(-1, ioctl(fd, VIRQ_SET_ATTR, &a));
	EXPECT_EQ(EINVAL, errno);
#undef IR_ADDR
	close(efd);
	close(v[0]);
	close(v[1]);
	close(fd);
}

/* Without remapping the IRTE groups do not exist */
TEST_F(x86, no_remapping_attrs)
{
	struct virq_attr a = { .group = VIRQ_X86_GRP_IRTE };

	SKIP_IF_SETUP_SKIPPED();
	EXPECT_EQ(-1, ioctl(self->fd, VIRQ_HAS_ATTR, &a));
	EXPECT_EQ(ENXIO, errno);
	a.group = VIRQ_X86_GRP_IR_FAULT;
	EXPECT_EQ(-1, ioctl(self->fd, VIRQ_HAS_ATTR, &a));
	EXPECT_EQ(ENXIO, errno);
	a.group = VIRQ_X86_GRP_IOAPIC;
	EXPECT_EQ(0, ioctl(self->fd, VIRQ_HAS_ATTR, &a));
	a.attr = 1;
	EXPECT_EQ(-1, ioctl(self->fd, VIRQ_HAS_ATTR, &a));
	EXPECT_EQ(ENXIO, errno);
}

/* --- irqfd with resample on a level GSI ------------------------------------ */

TEST_F(x86, irqfd_resample_level)
{
	struct virq_irqfd ifd = { .source = 21,
				  .flags = VIRQ_IRQFD_FLAG_RESAMPLE };
	__u64 one = 1, cnt;
	int efd, rfd;

	SKIP_IF_SETUP_SKIPPED();
	efd = eventfd(0, EFD_CLOEXEC);
	rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	ASSERT_LE(0, rfd);
	ifd.fd = efd;
	ifd.resamplefd = rfd;
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_IRQFD, &ifd));
	ASSERT_EQ(0, lapic_enable(self->vfd[0]));
	ioapic_write_rte(self->vfd[0], 21, 0x3b | RTE_LEVEL);

	ASSERT_EQ((ssize_t)sizeof(one), write(efd, &one, sizeof(one)));
	EXPECT_EQ(POLLIN, revents(self->vfd[0], 1000));
	EXPECT_EQ(0x3b, inta(self->vfd[0]));
	EXPECT_EQ(-1, read(rfd, &cnt, sizeof(cnt)));	/* not yet */
	ASSERT_EQ(0, mmio_write(self->vfd[0], LAPIC + APIC_EOI, 0));
	/* EOI: the line is lowered and the resamplefd signalled */
	ASSERT_EQ((ssize_t)sizeof(cnt), read(rfd, &cnt, sizeof(cnt)));
	EXPECT_EQ(1ULL, cnt);
	EXPECT_EQ(0ULL, ioapic_read_rte(self->vfd[0], 21) & RTE_REMOTE_IRR);
	EXPECT_EQ(0, lines(self->vfd[0]) & VIRQ_OUT_INT);
	/* the device still wants service: it signals again, redelivered */
	ASSERT_EQ((ssize_t)sizeof(one), write(efd, &one, sizeof(one)));
	EXPECT_EQ(POLLIN, revents(self->vfd[0], 1000));
	EXPECT_EQ(0x3b, inta(self->vfd[0]));
	ifd.flags = VIRQ_IRQFD_FLAG_DEASSIGN;
	ifd.resamplefd = 0;
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_IRQFD, &ifd));
	close(efd);
	close(rfd);
}

/* An irqfd on a GSI follows a route change without being reassigned */
TEST_F(x86, irqfd_follows_route_update)
{
	struct virq_irqfd ifd = { .source = 100 };
	struct virq_route r = { .gsi = 100, .type = VIRQ_ROUTE_MSI,
				.u.msi = { 0xfee00000 | (1 << 12), 0, 0x70 } };
	__u64 one = 1;
	int efd;

	SKIP_IF_SETUP_SKIPPED();
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ifd.fd = efd;
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_IRQFD, &ifd));
	ASSERT_EQ(0, lapic_enable(self->vfd[1]));
	ASSERT_EQ(0, lapic_enable(self->vfd[3]));
	ASSERT_EQ(0, update_route(self->fd, VIRQ_ROUTE_OP_REPLACE, &r));
	ASSERT_EQ((ssize_t)sizeof(one), write(efd, &one, sizeof(one)));
	EXPECT_EQ(POLLIN, revents(self->vfd[1], 1000));
	EXPECT_EQ(0x70, inta(self->vfd[1]));
	r.u.msi.address_lo = 0xfee00000 | (3 << 12);
	r.u.msi.data = 0x71;
	ASSERT_EQ(0, update_route(self->fd, VIRQ_ROUTE_OP_REPLACE, &r));
	ASSERT_EQ((ssize_t)sizeof(one), write(efd, &one, sizeof(one)));
	EXPECT_EQ(POLLIN, revents(self->vfd[3], 1000));
	EXPECT_EQ(0x71, inta(self->vfd[3]));
	EXPECT_EQ(0, lines(self->vfd[1]) & VIRQ_OUT_INT);
	close(efd);
}

/* --- concurrent single-entry updates under injection ------------------- */

struct injector {
	int fd;
	__u32 gsi;
	atomic_int stop;
	long sent;
	int err;
};

static void *inject_loop(void *arg)
{
	struct injector *in = arg;
	int st;

	while (!atomic_load(&in->stop)) {
		if (line(in->fd, in->gsi, VIRQ_LINE_EDGE, &st)) {
			in->err = errno;
			break;
		}
		in->sent++;
	}
	return NULL;
}

TEST_F(x86, route_update_under_injection)
{
	struct injector in[2] = { { .fd = self->fd, .gsi = 200 },
				  { .fd = self->fd, .gsi = 200 } };
	struct virq_route r = { .gsi = 200, .type = VIRQ_ROUTE_MSI,
				.u.msi = { 0xfee00000, 0, 0x80 } };
	pthread_t t[2];
	int i;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < NR_VCPUS; i++)
		ASSERT_EQ(0, lapic_enable(self->vfd[i]));
	ASSERT_EQ(0, update_route(self->fd, VIRQ_ROUTE_OP_ADD, &r));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, inject_loop, &in[i]));
	for (i = 0; i < 2000; i++) {
		r.u.msi.address_lo = 0xfee00000 | ((i % NR_VCPUS) << 12);
		r.u.msi.data = 0x80 + i % 16;
		ASSERT_EQ(0, update_route(self->fd, VIRQ_ROUTE_OP_REPLACE,
					  &r));
	}
	for (i = 0; i < 2; i++) {
		atomic_store(&in[i].stop, 1);
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, in[i].err);
		EXPECT_LT(0, in[i].sent);
	}
	TH_LOG("%ld + %ld injections during 2000 updates", in[0].sent,
	       in[1].sent);
}

/* --- save and restore ------------------------------------------------------ */

static int get_attr(int fd, __u32 group, __u64 attr, void *buf, __u32 size)
{
	struct virq_attr a = { .group = group, .attr = attr,
			       .addr = (__u64)(uintptr_t)buf, .size = size };

	return ioctl(fd, VIRQ_GET_ATTR, &a);
}

static int set_attr(int fd, __u32 group, __u64 attr, const void *buf,
		    __u32 size)
{
	struct virq_attr a = { .group = group, .attr = attr,
			       .addr = (__u64)(uintptr_t)buf, .size = size };

	return ioctl(fd, VIRQ_SET_ATTR, &a);
}

static int vget_attr(int vfd, __u32 group, void *buf, __u32 size)
{
	struct virq_attr a = { .group = group,
			       .addr = (__u64)(uintptr_t)buf, .size = size };

	return ioctl(vfd, VIRQ_VCPU_GET_ATTR, &a);
}

static int vset_attr(int vfd, __u32 group, const void *buf, __u32 size)
{
	struct virq_attr a = { .group = group,
			       .addr = (__u64)(uintptr_t)buf, .size = size };

	return ioctl(vfd, VIRQ_VCPU_SET_ATTR, &a);
}

/*
 * Mid-flight: a level interrupt in service (remote IRR, ISR, TMR) and an
 * edge pending in IRR.  Restored into a fresh instance, the EOI clears
 * the remote IRR and redelivers the still-high line, exactly as in the
 * original.
 */
TEST_F(x86, save_restore_mid_flight)
{
	static struct virq_x86_ioapic_state io, io2;
	static struct virq_x86_lapic_state ls, ls2;
	struct virq_x86_pic_state ps;
	__u64 words[32], words2[32];
	struct virq_sources src = { .first = 0, .count = 32,
				    .addr = (__u64)(uintptr_t)words };
	int fd, v[NR_VCPUS], i, st;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, lapic_enable(self->vfd[0]));
	ioapic_write_rte(self->vfd[0], 22, 0x37 | RTE_LEVEL);
	ASSERT_EQ(0, line(self->fd, 22, VIRQ_LINE_SET, &st));
	EXPECT_EQ(0x37, inta(self->vfd[0]));		/* in service */
	ASSERT_EQ(0, msi(self->fd, 0xfee00000, 0x90, &st));	/* pending */

	ASSERT_EQ(0, get_attr(self->fd, VIRQ_X86_GRP_IOAPIC, 0, &io,
			      sizeof(io)));
	EXPECT_EQ((__u32)VIRQ_X86_STATE_VERSION, io.version);
	EXPECT_EQ(24U, io.nr_pins);
	EXPECT_NE(0ULL, io.kvm.redirtbl[22] & RTE_REMOTE_IRR);
	ASSERT_EQ(0, get_attr(self->fd, VIRQ_X86_GRP_PIC, 0, &ps,
			      sizeof(ps)));
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_GET_SOURCES, &src));
	EXPECT_EQ(VIRQ_X86_SRC_LEVEL_USER, words[22]);
	ASSERT_EQ(0, vget_attr(self->vfd[0], VIRQ_X86_VGRP_LAPIC, &ls,
			       sizeof(ls)));

	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xo_create(fd, NR_VCPUS, NR_GSIS, NULL));
	for (i = 0; i < NR_VCPUS; i++) {
		v[i] = xo_vcpu(fd, i, i);
		ASSERT_LE(0, v[i]);
	}
	ASSERT_EQ(0, set_attr(fd, VIRQ_X86_GRP_PIC, 0, &ps, sizeof(ps)));
	ASSERT_EQ(0, set_attr(fd, VIRQ_X86_GRP_IOAPIC, 0, &io, sizeof(io)));
	ASSERT_EQ(0, vset_attr(v[0], VIRQ_X86_VGRP_LAPIC, &ls, sizeof(ls)));
	ASSERT_EQ(0, ioctl(fd, VIRQ_SET_SOURCES, &src));
	/* same state read back */
	ASSERT_EQ(0, get_attr(fd, VIRQ_X86_GRP_IOAPIC, 0, &io2, sizeof(io2)));
	EXPECT_EQ(0, memcmp(&io, &io2, sizeof(io)));
	ASSERT_EQ(0, vget_attr(v[0], VIRQ_X86_VGRP_LAPIC, &ls2, sizeof(ls2)));
	EXPECT_EQ(0, memcmp(ls.regs, ls2.regs, sizeof(ls.regs)));
	src.addr = (__u64)(uintptr_t)words2;
	ASSERT_EQ(0, ioctl(fd, VIRQ_GET_SOURCES, &src));
	EXPECT_EQ(0, memcmp(words, words2, sizeof(words)));

	/* both continue the same way: 0x90 first (higher class) */
	for (i = 0; i < 2; i++) {
		int vf = i ? v[0] : self->vfd[0];

		EXPECT_EQ(0x90, inta(vf)) TH_LOG("instance %d", i);
		ASSERT_EQ(0, mmio_write(vf, LAPIC + APIC_EOI, 0));
		/* the EOI of 0x37 redelivers the still-high line */
		ASSERT_EQ(0, mmio_write(vf, LAPIC + APIC_EOI, 0));
		EXPECT_EQ(0x37, inta(vf)) TH_LOG("instance %d", i);
	}
	for (i = 0; i < NR_VCPUS; i++)
		close(v[i]);
	close(fd);
}

TEST_F(x86, state_invalid)
{
	static struct virq_x86_ioapic_state io, bad;
	static struct virq_x86_lapic_state ls, lbad;
	struct virq_x86_pic_state ps, pbad;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, get_attr(self->fd, VIRQ_X86_GRP_IOAPIC, 0, &io,
			      sizeof(io)));
	bad = io;
	bad.version = 99;
	EXPECT_EQ(-1, set_attr(self->fd, VIRQ_X86_GRP_IOAPIC, 0, &bad,
			       sizeof(bad)));
	EXPECT_EQ(EINVAL, errno);
	bad = io;
	bad.nr_pins = 48;
	EXPECT_EQ(-1, set_attr(self->fd, VIRQ_X86_GRP_IOAPIC, 0, &bad,
			       sizeof(bad)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_attr(self->fd, VIRQ_X86_GRP_IOAPIC, 0, &io, 8));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_attr(self->fd, VIRQ_X86_GRP_IOAPIC, 1, &io,
			       sizeof(io)));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, get_attr(self->fd, VIRQ_X86_GRP_IOAPIC, 0, &io, 16));
	EXPECT_EQ(ENOSPC, errno);

	ASSERT_EQ(0, get_attr(self->fd, VIRQ_X86_GRP_PIC, 0, &ps,
			      sizeof(ps)));
	pbad = ps;
	pbad.padding = 1;
	EXPECT_EQ(-1, set_attr(self->fd, VIRQ_X86_GRP_PIC, 0, &pbad,
			       sizeof(pbad)));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, vget_attr(self->vfd[0], VIRQ_X86_VGRP_LAPIC, &ls,
			       sizeof(ls)));
	lbad = ls;
	lbad.version = 0;
	EXPECT_EQ(-1, vset_attr(self->vfd[0], VIRQ_X86_VGRP_LAPIC, &lbad,
				sizeof(lbad)));
	EXPECT_EQ(EINVAL, errno);
	lbad = ls;
	lbad.padding = 1;
	EXPECT_EQ(-1, vset_attr(self->vfd[0], VIRQ_X86_VGRP_LAPIC, &lbad,
				sizeof(lbad)));
	EXPECT_EQ(EINVAL, errno);
	/* nothing changed */
	EXPECT_EQ(0, vset_attr(self->vfd[0], VIRQ_X86_VGRP_LAPIC, &ls,
			       sizeof(ls)));
	/* source words: only the two driver bits */
	{
		__u64 w = 4;
		struct virq_sources src = { .first = 0, .count = 1,
					    .addr = (__u64)(uintptr_t)&w };

		EXPECT_EQ(-1, ioctl(self->fd, VIRQ_SET_SOURCES, &src));
		EXPECT_EQ(EINVAL, errno);
	}
}

/*
 * VIRQ_GET_CHIP gives the options back as created (gsi_base 0 of IOAPIC 1
 * stays 0: defaults are not resolved), into buffers of every size.
 */
TEST(get_chip_options)
{
	struct virq_x86_options o = { .nr_ioapics = 2, .nr_irtes = 16 }, got;
	struct virq_chip_config out;
	unsigned char big[sizeof(o) + 64];
	int fd;

	if (!have_x86())
		SKIP(return, "no x86 family");
	o.flags = VIRQ_X86_OPT_DIRECTED_EOI;
	o.ioapics[0].nr_pins = 24;
	o.ioapics[1].nr_pins = 32;
	o.ioapics[1].id = 3;
	o.ioapics[1].base = 0xfec20000;
	o.ioapics[1].source_id = 0xf0f8;
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xo_create(fd, 2, 64, &o));

	memset(&got, 0xaa, sizeof(got));
	out = (struct virq_chip_config){
		.options = (__u64)(uintptr_t)&got, .options_size = sizeof(got),
	};
	ASSERT_EQ(0, ioctl(fd, VIRQ_GET_CHIP, &out));
	EXPECT_EQ((__u32)VIRQ_FAMILY_X86, out.family);
	EXPECT_EQ(2U, out.nr_vcpus);
	EXPECT_EQ(64U, out.nr_sources);
	EXPECT_EQ(sizeof(o), out.options_size);
	EXPECT_EQ(0, memcmp(&o, &got, sizeof(o)));

	/* larger buffer: zeroes beyond the struct */
	memset(big, 0xaa, sizeof(big));
	out = (struct virq_chip_config){
		.options = (__u64)(uintptr_t)big, .options_size = sizeof(big),
	};
	ASSERT_EQ(0, ioctl(fd, VIRQ_GET_CHIP, &out));
	EXPECT_EQ(0, memcmp(&o, big, sizeof(o)));
	EXPECT_EQ(0, big[sizeof(o)]);
	EXPECT_EQ(0, big[sizeof(big) - 1]);

	/* smaller: fine while what is cut off is zero (IOAPICs 2 and up) */
	memset(&got, 0, sizeof(got));
	out = (struct virq_chip_config){
		.options = (__u64)(uintptr_t)&got,
		.options_size = offsetof(struct virq_x86_options, ioapics[2]),
	};
	ASSERT_EQ(0, ioctl(fd, VIRQ_GET_CHIP, &out));
	EXPECT_EQ(0, memcmp(&o, &got, sizeof(o)));
	out.options_size = offsetof(struct virq_x86_options, ioapics[1]);
	ASSERT_EQ(-1, ioctl(fd, VIRQ_GET_CHIP, &out));
	EXPECT_EQ(E2BIG, errno);
	close(fd);

	/* created without options: all zero */
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xo_create(fd, 1, 24, NULL));
	memset(&got, 0xaa, sizeof(got));
	out = (struct virq_chip_config){
		.options = (__u64)(uintptr_t)&got, .options_size = sizeof(got),
	};
	ASSERT_EQ(0, ioctl(fd, VIRQ_GET_CHIP, &out));
	memset(&o, 0, sizeof(o));
	EXPECT_EQ(0, memcmp(&o, &got, sizeof(o)));
	close(fd);
}

/* Several IOAPICs, one with 240 pins, GSIs routed by their gsi_base */
TEST(multi_ioapic)
{
	struct virq_x86_options o = { .nr_ioapics = 2 };
	int fd, v, st;
	__u64 d;

	if (!have_x86())
		SKIP(return, "no x86 family");
	o.ioapics[0].nr_pins = 24;
	o.ioapics[1].nr_pins = 240;
	o.ioapics[1].gsi_base = 24;
	o.ioapics[1].id = 1;
	o.ioapics[1].base = 0xfec10000;
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xo_create(fd, 1, 512, &o));
	v = xo_vcpu(fd, 0, 0);
	ASSERT_LE(0, v);
	ASSERT_EQ(0, lapic_enable(v));
	/* version register: 240 pins -> max redirection entry 239 */
	ASSERT_EQ(0, mmio_write(v, 0xfec10000, 1));
	EXPECT_EQ(0x20U | (239 << 16), mmio_read(v, 0xfec10000 + 0x10));
	/* pin 200 of IOAPIC 1 is GSI 224 */
	ASSERT_EQ(0, mmio_write(v, 0xfec10000, 0x10 + 2 * 200));
	ASSERT_EQ(0, mmio_write(v, 0xfec10000 + 0x10, 0xa4));
	ASSERT_EQ(0, mmio_write(v, 0xfec10000, 0x11 + 2 * 200));
	ASSERT_EQ(0, mmio_write(v, 0xfec10000 + 0x10, 0));
	ASSERT_EQ(0, line(fd, 224, VIRQ_LINE_EDGE, &st));
	EXPECT_EQ(1, st);
	EXPECT_EQ(0xa4, inta(v));
	/* nothing at a hole between the windows */
	d = 0;
	EXPECT_EQ(-1, access_(v, VIRQ_SPACE_MMIO, 0xfec08000, 4, false, &d));
	EXPECT_EQ(ENXIO, errno);
	close(v);
	close(fd);
}

/* --- more delivery modes ------------------------------------------------- */

/* xAPIC cluster model: cluster in LDR 31:28, member bits 27:24 */
TEST_F(x86, logical_cluster)
{
	int i, st;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < NR_VCPUS; i++) {
		ASSERT_EQ(0, lapic_enable(self->vfd[i]));
		mmio_write(self->vfd[i], LAPIC + APIC_DFR, 0x0fffffff);
		/* vCPUs 0,1 in cluster 1; 2,3 in cluster 2 */
		mmio_write(self->vfd[i], LAPIC + APIC_LDR,
			   ((1U + i / 2) << 28) | ((1U << (i % 2)) << 24));
	}
	EXPECT_EQ(0x0fffffffU, mmio_read(self->vfd[0], LAPIC + APIC_DFR));
	/* cluster 2, member bit 1: vCPU 3 only */
	ASSERT_EQ(0, msi(self->fd, 0xfee00000 | (0x22 << 12) | (1 << 2),
			 0x61, &st));
	EXPECT_EQ(1, st);
	for (i = 0; i < NR_VCPUS; i++)
		EXPECT_EQ(i == 3 ? VIRQ_OUT_INT : 0,
			  lines(self->vfd[i]) & VIRQ_OUT_INT) TH_LOG("%d", i);
	EXPECT_EQ(0x61, inta(self->vfd[3]));
	/* cluster 1, both members */
	ASSERT_EQ(0, msi(self->fd, 0xfee00000 | (0x13 << 12) | (1 << 2),
			 0x62, &st));
	EXPECT_EQ(2, st);
	EXPECT_EQ(0x62, inta(self->vfd[0]));
	EXPECT_EQ(0x62, inta(self->vfd[1]));
}

/* Every ICR shorthand, and the physical broadcast */
TEST_F(x86, ipi_shorthands)
{
	int i;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < NR_VCPUS; i++)
		ASSERT_EQ(0, lapic_enable(self->vfd[i]));
	/* self */
	ASSERT_EQ(0, mmio_write(self->vfd[1], LAPIC + APIC_ICR,
				(1 << 18) | 0x71));
	for (i = 0; i < NR_VCPUS; i++)
		EXPECT_EQ(i == 1 ? VIRQ_OUT_INT : 0,
			  lines(self->vfd[i]) & VIRQ_OUT_INT) TH_LOG("%d", i);
	EXPECT_EQ(0x71, inta_eoi(self->vfd[1]));
	/* all including self */
	ASSERT_EQ(0, mmio_write(self->vfd[1], LAPIC + APIC_ICR,
				(2 << 18) | 0x72));
	for (i = 0; i < NR_VCPUS; i++)
		EXPECT_EQ(0x72, inta_eoi(self->vfd[i])) TH_LOG("%d", i);
	/* all excluding self */
	ASSERT_EQ(0, mmio_write(self->vfd[1], LAPIC + APIC_ICR,
				(3 << 18) | 0x73));
	for (i = 0; i < NR_VCPUS; i++)
		EXPECT_EQ(i == 1 ? 0xff : 0x73, inta(self->vfd[i]))
			TH_LOG("%d", i);
	for (i = 0; i < NR_VCPUS; i++)
		if (i != 1)
			mmio_write(self->vfd[i], LAPIC + APIC_EOI, 0);
	/* no shorthand, physical destination 0xff: broadcast */
	ASSERT_EQ(0, mmio_write(self->vfd[2], LAPIC + APIC_ICR2, 0xffU << 24));
	ASSERT_EQ(0, mmio_write(self->vfd[2], LAPIC + APIC_ICR, 0x74));
	for (i = 0; i < NR_VCPUS; i++)
		EXPECT_EQ(0x74, inta_eoi(self->vfd[i])) TH_LOG("%d", i);
}

/* INIT then SIPI to an AP: distinct events, the SIPI vector reported */
TEST_F(x86, init_sipi)
{
	struct virq_vcpu_output out = { 0 };

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, lapic_enable(self->vfd[0]));
	ASSERT_EQ(0, mmio_write(self->vfd[0], LAPIC + APIC_ICR2, 2U << 24));
	ASSERT_EQ(0, mmio_write(self->vfd[0], LAPIC + APIC_ICR,
				(5 << 8) | (1 << 14)));		/* INIT assert */
	EXPECT_EQ(VIRQ_OUT_INIT, lines(self->vfd[2]) & VIRQ_OUT_EVENTS);
	EXPECT_EQ(POLLPRI, revents(self->vfd[2], 0) & POLLPRI);
	/* a SIPI before the INIT is taken waits */
	ASSERT_EQ(0, ack_event(self->vfd[2], VIRQ_OUT_INIT));
	EXPECT_EQ(0, lines(self->vfd[2]) & VIRQ_OUT_EVENTS);
	ASSERT_EQ(0, mmio_write(self->vfd[0], LAPIC + APIC_ICR,
				(6 << 8) | 0x9a));		/* SIPI */
	ASSERT_EQ(0, ioctl(self->vfd[2], VIRQ_VCPU_GET_OUTPUT, &out));
	EXPECT_EQ((__u32)VIRQ_OUT_SIPI, out.lines & VIRQ_OUT_EVENTS);
	EXPECT_EQ(0x9aU, out.sipi_vector);
	EXPECT_EQ(0x9a, ack_event(self->vfd[2], VIRQ_OUT_SIPI));
	EXPECT_EQ(0, lines(self->vfd[2]) & VIRQ_OUT_EVENTS);
	EXPECT_EQ(-1, ack_event(self->vfd[2], VIRQ_OUT_SIPI));
	EXPECT_EQ(EAGAIN, errno);
	/* no other vCPU saw anything */
	EXPECT_EQ(0, lines(self->vfd[1]) & VIRQ_OUT_EVENTS);
}

static void pic_init(int vfd, __u8 icw4)
{
	pio_write(vfd, 0x20, 0x11);
	pio_write(vfd, 0x21, 0x20);
	pio_write(vfd, 0x21, 0x04);
	pio_write(vfd, 0x21, icw4);
	pio_write(vfd, 0xa0, 0x11);
	pio_write(vfd, 0xa1, 0x28);
	pio_write(vfd, 0xa1, 0x02);
	pio_write(vfd, 0xa1, icw4);
}

/* A slave IRQ through the cascade; poll mode; automatic EOI */
TEST_F(x86, pic_cascade_poll_auto_eoi)
{
	int st;

	SKIP_IF_SETUP_SKIPPED();
	pic_init(self->vfd[0], 0x01);
	ASSERT_EQ(0, lapic_enable(self->vfd[0]));
	ASSERT_EQ(0, mmio_write(self->vfd[0], LAPIC + APIC_LVT0, 0x700));
	/* GSI 10: slave IR2 -> master IR2 -> vector 0x2a */
	ASSERT_EQ(0, line(self->fd, 10, VIRQ_LINE_EDGE, &st));
	EXPECT_NE(0, lines(self->vfd[0]) & VIRQ_OUT_EXTINT);
	EXPECT_EQ(0x2a, ack_event(self->vfd[0], VIRQ_OUT_EXTINT));
	/* both ISRs hold it until both EOIs */
	ASSERT_EQ(0, pio_write(self->vfd[0], 0xa0, 0x0b));
	EXPECT_EQ(0x04, pio_read(self->vfd[0], 0xa0));
	ASSERT_EQ(0, pio_write(self->vfd[0], 0x20, 0x0b));
	EXPECT_EQ(0x04, pio_read(self->vfd[0], 0x20));
	ASSERT_EQ(0, pio_write(self->vfd[0], 0xa0, 0x20));
	ASSERT_EQ(0, pio_write(self->vfd[0], 0x20, 0x20));
	EXPECT_EQ(0x00, pio_read(self->vfd[0], 0x20));

	/* poll mode: the read is the INTA: 0x80 | level */
	ASSERT_EQ(0, line(self->fd, 5, VIRQ_LINE_EDGE, &st));
	ASSERT_EQ(0, pio_write(self->vfd[0], 0x20, 0x0c));	/* OCW3 P */
	EXPECT_EQ(0x85, pio_read(self->vfd[0], 0x20));
	ASSERT_EQ(0, pio_write(self->vfd[0], 0x20, 0x0b));
	EXPECT_EQ(0x20, pio_read(self->vfd[0], 0x20));		/* ISR 5 */
	ASSERT_EQ(0, pio_write(self->vfd[0], 0x20, 0x20));

	/* automatic EOI (ICW4 0x03): ISR stays clear after INTA */
	pic_init(self->vfd[0], 0x03);
	ASSERT_EQ(0, line(self->fd, 6, VIRQ_LINE_EDGE, &st));
	EXPECT_EQ(0x26, ack_event(self->vfd[0], VIRQ_OUT_EXTINT));
	ASSERT_EQ(0, pio_write(self->vfd[0], 0x20, 0x0b));
	EXPECT_EQ(0x00, pio_read(self->vfd[0], 0x20));
}

/* TSC-deadline mode against the guest TSC the VMM describes */
TEST_F(x86, lapic_timer_tsc_deadline)
{
	struct virq_x86_tsc tsc = { .tsc_khz = 1000000, .offset = 0 };
	struct virq_attr a = { .group = VIRQ_X86_VGRP_TSC,
			       .addr = (__u64)(uintptr_t)&tsc,
			       .size = sizeof(tsc) };
	struct timespec now;
	__u64 deadline, d;

	SKIP_IF_SETUP_SKIPPED();
	/* 1 GHz, offset 0: the guest TSC is CLOCK_MONOTONIC in ns */
	ASSERT_EQ(0, ioctl(self->vfd[0], VIRQ_VCPU_SET_ATTR, &a));
	tsc.tsc_khz = 20000000;				/* 20 GHz: refused */
	EXPECT_EQ(-1, ioctl(self->vfd[0], VIRQ_VCPU_SET_ATTR, &a));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, lapic_enable(self->vfd[0]));
	mmio_write(self->vfd[0], LAPIC + APIC_LVTT, 0xee | (2 << 17));
	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = now.tv_sec * 1000000000ULL + now.tv_nsec + 20000000;
	ASSERT_EQ(0, access_(self->vfd[0], VIRQ_SPACE_MSR, 0x6e0, 8, true,
			     &deadline));
	ASSERT_EQ(0, access_(self->vfd[0], VIRQ_SPACE_MSR, 0x6e0, 8, false,
			     &d));
	EXPECT_EQ(deadline, d);
	EXPECT_EQ(POLLIN, revents(self->vfd[0], 5000));
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* never early */
	EXPECT_LE(deadline, now.tv_sec * 1000000000ULL + now.tv_nsec);
	EXPECT_EQ(0xee, inta(self->vfd[0]));
	/* it fired once: the MSR reads 0 */
	ASSERT_EQ(0, access_(self->vfd[0], VIRQ_SPACE_MSR, 0x6e0, 8, false,
			     &d));
	EXPECT_EQ(0ULL, d);
}

/*
 * Multi-message MSI through remapping: the device puts the message
 * number in the low data bits (the subhandle), each IRTE sends it to a
 * different vCPU.
 */
TEST(multi_message_msi_remapped)
{
	struct virq_x86_options o = { .nr_irtes = 32 };
	int fd, v[NR_VCPUS], i, st;

	if (!have_x86())
		SKIP(return, "no x86 family");
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xo_create(fd, NR_VCPUS, 64, &o));
	for (i = 0; i < NR_VCPUS; i++) {
		v[i] = xo_vcpu(fd, i, i);
		ASSERT_LE(0, v[i]);
		ASSERT_EQ(0, lapic_enable(v[i]));
		/* IRTE 8 + i: vector 0xb0 + i to APIC (3 - i) */
		ASSERT_EQ(0, set_irte(fd, 8 + i, VIRQ_X86_IRTE_PRESENT |
				      (0xb0ULL + i) << VIRQ_X86_IRTE_VECTOR_SHIFT |
				      (3ULL - i) << VIRQ_X86_IRTE_DEST_SHIFT,
				      0));
	}
	/* handle 8, SHV: index = 8 + data[15:0] */
	for (i = 0; i < NR_VCPUS; i++) {
		ASSERT_EQ(0, msi(fd, 0xfee00000 | 8 << 5 | 1 << 4 | 1 << 3, i,
				 &st));
		EXPECT_EQ(1, st);
	}
	for (i = 0; i < NR_VCPUS; i++)
		EXPECT_EQ(0xb0 + 3 - i, inta(v[i])) TH_LOG("vCPU %d", i);
	/* and without remapping, the vector carries the message number */
	ASSERT_EQ(0, msi(fd, 0xfee00000 | 1 << 12, 0xc0 | 3, &st));
	EXPECT_EQ(0xc3, inta(v[1]));
	for (i = 0; i < NR_VCPUS; i++)
		close(v[i]);
	close(fd);
}

/* One GSI to two pins: both get it, the status counts both */
TEST_F(x86, route_fan_out)
{
	struct virq_route io = { .gsi = 500, .type = VIRQ_ROUTE_IRQCHIP,
				 .u.irqchip = { VIRQ_X86_IRQCHIP_IOAPIC(0),
						23 } };
	struct virq_route pic = { .gsi = 500, .type = VIRQ_ROUTE_IRQCHIP,
				  .u.irqchip = { VIRQ_X86_IRQCHIP_PIC_MASTER,
						 4 } };
	struct virq_route clr = { .gsi = 500 };
	struct virq_route e[64];
	__u32 nr = 64;
	int st;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, update_route(self->fd, VIRQ_ROUTE_OP_ADD, &io));
	ASSERT_EQ(0, update_route(self->fd, VIRQ_ROUTE_OP_ADD, &pic));
	ASSERT_EQ(0, get_routes(self->fd, e, &nr));
	EXPECT_EQ(42U, nr);
	EXPECT_EQ(500U, e[nr - 1].gsi);
	EXPECT_EQ(500U, e[nr - 2].gsi);
	pic_init(self->vfd[0], 0x01);
	ASSERT_EQ(0, lapic_enable(self->vfd[0]));
	ASSERT_EQ(0, mmio_write(self->vfd[0], LAPIC + APIC_LVT0, 0x700));
	ioapic_write_rte(self->vfd[0], 23, 0x57);
	ASSERT_EQ(0, line(self->fd, 500, VIRQ_LINE_EDGE, &st));
	EXPECT_EQ(2, st);
	EXPECT_EQ(VIRQ_OUT_INT | VIRQ_OUT_EXTINT,
		  lines(self->vfd[0]) & (VIRQ_OUT_INT | VIRQ_OUT_EXTINT));
	EXPECT_EQ(0x57, inta(self->vfd[0]));
	EXPECT_EQ(0x24, ack_event(self->vfd[0], VIRQ_OUT_EXTINT));
	/* CLEAR: the GSI goes nowhere */
	ASSERT_EQ(0, update_route(self->fd, VIRQ_ROUTE_OP_CLEAR, &clr));
	ASSERT_EQ(0, line(self->fd, 500, VIRQ_LINE_EDGE, &st));
	EXPECT_EQ(VIRQ_STATUS_MASKED, st);
}

/* Directed EOI: the LAPIC EOI leaves remote IRR, the IOAPIC EOI clears it */
TEST(directed_eoi)
{
	struct virq_x86_options o = { .flags = VIRQ_X86_OPT_DIRECTED_EOI };
	int fd, v, st;

	if (!have_x86())
		SKIP(return, "no x86 family");
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xo_create(fd, 1, 64, &o));
	v = xo_vcpu(fd, 0, 0);
	ASSERT_LE(0, v);
	/* version register advertises it; SVR bit 12 suppresses broadcast */
	EXPECT_NE(0U, mmio_read(v, LAPIC + 0x30) & (1U << 24));
	ASSERT_EQ(0, mmio_write(v, LAPIC + APIC_SVR, 0x11ff));
	EXPECT_EQ(0x11ffU, mmio_read(v, LAPIC + APIC_SVR));
	ioapic_write_rte(v, 16, 0x46 | RTE_LEVEL);
	ASSERT_EQ(0, line(fd, 16, VIRQ_LINE_SET, &st));
	ASSERT_EQ(0, line(fd, 16, VIRQ_LINE_RESET, &st));
	EXPECT_EQ(0x46, inta(v));
	ASSERT_EQ(0, mmio_write(v, LAPIC + APIC_EOI, 0));
	EXPECT_NE(0ULL, ioapic_read_rte(v, 16) & RTE_REMOTE_IRR);
	ASSERT_EQ(0, mmio_write(v, IOAPIC + 0x40, 0x46));
	EXPECT_EQ(0ULL, ioapic_read_rte(v, 16) & RTE_REMOTE_IRR);
	close(v);
	close(fd);
}

/* A batch through VIRQ_IRQ_LINES, each entry's status written back */
TEST_F(x86, irq_lines_batch)
{
	struct virq_irq_line l[3] = {
		{ .source = 16, .op = VIRQ_LINE_EDGE },
		{ .source = 17, .op = VIRQ_LINE_EDGE },
		{ .source = 999, .op = VIRQ_LINE_EDGE },	/* no route */
	};
	struct virq_irq_lines b = { .count = 3,
				    .lines = (__u64)(uintptr_t)l };

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, lapic_enable(self->vfd[0]));
	ioapic_write_rte(self->vfd[0], 16, 0x66);
	ioapic_write_rte(self->vfd[0], 17, 0x67 | RTE_MASKED);
	ASSERT_EQ(3, ioctl(self->fd, VIRQ_IRQ_LINES, &b));
	EXPECT_EQ(1, l[0].status);
	EXPECT_EQ(VIRQ_STATUS_MASKED, l[1].status);
	EXPECT_EQ(VIRQ_STATUS_MASKED, l[2].status);
	EXPECT_EQ(0x66, inta(self->vfd[0]));
}

/* --- review fixes ---------------------------------------------------------- */

/*
 * A remapping fault reached from an irqfd wakeup: the eventfd write that
 * runs the wakeup has current->in_eventfd set, so the fault eventfd must
 * be signalled later (a work item), not nested (eventfd_signal() WARNs
 * and drops it).  Both remapping paths: an MSI route, and a remappable
 * IOAPIC entry.  The guest runner fails the run on any WARN.
 */
TEST(ir_fault_from_irqfd_wakeup)
{
	struct virq_x86_options o = { .nr_irtes = 64 };
	struct virq_route r = { .gsi = 40, .type = VIRQ_ROUTE_MSI };
	struct virq_irqfd ifd = { .source = 40 };
	struct pollfd p = { .events = POLLIN };
	struct virq_x86_ir_fault f;
	__u64 one = 1, cnt;
	int fd, v, efd, tfd, efd_none;

	if (!have_x86())
		SKIP(return, "no x86 family");
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xo_create(fd, 1, 64, &o));
	v = xo_vcpu(fd, 0, 0);
	ASSERT_LE(0, v);
	ASSERT_EQ(0, lapic_enable(v));
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, set_attr(fd, VIRQ_X86_GRP_IR_FAULT, 1, &efd,
			      sizeof(efd)));
	p.fd = efd;

	/* GSI 40: a remappable MSI to handle 6, whose IRTE is not present */
	r.u.msi.address_lo = 0xfee00000 | 6 << 5 | 1 << 4;
	ASSERT_EQ(0, update_route(fd, VIRQ_ROUTE_OP_ADD, &r));
	tfd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, tfd);
	ifd.fd = tfd;
	ASSERT_EQ(0, ioctl(fd, VIRQ_IRQFD, &ifd));
	ASSERT_EQ((ssize_t)sizeof(one), write(tfd, &one, sizeof(one)));
	ASSERT_EQ(1, poll(&p, 1, 10000));
	ASSERT_EQ((ssize_t)sizeof(cnt), read(efd, &cnt, sizeof(cnt)));
	EXPECT_EQ(1ULL, cnt);
	ASSERT_EQ(0, get_fault(fd, &f));
	EXPECT_EQ(1ULL, f.count);
	EXPECT_EQ((__u32)VIRQ_X86_IR_FAULT_NOT_PRESENT, f.reason);
	EXPECT_EQ(6U, f.index);
	EXPECT_EQ(0, lines(v) & VIRQ_OUT_INT);

	/* GSI 5: IOAPIC pin 5, remappable entry with index 9 (not present) */
	ioapic_write_rte(v, 5, 1ULL << 48 | 9ULL << 49);
	ifd.flags = VIRQ_IRQFD_FLAG_DEASSIGN;
	ASSERT_EQ(0, ioctl(fd, VIRQ_IRQFD, &ifd));
	ifd.flags = 0;
	ifd.source = 5;
	ASSERT_EQ(0, ioctl(fd, VIRQ_IRQFD, &ifd));
	ASSERT_EQ((ssize_t)sizeof(one), write(tfd, &one, sizeof(one)));
	ASSERT_EQ(1, poll(&p, 1, 10000));
	ASSERT_EQ((ssize_t)sizeof(cnt), read(efd, &cnt, sizeof(cnt)));
	EXPECT_EQ(1ULL, cnt);
	ASSERT_EQ(0, get_fault(fd, &f));
	EXPECT_EQ(2ULL, f.count);
	EXPECT_EQ(9U, f.index);
	EXPECT_EQ(0, lines(v) & VIRQ_OUT_INT);

	/* Removing the fault eventfd, then closing, leaves nothing behind */
	efd_none = -1;
	ASSERT_EQ(0, set_attr(fd, VIRQ_X86_GRP_IR_FAULT, 1, &efd_none,
			      sizeof(efd_none)));
	close(tfd);
	close(efd);
	close(v);
	close(fd);
}

/*
 * A level IOAPIC message whose vector is already pending in the LAPIC's
 * IRR merges there: the LAPIC accepts nothing new, so no remote IRR is
 * held, but the guest's EOI of that vector still ends the pin's interrupt
 * and must reach its resampler (a VFIO INTx would stay masked forever).
 */
TEST_F(x86, resample_after_merged_level_message)
{
	struct virq_irqfd ifd = { .source = 21,
				  .flags = VIRQ_IRQFD_FLAG_RESAMPLE };
	__u64 one = 1, cnt;
	int efd, rfd, st;

	SKIP_IF_SETUP_SKIPPED();
	efd = eventfd(0, EFD_CLOEXEC);
	rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	ASSERT_LE(0, rfd);
	ifd.fd = efd;
	ifd.resamplefd = rfd;
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_IRQFD, &ifd));
	ASSERT_EQ(0, lapic_enable(self->vfd[0]));
	ioapic_write_rte(self->vfd[0], 21, 0x3c | RTE_LEVEL);

	/* vector 0x3c pending from an edge MSI */
	ASSERT_EQ(0, msi(self->fd, 0xfee00000, 0x3c, &st));
	EXPECT_EQ(1, st);
	/* the device raises its level line: merged into that IRR bit */
	ASSERT_EQ((ssize_t)sizeof(one), write(efd, &one, sizeof(one)));
	EXPECT_EQ(0x3c, inta(self->vfd[0]));
	EXPECT_EQ(0, lines(self->vfd[0]) & VIRQ_OUT_INT);
	EXPECT_EQ(-1, read(rfd, &cnt, sizeof(cnt)));	/* not yet */
	ASSERT_EQ(0, mmio_write(self->vfd[0], LAPIC + APIC_EOI, 0));
	/* the EOI ends the pin's interrupt: the resampler is told */
	ASSERT_EQ((ssize_t)sizeof(cnt), read(rfd, &cnt, sizeof(cnt)));
	EXPECT_EQ(1ULL, cnt);
	EXPECT_EQ(0ULL, ioapic_read_rte(self->vfd[0], 21) & RTE_REMOTE_IRR);
	/* the device still wants service: it signals again, redelivered */
	ASSERT_EQ((ssize_t)sizeof(one), write(efd, &one, sizeof(one)));
	EXPECT_EQ(0x3c, inta(self->vfd[0]));
	EXPECT_NE(0ULL, ioapic_read_rte(self->vfd[0], 21) & RTE_REMOTE_IRR);
	ifd.flags = VIRQ_IRQFD_FLAG_DEASSIGN;
	ifd.resamplefd = 0;
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_IRQFD, &ifd));
	close(efd);
	close(rfd);
}

/*
 * struct virq_x86_lapic_state.events beyond the VIRQ_OUT_* events, with
 * their uAPI names: pending ESR bits and wait-for-SIPI.
 */
TEST_F(x86, lapic_state_events)
{
	struct virq_x86_lapic_state s;
	int st;

	SKIP_IF_SETUP_SKIPPED();
	EXPECT_EQ(0xffU << 16, VIRQ_X86_LAPIC_EV_ESR_MASK);
	EXPECT_EQ(16, VIRQ_X86_LAPIC_EV_ESR_SHIFT);
	ASSERT_EQ(0, lapic_enable(self->vfd[0]));
	ASSERT_EQ(0, lapic_enable(self->vfd[1]));

	/* an illegal vector received: ESR bit 6 pending, not yet latched */
	ASSERT_EQ(0, msi(self->fd, 0xfee00000 | 1 << 12, 0x05, &st));
	memset(&s, 0xcc, sizeof(s));
	ASSERT_EQ(0, vget_attr(self->vfd[1], VIRQ_X86_VGRP_LAPIC, &s,
			       sizeof(s)));
	EXPECT_EQ(0x40U, (s.events & VIRQ_X86_LAPIC_EV_ESR_MASK) >>
			 VIRQ_X86_LAPIC_EV_ESR_SHIFT);
	EXPECT_EQ(0U, s.events & VIRQ_X86_LAPIC_EV_WAIT_SIPI);
	/* restored as pending elsewhere: the next ESR write latches it */
	ASSERT_EQ(0, vget_attr(self->vfd[2], VIRQ_X86_VGRP_LAPIC, &s,
			       sizeof(s)));
	EXPECT_EQ(0U, s.events & VIRQ_X86_LAPIC_EV_ESR_MASK);
	s.events |= 0x40U << VIRQ_X86_LAPIC_EV_ESR_SHIFT;
	ASSERT_EQ(0, vset_attr(self->vfd[2], VIRQ_X86_VGRP_LAPIC, &s,
			       sizeof(s)));
	ASSERT_EQ(0, mmio_write(self->vfd[2], LAPIC + 0x280, 0));
	EXPECT_EQ(0x40U, mmio_read(self->vfd[2], LAPIC + 0x280));

	/* INIT taken on an AP: wait-for-SIPI */
	ASSERT_EQ(0, mmio_write(self->vfd[0], LAPIC + APIC_ICR2, 3U << 24));
	ASSERT_EQ(0, mmio_write(self->vfd[0], LAPIC + APIC_ICR,
				(5 << 8) | (1 << 14)));
	ASSERT_EQ(0, ack_event(self->vfd[3], VIRQ_OUT_INIT));
	ASSERT_EQ(0, vget_attr(self->vfd[3], VIRQ_X86_VGRP_LAPIC, &s,
			       sizeof(s)));
	EXPECT_NE(0U, s.events & VIRQ_X86_LAPIC_EV_WAIT_SIPI);
	/* restored without it, a SIPI no longer latches */
	s.events &= ~VIRQ_X86_LAPIC_EV_WAIT_SIPI;
	ASSERT_EQ(0, vset_attr(self->vfd[3], VIRQ_X86_VGRP_LAPIC, &s,
			       sizeof(s)));
	ASSERT_EQ(0, mmio_write(self->vfd[0], LAPIC + APIC_ICR,
				(6 << 8) | 0x9b));
	EXPECT_EQ(0, lines(self->vfd[3]) & VIRQ_OUT_SIPI);
	/* and with it, it does */
	s.events |= VIRQ_X86_LAPIC_EV_WAIT_SIPI;
	ASSERT_EQ(0, vset_attr(self->vfd[3], VIRQ_X86_VGRP_LAPIC, &s,
			       sizeof(s)));
	ASSERT_EQ(0, mmio_write(self->vfd[0], LAPIC + APIC_ICR,
				(6 << 8) | 0x9b));
	EXPECT_EQ(0x9b, ack_event(self->vfd[3], VIRQ_OUT_SIPI));
}

/* gsi_base 0 beyond IOAPIC 0: right after the previous IOAPIC's pins */
TEST(multi_ioapic_gsi_base_default)
{
	struct virq_x86_options o = { .nr_ioapics = 3 };
	struct virq_route e[128];
	__u32 nr = 128, i, first[3] = { ~0U, ~0U, ~0U };
	int fd, v, st;

	if (!have_x86())
		SKIP(return, "no x86 family");
	o.ioapics[0].nr_pins = 24;
	o.ioapics[1].id = 1;			/* 24 pins, GSI 24..47 */
	o.ioapics[2].id = 2;
	o.ioapics[2].nr_pins = 8;		/* GSI 48..55 */
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	/* the resolved ranges must fit the GSI space */
	EXPECT_EQ(-1, xo_create(fd, 1, 55, &o));
	EXPECT_EQ(EINVAL, errno);
	/* an explicit gsi_base overlapping the resolved one still fails */
	o.ioapics[2].gsi_base = 40;
	EXPECT_EQ(-1, xo_create(fd, 1, 64, &o));
	EXPECT_EQ(EINVAL, errno);
	o.ioapics[2].gsi_base = 0;
	ASSERT_EQ(0, xo_create(fd, 1, 56, &o));
	ASSERT_EQ(0, get_routes(fd, e, &nr));
	for (i = 0; i < nr; i++) {
		__u32 n = e[i].u.irqchip.irqchip - VIRQ_X86_IRQCHIP_IOAPIC(0);

		if (e[i].type != VIRQ_ROUTE_IRQCHIP ||
		    e[i].u.irqchip.irqchip < VIRQ_X86_IRQCHIP_IOAPIC(0))
			continue;
		ASSERT_GT(3U, n);
		if (!e[i].u.irqchip.pin)
			first[n] = e[i].gsi;
	}
	EXPECT_EQ(0U, first[0]);
	EXPECT_EQ(24U, first[1]);
	EXPECT_EQ(48U, first[2]);
	/* and GSI 24 reaches pin 0 of IOAPIC 1 (at 0xfec01000) */
	v = xo_vcpu(fd, 0, 0);
	ASSERT_LE(0, v);
	ASSERT_EQ(0, lapic_enable(v));
	ASSERT_EQ(0, mmio_write(v, IOAPIC + 0x1000, 0x10));
	ASSERT_EQ(0, mmio_write(v, IOAPIC + 0x1010, 0xa5));
	ASSERT_EQ(0, line(fd, 24, VIRQ_LINE_EDGE, &st));
	EXPECT_EQ(1, st);
	EXPECT_EQ(0xa5, inta(v));
	close(v);
	close(fd);
}

TEST_HARNESS_MAIN
