/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvirq: typed wrappers over the /dev/virq ioctls, and the interrupt
 * state file (save, encode, decode, validate, restore, compare).
 *
 * Conventions: every function that performs an action returns 0 (or a
 * count or a file descriptor where documented) on success and -errno on
 * failure, never -1 with errno.  Functions that take a struct libvirq_err
 * fill it on failure with a message naming the section and the field;
 * the pointer may be NULL.
 *
 * The state file format is described byte by byte in
 * Documentation/userspace-api/virq/state-format.rst.
 */
#ifndef _LIBVIRQ_H
#define _LIBVIRQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virq.h>

#define LIBVIRQ_VERSION		1	/* library (and virqctl) version */

/* --- ioctl wrappers ------------------------------------------------------- */

/* open("/dev/virq"), O_RDWR | O_CLOEXEC: the instance fd, or -errno */
int libvirq_open(void);
int libvirq_get_api(int fd, struct virq_api *api);
int libvirq_get_family(int fd, __u32 family, struct virq_family_info *info);
/* @options may be NULL (then @options_size must be 0) */
int libvirq_create_chip(int fd, __u32 family, __u32 nr_vcpus,
			__u32 nr_sources, const void *options,
			__u32 options_size);
/* Returns the new vCPU fd or -errno */
int libvirq_create_vcpu(int fd, __u32 index, __u64 arch_id);
/* @status may be NULL */
int libvirq_irq_line(int fd, __u32 source, __u32 op, int *status);
/* Returns the number of entries applied (see struct virq_irq_lines) */
int libvirq_irq_lines(int fd, struct virq_irq_line *lines, __u32 count);
int libvirq_signal_msi(int fd, struct virq_msi *msi);
int libvirq_irqfd(int fd, int efd, __u32 source, __u32 flags,
		  int resamplefd);
int libvirq_set_gsi_routing(int fd, const struct virq_route *e, __u32 nr);
/*
 * GET_GSI_ROUTING into @e, capacity *@nr; *@nr is set to the table's
 * size (-ENOSPC when it exceeds the capacity).  @e may be NULL with *@nr 0.
 */
int libvirq_get_gsi_routing(int fd, struct virq_route *e, __u32 *nr);
int libvirq_update_gsi_route(int fd, __u32 op, const struct virq_route *r);
int libvirq_get_sources(int fd, __u32 first, __u32 count, __u64 *words);
int libvirq_set_sources(int fd, __u32 first, __u32 count,
			const __u64 *words);
/* *@size: in, bytes at @buf; out, the attribute's size */
int libvirq_get_attr(int fd, __u32 group, __u64 attr, void *buf,
		     __u32 *size);
int libvirq_set_attr(int fd, __u32 group, __u64 attr, const void *buf,
		     __u32 size);
int libvirq_has_attr(int fd, __u32 group, __u64 attr);
int libvirq_chip_call(int fd, struct virq_call *call);
/*
 * VIRQ_GET_CHIP: @cfg's family, nr_vcpus, nr_sources and options_size
 * (the family's options struct size) as the chip was created; the
 * options as created into @options (@options_size bytes; NULL and 0 for
 * none).
 */
int libvirq_get_chip(int fd, struct virq_chip_config *cfg, void *options,
		     __u32 options_size);

/*
 * libvirq_instance_id() - which instance an fd of this process belongs to
 * @fd: an instance fd or a vCPU fd
 *
 * The "virq-instance:" line of /proc/self/fdinfo/@fd: the same id on an
 * instance fd and on its vCPU fds, unique among live instances.  Returns
 * the id (>= 0), -ENOENT when the fd shows none (not a virq fd, or a
 * module that does not show it), or another -errno (/proc unreadable).
 */
int libvirq_instance_id(int fd);

/* vCPU fds */
/* VIRQ_VCPU_GET_ID: the vCPU's index and arch_id as created */
int libvirq_vcpu_get_id(int vfd, __u32 *index, __u64 *arch_id);
int libvirq_vcpu_get_output(int vfd, struct virq_vcpu_output *out);
/* @event 0 (acknowledge) or one VIRQ_OUT_* event; *@id as virq_ack.id */
int libvirq_vcpu_ack(int vfd, __u32 event, __u64 *id);
/* One register access; *@data is written (@write) or read */
int libvirq_vcpu_access(int vfd, __u32 space, __u64 addr, __u32 len,
			bool write, __u64 *data);
int libvirq_vcpu_call(int vfd, struct virq_call *call);
int libvirq_vcpu_get_attr(int vfd, __u32 group, __u64 attr, void *buf,
			  __u32 *size);
int libvirq_vcpu_set_attr(int vfd, __u32 group, __u64 attr,
			  const void *buf, __u32 size);
int libvirq_vcpu_has_attr(int vfd, __u32 group, __u64 attr);

/* --- CRC32C (Castagnoli, reflected 0x82f63b78, table-driven) -------------- */

/*
 * libvirq_crc32c() - continue a CRC32C over @len bytes at @buf
 * @crc: 0 to start; the previous return value to continue
 *
 * The pre- and post-inversion are done inside: crc32c(crc32c(0, a), b)
 * equals crc32c(0, a followed by b).  crc32c(0, "123456789") = 0xe3069283.
 */
__u32 libvirq_crc32c(__u32 crc, const void *buf, size_t len);

/* --- errors --------------------------------------------------------------- */

#define LIBVIRQ_MSG_MAX		320

/**
 * struct libvirq_err - why an operation failed
 * @err: the errno (positive) the operation returned negated
 * @section: the file or live section concerned ("header", "CONFIG",
 *	"X86_LAPIC", ...), empty if none
 * @msg: a readable message naming the section and the field
 */
struct libvirq_err {
	int err;
	char section[32];
	char msg[LIBVIRQ_MSG_MAX];
};

/* --- instances as libvirq sees them --------------------------------------- */

/**
 * struct libvirq_config - a chip's creation parameters
 * @family: VIRQ_FAMILY_*
 * @nr_vcpus: virq_chip_config.nr_vcpus
 * @nr_sources: virq_chip_config.nr_sources
 * @x86_options: x86 family: the options exactly as VIRQ_CREATE_CHIP
 *	accepted them (VIRQ_GET_CHIP), defaults unresolved: what the state
 *	file records and what a chip of the same configuration is created
 *	from
 * @x86: x86 family: @x86_options with the defaults resolved by libvirq
 *	as the module resolves them (nr_ioapics >= 1; every IOAPIC's base,
 *	gsi_base and nr_pins explicit): the chip's actual layout
 * @gicv3_options: GICv3 family: the options exactly as created (all zero
 *	for a chip created without options)
 * @gicv3: GICv3 family: @gicv3_options with the defaults resolved (LPIS
 *	with ITS, lpi_bits 16 with LPIs, the default bases)
 */
struct libvirq_config {
	__u32 family;
	__u32 nr_vcpus;
	__u32 nr_sources;
	struct virq_x86_options x86_options;
	struct virq_x86_options x86;
	struct virq_gicv3_options gicv3_options;
	struct virq_gicv3_options gicv3;
};

/**
 * struct libvirq_vcpu - one vCPU fd of an instance
 * @fd: the vCPU fd
 * @index: its index (VIRQ_VCPU_GET_ID; filled by libvirq_probe())
 * @arch_id: its architectural id as created: APIC id (x86), MPIDR
 *	affinity (GICv3) or server number (XICS) (VIRQ_VCPU_GET_ID; filled
 *	by libvirq_probe())
 */
struct libvirq_vcpu {
	int fd;
	__u32 index;
	__u64 arch_id;
};

/**
 * struct libvirq_chip - an instance with a chip, and the vCPU fds the
 * caller holds for it
 * @fd: the instance fd
 * @instance_id: its id (libvirq_instance_id(); libvirq_probe())
 * @cfg: its configuration (libvirq_probe())
 * @nr_vcpus: entries at @vcpus (the vCPUs to save or restore)
 * @vcpus: the vCPUs, in any order, each once
 */
struct libvirq_chip {
	int fd;
	int instance_id;
	struct libvirq_config cfg;
	__u32 nr_vcpus;
	struct libvirq_vcpu *vcpus;
};

/*
 * libvirq_probe() - ask an instance and its vCPUs what they are
 * @chip: @fd, @nr_vcpus and each vCPU's @fd set; @instance_id, @cfg and
 *	each vCPU's @index and @arch_id are filled
 *
 * The instance describes itself: VIRQ_GET_CHIP gives the family,
 * nr_vcpus, nr_sources and the options as created, VIRQ_VCPU_GET_ID each
 * vCPU's index and arch_id as created (whatever the guest has written
 * into its registers since).  A module without VIRQ_FEATURE_INTROSPECT
 * is refused with -EOPNOTSUPP; so is a family libvirq does not save
 * (see below), and a module that does not show the instance id
 * in /proc/self/fdinfo.  (x86, GICv3 and XICS are saved.)  A vCPU fd of another instance (another
 * libvirq_instance_id(), though its index and arch_id may match) is
 * refused with -EINVAL, and so is a vCPU given twice.  The fds must be
 * this process's own (pidfd_getfd() copies of another's are).
 *
 * Changes nothing in the instance.  libvirq_save(),
 * libvirq_check_target() and libvirq_restore() take a probed chip.
 */
int libvirq_probe(struct libvirq_chip *chip, struct libvirq_err *e);

/*
 * Create a chip of configuration @cfg in the instance @fd
 * (VIRQ_CREATE_CHIP with @cfg->x86_options for x86): the same chip as
 * the one @cfg was read from
 */
int libvirq_create_from_config(int fd, const struct libvirq_config *cfg);

/* --- the state ------------------------------------------------------------ */

#define LIBVIRQ_FORMAT_VERSION	1	/* the newest format this writes */

/**
 * struct libvirq_reg - one register of a GICv3 frame or CPU interface
 * @off: byte offset in its frame (GICD, GICR RD + SGI, GITS), or the
 *	VIRQ_GICV3_ICC_* encoding of a CPU interface register
 * @size: 4 or 8 bytes
 * @val: its value (zero-extended)
 */
struct libvirq_reg {
	__u32 off;
	__u32 size;
	__u64 val;
};

#define LIBVIRQ_GICV3_MAX_REGS	64	/* per frame, in a file and in memory */
#define LIBVIRQ_GICV3_MAX_VREGS	32	/* per vCPU: redistributor, CPU if */

/**
 * struct libvirq_gicv3_vcpu - one GICv3 vCPU's saved state
 * @nr_redist: entries at @redist
 * @nr_sysregs: entries at @sysregs
 * @redist: its redistributor's registers of offsets 0x0-0xff and
 *	0xffd0-0xffff (VIRQ_GICV3_VGRP_REDIST_REGS), by offset; the
 *	SGI frame's per-interrupt registers are in @priv
 * @sysregs: its CPU interface (VIRQ_GICV3_VGRP_CPU_SYSREGS), by encoding
 * @priv: INTIDs 0-31 (VIRQ_GICV3_VGRP_PRIVATE)
 */
struct libvirq_gicv3_vcpu {
	__u32 nr_redist;
	__u32 nr_sysregs;
	struct libvirq_reg redist[LIBVIRQ_GICV3_MAX_VREGS];
	struct libvirq_reg sysregs[LIBVIRQ_GICV3_MAX_VREGS];
	__u64 priv[VIRQ_GICV3_NR_PRIVATE];
};

/**
 * struct libvirq_vcpu_state - one vCPU's saved state
 * @index: vCPU index
 * @flags: 0
 * @arch_id: APIC id (x86), MPIDR affinity (GICv3) or server number (XICS)
 * @icp: XICS: the ICP word (VIRQ_XICS_GRP_ICP)
 * @tsc: x86: VIRQ_X86_VGRP_TSC
 * @lapic: x86: VIRQ_X86_VGRP_LAPIC
 * @gic: GICv3: redistributor, CPU interface, private INTIDs
 */
struct libvirq_vcpu_state {
	__u32 index;
	__u32 flags;
	__u64 arch_id;
	__u64 icp;
	struct virq_x86_tsc tsc;
	struct virq_x86_lapic_state lapic;
	struct libvirq_gicv3_vcpu gic;
};

/**
 * struct libvirq_section - one section of a decoded file
 * @type: LIBVIRQ_SEC_*
 * @flags: LIBVIRQ_SEC_REQUIRED or 0
 * @version: section version
 * @length: payload bytes
 * @offset: file offset of the section header
 * @crc: stored CRC32C
 * @skipped: an optional section this reader does not understand
 */
struct libvirq_section {
	__u16 type;
	__u16 flags;
	__u16 version;
	__u32 length;
	__u64 offset;
	__u32 crc;
	bool skipped;
};

/* Section types; see state-format.rst */
#define LIBVIRQ_SEC_CONFIG	0x0001
#define LIBVIRQ_SEC_VCPUS	0x0002
#define LIBVIRQ_SEC_INFO	0x0003
#define LIBVIRQ_SEC_SOURCES	0x0010
#define LIBVIRQ_SEC_XICS_ICP	0x0300
#define LIBVIRQ_SEC_X86_TSC	0x0100
#define LIBVIRQ_SEC_X86_LAPIC	0x0101
#define LIBVIRQ_SEC_X86_PIC	0x0102
#define LIBVIRQ_SEC_X86_IOAPIC	0x0103
#define LIBVIRQ_SEC_X86_IRTE	0x0104
#define LIBVIRQ_SEC_X86_ROUTES	0x0105
#define LIBVIRQ_SEC_GICV3_DIST	0x0200
#define LIBVIRQ_SEC_GICV3_VCPU	0x0201
#define LIBVIRQ_SEC_GICV3_ITS	0x0202

/* GICV3_DIST flags: what the save wrote into guest memory first */
#define LIBVIRQ_GICV3_PENDING_SAVED	(1U << 0)	/* SAVE_PENDING_TABLES */
#define LIBVIRQ_GICV3_ITS_SAVED		(1U << 1)	/* ITS_SAVE_TABLES */

#define LIBVIRQ_SEC_REQUIRED	(1U << 0)

#define LIBVIRQ_INFO_MAX	1024

/**
 * struct libvirq_state - a whole instance's interrupt state, in memory
 * @format_version: of the file it was decoded from (or to be written)
 * @cfg: the chip configuration
 * @source_word_version: version of the words in @sources
 * @nr_vcpus: entries at @vcpus
 * @vcpus: per-vCPU state, ordered by index
 * @sources: cfg.nr_sources words, one per source
 * @pic: x86 with a PIC: the PIC pair
 * @ioapics: x86: cfg.x86.nr_ioapics IOAPICs
 * @irtes: x86 with remapping: cfg.x86.nr_irtes entries, else NULL
 * @nr_routes: x86: entries at @routes
 * @routes: x86: the GSI routing table, ordered by GSI
 * @gic_flags: GICv3: LIBVIRQ_GICV3_*_SAVED
 * @nr_dist_regs: GICv3: entries at @dist_regs
 * @dist_regs: GICv3: the distributor's registers of offsets 0x0-0x7f
 *	and 0xffd0-0xffff, by offset (the SPIs' are in @sources)
 * @nr_its_regs: GICv3 with an ITS: entries at @its_regs
 * @its_regs: GICv3 with an ITS: its registers (0x0-0x13f, 0xffd0-0xffff)
 * @info: the INFO section's text (informational), NUL-terminated
 * @nr_sections: sections of the decoded file (0 for a live save)
 * @sections: what was found in the file, in file order
 */
struct libvirq_state {
	__u32 format_version;
	struct libvirq_config cfg;
	__u32 source_word_version;
	__u32 nr_vcpus;
	struct libvirq_vcpu_state *vcpus;
	__u64 *sources;
	struct virq_x86_pic_state pic;
	struct virq_x86_ioapic_state ioapics[VIRQ_X86_MAX_IOAPICS];
	struct virq_x86_irte *irtes;
	__u32 nr_routes;
	struct virq_route *routes;
	__u32 gic_flags;
	__u32 nr_dist_regs;
	struct libvirq_reg dist_regs[LIBVIRQ_GICV3_MAX_REGS];
	__u32 nr_its_regs;
	struct libvirq_reg its_regs[LIBVIRQ_GICV3_MAX_REGS];
	char info[LIBVIRQ_INFO_MAX];
	__u32 nr_sections;
	struct libvirq_section *sections;
};

/**
 * struct libvirq_progress - progress reports of long operations
 * @fn: called with what is being done, and how far (done of total items);
 *	NULL: no reports
 * @arg: passed to @fn
 */
struct libvirq_progress {
	void (*fn)(void *arg, const char *what, __u64 done, __u64 total);
	void *arg;
};

/* The word of a source in its reset state (XICS: masked at 0xff) */
__u64 libvirq_fresh_word(__u32 family);
/* Name of a section type ("X86_LAPIC"), or NULL if unknown */
const char *libvirq_section_name(__u16 type);
const char *libvirq_family_name(__u32 family);

/*
 * libvirq_save() - read the whole interrupt state of @chip into @st
 *
 * @chip must have been filled by libvirq_probe(): its configuration as
 * created is what the file records, and each vCPU is labelled by the
 * arch_id it was created with.  The instance is not paused: for a
 * consistent snapshot its vCPUs and devices must be stopped.  @st must
 * be freed with libvirq_state_free().
 */
int libvirq_save(const struct libvirq_chip *chip, struct libvirq_state *st,
		 const struct libvirq_progress *p, struct libvirq_err *e);

/* Serialize @st into a new buffer (*@buf, free() it) of *@len bytes */
int libvirq_encode(const struct libvirq_state *st, void **buf, size_t *len,
		   struct libvirq_err *e);

/*
 * libvirq_decode() - parse and validate a whole file
 *
 * Checks the magic, the format version, the header and every section's
 * CRC32C, that every required section is understood and well formed,
 * that the values are consistent with the configuration, and that the
 * file is complete.  Unknown optional sections are skipped (listed in
 * @st->sections with @skipped).  Nothing is half-filled on failure.
 */
int libvirq_decode(const void *buf, size_t len, struct libvirq_state *st,
		   struct libvirq_err *e);

void libvirq_state_free(struct libvirq_state *st);

/*
 * libvirq_check_target() - can @st be restored into @chip?
 *
 * @chip (probed) must have the configuration of @st: the family,
 * nr_vcpus, nr_sources and, for x86, the options with their defaults
 * resolved (so that a target created with a default spelt out matches);
 * and it must hold exactly the vCPUs of @st, with the same indices and
 * arch_ids.  Changes nothing.
 */
int libvirq_check_target(const struct libvirq_state *st,
			 const struct libvirq_chip *chip,
			 struct libvirq_err *e);

/* libvirq_restore() flags */
#define LIBVIRQ_RESTORE_NO_DRY_RUN	(1U << 0)

/*
 * libvirq_restore() - restore @st into @chip, all or nothing
 *
 * libvirq_check_target() first; then, unless LIBVIRQ_RESTORE_NO_DRY_RUN,
 * the whole state is restored into a scratch instance of the same
 * configuration (opened with libvirq_open()) so that the kernel's own
 * checks of every blob run before the target changes.  Then the state is
 * applied: x86: TSC, LAPICs, IRTEs, PIC, IOAPICs, routes, source words;
 * XICS: ICPs, source words; GICv3: distributor registers (IIDR first,
 * GICD_CTLR last), per vCPU the redistributor (GICR_CTLR last), CPU
 * interface and private words, SPI words, the ITS registers with the ITS
 * disabled, ITS_RESTORE_TABLES, GITS_CTLR.  The GICv3 dry run cannot
 * read guest memory (the scratch instance has none): it skips
 * EnableLPIs, the table restore and the ITS enable.  A failure there
 * (which validation should have made impossible) names the section and
 * field in @e; the target is then partly restored.
 */
int libvirq_restore(const struct libvirq_state *st,
		    const struct libvirq_chip *chip, __u32 flags,
		    const struct libvirq_progress *p, struct libvirq_err *e);

/* libvirq_diff() flags */
#define LIBVIRQ_DIFF_STRICT	(1U << 0)	/* compare volatile fields */

/**
 * struct libvirq_diff - one difference between two states
 * @what: "config", "vcpus", "source", "icp", "tsc", "lapic", "pic",
 *	"ioapic", "irte", "route"
 * @id: the source number, vCPU arch id, IOAPIC index, PIC (0 master, 1
 *	slave), IRTE index or GSI
 * @field: the field or register ("word", "IRR1", "redir[5]", ...)
 * @a: value in the first state
 * @b: value in the second state
 * @only: 0; 'a' or 'b' when the item exists in one state only (routes,
 *	vCPUs)
 */
struct libvirq_diff {
	const char *what;
	__u64 id;
	char field[48];
	__u64 a;
	__u64 b;
	char only;
};

/*
 * libvirq_diff() - compare two states
 * @fn: called for each difference; a non-zero return stops the walk
 *
 * Volatile fields are skipped unless LIBVIRQ_DIFF_STRICT: the LAPIC
 * current count (TMCCT) and timer_guest_tsc, which depend on the moment
 * of the save, and timer_expiry_tsc, of which only "armed or not" is
 * compared.  Returns the number of differences reported.
 */
long libvirq_diff(const struct libvirq_state *a,
		  const struct libvirq_state *b, __u32 flags,
		  int (*fn)(const struct libvirq_diff *d, void *arg),
		  void *arg);

/* The xAPIC register name at page offset @off (a multiple of 16) */
const char *libvirq_lapic_reg_name(__u32 off);

/* Kinds of GICv3 registers, for libvirq_gicv3_reg_name() */
#define LIBVIRQ_GICV3_DIST	0	/* GICD_* offset */
#define LIBVIRQ_GICV3_REDIST	1	/* GICR_* offset (RD + SGI frames) */
#define LIBVIRQ_GICV3_CPUIF	2	/* VIRQ_GICV3_ICC_* encoding */
#define LIBVIRQ_GICV3_ITS	3	/* GITS_* offset */

/* "GICD_CTLR", "ICC_PMR_EL1", ...: the name of a saved register, or NULL */
const char *libvirq_gicv3_reg_name(__u32 kind, __u32 off);

/* Little-endian 32-bit read of LAPIC register @off of a saved page */
__u32 libvirq_lapic_reg(const struct virq_x86_lapic_state *l, __u32 off);

#endif /* _LIBVIRQ_H */
