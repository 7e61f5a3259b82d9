/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim: only the allocation side (kvmalloc lives in slab.h). */
#ifndef _HARNESS_LINUX_MM_H
#define _HARNESS_LINUX_MM_H

#include <linux/slab.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

#endif
