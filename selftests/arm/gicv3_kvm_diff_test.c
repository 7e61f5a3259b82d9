// SPDX-License-Identifier: GPL-2.0
/*
 * Differential check of virq's GICv3 family against KVM's vgic-v3 and
 * vgic-its (arch/arm64/kvm/vgic/), side by side in one process of an
 * arm64 guest booted at EL2 (tools/vm/run.sh --arch arm64 --kvm-ref:
 * -M virt,virtualization=on,gic-version=3, KVM built into the guest).
 *
 * KVM's side is a VM with NR_VCPUS vCPUs (KVM_ARM_VCPU_INIT with the
 * preferred target), a KVM_DEV_TYPE_ARM_VGIC_V3 device and a
 * KVM_DEV_TYPE_ARM_VGIC_ITS device.  virq's side is a GICv3 chip with the
 * same configuration: the same bases, nr_sources, LPIs and an ITS, and
 * vCPUs whose arch_id is the MPIDR_EL1 KVM gave its vCPU.  One mmap()ed
 * range is KVM's memslot and virq's memory slot at the same guest-physical
 * address, so both read the same property tables and command queue.
 *
 * No guest code runs: KVM's device attributes give register-level access
 * (KVM_DEV_ARM_VGIC_GRP_DIST_REGS, _REDIST_REGS, _CPU_SYSREGS,
 * _LEVEL_INFO, _ITS_REGS), virq's the same through VIRQ_{GET,SET}_ATTR
 * and VIRQ_VCPU_{GET,SET}_ATTR.  A step is a register write through
 * those, a line change (KVM_IRQ_LINE against VIRQ_IRQ_LINE), an MSI
 * (KVM_SIGNAL_MSI against VIRQ_SIGNAL_MSI, both with a device id), or a
 * table save (SAVE_PENDING_TABLES, ITS SAVE_TABLES: each side in turn
 * into zeroed guest memory, then the bytes are compared).  After every
 * step the test compares the step's result and every register of the
 * distributor, of each redistributor, of each CPU interface and of the
 * ITS, and the line levels (LEVEL_INFO against the source words).
 *
 * A difference either is listed in allow_list[] with the reason and a
 * check that it is that difference and no other, or fails the test.  The
 * reference is the architecture (Arm IHI 0069, "GIC architecture
 * specification, GICv3 and GICv4"); KVM has quirks of its own.
 * Documentation/userspace-api/virq/devices/gicv3-kvm-diff.rst lists them.
 *
 * GICV3_DIFF_KVM_ONLY=1 in the environment runs KVM's half alone (no
 * /dev/virq needed): every step runs on KVM only, nothing is compared,
 * and the checks the tests make of KVM's values (what the architecture
 * requires of any GICv3) still apply.  GICV3_DIFF_VERBOSE=1 prints every
 * register after creation on both sides.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/virq.h>

#include <kselftest_harness.h>

#if defined(__aarch64__)

#include <linux/kvm.h>

#define NR_VCPUS	2
#define NR_IRQS		96	/* 64 SPIs */
#define LPI_BITS	16

#define DIST_BASE	VIRQ_GICV3_DEFAULT_DIST_BASE
#define REDIST_BASE	VIRQ_GICV3_DEFAULT_REDIST_BASE
#define ITS_BASE	VIRQ_GICV3_DEFAULT_ITS_BASE
#define MSI_DOORBELL	(ITS_BASE + VIRQ_GICV3_GITS_TRANSLATER)

/* Guest memory: one range, KVM memslot 0 and virq slot 0 */
#define MEM_GPA		0x40000000ULL
#define MEM_SIZE	0x80000ULL
#define PROPTAB		0x00000ULL	/* 2^16 - 8192 bytes */
#define PENDTAB(c)	(0x10000ULL + (c) * 0x10000ULL)	/* 8 KiB each */
#define PENDTAB_SIZE	((1U << LPI_BITS) / 8)
#define CMDQ		0x30000ULL	/* 4 KiB: 128 commands */
#define CMDQ_SIZE	0x1000U
#define DEVTAB		0x40000ULL	/* one 64 KiB page */
#define COLLTAB		0x50000ULL	/* one 64 KiB page */
#define ITT(dev)	(0x60000ULL + (dev) * 0x100ULL)
#define ITT_SIZE	0x1000U		/* every ITT, devices 0-15 */
#define TAB_BYTES	0x800U		/* table bytes compared */

/* Distributor (GICD_*) offsets */
#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IIDR	0x0008
#define GICD_TYPER2	0x000c
#define GICD_STATUSR	0x0010
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_ICENABLER	0x0180
#define GICD_ISPENDR	0x0200
#define GICD_ICPENDR	0x0280
#define GICD_ISACTIVER	0x0300
#define GICD_ICACTIVER	0x0380
#define GICD_IPRIORITYR	0x0400
#define GICD_ICFGR	0x0c00
#define GICD_IGRPMODR	0x0d00
#define GICD_IROUTER	0x6000	/* + 8 * INTID */
#define GICD_PIDR2	0xffe8

/* Redistributor: RD frame, and the SGI frame at SGI_FRAME */
#define GICR_CTLR	0x0000
#define GICR_IIDR	0x0004
#define GICR_TYPER	0x0008
#define GICR_WAKER	0x0014
#define GICR_PROPBASER	0x0070
#define GICR_PENDBASER	0x0078
#define GICR_PIDR2	0xffe8
#define SGI_FRAME	0x10000

/* ITS (GITS_*) offsets */
#define GITS_CTLR	0x0000
#define GITS_IIDR	0x0004
#define GITS_TYPER	0x0008
#define GITS_CBASER	0x0080
#define GITS_CWRITER	0x0088
#define GITS_CREADR	0x0090
#define GITS_BASER(n)	(0x0100 + 8 * (n))
#define GITS_PIDR2	0xffe8

/* Register fields the scripts use (IHI 0069 chapter 12) */
#define CTLR_EN_GRP0	(1U << 0)
#define CTLR_EN_GRP1	(1U << 1)
#define IROUTER_IRM	(1ULL << 31)
#define WAKER_PS	(1U << 1)
#define CACHE_RAWAWB	7ULL
#define SHARE_INNER	1ULL
#define PROPBASER_VAL	((MEM_GPA + PROPTAB) | CACHE_RAWAWB << 7 | \
			 SHARE_INNER << 10 | (LPI_BITS - 1))
#define PENDBASER_VAL(c) ((MEM_GPA + PENDTAB(c)) | CACHE_RAWAWB << 7 | \
			  SHARE_INNER << 10)
#define PENDBASER_PTZ	(1ULL << 62)
#define VALID		(1ULL << 63)
#define CBASER_VAL	(VALID | CACHE_RAWAWB << 59 | SHARE_INNER << 10 | \
			 (MEM_GPA + CMDQ))
#define BASER_64K	(2ULL << 8)
#define BASER_VAL(a)	(VALID | CACHE_RAWAWB << 59 | SHARE_INNER << 10 | \
			 BASER_64K | (MEM_GPA + (a)))
#define GITS_CTLR_EN	1U
#define PROP_ENABLE	1U
#define LPI(n)		(8192U + (n))

/* ITS commands (IHI 0069 5.3) */
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

/* ICC_* encodings: virq's names them as KVM's CPU_SYSREGS attr does */
#define ICC_PMR		VIRQ_GICV3_ICC_PMR_EL1
#define ICC_BPR0	VIRQ_GICV3_ICC_BPR0_EL1
#define ICC_AP0R0	VIRQ_GICV3_ICC_AP0R_EL1(0)
#define ICC_AP1R0	VIRQ_GICV3_ICC_AP1R_EL1(0)
#define ICC_BPR1	VIRQ_GICV3_ICC_BPR1_EL1
#define ICC_CTLR	VIRQ_GICV3_ICC_CTLR_EL1
#define ICC_SRE		VIRQ_GICV3_ICC_SRE_EL1
#define ICC_IGRPEN0	VIRQ_GICV3_ICC_IGRPEN0_EL1
#define ICC_IGRPEN1	VIRQ_GICV3_ICC_IGRPEN1_EL1
#define ICC_CTLR_EOIMODE (1ULL << 1)
#define ICC_CTLR_CBPR	(1ULL << 0)
/* ICC_CTLR_EL1 read-only fields: A3V, RSS, 5 priority bits, 16 ID bits */
#define ICC_CTLR_A3V	(1ULL << 15)
#define ICC_CTLR_RSS	(1ULL << 18)
#define ICC_CTLR_IDBITS	(7ULL << 11)
#define ICC_CTLR_RO	(ICC_CTLR_A3V | ICC_CTLR_RSS | 4ULL << 8)

/* A register read that failed: ERRV | errno */
#define ERRV		0xee00000000000000ULL
#define MAX_REGS	512
#define MAX_DIFFS	512
#define MAX_PRINTED	64

enum grp { G_DIST, G_REDIST, G_SYSREG, G_ITS, G_LEVEL };

/* One register compared after every step */
struct reg {
	char name[24];
	__u8 grp;
	__u8 width;	/* 4 or 8 bytes */
	__u8 cpu;	/* redistributor, CPU interface, private levels */
	__u32 off;	/* frame offset, ICC_* encoding, first INTID */
};

static struct reg regs[MAX_REGS];
static int nr_regs;

struct snap {
	__u64 val[MAX_REGS];
};

struct kside {
	int kvm;
	int vm;
	int gic;
	int its;
	int vcpu[NR_VCPUS];
	__u64 mpidr[NR_VCPUS];
};

struct vside {
	int fd;
	int vcpu[NR_VCPUS];
};

enum op_kind {
	OP_RESET,	/* the state after creation */
	OP_WRITE,	/* a register write through the state attributes */
	OP_LINE,	/* KVM_IRQ_LINE / VIRQ_IRQ_LINE */
	OP_MSI,		/* KVM_SIGNAL_MSI / VIRQ_SIGNAL_MSI */
	OP_SAVE_PENDING,	/* SAVE_PENDING_TABLES, tables compared */
	OP_SAVE_TABLES,	/* ITS SAVE_TABLES, tables compared */
};

struct op {
	enum op_kind kind;
	enum grp grp;
	int cpu;	/* -1: an SPI (OP_LINE) */
	__u32 off;	/* register; INTID; device id */
	__u32 width;
	__u64 val;	/* value written; level; event id */
	char desc[96];
};

struct diff {
	char field[32];
	int reg;	/* index in regs[], -1 for results and memory */
	__u64 kvm;
	__u64 virq;
	__u64 xor_before;
};

struct dt;

/*
 * One documented difference: @field (fnmatch() pattern) may differ when
 * @ok says the values are the ones the reason explains.
 */
struct allow {
	const char *name;
	const char *field;
	bool (*ok)(const struct dt *t, const struct diff *d);
	const char *reason;
};

struct dt {
	struct kside k;
	struct vside v;
	bool kvm_only;
	__u8 *mem;
	struct snap kb, vb;	/* before the step */
	struct snap kn, vn;	/* after it */
	struct op op;
	__u64 kres, vres;	/* the step's results */
	__u32 cmd_off;		/* next free command slot (bytes) */
	int step;
	int bad;		/* unexplained differences, machinery errors */
	int allowed;
	int printed;
	__u64 shown;		/* allow rules reported in this test */
	int nr_diffs;
	struct diff diffs[MAX_DIFFS];
	/* the last table save, each side (for the tests' own checks) */
	__u8 kpend[NR_VCPUS][PENDTAB_SIZE];
	__u8 vpend[NR_VCPUS][PENDTAB_SIZE];
	__u8 ktab[3][TAB_BYTES];	/* device, collection table, ITTs */
	__u8 vtab[3][TAB_BYTES];
	/*
	 * With @use_pimg, the pending tables hold @pimg before each side's
	 * half of a register write: each side reads its own copy (KVM
	 * consumes the bits it reads at MAPTI, virq reads at EnableLPIs)
	 */
	bool use_pimg;
	__u8 pimg[NR_VCPUS][PENDTAB_SIZE];
	/* the MAPTIs queued: device, event, LPI */
	int nr_ites;
	__u32 ites[32][3];
};

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* --- the registers compared ---------------------------------------------- */

static void add_reg(enum grp g, int cpu, __u32 off, int width,
		    const char *fmt, ...)
{
	struct reg *r = &regs[nr_regs++];
	va_list ap;

	r->grp = g;
	r->cpu = cpu;
	r->off = off;
	r->width = width;
	va_start(ap, fmt);
	vsnprintf(r->name, sizeof(r->name), fmt, ap);
	va_end(ap);
}

static void init_regs(void)
{
	static const struct { __u32 off; const char *name; } bits[] = {
		{ GICD_IGROUPR, "IGROUPR" }, { GICD_ISENABLER, "ISENABLER" },
		{ GICD_ICENABLER, "ICENABLER" }, { GICD_ISPENDR, "ISPENDR" },
		{ GICD_ICPENDR, "ICPENDR" }, { GICD_ISACTIVER, "ISACTIVER" },
		{ GICD_ICACTIVER, "ICACTIVER" }, { GICD_IGRPMODR, "IGRPMODR" },
	};
	static const struct { __u32 enc; const char *name; } icc[] = {
		{ ICC_PMR, "PMR" }, { ICC_BPR0, "BPR0" }, { ICC_BPR1, "BPR1" },
		{ ICC_AP0R0, "AP0R0" }, { ICC_AP1R0, "AP1R0" },
		{ ICC_CTLR, "CTLR" }, { ICC_SRE, "SRE" },
		{ ICC_IGRPEN0, "IGRPEN0" }, { ICC_IGRPEN1, "IGRPEN1" },
	};
	unsigned int i, n;
	int c;

	if (nr_regs)
		return;
	add_reg(G_DIST, 0, GICD_CTLR, 4, "gicd.CTLR");
	add_reg(G_DIST, 0, GICD_TYPER, 4, "gicd.TYPER");
	add_reg(G_DIST, 0, GICD_IIDR, 4, "gicd.IIDR");
	add_reg(G_DIST, 0, GICD_TYPER2, 4, "gicd.TYPER2");
	add_reg(G_DIST, 0, GICD_STATUSR, 4, "gicd.STATUSR");
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		for (n = 0; n < NR_IRQS / 32; n++)
			add_reg(G_DIST, 0, bits[i].off + 4 * n, 4, "gicd.%s%u",
				bits[i].name, n);
	for (n = 0; n < NR_IRQS / 4; n++)
		add_reg(G_DIST, 0, GICD_IPRIORITYR + 4 * n, 4,
			"gicd.IPRIORITYR%u", n);
	for (n = 0; n < NR_IRQS / 16; n++)
		add_reg(G_DIST, 0, GICD_ICFGR + 4 * n, 4, "gicd.ICFGR%u", n);
	for (n = 32; n < NR_IRQS; n++)
		add_reg(G_DIST, 0, GICD_IROUTER + 8 * n, 8, "gicd.IROUTER%u",
			n);
	add_reg(G_DIST, 0, GICD_PIDR2, 4, "gicd.PIDR2");

	for (c = 0; c < NR_VCPUS; c++) {
		add_reg(G_REDIST, c, GICR_CTLR, 4, "gicr%d.CTLR", c);
		add_reg(G_REDIST, c, GICR_IIDR, 4, "gicr%d.IIDR", c);
		add_reg(G_REDIST, c, GICR_TYPER, 8, "gicr%d.TYPER", c);
		add_reg(G_REDIST, c, GICR_WAKER, 4, "gicr%d.WAKER", c);
		add_reg(G_REDIST, c, GICR_PROPBASER, 8, "gicr%d.PROPBASER", c);
		add_reg(G_REDIST, c, GICR_PENDBASER, 8, "gicr%d.PENDBASER", c);
		add_reg(G_REDIST, c, GICR_PIDR2, 4, "gicr%d.PIDR2", c);
		for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
			add_reg(G_REDIST, c, SGI_FRAME + bits[i].off, 4,
				"gicr%d.%s0", c, bits[i].name);
		for (n = 0; n < 8; n++)
			add_reg(G_REDIST, c, SGI_FRAME + GICD_IPRIORITYR + 4 * n,
				4, "gicr%d.IPRIORITYR%u", c, n);
		for (n = 0; n < 2; n++)
			add_reg(G_REDIST, c, SGI_FRAME + GICD_ICFGR + 4 * n, 4,
				"gicr%d.ICFGR%u", c, n);
		for (i = 0; i < sizeof(icc) / sizeof(icc[0]); i++)
			add_reg(G_SYSREG, c, icc[i].enc, 8, "icc%d.%s", c,
				icc[i].name);
		add_reg(G_LEVEL, c, 0, 4, "level%d.private", c);
	}
	for (n = 32; n < NR_IRQS; n += 32)
		add_reg(G_LEVEL, 0, n, 4, "level.spi%u", n);

	add_reg(G_ITS, 0, GITS_CTLR, 4, "gits.CTLR");
	add_reg(G_ITS, 0, GITS_IIDR, 4, "gits.IIDR");
	add_reg(G_ITS, 0, GITS_TYPER, 8, "gits.TYPER");
	add_reg(G_ITS, 0, GITS_CBASER, 8, "gits.CBASER");
	add_reg(G_ITS, 0, GITS_CWRITER, 8, "gits.CWRITER");
	add_reg(G_ITS, 0, GITS_CREADR, 8, "gits.CREADR");
	for (n = 0; n < 8; n++)
		add_reg(G_ITS, 0, GITS_BASER(n), 8, "gits.BASER%u", n);
	add_reg(G_ITS, 0, GITS_PIDR2, 4, "gits.PIDR2");
}

static int find_reg(const char *name)
{
	int i;

	for (i = 0; i < nr_regs; i++)
		if (!strcmp(regs[i].name, name))
			return i;
	return -1;
}

/* --- KVM's side ------------------------------------------------------- */

/* MPIDR_EL1 affinity as KVM's attributes pack it: Aff3.Aff2.Aff1.Aff0 */
static __u64 mpidr_attr(__u64 mpidr)
{
	return (((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff)) << 32;
}

static int kvm_dev_attr(int fd, bool set, __u32 group, __u64 attr, void *p)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (__u64)(uintptr_t)p,
	};

	return ioctl(fd, set ? KVM_SET_DEVICE_ATTR : KVM_GET_DEVICE_ATTR, &a);
}

/* One 32-bit distributor or redistributor register (KVM's uaccess ABI) */
static int kvm_reg32(struct kside *k, enum grp g, int cpu, __u32 off,
		     bool set, __u32 *v)
{
	__u64 attr = off;
	__u32 group = KVM_DEV_ARM_VGIC_GRP_DIST_REGS;

	if (g == G_REDIST) {
		attr |= mpidr_attr(k->mpidr[cpu]);
		group = KVM_DEV_ARM_VGIC_GRP_REDIST_REGS;
	}
	return kvm_dev_attr(k->gic, set, group, attr, v);
}

static int kvm_reg(struct kside *k, enum grp g, int cpu, __u32 off,
		   int width, bool set, __u64 *val)
{
	__u32 lo = *val, hi = *val >> 32;
	__u64 attr;

	switch (g) {
	case G_DIST:
	case G_REDIST:
		/* 64-bit registers travel as two 32-bit halves */
		if (kvm_reg32(k, g, cpu, off, set, &lo))
			return -1;
		if (width == 8 && kvm_reg32(k, g, cpu, off + 4, set, &hi))
			return -1;
		if (!set)
			*val = width == 8 ? (__u64)hi << 32 | lo : lo;
		return 0;
	case G_SYSREG:
		attr = mpidr_attr(k->mpidr[cpu]) | off;
		return kvm_dev_attr(k->gic, set,
				    KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, attr,
				    val);
	case G_ITS:
		if (kvm_dev_attr(k->its, set, KVM_DEV_ARM_VGIC_GRP_ITS_REGS,
				 off, val))
			return -1;
		if (!set && width == 4)
			*val &= 0xffffffffULL;
		return 0;
	case G_LEVEL:
		attr = mpidr_attr(k->mpidr[cpu]) |
		       (__u64)VGIC_LEVEL_INFO_LINE_LEVEL <<
		       KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT | off;
		if (kvm_dev_attr(k->gic, set, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO,
				 attr, &lo))
			return -1;
		*val = lo;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

static int kvm_ctrl(int fd, __u64 attr)
{
	return kvm_dev_attr(fd, true, KVM_DEV_ARM_VGIC_GRP_CTRL, attr, NULL);
}

/* 0: ready; 1: no usable KVM (skip, @why says); -1: failed */
static int kside_open(struct kside *k, __u8 *mem, char *why, size_t len)
{
	struct kvm_userspace_memory_region mr = {
		.guest_phys_addr = MEM_GPA, .memory_size = MEM_SIZE,
		.userspace_addr = (__u64)(uintptr_t)mem,
	};
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	struct kvm_one_reg one = { .id = ARM64_SYS_REG(3, 0, 0, 0, 5) };
	struct kvm_vcpu_init init;
	__u64 dist = DIST_BASE, redist = REDIST_BASE, its = ITS_BASE;
	__u32 nr_irqs = NR_IRQS;
	int i;

	k->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (k->kvm < 0) {
		snprintf(why, len,
			 "no /dev/kvm (boot with --arch arm64 --kvm-ref)");
		return 1;
	}
	k->vm = ioctl(k->kvm, KVM_CREATE_VM, 0);
	if (k->vm < 0) {
		snprintf(why, len, "KVM_CREATE_VM: %s", strerror(errno));
		return 1;
	}
	if (ioctl(k->vm, KVM_SET_USER_MEMORY_REGION, &mr)) {
		snprintf(why, len, "memslot: %s", strerror(errno));
		return -1;
	}
	if (ioctl(k->vm, KVM_ARM_PREFERRED_TARGET, &init)) {
		snprintf(why, len, "KVM_ARM_PREFERRED_TARGET: %s",
			 strerror(errno));
		return -1;
	}
	for (i = 0; i < NR_VCPUS; i++) {
		k->vcpu[i] = ioctl(k->vm, KVM_CREATE_VCPU, i);
		one.addr = (__u64)(uintptr_t)&k->mpidr[i];
		if (k->vcpu[i] < 0 ||
		    ioctl(k->vcpu[i], KVM_ARM_VCPU_INIT, &init) ||
		    ioctl(k->vcpu[i], KVM_GET_ONE_REG, &one)) {
			snprintf(why, len, "vCPU %d: %s", i, strerror(errno));
			return -1;
		}
	}
	if (ioctl(k->vm, KVM_CREATE_DEVICE, &cd)) {
		snprintf(why, len, "KVM has no vgic-v3: %s", strerror(errno));
		return 1;
	}
	k->gic = cd.fd;
	if (kvm_dev_attr(k->gic, true, KVM_DEV_ARM_VGIC_GRP_ADDR,
			 KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) ||
	    kvm_dev_attr(k->gic, true, KVM_DEV_ARM_VGIC_GRP_ADDR,
			 KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist) ||
	    kvm_dev_attr(k->gic, true, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0,
			 &nr_irqs)) {
		snprintf(why, len, "vgic-v3 setup: %s", strerror(errno));
		return -1;
	}
	cd.type = KVM_DEV_TYPE_ARM_VGIC_ITS;
	cd.fd = 0;
	if (ioctl(k->vm, KVM_CREATE_DEVICE, &cd)) {
		snprintf(why, len, "KVM has no vgic-its: %s", strerror(errno));
		return 1;
	}
	k->its = cd.fd;
	if (kvm_dev_attr(k->its, true, KVM_DEV_ARM_VGIC_GRP_ADDR,
			 KVM_VGIC_ITS_ADDR_TYPE, &its) ||
	    kvm_ctrl(k->its, KVM_DEV_ARM_VGIC_CTRL_INIT) ||
	    kvm_ctrl(k->gic, KVM_DEV_ARM_VGIC_CTRL_INIT)) {
		snprintf(why, len, "vgic init: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void kside_close(struct kside *k)
{
	int i;

	for (i = 0; i < NR_VCPUS; i++)
		if (k->vcpu[i] >= 0)
			close(k->vcpu[i]);
	if (k->its >= 0)
		close(k->its);
	if (k->gic >= 0)
		close(k->gic);
	if (k->vm >= 0)
		close(k->vm);
	if (k->kvm >= 0)
		close(k->kvm);
}

static void kvm_snap(struct kside *k, struct snap *s)
{
	int i;

	for (i = 0; i < nr_regs; i++) {
		const struct reg *r = &regs[i];

		s->val[i] = 0;
		if (kvm_reg(k, r->grp, r->cpu, r->off, r->width, false,
			    &s->val[i]))
			s->val[i] = ERRV | errno;
	}
}

/* --- virq's side ------------------------------------------------------ */

static bool have_virq_gicv3(void)
{
	struct virq_family_info fi = { .family = VIRQ_FAMILY_GICV3 };
	int fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = !ioctl(fd, VIRQ_GET_FAMILY, &fi) &&
	     (fi.features & VIRQ_GICV3_FEATURE_ITS);
	close(fd);
	return ok;
}

static int vside_open(struct vside *v, const struct kside *k, __u8 *mem)
{
	struct virq_gicv3_options opt = {
		.flags = VIRQ_GICV3_OPT_LPIS | VIRQ_GICV3_OPT_ITS,
		.lpi_bits = LPI_BITS,
		.dist_base = DIST_BASE, .redist_base = REDIST_BASE,
		.its_base = ITS_BASE,
	};
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_GICV3, .nr_vcpus = NR_VCPUS,
		.nr_sources = NR_IRQS, .options = (__u64)(uintptr_t)&opt,
		.options_size = sizeof(opt),
	};
	struct virq_memory_region mr = {
		.guest_phys_addr = MEM_GPA, .memory_size = MEM_SIZE,
		.userspace_addr = (__u64)(uintptr_t)mem,
	};
	int i;

	v->fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	if (v->fd < 0 || ioctl(v->fd, VIRQ_SET_MEMORY_REGION, &mr) ||
	    ioctl(v->fd, VIRQ_CREATE_CHIP, &cfg))
		return -1;
	for (i = 0; i < NR_VCPUS; i++) {
		struct virq_vcpu_create vc = {
			.index = i,
			.arch_id = k->mpidr[i] & VIRQ_GICV3_MPIDR_MASK,
		};

		v->vcpu[i] = ioctl(v->fd, VIRQ_CREATE_VCPU, &vc);
		if (v->vcpu[i] < 0)
			return -1;
	}
	return 0;
}

static void vside_close(struct vside *v)
{
	int i;

	for (i = 0; i < NR_VCPUS; i++)
		if (v->vcpu[i] >= 0)
			close(v->vcpu[i]);
	if (v->fd >= 0)
		close(v->fd);
}

static int virq_attr(int fd, bool vcpu, bool set, __u32 group, __u64 attr,
		     void *p, __u32 size)
{
	struct virq_attr a = {
		.group = group, .attr = attr, .addr = (__u64)(uintptr_t)p,
		.size = size,
	};
	unsigned long cmd = vcpu ? (set ? VIRQ_VCPU_SET_ATTR :
					  VIRQ_VCPU_GET_ATTR) :
				   (set ? VIRQ_SET_ATTR : VIRQ_GET_ATTR);

	return ioctl(fd, cmd, &a);
}

/* The line levels of level-triggered interrupts, as LEVEL_INFO has them */
static int virq_levels(struct vside *v, int cpu, __u32 first, __u64 *val)
{
	__u64 w[32];
	struct virq_sources src = {
		.first = first, .count = 32, .addr = (__u64)(uintptr_t)w,
	};
	int i;

	if (first ? ioctl(v->fd, VIRQ_GET_SOURCES, &src) :
		    virq_attr(v->vcpu[cpu], true, false,
			      VIRQ_GICV3_VGRP_PRIVATE, 0, w, sizeof(w)))
		return -1;
	*val = 0;
	for (i = 0; i < 32; i++)
		if ((w[i] & (VIRQ_GICV3_SRC_LEVEL_USER |
			     VIRQ_GICV3_SRC_EDGE)) == VIRQ_GICV3_SRC_LEVEL_USER)
			*val |= 1ULL << i;
	return 0;
}

static int virq_reg(struct vside *v, enum grp g, int cpu, __u32 off,
		    int width, bool set, __u64 *val)
{
	switch (g) {
	case G_DIST:
		return virq_attr(v->fd, false, set, VIRQ_GICV3_GRP_DIST_REGS,
				 off, val, width);
	case G_REDIST:
		return virq_attr(v->vcpu[cpu], true, set,
				 VIRQ_GICV3_VGRP_REDIST_REGS, off, val, width);
	case G_SYSREG:
		return virq_attr(v->vcpu[cpu], true, set,
				 VIRQ_GICV3_VGRP_CPU_SYSREGS, off, val, 8);
	case G_ITS:
		return virq_attr(v->fd, false, set, VIRQ_GICV3_GRP_ITS_REGS,
				 off, val, width);
	case G_LEVEL:
		if (set)
			break;
		return virq_levels(v, cpu, off, val);
	}
	errno = EINVAL;
	return -1;
}

static void virq_snap(struct vside *v, struct snap *s)
{
	int i;

	for (i = 0; i < nr_regs; i++) {
		const struct reg *r = &regs[i];

		s->val[i] = 0;
		if (virq_reg(v, r->grp, r->cpu, r->off, r->width, false,
			     &s->val[i]))
			s->val[i] = ERRV | errno;
	}
}

static int virq_ctrl(struct vside *v, __u64 attr)
{
	return virq_attr(v->fd, false, true, VIRQ_GICV3_GRP_CTRL, attr, NULL,
			 0);
}

/* --- comparison --------------------------------------------------------- */

static void add_diff(struct dt *t, int reg, __u64 k, __u64 v, __u64 xb,
		     const char *name)
{
	struct diff *d;

	if (k == v || (k ^ v) == xb || t->nr_diffs >= MAX_DIFFS)
		return;
	d = &t->diffs[t->nr_diffs++];
	d->reg = reg;
	d->kvm = k;
	d->virq = v;
	d->xor_before = xb;
	snprintf(d->field, sizeof(d->field), "%.31s", name);
}

static void compare_snaps(struct dt *t)
{
	int i;

	for (i = 0; i < nr_regs; i++)
		add_diff(t, i, t->kn.val[i], t->vn.val[i],
			 t->kb.val[i] ^ t->vb.val[i], regs[i].name);
}

/* Compare two table images 8 bytes at a time */
static void compare_bytes(struct dt *t, const __u8 *k, const __u8 *v,
			  size_t len, const char *what)
{
	char name[32];
	__u64 kw, vw;
	size_t i;

	for (i = 0; i < len; i += 8) {
		memcpy(&kw, k + i, 8);
		memcpy(&vw, v + i, 8);
		snprintf(name, sizeof(name), "%s[%#zx]", what, i);
		add_diff(t, -1, kw, vw, 0, name);
	}
}

static void print_value(char *buf, size_t len, __u64 v)
{
	if ((v & ~0xffffULL) == ERRV)
		snprintf(buf, len, "error %s", strerror(v & 0xffff));
	else
		snprintf(buf, len, "%#llx", (unsigned long long)v);
}

static void print_diff(const struct dt *t, const struct diff *d,
		       const char *what)
{
	char kv[48], vv[48];

	print_value(kv, sizeof(kv), d->kvm);
	print_value(vv, sizeof(vv), d->virq);
	note("  step %d [%s] %s %s: kvm %s virq %s", t->step, t->op.desc,
	     what, d->field, kv, vv);
}

static const struct allow allow_list[];
static const unsigned int nr_allow;

static void judge(struct dt *t)
{
	unsigned int r;
	int i;

	for (i = 0; i < t->nr_diffs; i++) {
		const struct diff *d = &t->diffs[i];

		for (r = 0; r < nr_allow; r++) {
			const struct allow *a = &allow_list[r];

			if (!fnmatch(a->field, d->field, 0) && a->ok(t, d))
				break;
		}
		if (r < nr_allow) {
			t->allowed++;
			if (t->shown & (1ULL << r))
				continue;
			t->shown |= 1ULL << r;
			print_diff(t, d, "allowed");
			note("    [%s] %s", allow_list[r].name,
			     allow_list[r].reason);
			continue;
		}
		t->bad++;
		if (t->printed++ < MAX_PRINTED)
			print_diff(t, d, "DIFF");
	}
	if (t->nr_diffs >= MAX_DIFFS) {
		t->bad++;
		note("  step %d: too many differences", t->step);
	}
}

/* --- steps ---------------------------------------------------------------- */

/* An ioctl's outcome as a comparable value: 0, or ERRV | errno */
static __u64 outcome(int r)
{
	return r < 0 ? ERRV | errno : 0;
}

static void save_pending(struct dt *t)
{
	int c, r;

	for (c = 0; c < NR_VCPUS; c++)
		memset(t->mem + PENDTAB(c), 0, PENDTAB_SIZE);
	r = kvm_ctrl(t->k.gic, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES);
	t->kres = outcome(r);
	for (c = 0; c < NR_VCPUS; c++)
		memcpy(t->kpend[c], t->mem + PENDTAB(c), PENDTAB_SIZE);
	if (t->kvm_only) {
		memcpy(t->vpend, t->kpend, sizeof(t->vpend));
		t->vres = t->kres;
		return;
	}
	for (c = 0; c < NR_VCPUS; c++)
		memset(t->mem + PENDTAB(c), 0, PENDTAB_SIZE);
	r = virq_ctrl(&t->v, VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES);
	t->vres = outcome(r);
	for (c = 0; c < NR_VCPUS; c++)
		memcpy(t->vpend[c], t->mem + PENDTAB(c), PENDTAB_SIZE);
}

static void tables_copy(struct dt *t, __u8 (*dst)[TAB_BYTES])
{
	memcpy(dst[0], t->mem + DEVTAB, TAB_BYTES);
	memcpy(dst[1], t->mem + COLLTAB, TAB_BYTES);
	memcpy(dst[2], t->mem + ITT(0), TAB_BYTES);
}

static void tables_zero(struct dt *t)
{
	memset(t->mem + DEVTAB, 0, 0x10000);
	memset(t->mem + COLLTAB, 0, 0x10000);
	memset(t->mem + ITT(0), 0, ITT_SIZE);
}

static void save_tables(struct dt *t)
{
	int r;

	tables_zero(t);
	r = kvm_ctrl(t->k.its, KVM_DEV_ARM_ITS_SAVE_TABLES);
	t->kres = outcome(r);
	tables_copy(t, t->ktab);
	if (t->kvm_only) {
		memcpy(t->vtab, t->ktab, sizeof(t->vtab));
		t->vres = t->kres;
		return;
	}
	tables_zero(t);
	r = virq_ctrl(&t->v, VIRQ_GICV3_CTRL_ITS_SAVE_TABLES);
	t->vres = outcome(r);
	tables_copy(t, t->vtab);
}

static void do_line(struct dt *t)
{
	const struct op *op = &t->op;
	struct kvm_irq_level lv = { .level = op->val };
	struct virq_irq_line l = {
		.op = op->val ? VIRQ_LINE_SET : VIRQ_LINE_RESET,
	};

	if (op->cpu < 0) {
		lv.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT |
			 op->off;
		l.source = op->off;
	} else {
		lv.irq = KVM_ARM_IRQ_TYPE_PPI << KVM_ARM_IRQ_TYPE_SHIFT |
			 op->cpu << KVM_ARM_IRQ_VCPU_SHIFT | op->off;
		l.source = VIRQ_GICV3_SOURCE_PRIVATE(op->cpu, op->off);
	}
	t->kres = outcome(ioctl(t->k.vm, KVM_IRQ_LINE, &lv));
	t->vres = t->kvm_only ? t->kres :
		  outcome(ioctl(t->v.fd, VIRQ_IRQ_LINE, &l));
}

/*
 * KVM_SIGNAL_MSI returns 1 (delivered) or 0 (the ITS dropped it: no
 * mapping); virq reports VIRQ_STATUS_MASKED for a dropped message.
 * Both become 1 or 0; an ioctl error is ERRV | errno.
 */
static void do_msi(struct dt *t)
{
	struct kvm_msi km = {
		.address_lo = (__u32)MSI_DOORBELL,
		.address_hi = MSI_DOORBELL >> 32,
		.data = t->op.val, .flags = KVM_MSI_VALID_DEVID,
		.devid = t->op.off,
	};
	struct virq_msi vm = {
		.address_lo = (__u32)MSI_DOORBELL,
		.address_hi = MSI_DOORBELL >> 32,
		.data = t->op.val, .flags = VIRQ_MSI_FLAG_DEVID,
		.devid = t->op.off,
	};
	int r = ioctl(t->k.vm, KVM_SIGNAL_MSI, &km);

	t->kres = r < 0 ? ERRV | errno : r > 0;
	if (t->kvm_only) {
		t->vres = t->kres;
		return;
	}
	r = ioctl(t->v.fd, VIRQ_SIGNAL_MSI, &vm);
	t->vres = r < 0 ? ERRV | errno : vm.status != VIRQ_STATUS_MASKED;
}

static void pimg_load(struct dt *t)
{
	int c;

	if (!t->use_pimg)
		return;
	for (c = 0; c < NR_VCPUS; c++)
		memcpy(t->mem + PENDTAB(c), t->pimg[c], PENDTAB_SIZE);
}

/* Run @t->op on both sides, then compare results and states. */
static void run_step(struct dt *t)
{
	const struct op *op = &t->op;
	bool result = true;
	__u64 val;
	int c;

	t->kb = t->kn;
	t->vb = t->vn;
	t->nr_diffs = 0;
	t->step++;
	t->kres = 0;
	t->vres = 0;

	switch (op->kind) {
	case OP_RESET:
		result = false;
		break;
	case OP_WRITE:
		pimg_load(t);
		val = op->val;
		t->kres = outcome(kvm_reg(&t->k, op->grp, op->cpu, op->off,
					  op->width, true, &val));
		val = op->val;
		pimg_load(t);
		t->vres = t->kvm_only ? t->kres :
			  outcome(virq_reg(&t->v, op->grp, op->cpu, op->off,
					   op->width, true, &val));
		break;
	case OP_LINE:
		do_line(t);
		break;
	case OP_MSI:
		do_msi(t);
		break;
	case OP_SAVE_PENDING:
		save_pending(t);
		break;
	case OP_SAVE_TABLES:
		save_tables(t);
		break;
	}

	kvm_snap(&t->k, &t->kn);
	if (t->kvm_only)
		t->vn = t->kn;
	else
		virq_snap(&t->v, &t->vn);

	/* A step's result is always judged */
	if (result)
		add_diff(t, -1, t->kres, t->vres, 0,
			 op->kind == OP_MSI ? "msi" : "result");
	compare_snaps(t);
	if (op->kind == OP_SAVE_PENDING) {
		for (c = 0; c < NR_VCPUS; c++) {
			char what[16];

			snprintf(what, sizeof(what), "pend%d", c);
			compare_bytes(t, t->kpend[c], t->vpend[c],
				      PENDTAB_SIZE, what);
		}
	}
	if (op->kind == OP_SAVE_TABLES) {
		compare_bytes(t, t->ktab[0], t->vtab[0], TAB_BYTES, "devtab");
		compare_bytes(t, t->ktab[1], t->vtab[1], TAB_BYTES, "colltab");
		compare_bytes(t, t->ktab[2], t->vtab[2], TAB_BYTES, "itt");
	}
	judge(t);
}

static void step(struct dt *t, enum op_kind kind, enum grp g, int cpu,
		 __u32 off, int width, __u64 val, const char *fmt, ...)
{
	va_list ap;

	t->op.kind = kind;
	t->op.grp = g;
	t->op.cpu = cpu;
	t->op.off = off;
	t->op.width = width;
	t->op.val = val;
	va_start(ap, fmt);
	vsnprintf(t->op.desc, sizeof(t->op.desc), fmt, ap);
	va_end(ap);
	run_step(t);
}

static void gicd(struct dt *t, __u32 off, __u32 val)
{
	step(t, OP_WRITE, G_DIST, 0, off, 4, val, "GICD+%#x = %#x", off, val);
}

static void gicd64(struct dt *t, __u32 off, __u64 val)
{
	step(t, OP_WRITE, G_DIST, 0, off, 8, val, "GICD+%#x = %#llx", off,
	     (unsigned long long)val);
}

static void gicr(struct dt *t, int cpu, __u32 off, __u32 val)
{
	step(t, OP_WRITE, G_REDIST, cpu, off, 4, val, "GICR%d+%#x = %#x",
	     cpu, off, val);
}

static void gicr64(struct dt *t, int cpu, __u32 off, __u64 val)
{
	step(t, OP_WRITE, G_REDIST, cpu, off, 8, val, "GICR%d+%#x = %#llx",
	     cpu, off, (unsigned long long)val);
}

static void icc(struct dt *t, int cpu, __u32 enc, __u64 val)
{
	step(t, OP_WRITE, G_SYSREG, cpu, enc, 8, val, "ICC%d %#x = %#llx",
	     cpu, enc, (unsigned long long)val);
}

static void gits(struct dt *t, __u32 off, __u32 val)
{
	step(t, OP_WRITE, G_ITS, 0, off, 4, val, "GITS+%#x = %#x", off, val);
}

static void gits64(struct dt *t, __u32 off, __u64 val)
{
	step(t, OP_WRITE, G_ITS, 0, off, 8, val, "GITS+%#x = %#llx", off,
	     (unsigned long long)val);
}

static void spi_line(struct dt *t, __u32 intid, int level)
{
	step(t, OP_LINE, G_DIST, -1, intid, 0, level, "SPI %u level %d",
	     intid, level);
}

static void ppi_line(struct dt *t, int cpu, __u32 intid, int level)
{
	step(t, OP_LINE, G_REDIST, cpu, intid, 0, level,
	     "PPI %u of vCPU %d level %d", intid, cpu, level);
}

static void msi(struct dt *t, __u32 devid, __u32 eventid)
{
	step(t, OP_MSI, G_ITS, 0, devid, 0, eventid, "MSI dev %u event %u",
	     devid, eventid);
}

static void pending_save(struct dt *t)
{
	step(t, OP_SAVE_PENDING, G_REDIST, 0, 0, 0, 0, "SAVE_PENDING_TABLES");
}

static void tables_save(struct dt *t)
{
	step(t, OP_SAVE_TABLES, G_ITS, 0, 0, 0, 0, "ITS SAVE_TABLES");
}

/* The value of register @name after the last step (KVM's side) */
static __u64 kval(const struct dt *t, const char *name)
{
	int i = find_reg(name);

	return i < 0 ? ~0ULL : t->kn.val[i];
}

/* Queue one ITS command in guest memory (not yet visible: no CWRITER) */
static void its_cmd(struct dt *t, __u64 dw0, __u64 dw1, __u64 dw2,
		    __u64 dw3)
{
	__u64 cmd[4] = { dw0, dw1, dw2, dw3 };

	memcpy(t->mem + CMDQ + t->cmd_off, cmd, sizeof(cmd));
	t->cmd_off = (t->cmd_off + 32) % CMDQ_SIZE;
}

/* Make the queued commands visible to both ITSs */
static void its_kick(struct dt *t)
{
	gits64(t, GITS_CWRITER, t->cmd_off);
}

static void cmd_mapd(struct dt *t, __u32 dev, int valid)
{
	its_cmd(t, CMD_MAPD | (__u64)dev << 32, 4 /* 5 event id bits */,
		(valid ? VALID : 0) | (MEM_GPA + ITT(dev)), 0);
}

static void cmd_mapc(struct dt *t, __u32 icid, __u32 rd, int valid)
{
	its_cmd(t, CMD_MAPC, 0, (valid ? VALID : 0) | (__u64)rd << 16 | icid,
		0);
}

static void cmd_mapti(struct dt *t, __u32 dev, __u32 ev, __u32 intid,
		      __u32 icid)
{
	its_cmd(t, CMD_MAPTI | (__u64)dev << 32, ev | (__u64)intid << 32,
		icid, 0);
	if (t->nr_ites < 32) {
		t->ites[t->nr_ites][0] = dev;
		t->ites[t->nr_ites][1] = ev;
		t->ites[t->nr_ites++][2] = intid;
	}
}

/* INT, CLEAR, DISCARD, INV: a device and an event */
static void cmd_dev_ev(struct dt *t, __u64 nr, __u32 dev, __u32 ev)
{
	its_cmd(t, nr | (__u64)dev << 32, ev, 0, 0);
}

static void cmd_movi(struct dt *t, __u32 dev, __u32 ev, __u32 icid)
{
	its_cmd(t, CMD_MOVI | (__u64)dev << 32, ev, icid, 0);
}

static void cmd_sync(struct dt *t, __u32 rd)
{
	its_cmd(t, CMD_SYNC, 0, (__u64)rd << 16, 0);
}

static bool pend_bit(const __u8 *tab, __u32 intid)
{
	return tab[intid / 8] & (1U << (intid % 8));
}

/* --- the allow-list ------------------------------------------------------ */

#define IIDR_IMPLEMENTER	0xfffU
#define ARM_IMPLEMENTER		0x43bU

/* The step made @d differ in @bits alone (the values, not the before) */
static bool only_bits(const struct diff *d, __u64 bits)
{
	return !((d->kvm ^ d->virq) & ~bits);
}

static bool is_result(const struct diff *d)
{
	return d->reg < 0 && !strcmp(d->field, "result");
}

static int reg_at(enum grp g, int cpu, __u32 off)
{
	int i;

	for (i = 0; i < nr_regs; i++)
		if (regs[i].grp == g && regs[i].off == off &&
		    (g == G_DIST || g == G_ITS || regs[i].cpu == cpu))
			return i;
	return -1;
}

static bool op_is_write(const struct dt *t, enum grp g, __u32 off)
{
	return t->op.kind == OP_WRITE && t->op.grp == g && t->op.off == off;
}

/* Both name Arm as the implementer; product and revision are each's */
static bool rule_iidr(const struct dt *t, const struct diff *d)
{
	return (d->kvm & IIDR_IMPLEMENTER) == ARM_IMPLEMENTER &&
	       (d->virq & IIDR_IMPLEMENTER) == ARM_IMPLEMENTER &&
	       (d->virq >> 24) == 'V';
}

#define TYPER_MBIS	(1ULL << 16)
#define TYPER_A3V	(1ULL << 24)
#define TYPER_RSS	(1ULL << 26)

static bool rule_gicd_typer(const struct dt *t, const struct diff *d)
{
	__u64 x = TYPER_MBIS | TYPER_A3V | TYPER_RSS;

	return (d->kvm ^ d->virq) == x && (d->virq & x) == x;
}

static bool rule_statusr(const struct dt *t, const struct diff *d)
{
	return d->kvm == 0xffffffff && d->virq == 0;
}

static bool rule_spi_reset_edge(const struct dt *t, const struct diff *d)
{
	return t->op.kind == OP_RESET && d->kvm == 0xaaaaaaaa && d->virq == 0;
}

#define GICR_CTLR_CES	(1ULL << 1)
#define GICR_CTLR_IR	(1ULL << 2)
#define GICR_TYPER_DIRECTLPI (1ULL << 3)

static bool rule_gicr_ctlr(const struct dt *t, const struct diff *d)
{
	__u64 x = GICR_CTLR_CES | GICR_CTLR_IR;

	return (d->kvm ^ d->virq) == x && (d->kvm & x) == x;
}

static bool rule_directlpi(const struct dt *t, const struct diff *d)
{
	return (d->kvm ^ d->virq) == GICR_TYPER_DIRECTLPI &&
	       (d->virq & GICR_TYPER_DIRECTLPI);
}

static bool rule_waker(const struct dt *t, const struct diff *d)
{
	return d->kvm == 0 && (d->virq == 0 || d->virq == 6);
}

static bool rule_lpibase_reset(const struct dt *t, const struct diff *d)
{
	return t->op.kind == OP_RESET && d->kvm == 0x580 && d->virq == 0;
}

/* A PROPBASER write to another redistributor shows on KVM's */
static bool rule_propbaser_shared(const struct dt *t, const struct diff *d)
{
	int w = reg_at(G_REDIST, t->op.cpu, GICR_PROPBASER);

	return op_is_write(t, G_REDIST, GICR_PROPBASER) && w >= 0 &&
	       d->reg >= 0 && regs[d->reg].cpu != t->op.cpu &&
	       d->kvm == t->kn.val[w] && d->virq == t->vb.val[d->reg];
}

#define OUTER_CACHE	(7ULL << 56)

static bool rule_outer_cache(const struct dt *t, const struct diff *d)
{
	return only_bits(d, OUTER_CACHE) && !(d->kvm & OUTER_CACHE);
}

static bool rule_bpr_reset(const struct dt *t, const struct diff *d)
{
	bool bpr1 = strstr(d->field, "BPR1");

	return t->op.kind == OP_RESET && d->kvm == 0 && d->virq == 2U + bpr1;
}

static bool rule_icc_ctlr(const struct dt *t, const struct diff *d)
{
	return only_bits(d, ICC_CTLR_IDBITS | ICC_CTLR_RSS) &&
	       (d->virq & ICC_CTLR_RSS) && !(d->kvm & ICC_CTLR_RSS) &&
	       (d->kvm & ICC_CTLR_IDBITS) <= 1ULL << 11 &&
	       !(d->virq & ICC_CTLR_IDBITS);
}

/* A PMR value with the unimplemented bits 2:0 set */
static bool op_pmr_low_bits(const struct dt *t)
{
	return op_is_write(t, G_SYSREG, ICC_PMR) && (t->op.val & 7);
}

static bool rule_pmr_low_bits(const struct dt *t, const struct diff *d)
{
	if (!op_pmr_low_bits(t) || t->vres != (ERRV | EINVAL))
		return false;
	if (is_result(d))
		return d->kvm == 0;
	return d->reg >= 0 && d->virq == t->vb.val[d->reg] &&
	       d->kvm == (t->op.val & 0xff);
}

/*
 * virq refuses (EINVAL) a state write of a value the register cannot
 * hold; KVM keeps what it can: the value KVM reads back is not the one
 * written, and virq's register did not change.
 */
static bool rule_strict_uaccess(const struct dt *t, const struct diff *d)
{
	int r = reg_at(t->op.grp, t->op.cpu, t->op.off);
	__u64 mask = t->op.width == 8 ? ~0ULL : 0xffffffffULL;

	return is_result(d) && t->op.kind == OP_WRITE && r >= 0 &&
	       d->kvm == 0 && d->virq == (ERRV | EINVAL) &&
	       (t->kn.val[r] & mask) != (t->op.val & mask) &&
	       t->vn.val[r] == t->vb.val[r];
}

/* KVM's uaccess reads GICD_ICPENDR<n> and GICR_ICPENDR0 as 0 */
static bool rule_icpendr_raz(const struct dt *t, const struct diff *d)
{
	char name[32], *p;
	int r;

	snprintf(name, sizeof(name), "%s", d->field);
	p = strstr(name, "ICPENDR");
	if (!p || d->kvm != 0)
		return false;
	p[1] = 'S';
	r = find_reg(name);
	return r >= 0 && d->virq == t->vn.val[r];
}

static bool rule_ctlr_grp0(const struct dt *t, const struct diff *d)
{
	return (d->kvm ^ d->virq) == CTLR_EN_GRP0 && (d->virq & CTLR_EN_GRP0);
}

static bool rule_irouter(const struct dt *t, const struct diff *d)
{
	return (d->virq & ~(IROUTER_IRM | 0xffULL << 32)) == d->kvm;
}

#define CBASER_KVM_KEEPS (1ULL << 62 | OUTER_CACHE | 1ULL << 52 | 3ULL << 8)

static bool rule_cbaser(const struct dt *t, const struct diff *d)
{
	return d->virq == (d->kvm & ~CBASER_KVM_KEEPS);
}

static bool rule_its_busy(const struct dt *t, const struct diff *d)
{
	int c = find_reg("gits.CTLR");

	return is_result(d) && t->op.kind == OP_WRITE &&
	       t->op.grp == G_ITS && t->op.off >= GITS_CBASER &&
	       t->op.off <= GITS_BASER(7) && t->op.off != GITS_CWRITER &&
	       t->op.off != GITS_CREADR && d->kvm == 0 &&
	       d->virq == (ERRV | EBUSY) && (t->kb.val[c] & GITS_CTLR_EN);
}

/* virq keeps pending what the pending table said, mapped or not */
static bool rule_pending_unmapped(const struct dt *t, const struct diff *d)
{
	int c = d->field[4] - '0';
	size_t off;
	__u64 img, extra = d->virq & ~d->kvm;

	if (c < 0 || c >= NR_VCPUS || sscanf(d->field + 6, "%zx", &off) != 1 ||
	    off + 8 > PENDTAB_SIZE || (d->kvm & ~d->virq))
		return false;
	memcpy(&img, &t->pimg[c][off], 8);
	return extra && !(extra & ~img);
}

/* An MSI translated to an LPI its property table entry disables */
static bool rule_msi_disabled_lpi(const struct dt *t, const struct diff *d)
{
	__u32 intid = 0;
	int i;

	if (t->op.kind != OP_MSI || d->kvm != 1 || d->virq != 0)
		return false;
	for (i = 0; i < t->nr_ites; i++)
		if (t->ites[i][0] == t->op.off && t->ites[i][1] == t->op.val)
			intid = t->ites[i][2];
	return intid >= LPI(0) && intid < LPI(MEM_SIZE) &&
	       !(t->mem[PROPTAB + intid - LPI(0)] & PROP_ENABLE);
}

/*
 * The documented differences.  Each rule names the fields it covers and
 * checks that the values are the ones its reason explains.  The
 * architecture (IHI 0069) is the reference; a reason starting "KVM" is
 * a departure or an omission of KVM 6.1's, one starting "virq" a choice
 * of virq's (its model files say why).  Documentation/userspace-api/virq/
 * devices/gicv3-kvm-diff.rst has the full list.
 */
static const struct allow allow_list[] = {
	/* IHI 0069 12.9.16 GICD_IIDR: implementation defined product */
	{ "iidr", "g*.IIDR", rule_iidr,
	  "KVM: ProductID 0 with its vgic revision; virq: ProductID 'V'" },
	/* 12.9.38 GICD_TYPER */
	{ "gicd-typer", "gicd.TYPER", rule_gicd_typer,
	  "virq advertises MBIS (GICD_SETSPI_NSR), A3V and RSS; KVM 6.1 none of them" },
	/* 12.9.35 GICD_STATUSR: no error recorded reads 0 */
	{ "kvm-statusr-rao", "gicd.STATUSR", rule_statusr,
	  "KVM reads GICD_STATUSR as all ones; virq as 0 (no error)" },
	/* 12.9.9 GICD_ICFGR: SPI reset trigger is implementation defined */
	{ "spi-reset-trigger", "gicd.ICFGR*", rule_spi_reset_edge,
	  "SPIs reset edge-triggered in KVM, level-triggered in virq (implementation defined)" },
	/* 12.11.2 GICR_CTLR.IR, CES; 12.11.37 GICR_TYPER.DirectLPI */
	{ "gicr-ctlr-ir-ces", "gicr*.CTLR", rule_gicr_ctlr,
	  "KVM sets GICR_CTLR.IR and CES; virq says the same with DirectLPI" },
	{ "gicr-typer-directlpi", "gicr*.TYPER", rule_directlpi,
	  "virq sets GICR_TYPER.DirectLPI (SETLPIR ... SYNCR); KVM 6.1 not" },
	/* 12.11.41 GICR_WAKER */
	{ "kvm-waker-raz", "gicr*.WAKER", rule_waker,
	  "KVM's GICR_WAKER is RAZ/WI; virq has ProcessorSleep, ChildrenAsleep" },
	/* 12.11.28, 12.11.29: reset UNKNOWN */
	{ "lpi-baser-reset", "gicr*.P*BASER", rule_lpibase_reset,
	  "PROPBASER/PENDBASER reset UNKNOWN: KVM 0x580, virq 0" },
	/* 12.11.28 with GICR_TYPER.CommonLPIAff 0 */
	{ "kvm-shared-propbaser", "gicr*.PROPBASER", rule_propbaser_shared,
	  "KVM keeps one GICR_PROPBASER for all redistributors; virq one each" },
	{ "kvm-outer-cache", "gicr*.P*BASER", rule_outer_cache,
	  "KVM forces OuterCache (bits 58:56) of PROPBASER/PENDBASER to 0; virq keeps the field" },
	/* 12.2.4, 12.2.5: BPR minimum with 5 preemption bits */
	{ "kvm-bpr-reset", "icc*.BPR*", rule_bpr_reset,
	  "KVM's reset VMCR reads BPR0/BPR1 0, below the minimum; virq the minimum (2, 3)" },
	/* 12.2.6 ICC_CTLR_EL1 */
	{ "icc-ctlr-idbits-rss", "icc*.CTLR", rule_icc_ctlr,
	  "ICC_CTLR_EL1: KVM shows the host's IDbits (24), virq 16 and RSS 1" },
	/* 12.2.14: PMR bits 2:0 RAZ/WI with 5 priority bits */
	{ "pmr-low-bits", "*", rule_pmr_low_bits,
	  "KVM keeps PMR's unimplemented bits 2:0; virq refuses a restore that sets them" },
	{ "virq-strict-uaccess", "result", rule_strict_uaccess,
	  "virq refuses (EINVAL) a state write the register cannot hold; KVM keeps what it can" },
	{ "kvm-icpendr-raz", "*.ICPENDR*", rule_icpendr_raz,
	  "KVM's uaccess reads ICPENDR as 0; virq as the pending latches (as ISPENDR)" },
	/* 12.9.4 GICD_CTLR with DS = 1 */
	{ "kvm-no-group0", "gicd.CTLR", rule_ctlr_grp0,
	  "KVM 6.1's GICD_CTLR.EnableGrp0 is RAZ/WI; virq has group 0" },
	/* 12.9.22 GICD_IROUTER */
	{ "kvm-irouter", "gicd.IROUTER*", rule_irouter,
	  "KVM's IROUTER keeps neither IRM (no 1-of-N) nor Aff3; virq both" },
	/* 12.19.2 GITS_CBASER */
	{ "kvm-cbaser-res0", "gits.CBASER", rule_cbaser,
	  "KVM keeps GITS_CBASER bits 62, 52, 9:8 (RES0) and OuterCache; virq clears them" },
	{ "virq-its-busy", "result", rule_its_busy,
	  "virq refuses (EBUSY) a CBASER/BASER restore while the ITS is enabled; KVM ignores it" },
	/* api.rst: KVM_SIGNAL_MSI 0 means blocked by the guest */
	{ "msi-disabled-lpi", "msi", rule_msi_disabled_lpi,
	  "an MSI to a disabled LPI: KVM 1 (translated), virq MASKED (latched)" },
	{ "pending-unmapped-lpi", "pend*", rule_pending_unmapped,
	  "virq keeps an LPI the pending table had pending though no ITE maps it; KVM forgets it" },
};

static const unsigned int nr_allow = sizeof(allow_list) /
				     sizeof(allow_list[0]);

/* --- fixture ----------------------------------------------------------- */

FIXTURE(gicv3diff) {
	struct dt *t;
	bool skip;
};

FIXTURE_SETUP(gicv3diff)
{
	char why[128] = "";
	const char *e = getenv("GICV3_DIFF_KVM_ONLY");
	bool kvm_only = e && *e && strcmp(e, "0");
	struct dt *t;
	int i, r;

	self->skip = true;
	if (!kvm_only && !have_virq_gicv3())
		SKIP(return, "no /dev/virq with the GICv3 family and ITS");
	init_regs();
	t = calloc(1, sizeof(*t));
	ASSERT_NE(NULL, t);
	self->t = t;
	t->kvm_only = kvm_only;
	t->k.kvm = -1;
	t->k.vm = -1;
	t->k.gic = -1;
	t->k.its = -1;
	t->v.fd = -1;
	for (i = 0; i < NR_VCPUS; i++) {
		t->k.vcpu[i] = -1;
		t->v.vcpu[i] = -1;
	}
	t->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, t->mem);
	r = kside_open(&t->k, t->mem, why, sizeof(why));
	if (r > 0) {
		kside_close(&t->k);
		munmap(t->mem, MEM_SIZE);
		free(t);
		self->t = NULL;
		SKIP(return, "%s", why);
	}
	self->skip = false;
	ASSERT_EQ(0, r) TH_LOG("KVM side: %s", why);
	if (kvm_only) {
		note("GICV3_DIFF_KVM_ONLY: KVM's half alone, nothing compared");
	} else {
		ASSERT_EQ(0, vside_open(&t->v, &t->k, t->mem))
			TH_LOG("virq side: %s", strerror(errno));
	}
	/* Step 1: the state both create */
	step(t, OP_RESET, G_DIST, 0, 0, 0, 0, "after creation");
}

FIXTURE_TEARDOWN(gicv3diff)
{
	if (!self->t)
		return;
	note("%d steps, %d allowed and %d unexplained differences",
	     self->t->step, self->t->allowed, self->t->bad);
	kside_close(&self->t->k);
	vside_close(&self->t->v);
	munmap(self->t->mem, MEM_SIZE);
	free(self->t);
}

#define SKIP_IF_NEEDED() do { if (self->skip) return; } while (0)

/* Every register after creation (the reset values) */
TEST_F_TIMEOUT(gicv3diff, reset_state, 120)
{
	struct dt *t = self->t;
	const char *e = getenv("GICV3_DIFF_VERBOSE");
	char kv[48], vv[48];
	int i;

	SKIP_IF_NEEDED();
	if ((e && *e) || t->kvm_only) {
		for (i = 0; i < nr_regs; i++) {
			print_value(kv, sizeof(kv), t->kn.val[i]);
			print_value(vv, sizeof(vv), t->vn.val[i]);
			note("  %-20s kvm %-18s virq %s", regs[i].name, kv,
			     t->kvm_only ? "-" : vv);
		}
	}
	/* What the architecture requires of KVM's side too */
	EXPECT_EQ(0x30ULL, kval(t, "gicd.PIDR2") & 0xf0);
	EXPECT_EQ(NR_IRQS / 32 - 1ULL, kval(t, "gicd.TYPER") & 0x1f);
	EXPECT_NE(0ULL, kval(t, "gicr1.TYPER") & (1ULL << 4));	/* Last */
	EXPECT_EQ(0ULL, kval(t, "gicr0.TYPER") & (1ULL << 4));
	EXPECT_EQ(mpidr_attr(t->k.mpidr[1]),
		  kval(t, "gicr1.TYPER") & 0xffffffff00000000ULL);
	EXPECT_EQ(0, t->bad);
}

/* Distributor registers: each writable field, all ones, patterns */
TEST_F_TIMEOUT(gicv3diff, dist_registers, 300)
{
	static const __u32 pat[] = { 0xffffffff, 0x5a5a5a5a, 0x00000000 };
	struct dt *t = self->t;
	unsigned int i, n;

	SKIP_IF_NEEDED();
	gicd(t, GICD_CTLR, 0xffffffff);
	gicd(t, GICD_CTLR, 0);
	gicd(t, GICD_CTLR, CTLR_EN_GRP1);
	gicd(t, GICD_CTLR, CTLR_EN_GRP0 | CTLR_EN_GRP1);
	gicd(t, GICD_TYPER, 0);
	gicd(t, GICD_STATUSR, 0xffffffff);
	for (i = 0; i < sizeof(pat) / sizeof(pat[0]); i++) {
		for (n = 0; n < NR_IRQS / 32; n++) {
			gicd(t, GICD_IGROUPR + 4 * n, pat[i]);
			gicd(t, GICD_IGRPMODR + 4 * n, pat[i]);
		}
		gicd(t, GICD_IPRIORITYR + 4 * 8, pat[i]);
		gicd(t, GICD_IPRIORITYR + 4 * 23, pat[i] ^ 0x12345678);
		gicd(t, GICD_ICFGR + 4 * 2, pat[i]);
		gicd(t, GICD_ICFGR + 4 * 5, pat[i]);
	}
	gicd(t, GICD_IPRIORITYR, 0xffffffff);	/* SGIs: RAZ/WI with ARE */
	gicd(t, GICD_ISENABLER + 4, 0x8000000f);
	gicd(t, GICD_ISENABLER + 8, 0xffffffff);
	gicd(t, GICD_ICENABLER + 8, 0x0000ffff);
	gicd(t, GICD_ISENABLER, 0xffffffff);	/* private: RAZ/WI */
	gicd64(t, GICD_IROUTER + 8 * 32, mpidr_attr(t->k.mpidr[1]) >> 32);
	gicd64(t, GICD_IROUTER + 8 * 33, t->k.mpidr[1] & 0xffffff);
	gicd64(t, GICD_IROUTER + 8 * 34, IROUTER_IRM);
	gicd64(t, GICD_IROUTER + 8 * 35, ~0ULL);
	gicd64(t, GICD_IROUTER + 8 * 95, 0xff00ffffffULL);
	EXPECT_EQ(0, t->bad);
}

/* Pending and active through ISPENDR/ICPENDR and ISACTIVER/ICACTIVER */
TEST_F_TIMEOUT(gicv3diff, dist_pending_active, 300)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	gicd(t, GICD_ICFGR + 4 * 2, 0xaaaaaaaa);	/* SPIs 32-47 edge */
	gicd(t, GICD_ISPENDR + 4, 0x00010001);
	gicd(t, GICD_ISPENDR + 8, 0x80000001);
	gicd(t, GICD_ICPENDR + 4, 0x00000001);
	gicd(t, GICD_ISACTIVER + 4, 0x00030003);
	gicd(t, GICD_ICACTIVER + 4, 0x00010002);
	gicd(t, GICD_ISENABLER + 4, 0xffffffff);
	gicd(t, GICD_CTLR, CTLR_EN_GRP1);
	gicd(t, GICD_IGROUPR + 4, 0xffffffff);
	gicd(t, GICD_ICPENDR + 8, 0xffffffff);
	gicd(t, GICD_ICACTIVER + 4, 0xffffffff);
	EXPECT_EQ(0, t->bad);
}

/* Redistributors: RD frame and SGI frame of each vCPU */
TEST_F_TIMEOUT(gicv3diff, redist_registers, 300)
{
	struct dt *t = self->t;
	int c;

	SKIP_IF_NEEDED();
	for (c = 0; c < NR_VCPUS; c++) {
		gicr(t, c, GICR_WAKER, 0);
		gicr(t, c, GICR_WAKER, WAKER_PS);
		gicr(t, c, GICR_WAKER, 0xffffffff);
		gicr(t, c, GICR_WAKER, 0);
		gicr(t, c, GICR_IIDR, 0);
		gicr64(t, c, GICR_TYPER, 0);
		gicr(t, c, SGI_FRAME + GICD_IGROUPR, 0xffff00ff);
		gicr(t, c, SGI_FRAME + GICD_IGRPMODR, 0xffffffff);
		gicr(t, c, SGI_FRAME + GICD_ISENABLER, 0x8000ffff);
		gicr(t, c, SGI_FRAME + GICD_ICENABLER, 0x000000f0);
		gicr(t, c, SGI_FRAME + GICD_IPRIORITYR, 0xffffffff);
		gicr(t, c, SGI_FRAME + GICD_IPRIORITYR + 28, 0x12345678);
		gicr(t, c, SGI_FRAME + GICD_ICFGR, 0xffffffff);
		gicr(t, c, SGI_FRAME + GICD_ICFGR + 4, 0xffffffff);
		gicr(t, c, SGI_FRAME + GICD_ICFGR + 4, 0x55555555);
		gicr(t, c, SGI_FRAME + GICD_ISPENDR, 0x00030003);
		gicr(t, c, SGI_FRAME + GICD_ICPENDR, 0x00020001);
		gicr(t, c, SGI_FRAME + GICD_ISACTIVER, 0x00050005);
		gicr(t, c, SGI_FRAME + GICD_ICACTIVER, 0x00010001);
	}
	/* LPI configuration: only while EnableLPIs is 0 */
	gicr64(t, 0, GICR_PROPBASER, PROPBASER_VAL);
	gicr64(t, 0, GICR_PENDBASER, PENDBASER_VAL(0) | PENDBASER_PTZ);
	gicr64(t, 1, GICR_PROPBASER, ~0ULL);
	gicr64(t, 1, GICR_PENDBASER, ~0ULL);
	EXPECT_EQ(0, t->bad);
}

/* The CPU interface state registers */
TEST_F_TIMEOUT(gicv3diff, cpuif_registers, 300)
{
	struct dt *t = self->t;
	__u64 v = ICC_CTLR_RO;
	int c;

	SKIP_IF_NEEDED();
	for (c = 0; c < NR_VCPUS; c++) {
		icc(t, c, ICC_PMR, 0xff);
		icc(t, c, ICC_PMR, 0x87);
		icc(t, c, ICC_PMR, 0x1ff);
		icc(t, c, ICC_BPR0, 0);
		icc(t, c, ICC_BPR0, 3);
		icc(t, c, ICC_BPR0, 7);
		icc(t, c, ICC_BPR1, 0);
		icc(t, c, ICC_BPR1, 4);
		icc(t, c, ICC_IGRPEN0, 1);
		icc(t, c, ICC_IGRPEN1, 1);
		icc(t, c, ICC_IGRPEN1, 0xff);
		icc(t, c, ICC_AP1R0, 0x80000001);
		icc(t, c, ICC_AP0R0, 0x2);
		icc(t, c, ICC_AP1R0, 0);
		icc(t, c, ICC_CTLR, v | ICC_CTLR_EOIMODE);
		icc(t, c, ICC_CTLR, v | ICC_CTLR_CBPR);
		icc(t, c, ICC_BPR1, 6);
		icc(t, c, ICC_CTLR, v);
		icc(t, c, ICC_SRE, 0x7);
	}
	EXPECT_EQ(0, t->bad);
}

/* Line levels: KVM_IRQ_LINE against VIRQ_IRQ_LINE */
TEST_F_TIMEOUT(gicv3diff, line_levels, 300)
{
	struct dt *t = self->t;
	unsigned int n;

	SKIP_IF_NEEDED();
	for (n = 2; n < NR_IRQS / 16; n++)	/* every SPI level */
		gicd(t, GICD_ICFGR + 4 * n, 0);
	gicd(t, GICD_ICFGR + 4 * 2, 0x0000000a);	/* SPIs 33, 32 edge */
	spi_line(t, 32, 1);	/* edge: latched */
	spi_line(t, 32, 0);
	spi_line(t, 40, 1);	/* level: pending while high */
	gicd(t, GICD_ICPENDR + 4, 1U << 8);	/* the latch, not the line */
	spi_line(t, 40, 0);
	spi_line(t, 41, 1);
	gicd(t, GICD_ISPENDR + 4, 1U << 9);
	spi_line(t, 41, 0);	/* latch stays */
	spi_line(t, 95, 1);
	gicd(t, GICD_ISENABLER + 8, 1U << 31);
	gicd(t, GICD_CTLR, CTLR_EN_GRP1);
	gicd(t, GICD_IGROUPR + 8, 1U << 31);
	spi_line(t, 95, 0);
	ppi_line(t, 0, 27, 1);
	ppi_line(t, 1, 30, 1);
	ppi_line(t, 1, 30, 0);
	ppi_line(t, 0, 27, 0);
	/* Bad lines: an SPI beyond nr_irqs; a PPI number that is an SGI */
	spi_line(t, NR_IRQS, 1);
	ppi_line(t, 0, 5, 1);
	EXPECT_EQ(0, t->bad);
}

/* Program LPIs and the ITS as Linux's drivers do, on both sides */
static void its_setup(struct dt *t)
{
	__u32 n;
	int c;

	for (n = 0; n < 64; n++)
		t->mem[PROPTAB + n] = 0xa0 | PROP_ENABLE;
	for (c = 0; c < NR_VCPUS; c++) {
		gicr64(t, c, GICR_PROPBASER, PROPBASER_VAL);
		gicr64(t, c, GICR_PENDBASER, PENDBASER_VAL(c));
		gicr(t, c, GICR_CTLR, 1);	/* EnableLPIs */
		/* Group 1 on, so that a status tells delivered from dropped */
		icc(t, c, ICC_IGRPEN1, 1);
		icc(t, c, ICC_PMR, 0xf8);
	}
	gits64(t, GITS_CBASER, CBASER_VAL);
	gits64(t, GITS_BASER(0), BASER_VAL(DEVTAB));
	gits64(t, GITS_BASER(1), BASER_VAL(COLLTAB));
	gits(t, GITS_CTLR, GITS_CTLR_EN);
}

/* Registers of the ITS, its enable rule, the command queue registers */
TEST_F_TIMEOUT(gicv3diff, its_registers, 300)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	gits(t, GITS_CTLR, GITS_CTLR_EN);	/* refused: tables invalid */
	gits64(t, GITS_TYPER, 0);
	gits(t, GITS_IIDR, 0);
	gits64(t, GITS_BASER(0), ~0ULL);
	gits64(t, GITS_BASER(1), ~0ULL);
	gits64(t, GITS_BASER(2), ~0ULL);
	gits64(t, GITS_BASER(0), 0);
	gits64(t, GITS_BASER(1), 0);
	gits64(t, GITS_CBASER, ~0ULL);
	gits64(t, GITS_CBASER, CBASER_VAL);
	gits64(t, GITS_CREADR, 0x40);
	gits64(t, GITS_CWRITER, 0x40);
	gits64(t, GITS_CWRITER, 0x1000);	/* beyond the queue */
	gits64(t, GITS_CREADR, 0);
	gits64(t, GITS_CWRITER, 0);
	gits64(t, GITS_BASER(0), BASER_VAL(DEVTAB));
	gits64(t, GITS_BASER(1), BASER_VAL(COLLTAB));
	gits(t, GITS_CTLR, GITS_CTLR_EN);
	EXPECT_EQ(GITS_CTLR_EN, kval(t, "gits.CTLR") & GITS_CTLR_EN);
	gits64(t, GITS_BASER(0), 0);	/* ignored while enabled */
	gits(t, GITS_CTLR, 0);
	EXPECT_EQ(0, t->bad);
}

/*
 * A full command sequence: MAPD, MAPC, MAPTI, MSIs, INT, CLEAR, MOVI,
 * DISCARD, with the pending tables and ITS tables saved and compared
 */
TEST_F_TIMEOUT(gicv3diff, its_commands, 600)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	its_setup(t);
	cmd_mapd(t, 1, 1);
	cmd_mapd(t, 2, 1);
	cmd_mapc(t, 0, 0, 1);
	cmd_mapc(t, 1, 1, 1);
	cmd_mapti(t, 1, 0, LPI(0), 0);
	cmd_mapti(t, 1, 1, LPI(1), 1);
	cmd_mapti(t, 2, 3, LPI(7), 1);
	its_cmd(t, CMD_MAPI | 2ULL << 32, 9, 0, 0);	/* LPI 9: invalid */
	cmd_sync(t, 0);
	its_kick(t);
	EXPECT_EQ(kval(t, "gits.CWRITER"), kval(t, "gits.CREADR"));
	msi(t, 1, 0);
	EXPECT_EQ(1ULL, t->kres);
	msi(t, 1, 1);
	msi(t, 1, 5);	/* unmapped event */
	EXPECT_EQ(0ULL, t->kres);
	msi(t, 3, 0);	/* unmapped device */
	msi(t, 2, 3);
	pending_save(t);
	EXPECT_TRUE(pend_bit(t->kpend[0], LPI(0)));
	EXPECT_TRUE(pend_bit(t->kpend[1], LPI(1)));
	EXPECT_TRUE(pend_bit(t->kpend[1], LPI(7)));
	EXPECT_FALSE(pend_bit(t->kpend[0], LPI(1)));
	tables_save(t);
	cmd_dev_ev(t, CMD_CLEAR, 1, 0);
	cmd_movi(t, 1, 1, 0);
	cmd_dev_ev(t, CMD_DISCARD, 2, 3);
	cmd_dev_ev(t, CMD_INT, 2, 3);	/* discarded: an error */
	its_kick(t);
	pending_save(t);
	EXPECT_FALSE(pend_bit(t->kpend[0], LPI(0)));
	EXPECT_TRUE(pend_bit(t->kpend[0], LPI(1)));
	EXPECT_FALSE(pend_bit(t->kpend[1], LPI(1)));
	EXPECT_FALSE(pend_bit(t->kpend[1], LPI(7)));
	cmd_dev_ev(t, CMD_INT, 1, 0);
	its_cmd(t, CMD_MOVALL, 0, 0, 1ULL << 16);	/* RD 0 -> RD 1 */
	t->mem[PROPTAB + 1] = 0xc0;	/* LPI 8193 disabled ... */
	cmd_dev_ev(t, CMD_INV, 1, 1);	/* ... once invalidated */
	its_cmd(t, CMD_INVALL, 0, 1, 0);
	its_kick(t);
	msi(t, 1, 1);
	pending_save(t);
	tables_save(t);
	EXPECT_NE(0, t->ktab[0][8 * 1 + 7] & 0x80);	/* device 1 valid */
	EXPECT_NE(0, t->ktab[1][7] & 0x80);		/* collection 0 */
	EXPECT_EQ(0, t->bad);
}

/* Commands the ITS must refuse, and the queue goes on after each */
TEST_F_TIMEOUT(gicv3diff, its_command_errors, 300)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	its_setup(t);
	cmd_mapd(t, 1, 1);
	cmd_mapc(t, 0, 0, 1);
	cmd_mapti(t, 7, 0, LPI(0), 0);		/* unmapped device */
	cmd_mapti(t, 1, 40, LPI(0), 0);		/* event beyond the ITT */
	cmd_mapti(t, 1, 0, 1u << LPI_BITS, 0);	/* LPI beyond IDbits */
	cmd_mapti(t, 1, 0, 100, 0);		/* not an LPI */
	cmd_mapc(t, 3, 5, 1);			/* no such redistributor */
	cmd_mapd(t, 0x10000, 1);		/* device beyond Devbits */
	cmd_movi(t, 1, 2, 0);			/* no such ITE */
	its_cmd(t, 0xff, 0, 0, 0);		/* unknown command */
	cmd_mapti(t, 1, 2, LPI(2), 0);
	cmd_mapti(t, 1, 2, LPI(3), 0);		/* event mapped already */
	its_kick(t);
	EXPECT_EQ(kval(t, "gits.CWRITER"), kval(t, "gits.CREADR"));
	msi(t, 1, 2);
	msi(t, 7, 0);
	cmd_mapd(t, 1, 0);			/* unmap: ITEs go */
	its_kick(t);
	msi(t, 1, 2);
	EXPECT_EQ(0ULL, t->kres);
	pending_save(t);
	tables_save(t);
	EXPECT_EQ(0, t->bad);
}

/* Pending LPIs survive EnableLPIs 0 -> 1 through the pending table */
TEST_F_TIMEOUT(gicv3diff, lpi_pending_table, 300)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	/* LPIs 8192, 8195 and 8200 pending in vCPU 1's table */
	t->pimg[1][LPI(3) / 8] = 1U << (LPI(3) % 8) | 1U << (LPI(0) % 8);
	t->pimg[1][LPI(8) / 8] = 1U << (LPI(8) % 8);
	t->use_pimg = true;
	its_setup(t);
	cmd_mapd(t, 4, 1);
	cmd_mapc(t, 2, 1, 1);
	cmd_mapti(t, 4, 0, LPI(3), 2);
	cmd_mapti(t, 4, 1, LPI(8), 2);
	its_kick(t);
	t->use_pimg = false;
	pending_save(t);
	EXPECT_TRUE(pend_bit(t->kpend[1], LPI(3)));
	EXPECT_TRUE(pend_bit(t->kpend[1], LPI(8)));
	tables_save(t);
	EXPECT_EQ(0, t->bad);
}

TEST_HARNESS_MAIN

#else /* !__aarch64__ */

TEST(gicv3_kvm_diff)
{
	SKIP(return, "KVM's vgic-v3 exists only on arm64 hosts (build with aarch64-linux-gnu-gcc, run with tools/vm/run.sh --arch arm64 --kvm-ref)");
}

TEST_HARNESS_MAIN

#endif
