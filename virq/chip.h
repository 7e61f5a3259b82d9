/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The uaccess-free steps of the instance ioctls: argument checks and chip
 * installation.  The core (instance.c, vcpu.c) calls them after copying
 * the arguments in; the userspace harness calls the same functions, so
 * that both apply one set of rules.
 */
#ifndef _VIRQ_CHIP_H
#define _VIRQ_CHIP_H

#include "virq.h"

int virq_check_chip_config(const struct virq_chip_config *uc,
			   const struct virq_chip_ops *ops,
			   u32 max_vcpus, u32 max_sources);
int virq_install_chip(struct virq_instance *inst, struct virq_vcpu ***vcpus,
		      const struct virq_chip_ops *ops,
		      const struct virq_config *cfg);
struct virq_vcpu *virq_vcpu_slot(struct virq_instance *inst,
				 struct virq_vcpu **vcpus, u32 index);
bool virq_arch_id_in_use(struct virq_instance *inst,
			 struct virq_vcpu **vcpus, u64 arch_id);
int virq_check_sources(struct virq_instance *inst,
		       const struct virq_sources *req);
int virq_check_route(struct virq_instance *inst, const struct virq_route *e);
int virq_check_route_update(struct virq_instance *inst,
			    const struct virq_route_update *u);

#endif /* _VIRQ_CHIP_H */
