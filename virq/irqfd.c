// SPDX-License-Identifier: GPL-2.0
/*
 * irqfd: an eventfd bound to a source, so that a write to the eventfd (by
 * vhost, vfio or another thread) injects without a syscall into virq.
 *
 * Without VIRQ_IRQFD_FLAG_RESAMPLE each signal is an edge.  With it the
 * eventfd raises the source as a level line driven by VIRQ_DRIVER_RESAMPLE;
 * when the guest ends that interrupt the model calls virq_notify_eoi(),
 * which lowers the line and signals the resamplefd, so the device owner can
 * check its device and signal again if it still wants service.
 *
 * Locking and lifetime:
 *  - inst->irqfd_mutex serialises assign and deassign (and the resampler
 *    list), so a deassign never sees half-registered irqfds;
 *  - inst->irqfds_lock protects inst->irqfds and is also taken from the
 *    wakeup callback, under the eventfd's wait-queue lock with IRQs off;
 *  - an irqfd is deactivated (taken off inst->irqfds) by deassign, by the
 *    eventfd's EPOLLHUP (its last fd closed) or by the instance fd's
 *    release, and then freed by a work item on virq_irqfd_wq.  That work
 *    first unhooks from the eventfd's wait queue (which waits for a wakeup
 *    running on another CPU), then leaves the RCU list of resamplers and
 *    waits for a grace period, and only then drops its references.
 *    Deassign and release flush the workqueue before returning, so when
 *    they return no injection from those irqfds can happen any more.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/rculist.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "core.h"
#include "compat/compat.h"

/**
 * struct virq_kernel_irqfd - one eventfd bound to one source
 * @inst: owning instance
 * @eventfd: the trigger
 * @resamplefd: signalled on EOI; NULL unless resampling
 * @source: the source it drives (0 for an MSI irqfd)
 * @msi: the message an MSI irqfd sends (VIRQ_IRQFD_FLAG_MSI)
 * @is_msi: it sends @msi rather than driving @source
 * @wait: our entry on the eventfd's wait queue
 * @pt: poll table used once, to find that wait queue
 * @list: link in inst->irqfds; empty once deactivated
 * @resample_link: link in inst->resamplers (RCU), when resampling
 * @shutdown: frees the irqfd, on virq_irqfd_wq
 */
struct virq_kernel_irqfd {
	struct virq_instance *inst;
	struct eventfd_ctx *eventfd;
	struct eventfd_ctx *resamplefd;
	u32 source;
	struct virq_msi_msg msi;
	bool is_msi;
	wait_queue_entry_t wait;
	poll_table pt;
	struct list_head list;
	struct list_head resample_link;
	struct work_struct shutdown;
};

static struct workqueue_struct *virq_irqfd_wq;

static void virq_irqfd_inject(struct virq_kernel_irqfd *irqfd)
{
	int status;

	if (irqfd->is_msi)
		irqfd->inst->view.ops->signal_msi(irqfd->inst, &irqfd->msi,
						  &status);
	else if (irqfd->resamplefd)
		virq_set_irq(irqfd->inst, irqfd->source, VIRQ_LINE_SET,
			     VIRQ_DRIVER_RESAMPLE, &status);
	else
		virq_set_irq(irqfd->inst, irqfd->source, VIRQ_LINE_EDGE,
			     VIRQ_DRIVER_USER, &status);
}

static bool virq_irqfd_is_active(struct virq_kernel_irqfd *irqfd)
{
	return !list_empty(&irqfd->list);
}

static void virq_irqfd_deactivate(struct virq_kernel_irqfd *irqfd)
{
	lockdep_assert_held(&irqfd->inst->irqfds_lock);
	list_del_init(&irqfd->list);
	queue_work(virq_irqfd_wq, &irqfd->shutdown);
}

/* Is another resampler still bound to @source?  Called with irqfd_mutex. */
static bool virq_source_has_resampler(struct virq_instance *inst, u32 source)
{
	struct virq_kernel_irqfd *irqfd;

	lockdep_assert_held(&inst->irqfd_mutex);
	list_for_each_entry(irqfd, &inst->resamplers, resample_link)
		if (irqfd->source == source)
			return true;
	return false;
}

static void virq_irqfd_shutdown(struct work_struct *work)
{
	struct virq_kernel_irqfd *irqfd =
		container_of(work, struct virq_kernel_irqfd, shutdown);
	struct virq_instance *inst = irqfd->inst;
	u64 cnt;

	/* Waits for a wakeup in progress on another CPU. */
	eventfd_ctx_remove_wait_queue(irqfd->eventfd, &irqfd->wait, &cnt);

	if (irqfd->resamplefd) {
		bool last;
		int status;

		mutex_lock(&inst->irqfd_mutex);
		list_del_rcu(&irqfd->resample_link);
		last = !virq_source_has_resampler(inst, irqfd->source);
		mutex_unlock(&inst->irqfd_mutex);
		synchronize_rcu();
		/* Nobody drives the line for the resamplers any more. */
		if (last)
			virq_set_irq(inst, irqfd->source, VIRQ_LINE_RESET,
				     VIRQ_DRIVER_RESAMPLE, &status);
		eventfd_ctx_put(irqfd->resamplefd);
	}

	eventfd_ctx_put(irqfd->eventfd);
	kfree(irqfd);
}

/* Called with the eventfd's wait-queue lock held and IRQs disabled. */
static int virq_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			     int sync, void *key)
{
	struct virq_kernel_irqfd *irqfd = container_of(wait, struct virq_kernel_irqfd, wait);
	struct virq_instance *inst = irqfd->inst;
	__poll_t flags = key_to_poll(key);

	if (flags & EPOLLIN) {
		u64 cnt;

		eventfd_ctx_do_read(irqfd->eventfd, &cnt);
		virq_irqfd_inject(irqfd);
	}

	if (flags & EPOLLHUP) {
		unsigned long iflags;

		spin_lock_irqsave(&inst->irqfds_lock, iflags);
		if (virq_irqfd_is_active(irqfd))
			virq_irqfd_deactivate(irqfd);
		spin_unlock_irqrestore(&inst->irqfds_lock, iflags);
	}
	return 0;
}

static void virq_irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh,
				  poll_table *pt)
{
	struct virq_kernel_irqfd *irqfd = container_of(pt, struct virq_kernel_irqfd, pt);

	add_wait_queue(wqh, &irqfd->wait);
}

static bool virq_eventfd_bound(struct virq_instance *inst,
			       struct eventfd_ctx *eventfd)
{
	struct virq_kernel_irqfd *irqfd;
	bool found = false;

	spin_lock_irq(&inst->irqfds_lock);
	list_for_each_entry(irqfd, &inst->irqfds, list) {
		if (irqfd->eventfd == eventfd) {
			found = true;
			break;
		}
	}
	spin_unlock_irq(&inst->irqfds_lock);
	return found;
}

static void virq_irqfd_msg(const struct virq_irqfd *args,
			   struct virq_msi_msg *msg)
{
	msg->address = (u64)args->msi.address_hi << 32 | args->msi.address_lo;
	msg->data = args->msi.data;
	msg->devid = args->msi.devid;
	msg->has_devid = args->flags & VIRQ_IRQFD_FLAG_MSI_DEVID;
}

/* The generic and the family's checks of an MSI irqfd's message */
static int virq_irqfd_check_msi(struct virq_instance *inst,
				const struct virq_irqfd *args)
{
	const struct virq_chip_ops *ops = inst->view.ops;
	struct virq_msi_msg msg;

	if (args->source || (args->flags & VIRQ_IRQFD_FLAG_RESAMPLE))
		return -EINVAL;
	if (!(args->flags & VIRQ_IRQFD_FLAG_MSI_DEVID) && args->msi.devid)
		return -EINVAL;
	if (!ops->signal_msi)
		return -EOPNOTSUPP;
	virq_irqfd_msg(args, &msg);
	return ops->check_msi ? ops->check_msi(inst, &msg) : 0;
}

static int virq_irqfd_assign(struct virq_instance *inst,
			     const struct virq_irqfd *args)
{
	struct virq_kernel_irqfd *irqfd;
	struct eventfd_ctx *eventfd;
	struct fd f;
	__poll_t events;
	int ret;

	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL_ACCOUNT);
	if (!irqfd)
		return -ENOMEM;
	irqfd->inst = inst;
	irqfd->source = args->source;
	if (args->flags & VIRQ_IRQFD_FLAG_MSI) {
		irqfd->is_msi = true;
		virq_irqfd_msg(args, &irqfd->msi);
	}
	INIT_LIST_HEAD(&irqfd->list);
	INIT_LIST_HEAD(&irqfd->resample_link);
	INIT_WORK(&irqfd->shutdown, virq_irqfd_shutdown);
	init_waitqueue_func_entry(&irqfd->wait, virq_irqfd_wakeup);
	init_poll_funcptr(&irqfd->pt, virq_irqfd_queue_proc);

	f = fdget(args->fd);
	if (!fd_file(f)) {
		ret = -EBADF;
		goto out_free;
	}
	eventfd = eventfd_ctx_fileget(fd_file(f));
	if (IS_ERR(eventfd)) {
		ret = PTR_ERR(eventfd);
		goto out_fdput;
	}
	irqfd->eventfd = eventfd;

	if (args->flags & VIRQ_IRQFD_FLAG_RESAMPLE) {
		irqfd->resamplefd = eventfd_ctx_fdget(args->resamplefd);
		if (IS_ERR(irqfd->resamplefd)) {
			ret = PTR_ERR(irqfd->resamplefd);
			irqfd->resamplefd = NULL;
			goto out_put;
		}
	}

	mutex_lock(&inst->irqfd_mutex);
	if (virq_eventfd_bound(inst, eventfd)) {
		ret = -EBUSY;
		goto out_unlock;
	}

	spin_lock_irq(&inst->irqfds_lock);
	list_add_tail(&irqfd->list, &inst->irqfds);
	spin_unlock_irq(&inst->irqfds_lock);
	if (irqfd->resamplefd)
		list_add_rcu(&irqfd->resample_link, &inst->resamplers);

	/* Hooks us on the eventfd's wait queue; catches a pending signal. */
	events = vfs_poll(fd_file(f), &irqfd->pt);
	mutex_unlock(&inst->irqfd_mutex);

	if (events & EPOLLIN)
		virq_irqfd_inject(irqfd);
	fdput(f);
	return 0;

out_unlock:
	mutex_unlock(&inst->irqfd_mutex);
	if (irqfd->resamplefd)
		eventfd_ctx_put(irqfd->resamplefd);
out_put:
	eventfd_ctx_put(eventfd);
out_fdput:
	fdput(f);
out_free:
	kfree(irqfd);
	return ret;
}

static int virq_irqfd_deassign(struct virq_instance *inst,
			       const struct virq_irqfd *args)
{
	struct virq_kernel_irqfd *irqfd, *tmp;
	struct eventfd_ctx *eventfd;
	int ret = -ENOENT;

	eventfd = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);

	mutex_lock(&inst->irqfd_mutex);
	spin_lock_irq(&inst->irqfds_lock);
	list_for_each_entry_safe(irqfd, tmp, &inst->irqfds, list) {
		if (irqfd->eventfd == eventfd &&
		    irqfd->source == args->source) {
			virq_irqfd_deactivate(irqfd);
			ret = 0;
		}
	}
	spin_unlock_irq(&inst->irqfds_lock);
	mutex_unlock(&inst->irqfd_mutex);
	eventfd_ctx_put(eventfd);

	/* No injection through it once we return. */
	flush_workqueue(virq_irqfd_wq);
	return ret;
}

/**
 * virq_irqfd() - VIRQ_IRQFD
 * @inst: the instance; its chip exists
 * @argp: user pointer to struct virq_irqfd
 *
 * Return: 0 or a negative errno.
 */
int virq_irqfd(struct virq_instance *inst, void __user *argp)
{
	struct virq_irqfd args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~(VIRQ_IRQFD_FLAG_DEASSIGN |
			   VIRQ_IRQFD_FLAG_RESAMPLE |
			   VIRQ_IRQFD_FLAG_MSI | VIRQ_IRQFD_FLAG_MSI_DEVID))
		return -EINVAL;
	if (!(args.flags & VIRQ_IRQFD_FLAG_RESAMPLE) && args.resamplefd)
		return -EINVAL;
	if (args.flags & VIRQ_IRQFD_FLAG_MSI) {
		int ret = virq_irqfd_check_msi(inst, &args);

		if (ret)
			return ret;
		/* The struct that assigned it deassigns it: by fd, source 0 */
		if (args.flags & VIRQ_IRQFD_FLAG_DEASSIGN)
			return virq_irqfd_deassign(inst, &args);
		return virq_irqfd_assign(inst, &args);
	}
	if ((args.flags & VIRQ_IRQFD_FLAG_MSI_DEVID) ||
	    !virq_mem_is_zero(args.padding, sizeof(args.padding)))
		return -EINVAL;
	if ((args.flags & VIRQ_IRQFD_FLAG_DEASSIGN) &&
	    (args.flags & VIRQ_IRQFD_FLAG_RESAMPLE))
		return -EINVAL;
	/* Deassign finds MSI irqfds by source 0, which no family refuses */
	if (!virq_source_valid(inst, args.source) &&
	    !((args.flags & VIRQ_IRQFD_FLAG_DEASSIGN) && !args.source))
		return -EINVAL;

	if (args.flags & VIRQ_IRQFD_FLAG_DEASSIGN)
		return virq_irqfd_deassign(inst, &args);
	return virq_irqfd_assign(inst, &args);
}

/**
 * virq_irqfd_release() - tear down every irqfd of a closing instance fd
 * @inst: the instance
 */
void virq_irqfd_release(struct virq_instance *inst)
{
	struct virq_kernel_irqfd *irqfd, *tmp;

	spin_lock_irq(&inst->irqfds_lock);
	list_for_each_entry_safe(irqfd, tmp, &inst->irqfds, list)
		virq_irqfd_deactivate(irqfd);
	spin_unlock_irq(&inst->irqfds_lock);

	flush_workqueue(virq_irqfd_wq);
}

/**
 * virq_notify_eoi() - the guest ended level interrupt @source
 * @inst: the instance
 * @source: the source
 *
 * Lowers the resampling irqfds' drive on @source and signals each of their
 * resamplefds.  The signals are made directly: the models end interrupts
 * only from a vCPU's register access, acknowledge or call, never from an
 * injection, so this never runs inside an eventfd wakeup (where
 * eventfd_signal() must not nest, see virq_notifier_signal()).
 *
 * Context: process context, no model lock held.
 */
void virq_notify_eoi(struct virq_instance *inst, u32 source)
{
	struct virq_kernel_irqfd *irqfd;
	bool lowered = false;
	int status;

	rcu_read_lock();
	list_for_each_entry_rcu(irqfd, &inst->resamplers, resample_link) {
		if (irqfd->source != source)
			continue;
		if (!lowered) {
			virq_set_irq(inst, source, VIRQ_LINE_RESET,
				     VIRQ_DRIVER_RESAMPLE, &status);
			lowered = true;
		}
		virq_eventfd_signal(irqfd->resamplefd);
	}
	rcu_read_unlock();
}

int virq_irqfd_init(void)
{
	virq_irqfd_wq = alloc_workqueue("virq-irqfd-cleanup", 0, 0);
	return virq_irqfd_wq ? 0 : -ENOMEM;
}

void virq_irqfd_exit(void)
{
	destroy_workqueue(virq_irqfd_wq);
}

/**
 * struct virq_notifier - an eventfd a model signals (the x86 remapping
 * fault eventfd)
 * @ctx: the eventfd
 * @signal: signals @ctx, for the signals that cannot be made where they
 *	happen
 *
 * Models see only the opaque type, so that their sources do not depend
 * on <linux/eventfd.h>.
 */
struct virq_notifier {
	struct eventfd_ctx *ctx;
	struct work_struct signal;
};

static void virq_notifier_work(struct work_struct *work)
{
	struct virq_notifier *n = container_of(work, struct virq_notifier,
					       signal);

	virq_eventfd_signal(n->ctx);
}

/**
 * virq_notifier_get() - a notifier on the eventfd behind a file descriptor
 * @fd: the eventfd
 *
 * Context: process.
 * Return: the notifier, holding a reference on the eventfd;
 * ERR_PTR(-EBADF) if @fd is not open, ERR_PTR(-EINVAL) if it is not an
 * eventfd, ERR_PTR(-ENOMEM).
 */
struct virq_notifier *virq_notifier_get(int fd)
{
	struct virq_notifier *n;

	n = kzalloc(sizeof(*n), GFP_KERNEL_ACCOUNT);
	if (!n)
		return ERR_PTR(-ENOMEM);
	n->ctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(n->ctx)) {
		struct virq_notifier *err = ERR_CAST(n->ctx);

		kfree(n);
		return err;
	}
	INIT_WORK(&n->signal, virq_notifier_work);
	return n;
}

/**
 * virq_notifier_signal() - signal a notifier's eventfd
 * @n: the notifier
 *
 * Inside an eventfd wakeup (an irqfd injection: its eventfd's write or
 * signal runs our wakeup callback) eventfd_signal() must not nest: it
 * would WARN and drop the signal.  There the signal is left to a work
 * item, which signals soon after; anywhere else it is made at once.
 * A signal made while a deferred one is still pending merges with it
 * (the eventfd counts one for both).
 *
 * Context: any; no raw spinlock held (the eventfd's wait-queue lock is a
 * sleeping lock on PREEMPT_RT).
 */
void virq_notifier_signal(struct virq_notifier *n)
{
	if (eventfd_signal_allowed())
		virq_eventfd_signal(n->ctx);
	else
		schedule_work(&n->signal);
}

/**
 * virq_notifier_put() - drop a notifier
 * @n: the notifier; nobody may signal it any more
 *
 * Waits for a deferred signal to be made (a fault that happened while @n
 * was in use is still reported), then drops the eventfd reference.
 *
 * Context: process (may sleep).
 */
void virq_notifier_put(struct virq_notifier *n)
{
	flush_work(&n->signal);
	eventfd_ctx_put(n->ctx);
	kfree(n);
}
