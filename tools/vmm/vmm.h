/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmm: a small VMM that runs a two-vCPU x86 guest program under /dev/kvm
 * without KVM's in-kernel irqchip, with virq's x86 chip as the IOAPIC and
 * the LAPICs.  See vmm.c for how the pieces fit.
 */
#ifndef _VIRQ_TOOLS_VMM_H
#define _VIRQ_TOOLS_VMM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* What the guest program does (the numbers are built into its code) */
#define VMM_DOORBELLS		5	/* doorbell rings on vCPU 0 */
#define VMM_TIMER_TICKS		3	/* LAPIC timer ticks vCPU 0 waits for */
#define VMM_IPIS		4	/* ping-pong IPI rounds */
#define VMM_MSIS		4	/* MSIs of each kind to vCPU 1 */

/* Vectors of the guest program */
#define VMM_VEC_DOORBELL	0x40	/* IOAPIC pin VMM_DOORBELL_GSI, vCPU 0 */
#define VMM_VEC_IPI		0x50	/* vCPU 0 -> vCPU 1 */
#define VMM_VEC_IPI_REPLY	0x51	/* vCPU 1 -> vCPU 0, from the handler */
#define VMM_VEC_FINISH		0x52	/* vCPU 0 -> vCPU 1: report and stop */
#define VMM_VEC_AP_READY	0x53	/* vCPU 1 -> vCPU 0 after its start */
#define VMM_VEC_TIMER		0x60	/* vCPU 0's LAPIC timer */
#define VMM_VEC_MSI		0x70	/* timer device, compatibility MSI */
#define VMM_VEC_MSI_IR		0x71	/* timer device, through the IRTE */
#define VMM_VEC_MSI_DONE	0x72	/* timer device done, to vCPU 0 */
#define VMM_VEC_SPURIOUS	0xff	/* both LAPICs' SVR */

#define VMM_DOORBELL_GSI	20	/* an IOAPIC-only GSI */
#define VMM_IRTE_INDEX		5	/* the remapping entry of VMM_VEC_MSI_IR */
#define VMM_NR_VCPUS		2

/**
 * struct vmm_opts - how to run
 * @narrate: print each step for a person to follow
 * @timeout_ms: bound of the whole run
 */
struct vmm_opts {
	bool narrate;
	unsigned int timeout_ms;
};

/**
 * struct vmm_result - what happened
 * @guest_count: per vCPU and vector, the interrupts the guest's handlers
 *	counted (reported by the guest at its end)
 * @injected: per vCPU and vector, the vectors the VMM injected with
 *	KVM_INTERRUPT after VIRQ_VCPU_ACK
 * @guest_reported: the vCPU reported its counts
 * @guest_rte_lo: low word of IOREDTBL[VMM_DOORBELL_GSI] as the guest read
 *	it after its last doorbell interrupt
 * @sipi_vector: the SIPI vector vCPU 1 was started with
 * @rings: doorbell rings (line raised); @device_acks: lines lowered
 * @msis_sent: compatibility MSIs the device signalled; @msis_ir_sent:
 *	remappable ones
 * @msi_status_bad: MSIs whose VIRQ_SIGNAL_MSI status was not 1
 * @remote_irr_end: remote IRR of the doorbell pin at the end (virq state)
 * @line_end: the doorbell pin's line level at the end
 * @lapic_busy_end: a LAPIC had an IRR or ISR bit set at the end
 * @ir_faults: remapping faults recorded
 * @exited: the guest wrote the exit port
 * @error: first error, empty if none
 */
struct vmm_result {
	uint32_t guest_count[VMM_NR_VCPUS][256];
	uint32_t injected[VMM_NR_VCPUS][256];
	bool guest_reported[VMM_NR_VCPUS];
	uint32_t guest_rte_lo;
	int sipi_vector;
	unsigned int rings, device_acks;
	unsigned int msis_sent, msis_ir_sent, msi_status_bad;
	bool remote_irr_end, line_end, lapic_busy_end;
	uint64_t ir_faults;
	bool exited;
	char error[256];
};

#define VMM_OK		0
#define VMM_FAIL	1
#define VMM_SKIP	4	/* no /dev/kvm or no virq x86 family */

/* Run the guest program; fills *@res.  Returns VMM_OK, VMM_FAIL or VMM_SKIP. */
int vmm_run(const struct vmm_opts *opts, struct vmm_result *res);

/*
 * Check *@res against what the guest program does; print each problem to
 * @log (if not NULL).  Returns the number of problems.
 */
int vmm_check(const struct vmm_result *res, FILE *log);

#endif /* _VIRQ_TOOLS_VMM_H */
