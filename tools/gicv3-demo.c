// SPDX-License-Identifier: GPL-2.0
/*
 * gicv3-demo: the GICv3 act of `make demo`.  Like virq-demo it plays the
 * part of a VMM and narrates each step, here for an arm64 guest: the
 * VMM forwards the guest's MMIO to the distributor, redistributors and
 * ITS, and its ICC_* system register accesses, with VIRQ_VCPU_ACCESS.
 *
 *  1. a GICv3 with an ITS, 32 SPIs, LPIs (16 INTID bits) and guest memory
 *     (an mmap of this process registered with VIRQ_SET_MEMORY_REGION),
 *     two vCPUs with MPIDRs 0.0.0.0 and 0.0.1.0, booted as Linux's
 *     irq-gic-v3.c does (distributor, redistributor wake-up, ICC_*);
 *  2. a level SPI routed by affinity to vCPU 1, injected, taken with
 *     ICC_IAR1_EL1 and ended with ICC_EOIR1_EL1;
 *  3. an SGI from vCPU 0 to vCPU 1 through ICC_SGI1R_EL1;
 *  4. the ITS programmed as irq-gic-v3-its.c does (property and pending
 *     tables, GITS_BASER0/1, GITS_CBASER, enable, MAPC, MAPD, MAPTI in
 *     the command queue in guest memory), then MSIs with a device id
 *     becoming LPIs on the vCPU their collection names;
 *  5. the virtual timer PPI injected "for whichever vCPU is loaded on
 *     physical CPU 2" across VIRQ_GICV3_CALL_LOAD / PUT.
 *
 * Every step checks what it narrates: the demo exits 1 if virq does not
 * behave as described, 4 (skip) without the GICv3 family and its ITS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/virq.h>

#include "demo.h"

#define NR_SOURCES	64		/* SPIs 32..63 */
#define LPI_BITS	16
#define LPI0		VIRQ_GICV3_FIRST_LPI

#define DIST		VIRQ_GICV3_DEFAULT_DIST_BASE
#define REDIST		VIRQ_GICV3_DEFAULT_REDIST_BASE
#define ITS		VIRQ_GICV3_DEFAULT_ITS_BASE
#define TRANSLATER	(ITS + VIRQ_GICV3_GITS_TRANSLATER)
#define GICR(v, off)	(REDIST + (v) * VIRQ_GICV3_REDIST_SIZE + (off))
#define SGI_FRAME	0x10000

/* Guest memory: one slot of 1 MiB */
#define GBASE		0x40000000ULL
#define GSIZE		0x100000ULL
#define G_PROP		0x00000ULL	/* 56 KiB: LPIs 8192..65535 */
#define G_PEND(v)	(0x10000ULL + (v) * 0x10000ULL)
#define G_CMDQ		0x30000ULL	/* 4 KiB: 128 commands */
#define G_DEVT		0x40000ULL	/* one 64 KiB page */
#define G_COLT		0x50000ULL	/* one 64 KiB page */
#define G_ITT		0x60000ULL

#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IIDR	0x0008
#define GICD_ISENABLER	0x0100
#define GICD_IPRIORITYR	0x0400
#define GICD_IROUTER	0x6000
#define GICR_CTLR	0x0000
#define GICR_TYPER	0x0008
#define GICR_WAKER	0x0014
#define GICR_PROPBASER	0x0070
#define GICR_PENDBASER	0x0078
#define GICR_ISENABLER0	(SGI_FRAME + 0x0100)
#define GICR_ISPENDR0	(SGI_FRAME + 0x0200)
#define GICR_IPRIORITYR	(SGI_FRAME + 0x0400)
#define GITS_CTLR	0x0000
#define GITS_TYPER	0x0008
#define GITS_CBASER	0x0080
#define GITS_CWRITER	0x0088
#define GITS_CREADR	0x0090
#define GITS_BASER(n)	(0x0100 + (n) * 8)

#define CTLR_ARE	(1U << 4)
#define CTLR_GRP1	(1U << 1)
#define WAKER_SLEEP	(1U << 1)
#define WAKER_ASLEEP	(1U << 2)
#define VALID		(1ULL << 63)
#define CMD_SYNC	0x05
#define CMD_MAPD	0x08
#define CMD_MAPC	0x09
#define CMD_MAPTI	0x0a

#define SPI_UART	33	/* QEMU virt's PL011: SPI 1 */
#define SGI_RESCHED	3
#define PPI_VTIMER	27
#define PCPU		2
#define DEVID		0x10	/* PCI 00:02.0's requester id */

static const __u64 mpidr[2] = { 0x000, 0x100 };	/* 0.0.0.0 and 0.0.1.0 */

static int fd, vcpu[2];
static uint8_t *mem;

/* One forwarded access; failures count (the value is then ~0) */
static __u64 access_reg(int vfd, __u32 space, __u64 addr, __u32 len,
			int write, __u64 val)
{
	struct virq_access a = {
		.space = space, .addr = addr, .len = len, .data = val,
		.flags = write ? VIRQ_ACCESS_WRITE : 0,
	};

	if (ioctl(vfd, VIRQ_VCPU_ACCESS, &a)) {
		printf("   !! VIRQ_VCPU_ACCESS %s %#llx: %s\n",
		       write ? "write" : "read", (unsigned long long)addr,
		       strerror(errno));
		failures++;
		return ~0ULL;
	}
	return a.data;
}

static __u64 mmio_r(__u64 addr, __u32 len)
{
	return access_reg(vcpu[0], VIRQ_SPACE_MMIO, addr, len, 0, 0);
}

static void mmio_w(__u64 addr, __u32 len, __u64 val)
{
	access_reg(vcpu[0], VIRQ_SPACE_MMIO, addr, len, 1, val);
}

static __u64 icc_r(int v, __u64 reg)
{
	return access_reg(vcpu[v], VIRQ_SPACE_SYSREG, reg, 8, 0, 0);
}

static void icc_w(int v, __u64 reg, __u64 val)
{
	access_reg(vcpu[v], VIRQ_SPACE_SYSREG, reg, 8, 1, val);
}

static int irq_up(int v)
{
	struct virq_vcpu_output out = { 0 };

	if (ioctl(vcpu[v], VIRQ_VCPU_GET_OUTPUT, &out)) {
		expect(0, "VIRQ_VCPU_GET_OUTPUT");
		return 0;
	}
	return !!(out.lines & VIRQ_OUT_INT);
}

static const char *irq_str(int v)
{
	return irq_up(v) ? "IRQ asserted" : "IRQ low";
}

/* VIRQ_IRQ_LINE: the status, or -errno */
static int line(__u32 source, __u32 op)
{
	struct virq_irq_line l = { .source = source, .op = op };

	if (ioctl(fd, VIRQ_IRQ_LINE, &l))
		return -errno;
	return l.status;
}

static int msi(__u32 devid, __u32 eventid)
{
	struct virq_msi m = {
		.address_lo = (__u32)TRANSLATER,
		.address_hi = (__u32)(TRANSLATER >> 32),
		.data = eventid, .flags = VIRQ_MSI_FLAG_DEVID, .devid = devid,
	};

	if (ioctl(fd, VIRQ_SIGNAL_MSI, &m))
		return -errno;
	return m.status;
}

/* VIRQ_VCPU_CALL LOAD / PUT: 0 or -errno */
static int vcall(int v, __u32 nr, __u64 a0)
{
	struct virq_call c = { .nr = nr, .args = { a0 } };

	return ioctl(vcpu[v], VIRQ_VCPU_CALL, &c) ? -errno : (int)c.ret;
}

/* The guest takes an interrupt: ICC_IAR1_EL1, narrated */
static __u64 take(int v)
{
	__u64 intid = icc_r(v, VIRQ_GICV3_ICC_IAR1_EL1);

	say("   vCPU %d: ICC_IAR1_EL1 -> %llu; running priority (ICC_RPR_EL1) %#llx; %s\n",
	    v, (unsigned long long)intid,
	    (unsigned long long)icc_r(v, VIRQ_GICV3_ICC_RPR_EL1), irq_str(v));
	return intid;
}

static void eoi(int v, __u64 intid)
{
	icc_w(v, VIRQ_GICV3_ICC_EOIR1_EL1, intid);
	say("   vCPU %d: ICC_EOIR1_EL1 <- %llu; running priority %#llx; %s\n",
	    v, (unsigned long long)intid,
	    (unsigned long long)icc_r(v, VIRQ_GICV3_ICC_RPR_EL1), irq_str(v));
}

static void demo_create(void)
{
	struct virq_family_info info = { .family = VIRQ_FAMILY_GICV3 };
	struct virq_gicv3_options o = {
		.flags = VIRQ_GICV3_OPT_ITS, .lpi_bits = LPI_BITS,
	};
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_GICV3, .nr_vcpus = 2,
		.nr_sources = NR_SOURCES, .options = (uintptr_t)&o,
		.options_size = sizeof(o),
	};
	struct virq_memory_region r = {
		.slot = 0, .guest_phys_addr = GBASE, .memory_size = GSIZE,
	};
	__u64 typer;
	int v;

	step("An arm64 guest's GICv3 with an ITS: 2 vCPUs, 32 SPIs, LPIs");
	expect(!ioctl(fd, VIRQ_GET_FAMILY, &info), "VIRQ_GET_FAMILY");
	say("   family GICv3: up to %u vCPUs, features%s%s%s\n",
	    info.max_vcpus,
	    info.features & VIRQ_GICV3_FEATURE_ITS ? " ITS" : "",
	    info.features & VIRQ_GICV3_FEATURE_LPIS ? " LPIs" : "",
	    info.features & VIRQ_GICV3_FEATURE_RESIDENT ? " resident-PPIs" :
	    "");
	mem = mmap(NULL, GSIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	r.userspace_addr = (uintptr_t)mem;
	expect(!ioctl(fd, VIRQ_SET_MEMORY_REGION, &r),
	       "VIRQ_SET_MEMORY_REGION");
	say("   guest RAM for the GIC's tables: 1 MiB at %#llx (VIRQ_SET_MEMORY_REGION slot 0)\n",
	    GBASE);
	if (ioctl(fd, VIRQ_CREATE_CHIP, &cfg)) {
		perror("VIRQ_CREATE_CHIP");
		exit(1);
	}
	say("   VIRQ_CREATE_CHIP: distributor %#llx, redistributors %#llx, ITS %#llx\n",
	    DIST, REDIST, ITS);
	for (v = 0; v < 2; v++) {
		struct virq_vcpu_create vc = { .index = v, .arch_id = mpidr[v] };

		vcpu[v] = ioctl(fd, VIRQ_CREATE_VCPU, &vc);
		if (vcpu[v] < 0) {
			perror("VIRQ_CREATE_VCPU");
			exit(1);
		}
	}
	for (v = 0; v < 2; v++) {
		typer = mmio_r(GICR(v, GICR_TYPER), 8);
		say("   vCPU %d: MPIDR %#llx; its GICR_TYPER %#llx: affinity %#llx, processor %llu%s%s\n",
		    v, (unsigned long long)mpidr[v], (unsigned long long)typer,
		    (unsigned long long)(typer >> 32),
		    (unsigned long long)(typer >> 8 & 0xffff),
		    typer & (1 << 4) ? ", Last" : "",
		    typer & 1 ? ", PLPIS" : "");
		expect(typer >> 32 == mpidr[v], "GICR_TYPER affinity");
		expect(!!(typer & (1 << 4)) == (v == 1), "GICR_TYPER.Last");
	}
	typer = mmio_r(DIST + GICD_TYPER, 4);
	say("   GICD_TYPER %#llx: %llu SPI lines, IDbits %llu, LPIs %s; GICD_IIDR %#llx\n",
	    (unsigned long long)typer,
	    ((typer & 0x1f) + 1) * 32 - 32,
	    (unsigned long long)(typer >> 19 & 0x1f),
	    typer & (1 << 17) ? "yes" : "no",
	    (unsigned long long)mmio_r(DIST + GICD_IIDR, 4));
	expect((typer & 0x1f) == NR_SOURCES / 32 - 1, "ITLinesNumber");
	expect((typer >> 19 & 0x1f) == LPI_BITS - 1, "IDbits");

	say("   the guest boots (irq-gic-v3.c): GICD_CTLR <- ARE | EnableGrp1;\n");
	mmio_w(DIST + GICD_CTLR, 4, CTLR_ARE | CTLR_GRP1);
	for (v = 0; v < 2; v++) {
		/* gic_enable_redist(): clear ProcessorSleep, wait for children */
		mmio_w(GICR(v, GICR_WAKER), 4, 0);
		expect(!(mmio_r(GICR(v, GICR_WAKER), 4) & WAKER_ASLEEP),
		       "GICR_WAKER.ChildrenAsleep clear");
		expect(icc_r(v, VIRQ_GICV3_ICC_SRE_EL1) == 7, "ICC_SRE_EL1");
		icc_w(v, VIRQ_GICV3_ICC_PMR_EL1, 0xf0);
		icc_w(v, VIRQ_GICV3_ICC_BPR1_EL1, 0);
		icc_w(v, VIRQ_GICV3_ICC_IGRPEN1_EL1, 1);
	}
	say("   each CPU: GICR_WAKER.ProcessorSleep <- 0 (awake), ICC_SRE_EL1 reads 7,\n"
	    "   ICC_PMR_EL1 <- 0xf0, ICC_IGRPEN1_EL1 <- 1\n");
	say("   GICD_CTLR now %#llx\n",
	    (unsigned long long)mmio_r(DIST + GICD_CTLR, 4));
}

static void demo_spi(void)
{
	int status;
	__u64 intid;

	step("A level SPI (the UART, INTID 33) routed by affinity to vCPU 1");
	mmio_w(DIST + GICD_IPRIORITYR + SPI_UART, 1, 0xa0);
	mmio_w(DIST + GICD_IROUTER + 8 * SPI_UART, 8, mpidr[1]);
	mmio_w(DIST + GICD_ISENABLER + 4 * (SPI_UART / 32), 4,
	       1U << SPI_UART % 32);
	say("   GICD_IPRIORITYR[33] <- 0xa0, GICD_IROUTER33 <- %#llx, GICD_ISENABLER1 <- bit 1\n",
	    (unsigned long long)mpidr[1]);
	status = line(SPI_UART, VIRQ_LINE_SET);
	say("   the device raises its line: VIRQ_IRQ_LINE(33, SET) -> status %d\n",
	    status);
	expect(status == 1, "status 1: presented to one vCPU");
	say("   vCPU 0: %s; vCPU 1: %s; vCPU 1's ICC_HPPIR1_EL1 = %llu\n",
	    irq_str(0), irq_str(1),
	    (unsigned long long)icc_r(1, VIRQ_GICV3_ICC_HPPIR1_EL1));
	expect(!irq_up(0) && irq_up(1), "only vCPU 1 interrupted");
	intid = take(1);
	expect(intid == SPI_UART, "IAR1 returns 33");
	expect(icc_r(1, VIRQ_GICV3_ICC_RPR_EL1) == 0xa0, "RPR 0xa0");
	say("   the handler reads the UART, which lowers its line: VIRQ_IRQ_LINE(33, RESET) -> %d\n",
	    line(SPI_UART, VIRQ_LINE_RESET));
	eoi(1, intid);
	expect(!irq_up(1), "quiet after EOI");
	intid = icc_r(1, VIRQ_GICV3_ICC_IAR1_EL1);
	say("   vCPU 1: ICC_IAR1_EL1 again -> %llu (spurious: nothing pending)\n",
	    (unsigned long long)intid);
	expect(intid == VIRQ_GICV3_SPURIOUS, "spurious after EOI");
}

static void demo_sgi(void)
{
	/* INTID 27:24, Aff1 23:16, TargetList 15:0: Aff0 0 of 0.0.1.x */
	__u64 sgi1r = (__u64)SGI_RESCHED << 24 | (mpidr[1] >> 8 & 0xff) << 16 |
		      1U << (mpidr[1] & 0xf);
	__u64 intid;

	step("An IPI: vCPU 0 sends SGI 3 to vCPU 1 with ICC_SGI1R_EL1");
	icc_w(0, VIRQ_GICV3_ICC_SGI1R_EL1, sgi1r);
	say("   vCPU 0: ICC_SGI1R_EL1 <- %#llx (INTID 3, Aff1 1, TargetList bit 0)\n",
	    (unsigned long long)sgi1r);
	say("   vCPU 1's GICR_ISPENDR0 %#llx; vCPU 0: %s; vCPU 1: %s\n",
	    (unsigned long long)mmio_r(GICR(1, GICR_ISPENDR0), 4),
	    irq_str(0), irq_str(1));
	expect(mmio_r(GICR(1, GICR_ISPENDR0), 4) == 1U << SGI_RESCHED,
	       "SGI 3 pending on vCPU 1");
	expect(!irq_up(0) && irq_up(1), "only vCPU 1 interrupted");
	intid = take(1);
	expect(intid == SGI_RESCHED, "IAR1 returns 3");
	eoi(1, intid);
	expect(!irq_up(1), "quiet after EOI");
}

/* Queue one command at CWRITER and ring it; the ITS runs it at once */
static void its_cmd(const char *what, __u64 c0, __u64 c1, __u64 c2)
{
	__u64 wr = mmio_r(ITS + GITS_CWRITER, 8);
	__u64 cmd[4] = { c0, c1, c2, 0 };

	memcpy(mem + G_CMDQ + wr, cmd, sizeof(cmd));
	wr = (wr + 32) % 4096;
	mmio_w(ITS + GITS_CWRITER, 8, wr);
	say("   %-40s CWRITER <- %#llx, CREADR %#llx\n", what,
	    (unsigned long long)wr,
	    (unsigned long long)mmio_r(ITS + GITS_CREADR, 8));
	expect(mmio_r(ITS + GITS_CREADR, 8) == wr, "command consumed");
}

static void demo_its(void)
{
	int v, status;
	__u32 i;
	__u64 intid;

	step("LPIs and the ITS, programmed as Linux's irq-gic-v3-its.c does");
	for (i = 0; i < 64; i++)		/* priority 0xa0, enabled */
		mem[G_PROP + i] = 0xa1;
	for (v = 0; v < 2; v++) {
		mmio_w(GICR(v, GICR_PROPBASER), 8,
		       (GBASE + G_PROP) | (LPI_BITS - 1));
		mmio_w(GICR(v, GICR_PENDBASER), 8, GBASE + G_PEND(v));
		mmio_w(GICR(v, GICR_CTLR), 4, 1);
		expect(mmio_r(GICR(v, GICR_CTLR), 4) & 1, "EnableLPIs");
	}
	say("   property table at %#llx (one byte per LPI: priority 0xa0, enabled),\n"
	    "   a pending table per redistributor; GICR_CTLR.EnableLPIs <- 1 on both\n",
	    GBASE + G_PROP);
	say("   GITS_TYPER %#llx\n",
	    (unsigned long long)mmio_r(ITS + GITS_TYPER, 8));
	mmio_w(ITS + GITS_BASER(0), 8, VALID | (GBASE + G_DEVT));
	mmio_w(ITS + GITS_BASER(1), 8, VALID | (GBASE + G_COLT));
	mmio_w(ITS + GITS_CBASER, 8, VALID | (GBASE + G_CMDQ));
	mmio_w(ITS + GITS_CWRITER, 8, 0);
	say("   GITS_BASER0 (devices) %#llx, GITS_BASER1 (collections) %#llx,\n"
	    "   GITS_CBASER %#llx (a 4 KiB command queue)\n",
	    (unsigned long long)mmio_r(ITS + GITS_BASER(0), 8),
	    (unsigned long long)mmio_r(ITS + GITS_BASER(1), 8),
	    (unsigned long long)mmio_r(ITS + GITS_CBASER, 8));
	mmio_w(ITS + GITS_CTLR, 4, 1);
	say("   GITS_CTLR <- Enabled: reads %#llx (Quiescent, Enabled)\n",
	    (unsigned long long)mmio_r(ITS + GITS_CTLR, 4));
	expect(mmio_r(ITS + GITS_CTLR, 4) == 0x80000001ULL, "ITS enabled");

	its_cmd("MAPC collection 0 -> redistributor 0", CMD_MAPC, 0,
		VALID | 0ULL << 16 | 0);
	its_cmd("MAPC collection 1 -> redistributor 1", CMD_MAPC, 0,
		VALID | 1ULL << 16 | 1);
	its_cmd("SYNC", CMD_SYNC, 0, 0);
	its_cmd("MAPD device 0x10, 5 event bits, ITT",
		CMD_MAPD | (__u64)DEVID << 32, 5 - 1, VALID | (GBASE + G_ITT));
	its_cmd("MAPTI 0x10 event 0 -> LPI 8192, coll 0",
		CMD_MAPTI | (__u64)DEVID << 32, 0 | (__u64)LPI0 << 32, 0);
	its_cmd("MAPTI 0x10 event 1 -> LPI 8193, coll 1",
		CMD_MAPTI | (__u64)DEVID << 32, 1 | (__u64)(LPI0 + 1) << 32,
		1);

	status = msi(DEVID, 1);
	say("   the device writes event 1 to GITS_TRANSLATER:\n"
	    "   VIRQ_SIGNAL_MSI(devid 0x10, data 1) -> status %d; vCPU 0: %s, vCPU 1: %s\n",
	    status, irq_str(0), irq_str(1));
	expect(status == 1, "presented");
	expect(!irq_up(0) && irq_up(1), "the LPI goes to collection 1's vCPU");
	intid = take(1);
	expect(intid == LPI0 + 1, "IAR1 returns LPI 8193");
	eoi(1, intid);
	status = msi(DEVID, 0);
	say("   VIRQ_SIGNAL_MSI(devid 0x10, data 0) -> status %d; vCPU 0: %s\n",
	    status, irq_str(0));
	expect(status == 1 && irq_up(0), "event 0 on vCPU 0");
	intid = take(0);
	expect(intid == LPI0, "IAR1 returns LPI 8192");
	eoi(0, intid);
	status = msi(DEVID, 7);
	say("   an event nobody mapped: VIRQ_SIGNAL_MSI(devid 0x10, data 7) -> status %d (dropped)\n",
	    status);
	expect(status == VIRQ_STATUS_MASKED, "unmapped event dropped");
	status = msi(0x11, 0);
	say("   another device's MSI (devid 0x11, unmapped) -> status %d (dropped)\n",
	    status);
	expect(status == VIRQ_STATUS_MASKED, "unmapped device dropped");
}

static __u64 private_word(int v, __u32 intid)
{
	__u64 w[VIRQ_GICV3_NR_PRIVATE] = { 0 };
	struct virq_attr a = {
		.group = VIRQ_GICV3_VGRP_PRIVATE, .addr = (uintptr_t)w,
		.size = sizeof(w),
	};

	if (ioctl(vcpu[v], VIRQ_VCPU_GET_ATTR, &a)) {
		expect(0, "VIRQ_GICV3_VGRP_PRIVATE");
		return 0;
	}
	return w[intid];
}

static void show_ppi(int v)
{
	__u64 w = private_word(v, PPI_VTIMER);

	say("   vCPU %d's PPI 27:%s%s%s%s\n", v,
	    w & VIRQ_GICV3_SRC_ENABLED ? " enabled" : " disabled",
	    w & VIRQ_GICV3_SRC_LEVEL_USER ? ", line high" : ", line low",
	    w & VIRQ_GICV3_SRC_PENDING ? ", pending" : "",
	    w & VIRQ_GICV3_SRC_ACTIVE ? ", active" : "");
}

static void demo_ppi(void)
{
	const __u32 timer = VIRQ_GICV3_SOURCE_RESIDENT(PCPU, PPI_VTIMER);
	int v, ret;
	__u64 intid;

	step("The virtual timer (PPI 27) of whichever vCPU runs on physical CPU 2");
	for (v = 0; v < 2; v++) {
		mmio_w(GICR(v, GICR_IPRIORITYR + PPI_VTIMER), 1, 0x80);
		mmio_w(GICR(v, GICR_ISENABLER0), 4, 1U << PPI_VTIMER);
	}
	say("   both vCPUs enable PPI 27 in their SGI frame (GICR_ISENABLER0)\n");
	ret = line(timer, VIRQ_LINE_SET);
	say("   nobody loaded on pCPU 2: VIRQ_IRQ_LINE(RESIDENT(2, 27), SET) -> %s\n",
	    ret < 0 ? strerror(-ret) : "accepted?");
	expect(ret == -ESRCH, "ESRCH with no resident vCPU");

	expect(!vcall(0, VIRQ_GICV3_CALL_LOAD, PCPU), "LOAD");
	say("   the VMM runs vCPU 0 on pCPU 2: VIRQ_VCPU_CALL(LOAD, 2)\n");
	ret = line(timer, VIRQ_LINE_SET);
	say("   pCPU 2's timer fires: VIRQ_IRQ_LINE(RESIDENT(2, 27), SET) -> status %d; vCPU 0: %s, vCPU 1: %s\n",
	    ret, irq_str(0), irq_str(1));
	expect(ret == 1 && irq_up(0) && !irq_up(1), "on vCPU 0");
	intid = take(0);
	expect(intid == PPI_VTIMER, "IAR1 returns 27");
	show_ppi(0);

	ret = vcall(1, VIRQ_GICV3_CALL_LOAD, PCPU);
	say("   vCPU 1 on pCPU 2 while vCPU 0 is there: LOAD -> %s\n",
	    ret < 0 ? strerror(-ret) : "accepted?");
	expect(ret == -EBUSY, "EBUSY");
	expect(!vcall(0, VIRQ_GICV3_CALL_PUT, 0), "PUT");
	expect(!vcall(1, VIRQ_GICV3_CALL_LOAD, PCPU), "LOAD vCPU 1");
	say("   vCPU 0 is descheduled (PUT), its PPI active and its line high; vCPU 1 LOADed on pCPU 2\n");
	show_ppi(0);
	expect((private_word(0, PPI_VTIMER) &
		(VIRQ_GICV3_SRC_ACTIVE | VIRQ_GICV3_SRC_LEVEL_USER)) ==
	       (VIRQ_GICV3_SRC_ACTIVE | VIRQ_GICV3_SRC_LEVEL_USER),
	       "vCPU 0 keeps its PPI state across PUT");
	ret = line(timer, VIRQ_LINE_SET);
	say("   pCPU 2's timer fires again: RESIDENT(2, 27) SET -> status %d; vCPU 1: %s\n",
	    ret, irq_str(1));
	expect(ret == 1 && irq_up(1), "now on vCPU 1");
	intid = take(1);
	expect(intid == PPI_VTIMER, "IAR1 returns 27 on vCPU 1");
	expect(line(VIRQ_GICV3_SOURCE_PRIVATE(1, PPI_VTIMER),
		    VIRQ_LINE_RESET) == VIRQ_STATUS_COALESCED, "reset");
	eoi(1, intid);
	expect(!irq_up(1), "vCPU 1 quiet");
	expect(!vcall(1, VIRQ_GICV3_CALL_PUT, 0), "PUT vCPU 1");

	expect(!vcall(0, VIRQ_GICV3_CALL_LOAD, 3), "LOAD vCPU 0 on 3");
	say("   vCPU 0 comes back, on pCPU 3, and ends its timer interrupt:\n");
	eoi(0, PPI_VTIMER);
	say("   its line is still high, so PPI 27 is pending again: %s\n",
	    irq_str(0));
	expect(irq_up(0), "level PPI pending again after EOI");
	ret = line(VIRQ_GICV3_SOURCE_RESIDENT(3, PPI_VTIMER), VIRQ_LINE_RESET);
	say("   the VMM masks the timer: RESIDENT(3, 27) RESET -> %d; vCPU 0: %s\n",
	    ret, irq_str(0));
	expect(!irq_up(0), "quiet once the line is low");
	show_ppi(0);
	expect(!vcall(0, VIRQ_GICV3_CALL_PUT, 0), "PUT vCPU 0");
}

int main(void)
{
	struct virq_family_info info = { .family = VIRQ_FAMILY_GICV3 };

	say("gicv3-demo: this program is an arm64 VMM's GIC, talking to /dev/virq\n");
	fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("/dev/virq");
		return 1;
	}
	if (ioctl(fd, VIRQ_GET_FAMILY, &info) ||
	    !(info.features & VIRQ_GICV3_FEATURE_ITS)) {
		printf("gicv3-demo: no GICv3 family with an ITS: skipped\n");
		return 4;
	}
	demo_create();
	demo_spi();
	demo_sgi();
	demo_its();
	demo_ppi();
	close(vcpu[0]);
	close(vcpu[1]);
	close(fd);
	munmap(mem, GSIZE);
	printf("\n%s\n", failures ? "gicv3-demo FAILED" :
	       "gicv3-demo done: everything behaved as described");
	return failures ? 1 : 0;
}
