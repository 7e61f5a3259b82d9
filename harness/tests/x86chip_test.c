// SPDX-License-Identifier: GPL-2.0
/*
 * Whole-chip harness tests of the x86 family (all its pieces linked).
 *
 * x86_free()'s order (review finding #2): the
 * IOAPIC's EOI-storm work must never run after the remapping table is
 * freed.  harness_free() is wrapped: when the table is freed, the queued
 * work runs at once, as a worker on another CPU could at that moment.
 */
#include <stdlib.h>

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/workqueue.h>

#include "virq/x86/x86.h"
#include "harness/core_stubs.h"
#include "harness/tests/tap.h"

void __real_harness_free(const void *p);
static const void *watch;
static unsigned int ran_after_free;

void __wrap_harness_free(const void *p)
{
	__real_harness_free(p);
	if (p && p == watch) {
		watch = NULL;
		ran_after_free = harness_run_work();
	}
}

TEST(storm_work_never_outlives_ir_table)
{
	struct virq_x86_options o = { .nr_irtes = 8 };
	struct virq_instance *inst = harness_instance_open();
	struct virq_x86_irte e = { .lo = VIRQ_X86_IRTE_PRESENT |
				   VIRQ_X86_IRTE_LEVEL |
				   0x70ULL << VIRQ_X86_IRTE_VECTOR_SHIFT };
	struct x86_chip *chip;
	u64 rte = 0x70 | BIT_ULL(15) | BIT_ULL(48) | 3ULL << 49;
	u64 d;
	int st, i;

	CHECK_FATAL(inst);
	CHECK_EQ(harness_create_chip(inst, &virq_x86_ops, 1, 24, &o,
				     sizeof(o)), 0);
	chip = x86_chip(inst);
	CHECK_EQ(harness_set_attr(inst, VIRQ_X86_GRP_IRTE, 3, &e, sizeof(e)),
		 0);
	/* pin 5: remappable, level, IRTE 3; its line held high */
	d = 0x10 + 2 * 5;
	CHECK_EQ(x86_ioapic_mmio(chip->ioapics[0], 0xfec00000, 4, true, &d), 0);
	d = (u32)rte;
	CHECK_EQ(x86_ioapic_mmio(chip->ioapics[0], 0xfec00010, 4, true, &d), 0);
	d = 0x11 + 2 * 5;
	CHECK_EQ(x86_ioapic_mmio(chip->ioapics[0], 0xfec00000, 4, true, &d), 0);
	d = rte >> 32;
	CHECK_EQ(x86_ioapic_mmio(chip->ioapics[0], 0xfec00010, 4, true, &d), 0);
	CHECK_EQ(harness_set_irq(inst, 5, VIRQ_LINE_SET, VIRQ_DRIVER_USER,
				 false, &st), 0);
	/* a guest that ends it forever: the storm guard defers a re-send */
	for (i = 0; i < 20000 && !harness_work_queued(); i++)
		x86_ioapic_eoi(chip->ioapics[0], 0x70);
	CHECK_EQ(harness_work_queued(), 1);
	watch = chip->ir;
	harness_instance_close(inst);
	CHECK(!watch);
	CHECK_EQ(ran_after_free, 0);
	CHECK_EQ(harness_work_queued(), 0);
}

static const struct tap_test tests[] = {
	T(storm_work_never_outlives_ir_table),
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
