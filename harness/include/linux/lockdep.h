/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim: lockdep assertions that check the owning thread. */
#ifndef _HARNESS_LINUX_LOCKDEP_H
#define _HARNESS_LINUX_LOCKDEP_H

#include <harness/rt.h>

#define lockdep_is_held(l)	harness_lock_held(&(l)->dep_map)
#define lockdep_assert_held(l)						\
	harness_assert_held(&(l)->dep_map, #l, __FILE__, __LINE__)
#define lockdep_assert_not_held(l)					\
	harness_assert_not_held(&(l)->dep_map, #l, __FILE__, __LINE__)
#define lockdep_assert_held_once(l)	lockdep_assert_held(l)
#define lockdep_assert_held_write(l)	lockdep_assert_held(l)
#define lockdep_assert_held_read(l)	lockdep_assert_held(l)
#define lockdep_assert(cond)						\
	do { if (!(cond))						\
		harness_warn(__FILE__, __LINE__, #cond); } while (0)
#define lockdep_assert_once(cond)	lockdep_assert(cond)
#define lockdep_assert_irqs_disabled()					\
	lockdep_assert(harness_irqs_disabled())
#define lockdep_assert_irqs_enabled()					\
	lockdep_assert(!harness_irqs_disabled())
#define lockdep_assert_preemption_disabled()	do { } while (0)
#define lockdep_set_class(l, k)		do { (void)(l); } while (0)
#define lockdep_set_subclass(l, s)	do { (void)(l); } while (0)

struct lock_class_key {
	int unused;
};

#endif
