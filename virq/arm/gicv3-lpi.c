// SPDX-License-Identifier: GPL-2.0
/*
 * GICv3 LPIs: the interrupts 8192..2^lpi_bits-1 that live in tables in
 * guest memory, made pending by the ITS (gicv3-its.c) or directly
 * through GICR_SETLPIR.
 *
 * Objects.  An LPI exists as a struct gicv3_lpi (embedding the struct
 * gicv3_irq that delivery works on) in gic->lpis, keyed by INTID, from
 * the moment something needs its state: an ITE maps it (MAPTI, MAPI,
 * ITS table restore), GICR_SETLPIR makes it pending, or the pending
 * table holds its bit when the redistributor enables LPIs.  The ITS
 * holds one reference per ITE that maps it; when the last ITE goes
 * (DISCARD, MAPD with V=0, a table invalidated) the LPI goes too, with
 * its pending state (KVM does the same).  The others live as long as
 * the chip: at most 2^lpi_bits - 8192 of them.
 *
 * Objects are allocated with GFP_KERNEL_ACCOUNT (the guest drives every
 * allocation: charged to the VMM's memory cgroup) outside the chip lock
 * and inserted with xa_insert() (a racing creator loses and retries the
 * lookup); they die under the chip lock (@dead, off every list), leave
 * the xarray, and are freed after an RCU grace period, so that the
 * atomic injection path, which finds them under the chip lock through
 * the ITS's translation cache or ITEs, never sees freed memory.  Every
 * LPI with a target is on that vCPU's list (struct gicv3_lpi_vcpu), so
 * INVALL, MOVALL, EnableLPIs and the pending-table save walk only the
 * LPIs of one redistributor.
 *
 * Configuration.  Priority and enable come from the property table
 * (GICR_PROPBASER) when an LPI is created and on INV, INVALL,
 * GICR_INVLPIR, GICR_INVALLR and EnableLPIs 0 -> 1; injection never
 * reads guest memory.  As KVM, one property table serves the whole chip
 * (GICR_TYPER.CommonLPIAff = 0 tells the guest that all redistributors
 * share one): the PROPBASER of the lowest-numbered redistributor with
 * EnableLPIs set or, while none has, of the lowest-numbered one with a
 * non-zero PROPBASER.  The rule is a function of register state only,
 * so a restored chip picks the same table.  Its IDbits bound the LPIs
 * together with lpi_bits (gicv3_lpi_limit()).
 *
 * Pending state.  The pending table (GICR_PENDBASER, one bit per INTID,
 * the first 1 KiB for INTIDs 0-8191 unused) is read when EnableLPIs goes
 * 0 -> 1 and PENDBASER.PTZ is 0: every set bit makes its LPI pending on
 * that redistributor, creating it if needed (as the architecture says:
 * the table is the pending state), and the consumed bits are cleared in
 * guest memory so that a stale bit never comes back.  The table is
 * written only by VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES: the whole table
 * of every redistributor with EnableLPIs set (KVM writes only the bits
 * of the LPIs that exist).
 *
 * LPIs are group 1 and edge-triggered: only the pending latch is used.
 * An LPI is dropped (not latched) when its target has EnableLPIs clear;
 * direct-LPI register writes to such a redistributor are ignored.
 *
 * Deviation from the architecture: GICR_CLRLPIR and a pending LPI whose
 * property-table enable is clear behave as the spec says, but the
 * redistributor never writes pending bits back on its own: the table is
 * only meaningful after SAVE_PENDING_TABLES (the spec allows an
 * implementation to cache pending state).
 */
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "gicv3.h"

/**
 * struct gicv3_lpi - one LPI
 * @irq: the delivery state (first: gic->lpis stores &@irq)
 * @node: link in the target's struct gicv3_lpi_vcpu.lpis (chip lock)
 * @refs: ITEs that map this LPI (chip lock)
 * @dead: out of gic->lpis or about to be; ignore it (chip lock)
 * @rcu: deferred free
 */
struct gicv3_lpi {
	struct gicv3_irq irq;
	struct list_head node;
	u32 refs;
	bool dead;
	struct rcu_head rcu;
};

/**
 * struct gicv3_lpi_vcpu - per-redistributor LPI state (gicv3_vcpu.lpi)
 * @lpis: LPIs whose target is this vCPU (chip lock)
 * @nr_lpis: entries on @lpis (chip lock)
 */
struct gicv3_lpi_vcpu {
	struct list_head lpis;
	u32 nr_lpis;
};

static inline struct gicv3_lpi *to_lpi(struct gicv3_irq *irq)
{
	return container_of(irq, struct gicv3_lpi, irq);
}

static inline struct gicv3_lpi_vcpu *lpi_vcpu(struct gicv3_vcpu *gv)
{
	return gv->lpi;
}

/* --- tables in guest memory ------------------------------------------ */

/* Bytes of a table read or written at a time */
#define LPI_WINDOW	512

/**
 * struct lpi_window - a cached window of a table in guest memory
 * @inst: the instance whose memory it is
 * @base: guest-physical address of @buf[0]
 * @len: valid bytes in @buf (0: nothing cached)
 * @dirty: @buf was changed and must be written back
 * @buf: the bytes
 */
struct lpi_window {
	struct virq_instance *inst;
	u64 base;
	u32 len;
	bool dirty;
	u8 buf[LPI_WINDOW];
};

static int lpi_window_flush(struct lpi_window *w)
{
	int ret = 0;

	if (w->len && w->dirty)
		ret = virq_guest_write(w->inst, w->base, w->buf, w->len);
	w->dirty = false;
	return ret;
}

/*
 * Point @w at the byte at @gpa: the window starts there (or, if that
 * range crosses the end of guest memory, holds that byte alone).
 */
static int lpi_window_byte(struct lpi_window *w, u64 gpa, u8 **byte)
{
	int ret;

	if (!w->len || gpa < w->base || gpa - w->base >= w->len) {
		ret = lpi_window_flush(w);
		w->base = gpa;
		w->len = LPI_WINDOW;
		if (virq_guest_read(w->inst, gpa, w->buf, w->len)) {
			w->len = 1;
			if (virq_guest_read(w->inst, gpa, w->buf, 1)) {
				w->len = 0;
				return -EFAULT;
			}
		}
		if (ret)
			return ret;
	}
	*byte = &w->buf[gpa - w->base];
	return 0;
}

/* The chip's property table (see the header comment); 0 if none */
static u64 lpi_propbaser(struct gicv3_chip *gic)
{
	u64 first = 0;
	u32 i;

	for (i = 0; i < gic->nr_vcpus; i++) {
		struct gicv3_vcpu *gv = READ_ONCE(gic->vcpus[i]);
		u64 prop;

		if (!gv)
			continue;
		prop = READ_ONCE(gv->propbaser);
		if (READ_ONCE(gv->gicr_ctlr) & GICV3_LPI_CTLR_ENABLE)
			return prop;
		if (prop && !first)
			first = prop;
	}
	return first;
}

static u32 lpi_limit_of(struct gicv3_chip *gic, u64 propbaser)
{
	u32 bits = (propbaser & GICV3_LPI_PROPBASER_IDBITS) + 1;

	return 1U << min(bits, gic->lpi_bits);
}

/**
 * gicv3_lpi_limit() - the first INTID beyond the LPIs that can exist now
 * @gic: the chip
 *
 * The property table's GICR_PROPBASER.IDbits and the chip's lpi_bits
 * both bound the LPIs; with IDbits below 13 there are none.
 *
 * Return: the bound (8192 or less: no LPI).
 */
u32 gicv3_lpi_limit(struct gicv3_chip *gic)
{
	if (!gic->lpi_bits)
		return 0;
	return lpi_limit_of(gic, lpi_propbaser(gic));
}

/* Read LPI @intid's property byte into *@prop */
static int lpi_read_prop(struct gicv3_chip *gic, u64 propbaser, u32 intid,
			 u8 *prop)
{
	if (intid < GICV3_FIRST_LPI || intid >= lpi_limit_of(gic, propbaser))
		return -EINVAL;
	return virq_guest_read(gic->inst, (propbaser & GICV3_LPI_PROPBASER_ADDR) +
			       intid - GICV3_FIRST_LPI, prop, 1);
}

/* Apply a property byte (chip lock held); returns the vCPU to kick */
static struct gicv3_vcpu *lpi_apply_prop(struct gicv3_chip *gic,
					 struct gicv3_irq *irq, u8 prop)
{
	lockdep_assert_held(&gic->lock);
	irq->priority = prop & GICV3_LPI_PROP_PRIORITY & GICV3_PRI_MASK;
	irq->enabled = prop & GICV3_LPI_PROP_ENABLE;
	return gicv3_irq_update(gic, irq);
}

/* --- objects ------------------------------------------------------------ */

static struct gicv3_lpi *lpi_alloc(u32 intid, u8 prop)
{
	struct gicv3_lpi *lpi = kzalloc(sizeof(*lpi), GFP_KERNEL_ACCOUNT);

	if (!lpi)
		return NULL;
	lpi->irq.intid = intid;
	lpi->irq.kind = GICV3_LPI;
	lpi->irq.edge = true;
	lpi->irq.group1 = true;
	lpi->irq.priority = prop & GICV3_LPI_PROP_PRIORITY & GICV3_PRI_MASK;
	lpi->irq.enabled = prop & GICV3_LPI_PROP_ENABLE;
	INIT_LIST_HEAD(&lpi->irq.ready);
	INIT_LIST_HEAD(&lpi->node);
	return lpi;
}

/*
 * Take the chip lock and find LPI @intid alive, or NULL if it does not
 * exist.  Returns with the lock held either way.
 */
static struct gicv3_lpi *lpi_find_locked(struct gicv3_chip *gic, u32 intid,
					 unsigned long *flags)
	__acquires(&gic->lock)
{
	struct gicv3_irq *irq;

	for (;;) {
		rcu_read_lock();
		irq = xa_load(&gic->lpis, intid);
		raw_spin_lock_irqsave(&gic->lock, *flags);
		rcu_read_unlock();
		if (!irq || !to_lpi(irq)->dead)
			return irq ? to_lpi(irq) : NULL;
		/* Its killer erases it from the xarray right after. */
		raw_spin_unlock_irqrestore(&gic->lock, *flags);
		cond_resched();
	}
}

/* Create LPI @intid unless it exists (process context, no lock held) */
static int lpi_create(struct gicv3_chip *gic, u32 intid)
{
	struct gicv3_lpi *lpi;
	int ret;
	u8 prop;

	if (xa_load(&gic->lpis, intid))
		return 0;
	ret = lpi_read_prop(gic, lpi_propbaser(gic), intid, &prop);
	if (ret)
		return ret;
	lpi = lpi_alloc(intid, prop);
	if (!lpi)
		return -ENOMEM;
	ret = xa_insert(&gic->lpis, intid, &lpi->irq, GFP_KERNEL_ACCOUNT);
	if (ret)
		kfree(lpi);
	/* Someone else's won the race: use theirs */
	return ret == -EBUSY ? 0 : ret;
}

/**
 * gicv3_lpi_get_locked() - find or create an LPI and take the chip lock
 * @gic: the chip
 * @intid: the LPI's INTID
 * @flags: where the saved IRQ flags go
 *
 * Process context, no lock held.  A new LPI has no target, is not
 * pending and has the configuration of its property table entry.
 * Returns with the chip lock held, also on error.
 *
 * Return: the LPI, or an ERR_PTR (-EINVAL: beyond gicv3_lpi_limit();
 * -EFAULT: the property table cannot be read; -ENOMEM).
 */
struct gicv3_irq *gicv3_lpi_get_locked(struct gicv3_chip *gic, u32 intid,
				       unsigned long *flags)
	__acquires(&gic->lock)
{
	struct gicv3_lpi *lpi;
	int ret;

	for (;;) {
		ret = lpi_create(gic, intid);
		if (ret) {
			raw_spin_lock_irqsave(&gic->lock, *flags);
			return ERR_PTR(ret);
		}
		/* It may die between its creation and here: then again */
		lpi = lpi_find_locked(gic, intid, flags);
		if (lpi)
			return &lpi->irq;
		raw_spin_unlock_irqrestore(&gic->lock, *flags);
	}
}

/**
 * gicv3_lpi_ref_locked() - an ITE now maps @irq
 * @irq: an LPI
 */
void gicv3_lpi_ref_locked(struct gicv3_irq *irq)
{
	to_lpi(irq)->refs++;
}

/*
 * Take @lpi off every list and mark it dead (chip lock held).  Returns
 * the vCPU that may have been showing it, to kick.
 */
static struct gicv3_vcpu *lpi_kill_locked(struct gicv3_chip *gic,
					  struct gicv3_lpi *lpi)
{
	lockdep_assert_held(&gic->lock);
	lpi->dead = true;
	lpi->irq.pending_latch = false;
	lpi->irq.enabled = false;
	return gicv3_lpi_retarget_locked(gic, &lpi->irq, NULL);
}

/**
 * gicv3_lpi_unref() - an ITE stopped mapping @irq
 * @gic: the chip
 * @irq: an LPI the caller's ITE referenced
 *
 * The last reference frees the LPI (after a grace period), pending
 * state and all.  Process context, no lock held; the caller has
 * invalidated every translation that could lead to @irq.
 */
void gicv3_lpi_unref(struct gicv3_chip *gic, struct gicv3_irq *irq)
{
	struct gicv3_lpi *lpi = to_lpi(irq);
	struct gicv3_vcpu *kick = NULL;
	unsigned long flags;
	bool kill;

	raw_spin_lock_irqsave(&gic->lock, flags);
	if (WARN_ON_ONCE(!lpi->refs))
		lpi->refs = 1;
	kill = !--lpi->refs;
	if (kill)
		kick = lpi_kill_locked(gic, lpi);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(kick);
	if (kill) {
		xa_erase(&gic->lpis, irq->intid);
		kfree_rcu(lpi, rcu);
	}
}

/**
 * gicv3_lpi_retarget_locked() - deliver @irq to @gv from now on
 * @gic: the chip
 * @irq: an LPI
 * @gv: the new target, NULL for none
 *
 * Return: the vCPU to kick after dropping the chip lock, or NULL.
 */
struct gicv3_vcpu *gicv3_lpi_retarget_locked(struct gicv3_chip *gic,
					     struct gicv3_irq *irq,
					     struct gicv3_vcpu *gv)
{
	struct gicv3_lpi *lpi = to_lpi(irq);
	struct gicv3_vcpu *old = irq->target, *kick;

	lockdep_assert_held(&gic->lock);
	/* A vCPU being destroyed (or parked) takes no LPI */
	if (gv && !gv->live)
		gv = NULL;
	if (old == gv)
		return gicv3_irq_update(gic, irq);
	if (old) {
		list_del_init(&lpi->node);
		lpi_vcpu(old)->nr_lpis--;
	}
	if (gv) {
		list_add_tail(&lpi->node, &lpi_vcpu(gv)->lpis);
		lpi_vcpu(gv)->nr_lpis++;
	}
	irq->target = gv;
	kick = gicv3_irq_update(gic, irq);
	/* Taken off a vCPU's list: that vCPU's outputs may drop */
	return kick ? kick : old;
}

/**
 * gicv3_lpi_inject_locked() - make @irq pending
 * @gic: the chip
 * @irq: an LPI
 * @status: the virq_irq_line.status of the injection
 *
 * An LPI without a target, or whose target has EnableLPIs clear, is
 * dropped (VIRQ_STATUS_MASKED); a disabled one is latched.
 *
 * Return: the vCPU to kick after dropping the chip lock, or NULL.
 */
struct gicv3_vcpu *gicv3_lpi_inject_locked(struct gicv3_chip *gic,
					   struct gicv3_irq *irq,
					   int *status)
{
	struct gicv3_vcpu *kick;
	bool was_pending;

	lockdep_assert_held(&gic->lock);
	if (to_lpi(irq)->dead || !irq->target ||
	    !(READ_ONCE(irq->target->gicr_ctlr) & GICV3_LPI_CTLR_ENABLE)) {
		*status = VIRQ_STATUS_MASKED;
		return NULL;
	}
	was_pending = irq->pending_latch;
	irq->pending_latch = true;
	kick = gicv3_irq_update(gic, irq);
	*status = gicv3_irq_status(gic, irq, was_pending);
	return kick;
}

/**
 * gicv3_lpi_inject() - make @irq pending (the ITS's translation)
 * @gic: the chip
 * @irq: an LPI the caller keeps alive (RCU or an ITE reference)
 * @status: the virq_irq_line.status of the injection
 *
 * Atomic: never touches guest memory.
 *
 * Return: 0.
 */
int gicv3_lpi_inject(struct gicv3_chip *gic, struct gicv3_irq *irq,
		     int *status)
{
	struct gicv3_vcpu *kick;
	unsigned long flags;

	raw_spin_lock_irqsave(&gic->lock, flags);
	kick = gicv3_lpi_inject_locked(gic, irq, status);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(kick);
	return 0;
}

/* --- redistributor hooks ---------------------------------------------- */

static bool lpi_enabled(struct gicv3_vcpu *gv)
{
	return READ_ONCE(gv->gicr_ctlr) & GICV3_LPI_CTLR_ENABLE;
}

/**
 * gicv3_lpi_set() - GICR_SETLPIR (@pending) or GICR_CLRLPIR of @gv
 * @gv: the redistributor written
 * @intid: the register's pINTID
 * @pending: SETLPIR rather than CLRLPIR
 *
 * SETLPIR creates the LPI if needed; an LPI no ITE maps moves to @gv.
 * Writes while @gv's EnableLPIs is clear, and INTIDs beyond
 * gicv3_lpi_limit(), are ignored.
 *
 * Return: 0, or -ENOMEM / -EFAULT (the write is then lost, as a guest
 * write that cannot complete).
 */
int gicv3_lpi_set(struct gicv3_vcpu *gv, u32 intid, bool pending)
{
	struct gicv3_chip *gic = gv->chip;
	struct gicv3_vcpu *kick = NULL, *kick2 = NULL;
	struct gicv3_lpi *lpi;
	struct gicv3_irq *irq;
	unsigned long flags;
	int status;

	if (!lpi_enabled(gv) || intid < GICV3_FIRST_LPI ||
	    intid >= gicv3_lpi_limit(gic))
		return 0;
	if (!pending) {
		lpi = lpi_find_locked(gic, intid, &flags);
		if (lpi) {
			lpi->irq.pending_latch = false;
			kick = gicv3_irq_update(gic, &lpi->irq);
		}
		raw_spin_unlock_irqrestore(&gic->lock, flags);
		gicv3_kick(kick);
		return 0;
	}
	irq = gicv3_lpi_get_locked(gic, intid, &flags);
	if (IS_ERR(irq)) {
		raw_spin_unlock_irqrestore(&gic->lock, flags);
		return PTR_ERR(irq) == -EINVAL ? 0 : PTR_ERR(irq);
	}
	if (!to_lpi(irq)->refs)
		kick = gicv3_lpi_retarget_locked(gic, irq, gv);
	kick2 = gicv3_lpi_inject_locked(gic, irq, &status);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(kick);
	if (kick2 != kick)
		gicv3_kick(kick2);
	return 0;
}

/* Re-read LPI @intid's configuration if it still exists */
static void lpi_reload_intid(struct gicv3_chip *gic, u32 intid, u8 prop)
{
	struct gicv3_vcpu *kick = NULL;
	struct gicv3_lpi *lpi;
	unsigned long flags;

	lpi = lpi_find_locked(gic, intid, &flags);
	if (lpi)
		kick = lpi_apply_prop(gic, &lpi->irq, prop);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(kick);
}

/**
 * gicv3_lpi_inv() - GICR_INVLPIR: re-read one LPI's configuration
 * @gv: the redistributor written
 * @intid: the LPI
 *
 * Return: 0, or -EFAULT if the property table cannot be read.
 */
int gicv3_lpi_inv(struct gicv3_vcpu *gv, u32 intid)
{
	struct gicv3_chip *gic = gv->chip;
	u64 propbaser = lpi_propbaser(gic);
	int ret;
	u8 prop;

	if (!lpi_enabled(gv) || intid < GICV3_FIRST_LPI ||
	    intid >= lpi_limit_of(gic, propbaser))
		return 0;
	ret = lpi_read_prop(gic, propbaser, intid, &prop);
	if (ret)
		return ret;
	lpi_reload_intid(gic, intid, prop);
	return 0;
}

/**
 * gicv3_lpi_reload() - INV: re-read @irq's configuration
 * @gic: the chip
 * @irq: an LPI the caller keeps alive (an ITE reference)
 *
 * Return: 0, or -EFAULT if the property table cannot be read.
 */
int gicv3_lpi_reload(struct gicv3_chip *gic, struct gicv3_irq *irq)
{
	struct gicv3_vcpu *kick;
	unsigned long flags;
	int ret;
	u8 prop;

	ret = lpi_read_prop(gic, lpi_propbaser(gic), irq->intid, &prop);
	if (ret)
		return ret;
	raw_spin_lock_irqsave(&gic->lock, flags);
	kick = lpi_apply_prop(gic, irq, prop);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(kick);
	return 0;
}

static int lpi_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The INTIDs of the LPIs targeting @gv, sorted, in a kmalloc'ed array
 * (*@intids; NULL when there are none).  Returns their number or
 * -ENOMEM.
 */
static int lpi_snapshot(struct gicv3_vcpu *gv, u32 **intids)
{
	struct gicv3_chip *gic = gv->chip;
	struct gicv3_lpi *lpi;
	unsigned long flags;
	u32 n, i = 0, *ids;

	*intids = NULL;
	n = READ_ONCE(lpi_vcpu(gv)->nr_lpis);
	if (!n)
		return 0;
	ids = kmalloc_array(n, sizeof(*ids), GFP_KERNEL_ACCOUNT);
	if (!ids)
		return -ENOMEM;
	raw_spin_lock_irqsave(&gic->lock, flags);
	list_for_each_entry(lpi, &lpi_vcpu(gv)->lpis, node) {
		if (i == n)
			break;
		ids[i++] = lpi->irq.intid;
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	sort(ids, i, sizeof(*ids), lpi_cmp_u32, NULL);
	*intids = ids;
	return i;
}

/* Re-read the configuration of every LPI targeting @gv */
static int lpi_reload_vcpu(struct gicv3_vcpu *gv)
{
	struct gicv3_chip *gic = gv->chip;
	u64 propbaser = lpi_propbaser(gic);
	u32 limit = lpi_limit_of(gic, propbaser);
	struct lpi_window *w;
	int i, n, ret = 0;
	u32 *ids;
	u8 *prop;

	n = lpi_snapshot(gv, &ids);
	if (n <= 0)
		return n;
	w = kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w) {
		kfree(ids);
		return -ENOMEM;
	}
	w->inst = gic->inst;
	for (i = 0; i < n; i++) {
		if (ids[i] >= limit)
			break;
		if (lpi_window_byte(w, (propbaser & GICV3_LPI_PROPBASER_ADDR) +
				    ids[i] - GICV3_FIRST_LPI, &prop)) {
			ret = -EFAULT;
			continue;
		}
		lpi_reload_intid(gic, ids[i], *prop);
	}
	kfree(w);
	kfree(ids);
	return ret;
}

/**
 * gicv3_lpi_invall() - GICR_INVALLR (and the ITS's INVALL)
 * @gv: the redistributor
 *
 * Re-reads the configuration of every LPI targeting @gv.
 *
 * Return: 0, -ENOMEM, or -EFAULT if part of the property table cannot
 * be read (the rest is applied).
 */
int gicv3_lpi_invall(struct gicv3_vcpu *gv)
{
	return lpi_reload_vcpu(gv);
}

/* Make LPI @intid pending on @gv from its pending-table bit */
static int lpi_pend_from_table(struct gicv3_vcpu *gv, u32 intid)
{
	struct gicv3_chip *gic = gv->chip;
	struct gicv3_vcpu *kick = NULL, *kick2;
	struct gicv3_irq *irq;
	unsigned long flags;
	int status;

	irq = gicv3_lpi_get_locked(gic, intid, &flags);
	if (IS_ERR(irq)) {
		raw_spin_unlock_irqrestore(&gic->lock, flags);
		return PTR_ERR(irq);
	}
	if (!to_lpi(irq)->refs && !irq->target)
		kick = gicv3_lpi_retarget_locked(gic, irq, gv);
	kick2 = gicv3_lpi_inject_locked(gic, irq, &status);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(kick);
	if (kick2 != kick)
		gicv3_kick(kick2);
	return 0;
}

/*
 * Read @gv's pending table: every set bit below the LPI limit makes its
 * LPI pending and is cleared in guest memory.
 */
static int lpi_read_pending(struct gicv3_vcpu *gv)
{
	struct gicv3_chip *gic = gv->chip;
	u64 base = READ_ONCE(gv->pendbaser) & GICV3_LPI_PENDBASER_ADDR;
	u32 limit = gicv3_lpi_limit(gic);
	struct lpi_window *w;
	int ret = 0, err;
	u32 byte, bit;
	u8 *p;

	if (limit <= GICV3_FIRST_LPI)
		return 0;
	w = kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w)
		return -ENOMEM;
	w->inst = gic->inst;
	for (byte = GICV3_FIRST_LPI / 8; byte < limit / 8; byte++) {
		if (lpi_window_byte(w, base + byte, &p)) {
			ret = -EFAULT;
			break;
		}
		if (!*p)
			continue;
		for (bit = 0; bit < 8; bit++) {
			if (!(*p & BIT(bit)))
				continue;
			err = lpi_pend_from_table(gv, byte * 8 + bit);
			if (err) {
				ret = err;
				continue;
			}
			*p &= ~BIT(bit);
			w->dirty = true;
		}
		cond_resched();
	}
	err = lpi_window_flush(w);
	kfree(w);
	return ret ? ret : err;
}

/**
 * gicv3_lpi_enable() - GICR_CTLR.EnableLPIs of @gv went from 0 to 1
 * @gv: the redistributor
 *
 * Reads the pending table (unless GICR_PENDBASER.PTZ), then the
 * configuration of every LPI targeting @gv.
 *
 * Return: 0, -ENOMEM, or -EFAULT when a table cannot be read (what
 * could be read is applied).
 */
int gicv3_lpi_enable(struct gicv3_vcpu *gv)
{
	int ret = 0, err;

	if (!(READ_ONCE(gv->pendbaser) & GICV3_LPI_PENDBASER_PTZ))
		ret = lpi_read_pending(gv);
	err = lpi_reload_vcpu(gv);
	return ret ? ret : err;
}

/**
 * gicv3_lpi_move_all() - MOVALL: retarget every LPI of @from to @to
 * @from: the old redistributor
 * @to: the new one
 */
void gicv3_lpi_move_all(struct gicv3_vcpu *from, struct gicv3_vcpu *to)
{
	struct gicv3_chip *gic = from->chip;
	struct gicv3_lpi *lpi, *tmp;
	unsigned long flags;

	if (from == to)
		return;
	raw_spin_lock_irqsave(&gic->lock, flags);
	list_for_each_entry_safe(lpi, tmp, &lpi_vcpu(from)->lpis, node)
		gicv3_lpi_retarget_locked(gic, &lpi->irq, to);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(from);
	gicv3_kick(to);
}

/* --- SAVE_PENDING_TABLES ----------------------------------------------- */

/*
 * @gv's pending table as it should be: the bits of the LPIs pending on
 * @gv, in @buf, which holds the table from INTID 8192 to @limit.
 */
static void lpi_pending_bits(struct gicv3_vcpu *gv, u8 *buf, u32 limit)
{
	struct gicv3_chip *gic = gv->chip;
	struct gicv3_lpi *lpi;
	unsigned long flags;
	u32 bit;

	raw_spin_lock_irqsave(&gic->lock, flags);
	list_for_each_entry(lpi, &lpi_vcpu(gv)->lpis, node) {
		if (!lpi->irq.pending_latch || lpi->irq.intid >= limit)
			continue;
		bit = lpi->irq.intid - GICV3_FIRST_LPI;
		buf[bit / 8] |= BIT(bit % 8);
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);
}

/**
 * gicv3_lpi_save_pending() - VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES
 * @gic: the chip
 *
 * Writes the pending table of every redistributor with EnableLPIs set
 * (the tables the redistributors own), from INTID 8192 to the LPI
 * bound: the bit of every LPI pending there, 0 for every other INTID
 * (KVM writes only the bits of the LPIs that exist: a stale bit of an
 * LPI that went away would come back pending at the next EnableLPIs).
 * The first 1 KiB of each table is not touched.
 *
 * Return: 0, -ENOMEM, or -EFAULT if a table is not in guest memory.
 */
int gicv3_lpi_save_pending(struct gicv3_chip *gic)
{
	u32 limit = gicv3_lpi_limit(gic), bytes, v;
	int ret = 0;
	u8 *buf;

	if (limit <= GICV3_FIRST_LPI)
		return 0;
	bytes = (limit - GICV3_FIRST_LPI) / 8;
	buf = kvmalloc(bytes, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	for (v = 0; v < gic->nr_vcpus && !ret; v++) {
		struct gicv3_vcpu *gv = READ_ONCE(gic->vcpus[v]);
		u64 base;

		if (!gv || !lpi_enabled(gv))
			continue;
		base = READ_ONCE(gv->pendbaser) & GICV3_LPI_PENDBASER_ADDR;
		memset(buf, 0, bytes);
		lpi_pending_bits(gv, buf, limit);
		ret = virq_guest_write(gic->inst, base + GICV3_FIRST_LPI / 8,
				       buf, bytes);
		cond_resched();
	}
	kvfree(buf);
	return ret;
}

/* --- lifetime ------------------------------------------------------------- */

/**
 * gicv3_lpi_init() - set up the chip's LPI state
 * @gic: the chip (gic->lpi_bits set)
 *
 * Return: 0.
 */
int gicv3_lpi_init(struct gicv3_chip *gic)
{
	xa_init(&gic->lpis);
	return 0;
}

/**
 * gicv3_lpi_destroy() - free every LPI
 * @gic: the chip, with no user left
 */
void gicv3_lpi_destroy(struct gicv3_chip *gic)
{
	struct gicv3_irq *irq;
	unsigned long intid;

	xa_for_each(&gic->lpis, intid, irq)
		kfree(to_lpi(irq));
	xa_destroy(&gic->lpis);
}

/**
 * gicv3_lpi_vcpu_init() - per-redistributor LPI state
 * @gv: the vCPU, not live
 *
 * A parked vCPU (its creation failed after gicv3_vcpu_create()) keeps
 * its state, emptied by gicv3_lpi_vcpu_detach_locked(), for the next
 * creation at its index: it is reused.
 *
 * Return: 0 or -ENOMEM.
 */
int gicv3_lpi_vcpu_init(struct gicv3_vcpu *gv)
{
	struct gicv3_lpi_vcpu *lv = gv->lpi;

	if (lv) {
		WARN_ON_ONCE(!list_empty(&lv->lpis) || lv->nr_lpis);
		return 0;
	}
	lv = kzalloc(sizeof(*lv), GFP_KERNEL_ACCOUNT);
	if (!lv)
		return -ENOMEM;
	INIT_LIST_HEAD(&lv->lpis);
	gv->lpi = lv;
	return 0;
}

/**
 * gicv3_lpi_vcpu_detach_locked() - no LPI targets @gv any more
 * @gv: a vCPU no longer live (chip lock held)
 *
 * Every LPI targeting @gv loses its target and its pending state (an
 * ITE's collection that names @gv translates to no vCPU until it is
 * live again, see gicv3_its_vcpu_live()).  Since
 * gicv3_lpi_retarget_locked() refuses a vCPU that is not live, @gv's
 * list stays empty; its memory lives until gicv3_lpi_vcpu_destroy(), so
 * that a racing walker never sees it freed.
 */
void gicv3_lpi_vcpu_detach_locked(struct gicv3_vcpu *gv)
{
	struct gicv3_lpi *lpi, *tmp;

	lockdep_assert_held(&gv->chip->lock);
	if (!gv->lpi)
		return;
	list_for_each_entry_safe(lpi, tmp, &lpi_vcpu(gv)->lpis, node) {
		/* the pending state was the redistributor's: reset with it */
		lpi->irq.pending_latch = false;
		gicv3_lpi_retarget_locked(gv->chip, &lpi->irq, NULL);
	}
}

/**
 * gicv3_lpi_vcpu_destroy() - free what gicv3_lpi_vcpu_init() allocated
 * @gv: the vCPU (its LPIs are gone: gicv3_lpi_destroy() ran, or it was
 *	never published, or they were detached)
 */
void gicv3_lpi_vcpu_destroy(struct gicv3_vcpu *gv)
{
	kfree(gv->lpi);
	gv->lpi = NULL;
}
