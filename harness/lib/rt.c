// SPDX-License-Identifier: GPL-2.0
/*
 * The harness runtime behind the kernel-API shims: see
 * include/harness/rt.h.  Plain userspace C; not compiled with the shims'
 * kernel headers.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <harness/rt.h>

#define HARNESS_GFP_DIRECT_RECLAIM	0x400u	/* gfp_types.h */
#define HARNESS_ZERO_SIZE_PTR		((void *)16)

/* --- allocations --- */

static unsigned long alloc_attempts;
static unsigned long fail_at;		/* attempt number that fails; 0: none */
static bool fail_fired;
static long live_allocs;
static char fail_site[256];
static int paused;

void harness_alloc_pause(void)
{
	paused++;
}

void harness_alloc_resume(void)
{
	paused--;
}

void harness_fail_alloc_nth(unsigned long nth)
{
	fail_at = nth ? alloc_attempts + nth : 0;
	fail_fired = false;
	fail_site[0] = 0;
}

unsigned long harness_alloc_attempts(void)
{
	return alloc_attempts;
}

long harness_live_allocs(void)
{
	return live_allocs;
}

bool harness_alloc_failed(void)
{
	return fail_fired;
}

const char *harness_alloc_fail_site(void)
{
	return fail_site;
}

static bool harness_alloc_should_fail(unsigned int gfp, const char *file,
				      int line)
{
	if (gfp & HARNESS_GFP_DIRECT_RECLAIM)
		harness_might_sleep(file, line);
	if (paused)
		return false;
	alloc_attempts++;
	if (fail_at && alloc_attempts == fail_at) {
		fail_at = 0;
		fail_fired = true;
		snprintf(fail_site, sizeof(fail_site), "%s:%d", file, line);
		return true;
	}
	return false;
}

void *harness_alloc(size_t size, unsigned int gfp, bool zero,
		    const char *file, int line)
{
	void *p;

	if (harness_alloc_should_fail(gfp, file, line))
		return NULL;
	if (size == SIZE_MAX)	/* size_mul() overflow */
		return NULL;
	if (!size)
		return HARNESS_ZERO_SIZE_PTR;
	p = zero ? calloc(1, size) : malloc(size);
	if (!p)
		return NULL;
	if (!zero)
		memset(p, 0xa5, size);	/* like slab poisoning: no free zeros */
	live_allocs++;
	return p;
}

void *harness_realloc(void *old, size_t size, unsigned int gfp,
		      const char *file, int line)
{
	void *p;

	if ((unsigned long)old <= (unsigned long)HARNESS_ZERO_SIZE_PTR)
		return harness_alloc(size, gfp, false, file, line);
	if (harness_alloc_should_fail(gfp, file, line))
		return NULL;
	if (!size) {
		harness_free(old);
		return HARNESS_ZERO_SIZE_PTR;
	}
	p = realloc(old, size);
	return p;
}

void harness_free(const void *p)
{
	if ((unsigned long)p <= (unsigned long)HARNESS_ZERO_SIZE_PTR)
		return;
	live_allocs--;
	free((void *)p);
}

/* --- WARN --- */

static unsigned long warn_count;
static bool warn_fatal;

void harness_warn(const char *file, int line, const char *cond)
{
	__atomic_add_fetch(&warn_count, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "WARNING: %s:%d: %s\n", file, line, cond);
	if (warn_fatal)
		abort();
}

unsigned long harness_warn_count(void)
{
	return __atomic_load_n(&warn_count, __ATOMIC_RELAXED);
}

void harness_warn_set_fatal(bool fatal)
{
	warn_fatal = fatal;
}

void harness_bug(const char *file, int line, const char *cond)
{
	fprintf(stderr, "BUG: %s:%d: %s\n", file, line, cond);
	abort();
}

/* --- printk --- */

static int printk_quiet;

void harness_printk_set_quiet(int quiet)
{
	printk_quiet = quiet;
}

void harness_printk(int level, const char *fmt, ...)
{
	va_list ap;

	/* A KERN_* prefix ("<N>") in the format overrides @level. */
	if (fmt[0] == '<' && fmt[1] >= '0' && fmt[1] <= '7' && fmt[2] == '>') {
		level = fmt[1] - '0';
		fmt += 3;
	}
	if (printk_quiet >= 2 || (printk_quiet == 1 && level > 3))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* --- locks and atomic context --- */

static unsigned long next_tid;
static __thread unsigned long my_tid;
static __thread int spin_depth;		/* spinlocks of any kind held */
static __thread int raw_depth;		/* raw/arch spinlocks held */
static __thread int irq_depth;		/* local_irq_save() nesting */

static unsigned long harness_tid(void)
{
	if (!my_tid)
		my_tid = __atomic_add_fetch(&next_tid, 1, __ATOMIC_RELAXED);
	return my_tid;
}

static void lock_bug(const char *what, const char *file, int line)
{
	fprintf(stderr, "LOCKING BUG: %s at %s:%d\n", what, file, line);
	abort();
}

static void lock_taken(struct harness_lock *l, int kind)
{
	__atomic_store_n(&l->owner, harness_tid(), __ATOMIC_RELAXED);
	if (kind != HARNESS_LOCK_MUTEX)
		spin_depth++;
	if (kind == HARNESS_LOCK_RAW)
		raw_depth++;
}

static void lock_pre(struct harness_lock *l, int kind, const char *file,
		     int line)
{
	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == harness_tid())
		lock_bug("recursive locking (self-deadlock)", file, line);
	if (kind == HARNESS_LOCK_MUTEX)
		harness_might_sleep(file, line);
	/* PREEMPT_RT: spinlock_t sleeps, so it cannot nest in a raw lock. */
	if (kind == HARNESS_LOCK_SPIN && raw_depth)
		harness_warn(file, line,
			     "spinlock_t taken inside a raw spinlock (invalid wait context)");
}

void harness_lock_acquire(struct harness_lock *l, int kind,
			  const char *file, int line)
{
	lock_pre(l, kind, file, line);
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		sched_yield();
	lock_taken(l, kind);
}

bool harness_lock_try(struct harness_lock *l, int kind, const char *file,
		      int line)
{
	if (kind == HARNESS_LOCK_MUTEX)
		harness_might_sleep(file, line);
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		return false;
	lock_taken(l, kind);
	return true;
}

void harness_lock_release(struct harness_lock *l, int kind,
			  const char *file, int line)
{
	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != harness_tid())
		lock_bug("unlocking a lock this thread does not hold", file,
			 line);
	__atomic_store_n(&l->owner, 0, __ATOMIC_RELAXED);
	if (kind != HARNESS_LOCK_MUTEX)
		spin_depth--;
	if (kind == HARNESS_LOCK_RAW)
		raw_depth--;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

bool harness_lock_held(const struct harness_lock *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) == harness_tid();
}

void harness_assert_held(const struct harness_lock *l, const char *what,
			 const char *file, int line)
{
	if (!harness_lock_held(l)) {
		char msg[300];

		snprintf(msg, sizeof(msg), "lockdep_assert_held(%s)", what);
		harness_warn(file, line, msg);
	}
}

void harness_assert_not_held(const struct harness_lock *l, const char *what,
			     const char *file, int line)
{
	if (harness_lock_held(l)) {
		char msg[300];

		snprintf(msg, sizeof(msg), "lock %s held", what);
		harness_warn(file, line, msg);
	}
}

unsigned long harness_irq_save(void)
{
	return irq_depth++ ? 0 : 1;	/* 1: IRQs were enabled */
}

void harness_irq_restore(unsigned long flags, const char *file, int line)
{
	if (irq_depth <= 0)
		lock_bug("IRQs restored more often than disabled", file, line);
	irq_depth--;
	if (flags != (irq_depth ? 0 : 1))
		lock_bug("local_irq_restore() with the wrong flags", file,
			 line);
}

bool harness_irqs_disabled(void)
{
	return irq_depth > 0;
}

void harness_might_sleep(const char *file, int line)
{
	if (spin_depth || irq_depth)
		harness_warn(file, line,
			     "sleeping function called from invalid context");
}

int harness_locks_held(void)
{
	return spin_depth + irq_depth;
}
