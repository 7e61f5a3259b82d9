// SPDX-License-Identifier: GPL-2.0
/*
 * XICS Interrupt Presentation Controllers: one per vCPU, the PAPR ICP
 * state machine and the hypercalls that drive it.
 *
 * The ICP registers fit in one u64 (union xics_icp_state) and change only
 * with cmpxchg64(), so the hcalls never take a lock.  Each function below
 * is named after the PAPR state it implements (Accept_Interrupt, Set_CPPR,
 * Down_CPPR, Up_CPPR, Set_MFRR, Check_IPI, Reject, Resend).
 *
 * An interrupt the ICP cannot take (its priority is not above CPPR, MFRR
 * and the pending one) sets need_resend here and its resend flag in the
 * ICS; a rejected one goes back to its ICS, which delivers it again.
 * Whenever the ICP becomes more receptive (CPPR or MFRR less favoured)
 * with need_resend set, Resend walks the ICSes this ICP marked in its
 * resend_map and presents their waiting sources again.
 */
#include <linux/bitmap.h>
#include <linux/slab.h>

#include "xics.h"

/* ICP state word (VIRQ_XICS_GRP_ICP): bits 15..0 are reserved */
#define XICS_ICP_WORD_RESERVED	0xffffULL

/*
 * Commit @new if the state is still @old, recomputing the EE output.  The
 * caller kicks the vCPU when new->out_ee is set (icp_after_update()), after
 * dropping any ICS lock: virq_vcpu_kick() takes a wait-queue lock.
 */
static bool icp_try_update(struct xics_icp *icp, union xics_icp_state old,
			   union xics_icp_state *new)
{
	new->out_ee = new->xisr && new->pending_pri < new->cppr;
	return cmpxchg64(&icp->state.raw, old.raw, new->raw) == old.raw;
}

static union xics_icp_state icp_read(struct xics_icp *icp)
{
	union xics_icp_state s;

	s.raw = READ_ONCE(icp->state.raw);
	return s;
}

static void icp_kick(struct xics_icp *icp, union xics_icp_state s)
{
	if (s.out_ee)
		virq_vcpu_kick(icp->vcpu);
}

/**
 * virq_xics_find_server() - the ICP of server number @server
 * @xics: the chip
 * @server: server number
 *
 * Only published vCPUs count.  vCPUs are never removed, so a result stays
 * valid for the life of the chip.
 *
 * Context: any (lockless).
 * Return: the ICP, or NULL if no vCPU has that server number (yet).
 */
struct xics_icp *virq_xics_find_server(struct virq_xics *xics, u32 server)
{
	struct virq_vcpu *vcpu;
	u32 i;

	/* Most VMMs number servers like vCPU indices: try that first. */
	vcpu = virq_get_vcpu(xics->inst, server);
	if (vcpu && vcpu->arch_id == server)
		return vcpu->priv;

	for (i = 0; i < xics->nr_vcpus; i++) {
		vcpu = virq_get_vcpu(xics->inst, i);
		if (vcpu && vcpu->arch_id == server)
			return vcpu->priv;
	}
	return NULL;
}

/**
 * virq_xics_icp_try_to_deliver() - offer interrupt @irq to @icp
 * @icp: the target ICP
 * @irq: source number
 * @priority: its priority (not masked)
 * @reject: (out) the source it displaced from the XISR, or 0
 *
 * The ICP takes @irq if @priority is more favoured than its CPPR, its MFRR
 * and the interrupt already pending; that one is then rejected and
 * returned in *@reject for its ICS to deliver again.  Otherwise the ICP
 * sets need_resend, so that its next move towards less favoured levels
 * resends.  The caller kicks the vCPU on success.
 *
 * Context: any; called with the source's ICS lock held.
 * Return: true if @irq now sits in the XISR.
 */
bool virq_xics_icp_try_to_deliver(struct xics_icp *icp, u32 irq, u8 priority,
				  u32 *reject)
{
	union xics_icp_state old, new;
	bool success;

	do {
		old = icp_read(icp);
		new = old;
		*reject = 0;

		/*
		 * Already pending here (a guest that ended it before taking
		 * it): one copy is enough.
		 */
		if (old.xisr == irq)
			return true;

		success = priority < new.cppr && priority < new.mfrr &&
			  priority < new.pending_pri;
		if (success) {
			*reject = new.xisr;
			new.xisr = irq;
			new.pending_pri = priority;
		} else {
			new.need_resend = 1;
		}
	} while (!icp_try_update(icp, old, &new));

	return success;
}

/*
 * ICP State: Reject.  The ICP gave @irq back: its ICS delivers it again,
 * which may land it right back here, on another server, or in its resend
 * flag.  IPIs are not ICS sources: the MFRR still holds them.
 */
static void icp_reject(struct virq_xics *xics, struct xics_icp *icp, u32 irq)
{
	if (irq && irq != XICS_IPI_SRC)
		virq_xics_ics_deliver(xics, icp, irq, false);
}

/*
 * ICP State: Resend.  Present again what this ICP could not take: every
 * ICS marked in resend_map is scanned for sources whose resend flag is
 * set.
 */
static void icp_resend(struct virq_xics *xics, struct xics_icp *icp)
{
	u32 icsid;

	/* Order the need_resend test of the caller before these loads. */
	smp_rmb();
	for_each_set_bit(icsid, icp->resend_map, xics->nr_ics) {
		if (!test_and_clear_bit(icsid, icp->resend_map))
			continue;
		virq_xics_ics_resend(xics, icp, icsid);
	}
}

/*
 * The tail of every ICP state change the vCPU's hcalls (and a restore)
 * commit, with no ICS lock held: kick the vCPU if EE is now raised, Reject
 * the interrupt the change displaced from the XISR (@reject, 0 for none),
 * then Resend if @resend (need_resend was set and the change cleared it).
 */
static void icp_after_update(struct virq_xics *xics, struct xics_icp *icp,
			     union xics_icp_state new, u32 reject, bool resend)
{
	icp_kick(icp, new);
	icp_reject(xics, icp, reject);
	if (resend)
		icp_resend(xics, icp);
}

/*
 * ICP State: Accept_Interrupt (H_XIRR).  Returns the XIRR: the CPPR as it
 * was and the pending source; the CPPR becomes the accepted interrupt's
 * priority.  Nothing is pending after this, so EE drops.
 */
static u32 icp_accept(struct xics_icp *icp)
{
	union xics_icp_state old, new;
	u32 xirr;

	do {
		old = icp_read(icp);
		new = old;

		xirr = old.xisr | (u32)old.cppr << VIRQ_XICS_XIRR_CPPR_SHIFT;
		if (!old.xisr)
			break;
		new.cppr = new.pending_pri;
		new.pending_pri = XICS_PRIO_MASKED;
		new.xisr = 0;
	} while (!icp_try_update(icp, old, &new));

	return xirr;
}

/*
 * ICP State: Down_CPPR (H_CPPR to a less favoured level, and H_EOI).
 *
 * Folds in Check_IPI, IPI and Resend: a now-acceptable MFRR presents the
 * IPI, and any delivery that failed since the last scan is retried.  An
 * IPI cannot need to displace an external interrupt here (Set_MFRR would
 * already have rejected it), but should an inconsistent restored state
 * make it so, the displaced source is rejected rather than lost.
 *
 * As in KVM, an H_EOI that raises the CPPR goes through here too and does
 * not reject the pending interrupt: PAPR leaves that software error
 * undefined.
 */
static void icp_down_cppr(struct virq_xics *xics, struct xics_icp *icp,
			  u8 cppr)
{
	union xics_icp_state old, new;
	bool resend;
	u32 reject;

	do {
		old = icp_read(icp);
		new = old;
		reject = 0;

		new.cppr = cppr;
		if (new.mfrr < cppr && new.mfrr <= new.pending_pri) {
			if (new.xisr != XICS_IPI_SRC)
				reject = new.xisr;
			new.pending_pri = new.mfrr;
			new.xisr = XICS_IPI_SRC;
		}

		resend = new.need_resend;
		new.need_resend = 0;
	} while (!icp_try_update(icp, old, &new));

	icp_after_update(xics, icp, new, reject, resend);
}

/*
 * ICP State: Up_CPPR (H_CPPR to a more favoured level).  A pending
 * interrupt that is no longer more favoured than the CPPR is rejected
 * (Reject_Current).
 */
static void icp_up_cppr(struct virq_xics *xics, struct xics_icp *icp, u8 cppr)
{
	union xics_icp_state old, new;
	u32 reject;

	do {
		old = icp_read(icp);
		new = old;
		reject = 0;

		new.cppr = cppr;
		if (cppr <= new.pending_pri) {
			reject = new.xisr;
			new.xisr = 0;
			new.pending_pri = XICS_PRIO_MASKED;
		}
	} while (!icp_try_update(icp, old, &new));

	icp_after_update(xics, icp, new, reject, false);
}

/* ICP State: Set_CPPR (H_CPPR).  Only the vCPU itself changes its CPPR. */
static void icp_set_cppr(struct virq_xics *xics, struct xics_icp *icp,
			 u8 cppr)
{
	u8 cur = icp_read(icp).cppr;

	if (cppr > cur)
		icp_down_cppr(xics, icp, cppr);
	else if (cppr < cur)
		icp_up_cppr(xics, icp, cppr);
}

/*
 * ICP State: Set_MFRR (H_IPI), with Check_IPI and IPI: an MFRR more
 * favoured than the CPPR and the pending interrupt presents the IPI and
 * rejects that interrupt.
 *
 * PAPR has no state for an MFRR made less favoured, but an interrupt the
 * old MFRR turned away may now fit: as KVM, resend whenever the MFRR
 * rises (we do not keep enough state to be more precise).
 */
static void icp_set_mfrr(struct virq_xics *xics, struct xics_icp *icp,
			 u8 mfrr)
{
	union xics_icp_state old, new;
	bool resend;
	u32 reject;

	do {
		old = icp_read(icp);
		new = old;
		reject = 0;
		resend = false;

		new.mfrr = mfrr;
		if (mfrr < new.cppr && mfrr <= new.pending_pri) {
			reject = new.xisr;
			new.pending_pri = mfrr;
			new.xisr = XICS_IPI_SRC;
		}
		if (mfrr > old.mfrr) {
			resend = new.need_resend;
			new.need_resend = 0;
		}
	} while (!icp_try_update(icp, old, &new));

	icp_after_update(xics, icp, new, reject, resend);
}

/* ICP State: EOI (H_EOI): Down_CPPR, then the source's EOI in its ICS. */
static long icp_eoi(struct virq_xics *xics, struct xics_icp *icp, u64 xirr)
{
	u32 irq = xirr & VIRQ_XICS_XIRR_XISR_MASK;

	if (xirr > U32_MAX)
		return XICS_H_PARAMETER;

	icp_down_cppr(xics, icp, xirr >> VIRQ_XICS_XIRR_CPPR_SHIFT);

	if (!irq)
		return XICS_H_SUCCESS;
	if (irq == XICS_IPI_SRC) {
		/* IPIs have no ICS and no EOI beyond the CPPR change. */
		virq_trace_eoi(xics->inst, irq);
		return XICS_H_SUCCESS;
	}
	return virq_xics_ics_eoi(xics, irq);
}

/* H_IPI and H_IPOLL address an ICP by server number. */
static struct xics_icp *icp_of_server(struct virq_xics *xics,
				      struct xics_icp *self, u64 server)
{
	if (server == self->server)
		return self;
	if (server > U32_MAX)
		return NULL;
	return virq_xics_find_server(xics, server);
}

static u32 icp_h_xirr(struct virq_vcpu *vcpu)
{
	u32 xirr = icp_accept(vcpu->priv);

	virq_trace_ack(vcpu, xirr);
	return xirr;
}

/**
 * virq_xics_vcpu_call() - the XICS hypercalls of @vcpu
 * @vcpu: the calling vCPU
 * @call: nr = PAPR hcall number, args = R4.., (out) ret and rets = R4..
 *
 * H_XIRR_X returns 0 as the timebase: virq has no guest timebase; the
 * VMM may fill it in.
 *
 * Return: 0 (the hcall status is in @call->ret), or -EOPNOTSUPP for any
 * other hcall, which the VMM handles.
 */
int virq_xics_vcpu_call(struct virq_vcpu *vcpu, struct virq_call_args *call)
{
	struct virq_xics *xics = xics_of(vcpu->inst);
	struct xics_icp *icp = vcpu->priv, *target;
	union xics_icp_state s;
	const u64 *a = call->args;

	memset(call->rets, 0, sizeof(call->rets));
	call->ret = XICS_H_SUCCESS;

	switch (call->nr) {
	case VIRQ_XICS_H_XIRR:
		call->rets[0] = icp_h_xirr(vcpu);
		break;
	case VIRQ_XICS_H_XIRR_X:
		call->rets[0] = icp_h_xirr(vcpu);
		call->rets[1] = 0;
		break;
	case VIRQ_XICS_H_CPPR:
		if (a[0] > XICS_PRIO_MASKED)
			call->ret = XICS_H_PARAMETER;
		else
			icp_set_cppr(xics, icp, a[0]);
		break;
	case VIRQ_XICS_H_EOI:
		call->ret = icp_eoi(xics, icp, a[0]);
		break;
	case VIRQ_XICS_H_IPI:
		target = icp_of_server(xics, icp, a[0]);
		if (!target || a[1] > XICS_PRIO_MASKED)
			call->ret = XICS_H_PARAMETER;
		else
			icp_set_mfrr(xics, target, a[1]);
		break;
	case VIRQ_XICS_H_IPOLL:
		target = icp_of_server(xics, icp, a[0]);
		if (!target) {
			call->ret = XICS_H_PARAMETER;
			break;
		}
		s = icp_read(target);
		call->rets[0] = s.xisr |
			(u32)s.cppr << VIRQ_XICS_XIRR_CPPR_SHIFT;
		call->rets[1] = s.mfrr;
		break;
	default:
		return -EOPNOTSUPP;
	}
	return 0;
}

/**
 * virq_xics_vcpu_ack() - VIRQ_VCPU_ACK: H_XIRR on behalf of @vcpu
 * @vcpu: the vCPU
 * @event: 0 (XICS has no other events)
 * @id: (out) the XIRR (0 in the XISR when nothing was pending)
 *
 * Return: 0, or -EINVAL for an event.
 */
int virq_xics_vcpu_ack(struct virq_vcpu *vcpu, u32 event, u64 *id)
{
	if (event)
		return -EINVAL;
	*id = icp_h_xirr(vcpu);
	return 0;
}

/**
 * virq_xics_vcpu_output() - the output lines of @vcpu
 * @vcpu: the vCPU
 * @sipi_vector: unused (XICS has no SIPI)
 *
 * Context: any; reads the ICP state word, no cached copy.
 * Return: VIRQ_OUT_INT while the ICP asserts EE, else 0.
 */
u32 virq_xics_vcpu_output(struct virq_vcpu *vcpu, u32 *sipi_vector)
{
	struct xics_icp *icp = vcpu->priv;

	return icp_read(icp).out_ee ? VIRQ_OUT_INT : 0;
}

/**
 * virq_xics_vcpu_access() - register accesses: PAPR XICS has none
 * @vcpu: the vCPU
 * @space: address space
 * @addr: address
 * @len: access size
 * @write: true for a write
 * @data: value
 *
 * Return: -ENXIO, the VMM handles the access.
 */
int virq_xics_vcpu_access(struct virq_vcpu *vcpu, u32 space, u64 addr,
			  u32 len, bool write, u64 *data)
{
	return -ENXIO;
}

static u64 icp_get_word(struct xics_icp *icp)
{
	union xics_icp_state s = icp_read(icp);

	return (u64)s.cppr << VIRQ_XICS_ICP_CPPR_SHIFT |
	       (u64)s.xisr << VIRQ_XICS_ICP_XISR_SHIFT |
	       (u64)s.mfrr << VIRQ_XICS_ICP_MFRR_SHIFT |
	       (u64)s.pending_pri << VIRQ_XICS_ICP_PPRI_SHIFT;
}

/*
 * Restore the ICP registers from a KVM_REG_PPC_ICP_STATE word, with KVM's
 * consistency rules: an empty XISR has no pending priority, and any
 * pending interrupt is more favoured than the CPPR (and than the MFRR, for
 * an external one).  KVM also wants a pending IPI at exactly the MFRR's
 * priority, yet its own H_IPI leaves the IPI in the XISR at its old
 * priority when the MFRR is made less favoured: virq accepts what H_IPI
 * produces (pending priority at or above the MFRR's), so such an ICP can
 * migrate.  virq also rejects non-zero reserved bits and an XISR outside
 * the chip's sources, where KVM asks for an existing ICS.
 *
 * A displaced XISR is not rejected: user space restores the sources
 * consistently (before or after).  A less favoured MFRR resends, so that
 * restoring sources first still ends consistent.
 */
static int icp_set_word(struct virq_xics *xics, struct xics_icp *icp, u64 word)
{
	union xics_icp_state old, new;
	u8 cppr, mfrr, ppri;
	bool resend;
	u32 xisr;

	if (word & XICS_ICP_WORD_RESERVED)
		return -EINVAL;

	cppr = word >> VIRQ_XICS_ICP_CPPR_SHIFT;
	xisr = (word >> VIRQ_XICS_ICP_XISR_SHIFT) & VIRQ_XICS_ICP_XISR_MASK;
	mfrr = word >> VIRQ_XICS_ICP_MFRR_SHIFT;
	ppri = word >> VIRQ_XICS_ICP_PPRI_SHIFT;

	if (!xisr) {
		if (ppri != XICS_PRIO_MASKED)
			return -EINVAL;
	} else if (xisr == XICS_IPI_SRC) {
		if (ppri > mfrr || ppri >= cppr)
			return -EINVAL;
	} else {
		if (ppri >= mfrr || ppri >= cppr)
			return -EINVAL;
		if (!xics_source_valid(xics, xisr))
			return -EINVAL;
	}

	new.raw = 0;
	new.cppr = cppr;
	new.xisr = xisr;
	new.mfrr = mfrr;
	new.pending_pri = ppri;

	do {
		old = icp_read(icp);
		if (new.mfrr <= old.mfrr) {
			resend = false;
			new.need_resend = old.need_resend;
		} else {
			resend = old.need_resend;
			new.need_resend = 0;
		}
	} while (!icp_try_update(icp, old, &new));

	icp_after_update(xics, icp, new, 0, resend);
	return 0;
}

/**
 * virq_xics_vcpu_has_attr() - the ICP state word is the only vCPU attribute
 * @vcpu: the vCPU
 * @group: VIRQ_XICS_GRP_ICP
 * @attr: 0
 *
 * Return: 0, or -ENXIO for another group or attribute.
 */
int virq_xics_vcpu_has_attr(struct virq_vcpu *vcpu, u32 group, u64 attr)
{
	return group == VIRQ_XICS_GRP_ICP && !attr ? 0 : -ENXIO;
}

/**
 * virq_xics_vcpu_get_attr() - save the ICP state word
 * @vcpu: the vCPU
 * @group: VIRQ_XICS_GRP_ICP
 * @attr: 0
 * @buf: (out) the KVM_REG_PPC_ICP_STATE word, native endian
 * @size: (in) bytes at @buf, (out) 8
 *
 * Return: 0, -ENXIO for another group or attribute, -ENOSPC if @buf is
 * smaller than 8 bytes.
 */
int virq_xics_vcpu_get_attr(struct virq_vcpu *vcpu, u32 group, u64 attr,
			    void *buf, u32 *size)
{
	u64 word;

	if (group != VIRQ_XICS_GRP_ICP || attr)
		return -ENXIO;
	if (*size < sizeof(word)) {
		*size = sizeof(word);
		return -ENOSPC;
	}
	word = icp_get_word(vcpu->priv);
	memcpy(buf, &word, sizeof(word));
	*size = sizeof(word);
	return 0;
}

/**
 * virq_xics_vcpu_set_attr() - restore the ICP state word
 * @vcpu: the vCPU
 * @group: VIRQ_XICS_GRP_ICP
 * @attr: 0
 * @buf: the KVM_REG_PPC_ICP_STATE word, native endian
 * @size: 8
 *
 * Return: 0, -ENXIO for another group or attribute, -EINVAL for a size
 * other than 8 or an inconsistent word.
 */
int virq_xics_vcpu_set_attr(struct virq_vcpu *vcpu, u32 group, u64 attr,
			    const void *buf, u32 size)
{
	u64 word;

	if (group != VIRQ_XICS_GRP_ICP || attr)
		return -ENXIO;
	if (size != sizeof(word))
		return -EINVAL;
	memcpy(&word, buf, sizeof(word));
	return icp_set_word(xics_of(vcpu->inst), vcpu->priv, word);
}

/**
 * virq_xics_vcpu_create() - create the ICP of @vcpu
 * @vcpu: the new vCPU; arch_id is its server number
 *
 * The ICP starts as KVM's: CPPR 0 (nothing accepted until the guest lowers
 * it), MFRR and pending priority 0xff.  It also starts with need_resend and
 * a full resend_map, so that its first Down_CPPR picks up anything that
 * waited for this server before it existed.
 *
 * Context: process, instance lock held, vCPU not yet published.
 * Return: 0, -EINVAL if arch_id does not fit a server number, -ENOMEM.
 */
int virq_xics_vcpu_create(struct virq_vcpu *vcpu)
{
	struct virq_xics *xics = xics_of(vcpu->inst);
	struct xics_icp *icp;

	if (vcpu->arch_id > U32_MAX)
		return -EINVAL;

	icp = kzalloc(struct_size(icp, resend_map,
				  BITS_TO_LONGS(xics->nr_ics)),
		      GFP_KERNEL_ACCOUNT);
	if (!icp)
		return -ENOMEM;

	icp->vcpu = vcpu;
	icp->server = vcpu->arch_id;
	icp->state.cppr = 0;
	icp->state.mfrr = XICS_PRIO_MASKED;
	icp->state.pending_pri = XICS_PRIO_MASKED;
	icp->state.need_resend = 1;
	bitmap_fill(icp->resend_map, xics->nr_ics);
	vcpu->priv = icp;
	return 0;
}

/**
 * virq_xics_vcpu_destroy() - free the ICP of @vcpu
 * @vcpu: the vCPU
 *
 * Runs after the chip is gone: touches nothing else.
 */
void virq_xics_vcpu_destroy(struct virq_vcpu *vcpu)
{
	kfree(vcpu->priv);
	vcpu->priv = NULL;
}

/**
 * virq_xics_show_icps() - print every ICP for debugfs
 * @xics: the chip
 * @m: the seq_file
 */
void virq_xics_show_icps(struct virq_xics *xics, struct seq_file *m)
{
	struct virq_vcpu *vcpu;
	u32 i;

	for (i = 0; i < xics->nr_vcpus; i++) {
		struct xics_icp *icp;
		union xics_icp_state s;

		vcpu = virq_get_vcpu(xics->inst, i);
		if (!vcpu)
			continue;
		icp = vcpu->priv;
		s = icp_read(icp);
		/* Columns: CPPR, MFRR, pending priority, XISR */
		seq_printf(m, "icp %u srv %#x: %02x %02x %02x %#x%s%s\n",
			   i, icp->server, s.cppr, s.mfrr, s.pending_pri,
			   s.xisr, s.out_ee ? " EE" : "",
			   s.need_resend ? " resend" : "");
	}
}
