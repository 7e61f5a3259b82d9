// SPDX-License-Identifier: GPL-2.0
/*
 * The register engine (see regs.h).  Pure logic: it also builds in the
 * userspace harness.
 */
#include <linux/bitops.h>
#include <linux/bsearch.h>
#include <linux/errno.h>
#include <linux/kernel.h>

#include "regs.h"

static int virq_reg_cmp(const void *key, const void *elt)
{
	const struct virq_reg_region *r = elt;
	u32 offset = *(const u32 *)key;

	if (offset < r->offset)
		return -1;
	if (offset >= r->offset + r->len)
		return 1;
	return 0;
}

/**
 * virq_reg_find() - the region of @frame that contains @offset
 * @frame: the register frame
 * @offset: byte offset from the frame's base
 *
 * Return: the region, or NULL if no region holds @offset.
 */
const struct virq_reg_region *
virq_reg_find(const struct virq_reg_frame *frame, u32 offset)
{
	return bsearch(&offset, frame->regions, frame->nr_regions,
		       sizeof(frame->regions[0]), virq_reg_cmp);
}

/* Bytes of the widest access @r allows; @r->access must not be 0. */
static u32 virq_reg_widest(const struct virq_reg_region *r)
{
	/* VIRQ_REG_ACCESS_* bit n stands for an access of 1 << n bytes */
	return 1U << (fls(r->access) - 1);
}

/**
 * virq_reg_frame_check() - check that a frame's table is usable
 * @frame: the register frame
 *
 * The lookup relies on the table being sorted and free of overlaps; every
 * region must fit the frame, allow at least one access width, and be a
 * whole number of its widest access.  Models call this once at init.
 *
 * Return: 0, or -EINVAL naming nothing: the table is a programming error.
 */
int virq_reg_frame_check(const struct virq_reg_frame *frame)
{
	u32 i;

	for (i = 0; i < frame->nr_regions; i++) {
		const struct virq_reg_region *r = &frame->regions[i];

		if (!r->len || !r->access || r->access & ~0xfU)
			return -EINVAL;
		if (r->len % virq_reg_widest(r))
			return -EINVAL;
		if (r->offset + r->len < r->offset ||
		    r->offset + r->len > frame->size)
			return -EINVAL;
		if (r->bits_per_irq && (r->bits_per_irq > 64 ||
					64 % r->bits_per_irq))
			return -EINVAL;
		if (i && r->offset < frame->regions[i - 1].offset +
				     frame->regions[i - 1].len)
			return -EINVAL;
	}
	return 0;
}

static bool virq_reg_width_ok(const struct virq_reg_region *r, u32 offset,
			      u32 len)
{
	u8 bit;

	switch (len) {
	case 1:
		bit = VIRQ_REG_ACCESS_8;
		break;
	case 2:
		bit = VIRQ_REG_ACCESS_16;
		break;
	case 4:
		bit = VIRQ_REG_ACCESS_32;
		break;
	case 8:
		bit = VIRQ_REG_ACCESS_64;
		break;
	default:
		return false;
	}
	/* Natural alignment, and the access must stay inside the region. */
	return (r->access & bit) && !(offset & (len - 1)) &&
	       offset + len <= r->offset + r->len;
}

/**
 * virq_reg_access() - perform one access on a register frame
 * @frame: the register frame
 * @opaque: the model's object, passed to handlers
 * @offset: byte offset from the frame's base
 * @len: 1, 2, 4 or 8
 * @write: a write rather than a read
 * @val: value written, or where the value read goes
 * @uaccess: a save/restore access rather than a guest one
 *
 * Guest accesses to unclaimed offsets, with a width or alignment the
 * register does not allow, or to per-IRQ entries past the frame's IRQs,
 * read as zero and ignore writes.  Save/restore accesses fail instead.
 *
 * Return: 0; for uaccess, -ENXIO (no register), -EINVAL (bad width or
 * alignment, or a per-IRQ entry past @frame->nr_irqs) or the handler's
 * errno.
 */
int virq_reg_access(const struct virq_reg_frame *frame, void *opaque,
		    u32 offset, u32 len, bool write, u64 *val, bool uaccess)
{
	const struct virq_reg_region *r = virq_reg_find(frame, offset);
	u32 rel, irq = 0;

	if (!r)
		goto unclaimed;
	if (!virq_reg_width_ok(r, offset, len)) {
		if (uaccess)
			return -EINVAL;
		goto ignored;
	}

	rel = offset - r->offset;
	if (r->bits_per_irq) {
		irq = rel * 8 / r->bits_per_irq;
		if (irq >= frame->nr_irqs) {
			if (uaccess)
				return -EINVAL;
			goto ignored;
		}
	}

	if (write) {
		if (uaccess && r->uaccess_write)
			return r->uaccess_write(opaque, offset, irq, len, *val);
		if (r->write)
			r->write(opaque, offset, irq, len, *val);
		return 0;
	}

	if (uaccess && r->uaccess_read)
		return r->uaccess_read(opaque, offset, irq, len, val);
	*val = r->read ? r->read(opaque, offset, irq, len) : 0;
	return 0;

unclaimed:
	if (uaccess)
		return -ENXIO;
ignored:
	if (!write)
		*val = 0;
	return 0;
}

u64 virq_reg_read_raz(void *opaque, u32 offset, u32 irq, u32 len)
{
	return 0;
}

void virq_reg_write_wi(void *opaque, u32 offset, u32 irq, u32 len, u64 val)
{
}

/* Registers with no state to save or restore (doorbells): -ENXIO */
int virq_reg_uaccess_none_read(void *opaque, u32 offset, u32 irq, u32 len,
			       u64 *val)
{
	return -ENXIO;
}

int virq_reg_uaccess_none_write(void *opaque, u32 offset, u32 irq, u32 len,
				u64 val)
{
	return -ENXIO;
}
