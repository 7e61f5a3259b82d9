// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the LAPIC timer (virq/x86/timer.c) alone, on the
 * harness's fake CLOCK_MONOTONIC: one-shot, periodic and TSC-deadline
 * expiries to the ns, TMCCT, the minimum period, mode changes, the guest
 * TSC mapping, save/restore, every -EINVAL, races between the callback
 * and register writes, and teardown.
 *
 * The test stands in for lapic.c: a fake LAPIC per vCPU holds the timer
 * registers and a raw lock, calls the timer with that lock held (so a
 * timer path that sleeps or waits is reported), and implements
 * x86_lapic_timer_fired(), which records when it was called and checks
 * that it runs from the callback with no lock held.
 */
#include <stdlib.h>

#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/spinlock.h>

#include "../../virq/x86/timer.h"
#include "tap.h"

#define MS		1000000LL
#define US		1000LL

#define LVTT_ONESHOT	0x000000ecU			/* vector 0xec */
#define LVTT_PERIODIC	(LVTT_ONESHOT | 1U << 17)
#define LVTT_DEADLINE	(LVTT_ONESHOT | 2U << 17)
#define LVTT_RESERVED	(LVTT_ONESHOT | 3U << 17)
#define LVTT_MASKED	X86_TIMER_LVTT_MASKED
#define LVTT_RESET	LVTT_MASKED

#define TDCR_DIV1	0xb
#define TDCR_DIV2	0x0
#define TDCR_DIV4	0x1

#define NR_LOG		64

struct fake_lapic {
	struct virq_vcpu vcpu;
	raw_spinlock_t lock;		/* stands for x86_lapic.lock */
	struct x86_timer *t;
	u32 lvtt, tmict, tdcr;
	unsigned long fired;
	s64 fired_at[NR_LOG];
	void (*on_fire)(struct fake_lapic *l);
};

static unsigned long nr_fired_total;
static struct virq_vcpu *fired_order[NR_LOG];

static struct fake_lapic *lapic_of(struct virq_vcpu *vcpu)
{
	return container_of(vcpu, struct fake_lapic, vcpu);
}

void x86_lapic_timer_fired(struct virq_vcpu *vcpu)
{
	struct fake_lapic *l = lapic_of(vcpu);
	unsigned long flags;

	/* From the hrtimer callback (IRQs off), with no lock held */
	CHECK(harness_irqs_disabled());
	CHECK_EQ(harness_locks_held(), 1);
	raw_spin_lock_irqsave(&l->lock, flags);
	if (l->fired < NR_LOG)
		l->fired_at[l->fired] = ktime_get();
	l->fired++;
	if (nr_fired_total < NR_LOG)
		fired_order[nr_fired_total] = vcpu;
	nr_fired_total++;
	raw_spin_unlock_irqrestore(&l->lock, flags);
	if (l->on_fire)
		l->on_fire(l);
}

static struct fake_lapic *lapic_new(u32 index)
{
	struct fake_lapic *l = calloc(1, sizeof(*l));

	CHECK_FATAL(l);
	l->vcpu.index = index;
	l->vcpu.arch_id = index;
	raw_spin_lock_init(&l->lock);
	l->t = x86_timer_create(&l->vcpu);
	CHECK_FATAL(l->t);
	l->lvtt = LVTT_RESET;
	return l;
}

static void lapic_free(struct fake_lapic *l)
{
	x86_timer_destroy(l->t);
	free(l);
}

/* lapic.c's register writes: the timer is called with the lock held */
static void lapic_update(struct fake_lapic *l, u32 lvtt, u32 tmict, u32 tdcr)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&l->lock, flags);
	l->lvtt = lvtt;
	l->tmict = tmict;
	l->tdcr = tdcr;
	x86_timer_update(l->t, lvtt, tmict, tdcr);
	raw_spin_unlock_irqrestore(&l->lock, flags);
}

static void w_lvtt(struct fake_lapic *l, u32 v)
{
	lapic_update(l, v, l->tmict, l->tdcr);
}

static void w_tmict(struct fake_lapic *l, u32 v)
{
	lapic_update(l, l->lvtt, v, l->tdcr);
}

static void w_tdcr(struct fake_lapic *l, u32 v)
{
	lapic_update(l, l->lvtt, l->tmict, v);
}

/* The unambiguous form (timer.h) */
static int w_reg(struct fake_lapic *l, u32 reg, u32 v)
{
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&l->lock, flags);
	if (reg == X86_TIMER_REG_LVTT)
		l->lvtt = v;
	else if (reg == X86_TIMER_REG_TMICT)
		l->tmict = v;
	else if (reg == X86_TIMER_REG_TDCR)
		l->tdcr = v;
	ret = x86_timer_write(l->t, reg, v);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return ret;
}

static u32 tmcct(struct fake_lapic *l)
{
	unsigned long flags;
	u32 v;

	raw_spin_lock_irqsave(&l->lock, flags);
	v = x86_timer_read_tmcct(l->t);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return v;
}

static void w_deadline(struct fake_lapic *l, u64 tsc)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&l->lock, flags);
	x86_timer_write_deadline(l->t, tsc);
	raw_spin_unlock_irqrestore(&l->lock, flags);
}

static u64 r_deadline(struct fake_lapic *l)
{
	unsigned long flags;
	u64 v;

	raw_spin_lock_irqsave(&l->lock, flags);
	v = x86_timer_read_deadline(l->t);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return v;
}

static int set_tsc(struct fake_lapic *l, u64 khz, s64 offset)
{
	struct virq_x86_tsc tsc = { .tsc_khz = khz, .offset = offset };
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&l->lock, flags);
	ret = x86_timer_set_tsc(l->t, &tsc);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return ret;
}

static void st_put(struct virq_x86_lapic_state *st, u32 off, u32 v)
{
	st->regs[off] = v;
	st->regs[off + 1] = v >> 8;
	st->regs[off + 2] = v >> 16;
	st->regs[off + 3] = v >> 24;
}

/* As lapic.c: the registers into regs[], then the timer's fields */
static void save(struct fake_lapic *l, struct virq_x86_lapic_state *st)
{
	unsigned long flags;

	memset(st, 0xcc, sizeof(*st));
	raw_spin_lock_irqsave(&l->lock, flags);
	st_put(st, X86_TIMER_REG_LVTT, l->lvtt);
	st_put(st, X86_TIMER_REG_TMICT, l->tmict);
	st_put(st, X86_TIMER_REG_TDCR, l->tdcr);
	x86_timer_save(l->t, st);
	raw_spin_unlock_irqrestore(&l->lock, flags);
}

static int restore(struct fake_lapic *l, const struct virq_x86_lapic_state *st)
{
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&l->lock, flags);
	ret = x86_timer_restore(l->t, st);
	if (!ret) {
		l->lvtt = st->regs[0x320] | st->regs[0x321] << 8 |
			  st->regs[0x322] << 16 | (u32)st->regs[0x323] << 24;
		l->tmict = st->regs[0x380] | st->regs[0x381] << 8 |
			   st->regs[0x382] << 16 | (u32)st->regs[0x383] << 24;
		l->tdcr = st->regs[0x3e0] | st->regs[0x3e1] << 8 |
			  st->regs[0x3e2] << 16 | (u32)st->regs[0x3e3] << 24;
	}
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return ret;
}

/* The guest TSC as the uAPI defines it, computed in 128 bits */
static u64 ref_tsc(u64 khz, s64 offset, s64 ns)
{
	return (u64)offset + (u64)((__uint128_t)ns * khz / 1000000);
}

/* The first ns >= @now at which ref_tsc() >= @d (no wrap in between) */
static s64 ref_deadline_ns(u64 khz, s64 offset, s64 now, u64 d)
{
	__uint128_t raw;

	if (d <= ref_tsc(khz, offset, now))
		return now;
	raw = (__uint128_t)(d - (u64)offset) * 1000000;
	return (s64)((raw + khz - 1) / khz);
}

/* Advance the clock to absolute time @at */
static void advance_to(s64 at)
{
	CHECK_FATAL(at >= ktime_get());
	harness_clock_advance(at - ktime_get());
}

TEST(create_and_reset_state)
{
	struct fake_lapic *l = lapic_new(0);
	struct virq_x86_tsc tsc = { .tsc_khz = 1, .offset = 1 };

	CHECK_EQ(tmcct(l), 0);
	CHECK_EQ(r_deadline(l), 0);
	x86_timer_get_tsc(l->t, &tsc);
	CHECK_EQ(tsc.tsc_khz, 0);
	CHECK_EQ(tsc.offset, 0);
	CHECK_EQ(harness_hrtimers_queued(), 0);
	/* Nothing runs until TMICT is written */
	harness_clock_advance(10 * MS);
	CHECK_EQ(l->fired, 0);
	/* The reset LVTT is masked one-shot: a masked timer still counts */
	w_tmict(l, 1000);
	CHECK_EQ(tmcct(l), 1000);
	CHECK_EQ(harness_hrtimers_queued(), 1);
	harness_clock_advance(2000);
	CHECK_EQ(l->fired, 1);	/* called even masked: lapic.c decides */
	lapic_free(l);
	x86_timer_destroy(NULL);

	harness_fail_alloc_nth(1);
	CHECK(!x86_timer_create(NULL));
	CHECK(harness_alloc_failed());
}

TEST(oneshot_every_divisor)
{
	static const struct {
		u32 tdcr, div;
	} divs[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
		/* bit 2 and bits 31:4 are not part of the divisor */
		{ 0x4, 2 }, { 0x5, 4 }, { 0x6, 8 }, { 0x7, 16 },
		{ 0xc, 32 }, { 0xd, 64 }, { 0xe, 128 }, { 0xf, 1 },
		{ 0xfffffff0, 2 }, { 0xfffffffb, 1 },
	};
	struct fake_lapic *l = lapic_new(0);
	u32 i;

	for (i = 0; i < ARRAY_SIZE(divs); i++) {
		s64 period = 1234LL * divs[i].div, t0;

		l->fired = 0;
		lapic_update(l, LVTT_ONESHOT, 0, divs[i].tdcr);
		t0 = ktime_get();
		w_tmict(l, 1234);
		CHECK_EQ(tmcct(l), 1234);
		harness_clock_advance(period - 1);
		CHECK_EQ(l->fired, 0);
		CHECK_EQ(tmcct(l), 1);
		harness_clock_advance(1);
		CHECK_EQ(l->fired, 1);
		CHECK_EQ(l->fired_at[0], t0 + period);
		CHECK_EQ(tmcct(l), 0);
		harness_clock_advance(100 * period);
		CHECK_EQ(l->fired, 1);
		CHECK_EQ(tmcct(l), 0);
		if (tap_failed_checks) {
			printf("# tdcr %#x\n", divs[i].tdcr);
			break;
		}
	}
	CHECK_EQ(harness_hrtimers_queued(), 0);
	lapic_free(l);
}

TEST(tmcct_countdown)
{
	struct fake_lapic *l = lapic_new(0);
	s64 t0;

	/* Divide by 2: one count every 2 ns, TMICT until the first tick */
	lapic_update(l, LVTT_ONESHOT, 0, TDCR_DIV2);
	w_tmict(l, 100);
	t0 = ktime_get();
	CHECK_EQ(tmcct(l), 100);
	harness_clock_advance(1);
	CHECK_EQ(tmcct(l), 100);
	harness_clock_advance(1);
	CHECK_EQ(tmcct(l), 99);
	advance_to(t0 + 101);
	CHECK_EQ(tmcct(l), 50);
	advance_to(t0 + 199);
	CHECK_EQ(tmcct(l), 1);
	CHECK_EQ(l->fired, 0);
	advance_to(t0 + 200);
	CHECK_EQ(tmcct(l), 0);
	CHECK_EQ(l->fired, 1);

	/* The largest count at the largest divisor: no overflow */
	lapic_update(l, LVTT_ONESHOT, 0, 0xa);
	w_tmict(l, 0xffffffff);
	t0 = ktime_get();
	CHECK_EQ(tmcct(l), 0xffffffff);
	harness_clock_advance(0x80000000LL * 128);
	CHECK_EQ(tmcct(l), 0x7fffffff);
	advance_to(t0 + 0xffffffffLL * 128 - 1);
	CHECK_EQ(tmcct(l), 1);
	CHECK_EQ(l->fired, 1);
	harness_clock_advance(1);
	CHECK_EQ(l->fired, 2);
	CHECK_EQ(l->fired_at[1], t0 + 0xffffffffLL * 128);
	CHECK_EQ(tmcct(l), 0);
	lapic_free(l);
}

TEST(periodic_reload)
{
	struct fake_lapic *l = lapic_new(0);
	s64 t0;
	int i;

	lapic_update(l, LVTT_PERIODIC, 0, TDCR_DIV4);
	w_tmict(l, 250000);		/* 1 ms */
	t0 = ktime_get();
	harness_clock_advance(10 * MS + MS / 2);
	CHECK_EQ(l->fired, 10);
	for (i = 0; i < 10; i++)
		CHECK_EQ(l->fired_at[i], t0 + (i + 1) * MS);
	/* Half way through the 11th period; it reloads after each */
	CHECK_EQ(tmcct(l), 125000);
	harness_clock_advance(MS / 2);
	CHECK_EQ(l->fired, 11);
	CHECK_EQ(tmcct(l), 250000);
	harness_clock_advance(1);
	CHECK_EQ(tmcct(l), 250000);
	harness_clock_advance(4);
	CHECK_EQ(tmcct(l), 249999);
	/* A long stretch: one expiry per period, none lost */
	harness_clock_advance(1000 * MS);
	CHECK_EQ(l->fired, 1011);
	CHECK_EQ(harness_hrtimers_queued(), 1);
	lapic_free(l);
	CHECK_EQ(harness_hrtimers_queued(), 0);
}

TEST(periodic_minimum_period)
{
	struct fake_lapic *l = lapic_new(0);
	s64 t0;
	int i;

	/* 10 ns asked for: stretched to 200 us */
	lapic_update(l, LVTT_PERIODIC, 0, TDCR_DIV1);
	w_tmict(l, 10);
	t0 = ktime_get();
	CHECK_EQ(tmcct(l), 10);
	harness_clock_advance(100 * US);
	CHECK_EQ(tmcct(l), 5);		/* evenly over the period */
	harness_clock_advance(100 * US - 1);
	CHECK_EQ(tmcct(l), 1);
	CHECK_EQ(l->fired, 0);
	advance_to(t0 + MS);
	CHECK_EQ(l->fired, 5);
	for (i = 0; i < 5; i++)
		CHECK_EQ(l->fired_at[i], t0 + (i + 1) * 200 * US);
	CHECK_EQ(tmcct(l), 10);
	w_tmict(l, 0);

	/* Exactly the minimum: not stretched; one below: stretched */
	l->fired = 0;
	lapic_update(l, LVTT_PERIODIC, 0, TDCR_DIV2);
	t0 = ktime_get();
	w_tmict(l, 100000);
	harness_clock_advance(200 * US);
	CHECK_EQ(l->fired, 1);
	CHECK_EQ(l->fired_at[0], t0 + 200 * US);
	w_tmict(l, 99999);
	t0 = ktime_get();
	harness_clock_advance(199998);
	CHECK_EQ(l->fired, 1);
	harness_clock_advance(2);
	CHECK_EQ(l->fired, 2);
	CHECK_EQ(l->fired_at[1], t0 + 200 * US);
	CHECK(tmcct(l) <= 99999);

	/* One-shot timers are not limited */
	l->fired = 0;
	lapic_update(l, LVTT_ONESHOT, 0, TDCR_DIV1);
	t0 = ktime_get();
	w_tmict(l, 3);
	harness_clock_advance(10);
	CHECK_EQ(l->fired, 1);
	CHECK_EQ(l->fired_at[0], t0 + 3);
	lapic_free(l);
}

TEST(mode_change_stops)
{
	struct fake_lapic *l = lapic_new(0);

	/* one-shot -> periodic */
	lapic_update(l, LVTT_ONESHOT, 0, TDCR_DIV1);
	w_tmict(l, 1000);
	harness_clock_advance(500);
	w_lvtt(l, LVTT_PERIODIC);
	CHECK_EQ(tmcct(l), 0);
	harness_clock_advance(10 * MS);
	CHECK_EQ(l->fired, 0);
	/* periodic -> one-shot */
	w_tmict(l, 1000000);
	harness_clock_advance(MS);
	CHECK_EQ(l->fired, 1);
	w_lvtt(l, LVTT_ONESHOT);
	CHECK_EQ(tmcct(l), 0);
	harness_clock_advance(10 * MS);
	CHECK_EQ(l->fired, 1);
	/* periodic -> TSC-deadline */
	w_lvtt(l, LVTT_PERIODIC);
	w_tmict(l, 1000000);
	w_lvtt(l, LVTT_DEADLINE);
	CHECK_EQ(tmcct(l), 0);
	harness_clock_advance(10 * MS);
	CHECK_EQ(l->fired, 1);
	/* TSC-deadline -> one-shot: disarmed, and the MSR reads 0 */
	CHECK_EQ(set_tsc(l, 1000000, 0), 0);
	w_deadline(l, ref_tsc(1000000, 0, ktime_get()) + 5000);
	CHECK(r_deadline(l) != 0);
	w_lvtt(l, LVTT_ONESHOT);
	CHECK_EQ(r_deadline(l), 0);
	harness_clock_advance(10 * MS);
	CHECK_EQ(l->fired, 1);
	/* ... and stays 0 back in TSC-deadline mode */
	w_lvtt(l, LVTT_DEADLINE);
	CHECK_EQ(r_deadline(l), 0);
	harness_clock_advance(10 * MS);
	CHECK_EQ(l->fired, 1);
	CHECK_EQ(harness_hrtimers_queued(), 0);

	/* Mask, vector: not a mode change, the count goes on */
	lapic_update(l, LVTT_PERIODIC, 0, TDCR_DIV1);
	w_tmict(l, 1000000);
	harness_clock_advance(MS / 2);
	w_lvtt(l, LVTT_PERIODIC | LVTT_MASKED);
	CHECK_EQ(tmcct(l), 500000);
	harness_clock_advance(MS / 2);
	CHECK_EQ(l->fired, 2);
	w_lvtt(l, (LVTT_PERIODIC & ~0xffU) | 0x31);
	harness_clock_advance(MS);
	CHECK_EQ(l->fired, 3);
	lapic_free(l);
}

TEST(tmict_writes)
{
	struct fake_lapic *l = lapic_new(0);
	s64 t0;

	/* 0 stops a one-shot and a periodic count */
	lapic_update(l, LVTT_ONESHOT, 0, TDCR_DIV1);
	w_tmict(l, 1000);
	harness_clock_advance(999);
	w_tmict(l, 0);
	CHECK_EQ(tmcct(l), 0);
	harness_clock_advance(MS);
	CHECK_EQ(l->fired, 0);
	w_lvtt(l, LVTT_PERIODIC);
	w_tmict(l, 300000);
	harness_clock_advance(MS);
	CHECK_EQ(l->fired, 3);
	w_tmict(l, 0);
	harness_clock_advance(10 * MS);
	CHECK_EQ(l->fired, 3);
	CHECK_EQ(harness_hrtimers_queued(), 0);

	/* Rewriting the same TMICT restarts the count */
	w_lvtt(l, LVTT_ONESHOT);
	w_tmict(l, 1000);
	harness_clock_advance(600);
	t0 = ktime_get();
	w_tmict(l, 1000);
	CHECK_EQ(tmcct(l), 1000);
	harness_clock_advance(999);
	CHECK_EQ(l->fired, 3);
	harness_clock_advance(1);
	CHECK_EQ(l->fired, 4);
	CHECK_EQ(l->fired_at[3], t0 + 1000);
	/* ... also after it expired (a guest's next tick) */
	t0 = ktime_get();
	w_tmict(l, 1000);
	harness_clock_advance(1000);
	CHECK_EQ(l->fired, 5);
	CHECK_EQ(l->fired_at[4], t0 + 1000);
	/* A new value while running: from the write, the new count */
	w_tmict(l, 5000);
	harness_clock_advance(100);
	t0 = ktime_get();
	w_tmict(l, 200);
	harness_clock_advance(5000);
	CHECK_EQ(l->fired, 6);
	CHECK_EQ(l->fired_at[5], t0 + 200);

	/* Ignored in TSC-deadline and in the reserved mode */
	w_lvtt(l, LVTT_DEADLINE);
	w_tmict(l, 100);
	CHECK_EQ(tmcct(l), 0);
	w_lvtt(l, LVTT_RESERVED);
	w_tmict(l, 100);
	CHECK_EQ(tmcct(l), 0);
	CHECK_EQ(set_tsc(l, 1000000, 0), 0);
	w_deadline(l, 1);
	CHECK_EQ(r_deadline(l), 0);
	harness_clock_advance(MS);
	CHECK_EQ(l->fired, 6);
	CHECK_EQ(harness_hrtimers_queued(), 0);
	lapic_free(l);
}

TEST(tdcr_change_rescales)
{
	struct fake_lapic *l = lapic_new(0);
	s64 t0;

	/* 1000 counts at 2 ns; after 500 ns (750 left) go to 4 ns */
	lapic_update(l, LVTT_ONESHOT, 0, TDCR_DIV2);
	w_tmict(l, 1000);
	t0 = ktime_get();
	harness_clock_advance(500);
	CHECK_EQ(tmcct(l), 750);
	w_tdcr(l, TDCR_DIV4);
	CHECK_EQ(tmcct(l), 750);
	harness_clock_advance(2999);
	CHECK_EQ(l->fired, 0);
	CHECK_EQ(tmcct(l), 1);
	harness_clock_advance(1);
	CHECK_EQ(l->fired, 1);
	CHECK_EQ(l->fired_at[0], t0 + 500 + 3000);
	/* Stopped: a TDCR write does not start anything */
	w_tdcr(l, TDCR_DIV1);
	CHECK_EQ(harness_hrtimers_queued(), 0);

	/* Periodic: the period follows, the count is kept */
	lapic_update(l, LVTT_PERIODIC, 0, TDCR_DIV1);
	w_tmict(l, 1000000);
	t0 = ktime_get();
	harness_clock_advance(MS / 4);
	CHECK_EQ(tmcct(l), 750000);
	w_tdcr(l, TDCR_DIV2);
	CHECK_EQ(tmcct(l), 750000);
	harness_clock_advance(MS * 3 / 2);
	CHECK_EQ(l->fired, 2);
	CHECK_EQ(l->fired_at[1], t0 + MS / 4 + MS * 3 / 2);
	harness_clock_advance(2 * MS);
	CHECK_EQ(l->fired, 3);
	CHECK_EQ(l->fired_at[2], t0 + MS / 4 + MS * 7 / 2);
	/* Into the minimum period and out of it */
	w_tmict(l, 50);
	t0 = ktime_get();
	harness_clock_advance(50 * US);
	CHECK_EQ(tmcct(l), 38);		/* 150/200 of 50, rounded up */
	w_tdcr(l, 0xa);			/* 50 * 128 = 6400 ns: still 200 us */
	CHECK_EQ(tmcct(l), 38);
	w_tdcr(l, TDCR_DIV1);
	harness_clock_advance(150 * US);
	CHECK_EQ(l->fired, 4);
	CHECK_EQ(l->fired_at[3], t0 + 200 * US);
	w_tmict(l, 1000000);		/* 1 ms, then 2 ms at divide by 2 */
	t0 = ktime_get();
	w_tdcr(l, TDCR_DIV2);
	harness_clock_advance(2 * MS);
	CHECK_EQ(l->fired, 5);
	CHECK_EQ(l->fired_at[4], t0 + 2 * MS);
	lapic_free(l);
}

TEST(write_one_register)
{
	struct fake_lapic *l = lapic_new(0);
	s64 t0;

	CHECK_EQ(w_reg(l, X86_TIMER_REG_TDCR, TDCR_DIV1), 0);
	CHECK_EQ(w_reg(l, X86_TIMER_REG_LVTT, LVTT_ONESHOT), 0);
	t0 = ktime_get();
	CHECK_EQ(w_reg(l, X86_TIMER_REG_TMICT, 1000), 0);
	harness_clock_advance(400);
	/* Same LVTT, same TDCR: nothing; same TMICT: restart */
	CHECK_EQ(w_reg(l, X86_TIMER_REG_LVTT, LVTT_ONESHOT), 0);
	CHECK_EQ(w_reg(l, X86_TIMER_REG_TDCR, TDCR_DIV1), 0);
	CHECK_EQ(tmcct(l), 600);
	harness_clock_advance(600);
	CHECK_EQ(l->fired, 1);
	CHECK_EQ(l->fired_at[0], t0 + 1000);
	t0 = ktime_get();
	CHECK_EQ(w_reg(l, X86_TIMER_REG_TMICT, 1000), 0);
	harness_clock_advance(400);
	CHECK_EQ(w_reg(l, X86_TIMER_REG_TMICT, 1000), 0);
	harness_clock_advance(1000);
	CHECK_EQ(l->fired, 2);
	CHECK_EQ(l->fired_at[1], t0 + 1400);
	/* An LVTT rewrite after expiry does not start it again */
	CHECK_EQ(w_reg(l, X86_TIMER_REG_LVTT, LVTT_ONESHOT), 0);
	harness_clock_advance(10000);
	CHECK_EQ(l->fired, 2);
	/* ... where x86_timer_update() cannot tell and restarts */
	w_lvtt(l, LVTT_ONESHOT);
	harness_clock_advance(10000);
	CHECK_EQ(l->fired, 3);
	/* Mode change through it */
	CHECK_EQ(w_reg(l, X86_TIMER_REG_TMICT, 1000), 0);
	CHECK_EQ(w_reg(l, X86_TIMER_REG_LVTT, LVTT_PERIODIC), 0);
	harness_clock_advance(10000);
	CHECK_EQ(l->fired, 3);
	/* Not a timer register */
	CHECK_EQ(w_reg(l, X86_TIMER_REG_TMCCT, 1000), -EINVAL);
	CHECK_EQ(w_reg(l, 0x300, 1000), -EINVAL);
	CHECK_EQ(harness_hrtimers_queued(), 0);
	lapic_free(l);
}

TEST(lapic_reset)
{
	struct fake_lapic *l = lapic_new(0);

	lapic_update(l, LVTT_PERIODIC, 0, TDCR_DIV1);
	w_tmict(l, 1000000);
	lapic_update(l, LVTT_RESET, 0, 0);
	CHECK_EQ(tmcct(l), 0);
	harness_clock_advance(10 * MS);
	CHECK_EQ(l->fired, 0);

	CHECK_EQ(set_tsc(l, 1000000, 0), 0);
	lapic_update(l, LVTT_DEADLINE, 0, 0);
	w_deadline(l, ref_tsc(1000000, 0, ktime_get()) + 1000);
	lapic_update(l, LVTT_RESET, 0, 0);
	CHECK_EQ(r_deadline(l), 0);
	harness_clock_advance(10 * MS);
	CHECK_EQ(l->fired, 0);
	/* Reset of a reset LAPIC */
	lapic_update(l, LVTT_RESET, 0, 0);
	CHECK_EQ(harness_hrtimers_queued(), 0);
	lapic_free(l);
}

TEST(deadline_exact)
{
	static const struct {
		u64 khz;
		s64 offset;
		s64 skip;	/* ns the clock moves first */
		u64 delta;	/* cycles ahead */
	} c[] = {
		{ 1000000, 0, 0, 1 },
		{ 1000000, 12345, 777, 1000 },
		{ 2500000, -5000000000LL, 3 * MS + 1, 1 },
		{ 2500000, 0, 1, 2 },
		{ 2500000, 1LL << 40, 1, 7500000 },
		{ 2999999, 42, 123456789, 3000 },
		{ 3, 0, 333333, 1 },
		{ 1, 0, 999999, 1 },
		{ 1, 5, 1, 2 },
		{ 10000000, 0, 1, 1 },
		{ 10000000, -1, 999, 123456789 },
		{ 1843200, 1LL << 62, 555, 9999999 },
		/* hours ahead: beyond (delta * 10^6) in 64 bits */
		{ 3000000, 0, 17, 3000000ULL * 3600 * 1000 * 24 },
		{ 7, 0, 1, 1ULL << 40 },
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct fake_lapic *l = lapic_new(i);
		s64 now, want;
		u64 d;

		CHECK_EQ(set_tsc(l, c[i].khz, c[i].offset), 0);
		w_lvtt(l, LVTT_DEADLINE);
		harness_clock_advance(c[i].skip);
		now = ktime_get();
		d = ref_tsc(c[i].khz, c[i].offset, now) + c[i].delta;
		want = ref_deadline_ns(c[i].khz, c[i].offset, now, d);
		CHECK(want > now);
		CHECK(ref_tsc(c[i].khz, c[i].offset, want) >= d);
		CHECK(ref_tsc(c[i].khz, c[i].offset, want - 1) < d);
		w_deadline(l, d);
		CHECK_EQ(r_deadline(l), d);
		advance_to(want - 1);
		CHECK_EQ(l->fired, 0);
		CHECK_EQ(r_deadline(l), d);
		harness_clock_advance(1);
		CHECK_EQ(l->fired, 1);
		CHECK_EQ(l->fired_at[0], want);
		CHECK_EQ(r_deadline(l), 0);
		CHECK_EQ(tmcct(l), 0);
		harness_clock_advance(10 * MS);
		CHECK_EQ(l->fired, 1);
		lapic_free(l);
		if (tap_failed_checks) {
			printf("# case %u\n", i);
			break;
		}
	}
}

TEST(deadline_past_zero_far)
{
	struct fake_lapic *l = lapic_new(0);
	s64 now;
	u64 tsc;

	CHECK_EQ(set_tsc(l, 2000000, 1000), 0);
	w_lvtt(l, LVTT_DEADLINE);
	harness_clock_advance(MS);
	now = ktime_get();
	tsc = ref_tsc(2000000, 1000, now);
	/* Reached already: fires at once (on the next timer run) */
	w_deadline(l, tsc);
	CHECK_EQ(r_deadline(l), tsc);
	harness_clock_advance(0);
	CHECK_EQ(l->fired, 1);
	CHECK_EQ(l->fired_at[0], now);
	CHECK_EQ(r_deadline(l), 0);
	w_deadline(l, 1);
	harness_clock_advance(0);
	CHECK_EQ(l->fired, 2);
	/* Reached exactly, half way through a cycle (2.5 GHz, odd ns) */
	CHECK_EQ(set_tsc(l, 2500000, 1000), 0);
	if (!(ktime_get() & 1))
		harness_clock_advance(1);
	now = ktime_get();
	w_deadline(l, ref_tsc(2500000, 1000, now));
	harness_clock_advance(0);
	CHECK_EQ(l->fired, 3);
	CHECK_EQ(l->fired_at[2], now);
	w_deadline(l, ref_tsc(2500000, 1000, now) + 1);
	harness_clock_advance(0);
	CHECK_EQ(l->fired, 3);
	harness_clock_advance(1);
	CHECK_EQ(l->fired, 4);
	/* ... and at 3 kHz, where a cycle lasts 333333.3 ns */
	CHECK_EQ(set_tsc(l, 3, 1000), 0);
	while ((ktime_get() * 3) % 1000000 < 3)
		harness_clock_advance(1);
	now = ktime_get();
	w_deadline(l, ref_tsc(3, 1000, now));
	harness_clock_advance(0);
	CHECK_EQ(l->fired, 5);
	CHECK_EQ(l->fired_at[4], now);
	CHECK_EQ(set_tsc(l, 2000000, 1000), 0);
	l->fired = 2;
	/* 0 disarms */
	w_deadline(l, tsc + 1000);
	w_deadline(l, 0);
	CHECK_EQ(r_deadline(l), 0);
	CHECK_EQ(harness_hrtimers_queued(), 0);
	harness_clock_advance(MS);
	CHECK_EQ(l->fired, 2);
	/* A new deadline replaces the armed one */
	now = ktime_get();
	tsc = ref_tsc(2000000, 1000, now);
	w_deadline(l, tsc + 2000000);
	w_deadline(l, tsc + 200);
	harness_clock_advance(2 * MS);
	CHECK_EQ(l->fired, 3);
	CHECK_EQ(l->fired_at[2], now + 100);
	/* Beyond KTIME_MAX: kept, never fires, nothing queued */
	CHECK_EQ(set_tsc(l, 1, 0), 0);
	w_deadline(l, ~0ULL);
	CHECK_EQ(r_deadline(l), ~0ULL);
	CHECK_EQ(harness_hrtimers_queued(), 0);
	/* Masked: it still expires; lapic.c raises nothing */
	CHECK_EQ(set_tsc(l, 1000000, 0), 0);
	w_lvtt(l, LVTT_DEADLINE | LVTT_MASKED);
	w_deadline(l, ref_tsc(1000000, 0, ktime_get()) + 10);
	harness_clock_advance(10);
	CHECK_EQ(l->fired, 4);
	lapic_free(l);
}

TEST(deadline_tsc_changes)
{
	struct fake_lapic *l = lapic_new(0);
	struct virq_x86_tsc tsc;
	s64 now, want, off;
	u64 d;

	/* tsc_khz 0: kept, never fires */
	w_lvtt(l, LVTT_DEADLINE);
	w_deadline(l, 5000);
	CHECK_EQ(r_deadline(l), 5000);
	CHECK_EQ(harness_hrtimers_queued(), 0);
	harness_clock_advance(100 * MS);
	CHECK_EQ(l->fired, 0);
	/* A TSC now: armed with it (offset 0 at 1 GHz: passed long ago) */
	CHECK_EQ(set_tsc(l, 1000000, 0), 0);
	harness_clock_advance(0);
	CHECK_EQ(l->fired, 1);
	CHECK_EQ(r_deadline(l), 0);

	/* Frequency change moves the expiry: 500000 cycles left, 1 ms */
	now = ktime_get();
	d = ref_tsc(1000000, 0, now) + 1000000;	/* 1 ms at 1 GHz */
	w_deadline(l, d);
	harness_clock_advance(MS / 2);
	now = ktime_get();
	off = ref_tsc(1000000, 0, now) - ref_tsc(500000, 0, now);
	CHECK_EQ(set_tsc(l, 500000, off), 0);
	x86_timer_get_tsc(l->t, &tsc);
	CHECK_EQ(tsc.tsc_khz, 500000);
	CHECK_EQ(tsc.offset, off);
	want = ref_deadline_ns(500000, off, now, d);
	CHECK(want >= now + MS - 1 && want <= now + MS);
	advance_to(want - 1);
	CHECK_EQ(l->fired, 1);
	harness_clock_advance(1);
	CHECK_EQ(l->fired, 2);
	CHECK_EQ(l->fired_at[1], want);

	/* Offset change past the deadline: fires at once */
	now = ktime_get();
	d = ref_tsc(500000, 0, now) + 1000;
	CHECK_EQ(set_tsc(l, 500000, 0), 0);
	w_deadline(l, d);
	CHECK_EQ(set_tsc(l, 500000, 1000), 0);
	harness_clock_advance(0);
	CHECK_EQ(l->fired, 3);
	CHECK_EQ(l->fired_at[2], now);
	/* Back to 0 kHz: an armed deadline stops */
	w_deadline(l, ref_tsc(500000, 1000, now) + 1000);
	CHECK_EQ(set_tsc(l, 0, 0), 0);
	CHECK_EQ(harness_hrtimers_queued(), 0);
	harness_clock_advance(MS);
	CHECK_EQ(l->fired, 3);
	CHECK(r_deadline(l) != 0);
	/* A TSC change leaves a one-shot count alone */
	w_lvtt(l, LVTT_ONESHOT);
	w_tdcr(l, TDCR_DIV1);
	now = ktime_get();
	w_tmict(l, 5000);
	CHECK_EQ(set_tsc(l, 3000000, 77), 0);
	harness_clock_advance(5000);
	CHECK_EQ(l->fired, 4);
	CHECK_EQ(l->fired_at[3], now + 5000);
	lapic_free(l);
}

TEST(set_tsc_validation)
{
	struct fake_lapic *l = lapic_new(0);
	struct virq_x86_tsc tsc;

	CHECK_EQ(set_tsc(l, 2000000, -7), 0);
	CHECK_EQ(set_tsc(l, X86_TIMER_MAX_TSC_KHZ + 1, 5), -EINVAL);
	CHECK_EQ(set_tsc(l, 1ULL << 32, 5), -EINVAL);
	CHECK_EQ(set_tsc(l, ~0ULL, 5), -EINVAL);
	x86_timer_get_tsc(l->t, &tsc);
	CHECK_EQ(tsc.tsc_khz, 2000000);
	CHECK_EQ(tsc.offset, -7);
	CHECK_EQ(set_tsc(l, X86_TIMER_MAX_TSC_KHZ, S64_MIN), 0);
	x86_timer_get_tsc(l->t, &tsc);
	CHECK_EQ(tsc.tsc_khz, X86_TIMER_MAX_TSC_KHZ);
	CHECK_EQ(tsc.offset, S64_MIN);
	CHECK_EQ(set_tsc(l, 0, S64_MAX), 0);
	lapic_free(l);
}

/* Save on @a, move the clock by @gap, restore on a fresh @b */
static struct fake_lapic *migrate(struct fake_lapic *a, u64 khz, s64 gap,
				  struct virq_x86_lapic_state *st)
{
	struct fake_lapic *b = lapic_new(a->vcpu.index + 100);
	struct virq_x86_tsc tsc;
	s64 off;

	save(a, st);
	x86_timer_get_tsc(a->t, &tsc);
	lapic_free(a);
	harness_clock_advance(gap);
	/* The VMM keeps the guest TSC where it was at the save */
	off = tsc.offset - (s64)(ref_tsc(khz, 0, ktime_get()) -
				 ref_tsc(khz, 0, ktime_get() - gap));
	CHECK_EQ(set_tsc(b, tsc.tsc_khz, off), 0);
	CHECK_EQ(restore(b, st), 0);
	return b;
}

TEST(save_restore_oneshot)
{
	struct virq_x86_lapic_state st;
	struct fake_lapic *l = lapic_new(0);
	s64 t;

	/* 1 GHz: exact */
	CHECK_EQ(set_tsc(l, 1000000, 1LL << 50), 0);
	lapic_update(l, LVTT_ONESHOT, 0, TDCR_DIV4);
	w_tmict(l, 1250000);			/* 5 ms */
	harness_clock_advance(2 * MS);
	t = ktime_get();
	save(l, &st);
	CHECK_EQ(st.timer_guest_tsc, ref_tsc(1000000, 1LL << 50, t));
	CHECK_EQ(st.timer_expiry_tsc, st.timer_guest_tsc + 3 * MS);
	CHECK_EQ(st.tsc_deadline, 0);
	l = migrate(l, 1000000, 50 * MS, &st);
	t = ktime_get();
	CHECK_EQ(tmcct(l), 750000);
	harness_clock_advance(3 * MS - 1);
	CHECK_EQ(l->fired, 0);
	harness_clock_advance(1);
	CHECK_EQ(l->fired, 1);
	CHECK_EQ(l->fired_at[0], t + 3 * MS);
	harness_clock_advance(10 * MS);
	CHECK_EQ(l->fired, 1);
	/* An expiry at guest TSC 0 is saved as 1 (0 means none) */
	CHECK_EQ(set_tsc(l, 1000000, -(ktime_get() + 5000)), 0);
	w_tmict(l, 1250);			/* 5000 ns at divide by 4 */
	save(l, &st);
	CHECK_EQ(st.timer_expiry_tsc, 1);
	CHECK_EQ(st.timer_guest_tsc, (u64)-5000);
	CHECK_EQ(restore(l, &st), 0);
	t = ktime_get();
	harness_clock_advance(5001);
	CHECK_EQ(l->fired, 2);
	CHECK_EQ(l->fired_at[1], t + 5000);
	/* After expiry: nothing runs, expiry 0 */
	save(l, &st);
	CHECK_EQ(st.timer_expiry_tsc, 0);
	CHECK_EQ(st.tsc_deadline, 0);

	/* 2.5 GHz: within a cycle */
	CHECK_EQ(set_tsc(l, 2500000, -123456789), 0);
	w_tmict(l, 1250000);
	harness_clock_advance(2 * MS + 333);
	l = migrate(l, 2500000, 7 * MS + 1, &st);
	t = ktime_get();
	CHECK(st.timer_expiry_tsc - st.timer_guest_tsc >= 7499167 &&
	      st.timer_expiry_tsc - st.timer_guest_tsc <= 7499168);
	harness_clock_advance(3 * MS - 333 - 1);
	CHECK_EQ(l->fired, 0);
	harness_clock_advance(2);
	CHECK_EQ(l->fired, 1);
	CHECK(l->fired_at[0] >= t + 3 * MS - 333 &&
	      l->fired_at[0] <= t + 3 * MS - 332);
	lapic_free(l);
}

TEST(save_restore_periodic)
{
	struct virq_x86_lapic_state st;
	struct fake_lapic *l = lapic_new(0);
	s64 t;

	lapic_update(l, LVTT_PERIODIC, 0, TDCR_DIV1);
	w_tmict(l, 2000000);			/* 2 ms */
	harness_clock_advance(5 * MS);		/* 2 fired, 1 ms left */
	CHECK_EQ(l->fired, 2);
	/* tsc_khz 0: the fields count ns */
	save(l, &st);
	CHECK_EQ(st.timer_expiry_tsc - st.timer_guest_tsc, MS);
	l = migrate(l, 1000000, 3 * MS, &st);
	t = ktime_get();
	CHECK_EQ(tmcct(l), 1000000);
	harness_clock_advance(7 * MS);
	CHECK_EQ(l->fired, 4);
	CHECK_EQ(l->fired_at[0], t + MS);
	CHECK_EQ(l->fired_at[3], t + 7 * MS);

	/* Stretched period: the restore uses the minimum period too */
	w_tmict(l, 100);
	harness_clock_advance(50 * US);
	save(l, &st);
	CHECK_EQ(st.timer_expiry_tsc - st.timer_guest_tsc, 150 * US);
	l = migrate(l, 1000000, MS, &st);
	t = ktime_get();
	CHECK_EQ(tmcct(l), 75);
	harness_clock_advance(350 * US);
	CHECK_EQ(l->fired, 2);
	CHECK_EQ(l->fired_at[0], t + 150 * US);
	CHECK_EQ(l->fired_at[1], t + 350 * US);
	lapic_free(l);
}

TEST(save_restore_deadline)
{
	struct virq_x86_lapic_state st;
	struct fake_lapic *l = lapic_new(0);
	s64 t;
	u64 d;

	CHECK_EQ(set_tsc(l, 3000000, 99), 0);
	w_lvtt(l, LVTT_DEADLINE);
	d = ref_tsc(3000000, 99, ktime_get()) + 3000000 * 4;	/* 4 ms */
	w_deadline(l, d);
	harness_clock_advance(MS);
	save(l, &st);
	CHECK_EQ(st.tsc_deadline, d);
	CHECK_EQ(st.timer_expiry_tsc, 0);
	l = migrate(l, 3000000, 20 * MS, &st);
	t = ktime_get();
	CHECK_EQ(r_deadline(l), d);
	harness_clock_advance(3 * MS - 1);
	CHECK_EQ(l->fired, 0);
	harness_clock_advance(1);
	CHECK_EQ(l->fired, 1);
	CHECK_EQ(l->fired_at[0], t + 3 * MS);
	CHECK_EQ(r_deadline(l), 0);
	/* Passed at the restore (no TSC adjustment): at once */
	d = ref_tsc(3000000, 99, ktime_get()) + 3000;
	w_deadline(l, d);
	save(l, &st);
	lapic_free(l);
	l = lapic_new(1);
	harness_clock_advance(MS);
	CHECK_EQ(set_tsc(l, 3000000, 99), 0);
	CHECK_EQ(restore(l, &st), 0);
	harness_clock_advance(0);
	CHECK_EQ(l->fired, 1);
	lapic_free(l);
}

TEST(save_restore_due_and_stopped)
{
	struct virq_x86_lapic_state st;
	struct fake_lapic *l = lapic_new(0);
	s64 t;

	/* Expiry before the saved TSC (callback pending): fires at once */
	memset(&st, 0, sizeof(st));
	st_put(&st, X86_TIMER_REG_LVTT, LVTT_ONESHOT);
	st_put(&st, X86_TIMER_REG_TMICT, 1000);
	st_put(&st, X86_TIMER_REG_TDCR, TDCR_DIV1);
	st.timer_guest_tsc = 5000;
	st.timer_expiry_tsc = 4990;
	CHECK_EQ(restore(l, &st), 0);
	t = ktime_get();
	CHECK_EQ(tmcct(l), 0);
	harness_clock_advance(0);
	CHECK_EQ(l->fired, 1);
	CHECK_EQ(l->fired_at[0], t);
	/* Periodic: then every period from there */
	st_put(&st, X86_TIMER_REG_LVTT, LVTT_PERIODIC);
	st_put(&st, X86_TIMER_REG_TMICT, 1000000);
	CHECK_EQ(restore(l, &st), 0);
	harness_clock_advance(2 * MS);
	CHECK_EQ(l->fired, 4);
	CHECK_EQ(l->fired_at[3], t + 2 * MS);
	/* Wrapping TSC values work as differences */
	st.timer_guest_tsc = ~0ULL - 10;
	st.timer_expiry_tsc = 489;		/* 500 cycles later */
	CHECK_EQ(restore(l, &st), 0);
	t = ktime_get();
	CHECK_EQ(tmcct(l), 500);
	/* A stopped one replaces a running one */
	memset(&st, 0, sizeof(st));
	CHECK_EQ(restore(l, &st), 0);
	CHECK_EQ(tmcct(l), 0);
	harness_clock_advance(10 * MS);
	CHECK_EQ(l->fired, 4);
	CHECK_EQ(harness_hrtimers_queued(), 0);
	lapic_free(l);
}

TEST(restore_validation)
{
	struct virq_x86_lapic_state st, ok;
	struct fake_lapic *l = lapic_new(0);
	s64 t0;

	/* A running one-shot that must survive every failed restore */
	CHECK_EQ(set_tsc(l, 2000000, 0), 0);
	lapic_update(l, LVTT_ONESHOT, 0, TDCR_DIV1);
	w_tmict(l, 1000000);
	t0 = ktime_get();

	memset(&ok, 0, sizeof(ok));
	st_put(&ok, X86_TIMER_REG_LVTT, LVTT_ONESHOT);
	st_put(&ok, X86_TIMER_REG_TMICT, 1000);
	st_put(&ok, X86_TIMER_REG_TDCR, TDCR_DIV2);	/* 2000 ns */
	ok.timer_guest_tsc = 1000000;
	ok.timer_expiry_tsc = 1000000 + 4000;		/* 2000 ns at 2 GHz */

	/* A deadline outside TSC-deadline mode */
	st = ok;
	st.tsc_deadline = 5;
	CHECK_EQ(restore(l, &st), -EINVAL);
	st_put(&st, X86_TIMER_REG_LVTT, LVTT_PERIODIC);
	CHECK_EQ(restore(l, &st), -EINVAL);
	st.timer_expiry_tsc = 0;
	st_put(&st, X86_TIMER_REG_LVTT, LVTT_RESERVED);
	CHECK_EQ(restore(l, &st), -EINVAL);
	/* A running count outside the counting modes */
	st = ok;
	st_put(&st, X86_TIMER_REG_LVTT, LVTT_DEADLINE);
	CHECK_EQ(restore(l, &st), -EINVAL);
	st_put(&st, X86_TIMER_REG_LVTT, LVTT_RESERVED);
	CHECK_EQ(restore(l, &st), -EINVAL);
	/* ... with TMICT 0, even when due */
	st = ok;
	st_put(&st, X86_TIMER_REG_TMICT, 0);
	CHECK_EQ(restore(l, &st), -EINVAL);
	st.timer_expiry_tsc = st.timer_guest_tsc - 5;
	CHECK_EQ(restore(l, &st), -EINVAL);
	/* ... more than a full count (plus one cycle) ahead */
	st = ok;
	st.timer_expiry_tsc += 2;
	CHECK_EQ(restore(l, &st), -EINVAL);
	st.timer_expiry_tsc = ~0ULL;
	st.timer_guest_tsc = 1ULL << 63;
	CHECK_EQ(restore(l, &st), -EINVAL);
	st = ok;
	st_put(&st, X86_TIMER_REG_LVTT, LVTT_PERIODIC);
	st.timer_expiry_tsc = st.timer_guest_tsc + 200 * US * 2 + 2;
	CHECK_EQ(restore(l, &st), -EINVAL);

	/* Nothing changed */
	CHECK_EQ(tmcct(l), 1000000);
	harness_clock_advance(MS);
	CHECK_EQ(l->fired, 1);
	CHECK_EQ(l->fired_at[0], t0 + MS);

	/* The limits themselves pass */
	st = ok;
	st.timer_expiry_tsc += 1;
	CHECK_EQ(restore(l, &st), 0);
	t0 = ktime_get();
	CHECK_EQ(tmcct(l), 1000);
	harness_clock_advance(2000);
	CHECK_EQ(l->fired, 2);
	CHECK_EQ(l->fired_at[1], t0 + 2000);
	st_put(&st, X86_TIMER_REG_LVTT, LVTT_PERIODIC);
	st.timer_expiry_tsc = st.timer_guest_tsc + 200 * US * 2 + 1;
	CHECK_EQ(restore(l, &st), 0);
	t0 = ktime_get();
	harness_clock_advance(200 * US);
	CHECK_EQ(l->fired, 3);
	CHECK_EQ(l->fired_at[2], t0 + 200 * US);
	st = ok;
	st_put(&st, X86_TIMER_REG_LVTT, LVTT_DEADLINE);
	st.timer_expiry_tsc = 0;
	st.tsc_deadline = 1;
	CHECK_EQ(restore(l, &st), 0);
	CHECK_EQ(r_deadline(l), 1);
	harness_clock_advance(0);
	CHECK_EQ(l->fired, 4);
	lapic_free(l);
}

/* --- races between the callback and the LAPIC's register writes --- */

static struct fake_lapic *race_lapic;
static u32 race_tmict;
static u32 race_lvtt;

/* Another CPU writes TMICT while the callback is running */
static void race_write_tmict(struct fake_lapic *l)
{
	l->on_fire = NULL;
	w_tmict(l, race_tmict);
}

/* Another CPU writes before the callback takes the timer lock */
static void race_hook_tmict(struct hrtimer *timer)
{
	harness_hrtimer_set_hook(NULL);
	w_tmict(race_lapic, race_tmict);
}

static void race_hook_lvtt(struct hrtimer *timer)
{
	harness_hrtimer_set_hook(NULL);
	w_lvtt(race_lapic, race_lvtt);
}

TEST(race_write_during_callback)
{
	struct fake_lapic *l = lapic_new(0);
	s64 t0;

	/* Periodic, TMICT rewritten while the expiry is delivered */
	lapic_update(l, LVTT_PERIODIC, 0, TDCR_DIV1);
	w_tmict(l, 1000000);
	t0 = ktime_get();
	race_tmict = 300000;
	l->on_fire = race_write_tmict;
	harness_clock_advance(MS);
	CHECK_EQ(l->fired, 1);
	/* The new count wins over the callback's own restart */
	harness_clock_advance(900 * US);
	CHECK_EQ(l->fired, 4);
	CHECK_EQ(l->fired_at[1], t0 + MS + 300 * US);
	CHECK_EQ(l->fired_at[3], t0 + MS + 900 * US);
	CHECK_EQ(harness_hrtimers_queued(), 1);

	/* Stopped while delivered: the restarted hrtimer fires for nothing */
	race_tmict = 0;
	l->on_fire = race_write_tmict;
	harness_clock_advance(300 * US);
	CHECK_EQ(l->fired, 5);
	CHECK_EQ(harness_clock_advance(10 * MS), 1);
	CHECK_EQ(l->fired, 5);
	CHECK_EQ(harness_hrtimers_queued(), 0);
	CHECK_EQ(tmcct(l), 0);
	lapic_free(l);
}

TEST(race_write_before_callback)
{
	struct fake_lapic *l = lapic_new(0);
	s64 t0;

	race_lapic = l;
	/* Stopped between the expiry and the callback: nothing */
	lapic_update(l, LVTT_ONESHOT, 0, TDCR_DIV1);
	w_tmict(l, 1000);
	race_tmict = 0;
	harness_hrtimer_set_hook(race_hook_tmict);
	CHECK_EQ(harness_clock_advance(1000), 1);
	CHECK_EQ(l->fired, 0);
	CHECK_EQ(harness_hrtimers_queued(), 0);

	/* Restarted there: only the new count fires */
	w_tmict(l, 1000);
	race_tmict = 500;
	harness_hrtimer_set_hook(race_hook_tmict);
	harness_clock_advance(1000);
	t0 = ktime_get();
	CHECK_EQ(l->fired, 0);
	harness_clock_advance(500);
	CHECK_EQ(l->fired, 1);
	CHECK_EQ(l->fired_at[0], t0 + 500);

	/* Periodic restarted there: the new period runs, once */
	lapic_update(l, LVTT_PERIODIC, 0, TDCR_DIV1);
	w_tmict(l, 1000000);
	race_tmict = 400000;
	harness_hrtimer_set_hook(race_hook_tmict);
	harness_clock_advance(MS);
	t0 = ktime_get();
	CHECK_EQ(l->fired, 1);
	harness_clock_advance(800 * US);
	CHECK_EQ(l->fired, 3);
	CHECK_EQ(l->fired_at[1], t0 + 400 * US);
	CHECK_EQ(l->fired_at[2], t0 + 800 * US);
	CHECK_EQ(harness_hrtimers_queued(), 1);

	/* Masked there: not a change of mode, the expiry is delivered */
	race_lvtt = LVTT_PERIODIC | LVTT_MASKED;
	harness_hrtimer_set_hook(race_hook_lvtt);
	harness_clock_advance(400 * US);
	CHECK_EQ(l->fired, 4);
	/* Mode changed there: nothing, and stopped */
	race_lvtt = LVTT_ONESHOT;
	harness_hrtimer_set_hook(race_hook_lvtt);
	harness_clock_advance(400 * US);
	CHECK_EQ(l->fired, 4);
	harness_clock_advance(10 * MS);
	CHECK_EQ(l->fired, 4);
	CHECK_EQ(harness_hrtimers_queued(), 0);
	lapic_free(l);
}

static struct virq_x86_lapic_state late_st;
static u32 late_tmcct;

/* The host runs the callback 3.3 ms late; meanwhile, read and save */
static void late_hook(struct hrtimer *timer)
{
	harness_hrtimer_set_hook(NULL);
	harness_clock_advance(3 * MS + 300 * US);
	late_tmcct = tmcct(race_lapic);
	save(race_lapic, &late_st);
}

TEST(periodic_late_callback)
{
	struct fake_lapic *l = lapic_new(0), *m;
	s64 t0;

	race_lapic = l;
	lapic_update(l, LVTT_PERIODIC, 0, TDCR_DIV1);
	w_tmict(l, 1000000);
	t0 = ktime_get();
	harness_hrtimer_set_hook(late_hook);
	harness_clock_advance(MS);
	/* Four periods due: one expiry, and the next back on the grid */
	CHECK_EQ(l->fired, 1);
	CHECK_EQ(l->fired_at[0], t0 + 4 * MS + 300 * US);
	CHECK_EQ(late_tmcct, 700000);
	CHECK_EQ(late_st.timer_expiry_tsc - late_st.timer_guest_tsc,
		 (u64)-(3 * MS + 300 * US));
	harness_clock_advance(700 * US - 1);
	CHECK_EQ(l->fired, 1);
	harness_clock_advance(1);
	CHECK_EQ(l->fired, 2);
	CHECK_EQ(l->fired_at[1], t0 + 5 * MS);
	/* Saved while due: fires at once after a restore, then per period */
	m = lapic_new(1);
	CHECK_EQ(restore(m, &late_st), 0);
	t0 = ktime_get();
	harness_clock_advance(0);
	CHECK_EQ(m->fired, 1);
	CHECK_EQ(m->fired_at[0], t0);
	harness_clock_advance(MS);
	CHECK_EQ(m->fired, 2);
	CHECK_EQ(m->fired_at[1], t0 + MS);
	lapic_free(l);
	lapic_free(m);
}

TEST(two_timers_in_order)
{
	struct fake_lapic *a = lapic_new(0), *b = lapic_new(1);
	s64 t0;

	nr_fired_total = 0;
	lapic_update(a, LVTT_ONESHOT, 0, TDCR_DIV1);
	lapic_update(b, LVTT_PERIODIC, 0, TDCR_DIV1);
	t0 = ktime_get();
	w_tmict(a, 700000);
	w_tmict(b, 300000);
	harness_clock_advance(MS);
	/* b at 300, 600, 900 us; a at 700 us */
	CHECK_EQ(nr_fired_total, 4);
	CHECK(fired_order[0] == &b->vcpu);
	CHECK(fired_order[1] == &b->vcpu);
	CHECK(fired_order[2] == &a->vcpu);
	CHECK(fired_order[3] == &b->vcpu);
	CHECK_EQ(a->fired_at[0], t0 + 700 * US);
	CHECK_EQ(b->fired_at[2], t0 + 900 * US);
	lapic_free(a);
	lapic_free(b);
	CHECK_EQ(harness_hrtimers_queued(), 0);
}

TEST(destroy_armed)
{
	struct fake_lapic *l;
	int i;

	for (i = 0; i < 3; i++) {
		l = lapic_new(i);
		CHECK_EQ(set_tsc(l, 1000000, 0), 0);
		if (i == 0) {
			lapic_update(l, LVTT_ONESHOT, 0, TDCR_DIV1);
			w_tmict(l, 1000);
		} else if (i == 1) {
			lapic_update(l, LVTT_PERIODIC, 0, TDCR_DIV1);
			w_tmict(l, 1000);
		} else {
			w_lvtt(l, LVTT_DEADLINE);
			w_deadline(l, ref_tsc(1000000, 0, ktime_get()) + 10);
		}
		CHECK_EQ(harness_hrtimers_queued(), 1);
		lapic_free(l);
		CHECK_EQ(harness_hrtimers_queued(), 0);
		/* ASan would see a freed timer fire */
		harness_clock_advance(10 * MS);
	}
	/* Armed 1 ns ahead */
	l = lapic_new(0);
	lapic_update(l, LVTT_ONESHOT, 0, TDCR_DIV1);
	w_tmict(l, 1);
	harness_clock_advance(0);
	CHECK_EQ(l->fired, 0);
	lapic_free(l);
	harness_clock_advance(10);
	CHECK_EQ(harness_hrtimers_queued(), 0);
}

static const struct tap_test tests[] = {
	T(create_and_reset_state),
	T(oneshot_every_divisor),
	T(tmcct_countdown),
	T(periodic_reload),
	T(periodic_minimum_period),
	T(mode_change_stops),
	T(tmict_writes),
	T(tdcr_change_rescales),
	T(write_one_register),
	T(lapic_reset),
	T(deadline_exact),
	T(deadline_past_zero_far),
	T(deadline_tsc_changes),
	T(set_tsc_validation),
	T(save_restore_oneshot),
	T(save_restore_periodic),
	T(save_restore_deadline),
	T(save_restore_due_and_stopped),
	T(restore_validation),
	T(race_write_during_callback),
	T(race_write_before_callback),
	T(periodic_late_callback),
	T(two_timers_in_order),
	T(destroy_armed),
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
