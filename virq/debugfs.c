// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: /sys/kernel/debug/virq/<instance>/state dumps an instance, for
 * people and for tests.  Not an ABI: migration uses the state ioctls.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "core.h"

static struct dentry *virq_debugfs_root;

static int virq_state_show(struct seq_file *m, void *unused)
{
	struct virq_instance *inst = m->private;
	const struct virq_chip_ops *ops;
	u32 i;

	/* The instance lock keeps vCPU creation out while we print. */
	mutex_lock(&inst->lock);
	ops = inst->view.ops;
	if (!ops) {
		seq_puts(m, "chip: none\n");
		goto out;
	}

	seq_printf(m, "chip: %s vcpus %u sources %u\n", ops->name,
		   inst->view.nr_vcpus, inst->view.nr_sources);
	for (i = 0; i < inst->view.nr_vcpus; i++) {
		struct virq_vcpu *vcpu = inst->vcpus[i];

		if (vcpu)
			seq_printf(m, "vcpu %u: arch_id 0x%llx output 0x%x\n",
				   i, vcpu->arch_id, ops->vcpu_output(vcpu, NULL));
	}
	if (ops->show)
		ops->show(inst, m);
out:
	mutex_unlock(&inst->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(virq_state);

void virq_debugfs_add(struct virq_instance *inst)
{
	char name[16];

	if (IS_ERR_OR_NULL(virq_debugfs_root))
		return;
	snprintf(name, sizeof(name), "%d", inst->id);
	inst->debugfs = debugfs_create_dir(name, virq_debugfs_root);
	debugfs_create_file("state", 0400, inst->debugfs, inst,
			    &virq_state_fops);
}

void virq_debugfs_remove(struct virq_instance *inst)
{
	/* Waits for readers of "state" to finish. */
	debugfs_remove(inst->debugfs);
	inst->debugfs = NULL;
}

void virq_debugfs_init(void)
{
	virq_debugfs_root = debugfs_create_dir("virq", NULL);
}

void virq_debugfs_exit(void)
{
	debugfs_remove(virq_debugfs_root);
}
