// SPDX-License-Identifier: GPL-2.0
/*
 * vmm: a small VMM on /dev/kvm and /dev/virq.
 *
 * The VM is created without KVM_CREATE_IRQCHIP: KVM runs the vCPUs and
 * nothing else.  virq's x86 chip (no PIC, one IOAPIC, interrupt
 * remapping) provides the interrupt controllers:
 *
 *  - the guest's MMIO accesses to the LAPIC page (0xfee00000) and the
 *    IOAPIC window (0xfec00000) exit to user space (no memory slot there)
 *    and are forwarded with VIRQ_VCPU_ACCESS on that vCPU's virq fd;
 *  - before each KVM_RUN the vCPU thread reads VIRQ_VCPU_GET_OUTPUT: an
 *    interrupt that the vCPU can take (run->ready_for_interrupt_injection)
 *    is acknowledged with VIRQ_VCPU_ACK and injected with KVM_INTERRUPT;
 *    otherwise the thread asks KVM for an interrupt window.  NMIs go in
 *    with KVM_NMI;
 *  - KVM_EXIT_HLT: the thread poll()s its virq vCPU fd until an interrupt
 *    or event is pending;
 *  - a vCPU running guest code is kicked out of KVM_RUN (SIGUSR1 and
 *    run->immediate_exit) by its poller thread, which poll()s the virq
 *    vCPU fd while the vCPU is in the guest: IPIs from the other vCPU,
 *    device interrupts and the LAPIC timer all reach it that way;
 *  - vCPU 1 starts when the guest sends it INIT and SIPI: its thread
 *    waits for VIRQ_OUT_INIT and VIRQ_OUT_SIPI, acknowledges them, and
 *    starts it at the guest's AP entry (in protected mode: the VMM does
 *    what a real-mode trampoline would do).
 *
 * Devices, on I/O ports:
 *  - a doorbell: a write to VMM_PORT_DOORBELL asks the device for work;
 *    its thread raises GSI VMM_DOORBELL_GSI (a level line, VIRQ_LINE_SET)
 *    a millisecond later, while the guest halts; the handler acknowledges the
 *    device at VMM_PORT_DOORBELL_ACK (VIRQ_LINE_RESET), then ends the
 *    interrupt at its LAPIC, whose EOI clears the pin's remote IRR;
 *  - a timer that fires MSIs: a write to VMM_PORT_MSI_ARM starts a thread
 *    that sends 2 * VMM_MSIS MSIs to APIC 1, one per millisecond once
 *    the previous one was taken, alternately in compatibility format and
 *    in remappable format through IRTE VMM_IRTE_INDEX, then one MSI to
 *    APIC 0 to say it is done;
 *  - a report port (the guest's interrupt counts), an exit port, and a
 *    fault port that the guest's exception handler writes.
 *
 * Every wait is bounded by opts->timeout_ms: a bug stops the run with an
 * error, it never hangs it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/virq.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"

/* Guest-physical layout */
#define G_MEM_SIZE	0x100000	/* one memory slot at 0 */
#define G_GDT		0x1000
#define G_IDT		0x2000
#define G_COUNTS	0x4000		/* u32 counts[2][256], by APIC id */
#define G_STACK0	0x7000		/* top of vCPU 0's stack */
#define G_STACK1	0x8000		/* top of vCPU 1's stack */
#define G_CODE		0x10000
#define G_SIPI_VECTOR	(G_CODE >> 12)	/* the AP's start page */

#define LAPIC_BASE	VIRQ_X86_LAPIC_DEFAULT_BASE
#define IOAPIC_BASE	VIRQ_X86_IOAPIC_DEFAULT_BASE
#define MMIO_WINDOW	0x1000

/* LAPIC registers */
#define APIC_EOI	0xb0
#define APIC_ISR	0x100
#define APIC_IRR	0x200
#define APIC_ICR	0x300
#define APIC_ICR2	0x310
#define APIC_LVTT	0x320
#define APIC_TMICT	0x380
#define APIC_TDCR	0x3e0

#define RTE_REMOTE_IRR	(1ULL << 14)
#define RTE_LEVEL	(1ULL << 15)
#define RTE_MASKED	(1ULL << 16)

/* I/O ports of the devices */
#define VMM_PORT_REPORT		0x600	/* vector << 16 | count */
#define VMM_PORT_DOORBELL	0x601
#define VMM_PORT_DOORBELL_ACK	0x602
#define VMM_PORT_MSI_ARM	0x603
#define VMM_PORT_EXIT		0x604
#define VMM_PORT_AP_DONE	0x605
#define VMM_PORT_FAULT		0x606	/* exception vector */
#define VMM_PORT_RTE		0x607	/* IOREDTBL low word */

#define TIMER_INITIAL	2000000		/* TMICT: 2 ms at 1 GHz, divide by 1 */

#define S_(x)	#x
#define S(x)	S_(x)

/*
 * The guest program: 32-bit protected mode, flat segments, no paging.
 * It is copied to G_CODE, so it uses only relative jumps and calls and
 * absolute data addresses.  Interrupt stubs are 16 bytes apart from
 * vmm_guest_isr; each pushes its vector and jumps to the common handler,
 * which counts the interrupt in counts[APIC id][vector], acknowledges the
 * doorbell device, answers the ping IPI and ends the interrupt (EOI).
 */
asm("	.pushsection .rodata.vmm_guest, \"a\"\n"
"	.code32\n"
"	.equ LAPIC, " S(LAPIC_BASE) "\n"
"	.equ IOAPIC, " S(IOAPIC_BASE) "\n"
"	.equ COUNTS, " S(G_COUNTS) "\n"
"	.equ GSI, " S(VMM_DOORBELL_GSI) "\n"
"	.equ V_DOORBELL, " S(VMM_VEC_DOORBELL) "\n"
"	.equ V_IPI, " S(VMM_VEC_IPI) "\n"
"	.equ V_REPLY, " S(VMM_VEC_IPI_REPLY) "\n"
"	.equ V_FINISH, " S(VMM_VEC_FINISH) "\n"
"	.equ V_READY, " S(VMM_VEC_AP_READY) "\n"
"	.equ V_TIMER, " S(VMM_VEC_TIMER) "\n"
"	.equ V_MSI_DONE, " S(VMM_VEC_MSI_DONE) "\n"
"	.equ V_SPURIOUS, " S(VMM_VEC_SPURIOUS) "\n"
"	.balign 16\n"
"	.globl vmm_guest_start\n"
"vmm_guest_start:\n"
"	.globl vmm_guest_bsp\n"
"vmm_guest_bsp:\n"
	/* software-enable the LAPIC, spurious vector 0xff */
"	movl $0x1ff, LAPIC + 0xf0\n"
	/* IOREDTBL[GSI]: fixed, level, physical, APIC 0, unmasked */
"	movl $(0x10 + 2 * GSI), IOAPIC\n"
"	movl $(V_DOORBELL | 0x8000), IOAPIC + 0x10\n"
"	movl $(0x11 + 2 * GSI), IOAPIC\n"
"	movl $0, IOAPIC + 0x10\n"
"	sti\n"
	/* 1: ring the doorbell, wait for each interrupt */
"	xor %esi, %esi\n"
"1:	mov $" S(VMM_PORT_DOORBELL) ", %dx\n"
"	out %al, %dx\n"
"	inc %esi\n"
"	mov $(COUNTS + 4 * V_DOORBELL), %ebx\n"
"	call wait_ge\n"
"	cmp $" S(VMM_DOORBELLS) ", %esi\n"
"	jb 1b\n"
	/* report IOREDTBL[GSI] (remote IRR should be clear) */
"	movl $(0x10 + 2 * GSI), IOAPIC\n"
"	mov IOAPIC + 0x10, %eax\n"
"	mov $" S(VMM_PORT_RTE) ", %dx\n"
"	out %eax, %dx\n"
	/* 2: the LAPIC timer, periodic, divide by 1 */
"	movl $0xb, LAPIC + " S(APIC_TDCR) "\n"
"	movl $(V_TIMER | 0x20000), LAPIC + " S(APIC_LVTT) "\n"
"	movl $" S(TIMER_INITIAL) ", LAPIC + " S(APIC_TMICT) "\n"
"	mov $(COUNTS + 4 * V_TIMER), %ebx\n"
"	mov $" S(VMM_TIMER_TICKS) ", %esi\n"
"	call wait_ge\n"
"	movl $(V_TIMER | 0x10000), LAPIC + " S(APIC_LVTT) "\n"
"	movl $0, LAPIC + " S(APIC_TMICT) "\n"
	/* 3: start APIC 1 with INIT and SIPI; it says ready with an IPI */
"	movl $(1 << 24), LAPIC + " S(APIC_ICR2) "\n"
"	movl $0x4500, LAPIC + " S(APIC_ICR) "\n"
"	movl $(1 << 24), LAPIC + " S(APIC_ICR2) "\n"
"	movl $(0x4600 | " S(G_SIPI_VECTOR) "), LAPIC + " S(APIC_ICR) "\n"
"	mov $(COUNTS + 4 * V_READY), %ebx\n"
"	mov $1, %esi\n"
"	call wait_ge\n"
	/* 4: IPI ping-pong: APIC 1's handler answers each ping */
"	xor %esi, %esi\n"
"2:	movl $(1 << 24), LAPIC + " S(APIC_ICR2) "\n"
"	movl $V_IPI, LAPIC + " S(APIC_ICR) "\n"
"	inc %esi\n"
"	mov $(COUNTS + 4 * V_REPLY), %ebx\n"
"	call wait_ge\n"
"	cmp $" S(VMM_IPIS) ", %esi\n"
"	jb 2b\n"
	/* 5: arm the MSI timer device, wait for its last MSI */
"	mov $" S(VMM_PORT_MSI_ARM) ", %dx\n"
"	out %al, %dx\n"
"	mov $(COUNTS + 4 * V_MSI_DONE), %ebx\n"
"	mov $1, %esi\n"
"	call wait_ge\n"
	/* 6: tell APIC 1 to report, report, exit */
"	movl $(1 << 24), LAPIC + " S(APIC_ICR2) "\n"
"	movl $V_FINISH, LAPIC + " S(APIC_ICR) "\n"
"	cli\n"
"	call report\n"
"	mov $" S(VMM_PORT_EXIT) ", %dx\n"
"	out %al, %dx\n"
"3:	hlt\n"
"	jmp 3b\n"
"	.globl vmm_guest_ap\n"
"vmm_guest_ap:\n"
"	movl $0x1ff, LAPIC + 0xf0\n"
"	movl $0, LAPIC + " S(APIC_ICR2) "\n"
"	movl $V_READY, LAPIC + " S(APIC_ICR) "\n"
"	sti\n"
"	mov $(COUNTS + 1024 + 4 * V_FINISH), %ebx\n"
"	mov $1, %esi\n"
"	call wait_ge\n"
"	cli\n"
"	call report\n"
"	mov $" S(VMM_PORT_AP_DONE) ", %dx\n"
"	out %al, %dx\n"
"1:	hlt\n"
"	jmp 1b\n"
/* wait until the dword at %ebx is at least %esi, halting in between */
"wait_ge:\n"
"1:	cli\n"
"	cmp %esi, (%ebx)\n"
"	jae 2f\n"
"	sti\n"
"	hlt\n"
"	jmp 1b\n"
"2:	sti\n"
"	ret\n"
/* report every non-zero count of this CPU: vector << 16 | count */
"report:\n"
"	mov LAPIC + 0x20, %ebx\n"
"	shr $24, %ebx\n"
"	shl $10, %ebx\n"
"	add $COUNTS, %ebx\n"
"	xor %ecx, %ecx\n"
"1:	mov (%ebx, %ecx, 4), %eax\n"
"	test %eax, %eax\n"
"	jz 2f\n"
"	cmp $0xffff, %eax\n"
"	jbe 3f\n"
"	mov $0xffff, %eax\n"
"3:	mov %ecx, %edi\n"
"	shl $16, %edi\n"
"	or %edi, %eax\n"
"	mov $" S(VMM_PORT_REPORT) ", %dx\n"
"	out %eax, %dx\n"
"2:	inc %ecx\n"
"	cmp $256, %ecx\n"
"	jb 1b\n"
"	ret\n"
"isr_common:\n"
"	pushal\n"
"	mov 32(%esp), %ecx\n"
"	cmp $32, %ecx\n"
"	jae 1f\n"
	/* an exception: a bug; tell the VMM and stop */
"	mov %ecx, %eax\n"
"	mov $" S(VMM_PORT_FAULT) ", %dx\n"
"	out %eax, %dx\n"
"0:	cli\n"
"	hlt\n"
"	jmp 0b\n"
"1:	mov LAPIC + 0x20, %eax\n"
"	shr $24, %eax\n"
"	shl $10, %eax\n"
"	incl COUNTS(%eax, %ecx, 4)\n"
"	cmp $V_SPURIOUS, %ecx\n"
"	je 4f\n"
"	cmp $V_DOORBELL, %ecx\n"
"	jne 2f\n"
"	mov $" S(VMM_PORT_DOORBELL_ACK) ", %dx\n"
"	out %al, %dx\n"
"2:	cmp $V_IPI, %ecx\n"
"	jne 3f\n"
"	movl $0, LAPIC + " S(APIC_ICR2) "\n"
"	movl $V_REPLY, LAPIC + " S(APIC_ICR) "\n"
"3:	movl $0, LAPIC + " S(APIC_EOI) "\n"
"4:	popal\n"
"	add $4, %esp\n"
"	iret\n"
"	.balign 16\n"
"	.globl vmm_guest_isr\n"
"vmm_guest_isr:\n"
"	.set vec, 0\n"
"	.rept 256\n"
"	.balign 16\n"
"	pushl $vec\n"
"	jmp isr_common\n"
"	.set vec, vec + 1\n"
"	.endr\n"
"	.globl vmm_guest_end\n"
"vmm_guest_end:\n"
"	.code64\n"
"	.popsection\n");

extern const unsigned char vmm_guest_start[], vmm_guest_bsp[];
extern const unsigned char vmm_guest_ap[], vmm_guest_isr[];
extern const unsigned char vmm_guest_end[];

#define GUEST_ADDR(sym)	(G_CODE + (uint32_t)((sym) - vmm_guest_start))

struct vmm;

/**
 * struct vmm_vcpu - one vCPU: its KVM and virq fds, its threads
 * @m: the VMM
 * @idx: index and APIC id
 * @kvm_fd: KVM vCPU fd
 * @virq_fd: virq vCPU fd
 * @run: the KVM run page
 * @thread: runs KVM_RUN; @poller: kicks it when virq has work for it
 * @lock: protects @in_guest, @kicked and @window; @cond signals changes
 * @in_guest: the thread is in (or about to enter) KVM_RUN
 * @kicked: the poller sent SIGUSR1 during this KVM_RUN
 * @window: this KVM_RUN asked for an interrupt window
 * @woke: how the vCPU last waited for an interrupt (for the narration)
 * @isr: vectors injected and not yet ended, mirrored for the narration
 * @icr2: last ICR2 the guest wrote (for the narration)
 * @told: per vector: 1 once the narration described its injection, 2
 *	once it described its EOI too
 * @told_icr: per vector: the narration described an IPI with it
 */
struct vmm_vcpu {
	struct vmm *m;
	int idx;
	int kvm_fd;
	int virq_fd;
	struct kvm_run *run;
	pthread_t thread, poller;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool in_guest, kicked, window;
	const char *woke;
	uint32_t isr[8];
	uint32_t icr2;
	unsigned char told[256];
	bool told_icr[256];
};

/**
 * struct vmm - the VMM
 * @opts: options; @res: results (the vCPU threads fill their own rows)
 * @kvm, @vm: /dev/kvm and the VM; @virq: the virq instance
 * @mem: guest memory
 * @vcpus: the vCPUs
 * @deadline: CLOCK_MONOTONIC ms at which the run is abandoned
 * @stop: every thread ends
 * @lock: serializes @res->error, the device counters and printing
 * @ioregsel: the last IOREGSEL value written (for the narration)
 * @device: the MSI timer thread; @device_started: it was created
 * @doorbell: the doorbell thread; @rings: rings it has not served yet
 *	(under @lock, @ring_cond signals a new one)
 * @told_ring: the doorbell path was narrated once
 * @story: keeps a device's narration of a line it raises ahead of the
 *	vCPU's narration of the interrupt that follows
 */
struct vmm {
	const struct vmm_opts *opts;
	struct vmm_result *res;
	int kvm, vm, virq;
	unsigned char *mem;
	struct vmm_vcpu vcpus[VMM_NR_VCPUS];
	long long deadline;
	atomic_bool stop;
	pthread_mutex_t lock;
	uint32_t ioregsel;
	pthread_t device;
	bool device_started;
	pthread_t doorbell;
	unsigned int rings;
	pthread_cond_t ring_cond;
	bool told_ring;
	pthread_mutex_t story;
};

static __thread struct kvm_run *vmm_tls_run;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void say(struct vmm *m, const char *fmt, ...)
{
	va_list ap;

	if (!m->opts->narrate)
		return;
	pthread_mutex_lock(&m->lock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	pthread_mutex_unlock(&m->lock);
}

static void kick(struct vmm_vcpu *v)
{
	pthread_mutex_lock(&v->lock);
	if (v->in_guest)
		pthread_kill(v->thread, SIGUSR1);
	pthread_cond_broadcast(&v->cond);
	pthread_mutex_unlock(&v->lock);
}

/* Record the first error, stop every thread. */
static void fail(struct vmm *m, const char *fmt, ...)
{
	va_list ap;
	int i;

	pthread_mutex_lock(&m->lock);
	if (!m->res->error[0]) {
		va_start(ap, fmt);
		vsnprintf(m->res->error, sizeof(m->res->error), fmt, ap);
		va_end(ap);
		fprintf(stderr, "vmm: %s\n", m->res->error);
	}
	pthread_mutex_unlock(&m->lock);
	atomic_store(&m->stop, true);
	for (i = 0; i < VMM_NR_VCPUS; i++)
		if (m->vcpus[i].run)
			kick(&m->vcpus[i]);
}

static bool over(struct vmm *m)
{
	if (atomic_load(&m->stop))
		return true;
	if (now_ms() > m->deadline) {
		fail(m, "timed out after %u ms", m->opts->timeout_ms);
		return true;
	}
	return false;
}

/* --- virq helpers --------------------------------------------------------- */

static int ioapic_state(struct vmm *m, struct virq_x86_ioapic_state *st)
{
	struct virq_attr a = {
		.group = VIRQ_X86_GRP_IOAPIC,
		.addr = (uintptr_t)st,
		.size = sizeof(*st),
	};

	return ioctl(m->virq, VIRQ_GET_ATTR, &a);
}

/* IOREDTBL[pin] and the pin's line level; 0 or -1 */
static int ioapic_pin(struct vmm *m, unsigned int pin, uint64_t *rte,
		      bool *level)
{
	struct virq_x86_ioapic_state st;

	if (ioapic_state(m, &st))
		return -1;
	*rte = st.kvm.redirtbl[pin];
	*level = st.level[pin / 64] >> (pin % 64) & 1;
	return 0;
}

static bool remote_irr(struct vmm *m)
{
	uint64_t rte = 0;
	bool level;

	ioapic_pin(m, VMM_DOORBELL_GSI, &rte, &level);
	return rte & RTE_REMOTE_IRR;
}

static int vmm_line(struct vmm *m, uint32_t gsi, uint32_t op, int *status)
{
	struct virq_irq_line l = { .source = gsi, .op = op };
	int ret = ioctl(m->virq, VIRQ_IRQ_LINE, &l);

	*status = l.status;
	return ret;
}

static int vmm_msi(struct vmm *m, uint32_t addr, uint32_t data, int *status)
{
	struct virq_msi msi = { .address_lo = addr, .data = data };
	int ret = ioctl(m->virq, VIRQ_SIGNAL_MSI, &msi);

	*status = msi.status;
	return ret;
}

static int vcpu_ack(struct vmm_vcpu *v, uint32_t event, uint64_t *id)
{
	struct virq_ack ack = { .event = event };
	int ret = ioctl(v->virq_fd, VIRQ_VCPU_ACK, &ack);

	*id = ack.id;
	return ret;
}

static uint32_t vcpu_lines(struct vmm_vcpu *v)
{
	struct virq_vcpu_output out = { 0 };

	if (ioctl(v->virq_fd, VIRQ_VCPU_GET_OUTPUT, &out)) {
		fail(v->m, "vcpu%d: VIRQ_VCPU_GET_OUTPUT: %s", v->idx,
		     strerror(errno));
		return 0;
	}
	return out.lines;
}

/* --- the MSI timer device ------------------------------------------------- */

static uint32_t injected(struct vmm *m, int cpu, int vec)
{
	return __atomic_load_n(&m->res->injected[cpu][vec], __ATOMIC_ACQUIRE);
}

static void *device_thread(void *arg)
{
	struct vmm *m = arg;
	struct timespec ms = { .tv_nsec = 1000000 };
	int i, status;

	for (i = 0; i < 2 * VMM_MSIS && !over(m); i++) {
		bool ir = i & 1;
		int vec = ir ? VMM_VEC_MSI_IR : VMM_VEC_MSI;
		uint32_t before = injected(m, 1, vec);
		uint32_t addr;

		nanosleep(&ms, NULL);
		if (ir)	/* remappable format, handle in bits 19:5 */
			addr = 0xfee00000 | 1 << 4 | VMM_IRTE_INDEX << 5;
		else	/* compatibility format, physical APIC 1 */
			addr = 0xfee00000 | 1 << 12;
		if (i < 2 && ir)
			say(m, "timer device: MSI address %#x (remappable, handle %d) data 0: IRTE %d gives vector %#x, APIC 1\n",
			    addr, VMM_IRTE_INDEX, VMM_IRTE_INDEX,
			    VMM_VEC_MSI_IR);
		else if (i < 2)
			say(m, "timer device: MSI address %#x (APIC 1) data %#x\n",
			    addr, VMM_VEC_MSI);
		if (vmm_msi(m, addr, ir ? 0 : VMM_VEC_MSI, &status)) {
			fail(m, "VIRQ_SIGNAL_MSI: %s", strerror(errno));
			break;
		}
		pthread_mutex_lock(&m->lock);
		if (ir)
			m->res->msis_ir_sent++;
		else
			m->res->msis_sent++;
		if (status != 1)
			m->res->msi_status_bad++;
		pthread_mutex_unlock(&m->lock);
		/* the next one once vCPU 1 took this one */
		while (injected(m, 1, vec) == before && !over(m))
			nanosleep(&ms, NULL);
	}
	if (!over(m)) {
		say(m, "timer device: done; MSI vector %#x to APIC 0\n",
		    VMM_VEC_MSI_DONE);
		if (vmm_msi(m, 0xfee00000, VMM_VEC_MSI_DONE, &status))
			fail(m, "VIRQ_SIGNAL_MSI: %s", strerror(errno));
	}
	return NULL;
}

/* --- the doorbell device ------------------------------------------------- */

static void *doorbell_thread(void *arg)
{
	struct vmm *m = arg;
	struct timespec ms = { .tv_nsec = 1000000 }, ts;
	int status;

	pthread_mutex_lock(&m->lock);
	while (!atomic_load(&m->stop)) {
		if (!m->rings) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 20000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&m->ring_cond, &m->lock, &ts);
			continue;
		}
		m->rings--;
		pthread_mutex_unlock(&m->lock);
		nanosleep(&ms, NULL);	/* the device works */
		pthread_mutex_lock(&m->story);
		if (vmm_line(m, VMM_DOORBELL_GSI, VIRQ_LINE_SET, &status)) {
			pthread_mutex_unlock(&m->story);
			fail(m, "VIRQ_IRQ_LINE set: %s", strerror(errno));
			return NULL;
		}
		if (!m->told_ring)
			say(m, "doorbell device: GSI %d up (VIRQ_LINE_SET) -> IOAPIC pin %d: status %d (LAPICs reached); remote IRR %d\n",
			    VMM_DOORBELL_GSI, VMM_DOORBELL_GSI, status,
			    remote_irr(m));
		pthread_mutex_unlock(&m->story);
		pthread_mutex_lock(&m->lock);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

/* --- the vCPUs -------------------------------------------------------------- */

static void on_sigusr1(int sig)
{
	(void)sig;
	if (vmm_tls_run)
		vmm_tls_run->immediate_exit = 1;
}

/*
 * Kick the vCPU out of KVM_RUN when virq has something for it, once per
 * KVM_RUN, and not when it waits for an interrupt window anyway.
 */
static void *poller_thread(void *arg)
{
	struct vmm_vcpu *v = arg;
	struct pollfd pfd = { .fd = v->virq_fd, .events = POLLIN | POLLPRI };
	struct timespec ts;
	int r;

	pthread_mutex_lock(&v->lock);
	while (!atomic_load(&v->m->stop)) {
		if (!v->in_guest || v->kicked || v->window) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 20000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&v->cond, &v->lock, &ts);
			continue;
		}
		pthread_mutex_unlock(&v->lock);
		r = poll(&pfd, 1, 20);
		pthread_mutex_lock(&v->lock);
		if (r > 0 && v->in_guest && !v->kicked && !v->window) {
			v->kicked = true;
			v->woke = "kicked out of KVM_RUN by its poller";
			pthread_kill(v->thread, SIGUSR1);
		}
	}
	pthread_mutex_unlock(&v->lock);
	return NULL;
}

/* Inject what virq has for the vCPU, or ask for an interrupt window. */
static int inject(struct vmm_vcpu *v)
{
	struct vmm *m = v->m;
	struct kvm_run *run = v->run;
	struct kvm_interrupt irq;
	uint32_t lines = vcpu_lines(v);
	uint64_t vec;

	if (lines & VIRQ_OUT_NMI) {
		if (vcpu_ack(v, VIRQ_OUT_NMI, &vec) ||
		    ioctl(v->kvm_fd, KVM_NMI)) {
			fail(m, "vcpu%d: NMI: %s", v->idx, strerror(errno));
			return -1;
		}
		say(m, "vcpu%d: NMI: VIRQ_VCPU_ACK, KVM_NMI\n", v->idx);
	}
	if (lines & (VIRQ_OUT_EVENTS & ~VIRQ_OUT_NMI)) {
		fail(m, "vcpu%d: unexpected event lines %#x", v->idx, lines);
		return -1;
	}
	run->request_interrupt_window = 0;
	if (!(lines & VIRQ_OUT_INT))
		return 0;
	if (!run->ready_for_interrupt_injection) {
		run->request_interrupt_window = 1;
		return 0;
	}
	if (vcpu_ack(v, 0, &vec)) {
		fail(m, "vcpu%d: VIRQ_VCPU_ACK: %s", v->idx, strerror(errno));
		return -1;
	}
	irq.irq = vec;
	if (ioctl(v->kvm_fd, KVM_INTERRUPT, &irq)) {
		fail(m, "vcpu%d: KVM_INTERRUPT: %s", v->idx, strerror(errno));
		return -1;
	}
	__atomic_add_fetch(&m->res->injected[v->idx][vec & 0xff], 1,
			   __ATOMIC_RELEASE);
	v->isr[vec / 32 & 7] |= 1U << (vec % 32);
	if (!v->told[vec & 0xff]) {
		v->told[vec & 0xff] = 1;
		pthread_mutex_lock(&m->story);
		say(m, "vcpu%d: %s; VIRQ_VCPU_ACK returned vector %#llx -> KVM_INTERRUPT(%#llx)\n",
		    v->idx, v->woke ? v->woke : "virq has an interrupt for it",
		    (unsigned long long)vec, (unsigned long long)vec);
		pthread_mutex_unlock(&m->story);
	}
	v->woke = NULL;
	/* something of higher priority may still wait */
	if (vcpu_lines(v) & VIRQ_OUT_INT)
		run->request_interrupt_window = 1;
	return 0;
}

static void narrate_eoi(struct vmm_vcpu *v, bool irr_before)
{
	struct vmm *m = v->m;
	int i, vec = -1;

	for (i = 255; i >= 0; i--)
		if (v->isr[i / 32] & 1U << (i % 32)) {
			vec = i;
			v->isr[i / 32] &= ~(1U << (i % 32));
			break;
		}
	if (vec < 0 || !v->told[vec] || v->told[vec] == 2)
		return;
	if (vec == VMM_VEC_DOORBELL)
		say(m, "vcpu%d: EOI (vector %#x) forwarded to virq: IOREDTBL[%d] remote IRR %d -> %d\n",
		    v->idx, vec, VMM_DOORBELL_GSI, irr_before, remote_irr(m));
	else
		say(m, "vcpu%d: EOI (vector %#x) forwarded to virq\n",
		    v->idx, vec);
	v->told[vec] = 2;
}

static void narrate_mmio(struct vmm_vcpu *v, uint64_t addr, uint32_t val)
{
	struct vmm *m = v->m;
	uint32_t off = addr - LAPIC_BASE, dm, vec;

	if (addr == IOAPIC_BASE) {
		m->ioregsel = val;
		return;
	}
	if (addr == IOAPIC_BASE + 0x10 && m->ioregsel >= 0x10 &&
	    m->ioregsel < 0x40) {
		if (m->ioregsel & 1)
			say(m, "vcpu%d: guest writes IOREDTBL[%u] high: destination APIC %u\n",
			    v->idx, (m->ioregsel - 0x10) / 2, val >> 24);
		else
			say(m, "vcpu%d: guest writes IOREDTBL[%u] low: vector %#x, %s, %s\n",
			    v->idx, (m->ioregsel - 0x10) / 2, val & 0xff,
			    val & RTE_LEVEL ? "level" : "edge",
			    val & RTE_MASKED ? "masked" : "unmasked");
		return;
	}
	switch (off) {
	case APIC_ICR2:
		v->icr2 = val;
		break;
	case APIC_ICR:
		dm = val >> 8 & 7;
		vec = val & 0xff;
		if (dm == 5)
			say(m, "vcpu%d: ICR: INIT to APIC %u\n", v->idx,
			    v->icr2 >> 24);
		else if (dm == 6)
			say(m, "vcpu%d: ICR: SIPI vector %#x to APIC %u\n",
			    v->idx, vec, v->icr2 >> 24);
		else if (!v->told_icr[vec])
			say(m, "vcpu%d: ICR: IPI vector %#x to APIC %u\n",
			    v->idx, vec, v->icr2 >> 24);
		v->told_icr[vec] = true;
		break;
	case APIC_LVTT:
		say(m, "vcpu%d: LVTT = %#x (%s, vector %#x)\n", v->idx, val,
		    val & RTE_MASKED ? "masked" :
		    val & 0x20000 ? "periodic" : "one-shot", val & 0xff);
		break;
	case APIC_TMICT:
		if (val)
			say(m, "vcpu%d: TMICT = %u: virq's hrtimer, every %u ns\n",
			    v->idx, val, val);
		else
			say(m, "vcpu%d: TMICT = 0: timer stopped\n", v->idx);
		break;
	}
}

static int handle_mmio(struct vmm_vcpu *v)
{
	struct vmm *m = v->m;
	struct kvm_run *run = v->run;
	uint64_t addr = run->mmio.phys_addr;
	struct virq_access a = {
		.space = VIRQ_SPACE_MMIO,
		.flags = run->mmio.is_write ? VIRQ_ACCESS_WRITE : 0,
		.addr = addr,
		.len = run->mmio.len,
	};
	bool eoi = run->mmio.is_write && addr == LAPIC_BASE + APIC_EOI;
	bool irr_before = false;

	if (!(addr >= LAPIC_BASE && addr < LAPIC_BASE + MMIO_WINDOW) &&
	    !(addr >= IOAPIC_BASE && addr < IOAPIC_BASE + MMIO_WINDOW)) {
		fail(m, "vcpu%d: MMIO %s at %#llx outside the LAPIC and IOAPIC",
		     v->idx, run->mmio.is_write ? "write" : "read",
		     (unsigned long long)addr);
		return -1;
	}
	if (a.len > 8) {
		fail(m, "vcpu%d: MMIO of %u bytes", v->idx, a.len);
		return -1;
	}
	if (run->mmio.is_write)
		memcpy(&a.data, run->mmio.data, a.len);
	if (eoi && m->opts->narrate)
		irr_before = remote_irr(m);
	else if (run->mmio.is_write && m->opts->narrate)
		narrate_mmio(v, addr, a.data);
	if (ioctl(v->virq_fd, VIRQ_VCPU_ACCESS, &a)) {
		fail(m, "vcpu%d: VIRQ_VCPU_ACCESS %s %#llx len %u: %s", v->idx,
		     run->mmio.is_write ? "write" : "read",
		     (unsigned long long)addr, a.len, strerror(errno));
		return -1;
	}
	if (!run->mmio.is_write) {
		memcpy(run->mmio.data, &a.data, a.len);
		return 0;
	}
	if (eoi)
		narrate_eoi(v, irr_before);
	return 0;
}

/* 1: this vCPU is done; -1: failure */
static int handle_io(struct vmm_vcpu *v)
{
	struct vmm *m = v->m;
	struct kvm_run *run = v->run;
	struct vmm_result *res = m->res;
	uint32_t val = 0;
	int status;

	if (run->io.direction != KVM_EXIT_IO_OUT || run->io.count != 1 ||
	    run->io.size > 4) {
		fail(m, "vcpu%d: unexpected I/O at port %#x", v->idx,
		     run->io.port);
		return -1;
	}
	memcpy(&val, (char *)run + run->io.data_offset, run->io.size);
	switch (run->io.port) {
	case VMM_PORT_REPORT:
		res->guest_count[v->idx][val >> 16 & 0xff] = val & 0xffff;
		return 0;
	case VMM_PORT_RTE:
		res->guest_rte_lo = val;
		say(m, "vcpu%d: guest reads IOREDTBL[%d] = %#x: remote IRR %s\n",
		    v->idx, VMM_DOORBELL_GSI, val,
		    val & RTE_REMOTE_IRR ? "set" : "clear");
		return 0;
	case VMM_PORT_DOORBELL:
		if (!m->told_ring)
			say(m, "vcpu%d: guest rings the doorbell, then halts\n",
			    v->idx);
		pthread_mutex_lock(&m->lock);
		res->rings++;
		m->rings++;
		pthread_cond_signal(&m->ring_cond);
		pthread_mutex_unlock(&m->lock);
		return 0;
	case VMM_PORT_DOORBELL_ACK:
		if (vmm_line(m, VMM_DOORBELL_GSI, VIRQ_LINE_RESET, &status)) {
			fail(m, "VIRQ_IRQ_LINE reset: %s", strerror(errno));
			return -1;
		}
		pthread_mutex_lock(&m->lock);
		res->device_acks++;
		pthread_mutex_unlock(&m->lock);
		if (!m->told_ring)
			say(m, "vcpu%d: handler acknowledges the doorbell: GSI %d down (VIRQ_LINE_RESET)\n",
			    v->idx, VMM_DOORBELL_GSI);
		m->told_ring = true;
		return 0;
	case VMM_PORT_MSI_ARM:
		if (m->device_started) {
			fail(m, "timer device armed twice");
			return -1;
		}
		say(m, "vcpu%d: guest arms the MSI timer device\n", v->idx);
		if (pthread_create(&m->device, NULL, device_thread, m)) {
			fail(m, "pthread_create failed");
			return -1;
		}
		m->device_started = true;
		return 0;
	case VMM_PORT_EXIT:
		if (v->idx != 0)
			break;
		res->guest_reported[0] = true;
		res->exited = true;
		say(m, "vcpu0: guest reported and wrote the exit port\n");
		return 1;
	case VMM_PORT_AP_DONE:
		if (v->idx != 1)
			break;
		res->guest_reported[1] = true;
		say(m, "vcpu1: guest reported and stopped\n");
		return 1;
	case VMM_PORT_FAULT:
		fail(m, "vcpu%d: guest exception %u", v->idx, val);
		return -1;
	}
	fail(m, "vcpu%d: OUT %#x to unknown port %#x", v->idx, val,
	     run->io.port);
	return -1;
}

static int wait_halted(struct vmm_vcpu *v)
{
	struct pollfd pfd = { .fd = v->virq_fd, .events = POLLIN | POLLPRI };
	int r;

	while (!over(v->m)) {
		r = poll(&pfd, 1, 50);
		if (r < 0 && errno != EINTR) {
			fail(v->m, "poll: %s", strerror(errno));
			return -1;
		}
		if (r > 0) {
			v->woke = pfd.revents & POLLPRI ?
				"halted, poll() woke with EPOLLPRI" :
				"halted, poll() woke with EPOLLIN";
			return 0;
		}
	}
	return -1;
}

static int set_entry(struct vmm_vcpu *v, uint32_t eip, uint32_t esp)
{
	struct kvm_regs regs = { 0 };

	regs.rip = eip;
	regs.rsp = esp;
	regs.rflags = 2;
	return ioctl(v->kvm_fd, KVM_SET_REGS, &regs);
}

/* vCPU 1: wait for INIT, then SIPI, through virq's event lines */
static int wait_sipi(struct vmm_vcpu *v)
{
	struct vmm *m = v->m;
	struct pollfd pfd = { .fd = v->virq_fd, .events = POLLPRI };
	uint32_t lines;
	uint64_t id;

	while (!over(m)) {
		poll(&pfd, 1, 50);
		lines = vcpu_lines(v);
		if (lines & VIRQ_OUT_INIT) {
			if (vcpu_ack(v, VIRQ_OUT_INIT, &id)) {
				fail(m, "ACK INIT: %s", strerror(errno));
				return -1;
			}
			say(m, "vcpu1: poll() woke with EPOLLPRI: INIT; VIRQ_VCPU_ACK(INIT): wait-for-SIPI\n");
			continue;
		}
		if (!(lines & VIRQ_OUT_SIPI))
			continue;
		if (vcpu_ack(v, VIRQ_OUT_SIPI, &id)) {
			fail(m, "ACK SIPI: %s", strerror(errno));
			return -1;
		}
		m->res->sipi_vector = id;
		if (id != G_SIPI_VECTOR) {
			fail(m, "SIPI vector %#llx, not %#x",
			     (unsigned long long)id, G_SIPI_VECTOR);
			return -1;
		}
		say(m, "vcpu1: SIPI vector %#llx: start at page %#llx (the VMM enters protected mode for it)\n",
		    (unsigned long long)id, (unsigned long long)id << 12);
		if (set_entry(v, GUEST_ADDR(vmm_guest_ap), G_STACK1)) {
			fail(m, "KVM_SET_REGS: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	return -1;
}

static int handle_exit(struct vmm_vcpu *v)
{
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_HLT:
		return wait_halted(v);
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return 0;
	case KVM_EXIT_MMIO:
		return handle_mmio(v);
	case KVM_EXIT_IO:
		return handle_io(v);
	case KVM_EXIT_INTR:
		return 0;
	}
	fail(v->m, "vcpu%d: exit reason %u (hardware reason %#llx)", v->idx,
	     run->exit_reason,
	     (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	return -1;
}

static void *vcpu_thread(void *arg)
{
	struct vmm_vcpu *v = arg;
	struct vmm *m = v->m;
	int r, err;

	vmm_tls_run = v->run;
	if (v->idx && wait_sipi(v))
		return NULL;
	while (!over(m)) {
		if (inject(v))
			break;
		pthread_mutex_lock(&v->lock);
		v->in_guest = true;
		v->kicked = false;
		v->window = v->run->request_interrupt_window;
		pthread_cond_broadcast(&v->cond);
		pthread_mutex_unlock(&v->lock);

		r = ioctl(v->kvm_fd, KVM_RUN, 0);
		err = errno;

		pthread_mutex_lock(&v->lock);
		v->in_guest = false;
		pthread_mutex_unlock(&v->lock);
		v->run->immediate_exit = 0;
		if (r < 0) {
			if (err == EINTR || err == EAGAIN)
				continue;
			fail(m, "vcpu%d: KVM_RUN: %s", v->idx, strerror(err));
			break;
		}
		if (handle_exit(v))
			break;
	}
	return NULL;
}

/* --- setup ------------------------------------------------------------------ */

static int open_virq(struct vmm *m)
{
	struct virq_x86_options o = {
		.flags = VIRQ_X86_OPT_NO_PIC,
		.nr_irtes = 64,
	};
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_X86,
		.nr_vcpus = VMM_NR_VCPUS,
		.nr_sources = VIRQ_X86_IOAPIC_DEFAULT_PINS,
		.options = (uintptr_t)&o,
		.options_size = sizeof(o),
	};
	struct virq_x86_irte irte = {
		.lo = VIRQ_X86_IRTE_PRESENT |
		      (uint64_t)VMM_VEC_MSI_IR << VIRQ_X86_IRTE_VECTOR_SHIFT |
		      1ULL << VIRQ_X86_IRTE_DEST_SHIFT,
	};
	struct virq_attr a = {
		.group = VIRQ_X86_GRP_IRTE,
		.attr = VMM_IRTE_INDEX,
		.addr = (uintptr_t)&irte,
		.size = sizeof(irte),
	};
	struct virq_vcpu_create vc = { 0 };
	int i;

	if (ioctl(m->virq, VIRQ_CREATE_CHIP, &cfg)) {
		fail(m, "VIRQ_CREATE_CHIP: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < VMM_NR_VCPUS; i++) {
		vc.index = i;
		vc.arch_id = i;
		m->vcpus[i].virq_fd = ioctl(m->virq, VIRQ_CREATE_VCPU, &vc);
		if (m->vcpus[i].virq_fd < 0) {
			fail(m, "VIRQ_CREATE_VCPU: %s", strerror(errno));
			return -1;
		}
	}
	if (ioctl(m->virq, VIRQ_SET_ATTR, &a)) {
		fail(m, "VIRQ_SET_ATTR IRTE: %s", strerror(errno));
		return -1;
	}
	say(m, "virq: x86 chip without PIC: IOAPIC at %#llx, LAPICs for APIC ids 0 and 1, 64 IRTEs\n",
	    (unsigned long long)IOAPIC_BASE);
	say(m, "virq: IRTE %d = vector %#x, fixed, physical APIC 1\n",
	    VMM_IRTE_INDEX, VMM_VEC_MSI_IR);
	return 0;
}

static void build_memory(struct vmm *m)
{
	uint64_t *gdt = (uint64_t *)(m->mem + G_GDT);
	uint32_t *idt = (uint32_t *)(m->mem + G_IDT);
	uint32_t isr = GUEST_ADDR(vmm_guest_isr);
	int i;

	gdt[0] = 0;
	gdt[1] = 0x00cf9a000000ffffULL;	/* 0x08: flat 32-bit code */
	gdt[2] = 0x00cf92000000ffffULL;	/* 0x10: flat data */
	for (i = 0; i < 256; i++) {	/* 32-bit interrupt gates */
		uint32_t h = isr + 16 * i;

		idt[2 * i] = 0x08 << 16 | (h & 0xffff);
		idt[2 * i + 1] = (h & 0xffff0000) | 0x8e00;
	}
	memcpy(m->mem + G_CODE, vmm_guest_start,
	       vmm_guest_end - vmm_guest_start);
}

static int setup_vcpu(struct vmm *m, int i, size_t run_size)
{
	struct vmm_vcpu *v = &m->vcpus[i];
	struct kvm_segment cs = {
		.base = 0, .limit = 0xffffffff, .selector = 0x08, .type = 11,
		.present = 1, .db = 1, .s = 1, .g = 1,
	};
	struct kvm_segment ds = cs;
	struct kvm_sregs sregs;

	v->m = m;
	v->idx = i;
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->cond, NULL);
	v->kvm_fd = ioctl(m->vm, KVM_CREATE_VCPU, i);
	if (v->kvm_fd < 0)
		return -1;
	v->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->kvm_fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return -1;
	}
	if (ioctl(v->kvm_fd, KVM_GET_SREGS, &sregs))
		return -1;
	ds.selector = 0x10;
	ds.type = 3;
	sregs.cs = cs;
	sregs.ds = ds;
	sregs.es = ds;
	sregs.fs = ds;
	sregs.gs = ds;
	sregs.ss = ds;
	sregs.gdt.base = G_GDT;
	sregs.gdt.limit = 3 * 8 - 1;
	sregs.idt.base = G_IDT;
	sregs.idt.limit = 256 * 8 - 1;
	sregs.cr0 = (sregs.cr0 & ~0x60000000ULL) | 1;	/* PE, caches on */
	if (ioctl(v->kvm_fd, KVM_SET_SREGS, &sregs))
		return -1;
	if (i == 0)
		return set_entry(v, GUEST_ADDR(vmm_guest_bsp), G_STACK0);
	return 0;
}

static int open_kvm(struct vmm *m)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = G_MEM_SIZE,
	};
	int size, i;

	if (ioctl(m->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION ||
	    ioctl(m->kvm, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0) {
		fail(m, "KVM API version or immediate_exit missing");
		return -1;
	}
	m->vm = ioctl(m->kvm, KVM_CREATE_VM, 0);
	if (m->vm < 0) {
		fail(m, "KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	m->mem = mmap(NULL, G_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m->mem == MAP_FAILED) {
		m->mem = NULL;
		fail(m, "mmap: %s", strerror(errno));
		return -1;
	}
	region.userspace_addr = (uintptr_t)m->mem;
	if (ioctl(m->vm, KVM_SET_USER_MEMORY_REGION, &region)) {
		fail(m, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		return -1;
	}
	build_memory(m);
	size = ioctl(m->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	for (i = 0; i < VMM_NR_VCPUS; i++) {
		if (size <= 0 || setup_vcpu(m, i, size)) {
			fail(m, "vCPU %d setup: %s", i, strerror(errno));
			return -1;
		}
	}
	say(m, "kvm: VM without KVM_CREATE_IRQCHIP, %d KiB at 0, vCPU 0 in 32-bit protected mode at %#x; vCPU 1 waits for INIT and SIPI\n",
	    G_MEM_SIZE / 1024, GUEST_ADDR(vmm_guest_bsp));
	return 0;
}

/* The end state, read from virq */
static void read_end_state(struct vmm *m)
{
	struct virq_x86_lapic_state *ls;
	struct virq_x86_ir_fault f = { 0 };
	struct virq_attr a = {
		.group = VIRQ_X86_GRP_IR_FAULT,
		.addr = (uintptr_t)&f,
		.size = sizeof(f),
	};
	uint64_t rte = 0;
	bool level = false;
	int i, j;

	if (ioapic_pin(m, VMM_DOORBELL_GSI, &rte, &level))
		fail(m, "VIRQ_GET_ATTR IOAPIC: %s", strerror(errno));
	m->res->remote_irr_end = rte & RTE_REMOTE_IRR;
	m->res->line_end = level;
	if (ioctl(m->virq, VIRQ_GET_ATTR, &a))
		fail(m, "VIRQ_GET_ATTR IR_FAULT: %s", strerror(errno));
	m->res->ir_faults = f.count;

	ls = calloc(1, sizeof(*ls));
	if (!ls)
		return;
	for (i = 0; i < VMM_NR_VCPUS; i++) {
		a.group = VIRQ_X86_VGRP_LAPIC;
		a.addr = (uintptr_t)ls;
		a.size = sizeof(*ls);
		if (ioctl(m->vcpus[i].virq_fd, VIRQ_VCPU_GET_ATTR, &a)) {
			fail(m, "VIRQ_VCPU_GET_ATTR LAPIC: %s",
			     strerror(errno));
			break;
		}
		for (j = 0; j < 8; j++) {
			uint32_t isr, irr;

			memcpy(&isr, ls->regs + APIC_ISR + 16 * j, 4);
			memcpy(&irr, ls->regs + APIC_IRR + 16 * j, 4);
			if (isr || irr)
				m->res->lapic_busy_end = true;
		}
	}
	free(ls);
}

static bool x86_family(int fd)
{
	struct virq_api api = { 0 };

	return !ioctl(fd, VIRQ_GET_API, &api) &&
	       (api.families & 1ULL << VIRQ_FAMILY_X86);
}

int vmm_run(const struct vmm_opts *opts, struct vmm_result *res)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct vmm *m;
	int i, ret = VMM_FAIL;

	memset(res, 0, sizeof(*res));
	res->sipi_vector = -1;
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(res->error, sizeof(res->error), "out of memory");
		return VMM_FAIL;
	}
	m->opts = opts;
	m->res = res;
	m->vm = -1;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->ring_cond, NULL);
	pthread_mutex_init(&m->story, NULL);
	m->deadline = now_ms() + opts->timeout_ms;
	m->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	m->virq = open("/dev/virq", O_RDWR | O_CLOEXEC);
	if (m->kvm < 0 || m->virq < 0 || !x86_family(m->virq)) {
		snprintf(res->error, sizeof(res->error),
			 "no /dev/kvm or no /dev/virq with the x86 family");
		ret = VMM_SKIP;
		goto out;
	}
	sigaction(SIGUSR1, &sa, NULL);
	if (open_virq(m) || open_kvm(m))
		goto out_close;
	if (pthread_create(&m->doorbell, NULL, doorbell_thread, m)) {
		fail(m, "pthread_create failed");
		goto out_close;
	}

	for (i = 0; i < VMM_NR_VCPUS; i++) {
		struct vmm_vcpu *v = &m->vcpus[i];

		if (pthread_create(&v->thread, NULL, vcpu_thread, v) ||
		    pthread_create(&v->poller, NULL, poller_thread, v)) {
			fail(m, "pthread_create failed");
			/* the threads created so far see m->stop */
			break;
		}
	}
	/* vCPU 0 ends at the exit port, vCPU 1 at its done port */
	for (i = 0; i < VMM_NR_VCPUS; i++)
		if (m->vcpus[i].thread)
			pthread_join(m->vcpus[i].thread, NULL);
	atomic_store(&m->stop, true);
	for (i = 0; i < VMM_NR_VCPUS; i++) {
		pthread_cond_broadcast(&m->vcpus[i].cond);
		if (m->vcpus[i].poller)
			pthread_join(m->vcpus[i].poller, NULL);
	}
	if (m->device_started)
		pthread_join(m->device, NULL);
	pthread_cond_broadcast(&m->ring_cond);
	pthread_join(m->doorbell, NULL);
	read_end_state(m);
	if (!res->error[0])
		ret = VMM_OK;

out_close:
	for (i = 0; i < VMM_NR_VCPUS; i++) {
		if (m->vcpus[i].run)
			munmap(m->vcpus[i].run,
			       ioctl(m->kvm, KVM_GET_VCPU_MMAP_SIZE, 0));
		if (m->vcpus[i].kvm_fd > 0)
			close(m->vcpus[i].kvm_fd);
		if (m->vcpus[i].virq_fd > 0)
			close(m->vcpus[i].virq_fd);
	}
	if (m->mem)
		munmap(m->mem, G_MEM_SIZE);
	if (m->vm >= 0)
		close(m->vm);
out:
	if (m->kvm >= 0)
		close(m->kvm);
	if (m->virq >= 0)
		close(m->virq);
	free(m);
	return ret;
}

/* What the guest program should have seen; the count of problems */
int vmm_check(const struct vmm_result *r, FILE *log)
{
	static const struct {
		int cpu, vec;
		unsigned int min, max;
	} want[] = {
		{ 0, VMM_VEC_DOORBELL, VMM_DOORBELLS, VMM_DOORBELLS },
		{ 0, VMM_VEC_TIMER, VMM_TIMER_TICKS, 0xffff },
		{ 0, VMM_VEC_AP_READY, 1, 1 },
		{ 0, VMM_VEC_IPI_REPLY, VMM_IPIS, VMM_IPIS },
		{ 0, VMM_VEC_MSI_DONE, 1, 1 },
		{ 1, VMM_VEC_IPI, VMM_IPIS, VMM_IPIS },
		{ 1, VMM_VEC_FINISH, 1, 1 },
		{ 1, VMM_VEC_MSI, VMM_MSIS, VMM_MSIS },
		{ 1, VMM_VEC_MSI_IR, VMM_MSIS, VMM_MSIS },
	};
	int bad = 0, cpu, vec;
	unsigned int i;

#define CHECK(cond, ...)					\
	do {							\
		if (!(cond)) {					\
			bad++;					\
			if (log)				\
				fprintf(log, "check: " __VA_ARGS__); \
		}						\
	} while (0)

	CHECK(!r->error[0], "error: %s\n", r->error);
	CHECK(r->exited, "the guest did not exit\n");
	for (cpu = 0; cpu < VMM_NR_VCPUS; cpu++) {
		CHECK(r->guest_reported[cpu], "vcpu%d did not report\n", cpu);
		for (vec = 0; vec < 256; vec++) {
			unsigned int min = 0, max = 0;

			for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
				if (want[i].cpu == cpu && want[i].vec == vec) {
					min = want[i].min;
					max = want[i].max;
				}
			CHECK(r->guest_count[cpu][vec] >= min &&
			      r->guest_count[cpu][vec] <= max,
			      "vcpu%d vector %#x: guest counted %u, want %u..%u\n",
			      cpu, vec, r->guest_count[cpu][vec], min, max);
			CHECK(r->injected[cpu][vec] == r->guest_count[cpu][vec],
			      "vcpu%d vector %#x: injected %u, guest counted %u\n",
			      cpu, vec, r->injected[cpu][vec],
			      r->guest_count[cpu][vec]);
		}
	}
	CHECK(r->rings == VMM_DOORBELLS && r->device_acks == VMM_DOORBELLS,
	      "doorbell rings %u, acks %u\n", r->rings, r->device_acks);
	CHECK(!(r->guest_rte_lo & RTE_REMOTE_IRR) &&
	      (r->guest_rte_lo & 0xff) == VMM_VEC_DOORBELL,
	      "guest read IOREDTBL low %#x\n", r->guest_rte_lo);
	CHECK(r->sipi_vector == G_SIPI_VECTOR, "SIPI vector %d\n",
	      r->sipi_vector);
	CHECK(r->msis_sent == VMM_MSIS && r->msis_ir_sent == VMM_MSIS &&
	      !r->msi_status_bad, "MSIs sent %u + %u remapped, %u not 1\n",
	      r->msis_sent, r->msis_ir_sent, r->msi_status_bad);
	CHECK(!r->remote_irr_end && !r->line_end,
	      "doorbell pin at the end: remote IRR %d, line %d\n",
	      r->remote_irr_end, r->line_end);
	CHECK(!r->lapic_busy_end, "a LAPIC has IRR or ISR bits at the end\n");
	CHECK(!r->ir_faults, "%llu remapping faults\n",
	      (unsigned long long)r->ir_faults);
#undef CHECK
	return bad;
}
