// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the GICv3 family (virq/arm/) through its ops, as the core
 * drives them: creation options, register reset values, delivery order,
 * EOImode 0 and 1, SGIs, 1-of-N routing, resident PPIs, source checks,
 * save/restore into a fresh chip, and -ENOMEM at every allocation.
 */
#include <stdlib.h>

#include <linux/errno.h>
#include <linux/kernel.h>

#include "tap.h"
#include "../core_stubs.h"
#include "virq/arm/gicv3.h"

#define DIST	VIRQ_GICV3_DEFAULT_DIST_BASE
#define RD(i)	(VIRQ_GICV3_DEFAULT_REDIST_BASE + (i) * VIRQ_GICV3_REDIST_SIZE)
#define SGI(i)	(RD(i) + 0x10000)
#define EDGE	VIRQ_LINE_EDGE
#define SET	VIRQ_LINE_SET
#define RESET	VIRQ_LINE_RESET
#define SPUR	VIRQ_GICV3_SPURIOUS
#define ICC(r)	VIRQ_GICV3_ICC_##r##_EL1

static struct virq_vcpu *vc(struct virq_instance *inst, u32 i)
{
	struct virq_vcpu *v = virq_get_vcpu(inst, i);

	CHECK_FATAL(v);
	return v;
}

static int acc(struct virq_vcpu *v, u32 space, u64 addr, u32 len, bool wr,
	       u64 *data)
{
	return v->inst->view.ops->vcpu_access(v, space, addr, len, wr, data);
}

static u64 rd(struct virq_vcpu *v, u64 addr, u32 len)
{
	u64 val = 0xdeadbeef;

	CHECK_EQ(acc(v, VIRQ_SPACE_MMIO, addr, len, false, &val), 0);
	return val;
}

static void wr(struct virq_vcpu *v, u64 addr, u32 len, u64 val)
{
	CHECK_EQ(acc(v, VIRQ_SPACE_MMIO, addr, len, true, &val), 0);
}

static u64 icc_rd(struct virq_vcpu *v, u32 reg)
{
	u64 val = 0xdeadbeef;

	CHECK_EQ(acc(v, VIRQ_SPACE_SYSREG, reg, 8, false, &val), 0);
	return val;
}

static void icc_wr(struct virq_vcpu *v, u32 reg, u64 val)
{
	CHECK_EQ(acc(v, VIRQ_SPACE_SYSREG, reg, 8, true, &val), 0);
}

static u32 out(struct virq_vcpu *v)
{
	return harness_vcpu_output(v);
}

static int inj(struct virq_instance *inst, u32 src, u32 op)
{
	int status = 99, ret;

	ret = harness_set_irq(inst, src, op, VIRQ_DRIVER_USER, false, &status);
	return ret ? ret * 1000 : status;
}

/*
 * A chip of @n vCPUs (MPIDR Aff0 = index) and @nr_sources, with both
 * groups on in the distributor and every CPU interface awake, PMR 0xf8
 * and both groups enabled.
 */
static struct virq_instance *mk(u32 n, u32 nr_sources)
{
	struct virq_instance *inst = harness_instance_open();
	struct virq_vcpu *v;
	u32 i;

	CHECK_FATAL(inst);
	CHECK_FATAL(!harness_create_chip(inst, &virq_gicv3_ops, n, nr_sources,
					 NULL, 0));
	for (i = 0; i < n; i++) {
		CHECK_FATAL(!harness_create_vcpu(inst, i, i, &v));
		wr(v, RD(i) + 0x14, 4, 0);		/* GICR_WAKER */
		icc_wr(v, ICC(PMR), 0xf8);
		icc_wr(v, ICC(IGRPEN0), 1);
		icc_wr(v, ICC(IGRPEN1), 1);
	}
	wr(vc(inst, 0), DIST, 4, 3);			/* GICD_CTLR */
	return inst;
}

/* Enable SPI @intid with @prio (group 1) */
static void spi_on(struct virq_instance *inst, u32 intid, u8 prio)
{
	struct virq_vcpu *v = vc(inst, 0);

	wr(v, DIST + 0x400 + intid, 1, prio);
	wr(v, DIST + 0x100 + intid / 32 * 4, 4, 1U << (intid % 32));
}

TEST(create_options)
{
	struct virq_gicv3_options o = {};
	struct virq_instance *inst;

#define TRY(field, value, err) do {					\
	inst = harness_instance_open();					\
	CHECK_FATAL(inst);						\
	o = (struct virq_gicv3_options){};				\
	o.field = (value);						\
	CHECK_EQ(harness_create_chip(inst, &virq_gicv3_ops, 2, 128, &o, \
				     sizeof(o)), err);			\
	harness_instance_close(inst);					\
} while (0)

	TRY(flags, 1U << 2, -EINVAL);
	TRY(flags, VIRQ_GICV3_OPT_LPIS, 0);
	TRY(flags, VIRQ_GICV3_OPT_ITS, 0);
	TRY(lpi_bits, 16, -EINVAL);		/* without LPIs */
	TRY(its_base, 0x10000000, -EINVAL);	/* without an ITS */
	TRY(dist_base, 0x1000, -EINVAL);	/* not 64 KiB aligned */
	TRY(dist_base, ~0ULL << 16, -EINVAL);	/* wraps */
	TRY(dist_base, VIRQ_GICV3_DEFAULT_REDIST_BASE + 0x20000, -EINVAL);
	TRY(redist_base, VIRQ_GICV3_DEFAULT_DIST_BASE, -EINVAL);
	TRY(reserved[3], 1, -EINVAL);
	TRY(dist_base, 0x40000000, 0);
#undef TRY

	/* lpi_bits range with LPIs */
	inst = harness_instance_open();
	o = (struct virq_gicv3_options){ .flags = 1, .lpi_bits = 13 };
	CHECK_EQ(harness_create_chip(inst, &virq_gicv3_ops, 1, 64, &o,
				     sizeof(o)), -EINVAL);
	o.lpi_bits = 21;
	CHECK_EQ(harness_create_chip(inst, &virq_gicv3_ops, 1, 64, &o,
				     sizeof(o)), -EINVAL);
	/* nr_sources: multiple of 32, 64..1024 */
	CHECK_EQ(harness_create_chip(inst, &virq_gicv3_ops, 1, 32, NULL, 0),
		 -EINVAL);
	CHECK_EQ(harness_create_chip(inst, &virq_gicv3_ops, 1, 100, NULL, 0),
		 -EINVAL);
	CHECK_EQ(harness_create_chip(inst, &virq_gicv3_ops, 1, 1056, NULL, 0),
		 -EINVAL);
	CHECK_EQ(harness_create_chip(inst, &virq_gicv3_ops, 1, 1024, NULL, 0),
		 0);
	harness_instance_close(inst);
}

TEST(vcpu_ids)
{
	struct virq_instance *inst = harness_instance_open();
	struct virq_vcpu *v;

	CHECK_FATAL(!harness_create_chip(inst, &virq_gicv3_ops, 3, 64, NULL,
					 0));
	CHECK_EQ(harness_create_vcpu(inst, 0, 1ULL << 24, &v), -EINVAL);
	CHECK_EQ(harness_create_vcpu(inst, 0, 1ULL << 40, &v), -EINVAL);
	CHECK_EQ(harness_create_vcpu(inst, 0, 0x0100000102ULL, &v), 0);
	CHECK_EQ(harness_create_vcpu(inst, 1, 0x0100000102ULL, &v), -EEXIST);
	CHECK_EQ(harness_create_vcpu(inst, 1, 0x0000000102ULL, &v), 0);
	/* GICR_TYPER: affinity Aff3.Aff2.Aff1.Aff0, processor number, Last */
	CHECK_EQ(rd(vc(inst, 0), RD(0) + 8, 8), 0x01000102ULL << 32);
	CHECK_EQ(rd(vc(inst, 0), RD(1) + 8, 8), 0x00000102ULL << 32 | 1 << 8);
	CHECK_EQ(rd(vc(inst, 0), RD(1) + 0xc, 4), 0x00000102ULL);
	/* vCPU 2 not created: its frame is not the chip's */
	v = vc(inst, 0);
	{
		u64 val;

		CHECK_EQ(acc(v, VIRQ_SPACE_MMIO, RD(2), 4, false, &val),
			 -ENXIO);
	}
	CHECK_EQ(harness_create_vcpu(inst, 2, 7, &v), 0);
	CHECK_EQ(rd(v, RD(2) + 8, 8), 7ULL << 32 | 2 << 8 | 1 << 4);
	harness_instance_close(inst);
}

TEST(reset_values)
{
	struct virq_instance *inst = harness_instance_open();
	struct virq_vcpu *v;

	CHECK_FATAL(!harness_create_chip(inst, &virq_gicv3_ops, 1, 256, NULL,
					 0));
	CHECK_FATAL(!harness_create_vcpu(inst, 0, 0, &v));
	CHECK_EQ(rd(v, DIST, 4), 0x50);			/* ARE, DS */
	CHECK_EQ(rd(v, DIST + 4, 4), 7 | 1 << 16 | 9 << 19 | 1 << 24 |
		 1 << 26);
	CHECK_EQ(rd(v, DIST + 8, 4), GICV3_IIDR);
	CHECK_EQ(rd(v, DIST + 0xc, 4), 0);
	CHECK_EQ(rd(v, DIST + 0xffe8, 4), 0x3b);
	CHECK_EQ(rd(v, DIST + 0x80, 4), 0);		/* banked: RAZ */
	CHECK_EQ(rd(v, DIST + 0x84, 4), 0xffffffff);	/* group 1 */
	CHECK_EQ(rd(v, DIST + 0x104, 4), 0);
	CHECK_EQ(rd(v, DIST + 0xc08, 4), 0);		/* level */
	CHECK_EQ(rd(v, DIST + 0x6100, 8), 0);
	/* beyond the SPIs: RAZ */
	CHECK_EQ(rd(v, DIST + 0x84 + 256 / 8, 4), 0);
	/* widths: IPRIORITYR byte and word, not halfword */
	wr(v, DIST + 0x420, 4, 0xffffffff);
	CHECK_EQ(rd(v, DIST + 0x420, 4), 0xf8f8f8f8);
	CHECK_EQ(rd(v, DIST + 0x421, 1), 0xf8);
	{
		u64 val = 0;

		/* widths the register refuses */
		CHECK_EQ(acc(v, VIRQ_SPACE_MMIO, DIST + 0x420, 2, false,
			     &val), -EINVAL);
		CHECK_EQ(acc(v, VIRQ_SPACE_MMIO, DIST + 0x422, 2, true,
			     &val), -EINVAL);
		CHECK_EQ(acc(v, VIRQ_SPACE_MMIO, DIST, 8, false, &val),
			 -EINVAL);
		CHECK_EQ(acc(v, VIRQ_SPACE_MMIO, DIST + 2, 2, false, &val),
			 -EINVAL);
		CHECK_EQ(acc(v, VIRQ_SPACE_MMIO, DIST + 0x6102, 4, false,
			     &val), -EINVAL);
		/* no register: RAZ/WI */
		CHECK_EQ(acc(v, VIRQ_SPACE_MMIO, DIST + 0x20, 2, false,
			     &val), 0);
		CHECK_EQ(val, 0);
	}
	CHECK_EQ(rd(v, DIST + 0x420, 4), 0xf8f8f8f8);
	/* IROUTER: 4 and 8 bytes, RES0 masked */
	wr(v, DIST + 0x6100, 8, ~0ULL);
	CHECK_EQ(rd(v, DIST + 0x6100, 8), 0xff80ffffffULL);
	CHECK_EQ(rd(v, DIST + 0x6104, 4), 0xff);
	/* redistributor */
	CHECK_EQ(rd(v, RD(0), 4), 0);
	CHECK_EQ(rd(v, RD(0) + 4, 4), GICV3_IIDR);
	CHECK_EQ(rd(v, RD(0) + 0x14, 4), 6);		/* asleep */
	CHECK_EQ(rd(v, RD(0) + 0xffe8, 4), 0x3b);
	CHECK_EQ(rd(v, SGI(0) + 0x80, 4), 0xffffffff);
	CHECK_EQ(rd(v, SGI(0) + 0x100, 4), 0xffff);	/* SGIs enabled */
	CHECK_EQ(rd(v, SGI(0) + 0xc00, 4), 0xaaaaaaaa);
	CHECK_EQ(rd(v, SGI(0) + 0xc04, 4), 0);
	wr(v, SGI(0) + 0xc04, 4, 0xaaaaaaaa);		/* read-only */
	CHECK_EQ(rd(v, SGI(0) + 0xc04, 4), 0);
	/* CPU interface */
	CHECK_EQ(icc_rd(v, ICC(PMR)), 0);
	CHECK_EQ(icc_rd(v, ICC(BPR0)), 2);
	CHECK_EQ(icc_rd(v, ICC(BPR1)), 3);
	CHECK_EQ(icc_rd(v, ICC(CTLR)), 4 << 8 | 1 << 15 | 1 << 18);
	CHECK_EQ(icc_rd(v, ICC(SRE)), 7);
	CHECK_EQ(icc_rd(v, ICC(RPR)), 0xff);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), SPUR);
	icc_wr(v, ICC(BPR0), 0);
	CHECK_EQ(icc_rd(v, ICC(BPR0)), 2);
	icc_wr(v, ICC(CTLR), 3);
	CHECK_EQ(icc_rd(v, ICC(BPR1)), 3);		/* CBPR: BPR0 + 1 */
	{
		u64 val;

		CHECK_EQ(acc(v, VIRQ_SPACE_SYSREG, ICC(PMR), 4, false, &val),
			 -EINVAL);
		CHECK_EQ(acc(v, VIRQ_SPACE_SYSREG, 0x1234, 8, false, &val),
			 -ENXIO);
		CHECK_EQ(acc(v, VIRQ_SPACE_MMIO, 0x1000, 4, false, &val),
			 -ENXIO);
	}
	harness_instance_close(inst);
}

TEST(spi_edge_level)
{
	struct virq_instance *inst = mk(2, 128);
	struct virq_vcpu *v = vc(inst, 0);

	CHECK_EQ(inj(inst, 40, EDGE), -1);		/* disabled: latched */
	CHECK_EQ(out(v), 0);
	spi_on(inst, 40, 0x80);
	CHECK_EQ(out(v), VIRQ_OUT_INT);
	CHECK_EQ(inj(inst, 40, EDGE), 0);		/* coalesced */
	CHECK_EQ(icc_rd(v, ICC(HPPIR1)), 40);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 40);
	CHECK_EQ(out(v), 0);
	CHECK_EQ(icc_rd(v, ICC(RPR)), 0x80);
	CHECK_EQ(icc_rd(v, VIRQ_GICV3_ICC_AP1R_EL1(0)), 1U << 16);
	CHECK_EQ(inj(inst, 40, EDGE), 0);		/* active: held */
	icc_wr(v, ICC(EOIR1), 40);
	CHECK_EQ(icc_rd(v, ICC(RPR)), 0xff);
	CHECK_EQ(out(v), VIRQ_OUT_INT);		/* the second edge */
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 40);
	icc_wr(v, ICC(EOIR1), 40);
	CHECK_EQ(out(v), 0);

	/* level: pending while the line is high */
	wr(v, DIST + 0x6000 + 41 * 8, 8, 1);		/* to vCPU 1 */
	spi_on(inst, 41, 0x80);
	CHECK_FATAL(!harness_add_resampler(inst, 41));
	CHECK_EQ(harness_set_irq(inst, 41, SET, VIRQ_DRIVER_RESAMPLE, false,
				 &(int){0}), 0);
	v = vc(inst, 1);
	CHECK_EQ(out(v), VIRQ_OUT_INT);
	CHECK_EQ(out(vc(inst, 0)), 0);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 41);
	CHECK_EQ(rd(v, DIST + 0x204, 4) & (1 << 9), 1 << 9); /* still high */
	icc_wr(v, ICC(EOIR1), 41);
	/* the resampler lowered the line at EOI */
	CHECK_EQ(inst->nr_resample_signals, 1);
	CHECK_EQ(out(v), 0);
	CHECK_EQ(inj(inst, 41, SET), 1);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 41);
	icc_wr(v, ICC(EOIR1), 41);
	CHECK_EQ(out(v), VIRQ_OUT_INT);		/* the user still drives it */
	CHECK_EQ(inj(inst, 41, RESET), 0);
	CHECK_EQ(out(v), 0);
	/* ISPENDR on a level SPI sets the latch, ICPENDR clears it */
	wr(v, DIST + 0x204, 4, 1 << 9);
	CHECK_EQ(out(v), VIRQ_OUT_INT);
	wr(v, DIST + 0x284, 4, 1 << 9);
	CHECK_EQ(out(v), 0);
	/* SETSPI_NSR / CLRSPI_NSR */
	wr(v, DIST + 0x40, 4, 41);
	CHECK_EQ(out(v), VIRQ_OUT_INT);
	wr(v, DIST + 0x48, 4, 41);
	CHECK_EQ(out(v), 0);
	/* group off in the distributor: masked */
	wr(v, DIST, 4, 0);
	CHECK_EQ(inj(inst, 41, EDGE), -1);
	wr(v, DIST, 4, 3);
	CHECK_EQ(out(v), VIRQ_OUT_INT);
	harness_instance_close(inst);
}

TEST(priority_preemption)
{
	struct virq_instance *inst = mk(1, 128);
	struct virq_vcpu *v = vc(inst, 0);

	spi_on(inst, 50, 0x80);
	spi_on(inst, 51, 0x40);
	spi_on(inst, 52, 0x40);
	spi_on(inst, 53, 0x20);
	CHECK_EQ(inj(inst, 50, EDGE), 1);
	CHECK_EQ(inj(inst, 52, EDGE), 1);
	CHECK_EQ(inj(inst, 51, EDGE), 1);		/* same prio, lower id */
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 51);
	CHECK_EQ(icc_rd(v, ICC(HPPIR1)), 52);
	/* 52 and 50 cannot preempt 0x40 */
	CHECK_EQ(out(v), 0);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), SPUR);
	CHECK_EQ(inj(inst, 53, EDGE), 1);		/* 0x20 preempts */
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 53);
	CHECK_EQ(icc_rd(v, ICC(RPR)), 0x20);
	icc_wr(v, ICC(EOIR1), 53);
	CHECK_EQ(icc_rd(v, ICC(RPR)), 0x40);
	icc_wr(v, ICC(EOIR1), 51);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 52);
	icc_wr(v, ICC(EOIR1), 52);
	/* PMR masks */
	icc_wr(v, ICC(PMR), 0x80);
	CHECK_EQ(out(v), 0);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), SPUR);
	icc_wr(v, ICC(PMR), 0x88);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 50);
	icc_wr(v, ICC(EOIR1), 50);
	/* binary point: with BPR1 7 nothing preempts an active interrupt */
	icc_wr(v, ICC(PMR), 0xf8);
	icc_wr(v, ICC(BPR1), 7);
	inj(inst, 51, EDGE);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 51);
	inj(inst, 53, EDGE);			/* same group priority 0 */
	CHECK_EQ(out(v), 0);
	icc_wr(v, ICC(EOIR1), 51);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 53);
	icc_wr(v, ICC(EOIR1), 53);
	icc_wr(v, ICC(BPR1), 3);
	inj(inst, 51, EDGE);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 51);
	inj(inst, 53, EDGE);			/* 0x20 preempts 0x40 */
	CHECK_EQ(out(v), VIRQ_OUT_INT);
	harness_instance_close(inst);
}

/* An EOI kicks its vCPU (priority drop) and the deactivated one's target */
TEST(eoi_kick)
{
	struct virq_instance *inst = mk(2, 128);
	struct virq_vcpu *v = vc(inst, 0), *w = vc(inst, 1);
	unsigned long kv, kw;

	spi_on(inst, 32, 0x40);
	spi_on(inst, 33, 0x80);
	CHECK_EQ(inj(inst, 32, EDGE), 1);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 32);
	CHECK_EQ(inj(inst, 33, EDGE), VIRQ_STATUS_COALESCED);
	CHECK_EQ(out(v), 0);			/* held by the running prio */
	kv = harness_vcpu(v)->kicks;
	icc_wr(v, ICC(EOIR1), 32);		/* 32 is not pending again */
	CHECK_EQ(out(v), VIRQ_OUT_INT);
	CHECK(harness_vcpu(v)->kicks > kv);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 33);
	icc_wr(v, ICC(EOIR1), 33);

	/* Active on vCPU 0, pending again, now routed to vCPU 1 */
	CHECK_EQ(inj(inst, 32, EDGE), 1);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 32);
	wr(v, DIST + 0x6000 + 32 * 8, 8, 1);	/* GICD_IROUTER32 */
	CHECK_EQ(inj(inst, 32, EDGE), VIRQ_STATUS_COALESCED);
	CHECK_EQ(out(w), 0);
	kv = harness_vcpu(v)->kicks;
	kw = harness_vcpu(w)->kicks;
	icc_wr(v, ICC(EOIR1), 32);
	CHECK_EQ(out(w), VIRQ_OUT_INT);
	CHECK(harness_vcpu(w)->kicks > kw);
	CHECK(harness_vcpu(v)->kicks > kv);
	CHECK_EQ(icc_rd(w, ICC(IAR1)), 32);
	icc_wr(w, ICC(EOIR1), 32);
	harness_instance_close(inst);
}

TEST(eoimode_groups)
{
	struct virq_instance *inst = mk(1, 128);
	struct virq_vcpu *v = vc(inst, 0);

	spi_on(inst, 60, 0x80);
	spi_on(inst, 61, 0x80);
	wr(v, DIST + 0x80 + 60 / 32 * 4, 4, ~(1U << (60 % 32)));  /* G0 */
	inj(inst, 60, EDGE);
	CHECK_EQ(out(v), VIRQ_OUT_FIQ);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), SPUR);
	CHECK_EQ(icc_rd(v, ICC(HPPIR1)), SPUR);
	CHECK_EQ(icc_rd(v, ICC(HPPIR0)), 60);
	CHECK_EQ(icc_rd(v, ICC(IAR0)), 60);
	CHECK_EQ(icc_rd(v, VIRQ_GICV3_ICC_AP0R_EL1(0)), 1U << 16);
	icc_wr(v, ICC(EOIR1), 60);			/* wrong group: ignored */
	CHECK_EQ(icc_rd(v, ICC(RPR)), 0x80);
	icc_wr(v, ICC(EOIR0), 60);
	CHECK_EQ(icc_rd(v, ICC(RPR)), 0xff);
	CHECK_EQ(rd(v, DIST + 0x304 + 60 / 32 * 4 - 4, 4), 0);

	/* EOImode 1: EOIR drops the priority, DIR deactivates */
	icc_wr(v, ICC(CTLR), 2);
	inj(inst, 61, EDGE);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 61);
	icc_wr(v, ICC(EOIR1), 61);
	CHECK_EQ(icc_rd(v, ICC(RPR)), 0xff);
	CHECK_EQ(rd(v, DIST + 0x304, 4), 1U << (61 - 32));
	inj(inst, 61, EDGE);
	CHECK_EQ(out(v), 0);				/* still active */
	icc_wr(v, ICC(DIR), 61);
	CHECK_EQ(rd(v, DIST + 0x304, 4), 0);
	CHECK_EQ(out(v), VIRQ_OUT_INT);
	/* group 1 disabled at the CPU interface: masked */
	icc_wr(v, ICC(IGRPEN1), 0);
	CHECK_EQ(out(v), 0);
	CHECK_EQ(inj(inst, 61, EDGE), -1);
	harness_instance_close(inst);
}

TEST(sgis)
{
	struct virq_instance *inst = mk(4, 64);
	u32 i;

	/* SGI1R: SGI 3 to Aff0 1 and 2 */
	icc_wr(vc(inst, 0), ICC(SGI1R), 3ULL << 24 | 0x6);
	CHECK_EQ(out(vc(inst, 0)), 0);
	CHECK_EQ(out(vc(inst, 1)), VIRQ_OUT_INT);
	CHECK_EQ(out(vc(inst, 2)), VIRQ_OUT_INT);
	CHECK_EQ(out(vc(inst, 3)), 0);
	CHECK_EQ(icc_rd(vc(inst, 1), ICC(IAR1)), 3);
	icc_wr(vc(inst, 1), ICC(EOIR1), 3);
	CHECK_EQ(icc_rd(vc(inst, 2), ICC(IAR1)), 3);
	icc_wr(vc(inst, 2), ICC(EOIR1), 3);
	/* IRM: every vCPU but the sender */
	icc_wr(vc(inst, 2), ICC(SGI1R), 5ULL << 24 | 1ULL << 40);
	for (i = 0; i < 4; i++)
		CHECK_EQ(out(vc(inst, i)), i == 2 ? 0 : VIRQ_OUT_INT);
	for (i = 0; i < 4; i++)
		if (i != 2) {
			CHECK_EQ(icc_rd(vc(inst, i), ICC(IAR1)), 5);
			icc_wr(vc(inst, i), ICC(EOIR1), 5);
		}
	/* SGI0R only delivers group 0 SGIs */
	icc_wr(vc(inst, 0), ICC(SGI0R), 4ULL << 24 | 0x2);
	CHECK_EQ(out(vc(inst, 1)), 0);
	wr(vc(inst, 1), SGI(1) + 0x80, 4, ~(1U << 4));
	icc_wr(vc(inst, 0), ICC(SGI0R), 4ULL << 24 | 0x2);
	CHECK_EQ(out(vc(inst, 1)), VIRQ_OUT_FIQ);
	CHECK_EQ(icc_rd(vc(inst, 1), ICC(IAR0)), 4);
	icc_wr(vc(inst, 1), ICC(EOIR0), 4);
	/* SGIs are edge only */
	CHECK_EQ(inj(inst, VIRQ_GICV3_SOURCE_PRIVATE(1, 2), SET),
		 -EINVAL * 1000);
	CHECK_EQ(inj(inst, VIRQ_GICV3_SOURCE_PRIVATE(1, 2), EDGE), 1);
	harness_instance_close(inst);
}

TEST(one_of_n)
{
	struct virq_instance *inst = mk(3, 64);
	struct virq_vcpu *v0 = vc(inst, 0);
	u32 i, got[3] = {};

	spi_on(inst, 33, 0x80);
	wr(v0, DIST + 0x6000 + 33 * 8, 8, 1ULL << 31);	/* IRM */
	wr(v0, RD(1) + 0x14, 4, 2);			/* vCPU 1 asleep */
	for (i = 0; i < 4; i++) {
		u32 c, hit = 0;

		CHECK_EQ(inj(inst, 33, EDGE), 1);
		for (c = 0; c < 3; c++)
			if (out(vc(inst, c))) {
				hit++;
				got[c]++;
				CHECK_EQ(icc_rd(vc(inst, c), ICC(IAR1)), 33);
				icc_wr(vc(inst, c), ICC(EOIR1), 33);
			}
		CHECK_EQ(hit, 1);
	}
	CHECK_EQ(got[1], 0);
	CHECK_EQ(got[0], 2);				/* round robin */
	CHECK_EQ(got[2], 2);
	/* nobody participates: it waits, then goes to who wakes up */
	wr(v0, RD(0) + 0x14, 4, 2);
	wr(v0, RD(2) + 0x14, 4, 2);
	CHECK_EQ(inj(inst, 33, EDGE), -1);
	wr(v0, RD(1) + 0x14, 4, 0);
	CHECK_EQ(out(vc(inst, 1)), VIRQ_OUT_INT);
	harness_instance_close(inst);
}

/*
 * 1-of-N over many vCPUs: round robin over those that participate (a
 * bitmap per group, kept in step with WAKER, IGRPEN and liveness), and
 * an IGRPEN write that changes no participation kicks only its vCPU.
 */
TEST(irm_many)
{
	const u32 n = 70;
	struct virq_instance *inst = mk(n, 64);
	struct gicv3_chip *gic = gicv3_chip(inst);
	struct virq_vcpu *v0 = vc(inst, 0);
	u32 i, c, round, want;
	unsigned long k;

	spi_on(inst, 40, 0x80);
	wr(v0, DIST + 0x6000 + 40 * 8, 8, 1ULL << 31);	/* IRM */
	/* participants: every 9th vCPU; the others asleep or group 1 off */
	for (i = 0; i < n; i++) {
		if (!(i % 9))
			continue;
		if (i & 1)
			wr(v0, RD(i) + 0x14, 4, 2);
		else
			icc_wr(vc(inst, i), ICC(IGRPEN1), 0);
	}
	for (i = 0; i < n; i++) {
		CHECK_EQ(test_bit(i, gic->irm_vcpus[1]), !(i % 9));
		CHECK_EQ(test_bit(i, gic->irm_vcpus[0]), !(i % 9) || !(i & 1));
	}
	want = 0;
	for (round = 0; round < 20; round++) {
		CHECK_EQ(inj(inst, 40, EDGE), 1);
		for (c = 0; c < n; c++)
			if (out(vc(inst, c)))
				break;
		CHECK_EQ(c, want);
		CHECK_EQ(icc_rd(vc(inst, c), ICC(IAR1)), 40);
		icc_wr(vc(inst, c), ICC(EOIR1), 40);
		want = (want + 9) % 72;		/* 0, 9, ..., 63, 0 */
		if (want >= n)
			want = 0;
	}
	/* IGRPEN1 rewritten with its value: no change, one kick */
	k = harness_vcpu(vc(inst, 5))->kicks;
	icc_wr(vc(inst, 9), ICC(IGRPEN1), 1);
	CHECK_EQ(harness_vcpu(vc(inst, 5))->kicks, k);
	/* vCPU 9 stops participating: it is skipped */
	icc_wr(vc(inst, 9), ICC(IGRPEN1), 0);
	CHECK(!test_bit(9, gic->irm_vcpus[1]));
	CHECK(harness_vcpu(vc(inst, 5))->kicks > k);
	harness_instance_close(inst);
}

TEST(resident_ppis)
{
	struct virq_instance *inst = mk(2, 64);
	struct virq_call_args c = { .nr = VIRQ_GICV3_CALL_LOAD };
	u32 src = VIRQ_GICV3_SOURCE_RESIDENT(5, 27);

	wr(vc(inst, 0), SGI(0) + 0x100, 4, 1U << 27);
	wr(vc(inst, 0), SGI(1) + 0x100, 4, 1U << 27);
	CHECK_EQ(inj(inst, src, SET), -ESRCH * 1000);
	c.args[0] = 5;
	CHECK_EQ(harness_vcpu_call(vc(inst, 0), &c), 0);
	CHECK_EQ(harness_vcpu_call(vc(inst, 0), &c), -EBUSY);
	CHECK_EQ(harness_vcpu_call(vc(inst, 1), &c), -EBUSY);
	c.args[0] = 0x10000;
	CHECK_EQ(harness_vcpu_call(vc(inst, 1), &c), -EINVAL);
	CHECK_EQ(inj(inst, src, SET), 1);
	CHECK_EQ(out(vc(inst, 0)), VIRQ_OUT_INT);
	CHECK_EQ(icc_rd(vc(inst, 0), ICC(IAR1)), 27);
	/* PUT while active, LOAD the other vCPU on pcpu 5 */
	c = (struct virq_call_args){ .nr = VIRQ_GICV3_CALL_PUT };
	CHECK_EQ(harness_vcpu_call(vc(inst, 0), &c), 0);
	CHECK_EQ(harness_vcpu_call(vc(inst, 0), &c), -EINVAL);
	c = (struct virq_call_args){ .nr = VIRQ_GICV3_CALL_LOAD, .args = {5} };
	CHECK_EQ(harness_vcpu_call(vc(inst, 1), &c), 0);
	CHECK_EQ(inj(inst, src, EDGE), 1);
	CHECK_EQ(icc_rd(vc(inst, 1), ICC(IAR1)), 27);
	/* vCPU 0's PPI stayed with it, active, line high */
	icc_wr(vc(inst, 0), ICC(EOIR1), 27);
	CHECK_EQ(out(vc(inst, 0)), VIRQ_OUT_INT);
	c.nr = 77;
	CHECK_EQ(harness_vcpu_call(vc(inst, 1), &c), -EOPNOTSUPP);
	harness_instance_close(inst);
}

TEST(bad_sources)
{
	struct virq_instance *inst = mk(2, 128);
	static const u32 bad[] = {
		0, 31, 128, 1020, 1023, ~0U,
		VIRQ_GICV3_SOURCE_PRIVATE(2, 16),
		VIRQ_GICV3_SOURCE_PRIVATE(0, 32),
		VIRQ_GICV3_SOURCE_PRIVATE(0, 16) | 1 << 10,
		VIRQ_GICV3_SOURCE_RESIDENT(0, 3),
		3U << 28 | 40,
		1U << 12 | 40,
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(inj(inst, bad[i], EDGE), -EINVAL * 1000);
	{
		struct virq_instance *big = mk(1, 1024);

		CHECK_EQ(inj(big, 1019, EDGE), -1);
		CHECK_EQ(inj(big, 1020, EDGE), -EINVAL * 1000);
		harness_instance_close(big);
	}
	CHECK_EQ(harness_signal_msi(inst, DIST + 0x40, 40, &(int){0}), 0);
	CHECK_EQ(harness_signal_msi(inst, DIST + 0x40, 20, &(int){0}),
		 -EINVAL);
	CHECK_EQ(harness_signal_msi(inst, DIST + 0x44, 40, &(int){0}),
		 -EINVAL);
	harness_instance_close(inst);
}

/* One vCPU register of @width bytes from @va to @vb */
static void copy_vattr(struct virq_vcpu *va, struct virq_vcpu *vb, u32 group,
		       u64 attr, u32 width)
{
	u64 val = 0;
	u32 sz = width;

	CHECK_EQ(harness_vcpu_get_attr(va, group, attr, &val, &sz), 0);
	CHECK_EQ(sz, width);
	CHECK_EQ(harness_vcpu_set_attr(vb, group, attr, &val, width), 0);
}

/* Copy every piece of state of @a into @b through the save/restore API */
static void migrate(struct virq_instance *a, struct virq_instance *b, u32 n)
{
	static const u32 sysregs[] = {
		ICC(SRE), ICC(CTLR), ICC(PMR), ICC(BPR0), ICC(BPR1),
		VIRQ_GICV3_ICC_AP0R_EL1(0), VIRQ_GICV3_ICC_AP1R_EL1(0), ICC(IGRPEN0), ICC(IGRPEN1),
	};
	u64 words[96], val;
	u8 priv[256];
	u32 i, off, sz;

	sz = 4;
	CHECK_EQ(harness_get_attr(a, VIRQ_GICV3_GRP_DIST_REGS, 8, &val, &sz),
		 0);
	CHECK_EQ(harness_set_attr(b, VIRQ_GICV3_GRP_DIST_REGS, 8, &val, 4), 0);
	for (off = 0; off < 0x10000; off += 4) {
		u32 w = gicv3_dist_reg_width(off);

		if (off % w || harness_has_attr(a, VIRQ_GICV3_GRP_DIST_REGS,
						off))
			continue;
		sz = w;
		val = 0;
		CHECK_EQ(harness_get_attr(a, VIRQ_GICV3_GRP_DIST_REGS, off,
					  &val, &sz), 0);
		CHECK_EQ(harness_set_attr(b, VIRQ_GICV3_GRP_DIST_REGS, off,
					  &val, w), 0);
	}
	for (i = 0; i < n; i++) {
		struct virq_vcpu *va = vc(a, i), *vb = vc(b, i);
		const struct virq_chip_ops *ops = vb->inst->view.ops;

		for (off = 0; off < 0x20000; off += 4) {
			u32 w = gicv3_redist_reg_width(off);

			if (off % w ||
			    ops->vcpu_has_attr(vb, VIRQ_GICV3_VGRP_REDIST_REGS,
					       off))
				continue;
			copy_vattr(va, vb, VIRQ_GICV3_VGRP_REDIST_REGS, off, w);
		}
		for (off = 0; off < ARRAY_SIZE(sysregs); off++)
			copy_vattr(va, vb, VIRQ_GICV3_VGRP_CPU_SYSREGS,
				   sysregs[off], 8);
		sz = sizeof(priv);
		CHECK_EQ(harness_vcpu_get_attr(va, VIRQ_GICV3_VGRP_PRIVATE, 0,
					       priv, &sz), 0);
		CHECK_EQ(harness_vcpu_set_attr(vb, VIRQ_GICV3_VGRP_PRIVATE, 0,
					       priv, sz), 0);
	}
	CHECK_EQ(harness_get_sources(a, 32, 96, words), 0);
	CHECK_EQ(harness_set_sources(b, 32, 96, words), 0);
}

TEST(save_restore)
{
	struct virq_instance *a = mk(2, 128), *b;
	struct virq_vcpu *v = vc(a, 0);
	u32 i;

	spi_on(a, 70, 0x60);
	spi_on(a, 71, 0x40);
	spi_on(a, 72, 0x80);
	wr(v, DIST + 0x6000 + 72 * 8, 8, 1);
	inj(a, 70, SET);				/* level, high */
	inj(a, 71, EDGE);
	CHECK_EQ(icc_rd(v, ICC(IAR1)), 71);		/* active */
	inj(a, 71, EDGE);				/* and pending */
	inj(a, 72, EDGE);				/* on vCPU 1 */
	wr(v, SGI(1) + 0x100, 4, 1U << 20);
	wr(v, SGI(1) + 0x400 + 20, 1, 0x90);
	inj(a, VIRQ_GICV3_SOURCE_PRIVATE(1, 20), SET);

	b = harness_instance_open();
	CHECK_FATAL(b);
	CHECK_FATAL(!harness_create_chip(b, &virq_gicv3_ops, 2, 128, NULL, 0));
	for (i = 0; i < 2; i++) {
		struct virq_vcpu *nv;

		CHECK_FATAL(!harness_create_vcpu(b, i, i, &nv));
	}
	migrate(a, b, 2);

	/* both continue identically */
	for (i = 0; i < 2; i++) {
		struct virq_instance *x = i ? b : a;
		struct virq_vcpu *x0 = vc(x, 0), *x1 = vc(x, 1);

		CHECK_EQ(icc_rd(x0, ICC(RPR)), 0x40);
		CHECK_EQ(out(x0), 0);
		icc_wr(x0, ICC(EOIR1), 71);
		CHECK_EQ(icc_rd(x0, ICC(IAR1)), 71);
		icc_wr(x0, ICC(EOIR1), 71);
		CHECK_EQ(icc_rd(x0, ICC(IAR1)), 70);
		icc_wr(x0, ICC(EOIR1), 70);
		CHECK_EQ(icc_rd(x0, ICC(IAR1)), 70);	/* still high */
		icc_wr(x0, ICC(EOIR1), 70);
		CHECK_EQ(inj(x, 70, RESET), 0);
		CHECK_EQ(icc_rd(x0, ICC(IAR1)), SPUR);
		CHECK_EQ(icc_rd(x1, ICC(IAR1)), 72);
		icc_wr(x1, ICC(EOIR1), 72);
		CHECK_EQ(icc_rd(x1, ICC(IAR1)), 20);
		icc_wr(x1, ICC(EOIR1), 20);
		CHECK_EQ(icc_rd(x1, ICC(IAR1)), 20);	/* level PPI */
	}

	/* restore refusals */
	{
		u64 val = 0x1234;
		u32 sz = 4;

		CHECK_EQ(harness_set_attr(b, VIRQ_GICV3_GRP_DIST_REGS, 8, &val,
					  4), -EINVAL);
		CHECK_EQ(harness_set_attr(b, VIRQ_GICV3_GRP_DIST_REGS, 0x100,
					  &val, 8), -EINVAL);
		CHECK_EQ(harness_set_attr(b, VIRQ_GICV3_GRP_DIST_REGS, 0x40,
					  &val, 4), -ENXIO);
		CHECK_EQ(harness_get_attr(b, VIRQ_GICV3_GRP_DIST_REGS, 0x6100,
					  &val, &sz), -ENOSPC);
		CHECK_EQ(sz, 8);
		CHECK_EQ(harness_has_attr(b, VIRQ_GICV3_GRP_DIST_REGS, 0x20),
			 -ENXIO);
		CHECK_EQ(harness_has_attr(b, 99, 0), -ENXIO);
		CHECK_EQ(harness_set_attr(b, VIRQ_GICV3_GRP_CTRL,
					  VIRQ_GICV3_CTRL_ITS_SAVE_TABLES,
					  &val, 0), -ENXIO);
		val = 1ULL << 16;
		CHECK_EQ(harness_set_sources(b, 40, 1, &val), -EINVAL);
		val = 0x81;
		CHECK_EQ(harness_set_sources(b, 40, 1, &val), -EINVAL);
		CHECK_EQ(harness_get_sources(b, 0, 1, &val), -EINVAL);
	}
	harness_instance_close(a);
	harness_instance_close(b);
}

TEST(show)
{
	struct virq_instance *inst = mk(2, 128);
	struct seq_file m;

	spi_on(inst, 40, 0x80);
	inj(inst, 40, EDGE);
	icc_rd(vc(inst, 0), ICC(IAR1));
	inj(inst, VIRQ_GICV3_SOURCE_PRIVATE(1, 3), EDGE);
	harness_seq_init(&m, 1 << 16);
	harness_show(inst, &m);
	CHECK(!seq_has_overflowed(&m));
	CHECK(strstr(m.buf, "gicv3: 128 irqs, 2 vcpus"));
	CHECK(strstr(m.buf, "GICD_CTLR 0x3"));
	CHECK(strstr(m.buf, "vcpu 1 aff 0x1 pcpu -1 waker 0: f8 2 3 0 3"));
	CHECK(strstr(m.buf, "  intid 3: word 0x1b00 queued"));
	CHECK(strstr(m.buf, "spi 40: word 0x1580 target 0"));
	harness_seq_fini(&m);
	harness_instance_close(inst);
}

TEST(enomem)
{
	unsigned long nth;

	for (nth = 1; nth < 64; nth++) {
		struct virq_instance *inst = harness_instance_open();
		struct virq_gicv3_options o = { .flags = VIRQ_GICV3_OPT_LPIS };
		struct virq_vcpu *v;
		int ret;

		CHECK_FATAL(inst);
		harness_fail_alloc_nth(nth);
		ret = harness_create_chip(inst, &virq_gicv3_ops, 2, 128, &o,
					  sizeof(o));
		if (!ret) {
			ret = harness_create_vcpu(inst, 0, 0, &v);
			if (!ret)
				ret = harness_create_vcpu(inst, 1, 1, &v);
		}
		harness_fail_alloc_nth(0);
		CHECK(!ret || ret == -ENOMEM);
		harness_instance_close(inst);
		if (!ret)
			break;
	}
	CHECK(nth < 64);
}

int main(void)
{
	static const struct tap_test tests[] = {
		T(create_options), T(vcpu_ids), T(reset_values),
		T(spi_edge_level), T(priority_preemption), T(eoimode_groups),
		T(eoi_kick), T(sgis), T(one_of_n), T(irm_many), T(resident_ppis), T(bad_sources),
		T(save_restore), T(show), T(enomem),
	};

	return tap_run(tests, ARRAY_SIZE(tests));
}
