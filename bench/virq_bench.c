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
 *
 * Two sections.  XICS: a virq XICS chip beside a KVM VM with an irqchip
 * and no vCPU.  x86: a virq x86 chip with default options (PIC pair, one
 * 24-pin IOAPIC) and 2 vCPUs whose LAPICs are software-enabled, beside a
 * KVM VM with KVM_CREATE_IRQCHIP and 2 vCPUs (never run) whose LAPICs
 * are enabled the same way, the IOAPIC entries and MSIs programmed alike
 * on both; then GSI routing tables of 1K to 128K MSI routes.  See
 * x86_section() for what each figure covers.
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

/* Best of 3 rounds of @n calls, in ns per call. */
static double measure_n(op_fn fn, void *ctx, long n)
{
	double best = 0;
	int round;

	for (round = 0; round < 3; round++) {
		double t0 = now_ns(), t;
		long i;

		for (i = 0; i < n; i++)
			if (fn(ctx, i) < 0 && errno != ENOTTY) {
				perror("bench op");
				exit(1);
			}
		t = (now_ns() - t0) / n;
		if (!round || t < best)
			best = t;
	}
	return best;
}

static double measure(op_fn fn, void *ctx)
{
	return measure_n(fn, ctx, iters);
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

/* --- x86 --------------------------------------------------------------- */

#define X86_VCPUS	2
#define X86_GSIS	131072	/* room for the largest routing table */
#define X86_GSI_EDGE	16	/* GSIs 16..23: IOAPIC pins, no PIC */
#define X86_GSI_IRQFD	17	/* an IOAPIC GSI with an irqfd */
#define X86_GSI_MSI	24	/* an MSI route with an irqfd */
#define X86_VEC(gsi)	(0x30 + (gsi) - X86_GSI_EDGE)
#define X86_VEC_MSI	0x41	/* VIRQ_SIGNAL_MSI, KVM_SIGNAL_MSI */
#define X86_VEC_IRQFD	0x42	/* the MSI route of X86_GSI_MSI */
#define X86_SPURIOUS	0xff	/* SVR vector: INTA with nothing pending */
#define MSI_ADDR(apic)	(0xfee00000U | (apic) << 12)

#define LAPIC_BASE	VIRQ_X86_LAPIC_DEFAULT_BASE
#define IOAPIC_BASE	VIRQ_X86_IOAPIC_DEFAULT_BASE
#define APIC_EOI	0xb0
#define APIC_SVR	0xf0
#define APIC_IRR	0x200

/* Routing tables: sizes, and the largest KVM would take (probed) */
static const unsigned int route_sizes[] = { 1024, 4096, 32768, 131072 };
#define ROUTES_MAX	131072

/**
 * struct x86ctx - one side of the x86 comparison
 * @fd: virq instance fd or KVM VM fd
 * @vfd: vCPU fds
 * @kvm: @fd is a KVM VM
 * @status: virq_irq_line.status of the last injection (virq)
 * @batch: the VIRQ_IRQ_LINES batch
 */
struct x86ctx {
	int fd;
	int vfd[X86_VCPUS];
	int kvm;
	int status;
	struct virq_irq_line batch[BATCH];
};

static int x86_mmio(int vfd, uint64_t addr, int write, uint32_t *val)
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

static int x86_mmio_write(int vfd, uint64_t addr, uint32_t val)
{
	return x86_mmio(vfd, addr, 1, &val);
}

/* IOAPIC entry of @pin: fixed, physical, edge, unmasked, to APIC 0 */
static uint64_t x86_rte(unsigned int pin)
{
	return X86_VEC(pin);
}

/* Is @vec in the IRR of vCPU 0 (delivered and not yet acknowledged)? */
static int x86_in_irr(struct x86ctx *x, unsigned int vec)
{
	uint32_t word;

	if (x->kvm) {
		struct kvm_lapic_state st;

		if (ioctl(x->vfd[0], KVM_GET_LAPIC, &st))
			return 0;
		memcpy(&word, &st.regs[APIC_IRR + vec / 32 * 0x10],
		       sizeof(word));
	} else if (x86_mmio(x->vfd[0], LAPIC_BASE + APIC_IRR +
			    vec / 32 * 0x10, 0, &word)) {
		return 0;
	}
	return !!(word & 1U << vec % 32);
}

/* Acknowledge and end everything pending on vCPU 0 (virq) */
static int x86_drain(struct x86ctx *x)
{
	struct virq_ack ack = { 0 };
	int n;

	for (n = 0; n < 256; n++) {
		if (ioctl(x->vfd[0], VIRQ_VCPU_ACK, &ack))
			return -1;
		if (ack.id == X86_SPURIOUS)
			return 0;
		if (x86_mmio_write(x->vfd[0], LAPIC_BASE + APIC_EOI, 0))
			return -1;
	}
	return -1;
}

static int x86_virq_setup(struct x86ctx *x, struct fdctx *irqfd_msi,
			  struct fdctx *irqfd_pin)
{
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_X86, .nr_vcpus = X86_VCPUS,
		.nr_sources = X86_GSIS,
	};
	struct virq_route_update u = {
		.op = VIRQ_ROUTE_OP_ADD,
		.route = {
			.gsi = X86_GSI_MSI, .type = VIRQ_ROUTE_MSI,
			.u.msi = { MSI_ADDR(0), 0, X86_VEC_IRQFD },
		},
	};
	struct virq_irqfd irqfd = { 0 };
	unsigned int i, pin;

	memset(x, 0, sizeof(*x));
	x->fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	if (x->fd < 0 || ioctl(x->fd, VIRQ_CREATE_CHIP, &cfg))
		return -1;
	for (i = 0; i < X86_VCPUS; i++) {
		struct virq_vcpu_create vc = { .index = i, .arch_id = i };

		x->vfd[i] = ioctl(x->fd, VIRQ_CREATE_VCPU, &vc);
		if (x->vfd[i] < 0 ||
		    x86_mmio_write(x->vfd[i], LAPIC_BASE + APIC_SVR,
				   0x100 | X86_SPURIOUS))
			return -1;
	}
	/* IOREGSEL/IOWIN: the low then the high word of each entry */
	for (pin = X86_GSI_EDGE; pin < X86_GSI_EDGE + 8; pin++) {
		if (x86_mmio_write(x->vfd[0], IOAPIC_BASE, 0x10 + 2 * pin) ||
		    x86_mmio_write(x->vfd[0], IOAPIC_BASE + 0x10,
				   (uint32_t)x86_rte(pin)) ||
		    x86_mmio_write(x->vfd[0], IOAPIC_BASE, 0x11 + 2 * pin) ||
		    x86_mmio_write(x->vfd[0], IOAPIC_BASE + 0x10,
				   x86_rte(pin) >> 32))
			return -1;
	}
	if (ioctl(x->fd, VIRQ_UPDATE_GSI_ROUTE, &u))
		return -1;
	irqfd_msi->efd = eventfd(0, EFD_CLOEXEC);
	irqfd_pin->efd = eventfd(0, EFD_CLOEXEC);
	irqfd.fd = irqfd_msi->efd;
	irqfd.source = X86_GSI_MSI;
	if (ioctl(x->fd, VIRQ_IRQFD, &irqfd))
		return -1;
	irqfd.fd = irqfd_pin->efd;
	irqfd.source = X86_GSI_IRQFD;
	if (ioctl(x->fd, VIRQ_IRQFD, &irqfd))
		return -1;
	/* 64 edges, 8 on each of GSI 16..23 */
	for (i = 0; i < BATCH; i++) {
		x->batch[i].source = X86_GSI_EDGE + i % 8;
		x->batch[i].op = VIRQ_LINE_EDGE;
	}
	return 0;
}

static struct kvm_irq_routing *kvm_routing_alloc(unsigned int nr)
{
	struct kvm_irq_routing *r;

	r = calloc(1, sizeof(*r) + nr * sizeof(r->entries[0]));
	if (r)
		r->nr = nr;
	return r;
}

/* The KVM side: what x86_virq_setup() does, through KVM's ioctls */
static int x86_kvm_setup(struct x86ctx *k, struct fdctx *irqfd_msi,
			 struct fdctx *irqfd_pin)
{
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };
	struct kvm_irqfd irqfd = { 0 };
	struct kvm_irq_routing *r;
	struct kvm_lapic_state st;
	unsigned int i, pin;
	uint32_t svr = 0x100 | X86_SPURIOUS;
	int kvm, ret;

	memset(k, 0, sizeof(*k));
	k->kvm = 1;
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return -1;
	k->fd = ioctl(kvm, KVM_CREATE_VM, 0);
	close(kvm);
	if (k->fd < 0 || ioctl(k->fd, KVM_CREATE_IRQCHIP, 0))
		return -1;
	for (i = 0; i < X86_VCPUS; i++) {
		k->vfd[i] = ioctl(k->fd, KVM_CREATE_VCPU, i);
		if (k->vfd[i] < 0 || ioctl(k->vfd[i], KVM_GET_LAPIC, &st))
			return -1;
		memcpy(&st.regs[APIC_SVR], &svr, sizeof(svr));
		if (ioctl(k->vfd[i], KVM_SET_LAPIC, &st))
			return -1;
	}
	if (ioctl(k->fd, KVM_GET_IRQCHIP, &chip))
		return -1;
	for (pin = X86_GSI_EDGE; pin < X86_GSI_EDGE + 8; pin++)
		chip.chip.ioapic.redirtbl[pin].bits = x86_rte(pin);
	if (ioctl(k->fd, KVM_SET_IRQCHIP, &chip))
		return -1;

	/* KVM's table is set whole: IOAPIC pins 0..23 and the MSI route */
	r = kvm_routing_alloc(X86_GSI_MSI + 1);
	if (!r)
		return -1;
	for (i = 0; i < X86_GSI_MSI; i++) {
		r->entries[i].gsi = i;
		r->entries[i].type = KVM_IRQ_ROUTING_IRQCHIP;
		r->entries[i].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		r->entries[i].u.irqchip.pin = i;
	}
	r->entries[i].gsi = X86_GSI_MSI;
	r->entries[i].type = KVM_IRQ_ROUTING_MSI;
	r->entries[i].u.msi.address_lo = MSI_ADDR(0);
	r->entries[i].u.msi.data = X86_VEC_IRQFD;
	ret = ioctl(k->fd, KVM_SET_GSI_ROUTING, r);
	free(r);
	if (ret)
		return -1;

	irqfd_msi->efd = eventfd(0, EFD_CLOEXEC);
	irqfd_pin->efd = eventfd(0, EFD_CLOEXEC);
	irqfd.fd = irqfd_msi->efd;
	irqfd.gsi = X86_GSI_MSI;
	if (ioctl(k->fd, KVM_IRQFD, &irqfd))
		return -1;
	irqfd.fd = irqfd_pin->efd;
	irqfd.gsi = X86_GSI_IRQFD;
	return ioctl(k->fd, KVM_IRQFD, &irqfd);
}

static int x86_null(void *c, long i)
{
	struct x86ctx *x = c;

	return ioctl(x->fd, x->kvm ? _IO(KVMIO, 0x3f) : _IO(VIRQIO, 0x3f));
}

static int x86_line(struct x86ctx *x, unsigned int gsi, unsigned int op)
{
	struct virq_irq_line l = { .source = gsi, .op = op };
	int ret = ioctl(x->fd, VIRQ_IRQ_LINE, &l);

	x->status = l.status;
	return ret;
}

static int x86_line_edge(void *c, long i)
{
	return x86_line(c, X86_GSI_EDGE, VIRQ_LINE_EDGE);
}

/* As KVM must drive an edge: high, low, high, ... (an edge every 2 calls) */
static int x86_line_set_reset(void *c, long i)
{
	return x86_line(c, X86_GSI_EDGE,
			(i & 1) ? VIRQ_LINE_RESET : VIRQ_LINE_SET);
}

static int kvm_x86_line(void *c, long i)
{
	struct x86ctx *k = c;
	struct kvm_irq_level l = { .irq = X86_GSI_EDGE, .level = !(i & 1) };
	int ret = ioctl(k->fd, KVM_IRQ_LINE_STATUS, &l);

	k->status = l.status;
	return ret;
}

static int x86_msi(void *c, long i)
{
	struct x86ctx *x = c;
	struct virq_msi m = { .address_lo = MSI_ADDR(0), .data = X86_VEC_MSI };
	int ret = ioctl(x->fd, VIRQ_SIGNAL_MSI, &m);

	x->status = m.status;
	return ret;
}

static int kvm_x86_msi(void *c, long i)
{
	struct x86ctx *k = c;
	struct kvm_msi m = { .address_lo = MSI_ADDR(0), .data = X86_VEC_MSI };
	int ret = ioctl(k->fd, KVM_SIGNAL_MSI, &m);

	k->status = ret;
	return ret;
}

static int x86_lines(void *c, long i)
{
	struct x86ctx *x = c;
	struct virq_irq_lines b = {
		.count = BATCH, .lines = (uintptr_t)x->batch,
	};
	int ret = ioctl(x->fd, VIRQ_IRQ_LINES, &b);

	if (ret >= 0 && ret != BATCH) {
		errno = EPROTO;
		return -1;
	}
	return ret < 0 ? -1 : 0;
}

/* A delivered edge: inject, INTA on vCPU 0 (must be its vector), EOI */
static int x86_round(void *c, long i)
{
	struct x86ctx *x = c;
	struct virq_ack ack = { 0 };

	if (x86_line(x, X86_GSI_EDGE, VIRQ_LINE_EDGE) ||
	    ioctl(x->vfd[0], VIRQ_VCPU_ACK, &ack))
		return -1;
	if (ack.id != X86_VEC(X86_GSI_EDGE)) {
		errno = EPROTO;
		return -1;
	}
	return x86_mmio_write(x->vfd[0], LAPIC_BASE + APIC_EOI, 0);
}

static void x86_row(const char *who, const char *what, double t,
		    double null, const char *note)
{
	printf("%-5s %-30s %8.0f ns  %6.2f%s\n", who, what, t, t / null,
	       note);
}

/* The row, and whether @vec reached vCPU 0's IRR */
static void x86_row_irr(const char *who, const char *what, double t,
			double null, struct x86ctx *x, unsigned int vec)
{
	char note[96];

	snprintf(note, sizeof(note), "  (vector 0x%x %s, last status %d)",
		 vec, x86_in_irr(x, vec) ? "in IRR" : "NOT DELIVERED",
		 x->status);
	x86_row(who, what, t, null, note);
}

static void x86_inject_virq(struct x86ctx *x, struct fdctx *irqfd_msi,
			    struct fdctx *irqfd_pin)
{
	double null = measure(x86_null, x), t;

	x86_row("x86", "null ioctl", null, null, "");
	t = measure(x86_line_edge, x);
	x86_row_irr("x86", "VIRQ_IRQ_LINE edge GSI 16", t, null, x,
		    X86_VEC(X86_GSI_EDGE));
	t = measure(x86_line_set_reset, x);
	x86_row_irr("x86", "VIRQ_IRQ_LINE 1/0 GSI 16", t, null, x,
		    X86_VEC(X86_GSI_EDGE));
	t = measure(x86_msi, x);
	x86_row_irr("x86", "VIRQ_SIGNAL_MSI", t, null, x, X86_VEC_MSI);
	t = measure(efd_write, irqfd_msi);
	x86_row_irr("x86", "irqfd write, MSI GSI 24", t, null, x,
		    X86_VEC_IRQFD);
	t = measure(efd_write, irqfd_pin);
	x86_row_irr("x86", "irqfd write, IOAPIC GSI 17", t, null, x,
		    X86_VEC(X86_GSI_IRQFD));
	t = measure(x86_lines, x);
	printf("x86   %-30s %8.0f ns  %6.2f per call, %.3f per line\n",
	       "VIRQ_IRQ_LINES/64 edges", t, t / null, t / null / BATCH);
	if (x86_drain(x)) {
		perror("x86 drain");
		exit(1);
	}
	t = measure(x86_round, x);
	x86_row("x86", "edge+INTA+EOI (3 ioctls)", t, null,
		"  (each INTA returned the vector)");
}

static void x86_inject_kvm(struct x86ctx *k, struct fdctx *irqfd_msi,
			   struct fdctx *irqfd_pin)
{
	double null = measure(x86_null, k), t;

	x86_row("kvm", "null ioctl", null, null, "");
	t = measure(kvm_x86_line, k);
	x86_row_irr("kvm", "KVM_IRQ_LINE_STATUS 1/0 GSI16", t, null, k,
		    X86_VEC(X86_GSI_EDGE));
	t = measure(kvm_x86_msi, k);
	x86_row_irr("kvm", "KVM_SIGNAL_MSI", t, null, k, X86_VEC_MSI);
	t = measure(efd_write, irqfd_msi);
	x86_row_irr("kvm", "irqfd write, MSI GSI 24", t, null, k,
		    X86_VEC_IRQFD);
	t = measure(efd_write, irqfd_pin);
	x86_row_irr("kvm", "irqfd write, IOAPIC GSI 17", t, null, k,
		    X86_VEC(X86_GSI_IRQFD));
	printf("#     (KVM injects an IOAPIC irqfd from a work item: that row excludes the delivery)\n");
}

/* --- GSI routing --------------------------------------------------------- */

/**
 * struct routectx - a routing table of @nr MSI routes on GSIs 0..@nr-1
 * @fd: virq instance or KVM VM
 * @nr: entries
 * @virq: the table for VIRQ_SET_GSI_ROUTING
 * @kvm: the same table for KVM_SET_GSI_ROUTING
 */
struct routectx {
	int fd;
	unsigned int nr;
	struct virq_route *virq;
	struct kvm_irq_routing *kvm;
};

static void route_msi(unsigned int gsi, unsigned int salt, uint32_t *addr,
		      uint32_t *data)
{
	*addr = MSI_ADDR(gsi & 1);
	*data = 0x40 + ((gsi + salt) & 0x7f);
}

static int routes_build(struct routectx *r, unsigned int nr)
{
	unsigned int i;

	r->nr = nr;
	r->virq = calloc(nr, sizeof(*r->virq));
	r->kvm = kvm_routing_alloc(nr);
	if (!r->virq || !r->kvm)
		return -1;
	for (i = 0; i < nr; i++) {
		r->virq[i].gsi = i;
		r->virq[i].type = VIRQ_ROUTE_MSI;
		route_msi(i, 0, &r->virq[i].u.msi.address_lo,
			  &r->virq[i].u.msi.data);
		r->kvm->entries[i].gsi = i;
		r->kvm->entries[i].type = KVM_IRQ_ROUTING_MSI;
		route_msi(i, 0, &r->kvm->entries[i].u.msi.address_lo,
			  &r->kvm->entries[i].u.msi.data);
	}
	return 0;
}

static int virq_routes_set(void *c, long i)
{
	struct routectx *r = c;
	struct virq_routing rt = {
		.nr = r->nr, .entries = (uintptr_t)r->virq,
	};

	return ioctl(r->fd, VIRQ_SET_GSI_ROUTING, &rt);
}

/* REPLACE of one GSI, all over the table (odd stride: a permutation) */
static int virq_route_replace(void *c, long i)
{
	struct routectx *r = c;
	unsigned int gsi = (unsigned int)(i * 40503) & (r->nr - 1);
	struct virq_route_update u = {
		.op = VIRQ_ROUTE_OP_REPLACE,
		.route = { .gsi = gsi, .type = VIRQ_ROUTE_MSI },
	};

	route_msi(gsi, i + 1, &u.route.u.msi.address_lo,
		  &u.route.u.msi.data);
	return ioctl(r->fd, VIRQ_UPDATE_GSI_ROUTE, &u);
}

static int kvm_routes_set(void *c, long i)
{
	struct routectx *r = c;

	return ioctl(r->fd, KVM_SET_GSI_ROUTING, r->kvm);
}

/* The largest table KVM_SET_GSI_ROUTING takes, from @lo (taken) up */
static unsigned int kvm_routes_probe(int vm, struct kvm_irq_routing *t,
				     unsigned int lo, unsigned int hi)
{
	unsigned int nr = t->nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		t->nr = mid;
		if (ioctl(vm, KVM_SET_GSI_ROUTING, t))
			hi = mid - 1;
		else
			lo = mid;
	}
	t->nr = nr;
	return lo;
}

/*
 * Per size: the whole-table set (virq and KVM) and virq's one-route
 * REPLACE in a table of that size.  A KVM VMM changes one route by
 * setting the whole table again (KVM has no single-route update), so the
 * KVM_SET_GSI_ROUTING figure is also KVM's cost of one route change.
 */
static void x86_routes(int vfd, int kfd, double vnull, double knull)
{
	unsigned int s, kvm_max = 0;
	int kvm_done = kfd < 0;

	printf("# GSI routing: N MSI routes on GSIs 0..N-1; ns per call, x null ioctl (now virq %.0f ns, kvm %.0f ns)\n",
	       vnull, knull);
	for (s = 0; s < sizeof(route_sizes) / sizeof(route_sizes[0]); s++) {
		struct routectx r = { .fd = vfd };
		unsigned int nr = route_sizes[s];
		long reps = 262144 / nr;
		double set, rep;

		if (reps < 4)
			reps = 4;
		if (reps > 100)
			reps = 100;
		if (routes_build(&r, nr)) {
			perror("routes");
			exit(1);
		}
		set = measure_n(virq_routes_set, &r, reps);
		rep = measure(virq_route_replace, &r);
		printf("x86   %6u routes  UPDATE_GSI_ROUTE REPLACE %10.0f ns %10.2f\n",
		       nr, rep, rep / vnull);
		printf("x86   %6u routes  SET_GSI_ROUTING          %10.0f ns %10.2f  (%ld calls)\n",
		       nr, set, set / vnull, reps);
		if (!kvm_done) {
			r.fd = kfd;
			if (!kvm_routes_set(&r, 0)) {
				set = measure_n(kvm_routes_set, &r, reps);
				printf("kvm   %6u routes  KVM_SET_GSI_ROUTING      %10.0f ns %10.2f  (%ld calls)\n",
				       nr, set, set / knull, reps);
				kvm_max = nr;
			} else {
				int err = errno;

				kvm_max = kvm_routes_probe(kfd, r.kvm, kvm_max,
							   nr - 1);
				printf("kvm   %6u routes  KVM_SET_GSI_ROUTING refused (%s); the largest table it takes: %u entries\n",
				       nr, strerror(err), kvm_max);
				kvm_done = 1;
			}
		}
		free(r.virq);
		free(r.kvm);
	}
}

/*
 * The x86 figures, each a ratio to the null ioctl of its side:
 *  - VIRQ_IRQ_LINE edge on GSI 16 (an IOAPIC-only GSI, fixed edge entry
 *    to APIC 0): inject only.  The first call delivers; the vector then
 *    waits in vCPU 0's IRR (nobody acknowledges it) and every further
 *    call takes the whole path (route lookup, IOAPIC, APIC bus, LAPIC)
 *    to find it pending and coalesce (status 0).  KVM has no edge
 *    operation: it is driven 1, 0, 1, ... with KVM_IRQ_LINE_STATUS (an
 *    edge every other call; its LAPIC sets IRR again and returns 1), so
 *    virq is also shown driven that way.
 *  - VIRQ_SIGNAL_MSI / KVM_SIGNAL_MSI: fixed, physical, to APIC 0.
 *  - irqfd: the eventfd write, on a GSI with an MSI route, which both
 *    deliver inside the write (KVM's kvm_arch_set_irq_inatomic()), so
 *    the figure covers the delivery; and on IOAPIC GSI 17, which virq
 *    delivers inside the write and KVM from a work item afterwards (not
 *    in its figure).
 *  - VIRQ_IRQ_LINES: 64 edges, 8 on each of GSI 16..23 (KVM has none).
 *  - A delivered round: edge, INTA (VIRQ_VCPU_ACK), EOI register write:
 *    three ioctls, every INTA checked to return the vector.  KVM's
 *    in-kernel LAPIC has no such calls (its vCPUs take interrupts).
 * After each injection figure, the vector's IRR bit is read back on each
 * side (VIRQ_VCPU_ACCESS, KVM_GET_LAPIC) to show it was delivered.
 * Then x86_routes().
 */
static void x86_section(void)
{
	struct fdctx v_msi, v_pin, k_msi, k_pin;
	struct x86ctx v, k;
	double vnull, knull = 0;
	int have_kvm;

	printf("# x86: default chip, %d vCPUs, LAPICs enabled; IOAPIC GSI 16..23 fixed edge to APIC 0; status: >0 delivered, 0 coalesced (vector already in IRR)\n",
	       X86_VCPUS);
	if (x86_virq_setup(&v, &v_msi, &v_pin)) {
		perror("x86 setup");
		exit(1);
	}
	x86_inject_virq(&v, &v_msi, &v_pin);
	have_kvm = !x86_kvm_setup(&k, &k_msi, &k_pin);
	if (have_kvm)
		x86_inject_kvm(&k, &k_msi, &k_pin);
	else
		printf("# KVM x86 reference unavailable (%s): boot with --kvm-ref\n",
		       strerror(errno));
	vnull = measure(x86_null, &v);
	if (have_kvm)
		knull = measure(x86_null, &k);
	x86_routes(v.fd, have_kvm ? k.fd : -1, vnull, knull);
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
	} else {
		double t;

		knull = measure(kvm_null, &k);
		printf("kvm   null ioctl          %8.0f ns  1.00\n", knull);
		t = measure(kvm_line_pulse, &k);
		printf("kvm   KVM_IRQ_LINE        %8.0f ns  %.2f\n", t, t / knull);
		t = measure(kvm_msi, &k);
		printf("kvm   KVM_SIGNAL_MSI      %8.0f ns  %.2f\n", t, t / knull);
		t = measure(efd_write, &k);
		printf("kvm   irqfd write         %8.0f ns  %.2f\n", t, t / knull);
	}
	x86_section();
	return 0;
}
