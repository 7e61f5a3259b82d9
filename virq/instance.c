// SPDX-License-Identifier: GPL-2.0
/*
 * The instance: one VM's interrupt domain, the fd returned by
 * open("/dev/virq").  This file owns its lifetime and every instance ioctl.
 *
 * Lifetime: the instance fd and each vCPU fd hold a reference (refcount).
 * Closing the instance fd tears down its irqfds at once (nobody can add new
 * ones without the fd); the chip and the vCPUs go with the last reference.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/idr.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "chip.h"
#include "core.h"
#include "trace.h"

static DEFINE_IDA(virq_instance_ida);

int virq_instance_open(struct inode *inode, struct file *file)
{
	struct virq_instance *inst;
	int id;

	inst = kzalloc(sizeof(*inst), GFP_KERNEL_ACCOUNT);
	if (!inst)
		return -ENOMEM;

	id = ida_alloc(&virq_instance_ida, GFP_KERNEL);
	if (id < 0) {
		kfree(inst);
		return id;
	}

	inst->id = id;
	kref_init(&inst->refcount);
	mutex_init(&inst->lock);
	spin_lock_init(&inst->irqfds_lock);
	INIT_LIST_HEAD(&inst->irqfds);
	mutex_init(&inst->irqfd_mutex);
	INIT_LIST_HEAD(&inst->resamplers);
	mutex_init(&inst->mem_lock);
	virq_debugfs_add(inst);

	file->private_data = inst;
	return nonseekable_open(inode, file);
}

static void virq_instance_free(struct kref *kref)
{
	struct virq_instance *inst =
		container_of(kref, struct virq_instance, refcount);
	const struct virq_chip_ops *ops = virq_chip_ops(inst);

	virq_debugfs_remove(inst);
	if (ops)
		ops->destroy(inst);
	virq_vcpus_free(inst);
	virq_memslots_free(inst);
	kfree(inst->options);
	ida_free(&virq_instance_ida, inst->id);
	mutex_destroy(&inst->lock);
	mutex_destroy(&inst->irqfd_mutex);
	mutex_destroy(&inst->mem_lock);
	kfree(inst);
}

/*
 * /proc/PID/fdinfo: the instance's id, the same on its vCPU fds, so that a
 * tool handed an instance fd and vCPU fds can tell they belong together.
 */
void virq_instance_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct virq_instance *inst = file->private_data;

	seq_printf(m, "virq-instance:\t%d\n", inst->id);
}

void virq_instance_put(struct virq_instance *inst)
{
	kref_put(&inst->refcount, virq_instance_free);
}

int virq_instance_release(struct inode *inode, struct file *file)
{
	struct virq_instance *inst = file->private_data;

	virq_irqfd_release(inst);
	virq_instance_put(inst);
	return 0;
}

static int virq_get_api(void __user *argp)
{
	struct virq_api api;
	size_t i;

	if (copy_from_user(&api, argp, sizeof(api)))
		return -EFAULT;
	if (api.flags)
		return -EINVAL;

	memset(&api, 0, sizeof(api));
	api.version = VIRQ_API_VERSION;
	api.features = VIRQ_FEATURE_ALL;
	for (i = 1; i <= VIRQ_FAMILY_MAX; i++)
		if (virq_family_ops(i))
			api.families |= 1ULL << i;
	api.max_vcpus = virq_max_vcpus;
	api.max_sources = virq_max_sources;
	api.max_routes = virq_max_routes;

	return copy_to_user(argp, &api, sizeof(api)) ? -EFAULT : 0;
}

/* Look up a family for VIRQ_GET_FAMILY and VIRQ_CREATE_CHIP. */
static int virq_lookup_family(u32 family, const struct virq_chip_ops **ops)
{
	if (!family || family > VIRQ_FAMILY_MAX)
		return -EINVAL;
	*ops = virq_family_ops(family);
	return *ops ? 0 : -EOPNOTSUPP;
}

static int virq_get_family(void __user *argp)
{
	const struct virq_chip_ops *ops;
	struct virq_family_info info;
	int ret;

	if (copy_from_user(&info, argp, sizeof(info)))
		return -EFAULT;
	if (info.flags)
		return -EINVAL;
	ret = virq_lookup_family(info.family, &ops);
	if (ret)
		return ret;

	memset(&info, 0, sizeof(info));
	info.family = ops->family;
	info.features = ops->features;
	info.max_vcpus = min(ops->max_vcpus, virq_max_vcpus);
	info.max_sources = min(ops->max_sources, virq_max_sources);
	info.source_word_version = ops->source_word_version;
	info.options_size = ops->options_size;

	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

static int virq_create_chip(struct virq_instance *inst, void __user *argp)
{
	const struct virq_chip_ops *ops;
	struct virq_chip_config uc;
	struct virq_config cfg;
	void *options = NULL;
	int ret;

	if (copy_from_user(&uc, argp, sizeof(uc)))
		return -EFAULT;
	ret = virq_lookup_family(uc.family, &ops);
	if (ret)
		return ret;
	ret = virq_check_chip_config(&uc, ops, virq_max_vcpus,
				     virq_max_sources);
	if (ret)
		return ret;

	if (ops->options_size || uc.options_size) {
		options = kzalloc(max_t(u32, ops->options_size, 1),
				  GFP_KERNEL_ACCOUNT);
		if (!options)
			return -ENOMEM;
		ret = copy_struct_from_user(options, ops->options_size,
					    u64_to_user_ptr(uc.options),
					    uc.options_size);
		if (ret)
			goto out_free;
	}

	cfg.family = uc.family;
	cfg.nr_vcpus = uc.nr_vcpus;
	cfg.nr_sources = uc.nr_sources;
	cfg.max_routes = virq_max_routes;
	cfg.options = options;

	mutex_lock(&inst->lock);
	if (inst->view.ops) {
		ret = -EEXIST;
	} else {
		/* Kept for VIRQ_GET_CHIP; set before the chip is published */
		inst->options = ops->options_size ? options : NULL;
		ret = virq_install_chip(inst, &inst->vcpus, ops, &cfg);
		if (ret)
			inst->options = NULL;
		else if (inst->options)
			options = NULL;
	}
	mutex_unlock(&inst->lock);
out_free:
	kfree(options);
	return ret;
}

/*
 * VIRQ_GET_CHIP: the configuration VIRQ_CREATE_CHIP accepted, so that a
 * migration tool can create the same chip elsewhere.  The options are
 * copied with the rules of copy_struct_from_user() in reverse.
 */
static int virq_get_chip(struct virq_instance *inst, void __user *argp)
{
	const struct virq_chip_ops *ops = virq_chip_ops(inst);
	const struct virq_instance_view *view = virq_view(inst);
	u32 ksize = ops->options_size, usize;
	struct virq_chip_config uc;
	void __user *uopt;

	if (copy_from_user(&uc, argp, sizeof(uc)))
		return -EFAULT;
	if (uc.flags || uc.padding || !uc.options != !uc.options_size)
		return -EINVAL;
	if (uc.options_size > VIRQ_OPTIONS_MAX_SIZE)
		return -E2BIG;
	uopt = u64_to_user_ptr(uc.options);
	usize = uc.options_size;
	if (usize) {
		/* inst->options is set before the chip is published */
		if (usize < ksize &&
		    memchr_inv((u8 *)inst->options + usize, 0, ksize - usize))
			return -E2BIG;
		if (copy_to_user(uopt, inst->options, min(usize, ksize)))
			return -EFAULT;
		if (usize > ksize && clear_user(uopt + ksize, usize - ksize))
			return -EFAULT;
	}
	uc.family = ops->family;
	uc.nr_vcpus = view->nr_vcpus;
	uc.nr_sources = view->nr_sources;
	uc.options_size = ksize;
	return copy_to_user(argp, &uc, sizeof(uc)) ? -EFAULT : 0;
}

/**
 * virq_set_irq() - drive a source, with validation and tracing
 * @inst: the instance; its chip must exist
 * @source: source number
 * @op: VIRQ_LINE_*
 * @driver: who drives the line
 * @status: (out) virq_irq_line.status
 *
 * Context: any; may run with IRQs disabled (irqfd wakeups).
 * Return: 0 or a negative errno.
 */
int virq_set_irq(struct virq_instance *inst, u32 source, u32 op,
		 enum virq_driver driver, int *status)
{
	const struct virq_chip_ops *ops = inst->view.ops;
	int ret;

	if (!virq_source_valid(inst, source) || op > VIRQ_LINE_EDGE)
		return -EINVAL;
	ret = ops->set_irq(inst, source, op, driver, status);
	trace_virq_inject(inst->id, source, op, ret ? ret : *status);
	return ret;
}

static int virq_check_line(const struct virq_irq_line *line)
{
	if (line->flags || line->op > VIRQ_LINE_EDGE)
		return -EINVAL;
	return 0;
}

static int virq_irq_line(struct virq_instance *inst, void __user *argp)
{
	struct virq_irq_line line;
	int ret;

	struct virq_irq_line __user *uline = argp;

	if (copy_from_user(&line, argp, sizeof(line)))
		return -EFAULT;
	ret = virq_check_line(&line);
	if (ret)
		return ret;
	/*
	 * Make sure the status can be written before driving the line, so
	 * that EFAULT means nothing happened and a retry injects once: write
	 * back what was read.  (Only a concurrent munmap() or mprotect()
	 * can make the write after it fail.)
	 */
	if (put_user(line.status, &uline->status))
		return -EFAULT;

	ret = virq_set_irq(inst, line.source, line.op, VIRQ_DRIVER_USER,
			   &line.status);
	if (ret)
		return ret;

	return put_user(line.status, &uline->status);
}

/*
 * Returns the number of entries applied.  Every entry is checked before
 * the first is applied; a model error on entry i stops the batch there.
 */
static int virq_irq_lines(struct virq_instance *inst, void __user *argp)
{
	struct virq_irq_lines batch;
	struct virq_irq_line *lines;
	u32 i, done = 0;
	int ret = 0;

	if (copy_from_user(&batch, argp, sizeof(batch)))
		return -EFAULT;
	if (batch.flags || !batch.count || batch.count > VIRQ_IRQ_LINES_MAX)
		return -EINVAL;

	lines = memdup_user(u64_to_user_ptr(batch.lines),
			    array_size(batch.count, sizeof(*lines)));
	if (IS_ERR(lines))
		return PTR_ERR(lines);

	for (i = 0; i < batch.count; i++) {
		ret = virq_check_line(&lines[i]);
		if (!ret && !virq_source_valid(inst, lines[i].source))
			ret = -EINVAL;
		if (ret)
			goto out_free;
	}
	/* The statuses must be writable before any line moves: see above */
	if (copy_to_user(u64_to_user_ptr(batch.lines), lines,
			 array_size(batch.count, sizeof(*lines)))) {
		ret = -EFAULT;
		goto out_free;
	}

	for (done = 0; done < batch.count; done++) {
		ret = virq_set_irq(inst, lines[done].source, lines[done].op,
				   VIRQ_DRIVER_USER, &lines[done].status);
		if (ret)
			break;
	}

	if (done && copy_to_user(u64_to_user_ptr(batch.lines), lines,
				 array_size(done, sizeof(*lines))))
		ret = -EFAULT;
	else if (done)
		ret = done;
out_free:
	kfree(lines);
	return ret;
}

static int virq_signal_msi(struct virq_instance *inst, void __user *argp)
{
	const struct virq_chip_ops *ops = inst->view.ops;
	struct virq_msi __user *umsi_p = argp;
	struct virq_msi umsi;
	struct virq_msi_msg msg;
	int ret, status;

	if (copy_from_user(&umsi, argp, sizeof(umsi)))
		return -EFAULT;
	if (umsi.flags & ~VIRQ_MSI_FLAG_DEVID)
		return -EINVAL;
	if (!(umsi.flags & VIRQ_MSI_FLAG_DEVID) && umsi.devid)
		return -EINVAL;
	if (!ops->signal_msi)
		return -EOPNOTSUPP;

	msg.address = (u64)umsi.address_hi << 32 | umsi.address_lo;
	msg.data = umsi.data;
	msg.devid = umsi.devid;
	msg.has_devid = umsi.flags & VIRQ_MSI_FLAG_DEVID;
	/* The status must be writable before the message goes: see above */
	if (put_user(umsi.status, &umsi_p->status))
		return -EFAULT;

	ret = ops->signal_msi(inst, &msg, &status);
	trace_virq_msi(inst->id, msg.address, msg.data, ret ? ret : status);
	if (ret)
		return ret;

	return put_user(status, &umsi_p->status);
}

static int virq_set_gsi_routing(struct virq_instance *inst, void __user *argp)
{
	const struct virq_chip_ops *ops = inst->view.ops;
	struct virq_routing routing;
	struct virq_route *e;
	u32 i;
	int ret;

	if (copy_from_user(&routing, argp, sizeof(routing)))
		return -EFAULT;
	if (routing.flags)
		return -EINVAL;
	if (!ops->set_routing)
		return -EOPNOTSUPP;
	if (routing.nr > virq_max_routes)
		return -E2BIG;

	e = vmemdup_user(u64_to_user_ptr(routing.entries),
			 array_size(routing.nr, sizeof(*e)));
	if (IS_ERR(e))
		return PTR_ERR(e);
	for (i = 0; i < routing.nr; i++) {
		ret = virq_check_route(inst, &e[i]);
		if (ret)
			goto out_free;
	}
	ret = ops->set_routing(inst, e, routing.nr);
out_free:
	kvfree(e);
	return ret;
}

static int virq_update_gsi_route(struct virq_instance *inst,
				 void __user *argp)
{
	const struct virq_chip_ops *ops = inst->view.ops;
	struct virq_route_update u;
	int ret;

	if (copy_from_user(&u, argp, sizeof(u)))
		return -EFAULT;
	if (!ops->update_route)
		return -EOPNOTSUPP;
	ret = virq_check_route_update(inst, &u);
	if (ret)
		return ret;
	return ops->update_route(inst, u.op, &u.route);
}

static int virq_get_gsi_routing(struct virq_instance *inst, void __user *argp)
{
	const struct virq_chip_ops *ops = inst->view.ops;
	struct virq_routing routing;
	struct virq_route *e;
	u32 nr;
	int ret;

	if (copy_from_user(&routing, argp, sizeof(routing)))
		return -EFAULT;
	if (routing.flags)
		return -EINVAL;
	if (!ops->get_routing)
		return -EOPNOTSUPP;

	/* No table is larger than max_routes: a bigger buffer is not filled. */
	nr = min(routing.nr, virq_max_routes);
	e = kvcalloc(max_t(u32, nr, 1), sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	ret = ops->get_routing(inst, e, &nr);
	if (!ret && copy_to_user(u64_to_user_ptr(routing.entries), e,
				 array_size(nr, sizeof(*e))))
		ret = -EFAULT;
	if ((!ret || ret == -ENOSPC) &&
	    put_user(nr, &((struct virq_routing __user *)argp)->nr))
		ret = -EFAULT;
	kvfree(e);
	return ret;
}

static int virq_sources(struct virq_instance *inst, void __user *argp,
			bool set)
{
	const struct virq_chip_ops *ops = inst->view.ops;
	struct virq_sources req;
	size_t bytes;
	u64 *words;
	int ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	ret = virq_check_sources(inst, &req);
	if (ret)
		return ret;

	bytes = array_size(req.count, sizeof(*words));
	/* Zeroed: a word a model skips must not leak kernel memory. */
	words = kvzalloc(bytes, GFP_KERNEL_ACCOUNT);
	if (!words)
		return -ENOMEM;

	if (set) {
		ret = -EFAULT;
		if (copy_from_user(words, u64_to_user_ptr(req.addr), bytes))
			goto out_free;
		ret = ops->set_sources(inst, req.first, req.count, words);
	} else {
		ret = ops->get_sources(inst, req.first, req.count, words);
		if (!ret && copy_to_user(u64_to_user_ptr(req.addr), words,
					 bytes))
			ret = -EFAULT;
	}
out_free:
	kvfree(words);
	return ret;
}

static int virq_chip_get_attr(void *obj, u32 group, u64 attr, void *buf,
			      u32 *size)
{
	struct virq_instance *inst = obj;

	if (!inst->view.ops->get_attr)
		return -ENXIO;
	return inst->view.ops->get_attr(inst, group, attr, buf, size);
}

static int virq_chip_set_attr(void *obj, u32 group, u64 attr,
			      const void *buf, u32 size)
{
	struct virq_instance *inst = obj;

	if (!inst->view.ops->set_attr)
		return -ENXIO;
	return inst->view.ops->set_attr(inst, group, attr, buf, size);
}

static int virq_chip_has_attr(void *obj, u32 group, u64 attr)
{
	struct virq_instance *inst = obj;

	if (!inst->view.ops->has_attr)
		return -ENXIO;
	return inst->view.ops->has_attr(inst, group, attr);
}

static int virq_attr_get(struct mutex *lock, const struct virq_attr_target *t,
			 const struct virq_attr *ua, u32 __user *usize)
{
	/* No attribute is larger: a bigger buffer is simply not filled. */
	u32 size = min_t(u32, ua->size, VIRQ_ATTR_MAX_SIZE);
	void *buf;
	int ret;

	buf = kvzalloc(max_t(u32, size, 1), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;

	mutex_lock(lock);
	ret = t->get(t->obj, ua->group, ua->attr, buf, &size);
	mutex_unlock(lock);
	if (!ret && size > min_t(u32, ua->size, VIRQ_ATTR_MAX_SIZE))
		ret = -ENOSPC;	/* a model must not write past the buffer */
	if (!ret && copy_to_user(u64_to_user_ptr(ua->addr), buf, size))
		ret = -EFAULT;
	if ((!ret || ret == -ENOSPC) && put_user(size, usize))
		ret = -EFAULT;
	kvfree(buf);
	return ret;
}

static int virq_attr_set(struct mutex *lock, const struct virq_attr_target *t,
			 const struct virq_attr *ua)
{
	void *buf;
	int ret;

	if (ua->size > VIRQ_ATTR_MAX_SIZE)
		return -E2BIG;
	buf = vmemdup_user(u64_to_user_ptr(ua->addr), ua->size);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	mutex_lock(lock);
	ret = t->set(t->obj, ua->group, ua->attr, buf, ua->size);
	mutex_unlock(lock);
	kvfree(buf);
	return ret;
}

/**
 * virq_attr_ioctl() - VIRQ_{GET,SET,HAS}_ATTR and VIRQ_VCPU_{GET,SET,HAS}_ATTR
 * @lock: serialises attribute calls on the instance
 * @t: the object and its callbacks
 * @argp: user pointer to struct virq_attr
 * @op: which of the three
 *
 * Return: 0 or a negative errno.
 */
int virq_attr_ioctl(struct mutex *lock, const struct virq_attr_target *t,
		    void __user *argp, enum virq_attr_op op)
{
	struct virq_attr ua;
	int ret;

	if (copy_from_user(&ua, argp, sizeof(ua)))
		return -EFAULT;
	if (ua.flags || ua.padding)
		return -EINVAL;

	switch (op) {
	case VIRQ_ATTR_GET:
		return virq_attr_get(lock, t, &ua,
				     &((struct virq_attr __user *)argp)->size);
	case VIRQ_ATTR_SET:
		return virq_attr_set(lock, t, &ua);
	case VIRQ_ATTR_HAS:
		mutex_lock(lock);
		ret = t->has(t->obj, ua.group, ua.attr);
		mutex_unlock(lock);
		return ret;
	}
	return -EINVAL;
}

/**
 * virq_call_ioctl() - VIRQ_CHIP_CALL and VIRQ_VCPU_CALL plumbing
 * @argp: user pointer to struct virq_call
 * @fn: the model's callback, bound to @obj
 * @obj: instance or vCPU
 *
 * Return: 0 or a negative errno.
 */
int virq_call_ioctl(void __user *argp,
		    int (*fn)(void *obj, struct virq_call_args *call),
		    void *obj)
{
	struct virq_call uc;
	struct virq_call_args call = {};
	int ret;

	if (copy_from_user(&uc, argp, sizeof(uc)))
		return -EFAULT;
	if (uc.flags)
		return -EINVAL;

	call.nr = uc.nr;
	memcpy(call.args, uc.args, sizeof(call.args));
	/*
	 * A call acts (H_XIRR takes an interrupt, MSI_ALLOC allocates): the
	 * results must be writable before, so that EFAULT means it did
	 * nothing and the caller may retry.
	 */
	if (copy_to_user(argp, &uc, sizeof(uc)))
		return -EFAULT;
	ret = fn(obj, &call);
	if (ret)
		return ret;

	memset(&uc, 0, sizeof(uc));
	uc.nr = call.nr;
	uc.ret = call.ret;
	memcpy(uc.args, call.args, sizeof(uc.args));
	memcpy(uc.rets, call.rets, sizeof(uc.rets));
	return copy_to_user(argp, &uc, sizeof(uc)) ? -EFAULT : 0;
}

static int virq_chip_call(void *obj, struct virq_call_args *call)
{
	struct virq_instance *inst = obj;

	if (!inst->view.ops->chip_call)
		return -EOPNOTSUPP;
	return inst->view.ops->chip_call(inst, call);
}

long virq_instance_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct virq_instance *inst = file->private_data;
	void __user *argp = (void __user *)arg;
	struct virq_attr_target chip_attr = {
		.get = virq_chip_get_attr,
		.set = virq_chip_set_attr,
		.has = virq_chip_has_attr,
		.obj = inst,
	};

	/* Calls that do not need a chip */
	switch (cmd) {
	case VIRQ_GET_API:
		return virq_get_api(argp);
	case VIRQ_GET_FAMILY:
		return virq_get_family(argp);
	case VIRQ_CREATE_CHIP:
		return virq_create_chip(inst, argp);
	case VIRQ_SET_MEMORY_REGION:
		return virq_set_memory_region(inst, argp);
	case VIRQ_CREATE_VCPU:
	case VIRQ_IRQ_LINE:
	case VIRQ_IRQ_LINES:
	case VIRQ_SIGNAL_MSI:
	case VIRQ_IRQFD:
	case VIRQ_SET_GSI_ROUTING:
	case VIRQ_UPDATE_GSI_ROUTE:
	case VIRQ_GET_GSI_ROUTING:
	case VIRQ_GET_SOURCES:
	case VIRQ_SET_SOURCES:
	case VIRQ_GET_ATTR:
	case VIRQ_SET_ATTR:
	case VIRQ_HAS_ATTR:
	case VIRQ_CHIP_CALL:
	case VIRQ_GET_CHIP:
		break;
	default:
		return -ENOTTY;
	}

	if (!virq_chip_ops(inst))
		return -ENODEV;

	switch (cmd) {
	case VIRQ_CREATE_VCPU:
		return virq_create_vcpu(inst, argp);
	case VIRQ_IRQ_LINE:
		return virq_irq_line(inst, argp);
	case VIRQ_IRQ_LINES:
		return virq_irq_lines(inst, argp);
	case VIRQ_SIGNAL_MSI:
		return virq_signal_msi(inst, argp);
	case VIRQ_IRQFD:
		return virq_irqfd(inst, argp);
	case VIRQ_SET_GSI_ROUTING:
		return virq_set_gsi_routing(inst, argp);
	case VIRQ_UPDATE_GSI_ROUTE:
		return virq_update_gsi_route(inst, argp);
	case VIRQ_GET_GSI_ROUTING:
		return virq_get_gsi_routing(inst, argp);
	case VIRQ_GET_SOURCES:
		return virq_sources(inst, argp, false);
	case VIRQ_SET_SOURCES:
		return virq_sources(inst, argp, true);
	case VIRQ_GET_ATTR:
		return virq_attr_ioctl(&inst->lock, &chip_attr, argp,
				       VIRQ_ATTR_GET);
	case VIRQ_SET_ATTR:
		return virq_attr_ioctl(&inst->lock, &chip_attr, argp,
				       VIRQ_ATTR_SET);
	case VIRQ_HAS_ATTR:
		return virq_attr_ioctl(&inst->lock, &chip_attr, argp,
				       VIRQ_ATTR_HAS);
	case VIRQ_CHIP_CALL:
		return virq_call_ioctl(argp, virq_chip_call, inst);
	case VIRQ_GET_CHIP:
		return virq_get_chip(inst, argp);
	}
	return -ENOTTY;
}

void virq_trace_eoi(struct virq_instance *inst, u32 source)
{
	trace_virq_eoi(inst->id, source);
}
