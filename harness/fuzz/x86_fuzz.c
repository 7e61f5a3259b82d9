// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the x86 family (virq/x86/): a whole chip built
 * through the harness core, then a sequence of operations on it.
 *
 * Input: a chip shape (vCPUs, PIC, directed EOI, remapping table of 0, 16
 * or 64 entries, 1-3 IOAPICs of various pin counts, ids and bases, the
 * GSI space, APIC ids up to 32 bits, vCPUs created late, an allocation
 * failure during creation, now and then a corrupted options struct),
 * then up to 512 operations: GSI injection (any op and driver, from an
 * "irqfd" with IRQs off or not), MSIs in both formats with and without
 * a requester id, register accesses forwarded as VIRQ_VCPU_ACCESS (LAPIC
 * page, IOAPIC windows, x2APIC MSRs, IA32_APIC_BASE, PIC ports: raw, and
 * composed as a guest would write them), VIRQ_VCPU_ACK of every event,
 * routing updates and whole tables, save/restore of every state blob,
 * IRTEs and the TSC, source words, resamplers, the fake clock (LAPIC
 * timers) and the workqueue (EOI storm guard), late vCPUs, debugfs.
 *
 * Besides the sanitizers, WARNs (fatal) and the harness's lock checks:
 *  - a shadow of the GSI routing table (uAPI rules: default routes,
 *    ADD/DELETE/REPLACE/CLEAR, whole-table sets) must equal
 *    VIRQ_GET_GSI_ROUTING after every routing operation, and predicts
 *    every errno; -ENOMEM changes nothing;
 *  - a shadow of every irqchip pin's drivers (injection, source words,
 *    IOAPIC restores, resamplers) must match the source words and the
 *    IOAPICs' line bitmaps;
 *  - every LAPIC's saved state is self-consistent (PPR from TPR and ISR,
 *    version, no vector 0-15 latched, LVTs but LVT0 masked while software-
 *    disabled, x2APIC id and LDR, timer fields, events) and the vCPU's
 *    outputs agree with it; an output that rises comes with a kick;
 *  - VIRQ_VCPU_ACK: INTA returns the highest requested vector (16..255)
 *    when INT is asserted, else the spurious vector and changes nothing;
 *    events are taken exactly when asserted; ExtINT returns a vector of
 *    the PIC's bases; INIT leaves the LAPIC in its INIT state;
 *  - MSI decoding errors and remapping faults are predicted from the
 *    message and the IRTE; fault counts and the eventfd follow;
 *  - every state GET can be SET back; a SET that fails changes nothing,
 *    one that succeeds reads back as written (derived registers and the
 *    timer's rounding excepted, each checked on its own);
 *  - register reads return no bits beyond their width, and the errnos
 *    are the documented ones;
 *  - at the end: no allocation, hrtimer or work item survives the
 *    instance.
 *
 * X86_FUZZ_TRACE=1 prints every decoded operation and its result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/seq_file.h>
#include <linux/workqueue.h>

#include "../core_stubs.h"
#include "../../virq/chip.h"
#include "../../virq/x86/lapic.h"
#include "../../virq/x86/msi.h"
#include "fuzz_input.h"

#define MAX_VCPUS	4
#define MAX_SHADOW	4096	/* routes: defaults + one per operation */
#define MAX_OPS		512
#define NR_IRQCHIPS	(2 + VIRQ_X86_MAX_IOAPICS)
#define MAX_ROUTES	VIRQ_ROUTES_DEFAULT_MAX	/* the core's max_routes */

/* IOAPIC redirection entry (82093AA), as the uAPI state holds it */
#define RTE_DM(r)	(((r) >> 8) & 7)
#define RTE_LOGICAL	BIT_ULL(11)
#define RTE_DELIVS	BIT_ULL(12)
#define RTE_REMOTE_IRR	BIT_ULL(14)
#define RTE_LEVEL	BIT_ULL(15)
#define RTE_MASKED	BIT_ULL(16)
#define RTE_RESERVED	GENMASK_ULL(47, 17)
#define RTE_REMAP	BIT_ULL(48)

#define LAPIC_X2(off)	(VIRQ_X86_MSR_X2APIC_FIRST + ((off) >> 4))
#define OUT_ALL		(VIRQ_OUT_INT | VIRQ_OUT_EVENTS | VIRQ_OUT_EXTINT)

static const struct virq_chip_ops *ops = &virq_x86_ops;

/**
 * struct fuzz - the chip under test and the shadows checked against it
 * @inst: the instance
 * @nr_vcpus: vCPUs of the chip
 * @nr_sources: GSIs
 * @nr_ioapics: IOAPICs
 * @nr_irtes: remapping table entries (0: none)
 * @pic: the chip has the PIC pair
 * @directed_eoi: VIRQ_X86_OPT_DIRECTED_EOI
 * @base: MMIO base of each IOAPIC
 * @pins: pins of each IOAPIC
 * @apic_id: arch_id of each vCPU
 * @out: outputs of each vCPU after the last operation
 * @kicks: kicks of each vCPU after the last operation
 * @routes: the routing table as the uAPI says it must be, by GSI
 * @nr_routes: entries in @routes
 * @drivers: per irqchip pin, BIT(enum virq_driver) of its drivers
 * @drivers_lost: EOIs went by faster than the log: @drivers unknown
 * @nr_eoi_seen: inst->nr_notify_eoi applied to @drivers
 * @fault_count: the remapping fault count last read
 */
struct fuzz {
	struct virq_instance *inst;
	u32 nr_vcpus;
	u32 nr_sources;
	u32 nr_ioapics;
	u32 nr_irtes;
	bool pic;
	bool directed_eoi;
	u64 base[VIRQ_X86_MAX_IOAPICS];
	u32 pins[VIRQ_X86_MAX_IOAPICS];
	u64 apic_id[MAX_VCPUS];
	u32 out[MAX_VCPUS];
	unsigned long kicks[MAX_VCPUS];
	struct virq_route routes[MAX_SHADOW];
	u32 nr_routes;
	u8 drivers[NR_IRQCHIPS][VIRQ_X86_IOAPIC_MAX_PINS];
	bool drivers_lost;
	unsigned long nr_eoi_seen;
	u64 fault_count;
};

static struct fuzz f;
static bool trace;	/* X86_FUZZ_TRACE=1: print every operation */

#define TR(fmt, ...) do {						\
	if (trace)							\
		fprintf(stderr, fmt "\n", ##__VA_ARGS__);		\
} while (0)

static void fail(const char *why, u64 a, u64 b)
{
	fprintf(stderr, "x86_fuzz: BUG: %s (%#llx, %#llx)\n", why,
		(unsigned long long)a, (unsigned long long)b);
	abort();
}

static u64 take64(struct fuzz_input *in)
{
	u64 hi = fuzz_take(in, 4);

	return hi << 32 | fuzz_take(in, 4);
}

/* --- allocation failures -------------------------------------------------- */

/* Maybe arm an allocation failure for the call that follows */
static void arm(struct fuzz_input *in)
{
	if (fuzz_take(in, 1) < 16)
		harness_fail_alloc_nth(1 + fuzz_take(in, 1) % 4);
}

/* Disarm; whether an injected failure fired.  -ENOMEM needs one. */
static bool disarm(int ret)
{
	bool fired = harness_alloc_failed();

	harness_fail_alloc_nth(0);
	if (ret == -ENOMEM && !fired)
		fail("-ENOMEM without an allocation failure", 0, 0);
	return fired;
}

/* --- picking things ------------------------------------------------------- */

static struct virq_vcpu *vcpu_at(u32 i)
{
	return i < f.nr_vcpus ? virq_get_vcpu(f.inst, i) : NULL;
}

static struct virq_vcpu *pick_vcpu(struct fuzz_input *in)
{
	return vcpu_at(fuzz_take(in, 1) % f.nr_vcpus);
}

/* Any vCPU, for accesses to chip-wide registers */
static struct virq_vcpu *any_vcpu(void)
{
	u32 i;

	for (i = 0; i < f.nr_vcpus; i++)
		if (vcpu_at(i))
			return vcpu_at(i);
	return NULL;
}

static u32 pick_gsi(struct fuzz_input *in)
{
	u32 b = fuzz_take(in, 1);

	if (b < 160)
		return b % min_t(u32, f.nr_sources, 24);
	if (b < 210)
		return fuzz_take(in, 2) % f.nr_sources;
	if (b < 240)
		return f.nr_sources - 1 - min_t(u32, b % 4, f.nr_sources - 1);
	return fuzz_take(in, 4) % (f.nr_sources + 2);
}

/* A vector: a few hot ones so that sources collide, now and then any */
static u8 pick_vector(struct fuzz_input *in)
{
	u32 b = fuzz_take(in, 1);

	if (b < 200)
		return 0x20 + b % 24;
	if (b < 230)
		return b;
	return fuzz_take(in, 1);
}

/* A destination: APIC ids, logical masks, broadcasts, junk */
static u32 pick_dest(struct fuzz_input *in)
{
	u32 b = fuzz_take(in, 1);
	u64 id = f.apic_id[(b >> 3) % f.nr_vcpus];

	switch (b % 8) {
	case 0:
		return id & 0xff;
	case 1:
		return id;
	case 2:
		return 0xff;
	case 3:
		return BIT((b >> 3) % 8);
	case 4:
		return 0xffffffff;
	case 5:
		return (id >> 4) << 16 | BIT(id & 0xf);
	case 6:
		return fuzz_take(in, 1);
	}
	return fuzz_take(in, 4);
}

/* A delivery mode: mostly fixed, the reserved ones rarely */
static u32 pick_dm(struct fuzz_input *in)
{
	static const u8 dms[16] = { 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 4, 4, 5, 6,
				    7, 3 };

	return dms[fuzz_take(in, 1) % 16];
}

static u32 pick_len(struct fuzz_input *in)
{
	static const u8 lens[8] = { 4, 4, 4, 4, 1, 2, 8, 8 };

	return lens[fuzz_take(in, 1) % 8];
}

/* An MSI: compatibility or remappable format, or raw bits */
static void pick_msi(struct fuzz_input *in, u32 *lo, u32 *hi, u32 *data)
{
	u32 b = fuzz_take(in, 1), dest, handle;

	*hi = 0;
	if (b < 140) {
		dest = pick_dest(in);
		*lo = 0xfee00000 | (dest & 0xff) << 12;
		if (dest > 0xff && dest < 0x8000 && (b & 1))
			*lo |= (dest >> 8) << 5;
		else
			*hi = dest & ~0xffU;
		*lo |= (b & 6) << 1;	/* logical, redirection hint */
		*data = pick_vector(in);
		*data |= pick_dm(in) << 8;
		*data |= (fuzz_take(in, 1) & 3) << 14;	/* assert, level */
		if (b < 10)
			*hi ^= fuzz_take(in, 1);	/* reserved bits */
	} else if (b < 230) {
		handle = fuzz_take(in, 1);
		if (handle > 200)
			handle = fuzz_take(in, 2);
		else
			handle %= f.nr_irtes + 4;
		*lo = 0xfee00010 | (handle & 0x7fff) << 5 |
		      (handle >> 15) << 2 | (b & 1) << 3;
		*data = fuzz_take(in, 1) & 3;
		if (b & 2)
			*data |= fuzz_take(in, 4);
		if (b < 145)
			*hi = fuzz_take(in, 4);
	} else {
		*lo = fuzz_take(in, 4);
		if (b & 1)
			*lo = 0xfee00000 | (*lo & 0xfffff);
		*hi = b & 2 ? fuzz_take(in, 4) : 0;
		*data = fuzz_take(in, 4);
	}
}

/* --- what the uAPI says an MSI does --------------------------------------- */

/* 0, or -EINVAL when the write is not an interrupt message */
static int msi_expect(u32 lo, u32 hi, u32 data)
{
	u32 ext = (lo >> 5) & 0x7f, dm = (data >> 8) & 7;

	if (lo >> 20 != 0xfee)
		return -EINVAL;
	if (lo & BIT(4))
		return hi ? -EINVAL : 0;
	if ((hi & 0xff) || (ext && hi) || dm == 3 || dm == 6)
		return -EINVAL;
	return 0;
}

/* The IRTE index of a remappable message */
static u32 msi_index(u32 lo, u32 data)
{
	u32 index = (lo >> 5) & 0x7fff;

	if (lo & BIT(2))
		index |= BIT(15);
	if (lo & BIT(3))
		index += data & 0xffff;
	return index;
}

/* VT-d source-id validation of @e for requester id @rid */
static bool irte_sid_ok(const struct virq_x86_irte *e, bool has_rid, u32 rid)
{
	static const u16 sq_mask[4] = { 0xffff, 0xfffb, 0xfff9, 0xfff8 };
	u32 svt = (e->hi >> VIRQ_X86_IRTE_SVT_SHIFT) & 3;
	u32 sq = (e->hi >> VIRQ_X86_IRTE_SQ_SHIFT) & 3;
	u32 sid = e->hi & VIRQ_X86_IRTE_SID_MASK;

	if (!svt)
		return true;
	if (!has_rid || rid > 0xffff)
		return false;
	if (svt == 1)
		return !((rid ^ sid) & sq_mask[sq]);
	return rid >> 8 >= sid >> 8 && rid >> 8 <= (sid & 0xff);
}

/* --- the routing table's shadow ------------------------------------------- */

static bool sh_pin_valid(u32 irqchip, u32 pin)
{
	if (irqchip <= VIRQ_X86_IRQCHIP_PIC_SLAVE)
		return f.pic && pin < 8;
	irqchip -= VIRQ_X86_IRQCHIP_IOAPIC(0);
	return irqchip < f.nr_ioapics && pin < f.pins[irqchip];
}

static bool words_zero(const struct virq_route *e, u32 from)
{
	u32 i;

	for (i = from; i < ARRAY_SIZE(e->u.pad); i++)
		if (e->u.pad[i])
			return false;
	return true;
}

/* An entry the uAPI accepts: virq_route's rules and an existing pin */
static bool sh_entry_ok(const struct virq_route *e)
{
	if (e->gsi >= f.nr_sources || e->pad)
		return false;
	switch (e->type) {
	case VIRQ_ROUTE_IRQCHIP:
		return !e->flags && words_zero(e, 2) &&
		       sh_pin_valid(e->u.irqchip.irqchip, e->u.irqchip.pin);
	case VIRQ_ROUTE_MSI:
		if (e->flags & ~VIRQ_ROUTE_FLAG_DEVID)
			return false;
		if (!(e->flags & VIRQ_ROUTE_FLAG_DEVID) && e->u.msi.devid)
			return false;
		return words_zero(e, 4);
	}
	return false;
}

/* One GSI may have irqchip entries on distinct irqchips, or one MSI */
static bool sh_conflict(const struct virq_route *a, const struct virq_route *b)
{
	return a->type != VIRQ_ROUTE_IRQCHIP || b->type != VIRQ_ROUTE_IRQCHIP ||
	       a->u.irqchip.irqchip == b->u.irqchip.irqchip;
}

/* The entries of @gsi: *@first and their number */
static u32 sh_find(u32 gsi, u32 *first)
{
	u32 i = 0, n = 0;

	while (i < f.nr_routes && f.routes[i].gsi < gsi)
		i++;
	*first = i;
	while (i + n < f.nr_routes && f.routes[i + n].gsi == gsi)
		n++;
	return n;
}

static void sh_remove(u32 pos, u32 n)
{
	memmove(&f.routes[pos], &f.routes[pos + n],
		(f.nr_routes - pos - n) * sizeof(f.routes[0]));
	f.nr_routes -= n;
}

static void sh_insert(u32 pos, const struct virq_route *e)
{
	if (f.nr_routes == MAX_SHADOW)
		fail("routing shadow full", pos, 0);
	memmove(&f.routes[pos + 1], &f.routes[pos],
		(f.nr_routes - pos) * sizeof(f.routes[0]));
	f.routes[pos] = *e;
	f.nr_routes++;
}

/* VIRQ_UPDATE_GSI_ROUTE on the shadow: the errno the uAPI documents */
static int sh_update(u32 op, const struct virq_route *e)
{
	u32 first, n, i;

	if (op == VIRQ_ROUTE_OP_CLEAR) {
		if (e->gsi >= f.nr_sources || e->type || e->flags || e->pad ||
		    !words_zero(e, 0))
			return -EINVAL;
	} else if (!sh_entry_ok(e)) {
		return -EINVAL;
	}
	n = sh_find(e->gsi, &first);
	switch (op) {
	case VIRQ_ROUTE_OP_ADD:
		for (i = 0; i < n; i++)
			if (sh_conflict(&f.routes[first + i], e))
				return -EEXIST;
		if (f.nr_routes >= MAX_ROUTES)
			return -ENOSPC;
		sh_insert(first + n, e);
		return 0;
	case VIRQ_ROUTE_OP_DELETE:
		for (i = 0; i < n; i++)
			if (!memcmp(&f.routes[first + i], e, sizeof(*e)))
				break;
		if (i == n)
			return -ENOENT;
		sh_remove(first + i, 1);
		return 0;
	case VIRQ_ROUTE_OP_REPLACE:
		if (f.nr_routes - n >= MAX_ROUTES)
			return -ENOSPC;
		sh_remove(first, n);
		sh_insert(first, e);
		return 0;
	}
	sh_remove(first, n);
	return 0;
}

/* VIRQ_SET_GSI_ROUTING on the shadow (after the core's entry checks) */
static int sh_set_all(const struct virq_route *e, u32 nr)
{
	u32 i, j, k, first, n;

	if (nr > MAX_ROUTES)
		return -ENOSPC;
	for (i = 0; i < nr; i++)
		if (!sh_entry_ok(&e[i]))
			return -EINVAL;
	for (i = 0; i < nr; i++)
		for (j = i + 1; j < nr; j++)
			if (e[i].gsi == e[j].gsi && sh_conflict(&e[i], &e[j]))
				return -EINVAL;
	f.nr_routes = 0;
	for (k = 0; k < nr; k++) {
		n = sh_find(e[k].gsi, &first);
		sh_insert(first + n, &e[k]);
	}
	return 0;
}

static void sh_irqchip(struct virq_route *e, u32 gsi, u32 irqchip, u32 pin)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = VIRQ_ROUTE_IRQCHIP;
	e->u.irqchip.irqchip = irqchip;
	e->u.irqchip.pin = pin;
}

/* KVM's default routes, as the uAPI's x86 section describes them */
static void sh_default(const u32 *gsi_base)
{
	struct virq_route e;
	u32 n, pin, first, n_at;

	f.nr_routes = 0;
	for (pin = 0; f.pic && pin < 16 && pin < f.nr_sources; pin++) {
		sh_irqchip(&e, pin, pin < 8 ? VIRQ_X86_IRQCHIP_PIC_MASTER :
			   VIRQ_X86_IRQCHIP_PIC_SLAVE, pin % 8);
		sh_insert(f.nr_routes, &e);
	}
	for (n = 0; n < f.nr_ioapics; n++) {
		for (pin = 0; pin < f.pins[n]; pin++) {
			u32 gsi = gsi_base[n] + pin;

			sh_irqchip(&e, gsi, VIRQ_X86_IRQCHIP_IOAPIC(n), pin);
			n_at = sh_find(gsi, &first);
			sh_insert(first + n_at, &e);
		}
	}
}

/* VIRQ_GET_GSI_ROUTING must give the shadow, and ENOSPC one short */
static void check_routing(void)
{
	u32 cap = f.nr_routes + 1, nr = cap;
	struct virq_route *e = calloc(cap, sizeof(*e));
	int ret;

	harness_alloc_pause();
	ret = ops->get_routing(f.inst, e, &nr);
	if (ret || nr != f.nr_routes)
		fail("routing table size", ret, nr);
	if (memcmp(e, f.routes, nr * sizeof(*e))) {
		for (cap = 0; cap < nr; cap++)
			if (memcmp(&e[cap], &f.routes[cap], sizeof(*e)))
				fail("routing entry differs from the shadow",
				     cap, e[cap].gsi);
	}
	if (nr) {
		cap = nr - 1;
		ret = ops->get_routing(f.inst, e, &cap);
		if (ret != -ENOSPC || cap != nr)
			fail("short GET_GSI_ROUTING", ret, cap);
	}
	harness_alloc_resume();
	free(e);
}

/* --- the pins' drivers' shadow -------------------------------------------- */

/* VIRQ_LINE_* @op by @driver on every irqchip pin of @gsi */
static void sh_drive(u32 gsi, u32 op, u32 driver)
{
	u32 first, n, i;

	n = sh_find(gsi, &first);
	for (i = first; i < first + n; i++) {
		const struct virq_route *e = &f.routes[i];
		u8 *d;

		if (e->type != VIRQ_ROUTE_IRQCHIP)
			continue;
		d = &f.drivers[e->u.irqchip.irqchip][e->u.irqchip.pin];
		if (op == VIRQ_LINE_SET)
			*d |= BIT(driver);
		else		/* RESET; an EDGE is a pulse that lets go */
			*d &= ~BIT(driver);
	}
}

static void sh_set_word(u32 gsi, u8 word)
{
	u32 first, n, i;

	n = sh_find(gsi, &first);
	for (i = first; i < first + n; i++)
		if (f.routes[i].type == VIRQ_ROUTE_IRQCHIP)
			f.drivers[f.routes[i].u.irqchip.irqchip]
				 [f.routes[i].u.irqchip.pin] = word;
}

static u8 sh_word(u32 gsi)
{
	u32 first, n, i;
	u8 w = 0;

	n = sh_find(gsi, &first);
	for (i = first; i < first + n; i++)
		if (f.routes[i].type == VIRQ_ROUTE_IRQCHIP)
			w |= f.drivers[f.routes[i].u.irqchip.irqchip]
				      [f.routes[i].u.irqchip.pin];
	return w;
}

/* The EOIs since the last call: the resamplers lowered their GSIs */
static void sh_eois(void)
{
	struct virq_instance *inst = f.inst;
	u32 gsi;

	if (inst->nr_notify_eoi - f.nr_eoi_seen > HARNESS_EOI_LOG)
		f.drivers_lost = true;
	for (; f.nr_eoi_seen < inst->nr_notify_eoi; f.nr_eoi_seen++) {
		gsi = inst->eoi_log[f.nr_eoi_seen % HARNESS_EOI_LOG];
		if (gsi >= f.nr_sources)
			fail("EOI notified for a GSI out of range", gsi, 0);
		if (inst->resample && test_bit(gsi, inst->resample))
			sh_drive(gsi, VIRQ_LINE_RESET, VIRQ_DRIVER_RESAMPLE);
	}
}

/* Source words of [@first, @first + @count) against the shadow */
static void check_words(u32 first, u32 count)
{
	u64 *w = calloc(count, sizeof(*w));
	u32 i;

	if (f.drivers_lost)
		goto out;
	harness_alloc_pause();
	if (harness_get_sources(f.inst, first, count, w))
		fail("GET_SOURCES failed", first, count);
	harness_alloc_resume();
	for (i = 0; i < count; i++)
		if (w[i] != sh_word(first + i))
			fail("source word differs from the drivers", first + i,
			     w[i]);
out:
	free(w);
}

/* --- register accesses ---------------------------------------------------- */

/* VIRQ_VCPU_ACCESS after the core's checks */
static int do_access(struct virq_vcpu *v, u32 space, u64 addr, u32 len,
		     bool write, u64 *data)
{
	u64 d = *data;
	int ret;

	if (write && len < 8)
		d &= BIT_ULL(len * 8) - 1;
	ret = ops->vcpu_access(v, space, addr, len, write, &d);
	TR("  cpu %u %s %u:%#llx/%u %s %#llx: %d", v->index,
	   write ? "write" : "read", space, (unsigned long long)addr, len,
	   write ? "<-" : "->", (unsigned long long)d, ret);
	if (ret && ret != -EINVAL && ret != -ENXIO)
		fail("access errno", addr, ret);
	if (!ret && !write) {
		if (len < 8 && d >> (len * 8))
			fail("read returned bits beyond its width", addr, d);
		*data = d;
	}
	return ret;
}

static u64 apic_base_of(struct virq_vcpu *v)
{
	u64 d = 0;

	if (ops->vcpu_access(v, VIRQ_SPACE_MSR, VIRQ_X86_MSR_APIC_BASE, 8,
			     false, &d))
		fail("IA32_APIC_BASE read failed", v->index, 0);
	return d;
}

/* A LAPIC register write the way the guest's mode makes it */
static int lapic_wr(struct virq_vcpu *v, u32 off, u64 val)
{
	u64 base = apic_base_of(v);

	if (base & LAPIC_BASE_EXTD)
		return do_access(v, VIRQ_SPACE_MSR, LAPIC_X2(off), 8, true,
				 &val);
	return do_access(v, VIRQ_SPACE_MMIO, (base & LAPIC_BASE_ADDR) + off,
			 4, true, &val);
}

static int pio(struct virq_vcpu *v, u16 port, u32 len, bool write, u64 *val)
{
	return do_access(v, VIRQ_SPACE_PIO, port, len, write, val);
}

/* --- state and its invariants --------------------------------------------- */

static u32 st_reg(const struct virq_x86_lapic_state *s, u32 off)
{
	const u8 *p = &s->regs[off];

	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static int st_highest(const struct virq_x86_lapic_state *s, u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = st_reg(s, base + i * 0x10);

		if (w)
			return i * 32 + fls(w) - 1;
	}
	return -1;
}

static bool st_vec(const struct virq_x86_lapic_state *s, u32 base, u8 vec)
{
	return st_reg(s, base + (vec >> 5) * 0x10) & BIT(vec & 31);
}

static void get_lapic(struct virq_vcpu *v, struct virq_x86_lapic_state *s)
{
	u32 size = sizeof(*s);
	int ret;

	harness_alloc_pause();
	ret = harness_vcpu_get_attr(v, VIRQ_X86_VGRP_LAPIC, 0, s, &size);
	harness_alloc_resume();
	if (ret || size != sizeof(*s))
		fail("LAPIC state GET failed", v->index, ret);
}

static void get_tsc(struct virq_vcpu *v, struct virq_x86_tsc *t)
{
	u32 size = sizeof(*t);
	int ret;

	harness_alloc_pause();
	ret = harness_vcpu_get_attr(v, VIRQ_X86_VGRP_TSC, 0, t, &size);
	harness_alloc_resume();
	if (ret || size != sizeof(*t))
		fail("TSC GET failed", v->index, ret);
}

static void get_ioapic(u32 n, struct virq_x86_ioapic_state *s)
{
	u32 size = sizeof(*s);
	int ret;

	harness_alloc_pause();
	ret = harness_get_attr(f.inst, VIRQ_X86_GRP_IOAPIC, n, s, &size);
	harness_alloc_resume();
	if (ret || size != sizeof(*s))
		fail("IOAPIC state GET failed", n, ret);
}

static void get_pic(struct virq_x86_pic_state *s)
{
	u32 size = sizeof(*s);
	int ret;

	harness_alloc_pause();
	ret = harness_get_attr(f.inst, VIRQ_X86_GRP_PIC, 0, s, &size);
	harness_alloc_resume();
	if (ret || size != sizeof(*s))
		fail("PIC state GET failed", 0, ret);
}

static u32 output_of(struct virq_vcpu *v, u32 *sipi)
{
	u32 out;

	*sipi = 0x1234;		/* untouched without VIRQ_OUT_SIPI */
	out = ops->vcpu_output(v, sipi);
	if (out & ~OUT_ALL)
		fail("unknown output line", v->index, out);
	return out;
}

/* The timer's ns of one full count (timer.c's rules, SDM 11.5.4) */
static u64 timer_period_ns(u32 lvtt, u32 tmict, u32 tdcr)
{
	u32 v = (tdcr & 3) | ((tdcr & 8) >> 1);
	u64 ns = (u64)tmict * (v == 7 ? 1 : 2U << v);

	if (((lvtt >> 17) & 3) == 1 && ns < 200000)
		ns = 200000;
	return ns;
}

/* The guest TSC at @ns: offset + floor(@ns * @khz / 10^6) */
static u64 guest_tsc(const struct virq_x86_tsc *t, u32 khz, s64 ns)
{
	return t->offset + (u64)(ns / 1000000) * khz +
	       (u64)(ns % 1000000) * khz / 1000000;
}

/* Everything a LAPIC state must satisfy, and the outputs it implies */
static void check_lapic(struct virq_vcpu *v,
			const struct virq_x86_lapic_state *s)
{
	u64 base = s->apic_base;
	bool en = base & LAPIC_BASE_EN, x2 = base & LAPIC_BASE_EXTD;
	u32 i = v->index, tpr, ppr, svr, lvt0, ev = s->events;
	u32 out, sipi, mode, tmict, tmcct, off, want;
	int isr, irr;

	if (s->version != VIRQ_X86_STATE_VERSION || s->padding)
		fail("LAPIC state version or padding", i, s->version);
	if ((base & LAPIC_BASE_RESERVED) || (x2 && !en))
		fail("IA32_APIC_BASE holds an invalid value", i, base);
	want = LAPIC_VERSION | LAPIC_MAX_LVT << 16 |
	       (f.directed_eoi ? LAPIC_LVR_DIRECTED_EOI : 0);
	if (st_reg(s, LAPIC_LVR) != want)
		fail("version register", i, st_reg(s, LAPIC_LVR));
	tpr = st_reg(s, LAPIC_TPR);
	isr = st_highest(s, LAPIC_ISR);
	want = isr < 0 || (tpr & 0xf0) >= (isr & 0xf0) ? tpr : isr & 0xf0;
	ppr = st_reg(s, LAPIC_PPR);
	if (tpr > 0xff || ppr != want)
		fail("PPR is not what TPR and ISR make it", i, ppr);
	if ((st_reg(s, LAPIC_IRR) | st_reg(s, LAPIC_ISR) |
	     st_reg(s, LAPIC_TMR)) & 0xffff)
		fail("vector 0-15 in IRR, ISR or TMR", i, 0);
	svr = st_reg(s, LAPIC_SVR);
	if (svr & ~(0x3ffU | (f.directed_eoi ? LAPIC_SVR_SUPPRESS_EOI : 0)))
		fail("SVR reserved bits", i, svr);
	for (off = LAPIC_LVTT; off <= LAPIC_LVTERR; off += 0x10)
		if (!(svr & LAPIC_SVR_ENABLE) && off != LAPIC_LVT0 &&
		    !(st_reg(s, off) & LAPIC_MASKED))
			fail("LVT unmasked in a software-disabled LAPIC", i,
			     off);
	/* x2APIC logical id: cluster id[19:4] in 31:16, 1 << id[3:0] */
	if (x2 && (st_reg(s, LAPIC_ID) != f.apic_id[i] ||
		   st_reg(s, LAPIC_LDR) != (u32)((f.apic_id[i] >> 4) << 16 |
						 BIT(f.apic_id[i] & 0xf))))
		fail("x2APIC ID or LDR", i, st_reg(s, LAPIC_ID));
	if (!x2 && ((st_reg(s, LAPIC_ID) | st_reg(s, LAPIC_LDR)) & 0xffffff))
		fail("xAPIC ID or LDR reserved bits", i, st_reg(s, LAPIC_ID));
	if (st_reg(s, LAPIC_ESR) & ~LAPIC_ESR_ALL)
		fail("ESR reserved bits", i, st_reg(s, LAPIC_ESR));
	for (off = 0; off < LAPIC_PAGE_SIZE; off += 16)
		if (st_reg(s, off + 4) || st_reg(s, off + 8) ||
		    st_reg(s, off + 12))
			fail("bytes 4-15 of a register slot", i, off);
	if (ev & ~X86_LAPIC_EV_ALL)
		fail("unknown event bits", i, ev);
	if ((ev & VIRQ_OUT_EXTINT) && !f.pic)
		fail("ExtINT latched without a PIC", i, ev);
	if ((ev & VIRQ_OUT_SIPI) &&
	    !(ev & (VIRQ_X86_LAPIC_EV_WAIT_SIPI | VIRQ_OUT_INIT)))
		fail("SIPI latched outside wait-for-SIPI", i, ev);
	if (s->sipi_vector > 0xff ||
	    (s->sipi_vector && !(ev & VIRQ_OUT_SIPI)))
		fail("SIPI vector", i, s->sipi_vector);

	mode = (st_reg(s, LAPIC_LVTT) >> 17) & 3;
	tmict = st_reg(s, LAPIC_TMICT);
	tmcct = st_reg(s, LAPIC_TMCCT);
	if (tmcct > tmict)
		fail("TMCCT above TMICT", tmcct, tmict);
	if (mode == 2 && tmict)
		fail("TMICT in TSC-deadline mode", i, tmict);
	if (s->tsc_deadline && mode != 2)
		fail("TSC deadline outside TSC-deadline mode", i, mode);
	if (s->timer_expiry_tsc && (mode > 1 || !tmict))
		fail("timer expiry without a count", i, mode);

	out = output_of(v, &sipi);
	irr = st_highest(s, LAPIC_IRR);
	want = en && (svr & LAPIC_SVR_ENABLE) && irr >= 0 &&
	       (irr & 0xf0) > (ppr & 0xf0);
	if (!!(out & VIRQ_OUT_INT) != want)
		fail("INT output disagrees with IRR and PPR", i, out);
	want = ev & (VIRQ_OUT_NMI | VIRQ_OUT_INIT | VIRQ_OUT_SMI);
	if ((ev & VIRQ_OUT_SIPI) && (ev & VIRQ_X86_LAPIC_EV_WAIT_SIPI))
		want |= VIRQ_OUT_SIPI;
	if ((out & VIRQ_OUT_EVENTS) != want)
		fail("event outputs disagree with the events", out, ev);
	if ((out & VIRQ_OUT_SIPI) && sipi != s->sipi_vector)
		fail("SIPI vector output", sipi, s->sipi_vector);
	if ((ev & VIRQ_OUT_EXTINT) && !(out & VIRQ_OUT_EXTINT))
		fail("latched ExtINT not output", i, out);
	lvt0 = st_reg(s, LAPIC_LVT0);
	if ((out & VIRQ_OUT_EXTINT) && !(ev & VIRQ_OUT_EXTINT) &&
	    !(en ? !(lvt0 & LAPIC_MASKED) && ((lvt0 >> 8) & 7) == 7 :
		   base & LAPIC_BASE_BSP))
		fail("ExtINT output while LINT0 does not pass INTR", i, lvt0);
}

static bool rte_level(u64 rte)
{
	return (rte & RTE_LEVEL) &&
	       ((rte & RTE_REMAP) || RTE_DM(rte) <= 1);
}

static u64 io_rte(const struct virq_x86_ioapic_state *s, u32 pin)
{
	return pin < 24 ? s->kvm.redirtbl[pin] : s->redirtbl_ext[pin - 24];
}

static bool io_irr(const struct virq_x86_ioapic_state *s, u32 pin)
{
	if (pin < 24)
		return s->kvm.irr & BIT(pin);
	return s->irr_ext[(pin - 24) / 64] & BIT_ULL((pin - 24) % 64);
}

static bool io_level(const struct virq_x86_ioapic_state *s, u32 pin)
{
	return pin < 256 && (s->level[pin / 64] & BIT_ULL(pin % 64));
}

static void check_ioapic(u32 n, const struct virq_x86_ioapic_state *s)
{
	u32 pin, sel_mask = f.pins[n] > 120 ? 0x1ff : 0xff;
	u64 rte;

	if (s->version != VIRQ_X86_STATE_VERSION || s->nr_pins != f.pins[n] ||
	    s->kvm.base_address != f.base[n] || s->kvm.pad ||
	    s->kvm.id > 15 || (s->kvm.ioregsel & ~sel_mask) ||
	    (s->kvm.irr & ~GENMASK(23, 0)))
		fail("IOAPIC state header", n, s->kvm.ioregsel);
	for (pin = 0; pin < 24 + 256; pin++) {
		rte = pin < VIRQ_X86_IOAPIC_MAX_PINS ? io_rte(s, pin) : 0;
		if (pin >= f.pins[n]) {
			if (rte || io_irr(s, pin) || io_level(s, pin))
				fail("IOAPIC state beyond its pins", n, pin);
			continue;
		}
		if (rte & (RTE_RESERVED | RTE_DELIVS))
			fail("RTE reserved or delivery status bits", pin, rte);
		if ((rte & RTE_REMOTE_IRR) && !rte_level(rte))
			fail("remote IRR in an edge RTE", pin, rte);
		if (io_irr(s, pin) != (io_level(s, pin) && rte_level(rte)))
			fail("IOAPIC irr is not level & line", pin, rte);
		if (!f.drivers_lost &&
		    io_level(s, pin) !=
		    !!f.drivers[VIRQ_X86_IRQCHIP_IOAPIC(n)][pin])
			fail("IOAPIC line differs from its drivers", n, pin);
	}
}

static bool pic_valid(const struct virq_x86_kvm_pic *k, u8 elcr_mask)
{
	return k->priority_add <= 7 && !(k->irq_base & 7) &&
	       k->read_reg_select <= 1 && k->poll <= 1 &&
	       k->special_mask <= 1 && k->auto_eoi <= 1 &&
	       k->rotate_on_auto_eoi <= 1 &&
	       k->special_fully_nested_mode <= 1 && k->init4 <= 1 &&
	       k->init_state <= 3 && (k->init_state != 3 || k->init4) &&
	       k->elcr_mask == elcr_mask && !(k->elcr & ~elcr_mask);
}

static void check_pic(const struct virq_x86_pic_state *s)
{
	if (s->version != VIRQ_X86_STATE_VERSION || s->padding ||
	    !pic_valid(&s->pics[0], 0xf8) || !pic_valid(&s->pics[1], 0xde))
		fail("PIC state invalid", s->pics[0].init_state,
		     s->pics[1].init_state);
}

static void check_fault(void)
{
	struct virq_x86_ir_fault r;
	u32 size = sizeof(r);
	int ret;

	harness_alloc_pause();
	ret = harness_get_attr(f.inst, VIRQ_X86_GRP_IR_FAULT, 0, &r, &size);
	harness_alloc_resume();
	if (!f.nr_irtes) {
		if (ret != -ENXIO)
			fail("fault record without remapping", ret, 0);
		return;
	}
	/* IOAPIC translations fault too: the count only grows */
	if (ret || r.reason > VIRQ_X86_IR_FAULT_SID ||
	    r.padding[0] || r.padding[1] || r.padding[2] ||
	    r.count < f.fault_count || (r.count && !r.reason))
		fail("fault record", r.count, f.fault_count);
	f.fault_count = r.count;
}

/* After every operation: the whole chip */
static void check_all(void)
{
	struct virq_x86_ioapic_state io;
	struct virq_x86_lapic_state ls;
	struct virq_x86_pic_state ps;
	struct virq_vcpu *v;
	u32 i, out, sipi;

	if (harness_locks_held())
		fail("lock held after an operation", harness_locks_held(), 0);
	sh_eois();
	for (i = 0; i < f.nr_ioapics; i++) {
		get_ioapic(i, &io);
		check_ioapic(i, &io);
	}
	if (f.pic) {
		get_pic(&ps);
		check_pic(&ps);
	}
	for (i = 0; i < f.nr_vcpus; i++) {
		v = vcpu_at(i);
		if (!v)
			continue;
		get_lapic(v, &ls);
		check_lapic(v, &ls);
		out = output_of(v, &sipi);
		/* "Models call it after every change that can assert" */
		if ((out & ~f.out[i]) &&
		    harness_vcpu(v)->kicks == f.kicks[i])
			fail("an output rose without a kick", i, out);
		f.out[i] = out;
		f.kicks[i] = harness_vcpu(v)->kicks;
	}
	check_fault();
}

/* --- operations ----------------------------------------------------------- */

/**
 * struct msg - an APIC-bus message, for the delivery oracle
 * @dest: destination (8 bits unless @x2)
 * @vec: vector
 * @dm: X86_DM_*
 * @logical: logical destination mode
 * @x2: 32-bit destination
 * @lowest: one target, of the lowest PPR
 * @sh: X86_SH_* (IPIs)
 * @src: the sending vCPU (IPIs), else -1
 */
struct msg {
	u32 dest;
	u8 vec;
	u8 dm;
	bool logical;
	bool x2;
	bool lowest;
	u8 sh;
	int src;
};

#define NO_STATUS	(-1000)	/* check_delivery(): an IPI has none */

/*
 * Does @m name the LAPIC saved in @s?  The rules lapic.c documents from
 * the SDM (11.6.2): xAPIC decodes 8 bits (physical, flat, cluster),
 * x2APIC 32 (physical, cluster and mask), with the broadcasts.
 */
static bool msg_matches(const struct virq_x86_lapic_state *s, u32 i,
			const struct msg *m)
{
	u32 id = st_reg(s, LAPIC_ID), ldr = st_reg(s, LAPIC_LDR) >> 24;
	u32 model = st_reg(s, LAPIC_DFR) >> 28;
	u8 d = m->dest;

	if (!(s->apic_base & LAPIC_BASE_EN))
		return false;
	if (m->sh == X86_SH_SELF)
		return (int)i == m->src;
	if (m->sh == X86_SH_ALL)
		return true;
	if (m->sh == X86_SH_OTHERS)
		return (int)i != m->src;
	if (!(s->apic_base & LAPIC_BASE_EXTD)) {
		if (!m->logical)
			return d == 0xff || d == id >> 24;
		if (model == 0xf)
			return ldr & d;
		if (model == 0)
			return ((d >> 4) == 0xf || (d >> 4) == (ldr >> 4)) &&
			       (d & ldr & 0xf);
		return false;
	}
	if (m->dest == (m->x2 ? 0xffffffff : 0xff))
		return true;
	if (!m->logical)
		return m->dest == id;
	return (m->dest >> 16) == (id >> 4) && (m->dest & BIT(id & 0xf));
}

/*
 * After a fixed, lowest-priority or NMI message @m that reported
 * @status: the LAPICs it names took it, no other changed, and the
 * status counts the new requests.  @p: the states before, @q: after.
 */
static void check_delivery(const struct msg *m, int status,
			   struct virq_x86_lapic_state *const *p,
			   struct virq_x86_lapic_state *const *q)
{
	u32 i, n = 0, changed = 0, min_ppr = 0x100, got = ~0U;
	bool take, was, now;

	for (i = 0; i < f.nr_vcpus; i++) {
		if (!p[i])
			continue;
		take = msg_matches(p[i], i, m);
		if (m->dm == X86_DM_NMI) {
			was = p[i]->events & VIRQ_OUT_NMI;
			now = q[i]->events & VIRQ_OUT_NMI;
		} else {
			take = take && (st_reg(p[i], LAPIC_SVR) &
					LAPIC_SVR_ENABLE);
			was = st_vec(p[i], LAPIC_IRR, m->vec);
			now = st_vec(q[i], LAPIC_IRR, m->vec);
		}
		if (was != now) {
			changed++;
			got = i;
		}
		if (!take) {
			if (was != now)
				fail("an unnamed LAPIC took the message", i,
				     m->dest);
			continue;
		}
		if (m->lowest) {
			min_ppr = min(min_ppr, st_reg(p[i], LAPIC_PPR) & 0xff);
			continue;
		}
		if (!now)
			fail("a LAPIC the message names did not take it", i,
			     m->dest);
		n += !was;
	}
	if (m->lowest) {
		if (changed > 1)
			fail("lowest priority reached several LAPICs", changed,
			     m->dest);
		if (changed &&
		    (st_reg(p[got], LAPIC_PPR) & 0xff) != min_ppr)
			fail("lowest priority chose a higher PPR", got,
			     min_ppr);
		n = changed;
	}
	if (status != NO_STATUS && status != (int)n)
		fail("message status is not the new requests", status, n);
}

static void get_all_lapics(struct virq_x86_lapic_state **s)
{
	u32 i;

	for (i = 0; i < f.nr_vcpus; i++) {
		s[i] = NULL;
		if (!vcpu_at(i))
			continue;
		s[i] = malloc(sizeof(*s[i]));
		get_lapic(vcpu_at(i), s[i]);
	}
}

static void free_all_lapics(struct virq_x86_lapic_state **s)
{
	u32 i;

	for (i = 0; i < f.nr_vcpus; i++)
		free(s[i]);
}

/* The message a compatibility-format MSI carries, if the oracle knows it */
static bool msi_msg(u32 lo, u32 hi, u32 data, struct msg *m)
{
	u32 dest = ((lo >> 12) & 0xff) | ((lo >> 5) & 0x7f) << 8 | hi;

	memset(m, 0, sizeof(*m));
	m->src = -1;
	m->dest = dest;
	m->vec = data;
	m->dm = (data >> 8) & 7;
	m->logical = lo & BIT(2);
	m->x2 = dest > 0xff;
	m->lowest = m->dm == X86_DM_LOWEST || (m->logical && (lo & BIT(3)));
	/* a level de-assert is ignored; vectors 0-15 raise errors */
	if ((data & BIT(15)) && !(data & BIT(14)))
		return false;
	if (m->dm == X86_DM_NMI)
		return !m->lowest;
	return (m->dm == X86_DM_FIXED || m->dm == X86_DM_LOWEST) &&
	       m->vec >= 16;
}

/*
 * What injecting @op on @gsi routed to one IOAPIC pin must report, from
 * the entry and the line before: NO_STATUS when a message goes out (in
 * *@m when the oracle knows it: *@oracle), else the status.
 */
static int ioapic_expect(u32 gsi, u32 op, struct msg *m, bool *oracle)
{
	struct virq_x86_ioapic_state *io;
	const struct virq_route *e;
	u32 first, pin, chip;
	int ret = NO_STATUS;
	bool level, was;
	u64 rte;

	*oracle = false;
	if (sh_find(gsi, &first) != 1 || op == VIRQ_LINE_RESET ||
	    f.drivers_lost)
		return NO_STATUS;
	e = &f.routes[first];
	chip = e->u.irqchip.irqchip;
	pin = e->u.irqchip.pin;
	if (e->type != VIRQ_ROUTE_IRQCHIP || chip < VIRQ_X86_IRQCHIP_IOAPIC(0))
		return NO_STATUS;
	io = malloc(sizeof(*io));
	get_ioapic(chip - VIRQ_X86_IRQCHIP_IOAPIC(0), io);
	rte = io_rte(io, pin);
	free(io);
	level = rte_level(rte);
	was = f.drivers[chip][pin];
	if (!level && was)		/* no rising edge */
		return VIRQ_STATUS_COALESCED;
	if (rte & RTE_MASKED)
		return VIRQ_STATUS_MASKED;
	if (level && (rte & RTE_REMOTE_IRR))
		return VIRQ_STATUS_COALESCED;
	if (rte & RTE_REMAP)		/* sends nothing without a table */
		return f.nr_irtes ? NO_STATUS : VIRQ_STATUS_COALESCED;
	if (RTE_DM(rte) == 3 || RTE_DM(rte) == 6)
		return VIRQ_STATUS_COALESCED;
	*m = (struct msg){
		.dest = rte >> 56, .vec = rte, .dm = RTE_DM(rte),
		.logical = rte & RTE_LOGICAL,
		.lowest = RTE_DM(rte) == X86_DM_LOWEST, .src = -1,
	};
	*oracle = m->dm == X86_DM_NMI || (m->dm <= 1 && m->vec >= 16);
	return ret;
}

static void op_irq(struct fuzz_input *in)
{
	u32 b = fuzz_take(in, 1), gsi = pick_gsi(in), op = b % 3;
	struct virq_x86_lapic_state *p[MAX_VCPUS], *q[MAX_VCPUS];
	u32 drv = (b >> 2) & 1, first, n, i;
	int ret, status = 0x5555, want = 0, expect;
	bool oracle;
	struct msg m;

	if (gsi >= f.nr_sources) {
		ret = harness_set_irq(f.inst, gsi, op, drv, b & 8, &status);
		if (ret != -EINVAL)
			fail("GSI out of range accepted", gsi, ret);
		return;
	}
	n = sh_find(gsi, &first);
	for (i = first; i < first + n && op != VIRQ_LINE_RESET; i++)
		if (f.routes[i].type == VIRQ_ROUTE_MSI)
			want = msi_expect(f.routes[i].u.msi.address_lo,
					  f.routes[i].u.msi.address_hi,
					  f.routes[i].u.msi.data);
	expect = ioapic_expect(gsi, op, &m, &oracle);
	if (oracle)
		get_all_lapics(p);
	ret = harness_set_irq(f.inst, gsi, op, drv, b & 8, &status);
	TR("set_irq gsi %u op %u driver %u%s: %d status %d", gsi, op, drv,
	   b & 8 ? " atomic" : "", ret, status);
	if (oracle) {
		get_all_lapics(q);
		check_delivery(&m, status, p, q);
		free_all_lapics(p);
		free_all_lapics(q);
	}
	if (expect != NO_STATUS && status != expect)
		fail("IOAPIC pin status", gsi, status);
	if (ret != want)
		fail("set_irq errno", gsi, ret);
	if (ret)
		return;
	if (status < VIRQ_STATUS_MASKED ||
	    status > (int)(f.nr_vcpus * X86_GSI_MAX_PINS))
		fail("set_irq status", gsi, status);
	if (!n && status != VIRQ_STATUS_MASKED)
		fail("a GSI without routes did not report MASKED", gsi,
		     status);
	if (op == VIRQ_LINE_RESET && n && status)
		fail("a RESET did not report COALESCED", gsi, status);
	sh_drive(gsi, op, drv);
	check_words(gsi, 1);
}

static void op_msi(struct fuzz_input *in)
{
	struct x86_ir *ir = x86_chip(f.inst)->ir;
	struct virq_x86_lapic_state *p[MAX_VCPUS], *q[MAX_VCPUS];
	struct virq_msi_msg msg = {};
	struct virq_x86_irte e = {};
	struct msg m;
	bool oracle;
	u32 lo, hi, data, index = 0;
	bool remap, fault = false;
	int ret, want, status = 0x5555;
	unsigned long signals = 0;
	u64 count = 0;

	pick_msi(in, &lo, &hi, &data);
	msg.address = (u64)hi << 32 | lo;
	msg.data = data;
	msg.has_devid = fuzz_take(in, 1) & 1;
	if (msg.has_devid)
		msg.devid = fuzz_take(in, 1) < 200 ? fuzz_take(in, 2) :
			    fuzz_take(in, 4);
	want = msi_expect(lo, hi, data);
	remap = !want && (lo & BIT(4));
	if (remap && ir) {
		index = msi_index(lo, data);
		if (index < f.nr_irtes)
			e = ir->irte[index];
		fault = index >= f.nr_irtes ||
			!(e.lo & VIRQ_X86_IRTE_PRESENT) ||
			!irte_sid_ok(&e, msg.has_devid, msg.devid);
		signals = harness_notifier_count(ir->notifier);
		count = ir->fault.count;
	}
	oracle = !want && !remap && msi_msg(lo, hi, data, &m);
	if (oracle)
		get_all_lapics(p);
	ret = ops->signal_msi(f.inst, &msg, &status);
	TR("msi %#x:%08x data %#x devid %s%#x: %d status %d", hi, lo, data,
	   msg.has_devid ? "" : "none ", msg.devid, ret, status);
	if (oracle) {
		get_all_lapics(q);
		if (!ret)
			check_delivery(&m, status, p, q);
		free_all_lapics(p);
		free_all_lapics(q);
	}
	if (ret != want)
		fail("MSI errno", lo, ret);
	if (ret)
		return;
	if (status < VIRQ_STATUS_MASKED || status > (int)f.nr_vcpus)
		fail("MSI status", lo, status);
	if (!remap && status < 0)
		fail("compatibility MSI reported MASKED", lo, status);
	if (remap && (!ir || fault) && status != VIRQ_STATUS_MASKED)
		fail("remapping fault delivered", index, status);
	if (remap && ir && !fault && status < 0)
		fail("remapped MSI dropped", index, e.lo);
	if (remap && ir && ir->fault.count !=
	    count + (fault && !(e.lo & VIRQ_X86_IRTE_FPD)))
		fail("fault count", ir->fault.count, count);
	if (fault && !(e.lo & VIRQ_X86_IRTE_FPD)) {
		struct virq_x86_ir_fault r = ir->fault;

		if (r.index != index ||
		    r.source_id != (msg.has_devid ? (u16)msg.devid : 0) ||
		    r.reason != (index >= f.nr_irtes ?
				 VIRQ_X86_IR_FAULT_INDEX :
				 !(e.lo & VIRQ_X86_IRTE_PRESENT) ?
				 VIRQ_X86_IR_FAULT_NOT_PRESENT :
				 VIRQ_X86_IR_FAULT_SID))
			fail("fault record of the last fault", index,
			     r.reason);
		if (ir->notifier &&
		    harness_notifier_count(ir->notifier) != signals + 1)
			fail("fault eventfd not signalled", index, signals);
	}
}

static void op_mmio_lapic(struct fuzz_input *in)
{
	struct virq_vcpu *v = pick_vcpu(in);
	u32 b = fuzz_take(in, 1), len = pick_len(in);
	u64 addr, data = fuzz_take(in, 4);

	if (!v)
		return;
	addr = b < 240 ? (b % 64) * 16 : fuzz_take(in, 2) % 0x1008;
	if (b & 0x40)
		addr += fuzz_take(in, 1) % 16;
	if (fuzz_take(in, 1) < 230)
		addr += apic_base_of(v) & LAPIC_BASE_ADDR;
	else
		addr += VIRQ_X86_LAPIC_DEFAULT_BASE;
	do_access(v, VIRQ_SPACE_MMIO, addr, len, b & 0x80, &data);
}

static void op_mmio_ioapic(struct fuzz_input *in)
{
	static const u16 offs[8] = { 0, 0, 0x10, 0x10, 0x40, 0x20, 0xf0,
				     0x100 };
	struct virq_vcpu *v = pick_vcpu(in);
	u32 b = fuzz_take(in, 1), n = fuzz_take(in, 1) % f.nr_ioapics;
	u32 len = pick_len(in);
	u64 addr = f.base[n] + offs[b % 8], data = fuzz_take(in, 4);

	if (!v)
		return;
	if (b & 8)
		addr += fuzz_take(in, 1) % 16;
	if ((b & 0x30) == 0x30)
		addr = f.base[n] + fuzz_take(in, 2) % 0x1000;
	do_access(v, VIRQ_SPACE_MMIO, addr, len, b & 0x80, &data);
}

/* A redirection entry, written as an OS does: IOREGSEL then IOWIN */
static void op_rte(struct fuzz_input *in)
{
	struct virq_vcpu *v = any_vcpu();
	u32 b = fuzz_take(in, 1), n = fuzz_take(in, 1) % f.nr_ioapics;
	u32 pin = fuzz_take(in, 1), idx;
	u64 rte, base = f.base[n], sel;

	pin = pin < 240 ? pin % f.pins[n] : pin;
	rte = pick_vector(in);
	rte |= (u64)pick_dm(in) << 8;
	rte |= (u64)(fuzz_take(in, 1) & 0xa8) << 8;	/* 11, 13, 15 */
	rte |= (u64)pick_dest(in) << 56;
	if (b & 1)
		rte |= RTE_MASKED;
	if (b & 2) {
		idx = fuzz_take(in, 1) % (f.nr_irtes + 2);
		rte = (rte & (RTE_MASKED | RTE_LEVEL | 0xff)) | RTE_REMAP |
		      (u64)(idx & 0x7fff) << 49 | (u64)(idx >> 15) << 11;
	}
	if ((b & 0x1c) == 0x1c)
		rte ^= 1ULL << (fuzz_take(in, 1) % 64);
	if (!v)
		return;
	TR("rte ioapic %u pin %u <- %#llx", n, pin, (unsigned long long)rte);
	sel = 0x10 + 2 * pin + !(b & 0x20);
	do_access(v, VIRQ_SPACE_MMIO, base, 4, true, &sel);
	sel = b & 0x20 ? rte : rte >> 32;
	do_access(v, VIRQ_SPACE_MMIO, base + 0x10, 4, true, &sel);
	sel = 0x10 + 2 * pin + !!(b & 0x20);
	do_access(v, VIRQ_SPACE_MMIO, base, 4, true, &sel);
	sel = b & 0x20 ? rte >> 32 : rte;
	do_access(v, VIRQ_SPACE_MMIO, base + 0x10, 4, true, &sel);
	if (b & 0x40) {
		do_access(v, VIRQ_SPACE_MMIO, base + 0x10, 4, false, &sel);
		TR("  read back %#llx", (unsigned long long)sel);
	}
}

static void op_ioapic_eoi(struct fuzz_input *in)
{
	struct virq_vcpu *v = any_vcpu();
	u32 n = fuzz_take(in, 1) % f.nr_ioapics;
	u64 vec = pick_vector(in);

	if (v)
		do_access(v, VIRQ_SPACE_MMIO, f.base[n] + 0x40, 4, true, &vec);
}

static void op_msr(struct fuzz_input *in)
{
	struct virq_vcpu *v = pick_vcpu(in);
	u32 b = fuzz_take(in, 1), msr;
	u64 data = take64(in);

	if (!v)
		return;
	if (b < 150)
		msr = LAPIC_X2((b % 64) << 4);
	else if (b < 180)
		msr = VIRQ_X86_MSR_APIC_BASE;
	else if (b < 200)
		msr = VIRQ_X86_MSR_TSC_DEADLINE;
	else
		msr = b < 230 ? 0x7f0 + b % 0x120 : fuzz_take(in, 4);
	if (b & 1)
		data &= 0xffffffff;
	do_access(v, VIRQ_SPACE_MSR, msr, b & 2 ? 4 : 8, fuzz_take(in, 1) & 1,
		  &data);
}

/* IA32_APIC_BASE: the SDM's mode transitions, legal and not */
static void op_apic_base(struct fuzz_input *in)
{
	struct virq_vcpu *v = pick_vcpu(in);
	u32 b = fuzz_take(in, 1);
	u64 cur, val, got;
	int ret;

	if (!v)
		return;
	cur = apic_base_of(v);
	switch (b % 8) {
	case 0:
		val = cur ^ LAPIC_BASE_EN;
		break;
	case 1:
	case 2:
		val = cur | LAPIC_BASE_EN | LAPIC_BASE_EXTD;
		break;
	case 3:
		val = cur & ~LAPIC_BASE_EXTD;
		break;
	case 4:
		val = cur & LAPIC_BASE_BSP;
		break;
	case 5:
		val = (cur & ~LAPIC_BASE_ADDR) |
		      (b & 0x80 ? VIRQ_X86_LAPIC_DEFAULT_BASE :
		       (u64)fuzz_take(in, 4) << 12);
		break;
	case 6:
		val = cur ^ LAPIC_BASE_BSP;
		break;
	default:
		val = take64(in);
		break;
	}
	ret = do_access(v, VIRQ_SPACE_MSR, VIRQ_X86_MSR_APIC_BASE, 8, true,
			&val);
	got = apic_base_of(v);
	if (got != (ret ? cur : val))
		fail("IA32_APIC_BASE reads back wrong", got, ret);
}

/* A register written the way the guest's mode makes it */
static void op_lapic_reg(struct fuzz_input *in)
{
	struct virq_vcpu *v = pick_vcpu(in);
	u32 off = (fuzz_take(in, 1) % 64) * 16;
	u64 val = fuzz_take(in, 4);

	if (v)
		lapic_wr(v, off, val);
}

/* SVR (enable), TPR, LVT0: one vCPU, or every one when @all */
static void svr_one(struct fuzz_input *in, struct virq_vcpu *v, u32 b)
{
	u64 val = 0x1ff;

	if (b & 1)
		val = 0x100 | pick_vector(in);
	if (b & 2)
		val |= LAPIC_SVR_NO_FOCUS;
	if (b & 4)
		val |= LAPIC_SVR_SUPPRESS_EOI;
	if ((b & 0x18) == 0x18)
		val &= ~(u64)LAPIC_SVR_ENABLE;
	lapic_wr(v, LAPIC_SVR, val);
	if (b & 0x20)	/* and TPR */
		lapic_wr(v, LAPIC_TPR, fuzz_take(in, 1));
	if (b & 0x40)	/* LINT0 as ExtINT, as a BIOS does */
		lapic_wr(v, LAPIC_LVT0, b & 0x80 ? 0x700 : 0x10700);
}

static void op_svr(struct fuzz_input *in)
{
	u32 c = fuzz_take(in, 1), b = fuzz_take(in, 1), i;

	for (i = 0; i < f.nr_vcpus; i++)
		if (vcpu_at(i) && (c >= 128 || i == c % f.nr_vcpus))
			svr_one(in, vcpu_at(i), b);
}

/* An IPI */
static void op_icr(struct fuzz_input *in)
{
	struct virq_x86_lapic_state *p[MAX_VCPUS], *q[MAX_VCPUS];
	struct virq_vcpu *v = pick_vcpu(in);
	u32 b = fuzz_take(in, 1), dest = pick_dest(in), lo;
	bool x2, oracle;
	struct msg m;
	u64 val;
	int ret;

	lo = pick_vector(in);
	lo |= pick_dm(in) << 8 | (b & 3) << 18 | (b & 4) << 9 |
	      (b & 8) << 11 | (b & 0x10) << 11;
	if (!v)
		return;
	x2 = apic_base_of(v) & LAPIC_BASE_EXTD;
	if (x2) {
		val = (u64)dest << 32 | lo;
		if (b & 0x20)
			val ^= 1ULL << (fuzz_take(in, 1) % 32);
		dest = val >> 32;
		lo = val;
	} else if (lapic_wr(v, LAPIC_ICR2, (u64)dest << 24)) {
		return;
	}
	m = (struct msg){
		.dest = x2 ? dest : dest & 0xff, .vec = lo,
		.dm = (lo >> 8) & 7, .logical = lo & BIT(11), .x2 = x2,
		.sh = (lo >> 18) & 3, .src = v->index,
	};
	m.lowest = m.dm == X86_DM_LOWEST && m.sh != X86_SH_SELF;
	oracle = m.dm == X86_DM_NMI ||
		 (m.dm <= X86_DM_LOWEST && m.vec >= 16);
	if (oracle)
		get_all_lapics(p);
	if (x2)
		ret = do_access(v, VIRQ_SPACE_MSR, LAPIC_X2(LAPIC_ICR), 8,
				true, &val);
	else
		ret = lapic_wr(v, LAPIC_ICR, lo);
	if (!oracle)
		return;
	get_all_lapics(q);
	if (!ret)
		check_delivery(&m, NO_STATUS, p, q);
	free_all_lapics(p);
	free_all_lapics(q);
}

static void op_eoi(struct fuzz_input *in)
{
	struct virq_vcpu *v = pick_vcpu(in);
	u32 b = fuzz_take(in, 1);

	if (v)
		lapic_wr(v, LAPIC_EOI, b < 240 ? 0 : b);
}

/* Program the timer: LVTT, TDCR, then TMICT or IA32_TSC_DEADLINE */
static void op_timer(struct fuzz_input *in)
{
	static const u32 tmicts[8] = { 1, 10, 100, 1000, 50000, 1000000,
				       0xffffffff, 0 };
	struct virq_vcpu *v = pick_vcpu(in);
	u32 b = fuzz_take(in, 1), mode = b & 3;
	u64 lvtt = pick_vector(in) | mode << 17 | (b & 4) << 14;
	u64 tdcr = fuzz_take(in, 1) & 0xb, val, want, got;
	struct virq_x86_lapic_state ls;
	struct virq_x86_tsc t;

	val = tmicts[(b >> 3) % 8];
	if (b & 0x40)
		val = fuzz_take(in, 4);
	if (!v)
		return;
	lapic_wr(v, LAPIC_LVTT, lvtt);
	lapic_wr(v, LAPIC_TDCR, tdcr);
	if (mode != 2) {
		lapic_wr(v, LAPIC_TMICT, val);
		return;
	}
	get_tsc(v, &t);
	val = guest_tsc(&t, t.tsc_khz, ktime_get()) + val;
	if (b & 0x80)
		val = take64(in);
	do_access(v, VIRQ_SPACE_MSR, VIRQ_X86_MSR_TSC_DEADLINE, 8, true,
		  &val);
	/* Reads what was written until it fires (no time passed) */
	get_lapic(v, &ls);
	want = (ls.apic_base & LAPIC_BASE_EN) &&
	       ((st_reg(&ls, LAPIC_LVTT) >> 17) & 3) == 2 ? val : 0;
	got = 0x5555;
	if (do_access(v, VIRQ_SPACE_MSR, VIRQ_X86_MSR_TSC_DEADLINE, 8, false,
		      &got) || got != want || ls.tsc_deadline != want)
		fail("IA32_TSC_DEADLINE does not read back", got, want);
}

static void op_pio(struct fuzz_input *in)
{
	static const u16 ports[8] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1,
				      0x22, 0x4d2 };
	struct virq_vcpu *v = pick_vcpu(in);
	u32 b = fuzz_take(in, 1), len;
	u64 port = ports[b % 8], data = fuzz_take(in, 2);

	if (!v)
		return;
	if ((b & 0x18) == 0x18)
		port = fuzz_take(in, 4);
	len = b & 0x20 ? pick_len(in) : 1 + (b & 1);
	do_access(v, VIRQ_SPACE_PIO, port, len, b & 0x80, &data);
}

/* ICW1-4 and OCW1 to one 8259, as a BIOS or an OS does */
static void op_pic_init(struct fuzz_input *in)
{
	struct virq_vcpu *v = any_vcpu();
	u32 b = fuzz_take(in, 1);
	u16 port = b & 1 ? 0xa0 : 0x20;
	u64 icw1 = 0x10 | (b & 2 ? 0 : 1) | (b & 4 ? 2 : 0);
	u64 icw2 = b & 1 ? 0x70 : 0x08, icw3 = b & 1 ? 2 : 4;
	u64 icw4 = 1 | (b & 8 ? 2 : 0) | (b & 0x10 ? 0x10 : 0);
	u64 imr = fuzz_take(in, 1);

	if (b & 0x20)
		icw2 = fuzz_take(in, 1);
	if (!v)
		return;
	TR("pic %s init icw1 %#llx", port == 0xa0 ? "slave" : "master",
	   (unsigned long long)icw1);
	pio(v, port, 1, true, &icw1);
	pio(v, port + 1, 1, true, &icw2);
	if (!(icw1 & 2))
		pio(v, port + 1, 1, true, &icw3);
	if (icw1 & 1)
		pio(v, port + 1, 1, true, &icw4);
	pio(v, port + 1, 1, true, &imr);
	if (b & 0x40) {		/* level pins */
		imr = fuzz_take(in, 1);
		pio(v, 0x4d0 + (b & 1), 1, true, &imr);
	}
}

/* OCW2 and OCW3: EOIs, rotation, register select, poll, special mask */
static void op_pic_cmd(struct fuzz_input *in)
{
	static const u8 cmds[12] = { 0x20, 0x20, 0x60, 0xa0, 0xe0, 0xc0,
				     0x80, 0x00, 0x0a, 0x0b, 0x0c, 0x68 };
	struct virq_vcpu *v = any_vcpu();
	u32 b = fuzz_take(in, 1);
	u16 port = b & 1 ? 0xa0 : 0x20;
	u64 val = cmds[(b >> 1) % 12];

	if (val >= 0x60 && val < 0xf0 && !(val & 8))
		val |= fuzz_take(in, 1) & 7;
	if ((val & 0x48) == 0x48 && (b & 0x80))
		val = 0x48;	/* special mask mode off */
	if (!v)
		return;
	pio(v, port, 1, true, &val);
	if (b & 0x40)
		pio(v, port, 1, false, &val);
}

static void op_ack(struct fuzz_input *in)
{
	static const u32 events[8] = { 0, 0, 0, VIRQ_OUT_EXTINT, VIRQ_OUT_NMI,
				       VIRQ_OUT_INIT, VIRQ_OUT_SIPI,
				       VIRQ_OUT_SMI };
	struct virq_x86_lapic_state *p, *q;
	struct virq_x86_pic_state ps;
	struct virq_vcpu *v = pick_vcpu(in);
	u32 event = events[fuzz_take(in, 1) % 8], out, sipi, off;
	u64 id = 0x5555;
	int ret, vec;

	if (!v)
		return;
	p = malloc(sizeof(*p));
	q = malloc(sizeof(*q));
	get_lapic(v, p);
	if (f.pic)
		get_pic(&ps);
	out = output_of(v, &sipi);
	ret = ops->vcpu_ack(v, event, &id);
	TR("cpu %u ack %#x (output %#x): %d id %#llx", v->index, event, out,
	   ret, (unsigned long long)id);
	get_lapic(v, q);
	if (ret != 0 && ret != -EAGAIN)
		fail("ack errno", event, ret);
	if ((ret == -EAGAIN) != (event && !(out & event)))
		fail("ack -EAGAIN is not 'not asserted'", event, out);
	if (ret)
		goto out;
	switch (event) {
	case 0:
		if (!(out & VIRQ_OUT_INT)) {
			if (id != (st_reg(p, LAPIC_SVR) & 0xff))
				fail("INTA without INT: not spurious", id,
				     st_reg(p, LAPIC_SVR));
			if (memcmp(p, q, sizeof(*p)))
				fail("INTA without INT changed the LAPIC", id,
				     0);
			break;
		}
		vec = st_highest(p, LAPIC_IRR);
		if (id != (u64)vec || id < 16 || id > 255)
			fail("INTA vector is not the highest request", id,
			     vec);
		if (!st_vec(q, LAPIC_ISR, vec) || st_vec(q, LAPIC_IRR, vec))
			fail("INTA did not move the vector to ISR", vec, 0);
		break;
	case VIRQ_OUT_EXTINT:
		if (!f.pic || ((id & ~7ULL) != ps.pics[0].irq_base &&
			       (id & ~7ULL) != ps.pics[1].irq_base))
			fail("ExtINT vector is not the PIC's", id,
			     ps.pics[0].irq_base);
		if (q->events & VIRQ_OUT_EXTINT)
			fail("ExtINT still latched after its INTA", id, 0);
		break;
	case VIRQ_OUT_SIPI:
		if (id != sipi || (q->events & VIRQ_OUT_SIPI) ||
		    (q->events & VIRQ_X86_LAPIC_EV_WAIT_SIPI))
			fail("SIPI ack", id, sipi);
		break;
	case VIRQ_OUT_INIT:
		if (id || (q->events & VIRQ_OUT_INIT) ||
		    !(q->events & VIRQ_X86_LAPIC_EV_WAIT_SIPI) !=
		    !!(p->apic_base & LAPIC_BASE_BSP) ||
		    st_reg(q, LAPIC_ID) != st_reg(p, LAPIC_ID) ||
		    st_reg(q, LAPIC_TPR) || st_reg(q, LAPIC_SVR) != 0xff ||
		    st_reg(q, LAPIC_TMICT) || q->apic_base != p->apic_base)
			fail("INIT did not leave the INIT state", id,
			     q->events);
		for (off = 0x100; off < 0x280; off += 0x10)
			if (st_reg(q, off))
				fail("vector left in ISR/TMR/IRR by INIT", off,
				     st_reg(q, off));
		break;
	default:
		if (id || (q->events & event))
			fail("event still latched after its ack", event, id);
		break;
	}
out:
	free(p);
	free(q);
}

/* A routing entry: mostly valid irqchip and MSI ones */
static void pick_route(struct fuzz_input *in, struct virq_route *e)
{
	u32 b = fuzz_take(in, 1), c, lo, hi, data;

	memset(e, 0, sizeof(*e));
	e->gsi = pick_gsi(in);
	if (b < 150) {
		e->type = VIRQ_ROUTE_IRQCHIP;
		c = fuzz_take(in, 1);
		e->u.irqchip.irqchip = c < 200 ? c % (2 + f.nr_ioapics) :
				       c % NR_IRQCHIPS + (c & 1);
		c = fuzz_take(in, 1);
		if (e->u.irqchip.irqchip < 2)
			e->u.irqchip.pin = c % 9;
		else
			e->u.irqchip.pin = c < 240 ?
				c % (f.pins[(e->u.irqchip.irqchip - 2) %
					    VIRQ_X86_MAX_IOAPICS] + 1) : c;
	} else if (b < 230) {
		e->type = VIRQ_ROUTE_MSI;
		pick_msi(in, &lo, &hi, &data);
		e->u.msi.address_lo = lo;
		e->u.msi.address_hi = hi;
		e->u.msi.data = data;
		if (b & 1) {
			e->flags = VIRQ_ROUTE_FLAG_DEVID;
			e->u.msi.devid = fuzz_take(in, 2);
		}
	} else {
		e->type = fuzz_take(in, 1) % 4;
		e->flags = b & 2 ? fuzz_take(in, 1) % 4 : 0;
		e->pad = b & 4 ? fuzz_take(in, 1) : 0;
		c = fuzz_take(in, 1) % 8;
		e->u.pad[c] = fuzz_take(in, 4);
	}
}

static void op_route_update(struct fuzz_input *in)
{
	struct virq_route_update u = {};
	u32 b = fuzz_take(in, 1), nr_saved = f.nr_routes;
	int ret, want;

	u.op = b % 5;
	if (!u.op)
		u.op = VIRQ_ROUTE_OP_ADD;
	if (b >= 250)
		u.op = b;	/* unknown */
	pick_route(in, &u.route);
	if (u.op == VIRQ_ROUTE_OP_CLEAR && b < 200)
		memset(&u.route.type, 0, sizeof(u.route) - sizeof(u.route.gsi));
	if (u.op == VIRQ_ROUTE_OP_DELETE && b < 128 && f.nr_routes)
		u.route = f.routes[fuzz_take(in, 2) % f.nr_routes];
	if (virq_check_route_update(f.inst, &u)) {
		TR("route op %u gsi %u: refused by the core", u.op,
		   u.route.gsi);
		return;
	}
	arm(in);
	ret = ops->update_route(f.inst, u.op, &u.route);
	disarm(ret);
	TR("route op %u gsi %u type %u chip %u pin %u: %d", u.op, u.route.gsi,
	   u.route.type, u.route.u.irqchip.irqchip, u.route.u.irqchip.pin,
	   ret);
	if (ret == -ENOMEM) {
		if (f.nr_routes != nr_saved)
			fail("shadow changed", 0, 0);
	} else {
		want = sh_update(u.op, &u.route);
		if (ret != want)
			fail("UPDATE_GSI_ROUTE errno", ret, want);
	}
	check_routing();
	check_words(u.route.gsi, 1);
}

static void op_set_routing(struct fuzz_input *in)
{
	struct virq_route *e, *old;
	u32 b = fuzz_take(in, 1), nr, i, nr_old = f.nr_routes;
	int ret, want;

	if (b < 64) {		/* the current table, maybe with one change */
		nr = f.nr_routes;
		e = calloc(nr + 1, sizeof(*e));
		memcpy(e, f.routes, nr * sizeof(*e));
		if (nr && (b & 1))
			pick_route(in, &e[fuzz_take(in, 2) % nr]);
	} else {
		nr = b % 12;
		e = calloc(nr + 1, sizeof(*e));
		for (i = 0; i < nr; i++)
			pick_route(in, &e[i]);
	}
	for (i = 0; i < nr; i++) {
		if (virq_check_route(f.inst, &e[i])) {
			TR("set routing (%u entries): refused by the core",
			   nr);
			free(e);
			return;
		}
	}
	old = malloc((nr_old + 1) * sizeof(*old));
	memcpy(old, f.routes, nr_old * sizeof(*old));
	arm(in);
	ret = ops->set_routing(f.inst, e, nr);
	disarm(ret);
	TR("set routing (%u entries): %d", nr, ret);
	want = ret == -ENOMEM ? -ENOMEM : sh_set_all(e, nr);
	if (ret != want)
		fail("SET_GSI_ROUTING errno", ret, want);
	if (ret && (f.nr_routes != nr_old ||
		    memcmp(old, f.routes, nr_old * sizeof(*old))))
		fail("shadow changed on error", ret, 0);
	check_routing();
	check_words(0, min_t(u32, f.nr_sources, 64));
	free(old);
	free(e);
}

static void op_get_routing(struct fuzz_input *in)
{
	u32 cap = fuzz_take(in, 2) % (f.nr_routes + 4), nr = cap, i;
	struct virq_route *e = calloc(cap + 1, sizeof(*e));
	int ret;

	ret = ops->get_routing(f.inst, e, &nr);
	TR("get routing cap %u: %d nr %u", cap, ret, nr);
	if (ret != (cap < f.nr_routes ? -ENOSPC : 0) || nr != f.nr_routes)
		fail("GET_GSI_ROUTING", ret, nr);
	for (i = 0; !ret && i < nr; i++)
		if (virq_check_route(f.inst, &e[i]) ||
		    (i && e[i].gsi < e[i - 1].gsi))
			fail("GET_GSI_ROUTING entry", i, e[i].gsi);
	free(e);
}

/* Flip a few bytes of a blob: none, some, or many */
static void mutate(struct fuzz_input *in, void *blob, u32 size, u32 how)
{
	u8 *p = blob;
	u32 n = how < 140 ? 0 : how < 230 ? 1 : 1 + how % 4;

	while (n--) {
		u32 off = fuzz_take(in, 2) % size;

		p[off] ^= fuzz_take(in, 1) ?: 1;
	}
}

/* The blob SET fails and nothing changed, or succeeded */
static int set_blob(struct virq_vcpu *v, u32 group, u64 attr, void *blob,
		    u32 size)
{
	int ret;

	if (v)
		ret = harness_vcpu_set_attr(v, group, attr, blob, size);
	else
		ret = harness_set_attr(f.inst, group, attr, blob, size);
	if (ret && ret != -EINVAL && ret != -ENOMEM)
		fail("state SET errno", group, ret);
	return ret;
}

static void op_ioapic_state(struct fuzz_input *in)
{
	struct virq_x86_ioapic_state *p, *x, *q;
	u32 n = fuzz_take(in, 1) % f.nr_ioapics, how = fuzz_take(in, 1);
	u32 pin, size = sizeof(*p);
	u64 a, b;
	int ret;

	p = malloc(size);
	x = malloc(size);
	q = malloc(size);
	get_ioapic(n, p);
	memcpy(x, p, size);
	if (how >= 140 && how < 160)		/* a random line bitmap */
		x->level[0] = take64(in) & (f.pins[n] < 64 ?
					    BIT_ULL(f.pins[n]) - 1 : ~0ULL);
	else
		mutate(in, x, size, how);
	arm(in);
	ret = set_blob(NULL, VIRQ_X86_GRP_IOAPIC, n, x, size);
	disarm(ret);
	TR("ioapic %u state SET (%s): %d", n, memcmp(p, x, size) ?
	   "mutated" : "as read", ret);
	if (ret && !memcmp(p, x, size) && ret != -ENOMEM)
		fail("IOAPIC state read could not be restored", n, ret);
	get_ioapic(n, q);
	if (ret) {
		if (memcmp(p, q, size))
			fail("failed IOAPIC SET changed the state", n, ret);
		goto out;
	}
	for (pin = 0; !f.drivers_lost && pin < f.pins[n]; pin++) {
		u8 *d = &f.drivers[VIRQ_X86_IRQCHIP_IOAPIC(n)][pin];

		if (!io_level(x, pin))
			*d = 0;
		else if (!*d)
			*d = BIT(VIRQ_DRIVER_USER);
	}
	/* As written, but irr (derived) and a remote IRR set by a resend */
	if (q->kvm.ioregsel != x->kvm.ioregsel || q->kvm.id != x->kvm.id ||
	    memcmp(q->level, x->level, sizeof(x->level)))
		fail("IOAPIC SET did not read back", n, q->kvm.ioregsel);
	for (pin = 0; pin < f.pins[n]; pin++) {
		a = io_rte(x, pin);
		b = io_rte(q, pin);
		if (a == b)
			continue;
		if ((a ^ b) == RTE_REMOTE_IRR && !(a & RTE_REMOTE_IRR) &&
		    io_level(x, pin) && rte_level(a) && !(a & RTE_MASKED))
			continue;
		fail("IOAPIC RTE did not read back", pin, b);
	}
	check_ioapic(n, q);
out:
	free(p);
	free(x);
	free(q);
}

static void op_pic_state(struct fuzz_input *in)
{
	struct virq_x86_pic_state p, x, q;
	u32 how = fuzz_take(in, 1), size = sizeof(p);
	int ret;

	if (!f.pic) {
		ret = harness_set_attr(f.inst, VIRQ_X86_GRP_PIC, 0, &p, size);
		if (ret != -ENXIO)
			fail("PIC state without a PIC", ret, 0);
		return;
	}
	get_pic(&p);
	x = p;
	mutate(in, &x, size, how);
	arm(in);
	ret = set_blob(NULL, VIRQ_X86_GRP_PIC, 0, &x, size);
	disarm(ret);
	TR("pic state SET (%s): %d", memcmp(&p, &x, size) ? "mutated" :
	   "as read", ret);
	if (ret && !memcmp(&p, &x, size) && ret != -ENOMEM)
		fail("PIC state read could not be restored", ret, 0);
	get_pic(&q);
	if (memcmp(&q, ret ? &p : &x, size))
		fail("PIC state did not read back", ret, 0);
}

/* A saved timer that ran: where the restore may put its expiry */
static void check_timer_restore(struct virq_vcpu *v,
				const struct virq_x86_lapic_state *x,
				const struct virq_x86_lapic_state *q)
{
	struct virq_x86_tsc t;
	u32 khz;
	s64 rel, rel2;
	u64 period, lo;

	get_tsc(v, &t);
	khz = t.tsc_khz ?: 1000000;
	if (q->timer_guest_tsc != guest_tsc(&t, khz, ktime_get()))
		fail("saved guest TSC", q->timer_guest_tsc, khz);
	if (!x->timer_expiry_tsc) {
		if (q->timer_expiry_tsc)
			fail("restored timer runs", q->timer_expiry_tsc, 0);
		return;
	}
	if (!q->timer_expiry_tsc)
		fail("restored timer stopped", x->timer_expiry_tsc, 0);
	rel = x->timer_expiry_tsc - x->timer_guest_tsc;
	rel2 = q->timer_expiry_tsc - q->timer_guest_tsc;
	if (rel <= 0) {
		if (rel2 > 1 || rel2 < 0)
			fail("due timer not due after restore", rel, rel2);
		return;
	}
	period = timer_period_ns(st_reg(x, LAPIC_LVTT),
				 st_reg(x, LAPIC_TMICT),
				 st_reg(x, LAPIC_TDCR));
	lo = period / 1000000 * khz + period % 1000000 * khz / 1000000;
	lo = min_t(u64, lo, rel);
	if (rel2 < (s64)lo || rel2 > rel + khz / 1000000 + 2)
		fail("restored timer expiry out of bounds", rel, rel2);
}

static void op_lapic_state(struct fuzz_input *in)
{
	struct virq_x86_lapic_state *p, *x, *q;
	struct virq_vcpu *v = pick_vcpu(in);
	u32 how = fuzz_take(in, 1), size = sizeof(*p), off;
	static const u16 derived[4] = { LAPIC_LVR, LAPIC_APR, LAPIC_PPR,
					LAPIC_TMCCT };
	u32 i;
	int ret;

	if (!v)
		return;
	p = malloc(size);
	x = malloc(size);
	q = malloc(size);
	get_lapic(v, p);
	memcpy(x, p, size);
	if (how >= 140 && how < 150) {		/* a running timer */
		x->timer_expiry_tsc = x->timer_guest_tsc +
				      (s32)fuzz_take(in, 4);
	} else if (how >= 150 && how < 160) {	/* a vector latched */
		off = LAPIC_ISR + (fuzz_take(in, 1) % 24) * 0x10;
		off += fuzz_take(in, 1) % 4;
		x->regs[off] ^= BIT(fuzz_take(in, 1) % 8);
	} else {
		mutate(in, x, size, how);
	}
	arm(in);
	ret = set_blob(v, VIRQ_X86_VGRP_LAPIC, 0, x, size);
	disarm(ret);
	TR("cpu %u lapic state SET (%s): %d", v->index,
	   memcmp(p, x, size) ? "mutated" : "as read", ret);
	if (ret && !memcmp(p, x, size) && ret != -ENOMEM)
		fail("LAPIC state read could not be restored", v->index, ret);
	get_lapic(v, q);
	if (ret) {
		if (memcmp(p, q, size))
			fail("failed LAPIC SET changed the state", v->index,
			     ret);
		goto out;
	}
	check_lapic(v, q);
	if (q->version != x->version || q->events != x->events ||
	    q->apic_base != x->apic_base ||
	    q->sipi_vector != x->sipi_vector ||
	    q->tsc_deadline != x->tsc_deadline)
		fail("LAPIC SET did not read back", q->events, x->events);
	/* Registers as written; derived ones recomputed */
	for (off = 0; off < LAPIC_PAGE_SIZE; off += 16) {
		for (i = 0; i < ARRAY_SIZE(derived); i++)
			if (off == derived[i])
				break;
		if (i == ARRAY_SIZE(derived) &&
		    st_reg(q, off) != st_reg(x, off))
			fail("LAPIC register did not read back", off,
			     st_reg(q, off));
	}
	if ((q->apic_base & LAPIC_BASE_EXTD) && st_reg(q, LAPIC_APR))
		fail("x2APIC state with an APR", st_reg(q, LAPIC_APR), 0);
	check_timer_restore(v, x, q);
out:
	free(p);
	free(x);
	free(q);
}

/* An entry msi.c can hold (VT-d reserved bits and values refused) */
static bool irte_ok(const struct virq_x86_irte *e)
{
	u32 dlm = (e->lo >> VIRQ_X86_IRTE_DLM_SHIFT) & 7;

	return !(e->lo & (GENMASK_ULL(31, 24) | GENMASK_ULL(15, 12))) &&
	       !(e->hi & GENMASK_ULL(63, 20)) && dlm != 3 && dlm != 6 &&
	       ((e->hi >> VIRQ_X86_IRTE_SVT_SHIFT) & 3) != 3;
}

static void op_irte(struct fuzz_input *in)
{
	struct virq_x86_irte e[4], g[4], *table;
	u32 b = fuzz_take(in, 1), n = 1 + b % 4, first, i, size;
	int ret, want = 0;

	first = fuzz_take(in, 1) % (f.nr_irtes + 2);
	if (b >= 250)
		first = fuzz_take(in, 4);
	for (i = 0; i < n; i++) {
		e[i].lo = VIRQ_X86_IRTE_PRESENT |
			  (u64)pick_vector(in) << VIRQ_X86_IRTE_VECTOR_SHIFT;
		e[i].lo |= (u64)pick_dm(in) << VIRQ_X86_IRTE_DLM_SHIFT;
		e[i].lo |= (u64)pick_dest(in) << VIRQ_X86_IRTE_DEST_SHIFT;
		e[i].lo ^= fuzz_take(in, 1) & 0x1f;	/* P FPD DM RH TM */
		e[i].hi = 0;
		if (b & 0x10) {
			e[i].hi = fuzz_take(in, 2);
			e[i].hi |= (u64)(fuzz_take(in, 1) & 0xf) <<
				   VIRQ_X86_IRTE_SQ_SHIFT;
		}
		if ((b & 0xe0) == 0xe0)
			e[i].lo ^= 1ULL << (fuzz_take(in, 1) % 64);
	}
	size = n * sizeof(e[0]);
	if ((b & 0x60) == 0x60)
		size = fuzz_take(in, 1) % (sizeof(e) + 1);
	if (!f.nr_irtes) {
		if (harness_set_attr(f.inst, VIRQ_X86_GRP_IRTE, first, e,
				     size) != -ENXIO)
			fail("IRTE without remapping", first, 0);
		return;
	}
	if (!size || size % sizeof(e[0]) || first >= f.nr_irtes ||
	    size / sizeof(e[0]) > f.nr_irtes - first)
		want = -EINVAL;
	for (i = 0; i < size / sizeof(e[0]); i++)
		if (!irte_ok(&e[i]))
			want = -EINVAL;
	table = x86_chip(f.inst)->ir->irte;
	if (!want)
		memcpy(g, &table[first], size);
	arm(in);
	ret = set_blob(NULL, VIRQ_X86_GRP_IRTE, first, e, size);
	disarm(ret);
	TR("irte %u x %u (size %u): %d", first, n, size, ret);
	if (ret != want && ret != -ENOMEM)
		fail("IRTE SET errno", first, ret);
	if (want)
		return;
	if (ret) {
		if (memcmp(g, &table[first], size))
			fail("failed IRTE SET changed the table", first, ret);
		return;
	}
	memset(g, 0, sizeof(g));
	i = size;
	ret = harness_get_attr(f.inst, VIRQ_X86_GRP_IRTE, first, g, &i);
	if (ret || i != size || memcmp(g, e, size))
		fail("IRTEs did not read back", first, ret);
}

static void op_tsc(struct fuzz_input *in)
{
	static const u64 khzs[8] = { 0, 1000000, 2500000, 10000000,
				     10000001, 1, 3000000, 999 };
	struct virq_vcpu *v = pick_vcpu(in);
	struct virq_x86_tsc t, p, q;
	u32 b = fuzz_take(in, 1);
	int ret;

	t.tsc_khz = b < 240 ? khzs[b % 8] : take64(in);
	t.offset = b & 0x10 ? (s64)take64(in) : -(s64)fuzz_take(in, 4);
	if (!v)
		return;
	get_tsc(v, &p);
	ret = set_blob(v, VIRQ_X86_VGRP_TSC, 0, &t, sizeof(t));
	TR("cpu %u tsc %llu kHz offset %lld: %d", v->index,
	   (unsigned long long)t.tsc_khz, (long long)t.offset, ret);
	if (ret != (t.tsc_khz > 10000000 ? -EINVAL : 0) && ret != -ENOMEM)
		fail("TSC SET errno", t.tsc_khz, ret);
	get_tsc(v, &q);
	if (memcmp(&q, ret ? &p : &t, sizeof(q)))
		fail("TSC did not read back", q.tsc_khz, ret);
}

static void op_ir_fault(struct fuzz_input *in)
{
	static const s32 fds[4] = { -1, 3, 7, -2 };
	s32 fd = fds[fuzz_take(in, 1) % 4];
	int ret;

	arm(in);
	ret = harness_set_attr(f.inst, VIRQ_X86_GRP_IR_FAULT, 1, &fd,
			       sizeof(fd));
	disarm(ret);
	TR("fault eventfd %d: %d", fd, ret);
	if (ret != (!f.nr_irtes ? -ENXIO : fd < -1 ? -EBADF : 0) &&
	    ret != -ENOMEM)
		fail("fault eventfd errno", fd, ret);
}

static void op_sources(struct fuzz_input *in)
{
	u32 b = fuzz_take(in, 1), first = pick_gsi(in) % f.nr_sources, i;
	u32 count = 1 + fuzz_take(in, 1) % 8;
	u64 w[8];
	int ret;

	count = min(count, f.nr_sources - first);
	for (i = 0; i < count; i++)
		w[i] = fuzz_take(in, 1) % 4;
	if (b < 20)
		w[0] |= 1ULL << (fuzz_take(in, 1) % 64);
	ret = harness_set_sources(f.inst, first, count, w);
	TR("set sources %u x %u: %d", first, count, ret);
	if (ret != (w[0] > 3 ? -EINVAL : 0))
		fail("SET_SOURCES errno", first, ret);
	for (i = 0; !ret && i < count; i++)
		sh_set_word(first + i, w[i]);
	sh_eois();
	check_words(first, count);
}

static void op_clock(struct fuzz_input *in)
{
	static const u64 ns[8] = { 0, 1, 1000, 200000, 1000000, 10000000,
				   100000000, 0 };
	u32 b = fuzz_take(in, 1);
	u64 d = b < 224 ? ns[b % 8] : fuzz_take(in, 3);
	unsigned long fired;

	fired = harness_clock_advance(d);
	TR("clock +%llu ns: %lu callbacks", (unsigned long long)d, fired);
}

/* What creating vCPU @i must return: ids are unique and below ~0 */
static int vcpu_want(u32 i)
{
	u32 j;

	if (vcpu_at(i))
		return -EEXIST;
	for (j = 0; j < f.nr_vcpus; j++)
		if (vcpu_at(j) && f.apic_id[j] == f.apic_id[i])
			return -EEXIST;
	return f.apic_id[i] >= 0xffffffff ? -EINVAL : 0;
}

/* A new vCPU: its outputs now are the reference for the kick check */
static void vcpu_born(u32 i)
{
	u32 sipi;

	f.out[i] = output_of(vcpu_at(i), &sipi);
	f.kicks[i] = harness_vcpu(vcpu_at(i))->kicks;
}

static void op_late_vcpu(struct fuzz_input *in)
{
	u32 i = fuzz_take(in, 1) % f.nr_vcpus;
	int ret, want = vcpu_want(i);

	arm(in);
	ret = harness_create_vcpu(f.inst, i, f.apic_id[i], NULL);
	disarm(ret);
	TR("late vcpu %u id %#llx: %d", i, (unsigned long long)f.apic_id[i],
	   ret);
	/* -ENOMEM may come first: the core allocates before it checks */
	if (ret != want && ret != -ENOMEM)
		fail("late vCPU errno", i, ret);
	if (!ret)
		vcpu_born(i);
}

static void op_attr_random(struct fuzz_input *in)
{
	struct virq_vcpu *v = pick_vcpu(in);
	u32 b = fuzz_take(in, 1), group = b % 6, size = fuzz_take(in, 2);
	u32 gsize;
	u64 attr = fuzz_take(in, 1) < 200 ? fuzz_take(in, 1) % 3 :
		   take64(in);
	u8 buf[512];
	int has, get, set;

	memset(buf, fuzz_take(in, 1), sizeof(buf));
	size %= sizeof(buf) + 1;
	gsize = size;	/* a GET reports the attribute's size here */
	if (b & 0x80) {
		if (!v)
			return;
		has = ops->vcpu_has_attr(v, group, attr);
		get = harness_vcpu_get_attr(v, group, attr, buf, &gsize);
		set = b & 0x40 ? harness_vcpu_set_attr(v, group, attr, buf,
							size) : -ENXIO;
	} else {
		has = harness_has_attr(f.inst, group, attr);
		get = harness_get_attr(f.inst, group, attr, buf, &gsize);
		set = b & 0x40 ? harness_set_attr(f.inst, group, attr, buf,
						   size) : -ENXIO;
	}
	TR("attr %s group %u attr %#llx: has %d get %d set %d",
	   b & 0x80 ? "vcpu" : "chip", group, (unsigned long long)attr, has,
	   get, set);
	if (has && (get != -ENXIO || set != -ENXIO))
		fail("attribute not HAS but known", group, attr);
}

static void op_misc(struct fuzz_input *in)
{
	struct virq_call_args c = { .nr = fuzz_take(in, 2) };
	struct virq_vcpu *v = pick_vcpu(in);
	struct seq_file m;
	u32 b = fuzz_take(in, 1);

	switch (b % 4) {
	case 0:
		harness_seq_init(&m, 1 << 16);
		harness_show(f.inst, &m);
		harness_seq_fini(&m);
		break;
	case 1:
		TR("run work: %u", harness_run_work());
		break;
	case 2:
		if (harness_chip_call(f.inst, &c) != -EOPNOTSUPP ||
		    (v && harness_vcpu_call(v, &c) != -EOPNOTSUPP))
			fail("x86 calls are not the VMM's", c.nr, 0);
		break;
	default:
		harness_add_resampler(f.inst, pick_gsi(in) % f.nr_sources);
		break;
	}
}

/*
 * A guest that ends a level interrupt whose line stays high, again and
 * again: past the EOI storm guard, then the delayed re-send.
 */
static void op_storm(struct fuzz_input *in)
{
	struct virq_vcpu *v = pick_vcpu(in);
	u32 i, svr;
	u64 id;

	if (!v)
		return;
	for (i = 0; i < 10010; i++) {
		svr = ops->vcpu_output(v, NULL);
		if (!(svr & VIRQ_OUT_INT) || ops->vcpu_ack(v, 0, &id))
			break;
		lapic_wr(v, LAPIC_EOI, 0);
	}
	TR("cpu %u storm: %u INTA/EOI rounds; run work: %u", v->index, i,
	   harness_run_work());
}

typedef void (*op_fn)(struct fuzz_input *in);

static const op_fn op_table[] = {
	op_irq, op_irq, op_irq, op_msi, op_msi, op_mmio_lapic,
	op_mmio_ioapic, op_rte, op_rte, op_ioapic_eoi, op_msr, op_apic_base,
	op_lapic_reg, op_svr, op_icr, op_eoi, op_eoi, op_timer, op_pio,
	op_pic_init, op_pic_cmd, op_ack, op_ack, op_ack, op_route_update,
	op_set_routing, op_get_routing, op_ioapic_state, op_pic_state,
	op_lapic_state, op_irte, op_tsc, op_ir_fault, op_sources, op_clock,
	op_late_vcpu, op_attr_random, op_misc, op_storm,
};

/* --- the chip ------------------------------------------------------------- */

static u32 pick_pins(struct fuzz_input *in)
{
	static const u8 pins[16] = { 24, 24, 24, 1, 2, 8, 16, 23, 25, 64,
				     119, 120, 121, 200, 240, 0 };
	u32 b = fuzz_take(in, 1);

	return b < 240 ? pins[b % 16] : 1 + b % 240;
}

/* The uAPI's rules for struct virq_x86_options (0: defaults resolved) */
static bool options_valid(const struct virq_x86_options *o, u32 nr_sources)
{
	static const struct virq_x86_ioapic_config zero;
	struct virq_x86_ioapic_config c[VIRQ_X86_MAX_IOAPICS];
	u32 i, j, nr;

	if (o->flags & ~VIRQ_X86_OPT_ALL || o->padding ||
	    o->nr_ioapics > VIRQ_X86_MAX_IOAPICS ||
	    o->nr_irtes > VIRQ_X86_MAX_IRTES ||
	    (o->nr_irtes & (o->nr_irtes - 1)))
		return false;
	for (i = o->nr_ioapics; i < VIRQ_X86_MAX_IOAPICS; i++)
		if (memcmp(&o->ioapics[i], &zero, sizeof(zero)))
			return false;
	nr = o->nr_ioapics ?: 1;
	for (i = 0; i < nr; i++) {
		c[i] = o->nr_ioapics ? o->ioapics[i] : zero;
		c[i].nr_pins = c[i].nr_pins ?: 24;
		c[i].base = c[i].base ?: 0xfec00000ULL + 0x1000 * i;
		/* gsi_base 0 beyond IOAPIC 0: after the previous one's pins */
		if (i && !c[i].gsi_base)
			c[i].gsi_base = c[i - 1].gsi_base + c[i - 1].nr_pins;
		if (c[i].nr_pins > 240 || (c[i].base & 0xfff) ||
		    c[i].id > 15 || (!i && c[i].gsi_base) ||
		    (u64)c[i].gsi_base + c[i].nr_pins > nr_sources)
			return false;
		/* distinct windows, GSI ranges and (the model's rule) ids */
		for (j = 0; j < i; j++)
			if (c[j].base == c[i].base || c[j].id == c[i].id ||
			    (c[i].gsi_base < c[j].gsi_base + c[j].nr_pins &&
			     c[j].gsi_base < c[i].gsi_base + c[i].nr_pins))
				return false;
	}
	return true;
}

/* VIRQ_CREATE_CHIP of the fuzzed shape with options @o */
static int create_chip(const struct virq_x86_options *o)
{
	return harness_create_chip(f.inst, ops, f.nr_vcpus, f.nr_sources, o,
				   sizeof(*o));
}

/* Decode and create the chip and its vCPUs; the shadows follow */
static void build_chip(struct fuzz_input *in)
{
	static const u32 irtes[4] = { 0, 16, 64, 0 };
	static const u32 extras[8] = { 0, 0, 1, 8, 100, 600, 3, 2000 };
	struct virq_x86_options o = {}, bad;
	u32 shape = fuzz_take(in, 1), b = fuzz_take(in, 1), i, end = 0;
	u32 gsi_base[VIRQ_X86_MAX_IOAPICS] = {}, late;
	u32 ido = fuzz_take(in, 1);
	long live;
	int ret, want;

	f.nr_vcpus = 1 + shape % MAX_VCPUS;
	f.pic = !(shape & 4);
	f.directed_eoi = shape & 8;
	f.nr_irtes = irtes[(shape >> 4) % 4];
	o.flags = (f.pic ? 0 : VIRQ_X86_OPT_NO_PIC) |
		  (f.directed_eoi ? VIRQ_X86_OPT_DIRECTED_EOI : 0);
	o.nr_irtes = f.nr_irtes;
	f.nr_ioapics = 1 + b % 3;
	o.nr_ioapics = b & 0x80 ? 0 : f.nr_ioapics;
	if (!o.nr_ioapics)
		f.nr_ioapics = 1;
	for (i = 0; i < f.nr_ioapics; i++) {
		u32 c = fuzz_take(in, 1);

		f.pins[i] = o.nr_ioapics ? pick_pins(in) : 24;
		f.base[i] = 0xfec00000ULL + 0x1000 * i;
		if (!o.nr_ioapics)
			break;
		o.ioapics[i].nr_pins = f.pins[i];	/* 0: 24 */
		f.pins[i] = f.pins[i] ?: 24;
		o.ioapics[i].id = (ido + i) % 16;
		o.ioapics[i].source_id = fuzz_take(in, 2);
		if (c & 2) {
			f.base[i] = c & 4 ? 0xfee00000ULL + 0x1000 * i :
				    0xfe000000ULL + 0x1000 * (c >> 3) +
				    0x40000 * i;
			o.ioapics[i].base = f.base[i];
		}
		gsi_base[i] = i ? end + (c >> 6) : 0;
		/* 0 for "right after the previous IOAPIC" */
		o.ioapics[i].gsi_base = c & 0xe0 ? gsi_base[i] : 0;
		end = gsi_base[i] + f.pins[i];
	}
	if (!o.nr_ioapics)
		end = 24;
	f.nr_sources = end + extras[(b >> 2) % 8];
	if ((b & 0x60) == 0x60)
		f.nr_sources = end;
	for (i = 0; i < f.nr_vcpus; i++) {
		u32 c = fuzz_take(in, 1);
		static const u64 ids[8] = { 0, 1, 255, 256, 0xfe, 0x1000,
					    0xfffffffe, 0xffffffff };

		f.apic_id[i] = c < 128 ? i : c < 200 ? i * 3 + 1 :
			       c < 240 ? ids[c % 8] : fuzz_take(in, 4);
	}
	late = fuzz_take(in, 1);

	f.inst = harness_instance_open();
	if (!f.inst)
		abort();
	/* Now and then a corrupted options struct first */
	bad = o;
	i = fuzz_take(in, 1);
	if (i < 24) {
		i = fuzz_take(in, 1) % sizeof(bad);
		((u8 *)&bad)[i] ^= fuzz_take(in, 1) ?: 0x80;
		want = options_valid(&bad, f.nr_sources) ? 0 : -EINVAL;
		ret = -ENOMEM;
		if (!want)	/* still fine: build that one instead */
			goto create;
		ret = create_chip(&bad);
		TR("chip with corrupted options: %d", ret);
		if (ret != want)
			fail("options check", ret, want);
	}
	if (!options_valid(&o, f.nr_sources))
		fail("generated options are invalid", 0, 0);
	bad = o;
	ret = -ENOMEM;
	if (shape & 0x40) {
		live = harness_live_allocs();
		harness_fail_alloc_nth(1 + fuzz_take(in, 1) % 12);
		ret = create_chip(&o);
		if (disarm(ret) != (ret == -ENOMEM) || (ret && ret != -ENOMEM))
			fail("chip creation and a failed allocation", ret, 0);
		if (ret && harness_live_allocs() != live)
			fail("failed chip creation leaked", live,
			     harness_live_allocs());
	}
create:
	if (ret)
		ret = create_chip(&bad);
	TR("chip: %u vcpus, %u gsis, %u ioapics, %u irtes, pic %d: %d",
	   f.nr_vcpus, f.nr_sources, f.nr_ioapics, f.nr_irtes, f.pic, ret);
	if (ret)
		fail("valid chip refused", ret, f.nr_sources);
	if (memcmp(&bad, &o, sizeof(o))) {
		/* the corruption was valid: re-derive the chip from it */
		f.pic = !(bad.flags & VIRQ_X86_OPT_NO_PIC);
		f.directed_eoi = bad.flags & VIRQ_X86_OPT_DIRECTED_EOI;
		f.nr_irtes = bad.nr_irtes;
		f.nr_ioapics = bad.nr_ioapics ?: 1;
		for (i = 0; i < f.nr_ioapics; i++) {
			const struct virq_x86_ioapic_config *c =
				&bad.ioapics[i];

			f.pins[i] = bad.nr_ioapics && c->nr_pins ?
				    c->nr_pins : 24;
			f.base[i] = bad.nr_ioapics && c->base ? c->base :
				    0xfec00000ULL + 0x1000 * i;
			gsi_base[i] = bad.nr_ioapics ? c->gsi_base : 0;
			if (i && !gsi_base[i])
				gsi_base[i] = gsi_base[i - 1] + f.pins[i - 1];
		}
	}
	sh_default(gsi_base);
	check_routing();

	for (i = 0; i < f.nr_vcpus; i++) {
		if (late & BIT(i))
			continue;
		want = vcpu_want(i);
		ret = harness_create_vcpu(f.inst, i, f.apic_id[i], NULL);
		TR("vcpu %u id %#llx: %d", i, (unsigned long long)f.apic_id[i],
		   ret);
		if (ret != want)
			fail("vCPU creation errno", i, ret);
		if (!ret)
			vcpu_born(i);
	}
}

/*
 * The end of an input: every enabled LAPIC made receptive (software-
 * enabled, TPR 0, nothing in service), every IOAPIC entry rewritten (a
 * level pin whose line is high sends then), and every interrupt taken and
 * ended for a while.  Then a compatibility-format level pin that is high
 * and unmasked, whose message some enabled LAPIC takes, must be in flight
 * (remote IRR) or merged into a pending request: else it was lost.
 */
static void drain_and_check(void)
{
	struct virq_x86_lapic_state *s[MAX_VCPUS];
	struct virq_x86_ioapic_state *io = malloc(sizeof(*io));
	struct virq_vcpu *v = any_vcpu();
	u32 i, n, pin, round, k;
	u64 rte, sel, id;
	struct msg m;
	bool taken, pending;

	if (!v)
		goto out;
	for (i = 0; i < f.nr_vcpus; i++) {
		if (!vcpu_at(i) || !(apic_base_of(vcpu_at(i)) & LAPIC_BASE_EN))
			continue;
		lapic_wr(vcpu_at(i), LAPIC_SVR, 0x1ff);
		lapic_wr(vcpu_at(i), LAPIC_TPR, 0);
		for (k = 0; k < 256; k++)
			lapic_wr(vcpu_at(i), LAPIC_EOI, 0);
	}
	for (n = 0; n < f.nr_ioapics; n++) {
		get_ioapic(n, io);
		for (pin = 0; pin < f.pins[n]; pin++) {
			sel = 0x10 + 2 * pin;
			rte = (u32)io_rte(io, pin);
			do_access(v, VIRQ_SPACE_MMIO, f.base[n], 4, true, &sel);
			do_access(v, VIRQ_SPACE_MMIO, f.base[n] + 0x10, 4, true,
				  &rte);
		}
	}
	for (round = 0; round < 4; round++)
		for (i = 0; i < f.nr_vcpus; i++)
			for (k = 0; vcpu_at(i) && k < 64; k++) {
				if (!(ops->vcpu_output(vcpu_at(i), NULL) &
				      VIRQ_OUT_INT) ||
				    ops->vcpu_ack(vcpu_at(i), 0, &id))
					break;
				lapic_wr(vcpu_at(i), LAPIC_EOI, 0);
			}
	harness_run_work();	/* a re-send the storm guard deferred */
	get_all_lapics(s);
	for (n = 0; n < f.nr_ioapics; n++) {
		get_ioapic(n, io);
		for (pin = 0; pin < f.pins[n]; pin++) {
			rte = io_rte(io, pin);
			if (!io_level(io, pin) || !rte_level(rte) ||
			    (rte & (RTE_MASKED | RTE_REMAP | RTE_REMOTE_IRR)) ||
			    (rte & 0xff) < 16)
				continue;
			m = (struct msg){
				.dest = rte >> 56, .vec = rte,
				.dm = RTE_DM(rte), .logical = rte & RTE_LOGICAL,
				.lowest = RTE_DM(rte) == X86_DM_LOWEST,
				.src = -1,
			};
			taken = false;
			pending = false;
			for (i = 0; i < f.nr_vcpus; i++) {
				if (!s[i] || !msg_matches(s[i], i, &m) ||
				    !(st_reg(s[i], LAPIC_SVR) &
				      LAPIC_SVR_ENABLE))
					continue;
				taken = true;
				pending |= st_vec(s[i], LAPIC_IRR, m.vec);
			}
			TR("drain: ioapic %u pin %u rte %#llx: %d %d", n, pin,
			   (unsigned long long)rte, taken, pending);
			if (taken && !pending)
				fail("lost level interrupt", n << 16 | pin,
				     rte);
		}
	}
	free_all_lapics(s);
out:
	free(io);
}

int x86_fuzz_init(int *argc, char ***argv);

/* libFuzzer's initialisation hook (linked under its name) */
int x86_fuzz_init(int *argc, char ***argv)
{
	trace = getenv("X86_FUZZ_TRACE");
	harness_warn_set_fatal(true);
	harness_printk_set_quiet(1);
	return 0;
}

int x86_fuzz_one_input(const u8 *data, size_t size);

/* libFuzzer's entry point (the Makefile links it under its name) */
int x86_fuzz_one_input(const u8 *data, size_t size)
{
	struct fuzz_input in = { data, size };
	long live = harness_live_allocs();
	u32 op, ops_done = 0;

	memset(&f, 0, sizeof(f));
	build_chip(&in);
	check_all();
	while (in.n && ops_done++ < MAX_OPS) {
		op = fuzz_take(&in, 1) % ARRAY_SIZE(op_table);
		TR("op %u", op);
		op_table[op](&in);
		check_all();
	}
	drain_and_check();
	check_all();
	check_words(0, min_t(u32, f.nr_sources, 1024));
	harness_instance_close(f.inst);
	if (harness_live_allocs() != live)
		fail("allocations left after close", live,
		     harness_live_allocs());
	if (harness_hrtimers_queued())
		fail("hrtimers left after close", harness_hrtimers_queued(),
		     0);
	if (harness_run_work())
		fail("work left after close", 0, 0);
	return 0;
}
