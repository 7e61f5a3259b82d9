// SPDX-License-Identifier: GPL-2.0
/*
 * MSI decoding and interrupt remapping for the x86 family.
 *
 * An MSI is a write of @data to @address in the 0xfeexxxxx window (Intel
 * SDM vol. 3, 11.11).  Address bit 4 selects the format.
 *
 * Compatibility format (bit 4 = 0):
 *   address_lo 31:20  0xfee, else not an interrupt (-EINVAL)
 *              19:12  destination id 7:0
 *              11:5   destination id 14:8 (KVM's "extended destination
 *                     ID", KVM_FEATURE_MSI_EXT_DEST_ID; reserved, 0, in
 *                     the SDM)
 *              3      redirection hint
 *              2      destination mode (1: logical)
 *              1:0    ignored
 *   address_hi 31:8   destination id 31:8 (KVM's x2APIC MSI format,
 *                     KVM_X2APIC_API_USE_32BIT_IDS)
 *              7:0    must be 0, else not an interrupt (-EINVAL)
 *   data       7:0    vector; 10:8 delivery mode; 14 level (assert);
 *                     15 trigger mode (1: level); the rest is ignored.
 *
 *   The destination is the OR of those fields; a message that uses both
 *   extended forms (address_lo 11:5 and address_hi 31:8 both non-zero) is
 *   ambiguous and rejected (-EINVAL).  A destination above 0xff is a
 *   32-bit x2APIC destination (x86_irq.x2apic_dest); up to 0xff it is an
 *   xAPIC one, so 0xff stays the xAPIC broadcast.  Delivery modes 3 and 6
 *   are reserved in MSIs and rejected (-EINVAL); KVM passes them on.
 *   Edge messages are always asserts (SDM); a level message carries bit
 *   14 as its level, where KVM always asserts.  Multi-message MSI: the
 *   device writes the message number into the low data bits, so the
 *   vector is taken as it comes, never masked.
 *
 * Remappable format (bit 4 = 1, Intel VT-d 5.1.2): handle 14:0 in
 * address_lo 19:5, handle 15 in address_lo 2, SHV in address_lo 3; with
 * SHV the index is handle + data 15:0 (the subhandle, which multi-message
 * devices modify), else handle.  address_hi must be 0.  The entry at
 * that index (VT-d 9.10, struct virq_x86_irte) gives everything: vector,
 * destination, delivery mode, trigger mode, destination mode and
 * redirection hint.  The table is always in x2APIC format (VT-d EIME = 1):
 * destinations are 32 bits, so the result is x2apic_dest.  Posted
 * interrupts (IM = 1) are not supported.
 *
 * Faults: a remappable message with no table (chip->ir NULL), an index
 * beyond the table, an entry not present, or a failed source-id check
 * drops the interrupt (-EFAULT, never delivered anywhere).  With a table,
 * the fault is counted, recorded as the last one (struct
 * virq_x86_ir_fault) and the fault eventfd signalled, unless the entry
 * sets FPD: as in VT-d, FPD disables recording and reporting alike, and it
 * is honoured whether or not the entry is present (an index beyond the
 * table has no entry, hence no FPD).  Without a table the message is
 * dropped silently: there is no fault record to update (the chip has no
 * VIRQ_X86_GRP_IR_FAULT attribute) and no eventfd to signal; the glue
 * reports VIRQ_STATUS_MASKED for it as for a recorded fault.
 * Compatibility-format messages pass with or without a table (VT-d with
 * GSTS.CFIS = 1).
 *
 * Source-id validation (hi word SVT, SQ, SID; VT-d 9.10):
 *   SVT 0  none
 *   SVT 1  requester id == SID, comparing the bits SQ leaves: SQ 0 all
 *          16, SQ 1 all but bit 2, SQ 2 all but bits 2:1, SQ 3 all but
 *          bits 2:0 (function number bits)
 *   SVT 2  requester id bus (15:8) within [SID 15:8, SID 7:0]
 * A message without a requester id (no devid, or an IOAPIC translation
 * without check_sid) fails every SVT but 0.
 *
 * Locking: ir->lock (raw, IRQs off) protects the entries and the fault
 * record; a translation copies its 128-bit entry under it, so it never
 * sees half of an update.  Bulk get/set hold it for at most
 * X86_IR_BATCH entries at a time: each entry changes atomically, a bulk
 * set as a whole does not.  The fault eventfd pointer is RCU-protected;
 * it is signalled after ir->lock is dropped (from an irqfd injection the
 * core defers the signal to a work item, see virq_notifier_signal()).
 */
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "msi.h"

#define MSI_ADDR_BASE_SHIFT	20
#define MSI_ADDR_BASE		0xfeeU
#define MSI_ADDR_DEST_SHIFT	12		/* 8 bits */
#define MSI_ADDR_EXT_DEST_SHIFT	5		/* 7 bits: dest 14:8 */
#define MSI_ADDR_EXT_DEST_MASK	0x7fU
#define MSI_ADDR_REMAP		BIT(4)		/* remappable format */
#define MSI_ADDR_RH		BIT(3)
#define MSI_ADDR_LOGICAL	BIT(2)
#define MSI_ADDR_SHV		BIT(3)		/* remappable: subhandle valid */
#define MSI_ADDR_HANDLE_SHIFT	5		/* 15 bits: handle 14:0 */
#define MSI_ADDR_HANDLE_MASK	0x7fffU
#define MSI_ADDR_HANDLE15	BIT(2)		/* remappable: handle 15 */
#define MSI_ADDR_HI_DEST_MASK	0xffffff00U	/* dest 31:8 */

#define MSI_DATA_VECTOR_MASK	0xffU
#define MSI_DATA_DM_SHIFT	8		/* 3 bits */
#define MSI_DATA_ASSERT		BIT(14)
#define MSI_DATA_LEVEL		BIT(15)
#define MSI_DATA_SUBHANDLE_MASK	0xffffU

/* Delivery modes an MSI or an IRTE may carry (not 3, not 6) */
#define X86_MSI_DM_VALID	(BIT(X86_DM_FIXED) | BIT(X86_DM_LOWEST) | \
				 BIT(X86_DM_SMI) | BIT(X86_DM_NMI) | \
				 BIT(X86_DM_INIT) | BIT(X86_DM_EXTINT))

/* IRTE fields beyond the uAPI's */
#define IRTE_DLM_MASK		7ULL
#define IRTE_VECTOR_MASK	0xffULL
#define IRTE_SQ_MASK		3ULL
#define IRTE_SVT_MASK		3ULL
#define IRTE_SVT_NONE		0
#define IRTE_SVT_SID		1
#define IRTE_SVT_BUS		2
/*
 * lo: 14:12 reserved, 15 IM (posted format, unsupported), 31:24
 * reserved; 11:8 are available to software and kept as given
 */
#define IRTE_LO_RESERVED	(GENMASK_ULL(31, 24) | GENMASK_ULL(15, 12))
#define IRTE_HI_RESERVED	GENMASK_ULL(63, 20)

/* Entries copied per hold of ir->lock in bulk get/set */
#define X86_IR_BATCH		64

/* Requester-id bits compared under SVT 1, by SQ */
static const u16 irte_sq_mask[4] = { 0xffff, 0xfffb, 0xfff9, 0xfff8 };

/* --- the remapping table ------------------------------------------------- */

/**
 * x86_ir_create() - an interrupt remapping table
 * @nr_irtes: entries: 0, or a power of two up to VIRQ_X86_MAX_IRTES
 *
 * The entries start zeroed (not present), with no fault eventfd.
 *
 * Context: process.
 * Return: the table; NULL for @nr_irtes 0 (no remapping);
 * ERR_PTR(-EINVAL) for a bad @nr_irtes; ERR_PTR(-ENOMEM).
 */
struct x86_ir *x86_ir_create(u32 nr_irtes)
{
	struct x86_ir *ir;

	if (!nr_irtes)
		return NULL;
	if (!is_power_of_2(nr_irtes) || nr_irtes > VIRQ_X86_MAX_IRTES)
		return ERR_PTR(-EINVAL);
	ir = kvzalloc(struct_size(ir, irte, nr_irtes), GFP_KERNEL_ACCOUNT);
	if (!ir)
		return ERR_PTR(-ENOMEM);
	raw_spin_lock_init(&ir->lock);
	ir->nr_irtes = nr_irtes;
	return ir;
}

/**
 * x86_ir_destroy() - free the table and drop the fault eventfd
 * @ir: the table, or NULL
 *
 * Context: process; no translation is running any more.
 */
void x86_ir_destroy(struct x86_ir *ir)
{
	struct virq_notifier *n;

	if (!ir)
		return;
	n = rcu_dereference_protected(ir->notifier, true);
	if (n)
		virq_notifier_put(n);
	kvfree(ir);
}

/* @first, @count is a non-empty range of the table */
static int x86_ir_check_range(struct x86_ir *ir, u32 first, u32 count)
{
	if (!count || first >= ir->nr_irtes || count > ir->nr_irtes - first)
		return -EINVAL;
	return 0;
}

/* An entry we can store: no reserved bit or value set */
static bool irte_valid(const struct virq_x86_irte *e)
{
	u32 dlm = (e->lo >> VIRQ_X86_IRTE_DLM_SHIFT) & IRTE_DLM_MASK;
	u32 svt = (e->hi >> VIRQ_X86_IRTE_SVT_SHIFT) & IRTE_SVT_MASK;

	if ((e->lo & IRTE_LO_RESERVED) || (e->hi & IRTE_HI_RESERVED))
		return false;
	if (!(BIT(dlm) & X86_MSI_DM_VALID))
		return false;
	return svt <= IRTE_SVT_BUS;
}

/**
 * x86_ir_get_entries() - read entries (VIRQ_X86_GRP_IRTE get)
 * @ir: the table
 * @first: first index
 * @count: number of entries, at least 1; @first + @count <= nr_irtes
 * @e: room for @count entries
 *
 * Context: process; takes ir->lock (raw).
 * Return: 0, or -EINVAL for a bad range.
 */
int x86_ir_get_entries(struct x86_ir *ir, u32 first, u32 count,
		       struct virq_x86_irte *e)
{
	unsigned long flags;
	u32 i, n;
	int ret;

	ret = x86_ir_check_range(ir, first, count);
	if (ret)
		return ret;
	for (i = 0; i < count; i += n) {
		n = min_t(u32, count - i, X86_IR_BATCH);
		raw_spin_lock_irqsave(&ir->lock, flags);
		memcpy(e + i, ir->irte + first + i, n * sizeof(*e));
		raw_spin_unlock_irqrestore(&ir->lock, flags);
	}
	return 0;
}

/**
 * x86_ir_set_entries() - write entries (VIRQ_X86_GRP_IRTE set)
 * @ir: the table
 * @first: first index
 * @count: number of entries, at least 1; @first + @count <= nr_irtes
 * @e: the entries
 *
 * All of @e is validated first; on error nothing changes.  Reserved
 * (rejected) in an entry, present or not: lo bits 14:12, 15 (IM, posted
 * interrupts, unsupported) and 31:24; hi bits 63:20; delivery modes 3 and
 * 6; SVT 3.  lo bits 11:8 (available to software) are kept.
 *
 * Context: process; takes ir->lock (raw).
 * Return: 0, or -EINVAL for a bad range or an invalid entry.
 */
int x86_ir_set_entries(struct x86_ir *ir, u32 first, u32 count,
		       const struct virq_x86_irte *e)
{
	unsigned long flags;
	u32 i, n;
	int ret;

	ret = x86_ir_check_range(ir, first, count);
	if (ret)
		return ret;
	for (i = 0; i < count; i++)
		if (!irte_valid(&e[i]))
			return -EINVAL;
	for (i = 0; i < count; i += n) {
		n = min_t(u32, count - i, X86_IR_BATCH);
		raw_spin_lock_irqsave(&ir->lock, flags);
		memcpy(ir->irte + first + i, e + i, n * sizeof(*e));
		raw_spin_unlock_irqrestore(&ir->lock, flags);
	}
	return 0;
}

/**
 * x86_ir_get_fault() - the fault record (VIRQ_X86_GRP_IR_FAULT attr 0)
 * @ir: the table
 * @f: filled with the count and the last fault (padding zeroed)
 *
 * Context: any; takes ir->lock (raw).
 */
void x86_ir_get_fault(struct x86_ir *ir, struct virq_x86_ir_fault *f)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&ir->lock, flags);
	*f = ir->fault;
	raw_spin_unlock_irqrestore(&ir->lock, flags);
}

/**
 * x86_ir_set_fault_eventfd() - the eventfd signalled on faults
 * (VIRQ_X86_GRP_IR_FAULT attr 1)
 * @ir: the table
 * @fd: an eventfd, or -1 to remove it
 *
 * Replaces the previous eventfd, whose reference is dropped after the
 * translations that may be signalling it are done.
 *
 * Context: process (waits for an RCU grace period when replacing one).
 * Return: 0, or the error of virq_notifier_get(): -EBADF when @fd is not
 * an open file descriptor (any negative @fd but -1 included), -EINVAL when
 * it is not an eventfd, -ENOMEM.
 */
int x86_ir_set_fault_eventfd(struct x86_ir *ir, int fd)
{
	struct virq_notifier *n = NULL, *old;
	unsigned long flags;

	if (fd != -1) {
		n = virq_notifier_get(fd);
		if (IS_ERR(n))
			return PTR_ERR(n);
	}
	raw_spin_lock_irqsave(&ir->lock, flags);
	old = rcu_dereference_protected(ir->notifier,
					lockdep_is_held(&ir->lock));
	rcu_assign_pointer(ir->notifier, n);
	raw_spin_unlock_irqrestore(&ir->lock, flags);
	if (old) {
		synchronize_rcu();
		virq_notifier_put(old);
	}
	return 0;
}

/* --- translation --------------------------------------------------------- */

/* Source-id validation of entry @e for requester id @rid */
static bool irte_sid_ok(const struct virq_x86_irte *e, bool has_rid,
			u32 rid)
{
	u32 svt = (e->hi >> VIRQ_X86_IRTE_SVT_SHIFT) & IRTE_SVT_MASK;
	u32 sq = (e->hi >> VIRQ_X86_IRTE_SQ_SHIFT) & IRTE_SQ_MASK;
	u32 sid = e->hi & VIRQ_X86_IRTE_SID_MASK;
	u32 bus = rid >> 8;

	if (svt == IRTE_SVT_NONE)
		return true;
	if (!has_rid || rid > 0xffff)
		return false;
	switch (svt) {
	case IRTE_SVT_SID:
		return !((rid ^ sid) & irte_sq_mask[sq]);
	case IRTE_SVT_BUS:
		return bus >= sid >> 8 && bus <= (sid & 0xff);
	}
	return false;
}

static void irte_to_irq(const struct virq_x86_irte *e, struct x86_irq *irq)
{
	u64 lo = e->lo;

	irq->dest = lo >> VIRQ_X86_IRTE_DEST_SHIFT;
	irq->vector = (lo >> VIRQ_X86_IRTE_VECTOR_SHIFT) & IRTE_VECTOR_MASK;
	irq->delivery_mode = (lo >> VIRQ_X86_IRTE_DLM_SHIFT) & IRTE_DLM_MASK;
	irq->shorthand = X86_SH_NONE;
	irq->logical = lo & VIRQ_X86_IRTE_DEST_LOGICAL;
	irq->level = lo & VIRQ_X86_IRTE_LEVEL;
	irq->assert = true;
	irq->redir_hint = lo & VIRQ_X86_IRTE_REDIR_HINT;
	irq->x2apic_dest = true;
}

/* The fault eventfd, if any, after ir->lock was dropped */
static void x86_ir_signal(struct x86_ir *ir)
{
	struct virq_notifier *n;

	rcu_read_lock();
	n = rcu_dereference(ir->notifier);
	if (n)
		virq_notifier_signal(n);
	rcu_read_unlock();
}

/*
 * Translate through entry @index for requester id @rid (valid if
 * @has_rid); 0 with @irq filled in, or -EFAULT after recording and
 * reporting the fault (unless FPD).
 */
static int x86_ir_remap(struct x86_ir *ir, u32 index, bool has_rid, u32 rid,
			struct x86_irq *irq)
{
	struct virq_x86_irte e = {};
	unsigned long flags;
	u32 reason = 0;

	raw_spin_lock_irqsave(&ir->lock, flags);
	if (index >= ir->nr_irtes) {
		reason = VIRQ_X86_IR_FAULT_INDEX;
	} else {
		e = ir->irte[array_index_nospec(index, ir->nr_irtes)];
		if (!(e.lo & VIRQ_X86_IRTE_PRESENT))
			reason = VIRQ_X86_IR_FAULT_NOT_PRESENT;
		else if (!irte_sid_ok(&e, has_rid, rid))
			reason = VIRQ_X86_IR_FAULT_SID;
	}
	if (!reason) {
		raw_spin_unlock_irqrestore(&ir->lock, flags);
		irte_to_irq(&e, irq);
		return 0;
	}
	if (e.lo & VIRQ_X86_IRTE_FPD) {
		raw_spin_unlock_irqrestore(&ir->lock, flags);
		return -EFAULT;
	}
	ir->fault.count++;
	ir->fault.reason = reason;
	ir->fault.index = index;
	ir->fault.source_id = has_rid ? (u16)rid : 0;
	raw_spin_unlock_irqrestore(&ir->lock, flags);
	x86_ir_signal(ir);
	return -EFAULT;
}

/**
 * x86_ir_translate() - translate a remappable IOAPIC interrupt
 * @chip: the chip
 * @index: the interrupt index from the redirection entry
 * @source_id: the IOAPIC's requester id
 * @check_sid: @source_id is known; when false the interrupt has no
 *	requester id and fails entries that validate the source (SVT != 0)
 * @irq: the message to deliver, written on success only
 *
 * Context: any, IRQs off included.  Takes ir->lock (raw) and signals the
 * fault eventfd (an eventfd's wait-queue lock, a sleeping lock on
 * PREEMPT_RT): call it with no raw spinlock held.
 * Return: 0, or -EFAULT when remapping faulted (no table, index beyond
 * it, entry not present, source-id check failed): drop the interrupt.
 */
int x86_ir_translate(struct x86_chip *chip, u32 index, u32 source_id,
		     bool check_sid, struct x86_irq *irq)
{
	if (!chip->ir)
		return -EFAULT;
	return x86_ir_remap(chip->ir, index, check_sid, source_id, irq);
}

/* A compatibility-format message (see the top of the file) */
static int x86_msi_decode_compat(u32 lo, u32 hi, u32 data,
				 struct x86_irq *irq)
{
	u32 ext = (lo >> MSI_ADDR_EXT_DEST_SHIFT) & MSI_ADDR_EXT_DEST_MASK;
	u32 dm = (data >> MSI_DATA_DM_SHIFT) & 7;
	bool level = data & MSI_DATA_LEVEL;
	u32 dest;

	if (hi & ~MSI_ADDR_HI_DEST_MASK)
		return -EINVAL;
	if (ext && hi)
		return -EINVAL;
	if (!(BIT(dm) & X86_MSI_DM_VALID))
		return -EINVAL;

	dest = ((lo >> MSI_ADDR_DEST_SHIFT) & 0xff) | ext << 8 | hi;
	irq->dest = dest;
	irq->vector = data & MSI_DATA_VECTOR_MASK;
	irq->delivery_mode = dm;
	irq->shorthand = X86_SH_NONE;
	irq->logical = lo & MSI_ADDR_LOGICAL;
	irq->level = level;
	irq->assert = !level || (data & MSI_DATA_ASSERT);
	irq->redir_hint = lo & MSI_ADDR_RH;
	irq->x2apic_dest = dest > X86_BROADCAST_XAPIC;
	return 0;
}

/**
 * x86_msi_decode() - decode an MSI write
 * @chip: the chip (its remapping table, if any)
 * @msg: the write; @msg->devid is the requester id when has_devid
 * @irq: the message to deliver, written on success only
 *
 * See the top of this file for both formats and the fault rules.
 *
 * Context: any, IRQs off included; takes ir->lock (raw) for remappable
 * messages and may signal the fault eventfd: no raw spinlock held.
 * Return: 0; -EINVAL when the write is not an interrupt message (address
 * not 0xfeexxxxx, reserved address_hi bits, an ambiguous destination, a
 * reserved delivery mode); -EFAULT when remapping faulted (recorded):
 * drop the interrupt.
 */
int x86_msi_decode(struct x86_chip *chip, const struct virq_msi_msg *msg,
		   struct x86_irq *irq)
{
	u32 lo = lower_32_bits(msg->address);
	u32 hi = upper_32_bits(msg->address);
	u32 index;

	if ((lo >> MSI_ADDR_BASE_SHIFT) != MSI_ADDR_BASE)
		return -EINVAL;
	if (!(lo & MSI_ADDR_REMAP))
		return x86_msi_decode_compat(lo, hi, msg->data, irq);

	if (hi)
		return -EINVAL;
	index = (lo >> MSI_ADDR_HANDLE_SHIFT) & MSI_ADDR_HANDLE_MASK;
	if (lo & MSI_ADDR_HANDLE15)
		index |= BIT(15);
	if (lo & MSI_ADDR_SHV)
		index += msg->data & MSI_DATA_SUBHANDLE_MASK;
	if (!chip->ir)
		return -EFAULT;
	return x86_ir_remap(chip->ir, index, msg->has_devid, msg->devid, irq);
}
