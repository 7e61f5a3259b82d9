// SPDX-License-Identifier: GPL-2.0
/*
 * XICS Interrupt Source Controllers and the chip: flat source numbering,
 * injection, the RTAS services, MSI block allocation and the per-source
 * state words.
 *
 * Source numbers are flat: bits 19..10 select an ICS, bits 9..0 a source
 * in it.  Sources below VIRQ_XICS_FIRST_SOURCE are reserved (0 is "no
 * interrupt", 2 the IPI).  An ICS is allocated on the first use of one of
 * its sources that changes state; until then all its sources read as
 * fresh (server 0, masked, saved priority 0xff).
 *
 * Triggering follows KVM's P/Q scheme.  P ("presented") is set when a
 * source fires and cleared by its EOI; an MSI that fires again while P is
 * set sets Q ("queued") and is presented once more at EOI.  An LSI is
 * presented while its line is asserted: at EOI it is presented again if
 * the line is still high.  An LSI line is the OR of its drivers (the VMM
 * and resampling irqfds).
 *
 * Departures from PAPR and KVM, all deliberate:
 *  - an interrupt that reaches a masked source is latched (masked_pending)
 *    and presented at unmask, whether it is a first delivery or a resend:
 *    PAPR only covers the former (KVM does the same);
 *  - a masked source latches even when its server does not exist;
 *  - a source whose server has no vCPU yet waits with its resend flag set
 *    (KVM drops it); new ICPs start with a full resend scan pending;
 *  - ibm,int-off on a masked source keeps the saved priority (KVM and
 *    QEMU overwrite it with 0xff, so a second int-off loses it);
 *  - an MSI fires on each rising edge of its line (VIRQ_LINE_EDGE is one),
 *    not on every VIRQ_LINE_SET;
 *  - VIRQ_LINE_EDGE on an LSI is a pulse: presented once, at EOI again
 *    only if the line is high.
 */
#include <linux/bitmap.h>
#include <linux/slab.h>

#include "xics.h"

/* The state word of a source nobody has touched */
#define XICS_FRESH_WORD	(VIRQ_XICS_MASKED | \
			 (u64)XICS_PRIO_MASKED << VIRQ_XICS_PRIORITY_SHIFT)

#define XICS_WORD_VALID	(VIRQ_XICS_DESTINATION_MASK | \
			 (u64)VIRQ_XICS_PRIORITY_MASK << \
			 VIRQ_XICS_PRIORITY_SHIFT | \
			 VIRQ_XICS_LEVEL_SENSITIVE | VIRQ_XICS_MASKED | \
			 VIRQ_XICS_PENDING | VIRQ_XICS_PRESENTED | \
			 VIRQ_XICS_QUEUED | VIRQ_XICS_ASSERTED | \
			 VIRQ_XICS_MSI | VIRQ_XICS_MSI_FIRST)

/* RTAS status */
#define RTAS_OK		VIRQ_XICS_RTAS_SUCCESS
#define RTAS_PARAM	VIRQ_XICS_RTAS_PARAMETER

/* Fresh: server 0, masked, saved priority 0xff; all other fields 0 */
static void xics_source_reset(struct xics_source *s)
{
	*s = (struct xics_source) {
		.priority = XICS_PRIO_MASKED,
		.saved_priority = XICS_PRIO_MASKED,
	};
}

static void xics_ics_free(struct xics_ics *ics)
{
	if (!ics)
		return;
	kfree(ics->src);
	kfree(ics);
}

/*
 * Allocate ICS @icsid: the header and, apart, its 8 KiB source array (see
 * struct xics_ics).  Concurrent allocators race with cmpxchg(): the loser
 * frees its copy and uses the winner's.
 */
static struct xics_ics *xics_ics_new(struct virq_xics *xics, u32 icsid,
				     gfp_t gfp)
{
	struct xics_ics *ics, *old;
	struct xics_source *src;
	u32 i;

	ics = kzalloc(sizeof(*ics), gfp);
	if (!ics)
		return NULL;
	src = kmalloc_array(XICS_ICS_SIZE, sizeof(*src), gfp);
	if (!src) {
		kfree(ics);
		return NULL;
	}
	for (i = 0; i < XICS_ICS_SIZE; i++)
		xics_source_reset(&src[i]);
	ics->src = src;
	raw_spin_lock_init(&ics->lock);
	ics->icsid = icsid;

	/*
	 * Full barrier: the initialised ICS and its sources are visible
	 * before the pointer.
	 */
	old = cmpxchg(&xics->ics[icsid], NULL, ics);
	if (old) {
		xics_ics_free(ics);
		return old;
	}
	return ics;
}

/* The ICS of @irq, allocated if needed. */
static inline struct xics_ics *xics_ics_alloc(struct virq_xics *xics,
					      u32 irq, gfp_t gfp)
{
	u32 icsid = xics_icsid(irq);
	struct xics_ics *ics = xics_ics_get(xics, icsid);

	if (likely(ics))
		return ics;
	return xics_ics_new(xics, icsid, gfp);
}

/* Allocation from set_irq/signal_msi, which may run with IRQs off */
#define XICS_GFP_ATOMIC	(GFP_ATOMIC | __GFP_ACCOUNT | __GFP_NOWARN)

/**
 * virq_xics_ics_deliver() - present source @irq to its server (ICS Deliver)
 * @xics: the chip
 * @icp: the ICP it probably goes to, or NULL to look it up
 * @irq: source number
 * @check_resend: deliver only if the source's resend flag is still set
 *	(resend scans: someone else may have delivered it meanwhile)
 *
 * Used for first deliveries, for resends and for rejected interrupts: a
 * rejection is just another delivery attempt, since by now the ICP may
 * take it again (or its server may have changed).  A successful delivery
 * may itself reject what the ICP had pending; that one is delivered in
 * turn.
 *
 * Context: any; takes ICS locks one at a time.
 * Return: the virq_irq_line.status of @irq: 1 if it is now in an XISR,
 * VIRQ_STATUS_MASKED if latched as masked_pending, else
 * VIRQ_STATUS_COALESCED (waiting for a resend, or nothing to do).
 */
int virq_xics_ics_deliver(struct virq_xics *xics, struct xics_icp *icp,
			  u32 irq, bool check_resend)
{
	int status = VIRQ_STATUS_COALESCED;
	union xics_icp_state s;
	struct xics_source *src;
	struct xics_ics *ics;
	unsigned long flags;
	bool first = true;
	u32 idx, reject;

again:
	ics = xics_ics_get(xics, xics_icsid(irq));
	if (!ics)	/* fresh source: masked, latching needs no state */
		return status;
	idx = xics_srcidx(irq);
	src = &ics->src[idx];

	raw_spin_lock_irqsave(&ics->lock, flags);

	if (check_resend && !test_bit(idx, ics->resend_map))
		goto out;
	__clear_bit(idx, ics->resend_map);

	if (src->priority == XICS_PRIO_MASKED) {
		src->masked_pending = 1;
		if (first)
			status = VIRQ_STATUS_MASKED;
		goto out;
	}

	if (!icp || icp->server != src->server) {
		icp = virq_xics_find_server(xics, src->server);
		if (!icp) {
			/* No such vCPU yet: wait for a resend scan. */
			__set_bit(idx, ics->resend_map);
			goto out;
		}
	}

	if (virq_xics_icp_try_to_deliver(icp, irq, src->priority, &reject)) {
		raw_spin_unlock_irqrestore(&ics->lock, flags);
		if (first)
			status = 1;
		virq_vcpu_kick(icp->vcpu);
		if (reject && reject != XICS_IPI_SRC) {
			irq = reject;
			check_resend = false;
			first = false;
			goto again;
		}
		return status;
	}

	/*
	 * The ICP turned it away and set need_resend: flag the source, then
	 * tell the ICP which ICS to scan.
	 */
	__set_bit(idx, ics->resend_map);
	/* Order the flag before the map bit a scan tests and clears. */
	smp_wmb();
	set_bit(ics->icsid, icp->resend_map);

	/*
	 * If the ICP cleared need_resend between icp_try_to_deliver() and
	 * now, its scan may have missed the bit we just set: try again.
	 */
	smp_mb();
	s.raw = READ_ONCE(icp->state.raw);
	if (!s.need_resend) {
		__clear_bit(idx, ics->resend_map);
		raw_spin_unlock_irqrestore(&ics->lock, flags);
		check_resend = false;
		goto again;
	}
out:
	raw_spin_unlock_irqrestore(&ics->lock, flags);
	return status;
}

/**
 * virq_xics_ics_resend() - present again the waiting sources of an ICS
 * @xics: the chip
 * @icp: the ICP whose resend scan this is
 * @icsid: the ICS to scan
 *
 * Every source with its resend flag set is delivered again, whatever its
 * server: several ICPs may share an ICS.
 *
 * Context: process or atomic; takes the ICS lock.
 */
void virq_xics_ics_resend(struct virq_xics *xics, struct xics_icp *icp,
			  u32 icsid)
{
	struct xics_ics *ics = xics_ics_get(xics, icsid);
	unsigned long flags;
	u32 idx = 0;

	if (!ics)
		return;

	for (;;) {
		raw_spin_lock_irqsave(&ics->lock, flags);
		idx = find_next_bit(ics->resend_map, XICS_ICS_SIZE, idx);
		raw_spin_unlock_irqrestore(&ics->lock, flags);
		if (idx >= XICS_ICS_SIZE)
			break;
		virq_xics_ics_deliver(xics, icp,
				      icsid << VIRQ_XICS_ICS_SHIFT | idx, true);
		idx++;
	}
}

/*
 * A source fires (ICS state: trigger).  Returns true if it must be
 * delivered now; otherwise it is already on its way or in service, and an
 * MSI is queued for its EOI.
 */
static bool ics_fire_locked(struct xics_ics *ics, struct xics_source *src)
	__must_hold(&ics->lock)
{
	lockdep_assert_held(&ics->lock);

	src->exists = 1;
	if (!src->presented) {
		src->presented = 1;
		return true;
	}
	if (!src->lsi)
		src->queued = 1;
	return false;
}

static int xics_inject(struct virq_xics *xics, u32 irq, u32 op,
		       enum virq_driver driver, int *status)
{
	struct xics_source *src;
	struct xics_ics *ics;
	unsigned long flags;
	bool fire, masked;
	u8 bit, was;

	if (!xics_source_valid(xics, irq) || driver >= VIRQ_NR_DRIVERS)
		return -EINVAL;
	bit = BIT(driver);

	*status = VIRQ_STATUS_COALESCED;
	if (op == VIRQ_LINE_RESET) {
		/* Lowering a line of a fresh source changes nothing. */
		ics = xics_ics_get(xics, xics_icsid(irq));
		if (!ics)
			return 0;
	} else {
		ics = xics_ics_alloc(xics, irq, XICS_GFP_ATOMIC);
		if (!ics)
			return -ENOMEM;
	}
	src = &ics->src[xics_srcidx(irq)];

	raw_spin_lock_irqsave(&ics->lock, flags);
	masked = src->priority == XICS_PRIO_MASKED;
	switch (op) {
	case VIRQ_LINE_RESET:
		/*
		 * As KVM, an LSI already presented stays presented; its EOI
		 * will not present it again.
		 */
		src->asserted &= ~bit;
		fire = false;
		break;
	case VIRQ_LINE_SET:
		was = src->asserted;
		src->asserted |= bit;
		src->exists = 1;
		fire = (src->lsi || !was) && ics_fire_locked(ics, src);
		break;
	default:	/* VIRQ_LINE_EDGE */
		fire = ics_fire_locked(ics, src);
		break;
	}
	raw_spin_unlock_irqrestore(&ics->lock, flags);

	if (fire)
		*status = virq_xics_ics_deliver(xics, NULL, irq, false);
	else if (masked && op != VIRQ_LINE_RESET)
		*status = VIRQ_STATUS_MASKED;
	return 0;
}

static int xics_set_irq(struct virq_instance *inst, u32 source, u32 op,
			enum virq_driver driver, int *status)
{
	return xics_inject(xics_of(inst), source, op, driver, status);
}

/* An MSI on XICS is an edge on the source number in its data. */
static int xics_signal_msi(struct virq_instance *inst,
			   const struct virq_msi_msg *msg, int *status)
{
	return xics_inject(xics_of(inst), msg->data, VIRQ_LINE_EDGE,
			   VIRQ_DRIVER_USER, status);
}

static int xics_check_msi(struct virq_instance *inst,
			  const struct virq_msi_msg *msg)
{
	return xics_source_valid(xics_of(inst), msg->data) ? 0 : -EINVAL;
}

/**
 * virq_xics_ics_eoi() - the ICS side of H_EOI for source @irq
 * @xics: the chip
 * @irq: the source the guest ended
 *
 * Level lines first hear of the EOI (resampling irqfds drop their drive),
 * then the source is presented again if it must be: an LSI whose line is
 * still high, an MSI that fired again meanwhile (Q).
 *
 * Context: process (virq_notify_eoi()); takes the ICS lock.
 * Return: H_SUCCESS, or H_PARAMETER for a number that is no source.
 */
long virq_xics_ics_eoi(struct virq_xics *xics, u32 irq)
{
	struct xics_source *src;
	struct xics_ics *ics;
	unsigned long flags;
	bool notify, again;

	if (!xics_source_valid(xics, irq))
		return XICS_H_PARAMETER;
	virq_trace_eoi(xics->inst, irq);

	ics = xics_ics_get(xics, xics_icsid(irq));
	if (!ics)
		return XICS_H_SUCCESS;
	src = &ics->src[xics_srcidx(irq)];

	raw_spin_lock_irqsave(&ics->lock, flags);
	notify = src->lsi || src->asserted;
	raw_spin_unlock_irqrestore(&ics->lock, flags);

	/* Without our lock: resamplers drive the line through set_irq. */
	if (notify)
		virq_notify_eoi(xics->inst, irq);

	raw_spin_lock_irqsave(&ics->lock, flags);
	if (src->lsi)
		src->presented = src->asserted != 0;
	else
		src->presented = src->queued;
	src->queued = 0;
	again = src->presented;
	raw_spin_unlock_irqrestore(&ics->lock, flags);

	if (again)
		virq_xics_ics_deliver(xics, NULL, irq, false);
	return XICS_H_SUCCESS;
}

/* --- RTAS --- */

/*
 * Set a source's XIVE; returns true if a latched or waiting interrupt must
 * now be delivered.
 */
static bool ics_write_xive_locked(struct xics_ics *ics, u32 idx, u32 server,
				  u8 priority, u8 saved_priority)
	__must_hold(&ics->lock)
{
	struct xics_source *src = &ics->src[idx];

	lockdep_assert_held(&ics->lock);

	src->server = server;
	src->priority = priority;
	src->saved_priority = saved_priority;
	src->exists = 1;
	if (priority == XICS_PRIO_MASKED)
		return false;
	if (!src->masked_pending && !test_bit(idx, ics->resend_map))
		return false;
	src->masked_pending = 0;
	__clear_bit(idx, ics->resend_map);
	return true;
}

/*
 * The RTAS services below store an RTAS status in *@st and return 0, or
 * an errno that fails the ioctl (allocation failure).
 */

/* ibm,set-xive: route @irq to @server at @priority (0xff masks). */
static int xics_rtas_set_xive(struct virq_xics *xics, u64 irq, u64 server,
			      u64 priority, s64 *st)
{
	struct xics_icp *icp;
	struct xics_ics *ics;
	unsigned long flags;
	bool deliver;
	u32 idx;

	*st = RTAS_PARAM;
	if (!xics_source_valid(xics, irq) || server > U32_MAX ||
	    priority > XICS_PRIO_MASKED)
		return 0;
	icp = virq_xics_find_server(xics, server);
	if (!icp)
		return 0;
	ics = xics_ics_alloc(xics, irq, GFP_KERNEL_ACCOUNT);
	if (!ics)
		return -ENOMEM;
	idx = xics_srcidx(irq);

	raw_spin_lock_irqsave(&ics->lock, flags);
	deliver = ics_write_xive_locked(ics, idx, server, priority, priority);
	raw_spin_unlock_irqrestore(&ics->lock, flags);

	if (deliver)
		virq_xics_ics_deliver(xics, icp, irq, false);
	*st = RTAS_OK;
	return 0;
}

/* ibm,get-xive: server and current priority (0xff while masked). */
static int xics_rtas_get_xive(struct virq_xics *xics, u64 irq, u64 *rets,
			      s64 *st)
{
	struct xics_source *src;
	struct xics_ics *ics;
	unsigned long flags;

	*st = RTAS_PARAM;
	if (!xics_source_valid(xics, irq))
		return 0;
	*st = RTAS_OK;
	ics = xics_ics_get(xics, xics_icsid(irq));
	if (!ics) {
		rets[0] = 0;
		rets[1] = XICS_PRIO_MASKED;
		return 0;
	}
	src = &ics->src[xics_srcidx(irq)];

	raw_spin_lock_irqsave(&ics->lock, flags);
	rets[0] = src->server;
	rets[1] = src->priority;
	raw_spin_unlock_irqrestore(&ics->lock, flags);
	return 0;
}

/* ibm,int-off: mask, saving the priority for ibm,int-on. */
static int xics_rtas_int_off(struct virq_xics *xics, u64 irq, s64 *st)
{
	struct xics_source *src;
	struct xics_ics *ics;
	unsigned long flags;
	u32 idx;

	*st = RTAS_PARAM;
	if (!xics_source_valid(xics, irq))
		return 0;
	*st = RTAS_OK;
	ics = xics_ics_get(xics, xics_icsid(irq));
	if (!ics)	/* fresh: already masked */
		return 0;
	idx = xics_srcidx(irq);
	src = &ics->src[idx];

	raw_spin_lock_irqsave(&ics->lock, flags);
	if (src->priority != XICS_PRIO_MASKED)
		ics_write_xive_locked(ics, idx, src->server, XICS_PRIO_MASKED,
				      src->priority);
	raw_spin_unlock_irqrestore(&ics->lock, flags);
	return 0;
}

/* ibm,int-on: unmask at the saved priority; its server must exist. */
static int xics_rtas_int_on(struct virq_xics *xics, u64 irq, s64 *st)
{
	struct xics_source *src;
	struct xics_icp *icp;
	struct xics_ics *ics;
	unsigned long flags;
	bool deliver = false;
	u32 idx, server;

	*st = RTAS_PARAM;
	if (!xics_source_valid(xics, irq))
		return 0;
	ics = xics_ics_alloc(xics, irq, GFP_KERNEL_ACCOUNT);
	if (!ics)
		return -ENOMEM;
	idx = xics_srcidx(irq);
	src = &ics->src[idx];

	raw_spin_lock_irqsave(&ics->lock, flags);
	server = src->server;
	icp = virq_xics_find_server(xics, server);
	if (icp)
		deliver = ics_write_xive_locked(ics, idx, server,
						src->saved_priority,
						src->saved_priority);
	raw_spin_unlock_irqrestore(&ics->lock, flags);

	if (!icp)
		return 0;
	if (deliver)
		virq_xics_ics_deliver(xics, icp, irq, false);
	*st = RTAS_OK;
	return 0;
}

/*
 * Mark a source level-sensitive (LSI) or message-signalled.  Sources of an
 * MSI_ALLOC block stay MSIs.
 */
static int xics_rtas_set_lsi(struct virq_xics *xics, u64 irq, u64 level,
			     s64 *st)
{
	struct xics_source *src;
	struct xics_ics *ics;
	unsigned long flags;
	u32 idx;

	*st = RTAS_PARAM;
	if (!xics_source_valid(xics, irq) || level > 1)
		return 0;
	ics = xics_ics_alloc(xics, irq, GFP_KERNEL_ACCOUNT);
	if (!ics)
		return -ENOMEM;
	idx = xics_srcidx(irq);
	src = &ics->src[idx];

	raw_spin_lock_irqsave(&ics->lock, flags);
	if (!level || !test_bit(idx, ics->msi_map)) {
		src->lsi = level;
		src->exists = 1;
		if (level)
			src->queued = 0;
		*st = RTAS_OK;
	}
	raw_spin_unlock_irqrestore(&ics->lock, flags);
	return 0;
}

/* --- MSI blocks --- */

static bool xics_msi_count_ok(u64 count)
{
	return count && count <= VIRQ_XICS_MSI_MAX && !(count & (count - 1));
}

/* Claim @count free sources from @idx in @ics, if they are all free. */
static bool ics_msi_claim_locked(struct xics_ics *ics, u32 idx, u32 count)
	__must_hold(&ics->lock)
{
	u32 i;

	lockdep_assert_held(&ics->lock);

	for (i = idx; i < idx + count; i++)
		if (test_bit(i, ics->msi_map) || ics->src[i].exists)
			return false;
	for (i = idx; i < idx + count; i++) {
		xics_source_reset(&ics->src[i]);
		ics->src[i].exists = 1;
		__clear_bit(i, ics->resend_map);
		__set_bit(i, ics->msi_map);
	}
	__set_bit(idx, ics->msi_first);
	return true;
}

/*
 * MSI_ALLOC: the lowest free block of @count sources aligned to @count.  A
 * source is free if no block holds it and nothing configured or drove it.
 * A block never spans two ICSes (count <= 1024).
 */
static int xics_msi_alloc(struct virq_xics *xics, u64 count, u64 *first)
{
	struct xics_ics *ics;
	unsigned long flags;
	u32 icsid, idx, start;
	bool found;

	if (!xics_msi_count_ok(count))
		return -EINVAL;

	for (icsid = 0; icsid < xics->nr_ics; icsid++) {
		start = 0;
		if (!icsid)	/* skip the reserved sources */
			start = ALIGN(VIRQ_XICS_FIRST_SOURCE, count);
		if (start + count > XICS_ICS_SIZE)
			continue;
		ics = xics_ics_alloc(xics, icsid << VIRQ_XICS_ICS_SHIFT,
				     GFP_KERNEL_ACCOUNT);
		if (!ics)
			return -ENOMEM;

		found = false;
		raw_spin_lock_irqsave(&ics->lock, flags);
		for (idx = start; idx + count <= XICS_ICS_SIZE; idx += count) {
			found = ics_msi_claim_locked(ics, idx, count);
			if (found)
				break;
		}
		raw_spin_unlock_irqrestore(&ics->lock, flags);

		if (found) {
			*first = icsid << VIRQ_XICS_ICS_SHIFT | idx;
			return 0;
		}
	}
	return -ENOSPC;
}

/* Is [idx, idx + count) exactly one MSI_ALLOC block? */
static bool ics_msi_is_block_locked(struct xics_ics *ics, u32 idx, u32 count)
	__must_hold(&ics->lock)
{
	u32 i, end = idx + count;

	lockdep_assert_held(&ics->lock);

	if (!test_bit(idx, ics->msi_first))
		return false;
	for (i = idx; i < end; i++)
		if (!test_bit(i, ics->msi_map) ||
		    (i != idx && test_bit(i, ics->msi_first)))
			return false;
	return end == XICS_ICS_SIZE || !test_bit(end, ics->msi_map) ||
	       test_bit(end, ics->msi_first);
}

/*
 * MSI_FREE: give back a block and reset its sources to fresh.  An
 * interrupt of the block already in an XISR stays there; its EOI then
 * finds a fresh source and does nothing.
 */
static int xics_msi_free(struct virq_xics *xics, u64 first, u64 count)
{
	struct xics_ics *ics;
	unsigned long flags;
	u32 i, idx;
	int ret = 0;

	if (!xics_msi_count_ok(count) || first & (count - 1) ||
	    !xics_source_valid(xics, first))
		return -EINVAL;
	ics = xics_ics_get(xics, xics_icsid(first));
	if (!ics)
		return -EINVAL;
	idx = xics_srcidx(first);

	raw_spin_lock_irqsave(&ics->lock, flags);
	if (!ics_msi_is_block_locked(ics, idx, count)) {
		ret = -EINVAL;
	} else {
		for (i = idx; i < idx + count; i++) {
			xics_source_reset(&ics->src[i]);
			__clear_bit(i, ics->resend_map);
			__clear_bit(i, ics->msi_map);
		}
		__clear_bit(idx, ics->msi_first);
	}
	raw_spin_unlock_irqrestore(&ics->lock, flags);
	return ret;
}

/*
 * VIRQ_CHIP_CALL.  The RTAS services return an RTAS status in call->ret;
 * MSI_ALLOC/MSI_FREE fail the ioctl instead (EINVAL for a bad count or
 * block, ENOSPC when no block is free), since the VMM calls them.
 */
static int xics_chip_call(struct virq_instance *inst,
			  struct virq_call_args *call)
{
	struct virq_xics *xics = xics_of(inst);
	const u64 *a = call->args;
	s64 *st = &call->ret;

	memset(call->rets, 0, sizeof(call->rets));
	call->ret = RTAS_OK;

	switch (call->nr) {
	case VIRQ_XICS_CALL_SET_XIVE:
		return xics_rtas_set_xive(xics, a[0], a[1], a[2], st);
	case VIRQ_XICS_CALL_GET_XIVE:
		return xics_rtas_get_xive(xics, a[0], call->rets, st);
	case VIRQ_XICS_CALL_INT_OFF:
		return xics_rtas_int_off(xics, a[0], st);
	case VIRQ_XICS_CALL_INT_ON:
		return xics_rtas_int_on(xics, a[0], st);
	case VIRQ_XICS_CALL_SET_LSI:
		return xics_rtas_set_lsi(xics, a[0], a[1], st);
	case VIRQ_XICS_CALL_MSI_ALLOC:
		return xics_msi_alloc(xics, a[0], &call->rets[0]);
	case VIRQ_XICS_CALL_MSI_FREE:
		return xics_msi_free(xics, a[0], a[1]);
	}
	return -EOPNOTSUPP;
}

/* --- State words --- */

static u64 ics_get_word_locked(struct xics_ics *ics, u32 idx)
	__must_hold(&ics->lock)
{
	struct xics_source *src = &ics->src[idx];
	u64 word = src->server;
	u64 prio = src->priority;

	lockdep_assert_held(&ics->lock);

	if (prio == XICS_PRIO_MASKED) {
		word |= VIRQ_XICS_MASKED;
		prio = src->saved_priority;
	}
	word |= prio << VIRQ_XICS_PRIORITY_SHIFT;
	if (src->lsi)
		word |= VIRQ_XICS_LEVEL_SENSITIVE;
	if (src->masked_pending || test_bit(idx, ics->resend_map))
		word |= VIRQ_XICS_PENDING;
	if (src->presented)
		word |= VIRQ_XICS_PRESENTED;
	if (src->queued)
		word |= VIRQ_XICS_QUEUED;
	if (src->asserted)
		word |= VIRQ_XICS_ASSERTED;
	if (test_bit(idx, ics->msi_map))
		word |= VIRQ_XICS_MSI;
	if (test_bit(idx, ics->msi_first))
		word |= VIRQ_XICS_MSI_FIRST;
	return word;
}

/*
 * VIRQ_GET_SOURCES.  The word is KVM's, except:
 *  - PENDING means "waiting to be presented" (masked_pending or resend) for
 *    LSIs too; KVM sets it for an LSI whose P bit is set.  The line level
 *    is in ASSERTED.
 *  - ASSERTED, MSI and MSI_FIRST are virq extensions.
 * Sources of absent ICSes and reserved sources read as fresh.
 */
static int xics_get_sources(struct virq_instance *inst, u32 first, u32 count,
			    u64 *words)
{
	struct virq_xics *xics = xics_of(inst);
	struct xics_ics *ics;
	unsigned long flags;
	u32 i, irq;

	for (i = 0; i < count; i++) {
		irq = first + i;
		ics = xics_ics_get(xics, xics_icsid(irq));
		if (!ics || irq < VIRQ_XICS_FIRST_SOURCE) {
			words[i] = XICS_FRESH_WORD;
			continue;
		}
		raw_spin_lock_irqsave(&ics->lock, flags);
		words[i] = ics_get_word_locked(ics, xics_srcidx(irq));
		raw_spin_unlock_irqrestore(&ics->lock, flags);
	}
	return 0;
}

/*
 * Check a word for source @irq.  As KVM, an unmasked priority needs an
 * existing server.  *@last caches the last server found.
 */
static int xics_check_word(struct virq_xics *xics, u32 irq, u64 word,
			   u64 *last)
{
	u32 server = word & VIRQ_XICS_DESTINATION_MASK;
	u8 prio = word >> VIRQ_XICS_PRIORITY_SHIFT;

	if (word & ~XICS_WORD_VALID)
		return -EINVAL;
	if (word == XICS_FRESH_WORD)
		return 0;
	if (irq < VIRQ_XICS_FIRST_SOURCE)
		return -EINVAL;
	if ((word & VIRQ_XICS_LEVEL_SENSITIVE) &&
	    (word & (VIRQ_XICS_QUEUED | VIRQ_XICS_MSI)))
		return -EINVAL;
	if ((word & VIRQ_XICS_QUEUED) &&
	    !(word & (VIRQ_XICS_PRESENTED | VIRQ_XICS_PENDING)))
		return -EINVAL;
	if ((word & VIRQ_XICS_MSI_FIRST) && !(word & VIRQ_XICS_MSI))
		return -EINVAL;
	if (prio != XICS_PRIO_MASKED && *last != server) {
		if (!virq_xics_find_server(xics, server))
			return -EINVAL;
		*last = server;
	}
	return 0;
}

static bool ics_set_word_locked(struct xics_ics *ics, u32 idx, u64 word)
	__must_hold(&ics->lock)
{
	struct xics_source *src = &ics->src[idx];
	u8 prio = word >> VIRQ_XICS_PRIORITY_SHIFT;

	lockdep_assert_held(&ics->lock);

	xics_source_reset(src);
	__clear_bit(idx, ics->resend_map);
	__clear_bit(idx, ics->msi_map);
	__clear_bit(idx, ics->msi_first);
	if (word == XICS_FRESH_WORD)
		return false;

	src->server = word & VIRQ_XICS_DESTINATION_MASK;
	src->saved_priority = prio;
	src->priority = word & VIRQ_XICS_MASKED ? XICS_PRIO_MASKED : prio;
	src->lsi = !!(word & VIRQ_XICS_LEVEL_SENSITIVE);
	/* PENDING implies P, as KVM does for words of older kernels. */
	src->presented = !!(word & (VIRQ_XICS_PRESENTED | VIRQ_XICS_PENDING));
	src->queued = !!(word & VIRQ_XICS_QUEUED);
	/* The saved line level belongs to the VMM now: resamplers re-raise. */
	if (word & VIRQ_XICS_ASSERTED)
		src->asserted = BIT(VIRQ_DRIVER_USER);
	if (word & VIRQ_XICS_MSI)
		__set_bit(idx, ics->msi_map);
	if (word & VIRQ_XICS_MSI_FIRST)
		__set_bit(idx, ics->msi_first);
	src->exists = 1;
	return word & VIRQ_XICS_PENDING;
}

/*
 * VIRQ_SET_SOURCES: check every word, allocate every ICS a non-fresh word
 * needs, then apply.  Nothing changes on error.  PENDING sources are then
 * delivered; PRESENTED ones are left to the ICP words.
 */
static int xics_set_sources(struct virq_instance *inst, u32 first, u32 count,
			    const u64 *words)
{
	struct virq_xics *xics = xics_of(inst);
	u64 last = U64_MAX;
	struct xics_ics *ics;
	unsigned long flags;
	u32 i, irq;
	bool pending;
	int ret;

	for (i = 0; i < count; i++) {
		ret = xics_check_word(xics, first + i, words[i], &last);
		if (ret)
			return ret;
	}

	for (i = 0; i < count; i++) {
		irq = first + i;
		if (words[i] != XICS_FRESH_WORD &&
		    !xics_ics_alloc(xics, irq, GFP_KERNEL_ACCOUNT))
			return -ENOMEM;
	}

	for (i = 0; i < count; i++) {
		irq = first + i;
		ics = xics_ics_get(xics, xics_icsid(irq));
		if (!ics || irq < VIRQ_XICS_FIRST_SOURCE)
			continue;	/* fresh already, and staying so */
		raw_spin_lock_irqsave(&ics->lock, flags);
		pending = ics_set_word_locked(ics, xics_srcidx(irq), words[i]);
		raw_spin_unlock_irqrestore(&ics->lock, flags);
		if (pending)
			virq_xics_ics_deliver(xics, NULL, irq, false);
	}
	return 0;
}

/* --- Chip --- */

static int xics_get_attr(struct virq_instance *inst, u32 group, u64 attr,
			 void *buf, u32 *size)
{
	return -ENXIO;
}

static int xics_set_attr(struct virq_instance *inst, u32 group, u64 attr,
			 const void *buf, u32 size)
{
	return -ENXIO;
}

static int xics_has_attr(struct virq_instance *inst, u32 group, u64 attr)
{
	return -ENXIO;
}

static int xics_create(struct virq_instance *inst,
		       const struct virq_config *cfg)
{
	struct virq_xics *xics;
	u32 nr_ics;

	if (!cfg->nr_sources || cfg->nr_sources % XICS_ICS_SIZE ||
	    cfg->nr_sources > VIRQ_XICS_MAX_SOURCES)
		return -EINVAL;
	nr_ics = cfg->nr_sources / XICS_ICS_SIZE;

	xics = kzalloc(sizeof(*xics), GFP_KERNEL_ACCOUNT);
	if (!xics)
		return -ENOMEM;
	/* Apart from the chip: 8 KiB for 1M sources, see struct virq_xics. */
	xics->ics = kvcalloc(nr_ics, sizeof(*xics->ics), GFP_KERNEL_ACCOUNT);
	if (!xics->ics) {
		kfree(xics);
		return -ENOMEM;
	}
	xics->inst = inst;
	xics->nr_sources = cfg->nr_sources;
	xics->nr_ics = nr_ics;
	xics->nr_vcpus = cfg->nr_vcpus;
	virq_view(inst)->chip = xics;
	return 0;
}

/* The ICPs are the vCPUs' (virq_xics_vcpu_destroy()). */
static void xics_destroy(struct virq_instance *inst)
{
	struct virq_xics *xics = xics_of(inst);
	u32 i;

	for (i = 0; i < xics->nr_ics; i++)
		xics_ics_free(xics->ics[i]);
	kvfree(xics->ics);
	kfree(xics);
	virq_view(inst)->chip = NULL;
}

static void xics_show(struct virq_instance *inst, struct seq_file *m)
{
	struct virq_xics *xics = xics_of(inst);
	struct xics_ics *ics;
	unsigned long flags;
	u32 icsid, idx, n = 0;
	bool exists;
	u64 word;

	for (icsid = 0; icsid < xics->nr_ics; icsid++)
		n += !!xics_ics_get(xics, icsid);
	seq_printf(m, "xics: %u sources, %u of %u ICS allocated\n",
		   xics->nr_sources, n, xics->nr_ics);

	virq_xics_show_icps(xics, m);

	for (icsid = 0; icsid < xics->nr_ics; icsid++) {
		ics = xics_ics_get(xics, icsid);
		if (!ics)
			continue;
		for (idx = 0; idx < XICS_ICS_SIZE; idx++) {
			raw_spin_lock_irqsave(&ics->lock, flags);
			word = ics_get_word_locked(ics, idx);
			exists = ics->src[idx].exists;
			raw_spin_unlock_irqrestore(&ics->lock, flags);
			if (!exists && word == XICS_FRESH_WORD)
				continue;
			seq_printf(m, "src %#07x: word %#018llx%s\n",
				   icsid << VIRQ_XICS_ICS_SHIFT | idx, word,
				   exists ? "" : " (unused)");
		}
	}
}

const struct virq_chip_ops virq_xics_ops = {
	.family			= VIRQ_FAMILY_XICS,
	.name			= "xics",
	.max_vcpus		= XICS_MAX_VCPUS,
	.max_sources		= VIRQ_XICS_MAX_SOURCES,
	.features		= 0,
	.source_word_version	= VIRQ_XICS_SOURCE_WORD_VERSION,
	.options_size		= 0,

	.create			= xics_create,
	.destroy		= xics_destroy,
	.vcpu_create		= virq_xics_vcpu_create,
	.vcpu_destroy		= virq_xics_vcpu_destroy,

	.set_irq		= xics_set_irq,
	.signal_msi		= xics_signal_msi,
	.check_msi		= xics_check_msi,

	.get_sources		= xics_get_sources,
	.set_sources		= xics_set_sources,
	.get_attr		= xics_get_attr,
	.set_attr		= xics_set_attr,
	.has_attr		= xics_has_attr,
	.chip_call		= xics_chip_call,

	.vcpu_output		= virq_xics_vcpu_output,
	.vcpu_ack		= virq_xics_vcpu_ack,
	.vcpu_access		= virq_xics_vcpu_access,
	.vcpu_call		= virq_xics_vcpu_call,
	.vcpu_get_attr		= virq_xics_vcpu_get_attr,
	.vcpu_set_attr		= virq_xics_vcpu_set_attr,
	.vcpu_has_attr		= virq_xics_vcpu_has_attr,

	.show			= xics_show,
};
