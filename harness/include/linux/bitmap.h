/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: bitmaps of unsigned long, bits past @nbits in the last
 * word are ignored by the queries (as in the kernel).  bitmap_alloc() and
 * friends go through the counted, failure-injectable allocator.
 */
#ifndef _HARNESS_LINUX_BITMAP_H
#define _HARNESS_LINUX_BITMAP_H

#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>
#include <harness/rt.h>

#define BITMAP_LAST_WORD_MASK(nbits) (~0UL >> (-(nbits) & (BITS_PER_LONG - 1)))

static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
	memset(dst, 0, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline void bitmap_fill(unsigned long *dst, unsigned int nbits)
{
	memset(dst, 0xff, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline void bitmap_copy(unsigned long *dst, const unsigned long *src,
			       unsigned int nbits)
{
	memcpy(dst, src, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline void bitmap_set(unsigned long *map, unsigned int start,
			      unsigned int nbits)
{
	while (nbits--)
		__set_bit(start++, map);
}

static inline void bitmap_clear(unsigned long *map, unsigned int start,
				unsigned int nbits)
{
	while (nbits--)
		__clear_bit(start++, map);
}

static inline unsigned int bitmap_weight(const unsigned long *src,
					 unsigned int nbits)
{
	unsigned int i, w = 0;

	for (i = 0; i < nbits; i++)
		w += test_bit(i, src);
	return w;
}

static inline bool bitmap_empty(const unsigned long *src, unsigned int nbits)
{
	return find_first_bit(src, nbits) == nbits;
}

static inline bool bitmap_full(const unsigned long *src, unsigned int nbits)
{
	return find_first_zero_bit(src, nbits) == nbits;
}

static inline bool bitmap_equal(const unsigned long *a,
				const unsigned long *b, unsigned int nbits)
{
	unsigned int i;

	for (i = 0; i < nbits; i++)
		if (test_bit(i, a) != test_bit(i, b))
			return false;
	return true;
}

#define __HARNESS_BITMAP_OP(name, expr)					\
static inline bool bitmap_##name(unsigned long *dst,			\
				 const unsigned long *a,		\
				 const unsigned long *b,		\
				 unsigned int nbits)			\
{									\
	unsigned int k;							\
	unsigned long r = 0;						\
									\
	for (k = 0; k < BITS_TO_LONGS(nbits); k++) {			\
		dst[k] = (expr);					\
		r |= dst[k] & (k == BITS_TO_LONGS(nbits) - 1 ?		\
			       BITMAP_LAST_WORD_MASK(nbits) : ~0UL);	\
	}								\
	return r != 0;							\
}
__HARNESS_BITMAP_OP(and, a[k] & b[k])
__HARNESS_BITMAP_OP(or, a[k] | b[k])
__HARNESS_BITMAP_OP(xor, a[k] ^ b[k])
__HARNESS_BITMAP_OP(andnot, a[k] & ~b[k])
#undef __HARNESS_BITMAP_OP

static inline bool bitmap_intersects(const unsigned long *a,
				     const unsigned long *b,
				     unsigned int nbits)
{
	unsigned int i;

	for (i = 0; i < nbits; i++)
		if (test_bit(i, a) && test_bit(i, b))
			return true;
	return false;
}

static inline unsigned long
bitmap_find_next_zero_area_off(unsigned long *map, unsigned long size,
			       unsigned long start, unsigned int nr,
			       unsigned long align_mask,
			       unsigned long align_offset)
{
	unsigned long index, end, i;
again:
	index = find_next_zero_bit(map, size, start);
	index = ((index + align_offset + align_mask) & ~align_mask) -
		align_offset;
	end = index + nr;
	if (end > size)
		return end;
	i = find_next_bit(map, end, index);
	if (i < end) {
		start = i + 1;
		goto again;
	}
	return index;
}

static inline unsigned long
bitmap_find_next_zero_area(unsigned long *map, unsigned long size,
			   unsigned long start, unsigned int nr,
			   unsigned long align_mask)
{
	return bitmap_find_next_zero_area_off(map, size, start, nr,
					      align_mask, 0);
}

/* Region helpers: 2^@order bits at a multiple of 2^@order. */
static inline int bitmap_find_free_region(unsigned long *bitmap,
					  unsigned int bits, int order)
{
	unsigned int pos, end, n = 1U << order;

	for (pos = 0; (end = pos + n) <= bits; pos = end) {
		unsigned int i = find_next_bit(bitmap, end, pos);

		if (i >= end) {
			bitmap_set(bitmap, pos, n);
			return pos;
		}
	}
	return -ENOMEM;
}

static inline void bitmap_release_region(unsigned long *bitmap,
					 unsigned int pos, int order)
{
	bitmap_clear(bitmap, pos, 1U << order);
}

static inline int bitmap_allocate_region(unsigned long *bitmap,
					 unsigned int pos, int order)
{
	unsigned int n = 1U << order;

	if (find_next_bit(bitmap, pos + n, pos) < pos + n)
		return -EBUSY;
	bitmap_set(bitmap, pos, n);
	return 0;
}

#define bitmap_alloc(nbits, flags)					\
	((unsigned long *)harness_alloc(BITS_TO_LONGS(nbits) * sizeof(long), \
					(flags), false, __FILE__, __LINE__))
#define bitmap_zalloc(nbits, flags)					\
	((unsigned long *)harness_alloc(BITS_TO_LONGS(nbits) * sizeof(long), \
					(flags), true, __FILE__, __LINE__))

static inline void bitmap_free(const unsigned long *bitmap)
{
	harness_free(bitmap);
}

#endif
