// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_bench: what moving a whole instance's interrupt state costs, with
 * libvirq, in the guest (`make bench`).  Figures, not tests: one run of
 * each operation, timed with CLOCK_MONOTONIC, printed in ms and as a
 * ratio to a null ioctl (an unknown command on the instance fd: dispatch
 * and nothing else, best of 3 x 20000) measured in the same run.
 *
 * Instances:
 *  - x86, default options (PIC pair, one 24-pin IOAPIC), 24 GSIs, with
 *    1, 64 and 1024 vCPUs (1024 is the default of the module parameter
 *    max_vcpus, the family itself takes 4096; a smaller limit is used
 *    and said).  Every LAPIC in x2APIC mode and software-enabled, one
 *    fixed IPI pending in each (vCPU i to vCPU i + 1), one one-shot timer
 *    armed in each (~550 s), GSI 17 a level line held high and in service
 *    on vCPU 0 (remote IRR).
 *  - XICS, 1M sources (nr_sources 1 << 20), 16 servers:
 *    sparse: 3 of the 1024 ICS blocks touched (the first, one in the
 *    middle, the last), 8 sources configured in each, two of them fired;
 *    dense: every source configured (VIRQ_SET_SOURCES: server i % 16,
 *    priority 5, odd sources level-sensitive).
 *
 * Columns:
 *   save      libvirq_save(): every ioctl that reads the state, into memory
 *   encode    libvirq_encode(): the file's bytes, in memory
 *   write     open, write and close of the file in /tmp (tmpfs in the guest)
 *   decode    read the file back and libvirq_decode() it (every CRC and
 *             check)
 *   restore   libvirq_restore() into a fresh instance of the configuration,
 *             with its dry run into a scratch instance (virqctl's default)
 *   no-dry    the same with LIBVIRQ_RESTORE_NO_DRY_RUN (another fresh one)
 *   bytes     the file size
 * Creating the instances is not timed, nor a first pass of each family
 * (x86 on 2 vCPUs, the sparse XICS case): TCG translates each code path
 * on its first run.  The round trip is checked: the
 * restored instance, saved again, has no difference with the file
 * (libvirq_diff()); a failure there, or of any call, exits 1.
 *
 * Then `virqctl save --pid <this process> --fd N -o FILE` of the largest
 * x86 instance, its wall time from fork to exit (pidfd_getfd of every
 * fd, save, encode, write; its own report follows), and its file against
 * libvirq's.  virqctl is found as $VIRQCTL, beside this program, or in
 * /bin/tests/; without it that line says so.
 *
 * Usage: migrate_bench
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/libvirq.h"

#define X86_WANT_VCPUS	1024
#define X86_SOURCES	24
#define X86_GSI		17
#define XICS_SERVERS	16
#define XICS_SOURCES	(1U << 20)
#define FILE_PATH	"/tmp/migrate_bench.virq"
#define VIRQCTL_FILE	"/tmp/migrate_bench.virqctl.virq"

static double null_ns;
static char virqctl[PATH_MAX];

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what, int err, const struct libvirq_err *e)
{
	if (e && e->msg[0])
		fprintf(stderr, "migrate_bench: %s: %s\n", what, e->msg);
	else
		fprintf(stderr, "migrate_bench: %s: %s\n", what,
			strerror(err < 0 ? -err : err));
	exit(1);
}

/* An instance and its vCPU fds, as libvirq sees it */
struct inst {
	struct libvirq_chip chip;
};

static void inst_create(struct inst *in, const struct libvirq_config *cfg)
{
	struct libvirq_err e = { 0 };
	__u32 i;
	int ret;

	memset(in, 0, sizeof(*in));
	in->chip.vcpus = calloc(cfg->nr_vcpus, sizeof(*in->chip.vcpus));
	if (!in->chip.vcpus)
		die("calloc", ENOMEM, NULL);
	in->chip.fd = libvirq_open();
	if (in->chip.fd < 0)
		die("/dev/virq", in->chip.fd, NULL);
	ret = libvirq_create_from_config(in->chip.fd, cfg);
	if (ret)
		die("VIRQ_CREATE_CHIP", ret, NULL);
	for (i = 0; i < cfg->nr_vcpus; i++) {
		ret = libvirq_create_vcpu(in->chip.fd, i, i);
		if (ret < 0)
			die("VIRQ_CREATE_VCPU", ret, NULL);
		in->chip.vcpus[i].fd = ret;
		in->chip.nr_vcpus++;
	}
	ret = libvirq_probe(&in->chip, &e);
	if (ret)
		die("probe", ret, &e);
}

static void inst_close(struct inst *in)
{
	__u32 i;

	for (i = 0; i < in->chip.nr_vcpus; i++)
		close(in->chip.vcpus[i].fd);
	close(in->chip.fd);
	free(in->chip.vcpus);
	memset(in, 0, sizeof(*in));
}

static void check(int ret, const char *what)
{
	if (ret < 0)
		die(what, ret, NULL);
}

/* --- x86 ------------------------------------------------------------------ */

static void msr(const struct inst *in, __u32 v, __u32 index, bool write,
		__u64 *val)
{
	check(libvirq_vcpu_access(in->chip.vcpus[v].fd, VIRQ_SPACE_MSR, index,
				  8, write, val), "MSR access");
}

static void msr_write(const struct inst *in, __u32 v, __u32 index,
		      __u64 val)
{
	msr(in, v, index, true, &val);
}

static void ioapic_write(const struct inst *in, __u32 reg, __u32 val)
{
	__u64 d = reg;
	int fd = in->chip.vcpus[0].fd;

	check(libvirq_vcpu_access(fd, VIRQ_SPACE_MMIO,
				  VIRQ_X86_IOAPIC_DEFAULT_BASE, 4, true, &d),
	      "IOREGSEL");
	d = val;
	check(libvirq_vcpu_access(fd, VIRQ_SPACE_MMIO,
				  VIRQ_X86_IOAPIC_DEFAULT_BASE + 0x10, 4, true,
				  &d), "IOWIN");
}

static void x86_setup(const struct inst *in)
{
	struct virq_x86_tsc tsc = { .tsc_khz = 1000000 };
	__u32 n = in->chip.nr_vcpus, v;
	__u64 base, vec;

	for (v = 0; v < n; v++) {
		int fd = in->chip.vcpus[v].fd;

		check(libvirq_vcpu_set_attr(fd, VIRQ_X86_VGRP_TSC, 0, &tsc,
					    sizeof(tsc)), "TSC");
		msr(in, v, VIRQ_X86_MSR_APIC_BASE, false, &base);
		msr_write(in, v, VIRQ_X86_MSR_APIC_BASE, base | 1 << 10);
		msr_write(in, v, 0x80f, 0x1ff);		/* SVR */
		msr_write(in, v, 0x83e, 0xa);		/* TDCR: by 128 */
		msr_write(in, v, 0x832, 0xee);		/* LVTT: one-shot */
		msr_write(in, v, 0x838, 0xffffffff);	/* TMICT: ~550 s */
	}
	ioapic_write(in, 0x10 + 2 * X86_GSI, 0x3a | 1 << 15);	/* level */
	ioapic_write(in, 0x11 + 2 * X86_GSI, 0);		/* APIC 0 */
	check(libvirq_irq_line(in->chip.fd, X86_GSI, VIRQ_LINE_SET, NULL),
	      "VIRQ_IRQ_LINE");
	/* vCPU 0 takes it: 0x3a in service, remote IRR set */
	check(libvirq_vcpu_ack(in->chip.vcpus[0].fd, 0, &vec), "INTA");
	if (vec != 0x3a)
		die("INTA of GSI 17", EPROTO, NULL);
	for (v = 0; v < n; v++)		/* ICR: fixed IPI to the next */
		msr_write(in, v, 0x830, (__u64)((v + 1) % n) << 32 |
			  (0x40 + v % 0x80));
}

/* --- XICS ----------------------------------------------------------------- */

static void xics_call(const struct inst *in, __u32 nr, __u64 a0, __u64 a1,
		      __u64 a2)
{
	struct virq_call c = { .nr = nr, .args = { a0, a1, a2 } };

	check(libvirq_chip_call(in->chip.fd, &c), "RTAS call");
	if (c.ret)
		die("RTAS call status", EPROTO, NULL);
}

static void xics_sparse(const struct inst *in)
{
	static const __u32 blocks[] = { 0, 512, 1023 };
	__u32 b, i, src;

	for (b = 0; b < 3; b++)
		for (i = 0; i < 8; i++) {
			src = blocks[b] << VIRQ_XICS_ICS_SHIFT | (0x20 + i);
			xics_call(in, VIRQ_XICS_CALL_SET_XIVE, src,
				  i % XICS_SERVERS, 5);
			if (i < 2)
				check(libvirq_irq_line(in->chip.fd, src,
						       VIRQ_LINE_EDGE, NULL),
				      "VIRQ_IRQ_LINE");
		}
}

static void xics_dense(const struct inst *in)
{
	__u64 *w = malloc(VIRQ_SOURCES_MAX * sizeof(*w));
	__u32 first, i, src;

	if (!w)
		die("malloc", ENOMEM, NULL);
	for (first = 0; first < XICS_SOURCES; first += VIRQ_SOURCES_MAX) {
		for (i = 0; i < VIRQ_SOURCES_MAX; i++) {
			src = first + i;
			w[i] = libvirq_fresh_word(VIRQ_FAMILY_XICS);
			if (src < VIRQ_XICS_FIRST_SOURCE)
				continue;
			w[i] = src % XICS_SERVERS |
			       5ULL << VIRQ_XICS_PRIORITY_SHIFT;
			if (src & 1)
				w[i] |= VIRQ_XICS_LEVEL_SENSITIVE;
		}
		check(libvirq_set_sources(in->chip.fd, first,
					  VIRQ_SOURCES_MAX, w),
		      "VIRQ_SET_SOURCES");
	}
	free(w);
}

/* --- the measurements ----------------------------------------------------- */

struct bcase {
	const char *name;
	struct libvirq_config cfg;
	void (*setup)(const struct inst *in);
};

static int count_diff(const struct libvirq_diff *d, void *arg)
{
	if (++*(long *)arg <= 3)
		fprintf(stderr, "migrate_bench: differs: %s %#llx %s: %#llx != %#llx\n",
			d->what, (unsigned long long)d->id, d->field,
			(unsigned long long)d->a, (unsigned long long)d->b);
	return 0;
}

/* The live state of @in against @st: the number of differences */
static long live_diff(const struct inst *in, const struct libvirq_state *st)
{
	struct libvirq_state now;
	struct libvirq_err e = { 0 };
	long n = 0;
	int ret;

	ret = libvirq_save(&in->chip, &now, NULL, &e);
	if (ret)
		die("save of the target", ret, &e);
	libvirq_diff(st, &now, 0, count_diff, &n);
	libvirq_state_free(&now);
	return n;
}

static void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		die(path, errno, NULL);
	if (write(fd, buf, len) != (ssize_t)len)
		die(path, errno ? errno : EIO, NULL);
	if (close(fd))
		die(path, errno, NULL);
}

static void *read_file(const char *path, size_t *len)
{
	struct stat sb;
	void *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &sb))
		die(path, errno, NULL);
	buf = malloc(sb.st_size ? sb.st_size : 1);
	if (!buf || read(fd, buf, sb.st_size) != sb.st_size)
		die(path, errno ? errno : EIO, NULL);
	close(fd);
	*len = sb.st_size;
	return buf;
}

/*
 * `virqctl save --pid <us> --fd N` of @in, its vCPU fds found in
 * /proc/<us>/fd by their fdinfo instance id: its wall time, its own
 * report, its file against @st
 */
static void virqctl_save(const struct inst *in, const struct libvirq_state *st)
{
	char pid[16], fd[16], line[512];
	struct libvirq_state vst;
	struct libvirq_err e = { 0 };
	int p[2], status;
	double t0, t1;
	size_t len;
	long n = 0;
	void *buf;
	FILE *f;
	pid_t child;

	if (!virqctl[0]) {
		printf("# virqctl save: no virqctl binary ($VIRQCTL, beside this program, /bin/tests/): not measured\n");
		return;
	}
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(fd, sizeof(fd), "%d", in->chip.fd);
	if (pipe(p))
		die("pipe", errno, NULL);
	fflush(NULL);
	t0 = now_ms();
	child = fork();
	if (child < 0)
		die("fork", errno, NULL);
	if (!child) {
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execl(virqctl, "virqctl", "save", "--pid", pid, "--fd", fd,
		      "-o", VIRQCTL_FILE, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (f && fgets(line, sizeof(line), f))
		printf("#   %s", line);
	if (f)
		fclose(f);
	if (waitpid(child, &status, 0) != child)
		die("waitpid", errno, NULL);
	t1 = now_ms();
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("virqctl save", EPROTO, NULL);
	buf = read_file(VIRQCTL_FILE, &len);
	if (libvirq_decode(buf, len, &vst, &e))
		die("decode of virqctl's file", EPROTO, &e);
	libvirq_diff(st, &vst, 0, count_diff, &n);
	if (n)
		die("virqctl's file differs from libvirq's", EPROTO, NULL);
	printf("# virqctl save --pid %s --fd %s (x86, %u vCPUs): %.1f ms wall, fork to exit (%.0f null ioctls); %zu bytes, the same state as libvirq's\n",
	       pid, fd, in->chip.nr_vcpus, t1 - t0, (t1 - t0) * 1e6 / null_ns,
	       len);
	libvirq_state_free(&vst);
	free(buf);
	unlink(VIRQCTL_FILE);
}

static void run_case(const struct bcase *bc, bool quiet, bool with_virqctl)
{
	double t0, save, encode, wr, decode, restore, nodry;
	struct libvirq_state st, dec;
	struct libvirq_err e = { 0 };
	struct inst a, b;
	size_t len, rlen;
	void *buf, *rbuf;
	int ret;

	inst_create(&a, &bc->cfg);
	bc->setup(&a);

	t0 = now_ms();
	ret = libvirq_save(&a.chip, &st, NULL, &e);
	save = now_ms() - t0;
	if (ret)
		die("libvirq_save", ret, &e);
	t0 = now_ms();
	ret = libvirq_encode(&st, &buf, &len, &e);
	encode = now_ms() - t0;
	if (ret)
		die("libvirq_encode", ret, &e);
	t0 = now_ms();
	write_file(FILE_PATH, buf, len);
	wr = now_ms() - t0;
	t0 = now_ms();
	rbuf = read_file(FILE_PATH, &rlen);
	ret = libvirq_decode(rbuf, rlen, &dec, &e);
	decode = now_ms() - t0;
	if (ret)
		die("libvirq_decode", ret, &e);

	inst_create(&b, &bc->cfg);
	t0 = now_ms();
	ret = libvirq_restore(&dec, &b.chip, 0, NULL, &e);
	restore = now_ms() - t0;
	if (ret)
		die("libvirq_restore", ret, &e);
	if (live_diff(&b, &dec))
		die("the restored instance differs from the file", EPROTO,
		    NULL);
	inst_close(&b);

	inst_create(&b, &bc->cfg);
	t0 = now_ms();
	ret = libvirq_restore(&dec, &b.chip, LIBVIRQ_RESTORE_NO_DRY_RUN, NULL,
			      &e);
	nodry = now_ms() - t0;
	if (ret)
		die("libvirq_restore (no dry run)", ret, &e);
	if (live_diff(&b, &dec))
		die("the restored instance differs from the file", EPROTO,
		    NULL);
	inst_close(&b);

	if (!quiet)
		printf("%-12s %5u %8u %9zu %9.2f %8.2f %8.2f %8.2f %9.2f %8.2f   %.0f / %.0f\n",
		       bc->name, bc->cfg.nr_vcpus, bc->cfg.nr_sources, len,
		       save, encode, wr, decode, restore, nodry,
		       save * 1e6 / null_ns, restore * 1e6 / null_ns);
	/* only this instance is open now: virqctl finds its vCPU fds */
	if (with_virqctl)
		virqctl_save(&a, &st);
	libvirq_state_free(&st);
	libvirq_state_free(&dec);
	free(buf);
	free(rbuf);
	unlink(FILE_PATH);
	inst_close(&a);
}

static void find_virqctl(void)
{
	const char *env = getenv("VIRQCTL");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(virqctl, sizeof(virqctl), "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		snprintf(virqctl, sizeof(virqctl), "%s/virqctl", dirname(exe));
		if (!access(virqctl, X_OK))
			return;
	}
	snprintf(virqctl, sizeof(virqctl), "/bin/tests/virqctl");
	if (access(virqctl, X_OK))
		virqctl[0] = 0;
}

/* An unknown command on @fd, best of 3 rounds of 20000: ns per call */
static double null_ioctl_ns(int fd)
{
	double best = 0, t0, t;
	int round;
	long i;

	for (round = 0; round < 3; round++) {
		t0 = now_ms();
		for (i = 0; i < 20000; i++)
			ioctl(fd, _IO(VIRQIO, 0x3f));
		t = (now_ms() - t0) * 1e6 / 20000;
		if (!round || t < best)
			best = t;
	}
	return best;
}

int main(void)
{
	struct virq_family_info x86 = { 0 }, xics = { 0 };
	struct rlimit rl = { 32768, 32768 };
	struct virq_api api = { 0 };
	__u32 nr[3] = { 1, 64, X86_WANT_VCPUS }, i;
	struct bcase bc;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = libvirq_open();
	if (fd < 0) {
		printf("migrate_bench: /dev/virq: %s\n", strerror(-fd));
		return 1;
	}
	if (libvirq_get_api(fd, &api) ||
	    libvirq_get_family(fd, VIRQ_FAMILY_X86, &x86) ||
	    libvirq_get_family(fd, VIRQ_FAMILY_XICS, &xics)) {
		printf("migrate_bench: needs the x86 and XICS families\n");
		return 4;
	}
	null_ns = null_ioctl_ns(fd);
	close(fd);
	/* three instances of 1024 vCPUs at once: 4 fds beyond 1024 each */
	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("migrate_bench: RLIMIT_NOFILE");
	find_virqctl();

	printf("# migrate-bench: libvirq save and restore of whole instances, one run each, times in ms\n");
	printf("# module: max_vcpus %u (x86 family %u, XICS %u), max_sources %u; null ioctl %.0f ns\n",
	       api.max_vcpus, x86.max_vcpus, xics.max_vcpus, api.max_sources,
	       null_ns);
	if (x86.max_vcpus < X86_WANT_VCPUS) {
		printf("# x86: %u vCPUs exceed max_vcpus: %u used instead\n",
		       X86_WANT_VCPUS, x86.max_vcpus);
		nr[2] = x86.max_vcpus;
	}
	/*
	 * A first pass of each family, not reported (x86 on 2 vCPUs):
	 * TCG translates each code path on its first run, and the first
	 * figure would be mostly that.
	 */
	bc = (struct bcase){
		.cfg = { .family = VIRQ_FAMILY_X86, .nr_vcpus = 2,
			 .nr_sources = X86_SOURCES },
		.setup = x86_setup,
	};
	run_case(&bc, true, false);

	printf("%-12s %5s %8s %9s %9s %8s %8s %8s %9s %8s   %s\n", "instance",
	       "vcpus", "sources", "bytes", "save", "encode", "write",
	       "decode", "restore", "no-dry", "save / restore in null ioctls");
	for (i = 0; i < 3; i++) {
		if (i && nr[i] <= nr[i - 1])
			continue;
		bc = (struct bcase){
			.name = "x86",
			.cfg = { .family = VIRQ_FAMILY_X86, .nr_vcpus = nr[i],
				 .nr_sources = X86_SOURCES },
			.setup = x86_setup,
		};
		run_case(&bc, false, i == 2);
	}
	bc = (struct bcase){
		.name = "xics-sparse",
		.cfg = { .family = VIRQ_FAMILY_XICS,
			 .nr_vcpus = XICS_SERVERS,
			 .nr_sources = XICS_SOURCES },
		.setup = xics_sparse,
	};
	if (xics.max_sources >= XICS_SOURCES &&
	    api.max_sources >= XICS_SOURCES) {
		run_case(&bc, true, false);	/* first pass */
		run_case(&bc, false, false);
		bc.name = "xics-dense";
		bc.setup = xics_dense;
		run_case(&bc, false, false);
	} else {
		printf("# XICS: 1M sources exceed max_sources %u: not measured\n",
		       api.max_sources);
	}
	return 0;
}
