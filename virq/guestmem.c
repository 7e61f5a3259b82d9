// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: VIRQ_SET_MEMORY_REGION and the accessors models use to
 * read and write guest-physical memory (GICv3 LPI tables, ITS tables and
 * command queue).
 *
 * A slot maps a guest-physical range onto user addresses of the process
 * that set it; the slot keeps that address space (mmgrab) so that an
 * ioctl from another process (a migration tool holding the instance fd
 * through pidfd_getfd) still reaches the VMM's memory.  From the owning
 * process the copy is a plain copy_{from,to}_user(); from any other, a
 * worker thread adopts the owner's mm for the copy (kthread_use_mm()).
 *
 * The accessors sleep: models call them from process context only, never
 * from an injection (an irqfd wakeup runs with IRQs off).
 */
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "core.h"

/* Does [gpa, gpa + size) overlap no slot? */
static bool virq_memslot_free(struct virq_instance *inst, u64 gpa, u64 size)
{
	int i;

	for (i = 0; i < VIRQ_MEMORY_SLOTS; i++) {
		const struct virq_memslot *s = &inst->memslots[i];

		if (s->size && gpa < s->gpa + s->size && s->gpa < gpa + size)
			return false;
	}
	return true;
}

/**
 * virq_set_memory_region() - VIRQ_SET_MEMORY_REGION
 * @inst: the instance
 * @argp: user pointer to struct virq_memory_region
 *
 * Context: process; takes inst->mem_lock.
 * Return: 0 or a negative errno (see the uAPI header).
 */
int virq_set_memory_region(struct virq_instance *inst, void __user *argp)
{
	struct virq_memory_region r;
	struct virq_memslot *s;
	int ret = 0;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (r.slot >= VIRQ_MEMORY_SLOTS || r.flags)
		return -EINVAL;
	if (r.memory_size &&
	    (!PAGE_ALIGNED(r.guest_phys_addr) || !PAGE_ALIGNED(r.memory_size) ||
	     !PAGE_ALIGNED(r.userspace_addr) ||
	     r.guest_phys_addr + r.memory_size < r.guest_phys_addr ||
	     r.userspace_addr + r.memory_size < r.userspace_addr ||
	     !access_ok(u64_to_user_ptr(r.userspace_addr), r.memory_size)))
		return -EINVAL;
	if (!r.memory_size && (r.guest_phys_addr || r.userspace_addr))
		return -EINVAL;

	mutex_lock(&inst->mem_lock);
	s = &inst->memslots[r.slot];
	if (!r.memory_size) {
		if (!s->size) {
			ret = -ENOENT;
		} else {
			mmdrop(s->mm);
			memset(s, 0, sizeof(*s));
		}
	} else if (s->size ||
		   !virq_memslot_free(inst, r.guest_phys_addr, r.memory_size)) {
		ret = -EEXIST;
	} else {
		s->gpa = r.guest_phys_addr;
		s->size = r.memory_size;
		s->uaddr = r.userspace_addr;
		s->mm = current->mm;
		mmgrab(s->mm);
	}
	mutex_unlock(&inst->mem_lock);
	return ret;
}

/**
 * virq_memslots_free() - drop every slot of a dying instance
 * @inst: the instance
 */
void virq_memslots_free(struct virq_instance *inst)
{
	int i;

	for (i = 0; i < VIRQ_MEMORY_SLOTS; i++)
		if (inst->memslots[i].size)
			mmdrop(inst->memslots[i].mm);
}

/* A copy made by a worker that borrows another process's address space */
struct virq_remote_copy {
	struct work_struct work;
	struct mm_struct *mm;
	unsigned long uaddr;
	void *buf;
	size_t len;
	bool write;
	int ret;
};

static void virq_remote_copy_fn(struct work_struct *work)
{
	struct virq_remote_copy *c =
		container_of(work, struct virq_remote_copy, work);
	void __user *u = (void __user *)c->uaddr;
	unsigned long left;

	kthread_use_mm(c->mm);
	if (c->write)
		left = copy_to_user(u, c->buf, c->len);
	else
		left = copy_from_user(c->buf, u, c->len);
	kthread_unuse_mm(c->mm);
	c->ret = left ? -EFAULT : 0;
}

static int virq_copy_remote(struct mm_struct *mm, unsigned long uaddr,
			    void *buf, size_t len, bool write)
{
	struct virq_remote_copy c = {
		.mm = mm, .uaddr = uaddr, .buf = buf, .len = len,
		.write = write,
	};

	/* The owner may have exited: its memory is gone, not reachable. */
	if (!mmget_not_zero(mm))
		return -EFAULT;
	INIT_WORK_ONSTACK(&c.work, virq_remote_copy_fn);
	queue_work(system_unbound_wq, &c.work);
	flush_work(&c.work);
	destroy_work_on_stack(&c.work);
	mmput(mm);
	return c.ret;
}

static int virq_guest_copy(struct virq_instance *inst, u64 gpa, void *buf,
			   size_t len, bool write)
{
	int ret = 0, i;

	might_sleep();
	mutex_lock(&inst->mem_lock);
	while (len && !ret) {
		const struct virq_memslot *s = NULL;
		unsigned long uaddr;
		size_t n;

		for (i = 0; i < VIRQ_MEMORY_SLOTS; i++) {
			const struct virq_memslot *t = &inst->memslots[i];

			if (t->size && gpa >= t->gpa && gpa - t->gpa < t->size) {
				s = t;
				break;
			}
		}
		if (!s) {
			ret = -EFAULT;
			break;
		}
		n = min_t(u64, len, s->gpa + s->size - gpa);
		uaddr = s->uaddr + (gpa - s->gpa);
		if (s->mm == current->mm) {
			unsigned long left;

			if (write)
				left = copy_to_user((void __user *)uaddr, buf, n);
			else
				left = copy_from_user(buf, (void __user *)uaddr, n);
			ret = left ? -EFAULT : 0;
		} else {
			ret = virq_copy_remote(s->mm, uaddr, buf, n, write);
		}
		gpa += n;
		buf += n;
		len -= n;
	}
	mutex_unlock(&inst->mem_lock);
	return ret;
}

/**
 * virq_guest_read() - copy guest memory into a kernel buffer
 * @inst: the instance
 * @gpa: guest-physical address
 * @buf: destination
 * @len: bytes
 *
 * Context: process; may sleep.
 * Return: 0, or -EFAULT when a byte lies outside every slot or the copy
 * faults (in which case @buf holds garbage).
 */
int virq_guest_read(struct virq_instance *inst, u64 gpa, void *buf,
		    size_t len)
{
	return virq_guest_copy(inst, gpa, buf, len, false);
}

/**
 * virq_guest_write() - copy a kernel buffer into guest memory
 * @inst: the instance
 * @gpa: guest-physical address
 * @buf: source
 * @len: bytes
 *
 * Context: process; may sleep.
 * Return: 0, or -EFAULT as virq_guest_read() (a prefix may have been
 * written).
 */
int virq_guest_write(struct virq_instance *inst, u64 gpa, const void *buf,
		     size_t len)
{
	return virq_guest_copy(inst, gpa, (void *)buf, len, true);
}
