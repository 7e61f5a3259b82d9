// SPDX-License-Identifier: GPL-2.0
/*
 * virqctl: save, restore, show and compare the interrupt state of a virq
 * instance (Documentation/userspace-api/virq/virqctl.rst).
 *
 *   virqctl save    [--pid PID] --fd FD [--vcpu-fds FD,...] -o FILE
 *   virqctl restore [--pid PID] --fd FD [--vcpu-fds FD,...] -i FILE
 *   virqctl show    FILE [--json] [-v]
 *   virqctl diff    A B [--strict]
 *   virqctl info    [--pid PID] --fd FD [--vcpu-fds FD,...] [--json] [-v]
 *
 * With --pid the fds are the VMM's, taken with pidfd_open() and
 * pidfd_getfd(); without it they are virqctl's own (inherited).  The
 * instance says how it was created (VIRQ_GET_CHIP), each vCPU fd which
 * vCPU it is (VIRQ_VCPU_GET_ID), and both which instance they belong to
 * (/proc/self/fdinfo): libvirq_probe().  Exit status: 0 success, 1 "diff
 * found differences", 2 any error.
 *
 * All of virqctl is virqctl_run(): the selftests call it in a child
 * process when the binary is not at hand.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/libvirq.h"

#define VC_EXIT_OK	0
#define VC_EXIT_DIFF	1
#define VC_EXIT_ERR	2

#define VC_MAX_VCPUS	8192

/**
 * struct vc_opts - the command line
 * @cmd: the command
 * @pid: --pid, or 0: the fds are virqctl's own
 * @fd: --fd, the instance fd (-1 if none)
 * @vcpu_spec: --vcpu-fds, or NULL: find them
 * @out: -o FILE
 * @in: -i FILE
 * @args: positional arguments (show, diff)
 * @nr_args: how many
 * @json: --json
 * @verbose: -v
 * @strict: --strict
 * @quiet: -q: no progress, no warnings
 * @progress: --progress: progress even when stderr is no terminal
 * @no_dry_run: --no-dry-run
 */
struct vc_opts {
	const char *cmd;
	long pid;
	int fd;
	const char *vcpu_spec;
	const char *out;
	const char *in;
	const char *args[2];
	int nr_args;
	bool json;
	bool verbose;
	bool strict;
	bool quiet;
	bool progress;
	bool no_dry_run;
};

/* the kernel's __printf(), as tools/include/linux/compiler.h has it */
#ifndef __printf
#define lv_printf_fmt(a, b)	format(printf, a, b)
#define __printf(a, b)		__attribute__((lv_printf_fmt(a, b)))
#endif

/* Print "virqctl: <message>" on stderr; returns -1 */
static __printf(1, 2) int vc_err(const char *fmt, ...);

static int vc_err(const char *fmt, ...)
{
	va_list ap;

	fputs("virqctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static void vc_lib_err(const char *what, const struct libvirq_err *e)
{
	if (e->section[0])
		vc_err("%s: [%s] %s", what, e->section, e->msg);
	else
		vc_err("%s: %s", what, e->msg);
}

static int vc_usage(void)
{
	fputs("usage:\n"
	      "  virqctl save    [--pid PID] --fd FD [--vcpu-fds FD,...] [-q|--progress]\n"
	      "                  -o FILE\n"
	      "  virqctl restore [--pid PID] --fd FD [--vcpu-fds FD,...] [--no-dry-run]\n"
	      "                  [-q|--progress] -i FILE\n"
	      "  virqctl show    FILE [--json] [-v]\n"
	      "  virqctl diff    A B [--strict]\n"
	      "  virqctl info    [--pid PID] --fd FD [--vcpu-fds FD,...] [--json] [-v]\n"
	      "--fd: the instance fd; --vcpu-fds: its vCPU fds, in any order (each\n"
	      "says which vCPU it is); without --vcpu-fds every vCPU fd of the\n"
	      "process that belongs to the instance is taken (its fdinfo says).\n"
	      "With --pid the fds are that process's (pidfd_getfd, ptrace rules\n"
	      "apply), else virqctl's own (inherited).\n"
	      "FILE '-' is stdout (save) or stdin (restore, show, diff).\n"
	      "Exit status: 0 ok, 1 diff found differences, 2 error.\n",
	      stderr);
	return VC_EXIT_ERR;
}

static bool vc_num(const char *s, unsigned long long max,
		   unsigned long long *v)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end && *v <= max;
}

static int vc_parse(int argc, char **argv, struct vc_opts *o)
{
	unsigned long long v;
	const char *a, *val;
	int i;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (argc < 2)
		return -1;
	o->cmd = argv[1];
	for (i = 2; i < argc; i++) {
		a = argv[i];
		val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			o->verbose = true;
		} else if (!strcmp(a, "--strict")) {
			o->strict = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			o->quiet = true;
		} else if (!strcmp(a, "--progress")) {
			o->progress = true;
		} else if (!strcmp(a, "--no-dry-run")) {
			o->no_dry_run = true;
		} else if (!strcmp(a, "--pid")) {
			if (!vc_num(val, INT_MAX, &v) || !v)
				return vc_err("--pid: a process id");
			o->pid = v;
			i++;
		} else if (!strcmp(a, "--fd")) {
			if (!vc_num(val, INT_MAX, &v))
				return vc_err("--fd: a file descriptor number");
			o->fd = v;
			i++;
		} else if (!strcmp(a, "--vcpu-fds")) {
			if (!val)
				return vc_err("--vcpu-fds: a list");
			o->vcpu_spec = val;
			i++;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (!val)
				return vc_err("-o: a file");
			o->out = val;
			i++;
		} else if (!strcmp(a, "-i") || !strcmp(a, "--input")) {
			if (!val)
				return vc_err("-i: a file");
			o->in = val;
			i++;
		} else if (a[0] == '-' && a[1]) {
			return vc_err("unknown option '%s'", a);
		} else if (o->nr_args < 2) {
			o->args[o->nr_args++] = a;
		} else {
			return vc_err("too many arguments");
		}
	}
	return 0;
}

/* --- files ---------------------------------------------------------------- */

static int vc_read_file(const char *path, void **buf, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	int fd = 0, err = 0;
	ssize_t r;
	char *p = malloc(cap), *q;

	if (!p)
		return -ENOMEM;
	if (strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			free(p);
			return -errno;
		}
	}
	for (;;) {
		if (n == cap) {
			q = realloc(p, cap * 2);
			if (!q) {
				err = -ENOMEM;
				break;
			}
			p = q;
			cap *= 2;
		}
		r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (!r)
			break;
		n += r;
	}
	if (fd)
		close(fd);
	if (err) {
		free(p);
		return err;
	}
	*buf = p;
	*len = n;
	return 0;
}

static int vc_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t r;

	while (len) {
		r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		p += r;
		len -= r;
	}
	return 0;
}

/* Write @path atomically (a temporary file renamed), or stdout for "-" */
static int vc_write_file(const char *path, const void *buf, size_t len)
{
	char tmp[PATH_MAX];
	int fd, ret;

	if (!strcmp(path, "-"))
		return vc_write_all(1, buf, len);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	ret = vc_write_all(fd, buf, len);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

static int vc_load(const char *path, struct libvirq_state *st, size_t *size)
{
	struct libvirq_err e;
	size_t len = 0;
	void *buf = NULL;
	int ret;

	ret = vc_read_file(path, &buf, &len);
	if (ret) {
		vc_err("%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = libvirq_decode(buf, len, st, &e);
	free(buf);
	if (ret) {
		char what[PATH_MAX + 16];

		snprintf(what, sizeof(what), "%s: refused", path);
		vc_lib_err(what, &e);
		return ret;
	}
	if (size)
		*size = len;
	return 0;
}

/* --- fds of a process ----------------------------------------------------- */

static void vc_ptrace_hint(long pid)
{
	char buf[16] = "";
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
		buf[strcspn(buf, "\n")] = 0;
	}
	vc_err("ptrace rules refuse access to pid %ld: taking its fds (pidfd_getfd, /proc/%ld/fd) needs ptrace-attach rights over it: the same user and %s, or CAP_SYS_PTRACE (run as root)",
	       pid, pid,
	       buf[0] ? (strcmp(buf, "0") ?
			 "Yama's /proc/sys/kernel/yama/ptrace_scope at 0 (it is not)" :
			 "no other LSM refusing (Yama's ptrace_scope is 0)") :
	       "no LSM refusing");
	if (buf[0])
		vc_err("/proc/sys/kernel/yama/ptrace_scope = %s", buf);
}

/*
 * struct vc_proc - where the fds come from
 * @pid: 0: this process
 * @pidfd: pidfd_open(@pid)
 */
struct vc_proc {
	long pid;
	int pidfd;
};

static int vc_proc_open(struct vc_proc *p, long pid)
{
	p->pid = pid;
	p->pidfd = -1;
	if (!pid)
		return 0;
	p->pidfd = syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (p->pidfd < 0) {
		vc_err("pidfd_open(%ld): %s%s", pid, strerror(errno),
		       errno == ESRCH ? " (no such process)" : "");
		return -errno;
	}
	return 0;
}

/* The fd @fd of the process, as an fd of ours (our own: dup'ed) */
static int vc_take_fd(struct vc_proc *p, int fd, const char *what)
{
	int ret;

	if (!p->pid) {
		ret = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (ret < 0)
			vc_err("%s fd %d: %s (is it inherited?)", what, fd,
			       strerror(errno));
		return ret < 0 ? -errno : ret;
	}
	ret = syscall(SYS_pidfd_getfd, p->pidfd, fd, 0);
	if (ret >= 0)
		return ret;
	ret = -errno;
	if (ret == -EPERM)
		vc_ptrace_hint(p->pid);
	else
		vc_err("pidfd_getfd(pid %ld, %s fd %d): %s%s", p->pid, what,
		       fd, strerror(-ret),
		       ret == -EBADF ? " (the process has no such fd)" : "");
	return ret;
}

static int vc_cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * The vCPU fds of the process, of any instance: every "[virq-vcpu]" fd,
 * in fd order (vc_add_vcpu() keeps those of the instance)
 */
static int vc_find_vcpus(struct vc_proc *p, int **fds, __u32 *nr)
{
	char dir[64], link[PATH_MAX + 1], path[64 + 256];
	int *v = NULL, *q, fd;
	__u32 n = 0;
	struct dirent *de;
	ssize_t len;
	DIR *d;

	if (p->pid)
		snprintf(dir, sizeof(dir), "/proc/%ld/fd", p->pid);
	else
		snprintf(dir, sizeof(dir), "/proc/self/fd");
	d = opendir(dir);
	if (!d) {
		if (errno == EACCES || errno == EPERM)
			vc_ptrace_hint(p->pid);
		else
			vc_err("%s: %s", dir, strerror(errno));
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		fd = atoi(de->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = 0;
		if (strcmp(link, "anon_inode:[virq-vcpu]"))
			continue;
		q = realloc(v, (n + 1) * sizeof(*v));
		if (!q) {
			closedir(d);
			free(v);
			return -ENOMEM;
		}
		v = q;
		v[n++] = fd;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), vc_cmp_int);
	*fds = v;
	*nr = n;
	return 0;
}

/* "--vcpu-fds 5,6,7": the fds, in the order given */
static int vc_parse_fds(const char *spec, int **fds, __u32 *nr)
{
	unsigned long long v;
	char *copy, *tok, *save;
	int *f;
	__u32 n = 0;

	copy = strdup(spec);
	f = calloc(strlen(spec) / 2 + 1, sizeof(*f));
	if (!copy || !f) {
		free(copy);
		free(f);
		return -ENOMEM;
	}
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!vc_num(tok, INT_MAX, &v)) {
			vc_err("--vcpu-fds: '%s' is not a file descriptor number (a comma-separated list of vCPU fds: --vcpu-fds 5,6,7)",
			       tok);
			free(copy);
			free(f);
			return -EINVAL;
		}
		f[n++] = v;
	}
	free(copy);
	if (!n || n > VC_MAX_VCPUS) {
		vc_err("--vcpu-fds: 1..%d vCPU fds", VC_MAX_VCPUS);
		free(f);
		return -EINVAL;
	}
	*fds = f;
	*nr = n;
	return 0;
}

/* What vc_add_vcpu() did with a vCPU fd */
#define VC_VCPU_ADDED	0
#define VC_VCPU_REPEAT	1	/* found: another fd of a vCPU taken */
#define VC_VCPU_OTHER	2	/* found: a vCPU of another instance */

/*
 * Take the process's fd @fd, a vCPU fd, into probed @c (@o->fd its
 * instance fd).  Each fd says which vCPU it is and of which instance:
 * among fds found (@found), those of other instances and repeated fds
 * of one vCPU (a VMM may hold several) are dropped; named with
 * --vcpu-fds, they are refused.  libvirq_probe() checks the same, but
 * names this process's copies.  Returns VC_VCPU_* or -errno.
 */
static int vc_add_vcpu(const struct vc_opts *o, struct vc_proc *p,
		       struct libvirq_chip *c, int fd, bool found)
{
	struct libvirq_vcpu *v = &c->vcpus[c->nr_vcpus];
	int ret, id;
	__u32 k;

	v->fd = vc_take_fd(p, fd, "vCPU");
	if (v->fd < 0)
		return v->fd;
	ret = libvirq_vcpu_get_id(v->fd, &v->index, &v->arch_id);
	if (ret) {
		vc_err("fd %d is not a virq vCPU (VIRQ_VCPU_GET_ID: %s)", fd,
		       strerror(-ret));
		goto drop;
	}
	id = libvirq_instance_id(v->fd);
	if (id < 0) {
		ret = id;
		vc_err("vCPU fd %d: of which instance? /proc/self/fdinfo/%d (its copy): %s",
		       fd, v->fd, strerror(-ret));
		goto drop;
	}
	ret = VC_VCPU_OTHER;
	if (id != c->instance_id) {
		if (found)
			goto drop;
		vc_err("--vcpu-fds: fd %d is a vCPU of virq instance %d, not of instance %d (--fd %d)",
		       fd, id, c->instance_id, o->fd);
		ret = -EINVAL;
		goto drop;
	}
	ret = VC_VCPU_REPEAT;
	for (k = 0; k < c->nr_vcpus; k++) {
		if (c->vcpus[k].index != v->index)
			continue;
		if (found)
			goto drop;
		vc_err("--vcpu-fds: fd %d is vCPU %u again (arch_id %#llx)",
		       fd, v->index, (unsigned long long)v->arch_id);
		ret = -EINVAL;
		goto drop;
	}
	c->nr_vcpus++;
	return VC_VCPU_ADDED;
drop:
	close(v->fd);
	return ret;
}

/*
 * The chip: the instance fd and the vCPU fds, taken into this process,
 * and what they say they are (libvirq_probe()).
 */
static int vc_open_chip(const struct vc_opts *o, struct libvirq_chip *c)
{
	struct vc_proc p;
	struct libvirq_err e;
	int *fds = NULL, ret;
	__u32 nr = 0, k, others = 0;
	char where[64];

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (o->fd < 0) {
		vc_err("--fd FD: the instance fd is needed");
		return -EINVAL;
	}
	ret = vc_proc_open(&p, o->pid);
	if (ret)
		return ret;
	c->fd = vc_take_fd(&p, o->fd, "instance");
	if (c->fd < 0) {
		ret = c->fd;
		goto out;
	}
	/* first the instance: one with a chip, on a module that says so */
	ret = libvirq_probe(c, &e);
	if (ret) {
		vc_lib_err("probe", &e);
		goto out;
	}

	if (o->vcpu_spec)
		ret = vc_parse_fds(o->vcpu_spec, &fds, &nr);
	else
		ret = vc_find_vcpus(&p, &fds, &nr);
	if (ret)
		goto out;
	if (nr > VC_MAX_VCPUS) {
		vc_err("%u vCPU fds found, virqctl takes at most %d", nr,
		       VC_MAX_VCPUS);
		ret = -E2BIG;
		goto out;
	}
	c->vcpus = calloc(nr ? nr : 1, sizeof(*c->vcpus));
	if (!c->vcpus) {
		ret = -ENOMEM;
		goto out;
	}
	for (k = 0; k < nr; k++) {
		ret = vc_add_vcpu(o, &p, c, fds[k], !o->vcpu_spec);
		if (ret < 0)
			goto out;
		others += ret == VC_VCPU_OTHER;
	}

	ret = libvirq_probe(c, &e);
	if (ret) {
		vc_lib_err("probe", &e);
		goto out;
	}
	if (o->vcpu_spec || o->quiet)
		goto out;
	if (p.pid)
		snprintf(where, sizeof(where), "in /proc/%ld/fd", p.pid);
	else
		snprintf(where, sizeof(where), "among virqctl's own");
	vc_err("note: %u vCPU fds found %s, of instance %d (nr_vcpus %u); %u of other instances left out",
	       c->nr_vcpus, where, c->instance_id, c->cfg.nr_vcpus, others);
out:
	free(fds);
	if (p.pidfd >= 0)
		close(p.pidfd);
	return ret;
}

static void vc_close_chip(struct libvirq_chip *c)
{
	__u32 i;

	for (i = 0; c->vcpus && i < c->nr_vcpus; i++)
		if (c->vcpus[i].fd >= 0)
			close(c->vcpus[i].fd);
	free(c->vcpus);
	if (c->fd >= 0)
		close(c->fd);
	c->vcpus = NULL;
	c->fd = -1;
}

/* --- progress ------------------------------------------------------------- */

struct vc_prog {
	bool on;
	bool tty;
	const char *last;
	int last_pct;
};

static void vc_progress_fn(void *arg, const char *what, __u64 done,
			   __u64 total)
{
	struct vc_prog *p = arg;
	int pct = total ? (int)(done * 100 / total) : 100;

	if (!p->on)
		return;
	if (p->tty) {
		fprintf(stderr, "\rvirqctl: %-10s %llu/%llu (%d%%)   ", what,
			(unsigned long long)done, (unsigned long long)total,
			pct);
		if (done == total)
			fputc('\n', stderr);
		return;
	}
	/* a line per 10% or per new stage */
	if (p->last != what || pct / 10 != p->last_pct / 10 || done == total)
		fprintf(stderr, "virqctl: %s %llu/%llu (%d%%)\n", what,
			(unsigned long long)done, (unsigned long long)total,
			pct);
	p->last = what;
	p->last_pct = pct;
}

static void vc_prog_init(const struct vc_opts *o, struct vc_prog *pr,
			 struct libvirq_progress *p)
{
	memset(pr, 0, sizeof(*pr));
	pr->tty = isatty(2);
	pr->on = !o->quiet && (o->progress || pr->tty);
	pr->last_pct = -100;
	p->fn = vc_progress_fn;
	p->arg = pr;
}

static double vc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* --- save, restore -------------------------------------------------------- */

static int vc_save(const struct vc_opts *o)
{
	struct libvirq_chip c;
	struct libvirq_state st;
	struct libvirq_progress p;
	struct libvirq_err e;
	struct vc_prog pr;
	double t0, t1, t2;
	size_t len;
	void *buf;
	int ret;

	if (!o->out || o->nr_args)
		return vc_usage();
	ret = vc_open_chip(o, &c);
	if (ret) {
		vc_close_chip(&c);
		return VC_EXIT_ERR;
	}
	vc_prog_init(o, &pr, &p);
	t0 = vc_now_ms();
	ret = libvirq_save(&c, &st, &p, &e);
	t1 = vc_now_ms();
	vc_close_chip(&c);
	if (ret) {
		vc_lib_err("save", &e);
		return VC_EXIT_ERR;
	}
	ret = libvirq_encode(&st, &buf, &len, &e);
	if (ret) {
		libvirq_state_free(&st);
		vc_lib_err("save", &e);
		return VC_EXIT_ERR;
	}
	ret = vc_write_file(o->out, buf, len);
	t2 = vc_now_ms();
	if (ret)
		vc_err("%s: %s", o->out, strerror(-ret));
	else if (!o->quiet)
		vc_err("saved %s: %zu bytes, %s, %u vCPUs, %u sources; read %.1f ms, encode+write %.1f ms",
		       o->out, len, libvirq_family_name(st.cfg.family),
		       st.nr_vcpus, st.cfg.nr_sources, t1 - t0, t2 - t1);
	free(buf);
	libvirq_state_free(&st);
	return ret ? VC_EXIT_ERR : VC_EXIT_OK;
}

static int vc_restore(const struct vc_opts *o)
{
	struct libvirq_chip c;
	struct libvirq_state st;
	struct libvirq_progress p;
	struct libvirq_err e;
	struct vc_prog pr;
	double t0, t1;
	size_t len;
	int ret;

	if (!o->in || o->nr_args)
		return vc_usage();
	/* the whole file is checked before the target is even opened */
	t0 = vc_now_ms();
	if (vc_load(o->in, &st, &len))
		return VC_EXIT_ERR;
	ret = vc_open_chip(o, &c);
	if (ret) {
		vc_close_chip(&c);
		libvirq_state_free(&st);
		return VC_EXIT_ERR;
	}
	vc_prog_init(o, &pr, &p);
	ret = libvirq_restore(&st, &c, o->no_dry_run ?
			      LIBVIRQ_RESTORE_NO_DRY_RUN : 0, &p, &e);
	t1 = vc_now_ms();
	vc_close_chip(&c);
	if (ret)
		vc_lib_err("restore refused", &e);
	else if (!o->quiet)
		vc_err("restored %s: %zu bytes, %u vCPUs, %u sources in %.1f ms",
		       o->in, len, st.nr_vcpus, st.cfg.nr_sources, t1 - t0);
	libvirq_state_free(&st);
	return ret ? VC_EXIT_ERR : VC_EXIT_OK;
}

/* --- printing ------------------------------------------------------------- */

/* JSON: a tiny emitter with comma bookkeeping */
struct vc_json {
	FILE *f;
	int depth;
	bool first[32];
};

static void vj_sep(struct vc_json *j)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	fputc('\n', j->f);
	fprintf(j->f, "%*s", 2 * j->depth, "");
}

static void vj_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void vj_key(struct vc_json *j, const char *k)
{
	vj_sep(j);
	if (k) {
		vj_str(j->f, k);
		fputs(": ", j->f);
	}
}

static void vj_open(struct vc_json *j, const char *k, char c)
{
	if (j->depth >= 0 && (k || j->depth))
		vj_key(j, k);
	fputc(c, j->f);
	j->depth++;
	j->first[j->depth] = true;
}

static void vj_close(struct vc_json *j, char c)
{
	j->depth--;
	fputc('\n', j->f);
	fprintf(j->f, "%*s%c", 2 * j->depth, "", c);
}

static void vj_num(struct vc_json *j, const char *k, unsigned long long v)
{
	vj_key(j, k);
	fprintf(j->f, "%llu", v);
}

static void vj_snum(struct vc_json *j, const char *k, long long v)
{
	vj_key(j, k);
	fprintf(j->f, "%lld", v);
}

/* 64-bit values as hex strings: JSON numbers lose bits above 2^53 */
static void vj_hex(struct vc_json *j, const char *k, unsigned long long v)
{
	vj_key(j, k);
	fprintf(j->f, "\"%#llx\"", v);
}

static void vj_bool(struct vc_json *j, const char *k, bool v)
{
	vj_key(j, k);
	fputs(v ? "true" : "false", j->f);
}

static void vj_s(struct vc_json *j, const char *k, const char *v)
{
	vj_key(j, k);
	vj_str(j->f, v);
}

/* The vectors set in a 256-bit LAPIC register array (IRR, ISR, TMR) */
static void vc_vectors(const struct virq_x86_lapic_state *l, __u32 base,
		       char *out, size_t n)
{
	size_t k = 0;
	__u32 v, w;

	out[0] = 0;
	for (v = 0; v < 256 && k + 6 < n; v++) {
		w = libvirq_lapic_reg(l, base + (v / 32) * 16);
		if (w >> (v % 32) & 1)
			k += snprintf(out + k, n - k, "%s%#x", k ? " " : "", v);
	}
}

static const char *vc_lapic_mode(const struct virq_x86_lapic_state *l)
{
	if (!(l->apic_base & (1ULL << 11)))
		return "disabled";
	if (l->apic_base & (1ULL << 10))
		return "x2APIC";
	return "xAPIC";
}

static __u64 vc_rte(const struct virq_x86_ioapic_state *s, __u32 pin)
{
	return pin < 24 ? s->kvm.redirtbl[pin] : s->redirtbl_ext[pin - 24];
}

static bool vc_bit(const __u64 *map, __u32 n)
{
	return map[n / 64] >> (n % 64) & 1;
}

static bool vc_ioapic_irr(const struct virq_x86_ioapic_state *s, __u32 pin)
{
	if (pin < 24)
		return s->kvm.irr >> pin & 1;
	return vc_bit(s->irr_ext, pin - 24);
}

#define VC_BOTH_SAVED	(LIBVIRQ_GICV3_PENDING_SAVED | LIBVIRQ_GICV3_ITS_SAVED)
#define VC_RTE_MASKED	(1ULL << 16)

/* "0x3 (NO_PIC|DIRECTED_EOI)" */
static const char *vc_x86_flags(__u32 flags, char *buf, size_t n)
{
	const char *sep = " (";
	size_t k;

	k = snprintf(buf, n, "%#x", flags);
	if (flags & VIRQ_X86_OPT_NO_PIC) {
		k += snprintf(buf + k, n - k, "%sNO_PIC", sep);
		sep = "|";
	}
	if (flags & VIRQ_X86_OPT_DIRECTED_EOI)
		k += snprintf(buf + k, n - k, "%sDIRECTED_EOI", sep);
	if (flags)
		snprintf(buf + k, n - k, ")");
	return buf;
}

/*
 * The x86 options as created, each default named with what it resolves
 * to, then the chip they give.
 */
static void vc_show_x86_config(const struct libvirq_config *c)
{
	const struct virq_x86_options *o = &c->x86_options, *x = &c->x86;
	char f[64];
	__u32 i;

	printf("x86 options as created: flags %s, nr_ioapics %u%s, nr_irtes %u\n",
	       vc_x86_flags(o->flags, f, sizeof(f)), o->nr_ioapics,
	       o->nr_ioapics ? "" : " (default: one IOAPIC)", o->nr_irtes);
	for (i = 0; i < o->nr_ioapics; i++) {
		const struct virq_x86_ioapic_config *a = &o->ioapics[i];
		const struct virq_x86_ioapic_config *r = &x->ioapics[i];

		printf("  ioapic %u: base %#llx", i,
		       (unsigned long long)a->base);
		if (!a->base)
			printf(" (default: %#llx)",
			       (unsigned long long)r->base);
		printf(", gsi_base %u", a->gsi_base);
		if (i && !a->gsi_base)
			printf(" (after IOAPIC %u: %u)", i - 1, r->gsi_base);
		printf(", nr_pins %u", a->nr_pins);
		if (!a->nr_pins)
			printf(" (default: %u)", r->nr_pins);
		printf(", id %u, source_id 0x%04x\n", a->id, a->source_id);
	}
	printf("x86 chip: PIC %s, %u IOAPIC%s, %u IRTEs, directed EOI %s\n",
	       x->flags & VIRQ_X86_OPT_NO_PIC ? "no" : "yes", x->nr_ioapics,
	       x->nr_ioapics == 1 ? "" : "s", x->nr_irtes,
	       x->flags & VIRQ_X86_OPT_DIRECTED_EOI ? "on" : "off");
	for (i = 0; i < x->nr_ioapics; i++)
		printf("  ioapic %u: base %#llx, GSIs %u..%u (%u pins), id %u, source_id 0x%04x\n",
		       i, (unsigned long long)x->ioapics[i].base,
		       x->ioapics[i].gsi_base,
		       x->ioapics[i].gsi_base + x->ioapics[i].nr_pins - 1,
		       x->ioapics[i].nr_pins, x->ioapics[i].id,
		       x->ioapics[i].source_id);
}

/* --- GICv3 ---------------------------------------------------------------- */

/* "pri 0xa0 en pend act edge g1 line rs irm route 0x100": set fields */
static const char *vc_gic_word(__u64 w, char *buf, size_t n)
{
	snprintf(buf, n, "pri %#x%s%s%s%s%s%s%s%s%s", (__u32)(w & 0xff),
		 w & VIRQ_GICV3_SRC_ENABLED ? " enabled" : "",
		 w & VIRQ_GICV3_SRC_PENDING ? " pending" : "",
		 w & VIRQ_GICV3_SRC_ACTIVE ? " active" : "",
		 w & VIRQ_GICV3_SRC_EDGE ? " edge" : " level",
		 w & VIRQ_GICV3_SRC_GROUP1 ? " group1" : " group0",
		 w & VIRQ_GICV3_SRC_LEVEL_USER ? " line-high" : "",
		 w & VIRQ_GICV3_SRC_LEVEL_RESAMPLE ? " resample-high" : "",
		 w & VIRQ_GICV3_SRC_IRM ? " 1-of-N" : "", "");
	if (w >> VIRQ_GICV3_SRC_ROUTE_SHIFT && strlen(buf) + 24 < n)
		snprintf(buf + strlen(buf), n - strlen(buf), " route %#llx",
			 (unsigned long long)(w >> VIRQ_GICV3_SRC_ROUTE_SHIFT));
	return buf;
}

/* The private word of a fresh vCPU: SGIs enabled edge, PPIs level */
static bool vc_gic_priv_fresh(__u32 intid, __u64 w)
{
	if (intid < 16)
		return w == (VIRQ_GICV3_SRC_ENABLED | VIRQ_GICV3_SRC_EDGE |
			     VIRQ_GICV3_SRC_GROUP1);
	return w == VIRQ_GICV3_SRC_GROUP1;
}

static void vc_show_regs(const char *indent, __u32 kind,
			 const struct libvirq_reg *r, __u32 nr)
{
	const char *name;
	__u32 i;

	for (i = 0; i < nr; i++) {
		name = libvirq_gicv3_reg_name(kind, r[i].off);
		if (name)
			printf("%s%-16s %#0*llx\n", indent, name,
			       r[i].size * 2 + 2, (unsigned long long)r[i].val);
		else
			printf("%sreg %#-12x %#0*llx\n", indent, r[i].off,
			       r[i].size * 2 + 2, (unsigned long long)r[i].val);
	}
}

static void vc_json_regs(struct vc_json *j, const char *k, __u32 kind,
			 const struct libvirq_reg *r, __u32 nr)
{
	const char *name;
	char f[24];
	__u32 i;

	vj_open(j, k, '{');
	for (i = 0; i < nr; i++) {
		name = libvirq_gicv3_reg_name(kind, r[i].off);
		if (!name) {
			snprintf(f, sizeof(f), "reg%#x", r[i].off);
			name = f;
		}
		vj_hex(j, name, r[i].val);
	}
	vj_close(j, '}');
}

static void vc_json_gic_word(struct vc_json *j, __u64 w)
{
	vj_hex(j, "word", w);
	vj_num(j, "priority", w & 0xff);
	vj_bool(j, "enabled", w & VIRQ_GICV3_SRC_ENABLED);
	vj_bool(j, "pending", w & VIRQ_GICV3_SRC_PENDING);
	vj_bool(j, "active", w & VIRQ_GICV3_SRC_ACTIVE);
	vj_bool(j, "edge", w & VIRQ_GICV3_SRC_EDGE);
	vj_bool(j, "group1", w & VIRQ_GICV3_SRC_GROUP1);
	vj_bool(j, "level_user", w & VIRQ_GICV3_SRC_LEVEL_USER);
	vj_bool(j, "level_resample", w & VIRQ_GICV3_SRC_LEVEL_RESAMPLE);
	vj_bool(j, "irm", w & VIRQ_GICV3_SRC_IRM);
	vj_hex(j, "route", w >> VIRQ_GICV3_SRC_ROUTE_SHIFT);
}

static void vc_show_gicv3_config(const struct libvirq_config *c)
{
	const struct virq_gicv3_options *g = &c->gicv3;

	printf("gicv3: %s%s, lpi_bits %u, dist %#llx, redist %#llx, its %#llx\n",
	       g->flags & VIRQ_GICV3_OPT_LPIS ? "LPIs" : "no LPIs",
	       g->flags & VIRQ_GICV3_OPT_ITS ? ", ITS" : "", g->lpi_bits,
	       (unsigned long long)g->dist_base,
	       (unsigned long long)g->redist_base,
	       (unsigned long long)g->its_base);
}

static void vc_show_gicv3_vcpu(const struct vc_opts *o,
			       const struct libvirq_vcpu_state *v)
{
	const struct libvirq_gicv3_vcpu *g = &v->gic;
	char w[160];
	__u32 k;

	printf("  vcpu %u MPIDR %#llx:\n", v->index,
	       (unsigned long long)v->arch_id);
	vc_show_regs("    ", LIBVIRQ_GICV3_REDIST, g->redist, g->nr_redist);
	vc_show_regs("    ", LIBVIRQ_GICV3_CPUIF, g->sysregs, g->nr_sysregs);
	for (k = 0; k < VIRQ_GICV3_NR_PRIVATE; k++)
		if (o->verbose || !vc_gic_priv_fresh(k, g->priv[k]))
			printf("    %s %2u: %s\n", k < 16 ? "SGI" : "PPI", k,
			       vc_gic_word(g->priv[k], w, sizeof(w)));
}

static void vc_show_gicv3(const struct libvirq_state *st)
{
	printf("distributor (tables saved to guest memory: %s%s%s):\n",
	       st->gic_flags & LIBVIRQ_GICV3_PENDING_SAVED ? "LPI pending" : "",
	       st->gic_flags == VC_BOTH_SAVED ? ", " : "",
	       st->gic_flags & LIBVIRQ_GICV3_ITS_SAVED ? "ITS" :
	       st->gic_flags ? "" : "none");
	vc_show_regs("  ", LIBVIRQ_GICV3_DIST, st->dist_regs,
		     st->nr_dist_regs);
	if (st->cfg.gicv3.flags & VIRQ_GICV3_OPT_ITS) {
		printf("ITS:\n");
		vc_show_regs("  ", LIBVIRQ_GICV3_ITS, st->its_regs,
			     st->nr_its_regs);
	}
}

static void vc_show_text(const struct vc_opts *o,
			 const struct libvirq_state *st, const char *src,
			 size_t size)
{
	const struct virq_x86_options *x = &st->cfg.x86;
	__u64 fresh = libvirq_fresh_word(st->cfg.family);
	__u32 i, n, pin, count;
	char v1[800], v2[800], v3[800];

	if (size)
		printf("%s: virq state file, format %u, %zu bytes, %u sections\n",
		       src, st->format_version, size, st->nr_sections);
	else
		printf("%s: live instance\n", src);
	printf("family %s: nr_vcpus %u, nr_sources %u\n",
	       libvirq_family_name(st->cfg.family), st->cfg.nr_vcpus,
	       st->cfg.nr_sources);
	if (st->cfg.family == VIRQ_FAMILY_X86)
		vc_show_x86_config(&st->cfg);
	if (st->cfg.family == VIRQ_FAMILY_GICV3)
		vc_show_gicv3_config(&st->cfg);
	if (st->info[0]) {
		printf("info:");
		for (n = 0; st->info[n]; n++)
			putchar(st->info[n] == '\n' ? ' ' : st->info[n]);
		putchar('\n');
	}
	if (o->verbose && st->nr_sections) {
		printf("sections:\n   #   offset  type    name        ver   length  crc32c      flags\n");
		for (i = 0; i < st->nr_sections; i++) {
			const struct libvirq_section *s = &st->sections[i];

			printf("%4u %8llx  0x%04x  %-10s %4u %8u  0x%08x  %s%s\n",
			       i, (unsigned long long)s->offset, s->type,
			       libvirq_section_name(s->type) ?: "?",
			       s->version, s->length, s->crc,
			       s->flags & LIBVIRQ_SEC_REQUIRED ? "required" :
								 "optional",
			       s->skipped ? " (skipped: unknown)" : "");
		}
	}

	printf("vCPUs: %u\n", st->nr_vcpus);
	for (i = 0; i < st->nr_vcpus; i++) {
		const struct libvirq_vcpu_state *v = &st->vcpus[i];
		const struct virq_x86_lapic_state *l = &v->lapic;

		if (st->cfg.family == VIRQ_FAMILY_GICV3) {
			vc_show_gicv3_vcpu(o, v);
			continue;
		}
		if (st->cfg.family == VIRQ_FAMILY_XICS) {
			printf("  vcpu %u server %#llx: CPPR %#x XISR %#x MFRR %#x PPRI %#x\n",
			       v->index, (unsigned long long)v->arch_id,
			       (__u32)(v->icp >> 56),
			       (__u32)(v->icp >> 32 & 0xffffff),
			       (__u32)(v->icp >> 24 & 0xff),
			       (__u32)(v->icp >> 16 & 0xff));
			continue;
		}
		vc_vectors(l, 0x200, v1, sizeof(v1));
		vc_vectors(l, 0x100, v2, sizeof(v2));
		vc_vectors(l, 0x180, v3, sizeof(v3));
		printf("  vcpu %u APIC id %#llx: %s, TPR %#x PPR %#x SVR %#x, events %#x, timer %s, TSC %llu kHz offset %lld\n",
		       v->index, (unsigned long long)v->arch_id,
		       vc_lapic_mode(l), libvirq_lapic_reg(l, 0x80),
		       libvirq_lapic_reg(l, 0xa0), libvirq_lapic_reg(l, 0xf0),
		       l->events,
		       l->tsc_deadline ? "deadline armed" :
		       l->timer_expiry_tsc ? "armed" : "idle",
		       (unsigned long long)v->tsc.tsc_khz,
		       (long long)v->tsc.offset);
		if (v1[0] || v2[0] || v3[0])
			printf("    IRR [%s] ISR [%s] TMR [%s]\n", v1, v2, v3);
		if (!o->verbose)
			continue;
		for (n = 0; n < 1024; n += 16) {
			const char *name = libvirq_lapic_reg_name(n);
			__u32 val = libvirq_lapic_reg(l, n);

			if (val && name)
				printf("    %-8s 0x%08x\n", name, val);
		}
	}
	if (st->cfg.family == VIRQ_FAMILY_X86) {
		if (!(x->flags & VIRQ_X86_OPT_NO_PIC))
			for (i = 0; i < 2; i++) {
				const struct virq_x86_kvm_pic *k;

				k = &st->pic.pics[i];
				printf("pic %s: irr 0x%02x imr 0x%02x isr 0x%02x base 0x%02x elcr 0x%02x init_state %u auto_eoi %u\n",
				       i ? "slave" : "master", k->irr, k->imr,
				       k->isr, k->irq_base, k->elcr,
				       k->init_state, k->auto_eoi);
			}
		for (i = 0; i < x->nr_ioapics; i++) {
			const struct virq_x86_ioapic_state *s = &st->ioapics[i];

			printf("ioapic %u: id %u ioregsel %#x pins %u\n", i,
			       s->kvm.id, s->kvm.ioregsel, s->nr_pins);
			for (pin = 0; pin < s->nr_pins; pin++) {
				__u64 r = vc_rte(s, pin);
				bool lvl = vc_bit(s->level, pin);

				if (r == VC_RTE_MASKED && !lvl &&
				    !vc_ioapic_irr(s, pin))
					continue;
				printf("  pin %3u: rte 0x%016llx%s%s\n", pin,
				       (unsigned long long)r,
				       lvl ? " line high" : "",
				       vc_ioapic_irr(s, pin) ? " irr" : "");
			}
		}
		for (i = 0, count = 0; i < x->nr_irtes; i++) {
			const struct virq_x86_irte *t = &st->irtes[i];

			if (!t->lo && !t->hi)
				continue;
			count++;
			if (o->verbose)
				printf("  irte %5u: 0x%016llx 0x%016llx\n", i,
				       (unsigned long long)t->lo,
				       (unsigned long long)t->hi);
		}
		if (x->nr_irtes)
			printf("IRTEs: %u of %u non-zero\n", count,
			       x->nr_irtes);
		for (i = 0, count = 0; i < st->nr_routes; i++)
			count += st->routes[i].type == VIRQ_ROUTE_MSI;
		printf("routes: %u entries (%u irqchip, %u MSI)\n",
		       st->nr_routes, st->nr_routes - count, count);
		for (i = 0; o->verbose && i < st->nr_routes; i++) {
			const struct virq_route *r = &st->routes[i];

			if (r->type == VIRQ_ROUTE_IRQCHIP)
				printf("  gsi %u: irqchip %u pin %u\n", r->gsi,
				       r->u.irqchip.irqchip, r->u.irqchip.pin);
			else
				printf("  gsi %u: msi %#x:%#x data %#x%s devid %#x\n",
				       r->gsi, r->u.msi.address_hi,
				       r->u.msi.address_lo, r->u.msi.data,
				       r->flags & VIRQ_ROUTE_FLAG_DEVID ? "" :
									  " (no)",
				       r->u.msi.devid);
		}
	}
	if (st->cfg.family == VIRQ_FAMILY_GICV3)
		vc_show_gicv3(st);
	for (i = 0, count = 0; i < st->cfg.nr_sources; i++) {
		if (st->cfg.family == VIRQ_FAMILY_GICV3 &&
		    (i < VIRQ_GICV3_NR_PRIVATE || i >= 1020))
			continue;
		if (st->sources[i] == fresh)
			continue;
		count++;
		if (st->cfg.family == VIRQ_FAMILY_GICV3)
			printf("  SPI %u: %s\n", i,
			       vc_gic_word(st->sources[i], v1, sizeof(v1)));
		else if (o->verbose)
			printf("  source %#x: 0x%016llx\n", i,
			       (unsigned long long)st->sources[i]);
	}
	printf("sources: %u of %u not in their reset state (word version %u)\n",
	       count, st->cfg.nr_sources, st->source_word_version);
}

/* "ioapics": the IOAPICs of x86 options @o */
static void vc_json_ioapics(struct vc_json *j,
			    const struct virq_x86_options *o)
{
	__u32 i;

	vj_open(j, "ioapics", '[');
	for (i = 0; i < o->nr_ioapics; i++) {
		vj_open(j, NULL, '{');
		vj_hex(j, "base", o->ioapics[i].base);
		vj_num(j, "gsi_base", o->ioapics[i].gsi_base);
		vj_num(j, "nr_pins", o->ioapics[i].nr_pins);
		vj_num(j, "id", o->ioapics[i].id);
		vj_hex(j, "source_id", o->ioapics[i].source_id);
		vj_close(j, '}');
	}
	vj_close(j, ']');
}

/* "options": the x86 options as created (defaults unresolved) */
static void vc_json_x86_options(struct vc_json *j,
				const struct virq_x86_options *o)
{
	vj_open(j, "options", '{');
	vj_hex(j, "flags", o->flags);
	vj_num(j, "nr_ioapics", o->nr_ioapics);
	vj_num(j, "nr_irtes", o->nr_irtes);
	vc_json_ioapics(j, o);
	vj_close(j, '}');
}

static void vc_show_json(const struct vc_opts *o,
			 const struct libvirq_state *st, const char *src,
			 size_t size)
{
	const struct virq_x86_options *x = &st->cfg.x86;
	__u64 fresh = libvirq_fresh_word(st->cfg.family);
	struct vc_json jj = { .f = stdout }, *j = &jj;
	__u32 i, n, pin;
	char f[40];

	vj_open(j, NULL, '{');
	vj_s(j, "source", src);
	if (size) {
		vj_num(j, "format_version", st->format_version);
		vj_num(j, "size", size);
	}
	vj_s(j, "family", libvirq_family_name(st->cfg.family));
	vj_open(j, "config", '{');
	vj_num(j, "nr_vcpus", st->cfg.nr_vcpus);
	vj_num(j, "nr_sources", st->cfg.nr_sources);
	if (st->cfg.family == VIRQ_FAMILY_X86) {
		vc_json_x86_options(j, &st->cfg.x86_options);
		vj_bool(j, "pic", !(x->flags & VIRQ_X86_OPT_NO_PIC));
		vj_bool(j, "directed_eoi",
			x->flags & VIRQ_X86_OPT_DIRECTED_EOI);
		vj_num(j, "nr_irtes", x->nr_irtes);
		vc_json_ioapics(j, x);
	}
	if (st->cfg.family == VIRQ_FAMILY_GICV3) {
		const struct virq_gicv3_options *g = &st->cfg.gicv3_options;

		vj_open(j, "options", '{');
		vj_hex(j, "flags", g->flags);
		vj_num(j, "lpi_bits", g->lpi_bits);
		vj_hex(j, "dist_base", g->dist_base);
		vj_hex(j, "redist_base", g->redist_base);
		vj_hex(j, "its_base", g->its_base);
		vj_close(j, '}');
		g = &st->cfg.gicv3;
		vj_bool(j, "lpis", g->flags & VIRQ_GICV3_OPT_LPIS);
		vj_bool(j, "its", g->flags & VIRQ_GICV3_OPT_ITS);
		vj_num(j, "lpi_bits_resolved", g->lpi_bits);
		vj_hex(j, "dist", g->dist_base);
		vj_hex(j, "redist", g->redist_base);
		vj_hex(j, "its_frame", g->its_base);
	}
	vj_close(j, '}');
	vj_s(j, "info", st->info);
	vj_open(j, "sections", '[');
	for (i = 0; i < st->nr_sections; i++) {
		const struct libvirq_section *s = &st->sections[i];

		vj_open(j, NULL, '{');
		vj_num(j, "type", s->type);
		vj_s(j, "name", libvirq_section_name(s->type) ?: "unknown");
		vj_num(j, "version", s->version);
		vj_num(j, "offset", s->offset);
		vj_num(j, "length", s->length);
		vj_hex(j, "crc32c", s->crc);
		vj_bool(j, "required", s->flags & LIBVIRQ_SEC_REQUIRED);
		vj_bool(j, "skipped", s->skipped);
		vj_close(j, '}');
	}
	vj_close(j, ']');

	vj_open(j, "vcpus", '[');
	for (i = 0; i < st->nr_vcpus; i++) {
		const struct libvirq_vcpu_state *v = &st->vcpus[i];
		const struct virq_x86_lapic_state *l = &v->lapic;

		vj_open(j, NULL, '{');
		vj_num(j, "index", v->index);
		vj_hex(j, "arch_id", v->arch_id);
		if (st->cfg.family == VIRQ_FAMILY_GICV3) {
			const struct libvirq_gicv3_vcpu *g = &v->gic;

			vc_json_regs(j, "redistributor", LIBVIRQ_GICV3_REDIST,
				     g->redist, g->nr_redist);
			vc_json_regs(j, "cpu_interface", LIBVIRQ_GICV3_CPUIF,
				     g->sysregs, g->nr_sysregs);
			vj_open(j, "private", '[');
			for (n = 0; n < VIRQ_GICV3_NR_PRIVATE; n++) {
				if (!o->verbose &&
				    vc_gic_priv_fresh(n, g->priv[n]))
					continue;
				vj_open(j, NULL, '{');
				vj_num(j, "intid", n);
				vc_json_gic_word(j, g->priv[n]);
				vj_close(j, '}');
			}
			vj_close(j, ']');
			vj_close(j, '}');
			continue;
		}
		if (st->cfg.family == VIRQ_FAMILY_XICS) {
			vj_hex(j, "icp", v->icp);
			vj_num(j, "cppr", v->icp >> 56);
			vj_hex(j, "xisr", v->icp >> 32 & 0xffffff);
			vj_num(j, "mfrr", v->icp >> 24 & 0xff);
			vj_num(j, "pending_priority", v->icp >> 16 & 0xff);
			vj_close(j, '}');
			continue;
		}
		vj_num(j, "tsc_khz", v->tsc.tsc_khz);
		vj_snum(j, "tsc_offset", v->tsc.offset);
		vj_s(j, "mode", vc_lapic_mode(l));
		vj_hex(j, "apic_base", l->apic_base);
		vj_hex(j, "events", l->events);
		vj_num(j, "sipi_vector", l->sipi_vector);
		vj_hex(j, "tsc_deadline", l->tsc_deadline);
		vj_hex(j, "timer_guest_tsc", l->timer_guest_tsc);
		vj_hex(j, "timer_expiry_tsc", l->timer_expiry_tsc);
		vj_open(j, "registers", '{');
		for (n = 0; n < 1024; n += 16) {
			const char *name = libvirq_lapic_reg_name(n);
			__u32 val = libvirq_lapic_reg(l, n);

			if (!val && !o->verbose)
				continue;
			if (!name) {
				snprintf(f, sizeof(f), "reg%#05x", n);
				name = f;
			}
			vj_hex(j, name, val);
		}
		vj_close(j, '}');
		vj_close(j, '}');
	}
	vj_close(j, ']');

	if (st->cfg.family == VIRQ_FAMILY_X86) {
		if (!(x->flags & VIRQ_X86_OPT_NO_PIC)) {
			static const char *const pf[16] = {
				"last_irr", "irr", "imr", "isr", "priority_add",
				"irq_base", "read_reg_select", "poll",
				"special_mask", "init_state", "auto_eoi",
				"rotate_on_auto_eoi",
				"special_fully_nested_mode", "init4", "elcr",
				"elcr_mask",
			};
			vj_open(j, "pic", '[');
			for (i = 0; i < 2; i++) {
				const __u8 *b = (const __u8 *)&st->pic.pics[i];

				vj_open(j, NULL, '{');
				for (n = 0; n < 16; n++)
					vj_num(j, pf[n], b[n]);
				vj_close(j, '}');
			}
			vj_close(j, ']');
		}
		vj_open(j, "ioapics", '[');
		for (i = 0; i < x->nr_ioapics; i++) {
			const struct virq_x86_ioapic_state *s = &st->ioapics[i];

			vj_open(j, NULL, '{');
			vj_num(j, "index", i);
			vj_num(j, "id", s->kvm.id);
			vj_hex(j, "ioregsel", s->kvm.ioregsel);
			vj_num(j, "nr_pins", s->nr_pins);
			vj_open(j, "pins", '[');
			for (pin = 0; pin < s->nr_pins; pin++) {
				__u64 r = vc_rte(s, pin);

				if (r == VC_RTE_MASKED && !o->verbose &&
				    !vc_bit(s->level, pin) &&
				    !vc_ioapic_irr(s, pin))
					continue;
				vj_open(j, NULL, '{');
				vj_num(j, "pin", pin);
				vj_hex(j, "redir", r);
				vj_bool(j, "irr", vc_ioapic_irr(s, pin));
				vj_bool(j, "level", vc_bit(s->level, pin));
				vj_close(j, '}');
			}
			vj_close(j, ']');
			vj_close(j, '}');
		}
		vj_close(j, ']');
		vj_open(j, "irtes", '[');
		for (i = 0; i < x->nr_irtes; i++) {
			if (!st->irtes[i].lo && !st->irtes[i].hi)
				continue;
			vj_open(j, NULL, '{');
			vj_num(j, "index", i);
			vj_hex(j, "lo", st->irtes[i].lo);
			vj_hex(j, "hi", st->irtes[i].hi);
			vj_close(j, '}');
		}
		vj_close(j, ']');
		vj_open(j, "routes", '[');
		for (i = 0; i < st->nr_routes; i++) {
			const struct virq_route *r = &st->routes[i];

			vj_open(j, NULL, '{');
			vj_num(j, "gsi", r->gsi);
			if (r->type == VIRQ_ROUTE_IRQCHIP) {
				vj_s(j, "type", "irqchip");
				vj_num(j, "irqchip", r->u.irqchip.irqchip);
				vj_num(j, "pin", r->u.irqchip.pin);
			} else {
				vj_s(j, "type", "msi");
				vj_hex(j, "address_lo", r->u.msi.address_lo);
				vj_hex(j, "address_hi", r->u.msi.address_hi);
				vj_hex(j, "data", r->u.msi.data);
				if (r->flags & VIRQ_ROUTE_FLAG_DEVID)
					vj_hex(j, "devid", r->u.msi.devid);
			}
			vj_close(j, '}');
		}
		vj_close(j, ']');
	}
	if (st->cfg.family == VIRQ_FAMILY_GICV3) {
		vj_bool(j, "lpi_pending_tables_saved",
			st->gic_flags & LIBVIRQ_GICV3_PENDING_SAVED);
		vj_bool(j, "its_tables_saved",
			st->gic_flags & LIBVIRQ_GICV3_ITS_SAVED);
		vc_json_regs(j, "distributor", LIBVIRQ_GICV3_DIST,
			     st->dist_regs, st->nr_dist_regs);
		if (st->cfg.gicv3.flags & VIRQ_GICV3_OPT_ITS)
			vc_json_regs(j, "its", LIBVIRQ_GICV3_ITS,
				     st->its_regs, st->nr_its_regs);
	}
	vj_open(j, "sources", '{');
	vj_num(j, "word_version", st->source_word_version);
	vj_hex(j, "reset_word", fresh);
	vj_open(j, "words", '[');
	for (i = 0; i < st->cfg.nr_sources; i++) {
		if (st->sources[i] == fresh ||
		    (st->cfg.family == VIRQ_FAMILY_GICV3 &&
		     (i < VIRQ_GICV3_NR_PRIVATE || i >= 1020)))
			continue;
		vj_open(j, NULL, '{');
		vj_num(j, "source", i);
		if (st->cfg.family == VIRQ_FAMILY_GICV3)
			vc_json_gic_word(j, st->sources[i]);
		else
			vj_hex(j, "word", st->sources[i]);
		vj_close(j, '}');
	}
	vj_close(j, ']');
	vj_close(j, '}');
	vj_close(j, '}');
	fputc('\n', stdout);
}

static int vc_show(const struct vc_opts *o)
{
	struct libvirq_state st;
	size_t size;

	if (o->nr_args != 1)
		return vc_usage();
	if (vc_load(o->args[0], &st, &size))
		return VC_EXIT_ERR;
	if (o->json)
		vc_show_json(o, &st, o->args[0], size);
	else
		vc_show_text(o, &st, o->args[0], size);
	libvirq_state_free(&st);
	return fflush(stdout) ? VC_EXIT_ERR : VC_EXIT_OK;
}

static int vc_info(const struct vc_opts *o)
{
	struct libvirq_chip c;
	struct libvirq_state st;
	struct libvirq_err e;
	struct virq_api api;
	char src[64];
	int ret;

	if (o->nr_args)
		return vc_usage();
	ret = vc_open_chip(o, &c);
	if (!ret)
		ret = libvirq_get_api(c.fd, &api);
	if (!ret)
		ret = libvirq_save(&c, &st, NULL, &e);
	else
		snprintf(e.msg, sizeof(e.msg), "%s", strerror(-ret));
	vc_close_chip(&c);
	if (ret) {
		vc_err("info: %s", e.msg);
		return VC_EXIT_ERR;
	}
	snprintf(src, sizeof(src), "%s%ld fd %d", o->pid ? "pid " : "self ",
		 o->pid ? o->pid : (long)getpid(), o->fd);
	if (o->json) {
		vc_show_json(o, &st, src, 0);
	} else {
		printf("module: API version %u, features %#llx, max_vcpus %u, max_sources %u, max_routes %u\n",
		       api.version, (unsigned long long)api.features,
		       api.max_vcpus, api.max_sources, api.max_routes);
		vc_show_text(o, &st, src, 0);
	}
	libvirq_state_free(&st);
	return fflush(stdout) ? VC_EXIT_ERR : VC_EXIT_OK;
}

/* --- diff ----------------------------------------------------------------- */

static int vc_diff_print(const struct libvirq_diff *d, void *arg)
{
	const char *what = d->what;

	if (d->only) {
		printf("%s %#llx: %s only in %s\n", what,
		       (unsigned long long)d->id, d->field,
		       d->only == 'a' ? "A" : "B");
		return 0;
	}
	if (!strcmp(what, "dist") || !strcmp(what, "its"))
		printf("%s %s: %#llx != %#llx\n", what, d->field,
		       (unsigned long long)d->a, (unsigned long long)d->b);
	else if (!strcmp(what, "source") || !strcmp(what, "irte") ||
		 !strcmp(what, "ioapic") || !strcmp(what, "pic") ||
		 !strcmp(what, "vcpus"))
		printf("%s %llu %s: %#llx != %#llx\n", what,
		       (unsigned long long)d->id, d->field,
		       (unsigned long long)d->a, (unsigned long long)d->b);
	else if (!strcmp(what, "config"))
		printf("config %s: %#llx != %#llx\n", d->field,
		       (unsigned long long)d->a, (unsigned long long)d->b);
	else	/* per vCPU: labelled by its architectural id */
		printf("%s %#llx %s: %#llx != %#llx\n", what,
		       (unsigned long long)d->id, d->field,
		       (unsigned long long)d->a, (unsigned long long)d->b);
	return 0;
}

static int vc_diff(const struct vc_opts *o)
{
	struct libvirq_state a, b;
	long n;

	if (o->nr_args != 2)
		return vc_usage();
	if (vc_load(o->args[0], &a, NULL))
		return VC_EXIT_ERR;
	if (vc_load(o->args[1], &b, NULL)) {
		libvirq_state_free(&a);
		return VC_EXIT_ERR;
	}
	n = libvirq_diff(&a, &b, o->strict ? LIBVIRQ_DIFF_STRICT : 0,
			 vc_diff_print, NULL);
	if (n)
		printf("%ld difference%s (A %s, B %s)\n", n, n == 1 ? "" : "s",
		       o->args[0], o->args[1]);
	libvirq_state_free(&a);
	libvirq_state_free(&b);
	if (fflush(stdout))
		return VC_EXIT_ERR;
	return n ? VC_EXIT_DIFF : VC_EXIT_OK;
}

/**
 * virqctl_run() - virqctl with this command line
 * @argc: as main()'s
 * @argv: as main()'s; not written to
 *
 * Return: the exit status.
 */
int virqctl_run(int argc, char **argv);

int virqctl_run(int argc, char **argv)
{
	struct vc_opts o;

	if (vc_parse(argc, argv, &o))
		return vc_usage();
	if (!strcmp(o.cmd, "save"))
		return vc_save(&o);
	if (!strcmp(o.cmd, "restore"))
		return vc_restore(&o);
	if (!strcmp(o.cmd, "show"))
		return vc_show(&o);
	if (!strcmp(o.cmd, "diff"))
		return vc_diff(&o);
	if (!strcmp(o.cmd, "info"))
		return vc_info(&o);
	if (!strcmp(o.cmd, "--version")) {
		printf("virqctl %d (state format %d)\n", LIBVIRQ_VERSION,
		       LIBVIRQ_FORMAT_VERSION);
		return VC_EXIT_OK;
	}
	if (strcmp(o.cmd, "-h") && strcmp(o.cmd, "--help") &&
	    strcmp(o.cmd, "help"))
		vc_err("unknown command '%s'", o.cmd);
	return vc_usage();
}

#ifndef VIRQCTL_NO_MAIN
int main(int argc, char **argv)
{
	return virqctl_run(argc, argv);
}
#endif
