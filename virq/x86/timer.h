/* SPDX-License-Identifier: GPL-2.0 */
/*
 * timer.c's additions to x86.h, for lapic.c and the unit test.
 */
#ifndef _VIRQ_X86_TIMER_H
#define _VIRQ_X86_TIMER_H

#include "x86.h"

/* The timer's registers: offsets in the xAPIC page and in regs[] */
#define X86_TIMER_REG_LVTT	0x320
#define X86_TIMER_REG_TMICT	0x380
#define X86_TIMER_REG_TMCCT	0x390
#define X86_TIMER_REG_TDCR	0x3e0

/* LVTT */
#define X86_TIMER_LVTT_MASKED		BIT(16)
#define X86_TIMER_LVTT_MODE_SHIFT	17
#define X86_TIMER_LVTT_MODE_MASK	(3U << X86_TIMER_LVTT_MODE_SHIFT)

/* LVTT bits 18:17 */
#define X86_TIMER_ONESHOT	0
#define X86_TIMER_PERIODIC	1
#define X86_TIMER_TSC_DEADLINE	2	/* 3 is reserved: the timer stays idle */

/* One APIC bus cycle, in ns: KVM's default (a 1 GHz bus) */
#define X86_TIMER_BUS_CYCLE_NS	1
/*
 * Shortest period of a periodic timer, in ns: KVM's default
 * min_timer_period_us (200 us).  A shorter TMICT * divisor is stretched
 * to it, so that a guest cannot make the host take a timer interrupt
 * every few ns.  One-shot and TSC-deadline timers are not limited: the
 * guest must write again for each expiry.
 */
#define X86_TIMER_MIN_PERIOD_NS	200000ULL
/* Largest virq_x86_tsc.tsc_khz accepted: 10 GHz */
#define X86_TIMER_MAX_TSC_KHZ	10000000ULL

/*
 * The guest wrote @val to @reg (X86_TIMER_REG_LVTT, _TMICT or _TDCR).
 * Same effect as x86_timer_update() with that one register changed, but
 * unambiguous: rewriting LVTT or TDCR with its current value changes
 * nothing, while x86_timer_update() cannot tell such a write from a
 * TMICT rewrite (which restarts the count).  Call with the LAPIC lock
 * held.  -EINVAL (nothing done) for another @reg.
 */
int x86_timer_write(struct x86_timer *t, u32 reg, u32 val);

#endif /* _VIRQ_X86_TIMER_H */
