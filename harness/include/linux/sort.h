/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim. */
#ifndef _HARNESS_LINUX_SORT_H
#define _HARNESS_LINUX_SORT_H

#include <linux/types.h>
#include <stdlib.h>

static inline void sort(void *base, size_t num, size_t size,
			int (*cmp)(const void *, const void *),
			void (*swap_fn)(void *, void *, int))
{
	if (num)
		qsort(base, num, size, cmp);
}

#endif
