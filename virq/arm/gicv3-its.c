// SPDX-License-Identifier: GPL-2.0
/*
 * GICv3 ITS: the Interrupt Translation Service, as KVM's vgic-its
 * presents it (GICv3 only, no GICv4 commands), one per chip.
 *
 * Registers (gicv3_its_access(), on the register engine): GITS_CTLR
 * (Enabled; Quiescent while CREADR == CWRITER), GITS_IIDR (ProductID 'V',
 * implementer Arm, Revision = the table ABI revision, 0), GITS_TYPER
 * (Physical, ITT_entry_size 8, IDbits and Devbits 16 as KVM, PTA 0:
 * collections name redistributors by processor number, CIL 0: 16-bit
 * collection ids), GITS_CBASER, GITS_CWRITER, GITS_CREADR, GITS_BASER0
 * (device table) and GITS_BASER1 (collection table) with 8-byte entries
 * and a 64 KiB page size (the only one, as KVM; the device table may be
 * two-level, the collection table may not), GITS_BASER2-7 RAZ/WI, the
 * ID registers (PIDR2 ArchRev 3), and GITS_TRANSLATER.  CBASER and the
 * BASERs ignore writes while the ITS is enabled; the ITS cannot be
 * enabled while CBASER or either BASER is invalid (KVM).  Cacheability
 * and shareability are sanitised as KVM does.
 *
 * A vCPU's MMIO write to GITS_TRANSLATER is ignored (KVM: the device id
 * of a CPU write is unknown); the VMM's MSIs arrive with their device id
 * through gicv3_its_translate() (VIRQ_SIGNAL_MSI, MSI irqfds).
 *
 * Commands.  The queue lives in guest memory (CBASER) and is processed
 * in process context under cmd_mutex on every CWRITER write and when the
 * ITS is enabled, until CREADR reaches CWRITER: at most the queue's
 * size, so it always ends.  A CWRITER beyond the queue is ignored (KVM).
 * MAPD, MAPC, MAPTI, MAPI, MOVI, DISCARD, INV, INVALL, INT, CLEAR, SYNC
 * and MOVALL are implemented; anything else (the GICv4 V* commands,
 * unknown numbers) is a command error.  Command errors are handled as
 * KVM does and the architecture allows: the command is ignored and the
 * queue goes on (GITS_CREADR.Stalled is never set); an unreadable
 * command is skipped the same way.  Errors are counted for debugfs.
 * The checks are KVM's: MAPD needs its device id to fit the device
 * table (and, two-level, a valid level-1 entry) and at most 16 EventID
 * bits; MAPC a processor number of an existing vCPU; MAPTI/MAPI a mapped
 * device, an event id within its ITT, an LPI below the property table's
 * and the chip's limit, and a collection id that fits the collection
 * table (the collection need not be mapped: the LPI then has no target
 * until MAPC maps it); MOVI, INV, CLEAR, INT and DISCARD an existing
 * ITE (DISCARD and MOVI: in a mapped collection, MOVI's target too);
 * INVALL a mapped collection; MOVALL two existing vCPUs.  A MAPTI of an
 * event that is already mapped is ignored (UNPREDICTABLE; KVM).
 *
 * Translation.  Devices (an xarray by device id), their ITEs (an xarray
 * by event id, each naming its LPI and collection id) and the
 * collections (an xarray: collection id -> processor number) live in
 * kernel memory; an LPI's target is kept in the LPI itself (gicv3-lpi.c)
 * and updated by MAPC, MAPTI, MOVI and MOVALL.  In front of that sits a
 * direct-mapped translation cache (devid, eventid) -> LPI of
 * ITS_CACHE_SIZE entries under the chip lock, so that an MSI that hits
 * costs one hashed compare; it is invalidated by DISCARD, MAPD, MAPC,
 * MOVI, MOVALL, a disabled ITS, an invalidated BASER and a table
 * restore.  Hits and misses are counted (debugfs).  Structures are
 * changed under cmd_mutex, made visible with xarray stores, and freed
 * after an RCU grace period; the atomic translation takes only the chip
 * lock.  An MSI is dropped (VIRQ_STATUS_MASKED) while the ITS is
 * disabled, when the translation does not exist, when its collection is
 * unmapped, or when the target has EnableLPIs clear.  (KVM fails
 * KVM_SIGNAL_MSI with EBUSY in the disabled cases; virq reports the drop
 * instead, as for a guest-blocked MSI.)
 *
 * State.  GITS registers through VIRQ_GICV3_GRP_ITS_REGS with KVM's
 * rules: the register's full width only, CREADR writable while disabled
 * only (EBUSY; EINVAL beyond the queue), IIDR and the other read-only
 * registers must match this implementation (EINVAL).  The tables go to
 * and come from guest memory in KVM's ITS table ABI revision 0
 * (Documentation/virt/kvm/devices/arm-vgic-its.rst): 8-byte DTEs at
 * their device id's place in the device table, ITEs at their event id's
 * place in the device's ITT, CTEs packed from the start of the
 * collection table and ended by an invalid one.  Save also clears the
 * stale entries a restore would otherwise scan (before the first entry
 * of a table or level-2 page, after a capped "next" offset): KVM leaves
 * them.  Restore replaces the ITS's state and requires a disabled ITS
 * (EBUSY); an ITE whose collection is not in the collection table is
 * restored unmapped (KVM fails).
 */
#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "../regs.h"
#include "gicv3.h"

/* Frame offsets */
#define GITS_CTLR		0x0000
#define GITS_IIDR		0x0004
#define GITS_TYPER		0x0008
#define GITS_CBASER		0x0080
#define GITS_CWRITER		0x0088
#define GITS_CREADR		0x0090
#define GITS_BASER		0x0100
#define GITS_BASER_NR		8
#define GITS_IDREGS		0xffd0
#define GITS_PIDR4		0xffd0
#define GITS_PIDR0		0xffe0
#define GITS_PIDR1		0xffe4
#define GITS_PIDR2		0xffe8
#define GITS_CIDR0		0xfff0
#define GITS_CONTROL_SIZE	0x10000
#define GITS_TRANSLATER		VIRQ_GICV3_GITS_TRANSLATER

#define GITS_CTLR_ENABLED	BIT(0)
#define GITS_CTLR_QUIESCENT	BIT(31)

/* ProductID 'V' (virq), implementer Arm; Revision is the table ABI */
#define ITS_IIDR		0x5600043bU
#define ITS_IIDR_REV		GENMASK(15, 12)
#define ITS_ABI_REV		0

#define ITS_DEVBITS		16
#define ITS_EVBITS		16
#define ITS_ESZ			8	/* DTE, CTE, ITE */
#define ITS_TYPER		(BIT_ULL(0) |				\
				 (u64)(ITS_ESZ - 1) << 4 |		\
				 (u64)(ITS_EVBITS - 1) << 8 |		\
				 (u64)(ITS_DEVBITS - 1) << 13)

/* GITS_CBASER and GITS_BASER<n> fields */
#define ITS_BASER_VALID		BIT_ULL(63)
#define ITS_BASER_INDIRECT	BIT_ULL(62)
#define ITS_BASER_INNER		GENMASK_ULL(61, 59)
#define ITS_BASER_TYPE		GENMASK_ULL(58, 56)
#define ITS_BASER_OUTER		GENMASK_ULL(55, 53)
#define ITS_BASER_ESZ		GENMASK_ULL(52, 48)
#define ITS_BASER_SHARE		GENMASK_ULL(11, 10)
#define ITS_BASER_PSZ		GENMASK_ULL(9, 8)
#define ITS_BASER_SIZE		GENMASK_ULL(7, 0)
#define ITS_BASER_RO		(ITS_BASER_ESZ | ITS_BASER_TYPE)
#define ITS_BASER_PSZ_64K	2
#define ITS_TYPE_DEVICE		1
#define ITS_TYPE_COLLECTION	4
#define ITS_CBASER_ADDR		GENMASK_ULL(51, 16)
#define ITS_CACHE_NCNB		0
#define ITS_CACHE_NC		1
#define ITS_CACHE_RAWB		3
#define ITS_CACHE_SAME		0	/* outer: same as inner */
#define ITS_SHARE_INNER		1
#define ITS_SHARE_OUTER		2
#define ITS_PAGE		0x10000ULL
#define ITS_L1_VALID		BIT_ULL(63)
#define ITS_L1_ADDR		GENMASK_ULL(51, 16)

#define ITS_BASER_RESET		(FIELD_PREP(ITS_BASER_INNER, ITS_CACHE_RAWB) | \
				 FIELD_PREP(ITS_BASER_SHARE, ITS_SHARE_INNER) | \
				 FIELD_PREP(ITS_BASER_PSZ, ITS_BASER_PSZ_64K) | \
				 FIELD_PREP(ITS_BASER_ESZ, ITS_ESZ - 1))

#define ITS_CMD_SIZE		32
#define ITS_CMD_OFFSET		GENMASK_ULL(19, 5)

/* Commands */
#define ITS_CMD_MOVI		0x01
#define ITS_CMD_INT		0x03
#define ITS_CMD_CLEAR		0x04
#define ITS_CMD_SYNC		0x05
#define ITS_CMD_MAPD		0x08
#define ITS_CMD_MAPC		0x09
#define ITS_CMD_MAPTI		0x0a
#define ITS_CMD_MAPI		0x0b
#define ITS_CMD_INV		0x0c
#define ITS_CMD_INVALL		0x0d
#define ITS_CMD_MOVALL		0x0e
#define ITS_CMD_DISCARD		0x0f

/* Command errors (the architecture's encodings; only counted) */
#define E_ITS_MOVI_UNMAPPED_INTERRUPT		0x010107
#define E_ITS_MOVI_UNMAPPED_COLLECTION		0x010109
#define E_ITS_INT_UNMAPPED_INTERRUPT		0x010307
#define E_ITS_CLEAR_UNMAPPED_INTERRUPT		0x010507
#define E_ITS_MAPD_DEVICE_OOR			0x010801
#define E_ITS_MAPD_ITTSIZE_OOR			0x010802
#define E_ITS_MAPC_PROCNUM_OOR			0x010902
#define E_ITS_MAPC_COLLECTION_OOR		0x010903
#define E_ITS_MAPTI_UNMAPPED_DEVICE		0x010a04
#define E_ITS_MAPTI_ID_OOR			0x010a05
#define E_ITS_MAPTI_PHYSICALID_OOR		0x010a06
#define E_ITS_INV_UNMAPPED_INTERRUPT		0x010c07
#define E_ITS_INVALL_UNMAPPED_COLLECTION	0x010d09
#define E_ITS_MOVALL_PROCNUM_OOR		0x010e01
#define E_ITS_DISCARD_UNMAPPED_INTERRUPT	0x010f07
#define E_ITS_UNKNOWN_COMMAND			0x0100ff	/* virq's */
#define E_ITS_UNREADABLE_COMMAND		0x0100fe	/* virq's */

/* Table ABI revision 0 (arm-vgic-its.rst) */
#define ABI_DTE_VALID		BIT_ULL(63)
#define ABI_DTE_NEXT		GENMASK_ULL(62, 49)
#define ABI_DTE_ITT		GENMASK_ULL(48, 5)	/* ITT address >> 8 */
#define ABI_DTE_SIZE		GENMASK_ULL(4, 0)
#define ABI_CTE_VALID		BIT_ULL(63)
#define ABI_CTE_RDBASE		GENMASK_ULL(51, 16)
#define ABI_CTE_ICID		GENMASK_ULL(15, 0)
#define ABI_ITE_NEXT		GENMASK_ULL(63, 48)
#define ABI_ITE_PINTID		GENMASK_ULL(47, 16)
#define ABI_ITE_ICID		GENMASK_ULL(15, 0)
#define ABI_DTE_MAX_NEXT	(BIT(14) - 1)
#define ABI_ITE_MAX_NEXT	(BIT(16) - 1)

#define ITS_CACHE_BITS		8
#define ITS_CACHE_SIZE		BIT(ITS_CACHE_BITS)

enum { ITS_DEVICE_TABLE, ITS_COLLECTION_TABLE, ITS_NR_TABLES };

/**
 * struct its_device - a mapped device (MAPD)
 * @devid: device id
 * @nr_bits: EventID bits of its ITT (1..ITS_EVBITS)
 * @itt: the ITT's guest-physical address (256-byte aligned)
 * @ites: event id -> struct its_ite
 * @rcu: deferred free
 */
struct its_device {
	u32 devid;
	u8 nr_bits;
	u64 itt;
	struct xarray ites;
	struct rcu_head rcu;
};

/**
 * struct its_ite - an interrupt translation entry (MAPTI, MAPI)
 * @eventid: event id
 * @icid: its collection
 * @irq: its LPI (holding a reference, gicv3_lpi_ref_locked())
 * @rcu: deferred free
 */
struct its_ite {
	u32 eventid;
	u16 icid;
	struct gicv3_irq *irq;
	struct rcu_head rcu;
};

/**
 * struct its_cache_entry - one translation cache slot
 * @devid: device id
 * @eventid: event id
 * @irq: the LPI it translates to; NULL for an empty slot
 */
struct its_cache_entry {
	u32 devid;
	u32 eventid;
	struct gicv3_irq *irq;
};

/**
 * struct gicv3_its - the ITS (gicv3_chip.its)
 * @gic: the chip
 * @cmd_mutex: registers, commands, the translation structures' writers
 *	and the table save/restore
 * @frame: the GITS control frame's register table
 * @enabled: GITS_CTLR.Enabled (written under @cmd_mutex and the chip
 *	lock)
 * @cbaser: GITS_CBASER
 * @cwriter: GITS_CWRITER offset
 * @creadr: GITS_CREADR offset
 * @baser: GITS_BASER0 (device table) and GITS_BASER1 (collections)
 * @devices: device id -> struct its_device
 * @collections: collection id -> xa_mk_value(processor number)
 * @cache: the translation cache (chip lock)
 * @cache_hits: translations found in @cache (chip lock)
 * @cache_misses: translations that walked the tables (chip lock)
 * @dropped: MSIs dropped by the ITS (chip lock)
 * @nr_cmds: commands processed (@cmd_mutex)
 * @nr_errors: command errors (@cmd_mutex)
 * @last_error: the last command error's code, 0 if none (@cmd_mutex)
 */
struct gicv3_its {
	struct gicv3_chip *gic;
	struct mutex cmd_mutex;	/* see the kernel-doc above */
	struct virq_reg_frame frame;
	bool enabled;
	u64 cbaser;
	u64 cwriter;
	u64 creadr;
	u64 baser[ITS_NR_TABLES];
	struct xarray devices;
	struct xarray collections;
	struct its_cache_entry cache[ITS_CACHE_SIZE];
	u64 cache_hits;
	u64 cache_misses;
	u64 dropped;
	u64 nr_cmds;
	u64 nr_errors;
	u32 last_error;
};

/* --- translation ------------------------------------------------------- */

static u32 its_hash(u32 devid, u32 eventid)
{
	return ((devid ^ (eventid * 0x9e3779b9U)) * 0x61c88647U) >>
	       (32 - ITS_CACHE_BITS);
}

/* Empty the translation cache (chip lock held) */
static void its_cache_invalidate_locked(struct gicv3_its *its)
{
	lockdep_assert_held(&its->gic->lock);
	memset(its->cache, 0, sizeof(its->cache));
}

static void its_cache_invalidate(struct gicv3_its *its)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&its->gic->lock, flags);
	its_cache_invalidate_locked(its);
	raw_spin_unlock_irqrestore(&its->gic->lock, flags);
}

/*
 * The LPI (devid, eventid) translates to, or NULL; fills the cache.
 * Chip lock held (which keeps what the tables point to alive: their
 * writers free with RCU).
 */
static struct gicv3_irq *its_translate_locked(struct gicv3_its *its,
					      u32 devid, u32 eventid)
{
	struct its_cache_entry *e = &its->cache[its_hash(devid, eventid)];
	struct its_device *dev;
	struct gicv3_irq *irq = NULL;
	struct its_ite *ite;

	lockdep_assert_held(&its->gic->lock);
	if (!its->enabled)
		return NULL;
	if (e->irq && e->devid == devid && e->eventid == eventid) {
		its->cache_hits++;
		return e->irq;
	}
	its->cache_misses++;
	rcu_read_lock();
	dev = xa_load(&its->devices, devid);
	ite = dev ? xa_load(&dev->ites, eventid) : NULL;
	if (ite) {
		irq = ite->irq;
		*e = (struct its_cache_entry) {
			.devid = devid, .eventid = eventid, .irq = irq,
		};
	}
	rcu_read_unlock();
	return irq;
}

/**
 * gicv3_its_translate() - an MSI written to GITS_TRANSLATER
 * @gic: the chip
 * @devid: the writer's device id
 * @eventid: the data written
 * @status: the virq_irq_line.status of the injection
 *
 * Atomic; never touches guest memory.
 *
 * Return: 0, or -EINVAL if the chip has no ITS.
 */
int gicv3_its_translate(struct gicv3_chip *gic, u32 devid, u32 eventid,
			int *status)
{
	struct gicv3_its *its = gic->its;
	struct gicv3_vcpu *kick = NULL;
	struct gicv3_irq *irq;
	unsigned long flags;

	if (!its)
		return -EINVAL;
	raw_spin_lock_irqsave(&gic->lock, flags);
	irq = its_translate_locked(its, devid, eventid);
	if (irq)
		kick = gicv3_lpi_inject_locked(gic, irq, status);
	else
		*status = VIRQ_STATUS_MASKED;
	if (*status == VIRQ_STATUS_MASKED && (!irq || !irq->pending_latch))
		its->dropped++;
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(kick);
	return 0;
}

/* --- tables in guest memory -------------------------------------------- */

static u64 its_baser_addr(u64 baser)
{
	/* 64 KiB pages: PA[47:16] in place, PA[51:48] in bits 15:12 */
	return (baser & GENMASK_ULL(47, 16)) |
	       ((baser >> 12) & 0xf) << 48;
}

static u64 its_baser_bytes(u64 baser)
{
	return (FIELD_GET(ITS_BASER_SIZE, baser) + 1) * ITS_PAGE;
}

/*
 * Where the entry of @id lives in table @t: *@gpa.  0, -EINVAL (the id
 * does not fit the table, or its level-1 entry is invalid) or -EFAULT
 * (the level-1 entry or the entry is not in guest memory).  Checks the
 * table's Valid bit only with @need_valid.
 */
static int its_table_entry(struct gicv3_its *its, int t, u32 id, u64 *gpa)
{
	u64 baser = its->baser[t], base = its_baser_addr(baser);
	u64 bytes = its_baser_bytes(baser), entry, l1;
	__le64 le;
	u32 per_page = ITS_PAGE / ITS_ESZ;

	if (id >= BIT(t == ITS_DEVICE_TABLE ? ITS_DEVBITS : 16))
		return -EINVAL;
	if (!(baser & ITS_BASER_INDIRECT)) {
		if (id >= bytes / ITS_ESZ)
			return -EINVAL;
		*gpa = base + (u64)id * ITS_ESZ;
	} else {
		if (id / per_page >= bytes / sizeof(u64))
			return -EINVAL;
		if (virq_guest_read(its->gic->inst,
				    base + (id / per_page) * sizeof(u64),
				    &le, sizeof(le)))
			return -EFAULT;
		l1 = le64_to_cpu(le);
		if (!(l1 & ITS_L1_VALID))
			return -EINVAL;
		*gpa = (l1 & ITS_L1_ADDR) + (u64)(id % per_page) * ITS_ESZ;
	}
	/* The entry must be in guest memory (KVM: a visible gfn) */
	if (virq_guest_read(its->gic->inst, *gpa, &entry, sizeof(entry)))
		return -EFAULT;
	return 0;
}

static bool its_id_fits(struct gicv3_its *its, int t, u32 id)
{
	u64 gpa;

	return !its_table_entry(its, t, id, &gpa);
}

/* --- structures ---------------------------------------------------------- */

/*
 * The live vCPU with processor number @nr, or NULL: a vCPU whose
 * creation failed stays parked in gic->vcpus[] and is no target (a
 * racing destroy is caught again under the chip lock, where
 * gicv3_lpi_retarget_locked() refuses a vCPU that is not live).
 */
static struct gicv3_vcpu *its_vcpu(struct gicv3_its *its, u64 nr)
{
	struct gicv3_chip *gic = its->gic;
	struct gicv3_vcpu *gv;

	if (nr >= gic->nr_vcpus)
		return NULL;
	gv = READ_ONCE(gic->vcpus[nr]);
	return gv && READ_ONCE(gv->live) ? gv : NULL;
}

/* The vCPU collection @icid is mapped to, or NULL */
static struct gicv3_vcpu *its_collection_vcpu(struct gicv3_its *its, u32 icid)
{
	void *entry = xa_load(&its->collections, icid);

	return entry ? its_vcpu(its, xa_to_value(entry)) : NULL;
}

static struct its_ite *its_find_ite(struct gicv3_its *its, u32 devid,
				    u32 eventid)
{
	struct its_device *dev = xa_load(&its->devices, devid);

	return dev ? xa_load(&dev->ites, eventid) : NULL;
}

/* Point @ite's LPI at @gv (no lock held) */
static void its_ite_retarget(struct gicv3_its *its, struct its_ite *ite,
			     struct gicv3_vcpu *gv)
{
	struct gicv3_chip *gic = its->gic;
	struct gicv3_vcpu *kick;
	unsigned long flags;

	raw_spin_lock_irqsave(&gic->lock, flags);
	kick = gicv3_lpi_retarget_locked(gic, ite->irq, gv);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(kick);
}

/* Every ITE of collection @icid follows it to its vCPU (or to none) */
static void its_collection_retarget(struct gicv3_its *its, u32 icid)
{
	struct gicv3_vcpu *gv = its_collection_vcpu(its, icid);
	struct its_device *dev;
	struct its_ite *ite;
	unsigned long d, e;

	xa_for_each(&its->devices, d, dev) {
		xa_for_each(&dev->ites, e, ite) {
			if (ite->icid == icid)
				its_ite_retarget(its, ite, gv);
		}
		cond_resched();
	}
}

/*
 * Create ITE (@dev, @eventid) -> LPI @intid in collection @icid.  0,
 * -EINVAL (LPI out of range), -EFAULT (property table), -ENOMEM,
 * -EEXIST.
 */
static int its_ite_create(struct gicv3_its *its, struct its_device *dev,
			  u32 eventid, u32 intid, u16 icid)
{
	struct gicv3_chip *gic = its->gic;
	struct gicv3_vcpu *kick;
	struct gicv3_irq *irq;
	struct its_ite *ite;
	unsigned long flags;
	int ret;

	ite = kzalloc(sizeof(*ite), GFP_KERNEL_ACCOUNT);
	if (!ite)
		return -ENOMEM;
	irq = gicv3_lpi_get_locked(gic, intid, &flags);
	if (IS_ERR(irq)) {
		raw_spin_unlock_irqrestore(&gic->lock, flags);
		kfree(ite);
		return PTR_ERR(irq);
	}
	raw_spin_unlock_irqrestore(&gic->lock, flags);

	/*
	 * Only an unref kills an LPI, and unrefs run under cmd_mutex, which
	 * we hold: @irq stays alive until the ITE takes its reference.  A
	 * failed insert must not kill an LPI that existed before (pending
	 * from GICR_SETLPIR or the pending table): the reference is taken
	 * after it.  (An LPI created here lives on, as a direct one does.)
	 */
	ite->eventid = eventid;
	ite->icid = icid;
	ite->irq = irq;
	ret = xa_insert(&dev->ites, eventid, ite, GFP_KERNEL_ACCOUNT);
	if (ret) {
		kfree(ite);
		return ret;
	}
	raw_spin_lock_irqsave(&gic->lock, flags);
	gicv3_lpi_ref_locked(irq);
	kick = gicv3_lpi_retarget_locked(gic, irq,
					 its_collection_vcpu(its, icid));
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(kick);
	return 0;
}

/* Remove @ite from @dev (the cache must be invalidated by the caller) */
static void its_ite_erase(struct its_device *dev, struct its_ite *ite)
{
	xa_erase(&dev->ites, ite->eventid);
}

static void its_ite_free(struct gicv3_its *its, struct its_ite *ite)
{
	gicv3_lpi_unref(its->gic, ite->irq);
	kfree_rcu(ite, rcu);
}

/*
 * Unmap @dev and every ITE in it.  The ITEs leave @dev->ites first (for
 * a private xarray), then the cache is invalidated, and only then do
 * their LPIs go: no translation can reach a dying LPI.
 */
static void its_device_free_all_ites(struct gicv3_its *its,
				     struct its_device *dev)
{
	struct xarray gone;
	struct its_ite *ite;
	unsigned long e;

	xa_init(&gone);
	xa_erase(&its->devices, dev->devid);
	xa_for_each(&dev->ites, e, ite) {
		its_ite_erase(dev, ite);
		if (xa_insert(&gone, e, ite, GFP_KERNEL_ACCOUNT)) {
			/* No memory to defer it: invalidate now, free now */
			its_cache_invalidate(its);
			its_ite_free(its, ite);
		}
	}
	its_cache_invalidate(its);
	xa_for_each(&gone, e, ite)
		its_ite_free(its, ite);
	xa_destroy(&gone);
	xa_destroy(&dev->ites);
	kfree_rcu(dev, rcu);
}

static void its_free_devices(struct gicv3_its *its)
{
	struct its_device *dev;
	unsigned long d;

	xa_for_each(&its->devices, d, dev)
		its_device_free_all_ites(its, dev);
}

static void its_free_collections(struct gicv3_its *its)
{
	unsigned long icid;
	void *entry;

	xa_for_each(&its->collections, icid, entry) {
		xa_erase(&its->collections, icid);
		its_collection_retarget(its, icid);
	}
	its_cache_invalidate(its);
}

static struct its_device *its_device_alloc(u32 devid, u8 nr_bits, u64 itt)
{
	struct its_device *dev = kzalloc(sizeof(*dev), GFP_KERNEL_ACCOUNT);

	if (!dev)
		return NULL;
	dev->devid = devid;
	dev->nr_bits = nr_bits;
	dev->itt = itt;
	xa_init(&dev->ites);
	return dev;
}

/* --- commands -------------------------------------------------------------- */

static u64 cmd_field(const __le64 *cmd, int word, int shift, int bits)
{
	return (le64_to_cpu(cmd[word]) >> shift) & GENMASK_ULL(bits - 1, 0);
}

#define cmd_number(c)	cmd_field(c, 0, 0, 8)
#define cmd_devid(c)	((u32)cmd_field(c, 0, 32, 32))
#define cmd_eventid(c)	((u32)cmd_field(c, 1, 0, 32))
#define cmd_pintid(c)	((u32)cmd_field(c, 1, 32, 32))
#define cmd_size(c)	((u32)cmd_field(c, 1, 0, 5) + 1)
#define cmd_icid(c)	((u16)cmd_field(c, 2, 0, 16))
#define cmd_itt(c)	(cmd_field(c, 2, 8, 44) << 8)
#define cmd_rdbase(c)	cmd_field(c, 2, 16, 32)
#define cmd_rdbase2(c)	cmd_field(c, 3, 16, 32)
#define cmd_valid(c)	cmd_field(c, 2, 63, 1)

static int its_cmd_mapd(struct gicv3_its *its, const __le64 *cmd)
{
	u32 devid = cmd_devid(cmd), bits = cmd_size(cmd);
	bool valid = cmd_valid(cmd);
	struct its_device *dev;
	int ret;

	if (!its_id_fits(its, ITS_DEVICE_TABLE, devid))
		return E_ITS_MAPD_DEVICE_OOR;
	if (valid && bits > ITS_EVBITS)
		return E_ITS_MAPD_ITTSIZE_OOR;
	dev = xa_load(&its->devices, devid);
	if (dev)
		its_device_free_all_ites(its, dev);
	if (!valid)
		return 0;
	dev = its_device_alloc(devid, bits, cmd_itt(cmd));
	if (!dev)
		return -ENOMEM;
	ret = xa_insert(&its->devices, devid, dev, GFP_KERNEL_ACCOUNT);
	if (ret)
		kfree(dev);
	return ret;
}

static int its_cmd_mapc(struct gicv3_its *its, const __le64 *cmd)
{
	u64 rdbase = cmd_rdbase(cmd);
	u16 icid = cmd_icid(cmd);
	int ret;

	if (!its_vcpu(its, rdbase))
		return E_ITS_MAPC_PROCNUM_OOR;
	if (!cmd_valid(cmd)) {
		xa_erase(&its->collections, icid);
	} else {
		if (!xa_load(&its->collections, icid) &&
		    !its_id_fits(its, ITS_COLLECTION_TABLE, icid))
			return E_ITS_MAPC_COLLECTION_OOR;
		ret = xa_err(xa_store(&its->collections, icid,
				      xa_mk_value(rdbase), GFP_KERNEL_ACCOUNT));
		if (ret)
			return ret;
	}
	its_collection_retarget(its, icid);
	its_cache_invalidate(its);
	return 0;
}

static int its_cmd_mapti(struct gicv3_its *its, const __le64 *cmd)
{
	u32 devid = cmd_devid(cmd), eventid = cmd_eventid(cmd), intid;
	u16 icid = cmd_icid(cmd);
	struct its_device *dev;
	int ret;

	dev = xa_load(&its->devices, devid);
	if (!dev)
		return E_ITS_MAPTI_UNMAPPED_DEVICE;
	if (eventid >= BIT_ULL(dev->nr_bits))
		return E_ITS_MAPTI_ID_OOR;
	intid = cmd_number(cmd) == ITS_CMD_MAPTI ? cmd_pintid(cmd) : eventid;
	if (intid < GICV3_FIRST_LPI || intid >= gicv3_lpi_limit(its->gic))
		return E_ITS_MAPTI_PHYSICALID_OOR;
	if (xa_load(&dev->ites, eventid))
		return 0;
	if (!xa_load(&its->collections, icid) &&
	    !its_id_fits(its, ITS_COLLECTION_TABLE, icid))
		return E_ITS_MAPC_COLLECTION_OOR;
	ret = its_ite_create(its, dev, eventid, intid, icid);
	return ret == -EINVAL ? E_ITS_MAPTI_PHYSICALID_OOR : ret;
}

static int its_cmd_movi(struct gicv3_its *its, const __le64 *cmd)
{
	struct its_ite *ite = its_find_ite(its, cmd_devid(cmd),
					   cmd_eventid(cmd));
	struct gicv3_vcpu *gv;

	if (!ite)
		return E_ITS_MOVI_UNMAPPED_INTERRUPT;
	if (!its_collection_vcpu(its, ite->icid))
		return E_ITS_MOVI_UNMAPPED_COLLECTION;
	gv = its_collection_vcpu(its, cmd_icid(cmd));
	if (!gv)
		return E_ITS_MOVI_UNMAPPED_COLLECTION;
	ite->icid = cmd_icid(cmd);
	its_ite_retarget(its, ite, gv);
	its_cache_invalidate(its);
	return 0;
}

static int its_cmd_discard(struct gicv3_its *its, const __le64 *cmd)
{
	struct its_device *dev = xa_load(&its->devices, cmd_devid(cmd));
	struct gicv3_chip *gic = its->gic;
	struct gicv3_vcpu *kick;
	struct its_ite *ite;
	unsigned long flags;

	ite = dev ? xa_load(&dev->ites, cmd_eventid(cmd)) : NULL;
	if (!ite || !its_collection_vcpu(its, ite->icid))
		return E_ITS_DISCARD_UNMAPPED_INTERRUPT;
	its_ite_erase(dev, ite);
	raw_spin_lock_irqsave(&gic->lock, flags);
	its_cache_invalidate_locked(its);
	/* DISCARD also removes the pending state (another ITE may map it) */
	ite->irq->pending_latch = false;
	kick = gicv3_irq_update(gic, ite->irq);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(kick);
	its_ite_free(its, ite);
	return 0;
}

static int its_cmd_int(struct gicv3_its *its, const __le64 *cmd)
{
	struct gicv3_chip *gic = its->gic;
	struct gicv3_vcpu *kick = NULL;
	struct gicv3_irq *irq;
	unsigned long flags;
	int status = 0;

	raw_spin_lock_irqsave(&gic->lock, flags);
	irq = its_translate_locked(its, cmd_devid(cmd), cmd_eventid(cmd));
	if (irq && irq->target)
		kick = gicv3_lpi_inject_locked(gic, irq, &status);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(kick);
	return irq && irq->target ? 0 : E_ITS_INT_UNMAPPED_INTERRUPT;
}

static int its_cmd_clear(struct gicv3_its *its, const __le64 *cmd)
{
	struct its_ite *ite = its_find_ite(its, cmd_devid(cmd),
					   cmd_eventid(cmd));
	struct gicv3_chip *gic = its->gic;
	struct gicv3_vcpu *kick;
	unsigned long flags;

	if (!ite)
		return E_ITS_CLEAR_UNMAPPED_INTERRUPT;
	raw_spin_lock_irqsave(&gic->lock, flags);
	ite->irq->pending_latch = false;
	kick = gicv3_irq_update(gic, ite->irq);
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	gicv3_kick(kick);
	return 0;
}

static int its_cmd_inv(struct gicv3_its *its, const __le64 *cmd)
{
	struct its_ite *ite = its_find_ite(its, cmd_devid(cmd),
					   cmd_eventid(cmd));

	if (!ite)
		return E_ITS_INV_UNMAPPED_INTERRUPT;
	return gicv3_lpi_reload(its->gic, ite->irq);
}

static int its_cmd_invall(struct gicv3_its *its, const __le64 *cmd)
{
	struct gicv3_vcpu *gv = its_collection_vcpu(its, cmd_icid(cmd));

	if (!gv)
		return E_ITS_INVALL_UNMAPPED_COLLECTION;
	return gicv3_lpi_invall(gv);
}

static int its_cmd_movall(struct gicv3_its *its, const __le64 *cmd)
{
	struct gicv3_vcpu *from = its_vcpu(its, cmd_rdbase(cmd));
	struct gicv3_vcpu *to = its_vcpu(its, cmd_rdbase2(cmd));

	if (!from || !to)
		return E_ITS_MOVALL_PROCNUM_OOR;
	gicv3_lpi_move_all(from, to);
	its_cache_invalidate(its);
	return 0;
}

/* One command: 0, a command error (> 0) or a negative errno */
static int its_handle_command(struct gicv3_its *its, const __le64 *cmd)
{
	switch (cmd_number(cmd)) {
	case ITS_CMD_MAPD:
		return its_cmd_mapd(its, cmd);
	case ITS_CMD_MAPC:
		return its_cmd_mapc(its, cmd);
	case ITS_CMD_MAPTI:
	case ITS_CMD_MAPI:
		return its_cmd_mapti(its, cmd);
	case ITS_CMD_MOVI:
		return its_cmd_movi(its, cmd);
	case ITS_CMD_DISCARD:
		return its_cmd_discard(its, cmd);
	case ITS_CMD_INT:
		return its_cmd_int(its, cmd);
	case ITS_CMD_CLEAR:
		return its_cmd_clear(its, cmd);
	case ITS_CMD_INV:
		return its_cmd_inv(its, cmd);
	case ITS_CMD_INVALL:
		return its_cmd_invall(its, cmd);
	case ITS_CMD_MOVALL:
		return its_cmd_movall(its, cmd);
	case ITS_CMD_SYNC:
		/* Every command takes effect before the next: in sync */
		return 0;
	default:
		return E_ITS_UNKNOWN_COMMAND;
	}
}

static u64 its_queue_bytes(u64 cbaser)
{
	return (FIELD_GET(ITS_BASER_SIZE, cbaser) + 1) * 4096;
}

/* Run the queue from CREADR to CWRITER (cmd_mutex held) */
static void its_process_commands(struct gicv3_its *its)
{
	u64 base = its->cbaser & ITS_CBASER_ADDR;
	u64 size = its_queue_bytes(its->cbaser);
	__le64 cmd[4];
	int ret;

	lockdep_assert_held(&its->cmd_mutex);
	if (!its->enabled)
		return;
	/* cwriter < size and creadr < size: at most size / 32 commands */
	while (its->creadr != its->cwriter) {
		if (virq_guest_read(its->gic->inst, base + its->creadr, cmd,
				    sizeof(cmd)))
			ret = E_ITS_UNREADABLE_COMMAND;
		else
			ret = its_handle_command(its, cmd);
		its->nr_cmds++;
		if (ret) {
			its->nr_errors++;
			its->last_error = ret > 0 ? ret : -ret;
		}
		its->creadr += ITS_CMD_SIZE;
		if (its->creadr >= size)
			its->creadr = 0;
		cond_resched();
	}
}

/* --- registers ------------------------------------------------------------ */

static u64 reg_extract(u64 reg, u32 offset, u32 len)
{
	if (len == 8)
		return reg;
	return (reg >> ((offset & 4) * 8)) & GENMASK_ULL(len * 8 - 1, 0);
}

static u64 reg_update(u64 reg, u32 offset, u32 len, u64 val)
{
	u64 mask;
	u32 shift;

	if (len == 8)
		return val;
	shift = (offset & 4) * 8;
	mask = GENMASK_ULL(len * 8 - 1, 0) << shift;
	return (reg & ~mask) | ((val << shift) & mask);
}

static u64 its_sanitise(u64 reg)
{
	u64 f;

	f = FIELD_GET(ITS_BASER_SHARE, reg);
	if (f == ITS_SHARE_OUTER)
		reg = (reg & ~ITS_BASER_SHARE) |
		      FIELD_PREP(ITS_BASER_SHARE, ITS_SHARE_INNER);
	f = FIELD_GET(ITS_BASER_INNER, reg);
	if (f == ITS_CACHE_NCNB || f == ITS_CACHE_NC)
		reg = (reg & ~ITS_BASER_INNER) |
		      FIELD_PREP(ITS_BASER_INNER, ITS_CACHE_RAWB);
	f = FIELD_GET(ITS_BASER_OUTER, reg);
	if (f != ITS_CACHE_SAME && f != ITS_CACHE_NC)
		reg = (reg & ~ITS_BASER_OUTER) |
		      FIELD_PREP(ITS_BASER_OUTER, ITS_CACHE_SAME);
	return reg;
}

static void its_set_enabled(struct gicv3_its *its, bool enabled)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&its->gic->lock, flags);
	its->enabled = enabled;
	if (!enabled)
		its_cache_invalidate_locked(its);
	raw_spin_unlock_irqrestore(&its->gic->lock, flags);
}

static u64 its_read_ctlr(void *opaque, u32 offset, u32 irq, u32 len)
{
	struct gicv3_its *its = opaque;

	return (its->enabled ? GITS_CTLR_ENABLED : 0) |
	       (its->creadr == its->cwriter ? GITS_CTLR_QUIESCENT : 0);
}

static void its_write_ctlr(void *opaque, u32 offset, u32 irq, u32 len,
			   u64 val)
{
	struct gicv3_its *its = opaque;
	bool enable = val & GITS_CTLR_ENABLED;

	if (!its->enabled && enable &&
	    (!(its->baser[ITS_DEVICE_TABLE] & ITS_BASER_VALID) ||
	     !(its->baser[ITS_COLLECTION_TABLE] & ITS_BASER_VALID) ||
	     !(its->cbaser & ITS_BASER_VALID)))
		return;
	its_set_enabled(its, enable);
	its_process_commands(its);
}

static u64 its_read_iidr(void *opaque, u32 offset, u32 irq, u32 len)
{
	return ITS_IIDR | FIELD_PREP(ITS_IIDR_REV, ITS_ABI_REV);
}

static u64 its_read_typer(void *opaque, u32 offset, u32 irq, u32 len)
{
	return reg_extract(ITS_TYPER, offset, len);
}

static u64 its_read_cbaser(void *opaque, u32 offset, u32 irq, u32 len)
{
	return reg_extract(((struct gicv3_its *)opaque)->cbaser, offset, len);
}

static void its_write_cbaser(void *opaque, u32 offset, u32 irq, u32 len,
			     u64 val)
{
	struct gicv3_its *its = opaque;
	u64 reg;

	if (its->enabled)
		return;
	reg = reg_update(its->cbaser, offset, len, val);
	reg = its_sanitise(reg) & ~GENMASK_ULL(15, 12);
	/* Only the fields the register has */
	reg &= ITS_BASER_VALID | ITS_BASER_INNER | ITS_BASER_OUTER |
	       GENMASK_ULL(51, 16) | ITS_BASER_SHARE | ITS_BASER_SIZE;
	its->cbaser = reg;
	its->creadr = 0;
	its->cwriter = 0;
}

static u64 its_read_cwriter(void *opaque, u32 offset, u32 irq, u32 len)
{
	return reg_extract(((struct gicv3_its *)opaque)->cwriter, offset, len);
}

static void its_write_cwriter(void *opaque, u32 offset, u32 irq, u32 len,
			      u64 val)
{
	struct gicv3_its *its = opaque;
	u64 reg = reg_update(its->cwriter, offset, len, val) & ITS_CMD_OFFSET;

	if (reg >= its_queue_bytes(its->cbaser))
		return;
	its->cwriter = reg;
	its_process_commands(its);
}

static u64 its_read_creadr(void *opaque, u32 offset, u32 irq, u32 len)
{
	return reg_extract(((struct gicv3_its *)opaque)->creadr, offset, len);
}

static int its_uwrite_creadr(void *opaque, u32 offset, u32 irq, u32 len,
			     u64 val)
{
	struct gicv3_its *its = opaque;

	if (its->enabled)
		return -EBUSY;
	val &= ITS_CMD_OFFSET;
	if (val >= its_queue_bytes(its->cbaser))
		return -EINVAL;
	its->creadr = val;
	return 0;
}

static u64 its_read_baser(void *opaque, u32 offset, u32 irq, u32 len)
{
	struct gicv3_its *its = opaque;
	u32 n = (offset - GITS_BASER) / 8;

	return n < ITS_NR_TABLES ? reg_extract(its->baser[n], offset, len) : 0;
}

static void its_write_baser(void *opaque, u32 offset, u32 irq, u32 len,
			    u64 val)
{
	struct gicv3_its *its = opaque;
	u32 n = (offset - GITS_BASER) / 8;
	u64 reg;

	if (its->enabled || n >= ITS_NR_TABLES)
		return;
	reg = reg_update(its->baser[n], offset, len, val) & ~ITS_BASER_RO;
	if (n == ITS_COLLECTION_TABLE)
		reg &= ~ITS_BASER_INDIRECT;
	reg |= FIELD_PREP(ITS_BASER_ESZ, ITS_ESZ - 1) |
	       FIELD_PREP(ITS_BASER_TYPE, n == ITS_DEVICE_TABLE ?
			  ITS_TYPE_DEVICE : ITS_TYPE_COLLECTION);
	reg = its_sanitise(reg);
	reg = (reg & ~ITS_BASER_PSZ) |
	      FIELD_PREP(ITS_BASER_PSZ, ITS_BASER_PSZ_64K);
	its->baser[n] = reg;
	if (reg & ITS_BASER_VALID)
		return;
	/* An invalid table forgets what it held (KVM) */
	if (n == ITS_DEVICE_TABLE)
		its_free_devices(its);
	else
		its_free_collections(its);
}

static u64 its_read_idreg(void *opaque, u32 offset, u32 irq, u32 len)
{
	static const u8 cidr[4] = { 0x0d, 0xf0, 0x05, 0xb1 };

	switch (offset) {
	case GITS_PIDR0:
		return 0x92;
	case GITS_PIDR1:
		return 0xb4;
	case GITS_PIDR2:
		return GICV3_PIDR2;
	case GITS_PIDR4:
		return 0x40;	/* a 64 KiB frame */
	}
	if (offset >= GITS_CIDR0)
		return cidr[(offset - GITS_CIDR0) / 4];
	return 0;
}

static int its_uwrite_ro(void *opaque, u32 offset, u32 irq, u32 len, u64 val)
{
	u64 cur;

	switch (offset) {
	case GITS_IIDR:
		cur = its_read_iidr(opaque, offset, irq, len);
		break;
	case GITS_TYPER:
		cur = its_read_typer(opaque, offset, irq, len);
		break;
	default:
		cur = its_read_idreg(opaque, offset, irq, len);
		break;
	}
	return val == cur ? 0 : -EINVAL;
}

static int its_uwrite_cbaser(void *opaque, u32 offset, u32 irq, u32 len,
			     u64 val)
{
	if (((struct gicv3_its *)opaque)->enabled)
		return -EBUSY;
	its_write_cbaser(opaque, offset, irq, len, val);
	return 0;
}

static int its_uwrite_baser(void *opaque, u32 offset, u32 irq, u32 len,
			    u64 val)
{
	if (((struct gicv3_its *)opaque)->enabled)
		return -EBUSY;
	its_write_baser(opaque, offset, irq, len, val);
	return 0;
}

#define ACC_32		VIRQ_REG_ACCESS_32
#define ACC_3264	(VIRQ_REG_ACCESS_32 | VIRQ_REG_ACCESS_64)

static const struct virq_reg_region its_regions[] = {
	VIRQ_REG(GITS_CTLR, 4, ACC_32, its_read_ctlr, its_write_ctlr),
	VIRQ_REG_UACCESS(GITS_IIDR, 4, ACC_32, its_read_iidr, NULL, NULL,
			 its_uwrite_ro),
	VIRQ_REG_UACCESS(GITS_TYPER, 8, ACC_3264, its_read_typer, NULL, NULL,
			 its_uwrite_ro),
	VIRQ_REG_UACCESS(GITS_CBASER, 8, ACC_3264, its_read_cbaser,
			 its_write_cbaser, NULL, its_uwrite_cbaser),
	VIRQ_REG(GITS_CWRITER, 8, ACC_3264, its_read_cwriter,
		 its_write_cwriter),
	VIRQ_REG_UACCESS(GITS_CREADR, 8, ACC_3264, its_read_creadr, NULL,
			 NULL, its_uwrite_creadr),
	VIRQ_REG_UACCESS(GITS_BASER, GITS_BASER_NR * 8, ACC_3264,
			 its_read_baser, its_write_baser, NULL,
			 its_uwrite_baser),
	VIRQ_REG_UACCESS(GITS_IDREGS, 0x30, ACC_32, its_read_idreg, NULL, NULL,
			 its_uwrite_ro),
};

/**
 * gicv3_its_reg_size() - width of an ITS register for the attributes
 * @gic: the chip
 * @offset: offset in the ITS frames (the attribute)
 *
 * Return: 4 or 8, or -ENXIO if no ITS register of this chip is there
 * (GITS_TRANSLATER is not state).
 */
int gicv3_its_reg_size(struct gicv3_chip *gic, u64 offset)
{
	const struct virq_reg_region *r;

	if (!gic->its || offset >= GITS_CONTROL_SIZE)
		return -ENXIO;
	r = virq_reg_find(&gic->its->frame, offset);
	if (!r)
		return -ENXIO;
	return r->access & VIRQ_REG_ACCESS_64 ? 8 : 4;
}

/**
 * gicv3_its_access() - a register access to the ITS frames
 * @gic: the chip
 * @offset: offset from the ITS base, below VIRQ_GICV3_ITS_SIZE
 * @len: 1, 2, 4 or 8
 * @write: a write
 * @data: value written, or where the value read goes
 * @uaccess: a VIRQ_GICV3_GRP_ITS_REGS access rather than a guest one
 *
 * Process context: a CWRITER write or an enable runs the command queue.
 *
 * Return: 0; with @uaccess -ENXIO (no register), -EINVAL (width other
 * than the register's, a value this implementation refuses), -EBUSY
 * (CBASER, CREADR or a BASER while the ITS is enabled).
 */
int gicv3_its_access(struct gicv3_chip *gic, u32 offset, u32 len,
		     bool write, u64 *data, bool uaccess)
{
	struct gicv3_its *its = gic->its;
	int ret;

	if (!its)
		return -ENXIO;
	if (offset >= GITS_CONTROL_SIZE) {
		/* The translation frame: GITS_TRANSLATER, WI from a CPU */
		if (uaccess)
			return -ENXIO;
		if (!write)
			*data = 0;
		return 0;
	}
	if (uaccess) {
		ret = gicv3_its_reg_size(gic, offset);
		if (ret < 0)
			return ret;
		if (len != ret)
			return -EINVAL;
	}
	mutex_lock(&its->cmd_mutex);
	ret = virq_reg_access(&its->frame, its, offset, len, write, data,
			      uaccess);
	mutex_unlock(&its->cmd_mutex);
	return ret;
}

/* --- table save -------------------------------------------------------- */

static int its_write_entry(struct gicv3_its *its, u64 gpa, u64 val)
{
	__le64 le = cpu_to_le64(val);

	return virq_guest_write(its->gic->inst, gpa, &le, sizeof(le));
}

static int its_read_entry(struct gicv3_its *its, u64 gpa, u64 *val)
{
	__le64 le;
	int ret = virq_guest_read(its->gic->inst, gpa, &le, sizeof(le));

	*val = le64_to_cpu(le);
	return ret;
}

/* Write @count invalid (zero) entries from @gpa */
static int its_zero_entries(struct gicv3_its *its, u64 gpa, u64 count)
{
	static const u8 zeros[512];
	u64 bytes = count * ITS_ESZ;
	int ret;

	while (bytes) {
		u32 n = min_t(u64, bytes, sizeof(zeros));

		ret = virq_guest_write(its->gic->inst, gpa, zeros, n);
		if (ret)
			return ret;
		gpa += n;
		bytes -= n;
	}
	return 0;
}

/*
 * Save a chain of entries: the items of @xa with ids in [@first, @first
 * + @count) go to the table at @base (entry of id i at @base + (i -
 * @first) * 8), each with its "next" offset (@next_shift, capped at
 * @max_next) to the following item of @xa, as ABI revision 0 wants.
 * Entries a restore scan would read although they hold no item (before
 * the first item, after a capped offset, the whole range when it is
 * empty) are written invalid; the others are left alone.
 */
static int its_save_chain(struct gicv3_its *its, struct xarray *xa,
			  u64 first, u64 count, u64 base, u32 next_shift,
			  u64 max_next,
			  int (*entry)(struct gicv3_its *its, void *item,
				       u64 *val))
{
	u64 end = first + count, cursor = first, gap, val;
	unsigned long id = first, n;
	void *item, *next;
	int ret;

	item = xa_find(xa, &id, end - 1, XA_PRESENT);
	while (item) {
		ret = its_zero_entries(its, base + (cursor - first) * ITS_ESZ,
				       id - cursor);
		if (ret)
			return ret;
		n = id + 1;
		next = xa_find(xa, &n, ULONG_MAX, XA_PRESENT);
		gap = next ? n - id : 0;
		ret = entry(its, item, &val);
		if (ret)
			return ret;
		val |= min(gap, max_next) << next_shift;
		ret = its_write_entry(its, base + (id - first) * ITS_ESZ, val);
		if (ret)
			return ret;
		if (!next)
			return 0;
		cursor = gap > max_next ? id + max_next : n;
		if (n >= end) {
			/* The scan of this range goes on up to its end */
			return cursor < end ?
			       its_zero_entries(its, base + (cursor - first) *
						ITS_ESZ, end - cursor) : 0;
		}
		item = next;
		id = n;
	}
	return its_zero_entries(its, base + (cursor - first) * ITS_ESZ,
				end - cursor);
}

static int its_ite_entry(struct gicv3_its *its, void *item, u64 *val)
{
	struct its_ite *ite = item;

	*val = FIELD_PREP(ABI_ITE_PINTID, ite->irq->intid) |
	       FIELD_PREP(ABI_ITE_ICID, ite->icid);
	return 0;
}

static int its_dte_entry(struct gicv3_its *its, void *item, u64 *val)
{
	struct its_device *dev = item;
	int ret;

	/* The ITT first: a DTE names a saved ITT */
	ret = its_save_chain(its, &dev->ites, 0, BIT(dev->nr_bits), dev->itt,
			     __builtin_ctzll(ABI_ITE_NEXT), ABI_ITE_MAX_NEXT,
			     its_ite_entry);
	*val = ABI_DTE_VALID | FIELD_PREP(ABI_DTE_ITT, dev->itt >> 8) |
	       FIELD_PREP(ABI_DTE_SIZE, dev->nr_bits - 1);
	return ret;
}

static int its_save_devices(struct gicv3_its *its)
{
	u64 baser = its->baser[ITS_DEVICE_TABLE], base = its_baser_addr(baser);
	u64 bytes = its_baser_bytes(baser), i, l1;
	u32 per_page = ITS_PAGE / ITS_ESZ, next_shift;
	struct its_device *dev;
	unsigned long d;
	int ret;

	if (!(baser & ITS_BASER_VALID))
		return 0;
	/* Every device must have its place in the table */
	xa_for_each(&its->devices, d, dev) {
		u64 gpa;

		ret = its_table_entry(its, ITS_DEVICE_TABLE, d, &gpa);
		if (ret)
			return ret;
	}
	next_shift = __builtin_ctzll(ABI_DTE_NEXT);
	if (!(baser & ITS_BASER_INDIRECT))
		return its_save_chain(its, &its->devices, 0,
				      min_t(u64, bytes / ITS_ESZ,
					    BIT(ITS_DEVBITS)),
				      base, next_shift, ABI_DTE_MAX_NEXT,
				      its_dte_entry);
	for (i = 0; i < bytes / sizeof(u64) && i * per_page < BIT(ITS_DEVBITS);
	     i++) {
		ret = its_read_entry(its, base + i * sizeof(u64), &l1);
		if (ret)
			return ret;
		if (!(l1 & ITS_L1_VALID))
			continue;
		ret = its_save_chain(its, &its->devices, i * per_page,
				     per_page, l1 & ITS_L1_ADDR, next_shift,
				     ABI_DTE_MAX_NEXT, its_dte_entry);
		if (ret)
			return ret;
	}
	return 0;
}

static int its_save_collections(struct gicv3_its *its)
{
	u64 baser = its->baser[ITS_COLLECTION_TABLE];
	u64 gpa = its_baser_addr(baser), end = gpa + its_baser_bytes(baser);
	unsigned long icid;
	void *entry;
	int ret;

	if (!(baser & ITS_BASER_VALID))
		return 0;
	xa_for_each(&its->collections, icid, entry) {
		if (gpa >= end)
			return -EINVAL;
		ret = its_write_entry(its, gpa, ABI_CTE_VALID |
				      FIELD_PREP(ABI_CTE_RDBASE,
						 xa_to_value(entry)) |
				      FIELD_PREP(ABI_CTE_ICID, icid));
		if (ret)
			return ret;
		gpa += ITS_ESZ;
	}
	return gpa < end ? its_write_entry(its, gpa, 0) : 0;
}

/**
 * gicv3_its_save_tables() - VIRQ_GICV3_CTRL_ITS_SAVE_TABLES
 * @gic: the chip
 *
 * Writes the device table, every ITT and the collection table to guest
 * memory in KVM's ITS table ABI revision 0.  Tables whose BASER is not
 * valid are skipped.
 *
 * Return: 0, -ENXIO (no ITS), -EFAULT (a table is not in guest memory),
 * -EINVAL (a device or collection does not fit its table).
 */
int gicv3_its_save_tables(struct gicv3_chip *gic)
{
	struct gicv3_its *its = gic->its;
	int ret;

	if (!its)
		return -ENXIO;
	mutex_lock(&its->cmd_mutex);
	ret = its_save_devices(its);
	if (!ret)
		ret = its_save_collections(its);
	mutex_unlock(&its->cmd_mutex);
	return ret;
}

/* --- table restore ------------------------------------------------------ */

static int its_restore_collections(struct gicv3_its *its)
{
	u64 baser = its->baser[ITS_COLLECTION_TABLE];
	u64 gpa = its_baser_addr(baser), end = gpa + its_baser_bytes(baser);
	u64 val, rd;
	u16 icid;
	int ret;

	if (!(baser & ITS_BASER_VALID))
		return 0;
	for (; gpa < end; gpa += ITS_ESZ) {
		ret = its_read_entry(its, gpa, &val);
		if (ret)
			return ret;
		if (!(val & ABI_CTE_VALID))
			break;
		rd = FIELD_GET(ABI_CTE_RDBASE, val);
		icid = FIELD_GET(ABI_CTE_ICID, val);
		if (!its_vcpu(its, rd) || xa_load(&its->collections, icid))
			return -EINVAL;
		ret = xa_err(xa_store(&its->collections, icid,
				      xa_mk_value(rd), GFP_KERNEL_ACCOUNT));
		if (ret)
			return ret;
	}
	return 0;
}

/* Restore @dev's ITT; returns 0 or an errno */
static int its_restore_itt(struct gicv3_its *its, struct its_device *dev)
{
	u64 nr = BIT_ULL(dev->nr_bits), e = 0, val, next;
	u32 intid;
	int ret;

	while (e < nr) {
		ret = its_read_entry(its, dev->itt + e * ITS_ESZ, &val);
		if (ret)
			return ret;
		intid = FIELD_GET(ABI_ITE_PINTID, val);
		if (!intid) {
			e++;
			continue;
		}
		next = FIELD_GET(ABI_ITE_NEXT, val);
		if (intid < GICV3_FIRST_LPI || e + next >= nr)
			return -EINVAL;
		ret = its_ite_create(its, dev, e, intid,
				     FIELD_GET(ABI_ITE_ICID, val));
		if (ret)
			return ret == -EEXIST ? -EINVAL : ret;
		if (!next)
			return 0;
		e += next;
		cond_resched();
	}
	return 0;
}

/*
 * Restore the DTEs of one flat table or level-2 page: @count entries at
 * @gpa for device ids from @first.  Returns 1 when a last DTE was found,
 * 0 when the range ended, or an errno.
 */
static int its_restore_dtes(struct gicv3_its *its, u64 gpa, u32 first,
			    u64 count)
{
	struct its_device *dev;
	u64 i = 0, val, next;
	u32 bits;
	int ret;

	while (i < count) {
		ret = its_read_entry(its, gpa + i * ITS_ESZ, &val);
		if (ret)
			return ret;
		if (!(val & ABI_DTE_VALID)) {
			i++;
			continue;
		}
		bits = FIELD_GET(ABI_DTE_SIZE, val) + 1;
		if (bits > ITS_EVBITS || first + i >= BIT(ITS_DEVBITS) ||
		    xa_load(&its->devices, first + i))
			return -EINVAL;
		dev = its_device_alloc(first + i, bits,
				       FIELD_GET(ABI_DTE_ITT, val) << 8);
		if (!dev)
			return -ENOMEM;
		ret = xa_insert(&its->devices, first + i, dev, GFP_KERNEL_ACCOUNT);
		if (ret) {
			kfree(dev);
			return ret;
		}
		ret = its_restore_itt(its, dev);
		if (ret)
			return ret;
		next = FIELD_GET(ABI_DTE_NEXT, val);
		if (!next)
			return 1;
		i += next;
	}
	return 0;
}

static int its_restore_devices(struct gicv3_its *its)
{
	u64 baser = its->baser[ITS_DEVICE_TABLE], base = its_baser_addr(baser);
	u64 bytes = its_baser_bytes(baser), i, l1;
	u32 per_page = ITS_PAGE / ITS_ESZ;
	int ret;

	if (!(baser & ITS_BASER_VALID))
		return 0;
	if (!(baser & ITS_BASER_INDIRECT)) {
		ret = its_restore_dtes(its, base, 0, min_t(u64, bytes / ITS_ESZ,
							   BIT(ITS_DEVBITS)));
		return ret < 0 ? ret : 0;
	}
	for (i = 0; i < bytes / sizeof(u64) && i * per_page < BIT(ITS_DEVBITS);
	     i++) {
		ret = its_read_entry(its, base + i * sizeof(u64), &l1);
		if (ret)
			return ret;
		if (!(l1 & ITS_L1_VALID))
			continue;
		ret = its_restore_dtes(its, l1 & ITS_L1_ADDR, i * per_page,
				       per_page);
		if (ret < 0)
			return ret;
		if (ret)
			break;
	}
	return 0;
}

/**
 * gicv3_its_restore_tables() - VIRQ_GICV3_CTRL_ITS_RESTORE_TABLES
 * @gic: the chip
 *
 * Replaces the ITS's devices, ITEs and collections with those of the
 * tables in guest memory (KVM's ABI revision 0); the BASERs, the
 * redistributors (PROPBASER: the LPIs' configuration is read now) and
 * guest memory must be restored first, GITS_CTLR after.  On error the
 * ITS is left empty.
 *
 * Return: 0, -ENXIO (no ITS), -EBUSY (the ITS is enabled), -EINVAL
 * (inconsistent tables), -EFAULT (a table is not in guest memory),
 * -ENOMEM.
 */
int gicv3_its_restore_tables(struct gicv3_chip *gic)
{
	struct gicv3_its *its = gic->its;
	int ret;

	if (!its)
		return -ENXIO;
	mutex_lock(&its->cmd_mutex);
	if (its->enabled) {
		ret = -EBUSY;
		goto out;
	}
	its_free_devices(its);
	its_free_collections(its);
	ret = its_restore_collections(its);
	if (!ret)
		ret = its_restore_devices(its);
	if (ret) {
		its_free_devices(its);
		its_free_collections(its);
	}
	its_cache_invalidate(its);
out:
	mutex_unlock(&its->cmd_mutex);
	return ret;
}

/* --- lifetime and debugfs ------------------------------------------------- */

/**
 * gicv3_its_init() - create the chip's ITS (VIRQ_GICV3_OPT_ITS)
 * @gic: the chip, with its LPIs set up
 *
 * Return: 0, -ENOMEM, or -EINVAL if the register table is broken.
 */
int gicv3_its_init(struct gicv3_chip *gic)
{
	struct gicv3_its *its;
	int ret;

	its = kzalloc(sizeof(*its), GFP_KERNEL_ACCOUNT);
	if (!its)
		return -ENOMEM;
	its->gic = gic;
	mutex_init(&its->cmd_mutex);
	xa_init(&its->devices);
	xa_init(&its->collections);
	its->frame = (struct virq_reg_frame) {
		.regions = its_regions,
		.nr_regions = ARRAY_SIZE(its_regions),
		.size = GITS_CONTROL_SIZE,
	};
	ret = virq_reg_frame_check(&its->frame);
	if (WARN_ON_ONCE(ret)) {
		kfree(its);
		return ret;
	}
	its->baser[ITS_DEVICE_TABLE] = ITS_BASER_RESET |
		FIELD_PREP(ITS_BASER_TYPE, ITS_TYPE_DEVICE);
	its->baser[ITS_COLLECTION_TABLE] = ITS_BASER_RESET |
		FIELD_PREP(ITS_BASER_TYPE, ITS_TYPE_COLLECTION);
	gic->its = its;
	return 0;
}

/**
 * gicv3_its_destroy() - free the ITS
 * @gic: the chip, with no user left
 *
 * Frees the devices, ITEs and collections; the LPIs themselves are
 * gicv3_lpi_destroy()'s.
 */
void gicv3_its_destroy(struct gicv3_chip *gic)
{
	struct gicv3_its *its = gic->its;
	struct its_device *dev;
	struct its_ite *ite;
	unsigned long d, e;

	if (!its)
		return;
	xa_for_each(&its->devices, d, dev) {
		xa_for_each(&dev->ites, e, ite)
			kfree(ite);
		xa_destroy(&dev->ites);
		kfree(dev);
	}
	xa_destroy(&its->devices);
	xa_destroy(&its->collections);
	mutex_destroy(&its->cmd_mutex);
	kfree(its);
	gic->its = NULL;
}

/**
 * gicv3_its_vcpu_live() - a parked vCPU was created again
 * @gic: the chip
 * @gv: the vCPU, live again
 *
 * While @gv was parked its collections translated to no vCPU (and its
 * LPIs lost their target): they point at it again.
 */
void gicv3_its_vcpu_live(struct gicv3_chip *gic, struct gicv3_vcpu *gv)
{
	struct gicv3_its *its = gic->its;
	unsigned long icid;
	void *entry;

	if (!its)
		return;
	mutex_lock(&its->cmd_mutex);
	xa_for_each(&its->collections, icid, entry)
		if (xa_to_value(entry) == gv->index)
			its_collection_retarget(its, icid);
	mutex_unlock(&its->cmd_mutex);
}

/**
 * gicv3_its_show() - the ITS's state for debugfs
 * @gic: the chip
 * @m: the seq_file
 */
void gicv3_its_show(struct gicv3_chip *gic, struct seq_file *m)
{
	struct gicv3_its *its = gic->its;
	struct its_device *dev;
	struct its_ite *ite;
	unsigned long d, e, flags;
	u64 hits, misses, dropped;
	void *entry;

	if (!its)
		return;
	mutex_lock(&its->cmd_mutex);
	raw_spin_lock_irqsave(&gic->lock, flags);
	hits = its->cache_hits;
	misses = its->cache_misses;
	dropped = its->dropped;
	raw_spin_unlock_irqrestore(&gic->lock, flags);
	seq_printf(m, "its: enabled %d cbaser %#llx creadr %#llx cwriter %#llx\n",
		   its->enabled, its->cbaser, its->creadr, its->cwriter);
	seq_printf(m, "its: baser0 %#llx baser1 %#llx\n",
		   its->baser[0], its->baser[1]);
	seq_printf(m, "its: commands %llu errors %llu last_error %#x\n",
		   its->nr_cmds, its->nr_errors, its->last_error);
	seq_printf(m, "its: cache hits %llu misses %llu dropped %llu\n",
		   hits, misses, dropped);
	xa_for_each(&its->collections, e, entry)
		seq_printf(m, "its: collection %lu -> vcpu %lu\n", e,
			   xa_to_value(entry));
	xa_for_each(&its->devices, d, dev) {
		seq_printf(m, "its: device %#lx bits %u itt %#llx\n", d,
			   dev->nr_bits, dev->itt);
		xa_for_each(&dev->ites, e, ite)
			seq_printf(m, "its:   event %lu -> lpi %u icid %u\n",
				   e, ite->irq->intid, ite->icid);
	}
	mutex_unlock(&its->cmd_mutex);
}
