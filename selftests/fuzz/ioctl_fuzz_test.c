// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded, structure-aware ioctl fuzzer for every fd type virq hands out
 * (instance, vCPU, and the eventfds bound through irqfd), run inside the
 * guest.  Several threads share one pool of file descriptors and, at
 * random, open and close instances, create chips and vCPUs, issue every
 * ioctl with mostly-valid arguments mutated one field at a time (and now
 * and then wholly random ones or random command numbers), poll, signal and
 * close eventfds.  The verdict is the kernel's: the guest runner fails the
 * run on any splat in dmesg, and a hang trips its timeout.
 *
 * Chips are XICS, x86 (random, mostly valid struct virq_x86_options) or
 * GICv3 (random struct virq_gicv3_options: LPIs, ITS, bases).  Each pool
 * slot keeps a hint of what its fd is (family, frame bases, counts), so
 * that the arguments fit the family: GICv3 sources (SPI, PRIVATE,
 * RESIDENT), register accesses inside the distributor, redistributor and
 * ITS frames and the ICC_* system registers, LAPIC/IOAPIC MMIO, MSRs and
 * PIC ports, the attribute groups with plausible offsets and sizes (often
 * a GET, a mutation, then a SET), LOAD/PUT, MSIs to the ITS doorbell and
 * GICD_SETSPI_NSR.  Each thread registers its scratch memory as guest
 * memory (at a guest-physical window of its own) and now and then points
 * the ITS and the LPI tables there, writes random commands and rings
 * CWRITER: the ITS reads random commands and tables.  The hints are only
 * hints: another thread may close and reuse the fd meanwhile.
 *
 * Usage: ioctl_fuzz_test [-s SEED] [-n CALLS] [-t THREADS]
 * The seed is printed; the same seed replays the same per-thread streams
 * (thread interleaving is the scheduler's).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/virq.h>

#define POOL		32
#define SCRATCH_SIZE	(1 << 20)
#define MAX_THREADS	64
/* thread n's scratch is guest memory at GPA_BASE + n * GPA_STRIDE */
#define GPA_BASE	0x40000000ULL
#define GPA_STRIDE	0x200000ULL
/* where a thread's ITS script puts things, from its window's start */
#define G_CMDQ		0x10000ULL
#define G_DEVT		0x20000ULL
#define G_COLT		0x30000ULL
#define G_PROP		0x40000ULL	/* 16 bits of LPIs: 56 KiB */
#define G_PEND(i)	(0x50000ULL + (i) * 0x10000ULL)	/* 8 of them */
#define G_ITT		0xd0000ULL

enum fd_kind { FD_NONE, FD_INSTANCE, FD_VCPU, FD_EVENTFD };

/* What an fd was when last seen: a hint for the arguments, never trusted */
struct hint {
	int family;		/* 0 before VIRQ_CREATE_CHIP */
	uint32_t nr_vcpus;
	uint32_t nr_sources;
	uint32_t flags;		/* GICv3 options flags, x86 nr_irtes */
	uint64_t dist;		/* GICv3 frame bases, resolved */
	uint64_t redist;
	uint64_t its;
};

struct slot {
	_Atomic int fd;
	_Atomic int kind;
	_Atomic int family;
	_Atomic uint32_t nr_vcpus, nr_sources, flags;
	_Atomic uint64_t dist, redist, its;
};

static struct slot pool[POOL];
static _Atomic long calls_left;
static atomic_long nr_ok, nr_err, nr_scripts;
static uint64_t seed;
static int nr_threads = 4;
static unsigned char *scratches[MAX_THREADS];

/*
 * Where the kernel may write: private per thread, never our own state.
 * Any thread's instance may hold it as guest memory, so it is unmapped
 * only after every fd is closed.
 */
struct thread_ctx {
	uint64_t rng;
	unsigned char *scratch;
	int idx;
};

static uint64_t rnd(struct thread_ctx *t)
{
	/* xorshift64* */
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 2685821657736338717ULL;
}

static uint32_t rnd_below(struct thread_ctx *t, uint32_t n)
{
	return n ? rnd(t) % n : 0;
}

/* Mostly small and plausible, sometimes at the edges, sometimes noise. */
static uint64_t rnd_val(struct thread_ctx *t, uint64_t plausible)
{
	switch (rnd_below(t, 8)) {
	case 0:
		return rnd(t);
	case 1:
		return 0;
	case 2:
		return ~0ULL;
	case 3:
		return plausible + rnd_below(t, 3) - 1;
	default:
		return rnd_below(t, plausible ? plausible : 1);
	}
}

/* A user pointer: usually into scratch, sometimes NULL or bogus. */
static uint64_t rnd_ptr(struct thread_ctx *t, size_t len)
{
	switch (rnd_below(t, 16)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return 0xffff800000000000ULL;
	case 3:
		return (uintptr_t)t->scratch + SCRATCH_SIZE - 4;
	default:
		if (len >= SCRATCH_SIZE)
			return (uintptr_t)t->scratch;
		return (uintptr_t)t->scratch +
		       rnd_below(t, SCRATCH_SIZE - len);
	}
}

static void get_hint(struct slot *s, struct hint *h)
{
	h->family = atomic_load(&s->family);
	h->nr_vcpus = atomic_load(&s->nr_vcpus);
	h->nr_sources = atomic_load(&s->nr_sources);
	h->flags = atomic_load(&s->flags);
	h->dist = atomic_load(&s->dist);
	h->redist = atomic_load(&s->redist);
	h->its = atomic_load(&s->its);
}

static void set_hint(struct slot *s, const struct hint *h)
{
	atomic_store(&s->family, h->family);
	atomic_store(&s->nr_vcpus, h->nr_vcpus);
	atomic_store(&s->nr_sources, h->nr_sources);
	atomic_store(&s->flags, h->flags);
	atomic_store(&s->dist, h->dist);
	atomic_store(&s->redist, h->redist);
	atomic_store(&s->its, h->its);
}

static struct slot *pick_slot(struct thread_ctx *t, int kind)
{
	int i, start = rnd_below(t, POOL);

	for (i = 0; i < POOL; i++) {
		struct slot *s = &pool[(start + i) % POOL];

		if (atomic_load(&s->kind) == kind)
			return s;
	}
	return NULL;
}

static int pick_fd(struct thread_ctx *t, int kind)
{
	struct slot *s = pick_slot(t, kind);

	return s ? atomic_load(&s->fd) : -1;
}

static void put_fd(struct thread_ctx *t, int fd, int kind,
		   const struct hint *h)
{
	static const struct hint none;
	struct slot *s = &pool[rnd_below(t, POOL)];
	int old_fd = atomic_exchange(&s->fd, -1);
	int old_kind = atomic_exchange(&s->kind, FD_NONE);

	if (old_kind != FD_NONE && old_fd >= 0)
		close(old_fd);
	set_hint(s, h ? h : &none);
	atomic_store(&s->fd, fd);
	atomic_store(&s->kind, kind);
}

static void close_random(struct thread_ctx *t)
{
	struct slot *s = &pool[rnd_below(t, POOL)];
	int kind = atomic_exchange(&s->kind, FD_NONE);
	int fd = atomic_exchange(&s->fd, -1);

	if (kind != FD_NONE && fd >= 0)
		close(fd);
}

static void fill_random(struct thread_ctx *t, void *p, size_t len)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = rnd(t);
}

/* Flip one field-sized chunk of a valid struct: the structure-aware part. */
static void mutate(struct thread_ctx *t, void *p, size_t len)
{
	unsigned char *b = p;

	switch (rnd_below(t, 6)) {
	case 0:
		b[rnd_below(t, len)] ^= 1 << rnd_below(t, 8);
		break;
	case 1:
		((uint32_t *)p)[rnd_below(t, len / 4)] = rnd_val(t, 64);
		break;
	case 2:
		fill_random(t, p, len);
		break;
	default:
		break;	/* leave it valid */
	}
}

static void count(int ret)
{
	if (ret < 0)
		atomic_fetch_add(&nr_err, 1);
	else
		atomic_fetch_add(&nr_ok, 1);
}

static uint64_t pick(struct thread_ctx *t, const uint64_t *v, size_t n)
{
	return v[rnd_below(t, n)];
}

#define PICK(t, v)	pick(t, v, sizeof(v) / sizeof(v[0]))

/* The guest-physical window of a random thread's scratch */
static uint64_t rnd_gpa(struct thread_ctx *t)
{
	return GPA_BASE + GPA_STRIDE * rnd_below(t, nr_threads);
}

/* --- GICv3 ------------------------------------------------------------- */

static const uint64_t gicv3_icc[] = {
	VIRQ_GICV3_ICC_PMR_EL1, VIRQ_GICV3_ICC_IAR0_EL1,
	VIRQ_GICV3_ICC_EOIR0_EL1, VIRQ_GICV3_ICC_HPPIR0_EL1,
	VIRQ_GICV3_ICC_BPR0_EL1, VIRQ_GICV3_ICC_AP0R_EL1(0),
	VIRQ_GICV3_ICC_AP0R_EL1(1), VIRQ_GICV3_ICC_AP0R_EL1(3),
	VIRQ_GICV3_ICC_AP1R_EL1(0), VIRQ_GICV3_ICC_AP1R_EL1(2),
	VIRQ_GICV3_ICC_DIR_EL1, VIRQ_GICV3_ICC_RPR_EL1,
	VIRQ_GICV3_ICC_SGI1R_EL1, VIRQ_GICV3_ICC_ASGI1R_EL1,
	VIRQ_GICV3_ICC_SGI0R_EL1, VIRQ_GICV3_ICC_IAR1_EL1,
	VIRQ_GICV3_ICC_EOIR1_EL1, VIRQ_GICV3_ICC_HPPIR1_EL1,
	VIRQ_GICV3_ICC_BPR1_EL1, VIRQ_GICV3_ICC_CTLR_EL1,
	VIRQ_GICV3_ICC_SRE_EL1, VIRQ_GICV3_ICC_IGRPEN0_EL1,
	VIRQ_GICV3_ICC_IGRPEN1_EL1,
};

/* GICD: CTLR ... PIDR2; the banked rows get a random row added */
static const uint64_t gicd_regs[] = {
	0x0000, 0x0004, 0x0008, 0x000c, 0x0010, 0x0040, 0x0048, 0x0080,
	0x0100, 0x0180, 0x0200, 0x0280, 0x0300, 0x0380, 0x0400, 0x0c00,
	0x0d00, 0x6000, 0xffe8,
};

/* GICR RD frame, then the SGI frame (0x10000 + ...) */
static const uint64_t gicr_regs[] = {
	0x0000, 0x0004, 0x0008, 0x0014, 0x0040, 0x0048, 0x0070, 0x0078,
	0x00a0, 0x00b0, 0x00c0, 0xffe8, 0x10080, 0x10100, 0x10180, 0x10200,
	0x10280, 0x10300, 0x10380, 0x10400, 0x10c00, 0x10c04, 0x10d00,
};

static const uint64_t gits_regs[] = {
	0x0000, 0x0004, 0x0008, 0x0080, 0x0088, 0x0090, 0x0100, 0x0108,
	0x0110, 0x0138, 0xffe8, VIRQ_GICV3_GITS_TRANSLATER,
};

/* A frame offset: a known register (in a random row), or anything */
static uint64_t gicv3_off(struct thread_ctx *t, const uint64_t *regs,
			  size_t n, uint64_t frame)
{
	uint64_t off;

	if (!rnd_below(t, 8))
		return rnd_below(t, frame) & ~(uint64_t)rnd_below(t, 8);
	off = regs[rnd_below(t, n)];
	if (off == 0x6000)			/* GICD_IROUTER<n> */
		return off + 8 * rnd_below(t, 1024);
	if ((off & 0xffff) >= 0x80 && (off & 0xffff) < 0x400)
		return off + 4 * rnd_below(t, off >= 0x10000 ? 1 : 32);
	if ((off & 0xffff) == 0x400)		/* IPRIORITYR, bytes */
		return off + rnd_below(t, off >= 0x10000 ? 32 : 1024);
	if ((off & 0xffff) == 0xc00 && off < 0x10000)
		return off + 4 * rnd_below(t, 64);
	return off;
}

static uint32_t rnd_width(struct thread_ctx *t)
{
	static const uint64_t w[] = { 4, 4, 4, 8, 8, 1, 2, 3 };

	return PICK(t, w);
}

/* A plausible value for what lives at @off in a GICv3 frame */
static uint64_t gicv3_value(struct thread_ctx *t, uint64_t off)
{
	switch (rnd_below(t, 4)) {
	case 0:
		return rnd(t);
	case 1:
		/* a table or queue address in some thread's window */
		return (1ULL << 63) | ((rnd_gpa(t) +
			(rnd_below(t, SCRATCH_SIZE) & ~0xfffULL)) &
			0xfffffffffffULL) | rnd_below(t, 20);
	case 2:
		return VIRQ_GICV3_FIRST_LPI + rnd_below(t, 1024);
	default:
		return rnd_val(t, 64);
	}
}

/* A source: SPI, PRIVATE or RESIDENT, sometimes junk */
static uint32_t gicv3_source(struct thread_ctx *t, const struct hint *h)
{
	uint32_t nv = h->nr_vcpus ? h->nr_vcpus : 4;
	uint32_t ns = h->nr_sources ? h->nr_sources : 1024;

	switch (rnd_below(t, 8)) {
	case 0:
		return rnd_val(t, 1024);
	case 1:
	case 2:
		return VIRQ_GICV3_SOURCE_PRIVATE(rnd_below(t, nv + 1),
						 rnd_below(t, 33));
	case 3:
		return VIRQ_GICV3_SOURCE_RESIDENT(rnd_below(t, 5),
						  14 + rnd_below(t, 20));
	default:
		return 32 + rnd_below(t, ns - 31);
	}
}

static void gicv3_options(struct thread_ctx *t, struct virq_gicv3_options *o)
{
	static const uint64_t flags[] = {
		0, VIRQ_GICV3_OPT_LPIS, VIRQ_GICV3_OPT_ITS,
		VIRQ_GICV3_OPT_ITS, VIRQ_GICV3_OPT_ITS | VIRQ_GICV3_OPT_LPIS,
	};

	memset(o, 0, sizeof(*o));
	o->flags = rnd_below(t, 16) ? PICK(t, flags) : rnd_val(t, 4);
	if (o->flags)
		o->lpi_bits = rnd_below(t, 2) ? 0 : 13 + rnd_below(t, 9);
	else if (!rnd_below(t, 16))
		o->lpi_bits = rnd_val(t, 21);
	if (!rnd_below(t, 3)) {
		/* random 64 KiB frames below 4 GiB: they may overlap */
		o->dist_base = (uint64_t)rnd_below(t, 0x10000) << 16;
		o->redist_base = (uint64_t)rnd_below(t, 0x10000) << 16;
		if (o->flags & VIRQ_GICV3_OPT_ITS)
			o->its_base = (uint64_t)rnd_below(t, 0x10000) << 16;
		if (!rnd_below(t, 8))
			o->redist_base |= rnd_below(t, 0x10000);
		if (!rnd_below(t, 8))
			o->its_base = rnd(t);
	}
	if (!rnd_below(t, 16))
		o->reserved[rnd_below(t, 4)] = rnd(t);
}

/* The frames the chip will have, for the hint */
static void gicv3_hint(const struct virq_gicv3_options *o, struct hint *h)
{
	h->flags = o->flags;
	h->dist = o->dist_base ? o->dist_base : VIRQ_GICV3_DEFAULT_DIST_BASE;
	h->redist = o->redist_base ? o->redist_base :
		    VIRQ_GICV3_DEFAULT_REDIST_BASE;
	h->its = o->its_base ? o->its_base : VIRQ_GICV3_DEFAULT_ITS_BASE;
}

static void gicv3_access(struct thread_ctx *t, const struct hint *h,
			 struct virq_access *a)
{
	uint32_t nv = h->nr_vcpus ? h->nr_vcpus : 4;
	uint64_t off;

	a->flags = rnd_below(t, 2);
	if (!rnd_below(t, 3)) {
		a->space = VIRQ_SPACE_SYSREG;
		a->addr = rnd_below(t, 16) ? PICK(t, gicv3_icc) :
			  rnd_val(t, 0xffff);
		a->len = rnd_below(t, 16) ? 8 : rnd_width(t);
		a->data = rnd_below(t, 2) ? rnd_val(t, 0x100) : rnd(t);
		return;
	}
	a->space = VIRQ_SPACE_MMIO;
	a->len = rnd_width(t);
	switch (rnd_below(t, 3)) {
	case 0:
		off = gicv3_off(t, gicd_regs, sizeof(gicd_regs) / 8,
				VIRQ_GICV3_DIST_SIZE);
		a->addr = h->dist + off;
		break;
	case 1:
		off = gicv3_off(t, gicr_regs, sizeof(gicr_regs) / 8,
				VIRQ_GICV3_REDIST_SIZE);
		a->addr = h->redist + off +
			  VIRQ_GICV3_REDIST_SIZE * rnd_below(t, nv + 1);
		break;
	default:
		off = gicv3_off(t, gits_regs, sizeof(gits_regs) / 8,
				VIRQ_GICV3_ITS_SIZE);
		a->addr = h->its + off;
		break;
	}
	a->data = gicv3_value(t, off);
}

static int mmio_access(int vfd, uint64_t addr, uint32_t len, bool write,
		       uint64_t *val)
{
	struct virq_access a = {
		.space = VIRQ_SPACE_MMIO, .addr = addr, .len = len,
		.flags = write ? VIRQ_ACCESS_WRITE : 0, .data = *val,
	};
	int ret = ioctl(vfd, VIRQ_VCPU_ACCESS, &a);

	count(ret);
	if (!ret)
		*val = a.data;
	return ret;
}

static int wr(int vfd, uint64_t addr, uint32_t len, uint64_t val)
{
	return mmio_access(vfd, addr, len, true, &val);
}

/* One ITS command: mostly well formed, about this thread's window */
static void its_command(struct thread_ctx *t, uint64_t gpa, uint32_t nv,
			uint64_t *c)
{
	static const uint64_t ops[] = {
		0x01, 0x03, 0x04, 0x05, 0x08, 0x08, 0x09, 0x09, 0x0a, 0x0a,
		0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	};
	uint64_t devid = rnd_below(t, 8) ? rnd_below(t, 8) : rnd(t) >> 32;
	uint64_t ev = rnd_below(t, 8) ? rnd_below(t, 32) : rnd_val(t, 1 << 16);
	uint64_t intid = VIRQ_GICV3_FIRST_LPI + rnd_below(t, 512);

	c[0] = (rnd_below(t, 32) ? PICK(t, ops) : rnd_below(t, 256)) |
	       devid << 32;
	c[1] = ev | intid << 32;
	c[2] = rnd_below(t, 4);			/* ICID */
	c[3] = 0;
	switch (c[0] & 0xff) {
	case 0x08:	/* MAPD: size, ITT, V */
		c[1] = rnd_below(t, 8);
		c[2] = (gpa + G_ITT + 0x100 * rnd_below(t, 64)) |
		       (uint64_t)!!rnd_below(t, 8) << 63;
		break;
	case 0x09:	/* MAPC: RDbase (processor number), ICID, V */
		c[2] |= (uint64_t)rnd_below(t, nv + 1) << 16 |
			(uint64_t)!!rnd_below(t, 8) << 63;
		break;
	case 0x0e:	/* MOVALL */
		c[2] = (uint64_t)rnd_below(t, nv + 1) << 16;
		c[3] = (uint64_t)rnd_below(t, nv + 1) << 16;
		break;
	}
	if (!rnd_below(t, 16))
		c[rnd_below(t, 4)] ^= rnd(t);
}

/*
 * What a guest's ITS driver does, with random turns: this thread's scratch
 * becomes the property, pending, device and collection tables and the
 * command queue (VIRQ_SET_MEMORY_REGION registered it, or not), the
 * redistributors enable LPIs, the ITS is enabled and random commands run.
 */
static void gicv3_its_script(struct thread_ctx *t, int vfd,
			     const struct hint *h)
{
	uint64_t gpa = GPA_BASE + GPA_STRIDE * t->idx, cw = 0, c[4];
	uint32_t nv = h->nr_vcpus ? h->nr_vcpus : 1, i, n;
	unsigned char *m = t->scratch;

	atomic_fetch_add(&nr_scripts, 1);
	if (!rnd_below(t, 4))
		fill_random(t, m + G_PROP, 1024);
	else
		memset(m + G_PROP, rnd_below(t, 2) ? 0xa1 : 0xa0, 8192);
	if (!rnd_below(t, 4))
		fill_random(t, m + G_DEVT, 512);
	for (i = 0; i < nv && i < 8; i++) {
		if (rnd_below(t, 4))
			memset(m + G_PEND(i), 0, 1024);
		else
			fill_random(t, m + G_PEND(i) + 1024, 64);
		wr(vfd, h->redist + i * VIRQ_GICV3_REDIST_SIZE + 0x70, 8,
		   (gpa + G_PROP) | 15);
		wr(vfd, h->redist + i * VIRQ_GICV3_REDIST_SIZE + 0x78, 8,
		   (gpa + G_PEND(i)) | (uint64_t)rnd_below(t, 2) << 62);
		wr(vfd, h->redist + i * VIRQ_GICV3_REDIST_SIZE, 4, 1);
	}
	if (!(h->flags & VIRQ_GICV3_OPT_ITS))
		return;
	wr(vfd, h->its + 0x100, 8, 1ULL << 63 | (gpa + G_DEVT) |
	   (uint64_t)!rnd_below(t, 4) << 62);
	wr(vfd, h->its + 0x108, 8, 1ULL << 63 | (gpa + G_COLT));
	if (!rnd_below(t, 4))
		wr(vfd, h->its + 0x80, 8, 1ULL << 63 | (gpa + G_CMDQ));
	wr(vfd, h->its, 4, 1);
	if (mmio_access(vfd, h->its + 0x88, 8, false, &cw))
		return;
	n = 1 + rnd_below(t, 16);
	for (i = 0; i < n; i++) {
		its_command(t, gpa, nv, c);
		memcpy(m + G_CMDQ + (cw % 4096), c, sizeof(c));
		cw = (cw + 32) % 4096;
	}
	wr(vfd, h->its + 0x88, 8, cw);
	if (!rnd_below(t, 8))
		wr(vfd, h->its, 4, 0);
}

/* --- x86 ---------------------------------------------------------------- */

static void x86_options(struct thread_ctx *t, struct virq_x86_options *o)
{
	uint32_t i, base = 0;

	memset(o, 0, sizeof(*o));
	o->flags = rnd_below(t, 8) ? rnd_below(t, 4) : rnd_val(t, 4);
	o->nr_irtes = rnd_below(t, 2) ? 0 : rnd_below(t, 8) ?
		      1U << rnd_below(t, 17) : rnd_val(t, 65536);
	if (rnd_below(t, 2)) {
		o->nr_ioapics = rnd_below(t, 8) ? 1 + rnd_below(t, 3) :
			       rnd_val(t, VIRQ_X86_MAX_IOAPICS);
		for (i = 0; i < o->nr_ioapics && i < VIRQ_X86_MAX_IOAPICS;
		     i++) {
			struct virq_x86_ioapic_config *c = &o->ioapics[i];

			c->nr_pins = rnd_below(t, 4) ? 24 : rnd_val(t, 240);
			c->id = rnd_below(t, 8) ? i : rnd_below(t, 256);
			c->gsi_base = rnd_below(t, 2) || !i ? 0 :
				      rnd_below(t, 8) ? base : rnd_val(t, 512);
			base += c->nr_pins;
			c->base = rnd_below(t, 2) ? 0 :
				  VIRQ_X86_IOAPIC_DEFAULT_BASE + 0x1000 *
				  rnd_below(t, 8);
			c->source_id = rnd(t);
		}
	}
	if (!rnd_below(t, 16))
		o->padding = rnd(t);
	if (!rnd_below(t, 16))
		o->ioapics[rnd_below(t, 8)].base = rnd(t);
}

static void x86_access(struct thread_ctx *t, struct virq_access *a)
{
	static const uint64_t ports[] = {
		0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x22, 0x61,
	};
	static const uint64_t msrs[] = {
		VIRQ_X86_MSR_APIC_BASE, VIRQ_X86_MSR_TSC_DEADLINE, 0x830,
		0x80b, 0x808, 0x83f, 0x838, 0x839,
	};

	a->flags = rnd_below(t, 2);
	a->data = rnd_below(t, 2) ? rnd_val(t, 0x100) : rnd(t);
	switch (rnd_below(t, 5)) {
	case 0:
	case 1:
		a->space = VIRQ_SPACE_MMIO;
		a->addr = VIRQ_X86_LAPIC_DEFAULT_BASE +
			  (rnd_below(t, 0x40) << 4);
		a->len = rnd_below(t, 8) ? 4 : rnd_width(t);
		break;
	case 2:
		a->space = VIRQ_SPACE_MMIO;
		a->addr = VIRQ_X86_IOAPIC_DEFAULT_BASE +
			  0x1000 * rnd_below(t, 3) + 0x10 * rnd_below(t, 5);
		a->len = rnd_below(t, 8) ? 4 : rnd_width(t);
		if (!(a->addr & 0xff) && rnd_below(t, 2))
			a->data = rnd_below(t, 0x40);	/* IOREGSEL */
		break;
	case 3:
		a->space = VIRQ_SPACE_MSR;
		a->addr = rnd_below(t, 2) ? PICK(t, msrs) :
			  VIRQ_X86_MSR_X2APIC_FIRST + rnd_below(t, 0x100);
		a->len = rnd_below(t, 8) ? 8 : rnd_width(t);
		if (a->addr == VIRQ_X86_MSR_APIC_BASE && rnd_below(t, 2))
			a->data = 0xfee00900 | rnd_below(t, 2) << 10;
		break;
	default:
		a->space = VIRQ_SPACE_PIO;
		a->addr = PICK(t, ports);
		a->len = rnd_below(t, 8) ? 1 : rnd_width(t);
		break;
	}
}

/* --- the families' share of the instance ioctls ------------------------- */

/* A source number for @h's family */
static uint32_t rnd_source(struct thread_ctx *t, const struct hint *h)
{
	switch (h->family) {
	case VIRQ_FAMILY_GICV3:
		return gicv3_source(t, h);
	case VIRQ_FAMILY_X86:
		return rnd_below(t, 8) ? rnd_below(t, h->nr_sources + 2) :
			rnd_val(t, 4096);
	default:
		return rnd_val(t, 4096);
	}
}

/* An MSI for @h's family: address, data, devid and flags */
static void rnd_msi(struct thread_ctx *t, const struct hint *h,
		    uint64_t *addr, uint32_t *data, uint32_t *devid,
		    bool *has_devid)
{
	*has_devid = false;
	*devid = 0;
	*data = rnd_val(t, 4096);
	switch (h->family) {
	case VIRQ_FAMILY_GICV3:
		*has_devid = rnd_below(t, 8);
		*devid = rnd_below(t, 8) ? rnd_below(t, 8) : rnd(t);
		if (rnd_below(t, 3)) {
			*addr = h->its + VIRQ_GICV3_GITS_TRANSLATER;
			*data = rnd_below(t, 8) ? rnd_below(t, 32) :
				rnd_val(t, 1 << 16);
		} else {
			*addr = h->dist + VIRQ_GICV3_GICD_SETSPI_NSR;
			*data = rnd_below(t, h->nr_sources + 8);
		}
		break;
	case VIRQ_FAMILY_X86:
		*addr = 0xfee00000 | rnd_val(t, 4096);
		*data = rnd_below(t, 2) ? rnd_below(t, 0x10000) : rnd(t);
		break;
	default:
		*addr = rnd_below(t, 4) ? 0 : rnd(t);
		break;
	}
	if (!rnd_below(t, 16))
		*addr = rnd(t);
}

/* VIRQ_{GET,SET,HAS}_ATTR group, attr and size for @h's family */
static void rnd_chip_attr(struct thread_ctx *t, const struct hint *h,
			  struct virq_attr *a)
{
	static const uint64_t x86_sizes[] = {
		sizeof(struct virq_x86_ioapic_state),
		sizeof(struct virq_x86_pic_state), 16, 64 * 16,
		sizeof(struct virq_x86_ir_fault), 4,
	};
	static const uint64_t ctrl[] = {
		VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES,
		VIRQ_GICV3_CTRL_ITS_SAVE_TABLES,
		VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES,
	};

	switch (h->family) {
	case VIRQ_FAMILY_GICV3:
		a->group = 1 + rnd_below(t, 3);
		if (a->group == VIRQ_GICV3_GRP_DIST_REGS)
			a->attr = gicv3_off(t, gicd_regs,
					    sizeof(gicd_regs) / 8,
					    VIRQ_GICV3_DIST_SIZE);
		else if (a->group == VIRQ_GICV3_GRP_ITS_REGS)
			a->attr = gicv3_off(t, gits_regs,
					    sizeof(gits_regs) / 8,
					    VIRQ_GICV3_ITS_SIZE);
		else
			a->attr = PICK(t, ctrl);
		a->size = a->group == VIRQ_GICV3_GRP_CTRL ? 0 :
			  rnd_below(t, 2) ? 4 : 8;
		break;
	case VIRQ_FAMILY_X86:
		a->group = 1 + rnd_below(t, 4);
		a->attr = rnd_below(t, 4) ? rnd_below(t, 2) : rnd_val(t, 64);
		a->size = PICK(t, x86_sizes);
		break;
	default:
		a->group = rnd_val(t, 4);
		a->attr = rnd_val(t, 4);
		a->size = rnd_val(t, 64);
		break;
	}
	if (!rnd_below(t, 16))
		a->size = rnd_val(t, 4096);
}

/* The same for the vCPU attributes */
static void rnd_vcpu_attr(struct thread_ctx *t, const struct hint *h,
			  struct virq_attr *a)
{
	switch (h->family) {
	case VIRQ_FAMILY_GICV3:
		a->group = 1 + rnd_below(t, 3);
		if (a->group == VIRQ_GICV3_VGRP_REDIST_REGS) {
			a->attr = gicv3_off(t, gicr_regs,
					    sizeof(gicr_regs) / 8,
					    VIRQ_GICV3_REDIST_SIZE);
			a->size = rnd_below(t, 2) ? 4 : 8;
		} else if (a->group == VIRQ_GICV3_VGRP_CPU_SYSREGS) {
			a->attr = PICK(t, gicv3_icc);
			a->size = 8;
		} else {
			a->attr = rnd_below(t, 8) ? 0 : rnd_val(t, 4);
			a->size = 32 * 8;
		}
		break;
	case VIRQ_FAMILY_X86:
		a->group = 1 + rnd_below(t, 2);
		a->attr = rnd_below(t, 8) ? 0 : rnd_val(t, 4);
		a->size = a->group == VIRQ_X86_VGRP_LAPIC ?
			  sizeof(struct virq_x86_lapic_state) :
			  sizeof(struct virq_x86_tsc);
		break;
	default:
		a->group = rnd_val(t, 2);
		a->attr = 0;
		a->size = rnd_val(t, 8);
		break;
	}
	if (!rnd_below(t, 16))
		a->size = rnd_val(t, 2048);
}

/*
 * A SET_ATTR whose value is mostly valid: what a GET just returned, one
 * field mutated now and then.  Counts the GET; the caller issues the SET.
 */
static void attr_read_modify(struct thread_ctx *t, int fd, unsigned long get,
			     struct virq_attr *a)
{
	struct virq_attr g = *a;
	unsigned char *buf = t->scratch + SCRATCH_SIZE - 65536;

	g.addr = (uintptr_t)buf;
	g.size = a->size ? a->size : 8;
	count(ioctl(fd, get, &g));
	a->addr = (uintptr_t)buf;
	if (!rnd_below(t, 2) && a->size)
		mutate(t, buf, a->size < 8 ? a->size : 8);
	else if (!rnd_below(t, 4) && a->size >= 4 && a->size <= 65536)
		((uint32_t *)buf)[rnd_below(t, a->size / 4)] = rnd(t);
}

static void create_chip(struct thread_ctx *t, struct slot *sl,
			struct virq_chip_config *cfg)
{
	union {
		struct virq_x86_options x86;
		struct virq_gicv3_options gicv3;
	} o;
	struct hint h = { 0 };

	cfg->nr_vcpus = 1 + rnd_below(t, 8);
	h.nr_vcpus = cfg->nr_vcpus;
	switch (rnd_below(t, 3)) {
	case 0:
		cfg->family = VIRQ_FAMILY_XICS;
		cfg->nr_sources = VIRQ_XICS_ICS_SIZE * (1 + rnd_below(t, 16));
		if (!rnd_below(t, 16)) {
			cfg->options = rnd_ptr(t, 64);
			cfg->options_size = rnd_val(t, 64);
		}
		break;
	case 1:
		cfg->family = VIRQ_FAMILY_X86;
		cfg->nr_sources = rnd_below(t, 8) ? 24 + rnd_below(t, 512) :
				  rnd_val(t, 4096);
		if (rnd_below(t, 4)) {
			x86_options(t, &o.x86);
			cfg->options = (uintptr_t)&o;
			cfg->options_size = rnd_below(t, 8) ?
				sizeof(struct virq_x86_options) :
				rnd_val(t, sizeof(struct virq_x86_options));
			h.flags = o.x86.nr_irtes;
		}
		break;
	default:
		cfg->family = VIRQ_FAMILY_GICV3;
		cfg->nr_sources = rnd_below(t, 8) ?
				  32 * (2 + rnd_below(t, 31)) :
				  rnd_val(t, 1024);
		gicv3_options(t, &o.gicv3);
		if (rnd_below(t, 8)) {
			cfg->options = (uintptr_t)&o;
			cfg->options_size = rnd_below(t, 8) ?
				sizeof(struct virq_gicv3_options) :
				rnd_val(t, sizeof(struct virq_gicv3_options));
		} else {
			memset(&o, 0, sizeof(o.gicv3));
		}
		gicv3_hint(&o.gicv3, &h);
		break;
	}
	h.family = cfg->family;
	h.nr_sources = cfg->nr_sources;
	if (rnd_below(t, 4) == 0)
		mutate(t, cfg, sizeof(*cfg));
	if (!ioctl(atomic_load(&sl->fd), VIRQ_CREATE_CHIP, cfg)) {
		count(0);
		set_hint(sl, &h);
	} else {
		count(-1);
	}
}

static uint64_t rnd_arch_id(struct thread_ctx *t, const struct hint *h,
			    uint32_t index)
{
	switch (h->family) {
	case VIRQ_FAMILY_GICV3:
		if (rnd_below(t, 8))
			return index | (uint64_t)rnd_below(t, 2) << 8;
		return rnd_below(t, 2) ? rnd(t) & VIRQ_GICV3_MPIDR_MASK :
		       rnd(t);
	case VIRQ_FAMILY_X86:
		return rnd_below(t, 8) ? index : rnd_val(t, 256);
	default:
		return rnd_val(t, 16);
	}
}

static void fuzz_instance(struct thread_ctx *t, struct slot *sl)
{
	union {
		struct virq_api api;
		struct virq_family_info fam;
		struct virq_chip_config cfg;
		struct virq_vcpu_create vc;
		struct virq_irq_line line;
		struct virq_irq_lines lines;
		struct virq_msi msi;
		struct virq_irqfd irqfd;
		struct virq_routing routing;
		struct virq_route_update update;
		struct virq_sources src;
		struct virq_attr attr;
		struct virq_call call;
		struct virq_memory_region mem;
		unsigned char raw[256];
	} a;
	int fd = atomic_load(&sl->fd);
	unsigned long cmd;
	struct hint h;
	uint64_t addr;
	bool devid;
	int ret;

	get_hint(sl, &h);
	memset(&a, 0, sizeof(a));
	switch (rnd_below(t, 16)) {
	case 0:
		cmd = VIRQ_GET_API;
		break;
	case 1:
		cmd = VIRQ_GET_FAMILY;
		a.fam.family = rnd_below(t, 5);
		break;
	case 2:
		create_chip(t, sl, &a.cfg);
		return;
	case 3:
		cmd = VIRQ_CREATE_VCPU;
		a.vc.index = rnd_below(t, (h.nr_vcpus ? h.nr_vcpus : 8) + 1);
		a.vc.arch_id = rnd_arch_id(t, &h, a.vc.index);
		break;
	case 4:
		cmd = VIRQ_IRQ_LINE;
		a.line.source = rnd_source(t, &h);
		a.line.op = rnd_below(t, 4);
		break;
	case 5: {
		struct virq_irq_line *l = (void *)t->scratch;
		uint32_t i, n = 1 + rnd_below(t, 64);

		cmd = VIRQ_IRQ_LINES;
		for (i = 0; i < n; i++) {
			memset(&l[i], 0, sizeof(l[i]));
			l[i].source = rnd_source(t, &h);
			l[i].op = rnd_below(t, 3);
		}
		a.lines.count = rnd_below(t, 8) ? n : rnd_val(t, 2048);
		a.lines.lines = rnd_below(t, 8) ? (uintptr_t)l : rnd_ptr(t, 16);
		break;
	}
	case 6:
		cmd = VIRQ_SIGNAL_MSI;
		rnd_msi(t, &h, &addr, &a.msi.data, &a.msi.devid, &devid);
		a.msi.address_lo = addr;
		a.msi.address_hi = addr >> 32;
		a.msi.flags = devid ? VIRQ_MSI_FLAG_DEVID : 0;
		break;
	case 7: {
		int efd = pick_fd(t, FD_EVENTFD);

		cmd = VIRQ_IRQFD;
		a.irqfd.fd = rnd_below(t, 8) ? efd : (int)rnd_val(t, 64);
		a.irqfd.source = rnd_source(t, &h);
		a.irqfd.flags = rnd_below(t, 16);
		if (a.irqfd.flags & VIRQ_IRQFD_FLAG_RESAMPLE)
			a.irqfd.resamplefd = pick_fd(t, FD_EVENTFD);
		if (a.irqfd.flags & VIRQ_IRQFD_FLAG_MSI) {
			a.irqfd.source = rnd_below(t, 4) ? 0 : a.irqfd.source;
			rnd_msi(t, &h, &addr, &a.irqfd.msi.data,
				&a.irqfd.msi.devid, &devid);
			a.irqfd.msi.address_lo = addr;
			a.irqfd.msi.address_hi = addr >> 32;
			if (devid && rnd_below(t, 4))
				a.irqfd.flags |= VIRQ_IRQFD_FLAG_MSI_DEVID;
			if (!(a.irqfd.flags & VIRQ_IRQFD_FLAG_MSI_DEVID) &&
			    rnd_below(t, 4))
				a.irqfd.msi.devid = 0;
		}
		break;
	}
	case 8:
		switch (rnd_below(t, 3)) {
		case 0:
			cmd = VIRQ_SET_GSI_ROUTING;
			break;
		case 1:
			cmd = VIRQ_GET_GSI_ROUTING;
			break;
		default:
			cmd = VIRQ_UPDATE_GSI_ROUTE;
			a.update.op = rnd_val(t, 5);
			a.update.route.gsi = rnd_val(t, 64);
			a.update.route.type = rnd_val(t, 3);
			a.update.route.u.irqchip.irqchip = rnd_val(t, 4);
			a.update.route.u.irqchip.pin = rnd_val(t, 24);
			break;
		}
		if (cmd != VIRQ_UPDATE_GSI_ROUTE) {
			a.routing.nr = rnd_val(t, 4);
			a.routing.entries = rnd_ptr(t, 64);
		}
		break;
	case 9:
	case 10:
		cmd = rnd_below(t, 2) ? VIRQ_GET_SOURCES : VIRQ_SET_SOURCES;
		a.src.first = h.family == VIRQ_FAMILY_GICV3 && rnd_below(t, 2) ?
			      32 + rnd_below(t, h.nr_sources) :
			      rnd_val(t, 4096);
		a.src.count = 1 + rnd_below(t, 64);
		a.src.addr = rnd_ptr(t, a.src.count * 8);
		if (cmd == VIRQ_SET_SOURCES && a.src.addr && rnd_below(t, 2)) {
			/* mostly valid words: read, flip a little, write */
			struct virq_sources g = a.src;

			g.addr = (uintptr_t)t->scratch;
			count(ioctl(fd, VIRQ_GET_SOURCES, &g));
			a.src.addr = g.addr;
			mutate(t, t->scratch, 8 * a.src.count);
		} else if (cmd == VIRQ_SET_SOURCES && a.src.addr) {
			fill_random(t, (void *)(uintptr_t)t->scratch, 512);
		}
		break;
	case 11:
	case 12:
		cmd = rnd_below(t, 3) == 0 ? VIRQ_HAS_ATTR :
		      rnd_below(t, 2) ? VIRQ_GET_ATTR : VIRQ_SET_ATTR;
		rnd_chip_attr(t, &h, &a.attr);
		a.attr.addr = rnd_ptr(t, 64);
		if (cmd == VIRQ_SET_ATTR && rnd_below(t, 2))
			attr_read_modify(t, fd, VIRQ_GET_ATTR, &a.attr);
		break;
	case 13:
		if (rnd_below(t, 8) == 0) {
			cmd = VIRQ_SET_MEMORY_REGION;
			if (rnd_below(t, 2)) {
				/* this thread's scratch at its window */
				a.mem.slot = rnd_below(t, 8) ?
					     (uint32_t)t->idx :
					     rnd_val(t, VIRQ_MEMORY_SLOTS);
				a.mem.guest_phys_addr = GPA_BASE +
					GPA_STRIDE * t->idx;
				a.mem.memory_size = rnd_below(t, 8) ?
					SCRATCH_SIZE : 0;
				a.mem.userspace_addr = (uintptr_t)t->scratch;
				break;
			}
			/* guest memory: this thread's scratch page or junk */
			a.mem.slot = rnd_val(t, VIRQ_MEMORY_SLOTS + 1);
			a.mem.guest_phys_addr = rnd_val(t, 16) << 12;
			a.mem.memory_size = rnd_below(t, 3) << 12;
			a.mem.userspace_addr = rnd_below(t, 4) ?
				((uintptr_t)t->scratch & ~4095UL) :
				rnd_ptr(t, 4096);
			break;
		}
		if (rnd_below(t, 4) == 0) {
			cmd = VIRQ_GET_CHIP;
			a.cfg.flags = rnd_below(t, 8) ? 0 : rnd_val(t, 4);
			a.cfg.options_size = rnd_val(t, 512);
			a.cfg.options = rnd_ptr(t, 512);
			break;
		}
		cmd = VIRQ_CHIP_CALL;
		a.call.nr = rnd_val(t, 8);
		a.call.args[0] = rnd_val(t, 4096);
		a.call.args[1] = rnd_val(t, 8);
		a.call.args[2] = rnd_val(t, 256);
		break;
	case 14:
		cmd = _IOC(rnd_below(t, 4), VIRQIO, rnd_below(t, 0x50),
			   rnd_below(t, 256));
		fill_random(t, &a, sizeof(a));
		break;
	default:
		cmd = rnd(t);
		break;
	}
	if (rnd_below(t, 2))
		mutate(t, &a, 32);

	ret = ioctl(fd, cmd, rnd_below(t, 32) ? (void *)&a :
			    (void *)(uintptr_t)rnd_ptr(t, 256));
	count(ret);
	if (cmd == VIRQ_CREATE_VCPU && ret >= 0)
		put_fd(t, ret, FD_VCPU, &h);
}

static void fuzz_vcpu(struct thread_ctx *t, struct slot *sl)
{
	union {
		struct virq_vcpu_output out;
		struct virq_ack ack;
		struct virq_access acc;
		struct virq_call call;
		struct virq_attr attr;
		unsigned char raw[128];
	} a;
	static const uint32_t hcalls[] = {
		VIRQ_XICS_H_EOI, VIRQ_XICS_H_CPPR, VIRQ_XICS_H_IPI,
		VIRQ_XICS_H_IPOLL, VIRQ_XICS_H_XIRR, VIRQ_XICS_H_XIRR_X,
	};
	int fd = atomic_load(&sl->fd);
	unsigned long cmd;
	struct hint h;
	int ret;

	get_hint(sl, &h);
	memset(&a, 0, sizeof(a));
	switch (rnd_below(t, 8)) {
	case 0:
		if (h.family == VIRQ_FAMILY_GICV3 && h.flags &&
		    !rnd_below(t, 8)) {
			gicv3_its_script(t, fd, &h);
			return;
		}
		cmd = VIRQ_VCPU_GET_OUTPUT;
		break;
	case 1:
		cmd = VIRQ_VCPU_ACK;
		if (!rnd_below(t, 4))
			a.ack.event = 1U << rnd_below(t, 7);
		break;
	case 2:
		cmd = VIRQ_VCPU_ACCESS;
		if (h.family == VIRQ_FAMILY_GICV3 && rnd_below(t, 8)) {
			gicv3_access(t, &h, &a.acc);
		} else if (h.family == VIRQ_FAMILY_X86 && rnd_below(t, 8)) {
			x86_access(t, &a.acc);
		} else {
			a.acc.space = rnd_below(t, 5);
			a.acc.len = 1 << rnd_below(t, 5);
			a.acc.addr = rnd_val(t, 0x10000);
			a.acc.flags = rnd_below(t, 2);
		}
		break;
	case 3:
	case 4:
		cmd = VIRQ_VCPU_CALL;
		if (h.family == VIRQ_FAMILY_GICV3 && rnd_below(t, 8)) {
			a.call.nr = rnd_below(t, 2) ? VIRQ_GICV3_CALL_LOAD :
						      VIRQ_GICV3_CALL_PUT;
			a.call.args[0] = rnd_below(t, 8) ? rnd_below(t, 5) :
					 rnd_val(t, 0x10000);
			break;
		}
		a.call.nr = rnd_below(t, 8) ? hcalls[rnd_below(t, 6)] :
					      rnd_val(t, 0x400);
		a.call.args[0] = rnd_val(t, 0x100000);
		a.call.args[1] = rnd_val(t, 256);
		break;
	case 5:
		if (rnd_below(t, 8) == 0) {
			cmd = VIRQ_VCPU_GET_ID;
			break;
		}
		cmd = rnd_below(t, 3) == 0 ? VIRQ_VCPU_HAS_ATTR :
		      rnd_below(t, 2) ? VIRQ_VCPU_GET_ATTR : VIRQ_VCPU_SET_ATTR;
		rnd_vcpu_attr(t, &h, &a.attr);
		a.attr.addr = rnd_ptr(t, 8);
		fill_random(t, t->scratch, 64);
		if (cmd == VIRQ_VCPU_SET_ATTR && rnd_below(t, 2))
			attr_read_modify(t, fd, VIRQ_VCPU_GET_ATTR, &a.attr);
		break;
	case 6: {
		struct pollfd p = { .fd = fd, .events = POLLIN | POLLPRI };

		count(poll(&p, 1, 0));
		return;
	}
	default:
		cmd = _IOC(rnd_below(t, 4), VIRQIO, 0x40 + rnd_below(t, 16),
			   rnd_below(t, 256));
		break;
	}
	if (rnd_below(t, 2))
		mutate(t, &a, 32);
	ret = ioctl(fd, cmd, rnd_below(t, 32) ? (void *)&a :
			    (void *)(uintptr_t)rnd_ptr(t, 128));
	count(ret);
}

static void *worker(void *arg)
{
	struct thread_ctx t = {
		.rng = seed ^ (0x9e3779b97f4a7c15ULL * ((uintptr_t)arg + 1)),
		.idx = (uintptr_t)arg,
	};
	struct slot *sl;

	/*
	 * Pointers land in the first SCRATCH_SIZE bytes; the largest write
	 * the kernel may do through one (512 KiB of source words) still ends
	 * inside the mapping, and a guard page follows it.
	 */
	t.scratch = mmap(NULL, 2 * SCRATCH_SIZE + 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t.scratch == MAP_FAILED)
		return NULL;
	mprotect(t.scratch + 2 * SCRATCH_SIZE, 4096, PROT_NONE);
	scratches[t.idx] = t.scratch;

	while (atomic_fetch_sub(&calls_left, 1) > 0) {
		uint32_t what = rnd_below(&t, 100);
		int fd;

		if (what < 4) {
			fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
			if (fd >= 0)
				put_fd(&t, fd, FD_INSTANCE, NULL);
		} else if (what < 7) {
			fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			if (fd >= 0)
				put_fd(&t, fd, FD_EVENTFD, NULL);
		} else if (what < 9) {
			close_random(&t);
		} else if (what < 14) {
			uint64_t one = 1;

			fd = pick_fd(&t, FD_EVENTFD);
			if (fd >= 0)
				count(write(fd, &one, 8));
		} else if (what < 60) {
			sl = pick_slot(&t, FD_INSTANCE);
			if (sl)
				fuzz_instance(&t, sl);
		} else {
			sl = pick_slot(&t, FD_VCPU);
			if (sl)
				fuzz_vcpu(&t, sl);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long calls = 200000;
	pthread_t tid[MAX_THREADS];
	struct timespec t0, t1;
	int opt, i;

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((opt = getopt(argc, argv, "s:n:t:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			calls = atol(optarg);
			break;
		case 't':
			nr_threads = atoi(optarg);
			if (nr_threads < 1 || nr_threads > MAX_THREADS)
				nr_threads = 4;
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-n CALLS] [-t THREADS]\n",
				argv[0]);
			return 2;
		}
	}

	printf("TAP version 13\n1..1\n");
	printf("# ioctl fuzz: seed 0x%016" PRIx64 ", %ld calls, %d threads\n",
	       seed, calls, nr_threads);
	fflush(stdout);
	if (access("/dev/virq", R_OK | W_OK)) {
		printf("ok 1 ioctl fuzz # SKIP /dev/virq: %s\n", strerror(errno));
		return 4;
	}

	for (i = 0; i < POOL; i++) {
		atomic_store(&pool[i].fd, -1);
		atomic_store(&pool[i].kind, FD_NONE);
	}
	atomic_store(&calls_left, calls);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nr_threads; i++)
		pthread_create(&tid[i], NULL, worker, (void *)(uintptr_t)i);
	for (i = 0; i < nr_threads; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < POOL; i++)
		if (atomic_load(&pool[i].kind) != FD_NONE)
			close(atomic_load(&pool[i].fd));
	/* no instance holds a scratch as guest memory any more */
	for (i = 0; i < nr_threads; i++)
		if (scratches[i])
			munmap(scratches[i], 2 * SCRATCH_SIZE + 4096);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	printf("# %ld calls succeeded, %ld failed with an errno; %ld ITS scripts; %.1f s\n",
	       atomic_load(&nr_ok), atomic_load(&nr_err),
	       atomic_load(&nr_scripts), (t1.tv_sec - t0.tv_sec) +
	       (t1.tv_nsec - t0.tv_nsec) / 1e9);
	/* Both must happen, or the fuzzer is not reaching the kernel. */
	if (!atomic_load(&nr_ok) || !atomic_load(&nr_err)) {
		printf("not ok 1 ioctl fuzz seed 0x%016" PRIx64 "\n", seed);
		return 1;
	}
	printf("ok 1 ioctl fuzz seed 0x%016" PRIx64 "\n", seed);
	return 0;
}
