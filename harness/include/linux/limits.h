/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim: kernel limits; INT_MAX and friends come from libc. */
#ifndef _HARNESS_LINUX_LIMITS_H
#define _HARNESS_LINUX_LIMITS_H

#include_next <linux/limits.h>
#include <limits.h>

#define U8_MAX		((unsigned char)~0U)
#define S8_MAX		((signed char)(U8_MAX >> 1))
#define S8_MIN		((signed char)(-S8_MAX - 1))
#define U16_MAX		((unsigned short)~0U)
#define S16_MAX		((short)(U16_MAX >> 1))
#define S16_MIN		((short)(-S16_MAX - 1))
#define U32_MAX		((unsigned int)~0U)
#define U32_MIN		((unsigned int)0)
#define S32_MAX		((int)(U32_MAX >> 1))
#define S32_MIN		((int)(-S32_MAX - 1))
#define U64_MAX		((unsigned long long)~0ULL)
#define S64_MAX		((long long)(U64_MAX >> 1))
#define S64_MIN		((long long)(-S64_MAX - 1))
#ifndef SIZE_MAX
#define SIZE_MAX	(~(size_t)0)
#endif

#endif
