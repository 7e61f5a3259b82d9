// SPDX-License-Identifier: GPL-2.0
/*
 * The 8259A PIC pair of the PC: the master at I/O ports 0x20-0x21, the
 * slave at 0xa0-0xa1 with its INT output on the master's IR2, and the
 * edge/level control registers (ELCR) of the PIIX/ICH south bridges at
 * 0x4d0 (master) and 0x4d1 (slave).  Pins 0-7 are the master's IR0-7,
 * pins 8-15 the slave's IR0-7.
 *
 * Lines: a pin's line is the OR of its drivers (enum virq_driver), so
 * the VMM and a resampling irqfd can share it.  An edge pin (ELCR bit
 * clear) latches its IRR bit on a rising edge of the line; last_irr holds
 * the level last seen, as in KVM.  A level pin (ELCR bit set) has its IRR
 * bit follow the line.  VIRQ_LINE_EDGE is a pulse: the driver asserts,
 * then lets go; on a level pin nothing stays pending afterwards.
 *
 * Priorities: priority_add is the IR with the highest priority (0 after
 * ICW1); the others follow in rotating order.  A request reaches the
 * output when it is unmasked and of higher priority than every level in
 * service; in special mask mode every unmasked level that is not itself
 * in service can (8259A datasheet: "enables interrupts from all other
 * levels (lower as well as higher) that are not masked").
 *
 * The output (x86_pic_output()) is the master's INT pin, recomputed under
 * the lock after every change; x86_lapic_pic_changed() is called, after
 * the lock is dropped, whenever it changed.  Every ISR bit cleared (any
 * EOI command, auto-EOI at INTA or at a poll) is reported, after the lock
 * is dropped, with x86_pin_eoi(chip, VIRQ_X86_IRQCHIP_PIC_MASTER or
 * VIRQ_X86_IRQCHIP_PIC_SLAVE, IR 0-7), so that resampling irqfds on level
 * lines see the guest's end of interrupt as KVM's ack notifiers do.
 *
 * Save/restore: struct virq_x86_pic_state holds each chip in KVM's
 * struct kvm_pic_state layout and meaning, so that VMMs move it to and
 * from KVM unchanged.  The line drivers travel in the source words
 * (x86_pic_get_drivers()/x86_pic_set_drivers()).
 *
 * Choices, and departures from KVM (arch/x86/kvm/i8259.c) and QEMU
 * (hw/intc/i8259.c), all deliberate:
 *  - ICW1 resets the edge sense latches as the datasheet says: a line
 *    that is high then must go low and high again to request.  KVM
 *    clears last_irr instead, so a line held high requests at its next
 *    assert.  As in KVM, ICW1 drops latched edge requests (IRR &= ELCR),
 *    keeps ISR and the poll and rotate-in-auto-EOI flags, and does not
 *    call ack notifiers for the dropped edges (KVM clears their ISR bits
 *    too: nothing here needs that).
 *  - ICW1's SNGL bit is honoured for the initialisation sequence (no ICW3
 *    follows); KVM always expects ICW3.  The board's wiring is fixed,
 *    as in KVM and QEMU: the slave is on the master's IR2 whatever ICW3
 *    says.  The SNGL bit is not part of the saved state: a restore in the
 *    middle of an initialisation expects ICW3.
 *  - LTIM (ICW1 bit 3) is ignored: as on PIIX/ICH, ELCR selects edge or
 *    level per pin.  ICW4's uPM, BUF and M/S bits are ignored (8086 mode).
 *  - Special mask mode is implemented (KVM stores the bit but ignores
 *    it; QEMU still lets unmasked levels in service block lower ones).
 *  - Special fully nested mode lets a request on the master's IR2 through
 *    while IR2 is in service and nothing of higher priority is; KVM drops
 *    IR2 from ISR for the priority computation, so its IR3-7 also
 *    interrupt a slave handler.
 *  - Cascade: the master's IR2 input is the slave's INT, which is known
 *    at every moment, so the master sees a request on IR2 exactly while
 *    the slave has one (the 8259A's edge-triggered request, too, must
 *    still be high at INTA).  KVM latches it in the master's IRR until
 *    the master acknowledges IR2, so there a slave request withdrawn
 *    meanwhile (a level line lowered, a mask, an EOI whose resampler
 *    lowers the line) comes back as a spurious IRQ15.  The master's IRR
 *    bit 2 here holds only an edge latched from a driver of master pin 2
 *    (KVM's default routes map GSI 2 there); command port reads of IRR
 *    show the slave's request in bit 2 as well, the saved IRR does not
 *    (KVM latches it again when it loads the state).  A restored IRR bit
 *    2 is such a latch: with the slave idle it gives one spurious IRQ15,
 *    as it would in KVM.  Spurious interrupts follow the 8259A: a master
 *    with no request at INTA gives IRQ7 and sets no ISR bit; a master
 *    that took IR2 with the slave idle gives IRQ15, with the master's
 *    ISR bit 2 set and the slave's untouched.
 *  - A poll read returns bit 7 set and the level in bits 2:0, or 0 when
 *    nothing is requested (datasheet; QEMU does the same).  It
 *    acknowledges as an INTA does on that chip: ISR set, or cleared again
 *    with auto-EOI.  KVM returns the level without bit 7 (7 when nothing)
 *    and clears ISR instead of setting it; polling the slave also
 *    clears the master's IRR and ISR bit 2 there (here the master never
 *    sees a poll of the slave).
 *  - A specific EOI of a level not in service reports no EOI (KVM calls
 *    its ack notifiers anyway).
 *  - Writing ELCR makes the IRR bit of each pin turned to level follow
 *    its line at once, and the output is recomputed (KVM does neither
 *    until the next event).
 *  - I/O: byte accesses at the six ports.  A 2-byte access at 0x20, 0xa0
 *    or 0x4d0 is split into two byte accesses (port, then port + 1), as
 *    the ISA bus does; KVM ignores non-byte accesses.  Other widths fail
 *    with -EINVAL, other ports with -ENXIO.
 */
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "x86.h"

#define PIC_MASTER		0
#define PIC_SLAVE		1
#define PIC_NR_PINS		16
#define PIC_CASCADE_IR		2	/* the slave's INT on the master */
#define PIC_SPURIOUS_IR		7	/* default IR7 of the 8259A */

/*
 * KVM's ELCR masks: IR0-2 of the master, IR0 and IR5 of the slave are
 * always edge (timer, keyboard, cascade, RTC, FPU error)
 */
#define PIC_ELCR_MASK_MASTER	0xf8
#define PIC_ELCR_MASK_SLAVE	0xde

#define PIC_DRIVERS_ALL		((u8)(BIT(VIRQ_NR_DRIVERS) - 1))

/* Command port (A0 = 0) writes */
#define PIC_ICW1		0x10	/* D4: ICW1 */
#define PIC_ICW1_IC4		0x01	/* ICW4 follows */
#define PIC_ICW1_SNGL		0x02	/* single: no ICW3 */
#define PIC_OCW3		0x08	/* D4 = 0, D3 = 1: OCW3, else OCW2 */
#define PIC_OCW3_RIS		0x01	/* read ISR (else IRR) ... */
#define PIC_OCW3_RR		0x02	/* ... if RR */
#define PIC_OCW3_P		0x04	/* poll */
#define PIC_OCW3_SMM		0x20	/* special mask mode ... */
#define PIC_OCW3_ESMM		0x40	/* ... if ESMM */
#define PIC_OCW2_LEVEL		0x07	/* L2-L0 */
#define PIC_OCW2_CMD_SHIFT	5	/* R, SL, EOI */

/* OCW2 commands (R SL EOI) */
#define PIC_OCW2_ROTATE_AEOI_CLEAR	0
#define PIC_OCW2_EOI			1
#define PIC_OCW2_NOP			2
#define PIC_OCW2_SPECIFIC_EOI		3
#define PIC_OCW2_ROTATE_AEOI_SET	4
#define PIC_OCW2_ROTATE_EOI		5
#define PIC_OCW2_SET_PRIORITY		6
#define PIC_OCW2_ROTATE_SPECIFIC_EOI	7

/* ICW2 (8086 mode): T7-T3 */
#define PIC_ICW2_BASE_MASK	0xf8
/* ICW4 */
#define PIC_ICW4_AEOI		0x02
#define PIC_ICW4_SFNM		0x10

/* Poll word */
#define PIC_POLL_INT		0x80

/**
 * enum pic_init_state - where a chip is in its initialisation sequence;
 * the values are KVM's init_state
 * @PIC_READY: initialised: data port writes are OCW1
 * @PIC_WAIT_ICW2: ICW1 seen, the data port takes ICW2
 * @PIC_WAIT_ICW3: the data port takes ICW3
 * @PIC_WAIT_ICW4: the data port takes ICW4
 */
enum pic_init_state {
	PIC_READY = 0,
	PIC_WAIT_ICW2 = 1,
	PIC_WAIT_ICW3 = 2,
	PIC_WAIT_ICW4 = 3,
};

/**
 * struct i8259 - one 8259A, the fields of struct kvm_pic_state
 * @last_irr: edge sense: the level of each input when last sampled
 * @irr: interrupt request register
 * @imr: interrupt mask register (OCW1)
 * @isr: in-service register
 * @priority_add: the IR with the highest priority
 * @irq_base: vector of IR0 (ICW2; bits 2:0 zero)
 * @init_state: enum pic_init_state
 * @elcr: level-triggered pins (ELCR), within @elcr_mask
 * @elcr_mask: the pins ELCR can make level-triggered
 * @read_isr: OCW3 selected ISR for command port reads (else IRR)
 * @poll: a poll command waits for the next read
 * @special_mask: special mask mode
 * @auto_eoi: automatic EOI (ICW4)
 * @rotate_on_auto_eoi: rotate priorities at each automatic EOI
 * @sfnm: special fully nested mode (ICW4)
 * @init4: ICW1 announced an ICW4
 * @single: ICW1 announced single mode (no ICW3); not saved
 *
 * Protected by x86_pic.lock.
 */
struct i8259 {
	u8 last_irr;
	u8 irr;
	u8 imr;
	u8 isr;
	u8 priority_add;
	u8 irq_base;
	u8 init_state;
	u8 elcr;
	u8 elcr_mask;
	bool read_isr;
	bool poll;
	bool special_mask;
	bool auto_eoi;
	bool rotate_on_auto_eoi;
	bool sfnm;
	bool init4;
	bool single;
};

/**
 * struct x86_pic - the PIC pair
 * @chip: the x86 chip
 * @lock: protects everything below; IRQ-safe (set_irq runs from irqfd
 *	wakeups with IRQs off)
 * @pics: master (PIC_MASTER) and slave (PIC_SLAVE)
 * @drivers: per pin 0-15, BIT(enum virq_driver) of each driver holding
 *	the line high
 * @output: the master's INT pin; written under @lock, read locklessly
 */
struct x86_pic {
	struct x86_chip *chip;
	raw_spinlock_t lock;
	struct i8259 pics[2];
	u8 drivers[PIC_NR_PINS];
	bool output;
};

/* At most one EOI per chip in one locked section */
#define PIC_MAX_EOIS	2

/**
 * struct pic_after - what to do once the lock is dropped
 * @nr_eoi: entries in @eoi
 * @eoi: pins (0-15) whose ISR bit was cleared
 * @changed: the output changed
 */
struct pic_after {
	u8 nr_eoi;
	u8 eoi[PIC_MAX_EOIS];
	bool changed;
};

static u8 pic_lines(struct x86_pic *pic, int n)
{
	u8 lines = 0;
	int i;

	for (i = 0; i < 8; i++)
		if (pic->drivers[n * 8 + i])
			lines |= BIT(i);
	return lines;
}

/* Priority of IR @irq: 0 (highest) .. 7 (lowest) */
static int pic_prio(const struct i8259 *s, int irq)
{
	return (irq - s->priority_add) & 7;
}

/* The IR of highest priority in @mask, or -1 */
static int pic_highest(const struct i8259 *s, u8 mask)
{
	int p, irq;

	for (p = 0; p < 8; p++) {
		irq = (s->priority_add + p) & 7;
		if (mask & BIT(irq))
			return irq;
	}
	return -1;
}

/*
 * The priority resolver of chip @n: the IR it requests the CPU for (its
 * INT output is high), or -1.  The master's IR2 requests while the
 * slave's resolver does.
 */
static int pic_resolve_locked(struct x86_pic *pic, int n)
	__must_hold(&pic->lock)
{
	const struct i8259 *s = &pic->pics[n];
	u8 req = s->irr;
	u8 busy = s->isr;	/* levels that do not request again */
	int irq, cur;

	lockdep_assert_held(&pic->lock);

	if (n == PIC_MASTER && pic_resolve_locked(pic, PIC_SLAVE) >= 0)
		req |= BIT(PIC_CASCADE_IR);
	req &= ~s->imr;

	/* SFNM: the slave may interrupt its own handler on the master. */
	if (n == PIC_MASTER && s->sfnm)
		busy &= ~BIT(PIC_CASCADE_IR);

	if (s->special_mask)
		return pic_highest(s, req & ~busy);

	irq = pic_highest(s, req);
	if (irq < 0)
		return -1;
	cur = pic_highest(s, s->isr);
	if (cur < 0 || pic_prio(s, irq) < pic_prio(s, cur))
		return irq;
	/* Same level: only the cascade input in SFNM gets through. */
	if (irq == cur && !(busy & BIT(irq)))
		return irq;
	return -1;
}

/* IRR of chip @n as the guest reads it: with the cascade request */
static u8 pic_irr_locked(struct x86_pic *pic, int n)
	__must_hold(&pic->lock)
{
	u8 irr = pic->pics[n].irr;

	lockdep_assert_held(&pic->lock);

	if (n == PIC_MASTER && pic_resolve_locked(pic, PIC_SLAVE) >= 0)
		irr |= BIT(PIC_CASCADE_IR);
	return irr;
}

/* Clear ISR bit @irq of chip @n, and report it after unlocking. */
static void pic_clear_isr_locked(struct x86_pic *pic, int n, int irq,
				 struct pic_after *after)
	__must_hold(&pic->lock)
{
	struct i8259 *s = &pic->pics[n];

	lockdep_assert_held(&pic->lock);

	if (!(s->isr & BIT(irq)))
		return;
	s->isr &= ~BIT(irq);
	if (!WARN_ON_ONCE(after->nr_eoi >= PIC_MAX_EOIS))
		after->eoi[after->nr_eoi++] = n * 8 + irq;
}

/*
 * Interrupt acknowledge of IR @irq on chip @n (an INTA, or a poll read):
 * set its ISR bit, take the request (an edge latch is consumed; a level
 * request stays while its line is high), then the automatic EOI.
 */
static void pic_ack_locked(struct x86_pic *pic, int n, int irq,
			   struct pic_after *after)
	__must_hold(&pic->lock)
{
	struct i8259 *s = &pic->pics[n];
	u8 bit = BIT(irq);

	lockdep_assert_held(&pic->lock);

	s->isr |= bit;
	if ((s->elcr & bit) && pic->drivers[n * 8 + irq])
		s->irr |= bit;
	else
		s->irr &= ~bit;

	if (s->auto_eoi) {
		if (s->rotate_on_auto_eoi)
			s->priority_add = (irq + 1) & 7;
		pic_clear_isr_locked(pic, n, irq, after);
	}
}

/* Recompute the master's INT; called after every change that may move it */
static void pic_update_locked(struct x86_pic *pic, struct pic_after *after)
	__must_hold(&pic->lock)
{
	bool out;

	lockdep_assert_held(&pic->lock);

	out = pic_resolve_locked(pic, PIC_MASTER) >= 0;
	if (out != pic->output) {
		WRITE_ONCE(pic->output, out);
		after->changed = true;
	}
}

/* Drop the lock, then tell the resamplers and the LAPICs. */
static void pic_unlock(struct x86_pic *pic, unsigned long flags,
		       const struct pic_after *after)
	__releases(&pic->lock)
{
	int i;

	raw_spin_unlock_irqrestore(&pic->lock, flags);

	for (i = 0; i < after->nr_eoi; i++)
		x86_pin_eoi(pic->chip,
			    after->eoi[i] >= 8 ? VIRQ_X86_IRQCHIP_PIC_SLAVE :
						 VIRQ_X86_IRQCHIP_PIC_MASTER,
			    after->eoi[i] & 7);
	if (after->changed)
		x86_lapic_pic_changed(pic->chip);
}

/* Sample the line of @pin into IRR: an edge latches, a level follows. */
static void pic_sample_locked(struct x86_pic *pic, u32 pin)
	__must_hold(&pic->lock)
{
	struct i8259 *s = &pic->pics[pin >> 3];
	u8 bit = BIT(pin & 7);
	bool line = pic->drivers[pin];

	lockdep_assert_held(&pic->lock);

	if (s->elcr & bit) {
		if (line)
			s->irr |= bit;
		else
			s->irr &= ~bit;
	} else if (line && !(s->last_irr & bit)) {
		s->irr |= bit;
	}
	if (line)
		s->last_irr |= bit;
	else
		s->last_irr &= ~bit;
}

/* Would an INTA now deliver @pin? */
static bool pic_is_next_locked(struct x86_pic *pic, u32 pin)
	__must_hold(&pic->lock)
{
	int irq = pic_resolve_locked(pic, PIC_MASTER);

	lockdep_assert_held(&pic->lock);

	if (pin < 8)
		return irq == (int)pin;
	return irq == PIC_CASCADE_IR &&
	       pic_resolve_locked(pic, PIC_SLAVE) == (int)(pin & 7);
}

/**
 * x86_pic_set_irq() - drive a pin
 * @pic: the PIC pair
 * @pin: 0-7 the master's IR0-7, 8-15 the slave's IR0-7
 * @op: VIRQ_LINE_RESET, VIRQ_LINE_SET or VIRQ_LINE_EDGE (a pulse: the
 *	driver asserts, then lets go)
 * @driver: who drives
 * @status: (out, may be NULL) as virq_irq_line.status: 1 when the
 *	request was latched now and the next INTA delivers it (the master's
 *	output is high for it); VIRQ_STATUS_MASKED when the pin (or, for a
 *	slave pin, the master's IR2) is masked; VIRQ_STATUS_COALESCED
 *	otherwise (already pending, held behind a higher priority or a
 *	level in service, no rising edge, a RESET, or a pulse on a level
 *	pin, which leaves nothing pending)
 *
 * Context: any (atomic); takes the PIC lock.
 * Return: 0, or -EINVAL for a pin, op or driver out of range.
 */
int x86_pic_set_irq(struct x86_pic *pic, u32 pin, u32 op,
		    enum virq_driver driver, int *status)
{
	struct pic_after after = {};
	int st = VIRQ_STATUS_COALESCED;
	struct i8259 *s, *m;
	unsigned long flags;
	bool latched = false;
	u8 bit;

	if (pin >= PIC_NR_PINS || op > VIRQ_LINE_EDGE ||
	    (u32)driver >= VIRQ_NR_DRIVERS)
		return -EINVAL;
	pin = array_index_nospec(pin, PIC_NR_PINS);
	s = &pic->pics[pin >> 3];
	m = &pic->pics[PIC_MASTER];
	bit = BIT(pin & 7);

	raw_spin_lock_irqsave(&pic->lock, flags);
	if (op == VIRQ_LINE_RESET) {
		pic->drivers[pin] &= ~BIT(driver);
		pic_sample_locked(pic, pin);
	} else {
		bool was = s->irr & bit;

		pic->drivers[pin] |= BIT(driver);
		pic_sample_locked(pic, pin);
		latched = !was && (s->irr & bit);
		if (op == VIRQ_LINE_EDGE) {
			pic->drivers[pin] &= ~BIT(driver);
			pic_sample_locked(pic, pin);
		}
	}
	pic_update_locked(pic, &after);

	if (op != VIRQ_LINE_RESET) {
		if ((s->imr & bit) ||
		    (pin >= 8 && (m->imr & BIT(PIC_CASCADE_IR))))
			st = VIRQ_STATUS_MASKED;
		else if (latched && (s->irr & bit) &&
			 pic_is_next_locked(pic, pin))
			st = 1;
	}
	pic_unlock(pic, flags, &after);

	if (status)
		*status = st;
	return 0;
}

/**
 * x86_pic_get_drivers() - who holds a pin's line high
 * @pic: the PIC pair
 * @pin: 0-15
 *
 * Context: any.
 * Return: BIT(enum virq_driver) of each driver asserting @pin; 0 for a
 * pin out of range.
 */
u8 x86_pic_get_drivers(struct x86_pic *pic, u32 pin)
{
	if (pin >= PIC_NR_PINS)
		return 0;
	pin = array_index_nospec(pin, PIC_NR_PINS);
	return READ_ONCE(pic->drivers[pin]);
}

/**
 * x86_pic_set_drivers() - restore who holds a pin's line high
 * @pic: the PIC pair
 * @pin: 0-15 (ignored if out of range)
 * @drivers: BIT(enum virq_driver) of each driver asserting @pin; unknown
 *	bits are ignored
 *
 * Restoring a line is not an edge: the edge sense (last_irr) takes the
 * new level and an edge pin latches nothing.  A level pin's IRR bit
 * follows the line, and the output is recomputed.
 *
 * Context: any; takes the PIC lock.
 */
void x86_pic_set_drivers(struct x86_pic *pic, u32 pin, u8 drivers)
{
	struct pic_after after = {};
	unsigned long flags;
	struct i8259 *s;
	u8 bit;

	if (pin >= PIC_NR_PINS)
		return;
	pin = array_index_nospec(pin, PIC_NR_PINS);
	s = &pic->pics[pin >> 3];
	bit = BIT(pin & 7);

	raw_spin_lock_irqsave(&pic->lock, flags);
	pic->drivers[pin] = drivers & PIC_DRIVERS_ALL;
	/* Make the edge sense see no transition. */
	if (pic->drivers[pin])
		s->last_irr |= bit;
	else
		s->last_irr &= ~bit;
	pic_sample_locked(pic, pin);
	pic_update_locked(pic, &after);
	pic_unlock(pic, flags, &after);
}

/* ICW1: start the initialisation sequence (datasheet, "ICW1") */
static void pic_write_icw1_locked(struct x86_pic *pic, int n, u8 val)
	__must_hold(&pic->lock)
{
	struct i8259 *s = &pic->pics[n];

	lockdep_assert_held(&pic->lock);

	s->init4 = val & PIC_ICW1_IC4;
	s->single = val & PIC_ICW1_SNGL;
	/* Edge sense reset: a high line must go low and high again. */
	s->last_irr = pic_lines(pic, n);
	s->irr &= s->elcr;
	s->imr = 0;
	s->priority_add = 0;	/* IR7 lowest */
	s->special_mask = false;
	s->read_isr = false;
	if (!s->init4) {
		s->sfnm = false;
		s->auto_eoi = false;
	}
	s->init_state = PIC_WAIT_ICW2;
}

/* OCW2: EOIs and priority rotation */
static void pic_write_ocw2_locked(struct x86_pic *pic, int n, u8 val,
				  struct pic_after *after)
	__must_hold(&pic->lock)
{
	struct i8259 *s = &pic->pics[n];
	int irq = val & PIC_OCW2_LEVEL;

	lockdep_assert_held(&pic->lock);

	switch (val >> PIC_OCW2_CMD_SHIFT) {
	case PIC_OCW2_ROTATE_AEOI_CLEAR:
		s->rotate_on_auto_eoi = false;
		break;
	case PIC_OCW2_ROTATE_AEOI_SET:
		s->rotate_on_auto_eoi = true;
		break;
	case PIC_OCW2_EOI:
	case PIC_OCW2_ROTATE_EOI:
		/* Non-specific: the level in service of highest priority */
		irq = pic_highest(s, s->isr);
		if (irq < 0)
			break;
		if (val >> PIC_OCW2_CMD_SHIFT == PIC_OCW2_ROTATE_EOI)
			s->priority_add = (irq + 1) & 7;
		pic_clear_isr_locked(pic, n, irq, after);
		break;
	case PIC_OCW2_SPECIFIC_EOI:
		pic_clear_isr_locked(pic, n, irq, after);
		break;
	case PIC_OCW2_SET_PRIORITY:
		s->priority_add = (irq + 1) & 7;	/* IR L lowest */
		break;
	case PIC_OCW2_ROTATE_SPECIFIC_EOI:
		s->priority_add = (irq + 1) & 7;
		pic_clear_isr_locked(pic, n, irq, after);
		break;
	default:	/* PIC_OCW2_NOP */
		break;
	}
}

/* OCW3: register read select, poll, special mask mode */
static void pic_write_ocw3_locked(struct x86_pic *pic, int n, u8 val)
	__must_hold(&pic->lock)
{
	struct i8259 *s = &pic->pics[n];

	lockdep_assert_held(&pic->lock);

	if (val & PIC_OCW3_P)
		s->poll = true;
	if (val & PIC_OCW3_RR)
		s->read_isr = val & PIC_OCW3_RIS;
	if (val & PIC_OCW3_ESMM)
		s->special_mask = val & PIC_OCW3_SMM;
}

/* A0 = 1: ICW2-4 during initialisation, else OCW1 */
static void pic_write_data_locked(struct x86_pic *pic, int n, u8 val)
	__must_hold(&pic->lock)
{
	struct i8259 *s = &pic->pics[n];

	lockdep_assert_held(&pic->lock);

	switch (s->init_state) {
	case PIC_WAIT_ICW2:
		s->irq_base = val & PIC_ICW2_BASE_MASK;
		if (!s->single)
			s->init_state = PIC_WAIT_ICW3;
		else
			s->init_state = s->init4 ? PIC_WAIT_ICW4 : PIC_READY;
		break;
	case PIC_WAIT_ICW3:
		/* The cascade wiring of the PC is fixed. */
		s->init_state = s->init4 ? PIC_WAIT_ICW4 : PIC_READY;
		break;
	case PIC_WAIT_ICW4:
		s->sfnm = val & PIC_ICW4_SFNM;
		s->auto_eoi = val & PIC_ICW4_AEOI;
		s->init_state = PIC_READY;
		break;
	default:	/* PIC_READY: OCW1 */
		s->imr = val;
		break;
	}
}

/*
 * A read after a poll command: acknowledge the request of highest
 * priority on this chip alone and return it, as the datasheet's poll word.
 */
static u8 pic_poll_read_locked(struct x86_pic *pic, int n,
			       struct pic_after *after)
	__must_hold(&pic->lock)
{
	int irq = pic_resolve_locked(pic, n);

	lockdep_assert_held(&pic->lock);

	pic->pics[n].poll = false;
	if (irq < 0)
		return 0;
	pic_ack_locked(pic, n, irq, after);
	return PIC_POLL_INT | irq;
}

/* One byte access at one of the six ports, under the lock */
static void pic_io_byte_locked(struct x86_pic *pic, u16 port, bool write,
			       u8 *val, struct pic_after *after)
	__must_hold(&pic->lock)
{
	struct i8259 *s;
	int n;

	lockdep_assert_held(&pic->lock);

	if (port >= VIRQ_X86_PIO_ELCR) {
		n = port & 1;	/* 0x4d0 master, 0x4d1 slave */
		s = &pic->pics[n];
		if (write) {
			u8 to_level = *val & s->elcr_mask & ~s->elcr;

			s->elcr = *val & s->elcr_mask;
			/* Pins now level: their request is their line. */
			s->irr = (s->irr & ~to_level) |
				 (pic_lines(pic, n) & to_level);
		} else {
			*val = s->elcr;
		}
		return;
	}

	n = port >= VIRQ_X86_PIO_PIC_SLAVE ? PIC_SLAVE : PIC_MASTER;
	s = &pic->pics[n];
	if (!write) {
		if (s->poll)
			*val = pic_poll_read_locked(pic, n, after);
		else if (port & 1)
			*val = s->imr;
		else
			*val = s->read_isr ? s->isr : pic_irr_locked(pic, n);
		return;
	}

	if (port & 1)
		pic_write_data_locked(pic, n, *val);
	else if (*val & PIC_ICW1)
		pic_write_icw1_locked(pic, n, *val);
	else if (*val & PIC_OCW3)
		pic_write_ocw3_locked(pic, n, *val);
	else
		pic_write_ocw2_locked(pic, n, *val, after);
}

static void pic_io_byte(struct x86_pic *pic, u16 port, bool write, u8 *val)
{
	struct pic_after after = {};
	unsigned long flags;

	raw_spin_lock_irqsave(&pic->lock, flags);
	pic_io_byte_locked(pic, port, write, val, &after);
	pic_update_locked(pic, &after);
	pic_unlock(pic, flags, &after);
}

/**
 * x86_pic_pio() - a guest I/O port access
 * @pic: the PIC pair
 * @port: the port
 * @len: access width in bytes: 1 at any of the six ports, or 2 at 0x20,
 *	0xa0 or 0x4d0 (two byte accesses, @port then @port + 1, as the ISA
 *	bus splits it)
 * @write: a write (OUT), else a read (IN)
 * @data: the value written (low @len bytes), or (out) the value read,
 *	zero-extended
 *
 * Context: process (a vCPU's access); takes the PIC lock and may call
 * x86_pin_eoi() and x86_lapic_pic_changed() after dropping it.
 * Return: 0; -ENXIO if @port is not 0x20-0x21, 0xa0-0xa1 or
 * 0x4d0-0x4d1; -EINVAL for another width.
 */
int x86_pic_pio(struct x86_pic *pic, u16 port, u32 len, bool write,
		u64 *data)
{
	u8 val[2];
	u32 i;

	switch (port) {
	case VIRQ_X86_PIO_PIC_MASTER:
	case VIRQ_X86_PIO_PIC_MASTER + 1:
	case VIRQ_X86_PIO_PIC_SLAVE:
	case VIRQ_X86_PIO_PIC_SLAVE + 1:
	case VIRQ_X86_PIO_ELCR:
	case VIRQ_X86_PIO_ELCR + 1:
		break;
	default:
		return -ENXIO;
	}
	if (len != 1 && (len != 2 || (port & 1)))
		return -EINVAL;

	for (i = 0; i < len; i++) {
		val[i] = write ? *data >> (8 * i) : 0;
		pic_io_byte(pic, port + i, write, &val[i]);
	}
	if (!write)
		*data = len == 2 ? val[0] | (u64)val[1] << 8 : val[0];
	return 0;
}

/**
 * x86_pic_output() - the master's INT output
 * @pic: the PIC pair
 *
 * Context: any (atomic); lockless.
 * Return: true while the PIC pair requests an interrupt.
 */
bool x86_pic_output(struct x86_pic *pic)
{
	return READ_ONCE(pic->output);
}

/**
 * x86_pic_intack() - the INTA cycle
 * @pic: the PIC pair
 *
 * The master acknowledges its request of highest priority; for IR2 the
 * slave supplies the vector of its own.  A chip with nothing to give
 * answers with its IR7 vector and sets no ISR bit (the 8259A's default
 * IR7): spurious IRQ7 from the master, or spurious IRQ15 from the slave
 * after the master took IR2 (the master's ISR bit 2 is then set, and the
 * guest ends it).  An edge request is consumed; a level request stays in
 * IRR while its line is high.  With auto-EOI the ISR bit is cleared at
 * once (and priorities rotate if so set).
 *
 * Context: any, but no LAPIC lock may be held: it calls x86_pin_eoi()
 * (auto-EOI) and x86_lapic_pic_changed() after dropping the PIC lock.
 * Return: the vector.
 */
u8 x86_pic_intack(struct x86_pic *pic)
{
	struct i8259 *m = &pic->pics[PIC_MASTER];
	struct i8259 *sl = &pic->pics[PIC_SLAVE];
	struct pic_after after = {};
	unsigned long flags;
	int irq, irq2;
	u8 vector;

	raw_spin_lock_irqsave(&pic->lock, flags);
	irq = pic_resolve_locked(pic, PIC_MASTER);
	if (irq < 0) {
		vector = m->irq_base + PIC_SPURIOUS_IR;
	} else {
		pic_ack_locked(pic, PIC_MASTER, irq, &after);
		if (irq == PIC_CASCADE_IR) {
			irq2 = pic_resolve_locked(pic, PIC_SLAVE);
			if (irq2 >= 0)
				pic_ack_locked(pic, PIC_SLAVE, irq2, &after);
			else
				irq2 = PIC_SPURIOUS_IR;
			vector = sl->irq_base + irq2;
		} else {
			vector = m->irq_base + irq;
		}
	}
	pic_update_locked(pic, &after);
	pic_unlock(pic, flags, &after);
	return vector;
}

static void pic_save(const struct i8259 *s, struct virq_x86_kvm_pic *k)
{
	k->last_irr = s->last_irr;
	k->irr = s->irr;
	k->imr = s->imr;
	k->isr = s->isr;
	k->priority_add = s->priority_add;
	k->irq_base = s->irq_base;
	k->read_reg_select = s->read_isr;
	k->poll = s->poll;
	k->special_mask = s->special_mask;
	k->init_state = s->init_state;
	k->auto_eoi = s->auto_eoi;
	k->rotate_on_auto_eoi = s->rotate_on_auto_eoi;
	k->special_fully_nested_mode = s->sfnm;
	k->init4 = s->init4;
	k->elcr = s->elcr;
	k->elcr_mask = s->elcr_mask;
}

/**
 * x86_pic_get_state() - save the PIC pair
 * @pic: the PIC pair
 * @st: (out) the state; every byte written
 *
 * Context: any; takes the PIC lock.
 */
void x86_pic_get_state(struct x86_pic *pic, struct virq_x86_pic_state *st)
{
	unsigned long flags;

	memset(st, 0, sizeof(*st));
	st->version = VIRQ_X86_STATE_VERSION;
	raw_spin_lock_irqsave(&pic->lock, flags);
	pic_save(&pic->pics[PIC_MASTER], &st->pics[PIC_MASTER]);
	pic_save(&pic->pics[PIC_SLAVE], &st->pics[PIC_SLAVE]);
	raw_spin_unlock_irqrestore(&pic->lock, flags);
}

/* Flags are 0 or 1; KVM's values for the rest */
static bool pic_state_valid(const struct virq_x86_kvm_pic *k, u8 elcr_mask)
{
	return k->priority_add <= 7 &&
	       !(k->irq_base & ~PIC_ICW2_BASE_MASK) &&
	       k->read_reg_select <= 1 && k->poll <= 1 &&
	       k->special_mask <= 1 && k->auto_eoi <= 1 &&
	       k->rotate_on_auto_eoi <= 1 &&
	       k->special_fully_nested_mode <= 1 && k->init4 <= 1 &&
	       k->init_state <= PIC_WAIT_ICW4 &&
	       /* KVM only waits for ICW4 when ICW1 announced one */
	       (k->init_state != PIC_WAIT_ICW4 || k->init4) &&
	       k->elcr_mask == elcr_mask && !(k->elcr & ~elcr_mask);
}

static void pic_load(struct i8259 *s, const struct virq_x86_kvm_pic *k)
{
	s->last_irr = k->last_irr;
	s->irr = k->irr;
	s->imr = k->imr;
	s->isr = k->isr;
	s->priority_add = k->priority_add;
	s->irq_base = k->irq_base;
	s->read_isr = k->read_reg_select;
	s->poll = k->poll;
	s->special_mask = k->special_mask;
	s->init_state = k->init_state;
	s->auto_eoi = k->auto_eoi;
	s->rotate_on_auto_eoi = k->rotate_on_auto_eoi;
	s->sfnm = k->special_fully_nested_mode;
	s->init4 = k->init4;
	s->single = false;
	s->elcr = k->elcr;
}

/**
 * x86_pic_set_state() - restore the PIC pair
 * @pic: the PIC pair
 * @st: the state, as x86_pic_get_state() or KVM_GET_IRQCHIP gave it
 *
 * Validates everything first: @version is VIRQ_X86_STATE_VERSION,
 * @padding 0; in each chip priority_add is 0-7, irq_base has bits 2:0
 * clear, the flags (read_reg_select, poll, special_mask, auto_eoi,
 * rotate_on_auto_eoi, special_fully_nested_mode, init4) are 0 or 1,
 * init_state is 0-3 (3 only with init4), elcr_mask is the chip's (0xf8
 * master, 0xde slave) and elcr within it.  Then the output is recomputed.
 * The line drivers are not part of @st (x86_pic_set_drivers()).
 *
 * Context: process; takes the PIC lock, calls x86_lapic_pic_changed()
 * after dropping it.
 * Return: 0, or -EINVAL (nothing changed).
 */
int x86_pic_set_state(struct x86_pic *pic,
		      const struct virq_x86_pic_state *st)
{
	struct pic_after after = {};
	unsigned long flags;

	if (st->version != VIRQ_X86_STATE_VERSION || st->padding ||
	    !pic_state_valid(&st->pics[PIC_MASTER], PIC_ELCR_MASK_MASTER) ||
	    !pic_state_valid(&st->pics[PIC_SLAVE], PIC_ELCR_MASK_SLAVE))
		return -EINVAL;

	raw_spin_lock_irqsave(&pic->lock, flags);
	pic_load(&pic->pics[PIC_MASTER], &st->pics[PIC_MASTER]);
	pic_load(&pic->pics[PIC_SLAVE], &st->pics[PIC_SLAVE]);
	pic_update_locked(pic, &after);
	/* The LAPICs look again even if the output did not move. */
	after.changed = true;
	pic_unlock(pic, flags, &after);
	return 0;
}

static void pic_show_one(struct seq_file *m, const char *name,
			 const struct i8259 *s)
{
	/* Columns: IRR, ISR, IMR, ELCR, last_irr */
	seq_printf(m,
		   "pic %s: irr %02x isr %02x imr %02x elcr %02x last %02x base %#04x prio %u init %u%s%s%s%s%s%s%s\n",
		   name, s->irr, s->isr, s->imr, s->elcr, s->last_irr,
		   s->irq_base, (s->priority_add + 7) & 7, s->init_state,
		   s->read_isr ? " read-isr" : "", s->poll ? " poll" : "",
		   s->special_mask ? " smm" : "",
		   s->auto_eoi ? " aeoi" : "",
		   s->rotate_on_auto_eoi ? " rotate-aeoi" : "",
		   s->sfnm ? " sfnm" : "", s->init4 ? " icw4" : "");
}

/**
 * x86_pic_show() - print the PIC pair for debugfs
 * @pic: the PIC pair
 * @m: the seq_file
 *
 * One line per chip (registers in hex; "prio" is the lowest-priority IR;
 * mode flags by name), then the output and the pins held high with their
 * drivers (u: VMM, r: resampling irqfd).
 *
 * Context: any; takes the PIC lock to copy the state.
 */
void x86_pic_show(struct x86_pic *pic, struct seq_file *m)
{
	u8 drivers[PIC_NR_PINS];
	struct i8259 pics[2];
	unsigned long flags;
	bool out;
	int i;

	raw_spin_lock_irqsave(&pic->lock, flags);
	memcpy(pics, pic->pics, sizeof(pics));
	memcpy(drivers, pic->drivers, sizeof(drivers));
	out = pic->output;
	raw_spin_unlock_irqrestore(&pic->lock, flags);

	pic_show_one(m, "master", &pics[PIC_MASTER]);
	pic_show_one(m, "slave", &pics[PIC_SLAVE]);
	seq_printf(m, "pic output %d, lines:", out);
	for (i = 0; i < PIC_NR_PINS; i++)
		if (drivers[i])
			seq_printf(m, " %d:%s%s", i,
				   drivers[i] & BIT(VIRQ_DRIVER_USER) ? "u" : "",
				   drivers[i] & BIT(VIRQ_DRIVER_RESAMPLE) ?
				   "r" : "");
	seq_puts(m, "\n");
}

/**
 * x86_pic_create() - create the PIC pair
 * @chip: the x86 chip
 *
 * Both chips start as KVM's: all registers 0, edge, not initialised
 * (init_state 0), with KVM's ELCR masks.
 *
 * Context: process.
 * Return: the PIC pair, or NULL when out of memory.
 */
struct x86_pic *x86_pic_create(struct x86_chip *chip)
{
	struct x86_pic *pic = kzalloc(sizeof(*pic), GFP_KERNEL_ACCOUNT);

	if (!pic)
		return NULL;
	raw_spin_lock_init(&pic->lock);
	pic->chip = chip;
	pic->pics[PIC_MASTER].elcr_mask = PIC_ELCR_MASK_MASTER;
	pic->pics[PIC_SLAVE].elcr_mask = PIC_ELCR_MASK_SLAVE;
	return pic;
}

/**
 * x86_pic_destroy() - free the PIC pair
 * @pic: the PIC pair, or NULL
 *
 * Context: process; nothing may use @pic any more.
 */
void x86_pic_destroy(struct x86_pic *pic)
{
	kfree(pic);
}
