/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The GICv3 family: distributor (gicv3-dist.c), one redistributor per
 * vCPU (gicv3-redist.c), the system-register CPU interface
 * (gicv3-cpuif.c), LPIs (gicv3-lpi.c) and the ITS (gicv3-its.c), glued
 * into struct virq_chip_ops by gicv3.c, which also owns the interrupt
 * state machine and delivery.
 *
 * Delivery.  Every interrupt (SGI, PPI, SPI, LPI) is a struct gicv3_irq.
 * An interrupt is a *candidate* for its target vCPU when it is pending
 * (latch set, or a level line high), enabled, not active, its group is
 * enabled in GICD_CTLR (not for LPIs) and it has a target.  Candidates
 * sit on their target's ready list for their group and priority
 * (gicv3_vcpu.ready[group][prio >> 3], with a bitmap of non-empty lists),
 * so the highest-priority pending interrupt of a vCPU is one ffs() away.
 * Whoever changes a field that decides candidacy calls gicv3_irq_update()
 * under the chip lock; it moves the interrupt between lists and returns
 * the vCPU whose outputs may have changed, which the caller kicks with
 * gicv3_kick() after dropping the lock.
 *
 * Locking order:
 *
 *   gicv3_its.cmd_mutex (ITS command queue, table save/restore; may sleep
 *   and read guest memory), gicv3_chip.resident_lock (LOAD/PUT; never
 *   held with cmd_mutex)
 *     gicv3_chip.lock (raw spinlock, IRQs off): every gicv3_irq field,
 *     every ready list, the CPU interface state of every vCPU, the
 *     resident map, the ITS translation structures
 *
 * Guest memory (virq_guest_read/write) is only touched with no spinlock
 * held, from process context: ITS command processing (a CWRITER write,
 * i.e. a vCPU's register access), GICR_CTLR.EnableLPIs, INV/INVALL and
 * the state attributes.  Injection (set_irq, signal_msi, irqfd) never
 * reads guest memory: LPI configuration is cached in struct gicv3_irq
 * and ITS translations live in kernel memory.
 *
 * Nothing calls into the core (virq_vcpu_kick(), virq_notify_eoi()) with
 * the chip lock held.
 */
#ifndef _VIRQ_ARM_GICV3_H
#define _VIRQ_ARM_GICV3_H

#include <asm/byteorder.h>
#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/xarray.h>

#include "../virq.h"
#include "../regs.h"

#define GICV3_MAX_VCPUS		4096
#define GICV3_NR_SGIS		16
#define GICV3_NR_PRIVATE	VIRQ_GICV3_NR_PRIVATE
#define GICV3_FIRST_LPI		VIRQ_GICV3_FIRST_LPI
#define GICV3_SPURIOUS		VIRQ_GICV3_SPURIOUS
#define GICV3_PRI_BITS		5
#define GICV3_PRI_MASK		GENMASK(7, 8 - GICV3_PRI_BITS)	/* 0xf8 */
#define GICV3_NR_PRIOS		BIT(GICV3_PRI_BITS)		/* 32 */
#define GICV3_IDLE_PRIO		0xff	/* running priority when idle */

/* MPIDR affinity packed as GICR_TYPER[63:32] and IROUTER: Aff3.Aff2.Aff1.Aff0 */
static inline u32 gicv3_mpidr_to_aff(u64 mpidr)
{
	return (u32)(((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff));
}

enum gicv3_irq_kind {
	GICV3_SGI,
	GICV3_PPI,
	GICV3_SPI,
	GICV3_LPI,
};

struct gicv3_vcpu;

/**
 * struct gicv3_irq - one interrupt's state (all fields under gicv3_chip.lock)
 * @intid: INTID
 * @kind: enum gicv3_irq_kind
 * @priority: 8 bits, the low 3 always 0 (GICV3_PRI_MASK)
 * @enabled: GICD_ISENABLER / GICR_ISENABLER0; for LPIs the property
 *	table's enable bit as last read (INV, INVALL, MAPTI, EnableLPIs)
 * @pending_latch: the pending latch (edges, ISPENDR writes, SGIs, LPIs)
 * @active: active (acknowledged, not yet deactivated)
 * @edge: edge-triggered (GICD_ICFGR); SGIs and LPIs are always edge
 * @group1: group 1 (GICD_IGROUPR); LPIs are always group 1
 * @level: level drivers holding the line high, BIT(enum virq_driver);
 *	a level interrupt is pending while @level != 0 or @pending_latch
 * @irm: SPI routing mode 1-of-N (GICD_IROUTER.IRM)
 * @route: SPI: GICD_IROUTER affinity (gicv3_mpidr_to_aff() layout)
 * @owner: SGI/PPI: the vCPU it belongs to; NULL for SPIs and LPIs
 * @target: the vCPU it is delivered to: the owner, the vCPU @route
 *	names (SPI; NULL if none has that affinity), the one chosen for a
 *	1-of-N SPI while it is pending or active, the collection's
 *	redistributor (LPI; NULL if unmapped)
 * @queued_on: the vCPU whose ready list holds it (NULL: not a candidate)
 * @ready: link in queued_on->ready[@group1][@priority >> 3]
 * @active_prio_vcpu: the vCPU whose CPU interface acknowledged it (whose
 *	active-priority register holds its priority) while @active
 * @q_group: the group of the ready list holding it (valid with @queued_on)
 * @q_prio: the priority index (priority >> 3) of that list
 */
struct gicv3_irq {
	u32 intid;
	u8 kind;
	u8 priority;
	bool enabled;
	bool pending_latch;
	bool active;
	bool edge;
	bool group1;
	u8 level;
	bool irm;
	u32 route;
	struct gicv3_vcpu *owner;
	struct gicv3_vcpu *target;
	struct gicv3_vcpu *queued_on;
	struct list_head ready;
	struct gicv3_vcpu *active_prio_vcpu;
	u8 q_group;
	u8 q_prio;
};

/**
 * struct gicv3_cpuif - the system-register CPU interface of one vCPU
 * @pmr: ICC_PMR_EL1 (8 bits, low 3 RAZ)
 * @bpr0: ICC_BPR0_EL1 (2..7)
 * @bpr1: ICC_BPR1_EL1 (3..7; with CBPR reads BPR0 + 1, saturated)
 * @ctlr: ICC_CTLR_EL1 writable bits: EOImode (bit 1), CBPR (bit 0)
 * @igrpen: ICC_IGRPEN0_EL1 (bit 0) and ICC_IGRPEN1_EL1 (bit 1)
 * @ap: ICC_AP0R0_EL1 and ICC_AP1R0_EL1: one bit per group priority
 *	(priority >> 3) with an interrupt of that group active
 */
struct gicv3_cpuif {
	u8 pmr;
	u8 bpr0;
	u8 bpr1;
	u8 ctlr;
	u8 igrpen;
	u32 ap[2];
};

/**
 * struct gicv3_vcpu - per-vCPU state (vcpu->priv)
 * @vcpu: the core's vCPU
 * @chip: the chip
 * @index: vCPU index (GICR_TYPER.Processor_Number)
 * @aff: affinity, gicv3_mpidr_to_aff() of arch_id
 * @priv: SGIs and PPIs, INTIDs 0-31
 * @ready: candidates by [group][priority >> 3]
 * @ready_map: bit p of [group] set when ready[group][p] is not empty
 * @cpuif: the CPU interface
 * @gicr_ctlr: GICR_CTLR (EnableLPIs, bit 0)
 * @gicr_waker: GICR_WAKER.ProcessorSleep (bit 1)
 * @propbaser: GICR_PROPBASER
 * @pendbaser: GICR_PENDBASER
 * @pcpu: physical CPU it is loaded on (VIRQ_GICV3_CALL_LOAD), -1 if none
 * @live: created and not destroyed: reachable by affinity, delivery
 *	target (the memory is the chip's, freed with it)
 * @lpi: gicv3-lpi.c's per-vCPU state
 */
struct gicv3_vcpu {
	struct virq_vcpu *vcpu;
	struct gicv3_chip *chip;
	u32 index;
	u32 aff;
	struct gicv3_irq priv[GICV3_NR_PRIVATE];
	struct list_head ready[2][GICV3_NR_PRIOS];
	u32 ready_map[2];
	struct gicv3_cpuif cpuif;
	u32 gicr_ctlr;
	u32 gicr_waker;
	u64 propbaser;
	u64 pendbaser;
	int pcpu;
	bool live;
	void *lpi;
};

struct gicv3_its;

/**
 * struct gicv3_chip - one GICv3 (inst->view.chip)
 * @inst: the instance
 * @lock: see the locking order above
 * @nr_irqs: nr_sources: 32 + number of SPIs
 * @nr_vcpus: nr_vcpus
 * @flags: VIRQ_GICV3_OPT_*
 * @lpi_bits: INTID bits with LPIs (0 without)
 * @dist_base: distributor frame
 * @redist_base: first redistributor frame
 * @its_base: ITS frames (valid with VIRQ_GICV3_OPT_ITS)
 * @gicd_ctlr: GICD_CTLR EnableGrp0 (bit 0), EnableGrp1 (bit 1)
 * @spis: nr_irqs - 32 SPIs, INTID 32 first
 * @vcpus: nr_vcpus pointers, NULL until the vCPU is created
 * @by_aff: affinity -> struct gicv3_vcpu *
 * @resident: physical CPU -> struct gicv3_vcpu * loaded there
 * @lpis: INTID -> struct gicv3_irq * of every LPI that exists
 *	(gicv3-lpi.c owns their lifetime)
 * @its: the ITS, NULL without one
 * @resident_lock: serialises VIRQ_GICV3_CALL_LOAD and _PUT (the
 *	@resident xarray is written under it; a vCPU's @pcpu, which
 *	commits a LOAD or PUT, under @lock as well)
 * @irm_next: where the search for a 1-of-N target starts (round robin)
 * @irm_vcpus: per group, nr_vcpus bits: the vCPUs that participate in
 *	1-of-N routing of that group (live, awake, group enabled in their
 *	ICC_IGRPEN<n>_EL1), kept by gicv3_irm_refresh() (chip lock)
 * @dist_frame: the GICD register table with this chip's nr_irqs
 */
struct gicv3_chip {
	struct virq_instance *inst;
	raw_spinlock_t lock;
	u32 nr_irqs;
	u32 nr_vcpus;
	u32 flags;
	u32 lpi_bits;
	u64 dist_base;
	u64 redist_base;
	u64 its_base;
	u32 gicd_ctlr;
	struct gicv3_irq *spis;
	struct gicv3_vcpu **vcpus;
	struct xarray by_aff;
	struct xarray resident;
	struct xarray lpis;
	struct gicv3_its *its;
	struct mutex resident_lock;	/* LOAD/PUT; see above */
	u32 irm_next;
	unsigned long *irm_vcpus[2];
	struct virq_reg_frame dist_frame;
};

static inline struct gicv3_chip *gicv3_chip(struct virq_instance *inst)
{
	return virq_view(inst)->chip;
}

/* --- gicv3.c: the interrupt state machine -------------------------------- */

/*
 * The INTID's interrupt as seen from @gv (needed for 0-31), or NULL if
 * none: beyond the SPIs, 1020-8191, an LPI that does not exist.  Chip
 * lock held (LPIs: or RCU).
 */
struct gicv3_irq *gicv3_get_irq(struct gicv3_chip *gic,
				struct gicv3_vcpu *gv, u32 intid);

/* Is @irq pending (latch or level)? */
static inline bool gicv3_irq_pending(const struct gicv3_irq *irq)
{
	return irq->pending_latch || (!irq->edge && irq->level);
}

/*
 * Re-evaluate @irq after any change of its state, priority, group,
 * enable or target: put it on, move it between, or take it off ready
 * lists.  Chip lock held.  Returns the vCPU to kick (its outputs may
 * have changed), or NULL.
 */
struct gicv3_vcpu *gicv3_irq_update(struct gicv3_chip *gic,
				    struct gicv3_irq *irq);

/* Recompute an SPI's target from its route (chip lock held). */
void gicv3_spi_retarget(struct gicv3_chip *gic, struct gicv3_irq *irq);

/* Kick @gv (no chip lock held); NULL is ignored. */
void gicv3_kick(struct gicv3_vcpu *gv);

/* The vCPU with affinity @aff, or NULL (lockless). */
struct gicv3_vcpu *gicv3_vcpu_by_aff(struct gicv3_chip *gic, u32 aff);

/*
 * The guest ended level-triggered @irq (EOI with EOImode 0, or DIR):
 * the caller calls virq_notify_eoi() for SPIs and private interrupts
 * after dropping the lock; this returns the source number to notify, or
 * U32_MAX for none.
 */
u32 gicv3_irq_source(const struct gicv3_irq *irq);

/*
 * The virq_irq_line.status of @irq just made pending (chip lock held,
 * after gicv3_irq_update()): VIRQ_STATUS_MASKED if disabled, its group
 * is off (GICD_CTLR or the target's ICC_IGRPEN<n>) or it has no target;
 * VIRQ_STATUS_COALESCED if @was_pending, active or held behind a higher
 * priority (or the PMR); else 1.
 */
int gicv3_irq_status(struct gicv3_chip *gic, struct gicv3_irq *irq,
		     bool was_pending);

/*
 * Re-evaluate every SPI and private interrupt (GICD_CTLR group enables
 * changed; with @irm_only, the 1-of-N SPIs only: a vCPU's participation
 * changed).  Chip lock held; the caller then calls gicv3_kick_all().
 */
void gicv3_update_all(struct gicv3_chip *gic, bool irm_only);
void gicv3_kick_all(struct gicv3_chip *gic);
/*
 * @gv's live state, GICR_WAKER or ICC_IGRPEN<n>_EL1 changed: update its
 * 1-of-N participation (chip lock held) and, if that changed, the 1-of-N
 * SPIs; returns true if it changed (the caller then kicks everyone).
 */
bool gicv3_irm_refresh(struct gicv3_vcpu *gv);

/* The highest-priority candidate of @gv among its enabled groups, or NULL */
struct gicv3_irq *gicv3_hppi(struct gicv3_vcpu *gv);
/* Can @irq (a candidate of @gv) be signalled: above the PMR, preempting? */
bool gicv3_can_signal(struct gicv3_vcpu *gv, const struct gicv3_irq *irq);

/*
 * A guest access of @len bytes at @offset of @frame has a width and an
 * alignment the register there allows (or no register is there: RAZ/WI).
 * VIRQ_VCPU_ACCESS refuses the others with -EINVAL so that the VMM can
 * report an external abort, rather than the engine's RAZ/WI.
 */
bool gicv3_reg_width_ok(const struct virq_reg_frame *frame, u32 offset,
			u32 len);

/* Register widths of the save/restore attribute groups (4 or 8) */
u32 gicv3_dist_reg_width(u32 offset);
u32 gicv3_redist_reg_width(u32 offset);

/* --- gicv3-dist.c ------------------------------------------------------- */

int gicv3_dist_access(struct gicv3_chip *gic, u32 offset, u32 len,
		      bool write, u64 *data, bool uaccess);
/*
 * GICD_SETSPI_NSR (@set) / GICD_CLRSPI_NSR of SPI @intid, from the guest
 * or an MSI: sets or clears the pending latch.  No lock held; -EINVAL if
 * @intid is not an SPI.  @status may be NULL.
 */
int gicv3_setspi(struct gicv3_chip *gic, u32 intid, bool set, int *status);
/*
 * The per-interrupt bit registers shared by the distributor (@gv NULL:
 * SPIs; INTIDs 0-31 RAZ/WI with ARE) and the SGI frame (@gv: its
 * private interrupts).  @intid is the first INTID of the access, @len
 * its bytes.  Take the chip lock.
 */
enum gicv3_bitreg {
	GICV3_BR_GROUP,
	GICV3_BR_SENABLE,
	GICV3_BR_CENABLE,
	GICV3_BR_SPEND,
	GICV3_BR_CPEND,
	GICV3_BR_SACTIVE,
	GICV3_BR_CACTIVE,
};

u64 gicv3_bits_read(struct gicv3_chip *gic, struct gicv3_vcpu *gv,
		    enum gicv3_bitreg reg, u32 intid, u32 len, bool uaccess);
void gicv3_bits_write(struct gicv3_chip *gic, struct gicv3_vcpu *gv,
		      enum gicv3_bitreg reg, u32 intid, u32 len, u64 val,
		      bool uaccess);
u64 gicv3_prio_read(struct gicv3_chip *gic, struct gicv3_vcpu *gv,
		    u32 intid, u32 len);
void gicv3_prio_write(struct gicv3_chip *gic, struct gicv3_vcpu *gv,
		      u32 intid, u32 len, u64 val);
u64 gicv3_cfg_read(struct gicv3_chip *gic, struct gicv3_vcpu *gv,
		   u32 intid, u32 len);
/* Merge a 4-byte access at @offset into 64-bit register value @old */
static inline u64 gicv3_merge64(u64 old, u32 offset, u32 len, u64 val)
{
	if (len == 8)
		return val;
	if (offset & 4)
		return (old & GENMASK_ULL(31, 0)) | (val << 32);
	return (old & GENMASK_ULL(63, 32)) | (val & GENMASK_ULL(31, 0));
}

/* The @len bytes at @offset of 64-bit register value @v */
static inline u64 gicv3_extract64(u64 v, u32 offset, u32 len)
{
	if (len == 8)
		return v;
	return (offset & 4) ? v >> 32 : v & GENMASK_ULL(31, 0);
}

/* Set up gic->dist_frame (create) */
int gicv3_dist_init(struct gicv3_chip *gic);
/* GICD_IIDR and GICR_IIDR: ProductID 'V' (virq), implementer Arm */
#define GICV3_IIDR		0x5600143bU
#define GICV3_PIDR2		0x3b	/* ArchRev 3 */

/* --- gicv3-redist.c ----------------------------------------------------- */

/* @offset within the 128 KiB RD + SGI frames of @gv */
int gicv3_redist_access(struct gicv3_vcpu *gv, u32 offset, u32 len,
			bool write, u64 *data, bool uaccess);

/* --- gicv3-cpuif.c ------------------------------------------------------ */

int gicv3_cpuif_access(struct gicv3_vcpu *gv, u32 sysreg, bool write,
		       u64 *data, bool uaccess);
/* ICC_IAR1_EL1 read (VIRQ_VCPU_ACK) */
u32 gicv3_cpuif_ack(struct gicv3_vcpu *gv, int group);
/* VIRQ_OUT_INT / VIRQ_OUT_FIQ (atomic; takes the chip lock) */
u32 gicv3_cpuif_output(struct gicv3_vcpu *gv);
void gicv3_cpuif_reset(struct gicv3_vcpu *gv);
/* Binary-point group priority mask of @group for @gv (chip lock held) */
u8 gicv3_gprio_mask(const struct gicv3_vcpu *gv, int group);
/* Running priority: the highest active priority, or GICV3_IDLE_PRIO */
u8 gicv3_running_prio(const struct gicv3_vcpu *gv);

/* --- gicv3-lpi.c: LPIs --------------------------------------------------- */

/* Redistributor fields the LPI code reads (GICv3 spec, 12.11) */
#define GICV3_LPI_CTLR_ENABLE		BIT(0)		/* GICR_CTLR.EnableLPIs */
#define GICV3_LPI_PROPBASER_IDBITS	GENMASK_ULL(4, 0)
#define GICV3_LPI_PROPBASER_ADDR	GENMASK_ULL(51, 12)
#define GICV3_LPI_PENDBASER_ADDR	GENMASK_ULL(51, 16)
#define GICV3_LPI_PENDBASER_PTZ		BIT_ULL(62)
/* Property table byte: priority in bits 7:2, enable in bit 0 */
#define GICV3_LPI_PROP_ENABLE		BIT(0)
#define GICV3_LPI_PROP_PRIORITY		GENMASK(7, 2)

int gicv3_lpi_init(struct gicv3_chip *gic);
void gicv3_lpi_destroy(struct gicv3_chip *gic);
int gicv3_lpi_vcpu_init(struct gicv3_vcpu *gv);
/* @gv stopped being live: untarget its LPIs (chip lock held) */
void gicv3_lpi_vcpu_detach_locked(struct gicv3_vcpu *gv);
void gicv3_lpi_vcpu_destroy(struct gicv3_vcpu *gv);

/*
 * Redistributor hooks (process context, no lock held): EnableLPIs went
 * 0 -> 1 (read the pending table, then the property table), GICR_SETLPIR
 * / CLRLPIR / INVLPIR / INVALLR writes.  Also called for EnableLPIs
 * restored through VIRQ_GICV3_VGRP_REDIST_REGS: that is how pending
 * LPIs come back after VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES.
 */
int gicv3_lpi_enable(struct gicv3_vcpu *gv);
int gicv3_lpi_set(struct gicv3_vcpu *gv, u32 intid, bool pending);
int gicv3_lpi_inv(struct gicv3_vcpu *gv, u32 intid);
int gicv3_lpi_invall(struct gicv3_vcpu *gv);

/*
 * Make LPI @intid pending (ITS translation).  Atomic; chip lock NOT held.
 * Stores a virq_irq_line.status in *@status.
 */
int gicv3_lpi_inject(struct gicv3_chip *gic, struct gicv3_irq *irq,
		     int *status);

/* VIRQ_GICV3_CTRL_SAVE_PENDING_TABLES */
int gicv3_lpi_save_pending(struct gicv3_chip *gic);

/*
 * For the ITS (gicv3-its.c).  LPI objects live in gic->lpis; the ITS
 * holds one reference per ITE that maps an LPI, and an LPI goes away
 * when its last ITE does (LPIs made by GICR_SETLPIR or found pending at
 * EnableLPIs live as long as the chip, unless an ITE adopts them).
 *
 * gicv3_lpi_get_locked(): find or create LPI @intid and take the chip
 * lock (IRQs saved in *@flags), also on error; process context, no lock
 * held.  A new LPI reads its configuration from the property table.
 * Returns ERR_PTR(-EINVAL) beyond gicv3_lpi_limit(), -EFAULT if the
 * property table cannot be read, -ENOMEM.
 */
u32 gicv3_lpi_limit(struct gicv3_chip *gic);
struct gicv3_irq *gicv3_lpi_get_locked(struct gicv3_chip *gic, u32 intid,
				       unsigned long *flags)
	__acquires(&gic->lock);
/* An ITE maps / stops mapping @irq (chip lock held) */
void gicv3_lpi_ref_locked(struct gicv3_irq *irq);
/* Drop an ITE's reference; no lock held, the ITS's cmd_mutex held */
void gicv3_lpi_unref(struct gicv3_chip *gic, struct gicv3_irq *irq);
/* New target (NULL: none); chip lock held; returns the vCPU to kick */
struct gicv3_vcpu *gicv3_lpi_retarget_locked(struct gicv3_chip *gic,
					     struct gicv3_irq *irq,
					     struct gicv3_vcpu *gv);
/* As gicv3_lpi_inject(), chip lock held; returns the vCPU to kick */
struct gicv3_vcpu *gicv3_lpi_inject_locked(struct gicv3_chip *gic,
					   struct gicv3_irq *irq,
					   int *status);
/* INV of one LPI the caller keeps alive (process context, no lock) */
int gicv3_lpi_reload(struct gicv3_chip *gic, struct gicv3_irq *irq);
/* MOVALL: every LPI targeting @from now targets @to (no lock held) */
void gicv3_lpi_move_all(struct gicv3_vcpu *from, struct gicv3_vcpu *to);

/* --- gicv3-its.c: the ITS ------------------------------------------------ */

int gicv3_its_init(struct gicv3_chip *gic);
void gicv3_its_destroy(struct gicv3_chip *gic);
/*
 * @offset within the 128 KiB ITS frames; process context.  With
 * @uaccess (VIRQ_GICV3_GRP_ITS_REGS): @len must be the register's width
 * (gicv3_its_reg_size()), GITS_TRANSLATER is not state (-ENXIO), and the
 * errnos of the attribute apply.
 */
int gicv3_its_access(struct gicv3_chip *gic, u32 offset, u32 len,
		     bool write, u64 *data, bool uaccess);
/*
 * Width of the ITS register at @offset for VIRQ_GICV3_GRP_ITS_REGS: 4 or
 * 8, or -ENXIO (VIRQ_HAS_ATTR, size checks)
 */
int gicv3_its_reg_size(struct gicv3_chip *gic, u64 offset);
/*
 * An MSI through GITS_TRANSLATER (atomic).  Returns 0; a message the ITS
 * drops (ITS disabled, unmapped device or event, unmapped collection,
 * target redistributor with EnableLPIs 0) reports VIRQ_STATUS_MASKED.
 */
int gicv3_its_translate(struct gicv3_chip *gic, u32 devid, u32 eventid,
			int *status);
/* VIRQ_GICV3_CTRL_ITS_SAVE_TABLES / _RESTORE_TABLES */
int gicv3_its_save_tables(struct gicv3_chip *gic);
int gicv3_its_restore_tables(struct gicv3_chip *gic);
void gicv3_its_show(struct gicv3_chip *gic, struct seq_file *m);
/*
 * The parked vCPU @gv is live again: the LPIs of the collections that
 * name it follow it (process context, no lock held)
 */
void gicv3_its_vcpu_live(struct gicv3_chip *gic, struct gicv3_vcpu *gv);

#endif /* _VIRQ_ARM_GICV3_H */
