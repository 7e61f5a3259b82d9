// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "virq_test.h"

int virq_open(void)
{
	return open(VIRQ_DEV, O_RDWR | O_CLOEXEC);
}

int virq_create_chip(int fd, __u32 family, __u32 nr_vcpus,
		     __u32 nr_sources)
{
	struct virq_chip_config cfg = {
		.family = family,
		.nr_vcpus = nr_vcpus,
		.nr_sources = nr_sources,
	};

	return ioctl(fd, VIRQ_CREATE_CHIP, &cfg);
}

int virq_create_vcpu(int fd, __u32 index, __u64 arch_id)
{
	struct virq_vcpu_create vc = { .index = index, .arch_id = arch_id };

	return ioctl(fd, VIRQ_CREATE_VCPU, &vc);
}

int virq_line(int fd, __u32 source, __u32 op, int *status)
{
	struct virq_irq_line line = { .source = source, .op = op };
	int ret;

	line.status = 0x5a5a5a5a;
	ret = ioctl(fd, VIRQ_IRQ_LINE, &line);
	if (status)
		*status = line.status;
	return ret;
}

int virq_vcpu_call(int vcpu_fd, struct virq_call *c)
{
	return ioctl(vcpu_fd, VIRQ_VCPU_CALL, c);
}

int virq_chip_call(int fd, struct virq_call *c)
{
	return ioctl(fd, VIRQ_CHIP_CALL, c);
}

long virq_vcpu_lines(int vcpu_fd)
{
	struct virq_vcpu_output out;

	memset(&out, 0xcc, sizeof(out));
	out.flags = 0;
	if (ioctl(vcpu_fd, VIRQ_VCPU_GET_OUTPUT, &out))
		return -1;
	return out.lines;
}

long virq_slab_active_objects(void)
{
	char line[512];
	long total = 0;
	FILE *f;

	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char name[128];
		long active;

		if (sscanf(line, "%127s %ld", name, &active) != 2)
			continue;
		if (!strncmp(name, "kmalloc-", 8) ||
		    !strncmp(name, "kmalloc-cg-", 11))
			total += active;
	}
	fclose(f);
	return total;
}
