/* SPDX-License-Identifier: GPL-2.0 */
/* Harness shim: a per-thread "IRQs disabled" depth. */
#ifndef _HARNESS_LINUX_IRQFLAGS_H
#define _HARNESS_LINUX_IRQFLAGS_H

#include <linux/kernel.h>
#include <harness/rt.h>

#define local_irq_save(flags) do {					\
	(void)typecheck(unsigned long, flags);				\
	(flags) = harness_irq_save();					\
} while (0)
#define local_irq_restore(flags)					\
	harness_irq_restore(flags, __FILE__, __LINE__)
#define local_irq_disable()	((void)harness_irq_save())
#define local_irq_enable()	harness_irq_restore(0, __FILE__, __LINE__)
#define irqs_disabled()		harness_irqs_disabled()

#endif
