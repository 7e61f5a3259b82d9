/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness shim: the xarray API the models use, on a sorted array of
 * (index, entry) pairs.  Lookups are a binary search; stores allocate
 * through the harness allocator (so allocation failures can be injected
 * and leaks counted) before they take the array's spinlock_t, as the
 * kernel's xarray takes xa_lock: a store under a raw spinlock shows up
 * as an invalid nesting.  Loads take no lock (RCU in the kernel).
 */
#ifndef _HARNESS_LINUX_XARRAY_H
#define _HARNESS_LINUX_XARRAY_H

#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/types.h>

#define XA_FLAGS_ALLOC		0U
/* xa_mark_t: the kernel's is a typedef of a __bitwise unsigned int */
#define xa_mark_t		unsigned int
#define XA_PRESENT		((__force xa_mark_t)8U)

struct xa_slot {
	unsigned long index;
	void *entry;
};

struct xarray {
	spinlock_t xa_lock;	/* writers, as the kernel's xa_lock */
	struct xa_slot *slots;
	unsigned long nr;
	unsigned long cap;
};

#define DEFINE_XARRAY(name)	struct xarray name = {}

static inline void xa_init_flags(struct xarray *xa, unsigned int flags)
{
	spin_lock_init(&xa->xa_lock);
	xa->slots = NULL;
	xa->nr = 0;
	xa->cap = 0;
}

static inline void xa_init(struct xarray *xa)
{
	xa_init_flags(xa, 0);
}

static inline void *xa_mk_value(unsigned long v)
{
	return (void *)((v << 1) | 1);
}

static inline unsigned long xa_to_value(const void *entry)
{
	return (unsigned long)entry >> 1;
}

static inline bool xa_is_value(const void *entry)
{
	return (unsigned long)entry & 1;
}

/* Errors travel as internal entries: (errno << 2) | 2, as the kernel's */
static inline void *xa_mk_err(long err)
{
	return (void *)((unsigned long)err << 2 | 2);
}

static inline bool xa_is_err(const void *entry)
{
	return ((unsigned long)entry & 3) == 2 &&
	       (long)entry >= (long)xa_mk_err(-MAX_ERRNO);
}

static inline int xa_err(void *entry)
{
	return xa_is_err(entry) ? (int)((long)entry >> 2) : 0;
}

/* First slot whose index is >= @index */
static inline unsigned long xa_slot_pos(const struct xarray *xa,
					unsigned long index)
{
	unsigned long lo = 0, hi = xa->nr;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (xa->slots[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static inline void *xa_load(struct xarray *xa, unsigned long index)
{
	unsigned long pos = xa_slot_pos(xa, index);

	if (pos < xa->nr && xa->slots[pos].index == index)
		return READ_ONCE(xa->slots[pos].entry);
	return NULL;
}

static inline bool xa_empty(const struct xarray *xa)
{
	return !xa->nr;
}

static inline void *xa_erase(struct xarray *xa, unsigned long index)
{
	unsigned long pos;
	void *old = NULL;

	spin_lock(&xa->xa_lock);
	pos = xa_slot_pos(xa, index);
	if (pos < xa->nr && xa->slots[pos].index == index) {
		old = xa->slots[pos].entry;
		memmove(&xa->slots[pos], &xa->slots[pos + 1],
			(xa->nr - pos - 1) * sizeof(*xa->slots));
		xa->nr--;
	}
	spin_unlock(&xa->xa_lock);
	return old;
}

/* Make room for one more slot (no lock held; may allocate) */
static inline int xa_reserve_one(struct xarray *xa, gfp_t gfp)
{
	struct xa_slot *slots;
	unsigned long cap;

	if (xa->nr < xa->cap)
		return 0;
	cap = xa->cap ? xa->cap * 2 : 4;
	slots = kmalloc_array(cap, sizeof(*slots), gfp);
	if (!slots)
		return -ENOMEM;
	spin_lock(&xa->xa_lock);
	if (xa->nr)
		memcpy(slots, xa->slots, xa->nr * sizeof(*slots));
	swap(slots, xa->slots);
	xa->cap = cap;
	spin_unlock(&xa->xa_lock);
	kfree(slots);
	return 0;
}

static inline void *__xa_put(struct xarray *xa, unsigned long index,
			     void *entry, gfp_t gfp, bool insert)
{
	unsigned long pos;
	void *old;

	if (!entry)
		return insert ? xa_mk_err(-EINVAL) : xa_erase(xa, index);
	if (xa_reserve_one(xa, gfp))
		return xa_mk_err(-ENOMEM);
	spin_lock(&xa->xa_lock);
	pos = xa_slot_pos(xa, index);
	if (pos < xa->nr && xa->slots[pos].index == index) {
		old = xa->slots[pos].entry;
		if (insert) {
			spin_unlock(&xa->xa_lock);
			return xa_mk_err(-EBUSY);
		}
		WRITE_ONCE(xa->slots[pos].entry, entry);
		spin_unlock(&xa->xa_lock);
		return old;
	}
	memmove(&xa->slots[pos + 1], &xa->slots[pos],
		(xa->nr - pos) * sizeof(*xa->slots));
	xa->slots[pos].index = index;
	xa->slots[pos].entry = entry;
	xa->nr++;
	spin_unlock(&xa->xa_lock);
	return NULL;
}

static inline void *xa_store(struct xarray *xa, unsigned long index,
			     void *entry, gfp_t gfp)
{
	return __xa_put(xa, index, entry, gfp, false);
}

static inline int xa_insert(struct xarray *xa, unsigned long index,
			    void *entry, gfp_t gfp)
{
	return xa_err(__xa_put(xa, index, entry, gfp, true));
}

/* The first entry at *@index..@max: sets *@index to its index */
static inline void *xa_find(struct xarray *xa, unsigned long *index,
			    unsigned long max, xa_mark_t filter)
{
	unsigned long pos = xa_slot_pos(xa, *index);

	if (pos >= xa->nr || xa->slots[pos].index > max)
		return NULL;
	*index = xa->slots[pos].index;
	return xa->slots[pos].entry;
}

static inline void *xa_find_after(struct xarray *xa, unsigned long *index,
				  unsigned long max, xa_mark_t filter)
{
	unsigned long next = *index + 1;

	if (!next)
		return NULL;
	if (!xa_find(xa, &next, max, filter))
		return NULL;
	*index = next;
	return xa_load(xa, next);
}

#define xa_for_each(xa, index, entry)					\
	for ((index) = 0, (entry) = xa_find((xa), &(index), ULONG_MAX,	\
					    XA_PRESENT);		\
	     (entry);							\
	     (entry) = xa_find_after((xa), &(index), ULONG_MAX, XA_PRESENT))

static inline void xa_destroy(struct xarray *xa)
{
	spin_lock(&xa->xa_lock);
	kfree(xa->slots);
	xa->slots = NULL;
	xa->nr = 0;
	xa->cap = 0;
	spin_unlock(&xa->xa_lock);
}

#define xa_lock(xa)		spin_lock(&(xa)->xa_lock)
#define xa_unlock(xa)		spin_unlock(&(xa)->xa_lock)

#endif /* _HARNESS_LINUX_XARRAY_H */
