// SPDX-License-Identifier: GPL-2.0
/*
 * The GICv3 redistributor of one vCPU: the RD frame (control, LPI
 * configuration, direct LPIs) and the SGI frame (the vCPU's SGIs and
 * PPIs), 128 KiB laid out contiguously from the chip's redistributor base
 * in vCPU index order, on the register engine (regs.h).
 *
 *  - GICR_CTLR.EnableLPIs (only with LPIs) calls gicv3_lpi_enable() when
 *    it goes 0 -> 1 and then stays set (the architecture lets it be RES1
 *    once set); RWP and UWP read 0.
 *  - GICR_TYPER: affinity, Processor_Number (the vCPU index), Last on the
 *    last vCPU index, PLPIS and DirectLPI with LPIs.
 *  - GICR_WAKER: ProcessorSleep resets to 1, as the architecture says
 *    (KVM: RAZ/WI); ChildrenAsleep mirrors it.  It only decides whether
 *    the vCPU takes part in 1-of-N SPI routing.
 *  - GICR_PROPBASER / GICR_PENDBASER: stored with their RES0 bits
 *    cleared, ignored while EnableLPIs is set; RAZ/WI without LPIs.
 *  - GICR_SETLPIR / CLRLPIR / INVLPIR / INVALLR go to gicv3-lpi.c;
 *    GICR_SYNCR reads 0 (never busy).
 *  - SGI frame: GICR_ICFGR0 reads all-edge and GICR_ICFGR1 all-level,
 *    both read-only (as KVM: PPIs stay level); GICR_IGRPMODR0 RAZ/WI.
 *
 * Save/restore (uaccess): as the distributor (ISPENDR0 writes the latch),
 * the ID registers accept only their own value, the write-only registers
 * are not state; a restored EnableLPIs enables LPIs (restore PROPBASER
 * and PENDBASER first).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": gicv3: " fmt

#include <linux/errno.h>
#include <linux/kernel.h>

#include "gicv3.h"

#define GICR_CTLR		0x0000
#define GICR_IIDR		0x0004
#define GICR_TYPER		0x0008
#define GICR_STATUSR		0x0010
#define GICR_WAKER		0x0014
#define GICR_SETLPIR		0x0040
#define GICR_CLRLPIR		0x0048
#define GICR_PROPBASER		0x0070
#define GICR_PENDBASER		0x0078
#define GICR_INVLPIR		0x00a0
#define GICR_INVALLR		0x00b0
#define GICR_SYNCR		0x00c0
#define GICR_PIDR2		0xffe8
#define GICR_SGI		0x10000
#define GICR_IGROUPR0		(GICR_SGI + 0x0080)
#define GICR_ISENABLER0		(GICR_SGI + 0x0100)
#define GICR_ICENABLER0		(GICR_SGI + 0x0180)
#define GICR_ISPENDR0		(GICR_SGI + 0x0200)
#define GICR_ICPENDR0		(GICR_SGI + 0x0280)
#define GICR_ISACTIVER0		(GICR_SGI + 0x0300)
#define GICR_ICACTIVER0		(GICR_SGI + 0x0380)
#define GICR_IPRIORITYR0	(GICR_SGI + 0x0400)
#define GICR_ICFGR0		(GICR_SGI + 0x0c00)
#define GICR_IGRPMODR0		(GICR_SGI + 0x0d00)

#define GICR_CTLR_ENABLE_LPIS	BIT(0)
#define GICR_TYPER_PLPIS	BIT(0)
#define GICR_TYPER_DIRECTLPI	BIT(3)
#define GICR_TYPER_LAST		BIT(4)
#define GICR_TYPER_PROCNUM_SHIFT 8
#define GICR_WAKER_PS		BIT(1)
#define GICR_WAKER_CA		BIT(2)

#define GICR_PROPBASER_MASK	(GENMASK_ULL(4, 0) | GENMASK_ULL(51, 7) | \
				 GENMASK_ULL(58, 56))
#define GICR_PENDBASER_MASK	(GENMASK_ULL(11, 7) | GENMASK_ULL(51, 16) | \
				 GENMASK_ULL(58, 56) | BIT_ULL(62))

static bool gicr_has_lpis(const struct gicv3_vcpu *gv)
{
	return gv->chip->lpi_bits;
}

static u64 gicr_read_ctlr(void *opaque, u32 offset, u32 irq, u32 len)
{
	struct gicv3_vcpu *gv = opaque;

	return READ_ONCE(gv->gicr_ctlr);
}

/*
 * EnableLPIs 0 -> 1: read the tables.  With @undo (a restore), a failure
 * (-EFAULT, -ENOMEM) clears EnableLPIs again so that the VMM can retry:
 * what was read stays applied and the pending bits consumed are already
 * cleared in guest memory, so a retry reads only the rest.
 */
static int gicr_enable_lpis(struct gicv3_vcpu *gv, u64 val, bool undo)
{
	struct gicv3_chip *gic = gv->chip;
	unsigned long flags;
	bool enable = false;
	int ret;

	if (!gicr_has_lpis(gv) || !(val & GICR_CTLR_ENABLE_LPIS))
		return 0;
	raw_spin_lock_irqsave(&gic->lock, flags);
	if (!(gv->gicr_ctlr & GICR_CTLR_ENABLE_LPIS)) {
		gv->gicr_ctlr |= GICR_CTLR_ENABLE_LPIS;
		enable = true;
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	if (!enable)
		return 0;
	ret = gicv3_lpi_enable(gv);
	if (ret && undo) {
		raw_spin_lock_irqsave(&gic->lock, flags);
		gv->gicr_ctlr &= ~GICR_CTLR_ENABLE_LPIS;
		raw_spin_unlock_irqrestore(&gic->lock, flags);
	}
	return ret;
}

static int gicr_uaccess_write_ctlr(void *opaque, u32 offset, u32 irq,
				   u32 len, u64 val)
{
	return gicr_enable_lpis(opaque, val, true);
}

static void gicr_write_ctlr(void *opaque, u32 offset, u32 irq, u32 len,
			    u64 val)
{
	/*
	 * A guest's: a failure to read the tables leaves the LPIs as they
	 * are, and EnableLPIs set (the guest cannot see an error).
	 */
	gicr_enable_lpis(opaque, val, false);
}

static u64 gicr_read_iidr(void *opaque, u32 offset, u32 irq, u32 len)
{
	return GICV3_IIDR;
}

static u64 gicr_read_pidr2(void *opaque, u32 offset, u32 irq, u32 len)
{
	return GICV3_PIDR2;
}

static u64 gicr_read_typer(void *opaque, u32 offset, u32 irq, u32 len)
{
	struct gicv3_vcpu *gv = opaque;
	u64 val = (u64)gv->aff << 32 |
		  (u64)gv->index << GICR_TYPER_PROCNUM_SHIFT;

	if (gv->index == gv->chip->nr_vcpus - 1)
		val |= GICR_TYPER_LAST;
	if (gicr_has_lpis(gv))
		val |= GICR_TYPER_PLPIS | GICR_TYPER_DIRECTLPI;
	return gicv3_extract64(val, offset, len);
}

static int gicr_uaccess_write_id(void *opaque, u32 offset, u32 irq, u32 len,
				 u64 val)
{
	u64 cur;

	if (offset == GICR_IIDR)
		cur = GICV3_IIDR;
	else if (offset == GICR_PIDR2)
		cur = GICV3_PIDR2;
	else
		cur = gicr_read_typer(opaque, offset, irq, len);
	return cur == val ? 0 : -EINVAL;
}

static u64 gicr_read_waker(void *opaque, u32 offset, u32 irq, u32 len)
{
	struct gicv3_vcpu *gv = opaque;

	return READ_ONCE(gv->gicr_waker);
}

static void gicr_write_waker(void *opaque, u32 offset, u32 irq, u32 len,
			     u64 val)
{
	struct gicv3_vcpu *gv = opaque;
	struct gicv3_chip *gic = gv->chip;
	unsigned long flags;
	u32 waker = val & GICR_WAKER_PS ? GICR_WAKER_PS | GICR_WAKER_CA : 0;
	bool changed;

	raw_spin_lock_irqsave(&gic->lock, flags);
	gv->gicr_waker = waker;
	changed = gicv3_irm_refresh(gv);	/* 1-of-N participation */
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	if (changed)
		gicv3_kick_all(gic);
}

static u64 *gicr_baser(struct gicv3_vcpu *gv, u32 offset)
{
	return (offset & ~7U) == GICR_PROPBASER ? &gv->propbaser :
						  &gv->pendbaser;
}

static u64 gicr_read_baser(void *opaque, u32 offset, u32 irq, u32 len)
{
	struct gicv3_vcpu *gv = opaque;
	struct gicv3_chip *gic = gv->chip;
	unsigned long flags;
	u64 val;

	raw_spin_lock_irqsave(&gic->lock, flags);
	val = *gicr_baser(gv, offset);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	/*
	 * PENDBASER.PTZ is write-only (reads as 0): it is kept only for the
	 * next EnableLPIs, so a saved PENDBASER never carries it and the
	 * restored redistributor reads the pending table, as it must.
	 */
	if ((offset & ~7U) != GICR_PROPBASER)
		val &= ~GICV3_LPI_PENDBASER_PTZ;
	return gicv3_extract64(val, offset, len);
}

static void gicr_write_baser(void *opaque, u32 offset, u32 irq, u32 len,
			     u64 val)
{
	struct gicv3_vcpu *gv = opaque;
	struct gicv3_chip *gic = gv->chip;
	unsigned long flags;
	u64 *reg = gicr_baser(gv, offset);
	u64 mask = (offset & ~7U) == GICR_PROPBASER ? GICR_PROPBASER_MASK :
						      GICR_PENDBASER_MASK;

	if (!gicr_has_lpis(gv))
		return;
	raw_spin_lock_irqsave(&gic->lock, flags);
	if (!(gv->gicr_ctlr & GICR_CTLR_ENABLE_LPIS))
		*reg = gicv3_merge64(*reg, offset, len, val) & mask;
	raw_spin_unlock_irqrestore(&gic->lock, flags);
}

static void gicr_write_lpir(void *opaque, u32 offset, u32 irq, u32 len,
			    u64 val)
{
	struct gicv3_vcpu *gv = opaque;
	u32 intid = val;

	if (!gicr_has_lpis(gv) || (offset & 4))
		return;		/* the INTID is in bits 31:0 */
	switch (offset) {
	case GICR_SETLPIR:
		gicv3_lpi_set(gv, intid, true);
		break;
	case GICR_CLRLPIR:
		gicv3_lpi_set(gv, intid, false);
		break;
	case GICR_INVLPIR:
		gicv3_lpi_inv(gv, intid);
		break;
	case GICR_INVALLR:
		gicv3_lpi_invall(gv);
		break;
	}
}

#define GICR_BITS(name, REG)						\
static u64 gicr_read_##name(void *opaque, u32 offset, u32 irq, u32 len)	\
{									\
	struct gicv3_vcpu *gv = opaque;					\
									\
	return gicv3_bits_read(gv->chip, gv, GICV3_BR_##REG, irq, len, false);	\
}									\
static void gicr_write_##name(void *opaque, u32 offset, u32 irq,	\
			      u32 len, u64 val)				\
{									\
	struct gicv3_vcpu *gv = opaque;					\
									\
	gicv3_bits_write(gv->chip, gv, GICV3_BR_##REG, irq, len, val, false);	\
}									\
static int gicr_uaccess_read_##name(void *opaque, u32 offset, u32 irq,	\
				    u32 len, u64 *val)			\
{									\
	struct gicv3_vcpu *gv = opaque;					\
									\
	*val = gicv3_bits_read(gv->chip, gv, GICV3_BR_##REG, irq, len, true);	\
	return 0;							\
}									\
static int gicr_uaccess_write_##name(void *opaque, u32 offset, u32 irq,	\
				     u32 len, u64 val)			\
{									\
	struct gicv3_vcpu *gv = opaque;					\
									\
	gicv3_bits_write(gv->chip, gv, GICV3_BR_##REG, irq, len, val, true);	\
	return 0;							\
}

GICR_BITS(group, GROUP)
GICR_BITS(senable, SENABLE)
GICR_BITS(cenable, CENABLE)
GICR_BITS(spend, SPEND)
GICR_BITS(cpend, CPEND)
GICR_BITS(sactive, SACTIVE)
GICR_BITS(cactive, CACTIVE)

static u64 gicr_read_prio(void *opaque, u32 offset, u32 irq, u32 len)
{
	struct gicv3_vcpu *gv = opaque;

	return gicv3_prio_read(gv->chip, gv, irq, len);
}

static void gicr_write_prio(void *opaque, u32 offset, u32 irq, u32 len,
			    u64 val)
{
	struct gicv3_vcpu *gv = opaque;

	gicv3_prio_write(gv->chip, gv, irq, len, val);
}

static u64 gicr_read_cfg(void *opaque, u32 offset, u32 irq, u32 len)
{
	struct gicv3_vcpu *gv = opaque;

	return gicv3_cfg_read(gv->chip, gv, irq, len);
}

/* Read-only configuration: a restore must match */
static int gicr_uaccess_write_cfg(void *opaque, u32 offset, u32 irq, u32 len,
				  u64 val)
{
	return gicr_read_cfg(opaque, offset, irq, len) == val ? 0 : -EINVAL;
}

#define GICR_REG_BITS(off, fn)					\
	{ .offset = (off), .len = 4, .bits_per_irq = 1,			\
	  .access = VIRQ_REG_ACCESS_32, .read = gicr_read_##fn,	\
	  .write = gicr_write_##fn,					\
	  .uaccess_read = gicr_uaccess_read_##fn,			\
	  .uaccess_write = gicr_uaccess_write_##fn, .name = #off }

#define GICR_REG_WO(off)						\
	VIRQ_REG_UACCESS(off, 8, VIRQ_REG_ACCESS_32 | VIRQ_REG_ACCESS_64, \
			 NULL, gicr_write_lpir, virq_reg_uaccess_none_read,	\
			 virq_reg_uaccess_none_write)

static const struct virq_reg_region gicv3_redist_regions[] = {
	VIRQ_REG_UACCESS(GICR_CTLR, 4, VIRQ_REG_ACCESS_32, gicr_read_ctlr,
			 gicr_write_ctlr, NULL, gicr_uaccess_write_ctlr),
	VIRQ_REG_UACCESS(GICR_IIDR, 4, VIRQ_REG_ACCESS_32, gicr_read_iidr,
			 NULL, NULL, gicr_uaccess_write_id),
	VIRQ_REG_UACCESS(GICR_TYPER, 8,
			 VIRQ_REG_ACCESS_32 | VIRQ_REG_ACCESS_64,
			 gicr_read_typer, NULL, NULL, gicr_uaccess_write_id),
	VIRQ_REG(GICR_STATUSR, 4, VIRQ_REG_ACCESS_32, virq_reg_read_raz,
		 virq_reg_write_wi),
	VIRQ_REG(GICR_WAKER, 4, VIRQ_REG_ACCESS_32, gicr_read_waker,
		 gicr_write_waker),
	GICR_REG_WO(GICR_SETLPIR),
	GICR_REG_WO(GICR_CLRLPIR),
	VIRQ_REG(GICR_PROPBASER, 8, VIRQ_REG_ACCESS_32 | VIRQ_REG_ACCESS_64,
		 gicr_read_baser, gicr_write_baser),
	VIRQ_REG(GICR_PENDBASER, 8, VIRQ_REG_ACCESS_32 | VIRQ_REG_ACCESS_64,
		 gicr_read_baser, gicr_write_baser),
	GICR_REG_WO(GICR_INVLPIR),
	GICR_REG_WO(GICR_INVALLR),
	VIRQ_REG(GICR_SYNCR, 4, VIRQ_REG_ACCESS_32, virq_reg_read_raz,
		 virq_reg_write_wi),
	VIRQ_REG_UACCESS(GICR_PIDR2, 4, VIRQ_REG_ACCESS_32, gicr_read_pidr2,
			 NULL, NULL, gicr_uaccess_write_id),
	GICR_REG_BITS(GICR_IGROUPR0, group),
	GICR_REG_BITS(GICR_ISENABLER0, senable),
	GICR_REG_BITS(GICR_ICENABLER0, cenable),
	GICR_REG_BITS(GICR_ISPENDR0, spend),
	GICR_REG_BITS(GICR_ICPENDR0, cpend),
	GICR_REG_BITS(GICR_ISACTIVER0, sactive),
	GICR_REG_BITS(GICR_ICACTIVER0, cactive),
	VIRQ_REG_PER_IRQ(GICR_IPRIORITYR0, 32, 8,
			 VIRQ_REG_ACCESS_8 | VIRQ_REG_ACCESS_32,
			 gicr_read_prio, gicr_write_prio),
	{ .offset = GICR_ICFGR0, .len = 8, .bits_per_irq = 2,
	  .access = VIRQ_REG_ACCESS_32, .read = gicr_read_cfg,
	  .write = virq_reg_write_wi, .uaccess_write = gicr_uaccess_write_cfg,
	  .name = "GICR_ICFGR0" },
	VIRQ_REG_PER_IRQ(GICR_IGRPMODR0, 4, 1, VIRQ_REG_ACCESS_32,
			 virq_reg_read_raz, virq_reg_write_wi),
};

static const struct virq_reg_frame gicv3_redist_frame = {
	.regions = gicv3_redist_regions,
	.nr_regions = ARRAY_SIZE(gicv3_redist_regions),
	.size = VIRQ_GICV3_REDIST_SIZE,
	.nr_irqs = GICV3_NR_PRIVATE,
};

u32 gicv3_redist_reg_width(u32 offset)
{
	switch (offset) {
	case GICR_TYPER:
	case GICR_SETLPIR:
	case GICR_CLRLPIR:
	case GICR_PROPBASER:
	case GICR_PENDBASER:
	case GICR_INVLPIR:
	case GICR_INVALLR:
		return 8;
	}
	return 4;
}

int gicv3_redist_access(struct gicv3_vcpu *gv, u32 offset, u32 len,
			bool write, u64 *data, bool uaccess)
{
	if (!uaccess && !gicv3_reg_width_ok(&gicv3_redist_frame, offset, len))
		return -EINVAL;
	return virq_reg_access(&gicv3_redist_frame, gv, offset, len, write,
			       data, uaccess);
}
