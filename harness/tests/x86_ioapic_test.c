// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the IOAPIC (virq/x86/ioapic.c) alone: the rest of the x86
 * family is faked here (x86_deliver() records the messages and returns a
 * chosen count, x86_pin_eoi() records the resampler notifications and may
 * lower the resample drive, x86_ir_translate() records lookups and
 * returns a chosen message or fault).  Every fake checks that the IOAPIC
 * calls it with no lock held.
 */
#include <stdlib.h>

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/workqueue.h>

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

/* RTE bits, spelled out independently of ioapic.c */
#define R_LOGICAL	BIT_ULL(11)
#define R_DELIVS	BIT_ULL(12)
#define R_LOW		BIT_ULL(13)
#define R_RIRR		BIT_ULL(14)
#define R_LEVEL		BIT_ULL(15)
#define R_MASK		BIT_ULL(16)
#define R_REMAP		BIT_ULL(48)
#define R_DM(x)		((u64)(x) << 8)
#define R_DEST(x)	((u64)(x) << 56)

/* --- fakes for the rest of the family ------------------------------- */

#define LOG	64

static struct x86_chip chip;
static struct x86_ioapic *ioapics[VIRQ_X86_MAX_IOAPICS];
static u64 bases[VIRQ_X86_MAX_IOAPICS];

static unsigned long nr_sent;
static struct x86_irq sent[LOG];	/* ring: sent[n % LOG] */
static int deliver_ret = 1;
/* Called inside x86_deliver() (no lock held) once, then cleared */
static void (*deliver_hook)(void);

int x86_deliver(struct x86_chip *c, const struct x86_irq *irq,
		struct virq_vcpu *src)
{
	void (*hook)(void) = deliver_hook;

	CHECK(c == &chip);
	CHECK(!src);
	CHECK_EQ(harness_locks_held(), 0);
	sent[nr_sent++ % LOG] = *irq;
	if (hook) {
		deliver_hook = NULL;
		hook();
		return 0;
	}
	return deliver_ret;
}

static unsigned long nr_pin_eoi;
static u32 pin_eoi_chip[LOG], pin_eoi_pin[LOG];
static bool pin_eoi_lowers_resample;
/* Called inside x86_pin_eoi() (no lock held) once, then cleared */
static void (*pin_eoi_hook)(void);

void x86_pin_eoi(struct x86_chip *c, u32 irqchip, u32 pin)
{
	struct x86_ioapic *io;

	CHECK(c == &chip);
	CHECK_EQ(harness_locks_held(), 0);
	pin_eoi_chip[nr_pin_eoi % LOG] = irqchip;
	pin_eoi_pin[nr_pin_eoi % LOG] = pin;
	nr_pin_eoi++;
	if (pin_eoi_hook) {
		void (*hook)(void) = pin_eoi_hook;

		pin_eoi_hook = NULL;
		hook();
	}
	if (!pin_eoi_lowers_resample)
		return;
	/* What the core's resampler does: lower its drive. */
	CHECK_FATAL(irqchip >= VIRQ_X86_IRQCHIP_IOAPIC(0));
	io = ioapics[irqchip - VIRQ_X86_IRQCHIP_IOAPIC(0)];
	CHECK_EQ(x86_ioapic_set_irq(io, pin, RESET, RESAMPLE, NULL), 0);
}

static unsigned long nr_translate;
static u32 tr_index, tr_sid;
static bool tr_check_sid;
static int tr_ret;
static struct x86_irq tr_irq;

int x86_ir_translate(struct x86_chip *c, u32 index, u32 source_id,
		     bool check_sid, struct x86_irq *irq)
{
	CHECK(c == &chip);
	CHECK_EQ(harness_locks_held(), 0);
	nr_translate++;
	tr_index = index;
	tr_sid = source_id;
	tr_check_sid = check_sid;
	if (tr_ret)
		return tr_ret;
	*irq = tr_irq;
	return 0;
}

static const struct x86_irq *last_sent(void)
{
	return &sent[(nr_sent - 1) % LOG];
}

/* --- helpers --------------------------------------------------------- */

static void reset_fakes(void)
{
	memset(&chip, 0, sizeof(chip));
	memset(ioapics, 0, sizeof(ioapics));
	nr_sent = 0;
	deliver_ret = 1;
	deliver_hook = NULL;
	nr_pin_eoi = 0;
	pin_eoi_lowers_resample = false;
	pin_eoi_hook = NULL;
	nr_translate = 0;
	tr_ret = 0;
	memset(&tr_irq, 0, sizeof(tr_irq));
}

static struct x86_ioapic *new_ioapic_cfg(u32 index, u8 nr_pins, u64 base,
					 u8 id, u16 sid)
{
	struct virq_x86_ioapic_config cfg = {
		.base = base, .nr_pins = nr_pins, .id = id, .source_id = sid,
	};
	struct x86_ioapic *io = x86_ioapic_create(&chip, index, &cfg);

	CHECK_FATAL(io);
	ioapics[index] = io;
	bases[index] = base ? base :
		VIRQ_X86_IOAPIC_DEFAULT_BASE + 0x1000ULL * index;
	chip.ioapics[index] = io;
	if (chip.nr_ioapics <= index)
		chip.nr_ioapics = index + 1;
	return io;
}

static struct x86_ioapic *new_ioapic(u8 nr_pins)
{
	reset_fakes();
	return new_ioapic_cfg(0, nr_pins, 0, 0, 0);
}

static void free_ioapics(void)
{
	u32 i;

	for (i = 0; i < VIRQ_X86_MAX_IOAPICS; i++) {
		x86_ioapic_destroy(ioapics[i]);
		ioapics[i] = NULL;
	}
}

static u64 base_of(struct x86_ioapic *io)
{
	u32 i;

	for (i = 0; i < VIRQ_X86_MAX_IOAPICS; i++)
		if (ioapics[i] == io)
			return bases[i];
	CHECK_FATAL(0);
	return 0;
}

static int mmio(struct x86_ioapic *io, u64 off, u32 len, bool write,
		u64 *v)
{
	return x86_ioapic_mmio(io, base_of(io) + off, len, write, v);
}

static void mmio_w(struct x86_ioapic *io, u64 off, u32 val)
{
	u64 v = val;

	CHECK_EQ(mmio(io, off, 4, true, &v), 0);
}

static u32 mmio_r(struct x86_ioapic *io, u64 off)
{
	u64 v = 0xdeadbeefcafeULL;

	CHECK_EQ(mmio(io, off, 4, false, &v), 0);
	CHECK_EQ(v >> 32, 0);
	return v;
}

static u32 reg_r(struct x86_ioapic *io, u32 sel)
{
	mmio_w(io, 0x00, sel);
	return mmio_r(io, 0x10);
}

static void reg_w(struct x86_ioapic *io, u32 sel, u32 val)
{
	mmio_w(io, 0x00, sel);
	mmio_w(io, 0x10, val);
}

static u64 rte_r(struct x86_ioapic *io, u32 pin)
{
	u64 lo = reg_r(io, 0x10 + 2 * pin);

	return lo | (u64)reg_r(io, 0x11 + 2 * pin) << 32;
}

/* As Linux programs an entry: high half first, then low half */
static void rte_w(struct x86_ioapic *io, u32 pin, u64 rte)
{
	reg_w(io, 0x11 + 2 * pin, rte >> 32);
	reg_w(io, 0x10 + 2 * pin, (u32)rte);
}

static int line(struct x86_ioapic *io, u32 pin, u32 op)
{
	int status = 0x5a5a;

	CHECK_EQ(x86_ioapic_set_irq(io, pin, op, USER, &status), 0);
	return status;
}

static int line_by(struct x86_ioapic *io, u32 pin, u32 op,
		   enum virq_driver d)
{
	int status = 0x5a5a;

	CHECK_EQ(x86_ioapic_set_irq(io, pin, op, d, &status), 0);
	return status;
}

static bool irq_eq(const struct x86_irq *a, const struct x86_irq *b)
{
	return a->dest == b->dest && a->vector == b->vector &&
	       a->delivery_mode == b->delivery_mode &&
	       a->shorthand == b->shorthand && a->logical == b->logical &&
	       a->level == b->level && a->assert == b->assert &&
	       a->redir_hint == b->redir_hint &&
	       a->x2apic_dest == b->x2apic_dest;
}

/* --- tests ------------------------------------------------------------ */

TEST(create_defaults)
{
	struct virq_x86_ioapic_config cfg = { 0 };
	struct x86_ioapic *io;
	u64 v = 0;
	u32 pin;

	reset_fakes();
	io = new_ioapic_cfg(0, 0, 0, 3, 0);
	CHECK_EQ(x86_ioapic_nr_pins(io), 24);
	CHECK_EQ(bases[0], 0xfec00000ULL);
	CHECK_EQ(reg_r(io, 0x01), 0x00170020);
	CHECK_EQ(reg_r(io, 0x00), 3U << 24);
	CHECK_EQ(reg_r(io, 0x02), 3U << 24);
	for (pin = 0; pin < 24; pin++)
		CHECK_EQ(rte_r(io, pin), R_MASK);
	/* The default base of IOAPIC n is 0xfec00000 + 0x1000 n */
	io = new_ioapic_cfg(2, 0, 0, 0, 0);
	CHECK_EQ(x86_ioapic_mmio(io, 0xfec02010ULL, 4, false, &v), 0);
	CHECK_EQ(v, 0);			/* IOREGSEL 0: the id, 0 */
	CHECK_EQ(x86_ioapic_mmio(io, 0xfec00010ULL, 4, false, &v), -ENXIO);
	free_ioapics();

	/* Out of range configurations are refused, not clamped */
	cfg.nr_pins = 241;
	CHECK(!x86_ioapic_create(&chip, 0, &cfg));
	cfg.nr_pins = 1;
	cfg.id = 16;
	CHECK(!x86_ioapic_create(&chip, 0, &cfg));
	cfg.id = 15;
	CHECK(!x86_ioapic_create(&chip, VIRQ_X86_MAX_IOAPICS, &cfg));
	cfg.base = ~0ULL - 0xff + 1;	/* the window would wrap */
	CHECK(!x86_ioapic_create(&chip, 0, &cfg));
	cfg.base = ~0ULL - 0xff;
	io = x86_ioapic_create(&chip, 0, &cfg);
	CHECK(io);
	x86_ioapic_destroy(io);
	x86_ioapic_destroy(NULL);

	/* Allocation failure */
	cfg.base = 0;
	harness_fail_alloc_nth(1);
	CHECK(!x86_ioapic_create(&chip, 0, &cfg));
	CHECK(harness_alloc_failed());
}

TEST(direct_and_indirect_registers)
{
	struct x86_ioapic *io = new_ioapic(24);
	u64 v;

	/* IOREGSEL: 8 bits */
	mmio_w(io, 0x00, 0xffffff13);
	CHECK_EQ(mmio_r(io, 0x00), 0x13);
	v = 0x1ab;
	CHECK_EQ(mmio(io, 0x00, 1, true, &v), 0);
	CHECK_EQ(mmio_r(io, 0x00), 0xab);
	v = 0x1234;
	CHECK_EQ(mmio(io, 0x00, 2, true, &v), 0);
	CHECK_EQ(mmio_r(io, 0x00), 0x34);
	v = ~0ULL;
	CHECK_EQ(mmio(io, 0x00, 1, false, &v), 0);
	CHECK_EQ(v, 0x34);
	v = ~0ULL;
	CHECK_EQ(mmio(io, 0x00, 2, false, &v), 0);
	CHECK_EQ(v, 0x34);

	/* ID: bits 27:24 only; arbitration follows it; version is RO */
	reg_w(io, 0x00, 0xffffffff);
	CHECK_EQ(reg_r(io, 0x00), 0x0f000000);
	CHECK_EQ(reg_r(io, 0x02), 0x0f000000);
	reg_w(io, 0x00, 0x05000000);
	CHECK_EQ(reg_r(io, 0x00), 0x05000000);
	reg_w(io, 0x02, 0x0a000000);
	CHECK_EQ(reg_r(io, 0x02), 0x05000000);
	reg_w(io, 0x01, 0xffffffff);
	CHECK_EQ(reg_r(io, 0x01), 0x00170020);

	/* Reserved indirect registers: read 0, writes ignored */
	reg_w(io, 0x03, 0xffffffff);
	CHECK_EQ(reg_r(io, 0x03), 0);
	CHECK_EQ(reg_r(io, 0x0f), 0);
	reg_w(io, 0x10 + 2 * 24, 0);	/* pin 24 does not exist */
	CHECK_EQ(reg_r(io, 0x10 + 2 * 24), 0);
	CHECK_EQ(reg_r(io, 0x11 + 2 * 24), 0);
	CHECK_EQ(reg_r(io, 0xff), 0);
	CHECK_EQ(reg_r(io, 0x10 + 2 * 23), R_MASK);	/* the last one */

	/* EOI register reads 0; reserved slots are RAZ/WI */
	mmio_w(io, 0x00, 0x10);
	CHECK_EQ(mmio_r(io, 0x40), 0);
	mmio_w(io, 0x20, 0xffffffff);
	CHECK_EQ(mmio_r(io, 0x20), 0);
	mmio_w(io, 0x30, 0xffffffff);
	CHECK_EQ(mmio_r(io, 0x30), 0);
	mmio_w(io, 0xf0, 0xffffffff);
	CHECK_EQ(mmio_r(io, 0xf0), 0);
	CHECK_EQ(mmio_r(io, 0x00), 0x10);	/* none of them hit IOREGSEL */
	CHECK_EQ(nr_sent, 0);
	free_ioapics();
}

TEST(mmio_bad_widths)
{
	struct x86_ioapic *io = new_ioapic(24);
	u64 base = bases[0], v;
	static const struct { u64 off; u32 len; } bad[] = {
		{ 0x00, 0 }, { 0x00, 3 }, { 0x00, 8 }, { 0x00, 16 },
		{ 0x01, 1 }, { 0x02, 2 }, { 0x04, 4 }, { 0x08, 4 },
		{ 0x10, 1 }, { 0x10, 2 }, { 0x10, 8 }, { 0x11, 1 },
		{ 0x12, 2 }, { 0x14, 4 }, { 0x1c, 4 }, { 0x40, 1 },
		{ 0x40, 2 }, { 0x40, 8 }, { 0x44, 4 }, { 0x20, 1 },
		{ 0xf0, 8 }, { 0xfc, 4 }, { 0xff, 1 },
	};
	u32 i;

	rte_w(io, 3, 0x30 | R_DEST(1));
	mmio_w(io, 0x00, 0x16);		/* pin 3, low half */
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 0;
		CHECK_EQ(mmio(io, bad[i].off, bad[i].len, true, &v), -EINVAL);
		v = 0x77;
		CHECK_EQ(mmio(io, bad[i].off, bad[i].len, false, &v),
			 -EINVAL);
		CHECK_EQ(v, 0x77);	/* not written */
	}
	/* Nothing changed: IOREGSEL and the entry it selects */
	CHECK_EQ(mmio_r(io, 0x00), 0x16);
	CHECK_EQ(rte_r(io, 3), 0x30 | R_DEST(1));

	/* Outside the window */
	v = 0;
	CHECK_EQ(x86_ioapic_mmio(io, base - 4, 4, false, &v), -ENXIO);
	CHECK_EQ(x86_ioapic_mmio(io, base - 1, 1, true, &v), -ENXIO);
	CHECK_EQ(x86_ioapic_mmio(io, base + 0x100, 4, false, &v), -ENXIO);
	CHECK_EQ(x86_ioapic_mmio(io, base + 0x1000, 4, true, &v), -ENXIO);
	CHECK_EQ(x86_ioapic_mmio(io, 0, 4, false, &v), -ENXIO);
	CHECK_EQ(x86_ioapic_mmio(io, ~0ULL, 1, false, &v), -ENXIO);
	CHECK_EQ(x86_ioapic_mmio(io, base + 0xf0, 4, false, &v), 0);
	free_ioapics();
}

TEST(rte_fields)
{
	struct x86_ioapic *io = new_ioapic(24);
	struct x86_irq want;

	/* Every writable field reads back; reserved and RO bits do not */
	rte_w(io, 5, ~0ULL);
	CHECK_EQ(rte_r(io, 5), 0xffff000000000000ULL |
		 (0x1ffff & ~(R_DELIVS | R_RIRR)));
	rte_w(io, 5, 0);
	CHECK_EQ(rte_r(io, 5), 0);
	rte_w(io, 5, R_DELIVS | R_RIRR | (1ULL << 17) | (1ULL << 47));
	CHECK_EQ(rte_r(io, 5), 0);
	rte_w(io, 5, 0xfe00000000000000ULL | (0x7fULL << 49));
	CHECK_EQ(rte_r(io, 5), 0xfe00000000000000ULL | (0x7fULL << 49));
	/* The halves are independent */
	reg_w(io, 0x10 + 2 * 5, 0x0a34);
	CHECK_EQ(rte_r(io, 5), 0xfe00000000000000ULL | (0x7fULL << 49) |
		 0x0a34);
	reg_w(io, 0x11 + 2 * 5, 0x0a000000);
	CHECK_EQ(rte_r(io, 5), 0x0a00000000000a34ULL);
	CHECK_EQ(nr_sent, 0);	/* edge, line low: nothing to send */

	/* Physical fixed edge */
	rte_w(io, 5, 0x31 | R_DEST(5));
	CHECK_EQ(line(io, 5, EDGE), 1);
	want = (struct x86_irq){ .dest = 5, .vector = 0x31,
				 .delivery_mode = X86_DM_FIXED,
				 .assert = true };
	CHECK(irq_eq(last_sent(), &want));

	/* Logical lowest-priority level, active low (polarity ignored) */
	rte_w(io, 5, 0x41 | R_DM(X86_DM_LOWEST) | R_LOGICAL | R_LOW |
	      R_LEVEL | R_DEST(0xf0));
	CHECK_EQ(line(io, 5, SET), 1);
	want = (struct x86_irq){ .dest = 0xf0, .vector = 0x41,
				 .delivery_mode = X86_DM_LOWEST,
				 .logical = true, .level = true,
				 .assert = true };
	CHECK(irq_eq(last_sent(), &want));
	CHECK_EQ(nr_sent, 2);
	CHECK_EQ(rte_r(io, 5), 0x41 | R_DM(X86_DM_LOWEST) | R_LOGICAL | R_LOW |
		 R_LEVEL | R_DEST(0xf0) | R_RIRR);
	CHECK_EQ(line(io, 5, RESET), COALESCED);
	x86_ioapic_eoi(io, 0x41);

	/* Broadcast destination passes through */
	rte_w(io, 6, 0x50 | R_DEST(0xff));
	CHECK_EQ(line(io, 6, EDGE), 1);
	CHECK_EQ(last_sent()->dest, 0xff);
	free_ioapics();
}

TEST(delivery_modes)
{
	struct x86_ioapic *io = new_ioapic(24);
	static const u32 edge_only[] = {
		X86_DM_SMI, X86_DM_NMI, X86_DM_INIT, X86_DM_EXTINT,
	};
	unsigned long n;
	u32 i;

	/* SMI, NMI, INIT, ExtINT: sent as edge even when set to level */
	for (i = 0; i < ARRAY_SIZE(edge_only); i++) {
		rte_w(io, 1, R_DM(edge_only[i]) | R_LEVEL | R_DEST(2));
		n = nr_sent;
		CHECK_EQ(line(io, 1, SET), 1);
		CHECK_EQ(nr_sent, n + 1);
		CHECK_EQ(last_sent()->delivery_mode, edge_only[i]);
		CHECK(!last_sent()->level);
		CHECK_EQ(last_sent()->dest, 2);
		CHECK(!(rte_r(io, 1) & R_RIRR));
		/* No rising edge, no message */
		CHECK_EQ(line(io, 1, SET), COALESCED);
		CHECK_EQ(nr_sent, n + 1);
		CHECK_EQ(line(io, 1, RESET), COALESCED);
	}

	/* Reserved delivery modes send nothing */
	for (i = 3; i <= 6; i += 3) {
		rte_w(io, 2, 0x40 | R_DM(i));
		n = nr_sent;
		CHECK_EQ(line(io, 2, EDGE), COALESCED);
		rte_w(io, 2, 0x40 | R_DM(i) | R_LEVEL);
		CHECK_EQ(line(io, 2, SET), COALESCED);
		CHECK_EQ(line(io, 2, RESET), COALESCED);
		CHECK_EQ(nr_sent, n);
	}
	free_ioapics();
}

TEST(edge_pin)
{
	struct x86_ioapic *io = new_ioapic(24);

	rte_w(io, 4, 0x34 | R_DEST(1));
	deliver_ret = 2;
	CHECK_EQ(line(io, 4, SET), 2);		/* rising edge */
	CHECK_EQ(nr_sent, 1);
	CHECK_EQ(line(io, 4, SET), COALESCED);	/* still high */
	CHECK_EQ(nr_sent, 1);
	CHECK_EQ(x86_ioapic_get_drivers(io, 4), BIT(USER));
	CHECK_EQ(line(io, 4, RESET), COALESCED);
	CHECK_EQ(x86_ioapic_get_drivers(io, 4), 0);
	CHECK_EQ(line(io, 4, SET), 2);
	CHECK_EQ(line(io, 4, RESET), COALESCED);
	CHECK_EQ(nr_sent, 2);

	/* VIRQ_LINE_EDGE: a pulse */
	CHECK_EQ(line(io, 4, EDGE), 2);
	CHECK_EQ(x86_ioapic_get_drivers(io, 4), 0);
	CHECK_EQ(line(io, 4, EDGE), 2);
	CHECK_EQ(nr_sent, 4);
	CHECK(!(rte_r(io, 4) & R_RIRR));

	/* No edge while another driver holds the line */
	CHECK_EQ(line_by(io, 4, SET, RESAMPLE), 2);
	CHECK_EQ(line(io, 4, EDGE), COALESCED);
	CHECK_EQ(line(io, 4, SET), COALESCED);
	CHECK_EQ(nr_sent, 5);
	CHECK_EQ(x86_ioapic_get_drivers(io, 4), BIT(USER) | BIT(RESAMPLE));
	CHECK_EQ(line_by(io, 4, RESET, RESAMPLE), COALESCED);
	CHECK_EQ(line(io, 4, RESET), COALESCED);

	/* Nobody accepted: status 0 */
	deliver_ret = 0;
	CHECK_EQ(line(io, 4, EDGE), COALESCED);
	CHECK_EQ(nr_sent, 6);

	/* An EOI of an edge vector does nothing */
	x86_ioapic_eoi(io, 0x34);
	CHECK_EQ(nr_pin_eoi, 0);
	CHECK_EQ(nr_sent, 6);
	free_ioapics();
}

TEST(edge_while_masked_is_lost)
{
	struct x86_ioapic *io = new_ioapic(24);

	rte_w(io, 7, 0x37 | R_MASK);
	CHECK_EQ(line(io, 7, EDGE), MASKED);
	CHECK_EQ(line(io, 7, SET), MASKED);
	CHECK_EQ(line(io, 7, SET), COALESCED);	/* no edge */
	rte_w(io, 7, 0x37);			/* unmask, line high */
	CHECK_EQ(nr_sent, 0);
	CHECK_EQ(line(io, 7, SET), COALESCED);
	CHECK_EQ(line(io, 7, RESET), COALESCED);
	CHECK_EQ(nr_sent, 0);
	CHECK_EQ(line(io, 7, SET), 1);
	CHECK_EQ(nr_sent, 1);
	CHECK_EQ(line(io, 7, RESET), COALESCED);
	free_ioapics();
}

TEST(level_remote_irr_eoi)
{
	struct x86_ioapic *io = new_ioapic(24);
	u64 rte = 0x45 | R_LEVEL | R_DEST(3);

	rte_w(io, 9, rte);
	rte_w(io, 10, 0x46 | R_LEVEL | R_DEST(3));
	CHECK_EQ(line(io, 9, SET), 1);
	CHECK_EQ(nr_sent, 1);
	CHECK(last_sent()->level && last_sent()->assert);
	CHECK_EQ(last_sent()->vector, 0x45);
	CHECK_EQ(rte_r(io, 9), rte | R_RIRR);

	/* Held for the EOI */
	CHECK_EQ(line(io, 9, SET), COALESCED);
	CHECK_EQ(nr_sent, 1);

	/*
	 * Other vectors leave pin 9 alone.  0x46 ends pin 10, a level entry
	 * that sent nothing: its resamplers are told all the same (KVM).
	 */
	x86_ioapic_eoi(io, 0x46);
	x86_ioapic_eoi(io, 0x44);
	CHECK_EQ(nr_pin_eoi, 1);
	CHECK_EQ(pin_eoi_pin[0], 10);
	CHECK_EQ(nr_sent, 1);
	CHECK_EQ(rte_r(io, 9), rte | R_RIRR);

	/* EOI with the line still high: resamplers told, then sent again */
	x86_ioapic_eoi(io, 0x45);
	CHECK_EQ(nr_pin_eoi, 2);
	CHECK_EQ(pin_eoi_chip[1], VIRQ_X86_IRQCHIP_IOAPIC(0));
	CHECK_EQ(pin_eoi_pin[1], 9);
	CHECK_EQ(nr_sent, 2);
	CHECK_EQ(rte_r(io, 9), rte | R_RIRR);

	/* Line low: the EOI only clears remote IRR */
	CHECK_EQ(line(io, 9, RESET), COALESCED);
	CHECK_EQ(rte_r(io, 9), rte | R_RIRR);
	x86_ioapic_eoi(io, 0x45);
	CHECK_EQ(nr_pin_eoi, 3);
	CHECK_EQ(nr_sent, 2);
	CHECK_EQ(rte_r(io, 9), rte);

	/* A second EOI ends the pin again: no remote IRR, nothing sent */
	x86_ioapic_eoi(io, 0x45);
	CHECK_EQ(nr_pin_eoi, 4);
	CHECK_EQ(pin_eoi_pin[3], 9);
	CHECK_EQ(nr_sent, 2);

	/* The EOI register (version 0x20) does the same */
	CHECK_EQ(line(io, 9, SET), 1);
	CHECK_EQ(line(io, 9, RESET), COALESCED);
	mmio_w(io, 0x40, 0xffffff45);	/* only bits 7:0 count */
	CHECK_EQ(nr_pin_eoi, 5);
	CHECK_EQ(rte_r(io, 9), rte);

	/* Two pins sharing a vector both end */
	rte_w(io, 10, 0x45 | R_LEVEL | R_DEST(3));
	CHECK_EQ(line(io, 9, SET), 1);
	CHECK_EQ(line(io, 10, SET), 1);
	nr_pin_eoi = 0;
	x86_ioapic_eoi(io, 0x45);
	CHECK_EQ(nr_pin_eoi, 2);
	CHECK_EQ(pin_eoi_pin[0], 9);
	CHECK_EQ(pin_eoi_pin[1], 10);
	CHECK_EQ(nr_sent, 7);		/* both still high: both again */
	free_ioapics();
}

TEST(level_nobody_accepts)
{
	struct x86_ioapic *io = new_ioapic(24);
	u64 rte = 0x52 | R_LEVEL | R_DEST(9);

	rte_w(io, 2, rte);
	deliver_ret = 0;
	CHECK_EQ(line(io, 2, SET), COALESCED);
	CHECK_EQ(nr_sent, 1);
	CHECK_EQ(rte_r(io, 2), rte);	/* no remote IRR: no EOI will come */

	/* Each later chance tries again: an assert, an entry write */
	CHECK_EQ(line(io, 2, SET), COALESCED);
	CHECK_EQ(nr_sent, 2);
	deliver_ret = 1;
	rte_w(io, 2, rte & ~R_DEST(0xff));
	CHECK_EQ(nr_sent, 3);		/* at the first half written */
	CHECK_EQ(rte_r(io, 2), (rte & ~R_DEST(0xff)) | R_RIRR);
	free_ioapics();
}

static void eoi_and_resend_during_delivery(void)
{
	/*
	 * While the first message is on its way (and then refused), the
	 * vector is ended and the pin sends a newer message, accepted.
	 */
	x86_ioapic_eoi(ioapics[0], 0x60);
}

TEST(level_refused_message_keeps_newer_remote_irr)
{
	struct x86_ioapic *io = new_ioapic(24);

	rte_w(io, 3, 0x60 | R_LEVEL);
	deliver_hook = eoi_and_resend_during_delivery;
	CHECK_EQ(line(io, 3, SET), COALESCED);	/* the first was refused */
	CHECK_EQ(nr_sent, 2);
	CHECK_EQ(nr_pin_eoi, 1);
	/* The newer message's remote IRR stays */
	CHECK(rte_r(io, 3) & R_RIRR);
	free_ioapics();
}

/*
 * A level message whose vector the LAPIC already has pending merges into
 * that IRR bit: nobody accepted anything new, so the pin holds no remote
 * IRR, but the guest's EOI of the vector ends it all the same.
 */
TEST(merged_level_message_ended_by_eoi)
{
	struct x86_ioapic *io = new_ioapic(24);
	u64 rte = 0x58 | R_LEVEL;

	rte_w(io, 4, rte);
	deliver_ret = 0;		/* merged */
	CHECK_EQ(line_by(io, 4, SET, RESAMPLE), COALESCED);
	CHECK_EQ(nr_sent, 1);
	CHECK_EQ(rte_r(io, 4), rte);
	deliver_ret = 1;

	/* The resampler is told, lowers its drive: nothing to send */
	pin_eoi_lowers_resample = true;
	x86_ioapic_eoi(io, 0x58);
	CHECK_EQ(nr_pin_eoi, 1);
	CHECK_EQ(pin_eoi_pin[0], 4);
	CHECK_EQ(x86_ioapic_get_drivers(io, 4), 0);
	CHECK_EQ(nr_sent, 1);

	/* A line still held high is sent again at the EOI */
	deliver_ret = 0;
	CHECK_EQ(line(io, 4, SET), COALESCED);
	CHECK_EQ(nr_sent, 2);
	deliver_ret = 1;
	x86_ioapic_eoi(io, 0x58);
	CHECK_EQ(nr_pin_eoi, 2);
	CHECK_EQ(nr_sent, 3);
	CHECK_EQ(last_sent()->vector, 0x58);
	CHECK_EQ(rte_r(io, 4), rte | R_RIRR);

	/* Masked or edge entries with the vector are not ended */
	rte_w(io, 5, 0x58);
	rte_w(io, 6, 0x58 | R_LEVEL | R_MASK);
	x86_ioapic_eoi(io, 0x58);
	CHECK_EQ(nr_pin_eoi, 4);	/* pins 4 and 6, not 5 */
	CHECK_EQ(pin_eoi_pin[2], 4);
	CHECK_EQ(pin_eoi_pin[3], 6);
	free_ioapics();
}

static u64 remap_rte;
static u32 remap_pin;

/* Another vCPU rewrites the entry while the resamplers run */
static void rewrite_entry_during_eoi(void)
{
	CHECK(rte_r(ioapics[0], remap_pin) & R_RIRR);
	rte_w(ioapics[0], remap_pin, remap_rte);
	CHECK_EQ(harness_locks_held(), 0);
}

/* ... and restores the sources (VIRQ_SET_SOURCES) */
static void set_drivers_during_eoi(void)
{
	CHECK(rte_r(ioapics[0], remap_pin) & R_RIRR);
	x86_ioapic_set_drivers(ioapics[0], remap_pin,
			       x86_ioapic_get_drivers(ioapics[0], remap_pin));
}

/* An EOI of the same vector from another vCPU, which sends again */
static void nested_eoi_during_eoi(void)
{
	x86_ioapic_eoi(ioapics[0], 0x5a);
}

/*
 * Remote IRR stays set while the resamplers run at EOI: nothing re-sends
 * the serviced device's stale level before the resampler lowers it.
 */
TEST(eoi_remote_irr_held_while_resamplers_run)
{
	struct x86_ioapic *io = new_ioapic(24);

	remap_pin = 7;
	remap_rte = 0x5a | R_LEVEL;
	rte_w(io, 7, remap_rte);
	pin_eoi_lowers_resample = true;
	CHECK_EQ(line_by(io, 7, SET, RESAMPLE), 1);
	pin_eoi_hook = rewrite_entry_during_eoi;
	x86_ioapic_eoi(io, 0x5a);
	CHECK_EQ(nr_pin_eoi, 1);
	CHECK_EQ(nr_sent, 1);		/* the stale level was not sent */
	CHECK_EQ(rte_r(io, 7), remap_rte);
	CHECK_EQ(x86_ioapic_get_drivers(io, 7), 0);

	CHECK_EQ(line_by(io, 7, SET, RESAMPLE), 1);
	pin_eoi_hook = set_drivers_during_eoi;
	x86_ioapic_eoi(io, 0x5a);
	CHECK_EQ(nr_sent, 2);
	CHECK_EQ(rte_r(io, 7), remap_rte);

	/*
	 * Two EOIs of the vector at once, the line held by the VMM: the
	 * inner one ends the message and sends a newer one, whose remote IRR
	 * the outer one leaves alone (and sends nothing more).
	 */
	pin_eoi_lowers_resample = false;
	CHECK_EQ(line(io, 7, SET), 1);
	CHECK_EQ(nr_sent, 3);
	pin_eoi_hook = nested_eoi_during_eoi;
	x86_ioapic_eoi(io, 0x5a);
	CHECK_EQ(nr_pin_eoi, 4);
	CHECK_EQ(nr_sent, 4);
	CHECK_EQ(rte_r(io, 7), remap_rte | R_RIRR);
	free_ioapics();
}

TEST(level_shared_line)
{
	struct x86_ioapic *io = new_ioapic(24);

	rte_w(io, 11, 0x71 | R_LEVEL);
	CHECK_EQ(line(io, 11, SET), 1);
	CHECK_EQ(line_by(io, 11, SET, RESAMPLE), COALESCED);
	CHECK_EQ(x86_ioapic_get_drivers(io, 11), BIT(USER) | BIT(RESAMPLE));
	/* One driver lets go: the line stays high */
	CHECK_EQ(line(io, 11, RESET), COALESCED);
	CHECK_EQ(x86_ioapic_get_drivers(io, 11), BIT(RESAMPLE));
	x86_ioapic_eoi(io, 0x71);
	CHECK_EQ(nr_sent, 2);
	/* Both let go: low */
	CHECK_EQ(line_by(io, 11, RESET, RESAMPLE), COALESCED);
	CHECK_EQ(x86_ioapic_get_drivers(io, 11), 0);
	x86_ioapic_eoi(io, 0x71);
	CHECK_EQ(nr_sent, 2);

	/* A resampler lowers its drive at EOI, before the IOAPIC looks */
	pin_eoi_lowers_resample = true;
	CHECK_EQ(line_by(io, 11, SET, RESAMPLE), 1);
	x86_ioapic_eoi(io, 0x71);
	CHECK_EQ(nr_sent, 3);		/* no spurious resend */
	CHECK_EQ(x86_ioapic_get_drivers(io, 11), 0);
	CHECK(!(rte_r(io, 11) & R_RIRR));

	/* ... but the VMM's drive still holds the line */
	CHECK_EQ(line_by(io, 11, SET, RESAMPLE), 1);
	CHECK_EQ(line(io, 11, SET), COALESCED);
	x86_ioapic_eoi(io, 0x71);
	CHECK_EQ(nr_sent, 5);
	CHECK_EQ(x86_ioapic_get_drivers(io, 11), BIT(USER));
	CHECK(rte_r(io, 11) & R_RIRR);
	free_ioapics();
}

TEST(level_pulse)
{
	struct x86_ioapic *io = new_ioapic(24);

	rte_w(io, 12, 0x72 | R_LEVEL);
	CHECK_EQ(line(io, 12, EDGE), 1);
	CHECK_EQ(x86_ioapic_get_drivers(io, 12), 0);
	CHECK(rte_r(io, 12) & R_RIRR);
	CHECK_EQ(line(io, 12, EDGE), COALESCED);	/* remote IRR */
	x86_ioapic_eoi(io, 0x72);
	CHECK_EQ(nr_pin_eoi, 1);
	CHECK_EQ(nr_sent, 1);		/* presented once */
	CHECK(!(rte_r(io, 12) & R_RIRR));
	/* A pulse while masked */
	rte_w(io, 12, 0x72 | R_LEVEL | R_MASK);
	CHECK_EQ(line(io, 12, EDGE), MASKED);
	rte_w(io, 12, 0x72 | R_LEVEL);
	CHECK_EQ(nr_sent, 1);		/* the line is low again */
	free_ioapics();
}

TEST(level_mask_unmask)
{
	struct x86_ioapic *io = new_ioapic(24);
	u64 rte = 0x73 | R_LEVEL | R_DEST(1);

	rte_w(io, 13, rte | R_MASK);
	CHECK_EQ(line(io, 13, SET), MASKED);
	CHECK_EQ(nr_sent, 0);
	/* Unmasking with the line high and no remote IRR sends */
	rte_w(io, 13, rte);
	CHECK_EQ(nr_sent, 1);
	CHECK_EQ(rte_r(io, 13), rte | R_RIRR);
	/*
	 * Masked while in service: remote IRR stays; the EOI ends it but
	 * the masked pin does not send
	 */
	rte_w(io, 13, rte | R_MASK);
	CHECK_EQ(rte_r(io, 13), rte | R_MASK | R_RIRR);
	CHECK_EQ(line(io, 13, SET), MASKED);
	x86_ioapic_eoi(io, 0x73);
	CHECK_EQ(nr_pin_eoi, 1);
	CHECK_EQ(nr_sent, 1);
	CHECK_EQ(rte_r(io, 13), rte | R_MASK);
	rte_w(io, 13, rte);
	CHECK_EQ(nr_sent, 2);
	/* Rewriting an entry in service sends nothing more */
	rte_w(io, 13, rte);
	CHECK_EQ(nr_sent, 2);
	/* Unmasking with the line low sends nothing */
	CHECK_EQ(line(io, 13, RESET), COALESCED);
	x86_ioapic_eoi(io, 0x73);
	rte_w(io, 13, rte | R_MASK);
	rte_w(io, 13, rte);
	CHECK_EQ(nr_sent, 2);
	free_ioapics();
}

TEST(edge_write_clears_remote_irr)
{
	struct x86_ioapic *io = new_ioapic(24);

	rte_w(io, 14, 0x74 | R_LEVEL);
	CHECK_EQ(line(io, 14, SET), 1);
	CHECK(rte_r(io, 14) & R_RIRR);
	/* Linux's EOI for IOAPICs without an EOI register */
	reg_w(io, 0x10 + 2 * 14, 0x74 | R_MASK);
	CHECK_EQ(rte_r(io, 14), 0x74 | R_MASK);
	x86_ioapic_eoi(io, 0x74);
	CHECK_EQ(nr_pin_eoi, 0);
	/* Back to level, unmasked, line still high: sent again */
	reg_w(io, 0x10 + 2 * 14, 0x74 | R_LEVEL);
	CHECK_EQ(nr_sent, 2);
	CHECK(rte_r(io, 14) & R_RIRR);
	free_ioapics();
}

TEST(set_irq_invalid)
{
	struct x86_ioapic *io = new_ioapic(5);
	int status = 1234;

	CHECK_EQ(x86_ioapic_set_irq(io, 5, SET, USER, &status), -EINVAL);
	CHECK_EQ(x86_ioapic_set_irq(io, ~0U, SET, USER, &status), -EINVAL);
	CHECK_EQ(x86_ioapic_set_irq(io, 0, 3, USER, &status), -EINVAL);
	CHECK_EQ(x86_ioapic_set_irq(io, 0, SET, VIRQ_NR_DRIVERS, &status),
		 -EINVAL);
	CHECK_EQ(status, 1234);
	rte_w(io, 4, 0x20);
	CHECK_EQ(x86_ioapic_set_irq(io, 4, EDGE, USER, NULL), 0);
	CHECK_EQ(nr_sent, 1);
	CHECK_EQ(x86_ioapic_get_drivers(io, 5), 0);
	x86_ioapic_set_drivers(io, 5, 1);	/* ignored */
	x86_ioapic_set_drivers(io, ~0U, 1);
	free_ioapics();
}

TEST(set_drivers_restores_lines)
{
	struct x86_ioapic *io = new_ioapic(24);

	rte_w(io, 1, 0x21);				/* edge */
	rte_w(io, 2, 0x22 | R_LEVEL);			/* level */
	rte_w(io, 3, 0x23 | R_LEVEL | R_MASK);		/* masked level */
	x86_ioapic_set_drivers(io, 1, BIT(USER));
	CHECK_EQ(nr_sent, 0);		/* restoring a line is not an edge */
	CHECK_EQ(x86_ioapic_get_drivers(io, 1), BIT(USER));
	CHECK_EQ(line(io, 1, SET), COALESCED);
	x86_ioapic_set_drivers(io, 2, 0xff);		/* unknown bits dropped */
	CHECK_EQ(x86_ioapic_get_drivers(io, 2), BIT(USER) | BIT(RESAMPLE));
	CHECK_EQ(nr_sent, 1);
	CHECK_EQ(last_sent()->vector, 0x22);
	x86_ioapic_set_drivers(io, 2, BIT(RESAMPLE));	/* in service */
	CHECK_EQ(nr_sent, 1);
	x86_ioapic_set_drivers(io, 3, BIT(RESAMPLE));
	CHECK_EQ(nr_sent, 1);
	x86_ioapic_set_drivers(io, 3, 0);
	CHECK_EQ(x86_ioapic_get_drivers(io, 3), 0);
	free_ioapics();
}

TEST(multiple_ioapics)
{
	struct x86_ioapic *a, *b, *c;
	u64 v = 0;

	reset_fakes();
	a = new_ioapic_cfg(0, 24, 0, 0, 0);
	b = new_ioapic_cfg(1, 240, 0xfec10000ULL, 1, 0);
	c = new_ioapic_cfg(2, 1, 0xfed00000ULL, 2, 0);
	CHECK_EQ(x86_ioapic_nr_pins(b), 240);
	CHECK_EQ(x86_ioapic_nr_pins(c), 1);
	CHECK_EQ(reg_r(a, 0x01), 0x00170020);
	CHECK_EQ(reg_r(b, 0x01), 0x00ef0020);
	CHECK_EQ(reg_r(c, 0x01), 0x00000020);
	CHECK_EQ(reg_r(b, 0x00), 1U << 24);
	CHECK_EQ(reg_r(c, 0x00), 2U << 24);
	/* Each decodes its own window only */
	CHECK_EQ(x86_ioapic_mmio(a, 0xfec10000ULL, 4, false, &v), -ENXIO);
	CHECK_EQ(x86_ioapic_mmio(b, 0xfec00000ULL, 4, false, &v), -ENXIO);
	CHECK_EQ(x86_ioapic_mmio(c, 0xfec10010ULL, 4, false, &v), -ENXIO);

	/* The last pin of the big one: registers 0x1ee/0x1ef */
	rte_w(b, 239, 0x80 | R_LEVEL | R_DEST(7));
	CHECK_EQ(reg_r(b, 0x1ee), 0x80 | R_LEVEL);
	CHECK_EQ(reg_r(b, 0x1ef), 7U << 24);
	CHECK_EQ(line(b, 239, SET), 1);
	CHECK_EQ(last_sent()->dest, 7);
	CHECK_EQ(x86_ioapic_set_irq(c, 1, SET, USER, NULL), -EINVAL);
	CHECK_EQ(reg_r(c, 0x12), 0);		/* no pin 1 */
	rte_w(c, 0, 0x80 | R_LEVEL);
	CHECK_EQ(line(c, 0, SET), 1);

	/* An EOI reaches only the IOAPIC it is given to */
	rte_w(a, 0, 0x80 | R_LEVEL);
	CHECK_EQ(line(a, 0, SET), 1);
	x86_ioapic_eoi(b, 0x80);
	CHECK_EQ(nr_pin_eoi, 1);
	CHECK_EQ(pin_eoi_chip[0], VIRQ_X86_IRQCHIP_IOAPIC(1));
	CHECK_EQ(pin_eoi_pin[0], 239);
	CHECK(rte_r(a, 0) & R_RIRR);
	CHECK(rte_r(c, 0) & R_RIRR);
	x86_ioapic_eoi(c, 0x80);
	CHECK_EQ(pin_eoi_chip[1], VIRQ_X86_IRQCHIP_IOAPIC(2));
	CHECK_EQ(pin_eoi_pin[1], 0);
	CHECK(rte_r(a, 0) & R_RIRR);
	free_ioapics();
}

TEST(ioregsel_width)
{
	struct virq_x86_ioapic_state *st = calloc(1, sizeof(*st));
	struct x86_ioapic *a, *b;

	CHECK_FATAL(st);
	reset_fakes();
	a = new_ioapic_cfg(0, 120, 0, 0, 0);
	b = new_ioapic_cfg(1, 121, 0, 0, 0);
	/* 120 entries: the 82093AA's 8-bit IOREGSEL reaches them all */
	mmio_w(a, 0x00, 0x1ff);
	CHECK_EQ(mmio_r(a, 0x00), 0xff);
	rte_w(a, 119, 0x22);
	CHECK_EQ(reg_r(a, 0xfe), 0x22);
	/* Beyond: 9 bits, entry n stays at 0x10 + 2n */
	mmio_w(b, 0x00, 0xffff);
	CHECK_EQ(mmio_r(b, 0x00), 0x1ff);
	rte_w(b, 120, 0x23);
	CHECK_EQ(reg_r(b, 0x100), 0x23);
	CHECK_EQ(reg_r(b, 0x00), 0);	/* no aliasing onto IOAPICID */
	CHECK_EQ(rte_r(b, 0), R_MASK);
	CHECK_EQ(reg_r(b, 0x102), 0);	/* no pin 121 */
	mmio_w(b, 0x00, 0x1f0);
	x86_ioapic_get_state(b, st);
	CHECK_EQ(st->kvm.ioregsel, 0x1f0);
	CHECK_EQ(x86_ioapic_set_state(b, st), 0);
	st->kvm.ioregsel = 0x200;
	CHECK_EQ(x86_ioapic_set_state(b, st), -EINVAL);
	x86_ioapic_get_state(a, st);
	st->kvm.ioregsel = 0x100;
	CHECK_EQ(x86_ioapic_set_state(a, st), -EINVAL);
	free_ioapics();
	free(st);
}

TEST(eoi_storm_is_deferred)
{
	struct x86_ioapic *io = new_ioapic(24);
	u32 i;

	CHECK_EQ(harness_work_queued(), 0);
	rte_w(io, 8, 0x90 | R_LEVEL);
	CHECK_EQ(line(io, 8, SET), 1);
	for (i = 0; i < 9999; i++)
		x86_ioapic_eoi(io, 0x90);
	CHECK_EQ(nr_sent, 10000);
	CHECK_EQ(harness_work_queued(), 0);
	/* The 10000th successive resend waits */
	x86_ioapic_eoi(io, 0x90);
	CHECK_EQ(nr_sent, 10000);
	CHECK_EQ(nr_pin_eoi, 10000);
	CHECK_EQ(harness_work_queued(), 1);
	CHECK(!(rte_r(io, 8) & R_RIRR));
	/* Spurious EOIs meanwhile reach the resamplers but send nothing */
	x86_ioapic_eoi(io, 0x90);
	CHECK_EQ(nr_sent, 10000);
	CHECK_EQ(nr_pin_eoi, 10001);
	/* The delayed work sends it */
	CHECK_EQ(harness_run_work(), 1);
	CHECK_EQ(nr_sent, 10001);
	CHECK(rte_r(io, 8) & R_RIRR);
	/* ... and the count starts over */
	for (i = 0; i < 9999; i++)
		x86_ioapic_eoi(io, 0x90);
	CHECK_EQ(nr_sent, 20000);
	CHECK_EQ(harness_work_queued(), 0);
	x86_ioapic_eoi(io, 0x90);
	CHECK_EQ(nr_sent, 20000);
	CHECK_EQ(harness_work_queued(), 1);

	/*
	 * The pin is masked before the work runs: nothing sent.  (Writing
	 * the unmasked high half first would send: any write of the entry
	 * re-evaluates a high line.)
	 */
	reg_w(io, 0x10 + 2 * 8, 0x90 | R_LEVEL | R_MASK);
	CHECK_EQ(nr_sent, 20000);
	CHECK_EQ(harness_run_work(), 1);
	CHECK_EQ(nr_sent, 20000);
	rte_w(io, 8, 0x90 | R_LEVEL);
	CHECK_EQ(nr_sent, 20001);

	/* Destroy cancels a pending deferral */
	for (i = 0; i < 10000; i++)
		x86_ioapic_eoi(io, 0x90);
	CHECK_EQ(harness_work_queued(), 1);
	free_ioapics();
	CHECK_EQ(harness_work_queued(), 0);
}

TEST(eoi_storm_sane_guest_not_deferred)
{
	struct x86_ioapic *io = new_ioapic(24);
	u32 i, round;

	rte_w(io, 8, 0x91 | R_LEVEL);
	rte_w(io, 9, 0x92 | R_LEVEL);
	CHECK_EQ(line(io, 8, SET), 1);
	CHECK_EQ(line(io, 9, SET), 1);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 9000; i++)
			x86_ioapic_eoi(io, 0x91);
		/* The line drops once: the device was serviced */
		CHECK_EQ(line(io, 8, RESET), COALESCED);
		x86_ioapic_eoi(io, 0x91);
		CHECK_EQ(line(io, 8, SET), 1);
	}
	CHECK_EQ(nr_sent, 2 + 3 * 9001);
	/* Rewriting the entry counts as activity too */
	for (i = 0; i < 9999; i++)
		x86_ioapic_eoi(io, 0x92);
	rte_w(io, 9, 0x92 | R_LEVEL);
	for (i = 0; i < 9999; i++)
		x86_ioapic_eoi(io, 0x92);
	CHECK_EQ(nr_sent, 2 + 3 * 9001 + 2 * 9999);
	CHECK_EQ(harness_work_queued(), 0);
	free_ioapics();
}

TEST(remapped_entries)
{
	struct x86_ioapic *io;
	struct x86_irq want;
	u64 rte;

	reset_fakes();
	io = new_ioapic_cfg(0, 24, 0, 0, 0x00f8);
	chip.ir = (struct x86_ir *)&chip;	/* never dereferenced here */
	tr_irq = (struct x86_irq){ .dest = 0x12345, .vector = 0xa7,
				   .delivery_mode = X86_DM_LOWEST,
				   .logical = true, .level = true,
				   .redir_hint = true, .x2apic_dest = true };
	/* Index 0x8123: bits 63:49 = 0x0123, bit 11 = index bit 15 */
	rte = 0xa7 | R_REMAP | (0x0123ULL << 49) | R_LOGICAL | R_LEVEL;
	rte_w(io, 6, rte);
	CHECK_EQ(rte_r(io, 6), rte);
	CHECK_EQ(line(io, 6, SET), 1);
	CHECK_EQ(nr_translate, 1);
	CHECK_EQ(tr_index, 0x8123);
	CHECK_EQ(tr_sid, 0x00f8);
	CHECK(tr_check_sid);
	want = tr_irq;
	want.assert = true;
	CHECK(irq_eq(last_sent(), &want));
	CHECK(rte_r(io, 6) & R_RIRR);
	/* EOI matches RTE bits 7:0 */
	x86_ioapic_eoi(io, 0xa7);
	CHECK_EQ(nr_pin_eoi, 1);
	CHECK_EQ(nr_sent, 2);
	CHECK_EQ(nr_translate, 2);
	CHECK_EQ(line(io, 6, RESET), COALESCED);
	x86_ioapic_eoi(io, 0xa7);

	/* Index bits 14:0 alone */
	rte_w(io, 7, 0x31 | R_REMAP | (0x7fffULL << 49));
	CHECK_EQ(line(io, 7, EDGE), 1);
	CHECK_EQ(tr_index, 0x7fff);

	/*
	 * A remapping fault drops it (status masked, as for an MSI); no
	 * remote IRR is left behind
	 */
	tr_ret = -EFAULT;
	CHECK_EQ(line(io, 6, SET), MASKED);
	CHECK_EQ(nr_translate, 4);
	CHECK_EQ(nr_sent, 3);
	CHECK(!(rte_r(io, 6) & R_RIRR));
	CHECK_EQ(line(io, 6, RESET), COALESCED);
	CHECK_EQ(line(io, 7, EDGE), MASKED);
	CHECK_EQ(nr_sent, 3);

	/* No remapping: a remappable entry sends nothing */
	tr_ret = 0;
	chip.ir = NULL;
	CHECK_EQ(line(io, 6, SET), COALESCED);
	CHECK_EQ(line(io, 7, EDGE), COALESCED);
	CHECK_EQ(nr_translate, 5);
	CHECK_EQ(nr_sent, 3);
	CHECK(!(rte_r(io, 6) & R_RIRR));
	/* Masking still wins */
	rte_w(io, 7, 0x31 | R_REMAP | R_MASK);
	CHECK_EQ(line(io, 7, EDGE), MASKED);
	free_ioapics();
}

/*
 * A remappable level entry keeps remote IRR only for a message that an
 * EOI of the entry's vector will end: level, fixed or lowest priority,
 * with the entry's bits 7:0 as vector.
 */
TEST(remapped_level_remote_irr_needs_matching_irte)
{
	static const struct {
		u8 dm;
		u8 vector;
		bool level;
		bool rirr;
	} c[] = {
		{ X86_DM_FIXED,  0xa7, true,  true },
		{ X86_DM_LOWEST, 0xa7, true,  true },
		{ X86_DM_FIXED,  0xa7, false, false },	/* edge IRTE */
		{ X86_DM_FIXED,  0xa8, true,  false },	/* another vector */
		{ X86_DM_NMI,    0xa7, true,  false },
		{ X86_DM_SMI,    0xa7, true,  false },
		{ X86_DM_INIT,   0xa7, true,  false },
		{ X86_DM_EXTINT, 0xa7, true,  false },
	};
	struct x86_ioapic *io;
	u64 rte = 0xa7 | R_REMAP | (0x12ULL << 49) | R_LEVEL;
	u32 i;

	reset_fakes();
	io = new_ioapic_cfg(0, 24, 0, 0, 0);
	chip.ir = (struct x86_ir *)&chip;	/* never dereferenced here */
	rte_w(io, 3, rte);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		tr_irq = (struct x86_irq){ .dest = 1, .vector = c[i].vector,
					   .delivery_mode = c[i].dm,
					   .level = c[i].level,
					   .x2apic_dest = true };
		CHECK_EQ(line(io, 3, SET), 1);
		CHECK_EQ(nr_sent, i + 1);
		CHECK_EQ(last_sent()->delivery_mode, c[i].dm);
		CHECK_EQ(!!(rte_r(io, 3) & R_RIRR), c[i].rirr);
		/* No remote IRR: the next event on the high line sends */
		if (!c[i].rirr)
			CHECK_EQ(line(io, 3, SET), 1);
		else
			CHECK_EQ(line(io, 3, SET), COALESCED);
		nr_sent = i + 1;
		CHECK_EQ(line(io, 3, RESET), COALESCED);
		x86_ioapic_eoi(io, 0xa7);
		CHECK(!(rte_r(io, 3) & R_RIRR));
	}
	free_ioapics();
}

/* A 40-pin IOAPIC with something on pins below and above 24 */
static void program_sample(struct x86_ioapic *io)
{
	mmio_w(io, 0x00, 0x00);
	mmio_w(io, 0x10, 0x09000000);			/* id 9 */
	rte_w(io, 0, 0x30 | R_DEST(1));			/* edge, high */
	rte_w(io, 1, 0x31 | R_LEVEL | R_DEST(1));	/* in service */
	rte_w(io, 2, 0x32 | R_LEVEL | R_MASK);		/* masked, high */
	rte_w(io, 23, 0x33 | R_LEVEL | R_LOW);		/* low, in service */
	rte_w(io, 24, 0x34 | R_LEVEL | R_LOGICAL | R_DEST(0x0f));
	rte_w(io, 39, 0x35 | R_DM(X86_DM_NMI));
	CHECK_EQ(line(io, 0, SET), 1);
	CHECK_EQ(line(io, 1, SET), 1);
	CHECK_EQ(line_by(io, 2, SET, RESAMPLE), MASKED);
	CHECK_EQ(line(io, 23, EDGE), 1);
	deliver_ret = 0;				/* nobody takes pin 24 */
	CHECK_EQ(line(io, 24, SET), COALESCED);
	deliver_ret = 1;
	CHECK_EQ(line(io, 39, SET), 1);
	mmio_w(io, 0x00, 0x5b);
}

TEST(state_round_trip)
{
	struct virq_x86_ioapic_state *st = calloc(1, sizeof(*st));
	struct virq_x86_ioapic_state *st2 = calloc(1, sizeof(*st2));
	struct x86_ioapic *io, *io2;
	unsigned long n;

	CHECK_FATAL(st && st2);
	reset_fakes();
	io = new_ioapic_cfg(0, 40, 0, 0, 0);
	program_sample(io);
	memset(st, 0xcc, sizeof(*st));
	x86_ioapic_get_state(io, st);
	CHECK_EQ(st->version, VIRQ_X86_STATE_VERSION);
	CHECK_EQ(st->nr_pins, 40);
	CHECK_EQ(st->kvm.base_address, 0xfec00000ULL);
	CHECK_EQ(st->kvm.ioregsel, 0x5b);
	CHECK_EQ(st->kvm.id, 9);
	CHECK_EQ(st->kvm.pad, 0);
	/* irr: level pins with the line high */
	CHECK_EQ(st->kvm.irr, BIT(1) | BIT(2));
	CHECK_EQ(st->irr_ext[0], 1);			/* pin 24 */
	CHECK_EQ(st->irr_ext[1] | st->irr_ext[2] | st->irr_ext[3], 0);
	CHECK_EQ(st->level[0], BIT_ULL(0) | BIT_ULL(1) | BIT_ULL(2) |
		 BIT_ULL(24) | BIT_ULL(39));
	CHECK_EQ(st->level[1] | st->level[2] | st->level[3], 0);
	CHECK_EQ(st->kvm.redirtbl[0], 0x30 | R_DEST(1));
	CHECK_EQ(st->kvm.redirtbl[1], 0x31 | R_LEVEL | R_DEST(1) | R_RIRR);
	CHECK_EQ(st->kvm.redirtbl[2], 0x32 | R_LEVEL | R_MASK);
	CHECK_EQ(st->kvm.redirtbl[3], R_MASK);
	CHECK_EQ(st->kvm.redirtbl[23], 0x33 | R_LEVEL | R_LOW | R_RIRR);
	CHECK_EQ(st->redirtbl_ext[0], 0x34 | R_LEVEL | R_LOGICAL | R_DEST(0x0f));
	CHECK_EQ(st->redirtbl_ext[15], 0x35 | R_DM(X86_DM_NMI));
	CHECK_EQ(st->redirtbl_ext[14], R_MASK);
	CHECK_EQ(st->redirtbl_ext[16], 0);		/* beyond nr_pins */
	CHECK_EQ(st->redirtbl_ext[215], 0);

	/* Restore into a fresh IOAPIC of the same configuration */
	io2 = x86_ioapic_create(&chip, 0, &(struct virq_x86_ioapic_config){
					.nr_pins = 40 });
	CHECK_FATAL(io2);
	n = nr_sent;
	CHECK_EQ(x86_ioapic_set_state(io2, st), 0);
	/* Only pin 24 (high, unmasked, no remote IRR) is sent */
	CHECK_EQ(nr_sent, n + 1);
	CHECK_EQ(last_sent()->vector, 0x34);
	CHECK(last_sent()->logical && last_sent()->level);
	x86_ioapic_get_state(io2, st2);
	st->redirtbl_ext[0] |= R_RIRR;			/* it was accepted */
	CHECK(!memcmp(st, st2, sizeof(*st)));
	/* The restored lines belong to the VMM's drive */
	CHECK_EQ(x86_ioapic_get_drivers(io2, 2), BIT(USER));
	CHECK_EQ(x86_ioapic_get_drivers(io2, 3), 0);

	/* ... and it behaves the same from there on */
	x86_ioapic_eoi(io, 0x31);
	x86_ioapic_eoi(io2, 0x31);
	CHECK_EQ(nr_sent, n + 3);
	CHECK(irq_eq(&sent[(n + 1) % LOG], &sent[(n + 2) % LOG]));
	CHECK_EQ(line(io, 0, SET), COALESCED);
	CHECK_EQ(line(io2, 0, SET), COALESCED);
	CHECK_EQ(line(io, 0, RESET), COALESCED);
	CHECK_EQ(line(io2, 0, RESET), COALESCED);
	CHECK_EQ(line(io, 0, SET), 1);
	CHECK_EQ(line(io2, 0, SET), 1);
	CHECK_EQ(nr_sent, n + 5);

	/* Restoring drivers after the state: exact drivers, no resend */
	x86_ioapic_set_drivers(io2, 2, BIT(RESAMPLE));
	CHECK_EQ(x86_ioapic_get_drivers(io2, 2), BIT(RESAMPLE));
	CHECK_EQ(nr_sent, n + 5);
	/* Drivers before the state: kept where the state says high */
	x86_ioapic_set_drivers(io2, 1, BIT(RESAMPLE));
	x86_ioapic_get_state(io, st);
	CHECK_EQ(x86_ioapic_set_state(io2, st), 0);
	CHECK_EQ(x86_ioapic_get_drivers(io2, 1), BIT(RESAMPLE));
	CHECK_EQ(x86_ioapic_get_drivers(io2, 2), BIT(RESAMPLE));

	x86_ioapic_destroy(io2);
	free_ioapics();
	free(st);
	free(st2);
}

TEST(state_reset_and_kvm_layout)
{
	struct virq_x86_ioapic_state *st = calloc(1, sizeof(*st));
	struct x86_ioapic *io = new_ioapic(24);
	u32 i;

	CHECK_FATAL(st);
	/* struct kvm_ioapic_state: 8 + 4 * 4 + 24 * 8 bytes */
	CHECK_EQ(sizeof(st->kvm), 216);
	x86_ioapic_get_state(io, st);
	for (i = 0; i < 24; i++)
		CHECK_EQ(st->kvm.redirtbl[i], R_MASK);
	CHECK_EQ(st->kvm.irr, 0);
	CHECK_EQ(st->kvm.ioregsel, 0);
	/* A KVM-shaped state: the level pin that is high gets sent */
	st->kvm.redirtbl[16] = 0x61 | R_LEVEL | R_DEST(2);
	st->kvm.irr = BIT(16);
	st->level[0] = BIT_ULL(16);
	CHECK_EQ(x86_ioapic_set_state(io, st), 0);
	CHECK_EQ(nr_sent, 1);
	CHECK_EQ(last_sent()->vector, 0x61);
	CHECK(rte_r(io, 16) & R_RIRR);
	free_ioapics();
	free(st);
}

static void reject(struct x86_ioapic *io,
		   const struct virq_x86_ioapic_state *good,
		   struct virq_x86_ioapic_state *bad,
		   struct virq_x86_ioapic_state *after, int line_no)
{
	unsigned long n = nr_sent;

	int ret = x86_ioapic_set_state(io, bad);

	if (ret != -EINVAL) {
		printf("# set_state returned %d (line %d)\n", ret, line_no);
		CHECK(0);
	}
	x86_ioapic_get_state(io, after);
	if (memcmp(good, after, sizeof(*good))) {
		printf("# state changed by a rejected set (line %d)\n",
		       line_no);
		CHECK(0);
	}
	CHECK_EQ(nr_sent, n);
	memcpy(bad, good, sizeof(*good));
}

#define REJECT(stmt) do { stmt; reject(io, good, bad, after, __LINE__); \
} while (0)

TEST(set_state_rejects)
{
	struct virq_x86_ioapic_state *good = calloc(1, sizeof(*good));
	struct virq_x86_ioapic_state *bad = calloc(1, sizeof(*bad));
	struct virq_x86_ioapic_state *after = calloc(1, sizeof(*after));
	struct x86_ioapic *io;

	CHECK_FATAL(good && bad && after);
	reset_fakes();
	io = new_ioapic_cfg(0, 20, 0, 0, 0);
	rte_w(io, 3, 0x40 | R_LEVEL);
	CHECK_EQ(line(io, 3, SET), 1);
	x86_ioapic_get_state(io, good);
	memcpy(bad, good, sizeof(*good));
	CHECK_EQ(x86_ioapic_set_state(io, bad), 0);	/* the control */
	x86_ioapic_get_state(io, after);
	CHECK(!memcmp(good, after, sizeof(*good)));

	REJECT(bad->version = 0);
	REJECT(bad->version = 2);
	REJECT(bad->nr_pins = 24);
	REJECT(bad->nr_pins = 19);
	REJECT(bad->kvm.base_address = 0xfec01000ULL);
	REJECT(bad->kvm.ioregsel = 0x100);
	REJECT(bad->kvm.id = 16);
	REJECT(bad->kvm.pad = 1);
	REJECT(bad->kvm.irr |= BIT(24));
	REJECT(bad->kvm.irr |= BIT(31));
	REJECT(bad->kvm.redirtbl[0] |= 1ULL << 17);
	REJECT(bad->kvm.redirtbl[0] |= 1ULL << 47);
	REJECT(bad->kvm.redirtbl[19] |= R_DELIVS);
	REJECT(bad->kvm.redirtbl[5] = 0x40 | R_RIRR);	/* edge */
	REJECT(bad->kvm.redirtbl[5] = 0x40 | R_RIRR | R_LEVEL |
	       R_DM(X86_DM_NMI));			/* NMI is edge */
	REJECT(bad->kvm.redirtbl[20] = R_MASK);		/* beyond 20 pins */
	REJECT(bad->kvm.redirtbl[23] = 1);
	REJECT(bad->redirtbl_ext[0] = R_MASK);
	REJECT(bad->redirtbl_ext[215] = 1);
	REJECT(bad->kvm.irr |= BIT(20));
	REJECT(bad->irr_ext[0] = 1);
	REJECT(bad->irr_ext[3] = 1ULL << 63);
	REJECT(bad->level[0] |= BIT_ULL(20));
	REJECT(bad->level[3] = 1ULL << 63);
	REJECT(bad->level[3] = 1ULL << 47);		/* pin 239 */
	REJECT(bad->level[0] &= ~BIT_ULL(3));		/* irr on a low line */
	REJECT(bad->kvm.irr |= BIT(4));

	/* Accepted: irr on a high edge line (a KVM state may have it) */
	bad->kvm.irr |= BIT(4);
	bad->level[0] |= BIT_ULL(4);
	CHECK_EQ(x86_ioapic_set_state(io, bad), 0);
	CHECK_EQ(x86_ioapic_get_drivers(io, 4), BIT(USER));
	x86_ioapic_get_state(io, after);
	CHECK(!(after->kvm.irr & BIT(4)));
	free_ioapics();
	free(good);
	free(bad);
	free(after);
}

TEST(restore_cancels_storm_state)
{
	struct virq_x86_ioapic_state *st = calloc(1, sizeof(*st));
	struct x86_ioapic *io = new_ioapic(24);
	u32 i;

	CHECK_FATAL(st);
	rte_w(io, 8, 0x90 | R_LEVEL);
	CHECK_EQ(line(io, 8, SET), 1);
	for (i = 0; i < 10000; i++)
		x86_ioapic_eoi(io, 0x90);
	CHECK_EQ(nr_sent, 10000);
	CHECK_EQ(harness_work_queued(), 1);
	/* The restored pin is sent at once; the work finds nothing */
	x86_ioapic_get_state(io, st);
	CHECK_EQ(x86_ioapic_set_state(io, st), 0);
	CHECK_EQ(nr_sent, 10001);
	CHECK_EQ(harness_run_work(), 1);
	CHECK_EQ(nr_sent, 10001);
	free_ioapics();
	free(st);
}

/* Whether @buf has the line "  pin <pin>: <a> <b>" */
static bool has_pin_line(const char *buf, const char *pin, const char *a,
			 const char *b)
{
	char want[256];

	snprintf(want, sizeof(want), "\n  pin %s: %s %s\n", pin, a, b);
	return strstr(buf, want);
}

static unsigned int count_lines(const char *s)
{
	unsigned int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

TEST(show)
{
	struct x86_ioapic *io = new_ioapic(24);
	struct seq_file m;

	chip.ir = (struct x86_ir *)&chip;
	rte_w(io, 1, 0x31 | R_LEVEL | R_DEST(2));
	rte_w(io, 5, 0x45 | R_REMAP | (0x10ULL << 49) | R_MASK);
	CHECK_EQ(line(io, 1, SET), 1);
	CHECK_EQ(line_by(io, 7, SET, RESAMPLE), MASKED);
	harness_seq_init(&m, 4096);
	x86_ioapic_show(io, &m);
	CHECK_EQ(count_lines(m.buf), 4);
	CHECK(strstr(m.buf, "ioapic 0: base 0xfec00000 id 0 pins 24"));
	CHECK(has_pin_line(m.buf, "  1", "vec 0x31 fixed physical dest 0x02",
			   "level high remote-irr line high user"));
	CHECK(has_pin_line(m.buf, "  5", "vec 0x45 remap index 16",
			   "edge high masked line low"));
	CHECK(has_pin_line(m.buf, "  7", "vec 0x00 fixed physical dest 0x00",
			   "edge high masked line high resample"));
	CHECK(!strstr(m.buf, "pin   0:"));
	harness_seq_fini(&m);
	free_ioapics();
}

static const struct tap_test tests[] = {
	T(create_defaults),
	T(direct_and_indirect_registers),
	T(mmio_bad_widths),
	T(rte_fields),
	T(delivery_modes),
	T(edge_pin),
	T(edge_while_masked_is_lost),
	T(level_remote_irr_eoi),
	T(level_nobody_accepts),
	T(level_refused_message_keeps_newer_remote_irr),
	T(merged_level_message_ended_by_eoi),
	T(eoi_remote_irr_held_while_resamplers_run),
	T(level_shared_line),
	T(level_pulse),
	T(level_mask_unmask),
	T(edge_write_clears_remote_irr),
	T(set_irq_invalid),
	T(set_drivers_restores_lines),
	T(multiple_ioapics),
	T(ioregsel_width),
	T(eoi_storm_is_deferred),
	T(eoi_storm_sane_guest_not_deferred),
	T(remapped_entries),
	T(remapped_level_remote_irr_needs_matching_irte),
	T(state_round_trip),
	T(state_reset_and_kvm_layout),
	T(set_state_rejects),
	T(restore_cancels_storm_state),
	T(show),
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
