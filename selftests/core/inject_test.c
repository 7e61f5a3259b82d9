// SPDX-License-Identifier: GPL-2.0
/*
 * Injection from the VMM: VIRQ_IRQ_LINE, VIRQ_IRQ_LINES, VIRQ_SIGNAL_MSI,
 * VIRQ_SET_GSI_ROUTING and VIRQ_CHIP_CALL validation, and that a valid
 * injection reaches the vCPU it is routed to.
 */
#include <kselftest_harness.h>

#include "common.h"

FIXTURE(xics) {
	XICS_FIXTURE_FIELDS;
};

FIXTURE_SETUP(xics)
{
	XICS_FIXTURE_SETUP();
}

FIXTURE_TEARDOWN(xics)
{
	XICS_FIXTURE_TEARDOWN();
}

/* --- VIRQ_IRQ_LINE ---------------------------------------------------- */

TEST_F(xics, irq_line_delivers)
{
	int status;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 0));
	ASSERT_EQ(0, virq_vcpu_lines(self->vfd[0]));
	ASSERT_EQ(0, virq_line(self->fd, XICS_SRC, VIRQ_LINE_EDGE, &status));
	EXPECT_EQ(1, status);
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[0]));
	/* the other server saw nothing */
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[1]));
}

TEST_F(xics, irq_line_bad_op)
{
	__u32 ops[] = { VIRQ_LINE_EDGE + 1, 0x100, 0x80000000, 0xffffffff };
	struct virq_irq_line line;
	size_t i;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 0));
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		memset(&line, 0, sizeof(line));
		line.source = XICS_SRC;
		line.op = ops[i];
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_IRQ_LINE, &line));
		ASSERT_EQ(EINVAL, errno) TH_LOG("op %#x", ops[i]);
	}
	/* nothing was injected */
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));
}

TEST_F(xics, irq_line_flags)
{
	struct virq_irq_line line;
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 0));
	for (bit = 0; bit < 32; bit++) {
		memset(&line, 0, sizeof(line));
		line.source = XICS_SRC;
		line.op = VIRQ_LINE_EDGE;
		line.flags = 1U << bit;
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_IRQ_LINE, &line));
		ASSERT_EQ(EINVAL, errno) TH_LOG("flags bit %u", bit);
	}
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));
}

TEST_F(xics, irq_line_source)
{
	__u32 bad[] = { XICS_NR_SOURCES, XICS_NR_SOURCES + 1,
			VIRQ_XICS_MAX_SOURCES, 0x80000000, 0xffffffff };
	size_t i;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(-1, virq_line(self->fd, bad[i], VIRQ_LINE_EDGE,
					NULL));
		ASSERT_EQ(EINVAL, errno) TH_LOG("source %#x", bad[i]);
	}
	ASSERT_EQ(0, virq_line(self->fd, XICS_NR_SOURCES - 1,
			       VIRQ_LINE_EDGE, NULL));
}

TEST_F(xics, irq_line_efault)
{
	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_IRQ_LINE, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
}

/* --- VIRQ_IRQ_LINES --------------------------------------------------- */

#define NBATCH 8
#define BATCH_FIRST 64

/* LSI sources BATCH_FIRST.., a batch asserting each, and their words */
static int batch_prepare(int fd, struct virq_irq_line *l, __u64 *words)
{
	int i;

	for (i = 0; i < NBATCH; i++) {
		if (xics_set_lsi(fd, BATCH_FIRST + i))
			return -1;
		memset(&l[i], 0, sizeof(l[i]));
		l[i].source = BATCH_FIRST + i;
		l[i].op = VIRQ_LINE_SET;
		l[i].status = 0x5a5a5a5a;
	}
	return virq_get_words(fd, BATCH_FIRST, NBATCH, words);
}

static int lines_ioctl(int fd, struct virq_irq_line *l, __u32 count)
{
	struct virq_irq_lines b = {
		.count = count,
		.lines = (__u64)(uintptr_t)l,
	};

	return ioctl(fd, VIRQ_IRQ_LINES, &b);
}

TEST_F(xics, irq_lines_applies_all)
{
	struct virq_irq_line l[NBATCH];
	__u64 before[NBATCH], after[NBATCH];
	int i;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, batch_prepare(self->fd, l, before));
	ASSERT_EQ(NBATCH, lines_ioctl(self->fd, l, NBATCH));
	ASSERT_EQ(0, virq_get_words(self->fd, BATCH_FIRST, NBATCH, after));
	for (i = 0; i < NBATCH; i++) {
		EXPECT_NE(0x5a5a5a5a, l[i].status) TH_LOG("entry %d", i);
		EXPECT_EQ(0, before[i] & VIRQ_XICS_ASSERTED);
		EXPECT_NE(0, after[i] & VIRQ_XICS_ASSERTED)
			TH_LOG("entry %d: %#llx", i,
			       (unsigned long long)after[i]);
	}
	/* a partial batch returns its own count */
	for (i = 0; i < NBATCH; i++)
		l[i].op = VIRQ_LINE_RESET;
	ASSERT_EQ(3, lines_ioctl(self->fd, l, 3));
	ASSERT_EQ(0, virq_get_words(self->fd, BATCH_FIRST, NBATCH, after));
	for (i = 0; i < NBATCH; i++)
		EXPECT_EQ(i < 3 ? 0 : VIRQ_XICS_ASSERTED,
			  after[i] & VIRQ_XICS_ASSERTED) TH_LOG("entry %d", i);
}

/* One bad entry anywhere in the batch: EINVAL and nothing applied. */
TEST_F(xics, irq_lines_one_bad_entry)
{
	struct virq_irq_line l[NBATCH];
	__u64 before[NBATCH], after[NBATCH];
	int pos, kind;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, batch_prepare(self->fd, l, before));
	for (kind = 0; kind < 3; kind++) {
		for (pos = 0; pos < NBATCH; pos += NBATCH - 1) {
			struct virq_irq_line saved = l[pos];

			switch (kind) {
			case 0:
				l[pos].op = VIRQ_LINE_EDGE + 1;
				break;
			case 1:
				l[pos].flags = 1;
				break;
			case 2:
				l[pos].source = XICS_NR_SOURCES;
				break;
			}
			ASSERT_EQ(-1, lines_ioctl(self->fd, l, NBATCH));
			ASSERT_EQ(EINVAL, errno)
				TH_LOG("kind %d at %d", kind, pos);
			l[pos] = saved;
			ASSERT_EQ(0, virq_get_words(self->fd, BATCH_FIRST,
						    NBATCH, after));
			ASSERT_EQ(0, memcmp(before, after, sizeof(before)))
				TH_LOG("kind %d at %d applied something",
				       kind, pos);
			EXPECT_EQ(0x5a5a5a5a, l[0].status);
		}
	}
	/* the same batch, fixed, applies */
	ASSERT_EQ(NBATCH, lines_ioctl(self->fd, l, NBATCH));
	ASSERT_EQ(0, virq_get_words(self->fd, BATCH_FIRST, NBATCH, after));
	ASSERT_NE(0, memcmp(before, after, sizeof(before)));
}

TEST_F(xics, irq_lines_count)
{
	static struct virq_irq_line l[VIRQ_IRQ_LINES_MAX + 1];
	int i;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < VIRQ_IRQ_LINES_MAX + 1; i++) {
		l[i].source = XICS_SRC + i % 16;
		l[i].op = VIRQ_LINE_RESET;
	}
	ASSERT_EQ(-1, lines_ioctl(self->fd, l, 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, lines_ioctl(self->fd, l, VIRQ_IRQ_LINES_MAX + 1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, lines_ioctl(self->fd, l, 0xffffffff));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(VIRQ_IRQ_LINES_MAX,
		  lines_ioctl(self->fd, l, VIRQ_IRQ_LINES_MAX));
}

TEST_F(xics, irq_lines_flags)
{
	struct virq_irq_line l = { .source = XICS_SRC,
				   .op = VIRQ_LINE_RESET };
	struct virq_irq_lines b;
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	for (bit = 0; bit < 32; bit++) {
		b.count = 1;
		b.flags = 1U << bit;
		b.lines = (__u64)(uintptr_t)&l;
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_IRQ_LINES, &b));
		ASSERT_EQ(EINVAL, errno) TH_LOG("flags bit %u", bit);
	}
}

TEST_F(xics, irq_lines_efault)
{
	struct virq_irq_lines b = { .count = 1, .lines = virq_bad_uptr() };

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_IRQ_LINES, &b));
	ASSERT_EQ(EFAULT, errno);
	b.lines = 0;
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_IRQ_LINES, &b));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_IRQ_LINES, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
}

/* The edge delivered by a batch is seen, with its status written back. */
TEST_F(xics, irq_lines_delivers)
{
	struct virq_irq_line l[2] = {
		{ .source = XICS_SRC, .op = VIRQ_LINE_EDGE, .status = 77 },
		{ .source = XICS_SRC + 1, .op = VIRQ_LINE_EDGE, .status = 77 },
	};

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 1));
	ASSERT_EQ(2, lines_ioctl(self->fd, l, 2));
	EXPECT_EQ(1, l[0].status);
	/* XICS_SRC + 1 was never routed: masked */
	EXPECT_EQ(VIRQ_STATUS_MASKED, l[1].status);
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[1]));
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));
}

/* --- VIRQ_SIGNAL_MSI -------------------------------------------------- */

TEST_F(xics, msi_delivers)
{
	struct virq_msi msi = { .data = XICS_SRC, .status = 77 };

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 0));
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_SIGNAL_MSI, &msi))
		TH_LOG("%s", strerror(errno));
	EXPECT_EQ(1, msi.status);
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[0]));
}

TEST_F(xics, msi_flags)
{
	struct virq_msi msi;
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 0));
	for (bit = 1; bit < 32; bit++) {
		memset(&msi, 0, sizeof(msi));
		msi.data = XICS_SRC;
		msi.flags = 1U << bit;
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SIGNAL_MSI, &msi));
		ASSERT_EQ(EINVAL, errno) TH_LOG("flags bit %u", bit);
	}
	/* unknown bits are refused with the known one too */
	msi.flags = VIRQ_MSI_FLAG_DEVID | 0x80000000;
	msi.devid = 1;
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SIGNAL_MSI, &msi));
	ASSERT_EQ(EINVAL, errno);
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));
}

TEST_F(xics, msi_devid_without_flag)
{
	struct virq_msi msi = { .data = XICS_SRC, .devid = 1 };

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 0));
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SIGNAL_MSI, &msi));
	ASSERT_EQ(EINVAL, errno);
	msi.devid = 0x80000000;
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SIGNAL_MSI, &msi));
	ASSERT_EQ(EINVAL, errno);
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));
}

TEST_F(xics, msi_efault)
{
	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SIGNAL_MSI, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
}

/*
 * A valid argument in a read-only page: the status cannot be written, so
 * each call fails with EFAULT before it injects anything, and the same
 * call from writable memory then injects once.
 */
TEST_F(xics, efault_status_injects_nothing)
{
	struct virq_irq_line line = { .source = XICS_SRC,
				      .op = VIRQ_LINE_EDGE };
	struct virq_msi msi = { .data = XICS_SRC };
	struct virq_irq_lines b = { .count = 1 };
	long pg = sysconf(_SC_PAGESIZE);
	__u64 word;
	char *ro;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 0));
	word = virq_word(self->fd, XICS_SRC);
	ro = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	memcpy(ro, &line, sizeof(line));
	memcpy(ro + 64, &msi, sizeof(msi));
	ASSERT_EQ(0, mprotect(ro, pg, PROT_READ));
	b.lines = (__u64)(uintptr_t)ro;

	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_IRQ_LINE, ro));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_IRQ_LINES, &b));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SIGNAL_MSI, ro + 64));
	EXPECT_EQ(EFAULT, errno);
	/* nothing reached the source or the server */
	EXPECT_EQ(word, virq_word(self->fd, XICS_SRC));
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));

	/* the same call, writable: the interrupt is presented */
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_IRQ_LINE, &line));
	EXPECT_EQ(1, line.status);
	EXPECT_NE(word, virq_word(self->fd, XICS_SRC));
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[0]));
	munmap(ro, pg);
}

/* A read-only copy of @len bytes of @arg in a fresh page */
static void *ro_copy(const void *arg, size_t len)
{
	long pg = sysconf(_SC_PAGESIZE);
	void *ro = mmap(NULL, pg, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (ro == MAP_FAILED)
		return NULL;
	memcpy(ro, arg, len);
	if (mprotect(ro, pg, PROT_READ)) {
		munmap(ro, pg);
		return NULL;
	}
	return ro;
}

/*
 * The calls that act and return a result (VIRQ_VCPU_ACK, a hypercall, a
 * firmware call) check that the result can be written before acting: an
 * EFAULT takes no interrupt and allocates nothing, so a retry is right.
 */
TEST_F(xics, efault_result_takes_nothing)
{
	struct virq_call alloc = { .nr = VIRQ_XICS_CALL_MSI_ALLOC,
				   .args = { 64 } };
	struct virq_call xirr = { .nr = H_XIRR };
	struct virq_ack ack = { 0 };
	void *ro_ack, *ro_xirr, *ro_alloc;
	int fd2, vfd2[2];
	__u64 first;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 0));
	ASSERT_EQ(0, virq_line(self->fd, XICS_SRC, VIRQ_LINE_EDGE, NULL));
	ASSERT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[0]));
	ro_ack = ro_copy(&ack, sizeof(ack));
	ro_xirr = ro_copy(&xirr, sizeof(xirr));
	ro_alloc = ro_copy(&alloc, sizeof(alloc));
	ASSERT_NE(NULL, ro_ack);
	ASSERT_NE(NULL, ro_xirr);
	ASSERT_NE(NULL, ro_alloc);

	ASSERT_EQ(-1, ioctl(self->vfd[0], VIRQ_VCPU_ACK, ro_ack));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->vfd[0], VIRQ_VCPU_CALL, ro_xirr));
	EXPECT_EQ(EFAULT, errno);
	/* the interrupt is still there to take */
	EXPECT_EQ(VIRQ_OUT_INT, virq_vcpu_lines(self->vfd[0]));
	ASSERT_EQ(0, ioctl(self->vfd[0], VIRQ_VCPU_ACK, &ack));
	EXPECT_EQ(0xff000000ULL | XICS_SRC, ack.id);

	/* no MSI block was allocated: the next one is a fresh chip's first */
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_CHIP_CALL, ro_alloc));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_CHIP_CALL, &alloc));
	ASSERT_EQ(VIRQ_XICS_RTAS_SUCCESS, alloc.ret);
	first = alloc.rets[0];
	fd2 = virq_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, xics_make(fd2, XICS_NR_VCPUS, XICS_NR_SOURCES, vfd2, 2));
	alloc.ret = -1;
	ASSERT_EQ(0, ioctl(fd2, VIRQ_CHIP_CALL, &alloc));
	ASSERT_EQ(VIRQ_XICS_RTAS_SUCCESS, alloc.ret);
	EXPECT_EQ(alloc.rets[0], first);
	munmap(ro_ack, sysconf(_SC_PAGESIZE));
	munmap(ro_xirr, sysconf(_SC_PAGESIZE));
	munmap(ro_alloc, sysconf(_SC_PAGESIZE));
	close(vfd2[0]);
	close(vfd2[1]);
	close(fd2);
}

/* --- VIRQ_SET_GSI_ROUTING --------------------------------------------- */

TEST_F(xics, gsi_routing)
{
	struct virq_route r = { .gsi = 1, .type = VIRQ_ROUTE_MSI,
				.u.msi.data = XICS_SRC };
	struct virq_routing rt = { .nr = 1,
				   .entries = (__u64)(uintptr_t)&r };
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	/* XICS has no routing table */
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SET_GSI_ROUTING, &rt));
	ASSERT_EQ(EOPNOTSUPP, errno);
	rt.nr = 0;
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SET_GSI_ROUTING, &rt));
	ASSERT_EQ(EOPNOTSUPP, errno);
	rt.nr = 1;
	for (bit = 0; bit < 32; bit++) {
		rt.flags = 1U << bit;
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SET_GSI_ROUTING, &rt));
		ASSERT_EQ(EINVAL, errno) TH_LOG("flags bit %u", bit);
	}
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SET_GSI_ROUTING, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
}

/* The single-entry update and the read-back: also EOPNOTSUPP on XICS */
TEST_F(xics, gsi_route_update_and_get)
{
	struct virq_route r = { .gsi = 1, .type = VIRQ_ROUTE_MSI,
				.u.msi.data = XICS_SRC };
	struct virq_route_update u = { .route = r };
	struct virq_routing rt = { .nr = 1,
				   .entries = (__u64)(uintptr_t)&r };
	__u32 op, bit;

	SKIP_IF_SETUP_SKIPPED();
	for (op = VIRQ_ROUTE_OP_ADD; op <= VIRQ_ROUTE_OP_CLEAR; op++) {
		u.op = op;
		u.route = op == VIRQ_ROUTE_OP_CLEAR ?
			  (struct virq_route){ .gsi = 1 } : r;
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_UPDATE_GSI_ROUTE, &u));
		ASSERT_EQ(EOPNOTSUPP, errno) TH_LOG("op %u", op);
	}
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_GET_GSI_ROUTING, &rt));
	ASSERT_EQ(EOPNOTSUPP, errno);
	for (bit = 0; bit < 32; bit++) {
		rt.flags = 1U << bit;
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_GET_GSI_ROUTING, &rt));
		ASSERT_EQ(EINVAL, errno) TH_LOG("flags bit %u", bit);
	}
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_UPDATE_GSI_ROUTE, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_GET_GSI_ROUTING, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
}

/* --- VIRQ_CHIP_CALL ---------------------------------------------------- */

TEST_F(xics, chip_call_flags)
{
	struct virq_call c;
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	for (bit = 0; bit < 32; bit++) {
		memset(&c, 0, sizeof(c));
		c.nr = VIRQ_XICS_CALL_SET_XIVE;
		c.args[0] = XICS_SRC;
		c.args[1] = 0;
		c.args[2] = XICS_PRIO;
		c.flags = 1U << bit;
		ASSERT_EQ(-1, virq_chip_call(self->fd, &c));
		ASSERT_EQ(EINVAL, errno) TH_LOG("flags bit %u", bit);
	}
	/* nothing was routed: an edge is held back by the mask */
	ASSERT_EQ(0, virq_line(self->fd, XICS_SRC, VIRQ_LINE_EDGE, NULL));
	EXPECT_EQ(0, virq_vcpu_lines(self->vfd[0]));
}

TEST_F(xics, chip_call_get_xive)
{
	struct virq_call c;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, xics_route(self->fd, XICS_SRC, 1));
	memset(&c, 0xcc, sizeof(c));
	c.nr = VIRQ_XICS_CALL_GET_XIVE;
	c.flags = 0;
	memset(c.args, 0, sizeof(c.args));
	c.args[0] = XICS_SRC;
	ASSERT_EQ(0, virq_chip_call(self->fd, &c));
	EXPECT_EQ(0, c.ret);
	EXPECT_EQ(VIRQ_XICS_CALL_GET_XIVE, c.nr);
	EXPECT_EQ(0, c.flags);
	EXPECT_EQ(1, c.rets[0]);
	EXPECT_EQ(XICS_PRIO, c.rets[1]);
}

TEST_F(xics, chip_call_efault)
{
	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(-1, virq_chip_call(self->fd, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
}

TEST_HARNESS_MAIN
