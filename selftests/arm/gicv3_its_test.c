// SPDX-License-Identifier: GPL-2.0
/*
 * virq GICv3 LPIs and ITS: direct LPIs (GICR_SETLPIR), the boot sequence
 * of Linux's irq-gic-v3-its.c (BASERs, CBASER, enable, MAPC, MAPD,
 * MAPTI), MSIs through VIRQ_SIGNAL_MSI and an MSI irqfd, INT, INV,
 * CLEAR, DISCARD, MOVI, MOVALL, command errors, translation-cache
 * invalidation, table save/restore into a fresh instance, and the errnos
 * of the ITS attributes and of VIRQ_SIGNAL_MSI's ITS form.
 *
 * Guest memory is an mmap of this process registered with
 * VIRQ_SET_MEMORY_REGION; the test writes the property table and the
 * command queue there as a guest would.  Runs inside the project's QEMU
 * guest with virq.ko loaded; skips when /dev/virq or the GICv3 family
 * is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/virq.h>

#include <kselftest_harness.h>

#define NR_VCPUS	2
#define NR_SOURCES	64
#define LPI_BITS	16
#define LPI0		VIRQ_GICV3_FIRST_LPI

/* Guest memory: one slot */
#define GBASE		0x40000000ULL
#define GSIZE		0x100000ULL
#define G_PROP		0x00000ULL	/* 56 KiB: 16 bits of LPIs */
#define G_PEND(i)	(0x10000ULL + (i) * 0x10000ULL)
#define G_CMDQ		0x30000ULL	/* 4 KiB */
#define G_DEVT		0x40000ULL	/* one 64 KiB page: 8192 DTEs */
#define G_COLT		0x50000ULL	/* one page: 8192 CTEs */
#define G_ITT(n)	(0x60000ULL + (n) * 0x1000ULL)
#define G_L2(n)		(0xa0000ULL + (n) * 0x10000ULL)

#define DIST_BASE	VIRQ_GICV3_DEFAULT_DIST_BASE
#define REDIST_BASE	VIRQ_GICV3_DEFAULT_REDIST_BASE
#define ITS_BASE	VIRQ_GICV3_DEFAULT_ITS_BASE
#define TRANSLATER	(ITS_BASE + VIRQ_GICV3_GITS_TRANSLATER)

/* Redistributor RD frame */
#define GICR_CTLR	0x0000
#define GICR_SETLPIR	0x0040
#define GICR_CLRLPIR	0x0048
#define GICR_PROPBASER	0x0070
#define GICR_PENDBASER	0x0078
#define GICR_INVLPIR	0x00a0
#define GICR_INVALLR	0x00b0

/* ITS control frame */
#define GITS_CTLR	0x0000
#define GITS_IIDR	0x0004
#define GITS_TYPER	0x0008
#define GITS_CBASER	0x0080
#define GITS_CWRITER	0x0088
#define GITS_CREADR	0x0090
#define GITS_BASER(n)	(0x0100 + (n) * 8)
#define GITS_PIDR2	0xffe8

#define VALID		(1ULL << 63)
#define INDIRECT	(1ULL << 62)
#define PTZ		(1ULL << 62)
#define PROP_DEFAULT	0xa1	/* priority 0xa0, enabled */

/* Commands */
#define CMD_MOVI	0x01
#define CMD_INT		0x03
#define CMD_CLEAR	0x04
#define CMD_SYNC	0x05
#define CMD_MAPD	0x08
#define CMD_MAPC	0x09
#define CMD_MAPTI	0x0a
#define CMD_MAPI	0x0b
#define CMD_INV		0x0c
#define CMD_INVALL	0x0d
#define CMD_MOVALL	0x0e
#define CMD_DISCARD	0x0f

/* One GICv3 instance with an ITS and its guest memory */
struct inst {
	int fd;
	int vfd[NR_VCPUS];
	uint8_t *mem;
};

static bool have_gicv3(void)
{
	struct virq_family_info info = { .family = VIRQ_FAMILY_GICV3 };
	int fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = !ioctl(fd, VIRQ_GET_FAMILY, &info) &&
	     (info.features & VIRQ_GICV3_FEATURE_ITS);
	close(fd);
	return ok;
}

static int set_memory(int fd, void *mem)
{
	struct virq_memory_region r = {
		.slot = 0,
		.guest_phys_addr = GBASE,
		.memory_size = GSIZE,
		.userspace_addr = (uintptr_t)mem,
	};

	return ioctl(fd, VIRQ_SET_MEMORY_REGION, &r);
}

/* A chip with an ITS (@its) or LPIs only, NR_VCPUS vCPUs, memory @mem */
static int inst_open(struct inst *in, bool its, uint8_t *mem)
{
	struct virq_gicv3_options o = {
		.flags = its ? VIRQ_GICV3_OPT_ITS : VIRQ_GICV3_OPT_LPIS,
		.lpi_bits = LPI_BITS,
	};
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_GICV3,
		.nr_vcpus = NR_VCPUS,
		.nr_sources = NR_SOURCES,
		.options = (uintptr_t)&o,
		.options_size = sizeof(o),
	};
	int i;

	in->mem = mem;
	in->fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	if (in->fd < 0)
		return -1;
	if (set_memory(in->fd, mem) || ioctl(in->fd, VIRQ_CREATE_CHIP, &cfg))
		return -1;
	for (i = 0; i < NR_VCPUS; i++) {
		struct virq_vcpu_create vc = { .index = i, .arch_id = i };

		in->vfd[i] = ioctl(in->fd, VIRQ_CREATE_VCPU, &vc);
		if (in->vfd[i] < 0)
			return -1;
	}
	return 0;
}

static void inst_close(struct inst *in)
{
	int i;

	for (i = 0; i < NR_VCPUS; i++)
		close(in->vfd[i]);
	close(in->fd);
}

static uint8_t *mem_alloc(void)
{
	void *p = mmap(NULL, GSIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* --- register access -------------------------------------------------- */

static int access_reg(int vfd, __u32 space, __u64 addr, __u32 len, bool write,
		      __u64 *data)
{
	struct virq_access a = {
		.space = space,
		.flags = write ? VIRQ_ACCESS_WRITE : 0,
		.addr = addr,
		.len = len,
		.data = write ? *data : 0xccccccccccccccccULL,
	};
	int ret = ioctl(vfd, VIRQ_VCPU_ACCESS, &a);

	if (!ret && !write)
		*data = a.data;
	return ret;
}

static void mmio_w(struct __test_metadata *_metadata, struct inst *in,
		   __u64 addr, __u32 len, __u64 val)
{
	ASSERT_EQ(0, access_reg(in->vfd[0], VIRQ_SPACE_MMIO, addr, len, true,
				&val));
}

static __u64 mmio_r(struct __test_metadata *_metadata, struct inst *in,
		    __u64 addr, __u32 len)
{
	__u64 val = 0;

	EXPECT_EQ(0, access_reg(in->vfd[0], VIRQ_SPACE_MMIO, addr, len, false,
				&val));
	return val;
}

static void sysreg_w(struct __test_metadata *_metadata, int vfd, __u64 reg,
		     __u64 val)
{
	ASSERT_EQ(0, access_reg(vfd, VIRQ_SPACE_SYSREG, reg, 8, true, &val));
}

#define GICR(i, off)	(REDIST_BASE + (i) * VIRQ_GICV3_REDIST_SIZE + (off))
#define GITS(off)	(ITS_BASE + (off))

static int attr_its(int fd, bool set, __u64 off, __u64 *val, __u32 size)
{
	struct virq_attr a = {
		.group = VIRQ_GICV3_GRP_ITS_REGS,
		.attr = off,
		.addr = (uintptr_t)val,
		.size = size,
	};

	return ioctl(fd, set ? VIRQ_SET_ATTR : VIRQ_GET_ATTR, &a);
}

static int ctrl(int fd, __u64 attr)
{
	struct virq_attr a = { .group = VIRQ_GICV3_GRP_CTRL, .attr = attr };

	return ioctl(fd, VIRQ_SET_ATTR, &a);
}

/* --- interrupts as the guest sees them ------------------------------ */

static bool irq_line(int vfd)
{
	struct virq_vcpu_output out = { 0 };

	if (ioctl(vfd, VIRQ_VCPU_GET_OUTPUT, &out))
		return false;
	return out.lines & VIRQ_OUT_INT;
}

/* Acknowledge (ICC_IAR1_EL1) and end (ICC_EOIR1_EL1); returns the INTID */
static int ack_eoi(struct __test_metadata *_metadata, int vfd)
{
	struct virq_ack ack = { .id = 0xcccc };

	EXPECT_EQ(0, ioctl(vfd, VIRQ_VCPU_ACK, &ack));
	if (ack.id != VIRQ_GICV3_SPURIOUS)
		sysreg_w(_metadata, vfd, VIRQ_GICV3_ICC_EOIR1_EL1, ack.id);
	return ack.id;
}

static int msi(int fd, __u32 devid, __u32 eventid, int *status)
{
	struct virq_msi m = {
		.address_lo = (__u32)TRANSLATER,
		.address_hi = (__u32)(TRANSLATER >> 32),
		.data = eventid,
		.flags = VIRQ_MSI_FLAG_DEVID,
		.devid = devid,
		.status = 0x55,
	};
	int ret = ioctl(fd, VIRQ_SIGNAL_MSI, &m);

	if (status)
		*status = m.status;
	return ret;
}

/* An MSI that must succeed; returns its status */
static int msi_ok(struct __test_metadata *_metadata, struct inst *in,
		  __u32 devid, __u32 eventid)
{
	int status = 0x55;

	EXPECT_EQ(0, msi(in->fd, devid, eventid, &status));
	return status;
}

/* --- the guest's side: tables and commands -------------------------- */

static void prop_set(struct inst *in, __u32 intid, uint8_t prop)
{
	in->mem[G_PROP + intid - LPI0] = prop;
}

static bool pend_bit(struct inst *in, int vcpu, __u32 intid)
{
	return in->mem[G_PEND(vcpu) + intid / 8] & (1 << (intid % 8));
}

/* The redistributors, as Linux's its_cpu_init_lpis() */
static void setup_lpis(struct __test_metadata *_metadata, struct inst *in)
{
	__u32 i;
	int v;

	for (i = LPI0; i < (1U << LPI_BITS); i++)
		prop_set(in, i, PROP_DEFAULT);
	for (v = 0; v < NR_VCPUS; v++) {
		mmio_w(_metadata, in, GICR(v, GICR_PROPBASER), 8,
		       (GBASE + G_PROP) | (LPI_BITS - 1));
		mmio_w(_metadata, in, GICR(v, GICR_PENDBASER), 8,
		       GBASE + G_PEND(v));
		mmio_w(_metadata, in, GICR(v, GICR_CTLR), 4, 1);
		EXPECT_EQ(1ULL, mmio_r(_metadata, in, GICR(v, GICR_CTLR), 4) & 1);
		sysreg_w(_metadata, in->vfd[v], VIRQ_GICV3_ICC_PMR_EL1, 0xff);
		sysreg_w(_metadata, in->vfd[v], VIRQ_GICV3_ICC_IGRPEN1_EL1, 1);
	}
}

/* Queue one command and ring CWRITER (the ITS runs it at once) */
static void its_cmd(struct __test_metadata *_metadata, struct inst *in,
		    __u64 c0, __u64 c1, __u64 c2, __u64 c3)
{
	__u64 wr = mmio_r(_metadata, in, GITS(GITS_CWRITER), 8);
	__u64 cmd[4] = { c0, c1, c2, c3 };

	memcpy(in->mem + G_CMDQ + wr, cmd, sizeof(cmd));
	wr = (wr + 32) % 4096;
	mmio_w(_metadata, in, GITS(GITS_CWRITER), 8, wr);
	/* Processed synchronously: the queue is empty again */
	EXPECT_EQ(wr, mmio_r(_metadata, in, GITS(GITS_CREADR), 8));
	EXPECT_EQ(0x80000001ULL, mmio_r(_metadata, in, GITS(GITS_CTLR), 4));
}

static void cmd_mapd(struct __test_metadata *_metadata, struct inst *in,
		     __u32 devid, __u32 bits, __u64 itt, bool valid)
{
	its_cmd(_metadata, in, CMD_MAPD | (__u64)devid << 32, bits - 1,
		(GBASE + itt) | (valid ? VALID : 0), 0);
}

static void cmd_mapc(struct __test_metadata *_metadata, struct inst *in,
		     __u16 icid, __u64 rd, bool valid)
{
	its_cmd(_metadata, in, CMD_MAPC, 0,
		icid | rd << 16 | (valid ? VALID : 0), 0);
}

static void cmd_mapti(struct __test_metadata *_metadata, struct inst *in,
		      __u32 devid, __u32 ev, __u32 intid, __u16 icid)
{
	its_cmd(_metadata, in, CMD_MAPTI | (__u64)devid << 32,
		ev | (__u64)intid << 32, icid, 0);
}

/* devid/eventid commands: INT, CLEAR, DISCARD, INV */
static void cmd_ev(struct __test_metadata *_metadata, struct inst *in,
		   __u64 cmd, __u32 devid, __u32 ev)
{
	its_cmd(_metadata, in, cmd | (__u64)devid << 32, ev, 0, 0);
}

/* The ITS part of Linux's boot: tables, queue, enable, collections */
static void setup_its(struct __test_metadata *_metadata, struct inst *in)
{
	mmio_w(_metadata, in, GITS(GITS_BASER(0)), 8, VALID | (GBASE + G_DEVT));
	mmio_w(_metadata, in, GITS(GITS_BASER(1)), 8, VALID | (GBASE + G_COLT));
	mmio_w(_metadata, in, GITS(GITS_CBASER), 8, VALID | (GBASE + G_CMDQ));
	mmio_w(_metadata, in, GITS(GITS_CWRITER), 8, 0);
	mmio_w(_metadata, in, GITS(GITS_CTLR), 4, 1);
	ASSERT_EQ(0x80000001ULL, mmio_r(_metadata, in, GITS(GITS_CTLR), 4));
	setup_lpis(_metadata, in);
	cmd_mapc(_metadata, in, 0, 0, true);
	cmd_mapc(_metadata, in, 1, 1, true);
	its_cmd(_metadata, in, CMD_SYNC, 0, 0, 0);
}

/* --- fixture ------------------------------------------------------------- */

FIXTURE(its) {
	struct inst in;
	bool skip;
};

FIXTURE_SETUP(its)
{
	uint8_t *mem;

	self->skip = !have_gicv3();
	if (self->skip)
		SKIP(return, "no /dev/virq with the GICv3 ITS");
	mem = mem_alloc();
	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, inst_open(&self->in, true, mem));
}

FIXTURE_TEARDOWN(its)
{
	if (self->skip)
		return;
	inst_close(&self->in);
	munmap(self->in.mem, GSIZE);
}

#define SKIP_IF_SETUP_SKIPPED() do { if (self->skip) return; } while (0)

/* --- direct LPIs ----------------------------------------------------------- */

TEST_F(its, direct_lpis)
{
	struct inst *in = &self->in;

	SKIP_IF_SETUP_SKIPPED();
	/* EnableLPIs clear: SETLPIR is ignored */
	mmio_w(_metadata, in, GICR(0, GICR_SETLPIR), 8, LPI0 + 8);
	setup_lpis(_metadata, in);
	EXPECT_FALSE(irq_line(in->vfd[0]));
	EXPECT_EQ(VIRQ_GICV3_SPURIOUS, ack_eoi(_metadata, in->vfd[0]));

	mmio_w(_metadata, in, GICR(0, GICR_SETLPIR), 8, LPI0 + 8);
	EXPECT_TRUE(irq_line(in->vfd[0]));
	EXPECT_FALSE(irq_line(in->vfd[1]));
	EXPECT_EQ(LPI0 + 8, ack_eoi(_metadata, in->vfd[0]));
	EXPECT_FALSE(irq_line(in->vfd[0]));

	/* CLRLPIR takes the pending state away */
	mmio_w(_metadata, in, GICR(1, GICR_SETLPIR), 8, LPI0 + 9);
	EXPECT_TRUE(irq_line(in->vfd[1]));
	mmio_w(_metadata, in, GICR(1, GICR_CLRLPIR), 8, LPI0 + 9);
	EXPECT_FALSE(irq_line(in->vfd[1]));

	/* Disabled in the property table, seen after INVLPIR: latched */
	prop_set(in, LPI0 + 9, 0xa0);
	mmio_w(_metadata, in, GICR(1, GICR_INVLPIR), 8, LPI0 + 9);
	mmio_w(_metadata, in, GICR(1, GICR_SETLPIR), 8, LPI0 + 9);
	EXPECT_FALSE(irq_line(in->vfd[1]));
	prop_set(in, LPI0 + 9, 0xa1);
	EXPECT_FALSE(irq_line(in->vfd[1]));	/* not before an INV */
	mmio_w(_metadata, in, GICR(1, GICR_INVALLR), 8, 0);
	EXPECT_TRUE(irq_line(in->vfd[1]));
	EXPECT_EQ(LPI0 + 9, ack_eoi(_metadata, in->vfd[1]));

	/* Priority order between two LPIs comes from the table */
	prop_set(in, LPI0 + 20, 0x81);
	prop_set(in, LPI0 + 21, 0x41);
	mmio_w(_metadata, in, GICR(0, GICR_SETLPIR), 8, LPI0 + 20);
	mmio_w(_metadata, in, GICR(0, GICR_SETLPIR), 8, LPI0 + 21);
	EXPECT_EQ(LPI0 + 21, ack_eoi(_metadata, in->vfd[0]));
	EXPECT_EQ(LPI0 + 20, ack_eoi(_metadata, in->vfd[0]));

	/* Beyond the LPIs: ignored */
	mmio_w(_metadata, in, GICR(0, GICR_SETLPIR), 8, 1U << LPI_BITS);
	mmio_w(_metadata, in, GICR(0, GICR_SETLPIR), 8, 100);
	EXPECT_FALSE(irq_line(in->vfd[0]));
}

/* Pending table: read at EnableLPIs, written by SAVE_PENDING_TABLES */
TEST_F(its, pending_tables)
{
	struct inst *in = &self->in;

	SKIP_IF_SETUP_SKIPPED();
	in->mem[G_PEND(1) + (LPI0 + 3) / 8] |= 1 << ((LPI0 + 3) % 8);
	setup_lpis(_metadata, in);
	/* The bit made LPI0 + 3 pending on vCPU 1, and was consumed */
	EXPECT_FALSE(pend_bit(in, 1, LPI0 + 3));
	EXPECT_TRUE(irq_line(in->vfd[1]));
	mmio_w(_metadata, in, GICR(0, GICR_SETLPIR), 8, LPI0 + 17);
	EXPECT_EQ(0, ctrl(in->fd, VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES));
	EXPECT_TRUE(pend_bit(in, 1, LPI0 + 3));
	EXPECT_TRUE(pend_bit(in, 0, LPI0 + 17));
	EXPECT_FALSE(pend_bit(in, 0, LPI0 + 3));
	EXPECT_EQ(LPI0 + 3, ack_eoi(_metadata, in->vfd[1]));
	EXPECT_EQ(0, ctrl(in->fd, VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES));
	EXPECT_FALSE(pend_bit(in, 1, LPI0 + 3));
	EXPECT_TRUE(pend_bit(in, 0, LPI0 + 17));
}

static int redist_attr(int vfd, bool set, __u64 off, __u64 *val, __u32 size);

/*
 * GICR_PENDBASER.PTZ is write-only: it reads as 0 from the guest and in a
 * save, yet the EnableLPIs it precedes does not read the table.
 */
TEST_F(its, pendbaser_ptz)
{
	struct inst *in = &self->in;
	__u64 val = 0;

	SKIP_IF_SETUP_SKIPPED();
	in->mem[G_PEND(0) + (LPI0 + 5) / 8] |= 1 << ((LPI0 + 5) % 8);
	mmio_w(_metadata, in, GICR(0, GICR_PROPBASER), 8,
	       (GBASE + G_PROP) | (LPI_BITS - 1));
	mmio_w(_metadata, in, GICR(0, GICR_PENDBASER), 8,
	       (GBASE + G_PEND(0)) | PTZ);
	EXPECT_EQ(GBASE + G_PEND(0),
		  mmio_r(_metadata, in, GICR(0, GICR_PENDBASER), 8));
	ASSERT_EQ(0, redist_attr(in->vfd[0], false, GICR_PENDBASER, &val, 8));
	EXPECT_EQ(GBASE + G_PEND(0), val);
	sysreg_w(_metadata, in->vfd[0], VIRQ_GICV3_ICC_PMR_EL1, 0xff);
	sysreg_w(_metadata, in->vfd[0], VIRQ_GICV3_ICC_IGRPEN1_EL1, 1);
	mmio_w(_metadata, in, GICR(0, GICR_CTLR), 4, 1);
	/* the stale bit was not taken as pending */
	EXPECT_FALSE(irq_line(in->vfd[0]));
}

/* --- the ITS --------------------------------------------------------------- */

TEST_F(its, registers)
{
	struct inst *in = &self->in;
	__u64 typer;

	SKIP_IF_SETUP_SKIPPED();
	EXPECT_EQ(0x80000000ULL, mmio_r(_metadata, in, GITS(GITS_CTLR), 4));
	typer = mmio_r(_metadata, in, GITS(GITS_TYPER), 8);
	EXPECT_EQ(1ULL, typer & 1);			/* Physical */
	EXPECT_EQ(7ULL, (typer >> 4) & 0xf);		/* ITT entry 8 bytes */
	EXPECT_EQ(15ULL, (typer >> 8) & 0x1f);		/* IDbits */
	EXPECT_EQ(15ULL, (typer >> 13) & 0x1f);		/* Devbits */
	EXPECT_EQ(0ULL, (typer >> 19) & 1);		/* PTA */
	EXPECT_EQ(typer & 0xffffffff, mmio_r(_metadata, in, GITS(GITS_TYPER), 4));
	EXPECT_EQ(0x30ULL, mmio_r(_metadata, in, GITS(GITS_PIDR2), 4) & 0xf0);
	/* BASER0: device table, BASER1: collections, 8-byte entries */
	EXPECT_EQ(1ULL, (mmio_r(_metadata, in, GITS(GITS_BASER(0)), 8) >> 56) & 7);
	EXPECT_EQ(4ULL, (mmio_r(_metadata, in, GITS(GITS_BASER(1)), 8) >> 56) & 7);
	EXPECT_EQ(7ULL, (mmio_r(_metadata, in, GITS(GITS_BASER(0)), 8) >> 48) & 0x1f);
	mmio_w(_metadata, in, GITS(GITS_BASER(2)), 8, ~0ULL);
	EXPECT_EQ(0ULL, mmio_r(_metadata, in, GITS(GITS_BASER(2)), 8));
	/* Type and entry size are read-only; collections are flat */
	mmio_w(_metadata, in, GITS(GITS_BASER(1)), 8, INDIRECT | (7ULL << 56));
	EXPECT_EQ(4ULL, (mmio_r(_metadata, in, GITS(GITS_BASER(1)), 8) >> 56) & 7);
	EXPECT_EQ(0ULL, mmio_r(_metadata, in, GITS(GITS_BASER(1)), 8) & INDIRECT);
	/* 32-bit halves of a 64-bit register */
	mmio_w(_metadata, in, GITS(GITS_CBASER), 4, GBASE + G_CMDQ);
	mmio_w(_metadata, in, GITS(GITS_CBASER) + 4, 4, VALID >> 32);
	EXPECT_EQ(VALID | (GBASE + G_CMDQ),
		  mmio_r(_metadata, in, GITS(GITS_CBASER), 8) &
		  (VALID | 0xffffffffff000ULL));
	/* Cannot enable without valid BASERs */
	mmio_w(_metadata, in, GITS(GITS_CTLR), 4, 1);
	EXPECT_EQ(0ULL, mmio_r(_metadata, in, GITS(GITS_CTLR), 4) & 1);
	/* A CWRITER beyond the queue is ignored */
	mmio_w(_metadata, in, GITS(GITS_CWRITER), 8, 0x2000);
	EXPECT_EQ(0ULL, mmio_r(_metadata, in, GITS(GITS_CWRITER), 8));
	/* GITS_TRANSLATER from a vCPU: ignored, reads 0 */
	mmio_w(_metadata, in, ITS_BASE + VIRQ_GICV3_GITS_TRANSLATER, 4, 0);
	EXPECT_EQ(0ULL, mmio_r(_metadata, in,
			       ITS_BASE + VIRQ_GICV3_GITS_TRANSLATER, 4));
}

/* Linux's boot sequence, then MSIs by SIGNAL_MSI and by an MSI irqfd */
TEST_F(its, boot_and_msi)
{
	struct inst *in = &self->in;
	struct virq_irqfd irqfd = {
		.flags = VIRQ_IRQFD_FLAG_MSI | VIRQ_IRQFD_FLAG_MSI_DEVID,
		.msi = { .address_lo = (__u32)TRANSLATER, .data = 1,
			 .devid = 0x1234 },
	};
	__u64 one = 1;
	int efd;

	SKIP_IF_SETUP_SKIPPED();
	setup_its(_metadata, in);
	cmd_mapd(_metadata, in, 0x1234, 5, G_ITT(0), true);
	cmd_mapti(_metadata, in, 0x1234, 0, LPI0, 0);
	cmd_mapti(_metadata, in, 0x1234, 1, LPI0 + 1, 1);
	cmd_mapti(_metadata, in, 0x1234, 2, LPI0 + 5, 1);
	/* MAPD of a mapped device starts it afresh */
	cmd_mapd(_metadata, in, 0x1234, 5, G_ITT(0), true);
	cmd_mapti(_metadata, in, 0x1234, 0, LPI0, 0);
	cmd_mapti(_metadata, in, 0x1234, 1, LPI0 + 1, 1);
	/* MAPI: the LPI is the event id */
	cmd_mapd(_metadata, in, 0x77, 14, G_ITT(10), true);
	its_cmd(_metadata, in, CMD_MAPI | 0x77ULL << 32, LPI0 + 2, 0, 0);
	EXPECT_EQ(1, msi_ok(_metadata, in, 0x77, LPI0 + 2));
	EXPECT_EQ(LPI0 + 2, ack_eoi(_metadata, in->vfd[0]));

	EXPECT_EQ(1, msi_ok(_metadata, in, 0x1234, 0));
	EXPECT_TRUE(irq_line(in->vfd[0]));
	EXPECT_FALSE(irq_line(in->vfd[1]));
	EXPECT_EQ(VIRQ_STATUS_COALESCED, msi_ok(_metadata, in, 0x1234, 0));
	EXPECT_EQ(LPI0, ack_eoi(_metadata, in->vfd[0]));
	EXPECT_EQ(VIRQ_GICV3_SPURIOUS, ack_eoi(_metadata, in->vfd[0]));
	/* The second MAPD dropped event 2 */
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 0x1234, 2));
	/* Unknown device, unknown event: dropped */
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 0x99, 0));
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 0x1234, 7));

	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	irqfd.fd = efd;
	ASSERT_EQ(0, ioctl(in->fd, VIRQ_IRQFD, &irqfd));
	ASSERT_EQ(8, write(efd, &one, 8));
	EXPECT_TRUE(irq_line(in->vfd[1]));
	EXPECT_EQ(LPI0 + 1, ack_eoi(_metadata, in->vfd[1]));
	ASSERT_EQ(8, write(efd, &one, 8));
	EXPECT_EQ(LPI0 + 1, ack_eoi(_metadata, in->vfd[1]));
	/* Deassign: by fd and source 0, without the message */
	irqfd.flags = VIRQ_IRQFD_FLAG_DEASSIGN;
	memset(&irqfd.msi, 0, sizeof(irqfd.msi));
	EXPECT_EQ(0, ioctl(in->fd, VIRQ_IRQFD, &irqfd));
	ASSERT_EQ(8, write(efd, &one, 8));
	EXPECT_FALSE(irq_line(in->vfd[1]));
	close(efd);

	/* The ITS disabled: dropped; enabled again: delivered */
	mmio_w(_metadata, in, GITS(GITS_CTLR), 4, 0);
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 0x1234, 0));
	EXPECT_FALSE(irq_line(in->vfd[0]));
	mmio_w(_metadata, in, GITS(GITS_CTLR), 4, 1);
	EXPECT_EQ(1, msi_ok(_metadata, in, 0x1234, 0));
	EXPECT_EQ(LPI0, ack_eoi(_metadata, in->vfd[0]));
}

TEST_F(its, int_inv_clear)
{
	struct inst *in = &self->in;

	SKIP_IF_SETUP_SKIPPED();
	setup_its(_metadata, in);
	cmd_mapd(_metadata, in, 7, 4, G_ITT(1), true);
	cmd_mapti(_metadata, in, 7, 3, LPI0 + 100, 1);
	/* INT */
	cmd_ev(_metadata, in, CMD_INT, 7, 3);
	EXPECT_TRUE(irq_line(in->vfd[1]));
	/* CLEAR */
	cmd_ev(_metadata, in, CMD_CLEAR, 7, 3);
	EXPECT_FALSE(irq_line(in->vfd[1]));
	/* Disable in the table: nothing changes until INV */
	prop_set(in, LPI0 + 100, 0xa0);
	EXPECT_EQ(1, msi_ok(_metadata, in, 7, 3));
	EXPECT_EQ(LPI0 + 100, ack_eoi(_metadata, in->vfd[1]));
	cmd_ev(_metadata, in, CMD_INV, 7, 3);
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 7, 3));
	EXPECT_FALSE(irq_line(in->vfd[1]));
	/* Enabled again and INVALL: the latched one is delivered */
	prop_set(in, LPI0 + 100, 0x61);
	its_cmd(_metadata, in, CMD_INVALL, 0, 1, 0);
	EXPECT_TRUE(irq_line(in->vfd[1]));
	EXPECT_EQ(LPI0 + 100, ack_eoi(_metadata, in->vfd[1]));
}

/* DISCARD, MAPD V=0 and MOVI after warm translations */
TEST_F(its, cache_invalidation)
{
	struct inst *in = &self->in;

	SKIP_IF_SETUP_SKIPPED();
	setup_its(_metadata, in);
	cmd_mapd(_metadata, in, 1, 8, G_ITT(2), true);
	cmd_mapti(_metadata, in, 1, 10, LPI0 + 10, 0);
	cmd_mapti(_metadata, in, 1, 11, LPI0 + 11, 0);
	cmd_mapti(_metadata, in, 1, 12, LPI0 + 12, 0);

	/* Warm (twice: the second hits the cache) */
	EXPECT_EQ(1, msi_ok(_metadata, in, 1, 10));
	EXPECT_EQ(LPI0 + 10, ack_eoi(_metadata, in->vfd[0]));
	EXPECT_EQ(1, msi_ok(_metadata, in, 1, 10));
	EXPECT_EQ(LPI0 + 10, ack_eoi(_metadata, in->vfd[0]));

	/* DISCARD: dropped, and its pending state is gone */
	EXPECT_EQ(1, msi_ok(_metadata, in, 1, 10));
	cmd_ev(_metadata, in, CMD_DISCARD, 1, 10);
	EXPECT_FALSE(irq_line(in->vfd[0]));
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 1, 10));
	EXPECT_FALSE(irq_line(in->vfd[0]));
	/* Mapped again to another LPI: goes there */
	cmd_mapti(_metadata, in, 1, 10, LPI0 + 40, 1);
	EXPECT_EQ(1, msi_ok(_metadata, in, 1, 10));
	EXPECT_EQ(LPI0 + 40, ack_eoi(_metadata, in->vfd[1]));

	/* MOVI: warm on vCPU 0, then collection 1 -> vCPU 1 */
	EXPECT_EQ(1, msi_ok(_metadata, in, 1, 11));
	EXPECT_EQ(LPI0 + 11, ack_eoi(_metadata, in->vfd[0]));
	its_cmd(_metadata, in, CMD_MOVI | 1ULL << 32, 11, 1, 0);
	EXPECT_EQ(1, msi_ok(_metadata, in, 1, 11));
	EXPECT_FALSE(irq_line(in->vfd[0]));
	EXPECT_EQ(LPI0 + 11, ack_eoi(_metadata, in->vfd[1]));
	/* A pending LPI moves with MOVI */
	EXPECT_EQ(1, msi_ok(_metadata, in, 1, 11));
	its_cmd(_metadata, in, CMD_MOVI | 1ULL << 32, 11, 0, 0);
	EXPECT_FALSE(irq_line(in->vfd[1]));
	EXPECT_EQ(LPI0 + 11, ack_eoi(_metadata, in->vfd[0]));

	/* MAPC moves a collection's LPIs: collection 0 -> vCPU 1 */
	cmd_mapc(_metadata, in, 0, 1, true);
	EXPECT_EQ(1, msi_ok(_metadata, in, 1, 12));
	EXPECT_EQ(LPI0 + 12, ack_eoi(_metadata, in->vfd[1]));
	/* MAPC V=0: the collection's LPIs have no target */
	cmd_mapc(_metadata, in, 0, 1, false);
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 1, 12));
	cmd_mapc(_metadata, in, 0, 0, true);
	EXPECT_EQ(1, msi_ok(_metadata, in, 1, 12));
	EXPECT_EQ(LPI0 + 12, ack_eoi(_metadata, in->vfd[0]));

	/* MAPD V=0: the whole device is gone */
	EXPECT_EQ(1, msi_ok(_metadata, in, 1, 12));
	EXPECT_EQ(LPI0 + 12, ack_eoi(_metadata, in->vfd[0]));
	cmd_mapd(_metadata, in, 1, 8, G_ITT(2), false);
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 1, 12));
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 1, 10));
	EXPECT_FALSE(irq_line(in->vfd[0]));
	EXPECT_FALSE(irq_line(in->vfd[1]));
}

TEST_F(its, movall)
{
	struct inst *in = &self->in;

	SKIP_IF_SETUP_SKIPPED();
	setup_its(_metadata, in);
	cmd_mapd(_metadata, in, 2, 4, G_ITT(3), true);
	cmd_mapti(_metadata, in, 2, 0, LPI0 + 50, 0);
	cmd_mapti(_metadata, in, 2, 1, LPI0 + 51, 0);
	EXPECT_EQ(1, msi_ok(_metadata, in, 2, 0));
	EXPECT_TRUE(irq_line(in->vfd[0]));
	its_cmd(_metadata, in, CMD_MOVALL, 0, 0, 1ULL << 16);
	EXPECT_FALSE(irq_line(in->vfd[0]));
	EXPECT_TRUE(irq_line(in->vfd[1]));
	EXPECT_EQ(LPI0 + 50, ack_eoi(_metadata, in->vfd[1]));
	EXPECT_EQ(1, msi_ok(_metadata, in, 2, 1));
	EXPECT_EQ(LPI0 + 51, ack_eoi(_metadata, in->vfd[1]));
	/* MOVALL to a vCPU that does not exist: an error, nothing moves */
	its_cmd(_metadata, in, CMD_MOVALL, 0, 1ULL << 16, 5ULL << 16);
	EXPECT_EQ(1, msi_ok(_metadata, in, 2, 1));
	EXPECT_EQ(LPI0 + 51, ack_eoi(_metadata, in->vfd[1]));
}

/* Bad commands are ignored and the queue goes on */
TEST_F(its, command_errors)
{
	struct inst *in = &self->in;
	int i;

	SKIP_IF_SETUP_SKIPPED();
	setup_its(_metadata, in);
	/* MAPTI to an unmapped device */
	cmd_mapti(_metadata, in, 3, 0, LPI0 + 60, 0);
	/* MAPD: too many EventID bits; device id beyond the table */
	cmd_mapd(_metadata, in, 3, 17, G_ITT(4), true);
	cmd_mapti(_metadata, in, 3, 0, LPI0 + 60, 0);
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 3, 0));
	cmd_mapd(_metadata, in, 9000, 4, G_ITT(4), true);
	cmd_mapti(_metadata, in, 9000, 0, LPI0 + 60, 0);
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 9000, 0));

	cmd_mapd(_metadata, in, 3, 2, G_ITT(4), true);
	/*
	 * Event beyond the ITT (2 bits), LPI out of range, collection
	 * beyond the table
	 */
	cmd_mapti(_metadata, in, 3, 4, LPI0 + 61, 0);
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 3, 4));
	cmd_mapti(_metadata, in, 3, 1, 100, 0);
	cmd_mapti(_metadata, in, 3, 1, 1U << LPI_BITS, 0);
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 3, 1));
	cmd_mapti(_metadata, in, 3, 2, LPI0 + 62, 9000);
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 3, 2));
	/* An unmapped collection: mapped, no target until MAPC */
	cmd_mapti(_metadata, in, 3, 3, LPI0 + 63, 7);
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 3, 3));
	/* MAPC of a processor that does not exist */
	cmd_mapc(_metadata, in, 7, 5, true);
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 3, 3));
	cmd_mapc(_metadata, in, 7, 1, true);
	EXPECT_EQ(1, msi_ok(_metadata, in, 3, 3));
	EXPECT_EQ(LPI0 + 63, ack_eoi(_metadata, in->vfd[1]));
	/* Commands on what does not exist, unknown commands, GICv4 */
	cmd_ev(_metadata, in, CMD_INT, 3, 0);
	cmd_ev(_metadata, in, CMD_DISCARD, 3, 0);
	cmd_ev(_metadata, in, CMD_CLEAR, 44, 0);
	cmd_ev(_metadata, in, CMD_INV, 44, 0);
	its_cmd(_metadata, in, CMD_INVALL, 0, 99, 0);
	its_cmd(_metadata, in, CMD_MOVI | 3ULL << 32, 3, 99, 0);
	its_cmd(_metadata, in, 0x2f, 0, 0, 0);
	its_cmd(_metadata, in, 0x27, ~0ULL, ~0ULL, ~0ULL);	/* VSYNC */
	EXPECT_FALSE(irq_line(in->vfd[0]));
	EXPECT_FALSE(irq_line(in->vfd[1]));
	/* The queue went on: a good mapping still works */
	cmd_mapti(_metadata, in, 3, 0, LPI0 + 64, 0);
	EXPECT_EQ(1, msi_ok(_metadata, in, 3, 0));
	EXPECT_EQ(LPI0 + 64, ack_eoi(_metadata, in->vfd[0]));
	/* A whole queue of garbage, wrapping around: bounded, and done */
	for (i = 0; i < 4096 / 32 - 1; i++)
		memset(in->mem + G_CMDQ + i * 32, 0xff, 32);
	mmio_w(_metadata, in, GITS(GITS_CWRITER), 8,
	       (mmio_r(_metadata, in, GITS(GITS_CWRITER), 8) + 4096 - 32) %
	       4096);
	EXPECT_EQ(mmio_r(_metadata, in, GITS(GITS_CWRITER), 8),
		  mmio_r(_metadata, in, GITS(GITS_CREADR), 8));
}

/* Two-level device table */
TEST_F(its, indirect_device_table)
{
	struct inst *in = &self->in;
	__u64 l1[2] = { VALID | (GBASE + G_L2(0)), 0 };

	SKIP_IF_SETUP_SKIPPED();
	memcpy(in->mem + G_DEVT, l1, sizeof(l1));
	mmio_w(_metadata, in, GITS(GITS_BASER(0)), 8,
	       VALID | INDIRECT | (GBASE + G_DEVT));
	mmio_w(_metadata, in, GITS(GITS_BASER(1)), 8, VALID | (GBASE + G_COLT));
	mmio_w(_metadata, in, GITS(GITS_CBASER), 8, VALID | (GBASE + G_CMDQ));
	mmio_w(_metadata, in, GITS(GITS_CTLR), 4, 1);
	setup_lpis(_metadata, in);
	cmd_mapc(_metadata, in, 0, 0, true);
	/* L2 page 0 covers device ids 0-8191; page 1 is invalid */
	cmd_mapd(_metadata, in, 8191, 1, G_ITT(5), true);
	cmd_mapd(_metadata, in, 8192, 1, G_ITT(6), true);
	cmd_mapti(_metadata, in, 8191, 1, LPI0 + 70, 0);
	cmd_mapti(_metadata, in, 8192, 1, LPI0 + 71, 0);
	EXPECT_EQ(1, msi_ok(_metadata, in, 8191, 1));
	EXPECT_EQ(LPI0 + 70, ack_eoi(_metadata, in->vfd[0]));
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 8192, 1));
	/* Save: the DTE lands in the level-2 page */
	EXPECT_EQ(0, ctrl(in->fd, VIRQ_GICV3_CTRL_ITS_SAVE_TABLES));
	EXPECT_EQ(VALID | ((GBASE + G_ITT(5)) >> 8) << 5,
		  *(__u64 *)(in->mem + G_L2(0) + 8191 * 8));
}

/* --- concurrency ---------------------------------------------------------- */

/* Take what is pending on every vCPU (bounded: MSIs may keep coming) */
static void drain(struct __test_metadata *_metadata, struct inst *in)
{
	int v, k;

	for (v = 0; v < NR_VCPUS; v++)
		for (k = 0; k < 64; k++)
			if (ack_eoi(_metadata, in->vfd[v]) == VIRQ_GICV3_SPURIOUS)
				break;
}

struct msi_storm {
	int fd;
	bool stop;
	long sent;
	long bad;
};

static void *msi_storm_thread(void *arg)
{
	struct msi_storm *st = arg;
	__u32 n = 0;
	int status;

	while (!__atomic_load_n(&st->stop, __ATOMIC_RELAXED)) {
		if (msi(st->fd, 4 + n % 2, n % 8, &status) ||
		    status < VIRQ_STATUS_MASKED || status > 1)
			st->bad++;
		st->sent++;
		n++;
	}
	return NULL;
}

/*
 * MSIs from another thread while the ITS unmaps, remaps and moves what
 * they translate through: no MSI fails, nothing is left behind, and the
 * final mappings deliver (run it on the debug kernel: KASAN and lockdep
 * watch the translation cache and the LPIs' lifetimes).
 */
TEST_F(its, concurrent_msi_and_commands)
{
	struct inst *in = &self->in;
	struct msi_storm st = { .fd = in->fd };
	pthread_t thread;
	int i, ev;

	SKIP_IF_SETUP_SKIPPED();
	setup_its(_metadata, in);
	cmd_mapd(_metadata, in, 4, 3, G_ITT(11), true);
	cmd_mapd(_metadata, in, 5, 3, G_ITT(12), true);
	ASSERT_EQ(0, pthread_create(&thread, NULL, msi_storm_thread, &st));
	for (i = 0; i < 300; i++) {
		ev = i % 8;
		cmd_mapti(_metadata, in, 4 + i % 2, ev, LPI0 + 400 + ev, i % 2);
		its_cmd(_metadata, in, CMD_MOVI | (__u64)(4 + i % 2) << 32, ev,
			(i / 2) % 2, 0);
		if (i % 3 == 0)
			cmd_ev(_metadata, in, CMD_DISCARD, 4 + i % 2, ev);
		if (i % 50 == 49)
			cmd_mapd(_metadata, in, 4 + i % 2, 3,
				 G_ITT(11 + i % 2), true);
		if (i % 25 == 0)
			its_cmd(_metadata, in, CMD_MOVALL, 0, (__u64)(i % 2) << 16,
				(__u64)(1 - i % 2) << 16);
		drain(_metadata, in);
	}
	__atomic_store_n(&st.stop, true, __ATOMIC_RELAXED);
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(0, st.bad);
	EXPECT_LT(0, st.sent);
	drain(_metadata, in);
	/* What is mapped now delivers, exactly once */
	cmd_mapd(_metadata, in, 4, 3, G_ITT(11), true);
	for (ev = 0; ev < 8; ev++)
		cmd_mapti(_metadata, in, 4, ev, LPI0 + 500 + ev, ev % 2);
	for (ev = 0; ev < 8; ev++) {
		EXPECT_EQ(1, msi_ok(_metadata, in, 4, ev));
		EXPECT_EQ(LPI0 + 500 + ev, ack_eoi(_metadata, in->vfd[ev % 2]));
		EXPECT_EQ(VIRQ_GICV3_SPURIOUS,
			  ack_eoi(_metadata, in->vfd[ev % 2]));
	}
}

/* --- save and restore -------------------------------------------------- */

static const __u64 its_regs[] = {
	GITS_IIDR, GITS_CBASER, GITS_CREADR, GITS_CWRITER, GITS_BASER(0),
	GITS_BASER(1),
};

static __u32 its_reg_size(__u64 off)
{
	return off == GITS_IIDR || off == GITS_CTLR ? 4 : 8;
}

static int redist_attr(int vfd, bool set, __u64 off, __u64 *val, __u32 size)
{
	struct virq_attr a = {
		.group = VIRQ_GICV3_VGRP_REDIST_REGS,
		.attr = off,
		.addr = (uintptr_t)val,
		.size = size,
	};

	return ioctl(vfd, set ? VIRQ_VCPU_SET_ATTR : VIRQ_VCPU_GET_ATTR, &a);
}

static int sysreg_attr(int vfd, bool set, __u64 reg, __u64 *val)
{
	struct virq_attr a = {
		.group = VIRQ_GICV3_VGRP_CPU_SYSREGS,
		.attr = reg,
		.addr = (uintptr_t)val,
		.size = 8,
	};

	return ioctl(vfd, set ? VIRQ_VCPU_SET_ATTR : VIRQ_VCPU_GET_ATTR, &a);
}

TEST_F(its, save_restore)
{
	static const __u64 rd_regs[] = { GICR_PROPBASER, GICR_PENDBASER,
					 GICR_CTLR };
	static const __u64 sysregs[] = { VIRQ_GICV3_ICC_PMR_EL1,
					 VIRQ_GICV3_ICC_IGRPEN1_EL1 };
	struct inst *in = &self->in, copy;
	/* 4-byte registers land in the low half: zero the rest */
	__u64 regs[6] = { 0 }, rd[NR_VCPUS][3] = { { 0 } }, sr[NR_VCPUS][2];
	__u64 ctlr = 0, v = 0, ite, dte;
	unsigned int i, j;
	uint8_t *mem2;

	SKIP_IF_SETUP_SKIPPED();
	setup_its(_metadata, in);
	cmd_mapd(_metadata, in, 0x40, 6, G_ITT(7), true);
	cmd_mapd(_metadata, in, 0x1000, 2, G_ITT(8), true);
	cmd_mapti(_metadata, in, 0x40, 0, LPI0 + 200, 0);
	cmd_mapti(_metadata, in, 0x40, 63, LPI0 + 201, 1);
	cmd_mapti(_metadata, in, 0x1000, 3, LPI0 + 203, 1);
	cmd_mapd(_metadata, in, 0x41, 1, G_ITT(9), true);	/* empty */
	/* Mid-flight: one pending LPI on each vCPU, one disabled+pending */
	EXPECT_EQ(1, msi_ok(_metadata, in, 0x40, 0));
	EXPECT_EQ(1, msi_ok(_metadata, in, 0x40, 63));
	prop_set(in, LPI0 + 203, 0xa0);
	cmd_ev(_metadata, in, CMD_INV, 0x1000, 3);
	EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, in, 0x1000, 3));

	/* Save: pending tables, ITS tables, registers */
	EXPECT_EQ(0, ctrl(in->fd, VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES));
	EXPECT_EQ(0, ctrl(in->fd, VIRQ_GICV3_CTRL_ITS_SAVE_TABLES));
	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, attr_its(in->fd, false, its_regs[i], &regs[i],
				      its_reg_size(its_regs[i])));
	ASSERT_EQ(0, attr_its(in->fd, false, GITS_CTLR, &ctlr, 4));
	EXPECT_EQ(1ULL, ctlr & 1);
	for (j = 0; j < NR_VCPUS; j++) {
		for (i = 0; i < 3; i++)
			ASSERT_EQ(0, redist_attr(in->vfd[j], false, rd_regs[i],
						 &rd[j][i], i == 2 ? 4 : 8));
		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, sysreg_attr(in->vfd[j], false, sysregs[i],
						 &sr[j][i]));
	}

	/* The ABI revision 0 layout in guest memory */
	dte = *(__u64 *)(in->mem + G_DEVT + 0x40 * 8);
	EXPECT_EQ(VALID | 1ULL << 49 | ((GBASE + G_ITT(7)) >> 8) << 5 | 5,
		  dte);
	ite = *(__u64 *)(in->mem + G_ITT(7));
	EXPECT_EQ(63ULL << 48 | (__u64)(LPI0 + 200) << 16 | 0, ite);
	ite = *(__u64 *)(in->mem + G_ITT(7) + 63 * 8);
	EXPECT_EQ((__u64)(LPI0 + 201) << 16 | 1, ite);
	EXPECT_EQ(VALID | 0ULL << 16 | 0,
		  *(__u64 *)(in->mem + G_COLT));
	EXPECT_EQ(VALID | 1ULL << 16 | 1,
		  *(__u64 *)(in->mem + G_COLT + 8));
	EXPECT_EQ(0ULL, *(__u64 *)(in->mem + G_COLT + 16));
	EXPECT_TRUE(pend_bit(in, 0, LPI0 + 200));
	EXPECT_TRUE(pend_bit(in, 1, LPI0 + 201));
	EXPECT_TRUE(pend_bit(in, 1, LPI0 + 203));

	/* A fresh instance on a copy of guest memory */
	mem2 = mem_alloc();
	ASSERT_NE(NULL, mem2);
	memcpy(mem2, in->mem, GSIZE);
	ASSERT_EQ(0, inst_open(&copy, true, mem2));
	for (j = 0; j < NR_VCPUS; j++) {
		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, sysreg_attr(copy.vfd[j], true, sysregs[i],
						 &sr[j][i]));
		for (i = 0; i < 3; i++)
			ASSERT_EQ(0, redist_attr(copy.vfd[j], true, rd_regs[i],
						 &rd[j][i], i == 2 ? 4 : 8));
	}
	/* IIDR first, CBASER before CREADR, tables, CTLR last */
	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, attr_its(copy.fd, true, its_regs[i], &regs[i],
				      its_reg_size(its_regs[i])));
	ASSERT_EQ(0, ctrl(copy.fd, VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES));
	ASSERT_EQ(0, attr_its(copy.fd, true, GITS_CTLR, &ctlr, 4));
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, attr_its(copy.fd, false, its_regs[i], &v,
				      its_reg_size(its_regs[i])));
		EXPECT_EQ(regs[i], v);
	}

	/* Identical delivery: the pending ones first, then new MSIs */
	for (j = 0; j < 2; j++) {
		struct inst *x = j ? &copy : in;

		EXPECT_EQ(LPI0 + 200, ack_eoi(_metadata, x->vfd[0]));
		EXPECT_EQ(LPI0 + 201, ack_eoi(_metadata, x->vfd[1]));
		EXPECT_EQ(VIRQ_GICV3_SPURIOUS, ack_eoi(_metadata, x->vfd[1]));
		prop_set(x, LPI0 + 203, 0xa1);
		cmd_ev(_metadata, x, CMD_INV, 0x1000, 3);
		EXPECT_EQ(LPI0 + 203, ack_eoi(_metadata, x->vfd[1]));
		EXPECT_EQ(1, msi_ok(_metadata, x, 0x40, 63));
		EXPECT_EQ(LPI0 + 201, ack_eoi(_metadata, x->vfd[1]));
		EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, x, 0x41, 0));
		cmd_mapti(_metadata, x, 0x41, 1, LPI0 + 300, 1);
		EXPECT_EQ(1, msi_ok(_metadata, x, 0x41, 1));
		EXPECT_EQ(LPI0 + 300, ack_eoi(_metadata, x->vfd[1]));
		/* DISCARD works on restored ITEs */
		cmd_ev(_metadata, x, CMD_DISCARD, 0x40, 0);
		EXPECT_EQ(VIRQ_STATUS_MASKED, msi_ok(_metadata, x, 0x40, 0));
	}
	inst_close(&copy);
	munmap(mem2, GSIZE);
}

/* --- errnos -------------------------------------------------------------- */

TEST_F(its, attr_errnos)
{
	struct inst *in = &self->in;
	struct virq_attr a = { .group = VIRQ_GICV3_GRP_ITS_REGS };
	__u64 v = 0;

	SKIP_IF_SETUP_SKIPPED();
	/* Width other than the register's */
	EXPECT_EQ(-1, attr_its(in->fd, true, GITS_CBASER, &v, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, attr_its(in->fd, false, GITS_CBASER, &v, 4));
	EXPECT_EQ(ENOSPC, errno);
	/* Not a register, or not state */
	EXPECT_EQ(-1, attr_its(in->fd, false, 0x200, &v, 8));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, attr_its(in->fd, false, VIRQ_GICV3_GITS_TRANSLATER,
			       &v, 4));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, attr_its(in->fd, false, VIRQ_GICV3_ITS_SIZE, &v, 4));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, attr_its(in->fd, false, GITS_CBASER + 4, &v, 8));
	EXPECT_EQ(EINVAL, errno);
	a.attr = VIRQ_GICV3_GITS_TRANSLATER;
	EXPECT_EQ(-1, ioctl(in->fd, VIRQ_HAS_ATTR, &a));
	EXPECT_EQ(ENXIO, errno);
	a.attr = GITS_CREADR;
	EXPECT_EQ(0, ioctl(in->fd, VIRQ_HAS_ATTR, &a));
	/* Read-only registers must match */
	ASSERT_EQ(0, attr_its(in->fd, false, GITS_IIDR, &v, 4));
	EXPECT_EQ(0, attr_its(in->fd, true, GITS_IIDR, &v, 4));
	v ^= 1 << 12;	/* another table ABI revision */
	EXPECT_EQ(-1, attr_its(in->fd, true, GITS_IIDR, &v, 4));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, attr_its(in->fd, false, GITS_TYPER, &v, 8));
	v ^= 1ULL << 19;
	EXPECT_EQ(-1, attr_its(in->fd, true, GITS_TYPER, &v, 8));
	EXPECT_EQ(EINVAL, errno);
	/* CREADR: within the queue, and only while disabled */
	v = 0x1000;
	EXPECT_EQ(-1, attr_its(in->fd, true, GITS_CREADR, &v, 8));
	EXPECT_EQ(EINVAL, errno);
	v = 0x20;
	EXPECT_EQ(0, attr_its(in->fd, true, GITS_CREADR, &v, 8));
	setup_its(_metadata, in);
	EXPECT_EQ(-1, attr_its(in->fd, true, GITS_CREADR, &v, 8));
	EXPECT_EQ(EBUSY, errno);
	v = VALID | (GBASE + G_CMDQ);
	EXPECT_EQ(-1, attr_its(in->fd, true, GITS_CBASER, &v, 8));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, ctrl(in->fd, VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES));
	EXPECT_EQ(EBUSY, errno);
	/* Tables outside guest memory */
	cmd_mapd(_metadata, in, 5, 2, 0x100000, true);	/* ITT not in memory */
	EXPECT_EQ(-1, ctrl(in->fd, VIRQ_GICV3_CTRL_ITS_SAVE_TABLES));
	EXPECT_EQ(EFAULT, errno);
	/* CTRL attributes take no value */
	a.group = VIRQ_GICV3_GRP_CTRL;
	a.attr = VIRQ_GICV3_CTRL_ITS_SAVE_TABLES;
	a.addr = (uintptr_t)&v;
	a.size = 8;
	EXPECT_EQ(-1, ioctl(in->fd, VIRQ_SET_ATTR, &a));
	EXPECT_EQ(EINVAL, errno);
	a.attr = 99;
	a.size = 0;
	EXPECT_EQ(-1, ioctl(in->fd, VIRQ_SET_ATTR, &a));
	EXPECT_EQ(ENXIO, errno);
}

TEST_F(its, restore_errnos)
{
	struct inst *in = &self->in;
	__u64 bad_cte = VALID | 9ULL << 16 | 3;	/* vCPU 9 does not exist */
	__u64 bad_dte = VALID | 20;		/* 21 EventID bits */
	__u64 bad_ite = 8ULL << 16;		/* pINTID 8 */
	__u64 zero = 0;

	SKIP_IF_SETUP_SKIPPED();
	setup_lpis(_metadata, in);
	mmio_w(_metadata, in, GITS(GITS_BASER(0)), 8, VALID | (GBASE + G_DEVT));
	mmio_w(_metadata, in, GITS(GITS_BASER(1)), 8, VALID | (GBASE + G_COLT));
	memcpy(in->mem + G_COLT, &bad_cte, 8);
	EXPECT_EQ(-1, ctrl(in->fd, VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES));
	EXPECT_EQ(EINVAL, errno);
	memcpy(in->mem + G_COLT, &zero, 8);
	memcpy(in->mem + G_DEVT + 8, &bad_dte, 8);
	EXPECT_EQ(-1, ctrl(in->fd, VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES));
	EXPECT_EQ(EINVAL, errno);
	bad_dte = VALID | ((GBASE + G_ITT(0)) >> 8) << 5 | 3;
	memcpy(in->mem + G_DEVT + 8, &bad_dte, 8);
	memcpy(in->mem + G_ITT(0) + 8, &bad_ite, 8);
	EXPECT_EQ(-1, ctrl(in->fd, VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES));
	EXPECT_EQ(EINVAL, errno);
	/* An ITT outside guest memory */
	bad_dte = VALID | (0x200000ULL >> 8) << 5 | 3;
	memcpy(in->mem + G_DEVT + 8, &bad_dte, 8);
	EXPECT_EQ(-1, ctrl(in->fd, VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES));
	EXPECT_EQ(EFAULT, errno);
	/* Empty tables restore to nothing */
	memcpy(in->mem + G_DEVT + 8, &zero, 8);
	EXPECT_EQ(0, ctrl(in->fd, VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES));
}

/*
 * Restoring GICR_CTLR.EnableLPIs with a pending table outside guest
 * memory fails with EFAULT and leaves EnableLPIs clear: the same SET
 * works once PENDBASER is right.
 */
TEST_F(its, enable_lpis_efault)
{
	struct inst *in = &self->in;
	__u64 prop = (GBASE + G_PROP) | (LPI_BITS - 1);
	__u64 pend = GBASE + GSIZE, on = 1, ctlr;
	int vfd = in->vfd[0];

	SKIP_IF_SETUP_SKIPPED();
	prop_set(in, LPI0 + 9, PROP_DEFAULT);
	in->mem[G_PEND(0) + (LPI0 + 9) / 8] |= 1 << ((LPI0 + 9) % 8);
	sysreg_w(_metadata, vfd, VIRQ_GICV3_ICC_PMR_EL1, 0xff);
	sysreg_w(_metadata, vfd, VIRQ_GICV3_ICC_IGRPEN1_EL1, 1);
	ASSERT_EQ(0, redist_attr(vfd, true, GICR_PROPBASER, &prop, 8));
	ASSERT_EQ(0, redist_attr(vfd, true, GICR_PENDBASER, &pend, 8));
	EXPECT_EQ(-1, redist_attr(vfd, true, GICR_CTLR, &on, 4));
	EXPECT_EQ(EFAULT, errno);
	ctlr = ~0ULL;
	EXPECT_EQ(0, redist_attr(vfd, false, GICR_CTLR, &ctlr, 4));
	EXPECT_EQ(0ULL, ctlr & 1);
	pend = GBASE + G_PEND(0);
	ASSERT_EQ(0, redist_attr(vfd, true, GICR_PENDBASER, &pend, 8));
	EXPECT_EQ(0, redist_attr(vfd, true, GICR_CTLR, &on, 4));
	EXPECT_EQ(0, redist_attr(vfd, false, GICR_CTLR, &ctlr, 4));
	EXPECT_EQ(1ULL, ctlr & 1);
	EXPECT_EQ(LPI0 + 9, ack_eoi(_metadata, vfd));
}

/*
 * Equal priorities: by INTID whatever the order they became pending in
 * (so a restored chip delivers as the original), an SPI before LPIs; an
 * INV of a pending LPI changes nothing.
 */
TEST_F(its, lpi_order)
{
	struct virq_irq_line spi = { .source = 40, .op = VIRQ_LINE_EDGE };
	struct inst *in = &self->in;
	int vfd = in->vfd[0];

	SKIP_IF_SETUP_SKIPPED();
	setup_its(_metadata, in);
	cmd_mapd(_metadata, in, 1, 4, G_ITT(1), true);
	cmd_mapti(_metadata, in, 1, 0, LPI0 + 9, 0);
	cmd_mapti(_metadata, in, 1, 1, LPI0 + 3, 0);
	cmd_mapti(_metadata, in, 1, 2, LPI0 + 5, 0);
	/* SPI 40: group 1, enabled, the LPIs' priority 0xa0 */
	mmio_w(_metadata, in, DIST_BASE, 4, 2);
	mmio_w(_metadata, in, DIST_BASE + 0x104, 4, 1 << 8);
	mmio_w(_metadata, in, DIST_BASE + 0x400 + 40, 1, 0xa0);
	EXPECT_EQ(1, msi_ok(_metadata, in, 1, 0));
	/* LPI0 + 3 goes before LPI0 + 9: it is presented */
	EXPECT_EQ(1, msi_ok(_metadata, in, 1, 1));
	EXPECT_EQ(0, ioctl(in->fd, VIRQ_IRQ_LINE, &spi));
	EXPECT_EQ(VIRQ_STATUS_COALESCED, msi_ok(_metadata, in, 1, 2));
	cmd_ev(_metadata, in, CMD_INV, 1, 1);
	EXPECT_EQ(40, ack_eoi(_metadata, vfd));
	EXPECT_EQ(LPI0 + 3, ack_eoi(_metadata, vfd));
	EXPECT_EQ(LPI0 + 5, ack_eoi(_metadata, vfd));
	EXPECT_EQ(LPI0 + 9, ack_eoi(_metadata, vfd));
	EXPECT_EQ(VIRQ_GICV3_SPURIOUS, ack_eoi(_metadata, vfd));
}

TEST(msi_errnos)
{
	struct virq_msi m = {
		.address_lo = (__u32)TRANSLATER,
		.data = 0,
		.flags = 0,
	};
	struct virq_irqfd irqfd = {
		.flags = VIRQ_IRQFD_FLAG_MSI,
		.msi = { .address_lo = (__u32)TRANSLATER },
	};
	struct inst in;
	uint8_t *mem;
	__u64 v;

	if (!have_gicv3())
		SKIP(return, "no /dev/virq with the GICv3 ITS");
	mem = mem_alloc();
	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, inst_open(&in, true, mem));
	/* The ITS form needs a device id */
	EXPECT_EQ(-1, ioctl(in.fd, VIRQ_SIGNAL_MSI, &m));
	EXPECT_EQ(EINVAL, errno);
	m.flags = VIRQ_MSI_FLAG_DEVID | 2;
	EXPECT_EQ(-1, ioctl(in.fd, VIRQ_SIGNAL_MSI, &m));
	EXPECT_EQ(EINVAL, errno);
	/* Not the doorbell */
	m.flags = VIRQ_MSI_FLAG_DEVID;
	m.address_lo += 4;
	EXPECT_EQ(-1, ioctl(in.fd, VIRQ_SIGNAL_MSI, &m));
	EXPECT_EQ(EINVAL, errno);
	/* A device id beyond Devbits is simply dropped */
	m.address_lo -= 4;
	m.devid = 0xffffffff;
	m.status = 0x55;
	EXPECT_EQ(0, ioctl(in.fd, VIRQ_SIGNAL_MSI, &m));
	EXPECT_EQ(VIRQ_STATUS_MASKED, m.status);
	/* An MSI irqfd to the doorbell without a device id */
	irqfd.fd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, (int)irqfd.fd);
	EXPECT_EQ(-1, ioctl(in.fd, VIRQ_IRQFD, &irqfd));
	EXPECT_EQ(EINVAL, errno);
	close(irqfd.fd);
	inst_close(&in);

	/* Without an ITS: no doorbell, no ITS attributes */
	memset(mem, 0, GSIZE);
	ASSERT_EQ(0, inst_open(&in, false, mem));
	EXPECT_EQ(-1, ioctl(in.fd, VIRQ_SIGNAL_MSI, &m));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, attr_its(in.fd, false, GITS_CTLR, &v, 4));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ctrl(in.fd, VIRQ_GICV3_CTRL_ITS_SAVE_TABLES));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ctrl(in.fd, VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES));
	EXPECT_EQ(ENXIO, errno);
	/* LPIs without an ITS still work through SETLPIR */
	for (v = LPI0; v < (1U << LPI_BITS); v++)
		mem[G_PROP + v - LPI0] = PROP_DEFAULT;
	mmio_w(_metadata, &in, GICR(0, GICR_PROPBASER), 8,
	       (GBASE + G_PROP) | (LPI_BITS - 1));
	/* A pending table outside guest memory (PTZ: not read) */
	mmio_w(_metadata, &in, GICR(0, GICR_PENDBASER), 8, (GBASE + GSIZE) | PTZ);
	mmio_w(_metadata, &in, GICR(0, GICR_CTLR), 4, 1);
	sysreg_w(_metadata, in.vfd[0], VIRQ_GICV3_ICC_PMR_EL1, 0xff);
	sysreg_w(_metadata, in.vfd[0], VIRQ_GICV3_ICC_IGRPEN1_EL1, 1);
	mmio_w(_metadata, &in, GICR(0, GICR_SETLPIR), 8, LPI0 + 1);
	EXPECT_TRUE(irq_line(in.vfd[0]));
	EXPECT_EQ(-1, ctrl(in.fd, VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(LPI0 + 1, ack_eoi(_metadata, in.vfd[0]));
	inst_close(&in);
	munmap(mem, GSIZE);
}

TEST_HARNESS_MAIN
