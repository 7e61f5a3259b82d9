// SPDX-License-Identifier: GPL-2.0
/*
 * The LAPIC timer (Intel SDM vol. 3, 11.5.4): one-shot, periodic and
 * TSC-deadline modes, on one CLOCK_MONOTONIC hrtimer per LAPIC.
 *
 * Time base.  The APIC bus runs at 1 GHz, as in KVM: the current count
 * goes down by one every divisor ns (TDCR), so a count of TMICT lasts
 * TMICT * divisor ns.  The guest TSC is what the VMM set through
 * VIRQ_X86_VGRP_TSC: offset + tsc_khz * CLOCK_MONOTONIC ns / 10^6,
 * modulo 2^64.
 *
 * State.  lapic.c owns the registers.  The timer keeps a copy of LVTT,
 * TMICT and TDCR (what lapic.c last passed), IA32_TSC_DEADLINE, and while
 * it runs the monotonic time of its next expiry; TMCCT is computed from
 * that on every read.  Modes (LVTT bits 18:17):
 *
 *   one-shot      TMICT != 0 written: expires TMICT * divisor ns later,
 *                 then stops (TMCCT reads 0)
 *   periodic      the same, then starts over, forever; the period is
 *                 at least X86_TIMER_MIN_PERIOD_NS (see timer.h)
 *   TSC-deadline  a non-zero IA32_TSC_DEADLINE expires when the guest
 *                 TSC reaches it, then reads 0; TMICT writes are
 *                 ignored and TMCCT reads 0 (SDM 11.5.4.1)
 *   reserved (3)  never counts (KVM counts it as a one-shot timer)
 *
 * Writing LVTT with another mode stops the timer and clears the deadline
 * (SDM 11.5.4.1: a write that changes the timer mode disarms it).  KVM
 * only does so when entering or leaving TSC-deadline mode, and lets a
 * count run on between one-shot and periodic.  The mask bit changes
 * nothing here: a masked timer counts, and every expiry calls
 * x86_lapic_timer_fired(), which raises nothing while LVTT is masked.
 *
 * Locking.  lapic.c calls in with its raw LAPIC lock held, and the
 * hrtimer callback cannot take that lock, since x86_lapic_timer_fired()
 * does.  So the timer state has a raw lock of its own, inside the LAPIC
 * lock:
 *
 *   x86_lapic.lock (raw, IRQs off)
 *     x86_timer.lock (raw, IRQs off)
 *       the hrtimer base lock (hrtimer_start(), hrtimer_try_to_cancel())
 *
 * The callback decides under x86_timer.lock and calls
 * x86_lapic_timer_fired() after dropping it.  A path holding the LAPIC
 * lock must never wait for the callback (hrtimer_cancel()), because the
 * callback may be spinning on that lock in x86_lapic_timer_fired().  So
 * the locked paths only hrtimer_start() and hrtimer_try_to_cancel(), and
 * the callback checks, under x86_timer.lock, that the expiry it runs for
 * is still the one the state wants (timer_fn()):
 *  - the hrtimer is queued again: a path re-armed the timer after this
 *    expiry left the queue; the new arming fires on its own;
 *  - !armed: a path stopped the timer (hrtimer_try_to_cancel() returned
 *    -1 because this callback was already running);
 *  - otherwise this is the current expiry: fire it, and forward a
 *    periodic timer while the hrtimer is not queued.
 * An expiry the callback decided to fire before a path changed the timer
 * happened before that change, so delivering it afterwards is what the
 * guest sees on hardware (the interrupt was raised before its write).
 * An expiry whose callback had not yet taken the lock when the guest
 * rewrote TMICT is dropped, as in KVM (start_apic_timer() clears the
 * pending count).  x86_timer_destroy() is the only place that waits
 * (hrtimer_cancel(), no lock held).
 *
 * HRTIMER_MODE_ABS: a hard-interrupt timer, or a softirq one on
 * PREEMPT_RT (never _HARD: the callback ends in the core's kick, which
 * takes sleeping locks on PREEMPT_RT).
 *
 * Arithmetic is 64-bit through <linux/math64.h> only (32-bit hosts), and
 * every product is bounded in a comment: TMICT * divisor < 2^39 ns,
 * tsc_khz <= 10^7 < 2^24.
 */
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "timer.h"

/* With tsc_khz 0, the timer fields of a save count ns (a 1 GHz "TSC") */
#define X86_TIMER_SAVE_KHZ	1000000U

/**
 * struct x86_timer - the LAPIC timer of one vCPU
 * @lock: protects everything below; inside the LAPIC lock
 * @hrtimer: fires at @expiry while @armed (see the comment at the top)
 * @vcpu: the vCPU, for x86_lapic_timer_fired()
 * @lvtt: LVTT, as lapic.c last passed it
 * @tmict: TMICT, as lapic.c last passed it
 * @tdcr: TDCR, as lapic.c last passed it
 * @armed: an expiry is due at @expiry: a one-shot or periodic count runs,
 *	or a TSC deadline is armed (and can be reached)
 * @expiry: CLOCK_MONOTONIC ns of the next expiry, while @armed
 * @period: ns of one full count of the running one-shot or periodic
 *	timer (periodic: at least X86_TIMER_MIN_PERIOD_NS)
 * @deadline: IA32_TSC_DEADLINE; 0 when disarmed, and outside TSC-deadline
 *	mode
 * @tsc_khz: guest TSC frequency (0: the TSC-deadline never fires)
 * @tsc_offset: guest TSC at CLOCK_MONOTONIC 0, modulo 2^64
 */
struct x86_timer {
	raw_spinlock_t lock;
	struct hrtimer hrtimer;
	struct virq_vcpu *vcpu;
	u32 lvtt;
	u32 tmict;
	u32 tdcr;
	bool armed;
	s64 expiry;
	u64 period;
	u64 deadline;
	u32 tsc_khz;
	u64 tsc_offset;
};

static u32 timer_mode(u32 lvtt)
{
	return (lvtt & X86_TIMER_LVTT_MODE_MASK) >> X86_TIMER_LVTT_MODE_SHIFT;
}

/* One-shot and periodic timers count TMICT down; the others do not */
static bool timer_counts(u32 lvtt)
{
	return timer_mode(lvtt) == X86_TIMER_ONESHOT ||
	       timer_mode(lvtt) == X86_TIMER_PERIODIC;
}

/* TDCR bits 3, 1:0: 000 -> 2, 001 -> 4, ..., 110 -> 128, 111 -> 1 */
static u32 timer_divisor(u32 tdcr)
{
	u32 v = (tdcr & 3) | ((tdcr & 8) >> 1);

	return v == 7 ? 1 : 2U << v;
}

/* ns of one full count; < 2^39 (2^32 * 128, or the minimum period) */
static u64 timer_period(u32 lvtt, u32 tmict, u32 tdcr)
{
	u64 ns = (u64)tmict * timer_divisor(tdcr) * X86_TIMER_BUS_CYCLE_NS;

	if (timer_mode(lvtt) == X86_TIMER_PERIODIC)
		ns = max_t(u64, ns, X86_TIMER_MIN_PERIOD_NS);
	return ns;
}

/*
 * @a * @b / @c, rounded down, for @a, @b < 2^40 and 0 < @c < 2^44,
 * without a 128-bit product: @a = ah * 2^20 + al, and each partial
 * product stays below 2^61.
 */
static u64 timer_mul_div(u64 a, u64 b, u64 c)
{
	u64 ah = a >> 20, al = a & (BIT_ULL(20) - 1), q, r;

	q = div64_u64_rem(ah * b, c, &r);
	return (q << 20) + div64_u64((r << 20) + al * b, c);
}

/*
 * The guest TSC at @ns for a TSC of @khz: @offset + floor(@ns * @khz /
 * 10^6), modulo 2^64, computed as whole ms * @khz plus the rest, which
 * stays below 10^6 * 10^7.  *@frac (if not NULL) gets the fraction of a
 * cycle dropped, in millionths: (@ns * @khz) mod 10^6.
 */
static u64 timer_tsc_at(const struct x86_timer *t, u32 khz, s64 ns,
			u32 *frac)
{
	u32 rest, f;
	u64 ms, part;

	ms = div_u64_rem(ns, NSEC_PER_MSEC, &rest);
	part = div_u64_rem((u64)rest * khz, NSEC_PER_MSEC, &f);
	if (frac)
		*frac = f;
	return t->tsc_offset + ms * khz + part;
}

/*
 * The first CLOCK_MONOTONIC ns, not before @now, at which the guest TSC
 * (t->tsc_khz != 0) is at least @tsc; KTIME_MAX if that is beyond
 * KTIME_MAX.  The TSC is compared unsigned, as the hardware does.
 *
 * With now_tsc, frac = timer_tsc_at(@now) and delta = @tsc - now_tsc >
 * 0, the TSC at @now + d is now_tsc + floor((frac + d * khz) / 10^6), so
 * d = ceil((delta * 10^6 - frac) / khz).  With delta = a * khz + b:
 * d = a * 10^6 + ceil((b * 10^6 - frac) / khz), where |b * 10^6 - frac|
 * < 10^13 and d >= 1.
 */
static s64 timer_tsc_to_ns(const struct x86_timer *t, u64 tsc, s64 now)
{
	u32 khz = t->tsc_khz, frac, b;
	u64 now_tsc, a, d, room;
	s64 n;

	now_tsc = timer_tsc_at(t, khz, now, &frac);
	if (tsc <= now_tsc)
		return now;
	a = div_u64_rem(tsc - now_tsc, khz, &b);
	room = KTIME_MAX - now;
	if (a > div_u64(room, NSEC_PER_MSEC))
		return KTIME_MAX;
	d = a * NSEC_PER_MSEC;
	n = (s64)b * NSEC_PER_MSEC - frac;
	if (n >= 0)
		d += div_u64(n + khz - 1, khz);
	else
		d -= div_u64(-n, khz);
	if (d > room)
		return KTIME_MAX;
	return now + d;
}

static void timer_arm_locked(struct x86_timer *t, s64 expiry)
	__must_hold(&t->lock)
{
	lockdep_assert_held(&t->lock);
	t->armed = true;
	t->expiry = expiry;
	hrtimer_start(&t->hrtimer, ns_to_ktime(expiry), HRTIMER_MODE_ABS);
}

static void timer_disarm_locked(struct x86_timer *t)
	__must_hold(&t->lock)
{
	lockdep_assert_held(&t->lock);
	t->armed = false;
	/* -1: the callback runs; it finds !armed and does nothing */
	hrtimer_try_to_cancel(&t->hrtimer);
}

/* Arm t->deadline, if any and reachable; the timer is disarmed */
static void timer_arm_deadline_locked(struct x86_timer *t, s64 now)
	__must_hold(&t->lock)
{
	s64 at;

	lockdep_assert_held(&t->lock);
	if (!t->deadline || !t->tsc_khz)
		return;
	at = timer_tsc_to_ns(t, t->deadline, now);
	/* Not before KTIME_MAX (292 years): never, and reads keep it */
	if (at == KTIME_MAX)
		return;
	timer_arm_locked(t, at);
}

/* ns from @now to the next expiry of a running count; 0: due */
static u64 timer_remaining_locked(struct x86_timer *t, s64 now)
	__must_hold(&t->lock)
{
	u64 late;

	lockdep_assert_held(&t->lock);
	if (now < t->expiry)
		return t->expiry - now;
	if (timer_mode(t->lvtt) != X86_TIMER_PERIODIC)
		return 0;
	/* Due, the callback pending: the next period runs already */
	div64_u64_rem(now - t->expiry, t->period, &late);
	return t->period - late;
}

/* The current count for @rem ns to the next expiry (@rem <= t->period) */
static u32 timer_count_locked(struct x86_timer *t, u64 rem)
	__must_hold(&t->lock)
{
	u32 div = timer_divisor(t->tdcr);
	u64 full = (u64)t->tmict * div * X86_TIMER_BUS_CYCLE_NS;

	lockdep_assert_held(&t->lock);
	/* One count per divisor ns; it reads TMICT until the first tick */
	if (t->period <= full)
		return div_u64(rem + div - 1, div);
	/*
	 * A periodic timer stretched to the minimum period: the count goes
	 * down evenly over it (@rem and TMICT both below 2^18 here).  KVM
	 * counts in divisor ns here too, and so can read above TMICT.
	 */
	return min_t(u64, t->tmict,
		     div64_u64(rem * t->tmict + t->period - 1, t->period));
}

/*
 * LVTT written.  SDM 11.5.4.1: a change of mode disarms the timer (KVM:
 * only into or out of TSC-deadline mode); TSC_DEADLINE reads 0 outside
 * that mode.  The mask, vector and delivery status change nothing here.
 */
static void timer_write_lvtt_locked(struct x86_timer *t, u32 val)
	__must_hold(&t->lock)
{
	u32 old = t->lvtt;

	lockdep_assert_held(&t->lock);
	t->lvtt = val;
	if (timer_mode(val) == timer_mode(old))
		return;
	timer_disarm_locked(t);
	t->deadline = 0;
}

/*
 * TDCR written.  A running count keeps its value and goes on at the new
 * rate (the time left scales with the period, as KVM does in
 * update_target_expiration()).
 */
static void timer_write_tdcr_locked(struct x86_timer *t, u32 val, s64 now)
	__must_hold(&t->lock)
{
	u32 old_div = timer_divisor(t->tdcr);
	u64 old_period = t->period, rem;

	lockdep_assert_held(&t->lock);
	t->tdcr = val;
	if (!t->armed || !timer_counts(t->lvtt) ||
	    timer_divisor(val) == old_div)
		return;
	t->period = timer_period(t->lvtt, t->tmict, t->tdcr);
	/* Due already (callback pending): stays due */
	rem = t->expiry > now ? t->expiry - now : 0;
	/* rem <= old_period, both periods < 2^39 */
	timer_arm_locked(t, now + timer_mul_div(rem, t->period, old_period));
}

/*
 * TMICT written: restart the count from the new value, or stop it with 0.
 * Ignored in TSC-deadline mode (SDM 11.5.4.1) and in the reserved mode.
 */
static void timer_write_tmict_locked(struct x86_timer *t, u32 val, s64 now)
	__must_hold(&t->lock)
{
	lockdep_assert_held(&t->lock);
	t->tmict = val;
	if (!timer_counts(t->lvtt))
		return;
	if (!val) {
		timer_disarm_locked(t);
		return;
	}
	t->period = timer_period(t->lvtt, t->tmict, t->tdcr);
	timer_arm_locked(t, now + t->period);
}

static enum hrtimer_restart timer_fn(struct hrtimer *hrtimer)
{
	struct x86_timer *t = container_of(hrtimer, struct x86_timer, hrtimer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	bool fire = false;
	u64 missed;
	s64 now;

	raw_spin_lock_irqsave(&t->lock, flags);
	now = ktime_get();
	/* Re-armed or stopped since this expiry: not ours (top comment) */
	if (hrtimer_is_queued(hrtimer) || !t->armed)
		goto out;
	if (now < t->expiry) {
		/* Not due (cannot happen: every arming queues the hrtimer) */
		hrtimer_set_expires(hrtimer, ns_to_ktime(t->expiry));
		ret = HRTIMER_RESTART;
		goto out;
	}
	fire = true;
	switch (timer_mode(t->lvtt)) {
	case X86_TIMER_PERIODIC:
		/*
		 * Periods the host missed (a late callback) fold into this
		 * expiry, as on hardware when the vector is still pending
		 * in IRR; KVM instead fires them one by one, at once.
		 */
		missed = div64_u64(now - t->expiry, t->period);
		t->expiry += (missed + 1) * t->period;
		hrtimer_set_expires(hrtimer, ns_to_ktime(t->expiry));
		ret = HRTIMER_RESTART;
		break;
	case X86_TIMER_TSC_DEADLINE:
		/* SDM: the timer disarms itself and the MSR reads 0 */
		t->deadline = 0;
		t->armed = false;
		break;
	default:
		t->armed = false;
		break;
	}
out:
	raw_spin_unlock_irqrestore(&t->lock, flags);
	/* Even when LVTT is masked: lapic.c raises nothing then */
	if (fire)
		x86_lapic_timer_fired(t->vcpu);
	return ret;
}

/**
 * x86_timer_create() - the LAPIC timer of a vCPU, stopped
 * @vcpu: the vCPU; the timer calls x86_lapic_timer_fired(@vcpu)
 *
 * The timer starts in the reset state: LVTT 0x10000 (masked, one-shot),
 * TMICT 0, TDCR 0, no deadline, tsc_khz 0.
 *
 * Context: process; may sleep.
 * Return: the timer, or NULL when out of memory.
 */
struct x86_timer *x86_timer_create(struct virq_vcpu *vcpu)
{
	struct x86_timer *t;

	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return NULL;
	raw_spin_lock_init(&t->lock);
	hrtimer_init(&t->hrtimer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	t->hrtimer.function = timer_fn;
	t->vcpu = vcpu;
	t->lvtt = X86_TIMER_LVTT_MASKED;
	return t;
}

/**
 * x86_timer_destroy() - stop and free a timer
 * @t: the timer, or NULL
 *
 * Waits for a running callback, so x86_lapic_timer_fired() is never
 * called once this returns.
 *
 * Context: process, no lock held; may sleep.
 */
void x86_timer_destroy(struct x86_timer *t)
{
	if (!t)
		return;
	hrtimer_cancel(&t->hrtimer);
	kfree(t);
}

/**
 * x86_timer_update() - LVTT, TMICT or TDCR written, or the LAPIC reset
 * @t: the timer
 * @lvtt: LVTT now
 * @tmict: TMICT now
 * @tdcr: TDCR now
 *
 * The registers that differ from the previous call were written, in the
 * order LVTT, TDCR, TMICT (a reset passes all three).  A call that
 * changes neither LVTT nor TDCR is a TMICT write, even with the value
 * TMICT had: rewriting TMICT restarts the count, and a guest rewrites
 * the same TMICT for every tick.  So rewriting LVTT or TDCR with its own
 * value restarts the count too; x86_timer_write() (timer.h) tells those
 * apart.
 *
 * Context: atomic; the LAPIC lock held.
 */
void x86_timer_update(struct x86_timer *t, u32 lvtt, u32 tmict, u32 tdcr)
{
	unsigned long flags;
	bool tmict_write;
	s64 now;

	raw_spin_lock_irqsave(&t->lock, flags);
	now = ktime_get();
	tmict_write = tmict != t->tmict ||
		      (lvtt == t->lvtt && tdcr == t->tdcr);
	if (lvtt != t->lvtt)
		timer_write_lvtt_locked(t, lvtt);
	if (tdcr != t->tdcr)
		timer_write_tdcr_locked(t, tdcr, now);
	if (tmict_write)
		timer_write_tmict_locked(t, tmict, now);
	raw_spin_unlock_irqrestore(&t->lock, flags);
}

/**
 * x86_timer_write() - the guest wrote one timer register
 * @t: the timer
 * @reg: X86_TIMER_REG_LVTT, X86_TIMER_REG_TMICT or X86_TIMER_REG_TDCR
 * @val: the value written
 *
 * Context: atomic; the LAPIC lock held.
 * Return: 0, or -EINVAL (nothing done) for another @reg.
 */
int x86_timer_write(struct x86_timer *t, u32 reg, u32 val)
{
	unsigned long flags;
	s64 now;

	if (reg != X86_TIMER_REG_LVTT && reg != X86_TIMER_REG_TMICT &&
	    reg != X86_TIMER_REG_TDCR)
		return -EINVAL;
	raw_spin_lock_irqsave(&t->lock, flags);
	now = ktime_get();
	if (reg == X86_TIMER_REG_LVTT)
		timer_write_lvtt_locked(t, val);
	else if (reg == X86_TIMER_REG_TDCR)
		timer_write_tdcr_locked(t, val, now);
	else
		timer_write_tmict_locked(t, val, now);
	raw_spin_unlock_irqrestore(&t->lock, flags);
	return 0;
}

/**
 * x86_timer_read_tmcct() - the current count
 * @t: the timer
 *
 * TMICT right after the TMICT write, down by one every divisor ns; 0 once
 * a one-shot count expired, when stopped, and outside the counting
 * modes.  A periodic count starts over from TMICT.
 *
 * Context: atomic; the LAPIC lock held.
 * Return: TMCCT.
 */
u32 x86_timer_read_tmcct(struct x86_timer *t)
{
	unsigned long flags;
	u32 count = 0;
	s64 now;

	raw_spin_lock_irqsave(&t->lock, flags);
	now = ktime_get();
	if (t->armed && timer_counts(t->lvtt))
		count = timer_count_locked(t, timer_remaining_locked(t, now));
	raw_spin_unlock_irqrestore(&t->lock, flags);
	return count;
}

/**
 * x86_timer_write_deadline() - IA32_TSC_DEADLINE written
 * @t: the timer
 * @tsc: the guest TSC value to fire at; 0 disarms
 *
 * Ignored outside TSC-deadline mode (SDM 11.5.4.1).  A deadline the guest
 * TSC has reached already fires at once (the hrtimer is started in the
 * past); with tsc_khz 0 it is kept but never fires.
 *
 * Context: atomic; the LAPIC lock held.
 */
void x86_timer_write_deadline(struct x86_timer *t, u64 tsc)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&t->lock, flags);
	if (timer_mode(t->lvtt) == X86_TIMER_TSC_DEADLINE) {
		timer_disarm_locked(t);
		t->deadline = tsc;
		timer_arm_deadline_locked(t, ktime_get());
	}
	raw_spin_unlock_irqrestore(&t->lock, flags);
}

/**
 * x86_timer_read_deadline() - IA32_TSC_DEADLINE
 * @t: the timer
 *
 * Context: atomic; the LAPIC lock held.
 * Return: the armed deadline; 0 once it fired, when disarmed and outside
 * TSC-deadline mode.
 */
u64 x86_timer_read_deadline(struct x86_timer *t)
{
	unsigned long flags;
	u64 tsc = 0;

	raw_spin_lock_irqsave(&t->lock, flags);
	if (timer_mode(t->lvtt) == X86_TIMER_TSC_DEADLINE)
		tsc = t->deadline;
	raw_spin_unlock_irqrestore(&t->lock, flags);
	return tsc;
}

/**
 * x86_timer_set_tsc() - set the guest TSC (VIRQ_X86_VGRP_TSC)
 * @t: the timer
 * @tsc: frequency and offset
 *
 * An armed deadline is armed again with the new TSC (at once if the new
 * TSC is past it).  Running one-shot and periodic counts are not
 * affected: they count bus cycles.
 *
 * Context: atomic or process; with or without the LAPIC lock.
 * Return: 0, or -EINVAL (nothing changed) for a tsc_khz above
 * X86_TIMER_MAX_TSC_KHZ.
 */
int x86_timer_set_tsc(struct x86_timer *t, const struct virq_x86_tsc *tsc)
{
	unsigned long flags;

	if (tsc->tsc_khz > X86_TIMER_MAX_TSC_KHZ)
		return -EINVAL;
	raw_spin_lock_irqsave(&t->lock, flags);
	t->tsc_khz = tsc->tsc_khz;
	t->tsc_offset = tsc->offset;
	if (timer_mode(t->lvtt) == X86_TIMER_TSC_DEADLINE && t->deadline) {
		timer_disarm_locked(t);
		timer_arm_deadline_locked(t, ktime_get());
	}
	raw_spin_unlock_irqrestore(&t->lock, flags);
	return 0;
}

/**
 * x86_timer_get_tsc() - the guest TSC, as last set
 * @t: the timer
 * @tsc: (out) frequency and offset
 *
 * Context: atomic or process; with or without the LAPIC lock.
 */
void x86_timer_get_tsc(struct x86_timer *t, struct virq_x86_tsc *tsc)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&t->lock, flags);
	tsc->tsc_khz = t->tsc_khz;
	tsc->offset = t->tsc_offset;
	raw_spin_unlock_irqrestore(&t->lock, flags);
}

/* The TSC frequency the save fields count in: 1 GHz when tsc_khz is 0 */
static u32 timer_save_khz(const struct x86_timer *t)
{
	return t->tsc_khz ?: X86_TIMER_SAVE_KHZ;
}

/**
 * x86_timer_save() - the timer fields of struct virq_x86_lapic_state
 * @t: the timer
 * @st: (out) tsc_deadline, timer_guest_tsc and timer_expiry_tsc
 *
 * One instant is saved: timer_guest_tsc is the guest TSC now and
 * timer_expiry_tsc the guest TSC of the next expiry of a running
 * one-shot or periodic count (it may be past, when the callback has not
 * run yet), or 0.  An expiry whose TSC value is 0 is saved as 1 (one
 * cycle late).  With tsc_khz 0 both count CLOCK_MONOTONIC ns from the
 * offset instead (a 1 GHz TSC), so that a VMM that never sets the TSC
 * still migrates a running count.  The registers (regs[]) are lapic.c's.
 *
 * Context: atomic; the LAPIC lock held.
 */
void x86_timer_save(struct x86_timer *t, struct virq_x86_lapic_state *st)
{
	u32 khz = timer_save_khz(t);
	unsigned long flags;
	u64 expiry_tsc = 0;
	s64 now;

	raw_spin_lock_irqsave(&t->lock, flags);
	now = ktime_get();
	st->timer_guest_tsc = timer_tsc_at(t, khz, now, NULL);
	st->tsc_deadline = 0;
	if (timer_mode(t->lvtt) == X86_TIMER_TSC_DEADLINE)
		st->tsc_deadline = t->deadline;
	if (t->armed && timer_counts(t->lvtt))
		expiry_tsc = timer_tsc_at(t, khz, t->expiry, NULL) ?: 1;
	st->timer_expiry_tsc = expiry_tsc;
	raw_spin_unlock_irqrestore(&t->lock, flags);
}

static u32 timer_state_reg(const struct virq_x86_lapic_state *st, u32 off)
{
	const u8 *p = &st->regs[off];

	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

/**
 * x86_timer_restore() - restore the timer from a lapic state
 * @t: the timer
 * @st: the state: LVTT, TMICT and TDCR from regs[] (little-endian), and
 *	tsc_deadline, timer_guest_tsc, timer_expiry_tsc
 *
 * The timer takes LVTT, TMICT and TDCR from @st itself: lapic.c must not
 * replay them through x86_timer_update() afterwards (that would be a
 * TMICT write, restarting the count).  Set the TSC (VIRQ_X86_VGRP_TSC)
 * before the LAPIC state: a running count resumes with the time left at
 * the save, timer_expiry_tsc - timer_guest_tsc cycles at the current
 * tsc_khz (1 GHz if 0), from now; one already due fires at once, as does
 * a deadline the current guest TSC has passed.  Everything is checked
 * before anything changes, so lapic.c can check its own part, call this,
 * and apply its registers only on success.
 *
 * Context: atomic; the LAPIC lock held.
 * Return: 0, or -EINVAL (nothing changed) when tsc_deadline is non-zero
 * outside TSC-deadline mode (it reads 0 there), or timer_expiry_tsc is
 * non-zero outside one-shot and periodic modes, with TMICT 0, or more
 * than one full count (TMICT * divisor, or the minimum period, plus one
 * cycle) after timer_guest_tsc.
 */
int x86_timer_restore(struct x86_timer *t,
		      const struct virq_x86_lapic_state *st)
{
	u32 lvtt = timer_state_reg(st, X86_TIMER_REG_LVTT);
	u32 tmict = timer_state_reg(st, X86_TIMER_REG_TMICT);
	u32 tdcr = timer_state_reg(st, X86_TIMER_REG_TDCR);
	u64 period = 0, rem = 0, max;
	unsigned long flags;
	s64 now, rel;
	u32 khz;

	if (st->tsc_deadline &&
	    timer_mode(lvtt) != X86_TIMER_TSC_DEADLINE)
		return -EINVAL;
	if (st->timer_expiry_tsc && (!timer_counts(lvtt) || !tmict))
		return -EINVAL;

	raw_spin_lock_irqsave(&t->lock, flags);
	now = ktime_get();
	if (st->timer_expiry_tsc) {
		khz = timer_save_khz(t);
		period = timer_period(lvtt, tmict, tdcr);
		rel = (s64)(st->timer_expiry_tsc - st->timer_guest_tsc);
		if (rel > 0) {
			/* period * khz < 2^39 * 2^24; rel * 10^6 as big */
			max = div_u64(period * khz + NSEC_PER_MSEC - 1,
				      NSEC_PER_MSEC) + 1;
			if ((u64)rel > max) {
				raw_spin_unlock_irqrestore(&t->lock, flags);
				return -EINVAL;
			}
			rem = div_u64(rel * NSEC_PER_MSEC + khz - 1, khz);
			rem = min(rem, period);
		}
	}

	timer_disarm_locked(t);
	t->lvtt = lvtt;
	t->tmict = tmict;
	t->tdcr = tdcr;
	t->deadline = st->tsc_deadline;
	if (st->timer_expiry_tsc) {
		t->period = period;
		timer_arm_locked(t, now + rem);
	} else {
		timer_arm_deadline_locked(t, now);
	}
	raw_spin_unlock_irqrestore(&t->lock, flags);
	return 0;
}
