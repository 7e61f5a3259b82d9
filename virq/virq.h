/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between the virq core and the device models.
 *
 * The core (main.c, instance.c, vcpu.c, irqfd.c) owns every file
 * descriptor, copies every argument in from and out to user space, and
 * validates everything that does not need the model's knowledge.  A model
 * (x86/, arm/, ppc/) fills in a struct virq_chip_ops and sees only kernel
 * pointers.  Models include this header and nothing else from the core, so
 * that the same model sources build in the userspace harness (harness/).
 */
#ifndef _VIRQ_VIRQ_H
#define _VIRQ_VIRQ_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/slab.h>
#include <linux/virq.h>

struct seq_file;
struct virq_instance;
struct virq_vcpu;

/*
 * Who drives a level-triggered line.  A level line is the OR of its
 * drivers: it drops only when every driver has let go, so the VMM and a
 * resampling irqfd can share one line.
 */
enum virq_driver {
	VIRQ_DRIVER_USER,	/* VIRQ_IRQ_LINE(S) and plain irqfds */
	VIRQ_DRIVER_RESAMPLE,	/* resampling irqfds (VIRQ_IRQFD_FLAG_RESAMPLE) */
	VIRQ_NR_DRIVERS,
};

/**
 * struct virq_config - validated VIRQ_CREATE_CHIP arguments
 * @family: VIRQ_FAMILY_*
 * @nr_vcpus: number of vCPUs
 * @nr_sources: number of sources
 * @max_routes: largest number of GSI routing entries (families with
 *	routing)
 * @options: the family's options, zero-extended to ops->options_size
 */
struct virq_config {
	u32 family;
	u32 nr_vcpus;
	u32 nr_sources;
	u32 max_routes;
	const void *options;
};

/**
 * struct virq_msi_msg - an MSI write, decoded by the family
 * @address: 64-bit MSI address
 * @data: MSI data
 * @devid: requester id, valid when @has_devid
 * @has_devid: the VMM supplied @devid
 */
struct virq_msi_msg {
	u64 address;
	u32 data;
	u32 devid;
	bool has_devid;
};

/**
 * struct virq_call_args - a hypercall or firmware call, in kernel memory
 * @nr: call number
 * @args: arguments
 * @ret: (out) architectural status
 * @rets: (out) returned values
 */
struct virq_call_args {
	u32 nr;
	u64 args[6];
	s64 ret;
	u64 rets[4];
};

/**
 * struct virq_chip_ops - what a model family provides
 *
 * Every callback receives kernel pointers only.  Unless noted, callbacks
 * run in process context and may sleep.  Callbacks marked "atomic" may be
 * called with interrupts disabled (from an irqfd wakeup) and must not
 * sleep.  Callbacks returning int return 0 or a negative errno; the errnos
 * each may return are documented in Documentation/userspace-api/virq/.
 *
 * @family: VIRQ_FAMILY_*
 * @name: short name, for debugfs and messages
 * @max_vcpus: largest nr_vcpus the model accepts
 * @max_sources: largest nr_sources the model accepts
 * @features: family feature bits reported by VIRQ_GET_FAMILY
 * @source_word_version: version of the per-source word layout
 * @options_size: size of the family's options struct (0: none)
 * @create: validate @cfg and allocate the chip into inst->chip
 * @destroy: free everything @create and @vcpu_create allocated
 * @vcpu_create: set up vcpu->priv; @vcpu->arch_id is set.  Called with
 *	the instance lock held, before the vCPU is published.
 * @vcpu_destroy: free vcpu->priv.  Called after @destroy at teardown
 *	(so it must not touch the chip), and when VIRQ_CREATE_VCPU fails
 *	after @vcpu_create succeeded (the vCPU was never published).
 * @set_irq: (atomic) drive @source with VIRQ_LINE_* @op on behalf of
 *	@driver; the core has checked @source < nr_sources and @op.  Stores
 *	a virq_irq_line.status value in *@status.
 * @signal_msi: (atomic) deliver an MSI
 * @check_msi: 0 if @signal_msi would accept the form of @msg (address,
 *	device id), else -EINVAL; for VIRQ_IRQFD_FLAG_MSI at assign time.
 *	NULL: every message is accepted
 * @check_source: 0 if @source names a source of this chip, else -EINVAL.
 *	NULL: the sources are 0..nr_sources-1.  (atomic)
 * @get_sources: fill @count words from @first
 * @set_sources: validate all @count words, then apply them; on error
 *	nothing has changed
 * @get_attr: copy chip attribute (@group, @attr) into @buf of *@size
 *	bytes; set *@size to the attribute's size (-ENOSPC if too small)
 * @set_attr: set chip attribute (@group, @attr) from @buf of @size bytes
 * @has_attr: 0 if the chip knows (@group, @attr), else -ENXIO
 * @chip_call: a call on the instance (firmware services)
 * @set_routing: replace the whole GSI routing table by @nr entries, each
 *	checked by virq_check_route(); all or nothing.  NULL: the family has
 *	no GSI routing (the ioctls fail with -EOPNOTSUPP)
 * @update_route: VIRQ_ROUTE_OP_* @op on one entry
 * @get_routing: copy up to *@nr entries ordered by GSI to @e and set *@nr
 *	to the table's count (-ENOSPC when they do not fit)
 * @vcpu_output: (atomic) the VIRQ_OUT_* lines of @vcpu now; must read
 *	the model's state directly, never a cached copy.  When the lines
 *	include VIRQ_OUT_SIPI and @sipi_vector is not NULL, store the SIPI
 *	vector there.
 * @vcpu_ack: @event 0: acknowledge the highest-priority interrupt of
 *	@vcpu; else take the pending event @event (one VIRQ_OUT_* bit of
 *	VIRQ_OUT_EVENTS or VIRQ_OUT_EXTINT; -EINVAL if the family has no
 *	such event, -EAGAIN if it is not pending)
 * @vcpu_access: a register access by @vcpu; -ENXIO if @addr is not the
 *	chip's
 * @vcpu_call: a hypercall by @vcpu; -EOPNOTSUPP if the model does not
 *	implement call @nr, so that the VMM handles it
 * @vcpu_get_attr: as @get_attr, for per-vCPU state
 * @vcpu_set_attr: as @set_attr, for per-vCPU state
 * @vcpu_has_attr: as @has_attr, for per-vCPU state
 * @show: print the chip state for debugfs
 */
struct virq_chip_ops {
	u32 family;
	const char *name;
	u32 max_vcpus;
	u32 max_sources;
	u64 features;
	u32 source_word_version;
	u32 options_size;

	int (*create)(struct virq_instance *inst,
		      const struct virq_config *cfg);
	void (*destroy)(struct virq_instance *inst);
	int (*vcpu_create)(struct virq_vcpu *vcpu);
	void (*vcpu_destroy)(struct virq_vcpu *vcpu);

	int (*set_irq)(struct virq_instance *inst, u32 source, u32 op,
		       enum virq_driver driver, int *status);
	int (*signal_msi)(struct virq_instance *inst,
			  const struct virq_msi_msg *msg, int *status);
	int (*check_msi)(struct virq_instance *inst,
			 const struct virq_msi_msg *msg);
	int (*check_source)(struct virq_instance *inst, u32 source);

	int (*get_sources)(struct virq_instance *inst, u32 first, u32 count,
			   u64 *words);
	int (*set_sources)(struct virq_instance *inst, u32 first, u32 count,
			   const u64 *words);
	int (*get_attr)(struct virq_instance *inst, u32 group, u64 attr,
			void *buf, u32 *size);
	int (*set_attr)(struct virq_instance *inst, u32 group, u64 attr,
			const void *buf, u32 size);
	int (*has_attr)(struct virq_instance *inst, u32 group, u64 attr);
	int (*chip_call)(struct virq_instance *inst,
			 struct virq_call_args *call);
	int (*set_routing)(struct virq_instance *inst,
			   const struct virq_route *e, u32 nr);
	int (*update_route)(struct virq_instance *inst, u32 op,
			    const struct virq_route *e);
	int (*get_routing)(struct virq_instance *inst, struct virq_route *e,
			   u32 *nr);

	u32 (*vcpu_output)(struct virq_vcpu *vcpu, u32 *sipi_vector);
	int (*vcpu_ack)(struct virq_vcpu *vcpu, u32 event, u64 *id);
	int (*vcpu_access)(struct virq_vcpu *vcpu, u32 space, u64 addr,
			   u32 len, bool write, u64 *data);
	int (*vcpu_call)(struct virq_vcpu *vcpu, struct virq_call_args *call);
	int (*vcpu_get_attr)(struct virq_vcpu *vcpu, u32 group, u64 attr,
			     void *buf, u32 *size);
	int (*vcpu_set_attr)(struct virq_vcpu *vcpu, u32 group, u64 attr,
			     const void *buf, u32 size);
	int (*vcpu_has_attr)(struct virq_vcpu *vcpu, u32 group, u64 attr);

	void (*show)(struct virq_instance *inst, struct seq_file *m);
};

/**
 * struct virq_vcpu - the model-independent part of a vCPU
 * @inst: owning instance (the vCPU never outlives it)
 * @index: 0..nr_vcpus-1
 * @arch_id: APIC id, MPIDR affinity or XICS server number
 * @priv: the model's per-vCPU state
 */
struct virq_vcpu {
	struct virq_instance *inst;
	u32 index;
	u64 arch_id;
	void *priv;
};

/**
 * struct virq_instance_view - what a model may read of its instance
 * @ops: the chip's ops (set once the chip exists)
 * @chip: the model's chip state
 * @nr_vcpus: from VIRQ_CREATE_CHIP
 * @nr_sources: from VIRQ_CREATE_CHIP
 *
 * struct virq_instance starts with this view; models reach it through
 * virq_view() and never see the core's part.
 */
struct virq_instance_view {
	const struct virq_chip_ops *ops;
	void *chip;
	u32 nr_vcpus;
	u32 nr_sources;
};

static inline struct virq_instance_view *virq_view(struct virq_instance *inst)
{
	return (struct virq_instance_view *)inst;
}

/*
 * Services the core offers to models.
 */

/* The vCPU with @index, or NULL if its fd was not created yet. (atomic) */
struct virq_vcpu *virq_get_vcpu(struct virq_instance *inst, u32 index);

/*
 * The vCPU's outputs may have changed: wake pollers.  Models call it after
 * every state change that can assert an output. (atomic)
 */
void virq_vcpu_kick(struct virq_vcpu *vcpu);

/*
 * The guest ended level-triggered interrupt @source (EOI): lower the
 * resampling irqfds' drive on it and signal their resamplefds.  Called
 * without model locks held, from process context.
 */
void virq_notify_eoi(struct virq_instance *inst, u32 source);

/*
 * Notifiers: eventfds a VMM hands a model through an attribute (the x86
 * remapping fault eventfd).  virq_notifier_get() takes a reference on the
 * eventfd behind @fd (ERR_PTR(-EBADF) if it is not one, ERR_PTR(-ENOMEM);
 * process context).  virq_notifier_signal() may be called from any context
 * with no raw spinlock held, an irqfd injection included: inside an
 * eventfd wakeup, where eventfd_signal() must not nest, it defers the
 * signal to a work item.  virq_notifier_put() (process context, once
 * nobody signals any more) waits for a deferred signal, then drops the
 * reference.
 */
struct virq_notifier;
struct virq_notifier *virq_notifier_get(int fd);
void virq_notifier_signal(struct virq_notifier *n);
void virq_notifier_put(struct virq_notifier *n);

/*
 * Guest memory (VIRQ_SET_MEMORY_REGION): copy @len bytes between @buf and
 * guest-physical address @gpa.  Process context only (may sleep; never
 * from an irqfd wakeup or with a spinlock held).  Return: 0, -EFAULT if
 * any byte of the range is outside the regions or the copy faults.  The
 * access goes through the address space of the process that set the
 * region, whichever process makes the ioctl.
 */
int virq_guest_read(struct virq_instance *inst, u64 gpa, void *buf,
		    size_t len);
int virq_guest_write(struct virq_instance *inst, u64 gpa, const void *buf,
		     size_t len);

/* Tracing hooks: models report what the guest acknowledged and ended. */
void virq_trace_ack(struct virq_vcpu *vcpu, u64 id);
void virq_trace_eoi(struct virq_instance *inst, u32 source);

/* Model registration, from the family's init function */
extern const struct virq_chip_ops virq_xics_ops;
extern const struct virq_chip_ops virq_x86_ops;
extern const struct virq_chip_ops virq_gicv3_ops;

#endif /* _VIRQ_VIRQ_H */
