/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: the slab allocator on malloc (ASan sees every object),
 * through the harness's counted allocator: tests can fail the Nth
 * allocation (harness_fail_alloc_nth()) and check that nothing leaks.
 */
#ifndef _HARNESS_LINUX_SLAB_H
#define _HARNESS_LINUX_SLAB_H

#include <linux/gfp.h>
#include <linux/overflow.h>
#include <linux/types.h>
#include <linux/string.h>
#include <harness/rt.h>

#define ZERO_SIZE_PTR		((void *)16)
#define ZERO_OR_NULL_PTR(x)	((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

#define kmalloc(size, flags)						\
	harness_alloc((size), (flags), false, __FILE__, __LINE__)
#define kzalloc(size, flags)						\
	harness_alloc((size), (flags), true, __FILE__, __LINE__)
#define kmalloc_array(n, size, flags)					\
	harness_alloc(size_mul(n, size), (flags), false, __FILE__, __LINE__)
#define kcalloc(n, size, flags)						\
	harness_alloc(size_mul(n, size), (flags), true, __FILE__, __LINE__)
#define krealloc(p, size, flags)					\
	harness_realloc((p), (size), (flags), __FILE__, __LINE__)
#define krealloc_array(p, n, size, flags)				\
	harness_realloc((p), size_mul(n, size), (flags), __FILE__, __LINE__)
#define kmalloc_node(size, flags, node)		kmalloc(size, flags)
#define kzalloc_node(size, flags, node)		kzalloc(size, flags)
#define kmemdup(src, len, flags) ({					\
	size_t __len = (len);						\
	void *__p = kmalloc(__len, flags);				\
	if (__p)							\
		memcpy(__p, (src), __len);				\
	__p; })
#define kstrdup(s, flags)	kmemdup((s), strlen(s) + 1, flags)

static inline void kfree(const void *p)
{
	harness_free(p);
}

#define kfree_sensitive(p)	kfree(p)
#define kvmalloc(size, flags)		kmalloc(size, flags)
#define kvzalloc(size, flags)		kzalloc(size, flags)
#define kvmalloc_array(n, size, flags)	kmalloc_array(n, size, flags)
#define kvcalloc(n, size, flags)	kcalloc(n, size, flags)

static inline void kvfree(const void *p)
{
	harness_free(p);
}

#endif
