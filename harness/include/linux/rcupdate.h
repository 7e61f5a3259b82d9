/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: a single-threaded harness has no concurrent readers, so
 * a grace period is immediate: kfree_rcu() frees at once (ASan then
 * catches any access through a stale pointer).
 */
#ifndef _HARNESS_LINUX_RCUPDATE_H
#define _HARNESS_LINUX_RCUPDATE_H

#include <linux/compiler.h>
#include <linux/slab.h>
#include <linux/types.h>
#include <asm/barrier.h>

#define rcu_read_lock()		do { } while (0)
#define rcu_read_unlock()	do { } while (0)
#define rcu_read_lock_held()	1
#define rcu_dereference(p)	READ_ONCE(p)
#define rcu_dereference_raw(p)	READ_ONCE(p)
#define rcu_dereference_check(p, c)	READ_ONCE(p)
#define rcu_dereference_protected(p, c)	(p)
#define rcu_access_pointer(p)	READ_ONCE(p)
#define rcu_assign_pointer(p, v)	smp_store_release(&(p), (v))
#define RCU_INIT_POINTER(p, v)	WRITE_ONCE(p, v)
#define synchronize_rcu()	do { } while (0)
#define rcu_barrier()		do { } while (0)
#define kfree_rcu(p, f)		kfree(p)
#define kvfree_rcu(p, ...)	kvfree(p)

static inline void call_rcu(struct rcu_head *head,
			    void (*func)(struct rcu_head *head))
{
	func(head);
}

#endif
