// SPDX-License-Identifier: GPL-2.0
/*
 * In-guest microbenchmark: the cost of each virq injection path as a ratio
 * to a null ioctl on the same fd, in the same run, beside KVM's own
 * KVM_IRQ_LINE / KVM_SIGNAL_MSI / irqfd against a null ioctl on its VM fd
 * (the anchor).  Ratios, not times: the machines are noisy and TCG guests
 * slower still; a ratio from one run compares like with like.
 *
 * A "null ioctl" is an unknown command: the fd's ioctl dispatch and
 * nothing else (-ENOTTY), for virq and KVM alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/virq.h>

#define XICS_SRC	0x20

static long iters = 20000;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

typedef int (*op_fn)(void *ctx, long i);

/* Best of 3 rounds of @iters calls, in ns per call. */
static double measure(op_fn fn, void *ctx)
{
	double best = 0;
	int round;

	for (round = 0; round < 3; round++) {
		double t0 = now_ns(), t;
		long i;

		for (i = 0; i < iters; i++)
			if (fn(ctx, i) < 0 && errno != ENOTTY) {
				perror("bench op");
				exit(1);
			}
		t = (now_ns() - t0) / iters;
		if (!round || t < best)
			best = t;
	}
	return best;
}

struct fdctx {
	int fd;
	int efd;
	int src;
};

static int virq_null(void *c, long i)
{
	return ioctl(((struct fdctx *)c)->fd, _IO(VIRQIO, 0x3f));
}

static int virq_line_pulse(void *c, long i)
{
	struct virq_irq_line l = {
		.source = ((struct fdctx *)c)->src,
		.op = (i & 1) ? VIRQ_LINE_RESET : VIRQ_LINE_SET,
	};

	return ioctl(((struct fdctx *)c)->fd, VIRQ_IRQ_LINE, &l);
}

static int virq_msi(void *c, long i)
{
	struct virq_msi m = { .data = ((struct fdctx *)c)->src + 1 };

	return ioctl(((struct fdctx *)c)->fd, VIRQ_SIGNAL_MSI, &m);
}

#define BATCH 64
static int virq_lines_batch(void *c, long i)
{
	struct virq_irq_line l[BATCH];
	struct virq_irq_lines b = { .count = BATCH, .lines = (uintptr_t)l };
	int k;

	memset(l, 0, sizeof(l));
	for (k = 0; k < BATCH; k++) {
		l[k].source = ((struct fdctx *)c)->src + 2 + k;
		l[k].op = (i & 1) ? VIRQ_LINE_RESET : VIRQ_LINE_SET;
	}
	return ioctl(((struct fdctx *)c)->fd, VIRQ_IRQ_LINES, &b) < 0 ? -1 : 0;
}

static int efd_write(void *c, long i)
{
	uint64_t one = 1;

	return write(((struct fdctx *)c)->efd, &one, 8) == 8 ? 0 : -1;
}

static int kvm_null(void *c, long i)
{
	return ioctl(((struct fdctx *)c)->fd, _IO(KVMIO, 0x3f));
}

static int kvm_line_pulse(void *c, long i)
{
	struct kvm_irq_level l = { .irq = 5, .level = !(i & 1) };

	return ioctl(((struct fdctx *)c)->fd, KVM_IRQ_LINE, &l);
}

static int kvm_msi(void *c, long i)
{
	struct kvm_msi m = { .address_lo = 0xfee00000, .data = 0x40 };

	/* No vCPU to deliver to: KVM returns -1 (errno EPERM), still a call */
	ioctl(((struct fdctx *)c)->fd, KVM_SIGNAL_MSI, &m);
	return 0;
}

static int virq_setup(struct fdctx *v)
{
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_XICS, .nr_vcpus = 1, .nr_sources = 4096,
	};
	struct virq_vcpu_create vc = { .index = 0, .arch_id = 0 };
	struct virq_irqfd irqfd = { 0 };
	int s;

	v->fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	if (v->fd < 0 || ioctl(v->fd, VIRQ_CREATE_CHIP, &cfg) ||
	    ioctl(v->fd, VIRQ_CREATE_VCPU, &vc) < 0)
		return -1;
	v->src = XICS_SRC;
	/* Unmask every source we use, at priority 5, on server 0. */
	for (s = XICS_SRC; s < XICS_SRC + 4 + BATCH; s++) {
		struct virq_call c = {
			.nr = VIRQ_XICS_CALL_SET_XIVE, .args = { s, 0, 5 },
		};

		if (ioctl(v->fd, VIRQ_CHIP_CALL, &c) || c.ret)
			return -1;
	}
	v->efd = eventfd(0, EFD_CLOEXEC);
	irqfd.fd = v->efd;
	irqfd.source = XICS_SRC + 2 + BATCH;
	return ioctl(v->fd, VIRQ_IRQFD, &irqfd);
}

static int kvm_setup(struct fdctx *k)
{
	struct kvm_irqfd irqfd = { 0 };
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kvm < 0)
		return -1;
	k->fd = ioctl(kvm, KVM_CREATE_VM, 0);
	close(kvm);
	if (k->fd < 0 || ioctl(k->fd, KVM_CREATE_IRQCHIP, 0))
		return -1;
	k->efd = eventfd(0, EFD_CLOEXEC);
	irqfd.fd = k->efd;
	irqfd.gsi = 10;
	return ioctl(k->fd, KVM_IRQFD, &irqfd);
}

int main(int argc, char **argv)
{
	struct fdctx v, k;
	double vnull, knull;

	if (argc > 1)
		iters = atol(argv[1]);
	if (virq_setup(&v)) {
		perror("virq setup");
		return 1;
	}
	printf("# virq-bench: %ld calls per case, best of 3; ratio = cost / null ioctl on the same fd\n",
	       iters);
	vnull = measure(virq_null, &v);
	printf("virq  null ioctl          %8.0f ns  1.00\n", vnull);
	{
		double t = measure(virq_line_pulse, &v);

		printf("virq  VIRQ_IRQ_LINE       %8.0f ns  %.2f\n", t, t / vnull);
		t = measure(virq_msi, &v);
		printf("virq  VIRQ_SIGNAL_MSI     %8.0f ns  %.2f\n", t, t / vnull);
		t = measure(virq_lines_batch, &v);
		printf("virq  VIRQ_IRQ_LINES/64   %8.0f ns  %.2f per call, %.3f per line\n",
		       t, t / vnull, t / vnull / BATCH);
		t = measure(efd_write, &v);
		printf("virq  irqfd write         %8.0f ns  %.2f\n", t, t / vnull);
	}

	if (kvm_setup(&k)) {
		printf("# KVM reference unavailable (%s): boot with --kvm-ref\n",
		       strerror(errno));
		return 0;
	}
	knull = measure(kvm_null, &k);
	printf("kvm   null ioctl          %8.0f ns  1.00\n", knull);
	{
		double t = measure(kvm_line_pulse, &k);

		printf("kvm   KVM_IRQ_LINE        %8.0f ns  %.2f\n", t, t / knull);
		t = measure(kvm_msi, &k);
		printf("kvm   KVM_SIGNAL_MSI      %8.0f ns  %.2f\n", t, t / knull);
		t = measure(efd_write, &k);
		printf("kvm   irqfd write         %8.0f ns  %.2f\n", t, t / knull);
	}
	return 0;
}
