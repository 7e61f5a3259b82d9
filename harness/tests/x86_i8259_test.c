// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the 8259 PIC pair (virq/x86/i8259.c) alone: the rest of
 * the x86 family is faked here.  x86_lapic_pic_changed() counts its calls
 * and records the output it saw; x86_pin_eoi() records the resampler
 * notifications and may lower the resampling drive as the core's
 * resampler does.  Both check that the PIC calls them with no lock held.
 */
#include <stdlib.h>

#include <linux/errno.h>
#include <linux/kernel.h>

/* Before tap.h: the shims' static ffs() before libc's declaration */
#include "../../virq/x86/x86.h"
#include "tap.h"

#define EDGE	VIRQ_LINE_EDGE
#define SET	VIRQ_LINE_SET
#define RESET	VIRQ_LINE_RESET
#define MASKED	VIRQ_STATUS_MASKED
#define COALESCED VIRQ_STATUS_COALESCED
#define USER	VIRQ_DRIVER_USER
#define RESAMPLE VIRQ_DRIVER_RESAMPLE
#define MASTER	VIRQ_X86_IRQCHIP_PIC_MASTER
#define SLAVE	VIRQ_X86_IRQCHIP_PIC_SLAVE

/* --- fakes for the rest of the family ------------------------------- */

#define LOG	64

static struct x86_chip chip;
static struct x86_pic *pic;

static unsigned long nr_changed;
static bool changed_saw;	/* x86_pic_output() at the last call */
/* Injecting as an irqfd wakeup: IRQs are off, no lock is ours */
static bool atomic_ctx;

/* The PIC calls out with no lock held (only the "wakeup's" IRQs off) */
static void check_unlocked(void)
{
	CHECK_EQ(harness_locks_held(), atomic_ctx ? 1 : 0);
	CHECK_EQ(harness_irqs_disabled(), atomic_ctx);
}

void x86_lapic_pic_changed(struct x86_chip *c)
{
	CHECK(c == &chip);
	check_unlocked();
	nr_changed++;
	changed_saw = x86_pic_output(pic);
}

static unsigned long nr_eoi;
static u32 eoi_chip[LOG], eoi_pin[LOG];
static bool eoi_lowers_resample;

void x86_pin_eoi(struct x86_chip *c, u32 irqchip, u32 pin)
{
	CHECK(c == &chip);
	check_unlocked();
	CHECK(irqchip == MASTER || irqchip == SLAVE);
	CHECK(pin < 8);
	eoi_chip[nr_eoi % LOG] = irqchip;
	eoi_pin[nr_eoi % LOG] = pin;
	nr_eoi++;
	/* What the core's resampler does: lower its drive. */
	if (eoi_lowers_resample)
		CHECK_EQ(x86_pic_set_irq(pic, irqchip * 8 + pin, RESET,
					 RESAMPLE, NULL), 0);
}

/* --- helpers --------------------------------------------------------- */

static void setup(void)
{
	nr_changed = 0;
	changed_saw = false;
	nr_eoi = 0;
	eoi_lowers_resample = false;
	memset(&chip, 0, sizeof(chip));
	pic = x86_pic_create(&chip);
	CHECK_FATAL(pic);
	chip.pic = pic;
}

static void teardown(void)
{
	x86_pic_destroy(pic);
	pic = NULL;
}

static void out8(u16 port, u8 val)
{
	u64 d = val;

	CHECK_EQ(x86_pic_pio(pic, port, 1, true, &d), 0);
}

static u8 in8(u16 port)
{
	u64 d = 0xdeadbeefcafeULL;

	CHECK_EQ(x86_pic_pio(pic, port, 1, false, &d), 0);
	CHECK(d <= 0xff);
	return d;
}

/* Drive a pin as the VMM; the status */
static int drive(u32 pin, u32 op)
{
	int st = 42;

	CHECK_EQ(x86_pic_set_irq(pic, pin, op, USER, &st), 0);
	return st;
}

/* Drive from an irqfd wakeup: IRQs off */
static int drive_atomic(u32 pin, u32 op, enum virq_driver drv)
{
	unsigned long flags;
	int st = 42;

	local_irq_save(flags);
	atomic_ctx = true;
	CHECK_EQ(x86_pic_set_irq(pic, pin, op, drv, &st), 0);
	atomic_ctx = false;
	local_irq_restore(flags);
	return st;
}

static void icw(u16 base, u8 icw1, u8 icw2, u8 icw3, u8 icw4)
{
	out8(base, icw1);
	out8(base + 1, icw2);
	out8(base + 1, icw3);
	out8(base + 1, icw4);
}

/* Linux's init_8259A() and SeaBIOS: vectors 0x20 and 0x28 */
static void pc_init(void)
{
	icw(0x20, 0x11, 0x20, 0x04, 0x01);
	icw(0xa0, 0x11, 0x28, 0x02, 0x01);
}

static struct virq_x86_pic_state get(void)
{
	struct virq_x86_pic_state st;

	memset(&st, 0xcc, sizeof(st));
	x86_pic_get_state(pic, &st);
	return st;
}

#define M(f)	(get().pics[0].f)
#define S(f)	(get().pics[1].f)

static u8 read_irr(u16 base)
{
	out8(base, 0x0a);
	return in8(base);
}

static u8 read_isr(u16 base)
{
	out8(base, 0x0b);
	return in8(base);
}

static bool last_eoi(u32 irqchip, u32 pin)
{
	return nr_eoi && eoi_chip[(nr_eoi - 1) % LOG] == irqchip &&
	       eoi_pin[(nr_eoi - 1) % LOG] == pin;
}

/* --- tests ----------------------------------------------------------- */

TEST(create_defaults)
{
	struct virq_x86_pic_state st;
	int i;

	setup();
	CHECK(!x86_pic_output(pic));
	st = get();
	CHECK_EQ(st.version, VIRQ_X86_STATE_VERSION);
	CHECK_EQ(st.padding, 0);
	for (i = 0; i < 2; i++) {
		CHECK_EQ(st.pics[i].irr, 0);
		CHECK_EQ(st.pics[i].isr, 0);
		CHECK_EQ(st.pics[i].imr, 0);
		CHECK_EQ(st.pics[i].init_state, 0);
		CHECK_EQ(st.pics[i].irq_base, 0);
		CHECK_EQ(st.pics[i].elcr, 0);
		CHECK_EQ(st.pics[i].last_irr, 0);
		CHECK_EQ(st.pics[i].priority_add, 0);
	}
	CHECK_EQ(st.pics[0].elcr_mask, 0xf8);
	CHECK_EQ(st.pics[1].elcr_mask, 0xde);
	for (i = 0; i < 16; i++)
		CHECK_EQ(x86_pic_get_drivers(pic, i), 0);
	CHECK_EQ(nr_changed, 0);
	teardown();

	harness_fail_alloc_nth(1);
	CHECK(!x86_pic_create(&chip));
	harness_fail_alloc_nth(0);
	x86_pic_destroy(NULL);
}

TEST(init_sequence)
{
	setup();
	out8(0x21, 0xff);
	CHECK_EQ(M(imr), 0xff);
	out8(0x20, 0x11);
	CHECK_EQ(M(init_state), 1);
	CHECK_EQ(M(init4), 1);
	CHECK_EQ(M(imr), 0);		/* ICW1 clears IMR */
	out8(0x21, 0x27);		/* T2-T0 ignored */
	CHECK_EQ(M(init_state), 2);
	CHECK_EQ(M(irq_base), 0x20);
	out8(0x21, 0x04);
	CHECK_EQ(M(init_state), 3);
	out8(0x21, 0x01);
	CHECK_EQ(M(init_state), 0);
	CHECK_EQ(M(auto_eoi), 0);
	CHECK_EQ(M(special_fully_nested_mode), 0);
	icw(0xa0, 0x11, 0x28, 0x02, 0x01);
	CHECK_EQ(S(irq_base), 0x28);
	CHECK_EQ(S(init_state), 0);
	/* Now a data port write is OCW1 */
	out8(0x21, 0xfb);
	out8(0xa1, 0xff);
	CHECK_EQ(in8(0x21), 0xfb);
	CHECK_EQ(in8(0xa1), 0xff);

	/* ICW4 with AEOI and SFNM, then ICW1 without IC4 clears them */
	icw(0x20, 0x11, 0x08, 0x04, 0x13);
	CHECK_EQ(M(auto_eoi), 1);
	CHECK_EQ(M(special_fully_nested_mode), 1);
	CHECK_EQ(M(irq_base), 0x08);
	out8(0x20, 0x10);
	CHECK_EQ(M(init4), 0);
	CHECK_EQ(M(auto_eoi), 0);
	CHECK_EQ(M(special_fully_nested_mode), 0);
	out8(0x21, 0x70);
	CHECK_EQ(M(init_state), 2);
	out8(0x21, 0x04);		/* ICW3 ends it */
	CHECK_EQ(M(init_state), 0);
	CHECK_EQ(M(irq_base), 0x70);
	out8(0x21, 0x55);		/* OCW1 */
	CHECK_EQ(M(imr), 0x55);

	/* SNGL: no ICW3 */
	out8(0x20, 0x13);
	out8(0x21, 0x20);
	CHECK_EQ(M(init_state), 3);
	out8(0x21, 0x03);		/* this is ICW4 */
	CHECK_EQ(M(init_state), 0);
	CHECK_EQ(M(auto_eoi), 1);
	out8(0x20, 0x12);		/* SNGL, no ICW4 */
	out8(0x21, 0x20);
	CHECK_EQ(M(init_state), 0);
	CHECK_EQ(M(auto_eoi), 0);
	/* LTIM is ignored: ELCR rules */
	out8(0x20, 0x19);
	out8(0x21, 0x20);
	out8(0x21, 0x04);
	out8(0x21, 0x01);
	CHECK_EQ(M(elcr), 0);
	CHECK_EQ(drive(4, EDGE), 1);
	CHECK_EQ(M(irr), 0x10);
	CHECK_EQ(M(last_irr), 0);
	teardown();
}

TEST(icw1_resets)
{
	setup();
	pc_init();
	out8(0x4d0, 0x08);		/* IR3 level */
	CHECK_EQ(drive(3, SET), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x23);
	CHECK_EQ(drive(4, SET), COALESCED);	/* behind IR3 in service */
	CHECK_EQ(drive(6, EDGE), COALESCED);
	out8(0x20, 0xc2);		/* priority: IR3 highest */
	out8(0x20, 0x0b);		/* read ISR */
	out8(0x20, 0x68);		/* SMM */
	out8(0x21, 0x80);
	CHECK_EQ(M(irr), 0x58);
	CHECK_EQ(M(priority_add), 3);

	out8(0x20, 0x11);
	CHECK_EQ(M(irr), 0x08);		/* edges dropped, level kept */
	CHECK_EQ(M(isr), 0x08);		/* ISR kept */
	CHECK_EQ(M(imr), 0);
	CHECK_EQ(M(priority_add), 0);
	CHECK_EQ(M(read_reg_select), 0);
	CHECK_EQ(M(special_mask), 0);
	/* Edge sense reset: lines 3 and 4 are high */
	CHECK_EQ(M(last_irr), 0x18);
	out8(0x21, 0x20);
	out8(0x21, 0x04);
	out8(0x21, 0x01);
	CHECK_EQ(nr_eoi, 0);

	/* IR4 is still high: another driver gives no edge */
	CHECK_EQ(drive_atomic(4, SET, RESAMPLE), COALESCED);
	CHECK_EQ(M(irr), 0x08);
	CHECK_EQ(drive(4, RESET), COALESCED);
	CHECK_EQ(drive_atomic(4, RESET, RESAMPLE), COALESCED);
	CHECK_EQ(M(last_irr), 0x08);
	CHECK_EQ(drive(4, SET), COALESCED);	/* behind IR3 in service */
	CHECK_EQ(M(irr), 0x18);
	teardown();
}

TEST(edge_delivery_and_eoi)
{
	setup();
	pc_init();
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(drive(0, EDGE), 1);
	CHECK(x86_pic_output(pic));
	CHECK_EQ(nr_changed, 1);
	CHECK(changed_saw);
	CHECK_EQ(M(irr), 0x01);
	CHECK_EQ(M(last_irr), 0);
	CHECK_EQ(x86_pic_get_drivers(pic, 0), 0);
	CHECK_EQ(x86_pic_intack(pic), 0x20);
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(nr_changed, 2);
	CHECK(!changed_saw);
	CHECK_EQ(M(irr), 0);
	CHECK_EQ(M(isr), 0x01);
	CHECK_EQ(nr_eoi, 0);
	/* Another edge while in service waits */
	CHECK_EQ(drive(0, EDGE), COALESCED);
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(drive(0, EDGE), COALESCED);	/* already in IRR */
	out8(0x20, 0x20);
	CHECK_EQ(nr_eoi, 1);
	CHECK(last_eoi(MASTER, 0));
	CHECK_EQ(M(isr), 0);
	CHECK(x86_pic_output(pic));
	CHECK_EQ(nr_changed, 3);
	CHECK_EQ(x86_pic_intack(pic), 0x20);
	out8(0x20, 0x20);
	CHECK_EQ(nr_eoi, 2);
	CHECK(!x86_pic_output(pic));
	/* A non-specific EOI with nothing in service does nothing */
	out8(0x20, 0x20);
	CHECK_EQ(nr_eoi, 2);

	/* SET holds the line: no new edge until RESET */
	CHECK_EQ(drive(1, SET), 1);
	CHECK_EQ(x86_pic_get_drivers(pic, 1), BIT(USER));
	CHECK_EQ(x86_pic_intack(pic), 0x21);
	CHECK_EQ(drive(1, SET), COALESCED);
	CHECK_EQ(M(irr), 0);
	CHECK_EQ(drive(1, RESET), COALESCED);
	out8(0x20, 0x20);
	CHECK_EQ(drive(1, SET), 1);
	CHECK_EQ(M(last_irr), 0x02);
	/* An edge input keeps its latch when the line drops */
	CHECK_EQ(drive(1, RESET), COALESCED);
	CHECK_EQ(M(irr), 0x02);
	CHECK(x86_pic_output(pic));
	teardown();
}

TEST(masking)
{
	unsigned long n;

	setup();
	pc_init();
	out8(0x21, 0x08);
	CHECK_EQ(in8(0x21), 0x08);
	CHECK_EQ(nr_changed, 0);
	CHECK_EQ(drive(3, EDGE), MASKED);
	CHECK_EQ(M(irr), 0x08);		/* latched */
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(nr_changed, 0);
	CHECK_EQ(drive(3, RESET), COALESCED);	/* RESET never MASKED */
	out8(0x21, 0x00);
	CHECK(x86_pic_output(pic));
	CHECK_EQ(nr_changed, 1);
	out8(0x21, 0xff);
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(nr_changed, 2);
	/* Pending and masked: MASKED first */
	CHECK_EQ(drive(3, EDGE), MASKED);
	out8(0x21, 0x00);
	CHECK_EQ(x86_pic_intack(pic), 0x23);
	out8(0x20, 0x20);

	/* A slave pin behind the master's IR2 mask */
	out8(0x21, 0x04);
	CHECK_EQ(drive(10, EDGE), MASKED);
	CHECK_EQ(S(irr), 0x04);
	CHECK_EQ(M(irr), 0x00);
	CHECK_EQ(read_irr(0x20), 0x04);	/* the slave's INT on IR2 */
	CHECK(!x86_pic_output(pic));
	n = nr_changed;
	out8(0x21, 0x00);
	CHECK(x86_pic_output(pic));
	CHECK_EQ(nr_changed, n + 1);
	CHECK_EQ(x86_pic_intack(pic), 0x2a);
	/* The slave's own mask */
	out8(0xa1, 0x01);
	CHECK_EQ(drive(8, EDGE), MASKED);
	CHECK_EQ(in8(0xa1), 0x01);
	teardown();
}

TEST(irr_isr_reads)
{
	setup();
	pc_init();
	CHECK_EQ(drive(5, EDGE), 1);
	CHECK_EQ(drive(6, EDGE), COALESCED);	/* IR5 goes first */
	CHECK_EQ(drive(9, EDGE), 1);		/* slave IR1, via IR2 */
	/* After ICW1 the command port reads IRR */
	CHECK_EQ(in8(0x20), 0x64);
	CHECK_EQ(in8(0xa0), 0x02);
	CHECK_EQ(x86_pic_intack(pic), 0x29);
	CHECK_EQ(read_isr(0x20), 0x04);
	CHECK_EQ(in8(0x20), 0x04);	/* selection stays */
	CHECK_EQ(M(read_reg_select), 1);
	CHECK_EQ(read_isr(0xa0), 0x02);
	CHECK_EQ(read_irr(0x20), 0x60);
	CHECK_EQ(M(read_reg_select), 0);
	CHECK_EQ(read_irr(0xa0), 0x00);
	/* OCW3 without RR keeps the selection */
	out8(0x20, 0x0b);
	out8(0x20, 0x09);
	CHECK_EQ(in8(0x20), 0x04);
	/* The data port reads IMR whatever the selection */
	out8(0x21, 0x5a);
	CHECK_EQ(in8(0x21), 0x5a);
	teardown();
}

TEST(priority_nesting)
{
	setup();
	pc_init();
	CHECK_EQ(drive(7, EDGE), 1);
	CHECK_EQ(drive(4, EDGE), 1);
	CHECK_EQ(drive(1, EDGE), 1);
	CHECK_EQ(drive(6, EDGE), COALESCED);
	CHECK_EQ(x86_pic_intack(pic), 0x21);
	CHECK(!x86_pic_output(pic));
	out8(0x20, 0x20);
	CHECK_EQ(x86_pic_intack(pic), 0x24);
	out8(0x20, 0x20);
	CHECK_EQ(x86_pic_intack(pic), 0x26);
	/* Nesting: IR6 in service; IR3 preempts, IR7 waits */
	CHECK_EQ(drive(3, EDGE), 1);
	CHECK(x86_pic_output(pic));
	CHECK_EQ(x86_pic_intack(pic), 0x23);
	CHECK_EQ(M(isr), 0x48);
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(drive(5, EDGE), COALESCED);
	/* Non-specific EOI ends the highest level in service: IR3 */
	out8(0x20, 0x20);
	CHECK(last_eoi(MASTER, 3));
	CHECK_EQ(M(isr), 0x40);
	CHECK(x86_pic_output(pic));	/* IR5 beats IR6 */
	CHECK_EQ(x86_pic_intack(pic), 0x25);
	out8(0x20, 0x20);
	out8(0x20, 0x20);
	CHECK(last_eoi(MASTER, 6));
	CHECK_EQ(M(isr), 0);
	CHECK_EQ(x86_pic_intack(pic), 0x27);	/* IR7, real one */
	CHECK_EQ(M(isr), 0x80);
	out8(0x20, 0x20);
	CHECK_EQ(nr_eoi, 6);
	CHECK(!x86_pic_output(pic));
	teardown();
}

TEST(specific_eoi)
{
	setup();
	pc_init();
	CHECK_EQ(drive(5, EDGE), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x25);
	CHECK_EQ(drive(1, EDGE), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x21);
	CHECK_EQ(M(isr), 0x22);
	out8(0x20, 0x65);		/* specific EOI IR5 */
	CHECK_EQ(M(isr), 0x02);
	CHECK_EQ(nr_eoi, 1);
	CHECK(last_eoi(MASTER, 5));
	out8(0x20, 0x67);		/* IR7 not in service */
	CHECK_EQ(nr_eoi, 1);
	CHECK_EQ(M(isr), 0x02);
	out8(0x20, 0x61);
	CHECK(last_eoi(MASTER, 1));
	CHECK_EQ(M(isr), 0);
	/* On the slave */
	CHECK_EQ(drive(15, EDGE), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x2f);
	CHECK_EQ(S(isr), 0x80);		/* a real IRQ15 */
	out8(0xa0, 0x67);
	CHECK(last_eoi(SLAVE, 7));
	out8(0x20, 0x62);
	CHECK(last_eoi(MASTER, 2));
	CHECK_EQ(nr_eoi, 4);
	/* OCW2 no-op */
	CHECK_EQ(drive(4, EDGE), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x24);
	out8(0x20, 0x40);
	CHECK_EQ(M(isr), 0x10);
	CHECK_EQ(nr_eoi, 4);
	teardown();
}

TEST(rotation)
{
	setup();
	pc_init();
	/* Set priority: IR4 lowest, so IR5 highest */
	out8(0x20, 0xc4);
	CHECK_EQ(M(priority_add), 5);
	CHECK_EQ(drive(1, EDGE), 1);
	CHECK_EQ(drive(6, EDGE), 1);
	CHECK_EQ(drive(4, EDGE), COALESCED);
	CHECK_EQ(x86_pic_intack(pic), 0x26);
	CHECK(!x86_pic_output(pic));	/* IR1 and IR4 rank below IR6 */
	out8(0x20, 0x20);
	CHECK(last_eoi(MASTER, 6));
	CHECK_EQ(x86_pic_intack(pic), 0x21);
	/* Rotate on non-specific EOI: IR1 becomes lowest */
	out8(0x20, 0xa0);
	CHECK(last_eoi(MASTER, 1));
	CHECK_EQ(M(priority_add), 2);
	CHECK_EQ(M(isr), 0);
	CHECK_EQ(drive(0, EDGE), COALESCED);	/* IR4 ranks higher */
	CHECK_EQ(drive(3, EDGE), 1);	/* IR3 now beats IR4 and IR0 */
	CHECK_EQ(x86_pic_intack(pic), 0x23);
	/* Rotate on specific EOI */
	out8(0x20, 0xe3);
	CHECK(last_eoi(MASTER, 3));
	CHECK_EQ(M(priority_add), 4);
	CHECK_EQ(x86_pic_intack(pic), 0x24);
	out8(0x20, 0xe4);
	CHECK_EQ(M(priority_add), 5);
	CHECK_EQ(x86_pic_intack(pic), 0x20);
	out8(0x20, 0x20);
	/* Rotate on specific EOI of a level not in service still rotates */
	out8(0x20, 0xe6);
	CHECK_EQ(M(priority_add), 7);
	CHECK_EQ(nr_eoi, 5);
	teardown();
}

TEST(auto_eoi)
{
	setup();
	icw(0x20, 0x11, 0x20, 0x04, 0x03);
	icw(0xa0, 0x11, 0x28, 0x02, 0x03);
	CHECK_EQ(M(auto_eoi), 1);
	CHECK_EQ(drive(3, EDGE), 1);
	CHECK_EQ(drive(5, EDGE), 1 - 1);	/* behind IR3 pending */
	CHECK_EQ(x86_pic_intack(pic), 0x23);
	CHECK_EQ(M(isr), 0);
	CHECK_EQ(nr_eoi, 1);
	CHECK(last_eoi(MASTER, 3));
	CHECK(x86_pic_output(pic));	/* IR5 is not blocked */
	CHECK_EQ(M(priority_add), 0);
	/* Rotate in automatic EOI mode */
	out8(0x20, 0x80);
	CHECK_EQ(M(rotate_on_auto_eoi), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x25);
	CHECK_EQ(M(priority_add), 6);
	CHECK(last_eoi(MASTER, 5));
	out8(0x20, 0x00);
	CHECK_EQ(M(rotate_on_auto_eoi), 0);
	/* Cascade: both chips end at once */
	CHECK_EQ(drive(12, EDGE), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x2c);
	CHECK_EQ(nr_eoi, 4);
	CHECK(eoi_chip[2] == MASTER && eoi_pin[2] == 2);
	CHECK(eoi_chip[3] == SLAVE && eoi_pin[3] == 4);
	CHECK_EQ(M(isr), 0);
	CHECK_EQ(S(isr), 0);
	CHECK_EQ(M(priority_add), 6);	/* rotation was cleared */
	CHECK(!x86_pic_output(pic));
	/* Auto-EOI slave with two requests: the second goes up at once */
	CHECK_EQ(drive(9, EDGE), 1);
	CHECK_EQ(drive(11, EDGE), COALESCED);
	CHECK_EQ(x86_pic_intack(pic), 0x29);
	CHECK(x86_pic_output(pic));
	CHECK_EQ(read_irr(0x20), 0x04);
	CHECK_EQ(x86_pic_intack(pic), 0x2b);
	CHECK(!x86_pic_output(pic));
	teardown();
}

TEST(special_mask_mode)
{
	setup();
	pc_init();
	CHECK_EQ(drive(3, EDGE), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x23);
	CHECK_EQ(drive(5, EDGE), COALESCED);
	out8(0x21, 0x08);		/* the handler masks its own level */
	CHECK(!x86_pic_output(pic));
	out8(0x20, 0x68);		/* enter special mask mode */
	CHECK_EQ(M(special_mask), 1);
	CHECK(x86_pic_output(pic));	/* lower IR5 now gets through */
	CHECK_EQ(x86_pic_intack(pic), 0x25);
	CHECK_EQ(M(isr), 0x28);
	CHECK_EQ(drive(3, EDGE), MASKED);
	CHECK_EQ(drive(1, EDGE), 1);	/* higher ones too */
	CHECK_EQ(x86_pic_intack(pic), 0x21);
	out8(0x20, 0x61);
	/* An unmasked level in service does not request again */
	out8(0x21, 0x00);
	CHECK_EQ(M(irr), 0x08);
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(drive(7, EDGE), 1);	/* but lower IR7 does */
	CHECK_EQ(x86_pic_intack(pic), 0x27);
	out8(0x20, 0x67);
	out8(0x20, 0x48);		/* leave special mask mode */
	CHECK_EQ(M(special_mask), 0);
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(drive(6, EDGE), COALESCED);	/* IR3 in service blocks */
	out8(0x20, 0x63);		/* end IR3: IR3 (latched) again */
	CHECK(x86_pic_output(pic));
	CHECK_EQ(x86_pic_intack(pic), 0x23);
	/* OCW3 without ESMM leaves the mode alone */
	out8(0x20, 0x68);
	out8(0x20, 0x28);
	CHECK_EQ(M(special_mask), 1);
	teardown();
}

TEST(poll_mode)
{
	setup();
	pc_init();
	out8(0x20, 0x0c);
	CHECK_EQ(M(poll), 1);
	CHECK_EQ(in8(0x20), 0x00);	/* nothing requested */
	CHECK_EQ(M(poll), 0);
	CHECK_EQ(drive(4, EDGE), 1);
	CHECK_EQ(drive(6, EDGE), COALESCED);
	out8(0x20, 0x0c);
	CHECK_EQ(in8(0x20), 0x84);
	CHECK_EQ(M(isr), 0x10);
	CHECK_EQ(M(irr), 0x40);
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(in8(0x20), 0x40);	/* one read only: IRR again */
	out8(0x20, 0x0c);
	CHECK_EQ(in8(0x21), 0x00);	/* IR6 behind IR4 */
	out8(0x20, 0x20);
	CHECK(last_eoi(MASTER, 4));
	out8(0x20, 0x0c);
	CHECK_EQ(in8(0x21), 0x86);	/* the data port polls too */
	out8(0x20, 0x20);
	CHECK(!x86_pic_output(pic));

	/* Polling the slave: the master's IR2 request goes with it */
	CHECK_EQ(drive(13, EDGE), 1);
	CHECK_EQ(read_irr(0x20), 0x04);
	out8(0xa0, 0x0c);
	CHECK_EQ(in8(0xa0), 0x85);
	CHECK_EQ(S(isr), 0x20);
	CHECK_EQ(read_irr(0x20), 0x00);
	CHECK_EQ(M(isr), 0x00);
	CHECK(!x86_pic_output(pic));
	out8(0xa0, 0x20);
	CHECK(last_eoi(SLAVE, 5));
	/* Polling the master sees the cascade level itself */
	CHECK_EQ(drive(13, EDGE), 1);
	out8(0x20, 0x0c);
	CHECK_EQ(in8(0x20), 0x82);
	CHECK_EQ(M(isr), 0x04);
	CHECK_EQ(S(isr), 0x00);
	/* A poll with auto-EOI ends at once */
	icw(0x20, 0x11, 0x20, 0x04, 0x03);
	CHECK_EQ(drive(1, EDGE), 1);
	out8(0x20, 0x0c);
	CHECK_EQ(in8(0x20), 0x81);
	CHECK(last_eoi(MASTER, 1));
	teardown();
}

TEST(cascade)
{
	setup();
	pc_init();
	CHECK_EQ(drive(12, EDGE), 1);
	CHECK_EQ(S(irr), 0x10);
	CHECK_EQ(M(irr), 0x00);		/* saved IRR: no cascade bit */
	CHECK_EQ(read_irr(0x20), 0x04);
	CHECK(x86_pic_output(pic));
	CHECK_EQ(nr_changed, 1);
	CHECK_EQ(x86_pic_intack(pic), 0x2c);
	CHECK_EQ(M(isr), 0x04);
	CHECK_EQ(S(isr), 0x10);
	CHECK_EQ(M(irr), 0);
	CHECK_EQ(S(irr), 0);
	CHECK(!x86_pic_output(pic));
	/* Master IR0 preempts the slave's handler, IR3 does not */
	CHECK_EQ(drive(3, EDGE), COALESCED);
	CHECK_EQ(drive(0, EDGE), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x20);
	out8(0x20, 0x20);
	CHECK(last_eoi(MASTER, 0));
	/* Higher slave request waits for the master's IR2 (normal mode) */
	CHECK_EQ(drive(8, EDGE), COALESCED);
	CHECK_EQ(M(irr), 0x08);
	CHECK_EQ(read_irr(0x20), 0x0c);
	CHECK(!x86_pic_output(pic));
	out8(0xa0, 0x20);
	CHECK(last_eoi(SLAVE, 4));
	out8(0x20, 0x20);
	CHECK(last_eoi(MASTER, 2));
	CHECK(x86_pic_output(pic));
	CHECK_EQ(x86_pic_intack(pic), 0x28);
	out8(0xa0, 0x20);
	out8(0x20, 0x20);
	CHECK_EQ(x86_pic_intack(pic), 0x23);
	out8(0x20, 0x20);
	CHECK_EQ(nr_eoi, 6);
	CHECK(!x86_pic_output(pic));
	teardown();
}

TEST(special_fully_nested)
{
	/* Normal nesting first: the slave is locked out */
	setup();
	pc_init();
	CHECK_EQ(drive(11, EDGE), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x2b);
	CHECK_EQ(drive(9, EDGE), COALESCED);
	CHECK(!x86_pic_output(pic));
	teardown();

	setup();
	icw(0x20, 0x11, 0x20, 0x04, 0x11);	/* master SFNM */
	icw(0xa0, 0x11, 0x28, 0x02, 0x01);
	CHECK_EQ(M(special_fully_nested_mode), 1);
	CHECK_EQ(drive(11, EDGE), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x2b);
	CHECK_EQ(drive(12, EDGE), COALESCED);	/* lower on the slave */
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(drive(3, EDGE), COALESCED);	/* master IR3 stays out */
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(drive(9, EDGE), 1);		/* higher on the slave */
	CHECK(x86_pic_output(pic));
	CHECK_EQ(x86_pic_intack(pic), 0x29);
	CHECK_EQ(M(isr), 0x04);
	CHECK_EQ(S(isr), 0x0a);
	CHECK(!x86_pic_output(pic));
	out8(0xa0, 0x20);
	CHECK(last_eoi(SLAVE, 1));
	CHECK_EQ(S(isr), 0x08);
	out8(0xa0, 0x20);
	CHECK(last_eoi(SLAVE, 3));
	/* IR12 now requests; the master's IR2 is still in service */
	CHECK(x86_pic_output(pic));
	CHECK_EQ(x86_pic_intack(pic), 0x2c);
	out8(0xa0, 0x20);
	out8(0x20, 0x20);
	CHECK(last_eoi(MASTER, 2));
	CHECK_EQ(x86_pic_intack(pic), 0x23);
	teardown();
}

TEST(spurious_irq7)
{
	setup();
	pc_init();
	CHECK_EQ(x86_pic_intack(pic), 0x27);
	CHECK_EQ(M(isr), 0);
	CHECK_EQ(nr_changed, 0);
	/* A level request withdrawn before INTA */
	out8(0x4d0, 0x08);
	CHECK_EQ(drive(3, SET), 1);
	CHECK(x86_pic_output(pic));
	CHECK_EQ(drive(3, RESET), COALESCED);
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(nr_changed, 2);
	CHECK_EQ(x86_pic_intack(pic), 0x27);
	CHECK_EQ(M(isr), 0);
	CHECK_EQ(S(isr), 0);
	CHECK_EQ(nr_eoi, 0);
	/* A masked request gives the same */
	CHECK_EQ(drive(4, EDGE), 1);
	out8(0x21, 0x10);
	CHECK_EQ(x86_pic_intack(pic), 0x27);
	CHECK_EQ(M(irr), 0x10);
	CHECK_EQ(M(isr), 0);
	teardown();
}

TEST(spurious_irq15)
{
	struct virq_x86_pic_state st;

	setup();
	pc_init();
	/* An edge on master pin 2 (KVM's default route of GSI 2) */
	CHECK_EQ(drive(2, EDGE), 1);
	CHECK_EQ(M(irr), 0x04);
	CHECK(x86_pic_output(pic));
	CHECK_EQ(x86_pic_intack(pic), 0x2f);
	CHECK_EQ(M(isr), 0x04);		/* the master took IR2 */
	CHECK_EQ(S(isr), 0x00);		/* the slave set nothing */
	CHECK_EQ(M(irr), 0);
	CHECK_EQ(nr_eoi, 0);
	CHECK(!x86_pic_output(pic));
	out8(0x20, 0x62);		/* Linux ends IR2 on the master */
	CHECK(last_eoi(MASTER, 2));
	CHECK_EQ(nr_eoi, 1);

	/* A KVM state with the cascade latched and the slave idle */
	st = get();
	st.pics[0].irr = 0x04;
	CHECK_EQ(x86_pic_set_state(pic, &st), 0);
	CHECK(x86_pic_output(pic));
	CHECK_EQ(x86_pic_intack(pic), 0x2f);
	CHECK_EQ(M(isr), 0x04);
	CHECK_EQ(S(isr), 0x00);
	out8(0x20, 0x20);

	/* A slave request withdrawn before INTA: the master has none */
	out8(0x4d1, 0x08);		/* slave IR3 (IRQ11) level */
	CHECK_EQ(drive(11, SET), 1);
	CHECK_EQ(read_irr(0x20), 0x04);
	CHECK_EQ(drive(11, RESET), COALESCED);
	CHECK_EQ(read_irr(0x20), 0x00);
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(x86_pic_intack(pic), 0x27);
	CHECK_EQ(M(isr), 0);
	/* So does a slave mask */
	CHECK_EQ(drive(14, EDGE), 1);
	out8(0xa1, 0x40);
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(x86_pic_intack(pic), 0x27);
	CHECK_EQ(S(irr), 0x40);
	CHECK_EQ(M(isr), 0);
	CHECK_EQ(S(isr), 0);
	teardown();
}

TEST(level_and_edge)
{
	setup();
	pc_init();
	out8(0x4d0, 0xff);
	CHECK_EQ(in8(0x4d0), 0xf8);
	out8(0x4d1, 0xff);
	CHECK_EQ(in8(0x4d1), 0xde);
	out8(0x4d0, 0x08);
	out8(0x4d1, 0x00);
	CHECK_EQ(in8(0x4d0), 0x08);
	CHECK_EQ(M(elcr), 0x08);

	/* Level IR3 follows the line */
	CHECK_EQ(drive(3, SET), 1);
	CHECK_EQ(M(irr), 0x08);
	CHECK_EQ(M(last_irr), 0x08);
	CHECK_EQ(drive(3, SET), COALESCED);
	CHECK_EQ(x86_pic_intack(pic), 0x23);
	CHECK_EQ(M(irr), 0x08);		/* line still high */
	CHECK_EQ(M(isr), 0x08);
	CHECK(!x86_pic_output(pic));
	out8(0x20, 0x20);
	CHECK(last_eoi(MASTER, 3));
	CHECK(x86_pic_output(pic));	/* requests again */
	CHECK_EQ(x86_pic_intack(pic), 0x23);
	CHECK_EQ(drive(3, RESET), COALESCED);
	CHECK_EQ(M(irr), 0);
	CHECK_EQ(M(last_irr), 0);
	out8(0x20, 0x20);
	CHECK(!x86_pic_output(pic));
	/* A pulse on a level pin leaves nothing */
	CHECK_EQ(drive(3, EDGE), COALESCED);
	CHECK_EQ(M(irr), 0);
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(x86_pic_get_drivers(pic, 3), 0);
	/* Level IR3 dropped after INTA: IRR clear */
	CHECK_EQ(drive(3, SET), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x23);
	CHECK_EQ(drive(3, RESET), COALESCED);
	out8(0x20, 0x20);
	CHECK_EQ(M(irr), 0);
	CHECK(!x86_pic_output(pic));

	/* ELCR turning an edge pin to level: IRR becomes the line */
	CHECK_EQ(drive(4, EDGE), 1);
	CHECK_EQ(M(irr), 0x10);
	out8(0x4d0, 0x18);
	CHECK_EQ(M(irr), 0x00);
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(drive(5, SET), 1);
	out8(0x4d0, 0x38);
	CHECK_EQ(M(irr), 0x20);		/* high line: stays */
	/* Back to edge: the request stays latched, no new edge */
	out8(0x4d0, 0x08);
	CHECK_EQ(M(irr), 0x20);
	CHECK_EQ(x86_pic_intack(pic), 0x25);
	CHECK_EQ(M(irr), 0x00);
	out8(0x20, 0x20);
	CHECK(!x86_pic_output(pic));

	/* Slave level pins (0xde) */
	out8(0x4d1, 0x02);
	CHECK_EQ(drive(9, SET), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x29);
	CHECK_EQ(S(irr), 0x02);
	teardown();
}

TEST(level_at_inta_without_line)
{
	struct virq_x86_pic_state st;

	/* A restored level request with no driver: taken once */
	setup();
	pc_init();
	st = get();
	st.pics[0].elcr = 0x08;
	st.pics[0].irr = 0x08;
	CHECK_EQ(x86_pic_set_state(pic, &st), 0);
	CHECK(x86_pic_output(pic));
	CHECK_EQ(x86_pic_intack(pic), 0x23);
	CHECK_EQ(M(irr), 0);
	out8(0x20, 0x20);
	CHECK(!x86_pic_output(pic));
	teardown();
}

TEST(shared_level_line)
{
	setup();
	pc_init();
	out8(0x4d1, 0x08);		/* IRQ11 level */
	CHECK_EQ(drive_atomic(11, SET, USER), 1);
	CHECK_EQ(drive_atomic(11, SET, RESAMPLE), COALESCED);
	CHECK_EQ(x86_pic_get_drivers(pic, 11),
		 BIT(USER) | BIT(RESAMPLE));
	CHECK_EQ(drive_atomic(11, RESET, USER), COALESCED);
	CHECK_EQ(x86_pic_get_drivers(pic, 11), BIT(RESAMPLE));
	CHECK_EQ(S(irr), 0x08);
	CHECK(x86_pic_output(pic));
	CHECK_EQ(drive_atomic(11, RESET, RESAMPLE), COALESCED);
	CHECK_EQ(S(irr), 0);
	CHECK(!x86_pic_output(pic));

	/* The resampler lowers its drive at the EOI */
	eoi_lowers_resample = true;
	CHECK_EQ(drive_atomic(11, SET, RESAMPLE), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x2b);
	out8(0xa0, 0x20);
	CHECK(last_eoi(SLAVE, 3));
	CHECK_EQ(x86_pic_get_drivers(pic, 11), 0);
	CHECK_EQ(S(irr), 0);
	out8(0x20, 0x20);
	CHECK(last_eoi(MASTER, 2));
	CHECK(!x86_pic_output(pic));
	/* With the VMM also holding it, it comes back */
	CHECK_EQ(drive_atomic(11, SET, RESAMPLE), 1);
	CHECK_EQ(drive_atomic(11, SET, USER), COALESCED);
	CHECK_EQ(x86_pic_intack(pic), 0x2b);
	out8(0xa0, 0x20);
	out8(0x20, 0x20);
	CHECK_EQ(x86_pic_get_drivers(pic, 11), BIT(USER));
	CHECK(x86_pic_output(pic));
	CHECK_EQ(x86_pic_intack(pic), 0x2b);
	teardown();
}

TEST(set_drivers_restore)
{
	setup();
	pc_init();
	out8(0x4d0, 0x08);
	/* An edge line restored high is no edge */
	x86_pic_set_drivers(pic, 4, BIT(USER) | 0xf0);
	CHECK_EQ(x86_pic_get_drivers(pic, 4), BIT(USER));
	CHECK_EQ(M(irr), 0);
	CHECK_EQ(M(last_irr), 0x10);
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(drive(4, SET), COALESCED);
	/* A level line restored high requests */
	x86_pic_set_drivers(pic, 3, BIT(RESAMPLE));
	CHECK_EQ(M(irr), 0x08);
	CHECK(x86_pic_output(pic));
	CHECK_EQ(nr_changed, 1);
	x86_pic_set_drivers(pic, 3, 0);
	CHECK_EQ(M(irr), 0);
	CHECK_EQ(M(last_irr), 0x10);
	CHECK(!x86_pic_output(pic));
	CHECK_EQ(nr_changed, 2);
	/* Out of range is ignored */
	x86_pic_set_drivers(pic, 16, 1);
	CHECK_EQ(x86_pic_get_drivers(pic, 16), 0);
	CHECK_EQ(x86_pic_get_drivers(pic, 0xffffffff), 0);
	teardown();
}

TEST(set_irq_invalid)
{
	int st = 42;

	setup();
	pc_init();
	CHECK_EQ(x86_pic_set_irq(pic, 16, SET, USER, &st), -EINVAL);
	CHECK_EQ(x86_pic_set_irq(pic, 0xffffffff, SET, USER, &st), -EINVAL);
	CHECK_EQ(x86_pic_set_irq(pic, 0, 3, USER, &st), -EINVAL);
	CHECK_EQ(x86_pic_set_irq(pic, 0, SET, VIRQ_NR_DRIVERS, &st),
		 -EINVAL);
	CHECK_EQ(st, 42);
	CHECK_EQ(M(irr), 0);
	CHECK_EQ(x86_pic_get_drivers(pic, 0), 0);
	CHECK_EQ(x86_pic_set_irq(pic, 0, EDGE, USER, NULL), 0);
	CHECK_EQ(M(irr), 1);
	teardown();
}

static void busy_state(void)
{
	pc_init();
	out8(0x4d0, 0x28);
	out8(0x4d1, 0x02);
	CHECK_EQ(drive(5, SET), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x25);
	CHECK_EQ(drive(6, EDGE), COALESCED);
	out8(0xa1, 0x10);
	CHECK_EQ(drive(12, EDGE), MASKED);
	out8(0x20, 0xc1);		/* IR2 highest */
	CHECK(!x86_pic_output(pic));
	out8(0xa1, 0x40);		/* IR12 goes up, IR14 masked */
	CHECK(x86_pic_output(pic));
	out8(0xa0, 0x0b);
	out8(0x20, 0x0c);		/* poll pending */
	out8(0xa0, 0x80);		/* rotate in AEOI */
}

TEST(state_round_trip)
{
	struct virq_x86_pic_state a, b;
	struct x86_pic *first;
	bool out;

	setup();
	busy_state();
	a = get();
	CHECK_EQ(a.pics[0].irr, 0x60);
	CHECK_EQ(a.pics[0].isr, 0x20);
	CHECK_EQ(a.pics[0].imr, 0x00);
	CHECK_EQ(a.pics[0].last_irr, 0x20);
	CHECK_EQ(a.pics[0].priority_add, 2);
	CHECK_EQ(a.pics[0].irq_base, 0x20);
	CHECK_EQ(a.pics[0].poll, 1);
	CHECK_EQ(a.pics[0].init4, 1);
	CHECK_EQ(a.pics[0].elcr, 0x28);
	CHECK_EQ(a.pics[1].irr, 0x10);
	CHECK_EQ(a.pics[1].imr, 0x40);
	CHECK_EQ(a.pics[1].read_reg_select, 1);
	CHECK_EQ(a.pics[1].rotate_on_auto_eoi, 1);
	CHECK_EQ(a.pics[1].irq_base, 0x28);
	CHECK_EQ(a.pics[1].elcr, 0x02);
	out = x86_pic_output(pic);
	CHECK(out);

	/* Into a fresh pair, drivers restored separately */
	first = pic;
	pic = x86_pic_create(&chip);
	CHECK_FATAL(pic);
	nr_changed = 0;
	CHECK_EQ(x86_pic_set_state(pic, &a), 0);
	CHECK_EQ(nr_changed, 1);
	CHECK(changed_saw);
	CHECK(x86_pic_output(pic) == out);
	x86_pic_set_drivers(pic, 5, x86_pic_get_drivers(first, 5));
	b = get();
	CHECK(!memcmp(&a, &b, sizeof(a)));
	CHECK_EQ(x86_pic_get_drivers(pic, 5), BIT(USER));
	/* Both behave the same from here */
	CHECK_EQ(in8(0x20), 0x82);	/* the pending poll: IR2 */
	out8(0xa0, 0x0c);
	CHECK_EQ(in8(0xa0), 0x84);
	CHECK(!x86_pic_output(pic));
	a = get();
	x86_pic_destroy(pic);
	pic = first;
	CHECK_EQ(in8(0x20), 0x82);
	out8(0xa0, 0x0c);
	CHECK_EQ(in8(0xa0), 0x84);
	CHECK(!x86_pic_output(pic));
	b = get();
	CHECK(!memcmp(&a, &b, sizeof(a)));
	CHECK_EQ(b.pics[0].isr, 0x24);
	CHECK_EQ(b.pics[1].isr, 0x10);

	/* A state in the middle of an initialisation */
	out8(0x20, 0x11);
	out8(0x21, 0x40);
	a = get();
	CHECK_EQ(a.pics[0].init_state, 2);
	CHECK_EQ(x86_pic_set_state(pic, &a), 0);
	out8(0x21, 0x04);
	out8(0x21, 0x01);
	CHECK_EQ(M(init_state), 0);
	CHECK_EQ(M(irq_base), 0x40);
	teardown();
}

/* Break one field of pics[@n] (or the header) of a valid state */
static void break_field(struct virq_x86_pic_state *st, int n, int what)
{
	struct virq_x86_kvm_pic *k = &st->pics[n];

	switch (what) {
	case 0:
		st->version = 0;
		break;
	case 1:
		st->version = VIRQ_X86_STATE_VERSION + 1;
		break;
	case 2:
		st->padding = 1;
		break;
	case 3:
		k->priority_add = 8;
		break;
	case 4:
		k->irq_base |= 0x01;
		break;
	case 5:
		k->irq_base |= 0x04;
		break;
	case 6:
		k->read_reg_select = 2;
		break;
	case 7:
		k->poll = 2;
		break;
	case 8:
		k->special_mask = 0xff;
		break;
	case 9:
		k->auto_eoi = 2;
		break;
	case 10:
		k->rotate_on_auto_eoi = 2;
		break;
	case 11:
		k->special_fully_nested_mode = 2;
		break;
	case 12:
		k->init4 = 2;
		break;
	case 13:
		k->init_state = 4;
		break;
	case 14:
		k->init_state = 3;
		k->init4 = 0;
		break;
	case 15:
		k->elcr_mask = 0xff;
		break;
	case 16:
		k->elcr_mask = 0;
		k->elcr = 0;
		break;
	case 17:
		k->elcr |= n ? 0x01 : 0x04;
		break;
	case 18:
		k->elcr |= n ? 0x20 : 0x01;
		break;
	}
}

#define NR_BREAKS	19

TEST(set_state_rejects)
{
	struct virq_x86_pic_state good, bad, now;
	int n, what, tried = 0;

	setup();
	busy_state();
	good = get();
	/* The valid base is accepted (and changes nothing) */
	CHECK_EQ(x86_pic_set_state(pic, &good), 0);
	now = get();
	CHECK(!memcmp(&good, &now, sizeof(good)));
	for (n = 0; n < 2; n++) {
		for (what = 0; what < NR_BREAKS; what++) {
			unsigned long c = nr_changed;

			bad = good;
			break_field(&bad, n, what);
			CHECK(memcmp(&bad, &good, sizeof(bad)));
			if (x86_pic_set_state(pic, &bad) != -EINVAL)
				printf("# pic %d break %d accepted\n", n,
				       what);
			else
				tried++;
			now = get();
			CHECK(!memcmp(&good, &now, sizeof(good)));
			CHECK_EQ(nr_changed, c);
		}
	}
	CHECK_EQ(tried, 2 * NR_BREAKS);
	/* init_state 3 with init4, and the edges of each range, are fine */
	bad = good;
	bad.pics[1].init_state = 3;
	bad.pics[1].init4 = 1;
	bad.pics[0].priority_add = 7;
	bad.pics[0].irq_base = 0xf8;
	bad.pics[0].elcr = 0xf8;
	bad.pics[1].elcr = 0xde;
	CHECK_EQ(x86_pic_set_state(pic, &bad), 0);
	teardown();
}

TEST(ports_and_widths)
{
	static const u16 bad_ports[] = {
		0x00, 0x1f, 0x22, 0x9f, 0xa2, 0x4cf, 0x4d2, 0xffff,
		0x120, 0x1a0,
	};
	static const u32 bad_lens[] = { 0, 3, 4, 8 };
	u64 d;
	int i;

	setup();
	pc_init();
	for (i = 0; i < ARRAY_SIZE(bad_ports); i++) {
		d = 0x11;
		CHECK_EQ(x86_pic_pio(pic, bad_ports[i], 1, true, &d), -ENXIO);
		CHECK_EQ(x86_pic_pio(pic, bad_ports[i], 1, false, &d),
			 -ENXIO);
		CHECK_EQ(d, 0x11);
	}
	for (i = 0; i < ARRAY_SIZE(bad_lens); i++) {
		d = 0x11;
		CHECK_EQ(x86_pic_pio(pic, 0x20, bad_lens[i], true, &d),
			 -EINVAL);
		CHECK_EQ(x86_pic_pio(pic, 0x4d0, bad_lens[i], false, &d),
			 -EINVAL);
		CHECK_EQ(d, 0x11);
	}
	/* 2 bytes only at the even ports */
	CHECK_EQ(x86_pic_pio(pic, 0x21, 2, true, &d), -EINVAL);
	CHECK_EQ(x86_pic_pio(pic, 0xa1, 2, false, &d), -EINVAL);
	CHECK_EQ(x86_pic_pio(pic, 0x4d1, 2, false, &d), -EINVAL);
	CHECK_EQ(M(init_state), 0);	/* nothing was taken as ICW1 */
	CHECK_EQ(M(imr), 0);

	/* A word access is two byte accesses */
	d = 0x02f8;
	CHECK_EQ(x86_pic_pio(pic, 0x4d0, 2, true, &d), 0);
	CHECK_EQ(M(elcr), 0xf8);
	CHECK_EQ(S(elcr), 0x02);
	d = ~0ULL;
	CHECK_EQ(x86_pic_pio(pic, 0x4d0, 2, false, &d), 0);
	CHECK_EQ(d, 0x02f8);
	d = 0xfb0b;			/* OCW3 read ISR, then IMR */
	CHECK_EQ(x86_pic_pio(pic, 0xa0, 2, true, &d), 0);
	CHECK_EQ(S(read_reg_select), 1);
	CHECK_EQ(S(imr), 0xfb);
	CHECK_EQ(drive(1, EDGE), 1);
	CHECK_EQ(x86_pic_intack(pic), 0x21);
	d = ~0ULL;
	out8(0x21, 0x5a);
	out8(0x20, 0x0b);
	CHECK_EQ(x86_pic_pio(pic, 0x20, 2, false, &d), 0);
	CHECK_EQ(d, 0x5a02);
	/* Byte values above 0xff: only the low byte counts */
	d = 0x1ff;
	CHECK_EQ(x86_pic_pio(pic, 0x21, 1, true, &d), 0);
	CHECK_EQ(M(imr), 0xff);
	teardown();
}

TEST(show)
{
	struct seq_file m;

	setup();
	pc_init();
	out8(0x4d0, 0x08);
	CHECK_EQ(drive(3, SET), 1);
	CHECK_EQ(drive_atomic(3, SET, RESAMPLE), COALESCED);
	harness_seq_init(&m, 4096);
	x86_pic_show(pic, &m);
	CHECK(strstr(m.buf, "pic master: irr 08 isr 00 imr 00 elcr 08"));
	CHECK(strstr(m.buf, "pic slave: irr 00 isr 00 imr 00 elcr 00"));
	CHECK(strstr(m.buf, "base 0x28"));
	CHECK(strstr(m.buf, "icw4"));
	CHECK(strstr(m.buf, "pic output 1, lines: 3:ur\n"));
	CHECK(!seq_has_overflowed(&m));
	harness_seq_fini(&m);
	teardown();
}

static const struct tap_test tests[] = {
	T(create_defaults),
	T(init_sequence),
	T(icw1_resets),
	T(edge_delivery_and_eoi),
	T(masking),
	T(irr_isr_reads),
	T(priority_nesting),
	T(specific_eoi),
	T(rotation),
	T(auto_eoi),
	T(special_mask_mode),
	T(poll_mode),
	T(cascade),
	T(special_fully_nested),
	T(spurious_irq7),
	T(spurious_irq15),
	T(level_and_edge),
	T(level_at_inta_without_line),
	T(shared_level_line),
	T(set_drivers_restore),
	T(set_irq_invalid),
	T(state_round_trip),
	T(set_state_rejects),
	T(ports_and_widths),
	T(show),
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
