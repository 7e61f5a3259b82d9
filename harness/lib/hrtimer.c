// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's fake CLOCK_MONOTONIC and the hrtimers that run on it
 * (include/linux/hrtimer.h describes the rules).  The queue is a list
 * sorted by expiry, then by queueing order; a tiny lock (not a harness
 * lock: it must not count as a spinlock the caller holds) makes starts
 * and cancels from several threads safe.
 */
#include <sched.h>

#include <linux/hrtimer.h>
#include <harness/rt.h>

static s64 clock_now;
static struct hrtimer *queue;
static unsigned long queue_seq;
static int queue_locked;
static void (*run_hook)(struct hrtimer *timer);

static void queue_lock(void)
{
	while (__atomic_exchange_n(&queue_locked, 1, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void queue_unlock(void)
{
	__atomic_store_n(&queue_locked, 0, __ATOMIC_RELEASE);
}

s64 harness_clock_now(void)
{
	return __atomic_load_n(&clock_now, __ATOMIC_RELAXED);
}

void harness_hrtimer_set_hook(void (*hook)(struct hrtimer *timer))
{
	run_hook = hook;
}

void harness_hrtimer_warn_queued(const struct hrtimer *timer,
				 const char *what)
{
	if (READ_ONCE(timer->state) & HRTIMER_STATE_ENQUEUED) {
		harness_printk(4, "%s() on a queued hrtimer\n", what);
		harness_warn(__FILE__, __LINE__,
			     "expiry of a queued hrtimer changed");
	}
}

/* Under queue_lock() */
static void dequeue(struct hrtimer *timer)
{
	struct hrtimer **p;

	if (!(timer->state & HRTIMER_STATE_ENQUEUED))
		return;
	for (p = &queue; *p; p = &(*p)->harness_next) {
		if (*p == timer) {
			*p = timer->harness_next;
			break;
		}
	}
	timer->harness_next = NULL;
	timer->state &= ~HRTIMER_STATE_ENQUEUED;
}

/* Under queue_lock(): after the timers with the same or an earlier expiry */
static void enqueue(struct hrtimer *timer)
{
	struct hrtimer **p;

	for (p = &queue; *p; p = &(*p)->harness_next)
		if ((*p)->expires > timer->expires)
			break;
	timer->harness_next = *p;
	timer->harness_seq = ++queue_seq;
	*p = timer;
	timer->state |= HRTIMER_STATE_ENQUEUED;
}

void hrtimer_init(struct hrtimer *timer, clockid_t which_clock,
		  enum hrtimer_mode mode)
{
	if (which_clock != CLOCK_MONOTONIC)
		harness_warn(__FILE__, __LINE__,
			     "the harness has only CLOCK_MONOTONIC");
	*timer = (struct hrtimer){
		.is_soft = !!(mode & HRTIMER_MODE_SOFT),
		.is_hard = !!(mode & HRTIMER_MODE_HARD),
		.harness_init = true,
	};
}

void hrtimer_start_range_ns(struct hrtimer *timer, ktime_t tim,
			    u64 range_ns, const enum hrtimer_mode mode)
{
	if (!timer->harness_init || !timer->function)
		harness_warn(__FILE__, __LINE__,
			     "hrtimer started before hrtimer_init() and ->function");
	/* The kernel's check in hrtimer_start_range_ns() */
	if (!(mode & HRTIMER_MODE_SOFT) != !timer->is_soft)
		harness_warn(__FILE__, __LINE__,
			     "hrtimer started in a soft/hard mode unlike hrtimer_init()'s");
	if (mode & HRTIMER_MODE_REL)
		tim += harness_clock_now();
	queue_lock();
	dequeue(timer);
	timer->expires = tim;
	enqueue(timer);
	queue_unlock();
}

int hrtimer_try_to_cancel(struct hrtimer *timer)
{
	int ret = 0;

	queue_lock();
	if (timer->harness_running) {
		ret = -1;
	} else if (timer->state & HRTIMER_STATE_ENQUEUED) {
		dequeue(timer);
		ret = 1;
	}
	queue_unlock();
	return ret;
}

int hrtimer_cancel(struct hrtimer *timer)
{
	int ret;

	harness_might_sleep(__FILE__, __LINE__);
	ret = hrtimer_try_to_cancel(timer);
	if (ret < 0) {
		/*
		 * The callback runs on this thread (the harness runs them
		 * synchronously), so the kernel would wait for ever.
		 */
		harness_warn(__FILE__, __LINE__,
			     "cancelling waits for the running callback: deadlock");
		queue_lock();
		dequeue(timer);
		queue_unlock();
	}
	return ret;
}

u64 hrtimer_forward(struct hrtimer *timer, ktime_t now, ktime_t interval)
{
	s64 delta = now - timer->expires;
	u64 orun = 1;

	if (delta < 0)
		return 0;
	if (timer->state & HRTIMER_STATE_ENQUEUED) {
		harness_warn(__FILE__, __LINE__,
			     "forwarding a queued hrtimer");
		return 0;
	}
	if (interval < 1)
		interval = 1;
	if (delta >= interval) {
		orun = delta / interval;
		timer->expires += orun * interval;
		if (timer->expires > now)
			return orun;
		orun++;
	}
	timer->expires += interval;
	return orun;
}

unsigned long harness_hrtimers_queued(void)
{
	unsigned long n = 0;
	struct hrtimer *t;

	queue_lock();
	for (t = queue; t; t = t->harness_next)
		n++;
	queue_unlock();
	return n;
}

unsigned long harness_clock_advance(u64 ns)
{
	s64 end = harness_clock_now() + (s64)ns;
	enum hrtimer_restart restart;
	unsigned long runs = 0, flags;
	struct hrtimer *timer;
	s64 fired_at;

	if (harness_locks_held())
		harness_warn(__FILE__, __LINE__,
			     "the clock advanced with a lock held or IRQs off");
	for (;;) {
		queue_lock();
		timer = queue;
		if (!timer || timer->expires > end) {
			queue_unlock();
			break;
		}
		dequeue(timer);
		timer->harness_running = true;
		fired_at = timer->expires;
		if (fired_at > harness_clock_now())
			__atomic_store_n(&clock_now, fired_at,
					 __ATOMIC_RELAXED);
		queue_unlock();

		if (run_hook)
			run_hook(timer);
		flags = harness_irq_save();
		restart = timer->function(timer);
		harness_irq_restore(flags, __FILE__, __LINE__);
		runs++;

		queue_lock();
		timer->harness_running = false;
		if (restart == HRTIMER_RESTART &&
		    !(timer->state & HRTIMER_STATE_ENQUEUED)) {
			if (timer->expires <= fired_at) {
				queue_unlock();
				harness_warn(__FILE__, __LINE__,
					     "HRTIMER_RESTART without a later expiry (the kernel would loop)");
				continue;
			}
			enqueue(timer);
		}
		queue_unlock();
	}
	if (end > harness_clock_now())
		__atomic_store_n(&clock_now, end, __ATOMIC_RELAXED);
	return runs;
}
