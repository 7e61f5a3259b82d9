// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O APIC: a version 0x20 IOAPIC (82093AA register model plus the
 * EOI register of the later chipset IOAPICs) with 1..240 pins.  An
 * instance may have several; each is one struct x86_ioapic.
 *
 * MMIO window: [base, base + 0x100), sixteen 16-byte register slots.
 *   0x00 IOREGSEL	1-, 2- or 4-byte accesses; narrow writes zero-extend
 *   0x10 IOWIN		4-byte accesses
 *   0x40 EOI		4-byte accesses; writes end vector bits 7:0, reads 0
 *   other slots	4-byte accesses; read as zero, writes ignored
 * Any other width or alignment (8-byte accesses, accesses that do not
 * start a slot, sub-dword IOWIN/EOI accesses) is -EINVAL.  KVM decodes
 * 1/2/4/8-byte accesses at any offset of a slot and truncates the value;
 * the 82093AA documents 32-bit accesses, so we decode only those, plus
 * narrow accesses to IOREGSEL, whose register is 8 bits wide.
 *
 * Indirect registers (IOREGSEL value): 0x00 IOAPICID (bits 27:24 R/W),
 * 0x01 IOAPICVER (RO: 0x20 | (pins - 1) << 16), 0x02 IOAPICARB (RO: the
 * id, as KVM), 0x10 + 2n / 0x11 + 2n IOREDTBL[n] low / high.  Others read
 * as zero and ignore writes (KVM reads ~0 there).
 *
 * IOREGSEL is the 82093AA's 8-bit register, which reaches 120 entries.
 * An IOAPIC with more pins has a 9-bit IOREGSEL (bits 8:0), so that entry
 * n is still at 0x10 + 2n: this is an extension (no hardware IOAPIC has
 * more than 120 entries), and what an OS that writes the full register
 * number to IOREGSEL (Linux does) expects from a larger version register.
 *
 * Redirection entries keep every architectural field; reserved bits
 * 47:17 read as zero (so a saved state never holds them), delivery
 * status (bit 12) reads as idle because messages are delivered
 * synchronously, and remote IRR (bit 14) is read-only.  Bits 55:49 are
 * kept as written: they are index bits in the remappable format.
 *
 * Lines: a pin's line is the OR of its drivers (enum virq_driver).  The
 * level the VMM gives is the logical assert level: the polarity bit is
 * stored for the guest but not applied (KVM does the same).
 *  - Edge pins send on each rising edge of the line; VIRQ_LINE_EDGE is a
 *    pulse (the driver asserts, then lets go).  An edge that arrives while
 *    the pin is masked is lost: the 82093AA ignores it, neither delivered
 *    nor held pending, so unmasking never sends for an edge pin.  KVM
 *    loses it too (unmasking re-evaluates only level pins).
 *  - Level pins send while the line is high, unmasked and remote IRR is
 *    clear: on an assert, on any write of the entry (unmask included), on
 *    an EOI of their vector, and after a state restore.  Remote IRR is set
 *    when a LAPIC accepted the message and an EOI will end it; otherwise
 *    it stays clear and the next of those events tries again (as KVM).
 *    Nobody accepts a message without destination, for disabled LAPICs,
 *    after a remapping fault, or whose vector is already pending in IRR
 *    (the LAPIC merges it: KVM counts that as accepted and sets remote
 *    IRR, here the status is VIRQ_STATUS_COALESCED and the EOI of the
 *    vector still ends the pin, see below).  No EOI ends a remappable
 *    entry's message when its IRTE makes it edge, gives a delivery mode
 *    other than fixed or lowest priority, or a vector other than the
 *    entry's bits 7:0: the LAPIC ends another vector, or none.
 *  - SMI, NMI, INIT and ExtINT entries behave as edge whatever their
 *    trigger mode bit (82093AA: these delivery modes require edge
 *    trigger); KVM honours the bit and can wedge such a pin with a remote
 *    IRR no EOI clears.  Entries with a reserved delivery mode (3, 6)
 *    send nothing.
 *  - Writing an entry as edge clears its remote IRR: Linux relies on this
 *    to end interrupts on IOAPICs without an EOI register (KVM does it).
 *
 * EOI: x86_ioapic_eoi() (the LAPIC's EOI broadcast, or the EOI register)
 * ends every level entry with that vector (bits 7:0, in both formats),
 * whether or not its remote IRR is set, as KVM's __kvm_ioapic_update_eoi():
 * a merged message holds no remote IRR, yet the EOI ends it too.  For each
 * such pin, with no lock held, it tells the resamplers (x86_pin_eoi(),
 * which may lower the line); then it clears the remote IRR the EOI ends
 * (not one that a newer message set meanwhile) and sends again if the
 * line is still high, unmasked and without remote IRR.  Remote IRR stays
 * set until the resamplers have run, so that nothing else (an entry
 * write, VIRQ_SET_SOURCES, the storm work) re-sends a serviced device's
 * stale level in between.
 *
 * EOI storm guard: a guest that ends a level interrupt whose line stays
 * high without quieting the device gets it back at once, forever.  After
 * IOAPIC_EOI_STORM_MAX successive re-sends of a pin at EOI with its line
 * never dropping (nor the entry rewritten, nor the state restored), the
 * next re-send waits IOAPIC_EOI_STORM_DELAY_MS in a delayed work, as KVM
 * does: a hardware IOAPIC does not re-send within the EOI either, and a
 * buggy guest still makes progress.
 *
 * Interrupt remapping: an entry with bit 48 set is in the remappable
 * format; its IRTE index is bits 63:49, with bit 11 as index bit 15.
 * With remapping (chip->ir) the message comes from x86_ir_translate(),
 * which checks the IOAPIC's source id; a fault drops it.  Without
 * remapping such an entry sends nothing: there is no table to read (a
 * real IOAPIC would emit a message no interrupt controller decodes).
 *
 * set_irq status: > 0 the LAPICs that accepted, VIRQ_STATUS_MASKED when
 * a message was due but the entry is masked, VIRQ_STATUS_COALESCED
 * otherwise (remote IRR set, no rising edge, a RESET, nothing accepted).
 *
 * Save/restore: struct virq_x86_ioapic_state.  @irr reports the level
 * pins whose line is high (KVM's meaning for level pins; edges are never
 * latched here).  A restore takes the lines from @level (a set bit with no
 * driver holding the line becomes the VMM's drive; x86_ioapic_set_drivers()
 * may restore the exact drivers before or after), and then sends every
 * level pin that is high, unmasked and without remote IRR.  Restore the
 * LAPICs first, so that such a message is not overwritten.
 */
#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "x86.h"

/* MMIO window and direct registers */
#define IOAPIC_WINDOW		0x100
#define IOAPIC_SLOT		0x10
#define IOREGSEL		0x00
#define IOWIN			0x10
#define IOEOI			0x40

/* Indirect registers (IOREGSEL values) */
#define IOAPICID		0x00
#define IOAPICVER		0x01
#define IOAPICARB		0x02
#define IOREDTBL		0x10

#define IOAPIC_ID_SHIFT		24
#define IOAPIC_ID_MASK		0xfU
#define IOAPIC_VERSION		0x20
#define IOAPIC_MAXREDIR_SHIFT	16
/* The most entries an 8-bit IOREGSEL reaches: 0x10 + 2n + 1 <= 0xff */
#define IOAPIC_IOREGSEL8_PINS	120

/* Redirection table entry */
#define IOAPIC_RTE_VECTOR	GENMASK_ULL(7, 0)
#define IOAPIC_RTE_DM_SHIFT	8
#define IOAPIC_RTE_DM_MASK	0x7U
#define IOAPIC_RTE_LOGICAL	BIT_ULL(11)	/* remappable: index bit 15 */
#define IOAPIC_RTE_DELIVS	BIT_ULL(12)	/* delivery status, RO */
#define IOAPIC_RTE_ACTIVE_LOW	BIT_ULL(13)
#define IOAPIC_RTE_REMOTE_IRR	BIT_ULL(14)	/* RO */
#define IOAPIC_RTE_LEVEL	BIT_ULL(15)
#define IOAPIC_RTE_MASKED	BIT_ULL(16)
#define IOAPIC_RTE_RESERVED	GENMASK_ULL(47, 17)
#define IOAPIC_RTE_REMAP	BIT_ULL(48)	/* remappable format */
#define IOAPIC_RTE_INDEX_SHIFT	49		/* remappable: index 14:0 */
#define IOAPIC_RTE_INDEX_MASK	0x7fffU
#define IOAPIC_RTE_INDEX15_SHIFT 11
#define IOAPIC_RTE_DEST_SHIFT	56
#define IOAPIC_RTE_RO		(IOAPIC_RTE_DELIVS | IOAPIC_RTE_REMOTE_IRR)
#define IOAPIC_RTE_RESET	IOAPIC_RTE_MASKED

#define IOAPIC_DRIVERS_ALL	(BIT(VIRQ_NR_DRIVERS) - 1)

#define IOAPIC_EOI_STORM_MAX		10000
#define IOAPIC_EOI_STORM_DELAY_MS	10

/**
 * struct ioapic_pin - one input pin and its redirection entry
 * @rte: the redirection entry, as the guest reads it
 * @claim: bumped each time remote IRR is set for a message in flight, so
 *	that a send nobody accepted clears only its own remote IRR
 * @eoi_storm: successive re-sends at EOI with the line held high
 * @drivers: BIT(enum virq_driver) of the drivers holding the line high
 * @deferred: a re-send waits for the storm guard's delayed work
 */
struct ioapic_pin {
	u64 rte;
	u32 claim;
	u16 eoi_storm;
	u8 drivers;
	bool deferred;
};

/**
 * struct x86_ioapic - one I/O APIC
 * @lock: protects @ioregsel, @id and every field of @pins
 * @chip: the chip it sends to
 * @index: its index (irqchip VIRQ_X86_IRQCHIP_IOAPIC(@index))
 * @nr_pins: pins, 1..VIRQ_X86_IOAPIC_MAX_PINS
 * @base: MMIO base address
 * @source_id: requester id of its messages, for remapping
 * @ioregsel_mask: the bits IOREGSEL holds (0xff; 0x1ff beyond 120 pins)
 * @id: IOAPICID bits 27:24
 * @ioregsel: IOREGSEL
 * @storm_work: re-sends deferred by the EOI storm guard
 * @pins: the pins
 */
struct x86_ioapic {
	raw_spinlock_t lock;
	struct x86_chip *chip;
	u32 index;
	u32 nr_pins;
	u64 base;
	u16 source_id;
	u16 ioregsel_mask;
	u8 id;
	u16 ioregsel;
	struct delayed_work storm_work;
	struct ioapic_pin pins[];
};

/**
 * struct ioapic_msg - a message decided under the IOAPIC lock, sent after
 * it is dropped
 * @irq: the message (compatibility format)
 * @pin: the pin sending it
 * @claim: the pin's claim when remote IRR was set for it
 * @ir_index: IRTE index (remappable format)
 * @rte_vector: the entry's bits 7:0, the vector whose EOI ends the pin
 * @remap: translate IRTE @ir_index instead of using @irq
 * @level: remote IRR was set for it
 */
struct ioapic_msg {
	struct x86_irq irq;
	u32 pin;
	u32 claim;
	u32 ir_index;
	u8 rte_vector;
	bool remap;
	bool level;
};

static const char * const ioapic_dm_names[8] = {
	[X86_DM_FIXED]	= "fixed",
	[X86_DM_LOWEST]	= "lowest",
	[X86_DM_SMI]	= "smi",
	[3]		= "dm3",
	[X86_DM_NMI]	= "nmi",
	[X86_DM_INIT]	= "init",
	[X86_DM_SIPI]	= "dm6",
	[X86_DM_EXTINT]	= "extint",
};

static u32 ioapic_rte_dm(u64 rte)
{
	return (rte >> IOAPIC_RTE_DM_SHIFT) & IOAPIC_RTE_DM_MASK;
}

static u32 ioapic_rte_index(u64 rte)
{
	return ((rte >> IOAPIC_RTE_INDEX_SHIFT) & IOAPIC_RTE_INDEX_MASK) |
	       ((rte >> IOAPIC_RTE_INDEX15_SHIFT) & 1) << 15;
}

/*
 * Whether the entry behaves as level-triggered: its trigger mode bit, for
 * the delivery modes that may be level (fixed, lowest priority; in the
 * remappable format the IRTE holds the delivery mode).
 */
static bool ioapic_rte_level(u64 rte)
{
	u32 dm = ioapic_rte_dm(rte);

	if (!(rte & IOAPIC_RTE_LEVEL))
		return false;
	return (rte & IOAPIC_RTE_REMAP) ||
	       dm == X86_DM_FIXED || dm == X86_DM_LOWEST;
}

/* Delivery modes an IOAPIC may send (3 and 6 are reserved) */
static bool ioapic_dm_valid(u32 dm)
{
	return dm != 3 && dm != X86_DM_SIPI;
}

/*
 * Decide whether @pin sends a message now (its line is asserted, or it
 * saw a rising edge) and fill @msg.  A level message sets remote IRR
 * here, before the lock is dropped, so that no second message overtakes
 * it; ioapic_send() clears it again if nobody accepted.
 *
 * Return: 1 if @msg must be sent with ioapic_send(), VIRQ_STATUS_MASKED
 * if the entry is masked, else VIRQ_STATUS_COALESCED (remote IRR set, or
 * an entry that sends nothing).
 */
static int ioapic_send_locked(struct x86_ioapic *ioapic, u32 pin,
			      struct ioapic_msg *msg)
	__must_hold(&ioapic->lock)
{
	struct ioapic_pin *p = &ioapic->pins[pin];
	u64 rte = p->rte;
	bool level = ioapic_rte_level(rte);
	u32 dm = ioapic_rte_dm(rte);

	lockdep_assert_held(&ioapic->lock);

	if (rte & IOAPIC_RTE_MASKED)
		return VIRQ_STATUS_MASKED;
	if (level && (rte & IOAPIC_RTE_REMOTE_IRR))
		return VIRQ_STATUS_COALESCED;

	memset(msg, 0, sizeof(*msg));
	msg->pin = pin;
	msg->rte_vector = rte & IOAPIC_RTE_VECTOR;
	if (rte & IOAPIC_RTE_REMAP) {
		/* No remapping hardware: nothing decodes the message. */
		if (!ioapic->chip->ir)
			return VIRQ_STATUS_COALESCED;
		msg->remap = true;
		msg->ir_index = ioapic_rte_index(rte);
	} else {
		if (!ioapic_dm_valid(dm))
			return VIRQ_STATUS_COALESCED;
		msg->irq.dest = rte >> IOAPIC_RTE_DEST_SHIFT;
		msg->irq.vector = rte & IOAPIC_RTE_VECTOR;
		msg->irq.delivery_mode = dm;
		msg->irq.shorthand = X86_SH_NONE;
		msg->irq.logical = !!(rte & IOAPIC_RTE_LOGICAL);
		msg->irq.level = level;
		msg->irq.assert = true;
	}
	if (level) {
		p->rte |= IOAPIC_RTE_REMOTE_IRR;
		msg->claim = ++p->claim;
		msg->level = true;
	}
	return 1;
}

/*
 * Whether the EOI of @msg's vector comes back to its pin: only for a
 * level, fixed or lowest-priority message with the entry's vector (the
 * LAPIC sets TMR and broadcasts the EOI of that vector).  Always so for a
 * level entry in the compatibility format; a remappable entry's message
 * is what its IRTE says.
 */
static bool ioapic_msg_ends_at_eoi(const struct ioapic_msg *msg)
{
	const struct x86_irq *irq = &msg->irq;

	return irq->level && irq->vector == msg->rte_vector &&
	       (irq->delivery_mode == X86_DM_FIXED ||
		irq->delivery_mode == X86_DM_LOWEST);
}

/*
 * Send @msg (decided by ioapic_send_locked()).  No IOAPIC lock held.
 * Return: the LAPICs that accepted it, VIRQ_STATUS_MASKED when the
 * remapping table dropped it (a fault, as for an MSI), or
 * VIRQ_STATUS_COALESCED.
 */
static int ioapic_send(struct x86_ioapic *ioapic, struct ioapic_msg *msg)
{
	struct x86_chip *chip = ioapic->chip;
	struct ioapic_pin *p;
	unsigned long flags;
	int ret = 0;

	lockdep_assert_not_held(&ioapic->lock);

	if (msg->remap) {
		if (!x86_ir_translate(chip, msg->ir_index, ioapic->source_id,
				      true, &msg->irq)) {
			/* An IOAPIC message always asserts. */
			msg->irq.assert = true;
			ret = x86_deliver(chip, &msg->irq, NULL);
		} else {
			ret = VIRQ_STATUS_MASKED;
		}
	} else {
		ret = x86_deliver(chip, &msg->irq, NULL);
	}

	if (msg->level && (ret <= 0 || !ioapic_msg_ends_at_eoi(msg))) {
		/*
		 * Nobody accepted it, or no EOI will end it: clear the
		 * remote IRR we set, unless an EOI and a newer message
		 * replaced it behind our back.
		 */
		p = &ioapic->pins[msg->pin];
		raw_spin_lock_irqsave(&ioapic->lock, flags);
		if ((p->rte & IOAPIC_RTE_REMOTE_IRR) && p->claim == msg->claim)
			p->rte &= ~IOAPIC_RTE_REMOTE_IRR;
		raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	}
	return ret > 0 || ret == VIRQ_STATUS_MASKED ? ret :
						     VIRQ_STATUS_COALESCED;
}

/* Send @pin if it is a level pin with its line asserted. */
static void ioapic_resend_level(struct x86_ioapic *ioapic, u32 pin)
{
	struct ioapic_pin *p = &ioapic->pins[pin];
	struct ioapic_msg msg;
	unsigned long flags;
	int st = 0;

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	if (p->drivers && ioapic_rte_level(p->rte))
		st = ioapic_send_locked(ioapic, pin, &msg);
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	if (st > 0)
		ioapic_send(ioapic, &msg);
}

/*
 * The storm guard's delayed work: send the deferred pins that still have
 * a reason to.
 */
static void ioapic_storm_work(struct work_struct *work)
{
	struct x86_ioapic *ioapic = container_of(to_delayed_work(work),
						 struct x86_ioapic,
						 storm_work);
	unsigned long flags;
	bool deferred;
	u32 pin;

	for (pin = 0; pin < ioapic->nr_pins; pin++) {
		raw_spin_lock_irqsave(&ioapic->lock, flags);
		deferred = ioapic->pins[pin].deferred;
		ioapic->pins[pin].deferred = false;
		raw_spin_unlock_irqrestore(&ioapic->lock, flags);
		if (deferred)
			ioapic_resend_level(ioapic, pin);
	}
}

/**
 * x86_ioapic_create() - create an IOAPIC in its reset state
 * @chip: the chip
 * @index: its index, 0..VIRQ_X86_MAX_IOAPICS-1
 * @cfg: its configuration (validated by the caller; nr_pins and base of 0
 *	are resolved to their defaults here too)
 *
 * Context: process context.
 * Return: the IOAPIC, or NULL when out of memory or @index or @cfg is out
 * of range.
 */
struct x86_ioapic *x86_ioapic_create(struct x86_chip *chip, u32 index,
				     const struct virq_x86_ioapic_config *cfg)
{
	u32 nr_pins = cfg->nr_pins ?: VIRQ_X86_IOAPIC_DEFAULT_PINS;
	u64 base = cfg->base;
	struct x86_ioapic *ioapic;
	u32 pin;

	if (!base)
		base = VIRQ_X86_IOAPIC_DEFAULT_BASE + 0x1000ULL * index;
	if (index >= VIRQ_X86_MAX_IOAPICS ||
	    nr_pins > VIRQ_X86_IOAPIC_MAX_PINS || cfg->id > IOAPIC_ID_MASK ||
	    base > U64_MAX - IOAPIC_WINDOW + 1)
		return NULL;

	ioapic = kzalloc(struct_size(ioapic, pins, nr_pins),
			 GFP_KERNEL_ACCOUNT);
	if (!ioapic)
		return NULL;
	raw_spin_lock_init(&ioapic->lock);
	INIT_DELAYED_WORK(&ioapic->storm_work, ioapic_storm_work);
	ioapic->chip = chip;
	ioapic->index = index;
	ioapic->nr_pins = nr_pins;
	ioapic->base = base;
	ioapic->source_id = cfg->source_id;
	ioapic->id = cfg->id;
	ioapic->ioregsel_mask = nr_pins > IOAPIC_IOREGSEL8_PINS ? 0x1ff : 0xff;
	for (pin = 0; pin < nr_pins; pin++)
		ioapic->pins[pin].rte = IOAPIC_RTE_RESET;
	return ioapic;
}

/**
 * x86_ioapic_destroy() - free an IOAPIC
 * @ioapic: the IOAPIC, or NULL
 *
 * Context: process context; nothing may inject into it any more.
 */
void x86_ioapic_destroy(struct x86_ioapic *ioapic)
{
	if (!ioapic)
		return;
	cancel_delayed_work_sync(&ioapic->storm_work);
	kfree(ioapic);
}

/**
 * x86_ioapic_nr_pins() - the IOAPIC's number of pins
 * @ioapic: the IOAPIC
 *
 * Return: 1..VIRQ_X86_IOAPIC_MAX_PINS.
 */
u32 x86_ioapic_nr_pins(struct x86_ioapic *ioapic)
{
	return ioapic->nr_pins;
}

/**
 * x86_ioapic_set_irq() - drive a pin
 * @ioapic: the IOAPIC
 * @pin: the pin
 * @op: VIRQ_LINE_RESET, VIRQ_LINE_SET or VIRQ_LINE_EDGE (a pulse)
 * @driver: who drives
 * @status: (out, may be NULL) as virq_irq_line.status
 *
 * Context: any (atomic).
 * Return: 0, or -EINVAL for a pin, op or driver out of range.
 */
int x86_ioapic_set_irq(struct x86_ioapic *ioapic, u32 pin, u32 op,
		       enum virq_driver driver, int *status)
{
	int st = VIRQ_STATUS_COALESCED;
	struct ioapic_msg msg;
	struct ioapic_pin *p;
	unsigned long flags;
	u8 was;

	if (pin >= ioapic->nr_pins || op > VIRQ_LINE_EDGE ||
	    (u32)driver >= VIRQ_NR_DRIVERS)
		return -EINVAL;
	pin = array_index_nospec(pin, ioapic->nr_pins);
	p = &ioapic->pins[pin];

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	was = p->drivers;
	if (op == VIRQ_LINE_RESET)
		p->drivers &= ~BIT(driver);
	else
		p->drivers |= BIT(driver);

	/* A level pin sends while high, an edge pin on the rising edge. */
	if (op != VIRQ_LINE_RESET && (ioapic_rte_level(p->rte) || !was))
		st = ioapic_send_locked(ioapic, pin, &msg);

	if (op == VIRQ_LINE_EDGE)
		p->drivers &= ~BIT(driver);
	if (!p->drivers)
		p->eoi_storm = 0;
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);

	if (st > 0)
		st = ioapic_send(ioapic, &msg);
	if (status)
		*status = st;
	return 0;
}

/**
 * x86_ioapic_get_drivers() - who holds a pin's line high
 * @ioapic: the IOAPIC
 * @pin: the pin
 *
 * Context: any.
 * Return: BIT(enum virq_driver) of each driver asserting @pin; 0 for a
 * pin out of range.
 */
u8 x86_ioapic_get_drivers(struct x86_ioapic *ioapic, u32 pin)
{
	if (pin >= ioapic->nr_pins)
		return 0;
	pin = array_index_nospec(pin, ioapic->nr_pins);
	return READ_ONCE(ioapic->pins[pin].drivers);
}

/**
 * x86_ioapic_set_drivers() - restore who holds a pin's line high
 * @ioapic: the IOAPIC
 * @pin: the pin (ignored if out of range)
 * @drivers: BIT(enum virq_driver) of each driver asserting @pin; unknown
 *	bits are ignored
 *
 * Restoring a line is not an edge: an edge pin sends nothing.  A level
 * pin that is now high, unmasked and without remote IRR sends, as after
 * x86_ioapic_set_state().
 *
 * Context: any.
 */
void x86_ioapic_set_drivers(struct x86_ioapic *ioapic, u32 pin, u8 drivers)
{
	struct ioapic_pin *p;
	unsigned long flags;

	if (pin >= ioapic->nr_pins)
		return;
	pin = array_index_nospec(pin, ioapic->nr_pins);
	p = &ioapic->pins[pin];

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	p->drivers = drivers & IOAPIC_DRIVERS_ALL;
	if (!p->drivers)
		p->eoi_storm = 0;
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);

	ioapic_resend_level(ioapic, pin);
}

/* Whether an EOI of @vector ends the pin of entry @rte */
static bool ioapic_eoi_matches(u64 rte, u8 vector)
{
	return ioapic_rte_level(rte) && (rte & IOAPIC_RTE_VECTOR) == vector;
}

/*
 * End @pin for an EOI of @vector (KVM's kvm_ioapic_update_eoi_one()):
 * tell its resamplers with no lock held, then clear the remote IRR this
 * EOI ends and send again if the line is still high, unmasked and without
 * remote IRR, unless the storm guard defers it.
 * Return: true if the re-send was deferred.
 */
static bool ioapic_eoi_pin(struct x86_ioapic *ioapic, u32 pin, u8 vector)
{
	struct ioapic_pin *p = &ioapic->pins[pin];
	bool ends, rirr, defer = false;
	struct ioapic_msg msg;
	unsigned long flags;
	u32 claim;
	int st = 0;

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	ends = ioapic_eoi_matches(p->rte, vector);
	rirr = p->rte & IOAPIC_RTE_REMOTE_IRR;
	claim = p->claim;
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	if (!ends)
		return false;

	/* The resamplers may lower the line before we look at it again. */
	x86_pin_eoi(ioapic->chip, VIRQ_X86_IRQCHIP_IOAPIC(ioapic->index), pin);

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	/* Not a remote IRR that a newer message set meanwhile */
	if (rirr && p->claim == claim)
		p->rte &= ~IOAPIC_RTE_REMOTE_IRR;
	if (!p->drivers || (p->rte & IOAPIC_RTE_MASKED) ||
	    !ioapic_rte_level(p->rte)) {
		p->eoi_storm = 0;
	} else if (!(p->rte & IOAPIC_RTE_REMOTE_IRR) && !p->deferred) {
		if (++p->eoi_storm >= IOAPIC_EOI_STORM_MAX) {
			p->eoi_storm = 0;
			p->deferred = true;
			defer = true;
		} else {
			st = ioapic_send_locked(ioapic, pin, &msg);
		}
	}
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);

	if (st > 0)
		ioapic_send(ioapic, &msg);
	return defer;
}

/**
 * x86_ioapic_eoi() - end the level interrupts with a vector
 * @ioapic: the IOAPIC
 * @vector: the vector (the LAPIC's EOI broadcast, or the EOI register)
 *
 * Ends every level entry with @vector, whether or not its remote IRR is
 * set: for each, signals its resamplers with x86_pin_eoi(), then clears
 * the remote IRR the EOI ends and sends again if the line is still high
 * (see the top of this file).
 *
 * Context: process context, no lock held.
 */
void x86_ioapic_eoi(struct x86_ioapic *ioapic, u8 vector)
{
	DECLARE_BITMAP(ended, VIRQ_X86_IOAPIC_MAX_PINS);
	unsigned long flags;
	bool defer = false;
	u32 pin;

	bitmap_zero(ended, VIRQ_X86_IOAPIC_MAX_PINS);
	raw_spin_lock_irqsave(&ioapic->lock, flags);
	for (pin = 0; pin < ioapic->nr_pins; pin++)
		if (ioapic_eoi_matches(ioapic->pins[pin].rte, vector))
			__set_bit(pin, ended);
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);

	for_each_set_bit(pin, ended, ioapic->nr_pins)
		defer |= ioapic_eoi_pin(ioapic, pin, vector);

	if (defer)
		schedule_delayed_work(&ioapic->storm_work,
				      msecs_to_jiffies(IOAPIC_EOI_STORM_DELAY_MS));
}

/*
 * IOREDTBL register @sel: whether it exists, and its pin.  The one place
 * that decides which indirect registers beyond the first three exist.
 */
static bool ioapic_redtbl_pin(struct x86_ioapic *ioapic, u32 sel, u32 *pin)
{
	if (sel < IOREDTBL || (sel - IOREDTBL) / 2 >= ioapic->nr_pins)
		return false;
	*pin = array_index_nospec((sel - IOREDTBL) / 2, ioapic->nr_pins);
	return true;
}

/*
 * A guest write of half of @pin's entry.  Returns as ioapic_send_locked()
 * (1: send @msg) for a level pin that may send now.
 */
static int ioapic_write_rte_locked(struct x86_ioapic *ioapic, u32 pin,
				   bool high, u32 val, struct ioapic_msg *msg)
	__must_hold(&ioapic->lock)
{
	struct ioapic_pin *p = &ioapic->pins[pin];
	u64 half = high ? GENMASK_ULL(63, 32) : GENMASK_ULL(31, 0);
	u64 rte;

	lockdep_assert_held(&ioapic->lock);

	rte = (p->rte & ~half) | (((u64)val << (high ? 32 : 0)) & half);
	rte &= ~(IOAPIC_RTE_RESERVED | IOAPIC_RTE_RO);
	rte |= p->rte & IOAPIC_RTE_RO;
	if (!ioapic_rte_level(rte))
		rte &= ~IOAPIC_RTE_REMOTE_IRR;
	p->rte = rte;
	p->eoi_storm = 0;

	/* Unmasked, retargeted or made level: a high line may send now. */
	if (p->drivers && ioapic_rte_level(rte))
		return ioapic_send_locked(ioapic, pin, msg);
	return VIRQ_STATUS_COALESCED;
}

static u32 ioapic_mmio_read_ioregsel(struct x86_ioapic *ioapic)
{
	return READ_ONCE(ioapic->ioregsel);
}

static void ioapic_mmio_write_ioregsel(struct x86_ioapic *ioapic, u32 val)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	/* The other bits are reserved */
	ioapic->ioregsel = val & ioapic->ioregsel_mask;
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
}

static u32 ioapic_mmio_read_iowin(struct x86_ioapic *ioapic)
{
	unsigned long flags;
	u32 val = 0, pin;
	u64 rte;

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	switch (ioapic->ioregsel) {
	case IOAPICID:
	case IOAPICARB:
		val = (u32)ioapic->id << IOAPIC_ID_SHIFT;
		break;
	case IOAPICVER:
		val = IOAPIC_VERSION |
		      (ioapic->nr_pins - 1) << IOAPIC_MAXREDIR_SHIFT;
		break;
	default:
		if (!ioapic_redtbl_pin(ioapic, ioapic->ioregsel, &pin))
			break;
		rte = ioapic->pins[pin].rte;
		val = (ioapic->ioregsel & 1) ? rte >> 32 : (u32)rte;
		break;
	}
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	return val;
}

static void ioapic_mmio_write_iowin(struct x86_ioapic *ioapic, u32 val)
{
	struct ioapic_msg msg;
	unsigned long flags;
	int st = 0;
	u32 pin;

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	switch (ioapic->ioregsel) {
	case IOAPICID:
		ioapic->id = (val >> IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK;
		break;
	case IOAPICVER:
	case IOAPICARB:
		break;		/* read-only */
	default:
		if (ioapic_redtbl_pin(ioapic, ioapic->ioregsel, &pin))
			st = ioapic_write_rte_locked(ioapic, pin,
						     ioapic->ioregsel & 1,
						     val, &msg);
		break;
	}
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);

	if (st > 0)
		ioapic_send(ioapic, &msg);
}

static void ioapic_mmio_write_eoi(struct x86_ioapic *ioapic, u32 val)
{
	x86_ioapic_eoi(ioapic, val & 0xff);
}

static u32 ioapic_mmio_read_raz(struct x86_ioapic *ioapic)
{
	return 0;
}

static void ioapic_mmio_write_wi(struct x86_ioapic *ioapic, u32 val)
{
}

/**
 * struct ioapic_reg - one 16-byte slot of the MMIO window
 * @widths: BIT(len) of each access size decoded at the slot's offset
 * @read: read handler (IOAPIC lock not held)
 * @write: write handler (IOAPIC lock not held)
 */
struct ioapic_reg {
	u32 widths;
	u32 (*read)(struct x86_ioapic *ioapic);
	void (*write)(struct x86_ioapic *ioapic, u32 val);
};

/* The slots that are not listed below */
static const struct ioapic_reg ioapic_reg_reserved = {
	BIT(4), ioapic_mmio_read_raz, ioapic_mmio_write_wi,
};

/* Indexed by slot (offset / IOAPIC_SLOT) */
static const struct ioapic_reg ioapic_regs[IOAPIC_WINDOW / IOAPIC_SLOT] = {
	[IOREGSEL / IOAPIC_SLOT] = {
		BIT(1) | BIT(2) | BIT(4),
		ioapic_mmio_read_ioregsel, ioapic_mmio_write_ioregsel,
	},
	[IOWIN / IOAPIC_SLOT] = {
		BIT(4), ioapic_mmio_read_iowin, ioapic_mmio_write_iowin,
	},
	[IOEOI / IOAPIC_SLOT] = {
		BIT(4), ioapic_mmio_read_raz, ioapic_mmio_write_eoi,
	},
};

/* The one place that checks access width and alignment */
static const struct ioapic_reg *ioapic_check_access(u64 off, u32 len)
{
	const struct ioapic_reg *reg;

	if (!IS_ALIGNED(off, IOAPIC_SLOT) || len > 4)
		return NULL;
	reg = &ioapic_regs[array_index_nospec(off / IOAPIC_SLOT,
					      ARRAY_SIZE(ioapic_regs))];
	if (!reg->read)
		reg = &ioapic_reg_reserved;
	return (reg->widths & BIT(len)) ? reg : NULL;
}

/**
 * x86_ioapic_mmio() - a guest access to the IOAPIC's MMIO window
 * @ioapic: the IOAPIC
 * @addr: guest physical address
 * @len: access size in bytes
 * @write: a write of *@data, else a read into *@data (zero-extended)
 * @data: the value
 *
 * Decodes the widths listed at the top of this file.
 *
 * Context: process context, no lock held.
 * Return: 0; -ENXIO if @addr is outside [base, base + 0x100); -EINVAL
 * for a width or alignment the IOAPIC does not decode (nothing changed).
 */
int x86_ioapic_mmio(struct x86_ioapic *ioapic, u64 addr, u32 len,
		    bool write, u64 *data)
{
	const struct ioapic_reg *reg;
	u64 off;

	if (addr < ioapic->base || addr - ioapic->base >= IOAPIC_WINDOW)
		return -ENXIO;
	off = addr - ioapic->base;
	reg = ioapic_check_access(off, len);
	if (!reg)
		return -EINVAL;

	if (write)
		reg->write(ioapic, (u32)*data & GENMASK(len * 8 - 1, 0));
	else
		*data = reg->read(ioapic) & GENMASK(len * 8 - 1, 0);
	return 0;
}

static u64 ioapic_state_rte(const struct virq_x86_ioapic_state *st, u32 pin)
{
	return pin < 24 ? st->kvm.redirtbl[pin] : st->redirtbl_ext[pin - 24];
}

static bool ioapic_state_irr(const struct virq_x86_ioapic_state *st,
			     u32 pin)
{
	if (pin < 24)
		return st->kvm.irr & BIT(pin);
	pin -= 24;
	return st->irr_ext[pin / 64] & BIT_ULL(pin % 64);
}

static bool ioapic_state_level(const struct virq_x86_ioapic_state *st,
			       u32 pin)
{
	return st->level[pin / 64] & BIT_ULL(pin % 64);
}

/**
 * x86_ioapic_get_state() - save the IOAPIC
 * @ioapic: the IOAPIC
 * @st: (out) its state; fields for pins beyond nr_pins are zero
 *
 * Context: any.
 */
void x86_ioapic_get_state(struct x86_ioapic *ioapic,
			  struct virq_x86_ioapic_state *st)
{
	struct ioapic_pin *p;
	unsigned long flags;
	u32 pin;

	memset(st, 0, sizeof(*st));
	st->version = VIRQ_X86_STATE_VERSION;
	st->nr_pins = ioapic->nr_pins;
	st->kvm.base_address = ioapic->base;

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	st->kvm.ioregsel = ioapic->ioregsel;
	st->kvm.id = ioapic->id;
	for (pin = 0; pin < ioapic->nr_pins; pin++) {
		p = &ioapic->pins[pin];
		if (pin < 24)
			st->kvm.redirtbl[pin] = p->rte;
		else
			st->redirtbl_ext[pin - 24] = p->rte;
		if (!p->drivers)
			continue;
		st->level[pin / 64] |= BIT_ULL(pin % 64);
		if (!ioapic_rte_level(p->rte))
			continue;
		if (pin < 24)
			st->kvm.irr |= BIT(pin);
		else
			st->irr_ext[(pin - 24) / 64] |= BIT_ULL((pin - 24) % 64);
	}
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
}

/* Every check of x86_ioapic_set_state(), before it changes anything */
static int ioapic_check_state(struct x86_ioapic *ioapic,
			      const struct virq_x86_ioapic_state *st)
{
	u32 pin;
	u64 rte;

	if (st->version != VIRQ_X86_STATE_VERSION ||
	    st->nr_pins != ioapic->nr_pins ||
	    st->kvm.base_address != ioapic->base ||
	    (st->kvm.ioregsel & ~(u32)ioapic->ioregsel_mask) ||
	    st->kvm.id > IOAPIC_ID_MASK ||
	    st->kvm.pad || (st->kvm.irr & ~GENMASK(23, 0)))
		return -EINVAL;

	/* Every bit position the layout has: 24 + 4 * 64 IRR bits */
	for (pin = 0; pin < 24 + 4 * 64; pin++) {
		bool irr = ioapic_state_irr(st, pin);
		bool level = pin < 4 * 64 && ioapic_state_level(st, pin);

		rte = pin < VIRQ_X86_IOAPIC_MAX_PINS ?
		      ioapic_state_rte(st, pin) : 0;
		if (pin >= ioapic->nr_pins) {
			if (rte || irr || level)
				return -EINVAL;
			continue;
		}
		if (rte & (IOAPIC_RTE_RESERVED | IOAPIC_RTE_DELIVS))
			return -EINVAL;
		if ((rte & IOAPIC_RTE_REMOTE_IRR) && !ioapic_rte_level(rte))
			return -EINVAL;
		/* A request latched on a line that is low */
		if (irr && !level)
			return -EINVAL;
	}
	return 0;
}

/**
 * x86_ioapic_set_state() - restore the IOAPIC
 * @ioapic: the IOAPIC
 * @st: the state
 *
 * Checks all of @st first: version, nr_pins and base address equal to
 * this IOAPIC's, IOREGSEL and id within their bits, pad zero, no reserved bit
 * (47:17) nor delivery status in an entry, remote IRR only in a level
 * entry, nothing for pins beyond nr_pins, @irr only on high lines.  Then
 * applies it (see the top of this file for @level and @irr) and sends the
 * level pins that are high, unmasked and without remote IRR.
 *
 * Context: process context.
 * Return: 0, or -EINVAL (and no change).
 */
int x86_ioapic_set_state(struct x86_ioapic *ioapic,
			 const struct virq_x86_ioapic_state *st)
{
	struct ioapic_pin *p;
	unsigned long flags;
	u32 pin;
	int ret;

	ret = ioapic_check_state(ioapic, st);
	if (ret)
		return ret;

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	ioapic->ioregsel = st->kvm.ioregsel;
	ioapic->id = st->kvm.id;
	for (pin = 0; pin < ioapic->nr_pins; pin++) {
		p = &ioapic->pins[pin];
		p->rte = ioapic_state_rte(st, pin);
		/* A restored remote IRR is no message in flight's */
		p->claim++;
		if (!ioapic_state_level(st, pin))
			p->drivers = 0;
		else if (!p->drivers)
			p->drivers = BIT(VIRQ_DRIVER_USER);
		p->eoi_storm = 0;
		p->deferred = false;
	}
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);

	for (pin = 0; pin < ioapic->nr_pins; pin++)
		ioapic_resend_level(ioapic, pin);
	return 0;
}

/**
 * x86_ioapic_show() - print the IOAPIC for debugfs
 * @ioapic: the IOAPIC
 * @m: the seq_file
 *
 * One header line, then one line per pin that differs from its reset
 * state (masked, all fields zero, line low).
 *
 * Context: process context.
 */
void x86_ioapic_show(struct x86_ioapic *ioapic, struct seq_file *m)
{
	struct ioapic_pin p;
	unsigned long flags;
	u32 pin, id, sel;

	raw_spin_lock_irqsave(&ioapic->lock, flags);
	id = ioapic->id;
	sel = ioapic->ioregsel;
	raw_spin_unlock_irqrestore(&ioapic->lock, flags);
	seq_printf(m, "ioapic %u: base 0x%llx id %u pins %u ioregsel 0x%02x\n",
		   ioapic->index, (unsigned long long)ioapic->base, id,
		   ioapic->nr_pins, sel);

	for (pin = 0; pin < ioapic->nr_pins; pin++) {
		raw_spin_lock_irqsave(&ioapic->lock, flags);
		p = ioapic->pins[pin];
		raw_spin_unlock_irqrestore(&ioapic->lock, flags);
		if (p.rte == IOAPIC_RTE_RESET && !p.drivers && !p.deferred)
			continue;

		seq_printf(m, "  pin %3u: vec 0x%02x ", pin,
			   (u32)(p.rte & IOAPIC_RTE_VECTOR));
		if (p.rte & IOAPIC_RTE_REMAP)
			seq_printf(m, "remap index %u", ioapic_rte_index(p.rte));
		else
			seq_printf(m, "%s %s dest 0x%02x",
				   ioapic_dm_names[ioapic_rte_dm(p.rte)],
				   (p.rte & IOAPIC_RTE_LOGICAL) ? "logical" :
								  "physical",
				   (u32)(p.rte >> IOAPIC_RTE_DEST_SHIFT));
		seq_printf(m, " %s %s%s%s line %s%s%s",
			   (p.rte & IOAPIC_RTE_LEVEL) ? "level" : "edge",
			   (p.rte & IOAPIC_RTE_ACTIVE_LOW) ? "low" : "high",
			   (p.rte & IOAPIC_RTE_MASKED) ? " masked" : "",
			   (p.rte & IOAPIC_RTE_REMOTE_IRR) ? " remote-irr" : "",
			   p.drivers ? "high" : "low",
			   (p.drivers & BIT(VIRQ_DRIVER_USER)) ? " user" : "",
			   (p.drivers & BIT(VIRQ_DRIVER_RESAMPLE)) ?
			   " resample" : "");
		if (p.eoi_storm || p.deferred)
			seq_printf(m, " eoi-storm %u%s", p.eoi_storm,
				   p.deferred ? " deferred" : "");
		seq_putc(m, '\n');
	}
}
