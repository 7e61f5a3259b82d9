// SPDX-License-Identifier: GPL-2.0
/*
 * The GICv3 distributor (GICD_*), on the register engine (regs.h), as
 * KVM's vgic-v3 presents it: one security state (GICD_CTLR.DS = 1),
 * affinity routing always on (ARE RAO/WI), so the SGI/PPI rows of the
 * banked registers (INTIDs 0-31) are RAZ/WI and those interrupts live in
 * the redistributors.  GICD_IGRPMODR is RAZ/WI, GICD_ICFGR's low bit of
 * each field RAZ.  GICD_SETSPI_NSR / GICD_CLRSPI_NSR set and clear the
 * pending latch of an SPI (GICD_TYPER.MBIS = 1).
 *
 * The per-interrupt bit, priority and configuration helpers here also
 * serve the redistributors' SGI frame (gicv3-redist.c).
 *
 * Save/restore (uaccess): GICD_ISPENDR sets *and clears* the pending
 * latch bit by bit and reads the latch alone (line levels travel in the
 * source words), GICD_ICPENDR ignores writes (KVM's rules); the ID
 * registers (TYPER, TYPER2, IIDR, PIDR2) accept only their own value;
 * the write-only SETSPI/CLRSPI registers are not part of the state.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": gicv3: " fmt

#include <linux/errno.h>
#include <linux/kernel.h>

#include "gicv3.h"

#define GICD_CTLR		0x0000
#define GICD_TYPER		0x0004
#define GICD_IIDR		0x0008
#define GICD_TYPER2		0x000c
#define GICD_STATUSR		0x0010
#define GICD_SETSPI_NSR		0x0040
#define GICD_CLRSPI_NSR		0x0048
#define GICD_IGROUPR		0x0080
#define GICD_ISENABLER		0x0100
#define GICD_ICENABLER		0x0180
#define GICD_ISPENDR		0x0200
#define GICD_ICPENDR		0x0280
#define GICD_ISACTIVER		0x0300
#define GICD_ICACTIVER		0x0380
#define GICD_IPRIORITYR		0x0400
#define GICD_ICFGR		0x0c00
#define GICD_IGRPMODR		0x0d00
#define GICD_IROUTER		0x6000
#define GICD_PIDR2		0xffe8

#define GICD_CTLR_GRP_EN	(BIT(0) | BIT(1))
#define GICD_CTLR_ARE		BIT(4)
#define GICD_CTLR_DS		BIT(6)

#define GICD_TYPER_MBIS		BIT(16)
#define GICD_TYPER_LPIS		BIT(17)
#define GICD_TYPER_IDBITS_SHIFT	19
#define GICD_TYPER_A3V		BIT(24)
#define GICD_TYPER_RSS		BIT(26)

#define GICD_IROUTER_IRM	BIT_ULL(31)
#define GICD_IROUTER_MASK	(GENMASK_ULL(23, 0) | GICD_IROUTER_IRM | \
				 GENMASK_ULL(39, 32))

/* --- per-interrupt helpers (distributor and SGI frame) ------------------- */

static struct gicv3_irq *gicv3_row_irq(struct gicv3_chip *gic,
				       struct gicv3_vcpu *gv, u32 intid)
{
	if (gv)
		return intid < GICV3_NR_PRIVATE ? &gv->priv[intid] : NULL;
	if (intid < GICV3_NR_PRIVATE)
		return NULL;	/* banked: RAZ/WI with ARE */
	return gicv3_get_irq(gic, NULL, intid);
}

static bool gicv3_bit_get(const struct gicv3_irq *irq,
			  enum gicv3_bitreg reg, bool uaccess)
{
	switch (reg) {
	case GICV3_BR_GROUP:
		return irq->group1;
	case GICV3_BR_SENABLE:
	case GICV3_BR_CENABLE:
		return irq->enabled;
	case GICV3_BR_SPEND:
	case GICV3_BR_CPEND:
		return uaccess ? irq->pending_latch : gicv3_irq_pending(irq);
	default:
		return irq->active;
	}
}

static void gicv3_bit_set(struct gicv3_irq *irq, enum gicv3_bitreg reg,
			  bool bit, bool uaccess)
{
	switch (reg) {
	case GICV3_BR_GROUP:
		irq->group1 = bit;
		break;
	case GICV3_BR_SENABLE:
		if (bit)
			irq->enabled = true;
		break;
	case GICV3_BR_CENABLE:
		if (bit)
			irq->enabled = false;
		break;
	case GICV3_BR_SPEND:
		if (uaccess)
			irq->pending_latch = bit;
		else if (bit)
			irq->pending_latch = true;
		break;
	case GICV3_BR_CPEND:
		if (!uaccess && bit)
			irq->pending_latch = false;
		break;
	case GICV3_BR_SACTIVE:
		if (bit)
			irq->active = true;
		break;
	case GICV3_BR_CACTIVE:
		if (bit) {
			irq->active = false;
			irq->active_prio_vcpu = NULL;
		}
		break;
	}
}

u64 gicv3_bits_read(struct gicv3_chip *gic, struct gicv3_vcpu *gv,
		    enum gicv3_bitreg reg, u32 intid, u32 len, bool uaccess)
{
	struct gicv3_irq *irq;
	unsigned long flags;
	u64 val = 0;
	u32 i;

	raw_spin_lock_irqsave(&gic->lock, flags);
	for (i = 0; i < len * 8; i++) {
		irq = gicv3_row_irq(gic, gv, intid + i);
		if (irq && gicv3_bit_get(irq, reg, uaccess))
			val |= BIT_ULL(i);
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	return val;
}

/* Up to 32 distinct vCPUs to kick after a write */
struct gicv3_kicks {
	struct gicv3_vcpu *gv[32];
	u32 n;
};

static void gicv3_kicks_add(struct gicv3_kicks *k, struct gicv3_vcpu *gv)
{
	u32 i;

	if (!gv)
		return;
	for (i = 0; i < k->n; i++)
		if (k->gv[i] == gv)
			return;
	if (k->n < ARRAY_SIZE(k->gv))
		k->gv[k->n++] = gv;
}

static void gicv3_kicks_do(struct gicv3_kicks *k)
{
	u32 i;

	for (i = 0; i < k->n; i++)
		gicv3_kick(k->gv[i]);
}

void gicv3_bits_write(struct gicv3_chip *gic, struct gicv3_vcpu *gv,
		      enum gicv3_bitreg reg, u32 intid, u32 len, u64 val,
		      bool uaccess)
{
	struct gicv3_kicks k = { .n = 0 };
	struct gicv3_irq *irq;
	unsigned long flags;
	u32 i;

	raw_spin_lock_irqsave(&gic->lock, flags);
	for (i = 0; i < len * 8; i++) {
		irq = gicv3_row_irq(gic, gv, intid + i);
		if (!irq)
			continue;
		gicv3_bit_set(irq, reg, val & BIT_ULL(i), uaccess);
		gicv3_kicks_add(&k, gicv3_irq_update(gic, irq));
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kicks_do(&k);
}

u64 gicv3_prio_read(struct gicv3_chip *gic, struct gicv3_vcpu *gv,
		    u32 intid, u32 len)
{
	struct gicv3_irq *irq;
	unsigned long flags;
	u64 val = 0;
	u32 i;

	raw_spin_lock_irqsave(&gic->lock, flags);
	for (i = 0; i < len; i++) {
		irq = gicv3_row_irq(gic, gv, intid + i);
		if (irq)
			val |= (u64)irq->priority << (8 * i);
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	return val;
}

void gicv3_prio_write(struct gicv3_chip *gic, struct gicv3_vcpu *gv,
		      u32 intid, u32 len, u64 val)
{
	struct gicv3_kicks k = { .n = 0 };
	struct gicv3_irq *irq;
	unsigned long flags;
	u32 i;

	raw_spin_lock_irqsave(&gic->lock, flags);
	for (i = 0; i < len; i++) {
		irq = gicv3_row_irq(gic, gv, intid + i);
		if (!irq)
			continue;
		irq->priority = (val >> (8 * i)) & GICV3_PRI_MASK;
		gicv3_kicks_add(&k, gicv3_irq_update(gic, irq));
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kicks_do(&k);
}

u64 gicv3_cfg_read(struct gicv3_chip *gic, struct gicv3_vcpu *gv,
		   u32 intid, u32 len)
{
	struct gicv3_irq *irq;
	unsigned long flags;
	u64 val = 0;
	u32 i;

	raw_spin_lock_irqsave(&gic->lock, flags);
	for (i = 0; i < len * 4; i++) {
		irq = gicv3_row_irq(gic, gv, intid + i);
		if (irq && irq->edge)
			val |= 2ULL << (2 * i);
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	return val;
}

/* --- GICD registers ----------------------------------------------------------- */

static u64 gicd_read_ctlr(void *opaque, u32 offset, u32 irq, u32 len)
{
	struct gicv3_chip *gic = opaque;

	return READ_ONCE(gic->gicd_ctlr) | GICD_CTLR_ARE | GICD_CTLR_DS;
}

static void gicd_write_ctlr(void *opaque, u32 offset, u32 irq, u32 len,
			    u64 val)
{
	struct gicv3_chip *gic = opaque;
	unsigned long flags;
	bool changed;

	raw_spin_lock_irqsave(&gic->lock, flags);
	changed = gic->gicd_ctlr != (val & GICD_CTLR_GRP_EN);
	gic->gicd_ctlr = val & GICD_CTLR_GRP_EN;
	if (changed)
		gicv3_update_all(gic, false);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	if (changed)
		gicv3_kick_all(gic);
}

static u64 gicd_read_typer(void *opaque, u32 offset, u32 irq, u32 len)
{
	struct gicv3_chip *gic = opaque;
	u64 idbits = gic->lpi_bits ? gic->lpi_bits - 1 : 9;
	u64 val;

	val = (gic->nr_irqs / 32 - 1) | GICD_TYPER_MBIS |
	      idbits << GICD_TYPER_IDBITS_SHIFT | GICD_TYPER_A3V |
	      GICD_TYPER_RSS;
	if (gic->lpi_bits)
		val |= GICD_TYPER_LPIS;
	return val;
}

static u64 gicd_read_iidr(void *opaque, u32 offset, u32 irq, u32 len)
{
	return GICV3_IIDR;
}

static u64 gicd_read_pidr2(void *opaque, u32 offset, u32 irq, u32 len)
{
	return GICV3_PIDR2;
}

/* Restore of an ID register: only its own value */
static int gicd_uaccess_write_id(void *opaque, u32 offset, u32 irq, u32 len,
				 u64 val)
{
	struct gicv3_chip *gic = opaque;
	u64 cur = 0;
	int ret;

	ret = virq_reg_access(&gic->dist_frame, gic, offset, len, false, &cur,
			      false);
	if (ret)
		return ret;
	return cur == val ? 0 : -EINVAL;
}

static void gicd_write_setspi(void *opaque, u32 offset, u32 irq, u32 len,
			      u64 val)
{
	/* INTID in bits 9:0; a write naming no SPI is ignored */
	gicv3_setspi(opaque, val & 0x3ff, offset == GICD_SETSPI_NSR, NULL);
}

#define GICD_BITS(name, REG)						\
static u64 gicd_read_##name(void *opaque, u32 offset, u32 irq, u32 len)	\
{									\
	return gicv3_bits_read(opaque, NULL, GICV3_BR_##REG, irq, len, false);	\
}									\
static void gicd_write_##name(void *opaque, u32 offset, u32 irq,	\
			      u32 len, u64 val)				\
{									\
	gicv3_bits_write(opaque, NULL, GICV3_BR_##REG, irq, len, val, false);	\
}									\
static int gicd_uaccess_read_##name(void *opaque, u32 offset, u32 irq,	\
				    u32 len, u64 *val)			\
{									\
	*val = gicv3_bits_read(opaque, NULL, GICV3_BR_##REG, irq, len, true);	\
	return 0;							\
}									\
static int gicd_uaccess_write_##name(void *opaque, u32 offset, u32 irq,	\
				     u32 len, u64 val)			\
{									\
	gicv3_bits_write(opaque, NULL, GICV3_BR_##REG, irq, len, val, true);	\
	return 0;							\
}

GICD_BITS(group, GROUP)
GICD_BITS(senable, SENABLE)
GICD_BITS(cenable, CENABLE)
GICD_BITS(spend, SPEND)
GICD_BITS(cpend, CPEND)
GICD_BITS(sactive, SACTIVE)
GICD_BITS(cactive, CACTIVE)

static u64 gicd_read_prio(void *opaque, u32 offset, u32 irq, u32 len)
{
	return gicv3_prio_read(opaque, NULL, irq, len);
}

static void gicd_write_prio(void *opaque, u32 offset, u32 irq, u32 len,
			    u64 val)
{
	gicv3_prio_write(opaque, NULL, irq, len, val);
}

static u64 gicd_read_cfg(void *opaque, u32 offset, u32 irq, u32 len)
{
	return gicv3_cfg_read(opaque, NULL, irq, len);
}

static void gicd_write_cfg(void *opaque, u32 offset, u32 irq, u32 len,
			   u64 val)
{
	struct gicv3_chip *gic = opaque;
	struct gicv3_kicks k = { .n = 0 };
	struct gicv3_irq *girq;
	unsigned long flags;
	u32 i;

	raw_spin_lock_irqsave(&gic->lock, flags);
	for (i = 0; i < len * 4; i++) {
		girq = gicv3_row_irq(gic, NULL, irq + i);
		if (!girq)
			continue;
		girq->edge = val & (2ULL << (2 * i));
		gicv3_kicks_add(&k, gicv3_irq_update(gic, girq));
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kicks_do(&k);
}

static u64 gicd_read_irouter(void *opaque, u32 offset, u32 irq, u32 len)
{
	struct gicv3_chip *gic = opaque;
	struct gicv3_irq *girq = gicv3_row_irq(gic, NULL, irq);
	unsigned long flags;
	u64 val;

	if (!girq)
		return 0;
	raw_spin_lock_irqsave(&gic->lock, flags);
	val = (u64)(girq->route & 0xffffff) |
	      (u64)(girq->route >> 24) << 32 |
	      (girq->irm ? GICD_IROUTER_IRM : 0);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	return gicv3_extract64(val, offset, len);
}

static void gicd_write_irouter(void *opaque, u32 offset, u32 irq, u32 len,
			       u64 val)
{
	struct gicv3_chip *gic = opaque;
	struct gicv3_irq *girq = gicv3_row_irq(gic, NULL, irq);
	struct gicv3_vcpu *kick;
	unsigned long flags;
	u64 cur;

	if (!girq)
		return;
	raw_spin_lock_irqsave(&gic->lock, flags);
	cur = (u64)(girq->route & 0xffffff) |
	      (u64)(girq->route >> 24) << 32 |
	      (girq->irm ? GICD_IROUTER_IRM : 0);
	val = gicv3_merge64(cur, offset, len, val) & GICD_IROUTER_MASK;
	girq->route = gicv3_mpidr_to_aff(val);
	girq->irm = val & GICD_IROUTER_IRM;
	/* 1-of-N: gicv3_irq_update() keeps or chooses the target */
	if (!girq->irm)
		gicv3_spi_retarget(gic, girq);
	kick = gicv3_irq_update(gic, girq);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(kick);
}

#define GICD_REG_BITS(off, fn)					\
	{ .offset = (off), .len = 0x80, .bits_per_irq = 1,		\
	  .access = VIRQ_REG_ACCESS_32, .read = gicd_read_##fn,	\
	  .write = gicd_write_##fn,					\
	  .uaccess_read = gicd_uaccess_read_##fn,			\
	  .uaccess_write = gicd_uaccess_write_##fn, .name = #off }

static const struct virq_reg_region gicv3_dist_regions[] = {
	VIRQ_REG(GICD_CTLR, 4, VIRQ_REG_ACCESS_32, gicd_read_ctlr,
		 gicd_write_ctlr),
	VIRQ_REG_UACCESS(GICD_TYPER, 4, VIRQ_REG_ACCESS_32, gicd_read_typer,
			 NULL, NULL, gicd_uaccess_write_id),
	VIRQ_REG_UACCESS(GICD_IIDR, 4, VIRQ_REG_ACCESS_32, gicd_read_iidr,
			 NULL, NULL, gicd_uaccess_write_id),
	VIRQ_REG_UACCESS(GICD_TYPER2, 4, VIRQ_REG_ACCESS_32,
			 virq_reg_read_raz, NULL, NULL,
			 gicd_uaccess_write_id),
	VIRQ_REG(GICD_STATUSR, 4, VIRQ_REG_ACCESS_32, virq_reg_read_raz,
		 virq_reg_write_wi),
	VIRQ_REG_UACCESS(GICD_SETSPI_NSR, 4, VIRQ_REG_ACCESS_32, NULL,
			 gicd_write_setspi, virq_reg_uaccess_none_read,
			 virq_reg_uaccess_none_write),
	VIRQ_REG_UACCESS(GICD_CLRSPI_NSR, 4, VIRQ_REG_ACCESS_32, NULL,
			 gicd_write_setspi, virq_reg_uaccess_none_read,
			 virq_reg_uaccess_none_write),
	GICD_REG_BITS(GICD_IGROUPR, group),
	GICD_REG_BITS(GICD_ISENABLER, senable),
	GICD_REG_BITS(GICD_ICENABLER, cenable),
	GICD_REG_BITS(GICD_ISPENDR, spend),
	GICD_REG_BITS(GICD_ICPENDR, cpend),
	GICD_REG_BITS(GICD_ISACTIVER, sactive),
	GICD_REG_BITS(GICD_ICACTIVER, cactive),
	VIRQ_REG_PER_IRQ(GICD_IPRIORITYR, 0x400, 8,
			 VIRQ_REG_ACCESS_8 | VIRQ_REG_ACCESS_32,
			 gicd_read_prio, gicd_write_prio),
	VIRQ_REG_PER_IRQ(GICD_ICFGR, 0x100, 2, VIRQ_REG_ACCESS_32,
			 gicd_read_cfg, gicd_write_cfg),
	VIRQ_REG_PER_IRQ(GICD_IGRPMODR, 0x80, 1, VIRQ_REG_ACCESS_32,
			 virq_reg_read_raz, virq_reg_write_wi),
	VIRQ_REG_PER_IRQ(GICD_IROUTER, 0x2000, 64,
			 VIRQ_REG_ACCESS_32 | VIRQ_REG_ACCESS_64,
			 gicd_read_irouter, gicd_write_irouter),
	VIRQ_REG_UACCESS(GICD_PIDR2, 4, VIRQ_REG_ACCESS_32, gicd_read_pidr2,
			 NULL, NULL, gicd_uaccess_write_id),
};

u32 gicv3_dist_reg_width(u32 offset)
{
	return offset >= GICD_IROUTER && offset < GICD_IROUTER + 0x2000 ?
	       8 : 4;
}

int gicv3_dist_init(struct gicv3_chip *gic)
{
	gic->dist_frame.regions = gicv3_dist_regions;
	gic->dist_frame.nr_regions = ARRAY_SIZE(gicv3_dist_regions);
	gic->dist_frame.size = VIRQ_GICV3_DIST_SIZE;
	gic->dist_frame.nr_irqs = gic->nr_irqs;
	return WARN_ON_ONCE(virq_reg_frame_check(&gic->dist_frame)) ?
	       -EINVAL : 0;
}

int gicv3_dist_access(struct gicv3_chip *gic, u32 offset, u32 len,
		      bool write, u64 *data, bool uaccess)
{
	if (!uaccess && !gicv3_reg_width_ok(&gic->dist_frame, offset, len))
		return -EINVAL;
	return virq_reg_access(&gic->dist_frame, gic, offset, len, write,
			       data, uaccess);
}
