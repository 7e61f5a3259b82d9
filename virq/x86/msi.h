/* SPDX-License-Identifier: GPL-2.0 */
/*
 * msi.c's interrupt remapping table, visible to the glue's debugfs and to
 * the unit test; everything else goes through the functions of x86.h.
 */
#ifndef _VIRQ_X86_MSI_H
#define _VIRQ_X86_MSI_H

#include <linux/rcupdate.h>

#include "x86.h"

/**
 * struct x86_ir - the interrupt remapping table (VT-d, x2APIC format)
 * @lock: protects @fault and every entry of @irte, so that a translation
 *	never sees half of an entry; raw, taken with IRQs off
 * @nr_irtes: entries in @irte, a power of two
 * @notifier: the fault eventfd (RCU; replaced under @lock)
 * @fault: faults so far and the last one
 * @irte: the table
 */
struct x86_ir {
	raw_spinlock_t lock;
	u32 nr_irtes;
	struct virq_notifier __rcu *notifier;
	struct virq_x86_ir_fault fault;
	struct virq_x86_irte irte[];
};

#endif /* _VIRQ_X86_MSI_H */
