/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: FIELD_PREP/FIELD_GET/FIELD_MAX/FIELD_FIT for constant
 * masks, as the kernel's (without its compile-time mask checks).
 */
#ifndef _HARNESS_LINUX_BITFIELD_H
#define _HARNESS_LINUX_BITFIELD_H

#include <linux/bits.h>
#include <linux/types.h>

#define __bf_shf(x)		(__builtin_ffsll(x) - 1)

#define FIELD_MAX(mask)		((typeof(mask))((mask) >> __bf_shf(mask)))
#define FIELD_FIT(mask, val)						\
	(!((((typeof(mask))(val)) << __bf_shf(mask)) & ~(mask)))
#define FIELD_PREP(mask, val)						\
	((typeof(mask))(((typeof(mask))(val) << __bf_shf(mask)) & (mask)))
#define FIELD_GET(mask, reg)						\
	((typeof(mask))(((reg) & (mask)) >> __bf_shf(mask)))

#endif /* _HARNESS_LINUX_BITFIELD_H */
