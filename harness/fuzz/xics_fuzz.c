// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the XICS model: the input is a chip shape and a
 * sequence of operations (injection, RTAS chip calls, hypercalls, MSI
 * blocks, save/restore of source and ICP words, late vCPUs, resamplers,
 * allocation failures).  Besides the sanitizers, WARNs and the harness's
 * lock checks, it checks after each operation:
 *  - VIRQ_OUT_INT is asserted exactly when XISR != 0 and PPRI < CPPR;
 *  - H_XIRR returns the XISR and CPPR it found, and the CPPR becomes the
 *    accepted priority;
 *  - source words are self-consistent (Q needs P, an LSI is no MSI and is
 *    never queued, MSI_FIRST needs MSI, reserved sources stay fresh);
 *  - unless the input restored state behind the model's back: a source
 *    in some XISR is presented, not also waiting for a resend, and in
 *    only one XISR;
 *  - an operation failing with -ENOMEM changed no source or ICP word;
 * and at the end, after draining every ICP, that no unmasked source with
 * an existing server is still waiting (a lost interrupt).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/errno.h>
#include <linux/kernel.h>

#include "../tests/xics_helpers.h"
#include "fuzz_input.h"

static void fail(const char *why, u64 a, u64 b)
{
	fprintf(stderr, "xics_fuzz: %s (%#llx, %#llx)\n", why,
		(unsigned long long)a, (unsigned long long)b);
	abort();
}

static u32 nr_vcpus, nr_sources;
static u64 servers[8];
/*
 * State was written behind the model's back (restore, MSI_FREE), or the
 * guest broke the protocol (EOI of something it did not accept, out of
 * order): PAPR leaves the results undefined, so only the structural
 * invariants hold.
 */
static bool restored;

/* Per vCPU: the XIRRs accepted and not yet ended, innermost last */
#define DEPTH 16
static u64 stack[8][DEPTH];
static u32 depth[8];

static void accepted(int cpu, u64 xirr)
{
	if (depth[cpu] == DEPTH) {
		restored = true;
		return;
	}
	stack[cpu][depth[cpu]++] = xirr;
}

/* Picks the XIRR to end: normally the innermost accepted one. */
static u64 to_end(int cpu, bool legal, u64 other)
{
	if (legal && depth[cpu])
		return stack[cpu][--depth[cpu]];
	restored = true;
	return other;
}

static u64 *snap;
static bool trace;	/* XICS_FUZZ_TRACE=1: print every operation */

#define TR(fmt, ...) do {						\
	if (trace)							\
		fprintf(stderr, fmt "\n", ##__VA_ARGS__);		\
} while (0)

static u32 pick_source(struct fuzz_input *in)
{
	u32 b = fuzz_take(in, 1);

	if (b < 160)
		return 16 + b % 24;		/* a few busy sources */
	if (b < 200)
		return (b % nr_sources / 1024) * 1024 + 16 + b % 8;
	if (b < 230)
		return fuzz_take(in, 2) % nr_sources;
	if (b < 245)
		return b % 16;			/* reserved */
	return nr_sources + b % 4;		/* out of range */
}

static u64 pick_server(struct fuzz_input *in)
{
	u32 b = fuzz_take(in, 1);

	if (b < 200)
		return servers[b % nr_vcpus];
	if (b < 250)
		return b;
	return 1ULL << 32 | b;
}

static u8 pick_prio(struct fuzz_input *in)
{
	u32 b = fuzz_take(in, 1);

	return b < 200 ? b % 8 : b < 240 ? 0xff : b;
}

static int cpu_of(struct virq_instance *inst, struct fuzz_input *in)
{
	u32 i = fuzz_take(in, 1) % nr_vcpus;

	return virq_get_vcpu(inst, i) ? (int)i : -1;
}

static void check_icp(struct virq_instance *inst, u32 i)
{
	struct virq_vcpu *v = virq_get_vcpu(inst, i);
	u64 w;
	bool ee;

	if (!v)
		return;
	w = icp_word(inst, i);
	ee = ICP_XISR(w) && ICP_PPRI(w) < ICP_CPPR(w);
	if (!!(harness_vcpu_output(v) & VIRQ_OUT_INT) != ee)
		fail("EE output disagrees with the ICP registers", w,
		     harness_vcpu_output(v));
	if (!ICP_XISR(w) && ICP_PPRI(w) != 0xff)
		fail("pending priority without a pending interrupt", i, w);
}

static void check_all(struct virq_instance *inst)
{
	u32 i, j, xisr[8] = { 0 };
	u64 w;

	harness_alloc_pause();
	if (harness_get_sources(inst, 0, nr_sources, snap))
		fail("get_sources failed", 0, 0);
	harness_alloc_resume();
	for (i = 0; i < nr_sources; i++) {
		w = snap[i];
		if (i < VIRQ_XICS_FIRST_SOURCE &&
		    w != (VIRQ_XICS_MASKED | 0xffULL << VIRQ_XICS_PRIORITY_SHIFT))
			fail("reserved source not fresh", i, w);
		if (w & VIRQ_XICS_QUEUED && !(w & VIRQ_XICS_PRESENTED))
			fail("Q without P", i, w);
		if (w & VIRQ_XICS_LEVEL_SENSITIVE &&
		    w & (VIRQ_XICS_QUEUED | VIRQ_XICS_MSI))
			fail("LSI queued or in an MSI block", i, w);
		if (w & VIRQ_XICS_MSI_FIRST && !(w & VIRQ_XICS_MSI))
			fail("MSI_FIRST outside a block", i, w);
	}
	for (i = 0; i < nr_vcpus; i++) {
		check_icp(inst, i);
		if (virq_get_vcpu(inst, i))
			xisr[i] = ICP_XISR(icp_word(inst, i));
	}
	if (restored)
		return;
	for (i = 0; i < nr_vcpus; i++) {
		u32 s = xisr[i];

		if (!s || s == VIRQ_XICS_IPI)
			continue;
		if (s >= nr_sources)
			fail("XISR outside the sources", i, s);
		if (!(snap[s] & VIRQ_XICS_PRESENTED))
			fail("source in an XISR is not presented", s, snap[s]);
		if (snap[s] & VIRQ_XICS_PENDING)
			fail("source both presented and waiting", s, snap[s]);
		for (j = i + 1; j < nr_vcpus; j++)
			if (xisr[j] == s)
				fail("source in two XISRs", s, j);
	}
}

static s64 op_xirr(struct virq_instance *inst, int cpu)
{
	u64 before = icp_word(inst, cpu), after, x;

	x = h_xirr(inst, cpu);
	TR("cpu %d H_XIRR: %#llx", cpu, (unsigned long long)x);
	after = icp_word(inst, cpu);
	if (XIRR_XISR(x) != ICP_XISR(before) ||
	    XIRR_CPPR(x) != ICP_CPPR(before))
		fail("XIRR is not what the ICP held", x, before);
	if (XIRR_XISR(x) && ICP_CPPR(after) != ICP_PPRI(before))
		fail("accepting did not set CPPR to its priority", x, after);
	if (XIRR_XISR(x))
		accepted(cpu, x);
	return 0;
}

/* One operation; returns the errno of the call, for -ENOMEM checks. */
static int one_op(struct virq_instance *inst, struct fuzz_input *in)
{
	u32 op = fuzz_take(in, 1) % 22, src, i, count;
	struct virq_call_args c = {};
	int cpu, status, ret = 0;
	u64 w;

	switch (op) {
	case 0: case 1: case 2:
		i = fuzz_take(in, 1);
		src = pick_source(in);
		ret = harness_set_irq(inst, src, i % 3,
				      (i >> 2) % VIRQ_NR_DRIVERS, i & 0x10,
				      &status);
		TR("set_irq %#x op %u driver %u: status %d", src, i % 3,
		   (i >> 2) % VIRQ_NR_DRIVERS, status);
		break;
	case 3:
		ret = harness_signal_msi(inst, 0, pick_source(in), &status);
		break;
	case 4: case 5:
		src = pick_source(in);
		c.args[1] = pick_server(in);
		c.args[2] = pick_prio(in);
		ret = rtas(inst, VIRQ_XICS_CALL_SET_XIVE, src,
			   c.args[1], c.args[2], NULL);
		TR("set_xive %#x server %#llx prio %#llx", src,
		   (unsigned long long)c.args[1],
		   (unsigned long long)c.args[2]);
		break;
	case 6:
		c.nr = fuzz_take(in, 1) % 9;
		c.args[0] = pick_source(in);
		c.args[1] = fuzz_take(in, 1) % 3;
		ret = harness_chip_call(inst, &c);
		TR("chip call %u %#llx %#llx: %lld", c.nr,
		   (unsigned long long)c.args[0],
		   (unsigned long long)c.args[1], (long long)c.ret);
		break;
	case 7:
		count = 1U << (fuzz_take(in, 1) % 12);
		if (fuzz_take(in, 1) < 20)
			count = fuzz_take(in, 2);
		c.nr = VIRQ_XICS_CALL_MSI_ALLOC;
		c.args[0] = count;
		ret = harness_chip_call(inst, &c);
		if (!ret && fuzz_take(in, 1) & 1) {
			c.args[1] = count;
			c.args[0] = c.rets[0];
			c.nr = VIRQ_XICS_CALL_MSI_FREE;
			restored = true;	/* may free what an XISR holds */
			ret = harness_chip_call(inst, &c);
		}
		break;
	case 8:
		c.nr = VIRQ_XICS_CALL_MSI_FREE;
		c.args[0] = pick_source(in);
		c.args[1] = 1U << (fuzz_take(in, 1) % 11);
		restored = true;
		ret = harness_chip_call(inst, &c);
		break;
	case 9: case 10: case 11:
		cpu = cpu_of(inst, in);
		if (cpu >= 0)
			ret = op_xirr(inst, cpu);
		break;
	case 12: case 13:
		cpu = cpu_of(inst, in);
		if (cpu < 0)
			break;
		i = fuzz_take(in, 1);
		w = XIRR(pick_prio(in), pick_source(in));
		w = to_end(cpu, i < 230, w);
		TR("cpu %d H_EOI %#llx: %lld", cpu, (unsigned long long)w,
		   (long long)h_eoi(inst, cpu, w));
		break;
	case 14:
		cpu = cpu_of(inst, in);
		if (cpu >= 0) {
			w = pick_prio(in);
			TR("cpu %d H_CPPR %#llx: %lld", cpu,
			   (unsigned long long)w,
			   (long long)h_cppr(inst, cpu, w));
		}
		break;
	case 15:
		cpu = cpu_of(inst, in);
		if (cpu >= 0) {
			w = pick_server(in);
			c.args[1] = pick_prio(in);
			TR("cpu %d H_IPI %#llx %#llx: %lld", cpu,
			   (unsigned long long)w,
			   (unsigned long long)c.args[1],
			   (long long)h_ipi(inst, cpu, w, c.args[1]));
		}
		break;
	case 16:
		cpu = cpu_of(inst, in);
		if (cpu < 0)
			break;
		c.nr = fuzz_take(in, 1) < 128 ? VIRQ_XICS_H_IPOLL :
		       VIRQ_XICS_H_XIRR_X;
		c.args[0] = pick_server(in);
		if (c.nr == VIRQ_XICS_H_XIRR_X)
			return op_xirr(inst, cpu);
		ret = harness_vcpu_call(vcpu_of(inst, cpu), &c);
		break;
	case 17:	/* read-modify-write source words */
		src = pick_source(in) % nr_sources;
		count = 1 + fuzz_take(in, 1) % 8;
		if (src + count > nr_sources)
			count = nr_sources - src;
		if (harness_get_sources(inst, src, count, snap))
			break;
		{
			u64 words[8];

			memcpy(words, snap, count * sizeof(u64));
			i = fuzz_take(in, 1) % count;
			words[i] ^= (u64)fuzz_take(in, 4) <<
				    (fuzz_take(in, 1) % 33);
			restored = true;
			ret = harness_set_sources(inst, src, count, words);
		}
		break;
	case 18:	/* ICP word: read, mutate, write */
		cpu = cpu_of(inst, in);
		if (cpu < 0)
			break;
		w = icp_word(inst, cpu) ^
		    (u64)fuzz_take(in, 4) << (fuzz_take(in, 1) % 33);
		restored = true;
		ret = harness_vcpu_set_attr(vcpu_of(inst, cpu),
					    VIRQ_XICS_GRP_ICP, 0, &w, 8);
		break;
	case 19:	/* a late vCPU */
		i = fuzz_take(in, 1) % nr_vcpus;
		if (!virq_get_vcpu(inst, i))
			ret = harness_create_vcpu(inst, i, servers[i], NULL);
		break;
	case 20:
		harness_add_resampler(inst, pick_source(in) % nr_sources);
		break;
	case 21:
		cpu = cpu_of(inst, in);
		if (cpu >= 0 && !harness_vcpu_ack(vcpu_of(inst, cpu), &w) &&
		    XIRR_XISR(w))
			accepted(cpu, w);
		break;
	}
	TR("op %u -> %d", op, ret);
	for (i = 0; trace && i < nr_vcpus; i++)
		if (virq_get_vcpu(inst, i))
			TR("  icp %u: %#llx", i,
			   (unsigned long long)icp_word(inst, i));
	return ret;
}

/* Every ICP fully receptive, then accept and end everything. */
static void drain_and_check(struct virq_instance *inst)
{
	u32 round, i, busy = 1;
	u64 x, w;

	for (round = 0; round < 64 && busy; round++) {
		busy = 0;
		for (i = 0; i < nr_vcpus; i++) {
			if (!virq_get_vcpu(inst, i))
				continue;
			h_ipi(inst, i, servers[i], 0xff);
			h_cppr(inst, i, 0xff);
			x = h_xirr(inst, i);
			if (XIRR_XISR(x)) {
				busy = 1;
				h_eoi(inst, i, XIRR(0xff, XIRR_XISR(x)));
			}
		}
	}
	if (busy)
		return;		/* LSIs held high keep it busy: fine */
	harness_get_sources(inst, 0, nr_sources, snap);
	for (i = VIRQ_XICS_FIRST_SOURCE; i < nr_sources; i++) {
		w = snap[i];
		if (w & VIRQ_XICS_MASKED || !(w & VIRQ_XICS_PENDING))
			continue;
		for (u32 v = 0; v < nr_vcpus; v++)
			if (virq_get_vcpu(inst, v) &&
			    servers[v] == (w & VIRQ_XICS_DESTINATION_MASK))
				fail("lost interrupt: waiting on an idle ICP",
				     i, w);
	}
}

int xics_fuzz_init(int *argc, char ***argv);

/* libFuzzer's initialisation hook (linked under its name) */
int xics_fuzz_init(int *argc, char ***argv)
{
	trace = getenv("XICS_FUZZ_TRACE");
	harness_warn_set_fatal(true);
	harness_printk_set_quiet(1);
	return 0;
}

int xics_fuzz_one_input(const u8 *data, size_t size);

/* libFuzzer's entry point (the Makefile links it under its name) */
int xics_fuzz_one_input(const u8 *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct virq_instance *inst;
	u64 *before = NULL, *after = NULL;
	u32 shape = fuzz_take(&in, 1), i, ops = 0;
	int ret;

	nr_vcpus = 1 + shape % 4;
	nr_sources = 1024 * (1 + (shape >> 2) % 3);
	restored = false;
	memset(depth, 0, sizeof(depth));
	for (i = 0; i < nr_vcpus; i++)
		servers[i] = shape & 0x20 ? i * 3 + 1 : i;

	inst = harness_instance_open();
	if (!inst || harness_create_chip(inst, &virq_xics_ops, nr_vcpus,
					 nr_sources, NULL, 0))
		abort();
	for (i = 0; i < nr_vcpus; i++)
		if (!(shape & 0x40) || i)	/* maybe leave vCPU 1.. late */
			if (harness_create_vcpu(inst, i, servers[i], NULL) &&
			    !(shape & 0x80 && i))
				abort();
	snap = calloc(nr_sources, sizeof(*snap));
	before = calloc(nr_sources + 16, sizeof(u64));
	after = calloc(nr_sources + 16, sizeof(u64));

	while (in.n && ops++ < 512) {
		bool inject = fuzz_take(&in, 1) < 12;
		u32 nth = 1;

		if (inject) {
			memset(before, 0, (nr_sources + 16) * sizeof(u64));
			memset(after, 0, (nr_sources + 16) * sizeof(u64));
			harness_get_sources(inst, 0, nr_sources, before);
			for (i = 0; i < nr_vcpus; i++)
				if (virq_get_vcpu(inst, i))
					before[nr_sources + i] = icp_word(inst, i);
			nth = 1 + fuzz_take(&in, 1) % 3;
			harness_fail_alloc_nth(nth);
		}
		ret = one_op(inst, &in);
		if (inject) {
			bool fired = harness_alloc_failed();

			harness_fail_alloc_nth(0);
			if (fired && ret == -ENOMEM) {
				harness_get_sources(inst, 0, nr_sources, after);
				for (i = 0; i < nr_vcpus; i++)
					if (virq_get_vcpu(inst, i))
						after[nr_sources + i] =
							icp_word(inst, i);
				if (memcmp(before, after,
					   (nr_sources + 16) * sizeof(u64)))
					fail("-ENOMEM changed the state", nth,
					     0);
			}
		}
		if (harness_locks_held())
			fail("lock held after an operation", 0, 0);
		check_all(inst);
	}
	drain_and_check(inst);
	free(snap);
	free(before);
	free(after);
	harness_instance_close(inst);
	return 0;
}
