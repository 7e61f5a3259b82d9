/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim.  Unlike the kernel's, min()/max() do not check that both
 * sides have the same type: the kernel build (W=1) does.
 */
#ifndef _HARNESS_LINUX_MINMAX_H
#define _HARNESS_LINUX_MINMAX_H

#define __cmp_once(op, x, y) ({			\
	__typeof__(x) __x = (x);		\
	__typeof__(y) __y = (y);		\
	__x op __y ? __x : __y; })

#define min(x, y)		__cmp_once(<, x, y)
#define max(x, y)		__cmp_once(>, x, y)
#define umin(x, y)		min((x) + 0u + 0ul + 0ull, (y) + 0u + 0ul + 0ull)
#define umax(x, y)		max((x) + 0u + 0ul + 0ull, (y) + 0u + 0ul + 0ull)
#define min3(x, y, z)		min((__typeof__(x))min(x, y), z)
#define max3(x, y, z)		max((__typeof__(x))max(x, y), z)
#define min_t(type, x, y)	__cmp_once(<, (type)(x), (type)(y))
#define max_t(type, x, y)	__cmp_once(>, (type)(x), (type)(y))
#define clamp(val, lo, hi)	min((__typeof__(val))max(val, lo), hi)
#define clamp_t(type, val, lo, hi) min_t(type, max_t(type, val, lo), hi)
#define clamp_val(val, lo, hi)	clamp_t(__typeof__(val), val, lo, hi)

#define swap(a, b) \
	do { __typeof__(a) __tmp = (a); (a) = (b); (b) = __tmp; } while (0)

#endif
