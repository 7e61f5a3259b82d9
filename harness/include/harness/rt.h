/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The harness runtime behind the kernel-API shims (lib/rt.c): allocation
 * accounting and failure injection, lock ownership and atomic-context
 * tracking, WARN counting, printk.  Tests use the harness_* controls;
 * model code only sees the kernel names.
 */
#ifndef _HARNESS_RT_H
#define _HARNESS_RT_H

#include <stdbool.h>
#include <stddef.h>

/* --- allocations (slab.h, vmalloc.h, bitmap.h) --- */
void *harness_alloc(size_t size, unsigned int gfp, bool zero,
		    const char *file, int line);
void *harness_realloc(void *p, size_t size, unsigned int gfp,
		      const char *file, int line);
void harness_free(const void *p);

/*
 * Fail the @nth allocation from now (1 = the next one); 0 disarms.  Each
 * armed failure fires once.
 */
void harness_fail_alloc_nth(unsigned long nth);
/*
 * Observers (tests reading state) pause the accounting: while paused,
 * allocations neither count nor fail.  Nests.
 */
void harness_alloc_pause(void);
void harness_alloc_resume(void);
/* Allocation attempts since start (monotonic). */
unsigned long harness_alloc_attempts(void);
/* Allocations not yet freed. */
long harness_live_allocs(void);
/* Whether the armed failure has fired since arming. */
bool harness_alloc_failed(void);
/* Where the last injected failure hit. */
const char *harness_alloc_fail_site(void);

/* --- WARN (bug.h) --- */
void harness_warn(const char *file, int line, const char *cond);
unsigned long harness_warn_count(void);
/* Make every WARN abort: fuzzers treat a WARN as a finding. */
void harness_warn_set_fatal(bool fatal);
__attribute__((__noreturn__)) void harness_bug(const char *file, int line,
					       const char *cond);

/* --- printk --- */
__attribute__((__format__(printf, 2, 3)))
void harness_printk(int level, const char *fmt, ...);
/* 0: print everything; 1: errors only; 2: nothing. */
void harness_printk_set_quiet(int quiet);

/* --- locks (spinlock.h, mutex.h, lockdep.h, irqflags.h) --- */
struct harness_lock {
	int locked;
	unsigned long owner;	/* harness thread id, 0 when free */
};

#define HARNESS_LOCK_SPIN	0	/* spinlock_t: may nest in nothing raw */
#define HARNESS_LOCK_RAW	1	/* raw_spinlock_t, arch_spinlock_t */
#define HARNESS_LOCK_MUTEX	2	/* may sleep */

void harness_lock_acquire(struct harness_lock *l, int kind,
			  const char *file, int line);
bool harness_lock_try(struct harness_lock *l, int kind,
		      const char *file, int line);
void harness_lock_release(struct harness_lock *l, int kind,
			  const char *file, int line);
bool harness_lock_held(const struct harness_lock *l);
void harness_assert_held(const struct harness_lock *l, const char *what,
			 const char *file, int line);
void harness_assert_not_held(const struct harness_lock *l,
			     const char *what, const char *file, int line);
unsigned long harness_irq_save(void);
void harness_irq_restore(unsigned long flags, const char *file, int line);
bool harness_irqs_disabled(void);
void harness_might_sleep(const char *file, int line);
/* Spinlocks held by this thread (tests: must be 0 between calls). */
int harness_locks_held(void);

#endif /* _HARNESS_RT_H */
