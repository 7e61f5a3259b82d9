// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation-failure injection (issue #7): every fault point of an ioctl,
 * one at a time, through /proc/thread-self/fail-nth.
 *
 * For each operation and n = 1, 2, ...: a fresh instance is set up, its
 * state (what the GET calls return: chip configuration, source words, GSI
 * routes, chip and vCPU attributes, plus the lowest free file descriptor)
 * is snapshot, n is written to fail-nth through an fd opened beforehand,
 * the operation runs, and fail-nth is read back: 0 means the nth fault
 * point was reached and failed.  Then:
 *  - the operation failed: errno is ENOMEM, or EFAULT for a user copy
 *    (FAULT_INJECTION_USERCOPY); the state equals the snapshot; the same
 *    operation then succeeds and gives the reference state (the state the
 *    operation gives without any fault, computed first);
 *  - it succeeded anyway (the fault was absorbed, e.g. kvmalloc falling
 *    back to vmalloc): the state is the reference state;
 *  - the nth point was not reached: the sweep ends.
 *
 * EFAULT versus ENOMEM: every user pointer handed to virq is valid and
 * its pages are touched before the ioctl, so an EFAULT can only come
 * from an injected user-copy fault (fail_usercopy) or from a page fault
 * on user memory whose page allocation was injected (fail_page_alloc),
 * and ENOMEM only from an allocation.  fail-nth does not say which of
 * failslab, fail_page_alloc and fail_usercopy took the nth point, and
 * their verbose messages are rate-limited, so the test counts the two
 * errnos separately and accepts nothing else.
 *
 * VIRQ_IRQ_LINES may apply a prefix of its batch (it returns the number
 * applied): such a partial result is counted apart, the rest of the batch
 * is resubmitted, and the state must then be the reference state.  virq
 * checks that the statuses can be written before it applies anything, so
 * an EFAULT from that check changed nothing and is retried like any other
 * failure; only the final write of the statuses, after the batch was
 * applied, can still fail (another thread unmapping the memory, or here
 * an injected user-copy fault): that EFAULT must leave the reference
 * state and is not retried, a retry would inject the edges twice.
 *
 * Set-up: failslab and fail_page_alloc must not ignore GFP_KERNEL
 * allocations (ignore-gfp-wait N), fail_page_alloc fails order-0 pages
 * too (min-order 0), and verbose is 0 for all three (verbose 2 prints a
 * "Call Trace:" that run.sh's dmesg check rejects).  The old values are
 * restored afterwards.  The last test scans kmemleak for objects that
 * virq allocated and lost.
 *
 * SKIPs on kernels without fail-nth (CONFIG_FAULT_INJECTION off, as
 * Debian's) and when a family is not built in.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/virq.h>

#include <kselftest_harness.h>

#include "common.h"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define DEBUGFS		"/sys/kernel/debug"
#define MAX_NTH		20000	/* a sweep that does not end is a failure */

#define X86_VCPUS	2
#define X86_GSIS	320
#define X86_IRTES	64
#define X86_ROUTES	316	/* routes of the VIRQ_SET_GSI_ROUTING table */
#define X86_ROUTE_CAP	1024	/* GET_GSI_ROUTING buffer */
#define X86_IRQFD_GSI	10
#define XICS_RANGE	1024	/* VIRQ_SET_SOURCES range */
#define NR_LINES	16	/* VIRQ_IRQ_LINES batch */

/* --- debugfs knobs ----------------------------------------------------- */

static const struct {
	const char *path;
	const char *value;
} knobs[] = {
	{ DEBUGFS "/failslab/verbose", "0" },
	{ DEBUGFS "/failslab/ignore-gfp-wait", "N" },
	{ DEBUGFS "/fail_page_alloc/verbose", "0" },
	{ DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N" },
	{ DEBUGFS "/fail_page_alloc/min-order", "0" },
	{ DEBUGFS "/fail_usercopy/verbose", "0" },
};

#define NR_KNOBS	(sizeof(knobs) / sizeof(knobs[0]))

static int read_file(const char *path, char *buf, size_t size)
{
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = read(fd, buf, size - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = 0;
	while (r > 0 && buf[r - 1] == '\n')
		buf[--r] = 0;
	return 0;
}

static int write_file(const char *path, const char *s)
{
	ssize_t len = strlen(s), r;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = write(fd, s, len);
	close(fd);
	return r == len ? 0 : -1;
}

/* --- the instance under test ------------------------------------------- */

struct ctx {
	int fd;
	int vfd[X86_VCPUS];
	int efd;		/* irqfd's eventfd */
	int rfd;		/* its resamplefd */
	__u32 family;
	__u32 start;		/* VIRQ_IRQ_LINES: first entry to submit */
	__u32 done;		/* VIRQ_IRQ_LINES: entries applied */
	int snap_errs;		/* GET calls of a snapshot that failed */
};

static void ctx_init(struct ctx *c, __u32 family)
{
	int i;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	for (i = 0; i < X86_VCPUS; i++)
		c->vfd[i] = -1;
	c->efd = -1;
	c->rfd = -1;
	c->family = family;
}

static void ctx_close(struct ctx *c)
{
	int i;

	for (i = X86_VCPUS - 1; i >= 0; i--)
		if (c->vfd[i] >= 0)
			close(c->vfd[i]);
	if (c->rfd >= 0)
		close(c->rfd);
	if (c->efd >= 0)
		close(c->efd);
	if (c->fd >= 0)
		close(c->fd);
	ctx_init(c, c->family);
}

/* --- snapshots ---------------------------------------------------------- */

struct snap {
	unsigned char *p;
	size_t len, cap;
};

static void snap_put(struct snap *s, const void *data, size_t len)
{
	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2;
		s->p = realloc(s->p, s->cap);
		if (!s->p)
			abort();
	}
	memcpy(s->p + s->len, data, len);
	s->len += len;
}

/* One GET result: its return value, errno, and the bytes it filled. */
static void snap_get(struct ctx *c, struct snap *s, int ret, const void *buf,
		     size_t len)
{
	int e = ret ? errno : 0;

	if (ret)
		c->snap_errs++;
	snap_put(s, &ret, sizeof(ret));
	snap_put(s, &e, sizeof(e));
	if (!ret)
		snap_put(s, buf, len);
}

static int get_attr(int fd, unsigned long cmd, __u32 group, __u64 attr,
		    void *buf, __u32 size)
{
	struct virq_attr a = {
		.group = group, .attr = attr,
		.addr = (__u64)(uintptr_t)buf, .size = size,
	};

	memset(buf, 0xcc, size);
	return ioctl(fd, cmd, &a);
}

static int set_attr(int fd, unsigned long cmd, __u32 group, __u64 attr,
		    const void *buf, __u32 size)
{
	struct virq_attr a = {
		.group = group, .attr = attr,
		.addr = (__u64)(uintptr_t)buf, .size = size,
	};

	return ioctl(fd, cmd, &a);
}

static void snap_x86(struct ctx *c, struct snap *s,
		     const struct virq_x86_options *o)
{
	static struct virq_route routes[X86_ROUTE_CAP];
	static struct virq_x86_irte irtes[VIRQ_X86_MAX_IRTES];
	struct virq_routing rt = {
		.nr = X86_ROUTE_CAP, .entries = (__u64)(uintptr_t)routes,
	};
	struct virq_x86_ioapic_state io;
	struct virq_x86_pic_state pic;
	struct virq_x86_lapic_state ls;
	struct virq_x86_ir_fault f;
	__u32 i, n;
	int ret;

	memset(routes, 0xcc, sizeof(routes));
	ret = ioctl(c->fd, VIRQ_GET_GSI_ROUTING, &rt);
	snap_put(s, &rt.nr, sizeof(rt.nr));
	snap_get(c, s, ret, routes, ret ? 0 : rt.nr * sizeof(routes[0]));

	n = o->nr_ioapics ? o->nr_ioapics : 1;
	for (i = 0; i < n; i++) {
		ret = get_attr(c->fd, VIRQ_GET_ATTR, VIRQ_X86_GRP_IOAPIC, i,
			       &io, sizeof(io));
		snap_get(c, s, ret, &io, sizeof(io));
	}
	if (!(o->flags & VIRQ_X86_OPT_NO_PIC)) {
		ret = get_attr(c->fd, VIRQ_GET_ATTR, VIRQ_X86_GRP_PIC, 0,
			       &pic, sizeof(pic));
		snap_get(c, s, ret, &pic, sizeof(pic));
	}
	if (o->nr_irtes) {
		ret = get_attr(c->fd, VIRQ_GET_ATTR, VIRQ_X86_GRP_IRTE, 0,
			       irtes, o->nr_irtes * sizeof(irtes[0]));
		snap_get(c, s, ret, irtes, o->nr_irtes * sizeof(irtes[0]));
		ret = get_attr(c->fd, VIRQ_GET_ATTR, VIRQ_X86_GRP_IR_FAULT, 0,
			       &f, sizeof(f));
		snap_get(c, s, ret, &f, sizeof(f));
	}
	for (i = 0; i < X86_VCPUS; i++) {
		if (c->vfd[i] < 0)
			continue;
		ret = get_attr(c->vfd[i], VIRQ_VCPU_GET_ATTR,
			       VIRQ_X86_VGRP_LAPIC, 0, &ls, sizeof(ls));
		/* the guest TSC at the moment of the GET: not state */
		ls.timer_guest_tsc = 0;
		snap_get(c, s, ret, &ls, sizeof(ls));
	}
}

static void snap_xics(struct ctx *c, struct snap *s)
{
	__u64 w;
	int i, ret;

	for (i = 0; i < X86_VCPUS; i++) {
		if (c->vfd[i] < 0)
			continue;
		ret = get_attr(c->vfd[i], VIRQ_VCPU_GET_ATTR,
			       VIRQ_XICS_GRP_ICP, 0, &w, sizeof(w));
		snap_get(c, s, ret, &w, sizeof(w));
	}
}

/*
 * Everything the GET calls return about instance @c, and the lowest free
 * file descriptor (a failed VIRQ_CREATE_VCPU must not leave one behind).
 */
static void snapshot(struct ctx *c, struct snap *s)
{
	static __u64 words[VIRQ_SOURCES_MAX];
	struct virq_x86_options o;
	struct virq_chip_config cfg = {
		.options = (__u64)(uintptr_t)&o, .options_size = sizeof(o),
	};
	int ret, lowfd;

	s->len = 0;
	c->snap_errs = 0;
	memset(&o, 0xcc, sizeof(o));
	ret = ioctl(c->fd, VIRQ_GET_CHIP, &cfg);
	if (ret) {
		/* no chip yet: that is the state (counts as no error) */
		snap_put(s, &errno, sizeof(errno));
	} else {
		snap_put(s, &cfg, sizeof(cfg));
		snap_put(s, &o, sizeof(o));
		if (cfg.nr_sources > VIRQ_SOURCES_MAX)
			abort();
		memset(words, 0xcc, cfg.nr_sources * sizeof(words[0]));
		ret = virq_get_words(c->fd, 0, cfg.nr_sources, words);
		snap_get(c, s, ret, words, cfg.nr_sources * sizeof(words[0]));
		if (cfg.family == VIRQ_FAMILY_X86)
			snap_x86(c, s, &o);
		else if (cfg.family == VIRQ_FAMILY_XICS)
			snap_xics(c, s);
	}
	lowfd = dup(0);
	if (lowfd >= 0)
		close(lowfd);
	snap_put(s, &lowfd, sizeof(lowfd));
}

/* --- set-ups ------------------------------------------------------------ */

static const struct virq_x86_options x86_opts = {
	.nr_ioapics = 2,
	.nr_irtes = X86_IRTES,
	.ioapics = {
		{ .nr_pins = 24, .id = 0 },
		{ .nr_pins = 32, .id = 1, .source_id = 0xf0f8 },
	},
};

static int x86_chip(struct ctx *c)
{
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_X86,
		.nr_vcpus = X86_VCPUS,
		.nr_sources = X86_GSIS,
		.options = (__u64)(uintptr_t)&x86_opts,
		.options_size = sizeof(x86_opts),
	};

	return ioctl(c->fd, VIRQ_CREATE_CHIP, &cfg);
}

static int xics_chip(struct ctx *c)
{
	return virq_create_chip(c->fd, VIRQ_FAMILY_XICS, XICS_NR_VCPUS,
				XICS_NR_SOURCES);
}

static int setup_open(struct ctx *c)
{
	c->fd = virq_open();
	return c->fd < 0 ? -1 : 0;
}

/* An x86 chip (2 IOAPICs, IRTEs) and vCPU 0 */
static int setup_x86_1(struct ctx *c)
{
	if (setup_open(c) || x86_chip(c))
		return -1;
	c->vfd[0] = virq_create_vcpu(c->fd, 0, 0);
	return c->vfd[0] < 0 ? -1 : 0;
}

/* The same with vCPU 1 */
static int setup_x86(struct ctx *c)
{
	if (setup_x86_1(c))
		return -1;
	c->vfd[1] = virq_create_vcpu(c->fd, 1, 1);
	return c->vfd[1] < 0 ? -1 : 0;
}

static int setup_xics_1(struct ctx *c)
{
	if (setup_open(c) || xics_make(c->fd, XICS_NR_VCPUS, XICS_NR_SOURCES,
				       c->vfd, 1))
		return -1;
	return 0;
}

static int setup_xics(struct ctx *c)
{
	if (setup_open(c) || xics_make(c->fd, XICS_NR_VCPUS, XICS_NR_SOURCES,
				       c->vfd, 2))
		return -1;
	return 0;
}

static int setup_x86_irqfd(struct ctx *c)
{
	if (setup_x86(c))
		return -1;
	c->efd = eventfd(0, EFD_CLOEXEC);
	c->rfd = eventfd(0, EFD_CLOEXEC);
	return c->efd < 0 || c->rfd < 0 ? -1 : 0;
}

static int setup_xics_irqfd(struct ctx *c)
{
	if (setup_xics(c) || xics_set_lsi(c->fd, XICS_SRC) ||
	    xics_route(c->fd, XICS_SRC, 0))
		return -1;
	c->efd = eventfd(0, EFD_CLOEXEC);
	c->rfd = eventfd(0, EFD_CLOEXEC);
	return c->efd < 0 || c->rfd < 0 ? -1 : 0;
}

static int setup_xics_lines(struct ctx *c)
{
	__u32 i;

	if (setup_xics(c))
		return -1;
	for (i = 0; i < NR_LINES; i++)
		if (xics_route(c->fd, XICS_SRC + i, i & 1))
			return -1;
	return 0;
}

static struct virq_x86_ioapic_state ioapic_val;

/* --- operations: 0, -1 with errno, or 1 for a partial VIRQ_IRQ_LINES ---- */

static int op_create_chip_x86(struct ctx *c)
{
	return x86_chip(c);
}

static int op_create_chip_xics(struct ctx *c)
{
	return xics_chip(c);
}

static int op_create_vcpu(struct ctx *c)
{
	int vfd = virq_create_vcpu(c->fd, 1, 1);

	if (vfd < 0)
		return -1;
	c->vfd[1] = vfd;
	return 0;
}

static int verify_create_vcpu(struct ctx *c)
{
	struct virq_vcpu_create id;

	memset(&id, 0xcc, sizeof(id));
	if (ioctl(c->vfd[1], VIRQ_VCPU_GET_ID, &id))
		return -1;
	return id.index == 1 && id.arch_id == 1 ? 0 : -1;
}

static struct virq_route routes[X86_ROUTES];

static int op_set_routing(struct ctx *c)
{
	struct virq_routing rt = {
		.nr = X86_ROUTES, .entries = (__u64)(uintptr_t)routes,
	};
	__u32 gsi, n = 0;

	memset(routes, 0, sizeof(routes));
	for (gsi = 0; gsi < 16; gsi++) {
		routes[n].gsi = gsi;
		routes[n].type = VIRQ_ROUTE_IRQCHIP;
		routes[n].u.irqchip.irqchip = gsi < 8 ?
			VIRQ_X86_IRQCHIP_PIC_MASTER :
			VIRQ_X86_IRQCHIP_PIC_SLAVE;
		routes[n++].u.irqchip.pin = gsi & 7;
	}
	for (gsi = 0; gsi < 56; gsi++) {
		routes[n].gsi = gsi;
		routes[n].type = VIRQ_ROUTE_IRQCHIP;
		routes[n].u.irqchip.irqchip = VIRQ_X86_IRQCHIP_IOAPIC(gsi / 24 ?
								      1 : 0);
		routes[n++].u.irqchip.pin = gsi < 24 ? gsi : gsi - 24;
	}
	for (gsi = 56; n < X86_ROUTES; gsi++) {
		routes[n].gsi = gsi;
		routes[n].type = VIRQ_ROUTE_MSI;
		routes[n].u.msi.address_lo = 0xfee00000 | (gsi & 1) << 12;
		routes[n++].u.msi.data = 0x30 + gsi % 200;
	}
	return ioctl(c->fd, VIRQ_SET_GSI_ROUTING, &rt);
}

static int update_route(struct ctx *c, __u32 op, __u32 gsi, __u32 data)
{
	struct virq_route_update u = {
		.op = op,
		.route = {
			.gsi = gsi, .type = VIRQ_ROUTE_MSI,
			.u.msi = { .address_lo = 0xfee01000, .data = data },
		},
	};

	return ioctl(c->fd, VIRQ_UPDATE_GSI_ROUTE, &u);
}

/* GSI 300 has no default route */
static int op_route_add(struct ctx *c)
{
	return update_route(c, VIRQ_ROUTE_OP_ADD, 300, 0x45);
}

/* GSI 5 has a PIC and an IOAPIC entry */
static int op_route_replace(struct ctx *c)
{
	return update_route(c, VIRQ_ROUTE_OP_REPLACE, 5, 0x46);
}

/* GSI 5's IOAPIC 0 entry, leaving its PIC one */
static int op_route_delete(struct ctx *c)
{
	struct virq_route_update u = {
		.op = VIRQ_ROUTE_OP_DELETE,
		.route = {
			.gsi = 5, .type = VIRQ_ROUTE_IRQCHIP,
			.u.irqchip = {
				.irqchip = VIRQ_X86_IRQCHIP_IOAPIC(0),
				.pin = 5,
			},
		},
	};

	return ioctl(c->fd, VIRQ_UPDATE_GSI_ROUTE, &u);
}

/* Both entries of GSI 5 */
static int op_route_clear(struct ctx *c)
{
	struct virq_route_update u = {
		.op = VIRQ_ROUTE_OP_CLEAR, .route = { .gsi = 5 },
	};

	return ioctl(c->fd, VIRQ_UPDATE_GSI_ROUTE, &u);
}

/* remappable MSI address of handle @h (no subhandle) */
#define IR_ADDR(h)	(0xfee00000U | ((h) & 0x7fff) << 5 | 1U << 4)
#define IR_VECTOR	0x41

/*
 * vCPU 1's LAPIC software-enabled, IRTE 5 present (IR_VECTOR, fixed,
 * physical, APIC 1), a fault eventfd: an MSI through IRTE 5 sets IRR, one
 * through IRTE 6 (not present) records a fault and signals the eventfd.
 */
static int setup_x86_msi(struct ctx *c)
{
	struct virq_access a = {
		.space = VIRQ_SPACE_MMIO, .addr = 0xfee000f0,
		.len = 4, .flags = VIRQ_ACCESS_WRITE, .data = 0x1ff,
	};
	struct virq_x86_irte e = {
		.lo = VIRQ_X86_IRTE_PRESENT |
		      (__u64)IR_VECTOR << VIRQ_X86_IRTE_VECTOR_SHIFT |
		      1ULL << VIRQ_X86_IRTE_DEST_SHIFT,
	};
	__s32 efd;

	if (setup_x86(c) || ioctl(c->vfd[1], VIRQ_VCPU_ACCESS, &a) ||
	    set_attr(c->fd, VIRQ_SET_ATTR, VIRQ_X86_GRP_IRTE, 5, &e,
		     sizeof(e)))
		return -1;
	c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	efd = c->efd;
	if (c->efd < 0)
		return -1;
	return set_attr(c->fd, VIRQ_SET_ATTR, VIRQ_X86_GRP_IR_FAULT, 1, &efd,
			sizeof(efd));
}

static int signal_msi(struct ctx *c, __u32 handle)
{
	struct virq_msi m = { .address_lo = IR_ADDR(handle) };

	return ioctl(c->fd, VIRQ_SIGNAL_MSI, &m);
}

static int op_msi_ir(struct ctx *c)
{
	return signal_msi(c, 5);
}

static int op_msi_ir_fault(struct ctx *c)
{
	return signal_msi(c, 6);
}

/* The fault was reported through the eventfd, once */
static int verify_msi_ir_fault(struct ctx *c)
{
	__u64 cnt = 0;

	if (read(c->efd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return -1;
	return cnt == 1 ? 0 : -1;
}

static struct virq_call call_val;

static int chip_call(struct ctx *c, __u32 nr, __u64 a0, __u64 a1, __u64 a2)
{
	if (xics_rtas(c->fd, nr, a0, a1, a2, &call_val))
		return -1;
	return call_val.ret == VIRQ_XICS_RTAS_SUCCESS ? 0 : -1;
}

#define MSI_BLOCK	64	/* first free aligned block: 64..127 */

/* Allocates ICS 0, then claims the block */
static int op_msi_alloc(struct ctx *c)
{
	return chip_call(c, VIRQ_XICS_CALL_MSI_ALLOC, MSI_BLOCK, 0, 0);
}

static int verify_msi_alloc(struct ctx *c)
{
	return call_val.rets[0] == MSI_BLOCK ? 0 : -1;
}

static int setup_xics_msi(struct ctx *c)
{
	if (setup_xics(c))
		return -1;
	return chip_call(c, VIRQ_XICS_CALL_MSI_ALLOC, MSI_BLOCK, 0, 0);
}

static int op_msi_free(struct ctx *c)
{
	return chip_call(c, VIRQ_XICS_CALL_MSI_FREE, MSI_BLOCK, MSI_BLOCK, 0);
}

/* A source of ICS 1, never touched: allocates the ICS */
static int op_set_xive(struct ctx *c)
{
	return chip_call(c, VIRQ_XICS_CALL_SET_XIVE, VIRQ_XICS_ICS_SIZE + 5,
			 1, XICS_PRIO);
}

static struct virq_ack ack_val;

/* The MSI through IRTE 5 is pending in vCPU 1's IRR */
static int setup_x86_ack(struct ctx *c)
{
	if (setup_x86_msi(c))
		return -1;
	return op_msi_ir(c);
}

/* INTA: IR_VECTOR moves from IRR to ISR; the VMM must learn it */
static int op_ack_x86(struct ctx *c)
{
	memset(&ack_val, 0, sizeof(ack_val));
	return ioctl(c->vfd[1], VIRQ_VCPU_ACK, &ack_val);
}

static int verify_ack_x86(struct ctx *c)
{
	return ack_val.id == IR_VECTOR ? 0 : -1;
}

/* XICS_SRC presented to server 1 */
static int setup_xics_xirr(struct ctx *c)
{
	if (setup_xics(c) || xics_route(c->fd, XICS_SRC, 1))
		return -1;
	return virq_line(c->fd, XICS_SRC, VIRQ_LINE_EDGE, NULL);
}

/* H_XIRR accepts it: the XISR empties and the CPPR rises */
static int op_xirr(struct ctx *c)
{
	return xics_hcall(c->vfd[1], H_XIRR, 0, 0, &call_val);
}

static int verify_xirr(struct ctx *c)
{
	return call_val.ret == H_SUCCESS &&
	       call_val.rets[0] == (0xff000000ULL | XICS_SRC) ? 0 : -1;
}

static struct virq_chip_config chip_val;
static struct virq_x86_options chip_opts;

/* A buffer larger than the options: the tail must come back zeroed */
static int op_get_chip(struct ctx *c)
{
	static unsigned char buf[sizeof(struct virq_x86_options) + 16];
	size_t i;

	memset(&chip_val, 0xcc, sizeof(chip_val));
	memset(buf, 0xcc, sizeof(buf));
	chip_val.flags = 0;
	chip_val.padding = 0;
	chip_val.options = (__u64)(uintptr_t)buf;
	chip_val.options_size = sizeof(buf);
	if (ioctl(c->fd, VIRQ_GET_CHIP, &chip_val))
		return -1;
	memcpy(&chip_opts, buf, sizeof(chip_opts));
	for (i = sizeof(chip_opts); i < sizeof(buf); i++)
		if (buf[i])
			return -1;
	return 0;
}

static int verify_get_chip(struct ctx *c)
{
	if (chip_val.family != VIRQ_FAMILY_X86 ||
	    chip_val.nr_vcpus != X86_VCPUS ||
	    chip_val.nr_sources != X86_GSIS ||
	    chip_val.options_size != sizeof(x86_opts))
		return -1;
	return memcmp(&chip_opts, &x86_opts, sizeof(x86_opts)) ? -1 : 0;
}

static int irqfd(struct ctx *c, __u32 source, __u32 flags)
{
	struct virq_irqfd a = {
		.fd = c->efd, .source = source, .flags = flags,
		.resamplefd = c->rfd,
	};

	if (flags & VIRQ_IRQFD_FLAG_DEASSIGN)
		a.resamplefd = 0;
	return ioctl(c->fd, VIRQ_IRQFD, &a);
}

static int op_irqfd_x86(struct ctx *c)
{
	return irqfd(c, X86_IRQFD_GSI, VIRQ_IRQFD_FLAG_RESAMPLE);
}

static int op_irqfd_xics(struct ctx *c)
{
	return irqfd(c, XICS_SRC, VIRQ_IRQFD_FLAG_RESAMPLE);
}

/*
 * The irqfd is assigned once (a second assign is EBUSY), and a signal
 * raises its source as a resampled level line.
 */
static int verify_irqfd(struct ctx *c, __u32 source, __u64 bit)
{
	__u64 one = 1;

	if (irqfd(c, source, VIRQ_IRQFD_FLAG_RESAMPLE) != -1 ||
	    errno != EBUSY)
		return -1;
	if (write(c->efd, &one, sizeof(one)) != sizeof(one))
		return -1;
	if (!(virq_word(c->fd, source) & bit))
		return -1;
	return irqfd(c, source, VIRQ_IRQFD_FLAG_DEASSIGN);
}

static int verify_irqfd_x86(struct ctx *c)
{
	return verify_irqfd(c, X86_IRQFD_GSI, VIRQ_X86_SRC_LEVEL_RESAMPLE);
}

static int verify_irqfd_xics(struct ctx *c)
{
	return verify_irqfd(c, XICS_SRC, VIRQ_XICS_ASSERTED);
}

static __u64 src_words[XICS_RANGE];

/* Level drivers on every third GSI with IOAPIC pins */
static int op_sources_x86(struct ctx *c)
{
	__u32 gsi;

	memset(src_words, 0, sizeof(src_words));
	for (gsi = 0; gsi < 56; gsi += 3)
		src_words[gsi] = VIRQ_X86_SRC_LEVEL_USER;
	return virq_set_words(c->fd, 0, X86_GSIS, src_words);
}

/* Sources 32..1055 routed to servers 0/1, every 100th pending */
static int op_sources_xics(struct ctx *c)
{
	__u32 i;

	for (i = 0; i < XICS_RANGE; i++) {
		src_words[i] = (i & 1) |
			(__u64)XICS_PRIO << VIRQ_XICS_PRIORITY_SHIFT;
		if (!(i % 100))
			src_words[i] |= VIRQ_XICS_PENDING;
	}
	return virq_set_words(c->fd, XICS_SRC, XICS_RANGE, src_words);
}

/* IOAPIC 1 (32 pins): masked redirection entries with vectors */
static int setup_x86_ioapic(struct ctx *c)
{
	__u32 pin;

	if (setup_x86(c) ||
	    get_attr(c->fd, VIRQ_GET_ATTR, VIRQ_X86_GRP_IOAPIC, 1,
		     &ioapic_val, sizeof(ioapic_val)))
		return -1;
	for (pin = 0; pin < 24; pin++)
		ioapic_val.kvm.redirtbl[pin] = 1ULL << 16 | (0x40 + pin);
	for (pin = 24; pin < 32; pin++)
		ioapic_val.redirtbl_ext[pin - 24] = 1ULL << 16 | (0x40 + pin);
	ioapic_val.kvm.ioregsel = 0x12;
	return 0;
}

static int op_attr_ioapic(struct ctx *c)
{
	return set_attr(c->fd, VIRQ_SET_ATTR, VIRQ_X86_GRP_IOAPIC, 1,
			&ioapic_val, sizeof(ioapic_val));
}

static struct virq_x86_lapic_state lapic_val;

/* LAPIC of vCPU 1: TPR 0x20, software-enabled, logical id 2 */
static int setup_x86_lapic(struct ctx *c)
{
	if (setup_x86(c) ||
	    get_attr(c->vfd[1], VIRQ_VCPU_GET_ATTR, VIRQ_X86_VGRP_LAPIC, 0,
		     &lapic_val, sizeof(lapic_val)))
		return -1;
	lapic_val.regs[0x80] = 0x20;
	lapic_val.regs[0xf0] = 0xff;
	lapic_val.regs[0xf1] = 0x01;
	lapic_val.regs[0xd3] = 0x02;
	return 0;
}

static int op_attr_lapic(struct ctx *c)
{
	return set_attr(c->vfd[1], VIRQ_VCPU_SET_ATTR, VIRQ_X86_VGRP_LAPIC, 0,
			&lapic_val, sizeof(lapic_val));
}

static struct virq_x86_irte irte_val[X86_IRTES];

/* The whole remapping table: present entries to APIC 0 and 1 */
static int op_attr_irte(struct ctx *c)
{
	__u32 i;

	for (i = 0; i < X86_IRTES; i++) {
		irte_val[i].lo = VIRQ_X86_IRTE_PRESENT |
			(__u64)(0x30 + i) << VIRQ_X86_IRTE_VECTOR_SHIFT |
			(__u64)(i & 1) << VIRQ_X86_IRTE_DEST_SHIFT;
		irte_val[i].hi = 0;
	}
	return set_attr(c->fd, VIRQ_SET_ATTR, VIRQ_X86_GRP_IRTE, 0, irte_val,
			sizeof(irte_val));
}

/* ICP of vCPU 1: CPPR 6, nothing pending */
static int op_attr_icp(struct ctx *c)
{
	__u64 w = 6ULL << VIRQ_XICS_ICP_CPPR_SHIFT |
		  0xffULL << VIRQ_XICS_ICP_MFRR_SHIFT |
		  0xffULL << VIRQ_XICS_ICP_PPRI_SHIFT;

	return set_attr(c->vfd[1], VIRQ_VCPU_SET_ATTR, VIRQ_XICS_GRP_ICP, 0,
			&w, sizeof(w));
}

static struct virq_irq_line line_val[NR_LINES];

static int irq_lines(struct ctx *c)
{
	struct virq_irq_lines b = {
		.count = NR_LINES - c->start,
		.lines = (__u64)(uintptr_t)&line_val[c->start],
	};
	int ret = ioctl(c->fd, VIRQ_IRQ_LINES, &b);

	if (ret < 0)
		return -1;
	c->done = c->start + ret;
	return c->done == NR_LINES ? 0 : 1;
}

/* Level lines high on GSIs 1..8, edges on 16..23 */
static int op_lines_x86(struct ctx *c)
{
	__u32 i;

	for (i = c->start; i < NR_LINES; i++) {
		line_val[i] = (struct virq_irq_line){
			.source = i < 8 ? 1 + i : 8 + i,
			.op = i < 8 ? VIRQ_LINE_SET : VIRQ_LINE_EDGE,
		};
	}
	return irq_lines(c);
}

/* Edges on sources 32..47, routed to servers 0 and 1 */
static int op_lines_xics(struct ctx *c)
{
	__u32 i;

	for (i = c->start; i < NR_LINES; i++)
		line_val[i] = (struct virq_irq_line){
			.source = XICS_SRC + i, .op = VIRQ_LINE_EDGE,
		};
	return irq_lines(c);
}

/* --- the sweep ---------------------------------------------------------- */

struct fcase {
	const char *name;
	__u32 family;
	int (*setup)(struct ctx *c);
	int (*op)(struct ctx *c);
	int (*verify)(struct ctx *c);	/* after success, optional */
	/*
	 * EFAULT may follow the applied operation: the result is written
	 * back after it (checked writable before, so only an injected
	 * usercopy fault fails there); the result is then lost to the
	 * caller, so @verify is not asked
	 */
	bool efault_applied;
};

static int nth_arm(int nfd, unsigned int n)
{
	char b[16];
	int len = snprintf(b, sizeof(b), "%u", n);

	return pwrite(nfd, b, len, 0) == len ? 0 : -1;
}

/*
 * 1 when the armed fault point was reached (fail-nth reads 0).  The read's
 * own user copy is a fault point: when it was the armed one (1 left), the
 * read fails, and the ioctl did not reach the point either.  Disarms.
 */
static int nth_hit(int nfd)
{
	char b[16] = { 0 };
	ssize_t r = pread(nfd, b, sizeof(b) - 1, 0);

	while (pwrite(nfd, "0", 1, 0) != 1 && errno == EFAULT)
		;
	return r > 0 && strtoul(b, NULL, 10) == 0;
}

static const char *hexdiff(const struct snap *a, const struct snap *b,
			   char *buf, size_t size)
{
	size_t i, n = a->len < b->len ? a->len : b->len;

	for (i = 0; i < n && a->p[i] == b->p[i]; i++)
		;
	snprintf(buf, size, "lengths %zu/%zu, first difference at byte %zu",
		 a->len, b->len, i);
	return buf;
}

static bool same(const struct snap *a, const struct snap *b)
{
	return a->len == b->len && !memcmp(a->p, b->p, a->len);
}

/* Run @fc->op until it is complete (resubmitting a partial batch) */
static int op_complete(const struct fcase *fc, struct ctx *c)
{
	int ret;

	do {
		ret = fc->op(c);
		c->start = c->done;
	} while (ret == 1);
	return ret;
}

static void sweep(struct __test_metadata *_metadata, int nfd,
		  const struct fcase *fc)
{
	struct snap ref = { 0 }, before = { 0 }, now = { 0 };
	unsigned int n, points = 0, nomem = 0, efault = 0, absorbed = 0;
	unsigned int partial = 0, applied = 0;
	bool lost;
	char msg[96];
	struct ctx c;
	int ret, err, hit, probe;

	probe = virq_open();
	if (probe < 0)
		SKIP(return, "%s: %s", VIRQ_DEV, strerror(errno));
	if (!virq_family_built(probe, fc->family)) {
		close(probe);
		SKIP(return, "family %u not built in", fc->family);
	}
	close(probe);

	/* the reference: the state the operation gives without faults */
	ctx_init(&c, fc->family);
	ASSERT_EQ(0, fc->setup(&c)) TH_LOG("set-up: %s", strerror(errno));
	ASSERT_EQ(0, fc->op(&c)) TH_LOG("%s: %s", fc->name, strerror(errno));
	snapshot(&c, &ref);
	ASSERT_EQ(0, c.snap_errs) TH_LOG("GET calls failed");
	if (fc->verify)
		ASSERT_EQ(0, fc->verify(&c));
	ctx_close(&c);

	for (n = 1; n <= MAX_NTH; n++) {
		ASSERT_EQ(0, fc->setup(&c)) TH_LOG("set-up: %s",
						   strerror(errno));
		snapshot(&c, &before);

		lost = false;
		ASSERT_EQ(0, nth_arm(nfd, n));
		ret = fc->op(&c);
		err = errno;
		hit = nth_hit(nfd);

		if (!hit) {
			EXPECT_EQ(0, ret) TH_LOG("n=%u: no fault, %s", n,
						 strerror(err));
			snapshot(&c, &now);
			EXPECT_TRUE(same(&ref, &now))
				TH_LOG("n=%u: no fault, state %s", n,
				       hexdiff(&ref, &now, msg, sizeof(msg)));
			ctx_close(&c);
			break;
		}
		points++;
		if (ret == 0) {
			absorbed++;
		} else if (ret == 1) {
			/* a prefix of the batch applied: resubmit the rest */
			partial++;
			c.start = c.done;
			EXPECT_EQ(0, op_complete(fc, &c))
				TH_LOG("n=%u: rest of batch: %s", n,
				       strerror(errno));
		} else {
			nomem += err == ENOMEM;
			efault += err == EFAULT;
			EXPECT_TRUE(err == ENOMEM || err == EFAULT)
				TH_LOG("n=%u: errno %d (%s)", n, err,
				       strerror(err));
			snapshot(&c, &now);
			if (err == EFAULT && fc->efault_applied &&
			    !same(&before, &now) && same(&ref, &now)) {
				applied++;	/* the final status write */
				lost = true;
			} else {
				EXPECT_TRUE(same(&before, &now))
					TH_LOG("n=%u: %s, state changed: %s",
					       n, strerror(err),
					       hexdiff(&before, &now, msg,
						       sizeof(msg)));
				c.start = 0;
				EXPECT_EQ(0, op_complete(fc, &c))
					TH_LOG("n=%u: retry after %s: %s", n,
					       strerror(err), strerror(errno));
			}
		}
		snapshot(&c, &now);
		EXPECT_TRUE(same(&ref, &now))
			TH_LOG("n=%u (%s): final state %s", n,
			       ret ? strerror(err) : "absorbed",
			       hexdiff(&ref, &now, msg, sizeof(msg)));
		if (fc->verify && !lost)
			EXPECT_EQ(0, fc->verify(&c))
				TH_LOG("n=%u: instance not usable", n);
		ctx_close(&c);
		if (_metadata->passed == 0)
			break;	/* the first failing point is enough */
	}
	EXPECT_GE(MAX_NTH, n) TH_LOG("no end after %u fault points", MAX_NTH);
	TH_LOG("%s: %u fault points: %u failed (%u ENOMEM, %u EFAULT, %u of them at the final status write), %u absorbed, %u partial",
	       fc->name, points, nomem + efault, nomem, efault, applied,
	       absorbed, partial);
	/* the batches' final status write is one fault point */
	if (fc->efault_applied)
		EXPECT_GE(1U, applied);
	free(ref.p);
	free(before.p);
	free(now.p);
}

/* --- the cases ---------------------------------------------------------- */

static const struct fcase c_chip_xics = {
	"VIRQ_CREATE_CHIP xics", VIRQ_FAMILY_XICS, setup_open,
	op_create_chip_xics, NULL,
};

static const struct fcase c_chip_x86 = {
	"VIRQ_CREATE_CHIP x86", VIRQ_FAMILY_X86, setup_open,
	op_create_chip_x86, NULL,
};

static const struct fcase c_vcpu_x86 = {
	"VIRQ_CREATE_VCPU x86", VIRQ_FAMILY_X86, setup_x86_1,
	op_create_vcpu, verify_create_vcpu,
};

static const struct fcase c_vcpu_xics = {
	"VIRQ_CREATE_VCPU xics", VIRQ_FAMILY_XICS, setup_xics_1,
	op_create_vcpu, verify_create_vcpu,
};

static const struct fcase c_routing = {
	"VIRQ_SET_GSI_ROUTING x86", VIRQ_FAMILY_X86, setup_x86,
	op_set_routing, NULL,
};

static const struct fcase c_route_add = {
	"VIRQ_UPDATE_GSI_ROUTE ADD", VIRQ_FAMILY_X86, setup_x86,
	op_route_add, NULL,
};

static const struct fcase c_route_replace = {
	"VIRQ_UPDATE_GSI_ROUTE REPLACE", VIRQ_FAMILY_X86, setup_x86,
	op_route_replace, NULL,
};

static const struct fcase c_route_delete = {
	"VIRQ_UPDATE_GSI_ROUTE DELETE", VIRQ_FAMILY_X86, setup_x86,
	op_route_delete, NULL,
};

static const struct fcase c_route_clear = {
	"VIRQ_UPDATE_GSI_ROUTE CLEAR", VIRQ_FAMILY_X86, setup_x86,
	op_route_clear, NULL,
};

/* EFAULT may come from the status write after the message went */
static const struct fcase c_msi_ir = {
	"VIRQ_SIGNAL_MSI remapped", VIRQ_FAMILY_X86, setup_x86_msi,
	op_msi_ir, NULL, true,
};

static const struct fcase c_msi_ir_fault = {
	"VIRQ_SIGNAL_MSI remapping fault", VIRQ_FAMILY_X86, setup_x86_msi,
	op_msi_ir_fault, verify_msi_ir_fault, true,
};

static const struct fcase c_msi_alloc = {
	"VIRQ_CHIP_CALL MSI_ALLOC", VIRQ_FAMILY_XICS, setup_xics,
	op_msi_alloc, verify_msi_alloc, true,
};

static const struct fcase c_msi_free = {
	"VIRQ_CHIP_CALL MSI_FREE", VIRQ_FAMILY_XICS, setup_xics_msi,
	op_msi_free, NULL, true,
};

static const struct fcase c_set_xive = {
	"VIRQ_CHIP_CALL SET_XIVE", VIRQ_FAMILY_XICS, setup_xics,
	op_set_xive, NULL, true,
};

static const struct fcase c_ack_x86 = {
	"VIRQ_VCPU_ACK x86", VIRQ_FAMILY_X86, setup_x86_ack, op_ack_x86,
	verify_ack_x86, true,
};

static const struct fcase c_xirr = {
	"VIRQ_VCPU_CALL H_XIRR", VIRQ_FAMILY_XICS, setup_xics_xirr, op_xirr,
	verify_xirr, true,
};

static const struct fcase c_get_chip = {
	"VIRQ_GET_CHIP x86", VIRQ_FAMILY_X86, setup_x86, op_get_chip,
	verify_get_chip,
};

static const struct fcase c_irqfd_x86 = {
	"VIRQ_IRQFD resample x86", VIRQ_FAMILY_X86, setup_x86_irqfd,
	op_irqfd_x86, verify_irqfd_x86,
};

static const struct fcase c_irqfd_xics = {
	"VIRQ_IRQFD resample xics", VIRQ_FAMILY_XICS, setup_xics_irqfd,
	op_irqfd_xics, verify_irqfd_xics,
};

static const struct fcase c_sources_x86 = {
	"VIRQ_SET_SOURCES x86", VIRQ_FAMILY_X86, setup_x86,
	op_sources_x86, NULL,
};

static const struct fcase c_sources_xics = {
	"VIRQ_SET_SOURCES xics", VIRQ_FAMILY_XICS, setup_xics,
	op_sources_xics, NULL,
};

static const struct fcase c_attr_ioapic = {
	"VIRQ_SET_ATTR IOAPIC", VIRQ_FAMILY_X86, setup_x86_ioapic,
	op_attr_ioapic, NULL,
};

static const struct fcase c_attr_irte = {
	"VIRQ_SET_ATTR IRTE", VIRQ_FAMILY_X86, setup_x86,
	op_attr_irte, NULL,
};

static const struct fcase c_attr_lapic = {
	"VIRQ_VCPU_SET_ATTR LAPIC", VIRQ_FAMILY_X86, setup_x86_lapic,
	op_attr_lapic, NULL,
};

static const struct fcase c_attr_icp = {
	"VIRQ_VCPU_SET_ATTR ICP", VIRQ_FAMILY_XICS, setup_xics,
	op_attr_icp, NULL,
};

static const struct fcase c_lines_x86 = {
	"VIRQ_IRQ_LINES x86", VIRQ_FAMILY_X86, setup_x86,
	op_lines_x86, NULL, true,
};

static const struct fcase c_lines_xics = {
	"VIRQ_IRQ_LINES xics", VIRQ_FAMILY_XICS, setup_xics_lines,
	op_lines_xics, NULL, true,
};

/*
 * After the sweeps: kmemleak finds no object that virq allocated (its
 * backtrace names a virq function, "[virq]").  Objects younger than 5 s
 * are not reported, hence two scans 6 s apart.
 */
static void kmemleak_check(struct __test_metadata *_metadata)
{
	static char buf[1 << 16];
	const char *p;
	int leaks = 0, ours = 0;
	ssize_t r;
	int fd;

	if (write_file(DEBUGFS "/kmemleak", "scan"))
		SKIP(return, "kmemleak: %s", strerror(errno));
	sleep(6);
	ASSERT_EQ(0, write_file(DEBUGFS "/kmemleak", "scan"));
	fd = open(DEBUGFS "/kmemleak", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_LE(0, r);
	buf[r] = 0;
	for (p = buf; (p = strstr(p, "unreferenced object")); p++)
		leaks++;
	for (p = buf; (p = strstr(p, "[virq]")); p++)
		ours++;
	if (leaks)
		TH_LOG("kmemleak:\n%s", buf);
	EXPECT_EQ(0, ours);
	EXPECT_EQ(0, leaks);
}

/* --- fixture: fail-nth and the debugfs knobs ---------------------------- */

FIXTURE(failnth) {
	int nfd;
	char saved[NR_KNOBS][32];
	bool changed[NR_KNOBS];
};

FIXTURE_VARIANT(failnth) {
	const struct fcase *fc;
};

FIXTURE_SETUP(failnth)
{
	unsigned int i;

	memset(self->changed, 0, sizeof(self->changed));
	self->nfd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (self->nfd < 0)
		SKIP(return, "%s: %s (no CONFIG_FAULT_INJECTION)", FAIL_NTH,
		     strerror(errno));
	for (i = 0; i < NR_KNOBS; i++) {
		if (read_file(knobs[i].path, self->saved[i],
			      sizeof(self->saved[i])))
			continue;	/* that fault type is not built in */
		ASSERT_EQ(0, write_file(knobs[i].path, knobs[i].value))
			TH_LOG("%s: %s", knobs[i].path, strerror(errno));
		self->changed[i] = true;
	}
}

FIXTURE_TEARDOWN(failnth)
{
	unsigned int i;

	for (i = 0; i < NR_KNOBS; i++)
		if (self->changed[i] &&
		    write_file(knobs[i].path, self->saved[i]))
			TH_LOG("cannot restore %s", knobs[i].path);
	if (self->nfd >= 0)
		close(self->nfd);
}

FIXTURE_VARIANT_ADD(failnth, create_chip_xics) {
	.fc = &c_chip_xics,
};

FIXTURE_VARIANT_ADD(failnth, create_chip_x86) {
	.fc = &c_chip_x86,
};

FIXTURE_VARIANT_ADD(failnth, create_vcpu_x86) {
	.fc = &c_vcpu_x86,
};

FIXTURE_VARIANT_ADD(failnth, create_vcpu_xics) {
	.fc = &c_vcpu_xics,
};

FIXTURE_VARIANT_ADD(failnth, set_gsi_routing) {
	.fc = &c_routing,
};

FIXTURE_VARIANT_ADD(failnth, route_add) {
	.fc = &c_route_add,
};

FIXTURE_VARIANT_ADD(failnth, route_replace) {
	.fc = &c_route_replace,
};

FIXTURE_VARIANT_ADD(failnth, route_delete) {
	.fc = &c_route_delete,
};

FIXTURE_VARIANT_ADD(failnth, route_clear) {
	.fc = &c_route_clear,
};

FIXTURE_VARIANT_ADD(failnth, signal_msi_remapped) {
	.fc = &c_msi_ir,
};

FIXTURE_VARIANT_ADD(failnth, signal_msi_remap_fault) {
	.fc = &c_msi_ir_fault,
};

FIXTURE_VARIANT_ADD(failnth, chip_call_msi_alloc) {
	.fc = &c_msi_alloc,
};

FIXTURE_VARIANT_ADD(failnth, chip_call_msi_free) {
	.fc = &c_msi_free,
};

FIXTURE_VARIANT_ADD(failnth, chip_call_set_xive) {
	.fc = &c_set_xive,
};

FIXTURE_VARIANT_ADD(failnth, vcpu_ack_x86) {
	.fc = &c_ack_x86,
};

FIXTURE_VARIANT_ADD(failnth, vcpu_call_xirr) {
	.fc = &c_xirr,
};

FIXTURE_VARIANT_ADD(failnth, get_chip_x86) {
	.fc = &c_get_chip,
};

FIXTURE_VARIANT_ADD(failnth, irqfd_x86) {
	.fc = &c_irqfd_x86,
};

FIXTURE_VARIANT_ADD(failnth, irqfd_xics) {
	.fc = &c_irqfd_xics,
};

FIXTURE_VARIANT_ADD(failnth, set_sources_x86) {
	.fc = &c_sources_x86,
};

FIXTURE_VARIANT_ADD(failnth, set_sources_xics) {
	.fc = &c_sources_xics,
};

FIXTURE_VARIANT_ADD(failnth, set_attr_ioapic) {
	.fc = &c_attr_ioapic,
};

FIXTURE_VARIANT_ADD(failnth, set_attr_irte) {
	.fc = &c_attr_irte,
};

FIXTURE_VARIANT_ADD(failnth, vcpu_set_attr_lapic) {
	.fc = &c_attr_lapic,
};

FIXTURE_VARIANT_ADD(failnth, vcpu_set_attr_icp) {
	.fc = &c_attr_icp,
};

FIXTURE_VARIANT_ADD(failnth, irq_lines_x86) {
	.fc = &c_lines_x86,
};

FIXTURE_VARIANT_ADD(failnth, irq_lines_xics) {
	.fc = &c_lines_xics,
};

/* the last variant: no operation, the kmemleak check after the sweeps */
FIXTURE_VARIANT_ADD(failnth, kmemleak) {
	.fc = NULL,
};

TEST_F_TIMEOUT(failnth, sweep, 600)
{
	SKIP_IF_SETUP_SKIPPED();
	if (variant->fc)
		sweep(_metadata, self->nfd, variant->fc);
	else
		kmemleak_check(_metadata);
}

TEST_HARNESS_MAIN
