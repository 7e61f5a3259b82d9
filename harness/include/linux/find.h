/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim: bit searches; each returns @size when nothing is found. */
#ifndef _HARNESS_LINUX_FIND_H
#define _HARNESS_LINUX_FIND_H

#include <linux/bits.h>
#include <linux/types.h>

static inline unsigned long
__harness_find_bit(const unsigned long *addr, unsigned long size,
		   unsigned long offset, unsigned long invert)
{
	unsigned long tmp;

	if (offset >= size)
		return size;
	tmp = (addr[BIT_WORD(offset)] ^ invert) &
	      (~0UL << (offset & (BITS_PER_LONG - 1)));
	offset &= ~(BITS_PER_LONG - 1);
	while (!tmp) {
		offset += BITS_PER_LONG;
		if (offset >= size)
			return size;
		tmp = addr[BIT_WORD(offset)] ^ invert;
	}
	offset += __builtin_ctzl(tmp);
	return offset < size ? offset : size;
}

static inline unsigned long find_next_bit(const unsigned long *addr,
					  unsigned long size,
					  unsigned long offset)
{
	return __harness_find_bit(addr, size, offset, 0UL);
}

static inline unsigned long find_next_zero_bit(const unsigned long *addr,
					       unsigned long size,
					       unsigned long offset)
{
	return __harness_find_bit(addr, size, offset, ~0UL);
}

static inline unsigned long find_first_bit(const unsigned long *addr,
					   unsigned long size)
{
	return find_next_bit(addr, size, 0);
}

static inline unsigned long find_first_zero_bit(const unsigned long *addr,
						unsigned long size)
{
	return find_next_zero_bit(addr, size, 0);
}

static inline unsigned long find_last_bit(const unsigned long *addr,
					  unsigned long size)
{
	unsigned long i = size;

	while (i--)
		if (addr[BIT_WORD(i)] & BIT_MASK(i))
			return i;
	return size;
}

#define for_each_set_bit(bit, addr, size)				\
	for ((bit) = 0;							\
	     (bit) = find_next_bit((addr), (size), (bit)), (bit) < (size); \
	     (bit)++)

#define for_each_set_bit_from(bit, addr, size)				\
	for (; (bit) = find_next_bit((addr), (size), (bit)), (bit) < (size); \
	     (bit)++)

#define for_each_clear_bit(bit, addr, size)				\
	for ((bit) = 0;							\
	     (bit) = find_next_zero_bit((addr), (size), (bit)),		\
	     (bit) < (size);						\
	     (bit)++)

#endif
