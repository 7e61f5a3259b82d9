// SPDX-License-Identifier: GPL-2.0
/*
 * The GICv3 system-register CPU interface of one vCPU (ICC_*_EL1), as a
 * guest at EL1 with a single security state sees it: 5 bits of priority
 * and of preemption, two groups (group 0 signalled as VIRQ_OUT_FIQ,
 * group 1 as VIRQ_OUT_INT).
 *
 * Acknowledge (IAR) takes the highest priority pending interrupt of the
 * vCPU (gicv3_hppi()) if it is of the register's group, above the PMR
 * and its group priority (under the binary point) above the running
 * priority; it becomes active and its group priority is recorded in
 * ICC_AP0R0_EL1 or ICC_AP1R0_EL1 (one bit per group priority: the other
 * APxRn are RAZ/WI with 5 bits).  EOIR drops the highest active priority
 * if it belongs to the register's group and, with EOImode 0, deactivates
 * the INTID; DIR deactivates with EOImode 1 (and is ignored with
 * EOImode 0).  Ending a level-triggered SPI or PPI notifies resampling
 * irqfds (after the chip lock is dropped).
 *
 * SGIs: ICC_SGI1R_EL1 generates an SGI of either group, ICC_SGI0R_EL1
 * and ICC_ASGI1R_EL1 only group 0 SGIs, the target's GICR_IGROUPR0
 * deciding (the architecture's table for a single security state, as
 * KVM reads it).  IRM broadcasts to every vCPU but the sender.
 *
 * Save/restore (uaccess) reaches the state registers only: PMR, BPR0/1,
 * AP0R<n>/AP1R<n>, CTLR, SRE, IGRPEN0/1; a restored CTLR or SRE must
 * match the read-only fields.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": gicv3: " fmt

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>

#include "gicv3.h"

#define ICC_CTLR_CBPR		BIT(0)
#define ICC_CTLR_EOIMODE	BIT(1)
#define ICC_CTLR_RW		(ICC_CTLR_CBPR | ICC_CTLR_EOIMODE)
#define ICC_CTLR_PRIBITS_SHIFT	8
#define ICC_CTLR_IDBITS_SHIFT	11
#define ICC_CTLR_A3V		BIT(15)
#define ICC_CTLR_RSS		BIT(18)
#define ICC_SRE_VAL		0x7ULL	/* SRE, DFB, DIB: RAO/WI */
#define GICV3_MIN_BPR0		(7 - GICV3_PRI_BITS)	/* 2 */
#define GICV3_MIN_BPR1		(GICV3_MIN_BPR0 + 1)

#define SGIR_TARGETS(v)		((v) & 0xffff)
#define SGIR_AFF1(v)		(((v) >> 16) & 0xff)
#define SGIR_INTID(v)		(((v) >> 24) & 0xf)
#define SGIR_AFF2(v)		(((v) >> 32) & 0xff)
#define SGIR_IRM		BIT_ULL(40)
#define SGIR_RS(v)		(((v) >> 44) & 0xf)
#define SGIR_AFF3(v)		(((v) >> 48) & 0xff)

void gicv3_cpuif_reset(struct gicv3_vcpu *gv)
{
	gv->cpuif.pmr = 0;
	gv->cpuif.bpr0 = GICV3_MIN_BPR0;
	gv->cpuif.bpr1 = GICV3_MIN_BPR1;
	gv->cpuif.ctlr = 0;
	gv->cpuif.igrpen = 0;
	gv->cpuif.ap[0] = 0;
	gv->cpuif.ap[1] = 0;
}

u8 gicv3_gprio_mask(const struct gicv3_vcpu *gv, int group)
{
	u32 shift;

	if (!group || (gv->cpuif.ctlr & ICC_CTLR_CBPR))
		shift = gv->cpuif.bpr0 + 1;
	else
		shift = gv->cpuif.bpr1;
	return (0xffU << shift) & 0xff;
}

u8 gicv3_running_prio(const struct gicv3_vcpu *gv)
{
	u32 ap = gv->cpuif.ap[0] | gv->cpuif.ap[1];

	return ap ? __ffs(ap) << (8 - GICV3_PRI_BITS) : GICV3_IDLE_PRIO;
}

static u64 gicv3_icc_ctlr(const struct gicv3_vcpu *gv)
{
	u64 idbits = gv->chip->lpi_bits > 16 ? 1 : 0;

	return gv->cpuif.ctlr |
	       (GICV3_PRI_BITS - 1) << ICC_CTLR_PRIBITS_SHIFT |
	       idbits << ICC_CTLR_IDBITS_SHIFT | ICC_CTLR_A3V | ICC_CTLR_RSS;
}

u32 gicv3_cpuif_output(struct gicv3_vcpu *gv)
{
	struct gicv3_chip *gic = gv->chip;
	struct gicv3_irq *irq;
	unsigned long flags;
	u32 out = 0;

	raw_spin_lock_irqsave(&gic->lock, flags);
	irq = gicv3_hppi(gv);
	if (irq && gicv3_can_signal(gv, irq))
		out = irq->group1 ? VIRQ_OUT_INT : VIRQ_OUT_FIQ;
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	return out;
}

/* Acknowledge: chip lock held; ICC_IAR<group>_EL1 */
static u32 gicv3_ack_locked(struct gicv3_vcpu *gv, int group,
			    struct gicv3_vcpu **kick)
{
	struct gicv3_irq *irq = gicv3_hppi(gv);
	u8 gprio;

	lockdep_assert_held(&gv->chip->lock);
	if (!irq || irq->group1 != group || !gicv3_can_signal(gv, irq))
		return GICV3_SPURIOUS;
	gprio = irq->priority & gicv3_gprio_mask(gv, group);
	gv->cpuif.ap[group] |= BIT(gprio >> (8 - GICV3_PRI_BITS));
	irq->pending_latch = false;
	if (irq->kind != GICV3_LPI) {
		irq->active = true;
		irq->active_prio_vcpu = gv;
	}
	*kick = gicv3_irq_update(gv->chip, irq);
	return irq->intid;
}

u32 gicv3_cpuif_ack(struct gicv3_vcpu *gv, int group)
{
	struct gicv3_vcpu *kick = NULL;
	unsigned long flags;
	u32 intid;

	raw_spin_lock_irqsave(&gv->chip->lock, flags);
	intid = gicv3_ack_locked(gv, group, &kick);
	raw_spin_unlock_irqrestore(&gv->chip->lock, flags);
	gicv3_kick(kick);
	if (intid != GICV3_SPURIOUS)
		virq_trace_ack(gv->vcpu, intid);
	return intid;
}

/* Deactivate INTID @intid: chip lock held; returns the source to notify */
static u32 gicv3_deactivate_locked(struct gicv3_vcpu *gv, u32 intid,
				   struct gicv3_vcpu **kick)
{
	struct gicv3_irq *irq = gicv3_get_irq(gv->chip, gv, intid);

	if (!irq || irq->kind == GICV3_LPI || !irq->active)
		return U32_MAX;
	irq->active = false;
	irq->active_prio_vcpu = NULL;
	*kick = gicv3_irq_update(gv->chip, irq);
	return gicv3_irq_source(irq);
}

/*
 * EOIR: drop the highest active priority if it is @group's.  *@kick is
 * the deactivated interrupt's vCPU; the caller kicks @gv as well, whose
 * running priority fell (its output may rise).
 */
static u32 gicv3_eoi_locked(struct gicv3_vcpu *gv, int group, u32 intid,
			    struct gicv3_vcpu **kick)
{
	u32 a0 = gv->cpuif.ap[0], a1 = gv->cpuif.ap[1];
	u32 b0 = a0 ? __ffs(a0) : 32, b1 = a1 ? __ffs(a1) : 32;
	int hg = b0 <= b1 ? 0 : 1;

	if (!(a0 | a1) || hg != group)
		return U32_MAX;
	gv->cpuif.ap[hg] &= ~BIT(min(b0, b1));
	if (intid >= 1020 && intid < GICV3_FIRST_LPI)
		return U32_MAX;
	if (gv->cpuif.ctlr & ICC_CTLR_EOIMODE)
		return U32_MAX;
	return gicv3_deactivate_locked(gv, intid, kick);
}

/* Make SGI @intid pending on @t if @mode allows its group */
static bool gicv3_sgi_one(struct gicv3_vcpu *t, u32 intid, bool any_group)
{
	struct gicv3_irq *irq = &t->priv[intid];

	if (!t->live || (irq->group1 && !any_group))
		return false;
	irq->pending_latch = true;
	gicv3_irq_update(t->chip, irq);
	return true;
}

static void gicv3_sgi_generate(struct gicv3_vcpu *gv, u64 val,
			       bool any_group)
{
	struct gicv3_chip *gic = gv->chip;
	struct gicv3_vcpu *kicks[16];
	u32 intid = SGIR_INTID(val), n = 0, i, aff;
	unsigned long flags, targets;

	raw_spin_lock_irqsave(&gic->lock, flags);
	if (val & SGIR_IRM) {
		for (i = 0; i < gic->nr_vcpus; i++)
			if (gic->vcpus[i] && gic->vcpus[i] != gv)
				gicv3_sgi_one(gic->vcpus[i], intid, any_group);
		raw_spin_unlock_irqrestore(&gic->lock, flags);
		gicv3_kick_all(gic);
		return;
	}
	targets = SGIR_TARGETS(val);
	for_each_set_bit(i, &targets, 16) {
		struct gicv3_vcpu *t;

		aff = SGIR_AFF3(val) << 24 | SGIR_AFF2(val) << 16 |
		      SGIR_AFF1(val) << 8 | (SGIR_RS(val) * 16 + i);
		t = gicv3_vcpu_by_aff(gic, aff);
		if (t && gicv3_sgi_one(t, intid, any_group))
			kicks[n++] = t;
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	for (i = 0; i < n; i++)
		gicv3_kick(kicks[i]);
}

/* Registers that hold state: the save/restore view */
static bool gicv3_icc_is_state(u32 reg)
{
	switch (reg) {
	case VIRQ_GICV3_ICC_PMR_EL1:
	case VIRQ_GICV3_ICC_BPR0_EL1:
	case VIRQ_GICV3_ICC_BPR1_EL1:
	case VIRQ_GICV3_ICC_AP0R_EL1(0) ... VIRQ_GICV3_ICC_AP0R_EL1(3):
	case VIRQ_GICV3_ICC_AP1R_EL1(0) ... VIRQ_GICV3_ICC_AP1R_EL1(3):
	case VIRQ_GICV3_ICC_CTLR_EL1:
	case VIRQ_GICV3_ICC_SRE_EL1:
	case VIRQ_GICV3_ICC_IGRPEN0_EL1:
	case VIRQ_GICV3_ICC_IGRPEN1_EL1:
		return true;
	}
	return false;
}

static bool gicv3_icc_known(u32 reg)
{
	switch (reg) {
	case VIRQ_GICV3_ICC_IAR0_EL1:
	case VIRQ_GICV3_ICC_EOIR0_EL1:
	case VIRQ_GICV3_ICC_HPPIR0_EL1:
	case VIRQ_GICV3_ICC_DIR_EL1:
	case VIRQ_GICV3_ICC_RPR_EL1:
	case VIRQ_GICV3_ICC_SGI1R_EL1:
	case VIRQ_GICV3_ICC_ASGI1R_EL1:
	case VIRQ_GICV3_ICC_SGI0R_EL1:
	case VIRQ_GICV3_ICC_IAR1_EL1:
	case VIRQ_GICV3_ICC_EOIR1_EL1:
	case VIRQ_GICV3_ICC_HPPIR1_EL1:
		return true;
	}
	return gicv3_icc_is_state(reg);
}

static u64 gicv3_icc_read_locked(struct gicv3_vcpu *gv, u32 reg,
				 struct gicv3_vcpu **kick)
{
	struct gicv3_irq *irq;
	bool g1;

	switch (reg) {
	case VIRQ_GICV3_ICC_PMR_EL1:
		return gv->cpuif.pmr;
	case VIRQ_GICV3_ICC_BPR0_EL1:
		return gv->cpuif.bpr0;
	case VIRQ_GICV3_ICC_BPR1_EL1:
		if (gv->cpuif.ctlr & ICC_CTLR_CBPR)
			return min(gv->cpuif.bpr0 + 1, 7);
		return gv->cpuif.bpr1;
	case VIRQ_GICV3_ICC_AP0R_EL1(0):
		return gv->cpuif.ap[0];
	case VIRQ_GICV3_ICC_AP1R_EL1(0):
		return gv->cpuif.ap[1];
	case VIRQ_GICV3_ICC_CTLR_EL1:
		return gicv3_icc_ctlr(gv);
	case VIRQ_GICV3_ICC_SRE_EL1:
		return ICC_SRE_VAL;
	case VIRQ_GICV3_ICC_IGRPEN0_EL1:
		return gv->cpuif.igrpen & 1;
	case VIRQ_GICV3_ICC_IGRPEN1_EL1:
		return (gv->cpuif.igrpen >> 1) & 1;
	case VIRQ_GICV3_ICC_RPR_EL1:
		return gicv3_running_prio(gv);
	case VIRQ_GICV3_ICC_HPPIR0_EL1:
	case VIRQ_GICV3_ICC_HPPIR1_EL1:
		irq = gicv3_hppi(gv);
		g1 = reg == VIRQ_GICV3_ICC_HPPIR1_EL1;
		if (!irq || irq->group1 != g1)
			return GICV3_SPURIOUS;
		return irq->intid;
	case VIRQ_GICV3_ICC_IAR0_EL1:
		return gicv3_ack_locked(gv, 0, kick);
	case VIRQ_GICV3_ICC_IAR1_EL1:
		return gicv3_ack_locked(gv, 1, kick);
	}
	return 0;	/* write-only registers, AP0R1-3, AP1R1-3: RAZ */
}

/* A write; returns the source whose EOI to notify, or U32_MAX */
static u32 gicv3_icc_write_locked(struct gicv3_vcpu *gv, u32 reg, u64 val,
				  struct gicv3_vcpu **kick, bool *irm)
{
	struct gicv3_cpuif *c = &gv->cpuif;
	u8 igrpen;

	switch (reg) {
	case VIRQ_GICV3_ICC_PMR_EL1:
		c->pmr = val & GICV3_PRI_MASK;
		*kick = gv;
		break;
	case VIRQ_GICV3_ICC_BPR0_EL1:
		c->bpr0 = max_t(u8, val & 7, GICV3_MIN_BPR0);
		*kick = gv;
		break;
	case VIRQ_GICV3_ICC_BPR1_EL1:
		if (!(c->ctlr & ICC_CTLR_CBPR))
			c->bpr1 = max_t(u8, val & 7, GICV3_MIN_BPR1);
		*kick = gv;
		break;
	case VIRQ_GICV3_ICC_AP0R_EL1(0):
		c->ap[0] = val;
		*kick = gv;
		break;
	case VIRQ_GICV3_ICC_AP1R_EL1(0):
		c->ap[1] = val;
		*kick = gv;
		break;
	case VIRQ_GICV3_ICC_CTLR_EL1:
		c->ctlr = val & ICC_CTLR_RW;
		*kick = gv;
		break;
	case VIRQ_GICV3_ICC_IGRPEN0_EL1:
	case VIRQ_GICV3_ICC_IGRPEN1_EL1:
		igrpen = BIT(reg == VIRQ_GICV3_ICC_IGRPEN1_EL1);
		if (val & 1)
			c->igrpen |= igrpen;
		else
			c->igrpen &= ~igrpen;
		*kick = gv;
		/* 1-of-N participation may have changed */
		*irm = gicv3_irm_refresh(gv);
		break;
	case VIRQ_GICV3_ICC_EOIR0_EL1:
		return gicv3_eoi_locked(gv, 0, val & 0xffffff, kick);
	case VIRQ_GICV3_ICC_EOIR1_EL1:
		return gicv3_eoi_locked(gv, 1, val & 0xffffff, kick);
	case VIRQ_GICV3_ICC_DIR_EL1:
		if (!(c->ctlr & ICC_CTLR_EOIMODE))
			break;
		return gicv3_deactivate_locked(gv, val & 0xffffff, kick);
	}
	return U32_MAX;
}

/* A restored value must be one the register can hold */
static int gicv3_icc_check_restore(struct gicv3_vcpu *gv, u32 reg, u64 val)
{
	switch (reg) {
	case VIRQ_GICV3_ICC_CTLR_EL1:
		if ((val & ~(u64)ICC_CTLR_RW) !=
		    (gicv3_icc_ctlr(gv) & ~(u64)ICC_CTLR_RW))
			return -EINVAL;
		return 0;
	case VIRQ_GICV3_ICC_SRE_EL1:
		return val == ICC_SRE_VAL ? 0 : -EINVAL;
	case VIRQ_GICV3_ICC_PMR_EL1:
		return val & ~(u64)GICV3_PRI_MASK ? -EINVAL : 0;
	case VIRQ_GICV3_ICC_BPR0_EL1:
	case VIRQ_GICV3_ICC_BPR1_EL1:
		return val > 7 ? -EINVAL : 0;
	case VIRQ_GICV3_ICC_AP0R_EL1(0):
	case VIRQ_GICV3_ICC_AP1R_EL1(0):
		return val > U32_MAX ? -EINVAL : 0;
	case VIRQ_GICV3_ICC_IGRPEN0_EL1:
	case VIRQ_GICV3_ICC_IGRPEN1_EL1:
		return val > 1 ? -EINVAL : 0;
	}
	/* AP0R1-3, AP1R1-3: RAZ/WI, 0 restores */
	return val ? -EINVAL : 0;
}

int gicv3_cpuif_access(struct gicv3_vcpu *gv, u32 sysreg, bool write,
		       u64 *data, bool uaccess)
{
	struct gicv3_chip *gic = gv->chip;
	struct gicv3_vcpu *kick = NULL;
	u32 notify = U32_MAX, intid = GICV3_SPURIOUS;
	unsigned long flags;
	bool irm = false;

	if (uaccess ? !gicv3_icc_is_state(sysreg) : !gicv3_icc_known(sysreg))
		return -ENXIO;
	if (write && uaccess) {
		int ret = gicv3_icc_check_restore(gv, sysreg, *data);

		if (ret)
			return ret;
	}

	if (write && (sysreg == VIRQ_GICV3_ICC_SGI1R_EL1 ||
		      sysreg == VIRQ_GICV3_ICC_SGI0R_EL1 ||
		      sysreg == VIRQ_GICV3_ICC_ASGI1R_EL1)) {
		gicv3_sgi_generate(gv, *data,
				   sysreg == VIRQ_GICV3_ICC_SGI1R_EL1);
		return 0;
	}

	raw_spin_lock_irqsave(&gic->lock, flags);
	if (write) {
		notify = gicv3_icc_write_locked(gv, sysreg, *data, &kick,
						&irm);
	} else {
		*data = gicv3_icc_read_locked(gv, sysreg, &kick);
		if (sysreg == VIRQ_GICV3_ICC_IAR0_EL1 ||
		    sysreg == VIRQ_GICV3_ICC_IAR1_EL1)
			intid = *data;
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);

	if (irm)
		gicv3_kick_all(gic);
	gicv3_kick(kick);
	/* EOIR: the running priority may have fallen, whoever else changed */
	if (write && kick != gv && (sysreg == VIRQ_GICV3_ICC_EOIR0_EL1 ||
				    sysreg == VIRQ_GICV3_ICC_EOIR1_EL1))
		gicv3_kick(gv);
	if (intid != GICV3_SPURIOUS)
		virq_trace_ack(gv->vcpu, intid);
	if (notify != U32_MAX) {
		virq_trace_eoi(gic->inst, notify);
		virq_notify_eoi(gic->inst, notify);
	}
	return 0;
}
