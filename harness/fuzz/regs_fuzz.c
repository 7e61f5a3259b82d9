// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the register engine (virq/regs.c).  The input
 * builds a register table (sorted or not), then a list of accesses.
 * virq_reg_frame_check() must reject every table lookup could misuse (or
 * whose region lengths are not a whole number of their widest access) and
 * accept every other; for tables it accepts, every access must reach the
 * right handler only with a width, alignment and IRQ index the region
 * allows, agree with a linear scan, and follow the guest (RAZ/WI) and
 * uaccess (errno) rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/errno.h>
#include <linux/kernel.h>

#include "../../virq/regs.h"
#include "fuzz_input.h"

#define MAX_REGIONS	16

static struct virq_reg_region regions[MAX_REGIONS];
static struct virq_reg_frame frame;
static const struct virq_reg_region *expect;	/* linear-scan region */
static u32 exp_off, exp_len;
static int calls;

static void fail(const char *why)
{
	fprintf(stderr, "regs_fuzz: %s\n", why);
	abort();
}

static void check_call(u32 offset, u32 irq, u32 len)
{
	const struct virq_reg_region *r = expect;
	u8 bit = len == 1 ? VIRQ_REG_ACCESS_8 : len == 2 ? VIRQ_REG_ACCESS_16 :
		 len == 4 ? VIRQ_REG_ACCESS_32 : len == 8 ? VIRQ_REG_ACCESS_64 : 0;

	calls++;
	if (!r)
		fail("handler called for an unclaimed offset");
	if (offset != exp_off || len != exp_len)
		fail("handler got another offset or length");
	if (!(r->access & bit))
		fail("width not allowed by the region");
	if (offset & (len - 1))
		fail("misaligned access dispatched");
	if (offset < r->offset || offset + len > r->offset + r->len)
		fail("access outside its region dispatched");
	if (r->bits_per_irq) {
		if (irq != (offset - r->offset) * 8 / r->bits_per_irq)
			fail("wrong IRQ index");
		if (irq >= frame.nr_irqs)
			fail("IRQ index past nr_irqs dispatched");
	} else if (irq) {
		fail("IRQ index for a plain register");
	}
}

static u64 h_read(void *o, u32 off, u32 irq, u32 len)
{
	check_call(off, irq, len);
	return 0x5a5a5a5a00000000ULL | off;
}

static void h_write(void *o, u32 off, u32 irq, u32 len, u64 val)
{
	check_call(off, irq, len);
}

static int h_uread(void *o, u32 off, u32 irq, u32 len, u64 *val)
{
	check_call(off, irq, len);
	*val = off;
	return off & 1 ? -EIO : 0;
}

static int h_uwrite(void *o, u32 off, u32 irq, u32 len, u64 val)
{
	check_call(off, irq, len);
	return val & 1 ? -EIO : 0;
}

static const struct virq_reg_region *linear(u32 offset)
{
	for (u32 i = 0; i < frame.nr_regions; i++)
		if (offset >= regions[i].offset &&
		    offset - regions[i].offset < regions[i].len)
			return &regions[i];
	return NULL;
}

/* Bytes of the widest access in @access */
static u32 widest(u8 access)
{
	if (access & VIRQ_REG_ACCESS_64)
		return 8;
	if (access & VIRQ_REG_ACCESS_32)
		return 4;
	if (access & VIRQ_REG_ACCESS_16)
		return 2;
	return 1;
}

static bool table_sane(void)
{
	for (u32 i = 0; i < frame.nr_regions; i++) {
		const struct virq_reg_region *r = &regions[i];

		if (!r->len || !r->access || r->access & ~0xf)
			return false;
		if (r->len % widest(r->access))
			return false;
		if ((u64)r->offset + r->len > frame.size)
			return false;
		if (r->bits_per_irq && 64 % r->bits_per_irq)
			return false;
		if (i && r->offset < (u64)regions[i - 1].offset +
				     regions[i - 1].len)
			return false;
	}
	return true;
}

int regs_fuzz_one_input(const u8 *data, size_t size);

int regs_fuzz_init(int *argc, char ***argv);

/* libFuzzer's initialisation hook (linked under its name) */
int regs_fuzz_init(int *argc, char ***argv)
{
	harness_warn_set_fatal(true);
	return 0;
}

/* libFuzzer's entry point (the Makefile links it under its name) */
int regs_fuzz_one_input(const u8 *data, size_t size)
{
	static const u32 lens[] = { 1, 2, 4, 8, 1, 2, 4, 8, 0, 3, 16, 7 };
	static const u8 bpis[] = { 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 3, 128 };
	struct fuzz_input in = { data, size };
	u32 n, i, off = 0;
	bool sorted = fuzz_take(&in, 1) & 1;

	n = fuzz_take(&in, 1) % (MAX_REGIONS + 1);
	for (i = 0; i < n; i++) {
		struct virq_reg_region *r = &regions[i];
		u8 h = fuzz_take(&in, 1);

		memset(r, 0, sizeof(*r));
		if (sorted)
			off += fuzz_take(&in, 1) & 0x3c;
		else
			off = fuzz_take(&in, 2);
		r->offset = off;
		r->len = fuzz_take(&in, 1) & 0x7c;
		if (r->len == 0x7c)
			r->len = 0xffffffff;	/* provoke wrap-around */
		r->bits_per_irq = bpis[fuzz_take(&in, 1) % sizeof(bpis)];
		r->access = fuzz_take(&in, 1) & 0x1f;
		r->read = h & 1 ? h_read : NULL;
		r->write = h & 2 ? h_write : NULL;
		r->uaccess_read = h & 4 ? h_uread : NULL;
		r->uaccess_write = h & 8 ? h_uwrite : NULL;
		r->name = "fuzz";
		if (sorted)
			off += r->len & 0xffff;
	}
	frame.regions = regions;
	frame.nr_regions = n;
	frame.size = fuzz_take(&in, 2) + 1;
	frame.nr_irqs = fuzz_take(&in, 1);

	if (virq_reg_frame_check(&frame)) {
		if (table_sane())
			fail("frame_check rejected a sane table");
		return 0;
	}
	if (!table_sane())
		fail("frame_check accepted a table it must reject");

	while (in.n) {
		u8 ctl = fuzz_take(&in, 1);
		u32 offset = fuzz_take(&in, 2) % (frame.size + 16);
		u32 len = lens[(ctl >> 4) % ARRAY_SIZE(lens)];
		bool write = ctl & 1, uaccess = ctl & 2;
		u64 val = write ? fuzz_take(&in, 1) : 0xdeadbeef;
		int ret;

		expect = linear(offset);
		if (virq_reg_find(&frame, offset) != expect)
			fail("bsearch and linear scan disagree");
		exp_off = offset;
		exp_len = len;
		calls = 0;
		ret = virq_reg_access(&frame, NULL, offset, len, write, &val,
				      uaccess);
		if (calls > 1)
			fail("more than one handler call");
		if (!uaccess && ret)
			fail("guest access failed");
		if (!uaccess && !write && !calls && val)
			fail("unclaimed guest read is not zero");
		if (uaccess && !expect && ret != -ENXIO)
			fail("uaccess to a hole is not -ENXIO");
		if (uaccess && expect && expect->bits_per_irq &&
		    (offset - expect->offset) * 8 / expect->bits_per_irq >=
		    frame.nr_irqs && ret != -EINVAL)
			fail("uaccess past nr_irqs is not -EINVAL");
		if (ret && ret != -ENXIO && ret != -EINVAL && ret != -EIO)
			fail("unexpected errno");
	}
	return 0;
}
