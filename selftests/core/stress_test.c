// SPDX-License-Identifier: GPL-2.0
/*
 * Whole-module stress with delivery accounting (issue #7).
 *
 * An x86, an XICS and a GICv3 instance run side by side, each driven at
 * once by:
 *  - injector threads, each owning some sources: edges with a count per
 *    source (x86: MSIs, edges on MSI-routed GSIs and on IOAPIC edge pins;
 *    XICS: MSIs; GICv3: SPIs by line and by GICD_SETSPI_NSR MSI, LPIs
 *    by MSI through the ITS (device id, one LPI per event) and vCPU 0's
 *    PPI by its RESIDENT name), level lines set and reset (GICv3: set
 *    only, see unlatched_levels);
 *  - one thread per vCPU that poll()s its fd and acknowledges and ends
 *    whatever it announces (x86: VIRQ_VCPU_ACK, then the LAPIC EOI through
 *    VIRQ_VCPU_ACCESS; XICS: H_XIRR or VIRQ_VCPU_ACK, then H_EOI; GICv3:
 *    ICC_IAR1_EL1 or VIRQ_VCPU_ACK, then ICC_EOIR1_EL1), most
 *    times lowering a level line before its EOI as a handler servicing
 *    its device would, sends an IPI now and then, and raises and drops
 *    TPR (x86), CPPR (XICS) or PMR (GICv3) when idle (IPIs: GICv3 SGIs
 *    through ICC_SGI1R_EL1);
 *  - a route changer: x86 VIRQ_UPDATE_GSI_ROUTE REPLACE between the
 *    compatibility and the remappable form of the same message (same
 *    vector, same LAPIC), IRTE and RTE rewrites with the same value,
 *    ADD + CLEAR on spare GSIs; XICS SET_XIVE to the other server,
 *    INT_OFF + INT_ON, GET_XIVE, MSI_ALLOC + MSI_FREE of another block;
 *    GICv3: LOAD and PUT of vCPU 1 (its PPI's RESIDENT name then reaches
 *    it or fails with ESRCH), IROUTER, enable and priority written again,
 *    ITS INV and SYNC commands;
 *  - an irqfd thread: bursts of signals on an eventfd it assigns, then
 *    deassigns or closes (GICv3: an MSI irqfd with a device id, through
 *    the ITS); now and then a resampling one on a level line;
 *  - a saver thread: VIRQ_GET_SOURCES, GET_ATTR and the routes, restored
 *    into a fresh scratch instance (never the live one, which would lose
 *    interrupts), read back and compared (GICv3: GET_ATTR of the
 *    distributor, redistributor, ITS and CPU interface registers and the
 *    private words; the CPU interface, private and SPI words restored);
 *    and the debugfs state files.
 *    The pieces of a running instance are not saved at one instant, so
 *    what one piece's restore does to another is not compared.
 * A family is a table of callbacks (struct family_ops).
 *
 * Accounting, per source:
 *  - x86 edges: a LAPIC sets IRR for a fixed edge exactly when the vector
 *    is not in IRR already, the ioctl's status says which (1: accepted,
 *    VIRQ_STATUS_COALESCED: merged), and each IRR bit is acknowledged
 *    once: delivered == accepted == injected - coalesced.
 *  - XICS MSIs follow P/Q: an edge presents a source whose P is clear;
 *    one while P is set sets Q, which presents it once more at its EOI;
 *    one while Q is set merges.  The status does not tell a merge from a
 *    Q-setting edge or a delivery waiting for a resend (all three report
 *    0), so "gated" sources get an edge only while at most one of theirs
 *    is not yet ended: nothing can merge and delivered == injected; each
 *    status 1 is one presentation.  "Burst" sources take 1-4 edges in a
 *    row once quiet (P, Q and PENDING clear in their state word), which
 *    P/Q turns into min(n, 2)..n presentations.
 *  - irqfd: signals merge in the eventfd, so a burst of n signals must
 *    give at least one delivery (XICS: min(n, 2)) and at most n, counted
 *    once the source is quiet; after a deassign a signal stays in the
 *    eventfd and delivers nothing.  A resampling irqfd's burst ends in a
 *    resamplefd signal.
 *  - level lines: at least one delivery for each set that reported 1.
 *  - GICv3: the status does not tell a merge from an edge held behind a
 *    higher or running priority (both report 0), so edges are gated as
 *    on XICS, with a window of one: an edge only once the last one was
 *    ended, when it can merge with nothing: delivered == injected.
 *    Bursts on quiet SPIs (PENDING and ACTIVE clear) give 1..n.  An LPI
 *    has no active state and no state word: it is quiet when the pending
 *    table written by VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES has its bit
 *    clear and every acknowledge was ended, read while no vCPU thread is
 *    between an acknowledge and its count.  vCPU 1's RESIDENT PPI, while
 *    the route changer loads and puts vCPU 1: ESRCH (counted as masked)
 *    or at most one delivery per injection.
 *  - IPIs: no more deliveries than IPIs sent.
 * Every acknowledge checks that its source was not delivered more often
 * than it was injected (a duplicate).  After the final drain the counts
 * must match (nothing lost), each vCPU, IOAPIC pin and source must be
 * idle, and a level line must still work (set: delivered; EOI while high:
 * delivered again; reset and EOI: nothing).
 *
 * Last phase, on the same instances: hammer threads issue ioctls on the
 * instance and vCPU fds, another polls and acknowledges, another signals
 * assigned irqfds, while a closer thread closes the vCPU fds and the
 * instance fd in a random order.  EBADF and ENODEV are fine (and EBUSY,
 * ENOENT, EEXIST, EAGAIN from irqfd and route churn); a crash, hang,
 * splat or leak is not: run.sh's dmesg and kmemleak checks judge those,
 * and the debugfs directory must lose the instances.
 *
 * Every thread runs a bounded number of operations, never for a time.
 * Waits for an interrupt are bounded by LIVENESS_S, which only a lost
 * interrupt reaches.
 *
 * Usage: stress_test [-n OPS] [-s SEED]
 *   or   VIRQ_STRESS_OPS=OPS VIRQ_STRESS_SEED=SEED stress_test
 * OPS is per injector and route thread (default DEFAULT_OPS); the others
 * scale with it.  The seed is printed; it fixes every thread's choices
 * (not the interleaving, which is the scheduler's).
 */
#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <kselftest_harness.h>

#include "common.h"

#define DEFAULT_OPS	30000
#define MAX_VCPUS	4
#define NR_VCPUS	2
#define MAX_SRCS	64
#define NR_INJ		2
#ifndef LIVENESS_S
#define LIVENESS_S	120.0	/* only a lost interrupt waits this long */
#endif
#define MAX_REPORTS	20	/* error lines printed per family */
#define TEAR_EFDS	3
#define DEBUGFS_VIRQ	"/sys/kernel/debug/virq"

static long stress_ops = DEFAULT_OPS;
static __u64 stress_seed;

/* --- random numbers -------------------------------------------------- */

struct rng {
	__u64 s;
};

static void rng_init(struct rng *r, __u64 a, __u64 b)
{
	/* splitmix64 of the pair: distinct, never-zero xorshift states */
	__u64 z = a + 0x9e3779b97f4a7c15ULL * (b + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	r->s = (z ^ (z >> 31)) | 1;
}

static __u64 rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ULL;
}

static __u32 below(struct rng *r, __u32 n)
{
	return n ? rnd(r) % n : 0;
}

/* --- sources and families -------------------------------------------- */

enum src_kind {
	K_EDGE,		/* counted edges */
	K_BURST,	/* XICS: bursts, P/Q bounds */
	K_LEVEL,	/* a level line */
	K_IRQFD,	/* the irqfd thread's edge source */
	K_IPI,		/* IPIs to one vCPU */
	K_RESIDENT,	/* GICv3: a PPI of whichever vCPU is loaded */
	K_NR
};

enum src_via {
	VIA_MSI,	/* VIRQ_SIGNAL_MSI */
	VIA_LINE,	/* VIRQ_IRQ_LINE or VIRQ_IRQ_LINES on @line */
	VIA_ANY,	/* either, at random (XICS: an MSI is its source) */
};

/*
 * One accounted source.  The counters are shared; @busy, @base and @len
 * belong to the owning injector, @alt to the route changer.
 */
struct src {
	enum src_kind kind;
	enum src_via via;
	const char *how;
	__u32 id;		/* what the acknowledge names: vector, XISR */
	__u32 line;		/* GSI or source number injected on */
	__u32 cpu;		/* target vCPU at set-up */
	__u32 prio;		/* XICS priority */
	__u32 aux;		/* x86: IRTE index of a remappable route */
	int owner;		/* injector thread, or -1 */
	int alt;		/* route changer's current form */
	atomic_long started;	/* injections begun (before the ioctl) */
	atomic_long accepted;	/* status > 0 */
	atomic_long coalesced;	/* status VIRQ_STATUS_COALESCED */
	atomic_long masked;	/* status VIRQ_STATUS_MASKED */
	atomic_long delivered;	/* acknowledged by a vCPU */
	atomic_long ended;	/* EOI returned */
	bool busy;		/* K_BURST: a burst waits to settle */
	long base;		/* K_BURST: deliveries before the burst */
	long len;		/* K_BURST: its edges */
	long bursts;		/* K_BURST: bursts settled */
};

struct fam;

/**
 * struct family_ops - what the stress needs from a family
 * @name: for messages
 * @family: VIRQ_FAMILY_*
 * @gated: edges need a window (see the top of the file)
 * @window: with @gated, an edge only while fewer than this many of the
 *	source's are not yet ended
 * @masks: the route changer masks sources for a moment: an injection may
 *	report VIRQ_STATUS_MASKED (latched, delivered at unmask)
 * @unlatched_levels: a level interrupt whose line drops before it is
 *	acknowledged is gone (GICv3): injectors only raise level lines, the
 *	vCPUs lower them, so that a set that reported 1 is delivered
 * @create: open an instance, create the chip and the vCPUs into *@fd and
 *	@vfd (the live instance and every scratch one); 0 or -1
 * @setup: sources, routes and targets of the live instance; 0 or -1
 * @inject: one @op (VIRQ_LINE_*) on @s; the status in *@status
 * @ack: take one interrupt on vCPU @cpu: 1 with its id and a token for
 *	@eoi, 0 if none, -1 on error
 * @eoi: end it
 * @ipi: an IPI from vCPU @from to vCPU @to
 * @idle: what an idle vCPU does (TPR, CPPR)
 * @route: one route change that leaves delivery as it was
 * @quiet: 1 when nothing of @s is pending or in service, 0, or -1
 * @burst_min: fewest deliveries @n edges in a row may give
 * @save: the whole state into the family's buffers; -1 with *@step
 * @restore: that state into a fresh scratch instance, read back and
 *	compared (mismatches reported with fail()); -1 with *@step
 * @final_check: after the drain, vCPU threads stopped: nothing left
 *	anywhere, and a level line still works; failures via fail()
 * @irqfd_msi: assign (or, with @deassign, deassign) eventfd @efd as an
 *	MSI irqfd that signals @s's message; NULL: irqfds name @s's line
 */
struct family_ops {
	const char *name;
	__u32 family;
	bool gated;
	int window;
	bool masks;
	bool unlatched_levels;
	int (*create)(struct fam *f, int *fd, int *vfd);
	int (*setup)(struct fam *f);
	int (*inject)(struct fam *f, struct src *s, __u32 op, struct rng *r,
		      int *status);
	int (*ack)(struct fam *f, int cpu, struct rng *r, __u32 *id,
		   __u64 *token);
	int (*eoi)(struct fam *f, int cpu, __u32 id, __u64 token);
	int (*ipi)(struct fam *f, int from, int to);
	int (*idle)(struct fam *f, int cpu);
	int (*route)(struct fam *f, struct rng *r);
	int (*quiet)(struct fam *f, struct src *s);
	long (*burst_min)(long n);
	int (*save)(struct fam *f, const char **step);
	int (*restore)(struct fam *f, const char **step);
	void (*final_check)(struct fam *f);
	int (*irqfd_msi)(struct fam *f, struct src *s, int efd, bool deassign);
};

/* The last phase's shared state */
struct tear {
	long target;			/* operations per hammer */
	atomic_long ops;		/* hammer operations so far */
	atomic_int closed;		/* the closer is done */
	atomic_long ok, ebadf, enodev, benign, writes, pollnval;
	int efd[TEAR_EFDS];
	int rfd;
};

struct fam {
	const struct family_ops *ops;
	int fd;
	int vfd[MAX_VCPUS];
	int nr_vcpus;
	__u32 nr_sources;
	__u64 arch_id[MAX_VCPUS];
	struct src src[MAX_SRCS];
	int nr_src;
	struct src *by_id[4096];	/* id_slot(acknowledge id) -> source */
	struct src *ipi[MAX_VCPUS];	/* IPI source of each target */
	struct src *irqfd_src;
	struct src *resample_src;	/* level line for resampling */
	void *priv;
	bool tearing;			/* last phase: no semantic checks */
	atomic_int stop_vcpus;
	atomic_int stop_ipis;
	atomic_long acking[MAX_VCPUS];	/* see drain() */
	atomic_long errors;
	/* operation counts, for the log */
	long inj_ops[NR_INJ], inj_done[NR_INJ], inj_skipped[NR_INJ];
	long vcpu_acks[MAX_VCPUS], vcpu_idle[MAX_VCPUS];
	long route_ops, saver_rounds;
	long irqfd_bursts, irqfd_signals, irqfd_deliveries;
	long irqfd_resamples, irqfd_deassigned;
	struct tear tear;
};

static void fail(struct fam *f, const char *fmt, ...)
{
	long n = atomic_fetch_add(&f->errors, 1);
	va_list ap;

	if (n >= MAX_REPORTS)
		return;
	va_start(ap, fmt);
	flockfile(stderr);
	fprintf(stderr, "# %s: ", f->ops->name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
	va_end(ap);
}

/*
 * Where acknowledge id @id lives in by_id[]: vectors, XISRs and GICv3
 * INTIDs below 3072 as they are, GICv3 LPIs 8192..9215 above them.
 */
static int id_slot(__u32 id)
{
	if (id < 3072)
		return id;
	if (id >= 8192 && id < 8192 + 1024)
		return 3072 + id - 8192;
	return -1;
}

static struct src *src_by_id(struct fam *f, __u32 id)
{
	int k = id_slot(id);

	return k < 0 ? NULL : f->by_id[k];
}

static struct src *add_src(struct fam *f, enum src_kind kind, enum src_via via,
			   const char *how, __u32 id, __u32 line, __u32 cpu)
{
	struct src *s = &f->src[f->nr_src++];

	if (f->nr_src > MAX_SRCS || id_slot(id) < 0)
		abort();
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->via = via;
	s->how = how;
	s->id = id;
	s->line = line;
	s->cpu = cpu;
	s->owner = -1;
	f->by_id[id_slot(id)] = s;
	return s;
}

/* Spread the injectable sources over the injector threads. */
static void assign_owners(struct fam *f)
{
	int i, n = 0;

	for (i = 0; i < f->nr_src; i++) {
		struct src *s = &f->src[i];

		if (s->kind == K_EDGE || s->kind == K_BURST ||
		    s->kind == K_LEVEL || s->kind == K_RESIDENT)
			s->owner = n++ % NR_INJ;
	}
}

static long ld(atomic_long *a)
{
	return atomic_load(a);
}

/* Wait until @done(@f, @s), at most LIVENESS_S; its last answer. */
static bool wait_for(bool (*done)(struct fam *f, struct src *s),
		     struct fam *f, struct src *s)
{
	double t0 = now_s();

	while (!done(f, s)) {
		if (now_s() - t0 > LIVENESS_S)
			return done(f, s);
		usleep(500);
	}
	return true;
}

/* --- common ioctls --------------------------------------------------- */

static int line_op(int fd, __u32 line, __u32 op, struct rng *r, int *status)
{
	struct virq_irq_line l = { .source = line, .op = op };
	struct virq_irq_lines b = {
		.count = 1, .lines = (__u64)(uintptr_t)&l,
	};
	int ret;

	l.status = 0x5a5a5a5a;
	if (below(r, 4)) {
		ret = ioctl(fd, VIRQ_IRQ_LINE, &l);
	} else {
		ret = ioctl(fd, VIRQ_IRQ_LINES, &b);
		if (ret == 1) {
			ret = 0;
		} else if (ret >= 0) {
			errno = EPROTO;
			ret = -1;
		}
	}
	*status = l.status;
	return ret;
}

static int msi_op(int fd, __u64 addr, __u32 data, int *status)
{
	struct virq_msi m = {
		.address_lo = (__u32)addr, .address_hi = addr >> 32,
		.data = data, .status = 0x5a5a5a5a,
	};
	int ret = ioctl(fd, VIRQ_SIGNAL_MSI, &m);

	*status = m.status;
	return ret;
}

static int attr_op(int fd, unsigned long cmd, __u32 group, __u64 attr,
		   void *buf, __u32 size)
{
	struct virq_attr a = {
		.group = group, .attr = attr,
		.addr = (__u64)(uintptr_t)buf, .size = size,
	};

	return ioctl(fd, cmd, &a);
}

static int irqfd_op(int fd, int efd, __u32 line, __u32 flags, int rfd)
{
	struct virq_irqfd a = {
		.fd = efd, .source = line, .flags = flags,
		.resamplefd = rfd < 0 ? 0 : rfd,
	};

	return ioctl(fd, VIRQ_IRQFD, &a);
}

/* An edge irqfd on @s: its line, or its message (family's irqfd_msi) */
static int src_irqfd(struct fam *f, struct src *s, int efd, bool deassign)
{
	if (s->via == VIA_MSI && f->ops->irqfd_msi)
		return f->ops->irqfd_msi(f, s, efd, deassign);
	return irqfd_op(f->fd, efd, s->line,
			deassign ? VIRQ_IRQFD_FLAG_DEASSIGN : 0, -1);
}

static int signal_efd(int efd)
{
	__u64 one = 1;

	return write(efd, &one, sizeof(one)) == sizeof(one) ? 0 : -1;
}

/* The first byte where @a and @b differ, or -1 */
static long first_diff(const void *a, const void *b, size_t len)
{
	const unsigned char *p = a, *q = b;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != q[i])
			return i;
	return -1;
}

/* Read every instance's debugfs state file; -1 if there is no debugfs. */
static int read_debugfs_states(void)
{
	static char buf[4096];
	char path[300];
	struct dirent *d;
	DIR *dir;
	int fd;

	dir = opendir(DEBUGFS_VIRQ);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), DEBUGFS_VIRQ "/%s/state",
			 d->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* gone meanwhile */
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	closedir(dir);
	return 0;
}

/* Instances in debugfs, or -1 */
static int count_instances(void)
{
	struct dirent *d;
	int n = 0;
	DIR *dir;

	dir = opendir(DEBUGFS_VIRQ);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n;
}

/* === x86 ============================================================= */

#define X86_GSIS	256
#define X86_IRTES	64
#define X86_ROUTE_CAP	256
#define X86_LAPIC	VIRQ_X86_LAPIC_DEFAULT_BASE
#define X86_IOAPIC	VIRQ_X86_IOAPIC_DEFAULT_BASE
#define X86_SPURIOUS	0xff
#define X86_TPR		0x80
#define X86_EOI		0xb0
#define X86_SVR		0xf0
#define X86_ISR		0x100
#define X86_IRR		0x200
#define X86_ICR		0x300
#define X86_ICR2	0x310
#define X86_RTE_LEVEL	(1ULL << 15)
#define X86_RTE_RIRR	(1ULL << 14)
#define X86_SPARE_GSI	200	/* 200..207: ADD + CLEAR churn */
#define X86_IRQFD_GSI	120
#define X86_IR_ADDR(h)	(0xfee00000U | ((h) & 0x7fff) << 5 | 1U << 4)

struct x86_priv {
	struct virq_route routes[X86_ROUTE_CAP], routes2[X86_ROUTE_CAP];
	struct virq_route routes3[X86_ROUTE_CAP];	/* route changer's */
	__u32 nr_routes;
	struct virq_x86_ioapic_state io, io2;
	struct virq_x86_pic_state pic, pic2;
	struct virq_x86_irte irte[X86_IRTES];
	struct virq_x86_lapic_state ls[MAX_VCPUS], ls2;
	__u64 words[X86_GSIS], words2[X86_GSIS];
};

static int x86_mmio(int vfd, __u64 addr, bool write, __u32 *val)
{
	struct virq_access a = {
		.space = VIRQ_SPACE_MMIO, .addr = addr, .len = 4,
		.flags = write ? VIRQ_ACCESS_WRITE : 0,
		.data = write ? *val : 0,
	};

	if (ioctl(vfd, VIRQ_VCPU_ACCESS, &a))
		return -1;
	if (!write)
		*val = a.data;
	return 0;
}

static int x86_wr(int vfd, __u64 addr, __u32 val)
{
	return x86_mmio(vfd, addr, true, &val);
}

static int x86_write_rte(int vfd, __u32 pin, __u64 rte)
{
	/* the high half (destination) first: the low one unmasks */
	if (x86_wr(vfd, X86_IOAPIC, 0x11 + 2 * pin) ||
	    x86_wr(vfd, X86_IOAPIC + 0x10, rte >> 32) ||
	    x86_wr(vfd, X86_IOAPIC, 0x10 + 2 * pin) ||
	    x86_wr(vfd, X86_IOAPIC + 0x10, (__u32)rte))
		return -1;
	return 0;
}

static __u64 x86_rte(const struct src *s)
{
	__u64 rte = s->id | (__u64)s->cpu << 56;

	return s->kind == K_LEVEL ? rte | X86_RTE_LEVEL : rte;
}

static struct virq_x86_irte x86_irte(const struct src *s)
{
	struct virq_x86_irte e = {
		.lo = VIRQ_X86_IRTE_PRESENT |
		      (__u64)s->id << VIRQ_X86_IRTE_VECTOR_SHIFT |
		      (__u64)s->cpu << VIRQ_X86_IRTE_DEST_SHIFT,
	};

	return e;
}

/* Form @alt of @s's MSI route: 0 compatibility, 1 remappable */
static struct virq_route x86_route_of(const struct src *s, int alt)
{
	struct virq_route r = { .gsi = s->line, .type = VIRQ_ROUTE_MSI };

	if (alt) {
		r.u.msi.address_lo = X86_IR_ADDR(s->aux);
	} else {
		r.u.msi.address_lo = 0xfee00000U | s->cpu << 12;
		r.u.msi.data = s->id;
	}
	return r;
}

static int x86_update(int fd, __u32 op, const struct virq_route *r)
{
	struct virq_route_update u = { .op = op, .route = *r };

	return ioctl(fd, VIRQ_UPDATE_GSI_ROUTE, &u);
}

/* A fresh instance with the chip @cfg describes and every vCPU of @f */
static int fam_open(struct fam *f, const struct virq_chip_config *cfg,
		    int *fd, int *vfd)
{
	int i;

	*fd = virq_open();
	if (*fd < 0 || ioctl(*fd, VIRQ_CREATE_CHIP, cfg))
		return -1;
	for (i = 0; i < f->nr_vcpus; i++) {
		vfd[i] = virq_create_vcpu(*fd, i, f->arch_id[i]);
		if (vfd[i] < 0)
			return -1;
	}
	return 0;
}

static int x86_create(struct fam *f, int *fd, int *vfd)
{
	struct virq_x86_options o = { .nr_irtes = X86_IRTES };
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_X86, .nr_vcpus = f->nr_vcpus,
		.nr_sources = X86_GSIS, .options = (__u64)(uintptr_t)&o,
		.options_size = sizeof(o),
	};

	return fam_open(f, &cfg, fd, vfd);
}

/*
 * Vectors, one per source: MSIs 0x40-0x47, MSI-routed GSIs 100-107 at
 * 0x50-0x57 (IRTEs 0-7), IOAPIC edge pins 16-19 at 0x60-0x63, level pins
 * 20-23 at 0x68-0x6b, the irqfd's GSI 120 at 0x70, IPIs at 0x78 + vCPU.
 * Targets alternate between the vCPUs; every message is fixed, physical.
 */
static int x86_setup(struct fam *f)
{
	struct virq_x86_irte e;
	struct virq_route r;
	struct src *s;
	int i;

	f->priv = calloc(1, sizeof(struct x86_priv));
	if (!f->priv)
		return -1;
	for (i = 0; i < f->nr_vcpus; i++)
		if (x86_wr(f->vfd[i], X86_LAPIC + X86_SVR, 0x100 | X86_SPURIOUS))
			return -1;
	for (i = 0; i < 8; i++)
		add_src(f, K_EDGE, VIA_MSI, "msi", 0x40 + i, 0,
			i % f->nr_vcpus);
	for (i = 0; i < 8; i++) {
		s = add_src(f, K_EDGE, VIA_LINE, "gsi-msi", 0x50 + i, 100 + i,
			    i % f->nr_vcpus);
		s->aux = i;
		e = x86_irte(s);
		r = x86_route_of(s, 0);
		if (attr_op(f->fd, VIRQ_SET_ATTR, VIRQ_X86_GRP_IRTE, s->aux,
			    &e, sizeof(e)) ||
		    x86_update(f->fd, VIRQ_ROUTE_OP_REPLACE, &r))
			return -1;
	}
	for (i = 0; i < 8; i++) {
		s = add_src(f, i < 4 ? K_EDGE : K_LEVEL, VIA_LINE,
			    i < 4 ? "ioapic-edge" : "ioapic-level",
			    i < 4 ? 0x60 + i : 0x64 + i, 16 + i,
			    i % f->nr_vcpus);
		if (x86_write_rte(f->vfd[0], s->line, x86_rte(s)))
			return -1;
		if (s->kind == K_LEVEL && !f->resample_src)
			f->resample_src = s;
	}
	s = add_src(f, K_IRQFD, VIA_LINE, "irqfd", 0x70, X86_IRQFD_GSI, 0);
	r = x86_route_of(s, 0);
	if (x86_update(f->fd, VIRQ_ROUTE_OP_REPLACE, &r))
		return -1;
	f->irqfd_src = s;
	for (i = 0; i < f->nr_vcpus; i++)
		f->ipi[i] = add_src(f, K_IPI, VIA_MSI, "ipi", 0x78 + i, 0, i);
	assign_owners(f);
	return 0;
}

static int x86_inject(struct fam *f, struct src *s, __u32 op, struct rng *r,
		      int *status)
{
	if (s->via == VIA_MSI)
		return msi_op(f->fd, 0xfee00000U | s->cpu << 12, s->id,
			      status);
	return line_op(f->fd, s->line, op, r, status);
}

static int x86_ack(struct fam *f, int cpu, struct rng *r, __u32 *id,
		   __u64 *token)
{
	struct virq_ack ack = { 0 };

	if (ioctl(f->vfd[cpu], VIRQ_VCPU_ACK, &ack))
		return -1;
	if (ack.id == X86_SPURIOUS)
		return 0;
	*id = ack.id;
	*token = ack.id;
	return 1;
}

static int x86_eoi(struct fam *f, int cpu, __u32 id, __u64 token)
{
	return x86_wr(f->vfd[cpu], X86_LAPIC + X86_EOI, 0);
}

static int x86_ipi(struct fam *f, int from, int to)
{
	int vfd = f->vfd[from];

	if (x86_wr(vfd, X86_LAPIC + X86_ICR2, (__u32)f->arch_id[to] << 24) ||
	    x86_wr(vfd, X86_LAPIC + X86_ICR, f->ipi[to]->id))
		return -1;
	return 0;
}

/* Hold off classes up to 7 for a moment: every vector we use */
static int x86_idle(struct fam *f, int cpu)
{
	if (x86_wr(f->vfd[cpu], X86_LAPIC + X86_TPR, 0x70) ||
	    x86_wr(f->vfd[cpu], X86_LAPIC + X86_TPR, 0))
		return -1;
	return 0;
}

/* The GSI-MSI sources' entries in @e (@nr of them) are one of the forms */
static void x86_check_routes(struct fam *f, const struct virq_route *e,
			     __u32 nr)
{
	struct virq_route a, b;
	__u32 i, j = 0, seen;
	int k;

	for (k = 0; k < f->nr_src; k++) {
		struct src *s = &f->src[k];

		if (strcmp(s->how, "gsi-msi"))
			continue;
		a = x86_route_of(s, 0);
		b = x86_route_of(s, 1);
		for (i = 0, seen = 0; i < nr; i++) {
			if (e[i].gsi != s->line)
				continue;
			seen++;
			j = i;
		}
		if (seen != 1 || (memcmp(&e[j], &a, sizeof(a)) &&
				  memcmp(&e[j], &b, sizeof(b))))
			fail(f, "GSI %u: %u entries, neither form", s->line,
			     seen);
	}
}

static int x86_route_change(struct fam *f, struct rng *r)
{
	struct x86_priv *p = f->priv;
	struct virq_routing rt;
	struct virq_x86_irte e;
	struct virq_route route;
	struct src *s;
	int k, ret;

	do {
		s = &f->src[below(r, f->nr_src)];
	} while (s->kind != K_EDGE || s->via != VIA_LINE);

	switch (below(r, 10)) {
	case 0 ... 5:
		/*
		 * The same RTE again.  Not while closing: two hammers would
		 * interleave their IOREGSEL and IOWIN accesses.
		 */
		if (strcmp(s->how, "gsi-msi"))
			return f->tearing ? 0 :
			       x86_write_rte(f->vfd[0], s->line, x86_rte(s));
		s->alt = !s->alt;
		route = x86_route_of(s, s->alt);
		return x86_update(f->fd, VIRQ_ROUTE_OP_REPLACE, &route);
	case 6:
		k = below(r, 8);
		e = x86_irte(&f->src[8 + k]);
		return attr_op(f->fd, VIRQ_SET_ATTR, VIRQ_X86_GRP_IRTE, k, &e,
			       sizeof(e));
	case 7:
		rt = (struct virq_routing){
			.nr = X86_ROUTE_CAP,
			.entries = (__u64)(uintptr_t)p->routes3,
		};
		if (ioctl(f->fd, VIRQ_GET_GSI_ROUTING, &rt))
			return -1;
		if (!f->tearing)
			x86_check_routes(f, p->routes3, rt.nr);
		return 0;
	default:
		/* a spare GSI: routed and cleared, never injected */
		route = (struct virq_route){
			.gsi = X86_SPARE_GSI + below(r, 8),
			.type = VIRQ_ROUTE_MSI,
			.u.msi = { .address_lo = 0xfee00000U, .data = 0x30 },
		};
		ret = x86_update(f->fd, VIRQ_ROUTE_OP_ADD, &route);
		if (ret && (errno != EEXIST || !f->tearing))
			return ret;
		memset(&route.u, 0, sizeof(route.u));
		route.type = 0;
		return x86_update(f->fd, VIRQ_ROUTE_OP_CLEAR, &route);
	}
}

static bool x86_vec_bit(int vfd, __u32 base, __u32 vec, int *err)
{
	__u32 v = 0;

	if (x86_mmio(vfd, X86_LAPIC + base + 0x10 * (vec / 32), false, &v))
		*err = -1;
	return v & 1U << (vec % 32);
}

static int x86_quiet(struct fam *f, struct src *s)
{
	struct virq_x86_ioapic_state io;
	int vfd = f->vfd[s->cpu], err = 0;
	bool busy;

	/* IRR before ISR: a vector moves from the one to the other */
	busy = x86_vec_bit(vfd, X86_IRR, s->id, &err);
	busy |= x86_vec_bit(vfd, X86_ISR, s->id, &err);
	if (!busy && s->kind == K_LEVEL) {
		if (attr_op(f->fd, VIRQ_GET_ATTR, VIRQ_X86_GRP_IOAPIC, 0,
			    &io, sizeof(io)))
			return -1;
		busy = io.kvm.redirtbl[s->line] & X86_RTE_RIRR;
	}
	return err ? -1 : !busy;
}

static long x86_burst_min(long n)
{
	return n ? 1 : 0;
}

static int x86_save(struct fam *f, const char **step)
{
	struct x86_priv *p = f->priv;
	struct virq_routing rt = {
		.nr = X86_ROUTE_CAP, .entries = (__u64)(uintptr_t)p->routes,
	};
	int i;

	*step = "GET_GSI_ROUTING";
	if (ioctl(f->fd, VIRQ_GET_GSI_ROUTING, &rt))
		return -1;
	p->nr_routes = rt.nr;
	*step = "GET_ATTR IOAPIC";
	if (attr_op(f->fd, VIRQ_GET_ATTR, VIRQ_X86_GRP_IOAPIC, 0, &p->io,
		    sizeof(p->io)))
		return -1;
	*step = "GET_ATTR PIC";
	if (attr_op(f->fd, VIRQ_GET_ATTR, VIRQ_X86_GRP_PIC, 0, &p->pic,
		    sizeof(p->pic)))
		return -1;
	*step = "GET_ATTR IRTE";
	if (attr_op(f->fd, VIRQ_GET_ATTR, VIRQ_X86_GRP_IRTE, 0, p->irte,
		    sizeof(p->irte)))
		return -1;
	*step = "VCPU_GET_ATTR LAPIC";
	for (i = 0; i < f->nr_vcpus; i++)
		if (attr_op(f->vfd[i], VIRQ_VCPU_GET_ATTR, VIRQ_X86_VGRP_LAPIC,
			    0, &p->ls[i], sizeof(p->ls[i])))
			return -1;
	*step = "GET_SOURCES";
	return virq_get_words(f->fd, 0, X86_GSIS, p->words);
}

/*
 * Into a fresh instance: routes and IRTEs, then each LAPIC (read back at
 * once: nothing else touches the new instance yet), the PIC, the IOAPIC
 * (remote IRR may be set by a level line it sends, so it is not
 * compared) and the source words.
 */
static int x86_restore(struct fam *f, const char **step)
{
	struct x86_priv *p = f->priv;
	struct virq_routing rt = {
		.nr = p->nr_routes, .entries = (__u64)(uintptr_t)p->routes,
	};
	int fd = -1, vfd[MAX_VCPUS], i, ret = -1;
	long d;

	for (i = 0; i < MAX_VCPUS; i++)
		vfd[i] = -1;
	*step = "create";
	if (x86_create(f, &fd, vfd))
		goto out;
	*step = "SET_GSI_ROUTING";
	if (ioctl(fd, VIRQ_SET_GSI_ROUTING, &rt))
		goto out;
	*step = "SET_ATTR IRTE";
	if (attr_op(fd, VIRQ_SET_ATTR, VIRQ_X86_GRP_IRTE, 0, p->irte,
		    sizeof(p->irte)))
		goto out;
	for (i = 0; i < f->nr_vcpus; i++) {
		*step = "VCPU_SET_ATTR LAPIC";
		if (attr_op(vfd[i], VIRQ_VCPU_SET_ATTR, VIRQ_X86_VGRP_LAPIC, 0,
			    &p->ls[i], sizeof(p->ls[i])))
			goto out;
		*step = "VCPU_GET_ATTR LAPIC";
		if (attr_op(vfd[i], VIRQ_VCPU_GET_ATTR, VIRQ_X86_VGRP_LAPIC, 0,
			    &p->ls2, sizeof(p->ls2)))
			goto out;
		p->ls2.timer_guest_tsc = p->ls[i].timer_guest_tsc;
		d = first_diff(&p->ls[i], &p->ls2, sizeof(p->ls2));
		if (d >= 0)
			fail(f, "restored LAPIC %d differs at byte %ld", i, d);
	}
	*step = "SET_ATTR PIC";
	if (attr_op(fd, VIRQ_SET_ATTR, VIRQ_X86_GRP_PIC, 0, &p->pic,
		    sizeof(p->pic)) ||
	    attr_op(fd, VIRQ_GET_ATTR, VIRQ_X86_GRP_PIC, 0, &p->pic2,
		    sizeof(p->pic2)))
		goto out;
	d = first_diff(&p->pic, &p->pic2, sizeof(p->pic));
	if (d >= 0)
		fail(f, "restored PIC differs at byte %ld", d);
	*step = "SET_ATTR IOAPIC";
	if (attr_op(fd, VIRQ_SET_ATTR, VIRQ_X86_GRP_IOAPIC, 0, &p->io,
		    sizeof(p->io)) ||
	    attr_op(fd, VIRQ_GET_ATTR, VIRQ_X86_GRP_IOAPIC, 0, &p->io2,
		    sizeof(p->io2)))
		goto out;
	for (i = 0; i < 24; i++) {
		p->io.kvm.redirtbl[i] &= ~X86_RTE_RIRR;
		p->io2.kvm.redirtbl[i] &= ~X86_RTE_RIRR;
	}
	d = first_diff(&p->io, &p->io2, sizeof(p->io));
	if (d >= 0)
		fail(f, "restored IOAPIC differs at byte %ld", d);
	*step = "SET_SOURCES";
	if (virq_set_words(fd, 0, X86_GSIS, p->words) ||
	    virq_get_words(fd, 0, X86_GSIS, p->words2))
		goto out;
	d = first_diff(p->words, p->words2, sizeof(p->words));
	if (d >= 0)
		fail(f, "restored source word %ld differs", d / 8);
	rt.nr = X86_ROUTE_CAP;
	rt.entries = (__u64)(uintptr_t)p->routes2;
	*step = "GET_GSI_ROUTING";
	if (ioctl(fd, VIRQ_GET_GSI_ROUTING, &rt))
		goto out;
	if (rt.nr != p->nr_routes) {
		fail(f, "restored routes: %u entries, saved %u", rt.nr,
		     p->nr_routes);
	} else {
		for (i = 0; i < (int)rt.nr; i++) {
			const __u32 *a = (const __u32 *)&p->routes[i];
			const __u32 *b = (const __u32 *)&p->routes2[i];

			if (!memcmp(a, b, sizeof(p->routes[0])))
				continue;
			fail(f, "restored route %d: %x %x %x %x | %x %x %x %x, saved %x %x %x %x | %x %x %x %x",
			     i, b[0], b[1], b[2], b[3], b[4], b[5], b[6],
			     b[7], a[0], a[1], a[2], a[3], a[4], a[5], a[6],
			     a[7]);
			break;
		}
	}
	ret = 0;
out:
	for (i = 0; i < MAX_VCPUS; i++)
		if (vfd[i] >= 0)
			close(vfd[i]);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Take what vCPU @cpu has; only IPIs may be left after the drain. */
static void drain_leftovers(struct fam *f, int cpu)
{
	struct rng r = { 1 };
	__u64 token;
	__u32 id;
	int n = 0;

	while (f->ops->ack(f, cpu, &r, &id, &token) > 0 && n++ < 64) {
		struct src *s = src_by_id(f, id);

		if (!s || s->kind != K_IPI)
			fail(f, "vCPU %d: %#x still pending after the drain",
			     cpu, id);
		if (s && atomic_fetch_add(&s->delivered, 1) + 1 >
		    ld(&s->started))
			fail(f, "vCPU %d: %#x delivered more often than sent",
			     cpu, id);
		if (f->ops->eoi(f, cpu, id, token))
			fail(f, "vCPU %d: EOI: %s", cpu, strerror(errno));
	}
}

/* Wait for @vfd to announce an interrupt; the acknowledged id, or -1 */
static long ack_when_ready(struct fam *f, int cpu, __u64 *token)
{
	struct pollfd p = { .fd = f->vfd[cpu], .events = POLLIN };
	struct rng r = { 1 };
	double t0 = now_s();
	__u32 id;

	while (now_s() - t0 < LIVENESS_S) {
		if (poll(&p, 1, 100) == 1 &&
		    f->ops->ack(f, cpu, &r, &id, token) == 1)
			return id;
	}
	return -1;
}

/* Set a level line, EOI it while high, reset it, EOI: 2 deliveries */
static void check_level_works(struct fam *f, struct src *s)
{
	struct rng r = { 1 };
	__u64 token;
	__u32 left;
	int st, i;
	long id;

	if (f->ops->inject(f, s, VIRQ_LINE_SET, &r, &st) || st != 1) {
		fail(f, "level %#x: set: status %d (%s)", s->line, st,
		     strerror(errno));
		return;
	}
	for (i = 0; i < 2; i++) {
		id = ack_when_ready(f, s->cpu, &token);
		if (id != s->id) {
			fail(f, "level %#x: delivery %d: %#lx", s->line, i, id);
			return;
		}
		if (i && (f->ops->inject(f, s, VIRQ_LINE_RESET, &r, &st) ||
			  st != VIRQ_STATUS_COALESCED))
			fail(f, "level %#x: reset: status %d", s->line, st);
		if (f->ops->eoi(f, s->cpu, s->id, token))
			fail(f, "level %#x: EOI: %s", s->line,
			     strerror(errno));
	}
	if (f->ops->ack(f, s->cpu, &r, &left, &token))
		fail(f, "level %#x: %#x delivered after reset and EOI",
		     s->line, left);
}

static void x86_final_check(struct fam *f)
{
	static struct virq_x86_ioapic_state io;
	__u64 words[X86_GSIS];
	__u32 v, i;
	int cpu, k;

	for (cpu = 0; cpu < f->nr_vcpus; cpu++) {
		drain_leftovers(f, cpu);
		if (virq_vcpu_lines(f->vfd[cpu]))
			fail(f, "vCPU %d: output %#lx after the drain", cpu,
			     virq_vcpu_lines(f->vfd[cpu]));
		for (i = 0; i < 8; i++) {
			v = ~0U;
			x86_mmio(f->vfd[cpu], X86_LAPIC + X86_IRR + 0x10 * i,
				 false, &v);
			if (v)
				fail(f, "vCPU %d: IRR[%u] %#x", cpu, i, v);
			v = ~0U;
			x86_mmio(f->vfd[cpu], X86_LAPIC + X86_ISR + 0x10 * i,
				 false, &v);
			if (v)
				fail(f, "vCPU %d: ISR[%u] %#x", cpu, i, v);
		}
	}
	if (attr_op(f->fd, VIRQ_GET_ATTR, VIRQ_X86_GRP_IOAPIC, 0, &io,
		    sizeof(io)))
		fail(f, "GET_ATTR IOAPIC: %s", strerror(errno));
	for (i = 0; i < 24; i++)
		if (io.kvm.redirtbl[i] & X86_RTE_RIRR)
			fail(f, "IOAPIC pin %u: remote IRR stuck", i);
	if (io.kvm.irr || io.level[0])
		fail(f, "IOAPIC lines still high: irr %#x level %#llx",
		     io.kvm.irr, (unsigned long long)io.level[0]);
	if (virq_get_words(f->fd, 0, X86_GSIS, words))
		fail(f, "GET_SOURCES: %s", strerror(errno));
	for (i = 0; i < X86_GSIS; i++)
		if (words[i])
			fail(f, "GSI %u: drivers %#llx after the drain", i,
			     (unsigned long long)words[i]);
	for (k = 0; k < f->nr_src; k++)
		if (f->src[k].kind == K_LEVEL) {
			check_level_works(f, &f->src[k]);
			break;
		}
}

static const struct family_ops x86_ops = {
	.name = "x86",
	.family = VIRQ_FAMILY_X86,
	.create = x86_create,
	.setup = x86_setup,
	.inject = x86_inject,
	.ack = x86_ack,
	.eoi = x86_eoi,
	.ipi = x86_ipi,
	.idle = x86_idle,
	.route = x86_route_change,
	.quiet = x86_quiet,
	.burst_min = x86_burst_min,
	.save = x86_save,
	.restore = x86_restore,
	.final_check = x86_final_check,
};

/* === XICS ============================================================ */

#define XICS_SOURCES	2048
#define XICS_LSI_BASE	(VIRQ_XICS_ICS_SIZE + 32)	/* in ICS 1 */
#define XICS_IPI_MFRR	2	/* above every source priority */
#define XICS_BUSY	(VIRQ_XICS_PRESENTED | VIRQ_XICS_QUEUED | \
			 VIRQ_XICS_PENDING)

struct xics_priv {
	__u64 words[XICS_SOURCES], words2[XICS_SOURCES];
	__u64 icp[MAX_VCPUS];
};

static int xics_create(struct fam *f, int *fd, int *vfd)
{
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_XICS, .nr_vcpus = f->nr_vcpus,
		.nr_sources = XICS_SOURCES,
	};

	return fam_open(f, &cfg, fd, vfd);
}

/* An RTAS call that must succeed: 0, or -1 (EPROTO for an RTAS error) */
static int xics_rtas_ok(int fd, __u32 nr, __u64 a0, __u64 a1, __u64 a2,
			struct virq_call *c)
{
	if (xics_rtas(fd, nr, a0, a1, a2, c))
		return -1;
	if (c->ret != VIRQ_XICS_RTAS_SUCCESS) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

static int xics_hcall_ok(int vfd, __u32 nr, __u64 a0, __u64 a1,
			 struct virq_call *c)
{
	if (xics_hcall(vfd, nr, a0, a1, c))
		return -1;
	if (c->ret != H_SUCCESS) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

/*
 * An MSI block of 64 (the first 24 gated, 8 burst sources, the irqfd's
 * source), 4 LSIs in ICS 1, priorities 4-7, servers alternating.
 */
static int xics_setup(struct fam *f)
{
	struct virq_call c;
	__u64 first;
	struct src *s;
	int i;

	f->priv = calloc(1, sizeof(struct xics_priv));
	if (!f->priv)
		return -1;
	for (i = 0; i < f->nr_vcpus; i++)
		if (xics_hcall_ok(f->vfd[i], H_CPPR, 0xff, 0, &c))
			return -1;
	if (xics_rtas(f->fd, VIRQ_XICS_CALL_MSI_ALLOC, 64, 0, 0, &c))
		return -1;
	first = c.rets[0];
	for (i = 0; i < 33; i++) {
		s = add_src(f, i < 24 ? K_EDGE : i < 32 ? K_BURST : K_IRQFD,
			    VIA_ANY, i < 24 ? "msi" : i < 32 ? "msi-burst" :
			    "irqfd", first + i, first + i, i % f->nr_vcpus);
		s->prio = 4 + i % 4;
	}
	f->irqfd_src = s;
	for (i = 0; i < 4; i++) {
		s = add_src(f, K_LEVEL, VIA_LINE, "lsi", XICS_LSI_BASE + i,
			    XICS_LSI_BASE + i, i % f->nr_vcpus);
		s->prio = 4 + i % 4;
		if (xics_rtas_ok(f->fd, VIRQ_XICS_CALL_SET_LSI, s->line, 1, 0,
				 &c))
			return -1;
	}
	f->resample_src = s;
	for (i = 0; i < f->nr_src; i++) {
		s = &f->src[i];
		if (xics_rtas_ok(f->fd, VIRQ_XICS_CALL_SET_XIVE, s->line,
				 f->arch_id[s->cpu], s->prio, &c))
			return -1;
	}
	/* The IPI: one source for every target, by XISR */
	s = add_src(f, K_IPI, VIA_MSI, "ipi", VIRQ_XICS_IPI, 0, 0);
	for (i = 0; i < f->nr_vcpus; i++)
		f->ipi[i] = s;
	assign_owners(f);
	return 0;
}

static int xics_inject(struct fam *f, struct src *s, __u32 op,
		       struct rng *r, int *status)
{
	if (s->via == VIA_MSI || (s->via == VIA_ANY && below(r, 2)))
		return msi_op(f->fd, 0, s->line, status);
	return line_op(f->fd, s->line, op, r, status);
}

static int xics_ack(struct fam *f, int cpu, struct rng *r, __u32 *id,
		    __u64 *token)
{
	struct virq_ack ack = { 0 };
	struct virq_call c;
	__u64 xirr;

	if (below(r, 4)) {
		if (xics_hcall_ok(f->vfd[cpu], H_XIRR, 0, 0, &c))
			return -1;
		xirr = c.rets[0];
	} else {
		if (ioctl(f->vfd[cpu], VIRQ_VCPU_ACK, &ack))
			return -1;
		xirr = ack.id;
	}
	if (!(xirr & VIRQ_XICS_XIRR_XISR_MASK))
		return 0;
	*id = xirr & VIRQ_XICS_XIRR_XISR_MASK;
	*token = xirr;
	return 1;
}

static int xics_eoi(struct fam *f, int cpu, __u32 id, __u64 token)
{
	struct virq_call c;

	/* an IPI: the receiver clears its MFRR first */
	if (id == VIRQ_XICS_IPI &&
	    xics_hcall_ok(f->vfd[cpu], H_IPI, f->arch_id[cpu], 0xff, &c))
		return -1;
	return xics_hcall_ok(f->vfd[cpu], H_EOI, token, 0, &c);
}

static int xics_ipi(struct fam *f, int from, int to)
{
	struct virq_call c;

	return xics_hcall_ok(f->vfd[from], H_IPI, f->arch_id[to],
			     XICS_IPI_MFRR, &c);
}

/* CPPR above every source (rejecting them), then open again (resend) */
static int xics_idle(struct fam *f, int cpu)
{
	struct virq_call c;

	if (xics_hcall_ok(f->vfd[cpu], H_CPPR, 3, 0, &c) ||
	    xics_hcall_ok(f->vfd[cpu], H_CPPR, 0xff, 0, &c))
		return -1;
	return 0;
}

static int xics_route_change(struct fam *f, struct rng *r)
{
	struct src *s = &f->src[below(r, f->nr_src)];
	struct virq_call c;
	__u64 first;
	int i;

	if (s->kind == K_IPI)
		return 0;
	switch (below(r, 10)) {
	case 0 ... 5:
		s->alt = (s->alt + 1) % f->nr_vcpus;
		return xics_rtas_ok(f->fd, VIRQ_XICS_CALL_SET_XIVE, s->line,
				    f->arch_id[(s->cpu + s->alt) %
					       f->nr_vcpus], s->prio, &c);
	case 6 ... 7:
		if (xics_rtas_ok(f->fd, VIRQ_XICS_CALL_INT_OFF, s->line, 0, 0,
				 &c))
			return -1;
		return xics_rtas_ok(f->fd, VIRQ_XICS_CALL_INT_ON, s->line, 0, 0,
				    &c);
	case 8:
		if (xics_rtas_ok(f->fd, VIRQ_XICS_CALL_GET_XIVE, s->line, 0, 0,
				 &c))
			return -1;
		for (i = 0; i < f->nr_vcpus; i++)
			if (c.rets[0] == f->arch_id[i])
				break;
		if (!f->tearing && (c.rets[1] != s->prio || i == f->nr_vcpus))
			fail(f, "GET_XIVE %u: server %#llx priority %llu",
			     s->line, (unsigned long long)c.rets[0],
			     (unsigned long long)c.rets[1]);
		return 0;
	default:
		if (xics_rtas(f->fd, VIRQ_XICS_CALL_MSI_ALLOC, 16, 0, 0, &c))
			return -1;
		first = c.rets[0];
		return xics_rtas(f->fd, VIRQ_XICS_CALL_MSI_FREE, first, 16, 0,
				 &c);
	}
}

static int xics_quiet(struct fam *f, struct src *s)
{
	__u64 w = ~0ULL;

	if (virq_get_words(f->fd, s->line, 1, &w))
		return -1;
	return !(w & XICS_BUSY);
}

static long xics_burst_min(long n)
{
	return n < 2 ? n : 2;
}

static int xics_save(struct fam *f, const char **step)
{
	struct xics_priv *p = f->priv;
	int i;

	*step = "VCPU_GET_ATTR ICP";
	for (i = 0; i < f->nr_vcpus; i++)
		if (attr_op(f->vfd[i], VIRQ_VCPU_GET_ATTR, VIRQ_XICS_GRP_ICP, 0,
			    &p->icp[i], sizeof(p->icp[i])))
			return -1;
	*step = "GET_SOURCES";
	return virq_get_words(f->fd, 0, XICS_SOURCES, p->words);
}

/* A restored word may have gone from PENDING to PRESENTED, or back */
static __u64 xics_fold(__u64 w)
{
	if (w & (VIRQ_XICS_PENDING | VIRQ_XICS_PRESENTED))
		w = (w & ~VIRQ_XICS_PENDING) | VIRQ_XICS_PRESENTED;
	return w;
}

/* Is @irq in the XISR of a saved ICP word? */
static bool xics_in_saved_xisr(struct fam *f, __u32 irq)
{
	struct xics_priv *p = f->priv;
	int i;

	for (i = 0; i < f->nr_vcpus; i++)
		if (((p->icp[i] >> VIRQ_XICS_ICP_XISR_SHIFT) &
		     VIRQ_XICS_ICP_XISR_MASK) == irq)
			return true;
	return false;
}

/*
 * ICPs first (read back at once), then the sources, compared folded.  The
 * ICP words and the source words of a running instance are not saved at
 * one instant: a source may sit in a saved XISR yet read as not presented,
 * and the restored ICP rejects and resends it.  Such sources are not
 * compared (a VMM saves with its vCPUs stopped).
 */
static int xics_restore(struct fam *f, const char **step)
{
	struct xics_priv *p = f->priv;
	int fd = -1, vfd[MAX_VCPUS], i, ret = -1;
	__u64 w;

	for (i = 0; i < MAX_VCPUS; i++)
		vfd[i] = -1;
	*step = "create";
	if (xics_create(f, &fd, vfd))
		goto out;
	for (i = 0; i < f->nr_vcpus; i++) {
		*step = "VCPU_SET_ATTR ICP";
		if (attr_op(vfd[i], VIRQ_VCPU_SET_ATTR, VIRQ_XICS_GRP_ICP, 0,
			    &p->icp[i], sizeof(p->icp[i])))
			goto out;
		*step = "VCPU_GET_ATTR ICP";
		if (attr_op(vfd[i], VIRQ_VCPU_GET_ATTR, VIRQ_XICS_GRP_ICP, 0,
			    &w, sizeof(w)))
			goto out;
		if (w != p->icp[i])
			fail(f, "restored ICP %d: %#llx, saved %#llx", i,
			     (unsigned long long)w,
			     (unsigned long long)p->icp[i]);
	}
	*step = "SET_SOURCES";
	if (virq_set_words(fd, 0, XICS_SOURCES, p->words) ||
	    virq_get_words(fd, 0, XICS_SOURCES, p->words2))
		goto out;
	for (i = 0; i < XICS_SOURCES; i++)
		if (xics_fold(p->words[i]) != xics_fold(p->words2[i]) &&
		    !xics_in_saved_xisr(f, i)) {
			fail(f, "restored source %d: %#llx, saved %#llx", i,
			     (unsigned long long)p->words2[i],
			     (unsigned long long)p->words[i]);
			break;
		}
	ret = 0;
out:
	for (i = 0; i < MAX_VCPUS; i++)
		if (vfd[i] >= 0)
			close(vfd[i]);
	if (fd >= 0)
		close(fd);
	return ret;
}

static void xics_final_check(struct fam *f)
{
	struct virq_call c;
	__u64 w;
	int cpu, k;

	for (cpu = 0; cpu < f->nr_vcpus; cpu++) {
		drain_leftovers(f, cpu);
		if (virq_vcpu_lines(f->vfd[cpu]))
			fail(f, "vCPU %d: output %#lx after the drain", cpu,
			     virq_vcpu_lines(f->vfd[cpu]));
		w = ~0ULL;
		attr_op(f->vfd[cpu], VIRQ_VCPU_GET_ATTR, VIRQ_XICS_GRP_ICP, 0,
			&w, sizeof(w));
		if ((w >> VIRQ_XICS_ICP_XISR_SHIFT) & VIRQ_XICS_ICP_XISR_MASK)
			fail(f, "vCPU %d: ICP %#llx after the drain", cpu,
			     (unsigned long long)w);
	}
	for (k = 0; k < f->nr_src; k++) {
		struct src *s = &f->src[k];

		if (s->kind == K_IPI)
			continue;
		w = virq_word(f->fd, s->line);
		if (w & (XICS_BUSY | VIRQ_XICS_ASSERTED | VIRQ_XICS_MASKED))
			fail(f, "source %u: word %#llx after the drain",
			     s->line, (unsigned long long)w);
	}
	/* back on its first server: the route changer moved it about */
	if (xics_rtas_ok(f->fd, VIRQ_XICS_CALL_SET_XIVE, f->resample_src->line,
			 f->arch_id[f->resample_src->cpu],
			 f->resample_src->prio, &c))
		fail(f, "SET_XIVE: %s", strerror(errno));
	check_level_works(f, f->resample_src);
}

static const struct family_ops xics_ops = {
	.name = "xics",
	.family = VIRQ_FAMILY_XICS,
	.gated = true,
	.window = 2,
	.masks = true,
	.create = xics_create,
	.setup = xics_setup,
	.inject = xics_inject,
	.ack = xics_ack,
	.eoi = xics_eoi,
	.ipi = xics_ipi,
	.idle = xics_idle,
	.route = xics_route_change,
	.quiet = xics_quiet,
	.burst_min = xics_burst_min,
	.save = xics_save,
	.restore = xics_restore,
	.final_check = xics_final_check,
};

/* === GICv3 =========================================================== */

#define G3_SOURCES	128
#define G3_PRIO		0xa0
#define G3_SGI		8		/* SGI 8 + vCPU: its IPI */
#define G3_PPI_KEPT	20		/* vCPU 0's, loaded on pCPU 0 always */
#define G3_PPI_CHURN	21		/* vCPU 1's, loaded and put at random */
#define G3_PCPU_CHURN	1
#define G3_LPI_BITS	16
#define G3_LPI		VIRQ_GICV3_FIRST_LPI
#define G3_DEV_EDGE	1		/* device id of the counted LPIs */
#define G3_DEV_IRQFD	2		/* of the irqfd's LPI */
#define G3_IRQFD_LPI	(G3_LPI + 64)
#define G3_DIST		VIRQ_GICV3_DEFAULT_DIST_BASE
#define G3_RD(i)	(VIRQ_GICV3_DEFAULT_REDIST_BASE + \
			 (i) * VIRQ_GICV3_REDIST_SIZE)
#define G3_SGIF(i)	(G3_RD(i) + 0x10000)
#define G3_ITS		VIRQ_GICV3_DEFAULT_ITS_BASE
#define G3_TRANSLATER	(G3_ITS + VIRQ_GICV3_GITS_TRANSLATER)
#define G3_BUSY		(VIRQ_GICV3_SRC_PENDING | VIRQ_GICV3_SRC_ACTIVE | \
			 VIRQ_GICV3_SRC_LEVEL_USER | \
			 VIRQ_GICV3_SRC_LEVEL_RESAMPLE)

/* Guest memory: one slot, laid out as selftests/arm/gicv3_its_test.c */
#define G3_GBASE	0x40000000ULL
#define G3_GSIZE	0x100000ULL
#define G3_PROP		0x00000ULL
#define G3_PEND(i)	(0x10000ULL + (i) * 0x10000ULL)
#define G3_CMDQ		0x50000ULL
#define G3_DEVT		0x60000ULL
#define G3_COLT		0x70000ULL
#define G3_ITT(n)	(0x80000ULL + (n) * 0x1000ULL)
#define G3_VALID	(1ULL << 63)

/* The registers the saver reads: distributor, then each redistributor */
static const __u32 g3_dist_regs[] = {
	0x0000, 0x0004, 0x0008, 0x0084, 0x0104, 0x0204, 0x0304, 0x0c08,
	0x0c0c, 0x0420, 0x0424, 0x0428, 0x043c,
};

static const __u32 g3_redist_regs[] = {
	0x0000, 0x0008, 0x0014, 0x0070, 0x0078, 0x10080, 0x10100, 0x10200,
	0x10300, 0x10400, 0x10404, 0x10410, 0x10414, 0x10c00, 0x10c04,
};

static const __u64 g3_its_regs[] = {
	0x0000, 0x0004, 0x0080, 0x0088, 0x0090, 0x0100, 0x0108,
};

/* What a restore writes back (and reads back the same) */
static const __u64 g3_sysregs[] = {
	VIRQ_GICV3_ICC_PMR_EL1, VIRQ_GICV3_ICC_BPR0_EL1,
	VIRQ_GICV3_ICC_BPR1_EL1, VIRQ_GICV3_ICC_CTLR_EL1,
	VIRQ_GICV3_ICC_SRE_EL1, VIRQ_GICV3_ICC_IGRPEN0_EL1,
	VIRQ_GICV3_ICC_IGRPEN1_EL1, VIRQ_GICV3_ICC_AP0R_EL1(0),
	VIRQ_GICV3_ICC_AP1R_EL1(0),
};

#define G3_NDIST	(sizeof(g3_dist_regs) / sizeof(g3_dist_regs[0]))
#define G3_NRD		(sizeof(g3_redist_regs) / sizeof(g3_redist_regs[0]))
#define G3_NITS		(sizeof(g3_its_regs) / sizeof(g3_its_regs[0]))
#define G3_NSYS		(sizeof(g3_sysregs) / sizeof(g3_sysregs[0]))

struct g3_priv {
	__u8 *mem;			/* guest memory */
	pthread_mutex_t lock;		/* the command queue, LOAD/PUT */
	__u64 cwriter;
	bool churn_loaded;		/* vCPU 1 on G3_PCPU_CHURN */
	long loads, puts;
	__u32 dist[G3_NDIST];
	__u64 irouter[G3_SOURCES];
	__u64 rd[MAX_VCPUS][G3_NRD];
	__u64 its[G3_NITS];
	__u64 sys[MAX_VCPUS][G3_NSYS], sys2;
	__u64 priv[MAX_VCPUS][32], priv2[32];
	__u64 words[G3_SOURCES], words2[G3_SOURCES];
};

static int g3_mmio(int vfd, __u64 addr, __u32 len, bool write, __u64 *val)
{
	struct virq_access a = {
		.space = VIRQ_SPACE_MMIO, .addr = addr, .len = len,
		.flags = write ? VIRQ_ACCESS_WRITE : 0,
		.data = write ? *val : 0,
	};

	if (ioctl(vfd, VIRQ_VCPU_ACCESS, &a))
		return -1;
	*val = a.data;
	return 0;
}

static int g3_wr(int vfd, __u64 addr, __u32 len, __u64 val)
{
	return g3_mmio(vfd, addr, len, true, &val);
}

static int g3_sysreg(int vfd, __u64 reg, bool write, __u64 *val)
{
	struct virq_access a = {
		.space = VIRQ_SPACE_SYSREG, .addr = reg, .len = 8,
		.flags = write ? VIRQ_ACCESS_WRITE : 0,
		.data = write ? *val : 0,
	};

	if (ioctl(vfd, VIRQ_VCPU_ACCESS, &a))
		return -1;
	*val = a.data;
	return 0;
}

static int g3_sysreg_wr(int vfd, __u64 reg, __u64 val)
{
	return g3_sysreg(vfd, reg, true, &val);
}

static int g3_call(int vfd, __u32 nr, __u64 arg)
{
	struct virq_call c = { .nr = nr, .args = { arg } };

	return ioctl(vfd, VIRQ_VCPU_CALL, &c);
}

/* One ITS command, run at once (CREADR catches up with CWRITER) */
static int g3_cmd(struct fam *f, __u64 c0, __u64 c1, __u64 c2, __u64 c3)
{
	struct g3_priv *p = f->priv;
	__u64 cmd[4] = { c0, c1, c2, c3 }, rd = ~0ULL;
	int ret;

	pthread_mutex_lock(&p->lock);
	memcpy(p->mem + G3_CMDQ + p->cwriter, cmd, sizeof(cmd));
	p->cwriter = (p->cwriter + 32) % 4096;
	ret = g3_wr(f->vfd[0], G3_ITS + 0x88, 8, p->cwriter);
	if (!ret)
		ret = g3_mmio(f->vfd[0], G3_ITS + 0x90, 8, false, &rd);
	if (!ret && rd != p->cwriter) {
		errno = EPROTO;
		ret = -1;
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static int g3_create(struct fam *f, int *fd, int *vfd)
{
	struct virq_gicv3_options o = {
		.flags = VIRQ_GICV3_OPT_ITS, .lpi_bits = G3_LPI_BITS,
	};
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_GICV3, .nr_vcpus = f->nr_vcpus,
		.nr_sources = G3_SOURCES, .options = (__u64)(uintptr_t)&o,
		.options_size = sizeof(o),
	};

	return fam_open(f, &cfg, fd, vfd);
}

/* An SPI's configuration: edge or level, priority, target, enabled */
static int g3_spi(struct fam *f, struct src *s, bool edge)
{
	__u32 n = s->line;
	__u64 cfg = 0;

	if (g3_mmio(f->vfd[0], G3_DIST + 0xc00 + 4 * (n / 16), 4, false, &cfg))
		return -1;
	cfg &= ~(3ULL << 2 * (n % 16));
	cfg |= (__u64)edge << (2 * (n % 16) + 1);
	if (g3_wr(f->vfd[0], G3_DIST + 0xc00 + 4 * (n / 16), 4, cfg) ||
	    g3_wr(f->vfd[0], G3_DIST + 0x400 + n, 1, G3_PRIO) ||
	    g3_wr(f->vfd[0], G3_DIST + 0x6000 + 8 * n, 8, f->arch_id[s->cpu]) ||
	    g3_wr(f->vfd[0], G3_DIST + 0x100 + 4 * (n / 32), 4,
		  1U << (n % 32)))
		return -1;
	return 0;
}

/* A PPI or SGI of vCPU @cpu: priority, enabled */
static int g3_private(struct fam *f, int cpu, __u32 intid)
{
	if (g3_wr(f->vfd[0], G3_SGIF(cpu) + 0x400 + intid, 1, G3_PRIO) ||
	    g3_wr(f->vfd[0], G3_SGIF(cpu) + 0x100, 4, 1U << intid))
		return -1;
	return 0;
}

/* The LPIs and the ITS, as Linux's ITS driver sets them up */
static int g3_setup_its(struct fam *f)
{
	struct g3_priv *p = f->priv;
	int vfd = f->vfd[0];
	int i;

	memset(p->mem + G3_PROP, G3_PRIO | 1, 1U << G3_LPI_BITS >> 1);
	if (g3_wr(vfd, G3_ITS + 0x100, 8, G3_VALID | (G3_GBASE + G3_DEVT)) ||
	    g3_wr(vfd, G3_ITS + 0x108, 8, G3_VALID | (G3_GBASE + G3_COLT)) ||
	    g3_wr(vfd, G3_ITS + 0x80, 8, G3_VALID | (G3_GBASE + G3_CMDQ)) ||
	    g3_wr(vfd, G3_ITS + 0x88, 8, 0) ||
	    g3_wr(vfd, G3_ITS, 4, 1))
		return -1;
	for (i = 0; i < f->nr_vcpus; i++)
		if (g3_wr(vfd, G3_RD(i) + 0x70, 8,
			  (G3_GBASE + G3_PROP) | (G3_LPI_BITS - 1)) ||
		    g3_wr(vfd, G3_RD(i) + 0x78, 8, G3_GBASE + G3_PEND(i)) ||
		    g3_wr(vfd, G3_RD(i), 4, 1))
			return -1;
	/* collection i on redistributor i; two devices of 16 events */
	for (i = 0; i < f->nr_vcpus; i++)
		if (g3_cmd(f, 0x09, 0, i | (__u64)i << 16 | G3_VALID, 0))
			return -1;
	if (g3_cmd(f, 0x08 | (__u64)G3_DEV_EDGE << 32, 3,
		   (G3_GBASE + G3_ITT(0)) | G3_VALID, 0) ||
	    g3_cmd(f, 0x08 | (__u64)G3_DEV_IRQFD << 32, 3,
		   (G3_GBASE + G3_ITT(1)) | G3_VALID, 0))
		return -1;
	return 0;
}

/* MAPTI of @s's event (aux) of @devid to its LPI on its vCPU */
static int g3_mapti(struct fam *f, struct src *s, __u32 devid)
{
	return g3_cmd(f, 0x0a | (__u64)devid << 32,
		      s->aux | (__u64)s->id << 32, s->cpu, 0);
}

/*
 * SPIs 32-47 counted edges, 48-55 bursts, 56-59 level, 60-63 counted
 * edges sent as GICD_SETSPI_NSR MSIs; LPIs 8192-8199 counted edges
 * through the ITS (device 1, events 0-7) and 8256 the irqfd's (device 2,
 * event 0); PPI 20 of vCPU 0 by its RESIDENT name (vCPU 0 stays loaded
 * on pCPU 0), PPI 21 of vCPU 1 by RESIDENT name on pCPU 1, where the
 * route changer loads and puts vCPU 1; SGIs 8 + vCPU as IPIs.  One
 * priority; targets alternate.
 */
static int g3_setup(struct fam *f)
{
	struct virq_memory_region mr = {
		.guest_phys_addr = G3_GBASE, .memory_size = G3_GSIZE,
	};
	struct g3_priv *p;
	struct src *s;
	int i;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -1;
	f->priv = p;
	pthread_mutex_init(&p->lock, NULL);
	p->mem = mmap(NULL, G3_GSIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->mem == MAP_FAILED) {
		p->mem = NULL;
		return -1;
	}
	mr.userspace_addr = (__u64)(uintptr_t)p->mem;
	if (ioctl(f->fd, VIRQ_SET_MEMORY_REGION, &mr) ||
	    g3_wr(f->vfd[0], G3_DIST, 4, 2))	/* EnableGrp1 */
		return -1;
	for (i = 0; i < f->nr_vcpus; i++)
		if (g3_sysreg_wr(f->vfd[i], VIRQ_GICV3_ICC_PMR_EL1, 0xff) ||
		    g3_sysreg_wr(f->vfd[i], VIRQ_GICV3_ICC_IGRPEN1_EL1, 1) ||
		    g3_wr(f->vfd[0], G3_RD(i) + 0x14, 4, 0))
			return -1;
	for (i = 0; i < 32; i++) {
		enum src_kind k = i < 16 ? K_EDGE : i < 24 ? K_BURST :
				  i < 28 ? K_LEVEL : K_EDGE;

		s = add_src(f, k, i < 28 ? VIA_LINE : VIA_MSI,
			    i < 16 ? "spi" : i < 24 ? "spi-burst" :
			    i < 28 ? "spi-level" : "setspi", 32 + i, 32 + i,
			    i % f->nr_vcpus);
		if (g3_spi(f, s, k != K_LEVEL))
			return -1;
		if (k == K_LEVEL)
			f->resample_src = s;
	}
	if (g3_setup_its(f))
		return -1;
	for (i = 0; i < 8; i++) {
		s = add_src(f, K_EDGE, VIA_MSI, "lpi", G3_LPI + i, 0,
			    i % f->nr_vcpus);
		s->aux = i;
		if (g3_mapti(f, s, G3_DEV_EDGE))
			return -1;
	}
	s = add_src(f, K_IRQFD, VIA_MSI, "irqfd-lpi", G3_IRQFD_LPI, 0, 0);
	if (g3_mapti(f, s, G3_DEV_IRQFD))
		return -1;
	f->irqfd_src = s;
	/* vCPU 0 stays loaded on pCPU 0: its resident PPI is counted */
	if (g3_private(f, 0, G3_PPI_KEPT) || g3_call(f->vfd[0],
						     VIRQ_GICV3_CALL_LOAD, 0))
		return -1;
	add_src(f, K_EDGE, VIA_LINE, "resident-kept", G3_PPI_KEPT,
		VIRQ_GICV3_SOURCE_RESIDENT(0, G3_PPI_KEPT), 0);
	if (f->nr_vcpus > 1) {
		if (g3_private(f, 1, G3_PPI_CHURN))
			return -1;
		add_src(f, K_RESIDENT, VIA_LINE, "resident-churn",
			G3_PPI_CHURN, VIRQ_GICV3_SOURCE_RESIDENT(G3_PCPU_CHURN,
							       G3_PPI_CHURN),
			1);
	}
	for (i = 0; i < f->nr_vcpus; i++) {
		if (g3_private(f, i, G3_SGI + i))
			return -1;
		f->ipi[i] = add_src(f, K_IPI, VIA_MSI, "sgi", G3_SGI + i, 0,
				    i);
	}
	assign_owners(f);
	return 0;
}

static int g3_msi(int fd, __u64 addr, __u32 data, __u32 devid, int *status)
{
	struct virq_msi m = {
		.address_lo = (__u32)addr, .address_hi = addr >> 32,
		.data = data, .status = 0x5a5a5a5a,
		.flags = devid ? VIRQ_MSI_FLAG_DEVID : 0, .devid = devid,
	};
	int ret = ioctl(fd, VIRQ_SIGNAL_MSI, &m);

	*status = m.status;
	return ret;
}

static int g3_inject(struct fam *f, struct src *s, __u32 op, struct rng *r,
		     int *status)
{
	int ret;

	if (s->via == VIA_MSI && s->id >= G3_LPI)
		return g3_msi(f->fd, G3_TRANSLATER, s->aux, G3_DEV_EDGE,
			      status);
	if (s->via == VIA_MSI)
		return g3_msi(f->fd, G3_DIST + VIRQ_GICV3_GICD_SETSPI_NSR,
			      s->line, 0, status);
	ret = line_op(f->fd, s->line, op, r, status);
	if (ret && errno == ESRCH && s->kind == K_RESIDENT) {
		*status = VIRQ_STATUS_MASKED;	/* nobody on that pCPU */
		return 0;
	}
	return ret;
}

static int g3_ack(struct fam *f, int cpu, struct rng *r, __u32 *id,
		  __u64 *token)
{
	struct virq_ack ack = { 0 };
	__u64 v = 0;

	if (below(r, 4)) {
		if (ioctl(f->vfd[cpu], VIRQ_VCPU_ACK, &ack))
			return -1;
		v = ack.id;
	} else if (g3_sysreg(f->vfd[cpu], VIRQ_GICV3_ICC_IAR1_EL1, false,
			     &v)) {
		return -1;
	}
	if (v == VIRQ_GICV3_SPURIOUS)
		return 0;
	*id = v;
	*token = v;
	return 1;
}

static int g3_eoi(struct fam *f, int cpu, __u32 id, __u64 token)
{
	return g3_sysreg_wr(f->vfd[cpu], VIRQ_GICV3_ICC_EOIR1_EL1, token);
}

static int g3_ipi(struct fam *f, int from, int to)
{
	__u64 aff = f->arch_id[to];

	/* SGI INTID, Aff3.Aff2.Aff1, RS and the target's bit */
	return g3_sysreg_wr(f->vfd[from], VIRQ_GICV3_ICC_SGI1R_EL1,
			    (__u64)f->ipi[to]->id << 24 |
			    ((aff >> 32) & 0xff) << 48 |
			    ((aff >> 16) & 0xff) << 32 |
			    ((aff >> 8) & 0xff) << 16 |
			    (aff & 0xf0) << 40 | 1U << (aff & 0xf));
}

/* The PMR above our priority for a moment (SGIs, priority 0, still in) */
static int g3_idle(struct fam *f, int cpu)
{
	if (g3_sysreg_wr(f->vfd[cpu], VIRQ_GICV3_ICC_PMR_EL1, 0x10) ||
	    g3_sysreg_wr(f->vfd[cpu], VIRQ_GICV3_ICC_PMR_EL1, 0xff))
		return -1;
	return 0;
}

/* Load or put vCPU 1 on G3_PCPU_CHURN: its resident PPI comes and goes */
static int g3_churn(struct fam *f)
{
	struct g3_priv *p = f->priv;
	int ret;

	if (f->nr_vcpus < 2)
		return 0;
	pthread_mutex_lock(&p->lock);
	if (p->churn_loaded)
		ret = g3_call(f->vfd[1], VIRQ_GICV3_CALL_PUT, 0);
	else
		ret = g3_call(f->vfd[1], VIRQ_GICV3_CALL_LOAD, G3_PCPU_CHURN);
	if (!ret) {
		p->churn_loaded = !p->churn_loaded;
		if (p->churn_loaded)
			p->loads++;
		else
			p->puts++;
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

/*
 * What leaves delivery as it was: LOAD/PUT of vCPU 1, an SPI's IROUTER,
 * enable and priority written again, an LPI's configuration re-read (INV,
 * the property table unchanged), a SYNC.
 */
static int g3_route_change(struct fam *f, struct rng *r)
{
	struct src *s = &f->src[below(r, 32)];
	struct src *l = &f->src[32 + below(r, 8)];
	__u32 n = s->line;

	switch (below(r, 10)) {
	case 0 ... 3:
		return g3_churn(f);
	case 4 ... 5:
		return g3_wr(f->vfd[below(r, f->nr_vcpus)],
			     G3_DIST + 0x6000 + 8 * n, 8, f->arch_id[s->cpu]);
	case 6:
		return g3_wr(f->vfd[0], G3_DIST + 0x100 + 4 * (n / 32), 4,
			     1U << (n % 32));
	case 7:
		return g3_wr(f->vfd[0], G3_DIST + 0x400 + n, 1, G3_PRIO);
	case 8:
		return g3_cmd(f, 0x0c | (__u64)G3_DEV_EDGE << 32, l->aux, 0,
			      0);
	default:
		return g3_cmd(f, 0x05, 0, (__u64)below(r, f->nr_vcpus) << 16,
			      0);
	}
}

/* Is @intid pending on a redistributor (SAVE_PENDING_TABLES, then look) */
static int g3_lpi_pending(struct fam *f, __u32 intid)
{
	struct g3_priv *p = f->priv;
	struct virq_attr a = {
		.group = VIRQ_GICV3_GRP_CTRL,
		.attr = VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES,
	};
	int i;

	if (ioctl(f->fd, VIRQ_SET_ATTR, &a))
		return -1;
	for (i = 0; i < f->nr_vcpus; i++)
		if (__atomic_load_n(&p->mem[G3_PEND(i) + intid / 8],
				    __ATOMIC_RELAXED) & 1U << (intid % 8))
			return 1;
	return 0;
}

/*
 * An LPI has no active state: it is quiet when it is not pending and
 * every acknowledge of it was ended.  An acknowledge not counted yet is
 * seen by the vCPU threads' sequence counts (drain()), so the answer is
 * taken only from a window in which no acknowledge was in flight.
 */
static int g3_lpi_quiet(struct fam *f, struct src *s)
{
	long seq[MAX_VCPUS], e, d;
	int i, tries, pend;
	bool stable;

	for (tries = 0; tries < 100000; tries++) {
		stable = true;
		for (i = 0; i < f->nr_vcpus; i++) {
			seq[i] = ld(&f->acking[i]);
			stable &= !(seq[i] & 1);
		}
		if (!stable) {
			sched_yield();
			continue;
		}
		pend = g3_lpi_pending(f, s->id);
		if (pend < 0)
			return -1;
		e = ld(&s->ended);
		d = ld(&s->delivered);
		for (i = 0; i < f->nr_vcpus; i++)
			stable &= ld(&f->acking[i]) == seq[i];
		if (stable)
			return !pend && d == e;
	}
	return 0;
}

static int g3_quiet(struct fam *f, struct src *s)
{
	__u64 w[32];

	if (s->id >= G3_LPI)
		return g3_lpi_quiet(f, s);
	if (s->id < 32) {
		if (attr_op(f->vfd[s->cpu], VIRQ_VCPU_GET_ATTR,
			    VIRQ_GICV3_VGRP_PRIVATE, 0, w, sizeof(w)))
			return -1;
		return !(w[s->id] & G3_BUSY);
	}
	if (virq_get_words(f->fd, s->line, 1, w))
		return -1;
	return !(w[0] & G3_BUSY);
}

static long g3_burst_min(long n)
{
	return n ? 1 : 0;
}

static int g3_save(struct fam *f, const char **step)
{
	struct g3_priv *p = f->priv;
	unsigned int i, j;

	*step = "GET_ATTR DIST_REGS";
	for (i = 0; i < G3_NDIST; i++)
		if (attr_op(f->fd, VIRQ_GET_ATTR, VIRQ_GICV3_GRP_DIST_REGS,
			    g3_dist_regs[i], &p->dist[i], 4))
			return -1;
	for (i = 32; i < G3_SOURCES; i++)
		if (attr_op(f->fd, VIRQ_GET_ATTR, VIRQ_GICV3_GRP_DIST_REGS,
			    0x6000 + 8 * i, &p->irouter[i], 8))
			return -1;
	*step = "GET_ATTR ITS_REGS";
	for (i = 0; i < G3_NITS; i++)
		if (attr_op(f->fd, VIRQ_GET_ATTR, VIRQ_GICV3_GRP_ITS_REGS,
			    g3_its_regs[i], &p->its[i],
			    g3_its_regs[i] < 8 ? 4 : 8))
			return -1;
	for (j = 0; j < (unsigned int)f->nr_vcpus; j++) {
		*step = "VCPU_GET_ATTR REDIST_REGS";
		for (i = 0; i < G3_NRD; i++)
			if (attr_op(f->vfd[j], VIRQ_VCPU_GET_ATTR,
				    VIRQ_GICV3_VGRP_REDIST_REGS,
				    g3_redist_regs[i], &p->rd[j][i],
				    g3_redist_regs[i] == 0x8 ||
				    g3_redist_regs[i] == 0x70 ||
				    g3_redist_regs[i] == 0x78 ? 8 : 4))
				return -1;
		*step = "VCPU_GET_ATTR CPU_SYSREGS";
		for (i = 0; i < G3_NSYS; i++)
			if (attr_op(f->vfd[j], VIRQ_VCPU_GET_ATTR,
				    VIRQ_GICV3_VGRP_CPU_SYSREGS, g3_sysregs[i],
				    &p->sys[j][i], 8))
				return -1;
		*step = "VCPU_GET_ATTR PRIVATE";
		if (attr_op(f->vfd[j], VIRQ_VCPU_GET_ATTR,
			    VIRQ_GICV3_VGRP_PRIVATE, 0, p->priv[j],
			    sizeof(p->priv[j])))
			return -1;
	}
	*step = "GET_SOURCES";
	return virq_get_words(f->fd, 32, G3_SOURCES - 32, p->words + 32);
}

/*
 * Into a fresh instance: the IIDR, each vCPU's CPU interface registers
 * and private words (read back at once), the SPIs' words.  Not the
 * redistributors' LPI registers: the scratch instance has no guest
 * memory.
 */
static int g3_restore(struct fam *f, const char **step)
{
	struct g3_priv *p = f->priv;
	int fd = -1, vfd[MAX_VCPUS], i, ret = -1;
	unsigned int j;
	long d;

	for (i = 0; i < MAX_VCPUS; i++)
		vfd[i] = -1;
	*step = "create";
	if (g3_create(f, &fd, vfd))
		goto out;
	*step = "SET_ATTR GICD_IIDR";
	if (attr_op(fd, VIRQ_SET_ATTR, VIRQ_GICV3_GRP_DIST_REGS, 8,
		    &p->dist[2], 4))
		goto out;
	for (i = 0; i < f->nr_vcpus; i++) {
		for (j = 0; j < G3_NSYS; j++) {
			*step = "VCPU_SET_ATTR CPU_SYSREGS";
			if (attr_op(vfd[i], VIRQ_VCPU_SET_ATTR,
				    VIRQ_GICV3_VGRP_CPU_SYSREGS, g3_sysregs[j],
				    &p->sys[i][j], 8))
				goto out;
			*step = "VCPU_GET_ATTR CPU_SYSREGS";
			if (attr_op(vfd[i], VIRQ_VCPU_GET_ATTR,
				    VIRQ_GICV3_VGRP_CPU_SYSREGS, g3_sysregs[j],
				    &p->sys2, 8))
				goto out;
			if (p->sys2 != p->sys[i][j])
				fail(f, "restored vCPU %d ICC %#llx: %#llx, saved %#llx",
				     i, (unsigned long long)g3_sysregs[j],
				     (unsigned long long)p->sys2,
				     (unsigned long long)p->sys[i][j]);
		}
		*step = "VCPU_SET_ATTR PRIVATE";
		if (attr_op(vfd[i], VIRQ_VCPU_SET_ATTR, VIRQ_GICV3_VGRP_PRIVATE,
			    0, p->priv[i], sizeof(p->priv[i])) ||
		    attr_op(vfd[i], VIRQ_VCPU_GET_ATTR, VIRQ_GICV3_VGRP_PRIVATE,
			    0, p->priv2, sizeof(p->priv2)))
			goto out;
		d = first_diff(p->priv[i], p->priv2, sizeof(p->priv2));
		if (d >= 0)
			fail(f, "restored vCPU %d private word %ld: %#llx, saved %#llx",
			     i, d / 8, (unsigned long long)p->priv2[d / 8],
			     (unsigned long long)p->priv[i][d / 8]);
	}
	*step = "SET_SOURCES";
	if (virq_set_words(fd, 32, G3_SOURCES - 32, p->words + 32) ||
	    virq_get_words(fd, 32, G3_SOURCES - 32, p->words2 + 32))
		goto out;
	d = first_diff(p->words + 32, p->words2 + 32,
		       8 * (G3_SOURCES - 32));
	if (d >= 0)
		fail(f, "restored SPI %ld: %#llx, saved %#llx", 32 + d / 8,
		     (unsigned long long)p->words2[32 + d / 8],
		     (unsigned long long)p->words[32 + d / 8]);
	ret = 0;
out:
	for (i = 0; i < MAX_VCPUS; i++)
		if (vfd[i] >= 0)
			close(vfd[i]);
	if (fd >= 0)
		close(fd);
	return ret;
}

static void g3_final_check(struct fam *f)
{
	__u64 v;
	int cpu, k, q;

	for (cpu = 0; cpu < f->nr_vcpus; cpu++) {
		drain_leftovers(f, cpu);
		if (virq_vcpu_lines(f->vfd[cpu]))
			fail(f, "vCPU %d: output %#lx after the drain", cpu,
			     virq_vcpu_lines(f->vfd[cpu]));
		v = 0;
		if (g3_sysreg(f->vfd[cpu], VIRQ_GICV3_ICC_RPR_EL1, false, &v) ||
		    v != 0xff)
			fail(f, "vCPU %d: running priority %#llx after the drain",
			     cpu, (unsigned long long)v);
	}
	for (k = 0; k < f->nr_src; k++) {
		struct src *s = &f->src[k];

		if (s->kind == K_IPI)
			continue;
		q = g3_quiet(f, s);
		if (q != 1)
			fail(f, "%s %#x: busy after the drain (%d)", s->how,
			     s->id, q);
	}
	check_level_works(f, f->resample_src);
	printf("# gicv3: vCPU 1 loaded %ld times, put %ld times\n",
	       ((struct g3_priv *)f->priv)->loads,
	       ((struct g3_priv *)f->priv)->puts);
}

static int g3_irqfd_msi(struct fam *f, struct src *s, int efd, bool deassign)
{
	struct virq_irqfd a = {
		.fd = efd,
		.flags = VIRQ_IRQFD_FLAG_MSI | VIRQ_IRQFD_FLAG_MSI_DEVID,
		.msi = {
			.address_lo = (__u32)G3_TRANSLATER,
			.address_hi = G3_TRANSLATER >> 32,
			.data = s->aux, .devid = G3_DEV_IRQFD,
		},
	};

	if (deassign) {
		/* matched by fd and source 0 */
		memset(&a.msi, 0, sizeof(a.msi));
		a.flags = VIRQ_IRQFD_FLAG_DEASSIGN;
	}
	return ioctl(f->fd, VIRQ_IRQFD, &a);
}

static const struct family_ops gicv3_ops = {
	.name = "gicv3",
	.family = VIRQ_FAMILY_GICV3,
	.gated = true,
	.window = 1,
	.unlatched_levels = true,
	.create = g3_create,
	.setup = g3_setup,
	.inject = g3_inject,
	.ack = g3_ack,
	.eoi = g3_eoi,
	.ipi = g3_ipi,
	.idle = g3_idle,
	.route = g3_route_change,
	.quiet = g3_quiet,
	.burst_min = g3_burst_min,
	.save = g3_save,
	.restore = g3_restore,
	.final_check = g3_final_check,
	.irqfd_msi = g3_irqfd_msi,
};

static const struct family_ops *const families[] = {
	&x86_ops,
	&xics_ops,
	&gicv3_ops,
};

#define NR_FAMILIES	(sizeof(families) / sizeof(families[0]))

/* === the threads ======================================================= */

struct targ {
	struct fam *f;
	int id;
	struct rng rng;
};

enum role { R_VCPU, R_INJ, R_ROUTE, R_IRQFD, R_SAVER, R_HAMMER, R_TEAR };

static void targ_init(struct targ *t, struct fam *f, int fam_idx,
		      enum role role, int id)
{
	t->f = f;
	t->id = id;
	rng_init(&t->rng, stress_seed, fam_idx << 16 | role << 8 | id);
}

/* Count a delivery of @id on @cpu; false for a duplicate or a phantom */
static void account(struct fam *f, int cpu, __u32 id)
{
	struct src *s = src_by_id(f, id);
	long d;

	if (!s) {
		fail(f, "vCPU %d: phantom interrupt %#x", cpu, id);
		return;
	}
	d = atomic_fetch_add(&s->delivered, 1) + 1;
	/* started is counted before the injection, so it cannot lag */
	if (s->kind != K_LEVEL && d > ld(&s->started))
		fail(f, "vCPU %d: %s %#x delivered %ld times, injected %ld",
		     cpu, s->how, id, d, ld(&s->started));
}

/*
 * The handler of a level interrupt usually services its device, which
 * lowers the line before the EOI (else the EOI delivers it again).
 */
static void service_level(struct targ *t, int cpu, __u32 id)
{
	struct fam *f = t->f;
	struct src *s = src_by_id(f, id);
	int st;

	if (!s || s->kind != K_LEVEL || !below(&t->rng, 4))
		return;
	if (f->ops->inject(f, s, VIRQ_LINE_RESET, &t->rng, &st) ||
	    st != VIRQ_STATUS_COALESCED)
		fail(f, "vCPU %d: reset %#x: %d, %s", cpu, s->line, st,
		     strerror(errno));
}

/* Acknowledge and end everything @cpu has; IPIs now and then */
static void drain(struct targ *t, int cpu, long *n)
{
	struct fam *f = t->f;
	__u64 token;
	__u32 id;
	int ret;

	for (;;) {
		/* odd while an acknowledged interrupt is not counted yet */
		atomic_fetch_add(&f->acking[cpu], 1);
		ret = f->ops->ack(f, cpu, &t->rng, &id, &token);
		if (ret > 0)
			account(f, cpu, id);
		atomic_fetch_add(&f->acking[cpu], 1);
		if (ret < 0)
			fail(f, "vCPU %d: acknowledge: %s", cpu,
			     strerror(errno));
		if (ret <= 0)
			return;
		service_level(t, cpu, id);
		if (f->ops->eoi(f, cpu, id, token))
			fail(f, "vCPU %d: EOI %#x: %s", cpu, id,
			     strerror(errno));
		if (src_by_id(f, id))
			atomic_fetch_add(&src_by_id(f, id)->ended, 1);
		if (!(++*n % 16) && f->nr_vcpus > 1 &&
		    !atomic_load(&f->stop_ipis)) {
			int to = (cpu + 1) % f->nr_vcpus;

			atomic_fetch_add(&f->ipi[to]->started, 1);
			if (f->ops->ipi(f, cpu, to))
				fail(f, "vCPU %d: IPI: %s", cpu,
				     strerror(errno));
		}
	}
}

static void *vcpu_thread(void *arg)
{
	struct targ *t = arg;
	struct fam *f = t->f;
	int cpu = t->id;
	struct pollfd p = { .fd = f->vfd[cpu], .events = POLLIN | POLLPRI };
	long n = 0, idle = 0;
	int r;

	while (!atomic_load(&f->stop_vcpus)) {
		r = poll(&p, 1, 20);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (r > 0 && (p.revents & ~POLLIN))) {
			fail(f, "vCPU %d: poll %d, revents %#x", cpu, r,
			     p.revents);
			break;
		}
		if (r > 0) {
			drain(t, cpu, &n);
		} else if (!below(&t->rng, 4)) {
			idle++;
			if (f->ops->idle(f, cpu))
				fail(f, "vCPU %d: idle: %s", cpu,
				     strerror(errno));
		}
	}
	f->vcpu_acks[cpu] = n;
	f->vcpu_idle[cpu] = idle;
	return NULL;
}

static void inject_counted(struct fam *f, struct src *s, __u32 op,
			   struct rng *r)
{
	int st = 0x5a5a5a5a;

	if (op != VIRQ_LINE_RESET)
		atomic_fetch_add(&s->started, 1);
	if (f->ops->inject(f, s, op, r, &st)) {
		fail(f, "inject %s %#x op %u: %s", s->how, s->line, op,
		     strerror(errno));
		return;
	}
	if (op == VIRQ_LINE_RESET) {
		if (st != VIRQ_STATUS_COALESCED)
			fail(f, "reset %s %#x: status %d", s->how, s->line,
			     st);
	} else if (st == 1) {
		atomic_fetch_add(&s->accepted, 1);
	} else if (st == VIRQ_STATUS_COALESCED) {
		atomic_fetch_add(&s->coalesced, 1);
	} else if (st == VIRQ_STATUS_MASKED) {
		atomic_fetch_add(&s->masked, 1);
	} else {
		fail(f, "inject %s %#x: status %d for one target", s->how,
		     s->line, st);
	}
}

static void settle(struct fam *f, struct src *s)
{
	long d = ld(&s->delivered) - s->base;

	if (d < f->ops->burst_min(s->len) || d > s->len)
		fail(f, "%s %#x: %ld edges in a row, %ld deliveries", s->how,
		     s->line, s->len, d);
	s->busy = false;
	s->bursts++;
}

static bool src_done(struct fam *f, struct src *s)
{
	int q;

	switch (s->kind) {
	case K_EDGE:
		if (f->ops->gated)
			return ld(&s->ended) == ld(&s->started);
		return ld(&s->delivered) == ld(&s->accepted);
	case K_BURST:
		if (!s->busy)
			return true;
		q = f->ops->quiet(f, s);
		if (q == 1)
			settle(f, s);
		return q != 0;
	default:
		return f->ops->quiet(f, s) != 0;
	}
}

static void *inject_thread(void *arg)
{
	struct targ *t = arg;
	struct fam *f = t->f;
	struct src *own[MAX_SRCS];
	long i, done = 0, skipped = 0;
	int n = 0, k, q;

	for (k = 0; k < f->nr_src; k++)
		if (f->src[k].owner == t->id)
			own[n++] = &f->src[k];
	for (i = 0; n && i < stress_ops; i++) {
		struct src *s = own[below(&t->rng, n)];

		switch (s->kind) {
		case K_EDGE:
			if (f->ops->gated && ld(&s->started) - ld(&s->ended) >=
			    f->ops->window) {
				skipped++;
				sched_yield();
				continue;
			}
			inject_counted(f, s, VIRQ_LINE_EDGE, &t->rng);
			break;
		case K_BURST:
			if (s->busy) {
				q = f->ops->quiet(f, s);
				if (q < 0)
					fail(f, "quiet %#x: %s", s->line,
					     strerror(errno));
				if (q != 1) {
					skipped++;
					sched_yield();
					continue;
				}
				settle(f, s);
			}
			s->busy = true;
			s->base = ld(&s->delivered);
			s->len = 1 + below(&t->rng, 4);
			for (k = 0; k < s->len; k++)
				inject_counted(f, s, VIRQ_LINE_EDGE, &t->rng);
			break;
		case K_RESIDENT:
			inject_counted(f, s, VIRQ_LINE_EDGE, &t->rng);
			break;
		default:
			inject_counted(f, s, below(&t->rng, 2) ||
				       f->ops->unlatched_levels ?
				       VIRQ_LINE_SET : VIRQ_LINE_RESET,
				       &t->rng);
			break;
		}
		done++;
		/* let the vCPUs in now and then: fewer merges, other races */
		if (!below(&t->rng, 4))
			sched_yield();
	}
	/* everything counted must arrive (levels are left to the end) */
	for (k = 0; k < n; k++)
		if (own[k]->kind != K_LEVEL && !wait_for(src_done, f, own[k]))
			fail(f, "%s %#x (id %#x) lost: %ld injected, %ld accepted, %ld delivered, %ld ended",
			     own[k]->how, own[k]->line, own[k]->id,
			     ld(&own[k]->started),
			     ld(&own[k]->accepted), ld(&own[k]->delivered),
			     ld(&own[k]->ended));
	f->inj_ops[t->id] = i;
	f->inj_done[t->id] = done;
	f->inj_skipped[t->id] = skipped;
	return NULL;
}

static void *route_thread(void *arg)
{
	struct targ *t = arg;
	struct fam *f = t->f;
	long i;

	for (i = 0; i < stress_ops; i++)
		if (f->ops->route(f, &t->rng))
			fail(f, "route change: %s", strerror(errno));
	f->route_ops = i;
	return NULL;
}

static bool irqfd_delivered(struct fam *f, struct src *s)
{
	return ld(&s->delivered) > s->base && f->ops->quiet(f, s) != 0;
}

/* A burst on an edge irqfd, then deassign (and check) or close */
static void irqfd_edge_round(struct targ *t)
{
	struct fam *f = t->f;
	struct src *s = f->irqfd_src;
	long k, d, i;
	__u64 cnt;
	int efd;

	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0) {
		fail(f, "eventfd: %s", strerror(errno));
		return;
	}
	/* the source is quiet: the last round waited for it */
	s->base = ld(&s->delivered);
	if (src_irqfd(f, s, efd, false)) {
		fail(f, "irqfd assign: %s", strerror(errno));
		close(efd);
		return;
	}
	k = 1 + below(&t->rng, 4);
	for (i = 0; i < k; i++) {
		atomic_fetch_add(&s->started, 1);
		if (signal_efd(efd))
			fail(f, "irqfd signal: %s", strerror(errno));
	}
	if (!wait_for(irqfd_delivered, f, s))
		fail(f, "irqfd: %ld signals, nothing delivered", k);
	d = ld(&s->delivered) - s->base;
	if (d < f->ops->burst_min(k) || d > k)
		fail(f, "irqfd: %ld signals, %ld deliveries", k, d);
	if (read(efd, &cnt, sizeof(cnt)) != -1 || errno != EAGAIN)
		fail(f, "irqfd: signals left in the eventfd");
	f->irqfd_bursts++;
	f->irqfd_signals += k;
	f->irqfd_deliveries += d;
	if (below(&t->rng, 2)) {
		close(efd);	/* EPOLLHUP tears it down */
		return;
	}
	if (src_irqfd(f, s, efd, true))
		fail(f, "irqfd deassign: %s", strerror(errno));
	if (signal_efd(efd))
		fail(f, "irqfd signal: %s", strerror(errno));
	/* an injection would have made it busy or counted by now */
	if (f->ops->quiet(f, s) != 1 || ld(&s->delivered) != s->base + d)
		fail(f, "irqfd: delivered after deassign");
	if (read(efd, &cnt, sizeof(cnt)) != sizeof(cnt) || cnt != 1)
		fail(f, "irqfd: the signal after deassign was consumed");
	f->irqfd_deassigned++;
	close(efd);
}

/* A resampling irqfd on a level line: signal, wait for the resample */
static void irqfd_resample_round(struct targ *t)
{
	struct fam *f = t->f;
	struct src *s = f->resample_src;
	int efd, rfd;
	__u64 cnt;

	efd = eventfd(0, EFD_CLOEXEC);
	rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0 || rfd < 0) {
		fail(f, "eventfd: %s", strerror(errno));
		goto out;
	}
	if (irqfd_op(f->fd, efd, s->line, VIRQ_IRQFD_FLAG_RESAMPLE, rfd)) {
		fail(f, "resample irqfd assign: %s", strerror(errno));
		goto out;
	}
	if (signal_efd(efd))
		fail(f, "irqfd signal: %s", strerror(errno));
	if (fd_readable(rfd, LIVENESS_S * 1000) != 1)
		fail(f, "resample irqfd: no resample after a signal");
	else if (read(rfd, &cnt, sizeof(cnt)) != sizeof(cnt) || !cnt)
		fail(f, "resamplefd: %s", strerror(errno));
	f->irqfd_resamples++;
	if (below(&t->rng, 2) &&
	    irqfd_op(f->fd, efd, s->line, VIRQ_IRQFD_FLAG_DEASSIGN, -1))
		fail(f, "resample irqfd deassign: %s", strerror(errno));
out:
	if (efd >= 0)
		close(efd);
	if (rfd >= 0)
		close(rfd);
}

static void *irqfd_thread(void *arg)
{
	struct targ *t = arg;
	long i, n = stress_ops / 30 + 4;

	for (i = 0; i < n; i++) {
		if (t->f->resample_src && !below(&t->rng, 4))
			irqfd_resample_round(t);
		else
			irqfd_edge_round(t);
	}
	return NULL;
}

static void *saver_thread(void *arg)
{
	struct targ *t = arg;
	struct fam *f = t->f;
	long i, n = stress_ops / 150 + 2;
	const char *step = "";

	for (i = 0; i < n; i++) {
		if (f->ops->save(f, &step))
			fail(f, "save: %s: %s", step, strerror(errno));
		else if (f->ops->restore(f, &step))
			fail(f, "restore: %s: %s", step, strerror(errno));
		read_debugfs_states();
	}
	f->saver_rounds = i;
	return NULL;
}

/* --- the last phase: closing under fire ------------------------------ */

static void tally(struct fam *f, int ret, const char *what)
{
	struct tear *tr = &f->tear;

	if (!ret) {
		atomic_fetch_add(&tr->ok, 1);
		return;
	}
	switch (errno) {
	case EBADF:
		atomic_fetch_add(&tr->ebadf, 1);
		break;
	case ENODEV:
		atomic_fetch_add(&tr->enodev, 1);
		break;
	case EBUSY:
	case ENOENT:
	case EEXIST:
	case EAGAIN:
		atomic_fetch_add(&tr->benign, 1);
		break;
	default:
		fail(f, "closing: %s: %s", what, strerror(errno));
	}
}

static void hammer_op(struct targ *t)
{
	struct fam *f = t->f;
	struct src *s = &f->src[below(&t->rng, f->nr_src)];
	int cpu = below(&t->rng, f->nr_vcpus), st, ret, k;
	struct virq_chip_config cfg;
	struct virq_vcpu_create id;
	const char *step;
	__u64 token, w;
	__u32 irq;

	switch (below(&t->rng, 10)) {
	case 0 ... 2:
		if (s->kind == K_IPI)
			break;
		ret = f->ops->inject(f, s, s->kind == K_LEVEL ?
				     below(&t->rng, 2) : VIRQ_LINE_EDGE,
				     &t->rng, &st);
		tally(f, ret, "inject");
		break;
	case 3:
		ret = f->ops->ack(f, cpu, &t->rng, &irq, &token);
		if (ret == 1)
			ret = f->ops->eoi(f, cpu, irq, token);
		tally(f, ret < 0 ? -1 : 0, "acknowledge");
		break;
	case 4:
		tally(f, virq_vcpu_lines(f->vfd[cpu]) < 0 ? -1 : 0,
		      "VCPU_GET_OUTPUT");
		break;
	case 5:
		/* GICv3 has words for SPIs only */
		if (f->ops->family == VIRQ_FAMILY_GICV3 &&
		    (s->id < 32 || s->id >= G3_LPI))
			s = f->resample_src;
		tally(f, virq_get_words(f->fd, s->line, 1, &w),
		      "GET_SOURCES");
		break;
	case 6:
		k = below(&t->rng, TEAR_EFDS);
		tally(f, src_irqfd(f, f->irqfd_src, f->tear.efd[k],
				   below(&t->rng, 2)), "IRQFD");
		break;
	case 7:
		tally(f, f->ops->save(f, &step), "save");
		break;
	case 8:
		tally(f, f->ops->route(f, &t->rng), "route");
		break;
	default:
		memset(&cfg, 0, sizeof(cfg));
		tally(f, ioctl(f->fd, VIRQ_GET_CHIP, &cfg), "GET_CHIP");
		tally(f, ioctl(f->vfd[cpu], VIRQ_VCPU_GET_ID, &id),
		      "VCPU_GET_ID");
		break;
	}
}

static void *hammer_thread(void *arg)
{
	struct targ *t = arg;
	struct tear *tr = &t->f->tear;
	long i, after = 0;

	for (i = 0; i < 8 * tr->target; i++) {
		if (atomic_load(&tr->closed) && ++after > 200)
			break;
		hammer_op(t);
		atomic_fetch_add(&tr->ops, 1);
	}
	return NULL;
}

static void wait_ops(struct tear *tr, long n)
{
	while (atomic_load(&tr->ops) < n)
		sched_yield();
}

/* Close the vCPU fds and the instance fd in a random order, spaced out */
static void *closer_thread(void *arg)
{
	struct targ *t = arg;
	struct fam *f = t->f;
	struct tear *tr = &f->tear;
	int order[MAX_VCPUS + 1], i, j, k, n = f->nr_vcpus + 1;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = below(&t->rng, i + 1);
		k = order[i];
		order[i] = order[j];
		order[j] = k;
	}
	wait_ops(tr, tr->target / 2);
	for (i = 0; i < n; i++) {
		close(order[i] ? f->vfd[order[i] - 1] : f->fd);
		wait_ops(tr, tr->target / 2 + (i + 1) * tr->target / 8);
	}
	atomic_store(&tr->closed, 1);
	return NULL;
}

/* Signal the pre-assigned irqfds, poll and acknowledge, until closed */
static void *tear_io_thread(void *arg)
{
	struct targ *t = arg;
	struct fam *f = t->f;
	struct tear *tr = &f->tear;
	struct pollfd p[MAX_VCPUS];
	__u64 token;
	__u32 id;
	int i, ret, after = 0;

	while (!atomic_load(&tr->closed) || ++after < 50) {
		if (!signal_efd(tr->efd[below(&t->rng, TEAR_EFDS)]))
			atomic_fetch_add(&tr->writes, 1);
		for (i = 0; i < f->nr_vcpus; i++)
			p[i] = (struct pollfd){ .fd = f->vfd[i],
						.events = POLLIN };
		if (poll(p, f->nr_vcpus, 1) <= 0)
			continue;
		for (i = 0; i < f->nr_vcpus; i++) {
			if (p[i].revents & POLLNVAL)
				atomic_fetch_add(&tr->pollnval, 1);
			if (!(p[i].revents & POLLIN))
				continue;
			ret = f->ops->ack(f, i, &t->rng, &id, &token);
			if (ret == 1)
				ret = f->ops->eoi(f, i, id, token);
			tally(f, ret < 0 ? -1 : 0, "poll and acknowledge");
		}
	}
	return NULL;
}

/*
 * irqfds assigned before the last phase: an edge one on the irqfd's
 * source, one on a counted edge line, a resampler on a level line.
 */
static int tear_prepare(struct fam *f)
{
	struct tear *tr = &f->tear;
	struct src *edge = NULL;
	int k;

	f->tearing = true;
	tr->target = stress_ops / 4 + 100;
	for (k = 0; k < f->nr_src && !edge; k++)
		if (f->src[k].kind == K_EDGE && f->src[k].via != VIA_MSI)
			edge = &f->src[k];
	for (k = 0; k < TEAR_EFDS; k++)
		tr->efd[k] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	tr->rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!edge || tr->efd[0] < 0 || tr->efd[1] < 0 || tr->efd[2] < 0 ||
	    tr->rfd < 0)
		return -1;
	if (src_irqfd(f, f->irqfd_src, tr->efd[0], false) ||
	    irqfd_op(f->fd, tr->efd[1], edge->line, 0, -1) ||
	    irqfd_op(f->fd, tr->efd[2], f->resample_src->line,
		     VIRQ_IRQFD_FLAG_RESAMPLE, tr->rfd))
		return -1;
	return 0;
}

/* === the test ========================================================== */

FIXTURE(stress) {
	struct fam fam[NR_FAMILIES];
	bool built[NR_FAMILIES];
	int instances;		/* in debugfs before the test, or -1 */
};

FIXTURE_SETUP(stress)
{
	unsigned int i, j;
	int fd;

	VIRQ_OPEN_OR_SKIP(fd);
	for (i = 0; i < NR_FAMILIES; i++) {
		struct fam *f = &self->fam[i];

		self->built[i] = virq_family_built(fd, families[i]->family);
		memset(f, 0, sizeof(*f));
		f->ops = families[i];
		f->fd = -1;
		f->nr_vcpus = NR_VCPUS;
		for (j = 0; j < MAX_VCPUS; j++) {
			f->vfd[j] = -1;
			/* XICS: servers 0x10, 0x20; x86: APIC ids 0, 1 */
			f->arch_id[j] = f->ops->family == VIRQ_FAMILY_XICS ?
					0x10 * (j + 1) : j;
		}
	}
	close(fd);
	self->instances = count_instances();
}

FIXTURE_TEARDOWN(stress)
{
	unsigned int i;

	for (i = 0; i < NR_FAMILIES; i++)
		free(self->fam[i].priv);
}

#define MAX_THREADS	(MAX_VCPUS + NR_INJ + 8)

static void start(struct __test_metadata *_metadata, pthread_t *th, int *n,
		  struct targ *ta, void *(*fn)(void *))
{
	ASSERT_EQ(0, pthread_create(&th[*n], NULL, fn, ta));
	++*n;
}

static void log_family(struct __test_metadata *_metadata, struct fam *f)
{
	static const char *const kinds[] = {
		"edge", "burst", "level", "irqfd", "ipi", "resident",
	};
	long inj[K_NR] = { 0 }, acc[K_NR] = { 0 }, coal[K_NR] = { 0 };
	long msk[K_NR] = { 0 }, del[K_NR] = { 0 }, bursts = 0;
	int k;

	for (k = 0; k < f->nr_src; k++) {
		struct src *s = &f->src[k];

		inj[s->kind] += ld(&s->started);
		acc[s->kind] += ld(&s->accepted);
		coal[s->kind] += ld(&s->coalesced);
		msk[s->kind] += ld(&s->masked);
		del[s->kind] += ld(&s->delivered);
		bursts += s->bursts;
	}
	TH_LOG("%s: injectors %ld+%ld ops (%ld+%ld injections, %ld+%ld waits), vCPUs %ld+%ld acks (%ld+%ld idle), route %ld ops, saver %ld rounds",
	       f->ops->name, f->inj_ops[0], f->inj_ops[1], f->inj_done[0],
	       f->inj_done[1], f->inj_skipped[0], f->inj_skipped[1],
	       f->vcpu_acks[0], f->vcpu_acks[1], f->vcpu_idle[0],
	       f->vcpu_idle[1], f->route_ops, f->saver_rounds);
	for (k = 0; k < K_NR; k++)
		if (inj[k] || del[k])
			TH_LOG("%s %s: injected %ld, status 1: %ld, coalesced %ld, masked %ld; delivered %ld",
			       f->ops->name, kinds[k], inj[k], acc[k],
			       coal[k], msk[k], del[k]);
	TH_LOG("%s: %ld bursts settled; irqfd %ld bursts, %ld signals, %ld deliveries, %ld deassigned, %ld resample rounds",
	       f->ops->name, bursts, f->irqfd_bursts, f->irqfd_signals,
	       f->irqfd_deliveries, f->irqfd_deassigned, f->irqfd_resamples);
}

/* The counts, once everything was drained */
static void check_counts(struct fam *f)
{
	int k;

	for (k = 0; k < f->nr_src; k++) {
		struct src *s = &f->src[k];
		long inj = ld(&s->started), acc = ld(&s->accepted);
		long coal = ld(&s->coalesced), msk = ld(&s->masked);
		long del = ld(&s->delivered);
		bool ok;

		switch (s->kind) {
		case K_EDGE:
			if (f->ops->gated)
				ok = del == inj && acc <= del;
			else
				ok = del == acc && acc + coal + msk == inj;
			break;
		case K_BURST:
			ok = !s->busy && del <= inj && acc <= del;
			break;
		case K_LEVEL:
			ok = del >= acc;
			break;
		case K_RESIDENT:
			/* status MASKED: ESRCH, no vCPU was loaded there */
			ok = del <= inj - msk && acc <= del;
			msk = 0;
			break;
		default:
			ok = del <= inj;
			break;
		}
		if (msk && !f->ops->masks)
			ok = false;
		if (!ok)
			fail(f, "%s %#x (vector/XISR %#x): injected %ld, status 1: %ld, coalesced %ld, masked %ld, delivered %ld",
			     s->how, s->line, s->id, inj, acc, coal, msk, del);
	}
}

TEST_F_TIMEOUT(stress, all_at_once, 7200)
{
	struct targ ta[NR_FAMILIES][MAX_THREADS];
	pthread_t vth[NR_FAMILIES][MAX_VCPUS], th[NR_FAMILIES * MAX_THREADS];
	int nth = 0, i, k, nf = 0;
	unsigned int fi;
	double t0, t1, t2, t3;
	struct fam *f;

	SKIP_IF_SETUP_SKIPPED();
	TH_LOG("seed %#" PRIx64 ", %ld operations per thread",
	       (uint64_t)stress_seed, stress_ops);
	for (fi = 0; fi < NR_FAMILIES; fi++) {
		f = &self->fam[fi];
		if (!self->built[fi]) {
			TH_LOG("%s: not built in, left out", f->ops->name);
			continue;
		}
		nf++;
		ASSERT_EQ(0, f->ops->create(f, &f->fd, f->vfd))
			TH_LOG("%s: create: %s", f->ops->name, strerror(errno));
		ASSERT_EQ(0, f->ops->setup(f))
			TH_LOG("%s: set-up: %s", f->ops->name, strerror(errno));
	}
	if (!nf)
		SKIP(return, "no family built in");

	/* 1. everything at once */
	t0 = now_s();
	for (fi = 0; fi < NR_FAMILIES; fi++) {
		if (!self->built[fi])
			continue;
		f = &self->fam[fi];
		for (i = 0; i < f->nr_vcpus; i++) {
			targ_init(&ta[fi][i], f, fi, R_VCPU, i);
			ASSERT_EQ(0, pthread_create(&vth[fi][i], NULL,
						    vcpu_thread, &ta[fi][i]));
		}
		k = f->nr_vcpus;
		for (i = 0; i < NR_INJ; i++, k++) {
			targ_init(&ta[fi][k], f, fi, R_INJ, i);
			start(_metadata, th, &nth, &ta[fi][k], inject_thread);
		}
		targ_init(&ta[fi][k], f, fi, R_ROUTE, 0);
		start(_metadata, th, &nth, &ta[fi][k++], route_thread);
		targ_init(&ta[fi][k], f, fi, R_IRQFD, 0);
		start(_metadata, th, &nth, &ta[fi][k++], irqfd_thread);
		targ_init(&ta[fi][k], f, fi, R_SAVER, 0);
		start(_metadata, th, &nth, &ta[fi][k++], saver_thread);
	}
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	t1 = now_s();

	/* 2. the final drain: levels low and idle, then the vCPUs stop */
	for (fi = 0; fi < NR_FAMILIES; fi++) {
		struct rng r = { 1 };
		int st;

		if (!self->built[fi])
			continue;
		f = &self->fam[fi];
		for (k = 0; k < f->nr_src; k++) {
			struct src *s = &f->src[k];

			if (s->kind != K_LEVEL)
				continue;
			if (f->ops->inject(f, s, VIRQ_LINE_RESET, &r, &st))
				fail(f, "reset %#x: %s", s->line,
				     strerror(errno));
			if (!wait_for(src_done, f, s))
				fail(f, "level %#x never idle after reset",
				     s->line);
		}
		atomic_store(&f->stop_ipis, 1);
	}
	for (fi = 0; fi < NR_FAMILIES; fi++) {
		if (!self->built[fi])
			continue;
		f = &self->fam[fi];
		atomic_store(&f->stop_vcpus, 1);
		for (i = 0; i < f->nr_vcpus; i++)
			pthread_join(vth[fi][i], NULL);
		f->ops->final_check(f);
		check_counts(f);
		log_family(_metadata, f);
	}
	t2 = now_s();

	/* 3. closing under fire */
	nth = 0;
	for (fi = 0; fi < NR_FAMILIES; fi++) {
		if (!self->built[fi])
			continue;
		f = &self->fam[fi];
		ASSERT_EQ(0, tear_prepare(f))
			TH_LOG("%s: irqfds for the last phase: %s",
			       f->ops->name, strerror(errno));
		for (k = 0; k < 2; k++) {
			targ_init(&ta[fi][k], f, fi, R_HAMMER, k);
			start(_metadata, th, &nth, &ta[fi][k], hammer_thread);
		}
		targ_init(&ta[fi][k], f, fi, R_TEAR, 0);
		start(_metadata, th, &nth, &ta[fi][k++], tear_io_thread);
		targ_init(&ta[fi][k], f, fi, R_TEAR, 1);
		start(_metadata, th, &nth, &ta[fi][k++], closer_thread);
	}
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	for (fi = 0; fi < NR_FAMILIES; fi++) {
		struct tear *tr = &self->fam[fi].tear;

		if (!self->built[fi])
			continue;
		f = &self->fam[fi];
		for (k = 0; k < TEAR_EFDS; k++)
			close(tr->efd[k]);
		close(tr->rfd);
		TH_LOG("%s closing: %ld hammer ops: %ld ok, %ld EBADF, %ld ENODEV, %ld EBUSY/ENOENT/EEXIST/EAGAIN; %ld irqfd signals, %ld POLLNVAL",
		       f->ops->name, ld(&tr->ops), ld(&tr->ok), ld(&tr->ebadf),
		       ld(&tr->enodev), ld(&tr->benign), ld(&tr->writes),
		       ld(&tr->pollnval));
	}
	t3 = now_s();

	/* every instance went away with its last fd */
	if (self->instances >= 0) {
		for (i = 0; i < LIVENESS_S * 10 &&
		     count_instances() != self->instances; i++)
			usleep(100000);
		EXPECT_EQ(self->instances, count_instances());
	}
	TH_LOG("phases: %.1f s all at once, %.1f s drain and checks, %.1f s closing",
	       t1 - t0, t2 - t1, t3 - t2);
	for (fi = 0; fi < NR_FAMILIES; fi++) {
		const char *name = self->fam[fi].ops->name;
		long errors = ld(&self->fam[fi].errors);

		EXPECT_EQ(0, errors)
			TH_LOG("%s: %ld errors (at most %d shown above)", name,
			       errors, MAX_REPORTS);
	}
}

/*
 * TEST_HARNESS_MAIN's main(), renamed, behind one that takes the options
 * (the harness of some kernels parses its own).
 */
#define main stress_harness_main
TEST_HARNESS_MAIN
#undef main

int main(int argc, char **argv)
{
	const char *e;
	int opt;

	stress_seed = (__u64)time(NULL) ^ (__u64)getpid() << 32;
	e = getenv("VIRQ_STRESS_OPS");
	if (e)
		stress_ops = strtol(e, NULL, 0);
	e = getenv("VIRQ_STRESS_SEED");
	if (e)
		stress_seed = strtoull(e, NULL, 0);
	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		switch (opt) {
		case 'n':
			stress_ops = strtol(optarg, NULL, 0);
			break;
		case 's':
			stress_seed = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-n OPS] [-s SEED]\n",
				argv[0]);
			return 2;
		}
	}
	if (stress_ops < 1)
		stress_ops = 1;
	return stress_harness_main(1, argv);
}
