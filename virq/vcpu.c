// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU fds: the CPU-side interface of the chip.  A VMM's vCPU thread
 * polls its fd for the interrupt output, acknowledges, and forwards the
 * guest's register accesses and hypercalls.
 *
 * A vCPU is created once per index and lives as long as its instance: its
 * fd holds a reference on the instance, and closing the fd does not take
 * the vCPU out of the chip (interrupts routed to it stay pending there).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/nospec.h>
#include <linux/seq_file.h>
#include <linux/poll.h>
#include <linux/uaccess.h>

#include "chip.h"
#include "core.h"
#include "trace.h"

static inline struct virq_vcpu_file *to_vcpu_file(struct virq_vcpu *vcpu)
{
	return container_of(vcpu, struct virq_vcpu_file, vcpu);
}

/**
 * virq_get_vcpu() - the vCPU with index @index
 * @inst: the instance
 * @index: vCPU index
 *
 * Context: any.
 * Return: the vCPU, or NULL if @index is out of range or its fd was never
 * created.
 */
struct virq_vcpu *virq_get_vcpu(struct virq_instance *inst, u32 index)
{
	return virq_vcpu_slot(inst, inst->vcpus, index);
}

/**
 * virq_vcpu_kick() - wake the pollers of @vcpu's fd
 * @vcpu: the vCPU whose outputs may have changed
 *
 * Context: any; the caller must not hold the vCPU's wait-queue lock.
 */
void virq_vcpu_kick(struct virq_vcpu *vcpu)
{
	struct virq_vcpu_file *vf = to_vcpu_file(vcpu);

	/* wq_has_sleeper() orders the model's update before the check. */
	if (wq_has_sleeper(&vf->wq))
		wake_up_interruptible_all(&vf->wq);
}

void virq_trace_ack(struct virq_vcpu *vcpu, u64 id)
{
	trace_virq_ack(vcpu->inst->id, vcpu->index, id);
}

void virq_vcpus_free(struct virq_instance *inst)
{
	const struct virq_chip_ops *ops = inst->view.ops;
	u32 i;

	if (!inst->vcpus)
		return;
	for (i = 0; i < inst->view.nr_vcpus; i++) {
		struct virq_vcpu *vcpu = inst->vcpus[i];

		if (!vcpu)
			continue;
		if (ops->vcpu_destroy)
			ops->vcpu_destroy(vcpu);
		kfree(to_vcpu_file(vcpu));
	}
	kfree(inst->vcpus);
	inst->vcpus = NULL;
}

static int virq_release_vcpu(struct inode *inode, struct file *file)
{
	struct virq_vcpu *vcpu = file->private_data;

	virq_instance_put(vcpu->inst);
	return 0;
}

static __poll_t virq_vcpu_poll(struct file *file, poll_table *wait)
{
	struct virq_vcpu *vcpu = file->private_data;
	struct virq_vcpu_file *vf = to_vcpu_file(vcpu);
	__poll_t mask = 0;
	u32 lines;

	poll_wait(file, &vf->wq, wait);
	lines = vcpu->inst->view.ops->vcpu_output(vcpu, NULL);
	if (lines & VIRQ_OUT_IRQS)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (lines & VIRQ_OUT_EVENTS)
		mask |= EPOLLPRI;
	return mask;
}

static int virq_vcpu_get_output(struct virq_vcpu *vcpu, void __user *argp)
{
	struct virq_vcpu_output out;

	if (copy_from_user(&out, argp, sizeof(out)))
		return -EFAULT;
	if (out.flags)
		return -EINVAL;

	memset(&out, 0, sizeof(out));
	out.lines = vcpu->inst->view.ops->vcpu_output(vcpu, &out.sipi_vector);
	if (!(out.lines & VIRQ_OUT_SIPI))
		out.sipi_vector = 0;
	return copy_to_user(argp, &out, sizeof(out)) ? -EFAULT : 0;
}

static int virq_vcpu_ack(struct virq_vcpu *vcpu, void __user *argp)
{
	const struct virq_chip_ops *ops = vcpu->inst->view.ops;
	struct virq_ack ack;
	int ret;

	if (copy_from_user(&ack, argp, sizeof(ack)))
		return -EFAULT;
	if (ack.flags)
		return -EINVAL;
	/* 0 (the interrupt) or exactly one event line */
	if (ack.event & ~(VIRQ_OUT_EVENTS | VIRQ_OUT_EXTINT) ||
	    hweight32(ack.event) > 1)
		return -EINVAL;
	if (!ops->vcpu_ack)
		return -EOPNOTSUPP;
	/*
	 * An acknowledge takes the interrupt: the id must be writable
	 * before, so that EFAULT means nothing was taken (the VMM retries).
	 */
	if (put_user(ack.id, &((struct virq_ack __user *)argp)->id))
		return -EFAULT;

	ret = ops->vcpu_ack(vcpu, ack.event, &ack.id);
	if (ret)
		return ret;
	return copy_to_user(argp, &ack, sizeof(ack)) ? -EFAULT : 0;
}

static bool virq_access_len_ok(u32 len)
{
	return len == 1 || len == 2 || len == 4 || len == 8;
}

static int virq_vcpu_access(struct virq_vcpu *vcpu, void __user *argp)
{
	const struct virq_chip_ops *ops = vcpu->inst->view.ops;
	struct virq_access acc;
	bool write;
	int ret;

	if (copy_from_user(&acc, argp, sizeof(acc)))
		return -EFAULT;
	if (acc.flags & ~VIRQ_ACCESS_WRITE || acc.padding)
		return -EINVAL;
	if (acc.space < VIRQ_SPACE_MMIO || acc.space > VIRQ_SPACE_PIO)
		return -EINVAL;
	if (!virq_access_len_ok(acc.len))
		return -EINVAL;
	if (!ops->vcpu_access)
		return -ENXIO;

	write = acc.flags & VIRQ_ACCESS_WRITE;
	if (write && acc.len < 8)
		acc.data &= (1ULL << (acc.len * 8)) - 1;
	/* Reads may act (GICv3 ICC_IAR1_EL1): check the result can land. */
	if (!write &&
	    put_user(acc.data, &((struct virq_access __user *)argp)->data))
		return -EFAULT;
	ret = ops->vcpu_access(vcpu, acc.space, acc.addr, acc.len, write,
			       &acc.data);
	if (ret || write)
		return ret;
	return put_user(acc.data, &((struct virq_access __user *)argp)->data);
}

static int virq_vcpu_call(void *obj, struct virq_call_args *call)
{
	struct virq_vcpu *vcpu = obj;

	if (!vcpu->inst->view.ops->vcpu_call)
		return -EOPNOTSUPP;
	return vcpu->inst->view.ops->vcpu_call(vcpu, call);
}

static int virq_vcpu_get_attr(void *obj, u32 group, u64 attr, void *buf,
			      u32 *size)
{
	struct virq_vcpu *vcpu = obj;

	if (!vcpu->inst->view.ops->vcpu_get_attr)
		return -ENXIO;
	return vcpu->inst->view.ops->vcpu_get_attr(vcpu, group, attr, buf,
						   size);
}

static int virq_vcpu_set_attr(void *obj, u32 group, u64 attr,
			      const void *buf, u32 size)
{
	struct virq_vcpu *vcpu = obj;

	if (!vcpu->inst->view.ops->vcpu_set_attr)
		return -ENXIO;
	return vcpu->inst->view.ops->vcpu_set_attr(vcpu, group, attr, buf,
						   size);
}

static int virq_vcpu_has_attr(void *obj, u32 group, u64 attr)
{
	struct virq_vcpu *vcpu = obj;

	if (!vcpu->inst->view.ops->vcpu_has_attr)
		return -ENXIO;
	return vcpu->inst->view.ops->vcpu_has_attr(vcpu, group, attr);
}

/* Which vCPU this fd is, for a tool that holds only the fd */
static int virq_vcpu_get_id(struct virq_vcpu *vcpu, void __user *argp)
{
	struct virq_vcpu_create id = {
		.index = vcpu->index,
		.arch_id = vcpu->arch_id,
	};

	return copy_to_user(argp, &id, sizeof(id)) ? -EFAULT : 0;
}

static long virq_vcpu_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct virq_vcpu *vcpu = file->private_data;
	void __user *argp = (void __user *)arg;
	struct virq_attr_target vcpu_attr = {
		.get = virq_vcpu_get_attr,
		.set = virq_vcpu_set_attr,
		.has = virq_vcpu_has_attr,
		.obj = vcpu,
	};

	switch (cmd) {
	case VIRQ_VCPU_GET_ID:
		return virq_vcpu_get_id(vcpu, argp);
	case VIRQ_VCPU_GET_OUTPUT:
		return virq_vcpu_get_output(vcpu, argp);
	case VIRQ_VCPU_ACK:
		return virq_vcpu_ack(vcpu, argp);
	case VIRQ_VCPU_ACCESS:
		return virq_vcpu_access(vcpu, argp);
	case VIRQ_VCPU_CALL:
		return virq_call_ioctl(argp, virq_vcpu_call, vcpu);
	case VIRQ_VCPU_GET_ATTR:
		return virq_attr_ioctl(&vcpu->inst->lock, &vcpu_attr, argp,
				       VIRQ_ATTR_GET);
	case VIRQ_VCPU_SET_ATTR:
		return virq_attr_ioctl(&vcpu->inst->lock, &vcpu_attr, argp,
				       VIRQ_ATTR_SET);
	case VIRQ_VCPU_HAS_ATTR:
		return virq_attr_ioctl(&vcpu->inst->lock, &vcpu_attr, argp,
				       VIRQ_ATTR_HAS);
	}
	return -ENOTTY;
}

/* /proc/PID/fdinfo: the instance (as on its fd), the index and arch_id */
static void virq_vcpu_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct virq_vcpu *vcpu = file->private_data;

	seq_printf(m, "virq-instance:\t%d\n", vcpu->inst->id);
	seq_printf(m, "virq-vcpu-index:\t%u\n", vcpu->index);
	seq_printf(m, "virq-arch-id:\t%#llx\n", vcpu->arch_id);
}

static const struct file_operations virq_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= virq_release_vcpu,
	.poll		= virq_vcpu_poll,
	.unlocked_ioctl	= virq_vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
	.show_fdinfo	= virq_vcpu_show_fdinfo,
};

/**
 * virq_create_vcpu() - VIRQ_CREATE_VCPU
 * @inst: the instance; its chip exists
 * @argp: user pointer to struct virq_vcpu_create
 *
 * Return: the new vCPU fd, or a negative errno.
 */
int virq_create_vcpu(struct virq_instance *inst, void __user *argp)
{
	const struct virq_chip_ops *ops = inst->view.ops;
	struct virq_vcpu_create uc;
	struct virq_vcpu_file *vf;
	struct file *file;
	u32 index;
	int fd, ret;

	if (copy_from_user(&uc, argp, sizeof(uc)))
		return -EFAULT;
	if (uc.flags)
		return -EINVAL;
	if (uc.index >= inst->view.nr_vcpus)
		return -EINVAL;
	index = array_index_nospec(uc.index, inst->view.nr_vcpus);

	vf = kzalloc(sizeof(*vf), GFP_KERNEL_ACCOUNT);
	if (!vf)
		return -ENOMEM;
	init_waitqueue_head(&vf->wq);
	vf->vcpu.inst = inst;
	vf->vcpu.index = index;
	vf->vcpu.arch_id = uc.arch_id;

	fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto out_free;
	}

	mutex_lock(&inst->lock);
	ret = -EEXIST;
	if (inst->vcpus[index] ||
	    virq_arch_id_in_use(inst, inst->vcpus, uc.arch_id))
		goto out_unlock;

	ret = ops->vcpu_create(&vf->vcpu);
	if (ret)
		goto out_unlock;

	file = anon_inode_getfile("[virq-vcpu]", &virq_vcpu_fops, &vf->vcpu,
				  O_RDWR | O_CLOEXEC);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		if (ops->vcpu_destroy)
			ops->vcpu_destroy(&vf->vcpu);
		goto out_unlock;
	}

	kref_get(&inst->refcount);
	/* Pairs with smp_load_acquire() in virq_get_vcpu(). */
	smp_store_release(&inst->vcpus[index], &vf->vcpu);
	mutex_unlock(&inst->lock);

	fd_install(fd, file);
	return fd;

out_unlock:
	mutex_unlock(&inst->lock);
	put_unused_fd(fd);
out_free:
	kfree(vf);
	return ret;
}
