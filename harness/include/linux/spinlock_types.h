/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: every lock is a harness_lock that knows its owner, so
 * lockdep_assert_held() really checks that this thread holds it.  Like
 * the kernel's, spinlock_t and raw_spinlock_t carry a dep_map for lockdep
 * and arch_spinlock_t does not (lockdep_assert_held() on one does not
 * build with CONFIG_LOCKDEP).
 */
#ifndef _HARNESS_LINUX_SPINLOCK_TYPES_H
#define _HARNESS_LINUX_SPINLOCK_TYPES_H

#include <harness/rt.h>

typedef struct {
	struct harness_lock hl;
} arch_spinlock_t;

typedef struct raw_spinlock {
	struct harness_lock dep_map;
} raw_spinlock_t;

typedef struct spinlock {
	struct harness_lock dep_map;
} spinlock_t;

#define __ARCH_SPIN_LOCK_UNLOCKED	{ { 0, 0 } }
#define __RAW_SPIN_LOCK_UNLOCKED(x)	{ { 0, 0 } }
#define __SPIN_LOCK_UNLOCKED(x)		{ { 0, 0 } }
#define DEFINE_RAW_SPINLOCK(x)	raw_spinlock_t x = __RAW_SPIN_LOCK_UNLOCKED(x)
#define DEFINE_SPINLOCK(x)	spinlock_t x = __SPIN_LOCK_UNLOCKED(x)

#endif
