// SPDX-License-Identifier: GPL-2.0
/*
 * Differential check of virq's x86 models against KVM's in-kernel
 * irqchip (arch/x86/kvm/ioapic.c, i8259.c, lapic.c), side by side in one
 * process.
 *
 * Each test runs a scripted sequence of steps against both.  On KVM's
 * side a step is KVM_IRQ_LINE_STATUS, KVM_SIGNAL_MSI, or a few bytes of
 * guest code on a vCPU in flat 32-bit protected mode: an MMIO, port or
 * MSR access (register writes and reads, EOIs; KVM's in-kernel devices
 * take them without leaving the kernel) or an interrupt window (sti; nop;
 * nop; cli) in which KVM delivers what its LAPIC or PIC presents, through
 * an IDT whose handlers report their vector on an I/O port (a #GP shows
 * as vector 13).  On virq's side
 * the same step is VIRQ_IRQ_LINE, VIRQ_SIGNAL_MSI, VIRQ_VCPU_ACCESS or
 * VIRQ_VCPU_ACK.  After every step the test compares the step's result
 * (status, value read, vector taken) and the whole state: the IOAPIC
 * (KVM_GET_IRQCHIP against struct virq_x86_ioapic_state.kvm), both PICs
 * (struct virq_x86_pic_state.pics[]), every LAPIC register and
 * IA32_APIC_BASE (KVM_GET_LAPIC, KVM_GET_SREGS against struct
 * virq_x86_lapic_state).
 *
 * A difference either is listed in allow_list[] below, with the reason
 * and a check that it is that difference and no other, or fails the
 * test.  The reference is the architecture (Intel SDM vol. 3 chapter 11,
 * the 82093AA IOAPIC and 8259A datasheets); KVM has quirks of its own,
 * and virq documents its choices in the header comments of the model
 * files in virq/x86/.
 * Documentation/userspace-api/virq/devices/x86-kvm-diff.rst lists them.
 *
 * Runs in the project's guest booted with tools/vm/run.sh --kvm-ref (a
 * /dev/kvm with an in-kernel irqchip); skips without /dev/kvm or without
 * /dev/virq's x86 family.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/virq.h>

#include <kselftest_harness.h>

#if defined(__x86_64__)

#include <linux/kvm.h>

#define NR_VCPUS	2
#define NR_GSIS		24
#define NR_PINS		24

#define LAPIC		0xfee00000U
#define IOAPIC		0xfec00000U
#define IOWIN		(IOAPIC + 0x10)
#define IOEOI		(IOAPIC + 0x40)

/* LAPIC registers (SDM table 11-1) */
#define APIC_ID		0x020
#define APIC_LVR	0x030
#define APIC_TPR	0x080
#define APIC_APR	0x090
#define APIC_PPR	0x0a0
#define APIC_EOI	0x0b0
#define APIC_LDR	0x0d0
#define APIC_DFR	0x0e0
#define APIC_SVR	0x0f0
#define APIC_ISR	0x100
#define APIC_TMR	0x180
#define APIC_IRR	0x200
#define APIC_ESR	0x280
#define APIC_ICR	0x300
#define APIC_ICR2	0x310
#define APIC_LVTT	0x320
#define APIC_LVTTHMR	0x330
#define APIC_LVTPC	0x340
#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_LVTERR	0x370
#define APIC_TDCR	0x3e0

/* IOAPIC redirection entry */
#define RTE_VECTOR	0xffULL
#define RTE_DM		(7ULL << 8)
#define RTE_LOGICAL	(1ULL << 11)
#define RTE_DELIVS	(1ULL << 12)
#define RTE_LOW		(1ULL << 13)
#define RTE_REMOTE_IRR	(1ULL << 14)
#define RTE_LEVEL	(1ULL << 15)
#define RTE_MASKED	(1ULL << 16)
#define RTE_RESERVED	(((1ULL << 48) - 1) & ~((1ULL << 17) - 1))
#define RTE_DEST(d)	((__u64)(d) << 56)

/* MSI address and data (SDM 11.11) */
#define MSI_ADDR(dest)	(0xfee00000U | (dest) << 12)
#define MSI_LOGICAL	(1U << 2)
#define MSI_LEVEL	(1U << 15)
#define MSI_ASSERT	(1U << 14)
#define MSI_LOWEST	(1U << 8)

/* INTA result when no interrupt was taken */
#define NO_IRQ		0x100

/* Guest memory: code, GDT, IDT and handler stubs, stack */
#define MEM_SIZE	0x10000
#define GDT		0x0800
#define CODE		0x1000
#define IDT		0x2000
#define STUBS		0x3000
#define STACK_TOP	0x9000
#define PORT_DONE	0xe0	/* a snippet ended */
#define PORT_IRQ	0xe1	/* a handler ran; AL = vector */

/* Snippets at CODE + offset; each ends with out PORT_DONE, al */
#define SN_W32		0x00	/* mov [ebx], eax */
#define SN_R32		0x10	/* mov eax, [ebx] */
#define SN_OUTB		0x20	/* out dx, al */
#define SN_INB		0x30	/* in al, dx */
#define SN_INTA		0x40	/* sti; nop; nop; cli */
#define SN_WRMSR	0x50	/* mov ecx, ebx; wrmsr */
#define SN_RDMSR	0x60	/* mov ecx, ebx; rdmsr */

#define MSR_APIC_BASE	0x1b
#define MSR_X2APIC(off)	(0x800 + ((off) >> 4))
#define GP_FAULT	(1ULL << 63 | 13)	/* an MSR access raised #GP */

#define KVM_RUN_SECONDS	10
#define MAX_DIFFS	512
#define MAX_PRINTED	64	/* unallowed differences printed per test */

struct kside {
	int kvm;
	int vm;
	int vcpu[NR_VCPUS];
	struct kvm_run *run[NR_VCPUS];
	size_t run_size;
	__u8 *mem;
};

struct vside {
	int fd;
	int vcpu[NR_VCPUS];
};

/* Everything compared, in one layout for both sides */
struct snap {
	struct virq_x86_kvm_ioapic ioapic;
	struct virq_x86_kvm_pic pic[2];
	__u64 apic_base[NR_VCPUS];
	__u8 regs[NR_VCPUS][1024];
	/* virq only: IOAPIC lines high, and the GSIs' source words */
	__u64 level;
	__u64 src[NR_GSIS];
};

enum op_kind {
	OP_RESET,	/* the state after creation */
	OP_LINE,	/* KVM_IRQ_LINE_STATUS / VIRQ_IRQ_LINE */
	OP_PULSE,	/* level 1 then 0 / VIRQ_LINE_EDGE */
	OP_MSI,		/* KVM_SIGNAL_MSI / VIRQ_SIGNAL_MSI */
	OP_MMIO_W,
	OP_MMIO_R,
	OP_PIO_W,
	OP_PIO_R,
	OP_INTA,	/* interrupt window / VIRQ_VCPU_ACK */
	OP_MSR_W,	/* wrmsr / VIRQ_SPACE_MSR */
	OP_MSR_R,	/* rdmsr / VIRQ_SPACE_MSR */
};

struct op {
	enum op_kind kind;
	int cpu;
	__u32 addr;	/* MMIO address, port, GSI, MSI address */
	__u64 val;	/* value written, level, MSI data */
	char desc[80];
};

enum diff_kind { D_IOAPIC, D_RTE, D_PIC, D_LAPIC, D_BASE, D_RESULT };

struct diff {
	enum diff_kind kind;
	int idx;	/* RTE pin, PIC chip, LAPIC vCPU */
	__u32 reg;	/* LAPIC offset, PIC field offset */
	__u64 kvm;
	__u64 virq;
	__u64 xor_before;	/* how the field differed before the step */
	char field[32];
};

struct dt;

/*
 * One documented difference: @field (fnmatch() pattern) may differ when
 * @ok says the values are the ones the reason explains.
 */
struct allow {
	const char *name;
	const char *field;
	bool (*ok)(const struct dt *t, const struct diff *d);
	const char *reason;
};

struct dt {
	struct kside k;
	struct vside v;
	struct snap kb, vb;	/* before the step */
	struct snap kn, vn;	/* after it */
	struct op op;
	int step;
	int bad;		/* unallowed differences */
	int allowed;		/* allowed differences */
	int printed;
	__u64 shown;		/* allow rules reported in this test */
	/* KVM: the value the previous MMIO read on each vCPU returned */
	__u64 kread_prev[NR_VCPUS];
	__u64 kread_last[NR_VCPUS];
	int nr_diffs;
	struct diff diffs[MAX_DIFFS];
};

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static __u32 reg32(const __u8 *regs, __u32 off)
{
	__u32 v;

	memcpy(&v, regs + off, sizeof(v));
	return v;
}

static bool vec_test(const __u8 *regs, __u32 base, __u8 vec)
{
	return reg32(regs, base + (vec >> 5) * 0x10) & (1U << (vec & 31));
}

static int highest_vec(const __u8 *regs, __u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		__u32 w = reg32(regs, base + i * 0x10);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

/* --- KVM's side ------------------------------------------------------- */

static const __u64 guest_gdt[] = {
	0,
	0x00cf9a000000ffffULL,	/* 0x08: code, flat 4 GiB, 32-bit */
	0x00cf92000000ffffULL,	/* 0x10: data, flat 4 GiB */
};

struct snippet {
	__u16 off;
	__u8 len;
	__u8 code[7];
};

static const struct snippet snippets[] = {
	{ SN_W32, 4, { 0x89, 0x03, 0xe6, PORT_DONE } },
	{ SN_R32, 4, { 0x8b, 0x03, 0xe6, PORT_DONE } },
	{ SN_OUTB, 3, { 0xee, 0xe6, PORT_DONE } },
	{ SN_INB, 3, { 0xec, 0xe6, PORT_DONE } },
	{ SN_INTA, 6, { 0xfb, 0x90, 0x90, 0xfa, 0xe6, PORT_DONE } },
	{ SN_WRMSR, 6, { 0x89, 0xd9, 0x0f, 0x30, 0xe6, PORT_DONE } },
	{ SN_RDMSR, 6, { 0x89, 0xd9, 0x0f, 0x32, 0xe6, PORT_DONE } },
};

/* GDT, snippets, and an IDT whose handler v does: mov al, v; out; jmp $ */
static void guest_image(__u8 *mem)
{
	unsigned int i, v;

	memcpy(mem + GDT, guest_gdt, sizeof(guest_gdt));
	for (i = 0; i < sizeof(snippets) / sizeof(snippets[0]); i++)
		memcpy(mem + CODE + snippets[i].off, snippets[i].code,
		       snippets[i].len);
	for (v = 0; v < 256; v++) {
		__u32 h = STUBS + v * 8;
		__u64 gate = (h & 0xffff) | 0x08ULL << 16 |
			     0x8e00ULL << 32 | (__u64)(h >> 16) << 48;
		__u8 stub[6] = { 0xb0, v, 0xe6, PORT_IRQ, 0xeb, 0xfe };

		memcpy(mem + IDT + v * 8, &gate, sizeof(gate));
		memcpy(mem + h, stub, sizeof(stub));
	}
}

/*
 * The CPUID KVM supports, as a VMM gives it (KVM derives the LVTT timer
 * modes from it)
 */
static int kvm_set_cpuid(struct kside *k, int i)
{
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[100];
	} cpuid = { .c.nent = 100 };

	if (ioctl(k->kvm, KVM_GET_SUPPORTED_CPUID, &cpuid))
		return -1;
	return ioctl(k->vcpu[i], KVM_SET_CPUID2, &cpuid);
}

static int kvm_vcpu_setup(struct kside *k, int i)
{
	struct kvm_segment cs = {
		.limit = 0xffffffff, .selector = 0x08, .type = 0xb,
		.present = 1, .db = 1, .s = 1, .g = 1,
	};
	struct kvm_segment ds = cs;
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct kvm_sregs s;

	ds.selector = 0x10;
	ds.type = 0x3;
	if (kvm_set_cpuid(k, i) || ioctl(k->vcpu[i], KVM_GET_SREGS, &s))
		return -1;
	s.cs = cs;
	s.ds = ds;
	s.es = ds;
	s.fs = ds;
	s.gs = ds;
	s.ss = ds;
	s.cr0 |= 1;	/* PE */
	s.gdt.base = GDT;
	s.gdt.limit = sizeof(guest_gdt) - 1;
	s.idt.base = IDT;
	s.idt.limit = 256 * 8 - 1;
	if (ioctl(k->vcpu[i], KVM_SET_SREGS, &s))
		return -1;
	/* An AP waits for INIT/SIPI with an in-kernel LAPIC: start it. */
	return i ? ioctl(k->vcpu[i], KVM_SET_MP_STATE, &mp) : 0;
}

static void on_alarm(int sig)
{
}

/* 0: ready; 1: no usable /dev/kvm (skip); -1: failed (@why says) */
static int kside_open(struct kside *k, char *why, size_t len)
{
	struct kvm_userspace_memory_region mr = {
		.memory_size = MEM_SIZE,
	};
	/* 32-bit x2APIC ids in KVM_GET_LAPIC, the layout virq saves */
	struct kvm_enable_cap x2apic_api = {
		.cap = KVM_CAP_X2APIC_API,
		.args[0] = KVM_X2APIC_API_USE_32BIT_IDS,
	};
	struct sigaction sa = { .sa_handler = on_alarm };
	int i, r;

	for (i = 0; i < NR_VCPUS; i++)
		k->vcpu[i] = -1;
	k->vm = -1;
	k->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (k->kvm < 0) {
		snprintf(why, len, "no /dev/kvm (boot with --kvm-ref)");
		return 1;
	}
	if (ioctl(k->kvm, KVM_GET_API_VERSION, NULL) != KVM_API_VERSION ||
	    ioctl(k->kvm, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) <= 0 ||
	    ioctl(k->kvm, KVM_CHECK_EXTENSION, KVM_CAP_SIGNAL_MSI) <= 0 ||
	    ioctl(k->kvm, KVM_CHECK_EXTENSION,
		  KVM_CAP_IRQ_INJECT_STATUS) <= 0) {
		snprintf(why, len, "/dev/kvm lacks the in-kernel irqchip");
		return 1;
	}
	sigaction(SIGALRM, &sa, NULL);

	k->vm = ioctl(k->kvm, KVM_CREATE_VM, 0);
	if (k->vm < 0) {
		snprintf(why, len, "KVM_CREATE_VM: %s", strerror(errno));
		return 1;
	}
	k->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (k->mem == MAP_FAILED) {
		k->mem = NULL;
		snprintf(why, len, "mmap: %s", strerror(errno));
		return -1;
	}
	guest_image(k->mem);
	mr.userspace_addr = (__u64)(uintptr_t)k->mem;
	if (ioctl(k->vm, KVM_SET_USER_MEMORY_REGION, &mr) ||
	    ioctl(k->vm, KVM_CREATE_IRQCHIP, 0) ||
	    ioctl(k->vm, KVM_ENABLE_CAP, &x2apic_api)) {
		snprintf(why, len, "memory/irqchip: %s", strerror(errno));
		return -1;
	}
	r = ioctl(k->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0) {
		snprintf(why, len, "KVM_GET_VCPU_MMAP_SIZE: %s",
			 strerror(errno));
		return -1;
	}
	k->run_size = r;
	for (i = 0; i < NR_VCPUS; i++) {
		k->vcpu[i] = ioctl(k->vm, KVM_CREATE_VCPU, i);
		if (k->vcpu[i] < 0) {
			snprintf(why, len, "KVM_CREATE_VCPU: %s",
				 strerror(errno));
			return -1;
		}
		k->run[i] = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, k->vcpu[i], 0);
		if (k->run[i] == MAP_FAILED) {
			k->run[i] = NULL;
			snprintf(why, len, "mmap kvm_run: %s", strerror(errno));
			return -1;
		}
		if (kvm_vcpu_setup(k, i)) {
			snprintf(why, len, "vCPU setup: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void kside_close(struct kside *k)
{
	int i;

	for (i = 0; i < NR_VCPUS; i++) {
		if (k->run[i])
			munmap(k->run[i], k->run_size);
		if (k->vcpu[i] >= 0)
			close(k->vcpu[i]);
	}
	if (k->vm >= 0)
		close(k->vm);
	if (k->mem)
		munmap(k->mem, MEM_SIZE);
	if (k->kvm >= 0)
		close(k->kvm);
}

/*
 * Run snippet @sn on vCPU @cpu with EAX, EBX, EDX set, interrupts off.
 * Return: PORT_DONE (*@out = EDX:EAX) or PORT_IRQ (*@out = the vector a
 * handler reported), or -1.  Every KVM_RUN is bounded by an alarm.
 */
static int kvm_exec(struct kside *k, int cpu, __u32 sn, __u32 eax,
		    __u32 ebx, __u32 edx, __u64 *out)
{
	struct kvm_regs r = {
		.rip = CODE + sn, .rflags = 2, .rsp = STACK_TOP,
		.rax = eax, .rbx = ebx, .rdx = edx,
	};
	struct kvm_run *run = k->run[cpu];
	int i, ret;

	if (ioctl(k->vcpu[cpu], KVM_SET_REGS, &r)) {
		note("KVM_SET_REGS: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < 4; i++) {
		alarm(KVM_RUN_SECONDS);
		ret = ioctl(k->vcpu[cpu], KVM_RUN, NULL);
		alarm(0);
		if (ret) {
			note("KVM_RUN: %s", strerror(errno));
			return -1;
		}
		if (run->exit_reason == KVM_EXIT_IO &&
		    run->io.direction == KVM_EXIT_IO_OUT &&
		    (run->io.port == PORT_DONE || run->io.port == PORT_IRQ)) {
			__u8 al = *((__u8 *)run + run->io.data_offset);

			if (run->io.port == PORT_IRQ) {
				*out = al;
				return PORT_IRQ;
			}
			if (ioctl(k->vcpu[cpu], KVM_GET_REGS, &r)) {
				note("KVM_GET_REGS: %s", strerror(errno));
				return -1;
			}
			*out = (r.rdx & 0xffffffffULL) << 32 | (__u32)r.rax;
			return PORT_DONE;
		}
		note("unexpected KVM exit %u (io port %#x, mmio %#llx)",
		     run->exit_reason, run->io.port,
		     (unsigned long long)run->mmio.phys_addr);
		return -1;
	}
	return -1;
}

static int kvm_snap(struct kside *k, struct snap *s)
{
	struct kvm_irqchip chip;
	struct kvm_lapic_state ls;
	struct kvm_sregs sr;
	int i;

	_Static_assert(sizeof(struct kvm_ioapic_state) ==
		       sizeof(struct virq_x86_kvm_ioapic), "ioapic layout");
	_Static_assert(sizeof(struct kvm_pic_state) ==
		       sizeof(struct virq_x86_kvm_pic), "pic layout");
	_Static_assert(sizeof(ls.regs) == sizeof(s->regs[0]), "lapic");

	memset(s, 0, sizeof(*s));
	memset(&chip, 0xcc, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_IOAPIC;
	if (ioctl(k->vm, KVM_GET_IRQCHIP, &chip))
		return -1;
	memcpy(&s->ioapic, &chip.chip.ioapic, sizeof(s->ioapic));
	for (i = 0; i < 2; i++) {
		memset(&chip, 0xcc, sizeof(chip));
		chip.chip_id = i ? KVM_IRQCHIP_PIC_SLAVE :
				   KVM_IRQCHIP_PIC_MASTER;
		if (ioctl(k->vm, KVM_GET_IRQCHIP, &chip))
			return -1;
		memcpy(&s->pic[i], &chip.chip.pic, sizeof(s->pic[i]));
	}
	for (i = 0; i < NR_VCPUS; i++) {
		memset(&ls, 0xcc, sizeof(ls));
		if (ioctl(k->vcpu[i], KVM_GET_LAPIC, &ls) ||
		    ioctl(k->vcpu[i], KVM_GET_SREGS, &sr))
			return -1;
		memcpy(s->regs[i], ls.regs, sizeof(s->regs[i]));
		s->apic_base[i] = sr.apic_base;
	}
	return 0;
}

/* --- virq's side ------------------------------------------------------ */

static bool have_virq_x86(void)
{
	struct virq_api api = { 0 };
	int fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = !ioctl(fd, VIRQ_GET_API, &api) &&
	     (api.families & (1ULL << VIRQ_FAMILY_X86));
	close(fd);
	return ok;
}

/* KVM_CREATE_IRQCHIP's equivalent: PIC pair, one 24-pin IOAPIC */
static int vside_open(struct vside *v)
{
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_X86,
		.nr_vcpus = NR_VCPUS,
		.nr_sources = NR_GSIS,
	};
	int i;

	for (i = 0; i < NR_VCPUS; i++)
		v->vcpu[i] = -1;
	v->fd = open("/dev/virq", O_RDWR | O_CLOEXEC);
	if (v->fd < 0 || ioctl(v->fd, VIRQ_CREATE_CHIP, &cfg))
		return -1;
	for (i = 0; i < NR_VCPUS; i++) {
		struct virq_vcpu_create vc = { .index = i, .arch_id = i };

		v->vcpu[i] = ioctl(v->fd, VIRQ_CREATE_VCPU, &vc);
		if (v->vcpu[i] < 0)
			return -1;
	}
	return 0;
}

static void vside_close(struct vside *v)
{
	int i;

	for (i = 0; i < NR_VCPUS; i++)
		if (v->vcpu[i] >= 0)
			close(v->vcpu[i]);
	if (v->fd >= 0)
		close(v->fd);
}

static int virq_get_attr(int fd, unsigned long cmd, __u32 group, void *p,
			 __u32 size)
{
	struct virq_attr a = {
		.group = group, .addr = (__u64)(uintptr_t)p, .size = size,
	};

	memset(p, 0xcc, size);
	return ioctl(fd, cmd, &a);
}

static int virq_snap(struct vside *v, struct snap *s)
{
	static struct virq_x86_ioapic_state io;
	struct virq_x86_lapic_state ls;
	struct virq_x86_pic_state pic;
	struct virq_sources src = {
		.count = NR_GSIS,
		.addr = (__u64)(uintptr_t)s->src,
	};
	int i;

	memset(s, 0, sizeof(*s));
	if (virq_get_attr(v->fd, VIRQ_GET_ATTR, VIRQ_X86_GRP_IOAPIC, &io,
			  sizeof(io)) ||
	    virq_get_attr(v->fd, VIRQ_GET_ATTR, VIRQ_X86_GRP_PIC, &pic,
			  sizeof(pic)) ||
	    ioctl(v->fd, VIRQ_GET_SOURCES, &src))
		return -1;
	memcpy(&s->ioapic, &io.kvm, sizeof(s->ioapic));
	memcpy(s->pic, pic.pics, sizeof(s->pic));
	s->level = io.level[0];
	for (i = 0; i < NR_VCPUS; i++) {
		if (virq_get_attr(v->vcpu[i], VIRQ_VCPU_GET_ATTR,
				  VIRQ_X86_VGRP_LAPIC, &ls, sizeof(ls)))
			return -1;
		memcpy(s->regs[i], ls.regs, sizeof(s->regs[i]));
		s->apic_base[i] = ls.apic_base;
	}
	return 0;
}

static int virq_access(struct vside *v, int cpu, __u32 space, __u64 addr,
		       bool write, __u64 *data)
{
	struct virq_access a = {
		.space = space, .addr = addr,
		.len = space == VIRQ_SPACE_PIO ? 1 : 4,
		.flags = write ? VIRQ_ACCESS_WRITE : 0,
		.data = write ? *data : 0,
	};

	if (ioctl(v->vcpu[cpu], VIRQ_VCPU_ACCESS, &a))
		return -1;
	if (!write)
		*data = a.data;
	return 0;
}

/* 0, or -1 when the access raises #GP (EINVAL) */
static int virq_msr(struct vside *v, int cpu, __u32 msr, bool write,
		    __u64 *data)
{
	struct virq_access a = {
		.space = VIRQ_SPACE_MSR, .addr = msr, .len = 8,
		.flags = write ? VIRQ_ACCESS_WRITE : 0,
		.data = write ? *data : 0,
	};

	if (ioctl(v->vcpu[cpu], VIRQ_VCPU_ACCESS, &a))
		return -1;
	if (!write)
		*data = a.data;
	return 0;
}

/* The vector the vCPU takes now, as KVM orders it: ExtINT, then LAPIC */
static int virq_inta(struct vside *v, int cpu, __u64 *vec)
{
	struct virq_vcpu_output out = { 0 };
	struct virq_ack ack = { 0 };

	if (ioctl(v->vcpu[cpu], VIRQ_VCPU_GET_OUTPUT, &out))
		return -1;
	if (out.lines & VIRQ_OUT_EXTINT) {
		ack.event = VIRQ_OUT_EXTINT;
	} else if (!(out.lines & VIRQ_OUT_INT)) {
		*vec = NO_IRQ;
		return 0;
	}
	if (ioctl(v->vcpu[cpu], VIRQ_VCPU_ACK, &ack))
		return -1;
	*vec = ack.id;
	return 0;
}

/* --- comparison --------------------------------------------------------- */

static const char * const pic_fields[16] = {
	"last_irr", "irr", "imr", "isr", "priority_add", "irq_base",
	"read_reg_select", "poll", "special_mask", "init_state",
	"auto_eoi", "rotate_on_auto_eoi", "special_fully_nested_mode",
	"init4", "elcr", "elcr_mask",
};

static void lapic_reg_name(__u32 off, char *buf, size_t len)
{
	static const struct { __u32 off; const char *name; } names[] = {
		{ APIC_ID, "ID" }, { APIC_LVR, "LVR" }, { APIC_TPR, "TPR" },
		{ APIC_APR, "APR" }, { APIC_PPR, "PPR" }, { APIC_EOI, "EOI" },
		{ 0x0c0, "RRD" }, { APIC_LDR, "LDR" }, { APIC_DFR, "DFR" },
		{ APIC_SVR, "SVR" }, { APIC_ESR, "ESR" },
		{ 0x2f0, "LVTCMCI" }, { APIC_ICR, "ICR" },
		{ APIC_ICR2, "ICR2" }, { APIC_LVTT, "LVTT" },
		{ APIC_LVTTHMR, "LVTTHMR" }, { APIC_LVTPC, "LVTPC" },
		{ APIC_LVT0, "LVT0" }, { APIC_LVT1, "LVT1" },
		{ APIC_LVTERR, "LVTERR" }, { 0x380, "TMICT" },
		{ 0x390, "TMCCT" }, { APIC_TDCR, "TDCR" },
		{ 0x3f0, "SELF_IPI" },
	};
	unsigned int i;

	if (off >= APIC_ISR && off < APIC_ESR) {
		snprintf(buf, len, "%s%u",
			 off < APIC_TMR ? "ISR" : off < APIC_IRR ? "TMR" : "IRR",
			 (off & 0x7f) >> 4);
		return;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].off == off) {
			snprintf(buf, len, "%s", names[i].name);
			return;
		}
	}
	snprintf(buf, len, "slot%03x", off);
}

/*
 * Record that @k (KVM) and @v (virq) differ, unless they differed in the
 * same bits before the step (@kb, @vb): a difference is judged when it
 * appears or changes, not again at every later step that leaves it be.
 */
static void add_diff(struct dt *t, enum diff_kind kind, int idx, __u32 reg,
		     __u64 k, __u64 v, __u64 kb, __u64 vb, const char *name)
{
	struct diff *d;

	if (k == v || (k ^ v) == (kb ^ vb) || t->nr_diffs >= MAX_DIFFS)
		return;
	d = &t->diffs[t->nr_diffs++];
	d->kind = kind;
	d->idx = idx;
	d->reg = reg;
	d->kvm = k;
	d->virq = v;
	d->xor_before = kb ^ vb;
	snprintf(d->field, sizeof(d->field), "%s", name);
}

/* The @size-byte field at @off of a snapshot (little-endian host) */
static __u64 snap_field(const struct snap *s, size_t off, size_t size)
{
	__u64 v = 0;

	memcpy(&v, (const char *)s + off, size);
	return v;
}

static void cmp_field(struct dt *t, enum diff_kind kind, int idx, __u32 reg,
		      size_t off, size_t size, const char *name)
{
	add_diff(t, kind, idx, reg, snap_field(&t->kn, off, size),
		 snap_field(&t->vn, off, size), snap_field(&t->kb, off, size),
		 snap_field(&t->vb, off, size), name);
}

#define SNAP_OFF(member)	offsetof(struct snap, member)

static void compare_snaps(struct dt *t)
{
	char name[32];
	int i, j;

	cmp_field(t, D_IOAPIC, 0, 0, SNAP_OFF(ioapic.base_address), 8,
		  "ioapic.base_address");
	cmp_field(t, D_IOAPIC, 0, 0, SNAP_OFF(ioapic.ioregsel), 4,
		  "ioapic.ioregsel");
	cmp_field(t, D_IOAPIC, 0, 0, SNAP_OFF(ioapic.id), 4, "ioapic.id");
	cmp_field(t, D_IOAPIC, 0, 0, SNAP_OFF(ioapic.irr), 4, "ioapic.irr");
	for (i = 0; i < NR_PINS; i++) {
		snprintf(name, sizeof(name), "ioapic.rte[%02d]", i);
		cmp_field(t, D_RTE, i, 0, SNAP_OFF(ioapic.redirtbl[i]), 8,
			  name);
	}
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 16; j++) {
			snprintf(name, sizeof(name), "pic.%s.%s",
				 i ? "slave" : "master", pic_fields[j]);
			cmp_field(t, D_PIC, i, j, SNAP_OFF(pic[i]) + j, 1,
				  name);
		}
	}
	for (i = 0; i < NR_VCPUS; i++) {
		snprintf(name, sizeof(name), "lapic%d.apic_base", i);
		cmp_field(t, D_BASE, i, 0, SNAP_OFF(apic_base[i]), 8, name);
		for (j = 0; j < 1024; j += 16) {
			char reg[16];

			lapic_reg_name(j, reg, sizeof(reg));
			snprintf(name, sizeof(name), "lapic%d.%s", i, reg);
			cmp_field(t, D_LAPIC, i, j, SNAP_OFF(regs[i]) + j, 4,
				  name);
		}
	}
}

static void print_value(char *buf, size_t len, const struct diff *d,
			__u64 val)
{
	if (d->kind == D_RESULT && !strcmp(d->field, "status"))
		snprintf(buf, len, "%d", (int)val);
	else if (d->kind == D_RESULT && !strcmp(d->field, "inta") &&
		 val == NO_IRQ)
		snprintf(buf, len, "none");
	else if (d->kind == D_RESULT && val == GP_FAULT)
		snprintf(buf, len, "#GP");
	else
		snprintf(buf, len, "%#llx", (unsigned long long)val);
}

/* The names of the redirection entry fields that differ */
static void rte_fields(const struct diff *d, char *buf, size_t len)
{
	static const struct { __u64 mask; const char *name; } f[] = {
		{ RTE_VECTOR, "vector" }, { RTE_DM, "delivery_mode" },
		{ RTE_LOGICAL, "dest_mode" }, { RTE_DELIVS, "delivery_status" },
		{ RTE_LOW, "polarity" }, { RTE_REMOTE_IRR, "remote_irr" },
		{ RTE_LEVEL, "trig_mode" }, { RTE_MASKED, "mask" },
		{ RTE_RESERVED, "reserved 47:17" },
		{ 0xffULL << 48, "bits 55:48" }, { 0xffULL << 56, "dest" },
	};
	__u64 x = d->kvm ^ d->virq;
	size_t n = 0;
	unsigned int i;

	buf[0] = 0;
	for (i = 0; i < sizeof(f) / sizeof(f[0]) && n < len; i++)
		if (x & f[i].mask)
			n += snprintf(buf + n, len - n, "%s%s", n ? ", " : " (",
				      f[i].name);
	if (n && n < len)
		snprintf(buf + n, len - n, ")");
}

static void print_diff(const struct dt *t, const struct diff *d,
		       const char *what)
{
	char kv[24], vv[24], extra[96] = "";

	print_value(kv, sizeof(kv), d, d->kvm);
	print_value(vv, sizeof(vv), d, d->virq);
	if (d->kind == D_RTE)
		rte_fields(d, extra, sizeof(extra));
	note("  step %d [%s] %s %s: kvm %s virq %s%s", t->step, t->op.desc,
	     what, d->field, kv, vv, extra);
}

static const struct allow allow_list[];
static const unsigned int nr_allow;

static void judge(struct dt *t)
{
	int i;
	unsigned int r;

	for (i = 0; i < t->nr_diffs; i++) {
		const struct diff *d = &t->diffs[i];

		for (r = 0; r < nr_allow; r++) {
			const struct allow *a = &allow_list[r];

			if (!fnmatch(a->field, d->field, 0) && a->ok(t, d))
				break;
		}
		if (r < nr_allow) {
			t->allowed++;
			if (t->shown & (1ULL << r))
				continue;
			t->shown |= 1ULL << r;
			print_diff(t, d, "allowed");
			note("    [%s] %s", allow_list[r].name,
			     allow_list[r].reason);
			continue;
		}
		t->bad++;
		if (t->printed++ < MAX_PRINTED)
			print_diff(t, d, "DIFF");
	}
	if (t->nr_diffs >= MAX_DIFFS) {
		t->bad++;
		note("  step %d: too many differences", t->step);
	}
}

/* --- steps ---------------------------------------------------------------- */

static void machinery_failed(struct dt *t, const char *what)
{
	t->bad++;
	note("  step %d [%s]: %s failed: %s", t->step, t->op.desc, what,
	     strerror(errno));
}

/* Run @t->op on both sides, then compare results and states. */
static void run_step(struct dt *t)
{
	const struct op *op = &t->op;
	__u64 kres = 0, vres = 0, d;
	struct kvm_irq_level lv;
	int port;
	__u64 out;
	bool result = true;

	t->kb = t->kn;
	t->vb = t->vn;
	t->nr_diffs = 0;
	t->step++;

	switch (op->kind) {
	case OP_RESET:
		result = false;
		break;
	case OP_LINE:
	case OP_PULSE: {
		struct virq_irq_line l = {
			.source = op->addr,
			.op = op->kind == OP_PULSE ? VIRQ_LINE_EDGE :
			      op->val ? VIRQ_LINE_SET : VIRQ_LINE_RESET,
		};

		lv.irq = op->addr;
		lv.level = op->kind == OP_PULSE || op->val;
		if (ioctl(t->k.vm, KVM_IRQ_LINE_STATUS, &lv))
			machinery_failed(t, "KVM_IRQ_LINE_STATUS");
		kres = (__u64)(__s64)lv.status;
		if (op->kind == OP_PULSE) {
			lv.irq = op->addr;
			lv.level = 0;
			if (ioctl(t->k.vm, KVM_IRQ_LINE_STATUS, &lv))
				machinery_failed(t, "KVM_IRQ_LINE_STATUS");
		}
		if (ioctl(t->v.fd, VIRQ_IRQ_LINE, &l))
			machinery_failed(t, "VIRQ_IRQ_LINE");
		vres = (__u64)(__s64)l.status;
		/*
		 * A line going low delivers nothing: KVM reports 1 (or the
		 * PIC's -1 for a masked pin), virq 0 by definition.  Not
		 * compared.
		 */
		result = lv.level || op->kind == OP_PULSE;
		break;
	}
	case OP_MSI: {
		struct kvm_msi km = { .address_lo = op->addr, .data = op->val };
		struct virq_msi vm = { .address_lo = op->addr,
				       .data = op->val };
		int r = ioctl(t->k.vm, KVM_SIGNAL_MSI, &km);

		kres = (__u64)(__s64)(r < 0 ? -1 : r);
		if (ioctl(t->v.fd, VIRQ_SIGNAL_MSI, &vm))
			machinery_failed(t, "VIRQ_SIGNAL_MSI");
		vres = (__u64)(__s64)vm.status;
		break;
	}
	case OP_MMIO_W:
	case OP_PIO_W:
		port = kvm_exec(&t->k, op->cpu,
				op->kind == OP_MMIO_W ? SN_W32 : SN_OUTB,
				op->val, op->addr, op->addr, &out);
		if (port != PORT_DONE)
			machinery_failed(t, "guest write");
		d = op->val;
		if (virq_access(&t->v, op->cpu, op->kind == OP_MMIO_W ?
				VIRQ_SPACE_MMIO : VIRQ_SPACE_PIO,
				op->addr, true, &d))
			machinery_failed(t, "VIRQ_VCPU_ACCESS");
		result = false;
		break;
	case OP_MMIO_R:
	case OP_PIO_R:
		port = kvm_exec(&t->k, op->cpu,
				op->kind == OP_MMIO_R ? SN_R32 : SN_INB,
				0, op->addr, op->addr, &out);
		if (port != PORT_DONE)
			machinery_failed(t, "guest read");
		kres = op->kind == OP_MMIO_R ? (__u32)out : (out & 0xff);
		if (op->kind == OP_MMIO_R) {
			t->kread_prev[op->cpu] = t->kread_last[op->cpu];
			t->kread_last[op->cpu] = kres;
		}
		if (virq_access(&t->v, op->cpu, op->kind == OP_MMIO_R ?
				VIRQ_SPACE_MMIO : VIRQ_SPACE_PIO,
				op->addr, false, &vres))
			machinery_failed(t, "VIRQ_VCPU_ACCESS");
		break;
	case OP_INTA:
		port = kvm_exec(&t->k, op->cpu, SN_INTA, 0, 0, 0, &out);
		if (port < 0)
			machinery_failed(t, "guest interrupt window");
		kres = port == PORT_IRQ ? out : NO_IRQ;
		if (virq_inta(&t->v, op->cpu, &vres))
			machinery_failed(t, "VIRQ_VCPU_ACK");
		break;
	case OP_MSR_W:
	case OP_MSR_R:
		port = kvm_exec(&t->k, op->cpu, op->kind == OP_MSR_W ?
				SN_WRMSR : SN_RDMSR, (__u32)op->val, op->addr,
				op->val >> 32, &out);
		if (port < 0)
			machinery_failed(t, "guest MSR access");
		/* #GP reaches the guest's vector 13 handler */
		if (port == PORT_IRQ)
			kres = out == 13 ? GP_FAULT : 1ULL << 62 | out;
		else
			kres = op->kind == OP_MSR_W ? 0 : out;
		d = op->val;
		if (virq_msr(&t->v, op->cpu, op->addr, op->kind == OP_MSR_W,
			     &d))
			vres = GP_FAULT;
		else
			vres = op->kind == OP_MSR_W ? 0 : d;
		break;
	}

	if (kvm_snap(&t->k, &t->kn))
		machinery_failed(t, "KVM state");
	if (virq_snap(&t->v, &t->vn))
		machinery_failed(t, "virq state");

	/* A step's result is always judged */
	if (result)
		add_diff(t, D_RESULT, op->cpu, 0, kres, vres, 0, 0,
			 op->kind == OP_INTA ? "inta" :
			 op->kind == OP_MSR_W ? "wrmsr" :
			 op->kind == OP_MSR_R ? "rdmsr" :
			 op->kind == OP_MMIO_R || op->kind == OP_PIO_R ?
			 "read" : "status");
	compare_snaps(t);
	judge(t);
}

static void step(struct dt *t, enum op_kind kind, int cpu, __u32 addr,
		 __u64 val, const char *fmt, ...)
{
	va_list ap;

	t->op.kind = kind;
	t->op.cpu = cpu;
	t->op.addr = addr;
	t->op.val = val;
	va_start(ap, fmt);
	vsnprintf(t->op.desc, sizeof(t->op.desc), fmt, ap);
	va_end(ap);
	run_step(t);
}

static void line(struct dt *t, __u32 gsi, int level)
{
	step(t, OP_LINE, 0, gsi, level, "gsi %u level %d", gsi, level);
}

static void line_pulse(struct dt *t, __u32 gsi)
{
	step(t, OP_PULSE, 0, gsi, 1, "gsi %u pulse", gsi);
}

static void send_msi(struct dt *t, __u32 addr, __u32 data)
{
	step(t, OP_MSI, 0, addr, data, "msi %#x data %#x", addr, data);
}

static void mmio_w(struct dt *t, int cpu, __u32 addr, __u32 val)
{
	step(t, OP_MMIO_W, cpu, addr, val, "cpu%d write %#x = %#x", cpu, addr,
	     val);
}

static void mmio_r(struct dt *t, int cpu, __u32 addr)
{
	step(t, OP_MMIO_R, cpu, addr, 0, "cpu%d read %#x", cpu, addr);
}

static void pio_w(struct dt *t, __u16 port, __u8 val)
{
	step(t, OP_PIO_W, 0, port, val, "outb %#x, %#04x", port, val);
}

static void pio_r(struct dt *t, __u16 port)
{
	step(t, OP_PIO_R, 0, port, 0, "inb %#x", port);
}

static void inta(struct dt *t, int cpu)
{
	step(t, OP_INTA, cpu, 0, 0, "cpu%d interrupt window", cpu);
}

static void guest_wrmsr(struct dt *t, int cpu, __u32 msr, __u64 val)
{
	step(t, OP_MSR_W, cpu, msr, val, "cpu%d wrmsr %#x = %#llx", cpu, msr,
	     (unsigned long long)val);
}

static void guest_rdmsr(struct dt *t, int cpu, __u32 msr)
{
	step(t, OP_MSR_R, cpu, msr, 0, "cpu%d rdmsr %#x", cpu, msr);
}

static void apic_w(struct dt *t, int cpu, __u32 reg, __u32 val)
{
	mmio_w(t, cpu, LAPIC + reg, val);
}

static void apic_r(struct dt *t, int cpu, __u32 reg)
{
	mmio_r(t, cpu, LAPIC + reg);
}

static void eoi(struct dt *t, int cpu)
{
	apic_w(t, cpu, APIC_EOI, 0);
}

/* Software-enable a LAPIC, spurious vector 0xff */
static void sw_enable(struct dt *t, int cpu)
{
	apic_w(t, cpu, APIC_SVR, 0x1ff);
}

static void ioregsel(struct dt *t, __u32 reg)
{
	mmio_w(t, 0, IOAPIC, reg);
}

/* High half first, so that an unmask sends to the new destination */
static void rte_w(struct dt *t, int pin, __u64 rte)
{
	ioregsel(t, 0x11 + 2 * pin);
	mmio_w(t, 0, IOWIN, rte >> 32);
	ioregsel(t, 0x10 + 2 * pin);
	mmio_w(t, 0, IOWIN, (__u32)rte);
}

/* The PC's initialisation: master at @base, slave at @base + 8 */
static void pic_init(struct dt *t, __u8 base, __u8 icw4)
{
	pio_w(t, 0x20, 0x11);
	pio_w(t, 0x21, base);
	pio_w(t, 0x21, 0x04);
	pio_w(t, 0x21, icw4);
	pio_w(t, 0xa0, 0x11);
	pio_w(t, 0xa1, base + 8);
	pio_w(t, 0xa1, 0x02);
	pio_w(t, 0xa1, icw4);
}

/* LINT0 as ExtINT on vCPU 0, so that the PIC reaches it */
static void extint_on(struct dt *t)
{
	sw_enable(t, 0);
	apic_w(t, 0, APIC_LVT0, 0x700);
}

/* --- the allow-list ------------------------------------------------------ */

#define ICR_MASK	0xccfffU	/* vector, mode, dest mode, level, sh */
#define LVT_RO_BITS	((1U << 12) | (1U << 14))	/* delivs, remote IRR */

static __u32 lreg(const struct snap *s, int cpu, __u32 off)
{
	return reg32(s->regs[cpu], off);
}

static bool is_result(const struct diff *d, const char *what)
{
	return d->kind == D_RESULT && !strcmp(d->field, what);
}

static bool is_lapic(const struct diff *d, __u32 off)
{
	return d->kind == D_LAPIC && d->reg == off;
}

/* The LAPIC register word of vector @v, and its bit */
static __u32 vec_word(__u32 base, __u8 v)
{
	return base + (v >> 5) * 0x10;
}

/* The step made @d differ in @bit alone, which the side named has */
static bool only_bit(const struct diff *d, __u64 bit, bool kvm_has)
{
	return (d->kvm ^ d->virq ^ d->xor_before) == bit &&
	       !!((kvm_has ? d->kvm : d->virq) & bit);
}

static bool is_vec_diff(const struct diff *d, __u32 base, __u8 v,
			bool kvm_has)
{
	return d->kind == D_LAPIC && d->reg == vec_word(base, v) &&
	       only_bit(d, 1ULL << (v & 31), kvm_has);
}

static bool lapic_readable(__u32 off)
{
	switch (off) {
	case APIC_ID: case APIC_LVR: case APIC_TPR: case APIC_APR:
	case APIC_PPR: case APIC_LDR: case APIC_DFR: case APIC_SVR:
	case APIC_ESR: case APIC_ICR: case APIC_ICR2: case APIC_TDCR:
	case 0x380:
		return true;
	}
	return (off >= APIC_ISR && off < APIC_ESR) ||
	       (off >= APIC_LVTT && off <= APIC_LVTERR);
}

/* What a read by @op returns according to the state @s (@b: before) */
static bool read_state(const struct snap *b, const struct snap *s,
		       const struct op *op, __u64 *val)
{
	__u32 a = op->addr, sel = s->ioapic.ioregsel;
	const struct virq_x86_kvm_pic *p;
	__u64 rte;

	if (op->kind == OP_MMIO_R && a >= LAPIC && a < LAPIC + 0x400) {
		if (!lapic_readable(a - LAPIC))
			return false;
		*val = lreg(s, op->cpu, a - LAPIC);
		return true;
	}
	if (op->kind == OP_MMIO_R && a == IOAPIC) {
		*val = sel;
		return true;
	}
	if (op->kind == OP_MMIO_R && a == IOWIN) {
		if (sel == 0 || sel == 2) {
			*val = (__u64)s->ioapic.id << 24;
			return true;
		}
		if (sel < 0x10 || sel >= 0x10 + 2 * NR_PINS)
			return false;
		rte = s->ioapic.redirtbl[(sel - 0x10) / 2];
		*val = sel & 1 ? rte >> 32 : (__u32)rte;
		return true;
	}
	if (op->kind != OP_PIO_R)
		return false;
	if (a == 0x4d0 || a == 0x4d1) {
		*val = s->pic[a & 1].elcr;
		return true;
	}
	p = &s->pic[a >= 0xa0];
	if (b->pic[a >= 0xa0].poll)
		return false;
	*val = (a & 1) ? p->imr : p->read_reg_select ? p->isr : p->irr;
	return true;
}

/* APR as the SDM defines it (P6 arbitration), from TPR, ISRV and IRRV */
static __u32 sdm_apr(const __u8 *regs)
{
	__u32 tpr = reg32(regs, APIC_TPR);
	int isr = highest_vec(regs, APIC_ISR);
	int irr = highest_vec(regs, APIC_IRR);
	__u32 isrv = isr < 0 ? 0 : isr & 0xf0;
	__u32 irrv = irr < 0 ? 0 : irr & 0xf0;
	__u32 m = tpr & 0xf0;

	if (m >= irrv && m > isrv)
		return tpr;
	if (isrv > m)
		m = isrv;
	return irrv > m ? irrv : m;
}

/* The vector the step's injection carries, or -1 */
static int op_vector(const struct dt *t)
{
	const struct op *op = &t->op;

	if (op->kind == OP_MSI)
		return op->val & 0xff;
	if ((op->kind == OP_LINE || op->kind == OP_PULSE) &&
	    op->addr >= 16 && op->addr < NR_PINS)
		return t->vb.ioapic.redirtbl[op->addr] & RTE_VECTOR;
	return -1;
}

/* The vCPU whose IRR gained @v in the step on one side, or -1 */
static int gained(const struct snap *b, const struct snap *a, __u8 v)
{
	int c;

	for (c = 0; c < NR_VCPUS; c++)
		if (!vec_test(b->regs[c], APIC_IRR, v) &&
		    vec_test(a->regs[c], APIC_IRR, v))
			return c;
	return -1;
}

/* An MSI in logical mode; *@dest its 8-bit destination */
static bool op_logical_msi(const struct dt *t, __u8 *dest)
{
	*dest = t->op.addr >> 12;
	return t->op.kind == OP_MSI && (t->op.addr & MSI_LOGICAL);
}

static bool rule_reset_lvt0(const struct dt *t, const struct diff *d)
{
	return is_lapic(d, APIC_LVT0) && d->idx == 0 && d->virq == 0x10000 &&
	       (d->kvm == 0x700 || d->kvm == 0x10700);
}

static bool rule_read_state(const struct dt *t, const struct diff *d)
{
	__u64 k, v;

	return is_result(d, "read") &&
	       read_state(&t->kb, &t->kn, &t->op, &k) &&
	       read_state(&t->vb, &t->vn, &t->op, &v) &&
	       d->kvm == k && d->virq == v;
}

static bool rule_stale_read(const struct dt *t, const struct diff *d)
{
	__u32 a = t->op.addr;

	return is_result(d, "read") && t->op.kind == OP_MMIO_R &&
	       a >= LAPIC && a < LAPIC + 0x1000 &&
	       !lapic_readable(a - LAPIC) && d->virq == 0 &&
	       d->kvm == t->kread_prev[t->op.cpu];
}

static bool rule_ioapic_version(const struct dt *t, const struct diff *d)
{
	return is_result(d, "read") && t->op.addr == IOWIN &&
	       t->vn.ioapic.ioregsel == 1 && d->kvm == 0x170011 &&
	       d->virq == 0x170020;
}

static bool rule_ioapic_unknown(const struct dt *t, const struct diff *d)
{
	__u32 sel = t->vn.ioapic.ioregsel;

	return is_result(d, "read") && t->op.addr == IOWIN && sel > 2 &&
	       (sel < 0x10 || sel >= 0x10 + 2 * NR_PINS) &&
	       d->kvm == 0xffffffff && d->virq == 0;
}

static bool rule_rte_reserved(const struct dt *t, const struct diff *d)
{
	return d->kind == D_RTE && !((d->kvm ^ d->virq) & ~RTE_RESERVED) &&
	       !(d->virq & RTE_RESERVED);
}

static bool rule_apr(const struct dt *t, const struct diff *d)
{
	return is_lapic(d, APIC_APR) && d->kvm == 0 &&
	       d->virq == sdm_apr(t->vn.regs[d->idx]);
}

static bool rule_tpr_subclass(const struct dt *t, const struct diff *d)
{
	return (is_lapic(d, APIC_TPR) || is_lapic(d, APIC_PPR)) &&
	       d->kvm == (d->virq & 0xf0) && (d->virq & 0x0f);
}

static bool rule_lvt_ro(const struct dt *t, const struct diff *d)
{
	__u64 x = d->kvm ^ d->virq;

	return d->kind == D_LAPIC && d->reg >= APIC_LVTT &&
	       d->reg <= APIC_LVTERR && !(x & ~(__u64)LVT_RO_BITS) &&
	       (d->kvm & x) == x;
}

static bool rule_icr_reserved(const struct dt *t, const struct diff *d)
{
	return is_lapic(d, APIC_ICR) && d->virq == (d->kvm & ICR_MASK);
}

static bool rule_esr(const struct dt *t, const struct diff *d)
{
	return is_lapic(d, APIC_ESR) && d->kvm == 0 && !(d->virq & ~0xe0ULL);
}

static bool rule_status_remote_irr(const struct dt *t, const struct diff *d)
{
	__u32 gsi = t->op.addr;
	__u64 want = RTE_REMOTE_IRR | RTE_LEVEL;

	return is_result(d, "status") && t->op.kind == OP_LINE &&
	       t->op.val && gsi >= 16 && gsi < NR_PINS &&
	       (__s64)d->kvm == -1 && d->virq == 0 &&
	       (t->vb.ioapic.redirtbl[gsi] & (want | RTE_MASKED)) == want &&
	       (t->kb.ioapic.redirtbl[gsi] & (want | RTE_MASKED)) == want;
}

static bool rule_status_in_irr(const struct dt *t, const struct diff *d)
{
	int v = op_vector(t), c, n = 0;

	if (!is_result(d, "status") || v < 16 ||
	    (__s64)d->virq < 0 || (__s64)d->kvm <= (__s64)d->virq)
		return false;
	for (c = 0; c < NR_VCPUS; c++)
		n += vec_test(t->vb.regs[c], APIC_IRR, v);
	return (__s64)d->kvm - (__s64)d->virq <= n;
}

static bool rule_ioapic_eoi_reg(const struct dt *t, const struct diff *d)
{
	return d->kind == D_RTE && t->op.kind == OP_MMIO_W &&
	       t->op.addr == IOEOI && only_bit(d, RTE_REMOTE_IRR, true) &&
	       (d->kvm & RTE_VECTOR) == (t->op.val & 0xff);
}

/* A level message whose vector its LAPIC had pending already */
static bool rule_merged_level(const struct dt *t, const struct diff *d)
{
	__u64 rte = t->vb.ioapic.redirtbl[d->idx];
	int c, n = 0;

	if (d->kind != D_RTE || t->op.kind != OP_LINE || !t->op.val ||
	    t->op.addr != (__u32)d->idx ||
	    (rte & (RTE_LEVEL | RTE_MASKED | RTE_REMOTE_IRR)) != RTE_LEVEL ||
	    !only_bit(d, RTE_REMOTE_IRR, true))
		return false;
	for (c = 0; c < NR_VCPUS; c++)
		n += vec_test(t->vb.regs[c], APIC_IRR, rte & RTE_VECTOR);
	return n > 0;
}

static bool rule_ioapic_irr_edge(const struct dt *t, const struct diff *d)
{
	__u64 x = d->kvm ^ d->virq;
	int p;

	if (d->kind != D_IOAPIC || strcmp(d->field, "ioapic.irr") ||
	    (d->kvm & x) != x)
		return false;
	for (p = 0; p < NR_PINS; p++)
		if ((x & (1ULL << p)) &&
		    (!(t->vn.level & (1ULL << p)) ||
		     (t->vn.ioapic.redirtbl[p] & RTE_LEVEL) ||
		     (t->kn.ioapic.redirtbl[p] & RTE_LEVEL)))
			return false;
	return true;
}

/* A PIC pin the step drove: chip, bit; false if none */
static bool op_pic_pin(const struct dt *t, int *chip, __u8 *bit)
{
	if ((t->op.kind != OP_LINE && t->op.kind != OP_PULSE) ||
	    t->op.addr >= 16)
		return false;
	*chip = t->op.addr >> 3;
	*bit = 1U << (t->op.addr & 7);
	return true;
}

static bool rule_pic_not_next(const struct dt *t, const struct diff *d)
{
	__u8 bit;
	int c;

	return is_result(d, "status") && op_pic_pin(t, &c, &bit) &&
	       t->op.val && d->kvm == 1 && d->virq == 0 &&
	       !(t->kb.pic[c].irr & bit) && !(t->vb.pic[c].irr & bit) &&
	       (t->kn.pic[c].irr & bit) && (t->vn.pic[c].irr & bit) &&
	       !(t->vn.pic[c].imr & bit) &&
	       (t->vn.ioapic.redirtbl[t->op.addr] & RTE_MASKED);
}

static bool rule_pic_level_pulse(const struct dt *t, const struct diff *d)
{
	__u8 bit;
	int c;

	return is_result(d, "status") && op_pic_pin(t, &c, &bit) &&
	       t->op.kind == OP_PULSE && d->kvm == 1 && d->virq == 0 &&
	       (t->vn.pic[c].elcr & bit) && !(t->vn.pic[c].imr & bit) &&
	       !(t->kn.pic[c].irr & bit) && !(t->vn.pic[c].irr & bit);
}

static bool rule_pic_master_imr(const struct dt *t, const struct diff *d)
{
	__u8 bit;
	int c;

	return is_result(d, "status") && op_pic_pin(t, &c, &bit) && c == 1 &&
	       t->op.val && d->kvm == 1 && (__s64)d->virq == -1 &&
	       (t->vn.pic[0].imr & 0x04) && !(t->vn.pic[1].imr & bit);
}

static bool is_pic(const struct diff *d, int chip, int field)
{
	return d->kind == D_PIC && d->idx == chip && (int)d->reg == field;
}

#define PIC_LAST_IRR	0
#define PIC_IRR		1
#define PIC_ISR		3

static bool rule_cascade_latch(const struct dt *t, const struct diff *d)
{
	return is_pic(d, 0, PIC_IRR) && only_bit(d, 0x04, true);
}

static bool rule_elcr_write(const struct dt *t, const struct diff *d)
{
	int c = t->op.addr & 1, i;
	__u64 x = d->kvm ^ d->virq;
	__u8 newly;

	if (t->op.kind != OP_PIO_W || (t->op.addr & ~1U) != 0x4d0 ||
	    !is_pic(d, c, PIC_IRR) || (d->virq & x) != x)
		return false;
	newly = t->vn.pic[c].elcr & ~t->vb.pic[c].elcr;
	for (i = 0; i < 8; i++)
		if ((x & (1U << i)) &&
		    (!(newly & (1U << i)) || !t->vn.src[c * 8 + i]))
			return false;
	return true;
}

static bool rule_icw1_edge_sense(const struct dt *t, const struct diff *d)
{
	int c = t->op.addr == 0xa0, i;
	__u64 x = d->kvm ^ d->virq;

	if (t->op.kind != OP_PIO_W ||
	    (t->op.addr != 0x20 && t->op.addr != 0xa0) ||
	    !(t->op.val & 0x10) || !is_pic(d, c, PIC_LAST_IRR) ||
	    (d->virq & x) != x)
		return false;
	for (i = 0; i < 8; i++)
		if ((x & (1U << i)) && !t->vn.src[c * 8 + i])
			return false;
	return true;
}

static bool rule_pic_poll(const struct dt *t, const struct diff *d)
{
	int c = t->op.addr == 0xa0;

	if (t->op.kind != OP_PIO_R ||
	    (t->op.addr != 0x20 && t->op.addr != 0xa0) ||
	    !t->vb.pic[c].poll || !t->kb.pic[c].poll)
		return false;
	if (is_result(d, "read"))
		return (d->virq == (0x80 | d->kvm) && d->kvm < 8) ||
		       (d->virq == 0 && d->kvm == 7);
	/* virq's poll sets ISR as an INTA does; KVM's does not */
	return is_pic(d, c, PIC_ISR) &&
	       t->kn.pic[c].isr == t->kb.pic[c].isr &&
	       (d->kvm ^ d->virq) == (d->virq & ~(__u64)t->vb.pic[c].isr);
}

static bool rule_special_mask(const struct dt *t, const struct diff *d)
{
	const struct virq_x86_kvm_pic *m = &t->vb.pic[0];
	int ir;

	if (t->op.kind != OP_INTA || !m->special_mask ||
	    !t->kb.pic[0].special_mask)
		return false;
	if (is_result(d, "inta")) {
		ir = (int)d->virq - m->irq_base;
		/* a level below one in service, which SMM lets through */
		return d->kvm == NO_IRQ && ir >= 0 && ir < 8 && m->isr &&
		       (m->isr & ((1U << ir) - 1)) && (m->irr & (1U << ir));
	}
	ir = __builtin_ctz((t->vn.pic[0].isr & ~m->isr) | 0x100);
	if (ir > 7)
		return false;
	return (is_pic(d, 0, PIC_ISR) && only_bit(d, 1U << ir, false)) ||
	       (is_pic(d, 0, PIC_IRR) && only_bit(d, 1U << ir, true));
}

static bool rule_cascade_spurious(const struct dt *t, const struct diff *d)
{
	const struct virq_x86_kvm_pic *m = &t->kb.pic[0], *sl = &t->kb.pic[1];

	if (t->op.kind != OP_INTA || !(m->irr & 0x04) ||
	    (sl->irr & ~sl->imr))
		return false;
	if (is_result(d, "inta"))
		return d->kvm == (__u64)sl->irq_base + 7 && d->virq == NO_IRQ;
	return is_pic(d, 0, PIC_ISR) && only_bit(d, 0x04, true);
}

static bool rule_sw_disabled(const struct dt *t, const struct diff *d)
{
	int c = t->op.cpu;
	const __u8 *vb = t->vb.regs[c];
	int v = highest_vec(vb, APIC_IRR);

	if (t->op.kind != OP_INTA || v < 16 ||
	    (reg32(vb, APIC_SVR) & 0x100))
		return false;
	if (is_result(d, "inta"))
		return d->kvm == (__u64)v && d->virq == NO_IRQ;
	if (d->kind != D_LAPIC || d->idx != c)
		return false;
	if (d->reg == APIC_PPR)
		return d->kvm == ((__u32)v & 0xf0) && d->virq == 0 &&
		       reg32(vb, APIC_TPR) < ((__u32)v & 0xf0);
	return is_vec_diff(d, APIC_ISR, v, true) ||
	       is_vec_diff(d, APIC_IRR, v, false);
}

static bool rule_sw_disabled_late(const struct dt *t, const struct diff *d)
{
	int c = t->op.cpu;

	return is_result(d, "inta") && d->kvm == NO_IRQ && d->virq < 256 &&
	       vec_test(t->kb.regs[c], APIC_ISR, d->virq) &&
	       vec_test(t->vb.regs[c], APIC_IRR, d->virq);
}

static bool rule_illegal_vector(const struct dt *t, const struct diff *d)
{
	if (t->op.kind != OP_MSI || (t->op.val & 0xff) >= 16)
		return false;
	if (is_result(d, "status"))
		return d->kvm >= 1 && d->virq == 0;
	return d->kind == D_LAPIC && d->reg == APIC_IRR &&
	       only_bit(d, 1ULL << (t->op.val & 0xff), true);
}

static bool rule_lowest_hashing(const struct dt *t, const struct diff *d)
{
	__u8 v = t->op.val & 0xff;
	int kc, vc;

	if (t->op.kind != OP_MSI ||
	    !((t->op.val & RTE_DM) == MSI_LOWEST ||
	      ((t->op.addr & MSI_LOGICAL) && (t->op.addr & 8))))
		return false;
	kc = gained(&t->kb, &t->kn, v);
	vc = gained(&t->vb, &t->vn, v);
	if (kc < 0 || vc < 0 || kc == vc ||
	    (lreg(&t->vb, vc, APIC_PPR) & 0xf0) >=
	    (lreg(&t->vb, kc, APIC_PPR) & 0xf0))
		return false;
	return (d->idx == kc && is_vec_diff(d, APIC_IRR, v, true)) ||
	       (d->idx == vc && is_vec_diff(d, APIC_IRR, v, false));
}

static bool rule_cluster_15(const struct dt *t, const struct diff *d)
{
	__u8 dest, v = t->op.val & 0xff;

	if (!op_logical_msi(t, &dest) || (dest >> 4) != 0xf ||
	    (dest & 0xf) == 0xf || (lreg(&t->vn, 0, APIC_DFR) >> 28))
		return false;
	if (is_result(d, "status"))
		return d->kvm == 0 && (__s64)d->virq > 0;
	return is_vec_diff(d, APIC_IRR, v, false) &&
	       (lreg(&t->vn, d->idx, APIC_LDR) >> 24) & dest & 0xf;
}

static bool rule_empty_ldr(const struct dt *t, const struct diff *d)
{
	__u8 dest, v = t->op.val & 0xff;

	if (!op_logical_msi(t, &dest) || dest != 0xff ||
	    (lreg(&t->vn, 0, APIC_DFR) >> 28) != 0xf)
		return false;
	if (is_result(d, "status"))
		return (__s64)d->kvm > (__s64)d->virq && (__s64)d->virq >= 0;
	return is_vec_diff(d, APIC_IRR, v, true) &&
	       !lreg(&t->vn, d->idx, APIC_LDR);
}

static bool rule_ipi_level_tmr(const struct dt *t, const struct diff *d)
{
	__u32 icr = t->op.val;

	return t->op.kind == OP_MMIO_W && t->op.addr == LAPIC + APIC_ICR &&
	       (icr & 0x8000) && !(icr & 0x600) &&
	       is_vec_diff(d, APIC_TMR, icr & 0xff, true);
}

/* SDM 11.4.7.1: the power-up value of register @off of vCPU @c */
static __u32 lapic_reset_value(int c, __u32 off)
{
	switch (off) {
	case APIC_ID:
		return (__u32)c << 24;
	case APIC_LVR:
		return 0x50014;
	case APIC_DFR:
		return 0xffffffff;
	case APIC_SVR:
		return 0xff;
	}
	return off >= APIC_LVTT && off <= APIC_LVTERR ? 0x10000 : 0;
}

static bool base_enable_toggled(const struct dt *t, int c)
{
	__u64 en = 1ULL << 11;

	return t->op.kind == OP_MSR_W && t->op.addr == MSR_APIC_BASE &&
	       t->op.cpu == c &&
	       ((t->vb.apic_base[c] ^ t->vn.apic_base[c]) & en) &&
	       ((t->kb.apic_base[c] ^ t->kn.apic_base[c]) & en);
}

static bool rule_base_reset(const struct dt *t, const struct diff *d)
{
	int c = d->idx;
	__u32 kb;

	if (d->kind != D_LAPIC || !base_enable_toggled(t, c) ||
	    d->virq != lapic_reset_value(c, d->reg))
		return false;
	kb = lreg(&t->kb, c, d->reg);
	/* KVM resets the xAPIC ID when enabling, nothing else */
	if (d->reg == APIC_ID && (t->kn.apic_base[c] & (1ULL << 11)))
		return d->kvm == (__u32)c << 24;
	return d->kvm == kb;
}

static bool rule_pic_disabled_ap(const struct dt *t, const struct diff *d)
{
	int c = t->op.cpu;
	__u8 got = t->kn.pic[0].isr & ~t->kb.pic[0].isr;
	int ir;

	if (t->op.kind != OP_INTA || !c ||
	    (t->vb.apic_base[c] & (1ULL << 11)) || !got || (got & (got - 1)))
		return false;
	ir = __builtin_ctz(got);
	if (is_result(d, "inta"))
		return d->kvm == (__u64)t->kb.pic[0].irq_base + ir &&
		       d->virq == NO_IRQ;
	return (is_pic(d, 0, PIC_ISR) && only_bit(d, got, true)) ||
	       (is_pic(d, 0, PIC_IRR) && only_bit(d, got, false));
}

static bool rule_msi_deassert(const struct dt *t, const struct diff *d)
{
	__u32 data = t->op.val;
	__u8 v = data & 0xff;

	if (t->op.kind != OP_MSI || !(data & MSI_LEVEL) ||
	    (data & MSI_ASSERT) || (data & RTE_DM))
		return false;
	if (is_result(d, "status"))
		return (__s64)d->kvm >= 1 && d->virq == 0;
	return is_vec_diff(d, APIC_IRR, v, true) ||
	       is_vec_diff(d, APIC_TMR, v, true);
}

static bool rule_x2apic_eoi(const struct dt *t, const struct diff *d)
{
	int c = t->op.cpu;
	int v = highest_vec(t->kb.regs[c], APIC_ISR);

	if (t->op.kind != OP_MSR_W || t->op.addr != MSR_X2APIC(APIC_EOI) ||
	    !t->op.val || v < 0)
		return false;
	if (is_result(d, "wrmsr"))
		return d->kvm == 0 && d->virq == GP_FAULT;
	if (d->idx != c)
		return false;
	if (d->reg == APIC_PPR)
		return d->kvm == lreg(&t->kn, c, APIC_TPR) ||
		       d->kvm == (__u32)(highest_vec(t->kn.regs[c],
						     APIC_ISR) & 0xf0);
	return is_vec_diff(d, APIC_ISR, v, false);
}

static bool rule_x2apic_alias(const struct dt *t, const struct diff *d)
{
	__u64 icr = t->op.val, x2apic = 1ULL << 10;
	__u32 dest = icr >> 32;
	int c = d->idx;
	__u8 id;

	if (t->op.kind != OP_MSR_W || t->op.addr != MSR_X2APIC(APIC_ICR) ||
	    !(t->vb.apic_base[t->op.cpu] & x2apic) || dest <= 0xff ||
	    (icr & 0x800) || (icr & 0xc0000) || d->kind != D_LAPIC ||
	    (t->vn.apic_base[c] & x2apic))
		return false;
	id = lreg(&t->vn, c, APIC_ID) >> 24;
	return ((dest & 0xff) == 0xff || (dest & 0xff) == id) &&
	       is_vec_diff(d, APIC_IRR, icr & 0xff, false);
}

static bool rule_msi_no_dest(const struct dt *t, const struct diff *d)
{
	__u8 v = t->op.val & 0xff;

	return is_result(d, "status") && t->op.kind == OP_MSI &&
	       (__s64)d->kvm == -1 && d->virq == 0 &&
	       gained(&t->kb, &t->kn, v) < 0 && gained(&t->vb, &t->vn, v) < 0;
}

/*
 * The documented differences.  Each rule names the fields it covers and
 * checks that the values are the ones its reason explains.  The
 * architecture is the reference; a reason starting "KVM" is a departure
 * of KVM's, one starting "virq" a deliberate choice of virq's (its model
 * files say why).  Documentation/userspace-api/virq/devices/
 * x86-kvm-diff.rst has the full list with the values seen.
 */
static const struct allow allow_list[] = {
	/* KVM's LINT0_REENABLED quirk does what a BIOS would (SDM 11.4.7.1) */
	{ "reset-bsp-lvt0", "lapic0.LVT0", rule_reset_lvt0,
	  "KVM programs the BSP's LVT0 to ExtINT at reset; the SDM and virq mask every LVT entry" },
	/* Reads of a register whose state difference was judged before */
	{ "read-shows-state", "read", rule_read_state,
	  "the value read is the register's state on each side" },
	/* Reserved slots, EOI, RRD, SELF IPI in xAPIC mode (SDM 11.5.3) */
	{ "kvm-stale-reserved-read", "read", rule_stale_read,
	  "KVM returns the vCPU's last MMIO read data for a register it lacks; virq reads 0" },
	/* The 82093AA is version 0x11; ICH-era IOAPICs are 0x20 */
	{ "ioapic-version", "read", rule_ioapic_version,
	  "virq is a version 0x20 IOAPIC with an EOI register, KVM the 82093AA (0x11)" },
	{ "ioapic-unknown-register", "read", rule_ioapic_unknown,
	  "KVM reads ~0 from an IOREGSEL that names no register, virq 0" },
	/* 82093AA 3.2.4: bits 55:17 are reserved; 55:48 stay for remapping */
	{ "ioapic-rte-reserved", "ioapic.rte*", rule_rte_reserved,
	  "KVM keeps reserved RTE bits 47:17 as written; virq reads them as 0" },
	/* SDM: "Arbitration Priority Register (APR)" */
	{ "lapic-apr", "lapic*.APR", rule_apr,
	  "KVM's APR is always 0; virq computes it from TPR, ISRV and IRRV" },
	/* SDM 11.8.3.1: TPR bits 7:0 are read/write */
	{ "kvm-svm-tpr-subclass", "lapic*.[TP]PR", rule_tpr_subclass,
	  "KVM on SVM syncs TPR through CR8 at every exit and loses the sub-class (bits 3:0)" },
	/* SDM figure 11-8: delivery status and remote IRR are read-only */
	{ "lvt-readonly-bits", "lapic*.LVT*", rule_lvt_ro,
	  "KVM keeps LVT bits 12 and 14 as written; they are read-only" },
	{ "icr-reserved-bits", "lapic*.ICR", rule_icr_reserved,
	  "KVM keeps reserved ICR bits as written; virq keeps the defined fields" },
	/* SDM 11.5.3 */
	{ "esr-errors", "lapic*.ESR", rule_esr,
	  "KVM's ESR reports no errors; virq reports illegal vectors and register addresses" },
	/* KVM's api.rst calls 0 "coalesced" and <0 "masked" */
	{ "status-remote-irr", "status", rule_status_remote_irr,
	  "KVM reports -1 for a level pin waiting for its EOI, virq 0 (coalesced)" },
	/* The SDM's IRR holds one request per vector */
	{ "status-already-in-irr", "status", rule_status_in_irr,
	  "KVM counts a LAPIC with the vector already in IRR as delivered; virq as coalesced" },
	/*
	 * The LAPIC merges a message whose vector is pending in IRR.  KVM,
	 * as hardware, counts it as accepted and sets remote IRR; virq
	 * leaves remote IRR clear and lets the vector's EOI end the pin
	 * anyway (ioapic.c), so the pin is sent again at that EOI in both.
	 */
	{ "merged-level-remote-irr", "ioapic.rte*", rule_merged_level,
	  "KVM sets remote IRR for a level message merged into a pending IRR bit; virq does not" },
	{ "ioapic-eoi-register", "ioapic.rte*", rule_ioapic_eoi_reg,
	  "virq's IOAPIC EOI register clears remote IRR; KVM's 82093AA has none" },
	/* The 82093AA does not latch an edge while masked */
	{ "ioapic-irr-edge", "ioapic.irr", rule_ioapic_irr_edge,
	  "KVM's saved IRR shows high edge pins that were not sent; virq's shows level pins only" },
	{ "pic-status-not-next", "status", rule_pic_not_next,
	  "virq reports 1 for a PIC request only if the next INTA takes it; KVM for any new one" },
	{ "pic-status-level-pulse", "status", rule_pic_level_pulse,
	  "virq reports 0 for a pulse on a level PIC pin (nothing stays pending); KVM 1" },
	{ "pic-status-master-imr", "status", rule_pic_master_imr,
	  "virq reports a slave pin masked at the master's IR2 as masked; KVM checks its IMR" },
	{ "pic-cascade-latch", "pic.master.irr", rule_cascade_latch,
	  "KVM latches a slave request in the master's IRR bit 2; virq sees the slave's INT live" },
	/* Level mode requests while the line is high (8259A, PIIX ELCR) */
	{ "pic-elcr-write", "pic.*.irr", rule_elcr_write,
	  "virq's IRR follows the line of a pin ELCR makes level at once; KVM waits for a change" },
	/* 8259A: ICW1 resets the edge sense circuit */
	{ "pic-icw1-edge-sense", "pic.*.last_irr", rule_icw1_edge_sense,
	  "virq's ICW1 samples the lines into last_irr; KVM clears it" },
	/* 8259A: the poll word has bit 7 set; the read acknowledges */
	{ "pic-poll", "*", rule_pic_poll,
	  "virq's poll read gives 0x80 | level, sets ISR; KVM gives the level (7: none), no ISR" },
	/* 8259A: special mask mode enables lower levels too */
	{ "pic-special-mask", "*", rule_special_mask,
	  "virq implements special mask mode; KVM stores the bit and ignores it" },
	{ "pic-cascade-spurious", "*", rule_cascade_spurious,
	  "KVM's stale cascade latch makes a withdrawn request a spurious IRQ15; virq: nothing" },
	/* SDM 11.4.7.2: pending interrupts are held while disabled */
	{ "lapic-sw-disabled", "*", rule_sw_disabled,
	  "KVM delivers from IRR while the LAPIC is software-disabled; virq holds the requests" },
	{ "lapic-sw-disabled-late", "inta", rule_sw_disabled_late,
	  "virq delivers once enabled what KVM delivered while disabled" },
	/* SDM 11.5.3: an illegal vector sets no IRR bit */
	{ "illegal-vector", "*", rule_illegal_vector,
	  "KVM accepts vectors 0-15 into IRR; virq reports a receive error" },
	/* SDM 11.6.2.4 */
	{ "lowest-priority-hashing", "lapic*.IRR*", rule_lowest_hashing,
	  "KVM picks the lowest-priority target by vector hashing; virq by processor priority" },
	/* SDM 11.6.2.2: clusters 0-14, all ones matches every cluster */
	{ "cluster-15", "*", rule_cluster_15,
	  "virq's cluster model treats cluster 15 as every cluster; KVM matches it literally" },
	/* SDM 11.6.2.2: flat model accepts when MDA & LDR != 0 */
	{ "logical-broadcast-empty-ldr", "*", rule_empty_ldr,
	  "KVM delivers logical 0xff also to LAPICs whose LDR is 0; virq does not" },
	/* SDM 11.6.1: the ICR trigger mode matters for INIT de-assert only */
	{ "ipi-level-tmr", "lapic*.TMR*", rule_ipi_level_tmr,
	  "KVM sets TMR for a fixed IPI with the level bit; virq treats IPIs as edge" },
	/* SDM 11.4.3: state may be lost when the LAPIC is disabled */
	{ "apic-base-enable-reset", "lapic*", rule_base_reset,
	  "virq resets the LAPIC when IA32_APIC_BASE.EN changes; KVM keeps it but the xAPIC ID" },
	/* SDM 11.4.3: INTR goes to the processor; the PC wires it to the BSP */
	{ "pic-to-disabled-ap", "*", rule_pic_disabled_ap,
	  "KVM gives the PIC's INTR to any vCPU with a disabled LAPIC; virq to the BSP only" },
	{ "msi-level-deassert", "*", rule_msi_deassert,
	  "virq drops a level MSI whose level bit (data bit 14) is clear; KVM always asserts" },
	{ "x2apic-dest-alias", "lapic*.IRR*", rule_x2apic_alias,
	  "virq's xAPIC-mode LAPIC decodes 8 bits of a 32-bit destination; KVM compares all 32" },
	{ "kvm-msi-no-destination", "status", rule_msi_no_dest,
	  "KVM_SIGNAL_MSI gives -1 for no target on its slow path, 0 on the fast one; virq 0" },
	/* SDM 11.12.1.2: a non-zero x2APIC EOI write raises #GP */
	{ "x2apic-eoi-nonzero", "*", rule_x2apic_eoi,
	  "virq raises #GP for a non-zero x2APIC EOI write; KVM performs the EOI" },
};

static const unsigned int nr_allow = sizeof(allow_list) /
				     sizeof(allow_list[0]);

/* --- fixture ----------------------------------------------------------- */

FIXTURE(kvmdiff) {
	struct dt *t;
	bool skip;
};

FIXTURE_SETUP(kvmdiff)
{
	char why[128] = "";
	int r;

	self->skip = true;
	if (!have_virq_x86())
		SKIP(return, "no /dev/virq with the x86 family");
	self->t = calloc(1, sizeof(*self->t));
	ASSERT_NE(NULL, self->t);
	self->t->k.kvm = -1;
	self->t->v.fd = -1;
	r = kside_open(&self->t->k, why, sizeof(why));
	if (r > 0) {
		kside_close(&self->t->k);
		free(self->t);
		self->t = NULL;
		SKIP(return, "%s", why);
	}
	self->skip = false;
	ASSERT_EQ(0, r) TH_LOG("KVM side: %s", why);
	ASSERT_EQ(0, vside_open(&self->t->v))
		TH_LOG("virq side: %s", strerror(errno));
	/* Step 1: the state both create */
	step(self->t, OP_RESET, 0, 0, 0, "after creation");
}

FIXTURE_TEARDOWN(kvmdiff)
{
	if (!self->t)
		return;
	note("%d steps, %d allowed and %d unexplained differences",
	     self->t->step, self->t->allowed, self->t->bad);
	kside_close(&self->t->k);
	vside_close(&self->t->v);
	free(self->t);
}

#define SKIP_IF_NEEDED() do { if (self->skip) return; } while (0)

/* The reset state, then every LAPIC register as the guest reads it */
TEST_F_TIMEOUT(kvmdiff, reset_state, 120)
{
	struct dt *t = self->t;
	__u32 off;

	SKIP_IF_NEEDED();
	for (off = APIC_ID; off <= 0x3f0; off += 0x10)
		if (off != 0x390)	/* TMCCT: a running count */
			apic_r(t, 0, off);
	apic_r(t, 1, APIC_ID);
	apic_r(t, 1, APIC_LVT0);
	EXPECT_EQ(0, t->bad);
}

/* IOREGSEL, IOAPICID, IOAPICVER, IOAPICARB, and unknown registers */
TEST_F_TIMEOUT(kvmdiff, ioapic_registers, 120)
{
	static const __u32 sel[] = {
		0x00, 0x01, 0x02, 0x03, 0x0f, 0x10, 0x11, 0x3e, 0x3f, 0x40,
		0x41, 0x80, 0xfe, 0xff,
	};
	struct dt *t = self->t;
	unsigned int i;

	SKIP_IF_NEEDED();
	mmio_r(t, 0, IOAPIC);
	for (i = 0; i < sizeof(sel) / sizeof(sel[0]); i++) {
		ioregsel(t, sel[i]);
		mmio_r(t, 0, IOAPIC);
		mmio_r(t, 0, IOWIN);
	}
	ioregsel(t, 0x1ff);		/* 8-bit register */
	mmio_r(t, 0, IOAPIC);
	ioregsel(t, 0x00);
	mmio_w(t, 0, IOWIN, 0xffffffff);	/* ID: bits 27:24 */
	mmio_r(t, 0, IOWIN);
	ioregsel(t, 0x02);			/* ARB follows the ID */
	mmio_r(t, 0, IOWIN);
	mmio_w(t, 0, IOWIN, 0);		/* read-only */
	mmio_r(t, 0, IOWIN);
	ioregsel(t, 0x01);
	mmio_w(t, 0, IOWIN, 0);		/* read-only */
	mmio_r(t, 0, IOWIN);
	ioregsel(t, 0x00);
	mmio_w(t, 0, IOWIN, 0x05000000);
	mmio_r(t, 0, IOWIN);
	mmio_r(t, 0, IOEOI);
	mmio_r(t, 0, IOAPIC + 0x20);
	EXPECT_EQ(0, t->bad);
}

/* Every bit of a redirection entry, written alone, then read back */
TEST_F_TIMEOUT(kvmdiff, ioapic_rte_fields, 300)
{
	struct dt *t = self->t;
	int b;

	SKIP_IF_NEEDED();
	for (b = 0; b < 32; b++) {
		ioregsel(t, 0x10 + 2 * 5);
		mmio_w(t, 0, IOWIN, 1U << b);
		mmio_r(t, 0, IOWIN);
		ioregsel(t, 0x11 + 2 * 5);
		mmio_w(t, 0, IOWIN, 1U << b);
		mmio_r(t, 0, IOWIN);
	}
	rte_w(t, 6, ~0ULL);
	ioregsel(t, 0x10 + 2 * 6);
	mmio_r(t, 0, IOWIN);
	ioregsel(t, 0x11 + 2 * 6);
	mmio_r(t, 0, IOWIN);
	rte_w(t, 5, RTE_MASKED);
	rte_w(t, 6, RTE_MASKED);
	EXPECT_EQ(0, t->bad);
}

/* Level: remote IRR, EOI, re-delivery while the line stays high */
TEST_F_TIMEOUT(kvmdiff, ioapic_level, 120)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	sw_enable(t, 0);
	rte_w(t, 17, 0x41 | RTE_LEVEL | RTE_DEST(0));
	line(t, 17, 1);
	line(t, 17, 1);		/* waits for the EOI */
	inta(t, 0);
	eoi(t, 0);		/* line still high: sent again */
	inta(t, 0);
	line(t, 17, 0);
	eoi(t, 0);
	inta(t, 0);
	line(t, 17, 1);
	inta(t, 0);
	line(t, 17, 0);
	mmio_w(t, 0, IOEOI, 0x41);	/* the IOAPIC's own EOI register */
	eoi(t, 0);
	/* EOI while masked: sent again only at the unmask */
	line(t, 17, 1);
	inta(t, 0);
	rte_w(t, 17, 0x41 | RTE_LEVEL | RTE_MASKED | RTE_DEST(0));
	eoi(t, 0);
	inta(t, 0);
	rte_w(t, 17, 0x41 | RTE_LEVEL | RTE_DEST(0));
	inta(t, 0);
	line(t, 17, 0);
	eoi(t, 0);
	/* Not accepted (LAPIC 1 disabled): no remote IRR, retried */
	rte_w(t, 18, 0x42 | RTE_LEVEL | RTE_DEST(1));
	line(t, 18, 1);
	sw_enable(t, 1);
	line(t, 18, 1);
	rte_w(t, 18, 0x42 | RTE_LEVEL | RTE_DEST(1));
	inta(t, 1);
	line(t, 18, 0);
	eoi(t, 1);
	/* Logical destination, lowest priority, active low */
	apic_w(t, 0, APIC_LDR, 0x01000000);
	apic_w(t, 1, APIC_LDR, 0x02000000);
	rte_w(t, 20, 0x43 | RTE_LEVEL | RTE_LOGICAL | RTE_LOW | 0x100 |
		     RTE_DEST(3));
	line(t, 20, 1);
	inta(t, 1);
	inta(t, 0);
	line(t, 20, 0);
	eoi(t, 0);
	eoi(t, 1);
	EXPECT_EQ(0, t->bad);
}

/* Edge and level, masked and unmasked, and the statuses of each */
TEST_F_TIMEOUT(kvmdiff, ioapic_edge_and_mask, 120)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	sw_enable(t, 0);
	rte_w(t, 18, 0x51 | RTE_DEST(0));
	line_pulse(t, 18);
	line_pulse(t, 18);		/* still in IRR */
	inta(t, 0);
	eoi(t, 0);
	line(t, 18, 1);
	line(t, 18, 1);		/* no edge */
	inta(t, 0);
	eoi(t, 0);
	line(t, 18, 0);
	/* Masked edge: lost, also when unmasked */
	rte_w(t, 18, 0x51 | RTE_MASKED | RTE_DEST(0));
	line_pulse(t, 18);
	line(t, 18, 1);
	rte_w(t, 18, 0x51 | RTE_DEST(0));
	inta(t, 0);
	line(t, 18, 0);
	line_pulse(t, 18);
	inta(t, 0);
	eoi(t, 0);
	/* Masked level: sent at unmask while high */
	rte_w(t, 19, 0x52 | RTE_LEVEL | RTE_MASKED | RTE_DEST(0));
	line(t, 19, 1);
	rte_w(t, 19, 0x52 | RTE_LEVEL | RTE_DEST(0));
	inta(t, 0);
	line(t, 19, 0);
	eoi(t, 0);
	/* ... and nothing once it went low again */
	rte_w(t, 19, 0x52 | RTE_LEVEL | RTE_MASKED | RTE_DEST(0));
	line(t, 19, 1);
	line(t, 19, 0);
	rte_w(t, 19, 0x52 | RTE_LEVEL | RTE_DEST(0));
	inta(t, 0);
	/* Level turned edge: remote IRR cleared */
	line(t, 19, 1);
	rte_w(t, 19, 0x52 | RTE_DEST(0));
	inta(t, 0);
	line(t, 19, 0);
	eoi(t, 0);
	/* A pin without a LAPIC to take it */
	rte_w(t, 21, 0x53 | RTE_DEST(7));
	line_pulse(t, 21);
	line(t, 21, 1);
	line(t, 21, 0);
	EXPECT_EQ(0, t->bad);
}

/* ICW1-4, IMR, IRR/ISR through OCW3, INTA, EOIs, rotation */
TEST_F_TIMEOUT(kvmdiff, pic_init_and_eoi, 120)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	extint_on(t);
	pic_init(t, 0x20, 0x01);
	pio_w(t, 0x21, 0xf0);
	pio_w(t, 0xa1, 0xff);
	pio_r(t, 0x21);
	pio_r(t, 0xa1);
	line_pulse(t, 3);
	line_pulse(t, 1);
	pio_w(t, 0x20, 0x0a);	/* OCW3: read IRR */
	pio_r(t, 0x20);
	inta(t, 0);
	pio_w(t, 0x20, 0x0b);	/* OCW3: read ISR */
	pio_r(t, 0x20);
	line_pulse(t, 0);		/* above IR1 in service */
	inta(t, 0);
	pio_r(t, 0x20);
	pio_w(t, 0x20, 0x20);	/* non-specific EOI: IR0 */
	pio_w(t, 0x20, 0x61);	/* specific EOI: IR1 */
	pio_r(t, 0x20);
	inta(t, 0);
	pio_w(t, 0x20, 0x63);
	line_pulse(t, 3);
	line_pulse(t, 3);		/* still in IRR */
	pio_w(t, 0x21, 0xf8);	/* mask IR3 */
	inta(t, 0);
	pio_w(t, 0x21, 0xf0);
	inta(t, 0);
	pio_w(t, 0x20, 0x20);
	/* A request below the level in service */
	line_pulse(t, 1);
	inta(t, 0);
	line_pulse(t, 3);
	inta(t, 0);
	pio_w(t, 0x20, 0x20);
	inta(t, 0);
	pio_w(t, 0x20, 0x20);
	/* Rotation: set priority, rotate on non-specific EOI */
	pio_w(t, 0x20, 0xc2);	/* IR2 lowest */
	line_pulse(t, 1);
	line_pulse(t, 3);
	inta(t, 0);
	pio_w(t, 0x20, 0xa0);	/* rotate on EOI */
	inta(t, 0);
	pio_w(t, 0x20, 0xe1);	/* rotate on specific EOI: IR1 */
	pio_w(t, 0x20, 0x60);	/* specific EOI of a level not in service */
	pio_w(t, 0x20, 0xc7);
	/* The slave's IMR and base */
	pio_r(t, 0xa1);
	pio_w(t, 0xa0, 0x0a);
	pio_r(t, 0xa0);
	EXPECT_EQ(0, t->bad);
}

/* Poll mode, then special mask mode */
TEST_F_TIMEOUT(kvmdiff, pic_modes, 120)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	extint_on(t);
	pic_init(t, 0x20, 0x01);
	pio_w(t, 0x21, 0xe0);
	line_pulse(t, 4);
	pio_w(t, 0x20, 0x0c);	/* OCW3: poll */
	pio_r(t, 0x20);
	pio_w(t, 0x20, 0x20);
	pio_w(t, 0x20, 0x0c);	/* poll with nothing requested */
	pio_r(t, 0x20);
	line_pulse(t, 3);
	inta(t, 0);
	pio_w(t, 0x20, 0x68);	/* OCW3: set special mask mode */
	line_pulse(t, 4);		/* below IR3 in service */
	inta(t, 0);
	EXPECT_EQ(0, t->bad);
}

/* ICW4 auto-EOI, with and without rotation */
TEST_F_TIMEOUT(kvmdiff, pic_auto_eoi, 120)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	extint_on(t);
	pic_init(t, 0x30, 0x03);
	pio_w(t, 0x21, 0xe0);
	line_pulse(t, 3);
	inta(t, 0);
	pio_w(t, 0x20, 0x80);	/* rotate in auto-EOI mode */
	line_pulse(t, 4);
	line_pulse(t, 1);
	inta(t, 0);
	inta(t, 0);
	pio_w(t, 0x20, 0x00);
	line_pulse(t, 0);
	inta(t, 0);
	inta(t, 0);
	EXPECT_EQ(0, t->bad);
}

/* ELCR: level pins, their IRR, and the masks */
TEST_F_TIMEOUT(kvmdiff, pic_elcr_level, 120)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	extint_on(t);
	pic_init(t, 0x20, 0x01);
	pio_w(t, 0x21, 0xd0);
	pio_w(t, 0x4d0, 0xff);
	pio_r(t, 0x4d0);
	pio_w(t, 0x4d1, 0xff);
	pio_r(t, 0x4d1);
	pio_w(t, 0x4d1, 0x00);
	pio_w(t, 0x4d0, 0x08);	/* IR3 level */
	line(t, 3, 1);
	line(t, 3, 1);
	inta(t, 0);
	pio_w(t, 0x20, 0x20);	/* line still high: requests again */
	inta(t, 0);
	line(t, 3, 0);
	pio_w(t, 0x20, 0x20);
	inta(t, 0);
	line_pulse(t, 3);		/* a pulse on a level pin */
	inta(t, 0);
	/* IR5 made level while its line is high */
	line(t, 5, 1);
	inta(t, 0);
	pio_w(t, 0x20, 0x20);
	pio_w(t, 0x4d0, 0x28);
	line(t, 5, 0);
	pio_w(t, 0x4d0, 0x00);
	EXPECT_EQ(0, t->bad);
}

/* The slave through the master's IR2 */
TEST_F_TIMEOUT(kvmdiff, pic_cascade, 120)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	extint_on(t);
	pic_init(t, 0x20, 0x01);
	pio_w(t, 0x21, 0xfb);
	pio_w(t, 0xa1, 0xf9);	/* slave IR1, IR2 */
	line_pulse(t, 10);
	pio_w(t, 0x20, 0x0a);
	pio_r(t, 0x20);
	inta(t, 0);
	pio_w(t, 0xa0, 0x0b);
	pio_r(t, 0xa0);
	line_pulse(t, 9);		/* above IR2 in service on the slave */
	inta(t, 0);
	pio_w(t, 0xa0, 0x20);
	pio_w(t, 0x20, 0x20);
	inta(t, 0);		/* now IR1 of the slave */
	pio_w(t, 0xa0, 0x20);
	pio_w(t, 0x20, 0x20);
	/* A slave request withdrawn before the INTA */
	pio_w(t, 0x4d1, 0x04);
	line(t, 10, 1);
	line(t, 10, 0);
	pio_r(t, 0x20);
	inta(t, 0);
	pio_w(t, 0x20, 0x0b);
	pio_r(t, 0x20);
	pio_w(t, 0x20, 0x20);
	inta(t, 0);
	/* Slave masked at the master */
	pio_w(t, 0x21, 0xff);
	line_pulse(t, 9);
	pio_w(t, 0x21, 0xfb);
	inta(t, 0);
	pio_w(t, 0xa0, 0x20);
	pio_w(t, 0x20, 0x20);
	EXPECT_EQ(0, t->bad);
}

/* ICW1 while an edge line is held high */
TEST_F_TIMEOUT(kvmdiff, pic_icw1_line_high, 120)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	extint_on(t);
	pic_init(t, 0x20, 0x01);
	pio_w(t, 0x21, 0xe0);
	line(t, 4, 1);
	inta(t, 0);
	pio_w(t, 0x20, 0x20);
	pic_init(t, 0x20, 0x01);
	line(t, 4, 0);
	EXPECT_EQ(0, t->bad);
}

/* LAPIC registers: version, TPR/PPR/APR, SVR, LDR/DFR, ID, LVT, ESR */
TEST_F_TIMEOUT(kvmdiff, lapic_registers, 120)
{
	static const __u32 lvts[] = {
		APIC_LVTTHMR, APIC_LVTPC, APIC_LVT0, APIC_LVT1, APIC_LVTERR,
	};
	struct dt *t = self->t;
	unsigned int i;
	int cpu;

	SKIP_IF_NEEDED();
	for (cpu = 0; cpu < NR_VCPUS; cpu++) {
		apic_r(t, cpu, APIC_LVR);
		apic_w(t, cpu, APIC_LVR, 0xffffffff);	/* read-only */
		apic_w(t, cpu, APIC_TPR, 0xffffffff);
		apic_r(t, cpu, APIC_TPR);
		apic_r(t, cpu, APIC_PPR);
		apic_r(t, cpu, APIC_APR);
		apic_w(t, cpu, APIC_TPR, 0x25);
		apic_r(t, cpu, APIC_PPR);
		apic_w(t, cpu, APIC_SVR, 0xffffffff);
		apic_r(t, cpu, APIC_SVR);
		apic_w(t, cpu, APIC_LDR, 0xffffffff);
		apic_r(t, cpu, APIC_LDR);
		apic_w(t, cpu, APIC_DFR, 0);
		apic_r(t, cpu, APIC_DFR);
		apic_w(t, cpu, APIC_DFR, 0xffffffff);
		apic_w(t, cpu, APIC_ICR2, 0xffffffff);
		apic_r(t, cpu, APIC_ICR2);
		apic_w(t, cpu, APIC_TDCR, 0xffffffff);
		apic_r(t, cpu, APIC_TDCR);
		for (i = 0; i < sizeof(lvts) / sizeof(lvts[0]); i++) {
			apic_w(t, cpu, lvts[i], 0xffffffff);
			apic_r(t, cpu, lvts[i]);
			apic_w(t, cpu, lvts[i], 0x000000ef);
		}
		apic_w(t, cpu, APIC_LVTT, 0x000200ef);	/* periodic */
		apic_r(t, cpu, APIC_LVTT);
		/* Software disable masks every LVT entry */
		apic_w(t, cpu, APIC_SVR, 0x0ff);
		apic_w(t, cpu, APIC_LVT1, 0x000000ee);	/* stays masked */
		apic_w(t, cpu, APIC_SVR, 0x1ff);
		apic_w(t, cpu, APIC_LVTT, 0x00010000);
		apic_w(t, cpu, APIC_ESR, 0);
		apic_r(t, cpu, APIC_ESR);
		apic_w(t, cpu, 0x40, 0x12345678);	/* reserved */
		apic_w(t, cpu, APIC_ESR, 0);
		apic_r(t, cpu, APIC_ESR);
		apic_w(t, cpu, APIC_ESR, 0);
		apic_r(t, cpu, APIC_ESR);
	}
	/* The xAPIC ID is writable */
	apic_w(t, 1, APIC_ID, 0x07ffffff);
	apic_r(t, 1, APIC_ID);
	send_msi(t, MSI_ADDR(7), 0x44);
	apic_w(t, 1, APIC_ID, 0x01000000);
	EXPECT_EQ(0, t->bad);
}

/* IRR, ISR, TMR, TPR and PPR through deliveries, INTAs and EOIs */
TEST_F_TIMEOUT(kvmdiff, lapic_irr_isr, 120)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	send_msi(t, MSI_ADDR(0), 0x31);	/* software-disabled: dropped */
	sw_enable(t, 0);
	send_msi(t, MSI_ADDR(0), 0x31);
	send_msi(t, MSI_ADDR(0), 0x61);
	send_msi(t, MSI_ADDR(0), 0x45);
	send_msi(t, MSI_ADDR(0), 0x45);	/* already requested */
	apic_r(t, 0, APIC_PPR);
	inta(t, 0);
	apic_r(t, 0, APIC_PPR);
	apic_r(t, 0, APIC_APR);
	inta(t, 0);			/* 0x45 is below PPR 0x60 */
	apic_w(t, 0, APIC_TPR, 0x70);
	eoi(t, 0);
	inta(t, 0);
	apic_w(t, 0, APIC_TPR, 0x00);
	inta(t, 0);
	send_msi(t, MSI_ADDR(0), 0x61);
	inta(t, 0);			/* nested */
	eoi(t, 0);
	eoi(t, 0);
	inta(t, 0);
	eoi(t, 0);
	eoi(t, 0);			/* nothing in service */
	/* Level-triggered message: TMR */
	send_msi(t, MSI_ADDR(0), MSI_LEVEL | MSI_ASSERT | 0x52);
	inta(t, 0);
	eoi(t, 0);
	/* Requests kept while software-disabled */
	send_msi(t, MSI_ADDR(0), 0x53);
	apic_w(t, 0, APIC_SVR, 0x0ff);
	inta(t, 0);
	apic_w(t, 0, APIC_SVR, 0x1ff);
	inta(t, 0);
	eoi(t, 0);
	/* A level-triggered message that de-asserts */
	send_msi(t, MSI_ADDR(0), MSI_LEVEL | 0x54);
	/* An illegal vector: receive error */
	send_msi(t, MSI_ADDR(0), 0x0e);
	apic_w(t, 0, APIC_ESR, 0);
	apic_r(t, 0, APIC_ESR);
	EXPECT_EQ(0, t->bad);
}

/*
 * Two level pins with one vector: the second message finds the vector
 * already requested.  The LAPIC takes it all the same (one IRR bit per
 * vector), so its remote IRR is set and the EOI that ends the vector
 * ends both pins; a pin whose line is still high is sent again.
 */
TEST_F_TIMEOUT(kvmdiff, ioapic_shared_vector, 120)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	sw_enable(t, 0);
	rte_w(t, 22, 0x44 | RTE_LEVEL | RTE_DEST(0));
	rte_w(t, 23, 0x44 | RTE_LEVEL | RTE_DEST(0));
	line(t, 22, 1);
	line(t, 23, 1);
	inta(t, 0);
	line(t, 22, 0);		/* the handler quiets device 22 only */
	eoi(t, 0);
	inta(t, 0);		/* device 23 still asks */
	line(t, 23, 0);
	eoi(t, 0);
	EXPECT_EQ(0, t->bad);
}

/* MSIs: physical, broadcast, logical flat and cluster, lowest priority */
TEST_F_TIMEOUT(kvmdiff, msi_destinations, 120)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	sw_enable(t, 0);
	sw_enable(t, 1);
	send_msi(t, MSI_ADDR(1), 0x33);
	send_msi(t, MSI_ADDR(0xff), 0x34);
	send_msi(t, MSI_ADDR(5), 0x35);
	/* Logical flat */
	apic_w(t, 0, APIC_LDR, 0x01000000);
	apic_w(t, 1, APIC_LDR, 0x02000000);
	send_msi(t, MSI_ADDR(3) | MSI_LOGICAL, 0x36);
	send_msi(t, MSI_ADDR(2) | MSI_LOGICAL, 0x37);
	send_msi(t, MSI_ADDR(4) | MSI_LOGICAL, 0x38);
	/* Lowest priority: equal, then different priorities */
	send_msi(t, MSI_ADDR(3) | MSI_LOGICAL, MSI_LOWEST | 0x39);
	send_msi(t, MSI_ADDR(3) | MSI_LOGICAL, MSI_LOWEST | 0x3a);
	apic_w(t, 0, APIC_TPR, 0x40);
	send_msi(t, MSI_ADDR(3) | MSI_LOGICAL, MSI_LOWEST | 0x3b);
	send_msi(t, MSI_ADDR(3) | MSI_LOGICAL, MSI_LOWEST | 0x3c);
	apic_w(t, 0, APIC_TPR, 0x00);
	/* Redirection hint with a logical destination */
	send_msi(t, MSI_ADDR(3) | MSI_LOGICAL | 8, 0x3d);
	/* Logical cluster */
	apic_w(t, 0, APIC_DFR, 0x0fffffff);
	apic_w(t, 1, APIC_DFR, 0x0fffffff);
	apic_w(t, 0, APIC_LDR, 0x11000000);
	apic_w(t, 1, APIC_LDR, 0x12000000);
	send_msi(t, MSI_ADDR(0x13) | MSI_LOGICAL, 0x40);
	send_msi(t, MSI_ADDR(0x21) | MSI_LOGICAL, 0x41);
	send_msi(t, MSI_ADDR(0xf1) | MSI_LOGICAL, 0x42);
	send_msi(t, MSI_ADDR(0xff) | MSI_LOGICAL, 0x43);
	/* Logical 0xff with empty LDRs */
	apic_w(t, 0, APIC_DFR, 0xffffffff);
	apic_w(t, 1, APIC_DFR, 0xffffffff);
	apic_w(t, 0, APIC_LDR, 0);
	apic_w(t, 1, APIC_LDR, 0);
	send_msi(t, MSI_ADDR(0xff) | MSI_LOGICAL, 0x44);
	EXPECT_EQ(0, t->bad);
}

/* IPIs through the ICR: shorthands, physical, level, reserved bits */
TEST_F_TIMEOUT(kvmdiff, lapic_ipi, 120)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	sw_enable(t, 0);
	sw_enable(t, 1);
	apic_w(t, 0, APIC_ICR, 0x40000 | 0x61);	/* self */
	apic_r(t, 0, APIC_ICR);
	apic_w(t, 0, APIC_ICR2, 0x01000000);
	apic_w(t, 0, APIC_ICR, 0x62);		/* to APIC 1 */
	apic_w(t, 0, APIC_ICR, 0xc0000 | 0x63);	/* all but self */
	apic_w(t, 0, APIC_ICR, 0x80000 | 0x64);	/* all */
	apic_w(t, 0, APIC_ICR, 0x40000 | 0xc000 | 0x65); /* level, self */
	apic_w(t, 0, APIC_ICR, 0xfff00000 | 0x66);	/* reserved bits */
	apic_r(t, 0, APIC_ICR);
	apic_w(t, 0, APIC_ICR2, 0x03000000);
	apic_w(t, 0, APIC_ICR, 0x67);		/* nobody */
	inta(t, 1);
	inta(t, 0);
	eoi(t, 0);
	eoi(t, 1);
	EXPECT_EQ(0, t->bad);
}

/* x2APIC mode: the MSR interface, its #GP rules, IPIs, and leaving it */
TEST_F_TIMEOUT(kvmdiff, x2apic, 120)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	sw_enable(t, 0);
	guest_rdmsr(t, 1, MSR_APIC_BASE);
	guest_rdmsr(t, 1, MSR_X2APIC(APIC_ID));	/* #GP: xAPIC mode */
	guest_wrmsr(t, 1, MSR_APIC_BASE, 0xfee00c00);
	guest_rdmsr(t, 1, MSR_APIC_BASE);
	guest_rdmsr(t, 1, MSR_X2APIC(APIC_ID));
	guest_rdmsr(t, 1, MSR_X2APIC(APIC_LVR));
	guest_rdmsr(t, 1, MSR_X2APIC(APIC_LDR));
	guest_rdmsr(t, 1, MSR_X2APIC(APIC_DFR));	/* #GP: no DFR */
	guest_rdmsr(t, 1, MSR_X2APIC(APIC_EOI));	/* #GP: write-only */
	guest_rdmsr(t, 1, MSR_X2APIC(0x010));		/* #GP: reserved */
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_LDR), 5);	/* #GP: read-only */
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_ID), 5);	/* #GP: read-only */
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_SVR), 0x1ff);
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_TPR), 0x20);
	guest_rdmsr(t, 1, MSR_X2APIC(APIC_PPR));
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_TPR), 1ULL << 32);	/* #GP */
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_TPR), 0);
	guest_wrmsr(t, 1, MSR_X2APIC(0x3f0), 0x50);		/* SELF IPI */
	guest_wrmsr(t, 1, MSR_X2APIC(0x3f0), 0x150);		/* #GP */
	guest_rdmsr(t, 1, MSR_X2APIC(APIC_IRR + 0x20));
	inta(t, 1);
	guest_rdmsr(t, 1, MSR_X2APIC(APIC_ISR + 0x20));
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_EOI), 0);
	/* IPIs: to xAPIC vCPU 0, to itself by id and logically */
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_ICR), 0x51);
	guest_rdmsr(t, 1, MSR_X2APIC(APIC_ICR));
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_ICR), 1ULL << 32 | 0x52);
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_ICR), 2ULL << 32 | 0x800 | 0x54);
	/* #GP: reserved bit 20 */
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_ICR), 1ULL << 20 | 0x55);
	send_msi(t, MSI_ADDR(1), 0x66);
	inta(t, 0);
	eoi(t, 0);
	inta(t, 1);
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_EOI), 0);
	inta(t, 1);
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_EOI), 0);
	inta(t, 1);
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_EOI), 0);
	/* The x2APIC broadcast, with an xAPIC vCPU in the system */
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_ICR), 0xffffffffULL << 32 | 0x53);
	inta(t, 1);
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_EOI), 1);		/* non-zero */
	guest_wrmsr(t, 1, MSR_X2APIC(APIC_EOI), 0);
	/* Leaving x2APIC: not to xAPIC directly, only through disabled */
	guest_wrmsr(t, 1, MSR_APIC_BASE, 0xfee00800);		/* #GP */
	guest_wrmsr(t, 1, MSR_APIC_BASE, 0xfee00000);
	guest_wrmsr(t, 1, MSR_APIC_BASE, 0xfee00c00);		/* #GP */
	guest_wrmsr(t, 1, MSR_APIC_BASE, 0xfee00800);
	apic_r(t, 1, APIC_ID);
	EXPECT_EQ(0, t->bad);
}

/* IA32_APIC_BASE: a hardware-disabled LAPIC, and enabling it again */
TEST_F_TIMEOUT(kvmdiff, lapic_hw_disable, 120)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	extint_on(t);
	sw_enable(t, 1);
	apic_w(t, 1, APIC_TPR, 0x30);
	apic_w(t, 1, APIC_LDR, 0x02000000);
	send_msi(t, MSI_ADDR(1), 0x61);
	guest_wrmsr(t, 1, MSR_APIC_BASE, 0xfee00000);
	guest_rdmsr(t, 1, MSR_APIC_BASE);
	send_msi(t, MSI_ADDR(1), 0x62);	/* nobody takes it */
	send_msi(t, MSI_ADDR(2) | MSI_LOGICAL, 0x63);
	inta(t, 1);
	guest_wrmsr(t, 1, MSR_APIC_BASE, 0xfee00800);
	apic_r(t, 1, APIC_ID);
	apic_r(t, 1, APIC_SVR);
	sw_enable(t, 1);
	send_msi(t, MSI_ADDR(1), 0x64);
	/* The PIC's INTR with the LAPIC disabled */
	guest_wrmsr(t, 1, MSR_APIC_BASE, 0xfee00000);
	pic_init(t, 0x20, 0x01);
	pio_w(t, 0x21, 0xf7);
	line_pulse(t, 3);
	inta(t, 1);
	EXPECT_EQ(0, t->bad);
}

/* --- KVM's state, imported ---------------------------------------------- */

static int virq_set(int fd, unsigned long cmd, __u32 group, const void *p,
		    __u32 size)
{
	struct virq_attr a = {
		.group = group, .addr = (__u64)(uintptr_t)p, .size = size,
	};

	return ioctl(fd, cmd, &a);
}

/*
 * Move the KVM side's irqchip state, as KVM_GET_IRQCHIP and KVM_GET_LAPIC
 * give it, into a fresh virq instance (what a VMM switching a guest from
 * KVM's irqchip to virq does), and read it back: every register virq
 * keeps must come back as KVM had it.  The derived LAPIC registers
 * (version, APR, PPR, current count) are virq's own.
 */
static void import_kvm(struct __test_metadata *_metadata, struct dt *t)
{
	static struct virq_x86_ioapic_state io;
	static struct snap ks, vs;
	struct virq_x86_pic_state pic = { .version = VIRQ_X86_STATE_VERSION };
	struct virq_x86_lapic_state ls;
	struct vside v;
	__u32 off, kv, vv;
	int i;

	ASSERT_EQ(0, kvm_snap(&t->k, &ks));
	ASSERT_EQ(0, vside_open(&v));
	ASSERT_EQ(0, virq_get_attr(v.fd, VIRQ_GET_ATTR, VIRQ_X86_GRP_IOAPIC,
				   &io, sizeof(io)));
	/*
	 * virq's state also says which lines are high (level); KVM's irr is
	 * that for its level pins: an importer takes it from there.
	 */
	memcpy(&io.kvm, &ks.ioapic, sizeof(io.kvm));
	io.level[0] = ks.ioapic.irr;
	EXPECT_EQ(0, virq_set(v.fd, VIRQ_SET_ATTR, VIRQ_X86_GRP_IOAPIC, &io,
			      sizeof(io))) TH_LOG("IOAPIC: %s", strerror(errno));
	memcpy(pic.pics, ks.pic, sizeof(pic.pics));
	EXPECT_EQ(0, virq_set(v.fd, VIRQ_SET_ATTR, VIRQ_X86_GRP_PIC, &pic,
			      sizeof(pic))) TH_LOG("PIC: %s", strerror(errno));
	for (i = 0; i < NR_VCPUS; i++) {
		memset(&ls, 0, sizeof(ls));
		ls.version = VIRQ_X86_STATE_VERSION;
		ls.apic_base = ks.apic_base[i];
		memcpy(ls.regs, ks.regs[i], sizeof(ls.regs));
		EXPECT_EQ(0, virq_set(v.vcpu[i], VIRQ_VCPU_SET_ATTR,
				      VIRQ_X86_VGRP_LAPIC, &ls, sizeof(ls)))
			TH_LOG("LAPIC %d: %s", i, strerror(errno));
	}

	ASSERT_EQ(0, virq_snap(&v, &vs));
	EXPECT_EQ(0, memcmp(&ks.ioapic, &vs.ioapic, sizeof(ks.ioapic)));
	EXPECT_EQ(0, memcmp(ks.pic, vs.pic, sizeof(ks.pic)));
	for (i = 0; i < NR_VCPUS; i++) {
		EXPECT_EQ(ks.apic_base[i], vs.apic_base[i]);
		for (off = 0; off < 0x400; off += 0x10) {
			if (off == APIC_LVR || off == 0x90 || off == APIC_PPR ||
			    off == 0x390)
				continue;
			memcpy(&kv, &ks.regs[i][off], 4);
			memcpy(&vv, &vs.regs[i][off], 4);
			EXPECT_EQ(kv, vv) TH_LOG("LAPIC %d register %#x", i,
						 off);
		}
	}
	vside_close(&v);
}

/* At reset: KVM's BSP has LVT0 unmasked (ExtINT) in a disabled LAPIC */
TEST_F_TIMEOUT(kvmdiff, import_reset_state, 120)
{
	SKIP_IF_NEEDED();
	import_kvm(_metadata, self->t);
}

/* After the guest set up its PIC, IOAPIC and LAPICs, mid-interrupt */
TEST_F_TIMEOUT(kvmdiff, import_running_state, 120)
{
	struct dt *t = self->t;

	SKIP_IF_NEEDED();
	sw_enable(t, 0);
	sw_enable(t, 1);
	apic_w(t, 0, APIC_TPR, 0x20);
	rte_w(t, 16, 0x31);
	rte_w(t, 17, 0x0100000000008039ULL);	/* level, to APIC 1 */
	rte_w(t, 18, 0x0000000000018041ULL);	/* level, masked */
	line_pulse(t, 16);
	line(t, 17, 1);
	line(t, 18, 1);
	inta(t, 0);	/* 0x31 in service on APIC 0 */
	inta(t, 1);	/* 0x39 in service, remote IRR set */
	apic_w(t, 0, APIC_ICR, 0x40000 | 0x71);	/* self IPI, pending */
	import_kvm(_metadata, t);
	EXPECT_EQ(0, t->bad);
}

TEST_HARNESS_MAIN

#else /* !__x86_64__ */

TEST(kvm_diff)
{
	SKIP(return, "KVM's x86 irqchip exists only on x86-64 hosts");
}

TEST_HARNESS_MAIN

#endif
