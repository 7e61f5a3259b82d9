/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvirq internals shared by libvirq.c and state.c; not installed.
 */
#ifndef _LIBVIRQ_INT_H
#define _LIBVIRQ_INT_H

#include "libvirq.h"

#define LV_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* the kernel's __printf(), as tools/include/linux/compiler.h has it */
#ifndef __printf
#define lv_printf_fmt(a, b)	format(printf, a, b)
#define __printf(a, b)		__attribute__((lv_printf_fmt(a, b)))
#endif

/* Fill @e (if not NULL) and return -@err */
int lv_fail(struct libvirq_err *e, int err, const char *section,
	    const char *fmt, ...) __printf(4, 5);

void lv_progress(const struct libvirq_progress *p, const char *what,
		 __u64 done, __u64 total);

/* LAPIC registers and bits libvirq looks at */
#define LV_LAPIC_ID		0x20
#define LV_LAPIC_TMCCT		0x390
#define LV_APIC_BASE_EXTD	(1ULL << 10)

/* Largest tsc_khz the kernel accepts (virq/x86/timer.h) */
#define LV_MAX_TSC_KHZ		10000000ULL
/* IRTEs per VIRQ_X86_GRP_IRTE access: VIRQ_ATTR_MAX_SIZE bytes */
#define LV_IRTE_CHUNK	(VIRQ_ATTR_MAX_SIZE / sizeof(struct virq_x86_irte))

/* x86 IOAPIC MMIO window: IOAPIC n's default base is 0xfec00000 + n * it */
#define LV_X86_IOAPIC_WINDOW	0x1000

/*
 * Check x86 options @o as VIRQ_CREATE_CHIP does for a chip of
 * @nr_sources GSIs and resolve their defaults into @r.  Returns 0, or
 * -EINVAL with the reason (naming the field) in @why.
 */
int lv_x86_resolve(const struct virq_x86_options *o, __u32 nr_sources,
		   struct virq_x86_options *r, char *why, size_t n);

/*
 * Check GICv3 options @o as VIRQ_CREATE_CHIP does (bar the frames'
 * overlaps, which the dry run's VIRQ_CREATE_CHIP checks) for a chip of
 * @nr_sources and resolve their defaults into @r.  Returns 0, or -EINVAL
 * with the reason in @why.
 */
int lv_gicv3_resolve(const struct virq_gicv3_options *o, __u32 nr_sources,
		     struct virq_gicv3_options *r, char *why, size_t n);

#endif /* _LIBVIRQ_INT_H */
