// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of x86 MSI decoding and interrupt remapping (virq/x86/msi.c),
 * alone, on a struct x86_chip filled in by hand: every field of the
 * compatibility format (extended destination ids, multi-message vectors),
 * the remappable format through the IRTE table with each source-id
 * validation type, every fault with its record and eventfd signals, FPD,
 * bulk entry access with each validation errno, and a reader thread that
 * must never see half of an entry being rewritten.
 */
#include <pthread.h>
#include <stdlib.h>

#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kernel.h>

#include "tap.h"
#include "../core_stubs.h"
#include "../../virq/x86/msi.h"

#define LO_P		VIRQ_X86_IRTE_PRESENT
#define LO_FPD		VIRQ_X86_IRTE_FPD
#define LO_LOGICAL	VIRQ_X86_IRTE_DEST_LOGICAL
#define LO_RH		VIRQ_X86_IRTE_REDIR_HINT
#define LO_LEVEL	VIRQ_X86_IRTE_LEVEL

static struct x86_chip chip;

/* A chip with a remapping table of @nr_irtes (0: none) */
static struct x86_ir *ir_setup(u32 nr_irtes)
{
	memset(&chip, 0, sizeof(chip));
	chip.ir = x86_ir_create(nr_irtes);
	CHECK_FATAL(!IS_ERR(chip.ir));
	CHECK_FATAL(!nr_irtes || chip.ir);
	return chip.ir;
}

static void ir_teardown(void)
{
	x86_ir_destroy(chip.ir);
	chip.ir = NULL;
}

/* A poisoned x86_irq: fields a decode must set, or must leave alone */
static struct x86_irq poisoned(void)
{
	struct x86_irq irq;

	memset(&irq, 0xa5, sizeof(irq));
	return irq;
}

static bool untouched(const struct x86_irq *irq)
{
	struct x86_irq p = poisoned();

	return !memcmp(irq, &p, sizeof(p));
}

static int decode(u64 address, u32 data, struct x86_irq *irq)
{
	struct virq_msi_msg msg = { .address = address, .data = data };

	*irq = poisoned();
	return x86_msi_decode(&chip, &msg, irq);
}

static int decode_rid(u64 address, u32 data, u32 rid, struct x86_irq *irq)
{
	struct virq_msi_msg msg = {
		.address = address, .data = data,
		.devid = rid, .has_devid = true,
	};

	*irq = poisoned();
	return x86_msi_decode(&chip, &msg, irq);
}

#define CHECK_IRQ(irq, _dest, _vec, _dm, _log, _lvl, _asrt, _rh, _x2)	\
	do {								\
		const struct x86_irq *__i = &(irq);			\
		CHECK_EQ(__i->dest, (_dest));				\
		CHECK_EQ(__i->vector, (_vec));				\
		CHECK_EQ(__i->delivery_mode, (_dm));			\
		CHECK_EQ(__i->shorthand, X86_SH_NONE);			\
		CHECK_EQ(__i->logical, (_log));				\
		CHECK_EQ(__i->level, (_lvl));				\
		CHECK_EQ(__i->assert, (_asrt));				\
		CHECK_EQ(__i->redir_hint, (_rh));			\
		CHECK_EQ(__i->x2apic_dest, (_x2));			\
	} while (0)

/* Remappable-format address for interrupt @handle (16 bits) */
static u64 remap_addr(u32 handle, bool shv)
{
	return 0xfee00000ULL | (handle & 0x7fff) << 5 | 1 << 4 |
	       (shv ? 1 << 3 : 0) | ((handle >> 15) & 1) << 2;
}

static struct virq_x86_irte irte(u32 dest, u8 vector, u32 dlm, u64 flags)
{
	struct virq_x86_irte e = {
		.lo = LO_P | flags | (u64)dlm << VIRQ_X86_IRTE_DLM_SHIFT |
		      (u64)vector << VIRQ_X86_IRTE_VECTOR_SHIFT |
		      (u64)dest << VIRQ_X86_IRTE_DEST_SHIFT,
	};

	return e;
}

static struct virq_x86_irte with_sid(struct virq_x86_irte e, u32 svt,
				     u32 sq, u16 sid)
{
	e.hi = (u64)svt << VIRQ_X86_IRTE_SVT_SHIFT |
	       (u64)sq << VIRQ_X86_IRTE_SQ_SHIFT | sid;
	return e;
}

static void set_irte(u32 index, struct virq_x86_irte e)
{
	CHECK_EQ(x86_ir_set_entries(chip.ir, index, 1, &e), 0);
}

static struct virq_x86_ir_fault fault(void)
{
	struct virq_x86_ir_fault f;

	memset(&f, 0xcc, sizeof(f));
	x86_ir_get_fault(chip.ir, &f);
	return f;
}

#define CHECK_FAULT(_count, _reason, _index, _sid)			\
	do {								\
		struct virq_x86_ir_fault __f = fault();			\
		CHECK_EQ(__f.count, (_count));				\
		CHECK_EQ(__f.reason, (_reason));			\
		CHECK_EQ(__f.index, (_index));				\
		CHECK_EQ(__f.source_id, (_sid));			\
		CHECK(!__f.padding[0] && !__f.padding[1] &&		\
		      !__f.padding[2]);					\
	} while (0)

static unsigned long signals(void)
{
	return harness_notifier_count(rcu_dereference_raw(chip.ir->notifier));
}

/* --- the table's life ----------------------------------------------------- */

TEST(ir_create_destroy)
{
	static const u32 bad[] = { 3, 6, 100, VIRQ_X86_MAX_IRTES * 2,
				   0x80000000, ~0U };
	struct x86_ir *ir;
	u32 i;

	CHECK(!x86_ir_create(0));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(PTR_ERR(x86_ir_create(bad[i])), -EINVAL);
	harness_fail_alloc_nth(1);
	CHECK_EQ(PTR_ERR(x86_ir_create(16)), -ENOMEM);

	ir = x86_ir_create(1);
	CHECK_FATAL(!IS_ERR_OR_NULL(ir));
	CHECK_EQ(ir->nr_irtes, 1);
	x86_ir_destroy(ir);
	ir = x86_ir_create(VIRQ_X86_MAX_IRTES);
	CHECK_FATAL(!IS_ERR_OR_NULL(ir));
	CHECK_EQ(ir->nr_irtes, VIRQ_X86_MAX_IRTES);
	CHECK(!ir->irte[VIRQ_X86_MAX_IRTES - 1].lo);
	x86_ir_destroy(ir);
	x86_ir_destroy(NULL);
}

/* --- compatibility format --------------------------------------------------- */

TEST(compat_fields)
{
	static const u32 good_dm[] = { X86_DM_FIXED, X86_DM_LOWEST, X86_DM_SMI,
				       X86_DM_NMI, X86_DM_INIT, X86_DM_EXTINT };
	struct x86_irq irq;
	u32 i;

	ir_setup(0);
	/* Physical, fixed, edge */
	CHECK_EQ(decode(0xfee12000, 0x0031, &irq), 0);
	CHECK_IRQ(irq, 0x12, 0x31, X86_DM_FIXED, false, false, true, false,
		  false);
	/* Logical (bit 2) with redirection hint (bit 3) */
	CHECK_EQ(decode(0xfee0300c, 0x01fe, &irq), 0);
	CHECK_IRQ(irq, 0x03, 0xfe, X86_DM_LOWEST, true, false, true, true,
		  false);
	/* Hint without logical is passed on as it is */
	CHECK_EQ(decode(0xfee03008, 0x0020, &irq), 0);
	CHECK_IRQ(irq, 0x03, 0x20, X86_DM_FIXED, false, false, true, true,
		  false);
	/* Delivery modes */
	for (i = 0; i < ARRAY_SIZE(good_dm); i++) {
		CHECK_EQ(decode(0xfee00000, good_dm[i] << 8 | 0x10, &irq), 0);
		CHECK_EQ(irq.delivery_mode, good_dm[i]);
		CHECK_EQ(irq.vector, 0x10);
	}
	CHECK_EQ(decode(0xfee00000, 3 << 8 | 0x10, &irq), -EINVAL);
	CHECK(untouched(&irq));
	CHECK_EQ(decode(0xfee00000, 6 << 8 | 0x10, &irq), -EINVAL);
	CHECK(untouched(&irq));
	/* Trigger (bit 15) and level (bit 14) */
	CHECK_EQ(decode(0xfee01000, 0xc041, &irq), 0);
	CHECK_IRQ(irq, 1, 0x41, X86_DM_FIXED, false, true, true, false, false);
	CHECK_EQ(decode(0xfee01000, 0x8041, &irq), 0);	/* level deassert */
	CHECK_IRQ(irq, 1, 0x41, X86_DM_FIXED, false, true, false, false,
		  false);
	CHECK_EQ(decode(0xfee01000, 0x0041, &irq), 0);	/* edge: assert */
	CHECK(irq.assert && !irq.level);
	CHECK_EQ(decode(0xfee01000, 0x4041, &irq), 0);
	CHECK(irq.assert && !irq.level);
	CHECK_EQ(decode(0xfee01000, 0x8541, &irq), 0);	/* INIT de-assert */
	CHECK_IRQ(irq, 1, 0x41, X86_DM_INIT, false, true, false, false, false);
	/* Ignored: address bits 1:0, data bits 13:11 and 31:16 */
	CHECK_EQ(decode(0xfee12003, 0xffff3831, &irq), 0);
	CHECK_IRQ(irq, 0x12, 0x31, X86_DM_FIXED, false, false, true, false,
		  false);
	/* The xAPIC broadcast stays an 8-bit destination */
	CHECK_EQ(decode(0xfeeff000, 0x0031, &irq), 0);
	CHECK_IRQ(irq, 0xff, 0x31, X86_DM_FIXED, false, false, true, false,
		  false);
	ir_teardown();
}

TEST(compat_extended_dest)
{
	struct x86_irq irq;

	ir_setup(0);
	/* address_lo 11:5 are destination 14:8 */
	CHECK_EQ(decode(0xfee00000 | 0x34 << 12 | 0x5a << 5, 0x22, &irq), 0);
	CHECK_IRQ(irq, 0x5a34, 0x22, X86_DM_FIXED, false, false, true, false,
		  true);
	CHECK_EQ(decode(0xfee00000 | 0xff << 12 | 0x7f << 5 | 4, 0x22, &irq),
		 0);
	CHECK_IRQ(irq, 0x7fff, 0x22, X86_DM_FIXED, true, false, true, false,
		  true);
	CHECK_EQ(decode(0xfee00000 | 1 << 5, 0x22, &irq), 0);
	CHECK_EQ(irq.dest, 0x100);
	CHECK(irq.x2apic_dest);
	/* address_hi 31:8 are destination 31:8 */
	CHECK_EQ(decode(0x12345600fee78000ULL, 0x22, &irq), 0);
	CHECK_IRQ(irq, 0x12345678, 0x22, X86_DM_FIXED, false, false, true,
		  false, true);
	CHECK_EQ(decode(0xffffff00feeff000ULL, 0x22, &irq), 0);
	CHECK_EQ(irq.dest, X86_BROADCAST_X2APIC);
	CHECK(irq.x2apic_dest);
	CHECK_EQ(decode(0x00000100fee00000ULL, 0x22, &irq), 0);
	CHECK_EQ(irq.dest, 0x100);
	/* address_hi 7:0 are not an MSI; both extensions are ambiguous */
	CHECK_EQ(decode(0x00000001fee00000ULL, 0x22, &irq), -EINVAL);
	CHECK(untouched(&irq));
	CHECK_EQ(decode(0x00000180fee00000ULL, 0x22, &irq), -EINVAL);
	CHECK_EQ(decode(0x00000100fee00020ULL, 0x22, &irq), -EINVAL);
	CHECK(untouched(&irq));
	ir_teardown();
}

TEST(compat_not_an_msi)
{
	static const u64 bad[] = {
		0, 0xfed00000, 0xfef00000, 0xfe000000, 0x7ee00000,
		0xfee00000ULL << 1, 0xffffffff00000000ULL,
	};
	struct x86_irq irq;
	u32 i;

	ir_setup(16);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_EQ(decode(bad[i], 0x31, &irq), -EINVAL);
		CHECK(untouched(&irq));
	}
	/* Remappable format with address_hi set: not an MSI either */
	set_irte(0, irte(1, 0x31, 0, 0));
	CHECK_EQ(decode(remap_addr(0, false) | 1ULL << 32, 0, &irq), -EINVAL);
	CHECK(untouched(&irq));
	CHECK_EQ(decode(remap_addr(0, false) | 1ULL << 40, 0, &irq), -EINVAL);
	CHECK_EQ(fault().count, 0);
	ir_teardown();
}

/* The device ORs the message number into the data: nothing masks it */
TEST(multi_message)
{
	struct x86_irq irq;
	u32 i;

	ir_setup(256);
	for (i = 0; i < 32; i++) {
		CHECK_EQ(decode(0xfee05000, 0x4060 | i, &irq), 0);
		CHECK_EQ(irq.vector, 0x60 + i);
		CHECK_EQ(irq.dest, 5);
	}
	/* Remapped: the subhandle selects consecutive entries */
	for (i = 0; i < 8; i++)
		set_irte(100 + i, irte(0x1000 + i, 0x80 + i, 0, 0));
	for (i = 0; i < 8; i++) {
		CHECK_EQ(decode(remap_addr(100, true), i, &irq), 0);
		CHECK_IRQ(irq, 0x1000 + i, 0x80 + i, X86_DM_FIXED, false,
			  false, true, false, true);
	}
	/* Without SHV the data (and so the message number) is ignored */
	CHECK_EQ(decode(remap_addr(100, false), 7, &irq), 0);
	CHECK_EQ(irq.vector, 0x80);
	/* Only data 15:0 are the subhandle */
	CHECK_EQ(decode(remap_addr(100, true), 0xffff0003, &irq), 0);
	CHECK_EQ(irq.vector, 0x83);
	CHECK_EQ(fault().count, 0);
	ir_teardown();
}

/* --- remapping ---------------------------------------------------------------- */

TEST(remap_fields)
{
	static const u32 dms[] = { X86_DM_FIXED, X86_DM_LOWEST, X86_DM_SMI,
				   X86_DM_NMI, X86_DM_INIT, X86_DM_EXTINT };
	struct x86_irq irq;
	u32 i;

	ir_setup(VIRQ_X86_MAX_IRTES);
	set_irte(5, irte(0x12345678, 0x99, X86_DM_LOWEST,
			 LO_LOGICAL | LO_LEVEL | LO_RH));
	/* data is ignored without SHV, whatever it holds */
	CHECK_EQ(decode(remap_addr(5, false), 0xffffffff, &irq), 0);
	CHECK_IRQ(irq, 0x12345678, 0x99, X86_DM_LOWEST, true, true, true, true,
		  true);
	/* Physical, edge, broadcast */
	set_irte(6, irte(X86_BROADCAST_X2APIC, 0x20, X86_DM_FIXED, 0));
	CHECK_EQ(decode(remap_addr(6, false), 0, &irq), 0);
	CHECK_IRQ(irq, X86_BROADCAST_X2APIC, 0x20, X86_DM_FIXED, false, false,
		  true, false, true);
	for (i = 0; i < ARRAY_SIZE(dms); i++) {
		set_irte(7, irte(3, 0x30 + i, dms[i], 0));
		CHECK_EQ(decode(remap_addr(7, false), 0, &irq), 0);
		CHECK_EQ(irq.delivery_mode, dms[i]);
		CHECK_EQ(irq.vector, 0x30 + i);
	}
	/* Handle 15 comes from address bit 2, 14:0 from bits 19:5 */
	set_irte(0x8003, irte(0x8003, 0x83, 0, 0));
	set_irte(0x7fff, irte(0x7fff, 0x7f, 0, 0));
	set_irte(0xffff, irte(0xffff, 0xff, 0, 0));
	CHECK_EQ(decode(remap_addr(0x8003, false), 0, &irq), 0);
	CHECK_EQ(irq.dest, 0x8003);
	CHECK_EQ(decode(0xfee00000 | 3 << 5 | 1 << 4 | 1 << 2, 0, &irq), 0);
	CHECK_EQ(irq.dest, 0x8003);
	CHECK_EQ(decode(remap_addr(0x7fff, false), 0, &irq), 0);
	CHECK_EQ(irq.dest, 0x7fff);
	CHECK_EQ(decode(remap_addr(0xffff, false), 0, &irq), 0);
	CHECK_EQ(irq.dest, 0xffff);
	/* SHV: handle + subhandle */
	CHECK_EQ(decode(remap_addr(0x8000, true), 3, &irq), 0);
	CHECK_EQ(irq.dest, 0x8003);
	CHECK_EQ(decode(remap_addr(0, true), 0xffff, &irq), 0);
	CHECK_EQ(irq.dest, 0xffff);
	/* Compatibility format still passes with a table */
	CHECK_EQ(decode(0xfee07000, 0x45, &irq), 0);
	CHECK_IRQ(irq, 7, 0x45, X86_DM_FIXED, false, false, true, false,
		  false);
	CHECK_EQ(fault().count, 0);
	ir_teardown();
}

TEST(remap_svt_sid)
{
	/* SID 0x0118: bus 1, device 3, function 0 */
	static const struct { u32 sq, rid; bool ok; } cases[] = {
		{ 0, 0x0118, true }, { 0, 0x0119, false },
		{ 0, 0x011c, false }, { 0, 0x0218, false },
		{ 1, 0x011c, true }, { 1, 0x0119, false },
		{ 1, 0x011a, false }, { 1, 0x0110, false },
		{ 2, 0x011e, true }, { 2, 0x011a, true },
		{ 2, 0x0119, false }, { 2, 0x0120, false },
		{ 3, 0x011f, true }, { 3, 0x0118, true },
		{ 3, 0x0120, false }, { 3, 0x0018, false },
		{ 0, 0x10118, false },	/* not a 16-bit requester id */
	};
	struct x86_irq irq;
	u64 faults = 0;
	u32 i;

	ir_setup(64);
	CHECK_EQ(x86_ir_set_fault_eventfd(chip.ir, 10), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		set_irte(9, with_sid(irte(2, 0x50 + i, 0, 0), 1, cases[i].sq,
				     0x0118));
		if (cases[i].ok) {
			CHECK_EQ(decode_rid(remap_addr(9, false), 0,
					    cases[i].rid, &irq), 0);
			CHECK_EQ(irq.vector, 0x50 + i);
			CHECK_EQ(irq.dest, 2);
		} else {
			CHECK_EQ(decode_rid(remap_addr(9, false), 0,
					    cases[i].rid, &irq), -EFAULT);
			CHECK(untouched(&irq));
			faults++;
			CHECK_FAULT(faults, VIRQ_X86_IR_FAULT_SID, 9,
				    (u16)cases[i].rid);
		}
		/* No requester id: fails any validation */
		CHECK_EQ(decode(remap_addr(9, false), 0, &irq), -EFAULT);
		faults++;
		CHECK_FAULT(faults, VIRQ_X86_IR_FAULT_SID, 9, 0);
	}
	CHECK_EQ(signals(), faults);
	/* SVT 0 checks nothing, requester id or not */
	set_irte(9, with_sid(irte(2, 0x70, 0, 0), 0, 0, 0x0118));
	CHECK_EQ(decode(remap_addr(9, false), 0, &irq), 0);
	CHECK_EQ(decode_rid(remap_addr(9, false), 0, 0xffff, &irq), 0);
	CHECK_EQ(fault().count, faults);
	ir_teardown();
}

TEST(remap_svt_bus)
{
	/* SID 0x0305: buses 3..5, SQ ignored */
	static const struct { u32 rid; bool ok; } cases[] = {
		{ 0x0300, true }, { 0x0418, true }, { 0x05ff, true },
		{ 0x02ff, false }, { 0x0600, false }, { 0x0000, false },
		{ 0xff00, false },
	};
	struct x86_irq irq;
	u32 i, faults = 0;

	ir_setup(64);
	set_irte(40, with_sid(irte(2, 0x61, 0, 0), 2, 3, 0x0305));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int ret = decode_rid(remap_addr(40, false), 0, cases[i].rid,
				     &irq);

		if (cases[i].ok) {
			CHECK_EQ(ret, 0);
			CHECK_EQ(irq.vector, 0x61);
		} else {
			CHECK_EQ(ret, -EFAULT);
			CHECK_FAULT(++faults, VIRQ_X86_IR_FAULT_SID, 40,
				    cases[i].rid);
		}
	}
	/* One bus */
	set_irte(40, with_sid(irte(2, 0x61, 0, 0), 2, 0, 0x0707));
	CHECK_EQ(decode_rid(remap_addr(40, false), 0, 0x0708, &irq), 0);
	CHECK_EQ(decode_rid(remap_addr(40, false), 0, 0x0808, &irq), -EFAULT);
	CHECK_EQ(decode(remap_addr(40, false), 0, &irq), -EFAULT);
	CHECK_FAULT(faults + 2, VIRQ_X86_IR_FAULT_SID, 40, 0);
	ir_teardown();
}

TEST(remap_faults)
{
	struct x86_irq irq;

	ir_setup(16);
	/* Faults without an eventfd: recorded all the same */
	CHECK_EQ(decode_rid(remap_addr(3, false), 0, 0x1234, &irq), -EFAULT);
	CHECK(untouched(&irq));
	CHECK_FAULT(1, VIRQ_X86_IR_FAULT_NOT_PRESENT, 3, 0x1234);

	CHECK_EQ(x86_ir_set_fault_eventfd(chip.ir, 11), 0);
	CHECK_EQ(signals(), 0);
	/* Not present, even with every other field set */
	set_irte(3, with_sid(irte(1, 0x31, 0, LO_LEVEL), 1, 0, 0x1234));
	CHECK_EQ(x86_ir_set_entries(chip.ir, 4, 1, &(struct virq_x86_irte){
		.lo = irte(1, 0x31, 0, 0).lo & ~LO_P }), 0);
	CHECK_EQ(decode_rid(remap_addr(4, false), 0, 0x1234, &irq), -EFAULT);
	CHECK(untouched(&irq));
	CHECK_FAULT(2, VIRQ_X86_IR_FAULT_NOT_PRESENT, 4, 0x1234);
	CHECK_EQ(signals(), 1);
	/* Index beyond the table: by handle, and by handle + subhandle */
	CHECK_EQ(decode(remap_addr(16, false), 0, &irq), -EFAULT);
	CHECK_FAULT(3, VIRQ_X86_IR_FAULT_INDEX, 16, 0);
	CHECK_EQ(decode_rid(remap_addr(15, true), 1, 0x0100, &irq), -EFAULT);
	CHECK_FAULT(4, VIRQ_X86_IR_FAULT_INDEX, 16, 0x0100);
	CHECK_EQ(decode(remap_addr(0xffff, true), 0xffff, &irq), -EFAULT);
	CHECK_FAULT(5, VIRQ_X86_IR_FAULT_INDEX, 0x1fffe, 0);
	CHECK(untouched(&irq));
	/* Source id */
	CHECK_EQ(decode_rid(remap_addr(3, false), 0, 0x1235, &irq), -EFAULT);
	CHECK_FAULT(6, VIRQ_X86_IR_FAULT_SID, 3, 0x1235);
	CHECK_EQ(signals(), 5);
	/* The good one still works, and leaves the record alone */
	CHECK_EQ(decode_rid(remap_addr(3, false), 0, 0x1234, &irq), 0);
	CHECK_IRQ(irq, 1, 0x31, X86_DM_FIXED, false, true, true, false, true);
	CHECK_FAULT(6, VIRQ_X86_IR_FAULT_SID, 3, 0x1235);

	/* No table at all: dropped, nowhere to record */
	x86_ir_destroy(chip.ir);
	chip.ir = NULL;
	CHECK_EQ(decode_rid(remap_addr(3, false), 0, 0x1234, &irq), -EFAULT);
	CHECK(untouched(&irq));
	CHECK_EQ(x86_ir_translate(&chip, 3, 0x1234, true, &irq), -EFAULT);
	CHECK(untouched(&irq));
	CHECK_EQ(decode(0xfee01000, 0x31, &irq), 0);
}

/* FPD: neither recorded nor signalled, present or not; still dropped */
TEST(remap_fpd)
{
	struct x86_irq irq;

	ir_setup(16);
	CHECK_EQ(x86_ir_set_fault_eventfd(chip.ir, 12), 0);
	CHECK_EQ(decode(remap_addr(20, false), 0, &irq), -EFAULT);
	CHECK_FAULT(1, VIRQ_X86_IR_FAULT_INDEX, 20, 0);

	CHECK_EQ(x86_ir_set_entries(chip.ir, 1, 1, &(struct virq_x86_irte){
		.lo = LO_FPD }), 0);
	CHECK_EQ(decode_rid(remap_addr(1, false), 0, 7, &irq), -EFAULT);
	CHECK(untouched(&irq));
	set_irte(2, with_sid(irte(1, 0x31, 0, LO_FPD), 1, 0, 0x0800));
	CHECK_EQ(decode_rid(remap_addr(2, false), 0, 0x0801, &irq), -EFAULT);
	CHECK(untouched(&irq));
	CHECK_EQ(decode(remap_addr(2, false), 0, &irq), -EFAULT);
	CHECK_EQ(x86_ir_translate(&chip, 2, 0, false, &irq), -EFAULT);
	CHECK_FAULT(1, VIRQ_X86_IR_FAULT_INDEX, 20, 0);
	CHECK_EQ(signals(), 1);
	/* A valid FPD entry translates */
	CHECK_EQ(decode_rid(remap_addr(2, false), 0, 0x0800, &irq), 0);
	CHECK_EQ(irq.vector, 0x31);
	ir_teardown();
}

TEST(fault_eventfd)
{
	struct virq_notifier *first;
	struct x86_irq irq;

	ir_setup(4);
	CHECK_EQ(x86_ir_set_fault_eventfd(chip.ir, -1), 0);	/* none yet */
	CHECK_EQ(x86_ir_set_fault_eventfd(chip.ir, -2), -EBADF);
	harness_fail_alloc_nth(1);
	CHECK_EQ(x86_ir_set_fault_eventfd(chip.ir, 3), -ENOMEM);
	CHECK(!rcu_dereference_raw(chip.ir->notifier));

	CHECK_EQ(x86_ir_set_fault_eventfd(chip.ir, 3), 0);
	first = rcu_dereference_raw(chip.ir->notifier);
	CHECK_EQ(decode(remap_addr(0, false), 0, &irq), -EFAULT);
	CHECK_EQ(decode(remap_addr(9, false), 0, &irq), -EFAULT);
	CHECK_EQ(harness_notifier_count(first), 2);
	/* A bad fd keeps the current one */
	CHECK_EQ(x86_ir_set_fault_eventfd(chip.ir, -7), -EBADF);
	CHECK(rcu_dereference_raw(chip.ir->notifier) == first);
	/* Replace: the old reference is dropped (the leak check sees it) */
	CHECK_EQ(x86_ir_set_fault_eventfd(chip.ir, 4), 0);
	CHECK(rcu_dereference_raw(chip.ir->notifier) != first);
	CHECK_EQ(decode(remap_addr(1, false), 0, &irq), -EFAULT);
	CHECK_EQ(signals(), 1);
	/* Remove: faults are still counted */
	CHECK_EQ(x86_ir_set_fault_eventfd(chip.ir, -1), 0);
	CHECK(!rcu_dereference_raw(chip.ir->notifier));
	CHECK_EQ(decode(remap_addr(1, false), 0, &irq), -EFAULT);
	CHECK_FAULT(4, VIRQ_X86_IR_FAULT_NOT_PRESENT, 1, 0);
	/* Destroy drops a live one */
	CHECK_EQ(x86_ir_set_fault_eventfd(chip.ir, 5), 0);
	ir_teardown();
}

/* The IOAPIC's path: an index and the IOAPIC's source id */
TEST(ioapic_translate)
{
	struct x86_irq irq;

	ir_setup(32);
	CHECK_EQ(x86_ir_set_fault_eventfd(chip.ir, 6), 0);
	set_irte(17, with_sid(irte(0xabcdef01, 0x42, X86_DM_FIXED, LO_LEVEL),
			      1, 0, 0x00f8));
	irq = poisoned();
	CHECK_EQ(x86_ir_translate(&chip, 17, 0x00f8, true, &irq), 0);
	CHECK_IRQ(irq, 0xabcdef01, 0x42, X86_DM_FIXED, false, true, true,
		  false, true);
	irq = poisoned();
	CHECK_EQ(x86_ir_translate(&chip, 17, 0x00f9, true, &irq), -EFAULT);
	CHECK(untouched(&irq));
	CHECK_FAULT(1, VIRQ_X86_IR_FAULT_SID, 17, 0x00f9);
	/* Source id unknown: fails an entry that validates */
	CHECK_EQ(x86_ir_translate(&chip, 17, 0x00f8, false, &irq), -EFAULT);
	CHECK_FAULT(2, VIRQ_X86_IR_FAULT_SID, 17, 0);
	CHECK_EQ(x86_ir_translate(&chip, 32, 0x00f8, true, &irq), -EFAULT);
	CHECK_FAULT(3, VIRQ_X86_IR_FAULT_INDEX, 32, 0x00f8);
	CHECK_EQ(x86_ir_translate(&chip, 0, 0x00f8, true, &irq), -EFAULT);
	CHECK_FAULT(4, VIRQ_X86_IR_FAULT_NOT_PRESENT, 0, 0x00f8);
	CHECK_EQ(signals(), 4);
	/* SVT 0 with no source id */
	set_irte(18, irte(1, 0x43, X86_DM_NMI, 0));
	CHECK_EQ(x86_ir_translate(&chip, 18, 0, false, &irq), 0);
	CHECK_IRQ(irq, 1, 0x43, X86_DM_NMI, false, false, true, false, true);
	ir_teardown();
}

/* --- bulk entry access ------------------------------------------------------- */

TEST(entries_bulk)
{
	struct virq_x86_irte in[200], out[201], e;
	static const u64 lo_reserved[] = {
		1ULL << 12, 1ULL << 13, 1ULL << 14, 1ULL << 15, 1ULL << 24,
		1ULL << 31, 3ULL << VIRQ_X86_IRTE_DLM_SHIFT,
		6ULL << VIRQ_X86_IRTE_DLM_SHIFT,
	};
	u32 i;

	ir_setup(256);
	for (i = 0; i < ARRAY_SIZE(in); i++) {
		in[i] = with_sid(irte(i * 0x01010101, i, i % 2 ? 4 : 0,
				      (i % 16) << 8), i % 3, i % 4, i * 3);
		if (i % 5 == 0)
			in[i].lo &= ~LO_P;
	}
	/* Crosses several lock batches */
	CHECK_EQ(x86_ir_set_entries(chip.ir, 10, 200, in), 0);
	memset(out, 0xcc, sizeof(out));
	CHECK_EQ(x86_ir_get_entries(chip.ir, 10, 200, out), 0);
	CHECK(!memcmp(in, out, sizeof(in)));
	CHECK_EQ(out[200].lo, 0xccccccccccccccccULL);
	CHECK_EQ(x86_ir_get_entries(chip.ir, 9, 1, out), 0);
	CHECK_EQ(out[0].lo, 0);
	CHECK_EQ(out[0].hi, 0);
	/* Software-available bits 11:8 are kept */
	CHECK_EQ(x86_ir_get_entries(chip.ir, 10 + 15, 1, out), 0);
	CHECK_EQ((out[0].lo >> 8) & 0xf, 15);

	/* Ranges */
	CHECK_EQ(x86_ir_set_entries(chip.ir, 0, 0, in), -EINVAL);
	CHECK_EQ(x86_ir_get_entries(chip.ir, 0, 0, out), -EINVAL);
	CHECK_EQ(x86_ir_set_entries(chip.ir, 256, 1, in), -EINVAL);
	CHECK_EQ(x86_ir_get_entries(chip.ir, 256, 1, out), -EINVAL);
	CHECK_EQ(x86_ir_set_entries(chip.ir, 250, 7, in), -EINVAL);
	CHECK_EQ(x86_ir_get_entries(chip.ir, 250, 7, out), -EINVAL);
	CHECK_EQ(x86_ir_set_entries(chip.ir, 1, ~0U, in), -EINVAL);
	CHECK_EQ(x86_ir_get_entries(chip.ir, 1, ~0U, out), -EINVAL);
	CHECK_EQ(x86_ir_set_entries(chip.ir, ~0U, 2, in), -EINVAL);
	CHECK_EQ(x86_ir_set_entries(chip.ir, 250, 6, in), 0);
	CHECK_EQ(x86_ir_get_entries(chip.ir, 255, 1, out), 0);
	CHECK(!memcmp(&out[0], &in[5], sizeof(out[0])));

	/* Reserved bits and values, present or not; nothing is written */
	for (i = 0; i < ARRAY_SIZE(lo_reserved) * 2; i++) {
		struct virq_x86_irte two[2] = {
			irte(1, 0x20, 0, 0), irte(2, 0x21, 0, 0),
		};

		two[1].lo |= lo_reserved[i / 2];
		if (i % 2)
			two[1].lo &= ~LO_P;
		CHECK_EQ(x86_ir_set_entries(chip.ir, 100, 2, two), -EINVAL);
	}
	for (i = 20; i < 64; i++) {
		struct virq_x86_irte two[2] = {
			irte(1, 0x20, 0, 0), irte(2, 0x21, 0, 0),
		};

		two[1].hi = 1ULL << i;
		CHECK_EQ(x86_ir_set_entries(chip.ir, 100, 2, two), -EINVAL);
	}
	e = with_sid(irte(1, 0x20, 0, 0), 3, 0, 0);		/* SVT 3 */
	CHECK_EQ(x86_ir_set_entries(chip.ir, 100, 1, &e), -EINVAL);
	CHECK_EQ(x86_ir_get_entries(chip.ir, 100, 2, out), 0);
	CHECK(!memcmp(out, &in[90], 2 * sizeof(out[0])));
	/* Every defined field at its maximum is fine */
	e.lo = ~0ULL & ~(GENMASK_ULL(31, 24) | GENMASK_ULL(15, 12));
	e.hi = (2ULL << VIRQ_X86_IRTE_SVT_SHIFT) | 0x3ffff;
	CHECK_EQ(x86_ir_set_entries(chip.ir, 100, 1, &e), 0);
	CHECK_EQ(x86_ir_get_entries(chip.ir, 100, 1, out), 0);
	CHECK(!memcmp(out, &e, sizeof(e)));
	ir_teardown();
}

/*
 * A translation never sees half of an entry: a reader thread translates
 * while the main thread flips the entry between A and B, whose halves
 * only fit together: A admits requester 0x0101 and sends vector 0x11,
 * B admits 0x0202 and sends 0x22.  A torn read would admit one requester
 * with the other's vector.
 */
#define FLIPS		20000
#define MIN_READS	2000

static bool flip_done;			/* READ_ONCE/WRITE_ONCE */
static unsigned long nr_reads;		/* READ_ONCE/WRITE_ONCE */
static unsigned long nr_bad, nr_ok;	/* read after the join */

static void *flip_reader(void *arg)
{
	struct virq_msi_msg msg = { .address = remap_addr(1, false),
				    .has_devid = true };
	struct x86_irq irq;
	u32 rid;

	while (!READ_ONCE(flip_done)) {
		rid = nr_reads % 2 ? 0x0202 : 0x0101;
		msg.devid = rid;

		if (!x86_msi_decode(&chip, &msg, &irq)) {
			nr_ok++;
			if (irq.vector != (rid == 0x0101 ? 0x11 : 0x22) ||
			    irq.dest != irq.vector * 0x01010101U)
				nr_bad++;
		}
		WRITE_ONCE(nr_reads, nr_reads + 1);
	}
	return NULL;
}

TEST(no_torn_entries)
{
	struct virq_x86_irte a = with_sid(irte(0x11111111, 0x11, 0, 0),
					  1, 0, 0x0101);
	struct virq_x86_irte b = with_sid(irte(0x22222222, 0x22, 0, 0),
					  1, 0, 0x0202);
	pthread_t t;
	u32 i;

	ir_setup(4);
	set_irte(1, a);
	flip_done = false;
	nr_reads = 0;
	nr_bad = 0;
	nr_ok = 0;
	CHECK_FATAL(!pthread_create(&t, NULL, flip_reader, NULL));
	for (i = 0; i < FLIPS || READ_ONCE(nr_reads) < MIN_READS; i++)
		set_irte(1, i % 2 ? a : b);
	WRITE_ONCE(flip_done, true);
	pthread_join(t, NULL);
	CHECK_EQ(nr_bad, 0);
	CHECK(nr_ok > 0);
	CHECK_EQ(fault().count, nr_reads - nr_ok);
	ir_teardown();
}

static const struct tap_test tests[] = {
	T(ir_create_destroy),
	T(compat_fields),
	T(compat_extended_dest),
	T(compat_not_an_msi),
	T(multi_message),
	T(remap_fields),
	T(remap_svt_sid),
	T(remap_svt_bus),
	T(remap_faults),
	T(remap_fpd),
	T(fault_eventfd),
	T(ioapic_translate),
	T(entries_bulk),
	T(no_torn_entries),
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
