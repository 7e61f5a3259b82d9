/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim: ARRAY_SIZE() refuses pointers, as the kernel's does. */
#ifndef _HARNESS_LINUX_ARRAY_SIZE_H
#define _HARNESS_LINUX_ARRAY_SIZE_H

#include <linux/build_bug.h>

#define __must_be_array(a) \
	BUILD_BUG_ON_ZERO(__builtin_types_compatible_p(__typeof__(a), \
						       __typeof__(&(a)[0])))
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]) + __must_be_array(arr))

#endif
