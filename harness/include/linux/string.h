/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim: libc's string functions plus the kernel's extras. */
#ifndef _HARNESS_LINUX_STRING_H
#define _HARNESS_LINUX_STRING_H

#include_next <linux/string.h>
#include <string.h>
#include <linux/types.h>

static inline void *memchr_inv(const void *start, int c, size_t bytes)
{
	const u8 *p = start;
	size_t i;

	for (i = 0; i < bytes; i++)
		if (p[i] != (u8)c)
			return (void *)(p + i);
	return NULL;
}

static inline bool mem_is_zero(const void *s, size_t n)
{
	return !memchr_inv(s, 0, n);
}

static inline ssize_t strscpy(char *dst, const char *src, size_t count)
{
	size_t len;

	if (!count)
		return -7;	/* -E2BIG */
	len = strnlen(src, count);
	if (len == count) {
		memcpy(dst, src, count - 1);
		dst[count - 1] = 0;
		return -7;
	}
	memcpy(dst, src, len + 1);
	return len;
}

#define memset_after(obj, v, member)					\
	memset((u8 *)(obj) + offsetofend(__typeof__(*(obj)), member), v, \
	       sizeof(*(obj)) - offsetofend(__typeof__(*(obj)), member))

#endif
