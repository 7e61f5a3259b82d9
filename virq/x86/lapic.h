/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local APIC's private definitions (lapic.c): register offsets of
 * the xAPIC page, register fields, and struct x86_lapic.  The rest of the
 * family sees only the functions x86.h declares.
 *
 * The names carry a LAPIC_ prefix, not the kernel's APIC_ one, so that
 * this header never collides with <asm/apicdef.h> on an x86 host.
 */
#ifndef _VIRQ_X86_LAPIC_H
#define _VIRQ_X86_LAPIC_H

#include <linux/bits.h>
#include <linux/spinlock.h>

#include "x86.h"

/* The register page: 64 slots of 16 bytes, a 32-bit register in each */
#define LAPIC_PAGE_SIZE		1024
#define LAPIC_MMIO_SIZE		4096

/* xAPIC offsets; the x2APIC MSR of a register is 0x800 + offset / 16 */
#define LAPIC_ID		0x020
#define LAPIC_LVR		0x030
#define LAPIC_TPR		0x080
#define LAPIC_APR		0x090
#define LAPIC_PPR		0x0a0
#define LAPIC_EOI		0x0b0
#define LAPIC_LDR		0x0d0
#define LAPIC_DFR		0x0e0
#define LAPIC_SVR		0x0f0
#define LAPIC_ISR		0x100	/* 8 registers */
#define LAPIC_TMR		0x180	/* 8 registers */
#define LAPIC_IRR		0x200	/* 8 registers */
#define LAPIC_ESR		0x280
#define LAPIC_ICR		0x300
#define LAPIC_ICR2		0x310
#define LAPIC_LVTT		0x320
#define LAPIC_LVTTHMR		0x330
#define LAPIC_LVTPC		0x340
#define LAPIC_LVT0		0x350
#define LAPIC_LVT1		0x360
#define LAPIC_LVTERR		0x370
#define LAPIC_TMICT		0x380
#define LAPIC_TMCCT		0x390
#define LAPIC_TDCR		0x3e0
#define LAPIC_SELF_IPI		0x3f0	/* x2APIC only */

/* IA32_APIC_BASE */
#define LAPIC_BASE_BSP		BIT_ULL(8)
#define LAPIC_BASE_EXTD		BIT_ULL(10)	/* x2APIC mode */
#define LAPIC_BASE_EN		BIT_ULL(11)	/* hardware enable */
#define LAPIC_BASE_ADDR		GENMASK_ULL(51, 12)
#define LAPIC_BASE_RESERVED	(~(LAPIC_BASE_ADDR | LAPIC_BASE_EN | \
				   LAPIC_BASE_EXTD | LAPIC_BASE_BSP))

/* Version register: xAPIC version, six LVT entries (LVTT..LVTERR) */
#define LAPIC_VERSION		0x14
#define LAPIC_MAX_LVT		5
#define LAPIC_LVR_DIRECTED_EOI	BIT(24)

/* Spurious-interrupt vector register */
#define LAPIC_SVR_VECTOR	0xffU
#define LAPIC_SVR_ENABLE	BIT(8)
#define LAPIC_SVR_NO_FOCUS	BIT(9)
#define LAPIC_SVR_SUPPRESS_EOI	BIT(12)	/* with directed EOI only */

/* LVT entries and the ICR */
#define LAPIC_VECTOR		0xffU
#define LAPIC_DM_SHIFT		8
#define LAPIC_DM_MASK		(7U << LAPIC_DM_SHIFT)
#define LAPIC_LOGICAL		BIT(11)	/* ICR destination mode */
#define LAPIC_DELIVS		BIT(12)	/* delivery status: always 0 here */
#define LAPIC_POLARITY		BIT(13)	/* LINT0/1 */
#define LAPIC_REMOTE_IRR	BIT(14)	/* LINT0/1, read-only */
#define LAPIC_ASSERT		BIT(14)	/* ICR level */
#define LAPIC_LEVEL		BIT(15)	/* trigger mode */
#define LAPIC_MASKED		BIT(16)
#define LAPIC_SH_SHIFT		18	/* ICR destination shorthand */
#define LAPIC_TIMER_MODE	(3U << 17)
#define LAPIC_TIMER_PERIODIC	BIT(17)
#define LAPIC_TIMER_TSCDEADLINE	(2U << 17)

/* Error status register bits this LAPIC reports */
#define LAPIC_ESR_SEND_ILLEGAL	BIT(5)	/* sent vector 0-15 */
#define LAPIC_ESR_RECV_ILLEGAL	BIT(6)	/* received vector 0-15 */
#define LAPIC_ESR_ILLEGAL_REG	BIT(7)	/* xAPIC: reserved register */
#define LAPIC_ESR_ALL		(LAPIC_ESR_SEND_ILLEGAL | \
				 LAPIC_ESR_RECV_ILLEGAL | \
				 LAPIC_ESR_ILLEGAL_REG)

/*
 * struct virq_x86_lapic_state.events (see the uAPI header): the pending
 * VIRQ_OUT_NMI/INIT/SIPI/SMI events and three pieces of LAPIC state that
 * the register page cannot hold, VIRQ_OUT_EXTINT (an accepted ExtINT
 * message waiting for its INTA cycle), the ESR bits detected since the
 * last ESR write (VIRQ_X86_LAPIC_EV_ESR_*) and wait-for-SIPI
 * (VIRQ_X86_LAPIC_EV_WAIT_SIPI).  X86_LAPIC_EV_ESR is the part of the ESR
 * field this LAPIC reports; X86_LAPIC_EV_ALL every bit a SET may carry.
 */
#define X86_LAPIC_EV_ESR	((u32)LAPIC_ESR_ALL << \
				 VIRQ_X86_LAPIC_EV_ESR_SHIFT)
#define X86_LAPIC_EV_LATCHED	(VIRQ_OUT_EVENTS | VIRQ_OUT_EXTINT)
#define X86_LAPIC_EV_ALL	(X86_LAPIC_EV_LATCHED | X86_LAPIC_EV_ESR | \
				 VIRQ_X86_LAPIC_EV_WAIT_SIPI)

/**
 * struct x86_lapic - the local APIC of one vCPU (vcpu->priv)
 * @lock: protects everything below but @bus and the fields set at
 *	creation; raw, taken with IRQs off (deliveries come from irqfd
 *	wakeups and from the timer's hrtimer)
 * @vcpu: the vCPU (set at creation)
 * @timer: its timer (timer.c; set at creation)
 * @directed_eoi: the chip offers directed EOI (set at creation)
 * @apic_base: IA32_APIC_BASE
 * @bus: lockless snapshot of what APIC-bus matching needs (LAPIC_BUS_*),
 *	written with WRITE_ONCE() under @lock whenever an input changes
 * @events: latched VIRQ_OUT_NMI/INIT/SIPI/SMI events, and VIRQ_OUT_EXTINT
 *	for an accepted ExtINT message
 * @sipi_vector: vector of the latched SIPI
 * @wait_sipi: wait-for-SIPI: SIPIs latch only in this state
 * @esr_pending: ESR errors detected since the last ESR write
 * @regs: the xAPIC register page, little-endian 32-bit registers at a
 *	16-byte stride, as struct kvm_lapic_state holds it
 */
struct x86_lapic {
	raw_spinlock_t lock;
	struct virq_vcpu *vcpu;
	struct x86_timer *timer;
	bool directed_eoi;

	u64 apic_base;
	u64 bus;
	u32 events;
	u8 sipi_vector;
	bool wait_sipi;
	u8 esr_pending;
	u8 regs[LAPIC_PAGE_SIZE];
};

#endif /* _VIRQ_X86_LAPIC_H */
