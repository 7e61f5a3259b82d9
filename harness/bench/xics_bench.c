// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction-count benchmark of the XICS model (run under callgrind by
 * bench/callgrind.sh): N rounds of one edge injection, H_XIRR and H_EOI,
 * through the same ops and argument checks the core uses.  Built without
 * sanitizers, -O2.
 */
#include <stdio.h>
#include <stdlib.h>

#include <linux/kernel.h>

#include "../tests/xics_helpers.h"

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000, i;
	struct virq_instance *inst = xics_new(4, 4096);
	u32 src;
	u64 x;
	int status;

	if (!inst)
		return 1;
	for (src = 16; src < 16 + 64; src++)
		set_xive(inst, src, 0, 5);
	h_cppr(inst, 0, 0xff);

	for (i = 0; i < n; i++) {
		src = 16 + i % 64;
		if (harness_set_irq(inst, src, VIRQ_LINE_EDGE,
				    VIRQ_DRIVER_USER, false, &status) ||
		    status != 1)
			return 2;
		x = h_xirr(inst, 0);
		if (x != XIRR(0xff, src))
			return 3;
		if (h_eoi(inst, 0, x))
			return 4;
	}
	harness_instance_close(inst);
	printf("%lu rounds\n", n);
	return 0;
}
