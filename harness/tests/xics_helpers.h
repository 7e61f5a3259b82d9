/* SPDX-License-Identifier: GPL-2.0 */
/* Shorthands for driving the XICS model through the harness core. */
#ifndef _HARNESS_XICS_HELPERS_H
#define _HARNESS_XICS_HELPERS_H

#include "../core_stubs.h"

#define XIRR_CPPR(x)	((u32)(x) >> VIRQ_XICS_XIRR_CPPR_SHIFT)
#define XIRR_XISR(x)	((u32)(x) & VIRQ_XICS_XIRR_XISR_MASK)
#define XIRR(cppr, xisr) ((u64)(cppr) << VIRQ_XICS_XIRR_CPPR_SHIFT | (xisr))

/*
 * The observers below read state through the core's paths, which
 * allocate: they pause allocation accounting, so that an armed failure
 * hits the operation under test, not them.
 */

/* A chip with @nr_vcpus vCPUs, server number = index (NULL on failure). */
static inline struct virq_instance *xics_new(u32 nr_vcpus, u32 nr_sources)
{
	struct virq_instance *inst = harness_instance_open();
	u32 i;

	if (!inst)
		return NULL;
	if (harness_create_chip(inst, &virq_xics_ops, nr_vcpus, nr_sources,
				NULL, 0))
		goto fail;
	for (i = 0; i < nr_vcpus; i++)
		if (harness_create_vcpu(inst, i, i, NULL))
			goto fail;
	return inst;
fail:
	harness_instance_close(inst);
	return NULL;
}

static inline struct virq_vcpu *vcpu_of(struct virq_instance *inst, u32 i)
{
	return virq_get_vcpu(inst, i);
}

/* An hcall; returns the hcall status, or the errno of the call itself. */
static inline s64 hcall(struct virq_instance *inst, u32 cpu, u32 nr, u64 a0,
			u64 a1, u64 *r0)
{
	struct virq_call_args c = { .nr = nr, .args = { a0, a1 } };
	int ret = harness_vcpu_call(vcpu_of(inst, cpu), &c);

	if (ret)
		return ret;
	if (r0)
		*r0 = c.rets[0];
	return c.ret;
}

static inline u64 h_xirr(struct virq_instance *inst, u32 cpu)
{
	u64 x = ~0ULL;

	hcall(inst, cpu, VIRQ_XICS_H_XIRR, 0, 0, &x);
	return x;
}

static inline s64 h_eoi(struct virq_instance *inst, u32 cpu, u64 xirr)
{
	return hcall(inst, cpu, VIRQ_XICS_H_EOI, xirr, 0, NULL);
}

static inline s64 h_cppr(struct virq_instance *inst, u32 cpu, u64 cppr)
{
	return hcall(inst, cpu, VIRQ_XICS_H_CPPR, cppr, 0, NULL);
}

static inline s64 h_ipi(struct virq_instance *inst, u32 cpu, u64 server,
			u64 mfrr)
{
	return hcall(inst, cpu, VIRQ_XICS_H_IPI, server, mfrr, NULL);
}

/* An RTAS call; returns the RTAS status, or the errno of the call. */
static inline s64 rtas(struct virq_instance *inst, u32 nr, u64 a0, u64 a1,
		       u64 a2, u64 *rets)
{
	struct virq_call_args c = { .nr = nr, .args = { a0, a1, a2 } };
	int ret = harness_chip_call(inst, &c);

	if (ret)
		return ret;
	if (rets)
		memcpy(rets, c.rets, sizeof(c.rets));
	return c.ret;
}

static inline s64 set_xive(struct virq_instance *inst, u32 irq, u32 server,
			   u32 prio)
{
	return rtas(inst, VIRQ_XICS_CALL_SET_XIVE, irq, server, prio, NULL);
}

static inline int line(struct virq_instance *inst, u32 irq, u32 op)
{
	int status = 0x5a5a, ret;

	ret = harness_set_irq(inst, irq, op, VIRQ_DRIVER_USER, false, &status);
	return ret ? ret : status;
}

static inline u64 icp_word(struct virq_instance *inst, u32 cpu)
{
	u64 w = 0;
	u32 size = sizeof(w);

	harness_alloc_pause();
	harness_vcpu_get_attr(vcpu_of(inst, cpu), VIRQ_XICS_GRP_ICP, 0, &w,
			      &size);
	harness_alloc_resume();
	return w;
}

static inline u64 src_word(struct virq_instance *inst, u32 irq)
{
	u64 w = 0;

	harness_alloc_pause();
	harness_get_sources(inst, irq, 1, &w);
	harness_alloc_resume();
	return w;
}

#define ICP_CPPR(w)	((u8)((w) >> VIRQ_XICS_ICP_CPPR_SHIFT))
#define ICP_XISR(w)	((u32)((w) >> VIRQ_XICS_ICP_XISR_SHIFT) & \
			 VIRQ_XICS_ICP_XISR_MASK)
#define ICP_MFRR(w)	((u8)((w) >> VIRQ_XICS_ICP_MFRR_SHIFT))
#define ICP_PPRI(w)	((u8)((w) >> VIRQ_XICS_ICP_PPRI_SHIFT))

#endif /* _HARNESS_XICS_HELPERS_H */
