/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private header of the virq core: instances, vCPUs, irqfds, debugfs.
 * Models never include this; they see virq.h only.
 */
#ifndef _VIRQ_CORE_H
#define _VIRQ_CORE_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "virq.h"

/**
 * struct virq_memslot - one VIRQ_SET_MEMORY_REGION slot
 * @gpa: first guest-physical byte
 * @size: bytes; 0 when the slot is unset
 * @uaddr: user address of @gpa in @mm
 * @mm: the address space of the process that set the slot (mmgrab)
 */
struct virq_memslot {
	u64 gpa;
	u64 size;
	u64 uaddr;
	struct mm_struct *mm;
};

/**
 * struct virq_instance - one VM's interrupt domain (the /dev/virq fd)
 * @view: what models may read; must stay first (see virq_view())
 * @refcount: the instance fd and every vCPU fd hold one reference
 * @lock: serialises chip and vCPU creation and attribute calls
 * @id: instance number, names the debugfs directory
 * @vcpus: nr_vcpus pointers, each published once with smp_store_release()
 *	under @lock and read locklessly with smp_load_acquire()
 * @irqfds_lock: protects @irqfds (taken with IRQs disabled: irqfd
 *	wakeups run under the eventfd's wait-queue lock, IRQs off)
 * @irqfds: active irqfds
 * @irqfd_mutex: serialises irqfd assign and deassign, and changes of
 *	@resamplers
 * @resamplers: active resampling irqfds, RCU-protected list
 * @debugfs: this instance's debugfs directory
 * @mem_lock: serialises slot changes and guest memory accesses
 * @memslots: guest memory (guestmem.c)
 */
struct virq_instance {
	struct virq_instance_view view;
	struct kref refcount;
	struct mutex lock;		/* chip, vCPU and attribute calls */
	int id;
	struct virq_vcpu **vcpus;
	void *options;			/* as created; for VIRQ_GET_CHIP */

	spinlock_t irqfds_lock;		/* @irqfds; IRQs disabled */
	struct list_head irqfds;
	struct mutex irqfd_mutex;	/* irqfd assign/deassign */
	struct list_head resamplers;

	struct dentry *debugfs;

	struct mutex mem_lock;		/* @memslots */
	struct virq_memslot memslots[VIRQ_MEMORY_SLOTS];
};

/**
 * struct virq_vcpu_file - the core's side of a vCPU
 * @vcpu: what the model sees; must stay first
 * @wq: poll() waiters
 */
struct virq_vcpu_file {
	struct virq_vcpu vcpu;
	wait_queue_head_t wq;
};

static inline const struct virq_chip_ops *
virq_chip_ops(struct virq_instance *inst)
{
	/* Pairs with smp_store_release() in virq_create_chip(). */
	return smp_load_acquire(&inst->view.ops);
}

/* main.c */
extern unsigned int virq_max_vcpus;
extern unsigned int virq_max_sources;
extern unsigned int virq_max_routes;
const struct virq_chip_ops *virq_family_ops(u32 family);

/*
 * The attribute plumbing shared by chip and vCPU attributes: @get, @set
 * and @has are the model's callbacks bound to @obj.
 */
struct virq_attr_target {
	int (*get)(void *obj, u32 group, u64 attr, void *buf, u32 *size);
	int (*set)(void *obj, u32 group, u64 attr, const void *buf,
		   u32 size);
	int (*has)(void *obj, u32 group, u64 attr);
	void *obj;
};

enum virq_attr_op {
	VIRQ_ATTR_GET,
	VIRQ_ATTR_SET,
	VIRQ_ATTR_HAS,
};

/* instance.c */
int virq_instance_open(struct inode *inode, struct file *file);
int virq_instance_release(struct inode *inode, struct file *file);
void virq_instance_show_fdinfo(struct seq_file *m, struct file *file);
long virq_instance_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg);
int virq_attr_ioctl(struct mutex *lock, const struct virq_attr_target *t,
		    void __user *argp, enum virq_attr_op op);
int virq_call_ioctl(void __user *argp,
		    int (*fn)(void *obj, struct virq_call_args *call),
		    void *obj);
void virq_instance_put(struct virq_instance *inst);
int virq_set_irq(struct virq_instance *inst, u32 source, u32 op,
		 enum virq_driver driver, int *status);

/* vcpu.c */
int virq_create_vcpu(struct virq_instance *inst, void __user *argp);
void virq_vcpus_free(struct virq_instance *inst);

/* guestmem.c */
int virq_set_memory_region(struct virq_instance *inst, void __user *argp);
void virq_memslots_free(struct virq_instance *inst);

/* irqfd.c */
int virq_irqfd(struct virq_instance *inst, void __user *argp);
void virq_irqfd_release(struct virq_instance *inst);
int virq_irqfd_init(void);
void virq_irqfd_exit(void);

/* debugfs.c */
void virq_debugfs_init(void);
void virq_debugfs_exit(void);
void virq_debugfs_add(struct virq_instance *inst);
void virq_debugfs_remove(struct virq_instance *inst);

/*
 * Does @source name a source of the chip?  The family decides when its
 * source numbers are not simply 0..nr_sources-1 (GICv3's private ones).
 */
static inline bool virq_source_valid(struct virq_instance *inst, u32 source)
{
	const struct virq_chip_ops *ops = inst->view.ops;

	if (ops->check_source)
		return !ops->check_source(inst, source);
	return source < inst->view.nr_sources;
}

/* Helpers for the "must be zero" rules of the uAPI */
static inline bool virq_mem_is_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

#endif /* _VIRQ_CORE_H */
