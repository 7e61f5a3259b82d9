/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: work items and delayed work on one global queue that
 * nothing runs by itself.  Tests run what is queued with
 * harness_run_work(), as if the workqueue (and, for delayed work, the
 * timer) had fired; the delay is recorded but not waited for.
 *
 * Single-threaded: the *_sync() cancels do not wait for a work function
 * running on another thread.  Queueing may happen in atomic context (as
 * in the kernel); the cancels and harness_run_work() may sleep.
 *
 * The kernel's <linux/workqueue.h> pulls in <linux/jiffies.h> (through
 * timer.h and ktime.h): HZ and msecs_to_jiffies() come with it here too,
 * unless a jiffies.h shim was included first.  (Once the harness has a
 * jiffies.h shim, include it from here instead.)
 */
#ifndef _HARNESS_LINUX_WORKQUEUE_H
#define _HARNESS_LINUX_WORKQUEUE_H

#include <linux/kernel.h>
#include <linux/types.h>

#ifndef _HARNESS_LINUX_JIFFIES_H
#ifndef HZ
#define HZ	250
#endif
static inline unsigned long msecs_to_jiffies(unsigned int m)
{
	return ((unsigned long)m * HZ + 999) / 1000;
}
#endif

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

/**
 * struct work_struct - a work item
 * @func: what runs
 * @next: next queued item (harness queue)
 * @pending: queued and not yet started
 */
struct work_struct {
	work_func_t func;
	struct work_struct *next;
	bool pending;
};

/**
 * struct delayed_work - a work item queued after a delay
 * @work: the item
 * @delay: jiffies asked for at the last queueing (not waited for)
 */
struct delayed_work {
	struct work_struct work;
	unsigned long delay;
};

/* The queue, shared by every object file of a program (weak: one copy). */
__weak struct work_struct *harness_work_head;
__weak int harness_work_lock;

static inline void __harness_work_lock(void)
{
	while (__atomic_exchange_n(&harness_work_lock, 1, __ATOMIC_ACQUIRE))
		;
}

static inline void __harness_work_unlock(void)
{
	__atomic_store_n(&harness_work_lock, 0, __ATOMIC_RELEASE);
}

static inline void __harness_init_work(struct work_struct *w,
				       work_func_t func)
{
	w->func = func;
	w->next = NULL;
	w->pending = false;
}

static inline void __harness_init_delayed_work(struct delayed_work *dw,
					       work_func_t func)
{
	__harness_init_work(&dw->work, func);
	dw->delay = 0;
}

#define INIT_WORK(w, f)			__harness_init_work(w, f)
#define INIT_DELAYED_WORK(dw, f)	__harness_init_delayed_work(dw, f)

static inline struct delayed_work *to_delayed_work(struct work_struct *w)
{
	return container_of(w, struct delayed_work, work);
}

static inline bool work_pending(struct work_struct *w)
{
	return READ_ONCE(w->pending);
}

#define delayed_work_pending(dw)	work_pending(&(dw)->work)

/* Append @w unless it is queued already; true if it was appended. */
static inline bool __harness_queue_work(struct work_struct *w)
{
	struct work_struct **pp;
	bool queued = false;

	__harness_work_lock();
	if (!w->pending) {
		for (pp = &harness_work_head; *pp; pp = &(*pp)->next)
			;
		w->next = NULL;
		w->pending = true;
		*pp = w;
		queued = true;
	}
	__harness_work_unlock();
	return queued;
}

/* Unlink @w if it is queued; true if it was. */
static inline bool __harness_unqueue_work(struct work_struct *w)
{
	struct work_struct **pp;
	bool found = false;

	__harness_work_lock();
	for (pp = &harness_work_head; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			w->next = NULL;
			w->pending = false;
			found = true;
			break;
		}
	}
	__harness_work_unlock();
	return found;
}

static inline bool schedule_work(struct work_struct *w)
{
	return __harness_queue_work(w);
}

static inline bool schedule_delayed_work(struct delayed_work *dw,
					 unsigned long delay)
{
	bool queued = __harness_queue_work(&dw->work);

	if (queued)
		dw->delay = delay;
	return queued;
}

static inline bool cancel_work_sync(struct work_struct *w)
{
	might_sleep();
	return __harness_unqueue_work(w);
}

static inline bool cancel_delayed_work(struct delayed_work *dw)
{
	return __harness_unqueue_work(&dw->work);
}

static inline bool cancel_delayed_work_sync(struct delayed_work *dw)
{
	might_sleep();
	return __harness_unqueue_work(&dw->work);
}

/*
 * Harness: run queued work items, oldest first, until the queue is empty
 * (items queued by a running item run too).  Returns how many ran.
 */
static inline unsigned int harness_run_work(void)
{
	struct work_struct *w;
	unsigned int n = 0;

	might_sleep();
	for (;;) {
		__harness_work_lock();
		w = harness_work_head;
		if (w) {
			harness_work_head = w->next;
			w->next = NULL;
			w->pending = false;
		}
		__harness_work_unlock();
		if (!w)
			return n;
		w->func(w);
		n++;
	}
}

/* Harness: how many work items are queued. */
static inline unsigned int harness_work_queued(void)
{
	struct work_struct *w;
	unsigned int n = 0;

	__harness_work_lock();
	for (w = harness_work_head; w; w = w->next)
		n++;
	__harness_work_unlock();
	return n;
}

#endif
