/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim: mutexes that may sleep (might_sleep() checks callers). */
#ifndef _HARNESS_LINUX_MUTEX_H
#define _HARNESS_LINUX_MUTEX_H

#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <harness/rt.h>

struct mutex {
	struct harness_lock dep_map;
};

#define __MUTEX_INITIALIZER(x)	{ { 0, 0 } }
#define DEFINE_MUTEX(x)		struct mutex x = __MUTEX_INITIALIZER(x)
#define mutex_init(m)		do { *(m) = (struct mutex){}; } while (0)
#define mutex_destroy(m)						\
	harness_assert_not_held(&(m)->dep_map, #m, __FILE__, __LINE__)
#define mutex_lock(m)							\
	harness_lock_acquire(&(m)->dep_map, HARNESS_LOCK_MUTEX,		\
			     __FILE__, __LINE__)
#define mutex_lock_nested(m, s)	mutex_lock(m)
#define mutex_lock_interruptible(m)	({ mutex_lock(m); 0; })
#define mutex_lock_killable(m)		({ mutex_lock(m); 0; })
#define mutex_trylock(m)						\
	harness_lock_try(&(m)->dep_map, HARNESS_LOCK_MUTEX, __FILE__, __LINE__)
#define mutex_unlock(m)							\
	harness_lock_release(&(m)->dep_map, HARNESS_LOCK_MUTEX,		\
			     __FILE__, __LINE__)
#include <linux/cleanup.h>
DEFINE_LOCK_GUARD_1(mutex, struct mutex, mutex_lock(_T->lock),
		    mutex_unlock(_T->lock))

#define mutex_is_locked(m)	(READ_ONCE((m)->dep_map.locked) != 0)

#endif
