/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The harness's stand-in for the virq core (virq/instance.c, virq/vcpu.c,
 * virq/irqfd.c): an instance that starts with struct virq_instance_view,
 * the services models call (virq_get_vcpu(), virq_vcpu_kick(), ...), and
 * entry points that validate arguments exactly as the core's ioctls do
 * before they reach the model's ops, so tests and fuzzers never hand a
 * model something the kernel would not.
 */
#ifndef _HARNESS_CORE_STUBS_H
#define _HARNESS_CORE_STUBS_H

#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

#include "../virq/virq.h"

#define HARNESS_EOI_LOG	64

/* The core's module parameters, at their defaults (virq/main.c). */
extern unsigned int harness_max_vcpus;
extern unsigned int harness_max_sources;
extern unsigned int harness_max_routes;	/* the core's max_routes */

/**
 * struct virq_instance - the harness instance
 * @view: what models see; first, as in the core
 * @lock: the core's instance lock (chip/vCPU creation, attribute calls)
 * @irqfd_wq_lock: stands for an eventfd's wait-queue lock, held with IRQs
 *	off around injections made "from an irqfd wakeup"
 * @vcpus: nr_vcpus pointers, published with smp_store_release()
 * @resample: sources with an emulated resampling irqfd (NULL: none)
 * @nr_notify_eoi: virq_notify_eoi() calls
 * @eoi_log: the last HARNESS_EOI_LOG sources of virq_notify_eoi()
 * @nr_resample_signals: resamplefd signals of the emulated resamplers
 * @nr_trace_eoi: virq_trace_eoi() calls; @last_trace_eoi its last source
 * @memslots: guest memory (harness_set_memory_region()): @uaddr is a
 *	pointer in this process
 * @nr_guest_copies: virq_guest_read()/virq_guest_write() calls
 */
struct virq_instance {
	struct virq_instance_view view;
	struct mutex lock;		/* creation and attribute calls */
	spinlock_t irqfd_wq_lock;	/* an eventfd's, IRQs off */
	struct virq_vcpu **vcpus;

	unsigned long *resample;
	unsigned long nr_notify_eoi;
	u32 eoi_log[HARNESS_EOI_LOG];
	unsigned long nr_resample_signals;
	unsigned long nr_trace_eoi;
	u32 last_trace_eoi;
	struct {
		u64 gpa;
		u64 size;
		void *host;
	} memslots[VIRQ_MEMORY_SLOTS];
	unsigned long nr_guest_copies;
};

/**
 * struct harness_vcpu - the harness's side of a vCPU (the core's
 * struct virq_vcpu_file)
 * @vcpu: what the model sees; first
 * @wq_lock: stands for the poll wait queue's lock, taken by kicks
 * @kicks: virq_vcpu_kick() calls
 * @nr_trace_ack: virq_trace_ack() calls; @last_ack its last id
 */
struct harness_vcpu {
	struct virq_vcpu vcpu;
	spinlock_t wq_lock;		/* the poll wait queue's */
	unsigned long kicks;
	unsigned long nr_trace_ack;
	u64 last_ack;
};

static inline struct harness_vcpu *harness_vcpu(struct virq_vcpu *vcpu)
{
	return container_of(vcpu, struct harness_vcpu, vcpu);
}

/* open("/dev/virq"): NULL on allocation failure */
struct virq_instance *harness_instance_open(void);
/* The last reference goes: destroy, vCPUs, instance (virq_instance_free()) */
void harness_instance_close(struct virq_instance *inst);

/* VIRQ_CREATE_CHIP; @options is the user's struct of @options_size bytes */
int harness_create_chip(struct virq_instance *inst,
			const struct virq_chip_ops *ops, u32 nr_vcpus,
			u32 nr_sources, const void *options,
			u32 options_size);
/* VIRQ_CREATE_VCPU; *@vcpu is the new vCPU */
int harness_create_vcpu(struct virq_instance *inst, u32 index, u64 arch_id,
			struct virq_vcpu **vcpu);

/* VIRQ_IRQ_LINE; @atomic injects as an irqfd wakeup does (IRQs off) */
int harness_set_irq(struct virq_instance *inst, u32 source, u32 op,
		    enum virq_driver driver, bool atomic, int *status);
/* VIRQ_SIGNAL_MSI */
int harness_signal_msi(struct virq_instance *inst, u64 address, u32 data,
		       int *status);
/* VIRQ_SIGNAL_MSI with a device id; @atomic as for harness_set_irq() */
int harness_signal_msi_msg(struct virq_instance *inst,
			   const struct virq_msi_msg *msg, bool atomic,
			   int *status);
/*
 * VIRQ_SET_MEMORY_REGION with the core's checks; @host is the memory
 * (page aligned, @size bytes) that guest-physical @gpa maps to.
 */
int harness_set_memory_region(struct virq_instance *inst, u32 slot, u64 gpa,
			      u64 size, void *host);
/* VIRQ_GET_SOURCES / VIRQ_SET_SOURCES */
int harness_get_sources(struct virq_instance *inst, u32 first, u32 count,
			u64 *words);
int harness_set_sources(struct virq_instance *inst, u32 first, u32 count,
			const u64 *words);
/* VIRQ_CHIP_CALL / VIRQ_VCPU_CALL: @call in, results out */
int harness_chip_call(struct virq_instance *inst,
		      struct virq_call_args *call);
int harness_vcpu_call(struct virq_vcpu *vcpu, struct virq_call_args *call);
/* VIRQ_VCPU_GET_OUTPUT, VIRQ_VCPU_ACK */
u32 harness_vcpu_output(struct virq_vcpu *vcpu);
int harness_vcpu_ack(struct virq_vcpu *vcpu, u64 *id);
/* VIRQ_VCPU_{GET,SET}_ATTR; *@size in/out as virq_attr.size */
int harness_vcpu_get_attr(struct virq_vcpu *vcpu, u32 group, u64 attr,
			  void *buf, u32 *size);
int harness_vcpu_set_attr(struct virq_vcpu *vcpu, u32 group, u64 attr,
			  const void *buf, u32 size);
/* VIRQ_{GET,SET,HAS}_ATTR on the chip */
int harness_get_attr(struct virq_instance *inst, u32 group, u64 attr,
		     void *buf, u32 *size);
int harness_set_attr(struct virq_instance *inst, u32 group, u64 attr,
		     const void *buf, u32 size);
int harness_has_attr(struct virq_instance *inst, u32 group, u64 attr);
/* The debugfs "state" file into @m */
void harness_show(struct virq_instance *inst, struct seq_file *m);

/*
 * Emulate a resampling irqfd on @source: virq_notify_eoi() then lowers the
 * VIRQ_DRIVER_RESAMPLE drive and counts a resamplefd signal, as the core.
 */
int harness_add_resampler(struct virq_instance *inst, u32 source);

/* Signals a notifier (virq_notifier_get()) received; 0 for NULL */
unsigned long harness_notifier_count(struct virq_notifier *n);

#endif /* _HARNESS_CORE_STUBS_H */
