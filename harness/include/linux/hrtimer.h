/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: hrtimers on the fake CLOCK_MONOTONIC of <linux/ktime.h>.
 *
 * Timers never fire on their own: harness_clock_advance(ns) moves the
 * clock forward and, on the way, runs every queued timer whose expiry is
 * reached, in expiry order (equal expiries in the order they were
 * queued), with the clock set to that expiry while the callback runs.  A
 * callback returning HRTIMER_RESTART is queued again at its (forwarded)
 * expiry unless it was started again meanwhile, as in the kernel's
 * __run_hrtimer().  A timer started in the past fires on the next
 * harness_clock_advance(), even harness_clock_advance(0).
 *
 * Callbacks run with "IRQs off" (harness_irq_save()), as hard hrtimers
 * do, so a callback that sleeps is reported.  The kernel's rules are
 * checked: hrtimer_cancel() might sleep, and waiting for the callback it
 * is called from is a deadlock (WARN); hrtimer_try_to_cancel() on a timer
 * whose callback runs returns -1 and leaves the timer alone; changing
 * the expiry of a queued timer, forwarding a queued timer, a restart
 * that does not move the expiry forward (the kernel would loop), and a
 * start whose soft/hard mode differs from hrtimer_init()'s WARN.
 *
 * One thread drives the clock; starting and cancelling from others is
 * safe (the queue has a lock), but a callback runs on the thread that
 * advances the clock.
 */
#ifndef _HARNESS_LINUX_HRTIMER_H
#define _HARNESS_LINUX_HRTIMER_H

#include <linux/types.h>
#include <linux/ktime.h>
#include <linux/bug.h>

#ifndef CLOCK_REALTIME
#define CLOCK_REALTIME		0
#endif
#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC		1
#endif
#ifndef CLOCK_BOOTTIME
#define CLOCK_BOOTTIME		7
#endif
#ifndef CLOCK_TAI
#define CLOCK_TAI		11
#endif

enum hrtimer_mode {
	HRTIMER_MODE_ABS	= 0x00,
	HRTIMER_MODE_REL	= 0x01,
	HRTIMER_MODE_PINNED	= 0x02,
	HRTIMER_MODE_SOFT	= 0x04,
	HRTIMER_MODE_HARD	= 0x08,

	HRTIMER_MODE_ABS_PINNED = HRTIMER_MODE_ABS | HRTIMER_MODE_PINNED,
	HRTIMER_MODE_REL_PINNED = HRTIMER_MODE_REL | HRTIMER_MODE_PINNED,

	HRTIMER_MODE_ABS_SOFT	= HRTIMER_MODE_ABS | HRTIMER_MODE_SOFT,
	HRTIMER_MODE_REL_SOFT	= HRTIMER_MODE_REL | HRTIMER_MODE_SOFT,

	HRTIMER_MODE_ABS_PINNED_SOFT = HRTIMER_MODE_ABS_PINNED |
				       HRTIMER_MODE_SOFT,
	HRTIMER_MODE_REL_PINNED_SOFT = HRTIMER_MODE_REL_PINNED |
				       HRTIMER_MODE_SOFT,

	HRTIMER_MODE_ABS_HARD	= HRTIMER_MODE_ABS | HRTIMER_MODE_HARD,
	HRTIMER_MODE_REL_HARD	= HRTIMER_MODE_REL | HRTIMER_MODE_HARD,

	HRTIMER_MODE_ABS_PINNED_HARD = HRTIMER_MODE_ABS_PINNED |
				       HRTIMER_MODE_HARD,
	HRTIMER_MODE_REL_PINNED_HARD = HRTIMER_MODE_REL_PINNED |
				       HRTIMER_MODE_HARD,
};

enum hrtimer_restart {
	HRTIMER_NORESTART,
	HRTIMER_RESTART,
};

#define HRTIMER_STATE_INACTIVE	0x00
#define HRTIMER_STATE_ENQUEUED	0x01

/**
 * struct hrtimer - the harness's hrtimer
 * @function: the callback (set by the user after hrtimer_init())
 * @expires: absolute expiry on the fake clock
 * @state: HRTIMER_STATE_ENQUEUED while queued
 * @is_soft: initialised with HRTIMER_MODE_SOFT
 * @is_hard: initialised with HRTIMER_MODE_HARD
 * @harness_init: hrtimer_init() was called
 * @harness_running: the callback is running
 * @harness_next: next in the queue
 * @harness_seq: queueing order, for equal expiries
 */
struct hrtimer {
	enum hrtimer_restart (*function)(struct hrtimer *timer);
	ktime_t expires;
	u8 state;
	u8 is_soft;
	u8 is_hard;
	bool harness_init;
	bool harness_running;
	struct hrtimer *harness_next;
	unsigned long harness_seq;
};

void hrtimer_init(struct hrtimer *timer, clockid_t which_clock,
		  enum hrtimer_mode mode);
void hrtimer_start_range_ns(struct hrtimer *timer, ktime_t tim,
			    u64 range_ns, const enum hrtimer_mode mode);
int hrtimer_try_to_cancel(struct hrtimer *timer);
int hrtimer_cancel(struct hrtimer *timer);
u64 hrtimer_forward(struct hrtimer *timer, ktime_t now, ktime_t interval);
void harness_hrtimer_warn_queued(const struct hrtimer *timer,
				 const char *what);

static inline void hrtimer_start(struct hrtimer *timer, ktime_t tim,
				 const enum hrtimer_mode mode)
{
	hrtimer_start_range_ns(timer, tim, 0, mode);
}

static inline bool hrtimer_is_queued(struct hrtimer *timer)
{
	return !!(READ_ONCE(timer->state) & HRTIMER_STATE_ENQUEUED);
}

static inline bool hrtimer_callback_running(struct hrtimer *timer)
{
	return READ_ONCE(timer->harness_running);
}

static inline bool hrtimer_active(const struct hrtimer *timer)
{
	return (READ_ONCE(timer->state) & HRTIMER_STATE_ENQUEUED) ||
	       READ_ONCE(timer->harness_running);
}

static inline void hrtimer_set_expires(struct hrtimer *timer, ktime_t time)
{
	harness_hrtimer_warn_queued(timer, __func__);
	timer->expires = time;
}

static inline void hrtimer_add_expires_ns(struct hrtimer *timer, u64 ns)
{
	harness_hrtimer_warn_queued(timer, __func__);
	timer->expires += ns;
}

static inline void hrtimer_add_expires(struct hrtimer *timer, ktime_t time)
{
	harness_hrtimer_warn_queued(timer, __func__);
	timer->expires += time;
}

static inline ktime_t hrtimer_get_expires(const struct hrtimer *timer)
{
	return timer->expires;
}

static inline s64 hrtimer_get_expires_ns(const struct hrtimer *timer)
{
	return timer->expires;
}

static inline ktime_t hrtimer_get_remaining(const struct hrtimer *timer)
{
	return timer->expires - ktime_get();
}

static inline ktime_t hrtimer_expires_remaining(const struct hrtimer *timer)
{
	return timer->expires - ktime_get();
}

static inline u64 hrtimer_forward_now(struct hrtimer *timer,
				      ktime_t interval)
{
	return hrtimer_forward(timer, ktime_get(), interval);
}

/* --- harness controls --- */

/*
 * Move the fake clock forward by @ns, running the timers that expire up
 * to and including the new time.  Call with no lock held and IRQs on.
 * Returns the number of callbacks run.
 */
unsigned long harness_clock_advance(u64 ns);
/* Timers queued now (a freed object still queued is a bug: ASan sees it) */
unsigned long harness_hrtimers_queued(void);
/*
 * @hook runs after an expired timer left the queue and is marked running,
 * just before its callback (no lock held, IRQs on): a test uses it to act
 * as another CPU racing with the callback, or calls
 * harness_clock_advance() from it to make the callback run late (other
 * timers expire meanwhile; this one is not queued).  NULL removes it.
 */
void harness_hrtimer_set_hook(void (*hook)(struct hrtimer *timer));

#endif
