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

enum fd_kind { FD_NONE, FD_INSTANCE, FD_VCPU, FD_EVENTFD };

struct slot {
	_Atomic int fd;
	_Atomic int kind;
};

static struct slot pool[POOL];
static _Atomic long calls_left;
static atomic_long nr_ok, nr_err;
static uint64_t seed;

/* Where the kernel may write: private per thread, never our own state. */
struct thread_ctx {
	uint64_t rng;
	unsigned char *scratch;
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

static int pick_fd(struct thread_ctx *t, int kind)
{
	int i, start = rnd_below(t, POOL);

	for (i = 0; i < POOL; i++) {
		struct slot *s = &pool[(start + i) % POOL];

		if (atomic_load(&s->kind) == kind)
			return atomic_load(&s->fd);
	}
	return -1;
}

static void put_fd(struct thread_ctx *t, int fd, int kind)
{
	struct slot *s = &pool[rnd_below(t, POOL)];
	int old_fd = atomic_exchange(&s->fd, -1);
	int old_kind = atomic_exchange(&s->kind, FD_NONE);

	if (old_kind != FD_NONE && old_fd >= 0)
		close(old_fd);
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

static void fuzz_instance(struct thread_ctx *t, int fd)
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
	unsigned long cmd;
	int ret;

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
		cmd = VIRQ_CREATE_CHIP;
		a.cfg.family = VIRQ_FAMILY_XICS;
		a.cfg.nr_vcpus = 1 + rnd_below(t, 8);
		a.cfg.nr_sources = VIRQ_XICS_ICS_SIZE * (1 + rnd_below(t, 16));
		if (!rnd_below(t, 16)) {
			a.cfg.options = rnd_ptr(t, 64);
			a.cfg.options_size = rnd_val(t, 64);
		}
		break;
	case 3:
		cmd = VIRQ_CREATE_VCPU;
		a.vc.index = rnd_below(t, 9);
		a.vc.arch_id = rnd_val(t, 16);
		break;
	case 4:
		cmd = VIRQ_IRQ_LINE;
		a.line.source = rnd_val(t, 4096);
		a.line.op = rnd_below(t, 4);
		break;
	case 5: {
		struct virq_irq_line *l = (void *)t->scratch;
		uint32_t i, n = 1 + rnd_below(t, 64);

		cmd = VIRQ_IRQ_LINES;
		for (i = 0; i < n; i++) {
			memset(&l[i], 0, sizeof(l[i]));
			l[i].source = rnd_val(t, 4096);
			l[i].op = rnd_below(t, 3);
		}
		a.lines.count = rnd_below(t, 8) ? n : rnd_val(t, 2048);
		a.lines.lines = rnd_below(t, 8) ? (uintptr_t)l : rnd_ptr(t, 16);
		break;
	}
	case 6:
		cmd = VIRQ_SIGNAL_MSI;
		a.msi.data = rnd_val(t, 4096);
		break;
	case 7: {
		int efd = pick_fd(t, FD_EVENTFD);

		cmd = VIRQ_IRQFD;
		a.irqfd.fd = rnd_below(t, 8) ? efd : (int)rnd_val(t, 64);
		a.irqfd.source = rnd_val(t, 4096);
		a.irqfd.flags = rnd_below(t, 16);
		if (a.irqfd.flags & VIRQ_IRQFD_FLAG_RESAMPLE)
			a.irqfd.resamplefd = pick_fd(t, FD_EVENTFD);
		if (a.irqfd.flags & VIRQ_IRQFD_FLAG_MSI) {
			a.irqfd.source = rnd_below(t, 4) ? 0 : a.irqfd.source;
			a.irqfd.msi.data = rnd_val(t, 4096);
			a.irqfd.msi.address_lo = 0xfee00000 | rnd_val(t, 4096);
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
		a.src.first = rnd_val(t, 4096);
		a.src.count = 1 + rnd_below(t, 64);
		a.src.addr = rnd_ptr(t, a.src.count * 8);
		if (cmd == VIRQ_SET_SOURCES && a.src.addr)
			fill_random(t, (void *)(uintptr_t)t->scratch, 512);
		break;
	case 11:
	case 12:
		cmd = rnd_below(t, 3) == 0 ? VIRQ_HAS_ATTR :
		      rnd_below(t, 2) ? VIRQ_GET_ATTR : VIRQ_SET_ATTR;
		a.attr.group = rnd_val(t, 4);
		a.attr.attr = rnd_val(t, 4);
		a.attr.size = rnd_val(t, 64);
		a.attr.addr = rnd_ptr(t, 64);
		break;
	case 13:
		if (rnd_below(t, 8) == 0) {
			/* guest memory: this thread's scratch page or junk */
			cmd = VIRQ_SET_MEMORY_REGION;
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
	if (cmd != VIRQ_CREATE_CHIP || rnd_below(t, 4) == 0)
		mutate(t, &a, 32);

	ret = ioctl(fd, cmd, rnd_below(t, 32) ? (void *)&a :
			    (void *)(uintptr_t)rnd_ptr(t, 256));
	count(ret);
	if (cmd == VIRQ_CREATE_VCPU && ret >= 0)
		put_fd(t, ret, FD_VCPU);
}

static void fuzz_vcpu(struct thread_ctx *t, int fd)
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
	unsigned long cmd;
	int ret;

	memset(&a, 0, sizeof(a));
	switch (rnd_below(t, 8)) {
	case 0:
		cmd = VIRQ_VCPU_GET_OUTPUT;
		break;
	case 1:
		cmd = VIRQ_VCPU_ACK;
		break;
	case 2:
		cmd = VIRQ_VCPU_ACCESS;
		a.acc.space = rnd_below(t, 5);
		a.acc.len = 1 << rnd_below(t, 5);
		a.acc.addr = rnd_val(t, 0x10000);
		a.acc.flags = rnd_below(t, 2);
		break;
	case 3:
	case 4:
		cmd = VIRQ_VCPU_CALL;
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
		a.attr.group = rnd_val(t, 2);
		a.attr.size = rnd_val(t, 8);
		a.attr.addr = rnd_ptr(t, 8);
		fill_random(t, t->scratch, 64);
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
	mutate(t, &a, 32);
	ret = ioctl(fd, cmd, rnd_below(t, 32) ? (void *)&a :
			    (void *)(uintptr_t)rnd_ptr(t, 128));
	count(ret);
}

static void *worker(void *arg)
{
	struct thread_ctx t = { .rng = seed ^ (0x9e3779b97f4a7c15ULL *
					      ((uintptr_t)arg + 1)) };

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

	while (atomic_fetch_sub(&calls_left, 1) > 0) {
		uint32_t what = rnd_below(&t, 100);
		int fd;

		if (what < 4) {
			fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
			if (fd >= 0)
				put_fd(&t, fd, FD_INSTANCE);
		} else if (what < 7) {
			fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			if (fd >= 0)
				put_fd(&t, fd, FD_EVENTFD);
		} else if (what < 9) {
			close_random(&t);
		} else if (what < 14) {
			uint64_t one = 1;

			fd = pick_fd(&t, FD_EVENTFD);
			if (fd >= 0)
				count(write(fd, &one, 8));
		} else if (what < 60) {
			fd = pick_fd(&t, FD_INSTANCE);
			if (fd >= 0)
				fuzz_instance(&t, fd);
		} else {
			fd = pick_fd(&t, FD_VCPU);
			if (fd >= 0)
				fuzz_vcpu(&t, fd);
		}
	}
	munmap(t.scratch, 2 * SCRATCH_SIZE + 4096);
	return NULL;
}

int main(int argc, char **argv)
{
	long calls = 200000;
	int threads = 4, opt, i;
	pthread_t tid[64];

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
			threads = atoi(optarg);
			if (threads < 1 || threads > 64)
				threads = 4;
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-n CALLS] [-t THREADS]\n",
				argv[0]);
			return 2;
		}
	}

	printf("TAP version 13\n1..1\n");
	printf("# ioctl fuzz: seed 0x%016" PRIx64 ", %ld calls, %d threads\n",
	       seed, calls, threads);
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
	for (i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, worker, (void *)(uintptr_t)i);
	for (i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < POOL; i++)
		if (atomic_load(&pool[i].kind) != FD_NONE)
			close(atomic_load(&pool[i].fd));

	printf("# %ld calls succeeded, %ld failed with an errno\n",
	       atomic_load(&nr_ok), atomic_load(&nr_err));
	/* Both must happen, or the fuzzer is not reaching the kernel. */
	if (!atomic_load(&nr_ok) || !atomic_load(&nr_err)) {
		printf("not ok 1 ioctl fuzz seed 0x%016" PRIx64 "\n", seed);
		return 1;
	}
	printf("ok 1 ioctl fuzz seed 0x%016" PRIx64 "\n", seed);
	return 0;
}
