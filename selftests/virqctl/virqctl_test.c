// SPDX-License-Identifier: GPL-2.0
/*
 * virqctl and libvirq: the state file, save and restore.
 *
 *  - Round trip per family under a random workload: the source instance
 *    (this process) is saved with libvirq; a destination process creates
 *    a fresh instance; virqctl, a third process, restores the file into
 *    it through pidfd_getfd(); the destination saves what it has and
 *    `virqctl diff` finds no difference; then both instances get the
 *    same further operations and every vCPU must receive the same
 *    interrupts in the same order.  `virqctl save --pid` of the
 *    destination gives the same file again.
 *  - Refusals: a bit flipped in every section, truncations, a wrong
 *    family, configuration or vCPU count, an unknown required section, a
 *    future format or section version, a blob the kernel refuses; a
 *    target created with other options, nr_vcpus or vCPU ids, vCPU fds
 *    repeated, missing, not vCPUs or another instance's (of the same
 *    configuration and ids): each refused with its message, and the
 *    target reads back unchanged.
 *  - Two instances in one process: the vCPU fds virqctl finds are those
 *    of the instance named (fdinfo says whose), in the VMM (--pid) and
 *    among virqctl's own fds.
 *  - What the instance says it is (VIRQ_GET_CHIP, VIRQ_VCPU_GET_ID):
 *    `virqctl info` and `show` report the options exactly as created and
 *    each vCPU by the arch_id it was created with, whatever the guest
 *    wrote into its xAPIC ID register.
 *  - The fixture files written by the first version of the format
 *    (fixtures/, embedded at build time: x86, XICS, GICv3 without an
 *    ITS) restore into a fresh instance, read back as saved and deliver
 *    what they held in the order the architecture gives (GICv3: also
 *    `virqctl show` and `diff` of the file).  They were written on
 *    x86_64; the matrix runs this test in arm64 and ppc64le guests too.
 *
 * libvirq and virqctl are compiled into this program (the selftests
 * Makefile builds one .c per test): virqctl runs as the binary named by
 * $VIRQCTL, or next to this program, or /bin/tests/virqctl, and else
 * (or with VIRQCTL set to "") as virqctl_run() in a forked child.
 * Either way it is another process.
 *
 * VIRQCTL_TEST_WRITE_FIXTURES=DIR makes the fixtures tests write the
 * fixture scenarios' files into DIR instead (how fixtures/ was made: in
 * the x86_64 guest, then out through the serial console, e.g.
 *   run.sh ... -- @env VIRQCTL_TEST_WRITE_FIXTURES=/tmp \
 *     /bin/tests/virqctl_test --- @base64 /tmp/gicv3-v1.virq
 * and base64 -d of the lines between the VIRQ-PROG markers).  A fixture
 * is written once, by the first version of its family's sections, and
 * never again: only a new family's fixture is added.
 */
#define VIRQCTL_NO_MAIN
#include "../../lib/libvirq.c"
#include "../../lib/state.c"
#include "../../tools/virqctl/virqctl.c"

#include <libgen.h>
#include <signal.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <kselftest_harness.h>

/*
 * The fixture files, embedded (paths relative to selftests/, where the
 * selftests Makefile runs the compiler)
 */
#define EMBED(sym, file)						\
	__asm__(".pushsection .rodata\n"				\
		".balign 16\n"						\
		".globl " #sym "\n" #sym ":\n"				\
		".incbin \"" file "\"\n"				\
		".globl " #sym "_end\n" #sym "_end:\n"			\
		".popsection\n")

EMBED(fx_xics, "virqctl/fixtures/xics-v1.virq");
EMBED(fx_x86, "virqctl/fixtures/x86-v1.virq");
EMBED(fx_gicv3, "virqctl/fixtures/gicv3-v1.virq");
extern const unsigned char fx_xics[], fx_xics_end[];
extern const unsigned char fx_x86[], fx_x86_end[];
extern const unsigned char fx_gicv3[], fx_gicv3_end[];

#define MAX_VCPUS	8
#define LOG_MAX		16384
#define LAPIC_BASE	VIRQ_X86_LAPIC_DEFAULT_BASE
#define SPURIOUS	0xff

/* --- small helpers -------------------------------------------------------- */

static bool have_family(__u32 family)
{
	struct virq_api api;
	int fd = libvirq_open();
	bool ok;

	if (fd < 0)
		return false;
	ok = !libvirq_get_api(fd, &api) && (api.families & (1ULL << family));
	close(fd);
	return ok;
}

static __u64 rnd(__u64 *s, __u64 n)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return n ? *s % n : *s;
}

/* What the vCPUs received and every call returned, in order */
struct oplog {
	__u32 n;
	__u64 e[LOG_MAX];
};

static void lg(struct oplog *l, __u64 op, __u64 v)
{
	if (l->n + 2 > LOG_MAX)
		return;
	l->e[l->n++] = op;
	l->e[l->n++] = v;
}

/*
 * Both sides logged the same (more than a token amount), entry by entry;
 * returns how many entries are equal
 */
static __u32 expect_same_log(struct __test_metadata *_metadata,
			     const struct oplog *a, const struct oplog *b)
{
	__u32 i;

	EXPECT_EQ(a->n, b->n);
	for (i = 0; i < a->n && i < b->n; i++)
		if (a->e[i] != b->e[i])
			break;
	EXPECT_EQ(a->n, i) {
		TH_LOG("logs differ at entry %u: %#llx vs %#llx", i,
		       (unsigned long long)a->e[i],
		       (unsigned long long)b->e[i]);
	}
	EXPECT_LT(100U, a->n);
	return i;
}

/*
 * An instance of a configuration, with its vCPUs, as a libvirq_chip:
 * what libvirq_probe() says it is, which must be what was created.
 */
struct inst {
	struct libvirq_chip chip;
	struct libvirq_vcpu v[MAX_VCPUS];
	__u32 nr;
	int efd;	/* a resampling irqfd's eventfd, or -1 */
	int rfd;	/* and its resample eventfd */
};

static int inst_create(struct inst *in, const struct libvirq_config *cfg,
		       const __u64 *ids, __u32 nr)
{
	struct libvirq_err e;
	__u32 i;
	int ret;

	memset(in, 0, sizeof(*in));
	in->efd = -1;
	in->rfd = -1;
	in->chip.fd = libvirq_open();
	if (in->chip.fd < 0)
		return in->chip.fd;
	in->chip.vcpus = in->v;
	ret = libvirq_create_from_config(in->chip.fd, cfg);
	if (ret)
		return ret;
	for (i = 0; i < nr; i++) {
		ret = libvirq_create_vcpu(in->chip.fd, i, ids[i]);
		if (ret < 0)
			return ret;
		in->v[i].fd = ret;
		in->chip.nr_vcpus = ++in->nr;
	}
	ret = libvirq_probe(&in->chip, &e);
	if (ret) {
		fprintf(stderr, "# probe: %s\n", e.msg);
		return ret;
	}
	if (in->chip.cfg.family != cfg->family ||
	    in->chip.cfg.nr_vcpus != cfg->nr_vcpus ||
	    in->chip.cfg.nr_sources != cfg->nr_sources ||
	    memcmp(&in->chip.cfg.x86_options, &cfg->x86_options,
		   sizeof(cfg->x86_options))) {
		fprintf(stderr, "# probe: not the configuration created\n");
		return -EPROTO;
	}
	for (i = 0; i < nr; i++)
		if (in->v[i].index != i || in->v[i].arch_id != ids[i]) {
			fprintf(stderr, "# probe: vCPU %u is %u, arch_id %#llx\n",
				i, in->v[i].index,
				(unsigned long long)in->v[i].arch_id);
			return -EPROTO;
		}
	return 0;
}

static void inst_close(struct inst *in)
{
	__u32 i;

	for (i = 0; i < in->nr; i++)
		close(in->v[i].fd);
	if (in->efd >= 0)
		close(in->efd);
	if (in->rfd >= 0)
		close(in->rfd);
	if (in->chip.fd >= 0)
		close(in->chip.fd);
	in->efd = -1;
	in->rfd = -1;
	in->nr = 0;
	in->chip.fd = -1;
}

/* "FD,..." for virqctl --vcpu-fds, last vCPU first: any order does */
static void vcpu_spec(const struct inst *in, char *buf, size_t n)
{
	size_t k = 0;
	__u32 i;

	buf[0] = 0;
	for (i = in->nr; i-- && k < n;)
		k += snprintf(buf + k, n - k, "%s%d", k ? "," : "",
			      in->v[i].fd);
}

static int save_file(const struct inst *in, const char *path,
		     struct libvirq_state *keep)
{
	struct libvirq_state st;
	struct libvirq_err e;
	size_t len;
	void *buf;
	int ret;

	ret = libvirq_save(&in->chip, &st, NULL, &e);
	if (ret) {
		fprintf(stderr, "# save: %s\n", e.msg);
		return ret;
	}
	ret = libvirq_encode(&st, &buf, &len, &e);
	if (!ret) {
		ret = vc_write_file(path, buf, len);
		free(buf);
	}
	if (keep && !ret)
		*keep = st;
	else
		libvirq_state_free(&st);
	return ret;
}

static long diff_states(const struct libvirq_state *a,
			const struct libvirq_state *b)
{
	return libvirq_diff(a, b, 0, vc_diff_print, NULL);
}

/* The live state of @in against the state @before: 0 when unchanged */
static long diff_live(const struct inst *in,
		      const struct libvirq_state *before)
{
	struct libvirq_state now;
	struct libvirq_err e;
	long n;

	if (libvirq_save(&in->chip, &now, NULL, &e))
		return -1;
	n = diff_states(before, &now);
	libvirq_state_free(&now);
	return n;
}

/* --- running virqctl ------------------------------------------------------ */

static char virqctl_bin[PATH_MAX];
static int virqctl_uid = -1;	/* run virqctl as this user if >= 0 */
static const struct inst *virqctl_also;	/* and leave it these fds too */

static void find_virqctl(void)
{
	const char *env = getenv("VIRQCTL");
	char exe[PATH_MAX];
	ssize_t n;

	virqctl_bin[0] = 0;
	if (env && !*env)	/* VIRQCTL= (empty): virqctl_run() */
		return;
	if (env && !access(env, X_OK)) {
		snprintf(virqctl_bin, sizeof(virqctl_bin), "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		snprintf(virqctl_bin, sizeof(virqctl_bin), "%s/virqctl",
			 dirname(exe));
		if (!access(virqctl_bin, X_OK))
			return;
	}
	snprintf(virqctl_bin, sizeof(virqctl_bin), "/bin/tests/virqctl");
	if (access(virqctl_bin, X_OK))
		virqctl_bin[0] = 0;
}

/* The fds of @in (may be NULL) stay open across exec */
static void inst_inherit(const struct inst *in)
{
	__u32 i;

	if (!in)
		return;
	fcntl(in->chip.fd, F_SETFD, 0);
	for (i = 0; i < in->nr; i++)
		fcntl(in->v[i].fd, F_SETFD, 0);
}

/*
 * Run "virqctl ARGS..." (NULL-terminated) in a new process; the fds of
 * @keep and virqctl_also (may be NULL) stay open in it; its stdout and
 * stderr go to @out.  Returns its exit status, or -1.
 */
static int run_virqctl(const char *out, const struct inst *keep, ...)
{
	char *argv[32];
	int argc = 0, status, fd;
	va_list ap;
	pid_t pid;

	argv[argc++] = "virqctl";
	va_start(ap, keep);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		if (virqctl_uid >= 0 &&
		    (setgid(virqctl_uid) || setuid(virqctl_uid)))
			_exit(125);
		inst_inherit(keep);
		inst_inherit(virqctl_also);
		if (virqctl_bin[0]) {
			execv(virqctl_bin, argv);
			_exit(127);
		}
		/* no exec: close what it would (virqctl looks at its fds) */
		for (fd = 3; fd < 4096; fd++)
			if (fcntl(fd, F_GETFD) == FD_CLOEXEC)
				close(fd);
		status = virqctl_run(argc, argv);
		fflush(NULL);
		_exit(status);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Does file @path contain @s?  If not, and @loud, say what it has */
static bool file_contains(const char *path, const char *s, bool loud)
{
	size_t len;
	void *buf;
	bool ok;

	if (vc_read_file(path, &buf, &len))
		return false;
	ok = memmem(buf, len, s, strlen(s));
	if (!ok && loud)
		fprintf(stderr, "# %s lacks \"%s\"; it has: %.*s\n", path, s,
			(int)(len > 600 ? 600 : len), (char *)buf);
	free(buf);
	return ok;
}

static bool file_has(const char *path, const char *s)
{
	return file_contains(path, s, true);
}

/* The same, silent: for what must not be there */
static bool file_has_quiet(const char *path, const char *s)
{
	return file_contains(path, s, false);
}

static void rm_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* --- XICS: configuration, workload, drain --------------------------------- */

static const __u64 xics_ids[] = { 0x10, 0x2a, 0x7, 0x100 };
#define XICS_NR		4
#define XICS_SOURCES	2048

static void xics_config(struct libvirq_config *c)
{
	memset(c, 0, sizeof(*c));
	c->family = VIRQ_FAMILY_XICS;
	c->nr_vcpus = XICS_NR;
	c->nr_sources = XICS_SOURCES;
}

static void xics_call(const struct inst *in, struct oplog *l, int vcpu,
		      __u32 nr, __u64 a0, __u64 a1, __u64 a2)
{
	struct virq_call c = { .nr = nr, .args = { a0, a1, a2 } };
	int ret;

	if (vcpu < 0)
		ret = libvirq_chip_call(in->chip.fd, &c);
	else
		ret = libvirq_vcpu_call(in->v[vcpu].fd, &c);
	lg(l, nr << 8 | (vcpu & 0xff), (__u64)ret << 32 ^ c.ret);
	lg(l, c.rets[0], c.rets[1]);
}

static void xics_line(const struct inst *in, struct oplog *l, __u32 src,
		      __u32 op)
{
	int st = 0x5a5a, ret = libvirq_irq_line(in->chip.fd, src, op, &st);

	lg(l, 0x1000 | op, (__u64)ret << 32 ^ (__u32)st ^ (__u64)src << 40);
}

/* Take the highest-priority interrupt of vCPU @v (H_XIRR); EOI it maybe */
static __u64 xics_ack(const struct inst *in, struct oplog *l, int v,
		      bool eoi)
{
	__u64 xirr = 0;
	int ret = libvirq_vcpu_ack(in->v[v].fd, 0, &xirr);

	lg(l, 0x2000 | v, (__u64)ret << 32 ^ xirr);
	if (eoi && (xirr & VIRQ_XICS_XIRR_XISR_MASK))
		xics_call(in, l, v, VIRQ_XICS_H_EOI, xirr, 0, 0);
	return xirr;
}

/* Every vCPU's output lines, logged as @tag | vCPU */
static void log_outputs(const struct inst *in, struct oplog *l, __u64 tag)
{
	struct virq_vcpu_output o;
	__u32 i;

	for (i = 0; i < in->nr; i++) {
		libvirq_vcpu_get_output(in->v[i].fd, &o);
		lg(l, tag | i, o.lines);
	}
}

static void xics_setup(const struct inst *in, struct oplog *l)
{
	__u32 i;

	for (i = 0; i < in->nr; i++)
		xics_call(in, l, i, VIRQ_XICS_H_CPPR, 0xff, 0, 0);
	for (i = 16; i < 32; i++)	/* LSIs: 16..31; MSIs: 32..79 */
		xics_call(in, l, -1, VIRQ_XICS_CALL_SET_LSI, i, 1, 0);
	xics_call(in, l, -1, VIRQ_XICS_CALL_MSI_ALLOC, 4, 0, 0);
	xics_call(in, l, -1, VIRQ_XICS_CALL_MSI_ALLOC, 16, 0, 0);
}

static void xics_ops(const struct inst *in, __u64 seed, int n,
		     struct oplog *l)
{
	static const __u8 prios[] = { 0, 2, 3, 5, 6, 7, 0xff };
	static const __u8 cpprs[] = { 0, 4, 6, 0xff, 0xff };
	__u64 s = seed;
	__u32 src, v, srv;
	int i;

	for (i = 0; i < n; i++) {
		src = 16 + rnd(&s, 64);
		v = rnd(&s, in->nr);
		srv = in->v[rnd(&s, in->nr)].arch_id;
		switch (rnd(&s, 13)) {
		case 0:
		case 1:
			xics_call(in, l, -1, VIRQ_XICS_CALL_SET_XIVE, src, srv,
				  prios[rnd(&s, sizeof(prios))]);
			break;
		case 2:
			xics_call(in, l, -1, rnd(&s, 2) ?
				  VIRQ_XICS_CALL_INT_OFF :
				  VIRQ_XICS_CALL_INT_ON, src, 0, 0);
			break;
		case 3:
		case 4:
			xics_line(in, l, src, VIRQ_LINE_EDGE);
			break;
		case 5:
			xics_line(in, l, src, VIRQ_LINE_SET);
			break;
		case 6:
			xics_line(in, l, src, VIRQ_LINE_RESET);
			break;
		case 7:
			xics_call(in, l, v, VIRQ_XICS_H_CPPR,
				  cpprs[rnd(&s, sizeof(cpprs))], 0, 0);
			break;
		case 8:
			xics_call(in, l, v, VIRQ_XICS_H_IPI, srv,
				  prios[rnd(&s, sizeof(prios))], 0);
			break;
		case 9:
		case 10:
			xics_ack(in, l, v, rnd(&s, 4));
			break;
		case 11: {
			struct virq_msi m = { .data = src };
			int ret = libvirq_signal_msi(in->chip.fd, &m);

			lg(l, 0x4000, (__u64)ret << 32 ^ (__u32)m.status);
			break;
		}
		case 12:
			xics_call(in, l, v, VIRQ_XICS_H_IPOLL, srv, 0, 0);
			break;
		}
	}
}

/* Lower every line, then take and end everything each vCPU gets */
static void xics_drain(const struct inst *in, struct oplog *l)
{
	__u32 i, src, k;

	log_outputs(in, l, 0x3000);
	for (src = 16; src < 80; src++)
		xics_line(in, l, src, VIRQ_LINE_RESET);
	for (i = 0; i < in->nr; i++) {
		xics_call(in, l, i, VIRQ_XICS_H_IPI, in->v[i].arch_id, 0xff, 0);
		xics_call(in, l, i, VIRQ_XICS_H_CPPR, 0xff, 0, 0);
		for (k = 0; k < 200; k++)
			if (!(xics_ack(in, l, i, true) &
			      VIRQ_XICS_XIRR_XISR_MASK))
				break;
	}
	log_outputs(in, l, 0x3000);
}

/* --- x86: configuration, workload, drain ---------------------------------- */

/* vCPU 3 has an APIC id only x2APIC mode can hold */
static const __u64 x86_ids[] = { 0, 1, 3, 0x105 };
#define X86_NR		4
#define X86_SOURCES	128
#define X86_MSI_GSI	64	/* GSIs 64..79: MSI routes */
#define X86_X2APIC_VCPU	3

/*
 * IOAPIC 0 takes the default base and pin count, IOAPIC 1 the GSIs right
 * after it (gsi_base 0): what the file records is the options as given.
 */
static void x86_config(struct libvirq_config *c)
{
	struct virq_x86_options *o = &c->x86_options;

	memset(c, 0, sizeof(*c));
	c->family = VIRQ_FAMILY_X86;
	c->nr_vcpus = X86_NR;
	c->nr_sources = X86_SOURCES;
	o->flags = VIRQ_X86_OPT_DIRECTED_EOI;
	o->nr_ioapics = 2;
	o->nr_irtes = 64;
	o->ioapics[0] = (struct virq_x86_ioapic_config){
		.id = 0, .source_id = 0xf0f8,
	};
	o->ioapics[1] = (struct virq_x86_ioapic_config){
		.base = VIRQ_X86_IOAPIC_DEFAULT_BASE + 0x1000,
		.nr_pins = 16, .id = 1, .source_id = 0xf0f9,
	};
}

static int x86_access(const struct inst *in, struct oplog *l, int v,
		      __u32 space, __u64 addr, __u32 len, bool write,
		      __u64 *data)
{
	int ret = libvirq_vcpu_access(in->v[v].fd, space, addr, len, write,
				      data);

	lg(l, 0x5000 | space << 8 | v, (__u64)ret << 32 ^ addr ^
	   (write ? 0 : *data << 16));
	return ret;
}

static bool x86_x2apic(int v)
{
	return v == X86_X2APIC_VCPU;
}

/* A LAPIC register: MMIO in xAPIC mode, its MSR in x2APIC mode */
static void x86_lapic_write(const struct inst *in, struct oplog *l, int v,
			    __u32 reg, __u64 val)
{
	if (x86_x2apic(v))
		x86_access(in, l, v, VIRQ_SPACE_MSR, 0x800 + (reg >> 4), 8,
			   true, &val);
	else
		x86_access(in, l, v, VIRQ_SPACE_MMIO, LAPIC_BASE + reg, 4,
			   true, &val);
}

static void x86_ioapic_rte(const struct inst *in, struct oplog *l,
			   __u32 ioapic, __u32 pin, __u64 rte)
{
	__u64 base = VIRQ_X86_IOAPIC_DEFAULT_BASE + 0x1000 * ioapic, d;

	d = 0x10 + 2 * pin;
	x86_access(in, l, 0, VIRQ_SPACE_MMIO, base, 4, true, &d);
	d = (__u32)rte;
	x86_access(in, l, 0, VIRQ_SPACE_MMIO, base + 0x10, 4, true, &d);
	d = 0x11 + 2 * pin;
	x86_access(in, l, 0, VIRQ_SPACE_MMIO, base, 4, true, &d);
	d = rte >> 32;
	x86_access(in, l, 0, VIRQ_SPACE_MMIO, base + 0x10, 4, true, &d);
}

static void x86_pio(const struct inst *in, struct oplog *l, __u16 port,
		    __u8 val)
{
	__u64 d = val;

	x86_access(in, l, 0, VIRQ_SPACE_PIO, port, 1, true, &d);
}

/* An xAPIC destination (the x2APIC vCPU is reached by MSIs and IPIs) */
static __u32 x86_xapic_dest(__u64 *s)
{
	return x86_ids[rnd(s, 3)];
}

static __u64 x86_random_rte(__u64 *s)
{
	__u64 rte = 0x30 + rnd(s, 0x80);

	rte |= (__u64)x86_xapic_dest(s) << 56;
	if (rnd(s, 2))
		rte |= 1ULL << 15;		/* level */
	if (!rnd(s, 5))
		rte |= 1ULL << 16;		/* masked */
	if (!rnd(s, 6))
		rte |= 1ULL << 8;		/* lowest priority */
	return rte;
}

static void x86_set_irte(const struct inst *in, struct oplog *l,
			 __u32 index, __u64 *s)
{
	struct virq_x86_irte t = {
		.lo = VIRQ_X86_IRTE_PRESENT |
		      (0x50 + rnd(s, 0x80)) << VIRQ_X86_IRTE_VECTOR_SHIFT |
		      (__u64)x86_ids[rnd(s, X86_NR)] <<
		      VIRQ_X86_IRTE_DEST_SHIFT,
	};
	int ret = libvirq_set_attr(in->chip.fd, VIRQ_X86_GRP_IRTE, index, &t,
				   sizeof(t));

	lg(l, 0x6000 | index, ret);
}

/* An MSI route for GSI @gsi: compatibility format or remappable */
static void x86_msi_route(const struct inst *in, struct oplog *l, __u32 gsi,
			  __u64 *s)
{
	struct virq_route r = { .gsi = gsi, .type = VIRQ_ROUTE_MSI };
	__u32 dest = x86_ids[rnd(s, X86_NR)];
	int ret;

	if (rnd(s, 3)) {
		r.u.msi.address_lo = 0xfee00000 | (dest & 0xff) << 12;
		r.u.msi.address_hi = dest & ~0xffU;
		r.u.msi.data = 0x40 + rnd(s, 0xa0);
	} else {	/* remappable, handle 0..15 */
		r.u.msi.address_lo = 0xfee00000 | rnd(s, 16) << 5 | 1 << 4;
	}
	ret = libvirq_update_gsi_route(in->chip.fd, VIRQ_ROUTE_OP_REPLACE,
				       &r);
	lg(l, 0x7000 | gsi, ret);
}

/*
 * A resampling irqfd on GSI 21 (IOAPIC 0 pin 21): its line is held by
 * the resample driver, which the source word tells from the VMM's.  The
 * destination VMM registers its own after the restore, as VMMs do.
 */
#define X86_IRQFD_GSI	21

static void x86_attach(struct inst *in, struct oplog *l)
{
	int ret;

	in->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	in->rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ret = libvirq_irqfd(in->chip.fd, in->efd, X86_IRQFD_GSI,
			    VIRQ_IRQFD_FLAG_RESAMPLE, in->rfd);
	lg(l, 0xd000, ret);
}

static __u64 x86_word(const struct inst *in, __u32 gsi)
{
	__u64 w = ~0ULL;

	libvirq_get_sources(in->chip.fd, gsi, 1, &w);
	return w;
}

/*
 * Raise the irqfd's line, unless it is high: the injection runs in a
 * work item, so wait until the word shows it (an eventfd write to a line
 * already high could land after the next EOI in one instance and before
 * it in the other).
 */
static void x86_irqfd_signal(const struct inst *in, struct oplog *l)
{
	__u64 one = 1;
	long k;

	if (x86_word(in, X86_IRQFD_GSI) & VIRQ_X86_SRC_LEVEL_RESAMPLE) {
		lg(l, 0xd001, 0);
		return;
	}
	lg(l, 0xd002, write(in->efd, &one, sizeof(one)));
	for (k = 0; k < 10000000; k++) {
		if (x86_word(in, X86_IRQFD_GSI) & VIRQ_X86_SRC_LEVEL_RESAMPLE)
			break;
		sched_yield();
	}
	lg(l, 0xd003, k < 10000000);
}

/* How many resamples (EOIs that lowered the line) since the last read */
static void x86_irqfd_resampled(const struct inst *in, struct oplog *l)
{
	__u64 n = 0;

	if (read(in->rfd, &n, sizeof(n)) != sizeof(n))
		n = 0;
	lg(l, 0xd004, n);
}

static void x86_setup(struct inst *in, struct oplog *l, __u64 seed)
{
	__u64 s = seed, d;
	__u32 i, pin;

	for (i = 0; i < in->nr; i++) {
		struct virq_x86_tsc t = { .tsc_khz = 2000000,
					  .offset = 1000000 * (i + 1) };
		int ret;

		ret = libvirq_vcpu_set_attr(in->v[i].fd, VIRQ_X86_VGRP_TSC, 0,
					    &t, sizeof(t));
		lg(l, 0x8000 | i, ret);
	}
	/* vCPU 3 to x2APIC mode, then every LAPIC software-enabled */
	d = LAPIC_BASE | 3 << 10;
	x86_access(in, l, X86_X2APIC_VCPU, VIRQ_SPACE_MSR, 0x1b, 8, true, &d);
	for (i = 0; i < in->nr; i++)
		x86_lapic_write(in, l, i, 0xf0, 0x1ff);
	/* vCPU 0 takes the PIC's ExtINT on LINT0 */
	x86_lapic_write(in, l, 0, 0x350, 0x700);
	/* PIC pair: bases 0x20 and 0x28, cascade on IR2, IRQ 0-1 masked */
	x86_pio(in, l, 0x20, 0x11);
	x86_pio(in, l, 0x21, 0x20);
	x86_pio(in, l, 0x21, 0x04);
	x86_pio(in, l, 0x21, 0x01);
	x86_pio(in, l, 0xa0, 0x11);
	x86_pio(in, l, 0xa1, 0x28);
	x86_pio(in, l, 0xa1, 0x02);
	x86_pio(in, l, 0xa1, 0x01);
	x86_pio(in, l, 0x21, 0x03);
	x86_pio(in, l, 0x4d1, 0x02);	/* ELCR: IRQ 9 level */
	/* IOAPIC pins; IOAPIC 0's pins 0-15 stay masked (the PIC has them) */
	for (pin = 16; pin < 24; pin++)
		x86_ioapic_rte(in, l, 0, pin, x86_random_rte(&s));
	for (pin = 0; pin < 16; pin++)
		x86_ioapic_rte(in, l, 1, pin, x86_random_rte(&s));
	for (i = 0; i < 16; i++)
		x86_set_irte(in, l, i, &s);
	for (i = X86_MSI_GSI; i < X86_MSI_GSI + 16; i++)
		x86_msi_route(in, l, i, &s);
	/* the irqfd's pin: level, to APIC 1 */
	x86_ioapic_rte(in, l, 0, X86_IRQFD_GSI, 0x5c | 1ULL << 15 | 1ULL << 56);
	x86_attach(in, l);
	/* a long one-shot timer on vCPU 1: armed across the migration */
	x86_lapic_write(in, l, 1, 0x3e0, 0xa);		/* divide by 128 */
	x86_lapic_write(in, l, 1, 0x320, 0xee);		/* one-shot */
	x86_lapic_write(in, l, 1, 0x380, 0xffffffff);	/* ~550 s */
}

/*
 * A GSI: the PIC's and IOAPIC 0's 3..15, IOAPIC 0's 16-23, IOAPIC 1's,
 * or an MSI route
 */
static __u32 x86_random_gsi(__u64 *s)
{
	switch (rnd(s, 3)) {
	case 0:
		return 3 + rnd(s, 13);
	case 1:
		return 16 + rnd(s, 24);
	}
	return X86_MSI_GSI + rnd(s, 16);
}

static void x86_line(const struct inst *in, struct oplog *l, __u32 gsi,
		     __u32 op)
{
	int st = 0x5a5a, ret = libvirq_irq_line(in->chip.fd, gsi, op, &st);

	lg(l, 0x9000 | op, (__u64)ret << 32 ^ (__u32)st ^ (__u64)gsi << 40);
}

static long x86_ack(const struct inst *in, struct oplog *l, int v,
		    __u32 event)
{
	__u64 id = 0;
	int ret = libvirq_vcpu_ack(in->v[v].fd, event, &id);

	lg(l, 0xa000 | event << 4 | v, (__u64)ret << 32 ^ id);
	return ret ? -1 : (long)id;
}

static void x86_eoi(const struct inst *in, struct oplog *l, int v)
{
	x86_lapic_write(in, l, v, 0xb0, 0);
}

static void x86_ops(const struct inst *in, __u64 seed, int n,
		    struct oplog *l)
{
	__u64 s = seed;
	__u32 v, dest;
	long vec;
	int i;

	for (i = 0; i < n; i++) {
		v = rnd(&s, in->nr);
		switch (rnd(&s, 17)) {
		case 15:
			x86_irqfd_signal(in, l);
			break;
		case 16:
			x86_irqfd_resampled(in, l);
			break;
		case 0:
		case 1:
			x86_line(in, l, x86_random_gsi(&s), VIRQ_LINE_EDGE);
			break;
		case 2:
			x86_line(in, l, x86_random_gsi(&s), VIRQ_LINE_SET);
			break;
		case 3:
			x86_line(in, l, x86_random_gsi(&s), VIRQ_LINE_RESET);
			break;
		case 4: {
			struct virq_msi m;
			int ret;

			dest = x86_ids[rnd(&s, X86_NR)];
			m = (struct virq_msi){
				.address_lo = 0xfee00000 | (dest & 0xff) << 12,
				.address_hi = dest & ~0xffU,
				.data = 0x40 + rnd(&s, 0xa0),
			};
			if (!rnd(&s, 8))
				m.data = 4 << 8;	/* NMI */
			ret = libvirq_signal_msi(in->chip.fd, &m);
			lg(l, 0xc000, (__u64)ret << 32 ^ (__u32)m.status);
			break;
		}
		case 5:
		case 6:
		case 7:
			vec = x86_ack(in, l, v, 0);
			if (vec >= 0 && vec != SPURIOUS && rnd(&s, 4))
				x86_eoi(in, l, v);
			break;
		case 8:
			x86_lapic_write(in, l, v, 0x80, rnd(&s, 16) << 4);
			break;
		case 9:	/* fixed IPI */
			dest = x86_ids[rnd(&s, X86_NR)];
			vec = 0x40 + rnd(&s, 0xa0);
			if (x86_x2apic(v)) {
				x86_lapic_write(in, l, v, 0x300,
						(__u64)dest << 32 | vec);
			} else {
				x86_lapic_write(in, l, v, 0x310,
						(dest & 0xff) << 24);
				x86_lapic_write(in, l, v, 0x300, vec);
			}
			break;
		case 10:
			dest = rnd(&s, 2);	/* the IOAPIC */
			x86_ioapic_rte(in, l, dest, dest ? rnd(&s, 16) :
				       16 + rnd(&s, 8), x86_random_rte(&s));
			break;
		case 11:
			x86_msi_route(in, l, X86_MSI_GSI + rnd(&s, 16), &s);
			break;
		case 12:	/* the PIC's interrupt, through ExtINT */
			vec = x86_ack(in, l, 0, VIRQ_OUT_EXTINT);
			if (vec >= 0x28)
				x86_pio(in, l, 0xa0, 0x20);
			if (vec >= 0)
				x86_pio(in, l, 0x20, 0x20);
			break;
		case 13:
			x86_set_irte(in, l, rnd(&s, 16), &s);
			break;
		case 14:
			x86_ack(in, l, v, VIRQ_OUT_NMI);
			break;
		}
	}
}

static void x86_drain(const struct inst *in, struct oplog *l)
{
	__u32 i, gsi, k;
	long vec;

	log_outputs(in, l, 0xb000);
	for (gsi = 0; gsi < X86_SOURCES; gsi++)
		x86_line(in, l, gsi, VIRQ_LINE_RESET);
	x86_irqfd_resampled(in, l);
	for (i = 0; i < in->nr; i++) {
		x86_ack(in, l, i, VIRQ_OUT_NMI);
		x86_lapic_write(in, l, i, 0x80, 0);
		for (k = 0; k < 300; k++) {
			vec = x86_ack(in, l, i, 0);
			if (vec < 0 || vec == SPURIOUS)
				break;
			x86_eoi(in, l, i);
		}
		/* what is left in service */
		for (k = 0; k < 64; k++)
			x86_eoi(in, l, i);
	}
	for (k = 0; k < 16; k++) {
		vec = x86_ack(in, l, 0, VIRQ_OUT_EXTINT);
		if (vec < 0)
			break;
		x86_pio(in, l, 0xa0, 0x20);
		x86_pio(in, l, 0x20, 0x20);
	}
	x86_irqfd_resampled(in, l);
	log_outputs(in, l, 0xb000);
}

/* --- the round trip ------------------------------------------------------- */

/*
 * The destination "VMM": a process with a fresh instance of the
 * configuration.  It reports its fds, waits until virqctl has restored
 * the file, saves what it has, runs the further operations and records
 * what its vCPUs got, in shared memory.  It also holds the source
 * instance's fds (inherited), of the same configuration and vCPU ids:
 * virqctl must take the vCPU fds of the instance it is given only.
 */
struct dest {
	int fd;
	int vfd[MAX_VCPUS];
	int status;
	struct oplog log;
};

struct trip {
	const struct libvirq_config *cfg;
	const __u64 *ids;
	__u32 nr;
	void (*setup)(struct inst *in, struct oplog *l, __u64 seed);
	/* what the destination VMM sets up again after a restore */
	void (*attach)(struct inst *in, struct oplog *l);
	void (*ops)(const struct inst *in, __u64 seed, int n,
		    struct oplog *l);
	void (*drain)(const struct inst *in, struct oplog *l);
};

static void xics_setup_seed(struct inst *in, struct oplog *l, __u64 seed)
{
	xics_setup(in, l);
}

static void dest_main(const struct trip *t, struct dest *sh, int go,
		      int ready, const char *after, __u64 seed)
{
	struct inst b;
	char c = 0;
	__u32 i;

	sh->status = inst_create(&b, t->cfg, t->ids, t->nr);
	sh->fd = b.chip.fd;
	for (i = 0; i < b.nr; i++)
		sh->vfd[i] = b.v[i].fd;
	if (write(ready, &c, 1) != 1 || sh->status)
		_exit(1);
	if (read(go, &c, 1) != 1 || c != 'g')
		_exit(2);
	sh->status = save_file(&b, after, NULL);
	if (t->attach)
		t->attach(&b, &sh->log);
	t->ops(&b, seed, 400, &sh->log);
	t->drain(&b, &sh->log);
	if (write(ready, &c, 1) != 1)
		_exit(3);
	/* stay until told: virqctl save --pid reads this instance */
	if (read(go, &c, 1) != 1)
		_exit(4);
	_exit(0);
}

static void round_trip(struct __test_metadata *_metadata, const char *dir,
		       const struct trip *t, __u64 seed)
{
	char file1[PATH_MAX], file2[PATH_MAX], file3[PATH_MAX];
	char out[PATH_MAX], pidbuf[16], fdbuf[16], spec[256], found[64];
	struct libvirq_state s1, s2;
	struct stat sb;
	off_t s1_size;
	struct oplog *mine;
	struct dest *sh;
	struct inst a, b;
	int go[2], ready[2], status;
	char c = 'g';
	pid_t pid;
	__u32 i;

	snprintf(file1, sizeof(file1), "%s/source.virq", dir);
	snprintf(file2, sizeof(file2), "%s/restored.virq", dir);
	snprintf(file3, sizeof(file3), "%s/saved-by-pid.virq", dir);
	snprintf(out, sizeof(out), "%s/virqctl.out", dir);

	mine = calloc(1, sizeof(*mine));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(NULL, mine);
	ASSERT_NE(MAP_FAILED, sh);

	/* the source: set up, a random workload, saved with libvirq */
	ASSERT_EQ(0, inst_create(&a, t->cfg, t->ids, t->nr));
	t->setup(&a, mine, seed);
	t->ops(&a, seed * 3 + 1, 600, mine);
	ASSERT_EQ(0, save_file(&a, file1, &s1));
	ASSERT_EQ(0, stat(file1, &sb));
	s1_size = sb.st_size;

	/* the destination process, and virqctl restoring into it */
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		dest_main(t, sh, go[0], ready[1], file2, seed * 5 + 2);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, sh->status);

	b = (struct inst){ .nr = t->nr, .chip.fd = sh->fd };
	for (i = 0; i < t->nr; i++)
		b.v[i].fd = sh->vfd[i];
	vcpu_spec(&b, spec, sizeof(spec));
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	snprintf(fdbuf, sizeof(fdbuf), "%d", sh->fd);
	if (seed & 1)	/* the vCPU fds named, in reverse order */
		status = run_virqctl(out, NULL, "restore", "--pid", pidbuf,
				     "--fd", fdbuf, "--vcpu-fds", spec,
				     "--progress", "-i", file1, NULL);
	else		/* found in /proc/PID/fd */
		status = run_virqctl(out, NULL, "restore", "--pid", pidbuf,
				     "--fd", fdbuf, "--progress", "-i", file1,
				     NULL);
	EXPECT_EQ(0, status);
	EXPECT_TRUE(file_has(out, "restored"));
	EXPECT_TRUE(file_has(out, "dry run 1/1 (100%)"));
	/* the source's vCPU fds in the destination: left out */
	snprintf(found, sizeof(found), "(nr_vcpus %u); %u of other instances",
		 t->cfg->nr_vcpus, t->nr);
	if (!(seed & 1))
		EXPECT_TRUE(file_has(out, found));

	/* the same further operations on both; the destination saves first */
	c = 'g';
	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(0, sh->status);
	mine->n = 0;
	if (t->attach) {	/* the same irqfd as the destination's */
		__u64 n;

		if (read(a.rfd, &n, sizeof(n)) < 0)
			n = 0;		/* its resamples so far: forgotten */
		lg(mine, 0xd000, 0);
	}
	t->ops(&a, seed * 5 + 2, 400, mine);
	t->drain(&a, mine);

	/* what the destination had right after the restore is the file */
	EXPECT_EQ(0, run_virqctl(out, NULL, "diff", file1, file2, NULL));
	ASSERT_EQ(0, vc_load(file2, &s2, NULL));
	EXPECT_EQ(0, diff_states(&s1, &s2));
	libvirq_state_free(&s2);

	/* and every vCPU received the same, in the same order */
	i = expect_same_log(_metadata, mine, &sh->log);
	TH_LOG("seed %#llx: a %zu-byte file; %u log words equal",
	       (unsigned long long)seed, (size_t)s1_size, i);

	/*
	 * virqctl save --pid of the destination, its vCPU fds found in
	 * /proc/PID/fd (each says which vCPU it is, and of which instance:
	 * the source's are there too): the same state, the same
	 * configuration and the same arch ids as this process reads from its
	 * own drained instance.
	 */
	status = run_virqctl(out, NULL, "save", "--pid", pidbuf, "--fd",
			     fdbuf, "-o", file3, NULL);
	EXPECT_EQ(0, status);
	EXPECT_TRUE(file_has(out, "4 vCPU fds found in /proc/"));
	EXPECT_TRUE(file_has(out, found));
	ASSERT_EQ(0, save_file(&a, file1, NULL));
	status = run_virqctl(out, NULL, "diff", file1, file3, NULL);
	EXPECT_EQ(0, status);

	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	libvirq_state_free(&s1);
	inst_close(&a);
	munmap(sh, sizeof(*sh));
	free(mine);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

FIXTURE(vc) {
	char dir[64];
};

FIXTURE_SETUP(vc)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/virqctl-test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	find_virqctl();
	TH_LOG("virqctl: %s", virqctl_bin[0] ? virqctl_bin :
	       "virqctl_run() in a forked child (no binary found)");
}

FIXTURE_TEARDOWN(vc)
{
	rm_dir(self->dir);
}

TEST_F_TIMEOUT(vc, xics_round_trip, 600)
{
	struct libvirq_config cfg;
	struct trip t = {
		.cfg = &cfg, .ids = xics_ids, .nr = XICS_NR,
		.setup = xics_setup_seed, .ops = xics_ops,
		.drain = xics_drain,
	};

	if (!have_family(VIRQ_FAMILY_XICS))
		SKIP(return, "no /dev/virq with the XICS family");
	xics_config(&cfg);
	if (getenv("VIRQCTL_TEST_SEED")) {	/* exploring */
		round_trip(_metadata, self->dir, &t,
			   strtoull(getenv("VIRQCTL_TEST_SEED"), NULL, 0));
		return;
	}
	round_trip(_metadata, self->dir, &t, 0x1234567);
	round_trip(_metadata, self->dir, &t, 0x2);
}

TEST_F_TIMEOUT(vc, x86_round_trip, 600)
{
	struct libvirq_config cfg;
	struct trip t = {
		.cfg = &cfg, .ids = x86_ids, .nr = X86_NR,
		.setup = x86_setup, .attach = x86_attach, .ops = x86_ops,
		.drain = x86_drain,
	};

	if (!have_family(VIRQ_FAMILY_X86))
		SKIP(return, "no /dev/virq with the x86 family");
	x86_config(&cfg);
	if (getenv("VIRQCTL_TEST_SEED")) {	/* exploring */
		round_trip(_metadata, self->dir, &t,
			   strtoull(getenv("VIRQCTL_TEST_SEED"), NULL, 0));
		return;
	}
	round_trip(_metadata, self->dir, &t, 0x7654321);
	round_trip(_metadata, self->dir, &t, 0x10fedcba);
}

/*
 * An IPI in the XISR when the MFRR is made less favoured stays there with
 * its old priority (as in KVM); the ICP word then has the IPI in the XISR
 * with a pending priority other than the MFRR, which the XICS page says
 * VIRQ_VCPU_SET_ATTR refuses: such an instance cannot be migrated.
 */
TEST(xics_raised_mfrr_restores)
{
	struct libvirq_config cfg;
	struct libvirq_state st;
	struct libvirq_err e;
	struct oplog *l = calloc(1, sizeof(*l));
	struct inst a, b;
	__u64 w = 0;
	__u32 size = sizeof(w);

	if (!have_family(VIRQ_FAMILY_XICS))
		SKIP(return, "no /dev/virq with the XICS family");
	ASSERT_NE(NULL, l);
	xics_config(&cfg);
	ASSERT_EQ(0, inst_create(&a, &cfg, xics_ids, XICS_NR));
	xics_call(&a, l, 0, VIRQ_XICS_H_CPPR, 0xff, 0, 0);
	xics_call(&a, l, 1, VIRQ_XICS_H_IPI, xics_ids[0], 0, 0);
	xics_call(&a, l, 1, VIRQ_XICS_H_IPI, xics_ids[0], 5, 0);
	ASSERT_EQ(0, libvirq_vcpu_get_attr(a.v[0].fd, VIRQ_XICS_GRP_ICP, 0,
					   &w, &size));
	TH_LOG("ICP word after H_IPI 0 then 5: %#llx", (unsigned long long)w);
	ASSERT_EQ(0, inst_create(&b, &cfg, xics_ids, XICS_NR));
	EXPECT_EQ(0, libvirq_vcpu_set_attr(b.v[0].fd, VIRQ_XICS_GRP_ICP, 0,
					   &w, sizeof(w)));
	/* and so the whole state: libvirq refuses what the kernel would */
	ASSERT_EQ(0, libvirq_save(&a.chip, &st, NULL, &e));
	EXPECT_EQ(0, libvirq_restore(&st, &b.chip, 0, NULL, &e)) {
		TH_LOG("%s", e.msg);
	}
	libvirq_state_free(&st);
	inst_close(&a);
	inst_close(&b);
	free(l);
}

/* --- refusals ------------------------------------------------------------- */

static void put32(__u8 *p, __u32 v)
{
	put_le(p, v, 4);
}

/* Recompute the header's CRC after an edit */
static void fix_header(__u8 *buf)
{
	put32(buf + 28, libvirq_crc32c(0, buf, 28));
}

/* Recompute the CRC of the section at @off after an edit */
static void fix_section(__u8 *buf, size_t off)
{
	__u32 len = get_le(buf + off + 8, 4), crc;

	crc = libvirq_crc32c(0, buf + off, 12);
	crc = libvirq_crc32c(crc, buf + off + 16, len);
	put32(buf + off + 12, crc);
}

/* Append a section of @len bytes of payload; returns the new length */
static size_t add_section(__u8 *buf, size_t len, __u16 type, __u16 flags,
			  __u16 version, __u32 plen)
{
	__u8 *h = buf + len;

	memset(h, 0, 16 + plen);
	put_le(h, type, 2);
	put_le(h + 2, flags, 2);
	put_le(h + 4, version, 2);
	put32(h + 8, plen);
	memset(h + 16, 0xa5, plen);
	fix_section(buf, len);
	put32(buf + 20, get_le(buf + 20, 4) + 1);
	fix_header(buf);
	return len + 16 + plen;
}

/*
 * Restore @buf (@len bytes) into @c with virqctl, its vCPU fds given as
 * @spec (NULL: found by virqctl): it must fail with @msg in its output,
 * and @c must read back as @before.
 */
static void expect_refused_fds(struct __test_metadata *_metadata,
			       const char *dir, const struct inst *c,
			       const struct libvirq_state *before,
			       const void *buf, size_t len, const char *msg,
			       const char *what, const char *spec)
{
	char file[PATH_MAX], out[PATH_MAX], fd[16];
	int status;

	snprintf(file, sizeof(file), "%s/bad.virq", dir);
	snprintf(out, sizeof(out), "%s/bad.out", dir);
	snprintf(fd, sizeof(fd), "%d", c->chip.fd);
	ASSERT_EQ(0, vc_write_file(file, buf, len));
	if (spec)
		status = run_virqctl(out, c, "restore", "--fd", fd,
				     "--vcpu-fds", spec, "-i", file, NULL);
	else
		status = run_virqctl(out, c, "restore", "--fd", fd, "-i", file,
				     NULL);
	EXPECT_EQ(2, status) {
		TH_LOG("%s: not refused", what);
	}
	EXPECT_TRUE(file_has(out, msg)) {
		TH_LOG("%s", what);
	}
	EXPECT_EQ(0, diff_live(c, before)) {
		TH_LOG("%s: the target changed", what);
	}
}

/* The same, the vCPU fds given (in reverse order) */
static void expect_refused(struct __test_metadata *_metadata,
			   const char *dir, const struct inst *c,
			   const struct libvirq_state *before,
			   const void *buf, size_t len, const char *msg,
			   const char *what)
{
	char spec[256];

	vcpu_spec(c, spec, sizeof(spec));
	expect_refused_fds(_metadata, dir, c, before, buf, len, msg, what,
			   spec);
}

/*
 * A fresh target of configuration @cfg with @nr vCPUs of arch ids @ids:
 * @buf must be refused with @msg, the vCPU fds given and found alike
 */
static void expect_target_refused(struct __test_metadata *_metadata,
				  const char *dir,
				  const struct libvirq_config *cfg,
				  const __u64 *ids, __u32 nr,
				  const void *buf, size_t len,
				  const char *msg)
{
	struct libvirq_state before;
	struct libvirq_err e;
	struct inst x;

	ASSERT_EQ(0, inst_create(&x, cfg, ids, nr));
	ASSERT_EQ(0, libvirq_save(&x.chip, &before, NULL, &e));
	expect_refused(_metadata, dir, &x, &before, buf, len, msg,
		       "vCPU fds given");
	expect_refused_fds(_metadata, dir, &x, &before, buf, len, msg,
			   "vCPU fds found", NULL);
	libvirq_state_free(&before);
	inst_close(&x);
}

TEST_F_TIMEOUT(vc, refusals, 600)
{
	struct libvirq_config cfg, other;
	struct libvirq_state good, before, st;
	struct libvirq_err e;
	struct inst a, c, y;
	char file[PATH_MAX], out[PATH_MAX], fd[16], spec[256], what[PATH_MAX];
	struct oplog *l = calloc(1, sizeof(*l));
	size_t len, blen, n;
	__u8 *buf, *bad;
	void *raw;
	__u32 i;

	if (!have_family(VIRQ_FAMILY_X86) || !have_family(VIRQ_FAMILY_XICS))
		SKIP(return, "no /dev/virq with the x86 and XICS families");
	ASSERT_NE(NULL, l);
	snprintf(file, sizeof(file), "%s/good.virq", self->dir);
	snprintf(out, sizeof(out), "%s/good.out", self->dir);

	/* a source with some state, and its file */
	x86_config(&cfg);
	ASSERT_EQ(0, inst_create(&a, &cfg, x86_ids, X86_NR));
	x86_setup(&a, l, 99);
	x86_ops(&a, 100, 300, l);
	ASSERT_EQ(0, save_file(&a, file, &good));
	ASSERT_EQ(0, vc_read_file(file, &raw, &len));
	buf = raw;
	bad = malloc(len + 4096);
	ASSERT_NE(NULL, bad);

	/* the target: fresh, with the same configuration */
	ASSERT_EQ(0, inst_create(&c, &cfg, x86_ids, X86_NR));
	ASSERT_EQ(0, libvirq_save(&c.chip, &before, NULL, &e));

	/* a bit flipped in the header and in every section */
	memcpy(bad, buf, len);
	bad[9] ^= 0x10;
	expect_refused(_metadata, self->dir, &c, &before, bad, len,
		       "file header: CRC32C mismatch", "header flip");
	ASSERT_EQ(0, libvirq_decode(buf, len, &st, &e));
	for (i = 0; i < st.nr_sections; i++) {
		const struct libvirq_section *s = &st.sections[i];
		size_t at = s->offset + 16 + s->length / 2;

		memcpy(bad, buf, len);
		bad[at] ^= 1 << (i % 8);
		snprintf(what, sizeof(what), "section %u (%s) at offset 0x%llx",
			 i, libvirq_section_name(s->type),
			 (unsigned long long)s->offset);
		expect_refused(_metadata, self->dir, &c, &before, bad, len,
			       what, "section flip");
		memcpy(bad, buf, len);
		bad[s->offset + i % 12] ^= 0x80;	/* its header */
		expect_refused(_metadata, self->dir, &c, &before, bad, len,
			       "section", "section header flip");
	}
	libvirq_state_free(&st);
	/* in-process, a bit in every 7th byte: the decoder alone */
	for (n = 0; n < len; n += 7) {
		buf[n] ^= 1 << (n % 8);
		EXPECT_NE(0, libvirq_decode(buf, len, &st, &e)) {
			TH_LOG("flip at byte %zu accepted", n);
			libvirq_state_free(&st);
		}
		buf[n] ^= 1 << (n % 8);
	}

	/* truncated: in the header, in a section header, in a payload */
	expect_refused(_metadata, self->dir, &c, &before, buf, 20,
		       "truncated", "header truncation");
	expect_refused(_metadata, self->dir, &c, &before, buf, 40,
		       "truncated", "section header truncation");
	expect_refused(_metadata, self->dir, &c, &before, buf, len - 3,
		       "truncated", "payload truncation");
	expect_refused(_metadata, self->dir, &c, &before, buf, len / 2,
		       "truncated", "half");
	memcpy(bad, buf, len);
	bad[0] = 'X';
	expect_refused(_metadata, self->dir, &c, &before, bad, len,
		       "not a virq state file", "magic");

	/* a future format version; a future version of a required section */
	memcpy(bad, buf, len);
	put32(bad + 8, 2);
	fix_header(bad);
	expect_refused(_metadata, self->dir, &c, &before, bad, len,
		       "format_version: 2", "future format");
	ASSERT_EQ(0, libvirq_decode(buf, len, &st, &e));
	for (i = 0; i < st.nr_sections; i++)
		if (st.sections[i].type == LIBVIRQ_SEC_X86_PIC)
			break;
	ASSERT_LT(i, st.nr_sections);
	memcpy(bad, buf, len);
	put_le(bad + st.sections[i].offset + 4, 2, 2);
	fix_section(bad, st.sections[i].offset);
	libvirq_state_free(&st);
	expect_refused(_metadata, self->dir, &c, &before, bad, len,
		       "required section type 0x0102 version 2, which this reader does not understand",
		       "future section version");

	/* an unknown required section */
	memcpy(bad, buf, len);
	blen = add_section(bad, len, 0x7e01, LIBVIRQ_SEC_REQUIRED, 1, 24);
	expect_refused(_metadata, self->dir, &c, &before, bad, blen,
		       "required section type 0x7e01", "unknown section");

	/* wrong family: an XICS file */
	{
		struct libvirq_config xc;
		struct inst xi;
		char xf[PATH_MAX];
		void *xb;
		size_t xl;

		xics_config(&xc);
		ASSERT_EQ(0, inst_create(&xi, &xc, xics_ids, XICS_NR));
		snprintf(xf, sizeof(xf), "%s/xics.virq", self->dir);
		ASSERT_EQ(0, save_file(&xi, xf, NULL));
		ASSERT_EQ(0, vc_read_file(xf, &xb, &xl));
		expect_refused(_metadata, self->dir, &c, &before, xb, xl,
			       "wrong family: the file is xics, the target x86",
			       "wrong family");
		/* and an x86 file into the XICS instance */
		ASSERT_EQ(0, libvirq_save(&xi.chip, &st, NULL, &e));
		expect_refused(_metadata, self->dir, &xi, &st, buf, len,
			       "wrong family: the file is x86, the target xics",
			       "wrong family");
		libvirq_state_free(&st);
		free(xb);
		inst_close(&xi);
	}

	/* wrong configuration: twice the GSIs; one IOAPIC */
	other = cfg;
	other.nr_sources = 2 * X86_SOURCES;
	expect_target_refused(_metadata, self->dir, &other, x86_ids, X86_NR,
			      buf, len,
			      "wrong configuration: field nr_sources is 128 in the file, 256 in the target");
	other = cfg;
	other.x86_options.nr_ioapics = 1;
	memset(&other.x86_options.ioapics[1], 0,
	       sizeof(other.x86_options.ioapics[1]));
	expect_target_refused(_metadata, self->dir, &other, x86_ids, X86_NR,
			      buf, len,
			      "wrong configuration: 2 IOAPICs in the file, 1 in the target");

	/* wrong vCPU count: a target with three */
	expect_target_refused(_metadata, self->dir, &cfg, x86_ids, 3, buf, len,
			      "wrong vCPU count: 4 in the file, 3 in the target");

	/*
	 * A file whose every CRC is right but whose LAPIC has a reserved
	 * TPR bit: the kernel refuses it in the dry run, before the target
	 * changes.
	 */
	ASSERT_EQ(0, libvirq_decode(buf, len, &st, &e));
	st.vcpus[2].lapic.regs[0x80 + 3] = 0x80;
	ASSERT_EQ(0, libvirq_encode(&st, &raw, &blen, &e));
	expect_refused(_metadata, self->dir, &c, &before, raw, blen,
		       "dry run: APIC id 0x3: VIRQ_X86_VGRP_LAPIC refused",
		       "kernel-refused blob");
	/* without the dry run it fails midway, and says so */
	ASSERT_EQ(0, inst_create(&y, &cfg, x86_ids, X86_NR));
	snprintf(fd, sizeof(fd), "%d", y.chip.fd);
	vcpu_spec(&y, spec, sizeof(spec));
	ASSERT_EQ(0, vc_write_file(file, raw, blen));
	EXPECT_EQ(2, run_virqctl(out, &y, "restore", "--no-dry-run", "--fd",
				 fd, "--vcpu-fds", spec, "-i", file, NULL));
	EXPECT_TRUE(file_has(out, "[X86_LAPIC] APIC id 0x3"));
	EXPECT_TRUE(file_has(out, "partly restored"));
	inst_close(&y);
	free(raw);
	libvirq_state_free(&st);

	/* an unknown optional section is skipped: this one restores */
	memcpy(bad, buf, len);
	blen = add_section(bad, len, 0x7e02, 0, 1, 40);
	ASSERT_EQ(0, vc_write_file(file, bad, blen));
	snprintf(fd, sizeof(fd), "%d", c.chip.fd);
	vcpu_spec(&c, spec, sizeof(spec));
	EXPECT_EQ(0, run_virqctl(out, &c, "restore", "--fd", fd,
				 "--vcpu-fds", spec, "-i", file, NULL));
	EXPECT_EQ(0, diff_live(&c, &good));
	/* show lists it as skipped; --json is JSON */
	EXPECT_EQ(0, run_virqctl(out, NULL, "show", "-v", file, NULL));
	EXPECT_TRUE(file_has(out, "(skipped: unknown)"));
	EXPECT_EQ(0, run_virqctl(out, NULL, "show", "--json", file, NULL));
	EXPECT_TRUE(file_has(out, "\"family\": \"x86\""));
	EXPECT_TRUE(file_has(out, "\"skipped\": true"));
	/* another user may not take this process's fds */
	snprintf(what, sizeof(what), "%d", (int)getpid());
	virqctl_uid = 65534;
	EXPECT_EQ(2, run_virqctl(out, NULL, "save", "--pid", what, "--fd", fd,
				 "-o", "/tmp/virqctl-never.virq", NULL));
	virqctl_uid = -1;
	EXPECT_TRUE(file_has(out, "ptrace rules refuse access to pid"));
	EXPECT_TRUE(file_has(out, "CAP_SYS_PTRACE"));
	EXPECT_EQ(0, diff_live(&c, &good));
	EXPECT_NE(0, access("/tmp/virqctl-never.virq", F_OK));
	/* save on an inherited fd gives the same state again */
	snprintf(what, sizeof(what), "%s/local.virq", self->dir);
	EXPECT_EQ(0, run_virqctl(out, &c, "save", "--fd", fd, "--vcpu-fds",
				 spec, "-o", what, NULL));
	EXPECT_EQ(0, run_virqctl(out, NULL, "diff", file, what, NULL));
	/* info on a live, inherited instance fd */
	EXPECT_EQ(0, run_virqctl(out, &c, "info", "--fd", fd, "--vcpu-fds",
				 spec, NULL));
	EXPECT_TRUE(file_has(out, "live instance"));
	/* diff finds one changed source word and says which */
	ASSERT_EQ(0, libvirq_decode(buf, len, &st, &e));
	st.sources[5] ^= VIRQ_X86_SRC_LEVEL_USER;
	ASSERT_EQ(0, libvirq_encode(&st, &raw, &blen, &e));
	ASSERT_EQ(0, vc_write_file(out, raw, blen));
	snprintf(what, sizeof(what), "%s/diff.out", self->dir);
	EXPECT_EQ(1, run_virqctl(what, NULL, "diff", file, out, NULL));
	EXPECT_TRUE(file_has(what, "source 5 word:"));
	EXPECT_TRUE(file_has(what, "1 difference"));
	free(raw);
	libvirq_state_free(&st);

	libvirq_state_free(&good);
	libvirq_state_free(&before);
	inst_close(&c);
	inst_close(&a);
	free(buf);
	free(bad);
	free(l);
}

/*
 * What the target says it is, checked against the file before anything
 * changes: its configuration as created (defaults resolved: a default
 * spelt out is the same chip), its vCPUs' indices and arch ids, the fds
 * given; each refusal with its message, the target unchanged.
 */
TEST_F_TIMEOUT(vc, target_refusals, 300)
{
	struct libvirq_config cfg, other;
	struct libvirq_state good, before, st;
	struct virq_chip_config cc;
	struct libvirq_err e;
	struct inst a, c, x;
	char file[PATH_MAX], out[PATH_MAX], fd[16], spec[256];
	struct oplog *l = calloc(1, sizeof(*l));
	__u64 ids[X86_NR];
	size_t len;
	void *buf;

	if (!have_family(VIRQ_FAMILY_X86))
		SKIP(return, "no /dev/virq with the x86 family");
	ASSERT_NE(NULL, l);
	snprintf(file, sizeof(file), "%s/good.virq", self->dir);
	snprintf(out, sizeof(out), "%s/good.out", self->dir);
	x86_config(&cfg);
	ASSERT_EQ(0, inst_create(&a, &cfg, x86_ids, X86_NR));
	x86_setup(&a, l, 7);
	x86_ops(&a, 8, 200, l);
	ASSERT_EQ(0, save_file(&a, file, &good));
	ASSERT_EQ(0, vc_read_file(file, &buf, &len));

	/* nr_vcpus as created, though the same four vCPUs exist */
	other = cfg;
	other.nr_vcpus = 8;
	expect_target_refused(_metadata, self->dir, &other, x86_ids, X86_NR,
			      buf, len,
			      "[CONFIG] wrong configuration: field nr_vcpus is 4 in the file, 8 in the target");

	/* an IOAPIC's source id, which remapping entries may check */
	other = cfg;
	other.x86_options.ioapics[1].source_id = 0xf0fa;
	expect_target_refused(_metadata, self->dir, &other, x86_ids, X86_NR,
			      buf, len,
			      "wrong configuration: IOAPIC 1 field source_id is 0xf0f9 in the file, 0xf0fa in the target");

	/* IOAPIC 1's GSIs: after IOAPIC 0 (24) in the file, 32 here */
	other = cfg;
	other.x86_options.ioapics[1].gsi_base = 32;
	expect_target_refused(_metadata, self->dir, &other, x86_ids, X86_NR,
			      buf, len,
			      "wrong configuration: IOAPIC 1 field gsi_base is 0x18 in the file, 0x20 in the target");

	/* a vCPU created with another APIC id */
	memcpy(ids, x86_ids, sizeof(ids));
	ids[3] = 0x106;
	expect_target_refused(_metadata, self->dir, &cfg, ids, X86_NR, buf, len,
			      "[VCPUS] vCPU 3: APIC id 0x105 in the file, 0x106 in the target");

	/* the target: a fresh chip of the same configuration */
	ASSERT_EQ(0, inst_create(&c, &cfg, x86_ids, X86_NR));
	ASSERT_EQ(0, libvirq_save(&c.chip, &before, NULL, &e));
	/* a vCPU fd twice; the instance fd as a vCPU fd */
	snprintf(spec, sizeof(spec), "%d,%d,%d,%d,%d", c.v[0].fd, c.v[1].fd,
		 c.v[2].fd, c.v[3].fd, c.v[1].fd);
	expect_refused_fds(_metadata, self->dir, &c, &before, buf, len,
			   "is vCPU 1 again (arch_id 0x1)", "fd twice", spec);
	snprintf(spec, sizeof(spec), "%d,%d", c.v[0].fd, c.chip.fd);
	snprintf(out, sizeof(out), "fd %d is not a virq vCPU", c.chip.fd);
	expect_refused_fds(_metadata, self->dir, &c, &before, buf, len, out,
			   "not a vCPU", spec);
	snprintf(out, sizeof(out), "%s/good.out", self->dir);
	/* three of the four vCPUs */
	snprintf(spec, sizeof(spec), "%d,%d,%d", c.v[3].fd, c.v[0].fd,
		 c.v[1].fd);
	expect_refused_fds(_metadata, self->dir, &c, &before, buf, len,
			   "wrong vCPU count: 4 in the file, 3 in the target",
			   "a vCPU missing", spec);

	/* an instance without a chip: refused, and still without one */
	x = (struct inst){ .chip.fd = libvirq_open() };
	ASSERT_LE(0, x.chip.fd);
	snprintf(fd, sizeof(fd), "%d", x.chip.fd);
	EXPECT_EQ(2, run_virqctl(out, &x, "restore", "--fd", fd, "-i", file,
				 NULL));
	EXPECT_TRUE(file_has(out, "the instance has no chip yet"));
	EXPECT_EQ(-ENODEV, libvirq_get_chip(x.chip.fd, &cc, NULL, 0));
	inst_close(&x);

	/* the file restores into a target whose defaults are spelt out */
	other = cfg;
	other.x86_options.ioapics[0].base = VIRQ_X86_IOAPIC_DEFAULT_BASE;
	other.x86_options.ioapics[0].nr_pins = 24;
	other.x86_options.ioapics[1].gsi_base = 24;
	ASSERT_EQ(0, inst_create(&x, &other, x86_ids, X86_NR));
	vcpu_spec(&x, spec, sizeof(spec));
	snprintf(fd, sizeof(fd), "%d", x.chip.fd);
	EXPECT_EQ(0, run_virqctl(out, &x, "restore", "--fd", fd, "--vcpu-fds",
				 spec, "-i", file, NULL));
	ASSERT_EQ(0, libvirq_save(&x.chip, &st, NULL, &e));
	/* the same state; only the options as created differ */
	EXPECT_EQ(3, diff_states(&good, &st));
	st.cfg = good.cfg;
	EXPECT_EQ(0, diff_states(&good, &st));
	libvirq_state_free(&st);
	inst_close(&x);

	libvirq_state_free(&good);
	libvirq_state_free(&before);
	inst_close(&c);
	inst_close(&a);
	free(buf);
	free(l);
}

/*
 * Two instances of one configuration, their vCPUs of the same indices
 * and arch ids, in one process: only fdinfo tells their vCPU fds apart.
 * Instance A's fd with one of B's vCPU fds among A's, or with all of
 * B's, is refused by virqctl and by libvirq_probe() and nothing is
 * written; with the vCPU fds not named, virqctl takes those of the
 * instance given, and leaves the other's alone.
 */
TEST_F_TIMEOUT(vc, two_instances, 300)
{
	char file[PATH_MAX], out[PATH_MAX], never[PATH_MAX], msg[192];
	char fd[16], spec[256];
	struct libvirq_state good, fresh_a, fresh_b, st;
	struct libvirq_vcpu mix[X86_NR];
	struct libvirq_config cfg;
	struct libvirq_chip chip;
	struct libvirq_err e;
	struct oplog *l = calloc(1, sizeof(*l));
	struct inst a, b;
	int ida, idb, k;

	if (!have_family(VIRQ_FAMILY_X86))
		SKIP(return, "no /dev/virq with the x86 family");
	ASSERT_NE(NULL, l);
	snprintf(file, sizeof(file), "%s/good.virq", self->dir);
	snprintf(out, sizeof(out), "%s/two.out", self->dir);
	snprintf(never, sizeof(never), "%s/never.virq", self->dir);
	x86_config(&cfg);
	/* the state to restore, from an instance closed since */
	ASSERT_EQ(0, inst_create(&a, &cfg, x86_ids, X86_NR));
	x86_setup(&a, l, 11);
	x86_ops(&a, 12, 200, l);
	ASSERT_EQ(0, save_file(&a, file, &good));
	inst_close(&a);

	ASSERT_EQ(0, inst_create(&a, &cfg, x86_ids, X86_NR));
	ASSERT_EQ(0, inst_create(&b, &cfg, x86_ids, X86_NR));
	ASSERT_EQ(0, libvirq_save(&a.chip, &fresh_a, NULL, &e));
	ASSERT_EQ(0, libvirq_save(&b.chip, &fresh_b, NULL, &e));
	ida = a.chip.instance_id;
	idb = b.chip.instance_id;
	ASSERT_NE(ida, idb);
	EXPECT_EQ(ida, libvirq_instance_id(a.chip.fd));
	EXPECT_EQ(ida, libvirq_instance_id(a.v[2].fd));
	EXPECT_EQ(idb, libvirq_instance_id(b.v[2].fd));
	EXPECT_EQ(-ENOENT, libvirq_instance_id(1));
	virqctl_also = &b;
	snprintf(fd, sizeof(fd), "%d", a.chip.fd);

	/*
	 * A's fd with all of B's vCPU fds (B's vCPU 3 named first), then
	 * with B's vCPU 2 among A's others: restore and save refused,
	 * neither instance written, no file
	 */
	for (k = 0; k < 2; k++) {
		if (!k)
			vcpu_spec(&b, spec, sizeof(spec));
		else
			snprintf(spec, sizeof(spec), "%d,%d,%d,%d", a.v[0].fd,
				 a.v[1].fd, b.v[2].fd, a.v[3].fd);
		snprintf(msg, sizeof(msg),
			 "--vcpu-fds: fd %d is a vCPU of virq instance %d, not of instance %d (--fd %d)",
			 b.v[3 - k].fd, idb, ida, a.chip.fd);
		EXPECT_EQ(2, run_virqctl(out, &a, "restore", "--fd", fd,
					 "--vcpu-fds", spec, "-i", file, NULL));
		EXPECT_TRUE(file_has(out, msg));
		EXPECT_EQ(2, run_virqctl(out, &a, "save", "--fd", fd,
					 "--vcpu-fds", spec, "-o", never, NULL));
		EXPECT_TRUE(file_has(out, msg));
		EXPECT_NE(0, access(never, F_OK));
		EXPECT_EQ(0, diff_live(&a, &fresh_a));
		EXPECT_EQ(0, diff_live(&b, &fresh_b));
	}

	/* libvirq_probe() refuses the same, naming the fd and both ids */
	memcpy(mix, a.v, sizeof(mix));
	mix[2] = b.v[2];
	chip = (struct libvirq_chip){ .fd = a.chip.fd, .nr_vcpus = X86_NR,
				      .vcpus = mix };
	EXPECT_EQ(-EINVAL, libvirq_probe(&chip, &e));
	snprintf(msg, sizeof(msg),
		 "vCPU fd %d belongs to virq instance %d, not to instance %d of fd %d",
		 b.v[2].fd, idb, ida, a.chip.fd);
	EXPECT_STREQ(msg, e.msg);
	EXPECT_STREQ("probe", e.section);
	EXPECT_EQ(0, diff_live(&a, &fresh_a));
	EXPECT_EQ(0, diff_live(&b, &fresh_b));

	/* found, not named: A's own four, B's four left out */
	EXPECT_EQ(0, run_virqctl(out, &a, "restore", "--fd", fd, "-i", file,
				 NULL));
	snprintf(msg, sizeof(msg),
		 "4 vCPU fds found among virqctl's own, of instance %d (nr_vcpus 4); 4 of other instances left out",
		 ida);
	EXPECT_TRUE(file_has(out, msg));
	EXPECT_EQ(0, diff_live(&a, &good));
	EXPECT_EQ(0, diff_live(&b, &fresh_b));
	/* and B's, A's left out: B is still fresh */
	virqctl_also = &a;
	snprintf(fd, sizeof(fd), "%d", b.chip.fd);
	EXPECT_EQ(0, run_virqctl(out, &b, "save", "--fd", fd, "-o", never,
				 NULL));
	snprintf(msg, sizeof(msg), "of instance %d (nr_vcpus 4); 4 of other",
		 idb);
	EXPECT_TRUE(file_has(out, msg));
	virqctl_also = NULL;
	ASSERT_EQ(0, vc_load(never, &st, NULL));
	EXPECT_EQ(0, diff_states(&fresh_b, &st));
	EXPECT_LT(0, libvirq_diff(&good, &st, 0, NULL, NULL));
	libvirq_state_free(&st);

	libvirq_state_free(&good);
	libvirq_state_free(&fresh_a);
	libvirq_state_free(&fresh_b);
	inst_close(&a);
	inst_close(&b);
	free(l);
}

/*
 * `virqctl info` reports the configuration exactly as created: the
 * defaults as given (0) with what they resolve to, IOAPIC 1's gsi_base 0
 * meaning "after IOAPIC 0"; and each vCPU by the arch_id it was created
 * with, though the guest rewrote two xAPIC ID registers (one to the id
 * another vCPU was created with).
 */
static const __u64 info_ids[] = { 7, 2, 0x30 };

static void info_config(struct libvirq_config *c)
{
	struct virq_x86_options *o = &c->x86_options;

	memset(c, 0, sizeof(*c));
	c->family = VIRQ_FAMILY_X86;
	c->nr_vcpus = 3;
	c->nr_sources = 64;
	o->flags = VIRQ_X86_OPT_NO_PIC;
	o->nr_ioapics = 2;
	o->nr_irtes = 256;
	o->ioapics[0].source_id = 0xf8;
	o->ioapics[1] = (struct virq_x86_ioapic_config){
		.base = 0xfec08000, .nr_pins = 16, .id = 3, .source_id = 0xf9,
	};
}

/* Does the output of `virqctl info` or `show` in @path say it? */
static bool info_says_x86(const char *path)
{
	static const char *const lines[] = {
		"family x86: nr_vcpus 3, nr_sources 64\n",
		"x86 options as created: flags 0x1 (NO_PIC), nr_ioapics 2, nr_irtes 256\n",
		"  ioapic 0: base 0 (default: 0xfec00000), gsi_base 0, nr_pins 0 (default: 24), id 0, source_id 0x00f8\n",
		"  ioapic 1: base 0xfec08000, gsi_base 0 (after IOAPIC 0: 24), nr_pins 16, id 3, source_id 0x00f9\n",
		"x86 chip: PIC no, 2 IOAPICs, 256 IRTEs, directed EOI off\n",
		"  ioapic 1: base 0xfec08000, GSIs 24..39 (16 pins), id 3, source_id 0x00f9\n",
		"  vcpu 0 APIC id 0x7: xAPIC,",
		"  vcpu 1 APIC id 0x2: xAPIC,",
		"  vcpu 2 APIC id 0x30: xAPIC,",
		"    ID       0x09000000\n",
		"    ID       0x07000000\n",
	};
	bool ok = true;
	size_t i;

	for (i = 0; i < LV_ARRAY_SIZE(lines); i++)
		ok &= file_has(path, lines[i]);
	return ok;
}

TEST_F_TIMEOUT(vc, info_as_created, 300)
{
	char file[PATH_MAX], out[PATH_MAX], fd[16], spec[256];
	struct virq_x86_lapic_state ls;
	struct libvirq_config cfg;
	struct libvirq_state st;
	struct oplog *l = calloc(1, sizeof(*l));
	struct inst in, x;
	__u64 ids[3];
	__u32 size = sizeof(ls);
	size_t len;
	void *buf;

	if (!have_family(VIRQ_FAMILY_X86) || !have_family(VIRQ_FAMILY_XICS))
		SKIP(return, "no /dev/virq with the x86 and XICS families");
	ASSERT_NE(NULL, l);
	snprintf(file, sizeof(file), "%s/info.virq", self->dir);
	snprintf(out, sizeof(out), "%s/info.out", self->dir);
	info_config(&cfg);
	ASSERT_EQ(0, inst_create(&in, &cfg, info_ids, 3));
	/* the guest gives vCPU 0 id 9, and vCPU 1 vCPU 0's id 7 */
	x86_lapic_write(&in, l, 0, 0x20, 0x09000000);
	x86_lapic_write(&in, l, 1, 0x20, 0x07000000);
	ASSERT_EQ(0, libvirq_vcpu_get_attr(in.v[0].fd, VIRQ_X86_VGRP_LAPIC, 0,
					   &ls, &size));
	ASSERT_EQ(0x09000000U, libvirq_lapic_reg(&ls, 0x20));

	/* the vCPU fds found, then given in another order */
	snprintf(fd, sizeof(fd), "%d", in.chip.fd);
	EXPECT_EQ(0, run_virqctl(out, &in, "info", "-v", "--fd", fd, NULL));
	EXPECT_TRUE(info_says_x86(out));
	EXPECT_TRUE(file_has(out, "3 vCPU fds found"));
	vcpu_spec(&in, spec, sizeof(spec));
	EXPECT_EQ(0, run_virqctl(out, &in, "info", "-v", "--fd", fd,
				 "--vcpu-fds", spec, NULL));
	EXPECT_TRUE(info_says_x86(out));
	EXPECT_EQ(0, run_virqctl(out, &in, "info", "--json", "--fd", fd,
				 NULL));
	EXPECT_TRUE(file_has(out, "\"nr_ioapics\": 2,"));
	EXPECT_TRUE(file_has(out, "\"base\": \"0xfec08000\",\n          \"gsi_base\": 0,"));
	EXPECT_TRUE(file_has(out, "\"base\": \"0xfec08000\",\n        \"gsi_base\": 24,"));
	EXPECT_TRUE(file_has(out, "\"index\": 2,\n      \"arch_id\": \"0x30\""));

	/* the file says the same, and restores by those ids only */
	EXPECT_EQ(0, run_virqctl(out, &in, "save", "--fd", fd, "-o", file,
				 NULL));
	EXPECT_EQ(0, run_virqctl(out, NULL, "show", "-v", file, NULL));
	EXPECT_TRUE(info_says_x86(out));
	ASSERT_EQ(0, vc_load(file, &st, NULL));
	memcpy(ids, info_ids, sizeof(ids));
	ids[2] = 0x31;
	ASSERT_EQ(0, vc_read_file(file, &buf, &len));
	expect_target_refused(_metadata, self->dir, &cfg, ids, 3, buf, len,
			      "[VCPUS] vCPU 2: APIC id 0x30 in the file, 0x31 in the target");
	free(buf);
	ASSERT_EQ(0, inst_create(&x, &cfg, info_ids, 3));
	snprintf(fd, sizeof(fd), "%d", x.chip.fd);
	EXPECT_EQ(0, run_virqctl(out, &x, "restore", "--fd", fd, "-i", file,
				 NULL));
	EXPECT_EQ(0, diff_live(&x, &st));
	libvirq_state_free(&st);
	inst_close(&x);
	inst_close(&in);

	/* XICS: no options; each vCPU by its server number */
	xics_config(&cfg);
	ASSERT_EQ(0, inst_create(&in, &cfg, xics_ids, XICS_NR));
	snprintf(fd, sizeof(fd), "%d", in.chip.fd);
	EXPECT_EQ(0, run_virqctl(out, &in, "info", "--fd", fd, NULL));
	EXPECT_TRUE(file_has(out, "family xics: nr_vcpus 4, nr_sources 2048\n"));
	EXPECT_TRUE(file_has(out, "  vcpu 0 server 0x10: "));
	EXPECT_TRUE(file_has(out, "  vcpu 1 server 0x2a: "));
	EXPECT_TRUE(file_has(out, "  vcpu 2 server 0x7: "));
	EXPECT_TRUE(file_has(out, "  vcpu 3 server 0x100: "));
	EXPECT_FALSE(file_has_quiet(out, "x86"));
	inst_close(&in);
	free(l);
}

/* --- fixtures: files of format version 1 ---------------------------------- */

/*
 * The XICS fixture scenario: 3 servers, 2048 sources.
 *   100 (prio 5) presented in 0x10's XISR, an IPI (MFRR 7) behind it;
 *   200 (prio 3) in service at 0x20, fired again (QUEUED);
 *   300 (prio 6) waiting behind 0x20's CPPR 3;
 *   1500 an LSI (prio 4), line high, in 0x30's XISR;
 *   400 (prio 2) to 0x30, latched while masked;
 *   MSI blocks of 4 and 16 allocated.
 */
static const __u64 fx_xics_ids[] = { 0x10, 0x20, 0x30 };

static void fx_xics_scenario(const struct inst *in, struct oplog *l)
{
	__u32 i;

	for (i = 0; i < 3; i++)
		xics_call(in, l, i, VIRQ_XICS_H_CPPR, 0xff, 0, 0);
	xics_call(in, l, -1, VIRQ_XICS_CALL_MSI_ALLOC, 4, 0, 0);
	xics_call(in, l, -1, VIRQ_XICS_CALL_MSI_ALLOC, 16, 0, 0);
	xics_call(in, l, -1, VIRQ_XICS_CALL_SET_XIVE, 100, 0x10, 5);
	xics_line(in, l, 100, VIRQ_LINE_EDGE);
	xics_call(in, l, -1, VIRQ_XICS_CALL_SET_XIVE, 200, 0x20, 3);
	xics_line(in, l, 200, VIRQ_LINE_EDGE);
	xics_ack(in, l, 1, false);
	xics_line(in, l, 200, VIRQ_LINE_EDGE);
	xics_call(in, l, -1, VIRQ_XICS_CALL_SET_XIVE, 300, 0x20, 6);
	xics_line(in, l, 300, VIRQ_LINE_EDGE);
	xics_call(in, l, -1, VIRQ_XICS_CALL_SET_LSI, 1500, 1, 0);
	xics_call(in, l, -1, VIRQ_XICS_CALL_SET_XIVE, 1500, 0x30, 4);
	xics_line(in, l, 1500, VIRQ_LINE_SET);
	xics_call(in, l, -1, VIRQ_XICS_CALL_SET_XIVE, 400, 0x30, 2);
	xics_call(in, l, -1, VIRQ_XICS_CALL_INT_OFF, 400, 0, 0);
	xics_line(in, l, 400, VIRQ_LINE_EDGE);
	xics_call(in, l, 2, VIRQ_XICS_H_IPI, 0x10, 7, 0);
}

/*
 * The x86 fixture scenario: 2 vCPUs (APIC ids 0, 1), PIC, one IOAPIC,
 * 16 IRTEs, 32 GSIs.
 *   GSI 5: IOAPIC level pin to APIC 1, vector 0x35, in service (remote
 *   IRR), its line still high;
 *   an MSI 0x90 pending at APIC 0;
 *   IRTE 3 (0x61 to APIC 1) used by a remappable MSI: 0x61 pending;
 *   GSI 20 routed to an MSI (0x44 to APIC 0), nothing sent;
 *   the PIC initialised at 0x20, IRQ 3 unmasked and requested;
 *   APIC 0's LINT0 in ExtINT mode.
 */
static const __u64 fx_x86_ids[] = { 0, 1 };

static void fx_x86_config(struct libvirq_config *c)
{
	memset(c, 0, sizeof(*c));
	c->family = VIRQ_FAMILY_X86;
	c->nr_vcpus = 2;
	c->nr_sources = 32;
	c->x86_options.nr_ioapics = 1;
	c->x86_options.nr_irtes = 16;
	c->x86_options.ioapics[0].base = VIRQ_X86_IOAPIC_DEFAULT_BASE;
	c->x86_options.ioapics[0].nr_pins = 24;
}

static void fx_x86_scenario(const struct inst *in, struct oplog *l)
{
	struct virq_x86_tsc t = { .tsc_khz = 1000000 };
	struct virq_x86_irte e = {
		.lo = VIRQ_X86_IRTE_PRESENT |
		      0x61ULL << VIRQ_X86_IRTE_VECTOR_SHIFT |
		      1ULL << VIRQ_X86_IRTE_DEST_SHIFT,
	};
	struct virq_route r = {
		.gsi = 20, .type = VIRQ_ROUTE_MSI,
		.u.msi = { .address_lo = 0xfee00000, .data = 0x44 },
	};
	struct virq_msi m = { .address_lo = 0xfee00000, .data = 0x90 };
	__u32 i;

	for (i = 0; i < 2; i++) {
		libvirq_vcpu_set_attr(in->v[i].fd, VIRQ_X86_VGRP_TSC, 0, &t,
				      sizeof(t));
		x86_lapic_write(in, l, i, 0xf0, 0x1ff);
	}
	x86_lapic_write(in, l, 0, 0x350, 0x700);
	x86_ioapic_rte(in, l, 0, 5, 0x35 | 1ULL << 15 | 1ULL << 56);
	x86_line(in, l, 5, VIRQ_LINE_SET);
	x86_ack(in, l, 1, 0);				/* 0x35 */
	libvirq_signal_msi(in->chip.fd, &m);		/* 0x90 */
	libvirq_set_attr(in->chip.fd, VIRQ_X86_GRP_IRTE, 3, &e, sizeof(e));
	m = (struct virq_msi){ .address_lo = 0xfee00000 | 3 << 5 | 1 << 4 };
	libvirq_signal_msi(in->chip.fd, &m);		/* 0x61 */
	libvirq_update_gsi_route(in->chip.fd, VIRQ_ROUTE_OP_REPLACE, &r);
	x86_pio(in, l, 0x20, 0x11);
	x86_pio(in, l, 0x21, 0x20);
	x86_pio(in, l, 0x21, 0x04);
	x86_pio(in, l, 0x21, 0x01);
	x86_pio(in, l, 0x21, 0xf7);			/* IRQ 3 only */
	x86_line(in, l, 3, VIRQ_LINE_EDGE);
}

/* Decode @blob, restore it into a fresh instance, read it back */
static void fixture_restore(struct __test_metadata *_metadata,
			    const unsigned char *blob, size_t len,
			    __u32 family, const __u64 *ids, __u32 nr,
			    struct inst *in)
{
	struct libvirq_state st;
	struct libvirq_err e;

	ASSERT_LT(32UL, len) {
		TH_LOG("the fixture file is empty");
	}
	ASSERT_EQ(1ULL, get_le(blob + 8, 4));	/* format version 1 */
	ASSERT_EQ(0, libvirq_decode(blob, len, &st, &e)) {
		TH_LOG("%s", e.msg);
	}
	EXPECT_EQ(family, st.cfg.family);
	ASSERT_EQ(nr, st.nr_vcpus);
	for (__u32 i = 0; i < nr; i++)
		EXPECT_EQ(ids[i], st.vcpus[i].arch_id);
	ASSERT_EQ(0, inst_create(in, &st.cfg, ids, nr));
	ASSERT_EQ(0, libvirq_restore(&st, &in->chip, 0, NULL, &e)) {
		TH_LOG("%s", e.msg);
	}
	/* read back: what the fixture holds */
	EXPECT_EQ(0, diff_live(in, &st));
	libvirq_state_free(&st);
}

static __u64 xirr_of(__u32 cppr, __u32 xisr)
{
	return (__u64)cppr << 24 | xisr;
}

TEST_F_TIMEOUT(vc, fixtures_v1, 300)
{
	const char *wdir = getenv("VIRQCTL_TEST_WRITE_FIXTURES");
	struct oplog *l = calloc(1, sizeof(*l));
	struct libvirq_config cfg;
	struct virq_call call;
	struct virq_msi msi;
	char path[PATH_MAX];
	struct inst in;

	ASSERT_NE(NULL, l);
	if (!have_family(VIRQ_FAMILY_X86) || !have_family(VIRQ_FAMILY_XICS))
		SKIP(return, "no /dev/virq with the x86 and XICS families");

	if (wdir) {	/* (re)make the fixture files: never for tests */
		xics_config(&cfg);
		cfg.nr_vcpus = 3;
		ASSERT_EQ(0, inst_create(&in, &cfg, fx_xics_ids, 3));
		fx_xics_scenario(&in, l);
		snprintf(path, sizeof(path), "%s/xics-v1.virq", wdir);
		ASSERT_EQ(0, save_file(&in, path, NULL));
		inst_close(&in);
		fx_x86_config(&cfg);
		ASSERT_EQ(0, inst_create(&in, &cfg, fx_x86_ids, 2));
		fx_x86_scenario(&in, l);
		snprintf(path, sizeof(path), "%s/x86-v1.virq", wdir);
		ASSERT_EQ(0, save_file(&in, path, NULL));
		inst_close(&in);
		SKIP(return, "wrote the fixtures into %s", wdir);
	}

	/* XICS: everything comes out as the scenario left it */
	fixture_restore(_metadata, fx_xics, fx_xics_end - fx_xics,
			VIRQ_FAMILY_XICS, fx_xics_ids, 3, &in);
	EXPECT_EQ(xirr_of(0xff, 100), xics_ack(&in, l, 0, true));
	/* then the IPI: MFRR back to 0xff before its EOI */
	EXPECT_EQ(xirr_of(0xff, 2), xics_ack(&in, l, 0, false));
	xics_call(&in, l, 0, VIRQ_XICS_H_IPI, 0x10, 0xff, 0);
	xics_call(&in, l, 0, VIRQ_XICS_H_EOI, xirr_of(0xff, 2), 0, 0);
	EXPECT_EQ(xirr_of(0xff, 0), xics_ack(&in, l, 0, true));
	EXPECT_EQ(xirr_of(3, 0), xics_ack(&in, l, 1, false));
	xics_call(&in, l, 1, VIRQ_XICS_H_EOI, xirr_of(0xff, 200), 0, 0);
	EXPECT_EQ(xirr_of(0xff, 200), xics_ack(&in, l, 1, true)); /* Q */
	EXPECT_EQ(xirr_of(0xff, 300), xics_ack(&in, l, 1, true));
	EXPECT_EQ(xirr_of(0xff, 0), xics_ack(&in, l, 1, true));
	EXPECT_EQ(xirr_of(0xff, 1500), xics_ack(&in, l, 2, false));
	xics_line(&in, l, 1500, VIRQ_LINE_RESET);
	xics_call(&in, l, 2, VIRQ_XICS_H_EOI, xirr_of(0xff, 1500), 0, 0);
	EXPECT_EQ(xirr_of(0xff, 0), xics_ack(&in, l, 2, true));
	xics_call(&in, l, -1, VIRQ_XICS_CALL_INT_ON, 400, 0, 0);
	EXPECT_EQ(xirr_of(0xff, 400), xics_ack(&in, l, 2, true));
	/* the MSI blocks are still allocated: the next block of 4 is 20 */
	call = (struct virq_call){ .nr = VIRQ_XICS_CALL_MSI_ALLOC,
				   .args = { 4 } };
	ASSERT_EQ(0, libvirq_chip_call(in.chip.fd, &call));
	EXPECT_EQ(0, call.ret);
	EXPECT_EQ(20ULL, call.rets[0]);
	inst_close(&in);

	/* x86 */
	fixture_restore(_metadata, fx_x86, fx_x86_end - fx_x86,
			VIRQ_FAMILY_X86, fx_x86_ids, 2, &in);
	EXPECT_EQ(0x90, x86_ack(&in, l, 0, 0));
	EXPECT_EQ(0x23, x86_ack(&in, l, 0, VIRQ_OUT_EXTINT));	/* IRQ 3 */
	x86_eoi(&in, l, 0);
	EXPECT_EQ(SPURIOUS, x86_ack(&in, l, 0, 0));
	EXPECT_EQ(0x61, x86_ack(&in, l, 1, 0));
	x86_eoi(&in, l, 1);			/* 0x61 */
	x86_eoi(&in, l, 1);			/* 0x35: its line is high */
	EXPECT_EQ(0x35, x86_ack(&in, l, 1, 0));
	x86_line(&in, l, 5, VIRQ_LINE_RESET);
	x86_eoi(&in, l, 1);
	EXPECT_EQ(SPURIOUS, x86_ack(&in, l, 1, 0));
	x86_line(&in, l, 20, VIRQ_LINE_EDGE);	/* the MSI route */
	EXPECT_EQ(0x44, x86_ack(&in, l, 0, 0));
	/* IRTE 3 is still there */
	msi = (struct virq_msi){ .address_lo = 0xfee00000 | 3 << 5 | 1 << 4 };
	EXPECT_EQ(0, libvirq_signal_msi(in.chip.fd, &msi));
	EXPECT_EQ(1, msi.status);
	EXPECT_EQ(0x61, x86_ack(&in, l, 1, 0));
	inst_close(&in);
	free(l);
}

/* --- CRC32C and the encoder, without the module --------------------------- */

/* --- GICv3: configuration, guest memory, workload, drain ------------------ */

/*
 * Four vCPUs labelled by MPIDR (one with Aff3), 128 sources, an ITS with
 * its tables, command queue and LPI tables in guest memory: one slot of
 * G3_MEM bytes at G3_GPA.
 */
static const __u64 g3_ids[] = { 0x0, 0x1, 0x100, 0x100000002ULL };
#define G3_NR		4
#define G3_SOURCES	128
#define G3_GPA		0x40000000ULL
#define G3_MEM		0x100000ULL
#define G3_PROP		0x00000ULL	/* 16 bits of LPIs: 56 KiB */
#define G3_PEND(i)	(0x10000ULL + (i) * 0x2000ULL)	/* 8 KiB each */
#define G3_CMDQ		0x30000ULL
#define G3_DEVT		0x40000ULL
#define G3_COLT		0x50000ULL
#define G3_ITT(n)	(0x60000ULL + (n) * 0x1000ULL)
#define G3_DIST		VIRQ_GICV3_DEFAULT_DIST_BASE
#define G3_RD(i)	(VIRQ_GICV3_DEFAULT_REDIST_BASE + \
			 (__u64)(i) * VIRQ_GICV3_REDIST_SIZE)
#define G3_SGI(i)	(G3_RD(i) + 0x10000)
#define G3_ITS(off)	(VIRQ_GICV3_DEFAULT_ITS_BASE + (off))
#define G3_NR_DEV	3
#define G3_NR_EV	8
#define G3_LPI(d, e)	(VIRQ_GICV3_FIRST_LPI + 100 + (d) * 16 + (e))
#define G3_VALID	(1ULL << 63)

/* What the "guest" knows: its active INTIDs per vCPU (acked, not EOId) */
struct g3_guest {
	__u32 depth[G3_NR];
	__u32 stack[G3_NR][64];
	__u64 cwriter;
};

static void g3_config(struct libvirq_config *c, bool its)
{
	memset(c, 0, sizeof(*c));
	c->family = VIRQ_FAMILY_GICV3;
	c->nr_vcpus = G3_NR;
	c->nr_sources = G3_SOURCES;
	if (its) {
		c->gicv3_options.flags = VIRQ_GICV3_OPT_ITS;
		c->gicv3_options.lpi_bits = 16;
	}
}

static int g3_memory(int fd, void *mem)
{
	struct virq_memory_region r = {
		.slot = 0, .guest_phys_addr = G3_GPA, .memory_size = G3_MEM,
		.userspace_addr = (uintptr_t)mem,
	};

	return ioctl(fd, VIRQ_SET_MEMORY_REGION, &r) ? -errno : 0;
}

static __u64 g3_rd(const struct inst *in, int v, __u32 space, __u64 a,
		   __u32 len)
{
	__u64 d = 0;

	if (libvirq_vcpu_access(in->v[v].fd, space, a, len, false, &d))
		return ~0ULL;
	return d;
}

static void g3_wr(const struct inst *in, struct oplog *l, int v,
		  __u32 space, __u64 a, __u32 len, __u64 d)
{
	int ret = libvirq_vcpu_access(in->v[v].fd, space, a, len, true, &d);

	if (l)
		lg(l, 0xa000 | (ret & 0xff), a);
}

static void g3_its_cmd(const struct inst *in, __u8 *mem, struct g3_guest *g,
		       __u64 c0, __u64 c1, __u64 c2)
{
	__u64 cmd[4] = { c0, c1, c2, 0 };

	memcpy(mem + G3_CMDQ + g->cwriter, cmd, sizeof(cmd));
	g->cwriter = (g->cwriter + 32) % 4096;
	g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_ITS(0x88), 8, g->cwriter);
}

/* The guest's boot: groups, CPU interfaces, LPIs and the ITS, interrupts */
static void g3_setup(const struct inst *in, __u8 *mem, struct g3_guest *g,
		     bool its, __u64 seed)
{
	__u32 i, v, d, e;

	memset(g, 0, sizeof(*g));
	g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_DIST, 4, 3);
	for (v = 0; v < G3_NR; v++) {
		g3_wr(in, NULL, v, VIRQ_SPACE_MMIO, G3_RD(v) + 0x14, 4, 0);
		g3_wr(in, NULL, v, VIRQ_SPACE_SYSREG, VIRQ_GICV3_ICC_PMR_EL1,
		      8, 0xf0);
		g3_wr(in, NULL, v, VIRQ_SPACE_SYSREG,
		      VIRQ_GICV3_ICC_IGRPEN0_EL1, 8, 1);
		g3_wr(in, NULL, v, VIRQ_SPACE_SYSREG,
		      VIRQ_GICV3_ICC_IGRPEN1_EL1, 8, 1);
		/* PPIs 20-23 enabled, priorities by vCPU; SGIs 0-7 prio */
		g3_wr(in, NULL, v, VIRQ_SPACE_MMIO, G3_SGI(v) + 0x100, 4,
		      0xf0000ffU);
		for (i = 0; i < 32; i += 4)
			g3_wr(in, NULL, v, VIRQ_SPACE_MMIO,
			      G3_SGI(v) + 0x400 + i, 4,
			      0x20406080U + (v << 3) * 0x01010101U);
	}
	/* SPIs 32..G3_SOURCES-1: random priority, trigger, group, route */
	for (i = 32; i < G3_SOURCES; i++) {
		g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_DIST + 0x400 + i, 1,
		      (rnd(&seed, 28) + 2) << 3);
		g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_DIST + 0x6000 + i * 8, 8,
		      g3_ids[rnd(&seed, G3_NR)]);
		if (rnd(&seed, 8) == 0)
			g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO,
			      G3_DIST + 0x80 + i / 32 * 4, 4,
			      (__u32)g3_rd(in, 0, VIRQ_SPACE_MMIO,
					   G3_DIST + 0x80 + i / 32 * 4, 4) &
			      ~(1U << (i % 32)));
	}
	for (i = 1; i < G3_SOURCES / 32; i++) {
		g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_DIST + 0xc00 + i * 8, 4,
		      (__u32)rnd(&seed, 0) & 0xaaaaaaaaU);
		g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_DIST + 0xc04 + i * 8, 4,
		      (__u32)rnd(&seed, 0) & 0xaaaaaaaaU);
		g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_DIST + 0x100 + i * 4, 4,
		      (__u32)rnd(&seed, 0) | 0x0f0f0f0fU);
	}
	if (!its)
		return;
	for (i = 0; i < (1U << 16) - VIRQ_GICV3_FIRST_LPI; i++)
		mem[G3_PROP + i] = 0xa1;	/* priority 0xa0, enabled */
	for (v = 0; v < G3_NR; v++) {
		g3_wr(in, NULL, v, VIRQ_SPACE_MMIO, G3_RD(v) + 0x70, 8,
		      (G3_GPA + G3_PROP) | 15);
		g3_wr(in, NULL, v, VIRQ_SPACE_MMIO, G3_RD(v) + 0x78, 8,
		      G3_GPA + G3_PEND(v));
		g3_wr(in, NULL, v, VIRQ_SPACE_MMIO, G3_RD(v), 4, 1);
	}
	g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_ITS(0x100), 8,
	      G3_VALID | (G3_GPA + G3_DEVT));
	g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_ITS(0x108), 8,
	      G3_VALID | (G3_GPA + G3_COLT));
	g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_ITS(0x80), 8,
	      G3_VALID | (G3_GPA + G3_CMDQ));
	g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_ITS(0), 4, 1);
	for (v = 0; v < G3_NR; v++)		/* MAPC: collection v */
		g3_its_cmd(in, mem, g, 0x09, 0, v | (__u64)v << 16 | G3_VALID);
	for (d = 0; d < G3_NR_DEV; d++) {	/* MAPD, MAPTI */
		g3_its_cmd(in, mem, g, 0x08 | (__u64)(0x10 + d) << 32, 3,
			   (G3_GPA + G3_ITT(d)) | G3_VALID);
		for (e = 0; e < G3_NR_EV; e++)
			g3_its_cmd(in, mem, g, 0x0a | (__u64)(0x10 + d) << 32,
				   e | (__u64)G3_LPI(d, e) << 32,
				   rnd(&seed, G3_NR));
	}
}

static void g3_ack(const struct inst *in, struct oplog *l,
		   struct g3_guest *g, int v, bool grp0)
{
	__u64 id;

	if (grp0)
		id = g3_rd(in, v, VIRQ_SPACE_SYSREG, VIRQ_GICV3_ICC_IAR0_EL1,
			   8);
	else if (libvirq_vcpu_ack(in->v[v].fd, 0, &id))
		id = ~0ULL;
	lg(l, 0xb000 | v | grp0 << 4, id);
	if (id < VIRQ_GICV3_SPURIOUS - 3 || id >= VIRQ_GICV3_FIRST_LPI)
		if (g->depth[v] < 64)
			g->stack[v][g->depth[v]++] = id | (__u32)grp0 << 31;
}

static void g3_eoi(const struct inst *in, struct oplog *l,
		   struct g3_guest *g, int v)
{
	__u32 id;

	if (!g->depth[v])
		return;
	id = g->stack[v][--g->depth[v]];
	g3_wr(in, l, v, VIRQ_SPACE_SYSREG, id >> 31 ?
	      VIRQ_GICV3_ICC_EOIR0_EL1 : VIRQ_GICV3_ICC_EOIR1_EL1, 8,
	      id & 0x7fffffff);
}

static void g3_outputs(const struct inst *in, struct oplog *l)
{
	struct virq_vcpu_output o;
	__u32 v;

	for (v = 0; v < G3_NR; v++) {
		memset(&o, 0, sizeof(o));
		libvirq_vcpu_get_output(in->v[v].fd, &o);
		lg(l, 0xc000 | v, o.lines);
	}
}

static void g3_ops(const struct inst *in, struct g3_guest *g, bool its,
		   __u64 seed, int n, struct oplog *l)
{
	struct virq_msi m = { 0 };
	int k, v, st, op;
	__u32 src;

	for (k = 0; k < n; k++) {
		v = rnd(&seed, G3_NR);
		op = rnd(&seed, its ? 9 : 8);
		st = 0;
		switch (op) {
		case 0:		/* an SPI's line */
		case 1:
			src = 32 + rnd(&seed, G3_SOURCES - 32);
			libvirq_irq_line(in->chip.fd, src,
					 rnd(&seed, 3) == 0 ? VIRQ_LINE_RESET :
					 op ? VIRQ_LINE_SET : VIRQ_LINE_EDGE,
					 &st);
			lg(l, 0x100 | op, src << 8 | (st & 0xff));
			break;
		case 2:		/* a PPI's line */
			src = VIRQ_GICV3_SOURCE_PRIVATE(v, 20 + rnd(&seed, 4));
			libvirq_irq_line(in->chip.fd, src,
					 rnd(&seed, 2) ? VIRQ_LINE_SET :
					 VIRQ_LINE_RESET, &st);
			lg(l, 0x200, src << 8 | (st & 0xff));
			break;
		case 3:		/* an SGI to a vCPU: Aff3.Aff2.Aff1, list */
			src = rnd(&seed, G3_NR);
			g3_wr(in, l, v, VIRQ_SPACE_SYSREG,
			      VIRQ_GICV3_ICC_SGI1R_EL1, 8,
			      (g3_ids[src] >> 32) << 48 |
			      (g3_ids[src] >> 16 & 0xff) << 32 |
			      (g3_ids[src] >> 8 & 0xff) << 16 |
			      rnd(&seed, 8) << 24 |
			      1ULL << (g3_ids[src] & 0xf));
			break;
		case 4:
		case 5:
			g3_ack(in, l, g, v, rnd(&seed, 4) == 0);
			break;
		case 6:
			g3_eoi(in, l, g, v);
			break;
		case 7:		/* priority mask */
			g3_wr(in, l, v, VIRQ_SPACE_SYSREG,
			      VIRQ_GICV3_ICC_PMR_EL1, 8,
			      rnd(&seed, 3) ? 0xf0 : 0x80);
			break;
		case 8:		/* an MSI through the ITS */
			m.address_lo = G3_ITS(VIRQ_GICV3_GITS_TRANSLATER);
			m.address_hi = 0;
			m.flags = VIRQ_MSI_FLAG_DEVID;
			m.devid = 0x10 + rnd(&seed, G3_NR_DEV);
			m.data = rnd(&seed, G3_NR_EV + 1);
			st = libvirq_signal_msi(in->chip.fd, &m);
			lg(l, 0x800 | m.devid, m.data << 16 | (st & 0xff) << 8 |
			   (m.status & 0xff));
			break;
		}
	}
	g3_outputs(in, l);
}

/* Lines down, PMR open, then every vCPU takes and ends all it has */
static void g3_drain(const struct inst *in, struct g3_guest *g,
		     struct oplog *l)
{
	__u32 src, v, k, before;

	for (src = 32; src < G3_SOURCES; src++)
		libvirq_irq_line(in->chip.fd, src, VIRQ_LINE_RESET, NULL);
	for (v = 0; v < G3_NR; v++) {
		for (k = 20; k < 24; k++)
			libvirq_irq_line(in->chip.fd,
					 VIRQ_GICV3_SOURCE_PRIVATE(v, k),
					 VIRQ_LINE_RESET, NULL);
		g3_wr(in, l, v, VIRQ_SPACE_SYSREG, VIRQ_GICV3_ICC_PMR_EL1, 8,
		      0xf8);
		for (k = 0; k < 400; k++) {
			before = g->depth[v];
			g3_ack(in, l, g, v, k & 1);
			if (g->depth[v] == before && !(k & 1) &&
			    !g3_rd(in, v, VIRQ_SPACE_SYSREG,
				   VIRQ_GICV3_ICC_AP0R_EL1(0), 8) &&
			    !g3_rd(in, v, VIRQ_SPACE_SYSREG,
				   VIRQ_GICV3_ICC_AP1R_EL1(0), 8))
				break;
			if (g->depth[v] == before)
				g3_eoi(in, l, g, v);
		}
		while (g->depth[v])
			g3_eoi(in, l, g, v);
	}
	g3_outputs(in, l);
}

/*
 * The destination VMM of the GICv3 round trip: a fresh instance on a
 * copy of the source's guest memory (@mem: shared with the test so that
 * it sees what virq writes into this process's memory), restored by
 * virqctl; then the same further operations as the source.
 */
struct g3_dest {
	int fd;
	int vfd[G3_NR];
	int status;
	struct g3_guest guest;
	struct oplog log;
};

static void g3_dest_main(const struct libvirq_config *cfg, __u8 *mem,
			 struct g3_dest *sh, int go, int ready,
			 const char *after, __u64 seed)
{
	struct inst b;
	char c = 0;
	__u32 i;

	sh->status = inst_create(&b, cfg, g3_ids, G3_NR);
	if (!sh->status)
		sh->status = g3_memory(b.chip.fd, mem);
	sh->fd = b.chip.fd;
	for (i = 0; i < b.nr; i++)
		sh->vfd[i] = b.v[i].fd;
	if (write(ready, &c, 1) != 1 || sh->status)
		_exit(1);
	if (read(go, &c, 1) != 1 || c != 'g')
		_exit(2);
	sh->status = save_file(&b, after, NULL);
	g3_ops(&b, &sh->guest, true, seed, 300, &sh->log);
	g3_drain(&b, &sh->guest, &sh->log);
	if (write(ready, &c, 1) != 1)
		_exit(3);
	if (read(go, &c, 1) != 1)
		_exit(4);
	_exit(0);
}

static void g3_round_trip(struct __test_metadata *_metadata, const char *dir,
			  __u64 seed)
{
	char file1[PATH_MAX], file2[PATH_MAX], file3[PATH_MAX];
	char out[PATH_MAX], pidbuf[16], fdbuf[16];
	struct libvirq_config cfg;
	struct libvirq_state s1, s2;
	struct g3_guest *ga;
	struct oplog *mine;
	struct g3_dest *sh;
	__u8 *mem, *copy;
	int go[2], ready[2], status;
	struct inst a;
	__u64 dte;
	char c = 'g';
	pid_t pid;
	__u32 i;

	snprintf(file1, sizeof(file1), "%s/g3-source.virq", dir);
	snprintf(file2, sizeof(file2), "%s/g3-restored.virq", dir);
	snprintf(file3, sizeof(file3), "%s/g3-by-pid.virq", dir);
	snprintf(out, sizeof(out), "%s/virqctl.out", dir);
	g3_config(&cfg, true);
	mine = calloc(1, sizeof(*mine));
	ga = calloc(1, sizeof(*ga));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	mem = mmap(NULL, G3_MEM, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	copy = mmap(NULL, G3_MEM, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(mine && ga && sh != MAP_FAILED && mem != MAP_FAILED &&
		    copy != MAP_FAILED);

	/* the source: boot, a random workload, saved mid-flight */
	ASSERT_EQ(0, inst_create(&a, &cfg, g3_ids, G3_NR));
	ASSERT_EQ(0, g3_memory(a.chip.fd, mem));
	g3_setup(&a, mem, ga, true, seed);
	g3_ops(&a, ga, true, seed * 3 + 1, 500, mine);
	ASSERT_EQ(0, save_file(&a, file1, &s1));
	/* the ITS tables are in guest memory now: DTE of device 0x10 */
	memcpy(&dte, mem + G3_DEVT + 0x10 * 8, 8);
	EXPECT_EQ(G3_VALID, dte & G3_VALID);
	/* RAM migration: the destination gets a copy of it */
	memcpy(copy, mem, G3_MEM);
	sh->guest = *ga;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		g3_dest_main(&cfg, copy, sh, go[0], ready[1], file2,
			     seed * 5 + 2);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, sh->status);
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	snprintf(fdbuf, sizeof(fdbuf), "%d", sh->fd);
	status = run_virqctl(out, NULL, "restore", "--pid", pidbuf, "--fd",
			     fdbuf, "--progress", "-i", file1, NULL);
	EXPECT_EQ(0, status);
	EXPECT_TRUE(file_has(out, "restored"));

	c = 'g';
	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(0, sh->status);
	mine->n = 0;
	g3_ops(&a, ga, true, seed * 5 + 2, 300, mine);
	g3_drain(&a, ga, mine);

	EXPECT_EQ(0, run_virqctl(out, NULL, "diff", file1, file2, NULL));
	ASSERT_EQ(0, vc_load(file2, &s2, NULL));
	EXPECT_EQ(0, diff_states(&s1, &s2));
	libvirq_state_free(&s2);

	i = expect_same_log(_metadata, mine, &sh->log);

	/*
	 * virqctl save --pid: the ITS tables go into the VMM's memory (the
	 * core's remote guest-memory path), not virqctl's: the destination
	 * process's copy, wiped here first, has them again afterwards.
	 */
	memset(copy + G3_DEVT, 0, 0x10000);
	status = run_virqctl(out, NULL, "save", "--pid", pidbuf, "--fd",
			     fdbuf, "-o", file3, NULL);
	EXPECT_EQ(0, status);
	memcpy(&dte, copy + G3_DEVT + 0x10 * 8, 8);
	EXPECT_EQ(G3_VALID, dte & G3_VALID) {
		TH_LOG("DTE of device 0x10 in the VMM's memory: %#llx",
		       (unsigned long long)dte);
	}
	ASSERT_EQ(0, save_file(&a, file1, NULL));
	EXPECT_EQ(0, run_virqctl(out, NULL, "diff", file1, file3, NULL));
	EXPECT_EQ(0, run_virqctl(out, NULL, "show", file3, NULL));
	EXPECT_TRUE(file_has(out, "MPIDR 0x100000002"));
	EXPECT_TRUE(file_has(out, "GITS_CBASER"));
	EXPECT_EQ(0, run_virqctl(out, NULL, "show", "--json", file3, NULL));
	EXPECT_TRUE(file_has(out, "\"cpu_interface\""));
	TH_LOG("seed %#llx: %u log words equal", (unsigned long long)seed, i);

	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	libvirq_state_free(&s1);
	inst_close(&a);
	munmap(sh, sizeof(*sh));
	munmap(mem, G3_MEM);
	munmap(copy, G3_MEM);
	free(mine);
	free(ga);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

TEST_F_TIMEOUT(vc, gicv3_round_trip, 600)
{
	if (!have_family(VIRQ_FAMILY_GICV3))
		SKIP(return, "no /dev/virq with the GICv3 family");
	if (getenv("VIRQCTL_TEST_SEED")) {	/* exploring */
		g3_round_trip(_metadata, self->dir,
			      strtoull(getenv("VIRQCTL_TEST_SEED"), NULL, 0));
		return;
	}
	g3_round_trip(_metadata, self->dir, 0x3141592);
	g3_round_trip(_metadata, self->dir, 0x27182);
}

/*
 * GICv3 refusals: a bit flipped in every section, truncations, a target
 * with other MPIDRs; each refused, the target unchanged.
 */
TEST_F_TIMEOUT(vc, gicv3_refusals, 600)
{
	struct libvirq_config cfg;
	struct libvirq_state st, before;
	struct libvirq_err e;
	struct g3_guest g;
	struct oplog *l = calloc(1, sizeof(*l));
	static const __u64 other[] = { 0x0, 0x1, 0x100, 0x100000003ULL };
	struct inst a, b, w;
	__u8 *mem;
	size_t len, k;
	void *buf;
	__u8 *p;
	__u32 i;

	if (!have_family(VIRQ_FAMILY_GICV3))
		SKIP(return, "no /dev/virq with the GICv3 family");
	g3_config(&cfg, true);
	mem = mmap(NULL, G3_MEM, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, inst_create(&a, &cfg, g3_ids, G3_NR));
	ASSERT_EQ(0, g3_memory(a.chip.fd, mem));
	g3_setup(&a, mem, &g, true, 0x99);
	g3_ops(&a, &g, true, 0x55, 300, l);
	ASSERT_EQ(0, libvirq_save(&a.chip, &st, NULL, &e));
	ASSERT_EQ(0, libvirq_encode(&st, &buf, &len, &e));
	p = buf;

	ASSERT_EQ(0, inst_create(&b, &cfg, g3_ids, G3_NR));
	ASSERT_EQ(0, libvirq_save(&b.chip, &before, NULL, &e));

	/* a flipped bit in every section: refused by the decoder */
	libvirq_state_free(&st);
	ASSERT_EQ(0, libvirq_decode(buf, len, &st, &e));
	for (i = 0; i < st.nr_sections; i++) {
		const struct libvirq_section *sec = &st.sections[i];
		struct libvirq_state x;

		k = sec->offset + 16 + (sec->length ? (i * 7) % sec->length : 0);
		if (!sec->length)
			k = sec->offset + 4;
		p[k] ^= 1U << (i % 8);
		EXPECT_EQ(-EBADMSG, libvirq_decode(buf, len, &x, &e)) {
			TH_LOG("section %u (%s): %s", i,
			       libvirq_section_name(sec->type), e.msg);
		}
		p[k] ^= 1U << (i % 8);
	}
	EXPECT_LT(G3_NR + 3U, st.nr_sections);
	/* truncated anywhere */
	for (k = 1; k < len; k += len / 37 + 1) {
		struct libvirq_state x;

		EXPECT_NE(0, libvirq_decode(buf, len - k, &x, &e));
	}
	/* a target with another MPIDR set: refused, unchanged */
	libvirq_state_free(&st);
	ASSERT_EQ(0, libvirq_decode(buf, len, &st, &e));
	ASSERT_EQ(0, inst_create(&w, &cfg, other, G3_NR));
	EXPECT_EQ(-EINVAL, libvirq_restore(&st, &w.chip, 0, NULL, &e));
	EXPECT_NE(NULL, strstr(e.msg, "MPIDR 0x100000002 in the file")) {
		TH_LOG("%s", e.msg);
	}
	inst_close(&w);
	/* the wrong configuration: no ITS */
	g3_config(&cfg, false);
	ASSERT_EQ(0, inst_create(&w, &cfg, g3_ids, G3_NR));
	EXPECT_EQ(-EINVAL, libvirq_restore(&st, &w.chip, 0, NULL, &e));
	EXPECT_NE(NULL, strstr(e.msg, "gicv3 field flags")) {
		TH_LOG("%s", e.msg);
	}
	inst_close(&w);
	/* a GICD_IIDR the kernel refuses: the dry run, target unchanged */
	for (i = 0; i < st.nr_dist_regs; i++)
		if (st.dist_regs[i].off == 8)
			st.dist_regs[i].val ^= 0x1000;
	EXPECT_NE(0, libvirq_restore(&st, &b.chip, 0, NULL, &e));
	EXPECT_NE(NULL, strstr(e.msg, "dry run: distributor register GICD_IIDR")) {
		TH_LOG("%s", e.msg);
	}
	EXPECT_EQ(0, diff_live(&b, &before));

	libvirq_state_free(&st);
	libvirq_state_free(&before);
	free(buf);
	free(l);
	inst_close(&a);
	inst_close(&b);
	munmap(mem, G3_MEM);
}

/* --- GICv3 fixture: format version 1 ------------------------------------- */

/*
 * The GICv3 fixture scenario: no LPIs, no ITS, 3 vCPUs (MPIDR 0x0, 0x100,
 * 0x10201), 64 sources (SPIs 32-63), both groups enabled everywhere.
 *   MPIDR 0x0, PMR 0xf0: SPI 40 (edge, 0x40) acknowledged and pending
 *   again; PPI 22 (group 0, 0x30) acknowledged over it, its line still
 *   high; SGI 3 (0x60) from MPIDR 0x10201 pending; SPI 33 (level, 0x80)
 *   line high.  AP0R0 and AP1R0 both hold a priority.
 *   MPIDR 0x100, PMR 0x80, BPR1 5: SPI 50 (0x58) active; SPI 51 (0x48)
 *   pending but of the same group priority under BPR1 5, so held; SPI 52
 *   (0x90) held by the PMR; SPI 53 (group 0, 0x20) pending and disabled;
 *   PPI 25 (level, 0x70) line high; SGI 5 (group 0, 0x10) from MPIDR 0x0
 *   pending, signalled (FIQ).
 *   MPIDR 0x10201, EOImode 1, BPR0 4, PMR 0xf8: SPI 60 (level, 0x50)
 *   acknowledged and its priority dropped, still active, line high.
 *   SPI 63: 1-of-N, disabled, priority 0xe0, never pending.
 */
static const __u64 fx_g3_ids[] = { 0x0, 0x100, 0x10201 };
#define FX_G3_NR	3

static void fx_g3_config(struct libvirq_config *c)
{
	memset(c, 0, sizeof(*c));
	c->family = VIRQ_FAMILY_GICV3;
	c->nr_vcpus = FX_G3_NR;
	c->nr_sources = 64;
}

static __u64 fx_g3_icc(const struct inst *in, int v, __u32 reg)
{
	return g3_rd(in, v, VIRQ_SPACE_SYSREG, reg, 8);
}

static void fx_g3_icc_set(const struct inst *in, int v, __u32 reg, __u64 val)
{
	g3_wr(in, NULL, v, VIRQ_SPACE_SYSREG, reg, 8, val);
}

/* ICC_IAR<grp>_EL1 of vCPU @v: the INTID acknowledged, or 1023 */
static __u64 fx_g3_iar(const struct inst *in, int v, int grp)
{
	return fx_g3_icc(in, v, grp ? VIRQ_GICV3_ICC_IAR1_EL1 :
				      VIRQ_GICV3_ICC_IAR0_EL1);
}

static void fx_g3_eoi(const struct inst *in, int v, int grp, __u32 intid)
{
	fx_g3_icc_set(in, v, grp ? VIRQ_GICV3_ICC_EOIR1_EL1 :
				   VIRQ_GICV3_ICC_EOIR0_EL1, intid);
}

static void fx_g3_line(const struct inst *in, __u32 src, __u32 op)
{
	libvirq_irq_line(in->chip.fd, src, op, NULL);
}

/* Bit @bit of the 32-bit register at @a set or cleared */
static void fx_g3_bit(const struct inst *in, __u64 a, __u32 bit, bool set)
{
	__u32 val = g3_rd(in, 0, VIRQ_SPACE_MMIO, a, 4);

	val = set ? val | 1U << bit : val & ~(1U << bit);
	g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, a, 4, val);
}

/* SPI @i: priority, trigger, group, GICD_IROUTER, enabled */
static void fx_g3_spi(const struct inst *in, __u32 i, __u32 prio, bool edge,
		      bool group1, __u64 irouter, bool enable)
{
	g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_DIST + 0x400 + i, 1, prio);
	fx_g3_bit(in, G3_DIST + 0xc00 + i / 16 * 4, i % 16 * 2 + 1, edge);
	fx_g3_bit(in, G3_DIST + 0x80 + i / 32 * 4, i % 32, group1);
	g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_DIST + 0x6000 + i * 8, 8,
	      irouter);
	if (enable)
		g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_DIST + 0x100 + i / 32 * 4,
		      4, 1U << i % 32);
}

/* SGI or PPI @i of vCPU @v: priority, group, enabled */
static void fx_g3_private(const struct inst *in, int v, __u32 i, __u32 prio,
			  bool group1)
{
	g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_SGI(v) + 0x400 + i, 1, prio);
	fx_g3_bit(in, G3_SGI(v) + 0x80, i, group1);
	g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_SGI(v) + 0x100, 4, 1U << i);
}

/* Run the scenario; the number of acknowledges that were not as planned */
static int fx_g3_scenario(const struct inst *in)
{
	int bad = 0;
	__u32 v;

	g3_wr(in, NULL, 0, VIRQ_SPACE_MMIO, G3_DIST, 4, 3);
	for (v = 0; v < FX_G3_NR; v++) {
		g3_wr(in, NULL, v, VIRQ_SPACE_MMIO, G3_RD(v) + 0x14, 4, 0);
		fx_g3_icc_set(in, v, VIRQ_GICV3_ICC_IGRPEN0_EL1, 1);
		fx_g3_icc_set(in, v, VIRQ_GICV3_ICC_IGRPEN1_EL1, 1);
	}
	fx_g3_icc_set(in, 0, VIRQ_GICV3_ICC_PMR_EL1, 0xf0);
	fx_g3_icc_set(in, 1, VIRQ_GICV3_ICC_PMR_EL1, 0x80);
	fx_g3_icc_set(in, 1, VIRQ_GICV3_ICC_BPR1_EL1, 5);
	fx_g3_icc_set(in, 2, VIRQ_GICV3_ICC_PMR_EL1, 0xf8);
	fx_g3_icc_set(in, 2, VIRQ_GICV3_ICC_BPR0_EL1, 4);
	fx_g3_icc_set(in, 2, VIRQ_GICV3_ICC_CTLR_EL1, 2);	/* EOImode */

	/* MPIDR 0x0 */
	fx_g3_spi(in, 40, 0x40, true, true, 0x0, true);
	fx_g3_spi(in, 33, 0x80, false, true, 0x0, true);
	fx_g3_private(in, 0, 22, 0x30, false);
	fx_g3_private(in, 0, 3, 0x60, true);
	fx_g3_line(in, 40, VIRQ_LINE_EDGE);
	bad += fx_g3_iar(in, 0, 1) != 40;
	fx_g3_line(in, 40, VIRQ_LINE_EDGE);
	fx_g3_line(in, VIRQ_GICV3_SOURCE_PRIVATE(0, 22), VIRQ_LINE_SET);
	bad += fx_g3_iar(in, 0, 0) != 22;
	fx_g3_line(in, 33, VIRQ_LINE_SET);
	/* SGI 3 to Aff3.Aff2.Aff1 0.0.0, target list Aff0 0 */
	fx_g3_icc_set(in, 2, VIRQ_GICV3_ICC_SGI1R_EL1, 3ULL << 24 | 1);

	/* MPIDR 0x100 */
	fx_g3_spi(in, 50, 0x58, true, true, 0x100, true);
	fx_g3_spi(in, 51, 0x48, true, true, 0x100, true);
	fx_g3_spi(in, 52, 0x90, true, true, 0x100, true);
	fx_g3_spi(in, 53, 0x20, true, false, 0x100, false);
	fx_g3_private(in, 1, 25, 0x70, true);
	fx_g3_private(in, 1, 5, 0x10, false);
	fx_g3_line(in, 50, VIRQ_LINE_EDGE);
	bad += fx_g3_iar(in, 1, 1) != 50;
	fx_g3_line(in, 51, VIRQ_LINE_EDGE);
	fx_g3_line(in, 52, VIRQ_LINE_EDGE);
	fx_g3_line(in, 53, VIRQ_LINE_EDGE);
	fx_g3_line(in, VIRQ_GICV3_SOURCE_PRIVATE(1, 25), VIRQ_LINE_SET);
	/* SGI 5 to 0.0.1, Aff0 0 */
	fx_g3_icc_set(in, 0, VIRQ_GICV3_ICC_SGI1R_EL1,
		      5ULL << 24 | 1ULL << 16 | 1);

	/* MPIDR 0x10201: acknowledged, priority dropped, not deactivated */
	fx_g3_spi(in, 60, 0x50, false, true, 0x10201, true);
	fx_g3_line(in, 60, VIRQ_LINE_SET);
	bad += fx_g3_iar(in, 2, 1) != 60;
	fx_g3_eoi(in, 2, 1, 60);

	fx_g3_spi(in, 63, 0xe0, true, true, 1ULL << 31, false);	/* IRM */
	return bad;
}

/*
 * Is @line a line of the block of `virqctl show` output @path that
 * starts with the line @head (the lines after it indented deeper)?
 */
static bool show_has(const char *path, const char *head, const char *line)
{
	size_t len, hl = strlen(head), ll = strlen(line), ind, k;
	const char *p, *end, *nl;
	bool ok = false;
	void *buf;

	if (vc_read_file(path, &buf, &len))
		return false;
	end = (const char *)buf + len;
	for (p = buf, nl = end; p < end; p = nl + 1) {
		nl = memchr(p, '\n', end - p) ?: end;
		if ((size_t)(nl - p) == hl && !memcmp(p, head, hl))
			break;
	}
	ind = strspn(head, " ");
	for (p = nl < end ? nl + 1 : end; p < end; p = nl + 1) {
		nl = memchr(p, '\n', end - p) ?: end;
		k = 0;
		while (p + k < nl && p[k] == ' ')
			k++;
		if (k <= ind)
			break;
		if ((size_t)(nl - p) == ll && !memcmp(p, line, ll)) {
			ok = true;
			break;
		}
	}
	if (!ok)
		fprintf(stderr, "# %s: no \"%s\" under \"%s\"; it has: %.*s\n",
			path, line, head, (int)(len > 3000 ? 3000 : len),
			(char *)buf);
	free(buf);
	return ok;
}

TEST_F_TIMEOUT(vc, fixtures_v1_gicv3, 300)
{
	static const char dist[] =
		"distributor (tables saved to guest memory: none):";
	static const char spi60[] =
		"  SPI 60: pri 0x50 enabled active level group1 line-high route 0x10201";
	const char *wdir = getenv("VIRQCTL_TEST_WRITE_FIXTURES");
	char file[PATH_MAX], live[PATH_MAX], out[PATH_MAX];
	struct virq_vcpu_output o;
	struct libvirq_config cfg;
	struct inst in;
	__u32 i;

	if (!have_family(VIRQ_FAMILY_GICV3))
		SKIP(return, "no /dev/virq with the GICv3 family");
	if (wdir) {	/* (re)make the fixture file: never for tests */
		fx_g3_config(&cfg);
		ASSERT_EQ(0, inst_create(&in, &cfg, fx_g3_ids, FX_G3_NR));
		ASSERT_EQ(0, fx_g3_scenario(&in));
		snprintf(file, sizeof(file), "%s/gicv3-v1.virq", wdir);
		ASSERT_EQ(0, save_file(&in, file, NULL));
		inst_close(&in);
		SKIP(return, "wrote the GICv3 fixture into %s", wdir);
	}

	/* into a fresh instance; it reads back as the file holds it */
	fixture_restore(_metadata, fx_gicv3, fx_gicv3_end - fx_gicv3,
			VIRQ_FAMILY_GICV3, fx_g3_ids, FX_G3_NR, &in);
	fx_g3_config(&cfg);
	EXPECT_EQ(0, memcmp(&cfg.gicv3_options, &in.chip.cfg.gicv3_options,
			    sizeof(cfg.gicv3_options)));
	snprintf(file, sizeof(file), "%s/gicv3-v1.virq", self->dir);
	snprintf(live, sizeof(live), "%s/restored.virq", self->dir);
	snprintf(out, sizeof(out), "%s/virqctl.out", self->dir);
	ASSERT_EQ(0, vc_write_file(file, fx_gicv3, fx_gicv3_end - fx_gicv3));
	ASSERT_EQ(0, save_file(&in, live, NULL));
	EXPECT_EQ(0, run_virqctl(out, NULL, "diff", file, live, NULL));
	EXPECT_FALSE(file_has_quiet(out, "!="));

	/* virqctl show: what the scenario left, per vCPU by MPIDR */
	EXPECT_EQ(0, run_virqctl(out, NULL, "show", file, NULL));
	EXPECT_TRUE(file_has(out, "virq state file, format 1, "));
	EXPECT_TRUE(file_has(out, "family gicv3: nr_vcpus 3, nr_sources 64\n"));
	EXPECT_TRUE(file_has(out, "\ngicv3: no LPIs, lpi_bits 0, "));
	EXPECT_TRUE(file_has(out, "\nvCPUs: 3\n"));
	EXPECT_TRUE(show_has(out, "  vcpu 0 MPIDR 0:",
			     "    ICC_PMR_EL1      0x00000000000000f0"));
	EXPECT_TRUE(show_has(out, "  vcpu 0 MPIDR 0:",
			     "    ICC_AP0R0_EL1    0x0000000000000040"));
	EXPECT_TRUE(show_has(out, "  vcpu 0 MPIDR 0:",
			     "    ICC_AP1R0_EL1    0x0000000000000100"));
	EXPECT_TRUE(show_has(out, "  vcpu 0 MPIDR 0:",
			     "    SGI  3: pri 0x60 enabled pending edge group1"));
	EXPECT_TRUE(show_has(out, "  vcpu 0 MPIDR 0:",
			     "    PPI 22: pri 0x30 enabled active level group0 line-high"));
	EXPECT_TRUE(show_has(out, "  vcpu 1 MPIDR 0x100:",
			     "    ICC_PMR_EL1      0x0000000000000080"));
	EXPECT_TRUE(show_has(out, "  vcpu 1 MPIDR 0x100:",
			     "    ICC_BPR1_EL1     0x0000000000000005"));
	EXPECT_TRUE(show_has(out, "  vcpu 1 MPIDR 0x100:",
			     "    ICC_AP1R0_EL1    0x0000000000000100"));
	EXPECT_TRUE(show_has(out, "  vcpu 1 MPIDR 0x100:",
			     "    SGI  5: pri 0x10 enabled pending edge group0"));
	EXPECT_TRUE(show_has(out, "  vcpu 1 MPIDR 0x100:",
			     "    PPI 25: pri 0x70 enabled level group1 line-high"));
	EXPECT_TRUE(show_has(out, "  vcpu 1 MPIDR 0x100:",
			     "    GICR_TYPER       0x0000010000000100"));
	EXPECT_TRUE(show_has(out, "  vcpu 2 MPIDR 0x10201:",
			     "    ICC_PMR_EL1      0x00000000000000f8"));
	EXPECT_TRUE(show_has(out, "  vcpu 2 MPIDR 0x10201:",
			     "    ICC_BPR0_EL1     0x0000000000000004"));
	EXPECT_TRUE(show_has(out, "  vcpu 2 MPIDR 0x10201:",
			     "    ICC_CTLR_EL1     0x0000000000048402"));
	EXPECT_TRUE(show_has(out, dist, "  GICD_CTLR        0x00000053"));
	EXPECT_TRUE(show_has(out, dist,
			     "  SPI 33: pri 0x80 enabled level group1 line-high"));
	EXPECT_TRUE(show_has(out, dist,
			     "  SPI 40: pri 0x40 enabled pending active edge group1"));
	EXPECT_TRUE(show_has(out, dist,
			     "  SPI 50: pri 0x58 enabled active edge group1 route 0x100"));
	EXPECT_TRUE(show_has(out, dist,
			     "  SPI 51: pri 0x48 enabled pending edge group1 route 0x100"));
	EXPECT_TRUE(show_has(out, dist,
			     "  SPI 52: pri 0x90 enabled pending edge group1 route 0x100"));
	EXPECT_TRUE(show_has(out, dist,
			     "  SPI 53: pri 0x20 pending edge group0 route 0x100"));
	EXPECT_TRUE(show_has(out, dist, spi60));
	EXPECT_TRUE(show_has(out, dist, "  SPI 63: pri 0xe0 edge group1 1-of-N"));
	EXPECT_TRUE(file_has(out, "\nsources: 8 of 64 not in their reset state"));

	/*
	 * Delivery.  MPIDR 0x0: running priority 0x30 (PPI 22) holds SGI 3;
	 * once PPI 22 ends its line, still high, makes it pending again; SPI
	 * 40 comes when it is deactivated, then SGI 3 and SPI 33.
	 */
	EXPECT_EQ(0x30ULL, fx_g3_icc(&in, 0, VIRQ_GICV3_ICC_RPR_EL1));
	EXPECT_EQ(3ULL, fx_g3_icc(&in, 0, VIRQ_GICV3_ICC_HPPIR1_EL1));
	EXPECT_EQ(0, libvirq_vcpu_get_output(in.v[0].fd, &o));
	EXPECT_EQ(0U, o.lines);
	EXPECT_EQ(1023ULL, fx_g3_iar(&in, 0, 1));
	fx_g3_eoi(&in, 0, 0, 22);
	EXPECT_EQ(0, libvirq_vcpu_get_output(in.v[0].fd, &o));
	EXPECT_EQ((__u32)VIRQ_OUT_FIQ, o.lines);
	EXPECT_EQ(1023ULL, fx_g3_iar(&in, 0, 1));
	EXPECT_EQ(22ULL, fx_g3_iar(&in, 0, 0));
	fx_g3_line(&in, VIRQ_GICV3_SOURCE_PRIVATE(0, 22), VIRQ_LINE_RESET);
	fx_g3_eoi(&in, 0, 0, 22);
	EXPECT_EQ(0x40ULL, fx_g3_icc(&in, 0, VIRQ_GICV3_ICC_RPR_EL1));
	EXPECT_EQ(1023ULL, fx_g3_iar(&in, 0, 1));
	fx_g3_eoi(&in, 0, 1, 40);
	EXPECT_EQ(40ULL, fx_g3_iar(&in, 0, 1));
	fx_g3_eoi(&in, 0, 1, 40);
	EXPECT_EQ(3ULL, fx_g3_iar(&in, 0, 1));
	fx_g3_eoi(&in, 0, 1, 3);
	EXPECT_EQ(33ULL, fx_g3_iar(&in, 0, 1));
	fx_g3_line(&in, 33, VIRQ_LINE_RESET);
	fx_g3_eoi(&in, 0, 1, 33);

	/*
	 * MPIDR 0x100: SGI 5 (FIQ) first; SPI 51 waits for SPI 50's end
	 * (BPR1 5), then PPI 25; SPI 52 once the PMR opens, SPI 53 once
	 * enabled.
	 */
	EXPECT_EQ(0, libvirq_vcpu_get_output(in.v[1].fd, &o));
	EXPECT_EQ((__u32)VIRQ_OUT_FIQ, o.lines);
	EXPECT_EQ(5ULL, fx_g3_iar(&in, 1, 0));
	fx_g3_eoi(&in, 1, 0, 5);
	EXPECT_EQ(51ULL, fx_g3_icc(&in, 1, VIRQ_GICV3_ICC_HPPIR1_EL1));
	EXPECT_EQ(1023ULL, fx_g3_iar(&in, 1, 1));
	fx_g3_eoi(&in, 1, 1, 50);
	EXPECT_EQ(51ULL, fx_g3_iar(&in, 1, 1));
	fx_g3_eoi(&in, 1, 1, 51);
	EXPECT_EQ(25ULL, fx_g3_iar(&in, 1, 1));
	fx_g3_line(&in, VIRQ_GICV3_SOURCE_PRIVATE(1, 25), VIRQ_LINE_RESET);
	fx_g3_eoi(&in, 1, 1, 25);
	EXPECT_EQ(1023ULL, fx_g3_iar(&in, 1, 1));
	EXPECT_EQ(52ULL, fx_g3_icc(&in, 1, VIRQ_GICV3_ICC_HPPIR1_EL1));
	fx_g3_icc_set(&in, 1, VIRQ_GICV3_ICC_PMR_EL1, 0xf0);
	EXPECT_EQ(52ULL, fx_g3_iar(&in, 1, 1));
	fx_g3_eoi(&in, 1, 1, 52);
	EXPECT_EQ(1023ULL, fx_g3_iar(&in, 1, 0));
	g3_wr(&in, NULL, 1, VIRQ_SPACE_MMIO, G3_DIST + 0x104, 4, 1U << 21);
	EXPECT_EQ(53ULL, fx_g3_iar(&in, 1, 0));
	fx_g3_eoi(&in, 1, 0, 53);

	/* MPIDR 0x10201, EOImode 1: SPI 60 again once deactivated (DIR) */
	EXPECT_EQ(0xffULL, fx_g3_icc(&in, 2, VIRQ_GICV3_ICC_RPR_EL1));
	EXPECT_EQ(1023ULL, fx_g3_iar(&in, 2, 1));
	fx_g3_icc_set(&in, 2, VIRQ_GICV3_ICC_DIR_EL1, 60);
	EXPECT_EQ(60ULL, fx_g3_iar(&in, 2, 1));
	fx_g3_line(&in, 60, VIRQ_LINE_RESET);
	fx_g3_eoi(&in, 2, 1, 60);
	fx_g3_icc_set(&in, 2, VIRQ_GICV3_ICC_DIR_EL1, 60);

	/* nothing left anywhere */
	for (i = 0; i < FX_G3_NR; i++) {
		EXPECT_EQ(1023ULL, fx_g3_iar(&in, i, 0));
		EXPECT_EQ(1023ULL, fx_g3_iar(&in, i, 1));
		EXPECT_EQ(0xffULL, fx_g3_icc(&in, i, VIRQ_GICV3_ICC_RPR_EL1));
		EXPECT_EQ(0, libvirq_vcpu_get_output(in.v[i].fd, &o));
		EXPECT_EQ(0U, o.lines);
	}

	/* virqctl diff: what delivery changed, per source and register */
	ASSERT_EQ(0, save_file(&in, live, NULL));
	EXPECT_EQ(1, run_virqctl(out, NULL, "diff", file, live, NULL));
	EXPECT_TRUE(file_has(out, "source 40 pending: 0x1 != 0\n"));
	EXPECT_TRUE(file_has(out, "source 53 enabled: 0 != 0x1\n"));
	EXPECT_TRUE(file_has(out, "source 60 level_user: 0x1 != 0\n"));
	EXPECT_TRUE(file_has(out, "private 0 INTID 22 active: 0x1 != 0\n"));
	EXPECT_TRUE(file_has(out, "private 0x100 INTID 5 pending: 0x1 != 0\n"));
	EXPECT_TRUE(file_has(out, "cpuif 0 ICC_AP0R0_EL1: 0x40 != 0\n"));
	EXPECT_TRUE(file_has(out, "cpuif 0x100 ICC_PMR_EL1: 0x80 != 0xf0\n"));
	EXPECT_FALSE(file_has_quiet(out, "cpuif 0x10201"));
	EXPECT_TRUE(file_has(out, "\n19 differences (A "));
	inst_close(&in);
}

TEST(crc32c)
{
	static const __u8 zeros[32], ones[32] = {
		[0 ... 31] = 0xff,
	};

	/* RFC 3720 B.4 test vectors */
	EXPECT_EQ(0xe3069283U, libvirq_crc32c(0, "123456789", 9));
	EXPECT_EQ(0x8a9136aaU, libvirq_crc32c(0, zeros, 32));
	EXPECT_EQ(0x62a8ab43U, libvirq_crc32c(0, ones, 32));
	EXPECT_EQ(0xe3069283U,
		  libvirq_crc32c(libvirq_crc32c(0, "1234", 4), "56789", 5));
}

TEST_HARNESS_MAIN
