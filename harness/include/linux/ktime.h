/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: ktime_t, and CLOCK_MONOTONIC as a fake clock that only
 * tests move.  The clock starts at 0 and advances only through
 * harness_clock_advance() (<linux/hrtimer.h>), which also runs the
 * hrtimers that expire on the way; ktime_get() reads it.  As in the
 * kernel (<linux/ktime.h> pulls in time64.h and timekeeping.h), this
 * header gives the NSEC_PER_* constants and ktime_get().
 */
#ifndef _HARNESS_LINUX_KTIME_H
#define _HARNESS_LINUX_KTIME_H

#include <linux/types.h>
#include <linux/math64.h>

typedef s64 ktime_t;

#define KTIME_MAX		((s64)~((u64)1 << 63))
#define KTIME_MIN		(-KTIME_MAX - 1)
#define KTIME_SEC_MAX		(KTIME_MAX / NSEC_PER_SEC)

#ifndef MSEC_PER_SEC
#define MSEC_PER_SEC		1000L
#endif
#ifndef USEC_PER_MSEC
#define USEC_PER_MSEC		1000L
#endif
#ifndef NSEC_PER_USEC
#define NSEC_PER_USEC		1000L
#endif
#ifndef NSEC_PER_MSEC
#define NSEC_PER_MSEC		1000000L
#endif
#ifndef USEC_PER_SEC
#define USEC_PER_SEC		1000000L
#endif
#ifndef NSEC_PER_SEC
#define NSEC_PER_SEC		1000000000L
#endif

/* The fake CLOCK_MONOTONIC, in ns (lib/hrtimer.c) */
s64 harness_clock_now(void);

static inline ktime_t ktime_set(const s64 secs, const unsigned long nsecs)
{
	if (secs >= KTIME_SEC_MAX)
		return KTIME_MAX;
	return secs * NSEC_PER_SEC + (s64)nsecs;
}

#define ktime_sub(lhs, rhs)	((lhs) - (rhs))
#define ktime_add(lhs, rhs)	((lhs) + (rhs))
#define ktime_add_unsafe(lhs, rhs) ((u64)(lhs) + (rhs))
#define ktime_add_ns(kt, nsval)	((kt) + (nsval))
#define ktime_sub_ns(kt, nsval)	((kt) - (nsval))

static inline s64 ktime_to_ns(const ktime_t kt)
{
	return kt;
}

static inline ktime_t ns_to_ktime(u64 ns)
{
	return ns;
}

static inline ktime_t ms_to_ktime(u64 ms)
{
	return ms * NSEC_PER_MSEC;
}

static inline ktime_t us_to_ktime(u64 us)
{
	return us * NSEC_PER_USEC;
}

static inline int ktime_compare(const ktime_t cmp1, const ktime_t cmp2)
{
	if (cmp1 < cmp2)
		return -1;
	if (cmp1 > cmp2)
		return 1;
	return 0;
}

static inline bool ktime_after(const ktime_t cmp1, const ktime_t cmp2)
{
	return ktime_compare(cmp1, cmp2) > 0;
}

static inline bool ktime_before(const ktime_t cmp1, const ktime_t cmp2)
{
	return ktime_compare(cmp1, cmp2) < 0;
}

static inline s64 ktime_to_us(const ktime_t kt)
{
	return kt / NSEC_PER_USEC;
}

static inline s64 ktime_to_ms(const ktime_t kt)
{
	return kt / NSEC_PER_MSEC;
}

static inline s64 ktime_us_delta(const ktime_t later, const ktime_t earlier)
{
	return ktime_to_us(ktime_sub(later, earlier));
}

/* timekeeping.h */
static inline ktime_t ktime_get(void)
{
	return harness_clock_now();
}

static inline u64 ktime_get_ns(void)
{
	return harness_clock_now();
}

#endif
