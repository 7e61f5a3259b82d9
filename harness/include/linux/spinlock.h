/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: spinlocks that really exclude (they spin on an atomic
 * word), record their owner for lockdep_assert_held(), count towards the
 * atomic context that might_sleep() rejects, and report recursion,
 * unlocks by a non-owner and spinlock_t taken inside a raw spinlock
 * (lockdep's PROVE_RAW_LOCK_NESTING rule).
 */
#ifndef _HARNESS_LINUX_SPINLOCK_H
#define _HARNESS_LINUX_SPINLOCK_H

#include <linux/kernel.h>
#include <linux/spinlock_types.h>
#include <linux/lockdep.h>
#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <linux/atomic.h>
#include <harness/rt.h>

#define __HL_ACQ(l, k)	harness_lock_acquire(l, k, __FILE__, __LINE__)
#define __HL_REL(l, k)	harness_lock_release(l, k, __FILE__, __LINE__)
#define __HL_TRY(l, k)	harness_lock_try(l, k, __FILE__, __LINE__)

/* arch_spinlock_t: raw, no lockdep */
#define arch_spin_lock(l)	__HL_ACQ(&(l)->hl, HARNESS_LOCK_RAW)
#define arch_spin_unlock(l)	__HL_REL(&(l)->hl, HARNESS_LOCK_RAW)
#define arch_spin_trylock(l)	__HL_TRY(&(l)->hl, HARNESS_LOCK_RAW)
#define arch_spin_is_locked(l)	(READ_ONCE((l)->hl.locked) != 0)

/* raw_spinlock_t */
#define raw_spin_lock_init(l)	do { *(l) = (raw_spinlock_t){}; } while (0)
#define raw_spin_lock(l)	__HL_ACQ(&(l)->dep_map, HARNESS_LOCK_RAW)
#define raw_spin_unlock(l)	__HL_REL(&(l)->dep_map, HARNESS_LOCK_RAW)
#define raw_spin_trylock(l)	__HL_TRY(&(l)->dep_map, HARNESS_LOCK_RAW)
#define raw_spin_is_locked(l)	(READ_ONCE((l)->dep_map.locked) != 0)
#define raw_spin_lock_irq(l)						\
	do { local_irq_disable(); raw_spin_lock(l); } while (0)
#define raw_spin_unlock_irq(l)						\
	do { raw_spin_unlock(l); local_irq_enable(); } while (0)
#define raw_spin_lock_irqsave(l, flags)					\
	do { local_irq_save(flags); raw_spin_lock(l); } while (0)
#define raw_spin_unlock_irqrestore(l, flags)				\
	do { raw_spin_unlock(l); local_irq_restore(flags); } while (0)
#define raw_spin_lock_nested(l, s)	raw_spin_lock(l)

/* spinlock_t */
#define spin_lock_init(l)	do { *(l) = (spinlock_t){}; } while (0)
#define spin_lock(l)		__HL_ACQ(&(l)->dep_map, HARNESS_LOCK_SPIN)
#define spin_unlock(l)		__HL_REL(&(l)->dep_map, HARNESS_LOCK_SPIN)
#define spin_trylock(l)		__HL_TRY(&(l)->dep_map, HARNESS_LOCK_SPIN)
#define spin_is_locked(l)	(READ_ONCE((l)->dep_map.locked) != 0)
#define spin_lock_bh(l)		spin_lock(l)
#define spin_unlock_bh(l)	spin_unlock(l)
#define spin_lock_irq(l)						\
	do { local_irq_disable(); spin_lock(l); } while (0)
#define spin_unlock_irq(l)						\
	do { spin_unlock(l); local_irq_enable(); } while (0)
#define spin_lock_irqsave(l, flags)					\
	do { local_irq_save(flags); spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, flags)				\
	do { spin_unlock(l); local_irq_restore(flags); } while (0)
#define spin_lock_nested(l, s)	spin_lock(l)
#define assert_spin_locked(l)	lockdep_assert_held(l)
#define assert_raw_spin_locked(l) lockdep_assert_held(l)

#include <linux/cleanup.h>
DEFINE_LOCK_GUARD_1(raw_spinlock, raw_spinlock_t, raw_spin_lock(_T->lock),
		    raw_spin_unlock(_T->lock))
DEFINE_LOCK_GUARD_1(raw_spinlock_irq, raw_spinlock_t,
		    raw_spin_lock_irq(_T->lock), raw_spin_unlock_irq(_T->lock))
DEFINE_LOCK_GUARD_1(raw_spinlock_irqsave, raw_spinlock_t,
		    raw_spin_lock_irqsave(_T->lock, _T->flags),
		    raw_spin_unlock_irqrestore(_T->lock, _T->flags),
		    unsigned long flags)
DEFINE_LOCK_GUARD_1(spinlock, spinlock_t, spin_lock(_T->lock),
		    spin_unlock(_T->lock))
DEFINE_LOCK_GUARD_1(spinlock_irq, spinlock_t, spin_lock_irq(_T->lock),
		    spin_unlock_irq(_T->lock))
DEFINE_LOCK_GUARD_1(spinlock_irqsave, spinlock_t,
		    spin_lock_irqsave(_T->lock, _T->flags),
		    spin_unlock_irqrestore(_T->lock, _T->flags),
		    unsigned long flags)

#endif
