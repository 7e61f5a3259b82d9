// SPDX-License-Identifier: GPL-2.0
/*
 * virq: in-kernel interrupt controllers for any VMM.
 *
 * This file holds the module glue: the /dev/virq misc device, the module
 * parameters and the table of built-in model families.
 *
 * Locking order (see also instance.c, vcpu.c and irqfd.c):
 *
 *   virq_instance->lock (mutex; chip, vCPU and attribute calls)
 *   virq_instance->irqfd_mutex (mutex; irqfd assign/deassign)
 *     eventfd wait-queue lock (eventfd's, IRQs disabled; irqfd wakeups
 *       run under it, inject into the model and may deactivate)
 *       virq_instance->irqfds_lock (spinlock, IRQs disabled)
 *       model locks (IRQ-safe spinlocks, innermost; a model never calls
 *         back into the core while holding one, except virq_vcpu_kick(),
 *         which only takes the vCPU's wait-queue lock)
 *
 * The two mutexes are never held together.
 *
 * virq_instance->lock is never taken on the injection paths: they are
 * lockless in the core and rely on the chip existing for the lifetime of
 * the instance once published (smp_store_release()/smp_load_acquire() of
 * view.ops).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/miscdevice.h>
#include <linux/module.h>

#include "core.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

unsigned int virq_max_vcpus = 1024;
module_param_named(max_vcpus, virq_max_vcpus, uint, 0444);
MODULE_PARM_DESC(max_vcpus, "Largest number of vCPUs per instance (1024)");

unsigned int virq_max_sources = VIRQ_XICS_MAX_SOURCES;
module_param_named(max_sources, virq_max_sources, uint, 0444);
MODULE_PARM_DESC(max_sources,
		 "Largest number of interrupt sources per instance (1048576)");

unsigned int virq_max_routes = VIRQ_ROUTES_DEFAULT_MAX;
module_param_named(max_routes, virq_max_routes, uint, 0444);
MODULE_PARM_DESC(max_routes,
		 "Largest number of GSI routing entries per instance (262144)");

static const struct virq_chip_ops *const virq_families[] = {
#if IS_ENABLED(CONFIG_VIRQ_X86)
	&virq_x86_ops,
#endif
#if IS_ENABLED(CONFIG_VIRQ_GICV3)
	&virq_gicv3_ops,
#endif
#if IS_ENABLED(CONFIG_VIRQ_XICS)
	&virq_xics_ops,
#endif
};

/**
 * virq_family_ops() - the ops of a built-in family
 * @family: VIRQ_FAMILY_*
 *
 * Return: the family's ops, or NULL if it is not built in.
 */
const struct virq_chip_ops *virq_family_ops(u32 family)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(virq_families); i++)
		if (virq_families[i]->family == family)
			return virq_families[i];
	return NULL;
}

static const struct file_operations virq_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= virq_instance_open,
	.release	= virq_instance_release,
	.unlocked_ioctl	= virq_instance_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
	.show_fdinfo	= virq_instance_show_fdinfo,
};

static struct miscdevice virq_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "virq",
	.fops	= &virq_dev_fops,
	.mode	= 0600,
};

static int __init virq_init(void)
{
	int ret;

	if (!virq_max_vcpus || !virq_max_sources) {
		pr_err("max_vcpus and max_sources must be non-zero\n");
		return -EINVAL;
	}

	ret = virq_irqfd_init();
	if (ret)
		return ret;

	virq_debugfs_init();

	ret = misc_register(&virq_misc);
	if (ret)
		goto out_debugfs;

	return 0;

out_debugfs:
	virq_debugfs_exit();
	virq_irqfd_exit();
	return ret;
}

static void __exit virq_exit(void)
{
	misc_deregister(&virq_misc);
	virq_debugfs_exit();
	virq_irqfd_exit();
}

module_init(virq_init);
module_exit(virq_exit);

MODULE_DESCRIPTION("In-kernel interrupt controllers for virtual machine monitors");
MODULE_AUTHOR("The virq developers");
MODULE_LICENSE("GPL");
