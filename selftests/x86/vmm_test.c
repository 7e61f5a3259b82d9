// SPDX-License-Identifier: GPL-2.0
/*
 * The small VMM of tools/vmm end to end: a two-vCPU x86 guest program
 * runs under /dev/kvm without KVM's irqchip, with virq as its IOAPIC and
 * LAPICs.  The guest programs the IOAPIC and both LAPICs itself, takes a
 * level doorbell interrupt through the IOAPIC (and ends each with an EOI
 * that clears remote IRR), runs its LAPIC timer, starts vCPU 1 with INIT
 * and SIPI, plays IPI ping-pong, and takes MSIs from a timer device,
 * half of them through the interrupt remapping table.  Both the guest's
 * own counts and the VMM's injections are checked.
 *
 * Needs a /dev/kvm inside the test guest (tools/vm/run.sh --kvm-ref);
 * skips without it, without virq's x86 family, or on another host
 * architecture.
 */
#if defined(__x86_64__)

#include "../../tools/vmm/vmm.c"

#include <kselftest_harness.h>

TEST(guest_program)
{
	struct vmm_opts opts = { .timeout_ms = 240000 };
	struct vmm_result *r = calloc(1, sizeof(*r));
	int ret, cpu, vec, stray = 0;

	ASSERT_NE(NULL, r);
	ret = vmm_run(&opts, r);
	if (ret == VMM_SKIP) {
		free(r);
		SKIP(return, "no /dev/kvm or no virq x86 family");
	}
	ASSERT_EQ(VMM_OK, ret) TH_LOG("%s", r->error);
	ASSERT_TRUE(r->exited);
	ASSERT_TRUE(r->guest_reported[0]);
	ASSERT_TRUE(r->guest_reported[1]);

	/* 1: the doorbell, a level line through IOAPIC pin 20 */
	EXPECT_EQ(VMM_DOORBELLS, (int)r->rings);
	EXPECT_EQ(VMM_DOORBELLS, (int)r->device_acks);
	EXPECT_EQ(VMM_DOORBELLS, (int)r->guest_count[0][VMM_VEC_DOORBELL]);
	EXPECT_EQ(VMM_DOORBELLS, (int)r->injected[0][VMM_VEC_DOORBELL]);
	/* the guest's own read of the entry, after its last EOI */
	EXPECT_EQ(VMM_VEC_DOORBELL | 0x8000,
		  (int)(r->guest_rte_lo & 0x1ffff));
	EXPECT_FALSE(r->remote_irr_end);
	EXPECT_FALSE(r->line_end);

	/* 2: the LAPIC timer */
	EXPECT_GE((int)r->guest_count[0][VMM_VEC_TIMER], VMM_TIMER_TICKS);
	EXPECT_EQ((int)r->injected[0][VMM_VEC_TIMER],
		  (int)r->guest_count[0][VMM_VEC_TIMER]);

	/* 3: INIT/SIPI and IPIs both ways */
	EXPECT_EQ(G_SIPI_VECTOR, (int)r->sipi_vector);
	EXPECT_EQ(1, (int)r->guest_count[0][VMM_VEC_AP_READY]);
	EXPECT_EQ(VMM_IPIS, (int)r->guest_count[1][VMM_VEC_IPI]);
	EXPECT_EQ(VMM_IPIS, (int)r->guest_count[0][VMM_VEC_IPI_REPLY]);
	EXPECT_EQ(1, (int)r->guest_count[1][VMM_VEC_FINISH]);

	/* 4: the MSI timer device, plain and remapped, on vCPU 1 */
	EXPECT_EQ(VMM_MSIS, (int)r->msis_sent);
	EXPECT_EQ(VMM_MSIS, (int)r->msis_ir_sent);
	EXPECT_EQ(0, (int)r->msi_status_bad);
	EXPECT_EQ(VMM_MSIS, (int)r->guest_count[1][VMM_VEC_MSI]);
	EXPECT_EQ(VMM_MSIS, (int)r->guest_count[1][VMM_VEC_MSI_IR]);
	EXPECT_EQ(0, (int)r->guest_count[0][VMM_VEC_MSI]);
	EXPECT_EQ(0, (int)r->guest_count[0][VMM_VEC_MSI_IR]);
	EXPECT_EQ(1, (int)r->guest_count[0][VMM_VEC_MSI_DONE]);
	EXPECT_EQ(0, (int)r->ir_faults);

	/* nothing stray or spurious, nothing left pending or in service */
	EXPECT_EQ(0, (int)r->guest_count[0][VMM_VEC_SPURIOUS]);
	EXPECT_EQ(0, (int)r->guest_count[1][VMM_VEC_SPURIOUS]);
	for (cpu = 0; cpu < VMM_NR_VCPUS; cpu++)
		for (vec = 0; vec < 256; vec++)
			if (r->injected[cpu][vec] != r->guest_count[cpu][vec])
				stray++;
	EXPECT_EQ(0, stray);
	EXPECT_FALSE(r->lapic_busy_end);

	/* the tool's own verdict agrees */
	EXPECT_EQ(0, vmm_check(r, stderr));
	free(r);
}

#else	/* the guest program is x86 code run under the host's x86 KVM */

#include <kselftest_harness.h>

TEST(guest_program)
{
	SKIP(return, "the small VMM runs x86 guest code under x86 KVM");
}

#endif

TEST_HARNESS_MAIN
