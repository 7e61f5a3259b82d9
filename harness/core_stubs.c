// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's virq core: see core_stubs.h.  Each entry point follows
 * the order and the checks of its kernel counterpart, which is named in
 * its comment; keep them in step.
 */
#define pr_fmt(fmt) "harness: " fmt

#include <stdlib.h>

#include <linux/bitmap.h>
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "../virq/chip.h"
#include "core_stubs.h"

/* virq_chip_ops() of core.h */
static const struct virq_chip_ops *harness_chip_ops(struct virq_instance *inst)
{
	/* Pairs with smp_store_release() in harness_create_chip(). */
	return smp_load_acquire(&inst->view.ops);
}

unsigned int harness_max_vcpus = 1024;
unsigned int harness_max_sources = VIRQ_XICS_MAX_SOURCES;
unsigned int harness_max_routes = VIRQ_ROUTES_DEFAULT_MAX;

/* --- services models call (vcpu.c, irqfd.c, instance.c) --- */

struct virq_vcpu *virq_get_vcpu(struct virq_instance *inst, u32 index)
{
	return virq_vcpu_slot(inst, inst->vcpus, index);
}

/*
 * The core wakes the vCPU fd's pollers, under the wait queue's spinlock_t:
 * take a spinlock_t here too, so that a kick made under a raw model lock
 * shows up as an invalid nesting.
 */
void virq_vcpu_kick(struct virq_vcpu *vcpu)
{
	struct harness_vcpu *hv = harness_vcpu(vcpu);
	unsigned long flags;

	spin_lock_irqsave(&hv->wq_lock, flags);
	hv->kicks++;
	spin_unlock_irqrestore(&hv->wq_lock, flags);
}

void virq_notify_eoi(struct virq_instance *inst, u32 source)
{
	int status;

	/* "Called without model locks held, from process context." */
	WARN_ON(harness_locks_held());
	inst->eoi_log[inst->nr_notify_eoi++ % HARNESS_EOI_LOG] = source;

	if (inst->resample && source < inst->view.nr_sources &&
	    test_bit(source, inst->resample)) {
		harness_set_irq(inst, source, VIRQ_LINE_RESET,
				VIRQ_DRIVER_RESAMPLE, false, &status);
		inst->nr_resample_signals++;
	}
}

/*
 * Notifiers: a negative fd is "not an eventfd"; any other fd gets a
 * counter that tests read through harness_notifier_count().
 */
struct virq_notifier {
	int fd;
	unsigned long signals;
};

struct virq_notifier *virq_notifier_get(int fd)
{
	struct virq_notifier *n;

	if (fd < 0)
		return ERR_PTR(-EBADF);
	n = kzalloc(sizeof(*n), GFP_KERNEL_ACCOUNT);
	if (!n)
		return ERR_PTR(-ENOMEM);
	n->fd = fd;
	return n;
}

void virq_notifier_signal(struct virq_notifier *n)
{
	n->signals++;
}

void virq_notifier_put(struct virq_notifier *n)
{
	kfree(n);
}

unsigned long harness_notifier_count(struct virq_notifier *n)
{
	return n ? n->signals : 0;
}

void virq_trace_ack(struct virq_vcpu *vcpu, u64 id)
{
	struct harness_vcpu *hv = harness_vcpu(vcpu);

	hv->nr_trace_ack++;
	hv->last_ack = id;
}

void virq_trace_eoi(struct virq_instance *inst, u32 source)
{
	inst->nr_trace_eoi++;
	inst->last_trace_eoi = source;
}

/* --- lifetime (instance.c, vcpu.c) --- */

/* virq_instance_open() */
struct virq_instance *harness_instance_open(void)
{
	struct virq_instance *inst;

	inst = kzalloc(sizeof(*inst), GFP_KERNEL_ACCOUNT);
	if (!inst)
		return NULL;
	mutex_init(&inst->lock);
	spin_lock_init(&inst->irqfd_wq_lock);
	return inst;
}

/* virq_vcpus_free() */
static void harness_vcpus_free(struct virq_instance *inst)
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
		kfree(harness_vcpu(vcpu));
	}
	kfree(inst->vcpus);
	inst->vcpus = NULL;
}

/* virq_instance_free() */
void harness_instance_close(struct virq_instance *inst)
{
	const struct virq_chip_ops *ops;

	if (!inst)
		return;
	ops = harness_chip_ops(inst);
	if (ops)
		ops->destroy(inst);
	harness_vcpus_free(inst);
	mutex_destroy(&inst->lock);
	free(inst->resample);
	kfree(inst);
}

/* copy_struct_from_user(): zero-extend, or refuse non-zero extra bytes */
static int harness_copy_struct(void *dst, size_t ksize, const void *src,
			       size_t usize)
{
	size_t size = min(ksize, usize);

	if (usize > ksize && memchr_inv((const u8 *)src + ksize, 0,
					usize - ksize))
		return -E2BIG;
	memset(dst, 0, ksize);
	if (size)
		memcpy(dst, src, size);
	return 0;
}

/* virq_create_chip(), from after the family lookup */
int harness_create_chip(struct virq_instance *inst,
			const struct virq_chip_ops *ops, u32 nr_vcpus,
			u32 nr_sources, const void *options,
			u32 options_size)
{
	struct virq_chip_config uc = {
		.family = ops->family,
		.nr_vcpus = nr_vcpus,
		.nr_sources = nr_sources,
		.options = (uintptr_t)options,
		.options_size = options_size,
	};
	struct virq_config cfg = {};
	void *opts = NULL;
	int ret;

	ret = virq_check_chip_config(&uc, ops, harness_max_vcpus,
				     harness_max_sources);
	if (ret)
		return ret;

	if (ops->options_size || options_size) {
		opts = kzalloc(max_t(u32, ops->options_size, 1),
			       GFP_KERNEL_ACCOUNT);
		if (!opts)
			return -ENOMEM;
		ret = harness_copy_struct(opts, ops->options_size, options,
					  options_size);
		if (ret)
			goto out_free;
	}

	cfg.family = ops->family;
	cfg.nr_vcpus = nr_vcpus;
	cfg.nr_sources = nr_sources;
	cfg.max_routes = harness_max_routes;
	cfg.options = opts;

	mutex_lock(&inst->lock);
	if (inst->view.ops)
		ret = -EEXIST;
	else
		ret = virq_install_chip(inst, &inst->vcpus, ops, &cfg);
	mutex_unlock(&inst->lock);
out_free:
	kfree(opts);
	return ret;
}

/* virq_create_vcpu() (no fd: the anon inode step cannot fail here) */
int harness_create_vcpu(struct virq_instance *inst, u32 index, u64 arch_id,
			struct virq_vcpu **vcpu)
{
	const struct virq_chip_ops *ops = inst->view.ops;
	struct harness_vcpu *hv;
	int ret;

	if (!ops)
		return -ENODEV;
	if (index >= inst->view.nr_vcpus)
		return -EINVAL;
	index = array_index_nospec(index, inst->view.nr_vcpus);

	hv = kzalloc(sizeof(*hv), GFP_KERNEL_ACCOUNT);
	if (!hv)
		return -ENOMEM;
	spin_lock_init(&hv->wq_lock);
	hv->vcpu.inst = inst;
	hv->vcpu.index = index;
	hv->vcpu.arch_id = arch_id;

	mutex_lock(&inst->lock);
	ret = -EEXIST;
	if (inst->vcpus[index] ||
	    virq_arch_id_in_use(inst, inst->vcpus, arch_id))
		goto out_unlock;

	ret = ops->vcpu_create(&hv->vcpu);
	if (ret)
		goto out_unlock;

	/* Pairs with smp_load_acquire() in virq_get_vcpu(). */
	smp_store_release(&inst->vcpus[index], &hv->vcpu);
	mutex_unlock(&inst->lock);
	if (vcpu)
		*vcpu = &hv->vcpu;
	return 0;

out_unlock:
	mutex_unlock(&inst->lock);
	kfree(hv);
	return ret;
}

/* --- instance ioctls (instance.c) --- */

/* virq_set_irq(); @atomic: from an irqfd wakeup, IRQs off */
int harness_set_irq(struct virq_instance *inst, u32 source, u32 op,
		    enum virq_driver driver, bool atomic, int *status)
{
	const struct virq_chip_ops *ops = harness_chip_ops(inst);
	unsigned long flags;
	int ret;

	if (!ops)
		return -ENODEV;
	if (op > VIRQ_LINE_EDGE)
		return -EINVAL;
	if (ops->check_source ? ops->check_source(inst, source) :
	    source >= inst->view.nr_sources)
		return -EINVAL;
	if (!atomic)
		return ops->set_irq(inst, source, op, driver, status);

	spin_lock_irqsave(&inst->irqfd_wq_lock, flags);
	ret = ops->set_irq(inst, source, op, driver, status);
	spin_unlock_irqrestore(&inst->irqfd_wq_lock, flags);
	return ret;
}

/* virq_signal_msi(), no devid */
int harness_signal_msi(struct virq_instance *inst, u64 address, u32 data,
		       int *status)
{
	const struct virq_chip_ops *ops = harness_chip_ops(inst);
	struct virq_msi_msg msg = {
		.address = address,
		.data = data,
	};

	if (!ops)
		return -ENODEV;
	if (!ops->signal_msi)
		return -EOPNOTSUPP;
	return ops->signal_msi(inst, &msg, status);
}

int harness_signal_msi_msg(struct virq_instance *inst,
			   const struct virq_msi_msg *msg, bool atomic,
			   int *status)
{
	const struct virq_chip_ops *ops = harness_chip_ops(inst);
	unsigned long flags;
	int ret;

	if (!ops)
		return -ENODEV;
	if (!ops->signal_msi)
		return -EOPNOTSUPP;
	if (!msg->has_devid && msg->devid)
		return -EINVAL;
	if (!atomic)
		return ops->signal_msi(inst, msg, status);
	spin_lock_irqsave(&inst->irqfd_wq_lock, flags);
	ret = ops->signal_msi(inst, msg, status);
	spin_unlock_irqrestore(&inst->irqfd_wq_lock, flags);
	return ret;
}

/* --- guest memory (guestmem.c) --- */

#define HARNESS_PAGE	4096ULL

int harness_set_memory_region(struct virq_instance *inst, u32 slot, u64 gpa,
			      u64 size, void *host)
{
	u32 i;

	if (slot >= VIRQ_MEMORY_SLOTS)
		return -EINVAL;
	if (!size) {
		if (!inst->memslots[slot].size)
			return -ENOENT;
		inst->memslots[slot].size = 0;
		return 0;
	}
	if (gpa % HARNESS_PAGE || size % HARNESS_PAGE ||
	    (uintptr_t)host % HARNESS_PAGE || gpa + size < gpa)
		return -EINVAL;
	if (inst->memslots[slot].size)
		return -EEXIST;
	for (i = 0; i < VIRQ_MEMORY_SLOTS; i++) {
		u64 g = inst->memslots[i].gpa, sz = inst->memslots[i].size;

		if (sz && gpa < g + sz && g < gpa + size)
			return -EEXIST;
	}
	inst->memslots[slot].gpa = gpa;
	inst->memslots[slot].size = size;
	inst->memslots[slot].host = host;
	return 0;
}

static int harness_guest_copy(struct virq_instance *inst, u64 gpa, void *buf,
			      size_t len, bool write)
{
	inst->nr_guest_copies++;
	while (len) {
		void *host = NULL;
		size_t n = 0;
		u32 i;

		for (i = 0; i < VIRQ_MEMORY_SLOTS; i++) {
			u64 g = inst->memslots[i].gpa;
			u64 sz = inst->memslots[i].size;

			if (sz && gpa >= g && gpa - g < sz) {
				host = (char *)inst->memslots[i].host +
				       (gpa - g);
				n = min_t(u64, len, g + sz - gpa);
				break;
			}
		}
		if (!host)
			return -EFAULT;
		if (write)
			memcpy(host, buf, n);
		else
			memcpy(buf, host, n);
		gpa += n;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

int virq_guest_read(struct virq_instance *inst, u64 gpa, void *buf,
		    size_t len)
{
	return harness_guest_copy(inst, gpa, buf, len, false);
}

int virq_guest_write(struct virq_instance *inst, u64 gpa, const void *buf,
		     size_t len)
{
	return harness_guest_copy(inst, gpa, (void *)buf, len, true);
}

/* virq_sources(): the core's checks, then a kernel copy of the words */
static int harness_sources(struct virq_instance *inst, u32 first, u32 count,
			   u64 *words, bool set)
{
	const struct virq_chip_ops *ops = harness_chip_ops(inst);
	struct virq_sources req = { .first = first, .count = count };
	u64 *kwords;
	int ret;

	if (!ops)
		return -ENODEV;
	ret = virq_check_sources(inst, &req);
	if (ret)
		return ret;

	kwords = kvmalloc(array_size(count, sizeof(*kwords)),
			  GFP_KERNEL_ACCOUNT);
	if (!kwords)
		return -ENOMEM;
	if (set) {
		memcpy(kwords, words, count * sizeof(*kwords));
		ret = ops->set_sources(inst, first, count, kwords);
	} else {
		ret = ops->get_sources(inst, first, count, kwords);
		if (!ret)
			memcpy(words, kwords, count * sizeof(*kwords));
	}
	kvfree(kwords);
	return ret;
}

int harness_get_sources(struct virq_instance *inst, u32 first, u32 count,
			u64 *words)
{
	return harness_sources(inst, first, count, words, false);
}

int harness_set_sources(struct virq_instance *inst, u32 first, u32 count,
			const u64 *words)
{
	return harness_sources(inst, first, count, (u64 *)words, true);
}

/* virq_call_ioctl(): the model gets nr and args, everything else zero */
static int harness_call(int (*fn)(void *obj, struct virq_call_args *call),
			void *obj, struct virq_call_args *call)
{
	struct virq_call_args kcall = {};
	int ret;

	kcall.nr = call->nr;
	memcpy(kcall.args, call->args, sizeof(kcall.args));
	ret = fn(obj, &kcall);
	if (ret)
		return ret;
	*call = kcall;
	return 0;
}

static int harness_chip_call_fn(void *obj, struct virq_call_args *call)
{
	struct virq_instance *inst = obj;

	if (!inst->view.ops->chip_call)
		return -EOPNOTSUPP;
	return inst->view.ops->chip_call(inst, call);
}

int harness_chip_call(struct virq_instance *inst,
		      struct virq_call_args *call)
{
	if (!harness_chip_ops(inst))
		return -ENODEV;
	return harness_call(harness_chip_call_fn, inst, call);
}

/* virq_attr_ioctl(), between copy_from_user() and copy_to_user() */
static int harness_attr(struct mutex *lock,
			int (*get)(void *obj, u32 group, u64 attr, void *buf,
				   u32 *size),
			int (*set)(void *obj, u32 group, u64 attr,
				   const void *buf, u32 size),
			void *obj, u32 group, u64 attr, void *ubuf,
			u32 *usize, bool is_set)
{
	/* virq_attr_get() clamps, virq_attr_set() refuses */
	u32 size = min_t(u32, *usize, VIRQ_ATTR_MAX_SIZE);
	void *buf;
	int ret;

	if (is_set && *usize > VIRQ_ATTR_MAX_SIZE)
		return -E2BIG;
	buf = kvzalloc(max_t(u32, size, 1), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;

	if (is_set) {
		if (size)	/* a size-0 SET may pass no buffer at all */
			memcpy(buf, ubuf, size);
		mutex_lock(lock);
		ret = set(obj, group, attr, buf, size);
		mutex_unlock(lock);
		goto out_free;
	}

	mutex_lock(lock);
	ret = get(obj, group, attr, buf, &size);
	mutex_unlock(lock);
	if (!ret && size > min_t(u32, *usize, VIRQ_ATTR_MAX_SIZE))
		ret = -ENOSPC;
	if (!ret)
		memcpy(ubuf, buf, size);
	if (!ret || ret == -ENOSPC)
		*usize = size;
out_free:
	kvfree(buf);
	return ret;
}

static int harness_chip_get_attr(void *obj, u32 group, u64 attr, void *buf,
				 u32 *size)
{
	struct virq_instance *inst = obj;

	if (!inst->view.ops->get_attr)
		return -ENXIO;
	return inst->view.ops->get_attr(inst, group, attr, buf, size);
}

static int harness_chip_set_attr(void *obj, u32 group, u64 attr,
				 const void *buf, u32 size)
{
	struct virq_instance *inst = obj;

	if (!inst->view.ops->set_attr)
		return -ENXIO;
	return inst->view.ops->set_attr(inst, group, attr, buf, size);
}

int harness_get_attr(struct virq_instance *inst, u32 group, u64 attr,
		     void *buf, u32 *size)
{
	if (!harness_chip_ops(inst))
		return -ENODEV;
	return harness_attr(&inst->lock, harness_chip_get_attr, NULL, inst,
			    group, attr, buf, size, false);
}

int harness_set_attr(struct virq_instance *inst, u32 group, u64 attr,
		     const void *buf, u32 size)
{
	if (!harness_chip_ops(inst))
		return -ENODEV;
	return harness_attr(&inst->lock, NULL, harness_chip_set_attr, inst,
			    group, attr, (void *)buf, &size, true);
}

/* virq_has_attr() */
int harness_has_attr(struct virq_instance *inst, u32 group, u64 attr)
{
	const struct virq_chip_ops *ops = harness_chip_ops(inst);
	int ret;

	if (!ops)
		return -ENODEV;
	if (!ops->has_attr)
		return -ENXIO;
	mutex_lock(&inst->lock);
	ret = ops->has_attr(inst, group, attr);
	mutex_unlock(&inst->lock);
	return ret;
}

void harness_show(struct virq_instance *inst, struct seq_file *m)
{
	const struct virq_chip_ops *ops = harness_chip_ops(inst);

	if (ops && ops->show)
		ops->show(inst, m);
}

int harness_add_resampler(struct virq_instance *inst, u32 source)
{
	if (source >= inst->view.nr_sources)
		return -EINVAL;
	if (!inst->resample) {
		inst->resample = calloc(BITS_TO_LONGS(inst->view.nr_sources),
					sizeof(long));
		if (!inst->resample)
			return -ENOMEM;
	}
	__set_bit(source, inst->resample);
	return 0;
}

/* --- vCPU ioctls (vcpu.c) --- */

static int harness_vcpu_call_fn(void *obj, struct virq_call_args *call)
{
	struct virq_vcpu *vcpu = obj;

	if (!vcpu->inst->view.ops->vcpu_call)
		return -EOPNOTSUPP;
	return vcpu->inst->view.ops->vcpu_call(vcpu, call);
}

int harness_vcpu_call(struct virq_vcpu *vcpu, struct virq_call_args *call)
{
	return harness_call(harness_vcpu_call_fn, vcpu, call);
}

u32 harness_vcpu_output(struct virq_vcpu *vcpu)
{
	return vcpu->inst->view.ops->vcpu_output(vcpu, NULL);
}

int harness_vcpu_ack(struct virq_vcpu *vcpu, u64 *id)
{
	const struct virq_chip_ops *ops = vcpu->inst->view.ops;

	if (!ops->vcpu_ack)
		return -EOPNOTSUPP;
	return ops->vcpu_ack(vcpu, 0, id);
}

static int harness_vcpu_get_attr_fn(void *obj, u32 group, u64 attr,
				    void *buf, u32 *size)
{
	struct virq_vcpu *vcpu = obj;

	if (!vcpu->inst->view.ops->vcpu_get_attr)
		return -ENXIO;
	return vcpu->inst->view.ops->vcpu_get_attr(vcpu, group, attr, buf,
						   size);
}

static int harness_vcpu_set_attr_fn(void *obj, u32 group, u64 attr,
				    const void *buf, u32 size)
{
	struct virq_vcpu *vcpu = obj;

	if (!vcpu->inst->view.ops->vcpu_set_attr)
		return -ENXIO;
	return vcpu->inst->view.ops->vcpu_set_attr(vcpu, group, attr, buf,
						   size);
}

int harness_vcpu_get_attr(struct virq_vcpu *vcpu, u32 group, u64 attr,
			  void *buf, u32 *size)
{
	return harness_attr(&vcpu->inst->lock, harness_vcpu_get_attr_fn, NULL,
			    vcpu, group, attr, buf, size, false);
}

int harness_vcpu_set_attr(struct virq_vcpu *vcpu, u32 group, u64 attr,
			  const void *buf, u32 size)
{
	return harness_attr(&vcpu->inst->lock, NULL, harness_vcpu_set_attr_fn,
			    vcpu, group, attr, (void *)buf, &size, true);
}
