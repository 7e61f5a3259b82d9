/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * virq: in-kernel interrupt controllers for any virtual machine monitor.
 *
 * open("/dev/virq") returns an *instance*: the interrupt domain of one
 * virtual machine.  The instance holds at most one emulated irqchip of one
 * family (x86, GICv3, XICS), created with VIRQ_CREATE_CHIP, and one vCPU
 * object per virtual CPU, each with a file descriptor of its own returned by
 * VIRQ_CREATE_VCPU.  Everything lives exactly as long as the last file
 * descriptor that refers to it.
 *
 * Conventions, for every ioctl below:
 *  - every field is fixed size and naturally aligned; every struct is a
 *    multiple of 64 bits;
 *  - a field documented as "(in)" is read by the kernel, "(out)" written;
 *  - every flag not defined here, and every padding or reserved field that
 *    is not zero, is rejected with EINVAL;
 *  - user pointers travel as __u64;
 *  - an unknown command fails with ENOTTY;
 *  - file descriptors returned by the kernel have O_CLOEXEC set.
 *
 * Documentation/userspace-api/virq/ describes each ioctl and its errors.
 */
#ifndef _UAPI_LINUX_VIRQ_H
#define _UAPI_LINUX_VIRQ_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VIRQ_API_VERSION	1

/* ioctl type; see Documentation/userspace-api/virq/overview.rst */
#define VIRQIO			0xBA

/* --- Model families ----------------------------------------------------- */

#define VIRQ_FAMILY_X86		1	/* IOAPIC + LAPIC + 8259 PIC */
#define VIRQ_FAMILY_GICV3	2	/* ARM GICv3 + ITS */
#define VIRQ_FAMILY_XICS	3	/* PowerPC XICS (ICS + ICP) */
#define VIRQ_FAMILY_MAX		3

/* --- API query (instance fd) -------------------------------------------- */

/* Feature bits reported in virq_api.features */
#define VIRQ_FEATURE_IRQ_LINES		(1ULL << 0) /* VIRQ_IRQ_LINES */
#define VIRQ_FEATURE_IRQFD		(1ULL << 1) /* VIRQ_IRQFD */
#define VIRQ_FEATURE_IRQFD_RESAMPLE	(1ULL << 2) /* VIRQ_IRQFD_FLAG_RESAMPLE */
#define VIRQ_FEATURE_SOURCE_STATE	(1ULL << 3) /* VIRQ_{GET,SET}_SOURCES */
#define VIRQ_FEATURE_ATTR		(1ULL << 4) /* VIRQ_{GET,SET,HAS}_ATTR */
#define VIRQ_FEATURE_VCPU_POLL		(1ULL << 5) /* poll() on vCPU fds */
/* VIRQ_UPDATE_GSI_ROUTE and VIRQ_GET_GSI_ROUTING */
#define VIRQ_FEATURE_ROUTE_UPDATE	(1ULL << 6)
/* VIRQ_GET_CHIP and VIRQ_VCPU_GET_ID: an instance describes itself */
#define VIRQ_FEATURE_INTROSPECT		(1ULL << 7)
/* VIRQ_SET_MEMORY_REGION: models may read and write guest memory */
#define VIRQ_FEATURE_GUEST_MEMORY	(1ULL << 8)
/* VIRQ_IRQFD_FLAG_MSI: an irqfd that signals an MSI */
#define VIRQ_FEATURE_IRQFD_MSI		(1ULL << 9)
#define VIRQ_FEATURE_ALL		((1ULL << 10) - 1)

/**
 * struct virq_api - VIRQ_GET_API argument
 * @version:	(out) VIRQ_API_VERSION of the running module
 * @flags:	(in) must be 0
 * @features:	(out) VIRQ_FEATURE_* bits this module supports
 * @families:	(out) bit (1 << VIRQ_FAMILY_*) set for every family built in
 * @max_vcpus:	(out) largest nr_vcpus VIRQ_CREATE_CHIP accepts (module
 *		parameter max_vcpus)
 * @max_sources: (out) largest nr_sources VIRQ_CREATE_CHIP accepts (module
 *		parameter max_sources)
 * @max_routes:	(out) largest number of GSI routing entries per instance
 *		(module parameter max_routes)
 * @padding:	(out) zeroed
 * @reserved:	(out) zeroed
 */
struct virq_api {
	__u32 version;
	__u32 flags;
	__u64 features;
	__u64 families;
	__u32 max_vcpus;
	__u32 max_sources;
	__u32 max_routes;
	__u32 padding;
	__u64 reserved[3];
};

/**
 * struct virq_family_info - VIRQ_GET_FAMILY argument
 * @family:	(in) VIRQ_FAMILY_*
 * @flags:	(in) must be 0
 * @features:	(out) family-specific feature bits (VIRQ_<FAMILY>_FEATURE_*)
 * @max_vcpus:	(out) largest nr_vcpus this family accepts
 * @max_sources: (out) largest nr_sources this family accepts
 * @source_word_version: (out) version of the per-source state word
 *		(VIRQ_GET_SOURCES) of this family
 * @options_size: (out) size of the family's creation options struct
 *		(virq_chip_config.options_size); 0 when it takes none
 * @reserved:	(out) zeroed
 */
struct virq_family_info {
	__u32 family;
	__u32 flags;
	__u64 features;
	__u32 max_vcpus;
	__u32 max_sources;
	__u32 source_word_version;
	__u32 options_size;
	__u64 reserved[4];
};

/* --- Chip creation (instance fd) ----------------------------------------- */

#define VIRQ_OPTIONS_MAX_SIZE	4096	/* largest virq_chip_config.options_size */

/**
 * struct virq_chip_config - VIRQ_CREATE_CHIP argument
 * @family:	(in) VIRQ_FAMILY_*
 * @flags:	(in) must be 0
 * @nr_vcpus:	(in) number of vCPUs, 1..virq_family_info.max_vcpus
 * @nr_sources:	(in) number of interrupt sources; its meaning is the family's
 *		(XICS: size of the flat source-number space)
 * @options:	(in) user pointer to the family's options struct, or 0
 * @options_size: (in) size of *@options in bytes, 0 when @options is 0,
 *		at most VIRQ_OPTIONS_MAX_SIZE.  A shorter struct than the
 *		module knows is zero-extended; a longer one is accepted only
 *		if the extra bytes are zero.
 * @padding:	(in) must be 0
 */
/*
 * VIRQ_GET_CHIP returns the same struct: family, nr_vcpus and nr_sources
 * as created, options_size set to the family's options struct size, and
 * the options as VIRQ_CREATE_CHIP accepted them (zero-extended, defaults
 * not resolved) copied to @options when it is not 0.  There @options_size
 * is (in) the buffer's size: a smaller buffer than the family's struct is
 * filled if the bytes that do not fit are zero (else E2BIG), a larger one
 * is zero-filled beyond the struct.
 */
struct virq_chip_config {
	__u32 family;
	__u32 flags;
	__u32 nr_vcpus;
	__u32 nr_sources;
	__u64 options;
	__u32 options_size;
	__u32 padding;
};

/* --- vCPUs (instance fd) -------------------------------------------------- */

/**
 * struct virq_vcpu_create - VIRQ_CREATE_VCPU argument
 * @index:	(in) vCPU index, 0..nr_vcpus-1
 * @flags:	(in) must be 0
 * @arch_id:	(in) the architectural id of the vCPU: APIC id (x86), MPIDR
 *		affinity (GICv3) or server number (XICS); unique per instance
 *
 * On success the ioctl returns a new file descriptor (O_CLOEXEC) for the
 * vCPU.  Each index can be created once per instance.
 */
struct virq_vcpu_create {
	__u32 index;
	__u32 flags;
	__u64 arch_id;
};

/*
 * VIRQ_VCPU_GET_ID fills a struct virq_vcpu_create with the vCPU's index
 * and arch_id as created (flags 0), so that a tool holding only the fd
 * can tell which vCPU it is.
 */

/* --- Injection (instance fd) --------------------------------------------- */

#define VIRQ_LINE_RESET		0	/* level-triggered line goes low */
#define VIRQ_LINE_SET		1	/* level-triggered line goes high */
#define VIRQ_LINE_EDGE		2	/* one edge (pulse) */

/* virq_irq_line.status values other than a count of vCPUs */
#define VIRQ_STATUS_COALESCED	0	/* merged into one already pending */
/*
 * masked or disabled (latched if the family latches), or dropped by a
 * translation (an x86 remapping fault, an MSI the GICv3 ITS cannot
 * translate): not sent
 */
#define VIRQ_STATUS_MASKED	(-1)

/**
 * struct virq_irq_line - one injection (VIRQ_IRQ_LINE, VIRQ_IRQ_LINES)
 * @source:	(in) source number: flat on XICS and GICv3, GSI on x86
 * @op:		(in) VIRQ_LINE_RESET, VIRQ_LINE_SET or VIRQ_LINE_EDGE
 * @flags:	(in) must be 0
 * @status:	(out) delivery status, in the spirit of KVM_IRQ_LINE_STATUS:
 *		> 0: presented to that many vCPUs; VIRQ_STATUS_COALESCED: it
 *		was already pending, or is held behind a higher priority;
 *		VIRQ_STATUS_MASKED: masked, latched if the family latches,
 *		or dropped by a translation (remapping fault, no ITS
 *		mapping).
 *		A VIRQ_LINE_RESET reports VIRQ_STATUS_COALESCED.
 */
struct virq_irq_line {
	__u32 source;
	__u32 op;
	__u32 flags;
	__s32 status;
};

#define VIRQ_IRQ_LINES_MAX	1024

/**
 * struct virq_irq_lines - VIRQ_IRQ_LINES argument: a batch of injections
 * @count:	(in) number of entries at @lines, 1..VIRQ_IRQ_LINES_MAX
 * @flags:	(in) must be 0
 * @lines:	(in) user pointer to an array of struct virq_irq_line.  The
 *		generic checks (flags, op, source < nr_sources) are made on
 *		every entry before any is applied; then the entries are
 *		applied in order and each applied entry's status is written
 *		back.  The ioctl returns the number of entries applied: fewer
 *		than @count when the family refused entry N (entries 0..N-1
 *		were applied; resubmit from N to learn the errno), and -1
 *		with that errno when it refused the first.
 */
struct virq_irq_lines {
	__u32 count;
	__u32 flags;
	__u64 lines;
};

#define VIRQ_MSI_FLAG_DEVID	(1U << 0)	/* @devid is valid */

/**
 * struct virq_msi - VIRQ_SIGNAL_MSI argument
 * @address_lo:	(in) low 32 bits of the MSI address
 * @address_hi:	(in) high 32 bits of the MSI address
 * @data:	(in) MSI data (XICS: the source number)
 * @flags:	(in) VIRQ_MSI_FLAG_*
 * @devid:	(in) requester / device id, when VIRQ_MSI_FLAG_DEVID is set
 * @status:	(out) as virq_irq_line.status
 */
struct virq_msi {
	__u32 address_lo;
	__u32 address_hi;
	__u32 data;
	__u32 flags;
	__u32 devid;
	__s32 status;
};

/* --- irqfd (instance fd) --------------------------------------------------- */

#define VIRQ_IRQFD_FLAG_DEASSIGN	(1U << 0)
#define VIRQ_IRQFD_FLAG_RESAMPLE	(1U << 1)
#define VIRQ_IRQFD_FLAG_MSI		(1U << 2)	/* signal @msi, not @source */
#define VIRQ_IRQFD_FLAG_MSI_DEVID	(1U << 3)	/* @msi.devid is valid */

/**
 * struct virq_irqfd - VIRQ_IRQFD argument
 * @fd:		(in) eventfd whose writes inject an interrupt on @source
 * @source:	(in) source number (as in virq_irq_line.source); 0 with
 *		VIRQ_IRQFD_FLAG_MSI
 * @flags:	(in) VIRQ_IRQFD_FLAG_*.  Without RESAMPLE every signal is an
 *		edge.  With RESAMPLE the eventfd raises @source as a level
 *		line and, when the guest ends the interrupt (EOI), virq lowers
 *		it again and signals @resamplefd.  With MSI every signal
 *		sends the message @msi as VIRQ_SIGNAL_MSI would (not with
 *		RESAMPLE); MSI_DEVID only with MSI.
 * @resamplefd:	(in) eventfd for VIRQ_IRQFD_FLAG_RESAMPLE, else must be 0
 * @msi:	(in) with VIRQ_IRQFD_FLAG_MSI: the message (@msi.devid must
 *		be 0 without VIRQ_IRQFD_FLAG_MSI_DEVID); else every byte of
 *		@padding must be 0.  The message is checked when the irqfd is
 *		assigned (EINVAL if VIRQ_SIGNAL_MSI would refuse its form).
 *		Deassign matches @fd and @source only (an MSI irqfd: with
 *		@source 0, and either the message or zero padding).
 * @padding:	(in) see @msi
 */
struct virq_irqfd {
	__u32 fd;
	__u32 source;
	__u32 flags;
	__u32 resamplefd;
	union {
		struct {
			__u32 address_lo;
			__u32 address_hi;
			__u32 data;
			__u32 devid;
		} msi;
		__u8 padding[16];
	};
};

/* --- GSI routing (instance fd, x86 family only) ---------------------------- */

#define VIRQ_ROUTE_IRQCHIP	1
#define VIRQ_ROUTE_MSI		2
#define VIRQ_ROUTES_DEFAULT_MAX	262144	/* default of module parameter max_routes */

#define VIRQ_ROUTE_FLAG_DEVID	(1U << 0)	/* msi.devid is valid */

/**
 * struct virq_route - one GSI routing entry, laid out as
 * struct kvm_irq_routing_entry
 * @gsi:	(in) GSI this entry belongs to
 * @type:	(in) VIRQ_ROUTE_IRQCHIP or VIRQ_ROUTE_MSI
 * @flags:	(in) VIRQ_ROUTE_FLAG_* (DEVID only with VIRQ_ROUTE_MSI)
 * @pad:	(in) must be 0
 * @u:		(in) target: an irqchip pin (irqchip: VIRQ_X86_IRQCHIP_*) or
 *		an MSI message; the unused words of @u.pad must be 0
 *
 * One GSI may have several irqchip entries (at most one per irqchip, as
 * KVM) or one MSI entry, not both kinds.
 */
struct virq_route {
	__u32 gsi;
	__u32 type;
	__u32 flags;
	__u32 pad;
	union {
		struct {
			__u32 irqchip;
			__u32 pin;
		} irqchip;
		struct {
			__u32 address_lo;
			__u32 address_hi;
			__u32 data;
			__u32 devid;
		} msi;
		__u32 pad[8];
	} u;
};

/**
 * struct virq_routing - VIRQ_SET_GSI_ROUTING and VIRQ_GET_GSI_ROUTING
 * argument
 * @nr:		SET: (in) number of entries at @entries, 0..max_routes.
 *		GET: (in) capacity of @entries, (out) number of entries in
 *		the table (ENOSPC, with @nr set, when they do not fit)
 * @flags:	(in) must be 0
 * @entries:	(in) user pointer to an array of struct virq_route
 *
 * SET replaces the whole table (KVM semantics): it validates every entry
 * before it changes anything.  GET returns the entries ordered by GSI.
 * Only the x86 family has GSI routing; the others fail with EOPNOTSUPP.
 */
struct virq_routing {
	__u32 nr;
	__u32 flags;
	__u64 entries;
};

#define VIRQ_ROUTE_OP_ADD	1	/* add @route to its GSI */
#define VIRQ_ROUTE_OP_DELETE	2	/* remove the entry equal to @route */
#define VIRQ_ROUTE_OP_REPLACE	3	/* @route becomes its GSI's only entry */
#define VIRQ_ROUTE_OP_CLEAR	4	/* remove every entry of @route.gsi */

/**
 * struct virq_route_update - VIRQ_UPDATE_GSI_ROUTE argument: change one
 * GSI without rebuilding the table
 * @op:		(in) VIRQ_ROUTE_OP_*
 * @flags:	(in) must be 0
 * @route:	(in) the entry (for VIRQ_ROUTE_OP_CLEAR only @route.gsi is
 *		read; every other field must be 0)
 *
 * Each update is atomic for its GSI: an injection sees the GSI's entries
 * before or after the update, never a mix.  It costs O(1) whatever the
 * table size and never waits for concurrent injections.
 */
struct virq_route_update {
	__u32 op;
	__u32 flags;
	struct virq_route route;
};

/* --- Guest memory (instance fd) ------------------------------------------- */

#define VIRQ_MEMORY_SLOTS	32

/**
 * struct virq_memory_region - VIRQ_SET_MEMORY_REGION argument: a range of
 * guest-physical memory the models may read and write (GICv3: LPI
 * property and pending tables, ITS tables and command queue), laid out as
 * struct kvm_userspace_memory_region
 * @slot:	(in) 0..VIRQ_MEMORY_SLOTS-1
 * @flags:	(in) must be 0
 * @guest_phys_addr: (in) first guest-physical byte, aligned to the host's
 *		page size (sysconf(_SC_PAGESIZE))
 * @memory_size: (in) bytes, a multiple of the host's page size; 0 deletes
 *		the slot
 * @userspace_addr: (in) where the calling process maps it, page aligned
 *
 * The mapping belongs to the process that makes this call: the models
 * reach it through that process's address space, also when a tool in
 * another process (virqctl) makes the ioctl that needs it.  A slot is
 * set once; to move it, delete it first.  Slots must not overlap.
 */
struct virq_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
};

/* --- Source state (instance fd) -------------------------------------------- */

#define VIRQ_SOURCES_MAX	65536	/* per call */

/**
 * struct virq_sources - VIRQ_GET_SOURCES / VIRQ_SET_SOURCES argument
 * @first:	(in) first source number
 * @count:	(in) number of sources, 1..VIRQ_SOURCES_MAX; @first + @count
 *		must not exceed nr_sources
 * @flags:	(in) must be 0
 * @padding:	(in) must be 0
 * @addr:	(in) user pointer to @count __u64 state words, one per source,
 *		in the family's documented layout (for XICS: KVM_XICS_*)
 *
 * VIRQ_SET_SOURCES validates every word before it changes any source.
 */
struct virq_sources {
	__u32 first;
	__u32 count;
	__u32 flags;
	__u32 padding;
	__u64 addr;
};

/* --- Chip and vCPU attributes (instance fd and vCPU fd) -------------------- */

#define VIRQ_ATTR_MAX_SIZE	65536	/* largest attribute value */

/**
 * struct virq_attr - VIRQ_{GET,SET,HAS}_ATTR and VIRQ_VCPU_{GET,SET,HAS}_ATTR
 * @group:	(in) attribute group, family-specific (VIRQ_<FAMILY>_GRP_*)
 * @flags:	(in) must be 0
 * @attr:	(in) attribute within the group
 * @addr:	(in) user pointer to the value
 * @size:	(in/out) in: bytes available at @addr; out (GET only): the
 *		attribute's size.  A GET into a buffer that is too small fails
 *		with ENOSPC and reports the size needed here; a GET may offer
 *		any size (no attribute exceeds VIRQ_ATTR_MAX_SIZE).  A SET of
 *		more than VIRQ_ATTR_MAX_SIZE bytes fails with E2BIG.  HAS
 *		ignores @addr and @size.
 * @padding:	(in) must be 0
 */
struct virq_attr {
	__u32 group;
	__u32 flags;
	__u64 attr;
	__u64 addr;
	__u32 size;
	__u32 padding;
};

/* --- Calls (hypercalls on vCPU fds, firmware calls on the instance) ------ */

/**
 * struct virq_call - VIRQ_VCPU_CALL and VIRQ_CHIP_CALL argument
 * @nr:		(in) call number: the PAPR hcall number (H_XIRR, ...) on a
 *		vCPU fd, VIRQ_<FAMILY>_CALL_* on the instance
 * @flags:	(in) must be 0
 * @args:	(in) arguments, in the order of the architecture's calling
 *		convention
 * @ret:	(out) the architecture's return code (H_SUCCESS, RTAS status)
 * @rets:	(out) returned values (R4.. for hcalls)
 */
struct virq_call {
	__u32 nr;
	__u32 flags;
	__u64 args[6];
	__s64 ret;
	__u64 rets[4];
};

/* --- vCPU output (vCPU fd) --------------------------------------------------- */

/* Output lines of a vCPU, in virq_vcpu_output.lines */
#define VIRQ_OUT_INT		(1U << 0)	/* interrupt request (INTR/IRQ/EE) */
#define VIRQ_OUT_NMI		(1U << 1)	/* x86 NMI pending */
#define VIRQ_OUT_INIT		(1U << 2)	/* x86 INIT pending */
#define VIRQ_OUT_SIPI		(1U << 3)	/* x86 SIPI pending */
#define VIRQ_OUT_SMI		(1U << 4)	/* x86 SMI pending */
#define VIRQ_OUT_EXTINT		(1U << 5)	/* x86 ExtINT (ask the PIC) */
#define VIRQ_OUT_FIQ		(1U << 6)	/* ARM FIQ (group 0) */
#define VIRQ_OUT_IRQS		(VIRQ_OUT_INT | VIRQ_OUT_EXTINT | VIRQ_OUT_FIQ)
#define VIRQ_OUT_EVENTS		(VIRQ_OUT_NMI | VIRQ_OUT_INIT | \
				 VIRQ_OUT_SIPI | VIRQ_OUT_SMI)

/**
 * struct virq_vcpu_output - VIRQ_VCPU_GET_OUTPUT argument
 * @lines:	(out) VIRQ_OUT_* lines asserted now
 * @flags:	(in) must be 0
 * @sipi_vector: (out) vector of the pending SIPI when VIRQ_OUT_SIPI is set
 * @padding:	(out) zeroed
 * @reserved:	(out) zeroed
 *
 * poll() on a vCPU fd reports EPOLLIN while VIRQ_OUT_INT, VIRQ_OUT_EXTINT or
 * VIRQ_OUT_FIQ is asserted and EPOLLPRI while any of VIRQ_OUT_EVENTS is.
 */
struct virq_vcpu_output {
	__u32 lines;
	__u32 flags;
	__u32 sipi_vector;
	__u32 padding;
	__u64 reserved[2];
};

/**
 * struct virq_ack - VIRQ_VCPU_ACK argument
 * @flags:	(in) must be 0
 * @event:	(in) 0: acknowledge the highest-priority interrupt (x86 INTA,
 *		GIC IAR, XICS H_XIRR).  Otherwise exactly one of
 *		VIRQ_OUT_NMI, VIRQ_OUT_INIT, VIRQ_OUT_SIPI, VIRQ_OUT_SMI or
 *		VIRQ_OUT_EXTINT: take that pending event (x86), which clears
 *		its output line; EAGAIN if it is not pending.
 * @id:		(out) for an interrupt, what the acknowledge cycle returns:
 *		the vector (x86; the spurious vector when nothing is
 *		pending), the INTID (GIC IAR) or the XIRR (XICS).  For
 *		VIRQ_OUT_SIPI the SIPI vector, for VIRQ_OUT_EXTINT the
 *		vector the PIC supplies; 0 for the other events.
 */
struct virq_ack {
	__u32 flags;
	__u32 event;
	__u64 id;
};

/* --- Register access (vCPU fd) ---------------------------------------------- */

#define VIRQ_SPACE_MMIO		1	/* guest-physical address */
#define VIRQ_SPACE_MSR		2	/* x86 MSR index */
#define VIRQ_SPACE_SYSREG	3	/* ARM system register encoding */
#define VIRQ_SPACE_PIO		4	/* x86 I/O port */

#define VIRQ_ACCESS_WRITE	(1U << 0)

/**
 * struct virq_access - VIRQ_VCPU_ACCESS argument: one guest register access,
 * forwarded by the VMM from the vCPU that made it
 * @space:	(in) VIRQ_SPACE_*
 * @flags:	(in) VIRQ_ACCESS_WRITE for a write, else a read
 * @addr:	(in) address in @space
 * @len:	(in) access size in bytes: 1, 2, 4 or 8
 * @padding:	(in) must be 0
 * @data:	(in) value written, (out) value read, little-endian value
 *		semantics (the low @len bytes)
 *
 * Fails with ENXIO when no register of this chip lives at @addr: the VMM
 * then handles the access itself.
 */
struct virq_access {
	__u32 space;
	__u32 flags;
	__u64 addr;
	__u32 len;
	__u32 padding;
	__u64 data;
};

/* --- ioctl commands ------------------------------------------------------- */

/*
 * Every ioctl can also fail with EFAULT (a user pointer is bad) and ENOTTY
 * (unknown command, or a command for the other kind of fd).  Every ioctl
 * below that needs a chip fails with ENODEV before VIRQ_CREATE_CHIP.  The
 * full rules are in Documentation/userspace-api/virq/error-codes.rst.
 */

/* Instance fd */

/* VIRQ_GET_API: module version and features.  EINVAL: flags. */
#define VIRQ_GET_API		_IOWR(VIRQIO, 0x00, struct virq_api)
/* VIRQ_GET_FAMILY: one family's limits.  EINVAL, EOPNOTSUPP (not built). */
#define VIRQ_GET_FAMILY		_IOWR(VIRQIO, 0x01, struct virq_family_info)
/*
 * VIRQ_CREATE_CHIP: once per instance.  EINVAL (family, flags, padding,
 * counts, options without size or size without options, a configuration
 * the family refuses), EOPNOTSUPP (family not built), E2BIG (options
 * larger than VIRQ_OPTIONS_MAX_SIZE, or than the family's struct with
 * non-zero extra bytes), ENOSPC (x86: the default GSI routes need more
 * than max_routes entries), ENOMEM, EEXIST (chip exists; checked before
 * the family's own checks).
 */
#define VIRQ_CREATE_CHIP	_IOW(VIRQIO, 0x02, struct virq_chip_config)
/*
 * VIRQ_CREATE_VCPU: returns a vCPU fd.  EINVAL (flags, index, arch_id the
 * family refuses), EEXIST (index or arch_id taken), ENOMEM, EMFILE, ENFILE.
 */
#define VIRQ_CREATE_VCPU	_IOW(VIRQIO, 0x03, struct virq_vcpu_create)
/*
 * VIRQ_IRQ_LINE: one injection.  EINVAL (flags, op, source), ENOMEM,
 * ESRCH (GICv3: no vCPU for a resident or private source).
 */
#define VIRQ_IRQ_LINE		_IOWR(VIRQIO, 0x04, struct virq_irq_line)
/*
 * VIRQ_IRQ_LINES: a batch; returns the number applied.  EINVAL (count,
 * any entry's flags, op or source), ENOMEM, ESRCH (as VIRQ_IRQ_LINE).
 */
#define VIRQ_IRQ_LINES		_IOW(VIRQIO, 0x05, struct virq_irq_lines)
/* VIRQ_SIGNAL_MSI: EINVAL (flags, message), EOPNOTSUPP, ENOMEM. */
#define VIRQ_SIGNAL_MSI		_IOWR(VIRQIO, 0x06, struct virq_msi)
/*
 * VIRQ_IRQFD: assign or deassign.  EINVAL (flags, padding, resamplefd,
 * source, or a file that is not an eventfd), EBADF (fd or resamplefd not
 * open), EBUSY (eventfd already assigned), ENOENT (deassign of an unknown
 * pair), ENOMEM.
 */
#define VIRQ_IRQFD		_IOW(VIRQIO, 0x07, struct virq_irqfd)
/*
 * VIRQ_SET_GSI_ROUTING: EINVAL (flags, an entry, or two entries of one
 * GSI that cannot coexist), E2BIG (more than max_routes entries), ENOMEM,
 * EOPNOTSUPP (family has no GSI routing).
 */
#define VIRQ_SET_GSI_ROUTING	_IOW(VIRQIO, 0x08, struct virq_routing)
/* VIRQ_GET_SOURCES: EINVAL (flags, padding, range), ENOMEM. */
#define VIRQ_GET_SOURCES	_IOW(VIRQIO, 0x09, struct virq_sources)
/* VIRQ_SET_SOURCES: all or nothing.  EINVAL (also: a bad word), ENOMEM. */
#define VIRQ_SET_SOURCES	_IOW(VIRQIO, 0x0a, struct virq_sources)
/*
 * VIRQ_GET_ATTR: EINVAL (flags, padding), ENXIO (unknown group or
 * attribute), ENOSPC (buffer too small; size reports the need), ENOMEM.
 */
#define VIRQ_GET_ATTR		_IOWR(VIRQIO, 0x0b, struct virq_attr)
/*
 * VIRQ_SET_ATTR: EINVAL (flags, padding, a value the family refuses,
 * among them a file that is not an eventfd), EBADF (a file descriptor in
 * the value is not open: x86 VIRQ_X86_GRP_IR_FAULT attr 1), EBUSY (GICv3:
 * an ITS register or the ITS tables restored while the ITS is enabled),
 * E2BIG (size above VIRQ_ATTR_MAX_SIZE), ENXIO, ENOMEM.
 */
#define VIRQ_SET_ATTR		_IOW(VIRQIO, 0x0c, struct virq_attr)
/* VIRQ_HAS_ATTR: 0 if known.  EINVAL (flags, padding), ENXIO. */
#define VIRQ_HAS_ATTR		_IOW(VIRQIO, 0x0d, struct virq_attr)
/*
 * VIRQ_CHIP_CALL: a firmware call; its status is in virq_call.ret.
 * EINVAL (flags), EOPNOTSUPP (call not implemented), ENOMEM, ENOSPC.
 */
#define VIRQ_CHIP_CALL		_IOWR(VIRQIO, 0x0e, struct virq_call)
/*
 * VIRQ_UPDATE_GSI_ROUTE: EINVAL (op, flags, the entry), EEXIST (ADD of an
 * entry that conflicts with the GSI's: one on the same irqchip, the same
 * entry included, or an MSI entry beside any other), ENOENT (DELETE of an
 * entry the GSI has not), ENOSPC (max_routes reached), ENOMEM, EOPNOTSUPP
 * (no GSI routing).
 */
#define VIRQ_UPDATE_GSI_ROUTE	_IOW(VIRQIO, 0x0f, struct virq_route_update)
/*
 * VIRQ_GET_GSI_ROUTING: EINVAL (flags), ENOSPC (nr too small; nr now holds
 * the count), ENOMEM, EOPNOTSUPP (no GSI routing).
 */
#define VIRQ_GET_GSI_ROUTING	_IOWR(VIRQIO, 0x10, struct virq_routing)
/*
 * VIRQ_GET_CHIP: the chip's configuration as created.  EINVAL (flags,
 * padding, options without size or size without options), E2BIG (the
 * options do not fit and the bytes that do not are not zero).
 */
#define VIRQ_GET_CHIP		_IOWR(VIRQIO, 0x11, struct virq_chip_config)
/*
 * VIRQ_SET_MEMORY_REGION: EINVAL (slot, flags, alignment, a range that
 * wraps or a userspace_addr that is not a user address), EEXIST (the
 * slot is set, or the range overlaps another slot's), ENOENT (delete of
 * an unset slot), ENOMEM.  Works before VIRQ_CREATE_CHIP too.
 */
#define VIRQ_SET_MEMORY_REGION	_IOW(VIRQIO, 0x12, struct virq_memory_region)

/* vCPU fd */

/* VIRQ_VCPU_GET_OUTPUT: EINVAL (flags). */
#define VIRQ_VCPU_GET_OUTPUT	_IOWR(VIRQIO, 0x40, struct virq_vcpu_output)
/*
 * VIRQ_VCPU_ACK: EINVAL (flags, event), EAGAIN (event not pending),
 * EOPNOTSUPP (no ack cycle).
 */
#define VIRQ_VCPU_ACK		_IOWR(VIRQIO, 0x41, struct virq_ack)
/*
 * VIRQ_VCPU_ACCESS: EINVAL (flags, space, len, padding, or an access the
 * register refuses), ENXIO (no register of the chip there).
 */
#define VIRQ_VCPU_ACCESS	_IOWR(VIRQIO, 0x42, struct virq_access)
/*
 * VIRQ_VCPU_CALL: EINVAL (flags, a call's argument the family refuses),
 * EOPNOTSUPP (the VMM handles the call), EBUSY (GICv3 LOAD: the physical
 * CPU or the vCPU is taken).
 */
#define VIRQ_VCPU_CALL		_IOWR(VIRQIO, 0x43, struct virq_call)
/* VIRQ_VCPU_GET_ATTR: as VIRQ_GET_ATTR. */
#define VIRQ_VCPU_GET_ATTR	_IOWR(VIRQIO, 0x44, struct virq_attr)
/*
 * VIRQ_VCPU_SET_ATTR: as VIRQ_SET_ATTR, but never EBADF (no vCPU attribute
 * holds a file descriptor).
 */
#define VIRQ_VCPU_SET_ATTR	_IOW(VIRQIO, 0x45, struct virq_attr)
/* VIRQ_VCPU_HAS_ATTR: as VIRQ_HAS_ATTR. */
#define VIRQ_VCPU_HAS_ATTR	_IOW(VIRQIO, 0x46, struct virq_attr)
/* VIRQ_VCPU_GET_ID: this vCPU's index and arch_id.  No errors. */
#define VIRQ_VCPU_GET_ID	_IOR(VIRQIO, 0x47, struct virq_vcpu_create)

/* --- XICS family ------------------------------------------------------------ */

/*
 * Source numbers: bits 19..10 select the ICS, bits 9..0 the source within
 * it (as KVM).  0 means "no interrupt", 2 is the IPI; numbers below
 * VIRQ_XICS_FIRST_SOURCE are reserved.  nr_sources must be a multiple of
 * VIRQ_XICS_ICS_SIZE and at most VIRQ_XICS_MAX_SOURCES.
 */
#define VIRQ_XICS_ICS_SHIFT		10
#define VIRQ_XICS_ICS_SIZE		(1U << VIRQ_XICS_ICS_SHIFT)
#define VIRQ_XICS_MAX_SOURCES		(1U << 20)
#define VIRQ_XICS_FIRST_SOURCE		16
#define VIRQ_XICS_IPI			2

/* Per-source state word (VIRQ_GET/SET_SOURCES), identical to KVM_XICS_* */
#define VIRQ_XICS_DESTINATION_SHIFT	0
#define VIRQ_XICS_DESTINATION_MASK	0xffffffffULL
#define VIRQ_XICS_PRIORITY_SHIFT	32
#define VIRQ_XICS_PRIORITY_MASK		0xff
#define VIRQ_XICS_LEVEL_SENSITIVE	(1ULL << 40)
#define VIRQ_XICS_MASKED		(1ULL << 41)
#define VIRQ_XICS_PENDING		(1ULL << 42)
#define VIRQ_XICS_PRESENTED		(1ULL << 43)
#define VIRQ_XICS_QUEUED		(1ULL << 44)
/* virq extensions, not in KVM's word: */
#define VIRQ_XICS_ASSERTED		(1ULL << 48)	/* level line is high */
#define VIRQ_XICS_MSI			(1ULL << 49)	/* in an MSI_ALLOC block */
#define VIRQ_XICS_MSI_FIRST		(1ULL << 50)	/* first of its block */
#define VIRQ_XICS_PRIORITY_MASKED	0xff	/* least favoured = masked */
#define VIRQ_XICS_SOURCE_WORD_VERSION	1

/* ICP state word (VIRQ_VCPU_{GET,SET}_ATTR), identical to KVM_REG_PPC_ICP_* */
#define VIRQ_XICS_GRP_ICP		1	/* vCPU attr group, attr 0 */
#define VIRQ_XICS_ICP_CPPR_SHIFT	56
#define VIRQ_XICS_ICP_XISR_SHIFT	32
#define VIRQ_XICS_ICP_XISR_MASK		0xffffff
#define VIRQ_XICS_ICP_MFRR_SHIFT	24
#define VIRQ_XICS_ICP_PPRI_SHIFT	16

/* Chip calls (VIRQ_CHIP_CALL): the RTAS services of the PAPR XICS */
#define VIRQ_XICS_CALL_SET_XIVE		1	/* args: irq, server, priority */
#define VIRQ_XICS_CALL_GET_XIVE		2	/* args: irq; rets: server, prio */
#define VIRQ_XICS_CALL_INT_OFF		3	/* args: irq */
#define VIRQ_XICS_CALL_INT_ON		4	/* args: irq */
#define VIRQ_XICS_CALL_MSI_ALLOC	5	/* args: count (power of 2); rets: first */
#define VIRQ_XICS_CALL_MSI_FREE		6	/* args: first, count */
#define VIRQ_XICS_CALL_SET_LSI		7	/* args: irq, 1 = level (LSI), 0 = MSI */
#define VIRQ_XICS_MSI_MAX		1024	/* largest MSI_ALLOC count */

/* RTAS status in virq_call.ret of the chip calls above (PAPR) */
#define VIRQ_XICS_RTAS_SUCCESS		0
#define VIRQ_XICS_RTAS_PARAMETER	(-3)

/* Hypercalls (VIRQ_VCPU_CALL): PAPR hcall numbers of the XICS ICP */
#define VIRQ_XICS_H_EOI			0x64	/* args: xirr */
#define VIRQ_XICS_H_CPPR		0x68	/* args: cppr */
#define VIRQ_XICS_H_IPI			0x6c	/* args: server, mfrr */
#define VIRQ_XICS_H_IPOLL		0x70	/* args: server; rets: xirr, mfrr */
#define VIRQ_XICS_H_XIRR		0x74	/* rets: xirr */
#define VIRQ_XICS_H_XIRR_X		0x2fc	/* rets: xirr, timebase (always 0) */

/* hcall status in virq_call.ret (PAPR) */
#define VIRQ_XICS_H_SUCCESS		0
#define VIRQ_XICS_H_PARAMETER		(-4)

/* XIRR (H_XIRR, H_EOI): CPPR in bits 31..24, XISR in bits 23..0 */
#define VIRQ_XICS_XIRR_CPPR_SHIFT	24
#define VIRQ_XICS_XIRR_XISR_MASK	0xffffff

/* --- x86 family ------------------------------------------------------------ */

/*
 * Sources are GSIs 0..nr_sources-1 (at most VIRQ_X86_MAX_GSIS), mapped to
 * PIC and IOAPIC pins and to MSIs by the GSI routing table.  A new chip
 * has KVM's default routes: GSI 0-15 to PIC pin GSI (master 0-7, slave
 * 8-15; none with VIRQ_X86_OPT_NO_PIC) and IOAPIC 0 pin GSI, GSI
 * 16..pins-1 to IOAPIC 0, and for every further IOAPIC n, GSI gsi_base +
 * pin to its pins.  They count against max_routes.
 *
 * vCPU arch_id is the APIC id, 0..0xfffffffe (0xffffffff is the x2APIC
 * broadcast).  xAPIC mode uses the low 8 bits, so ids above 254 need
 * x2APIC mode to be addressed on their own, as on hardware.
 */
#define VIRQ_X86_MAX_GSIS		(1U << 20)
#define VIRQ_X86_MAX_IOAPICS		8
#define VIRQ_X86_IOAPIC_MAX_PINS	240
#define VIRQ_X86_IOAPIC_DEFAULT_PINS	24
#define VIRQ_X86_IOAPIC_DEFAULT_BASE	0xfec00000ULL	/* + 0x1000 * n */
#define VIRQ_X86_LAPIC_DEFAULT_BASE	0xfee00000ULL
#define VIRQ_X86_MAX_IRTES		65536

/* virq_route.u.irqchip.irqchip values (KVM_IRQCHIP_* for the first three) */
#define VIRQ_X86_IRQCHIP_PIC_MASTER	0
#define VIRQ_X86_IRQCHIP_PIC_SLAVE	1
#define VIRQ_X86_IRQCHIP_IOAPIC(n)	(2 + (n))

/* Family feature bits (virq_family_info.features) */
#define VIRQ_X86_FEATURE_MULTI_IOAPIC	(1ULL << 0)
#define VIRQ_X86_FEATURE_X2APIC		(1ULL << 1)
#define VIRQ_X86_FEATURE_TSC_DEADLINE	(1ULL << 2)
#define VIRQ_X86_FEATURE_IR		(1ULL << 3)	/* interrupt remapping */
#define VIRQ_X86_FEATURE_DIRECTED_EOI	(1ULL << 4)

/**
 * struct virq_x86_ioapic_config - one IOAPIC of struct virq_x86_options
 * @base:	(in) MMIO base address; 0: VIRQ_X86_IOAPIC_DEFAULT_BASE +
 *		0x1000 * index.  Page aligned, distinct for each IOAPIC.
 * @gsi_base:	(in) GSI of pin 0 in the default routes.  IOAPIC 0: must
 *		be 0.  Any other: 0 means right after the previous IOAPIC's
 *		pins (its gsi_base + nr_pins).  The IOAPICs' ranges
 *		[gsi_base, gsi_base + nr_pins) must not overlap and must lie
 *		below nr_sources.
 * @nr_pins:	(in) 1..VIRQ_X86_IOAPIC_MAX_PINS; 0: 24
 * @id:		(in) IOAPIC id (IOAPICID bits 27:24 at reset, 0..15),
 *		distinct for each IOAPIC
 * @source_id:	(in) PCI requester id the IOAPIC's interrupts carry, checked
 *		by remapping entries that validate the source
 */
struct virq_x86_ioapic_config {
	__u64 base;
	__u32 gsi_base;
	__u8 nr_pins;
	__u8 id;
	__u16 source_id;
};

#define VIRQ_X86_OPT_NO_PIC		(1U << 0)	/* no 8259 pair */
#define VIRQ_X86_OPT_DIRECTED_EOI	(1U << 1)	/* LAPICs offer it */
#define VIRQ_X86_OPT_ALL		((1U << 2) - 1)

/**
 * struct virq_x86_options - VIRQ_CREATE_CHIP options of the x86 family
 * @flags:	(in) VIRQ_X86_OPT_*
 * @nr_ioapics:	(in) 0..VIRQ_X86_MAX_IOAPICS; 0: one default IOAPIC
 *		(24 pins at 0xfec00000, id 0), and every entry of @ioapics
 *		must be 0
 * @nr_irtes:	(in) interrupt remapping table size, a power of two up to
 *		VIRQ_X86_MAX_IRTES; 0: no interrupt remapping
 * @padding:	(in) must be 0
 * @ioapics:	(in) the first @nr_ioapics are used, the others must be 0
 *
 * Without options the chip is what KVM_CREATE_IRQCHIP gives: PIC pair,
 * one 24-pin IOAPIC, a LAPIC per vCPU.
 */
struct virq_x86_options {
	__u32 flags;
	__u32 nr_ioapics;
	__u32 nr_irtes;
	__u32 padding;
	struct virq_x86_ioapic_config ioapics[VIRQ_X86_MAX_IOAPICS];
};

/*
 * Per-source state word (VIRQ_GET/SET_SOURCES): the drivers holding the
 * GSI's irqchip pins high, OR-ed over the pins its irqchip entries name
 * (a pin shared by several GSIs shows the same drivers in each), whatever
 * the pins' trigger modes.  A GSI without irqchip entries (none, or an
 * MSI entry) reads 0, and a SET checks its word but applies nothing.  A
 * SET gives each of the GSI's pins exactly these drivers.
 */
#define VIRQ_X86_SRC_LEVEL_USER		(1ULL << 0)	/* VIRQ_IRQ_LINE(S) */
#define VIRQ_X86_SRC_LEVEL_RESAMPLE	(1ULL << 1)	/* resampling irqfd */
#define VIRQ_X86_SOURCE_WORD_VERSION	1

/* Chip attribute groups (VIRQ_{GET,SET,HAS}_ATTR) */
#define VIRQ_X86_GRP_IOAPIC	1	/* attr: IOAPIC index */
#define VIRQ_X86_GRP_PIC	2	/* attr: 0 */
#define VIRQ_X86_GRP_IRTE	3	/* attr: first index; n * 16 bytes */
#define VIRQ_X86_GRP_IR_FAULT	4	/* attr: 0 record (GET), 1 eventfd (SET) */

/* vCPU attribute groups (VIRQ_VCPU_{GET,SET,HAS}_ATTR) */
#define VIRQ_X86_VGRP_LAPIC	1	/* attr 0: struct virq_x86_lapic_state */
#define VIRQ_X86_VGRP_TSC	2	/* attr 0: struct virq_x86_tsc */

#define VIRQ_X86_STATE_VERSION	1	/* of every x86 state struct below */

/**
 * struct virq_x86_kvm_ioapic - the first 24 pins, laid out as
 * struct kvm_ioapic_state
 * @base_address: MMIO base
 * @ioregsel:	IOREGSEL
 * @id:		IOAPIC id
 * @irr:	pins 0-23 whose entry is level-triggered and whose line is
 *		high (KVM's meaning for level pins; edges are never latched)
 * @pad:	0
 * @redirtbl:	redirection entries 0-23, in the IOAPIC's 64-bit format
 */
struct virq_x86_kvm_ioapic {
	__u64 base_address;
	__u32 ioregsel;
	__u32 id;
	__u32 irr;
	__u32 pad;
	__u64 redirtbl[24];
};

/**
 * struct virq_x86_ioapic_state - VIRQ_X86_GRP_IOAPIC value
 * @version:	VIRQ_X86_STATE_VERSION
 * @nr_pins:	the IOAPIC's pins; a SET must match
 * @kvm:	pins 0-23, as KVM saves them
 * @irr_ext:	the same for pins 24..239 (bit n: pin 24 + n)
 * @redirtbl_ext: redirection entries of pins 24..239 (0 beyond nr_pins)
 * @level:	bitmap of pins whose line is high (OR of the drivers)
 *
 * Remote IRR and delivery status travel in the redirection entries.
 */
struct virq_x86_ioapic_state {
	__u32 version;
	__u32 nr_pins;
	struct virq_x86_kvm_ioapic kvm;
	__u64 irr_ext[4];
	__u64 redirtbl_ext[VIRQ_X86_IOAPIC_MAX_PINS - 24];
	__u64 level[4];
};

/**
 * struct virq_x86_kvm_pic - one 8259, laid out as struct kvm_pic_state
 * (field meanings as in KVM and the 8259A datasheet)
 */
struct virq_x86_kvm_pic {
	__u8 last_irr;
	__u8 irr;
	__u8 imr;
	__u8 isr;
	__u8 priority_add;
	__u8 irq_base;
	__u8 read_reg_select;
	__u8 poll;
	__u8 special_mask;
	__u8 init_state;
	__u8 auto_eoi;
	__u8 rotate_on_auto_eoi;
	__u8 special_fully_nested_mode;
	__u8 init4;
	__u8 elcr;
	__u8 elcr_mask;
};

/**
 * struct virq_x86_pic_state - VIRQ_X86_GRP_PIC value
 * @version:	VIRQ_X86_STATE_VERSION
 * @padding:	0
 * @pics:	master (0) and slave (1)
 */
struct virq_x86_pic_state {
	__u32 version;
	__u32 padding;
	struct virq_x86_kvm_pic pics[2];
};

/*
 * Interrupt remapping table entry (VIRQ_X86_GRP_IRTE), the VT-d 128-bit
 * format: lo holds P, FPD, destination mode, redirection hint, trigger
 * mode, delivery mode, vector and destination; hi holds the source id,
 * its qualifier and the validation type.
 */
#define VIRQ_X86_IRTE_PRESENT		(1ULL << 0)
#define VIRQ_X86_IRTE_FPD		(1ULL << 1)	/* fault processing off */
#define VIRQ_X86_IRTE_DEST_LOGICAL	(1ULL << 2)
#define VIRQ_X86_IRTE_REDIR_HINT	(1ULL << 3)
#define VIRQ_X86_IRTE_LEVEL		(1ULL << 4)
#define VIRQ_X86_IRTE_DLM_SHIFT		5		/* 3 bits */
#define VIRQ_X86_IRTE_VECTOR_SHIFT	16		/* 8 bits */
#define VIRQ_X86_IRTE_DEST_SHIFT	32		/* 32 bits */
#define VIRQ_X86_IRTE_SID_MASK		0xffffULL	/* in hi */
#define VIRQ_X86_IRTE_SQ_SHIFT		16		/* in hi, 2 bits */
#define VIRQ_X86_IRTE_SVT_SHIFT		18		/* in hi, 2 bits */

/**
 * struct virq_x86_irte - one interrupt remapping table entry
 * @lo:	bits 63:0 of the VT-d IRTE
 * @hi:	bits 127:64 of the VT-d IRTE
 */
struct virq_x86_irte {
	__u64 lo;
	__u64 hi;
};

#define VIRQ_X86_IR_FAULT_NOT_PRESENT	1	/* entry P = 0 */
#define VIRQ_X86_IR_FAULT_INDEX		2	/* index beyond nr_irtes */
#define VIRQ_X86_IR_FAULT_SID		3	/* source-id check failed */

/**
 * struct virq_x86_ir_fault - VIRQ_X86_GRP_IR_FAULT attr 0 (GET)
 * @count:	faults recorded since the chip was created (a fault on an
 *		IRTE with FPD set is not recorded, as VT-d specifies)
 * @reason:	VIRQ_X86_IR_FAULT_* of the last fault, 0 if none
 * @index:	IRTE index of the last fault
 * @source_id:	requester id of the last fault (0 if unknown)
 * @padding:	0
 *
 * A faulting interrupt is dropped, never delivered; so is a remappable
 * message on a chip created without a table (nr_irtes 0), which has no
 * fault record.  Attr 1 (SET, a __s32 eventfd, -1 to remove) names an
 * eventfd signalled on each recorded fault.
 */
struct virq_x86_ir_fault {
	__u64 count;
	__u32 reason;
	__u32 index;
	__u16 source_id;
	__u16 padding[3];
};

/* struct virq_x86_lapic_state.events bits beyond the VIRQ_OUT_* events */
#define VIRQ_X86_LAPIC_EV_ESR_SHIFT	16
#define VIRQ_X86_LAPIC_EV_ESR_MASK	(0xffU << VIRQ_X86_LAPIC_EV_ESR_SHIFT)
#define VIRQ_X86_LAPIC_EV_WAIT_SIPI	(1U << 31)

/**
 * struct virq_x86_lapic_state - VIRQ_X86_VGRP_LAPIC value
 * @version:	VIRQ_X86_STATE_VERSION
 * @events:	what the register page cannot hold:
 *		VIRQ_OUT_NMI, VIRQ_OUT_INIT, VIRQ_OUT_SIPI, VIRQ_OUT_SMI:
 *		the pending events;
 *		VIRQ_OUT_EXTINT: an ExtINT message was accepted and waits for
 *		its INTA cycle (VIRQ_VCPU_ACK of VIRQ_OUT_EXTINT);
 *		VIRQ_X86_LAPIC_EV_ESR_MASK: errors detected since the last
 *		ESR write, as ESR bits 7:0 shifted by
 *		VIRQ_X86_LAPIC_EV_ESR_SHIFT (the ESR register in @regs holds
 *		the errors latched by that write);
 *		VIRQ_X86_LAPIC_EV_WAIT_SIPI: the vCPU is in the wait-for-SIPI
 *		state (an INIT was taken on an application processor), in
 *		which SIPIs latch.
 *		No other bit may be set.  A SET refuses VIRQ_OUT_EXTINT on a
 *		chip without a PIC, VIRQ_OUT_SIPI without
 *		VIRQ_X86_LAPIC_EV_WAIT_SIPI or VIRQ_OUT_INIT, and ESR bits
 *		this LAPIC never reports: only 5 (send illegal vector), 6
 *		(receive illegal vector) and 7 (illegal register address).
 * @apic_base:	IA32_APIC_BASE
 * @regs:	the register page as struct kvm_lapic_state holds it (xAPIC
 *		layout, 16-byte stride; in x2APIC mode the ID register holds
 *		the 32-bit id)
 * @sipi_vector: vector of a pending SIPI
 * @padding:	0
 * @tsc_deadline: IA32_TSC_DEADLINE (0: disarmed)
 * @timer_guest_tsc: the guest TSC at the moment of the save
 * @timer_expiry_tsc: the guest TSC at which a running one-shot or
 *		periodic timer next fires (0: not running); a restore
 *		re-arms the timer relative to the current guest TSC
 */
struct virq_x86_lapic_state {
	__u32 version;
	__u32 events;
	__u64 apic_base;
	__u8 regs[1024];
	__u32 sipi_vector;
	__u32 padding;
	__u64 tsc_deadline;
	__u64 timer_guest_tsc;
	__u64 timer_expiry_tsc;
};

/**
 * struct virq_x86_tsc - VIRQ_X86_VGRP_TSC value: the guest's TSC
 * @tsc_khz:	guest TSC frequency in kHz, at most 10^7; 0: the LAPIC
 *		timer ignores the TSC (TSC-deadline mode never fires)
 * @offset:	guest TSC = @offset + @tsc_khz * CLOCK_MONOTONIC ns / 10^6
 *
 * The VMM sets it so that the LAPIC's TSC-deadline and saved timer
 * values mean what the guest meant.
 */
struct virq_x86_tsc {
	__u64 tsc_khz;
	__s64 offset;
};

/* LAPIC registers in VIRQ_SPACE_MSR: x2APIC 0x800-0x8ff, and these */
#define VIRQ_X86_MSR_APIC_BASE		0x1b
#define VIRQ_X86_MSR_TSC_DEADLINE	0x6e0
#define VIRQ_X86_MSR_X2APIC_FIRST	0x800
#define VIRQ_X86_MSR_X2APIC_LAST	0x8ff

/* PIC I/O ports in VIRQ_SPACE_PIO */
#define VIRQ_X86_PIO_PIC_MASTER		0x20	/* and 0x21 */
#define VIRQ_X86_PIO_PIC_SLAVE		0xa0	/* and 0xa1 */
#define VIRQ_X86_PIO_ELCR		0x4d0	/* and 0x4d1 */

/* --- GICv3 family ------------------------------------------------------------ */

/*
 * A GICv3 with a single security state (GICD_CTLR.DS = 1, affinity
 * routing always on), as KVM's vgic-v3 presents it: a distributor, one
 * redistributor per vCPU, the system-register CPU interface and,
 * optionally, an ITS.  5 bits of priority and of preemption (the low 3
 * bits of every priority field are RAZ/WI), 2 interrupt groups: group 0
 * is signalled as VIRQ_OUT_FIQ, group 1 as VIRQ_OUT_INT.
 *
 * Sources (virq_irq_line.source, virq_irqfd.source) are flat INTIDs for
 * SPIs: 32..nr_sources-1 (INTIDs 1020-1023 are special and never
 * sources).  nr_sources = 32 + the number of SPIs: a multiple of 32,
 * 64..1024 (so at most 988 usable SPIs).  The private INTIDs 0-31 of
 * one vCPU are named with VIRQ_GICV3_SOURCE_PRIVATE(vcpu index, intid);
 * VIRQ_GICV3_SOURCE_RESIDENT(pcpu, intid) names PPI @intid (16-31) of
 * whichever vCPU is loaded on physical CPU @pcpu (VIRQ_GICV3_CALL_LOAD)
 * at the moment of the injection (ESRCH when none is; also for a
 * PRIVATE source of a vCPU not created yet).  SGIs (0-15)
 * take VIRQ_LINE_EDGE only (as a GICR_ISPENDR0 write).  LPIs (8192 and
 * up) are not sources: they come from MSIs through the ITS or from
 * GICR_SETLPIR.
 */
#define VIRQ_GICV3_NR_PRIVATE		32
#define VIRQ_GICV3_MAX_SOURCES		1024
#define VIRQ_GICV3_FIRST_LPI		8192
#define VIRQ_GICV3_SPURIOUS		1023
#define VIRQ_GICV3_SOURCE_TYPE_SHIFT	28
#define VIRQ_GICV3_SOURCE_TARGET_SHIFT	12	/* 16 bits */
#define VIRQ_GICV3_SOURCE_INTID_MASK	0x3ffU
#define VIRQ_GICV3_SOURCE_TYPE_SPI	0
#define VIRQ_GICV3_SOURCE_TYPE_PRIVATE	1
#define VIRQ_GICV3_SOURCE_TYPE_RESIDENT	2
#define VIRQ_GICV3_SOURCE_PRIVATE(vcpu, intid)				\
	((VIRQ_GICV3_SOURCE_TYPE_PRIVATE << VIRQ_GICV3_SOURCE_TYPE_SHIFT) | \
	 ((vcpu) << VIRQ_GICV3_SOURCE_TARGET_SHIFT) | (intid))
#define VIRQ_GICV3_SOURCE_RESIDENT(pcpu, intid)				\
	((VIRQ_GICV3_SOURCE_TYPE_RESIDENT << VIRQ_GICV3_SOURCE_TYPE_SHIFT) | \
	 ((pcpu) << VIRQ_GICV3_SOURCE_TARGET_SHIFT) | (intid))

/*
 * vCPU arch_id: the affinity fields of the vCPU's MPIDR_EL1, in that
 * register's layout (Aff0 bits 7:0, Aff1 15:8, Aff2 23:16, Aff3 39:32);
 * every other bit must be 0.
 */
#define VIRQ_GICV3_MPIDR_MASK		0xff00ffffffULL

/* Frame sizes and the defaults of QEMU's virt machine */
#define VIRQ_GICV3_DIST_SIZE		0x10000ULL
#define VIRQ_GICV3_REDIST_SIZE		0x20000ULL	/* RD + SGI frame */
#define VIRQ_GICV3_ITS_SIZE		0x20000ULL	/* control + translation */
#define VIRQ_GICV3_DEFAULT_DIST_BASE	0x08000000ULL
#define VIRQ_GICV3_DEFAULT_ITS_BASE	0x08080000ULL
#define VIRQ_GICV3_DEFAULT_REDIST_BASE	0x080a0000ULL
#define VIRQ_GICV3_GITS_TRANSLATER	0x10040ULL	/* from the ITS base */
#define VIRQ_GICV3_GICD_SETSPI_NSR	0x40ULL		/* from the dist base */

/* Family feature bits (virq_family_info.features) */
#define VIRQ_GICV3_FEATURE_ITS		(1ULL << 0)
#define VIRQ_GICV3_FEATURE_LPIS		(1ULL << 1)
#define VIRQ_GICV3_FEATURE_RESIDENT	(1ULL << 2)	/* LOAD/PUT, RESIDENT sources */

#define VIRQ_GICV3_OPT_LPIS		(1U << 0)	/* GICR_TYPER.PLPIS */
#define VIRQ_GICV3_OPT_ITS		(1U << 1)	/* an ITS; implies LPIS */
#define VIRQ_GICV3_OPT_ALL		((1U << 2) - 1)

/**
 * struct virq_gicv3_options - VIRQ_CREATE_CHIP options of the GICv3 family
 * @flags:	(in) VIRQ_GICV3_OPT_*
 * @lpi_bits:	(in) INTID bits (GICD_TYPER.IDbits + 1) with LPIs: 14..20,
 *		0: 16.  LPIs are 8192..2^lpi_bits-1.  Must be 0 without LPIs.
 * @dist_base:	(in) distributor frame; 0: VIRQ_GICV3_DEFAULT_DIST_BASE
 * @redist_base: (in) redistributor of vCPU index i at @redist_base +
 *		i * VIRQ_GICV3_REDIST_SIZE; 0: VIRQ_GICV3_DEFAULT_REDIST_BASE
 * @its_base:	(in) ITS frames with VIRQ_GICV3_OPT_ITS (0: the default),
 *		else must be 0
 * @reserved:	(in) must be 0
 *
 * Bases are 64 KiB aligned; the frames must not overlap or wrap.
 * Without options: no LPIs, no ITS, QEMU virt's addresses.
 */
struct virq_gicv3_options {
	__u32 flags;
	__u32 lpi_bits;
	__u64 dist_base;
	__u64 redist_base;
	__u64 its_base;
	__u64 reserved[4];
};

/*
 * Register access (VIRQ_VCPU_ACCESS): VIRQ_SPACE_MMIO reaches the
 * distributor, every redistributor and the ITS from any vCPU;
 * VIRQ_SPACE_SYSREG the CPU interface of the calling vCPU, 8 bytes
 * always, at the address made by VIRQ_GICV3_SYSREG() (the encoding of
 * KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS).
 */
#define VIRQ_GICV3_SYSREG(op0, op1, crn, crm, op2)			\
	(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))
#define VIRQ_GICV3_ICC_PMR_EL1		VIRQ_GICV3_SYSREG(3, 0, 4, 6, 0)
#define VIRQ_GICV3_ICC_IAR0_EL1		VIRQ_GICV3_SYSREG(3, 0, 12, 8, 0)
#define VIRQ_GICV3_ICC_EOIR0_EL1	VIRQ_GICV3_SYSREG(3, 0, 12, 8, 1)
#define VIRQ_GICV3_ICC_HPPIR0_EL1	VIRQ_GICV3_SYSREG(3, 0, 12, 8, 2)
#define VIRQ_GICV3_ICC_BPR0_EL1		VIRQ_GICV3_SYSREG(3, 0, 12, 8, 3)
#define VIRQ_GICV3_ICC_AP0R_EL1(n)	VIRQ_GICV3_SYSREG(3, 0, 12, 8, 4 + (n))
#define VIRQ_GICV3_ICC_AP1R_EL1(n)	VIRQ_GICV3_SYSREG(3, 0, 12, 9, (n))
#define VIRQ_GICV3_ICC_DIR_EL1		VIRQ_GICV3_SYSREG(3, 0, 12, 11, 1)
#define VIRQ_GICV3_ICC_RPR_EL1		VIRQ_GICV3_SYSREG(3, 0, 12, 11, 3)
#define VIRQ_GICV3_ICC_SGI1R_EL1	VIRQ_GICV3_SYSREG(3, 0, 12, 11, 5)
#define VIRQ_GICV3_ICC_ASGI1R_EL1	VIRQ_GICV3_SYSREG(3, 0, 12, 11, 6)
#define VIRQ_GICV3_ICC_SGI0R_EL1	VIRQ_GICV3_SYSREG(3, 0, 12, 11, 7)
#define VIRQ_GICV3_ICC_IAR1_EL1		VIRQ_GICV3_SYSREG(3, 0, 12, 12, 0)
#define VIRQ_GICV3_ICC_EOIR1_EL1	VIRQ_GICV3_SYSREG(3, 0, 12, 12, 1)
#define VIRQ_GICV3_ICC_HPPIR1_EL1	VIRQ_GICV3_SYSREG(3, 0, 12, 12, 2)
#define VIRQ_GICV3_ICC_BPR1_EL1		VIRQ_GICV3_SYSREG(3, 0, 12, 12, 3)
#define VIRQ_GICV3_ICC_CTLR_EL1		VIRQ_GICV3_SYSREG(3, 0, 12, 12, 4)
#define VIRQ_GICV3_ICC_SRE_EL1		VIRQ_GICV3_SYSREG(3, 0, 12, 12, 5)
#define VIRQ_GICV3_ICC_IGRPEN0_EL1	VIRQ_GICV3_SYSREG(3, 0, 12, 12, 6)
#define VIRQ_GICV3_ICC_IGRPEN1_EL1	VIRQ_GICV3_SYSREG(3, 0, 12, 12, 7)

/*
 * VIRQ_VCPU_ACK (event 0) is a read of ICC_IAR1_EL1: it acknowledges the
 * highest-priority pending group 1 interrupt and returns its INTID, or
 * VIRQ_GICV3_SPURIOUS.
 *
 * vCPU calls (VIRQ_VCPU_CALL, errno only, ret 0): the VMM says which
 * physical CPU runs the vCPU, for VIRQ_GICV3_SOURCE_RESIDENT.  LOAD
 * args[0] = pcpu (0..0xffff): EBUSY if another vCPU is loaded there or
 * this one is loaded elsewhere, EINVAL if pcpu is out of range.  PUT: the
 * vCPU is no longer resident; EINVAL if it was not loaded.  A vCPU's
 * private interrupt state (pending, active, line levels) stays with the
 * vCPU across PUT and LOAD.
 */
#define VIRQ_GICV3_CALL_LOAD		1
#define VIRQ_GICV3_CALL_PUT		2
#define VIRQ_GICV3_MAX_PCPU		0xffff

/*
 * Per-source state word (VIRQ_GET/SET_SOURCES: SPIs only, first >= 32;
 * VIRQ_GICV3_VGRP_PRIVATE: a vCPU's INTIDs 0-31, with @route 0).
 */
#define VIRQ_GICV3_SRC_PRIORITY_MASK	0xffULL		/* low 3 bits 0 */
#define VIRQ_GICV3_SRC_ENABLED		(1ULL << 8)
#define VIRQ_GICV3_SRC_PENDING		(1ULL << 9)	/* the latch */
#define VIRQ_GICV3_SRC_ACTIVE		(1ULL << 10)
#define VIRQ_GICV3_SRC_EDGE		(1ULL << 11)	/* GICD_ICFGR */
#define VIRQ_GICV3_SRC_GROUP1		(1ULL << 12)	/* GICD_IGROUPR */
#define VIRQ_GICV3_SRC_LEVEL_USER	(1ULL << 13)	/* line driven high */
#define VIRQ_GICV3_SRC_LEVEL_RESAMPLE	(1ULL << 14)	/* by a resampler */
#define VIRQ_GICV3_SRC_IRM		(1ULL << 15)	/* 1-of-N */
#define VIRQ_GICV3_SRC_ROUTE_SHIFT	32	/* Aff3.Aff2.Aff1.Aff0, 8 bits each */
#define VIRQ_GICV3_SOURCE_WORD_VERSION	1

/*
 * Chip attributes (VIRQ_{GET,SET,HAS}_ATTR).  The register groups give
 * the save/restore view of a register at byte offset attr of its frame,
 * with KVM's vgic-v3 uaccess rules (GICD_ISPENDR and GICR_ISPENDR0 set
 * and clear the pending latch, not the line; IIDR first, and a restored
 * IIDR must name this implementation; read-only ID registers must match).
 * size is the register's width: 4, or 8 for 64-bit registers.
 */
#define VIRQ_GICV3_GRP_DIST_REGS	1	/* attr: GICD offset */
#define VIRQ_GICV3_GRP_ITS_REGS		2	/* attr: GITS offset */
#define VIRQ_GICV3_GRP_CTRL		3	/* attr: VIRQ_GICV3_CTRL_* */

/*
 * VIRQ_SIGNAL_MSI: address = ITS base + VIRQ_GICV3_GITS_TRANSLATER with
 * VIRQ_MSI_FLAG_DEVID, data = event id: translated by the ITS (EINVAL
 * without a device id or an ITS).  address = distributor base +
 * VIRQ_GICV3_GICD_SETSPI_NSR, data = an SPI's INTID: as that register's
 * write.  Any other address: EINVAL.
 */

/* VIRQ_GICV3_GRP_CTRL attributes: SET with size 0 */
#define VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES	1	/* LPI pending bits to guest memory */
#define VIRQ_GICV3_CTRL_ITS_SAVE_TABLES		2	/* ITS tables to guest memory */
#define VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES	3	/* and back */

/* vCPU attributes (VIRQ_VCPU_{GET,SET,HAS}_ATTR) */
#define VIRQ_GICV3_VGRP_REDIST_REGS	1	/* attr: offset in RD + SGI frames */
#define VIRQ_GICV3_VGRP_CPU_SYSREGS	2	/* attr: VIRQ_GICV3_ICC_*; 8 bytes */
#define VIRQ_GICV3_VGRP_PRIVATE		3	/* attr 0: 32 state words */

#endif /* _UAPI_LINUX_VIRQ_H */
