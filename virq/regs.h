/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The register engine: models describe each register frame as a const
 * table of regions sorted by offset.  One lookup (binary search) and one
 * check of access width, alignment and interrupt index serve every model;
 * handlers never validate again.
 *
 * Guest accesses (read/write) cannot fail: unclaimed offsets read as zero
 * and ignore writes, as hardware does.  Save/restore accesses
 * (uaccess_read/uaccess_write, falling back to read/write) return an errno,
 * so restore can refuse values the guest could never have produced.
 */
#ifndef _VIRQ_REGS_H
#define _VIRQ_REGS_H

#include <linux/bits.h>
#include <linux/types.h>

#define VIRQ_REG_ACCESS_8	BIT(0)
#define VIRQ_REG_ACCESS_16	BIT(1)
#define VIRQ_REG_ACCESS_32	BIT(2)
#define VIRQ_REG_ACCESS_64	BIT(3)

/**
 * struct virq_reg_region - one register, or one array of per-IRQ registers
 * @offset: first byte, from the frame's base
 * @len: length in bytes, a whole number of the widest width in @access
 * @bits_per_irq: for per-IRQ arrays, bits each interrupt takes (the IRQ
 *	index the handler gets is derived from it); 0 for plain registers
 * @access: VIRQ_REG_ACCESS_* widths the guest may use; each access must
 *	be naturally aligned
 * @read: guest read of @len bytes at @offset (relative to the frame);
 *	NULL reads as zero
 * @write: guest write; NULL ignores writes
 * @uaccess_read: save path; NULL uses @read
 * @uaccess_write: restore path; NULL uses @write (and cannot fail)
 * @name: the register's name as the specification spells it
 */
struct virq_reg_region {
	u32 offset;
	u32 len;
	u8 bits_per_irq;
	u8 access;
	u64 (*read)(void *opaque, u32 offset, u32 irq, u32 len);
	void (*write)(void *opaque, u32 offset, u32 irq, u32 len, u64 val);
	int (*uaccess_read)(void *opaque, u32 offset, u32 irq, u32 len,
			    u64 *val);
	int (*uaccess_write)(void *opaque, u32 offset, u32 irq, u32 len,
			     u64 val);
	const char *name;
};

/**
 * struct virq_reg_frame - a register frame: a table and its size
 * @regions: sorted by offset, non-overlapping
 * @nr_regions: entries in @regions
 * @size: size of the frame in bytes
 * @nr_irqs: bound of the IRQ index of per-IRQ regions: guest accesses
 *	past it are RAZ/WI, save/restore accesses fail with -EINVAL
 */
struct virq_reg_frame {
	const struct virq_reg_region *regions;
	u32 nr_regions;
	u32 size;
	u32 nr_irqs;
};

#define VIRQ_REG(off, length, acc, rd, wr)				\
	{ .offset = (off), .len = (length), .access = (acc),		\
	  .read = (rd), .write = (wr), .name = #off }

#define VIRQ_REG_UACCESS(off, length, acc, rd, wr, urd, uwr)		\
	{ .offset = (off), .len = (length), .access = (acc),		\
	  .read = (rd), .write = (wr), .uaccess_read = (urd),		\
	  .uaccess_write = (uwr), .name = #off }

#define VIRQ_REG_PER_IRQ(off, length, bpi, acc, rd, wr)		\
	{ .offset = (off), .len = (length),				\
	  .bits_per_irq = (bpi), .access = (acc),			\
	  .read = (rd), .write = (wr), .name = #off }

const struct virq_reg_region *
virq_reg_find(const struct virq_reg_frame *frame, u32 offset);
int virq_reg_frame_check(const struct virq_reg_frame *frame);
int virq_reg_access(const struct virq_reg_frame *frame, void *opaque,
		    u32 offset, u32 len, bool write, u64 *val, bool uaccess);

u64 virq_reg_read_raz(void *opaque, u32 offset, u32 irq, u32 len);
void virq_reg_write_wi(void *opaque, u32 offset, u32 irq, u32 len, u64 val);
int virq_reg_uaccess_none_read(void *opaque, u32 offset, u32 irq, u32 len,
			       u64 *val);
int virq_reg_uaccess_none_write(void *opaque, u32 offset, u32 irq, u32 len,
				u64 val);

#endif /* _VIRQ_REGS_H */
