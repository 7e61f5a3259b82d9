// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of GICv3 LPIs and the ITS (virq/arm/gicv3-lpi.c,
 * gicv3-its.c) through the family's ops over a fake guest memory:
 * object lifetimes (no leak after DISCARD, MAPD, BASER invalidation),
 * the translation cache (hits, misses, invalidation), MSIs injected in
 * atomic context, the table ABI (capped "next" offsets, stale entries,
 * two-level device tables), save/restore of many devices into a fresh
 * chip with identical delivery, and -ENOMEM at every allocation of a
 * command stream and of a restore.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/errno.h>
#include <linux/kernel.h>

#include "tap.h"
#include "../core_stubs.h"
#include "virq/arm/gicv3.h"

#define NR_VCPUS	2
#define LPI0		VIRQ_GICV3_FIRST_LPI
#define RD(i)		(VIRQ_GICV3_DEFAULT_REDIST_BASE + \
			 (i) * VIRQ_GICV3_REDIST_SIZE)
#define ITS		VIRQ_GICV3_DEFAULT_ITS_BASE
#define DOORBELL	(ITS + VIRQ_GICV3_GITS_TRANSLATER)
#define SPUR		VIRQ_GICV3_SPURIOUS
#define VALID		(1ULL << 63)
#define INDIRECT	(1ULL << 62)

#define GBASE		0x80000000ULL
#define GSIZE		0x400000ULL
#define G_PROP		0x000000ULL
#define G_PEND(i)	(0x010000ULL + (i) * 0x10000ULL)
#define G_CMDQ		0x030000ULL	/* 64 KiB: 2048 commands */
#define G_DEVT		0x040000ULL	/* 4 pages: 32768 DTEs */
#define G_COLT		0x080000ULL
#define G_L2(n)		(0x090000ULL + (n) * 0x10000ULL)
#define G_ITT(n)	(0x100000ULL + (n) * 0x800ULL)	/* 8 bits each */

struct gi {
	struct virq_instance *inst;
	struct virq_vcpu *v[NR_VCPUS];
	u8 *mem;
};

static int acc(struct virq_vcpu *v, u32 space, u64 addr, u32 len, bool wr,
	       u64 *data)
{
	return v->inst->view.ops->vcpu_access(v, space, addr, len, wr, data);
}

static u64 rd(struct gi *g, u64 addr, u32 len)
{
	u64 val = 0xdeadbeef;

	CHECK_EQ(acc(g->v[0], VIRQ_SPACE_MMIO, addr, len, false, &val), 0);
	return val;
}

static void wr(struct gi *g, u64 addr, u32 len, u64 val)
{
	CHECK_EQ(acc(g->v[0], VIRQ_SPACE_MMIO, addr, len, true, &val), 0);
}

static void icc_wr(struct virq_vcpu *v, u32 reg, u64 val)
{
	CHECK_EQ(acc(v, VIRQ_SPACE_SYSREG, reg, 8, true, &val), 0);
}

/* IAR1 + EOIR1: the INTID taken */
static u64 take(struct virq_vcpu *v)
{
	u64 id = 0;

	CHECK_EQ(harness_vcpu_ack(v, &id), 0);
	if (id != SPUR)
		icc_wr(v, VIRQ_GICV3_ICC_EOIR1_EL1, id);
	return id;
}

/* An MSI from an irqfd wakeup (atomic); returns the status */
static int msi(struct gi *g, u32 devid, u32 ev)
{
	struct virq_msi_msg m = {
		.address = DOORBELL, .data = ev, .devid = devid,
		.has_devid = true,
	};
	int status = 99;

	CHECK_EQ(harness_signal_msi_msg(g->inst, &m, true, &status), 0);
	return status;
}

static int ctrl(struct gi *g, u64 attr)
{
	u64 none = 0;

	return harness_set_attr(g->inst, VIRQ_GICV3_GRP_CTRL, attr, &none, 0);
}

/* A chip of @nr_chip vCPUs, NR_VCPUS created, an ITS on @mem */
static struct gi *gi_make(u8 *mem, u32 nr_chip)
{
	struct virq_gicv3_options o = {
		.flags = VIRQ_GICV3_OPT_ITS, .lpi_bits = 16,
	};
	struct gi *g = calloc(1, sizeof(*g));
	u32 i;

	CHECK_FATAL(g);
	g->mem = mem ? mem : aligned_alloc(4096, GSIZE);
	CHECK_FATAL(g->mem);
	if (!mem)
		memset(g->mem, 0, GSIZE);
	g->inst = harness_instance_open();
	CHECK_FATAL(g->inst);
	CHECK_FATAL(!harness_set_memory_region(g->inst, 0, GBASE, GSIZE,
					       g->mem));
	CHECK_FATAL(!harness_create_chip(g->inst, &virq_gicv3_ops, nr_chip,
					 64, &o, sizeof(o)));
	for (i = 0; i < NR_VCPUS; i++) {
		CHECK_FATAL(!harness_create_vcpu(g->inst, i, i, &g->v[i]));
		icc_wr(g->v[i], VIRQ_GICV3_ICC_PMR_EL1, 0xff);
		icc_wr(g->v[i], VIRQ_GICV3_ICC_IGRPEN1_EL1, 1);
	}
	return g;
}

/* A chip with an ITS on @mem (allocated when NULL) */
static struct gi *gi_new(u8 *mem)
{
	return gi_make(mem, NR_VCPUS);
}

static void gi_free(struct gi *g)
{
	harness_instance_close(g->inst);
	free(g->mem);
	free(g);
}

static void lpis_on(struct gi *g)
{
	u32 i;

	memset(g->mem + G_PROP, 0xa1, 0x10000 - 0x400);
	for (i = 0; i < NR_VCPUS; i++) {
		wr(g, RD(i) + 0x70, 8, (GBASE + G_PROP) | 15);
		wr(g, RD(i) + 0x78, 8, GBASE + G_PEND(i));
		wr(g, RD(i), 4, 1);
	}
}

/* Tables (@devt_pages flat pages, or two-level), 64 KiB queue, enable */
static void its_on(struct gi *g, u64 devt)
{
	wr(g, ITS + 0x100, 8, devt);
	wr(g, ITS + 0x108, 8, VALID | (GBASE + G_COLT));
	wr(g, ITS + 0x80, 8, VALID | (GBASE + G_CMDQ) | 15);
	wr(g, ITS, 4, 1);
	CHECK_EQ(rd(g, ITS, 4), 0x80000001ULL);
}

/* Set while failing allocations: the ITS may have stayed disabled */
static bool queue_may_stall;

static void cmd(struct gi *g, u64 c0, u64 c1, u64 c2, u64 c3)
{
	u64 w = rd(g, ITS + 0x88, 8), c[4] = { c0, c1, c2, c3 };

	memcpy(g->mem + G_CMDQ + w, c, sizeof(c));
	w = (w + 32) % 0x10000;
	wr(g, ITS + 0x88, 8, w);
	if (!queue_may_stall)
		CHECK_EQ(rd(g, ITS + 0x90, 8), w);
}

static void mapd(struct gi *g, u32 dev, u32 bits, u64 itt, bool v)
{
	cmd(g, 0x08 | (u64)dev << 32, bits - 1, (GBASE + itt) | (v ? VALID : 0),
	    0);
}

static void mapc(struct gi *g, u16 icid, u64 rdb)
{
	cmd(g, 0x09, 0, icid | rdb << 16 | VALID, 0);
}

static void mapti(struct gi *g, u32 dev, u32 ev, u32 intid, u16 icid)
{
	cmd(g, 0x0a | (u64)dev << 32, ev | (u64)intid << 32, icid, 0);
}

static void discard(struct gi *g, u32 dev, u32 ev)
{
	cmd(g, 0x0f | (u64)dev << 32, ev, 0, 0);
}

/* "its: cache hits H misses M" from the debugfs state */
static void cache_counts(struct gi *g, u64 *hits, u64 *misses)
{
	struct seq_file m;
	const char *p;
	int n;

	harness_seq_init(&m, 1 << 20);
	harness_show(g->inst, &m);
	m.buf[m.count < m.size ? m.count : m.size - 1] = 0;
	p = strstr(m.buf, "cache hits");
	CHECK_FATAL(p);
	n = sscanf(p, "cache hits %llu misses %llu",
		   (unsigned long long *)hits, (unsigned long long *)misses);
	CHECK_EQ(n, 2);
	harness_seq_fini(&m);
}

static struct gi *booted(void)
{
	struct gi *g = gi_new(NULL);

	lpis_on(g);
	its_on(g, VALID | (GBASE + G_DEVT) | 3);
	mapc(g, 0, 0);
	mapc(g, 1, 1);
	return g;
}

TEST(msi_and_cache)
{
	struct gi *g = booted();
	u64 h0, m0, h, m;

	mapd(g, 3, 8, G_ITT(0), true);
	mapti(g, 3, 5, LPI0 + 5, 1);
	cache_counts(g, &h0, &m0);
	CHECK_EQ(msi(g, 3, 5), 1);
	CHECK_EQ(take(g->v[1]), LPI0 + 5);
	CHECK_EQ(msi(g, 3, 5), 1);
	CHECK_EQ(take(g->v[1]), LPI0 + 5);
	cache_counts(g, &h, &m);
	CHECK_EQ(m - m0, 1ULL);		/* the first walked the tables */
	CHECK_EQ(h - h0, 1ULL);		/* the second hit */
	/* A pending bit saved, its LPI gone: the next save clears it */
	CHECK_EQ(msi(g, 3, 5), 1);
	CHECK_EQ(ctrl(g, VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES), 0);
	CHECK(g->mem[G_PEND(1) + (LPI0 + 5) / 8] & (1 << ((LPI0 + 5) % 8)));
	cache_counts(g, &h, &m);
	/* DISCARD invalidates: the next one misses and is dropped */
	discard(g, 3, 5);
	CHECK_EQ(ctrl(g, VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES), 0);
	CHECK(!(g->mem[G_PEND(1) + (LPI0 + 5) / 8] & (1 << ((LPI0 + 5) % 8))));
	CHECK_EQ(msi(g, 3, 5), VIRQ_STATUS_MASKED);
	cache_counts(g, &h0, &m0);
	CHECK_EQ(m0 - m, 1ULL);
	CHECK_EQ(take(g->v[1]), SPUR);
	/* The LPI object went with its last ITE */
	CHECK(!xa_load(&gicv3_chip(g->inst)->lpis, LPI0 + 5));
	gi_free(g);
}

/* Two events on one LPI: it lives until the last ITE goes */
TEST(shared_lpi)
{
	struct gi *g = booted();
	struct gicv3_chip *gic = gicv3_chip(g->inst);

	mapd(g, 1, 4, G_ITT(1), true);
	mapti(g, 1, 0, LPI0 + 9, 0);
	mapti(g, 1, 1, LPI0 + 9, 0);
	discard(g, 1, 0);
	CHECK(xa_load(&gic->lpis, LPI0 + 9));
	CHECK_EQ(msi(g, 1, 1), 1);
	CHECK_EQ(take(g->v[0]), LPI0 + 9);
	mapd(g, 1, 4, G_ITT(1), false);
	CHECK(!xa_load(&gic->lpis, LPI0 + 9));
	/* A direct LPI survives, an ITS one adopts it */
	wr(g, RD(1) + 0x40, 8, LPI0 + 30);
	mapd(g, 1, 4, G_ITT(1), true);
	mapti(g, 1, 2, LPI0 + 30, 0);
	CHECK_EQ(take(g->v[1]), SPUR);		/* moved to collection 0 */
	CHECK_EQ(take(g->v[0]), LPI0 + 30);
	/* An invalidated device table forgets every device */
	wr(g, ITS, 4, 0);
	wr(g, ITS + 0x100, 8, GBASE + G_DEVT);
	CHECK(!xa_load(&gic->lpis, LPI0 + 30));
	gi_free(g);
}

/* Does the debugfs state contain @str? */
static bool show_has(struct gi *g, const char *str)
{
	struct seq_file m;
	bool found;

	harness_seq_init(&m, 1 << 20);
	harness_show(g->inst, &m);
	m.buf[m.count < m.size ? m.count : m.size - 1] = 0;
	found = strstr(m.buf, str);
	harness_seq_fini(&m);
	return found;
}

/*
 * VIRQ_CREATE_VCPU of index 2 fails after ops->vcpu_create(): the core's
 * anon_inode_getfile() failure path calls ops->vcpu_destroy().  With
 * @lpis, the vCPU gets LPIs while it is live (a racing MAPC and MAPTI).
 */
static void park_vcpu2(struct gi *g, bool lpis)
{
	const struct virq_chip_ops *ops = g->inst->view.ops;
	struct gicv3_chip *gic = gicv3_chip(g->inst);
	struct virq_vcpu *v = calloc(1, sizeof(struct harness_vcpu));
	struct gicv3_irq *irq;

	CHECK_FATAL(v);
	v->inst = g->inst;
	v->index = 2;
	v->arch_id = 2;
	CHECK_FATAL(!ops->vcpu_create(v));
	if (lpis) {
		icc_wr(v, VIRQ_GICV3_ICC_PMR_EL1, 0xff);
		icc_wr(v, VIRQ_GICV3_ICC_IGRPEN1_EL1, 1);
		wr(g, RD(2) + 0x70, 8, (GBASE + G_PROP) | 15);
		wr(g, RD(2) + 0x78, 8, GBASE + G_PEND(2));
		wr(g, RD(2), 4, 1);
		mapc(g, 2, 2);
		mapd(g, 5, 4, G_ITT(5), true);
		mapti(g, 5, 0, LPI0 + 1, 2);
		CHECK_EQ(msi(g, 5, 0), 1);
		irq = xa_load(&gic->lpis, LPI0 + 1);
		CHECK_FATAL(irq);
		CHECK(irq->target == v->priv && irq->queued_on == v->priv);
	}
	ops->vcpu_destroy(v);
	free(v);
}

/* ITS commands naming a parked vCPU, and its re-creation */
static void parked(bool lpis)
{
	struct gi *g = gi_make(NULL, 3);
	struct gicv3_chip *gic = gicv3_chip(g->inst);
	struct virq_vcpu *v2;
	struct gicv3_irq *irq;

	lpis_on(g);
	its_on(g, VALID | (GBASE + G_DEVT) | 3);
	mapc(g, 0, 0);
	park_vcpu2(g, lpis);
	if (lpis) {
		/* Its LPI lost its target and left its lists */
		irq = xa_load(&gic->lpis, LPI0 + 1);
		CHECK_FATAL(irq);
		CHECK(!irq->target && !irq->queued_on);
		CHECK_EQ(msi(g, 5, 0), VIRQ_STATUS_MASKED);
	} else {
		/* MAPC to a parked vCPU is refused: no such processor */
		mapc(g, 2, 2);
		CHECK(show_has(g, "last_error 0x10902"));
		mapd(g, 5, 4, G_ITT(5), true);
	}
	mapti(g, 5, 1, LPI0 + 2, 2);	/* collection 2: no vCPU */
	cmd(g, 0x0d, 0, 2, 0);		/* INVALL icid 2 */
	cmd(g, 0x0e, 0, 2 << 16, 0);	/* MOVALL 2 -> 0: refused */
	CHECK(show_has(g, "last_error 0x10e01"));
	irq = xa_load(&gic->lpis, LPI0 + 2);
	CHECK_FATAL(irq);
	CHECK(!irq->target);
	CHECK_EQ(msi(g, 5, 1), VIRQ_STATUS_MASKED);

	/* Created again: lists re-initialised, collection 2 follows it */
	CHECK_FATAL(!harness_create_vcpu(g->inst, 2, 2, &v2));
	icc_wr(v2, VIRQ_GICV3_ICC_PMR_EL1, 0xff);
	icc_wr(v2, VIRQ_GICV3_ICC_IGRPEN1_EL1, 1);
	wr(g, RD(2) + 0x70, 8, (GBASE + G_PROP) | 15);
	wr(g, RD(2) + 0x78, 8, GBASE + G_PEND(2));
	wr(g, RD(2), 4, 1);
	if (!lpis)
		mapc(g, 2, 2);
	CHECK_EQ(msi(g, 5, 1), 1);
	CHECK_EQ(take(v2), LPI0 + 2);
	if (lpis) {
		CHECK_EQ(msi(g, 5, 0), 1);
		CHECK_EQ(take(v2), LPI0 + 1);
	}
	cmd(g, 0x0e, 0, 2 << 16, 0);	/* MOVALL 2 -> 0 */
	CHECK_EQ(msi(g, 5, 1), 1);
	CHECK_EQ(take(g->v[0]), LPI0 + 2);
	CHECK_EQ(take(v2), SPUR);
	gi_free(g);
	CHECK_EQ(harness_live_allocs(), 0L);
}

TEST(parked_mapti)
{
	parked(false);
}

TEST(parked_lpis)
{
	parked(true);
}

/*
 * Equal priorities: by INTID whatever the order they became pending in,
 * SPIs before LPIs.  57344 LPIs pending from the table: each output and
 * acknowledge takes the head of a list (the cost is printed, not judged).
 */
TEST(lpi_order)
{
	struct gi *g = booted();
	struct virq_vcpu *v = g->v[0];
	u32 i, n = 0, last = 0;
	struct timespec t0, t1;
	bool ordered = true;
	int st;
	u64 id;

	mapd(g, 1, 4, G_ITT(1), true);
	mapti(g, 1, 0, LPI0 + 9, 0);
	mapti(g, 1, 1, LPI0 + 3, 0);
	mapti(g, 1, 2, LPI0 + 5, 0);
	/* SPI 40 at the LPIs' priority 0xa0 */
	wr(g, VIRQ_GICV3_DEFAULT_DIST_BASE, 4, 2);
	wr(g, VIRQ_GICV3_DEFAULT_DIST_BASE + 0x104, 4, 1 << 8);
	wr(g, VIRQ_GICV3_DEFAULT_DIST_BASE + 0x400 + 40, 1, 0xa0);
	CHECK_EQ(msi(g, 1, 0), 1);
	/* LPI0 + 3 goes before LPI0 + 9: it is presented */
	CHECK_EQ(msi(g, 1, 1), 1);
	CHECK_EQ(harness_set_irq(g->inst, 40, VIRQ_LINE_EDGE, 0, false, &st),
		 0);
	CHECK_EQ(msi(g, 1, 2), VIRQ_STATUS_COALESCED);
	/* an INV of a pending LPI keeps its turn */
	cmd(g, 0x0c | 1ULL << 32, 1, 0, 0);
	CHECK_EQ(take(v), 40ULL);
	CHECK_EQ(take(v), LPI0 + 3);
	CHECK_EQ(take(v), LPI0 + 5);
	CHECK_EQ(take(v), LPI0 + 9);
	CHECK_EQ(take(v), SPUR);
	gi_free(g);

	/* Every LPI of lpi_bits 16 pending on vCPU 0 at EnableLPIs */
	g = gi_new(NULL);
	memset(g->mem + G_PROP, 0xa1, 0x10000 - 0x400);
	memset(g->mem + G_PEND(0) + 1024, 0xff, 0x2000 - 1024);
	wr(g, RD(0) + 0x70, 8, (GBASE + G_PROP) | 15);
	wr(g, RD(0) + 0x78, 8, GBASE + G_PEND(0));
	wr(g, RD(0), 4, 1);
	v = g->v[0];
	CHECK_EQ(gicv3_chip(g->inst)->lpis.nr, 57344UL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 1000; i++)
		CHECK_EQ(harness_vcpu_output(v), VIRQ_OUT_INT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# 57344 LPIs pending: %.2f us per output\n",
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + t1.tv_nsec - t0.tv_nsec) /
	       1e3 / 1000);
	for (;;) {
		id = take(v);
		if (id == SPUR)
			break;
		ordered &= id > last;
		last = id;
		n++;
	}
	CHECK(ordered);		/* pending-table order: INTID order */
	CHECK_EQ(n, 57344U);
	gi_free(g);
}

/* A MAPTI whose ITE cannot be inserted leaves a direct LPI alone */
TEST(mapti_insert_fails)
{
	struct gi *g = booted();
	struct gicv3_chip *gic = gicv3_chip(g->inst);
	u32 nth;

	wr(g, RD(0) + 0x40, 8, LPI0 + 30);	/* GICR_SETLPIR */
	mapd(g, 1, 4, G_ITT(1), true);
	/* the ITE (1st), then the ITT's first xarray slots (2nd) */
	for (nth = 1; nth <= 2; nth++) {
		harness_fail_alloc_nth(nth);
		mapti(g, 1, 0, LPI0 + 30, 1);
		CHECK(harness_alloc_failed());
		harness_fail_alloc_nth(0);
		CHECK(xa_load(&gic->lpis, LPI0 + 30));
		CHECK(!show_has(g, "event 0 -> lpi"));
	}
	CHECK_EQ(take(g->v[0]), LPI0 + 30);	/* still pending there */
	mapti(g, 1, 0, LPI0 + 30, 1);		/* now it works */
	CHECK(show_has(g, "event 0 -> lpi 8222 icid 1"));
	CHECK_EQ(msi(g, 1, 0), 1);
	CHECK_EQ(take(g->v[1]), LPI0 + 30);
	gi_free(g);
}

/* A restored EnableLPIs whose tables cannot be read can be retried */
TEST(enable_lpis_retry)
{
	const u32 grp = VIRQ_GICV3_VGRP_REDIST_REGS;
	struct gi *g = gi_new(NULL);
	struct virq_vcpu *v = g->v[0];
	u64 prop = (GBASE + G_PROP) | 15, pend = GBASE + GSIZE, on = 1;
	u32 size = 4;
	u64 ctlr;

	memset(g->mem + G_PROP, 0xa1, 0x10000 - 0x400);
	g->mem[G_PEND(0) + LPI0 / 8 + 1] = 0x02;	/* LPI0 + 9 */
	CHECK_EQ(harness_vcpu_set_attr(v, grp, 0x70, &prop, 8), 0);
	/* the pending table beyond guest memory */
	CHECK_EQ(harness_vcpu_set_attr(v, grp, 0x78, &pend, 8), 0);
	CHECK_EQ(harness_vcpu_set_attr(v, grp, 0, &on, 4), -EFAULT);
	ctlr = ~0ULL;
	CHECK_EQ(harness_vcpu_get_attr(v, grp, 0, &ctlr, &size), 0);
	CHECK_EQ(ctlr & 1, 0ULL);		/* EnableLPIs undone */
	pend = GBASE + G_PEND(0);
	CHECK_EQ(harness_vcpu_set_attr(v, grp, 0x78, &pend, 8), 0);
	/* out of memory for the pending LPI's object */
	harness_fail_alloc_nth(1);
	CHECK_EQ(harness_vcpu_set_attr(v, grp, 0, &on, 4), -ENOMEM);
	CHECK(harness_alloc_failed());
	harness_fail_alloc_nth(0);
	CHECK_EQ(harness_vcpu_get_attr(v, grp, 0, &ctlr, &size), 0);
	CHECK_EQ(ctlr & 1, 0ULL);
	CHECK_EQ(g->mem[G_PEND(0) + LPI0 / 8 + 1], 0x02);	/* not consumed */
	/* the retry reads the table */
	CHECK_EQ(harness_vcpu_set_attr(v, grp, 0, &on, 4), 0);
	CHECK_EQ(harness_vcpu_get_attr(v, grp, 0, &ctlr, &size), 0);
	CHECK_EQ(ctlr & 1, 1ULL);
	CHECK_EQ(take(v), LPI0 + 9);
	gi_free(g);
}

#define NR_DEVS	21

/* Register state from @g into @h: redistributors, the ITS, CTLR last */
static void copy_state(struct gi *g, struct gi *h)
{
	static const u64 its_regs[] = { 0x4, 0x80, 0x90, 0x88, 0x100, 0x108 };
	static const u64 rd_regs[] = { 0x70, 0x78, 0x0 };
	const u32 grd = VIRQ_GICV3_VGRP_REDIST_REGS;
	const u32 gits = VIRQ_GICV3_GRP_ITS_REGS;
	u32 i, v, sz, s2;
	u64 val;

	for (v = 0; v < NR_VCPUS; v++) {
		for (i = 0; i < ARRAY_SIZE(rd_regs); i++) {
			sz = rd_regs[i] ? 8 : 4;
			s2 = sz;
			val = 0;
			CHECK_EQ(harness_vcpu_get_attr(g->v[v], grd, rd_regs[i],
						       &val, &s2), 0);
			CHECK_EQ(harness_vcpu_set_attr(h->v[v], grd, rd_regs[i],
						       &val, sz), 0);
		}
	}
	for (i = 0; i < ARRAY_SIZE(its_regs); i++) {
		sz = its_regs[i] == 0x4 ? 4 : 8;
		s2 = sz;
		val = 0;
		CHECK_EQ(harness_get_attr(g->inst, gits, its_regs[i], &val,
					  &s2), 0);
		CHECK_EQ(harness_set_attr(h->inst, gits, its_regs[i], &val,
					  sz), 0);
	}
	CHECK_EQ(ctrl(h, VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES), 0);
	val = 1;
	CHECK_EQ(harness_set_attr(h->inst, gits, 0, &val, 4), 0);
}

/* Device ids up to 32000: the gap before the last is above 2^14 - 1 */
static u32 dev_id(u32 d)
{
	return d == NR_DEVS - 1 ? 32000 : d * 800 + (d & 1);
}

/* Many devices and events, saved and restored: identical delivery */
TEST(save_restore_many)
{
	struct gi *g = booted(), *h;
	u32 d, e, n = 0;
	u8 *copy;

	/* What the tables held before: every entry looks valid */
	memset(g->mem + G_DEVT, 0xff, 4 * 0x10000);
	memset(g->mem + G_ITT(0), 0xff, NR_DEVS * 0x800);
	for (d = 0; d < NR_DEVS; d++) {
		u32 dev = dev_id(d);

		mapd(g, dev, 8, G_ITT(d), true);
		for (e = 0; e < 256; e += 1 + (d + e) % 23)
			mapti(g, dev, e, LPI0 + 100 + n++ % 3000, (d + e) & 1);
	}
	/* Stale entries: mapped, saved, then discarded */
	mapti(g, 0, 255, LPI0 + 5000, 0);
	CHECK_EQ(ctrl(g, VIRQ_GICV3_CTRL_ITS_SAVE_TABLES), 0);
	discard(g, 0, 0);
	discard(g, 0, 255);
	mapd(g, 801, 8, G_ITT(1), false);
	/* Pending state mid-flight */
	CHECK_EQ(msi(g, 1600, 0), 1);
	CHECK_EQ(ctrl(g, VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES), 0);
	CHECK_EQ(ctrl(g, VIRQ_GICV3_CTRL_ITS_SAVE_TABLES), 0);

	copy = aligned_alloc(4096, GSIZE);
	CHECK_FATAL(copy);
	memcpy(copy, g->mem, GSIZE);
	h = gi_new(copy);
	copy_state(g, h);
	/* The pending one first */
	CHECK_EQ(take(g->v[0]) + take(g->v[1]),
		 take(h->v[0]) + take(h->v[1]));
	/* Then every (device, event) of the space delivers the same */
	for (d = 0; d < NR_DEVS; d++) {
		u32 dev = dev_id(d);

		for (e = 0; e < 256; e++) {
			int s1 = msi(g, dev, e), s2 = msi(h, dev, e);
			u64 a = take(g->v[0]), b = take(h->v[0]);

			CHECK_EQ(s1, s2);
			CHECK_EQ(a, b);
			a = take(g->v[1]);
			b = take(h->v[1]);
			CHECK_EQ(a, b);
			if (tap_failed_checks > 20)
				return;
		}
	}
	gi_free(h);
	gi_free(g);
}

TEST(indirect_save_restore)
{
	struct gi *g = gi_new(NULL), *h;
	u64 l1[4] = { 0, VALID | (GBASE + G_L2(0)), VALID | (GBASE + G_L2(1)) };
	u64 val;

	lpis_on(g);
	memcpy(g->mem + G_DEVT, l1, sizeof(l1));
	its_on(g, VALID | INDIRECT | (GBASE + G_DEVT));
	mapc(g, 0, 1);
	/* Stale DTEs in both level-2 pages */
	memset(g->mem + G_L2(0), 0xff, 0x10000);
	memset(g->mem + G_L2(1), 0xff, 0x10000);
	mapd(g, 8192 + 10, 2, G_ITT(0), true);
	mapd(g, 8192 * 2 + 8000, 2, G_ITT(1), true);
	mapd(g, 5, 2, G_ITT(2), true);	/* L1 entry 0 invalid: refused */
	mapti(g, 8192 + 10, 1, LPI0 + 1, 0);
	mapti(g, 8192 * 2 + 8000, 3, LPI0 + 2, 0);
	memset(g->mem + G_ITT(0), 0xff, 0x800);
	CHECK_EQ(ctrl(g, VIRQ_GICV3_CTRL_ITS_SAVE_TABLES), 0);

	h = gi_new(NULL);
	memcpy(h->mem, g->mem, GSIZE);
	lpis_on(h);
	wr(h, ITS + 0x100, 8, VALID | INDIRECT | (GBASE + G_DEVT));
	wr(h, ITS + 0x108, 8, VALID | (GBASE + G_COLT));
	wr(h, ITS + 0x80, 8, VALID | (GBASE + G_CMDQ) | 15);
	CHECK_EQ(ctrl(h, VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES), 0);
	val = 1;
	CHECK_EQ(harness_set_attr(h->inst, VIRQ_GICV3_GRP_ITS_REGS, 0, &val,
				  4), 0);
	CHECK_EQ(msi(h, 8192 + 10, 1), 1);
	CHECK_EQ(take(h->v[1]), LPI0 + 1);
	CHECK_EQ(msi(h, 8192 * 2 + 8000, 3), 1);
	CHECK_EQ(take(h->v[1]), LPI0 + 2);
	CHECK_EQ(msi(h, 8192 + 10, 0), VIRQ_STATUS_MASKED);
	CHECK_EQ(msi(h, 5, 0), VIRQ_STATUS_MASKED);
	gi_free(h);
	gi_free(g);
}

/* Every allocation of a command stream and of a restore can fail */
TEST(enomem)
{
	unsigned long nth;

	queue_may_stall = true;
	for (nth = 1; nth < 400; nth++) {
		struct gi *g = booted();
		u64 val = 1;
		bool fired;
		u32 d;

		harness_fail_alloc_nth(nth);
		for (d = 0; d < 4; d++) {
			mapd(g, d, 4, G_ITT(d), true);
			mapti(g, d, 1, LPI0 + d, d & 1);
			mapti(g, d, 2, LPI0 + 10 + d, 0);
		}
		wr(g, RD(0) + 0x40, 8, LPI0 + 77);
		ctrl(g, VIRQ_GICV3_CTRL_ITS_SAVE_TABLES);
		ctrl(g, VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES);
		wr(g, ITS, 4, 0);
		ctrl(g, VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES);
		harness_set_attr(g->inst, VIRQ_GICV3_GRP_ITS_REGS, 0, &val, 4);
		msi(g, 1, 1);
		discard(g, 2, 2);
		fired = harness_alloc_failed();
		harness_fail_alloc_nth(0);
		gi_free(g);
		CHECK_EQ(harness_live_allocs(), 0L);
		if (!fired)
			break;
	}
	queue_may_stall = false;
	CHECK(nth > 20);
}

int main(void)
{
	static const struct tap_test tests[] = {
		T(msi_and_cache),
		T(shared_lpi),
		T(save_restore_many),
		T(indirect_save_restore),
		T(enomem),
		T(parked_mapti),
		T(parked_lpis),
		T(lpi_order),
		T(mapti_insert_fails),
		T(enable_lpis_retry),
	};

	return tap_run(tests, ARRAY_SIZE(tests));
}
