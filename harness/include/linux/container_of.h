/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim. */
#ifndef _HARNESS_LINUX_CONTAINER_OF_H
#define _HARNESS_LINUX_CONTAINER_OF_H

#include <linux/build_bug.h>
#include <linux/stddef.h>

#define container_of(ptr, type, member) ({				\
	void *__mptr = (void *)(ptr);					\
	_Static_assert(__builtin_types_compatible_p(__typeof__(*(ptr)),	\
			__typeof__(((type *)0)->member)) ||		\
		       __builtin_types_compatible_p(__typeof__(*(ptr)), void), \
		       "pointer type mismatch in container_of()");	\
	((type *)(__mptr - offsetof(type, member))); })

#define container_of_const(ptr, type, member) container_of(ptr, type, member)

#endif
