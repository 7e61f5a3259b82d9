/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim. */
#ifndef _HARNESS_LINUX_LOG2_H
#define _HARNESS_LINUX_LOG2_H

#include <linux/bitops.h>

static inline __attribute__((const)) bool is_power_of_2(unsigned long n)
{
	return n != 0 && ((n & (n - 1)) == 0);
}

#define ilog2(n)	((int)(63 - __builtin_clzll((unsigned long long)(n) | 1)))

static inline unsigned long __roundup_pow_of_two(unsigned long n)
{
	return 1UL << fls_long(n - 1);
}

static inline unsigned long __rounddown_pow_of_two(unsigned long n)
{
	return 1UL << (fls_long(n) - 1);
}

#define roundup_pow_of_two(n)	__roundup_pow_of_two(n)
#define rounddown_pow_of_two(n)	__rounddown_pow_of_two(n)
#define order_base_2(n)		((n) > 1 ? ilog2((n) - 1) + 1 : 0)

#endif
