// SPDX-License-Identifier: GPL-2.0
/*
 * migrate-demo: the last act of `make demo`, a live migration of interrupt
 * state between two VMM processes in the guest.
 *
 * For each scene (x86, then XICS) this program forks a "source VMM" that
 * creates an instance and leaves it mid-flight (interrupts in service,
 * pending, queued, a level line high, a timer armed), and a "destination
 * VMM" that creates a fresh instance of the same configuration.  Then it
 * runs, as a migration tool would, the virqctl binary:
 *
 *   virqctl save    --pid SRC --fd N -o FILE	(pidfd_getfd of the fds)
 *   virqctl show    FILE			(x86 scene only)
 *   virqctl restore --pid DST --fd M -i FILE
 *   virqctl save    --pid DST --fd M -o FILE2
 *   virqctl diff    FILE FILE2			(must find no difference)
 *
 * Then both VMMs run the same next steps (EOI, take the next interrupt,
 * wait for the timer) and the table shows what each vCPU receives, side
 * by side.  This is also a test: the exit status is 1 when a virqctl
 * command fails, when the two sides differ, or when a result is not the
 * one the narration announces; 0 otherwise.
 *
 * Usage: migrate-demo [VIRQCTL]
 * virqctl is the argument, else $VIRQCTL, else "virqctl" beside this
 * program (/bin/tests/ in the test guest, $(BUILD)/tools on a build).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/libvirq.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NR_VCPUS	2
#define MAX_STEPS	12
#define GOT_MAX		24

#define APIC_BASE	VIRQ_X86_LAPIC_DEFAULT_BASE
#define IOAPIC_BASE	VIRQ_X86_IOAPIC_DEFAULT_BASE

/* x86 scene: the level line, the IPI and the timer */
#define X86_GSI		17
#define VEC_LINE	0x3a
#define VEC_IPI		0x50
#define VEC_TIMER	0xef
#define TIMER_NS	4000000000U	/* TMICT at divide-by-1: 4 s */
#define RTE_LEVEL	(1ULL << 15)
#define RTE_REMOTE_IRR	(1ULL << 14)

/* XICS scene: an accepted-and-queued source, a presented one */
#define XICS_SOURCES	1024
#define SRC_QUEUED	0x20
#define SRC_PRESENTED	0x21

static char virqctl[PATH_MAX];
static int failures;

/* A VMM's instance: what each VMM process holds */
struct vmm {
	int fd;
	int vfd[NR_VCPUS];
	int err;	/* first failed call, as -errno */
};

/*
 * What each VMM process reports, in memory shared with this one: its
 * fds (for virqctl --fd) and what each step gave.
 */
struct report {
	int status;
	int fd;
	char got[MAX_STEPS][GOT_MAX];
};

/**
 * struct step - one of the steps both VMMs run after the migration
 * @what: what the VMM does, as the table says it
 * @expect: what the vCPU must receive
 * @run: do it on @m, and write what came back into @got
 */
struct step {
	const char *what;
	const char *expect;
	void (*run)(struct vmm *m, char *got);
};

/**
 * struct scene - one migration
 * @name: short name, for the file names
 * @title: the headline
 * @create: create the chip and the vCPUs (both VMMs)
 * @mid_flight: the source VMM's workload up to the migration, narrated
 * @show: run `virqctl show` on the file
 * @steps: the steps after the migration
 * @nr_steps: how many
 */
struct scene {
	const char *name;
	const char *title;
	void (*create)(struct vmm *m);
	void (*mid_flight)(struct vmm *m);
	bool show;
	const struct step *steps;
	int nr_steps;
};

static void ok(struct vmm *m, int ret, const char *what)
{
	if (ret >= 0)
		return;
	printf("   !! %s: %s\n", what, strerror(-ret));
	if (!m->err)
		m->err = ret;
}

static void vmm_create(struct vmm *m, const struct libvirq_config *cfg,
		       const __u64 *ids)
{
	int i, ret;

	memset(m, 0, sizeof(*m));
	m->fd = libvirq_open();
	ok(m, m->fd, "open /dev/virq");
	if (m->fd < 0)
		return;
	ok(m, libvirq_create_from_config(m->fd, cfg), "VIRQ_CREATE_CHIP");
	for (i = 0; i < NR_VCPUS; i++) {
		ret = libvirq_create_vcpu(m->fd, i, ids[i]);
		ok(m, ret, "VIRQ_CREATE_VCPU");
		m->vfd[i] = ret;
	}
}

static const char *lines_str(struct vmm *m, int v, const char *irq)
{
	struct virq_vcpu_output o;

	if (libvirq_vcpu_get_output(m->vfd[v], &o))
		return "error";
	return o.lines & VIRQ_OUT_INT ? irq : "none";
}

/* --- x86 ------------------------------------------------------------------ */

static void x86_create(struct vmm *m)
{
	static const __u64 ids[NR_VCPUS] = { 0, 1 };
	struct libvirq_config cfg = {
		.family = VIRQ_FAMILY_X86, .nr_vcpus = NR_VCPUS,
		.nr_sources = 24,
	};

	vmm_create(m, &cfg, ids);
}

static void lapic_write(struct vmm *m, int v, __u32 reg, __u64 val)
{
	ok(m, libvirq_vcpu_access(m->vfd[v], VIRQ_SPACE_MMIO, APIC_BASE + reg,
				  4, true, &val), "LAPIC write");
}

/* IOREGSEL then IOWIN, as the guest does (through vCPU 0) */
static __u32 ioapic_reg(struct vmm *m, __u32 reg, bool write, __u32 val)
{
	__u64 d = reg;

	ok(m, libvirq_vcpu_access(m->vfd[0], VIRQ_SPACE_MMIO, IOAPIC_BASE, 4,
				  true, &d), "IOREGSEL");
	d = val;
	ok(m, libvirq_vcpu_access(m->vfd[0], VIRQ_SPACE_MMIO,
				  IOAPIC_BASE + 0x10, 4, write, &d), "IOWIN");
	return d;
}

static __u64 rte_read(struct vmm *m, __u32 pin)
{
	return ioapic_reg(m, 0x10 + 2 * pin, false, 0) |
	       (__u64)ioapic_reg(m, 0x11 + 2 * pin, false, 0) << 32;
}

static long inta(struct vmm *m, int v)
{
	__u64 id = 0;
	int ret = libvirq_vcpu_ack(m->vfd[v], 0, &id);

	ok(m, ret, "VIRQ_VCPU_ACK");
	return ret ? ret : (long)id;
}

static void x86_mid_flight(struct vmm *m)
{
	struct virq_x86_tsc tsc = { .tsc_khz = 1000000 };
	int i, status = 0;
	long vec;

	for (i = 0; i < NR_VCPUS; i++) {
		ok(m, libvirq_vcpu_set_attr(m->vfd[i], VIRQ_X86_VGRP_TSC, 0,
					    &tsc, sizeof(tsc)), "TSC");
		lapic_write(m, i, 0xf0, 0x1ff);		/* SVR: enabled */
	}
	ioapic_reg(m, 0x10 + 2 * X86_GSI, true, VEC_LINE | RTE_LEVEL);
	ioapic_reg(m, 0x11 + 2 * X86_GSI, true, 0);	/* to APIC 0 */
	ok(m, libvirq_irq_line(m->fd, X86_GSI, VIRQ_LINE_SET, &status),
	   "VIRQ_IRQ_LINE");
	vec = inta(m, 0);
	printf("   GSI %d: IOAPIC level pin, vector %#x to APIC 0; the device raises it;\n"
	       "     vCPU 0 takes it (INTA -> %#lx): in service, remote IRR %d, line still high\n",
	       X86_GSI, VEC_LINE, vec,
	       !!(rte_read(m, X86_GSI) & RTE_REMOTE_IRR));
	lapic_write(m, 1, 0x310, 0);			/* ICR: APIC 0 */
	lapic_write(m, 1, 0x300, VEC_IPI);		/* fixed IPI */
	printf("   vCPU 1 sends an IPI, vector %#x, to APIC 0: pending (vCPU 0 output: %s)\n",
	       VEC_IPI, lines_str(m, 0, "INT"));
	lapic_write(m, 1, 0x3e0, 0xb);			/* divide by 1 */
	lapic_write(m, 1, 0x320, VEC_TIMER);		/* one-shot */
	lapic_write(m, 1, 0x380, TIMER_NS);
	printf("   vCPU 1 arms its LAPIC timer: one-shot, vector %#x, fires in %u s\n",
	       VEC_TIMER, TIMER_NS / 1000000000U);
}

static void x86_remote_irr(struct vmm *m, char *got)
{
	snprintf(got, GOT_MAX, "remote IRR %d",
		 !!(rte_read(m, X86_GSI) & RTE_REMOTE_IRR));
}

static void x86_output0(struct vmm *m, char *got)
{
	snprintf(got, GOT_MAX, "%s", lines_str(m, 0, "INT"));
}

static void x86_inta0(struct vmm *m, char *got)
{
	snprintf(got, GOT_MAX, "vector %#lx", inta(m, 0));
}

static void x86_eoi0(struct vmm *m, char *got)
{
	lapic_write(m, 0, 0xb0, 0);
	x86_output0(m, got);
}

static void x86_lower_eoi0(struct vmm *m, char *got)
{
	ok(m, libvirq_irq_line(m->fd, X86_GSI, VIRQ_LINE_RESET, NULL),
	   "VIRQ_IRQ_LINE");
	lapic_write(m, 0, 0xb0, 0);
	x86_remote_irr(m, got);
}

/* A bound on the wait, not a verdict: the timer is due within 4 s */
static void x86_wait_timer(struct vmm *m, char *got)
{
	struct pollfd p = { .fd = m->vfd[1], .events = POLLIN };

	poll(&p, 1, 60000);
	snprintf(got, GOT_MAX, "%s", lines_str(m, 1, "INT"));
}

static void x86_inta1(struct vmm *m, char *got)
{
	snprintf(got, GOT_MAX, "vector %#lx", inta(m, 1));
}

static void x86_eoi1(struct vmm *m, char *got)
{
	lapic_write(m, 1, 0xb0, 0);
	snprintf(got, GOT_MAX, "%s", lines_str(m, 1, "INT"));
}

static const struct step x86_steps[] = {
	{ "GSI 17's RTE", "remote IRR 1", x86_remote_irr },
	{ "vCPU 0 output", "INT", x86_output0 },
	{ "vCPU 0 INTA", "vector 0x50", x86_inta0 },
	{ "vCPU 0 EOI (the IPI), output", "none", x86_eoi0 },
	{ "vCPU 0 EOI (0x3a, line high), output", "INT", x86_eoi0 },
	{ "vCPU 0 INTA", "vector 0x3a", x86_inta0 },
	{ "device lowers GSI 17; vCPU 0 EOI", "remote IRR 0", x86_lower_eoi0 },
	{ "vCPU 1 waits for its timer (poll)", "INT", x86_wait_timer },
	{ "vCPU 1 INTA", "vector 0xef", x86_inta1 },
	{ "vCPU 1 EOI, output", "none", x86_eoi1 },
};

/* --- XICS ----------------------------------------------------------------- */

static void xics_create(struct vmm *m)
{
	static const __u64 ids[NR_VCPUS] = { 0, 1 };
	struct libvirq_config cfg = {
		.family = VIRQ_FAMILY_XICS, .nr_vcpus = NR_VCPUS,
		.nr_sources = XICS_SOURCES,
	};

	vmm_create(m, &cfg, ids);
}

/* A call: on vCPU @v's fd (an hcall), or on the instance (RTAS) if @v < 0 */
static __u64 xcall(struct vmm *m, int v, __u32 nr, __u64 a0, __u64 a1,
		   __u64 a2)
{
	struct virq_call c = { .nr = nr, .args = { a0, a1, a2 } };
	int ret;

	if (v < 0)
		ret = libvirq_chip_call(m->fd, &c);
	else
		ret = libvirq_vcpu_call(m->vfd[v], &c);
	ok(m, ret, "call");
	if (!ret && c.ret)
		ok(m, -EPROTO, "call status");
	return c.rets[0];
}

static void xics_mid_flight(struct vmm *m)
{
	__u64 xirr;
	int i;

	for (i = 0; i < NR_VCPUS; i++)
		xcall(m, i, VIRQ_XICS_H_CPPR, 0xff, 0, 0);
	xcall(m, -1, VIRQ_XICS_CALL_SET_XIVE, SRC_QUEUED, 0, 5);
	xcall(m, -1, VIRQ_XICS_CALL_SET_XIVE, SRC_PRESENTED, 1, 6);
	ok(m, libvirq_irq_line(m->fd, SRC_QUEUED, VIRQ_LINE_EDGE, NULL),
	   "VIRQ_IRQ_LINE");
	xirr = xcall(m, 0, VIRQ_XICS_H_XIRR, 0, 0, 0);
	ok(m, libvirq_irq_line(m->fd, SRC_QUEUED, VIRQ_LINE_EDGE, NULL),
	   "VIRQ_IRQ_LINE");
	printf("   source %#x (MSI): server 0, priority 5; fires, server 0 accepts it\n"
	       "     (H_XIRR -> 0x%08llx); fires again while in service: queued (Q)\n",
	       SRC_QUEUED, (unsigned long long)xirr);
	ok(m, libvirq_irq_line(m->fd, SRC_PRESENTED, VIRQ_LINE_EDGE, NULL),
	   "VIRQ_IRQ_LINE");
	printf("   source %#x (MSI): server 1, priority 6; fires: presented to server 1 (EE %s)\n",
	       SRC_PRESENTED, lines_str(m, 1, "asserted"));
}

static void xics_xirr(struct vmm *m, int v, char *got)
{
	__u64 xirr = 0;

	ok(m, libvirq_vcpu_ack(m->vfd[v], 0, &xirr), "H_XIRR");
	snprintf(got, GOT_MAX, "XIRR 0x%08llx", (unsigned long long)xirr);
}

static void xics_eoi(struct vmm *m, int v, __u32 src, char *got)
{
	xcall(m, v, VIRQ_XICS_H_EOI, 0xff000000U | src, 0, 0);
	snprintf(got, GOT_MAX, "%s", lines_str(m, v, "EE"));
}

static void xics_output1(struct vmm *m, char *got)
{
	snprintf(got, GOT_MAX, "%s", lines_str(m, 1, "EE"));
}

static void xics_xirr1(struct vmm *m, char *got)
{
	xics_xirr(m, 1, got);
}

static void xics_eoi1(struct vmm *m, char *got)
{
	xics_eoi(m, 1, SRC_PRESENTED, got);
}

static void xics_eoi0(struct vmm *m, char *got)
{
	xics_eoi(m, 0, SRC_QUEUED, got);
}

static void xics_xirr0(struct vmm *m, char *got)
{
	xics_xirr(m, 0, got);
}

static const struct step xics_steps[] = {
	{ "server 1 output", "EE", xics_output1 },
	{ "server 1 H_XIRR", "XIRR 0xff000021", xics_xirr1 },
	{ "server 1 H_EOI, output", "none", xics_eoi1 },
	{ "server 0 H_EOI (0x20 was queued), output", "EE", xics_eoi0 },
	{ "server 0 H_XIRR", "XIRR 0xff000020", xics_xirr0 },
	{ "server 0 H_EOI, output", "none", xics_eoi0 },
};

static const struct scene scenes[] = {
	{
		.name = "x86",
		.title = "x86: PIC, IOAPIC and 2 LAPICs (APIC ids 0, 1)",
		.create = x86_create, .mid_flight = x86_mid_flight,
		.show = true,
		.steps = x86_steps, .nr_steps = ARRAY_SIZE(x86_steps),
	},
	{
		.name = "xics",
		.title = "XICS: 1024 sources, 2 servers (0, 1)",
		.create = xics_create, .mid_flight = xics_mid_flight,
		.steps = xics_steps, .nr_steps = ARRAY_SIZE(xics_steps),
	},
};

/* --- the VMM processes ------------------------------------------------------ */

/*
 * A VMM: create the instance (and, for the source, put it mid-flight),
 * report the fd and say "ready"; on "go" run the steps; then exit.
 */
static void vmm_main(const struct scene *sc, bool source, struct report *r,
		     const int pipes[4][2], int go, int ready)
{
	struct vmm m;
	char c = 'r';
	int i, j;

	/* only its own ends: the others must see EOF when this one exits */
	for (i = 0; i < 4; i++)
		for (j = 0; j < 2; j++)
			if (pipes[i][j] >= 0 && pipes[i][j] != go &&
			    pipes[i][j] != ready)
				close(pipes[i][j]);
	sc->create(&m);
	if (source && !m.err)
		sc->mid_flight(&m);
	r->fd = m.fd;
	r->status = m.err;
	fflush(stdout);
	if (write(ready, &c, 1) != 1 || m.err)
		_exit(1);
	if (read(go, &c, 1) != 1 || c != 'g')
		_exit(1);
	for (i = 0; i < sc->nr_steps; i++)
		sc->steps[i].run(&m, r->got[i]);
	r->status = m.err;
	fflush(stdout);
	_exit(m.err ? 1 : 0);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Wait for one byte from a child: false if it died instead */
static bool wait_ready(int fd)
{
	char c;

	return read(fd, &c, 1) == 1;
}

/* --- running virqctl ------------------------------------------------------ */

/*
 * Run virqctl with the NULL-terminated arguments: print the command line,
 * then its output (stdout and stderr) indented.  Returns its exit status,
 * or -1.
 */
static int run_virqctl(const char *arg, ...)
{
	const char *argv[16];
	int argc = 0, p[2], status, i;
	char line[512];
	va_list ap;
	FILE *f;
	pid_t pid;

	argv[argc++] = "virqctl";
	va_start(ap, arg);
	for (; arg && argc < 15; arg = va_arg(ap, const char *))
		argv[argc++] = arg;
	va_end(ap);
	argv[argc] = NULL;

	printf("$");
	for (i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	fflush(stdout);
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execv(virqctl, (char **)argv);
		fprintf(stderr, "exec %s: %s\n", virqctl, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (f && fgets(line, sizeof(line), f))
		printf("    %s", line);
	if (f)
		fclose(f);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void must(int status, const char *what)
{
	if (status) {
		printf("   !! %s: exit status %d\n", what, status);
		failures++;
	}
}

/* --- one migration -------------------------------------------------------- */

static void side_by_side(const struct scene *sc, const struct report *src,
			 const struct report *dst)
{
	int i, same = 0;

	printf("\nboth VMMs run on with the same steps; what the vCPUs receive:\n");
	printf("   %-40s %-17s %s\n", "step", "source VMM", "destination VMM");
	for (i = 0; i < sc->nr_steps; i++) {
		const char *a = src->got[i], *b = dst->got[i];
		bool eq = !strcmp(a, b);

		printf("   %-40s %-17s %s%s\n", sc->steps[i].what, a, b,
		       eq ? "" : "   <- DIFFERENT");
		same += eq;
		if (!eq)
			failures++;
		if (strcmp(a, sc->steps[i].expect)) {
			printf("   !! expected %s\n", sc->steps[i].expect);
			failures++;
		}
	}
	printf("%s: %d of %d steps identical on both sides\n", sc->name, same,
	       sc->nr_steps);
}

static int migrate_scene(const struct scene *sc)
{
	char file[64], file2[64], spid[16], sfd[16], dpid[16], dfd[16];
	int pipes[4][2], st, i, ret = -1;
	int *sgo = pipes[0], *sready = pipes[1];
	int *dgo = pipes[2], *dready = pipes[3];
	struct report *rep;
	pid_t src, dst;
	char c = 'g';

	printf("\n== %s\n", sc->title);
	snprintf(file, sizeof(file), "/tmp/migrate-%s.virq", sc->name);
	snprintf(file2, sizeof(file2), "/tmp/migrate-%s.dest.virq", sc->name);
	rep = mmap(NULL, 2 * sizeof(*rep), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rep == MAP_FAILED || pipe2(sgo, O_CLOEXEC) ||
	    pipe2(sready, O_CLOEXEC) || pipe2(dgo, O_CLOEXEC) ||
	    pipe2(dready, O_CLOEXEC)) {
		perror("migrate-demo");
		failures++;
		return -1;
	}
	memset(rep, 0, 2 * sizeof(*rep));

	fflush(stdout);
	src = fork();
	if (!src) {
		printf("source VMM (pid %d) creates the chip and runs it up to mid-flight:\n",
		       (int)getpid());
		vmm_main(sc, true, &rep[0], pipes, sgo[0], sready[1]);
	}
	/* its end only, so that its death is EOF here */
	close_fd(&sready[1]);
	if (src < 0 || !wait_ready(sready[0]) || rep[0].status)
		goto out_kill;
	printf("   then it stops its vCPUs for the migration.\n");
	fflush(stdout);
	dst = fork();
	if (!dst)
		vmm_main(sc, false, &rep[1], pipes, dgo[0], dready[1]);
	close_fd(&dready[1]);
	if (dst < 0 || !wait_ready(dready[0]) || rep[1].status)
		goto out_kill;
	printf("destination VMM (pid %d): a fresh chip of the same configuration\n\n",
	       (int)dst);

	snprintf(spid, sizeof(spid), "%d", (int)src);
	snprintf(sfd, sizeof(sfd), "%d", rep[0].fd);
	snprintf(dpid, sizeof(dpid), "%d", (int)dst);
	snprintf(dfd, sizeof(dfd), "%d", rep[1].fd);
	must(run_virqctl("save", "--pid", spid, "--fd", sfd, "-o", file, NULL),
	     "save");
	if (sc->show)
		must(run_virqctl("show", file, NULL), "show");
	must(run_virqctl("restore", "--pid", dpid, "--fd", dfd, "-i", file,
			 NULL), "restore");
	must(run_virqctl("save", "--pid", dpid, "--fd", dfd, "-q", "-o",
			 file2, NULL), "save of the destination");
	st = run_virqctl("diff", file, file2, NULL);
	if (!st)
		printf("    (no output, exit status 0: the destination holds the saved state)\n");
	must(st, "diff");

	/* both run on: the source too, so that there is something to compare */
	if (write(sgo[1], &c, 1) != 1 || write(dgo[1], &c, 1) != 1)
		goto out_kill;
	if (waitpid(src, &st, 0) != src || !WIFEXITED(st) ||
	    WEXITSTATUS(st) || waitpid(dst, &st, 0) != dst ||
	    !WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("   !! a VMM failed\n");
		failures++;
	}
	side_by_side(sc, &rep[0], &rep[1]);
	ret = 0;
	goto out;

out_kill:
	printf("   !! a VMM could not start\n");
	failures++;
out:
	/* closing the go pipes ends VMMs still waiting (read() sees EOF) */
	close_fd(&sgo[1]);
	close_fd(&dgo[1]);
	while (wait(NULL) > 0)
		;
	for (i = 0; i < 8; i++)
		close_fd(&pipes[i / 2][i % 2]);
	unlink(file);
	unlink(file2);
	munmap(rep, 2 * sizeof(*rep));
	return ret;
}

static void find_virqctl(const char *arg)
{
	const char *env = getenv("VIRQCTL");
	char exe[PATH_MAX];
	ssize_t n;

	if (arg || (env && *env)) {
		snprintf(virqctl, sizeof(virqctl), "%s", arg ? arg : env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	snprintf(virqctl, sizeof(virqctl), "%s/virqctl", dirname(exe));
}

int main(int argc, char **argv)
{
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	find_virqctl(argc > 1 ? argv[1] : NULL);
	printf("== Live migration: the interrupt state moves from one VMM process to another\n");
	printf("(virqctl takes each VMM's instance fd with pidfd_getfd(); %s)\n",
	       virqctl);
	if (access(virqctl, X_OK)) {
		printf("migrate-demo: no virqctl at %s: %s\n", virqctl,
		       strerror(errno));
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(scenes); i++)
		migrate_scene(&scenes[i]);
	printf("\n%s\n", failures ?
	       "migration demo FAILED" :
	       "migration demo done: after the migration both VMMs' vCPUs received the same");
	return failures ? 1 : 0;
}
