/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the virq selftests.
 */
#ifndef _VIRQ_TEST_H
#define _VIRQ_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/virq.h>

#define VIRQ_DEV "/dev/virq"

/* Open /dev/virq; -1 with errno set if the module is not loaded. */
int virq_open(void);

/* Create a chip; returns the ioctl's result (0 or -1 with errno). */
int virq_create_chip(int fd, __u32 family, __u32 nr_vcpus,
		     __u32 nr_sources);

/* Create vCPU @index with @arch_id; returns the fd or -1. */
int virq_create_vcpu(int fd, __u32 index, __u64 arch_id);

/* One injection; returns the ioctl result, status in *@status if set. */
int virq_line(int fd, __u32 source, __u32 op, int *status);

/* A call on a vCPU fd (hcall) or the instance (RTAS); fills *@c. */
int virq_vcpu_call(int vcpu_fd, struct virq_call *c);
int virq_chip_call(int fd, struct virq_call *c);

/* VIRQ_VCPU_GET_OUTPUT lines, or -1. */
long virq_vcpu_lines(int vcpu_fd);

/* Count slab objects of kmalloc caches (sum of active objects), or -1. */
long virq_slab_active_objects(void);

#endif /* _VIRQ_TEST_H */
