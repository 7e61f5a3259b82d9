// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the GICv3 family (virq/arm/) through core_stubs.c:
 * a fuzzed chip shape (vCPUs, SPIs, LPIs on or off), then up to 512
 * operations: injections on any source number (SPI, private, resident,
 * junk), MMIO accesses anywhere in the distributor and redistributor
 * frames, CPU interface system register accesses, acknowledges, LOAD/PUT,
 * source words, register attributes and MSIs.  After every operation the
 * ready lists must hold exactly the candidates (pending, enabled, not
 * active, group on, a live target), each on its target's list for its
 * group and priority (in INTID order, so LPIs after the others), with
 * the list bitmaps in step; every vCPU's output must be what its highest
 * priority candidate allows; a save of the
 * source words restored into the chip must read back unchanged.  The
 * harness aborts on a WARN, a lock or IRQ-state leak, and leaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/errno.h>
#include <linux/kernel.h>

#include "../core_stubs.h"
#include "virq/arm/gicv3.h"
#include "fuzz_input.h"

#define MAX_VCPUS	4

static bool trace;	/* GICV3_FUZZ_TRACE=1: print every operation */

static void fail(const char *why, u32 a, u32 b)
{
	fprintf(stderr, "gicv3_fuzz: %s (%#x, %#x)\n", why, a, b);
	abort();
}

static const u32 sysregs[] = {
	VIRQ_GICV3_ICC_PMR_EL1, VIRQ_GICV3_ICC_IAR0_EL1,
	VIRQ_GICV3_ICC_EOIR0_EL1, VIRQ_GICV3_ICC_HPPIR0_EL1,
	VIRQ_GICV3_ICC_BPR0_EL1, VIRQ_GICV3_ICC_AP0R_EL1(0),
	VIRQ_GICV3_ICC_AP0R_EL1(1), VIRQ_GICV3_ICC_AP1R_EL1(0),
	VIRQ_GICV3_ICC_AP1R_EL1(3), VIRQ_GICV3_ICC_DIR_EL1,
	VIRQ_GICV3_ICC_RPR_EL1, VIRQ_GICV3_ICC_SGI1R_EL1,
	VIRQ_GICV3_ICC_ASGI1R_EL1, VIRQ_GICV3_ICC_SGI0R_EL1,
	VIRQ_GICV3_ICC_IAR1_EL1, VIRQ_GICV3_ICC_EOIR1_EL1,
	VIRQ_GICV3_ICC_HPPIR1_EL1, VIRQ_GICV3_ICC_BPR1_EL1,
	VIRQ_GICV3_ICC_CTLR_EL1, VIRQ_GICV3_ICC_SRE_EL1,
	VIRQ_GICV3_ICC_IGRPEN0_EL1, VIRQ_GICV3_ICC_IGRPEN1_EL1,
};

/* Interesting register offsets, so short inputs reach them */
static const u32 dist_offs[] = {
	0x0, 0x4, 0x8, 0x40, 0x48, 0x84, 0x104, 0x184, 0x204, 0x284, 0x304,
	0x384, 0x420, 0x421, 0xc08, 0xd04, 0x6100, 0x6104, 0x6108, 0xffe8,
};

static const u32 redist_offs[] = {
	0x0, 0x8, 0x14, 0x40, 0x48, 0x70, 0x78, 0xa0, 0xb0, 0xc0,
	0x10080, 0x10100, 0x10180, 0x10200, 0x10280, 0x10300, 0x10380,
	0x10400, 0x1041b, 0x10c00, 0x10c04,
};

static bool candidate(struct gicv3_chip *gic, struct gicv3_irq *irq)
{
	return gicv3_irq_pending(irq) && irq->enabled && !irq->active &&
	       irq->target && irq->target->live &&
	       (irq->kind == GICV3_LPI || (gic->gicd_ctlr & BIT(irq->group1)));
}

static void check_irq(struct gicv3_chip *gic, struct gicv3_irq *irq)
{
	struct gicv3_irq *it;
	bool found = false;

	if (irq->priority & ~GICV3_PRI_MASK)
		fail("priority low bits", irq->intid, irq->priority);
	if (candidate(gic, irq) != !!irq->queued_on)
		fail("candidate and queued disagree", irq->intid,
		     candidate(gic, irq));
	if (!irq->queued_on)
		return;
	if (irq->queued_on != irq->target)
		fail("queued on another vCPU than its target", irq->intid, 0);
	if (irq->q_group != irq->group1 ||
	    irq->q_prio != irq->priority >> 3)
		fail("queued on the wrong list", irq->intid, irq->priority);
	list_for_each_entry(it, &irq->queued_on->ready[irq->q_group]
						       [irq->q_prio], ready)
		found |= it == irq;
	if (!found)
		fail("not on its list", irq->intid, 0);
	if (irq->kind == GICV3_SPI && irq->irm && !irq->target)
		fail("queued 1-of-N SPI without target", irq->intid, 0);
}

static void check_chip(struct virq_instance *inst)
{
	struct gicv3_chip *gic = gicv3_chip(inst);
	unsigned long flags;
	u32 i, j, g, p, n;

	for (i = 0; i < gic->nr_irqs - 32; i++)
		check_irq(gic, &gic->spis[i]);
	for (i = 0; i < gic->nr_vcpus; i++) {
		struct gicv3_vcpu *gv = gic->vcpus[i];
		struct gicv3_irq *hppi, *it;
		u32 expect = 0;

		for (g = 0; g < 2; g++)
			if (test_bit(i, gic->irm_vcpus[g]) !=
			    (gv && gv->live && !(gv->gicr_waker & 2) &&
			     (gv->cpuif.igrpen & BIT(g))))
				fail("1-of-N bitmap out of step", i, g);
		if (!gv || !gv->live)
			continue;
		for (j = 0; j < 32; j++) {
			check_irq(gic, &gv->priv[j]);
			if (gv->priv[j].target != gv)
				fail("private interrupt elsewhere", i, j);
		}
		for (g = 0; g < 2; g++)
			for (p = 0; p < GICV3_NR_PRIOS; p++) {
				struct gicv3_irq *prev = NULL;

				n = 0;
				list_for_each_entry(it, &gv->ready[g][p], ready) {
					if (it->queued_on != gv)
						fail("foreign entry", i, it->intid);
					/* INTID order (LPIs after the others) */
					if (prev && prev->intid >= it->intid)
						fail("ready list out of order",
						     prev->intid, it->intid);
					prev = it;
					n++;
				}
				if (!n != !(gv->ready_map[g] & BIT(p)))
					fail("ready_map out of step", i, p);
			}
		raw_spin_lock_irqsave(&gic->lock, flags);
		hppi = gicv3_hppi(gv);
		if (hppi && gicv3_can_signal(gv, hppi))
			expect = hppi->group1 ? VIRQ_OUT_INT : VIRQ_OUT_FIQ;
		raw_spin_unlock_irqrestore(&gic->lock, flags);
		if (harness_vcpu_output(gv->vcpu) != expect)
			fail("output", i, expect);
		if (gv->cpuif.bpr0 < 2 || gv->cpuif.bpr0 > 7 ||
		    gv->cpuif.bpr1 < 3 || gv->cpuif.bpr1 > 7)
			fail("binary point out of range", gv->cpuif.bpr0,
			     gv->cpuif.bpr1);
	}
}

static u32 pick_source(struct fuzz_input *in, u32 nr_sources, u32 nr_vcpus)
{
	u32 kind = fuzz_take(in, 1), x = fuzz_take(in, 2);

	switch (kind % 5) {
	case 0:
		return 32 + x % (nr_sources - 32);
	case 1:
		return VIRQ_GICV3_SOURCE_PRIVATE(x % nr_vcpus, (x >> 8) % 32);
	case 2:
		return VIRQ_GICV3_SOURCE_RESIDENT(x % 4, 16 + (x >> 8) % 16);
	case 3:
		return 32 + x % 8;	/* a few busy SPIs */
	default:
		return fuzz_take(in, 4) ^ x;
	}
}

static int access(struct virq_vcpu *v, u32 space, u64 addr, u32 len,
		  bool write, u64 *data)
{
	return v->inst->view.ops->vcpu_access(v, space, addr, len, write,
					      data);
}

static void one_op(struct virq_instance *inst, struct fuzz_input *in,
		   u32 nr_vcpus, u32 nr_sources)
{
	struct gicv3_chip *gic = gicv3_chip(inst);
	u32 op = fuzz_take(in, 1), who = fuzz_take(in, 1) % nr_vcpus;
	struct virq_vcpu *v = virq_get_vcpu(inst, who);
	struct virq_call_args call = {};
	u64 data, words[8], again[8];
	u32 src, off, len, first, sz;
	int status, ret;

	switch (op % 12) {
	case 0:
	case 1:
		src = pick_source(in, nr_sources, nr_vcpus);
		op = fuzz_take(in, 1);
		ret = harness_set_irq(inst, src, op % 3, op & 4 ?
				      VIRQ_DRIVER_RESAMPLE : VIRQ_DRIVER_USER,
				      op & 8, &status);
		if (trace)
			printf("inject %#x op %u: %d/%d\n", src, op % 3, ret,
			       status);
		if (!ret && (status < -1 || status > 1))
			fail("status", src, status);
		break;
	case 2:
	case 3:
		off = fuzz_take(in, 1);
		off = off < 128 ? dist_offs[off % ARRAY_SIZE(dist_offs)] :
				  fuzz_take(in, 2);
		len = 1U << (fuzz_take(in, 1) % 4);
		data = (u64)fuzz_take(in, 4) << 32 | fuzz_take(in, 4);
		ret = access(v, VIRQ_SPACE_MMIO, gic->dist_base + off, len,
			     op & 1, &data);
		if (trace)
			printf("gicd %#x/%u %c %#llx: %d\n", off, len,
			       op & 1 ? 'w' : 'r', data, ret);
		if (ret && ret != -EINVAL)
			fail("GICD access", off, ret);
		break;
	case 4:
	case 5:
		off = fuzz_take(in, 1);
		off = off < 128 ? redist_offs[off % ARRAY_SIZE(redist_offs)] :
				  fuzz_take(in, 3) % 0x20000;
		len = 1U << (fuzz_take(in, 1) % 4);
		data = (u64)fuzz_take(in, 4) << 32 | fuzz_take(in, 4);
		ret = access(v, VIRQ_SPACE_MMIO, gic->redist_base +
			     (u64)(fuzz_take(in, 1) % nr_vcpus) *
			     VIRQ_GICV3_REDIST_SIZE + off, len, op & 1, &data);
		if (trace)
			printf("gicr %#x/%u %c %#llx: %d\n", off, len,
			       op & 1 ? 'w' : 'r', data, ret);
		if (ret && ret != -EINVAL)
			fail("GICR access", off, ret);
		break;
	case 6:
	case 7:
		off = sysregs[fuzz_take(in, 1) % ARRAY_SIZE(sysregs)];
		data = (u64)fuzz_take(in, 4) << 32 | fuzz_take(in, 4);
		if (fuzz_take(in, 1) & 1)
			data &= 0xffffff;	/* INTID-sized */
		ret = access(v, VIRQ_SPACE_SYSREG, off, 8, op & 1, &data);
		if (trace)
			printf("vcpu %u icc %#x %c %#llx: %d\n", who, off,
			       op & 1 ? 'w' : 'r', data, ret);
		if (ret)
			fail("sysreg access", off, ret);
		break;
	case 8:
		ret = harness_vcpu_ack(v, &data);
		if (trace)
			printf("vcpu %u ack: %llu\n", who, data);
		if (ret || (data >= 1020 && data != GICV3_SPURIOUS))
			fail("ack", ret, data);
		break;
	case 9:
		call.nr = fuzz_take(in, 1) % 3;
		call.args[0] = fuzz_take(in, 1) % 5;
		ret = harness_vcpu_call(v, &call);
		if (trace)
			printf("vcpu %u call %u %llu: %d\n", who, call.nr,
			       call.args[0], ret);
		break;
	case 10:
		first = 32 + fuzz_take(in, 2) % (nr_sources - 32);
		len = min_t(u32, 8, nr_sources - first);
		if (harness_get_sources(inst, first, len, words))
			fail("get_sources", first, len);
		words[fuzz_take(in, 1) % len] ^= (u64)fuzz_take(in, 2) <<
						  (fuzz_take(in, 1) % 48);
		ret = harness_set_sources(inst, first, len, words);
		if (trace)
			printf("sources %u+%u: %d\n", first, len, ret);
		if (!ret) {
			harness_get_sources(inst, first, len, again);
			if (memcmp(words, again, len * 8))
				fail("words do not read back", first, len);
		}
		break;
	default:
		off = fuzz_take(in, 2) * 4 % 0x10000;
		sz = gicv3_dist_reg_width(off);
		data = 0;
		ret = harness_get_attr(inst, VIRQ_GICV3_GRP_DIST_REGS, off,
				       &data, &sz);
		if (!ret && fuzz_take(in, 1) & 1)
			data ^= fuzz_take(in, 4);
		if (!ret)
			ret = harness_set_attr(inst, VIRQ_GICV3_GRP_DIST_REGS,
					       off, &data, sz);
		if (trace)
			printf("dist attr %#x: %d\n", off, ret);
		if (ret == -ENOSPC || ret == -ENOMEM)
			fail("dist attr", off, ret);
		if (!(fuzz_take(in, 1) & 3))
			harness_signal_msi(inst, gic->dist_base + 0x40,
					   fuzz_take(in, 2) % 1100, &status);
		break;
	}
}

int gicv3_fuzz_init(int *argc, char ***argv);

/* libFuzzer's initialisation hook (linked under its name) */
int gicv3_fuzz_init(int *argc, char ***argv)
{
	trace = getenv("GICV3_FUZZ_TRACE");
	harness_warn_set_fatal(true);
	harness_printk_set_quiet(1);
	return 0;
}

int gicv3_fuzz_one_input(const u8 *data, size_t size);

/* libFuzzer's entry point (the Makefile links it under its name) */
int gicv3_fuzz_one_input(const u8 *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct virq_gicv3_options o = {};
	struct virq_instance *inst;
	u32 shape = fuzz_take(&in, 1), nr_vcpus, nr_sources, i, ops;
	long live = harness_live_allocs();
	struct virq_vcpu *v;

	nr_vcpus = 1 + shape % MAX_VCPUS;
	nr_sources = 64 + 32 * ((shape >> 2) % 7);
	if (shape & 0x80)
		o.flags = VIRQ_GICV3_OPT_LPIS;

	inst = harness_instance_open();
	if (!inst)
		fail("open", 0, 0);
	if (harness_create_chip(inst, &virq_gicv3_ops, nr_vcpus, nr_sources,
				&o, sizeof(o)))
		fail("create", nr_vcpus, nr_sources);
	for (i = 0; i < nr_vcpus; i++)
		if (harness_create_vcpu(inst, i, i ^ (shape & 0x40 ? 3 : 0),
					&v))
			fail("vcpu", i, 0);
	if (trace)
		printf("chip: %u vCPUs, %u sources, flags %#x\n", nr_vcpus,
		       nr_sources, o.flags);

	for (ops = 0; ops < 512 && in.n; ops++) {
		one_op(inst, &in, nr_vcpus, nr_sources);
		check_chip(inst);
	}
	harness_instance_close(inst);
	if (harness_live_allocs() != live)
		fail("leak", (u32)live, (u32)harness_live_allocs());
	return 0;
}
