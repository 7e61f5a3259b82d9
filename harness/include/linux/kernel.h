/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: the pieces of the kernel's <linux/kernel.h> (and what it
 * pulls in) that pure model logic uses.
 */
#ifndef _HARNESS_LINUX_KERNEL_H
#define _HARNESS_LINUX_KERNEL_H

#include_next <linux/kernel.h>

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/limits.h>
#include <linux/stddef.h>
#include <linux/bits.h>
#include <linux/array_size.h>
#include <linux/build_bug.h>
#include <linux/container_of.h>
#include <linux/err.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/stringify.h>
#include <linux/bug.h>
#include <harness/rt.h>

#define might_sleep()		harness_might_sleep(__FILE__, __LINE__)
#define might_sleep_if(c)	do { if (c) might_sleep(); } while (0)
#define cond_resched()		({ might_sleep(); 0; })
#define typecheck(type, x) ({ type __dummy; __typeof__(x) __dummy2; \
	(void)(&__dummy == &__dummy2); 1; })

#endif
