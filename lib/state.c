// SPDX-License-Identifier: GPL-2.0
/*
 * libvirq: the interrupt state of an instance, and its file format.
 *
 *   libvirq_save()     live instance -> struct libvirq_state
 *   libvirq_encode()   struct libvirq_state -> bytes
 *   libvirq_decode()   bytes -> struct libvirq_state, every check made
 *   libvirq_restore()  struct libvirq_state -> live instance
 *   libvirq_diff()     two states -> their differences
 *
 * The file (Documentation/userspace-api/virq/state-format.rst) is
 * little-endian with fixed field sizes whatever the host: every field is
 * written and read a byte at a time, never by casting a struct.  Version
 * 1 of the format is read forever.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvirq-int.h"

/* Why a save of the GICv3 tables into guest memory faulted */
#define LV_GIC_NOT_IN_MEMORY(what) \
	" (" what " is not in the guest memory the VMM registered)"

static const __u8 lv_magic[8] = {
	0x89, 'V', 'I', 'R', 'Q', '\r', '\n', 0x1a
};

#define LV_HDR_SIZE		32
#define LV_SEC_HDR_SIZE		16
#define LV_SEC_HDR_CRC		12	/* header bytes the CRC covers */
#define LV_CONFIG_SIZE		24	/* CONFIG before the options */
#define LV_X86_OPT_SIZE		16	/* x86 options before the IOAPICs */
#define LV_X86_IOAPIC_CFG	16
#define LV_VCPU_SIZE		16
#define LV_ICP_SIZE		24
#define LV_TSC_SIZE		32
#define LV_LAPIC_SIZE		1088
#define LV_PIC_SIZE		40
#define LV_IOAPIC_SIZE		2024
#define LV_IRTE_SIZE		16
#define LV_ROUTE_SIZE		48
#define LV_GICV3_OPT_SIZE	64	/* struct virq_gicv3_options */
#define LV_REG_SIZE		16	/* a register: offset, size, value */
#define LV_GICV3_DIST_FLAGS	(LIBVIRQ_GICV3_PENDING_SAVED | \
				 LIBVIRQ_GICV3_ITS_SAVED)

/* Sanity bounds for what a file may ask us to allocate */
#define LV_MAX_VCPUS		65536
#define LV_MAX_SOURCES		VIRQ_XICS_MAX_SOURCES
#define LV_MAX_SECTIONS		(1U << 22)

/* Section versions this reader understands */
#define LV_SOURCE_WORD_VERSION	1	/* x86 and XICS alike */

/* --- little-endian buffers ------------------------------------------------ */

struct lv_wbuf {
	__u8 *p;
	size_t len;
	size_t cap;
	bool oom;
	size_t sec;	/* offset of the open section's header */
	__u32 nr_sec;
};

static __u8 *wb_room(struct lv_wbuf *w, size_t n)
{
	size_t cap;
	__u8 *p;

	if (w->oom)
		return NULL;
	if (w->len + n > w->cap) {
		cap = w->cap ? w->cap : 65536;
		while (cap < w->len + n)
			cap *= 2;
		p = realloc(w->p, cap);
		if (!p) {
			w->oom = true;
			return NULL;
		}
		w->p = p;
		w->cap = cap;
	}
	p = w->p + w->len;
	w->len += n;
	return p;
}

static void put_le(__u8 *p, __u64 v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = v >> (8 * i);
}

static __u64 get_le(const __u8 *p, int n)
{
	__u64 v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (__u64)p[i] << (8 * i);
	return v;
}

static void wb_le(struct lv_wbuf *w, __u64 v, int n)
{
	__u8 *p = wb_room(w, n);

	if (p)
		put_le(p, v, n);
}

#define wb_u8(w, v)	wb_le(w, v, 1)
#define wb_u16(w, v)	wb_le(w, v, 2)
#define wb_u32(w, v)	wb_le(w, v, 4)
#define wb_u64(w, v)	wb_le(w, v, 8)

static void wb_bytes(struct lv_wbuf *w, const void *b, size_t n)
{
	__u8 *p = wb_room(w, n);

	if (p)
		memcpy(p, b, n);
}

static void wb_sec_begin(struct lv_wbuf *w, __u16 type, __u16 flags,
			 __u16 version)
{
	w->sec = w->len;
	wb_u16(w, type);
	wb_u16(w, flags);
	wb_u16(w, version);
	wb_u16(w, 0);
	wb_u32(w, 0);	/* length, patched by wb_sec_end() */
	wb_u32(w, 0);	/* CRC32C, patched by wb_sec_end() */
}

static void wb_sec_end(struct lv_wbuf *w)
{
	size_t len;
	__u8 *h;
	__u32 crc;

	if (w->oom)
		return;
	h = w->p + w->sec;
	len = w->len - w->sec - LV_SEC_HDR_SIZE;
	if (len > UINT32_MAX) {
		w->oom = true;
		return;
	}
	put_le(h + 8, len, 4);
	crc = libvirq_crc32c(0, h, LV_SEC_HDR_CRC);
	crc = libvirq_crc32c(crc, h + LV_SEC_HDR_SIZE, len);
	put_le(h + 12, crc, 4);
	w->nr_sec++;
}

/* A reader over one payload: overruns set @bad and read zeros */
struct lv_rbuf {
	const __u8 *p;
	size_t len;
	size_t off;
	bool bad;
};

static __u64 rb_le(struct lv_rbuf *r, int n)
{
	__u64 v;

	if (r->bad || r->len - r->off < (size_t)n) {
		r->bad = true;
		return 0;
	}
	v = get_le(r->p + r->off, n);
	r->off += n;
	return v;
}

#define rb_u8(r)	((__u8)rb_le(r, 1))
#define rb_u16(r)	((__u16)rb_le(r, 2))
#define rb_u32(r)	((__u32)rb_le(r, 4))
#define rb_u64(r)	rb_le(r, 8)

static void rb_bytes(struct lv_rbuf *r, void *b, size_t n)
{
	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		memset(b, 0, n);
		return;
	}
	memcpy(b, r->p + r->off, n);
	r->off += n;
}

/* --- names ---------------------------------------------------------------- */

static const struct {
	__u16 type;
	const char *name;
} lv_sec_names[] = {
	{ LIBVIRQ_SEC_CONFIG, "CONFIG" },
	{ LIBVIRQ_SEC_VCPUS, "VCPUS" },
	{ LIBVIRQ_SEC_INFO, "INFO" },
	{ LIBVIRQ_SEC_SOURCES, "SOURCES" },
	{ LIBVIRQ_SEC_X86_TSC, "X86_TSC" },
	{ LIBVIRQ_SEC_X86_LAPIC, "X86_LAPIC" },
	{ LIBVIRQ_SEC_X86_PIC, "X86_PIC" },
	{ LIBVIRQ_SEC_X86_IOAPIC, "X86_IOAPIC" },
	{ LIBVIRQ_SEC_X86_IRTE, "X86_IRTE" },
	{ LIBVIRQ_SEC_X86_ROUTES, "X86_ROUTES" },
	{ LIBVIRQ_SEC_XICS_ICP, "XICS_ICP" },
	{ LIBVIRQ_SEC_GICV3_DIST, "GICV3_DIST" },
	{ LIBVIRQ_SEC_GICV3_VCPU, "GICV3_VCPU" },
	{ LIBVIRQ_SEC_GICV3_ITS, "GICV3_ITS" },
};

const char *libvirq_section_name(__u16 type)
{
	size_t i;

	for (i = 0; i < LV_ARRAY_SIZE(lv_sec_names); i++)
		if (lv_sec_names[i].type == type)
			return lv_sec_names[i].name;
	return NULL;
}

static const char *const lv_lapic_names[64] = {
	[0x02] = "ID", [0x03] = "LVR", [0x08] = "TPR", [0x09] = "APR",
	[0x0a] = "PPR", [0x0b] = "EOI", [0x0c] = "RRD", [0x0d] = "LDR",
	[0x0e] = "DFR", [0x0f] = "SVR",
	[0x10] = "ISR0", [0x11] = "ISR1", [0x12] = "ISR2", [0x13] = "ISR3",
	[0x14] = "ISR4", [0x15] = "ISR5", [0x16] = "ISR6", [0x17] = "ISR7",
	[0x18] = "TMR0", [0x19] = "TMR1", [0x1a] = "TMR2", [0x1b] = "TMR3",
	[0x1c] = "TMR4", [0x1d] = "TMR5", [0x1e] = "TMR6", [0x1f] = "TMR7",
	[0x20] = "IRR0", [0x21] = "IRR1", [0x22] = "IRR2", [0x23] = "IRR3",
	[0x24] = "IRR4", [0x25] = "IRR5", [0x26] = "IRR6", [0x27] = "IRR7",
	[0x28] = "ESR", [0x2f] = "LVTCMCI", [0x30] = "ICR", [0x31] = "ICR2",
	[0x32] = "LVTT", [0x33] = "LVTTHMR", [0x34] = "LVTPC",
	[0x35] = "LVT0", [0x36] = "LVT1", [0x37] = "LVTERR",
	[0x38] = "TMICT", [0x39] = "TMCCT", [0x3e] = "TDCR",
	[0x3f] = "SELF_IPI",
};

const char *libvirq_lapic_reg_name(__u32 off)
{
	if (off >= 1024 || off % 16)
		return NULL;
	return lv_lapic_names[off / 16];
}

__u32 libvirq_lapic_reg(const struct virq_x86_lapic_state *l, __u32 off)
{
	return get_le(l->regs + off, 4);
}

/* --- the state in memory -------------------------------------------------- */

void libvirq_state_free(struct libvirq_state *st)
{
	free(st->vcpus);
	free(st->sources);
	free(st->irtes);
	free(st->routes);
	free(st->sections);
	memset(st, 0, sizeof(*st));
}

/*
 * GICv3: source numbers 0-31 (private, saved per vCPU) and 1020-1023
 * (special) are no SPIs: their words are 0, never in a SOURCES section
 */
static bool lv_gic_nonspi(const struct libvirq_state *st, __u32 i)
{
	return st->cfg.family == VIRQ_FAMILY_GICV3 &&
	       (i < VIRQ_GICV3_NR_PRIVATE || i >= 1020);
}

/* Allocate the arrays of @st for its configuration and @nr_vcpus */
static int lv_state_alloc(struct libvirq_state *st, __u32 nr_vcpus)
{
	__u64 fresh = libvirq_fresh_word(st->cfg.family);
	__u32 i;

	st->nr_vcpus = nr_vcpus;
	st->vcpus = calloc(nr_vcpus ? nr_vcpus : 1, sizeof(*st->vcpus));
	st->sources = malloc((size_t)st->cfg.nr_sources *
			     sizeof(*st->sources));
	if (!st->vcpus || !st->sources)
		return -ENOMEM;
	for (i = 0; i < st->cfg.nr_sources; i++)
		st->sources[i] = lv_gic_nonspi(st, i) ? 0 : fresh;
	if (st->cfg.family == VIRQ_FAMILY_X86 && st->cfg.x86.nr_irtes) {
		st->irtes = calloc(st->cfg.x86.nr_irtes, sizeof(*st->irtes));
		if (!st->irtes)
			return -ENOMEM;
	}
	return 0;
}

static int lv_cmp_vcpu(const void *a, const void *b)
{
	const struct libvirq_vcpu_state *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

static int lv_cmp_route(const void *a, const void *b)
{
	const struct virq_route *x = a, *y = b;

	if (x->gsi != y->gsi)
		return x->gsi < y->gsi ? -1 : 1;
	return memcmp(x, y, sizeof(*x));
}

/* --- save ----------------------------------------------------------------- */

static int lv_save_x86_vcpu(const struct libvirq_vcpu *v,
			    struct libvirq_vcpu_state *vs,
			    struct libvirq_err *e)
{
	__u32 size = sizeof(vs->tsc);
	int ret;

	ret = libvirq_vcpu_get_attr(v->fd, VIRQ_X86_VGRP_TSC, 0, &vs->tsc,
				    &size);
	if (ret)
		return lv_fail(e, ret, "X86_TSC", "vCPU %u: VIRQ_X86_VGRP_TSC: %s",
			       v->index, strerror(-ret));
	size = sizeof(vs->lapic);
	ret = libvirq_vcpu_get_attr(v->fd, VIRQ_X86_VGRP_LAPIC, 0,
				    &vs->lapic, &size);
	if (ret)
		return lv_fail(e, ret, "X86_LAPIC",
			       "vCPU %u: VIRQ_X86_VGRP_LAPIC: %s", v->index,
			       strerror(-ret));
	return 0;
}

static int lv_save_x86_chip(const struct libvirq_chip *chip,
			    struct libvirq_state *st,
			    const struct libvirq_progress *p,
			    struct libvirq_err *e)
{
	const struct virq_x86_options *o = &st->cfg.x86;
	struct virq_route *r = NULL;
	__u32 i, n, size, nr = 0, cap;
	int ret;

	if (!(o->flags & VIRQ_X86_OPT_NO_PIC)) {
		size = sizeof(st->pic);
		ret = libvirq_get_attr(chip->fd, VIRQ_X86_GRP_PIC, 0, &st->pic,
				       &size);
		if (ret)
			return lv_fail(e, ret, "X86_PIC",
				       "VIRQ_X86_GRP_PIC: %s", strerror(-ret));
	}
	for (i = 0; i < o->nr_ioapics; i++) {
		size = sizeof(st->ioapics[i]);
		ret = libvirq_get_attr(chip->fd, VIRQ_X86_GRP_IOAPIC, i,
				       &st->ioapics[i], &size);
		if (ret)
			return lv_fail(e, ret, "X86_IOAPIC",
				       "IOAPIC %u: VIRQ_X86_GRP_IOAPIC: %s", i,
				       strerror(-ret));
	}
	for (i = 0; i < o->nr_irtes; i += n) {
		n = o->nr_irtes - i;
		if (n > LV_IRTE_CHUNK)
			n = LV_IRTE_CHUNK;
		size = n * sizeof(*st->irtes);
		ret = libvirq_get_attr(chip->fd, VIRQ_X86_GRP_IRTE, i,
				       st->irtes + i, &size);
		if (ret)
			return lv_fail(e, ret, "X86_IRTE",
				       "IRTEs %u-%u: VIRQ_X86_GRP_IRTE: %s", i,
				       i + n - 1, strerror(-ret));
		lv_progress(p, "IRTEs", i + n, o->nr_irtes);
	}

	/* routes: ask the size, then read; retry if the table grew */
	for (;;) {
		cap = nr;
		ret = libvirq_get_gsi_routing(chip->fd, r, &nr);
		if (!ret)
			break;
		if (ret != -ENOSPC || nr <= cap) {
			free(r);
			return lv_fail(e, ret, "X86_ROUTES",
				       "VIRQ_GET_GSI_ROUTING: %s",
				       strerror(-ret));
		}
		free(r);
		r = calloc(nr, sizeof(*r));
		if (!r)
			return lv_fail(e, ENOMEM, "X86_ROUTES",
				       "%u routes: out of memory", nr);
	}
	st->routes = r;
	st->nr_routes = nr;
	if (nr)
		qsort(r, nr, sizeof(*r), lv_cmp_route);
	return 0;
}

/* The CPU interface registers that are state, by encoding */
static const __u32 lv_gic_sysregs[] = {
	VIRQ_GICV3_ICC_PMR_EL1, VIRQ_GICV3_ICC_BPR0_EL1,
	VIRQ_GICV3_ICC_AP0R_EL1(0), VIRQ_GICV3_ICC_AP0R_EL1(1),
	VIRQ_GICV3_ICC_AP0R_EL1(2), VIRQ_GICV3_ICC_AP0R_EL1(3),
	VIRQ_GICV3_ICC_AP1R_EL1(0), VIRQ_GICV3_ICC_AP1R_EL1(1),
	VIRQ_GICV3_ICC_AP1R_EL1(2), VIRQ_GICV3_ICC_AP1R_EL1(3),
	VIRQ_GICV3_ICC_BPR1_EL1, VIRQ_GICV3_ICC_CTLR_EL1,
	VIRQ_GICV3_ICC_SRE_EL1, VIRQ_GICV3_ICC_IGRPEN0_EL1,
	VIRQ_GICV3_ICC_IGRPEN1_EL1,
};

/*
 * The frame ranges whose registers a save records (what HAS_ATTR knows
 * there): the control and ID registers; the per-interrupt registers are
 * carried by the source and private words
 */
#define LV_GIC_ID_REGS		0xffd0	/* ID registers: to the frame's end */
#define LV_GIC_FRAME		0x10000
#define LV_GICD_CTL_END		0x80
#define LV_GICR_CTL_END		0x100
#define LV_GITS_CTL_END		0x140

static int lv_gic_get(int fd, bool vcpu, __u32 group, __u32 off,
		      __u32 *size, __u64 *val)
{
	union {
		__u32 w;
		__u64 d;
	} u = { .d = 0 };
	int ret;

	*size = sizeof(u);
	if (vcpu)
		ret = libvirq_vcpu_get_attr(fd, group, off, &u, size);
	else
		ret = libvirq_get_attr(fd, group, off, &u, size);
	if (!ret && *size != 4 && *size != 8)
		ret = -EPROTO;
	*val = *size == 4 ? u.w : u.d;
	return ret;
}

static int lv_gic_set(int fd, bool vcpu, __u32 group,
		      const struct libvirq_reg *r, __u64 val)
{
	union {
		__u32 w;
		__u64 d;
	} u;

	if (r->size == 4)
		u.w = val;
	else
		u.d = val;
	if (vcpu)
		return libvirq_vcpu_set_attr(fd, group, r->off, &u, r->size);
	return libvirq_set_attr(fd, group, r->off, &u, r->size);
}

/* The registers HAS_ATTR knows in [@lo, @hi) of a frame, appended */
static int lv_gic_scan(int fd, bool vcpu, __u32 group, __u32 lo, __u32 hi,
		       struct libvirq_reg *regs, __u32 *nr, __u32 max,
		       const char *sec, const char *who,
		       struct libvirq_err *e)
{
	__u32 off, size;
	__u64 val;
	int ret;

	for (off = lo; off < hi; off += 4) {
		if (vcpu)
			ret = libvirq_vcpu_has_attr(fd, group, off);
		else
			ret = libvirq_has_attr(fd, group, off);
		if (ret == -ENXIO)
			continue;
		if (!ret)
			ret = lv_gic_get(fd, vcpu, group, off, &size, &val);
		if (ret)
			return lv_fail(e, ret, sec, "%s register %#x: %s", who,
				       off, strerror(-ret));
		if (*nr == max)
			return lv_fail(e, ENOSPC, sec,
				       "%s: more than %u registers", who, max);
		regs[(*nr)++] = (struct libvirq_reg){ off, size, val };
		if (size == 8)
			off += 4;
	}
	return 0;
}

/* A GICv3 vCPU: redistributor, CPU interface, private INTIDs */
static int lv_save_gicv3_vcpu(const struct libvirq_vcpu *v,
			      struct libvirq_vcpu_state *vs,
			      struct libvirq_err *e)
{
	struct libvirq_gicv3_vcpu *g = &vs->gic;
	char who[48];
	__u32 i, size;
	int ret;

	snprintf(who, sizeof(who), "MPIDR %#llx redistributor",
		 (unsigned long long)v->arch_id);
	ret = lv_gic_scan(v->fd, true, VIRQ_GICV3_VGRP_REDIST_REGS, 0,
			  LV_GICR_CTL_END, g->redist, &g->nr_redist,
			  LIBVIRQ_GICV3_MAX_VREGS, "GICV3_VCPU", who, e);
	if (!ret)
		ret = lv_gic_scan(v->fd, true, VIRQ_GICV3_VGRP_REDIST_REGS,
				  LV_GIC_ID_REGS, LV_GIC_FRAME, g->redist,
				  &g->nr_redist, LIBVIRQ_GICV3_MAX_VREGS,
				  "GICV3_VCPU", who, e);
	if (ret)
		return ret;
	for (i = 0; i < LV_ARRAY_SIZE(lv_gic_sysregs); i++) {
		struct libvirq_reg *r = &g->sysregs[i];

		r->off = lv_gic_sysregs[i];
		ret = lv_gic_get(v->fd, true, VIRQ_GICV3_VGRP_CPU_SYSREGS,
				 r->off, &r->size, &r->val);
		if (ret)
			return lv_fail(e, ret, "GICV3_VCPU",
				       "MPIDR %#llx: CPU interface register %#x: %s",
				       (unsigned long long)v->arch_id, r->off,
				       strerror(-ret));
	}
	g->nr_sysregs = i;
	size = sizeof(g->priv);
	ret = libvirq_vcpu_get_attr(v->fd, VIRQ_GICV3_VGRP_PRIVATE, 0, g->priv,
				    &size);
	if (ret)
		return lv_fail(e, ret, "GICV3_VCPU",
			       "MPIDR %#llx: VIRQ_GICV3_VGRP_PRIVATE: %s",
			       (unsigned long long)v->arch_id, strerror(-ret));
	return 0;
}

/*
 * GICv3, before anything is read: the LPI pending tables and the ITS
 * tables into guest memory (they travel with the guest's RAM, as with
 * KVM), then the distributor's registers
 */
static int lv_save_gicv3_chip(const struct libvirq_chip *chip,
			      struct libvirq_state *st,
			      struct libvirq_err *e)
{
	const struct virq_gicv3_options *o = &st->cfg.gicv3;
	int ret;

	if (o->flags & VIRQ_GICV3_OPT_LPIS) {
		ret = libvirq_set_attr(chip->fd, VIRQ_GICV3_GRP_CTRL,
				       VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES,
				       NULL, 0);
		if (ret)
			return lv_fail(e, ret, "GICV3_DIST",
				       "VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES: %s%s",
				       strerror(-ret),
				       ret == -EFAULT ? LV_GIC_NOT_IN_MEMORY("a pending table") : "");
		st->gic_flags |= LIBVIRQ_GICV3_PENDING_SAVED;
	}
	if (o->flags & VIRQ_GICV3_OPT_ITS) {
		ret = libvirq_set_attr(chip->fd, VIRQ_GICV3_GRP_CTRL,
				       VIRQ_GICV3_CTRL_ITS_SAVE_TABLES, NULL, 0);
		if (ret)
			return lv_fail(e, ret, "GICV3_ITS",
				       "VIRQ_GICV3_CTRL_ITS_SAVE_TABLES: %s%s",
				       strerror(-ret),
				       ret == -EFAULT ? LV_GIC_NOT_IN_MEMORY("an ITS table") : "");
		st->gic_flags |= LIBVIRQ_GICV3_ITS_SAVED;
	}
	ret = lv_gic_scan(chip->fd, false, VIRQ_GICV3_GRP_DIST_REGS, 0,
			  LV_GICD_CTL_END, st->dist_regs, &st->nr_dist_regs,
			  LIBVIRQ_GICV3_MAX_REGS, "GICV3_DIST", "distributor",
			  e);
	if (!ret)
		ret = lv_gic_scan(chip->fd, false, VIRQ_GICV3_GRP_DIST_REGS,
				  LV_GIC_ID_REGS, LV_GIC_FRAME, st->dist_regs,
				  &st->nr_dist_regs, LIBVIRQ_GICV3_MAX_REGS,
				  "GICV3_DIST", "distributor", e);
	return ret;
}

static int lv_save_gicv3_its(const struct libvirq_chip *chip,
			     struct libvirq_state *st, struct libvirq_err *e)
{
	int ret;

	if (!(st->cfg.gicv3.flags & VIRQ_GICV3_OPT_ITS))
		return 0;
	ret = lv_gic_scan(chip->fd, false, VIRQ_GICV3_GRP_ITS_REGS, 0,
			  LV_GITS_CTL_END, st->its_regs, &st->nr_its_regs,
			  LIBVIRQ_GICV3_MAX_REGS, "GICV3_ITS", "ITS", e);
	if (!ret)
		ret = lv_gic_scan(chip->fd, false, VIRQ_GICV3_GRP_ITS_REGS,
				  LV_GIC_ID_REGS, LV_GIC_FRAME, st->its_regs,
				  &st->nr_its_regs, LIBVIRQ_GICV3_MAX_REGS,
				  "GICV3_ITS", "ITS", e);
	return ret;
}

int libvirq_save(const struct libvirq_chip *chip, struct libvirq_state *st,
		 const struct libvirq_progress *p, struct libvirq_err *e)
{
	const struct libvirq_config *cfg = &chip->cfg;
	struct virq_family_info fi;
	struct virq_api api;
	__u32 i, n, size;
	int ret;

	memset(st, 0, sizeof(*st));
	if (cfg->family != VIRQ_FAMILY_X86 && cfg->family != VIRQ_FAMILY_XICS &&
	    cfg->family != VIRQ_FAMILY_GICV3)
		return lv_fail(e, EOPNOTSUPP, "CONFIG",
			       "family %u: libvirq saves x86, gicv3 and xics only",
			       cfg->family);
	ret = libvirq_get_api(chip->fd, &api);
	if (!ret)
		ret = libvirq_get_family(chip->fd, cfg->family, &fi);
	if (ret)
		return lv_fail(e, ret, "CONFIG", "VIRQ_GET_API/FAMILY: %s",
			       strerror(-ret));
	if (fi.source_word_version != LV_SOURCE_WORD_VERSION)
		return lv_fail(e, EPROTO, "SOURCES",
			       "the module's source word version %u is not one this libvirq knows (%u)",
			       fi.source_word_version,
			       LV_SOURCE_WORD_VERSION);

	st->format_version = LIBVIRQ_FORMAT_VERSION;
	st->cfg = *cfg;
	st->source_word_version = fi.source_word_version;
	snprintf(st->info, sizeof(st->info),
		 "writer=libvirq %d\napi_version=%u\nfamily=%s\n",
		 LIBVIRQ_VERSION, api.version,
		 libvirq_family_name(cfg->family));
	ret = lv_state_alloc(st, chip->nr_vcpus);
	if (ret) {
		libvirq_state_free(st);
		return lv_fail(e, ret, "", "out of memory");
	}
	if (cfg->family == VIRQ_FAMILY_GICV3) {
		ret = lv_save_gicv3_chip(chip, st, e);
		if (ret)
			goto err;
	}

	for (i = 0; i < chip->nr_vcpus; i++) {
		const struct libvirq_vcpu *v = &chip->vcpus[i];
		struct libvirq_vcpu_state *vs = &st->vcpus[i];

		vs->index = v->index;
		vs->arch_id = v->arch_id;
		if (cfg->family == VIRQ_FAMILY_X86) {
			ret = lv_save_x86_vcpu(v, vs, e);
		} else if (cfg->family == VIRQ_FAMILY_GICV3) {
			ret = lv_save_gicv3_vcpu(v, vs, e);
		} else {
			size = sizeof(vs->icp);
			ret = libvirq_vcpu_get_attr(v->fd, VIRQ_XICS_GRP_ICP, 0,
						    &vs->icp, &size);
			if (ret)
				lv_fail(e, ret, "XICS_ICP",
					"vCPU %u: VIRQ_XICS_GRP_ICP: %s",
					v->index, strerror(-ret));
		}
		if (ret)
			goto err;
		lv_progress(p, "vCPUs", i + 1, chip->nr_vcpus);
	}
	qsort(st->vcpus, st->nr_vcpus, sizeof(*st->vcpus), lv_cmp_vcpu);
	for (i = 1; i < st->nr_vcpus; i++)
		if (st->vcpus[i].index == st->vcpus[i - 1].index) {
			ret = lv_fail(e, EINVAL, "VCPUS",
				      "vCPU index %u given twice",
				      st->vcpus[i].index);
			goto err;
		}

	if (cfg->family == VIRQ_FAMILY_X86) {
		ret = lv_save_x86_chip(chip, st, p, e);
		if (ret)
			goto err;
	}

	/* GICv3: the SPIs (the private INTIDs are the vCPUs') */
	i = cfg->family == VIRQ_FAMILY_GICV3 ? VIRQ_GICV3_NR_PRIVATE : 0;
	for (; i < cfg->nr_sources; i += n) {
		n = cfg->nr_sources - i;
		if (n > VIRQ_SOURCES_MAX)
			n = VIRQ_SOURCES_MAX;
		ret = libvirq_get_sources(chip->fd, i, n, st->sources + i);
		if (ret) {
			lv_fail(e, ret, "SOURCES",
				"sources %u-%u: VIRQ_GET_SOURCES: %s", i,
				i + n - 1, strerror(-ret));
			goto err;
		}
		lv_progress(p, "sources", i + n, cfg->nr_sources);
	}
	if (cfg->family == VIRQ_FAMILY_GICV3) {
		ret = lv_save_gicv3_its(chip, st, e);
		if (ret)
			goto err;
	}
	return 0;
err:
	libvirq_state_free(st);
	return ret;
}

/* --- encode --------------------------------------------------------------- */

/* CONFIG: the options as created (x86_options), not resolved */
static void lv_put_config(struct lv_wbuf *w, const struct libvirq_config *c)
{
	const struct virq_x86_options *o = &c->x86_options;
	__u32 i, opt = 0;

	if (c->family == VIRQ_FAMILY_X86)
		opt = LV_X86_OPT_SIZE + LV_X86_IOAPIC_CFG * o->nr_ioapics;
	if (c->family == VIRQ_FAMILY_GICV3)
		opt = LV_GICV3_OPT_SIZE;
	wb_sec_begin(w, LIBVIRQ_SEC_CONFIG, LIBVIRQ_SEC_REQUIRED, 1);
	wb_u32(w, c->family);
	wb_u32(w, c->nr_vcpus);
	wb_u32(w, c->nr_sources);
	wb_u32(w, 0);
	wb_u32(w, opt);
	wb_u32(w, 0);
	if (c->family == VIRQ_FAMILY_X86) {
		wb_u32(w, o->flags);
		wb_u32(w, o->nr_ioapics);
		wb_u32(w, o->nr_irtes);
		wb_u32(w, 0);
		for (i = 0; i < o->nr_ioapics; i++) {
			wb_u64(w, o->ioapics[i].base);
			wb_u32(w, o->ioapics[i].gsi_base);
			wb_u8(w, o->ioapics[i].nr_pins);
			wb_u8(w, o->ioapics[i].id);
			wb_u16(w, o->ioapics[i].source_id);
		}
	}
	if (c->family == VIRQ_FAMILY_GICV3) {
		const struct virq_gicv3_options *g = &c->gicv3_options;

		wb_u32(w, g->flags);
		wb_u32(w, g->lpi_bits);
		wb_u64(w, g->dist_base);
		wb_u64(w, g->redist_base);
		wb_u64(w, g->its_base);
		for (i = 0; i < LV_ARRAY_SIZE(g->reserved); i++)
			wb_u64(w, g->reserved[i]);
	}
	wb_sec_end(w);
}

/* The head of a table section: nr entries follow */
static void lv_put_table(struct lv_wbuf *w, __u16 type, __u32 nr)
{
	wb_sec_begin(w, type, LIBVIRQ_SEC_REQUIRED, 1);
	wb_u32(w, nr);
	wb_u32(w, 0);
}

/* The head of a vCPU's entry: index, reserved (VCPUS: flags), arch_id */
static void lv_put_vcpu_entry(struct lv_wbuf *w,
			      const struct libvirq_vcpu_state *v)
{
	wb_u32(w, v->index);
	wb_u32(w, 0);
	wb_u64(w, v->arch_id);
}

/*
 * A table with an entry per vCPU (VCPUS, XICS_ICP, X86_TSC): each the
 * entry head, then what @fields (NULL: nothing) writes of that vCPU
 */
static void lv_put_vcpu_table(struct lv_wbuf *w, __u16 type,
			      const struct libvirq_state *st,
			      void (*fields)(struct lv_wbuf *w,
					     const struct libvirq_vcpu_state *v))
{
	__u32 i;

	lv_put_table(w, type, st->nr_vcpus);
	for (i = 0; i < st->nr_vcpus; i++) {
		lv_put_vcpu_entry(w, &st->vcpus[i]);
		if (fields)
			fields(w, &st->vcpus[i]);
	}
	wb_sec_end(w);
}

static void lv_put_regs(struct lv_wbuf *w, const struct libvirq_reg *r,
			__u32 nr)
{
	__u32 i;

	for (i = 0; i < nr; i++) {
		wb_u32(w, r[i].off);
		wb_u32(w, r[i].size);
		wb_u64(w, r[i].val);
	}
}

/* GICV3_DIST, a GICV3_VCPU per vCPU (SOURCES and GICV3_ITS come later) */
static void lv_put_gicv3(struct lv_wbuf *w, const struct libvirq_state *st)
{
	const struct libvirq_gicv3_vcpu *g;
	__u32 i, k;

	wb_sec_begin(w, LIBVIRQ_SEC_GICV3_DIST, LIBVIRQ_SEC_REQUIRED, 1);
	wb_u32(w, st->gic_flags);
	wb_u32(w, st->nr_dist_regs);
	lv_put_regs(w, st->dist_regs, st->nr_dist_regs);
	wb_sec_end(w);
	for (i = 0; i < st->nr_vcpus; i++) {
		g = &st->vcpus[i].gic;
		wb_sec_begin(w, LIBVIRQ_SEC_GICV3_VCPU, LIBVIRQ_SEC_REQUIRED,
			     1);
		lv_put_vcpu_entry(w, &st->vcpus[i]);
		wb_u32(w, g->nr_redist);
		wb_u32(w, g->nr_sysregs);
		lv_put_regs(w, g->redist, g->nr_redist);
		lv_put_regs(w, g->sysregs, g->nr_sysregs);
		for (k = 0; k < VIRQ_GICV3_NR_PRIVATE; k++)
			wb_u64(w, g->priv[k]);
		wb_sec_end(w);
	}
}

static void lv_put_gicv3_its(struct lv_wbuf *w,
			     const struct libvirq_state *st)
{
	if (!(st->cfg.gicv3.flags & VIRQ_GICV3_OPT_ITS))
		return;
	lv_put_table(w, LIBVIRQ_SEC_GICV3_ITS, st->nr_its_regs);
	lv_put_regs(w, st->its_regs, st->nr_its_regs);
	wb_sec_end(w);
}

static void lv_put_icp(struct lv_wbuf *w, const struct libvirq_vcpu_state *v)
{
	wb_u64(w, v->icp);
}

static void lv_put_tsc(struct lv_wbuf *w, const struct libvirq_vcpu_state *v)
{
	wb_u64(w, v->tsc.tsc_khz);
	wb_u64(w, v->tsc.offset);
}

static void lv_put_lapic(struct lv_wbuf *w, const struct libvirq_vcpu_state *v)
{
	const struct virq_x86_lapic_state *l = &v->lapic;

	wb_sec_begin(w, LIBVIRQ_SEC_X86_LAPIC, LIBVIRQ_SEC_REQUIRED, 1);
	lv_put_vcpu_entry(w, v);
	wb_u32(w, l->version);
	wb_u32(w, l->events);
	wb_u64(w, l->apic_base);
	wb_bytes(w, l->regs, sizeof(l->regs));	/* little-endian already */
	wb_u32(w, l->sipi_vector);
	wb_u32(w, l->padding);
	wb_u64(w, l->tsc_deadline);
	wb_u64(w, l->timer_guest_tsc);
	wb_u64(w, l->timer_expiry_tsc);
	wb_sec_end(w);
}

static void lv_put_pic(struct lv_wbuf *w, const struct virq_x86_pic_state *s)
{
	int i;

	wb_sec_begin(w, LIBVIRQ_SEC_X86_PIC, LIBVIRQ_SEC_REQUIRED, 1);
	wb_u32(w, s->version);
	wb_u32(w, s->padding);
	for (i = 0; i < 2; i++) {
		const struct virq_x86_kvm_pic *k = &s->pics[i];

		wb_u8(w, k->last_irr);
		wb_u8(w, k->irr);
		wb_u8(w, k->imr);
		wb_u8(w, k->isr);
		wb_u8(w, k->priority_add);
		wb_u8(w, k->irq_base);
		wb_u8(w, k->read_reg_select);
		wb_u8(w, k->poll);
		wb_u8(w, k->special_mask);
		wb_u8(w, k->init_state);
		wb_u8(w, k->auto_eoi);
		wb_u8(w, k->rotate_on_auto_eoi);
		wb_u8(w, k->special_fully_nested_mode);
		wb_u8(w, k->init4);
		wb_u8(w, k->elcr);
		wb_u8(w, k->elcr_mask);
	}
	wb_sec_end(w);
}

static void lv_put_ioapic(struct lv_wbuf *w, __u32 index,
			  const struct virq_x86_ioapic_state *s)
{
	int i;

	wb_sec_begin(w, LIBVIRQ_SEC_X86_IOAPIC, LIBVIRQ_SEC_REQUIRED, 1);
	wb_u32(w, index);
	wb_u32(w, 0);
	wb_u32(w, s->version);
	wb_u32(w, s->nr_pins);
	wb_u64(w, s->kvm.base_address);
	wb_u32(w, s->kvm.ioregsel);
	wb_u32(w, s->kvm.id);
	wb_u32(w, s->kvm.irr);
	wb_u32(w, s->kvm.pad);
	for (i = 0; i < 24; i++)
		wb_u64(w, s->kvm.redirtbl[i]);
	for (i = 0; i < 4; i++)
		wb_u64(w, s->irr_ext[i]);
	for (i = 0; i < VIRQ_X86_IOAPIC_MAX_PINS - 24; i++)
		wb_u64(w, s->redirtbl_ext[i]);
	for (i = 0; i < 4; i++)
		wb_u64(w, s->level[i]);
	wb_sec_end(w);
}

static void lv_put_route(struct lv_wbuf *w, const struct virq_route *r)
{
	int i;

	wb_u32(w, r->gsi);
	wb_u32(w, r->type);
	wb_u32(w, r->flags);
	wb_u32(w, r->pad);
	for (i = 0; i < 8; i++)
		wb_u32(w, r->u.pad[i]);
}

static bool lv_irte_zero(const struct virq_x86_irte *t)
{
	return !t->lo && !t->hi;
}

/*
 * Runs of non-default items in [@lo, @hi): a gap of more than @gap
 * default items ends a run (a section header costs about that much).
 * Calls @emit for each run; returns nothing.
 */
static void lv_runs(struct lv_wbuf *w, const struct libvirq_state *st,
		    __u32 lo, __u32 hi, __u32 gap,
		    bool (*is_default)(const struct libvirq_state *st, __u32 i),
		    void (*emit)(struct lv_wbuf *w,
				 const struct libvirq_state *st,
				 __u32 first, __u32 end))
{
	__u32 i, first, last;

	for (i = lo; i < hi;) {
		while (i < hi && is_default(st, i))
			i++;
		if (i == hi)
			break;
		first = i;
		last = i;
		for (i++; i < hi && i - last <= gap; i++)
			if (!is_default(st, i))
				last = i;
		emit(w, st, first, last + 1);
		i = last + 1;
	}
}

static bool lv_irte_default(const struct libvirq_state *st, __u32 i)
{
	return lv_irte_zero(&st->irtes[i]);
}

static void lv_put_irte_run(struct lv_wbuf *w, const struct libvirq_state *st,
			    __u32 first, __u32 end)
{
	__u32 i;

	wb_sec_begin(w, LIBVIRQ_SEC_X86_IRTE, LIBVIRQ_SEC_REQUIRED, 1);
	wb_u32(w, first);
	wb_u32(w, end - first);
	for (i = first; i < end; i++) {
		wb_u64(w, st->irtes[i].lo);
		wb_u64(w, st->irtes[i].hi);
	}
	wb_sec_end(w);
}

static bool lv_source_default(const struct libvirq_state *st, __u32 i)
{
	if (lv_gic_nonspi(st, i))
		return true;
	return st->sources[i] == libvirq_fresh_word(st->cfg.family);
}

static void lv_put_source_run(struct lv_wbuf *w,
			      const struct libvirq_state *st, __u32 first,
			      __u32 end)
{
	__u32 i;

	wb_sec_begin(w, LIBVIRQ_SEC_SOURCES, LIBVIRQ_SEC_REQUIRED,
		     st->source_word_version);
	wb_u32(w, first);
	wb_u32(w, end - first);
	for (i = first; i < end; i++)
		wb_u64(w, st->sources[i]);
	wb_sec_end(w);
}

/* X86_IRTE sections: the runs of non-zero entries, in 4096-entry chunks */
static void lv_put_irtes(struct lv_wbuf *w, const struct libvirq_state *st)
{
	__u32 nr = st->cfg.x86.nr_irtes, c, hi;

	for (c = 0; c < nr; c += LV_IRTE_CHUNK) {
		hi = c + LV_IRTE_CHUNK < nr ? c + LV_IRTE_CHUNK : nr;
		lv_runs(w, st, c, hi, 2, lv_irte_default, lv_put_irte_run);
	}
}

/* SOURCES sections: the runs of non-fresh words, within 64K chunks */
static void lv_put_sources(struct lv_wbuf *w, const struct libvirq_state *st)
{
	__u32 nr = st->cfg.nr_sources, c, hi;

	for (c = 0; c < nr; c += VIRQ_SOURCES_MAX) {
		hi = c + VIRQ_SOURCES_MAX < nr ? c + VIRQ_SOURCES_MAX : nr;
		lv_runs(w, st, c, hi, 4, lv_source_default,
			lv_put_source_run);
	}
}

int libvirq_encode(const struct libvirq_state *st, void **buf, size_t *len,
		   struct libvirq_err *e)
{
	struct lv_wbuf w = { 0 };
	__u32 i, crc;
	size_t n;

	if (st->format_version != LIBVIRQ_FORMAT_VERSION)
		return lv_fail(e, EINVAL, "header",
			       "libvirq writes format version %d only, not %u",
			       LIBVIRQ_FORMAT_VERSION, st->format_version);
	wb_bytes(&w, lv_magic, sizeof(lv_magic));
	wb_u32(&w, st->format_version);
	wb_u32(&w, LV_HDR_SIZE);
	wb_u32(&w, st->cfg.family);
	wb_u32(&w, 0);		/* nr_sections, patched below */
	wb_u32(&w, 0);		/* flags */
	wb_u32(&w, 0);		/* CRC32C, patched below */

	lv_put_config(&w, &st->cfg);
	lv_put_vcpu_table(&w, LIBVIRQ_SEC_VCPUS, st, NULL);

	n = strnlen(st->info, sizeof(st->info));
	if (n) {
		wb_sec_begin(&w, LIBVIRQ_SEC_INFO, 0, 1);
		wb_bytes(&w, st->info, n);
		wb_sec_end(&w);
	}

	if (st->cfg.family == VIRQ_FAMILY_XICS) {
		lv_put_vcpu_table(&w, LIBVIRQ_SEC_XICS_ICP, st, lv_put_icp);
	} else if (st->cfg.family == VIRQ_FAMILY_GICV3) {
		lv_put_gicv3(&w, st);
	} else {
		lv_put_vcpu_table(&w, LIBVIRQ_SEC_X86_TSC, st, lv_put_tsc);
		for (i = 0; i < st->nr_vcpus; i++)
			lv_put_lapic(&w, &st->vcpus[i]);
		if (!(st->cfg.x86.flags & VIRQ_X86_OPT_NO_PIC))
			lv_put_pic(&w, &st->pic);
		for (i = 0; i < st->cfg.x86.nr_ioapics; i++)
			lv_put_ioapic(&w, i, &st->ioapics[i]);
		lv_put_irtes(&w, st);
		lv_put_table(&w, LIBVIRQ_SEC_X86_ROUTES, st->nr_routes);
		for (i = 0; i < st->nr_routes; i++)
			lv_put_route(&w, &st->routes[i]);
		wb_sec_end(&w);
	}
	lv_put_sources(&w, st);
	if (st->cfg.family == VIRQ_FAMILY_GICV3)
		lv_put_gicv3_its(&w, st);

	if (w.oom) {
		free(w.p);
		return lv_fail(e, ENOMEM, "", "out of memory (or a section over 4 GiB)");
	}
	put_le(w.p + 20, w.nr_sec, 4);
	crc = libvirq_crc32c(0, w.p, LV_HDR_SIZE - 4);
	put_le(w.p + LV_HDR_SIZE - 4, crc, 4);
	*buf = w.p;
	*len = w.len;
	return 0;
}

/* --- decode --------------------------------------------------------------- */

/* Decoding context: the state being built and what was seen */
struct lv_dec {
	struct libvirq_state *st;
	struct libvirq_err *e;
	char where[64];		/* "section 5 (X86_LAPIC) at 0x1234" */
	const char *name;	/* section name for libvirq_err.section */
	__u8 *src_seen;		/* per source: covered by a SOURCES section */
	__u8 *irte_seen;
	__u64 *ids;		/* the vCPUs' arch ids, sorted */
	bool ioapic_seen[VIRQ_X86_MAX_IOAPICS];
	bool seen_icp, seen_tsc, seen_pic, seen_routes;
	bool seen_gic_dist, seen_gic_its;
};

#define DFAIL(d, fmt, ...) \
	lv_fail((d)->e, EINVAL, (d)->name, "%s: " fmt, (d)->where, \
		##__VA_ARGS__)

/*
 * libvirq_vcpu_state.flags while decoding: the vCPU's entries seen so
 * far (cleared by lv_dec_complete())
 */
#define LV_HAVE_TABLE	(1U << 0)	/* its XICS_ICP or X86_TSC entry */
#define LV_HAVE_LAPIC	(1U << 1)	/* its X86_LAPIC section */
#define LV_HAVE_GIC	(1U << 2)	/* its GICV3_VCPU section */

/* A section that may appear once: *@seen says whether it did */
static int lv_dec_once(struct lv_dec *d, bool *seen)
{
	if (*seen)
		return DFAIL(d, "a second %s section", d->name);
	*seen = true;
	return 0;
}

/*
 * The head of a table section (VCPUS, XICS_ICP, X86_TSC, X86_ROUTES):
 * nr and a reserved word, then nr entries of @size bytes, the whole
 * payload
 */
static int lv_dec_table(struct lv_dec *d, struct lv_rbuf *r, size_t size,
			__u32 *nr)
{
	__u32 reserved;

	*nr = rb_u32(r);
	reserved = rb_u32(r);
	if (r->bad || r->len != 8 + (__u64)*nr * size)
		return DFAIL(d, "field nr: %u entries, but %zu bytes", *nr,
			     r->len);
	if (reserved)
		return DFAIL(d, "field reserved (offset 4): %#x, must be 0",
			     reserved);
	return 0;
}

static int lv_dec_config(struct lv_dec *d, struct lv_rbuf *r, __u32 family)
{
	struct libvirq_config *c = &d->st->cfg;
	struct virq_x86_options *o = &c->x86_options;
	__u32 opt, i, reserved, reserved2;
	char why[LIBVIRQ_MSG_MAX / 2];

	c->family = rb_u32(r);
	c->nr_vcpus = rb_u32(r);
	c->nr_sources = rb_u32(r);
	reserved = rb_u32(r);
	opt = rb_u32(r);
	reserved2 = rb_u32(r);
	if (r->bad)
		return DFAIL(d, "shorter than its %d-byte fixed part",
			     LV_CONFIG_SIZE);
	if (c->family != family)
		return DFAIL(d, "field family: %u, but the header says %u",
			     c->family, family);
	if (reserved || reserved2)
		return DFAIL(d, "field reserved (offset %d): %#x, must be 0",
			     reserved ? 12 : 20, reserved ? reserved : reserved2);
	if (!c->nr_vcpus || c->nr_vcpus > LV_MAX_VCPUS)
		return DFAIL(d, "field nr_vcpus: %u (1..%u)", c->nr_vcpus,
			     LV_MAX_VCPUS);
	if (!c->nr_sources || c->nr_sources > LV_MAX_SOURCES)
		return DFAIL(d, "field nr_sources: %u (1..%u)", c->nr_sources,
			     LV_MAX_SOURCES);
	if (r->len != LV_CONFIG_SIZE + (size_t)opt)
		return DFAIL(d, "field options_size: %u, but the payload has %zu bytes of options",
			     opt, r->len - LV_CONFIG_SIZE);

	if (family == VIRQ_FAMILY_XICS) {
		if (opt)
			return DFAIL(d, "field options_size: %u, xics takes no options",
				     opt);
		if (c->nr_sources % VIRQ_XICS_ICS_SIZE)
			return DFAIL(d, "field nr_sources: %u is not a multiple of %u",
				     c->nr_sources, VIRQ_XICS_ICS_SIZE);
		return 0;
	}
	if (family == VIRQ_FAMILY_GICV3) {
		struct virq_gicv3_options *g = &c->gicv3_options;

		if (opt != LV_GICV3_OPT_SIZE)
			return DFAIL(d, "field options_size: %u, gicv3 options have %d bytes",
				     opt, LV_GICV3_OPT_SIZE);
		g->flags = rb_u32(r);
		g->lpi_bits = rb_u32(r);
		g->dist_base = rb_u64(r);
		g->redist_base = rb_u64(r);
		g->its_base = rb_u64(r);
		for (i = 0; i < LV_ARRAY_SIZE(g->reserved); i++)
			g->reserved[i] = rb_u64(r);
		if (lv_gicv3_resolve(g, c->nr_sources, &c->gicv3, why,
				     sizeof(why)))
			return DFAIL(d, "gicv3 options: %s", why);
		return 0;
	}

	o->flags = rb_u32(r);
	o->nr_ioapics = rb_u32(r);
	o->nr_irtes = rb_u32(r);
	o->padding = rb_u32(r);
	if (r->bad || opt != LV_X86_OPT_SIZE + LV_X86_IOAPIC_CFG *
	    (__u64)o->nr_ioapics)
		return DFAIL(d, "x86 options: %u bytes for %u IOAPICs", opt,
			     o->nr_ioapics);
	for (i = 0; i < o->nr_ioapics; i++) {
		struct virq_x86_ioapic_config *a = &o->ioapics[i];

		a->base = rb_u64(r);
		a->gsi_base = rb_u32(r);
		a->nr_pins = rb_u8(r);
		a->id = rb_u8(r);
		a->source_id = rb_u16(r);
	}
	/* the rules of VIRQ_CREATE_CHIP, and the layout they give */
	if (lv_x86_resolve(o, c->nr_sources, &c->x86, why, sizeof(why)))
		return DFAIL(d, "%s", why);
	return 0;
}

static struct libvirq_vcpu_state *lv_find_vcpu(struct libvirq_state *st,
					       __u32 index)
{
	__u32 lo = 0, hi = st->nr_vcpus, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (st->vcpus[mid].index == index)
			return &st->vcpus[mid];
		if (st->vcpus[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int lv_cmp_u64(const void *a, const void *b)
{
	const __u64 *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static int lv_dec_vcpus(struct lv_dec *d, struct lv_rbuf *r)
{
	struct libvirq_state *st = d->st;
	__u32 nr, i, flags;
	int ret;

	ret = lv_dec_table(d, r, LV_VCPU_SIZE, &nr);
	if (ret)
		return ret;
	if (nr > st->cfg.nr_vcpus)
		return DFAIL(d, "%u vCPUs, but the configuration has nr_vcpus %u",
			     nr, st->cfg.nr_vcpus);
	ret = lv_state_alloc(st, nr);
	if (ret)
		return lv_fail(d->e, ret, d->name, "out of memory");
	for (i = 0; i < nr; i++) {
		struct libvirq_vcpu_state *v = &st->vcpus[i];

		v->index = rb_u32(r);
		flags = rb_u32(r);
		v->arch_id = rb_u64(r);
		if (flags)
			return DFAIL(d, "vCPU %u field flags: %#x, must be 0",
				     i, flags);
		if (v->index >= st->cfg.nr_vcpus)
			return DFAIL(d, "vCPU %u field index: %u, beyond nr_vcpus %u",
				     i, v->index, st->cfg.nr_vcpus);
		if (i && v->index <= st->vcpus[i - 1].index)
			return DFAIL(d, "vCPU %u field index: %u, not in increasing order",
				     i, v->index);
		if (st->cfg.family == VIRQ_FAMILY_X86 &&
		    v->arch_id >= 0xffffffffULL)
			return DFAIL(d, "vCPU %u field arch_id: %#llx is not an APIC id",
				     v->index, (unsigned long long)v->arch_id);
		if (st->cfg.family == VIRQ_FAMILY_GICV3) {
			if (v->arch_id & ~VIRQ_GICV3_MPIDR_MASK)
				return DFAIL(d, "vCPU %u field arch_id: %#llx is not an MPIDR affinity",
					     v->index,
					     (unsigned long long)v->arch_id);
		} else if (v->arch_id > 0xffffffffULL) {
			return DFAIL(d, "vCPU %u field arch_id: %#llx does not fit 32 bits",
				     v->index, (unsigned long long)v->arch_id);
		}
	}
	d->ids = calloc(nr ? nr : 1, sizeof(*d->ids));
	if (!d->ids)
		return lv_fail(d->e, ENOMEM, d->name, "out of memory");
	for (i = 0; i < nr; i++)
		d->ids[i] = st->vcpus[i].arch_id;
	qsort(d->ids, nr, sizeof(*d->ids), lv_cmp_u64);
	for (i = 1; i < nr; i++)
		if (d->ids[i] == d->ids[i - 1])
			return DFAIL(d, "two vCPUs have the same arch_id %#llx",
				     (unsigned long long)d->ids[i]);
	return 0;
}

/*
 * The head of a per-vCPU entry (index, reserved, arch_id): the vCPU it
 * is for, which VCPUS must list with the same arch_id, and no earlier
 * entry of kind @have (LV_HAVE_*) name.  NULL with *@ret on failure.
 */
static struct libvirq_vcpu_state *lv_dec_vcpu_entry(struct lv_dec *d,
						    struct lv_rbuf *r,
						    __u32 have, int *ret)
{
	struct libvirq_vcpu_state *v;
	__u32 index, reserved;
	__u64 arch_id;

	index = rb_u32(r);
	reserved = rb_u32(r);
	arch_id = rb_u64(r);
	v = lv_find_vcpu(d->st, index);
	*ret = 0;
	if (reserved)
		*ret = DFAIL(d, "vCPU %u field reserved: %#x, must be 0",
			     index, reserved);
	else if (!v)
		*ret = DFAIL(d, "vCPU index %u is not in the VCPUS section",
			     index);
	else if (v->arch_id != arch_id)
		*ret = DFAIL(d, "vCPU %u: arch_id %#llx, but VCPUS says %#llx",
			     index, (unsigned long long)arch_id,
			     (unsigned long long)v->arch_id);
	else if (v->flags & have)
		*ret = DFAIL(d, "vCPU %u listed twice", index);
	if (*ret)
		return NULL;
	v->flags |= have;
	return v;
}

/*
 * A table with an entry per vCPU of VCPUS (XICS_ICP, X86_TSC), once:
 * each entry the head, then @size - LV_VCPU_SIZE bytes that @fields
 * decodes
 */
static int lv_dec_vcpu_table(struct lv_dec *d, struct lv_rbuf *r,
			     bool *seen, size_t size,
			     int (*fields)(struct lv_dec *d, struct lv_rbuf *r,
					   struct libvirq_vcpu_state *v))
{
	struct libvirq_vcpu_state *v;
	__u32 nr = 0, i;
	int ret;

	ret = lv_dec_once(d, seen);
	if (!ret)
		ret = lv_dec_table(d, r, size, &nr);
	if (!ret && nr != d->st->nr_vcpus)
		ret = DFAIL(d, "field nr: %u, VCPUS has %u", nr,
			    d->st->nr_vcpus);
	for (i = 0; !ret && i < nr; i++) {
		v = lv_dec_vcpu_entry(d, r, LV_HAVE_TABLE, &ret);
		if (v)
			ret = fields(d, r, v);
	}
	return ret;
}

static bool lv_server_known(const struct lv_dec *d, __u32 server)
{
	__u64 key = server;

	return bsearch(&key, d->ids, d->st->nr_vcpus, sizeof(key),
		       lv_cmp_u64);
}

#define LV_XICS_WORD_VALID	(0xffffffffULL | 0xffULL << 32 | \
				 VIRQ_XICS_LEVEL_SENSITIVE | \
				 VIRQ_XICS_MASKED | VIRQ_XICS_PENDING | \
				 VIRQ_XICS_PRESENTED | VIRQ_XICS_QUEUED | \
				 VIRQ_XICS_ASSERTED | VIRQ_XICS_MSI | \
				 VIRQ_XICS_MSI_FIRST)

/* The checks VIRQ_SET_SOURCES makes (xics.rst), or NULL if fine */
static const char *lv_xics_word_bad(const struct lv_dec *d, __u32 src,
				    __u64 w)
{
	__u32 server = w & VIRQ_XICS_DESTINATION_MASK;
	__u8 prio = w >> VIRQ_XICS_PRIORITY_SHIFT;

	if (w & ~LV_XICS_WORD_VALID)
		return "reserved bits set";
	if (w == libvirq_fresh_word(VIRQ_FAMILY_XICS))
		return NULL;
	if (src < VIRQ_XICS_FIRST_SOURCE)
		return "a reserved source that is not fresh";
	if ((w & VIRQ_XICS_LEVEL_SENSITIVE) &&
	    (w & (VIRQ_XICS_QUEUED | VIRQ_XICS_MSI)))
		return "LEVEL_SENSITIVE with QUEUED or MSI";
	if ((w & VIRQ_XICS_QUEUED) &&
	    !(w & (VIRQ_XICS_PRESENTED | VIRQ_XICS_PENDING)))
		return "QUEUED without PRESENTED or PENDING";
	if ((w & VIRQ_XICS_MSI_FIRST) && !(w & VIRQ_XICS_MSI))
		return "MSI_FIRST without MSI";
	if (prio != VIRQ_XICS_PRIORITY_MASKED && !lv_server_known(d, server))
		return "destination is no vCPU of the file";
	return NULL;
}

#define LV_GIC_WORD_VALID	(0xffffffff00000000ULL | 0xf8ULL | \
				 VIRQ_GICV3_SRC_ENABLED | \
				 VIRQ_GICV3_SRC_PENDING | \
				 VIRQ_GICV3_SRC_ACTIVE | VIRQ_GICV3_SRC_EDGE | \
				 VIRQ_GICV3_SRC_GROUP1 | \
				 VIRQ_GICV3_SRC_LEVEL_USER | \
				 VIRQ_GICV3_SRC_LEVEL_RESAMPLE | \
				 VIRQ_GICV3_SRC_IRM)

/*
 * The layout checks of a GICv3 state word (gicv3.rst; the kernel checks
 * the rest in the dry run): an SPI's, or (@priv) a private INTID's,
 * which has no route and no IRM
 */
static const char *lv_gic_word_bad(__u64 w, bool priv)
{
	if (w & ~LV_GIC_WORD_VALID)
		return "reserved bits set (bits 31:16, or priority bits 2:0)";
	if (priv && (w >> VIRQ_GICV3_SRC_ROUTE_SHIFT ||
		     (w & VIRQ_GICV3_SRC_IRM)))
		return "a route or IRM on a private INTID";
	return NULL;
}

static int lv_dec_sources(struct lv_dec *d, struct lv_rbuf *r,
			  __u16 version)
{
	struct libvirq_state *st = d->st;
	__u32 first, count, i;
	const char *why;
	__u64 w;

	first = rb_u32(r);
	count = rb_u32(r);
	if (r->bad || r->len != 8 + (__u64)count * 8)
		return DFAIL(d, "field count: %u words, but %zu bytes", count,
			     r->len);
	if (!count || (__u64)first + count > st->cfg.nr_sources)
		return DFAIL(d, "sources %u..%llu: outside 0..%u", first,
			     (unsigned long long)first + count - 1,
			     st->cfg.nr_sources - 1);
	if (st->source_word_version && st->source_word_version != version)
		return DFAIL(d, "source word version %u, another section has %u",
			     version, st->source_word_version);
	st->source_word_version = version;
	if (st->cfg.family == VIRQ_FAMILY_GICV3 &&
	    (lv_gic_nonspi(st, first) || lv_gic_nonspi(st, first + count - 1)))
		return DFAIL(d, "sources %u..%u: not all SPIs (32..%u)", first,
			     first + count - 1,
			     (st->cfg.nr_sources < 1020 ?
			      st->cfg.nr_sources : 1020) - 1);
	for (i = first; i < first + count; i++) {
		if (d->src_seen[i])
			return DFAIL(d, "source %u is in two SOURCES sections",
				     i);
		d->src_seen[i] = 1;
		w = rb_u64(r);
		st->sources[i] = w;
		if (st->cfg.family == VIRQ_FAMILY_X86) {
			if (w & ~(__u64)(VIRQ_X86_SRC_LEVEL_USER |
					 VIRQ_X86_SRC_LEVEL_RESAMPLE))
				return DFAIL(d, "source %u word %#llx: reserved bits set",
					     i, (unsigned long long)w);
			continue;
		}
		if (st->cfg.family == VIRQ_FAMILY_GICV3) {
			why = lv_gic_word_bad(w, false);
			if (why)
				return DFAIL(d, "SPI %u word %#llx: %s", i,
					     (unsigned long long)w, why);
			continue;
		}
		why = lv_xics_word_bad(d, i, w);
		if (why)
			return DFAIL(d, "source %#x word %#llx: %s", i,
				     (unsigned long long)w, why);
	}
	return 0;
}

/* The checks the ICP's VIRQ_VCPU_SET_ATTR makes (xics.rst) */
static const char *lv_icp_bad(const struct libvirq_state *st, __u64 w)
{
	__u32 xisr = (w >> VIRQ_XICS_ICP_XISR_SHIFT) & VIRQ_XICS_ICP_XISR_MASK;
	__u8 cppr = w >> VIRQ_XICS_ICP_CPPR_SHIFT;
	__u8 mfrr = w >> VIRQ_XICS_ICP_MFRR_SHIFT;
	__u8 ppri = w >> VIRQ_XICS_ICP_PPRI_SHIFT;

	if (w & 0xffff)
		return "reserved bits 15..0 set";
	if (!xisr)
		return ppri == 0xff ? NULL :
		       "XISR 0 with a pending priority other than 0xff";
	if (xisr == VIRQ_XICS_IPI)
		return ppri == mfrr && ppri < cppr ? NULL :
		       "IPI in XISR, pending priority not MFRR or not above CPPR";
	if (ppri >= mfrr || ppri >= cppr)
		return "pending priority not above both MFRR and CPPR";
	if (xisr < VIRQ_XICS_FIRST_SOURCE || xisr >= st->cfg.nr_sources)
		return "XISR is a reserved source or beyond nr_sources";
	return NULL;
}

/* An XICS_ICP entry: the ICP word */
static int lv_dec_icp(struct lv_dec *d, struct lv_rbuf *r,
		      struct libvirq_vcpu_state *v)
{
	const char *why;

	v->icp = rb_u64(r);
	why = lv_icp_bad(d->st, v->icp);
	if (why)
		return DFAIL(d, "server %#llx ICP word %#llx: %s",
			     (unsigned long long)v->arch_id,
			     (unsigned long long)v->icp, why);
	return 0;
}

/* An X86_TSC entry: tsc_khz and offset */
static int lv_dec_tsc(struct lv_dec *d, struct lv_rbuf *r,
		      struct libvirq_vcpu_state *v)
{
	v->tsc.tsc_khz = rb_u64(r);
	v->tsc.offset = (__s64)rb_u64(r);
	if (v->tsc.tsc_khz > LV_MAX_TSC_KHZ)
		return DFAIL(d, "APIC id %#llx field tsc_khz: %llu, above %llu",
			     (unsigned long long)v->arch_id,
			     (unsigned long long)v->tsc.tsc_khz,
			     LV_MAX_TSC_KHZ);
	return 0;
}

/* X86_LAPIC: a vCPU's entry head, then its LAPIC */
static int lv_dec_lapic(struct lv_dec *d, struct lv_rbuf *r)
{
	struct virq_x86_lapic_state *l;
	struct libvirq_vcpu_state *v;
	__u64 apic_id;
	__u32 id;
	int ret;

	if (r->len != LV_LAPIC_SIZE)
		return DFAIL(d, "%zu bytes, must be %d", r->len,
			     LV_LAPIC_SIZE);
	v = lv_dec_vcpu_entry(d, r, LV_HAVE_LAPIC, &ret);
	if (!v)
		return ret;
	apic_id = v->arch_id;
	l = &v->lapic;
	l->version = rb_u32(r);
	l->events = rb_u32(r);
	l->apic_base = rb_u64(r);
	rb_bytes(r, l->regs, sizeof(l->regs));
	l->sipi_vector = rb_u32(r);
	l->padding = rb_u32(r);
	l->tsc_deadline = rb_u64(r);
	l->timer_guest_tsc = rb_u64(r);
	l->timer_expiry_tsc = rb_u64(r);
	if (l->version != VIRQ_X86_STATE_VERSION)
		return DFAIL(d, "APIC id %#llx field version: %u, this libvirq knows %d",
			     (unsigned long long)apic_id, l->version,
			     VIRQ_X86_STATE_VERSION);
	if (l->padding)
		return DFAIL(d, "APIC id %#llx field padding: %#x, must be 0",
			     (unsigned long long)apic_id, l->padding);
	id = libvirq_lapic_reg(l, LV_LAPIC_ID);
	if ((l->apic_base & LV_APIC_BASE_EXTD) && id != apic_id)
		return DFAIL(d, "APIC id %#llx: x2APIC ID register %#x differs",
			     (unsigned long long)apic_id, id);
	return 0;
}

static int lv_dec_pic(struct lv_dec *d, struct lv_rbuf *r)
{
	struct virq_x86_pic_state *s = &d->st->pic;
	int i, ret;

	if (d->st->cfg.x86.flags & VIRQ_X86_OPT_NO_PIC)
		return DFAIL(d, "a PIC section, but the configuration has NO_PIC");
	ret = lv_dec_once(d, &d->seen_pic);
	if (ret)
		return ret;
	if (r->len != LV_PIC_SIZE)
		return DFAIL(d, "%zu bytes, must be %d", r->len, LV_PIC_SIZE);
	s->version = rb_u32(r);
	s->padding = rb_u32(r);
	for (i = 0; i < 2; i++) {
		struct virq_x86_kvm_pic *k = &s->pics[i];

		k->last_irr = rb_u8(r);
		k->irr = rb_u8(r);
		k->imr = rb_u8(r);
		k->isr = rb_u8(r);
		k->priority_add = rb_u8(r);
		k->irq_base = rb_u8(r);
		k->read_reg_select = rb_u8(r);
		k->poll = rb_u8(r);
		k->special_mask = rb_u8(r);
		k->init_state = rb_u8(r);
		k->auto_eoi = rb_u8(r);
		k->rotate_on_auto_eoi = rb_u8(r);
		k->special_fully_nested_mode = rb_u8(r);
		k->init4 = rb_u8(r);
		k->elcr = rb_u8(r);
		k->elcr_mask = rb_u8(r);
	}
	if (s->version != VIRQ_X86_STATE_VERSION)
		return DFAIL(d, "field version: %u, this libvirq knows %d",
			     s->version, VIRQ_X86_STATE_VERSION);
	if (s->padding)
		return DFAIL(d, "field padding: %#x, must be 0", s->padding);
	return 0;
}

static int lv_dec_ioapic(struct lv_dec *d, struct lv_rbuf *r)
{
	const struct virq_x86_options *o = &d->st->cfg.x86;
	struct virq_x86_ioapic_state *s;
	__u32 index, reserved;
	int i;

	if (r->len != LV_IOAPIC_SIZE)
		return DFAIL(d, "%zu bytes, must be %d", r->len,
			     LV_IOAPIC_SIZE);
	index = rb_u32(r);
	reserved = rb_u32(r);
	if (index >= o->nr_ioapics)
		return DFAIL(d, "field index: IOAPIC %u, the configuration has %u",
			     index, o->nr_ioapics);
	if (reserved)
		return DFAIL(d, "field reserved (offset 4): %#x", reserved);
	if (d->ioapic_seen[index])
		return DFAIL(d, "a second section for IOAPIC %u", index);
	d->ioapic_seen[index] = true;
	s = &d->st->ioapics[index];
	s->version = rb_u32(r);
	s->nr_pins = rb_u32(r);
	s->kvm.base_address = rb_u64(r);
	s->kvm.ioregsel = rb_u32(r);
	s->kvm.id = rb_u32(r);
	s->kvm.irr = rb_u32(r);
	s->kvm.pad = rb_u32(r);
	for (i = 0; i < 24; i++)
		s->kvm.redirtbl[i] = rb_u64(r);
	for (i = 0; i < 4; i++)
		s->irr_ext[i] = rb_u64(r);
	for (i = 0; i < VIRQ_X86_IOAPIC_MAX_PINS - 24; i++)
		s->redirtbl_ext[i] = rb_u64(r);
	for (i = 0; i < 4; i++)
		s->level[i] = rb_u64(r);
	if (s->version != VIRQ_X86_STATE_VERSION)
		return DFAIL(d, "IOAPIC %u field version: %u, this libvirq knows %d",
			     index, s->version, VIRQ_X86_STATE_VERSION);
	if (s->nr_pins != o->ioapics[index].nr_pins)
		return DFAIL(d, "IOAPIC %u field nr_pins: %u, the configuration says %u",
			     index, s->nr_pins, o->ioapics[index].nr_pins);
	if (s->kvm.base_address != o->ioapics[index].base)
		return DFAIL(d, "IOAPIC %u field base_address: %#llx, the configuration says %#llx",
			     index, (unsigned long long)s->kvm.base_address,
			     (unsigned long long)o->ioapics[index].base);
	if (s->kvm.pad)
		return DFAIL(d, "IOAPIC %u field pad: %#x, must be 0", index,
			     s->kvm.pad);
	return 0;
}

static int lv_dec_irte(struct lv_dec *d, struct lv_rbuf *r)
{
	struct libvirq_state *st = d->st;
	__u32 first, count, i;

	first = rb_u32(r);
	count = rb_u32(r);
	if (r->bad || r->len != 8 + (__u64)count * LV_IRTE_SIZE)
		return DFAIL(d, "field count: %u entries, but %zu bytes",
			     count, r->len);
	if (!count || (__u64)first + count > st->cfg.x86.nr_irtes)
		return DFAIL(d, "IRTEs %u..%llu: the table has %u", first,
			     (unsigned long long)first + count - 1,
			     st->cfg.x86.nr_irtes);
	for (i = first; i < first + count; i++) {
		if (d->irte_seen[i])
			return DFAIL(d, "IRTE %u is in two X86_IRTE sections",
				     i);
		d->irte_seen[i] = 1;
		st->irtes[i].lo = rb_u64(r);
		st->irtes[i].hi = rb_u64(r);
	}
	return 0;
}

/* The per-entry rules of VIRQ_SET_GSI_ROUTING, or NULL */
static const char *lv_route_bad(const struct libvirq_state *st,
				const struct virq_route *r)
{
	const struct virq_x86_options *o = &st->cfg.x86;
	__u32 chip = r->u.irqchip.irqchip, pin = r->u.irqchip.pin, i;

	if (r->gsi >= st->cfg.nr_sources)
		return "GSI beyond nr_sources";
	if (r->pad)
		return "pad not 0";
	switch (r->type) {
	case VIRQ_ROUTE_IRQCHIP:
		if (r->flags)
			return "flags on an irqchip entry";
		for (i = 2; i < 8; i++)
			if (r->u.pad[i])
				return "unused words of u not 0";
		if (chip <= VIRQ_X86_IRQCHIP_PIC_SLAVE) {
			if (o->flags & VIRQ_X86_OPT_NO_PIC)
				return "a PIC pin, but the chip has no PIC";
			return pin < 8 ? NULL : "PIC pin beyond 7";
		}
		if (chip - VIRQ_X86_IRQCHIP_IOAPIC(0) >= o->nr_ioapics)
			return "no such irqchip";
		chip -= VIRQ_X86_IRQCHIP_IOAPIC(0);
		if (pin >= o->ioapics[chip].nr_pins)
			return "IOAPIC pin beyond its pins";
		return NULL;
	case VIRQ_ROUTE_MSI:
		if (r->flags & ~VIRQ_ROUTE_FLAG_DEVID)
			return "unknown flags";
		if (!(r->flags & VIRQ_ROUTE_FLAG_DEVID) && r->u.msi.devid)
			return "devid without VIRQ_ROUTE_FLAG_DEVID";
		for (i = 4; i < 8; i++)
			if (r->u.pad[i])
				return "unused words of u not 0";
		return NULL;
	}
	return "unknown type";
}

static int lv_dec_routes(struct lv_dec *d, struct lv_rbuf *r)
{
	struct libvirq_state *st = d->st;
	struct virq_route *e;
	__u32 nr = 0, i, j;
	const char *why;
	int ret;

	ret = lv_dec_once(d, &d->seen_routes);
	if (!ret)
		ret = lv_dec_table(d, r, LV_ROUTE_SIZE, &nr);
	if (ret)
		return ret;
	st->routes = calloc(nr ? nr : 1, sizeof(*st->routes));
	if (!st->routes)
		return lv_fail(d->e, ENOMEM, d->name, "out of memory");
	st->nr_routes = nr;
	for (i = 0; i < nr; i++) {
		e = &st->routes[i];
		e->gsi = rb_u32(r);
		e->type = rb_u32(r);
		e->flags = rb_u32(r);
		e->pad = rb_u32(r);
		for (j = 0; j < 8; j++)
			e->u.pad[j] = rb_u32(r);
		why = lv_route_bad(st, e);
		if (why)
			return DFAIL(d, "entry %u (GSI %u): %s", i, e->gsi, why);
	}
	qsort(st->routes, nr, sizeof(*st->routes), lv_cmp_route);
	/* per GSI: one entry per irqchip, or one MSI entry alone */
	for (i = 1; i < nr; i++) {
		const struct virq_route *a = &st->routes[i - 1];

		e = &st->routes[i];
		if (a->gsi != e->gsi)
			continue;
		if (a->type == VIRQ_ROUTE_MSI || e->type == VIRQ_ROUTE_MSI)
			return DFAIL(d, "GSI %u: an MSI entry next to another entry",
				     e->gsi);
		if (a->u.irqchip.irqchip == e->u.irqchip.irqchip)
			return DFAIL(d, "GSI %u: two entries on irqchip %u",
				     e->gsi, e->u.irqchip.irqchip);
	}
	return 0;
}

/*
 * @nr registers (offset, size, value) of @what: sizes 4 or 8, offsets
 * aligned, below @limit and in increasing order, values that fit
 */
static int lv_dec_regs(struct lv_dec *d, struct lv_rbuf *r, __u32 nr,
		       struct libvirq_reg *regs, __u32 limit, bool align,
		       const char *what)
{
	struct libvirq_reg *g;
	__u32 i;

	for (i = 0; i < nr; i++) {
		g = &regs[i];
		g->off = rb_u32(r);
		g->size = rb_u32(r);
		g->val = rb_u64(r);
		if (r->bad)
			return DFAIL(d, "%s: %u registers, but the payload ends in register %u",
				     what, nr, i);
		if (g->size != 4 && g->size != 8)
			return DFAIL(d, "%s register %#x field size: %u, must be 4 or 8",
				     what, g->off, g->size);
		if ((align && g->off % g->size) || g->off >= limit)
			return DFAIL(d, "%s register %u field offset: %#x, not a %u-byte register below %#x",
				     what, i, g->off, g->size, limit);
		if (g->size == 4 && g->val >> 32)
			return DFAIL(d, "%s register %#x field value: %#llx does not fit 4 bytes",
				     what, g->off, (unsigned long long)g->val);
		if (i && g->off < regs[i - 1].off + (align ? regs[i - 1].size : 1))
			return DFAIL(d, "%s register %#x: not after register %#x",
				     what, g->off, regs[i - 1].off);
	}
	return 0;
}

/* GICV3_DIST: flags, nr, the distributor's registers */
static int lv_dec_gic_dist(struct lv_dec *d, struct lv_rbuf *r)
{
	struct libvirq_state *st = d->st;
	__u32 want = 0, nr;
	int ret;

	ret = lv_dec_once(d, &d->seen_gic_dist);
	if (ret)
		return ret;
	st->gic_flags = rb_u32(r);
	nr = rb_u32(r);
	if (r->bad || r->len != 8 + (__u64)nr * LV_REG_SIZE)
		return DFAIL(d, "field nr: %u registers, but %zu bytes", nr,
			     r->len);
	if (st->cfg.gicv3.flags & VIRQ_GICV3_OPT_LPIS)
		want |= LIBVIRQ_GICV3_PENDING_SAVED;
	if (st->cfg.gicv3.flags & VIRQ_GICV3_OPT_ITS)
		want |= LIBVIRQ_GICV3_ITS_SAVED;
	if (st->gic_flags != want)
		return DFAIL(d, "field flags: %#x, the configuration needs %#x (tables saved to guest memory)",
			     st->gic_flags, want);
	if (nr > LIBVIRQ_GICV3_MAX_REGS)
		return DFAIL(d, "field nr: %u registers, at most %d", nr,
			     LIBVIRQ_GICV3_MAX_REGS);
	st->nr_dist_regs = nr;
	return lv_dec_regs(d, r, nr, st->dist_regs, LV_GIC_FRAME, true,
			   "distributor");
}

/*
 * GICV3_VCPU: a vCPU's entry head, nr_redist, nr_sysregs, its
 * redistributor's and CPU interface's registers, 32 private words
 */
static int lv_dec_gic_vcpu(struct lv_dec *d, struct lv_rbuf *r)
{
	struct libvirq_gicv3_vcpu *g;
	struct libvirq_vcpu_state *v;
	char who[48];
	const char *why;
	__u32 k;
	int ret;

	v = lv_dec_vcpu_entry(d, r, LV_HAVE_GIC, &ret);
	if (!v)
		return ret;
	g = &v->gic;
	g->nr_redist = rb_u32(r);
	g->nr_sysregs = rb_u32(r);
	if (r->bad || g->nr_redist > LIBVIRQ_GICV3_MAX_VREGS ||
	    g->nr_sysregs > LIBVIRQ_GICV3_MAX_VREGS ||
	    r->len != LV_VCPU_SIZE + 8 + LV_REG_SIZE *
	    (__u64)(g->nr_redist + g->nr_sysregs) + 8 * VIRQ_GICV3_NR_PRIVATE)
		return DFAIL(d, "MPIDR %#llx: fields nr_redist %u / nr_sysregs %u (at most %d each) and %zu bytes do not agree",
			     (unsigned long long)v->arch_id, g->nr_redist,
			     g->nr_sysregs, LIBVIRQ_GICV3_MAX_VREGS, r->len);
	snprintf(who, sizeof(who), "MPIDR %#llx redistributor",
		 (unsigned long long)v->arch_id);
	ret = lv_dec_regs(d, r, g->nr_redist, g->redist, 2 * LV_GIC_FRAME,
			  true, who);
	if (ret)
		return ret;
	snprintf(who, sizeof(who), "MPIDR %#llx CPU interface",
		 (unsigned long long)v->arch_id);
	ret = lv_dec_regs(d, r, g->nr_sysregs, g->sysregs, 1U << 16, false,
			  who);
	if (ret)
		return ret;
	for (k = 0; k < g->nr_sysregs; k++)
		if (g->sysregs[k].size != 8)
			return DFAIL(d, "%s register %#x field size: %u, must be 8",
				     who, g->sysregs[k].off,
				     g->sysregs[k].size);
	for (k = 0; k < VIRQ_GICV3_NR_PRIVATE; k++) {
		g->priv[k] = rb_u64(r);
		why = lv_gic_word_bad(g->priv[k], true);
		if (why)
			return DFAIL(d, "MPIDR %#llx INTID %u word %#llx: %s",
				     (unsigned long long)v->arch_id, k,
				     (unsigned long long)g->priv[k], why);
	}
	return 0;
}

static int lv_dec_gic_its(struct lv_dec *d, struct lv_rbuf *r)
{
	struct libvirq_state *st = d->st;
	__u32 nr;
	int ret;

	if (!(st->cfg.gicv3.flags & VIRQ_GICV3_OPT_ITS))
		return DFAIL(d, "an ITS section, but the configuration has no ITS");
	ret = lv_dec_once(d, &d->seen_gic_its);
	if (!ret)
		ret = lv_dec_table(d, r, LV_REG_SIZE, &nr);
	if (ret)
		return ret;
	if (nr > LIBVIRQ_GICV3_MAX_REGS)
		return DFAIL(d, "field nr: %u registers, at most %d", nr,
			     LIBVIRQ_GICV3_MAX_REGS);
	st->nr_its_regs = nr;
	return lv_dec_regs(d, r, nr, st->its_regs, LV_GIC_FRAME, true,
			   "ITS");
}

static int lv_dec_info(struct lv_dec *d, struct lv_rbuf *r)
{
	size_t i;

	if (r->len >= sizeof(d->st->info))
		return DFAIL(d, "%zu bytes of text, at most %zu", r->len,
			     sizeof(d->st->info) - 1);
	for (i = 0; i < r->len; i++)
		if (!r->p[i])
			return DFAIL(d, "a NUL byte at offset %zu", i);
	memcpy(d->st->info, r->p, r->len);
	d->st->info[r->len] = 0;
	r->off = r->len;
	return 0;
}

/* Section @type's family, 0 for the common ones */
static __u32 lv_sec_family(__u16 type)
{
	return type >> 8;
}

/* Highest version of @type this reader understands */
static __u16 lv_sec_max_version(__u16 type)
{
	if (type == LIBVIRQ_SEC_SOURCES)
		return LV_SOURCE_WORD_VERSION;
	return libvirq_section_name(type) ? 1 : 0;
}

static int lv_dec_section(struct lv_dec *d, __u16 type, __u16 version,
			  struct lv_rbuf *r, __u32 family)
{
	switch (type) {
	case LIBVIRQ_SEC_CONFIG:
		return lv_dec_config(d, r, family);
	case LIBVIRQ_SEC_VCPUS:
		return lv_dec_vcpus(d, r);
	case LIBVIRQ_SEC_INFO:
		return lv_dec_info(d, r);
	case LIBVIRQ_SEC_SOURCES:
		return lv_dec_sources(d, r, version);
	case LIBVIRQ_SEC_XICS_ICP:
		return lv_dec_vcpu_table(d, r, &d->seen_icp, LV_ICP_SIZE,
					 lv_dec_icp);
	case LIBVIRQ_SEC_X86_TSC:
		return lv_dec_vcpu_table(d, r, &d->seen_tsc, LV_TSC_SIZE,
					 lv_dec_tsc);
	case LIBVIRQ_SEC_X86_LAPIC:
		return lv_dec_lapic(d, r);
	case LIBVIRQ_SEC_X86_PIC:
		return lv_dec_pic(d, r);
	case LIBVIRQ_SEC_X86_IOAPIC:
		return lv_dec_ioapic(d, r);
	case LIBVIRQ_SEC_X86_IRTE:
		return lv_dec_irte(d, r);
	case LIBVIRQ_SEC_X86_ROUTES:
		return lv_dec_routes(d, r);
	case LIBVIRQ_SEC_GICV3_DIST:
		return lv_dec_gic_dist(d, r);
	case LIBVIRQ_SEC_GICV3_VCPU:
		return lv_dec_gic_vcpu(d, r);
	case LIBVIRQ_SEC_GICV3_ITS:
		return lv_dec_gic_its(d, r);
	}
	return DFAIL(d, "internal error: no decoder");
}

/* After the last section: everything the configuration needs is there */
static int lv_dec_complete(struct lv_dec *d)
{
	struct libvirq_state *st = d->st;
	const struct virq_x86_options *o = &st->cfg.x86;
	bool x86 = st->cfg.family == VIRQ_FAMILY_X86;
	bool gic = st->cfg.family == VIRQ_FAMILY_GICV3;	/* else XICS */
	__u32 i;

	d->name = "file";
	snprintf(d->where, sizeof(d->where), "incomplete file");
	if (gic) {
		if (!d->seen_gic_dist)
			return DFAIL(d, "no GICV3_DIST section");
		if ((st->cfg.gicv3.flags & VIRQ_GICV3_OPT_ITS) &&
		    !d->seen_gic_its)
			return DFAIL(d, "no GICV3_ITS section");
		for (i = 0; i < st->nr_vcpus; i++) {
			if (!(st->vcpus[i].flags & LV_HAVE_GIC))
				return DFAIL(d, "no GICV3_VCPU section for vCPU %u (MPIDR %#llx)",
					     st->vcpus[i].index,
					     (unsigned long long)st->vcpus[i].arch_id);
			st->vcpus[i].flags = 0;
		}
		if (!st->source_word_version)
			st->source_word_version = LV_SOURCE_WORD_VERSION;
		return 0;
	}
	if (!x86 && !d->seen_icp)
		return DFAIL(d, "no XICS_ICP section");
	if (x86 && !d->seen_tsc)
		return DFAIL(d, "no X86_TSC section");
	for (i = 0; i < st->nr_vcpus; i++) {
		if (x86 && !(st->vcpus[i].flags & LV_HAVE_LAPIC))
			return DFAIL(d, "no X86_LAPIC section for vCPU %u",
				     st->vcpus[i].index);
		st->vcpus[i].flags = 0;
	}
	if (x86 && !(o->flags & VIRQ_X86_OPT_NO_PIC) && !d->seen_pic)
		return DFAIL(d, "no X86_PIC section");
	for (i = 0; x86 && i < o->nr_ioapics; i++)
		if (!d->ioapic_seen[i])
			return DFAIL(d, "no X86_IOAPIC section for IOAPIC %u",
				     i);
	if (x86 && !d->seen_routes)
		return DFAIL(d, "no X86_ROUTES section");
	if (!st->source_word_version)
		st->source_word_version = LV_SOURCE_WORD_VERSION;
	return 0;
}

int libvirq_decode(const void *buf, size_t len, struct libvirq_state *st,
		   struct libvirq_err *e)
{
	const __u8 *p = buf;
	struct lv_dec d = { .st = st, .e = e, .name = "header" };
	__u32 version, hsize, family, nr, flags, crc, i;
	struct libvirq_section *s;
	struct lv_rbuf r;
	size_t off;
	bool is_first, is_second, at_second;
	const char *name;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	snprintf(d.where, sizeof(d.where), "file header");
	if (len < sizeof(lv_magic) || memcmp(p, lv_magic, sizeof(lv_magic)))
		return lv_fail(e, EINVAL, "header",
			       "not a virq state file (bad magic)");
	if (len < LV_HDR_SIZE)
		return lv_fail(e, EINVAL, "header",
			       "truncated: %zu bytes, the header alone has %d",
			       len, LV_HDR_SIZE);
	version = get_le(p + 8, 4);
	hsize = get_le(p + 12, 4);
	family = get_le(p + 16, 4);
	nr = get_le(p + 20, 4);
	flags = get_le(p + 24, 4);
	crc = get_le(p + 28, 4);
	if (crc != libvirq_crc32c(0, p, LV_HDR_SIZE - 4))
		return lv_fail(e, EBADMSG, "header",
			       "file header: CRC32C mismatch (stored %#010x, computed %#010x)",
			       crc, libvirq_crc32c(0, p, LV_HDR_SIZE - 4));
	if (!version || version > LIBVIRQ_FORMAT_VERSION)
		return lv_fail(e, EPROTO, "header",
			       "file header field format_version: %u, this reader knows 1..%d",
			       version, LIBVIRQ_FORMAT_VERSION);
	if (hsize != LV_HDR_SIZE)
		return DFAIL(&d, "field header_size: %u, must be %d", hsize,
			     LV_HDR_SIZE);
	if (flags)
		return DFAIL(&d, "field flags: %#x, must be 0", flags);
	if (family != VIRQ_FAMILY_X86 && family != VIRQ_FAMILY_XICS &&
	    family != VIRQ_FAMILY_GICV3)
		return lv_fail(e, EPROTONOSUPPORT, "header",
			       "file header field family: %u (%s), this reader restores x86, gicv3 and xics",
			       family, libvirq_family_name(family) ?: "unknown");
	if (nr < 2 || nr > LV_MAX_SECTIONS)
		return DFAIL(&d, "field nr_sections: %u", nr);

	st->format_version = version;
	st->cfg.family = family;
	st->sections = calloc(nr, sizeof(*st->sections));
	if (!st->sections)
		return lv_fail(e, ENOMEM, "header", "out of memory");
	st->nr_sections = nr;

	off = LV_HDR_SIZE;
	for (i = 0; i < nr; i++) {
		s = &st->sections[i];
		d.name = "file";
		snprintf(d.where, sizeof(d.where), "section %u at offset %#zx",
			 i, off);
		if (len - off < LV_SEC_HDR_SIZE) {
			ret = lv_fail(e, EINVAL, "file",
				      "truncated: section %u of %u at offset %#zx, %zu bytes left",
				      i, nr, off, len - off);
			goto err;
		}
		s->type = get_le(p + off, 2);
		s->flags = get_le(p + off + 2, 2);
		s->version = get_le(p + off + 4, 2);
		s->length = get_le(p + off + 8, 4);
		s->crc = get_le(p + off + 12, 4);
		s->offset = off;
		name = libvirq_section_name(s->type);
		d.name = name ?: "unknown";
		snprintf(d.where, sizeof(d.where),
			 "section %u (%s) at offset %#zx", i, d.name, off);
		if (len - off - LV_SEC_HDR_SIZE < s->length) {
			ret = lv_fail(e, EINVAL, d.name,
				      "truncated: %s says %u bytes, %zu left",
				      d.where, s->length,
				      len - off - LV_SEC_HDR_SIZE);
			goto err;
		}
		crc = libvirq_crc32c(0, p + off, LV_SEC_HDR_CRC);
		crc = libvirq_crc32c(crc, p + off + LV_SEC_HDR_SIZE,
				     s->length);
		if (crc != s->crc) {
			ret = lv_fail(e, EBADMSG, d.name,
				      "%s: CRC32C mismatch (stored %#010x, computed %#010x)",
				      d.where, s->crc, crc);
			goto err;
		}
		if (s->flags & ~LIBVIRQ_SEC_REQUIRED ||
		    get_le(p + off + 6, 2)) {
			ret = DFAIL(&d, "field flags %#x / reserved %#llx: unknown bits",
				    s->flags,
				    (unsigned long long)get_le(p + off + 6, 2));
			goto err;
		}
		r = (struct lv_rbuf){ .p = p + off + LV_SEC_HDR_SIZE,
				      .len = s->length };
		off += LV_SEC_HDR_SIZE + s->length;

		is_first = s->type == LIBVIRQ_SEC_CONFIG;
		is_second = s->type == LIBVIRQ_SEC_VCPUS;
		at_second = i == 1;
		if (is_first != !i || is_second != at_second) {
			ret = DFAIL(&d, "CONFIG must be section 0 and VCPUS section 1 (and only they)");
			goto err;
		}
		if (!name || s->version > lv_sec_max_version(s->type) ||
		    !s->version) {
			if (s->flags & LIBVIRQ_SEC_REQUIRED) {
				ret = lv_fail(e, EPROTO, d.name,
					      "%s: required section type %#06x version %u, which this reader does not understand",
					      d.where, s->type, s->version);
				goto err;
			}
			s->skipped = true;
			continue;
		}
		if (lv_sec_family(s->type) &&
		    lv_sec_family(s->type) != family) {
			ret = DFAIL(&d, "a %s section in a %s file", name,
				    libvirq_family_name(family));
			goto err;
		}
		if (s->type != LIBVIRQ_SEC_INFO &&
		    !(s->flags & LIBVIRQ_SEC_REQUIRED)) {
			ret = DFAIL(&d, "a state section not marked required");
			goto err;
		}
		ret = lv_dec_section(&d, s->type, s->version, &r, family);
		if (ret)
			goto err;
		if (r.bad || r.off != r.len) {
			ret = DFAIL(&d, "%zu bytes of payload, %zu parsed",
				    r.len, r.off);
			goto err;
		}
		if (i == 1) {
			d.src_seen = calloc(st->cfg.nr_sources, 1);
			d.irte_seen = calloc(st->cfg.x86.nr_irtes + 1, 1);
			if (!d.src_seen || !d.irte_seen) {
				ret = lv_fail(e, ENOMEM, "", "out of memory");
				goto err;
			}
		}
	}
	if (off != len) {
		ret = lv_fail(e, EINVAL, "file",
			      "%zu bytes after the last of %u sections",
			      len - off, nr);
		goto err;
	}
	ret = lv_dec_complete(&d);
err:
	free(d.src_seen);
	free(d.irte_seen);
	free(d.ids);
	if (ret)
		libvirq_state_free(st);
	return ret;
}

/* --- restore -------------------------------------------------------------- */

static const struct libvirq_vcpu *lv_chip_vcpu(const struct libvirq_chip *c,
					       __u32 index)
{
	__u32 i;

	for (i = 0; i < c->nr_vcpus; i++)
		if (c->vcpus[i].index == index)
			return &c->vcpus[i];
	return NULL;
}

/* The x86 options, defaults resolved: every field must match */
static int lv_check_x86(const struct virq_x86_options *x,
			const struct virq_x86_options *y,
			struct libvirq_err *e)
{
	static const char *const names[] = {
		"base", "gsi_base", "nr_pins", "id", "source_id",
	};
	__u64 p[5], q[5];
	__u32 i, k;

	if (x->flags != y->flags)
		return lv_fail(e, EINVAL, "CONFIG",
			       "wrong configuration: x86 field flags is %#x in the file, %#x in the target",
			       x->flags, y->flags);
	if (x->nr_ioapics != y->nr_ioapics)
		return lv_fail(e, EINVAL, "CONFIG",
			       "wrong configuration: %u IOAPICs in the file, %u in the target",
			       x->nr_ioapics, y->nr_ioapics);
	if (x->nr_irtes != y->nr_irtes)
		return lv_fail(e, EINVAL, "CONFIG",
			       "wrong configuration: field nr_irtes is %u in the file, %u in the target",
			       x->nr_irtes, y->nr_irtes);
	for (i = 0; i < x->nr_ioapics; i++) {
		const struct virq_x86_ioapic_config *a = &x->ioapics[i];
		const struct virq_x86_ioapic_config *b = &y->ioapics[i];

		p[0] = a->base;
		p[1] = a->gsi_base;
		p[2] = a->nr_pins;
		p[3] = a->id;
		p[4] = a->source_id;
		q[0] = b->base;
		q[1] = b->gsi_base;
		q[2] = b->nr_pins;
		q[3] = b->id;
		q[4] = b->source_id;
		for (k = 0; k < LV_ARRAY_SIZE(names); k++)
			if (p[k] != q[k])
				return lv_fail(e, EINVAL, "CONFIG",
					       "wrong configuration: IOAPIC %u field %s is %#llx in the file, %#llx in the target",
					       i, names[k],
					       (unsigned long long)p[k],
					       (unsigned long long)q[k]);
	}
	return 0;
}

/* The GICv3 options, defaults resolved: every field must match */
static int lv_check_gicv3(const struct virq_gicv3_options *x,
			  const struct virq_gicv3_options *y,
			  struct libvirq_err *e)
{
	static const char *const names[] = {
		"flags", "lpi_bits", "dist_base", "redist_base", "its_base",
	};
	__u64 p[5] = { x->flags, x->lpi_bits, x->dist_base, x->redist_base,
		       x->its_base };
	__u64 q[5] = { y->flags, y->lpi_bits, y->dist_base, y->redist_base,
		       y->its_base };
	__u32 k;

	for (k = 0; k < LV_ARRAY_SIZE(names); k++)
		if (p[k] != q[k])
			return lv_fail(e, EINVAL, "CONFIG",
				       "wrong configuration: gicv3 field %s is %#llx in the file, %#llx in the target",
				       names[k], (unsigned long long)p[k],
				       (unsigned long long)q[k]);
	return 0;
}

/*
 * A GICv3 target must be as created in what a restore cannot undo: no
 * redistributor with EnableLPIs set (it cannot be cleared), the ITS
 * disabled (its CBASER and BASERs cannot be written while enabled)
 */
static int lv_check_gicv3_live(const struct libvirq_state *st,
			       const struct libvirq_chip *chip,
			       struct libvirq_err *e)
{
	struct libvirq_reg r = { .off = 0 };
	__u32 i;
	int ret;

	if (!(st->cfg.gicv3.flags & VIRQ_GICV3_OPT_LPIS))
		return 0;
	for (i = 0; i < chip->nr_vcpus; i++) {
		ret = lv_gic_get(chip->vcpus[i].fd, true,
				 VIRQ_GICV3_VGRP_REDIST_REGS, 0, &r.size,
				 &r.val);
		if (ret)
			return lv_fail(e, ret, "GICV3_VCPU",
				       "target MPIDR %#llx: GICR_CTLR: %s",
				       (unsigned long long)chip->vcpus[i].arch_id,
				       strerror(-ret));
		if (r.val & 1)
			return lv_fail(e, EBUSY, "GICV3_VCPU",
				       "target MPIDR %#llx: GICR_CTLR.EnableLPIs is set (it cannot be cleared): restore into a fresh instance",
				       (unsigned long long)chip->vcpus[i].arch_id);
	}
	if (!(st->cfg.gicv3.flags & VIRQ_GICV3_OPT_ITS))
		return 0;
	ret = lv_gic_get(chip->fd, false, VIRQ_GICV3_GRP_ITS_REGS, 0, &r.size,
			 &r.val);
	if (ret)
		return lv_fail(e, ret, "GICV3_ITS", "target GITS_CTLR: %s",
			       strerror(-ret));
	if (r.val & 1)
		return lv_fail(e, EBUSY, "GICV3_ITS",
			       "the target's ITS is enabled (GITS_CTLR %#llx): restore into a fresh instance",
			       (unsigned long long)r.val);
	return 0;
}

int libvirq_check_target(const struct libvirq_state *st,
			 const struct libvirq_chip *chip,
			 struct libvirq_err *e)
{
	const struct libvirq_config *a = &st->cfg, *b = &chip->cfg;
	const struct libvirq_vcpu *v;
	__u32 i;
	int ret;

	if (a->family != b->family)
		return lv_fail(e, EINVAL, "CONFIG",
			       "wrong family: the file is %s, the target %s",
			       libvirq_family_name(a->family),
			       libvirq_family_name(b->family) ?: "unknown");
	if (a->nr_sources != b->nr_sources)
		return lv_fail(e, EINVAL, "CONFIG",
			       "wrong configuration: field nr_sources is %u in the file, %u in the target",
			       a->nr_sources, b->nr_sources);
	if (a->nr_vcpus != b->nr_vcpus)
		return lv_fail(e, EINVAL, "CONFIG",
			       "wrong configuration: field nr_vcpus is %u in the file, %u in the target",
			       a->nr_vcpus, b->nr_vcpus);
	if (a->family == VIRQ_FAMILY_X86) {
		ret = lv_check_x86(&a->x86, &b->x86, e);
		if (ret)
			return ret;
	}
	if (a->family == VIRQ_FAMILY_GICV3) {
		ret = lv_check_gicv3(&a->gicv3, &b->gicv3, e);
		if (ret)
			return ret;
	}
	if (st->nr_vcpus != chip->nr_vcpus)
		return lv_fail(e, EINVAL, "VCPUS",
			       "wrong vCPU count: %u in the file, %u in the target",
			       st->nr_vcpus, chip->nr_vcpus);
	for (i = 0; i < st->nr_vcpus; i++) {
		const struct libvirq_vcpu_state *s = &st->vcpus[i];

		v = lv_chip_vcpu(chip, s->index);
		if (!v)
			return lv_fail(e, EINVAL, "VCPUS",
				       "vCPU index %u of the file is not in the target",
				       s->index);
		if (v->arch_id != s->arch_id)
			return lv_fail(e, EINVAL, "VCPUS",
				       "vCPU %u: %s %#llx in the file, %#llx in the target",
				       s->index,
				       a->family == VIRQ_FAMILY_X86 ? "APIC id" :
				       a->family == VIRQ_FAMILY_GICV3 ? "MPIDR" :
									"server",
				       (unsigned long long)s->arch_id,
				       (unsigned long long)v->arch_id);
	}
	if (a->family == VIRQ_FAMILY_GICV3)
		return lv_check_gicv3_live(st, chip, e);
	return 0;
}

/*
 * Set vCPU attribute @group (attr 0) of each vCPU of @chip from the
 * @size bytes at offset @field of its state, reporting progress as
 * @what.  On failure, *@failed is the vCPU's state.
 */
static int lv_apply_vcpu_attr(const struct libvirq_state *st,
			      const struct libvirq_chip *chip, __u32 group,
			      size_t field, __u32 size,
			      const struct libvirq_progress *p,
			      const char *what,
			      const struct libvirq_vcpu_state **failed)
{
	const struct libvirq_vcpu_state *s;
	__u32 i;
	int ret;

	for (i = 0; i < st->nr_vcpus; i++) {
		s = &st->vcpus[i];
		ret = libvirq_vcpu_set_attr(lv_chip_vcpu(chip, s->index)->fd,
					    group, 0, (const __u8 *)s + field,
					    size);
		if (ret) {
			*failed = s;
			return ret;
		}
		lv_progress(p, what, i + 1, st->nr_vcpus);
	}
	return 0;
}

static int lv_apply_x86_vcpus(const struct libvirq_state *st,
			      const struct libvirq_chip *chip,
			      const struct libvirq_progress *p,
			      struct libvirq_err *e)
{
	const struct libvirq_vcpu_state *s;
	int ret;

	/* the TSC first: a LAPIC restore re-arms its timer against it */
	ret = lv_apply_vcpu_attr(st, chip, VIRQ_X86_VGRP_TSC,
				 offsetof(struct libvirq_vcpu_state, tsc),
				 sizeof(s->tsc), NULL, NULL, &s);
	if (ret)
		return lv_fail(e, ret, "X86_TSC",
			       "APIC id %#llx: VIRQ_X86_VGRP_TSC refused (%s): tsc_khz %llu offset %lld",
			       (unsigned long long)s->arch_id, strerror(-ret),
			       (unsigned long long)s->tsc.tsc_khz,
			       (long long)s->tsc.offset);
	ret = lv_apply_vcpu_attr(st, chip, VIRQ_X86_VGRP_LAPIC,
				 offsetof(struct libvirq_vcpu_state, lapic),
				 sizeof(s->lapic), p, "LAPICs", &s);
	if (ret)
		return lv_fail(e, ret, "X86_LAPIC",
			       "APIC id %#llx: VIRQ_X86_VGRP_LAPIC refused (%s): apic_base %#llx, events %#x, a register, or the timer fields",
			       (unsigned long long)s->arch_id, strerror(-ret),
			       (unsigned long long)s->lapic.apic_base,
			       s->lapic.events);
	return 0;
}

static int lv_apply_x86_chip(const struct libvirq_state *st,
			     const struct libvirq_chip *chip,
			     const struct libvirq_progress *p,
			     struct libvirq_err *e)
{
	const struct virq_x86_options *o = &st->cfg.x86;
	__u32 i, n;
	int ret;

	/* IRTEs before the IOAPICs: restored level pins are sent through */
	for (i = 0; i < o->nr_irtes; i += n) {
		n = o->nr_irtes - i;
		if (n > LV_IRTE_CHUNK)
			n = LV_IRTE_CHUNK;
		ret = libvirq_set_attr(chip->fd, VIRQ_X86_GRP_IRTE, i,
				       st->irtes + i, n * sizeof(*st->irtes));
		if (ret)
			return lv_fail(e, ret, "X86_IRTE",
				       "IRTEs %u-%u refused (%s): an entry has a reserved bit or value",
				       i, i + n - 1, strerror(-ret));
	}
	if (!(o->flags & VIRQ_X86_OPT_NO_PIC)) {
		ret = libvirq_set_attr(chip->fd, VIRQ_X86_GRP_PIC, 0, &st->pic,
				       sizeof(st->pic));
		if (ret)
			return lv_fail(e, ret, "X86_PIC",
				       "VIRQ_X86_GRP_PIC refused (%s)",
				       strerror(-ret));
	}
	for (i = 0; i < o->nr_ioapics; i++) {
		ret = libvirq_set_attr(chip->fd, VIRQ_X86_GRP_IOAPIC, i,
				       &st->ioapics[i],
				       sizeof(st->ioapics[i]));
		if (ret)
			return lv_fail(e, ret, "X86_IOAPIC",
				       "IOAPIC %u refused (%s): ioregsel, id, irr, a redirection entry or level",
				       i, strerror(-ret));
	}
	ret = libvirq_set_gsi_routing(chip->fd, st->routes, st->nr_routes);
	if (ret)
		return lv_fail(e, ret, "X86_ROUTES",
			       "VIRQ_SET_GSI_ROUTING of %u entries refused (%s)%s",
			       st->nr_routes, strerror(-ret),
			       ret == -E2BIG ? ": more than the module's max_routes" : "");
	lv_progress(p, "routes", st->nr_routes, st->nr_routes);
	return 0;
}

static int lv_apply_sources(const struct libvirq_state *st,
			    const struct libvirq_chip *chip,
			    const struct libvirq_progress *p,
			    struct libvirq_err *e)
{
	__u32 i, n;
	int ret;

	/* every source, so that those the file has fresh become fresh */
	i = st->cfg.family == VIRQ_FAMILY_GICV3 ? VIRQ_GICV3_NR_PRIVATE : 0;
	for (; i < st->cfg.nr_sources; i += n) {
		n = st->cfg.nr_sources - i;
		if (n > VIRQ_SOURCES_MAX)
			n = VIRQ_SOURCES_MAX;
		ret = libvirq_set_sources(chip->fd, i, n, st->sources + i);
		if (ret)
			return lv_fail(e, ret, "SOURCES",
				       "sources %u-%u refused (%s): a word the family does not accept",
				       i, i + n - 1, strerror(-ret));
		lv_progress(p, "sources", i + n, st->cfg.nr_sources);
	}
	return 0;
}

/* Register names, for messages and diffs */
struct lv_regname {
	__u32 off;
	const char *name;
};

static const struct lv_regname lv_gicd_names[] = {
	{ 0x0, "GICD_CTLR" }, { 0x4, "GICD_TYPER" }, { 0x8, "GICD_IIDR" },
	{ 0xc, "GICD_TYPER2" }, { 0x10, "GICD_STATUSR" },
	{ 0xffe8, "GICD_PIDR2" },
};

static const struct lv_regname lv_gicr_names[] = {
	{ 0x0, "GICR_CTLR" }, { 0x4, "GICR_IIDR" }, { 0x8, "GICR_TYPER" },
	{ 0x10, "GICR_STATUSR" }, { 0x14, "GICR_WAKER" },
	{ 0x70, "GICR_PROPBASER" }, { 0x78, "GICR_PENDBASER" },
	{ 0xffe8, "GICR_PIDR2" },
};

static const struct lv_regname lv_gits_names[] = {
	{ 0x0, "GITS_CTLR" }, { 0x4, "GITS_IIDR" }, { 0x8, "GITS_TYPER" },
	{ 0x80, "GITS_CBASER" }, { 0x88, "GITS_CWRITER" },
	{ 0x90, "GITS_CREADR" }, { 0x100, "GITS_BASER0" },
	{ 0x108, "GITS_BASER1" }, { 0x110, "GITS_BASER2" },
	{ 0x118, "GITS_BASER3" }, { 0x120, "GITS_BASER4" },
	{ 0x128, "GITS_BASER5" }, { 0x130, "GITS_BASER6" },
	{ 0x138, "GITS_BASER7" }, { 0xffd0, "GITS_PIDR4" },
	{ 0xffe0, "GITS_PIDR0" }, { 0xffe4, "GITS_PIDR1" },
	{ 0xffe8, "GITS_PIDR2" }, { 0xffec, "GITS_PIDR3" },
	{ 0xfff0, "GITS_CIDR0" }, { 0xfff4, "GITS_CIDR1" },
	{ 0xfff8, "GITS_CIDR2" }, { 0xfffc, "GITS_CIDR3" },
};

static const struct lv_regname lv_icc_names[] = {
	{ VIRQ_GICV3_ICC_PMR_EL1, "ICC_PMR_EL1" },
	{ VIRQ_GICV3_ICC_BPR0_EL1, "ICC_BPR0_EL1" },
	{ VIRQ_GICV3_ICC_AP0R_EL1(0), "ICC_AP0R0_EL1" },
	{ VIRQ_GICV3_ICC_AP0R_EL1(1), "ICC_AP0R1_EL1" },
	{ VIRQ_GICV3_ICC_AP0R_EL1(2), "ICC_AP0R2_EL1" },
	{ VIRQ_GICV3_ICC_AP0R_EL1(3), "ICC_AP0R3_EL1" },
	{ VIRQ_GICV3_ICC_AP1R_EL1(0), "ICC_AP1R0_EL1" },
	{ VIRQ_GICV3_ICC_AP1R_EL1(1), "ICC_AP1R1_EL1" },
	{ VIRQ_GICV3_ICC_AP1R_EL1(2), "ICC_AP1R2_EL1" },
	{ VIRQ_GICV3_ICC_AP1R_EL1(3), "ICC_AP1R3_EL1" },
	{ VIRQ_GICV3_ICC_BPR1_EL1, "ICC_BPR1_EL1" },
	{ VIRQ_GICV3_ICC_CTLR_EL1, "ICC_CTLR_EL1" },
	{ VIRQ_GICV3_ICC_SRE_EL1, "ICC_SRE_EL1" },
	{ VIRQ_GICV3_ICC_IGRPEN0_EL1, "ICC_IGRPEN0_EL1" },
	{ VIRQ_GICV3_ICC_IGRPEN1_EL1, "ICC_IGRPEN1_EL1" },
};

static const char *lv_name_of(const struct lv_regname *t, size_t n,
			      __u32 off)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].off == off)
			return t[i].name;
	return NULL;
}

const char *libvirq_gicv3_reg_name(__u32 kind, __u32 off)
{
	switch (kind) {
	case LIBVIRQ_GICV3_DIST:
		return lv_name_of(lv_gicd_names, LV_ARRAY_SIZE(lv_gicd_names),
				  off);
	case LIBVIRQ_GICV3_REDIST:
		return lv_name_of(lv_gicr_names, LV_ARRAY_SIZE(lv_gicr_names),
				  off);
	case LIBVIRQ_GICV3_CPUIF:
		return lv_name_of(lv_icc_names, LV_ARRAY_SIZE(lv_icc_names),
				  off);
	case LIBVIRQ_GICV3_ITS:
		return lv_name_of(lv_gits_names, LV_ARRAY_SIZE(lv_gits_names),
				  off);
	}
	return NULL;
}

/* "GICD_CTLR", or "reg 0x1234" */
static const char *lv_reg_label(__u32 kind, __u32 off, char *buf, size_t n)
{
	const char *name = libvirq_gicv3_reg_name(kind, off);

	if (name)
		return name;
	snprintf(buf, n, "reg %#x", off);
	return buf;
}

static const struct libvirq_reg *lv_find_reg(const struct libvirq_reg *r,
					     __u32 nr, __u32 off)
{
	__u32 i;

	for (i = 0; i < nr; i++)
		if (r[i].off == off)
			return &r[i];
	return NULL;
}

/*
 * Write the registers @r of @kind in this order: the one at @first (if
 * not ~0), the others by offset but those of @order (~0 ended) in that
 * order after them, and the one at @last (if not ~0) with @last_mask
 * (0: not written, the caller writes it).  On failure *@bad is the
 * register refused.
 */
static int lv_gic_write(int fd, bool vcpu, __u32 group,
			const struct libvirq_reg *r, __u32 nr, __u32 first,
			const __u32 *order, __u32 last, __u64 last_mask,
			const struct libvirq_reg **bad)
{
	const struct libvirq_reg *g;
	__u32 i, k;
	int ret;

	g = first != ~0U ? lv_find_reg(r, nr, first) : NULL;
	if (g) {
		ret = lv_gic_set(fd, vcpu, group, g, g->val);
		if (ret)
			goto fail;
	}
	for (i = 0; i < nr; i++) {
		g = &r[i];
		if (g->off == first || g->off == last)
			continue;
		for (k = 0; order && order[k] != ~0U; k++)
			if (order[k] == g->off)
				break;
		if (order && order[k] != ~0U)
			continue;
		ret = lv_gic_set(fd, vcpu, group, g, g->val);
		if (ret)
			goto fail;
	}
	for (k = 0; order && order[k] != ~0U; k++) {
		g = lv_find_reg(r, nr, order[k]);
		if (!g)
			continue;
		ret = lv_gic_set(fd, vcpu, group, g, g->val);
		if (ret)
			goto fail;
	}
	g = last != ~0U ? lv_find_reg(r, nr, last) : NULL;
	if (g && last_mask) {
		ret = lv_gic_set(fd, vcpu, group, g, g->val & last_mask);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	*bad = g;
	return ret;
}

#define LV_GICD_IIDR	0x8
#define LV_GICR_IIDR	0x4
#define LV_GITS_IIDR	0x4
#define LV_GITS_CBASER	0x80
#define LV_GITS_CWRITER	0x88
#define LV_GITS_CREADR	0x90

/*
 * GICv3, KVM's documented order (gicv3.rst, gicv3-its.rst): GICD_IIDR,
 * the distributor (GICD_CTLR last); per vCPU GICR_IIDR, the
 * redistributor (PROPBASER and PENDBASER before GICR_CTLR, last), the
 * CPU interface, the private words; the SPIs' words; the ITS disabled:
 * GITS_IIDR, the other registers, CBASER, CREADR, CWRITER, the BASERs,
 * then VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES, then GITS_CTLR.  @dry (the
 * scratch instance, which has no guest memory): the steps that read
 * guest memory are left out: EnableLPIs (GICR_CTLR bit 0, which reads
 * and clears the pending table), the ITS table restore and GITS_CTLR's
 * Enabled (which runs the command queue).
 */
static int lv_apply_gicv3(const struct libvirq_state *st,
			  const struct libvirq_chip *chip, bool dry,
			  const struct libvirq_progress *p,
			  struct libvirq_err *e)
{
	static const __u32 its_order[] = {
		LV_GITS_CBASER, LV_GITS_CREADR, LV_GITS_CWRITER,
		0x100, 0x108, 0x110, 0x118, 0x120, 0x128, 0x130, 0x138, ~0U,
	};
	__u64 keep = dry ? ~1ULL : ~0ULL;
	const struct libvirq_vcpu_state *s;
	const struct libvirq_gicv3_vcpu *g;
	const struct libvirq_reg *bad = NULL;
	char lbl[24];
	__u32 i, k;
	int fd, ret;

	ret = lv_gic_write(chip->fd, false, VIRQ_GICV3_GRP_DIST_REGS,
			   st->dist_regs, st->nr_dist_regs, LV_GICD_IIDR, NULL,
			   0, ~0ULL, &bad);
	if (ret)
		return lv_fail(e, ret, "GICV3_DIST",
			       "distributor register %s = %#llx refused (%s)",
			       lv_reg_label(LIBVIRQ_GICV3_DIST, bad->off, lbl,
					    sizeof(lbl)),
			       (unsigned long long)bad->val, strerror(-ret));
	for (i = 0; i < st->nr_vcpus; i++) {
		s = &st->vcpus[i];
		g = &s->gic;
		fd = lv_chip_vcpu(chip, s->index)->fd;
		ret = lv_gic_write(fd, true, VIRQ_GICV3_VGRP_REDIST_REGS,
				   g->redist, g->nr_redist, LV_GICR_IIDR, NULL,
				   0, keep, &bad);
		if (ret)
			return lv_fail(e, ret, "GICV3_VCPU",
				       "MPIDR %#llx: redistributor register %s = %#llx refused (%s)",
				       (unsigned long long)s->arch_id,
				       lv_reg_label(LIBVIRQ_GICV3_REDIST,
						    bad->off, lbl, sizeof(lbl)),
				       (unsigned long long)bad->val,
				       strerror(-ret));
		for (k = 0; k < g->nr_sysregs; k++) {
			bad = &g->sysregs[k];
			ret = lv_gic_set(fd, true, VIRQ_GICV3_VGRP_CPU_SYSREGS,
					 bad, bad->val);
			if (ret)
				return lv_fail(e, ret, "GICV3_VCPU",
					       "MPIDR %#llx: CPU interface register %s = %#llx refused (%s)",
					       (unsigned long long)s->arch_id,
					       lv_reg_label(LIBVIRQ_GICV3_CPUIF,
							    bad->off, lbl,
							    sizeof(lbl)),
					       (unsigned long long)bad->val,
					       strerror(-ret));
		}
		ret = libvirq_vcpu_set_attr(fd, VIRQ_GICV3_VGRP_PRIVATE, 0,
					    g->priv, sizeof(g->priv));
		if (ret)
			return lv_fail(e, ret, "GICV3_VCPU",
				       "MPIDR %#llx: the private words (INTIDs 0-31) refused (%s)",
				       (unsigned long long)s->arch_id,
				       strerror(-ret));
		lv_progress(p, "vCPUs", i + 1, st->nr_vcpus);
	}
	ret = lv_apply_sources(st, chip, p, e);
	if (ret || !(st->cfg.gicv3.flags & VIRQ_GICV3_OPT_ITS))
		return ret;
	ret = lv_gic_write(chip->fd, false, VIRQ_GICV3_GRP_ITS_REGS,
			   st->its_regs, st->nr_its_regs, LV_GITS_IIDR,
			   its_order, 0, 0, &bad);
	if (!ret && !dry) {
		ret = libvirq_set_attr(chip->fd, VIRQ_GICV3_GRP_CTRL,
				       VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES,
				       NULL, 0);
		if (ret)
			return lv_fail(e, ret, "GICV3_ITS",
				       "VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES refused (%s): the ITS tables in guest memory%s",
				       strerror(-ret), ret == -EFAULT ?
				       " are not in the memory the VMM registered" :
				       " are inconsistent");
	}
	if (!ret) {
		bad = lv_find_reg(st->its_regs, st->nr_its_regs, 0);
		if (bad)
			ret = lv_gic_set(chip->fd, false,
					 VIRQ_GICV3_GRP_ITS_REGS, bad,
					 bad->val & keep);
	}
	if (ret)
		return lv_fail(e, ret, "GICV3_ITS",
			       "ITS register %s = %#llx refused (%s)",
			       lv_reg_label(LIBVIRQ_GICV3_ITS, bad->off, lbl,
					    sizeof(lbl)),
			       (unsigned long long)bad->val, strerror(-ret));
	return 0;
}

static int lv_apply(const struct libvirq_state *st,
		    const struct libvirq_chip *chip, bool dry,
		    const struct libvirq_progress *p, struct libvirq_err *e)
{
	const struct libvirq_vcpu_state *s;
	int ret;

	if (st->cfg.family == VIRQ_FAMILY_GICV3)
		return lv_apply_gicv3(st, chip, dry, p, e);

	if (st->cfg.family == VIRQ_FAMILY_X86) {
		ret = lv_apply_x86_vcpus(st, chip, p, e);
		if (!ret)
			ret = lv_apply_x86_chip(st, chip, p, e);
		if (ret)
			return ret;
		return lv_apply_sources(st, chip, p, e);
	}
	ret = lv_apply_vcpu_attr(st, chip, VIRQ_XICS_GRP_ICP,
				 offsetof(struct libvirq_vcpu_state, icp),
				 sizeof(s->icp), NULL, NULL, &s);
	if (ret)
		return lv_fail(e, ret, "XICS_ICP",
			       "server %#llx: ICP word %#llx refused (%s)",
			       (unsigned long long)s->arch_id,
			       (unsigned long long)s->icp, strerror(-ret));
	return lv_apply_sources(st, chip, p, e);
}

/* *@e = *@sub with @pre and @post around its message (truncated) */
static void lv_wrap_err(struct libvirq_err *e, const struct libvirq_err *sub,
			const char *pre, const char *post)
{
	const char *parts[3] = { pre, sub->msg, post };
	size_t n = 0, k, i;

	if (!e)
		return;
	e->err = sub->err;
	memcpy(e->section, sub->section, sizeof(e->section));
	for (i = 0; i < 3; i++) {
		k = strlen(parts[i]);
		if (k > sizeof(e->msg) - 1 - n)
			k = sizeof(e->msg) - 1 - n;
		memmove(e->msg + n, parts[i], k);
		n += k;
	}
	e->msg[n] = 0;
}

/*
 * A scratch instance of the file's configuration with the file's vCPUs:
 * the whole state restored there first lets the kernel check every blob
 * before the target changes.
 */
static int lv_dry_run(const struct libvirq_state *st, struct libvirq_err *e)
{
	struct libvirq_chip c = { .cfg = st->cfg, .nr_vcpus = st->nr_vcpus };
	struct libvirq_err sub;
	__u32 i;
	int ret;

	c.fd = libvirq_open();
	if (c.fd < 0)
		return lv_fail(e, c.fd, "dry run",
			       "cannot open /dev/virq for the dry run (%s); pass LIBVIRQ_RESTORE_NO_DRY_RUN (virqctl --no-dry-run) to skip it",
			       strerror(-c.fd));
	c.vcpus = calloc(st->nr_vcpus ? st->nr_vcpus : 1, sizeof(*c.vcpus));
	if (!c.vcpus) {
		close(c.fd);
		return lv_fail(e, ENOMEM, "dry run", "out of memory");
	}
	for (i = 0; i < st->nr_vcpus; i++)
		c.vcpus[i].fd = -1;
	ret = libvirq_create_from_config(c.fd, &st->cfg);
	if (ret) {
		lv_fail(e, ret, "CONFIG",
			"the configuration is refused by VIRQ_CREATE_CHIP (%s)",
			strerror(-ret));
		goto out;
	}
	for (i = 0; i < st->nr_vcpus; i++) {
		c.vcpus[i].index = st->vcpus[i].index;
		c.vcpus[i].arch_id = st->vcpus[i].arch_id;
		ret = libvirq_create_vcpu(c.fd, st->vcpus[i].index,
					  st->vcpus[i].arch_id);
		if (ret < 0) {
			lv_fail(e, ret, "VCPUS",
				"vCPU %u arch_id %#llx refused by VIRQ_CREATE_VCPU (%s)",
				st->vcpus[i].index,
				(unsigned long long)st->vcpus[i].arch_id,
				strerror(-ret));
			goto out;
		}
		c.vcpus[i].fd = ret;
	}
	ret = lv_apply(st, &c, true, NULL, &sub);
	if (ret)
		lv_wrap_err(e, &sub, "dry run: ", "");
out:
	for (i = 0; i < st->nr_vcpus; i++)
		if (c.vcpus[i].fd >= 0)
			close(c.vcpus[i].fd);
	free(c.vcpus);
	close(c.fd);
	return ret < 0 ? ret : 0;
}

int libvirq_restore(const struct libvirq_state *st,
		    const struct libvirq_chip *chip, __u32 flags,
		    const struct libvirq_progress *p, struct libvirq_err *e)
{
	struct libvirq_err sub;
	int ret;

	if (flags & ~LIBVIRQ_RESTORE_NO_DRY_RUN)
		return lv_fail(e, EINVAL, "", "unknown restore flags %#x",
			       flags);
	ret = libvirq_check_target(st, chip, e);
	if (ret)
		return ret;
	if (!(flags & LIBVIRQ_RESTORE_NO_DRY_RUN)) {
		lv_progress(p, "dry run", 0, 1);
		ret = lv_dry_run(st, e);
		if (ret)
			return ret;
		lv_progress(p, "dry run", 1, 1);
	}
	ret = lv_apply(st, chip, false, p, &sub);
	if (ret)
		lv_wrap_err(e, &sub, "", "; the target is now partly restored");
	return ret;
}

/* --- diff ----------------------------------------------------------------- */

struct lv_differ {
	int (*fn)(const struct libvirq_diff *d, void *arg);
	void *arg;
	long count;
	bool stop;
};

static void lv_report(struct lv_differ *x, const char *what, __u64 id,
		      const char *field, __u64 a, __u64 b, char only)
{
	struct libvirq_diff d = {
		.what = what, .id = id, .a = a, .b = b, .only = only,
	};

	if (x->stop)
		return;
	snprintf(d.field, sizeof(d.field), "%s", field);
	x->count++;
	if (x->fn && x->fn(&d, x->arg))
		x->stop = true;
}

#define LV_CMP(x, what, id, field, a, b) do {				\
	if ((__u64)(a) != (__u64)(b))					\
		lv_report(x, what, id, field, (__u64)(a), (__u64)(b), 0); \
} while (0)

/* The configurations as created (the options as VIRQ_CREATE_CHIP got them) */
static void lv_diff_config(struct lv_differ *x, const struct libvirq_config *a,
			   const struct libvirq_config *b)
{
	const struct virq_x86_options *o = &a->x86_options, *p = &b->x86_options;
	char f[32];
	__u32 i;

	LV_CMP(x, "config", 0, "family", a->family, b->family);
	LV_CMP(x, "config", 0, "nr_vcpus", a->nr_vcpus, b->nr_vcpus);
	LV_CMP(x, "config", 0, "nr_sources", a->nr_sources, b->nr_sources);
	if (a->family == VIRQ_FAMILY_GICV3 && b->family == VIRQ_FAMILY_GICV3) {
		const struct virq_gicv3_options *g = &a->gicv3_options;
		const struct virq_gicv3_options *h = &b->gicv3_options;

		LV_CMP(x, "config", 0, "gicv3.flags", g->flags, h->flags);
		LV_CMP(x, "config", 0, "gicv3.lpi_bits", g->lpi_bits,
		       h->lpi_bits);
		LV_CMP(x, "config", 0, "gicv3.dist_base", g->dist_base,
		       h->dist_base);
		LV_CMP(x, "config", 0, "gicv3.redist_base", g->redist_base,
		       h->redist_base);
		LV_CMP(x, "config", 0, "gicv3.its_base", g->its_base,
		       h->its_base);
		return;
	}
	if (a->family != VIRQ_FAMILY_X86 || b->family != VIRQ_FAMILY_X86)
		return;
	LV_CMP(x, "config", 0, "x86.flags", o->flags, p->flags);
	LV_CMP(x, "config", 0, "x86.nr_ioapics", o->nr_ioapics,
	       p->nr_ioapics);
	LV_CMP(x, "config", 0, "x86.nr_irtes", o->nr_irtes, p->nr_irtes);
	for (i = 0; i < VIRQ_X86_MAX_IOAPICS; i++) {
		const struct virq_x86_ioapic_config *c = &o->ioapics[i];
		const struct virq_x86_ioapic_config *d = &p->ioapics[i];

		snprintf(f, sizeof(f), "ioapic[%u].base", i);
		LV_CMP(x, "config", 0, f, c->base, d->base);
		snprintf(f, sizeof(f), "ioapic[%u].gsi_base", i);
		LV_CMP(x, "config", 0, f, c->gsi_base, d->gsi_base);
		snprintf(f, sizeof(f), "ioapic[%u].nr_pins", i);
		LV_CMP(x, "config", 0, f, c->nr_pins, d->nr_pins);
		snprintf(f, sizeof(f), "ioapic[%u].id", i);
		LV_CMP(x, "config", 0, f, c->id, d->id);
		snprintf(f, sizeof(f), "ioapic[%u].source_id", i);
		LV_CMP(x, "config", 0, f, c->source_id, d->source_id);
	}
}

static void lv_diff_lapic(struct lv_differ *x, __u64 id,
			  const struct virq_x86_lapic_state *a,
			  const struct virq_x86_lapic_state *b, __u32 flags)
{
	bool strict = flags & LIBVIRQ_DIFF_STRICT;
	const char *name;
	char f[32];
	__u32 off, k;

	LV_CMP(x, "lapic", id, "version", a->version, b->version);
	LV_CMP(x, "lapic", id, "events", a->events, b->events);
	LV_CMP(x, "lapic", id, "apic_base", a->apic_base, b->apic_base);
	LV_CMP(x, "lapic", id, "sipi_vector", a->sipi_vector, b->sipi_vector);
	LV_CMP(x, "lapic", id, "tsc_deadline", a->tsc_deadline,
	       b->tsc_deadline);
	if (strict) {
		LV_CMP(x, "lapic", id, "timer_guest_tsc", a->timer_guest_tsc,
		       b->timer_guest_tsc);
		LV_CMP(x, "lapic", id, "timer_expiry_tsc", a->timer_expiry_tsc,
		       b->timer_expiry_tsc);
	} else {
		LV_CMP(x, "lapic", id, "timer_armed", !!a->timer_expiry_tsc,
		       !!b->timer_expiry_tsc);
	}
	for (off = 0; off < sizeof(a->regs); off += 16) {
		if (off == LV_LAPIC_TMCCT && !strict)
			continue;
		for (k = 0; k < 16; k += 4) {
			name = libvirq_lapic_reg_name(off);
			if (name && !k)
				snprintf(f, sizeof(f), "%s", name);
			else if (name)
				snprintf(f, sizeof(f), "%s+%u", name, k);
			else
				snprintf(f, sizeof(f), "reg%#05x", off + k);
			LV_CMP(x, "lapic", id, f, get_le(a->regs + off + k, 4),
			       get_le(b->regs + off + k, 4));
		}
	}
}

static const char *const lv_pic_fields[16] = {
	"last_irr", "irr", "imr", "isr", "priority_add", "irq_base",
	"read_reg_select", "poll", "special_mask", "init_state", "auto_eoi",
	"rotate_on_auto_eoi", "special_fully_nested_mode", "init4", "elcr",
	"elcr_mask",
};

static void lv_diff_pic(struct lv_differ *x,
			const struct virq_x86_pic_state *a,
			const struct virq_x86_pic_state *b)
{
	const __u8 *p, *q;
	int i, k;

	LV_CMP(x, "pic", 0, "version", a->version, b->version);
	for (i = 0; i < 2; i++) {
		p = (const __u8 *)&a->pics[i];
		q = (const __u8 *)&b->pics[i];
		for (k = 0; k < 16; k++)
			LV_CMP(x, "pic", i, lv_pic_fields[k], p[k], q[k]);
	}
}

static __u64 lv_ioapic_rte(const struct virq_x86_ioapic_state *s, __u32 pin)
{
	return pin < 24 ? s->kvm.redirtbl[pin] : s->redirtbl_ext[pin - 24];
}

static bool lv_ioapic_irr(const struct virq_x86_ioapic_state *s, __u32 pin)
{
	if (pin < 24)
		return s->kvm.irr >> pin & 1;
	pin -= 24;
	return s->irr_ext[pin / 64] >> (pin % 64) & 1;
}

static void lv_diff_ioapic(struct lv_differ *x, __u32 n,
			   const struct virq_x86_ioapic_state *a,
			   const struct virq_x86_ioapic_state *b)
{
	char f[32];
	__u32 pin;

	LV_CMP(x, "ioapic", n, "version", a->version, b->version);
	LV_CMP(x, "ioapic", n, "nr_pins", a->nr_pins, b->nr_pins);
	LV_CMP(x, "ioapic", n, "base_address", a->kvm.base_address,
	       b->kvm.base_address);
	LV_CMP(x, "ioapic", n, "ioregsel", a->kvm.ioregsel, b->kvm.ioregsel);
	LV_CMP(x, "ioapic", n, "id", a->kvm.id, b->kvm.id);
	for (pin = 0; pin < VIRQ_X86_IOAPIC_MAX_PINS; pin++) {
		snprintf(f, sizeof(f), "redir[%u]", pin);
		LV_CMP(x, "ioapic", n, f, lv_ioapic_rte(a, pin),
		       lv_ioapic_rte(b, pin));
		snprintf(f, sizeof(f), "irr[%u]", pin);
		LV_CMP(x, "ioapic", n, f, lv_ioapic_irr(a, pin),
		       lv_ioapic_irr(b, pin));
		snprintf(f, sizeof(f), "level[%u]", pin);
		LV_CMP(x, "ioapic", n, f, a->level[pin / 64] >> (pin % 64) & 1,
		       b->level[pin / 64] >> (pin % 64) & 1);
	}
}

static void lv_route_desc(const struct virq_route *r, char *f, size_t n)
{
	if (r->type == VIRQ_ROUTE_IRQCHIP)
		snprintf(f, n, "irqchip %u pin %u", r->u.irqchip.irqchip,
			 r->u.irqchip.pin);
	else if (r->type == VIRQ_ROUTE_MSI)
		snprintf(f, n, "msi %#x:%#x/%#x", r->u.msi.address_lo,
			 r->u.msi.data, r->u.msi.devid);
	else
		snprintf(f, n, "type %u", r->type);
}

static void lv_diff_routes(struct lv_differ *x, const struct libvirq_state *a,
			   const struct libvirq_state *b)
{
	__u32 i = 0, j = 0;
	char f[32];
	int c;

	/* both sorted by lv_cmp_route(): a merge */
	while (i < a->nr_routes || j < b->nr_routes) {
		if (i == a->nr_routes)
			c = 1;
		else if (j == b->nr_routes)
			c = -1;
		else
			c = lv_cmp_route(&a->routes[i], &b->routes[j]);
		if (!c) {
			i++;
			j++;
			continue;
		}
		if (c < 0) {
			lv_route_desc(&a->routes[i], f, sizeof(f));
			lv_report(x, "route", a->routes[i].gsi, f, 1, 0, 'a');
			i++;
		} else {
			lv_route_desc(&b->routes[j], f, sizeof(f));
			lv_report(x, "route", b->routes[j].gsi, f, 0, 1, 'b');
			j++;
		}
	}
}

/* Two register lists, both by offset: a merge */
static void lv_diff_regs(struct lv_differ *x, const char *what, __u64 id,
			 __u32 kind, const struct libvirq_reg *a, __u32 na,
			 const struct libvirq_reg *b, __u32 nb)
{
	__u32 i = 0, j = 0;
	char f[24];

	while (i < na || j < nb) {
		if (j == nb || (i < na && a[i].off < b[j].off)) {
			lv_report(x, what, id, lv_reg_label(kind, a[i].off, f,
							    sizeof(f)),
				  a[i].val, 0, 'a');
			i++;
		} else if (i == na || b[j].off < a[i].off) {
			lv_report(x, what, id, lv_reg_label(kind, b[j].off, f,
							    sizeof(f)),
				  0, b[j].val, 'b');
			j++;
		} else {
			if (a[i].val != b[j].val || a[i].size != b[j].size)
				lv_report(x, what, id,
					  lv_reg_label(kind, a[i].off, f,
						       sizeof(f)),
					  a[i].val, b[j].val, 0);
			i++;
			j++;
		}
	}
}

static const struct {
	const char *name;
	int shift;
	__u64 mask;
} lv_gic_fields[] = {
	{ "priority", 0, 0xff }, { "enabled", 8, 1 }, { "pending", 9, 1 },
	{ "active", 10, 1 }, { "edge", 11, 1 }, { "group1", 12, 1 },
	{ "level_user", 13, 1 }, { "level_resample", 14, 1 },
	{ "irm", 15, 1 }, { "reserved", 16, 0xffff },
	{ "route", 32, 0xffffffff },
};

/* A GICv3 state word, field by field, as "@pre@field" */
static void lv_diff_gic_word(struct lv_differ *x, const char *what, __u64 id,
			     const char *pre, __u64 a, __u64 b)
{
	char f[48];
	size_t k;

	if (a == b)
		return;
	for (k = 0; k < LV_ARRAY_SIZE(lv_gic_fields); k++) {
		snprintf(f, sizeof(f), "%s%s", pre, lv_gic_fields[k].name);
		LV_CMP(x, what, id, f,
		       a >> lv_gic_fields[k].shift & lv_gic_fields[k].mask,
		       b >> lv_gic_fields[k].shift & lv_gic_fields[k].mask);
	}
}

static void lv_diff_gic_vcpu(struct lv_differ *x, __u64 id,
			     const struct libvirq_gicv3_vcpu *a,
			     const struct libvirq_gicv3_vcpu *b)
{
	char pre[24];
	__u32 k;

	lv_diff_regs(x, "redist", id, LIBVIRQ_GICV3_REDIST, a->redist,
		     a->nr_redist, b->redist, b->nr_redist);
	lv_diff_regs(x, "cpuif", id, LIBVIRQ_GICV3_CPUIF, a->sysregs,
		     a->nr_sysregs, b->sysregs, b->nr_sysregs);
	for (k = 0; k < VIRQ_GICV3_NR_PRIVATE; k++) {
		snprintf(pre, sizeof(pre), "INTID %u ", k);
		lv_diff_gic_word(x, "private", id, pre, a->priv[k], b->priv[k]);
	}
}

long libvirq_diff(const struct libvirq_state *a,
		  const struct libvirq_state *b, __u32 flags,
		  int (*fn)(const struct libvirq_diff *d, void *arg),
		  void *arg)
{
	struct lv_differ x = { .fn = fn, .arg = arg };
	const struct libvirq_vcpu_state *p, *q;
	__u32 i, j, n;

	lv_diff_config(&x, &a->cfg, &b->cfg);
	if (a->cfg.family != b->cfg.family)
		return x.count;	/* nothing else compares */

	/* vCPUs: both ordered by index */
	for (i = 0, j = 0; i < a->nr_vcpus || j < b->nr_vcpus;) {
		p = i < a->nr_vcpus ? &a->vcpus[i] : NULL;
		q = j < b->nr_vcpus ? &b->vcpus[j] : NULL;
		if (!q || (p && p->index < q->index)) {
			lv_report(&x, "vcpus", p->arch_id, "index", p->index, 0,
				  'a');
			i++;
			continue;
		}
		if (!p || q->index < p->index) {
			lv_report(&x, "vcpus", q->arch_id, "index", 0, q->index,
				  'b');
			j++;
			continue;
		}
		i++;
		j++;
		LV_CMP(&x, "vcpus", p->index, "arch_id", p->arch_id,
		       q->arch_id);
		if (a->cfg.family == VIRQ_FAMILY_GICV3) {
			lv_diff_gic_vcpu(&x, p->arch_id, &p->gic, &q->gic);
			continue;
		}
		if (a->cfg.family == VIRQ_FAMILY_XICS) {
			LV_CMP(&x, "icp", p->arch_id, "CPPR", p->icp >> 56,
			       q->icp >> 56);
			LV_CMP(&x, "icp", p->arch_id, "XISR",
			       p->icp >> 32 & 0xffffff,
			       q->icp >> 32 & 0xffffff);
			LV_CMP(&x, "icp", p->arch_id, "MFRR",
			       p->icp >> 24 & 0xff, q->icp >> 24 & 0xff);
			LV_CMP(&x, "icp", p->arch_id, "PPRI",
			       p->icp >> 16 & 0xff, q->icp >> 16 & 0xff);
			LV_CMP(&x, "icp", p->arch_id, "reserved",
			       p->icp & 0xffff, q->icp & 0xffff);
			continue;
		}
		LV_CMP(&x, "tsc", p->arch_id, "tsc_khz", p->tsc.tsc_khz,
		       q->tsc.tsc_khz);
		LV_CMP(&x, "tsc", p->arch_id, "offset", p->tsc.offset,
		       q->tsc.offset);
		lv_diff_lapic(&x, p->arch_id, &p->lapic, &q->lapic, flags);
	}

	if (a->cfg.family == VIRQ_FAMILY_X86) {
		if (!((a->cfg.x86.flags | b->cfg.x86.flags) &
		      VIRQ_X86_OPT_NO_PIC))
			lv_diff_pic(&x, &a->pic, &b->pic);
		n = a->cfg.x86.nr_ioapics < b->cfg.x86.nr_ioapics ?
		    a->cfg.x86.nr_ioapics : b->cfg.x86.nr_ioapics;
		for (i = 0; i < n; i++)
			lv_diff_ioapic(&x, i, &a->ioapics[i], &b->ioapics[i]);
		n = a->cfg.x86.nr_irtes < b->cfg.x86.nr_irtes ?
		    a->cfg.x86.nr_irtes : b->cfg.x86.nr_irtes;
		for (i = 0; i < n; i++) {
			LV_CMP(&x, "irte", i, "lo", a->irtes[i].lo,
			       b->irtes[i].lo);
			LV_CMP(&x, "irte", i, "hi", a->irtes[i].hi,
			       b->irtes[i].hi);
		}
		lv_diff_routes(&x, a, b);
	}

	if (a->cfg.family == VIRQ_FAMILY_GICV3) {
		LV_CMP(&x, "dist", 0, "saved tables", a->gic_flags,
		       b->gic_flags);
		lv_diff_regs(&x, "dist", 0, LIBVIRQ_GICV3_DIST, a->dist_regs,
			     a->nr_dist_regs, b->dist_regs, b->nr_dist_regs);
		lv_diff_regs(&x, "its", 0, LIBVIRQ_GICV3_ITS, a->its_regs,
			     a->nr_its_regs, b->its_regs, b->nr_its_regs);
	}

	n = a->cfg.nr_sources < b->cfg.nr_sources ? a->cfg.nr_sources :
						    b->cfg.nr_sources;
	for (i = 0; i < n && !x.stop; i++) {
		if (a->cfg.family == VIRQ_FAMILY_GICV3)
			lv_diff_gic_word(&x, "source", i, "", a->sources[i],
					 b->sources[i]);
		else
			LV_CMP(&x, "source", i, "word", a->sources[i],
			       b->sources[i]);
	}
	return x.count;
}
