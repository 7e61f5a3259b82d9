// SPDX-License-Identifier: GPL-2.0
/*
 * libvirq: the ioctl wrappers, CRC32C, and what an instance and its vCPU
 * fds say about themselves (libvirq_probe()).
 *
 * Every wrapper fills the uAPI struct (reserved fields zero), issues the
 * ioctl and returns 0 or -errno: callers never look at errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libvirq-int.h"

#define LV_PTR(p)	((__u64)(uintptr_t)(p))

static int lv_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* --- instance fd ---------------------------------------------------------- */

int libvirq_open(void)
{
	int fd = open("/dev/virq", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int libvirq_get_api(int fd, struct virq_api *api)
{
	memset(api, 0, sizeof(*api));
	return lv_ioctl(fd, VIRQ_GET_API, api);
}

int libvirq_get_family(int fd, __u32 family, struct virq_family_info *info)
{
	memset(info, 0, sizeof(*info));
	info->family = family;
	return lv_ioctl(fd, VIRQ_GET_FAMILY, info);
}

int libvirq_create_chip(int fd, __u32 family, __u32 nr_vcpus,
			__u32 nr_sources, const void *options,
			__u32 options_size)
{
	struct virq_chip_config c = {
		.family = family,
		.nr_vcpus = nr_vcpus,
		.nr_sources = nr_sources,
		.options = LV_PTR(options),
		.options_size = options_size,
	};

	return lv_ioctl(fd, VIRQ_CREATE_CHIP, &c);
}

int libvirq_create_vcpu(int fd, __u32 index, __u64 arch_id)
{
	struct virq_vcpu_create c = { .index = index, .arch_id = arch_id };

	return lv_ioctl(fd, VIRQ_CREATE_VCPU, &c);
}

int libvirq_irq_line(int fd, __u32 source, __u32 op, int *status)
{
	struct virq_irq_line l = { .source = source, .op = op };
	int ret = lv_ioctl(fd, VIRQ_IRQ_LINE, &l);

	if (!ret && status)
		*status = l.status;
	return ret;
}

int libvirq_irq_lines(int fd, struct virq_irq_line *lines, __u32 count)
{
	struct virq_irq_lines l = { .count = count, .lines = LV_PTR(lines) };

	return lv_ioctl(fd, VIRQ_IRQ_LINES, &l);
}

int libvirq_signal_msi(int fd, struct virq_msi *msi)
{
	return lv_ioctl(fd, VIRQ_SIGNAL_MSI, msi);
}

int libvirq_irqfd(int fd, int efd, __u32 source, __u32 flags,
		  int resamplefd)
{
	struct virq_irqfd f = {
		.fd = efd,
		.source = source,
		.flags = flags,
		.resamplefd = resamplefd,
	};

	return lv_ioctl(fd, VIRQ_IRQFD, &f);
}

int libvirq_set_gsi_routing(int fd, const struct virq_route *e, __u32 nr)
{
	struct virq_routing r = { .nr = nr, .entries = LV_PTR(e) };

	return lv_ioctl(fd, VIRQ_SET_GSI_ROUTING, &r);
}

int libvirq_get_gsi_routing(int fd, struct virq_route *e, __u32 *nr)
{
	struct virq_routing r = { .nr = *nr, .entries = LV_PTR(e) };
	int ret = lv_ioctl(fd, VIRQ_GET_GSI_ROUTING, &r);

	if (!ret || ret == -ENOSPC)
		*nr = r.nr;
	return ret;
}

int libvirq_update_gsi_route(int fd, __u32 op, const struct virq_route *r)
{
	struct virq_route_update u = { .op = op, .route = *r };

	return lv_ioctl(fd, VIRQ_UPDATE_GSI_ROUTE, &u);
}

int libvirq_get_sources(int fd, __u32 first, __u32 count, __u64 *words)
{
	struct virq_sources s = {
		.first = first, .count = count, .addr = LV_PTR(words),
	};

	return lv_ioctl(fd, VIRQ_GET_SOURCES, &s);
}

int libvirq_set_sources(int fd, __u32 first, __u32 count,
			const __u64 *words)
{
	struct virq_sources s = {
		.first = first, .count = count, .addr = LV_PTR(words),
	};

	return lv_ioctl(fd, VIRQ_SET_SOURCES, &s);
}

static int lv_attr(int fd, unsigned long cmd, __u32 group, __u64 attr,
		   const void *buf, __u32 *size)
{
	struct virq_attr a = {
		.group = group, .attr = attr, .addr = LV_PTR(buf),
		.size = size ? *size : 0,
	};
	int ret = lv_ioctl(fd, cmd, &a);

	if (size && (!ret || ret == -ENOSPC))
		*size = a.size;
	return ret;
}

int libvirq_get_attr(int fd, __u32 group, __u64 attr, void *buf,
		     __u32 *size)
{
	return lv_attr(fd, VIRQ_GET_ATTR, group, attr, buf, size);
}

int libvirq_set_attr(int fd, __u32 group, __u64 attr, const void *buf,
		     __u32 size)
{
	return lv_attr(fd, VIRQ_SET_ATTR, group, attr, buf, &size);
}

int libvirq_has_attr(int fd, __u32 group, __u64 attr)
{
	return lv_attr(fd, VIRQ_HAS_ATTR, group, attr, NULL, NULL);
}

int libvirq_chip_call(int fd, struct virq_call *call)
{
	return lv_ioctl(fd, VIRQ_CHIP_CALL, call);
}

int libvirq_get_chip(int fd, struct virq_chip_config *cfg, void *options,
		     __u32 options_size)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->options = LV_PTR(options);
	cfg->options_size = options_size;
	return lv_ioctl(fd, VIRQ_GET_CHIP, cfg);
}

/* --- both kinds of fd ---------------------------------------------------- */

int libvirq_instance_id(int fd)
{
	static const char key[] = "virq-instance:";
	char path[64], line[256], *end;
	int id = -ENOENT;
	long v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, sizeof(key) - 1))
			continue;
		errno = 0;
		v = strtol(line + sizeof(key) - 1, &end, 10);
		if (!errno && v >= 0 && v <= INT_MAX &&
		    end != line + sizeof(key) - 1 && (*end == '\n' || !*end))
			id = v;
		else
			id = -EPROTO;	/* not what the module prints */
		break;
	}
	fclose(f);
	return id;
}

/* --- vCPU fd -------------------------------------------------------------- */

int libvirq_vcpu_get_id(int vfd, __u32 *index, __u64 *arch_id)
{
	struct virq_vcpu_create id;
	int ret;

	memset(&id, 0, sizeof(id));
	ret = lv_ioctl(vfd, VIRQ_VCPU_GET_ID, &id);
	if (!ret) {
		*index = id.index;
		*arch_id = id.arch_id;
	}
	return ret;
}

int libvirq_vcpu_get_output(int vfd, struct virq_vcpu_output *out)
{
	memset(out, 0, sizeof(*out));
	return lv_ioctl(vfd, VIRQ_VCPU_GET_OUTPUT, out);
}

int libvirq_vcpu_ack(int vfd, __u32 event, __u64 *id)
{
	struct virq_ack a = { .event = event };
	int ret = lv_ioctl(vfd, VIRQ_VCPU_ACK, &a);

	if (!ret && id)
		*id = a.id;
	return ret;
}

int libvirq_vcpu_access(int vfd, __u32 space, __u64 addr, __u32 len,
			bool write, __u64 *data)
{
	struct virq_access a = {
		.space = space,
		.flags = write ? VIRQ_ACCESS_WRITE : 0,
		.addr = addr,
		.len = len,
		.data = write ? *data : 0,
	};
	int ret = lv_ioctl(vfd, VIRQ_VCPU_ACCESS, &a);

	if (!ret && !write)
		*data = a.data;
	return ret;
}

int libvirq_vcpu_call(int vfd, struct virq_call *call)
{
	return lv_ioctl(vfd, VIRQ_VCPU_CALL, call);
}

int libvirq_vcpu_get_attr(int vfd, __u32 group, __u64 attr, void *buf,
			  __u32 *size)
{
	return lv_attr(vfd, VIRQ_VCPU_GET_ATTR, group, attr, buf, size);
}

int libvirq_vcpu_set_attr(int vfd, __u32 group, __u64 attr,
			  const void *buf, __u32 size)
{
	return lv_attr(vfd, VIRQ_VCPU_SET_ATTR, group, attr, buf, &size);
}

int libvirq_vcpu_has_attr(int vfd, __u32 group, __u64 attr)
{
	return lv_attr(vfd, VIRQ_VCPU_HAS_ATTR, group, attr, NULL, NULL);
}

/* --- CRC32C --------------------------------------------------------------- */

/*
 * Castagnoli polynomial 0x1edc6f41, bit-reflected: 0x82f63b78.  One
 * 256-entry table, built on first use (byte at a time, as lib/crc32.c's
 * slowest variant): these files are megabytes at most.
 */
#define LV_CRC32C_POLY	0x82f63b78U

static __u32 lv_crc_table[256];
static bool lv_crc_ready;

static void lv_crc_init(void)
{
	__u32 i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c >> 1) ^ ((c & 1) ? LV_CRC32C_POLY : 0);
		lv_crc_table[i] = c;
	}
	lv_crc_ready = true;
}

__u32 libvirq_crc32c(__u32 crc, const void *buf, size_t len)
{
	const __u8 *p = buf;

	if (!lv_crc_ready)
		lv_crc_init();
	crc = ~crc;
	while (len--)
		crc = lv_crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* --- errors and names ----------------------------------------------------- */

int lv_fail(struct libvirq_err *e, int err, const char *section,
	    const char *fmt, ...)
{
	va_list ap;

	if (err < 0)
		err = -err;
	if (e) {
		e->err = err;
		snprintf(e->section, sizeof(e->section), "%s",
			 section ? section : "");
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return -err;
}

void lv_progress(const struct libvirq_progress *p, const char *what,
		 __u64 done, __u64 total)
{
	if (p && p->fn)
		p->fn(p->arg, what, done, total);
}

const char *libvirq_family_name(__u32 family)
{
	switch (family) {
	case VIRQ_FAMILY_X86:
		return "x86";
	case VIRQ_FAMILY_GICV3:
		return "gicv3";
	case VIRQ_FAMILY_XICS:
		return "xics";
	}
	return NULL;
}

__u64 libvirq_fresh_word(__u32 family)
{
	if (family == VIRQ_FAMILY_XICS)
		return VIRQ_XICS_MASKED |
		       (__u64)VIRQ_XICS_PRIORITY_MASKED <<
		       VIRQ_XICS_PRIORITY_SHIFT;
	if (family == VIRQ_FAMILY_GICV3)	/* an SPI: group 1, level */
		return VIRQ_GICV3_SRC_GROUP1;
	return 0;
}

int libvirq_create_from_config(int fd, const struct libvirq_config *cfg)
{
	if (cfg->family == VIRQ_FAMILY_X86)
		return libvirq_create_chip(fd, cfg->family, cfg->nr_vcpus,
					   cfg->nr_sources, &cfg->x86_options,
					   sizeof(cfg->x86_options));
	if (cfg->family == VIRQ_FAMILY_GICV3)
		return libvirq_create_chip(fd, cfg->family, cfg->nr_vcpus,
					   cfg->nr_sources,
					   &cfg->gicv3_options,
					   sizeof(cfg->gicv3_options));
	return libvirq_create_chip(fd, cfg->family, cfg->nr_vcpus,
				   cfg->nr_sources, NULL, 0);
}

int lv_gicv3_resolve(const struct virq_gicv3_options *o, __u32 nr_sources,
		     struct virq_gicv3_options *r, char *why, size_t n)
{
	__u32 i;

	*r = *o;
	if (o->flags & ~VIRQ_GICV3_OPT_ALL)
		return snprintf(why, n, "field flags: unknown bits %#x",
				o->flags & ~VIRQ_GICV3_OPT_ALL), -EINVAL;
	for (i = 0; i < LV_ARRAY_SIZE(o->reserved); i++)
		if (o->reserved[i])
			return snprintf(why, n, "field reserved[%u]: %#llx, must be 0",
					i, (unsigned long long)o->reserved[i]),
			       -EINVAL;
	if (o->flags & VIRQ_GICV3_OPT_ITS)
		r->flags |= VIRQ_GICV3_OPT_LPIS;
	if (!(r->flags & VIRQ_GICV3_OPT_LPIS) && o->lpi_bits)
		return snprintf(why, n, "field lpi_bits: %u without LPIs",
				o->lpi_bits), -EINVAL;
	if (o->lpi_bits && (o->lpi_bits < 14 || o->lpi_bits > 20))
		return snprintf(why, n, "field lpi_bits: %u (14..20)",
				o->lpi_bits), -EINVAL;
	if ((r->flags & VIRQ_GICV3_OPT_LPIS) && !o->lpi_bits)
		r->lpi_bits = 16;
	if (o->its_base && !(o->flags & VIRQ_GICV3_OPT_ITS))
		return snprintf(why, n, "field its_base: %#llx without an ITS",
				(unsigned long long)o->its_base), -EINVAL;
	if ((o->dist_base | o->redist_base | o->its_base) & 0xffff)
		return snprintf(why, n, "a base is not 64 KiB aligned"),
		       -EINVAL;
	if (nr_sources % 32 || nr_sources < 64 ||
	    nr_sources > VIRQ_GICV3_MAX_SOURCES)
		return snprintf(why, n, "nr_sources %u: a multiple of 32 in 64..%u",
				nr_sources, VIRQ_GICV3_MAX_SOURCES), -EINVAL;
	if (!r->dist_base)
		r->dist_base = VIRQ_GICV3_DEFAULT_DIST_BASE;
	if (!r->redist_base)
		r->redist_base = VIRQ_GICV3_DEFAULT_REDIST_BASE;
	if (!r->its_base && (o->flags & VIRQ_GICV3_OPT_ITS))
		r->its_base = VIRQ_GICV3_DEFAULT_ITS_BASE;
	return 0;
}

/* --- x86 options: the checks and defaults of VIRQ_CREATE_CHIP ------------ */

/* Each IOAPIC against those before it: bases, ids and GSI ranges */
static int lv_x86_ioapic_overlap(const struct virq_x86_options *r, __u32 i,
				 char *why, size_t n)
{
	const struct virq_x86_ioapic_config *a = &r->ioapics[i];
	__u32 j;

	for (j = 0; j < i; j++) {
		const struct virq_x86_ioapic_config *b = &r->ioapics[j];

		if (a->base == b->base) {
			snprintf(why, n, "IOAPICs %u and %u have the same base %#llx",
				 j, i, (unsigned long long)a->base);
			return -EINVAL;
		}
		if (a->id == b->id) {
			snprintf(why, n, "IOAPICs %u and %u have the same id %u",
				 j, i, a->id);
			return -EINVAL;
		}
		if (a->gsi_base < b->gsi_base + b->nr_pins &&
		    b->gsi_base < a->gsi_base + a->nr_pins) {
			snprintf(why, n, "IOAPICs %u and %u: their GSI ranges overlap",
				 j, i);
			return -EINVAL;
		}
	}
	return 0;
}

int lv_x86_resolve(const struct virq_x86_options *o, __u32 nr_sources,
		   struct virq_x86_options *r, char *why, size_t n)
{
	static const struct virq_x86_ioapic_config zero;
	struct virq_x86_ioapic_config *c;
	__u32 i;

	if (o->flags & ~VIRQ_X86_OPT_ALL) {
		snprintf(why, n, "x86 options field flags: unknown bits %#x",
			 o->flags & ~VIRQ_X86_OPT_ALL);
		return -EINVAL;
	}
	if (o->padding) {
		snprintf(why, n, "x86 options field padding: %#x, must be 0",
			 o->padding);
		return -EINVAL;
	}
	if (o->nr_ioapics > VIRQ_X86_MAX_IOAPICS) {
		snprintf(why, n, "x86 options field nr_ioapics: %u (0..%u)",
			 o->nr_ioapics, VIRQ_X86_MAX_IOAPICS);
		return -EINVAL;
	}
	if (o->nr_irtes > VIRQ_X86_MAX_IRTES ||
	    (o->nr_irtes & (o->nr_irtes - 1))) {
		snprintf(why, n, "x86 options field nr_irtes: %u (0 or a power of two up to %u)",
			 o->nr_irtes, VIRQ_X86_MAX_IRTES);
		return -EINVAL;
	}
	for (i = o->nr_ioapics; i < VIRQ_X86_MAX_IOAPICS; i++)
		if (memcmp(&o->ioapics[i], &zero, sizeof(zero))) {
			snprintf(why, n, "IOAPIC %u is set, but nr_ioapics is %u",
				 i, o->nr_ioapics);
			return -EINVAL;
		}

	memset(r, 0, sizeof(*r));
	r->flags = o->flags;
	r->nr_irtes = o->nr_irtes;
	r->nr_ioapics = o->nr_ioapics ? o->nr_ioapics : 1;
	for (i = 0; i < r->nr_ioapics; i++) {
		c = &r->ioapics[i];
		*c = o->nr_ioapics ? o->ioapics[i] : zero;
		if (!c->nr_pins)
			c->nr_pins = VIRQ_X86_IOAPIC_DEFAULT_PINS;
		if (c->nr_pins > VIRQ_X86_IOAPIC_MAX_PINS) {
			snprintf(why, n, "IOAPIC %u field nr_pins: %u (0: %u, or 1..%u)",
				 i, c->nr_pins, VIRQ_X86_IOAPIC_DEFAULT_PINS,
				 VIRQ_X86_IOAPIC_MAX_PINS);
			return -EINVAL;
		}
		if (!c->base)
			c->base = VIRQ_X86_IOAPIC_DEFAULT_BASE +
				  (__u64)LV_X86_IOAPIC_WINDOW * i;
		if (c->base & (LV_X86_IOAPIC_WINDOW - 1)) {
			snprintf(why, n, "IOAPIC %u field base: %#llx is not page aligned",
				 i, (unsigned long long)c->base);
			return -EINVAL;
		}
		if (c->id > 15) {
			snprintf(why, n, "IOAPIC %u field id: %u (0..15)", i,
				 c->id);
			return -EINVAL;
		}
		if (!i && c->gsi_base) {
			snprintf(why, n, "IOAPIC 0 field gsi_base: %u, must be 0",
				 c->gsi_base);
			return -EINVAL;
		}
		/* 0 beyond IOAPIC 0: right after the previous one's pins */
		if (i && !c->gsi_base)
			c->gsi_base = c[-1].gsi_base + c[-1].nr_pins;
		if ((__u64)c->gsi_base + c->nr_pins > nr_sources) {
			snprintf(why, n, "IOAPIC %u: GSIs %u..%u beyond nr_sources %u",
				 i, c->gsi_base, c->gsi_base + c->nr_pins - 1,
				 nr_sources);
			return -EINVAL;
		}
		if (lv_x86_ioapic_overlap(r, i, why, n))
			return -EINVAL;
	}
	return 0;
}

/* --- libvirq_probe() ------------------------------------------------------ */

static int lv_probe_config(int fd, struct libvirq_config *cfg,
			   struct libvirq_err *e)
{
	struct virq_chip_config cc;
	struct virq_api api;
	char why[LIBVIRQ_MSG_MAX / 2];
	union {
		struct virq_x86_options x86;
		struct virq_gicv3_options gicv3;
	} opt;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	memset(&opt, 0, sizeof(opt));
	ret = libvirq_get_api(fd, &api);
	if (ret)
		return lv_fail(e, ret, "probe",
			       "fd %d is not a virq instance (VIRQ_GET_API: %s)",
			       fd, strerror(-ret));
	if (!(api.features & VIRQ_FEATURE_INTROSPECT))
		return lv_fail(e, EOPNOTSUPP, "probe",
			       "the virq module (API version %u, features %#llx) lacks VIRQ_FEATURE_INTROSPECT: without VIRQ_GET_CHIP and VIRQ_VCPU_GET_ID an instance cannot say how it was created; load a newer virq module",
			       api.version,
			       (unsigned long long)api.features);
	ret = libvirq_get_chip(fd, &cc, &opt, sizeof(opt));
	if (ret == -ENODEV)
		return lv_fail(e, ret, "probe",
			       "the instance has no chip yet (VIRQ_CREATE_CHIP not done)");
	if (ret == -E2BIG)
		return lv_fail(e, ret, "probe",
			       "the chip was created with options this libvirq does not know (VIRQ_GET_CHIP: fields beyond its %zu-byte options struct are set)",
			       sizeof(opt));
	if (ret)
		return lv_fail(e, ret, "probe", "VIRQ_GET_CHIP: %s",
			       strerror(-ret));
	if (cc.family != VIRQ_FAMILY_X86 && cc.family != VIRQ_FAMILY_XICS &&
	    cc.family != VIRQ_FAMILY_GICV3)
		return lv_fail(e, EOPNOTSUPP, "probe",
			       "the chip's family %u (%s) is not one libvirq saves (x86, gicv3, xics)",
			       cc.family,
			       libvirq_family_name(cc.family) ?: "unknown");
	cfg->family = cc.family;
	cfg->nr_vcpus = cc.nr_vcpus;
	cfg->nr_sources = cc.nr_sources;
	if (cfg->family == VIRQ_FAMILY_GICV3) {
		cfg->gicv3_options = opt.gicv3;
		if (lv_gicv3_resolve(&cfg->gicv3_options, cfg->nr_sources,
				     &cfg->gicv3, why, sizeof(why)))
			return lv_fail(e, EPROTO, "probe",
				       "VIRQ_GET_CHIP gave options VIRQ_CREATE_CHIP refuses: %s",
				       why);
		return 0;
	}
	if (cfg->family != VIRQ_FAMILY_X86)
		return 0;
	cfg->x86_options = opt.x86;
	if (lv_x86_resolve(&cfg->x86_options, cfg->nr_sources, &cfg->x86,
			   why, sizeof(why)))
		return lv_fail(e, EPROTO, "probe",
			       "VIRQ_GET_CHIP gave options VIRQ_CREATE_CHIP refuses: %s",
			       why);
	return 0;
}

/* The instance id of @fd, a virq fd (@what) of this process, or -errno */
static int lv_probe_instance(int fd, const char *what,
			     struct libvirq_err *e)
{
	int id = libvirq_instance_id(fd);

	if (id == -ENOENT)
		return lv_fail(e, EOPNOTSUPP, "probe",
			       "%s fd %d: no virq-instance in /proc/self/fdinfo/%d: the virq module does not say which instance a vCPU fd belongs to; load a newer virq module",
			       what, fd, fd);
	if (id < 0)
		return lv_fail(e, id, "probe",
			       "%s fd %d: its instance id is unknown (/proc/self/fdinfo/%d: %s)",
			       what, fd, fd, strerror(-id));
	return id;
}

int libvirq_probe(struct libvirq_chip *chip, struct libvirq_err *e)
{
	struct libvirq_vcpu *v;
	__u32 i, j;
	int ret;

	ret = lv_probe_config(chip->fd, &chip->cfg, e);
	if (ret)
		return ret;
	ret = lv_probe_instance(chip->fd, "instance", e);
	if (ret < 0)
		return ret;
	chip->instance_id = ret;
	for (i = 0; i < chip->nr_vcpus; i++) {
		v = &chip->vcpus[i];
		ret = libvirq_vcpu_get_id(v->fd, &v->index, &v->arch_id);
		if (ret)
			return lv_fail(e, ret, "probe",
				       "fd %d is not a virq vCPU (VIRQ_VCPU_GET_ID: %s)",
				       v->fd, strerror(-ret));
		ret = lv_probe_instance(v->fd, "vCPU", e);
		if (ret < 0)
			return ret;
		if (ret != chip->instance_id)
			return lv_fail(e, EINVAL, "probe",
				       "vCPU fd %d belongs to virq instance %d, not to instance %d of fd %d",
				       v->fd, ret, chip->instance_id,
				       chip->fd);
		if (v->index >= chip->cfg.nr_vcpus)
			return lv_fail(e, EPROTO, "probe",
				       "vCPU fd %d: index %u, but the chip has nr_vcpus %u",
				       v->fd, v->index, chip->cfg.nr_vcpus);
		for (j = 0; j < i; j++)
			if (chip->vcpus[j].index == v->index)
				return lv_fail(e, EINVAL, "probe",
					       "vCPU %u (arch_id %#llx) is given twice: fds %d and %d",
					       v->index,
					       (unsigned long long)v->arch_id,
					       chip->vcpus[j].fd, v->fd);
	}
	return 0;
}
