// SPDX-License-Identifier: GPL-2.0
/*
 * gicv3_bench: the GICv3 family's figures for `make bench`, in the guest.
 * Ratios, not times (machines are noisy, TCG guests slower still): each
 * cost is divided by a null ioctl on the same fd measured in the same
 * run, pass by pass between the passes of the operation (measure()).
 * The null ioctl is the one bench/virq_bench.c uses: an unknown
 * command (_IO(VIRQIO, 0x3f) on the virq instance, _IO(KVMIO, 0x3f) on
 * the KVM VM), the fd's ioctl dispatch and nothing else.  KVM's
 * KVM_CHECK_EXTENSION on the VM fd is shown beside it.
 *
 * 1. Injection, virq: a chip with an ITS (lpi_bits 16), 64 sources and 2
 *    vCPUs (MPIDR 0 and 1) programmed as Linux does: GICD_CTLR ARE and
 *    EnableGrp1, ICC_PMR_EL1 0xf0, ICC_IGRPEN1_EL1 1, EnableLPIs with a
 *    property table (priority 0xa0, enabled) and a pending table each,
 *    ITS tables and queue in guest memory, collection 0 on vCPU 0.
 *    - SPI 40, level, enabled, routed to vCPU 0, driven 1, 0, 1, ... with
 *      VIRQ_IRQ_LINE: every SET raises the line of an idle SPI (it
 *      becomes pending and is signalled: status 1), every RESET lowers
 *      it (nobody acknowledged it: it is no longer pending).  This is the
 *      row to compare with KVM, whose KVM_IRQ_LINE has no edge operation
 *      and is driven the same way on the same SPI.
 *    - SPI 41, edge: VIRQ_LINE_EDGE alone (pending after the first call:
 *      every later call takes the whole path to find it pending), and
 *      a delivered round: edge, ICC_IAR1_EL1, ICC_EOIR1_EL1 through
 *      VIRQ_VCPU_ACCESS (three ioctls; every IAR checked).
 *    - VIRQ_SIGNAL_MSI to the ITS with a device id.  Warm: always device
 *      0 event 0 (LPI 8192): one translation-cache slot, hit every time.
 *      Cold: 1024 (device, event) pairs, devices 1-16 x events 0-63
 *      (LPIs 8256-9279), sent in turn: 4 times the 256 entries of the
 *      direct-mapped cache (virq/arm/gicv3-its.c), so almost every MSI
 *      finds its slot taken by another pair and walks the device and
 *      ITE xarrays.  The cache's hit and miss counters (the instance's
 *      debugfs "state") are read around each run and printed.  In both
 *      the LPI is pending after the first call and the ITS's work is the
 *      translation; a delivered warm round (MSI, IAR, EOI) is shown too.
 *    - KVM (arm64 only): a VM with 2 vCPUs (KVM_ARM_VCPU_INIT), a
 *      vgic-v3 (64 IRQs) and a vgic-its at the same addresses, one
 *      memslot over the same layout, programmed the same way through
 *      KVM's device attributes (no guest code runs), the same commands
 *      queued.  KVM_IRQ_LINE 1/0 on SPI 40, KVM_SIGNAL_MSI warm and cold
 *      (KVM's translation cache is an LRU of 16 entries per vCPU: 32
 *      here, so the 1024-pair cycle misses every time and walks KVM's
 *      device and ITE lists).
 * 2. Save and restore, virq, one run each: 1024 vCPUs (max_vcpus if
 *    lower: said), 256 sources, lpi_bits 17, 65536 LPIs mapped through
 *    the ITS (64 devices x 1024 events, event e in collection e on vCPU
 *    e), one in 8 pending (8192 MSIs).  Save: SAVE_PENDING_TABLES, the
 *    ITS tables (ITS_SAVE_TABLES), then the registers: GICD_IIDR and
 *    GICD_CTLR, the SPIs' source words (VIRQ_GET_SOURCES), each vCPU's
 *    RD-frame registers, CPU interface registers and private words, the
 *    ITS registers.  The guest memory holding the tables is copied to a
 *    second mapping (timed apart: a VMM migrates RAM anyway).  Restore
 *    into a fresh chip on the copy, in the documented order (gicv3.rst,
 *    gicv3-its.rst).  Creating the chips and vCPUs is not timed.  The
 *    round trip is checked: the restored chip's own SAVE_PENDING_TABLES
 *    and ITS_SAVE_TABLES must write the same bytes, its registers must
 *    read the same, and both chips must deliver the same LPIs to the
 *    same vCPUs; a difference exits 1.
 *
 * Usage: gicv3_bench [calls per case, default 20000]
 * x86 guest (virq's figures): `make bench` (scripts/bench.sh).  arm64
 * guest with KVM's figures beside virq's, by hand (not in `make bench`:
 * it needs the arm64 kernel, cross tools and an arm64 virq.ko, which
 * scripts/matrix.sh's 6.1-arm64 cell provides; about 1 minute of guest
 * time at 5000 calls):
 *   GUEST_ARCH=arm64 bash scripts/guest-kernel.sh BUILD  (KVER, KDIR, ...)
 *   make -C KDIR M=<copy of Kbuild Kconfig include virq> ARCH=arm64 \
 *	CROSS_COMPILE=aarch64-linux-gnu- modules
 *   cd bench && aarch64-linux-gnu-gcc -static -O2 -I../include/uapi \
 *	-o /tmp/gicv3_bench.arm64 gicv3_bench.c
 *   tools/vm/run.sh --arch arm64 --kvm-ref --kver 6.1.0-N-arm64 \
 *	--guest-dir BUILD/guest/6.1.0-N-arm64 --module <that virq.ko> \
 *	--out /tmp/g3b-vm --prog-timeout 1200 -- /tmp/gicv3_bench.arm64 5000
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <linux/virq.h>
#ifdef __aarch64__
#include <linux/kvm.h>
#endif

static long iters = 20000;

/* --- GIC layout, shared by both sides --------------------------------- */

#define DIST		VIRQ_GICV3_DEFAULT_DIST_BASE
#define REDIST		VIRQ_GICV3_DEFAULT_REDIST_BASE
#define ITS		VIRQ_GICV3_DEFAULT_ITS_BASE
#define TRANSLATER	(ITS + VIRQ_GICV3_GITS_TRANSLATER)
#define LPI0		VIRQ_GICV3_FIRST_LPI

#define GICD_CTLR	0x0000
#define GICD_IIDR	0x0008
#define GICD_ISENABLER	0x0100
#define GICD_IPRIORITYR	0x0400
#define GICD_ICFGR	0x0c00
#define GICD_IROUTER	0x6000
#define GICR_CTLR	0x0000
#define GICR_WAKER	0x0014
#define GICR_PROPBASER	0x0070
#define GICR_PENDBASER	0x0078
#define GITS_CTLR	0x0000
#define GITS_IIDR	0x0004
#define GITS_CBASER	0x0080
#define GITS_CWRITER	0x0088
#define GITS_CREADR	0x0090
#define GITS_BASER(n)	(0x0100 + (n) * 8)

#define CTLR_ARE_GRP1	0x12	/* ARE, EnableGrp1 */
#define VALID		(1ULL << 63)
#define CACHE_WAWB	(7ULL)	/* read/write-allocate write-back */
#define SHARE_INNER	(1ULL << 10)
#define TAB_ATTR	(CACHE_WAWB << 59 | SHARE_INNER)
#define BASER_64K	(2ULL << 8)
#define RD_ATTR		(CACHE_WAWB << 7 | SHARE_INNER)
#define PROP_ON		0xa1	/* priority 0xa0, enabled */

#define CMD_SYNC	0x05
#define CMD_MAPD	0x08
#define CMD_MAPC	0x09
#define CMD_MAPTI	0x0a

/* The injection chips: 2 vCPUs, 64 sources, one 1 MiB memory slot */
#define I_VCPUS		2
#define I_SOURCES	64
#define I_LPI_BITS	16
#define SPI_LEVEL	40
#define SPI_EDGE	41
#define GBASE		0x40000000ULL
#define I_GSIZE		0x100000ULL
#define I_PROP		0x00000ULL
#define I_PEND(v)	(0x10000ULL + (v) * 0x10000ULL)
#define I_CMDQ		0x30000ULL	/* 64 KiB: 2048 commands */
#define I_CMDQ_PAGES	16
#define I_DEVT		0x40000ULL
#define I_COLT		0x50000ULL
#define I_ITT(d)	(0x60000ULL + (d) * 0x200ULL)	/* 64 events */
#define COLD_DEVS	16
#define COLD_EVENTS	64
#define COLD_PAIRS	(COLD_DEVS * COLD_EVENTS)
#define COLD_LPI(k)	(LPI0 + COLD_EVENTS + (k))

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double now_ms(void)
{
	return now_ns() / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "gicv3_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void fail(const char *what)
{
	fprintf(stderr, "gicv3_bench: %s\n", what);
	exit(1);
}

/**
 * struct side - one interrupt controller under measurement
 * @kvm: a KVM VM (else a virq instance)
 * @fd: the virq instance, or the KVM VM
 * @vfd: vCPU fds
 * @gic: KVM's vgic-v3 device fd
 * @its: KVM's vgic-its device fd
 * @mpidr: the vCPUs' MPIDR_EL1 affinity
 * @mem: guest memory (I_GSIZE bytes at GBASE)
 * @cmd_wr: next command queue offset
 * @status: delivered / coalesced / dropped counts of the last run
 */
struct side {
	bool kvm;
	int fd;
	int vfd[I_VCPUS];
	int gic;
	int its;
	__u64 mpidr[I_VCPUS];
	uint8_t *mem;
	__u64 cmd_wr;
	long status[3];
};

/* --- register access: the guest's MMIO (virq) or KVM's attributes ----- */

static int vaccess(int vfd, __u32 space, __u64 addr, __u32 len, bool write,
		   __u64 *val)
{
	struct virq_access a = {
		.space = space, .addr = addr, .len = len,
		.flags = write ? VIRQ_ACCESS_WRITE : 0,
		.data = write ? *val : 0,
	};

	if (ioctl(vfd, VIRQ_VCPU_ACCESS, &a))
		return -1;
	*val = a.data;
	return 0;
}

#ifdef __aarch64__
static __u64 mpidr_attr(__u64 mpidr)
{
	return (((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff)) << 32;
}

static int kattr(int fd, bool set, __u32 group, __u64 attr, void *p)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (uintptr_t)p,
	};

	return ioctl(fd, set ? KVM_SET_DEVICE_ATTR : KVM_GET_DEVICE_ATTR, &a);
}

/* A GICD or GICR register through KVM's uaccess: 32-bit halves */
static int kreg(struct side *s, int v, __u32 off, __u32 len, __u64 val)
{
	__u32 group = v < 0 ? KVM_DEV_ARM_VGIC_GRP_DIST_REGS :
			      KVM_DEV_ARM_VGIC_GRP_REDIST_REGS;
	__u64 attr = v < 0 ? 0 : mpidr_attr(s->mpidr[v]);
	__u32 lo = val, hi = val >> 32;

	if (len == 1) {		/* a priority byte: read, modify, write */
		if (kattr(s->gic, false, group, attr | (off & ~3U), &lo))
			return -1;
		lo &= ~(0xffU << (off & 3) * 8);
		lo |= (__u32)val << (off & 3) * 8;
		return kattr(s->gic, true, group, attr | (off & ~3U), &lo);
	}
	if (kattr(s->gic, true, group, attr | off, &lo))
		return -1;
	return len == 8 ? kattr(s->gic, true, group, attr | (off + 4), &hi) :
			  0;
}
#endif

/* Distributor (@v < 0) or redistributor @v register write */
static void gic_w(struct side *s, int v, __u32 off, __u32 len, __u64 val)
{
	__u64 addr = v < 0 ? DIST + off :
			     REDIST + v * VIRQ_GICV3_REDIST_SIZE + off;
	int ret;

#ifdef __aarch64__
	if (s->kvm)
		ret = kreg(s, v, off, len, val);
	else
#endif
		ret = vaccess(s->vfd[0], VIRQ_SPACE_MMIO, addr, len, true,
			      &val);
	if (ret)
		die("GIC register write");
}

static void icc_w(struct side *s, int v, __u64 reg, __u64 val)
{
	int ret;

#ifdef __aarch64__
	if (s->kvm)
		ret = kattr(s->gic, true, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
			    mpidr_attr(s->mpidr[v]) | reg, &val);
	else
#endif
		ret = vaccess(s->vfd[v], VIRQ_SPACE_SYSREG, reg, 8, true,
			      &val);
	if (ret)
		die("ICC register write");
}

static void gits_w(struct side *s, __u32 off, __u64 val)
{
	int ret;

#ifdef __aarch64__
	if (s->kvm)
		ret = kattr(s->its, true, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, off,
			    &val);
	else
#endif
		ret = vaccess(s->vfd[0], VIRQ_SPACE_MMIO, ITS + off,
			      off == GITS_CTLR ? 4 : 8, true, &val);
	if (ret)
		die("GITS register write");
}

/*
 * Queue a command in the @pages x 4 KiB queue at @q; ring CWRITER every
 * @ring commands and when @flush
 */
static void cmd(struct side *s, __u64 q, unsigned int pages, __u64 c0,
		__u64 c1, __u64 c2, bool flush)
{
	__u64 c[4] = { c0, c1, c2, 0 };
	__u64 size = pages * 4096ULL;

	memcpy(s->mem + q + s->cmd_wr, c, sizeof(c));
	s->cmd_wr = (s->cmd_wr + 32) % size;
	if (flush || !(s->cmd_wr % (size / 2)))
		gits_w(s, GITS_CWRITER, s->cmd_wr);
}

/* Program @s as Linux's drivers would, and map the benchmark's events */
static void inject_program(struct side *s)
{
	unsigned int v, d, e;
	__u32 i;

	for (i = 0; i < COLD_LPI(COLD_PAIRS) - LPI0; i++)
		s->mem[I_PROP + i] = PROP_ON;
	gic_w(s, -1, GICD_CTLR, 4, CTLR_ARE_GRP1);
	for (i = SPI_LEVEL; i <= SPI_EDGE; i++) {
		gic_w(s, -1, GICD_IPRIORITYR + i, 1, 0xa0);
		gic_w(s, -1, GICD_IROUTER + 8 * i, 8, s->mpidr[0]);
	}
	/* ICFGR2 covers INTIDs 32-47: SPI 41 edge, SPI 40 level */
	gic_w(s, -1, GICD_ICFGR + 4 * (SPI_EDGE / 16), 4,
	      2U << 2 * (SPI_EDGE % 16));
	gic_w(s, -1, GICD_ISENABLER + 4, 4,
	      1U << (SPI_LEVEL - 32) | 1U << (SPI_EDGE - 32));
	for (v = 0; v < I_VCPUS; v++) {
		if (!s->kvm)
			gic_w(s, v, GICR_WAKER, 4, 0);
		gic_w(s, v, GICR_PROPBASER, 8,
		      (GBASE + I_PROP) | RD_ATTR | (I_LPI_BITS - 1));
		gic_w(s, v, GICR_PENDBASER, 8, (GBASE + I_PEND(v)) | RD_ATTR);
		gic_w(s, v, GICR_CTLR, 4, 1);
		icc_w(s, v, VIRQ_GICV3_ICC_PMR_EL1, 0xf0);
		icc_w(s, v, VIRQ_GICV3_ICC_IGRPEN1_EL1, 1);
	}
	gits_w(s, GITS_CBASER, VALID | TAB_ATTR | (GBASE + I_CMDQ) |
	       (I_CMDQ_PAGES - 1));
	gits_w(s, GITS_BASER(0), VALID | TAB_ATTR | BASER_64K |
	       (GBASE + I_DEVT));
	gits_w(s, GITS_BASER(1), VALID | TAB_ATTR | BASER_64K |
	       (GBASE + I_COLT));
	gits_w(s, GITS_CTLR, 1);
	s->cmd_wr = 0;
	cmd(s, I_CMDQ, I_CMDQ_PAGES, CMD_MAPC, 0, VALID | 0, false);
	for (d = 0; d <= COLD_DEVS; d++)
		cmd(s, I_CMDQ, I_CMDQ_PAGES, CMD_MAPD | (__u64)d << 32, 6 - 1,
		    VALID | (GBASE + I_ITT(d)), false);
	cmd(s, I_CMDQ, I_CMDQ_PAGES, CMD_MAPTI, (__u64)LPI0 << 32, 0, false);
	for (d = 1; d <= COLD_DEVS; d++)
		for (e = 0; e < COLD_EVENTS; e++)
			cmd(s, I_CMDQ, I_CMDQ_PAGES, CMD_MAPTI | (__u64)d << 32,
			    e | (__u64)COLD_LPI((d - 1) * COLD_EVENTS + e) <<
			    32, 0, false);
	cmd(s, I_CMDQ, I_CMDQ_PAGES, CMD_SYNC, 0, 0, true);
}

static uint8_t *mem_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static int virq_mem(int fd, uint8_t *mem, __u64 size)
{
	struct virq_memory_region r = {
		.slot = 0, .guest_phys_addr = GBASE, .memory_size = size,
		.userspace_addr = (uintptr_t)mem,
	};

	return ioctl(fd, VIRQ_SET_MEMORY_REGION, &r);
}

/* A GICv3 chip with an ITS on @mem: instance fd, or -1 */
static int virq_chip(uint8_t *mem, __u64 size, __u32 nr_vcpus,
		     __u32 nr_sources, __u32 lpi_bits, int *vfd)
{
	struct virq_gicv3_options o = {
		.flags = VIRQ_GICV3_OPT_ITS, .lpi_bits = lpi_bits,
	};
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_GICV3, .nr_vcpus = nr_vcpus,
		.nr_sources = nr_sources, .options = (uintptr_t)&o,
		.options_size = sizeof(o),
	};
	int fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	__u32 i;

	if (fd < 0 || virq_mem(fd, mem, size) ||
	    ioctl(fd, VIRQ_CREATE_CHIP, &cfg))
		return -1;
	for (i = 0; i < nr_vcpus; i++) {
		struct virq_vcpu_create vc = { .index = i, .arch_id = i };

		vfd[i] = ioctl(fd, VIRQ_CREATE_VCPU, &vc);
		if (vfd[i] < 0)
			return -1;
	}
	return fd;
}

static void virq_side(struct side *s)
{
	memset(s, 0, sizeof(*s));
	s->mem = mem_map(I_GSIZE);
	s->fd = virq_chip(s->mem, I_GSIZE, I_VCPUS, I_SOURCES, I_LPI_BITS,
			  s->vfd);
	if (s->fd < 0)
		die("virq GICv3 chip");
	s->mpidr[0] = 0;
	s->mpidr[1] = 1;
	inject_program(s);
}

#ifdef __aarch64__
static int kctrl(int fd, __u64 attr)
{
	return kattr(fd, true, KVM_DEV_ARM_VGIC_GRP_CTRL, attr, NULL);
}

/* KVM's vgic-v3 and vgic-its: 0, or -1 with errno (@what names the step) */
static int kvm_side(struct side *s, const char **what)
{
	struct kvm_userspace_memory_region mr = {
		.guest_phys_addr = GBASE, .memory_size = I_GSIZE,
	};
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	struct kvm_one_reg one = { .id = ARM64_SYS_REG(3, 0, 0, 0, 5) };
	struct kvm_vcpu_init init;
	__u64 dist = DIST, redist = REDIST, its = ITS, mpidr;
	__u32 nr_irqs = I_SOURCES;
	int kvm, v;

	memset(s, 0, sizeof(*s));
	s->kvm = true;
	*what = "/dev/kvm";
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return -1;
	*what = "KVM_CREATE_VM";
	s->fd = ioctl(kvm, KVM_CREATE_VM, 0);
	close(kvm);
	if (s->fd < 0)
		return -1;
	s->mem = mem_map(I_GSIZE);
	mr.userspace_addr = (uintptr_t)s->mem;
	*what = "vCPUs";
	if (ioctl(s->fd, KVM_SET_USER_MEMORY_REGION, &mr) ||
	    ioctl(s->fd, KVM_ARM_PREFERRED_TARGET, &init))
		return -1;
	for (v = 0; v < I_VCPUS; v++) {
		s->vfd[v] = ioctl(s->fd, KVM_CREATE_VCPU, v);
		one.addr = (uintptr_t)&mpidr;
		if (s->vfd[v] < 0 ||
		    ioctl(s->vfd[v], KVM_ARM_VCPU_INIT, &init) ||
		    ioctl(s->vfd[v], KVM_GET_ONE_REG, &one))
			return -1;
		s->mpidr[v] = mpidr & VIRQ_GICV3_MPIDR_MASK;
	}
	*what = "vgic-v3";
	if (ioctl(s->fd, KVM_CREATE_DEVICE, &cd))
		return -1;
	s->gic = cd.fd;
	if (kattr(s->gic, true, KVM_DEV_ARM_VGIC_GRP_ADDR,
		  KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) ||
	    kattr(s->gic, true, KVM_DEV_ARM_VGIC_GRP_ADDR,
		  KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist) ||
	    kattr(s->gic, true, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs))
		return -1;
	*what = "vgic-its";
	cd.type = KVM_DEV_TYPE_ARM_VGIC_ITS;
	cd.fd = 0;
	if (ioctl(s->fd, KVM_CREATE_DEVICE, &cd))
		return -1;
	s->its = cd.fd;
	*what = "vgic init";
	if (kattr(s->its, true, KVM_DEV_ARM_VGIC_GRP_ADDR,
		  KVM_VGIC_ITS_ADDR_TYPE, &its) ||
	    kctrl(s->its, KVM_DEV_ARM_VGIC_CTRL_INIT) ||
	    kctrl(s->gic, KVM_DEV_ARM_VGIC_CTRL_INIT))
		return -1;
	inject_program(s);
	return 0;
}
#endif

/* --- measurement ------------------------------------------------------- */

typedef int (*op_fn)(struct side *s, long i);

/* One timed pass of @n calls, in ns per call; statuses counted */
static double pass(op_fn fn, struct side *s, long n)
{
	double t0;
	long i;

	memset(s->status, 0, sizeof(s->status));
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (fn(s, i) < 0) {
			perror("gicv3_bench: op");
			exit(1);
		}
	return (now_ns() - t0) / n;
}

/* Best of 3 passes of @n calls */
static double measure_n(op_fn fn, struct side *s, long n)
{
	double best = 0, t;
	int round;

	for (round = 0; round < 3; round++) {
		t = pass(fn, s, n);
		if (!round || t < best)
			best = t;
	}
	return best;
}

static int op_null(struct side *s, long i);

/*
 * @fn and the null ioctl, interleaved: 3 rounds of a null pass then an
 * @fn pass, the best of each, so that both see the same load (TCG guests
 * on a shared machine drift by several times from one second to the
 * next).  The statuses are those of @fn's last pass.
 */
static void measure(op_fn fn, struct side *s, double *t, double *null)
{
	double n, f;
	int round;

	for (round = 0; round < 3; round++) {
		n = pass(op_null, s, iters);
		f = pass(fn, s, iters);
		if (!round || n < *null)
			*null = n;
		if (!round || f < *t)
			*t = f;
	}
}

/* Count a virq status: [0] delivered, [1] coalesced, [2] dropped */
static void count(struct side *s, int status)
{
	s->status[status > 0 ? 0 : status == 0 ? 1 : 2]++;
}

/* An unknown command: it fails (ENOTTY; KVM's arm64 VM: EINVAL), always */
static int op_null(struct side *s, long i)
{
#ifdef __aarch64__
	if (s->kvm) {
		ioctl(s->fd, _IO(KVMIO, 0x3f));
		return 0;
	}
#endif
	ioctl(s->fd, _IO(VIRQIO, 0x3f));
	return 0;
}

#ifdef __aarch64__
static int op_check_ext(struct side *s, long i)
{
	return ioctl(s->fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) < 0 ? -1 : 0;
}
#endif

static int spi_line(struct side *s, __u32 intid, int level)
{
	struct virq_irq_line l = {
		.source = intid,
		.op = level ? VIRQ_LINE_SET : VIRQ_LINE_RESET,
	};
	int ret;

#ifdef __aarch64__
	if (s->kvm) {
		struct kvm_irq_level kl = {
			.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT |
			       intid,
			.level = level,
		};

		return ioctl(s->fd, KVM_IRQ_LINE, &kl);
	}
#endif
	ret = ioctl(s->fd, VIRQ_IRQ_LINE, &l);
	if (!ret && level)
		count(s, l.status);
	return ret;
}

static int op_spi_level(struct side *s, long i)
{
	return spi_line(s, SPI_LEVEL, !(i & 1));
}

static int op_spi_edge(struct side *s, long i)
{
	struct virq_irq_line l = { .source = SPI_EDGE, .op = VIRQ_LINE_EDGE };
	int ret = ioctl(s->fd, VIRQ_IRQ_LINE, &l);

	if (!ret)
		count(s, l.status);
	return ret;
}

/* IAR1 then EOIR1 on vCPU 0; the INTID taken, or -1 */
static long take(struct side *s)
{
	__u64 id;

	if (vaccess(s->vfd[0], VIRQ_SPACE_SYSREG, VIRQ_GICV3_ICC_IAR1_EL1, 8,
		    false, &id))
		return -1;
	if (id != VIRQ_GICV3_SPURIOUS &&
	    vaccess(s->vfd[0], VIRQ_SPACE_SYSREG, VIRQ_GICV3_ICC_EOIR1_EL1, 8,
		    true, &id))
		return -1;
	return id;
}

static int check_taken(struct side *s, long want)
{
	long id = take(s);

	if (id < 0)
		return -1;
	if (id != want) {
		fprintf(stderr, "gicv3_bench: IAR1 returned %ld, not %ld\n",
			id, want);
		exit(1);
	}
	return 0;
}

static int op_spi_round(struct side *s, long i)
{
	return op_spi_edge(s, i) ? -1 : check_taken(s, SPI_EDGE);
}

static int msi(struct side *s, __u32 devid, __u32 eventid)
{
	struct virq_msi m = {
		.address_lo = (__u32)TRANSLATER,
		.address_hi = (__u32)(TRANSLATER >> 32),
		.data = eventid, .flags = VIRQ_MSI_FLAG_DEVID, .devid = devid,
	};
	int ret;

#ifdef __aarch64__
	if (s->kvm) {
		struct kvm_msi km = {
			.address_lo = (__u32)TRANSLATER,
			.address_hi = (__u32)(TRANSLATER >> 32),
			.data = eventid, .flags = KVM_MSI_VALID_DEVID,
			.devid = devid,
		};

		/* 1: delivered, 0: the ITS dropped it */
		ret = ioctl(s->fd, KVM_SIGNAL_MSI, &km);
		if (ret >= 0)
			count(s, ret ? 1 : -1);
		return ret < 0 ? ret : 0;
	}
#endif
	ret = ioctl(s->fd, VIRQ_SIGNAL_MSI, &m);
	if (!ret)
		count(s, m.status);
	return ret;
}

static int op_msi_warm(struct side *s, long i)
{
	return msi(s, 0, 0);
}

static int op_msi_cold(struct side *s, long i)
{
	long k = i % COLD_PAIRS;

	return msi(s, 1 + k / COLD_EVENTS, k % COLD_EVENTS);
}

static int op_msi_round(struct side *s, long i)
{
	return op_msi_warm(s, i) ? -1 : check_taken(s, LPI0);
}

/* Take and end everything pending on vCPU 0 */
static void drain(struct side *s)
{
	int n;

	for (n = 0; n < 4 * COLD_PAIRS; n++) {
		long id = take(s);

		if (id < 0)
			die("drain");
		if (id == VIRQ_GICV3_SPURIOUS)
			return;
	}
	fail("the interrupts do not stop");
}

/* The ITS translation cache counters of @fd's instance (debugfs) */
static int cache_counts(int fd, unsigned long long *hits,
			unsigned long long *misses)
{
	char path[64], line[256];
	int id = -1, found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		sscanf(line, "virq-instance: %d", &id);
	fclose(f);
	snprintf(path, sizeof(path), "/sys/kernel/debug/virq/%d/state", id);
	f = id < 0 ? NULL : fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "its: cache hits %llu misses %llu", hits,
			   misses) == 2)
			found = 1;
	fclose(f);
	return found ? 0 : -1;
}

static void row(struct side *s, const char *what, double t, double null,
		const char *note)
{
	printf("%-5s %-32s %8.0f ns %7.2f  (null %4.0f ns)%s\n",
	       s->kvm ? "kvm" : "virq", what, t, t / null, null, note);
}

/* A row with the statuses of the fastest round */
static void row_st(struct side *s, const char *what, double t, double null,
		   const char *extra)
{
	char note[160];

	snprintf(note, sizeof(note),
		 "  (delivered %ld, coalesced %ld, dropped %ld%s)",
		 s->status[0], s->status[1], s->status[2], extra);
	if (s->kvm)
		snprintf(note, sizeof(note), "  (returned 1: %ld, 0: %ld%s)",
			 s->status[0], s->status[2], extra);
	row(s, what, t, null, note);
}

/* An MSI row, with the cache counters' movement across its passes */
static void row_msi(struct side *s, const char *what, op_fn fn)
{
	unsigned long long h0 = 0, m0 = 0, h1 = 0, m1 = 0;
	char extra[80] = "";
	bool cnt = !s->kvm && !cache_counts(s->fd, &h0, &m0);
	double t, null;

	measure(fn, s, &t, &null);
	if (cnt && !cache_counts(s->fd, &h1, &m1))
		snprintf(extra, sizeof(extra), "; cache: %llu hits, %llu misses",
			 h1 - h0, m1 - m0);
	else if (!s->kvm)
		snprintf(extra, sizeof(extra), "; cache counters unreadable");
	row_st(s, what, t, null, extra);
}

/* Each row's ratio is to the null ioctl measured in its own rounds */
static void inject_section(struct side *s)
{
	double null, t;

	measure(op_null, s, &t, &null);
	row(s, "null ioctl", t, null, "");
#ifdef __aarch64__
	if (s->kvm) {
		measure(op_check_ext, s, &t, &null);
		row(s, "KVM_CHECK_EXTENSION (IRQCHIP)", t, null, "");
	}
#endif
	measure(op_spi_level, s, &t, &null);
	if (s->kvm)
		row(s, "KVM_IRQ_LINE SPI 40 level 1/0", t, null, "");
	else
		row_st(s, "VIRQ_IRQ_LINE SPI 40 level 1/0", t, null, "");
	if (!s->kvm) {
		spi_line(s, SPI_LEVEL, 0);
		measure(op_spi_edge, s, &t, &null);
		row_st(s, "VIRQ_IRQ_LINE SPI 41 edge", t, null, "");
		drain(s);
		measure(op_spi_round, s, &t, &null);
		row(s, "SPI edge+IAR1+EOIR1 (3 ioctls)", t, null,
		    "  (every IAR1 returned 41)");
	}
	row_msi(s, s->kvm ? "KVM_SIGNAL_MSI warm" : "VIRQ_SIGNAL_MSI warm",
		op_msi_warm);
	row_msi(s, s->kvm ? "KVM_SIGNAL_MSI cold, 1024 pairs" :
		"VIRQ_SIGNAL_MSI cold, 1024 pairs", op_msi_cold);
	if (!s->kvm) {
		drain(s);
		measure(op_msi_round, s, &t, &null);
		row(s, "MSI warm+IAR1+EOIR1 (3 ioctls)", t, null,
		    "  (every IAR1 returned LPI 8192)");
	}
}

/* --- save and restore -------------------------------------------------- */

#define S_SOURCES	256
#define S_LPI_BITS	17
#define S_EVENTS	1024		/* 10 event bits per device */
#define S_PENDING	8		/* one LPI in 8 pending */
#define S_PROP		0x000000ULL	/* 2^17 - 8192 bytes */
#define S_CMDQ		0x020000ULL	/* 256 KiB: 8192 commands */
#define S_CMDQ_PAGES	64
#define S_DEVT		0x060000ULL	/* one 64 KiB page */
#define S_COLT		0x070000ULL	/* one 64 KiB page */
#define S_ITT(d)	(0x080000ULL + (d) * 0x2000ULL)
#define S_PEND(v)	(0x100000ULL + (v) * 0x10000ULL)
#define S_PEND_BYTES	((1U << S_LPI_BITS) / 8)
#define S_GSIZE(n)	S_PEND(n)
#define S_LPI(d, e)	(LPI0 + (d) * S_EVENTS + (e))

#define NR_RD		4

static const __u64 rd_regs[] = {
	GICR_PROPBASER, GICR_PENDBASER, GICR_WAKER, GICR_CTLR,
};

#define NR_CPU		8

static const __u64 cpu_regs[] = {
	VIRQ_GICV3_ICC_CTLR_EL1, VIRQ_GICV3_ICC_PMR_EL1,
	VIRQ_GICV3_ICC_BPR0_EL1, VIRQ_GICV3_ICC_BPR1_EL1,
	VIRQ_GICV3_ICC_AP0R_EL1(0), VIRQ_GICV3_ICC_AP1R_EL1(0),
	VIRQ_GICV3_ICC_IGRPEN0_EL1, VIRQ_GICV3_ICC_IGRPEN1_EL1,
};

#define NR_ITS		6

/* Restore order: IIDR, CBASER (resets CREADR, CWRITER), CREADR, ... */
static const __u64 its_regs[] = {
	GITS_IIDR, GITS_CBASER, GITS_CREADR, GITS_CWRITER, GITS_BASER(0),
	GITS_BASER(1),
};

/**
 * struct big - the save/restore chip
 * @s: its side (@s.vfd[0] is vCPU 0's fd, @s.mem its memory)
 * @vfd: every vCPU's fd
 * @n: vCPUs
 * @devs: ITS devices (S_EVENTS events each)
 */
struct big {
	struct side s;
	int *vfd;
	__u32 n;
	__u32 devs;
};

/**
 * struct saved - the registers of a save
 * @gicd: GICD_IIDR, GICD_CTLR
 * @words: source words of SPIs 32..S_SOURCES-1
 * @rd: per vCPU, rd_regs[]
 * @cpu: per vCPU, cpu_regs[]
 * @priv: per vCPU, the 32 private words
 * @its: its_regs[], then GITS_CTLR
 */
struct saved {
	__u64 gicd[2];
	__u64 words[S_SOURCES - 32];
	__u64 (*rd)[NR_RD];
	__u64 (*cpu)[NR_CPU];
	__u64 (*priv)[VIRQ_GICV3_NR_PRIVATE];
	__u64 its[NR_ITS + 1];
};

static int attr(int fd, bool vcpu, bool set, __u32 group, __u64 a,
		void *val, __u32 size)
{
	struct virq_attr va = {
		.group = group, .attr = a, .addr = (uintptr_t)val,
		.size = size,
	};
	unsigned long req = vcpu ? (set ? VIRQ_VCPU_SET_ATTR :
				    VIRQ_VCPU_GET_ATTR) :
			    (set ? VIRQ_SET_ATTR : VIRQ_GET_ATTR);

	return ioctl(fd, req, &va);
}

static void ctrl(int fd, __u64 a, const char *what)
{
	if (attr(fd, false, true, VIRQ_GICV3_GRP_CTRL, a, NULL, 0))
		die(what);
}

static __u32 rd_size(__u64 off)
{
	return off == GICR_PROPBASER || off == GICR_PENDBASER ? 8 : 4;
}

static __u32 its_size(__u64 off)
{
	return off == GITS_IIDR || off == GITS_CTLR ? 4 : 8;
}

static void big_open(struct big *b, __u32 n, __u32 devs, uint8_t *mem)
{
	memset(b, 0, sizeof(*b));
	b->n = n;
	b->devs = devs;
	b->vfd = calloc(n, sizeof(*b->vfd));
	if (!b->vfd)
		die("calloc");
	b->s.mem = mem;
	b->s.fd = virq_chip(mem, S_GSIZE(n), n, S_SOURCES, S_LPI_BITS,
			    b->vfd);
	if (b->s.fd < 0)
		die("the save/restore chip");
	b->s.vfd[0] = b->vfd[0];
}

static void big_close(struct big *b)
{
	__u32 v;

	for (v = 0; v < b->n; v++)
		close(b->vfd[v]);
	close(b->s.fd);
	free(b->vfd);
}

static void big_icc_w(struct big *b, __u32 v, __u64 reg, __u64 val)
{
	if (vaccess(b->vfd[v], VIRQ_SPACE_SYSREG, reg, 8, true, &val))
		die("ICC register write");
}

/*
 * The guest's side: SPIs 32-47 routed to vCPUs 0-15, 32-39 pending
 * (latched by an edge), the lines of 34 and 35 high (so that vCPUs 2 and
 * 3 have them pending again after each EOI: not probed by verify()),
 * LPIs on every redistributor, the ITS with n collections, @devs devices
 * of S_EVENTS events (event e in collection e % n), one in S_PENDING
 * pending
 */
static void big_program(struct big *b)
{
	struct side *s = &b->s;
	__u32 v, d, e, i;

	memset(s->mem + S_PROP, PROP_ON, (1U << S_LPI_BITS) - LPI0);
	gic_w(s, -1, GICD_CTLR, 4, CTLR_ARE_GRP1);
	for (i = 32; i < 48; i++) {
		gic_w(s, -1, GICD_IPRIORITYR + i, 1, 0x80);
		gic_w(s, -1, GICD_IROUTER + 8 * i, 8, (i - 32) % b->n);
	}
	gic_w(s, -1, GICD_ISENABLER + 4, 4, 0xffff);
	for (i = 32; i < 40; i++) {
		struct virq_irq_line l = { .source = i, .op = VIRQ_LINE_EDGE };

		if (ioctl(s->fd, VIRQ_IRQ_LINE, &l) ||
		    ((i == 34 || i == 35) && spi_line(s, i, 1)))
			die("VIRQ_IRQ_LINE");
	}
	for (v = 0; v < b->n; v++) {
		gic_w(s, v, GICR_WAKER, 4, 0);
		gic_w(s, v, GICR_PROPBASER, 8,
		      (GBASE + S_PROP) | RD_ATTR | (S_LPI_BITS - 1));
		gic_w(s, v, GICR_PENDBASER, 8, (GBASE + S_PEND(v)) | RD_ATTR);
		gic_w(s, v, GICR_CTLR, 4, 1);
		big_icc_w(b, v, VIRQ_GICV3_ICC_PMR_EL1, 0xf0);
		big_icc_w(b, v, VIRQ_GICV3_ICC_IGRPEN1_EL1, 1);
	}
	gits_w(s, GITS_CBASER, VALID | TAB_ATTR | (GBASE + S_CMDQ) |
	       (S_CMDQ_PAGES - 1));
	gits_w(s, GITS_BASER(0), VALID | TAB_ATTR | BASER_64K |
	       (GBASE + S_DEVT));
	gits_w(s, GITS_BASER(1), VALID | TAB_ATTR | BASER_64K |
	       (GBASE + S_COLT));
	gits_w(s, GITS_CTLR, 1);
	s->cmd_wr = 0;
	for (v = 0; v < b->n; v++)
		cmd(s, S_CMDQ, S_CMDQ_PAGES, CMD_MAPC, 0,
		    VALID | (__u64)v << 16 | v, false);
	for (d = 0; d < b->devs; d++) {
		cmd(s, S_CMDQ, S_CMDQ_PAGES, CMD_MAPD | (__u64)d << 32, 10 - 1,
		    VALID | (GBASE + S_ITT(d)), false);
		for (e = 0; e < S_EVENTS; e++)
			cmd(s, S_CMDQ, S_CMDQ_PAGES, CMD_MAPTI | (__u64)d << 32,
			    e | (__u64)S_LPI(d, e) << 32, e % b->n, false);
	}
	cmd(s, S_CMDQ, S_CMDQ_PAGES, CMD_SYNC, 0, 0, true);
	memset(s->status, 0, sizeof(s->status));
	for (d = 0; d < b->devs; d++)
		for (e = 0; e < S_EVENTS; e++)
			if (!((d + e) % S_PENDING) && msi(s, d, e))
				die("VIRQ_SIGNAL_MSI");
	if (s->status[2])
		fail("an MSI of the save/restore chip was dropped");
}

static void regs_save(struct big *b, struct saved *sv)
{
	struct virq_sources src = {
		.first = 32, .count = S_SOURCES - 32,
		.addr = (uintptr_t)sv->words,
	};
	__u32 v, i;

	if (attr(b->s.fd, false, false, VIRQ_GICV3_GRP_DIST_REGS, GICD_IIDR,
		 &sv->gicd[0], 4) ||
	    attr(b->s.fd, false, false, VIRQ_GICV3_GRP_DIST_REGS, GICD_CTLR,
		 &sv->gicd[1], 4) ||
	    ioctl(b->s.fd, VIRQ_GET_SOURCES, &src))
		die("distributor save");
	for (v = 0; v < b->n; v++) {
		for (i = 0; i < NR_RD; i++)
			if (attr(b->vfd[v], true, false,
				 VIRQ_GICV3_VGRP_REDIST_REGS, rd_regs[i],
				 &sv->rd[v][i], rd_size(rd_regs[i])))
				die("redistributor save");
		for (i = 0; i < NR_CPU; i++)
			if (attr(b->vfd[v], true, false,
				 VIRQ_GICV3_VGRP_CPU_SYSREGS, cpu_regs[i],
				 &sv->cpu[v][i], 8))
				die("CPU interface save");
		if (attr(b->vfd[v], true, false, VIRQ_GICV3_VGRP_PRIVATE, 0,
			 sv->priv[v], sizeof(sv->priv[v])))
			die("private words save");
	}
	for (i = 0; i <= NR_ITS; i++) {
		__u64 off = i < NR_ITS ? its_regs[i] : GITS_CTLR;

		if (attr(b->s.fd, false, false, VIRQ_GICV3_GRP_ITS_REGS, off,
			 &sv->its[i], its_size(off)))
			die("ITS save");
	}
}

/*
 * Restore @sv into @b; the time of the redistributors' RD-frame registers
 * (EnableLPIs included) in *@t_rd, of the ITS part in *@t_its
 */
static void regs_restore(struct big *b, struct saved *sv, double *t_rd,
			 double *t_its)
{
	struct virq_sources src = {
		.first = 32, .count = S_SOURCES - 32,
		.addr = (uintptr_t)sv->words,
	};
	double t0;
	__u32 v, i;

	if (attr(b->s.fd, false, true, VIRQ_GICV3_GRP_DIST_REGS, GICD_IIDR,
		 &sv->gicd[0], 4) ||
	    attr(b->s.fd, false, true, VIRQ_GICV3_GRP_DIST_REGS, GICD_CTLR,
		 &sv->gicd[1], 4))
		die("distributor restore");
	*t_rd = 0;
	for (v = 0; v < b->n; v++) {
		t0 = now_ms();
		/* PROPBASER, PENDBASER before CTLR (EnableLPIs) */
		for (i = 0; i < NR_RD; i++)
			if (attr(b->vfd[v], true, true,
				 VIRQ_GICV3_VGRP_REDIST_REGS, rd_regs[i],
				 &sv->rd[v][i], rd_size(rd_regs[i])))
				die("redistributor restore");
		*t_rd += now_ms() - t0;
		for (i = 0; i < NR_CPU; i++)
			if (attr(b->vfd[v], true, true,
				 VIRQ_GICV3_VGRP_CPU_SYSREGS, cpu_regs[i],
				 &sv->cpu[v][i], 8))
				die("CPU interface restore");
		if (attr(b->vfd[v], true, true, VIRQ_GICV3_VGRP_PRIVATE, 0,
			 sv->priv[v], sizeof(sv->priv[v])))
			die("private words restore");
	}
	if (ioctl(b->s.fd, VIRQ_SET_SOURCES, &src))
		die("VIRQ_SET_SOURCES");
	t0 = now_ms();
	for (i = 0; i < NR_ITS; i++)
		if (attr(b->s.fd, false, true, VIRQ_GICV3_GRP_ITS_REGS,
			 its_regs[i], &sv->its[i], its_size(its_regs[i])))
			die("ITS register restore");
	ctrl(b->s.fd, VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES, "ITS_RESTORE_TABLES");
	if (attr(b->s.fd, false, true, VIRQ_GICV3_GRP_ITS_REGS, GITS_CTLR,
		 &sv->its[NR_ITS], 4))
		die("GITS_CTLR restore");
	*t_its = now_ms() - t0;
}

/* The byte ranges of guest memory that hold tables: copy or compare */
static long tables(struct big *b, uint8_t *dst, const uint8_t *src,
		   bool compare)
{
	__u64 r[4][2] = {
		{ S_PROP, (1U << S_LPI_BITS) - LPI0 },
		{ S_DEVT, b->devs * 8ULL },
		{ S_COLT, (b->n + 1) * 8ULL },
		{ S_ITT(0), b->devs * (S_ITT(1) - S_ITT(0)) },
	};
	long diff = 0;
	__u32 i;

	for (i = 0; i < 4 + b->n; i++) {
		__u64 off = i < 4 ? r[i][0] : S_PEND(i - 4) + LPI0 / 8;
		__u64 len = i < 4 ? r[i][1] : S_PEND_BYTES - LPI0 / 8;

		if (!compare)
			memcpy(dst + off, src + off, len);
		else if (memcmp(dst + off, src + off, len))
			diff++;
	}
	return diff;
}

/* vCPU @v of @b takes everything pending: how many, and their INTID sum */
static void take_all(struct big *b, __u32 v, long *nr, long *sum)
{
	struct side one = b->s;

	one.vfd[0] = b->vfd[v];
	*nr = *sum = 0;
	for (;;) {
		long id = take(&one);

		if (id < 0)
			die("IAR1");
		if (id == VIRQ_GICV3_SPURIOUS || *nr > 4 * S_EVENTS)
			return;
		(*nr)++;
		*sum = *sum * 31 + id;
	}
}

/* The restored chip against the saved one: the number of differences */
static long verify(struct big *a, struct big *b, struct saved *sv)
{
	struct saved now = {
		.rd = calloc(b->n, sizeof(*now.rd)),
		.cpu = calloc(b->n, sizeof(*now.cpu)),
		.priv = calloc(b->n, sizeof(*now.priv)),
	};
	const __u32 probe[] = { 0, 1, b->n / 2, b->n - 1 };
	long diff = 0, na, sa, nb, sb;
	__u32 i;

	if (!now.rd || !now.cpu || !now.priv)
		die("calloc");
	/* The restored chip saves the same tables and registers */
	ctrl(b->s.fd, VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES,
	     "SAVE_PENDING_TABLES (restored)");
	ctrl(b->s.fd, VIRQ_GICV3_CTRL_ITS_SAVE_TABLES,
	     "ITS_SAVE_TABLES (restored)");
	diff += tables(b, b->s.mem, a->s.mem, true);
	regs_save(b, &now);
	diff += !!memcmp(sv->gicd, now.gicd, sizeof(now.gicd));
	diff += !!memcmp(sv->words, now.words, sizeof(now.words));
	diff += !!memcmp(sv->rd, now.rd, b->n * sizeof(*now.rd));
	diff += !!memcmp(sv->cpu, now.cpu, b->n * sizeof(*now.cpu));
	diff += !!memcmp(sv->priv, now.priv, b->n * sizeof(*now.priv));
	diff += !!memcmp(sv->its, now.its, sizeof(now.its));
	if (diff)
		fprintf(stderr, "gicv3_bench: restored state differs (%ld)\n",
			diff);
	/* Both deliver the same, in the same order, to the same vCPUs */
	for (i = 0; i < 4; i++) {
		take_all(a, probe[i], &na, &sa);
		take_all(b, probe[i], &nb, &sb);
		if (na != nb || sa != sb || !na) {
			fprintf(stderr, "gicv3_bench: vCPU %u took %ld and %ld interrupts\n",
				probe[i], na, nb);
			diff++;
		}
	}
	free(now.rd);
	free(now.cpu);
	free(now.priv);
	return diff;
}

static double null_ns(int fd)
{
	struct side s = { .fd = fd };

	return measure_n(op_null, &s, 20000);
}

static void save_restore(__u32 n, __u32 devs, bool quiet)
{
	struct saved sv = {
		.rd = calloc(n, sizeof(*sv.rd)),
		.cpu = calloc(n, sizeof(*sv.cpu)),
		.priv = calloc(n, sizeof(*sv.priv)),
	};
	double t0, t_pend, t_its, t_regs, t_copy, t_rest, t_rd, t_rits, null;
	uint8_t *m1 = mem_map(S_GSIZE(n)), *m2 = mem_map(S_GSIZE(n));
	struct big a, b;

	if (!sv.rd || !sv.cpu || !sv.priv)
		die("calloc");
	big_open(&a, n, devs, m1);
	big_program(&a);
	null = null_ns(a.s.fd);

	t0 = now_ms();
	ctrl(a.s.fd, VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES,
	     "SAVE_PENDING_TABLES");
	t_pend = now_ms() - t0;
	t0 = now_ms();
	ctrl(a.s.fd, VIRQ_GICV3_CTRL_ITS_SAVE_TABLES, "ITS_SAVE_TABLES");
	t_its = now_ms() - t0;
	t0 = now_ms();
	regs_save(&a, &sv);
	t_regs = now_ms() - t0;
	t0 = now_ms();
	tables(&a, m2, m1, false);
	t_copy = now_ms() - t0;

	big_open(&b, n, devs, m2);
	t0 = now_ms();
	regs_restore(&b, &sv, &t_rd, &t_rits);
	t_rest = now_ms() - t0;
	if (verify(&a, &b, &sv))
		fail("the restored chip differs from the saved one");
	if (!quiet) {
		printf("# save/restore: %u vCPUs, %u sources, lpi_bits %u, %u LPIs mapped through the ITS (%u devices x %u events), %u pending; null ioctl %.0f ns\n",
		       n, S_SOURCES, S_LPI_BITS, devs * S_EVENTS, devs,
		       S_EVENTS, devs * S_EVENTS / S_PENDING, null);
		printf("virq  save    SAVE_PENDING_TABLES %9.1f ms %10.0f null ioctls\n",
		       t_pend, t_pend * 1e6 / null);
		printf("virq  save    ITS_SAVE_TABLES     %9.1f ms %10.0f\n",
		       t_its, t_its * 1e6 / null);
		printf("virq  save    registers           %9.1f ms %10.0f  (GICD, source words, %u x (RD, ICC, private), GITS)\n",
		       t_regs, t_regs * 1e6 / null, n);
		printf("virq  save    total               %9.1f ms %10.0f\n",
		       t_pend + t_its + t_regs,
		       (t_pend + t_its + t_regs) * 1e6 / null);
		printf("      (copy of the tables' guest memory, not virq: %.1f ms)\n",
		       t_copy);
		printf("virq  restore RD frames           %9.1f ms %10.0f  (%u x 4 registers: EnableLPIs reads the pending table)\n",
		       t_rd, t_rd * 1e6 / null, n);
		printf("virq  restore other registers     %9.1f ms %10.0f  (GICD, source words, %u x (ICC, private))\n",
		       t_rest - t_rits - t_rd,
		       (t_rest - t_rits - t_rd) * 1e6 / null, n);
		printf("virq  restore ITS regs + tables   %9.1f ms %10.0f\n",
		       t_rits, t_rits * 1e6 / null);
		printf("virq  restore total               %9.1f ms %10.0f  (checked: same tables, registers and delivery)\n",
		       t_rest, t_rest * 1e6 / null);
	}
	big_close(&a);
	big_close(&b);
	munmap(m1, S_GSIZE(n));
	munmap(m2, S_GSIZE(n));
	free(sv.rd);
	free(sv.cpu);
	free(sv.priv);
}

int main(int argc, char **argv)
{
	struct virq_family_info info = { .family = VIRQ_FAMILY_GICV3 };
	struct rlimit rl = { 8192, 8192 };
	struct virq_api api = { 0 };
	struct side v;
	__u32 n = 1024;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1)
		iters = atol(argv[1]);
	if (iters < 2)
		iters = 2;
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("/dev/virq");
	if (ioctl(fd, VIRQ_GET_API, &api) ||
	    ioctl(fd, VIRQ_GET_FAMILY, &info) ||
	    !(info.features & VIRQ_GICV3_FEATURE_ITS)) {
		printf("gicv3_bench: no GICv3 family with an ITS: skipped\n");
		return 4;
	}
	close(fd);
	printf("# gicv3-bench: %ld calls per pass, best of 3; ratio = cost / null ioctl (an unknown command) on the same fd, interleaved pass by pass\n",
	       iters);
	virq_side(&v);
	inject_section(&v);
#ifdef __aarch64__
	{
		struct side k;
		const char *what;

		if (kvm_side(&k, &what))
			printf("# KVM's vgic-v3 reference unavailable (%s: %s): boot with --arch arm64 --kvm-ref\n",
			       what, strerror(errno));
		else
			inject_section(&k);
	}
#else
	printf("# KVM's vgic-v3 and vgic-its: only in an arm64 guest (see the header comment of this program)\n");
#endif

	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("gicv3_bench: RLIMIT_NOFILE");
	if (info.max_vcpus < n || api.max_vcpus < n) {
		n = info.max_vcpus < api.max_vcpus ? info.max_vcpus :
						     api.max_vcpus;
		printf("# save/restore: 1024 vCPUs exceed max_vcpus: %u used instead\n",
		       n);
	}
	/* A first pass, not reported: TCG translates each path once */
	save_restore(8, 2, true);
	save_restore(n, 64, false);
	return 0;
}
