// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the XICS model (virq/ppc/), driven through its ops the
 * way the core drives them: injection, the ICP hypercalls, the RTAS chip
 * calls, MSI blocks, save/restore words, and -ENOMEM at every allocation.
 */
#include <stdlib.h>

#include <linux/errno.h>
#include <linux/kernel.h>

#include "tap.h"
#include "xics_helpers.h"

#define H_OK	VIRQ_XICS_H_SUCCESS
#define H_PARAM	VIRQ_XICS_H_PARAMETER
#define R_OK	VIRQ_XICS_RTAS_SUCCESS
#define R_PARAM	VIRQ_XICS_RTAS_PARAMETER
#define EDGE	VIRQ_LINE_EDGE
#define SET	VIRQ_LINE_SET
#define RESET	VIRQ_LINE_RESET
#define MASKED	VIRQ_STATUS_MASKED
#define COALESCED VIRQ_STATUS_COALESCED

static unsigned long kicks(struct virq_instance *inst, u32 cpu)
{
	return harness_vcpu(vcpu_of(inst, cpu))->kicks;
}

static u32 out(struct virq_instance *inst, u32 cpu)
{
	return harness_vcpu_output(vcpu_of(inst, cpu));
}

TEST(create_destroy)
{
	struct virq_instance *inst = harness_instance_open();
	struct virq_vcpu *v;

	CHECK_FATAL(inst);
	CHECK_EQ(harness_create_chip(inst, &virq_xics_ops, 2, 1000, NULL, 0),
		 -EINVAL);
	CHECK_EQ(harness_create_chip(inst, &virq_xics_ops, 0, 1024, NULL, 0),
		 -EINVAL);
	CHECK_EQ(harness_create_chip(inst, &virq_xics_ops, 2, 0, NULL, 0),
		 -EINVAL);
	CHECK_EQ(harness_create_chip(inst, &virq_xics_ops, 2,
				     VIRQ_XICS_MAX_SOURCES + 1024, NULL, 0),
		 -EINVAL);
	CHECK(!inst->view.ops && !inst->view.chip && !inst->vcpus);
	CHECK_EQ(harness_create_chip(inst, &virq_xics_ops, 3, 4096, NULL, 0),
		 0);
	CHECK_EQ(harness_create_chip(inst, &virq_xics_ops, 3, 4096, NULL, 0),
		 -EEXIST);

	CHECK_EQ(harness_create_vcpu(inst, 0, 100, &v), 0);
	CHECK(v && v->priv && v->index == 0 && v->arch_id == 100);
	CHECK(virq_get_vcpu(inst, 0) == v);
	CHECK(!virq_get_vcpu(inst, 1));
	CHECK(!virq_get_vcpu(inst, 3));
	CHECK_EQ(harness_create_vcpu(inst, 0, 101, NULL), -EEXIST);
	CHECK_EQ(harness_create_vcpu(inst, 1, 100, NULL), -EEXIST);
	CHECK_EQ(harness_create_vcpu(inst, 3, 102, NULL), -EINVAL);
	CHECK_EQ(harness_create_vcpu(inst, 1, 1ULL << 32, NULL), -EINVAL);
	CHECK(!virq_get_vcpu(inst, 1));
	CHECK_EQ(harness_create_vcpu(inst, 2, 7, NULL), 0);
	/* A vCPU not created: chip and destroy cope with the hole. */
	harness_instance_close(inst);
}

TEST(icp_initial_state)
{
	struct virq_instance *inst = xics_new(2, 1024);
	u64 w;

	CHECK_FATAL(inst);
	w = icp_word(inst, 1);
	CHECK_EQ(ICP_CPPR(w), 0);
	CHECK_EQ(ICP_XISR(w), 0);
	CHECK_EQ(ICP_MFRR(w), 0xff);
	CHECK_EQ(ICP_PPRI(w), 0xff);
	CHECK_EQ(out(inst, 0), 0);
	CHECK_EQ(XIRR_XISR(h_xirr(inst, 0)), 0);
	CHECK_EQ(src_word(inst, 0x20),
		 VIRQ_XICS_MASKED | 0xffULL << VIRQ_XICS_PRIORITY_SHIFT);
	harness_instance_close(inst);
}

TEST(msi_edge_xirr_eoi)
{
	struct virq_instance *inst = xics_new(2, 2048);
	unsigned long k;
	u64 x;

	CHECK_FATAL(inst);
	CHECK_EQ(set_xive(inst, 0x20, 0, 5), R_OK);
	CHECK_EQ(h_cppr(inst, 0, 0xff), H_OK);
	k = kicks(inst, 0);
	CHECK_EQ(line(inst, 0x20, EDGE), 1);
	CHECK(kicks(inst, 0) > k);
	CHECK_EQ(kicks(inst, 1), 0);
	CHECK_EQ(out(inst, 0), VIRQ_OUT_INT);
	CHECK(src_word(inst, 0x20) & VIRQ_XICS_PRESENTED);

	x = h_xirr(inst, 0);
	CHECK_EQ(x, XIRR(0xff, 0x20));
	CHECK_EQ(harness_vcpu(vcpu_of(inst, 0))->last_ack, x);
	CHECK_EQ(out(inst, 0), 0);
	CHECK_EQ(ICP_CPPR(icp_word(inst, 0)), 5);
	CHECK_EQ(XIRR_XISR(h_xirr(inst, 0)), 0);

	CHECK_EQ(h_eoi(inst, 0, x), H_OK);
	CHECK_EQ(ICP_CPPR(icp_word(inst, 0)), 0xff);
	CHECK_EQ(inst->nr_trace_eoi, 1);
	CHECK_EQ(inst->last_trace_eoi, 0x20);
	CHECK_EQ(inst->nr_notify_eoi, 0);	/* MSIs have no resamplers */
	CHECK(!(src_word(inst, 0x20) & VIRQ_XICS_PRESENTED));
	CHECK_EQ(XIRR_XISR(h_xirr(inst, 0)), 0);

	/* An MSI message is an edge on the source in its data. */
	{
		int status = 0;

		CHECK_EQ(harness_signal_msi(inst, 0, 0x20, &status), 0);
		CHECK_EQ(status, 1);
		CHECK_EQ(harness_vcpu_ack(vcpu_of(inst, 0), &x), 0);
		CHECK_EQ(x, XIRR(0xff, 0x20));
		CHECK_EQ(h_eoi(inst, 0, x), H_OK);
	}
	harness_instance_close(inst);
}

TEST(edge_below_cppr_waits_for_resend)
{
	struct virq_instance *inst = xics_new(1, 1024);

	CHECK_FATAL(inst);
	CHECK_EQ(set_xive(inst, 0x20, 0, 5), R_OK);
	CHECK_EQ(line(inst, 0x20, EDGE), COALESCED);	/* CPPR is 0 */
	CHECK_EQ(out(inst, 0), 0);
	CHECK(src_word(inst, 0x20) & VIRQ_XICS_PENDING);
	CHECK_EQ(h_cppr(inst, 0, 6), H_OK);		/* Down_CPPR: resend */
	CHECK_EQ(out(inst, 0), VIRQ_OUT_INT);
	CHECK_EQ(h_xirr(inst, 0), XIRR(6, 0x20));
	CHECK_EQ(h_eoi(inst, 0, XIRR(6, 0x20)), H_OK);
	harness_instance_close(inst);
}

TEST(masked_source_latches)
{
	struct virq_instance *inst = xics_new(1, 1024);

	CHECK_FATAL(inst);
	CHECK_EQ(h_cppr(inst, 0, 0xff), H_OK);
	CHECK_EQ(line(inst, 0x30, EDGE), MASKED);	/* fresh: masked */
	CHECK(src_word(inst, 0x30) & VIRQ_XICS_PENDING);
	CHECK_EQ(out(inst, 0), 0);
	CHECK_EQ(set_xive(inst, 0x30, 0, 4), R_OK);	/* unmask: present */
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x30));
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 0x30)), H_OK);

	/* int-off latches; int-on presents and restores the priority */
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_INT_OFF, 0x30, 0, 0, NULL), R_OK);
	CHECK_EQ(line(inst, 0x30, EDGE), MASKED);
	CHECK_EQ(XIRR_XISR(h_xirr(inst, 0)), 0);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_INT_ON, 0x30, 0, 0, NULL), R_OK);
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x30));
	CHECK_EQ(ICP_CPPR(icp_word(inst, 0)), 4);
	harness_instance_close(inst);
}

TEST(priority_preempts_and_rejected_comes_back)
{
	struct virq_instance *inst = xics_new(1, 1024);

	CHECK_FATAL(inst);
	CHECK_EQ(set_xive(inst, 0x20, 0, 5), R_OK);
	CHECK_EQ(set_xive(inst, 0x21, 0, 3), R_OK);
	CHECK_EQ(set_xive(inst, 0x22, 0, 7), R_OK);
	CHECK_EQ(h_cppr(inst, 0, 0xff), H_OK);
	CHECK_EQ(line(inst, 0x20, EDGE), 1);
	CHECK_EQ(line(inst, 0x22, EDGE), COALESCED);	/* behind 0x20 */
	CHECK_EQ(line(inst, 0x21, EDGE), 1);		/* displaces 0x20 */
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x21));
	CHECK_EQ(XIRR_XISR(h_xirr(inst, 0)), 0);	/* 5 is not above 3 */
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 0x21)), H_OK);
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x20));	/* most favoured */
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 0x20)), H_OK);
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x22));
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 0x22)), H_OK);
	CHECK_EQ(XIRR_XISR(h_xirr(inst, 0)), 0);
	harness_instance_close(inst);
}

TEST(up_cppr_rejects_pending)
{
	struct virq_instance *inst = xics_new(1, 1024);

	CHECK_FATAL(inst);
	CHECK_EQ(set_xive(inst, 0x20, 0, 5), R_OK);
	CHECK_EQ(h_cppr(inst, 0, 0xff), H_OK);
	CHECK_EQ(line(inst, 0x20, EDGE), 1);
	CHECK_EQ(h_cppr(inst, 0, 3), H_OK);		/* Up_CPPR: reject */
	CHECK_EQ(out(inst, 0), 0);
	CHECK_EQ(ICP_XISR(icp_word(inst, 0)), 0);
	CHECK_EQ(h_xirr(inst, 0), XIRR(3, 0));
	CHECK_EQ(h_cppr(inst, 0, 0xff), H_OK);		/* resend */
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x20));
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 0x20)), H_OK);
	harness_instance_close(inst);
}

TEST(lsi_level_and_eoi)
{
	struct virq_instance *inst = xics_new(1, 1024);

	CHECK_FATAL(inst);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_SET_LSI, 0x40, 1, 0, NULL), R_OK);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_SET_LSI, 0x40, 2, 0, NULL),
		 R_PARAM);
	CHECK_EQ(set_xive(inst, 0x40, 0, 5), R_OK);
	CHECK_EQ(h_cppr(inst, 0, 0xff), H_OK);
	CHECK_EQ(line(inst, 0x40, SET), 1);
	CHECK_EQ(line(inst, 0x40, SET), COALESCED);
	CHECK(src_word(inst, 0x40) & VIRQ_XICS_LEVEL_SENSITIVE);
	CHECK(src_word(inst, 0x40) & VIRQ_XICS_ASSERTED);
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x40));
	/* EOI with the line still high: notified, presented again */
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 0x40)), H_OK);
	CHECK_EQ(inst->nr_notify_eoi, 1);
	CHECK_EQ(inst->eoi_log[0], 0x40);
	CHECK_EQ(out(inst, 0), VIRQ_OUT_INT);
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x40));
	CHECK_EQ(line(inst, 0x40, RESET), COALESCED);
	CHECK(!(src_word(inst, 0x40) & VIRQ_XICS_ASSERTED));
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 0x40)), H_OK);
	CHECK_EQ(inst->nr_notify_eoi, 2);
	CHECK_EQ(out(inst, 0), 0);
	CHECK_EQ(XIRR_XISR(h_xirr(inst, 0)), 0);
	harness_instance_close(inst);
}

TEST(lsi_resampler_lowers_at_eoi)
{
	struct virq_instance *inst = xics_new(1, 1024);
	int status;

	CHECK_FATAL(inst);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_SET_LSI, 0x41, 1, 0, NULL), R_OK);
	CHECK_EQ(set_xive(inst, 0x41, 0, 5), R_OK);
	CHECK_EQ(h_cppr(inst, 0, 0xff), H_OK);
	CHECK_EQ(harness_add_resampler(inst, 0x41), 0);
	/* from an irqfd wakeup: IRQs off, under the eventfd's lock */
	CHECK_EQ(harness_set_irq(inst, 0x41, SET, VIRQ_DRIVER_RESAMPLE, true,
				 &status), 0);
	CHECK_EQ(status, 1);
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x41));
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 0x41)), H_OK);
	CHECK_EQ(inst->nr_resample_signals, 1);
	CHECK_EQ(XIRR_XISR(h_xirr(inst, 0)), 0);	/* line went low */

	/* the VMM's drive keeps the line high past the resampler's EOI */
	CHECK_EQ(harness_set_irq(inst, 0x41, SET, VIRQ_DRIVER_RESAMPLE, true,
				 &status), 0);
	CHECK_EQ(line(inst, 0x41, SET), COALESCED);
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x41));
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 0x41)), H_OK);
	CHECK_EQ(inst->nr_resample_signals, 2);
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x41));
	CHECK_EQ(line(inst, 0x41, RESET), COALESCED);
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 0x41)), H_OK);
	CHECK_EQ(XIRR_XISR(h_xirr(inst, 0)), 0);
	harness_instance_close(inst);
}

TEST(msi_queued_while_presented)
{
	struct virq_instance *inst = xics_new(1, 1024);

	CHECK_FATAL(inst);
	CHECK_EQ(set_xive(inst, 0x20, 0, 5), R_OK);
	CHECK_EQ(h_cppr(inst, 0, 0xff), H_OK);
	CHECK_EQ(line(inst, 0x20, EDGE), 1);
	CHECK_EQ(line(inst, 0x20, EDGE), COALESCED);
	CHECK_EQ(line(inst, 0x20, EDGE), COALESCED);
	CHECK(src_word(inst, 0x20) & VIRQ_XICS_QUEUED);
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x20));
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 0x20)), H_OK);	/* Q: again */
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x20));
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 0x20)), H_OK);	/* once only */
	CHECK_EQ(XIRR_XISR(h_xirr(inst, 0)), 0);

	/* an MSI line fires on rising edges only */
	CHECK_EQ(line(inst, 0x20, SET), 1);
	CHECK_EQ(line(inst, 0x20, SET), COALESCED);
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x20));
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 0x20)), H_OK);
	CHECK_EQ(XIRR_XISR(h_xirr(inst, 0)), 0);
	harness_instance_close(inst);
}

TEST(ipi)
{
	struct virq_instance *inst = xics_new(2, 1024);
	struct virq_call_args c = { .nr = VIRQ_XICS_H_IPOLL, .args = { 1 } };
	unsigned long k;

	CHECK_FATAL(inst);
	CHECK_EQ(h_cppr(inst, 0, 0xff), H_OK);
	CHECK_EQ(h_ipi(inst, 0, 0, 5), H_OK);
	CHECK_EQ(out(inst, 0), VIRQ_OUT_INT);
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, VIRQ_XICS_IPI));
	CHECK_EQ(h_ipi(inst, 0, 0, 0xff), H_OK);
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, VIRQ_XICS_IPI)), H_OK);
	CHECK_EQ(inst->last_trace_eoi, VIRQ_XICS_IPI);
	CHECK_EQ(inst->nr_notify_eoi, 0);
	CHECK_EQ(XIRR_XISR(h_xirr(inst, 0)), 0);

	/* to another vCPU */
	CHECK_EQ(h_cppr(inst, 1, 0xff), H_OK);
	k = kicks(inst, 1);
	CHECK_EQ(h_ipi(inst, 0, 1, 4), H_OK);
	CHECK(kicks(inst, 1) > k);
	CHECK_EQ(out(inst, 1), VIRQ_OUT_INT);
	CHECK_EQ(out(inst, 0), 0);
	CHECK_EQ(harness_vcpu_call(vcpu_of(inst, 0), &c), 0);
	CHECK_EQ(c.ret, H_OK);
	CHECK_EQ(c.rets[0], XIRR(0xff, VIRQ_XICS_IPI));
	CHECK_EQ(c.rets[1], 4);

	CHECK_EQ(h_ipi(inst, 0, 7, 5), H_PARAM);
	CHECK_EQ(h_ipi(inst, 0, 1ULL << 32, 5), H_PARAM);
	CHECK_EQ(h_ipi(inst, 0, 1, 0x100), H_PARAM);
	harness_instance_close(inst);
}

TEST(ipi_displaces_external)
{
	struct virq_instance *inst = xics_new(1, 1024);

	CHECK_FATAL(inst);
	CHECK_EQ(set_xive(inst, 0x20, 0, 5), R_OK);
	CHECK_EQ(h_cppr(inst, 0, 0xff), H_OK);
	CHECK_EQ(line(inst, 0x20, EDGE), 1);
	CHECK_EQ(h_ipi(inst, 0, 0, 3), H_OK);
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, VIRQ_XICS_IPI));
	CHECK_EQ(h_ipi(inst, 0, 0, 0xff), H_OK);
	CHECK_EQ(XIRR_XISR(h_xirr(inst, 0)), 0);	/* CPPR is 3 */
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, VIRQ_XICS_IPI)), H_OK);
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x20));
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 0x20)), H_OK);
	harness_instance_close(inst);
}

TEST(rtas_xive_and_errors)
{
	struct virq_instance *inst = xics_new(2, 2048);
	u64 r[4];

	CHECK_FATAL(inst);
	CHECK_EQ(set_xive(inst, 0x420, 1, 6), R_OK);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_GET_XIVE, 0x420, 0, 0, r), R_OK);
	CHECK_EQ(r[0], 1);
	CHECK_EQ(r[1], 6);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_INT_OFF, 0x420, 0, 0, NULL), R_OK);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_GET_XIVE, 0x420, 0, 0, r), R_OK);
	CHECK_EQ(r[1], 0xff);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_INT_OFF, 0x420, 0, 0, NULL), R_OK);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_INT_ON, 0x420, 0, 0, NULL), R_OK);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_GET_XIVE, 0x420, 0, 0, r), R_OK);
	CHECK_EQ(r[0], 1);
	CHECK_EQ(r[1], 6);	/* a second int-off did not lose it */
	/* fresh sources */
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_GET_XIVE, 0x700, 0, 0, r), R_OK);
	CHECK_EQ(r[0], 0);
	CHECK_EQ(r[1], 0xff);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_INT_OFF, 0x700, 0, 0, NULL), R_OK);

	CHECK_EQ(set_xive(inst, 15, 0, 5), R_PARAM);		/* reserved */
	CHECK_EQ(set_xive(inst, 2048, 0, 5), R_PARAM);		/* too big */
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_SET_XIVE, 1ULL << 32 | 0x20, 0, 5,
		      NULL), R_PARAM);
	CHECK_EQ(set_xive(inst, 0x20, 0, 0x100), R_PARAM);
	CHECK_EQ(set_xive(inst, 0x20, 2, 5), R_PARAM);		/* no server */
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_SET_XIVE, 0x20, 1ULL << 32, 5,
		      NULL), R_PARAM);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_GET_XIVE, 3, 0, 0, r), R_PARAM);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_INT_ON, 4096, 0, 0, NULL), R_PARAM);
	CHECK_EQ(rtas(inst, 99, 0, 0, 0, NULL), -EOPNOTSUPP);
	CHECK_EQ(rtas(inst, 0, 0, 0, 0, NULL), -EOPNOTSUPP);

	CHECK_EQ(hcall(inst, 0, 0x1234, 0, 0, NULL), -EOPNOTSUPP);
	CHECK_EQ(h_cppr(inst, 0, 0x100), H_PARAM);
	CHECK_EQ(h_eoi(inst, 0, 1ULL << 32), H_PARAM);
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 5)), H_PARAM);	/* reserved */
	CHECK_EQ(h_eoi(inst, 0, XIRR(0xff, 4096)), H_PARAM);
	harness_instance_close(inst);
}

TEST(msi_alloc_free)
{
	struct virq_instance *inst = xics_new(1, 2048);
	u64 r[4];

	CHECK_FATAL(inst);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_ALLOC, 4, 0, 0, r), 0);
	CHECK_EQ(r[0], 16);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_ALLOC, 4, 0, 0, r), 0);
	CHECK_EQ(r[0], 20);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_ALLOC, 8, 0, 0, r), 0);
	CHECK_EQ(r[0], 24);
	CHECK(src_word(inst, 16) & VIRQ_XICS_MSI_FIRST);
	CHECK(src_word(inst, 17) & VIRQ_XICS_MSI);
	CHECK(!(src_word(inst, 17) & VIRQ_XICS_MSI_FIRST));
	/* a configured source is not free */
	CHECK_EQ(set_xive(inst, 0x20, 0, 5), R_OK);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_ALLOC, 1, 0, 0, r), 0);
	CHECK_EQ(r[0], 0x21);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_ALLOC, 1024, 0, 0, r), 0);
	CHECK_EQ(r[0], 1024);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_ALLOC, 1024, 0, 0, r),
		 -ENOSPC);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_ALLOC, 3, 0, 0, r), -EINVAL);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_ALLOC, 0, 0, 0, r), -EINVAL);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_ALLOC, 2048, 0, 0, r), -EINVAL);
	/* MSI sources cannot become LSIs */
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_SET_LSI, 17, 1, 0, NULL), R_PARAM);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_SET_LSI, 17, 0, 0, NULL), R_OK);

	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_FREE, 16, 8, 0, NULL), -EINVAL);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_FREE, 20, 2, 0, NULL), -EINVAL);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_FREE, 18, 2, 0, NULL), -EINVAL);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_FREE, 20, 4, 0, NULL), 0);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_FREE, 20, 4, 0, NULL), -EINVAL);
	CHECK(!(src_word(inst, 21) & VIRQ_XICS_MSI));
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_FREE, 1024, 1024, 0, NULL), 0);
	CHECK_EQ(rtas(inst, VIRQ_XICS_CALL_MSI_ALLOC, 4, 0, 0, r), 0);
	CHECK_EQ(r[0], 20);	/* the freed block is reused */
	harness_instance_close(inst);
}

/* Sets up varied state on a 2-vCPU, 2048-source chip. */
static struct virq_instance *busy_chip(void)
{
	struct virq_instance *inst = xics_new(2, 2048);
	u64 r[4];

	if (!inst)
		return NULL;
	set_xive(inst, 0x20, 0, 5);
	set_xive(inst, 0x21, 1, 3);
	set_xive(inst, 0x420, 1, 7);
	rtas(inst, VIRQ_XICS_CALL_INT_OFF, 0x420, 0, 0, NULL);
	rtas(inst, VIRQ_XICS_CALL_SET_LSI, 0x30, 1, 0, NULL);
	set_xive(inst, 0x30, 0, 4);
	rtas(inst, VIRQ_XICS_CALL_MSI_ALLOC, 8, 0, 0, r);
	h_cppr(inst, 0, 0xff);
	h_cppr(inst, 1, 0x10);
	line(inst, 0x20, EDGE);		/* presented on 0 */
	line(inst, 0x20, EDGE);		/* queued */
	line(inst, 0x30, SET);		/* LSI, behind 0x20 on 0 */
	line(inst, 0x420, EDGE);	/* masked: latched */
	line(inst, 0x21, EDGE);		/* presented on 1 */
	h_ipi(inst, 0, 1, 0x20);	/* MFRR, not above CPPR */
	return inst;
}

static u64 *all_words(struct virq_instance *inst)
{
	u32 n = inst->view.nr_sources, i;
	u64 *w = calloc(n + 2 * inst->view.nr_vcpus, sizeof(*w));

	harness_alloc_pause();
	if (harness_get_sources(inst, 0, n, w))
		w[0] = 0xdead;
	harness_alloc_resume();
	for (i = 0; i < inst->view.nr_vcpus; i++) {
		if (!virq_get_vcpu(inst, i))
			continue;
		w[n + 2 * i] = icp_word(inst, i);
		w[n + 2 * i + 1] = harness_vcpu_output(virq_get_vcpu(inst, i));
	}
	return w;
}

static bool same_words(struct virq_instance *inst, const u64 *a,
		       const u64 *b)
{
	size_t n = inst->view.nr_sources + 2 * inst->view.nr_vcpus, i;

	for (i = 0; i < n; i++) {
		if (a[i] != b[i]) {
			printf("# word %zu: %#llx != %#llx\n", i,
			       (unsigned long long)a[i],
			       (unsigned long long)b[i]);
			return false;
		}
	}
	return true;
}

TEST(sources_round_trip)
{
	struct virq_instance *a = busy_chip(), *b = xics_new(2, 2048);
	u64 *wa, *wb, icp;
	u32 size = 8, i;

	CHECK_FATAL(a && b);
	wa = all_words(a);
	CHECK(wa[0x20] & VIRQ_XICS_QUEUED);
	CHECK(wa[0x420] & VIRQ_XICS_MASKED && wa[0x420] & VIRQ_XICS_PENDING);
	CHECK_EQ(harness_set_sources(b, 0, 2048, wa), 0);
	for (i = 0; i < 2; i++) {
		icp = wa[2048 + 2 * i];
		CHECK_EQ(harness_vcpu_set_attr(vcpu_of(b, i),
					       VIRQ_XICS_GRP_ICP, 0, &icp,
					       size), 0);
	}
	wb = all_words(b);
	CHECK(same_words(a, wa, wb));
	free(wb);

	/* the restored chip behaves like the original */
	CHECK_EQ(h_xirr(a, 0), h_xirr(b, 0));
	CHECK_EQ(h_eoi(a, 0, XIRR(0xff, 0x20)), h_eoi(b, 0, XIRR(0xff, 0x20)));
	CHECK_EQ(h_xirr(a, 0), h_xirr(b, 0));
	free(wa);
	wa = all_words(a);
	wb = all_words(b);
	CHECK(same_words(a, wa, wb));
	free(wa);
	free(wb);
	harness_instance_close(a);
	harness_instance_close(b);
}

TEST(set_sources_rejects_and_changes_nothing)
{
	struct virq_instance *inst = busy_chip();
	const u64 prio5 = 5ULL << VIRQ_XICS_PRIORITY_SHIFT;
	const u64 bad[] = {
		prio5 | 1ULL << 45,				/* reserved */
		prio5 | 1ULL << 63,
		prio5 | VIRQ_XICS_LEVEL_SENSITIVE | VIRQ_XICS_QUEUED |
			VIRQ_XICS_PRESENTED,
		prio5 | VIRQ_XICS_LEVEL_SENSITIVE | VIRQ_XICS_MSI,
		prio5 | VIRQ_XICS_QUEUED,			/* Q without P */
		prio5 | VIRQ_XICS_MSI_FIRST,
		prio5 | 7,					/* no server 7 */
	};
	u64 *before, *after, words[3];
	u32 i;

	CHECK_FATAL(inst);
	before = all_words(inst);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		/* valid, valid, then the bad one: nothing may change */
		words[0] = prio5;
		words[1] = prio5 | VIRQ_XICS_PENDING;
		words[2] = bad[i];
		CHECK_EQ(harness_set_sources(inst, 0x50, 3, words), -EINVAL);
	}
	words[0] = prio5;					/* reserved src */
	CHECK_EQ(harness_set_sources(inst, 3, 1, words), -EINVAL);
	/* the core's own checks */
	CHECK_EQ(harness_set_sources(inst, 0, 0, words), -EINVAL);
	CHECK_EQ(harness_set_sources(inst, 2047, 2, words), -EINVAL);
	CHECK_EQ(harness_set_sources(inst, 0xffffffff, 2, words), -EINVAL);
	CHECK_EQ(harness_get_sources(inst, 2048, 1, words), -EINVAL);
	after = all_words(inst);
	CHECK(same_words(inst, before, after));
	free(before);
	free(after);
	harness_instance_close(inst);
}

TEST(set_sources_pending_is_delivered)
{
	struct virq_instance *inst = xics_new(1, 1024);
	u64 w = 5ULL << VIRQ_XICS_PRIORITY_SHIFT | VIRQ_XICS_PENDING;

	CHECK_FATAL(inst);
	CHECK_EQ(h_cppr(inst, 0, 0xff), H_OK);
	CHECK_EQ(harness_set_sources(inst, 0x20, 1, &w), 0);
	CHECK_EQ(h_xirr(inst, 0), XIRR(0xff, 0x20));
	harness_instance_close(inst);
}

TEST(icp_attr)
{
	struct virq_instance *inst = xics_new(1, 1024);
	struct virq_vcpu *v;
	u64 w = 0;
	u32 size = 4;
	const u64 ok = 0xffULL << VIRQ_XICS_ICP_CPPR_SHIFT |
		       0x20ULL << VIRQ_XICS_ICP_XISR_SHIFT |
		       0xffULL << VIRQ_XICS_ICP_MFRR_SHIFT |
		       5ULL << VIRQ_XICS_ICP_PPRI_SHIFT;
	const u64 bad[] = {
		ok | 1,						/* reserved */
		ok & ~(0xffffffULL << VIRQ_XICS_ICP_XISR_SHIFT),/* ppri, no xisr */
		(ok & ~(0xffULL << VIRQ_XICS_ICP_PPRI_SHIFT)) |
			0xffULL << VIRQ_XICS_ICP_PPRI_SHIFT,	/* ppri = cppr */
		(ok & ~(0xffffffULL << VIRQ_XICS_ICP_XISR_SHIFT) &
		 ~(0xffULL << VIRQ_XICS_ICP_MFRR_SHIFT)) |
			2ULL << VIRQ_XICS_ICP_XISR_SHIFT |
			3ULL << VIRQ_XICS_ICP_MFRR_SHIFT,	/* IPI < mfrr */
		(ok & ~(0xffffffULL << VIRQ_XICS_ICP_XISR_SHIFT)) |
			0x500ULL << VIRQ_XICS_ICP_XISR_SHIFT,	/* no source */
		(ok & ~(0xffffffULL << VIRQ_XICS_ICP_XISR_SHIFT)) |
			5ULL << VIRQ_XICS_ICP_XISR_SHIFT,	/* reserved src */
	};
	u32 i;

	CHECK_FATAL(inst);
	v = vcpu_of(inst, 0);
	CHECK_EQ(harness_vcpu_get_attr(v, VIRQ_XICS_GRP_ICP, 0, &w, &size),
		 -ENOSPC);
	CHECK_EQ(size, 8);
	CHECK_EQ(harness_vcpu_get_attr(v, 2, 0, &w, &size), -ENXIO);
	CHECK_EQ(harness_vcpu_get_attr(v, VIRQ_XICS_GRP_ICP, 1, &w, &size),
		 -ENXIO);
	CHECK_EQ(harness_vcpu_set_attr(v, VIRQ_XICS_GRP_ICP, 0, &ok, 4),
		 -EINVAL);
	CHECK_EQ(harness_vcpu_set_attr(v, 2, 0, &ok, 8), -ENXIO);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(harness_vcpu_set_attr(v, VIRQ_XICS_GRP_ICP, 0, &bad[i],
					       8), -EINVAL);
	CHECK_EQ(ICP_CPPR(icp_word(inst, 0)), 0);
	CHECK_EQ(harness_vcpu_set_attr(v, VIRQ_XICS_GRP_ICP, 0, &ok, 8), 0);
	CHECK_EQ(icp_word(inst, 0), ok);
	CHECK_EQ(out(inst, 0), VIRQ_OUT_INT);
	/* the chip has no attributes */
	CHECK_EQ(harness_has_attr(inst, 0, 0), -ENXIO);
	size = 8;
	CHECK_EQ(harness_get_attr(inst, 0, 0, &w, &size), -ENXIO);
	CHECK_EQ(harness_set_attr(inst, 0, 0, &w, 8), -ENXIO);
	/* no register space */
	CHECK_EQ(inst->view.ops->vcpu_access(v, VIRQ_SPACE_MMIO, 0, 4, false,
					     &w), -ENXIO);
	harness_instance_close(inst);
}

TEST(core_rejects_bad_injection)
{
	struct virq_instance *inst = xics_new(1, 1024);
	int status;

	CHECK_FATAL(inst);
	CHECK_EQ(line(inst, 1024, EDGE), -EINVAL);
	CHECK_EQ(line(inst, 0x20, 3), -EINVAL);
	CHECK_EQ(line(inst, VIRQ_XICS_IPI, EDGE), -EINVAL);	/* model */
	CHECK_EQ(line(inst, 0, SET), -EINVAL);
	CHECK_EQ(harness_signal_msi(inst, 0, 1024, &status), -EINVAL);
	harness_instance_close(inst);
}

TEST(show)
{
	struct virq_instance *inst = busy_chip();
	struct seq_file m;

	CHECK_FATAL(inst);
	harness_seq_init(&m, 1 << 16);
	harness_show(inst, &m);
	CHECK(!seq_has_overflowed(&m));
	CHECK(strstr(m.buf, "xics: 2048 sources, 2 of 2 ICS allocated"));
	CHECK(strstr(m.buf, "icp 1 srv 0x1"));
	CHECK(strstr(m.buf, "src 0x00020"));
	harness_seq_fini(&m);
	/* a tiny buffer overflows cleanly */
	harness_seq_init(&m, 16);
	harness_show(inst, &m);
	CHECK(seq_has_overflowed(&m));
	harness_seq_fini(&m);
	harness_instance_close(inst);
}

/*
 * -ENOMEM at every allocation an operation makes leaves the visible state
 * exactly as it was, and nothing leaks (the TAP runner checks the count).
 */
typedef struct virq_instance *(*setup_fn)(void);
typedef int (*op_fn)(struct virq_instance *inst);

static void enomem_sweep(const char *what, setup_fn setup, op_fn op)
{
	struct virq_instance *inst = setup();
	unsigned long n, i;
	u64 *before, *after;
	int ret;

	if (!inst) {
		CHECK(inst);
		return;
	}
	n = harness_alloc_attempts();
	ret = op(inst);
	n = harness_alloc_attempts() - n;
	CHECK_EQ(ret, 0);
	harness_instance_close(inst);
	printf("# %s: %lu allocation(s) to fail\n", what, n);
	CHECK(n > 0);

	for (i = 1; i <= n; i++) {
		inst = setup();
		if (!inst) {
			CHECK(inst);
			return;
		}
		before = all_words(inst);
		harness_fail_alloc_nth(i);
		ret = op(inst);
		if (!harness_alloc_failed()) {
			printf("# %s: allocation %lu of %lu not reached\n",
			       what, i, n);
		} else {
			if (ret != -ENOMEM)
				printf("# %s: failing %s: ret %d\n", what,
				       harness_alloc_fail_site(), ret);
			CHECK_EQ(ret, -ENOMEM);
			after = all_words(inst);
			if (!same_words(inst, before, after)) {
				printf("# %s: failing %s changed state\n",
				       what, harness_alloc_fail_site());
				CHECK(0);
			}
			free(after);
			/* and the operation still works afterwards */
			CHECK_EQ(op(inst), 0);
		}
		harness_fail_alloc_nth(0);
		free(before);
		harness_instance_close(inst);
	}
}

static struct virq_instance *setup_two(void)
{
	struct virq_instance *inst = xics_new(2, 4096);

	if (inst)
		h_cppr(inst, 0, 0xff);
	return inst;
}

static struct virq_instance *setup_one_of_two(void)
{
	struct virq_instance *inst = harness_instance_open();

	if (!inst)
		return NULL;
	if (harness_create_chip(inst, &virq_xics_ops, 2, 4096, NULL, 0) ||
	    harness_create_vcpu(inst, 0, 0, NULL)) {
		harness_instance_close(inst);
		return NULL;
	}
	return inst;
}

static int op_vcpu_create(struct virq_instance *inst)
{
	return harness_create_vcpu(inst, 1, 1, NULL);
}

static int op_edge(struct virq_instance *inst)
{
	int status, ret;

	ret = harness_set_irq(inst, 0x820, EDGE, VIRQ_DRIVER_USER, true,
			      &status);
	return ret ? ret : status == MASKED ? 0 : -1;
}

static int op_line_set(struct virq_instance *inst)
{
	int status, ret;

	ret = harness_set_irq(inst, 0x420, SET, VIRQ_DRIVER_RESAMPLE, false,
			      &status);
	return ret ? ret : status == MASKED ? 0 : -1;
}

static int op_set_xive(struct virq_instance *inst)
{
	s64 ret = set_xive(inst, 0x420, 1, 5);

	return ret == R_OK ? 0 : ret < 0 ? (int)ret : -1;
}

static int op_set_lsi(struct virq_instance *inst)
{
	s64 ret = rtas(inst, VIRQ_XICS_CALL_SET_LSI, 0xc20, 1, 0, NULL);

	return ret == R_OK ? 0 : ret < 0 ? (int)ret : -1;
}

static int op_int_on(struct virq_instance *inst)
{
	s64 ret = rtas(inst, VIRQ_XICS_CALL_INT_ON, 0xc20, 0, 0, NULL);

	return ret == R_OK ? 0 : ret < 0 ? (int)ret : -1;
}

static int op_msi_alloc(struct virq_instance *inst)
{
	u64 r[4];

	return (int)rtas(inst, VIRQ_XICS_CALL_MSI_ALLOC, 16, 0, 0, r);
}

static int op_set_sources(struct virq_instance *inst)
{
	static u64 w[4096];
	u32 i;

	for (i = 0; i < 4096; i++)
		w[i] = i < 16 || i % 3 ? 0xffULL << VIRQ_XICS_PRIORITY_SHIFT |
					 VIRQ_XICS_MASKED :
		       (u64)(i % 7) << VIRQ_XICS_PRIORITY_SHIFT | (i & 1) |
		       (i % 9 ? 0 : VIRQ_XICS_PENDING);
	w[0x800] = 0xffULL << VIRQ_XICS_PRIORITY_SHIFT | VIRQ_XICS_MASKED;
	return harness_set_sources(inst, 0, 4096, w);
}

static int op_icp_set(struct virq_instance *inst)
{
	u64 w = 0xffULL << VIRQ_XICS_ICP_CPPR_SHIFT |
		0xffULL << VIRQ_XICS_ICP_MFRR_SHIFT |
		0xffULL << VIRQ_XICS_ICP_PPRI_SHIFT;

	return harness_vcpu_set_attr(vcpu_of(inst, 1), VIRQ_XICS_GRP_ICP, 0,
				     &w, 8);
}

TEST(enomem_vcpu_create)
{
	enomem_sweep("vcpu_create", setup_one_of_two, op_vcpu_create);
}

TEST(enomem_set_irq)
{
	enomem_sweep("set_irq edge (atomic)", setup_two, op_edge);
	enomem_sweep("set_irq level", setup_two, op_line_set);
}

TEST(enomem_rtas)
{
	enomem_sweep("set_xive", setup_two, op_set_xive);
	enomem_sweep("set_lsi", setup_two, op_set_lsi);
	enomem_sweep("int_on", setup_two, op_int_on);
	enomem_sweep("msi_alloc", setup_two, op_msi_alloc);
}

TEST(enomem_set_sources)
{
	enomem_sweep("set_sources", setup_two, op_set_sources);
	enomem_sweep("icp set_attr", setup_two, op_icp_set);
}

TEST(enomem_create_chip)
{
	unsigned long n, i;
	struct virq_instance *inst;
	int ret;

	for (i = 1; ; i++) {
		n = harness_alloc_attempts();
		inst = harness_instance_open();
		CHECK_FATAL(inst);
		harness_fail_alloc_nth(i);
		ret = harness_create_chip(inst, &virq_xics_ops, 2, 4096, NULL,
					  0);
		if (!harness_alloc_failed()) {
			harness_fail_alloc_nth(0);
			CHECK_EQ(ret, 0);
			harness_instance_close(inst);
			break;
		}
		harness_fail_alloc_nth(0);
		CHECK_EQ(ret, -ENOMEM);
		CHECK(!inst->view.ops && !inst->view.chip && !inst->vcpus);
		CHECK(!inst->view.nr_vcpus && !inst->view.nr_sources);
		CHECK_EQ(harness_create_chip(inst, &virq_xics_ops, 2, 4096,
					     NULL, 0), 0);
		harness_instance_close(inst);
		(void)n;
	}
	CHECK(i > 2);	/* the core's vCPU array and the chip */
}

static const struct tap_test tests[] = {
	T(create_destroy), T(icp_initial_state), T(msi_edge_xirr_eoi),
	  T(edge_below_cppr_waits_for_resend), T(masked_source_latches),
	  T(priority_preempts_and_rejected_comes_back),
	  T(up_cppr_rejects_pending), T(lsi_level_and_eoi),
	  T(lsi_resampler_lowers_at_eoi), T(msi_queued_while_presented),
	  T(ipi), T(ipi_displaces_external), T(rtas_xive_and_errors),
	  T(msi_alloc_free), T(sources_round_trip),
	  T(set_sources_rejects_and_changes_nothing),
	  T(set_sources_pending_is_delivered), T(icp_attr),
	  T(core_rejects_bad_injection), T(show), T(enomem_vcpu_create),
	  T(enomem_set_irq), T(enomem_rtas), T(enomem_set_sources),
	  T(enomem_create_chip),
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
