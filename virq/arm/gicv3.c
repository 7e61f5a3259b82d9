// SPDX-License-Identifier: GPL-2.0
/*
 * The GICv3 family: the interrupt state machine, delivery, injection,
 * state words, attributes and the glue into struct virq_chip_ops.  The
 * register frames are in gicv3-dist.c, gicv3-redist.c and gicv3-cpuif.c,
 * LPIs and the ITS in gicv3-lpi.c and gicv3-its.c.  gicv3.h describes
 * the delivery scheme and the locking order.
 *
 * Choices where the architecture leaves room (see also
 * Documentation/userspace-api/virq/devices/gicv3.rst):
 *  - Among candidates of equal priority the lowest INTID comes first, so
 *    that delivery after a restore does not depend on the order in which
 *    interrupts became pending (a restored chip's LPIs come back from the
 *    pending tables, where no order is kept).  Each ready list is kept
 *    in that order, so the highest priority pending interrupt is O(1).
 *  - The highest priority pending interrupt of a vCPU is chosen among
 *    the groups its ICC_IGRPEN<n>_EL1 enable: a disabled group does not
 *    hide a pending interrupt of the other.
 *  - A 1-of-N SPI (GICD_IROUTER.IRM) gets its target when it becomes
 *    pending: the next vCPU, round robin over vCPU indices from the one
 *    after the last choice, that participates (GICR_WAKER.ProcessorSleep
 *    clear and the SPI's group enabled in its ICC_IGRPEN<n>_EL1).  It
 *    keeps that target until it is neither pending nor active; if none
 *    participates it waits (a pending SPI whose target stops
 *    participating moves to another that does, if any).
 *  - VIRQ_LINE_EDGE sets the pending latch whatever the trigger mode;
 *    VIRQ_LINE_SET on an edge-triggered interrupt sets it when the line
 *    rises.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": gicv3: " fmt

#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "gicv3.h"

#define GICV3_WAKER_PS		BIT(1)
#define GICV3_WAKER_CA		BIT(2)

#define GICV3_SRC_WORD_KNOWN	(GENMASK_ULL(7, 3) | GENMASK_ULL(15, 8) | \
				 GENMASK_ULL(63, 32))

/* --- the state machine ---------------------------------------------------- */

struct gicv3_irq *gicv3_get_irq(struct gicv3_chip *gic,
				struct gicv3_vcpu *gv, u32 intid)
{
	if (intid < GICV3_NR_PRIVATE)
		return gv ? &gv->priv[intid] : NULL;
	if (intid < gic->nr_irqs && intid < 1020)
		return &gic->spis[intid - GICV3_NR_PRIVATE];
	if (intid >= GICV3_FIRST_LPI && gic->lpi_bits &&
	    intid < BIT(gic->lpi_bits))
		return xa_load(&gic->lpis, intid);
	return NULL;
}

u32 gicv3_irq_source(const struct gicv3_irq *irq)
{
	if (irq->edge)
		return U32_MAX;
	switch (irq->kind) {
	case GICV3_SPI:
		return irq->intid;
	case GICV3_PPI:
		return VIRQ_GICV3_SOURCE_PRIVATE(irq->owner->index, irq->intid);
	default:
		return U32_MAX;
	}
}

static bool gicv3_participates(const struct gicv3_vcpu *gv, int group)
{
	return gv && gv->live && !(gv->gicr_waker & GICV3_WAKER_PS) &&
	       (gv->cpuif.igrpen & BIT(group));
}

/*
 * The next participating vCPU for a 1-of-N SPI, round robin: a search of
 * the group's participation bitmap from irm_next.
 */
static struct gicv3_vcpu *gicv3_irm_choose(struct gicv3_chip *gic,
					   const struct gicv3_irq *irq)
{
	const unsigned long *map = gic->irm_vcpus[irq->group1];
	unsigned long idx;

	idx = find_next_bit(map, gic->nr_vcpus, gic->irm_next);
	if (idx >= gic->nr_vcpus)
		idx = find_first_bit(map, gic->nr_vcpus);
	if (idx >= gic->nr_vcpus)
		return NULL;
	gic->irm_next = (idx + 1) % gic->nr_vcpus;
	return gic->vcpus[idx];
}

bool gicv3_irm_refresh(struct gicv3_vcpu *gv)
{
	struct gicv3_chip *gic = gv->chip;
	bool changed = false, on;
	int g;

	lockdep_assert_held(&gic->lock);
	for (g = 0; g < 2; g++) {
		on = gicv3_participates(gv, g);
		if (on == test_bit(gv->index, gic->irm_vcpus[g]))
			continue;
		__assign_bit(gv->index, gic->irm_vcpus[g], on);
		changed = true;
	}
	if (!changed)
		return false;
	/*
	 * With nobody participating no 1-of-N SPI can move (one whose
	 * target stopped keeps it, waiting): nothing to re-evaluate.
	 */
	if (!bitmap_empty(gic->irm_vcpus[0], gic->nr_vcpus) ||
	    !bitmap_empty(gic->irm_vcpus[1], gic->nr_vcpus))
		gicv3_update_all(gic, true);
	return true;
}

static bool gicv3_group_on(const struct gicv3_chip *gic,
			   const struct gicv3_irq *irq)
{
	return irq->kind == GICV3_LPI || (gic->gicd_ctlr & BIT(irq->group1));
}

/*
 * Put @irq on ready list @head in its place: every list is in INTID order,
 * so its first entry is its best and the choice among equal priorities
 * depends on the state alone (a restored chip, whose LPIs come back from
 * the pending tables in INTID order, delivers as the original would).
 * SGIs, PPIs and SPIs are found from the head (the walk passes at most
 * the 1020 of them a vCPU can have); LPIs from the tail, so LPIs that
 * become pending in rising order (a pending-table scan, a device's
 * events) cost O(1), and one that arrives below k others of its vCPU,
 * group and priority costs k steps.
 */
static void gicv3_ready_insert(struct list_head *head, struct gicv3_irq *irq)
{
	struct gicv3_irq *it;

	if (irq->kind == GICV3_LPI) {
		list_for_each_entry_reverse(it, head, ready)
			if (it->kind != GICV3_LPI || it->intid < irq->intid)
				break;
		/* after @it (at the head if the walk ended) */
		list_add(&irq->ready, &it->ready);
		return;
	}
	list_for_each_entry(it, head, ready)
		if (it->kind == GICV3_LPI || it->intid > irq->intid)
			break;
	/* before @it (or at the tail if the walk ended) */
	list_add_tail(&irq->ready, &it->ready);
}

struct gicv3_vcpu *gicv3_irq_update(struct gicv3_chip *gic,
				    struct gicv3_irq *irq)
{
	struct gicv3_vcpu *old = irq->queued_on, *dst = NULL;
	bool pending = gicv3_irq_pending(irq);

	lockdep_assert_held(&gic->lock);

	if (irq->kind == GICV3_SPI && irq->irm) {
		if (!pending && !irq->active) {
			irq->target = NULL;
		} else if (pending && !irq->active &&
			   !gicv3_participates(irq->target, irq->group1)) {
			struct gicv3_vcpu *gv = gicv3_irm_choose(gic, irq);

			if (gv)
				irq->target = gv;
		}
	}

	if (pending && irq->enabled && !irq->active && irq->target &&
	    irq->target->live && gicv3_group_on(gic, irq))
		dst = irq->target;

	/* Already in place: keep it there (an LPI keeps its turn) */
	if (old && old == dst && irq->q_group == irq->group1 &&
	    irq->q_prio == irq->priority >> (8 - GICV3_PRI_BITS))
		return dst;
	if (old) {
		list_del_init(&irq->ready);
		if (list_empty(&old->ready[irq->q_group][irq->q_prio]))
			old->ready_map[irq->q_group] &= ~BIT(irq->q_prio);
	}
	if (dst) {
		irq->q_group = irq->group1;
		irq->q_prio = irq->priority >> (8 - GICV3_PRI_BITS);
		gicv3_ready_insert(&dst->ready[irq->q_group][irq->q_prio], irq);
		dst->ready_map[irq->q_group] |= BIT(irq->q_prio);
	}
	irq->queued_on = dst;
	return dst ? dst : old;
}

void gicv3_spi_retarget(struct gicv3_chip *gic, struct gicv3_irq *irq)
{
	lockdep_assert_held(&gic->lock);
	if (irq->irm)
		return;		/* chosen by gicv3_irq_update() */
	irq->target = gicv3_vcpu_by_aff(gic, irq->route);
}

void gicv3_kick(struct gicv3_vcpu *gv)
{
	struct virq_vcpu *vcpu;

	if (!gv)
		return;
	/* Only published vCPUs: one being created has no pollers yet. */
	vcpu = virq_get_vcpu(gv->chip->inst, gv->index);
	if (vcpu)
		virq_vcpu_kick(vcpu);
}

void gicv3_kick_all(struct gicv3_chip *gic)
{
	u32 i;

	for (i = 0; i < gic->nr_vcpus; i++)
		if (READ_ONCE(gic->vcpus[i]))
			gicv3_kick(gic->vcpus[i]);
}

struct gicv3_vcpu *gicv3_vcpu_by_aff(struct gicv3_chip *gic, u32 aff)
{
	return xa_load(&gic->by_aff, aff);
}

/*
 * Can re-evaluating @irq change anything?  Not if it is neither queued
 * nor pending: it cannot become a candidate, and a 1-of-N SPI neither
 * pending nor active already has no target.
 */
static bool gicv3_irq_may_move(const struct gicv3_irq *irq)
{
	return irq->queued_on || gicv3_irq_pending(irq);
}

void gicv3_update_all(struct gicv3_chip *gic, bool irm_only)
{
	struct gicv3_irq *irq;
	u32 i, j;

	lockdep_assert_held(&gic->lock);
	for (i = 0; i < gic->nr_irqs - GICV3_NR_PRIVATE; i++) {
		irq = &gic->spis[i];
		if ((!irm_only || irq->irm) && gicv3_irq_may_move(irq))
			gicv3_irq_update(gic, irq);
	}
	if (irm_only)
		return;
	for (i = 0; i < gic->nr_vcpus; i++) {
		struct gicv3_vcpu *gv = gic->vcpus[i];

		if (!gv || !gv->live)
			continue;
		for (j = 0; j < GICV3_NR_PRIVATE; j++)
			if (gicv3_irq_may_move(&gv->priv[j]))
				gicv3_irq_update(gic, &gv->priv[j]);
	}
}

struct gicv3_irq *gicv3_hppi(struct gicv3_vcpu *gv)
{
	struct gicv3_irq *best = NULL, *irq;
	int g;

	lockdep_assert_held(&gv->chip->lock);
	for (g = 0; g < 2; g++) {
		if (!(gv->cpuif.igrpen & BIT(g)) || !gv->ready_map[g])
			continue;
		/* each list is ordered: its first entry is its best */
		irq = list_first_entry(&gv->ready[g][__ffs(gv->ready_map[g])],
				       struct gicv3_irq, ready);
		/* equal priorities: group 0 holds no LPI, INTIDs decide */
		if (!best || irq->priority < best->priority ||
		    (irq->priority == best->priority &&
		     irq->intid < best->intid))
			best = irq;
	}
	return best;
}

bool gicv3_can_signal(struct gicv3_vcpu *gv, const struct gicv3_irq *irq)
{
	u8 mask = gicv3_gprio_mask(gv, irq->group1);
	u8 rpr = gicv3_running_prio(gv);

	if (irq->priority >= gv->cpuif.pmr)
		return false;
	/* idle, or a group priority above the running one (not subpriority) */
	return rpr == GICV3_IDLE_PRIO || (irq->priority & mask) < (rpr & mask);
}

int gicv3_irq_status(struct gicv3_chip *gic, struct gicv3_irq *irq,
		     bool was_pending)
{
	struct gicv3_vcpu *gv = irq->target;

	lockdep_assert_held(&gic->lock);
	if (!irq->enabled || !gicv3_group_on(gic, irq) || !gv ||
	    !(gv->cpuif.igrpen & BIT(irq->group1)))
		return VIRQ_STATUS_MASKED;
	if (was_pending || !irq->queued_on)
		return VIRQ_STATUS_COALESCED;
	if (gicv3_hppi(gv) != irq || !gicv3_can_signal(gv, irq))
		return VIRQ_STATUS_COALESCED;
	return 1;
}

/* --- injection ------------------------------------------------------------ */

struct gicv3_source {
	u32 type;
	u32 target;
	u32 intid;
};

static int gicv3_decode_source(struct gicv3_chip *gic, u32 source,
			       struct gicv3_source *s)
{
	s->type = source >> VIRQ_GICV3_SOURCE_TYPE_SHIFT;
	s->target = (source >> VIRQ_GICV3_SOURCE_TARGET_SHIFT) & 0xffff;
	s->intid = source & VIRQ_GICV3_SOURCE_INTID_MASK;

	switch (s->type) {
	case VIRQ_GICV3_SOURCE_TYPE_SPI:
		if (source < GICV3_NR_PRIVATE || source >= gic->nr_irqs ||
		    source >= 1020)
			return -EINVAL;
		s->intid = source;
		return 0;
	case VIRQ_GICV3_SOURCE_TYPE_PRIVATE:
	case VIRQ_GICV3_SOURCE_TYPE_RESIDENT:
		/* bits 11:10 are not part of any field */
		if (source & GENMASK(11, 10) || s->intid >= GICV3_NR_PRIVATE)
			return -EINVAL;
		if (s->type == VIRQ_GICV3_SOURCE_TYPE_PRIVATE &&
		    s->target >= gic->nr_vcpus)
			return -EINVAL;
		if (s->type == VIRQ_GICV3_SOURCE_TYPE_RESIDENT &&
		    s->intid < GICV3_NR_SGIS)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

static int gicv3_check_source(struct virq_instance *inst, u32 source)
{
	struct gicv3_source s;

	return gicv3_decode_source(gicv3_chip(inst), source, &s);
}

/*
 * The interrupt a decoded source names now (chip lock held): a RESIDENT
 * source is resolved against the resident map under the same lock as
 * the injection, so a LOAD or PUT is before or after it, never between.
 */
static struct gicv3_irq *gicv3_source_irq(struct gicv3_chip *gic,
					  const struct gicv3_source *s)
{
	struct gicv3_vcpu *gv;

	lockdep_assert_held(&gic->lock);
	switch (s->type) {
	case VIRQ_GICV3_SOURCE_TYPE_SPI:
		return &gic->spis[array_index_nospec(s->intid - GICV3_NR_PRIVATE,
						     gic->nr_irqs -
						     GICV3_NR_PRIVATE)];
	case VIRQ_GICV3_SOURCE_TYPE_PRIVATE:
		gv = gic->vcpus[array_index_nospec(s->target, gic->nr_vcpus)];
		break;
	default:
		gv = xa_load(&gic->resident, s->target);
		if (gv && gv->pcpu != s->target)
			gv = NULL;	/* a LOAD not yet committed */
		break;
	}
	if (!gv || !gv->live)
		return NULL;
	return &gv->priv[array_index_nospec(s->intid, GICV3_NR_PRIVATE)];
}

/* Drive @irq: chip lock held; returns the vCPU to kick */
static struct gicv3_vcpu *gicv3_drive_locked(struct gicv3_chip *gic,
					     struct gicv3_irq *irq, u32 op,
					     enum virq_driver driver,
					     int *status)
{
	bool was_pending = gicv3_irq_pending(irq);
	struct gicv3_vcpu *kick;

	switch (op) {
	case VIRQ_LINE_RESET:
		irq->level &= ~BIT(driver);
		break;
	case VIRQ_LINE_SET:
		if (irq->edge && !irq->level)
			irq->pending_latch = true;
		irq->level |= BIT(driver);
		break;
	default:
		irq->pending_latch = true;
		break;
	}
	kick = gicv3_irq_update(gic, irq);
	if (op == VIRQ_LINE_RESET)
		*status = VIRQ_STATUS_COALESCED;
	else
		*status = gicv3_irq_status(gic, irq, was_pending);
	return kick;
}

static int gicv3_set_irq(struct virq_instance *inst, u32 source, u32 op,
			 enum virq_driver driver, int *status)
{
	struct gicv3_chip *gic = gicv3_chip(inst);
	struct gicv3_vcpu *kick = NULL;
	struct gicv3_source s;
	struct gicv3_irq *irq;
	unsigned long flags;
	int ret = 0;

	ret = gicv3_decode_source(gic, source, &s);
	if (ret)
		return ret;
	/* SGIs are edge only: a GICR_ISPENDR0 write */
	if (s.intid < GICV3_NR_SGIS && op != VIRQ_LINE_EDGE)
		return -EINVAL;

	raw_spin_lock_irqsave(&gic->lock, flags);
	irq = gicv3_source_irq(gic, &s);
	if (irq)
		kick = gicv3_drive_locked(gic, irq, op, driver, status);
	else
		ret = -ESRCH;
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(kick);
	return ret;
}

/* GICD_SETSPI_NSR / GICD_CLRSPI_NSR (the guest's and an MSI's) */
int gicv3_setspi(struct gicv3_chip *gic, u32 intid, bool set, int *status)
{
	struct gicv3_vcpu *kick = NULL;
	struct gicv3_irq *irq;
	unsigned long flags;
	bool was_pending;

	if (intid < GICV3_NR_PRIVATE || intid >= gic->nr_irqs ||
	    intid >= 1020)
		return -EINVAL;
	irq = &gic->spis[intid - GICV3_NR_PRIVATE];
	raw_spin_lock_irqsave(&gic->lock, flags);
	was_pending = gicv3_irq_pending(irq);
	irq->pending_latch = set;
	kick = gicv3_irq_update(gic, irq);
	if (status)
		*status = set ? gicv3_irq_status(gic, irq, was_pending) :
				VIRQ_STATUS_COALESCED;
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(kick);
	return 0;
}

static bool gicv3_msi_is_its(struct gicv3_chip *gic,
			     const struct virq_msi_msg *msg)
{
	return gic->its &&
	       msg->address == gic->its_base + VIRQ_GICV3_GITS_TRANSLATER;
}

static int gicv3_check_msi(struct virq_instance *inst,
			   const struct virq_msi_msg *msg)
{
	struct gicv3_chip *gic = gicv3_chip(inst);

	if (gicv3_msi_is_its(gic, msg))
		return msg->has_devid ? 0 : -EINVAL;
	/* SETSPI_NSR: the data must name an SPI */
	if (msg->address == gic->dist_base + VIRQ_GICV3_GICD_SETSPI_NSR &&
	    msg->data >= GICV3_NR_PRIVATE && msg->data < gic->nr_irqs &&
	    msg->data < 1020)
		return 0;
	return -EINVAL;
}

static int gicv3_signal_msi(struct virq_instance *inst,
			    const struct virq_msi_msg *msg, int *status)
{
	struct gicv3_chip *gic = gicv3_chip(inst);
	int ret = gicv3_check_msi(inst, msg);

	if (ret)
		return ret;
	if (gicv3_msi_is_its(gic, msg))
		return gicv3_its_translate(gic, msg->devid, msg->data, status);
	return gicv3_setspi(gic, msg->data, true, status);
}

/* --- state words ------------------------------------------------------------ */

static u64 gicv3_irq_word(const struct gicv3_irq *irq)
{
	u64 w = irq->priority;

	if (irq->enabled)
		w |= VIRQ_GICV3_SRC_ENABLED;
	if (irq->pending_latch)
		w |= VIRQ_GICV3_SRC_PENDING;
	if (irq->active)
		w |= VIRQ_GICV3_SRC_ACTIVE;
	if (irq->edge)
		w |= VIRQ_GICV3_SRC_EDGE;
	if (irq->group1)
		w |= VIRQ_GICV3_SRC_GROUP1;
	if (irq->level & BIT(VIRQ_DRIVER_USER))
		w |= VIRQ_GICV3_SRC_LEVEL_USER;
	if (irq->level & BIT(VIRQ_DRIVER_RESAMPLE))
		w |= VIRQ_GICV3_SRC_LEVEL_RESAMPLE;
	if (irq->kind == GICV3_SPI) {
		if (irq->irm)
			w |= VIRQ_GICV3_SRC_IRM;
		w |= (u64)irq->route << VIRQ_GICV3_SRC_ROUTE_SHIFT;
	}
	return w;
}

/* Can @w be the word of INTID @intid?  (kind decides the RO bits) */
static bool gicv3_word_ok(u32 intid, u64 w)
{
	u64 level = VIRQ_GICV3_SRC_LEVEL_USER | VIRQ_GICV3_SRC_LEVEL_RESAMPLE;

	if (w & ~GICV3_SRC_WORD_KNOWN)
		return false;
	if (intid >= 1020)
		return !w;	/* not an interrupt */
	if (intid >= GICV3_NR_PRIVATE)
		return true;
	if (w & (VIRQ_GICV3_SRC_IRM | GENMASK_ULL(63, 32)))
		return false;
	if (intid < GICV3_NR_SGIS)	/* SGIs: edge, no line */
		return (w & VIRQ_GICV3_SRC_EDGE) && !(w & level);
	return !(w & VIRQ_GICV3_SRC_EDGE);	/* PPIs: level (as KVM) */
}

static void gicv3_irq_set_word(struct gicv3_chip *gic, struct gicv3_irq *irq,
			       u64 w)
{
	irq->priority = w & GICV3_PRI_MASK;
	irq->enabled = w & VIRQ_GICV3_SRC_ENABLED;
	irq->pending_latch = w & VIRQ_GICV3_SRC_PENDING;
	irq->active = w & VIRQ_GICV3_SRC_ACTIVE;
	if (!irq->active)
		irq->active_prio_vcpu = NULL;
	irq->edge = w & VIRQ_GICV3_SRC_EDGE;
	irq->group1 = w & VIRQ_GICV3_SRC_GROUP1;
	irq->level = 0;
	if (w & VIRQ_GICV3_SRC_LEVEL_USER)
		irq->level |= BIT(VIRQ_DRIVER_USER);
	if (w & VIRQ_GICV3_SRC_LEVEL_RESAMPLE)
		irq->level |= BIT(VIRQ_DRIVER_RESAMPLE);
	if (irq->kind == GICV3_SPI) {
		irq->irm = w & VIRQ_GICV3_SRC_IRM;
		irq->route = w >> VIRQ_GICV3_SRC_ROUTE_SHIFT;
		if (irq->irm) {
			/* an active 1-of-N SPI is with nobody yet */
			if (!irq->active)
				irq->target = NULL;
		} else {
			gicv3_spi_retarget(gic, irq);
		}
	}
	gicv3_irq_update(gic, irq);
}

static int gicv3_get_sources(struct virq_instance *inst, u32 first, u32 count,
			     u64 *words)
{
	struct gicv3_chip *gic = gicv3_chip(inst);
	unsigned long flags;
	u32 i;

	if (first < GICV3_NR_PRIVATE)
		return -EINVAL;
	raw_spin_lock_irqsave(&gic->lock, flags);
	for (i = 0; i < count; i++) {
		u32 intid = first + i;

		words[i] = intid < 1020 ?
			   gicv3_irq_word(&gic->spis[intid - 32]) : 0;
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	return 0;
}

static int gicv3_set_sources(struct virq_instance *inst, u32 first, u32 count,
			     const u64 *words)
{
	struct gicv3_chip *gic = gicv3_chip(inst);
	unsigned long flags;
	u32 i;

	if (first < GICV3_NR_PRIVATE)
		return -EINVAL;
	for (i = 0; i < count; i++)
		if (!gicv3_word_ok(first + i, words[i]))
			return -EINVAL;
	raw_spin_lock_irqsave(&gic->lock, flags);
	for (i = 0; i < count; i++)
		if (first + i < 1020)
			gicv3_irq_set_word(gic, &gic->spis[first + i - 32],
					   words[i]);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick_all(gic);
	return 0;
}

/* --- vCPU calls, outputs, acknowledge, register access --------------------- */

static int gicv3_call_load(struct gicv3_vcpu *gv, u64 pcpu)
{
	struct gicv3_chip *gic = gv->chip;
	unsigned long flags;
	int ret;

	if (pcpu > VIRQ_GICV3_MAX_PCPU)
		return -EINVAL;
	mutex_lock(&gic->resident_lock);
	ret = -EBUSY;
	if (gv->pcpu >= 0 || xa_load(&gic->resident, pcpu))
		goto out;
	ret = xa_err(xa_store(&gic->resident, pcpu, gv, GFP_KERNEL_ACCOUNT));
	if (ret)
		goto out;
	raw_spin_lock_irqsave(&gic->lock, flags);
	gv->pcpu = pcpu;	/* commits the LOAD for injections */
	raw_spin_unlock_irqrestore(&gic->lock, flags);
out:
	mutex_unlock(&gic->resident_lock);
	return ret;
}

static int gicv3_call_put(struct gicv3_vcpu *gv)
{
	struct gicv3_chip *gic = gv->chip;
	unsigned long flags;
	int ret = 0, pcpu;

	mutex_lock(&gic->resident_lock);
	pcpu = gv->pcpu;
	if (pcpu < 0) {
		ret = -EINVAL;
		goto out;
	}
	raw_spin_lock_irqsave(&gic->lock, flags);
	gv->pcpu = -1;		/* commits the PUT for injections */
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	xa_erase(&gic->resident, pcpu);
out:
	mutex_unlock(&gic->resident_lock);
	return ret;
}

static int gicv3_vcpu_call(struct virq_vcpu *vcpu, struct virq_call_args *call)
{
	struct gicv3_vcpu *gv = vcpu->priv;
	int ret;

	switch (call->nr) {
	case VIRQ_GICV3_CALL_LOAD:
		if (call->args[1] || call->args[2] || call->args[3] ||
		    call->args[4] || call->args[5])
			return -EINVAL;
		ret = gicv3_call_load(gv, call->args[0]);
		break;
	case VIRQ_GICV3_CALL_PUT:
		if (memchr_inv(call->args, 0, sizeof(call->args)))
			return -EINVAL;
		ret = gicv3_call_put(gv);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (!ret)
		call->ret = 0;
	return ret;
}

static u32 gicv3_vcpu_output(struct virq_vcpu *vcpu, u32 *sipi_vector)
{
	return gicv3_cpuif_output(vcpu->priv);
}

static int gicv3_vcpu_ack(struct virq_vcpu *vcpu, u32 event, u64 *id)
{
	if (event)
		return -EINVAL;
	*id = gicv3_cpuif_ack(vcpu->priv, 1);
	return 0;
}

static bool gicv3_in(u64 addr, u64 base, u64 size)
{
	return addr >= base && addr - base < size;
}

static int gicv3_vcpu_access(struct virq_vcpu *vcpu, u32 space, u64 addr,
			     u32 len, bool write, u64 *data)
{
	struct gicv3_vcpu *gv = vcpu->priv;
	struct gicv3_chip *gic = gv->chip;

	if (space == VIRQ_SPACE_SYSREG) {
		if (len != 8)
			return -EINVAL;
		if (addr > U32_MAX)
			return -ENXIO;
		return gicv3_cpuif_access(gv, addr, write, data, false);
	}
	if (space != VIRQ_SPACE_MMIO)
		return -ENXIO;

	if (gicv3_in(addr, gic->dist_base, VIRQ_GICV3_DIST_SIZE))
		return gicv3_dist_access(gic, addr - gic->dist_base, len,
					 write, data, false);
	if (gicv3_in(addr, gic->redist_base,
		     (u64)gic->nr_vcpus * VIRQ_GICV3_REDIST_SIZE)) {
		u64 rel = addr - gic->redist_base;
		u32 idx = array_index_nospec(rel / VIRQ_GICV3_REDIST_SIZE,
					     gic->nr_vcpus);
		struct gicv3_vcpu *rd = READ_ONCE(gic->vcpus[idx]);

		if (!rd || !READ_ONCE(rd->live))
			return -ENXIO;
		return gicv3_redist_access(rd, rel % VIRQ_GICV3_REDIST_SIZE,
					   len, write, data, false);
	}
	if (gic->its && gicv3_in(addr, gic->its_base, VIRQ_GICV3_ITS_SIZE))
		return gicv3_its_access(gic, addr - gic->its_base, len, write,
					data, false);
	return -ENXIO;
}

bool gicv3_reg_width_ok(const struct virq_reg_frame *frame, u32 offset,
			u32 len)
{
	const struct virq_reg_region *r = virq_reg_find(frame, offset);

	if (!r)
		return true;
	return (r->access & (len == 1 ? VIRQ_REG_ACCESS_8 :
			     len == 2 ? VIRQ_REG_ACCESS_16 :
			     len == 4 ? VIRQ_REG_ACCESS_32 :
			     len == 8 ? VIRQ_REG_ACCESS_64 : 0)) &&
	       !(offset & (len - 1)) && offset + len <= r->offset + r->len;
}

/* --- attributes -------------------------------------------------------------- */

/* One register of a frame through its save/restore path */
static int gicv3_reg_attr(u32 width, void *buf, u32 *size, bool write,
			  int (*access)(void *obj, u32 off, u32 len, bool write,
					u64 *val),
			  void *obj, u64 attr)
{
	u64 val = 0;
	int ret;

	if (attr > U32_MAX)
		return -ENXIO;
	if (!write) {
		if (*size < width) {
			*size = width;
			return -ENOSPC;
		}
		*size = width;
		ret = access(obj, attr, width, false, &val);
		if (!ret)
			memcpy(buf, &val, width);
		return ret;
	}
	if (*size != width)
		return -EINVAL;
	memcpy(&val, buf, width);
	return access(obj, attr, width, true, &val);
}

static int gicv3_dist_uaccess(void *obj, u32 off, u32 len, bool write,
			      u64 *val)
{
	return gicv3_dist_access(obj, off, len, write, val, true);
}

static int gicv3_redist_uaccess(void *obj, u32 off, u32 len, bool write,
				u64 *val)
{
	return gicv3_redist_access(obj, off, len, write, val, true);
}

static int gicv3_its_uaccess(void *obj, u32 off, u32 len, bool write,
			     u64 *val)
{
	return gicv3_its_access(obj, off, len, write, val, true);
}

static int gicv3_cpuif_uaccess(void *obj, u32 off, u32 len, bool write,
			       u64 *val)
{
	return gicv3_cpuif_access(obj, off, write, val, true);
}

static int gicv3_attr(struct virq_instance *inst, u32 group, u64 attr,
		      void *buf, u32 *size, bool write)
{
	struct gicv3_chip *gic = gicv3_chip(inst);
	int width;

	switch (group) {
	case VIRQ_GICV3_GRP_DIST_REGS:
		if (attr >= VIRQ_GICV3_DIST_SIZE)
			return -ENXIO;
		return gicv3_reg_attr(gicv3_dist_reg_width(attr), buf, size,
				      write, gicv3_dist_uaccess, gic, attr);
	case VIRQ_GICV3_GRP_ITS_REGS:
		if (!gic->its)
			return -ENXIO;
		width = gicv3_its_reg_size(gic, attr);
		if (width < 0)
			return width;
		return gicv3_reg_attr(width, buf, size, write,
				      gicv3_its_uaccess, gic, attr);
	case VIRQ_GICV3_GRP_CTRL:
		if (!write)
			return -ENXIO;
		if (*size)
			return -EINVAL;
		switch (attr) {
		case VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES:
			if (!gic->lpi_bits)
				return -ENXIO;
			return gicv3_lpi_save_pending(gic);
		case VIRQ_GICV3_CTRL_ITS_SAVE_TABLES:
			if (!gic->its)
				return -ENXIO;
			return gicv3_its_save_tables(gic);
		case VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES:
			if (!gic->its)
				return -ENXIO;
			return gicv3_its_restore_tables(gic);
		}
		return -ENXIO;
	}
	return -ENXIO;
}

static int gicv3_get_attr(struct virq_instance *inst, u32 group, u64 attr,
			  void *buf, u32 *size)
{
	return gicv3_attr(inst, group, attr, buf, size, false);
}

static int gicv3_set_attr(struct virq_instance *inst, u32 group, u64 attr,
			  const void *buf, u32 size)
{
	return gicv3_attr(inst, group, attr, (void *)buf, &size, true);
}

static int gicv3_has_attr(struct virq_instance *inst, u32 group, u64 attr)
{
	struct gicv3_chip *gic = gicv3_chip(inst);
	u64 val;

	switch (group) {
	case VIRQ_GICV3_GRP_DIST_REGS:
		if (attr >= VIRQ_GICV3_DIST_SIZE)
			return -ENXIO;
		return gicv3_dist_access(gic, attr,
					 gicv3_dist_reg_width(attr), false,
					 &val, true) ? -ENXIO : 0;
	case VIRQ_GICV3_GRP_ITS_REGS:
		if (!gic->its || gicv3_its_reg_size(gic, attr) < 0)
			return -ENXIO;
		return 0;
	case VIRQ_GICV3_GRP_CTRL:
		if (attr == VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES)
			return gic->lpi_bits ? 0 : -ENXIO;
		if (attr == VIRQ_GICV3_CTRL_ITS_SAVE_TABLES ||
		    attr == VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES)
			return gic->its ? 0 : -ENXIO;
		return -ENXIO;
	}
	return -ENXIO;
}

#define GICV3_PRIVATE_SIZE	(GICV3_NR_PRIVATE * sizeof(u64))

static int gicv3_private_get(struct gicv3_vcpu *gv, void *buf, u32 *size)
{
	struct gicv3_chip *gic = gv->chip;
	u64 words[GICV3_NR_PRIVATE];
	unsigned long flags;
	u32 i;

	if (*size < GICV3_PRIVATE_SIZE) {
		*size = GICV3_PRIVATE_SIZE;
		return -ENOSPC;
	}
	*size = GICV3_PRIVATE_SIZE;
	raw_spin_lock_irqsave(&gic->lock, flags);
	for (i = 0; i < GICV3_NR_PRIVATE; i++)
		words[i] = gicv3_irq_word(&gv->priv[i]);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	memcpy(buf, words, sizeof(words));
	return 0;
}

static int gicv3_private_set(struct gicv3_vcpu *gv, const void *buf,
			     u32 size)
{
	struct gicv3_chip *gic = gv->chip;
	u64 words[GICV3_NR_PRIVATE];
	unsigned long flags;
	u32 i;

	if (size != GICV3_PRIVATE_SIZE)
		return -EINVAL;
	memcpy(words, buf, sizeof(words));
	for (i = 0; i < GICV3_NR_PRIVATE; i++)
		if (!gicv3_word_ok(i, words[i]))
			return -EINVAL;
	raw_spin_lock_irqsave(&gic->lock, flags);
	for (i = 0; i < GICV3_NR_PRIVATE; i++)
		gicv3_irq_set_word(gic, &gv->priv[i], words[i]);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(gv);
	return 0;
}

static int gicv3_vcpu_attr(struct virq_vcpu *vcpu, u32 group, u64 attr,
			   void *buf, u32 *size, bool write)
{
	struct gicv3_vcpu *gv = vcpu->priv;

	switch (group) {
	case VIRQ_GICV3_VGRP_REDIST_REGS:
		if (attr >= VIRQ_GICV3_REDIST_SIZE)
			return -ENXIO;
		return gicv3_reg_attr(gicv3_redist_reg_width(attr), buf, size,
				      write, gicv3_redist_uaccess, gv, attr);
	case VIRQ_GICV3_VGRP_CPU_SYSREGS:
		return gicv3_reg_attr(8, buf, size, write, gicv3_cpuif_uaccess,
				      gv, attr);
	case VIRQ_GICV3_VGRP_PRIVATE:
		if (attr)
			return -ENXIO;
		return write ? gicv3_private_set(gv, buf, *size) :
			       gicv3_private_get(gv, buf, size);
	}
	return -ENXIO;
}

static int gicv3_vcpu_get_attr(struct virq_vcpu *vcpu, u32 group, u64 attr,
			       void *buf, u32 *size)
{
	return gicv3_vcpu_attr(vcpu, group, attr, buf, size, false);
}

static int gicv3_vcpu_set_attr(struct virq_vcpu *vcpu, u32 group, u64 attr,
			       const void *buf, u32 size)
{
	return gicv3_vcpu_attr(vcpu, group, attr, (void *)buf, &size, true);
}

static int gicv3_vcpu_has_attr(struct virq_vcpu *vcpu, u32 group, u64 attr)
{
	struct gicv3_vcpu *gv = vcpu->priv;
	u64 val;

	switch (group) {
	case VIRQ_GICV3_VGRP_REDIST_REGS:
		if (attr >= VIRQ_GICV3_REDIST_SIZE)
			return -ENXIO;
		return gicv3_redist_access(gv, attr,
					   gicv3_redist_reg_width(attr), false,
					   &val, true) ? -ENXIO : 0;
	case VIRQ_GICV3_VGRP_CPU_SYSREGS:
		if (attr > U32_MAX)
			return -ENXIO;
		return gicv3_cpuif_access(gv, attr, false, &val, true) ?
		       -ENXIO : 0;
	case VIRQ_GICV3_VGRP_PRIVATE:
		return attr ? -ENXIO : 0;
	}
	return -ENXIO;
}

/* --- creation ----------------------------------------------------------------- */

static void gicv3_irq_init(struct gicv3_irq *irq, u32 intid, u8 kind,
			   struct gicv3_vcpu *owner)
{
	memset(irq, 0, sizeof(*irq));
	irq->intid = intid;
	irq->kind = kind;
	irq->owner = owner;
	irq->target = owner;
	/* KVM's vgic-v3 reset: group 1, SGIs enabled and edge, PPIs level */
	irq->group1 = true;
	irq->edge = kind == GICV3_SGI;
	irq->enabled = kind == GICV3_SGI;
	INIT_LIST_HEAD(&irq->ready);
}

static bool gicv3_range_ok(u64 base, u64 size)
{
	u64 end;

	return !(base & (VIRQ_GICV3_DIST_SIZE - 1)) && !check_add_overflow(base, size, &end);
}

static bool gicv3_overlap(u64 a, u64 asize, u64 b, u64 bsize)
{
	return a < b + bsize && b < a + asize;
}

static int gicv3_check_options(const struct virq_config *cfg,
			       const struct virq_gicv3_options *o,
			       u64 *dist, u64 *redist, u64 *its)
{
	u64 rsize = (u64)cfg->nr_vcpus * VIRQ_GICV3_REDIST_SIZE;
	bool lpis = o->flags & (VIRQ_GICV3_OPT_LPIS | VIRQ_GICV3_OPT_ITS);
	bool has_its = o->flags & VIRQ_GICV3_OPT_ITS;

	if (o->flags & ~VIRQ_GICV3_OPT_ALL ||
	    memchr_inv(o->reserved, 0, sizeof(o->reserved)))
		return -EINVAL;
	if (lpis ? o->lpi_bits && (o->lpi_bits < 14 || o->lpi_bits > 20) :
		   o->lpi_bits)
		return -EINVAL;
	if (!has_its && o->its_base)
		return -EINVAL;
	if (cfg->nr_sources % 32 || cfg->nr_sources < 64 ||
	    cfg->nr_sources > VIRQ_GICV3_MAX_SOURCES ||
	    cfg->nr_vcpus > GICV3_MAX_VCPUS)
		return -EINVAL;

	*dist = o->dist_base ? o->dist_base : VIRQ_GICV3_DEFAULT_DIST_BASE;
	*redist = o->redist_base ? o->redist_base :
				   VIRQ_GICV3_DEFAULT_REDIST_BASE;
	*its = has_its ? (o->its_base ? o->its_base :
				       VIRQ_GICV3_DEFAULT_ITS_BASE) : 0;
	if (!gicv3_range_ok(*dist, VIRQ_GICV3_DIST_SIZE) ||
	    !gicv3_range_ok(*redist, rsize) ||
	    (has_its && !gicv3_range_ok(*its, VIRQ_GICV3_ITS_SIZE)))
		return -EINVAL;
	if (gicv3_overlap(*dist, VIRQ_GICV3_DIST_SIZE, *redist, rsize))
		return -EINVAL;
	if (has_its &&
	    (gicv3_overlap(*its, VIRQ_GICV3_ITS_SIZE, *redist, rsize) ||
	     gicv3_overlap(*its, VIRQ_GICV3_ITS_SIZE, *dist,
			   VIRQ_GICV3_DIST_SIZE)))
		return -EINVAL;
	return 0;
}

static void gicv3_free(struct gicv3_chip *gic)
{
	u32 i;

	if (gic->vcpus)
		for (i = 0; i < gic->nr_vcpus; i++)
			kfree(gic->vcpus[i]);
	kvfree(gic->vcpus);
	kvfree(gic->spis);
	bitmap_free(gic->irm_vcpus[0]);
	bitmap_free(gic->irm_vcpus[1]);
	xa_destroy(&gic->by_aff);
	xa_destroy(&gic->resident);
	xa_destroy(&gic->lpis);
	mutex_destroy(&gic->resident_lock);
	kfree(gic);
}

static int gicv3_create(struct virq_instance *inst,
			const struct virq_config *cfg)
{
	static const struct virq_gicv3_options none;
	const struct virq_gicv3_options *o = cfg->options ? cfg->options :
							    &none;
	u64 dist, redist, its;
	struct gicv3_chip *gic;
	u32 i;
	int ret;

	ret = gicv3_check_options(cfg, o, &dist, &redist, &its);
	if (ret)
		return ret;

	gic = kzalloc(sizeof(*gic), GFP_KERNEL_ACCOUNT);
	if (!gic)
		return -ENOMEM;
	raw_spin_lock_init(&gic->lock);
	mutex_init(&gic->resident_lock);
	xa_init(&gic->by_aff);
	xa_init(&gic->resident);
	xa_init(&gic->lpis);
	gic->inst = inst;
	gic->nr_irqs = cfg->nr_sources;
	gic->nr_vcpus = cfg->nr_vcpus;
	gic->flags = o->flags;
	if (gic->flags & VIRQ_GICV3_OPT_ITS)
		gic->flags |= VIRQ_GICV3_OPT_LPIS;
	if (gic->flags & VIRQ_GICV3_OPT_LPIS)
		gic->lpi_bits = o->lpi_bits ? o->lpi_bits : 16;
	gic->dist_base = dist;
	gic->redist_base = redist;
	gic->its_base = its;

	ret = -ENOMEM;
	gic->spis = kvcalloc(gic->nr_irqs - GICV3_NR_PRIVATE,
			     sizeof(*gic->spis), GFP_KERNEL_ACCOUNT);
	gic->vcpus = kvcalloc(gic->nr_vcpus, sizeof(*gic->vcpus),
			      GFP_KERNEL_ACCOUNT);
	gic->irm_vcpus[0] = bitmap_zalloc(gic->nr_vcpus, GFP_KERNEL_ACCOUNT);
	gic->irm_vcpus[1] = bitmap_zalloc(gic->nr_vcpus, GFP_KERNEL_ACCOUNT);
	if (!gic->spis || !gic->vcpus || !gic->irm_vcpus[0] ||
	    !gic->irm_vcpus[1])
		goto out_free;
	for (i = 0; i < gic->nr_irqs - GICV3_NR_PRIVATE; i++)
		gicv3_irq_init(&gic->spis[i], i + GICV3_NR_PRIVATE,
			       GICV3_SPI, NULL);
	ret = gicv3_dist_init(gic);
	if (ret)
		goto out_free;

	if (gic->lpi_bits) {
		ret = gicv3_lpi_init(gic);
		if (ret)
			goto out_free;
	}
	if (gic->flags & VIRQ_GICV3_OPT_ITS) {
		ret = gicv3_its_init(gic);
		if (ret)
			goto out_lpi;
	}
	virq_view(inst)->chip = gic;
	return 0;

out_lpi:
	if (gic->lpi_bits)
		gicv3_lpi_destroy(gic);
out_free:
	gicv3_free(gic);
	return ret;
}

/* The vCPUs' state is the chip's: vcpu_destroy runs after this. */
static void gicv3_destroy(struct virq_instance *inst)
{
	struct gicv3_chip *gic = gicv3_chip(inst);
	u32 i;

	if (gic->its)
		gicv3_its_destroy(gic);
	if (gic->lpi_bits) {
		/* parked vCPUs too: they keep their (empty) LPI state */
		for (i = 0; i < gic->nr_vcpus; i++)
			if (gic->vcpus[i])
				gicv3_lpi_vcpu_destroy(gic->vcpus[i]);
		gicv3_lpi_destroy(gic);
	}
	gicv3_free(gic);
	virq_view(inst)->chip = NULL;
}

static void gicv3_vcpu_reset(struct gicv3_vcpu *gv)
{
	u32 i, g, p;

	for (i = 0; i < GICV3_NR_PRIVATE; i++)
		gicv3_irq_init(&gv->priv[i], i,
			       i < GICV3_NR_SGIS ? GICV3_SGI : GICV3_PPI, gv);
	for (g = 0; g < 2; g++) {
		for (p = 0; p < GICV3_NR_PRIOS; p++)
			INIT_LIST_HEAD(&gv->ready[g][p]);
		gv->ready_map[g] = 0;
	}
	gicv3_cpuif_reset(gv);
	gv->gicr_ctlr = 0;
	/* The architecture's reset: asleep until the guest wakes it */
	gv->gicr_waker = GICV3_WAKER_PS | GICV3_WAKER_CA;
	gv->propbaser = 0;
	gv->pendbaser = 0;
	gv->pcpu = -1;
}

/*
 * A vCPU's state lives as long as the chip: a vCPU whose creation fails
 * after this (the core could not make its fd) leaves it parked, not
 * live, for the next attempt at that index; an injection that picked it
 * as a target before that can still kick it safely.
 */
static int gicv3_vcpu_create(struct virq_vcpu *vcpu)
{
	struct gicv3_chip *gic = gicv3_chip(vcpu->inst);
	struct gicv3_vcpu *gv = gic->vcpus[vcpu->index];
	bool fresh = !gv;
	unsigned long flags;
	u32 i, aff;
	int ret;

	if (vcpu->arch_id & ~VIRQ_GICV3_MPIDR_MASK)
		return -EINVAL;
	aff = gicv3_mpidr_to_aff(vcpu->arch_id);

	if (fresh) {
		gv = kzalloc(sizeof(*gv), GFP_KERNEL_ACCOUNT);
		if (!gv)
			return -ENOMEM;
	}
	raw_spin_lock_irqsave(&gic->lock, flags);
	gv->vcpu = vcpu;
	gv->chip = gic;
	gv->index = vcpu->index;
	gv->aff = aff;
	gicv3_vcpu_reset(gv);
	gicv3_irm_refresh(gv);	/* not live: participates in nothing */
	raw_spin_unlock_irqrestore(&gic->lock, flags);

	if (gic->lpi_bits) {
		ret = gicv3_lpi_vcpu_init(gv);
		if (ret)
			goto out_free;
	}
	/* The core checked that arch_id, hence the affinity, is unique. */
	ret = xa_insert(&gic->by_aff, aff, gv, GFP_KERNEL_ACCOUNT);
	if (ret) {
		ret = ret == -EBUSY ? -EEXIST : ret;
		goto out_lpi;
	}

	raw_spin_lock_irqsave(&gic->lock, flags);
	gic->vcpus[vcpu->index] = gv;
	gv->live = true;
	for (i = 0; i < gic->nr_irqs - GICV3_NR_PRIVATE; i++) {
		struct gicv3_irq *irq = &gic->spis[i];

		if (!irq->irm && irq->route == aff) {
			gicv3_spi_retarget(gic, irq);
			gicv3_irq_update(gic, irq);
		}
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	vcpu->priv = gv;
	if (!fresh)
		gicv3_its_vcpu_live(gic, gv);
	return 0;

out_lpi:
	/* A parked vCPU keeps its LPI state (gicv3_destroy() frees it) */
	if (gic->lpi_bits && fresh)
		gicv3_lpi_vcpu_destroy(gv);
out_free:
	if (fresh)
		kfree(gv);
	return ret;
}

static void gicv3_vcpu_destroy(struct virq_vcpu *vcpu)
{
	struct gicv3_chip *gic = gicv3_chip(vcpu->inst);
	struct gicv3_vcpu *gv = vcpu->priv;
	unsigned long flags;
	u32 i;

	vcpu->priv = NULL;
	if (!gic || !gv)
		return;		/* teardown: gicv3_destroy() freed it */

	/* VIRQ_CREATE_VCPU failed after gicv3_vcpu_create(): unpublish */
	xa_erase(&gic->by_aff, gv->aff);
	mutex_lock(&gic->resident_lock);
	if (gv->pcpu >= 0)
		xa_erase(&gic->resident, gv->pcpu);
	raw_spin_lock_irqsave(&gic->lock, flags);
	gv->live = false;
	gv->pcpu = -1;
	gicv3_irm_refresh(gv);
	for (i = 0; i < gic->nr_irqs - GICV3_NR_PRIVATE; i++) {
		struct gicv3_irq *irq = &gic->spis[i];

		if (irq->target == gv) {
			irq->target = NULL;
			gicv3_spi_retarget(gic, irq);
		}
		gicv3_irq_update(gic, irq);
	}
	for (i = 0; i < GICV3_NR_PRIVATE; i++)
		gicv3_irq_update(gic, &gv->priv[i]);
	/* Its LPIs lose their target; gv->lpi lives until gicv3_destroy() */
	if (gic->lpi_bits)
		gicv3_lpi_vcpu_detach_locked(gv);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	mutex_unlock(&gic->resident_lock);
}

/* --- debugfs ---------------------------------------------------------------- */

static void gicv3_show(struct virq_instance *inst, struct seq_file *m)
{
	struct gicv3_chip *gic = gicv3_chip(inst);
	unsigned long flags;
	u32 i, j;

	seq_printf(m, "gicv3: %u irqs, %u vcpus, flags %#x, lpi_bits %u\n",
		   gic->nr_irqs, gic->nr_vcpus, gic->flags, gic->lpi_bits);
	seq_printf(m, "dist %#llx redist %#llx its %#llx\n", gic->dist_base,
		   gic->redist_base, gic->its_base);
	raw_spin_lock_irqsave(&gic->lock, flags);
	seq_printf(m, "GICD_CTLR %#x\n", gic->gicd_ctlr);
	for (i = 0; i < gic->nr_vcpus; i++) {
		struct gicv3_vcpu *gv = gic->vcpus[i];

		if (!gv || !gv->live)
			continue;
		/* Columns: PMR BPR0 BPR1 CTLR IGRPEN AP0R0 AP1R0 */
		seq_printf(m,
			   "vcpu %u aff %#x pcpu %d waker %#x: %02x %u %u %x %x %08x %08x\n",
			   i, gv->aff, gv->pcpu, gv->gicr_waker, gv->cpuif.pmr,
			   gv->cpuif.bpr0, gv->cpuif.bpr1, gv->cpuif.ctlr,
			   gv->cpuif.igrpen, gv->cpuif.ap[0], gv->cpuif.ap[1]);
		for (j = 0; j < GICV3_NR_PRIVATE; j++) {
			struct gicv3_irq *irq = &gv->priv[j];

			if (gicv3_irq_pending(irq) || irq->active)
				seq_printf(m, "  intid %u: word %#llx%s\n", j,
					   gicv3_irq_word(irq),
					   irq->queued_on ? " queued" : "");
		}
	}
	for (i = 0; i < gic->nr_irqs - GICV3_NR_PRIVATE; i++) {
		struct gicv3_irq *irq = &gic->spis[i];

		if (!gicv3_irq_pending(irq) && !irq->active && !irq->enabled)
			continue;
		seq_printf(m, "spi %u: word %#llx target %d%s\n", irq->intid,
			   gicv3_irq_word(irq),
			   irq->target ? (int)irq->target->index : -1,
			   irq->queued_on ? " queued" : "");
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	if (gic->its)
		gicv3_its_show(gic, m);
}

const struct virq_chip_ops virq_gicv3_ops = {
	.family			= VIRQ_FAMILY_GICV3,
	.name			= "gicv3",
	.max_vcpus		= GICV3_MAX_VCPUS,
	.max_sources		= VIRQ_GICV3_MAX_SOURCES,
	.features		= VIRQ_GICV3_FEATURE_ITS |
				  VIRQ_GICV3_FEATURE_LPIS |
				  VIRQ_GICV3_FEATURE_RESIDENT,
	.source_word_version	= VIRQ_GICV3_SOURCE_WORD_VERSION,
	.options_size		= sizeof(struct virq_gicv3_options),

	.create			= gicv3_create,
	.destroy		= gicv3_destroy,
	.vcpu_create		= gicv3_vcpu_create,
	.vcpu_destroy		= gicv3_vcpu_destroy,

	.set_irq		= gicv3_set_irq,
	.signal_msi		= gicv3_signal_msi,
	.check_msi		= gicv3_check_msi,
	.check_source		= gicv3_check_source,

	.get_sources		= gicv3_get_sources,
	.set_sources		= gicv3_set_sources,
	.get_attr		= gicv3_get_attr,
	.set_attr		= gicv3_set_attr,
	.has_attr		= gicv3_has_attr,

	.vcpu_output		= gicv3_vcpu_output,
	.vcpu_ack		= gicv3_vcpu_ack,
	.vcpu_access		= gicv3_vcpu_access,
	.vcpu_call		= gicv3_vcpu_call,
	.vcpu_get_attr		= gicv3_vcpu_get_attr,
	.vcpu_set_attr		= gicv3_vcpu_set_attr,
	.vcpu_has_attr		= gicv3_vcpu_has_attr,

	.show			= gicv3_show,
};
