/* SPDX-License-Identifier: GPL-2.0 */
/*
 * route.c's additions to x86.h, for the glue (x86.c) and the unit test.
 */
#ifndef _VIRQ_X86_ROUTE_H
#define _VIRQ_X86_ROUTE_H

#include "x86.h"

/* Entries the GSI routing table holds now */
u32 x86_routes_count(struct x86_routes *r);

/*
 * GSI of pin 0 of IOAPIC @n in the default routes
 * (virq_x86_ioapic_config.gsi_base); -EINVAL if @n is out of range, or
 * for a non-zero base of IOAPIC 0.  Call before x86_routes_set_default().
 */
int x86_routes_set_ioapic_base(struct x86_routes *r, u32 n, u32 gsi_base);

#endif /* _VIRQ_X86_ROUTE_H */
