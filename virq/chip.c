// SPDX-License-Identifier: GPL-2.0
/*
 * Argument checks and chip installation shared by the core and the
 * userspace harness (see chip.h).  Nothing here touches user memory or a
 * struct file; callers own locking as each function states.
 */
#include <linux/errno.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/string.h>

#include "chip.h"

/**
 * virq_check_chip_config() - the family-independent VIRQ_CREATE_CHIP rules
 * @uc: the caller's struct, copied in
 * @ops: the family @uc->family names
 * @max_vcpus: the module's vCPU limit
 * @max_sources: the module's source limit
 *
 * Return: 0, -EINVAL or -E2BIG (options larger than VIRQ_OPTIONS_MAX_SIZE).
 */
int virq_check_chip_config(const struct virq_chip_config *uc,
			   const struct virq_chip_ops *ops,
			   u32 max_vcpus, u32 max_sources)
{
	if (uc->flags || uc->padding)
		return -EINVAL;
	if (!uc->nr_vcpus || uc->nr_vcpus > min(ops->max_vcpus, max_vcpus))
		return -EINVAL;
	if (!uc->nr_sources ||
	    uc->nr_sources > min(ops->max_sources, max_sources))
		return -EINVAL;
	if (!uc->options != !uc->options_size)
		return -EINVAL;
	if (uc->options_size > VIRQ_OPTIONS_MAX_SIZE)
		return -E2BIG;
	return 0;
}

/**
 * virq_install_chip() - create the model and publish it
 * @inst: the instance, with no chip yet
 * @vcpus: the instance's vCPU pointer array, allocated here
 * @ops: the family
 * @cfg: validated configuration
 *
 * Context: the instance lock is held and the caller has checked that no
 * chip exists.  On failure the instance is as it was.
 * Return: 0, -ENOMEM or the model's errno.
 */
int virq_install_chip(struct virq_instance *inst, struct virq_vcpu ***vcpus,
		      const struct virq_chip_ops *ops,
		      const struct virq_config *cfg)
{
	struct virq_instance_view *view = virq_view(inst);
	int ret;

	*vcpus = kcalloc(cfg->nr_vcpus, sizeof(**vcpus), GFP_KERNEL_ACCOUNT);
	if (!*vcpus)
		return -ENOMEM;
	view->nr_vcpus = cfg->nr_vcpus;
	view->nr_sources = cfg->nr_sources;

	ret = ops->create(inst, cfg);
	if (ret) {
		kfree(*vcpus);
		*vcpus = NULL;
		view->nr_vcpus = 0;
		view->nr_sources = 0;
		return ret;
	}
	/* Publish: lockless readers load view->ops with acquire. */
	smp_store_release(&view->ops, ops);
	return 0;
}

/**
 * virq_vcpu_slot() - the published vCPU at @index
 * @inst: the instance
 * @vcpus: its vCPU pointer array
 * @index: vCPU index, checked here
 *
 * Context: any.
 * Return: the vCPU, or NULL if @index is out of range or not created.
 */
struct virq_vcpu *virq_vcpu_slot(struct virq_instance *inst,
				 struct virq_vcpu **vcpus, u32 index)
{
	u32 nr = virq_view(inst)->nr_vcpus;

	if (index >= nr)
		return NULL;
	index = array_index_nospec(index, nr);
	/* Pairs with smp_store_release() when the vCPU is created. */
	return smp_load_acquire(&vcpus[index]);
}

/**
 * virq_arch_id_in_use() - is @arch_id taken by a vCPU of @inst?
 * @inst: the instance
 * @vcpus: its vCPU pointer array
 * @arch_id: architectural id
 *
 * Context: the instance lock is held (vCPUs are published under it).
 */
bool virq_arch_id_in_use(struct virq_instance *inst,
			 struct virq_vcpu **vcpus, u64 arch_id)
{
	u32 i;

	for (i = 0; i < virq_view(inst)->nr_vcpus; i++)
		if (vcpus[i] && vcpus[i]->arch_id == arch_id)
			return true;
	return false;
}

/**
 * virq_check_sources() - the VIRQ_{GET,SET}_SOURCES argument rules
 * @inst: the instance; its chip exists
 * @req: the caller's struct, copied in
 *
 * Return: 0, -EINVAL, or -EOPNOTSUPP when the family keeps no source state.
 */
int virq_check_sources(struct virq_instance *inst,
		       const struct virq_sources *req)
{
	const struct virq_instance_view *view = virq_view(inst);
	u32 end;

	if (req->flags || req->padding)
		return -EINVAL;
	if (!req->count || req->count > VIRQ_SOURCES_MAX)
		return -EINVAL;
	if (check_add_overflow(req->first, req->count, &end) ||
	    end > view->nr_sources)
		return -EINVAL;
	if (!view->ops->get_sources || !view->ops->set_sources)
		return -EOPNOTSUPP;
	return 0;
}

/**
 * virq_check_route() - the family-independent rules of one routing entry
 * @inst: the instance; its chip exists
 * @e: the entry, copied in
 *
 * Return: 0 or -EINVAL (GSI beyond nr_sources, unknown type or flags,
 * DEVID without MSI, non-zero padding or unused words).
 */
int virq_check_route(struct virq_instance *inst, const struct virq_route *e)
{
	u32 used;

	if (e->gsi >= virq_view(inst)->nr_sources || e->pad)
		return -EINVAL;
	if (e->flags & ~VIRQ_ROUTE_FLAG_DEVID)
		return -EINVAL;
	switch (e->type) {
	case VIRQ_ROUTE_IRQCHIP:
		if (e->flags)
			return -EINVAL;
		used = 2;
		break;
	case VIRQ_ROUTE_MSI:
		used = 4;
		if (!(e->flags & VIRQ_ROUTE_FLAG_DEVID) && e->u.msi.devid)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (memchr_inv(&e->u.pad[used], 0,
		       sizeof(e->u.pad) - used * sizeof(e->u.pad[0])))
		return -EINVAL;
	return 0;
}

/**
 * virq_check_route_update() - the rules of a VIRQ_UPDATE_GSI_ROUTE
 * @inst: the instance; its chip exists
 * @u: the update, copied in
 *
 * Return: 0 or -EINVAL.
 */
int virq_check_route_update(struct virq_instance *inst,
			    const struct virq_route_update *u)
{
	struct virq_route clear = { .gsi = u->route.gsi };

	if (u->flags)
		return -EINVAL;
	switch (u->op) {
	case VIRQ_ROUTE_OP_ADD:
	case VIRQ_ROUTE_OP_DELETE:
	case VIRQ_ROUTE_OP_REPLACE:
		return virq_check_route(inst, &u->route);
	case VIRQ_ROUTE_OP_CLEAR:
		if (u->route.gsi >= virq_view(inst)->nr_sources ||
		    memcmp(&u->route, &clear, sizeof(clear)))
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}
