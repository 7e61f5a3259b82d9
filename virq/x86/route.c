// SPDX-License-Identifier: GPL-2.0
/*
 * The GSI routing table of the x86 family.
 *
 * A GSI has no entry, one MSI entry, or up to one irqchip entry per
 * irqchip (PIC master, PIC slave, each IOAPIC): the default routes send
 * GSI 0-15 to a PIC pin and an IOAPIC pin at once.  The entries are kept
 * as the VMM gave them (struct virq_route, validated).
 *
 * Layout: a two-level table.  r->chunks[] has one RCU pointer per 512
 * GSIs; a chunk, allocated the first time one of its GSIs gets an entry,
 * holds one RCU pointer per GSI to an immutable struct x86_gsi (NULL: no
 * entry).  An empty table of 1M GSIs is the top array (16 KiB on 64-bit)
 * and the heads of the pin lists below (19 KiB); each chunk in use adds
 * 4 KiB.  Chunks stay until the table is destroyed.
 *
 * Reverse map, for the EOI path (x86_routes_for_each_gsi()): every
 * irqchip pin has an RCU list of the GSIs with an entry on it.  The list
 * nodes live at the end of the struct x86_gsi whose entries they stand
 * for, so they are allocated, and freed after a grace period, with it.
 *
 * Updates: each change of a GSI builds a new struct x86_gsi, links its
 * list nodes, publishes it with rcu_assign_pointer(), unlinks the old
 * one's nodes and frees it with kfree_rcu().  That is O(1) whatever the
 * table size, and no update waits for a grace period.  KVM instead
 * rebuilds the whole table and waits for SRCU readers on every change.
 * A whole-table set (x86_routes_set_all()) validates and builds every new
 * struct x86_gsi before it publishes any, then switches the GSIs one at a
 * time: an injection sees each GSI before or after the switch, never a
 * mix, but may see one GSI already switched and another not yet (KVM
 * switches the whole table at once).
 *
 * Locking:
 *   r->lock (mutex): every update, and readers that need a stable view
 *	(x86_routes_get(), x86_routes_count())
 *   RCU: injection (x86_routes_lookup()) and the EOI path
 *	(x86_routes_for_each_gsi()), in any context, IRQs off included.
 *	A reader racing with an update of a GSI may find that GSI on a pin
 *	list twice (new nodes are linked before old ones are unlinked) but
 *	never misses a GSI that is on the pin before and after the update.
 *
 * Departures from KVM (virt/kvm/irqchip.c), deliberate:
 *  - an MSI entry without VIRQ_ROUTE_FLAG_DEVID must have devid 0, and
 *    unused words of the union must be 0 (KVM ignores them);
 *  - more entries than max_routes is ENOSPC (KVM: EINVAL);
 *  - two entries on one irqchip for one GSI, or an MSI entry next to any
 *    other entry, are EINVAL in a whole-table set (as KVM) and EEXIST for
 *    VIRQ_ROUTE_OP_ADD.
 */
/* sort.h first: the harness's shim of it pulls in libc's <stdlib.h> */
#include <linux/sort.h>
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "route.h"

#define X86_GSI_CHUNK_SHIFT	9
#define X86_GSI_CHUNK_SIZE	BIT(X86_GSI_CHUNK_SHIFT)
#define X86_GSI_CHUNK_MASK	(X86_GSI_CHUNK_SIZE - 1)

/* VIRQ_X86_IRQCHIP_*: PIC master, PIC slave, then the IOAPICs */
#define X86_NR_IRQCHIPS		X86_GSI_MAX_PINS
#define X86_PIC_PINS		8
#define X86_PIC_GSIS		(2 * X86_PIC_PINS)

/**
 * struct x86_gsi_chunk - the entries of X86_GSI_CHUNK_SIZE consecutive GSIs
 * @gsi: one entry set per GSI, NULL when the GSI has no entry
 */
struct x86_gsi_chunk {
	struct x86_gsi __rcu *gsi[X86_GSI_CHUNK_SIZE];
};

/**
 * struct x86_pin_node - a GSI on the list of one irqchip pin
 * @next: the next node (RCU)
 * @pprev: the pointer that points to this node (update side only)
 * @gsi: the GSI, set before the node is linked
 *
 * The nodes of a struct x86_gsi follow its entries, one per irqchip
 * entry, in the same order.  An unlinked node keeps @next, so that a
 * reader standing on it goes on; it is freed a grace period later.
 */
struct x86_pin_node {
	struct x86_pin_node __rcu *next;
	struct x86_pin_node __rcu **pprev;
	u32 gsi;
};

/**
 * struct x86_routes - the GSI routing table
 * @chip: the chip, for validation and the for_each_gsi() callback
 * @lock: serialises updates (see the top of this file)
 * @nr_gsis: GSIs 0..@nr_gsis-1 may have entries
 * @max_routes: cap on the total number of entries
 * @nr_routes: entries in the table (under @lock)
 * @nr_chunks: entries of @chunks
 * @ioapic_base_set: bit n: @ioapic_base[n] was set (under @lock)
 * @ioapic_base: GSI of pin 0 of each IOAPIC in the default routes
 * @pins: per irqchip pin, the RCU list of the GSIs routed there
 * @chunks: the second level of the table, allocated on first use
 */
struct x86_routes {
	struct x86_chip *chip;
	struct mutex lock;		/* updates; see the top of the file */
	u32 nr_gsis;
	u32 max_routes;
	u32 nr_routes;
	u32 nr_chunks;
	u32 ioapic_base_set;
	u32 ioapic_base[VIRQ_X86_MAX_IOAPICS];
	struct x86_pin_node __rcu *pins[X86_NR_IRQCHIPS][VIRQ_X86_IOAPIC_MAX_PINS];
	struct x86_gsi_chunk __rcu *chunks[];
};

/* --- entry sets ---------------------------------------------------------- */

/* Bytes of a set of @nr entries up to its list nodes */
static size_t gsi_nodes_offset(u32 nr)
{
	return ALIGN(sizeof(struct x86_gsi) + nr * sizeof(struct virq_route),
		     __alignof__(struct x86_pin_node));
}

/* The set's list nodes: one per entry for irqchip entries, else none */
static u32 gsi_nr_nodes(const struct x86_gsi *g)
{
	return g->e[0].type == VIRQ_ROUTE_IRQCHIP ? g->nr : 0;
}

static struct x86_pin_node *gsi_nodes(struct x86_gsi *g)
{
	return (struct x86_pin_node *)((char *)g + gsi_nodes_offset(g->nr));
}

/*
 * A zeroed set for @nr (1..X86_GSI_MAX_PINS) entries, to be filled in by
 * the caller; @irqchip: they are irqchip entries (room for list nodes).
 */
static struct x86_gsi *gsi_alloc(u32 nr, bool irqchip)
{
	size_t size = gsi_nodes_offset(nr);
	struct x86_gsi *g;

	if (irqchip)
		size += nr * sizeof(struct x86_pin_node);
	g = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (g)
		g->nr = nr;
	return g;
}

static struct x86_gsi_chunk *gsi_chunk_locked(struct x86_routes *r, u32 gsi)
{
	return rcu_dereference_protected(r->chunks[gsi >> X86_GSI_CHUNK_SHIFT],
					 lockdep_is_held(&r->lock));
}

/* The entries of @gsi, or NULL; r->lock held */
static struct x86_gsi *gsi_get_locked(struct x86_routes *r, u32 gsi)
{
	struct x86_gsi_chunk *c = gsi_chunk_locked(r, gsi);

	if (!c)
		return NULL;
	return rcu_dereference_protected(c->gsi[gsi & X86_GSI_CHUNK_MASK],
					 lockdep_is_held(&r->lock));
}

/* Make sure the chunk of @gsi exists; r->lock held */
static int gsi_chunk_alloc_locked(struct x86_routes *r, u32 gsi)
{
	struct x86_gsi_chunk *c;

	lockdep_assert_held(&r->lock);
	if (gsi_chunk_locked(r, gsi))
		return 0;
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return -ENOMEM;
	rcu_assign_pointer(r->chunks[gsi >> X86_GSI_CHUNK_SHIFT], c);
	return 0;
}

/* Put the irqchip entries of @g on their pins' lists */
static void gsi_link_locked(struct x86_routes *r, struct x86_gsi *g)
{
	struct x86_pin_node *n = gsi_nodes(g);
	u32 i;

	for (i = 0; i < gsi_nr_nodes(g); i++, n++) {
		const struct virq_route *e = &g->e[i];
		struct x86_pin_node __rcu **head =
			&r->pins[e->u.irqchip.irqchip][e->u.irqchip.pin];
		struct x86_pin_node *first =
			rcu_dereference_protected(*head,
						  lockdep_is_held(&r->lock));

		n->gsi = e->gsi;
		RCU_INIT_POINTER(n->next, first);
		n->pprev = head;
		if (first)
			first->pprev = &n->next;
		/* Release: the node is complete before readers reach it. */
		rcu_assign_pointer(*head, n);
	}
}

/* Take the irqchip entries of @g off their pins' lists */
static void gsi_unlink_locked(struct x86_routes *r, struct x86_gsi *g)
{
	struct x86_pin_node *n = gsi_nodes(g);
	u32 i;

	for (i = 0; i < gsi_nr_nodes(g); i++, n++) {
		struct x86_pin_node *next =
			rcu_dereference_protected(n->next,
						  lockdep_is_held(&r->lock));

		/* @next is already visible to readers: no barrier needed. */
		RCU_INIT_POINTER(*n->pprev, next);
		if (next)
			next->pprev = n->pprev;
	}
}

/*
 * Make @g (NULL: no entry) the entries of @gsi, whose chunk exists, and
 * free the old set after a grace period.
 */
static void gsi_publish_locked(struct x86_routes *r, u32 gsi,
			       struct x86_gsi *g)
{
	struct x86_gsi_chunk *c = gsi_chunk_locked(r, gsi);
	struct x86_gsi __rcu **slot = &c->gsi[gsi & X86_GSI_CHUNK_MASK];
	struct x86_gsi *old =
		rcu_dereference_protected(*slot, lockdep_is_held(&r->lock));

	lockdep_assert_held(&r->lock);
	if (g) {
		gsi_link_locked(r, g);
		r->nr_routes += g->nr;
	}
	rcu_assign_pointer(*slot, g);
	if (old) {
		gsi_unlink_locked(r, old);
		r->nr_routes -= old->nr;
		kfree_rcu(old, rcu);
	}
}

/* --- validation ---------------------------------------------------------- */

static bool route_pin_valid(const struct x86_routes *r, u32 irqchip,
			    u32 pin)
{
	const struct x86_chip *chip = r->chip;
	struct x86_ioapic *ioapic;
	u32 n;

	if (irqchip == VIRQ_X86_IRQCHIP_PIC_MASTER ||
	    irqchip == VIRQ_X86_IRQCHIP_PIC_SLAVE)
		return chip->pic && pin < X86_PIC_PINS;
	n = irqchip - VIRQ_X86_IRQCHIP_IOAPIC(0);
	if (n >= chip->nr_ioapics || n >= VIRQ_X86_MAX_IOAPICS)
		return false;
	ioapic = chip->ioapics[n];
	return ioapic && pin < x86_ioapic_nr_pins(ioapic) &&
	       pin < VIRQ_X86_IOAPIC_MAX_PINS;
}

/* Words @from.. of the entry's union are zero */
static bool route_tail_zero(const struct virq_route *e, u32 from)
{
	u32 i;

	for (i = from; i < ARRAY_SIZE(e->u.pad); i++)
		if (e->u.pad[i])
			return false;
	return true;
}

/*
 * Validate one entry on its own: 0 or -EINVAL.  An irqchip entry names a
 * pin that exists (PIC pins only with a PIC); an MSI entry may carry
 * VIRQ_ROUTE_FLAG_DEVID, and devid is 0 without it; every other field is
 * 0.  The MSI message itself is decoded at injection (x86_msi_decode()).
 */
static int route_check(const struct x86_routes *r, const struct virq_route *e)
{
	if (e->gsi >= r->nr_gsis || e->pad)
		return -EINVAL;
	switch (e->type) {
	case VIRQ_ROUTE_IRQCHIP:
		if (e->flags || !route_tail_zero(e, 2))
			return -EINVAL;
		if (!route_pin_valid(r, e->u.irqchip.irqchip, e->u.irqchip.pin))
			return -EINVAL;
		return 0;
	case VIRQ_ROUTE_MSI:
		if (e->flags & ~VIRQ_ROUTE_FLAG_DEVID)
			return -EINVAL;
		if (!(e->flags & VIRQ_ROUTE_FLAG_DEVID) && e->u.msi.devid)
			return -EINVAL;
		if (!route_tail_zero(e, 4))
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

/*
 * Two entries of one GSI that cannot coexist: anything next to an MSI
 * entry, or two entries on the same irqchip (KVM's rule; it also keeps a
 * GSI within X86_GSI_MAX_PINS entries).
 */
static bool route_conflict(const struct virq_route *a,
			   const struct virq_route *b)
{
	return a->type != VIRQ_ROUTE_IRQCHIP || b->type != VIRQ_ROUTE_IRQCHIP ||
	       a->u.irqchip.irqchip == b->u.irqchip.irqchip;
}

/* --- the table ----------------------------------------------------------- */

/**
 * x86_routes_create() - an empty GSI routing table
 * @chip: the chip (its PIC and IOAPICs validate irqchip entries)
 * @nr_gsis: number of GSIs, 1..VIRQ_X86_MAX_GSIS
 * @max_routes: most entries the table may hold
 *
 * The table starts empty: the glue calls x86_routes_set_ioapic_base() and
 * x86_routes_set_default() once the PIC and IOAPICs exist.
 *
 * Context: process.
 * Return: the table, ERR_PTR(-EINVAL) for a bad @nr_gsis, or
 * ERR_PTR(-ENOMEM); never NULL.
 */
struct x86_routes *x86_routes_create(struct x86_chip *chip, u32 nr_gsis,
				     u32 max_routes)
{
	u32 nr_chunks;
	struct x86_routes *r;

	if (!nr_gsis || nr_gsis > VIRQ_X86_MAX_GSIS)
		return ERR_PTR(-EINVAL);
	nr_chunks = DIV_ROUND_UP(nr_gsis, X86_GSI_CHUNK_SIZE);
	r = kvzalloc(struct_size(r, chunks, nr_chunks), GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	r->chip = chip;
	mutex_init(&r->lock);
	r->nr_gsis = nr_gsis;
	r->max_routes = max_routes;
	r->nr_chunks = nr_chunks;
	return r;
}

/**
 * x86_routes_destroy() - free the table
 * @r: the table, or NULL
 *
 * Context: process; no reader is left (the core has stopped injection and
 * irqfds before it destroys the chip).
 */
void x86_routes_destroy(struct x86_routes *r)
{
	struct x86_gsi_chunk *c;
	u32 i, j;

	if (!r)
		return;
	for (i = 0; i < r->nr_chunks; i++) {
		c = rcu_dereference_protected(r->chunks[i], true);
		if (!c)
			continue;
		for (j = 0; j < X86_GSI_CHUNK_SIZE; j++)
			kfree(rcu_dereference_protected(c->gsi[j], true));
		kfree(c);
	}
	mutex_destroy(&r->lock);
	kvfree(r);
}

/**
 * x86_routes_count() - entries in the table
 * @r: the table
 *
 * Context: process; takes r->lock.
 * Return: the number of entries.
 */
u32 x86_routes_count(struct x86_routes *r)
{
	u32 nr;

	mutex_lock(&r->lock);
	nr = r->nr_routes;
	mutex_unlock(&r->lock);
	return nr;
}

/**
 * x86_routes_set_ioapic_base() - where IOAPIC @n's pins start in the
 * default routes
 * @r: the table
 * @n: IOAPIC index, below VIRQ_X86_MAX_IOAPICS
 * @gsi_base: GSI of pin 0 (virq_x86_ioapic_config.gsi_base); 0 for
 *	IOAPIC 0
 *
 * An IOAPIC whose base was never set follows the previous one: base of
 * IOAPIC n-1 plus its number of pins.
 *
 * Context: process; takes r->lock.
 * Return: 0, or -EINVAL for a bad @n or a non-zero base of IOAPIC 0.
 */
int x86_routes_set_ioapic_base(struct x86_routes *r, u32 n, u32 gsi_base)
{
	if (n >= VIRQ_X86_MAX_IOAPICS || (n == 0 && gsi_base))
		return -EINVAL;
	mutex_lock(&r->lock);
	r->ioapic_base[n] = gsi_base;
	r->ioapic_base_set |= BIT(n);
	mutex_unlock(&r->lock);
	return 0;
}

/* Comparison for sorting entries by GSI, stable by position */
struct route_key {
	u32 gsi;
	u32 idx;
};

static int route_key_cmp(const void *a, const void *b)
{
	const struct route_key *x = a, *y = b;

	if (x->gsi != y->gsi)
		return x->gsi < y->gsi ? -1 : 1;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return 0;
}

/* Publish @sets (sorted by GSI, their chunks allocated) as the table */
static void routes_switch_locked(struct x86_routes *r, struct x86_gsi **sets,
				 u32 nr_sets)
{
	struct x86_gsi_chunk *c;
	u32 i, j, gsi, n = 0;

	lockdep_assert_held(&r->lock);
	/* One pass in GSI order, merged with the sorted new sets */
	for (i = 0; i < r->nr_chunks; i++) {
		c = rcu_dereference_protected(r->chunks[i],
					      lockdep_is_held(&r->lock));
		if (!c)
			continue;
		for (j = 0; j < X86_GSI_CHUNK_SIZE; j++) {
			gsi = (i << X86_GSI_CHUNK_SHIFT) | j;
			if (n < nr_sets && sets[n]->e[0].gsi == gsi)
				gsi_publish_locked(r, gsi, sets[n++]);
			else if (rcu_access_pointer(c->gsi[j]))
				gsi_publish_locked(r, gsi, NULL);
		}
	}
	WARN_ON_ONCE(n != nr_sets);
}

/**
 * x86_routes_set_all() - replace the whole table (VIRQ_SET_GSI_ROUTING)
 * @r: the table
 * @e: the new entries, in any order
 * @nr: number of entries, 0 (empty table) .. max_routes
 *
 * Every entry is validated, and every new GSI entry set allocated,
 * before anything changes; on error the old table is intact.  Entries of
 * one GSI keep their order.  Never waits for readers: old sets are freed
 * with kfree_rcu().
 *
 * Context: process; takes r->lock.
 * Return: 0; -ENOSPC if @nr > max_routes; -EINVAL for an invalid entry
 * (see route_check()) or two entries of one GSI that cannot coexist (two
 * on one irqchip, or an MSI entry with any other); -ENOMEM.
 */
int x86_routes_set_all(struct x86_routes *r, const struct virq_route *e,
		       u32 nr)
{
	struct route_key *keys = NULL;
	struct x86_gsi **sets = NULL;
	u32 i, j, k, n, nr_sets = 0;
	int ret;

	if (nr > r->max_routes)
		return -ENOSPC;
	for (i = 0; i < nr; i++) {
		ret = route_check(r, &e[i]);
		if (ret)
			return ret;
	}

	if (nr) {
		keys = kvmalloc_array(nr, sizeof(*keys), GFP_KERNEL_ACCOUNT);
		if (!keys)
			return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		keys[i].gsi = e[i].gsi;
		keys[i].idx = i;
	}
	sort(keys, nr, sizeof(*keys), route_key_cmp, NULL);

	/*
	 * Check each GSI's entries against one another.  A conflict shows
	 * by the X86_GSI_MAX_PINS + 1st entry of a GSI at the latest, so
	 * this is O(nr).
	 */
	ret = -EINVAL;
	for (i = 0; i < nr; i = j, nr_sets++) {
		for (j = i + 1; j < nr && keys[j].gsi == keys[i].gsi; j++) {
			for (k = i; k < j; k++) {
				if (route_conflict(&e[keys[k].idx],
						   &e[keys[j].idx]))
					goto out;
			}
		}
	}

	ret = -ENOMEM;
	if (nr_sets) {
		sets = kvcalloc(nr_sets, sizeof(*sets), GFP_KERNEL_ACCOUNT);
		if (!sets)
			goto out;
	}
	/* Build every new set before publishing any */
	for (i = 0, n = 0; i < nr; i = j, n++) {
		for (j = i + 1; j < nr && keys[j].gsi == keys[i].gsi; j++)
			;
		sets[n] = gsi_alloc(j - i,
				    e[keys[i].idx].type == VIRQ_ROUTE_IRQCHIP);
		if (!sets[n])
			goto out_free;
		for (k = i; k < j; k++)
			sets[n]->e[k - i] = e[keys[k].idx];
	}

	mutex_lock(&r->lock);
	for (n = 0; n < nr_sets; n++) {
		/* An empty chunk left behind on failure is harmless. */
		ret = gsi_chunk_alloc_locked(r, sets[n]->e[0].gsi);
		if (ret) {
			mutex_unlock(&r->lock);
			goto out_free;
		}
	}
	routes_switch_locked(r, sets, nr_sets);
	mutex_unlock(&r->lock);
	ret = 0;
	goto out;

out_free:
	for (n = 0; n < nr_sets; n++)
		kfree(sets[n]);
out:
	kvfree(sets);
	kvfree(keys);
	return ret;
}

/* GSI of pin 0 of IOAPIC @n in the default routes (u64: no overflow) */
static u64 routes_ioapic_base_locked(struct x86_routes *r, u32 n)
{
	struct x86_chip *chip = r->chip;
	u64 base = 0;
	u32 i;

	lockdep_assert_held(&r->lock);
	for (i = 0; i <= n; i++) {
		if (r->ioapic_base_set & BIT(i))
			base = r->ioapic_base[i];
		else if (i)
			base += x86_ioapic_nr_pins(chip->ioapics[i - 1]);
	}
	return base;
}

/**
 * x86_routes_set_default() - KVM's default routes
 * @r: the table
 *
 * As the uAPI describes at the top of its x86 section: GSI 0-15 to PIC
 * pin GSI (master 0-7, slave 8-15; without a PIC, none) and to IOAPIC 0
 * pin GSI; GSI 16.. to the remaining pins of IOAPIC 0; every further
 * IOAPIC n from its gsi_base (x86_routes_set_ioapic_base()).  GSIs at or
 * above nr_gsis get no entry.  Replaces the whole table, as
 * x86_routes_set_all().
 *
 * Context: process; takes r->lock.
 * Return: 0, -ENOSPC if the default routes exceed max_routes, -ENOMEM.
 */
int x86_routes_set_default(struct x86_routes *r)
{
	struct x86_chip *chip = r->chip;
	u32 n, pin, nr_pins, nr = 0;
	struct virq_route *e;
	u64 base, gsi;
	int ret;

	e = kvcalloc(X86_PIC_GSIS +
		     VIRQ_X86_MAX_IOAPICS * VIRQ_X86_IOAPIC_MAX_PINS,
		     sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	for (pin = 0; chip->pic && pin < X86_PIC_GSIS && pin < r->nr_gsis;
	     pin++, nr++) {
		e[nr].gsi = pin;
		e[nr].type = VIRQ_ROUTE_IRQCHIP;
		e[nr].u.irqchip.irqchip = pin < X86_PIC_PINS ?
			VIRQ_X86_IRQCHIP_PIC_MASTER :
			VIRQ_X86_IRQCHIP_PIC_SLAVE;
		e[nr].u.irqchip.pin = pin % X86_PIC_PINS;
	}
	for (n = 0; n < chip->nr_ioapics && n < VIRQ_X86_MAX_IOAPICS; n++) {
		mutex_lock(&r->lock);
		base = routes_ioapic_base_locked(r, n);
		mutex_unlock(&r->lock);
		nr_pins = min_t(u32, x86_ioapic_nr_pins(chip->ioapics[n]),
				VIRQ_X86_IOAPIC_MAX_PINS);
		for (pin = 0; pin < nr_pins; pin++) {
			gsi = base + pin;
			if (gsi >= r->nr_gsis)
				break;
			e[nr].gsi = gsi;
			e[nr].type = VIRQ_ROUTE_IRQCHIP;
			e[nr].u.irqchip.irqchip = VIRQ_X86_IRQCHIP_IOAPIC(n);
			e[nr].u.irqchip.pin = pin;
			nr++;
		}
	}
	ret = x86_routes_set_all(r, e, nr);
	kvfree(e);
	return ret;
}

/**
 * x86_routes_update() - change one GSI (VIRQ_UPDATE_GSI_ROUTE)
 * @r: the table
 * @op: VIRQ_ROUTE_OP_*
 * @e: the entry; for VIRQ_ROUTE_OP_CLEAR only @e->gsi, the rest 0
 *
 * ADD appends @e to its GSI's entries; DELETE removes the entry equal to
 * @e in every field; REPLACE makes @e its GSI's only entry; CLEAR removes
 * every entry of the GSI (a GSI without entries is not an error).  The
 * GSI switches atomically from its old entries to its new ones; the cost
 * is O(1) whatever the table size and nothing waits for readers.
 *
 * Context: process; takes r->lock.
 * Return: 0;
 * -EINVAL: unknown @op, an invalid entry (route_check()), or for CLEAR a
 *	GSI out of range or a non-zero field besides gsi;
 * -EEXIST: ADD to a GSI that has an MSI entry, of an MSI entry to a GSI
 *	that has entries, or of a second entry on one irqchip;
 * -ENOENT: DELETE of an entry the GSI does not have;
 * -ENOSPC: ADD or REPLACE would take the table beyond max_routes;
 * -ENOMEM.
 */
int x86_routes_update(struct x86_routes *r, u32 op,
		      const struct virq_route *e)
{
	struct x86_gsi *old, *g = NULL;
	bool irqchip = e->type == VIRQ_ROUTE_IRQCHIP;
	u32 i, nr_old;
	int ret;

	switch (op) {
	case VIRQ_ROUTE_OP_ADD:
	case VIRQ_ROUTE_OP_DELETE:
	case VIRQ_ROUTE_OP_REPLACE:
		ret = route_check(r, e);
		if (ret)
			return ret;
		break;
	case VIRQ_ROUTE_OP_CLEAR:
		if (e->gsi >= r->nr_gsis || e->type || e->flags || e->pad ||
		    !route_tail_zero(e, 0))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	mutex_lock(&r->lock);
	old = gsi_get_locked(r, e->gsi);
	nr_old = old ? old->nr : 0;
	switch (op) {
	case VIRQ_ROUTE_OP_ADD:
		ret = -EEXIST;
		for (i = 0; i < nr_old; i++)
			if (route_conflict(&old->e[i], e))
				goto out;
		ret = -ENOSPC;
		if (r->nr_routes >= r->max_routes)
			goto out;
		ret = -ENOMEM;
		g = gsi_alloc(nr_old + 1, irqchip);
		if (!g)
			goto out;
		if (nr_old)
			memcpy(g->e, old->e, nr_old * sizeof(*e));
		g->e[nr_old] = *e;
		break;
	case VIRQ_ROUTE_OP_DELETE:
		ret = -ENOENT;
		for (i = 0; i < nr_old; i++)
			if (!memcmp(&old->e[i], e, sizeof(*e)))
				break;
		if (i == nr_old)
			goto out;
		if (nr_old == 1)
			break;
		ret = -ENOMEM;
		g = gsi_alloc(nr_old - 1, irqchip);
		if (!g)
			goto out;
		memcpy(g->e, old->e, i * sizeof(*e));
		memcpy(g->e + i, old->e + i + 1,
		       (nr_old - i - 1) * sizeof(*e));
		break;
	case VIRQ_ROUTE_OP_REPLACE:
		ret = -ENOSPC;
		if (r->nr_routes - nr_old >= r->max_routes)
			goto out;
		ret = -ENOMEM;
		g = gsi_alloc(1, irqchip);
		if (!g)
			goto out;
		g->e[0] = *e;
		break;
	case VIRQ_ROUTE_OP_CLEAR:
		break;
	}

	if (g) {
		ret = gsi_chunk_alloc_locked(r, e->gsi);
		if (ret) {
			kfree(g);
			goto out;
		}
	}
	if (old || g)
		gsi_publish_locked(r, e->gsi, g);
	ret = 0;
out:
	mutex_unlock(&r->lock);
	return ret;
}

/**
 * x86_routes_get() - the whole table (VIRQ_GET_GSI_ROUTING)
 * @r: the table
 * @e: room for *@nr entries
 * @nr: in: capacity of @e; out: number of entries in the table
 *
 * The entries come ordered by GSI, those of one GSI in their order.
 *
 * Context: process; takes r->lock.
 * Return: 0, or -ENOSPC (with *@nr set) when they do not fit.
 */
int x86_routes_get(struct x86_routes *r, struct virq_route *e, u32 *nr)
{
	struct x86_gsi_chunk *c;
	struct x86_gsi *g;
	u32 i, j, n = 0;
	int ret = 0;

	mutex_lock(&r->lock);
	if (*nr < r->nr_routes) {
		*nr = r->nr_routes;
		ret = -ENOSPC;
		goto out;
	}
	for (i = 0; i < r->nr_chunks; i++) {
		c = rcu_dereference_protected(r->chunks[i],
					      lockdep_is_held(&r->lock));
		if (!c)
			continue;
		for (j = 0; j < X86_GSI_CHUNK_SIZE; j++) {
			g = rcu_dereference_protected(c->gsi[j],
						      lockdep_is_held(&r->lock));
			if (!g)
				continue;
			memcpy(e + n, g->e, g->nr * sizeof(*e));
			n += g->nr;
		}
	}
	*nr = n;
out:
	mutex_unlock(&r->lock);
	return ret;
}

/**
 * x86_routes_lookup() - the entries of a GSI
 * @r: the table
 * @gsi: the GSI (any value)
 *
 * Context: any, under rcu_read_lock() (or r->lock); the result stays
 * valid until the read-side critical section ends.
 * Return: the entries (nr >= 1), or NULL when @gsi has none.
 */
const struct x86_gsi *x86_routes_lookup(struct x86_routes *r, u32 gsi)
{
	struct x86_gsi_chunk *c;

	if (gsi >= r->nr_gsis)
		return NULL;
	gsi = array_index_nospec(gsi, r->nr_gsis);
	c = rcu_dereference_check(r->chunks[gsi >> X86_GSI_CHUNK_SHIFT],
				  lockdep_is_held(&r->lock));
	if (!c)
		return NULL;
	return rcu_dereference_check(c->gsi[gsi & X86_GSI_CHUNK_MASK],
				     lockdep_is_held(&r->lock));
}

/**
 * x86_routes_for_each_gsi() - the GSIs routed to an irqchip pin
 * @r: the table
 * @irqchip: VIRQ_X86_IRQCHIP_*
 * @pin: the pin
 * @fn: called for every GSI with an entry on (@irqchip, @pin), in no
 *	particular order; under rcu_read_lock(), so it must not sleep
 *
 * Costs one step per GSI on the pin, whatever the table size.  A GSI
 * being updated concurrently may be seen twice (see the top of the file).
 *
 * Context: any.
 */
void x86_routes_for_each_gsi(struct x86_routes *r, u32 irqchip, u32 pin,
			     void (*fn)(struct x86_chip *chip, u32 gsi))
{
	struct x86_pin_node *n;

	if (irqchip >= X86_NR_IRQCHIPS || pin >= VIRQ_X86_IOAPIC_MAX_PINS)
		return;
	rcu_read_lock();
	for (n = rcu_dereference(r->pins[irqchip][pin]); n;
	     n = rcu_dereference(n->next))
		fn(r->chip, n->gsi);
	rcu_read_unlock();
}
