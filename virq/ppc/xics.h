/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PowerPC XICS, as PAPR presents it to a guest: Interrupt Source
 * Controllers (ICS, one per 1024 sources, xics-ics.c) and one Interrupt
 * Presentation Controller per vCPU (ICP, xics-icp.c), driven through the
 * H_XIRR/H_CPPR/H_EOI/H_IPI/H_IPOLL hypercalls and the ibm,*-xive and
 * ibm,int-on/off RTAS services.
 *
 * Locking order:
 *
 *   xics_ics->lock (raw spinlock, IRQs disabled)	one ICS at a time
 *     xics_icp->state				lock-free, cmpxchg64 only
 *
 * No path holds two ICS locks.  No path calls into the core while holding
 * an ICS lock: virq_vcpu_kick() and virq_notify_eoi() run after it is
 * dropped.  virq_get_vcpu() (server lookup) is lockless and may be called
 * under it.
 */
#ifndef _VIRQ_PPC_XICS_H
#define _VIRQ_PPC_XICS_H

#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/seq_file.h>

#include "../virq.h"

#define XICS_ICS_SIZE		VIRQ_XICS_ICS_SIZE
#define XICS_SRC_MASK		(XICS_ICS_SIZE - 1)
#define XICS_PRIO_MASKED	VIRQ_XICS_PRIORITY_MASKED
#define XICS_IPI_SRC		VIRQ_XICS_IPI
#define XICS_MAX_VCPUS		2048

/* PAPR hcall status */
#define XICS_H_SUCCESS		VIRQ_XICS_H_SUCCESS
#define XICS_H_PARAMETER	VIRQ_XICS_H_PARAMETER

/**
 * struct xics_source - one interrupt source of an ICS
 * @server: destination server number (a vCPU's arch_id)
 * @priority: current priority; XICS_PRIO_MASKED when masked
 * @saved_priority: priority ibm,int-on restores
 * @asserted: level drivers holding the line, BIT(enum virq_driver)
 * @lsi: level-sensitive; else message-signalled (edge)
 * @masked_pending: triggered while masked, presented at unmask
 * @presented: P: triggered and not yet ended by an EOI (it may be waiting
 *	in the ICS, sit in an XISR or be in service)
 * @queued: Q: another edge came while @presented (MSIs only)
 * @exists: configured or driven since creation (or since a reset to the
 *	fresh state): MSI_ALLOC skips such sources
 *
 * All fields are protected by the ICS lock.  The PAPR "resend" flag of a
 * source lives in xics_ics.resend_map so that a resend scan is a bitmap
 * walk.
 */
struct xics_source {
	u32 server;
	u8 priority;
	u8 saved_priority;
	u8 asserted;
	u8 lsi:1;
	u8 masked_pending:1;
	u8 presented:1;
	u8 queued:1;
	u8 exists:1;
};

/* The source array of an ICS is one 8 KiB allocation: no kmalloc slack. */
static_assert(sizeof(struct xics_source) * XICS_ICS_SIZE == 8192);

/**
 * struct xics_ics - an Interrupt Source Controller: 1024 sources
 * @src: the XICS_ICS_SIZE sources; the pointer is set before the ICS is
 *	published and never changes
 * @lock: protects the sources and everything below; IRQ-safe (set_irq
 *	runs from irqfd wakeups with IRQs off)
 * @icsid: source numbers @icsid << 10 .. (@icsid << 10) + 1023
 * @resend_map: per-source resend flag: rejected or undeliverable, to be
 *	presented again at the next resend scan
 * @msi_map: sources handed out by MSI_ALLOC
 * @msi_first: first source of each MSI_ALLOC block
 *
 * Two allocations: this header (a few hundred bytes) and @src (exactly
 * 8 KiB), so that neither is rounded up to the next kmalloc size, as one
 * object of just over 8 KiB would be (to 16 KiB).  Both are allocated and
 * initialised on the first state-changing use of one of the sources, then
 * the header is published once with cmpxchg(); neither is freed before
 * the chip.
 */
struct xics_ics {
	struct xics_source *src;
	raw_spinlock_t lock;
	u32 icsid;
	DECLARE_BITMAP(resend_map, XICS_ICS_SIZE);
	DECLARE_BITMAP(msi_map, XICS_ICS_SIZE);
	DECLARE_BITMAP(msi_first, XICS_ICS_SIZE);
};

/**
 * union xics_icp_state - the ICP registers, changed with one cmpxchg64()
 * @raw: the whole state
 * @out_ee: the EE output: an interrupt is pending above the CPPR
 * @need_resend: a delivery failed since the last resend scan
 * @cppr: Current Processor Priority Register
 * @mfrr: Most Favoured Request Register (IPI priority)
 * @pending_pri: priority of the interrupt in @xisr, 0xff if none
 * @xisr: eXternal Interrupt Source Register: the pending source, 0 if none
 *
 * Only the CPU's own hcalls lower @cppr, raise it or accept @xisr; other
 * CPUs and the ICS only fill @xisr, change @mfrr and set @need_resend.
 */
union xics_icp_state {
	u64 raw;
	struct {
		u8 out_ee:1;
		u8 need_resend:1;
		u8 cppr;
		u8 mfrr;
		u8 pending_pri;
		u32 xisr;
	};
};

/**
 * struct xics_icp - an Interrupt Presentation Controller (one per vCPU)
 * @state: registers, see union xics_icp_state
 * @vcpu: the vCPU; kicked when @state.out_ee may have been raised
 * @server: server number (@vcpu->arch_id)
 * @resend_map: ICS ids that may hold sources rejected by this ICP
 */
struct xics_icp {
	union xics_icp_state state;
	struct virq_vcpu *vcpu;
	u32 server;
	unsigned long resend_map[];
};

/**
 * struct virq_xics - the chip (virq_instance_view.chip)
 * @inst: owning instance
 * @nr_sources: size of the flat source-number space
 * @nr_ics: @nr_sources / 1024
 * @nr_vcpus: number of vCPU slots
 * @ics: array of @nr_ics ICS pointers, NULL until first use
 *
 * @ics is allocated apart (kvcalloc()): 8 KiB for the largest chip, 1M
 * sources, which with the header in front would take a 16 KiB object.
 */
struct virq_xics {
	struct virq_instance *inst;
	u32 nr_sources;
	u32 nr_ics;
	u32 nr_vcpus;
	struct xics_ics **ics;
};

static inline struct virq_xics *xics_of(struct virq_instance *inst)
{
	return virq_view(inst)->chip;
}

static inline u32 xics_icsid(u32 irq)
{
	return irq >> VIRQ_XICS_ICS_SHIFT;
}

static inline u32 xics_srcidx(u32 irq)
{
	return irq & XICS_SRC_MASK;
}

/* An ICS, or NULL while none of its sources was ever used. */
static inline struct xics_ics *xics_ics_get(struct virq_xics *xics, u32 icsid)
{
	/* Pairs with the cmpxchg() publishing it in xics_ics_alloc(). */
	return smp_load_acquire(&xics->ics[icsid]);
}

/* A source number the guest may use: in range and not reserved. */
static inline bool xics_source_valid(struct virq_xics *xics, u64 irq)
{
	return irq >= VIRQ_XICS_FIRST_SOURCE && irq < xics->nr_sources;
}

/* xics-ics.c */
int virq_xics_ics_deliver(struct virq_xics *xics, struct xics_icp *icp,
			  u32 irq, bool check_resend);
void virq_xics_ics_resend(struct virq_xics *xics, struct xics_icp *icp,
			  u32 icsid);
long virq_xics_ics_eoi(struct virq_xics *xics, u32 irq);

/* xics-icp.c */
struct xics_icp *virq_xics_find_server(struct virq_xics *xics, u32 server);
bool virq_xics_icp_try_to_deliver(struct xics_icp *icp, u32 irq, u8 priority,
				  u32 *reject);
void virq_xics_show_icps(struct virq_xics *xics, struct seq_file *m);
int virq_xics_vcpu_create(struct virq_vcpu *vcpu);
void virq_xics_vcpu_destroy(struct virq_vcpu *vcpu);
u32 virq_xics_vcpu_output(struct virq_vcpu *vcpu, u32 *sipi_vector);
int virq_xics_vcpu_ack(struct virq_vcpu *vcpu, u32 event, u64 *id);
int virq_xics_vcpu_access(struct virq_vcpu *vcpu, u32 space, u64 addr,
			  u32 len, bool write, u64 *data);
int virq_xics_vcpu_call(struct virq_vcpu *vcpu, struct virq_call_args *call);
int virq_xics_vcpu_get_attr(struct virq_vcpu *vcpu, u32 group, u64 attr,
			    void *buf, u32 *size);
int virq_xics_vcpu_set_attr(struct virq_vcpu *vcpu, u32 group, u64 attr,
			    const void *buf, u32 size);
int virq_xics_vcpu_has_attr(struct virq_vcpu *vcpu, u32 group, u64 attr);

#endif /* _VIRQ_PPC_XICS_H */
