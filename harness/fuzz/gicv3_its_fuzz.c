// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the GICv3 ITS and LPIs (virq/arm/gicv3-its.c,
 * gicv3-lpi.c) through the family's ops over a fake guest memory.  A
 * booted chip (2 vCPUs, LPIs, an enabled ITS with flat tables), then up
 * to 512 operations: ITS commands (well-formed with fuzzed fields, or
 * raw), MSIs from an irqfd wakeup (atomic), acknowledges, ITS and
 * redistributor register writes, pokes into the property table and the
 * command queue, pending and ITS table saves and restores.
 *
 * Checked after every operation: an enabled ITS has run its whole queue
 * (CREADR == CWRITER: commands never stall or loop), every ready list
 * holds its own vCPU's entries of its priority in delivery order (by
 * INTID, so LPIs after SGIs, PPIs and SPIs), no WARN fired, no sleeping call in
 * atomic context (the harness's checks); after a table
 * save, a restore into the same ITS gives back exactly the devices, ITEs
 * and collections it had (compared through the debugfs state), unless
 * the input broke the layout on purpose (raw commands, table pokes, raw
 * register values); at the end nothing leaks.
 *
 * GICV3_ITS_FUZZ_TRACE=1 prints every operation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>

#include "fuzz_input.h"
#include "../core_stubs.h"
#include "virq/arm/gicv3.h"

#define NR_VCPUS	2
#define LPI0		VIRQ_GICV3_FIRST_LPI
#define RD(i)		(VIRQ_GICV3_DEFAULT_REDIST_BASE + \
			 (i) * VIRQ_GICV3_REDIST_SIZE)
#define ITS		VIRQ_GICV3_DEFAULT_ITS_BASE
#define VALID		(1ULL << 63)

#define GBASE		0x40000000ULL
#define GSIZE		0x80000ULL
#define G_PROP		0x00000ULL	/* lpi_bits 14: 8 KiB */
#define G_PEND(i)	(0x10000ULL + (i) * 0x10000ULL)
#define G_CMDQ		0x30000ULL	/* 4 KiB */
#define G_DEVT		0x40000ULL
#define G_COLT		0x50000ULL
#define G_ITT(d)	(0x60000ULL + (d) * 0x800ULL)	/* 17 x 2 KiB */
#define NR_DEVS		16

static bool trace;
static struct virq_instance *inst;
static struct virq_vcpu *vcpus[NR_VCPUS];
static u8 *mem;
static bool layout_broken;	/* the save/restore oracle is off */

static void fail(const char *what, u64 a, u64 b)
{
	fprintf(stderr, "gicv3_its_fuzz: %s (%#llx %#llx)\n", what,
		(unsigned long long)a, (unsigned long long)b);
	abort();
}

static int access_reg(u32 space, u64 addr, u32 len, bool write, u64 *val)
{
	return inst->view.ops->vcpu_access(vcpus[0], space, addr, len, write,
					   val);
}

static void wr(u64 addr, u32 len, u64 val)
{
	if (access_reg(VIRQ_SPACE_MMIO, addr, len, true, &val))
		fail("MMIO write refused", addr, val);
}

static u64 rd(u64 addr, u32 len)
{
	u64 val = 0;

	if (access_reg(VIRQ_SPACE_MMIO, addr, len, false, &val))
		fail("MMIO read refused", addr, len);
	return val;
}

static int ctrl(u64 attr)
{
	u64 none = 0;

	return harness_set_attr(inst, VIRQ_GICV3_GRP_CTRL, attr, &none, 0);
}

/* The ITS's devices, ITEs and collections, as debugfs prints them */
static char *its_structures(void)
{
	struct seq_file m;
	char *out, *line, *save, *o;

	harness_seq_init(&m, 1 << 18);
	harness_show(inst, &m);
	if (seq_has_overflowed(&m))
		fail("debugfs state overflowed", m.count, m.size);
	m.buf[m.count] = 0;
	out = calloc(1, m.count + 1);
	if (!out)
		abort();
	o = out;
	for (line = strtok_r(m.buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "its: device", 11) &&
		    strncmp(line, "its:   event", 12) &&
		    strncmp(line, "its: collection", 15))
			continue;
		o += sprintf(o, "%s\n", line);
	}
	harness_seq_fini(&m);
	return out;
}

static void check_queue(void)
{
	u64 ctlr = rd(ITS, 4);

	if ((ctlr & 1) && rd(ITS + 0x88, 8) != rd(ITS + 0x90, 8))
		fail("enabled ITS left commands in its queue",
		     rd(ITS + 0x88, 8), rd(ITS + 0x90, 8));
}

/* Ready lists: their own vCPU's, ordered, the first one the best */
static void check_ready(void)
{
	struct gicv3_chip *gic = gicv3_chip(inst);
	struct gicv3_irq *it, *prev;
	unsigned long flags;
	u32 v, g, p;

	raw_spin_lock_irqsave(&gic->lock, flags);
	for (v = 0; v < NR_VCPUS; v++) {
		struct gicv3_vcpu *gv = gic->vcpus[v];

		for (g = 0; g < 2; g++)
			for (p = 0; p < GICV3_NR_PRIOS; p++) {
				prev = NULL;
				list_for_each_entry(it, &gv->ready[g][p],
						    ready) {
					if (it->queued_on != gv ||
					    it->priority >> 3 != p)
						fail("foreign entry", v,
						     it->intid);
					if (prev && prev->intid >= it->intid)
						fail("ready list out of order",
						     prev->intid, it->intid);
					prev = it;
				}
			}
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);
}

static void queue(const u64 c[4])
{
	u64 w = rd(ITS + 0x88, 8) % 0x1000;

	memcpy(mem + G_CMDQ + w, c, 32);
	wr(ITS + 0x88, 8, (w + 32) % 0x1000);
}

/* A command with fields from the input, in the tested ranges */
static void op_command(struct fuzz_input *in)
{
	static const u8 cmds[] = { 0x01, 0x03, 0x04, 0x05, 0x08, 0x09, 0x0a,
				   0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x08, 0x0a };
	u32 sel = fuzz_take(in, 1), dev = fuzz_take(in, 1) % (NR_DEVS + 1);
	u32 ev = fuzz_take(in, 1) % 40, icid = fuzz_take(in, 1) % 5;
	u32 intid = LPI0 + fuzz_take(in, 2) % (8192 + 64) - 32;
	u64 c[4] = { 0 };
	u8 nr = cmds[sel % ARRAY_SIZE(cmds)];

	if (sel >= 0xf0) {
		u32 i;

		for (i = 0; i < 4; i++)
			c[i] = (u64)fuzz_take(in, 4) << 32 | fuzz_take(in, 4);
		layout_broken = true;
		if (trace)
			printf("raw command %#llx\n", (unsigned long long)c[0]);
		queue(c);
		return;
	}
	c[0] = nr | (u64)dev << 32;
	switch (nr) {
	case 0x08:	/* MAPD: its own ITT slot, up to 8 bits (or too many) */
		c[1] = sel & 0x80 ? 16 : fuzz_take(in, 1) % 8;
		c[2] = (GBASE + G_ITT(dev)) |
		       (sel & 0x40 ? 0 : VALID);
		break;
	case 0x09:	/* MAPC */
		c[2] = icid | (u64)(fuzz_take(in, 1) % 3) << 16 |
		       (sel & 0x40 ? 0 : VALID);
		break;
	case 0x0e:	/* MOVALL */
		c[2] = (u64)(sel & 1) << 16;
		c[3] = (u64)(fuzz_take(in, 1) % 3) << 16;
		break;
	default:
		c[1] = ev | (u64)intid << 32;
		c[2] = icid;
		break;
	}
	if (trace)
		printf("cmd %#x dev %u ev %u intid %u icid %u w1 %#llx w2 %#llx\n",
		       nr, dev, ev, intid, icid, (unsigned long long)c[1],
		       (unsigned long long)c[2]);
	queue(c);
}

static void op_msi(struct fuzz_input *in)
{
	struct virq_msi_msg m = {
		.address = ITS + VIRQ_GICV3_GITS_TRANSLATER,
		.devid = fuzz_take(in, 1) % (NR_DEVS + 1),
		.data = fuzz_take(in, 1) % 40,
		.has_devid = true,
	};
	int status = 99;

	if (harness_signal_msi_msg(inst, &m, true, &status))
		fail("MSI refused", m.devid, m.data);
	if (status < VIRQ_STATUS_MASKED || status > 1)
		fail("bad MSI status", status, 0);
	if (trace)
		printf("msi %u/%u: %d\n", m.devid, m.data, status);
}

static void op_ack(struct fuzz_input *in)
{
	struct virq_vcpu *v = vcpus[fuzz_take(in, 1) % NR_VCPUS];
	u64 id = 0;

	if (harness_vcpu_ack(v, &id))
		fail("ack refused", 0, 0);
	if (id != VIRQ_GICV3_SPURIOUS) {
		if (id < LPI0 || id >= LPI0 * 2)
			fail("acknowledged a non-LPI", id, 0);
		if (inst->view.ops->vcpu_access(v, VIRQ_SPACE_SYSREG,
						VIRQ_GICV3_ICC_EOIR1_EL1, 8,
						true, &id))
			fail("EOI refused", id, 0);
	}
	if (trace)
		printf("ack vcpu %u: %llu\n", v->index, (unsigned long long)id);
}

static void op_its_reg(struct fuzz_input *in)
{
	static const u32 offs[] = { 0x0, 0x80, 0x88, 0x90, 0x100, 0x108,
				    0x110, 0x4, 0x8, 0xffe8 };
	u32 sel = fuzz_take(in, 1), off = offs[sel % ARRAY_SIZE(offs)];
	u64 val;

	switch (off) {
	case 0x0:
		val = sel & 0x10;
		break;
	case 0x80:
		val = VALID | (GBASE + G_CMDQ);
		break;
	case 0x100:
		val = (sel & 0x10 ? 0 : VALID) | (GBASE + G_DEVT);
		break;
	case 0x108:
		val = (sel & 0x10 ? 0 : VALID) | (GBASE + G_COLT);
		break;
	default:
		val = (u64)fuzz_take(in, 4) << 32 | fuzz_take(in, 4);
		break;
	}
	if (sel >= 0xe0) {
		val = (u64)fuzz_take(in, 4) << 32 | fuzz_take(in, 4);
		layout_broken = true;
	}
	if (trace)
		printf("GITS %#x <- %#llx\n", off, (unsigned long long)val);
	wr(ITS + off, off == 0 || off == 4 || off == 0xffe8 ? 4 : 8, val);
}

static void op_redist(struct fuzz_input *in)
{
	static const u32 offs[] = { 0x40, 0x48, 0xa0, 0xb0, 0x0 };
	u32 sel = fuzz_take(in, 1), v = sel & 1;
	u32 off = offs[(sel >> 1) % ARRAY_SIZE(offs)];
	u64 val = LPI0 + fuzz_take(in, 2) % (8192 + 64) - 32;

	if (trace)
		printf("GICR%u %#x <- %#llx\n", v, off, (unsigned long long)val);
	wr(RD(v) + off, off ? 8 : 4, off ? val : 1);
}

static void op_poke(struct fuzz_input *in)
{
	u32 where = fuzz_take(in, 3);
	u8 val = fuzz_take(in, 1);

	if (where & 0x800000) {
		/* anywhere in the tables and queue: the layout is gone */
		where = G_CMDQ + (where % (GSIZE - G_CMDQ));
		layout_broken = true;
	} else {
		where = G_PROP + where % 0x2000;
	}
	if (trace)
		printf("poke %#x <- %#x\n", where, val);
	mem[where] = val;
}

/* Restore whatever the tables hold now (pokes included) */
static void op_restore_raw(void)
{
	u64 ctlr = rd(ITS, 4) & 1;
	int ret;

	wr(ITS, 4, 0);
	ret = ctrl(VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES);
	if (ret && ret != -EINVAL && ret != -EFAULT && ret != -ENOMEM)
		fail("raw restore", ret, 0);
	if (trace)
		printf("raw restore: %d\n", ret);
	if (harness_set_attr(inst, VIRQ_GICV3_GRP_ITS_REGS, 0, &ctlr, 4))
		fail("CTLR restore", 0, 0);
}

/* Save the tables, restore them into the same ITS: nothing changes */
static void op_save_restore(struct fuzz_input *in)
{
	u64 ctlr = rd(ITS, 4) & 1, val;
	char *before, *after;
	bool exact;
	int ret;

	/*
	 * Tables saved only when valid: structures made while a BASER was
	 * invalid do not come back (KVM alike).
	 */
	exact = !layout_broken && (rd(ITS + 0x100, 8) & VALID) &&
		(rd(ITS + 0x108, 8) & VALID);
	ret = ctrl(VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES);
	if (ret && ret != -EFAULT)
		fail("pending save", ret, 0);
	before = its_structures();
	ret = ctrl(VIRQ_GICV3_CTRL_ITS_SAVE_TABLES);
	if (ret && ret != -EFAULT && ret != -EINVAL)
		fail("table save", ret, 0);
	if (trace)
		printf("save: %d\n", ret);
	wr(ITS, 4, 0);
	if (!ret) {
		ret = ctrl(VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES);
		if (trace)
			printf("restore: %d\n", ret);
		after = its_structures();
		if (exact && (ret || strcmp(before, after))) {
			fprintf(stderr, "before:\n%s\nafter (%d):\n%s\n",
				before, ret, after);
			fail("restore changed the ITS", ret, 0);
		}
		free(after);
	}
	free(before);
	val = ctlr;
	if (harness_set_attr(inst, VIRQ_GICV3_GRP_ITS_REGS, 0, &val, 4))
		fail("CTLR restore", 0, 0);
}

static void boot(void)
{
	struct virq_gicv3_options o = {
		.flags = VIRQ_GICV3_OPT_ITS, .lpi_bits = 14,
	};
	u32 i;

	inst = harness_instance_open();
	if (!inst || harness_set_memory_region(inst, 0, GBASE, GSIZE, mem) ||
	    harness_create_chip(inst, &virq_gicv3_ops, NR_VCPUS, 64, &o,
				sizeof(o)))
		abort();
	memset(mem + G_PROP, 0xa1, 0x2000);
	for (i = 0; i < NR_VCPUS; i++) {
		u64 v;

		if (harness_create_vcpu(inst, i, i, &vcpus[i]))
			abort();
		v = 0xff;
		inst->view.ops->vcpu_access(vcpus[i], VIRQ_SPACE_SYSREG,
					    VIRQ_GICV3_ICC_PMR_EL1, 8, true, &v);
		v = 1;
		inst->view.ops->vcpu_access(vcpus[i], VIRQ_SPACE_SYSREG,
					    VIRQ_GICV3_ICC_IGRPEN1_EL1, 8, true,
					    &v);
		wr(RD(i) + 0x70, 8, (GBASE + G_PROP) | 13);
		wr(RD(i) + 0x78, 8, GBASE + G_PEND(i));
		wr(RD(i), 4, 1);
	}
	wr(ITS + 0x100, 8, VALID | (GBASE + G_DEVT));
	wr(ITS + 0x108, 8, VALID | (GBASE + G_COLT));
	wr(ITS + 0x80, 8, VALID | (GBASE + G_CMDQ));
	wr(ITS, 4, 1);
}

int gicv3_its_fuzz_init(int *argc, char ***argv);

/* libFuzzer's initialisation hook (linked under its name) */
int gicv3_its_fuzz_init(int *argc, char ***argv)
{
	trace = getenv("GICV3_ITS_FUZZ_TRACE");
	harness_warn_set_fatal(true);
	harness_printk_set_quiet(1);
	mem = aligned_alloc(4096, GSIZE);
	if (!mem)
		abort();
	return 0;
}

int gicv3_its_fuzz_one_input(const u8 *data, size_t size);

/* libFuzzer's entry point (the Makefile links it under its name) */
int gicv3_its_fuzz_one_input(const u8 *data, size_t size)
{
	struct fuzz_input in = { data, size };
	long live = harness_live_allocs();
	u32 ops = 0;

	memset(mem, 0, GSIZE);
	layout_broken = false;
	boot();
	while (in.n && ops++ < 512) {
		switch (fuzz_take(&in, 1) % 10) {
		case 0:
		case 1:
		case 2:
			op_command(&in);
			break;
		case 3:
		case 4:
			op_msi(&in);
			break;
		case 5:
			op_ack(&in);
			break;
		case 6:
			op_its_reg(&in);
			break;
		case 7:
			op_redist(&in);
			break;
		case 8:
			op_poke(&in);
			break;
		case 9:
			if (fuzz_take(&in, 1) & 1)
				op_restore_raw();
			else
				op_save_restore(&in);
			break;
		}
		check_queue();
		check_ready();
	}
	harness_instance_close(inst);
	if (harness_live_allocs() != live)
		fail("leak", live, harness_live_allocs());
	return 0;
}
