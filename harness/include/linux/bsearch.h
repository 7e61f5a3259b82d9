/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: the kernel's bsearch (lib/bsearch.c), which accepts
 * num == 0 with a NULL base; libc's declares base nonnull.
 */
#ifndef _HARNESS_LINUX_BSEARCH_H
#define _HARNESS_LINUX_BSEARCH_H

#include <linux/types.h>
#include <stdlib.h>

typedef int (*cmp_func_t)(const void *a, const void *b);

static __always_inline void *__inline_bsearch(const void *key,
					      const void *base, size_t num,
					      size_t size, cmp_func_t cmp)
{
	const char *pivot;
	int result;

	while (num > 0) {
		pivot = (const char *)base + (num >> 1) * size;
		result = cmp(key, pivot);

		if (result == 0)
			return (void *)pivot;

		if (result > 0) {
			base = pivot + size;
			num--;
		}
		num >>= 1;
	}

	return NULL;
}

#define bsearch harness_bsearch
static inline void *harness_bsearch(const void *key, const void *base,
				    size_t num, size_t size, cmp_func_t cmp)
{
	return __inline_bsearch(key, base, num, size, cmp);
}

#endif
