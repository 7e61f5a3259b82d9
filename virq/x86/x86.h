/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 family: IOAPICs (ioapic.c), the 8259 PIC pair (i8259.c), one
 * local APIC per vCPU (lapic.c) with its timer (timer.c), MSI decoding and
 * interrupt remapping (msi.c), the GSI routing table (route.c) and the
 * glue that implements struct virq_chip_ops (x86.c).
 *
 * The pieces talk through the functions declared here; each file owns
 * its state and its lock.
 *
 * Locking order:
 *
 *   x86_routes.mutex (update side only; readers use RCU)
 *     x86_ioapic.lock (raw, IRQs off)		one IOAPIC at a time
 *     x86_pic.lock (raw, IRQs off)
 *       x86_lapic.lock (raw, IRQs off)		one LAPIC at a time
 *
 * x86_deliver() takes LAPIC locks itself and is called with no IOAPIC or
 * PIC lock held: an IOAPIC or the PIC decides what to send under its lock,
 * drops it, then delivers.  Nothing calls into the core (virq_vcpu_kick(),
 * virq_notify_eoi()) with a model lock held: those take sleeping locks on
 * PREEMPT_RT.  The EOI paths run from a vCPU's register access (process
 * context, no lock held): LAPIC EOI -> x86_eoi_broadcast() -> IOAPIC EOI
 * -> x86_pin_eoi() -> virq_notify_eoi().
 */
#ifndef _VIRQ_X86_X86_H
#define _VIRQ_X86_X86_H

#include <linux/bitops.h>
#include <linux/seq_file.h>

#include "../virq.h"

/* Delivery modes: IOAPIC RTE bits 10:8, ICR bits 10:8, MSI data bits 10:8 */
#define X86_DM_FIXED		0
#define X86_DM_LOWEST		1
#define X86_DM_SMI		2
#define X86_DM_NMI		4
#define X86_DM_INIT		5
#define X86_DM_SIPI		6
#define X86_DM_EXTINT		7

/* ICR destination shorthand, bits 19:18 */
#define X86_SH_NONE		0
#define X86_SH_SELF		1
#define X86_SH_ALL		2
#define X86_SH_OTHERS		3

#define X86_BROADCAST_XAPIC	0xffU
#define X86_BROADCAST_X2APIC	0xffffffffU

/**
 * struct x86_irq - one interrupt message on the (virtual) APIC bus
 * @dest: destination: an APIC id, or a logical mask (flat: 8 bits;
 *	cluster: cluster in the high bits); 8 bits unless @x2apic_dest
 * @vector: vector (ignored for NMI, SMI, INIT; page number for SIPI)
 * @delivery_mode: X86_DM_*
 * @shorthand: X86_SH_* (IPIs only; else X86_SH_NONE)
 * @logical: logical destination mode
 * @level: level-triggered (the LAPIC sets TMR)
 * @assert: level assert; an INIT with @level and !@assert is the
 *	"INIT level de-assert" that the LAPIC ignores
 * @redir_hint: MSI redirection hint: with @logical, deliver to the
 *	lowest-priority destination (as X86_DM_LOWEST)
 * @x2apic_dest: @dest is a 32-bit x2APIC id or cluster/mask
 *	(x2APIC ICR, remapped interrupts, extended MSI destination ids)
 */
struct x86_irq {
	u32 dest;
	u8 vector;
	u8 delivery_mode;
	u8 shorthand;
	bool logical;
	bool level;
	bool assert;
	bool redir_hint;
	bool x2apic_dest;
};

struct x86_ioapic;
struct x86_pic;
struct x86_routes;
struct x86_ir;
struct x86_lapic;

/**
 * struct x86_chip - the x86 family's chip (virq_instance_view.chip)
 * @inst: the instance
 * @flags: VIRQ_X86_OPT_*
 * @nr_ioapics: IOAPICs in @ioapics
 * @ioapics: the IOAPICs
 * @pic: the PIC pair, NULL with VIRQ_X86_OPT_NO_PIC
 * @routes: the GSI routing table
 * @ir: interrupt remapping, NULL when nr_irtes was 0
 */
struct x86_chip {
	struct virq_instance *inst;
	u32 flags;
	u32 nr_ioapics;
	struct x86_ioapic *ioapics[VIRQ_X86_MAX_IOAPICS];
	struct x86_pic *pic;
	struct x86_routes *routes;
	struct x86_ir *ir;
};

static inline struct x86_chip *x86_chip(struct virq_instance *inst)
{
	return virq_view(inst)->chip;
}

/*
 * x86.c: the glue, and the services the pieces call.
 */

/* The guest ended level interrupt @pin of @irqchip (VIRQ_X86_IRQCHIP_*):
 * signal the resamplers of every GSI routed there.  No lock held.
 */
void x86_pin_eoi(struct x86_chip *chip, u32 irqchip, u32 pin);
/* A LAPIC ended level vector @vector: every IOAPIC's EOI.  No lock held. */
void x86_eoi_broadcast(struct x86_chip *chip, u8 vector);

/*
 * ioapic.c
 */
struct x86_ioapic *x86_ioapic_create(struct x86_chip *chip, u32 index,
				     const struct virq_x86_ioapic_config *cfg);
void x86_ioapic_destroy(struct x86_ioapic *ioapic);
/* (atomic) drive @pin; *@status as virq_irq_line.status */
int x86_ioapic_set_irq(struct x86_ioapic *ioapic, u32 pin, u32 op,
		       enum virq_driver driver, int *status);
/* The drivers holding @pin high, BIT(enum virq_driver); and restore */
u8 x86_ioapic_get_drivers(struct x86_ioapic *ioapic, u32 pin);
void x86_ioapic_set_drivers(struct x86_ioapic *ioapic, u32 pin, u8 drivers);
/* MMIO access in the IOAPIC's window; -ENXIO outside it, -EINVAL for a
 * width or alignment the IOAPIC does not decode
 */
int x86_ioapic_mmio(struct x86_ioapic *ioapic, u64 addr, u32 len,
		    bool write, u64 *data);
/* EOI broadcast for @vector (also the IOAPIC EOI register's path) */
void x86_ioapic_eoi(struct x86_ioapic *ioapic, u8 vector);
u32 x86_ioapic_nr_pins(struct x86_ioapic *ioapic);
void x86_ioapic_get_state(struct x86_ioapic *ioapic,
			  struct virq_x86_ioapic_state *st);
/* Validates all of @st, then applies it; -EINVAL and no change if bad */
int x86_ioapic_set_state(struct x86_ioapic *ioapic,
			 const struct virq_x86_ioapic_state *st);
void x86_ioapic_show(struct x86_ioapic *ioapic, struct seq_file *m);

/*
 * i8259.c
 */
struct x86_pic *x86_pic_create(struct x86_chip *chip);
void x86_pic_destroy(struct x86_pic *pic);
/* (atomic) drive @pin 0..15 (8..15: the slave's 0..7) */
int x86_pic_set_irq(struct x86_pic *pic, u32 pin, u32 op,
		    enum virq_driver driver, int *status);
u8 x86_pic_get_drivers(struct x86_pic *pic, u32 pin);
void x86_pic_set_drivers(struct x86_pic *pic, u32 pin, u8 drivers);
/* I/O ports 0x20-0x21, 0xa0-0xa1, 0x4d0-0x4d1; -ENXIO for others */
int x86_pic_pio(struct x86_pic *pic, u16 port, u32 len, bool write,
		u64 *data);
/* (atomic) the master's INT output */
bool x86_pic_output(struct x86_pic *pic);
/* The INTA cycle: the vector the PIC supplies (spurious IRQ 7/15 rules) */
u8 x86_pic_intack(struct x86_pic *pic);
void x86_pic_get_state(struct x86_pic *pic, struct virq_x86_pic_state *st);
int x86_pic_set_state(struct x86_pic *pic,
		      const struct virq_x86_pic_state *st);
void x86_pic_show(struct x86_pic *pic, struct seq_file *m);

/*
 * lapic.c: the LAPICs, and delivery of messages to them.
 */
int x86_lapic_create(struct virq_vcpu *vcpu);
void x86_lapic_destroy(struct virq_vcpu *vcpu);
/* (atomic) deliver @irq to the LAPICs it names; @src is the sending vCPU
 * for IPIs (shorthands), NULL otherwise.  Returns how many LAPICs accepted
 * it (0: no destination, or all had it pending already).
 */
int x86_deliver(struct x86_chip *chip, const struct x86_irq *irq,
		struct virq_vcpu *src);
/* xAPIC MMIO page, x2APIC MSRs, IA32_APIC_BASE, IA32_TSC_DEADLINE;
 * -ENXIO for anything else
 */
int x86_lapic_access(struct virq_vcpu *vcpu, u32 space, u64 addr, u32 len,
		     bool write, u64 *data);
/* (atomic) VIRQ_OUT_* of the vCPU: INT, EXTINT (PIC output through an
 * ExtINT LINT0, or a disabled LAPIC), NMI, INIT, SIPI, SMI
 */
u32 x86_lapic_output(struct virq_vcpu *vcpu, u32 *sipi_vector);
/* VIRQ_VCPU_ACK: @event 0 is INTA; else one VIRQ_OUT_* event bit */
int x86_lapic_ack(struct virq_vcpu *vcpu, u32 event, u64 *id);
/* The PIC's output changed: kick the vCPUs that take ExtINT. No lock. */
void x86_lapic_pic_changed(struct x86_chip *chip);
void x86_lapic_get_state(struct virq_vcpu *vcpu,
			 struct virq_x86_lapic_state *st);
int x86_lapic_set_state(struct virq_vcpu *vcpu,
			const struct virq_x86_lapic_state *st);
void x86_lapic_show(struct virq_vcpu *vcpu, struct seq_file *m);
/* VIRQ_X86_VGRP_TSC: the timer's guest TSC, under the LAPIC lock */
void x86_lapic_get_tsc(struct virq_vcpu *vcpu, struct virq_x86_tsc *tsc);
int x86_lapic_set_tsc(struct virq_vcpu *vcpu,
		      const struct virq_x86_tsc *tsc);

/*
 * timer.c: the LAPIC timer.  lapic.c owns the registers and calls these
 * on the accesses that concern the timer, with the LAPIC lock held.
 */
struct x86_timer;
struct x86_timer *x86_timer_create(struct virq_vcpu *vcpu);
void x86_timer_destroy(struct x86_timer *t);
/* LVTT, TMICT or TDCR written (new values given), or the LAPIC reset */
void x86_timer_update(struct x86_timer *t, u32 lvtt, u32 tmict, u32 tdcr);
u32 x86_timer_read_tmcct(struct x86_timer *t);
void x86_timer_write_deadline(struct x86_timer *t, u64 tsc);
u64 x86_timer_read_deadline(struct x86_timer *t);
int x86_timer_set_tsc(struct x86_timer *t, const struct virq_x86_tsc *tsc);
void x86_timer_get_tsc(struct x86_timer *t, struct virq_x86_tsc *tsc);
/* Save/restore of the timer fields of struct virq_x86_lapic_state */
void x86_timer_save(struct x86_timer *t, struct virq_x86_lapic_state *st);
int x86_timer_restore(struct x86_timer *t,
		      const struct virq_x86_lapic_state *st);
/* lapic.c: the timer expired: raise LVTT's vector (hrtimer context) */
void x86_lapic_timer_fired(struct virq_vcpu *vcpu);

/*
 * msi.c: MSI decoding and interrupt remapping.
 */
/* Decode an MSI write (compatibility or remappable format) into @irq;
 * 0, or -EFAULT when remapping faulted (the fault is recorded; drop the
 * interrupt), -EINVAL when the address is not an MSI address
 */
int x86_msi_decode(struct x86_chip *chip, const struct virq_msi_msg *msg,
		   struct x86_irq *irq);
/* A remappable IOAPIC RTE: translate through IRTE @index */
int x86_ir_translate(struct x86_chip *chip, u32 index, u32 source_id,
		     bool check_sid, struct x86_irq *irq);
struct x86_ir *x86_ir_create(u32 nr_irtes);
void x86_ir_destroy(struct x86_ir *ir);
int x86_ir_get_entries(struct x86_ir *ir, u32 first, u32 count,
		       struct virq_x86_irte *e);
int x86_ir_set_entries(struct x86_ir *ir, u32 first, u32 count,
		       const struct virq_x86_irte *e);
void x86_ir_get_fault(struct x86_ir *ir, struct virq_x86_ir_fault *f);
int x86_ir_set_fault_eventfd(struct x86_ir *ir, int fd);

/*
 * route.c: the GSI routing table.  Readers (injection) walk a GSI's
 * entries under rcu_read_lock(); updates replace one GSI's entry set with
 * rcu_assign_pointer() and free the old one with kfree_rcu().
 */
#define X86_GSI_MAX_PINS	(2 + VIRQ_X86_MAX_IOAPICS)

/**
 * struct x86_gsi - the routing entries of one GSI (immutable once
 * published)
 * @rcu: for kfree_rcu()
 * @nr: entries in @e
 * @e: the entries, as the VMM gave them (validated)
 */
struct x86_gsi {
	struct rcu_head rcu;
	u32 nr;
	struct virq_route e[];
};

struct x86_routes *x86_routes_create(struct x86_chip *chip, u32 nr_gsis,
				     u32 max_routes);
void x86_routes_destroy(struct x86_routes *r);
int x86_routes_set_default(struct x86_routes *r);
int x86_routes_set_all(struct x86_routes *r, const struct virq_route *e,
		       u32 nr);
int x86_routes_update(struct x86_routes *r, u32 op,
		      const struct virq_route *e);
int x86_routes_get(struct x86_routes *r, struct virq_route *e, u32 *nr);
/* Under rcu_read_lock(): the entries of @gsi, or NULL */
const struct x86_gsi *x86_routes_lookup(struct x86_routes *r, u32 gsi);
/* Call @fn for every GSI with an irqchip entry on (@irqchip, @pin) */
void x86_routes_for_each_gsi(struct x86_routes *r, u32 irqchip, u32 pin,
			     void (*fn)(struct x86_chip *chip, u32 gsi));

#endif /* _VIRQ_X86_X86_H */
