// SPDX-License-Identifier: GPL-2.0
/*
 * vmm: run the two-vCPU guest program of vmm.c under /dev/kvm with virq's
 * interrupt controllers, print what the guest saw, check it.
 *
 * Usage: vmm [--narrate] [--timeout MS]
 * Exit status: 0 when every check passes, 1 otherwise, 4 (kselftest
 * skip) without /dev/kvm or the virq x86 family.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm.h"

static void summary(const struct vmm_result *r)
{
	int cpu, vec;

	for (cpu = 0; cpu < VMM_NR_VCPUS; cpu++) {
		printf("vcpu%d took:", cpu);
		for (vec = 0; vec < 256; vec++)
			if (r->guest_count[cpu][vec] || r->injected[cpu][vec])
				printf(" %#x x%u", vec,
				       r->guest_count[cpu][vec]);
		printf("\n");
	}
	printf("doorbell: %u rings, %u device acks; MSIs: %u plain, %u remapped; remote IRR at the end: %s\n",
	       r->rings, r->device_acks, r->msis_sent, r->msis_ir_sent,
	       r->remote_irr_end ? "set" : "clear");
}

int main(int argc, char **argv)
{
	struct vmm_opts opts = { .timeout_ms = 120000 };
	struct vmm_result *res;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--narrate")) {
			opts.narrate = true;
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			opts.timeout_ms = strtoul(argv[++i], NULL, 0);
		} else {
			fprintf(stderr, "usage: vmm [--narrate] [--timeout MS]\n");
			return 2;
		}
	}
	res = calloc(1, sizeof(*res));
	if (!res)
		return 1;
	if (opts.narrate)
		printf("== a small VMM: KVM runs the vCPUs, virq is the IOAPIC and the LAPICs ==\n");
	ret = vmm_run(&opts, res);
	if (ret == VMM_SKIP) {
		printf("vmm: skipped: %s\n", res->error);
		free(res);
		return VMM_SKIP;
	}
	summary(res);
	if (vmm_check(res, stdout))
		ret = VMM_FAIL;
	printf("vmm: %s\n", ret == VMM_OK ? "every check passed" : "FAILED");
	free(res);
	return ret;
}
