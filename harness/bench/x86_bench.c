// SPDX-License-Identifier: GPL-2.0
/*
 * Instructions per operation of the x86 family, run by bench/callgrind.sh;
 * built without sanitizers, -O2, through the same ops and argument checks
 * the core uses.
 *
 *   x86_bench [N]	N of each operation below, on one chip: PIC pair,
 *			one 24-pin IOAPIC, a 256-entry remapping table,
 *			2 vCPUs with software-enabled LAPICs, 131072 GSIs
 *
 * Phases, each dumped by name under callgrind (--collect-atstart=no):
 *   baseline		nothing: the cost of the collection toggles
 *   ioapic_edge	VIRQ_IRQ_LINE edge on IOAPIC-only GSI 16, a fixed
 *			edge entry, delivered to APIC 0 (status 1)
 *   msi		VIRQ_SIGNAL_MSI, compatibility format, delivered
 *   msi_remapped	VIRQ_SIGNAL_MSI, remappable format through IRTE 5,
 *			delivered
 *   inta_eoi		INTA of that edge vector and the EOI write
 *   edge_round		the three together: inject, INTA, EOI
 *   level_round	GSI 17 level: assert, INTA, deassert, EOI (the EOI
 *			broadcast reaches the IOAPIC and the resampler walk)
 *   route_replace	VIRQ_UPDATE_GSI_ROUTE REPLACE of one MSI route in a
 *			table of 131072 MSI routes, all over the table
 *   route_set_all	one VIRQ_SET_GSI_ROUTING of those 131072 routes
 *
 * Only the measured operations are collected: each one is bracketed by
 * CALLGRIND_TOGGLE_COLLECT, and what makes it possible (the INTA and EOI
 * that clear the LAPIC again after an injection, the injection before an
 * INTA) runs outside.  Every injection must be delivered, every INTA
 * must return its vector: otherwise the program fails, so a count never
 * stands for a path that was not taken.
 *
 * Register accesses call the family's vcpu_access op, as the core does
 * once it has checked flags, space and length (virq_vcpu_access()).  The
 * harness frees at once where the kernel uses kfree_rcu(), and its lock
 * shims check owners: both are part of the counts.
 */
#include <stdio.h>
#include <stdlib.h>

#include <linux/bitops.h>	/* before libc's string.h declares ffs() */
#include <linux/errno.h>
#include <linux/kernel.h>

#include "../core_stubs.h"
#include "../../virq/chip.h"

#if __has_include("valgrind/callgrind.h")
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_TOGGLE_COLLECT		do { } while (0)
#define CALLGRIND_DUMP_STATS_AT(what)		do { } while (0)
#endif

#define NR_VCPUS	2
#define NR_GSIS		131072
#define NR_ROUTES	131072
#define NR_IRTES	256

#define GSI_EDGE	16	/* IOAPIC pin 16, no PIC pin */
#define GSI_LEVEL	17
#define VEC_EDGE	0x30
#define VEC_LEVEL	0x31
#define VEC_MSI		0x41
#define VEC_REMAPPED	0x43
#define IRTE_INDEX	5
#define SPURIOUS	0xff

#define LAPIC		VIRQ_X86_LAPIC_DEFAULT_BASE
#define IOAPIC		VIRQ_X86_IOAPIC_DEFAULT_BASE
#define APIC_EOI	0xb0
#define APIC_SVR	0xf0
#define RTE_LEVEL	(1U << 15)

/* Compatibility format to APIC @apic; remappable format for @handle */
#define MSI_ADDR(apic)	(0xfee00000ULL | (apic) << 12)
#define IR_ADDR(handle)	(0xfee00000ULL | (handle) << 5 | 1 << 4)

/* Collected only between the two toggles */
#define COUNTED(stmt) do {				\
		CALLGRIND_TOGGLE_COLLECT;		\
		stmt;					\
		CALLGRIND_TOGGLE_COLLECT;		\
	} while (0)

static void fail(const char *what, unsigned long i, long got)
{
	fprintf(stderr, "x86_bench: %s (iteration %lu): got %ld\n", what, i,
		got);
	exit(1);
}

static int mmio_write(struct virq_vcpu *vcpu, u64 addr, u32 val)
{
	u64 data = val;

	return virq_x86_ops.vcpu_access(vcpu, VIRQ_SPACE_MMIO, addr, 4, true,
					&data);
}

/*
 * The chip as VIRQ_CREATE_CHIP makes it with the module's default
 * max_routes.  harness_create_chip() leaves virq_config.max_routes unset,
 * so this does its steps itself with a complete configuration.
 */
static struct virq_instance *x86_new(const struct virq_x86_options *o)
{
	struct virq_chip_config uc = {
		.family = VIRQ_FAMILY_X86, .nr_vcpus = NR_VCPUS,
		.nr_sources = NR_GSIS, .options = (uintptr_t)o,
		.options_size = sizeof(*o),
	};
	struct virq_config cfg = {
		.family = VIRQ_FAMILY_X86, .nr_vcpus = NR_VCPUS,
		.nr_sources = NR_GSIS, .max_routes = VIRQ_ROUTES_DEFAULT_MAX,
		.options = o,
	};
	struct virq_instance *inst = harness_instance_open();
	int ret;

	if (!inst)
		return NULL;
	ret = virq_check_chip_config(&uc, &virq_x86_ops, harness_max_vcpus,
				     harness_max_sources);
	if (!ret) {
		mutex_lock(&inst->lock);
		ret = virq_install_chip(inst, &inst->vcpus, &virq_x86_ops,
					&cfg);
		mutex_unlock(&inst->lock);
	}
	if (ret) {
		harness_instance_close(inst);
		return NULL;
	}
	return inst;
}

static int write_rte(struct virq_vcpu *vcpu, u32 pin, u32 lo, u32 hi)
{
	return mmio_write(vcpu, IOAPIC, 0x10 + 2 * pin) ||
	       mmio_write(vcpu, IOAPIC + 0x10, lo) ||
	       mmio_write(vcpu, IOAPIC, 0x11 + 2 * pin) ||
	       mmio_write(vcpu, IOAPIC + 0x10, hi);
}

/* Both LAPICs on, GSI 16 edge and 17 level to APIC 0, IRTE 5 */
static struct virq_instance *setup(struct virq_vcpu **v0)
{
	struct virq_x86_options o = { .nr_irtes = NR_IRTES };
	struct virq_x86_irte irte = {
		.lo = VIRQ_X86_IRTE_PRESENT |
		      (u64)VEC_REMAPPED << VIRQ_X86_IRTE_VECTOR_SHIFT,
	};
	struct virq_instance *inst = x86_new(&o);
	struct virq_vcpu *vcpu;
	u32 i;

	if (!inst)
		return NULL;
	for (i = 0; i < NR_VCPUS; i++) {
		if (harness_create_vcpu(inst, i, i, &vcpu) ||
		    mmio_write(vcpu, LAPIC + APIC_SVR, 0x100 | SPURIOUS))
			return NULL;
		if (!i)
			*v0 = vcpu;
	}
	if (write_rte(*v0, GSI_EDGE, VEC_EDGE, 0) ||
	    write_rte(*v0, GSI_LEVEL, VEC_LEVEL | RTE_LEVEL, 0) ||
	    harness_set_attr(inst, VIRQ_X86_GRP_IRTE, IRTE_INDEX, &irte,
			     sizeof(irte)))
		return NULL;
	return inst;
}

static long inta(struct virq_vcpu *vcpu)
{
	u64 id;

	if (harness_vcpu_ack(vcpu, &id))
		return -1;
	return id;
}

/* INTA must return @vec; then the EOI */
static void take(struct virq_vcpu *vcpu, u32 vec, unsigned long i)
{
	long id = inta(vcpu);

	if (id != vec)
		fail("INTA", i, id);
	if (mmio_write(vcpu, LAPIC + APIC_EOI, 0))
		fail("EOI", i, -1);
}

static void check_delivered(int ret, int status, const char *what,
			    unsigned long i)
{
	if (ret || status != 1)
		fail(what, i, ret ? ret : status);
}

static void bench_inject(struct virq_instance *inst, struct virq_vcpu *v0,
			 unsigned long n)
{
	unsigned long i;
	long id1, id2;
	int ret, st, st2;

	for (i = 0; i < n; i++)
		COUNTED(barrier());
	CALLGRIND_DUMP_STATS_AT("baseline");

	for (i = 0; i < n; i++) {
		COUNTED(ret = harness_set_irq(inst, GSI_EDGE, VIRQ_LINE_EDGE,
					      VIRQ_DRIVER_USER, false, &st));
		check_delivered(ret, st, "ioapic_edge", i);
		take(v0, VEC_EDGE, i);
	}
	CALLGRIND_DUMP_STATS_AT("ioapic_edge");

	for (i = 0; i < n; i++) {
		COUNTED(ret = harness_signal_msi(inst, MSI_ADDR(0), VEC_MSI,
						 &st));
		check_delivered(ret, st, "msi", i);
		take(v0, VEC_MSI, i);
	}
	CALLGRIND_DUMP_STATS_AT("msi");

	for (i = 0; i < n; i++) {
		COUNTED(ret = harness_signal_msi(inst, IR_ADDR(IRTE_INDEX), 0,
						 &st));
		check_delivered(ret, st, "msi_remapped", i);
		take(v0, VEC_REMAPPED, i);
	}
	CALLGRIND_DUMP_STATS_AT("msi_remapped");

	for (i = 0; i < n; i++) {
		ret = harness_set_irq(inst, GSI_EDGE, VIRQ_LINE_EDGE,
				      VIRQ_DRIVER_USER, false, &st);
		check_delivered(ret, st, "inta_eoi inject", i);
		COUNTED(id1 = inta(v0);
			ret = mmio_write(v0, LAPIC + APIC_EOI, 0));
		if (id1 != VEC_EDGE || ret)
			fail("inta_eoi", i, id1);
	}
	CALLGRIND_DUMP_STATS_AT("inta_eoi");

	for (i = 0; i < n; i++) {
		COUNTED(ret = harness_set_irq(inst, GSI_EDGE, VIRQ_LINE_EDGE,
					      VIRQ_DRIVER_USER, false, &st);
			id1 = inta(v0);
			ret |= mmio_write(v0, LAPIC + APIC_EOI, 0));
		if (ret || st != 1 || id1 != VEC_EDGE)
			fail("edge_round", i, ret ? ret : id1);
	}
	CALLGRIND_DUMP_STATS_AT("edge_round");

	for (i = 0; i < n; i++) {
		COUNTED(ret = harness_set_irq(inst, GSI_LEVEL, VIRQ_LINE_SET,
					      VIRQ_DRIVER_USER, false, &st);
			id1 = inta(v0);
			ret |= harness_set_irq(inst, GSI_LEVEL,
					       VIRQ_LINE_RESET,
					       VIRQ_DRIVER_USER, false, &st2);
			ret |= mmio_write(v0, LAPIC + APIC_EOI, 0));
		if (ret || st != 1 || id1 != VEC_LEVEL)
			fail("level_round", i, ret ? ret : id1);
	}
	CALLGRIND_DUMP_STATS_AT("level_round");

	/* Nothing is left pending: every round was taken */
	id2 = inta(v0);
	if (id2 != SPURIOUS)
		fail("left pending", n, id2);
}

/* MSI route of @gsi; @salt varies the message */
static void msi_route(struct virq_route *e, u32 gsi, u32 salt)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = VIRQ_ROUTE_MSI;
	e->u.msi.address_lo = (u32)MSI_ADDR(gsi & 1);
	e->u.msi.data = 0x40 + ((gsi + salt) & 0x7f);
}

/* VIRQ_SET_GSI_ROUTING from after the copy in (virq_set_gsi_routing()) */
static int set_routing(struct virq_instance *inst, const struct virq_route *e,
		       u32 nr)
{
	u32 i;
	int ret;

	for (i = 0; i < nr; i++) {
		ret = virq_check_route(inst, &e[i]);
		if (ret)
			return ret;
	}
	return virq_x86_ops.set_routing(inst, e, nr);
}

/* VIRQ_UPDATE_GSI_ROUTE from after the copy in (virq_update_gsi_route()) */
static int update_route(struct virq_instance *inst,
			const struct virq_route_update *u)
{
	int ret = virq_check_route_update(inst, u);

	if (ret)
		return ret;
	return virq_x86_ops.update_route(inst, u->op, &u->route);
}

static void bench_routes(struct virq_instance *inst, unsigned long n)
{
	struct virq_route_update u = { .op = VIRQ_ROUTE_OP_REPLACE };
	struct virq_route *e = calloc(NR_ROUTES, sizeof(*e));
	unsigned long i;
	u32 gsi, nr = 0;
	int ret;

	if (!e)
		fail("calloc", 0, 0);
	for (gsi = 0; gsi < NR_ROUTES; gsi++)
		msi_route(&e[gsi], gsi, 0);
	COUNTED(ret = set_routing(inst, e, NR_ROUTES));
	CALLGRIND_DUMP_STATS_AT("route_set_all");
	if (ret)
		fail("route_set_all", 0, ret);

	/* An odd stride over a power of two: every GSI of the table */
	for (i = 0; i < n; i++) {
		gsi = (u32)(i * 40503) & (NR_ROUTES - 1);
		msi_route(&u.route, gsi, i + 1);
		COUNTED(ret = update_route(inst, &u));
		if (ret)
			fail("route_replace", i, ret);
	}
	CALLGRIND_DUMP_STATS_AT("route_replace");

	ret = virq_x86_ops.get_routing(inst, e, &nr);
	if (ret != -ENOSPC || nr != NR_ROUTES)
		fail("routes after REPLACE", n, nr);
	free(e);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000;
	struct virq_instance *inst;
	struct virq_vcpu *v0 = NULL;

	if (!n)
		fail("N", 0, 0);
	inst = setup(&v0);
	if (!inst)
		fail("setup", 0, 0);
	bench_inject(inst, v0, n);
	bench_routes(inst, n);
	harness_instance_close(inst);
	printf("%lu of each\n", n);
	return 0;
}
