// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC (Intel SDM vol. 3, chapter 11 "Advanced Programmable
 * Interrupt Controller"): one per vCPU, in xAPIC (MMIO page) or x2APIC
 * (MSR) mode, and the delivery of APIC-bus messages (IPIs, IOAPIC and MSI
 * interrupts) to the LAPICs they name.  The timer lives in timer.c; this
 * file owns the timer registers and tells timer.c about them.
 *
 * The register file is the 1 KiB xAPIC page, little-endian, as struct
 * kvm_lapic_state holds it, so that save/restore is a copy plus checks.
 * Every register is described once in lapic_regs[], indexed by offset /
 * 16; the MMIO and the MSR paths share it.
 *
 * Locking: one raw spinlock per LAPIC, innermost in the family's order
 * (see x86.h).  The static helpers that take a struct x86_lapic run with
 * its lock held, except those that take it themselves (lapic_accept(),
 * lapic_deliver_lowest(), lapic_inta(), lapic_ack_*(), lapic_finish()).
 * x86_deliver() takes each target's lock in turn, never two at once.
 * Everything that reaches outside the LAPIC (sending an IPI, the EOI
 * broadcast to the IOAPICs, kicking the vCPU, asking the PIC) happens
 * after the lock is dropped: the work is collected in a struct
 * lapic_after under the lock.  timer.c's functions are called with the
 * lock held, as their contract says; x86_lapic_timer_fired() comes from
 * the hrtimer with no lock held.
 *
 * APIC-bus matching reads a lockless snapshot of each LAPIC (@bus, one
 * u64 written under the lock), so a broadcast or a physical-destination
 * message costs one load per vCPU and locks only the LAPICs it reaches:
 * O(nr_vcpus) loads per message.  A lookup table would need chip-wide
 * state that x86.h does not give this file, and xAPIC ids are writable
 * (duplicates must all accept), so the scan stays.
 *
 * Where this model departs from KVM (arch/x86/kvm/lapic.c), following the
 * SDM instead, the code says so ("KVM: ...").
 */
#define pr_fmt(fmt) "virq: lapic: " fmt

#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/nospec.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "lapic.h"

/* struct x86_lapic.bus: what matching a message needs, one snapshot */
#define LAPIC_BUS_ID		GENMASK_ULL(31, 0)	/* x2APIC: 32 bits */
#define LAPIC_BUS_LDR_SHIFT	32	/* xAPIC logical id, LDR[31:24] */
#define LAPIC_BUS_FLAT		BIT_ULL(40)	/* DFR flat model */
#define LAPIC_BUS_CLUSTER	BIT_ULL(41)	/* DFR cluster model */
#define LAPIC_BUS_X2APIC	BIT_ULL(42)
#define LAPIC_BUS_HW		BIT_ULL(43)	/* IA32_APIC_BASE enable */
#define LAPIC_BUS_SW		BIT_ULL(44)	/* SVR enable */
#define LAPIC_BUS_EXTINT	BIT_ULL(45)	/* passes the PIC's INTR */

/* lapic_lines(): the PIC's INTR reaches this vCPU (ask the PIC) */
#define LAPIC_LINE_PIC		BIT(31)

#define LAPIC_DFR_RESERVED	0x0fffffffU	/* DFR bits 27:0 read as 1 */
#define LAPIC_ID_XAPIC		0xff000000U	/* ID, LDR, ICR2: bits 31:24 */
#define LAPIC_ICR_MASK		(LAPIC_VECTOR | LAPIC_DM_MASK | \
				 LAPIC_LOGICAL | LAPIC_ASSERT | \
				 LAPIC_LEVEL | 3U << LAPIC_SH_SHIFT)
/* x2APIC ICR bits whose write raises #GP (KVM agrees) */
#define LAPIC_X2APIC_ICR_RESERVED (GENMASK_ULL(31, 20) | \
				   GENMASK_ULL(17, 16) | BIT_ULL(13))
#define LAPIC_LVT_MASK_T	(LAPIC_VECTOR | LAPIC_MASKED | \
				 LAPIC_TIMER_MODE)
#define LAPIC_LVT_MASK_DM	(LAPIC_VECTOR | LAPIC_DM_MASK | LAPIC_MASKED)
#define LAPIC_LVT_MASK_LINT	(LAPIC_LVT_MASK_DM | LAPIC_POLARITY | \
				 LAPIC_LEVEL)
#define LAPIC_LVT_MASK_ERR	(LAPIC_VECTOR | LAPIC_MASKED)
#define LAPIC_TDCR_MASK		0xbU
#define LAPIC_SVR_MASK		(LAPIC_SVR_VECTOR | LAPIC_SVR_ENABLE | \
				 LAPIC_SVR_NO_FOCUS)

/* ICR delivery modes the ICR does not define (remote read, ExtINT) */
#define LAPIC_DM_RESERVED	3

static const u32 lapic_lvts[] = {
	LAPIC_LVTT, LAPIC_LVTTHMR, LAPIC_LVTPC, LAPIC_LVT0, LAPIC_LVT1,
	LAPIC_LVTERR,
};

/*
 * What a register access or a delivery leaves to do once the lock is
 * dropped.
 */
struct lapic_after {
	bool send;		/* send @ipi, from this vCPU */
	int eoi;		/* vector to broadcast to the IOAPICs, or -1 */
	struct x86_irq ipi;
};

/* --- the register page ---------------------------------------------------- */

static u32 page_get(const u8 *page, u32 reg)
{
	const u8 *p = page + reg;

	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static void page_set(u8 *page, u32 reg, u32 val)
{
	u8 *p = page + reg;

	p[0] = val;
	p[1] = val >> 8;
	p[2] = val >> 16;
	p[3] = val >> 24;
}

static u32 lapic_get(const struct x86_lapic *l, u32 reg)
{
	return page_get(l->regs, reg);
}

static void lapic_set(struct x86_lapic *l, u32 reg, u32 val)
{
	page_set(l->regs, reg, val);
}

/* ISR, TMR, IRR: 256 bits in eight registers from @base */
static bool lapic_test_vec(const struct x86_lapic *l, u32 base, u8 vec)
{
	return lapic_get(l, base + (vec >> 5) * 0x10) & BIT(vec & 31);
}

static void lapic_assign_vec(struct x86_lapic *l, u32 base, u8 vec, bool on)
{
	u32 reg = base + (vec >> 5) * 0x10;
	u32 val = lapic_get(l, reg);

	lapic_set(l, reg, on ? val | BIT(vec & 31) : val & ~BIT(vec & 31));
}

/* The highest vector set from @base, or -1 */
static int lapic_highest(const struct x86_lapic *l, u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = lapic_get(l, base + i * 0x10);

		if (w)
			return i * 32 + fls(w) - 1;
	}
	return -1;
}

static bool lapic_hw_enabled(const struct x86_lapic *l)
{
	return l->apic_base & LAPIC_BASE_EN;
}

static bool lapic_x2apic(const struct x86_lapic *l)
{
	return l->apic_base & LAPIC_BASE_EXTD;
}

static bool lapic_sw_enabled(const struct x86_lapic *l)
{
	return lapic_get(l, LAPIC_SVR) & LAPIC_SVR_ENABLE;
}

static bool lapic_enabled(const struct x86_lapic *l)
{
	return lapic_hw_enabled(l) && lapic_sw_enabled(l);
}

static bool lapic_deadline_mode(const struct x86_lapic *l)
{
	return (lapic_get(l, LAPIC_LVTT) & LAPIC_TIMER_MODE) ==
	       LAPIC_TIMER_TSCDEADLINE;
}

static u32 lapic_x2apic_ldr(u32 id)
{
	return (id >> 4) << 16 | BIT(id & 0xf);
}

static u32 lapic_version(const struct x86_lapic *l)
{
	return LAPIC_VERSION | LAPIC_MAX_LVT << 16 |
	       (l->directed_eoi ? LAPIC_LVR_DIRECTED_EOI : 0);
}

static u32 lapic_svr_mask(const struct x86_lapic *l)
{
	return LAPIC_SVR_MASK | (l->directed_eoi ? LAPIC_SVR_SUPPRESS_EOI : 0);
}

/* --- priorities (SDM 11.8.3) ---------------------------------------------- */

/* PPR: TPR, or the class of the highest in-service vector if higher */
static void lapic_update_ppr(struct x86_lapic *l)
{
	u32 tpr = lapic_get(l, LAPIC_TPR);
	int isr = lapic_highest(l, LAPIC_ISR);
	u32 isrv = isr < 0 ? 0 : isr & 0xf0;

	lapic_set(l, LAPIC_PPR, (tpr & 0xf0) >= isrv ? tpr : isrv);
}

/* APR (xAPIC only).  KVM reads it as 0; this is the SDM's formula. */
static u32 lapic_apr(const struct x86_lapic *l)
{
	u32 tpr = lapic_get(l, LAPIC_TPR);
	int isr = lapic_highest(l, LAPIC_ISR);
	int irr = lapic_highest(l, LAPIC_IRR);
	u32 isrv = isr < 0 ? 0 : isr & 0xf0;
	u32 irrv = irr < 0 ? 0 : irr & 0xf0;

	if ((tpr & 0xf0) >= irrv && (tpr & 0xf0) > isrv)
		return tpr;
	return max3(tpr & 0xf0, isrv, irrv);
}

/*
 * The vector INTR presents: the highest requested one whose class is
 * above the PPR's, on an enabled LAPIC; else -1.  KVM also presents
 * requests while the LAPIC is software-disabled; the SDM holds them
 * (11.4.7.2), and so does this model.
 */
static int lapic_pending_vector(const struct x86_lapic *l)
{
	int irr;

	if (!lapic_enabled(l))
		return -1;
	irr = lapic_highest(l, LAPIC_IRR);
	if (irr < 0 || (irr & 0xf0) <= (lapic_get(l, LAPIC_PPR) & 0xf0))
		return -1;
	return irr;
}

/*
 * The outputs this LAPIC asserts on its own, plus LAPIC_LINE_PIC when
 * the PIC's INTR reaches the vCPU.  A bit that rises across a change
 * means a kick.
 */
static u32 lapic_lines(const struct x86_lapic *l)
{
	u32 lines = l->events & (VIRQ_OUT_NMI | VIRQ_OUT_INIT |
				 VIRQ_OUT_SMI | VIRQ_OUT_EXTINT);

	if (l->wait_sipi && (l->events & VIRQ_OUT_SIPI))
		lines |= VIRQ_OUT_SIPI;
	if (lapic_pending_vector(l) >= 0)
		lines |= VIRQ_OUT_INT;
	if (l->bus & LAPIC_BUS_EXTINT)
		lines |= LAPIC_LINE_PIC;
	return lines;
}

/*
 * Refresh the snapshot x86_deliver() matches against.  The PIC's INTR
 * reaches LINT0 when LVT0 is an unmasked ExtINT entry; with the LAPIC
 * hardware-disabled the processor takes INTR directly (SDM 11.4.3), which
 * this model grants to the bootstrap processor only.
 */
static void lapic_update_bus(struct x86_lapic *l)
{
	u32 lvt0 = lapic_get(l, LAPIC_LVT0);
	u32 model = lapic_get(l, LAPIC_DFR) >> 28;
	u64 bus;

	lockdep_assert_held(&l->lock);
	if (lapic_x2apic(l)) {
		bus = lapic_get(l, LAPIC_ID) | LAPIC_BUS_X2APIC;
	} else {
		bus = lapic_get(l, LAPIC_ID) >> 24;
		bus |= (u64)(lapic_get(l, LAPIC_LDR) >> 24) <<
		       LAPIC_BUS_LDR_SHIFT;
		if (model == 0xf)
			bus |= LAPIC_BUS_FLAT;
		else if (model == 0)
			bus |= LAPIC_BUS_CLUSTER;
	}
	if (lapic_hw_enabled(l)) {
		bus |= LAPIC_BUS_HW;
		if (!(lvt0 & LAPIC_MASKED) &&
		    (lvt0 & LAPIC_DM_MASK) >> LAPIC_DM_SHIFT == X86_DM_EXTINT)
			bus |= LAPIC_BUS_EXTINT;
	} else if (l->apic_base & LAPIC_BASE_BSP) {
		bus |= LAPIC_BUS_EXTINT;
	}
	if (lapic_sw_enabled(l))
		bus |= LAPIC_BUS_SW;
	WRITE_ONCE(l->bus, bus);
}

/* --- interrupt acceptance ------------------------------------------------- */

/* Request @vec (16..255) in IRR; TMR follows the trigger mode */
static int lapic_set_irr(struct x86_lapic *l, u8 vec, bool level)
{
	lapic_assign_vec(l, LAPIC_TMR, vec, level);
	if (lapic_test_vec(l, LAPIC_IRR, vec))
		return 0;
	lapic_assign_vec(l, LAPIC_IRR, vec, true);
	return 1;
}

/*
 * Error detection (SDM 11.5.3): errors collect in esr_pending until the
 * guest writes the ESR, and each new one raises the LVT error interrupt.
 * An error entry with a vector below 16 is itself a receive error, and
 * raises nothing.
 */
static void lapic_error(struct x86_lapic *l, u8 errors)
{
	u32 lvterr = lapic_get(l, LAPIC_LVTERR);
	u8 vec = lvterr & LAPIC_VECTOR;
	bool raise = !(lvterr & LAPIC_MASKED) && lapic_enabled(l);

	if (raise && vec < 16) {
		errors |= LAPIC_ESR_RECV_ILLEGAL;
		raise = false;
	}
	if (!(errors & ~l->esr_pending))
		return;
	l->esr_pending |= errors;
	if (raise)
		lapic_set_irr(l, vec, false);
}

/*
 * A fixed interrupt arrives (message or local source).  Vectors 0-15 are
 * illegal: a receive error, not accepted.  A software-disabled LAPIC
 * drops fixed interrupts, as KVM does.
 */
static int lapic_fixed(struct x86_lapic *l, u8 vec, bool level)
{
	if (vec < 16) {
		lapic_error(l, LAPIC_ESR_RECV_ILLEGAL);
		return 0;
	}
	if (!lapic_enabled(l))
		return 0;
	return lapic_set_irr(l, vec, level);
}

/* Accept @irq; the caller has matched the destination.  1 if new. */
static int lapic_accept_locked(struct x86_chip *chip, struct x86_lapic *l,
			       const struct x86_irq *irq)
{
	u32 ev;

	lockdep_assert_held(&l->lock);
	if (!lapic_hw_enabled(l))
		return 0;

	switch (irq->delivery_mode) {
	case X86_DM_FIXED:
	case X86_DM_LOWEST:
		return lapic_fixed(l, irq->vector, irq->level);
	case X86_DM_NMI:
		ev = VIRQ_OUT_NMI;
		break;
	case X86_DM_SMI:
		ev = VIRQ_OUT_SMI;
		break;
	case X86_DM_INIT:
		/* A new INIT voids a SIPI that followed the last one. */
		ev = l->events & VIRQ_OUT_INIT;
		l->events = (l->events | VIRQ_OUT_INIT) & ~VIRQ_OUT_SIPI;
		return !ev;
	case X86_DM_SIPI:
		/*
		 * Only a processor in wait-for-SIPI takes a SIPI, or one
		 * whose pending INIT will put it there (an INIT taken on an
		 * AP).  The first SIPI wins; KVM keeps the last vector.
		 */
		if (l->events & VIRQ_OUT_SIPI)
			return 0;
		if (!l->wait_sipi && !((l->events & VIRQ_OUT_INIT) &&
				       !(l->apic_base & LAPIC_BASE_BSP)))
			return 0;
		l->events |= VIRQ_OUT_SIPI;
		l->sipi_vector = irq->vector;
		return 1;
	case X86_DM_EXTINT:
		/*
		 * The CPU runs an INTA cycle on the PIC.  KVM ignores ExtINT
		 * messages; this model latches one for the VMM's
		 * VIRQ_OUT_EXTINT acknowledge.  Without a PIC nobody answers
		 * the INTA: not accepted.
		 */
		if (!chip->pic || !lapic_sw_enabled(l))
			return 0;
		ev = VIRQ_OUT_EXTINT;
		break;
	default:
		return 0;
	}
	if (l->events & ev)
		return 0;
	l->events |= ev;
	return 1;
}

static int lapic_accept(struct x86_chip *chip, struct x86_lapic *l,
			const struct x86_irq *irq)
{
	unsigned long flags;
	u32 old, new;
	int ret;

	raw_spin_lock_irqsave(&l->lock, flags);
	old = lapic_lines(l);
	ret = lapic_accept_locked(chip, l, irq);
	new = lapic_lines(l);
	raw_spin_unlock_irqrestore(&l->lock, flags);

	if (new & ~old)
		virq_vcpu_kick(l->vcpu);
	return ret;
}

/* --- destinations (SDM 11.6.2) -------------------------------------------- */

/*
 * Does the destination of @irq name the LAPIC whose snapshot is @bus?
 *
 * An xAPIC-mode LAPIC decodes the low 8 bits of any destination (so an
 * x2APIC-format id above 255 aliases, as hardware does; KVM does not
 * alias).  0xff is the physical broadcast; a logical destination follows
 * the DFR model: flat (any common bit of the 8-bit mask) or cluster
 * (cluster 15 addresses every cluster, then a common bit of the 4-bit
 * mask).  KVM treats logical 0xff as a broadcast even for an LDR of 0; the
 * SDM's mask rule does not match an empty LDR, and neither does this.
 *
 * An x2APIC-mode LAPIC compares 32 bits: physical id, or logical cluster
 * (dest[31:16] == id[31:4]) and mask (bit id[3:0] of dest[15:0]).  The
 * broadcast is 0xffffffff, and 0xff in an xAPIC-format message (the 8-bit
 * destination of an IOAPIC or MSI without remapping, as KVM).
 */
static bool lapic_match_dest(u64 bus, const struct x86_irq *irq)
{
	u32 dest = irq->dest, id = bus & LAPIC_BUS_ID;

	if (!(bus & LAPIC_BUS_X2APIC)) {
		u8 d = dest, ldr = bus >> LAPIC_BUS_LDR_SHIFT;

		if (!irq->logical)
			return d == X86_BROADCAST_XAPIC || d == id;
		if (bus & LAPIC_BUS_FLAT)
			return ldr & d;
		if (bus & LAPIC_BUS_CLUSTER)
			return ((d >> 4) == 0xf || (d >> 4) == (ldr >> 4)) &&
			       (d & ldr & 0xf);
		return false;
	}
	if (dest == (irq->x2apic_dest ? X86_BROADCAST_X2APIC :
				       X86_BROADCAST_XAPIC))
		return true;
	if (!irq->logical)
		return dest == id;
	return (dest >> 16) == (id >> 4) && (dest & BIT(id & 0xf));
}

static bool lapic_match(const struct x86_lapic *l, u64 bus,
			const struct x86_irq *irq, const struct x86_lapic *src)
{
	if (!(bus & LAPIC_BUS_HW))
		return false;
	switch (irq->shorthand) {
	case X86_SH_SELF:
		return l == src;
	case X86_SH_ALL:
		return true;
	case X86_SH_OTHERS:
		return l != src;
	default:
		return lapic_match_dest(bus, irq);
	}
}

/*
 * Lowest-priority arbitration (SDM 11.6.2.4): among the enabled LAPICs
 * the message names, the one with the lowest PPR (the xAPIC processor
 * priority; the P6 arbitration priority and the focus processor do not
 * exist on xAPIC parts).  Ties go to the first vCPU index at or after
 * (vector mod nr_vcpus), cyclically: deterministic, and different vectors
 * spread over equal-priority vCPUs (KVM hashes the vector over the
 * candidates instead).
 */
static int lapic_deliver_lowest(struct x86_chip *chip,
				const struct x86_irq *irq,
				struct x86_lapic *src)
{
	struct virq_instance *inst = chip->inst;
	u32 nr = virq_view(inst)->nr_vcpus, i;
	struct x86_lapic *best = NULL;
	u64 best_key = U64_MAX;

	for (i = 0; i < nr; i++) {
		struct virq_vcpu *vcpu = virq_get_vcpu(inst, i);
		struct x86_lapic *l;
		unsigned long flags;
		bool enabled;
		u64 bus, key;
		u32 ppr;

		if (!vcpu)
			continue;
		l = vcpu->priv;
		bus = READ_ONCE(l->bus);
		if (!(bus & LAPIC_BUS_SW) || !lapic_match(l, bus, irq, src))
			continue;

		raw_spin_lock_irqsave(&l->lock, flags);
		enabled = lapic_enabled(l);
		ppr = lapic_get(l, LAPIC_PPR);
		raw_spin_unlock_irqrestore(&l->lock, flags);
		if (!enabled)
			continue;

		key = (u64)ppr << 32 | (i + nr - irq->vector % nr) % nr;
		if (key < best_key) {
			best_key = key;
			best = l;
		}
	}
	return best ? lapic_accept(chip, best, irq) : 0;
}

/**
 * x86_deliver() - deliver a message to the LAPICs it names
 * @chip: the chip
 * @irq: the message
 * @src: the sending vCPU for IPIs (shorthands use it), else NULL
 *
 * Fixed and lowest-priority messages set IRR (and TMR for level ones);
 * NMI, SMI, INIT, SIPI and ExtINT latch a per-vCPU event.  A level
 * de-assert (@level without @assert) is ignored: the INIT level de-assert
 * of the SDM, and the de-asserts of other modes, which KVM ignores too.
 * Lowest priority (also an MSI's redirection hint with a logical
 * destination, for any mode, as KVM) picks one target, see
 * lapic_deliver_lowest().  A hardware-disabled LAPIC accepts nothing.
 *
 * Context: atomic; takes the targets' LAPIC locks one at a time and kicks
 * after dropping each.  No IOAPIC or PIC lock may be held.
 * Return: the number of LAPICs that accepted the message (0 when nothing
 * matched or every target had it pending already).
 */
int x86_deliver(struct x86_chip *chip, const struct x86_irq *irq,
		struct virq_vcpu *src)
{
	struct x86_lapic *from = src ? src->priv : NULL;
	struct virq_instance *inst = chip->inst;
	u32 nr = virq_view(inst)->nr_vcpus, i;
	int count = 0;

	if (irq->delivery_mode > X86_DM_EXTINT ||
	    irq->delivery_mode == LAPIC_DM_RESERVED)
		return 0;
	if (irq->level && !irq->assert)
		return 0;

	if (irq->shorthand == X86_SH_SELF)
		return from ? lapic_accept(chip, from, irq) : 0;
	if (irq->delivery_mode == X86_DM_LOWEST ||
	    (irq->redir_hint && irq->logical))
		return lapic_deliver_lowest(chip, irq, from);

	for (i = 0; i < nr; i++) {
		struct virq_vcpu *vcpu = virq_get_vcpu(inst, i);
		struct x86_lapic *l;

		if (!vcpu)
			continue;
		l = vcpu->priv;
		if (lapic_match(l, READ_ONCE(l->bus), irq, from))
			count += lapic_accept(chip, l, irq);
	}
	return count;
}

/* --- reset ---------------------------------------------------------------- */

/*
 * Tell timer.c about LVTT, TMICT and TDCR.  timer.c takes a call that
 * changes neither LVTT nor TDCR for a TMICT write, which restarts the
 * count even with the same value (a guest rewrites TMICT for every tick):
 * so a TMICT write always calls, and an LVTT or TDCR write only when it
 * changes something.
 */
static void lapic_timer_update(struct x86_lapic *l)
{
	lockdep_assert_held(&l->lock);
	x86_timer_update(l->timer, lapic_get(l, LAPIC_LVTT),
			 lapic_get(l, LAPIC_TMICT), lapic_get(l, LAPIC_TDCR));
}

/*
 * Reset the registers to the power-up state (SDM 11.4.7.1), or for @init
 * to the INIT state (11.4.7.3: the same, but the ID survives).
 * IA32_APIC_BASE is the caller's; in x2APIC mode the LDR follows the ID.
 */
static void lapic_reset(struct x86_lapic *l, bool init)
{
	u32 arch_id = l->vcpu->arch_id;
	u32 id = lapic_get(l, LAPIC_ID);
	bool deadline = lapic_deadline_mode(l);
	unsigned int i;

	lockdep_assert_held(&l->lock);
	if (!init)
		id = lapic_x2apic(l) ? arch_id : (arch_id & 0xff) << 24;
	memset(l->regs, 0, sizeof(l->regs));
	lapic_set(l, LAPIC_ID, id);
	lapic_set(l, LAPIC_LVR, lapic_version(l));
	if (lapic_x2apic(l))
		lapic_set(l, LAPIC_LDR, lapic_x2apic_ldr(id));
	lapic_set(l, LAPIC_DFR, U32_MAX);
	lapic_set(l, LAPIC_SVR, LAPIC_SVR_VECTOR);
	/*
	 * Every LVT entry masked, LVT0 included.  KVM and QEMU program the
	 * BSP's LVT0 to ExtINT at reset, as a BIOS would (KVM's
	 * LINT0_REENABLED quirk); here the firmware or the VMM does it.
	 */
	for (i = 0; i < ARRAY_SIZE(lapic_lvts); i++)
		lapic_set(l, lapic_lvts[i], LAPIC_MASKED);
	l->esr_pending = 0;
	l->events &= ~VIRQ_OUT_EXTINT;

	if (deadline)
		x86_timer_write_deadline(l->timer, 0);
	lapic_timer_update(l);
	lapic_update_bus(l);
}

/* --- registers ------------------------------------------------------------ */

/**
 * struct lapic_reg - one register of the page
 * @name: the SDM's name
 * @mask: bits a write keeps, and bits a restored value may hold
 * @flags: LR_*
 * @read: the value read (NULL: the page's)
 * @write: a write of @val (64 bits for the x2APIC ICR); -EINVAL where
 *	x2APIC raises #GP (the MMIO path ignores it)
 */
struct lapic_reg {
	const char *name;
	u32 mask;
	u8 flags;
	u64 (*read)(struct x86_lapic *l, u32 reg);
	int (*write)(struct x86_lapic *l, u32 reg, u64 val,
		     struct lapic_after *a);
};

#define LR_R		BIT(0)	/* readable */
#define LR_W		BIT(1)	/* writable */
#define LR_XAPIC	BIT(2)	/* absent in x2APIC mode */
#define LR_X2APIC	BIT(3)	/* x2APIC mode only */
#define LR_DERIVED	BIT(4)	/* computed: a restore ignores the value */
#define LR_STATE	BIT(5)	/* a restore takes the value (within @mask) */

static u64 lapic_read_apr(struct x86_lapic *l, u32 reg)
{
	return lapic_apr(l);
}

static u64 lapic_read_icr(struct x86_lapic *l, u32 reg)
{
	u64 val = lapic_get(l, LAPIC_ICR);

	if (lapic_x2apic(l))
		val |= (u64)lapic_get(l, LAPIC_ICR2) << 32;
	return val;
}

/* TMCCT reads 0 in TSC-deadline mode (SDM 11.5.4.1) */
static u64 lapic_read_tmcct(struct x86_lapic *l, u32 reg)
{
	if (lapic_deadline_mode(l))
		return 0;
	return x86_timer_read_tmcct(l->timer);
}

/*
 * The xAPIC ID is writable, as in KVM and QEMU (the SDM leaves it model
 * specific); the x2APIC ID is read-only.
 */
static int lapic_write_id(struct x86_lapic *l, u32 reg, u64 val,
			  struct lapic_after *a)
{
	if (lapic_x2apic(l))
		return -EINVAL;
	lapic_set(l, LAPIC_ID, val & LAPIC_ID_XAPIC);
	lapic_update_bus(l);
	return 0;
}

static int lapic_write_tpr(struct x86_lapic *l, u32 reg, u64 val,
			   struct lapic_after *a)
{
	lapic_set(l, LAPIC_TPR, val & 0xff);
	lapic_update_ppr(l);
	return 0;
}

/*
 * EOI: the highest in-service vector ends.  A level-triggered one (TMR)
 * is broadcast to the IOAPICs unless the guest suppressed the broadcast
 * (SVR bit 12, with directed EOI) and will write the IOAPIC's EOI
 * register itself.  x2APIC raises #GP for a non-zero value (KVM does
 * not check).
 */
static int lapic_write_eoi(struct x86_lapic *l, u32 reg, u64 val,
			   struct lapic_after *a)
{
	int vec;

	if (lapic_x2apic(l) && val)
		return -EINVAL;
	vec = lapic_highest(l, LAPIC_ISR);
	if (vec < 0)
		return 0;
	lapic_assign_vec(l, LAPIC_ISR, vec, false);
	lapic_update_ppr(l);
	if (lapic_test_vec(l, LAPIC_TMR, vec) &&
	    !(l->directed_eoi &&
	      (lapic_get(l, LAPIC_SVR) & LAPIC_SVR_SUPPRESS_EOI)))
		a->eoi = vec;
	return 0;
}

static int lapic_write_ldr(struct x86_lapic *l, u32 reg, u64 val,
			   struct lapic_after *a)
{
	if (lapic_x2apic(l))
		return -EINVAL;
	lapic_set(l, LAPIC_LDR, val & LAPIC_ID_XAPIC);
	lapic_update_bus(l);
	return 0;
}

static int lapic_write_dfr(struct x86_lapic *l, u32 reg, u64 val,
			   struct lapic_after *a)
{
	lapic_set(l, LAPIC_DFR, val | LAPIC_DFR_RESERVED);
	lapic_update_bus(l);
	return 0;
}

static void lapic_write_lvtt(struct x86_lapic *l, u32 val);

/*
 * SVR.  Clearing the enable bit masks every LVT entry (SDM 11.4.7.2);
 * while disabled, writes cannot unmask them (lapic_write_lvt()).
 */
static int lapic_write_svr(struct x86_lapic *l, u32 reg, u64 val,
			   struct lapic_after *a)
{
	unsigned int i;

	val &= lapic_svr_mask(l);
	lapic_set(l, LAPIC_SVR, val);
	if (!(val & LAPIC_SVR_ENABLE)) {
		for (i = 0; i < ARRAY_SIZE(lapic_lvts); i++) {
			u32 lvt = lapic_get(l, lapic_lvts[i]);

			if (lvt & LAPIC_MASKED)
				continue;
			if (lapic_lvts[i] == LAPIC_LVTT)
				lapic_write_lvtt(l, lvt | LAPIC_MASKED);
			else
				lapic_set(l, lapic_lvts[i],
					  lvt | LAPIC_MASKED);
		}
	}
	lapic_update_bus(l);
	return 0;
}

/*
 * ESR: a write latches the errors detected since the last write and
 * re-arms the error interrupt.  x2APIC raises #GP for a non-zero value.
 */
static int lapic_write_esr(struct x86_lapic *l, u32 reg, u64 val,
			   struct lapic_after *a)
{
	if (lapic_x2apic(l) && val)
		return -EINVAL;
	lapic_set(l, LAPIC_ESR, l->esr_pending);
	l->esr_pending = 0;
	return 0;
}

/*
 * Send the IPI the ICR describes (@lo: ICR[31:0], @dest: the decoded
 * destination).  The SDM ignores the trigger mode but for the INIT level
 * de-assert: IPIs are edge-triggered (KVM sets TMR for level ones).
 * Vectors 0-15 in a fixed or lowest-priority IPI are a send error; the
 * message still goes out and its receivers report it too.  Delivery
 * modes the ICR reserves are not sent.  Combinations the SDM calls
 * undefined (lowest priority to self, for instance) are delivered as
 * encoded, as KVM does.
 */
static void lapic_send_ipi(struct x86_lapic *l, u32 lo, u32 dest,
			   struct lapic_after *a)
{
	struct x86_irq *irq = &a->ipi;
	u8 dm = (lo & LAPIC_DM_MASK) >> LAPIC_DM_SHIFT;

	if ((dm == X86_DM_FIXED || dm == X86_DM_LOWEST) &&
	    (lo & LAPIC_VECTOR) < 16)
		lapic_error(l, LAPIC_ESR_SEND_ILLEGAL);
	if (dm == LAPIC_DM_RESERVED || dm == X86_DM_EXTINT)
		return;

	memset(irq, 0, sizeof(*irq));
	irq->dest = dest;
	irq->vector = lo & LAPIC_VECTOR;
	irq->delivery_mode = dm;
	irq->shorthand = lo >> LAPIC_SH_SHIFT & 3;
	irq->logical = lo & LAPIC_LOGICAL;
	irq->level = dm == X86_DM_INIT && (lo & LAPIC_LEVEL);
	irq->assert = lo & LAPIC_ASSERT;
	irq->x2apic_dest = lapic_x2apic(l);
	a->send = true;
}

/*
 * ICR.  xAPIC: writing the low half sends, to ICR2[31:24].  x2APIC: one
 * 64-bit write sends to ICR[63:32]; reserved bits raise #GP and the
 * delivery status bit is ignored.  Delivery is instant: the status bit
 * always reads 0.
 */
static int lapic_write_icr(struct x86_lapic *l, u32 reg, u64 val,
			   struct lapic_after *a)
{
	u32 dest;

	if (lapic_x2apic(l)) {
		if (val & LAPIC_X2APIC_ICR_RESERVED)
			return -EINVAL;
		dest = val >> 32;
		lapic_set(l, LAPIC_ICR2, dest);
	} else {
		dest = lapic_get(l, LAPIC_ICR2) >> 24;
	}
	lapic_set(l, LAPIC_ICR, val & LAPIC_ICR_MASK);
	lapic_send_ipi(l, val & LAPIC_ICR_MASK, dest, a);
	return 0;
}

static int lapic_write_icr2(struct x86_lapic *l, u32 reg, u64 val,
			    struct lapic_after *a)
{
	lapic_set(l, LAPIC_ICR2, val & LAPIC_ID_XAPIC);
	return 0;
}

/*
 * LVTT.  Switching into or out of TSC-deadline mode disarms the timer:
 * TMICT and IA32_TSC_DEADLINE go to 0 (as KVM).  The reserved timer mode
 * 3 is kept as written; timer.c treats it as no timer.
 */
static void lapic_write_lvtt(struct x86_lapic *l, u32 val)
{
	bool was = lapic_deadline_mode(l);
	bool now = (val & LAPIC_TIMER_MODE) == LAPIC_TIMER_TSCDEADLINE;

	if (val == lapic_get(l, LAPIC_LVTT))
		return;
	if (was != now) {
		if (was)
			x86_timer_write_deadline(l->timer, 0);
		lapic_set(l, LAPIC_TMICT, 0);
	}
	lapic_set(l, LAPIC_LVTT, val);
	lapic_timer_update(l);
}

static const struct lapic_reg lapic_regs[LAPIC_PAGE_SIZE / 16];

static int lapic_write_lvt(struct x86_lapic *l, u32 reg, u64 val,
			   struct lapic_after *a)
{
	u32 v = val & lapic_regs[reg >> 4].mask;

	if (!lapic_sw_enabled(l))
		v |= LAPIC_MASKED;
	if (reg == LAPIC_LVTT) {
		lapic_write_lvtt(l, v);
		return 0;
	}
	lapic_set(l, reg, v);
	if (reg == LAPIC_LVT0)
		lapic_update_bus(l);
	return 0;
}

/* TMICT: ignored in TSC-deadline mode (SDM 11.5.4.1); else a new count */
static int lapic_write_tmict(struct x86_lapic *l, u32 reg, u64 val,
			     struct lapic_after *a)
{
	if (lapic_deadline_mode(l))
		return 0;
	lapic_set(l, LAPIC_TMICT, val);
	lapic_timer_update(l);
	return 0;
}

static int lapic_write_tdcr(struct x86_lapic *l, u32 reg, u64 val,
			    struct lapic_after *a)
{
	val &= LAPIC_TDCR_MASK;
	if (val == lapic_get(l, LAPIC_TDCR))
		return 0;
	lapic_set(l, LAPIC_TDCR, val);
	lapic_timer_update(l);
	return 0;
}

/* SELF IPI (x2APIC): bits 7:0 the vector, the rest reserved (#GP) */
static int lapic_write_self_ipi(struct x86_lapic *l, u32 reg, u64 val,
				struct lapic_after *a)
{
	if (val & ~(u64)LAPIC_VECTOR)
		return -EINVAL;
	lapic_send_ipi(l, val | X86_SH_SELF << LAPIC_SH_SHIFT, 0, a);
	return 0;
}

#define LAPIC_REG(off, nm, fl, m, rd, wr)				\
	[(off) >> 4] = { .name = nm, .flags = fl, .mask = m,		\
			 .read = rd, .write = wr }
#define LAPIC_VECTORS(nm)						\
	{ .name = nm, .flags = LR_R | LR_STATE, .mask = U32_MAX }
#define LAPIC_LVT(off, nm, m)						\
	LAPIC_REG(off, nm, LR_R | LR_W | LR_STATE, m, NULL,		\
		  lapic_write_lvt)

/*
 * The register page (SDM table 11-1 and, for x2APIC, 11-6), by slot.
 * Empty slots are reserved: in xAPIC mode an access reads 0, is ignored
 * and reports an illegal register address in the ESR; in x2APIC mode it
 * raises #GP.  LVTCMCI is not implemented (no CMCI).  RRD, a P6 register,
 * is reserved here.
 */
static const struct lapic_reg lapic_regs[LAPIC_PAGE_SIZE / 16] = {
	LAPIC_REG(LAPIC_ID, "ID", LR_R | LR_W | LR_STATE, LAPIC_ID_XAPIC,
		  NULL, lapic_write_id),
	LAPIC_REG(LAPIC_LVR, "LVR", LR_R | LR_DERIVED, 0, NULL, NULL),
	LAPIC_REG(LAPIC_TPR, "TPR", LR_R | LR_W | LR_STATE, 0xff, NULL,
		  lapic_write_tpr),
	LAPIC_REG(LAPIC_APR, "APR", LR_R | LR_XAPIC | LR_DERIVED, 0,
		  lapic_read_apr, NULL),
	LAPIC_REG(LAPIC_PPR, "PPR", LR_R | LR_DERIVED, 0, NULL, NULL),
	LAPIC_REG(LAPIC_EOI, "EOI", LR_W, 0, NULL, lapic_write_eoi),
	LAPIC_REG(LAPIC_LDR, "LDR", LR_R | LR_W | LR_STATE, LAPIC_ID_XAPIC,
		  NULL, lapic_write_ldr),
	LAPIC_REG(LAPIC_DFR, "DFR", LR_R | LR_W | LR_XAPIC | LR_STATE,
		  U32_MAX, NULL, lapic_write_dfr),
	LAPIC_REG(LAPIC_SVR, "SVR", LR_R | LR_W | LR_STATE, LAPIC_SVR_MASK,
		  NULL, lapic_write_svr),
	[LAPIC_ISR >> 4 ... (LAPIC_ISR >> 4) + 7] = LAPIC_VECTORS("ISR"),
	[LAPIC_TMR >> 4 ... (LAPIC_TMR >> 4) + 7] = LAPIC_VECTORS("TMR"),
	[LAPIC_IRR >> 4 ... (LAPIC_IRR >> 4) + 7] = LAPIC_VECTORS("IRR"),
	LAPIC_REG(LAPIC_ESR, "ESR", LR_R | LR_W | LR_STATE, LAPIC_ESR_ALL,
		  NULL, lapic_write_esr),
	LAPIC_REG(LAPIC_ICR, "ICR", LR_R | LR_W | LR_STATE, LAPIC_ICR_MASK,
		  lapic_read_icr, lapic_write_icr),
	LAPIC_REG(LAPIC_ICR2, "ICR2", LR_R | LR_W | LR_XAPIC | LR_STATE,
		  LAPIC_ID_XAPIC, NULL, lapic_write_icr2),
	LAPIC_LVT(LAPIC_LVTT, "LVTT", LAPIC_LVT_MASK_T),
	LAPIC_LVT(LAPIC_LVTTHMR, "LVTTHMR", LAPIC_LVT_MASK_DM),
	LAPIC_LVT(LAPIC_LVTPC, "LVTPC", LAPIC_LVT_MASK_DM),
	LAPIC_LVT(LAPIC_LVT0, "LVT0", LAPIC_LVT_MASK_LINT),
	LAPIC_LVT(LAPIC_LVT1, "LVT1", LAPIC_LVT_MASK_LINT),
	LAPIC_LVT(LAPIC_LVTERR, "LVTERR", LAPIC_LVT_MASK_ERR),
	LAPIC_REG(LAPIC_TMICT, "TMICT", LR_R | LR_W | LR_STATE, U32_MAX,
		  NULL, lapic_write_tmict),
	LAPIC_REG(LAPIC_TMCCT, "TMCCT", LR_R | LR_DERIVED, 0,
		  lapic_read_tmcct, NULL),
	LAPIC_REG(LAPIC_TDCR, "TDCR", LR_R | LR_W | LR_STATE,
		  LAPIC_TDCR_MASK, NULL, lapic_write_tdcr),
	LAPIC_REG(LAPIC_SELF_IPI, "SELF_IPI", LR_W | LR_X2APIC, 0, NULL,
		  lapic_write_self_ipi),
};

/* The register at @off (16-byte aligned) in the current mode, or NULL */
static const struct lapic_reg *lapic_find_reg(const struct x86_lapic *l,
					      u32 off)
{
	const struct lapic_reg *r;

	if (off >= LAPIC_PAGE_SIZE)
		return NULL;
	r = &lapic_regs[array_index_nospec(off >> 4, ARRAY_SIZE(lapic_regs))];
	if (!r->flags || (r->flags & (lapic_x2apic(l) ? LR_XAPIC : LR_X2APIC)))
		return NULL;
	return r;
}

static u64 lapic_read(struct x86_lapic *l, const struct lapic_reg *r,
		      u32 off)
{
	return r->read ? r->read(l, off) : lapic_get(l, off);
}

/*
 * The xAPIC page (SDM 11.4.1): 32-bit registers at 16-byte alignment.
 * Reads of 1, 2 or 4 bytes within a register's first four bytes work (as
 * KVM); any other width or alignment reads 0 and ignores writes, as do
 * write-only and read-only registers in the other direction.
 */
static int lapic_mmio(struct x86_lapic *l, u64 addr, u32 len, bool write,
		      u64 *data, struct lapic_after *a)
{
	u64 base = l->apic_base & LAPIC_BASE_ADDR;
	const struct lapic_reg *r;
	u32 off, sub;

	if (!lapic_hw_enabled(l) || lapic_x2apic(l) || addr < base ||
	    addr - base >= LAPIC_MMIO_SIZE)
		return -ENXIO;
	off = addr - base;
	sub = off & 0xf;
	off &= ~0xfU;
	r = lapic_find_reg(l, off);
	if (!r)
		lapic_error(l, LAPIC_ESR_ILLEGAL_REG);

	if (!write) {
		*data = 0;
		if (r && (r->flags & LR_R) && sub + len <= 4)
			*data = lapic_read(l, r, off) >> (sub * 8) &
				(BIT_ULL(len * 8) - 1);
		return 0;
	}
	if (r && (r->flags & LR_W) && len == 4 && !sub)
		r->write(l, off, (u32)*data, a);
	return 0;
}

/* IA32_APIC_BASE writes: the SDM's mode transitions (11.12.5) */
static int lapic_write_base(struct x86_lapic *l, u64 val)
{
	u64 old = l->apic_base;

	if (val & LAPIC_BASE_RESERVED)
		return -EINVAL;
	/* x2APIC without enable is the invalid state */
	if ((val & LAPIC_BASE_EXTD) && !(val & LAPIC_BASE_EN))
		return -EINVAL;
	/* x2APIC -> xAPIC must go through disabled */
	if ((old & LAPIC_BASE_EXTD) && !(val & LAPIC_BASE_EXTD) &&
	    (val & LAPIC_BASE_EN))
		return -EINVAL;
	/* disabled -> x2APIC must go through xAPIC */
	if (!(old & LAPIC_BASE_EN) && (val & LAPIC_BASE_EXTD))
		return -EINVAL;

	l->apic_base = val;
	if ((old ^ val) & LAPIC_BASE_EN) {
		/*
		 * Crossing the enable bit returns the LAPIC to its power-up
		 * state (SDM 11.4.3: state "may be lost"); KVM keeps the
		 * registers and only resets the xAPIC ID on enable.
		 */
		lapic_reset(l, false);
	} else if ((old ^ val) & LAPIC_BASE_EXTD) {
		/* xAPIC -> x2APIC: 32-bit ID, derived LDR; rest kept */
		lapic_set(l, LAPIC_ID, l->vcpu->arch_id);
		lapic_set(l, LAPIC_LDR, lapic_x2apic_ldr(l->vcpu->arch_id));
	}
	lapic_update_bus(l);
	return 0;
}

/*
 * MSRs: IA32_APIC_BASE, IA32_TSC_DEADLINE, and the x2APIC registers
 * (SDM 11.12.1.2): #GP (-EINVAL) outside x2APIC mode, for reserved and
 * xAPIC-only registers, reads of write-only and writes of read-only
 * ones, and bits 63:32 set in any register but the ICR.
 */
static int lapic_msr(struct x86_lapic *l, u32 msr, bool write, u64 *data,
		     struct lapic_after *a)
{
	const struct lapic_reg *r;
	u32 off;

	if (msr == VIRQ_X86_MSR_APIC_BASE) {
		if (write)
			return lapic_write_base(l, *data);
		*data = l->apic_base;
		return 0;
	}
	if (msr == VIRQ_X86_MSR_TSC_DEADLINE) {
		/* Reads 0 and ignores writes outside TSC-deadline mode */
		bool on = lapic_hw_enabled(l) && lapic_deadline_mode(l);

		if (write && on)
			x86_timer_write_deadline(l->timer, *data);
		else if (!write)
			*data = on ? x86_timer_read_deadline(l->timer) : 0;
		return 0;
	}

	if (!lapic_hw_enabled(l) || !lapic_x2apic(l))
		return -EINVAL;
	off = (msr - VIRQ_X86_MSR_X2APIC_FIRST) << 4;
	r = lapic_find_reg(l, off);
	if (!r)
		return -EINVAL;
	if (!write) {
		if (!(r->flags & LR_R))
			return -EINVAL;
		*data = lapic_read(l, r, off);
		return 0;
	}
	if (!(r->flags & LR_W) || (off != LAPIC_ICR && *data >> 32))
		return -EINVAL;
	return r->write(l, off, *data, a);
}

static bool lapic_is_msr(u64 addr)
{
	return addr == VIRQ_X86_MSR_APIC_BASE ||
	       addr == VIRQ_X86_MSR_TSC_DEADLINE ||
	       (addr >= VIRQ_X86_MSR_X2APIC_FIRST &&
		addr <= VIRQ_X86_MSR_X2APIC_LAST);
}

/* After the lock: send, broadcast the EOI, kick */
static void lapic_finish(struct x86_lapic *l, struct lapic_after *a,
			 bool kick)
{
	struct x86_chip *chip = x86_chip(l->vcpu->inst);

	if (a->send)
		x86_deliver(chip, &a->ipi, l->vcpu);
	if (a->eoi >= 0)
		x86_eoi_broadcast(chip, a->eoi);
	if (kick)
		virq_vcpu_kick(l->vcpu);
}

/**
 * x86_lapic_access() - a register access by @vcpu
 * @vcpu: the vCPU that made it
 * @space: VIRQ_SPACE_MMIO or VIRQ_SPACE_MSR
 * @addr: guest-physical address or MSR index
 * @len: 1, 2, 4 or 8 bytes; an MSR value is the low @len bytes
 * @write: a write of *@data, else a read into *@data
 * @data: the value
 *
 * The xAPIC page lives at the IA32_APIC_BASE address while the LAPIC is
 * enabled in xAPIC mode; the MSRs are IA32_APIC_BASE (0x1b),
 * IA32_TSC_DEADLINE (0x6e0) and the x2APIC registers (0x800-0x8ff).
 *
 * Context: process (the vCPU's ioctl); takes the LAPIC lock, then sends
 * IPIs and EOI broadcasts without it.
 * Return: 0; -ENXIO when @addr is not the LAPIC's (the page of a disabled
 * or x2APIC-mode LAPIC included: the VMM treats it as memory); -EINVAL
 * for an MSR access that raises #GP: an x2APIC register outside x2APIC
 * mode, a reserved or mode-absent register, a read of a write-only or a
 * write of a read-only one, reserved bits, or an IA32_APIC_BASE value the
 * SDM refuses (reserved bits, x2APIC without enable, x2APIC to xAPIC,
 * disabled to x2APIC).
 */
int x86_lapic_access(struct virq_vcpu *vcpu, u32 space, u64 addr, u32 len,
		     bool write, u64 *data)
{
	struct x86_lapic *l = vcpu->priv;
	struct lapic_after a = { .eoi = -1 };
	u64 mask = len >= 8 ? U64_MAX : BIT_ULL(len * 8) - 1;
	unsigned long flags;
	u32 old, new;
	u64 val;
	int ret;

	if (space == VIRQ_SPACE_MSR ? !lapic_is_msr(addr) :
	    space != VIRQ_SPACE_MMIO)
		return -ENXIO;
	val = write ? *data & mask : 0;

	raw_spin_lock_irqsave(&l->lock, flags);
	old = lapic_lines(l);
	if (space == VIRQ_SPACE_MMIO)
		ret = lapic_mmio(l, addr, len, write, &val, &a);
	else
		ret = lapic_msr(l, addr, write, &val, &a);
	new = lapic_lines(l);
	raw_spin_unlock_irqrestore(&l->lock, flags);

	if (!ret && !write)
		*data = val & mask;
	lapic_finish(l, &a, new & ~old);
	return ret;
}

/* --- the vCPU's side ------------------------------------------------------ */

/**
 * x86_lapic_output() - the VIRQ_OUT_* lines of @vcpu
 * @vcpu: the vCPU
 * @sipi_vector: (out, may be NULL) the SIPI vector when VIRQ_OUT_SIPI
 *
 * VIRQ_OUT_INT: an enabled LAPIC presents a vector above its PPR.
 * VIRQ_OUT_EXTINT: an accepted ExtINT message, or the PIC's INTR while
 * LVT0 passes it (unmasked ExtINT entry) or, on the BSP, while the LAPIC
 * is hardware-disabled.  NMI, INIT, SMI: latched events; SIPI: a latched
 * SIPI once the vCPU is in wait-for-SIPI.
 *
 * Context: atomic; takes the LAPIC lock, then asks the PIC without it.
 * Return: the lines.
 */
u32 x86_lapic_output(struct virq_vcpu *vcpu, u32 *sipi_vector)
{
	struct x86_lapic *l = vcpu->priv;
	struct x86_chip *chip = x86_chip(vcpu->inst);
	unsigned long flags;
	u32 lines;
	u8 sipi;

	raw_spin_lock_irqsave(&l->lock, flags);
	lines = lapic_lines(l);
	sipi = l->sipi_vector;
	raw_spin_unlock_irqrestore(&l->lock, flags);

	if (lines & LAPIC_LINE_PIC) {
		lines &= ~LAPIC_LINE_PIC;
		if (chip->pic && x86_pic_output(chip->pic))
			lines |= VIRQ_OUT_EXTINT;
	}
	if (sipi_vector && (lines & VIRQ_OUT_SIPI))
		*sipi_vector = sipi;
	return lines;
}

/* INTA: the presented vector goes from IRR to ISR; else the spurious one */
static u64 lapic_inta(struct x86_lapic *l)
{
	unsigned long flags;
	int vec;

	raw_spin_lock_irqsave(&l->lock, flags);
	vec = lapic_pending_vector(l);
	if (vec >= 0) {
		lapic_assign_vec(l, LAPIC_IRR, vec, false);
		lapic_assign_vec(l, LAPIC_ISR, vec, true);
		lapic_update_ppr(l);
	} else {
		vec = lapic_get(l, LAPIC_SVR) & LAPIC_SVR_VECTOR;
	}
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return vec;
}

/* The INTA cycle goes to the PIC: a latched ExtINT message or INTR */
static int lapic_ack_extint(struct x86_lapic *l, u64 *id)
{
	struct x86_chip *chip = x86_chip(l->vcpu->inst);
	unsigned long flags;
	bool latched;
	u32 lines;

	if (!chip->pic)
		return -EAGAIN;
	raw_spin_lock_irqsave(&l->lock, flags);
	lines = lapic_lines(l);
	latched = l->events & VIRQ_OUT_EXTINT;
	l->events &= ~VIRQ_OUT_EXTINT;
	raw_spin_unlock_irqrestore(&l->lock, flags);

	if (!latched &&
	    !((lines & LAPIC_LINE_PIC) && x86_pic_output(chip->pic)))
		return -EAGAIN;
	*id = x86_pic_intack(chip->pic);
	return 0;
}

/*
 * Take a latched NMI, SMI, INIT or SIPI.  INIT resets the LAPIC to its
 * INIT state and, on an application processor, enters wait-for-SIPI
 * (the BSP starts at the reset vector, as in KVM).  Pending NMI and SMI
 * stay for the VMM to take.  A SIPI leaves wait-for-SIPI and returns its
 * vector.
 */
static int lapic_ack_event(struct x86_lapic *l, u32 event, u64 *id)
{
	unsigned long flags;
	u32 old, new;
	int ret = 0;

	raw_spin_lock_irqsave(&l->lock, flags);
	old = lapic_lines(l);
	if (!(old & event)) {
		ret = -EAGAIN;
	} else if (event == VIRQ_OUT_INIT) {
		l->events &= ~VIRQ_OUT_INIT;
		lapic_reset(l, true);
		l->wait_sipi = !(l->apic_base & LAPIC_BASE_BSP);
		if (!l->wait_sipi)
			l->events &= ~VIRQ_OUT_SIPI;
	} else if (event == VIRQ_OUT_SIPI) {
		l->events &= ~VIRQ_OUT_SIPI;
		l->wait_sipi = false;
		*id = l->sipi_vector;
		l->sipi_vector = 0;
	} else {
		l->events &= ~event;
	}
	new = lapic_lines(l);
	raw_spin_unlock_irqrestore(&l->lock, flags);

	if (new & ~old)
		virq_vcpu_kick(l->vcpu);
	return ret;
}

/**
 * x86_lapic_ack() - VIRQ_VCPU_ACK
 * @vcpu: the vCPU
 * @event: 0 for the INTA cycle, or one of VIRQ_OUT_NMI, VIRQ_OUT_INIT,
 *	VIRQ_OUT_SIPI, VIRQ_OUT_SMI, VIRQ_OUT_EXTINT
 * @id: (out) the vector: the presented one (now in service) or the
 *	spurious vector for INTA, the PIC's for ExtINT, the SIPI's for
 *	SIPI; 0 for the other events
 *
 * Context: process; takes the LAPIC lock, and calls the PIC without it.
 * Return: 0; -EAGAIN when @event is not pending; -EINVAL for any other
 * @event.
 */
int x86_lapic_ack(struct virq_vcpu *vcpu, u32 event, u64 *id)
{
	struct x86_lapic *l = vcpu->priv;
	int ret;

	*id = 0;
	switch (event) {
	case 0:
		*id = lapic_inta(l);
		break;
	case VIRQ_OUT_EXTINT:
		ret = lapic_ack_extint(l, id);
		if (ret)
			return ret;
		break;
	case VIRQ_OUT_NMI:
	case VIRQ_OUT_INIT:
	case VIRQ_OUT_SIPI:
	case VIRQ_OUT_SMI:
		return lapic_ack_event(l, event, id);
	default:
		return -EINVAL;
	}
	virq_trace_ack(vcpu, *id);
	return 0;
}

/**
 * x86_lapic_pic_changed() - the PIC's INTR output changed
 * @chip: the chip
 *
 * Kicks the vCPUs that take the PIC's INTR when it is high (a falling
 * INTR asserts nothing).
 *
 * Context: atomic, no model lock held.
 */
void x86_lapic_pic_changed(struct x86_chip *chip)
{
	struct virq_instance *inst = chip->inst;
	u32 nr = virq_view(inst)->nr_vcpus, i;

	if (!chip->pic || !x86_pic_output(chip->pic))
		return;
	for (i = 0; i < nr; i++) {
		struct virq_vcpu *vcpu = virq_get_vcpu(inst, i);
		struct x86_lapic *l;

		if (!vcpu)
			continue;
		l = vcpu->priv;
		if (READ_ONCE(l->bus) & LAPIC_BUS_EXTINT)
			virq_vcpu_kick(vcpu);
	}
}

/**
 * x86_lapic_timer_fired() - the LAPIC timer expired
 * @vcpu: the vCPU
 *
 * Raises LVTT's vector (edge) unless the entry is masked; a vector below
 * 16 is a receive error instead.
 *
 * Context: hrtimer (atomic), no lock held.
 */
void x86_lapic_timer_fired(struct virq_vcpu *vcpu)
{
	struct x86_lapic *l = vcpu->priv;
	unsigned long flags;
	u32 old, new, lvtt;

	raw_spin_lock_irqsave(&l->lock, flags);
	old = lapic_lines(l);
	lvtt = lapic_get(l, LAPIC_LVTT);
	if (lapic_hw_enabled(l) && !(lvtt & LAPIC_MASKED))
		lapic_fixed(l, lvtt & LAPIC_VECTOR, false);
	new = lapic_lines(l);
	raw_spin_unlock_irqrestore(&l->lock, flags);

	if (new & ~old)
		virq_vcpu_kick(vcpu);
}

/* --- save and restore ----------------------------------------------------- */

/**
 * x86_lapic_get_tsc() - the guest TSC the vCPU's timer uses
 * @vcpu: the vCPU
 * @tsc: (out) frequency and offset
 *
 * Context: process; takes the LAPIC lock.
 */
void x86_lapic_get_tsc(struct virq_vcpu *vcpu, struct virq_x86_tsc *tsc)
{
	struct x86_lapic *l = vcpu->priv;
	unsigned long flags;

	raw_spin_lock_irqsave(&l->lock, flags);
	x86_timer_get_tsc(l->timer, tsc);
	raw_spin_unlock_irqrestore(&l->lock, flags);
}

/**
 * x86_lapic_set_tsc() - tell the vCPU's timer the guest TSC
 * @vcpu: the vCPU
 * @tsc: frequency and offset
 *
 * Context: process; takes the LAPIC lock (the timer's rule).
 * Return: 0, or -EINVAL from x86_timer_set_tsc() (nothing changed).
 */
int x86_lapic_set_tsc(struct virq_vcpu *vcpu, const struct virq_x86_tsc *tsc)
{
	struct x86_lapic *l = vcpu->priv;
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&l->lock, flags);
	ret = x86_timer_set_tsc(l->timer, tsc);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return ret;
}

/**
 * x86_lapic_get_state() - save the LAPIC
 * @vcpu: the vCPU
 * @st: (out) the state; derived registers hold their current values
 *	(PPR, APR, TMCCT), and the timer fields come from timer.c
 *
 * Context: process; takes the LAPIC lock.
 */
void x86_lapic_get_state(struct virq_vcpu *vcpu,
			 struct virq_x86_lapic_state *st)
{
	struct x86_lapic *l = vcpu->priv;
	unsigned long flags;

	memset(st, 0, sizeof(*st));
	st->version = VIRQ_X86_STATE_VERSION;

	raw_spin_lock_irqsave(&l->lock, flags);
	st->apic_base = l->apic_base;
	memcpy(st->regs, l->regs, sizeof(st->regs));
	page_set(st->regs, LAPIC_TMCCT, lapic_read_tmcct(l, LAPIC_TMCCT));
	if (!lapic_x2apic(l))
		page_set(st->regs, LAPIC_APR, lapic_apr(l));
	st->events = l->events |
		     (u32)l->esr_pending << VIRQ_X86_LAPIC_EV_ESR_SHIFT |
		     (l->wait_sipi ? VIRQ_X86_LAPIC_EV_WAIT_SIPI : 0);
	if (l->events & VIRQ_OUT_SIPI)
		st->sipi_vector = l->sipi_vector;
	x86_timer_save(l->timer, st);
	raw_spin_unlock_irqrestore(&l->lock, flags);
}

/* One register of a page to restore; @x2apic: the state's mode */
static bool lapic_check_reg(const struct x86_lapic *l, const u8 *page,
			    u32 off, bool x2apic)
{
	const struct lapic_reg *r = &lapic_regs[off >> 4];
	u32 val = page_get(page, off);
	u32 id = l->vcpu->arch_id;

	if (r->flags & LR_DERIVED)
		return true;
	if (!(r->flags & LR_STATE))
		return !val;	/* reserved, EOI, SELF IPI */

	switch (off) {
	case LAPIC_ID:
		return x2apic ? val == id : !(val & ~LAPIC_ID_XAPIC);
	case LAPIC_LDR:
		return x2apic ? val == lapic_x2apic_ldr(id) :
				!(val & ~LAPIC_ID_XAPIC);
	case LAPIC_DFR:
		return (val & LAPIC_DFR_RESERVED) == LAPIC_DFR_RESERVED;
	case LAPIC_SVR:
		return !(val & ~lapic_svr_mask(l));
	case LAPIC_ICR2:
		return x2apic || !(val & ~LAPIC_ID_XAPIC);
	case LAPIC_ISR:
	case LAPIC_TMR:
	case LAPIC_IRR:
		return !(val & 0xffff);		/* vectors 0-15 */
	}
	/*
	 * Software-disabled: LVTs stay masked.  LVT0 is let through: KVM and
	 * QEMU reset the BSP with LVT0 an unmasked ExtINT entry under SVR
	 * 0xff, and a guest saved there (in its firmware) must migrate.
	 */
	if (!(page_get(page, LAPIC_SVR) & LAPIC_SVR_ENABLE) &&
	    off >= LAPIC_LVTT && off <= LAPIC_LVTERR && off != LAPIC_LVT0 &&
	    !(val & LAPIC_MASKED))
		return false;
	return !(val & ~r->mask);
}

static int lapic_check_state(const struct x86_lapic *l,
			     const struct virq_x86_lapic_state *st)
{
	u64 base = st->apic_base;
	bool x2apic = base & LAPIC_BASE_EXTD;
	u32 ev = st->events;
	u32 off;

	if (st->version != VIRQ_X86_STATE_VERSION || st->padding)
		return -EINVAL;
	if ((base & LAPIC_BASE_RESERVED) ||
	    (x2apic && !(base & LAPIC_BASE_EN)))
		return -EINVAL;
	if (ev & ~X86_LAPIC_EV_ALL)
		return -EINVAL;
	/* An ExtINT message latches only with a PIC to answer its INTA */
	if ((ev & VIRQ_OUT_EXTINT) && !x86_chip(l->vcpu->inst)->pic)
		return -EINVAL;
	/* A SIPI latches only in, or on the way to, wait-for-SIPI */
	if ((ev & VIRQ_OUT_SIPI) &&
	    !(ev & (VIRQ_X86_LAPIC_EV_WAIT_SIPI | VIRQ_OUT_INIT)))
		return -EINVAL;
	if (st->sipi_vector > 0xff ||
	    (st->sipi_vector && !(ev & VIRQ_OUT_SIPI)))
		return -EINVAL;
	for (off = 0; off < LAPIC_PAGE_SIZE; off += 16)
		if (!lapic_check_reg(l, st->regs, off, x2apic))
			return -EINVAL;
	/* TMICT cannot be written in TSC-deadline mode, and reads 0 there */
	if ((page_get(st->regs, LAPIC_LVTT) & LAPIC_TIMER_MODE) ==
	    LAPIC_TIMER_TSCDEADLINE && page_get(st->regs, LAPIC_TMICT))
		return -EINVAL;
	/* the unused bytes 4..15 of every slot */
	for (off = 0; off < LAPIC_PAGE_SIZE; off += 16)
		if (page_get(st->regs, off + 4) ||
		    page_get(st->regs, off + 8) ||
		    page_get(st->regs, off + 12))
			return -EINVAL;
	return 0;
}

/**
 * x86_lapic_set_state() - restore the LAPIC
 * @vcpu: the vCPU
 * @st: the state, as x86_lapic_get_state() gives it
 *
 * Everything is checked before anything changes: the version, the
 * padding, IA32_APIC_BASE (reserved bits, the invalid x2APIC-without-
 * enable state; any legal mode, BSP flag and base are taken), the events
 * (VIRQ_OUT_* events, VIRQ_X86_LAPIC_EV_*, and only the ESR bits this
 * LAPIC reports; a SIPI needs wait-for-SIPI or a pending INIT; the SIPI
 * vector fits 8 bits and is 0 without a SIPI), and every register
 * against the bits the LAPIC can hold: in x2APIC mode the ID must be the
 * vCPU's arch_id and the LDR the one derived from it; reserved slots,
 * the unused bytes of each slot, vectors 0-15 in IRR/ISR/TMR and unmasked
 * LVT entries other than LVT0 in a software-disabled LAPIC are refused.  Derived
 * registers (version, APR, PPR, TMCCT) are recomputed, not taken.  Then
 * x86_timer_restore() checks and applies the timer fields, and the page
 * is taken.
 *
 * Context: process; takes the LAPIC lock.
 * Return: 0, -EINVAL (nothing changed), or x86_timer_restore()'s errno
 * (nothing changed).
 */
int x86_lapic_set_state(struct virq_vcpu *vcpu,
			const struct virq_x86_lapic_state *st)
{
	struct x86_lapic *l = vcpu->priv;
	unsigned long flags;
	int ret;

	ret = lapic_check_state(l, st);
	if (ret)
		return ret;

	raw_spin_lock_irqsave(&l->lock, flags);
	ret = x86_timer_restore(l->timer, st);
	if (!ret) {
		l->apic_base = st->apic_base;
		memcpy(l->regs, st->regs, sizeof(l->regs));
		lapic_set(l, LAPIC_LVR, lapic_version(l));
		lapic_set(l, LAPIC_APR, 0);
		lapic_set(l, LAPIC_TMCCT, 0);
		lapic_update_ppr(l);
		l->events = st->events & X86_LAPIC_EV_LATCHED;
		l->esr_pending = (st->events & VIRQ_X86_LAPIC_EV_ESR_MASK) >>
				 VIRQ_X86_LAPIC_EV_ESR_SHIFT;
		l->wait_sipi = st->events & VIRQ_X86_LAPIC_EV_WAIT_SIPI;
		l->sipi_vector = st->sipi_vector;
		lapic_update_bus(l);
	}
	raw_spin_unlock_irqrestore(&l->lock, flags);

	if (!ret)
		virq_vcpu_kick(vcpu);
	return ret;
}

/* --- debugfs -------------------------------------------------------------- */

static void lapic_show_vectors(struct seq_file *m, const struct x86_lapic *l,
			       const char *name, u32 base)
{
	int i;

	seq_printf(m, "  %s", name);
	for (i = 7; i >= 0; i--)
		seq_printf(m, " %08x", lapic_get(l, base + i * 0x10));
	seq_putc(m, '\n');
}

/**
 * x86_lapic_show() - print the LAPIC for debugfs
 * @vcpu: the vCPU
 * @m: the file
 *
 * Context: process; takes the LAPIC lock.
 */
void x86_lapic_show(struct virq_vcpu *vcpu, struct seq_file *m)
{
	struct x86_lapic *l = vcpu->priv;
	unsigned long flags;
	const char *mode;
	unsigned int i;

	raw_spin_lock_irqsave(&l->lock, flags);
	mode = !lapic_hw_enabled(l) ? "disabled" :
	       lapic_x2apic(l) ? "x2APIC" : "xAPIC";
	seq_printf(m, "lapic %u: %s apic_base %#llx id %#x events %#x%s sipi %#x\n",
		   vcpu->index, mode, (unsigned long long)l->apic_base,
		   lapic_get(l, LAPIC_ID), l->events,
		   l->wait_sipi ? " wait-for-SIPI" : "", l->sipi_vector);
	seq_printf(m, "  tpr %#x ppr %#x svr %#x ldr %#x dfr %#x esr %#x pending %#x icr %#x:%08x\n",
		   lapic_get(l, LAPIC_TPR), lapic_get(l, LAPIC_PPR),
		   lapic_get(l, LAPIC_SVR), lapic_get(l, LAPIC_LDR),
		   lapic_get(l, LAPIC_DFR), lapic_get(l, LAPIC_ESR),
		   l->esr_pending, lapic_get(l, LAPIC_ICR2),
		   lapic_get(l, LAPIC_ICR));
	seq_puts(m, "  lvt");
	for (i = 0; i < ARRAY_SIZE(lapic_lvts); i++)
		seq_printf(m, " %s %#x", lapic_regs[lapic_lvts[i] >> 4].name,
			   lapic_get(l, lapic_lvts[i]));
	seq_printf(m, " tmict %#x tdcr %#x\n", lapic_get(l, LAPIC_TMICT),
		   lapic_get(l, LAPIC_TDCR));
	lapic_show_vectors(m, l, "irr", LAPIC_IRR);
	lapic_show_vectors(m, l, "isr", LAPIC_ISR);
	lapic_show_vectors(m, l, "tmr", LAPIC_TMR);
	raw_spin_unlock_irqrestore(&l->lock, flags);
}

/* --- lifetime ------------------------------------------------------------- */

/**
 * x86_lapic_create() - the LAPIC of a new vCPU, in vcpu->priv
 * @vcpu: the vCPU (arch_id is its APIC id)
 *
 * The LAPIC starts in its power-up state: enabled in xAPIC mode at
 * VIRQ_X86_LAPIC_DEFAULT_BASE, software-disabled, the BSP flag set on
 * vCPU index 0, xAPIC ID arch_id[7:0].
 *
 * Context: process; the chip exists.
 * Return: 0; -EINVAL if arch_id is not a usable x2APIC id (above
 * 0xfffffffe); -ENOMEM, or x86_timer_create()'s error.
 */
int x86_lapic_create(struct virq_vcpu *vcpu)
{
	struct x86_chip *chip = x86_chip(vcpu->inst);
	struct x86_timer *t;
	struct x86_lapic *l;
	unsigned long flags;

	if (vcpu->arch_id >= X86_BROADCAST_X2APIC)
		return -EINVAL;
	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l)
		return -ENOMEM;
	raw_spin_lock_init(&l->lock);
	l->vcpu = vcpu;
	l->directed_eoi = chip->flags & VIRQ_X86_OPT_DIRECTED_EOI;
	l->apic_base = VIRQ_X86_LAPIC_DEFAULT_BASE | LAPIC_BASE_EN |
		       (vcpu->index ? 0 : LAPIC_BASE_BSP);
	vcpu->priv = l;

	t = x86_timer_create(vcpu);
	if (IS_ERR_OR_NULL(t)) {
		vcpu->priv = NULL;
		kfree(l);
		return t ? PTR_ERR(t) : -ENOMEM;
	}
	l->timer = t;

	raw_spin_lock_irqsave(&l->lock, flags);
	lapic_reset(l, false);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return 0;
}

/**
 * x86_lapic_destroy() - free the LAPIC of @vcpu
 * @vcpu: the vCPU
 *
 * Context: process; the chip may be gone already (it is not touched).
 */
void x86_lapic_destroy(struct virq_vcpu *vcpu)
{
	struct x86_lapic *l = vcpu->priv;

	if (!l)
		return;
	x86_timer_destroy(l->timer);
	vcpu->priv = NULL;
	kfree(l);
}
