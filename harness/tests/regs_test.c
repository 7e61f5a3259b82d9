// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the register engine (virq/regs.c): table checks, lookup,
 * dispatch, width/alignment rules, per-IRQ index derivation, and the
 * guest/uaccess split.
 */
#include <stdlib.h>

#include <linux/errno.h>
#include <linux/kernel.h>

#include "../../virq/regs.h"
#include "tap.h"

#define A8	VIRQ_REG_ACCESS_8
#define A16	VIRQ_REG_ACCESS_16
#define A32	VIRQ_REG_ACCESS_32
#define A64	VIRQ_REG_ACCESS_64

/* What the last handler call saw */
static struct {
	int calls;
	const char *which;
	void *opaque;
	u32 offset, irq, len;
	u64 val;
} seen;

static int opaque_obj;

static void seen_reset(void)
{
	memset(&seen, 0, sizeof(seen));
}

static void note(const char *which, void *opaque, u32 offset, u32 irq,
		 u32 len, u64 val)
{
	seen.calls++;
	seen.which = which;
	seen.opaque = opaque;
	seen.offset = offset;
	seen.irq = irq;
	seen.len = len;
	seen.val = val;
}

static u64 rd(void *o, u32 offset, u32 irq, u32 len)
{
	note("read", o, offset, irq, len, 0);
	return 0x1000 + offset;
}

static void wr(void *o, u32 offset, u32 irq, u32 len, u64 val)
{
	note("write", o, offset, irq, len, val);
}

static int urd(void *o, u32 offset, u32 irq, u32 len, u64 *val)
{
	note("uread", o, offset, irq, len, 0);
	*val = 0x2000 + offset;
	return 0;
}

static int uwr(void *o, u32 offset, u32 irq, u32 len, u64 val)
{
	note("uwrite", o, offset, irq, len, val);
	return val == 0xbad ? -EINVAL : 0;
}

/* A frame with plain, uaccess and per-IRQ registers, and holes. */
static const struct virq_reg_region table[] = {
	VIRQ_REG(0x000, 4, A32, rd, wr),			/* CTLR */
	VIRQ_REG(0x004, 4, A32 | A8, rd, NULL),			/* TYPER */
	VIRQ_REG_UACCESS(0x010, 8, A64 | A32, rd, wr, urd, uwr),
	VIRQ_REG(0x020, 4, A32, NULL, NULL),
	VIRQ_REG(0x024, 4, A32, virq_reg_read_raz, virq_reg_write_wi),
	VIRQ_REG_PER_IRQ(0x100, 0x20, 1, A32 | A8, rd, wr),	/* enable bits */
	VIRQ_REG_PER_IRQ(0x400, 0x100, 8, A32 | A8, rd, wr),	/* priority */
	VIRQ_REG_PER_IRQ(0x800, 0x200, 64, A64, rd, wr),	/* routing */
	VIRQ_REG(0xffc, 4, A32 | A16 | A8, rd, wr),		/* last word */
};

static const struct virq_reg_frame frame = {
	.regions = table,
	.nr_regions = ARRAY_SIZE(table),
	.size = 0x1000,
	.nr_irqs = 40,
};

static int check_one(struct virq_reg_region *r, u32 n, u32 size)
{
	struct virq_reg_frame f = { .regions = r, .nr_regions = n,
				    .size = size };

	return virq_reg_frame_check(&f);
}

TEST(frame_check_accepts_valid)
{
	struct virq_reg_frame empty = { .size = 0x100 };
	struct virq_reg_region adj[] = {
		VIRQ_REG(0, 4, A32, rd, wr),
		VIRQ_REG(4, 4, A32, rd, wr),	/* adjacent, no gap */
		VIRQ_REG(0xfc, 4, A32, rd, wr),	/* ends at the frame end */
	};

	CHECK_EQ(virq_reg_frame_check(&frame), 0);
	CHECK_EQ(virq_reg_frame_check(&empty), 0);
	CHECK_EQ(check_one(adj, 3, 0x100), 0);
}

TEST(frame_check_rejects_unsorted)
{
	struct virq_reg_region r[] = {
		VIRQ_REG(0x10, 4, A32, rd, wr),
		VIRQ_REG(0x00, 4, A32, rd, wr),
	};

	CHECK_EQ(check_one(r, 2, 0x100), -EINVAL);
}

TEST(frame_check_rejects_overlap)
{
	struct virq_reg_region r[] = {
		VIRQ_REG(0x00, 8, A32, rd, wr),
		VIRQ_REG(0x04, 4, A32, rd, wr),
	};
	struct virq_reg_region dup[] = {
		VIRQ_REG(0x00, 4, A32, rd, wr),
		VIRQ_REG(0x00, 4, A32, rd, wr),
	};

	CHECK_EQ(check_one(r, 2, 0x100), -EINVAL);
	CHECK_EQ(check_one(dup, 2, 0x100), -EINVAL);
}

TEST(frame_check_rejects_out_of_frame)
{
	struct virq_reg_region past[] = { VIRQ_REG(0xfc, 8, A32, rd, wr) };
	struct virq_reg_region wrap[] = {
		VIRQ_REG(0xfffffff0, 0x20, A32, rd, wr),
	};
	struct virq_reg_region at_end[] = { VIRQ_REG(0x100, 4, A32, rd, wr) };

	CHECK_EQ(check_one(past, 1, 0x100), -EINVAL);
	CHECK_EQ(check_one(wrap, 1, 0x100), -EINVAL);
	CHECK_EQ(check_one(wrap, 1, 0xffffffff), -EINVAL);
	CHECK_EQ(check_one(at_end, 1, 0x100), -EINVAL);
}

TEST(frame_check_rejects_bad_region)
{
	struct virq_reg_region noacc[] = { VIRQ_REG(0, 4, 0, rd, wr) };
	struct virq_reg_region badacc[] = { VIRQ_REG(0, 4, 0x10, rd, wr) };
	struct virq_reg_region nolen[] = { VIRQ_REG(0, 0, A32, rd, wr) };
	struct virq_reg_region bpi3[] = {
		VIRQ_REG_PER_IRQ(0, 4, 3, A32, rd, wr),
	};
	struct virq_reg_region bpi128[] = {
		VIRQ_REG_PER_IRQ(0, 32, 128, A32, rd, wr),
	};
	struct virq_reg_region second_bad[] = {
		VIRQ_REG(0, 4, A32, rd, wr),
		VIRQ_REG(8, 4, 0, rd, wr),
	};

	CHECK_EQ(check_one(noacc, 1, 0x100), -EINVAL);
	CHECK_EQ(check_one(badacc, 1, 0x100), -EINVAL);
	CHECK_EQ(check_one(nolen, 1, 0x100), -EINVAL);
	CHECK_EQ(check_one(bpi3, 1, 0x100), -EINVAL);
	CHECK_EQ(check_one(bpi128, 1, 0x100), -EINVAL);
	CHECK_EQ(check_one(second_bad, 2, 0x100), -EINVAL);
}

/* Every region must be a whole number of its widest access. */
TEST(frame_check_rejects_partial_width)
{
	struct virq_reg_region six[] = { VIRQ_REG(0, 6, A32, rd, wr) };
	struct virq_reg_region twelve[] = { VIRQ_REG(0, 12, A64, rd, wr) };
	struct virq_reg_region mixed[] = {
		VIRQ_REG(0, 12, A64 | A32 | A8, rd, wr),
	};
	struct virq_reg_region three[] = { VIRQ_REG(0, 3, A16 | A8, rd, wr) };
	/* the widest access decides, not the narrowest */
	struct virq_reg_region ok[] = {
		VIRQ_REG(0x00, 6, A16 | A8, rd, wr),
		VIRQ_REG(0x08, 16, A64 | A8, rd, wr),
		VIRQ_REG(0x18, 3, A8, rd, wr),
	};

	CHECK_EQ(check_one(six, 1, 0x100), -EINVAL);
	CHECK_EQ(check_one(twelve, 1, 0x100), -EINVAL);
	CHECK_EQ(check_one(mixed, 1, 0x100), -EINVAL);
	CHECK_EQ(check_one(three, 1, 0x100), -EINVAL);
	CHECK_EQ(check_one(ok, 3, 0x100), 0);
}

/* Read at @off with @len; returns the errno, the value in *@val. */
static int acc(u32 off, u32 len, bool write, u64 *val, bool uaccess)
{
	seen_reset();
	return virq_reg_access(&frame, &opaque_obj, off, len, write, val,
			       uaccess);
}

TEST(dispatch_hits_first_middle_last)
{
	u64 v = 0;

	CHECK_EQ(acc(0x000, 4, false, &v, false), 0);
	CHECK_EQ(seen.calls, 1);
	CHECK(seen.opaque == &opaque_obj);
	CHECK_EQ(seen.offset, 0);
	CHECK_EQ(seen.len, 4);
	CHECK_EQ(v, 0x1000);

	v = 0x55;
	CHECK_EQ(acc(0x000, 4, true, &v, false), 0);
	CHECK(seen.which && !strcmp(seen.which, "write"));
	CHECK_EQ(seen.val, 0x55);

	/* middle region: TYPER, second byte */
	CHECK_EQ(acc(0x005, 1, false, &v, false), 0);
	CHECK_EQ(seen.calls, 1);
	CHECK_EQ(seen.offset, 5);
	CHECK_EQ(seen.irq, 0);
	CHECK_EQ(v, 0x1005);

	/* last region, its last byte */
	CHECK_EQ(acc(0xfff, 1, false, &v, false), 0);
	CHECK_EQ(seen.calls, 1);
	CHECK_EQ(seen.offset, 0xfff);
	CHECK_EQ(acc(0xffe, 2, false, &v, false), 0);
	CHECK_EQ(seen.calls, 1);

	/* every region is found by its first and last byte */
	for (u32 i = 0; i < ARRAY_SIZE(table); i++) {
		CHECK(virq_reg_find(&frame, table[i].offset) == &table[i]);
		CHECK(virq_reg_find(&frame, table[i].offset + table[i].len - 1)
		      == &table[i]);
	}
}

TEST(miss_guest_raz_wi)
{
	static const u32 holes[] = { 0x008, 0x00c, 0x018, 0x028, 0x0fc,
				     0x120, 0xa00, 0xff8, 0x1000, 0x2000,
				     0xfffffff8 };
	u64 v;

	for (u32 i = 0; i < ARRAY_SIZE(holes); i++) {
		v = 0xdeadbeef;
		CHECK_EQ(acc(holes[i], 4, false, &v, false), 0);
		CHECK_EQ(v, 0);
		CHECK_EQ(seen.calls, 0);
		v = 0x1234;
		CHECK_EQ(acc(holes[i], 4, true, &v, false), 0);
		CHECK_EQ(seen.calls, 0);
		CHECK_EQ(v, 0x1234);	/* a write's value is left alone */
	}
	/* NULL handlers, and the shared RAZ/WI helpers */
	v = 0xdeadbeef;
	CHECK_EQ(acc(0x020, 4, false, &v, false), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(acc(0x020, 4, true, &v, false), 0);
	v = 0xdeadbeef;
	CHECK_EQ(acc(0x024, 4, false, &v, false), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(acc(0x024, 4, true, &v, false), 0);
	CHECK_EQ(seen.calls, 0);
}

TEST(miss_uaccess_enxio)
{
	static const u32 holes[] = { 0x008, 0x018, 0x0fc, 0xa00, 0x1000,
				     0xfffffffc };
	u64 v;

	for (u32 i = 0; i < ARRAY_SIZE(holes); i++) {
		CHECK_EQ(acc(holes[i], 4, false, &v, true), -ENXIO);
		CHECK_EQ(acc(holes[i], 4, true, &v, true), -ENXIO);
		CHECK_EQ(seen.calls, 0);
	}
}

TEST(width_and_alignment)
{
	static const u32 bad_len[] = { 0, 3, 5, 16, 0xffffffff };
	u64 v;

	/* CTLR is 32-bit only */
	v = 0xdeadbeef;
	CHECK_EQ(acc(0x000, 1, false, &v, false), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(acc(0x000, 2, false, &v, false), 0);
	CHECK_EQ(acc(0x000, 8, false, &v, false), 0);
	CHECK_EQ(seen.calls, 0);
	CHECK_EQ(acc(0x000, 1, false, &v, true), -EINVAL);
	CHECK_EQ(acc(0x000, 8, true, &v, true), -EINVAL);
	/* misaligned: 4 bytes at +2 of a 32|8-bit register */
	CHECK_EQ(acc(0x006, 4, false, &v, true), -EINVAL);
	v = 0xdeadbeef;
	CHECK_EQ(acc(0x006, 4, false, &v, false), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(seen.calls, 0);
	/* a 64-bit region accessed as 32 at +4: allowed and aligned */
	CHECK_EQ(acc(0x014, 4, false, &v, false), 0);
	CHECK_EQ(seen.calls, 1);
	CHECK_EQ(seen.offset, 0x14);
	/* an aligned access that runs past the end of its region */
	CHECK_EQ(acc(0x004, 8, false, &v, true), -EINVAL);
	CHECK_EQ(acc(0xff8, 8, false, &v, true), -ENXIO);
	/* only 1, 2, 4 and 8 */
	for (u32 i = 0; i < ARRAY_SIZE(bad_len); i++) {
		CHECK_EQ(acc(0xffc, bad_len[i], false, &v, true), -EINVAL);
		v = 1;
		CHECK_EQ(acc(0xffc, bad_len[i], false, &v, false), 0);
		CHECK_EQ(v, 0);
		CHECK_EQ(seen.calls, 0);
	}
}

TEST(per_irq_index)
{
	u64 v;

	/* 1 bit per IRQ: byte 2 holds IRQs 16..23, word 1 holds 32..63 */
	CHECK_EQ(acc(0x102, 1, false, &v, false), 0);
	CHECK_EQ(seen.irq, 16);
	CHECK_EQ(acc(0x104, 4, false, &v, false), 0);
	CHECK_EQ(seen.calls, 1);
	CHECK_EQ(seen.irq, 32);
	/* 8 bits per IRQ */
	CHECK_EQ(acc(0x405, 1, false, &v, false), 0);
	CHECK_EQ(seen.irq, 5);
	CHECK_EQ(acc(0x424, 4, true, &v, false), 0);
	CHECK_EQ(seen.irq, 36);
	CHECK_EQ(seen.offset, 0x424);
	/* 64 bits per IRQ */
	CHECK_EQ(acc(0x810, 8, false, &v, false), 0);
	CHECK_EQ(seen.irq, 2);
	CHECK_EQ(acc(0x800 + 39 * 8, 8, false, &v, false), 0);
	CHECK_EQ(seen.calls, 1);
	CHECK_EQ(seen.irq, 39);

	/* past nr_irqs (40): RAZ/WI for the guest, no handler */
	v = 0xdeadbeef;
	CHECK_EQ(acc(0x800 + 40 * 8, 8, false, &v, false), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(seen.calls, 0);
	CHECK_EQ(acc(0x428, 4, true, &v, false), 0);
	CHECK_EQ(seen.calls, 0);
	CHECK_EQ(acc(0x108, 4, false, &v, false), 0);	/* IRQs 64.. */
	CHECK_EQ(seen.calls, 0);
	/*
	 * An access whose first IRQ is in range reaches the handler even if
	 * it covers IRQs past nr_irqs (IRQs 36..39 here are fine; bits
	 * 40..63 of word 1 are not): the handler bounds each IRQ.
	 */
	CHECK_EQ(acc(0x104, 4, false, &v, false), 0);
	CHECK_EQ(seen.calls, 1);
}

/* Per-IRQ entries past nr_irqs: save/restore fails with -EINVAL. */
TEST(per_irq_past_nr_irqs_uaccess_fails)
{
	u64 v;

	CHECK_EQ(acc(0x800 + 40 * 8, 8, false, &v, true), -EINVAL);
	CHECK_EQ(seen.calls, 0);
	v = 1;
	CHECK_EQ(acc(0x800 + 40 * 8, 8, true, &v, true), -EINVAL);
	CHECK_EQ(seen.calls, 0);
	CHECK_EQ(acc(0x428, 4, true, &v, true), -EINVAL);
	CHECK_EQ(seen.calls, 0);
	CHECK_EQ(acc(0x42b, 1, false, &v, true), -EINVAL);	/* IRQ 43 */
	CHECK_EQ(acc(0x108, 4, false, &v, true), -EINVAL);	/* IRQs 64.. */
	CHECK_EQ(seen.calls, 0);
	/* the last IRQ in range still reaches its handler */
	CHECK_EQ(acc(0x800 + 39 * 8, 8, false, &v, true), 0);
	CHECK_EQ(seen.calls, 1);
	CHECK_EQ(seen.irq, 39);
	CHECK_EQ(acc(0x427, 1, true, &v, true), 0);
	CHECK_EQ(seen.calls, 1);
	CHECK_EQ(seen.irq, 39);
}

TEST(uaccess_handlers_preferred)
{
	u64 v;

	CHECK_EQ(acc(0x010, 8, false, &v, true), 0);
	CHECK(seen.which && !strcmp(seen.which, "uread"));
	CHECK_EQ(v, 0x2010);
	CHECK_EQ(acc(0x010, 8, false, &v, false), 0);
	CHECK(seen.which && !strcmp(seen.which, "read"));
	CHECK_EQ(v, 0x1010);
	v = 7;
	CHECK_EQ(acc(0x010, 8, true, &v, true), 0);
	CHECK(seen.which && !strcmp(seen.which, "uwrite"));
	CHECK_EQ(seen.val, 7);
	v = 0xbad;	/* the uaccess handler's errno comes back */
	CHECK_EQ(acc(0x010, 8, true, &v, true), -EINVAL);
	CHECK_EQ(acc(0x010, 8, true, &v, false), 0);
	CHECK(seen.which && !strcmp(seen.which, "write"));
	/* without uaccess handlers, save/restore uses the guest ones */
	CHECK_EQ(acc(0x000, 4, false, &v, true), 0);
	CHECK(seen.which && !strcmp(seen.which, "read"));
	CHECK_EQ(acc(0x000, 4, true, &v, true), 0);
	CHECK(seen.which && !strcmp(seen.which, "write"));
	/* no write handler at all: a restore write is accepted, ignored */
	CHECK_EQ(acc(0x004, 4, true, &v, true), 0);
	CHECK_EQ(seen.calls, 0);
}

/* Random sorted tables: the bsearch agrees with a linear scan. */
TEST(find_matches_linear_scan)
{
	struct virq_reg_region r[64];
	struct virq_reg_frame f;
	unsigned int seed = 1;

	for (int iter = 0; iter < 200; iter++) {
		u32 n = rand_r(&seed) % 64, off = 0;

		for (u32 i = 0; i < n; i++) {
			off += rand_r(&seed) % 3 * 4;
			r[i] = (struct virq_reg_region)
				VIRQ_REG(off, 4 * (1 + rand_r(&seed) % 4),
					 A32, rd, wr);
			off += r[i].len;
		}
		f = (struct virq_reg_frame){ .regions = r, .nr_regions = n,
					     .size = off + 16 };
		CHECK_EQ(virq_reg_frame_check(&f), 0);
		for (u32 o = 0; o < off + 16; o++) {
			const struct virq_reg_region *want = NULL;

			for (u32 i = 0; i < n; i++)
				if (o >= r[i].offset &&
				    o < r[i].offset + r[i].len)
					want = &r[i];
			if (virq_reg_find(&f, o) != want) {
				CHECK(virq_reg_find(&f, o) == want);
				return;
			}
		}
	}
}

static const struct tap_test tests[] = {
	T(frame_check_accepts_valid), T(frame_check_rejects_unsorted),
	  T(frame_check_rejects_overlap), T(frame_check_rejects_out_of_frame),
	  T(frame_check_rejects_bad_region),
	  T(frame_check_rejects_partial_width),
	  T(dispatch_hits_first_middle_last), T(miss_guest_raz_wi),
	  T(miss_uaccess_enxio), T(width_and_alignment), T(per_irq_index),
	  T(per_irq_past_nr_irqs_uaccess_fails), T(uaccess_handlers_preferred),
	  T(find_matches_linear_scan),
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
