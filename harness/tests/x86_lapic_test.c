// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the local APIC (virq/x86/lapic.c) alone: the rest of the
 * x86 family is faked here (the timer, the PIC, the EOI broadcast), and
 * the fakes record what the LAPIC asked of them.  vCPUs come from the
 * harness core with a small ops table that routes to the LAPIC.
 */
#include <stdlib.h>

#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>

#include "../core_stubs.h"
#include "../../virq/x86/lapic.h"
#include "tap.h"

#define BASE		VIRQ_X86_LAPIC_DEFAULT_BASE
#define MSR_BASE	VIRQ_X86_MSR_APIC_BASE
#define MSR_DEADLINE	VIRQ_X86_MSR_TSC_DEADLINE
#define EN		LAPIC_BASE_EN
#define EXTD		LAPIC_BASE_EXTD
#define BSP		LAPIC_BASE_BSP
#define X2(reg)		(0x800 + ((reg) >> 4))

/* --- fakes of the other pieces -------------------------------------------- */

struct timer_call {
	u32 lvtt, tmict, tdcr;
};

struct x86_timer {
	struct virq_vcpu *vcpu;
	unsigned long updates;
	struct timer_call log[16];
	u64 deadline;
	unsigned long deadline_writes;
	u32 tmcct;
	unsigned long restores;
	struct virq_x86_tsc tsc;
};

static int fake_timer_fail;	/* 1: NULL, 2: ERR_PTR(-EIO) */
static int fake_restore_ret;

struct x86_timer *x86_timer_create(struct virq_vcpu *vcpu)
{
	struct x86_timer *t;

	if (fake_timer_fail == 1)
		return NULL;
	if (fake_timer_fail == 2)
		return ERR_PTR(-EIO);
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (t)
		t->vcpu = vcpu;
	return t;
}

void x86_timer_destroy(struct x86_timer *t)
{
	kfree(t);
}

void x86_timer_update(struct x86_timer *t, u32 lvtt, u32 tmict, u32 tdcr)
{
	struct timer_call c = { lvtt, tmict, tdcr };

	t->log[t->updates++ % ARRAY_SIZE(t->log)] = c;
}

u32 x86_timer_read_tmcct(struct x86_timer *t)
{
	return t->tmcct;
}

void x86_timer_write_deadline(struct x86_timer *t, u64 tsc)
{
	t->deadline = tsc;
	t->deadline_writes++;
}

u64 x86_timer_read_deadline(struct x86_timer *t)
{
	return t->deadline;
}

void x86_timer_save(struct x86_timer *t, struct virq_x86_lapic_state *st)
{
	st->tsc_deadline = t->deadline;
	st->timer_guest_tsc = 1000;
	st->timer_expiry_tsc = t->tmcct;
}

int x86_timer_restore(struct x86_timer *t,
		      const struct virq_x86_lapic_state *st)
{
	if (fake_restore_ret)
		return fake_restore_ret;
	t->deadline = st->tsc_deadline;
	t->tmcct = st->timer_expiry_tsc;
	t->restores++;
	return 0;
}

/* x86_lapic_{get,set}_tsc() pass through, under the LAPIC lock */
int x86_timer_set_tsc(struct x86_timer *t, const struct virq_x86_tsc *tsc)
{
	struct virq_vcpu *vcpu = t->vcpu;

	CHECK(raw_spin_is_locked(&((struct x86_lapic *)vcpu->priv)->lock));
	if (tsc->tsc_khz > 10000000)
		return -EINVAL;
	t->tsc = *tsc;
	return 0;
}

void x86_timer_get_tsc(struct x86_timer *t, struct virq_x86_tsc *tsc)
{
	*tsc = t->tsc;
}

struct x86_pic {
	bool out;
	u8 vector;
	unsigned long intacks;
	unsigned long outputs;
};

static struct x86_pic fake_pic;

bool x86_pic_output(struct x86_pic *pic)
{
	pic->outputs++;
	return pic->out;
}

u8 x86_pic_intack(struct x86_pic *pic)
{
	pic->intacks++;
	return pic->out ? pic->vector : pic->vector | 7;
}

static u8 eoi_log[64];
static unsigned long nr_eoi;

void x86_eoi_broadcast(struct x86_chip *chip, u8 vector)
{
	WARN_ON(harness_locks_held());
	eoi_log[nr_eoi++ % ARRAY_SIZE(eoi_log)] = vector;
}

/* --- a chip made of LAPICs only ------------------------------------------- */

static u32 test_flags;
static bool test_no_pic;

static int fake_create(struct virq_instance *inst,
		       const struct virq_config *cfg)
{
	struct x86_chip *chip = kzalloc(sizeof(*chip), GFP_KERNEL);

	if (!chip)
		return -ENOMEM;
	chip->inst = inst;
	chip->flags = test_flags;
	chip->pic = test_no_pic ? NULL : &fake_pic;
	virq_view(inst)->chip = chip;
	return 0;
}

static void fake_destroy(struct virq_instance *inst)
{
	kfree(virq_view(inst)->chip);
	virq_view(inst)->chip = NULL;
}

static const struct virq_chip_ops fake_ops = {
	.family = VIRQ_FAMILY_X86,
	.name = "x86-lapic-test",
	.max_vcpus = 1024,
	.max_sources = 1024,
	.create = fake_create,
	.destroy = fake_destroy,
	.vcpu_create = x86_lapic_create,
	.vcpu_destroy = x86_lapic_destroy,
	.vcpu_output = x86_lapic_output,
	.vcpu_ack = x86_lapic_ack,
	.vcpu_access = x86_lapic_access,
};

/* A chip with @nr vCPUs of APIC ids @ids (NULL: the index) */
static struct virq_instance *lapic_new_opt(u32 nr, const u64 *ids, u32 flags,
					   bool pic)
{
	struct virq_instance *inst = harness_instance_open();
	u32 i;

	CHECK_FATAL(inst);
	test_flags = flags;
	test_no_pic = !pic;
	CHECK_FATAL(!harness_create_chip(inst, &fake_ops, nr, 16, NULL, 0));
	for (i = 0; i < nr; i++)
		CHECK_FATAL(!harness_create_vcpu(inst, i, ids ? ids[i] : i,
						 NULL));
	fake_pic = (struct x86_pic){ .vector = 0x28 };
	nr_eoi = 0;
	fake_restore_ret = 0;
	return inst;
}

static struct virq_instance *lapic_new(u32 nr)
{
	return lapic_new_opt(nr, NULL, 0, true);
}

static struct virq_vcpu *V(struct virq_instance *inst, u32 i)
{
	return virq_get_vcpu(inst, i);
}

static struct x86_lapic *L(struct virq_vcpu *v)
{
	return v->priv;
}

static struct x86_chip *C(struct virq_instance *inst)
{
	return x86_chip(inst);
}

static unsigned long kicks(struct virq_vcpu *v)
{
	return harness_vcpu(v)->kicks;
}

static u32 rd(struct virq_vcpu *v, u32 off)
{
	u64 d = 0xdeadbeef;

	CHECK_EQ(x86_lapic_access(v, VIRQ_SPACE_MMIO,
				  (L(v)->apic_base & LAPIC_BASE_ADDR) + off, 4,
				  false, &d), 0);
	return d;
}

static void wr(struct virq_vcpu *v, u32 off, u32 val)
{
	u64 d = val;

	CHECK_EQ(x86_lapic_access(v, VIRQ_SPACE_MMIO,
				  (L(v)->apic_base & LAPIC_BASE_ADDR) + off, 4,
				  true, &d), 0);
}

static int mmio(struct virq_vcpu *v, u64 addr, u32 len, bool write,
		u64 *d)
{
	return x86_lapic_access(v, VIRQ_SPACE_MMIO, addr, len, write, d);
}

static int msr_rd(struct virq_vcpu *v, u32 msr, u64 *d)
{
	return x86_lapic_access(v, VIRQ_SPACE_MSR, msr, 8, false, d);
}

static int msr_wr(struct virq_vcpu *v, u32 msr, u64 val)
{
	return x86_lapic_access(v, VIRQ_SPACE_MSR, msr, 8, true, &val);
}

static u64 msr(struct virq_vcpu *v, u32 m)
{
	u64 d = 0xdeadbeef;

	CHECK_EQ(msr_rd(v, m, &d), 0);
	return d;
}

static u32 out(struct virq_vcpu *v)
{
	return x86_lapic_output(v, NULL);
}

static u64 inta(struct virq_vcpu *v)
{
	u64 id = 0xdead;

	CHECK_EQ(x86_lapic_ack(v, 0, &id), 0);
	return id;
}

/* The register page as it is, whatever the mode (no access made) */
static u32 peek(struct virq_vcpu *v, u32 off)
{
	const u8 *p = L(v)->regs + off;

	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static bool irr(struct virq_vcpu *v, u8 vec)
{
	return peek(v, LAPIC_IRR + (vec >> 5) * 0x10) & BIT(vec & 31);
}

static bool isr(struct virq_vcpu *v, u8 vec)
{
	return peek(v, LAPIC_ISR + (vec >> 5) * 0x10) & BIT(vec & 31);
}

static bool tmr(struct virq_vcpu *v, u8 vec)
{
	return peek(v, LAPIC_TMR + (vec >> 5) * 0x10) & BIT(vec & 31);
}

static void enable(struct virq_vcpu *v)
{
	wr(v, LAPIC_SVR, 0x1ff);
}

static void to_x2apic(struct virq_vcpu *v)
{
	CHECK_EQ(msr_wr(v, MSR_BASE, (L(v)->apic_base & ~EXTD) | EN | EXTD),
		 0);
	CHECK_EQ(msr_wr(v, X2(LAPIC_SVR), 0x1ff), 0);
}

static int send(struct virq_instance *inst, u32 dest, u8 dm, u8 vec,
		bool logical, bool level)
{
	struct x86_irq irq = {
		.dest = dest, .vector = vec, .delivery_mode = dm,
		.logical = logical, .level = level, .assert = true,
	};

	return x86_deliver(C(inst), &irq, NULL);
}

static int fixed(struct virq_instance *inst, u32 dest, u8 vec)
{
	return send(inst, dest, X86_DM_FIXED, vec, false, false);
}

static int send_x2(struct virq_instance *inst, u32 dest, u8 vec,
		   bool logical)
{
	struct x86_irq irq = {
		.dest = dest, .vector = vec, .delivery_mode = X86_DM_FIXED,
		.logical = logical, .assert = true, .x2apic_dest = true,
	};

	return x86_deliver(C(inst), &irq, NULL);
}

/* A physical message to the vCPU's own id, in the format its mode reads */
static int send_to(struct virq_vcpu *v, u8 dm, u8 vec, bool level)
{
	struct x86_irq irq = {
		.dest = v->arch_id, .vector = vec, .delivery_mode = dm,
		.level = level, .assert = true,
		.x2apic_dest = L(v)->apic_base & EXTD,
	};

	return x86_deliver(x86_chip(v->inst), &irq, NULL);
}

static void ipi(struct virq_vcpu *v, u32 dest, u32 lo)
{
	wr(v, LAPIC_ICR2, dest << 24);
	wr(v, LAPIC_ICR, lo);
}

static struct timer_call last_update(struct virq_vcpu *v, unsigned int back)
{
	struct x86_timer *t = L(v)->timer;

	return t->log[(t->updates - 1 - back) % ARRAY_SIZE(t->log)];
}

static void get_state(struct virq_vcpu *v, struct virq_x86_lapic_state *st)
{
	memset(st, 0xcc, sizeof(*st));
	x86_lapic_get_state(v, st);
}

static u32 st_reg(const struct virq_x86_lapic_state *st, u32 off)
{
	const u8 *p = st->regs + off;

	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static void st_set(struct virq_x86_lapic_state *st, u32 off, u32 val)
{
	u8 *p = st->regs + off;

	p[0] = val;
	p[1] = val >> 8;
	p[2] = val >> 16;
	p[3] = val >> 24;
}

/* --- tests ---------------------------------------------------------------- */

TEST(create_and_reset_state)
{
	u64 ids[] = { 5, 7 };
	struct virq_instance *inst = lapic_new_opt(2, ids, 0, true);
	struct virq_vcpu *v0 = V(inst, 0), *v1 = V(inst, 1);
	struct timer_call c;
	unsigned int i;

	CHECK_EQ(msr(v0, MSR_BASE), BASE | EN | BSP);
	CHECK_EQ(msr(v1, MSR_BASE), BASE | EN);
	CHECK_EQ(rd(v0, LAPIC_ID), 5 << 24);
	CHECK_EQ(rd(v1, LAPIC_ID), 7 << 24);
	CHECK_EQ(rd(v0, LAPIC_LVR), 0x00050014);
	CHECK_EQ(rd(v0, LAPIC_TPR), 0);
	CHECK_EQ(rd(v0, LAPIC_PPR), 0);
	CHECK_EQ(rd(v0, LAPIC_LDR), 0);
	CHECK_EQ(rd(v0, LAPIC_DFR), 0xffffffff);
	CHECK_EQ(rd(v0, LAPIC_SVR), 0xff);
	CHECK_EQ(rd(v0, LAPIC_ESR), 0);
	CHECK_EQ(rd(v0, LAPIC_ICR), 0);
	CHECK_EQ(rd(v0, LAPIC_ICR2), 0);
	CHECK_EQ(rd(v0, LAPIC_TMICT), 0);
	CHECK_EQ(rd(v0, LAPIC_TDCR), 0);
	for (i = LAPIC_LVTT; i <= LAPIC_LVTERR; i += 0x10)
		CHECK_EQ(rd(v0, i), LAPIC_MASKED);
	for (i = 0; i < 8; i++) {
		CHECK_EQ(rd(v0, LAPIC_IRR + i * 16), 0);
		CHECK_EQ(rd(v0, LAPIC_ISR + i * 16), 0);
		CHECK_EQ(rd(v0, LAPIC_TMR + i * 16), 0);
	}
	c = last_update(v0, 0);
	CHECK_EQ(c.lvtt, LAPIC_MASKED);
	CHECK_EQ(c.tmict, 0);
	CHECK_EQ(c.tdcr, 0);
	CHECK_EQ(out(v0), 0);
	CHECK_EQ(out(v1), 0);
	harness_instance_close(inst);

	inst = lapic_new_opt(1, NULL, VIRQ_X86_OPT_DIRECTED_EOI, true);
	CHECK_EQ(rd(V(inst, 0), LAPIC_LVR), 0x01050014);
	harness_instance_close(inst);

	/* 0xffffffff is the x2APIC broadcast, not an id */
	inst = harness_instance_open();
	CHECK_FATAL(inst);
	CHECK_EQ(harness_create_chip(inst, &fake_ops, 2, 16, NULL, 0), 0);
	CHECK_EQ(harness_create_vcpu(inst, 0, 0xffffffffULL, NULL), -EINVAL);
	CHECK_EQ(harness_create_vcpu(inst, 0, 1ULL << 32, NULL), -EINVAL);
	CHECK_EQ(harness_create_vcpu(inst, 1, 0xfffffffeULL, NULL), 0);
	CHECK_EQ(rd(V(inst, 1), LAPIC_ID), 0xfe000000);
	CHECK(!V(inst, 0));
	/* a hole in the vCPU array: delivery skips it */
	CHECK_EQ(send(inst, 0xff, X86_DM_NMI, 0, false, false), 1);
	harness_instance_close(inst);
}

TEST(mmio_widths_and_reserved)
{
	struct virq_instance *inst = lapic_new_opt(1, (u64[]){ 5 }, 0, true);
	struct virq_vcpu *v = V(inst, 0);
	u64 d;

	wr(v, LAPIC_TPR, 0xa5);
	CHECK_EQ(rd(v, LAPIC_TPR), 0xa5);
	d = 0x1234;
	CHECK_EQ(mmio(v, BASE + LAPIC_TPR, 1, false, &d), 0);
	CHECK_EQ(d, 0xa5);
	CHECK_EQ(mmio(v, BASE + LAPIC_ID + 2, 2, false, &d), 0);
	CHECK_EQ(d, 0x0500);
	CHECK_EQ(mmio(v, BASE + LAPIC_ID + 3, 1, false, &d), 0);
	CHECK_EQ(d, 5);
	/* beyond the first four bytes, or 8 bytes wide: reads 0 */
	CHECK_EQ(mmio(v, BASE + LAPIC_ID + 3, 2, false, &d), 0);
	CHECK_EQ(d, 0);
	d = 1;
	CHECK_EQ(mmio(v, BASE + LAPIC_ID, 8, false, &d), 0);
	CHECK_EQ(d, 0);
	d = 1;
	CHECK_EQ(mmio(v, BASE + LAPIC_ID + 4, 4, false, &d), 0);
	CHECK_EQ(d, 0);
	/* writes other than 32-bit aligned are dropped */
	d = 0x11;
	CHECK_EQ(mmio(v, BASE + LAPIC_TPR, 2, true, &d), 0);
	CHECK_EQ(mmio(v, BASE + LAPIC_TPR, 8, true, &d), 0);
	CHECK_EQ(mmio(v, BASE + LAPIC_TPR + 4, 4, true, &d), 0);
	CHECK_EQ(rd(v, LAPIC_TPR), 0xa5);
	/* read-only and write-only registers */
	wr(v, LAPIC_LVR, 0);
	wr(v, LAPIC_PPR, 0);
	CHECK_EQ(rd(v, LAPIC_LVR), 0x00050014);
	CHECK_EQ(rd(v, LAPIC_PPR), 0xa5);
	CHECK_EQ(rd(v, LAPIC_EOI), 0);
	CHECK_EQ(rd(v, LAPIC_SELF_IPI), 0);	/* x2APIC only: reserved */
	/* the ESR latches at a write */
	wr(v, LAPIC_ESR, 0);
	CHECK_EQ(rd(v, LAPIC_ESR), LAPIC_ESR_ILLEGAL_REG);
	wr(v, LAPIC_ESR, 0);
	CHECK_EQ(rd(v, LAPIC_ESR), 0);
	CHECK_EQ(rd(v, 0x40), 0);
	CHECK_EQ(rd(v, 0x2f0), 0);		/* no CMCI */
	wr(v, 0xc0, 0);				/* RRD */
	wr(v, LAPIC_ESR, 0);
	CHECK_EQ(rd(v, LAPIC_ESR), LAPIC_ESR_ILLEGAL_REG);
	d = 7;
	CHECK_EQ(mmio(v, BASE + 0x800, 4, false, &d), 0);
	CHECK_EQ(d, 0);
	/* not the LAPIC's */
	d = 0x1234;
	CHECK_EQ(mmio(v, BASE + 0x1000, 4, false, &d), -ENXIO);
	CHECK_EQ(mmio(v, BASE - 4, 4, false, &d), -ENXIO);
	CHECK_EQ(x86_lapic_access(v, VIRQ_SPACE_PIO, 0x20, 1, false, &d),
		 -ENXIO);
	CHECK_EQ(x86_lapic_access(v, VIRQ_SPACE_SYSREG, 0, 8, false, &d),
		 -ENXIO);
	CHECK_EQ(x86_lapic_access(v, VIRQ_SPACE_MSR, 0x10, 8, false, &d),
		 -ENXIO);
	CHECK_EQ(x86_lapic_access(v, VIRQ_SPACE_MSR, 0x7ff, 8, false, &d),
		 -ENXIO);
	CHECK_EQ(x86_lapic_access(v, VIRQ_SPACE_MSR, 0x900, 8, true, &d),
		 -ENXIO);
	CHECK_EQ(d, 0x1234);

	/* relocation */
	CHECK_EQ(msr_wr(v, MSR_BASE, 0xfed00000ULL | EN | BSP), 0);
	CHECK_EQ(mmio(v, BASE + LAPIC_ID, 4, false, &d), -ENXIO);
	CHECK_EQ(mmio(v, 0xfed00000ULL + LAPIC_ID, 4, false, &d), 0);
	CHECK_EQ(d, 5 << 24);
	CHECK_EQ(rd(v, LAPIC_TPR), 0xa5);	/* relocation keeps state */
	CHECK_EQ(msr_wr(v, MSR_BASE, 0xfffffffff000ULL | EN | BSP), 0);
	CHECK_EQ(mmio(v, 0xfffffffff000ULL + LAPIC_TPR, 4, false, &d), 0);
	CHECK_EQ(d, 0xa5);
	/* an MSR value is the low len bytes */
	CHECK_EQ(x86_lapic_access(v, VIRQ_SPACE_MSR, MSR_BASE, 4, false, &d),
		 0);
	CHECK_EQ(d, 0xfffff900);
	harness_instance_close(inst);
}

TEST(x2apic_msrs)
{
	struct virq_instance *inst = lapic_new_opt(1, (u64[]){ 0x123 }, 0,
						   true);
	struct virq_vcpu *v = V(inst, 0);
	u64 d;

	/* xAPIC mode: the x2APIC MSRs raise #GP */
	CHECK_EQ(msr_rd(v, X2(LAPIC_ID), &d), -EINVAL);
	CHECK_EQ(msr_wr(v, X2(LAPIC_TPR), 0), -EINVAL);
	CHECK_EQ(rd(v, LAPIC_ID), 0x23000000);

	CHECK_EQ(msr_wr(v, MSR_BASE, BASE | EN | EXTD | BSP), 0);
	CHECK_EQ(msr(v, MSR_BASE), BASE | EN | EXTD | BSP);
	CHECK_EQ(mmio(v, BASE + LAPIC_ID, 4, false, &d), -ENXIO);
	CHECK_EQ(mmio(v, BASE + LAPIC_TPR, 4, true, &d), -ENXIO);
	CHECK_EQ(msr(v, X2(LAPIC_ID)), 0x123);
	CHECK_EQ(msr(v, X2(LAPIC_LDR)), 0x120008);
	CHECK_EQ(msr(v, X2(LAPIC_LVR)), 0x50014);
	CHECK_EQ(msr(v, X2(LAPIC_SVR)), 0xff);

	CHECK_EQ(msr_wr(v, X2(LAPIC_TPR), 0x20), 0);
	CHECK_EQ(msr(v, X2(LAPIC_TPR)), 0x20);
	CHECK_EQ(msr(v, X2(LAPIC_PPR)), 0x20);
	CHECK_EQ(msr_wr(v, X2(LAPIC_TPR), 1ULL << 32), -EINVAL);
	CHECK_EQ(msr(v, X2(LAPIC_TPR)), 0x20);
	/* read-only */
	CHECK_EQ(msr_wr(v, X2(LAPIC_ID), 0x123), -EINVAL);
	CHECK_EQ(msr_wr(v, X2(LAPIC_LVR), 0), -EINVAL);
	CHECK_EQ(msr_wr(v, X2(LAPIC_PPR), 0), -EINVAL);
	CHECK_EQ(msr_wr(v, X2(LAPIC_LDR), 0), -EINVAL);
	CHECK_EQ(msr_wr(v, X2(LAPIC_ISR), 0), -EINVAL);
	CHECK_EQ(msr_wr(v, X2(LAPIC_IRR + 0x70), 0), -EINVAL);
	CHECK_EQ(msr_wr(v, X2(LAPIC_TMCCT), 0), -EINVAL);
	/* xAPIC only */
	CHECK_EQ(msr_rd(v, X2(LAPIC_APR), &d), -EINVAL);
	CHECK_EQ(msr_rd(v, X2(LAPIC_DFR), &d), -EINVAL);
	CHECK_EQ(msr_wr(v, X2(LAPIC_DFR), 0), -EINVAL);
	CHECK_EQ(msr_rd(v, X2(LAPIC_ICR2), &d), -EINVAL);
	/* write-only */
	CHECK_EQ(msr_rd(v, X2(LAPIC_EOI), &d), -EINVAL);
	CHECK_EQ(msr_rd(v, X2(LAPIC_SELF_IPI), &d), -EINVAL);
	CHECK_EQ(msr_wr(v, X2(LAPIC_EOI), 0), 0);
	CHECK_EQ(msr_wr(v, X2(LAPIC_EOI), 1), -EINVAL);
	CHECK_EQ(msr_wr(v, X2(LAPIC_SELF_IPI), 0x100), -EINVAL);
	CHECK_EQ(msr_wr(v, X2(LAPIC_ESR), 0), 0);
	CHECK_EQ(msr_wr(v, X2(LAPIC_ESR), 1), -EINVAL);
	/* reserved */
	CHECK_EQ(msr_rd(v, 0x801, &d), -EINVAL);
	CHECK_EQ(msr_rd(v, 0x82f, &d), -EINVAL);
	CHECK_EQ(msr_rd(v, 0x840, &d), -EINVAL);
	CHECK_EQ(msr_wr(v, 0x8ff, 0), -EINVAL);
	/* ICR: 64 bits, reserved bits #GP, delivery status ignored */
	CHECK_EQ(msr_wr(v, X2(LAPIC_ICR), BIT(13) | 0x40), -EINVAL);
	CHECK_EQ(msr_wr(v, X2(LAPIC_ICR), BIT(16) | 0x40), -EINVAL);
	CHECK_EQ(msr_wr(v, X2(LAPIC_ICR), BIT(20) | 0x40), -EINVAL);
	CHECK_EQ(msr_wr(v, X2(LAPIC_ICR), BIT_ULL(31) | 0x40), -EINVAL);
	CHECK_EQ(msr(v, X2(LAPIC_ICR)), 0);
	CHECK_EQ(msr_wr(v, X2(LAPIC_ICR), 0x77ULL << 32 | BIT(12) | 0x4040),
		 0);
	CHECK_EQ(msr(v, X2(LAPIC_ICR)), 0x77ULL << 32 | 0x4040);
	/* no IPI to id 0x77 exists; nothing arrived here either */
	CHECK_EQ(msr(v, X2(LAPIC_IRR + 0x20)), 0);

	/* mode transitions */
	CHECK_EQ(msr_wr(v, MSR_BASE, BASE | EN | BSP), -EINVAL);
	CHECK_EQ(msr_wr(v, MSR_BASE, BASE | EXTD | BSP), -EINVAL);
	CHECK_EQ(msr(v, MSR_BASE), BASE | EN | EXTD | BSP);
	CHECK_EQ(msr_wr(v, MSR_BASE, BASE | BSP), 0);	/* to disabled */
	CHECK_EQ(msr_rd(v, X2(LAPIC_ID), &d), -EINVAL);
	CHECK_EQ(mmio(v, BASE + LAPIC_ID, 4, false, &d), -ENXIO);
	CHECK_EQ(msr_wr(v, MSR_BASE, BASE | EN | EXTD | BSP), -EINVAL);
	CHECK_EQ(msr(v, MSR_BASE), BASE | BSP);
	CHECK_EQ(msr_wr(v, MSR_BASE, BASE | EN | BSP), 0);	/* to xAPIC */
	CHECK_EQ(rd(v, LAPIC_ID), 0x23000000);
	CHECK_EQ(rd(v, LAPIC_TPR), 0);		/* power-up state again */
	CHECK_EQ(rd(v, LAPIC_SVR), 0xff);
	/* reserved IA32_APIC_BASE bits */
	CHECK_EQ(msr_wr(v, MSR_BASE, BASE | EN | BIT(9)), -EINVAL);
	CHECK_EQ(msr_wr(v, MSR_BASE, BASE | EN | BIT(0)), -EINVAL);
	CHECK_EQ(msr_wr(v, MSR_BASE, BASE | EN | BIT_ULL(52)), -EINVAL);
	CHECK_EQ(msr_wr(v, MSR_BASE, BASE | EN | BIT_ULL(63)), -EINVAL);
	CHECK_EQ(msr(v, MSR_BASE), BASE | EN | BSP);
	/* the BSP flag is writable */
	CHECK_EQ(msr_wr(v, MSR_BASE, BASE | EN), 0);
	CHECK_EQ(msr(v, MSR_BASE), BASE | EN);
	/* xAPIC state survives the switch to x2APIC, but ID and LDR */
	wr(v, LAPIC_TPR, 0x31);
	wr(v, LAPIC_LDR, 0x5a000000);
	CHECK_EQ(msr_wr(v, MSR_BASE, BASE | EN | EXTD), 0);
	CHECK_EQ(msr(v, X2(LAPIC_TPR)), 0x31);
	CHECK_EQ(msr(v, X2(LAPIC_ID)), 0x123);
	CHECK_EQ(msr(v, X2(LAPIC_LDR)), 0x120008);
	harness_instance_close(inst);
}

TEST(tpr_ppr_masking)
{
	struct virq_instance *inst = lapic_new_opt(1, (u64[]){ 3 }, 0, true);
	struct virq_vcpu *v = V(inst, 0);
	unsigned long k;

	enable(v);
	k = kicks(v);
	CHECK_EQ(fixed(inst, 3, 0x45), 1);
	CHECK(kicks(v) > k);
	CHECK_EQ(out(v), VIRQ_OUT_INT);
	CHECK(irr(v, 0x45));
	CHECK(!tmr(v, 0x45));
	CHECK_EQ(fixed(inst, 3, 0x45), 0);	/* pending already */
	CHECK_EQ(fixed(inst, 4, 0x46), 0);	/* not this id */

	wr(v, LAPIC_TPR, 0x50);
	CHECK_EQ(rd(v, LAPIC_PPR), 0x50);
	CHECK_EQ(out(v), 0);
	wr(v, LAPIC_TPR, 0x4f);			/* same class */
	CHECK_EQ(out(v), 0);
	CHECK_EQ(inta(v), 0xff);		/* spurious */
	CHECK(irr(v, 0x45));
	k = kicks(v);
	wr(v, LAPIC_TPR, 0x3f);
	CHECK_EQ(out(v), VIRQ_OUT_INT);
	CHECK(kicks(v) > k);

	CHECK_EQ(inta(v), 0x45);
	CHECK_EQ(harness_vcpu(v)->last_ack, 0x45);
	CHECK(!irr(v, 0x45));
	CHECK(isr(v, 0x45));
	CHECK_EQ(rd(v, LAPIC_PPR), 0x40);
	CHECK_EQ(out(v), 0);
	wr(v, LAPIC_EOI, 0);
	CHECK(!isr(v, 0x45));
	CHECK_EQ(rd(v, LAPIC_PPR), 0x3f);
	CHECK_EQ(nr_eoi, 0);
	/* an EOI with nothing in service does nothing */
	wr(v, LAPIC_EOI, 0);
	CHECK_EQ(rd(v, LAPIC_PPR), 0x3f);
	harness_instance_close(inst);
}

TEST(priority_order_and_apr)
{
	struct virq_instance *inst = lapic_new(1);
	struct virq_vcpu *v = V(inst, 0);

	enable(v);
	CHECK_EQ(fixed(inst, 0, 0x31), 1);
	CHECK_EQ(fixed(inst, 0, 0x52), 1);
	CHECK_EQ(fixed(inst, 0, 0x40), 1);
	/* APR: the highest of TPR, ISRV and IRRV classes */
	CHECK_EQ(rd(v, LAPIC_APR), 0x50);
	CHECK_EQ(inta(v), 0x52);
	CHECK_EQ(rd(v, LAPIC_PPR), 0x50);
	CHECK_EQ(out(v), 0);
	CHECK_EQ(inta(v), 0xff);
	CHECK_EQ(fixed(inst, 0, 0x61), 1);
	CHECK_EQ(out(v), VIRQ_OUT_INT);
	CHECK_EQ(inta(v), 0x61);
	CHECK_EQ(rd(v, LAPIC_PPR), 0x60);
	wr(v, LAPIC_EOI, 0);			/* ends 0x61, the highest */
	CHECK(isr(v, 0x52));
	CHECK(!isr(v, 0x61));
	CHECK_EQ(rd(v, LAPIC_PPR), 0x50);
	wr(v, LAPIC_EOI, 0);
	CHECK_EQ(rd(v, LAPIC_PPR), 0);
	CHECK_EQ(inta(v), 0x40);
	CHECK_EQ(out(v), 0);			/* 0x31 below class 4 */
	wr(v, LAPIC_EOI, 0);
	CHECK_EQ(inta(v), 0x31);
	wr(v, LAPIC_EOI, 0);
	CHECK_EQ(rd(v, LAPIC_APR), 0);
	/* APR is TPR when TPR is above the requests and services */
	wr(v, LAPIC_TPR, 0x73);
	CHECK_EQ(fixed(inst, 0, 0x41), 1);
	CHECK_EQ(rd(v, LAPIC_APR), 0x73);
	harness_instance_close(inst);
}

TEST(level_eoi_broadcast_and_suppression)
{
	struct virq_instance *inst = lapic_new(1);
	struct virq_vcpu *v = V(inst, 0);

	enable(v);
	CHECK_EQ(send(inst, 0, X86_DM_FIXED, 0x70, false, true), 1);
	CHECK(tmr(v, 0x70));
	CHECK_EQ(inta(v), 0x70);
	wr(v, LAPIC_EOI, 0);
	CHECK_EQ(nr_eoi, 1);
	CHECK_EQ(eoi_log[0], 0x70);
	/* edge: TMR cleared, no broadcast */
	CHECK_EQ(fixed(inst, 0, 0x70), 1);
	CHECK(!tmr(v, 0x70));
	CHECK_EQ(inta(v), 0x70);
	wr(v, LAPIC_EOI, 0);
	CHECK_EQ(nr_eoi, 1);
	/* a level de-assert message is ignored */
	{
		struct x86_irq irq = { .dest = 0, .vector = 0x71,
				       .level = true };

		CHECK_EQ(x86_deliver(C(inst), &irq, NULL), 0);
		CHECK(!irr(v, 0x71));
	}
	/* no directed EOI: SVR bit 12 is not writable */
	wr(v, LAPIC_SVR, 0x11ff);
	CHECK_EQ(rd(v, LAPIC_SVR), 0x1ff);
	wr(v, LAPIC_SVR, 0xffffffff);
	CHECK_EQ(rd(v, LAPIC_SVR), 0x3ff);
	CHECK_EQ(send(inst, 0, X86_DM_FIXED, 0x72, false, true), 1);
	CHECK_EQ(inta(v), 0x72);
	wr(v, LAPIC_EOI, 0);
	CHECK_EQ(nr_eoi, 2);
	CHECK_EQ(eoi_log[1], 0x72);
	harness_instance_close(inst);

	inst = lapic_new_opt(1, NULL, VIRQ_X86_OPT_DIRECTED_EOI, true);
	v = V(inst, 0);
	wr(v, LAPIC_SVR, 0x11ff);
	CHECK_EQ(rd(v, LAPIC_SVR), 0x11ff);
	CHECK_EQ(send(inst, 0, X86_DM_FIXED, 0x70, false, true), 1);
	CHECK_EQ(inta(v), 0x70);
	wr(v, LAPIC_EOI, 0);
	CHECK_EQ(nr_eoi, 0);			/* suppressed */
	CHECK(!isr(v, 0x70));
	wr(v, LAPIC_SVR, 0x1ff);
	CHECK_EQ(send(inst, 0, X86_DM_FIXED, 0x70, false, true), 1);
	CHECK_EQ(inta(v), 0x70);
	wr(v, LAPIC_EOI, 0);
	CHECK_EQ(nr_eoi, 1);
	CHECK_EQ(eoi_log[0], 0x70);
	/* the same through the x2APIC EOI MSR */
	to_x2apic(v);
	CHECK_EQ(send(inst, 0, X86_DM_FIXED, 0x90, false, true), 1);
	CHECK_EQ(inta(v), 0x90);
	CHECK_EQ(msr_wr(v, X2(LAPIC_EOI), 0), 0);
	CHECK_EQ(nr_eoi, 2);
	CHECK_EQ(eoi_log[1], 0x90);
	harness_instance_close(inst);
}

TEST(spurious_and_software_disable)
{
	struct virq_instance *inst = lapic_new(1);
	struct virq_vcpu *v = V(inst, 0);
	unsigned int i;

	CHECK_EQ(inta(v), 0xff);
	CHECK_EQ(fixed(inst, 0, 0x50), 0);	/* software-disabled */
	CHECK(!irr(v, 0x50));
	wr(v, LAPIC_SVR, 0x1cf);
	CHECK_EQ(inta(v), 0xcf);
	CHECK_EQ(harness_vcpu(v)->last_ack, 0xcf);
	for (i = LAPIC_LVTT; i <= LAPIC_LVTERR; i += 0x10)
		wr(v, i, 0x40 + (i >> 4));
	CHECK_EQ(rd(v, LAPIC_LVT0), 0x75);
	CHECK_EQ(fixed(inst, 0, 0x50), 1);
	CHECK_EQ(out(v), VIRQ_OUT_INT);

	/* disabling: requests are held, LVTs masked and stay masked */
	wr(v, LAPIC_SVR, 0x0cf);
	CHECK_EQ(out(v), 0);
	CHECK_EQ(inta(v), 0xcf);
	CHECK(irr(v, 0x50));
	for (i = LAPIC_LVTT; i <= LAPIC_LVTERR; i += 0x10)
		CHECK_EQ(rd(v, i), LAPIC_MASKED | (0x40 + (i >> 4)));
	CHECK_EQ(last_update(v, 0).lvtt, LAPIC_MASKED | 0x72);
	wr(v, LAPIC_LVT1, 0x61);
	CHECK_EQ(rd(v, LAPIC_LVT1), LAPIC_MASKED | 0x61);
	wr(v, LAPIC_SVR, 0x1cf);
	CHECK_EQ(rd(v, LAPIC_LVT1), LAPIC_MASKED | 0x61);
	CHECK_EQ(out(v), VIRQ_OUT_INT);
	CHECK_EQ(inta(v), 0x50);
	harness_instance_close(inst);
}

TEST(lvt_write_masks)
{
	struct virq_instance *inst = lapic_new(1);
	struct virq_vcpu *v = V(inst, 0);

	enable(v);
	wr(v, LAPIC_LVTT, 0xffffffff);
	CHECK_EQ(rd(v, LAPIC_LVTT), 0x700ff);
	wr(v, LAPIC_LVTTHMR, 0xffffffff);
	CHECK_EQ(rd(v, LAPIC_LVTTHMR), 0x107ff);
	wr(v, LAPIC_LVTPC, 0xffffffff);
	CHECK_EQ(rd(v, LAPIC_LVTPC), 0x107ff);
	wr(v, LAPIC_LVT0, 0xffffffff);
	CHECK_EQ(rd(v, LAPIC_LVT0), 0x1a7ff);	/* no remote IRR, status */
	wr(v, LAPIC_LVT1, 0xffffffff);
	CHECK_EQ(rd(v, LAPIC_LVT1), 0x1a7ff);
	wr(v, LAPIC_LVTERR, 0xffffffff);
	CHECK_EQ(rd(v, LAPIC_LVTERR), 0x100ff);
	wr(v, LAPIC_TDCR, 0xffffffff);
	CHECK_EQ(rd(v, LAPIC_TDCR), 0xb);
	wr(v, LAPIC_TPR, 0xffffffff);
	CHECK_EQ(rd(v, LAPIC_TPR), 0xff);
	wr(v, LAPIC_ID, 0xffffffff);
	CHECK_EQ(rd(v, LAPIC_ID), 0xff000000);
	wr(v, LAPIC_LDR, 0xffffffff);
	CHECK_EQ(rd(v, LAPIC_LDR), 0xff000000);
	wr(v, LAPIC_DFR, 0);
	CHECK_EQ(rd(v, LAPIC_DFR), 0x0fffffff);
	wr(v, LAPIC_ICR2, 0xffffffff);
	CHECK_EQ(rd(v, LAPIC_ICR2), 0xff000000);
	wr(v, LAPIC_ICR, 0xfff3b000);		/* reserved, status, no send */
	CHECK_EQ(rd(v, LAPIC_ICR), 0x8000);
	harness_instance_close(inst);
}

TEST(esr_illegal_vectors_and_error_interrupt)
{
	struct virq_instance *inst = lapic_new(1);
	struct virq_vcpu *v = V(inst, 0);

	enable(v);
	CHECK_EQ(fixed(inst, 0, 5), 0);
	CHECK(!irr(v, 5));
	CHECK_EQ(rd(v, LAPIC_ESR), 0);		/* not latched yet */
	wr(v, LAPIC_ESR, 0);
	CHECK_EQ(rd(v, LAPIC_ESR), LAPIC_ESR_RECV_ILLEGAL);

	wr(v, LAPIC_LVTERR, 0xe0);
	CHECK_EQ(send(inst, 0, X86_DM_LOWEST, 7, false, false), 0);
	CHECK(irr(v, 0xe0));
	CHECK_EQ(inta(v), 0xe0);
	wr(v, LAPIC_EOI, 0);
	/* the same error again before an ESR write: no new interrupt */
	CHECK_EQ(fixed(inst, 0, 8), 0);
	CHECK(!irr(v, 0xe0));
	wr(v, LAPIC_ESR, 0);
	CHECK_EQ(rd(v, LAPIC_ESR), LAPIC_ESR_RECV_ILLEGAL);
	CHECK_EQ(fixed(inst, 0, 8), 0);		/* re-armed */
	CHECK(irr(v, 0xe0));
	CHECK_EQ(inta(v), 0xe0);
	wr(v, LAPIC_EOI, 0);
	wr(v, LAPIC_ESR, 0);

	/* a self IPI with vector 3: send and receive errors */
	wr(v, LAPIC_ICR, 0x44003);
	CHECK(irr(v, 0xe0));
	wr(v, LAPIC_ESR, 0);
	CHECK_EQ(rd(v, LAPIC_ESR), LAPIC_ESR_SEND_ILLEGAL |
		 LAPIC_ESR_RECV_ILLEGAL);
	CHECK_EQ(inta(v), 0xe0);
	wr(v, LAPIC_EOI, 0);

	/* an error vector below 16 is itself an error, raising nothing */
	wr(v, LAPIC_LVTERR, 0x05);
	wr(v, LAPIC_ESR, 0);
	rd(v, 0x40);
	wr(v, LAPIC_ESR, 0);
	CHECK_EQ(rd(v, LAPIC_ESR), LAPIC_ESR_ILLEGAL_REG |
		 LAPIC_ESR_RECV_ILLEGAL);
	CHECK_EQ(out(v), 0);
	/* masked error entry: the ESR still records */
	wr(v, LAPIC_LVTERR, LAPIC_MASKED | 0xe0);
	CHECK_EQ(fixed(inst, 0, 1), 0);
	CHECK(!irr(v, 0xe0));
	wr(v, LAPIC_ESR, 0);
	CHECK_EQ(rd(v, LAPIC_ESR), LAPIC_ESR_RECV_ILLEGAL);
	harness_instance_close(inst);
}

static void flat_ldrs(struct virq_instance *inst, const u8 *ldr, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		enable(V(inst, i));
		wr(V(inst, i), LAPIC_LDR, (u32)ldr[i] << 24);
	}
}

static u32 irr_mask(struct virq_instance *inst, u32 n, u8 vec)
{
	u32 i, m = 0;

	for (i = 0; i < n; i++)
		if (irr(V(inst, i), vec))
			m |= BIT(i);
	return m;
}

TEST(lowest_priority_arbitration)
{
	struct virq_instance *inst = lapic_new(4);
	struct x86_irq irq = { .dest = 0x0f, .delivery_mode = X86_DM_FIXED,
			       .logical = true, .assert = true,
			       .redir_hint = true, .vector = 0x80 };

	flat_ldrs(inst, (u8[]){ 1, 2, 4, 8 }, 4);
	wr(V(inst, 0), LAPIC_TPR, 0x20);
	wr(V(inst, 1), LAPIC_TPR, 0x10);
	wr(V(inst, 2), LAPIC_TPR, 0x10);
	wr(V(inst, 3), LAPIC_TPR, 0x30);

	/* v1 and v2 tie at 0x10: vector mod 4 picks the start */
	CHECK_EQ(send(inst, 0x0f, X86_DM_LOWEST, 0x40, true, false), 1);
	CHECK_EQ(irr_mask(inst, 4, 0x40), BIT(1));
	CHECK_EQ(send(inst, 0x0f, X86_DM_LOWEST, 0x42, true, false), 1);
	CHECK_EQ(irr_mask(inst, 4, 0x42), BIT(2));
	CHECK_EQ(send(inst, 0x0f, X86_DM_LOWEST, 0x41, true, false), 1);
	CHECK_EQ(irr_mask(inst, 4, 0x41), BIT(1));
	CHECK_EQ(send(inst, 0x0f, X86_DM_LOWEST, 0x43, true, false), 1);
	CHECK_EQ(irr_mask(inst, 4, 0x43), BIT(1));
	CHECK_EQ(send(inst, 0x09, X86_DM_LOWEST, 0x44, true, false), 1);
	CHECK_EQ(irr_mask(inst, 4, 0x44), BIT(0));
	/* an in-service interrupt raises the PPR */
	CHECK_EQ(fixed(inst, 1, 0x90), 1);
	CHECK_EQ(inta(V(inst, 1)), 0x90);
	CHECK_EQ(send(inst, 0x0f, X86_DM_LOWEST, 0x48, true, false), 1);
	CHECK_EQ(irr_mask(inst, 4, 0x48), BIT(2));
	/* a software-disabled LAPIC takes no part */
	wr(V(inst, 2), LAPIC_SVR, 0xff);
	CHECK_EQ(send(inst, 0x0f, X86_DM_LOWEST, 0x49, true, false), 1);
	CHECK_EQ(irr_mask(inst, 4, 0x49), BIT(0));
	CHECK_EQ(send(inst, 0x04, X86_DM_LOWEST, 0x4a, true, false), 0);
	/* physical lowest priority: the one LAPIC named */
	CHECK_EQ(send(inst, 3, X86_DM_LOWEST, 0x4b, false, false), 1);
	CHECK_EQ(irr_mask(inst, 4, 0x4b), BIT(3));
	/* MSI redirection hint with a logical destination */
	CHECK_EQ(x86_deliver(C(inst), &irq, NULL), 1);
	CHECK_EQ(irr_mask(inst, 4, 0x80), BIT(0));
	irq.redir_hint = false;
	irq.vector = 0x81;
	CHECK_EQ(x86_deliver(C(inst), &irq, NULL), 3);
	CHECK_EQ(irr_mask(inst, 4, 0x81), BIT(0) | BIT(1) | BIT(3));
	harness_instance_close(inst);
}

TEST(logical_flat_and_cluster)
{
	struct virq_instance *inst = lapic_new(4);
	u32 i;

	flat_ldrs(inst, (u8[]){ 0x01, 0x02, 0x04, 0x80 }, 4);
	CHECK_EQ(send(inst, 0x05, X86_DM_FIXED, 0x30, true, false), 2);
	CHECK_EQ(irr_mask(inst, 4, 0x30), BIT(0) | BIT(2));
	CHECK_EQ(send(inst, 0x80, X86_DM_FIXED, 0x31, true, false), 1);
	CHECK_EQ(irr_mask(inst, 4, 0x31), BIT(3));
	CHECK_EQ(send(inst, 0x08, X86_DM_FIXED, 0x32, true, false), 0);
	CHECK_EQ(send(inst, 0xff, X86_DM_FIXED, 0x33, true, false), 4);
	/* an empty LDR matches no logical destination, not even 0xff */
	wr(V(inst, 3), LAPIC_LDR, 0);
	CHECK_EQ(send(inst, 0xff, X86_DM_FIXED, 0x34, true, false), 3);
	CHECK_EQ(irr_mask(inst, 4, 0x34), 7);

	/* cluster model */
	for (i = 0; i < 4; i++)
		wr(V(inst, i), LAPIC_DFR, 0x0fffffff);
	flat_ldrs(inst, (u8[]){ 0x11, 0x12, 0x21, 0x24 }, 4);
	CHECK_EQ(rd(V(inst, 0), LAPIC_DFR), 0x0fffffff);
	CHECK_EQ(send(inst, 0x13, X86_DM_FIXED, 0x40, true, false), 2);
	CHECK_EQ(irr_mask(inst, 4, 0x40), BIT(0) | BIT(1));
	CHECK_EQ(send(inst, 0x21, X86_DM_FIXED, 0x41, true, false), 1);
	CHECK_EQ(irr_mask(inst, 4, 0x41), BIT(2));
	CHECK_EQ(send(inst, 0x31, X86_DM_FIXED, 0x42, true, false), 0);
	CHECK_EQ(send(inst, 0x28, X86_DM_FIXED, 0x43, true, false), 0);
	CHECK_EQ(send(inst, 0xf1, X86_DM_FIXED, 0x44, true, false), 2);
	CHECK_EQ(irr_mask(inst, 4, 0x44), BIT(0) | BIT(2));
	CHECK_EQ(send(inst, 0xff, X86_DM_FIXED, 0x45, true, false), 4);
	/* an unknown DFR model matches no logical destination */
	wr(V(inst, 0), LAPIC_DFR, 0x5fffffff);
	CHECK_EQ(send(inst, 0xff, X86_DM_FIXED, 0x46, true, false), 3);

	/* physical: ids, the broadcast, a disabled LAPIC, duplicate ids */
	CHECK_EQ(fixed(inst, 2, 0x50), 1);
	CHECK_EQ(irr_mask(inst, 4, 0x50), BIT(2));
	CHECK_EQ(fixed(inst, 0xff, 0x51), 4);
	CHECK_EQ(msr_wr(V(inst, 1), MSR_BASE, BASE), 0);
	CHECK_EQ(fixed(inst, 0xff, 0x52), 3);
	CHECK_EQ(irr_mask(inst, 4, 0x52), BIT(0) | BIT(2) | BIT(3));
	CHECK_EQ(send(inst, 1, X86_DM_NMI, 0, false, false), 0);
	wr(V(inst, 3), LAPIC_ID, 2 << 24);
	CHECK_EQ(fixed(inst, 2, 0x53), 2);
	CHECK_EQ(irr_mask(inst, 4, 0x53), BIT(2) | BIT(3));
	CHECK_EQ(fixed(inst, 3, 0x54), 0);
	harness_instance_close(inst);
}

TEST(x2apic_ids_and_clusters)
{
	u64 ids[] = { 300, 301, 0x10005 };
	struct virq_instance *inst = lapic_new_opt(3, ids, 0, true);
	u32 i;

	for (i = 0; i < 3; i++)
		to_x2apic(V(inst, i));
	CHECK_EQ(msr(V(inst, 2), X2(LAPIC_LDR)), 0x10000020);
	CHECK_EQ(send_x2(inst, 301, 0x30, false), 1);
	CHECK_EQ(irr_mask(inst, 3, 0x30), BIT(1));
	CHECK_EQ(send_x2(inst, 0x10005, 0x31, false), 1);
	CHECK_EQ(irr_mask(inst, 3, 0x31), BIT(2));
	CHECK_EQ(send_x2(inst, 5, 0x32, false), 0);
	CHECK_EQ(send_x2(inst, 0x12 << 16 | BIT(12) | BIT(13), 0x33, true), 2);
	CHECK_EQ(irr_mask(inst, 3, 0x33), BIT(0) | BIT(1));
	CHECK_EQ(send_x2(inst, 0x12 << 16 | BIT(13), 0x34, true), 1);
	CHECK_EQ(irr_mask(inst, 3, 0x34), BIT(1));
	CHECK_EQ(send_x2(inst, 0x10000020, 0x35, true), 1);
	CHECK_EQ(irr_mask(inst, 3, 0x35), BIT(2));
	CHECK_EQ(send_x2(inst, 0x13 << 16 | 0xffff, 0x36, true), 0);
	CHECK_EQ(send_x2(inst, 0xffffffff, 0x37, false), 3);
	CHECK_EQ(send_x2(inst, 0xffffffff, 0x38, true), 3);
	/* an 8-bit message: 0xff is the broadcast, ids compare 32 bits */
	CHECK_EQ(fixed(inst, 0xff, 0x39), 3);
	CHECK_EQ(fixed(inst, 300 & 0xff, 0x3a), 0);
	/* lowest priority over a cluster */
	CHECK_EQ(msr_wr(V(inst, 0), X2(LAPIC_TPR), 0x40), 0);
	{
		struct x86_irq irq = {
			.dest = 0x12 << 16 | 0x3000, .vector = 0x3b,
			.delivery_mode = X86_DM_LOWEST, .logical = true,
			.assert = true, .x2apic_dest = true,
		};

		CHECK_EQ(x86_deliver(C(inst), &irq, NULL), 1);
		CHECK_EQ(irr_mask(inst, 3, 0x3b), BIT(1));
	}
	/* an xAPIC-mode LAPIC decodes the low 8 bits of the destination */
	CHECK_EQ(msr_wr(V(inst, 0), MSR_BASE, BASE | BSP), 0);
	CHECK_EQ(msr_wr(V(inst, 0), MSR_BASE, BASE | BSP | EN), 0);
	enable(V(inst, 0));
	CHECK_EQ(rd(V(inst, 0), LAPIC_ID), 0x2c000000);
	CHECK_EQ(send_x2(inst, 300, 0x3c, false), 1);
	CHECK_EQ(irr_mask(inst, 3, 0x3c), BIT(0));
	CHECK_EQ(fixed(inst, 0x2c, 0x3d), 1);
	CHECK_EQ(irr_mask(inst, 3, 0x3d), BIT(0));
	harness_instance_close(inst);
}

TEST(ipi_shorthands)
{
	struct virq_instance *inst = lapic_new(3);
	struct virq_vcpu *v0 = V(inst, 0), *v1 = V(inst, 1), *v2 = V(inst, 2);
	unsigned long k1, k2;
	u32 i;

	for (i = 0; i < 3; i++)
		enable(V(inst, i));
	k1 = kicks(v1);
	k2 = kicks(v2);
	ipi(v0, 2, 0x4031);
	CHECK_EQ(irr_mask(inst, 3, 0x31), BIT(2));
	CHECK_EQ(rd(v0, LAPIC_ICR), 0x4031);
	CHECK_EQ(rd(v0, LAPIC_ICR2), 2 << 24);
	CHECK_EQ(kicks(v1), k1);
	CHECK(kicks(v2) > k2);
	wr(v0, LAPIC_ICR, 0x44032);		/* self */
	CHECK_EQ(irr_mask(inst, 3, 0x32), BIT(0));
	wr(v0, LAPIC_ICR, 0x84033);		/* all including self */
	CHECK_EQ(irr_mask(inst, 3, 0x33), 7);
	wr(v1, LAPIC_ICR, 0xc4034);		/* all excluding self */
	CHECK_EQ(irr_mask(inst, 3, 0x34), BIT(0) | BIT(2));
	wr(v0, LAPIC_ICR, 0x4035);		/* physical 2 (ICR2 kept) */
	CHECK_EQ(irr_mask(inst, 3, 0x35), BIT(2));
	ipi(v0, 0xff, 0x4036);			/* physical broadcast */
	CHECK_EQ(irr_mask(inst, 3, 0x36), 7);
	/* logical */
	wr(v1, LAPIC_LDR, 0x02000000);
	wr(v2, LAPIC_LDR, 0x04000000);
	ipi(v0, 0x06, 0x4837);
	CHECK_EQ(irr_mask(inst, 3, 0x37), BIT(1) | BIT(2));
	/* lowest priority IPI */
	wr(v1, LAPIC_TPR, 0x20);
	ipi(v0, 0x06, 0x4938);
	CHECK_EQ(irr_mask(inst, 3, 0x38), BIT(2));
	/* NMI to all but self; SMI to self */
	wr(v0, LAPIC_ICR, 0xc4400);
	CHECK_EQ(out(v0), VIRQ_OUT_INT);
	CHECK_EQ(out(v1) & VIRQ_OUT_NMI, VIRQ_OUT_NMI);
	CHECK_EQ(out(v2) & VIRQ_OUT_NMI, VIRQ_OUT_NMI);
	wr(v0, LAPIC_ICR, 0x44200);
	CHECK_EQ(out(v0) & VIRQ_OUT_SMI, VIRQ_OUT_SMI);
	CHECK_EQ(out(v1) & VIRQ_OUT_SMI, 0);
	/* the reserved modes are not sent */
	wr(v0, LAPIC_ICR, 0x84339);
	wr(v0, LAPIC_ICR, 0x8473a);
	CHECK_EQ(irr_mask(inst, 3, 0x39) | irr_mask(inst, 3, 0x3a), 0);
	/* a software-disabled LAPIC still sends */
	wr(v0, LAPIC_SVR, 0xff);
	ipi(v0, 1, 0x403b);
	CHECK_EQ(irr_mask(inst, 3, 0x3b), BIT(1));
	enable(v0);

	/* x2APIC: one ICR write, and the SELF IPI register */
	for (i = 0; i < 3; i++)
		to_x2apic(V(inst, i));
	CHECK_EQ(msr_wr(v0, X2(LAPIC_ICR), 2ULL << 32 | 0x4040), 0);
	CHECK_EQ(irr_mask(inst, 3, 0x40), BIT(2));
	CHECK_EQ(msr_wr(v0, X2(LAPIC_ICR), 0xffffffffULL << 32 | 0x4041), 0);
	CHECK_EQ(irr_mask(inst, 3, 0x41), 7);
	CHECK_EQ(msr_wr(v0, X2(LAPIC_ICR), 0x6ULL << 32 | 0x4842), 0);
	CHECK_EQ(irr_mask(inst, 3, 0x42), BIT(1) | BIT(2));
	CHECK_EQ(msr_wr(v2, X2(LAPIC_ICR), 0xc4043), 0);
	CHECK_EQ(irr_mask(inst, 3, 0x43), BIT(0) | BIT(1));
	CHECK_EQ(msr_wr(v1, X2(LAPIC_SELF_IPI), 0x44), 0);
	CHECK_EQ(irr_mask(inst, 3, 0x44), BIT(1));
	CHECK_EQ(msr_wr(v1, X2(LAPIC_SELF_IPI), 0x4), 0);
	CHECK_EQ(msr_wr(v1, X2(LAPIC_ESR), 0), 0);
	CHECK_EQ(msr(v1, X2(LAPIC_ESR)), LAPIC_ESR_SEND_ILLEGAL |
		 LAPIC_ESR_RECV_ILLEGAL);
	/* an x2APIC LAPIC reached with an 8-bit id from an xAPIC one */
	CHECK_EQ(msr_wr(v0, MSR_BASE, BASE | BSP), 0);
	CHECK_EQ(msr_wr(v0, MSR_BASE, BASE | BSP | EN), 0);
	ipi(v0, 2, 0x4045);
	CHECK_EQ(irr_mask(inst, 3, 0x45), BIT(2));
	CHECK_EQ(msr(v2, X2(LAPIC_IRR + 0x20)) & BIT(5), BIT(5));
	harness_instance_close(inst);
}

TEST(init_sipi_sequence)
{
	struct virq_instance *inst = lapic_new(2);
	struct virq_vcpu *v0 = V(inst, 0), *v1 = V(inst, 1);
	struct x86_irq deassert = { .dest = 1, .delivery_mode = X86_DM_INIT,
				    .level = true };
	unsigned long k;
	u32 sipi = 0xcc;
	u64 id;

	enable(v0);
	enable(v1);
	wr(v1, LAPIC_TPR, 0x30);
	wr(v1, LAPIC_LDR, 0x20000000);
	wr(v1, LAPIC_ID, 0x07000000);
	wr(v1, LAPIC_LVT0, 0x700);
	wr(v1, LAPIC_LVTT, 0x20040);
	wr(v1, LAPIC_TMICT, 500);
	CHECK_EQ(fixed(inst, 7, 0x55), 1);

	/* SIPI to a running AP: ignored */
	ipi(v0, 7, 0x4608);
	CHECK_EQ(out(v1), VIRQ_OUT_INT);

	k = kicks(v1);
	ipi(v0, 7, 0xc500);			/* INIT, level assert */
	CHECK_EQ(out(v1), VIRQ_OUT_INT | VIRQ_OUT_INIT);
	CHECK(kicks(v1) > k);
	CHECK_EQ(x86_deliver(C(inst), &deassert, v0), 0);
	CHECK_EQ(send(inst, 7, X86_DM_INIT, 0, false, false), 0);
	ipi(v0, 7, 0x8500);			/* INIT level de-assert */
	CHECK_EQ(out(v1), VIRQ_OUT_INT | VIRQ_OUT_INIT);

	/* a SIPI after the INIT waits for the INIT to be taken */
	ipi(v0, 7, 0x4608);
	CHECK_EQ(x86_lapic_output(v1, &sipi), VIRQ_OUT_INT | VIRQ_OUT_INIT);
	CHECK_EQ(sipi, 0xcc);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_SIPI, &id), -EAGAIN);

	k = kicks(v1);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_INIT, &id), 0);
	CHECK_EQ(id, 0);
	CHECK(kicks(v1) > k);
	/* the INIT state: everything reset but the ID (and APIC base) */
	CHECK_EQ(rd(v1, LAPIC_ID), 0x07000000);
	CHECK_EQ(msr(v1, MSR_BASE), BASE | EN);
	CHECK_EQ(rd(v1, LAPIC_TPR), 0);
	CHECK_EQ(rd(v1, LAPIC_LDR), 0);
	CHECK_EQ(rd(v1, LAPIC_SVR), 0xff);
	CHECK_EQ(rd(v1, LAPIC_LVT0), LAPIC_MASKED);
	CHECK_EQ(rd(v1, LAPIC_TMICT), 0);
	CHECK(!irr(v1, 0x55));
	CHECK_EQ(last_update(v1, 0).lvtt, LAPIC_MASKED);
	CHECK_EQ(last_update(v1, 0).tmict, 0);
	CHECK_EQ(x86_lapic_output(v1, &sipi), VIRQ_OUT_SIPI);
	CHECK_EQ(sipi, 8);
	/* the first SIPI wins */
	ipi(v0, 7, 0x4609);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_SIPI, &id), 0);
	CHECK_EQ(id, 8);
	CHECK_EQ(out(v1), 0);
	CHECK_EQ(send(inst, 7, X86_DM_SIPI, 0x10, false, false), 0);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_SIPI, &id), -EAGAIN);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_INIT, &id), -EAGAIN);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_NMI, &id), -EAGAIN);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_SMI, &id), -EAGAIN);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_INT, &id), -EINVAL);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_FIQ, &id), -EINVAL);
	CHECK_EQ(x86_lapic_ack(v1, BIT(7), &id), -EINVAL);

	/* INIT, SIPI, INIT again: the second INIT voids the SIPI */
	CHECK_EQ(send(inst, 7, X86_DM_INIT, 0, false, false), 1);
	CHECK_EQ(send(inst, 7, X86_DM_SIPI, 0x10, false, false), 1);
	CHECK_EQ(send(inst, 7, X86_DM_INIT, 0, false, false), 0);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_INIT, &id), 0);
	CHECK_EQ(out(v1), 0);
	CHECK_EQ(send(inst, 7, X86_DM_SIPI, 0x11, false, false), 1);
	CHECK_EQ(send(inst, 7, X86_DM_SIPI, 0x12, false, false), 0);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_SIPI, &id), 0);
	CHECK_EQ(id, 0x11);

	/* the BSP: INIT, but no wait-for-SIPI */
	CHECK_EQ(send(inst, 0, X86_DM_INIT, 0, false, false), 1);
	CHECK_EQ(x86_lapic_ack(v0, VIRQ_OUT_INIT, &id), 0);
	CHECK_EQ(send(inst, 0, X86_DM_SIPI, 0x10, false, false), 0);
	CHECK_EQ(out(v0), 0);

	/* x2APIC mode survives INIT; the LDR is derived again */
	to_x2apic(v1);
	CHECK_EQ(send_x2(inst, 1, 0x60, false), 1);
	CHECK_EQ(send(inst, 1, X86_DM_INIT, 0, false, false), 1);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_INIT, &id), 0);
	CHECK_EQ(msr(v1, MSR_BASE), BASE | EN | EXTD);
	CHECK_EQ(msr(v1, X2(LAPIC_ID)), 1);
	CHECK_EQ(msr(v1, X2(LAPIC_LDR)), 0x2);
	CHECK_EQ(msr(v1, X2(LAPIC_SVR)), 0xff);
	CHECK_EQ(msr(v1, X2(LAPIC_IRR + 0x30)), 0);
	harness_instance_close(inst);
}

/*
 * struct virq_x86_lapic_state.events beyond the VIRQ_OUT_* events, by
 * their uAPI names: the ESR field and wait-for-SIPI.
 */
TEST(state_events_uapi_bits)
{
	struct virq_instance *inst = lapic_new(2);
	struct virq_vcpu *v0 = V(inst, 0), *v1 = V(inst, 1);
	struct virq_x86_lapic_state st;
	u64 id;

	CHECK_EQ(VIRQ_X86_LAPIC_EV_ESR_MASK >> VIRQ_X86_LAPIC_EV_ESR_SHIFT,
		 0xff);
	CHECK_EQ(VIRQ_X86_LAPIC_EV_ESR_MASK & (VIRQ_OUT_EVENTS |
		 VIRQ_OUT_EXTINT | VIRQ_X86_LAPIC_EV_WAIT_SIPI), 0);
	enable(v0);
	enable(v1);
	/* vectors 0-15 are a receive error, pending until an ESR write */
	CHECK_EQ(fixed(inst, 1, 0x03), 0);
	get_state(v1, &st);
	CHECK_EQ((st.events & VIRQ_X86_LAPIC_EV_ESR_MASK) >>
		 VIRQ_X86_LAPIC_EV_ESR_SHIFT, LAPIC_ESR_RECV_ILLEGAL);
	CHECK_EQ(st.events & VIRQ_X86_LAPIC_EV_WAIT_SIPI, 0);
	wr(v1, LAPIC_ESR, 0);
	get_state(v1, &st);
	CHECK_EQ(st.events & VIRQ_X86_LAPIC_EV_ESR_MASK, 0);

	/* an INIT taken on an AP: wait-for-SIPI, until the SIPI is taken */
	CHECK_EQ(send(inst, 1, X86_DM_INIT, 0, false, false), 1);
	get_state(v1, &st);
	CHECK_EQ(st.events, VIRQ_OUT_INIT);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_INIT, &id), 0);
	get_state(v1, &st);
	CHECK_EQ(st.events, VIRQ_X86_LAPIC_EV_WAIT_SIPI);
	/* restored without it, a SIPI does not latch; with it, it does */
	st.events = 0;
	CHECK_EQ(x86_lapic_set_state(v1, &st), 0);
	CHECK_EQ(send(inst, 1, X86_DM_SIPI, 0x10, false, false), 0);
	st.events = VIRQ_X86_LAPIC_EV_WAIT_SIPI;
	CHECK_EQ(x86_lapic_set_state(v1, &st), 0);
	CHECK_EQ(send(inst, 1, X86_DM_SIPI, 0x10, false, false), 1);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_SIPI, &id), 0);
	CHECK_EQ(id, 0x10);
	get_state(v1, &st);
	CHECK_EQ(st.events, 0);
	harness_instance_close(inst);
}

TEST(nmi_smi_events)
{
	struct virq_instance *inst = lapic_new(2);
	struct virq_vcpu *v = V(inst, 1);
	unsigned long k;
	u64 id = 0x77;

	k = kicks(v);
	CHECK_EQ(send(inst, 1, X86_DM_NMI, 0, false, false), 1);
	CHECK(kicks(v) > k);
	CHECK_EQ(out(v), VIRQ_OUT_NMI);		/* software-disabled: taken */
	k = kicks(v);
	CHECK_EQ(send(inst, 1, X86_DM_NMI, 0, false, false), 0);
	CHECK_EQ(kicks(v), k);
	CHECK_EQ(send(inst, 1, X86_DM_SMI, 0, false, false), 1);
	CHECK_EQ(out(v), VIRQ_OUT_NMI | VIRQ_OUT_SMI);
	CHECK_EQ(send(inst, 1, X86_DM_SMI, 0, false, false), 0);
	CHECK_EQ(x86_lapic_ack(v, VIRQ_OUT_NMI, &id), 0);
	CHECK_EQ(id, 0);
	CHECK_EQ(out(v), VIRQ_OUT_SMI);
	CHECK_EQ(x86_lapic_ack(v, VIRQ_OUT_NMI, &id), -EAGAIN);
	/* INIT keeps latched NMI and SMI for the VMM */
	CHECK_EQ(send(inst, 1, X86_DM_NMI, 0, false, false), 1);
	CHECK_EQ(send(inst, 1, X86_DM_INIT, 0, false, false), 1);
	CHECK_EQ(x86_lapic_ack(v, VIRQ_OUT_INIT, &id), 0);
	CHECK_EQ(out(v), VIRQ_OUT_NMI | VIRQ_OUT_SMI);
	CHECK_EQ(x86_lapic_ack(v, VIRQ_OUT_SMI, &id), 0);
	CHECK_EQ(x86_lapic_ack(v, VIRQ_OUT_NMI, &id), 0);
	CHECK_EQ(out(v), 0);
	/* a hardware-disabled LAPIC takes nothing */
	CHECK_EQ(msr_wr(v, MSR_BASE, BASE), 0);
	CHECK_EQ(send(inst, 1, X86_DM_NMI, 0, false, false), 0);
	CHECK_EQ(send(inst, 0xff, X86_DM_NMI, 0, false, false), 1);
	CHECK_EQ(out(v), 0);
	/* reserved and out-of-range modes deliver nothing */
	CHECK_EQ(send(inst, 0xff, 3, 0x40, false, false), 0);
	CHECK_EQ(send(inst, 0xff, 8, 0x40, false, false), 0);
	harness_instance_close(inst);
}

TEST(extint_via_lint0_disabled_lapic_and_message)
{
	struct virq_instance *inst = lapic_new(2);
	struct virq_vcpu *v0 = V(inst, 0), *v1 = V(inst, 1);
	unsigned long k0, k1;
	u64 id;

	fake_pic.out = true;
	CHECK_EQ(out(v0), 0);			/* LVT0 masked at reset */
	x86_lapic_pic_changed(C(inst));
	enable(v0);
	enable(v1);
	k0 = kicks(v0);
	wr(v0, LAPIC_LVT0, 0x700);
	CHECK(kicks(v0) > k0);
	CHECK_EQ(out(v0), VIRQ_OUT_EXTINT);
	CHECK_EQ(out(v1), 0);
	k0 = kicks(v0);
	k1 = kicks(v1);
	x86_lapic_pic_changed(C(inst));
	CHECK_EQ(kicks(v0), k0 + 1);
	CHECK_EQ(kicks(v1), k1);
	CHECK_EQ(x86_lapic_ack(v0, VIRQ_OUT_EXTINT, &id), 0);
	CHECK_EQ(id, 0x28);
	CHECK_EQ(fake_pic.intacks, 1);
	CHECK_EQ(harness_vcpu(v0)->last_ack, 0x28);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_EXTINT, &id), -EAGAIN);
	/* ExtINT bypasses the IRR and the PPR */
	wr(v0, LAPIC_TPR, 0xff);
	CHECK_EQ(out(v0), VIRQ_OUT_EXTINT);
	fake_pic.out = false;
	CHECK_EQ(out(v0), 0);
	k0 = kicks(v0);
	x86_lapic_pic_changed(C(inst));
	CHECK_EQ(kicks(v0), k0);
	CHECK_EQ(x86_lapic_ack(v0, VIRQ_OUT_EXTINT, &id), -EAGAIN);
	CHECK_EQ(fake_pic.intacks, 1);
	/* masked or fixed-mode LVT0 passes nothing */
	fake_pic.out = true;
	wr(v0, LAPIC_LVT0, 0x10700);
	CHECK_EQ(out(v0), 0);
	wr(v0, LAPIC_LVT0, 0x030);
	CHECK_EQ(out(v0), 0);

	/* hardware-disabled: the BSP takes INTR directly, an AP does not */
	CHECK_EQ(msr_wr(v0, MSR_BASE, BASE | BSP), 0);
	CHECK_EQ(msr_wr(v1, MSR_BASE, BASE), 0);
	CHECK_EQ(out(v0), VIRQ_OUT_EXTINT);
	CHECK_EQ(out(v1), 0);
	CHECK_EQ(x86_lapic_ack(v0, VIRQ_OUT_EXTINT, &id), 0);
	CHECK_EQ(fake_pic.intacks, 2);
	CHECK_EQ(msr_wr(v0, MSR_BASE, BASE), 0);	/* not the BSP now */
	CHECK_EQ(out(v0), 0);

	/* an ExtINT message latches until its INTA */
	CHECK_EQ(msr_wr(v1, MSR_BASE, BASE | EN), 0);
	CHECK_EQ(send(inst, 1, X86_DM_EXTINT, 0, false, false), 0);
	enable(v1);
	fake_pic.out = false;
	k1 = kicks(v1);
	CHECK_EQ(send(inst, 1, X86_DM_EXTINT, 0, false, false), 1);
	CHECK(kicks(v1) > k1);
	CHECK_EQ(out(v1), VIRQ_OUT_EXTINT);
	CHECK_EQ(send(inst, 1, X86_DM_EXTINT, 0, false, false), 0);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_EXTINT, &id), 0);
	CHECK_EQ(id, 0x2f);			/* the PIC's spurious IRQ 7 */
	CHECK_EQ(fake_pic.intacks, 3);
	CHECK_EQ(out(v1), 0);
	CHECK_EQ(x86_lapic_ack(v1, VIRQ_OUT_EXTINT, &id), -EAGAIN);
	harness_instance_close(inst);

	/* no PIC: nothing to pass or to ask */
	inst = lapic_new_opt(1, NULL, 0, false);
	v0 = V(inst, 0);
	enable(v0);
	wr(v0, LAPIC_LVT0, 0x700);
	CHECK_EQ(out(v0), 0);
	CHECK_EQ(send(inst, 0, X86_DM_EXTINT, 0, false, false), 0);
	CHECK_EQ(x86_lapic_ack(v0, VIRQ_OUT_EXTINT, &id), -EAGAIN);
	x86_lapic_pic_changed(C(inst));
	CHECK_EQ(fake_pic.intacks, 0);
	harness_instance_close(inst);
}

TEST(timer_registers)
{
	struct virq_instance *inst = lapic_new(1);
	struct virq_vcpu *v = V(inst, 0);
	struct x86_timer *t = L(v)->timer;
	struct timer_call c;
	unsigned long n, k;
	u64 d;

	enable(v);
	wr(v, LAPIC_LVTT, 0x20030);
	c = last_update(v, 0);
	CHECK_EQ(c.lvtt, 0x20030);
	CHECK_EQ(c.tmict, 0);
	wr(v, LAPIC_TDCR, 0xff);
	CHECK_EQ(last_update(v, 0).tdcr, 0xb);
	n = t->updates;
	wr(v, LAPIC_TMICT, 1000);
	CHECK_EQ(t->updates, n + 1);
	c = last_update(v, 0);
	CHECK_EQ(c.lvtt, 0x20030);
	CHECK_EQ(c.tmict, 1000);
	CHECK_EQ(c.tdcr, 0xb);
	/* the same TMICT again: a call (a restart, for timer.c) */
	wr(v, LAPIC_TMICT, 1000);
	CHECK_EQ(t->updates, n + 2);
	CHECK_EQ(last_update(v, 0).tmict, 1000);
	/* LVTT or TDCR rewritten with their values: no call (no restart) */
	wr(v, LAPIC_LVTT, 0x20030);
	wr(v, LAPIC_TDCR, 0xb);
	wr(v, LAPIC_TDCR, 0xf);			/* bit 2 is reserved */
	CHECK_EQ(t->updates, n + 2);
	CHECK_EQ(rd(v, LAPIC_TMICT), 1000);
	t->tmcct = 777;
	CHECK_EQ(rd(v, LAPIC_TMCCT), 777);

	k = kicks(v);
	x86_lapic_timer_fired(v);
	CHECK(kicks(v) > k);
	CHECK_EQ(out(v), VIRQ_OUT_INT);
	CHECK_EQ(inta(v), 0x30);
	CHECK(!tmr(v, 0x30));
	wr(v, LAPIC_EOI, 0);
	wr(v, LAPIC_LVTT, 0x30030);		/* masked */
	x86_lapic_timer_fired(v);
	CHECK(!irr(v, 0x30));
	wr(v, LAPIC_LVTT, 0x20005);		/* illegal vector */
	x86_lapic_timer_fired(v);
	CHECK(!irr(v, 5));
	wr(v, LAPIC_ESR, 0);
	CHECK_EQ(rd(v, LAPIC_ESR), LAPIC_ESR_RECV_ILLEGAL);

	/* TSC-deadline mode: TMICT cleared and ignored, the MSR works */
	CHECK_EQ(msr_wr(v, MSR_DEADLINE, 99), 0);
	CHECK_EQ(t->deadline_writes, 0);	/* not in deadline mode */
	CHECK_EQ(msr(v, MSR_DEADLINE), 0);
	wr(v, LAPIC_LVTT, 0x40031);
	CHECK_EQ(rd(v, LAPIC_TMICT), 0);
	c = last_update(v, 0);
	CHECK_EQ(c.lvtt, 0x40031);
	CHECK_EQ(c.tmict, 0);
	CHECK_EQ(rd(v, LAPIC_TMCCT), 0);
	n = t->updates;
	wr(v, LAPIC_TMICT, 5);
	CHECK_EQ(rd(v, LAPIC_TMICT), 0);
	CHECK_EQ(t->updates, n);
	CHECK_EQ(msr_wr(v, MSR_DEADLINE, 12345), 0);
	CHECK_EQ(t->deadline, 12345);
	CHECK_EQ(msr(v, MSR_DEADLINE), 12345);
	x86_lapic_timer_fired(v);
	CHECK_EQ(inta(v), 0x31);
	wr(v, LAPIC_EOI, 0);
	/* leaving deadline mode disarms it */
	wr(v, LAPIC_LVTT, 0x31);
	CHECK_EQ(t->deadline, 0);
	CHECK_EQ(msr(v, MSR_DEADLINE), 0);
	/* x2APIC: the same registers as MSRs */
	to_x2apic(v);
	CHECK_EQ(msr_wr(v, X2(LAPIC_TMICT), 2000), 0);
	CHECK_EQ(last_update(v, 0).tmict, 2000);
	CHECK_EQ(msr(v, X2(LAPIC_TMICT)), 2000);
	CHECK_EQ(msr(v, X2(LAPIC_TMCCT)), 777);
	CHECK_EQ(msr_wr(v, X2(LAPIC_TDCR), 3), 0);
	CHECK_EQ(last_update(v, 0).tdcr, 3);
	/* software disable masks LVTT and tells the timer */
	CHECK_EQ(msr_wr(v, X2(LAPIC_SVR), 0xff), 0);
	CHECK_EQ(last_update(v, 0).lvtt, LAPIC_MASKED | 0x31);
	/* a hardware disable resets the timer registers */
	CHECK_EQ(msr_wr(v, MSR_BASE, BASE | BSP), 0);
	c = last_update(v, 0);
	CHECK_EQ(c.lvtt, LAPIC_MASKED);
	CHECK_EQ(c.tmict, 0);
	CHECK_EQ(c.tdcr, 0);
	CHECK_EQ(msr(v, MSR_DEADLINE), 0);
	d = 1;
	CHECK_EQ(msr_wr(v, MSR_DEADLINE, 5), 0);
	CHECK_EQ(msr_rd(v, MSR_DEADLINE, &d), 0);
	CHECK_EQ(d, 0);
	harness_instance_close(inst);
}

/* A LAPIC with a bit of everything, for save/restore */
static void busy_lapic(struct virq_instance *inst, struct virq_vcpu *v,
		       bool x2apic)
{
	if (x2apic) {
		to_x2apic(v);
		CHECK_EQ(msr_wr(v, X2(LAPIC_TPR), 0x21), 0);
		CHECK_EQ(msr_wr(v, X2(LAPIC_LVT0), 0x700), 0);
		CHECK_EQ(msr_wr(v, X2(LAPIC_LVTERR), 0xfe), 0);
		CHECK_EQ(msr_wr(v, X2(LAPIC_LVTT), 0x40033), 0);
		CHECK_EQ(msr_wr(v, MSR_DEADLINE, 4242), 0);
	} else {
		enable(v);
		wr(v, LAPIC_TPR, 0x21);
		wr(v, LAPIC_LDR, 0x40000000);
		wr(v, LAPIC_DFR, 0x0fffffff);
		wr(v, LAPIC_LVT0, 0x700);
		wr(v, LAPIC_LVTERR, 0xfe);
		wr(v, LAPIC_LVTT, 0x20033);
		wr(v, LAPIC_TDCR, 0xa);
		wr(v, LAPIC_TMICT, 123456);
		ipi(v, 0x33, 0x4077);		/* nobody has id 0x33 */
	}
	CHECK_EQ(send_to(v, X86_DM_FIXED, 0x55, false), 1);
	CHECK_EQ(send_to(v, X86_DM_FIXED, 0x66, true), 1);
	CHECK_EQ(inta(v), 0x66);
	CHECK_EQ(send_to(v, X86_DM_FIXED, 9, false), 0);
	CHECK_EQ(send_to(v, X86_DM_NMI, 0, false), 1);
}

TEST(state_round_trip)
{
	static struct virq_x86_lapic_state st1, st2, st3;
	u64 ids[] = { 0x10, 0x211 };
	struct virq_instance *a, *b;
	struct virq_vcpu *va, *vb;
	int x2;

	for (x2 = 0; x2 < 2; x2++) {
		a = lapic_new_opt(2, ids, VIRQ_X86_OPT_DIRECTED_EOI, true);
		va = V(a, 1);
		if (!x2)
			CHECK_EQ(msr_wr(va, MSR_BASE, 0xfed00000ULL | EN), 0);
		busy_lapic(a, va, x2);
		if (!x2) {
			wr(va, LAPIC_SVR, 0x11ff);
			CHECK_EQ(send(a, 0x11, X86_DM_INIT, 0, false, false),
				 1);
			CHECK_EQ(send(a, 0x11, X86_DM_SIPI, 0x9a, false,
				      false), 1);
			CHECK_EQ(send(a, 0x11, X86_DM_EXTINT, 0, false,
				      false), 1);
		}
		L(va)->timer->tmcct = 31337;
		get_state(va, &st1);
		CHECK_EQ(st1.version, VIRQ_X86_STATE_VERSION);
		CHECK_EQ(st1.padding, 0);
		CHECK_EQ(st1.apic_base, x2 ? BASE | EN | EXTD :
					     0xfed00000ULL | EN);
		CHECK_EQ(st_reg(&st1, LAPIC_ID), x2 ? 0x211 : 0x11000000);
		CHECK_EQ(st_reg(&st1, LAPIC_LDR), x2 ? 0x210002 : 0x40000000);
		CHECK_EQ(st_reg(&st1, LAPIC_TPR), 0x21);
		CHECK_EQ(st_reg(&st1, LAPIC_PPR), 0x60);
		CHECK_EQ(st_reg(&st1, LAPIC_TMCCT), x2 ? 0 : 31337);
		CHECK_EQ(st_reg(&st1, LAPIC_APR), x2 ? 0 : 0xf0);
		CHECK_EQ(st_reg(&st1, LAPIC_IRR + 0x70), BIT(0xfe - 224));
		CHECK_EQ(st_reg(&st1, LAPIC_LVR), 0x01050014);
		CHECK_EQ(st_reg(&st1, LAPIC_IRR + 0x20), BIT(0x55 - 64));
		CHECK_EQ(st_reg(&st1, LAPIC_ISR + 0x30), BIT(0x66 - 96));
		CHECK_EQ(st_reg(&st1, LAPIC_TMR + 0x30), BIT(0x66 - 96));
		CHECK_EQ(st1.tsc_deadline, x2 ? 4242 : 0);
		CHECK_EQ(st1.timer_guest_tsc, 1000);
		CHECK_EQ(st1.timer_expiry_tsc, 31337);
		if (x2) {
			CHECK_EQ(st1.events, VIRQ_OUT_NMI |
				 (LAPIC_ESR_RECV_ILLEGAL <<
				  VIRQ_X86_LAPIC_EV_ESR_SHIFT));
			CHECK_EQ(st1.sipi_vector, 0);
		} else {
			CHECK_EQ(st_reg(&st1, LAPIC_ICR), 0x4077);
			CHECK_EQ(st_reg(&st1, LAPIC_ICR2), 0x33000000);
			CHECK_EQ(st_reg(&st1, LAPIC_SVR), 0x11ff);
			CHECK_EQ(st_reg(&st1, LAPIC_TMICT), 123456);
			CHECK_EQ(st1.events, VIRQ_OUT_NMI | VIRQ_OUT_INIT |
				 VIRQ_OUT_SIPI | VIRQ_OUT_EXTINT |
				 (LAPIC_ESR_RECV_ILLEGAL <<
				  VIRQ_X86_LAPIC_EV_ESR_SHIFT));
			CHECK_EQ(st1.sipi_vector, 0x9a);
		}

		b = lapic_new_opt(2, ids, VIRQ_X86_OPT_DIRECTED_EOI, true);
		vb = V(b, 1);
		CHECK_EQ(x86_lapic_set_state(vb, &st1), 0);
		CHECK_EQ(L(vb)->timer->restores, 1);
		CHECK_EQ(L(vb)->timer->deadline, st1.tsc_deadline);
		get_state(vb, &st2);
		CHECK(!memcmp(&st1, &st2, sizeof(st1)));
		CHECK_EQ(out(vb), out(va));
		CHECK_EQ(READ_ONCE(L(vb)->bus), READ_ONCE(L(va)->bus));
		/* the restored LAPIC behaves as the saved one */
		CHECK_EQ(fixed(b, x2 ? 0xff : 0x11, 0x70), 1);
		CHECK_EQ(fixed(a, x2 ? 0xff : 0x11, 0x70), 1);
		CHECK_EQ(inta(vb), inta(va));
		if (!x2) {
			u64 id1 = 0, id2 = 0;

			CHECK_EQ(x86_lapic_ack(vb, VIRQ_OUT_EXTINT, &id2), 0);
			CHECK_EQ(id2, 0x2f);
			CHECK_EQ(x86_lapic_ack(vb, VIRQ_OUT_INIT, &id1), 0);
			CHECK_EQ(x86_lapic_ack(vb, VIRQ_OUT_SIPI, &id1), 0);
			CHECK_EQ(id1, 0x9a);
		}
		/* and a restore onto itself changes nothing */
		get_state(va, &st3);
		CHECK_EQ(x86_lapic_set_state(va, &st3), 0);
		get_state(va, &st2);
		CHECK(!memcmp(&st3, &st2, sizeof(st3)));
		harness_instance_close(a);
		harness_instance_close(b);
	}
}

typedef void (*st_break)(struct virq_x86_lapic_state *st);

#define BREAK(name, body)						\
	static void name(struct virq_x86_lapic_state *st) { body; }

BREAK(b_version0, st->version = 0)
BREAK(b_version2, st->version = 2)
BREAK(b_padding, st->padding = 1)
BREAK(b_base_bit9, st->apic_base |= BIT(9))
BREAK(b_base_bit0, st->apic_base |= BIT(0))
BREAK(b_base_bit63, st->apic_base |= BIT_ULL(63))
BREAK(b_base_extd_no_en, st->apic_base = (st->apic_base & ~EN) | EXTD)
BREAK(b_ev_fiq, st->events |= VIRQ_OUT_FIQ)
BREAK(b_ev_int, st->events |= VIRQ_OUT_INT)
BREAK(b_ev_bit8, st->events |= BIT(8))
BREAK(b_ev_esr0, st->events |= 1U << VIRQ_X86_LAPIC_EV_ESR_SHIFT)
BREAK(b_ev_esr4, st->events |= 0x10U << VIRQ_X86_LAPIC_EV_ESR_SHIFT)
BREAK(b_ev_bit24, st->events |= BIT(24))
BREAK(b_ev_sipi_alone, st->events |= VIRQ_OUT_SIPI)
BREAK(b_sipi_big, st->events |= VIRQ_OUT_SIPI | VIRQ_X86_LAPIC_EV_WAIT_SIPI;
	st->sipi_vector = 0x100)
BREAK(b_sipi_no_sipi, st->sipi_vector = 5)
BREAK(b_id_low, st_set(st, LAPIC_ID, st_reg(st, LAPIC_ID) | 1))
BREAK(b_ldr_low, st_set(st, LAPIC_LDR, st_reg(st, LAPIC_LDR) | 0x100))
BREAK(b_tpr, st_set(st, LAPIC_TPR, 0x100))
BREAK(b_dfr_low, st_set(st, LAPIC_DFR, 0xfffffff0))
BREAK(b_dfr_zero, st_set(st, LAPIC_DFR, 0))
BREAK(b_svr_suppress, st_set(st, LAPIC_SVR, 0x11ff))
BREAK(b_svr_bit10, st_set(st, LAPIC_SVR, 0x5ff))
BREAK(b_irr_low, st_set(st, LAPIC_IRR, 8))
BREAK(b_isr_low, st_set(st, LAPIC_ISR, 0x8000))
BREAK(b_tmr_low, st_set(st, LAPIC_TMR, 1))
BREAK(b_lvt0_remote_irr, st_set(st, LAPIC_LVT0, 0x4700))
BREAK(b_lvt0_status, st_set(st, LAPIC_LVT0, 0x1700))
BREAK(b_lvterr_dm, st_set(st, LAPIC_LVTERR, 0x4fe))
BREAK(b_lvtt_bit19, st_set(st, LAPIC_LVTT, 0x80033))
BREAK(b_lvt_unmasked_disabled, st_set(st, LAPIC_SVR, 0xff))
BREAK(b_rsvd_40, st_set(st, 0x40, 1))
BREAK(b_rsvd_cmci, st_set(st, 0x2f0, LAPIC_MASKED))
BREAK(b_rsvd_eoi, st_set(st, LAPIC_EOI, 1))
BREAK(b_rsvd_rrd, st_set(st, 0xc0, 1))
BREAK(b_rsvd_self, st_set(st, LAPIC_SELF_IPI, 0x40))
BREAK(b_slot_tail, st->regs[LAPIC_TPR + 5] = 1)
BREAK(b_slot_tail_last, st->regs[LAPIC_PAGE_SIZE - 1] = 1)
BREAK(b_icr2_low, st_set(st, LAPIC_ICR2, 0x33000001))
BREAK(b_icr_status, st_set(st, LAPIC_ICR, 0x5077))
BREAK(b_icr_bit13, st_set(st, LAPIC_ICR, 0x6077))
BREAK(b_esr_bit0, st_set(st, LAPIC_ESR, 1))
BREAK(b_tdcr_bit2, st_set(st, LAPIC_TDCR, 4))
BREAK(b_tmict_deadline, st_set(st, LAPIC_TMICT, 1))
BREAK(b_x2_id, st_set(st, LAPIC_ID, 0x212))
BREAK(b_x2_id_xapic, st_set(st, LAPIC_ID, 0x11U << 24))
BREAK(b_x2_ldr, st_set(st, LAPIC_LDR, 0x210004))

static const struct {
	const char *name;
	st_break fn;
	bool x2apic;
} breaks[] = {
	{ "version 0", b_version0 }, { "version 2", b_version2 },
	{ "padding", b_padding }, { "apic_base bit 9", b_base_bit9 },
	{ "apic_base bit 0", b_base_bit0 },
	{ "apic_base bit 63", b_base_bit63 },
	{ "x2APIC without enable", b_base_extd_no_en },
	{ "events FIQ", b_ev_fiq }, { "events INT", b_ev_int },
	{ "events bit 8", b_ev_bit8 }, { "events ESR bit 0", b_ev_esr0 },
	{ "events ESR bit 4", b_ev_esr4 }, { "events bit 24", b_ev_bit24 },
	{ "SIPI outside wait-for-SIPI", b_ev_sipi_alone },
	{ "sipi_vector > 255", b_sipi_big },
	{ "sipi_vector without SIPI", b_sipi_no_sipi },
	{ "ID bits 23:0", b_id_low }, { "LDR bits 23:0", b_ldr_low },
	{ "TPR bit 8", b_tpr }, { "DFR bits 27:0", b_dfr_low },
	{ "DFR 0", b_dfr_zero }, { "SVR EOI suppression", b_svr_suppress },
	{ "SVR bit 10", b_svr_bit10 }, { "IRR vector 3", b_irr_low },
	{ "ISR vector 15", b_isr_low }, { "TMR vector 0", b_tmr_low },
	{ "LVT0 remote IRR", b_lvt0_remote_irr },
	{ "LVT0 delivery status", b_lvt0_status },
	{ "LVTERR delivery mode", b_lvterr_dm },
	{ "LVTT bit 19", b_lvtt_bit19 },
	{ "unmasked LVT, software-disabled", b_lvt_unmasked_disabled },
	{ "reserved 0x40", b_rsvd_40 }, { "LVTCMCI", b_rsvd_cmci },
	{ "EOI", b_rsvd_eoi }, { "RRD", b_rsvd_rrd },
	{ "SELF IPI", b_rsvd_self }, { "TPR bytes 4-15", b_slot_tail },
	{ "last byte", b_slot_tail_last }, { "ICR2 bits 23:0", b_icr2_low },
	{ "ICR delivery status", b_icr_status },
	{ "ICR bit 13", b_icr_bit13 }, { "ESR bit 0", b_esr_bit0 },
	{ "TDCR bit 2", b_tdcr_bit2 },
	{ "TMICT in TSC-deadline mode", b_tmict_deadline, true },
	{ "x2APIC ID", b_x2_id, true },
	{ "x2APIC ID in xAPIC form", b_x2_id_xapic, true },
	{ "x2APIC LDR", b_x2_ldr, true },
	{ "x2APIC version", b_version0, true },
	{ "x2APIC TPR", b_tpr, true },
	{ "x2APIC SELF IPI", b_rsvd_self, true },
};

TEST(set_state_rejects_and_changes_nothing)
{
	static struct virq_x86_lapic_state good, bad, before, after;
	u64 ids[] = { 0x10, 0x211 };
	struct virq_instance *inst;
	struct virq_vcpu *v;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(breaks); i++) {
		inst = lapic_new_opt(2, ids, 0, true);
		v = V(inst, 1);
		busy_lapic(inst, v, breaks[i].x2apic);
		get_state(v, &good);
		CHECK_EQ(x86_lapic_set_state(v, &good), 0);
		get_state(v, &before);
		bad = good;
		breaks[i].fn(&bad);
		if (x86_lapic_set_state(v, &bad) != -EINVAL)
			printf("# %s: accepted\n", breaks[i].name);
		CHECK_EQ(x86_lapic_set_state(v, &bad), -EINVAL);
		get_state(v, &after);
		CHECK(!memcmp(&before, &after, sizeof(before)));
		harness_instance_close(inst);
	}

	/* derived registers are recomputed, not taken */
	inst = lapic_new_opt(2, ids, 0, true);
	v = V(inst, 1);
	busy_lapic(inst, v, false);
	get_state(v, &good);
	bad = good;
	st_set(&bad, LAPIC_LVR, 0x12345678);
	st_set(&bad, LAPIC_PPR, 0xff);
	st_set(&bad, LAPIC_APR, 0xff);
	st_set(&bad, LAPIC_TMCCT, 0xffff);
	CHECK_EQ(x86_lapic_set_state(v, &bad), 0);
	get_state(v, &after);
	CHECK(!memcmp(&good, &after, sizeof(good)));

	/* the timer refuses: nothing changes */
	get_state(v, &before);
	bad = before;
	st_set(&bad, LAPIC_TPR, 0x99);
	bad.apic_base = BASE | EN | EXTD;
	st_set(&bad, LAPIC_ID, 0x211);
	st_set(&bad, LAPIC_LDR, 0x210002);
	fake_restore_ret = -EINVAL;
	CHECK_EQ(x86_lapic_set_state(v, &bad), -EINVAL);
	fake_restore_ret = -ERANGE;
	CHECK_EQ(x86_lapic_set_state(v, &bad), -ERANGE);
	fake_restore_ret = 0;
	get_state(v, &after);
	CHECK(!memcmp(&before, &after, sizeof(before)));
	CHECK_EQ(x86_lapic_set_state(v, &bad), 0);
	CHECK_EQ(msr(v, X2(LAPIC_TPR)), 0x99);
	harness_instance_close(inst);

	/* a latched ExtINT needs a PIC; a SIPI may follow a pending INIT */
	inst = lapic_new_opt(1, NULL, 0, false);
	v = V(inst, 0);
	get_state(v, &good);
	bad = good;
	bad.events |= VIRQ_OUT_EXTINT;
	CHECK_EQ(x86_lapic_set_state(v, &bad), -EINVAL);
	bad = good;
	bad.apic_base &= ~BSP;
	bad.events |= VIRQ_OUT_INIT | VIRQ_OUT_SIPI;
	bad.sipi_vector = 0x33;
	CHECK_EQ(x86_lapic_set_state(v, &bad), 0);
	CHECK_EQ(out(v), VIRQ_OUT_INIT);
	{
		u64 id;
		u32 sipi = 0;

		CHECK_EQ(x86_lapic_ack(v, VIRQ_OUT_INIT, &id), 0);
		CHECK_EQ(x86_lapic_output(v, &sipi), VIRQ_OUT_SIPI);
		CHECK_EQ(sipi, 0x33);
	}
	harness_instance_close(inst);
}

/*
 * KVM's reset BSP state (LVT0 an unmasked ExtINT entry under SVR 0xff)
 * restores, and that LVT0 passes the PIC's INT as it does in KVM; other
 * LVT entries unmasked in a software-disabled LAPIC are still refused.
 */
TEST(kvm_reset_lvt0_restores)
{
	static struct virq_x86_lapic_state st, bad;
	struct virq_instance *inst = lapic_new(1);
	struct virq_vcpu *v = V(inst, 0);
	u32 off;

	fake_pic.out = true;
	x86_lapic_pic_changed(C(inst));
	CHECK_EQ(out(v), 0);
	get_state(v, &st);
	CHECK_EQ(st_reg(&st, LAPIC_SVR), 0xff);
	st_set(&st, LAPIC_LVT0, 0x700);
	CHECK_EQ(x86_lapic_set_state(v, &st), 0);
	CHECK_EQ(rd(v, LAPIC_LVT0), 0x700);
	CHECK_EQ(out(v), VIRQ_OUT_EXTINT);
	for (off = LAPIC_LVTT; off <= LAPIC_LVTERR; off += 0x10) {
		if (off == LAPIC_LVT0)
			continue;
		bad = st;
		st_set(&bad, off, st_reg(&bad, off) & ~LAPIC_MASKED);
		CHECK_EQ(x86_lapic_set_state(v, &bad), -EINVAL);
	}
	/* a guest write while disabled still masks it */
	wr(v, LAPIC_LVT0, 0x700);
	CHECK_EQ(rd(v, LAPIC_LVT0), 0x10700);
	CHECK_EQ(out(v), 0);
	fake_pic.out = false;
	harness_instance_close(inst);
}

TEST(restore_kicks_and_recomputes)
{
	static struct virq_x86_lapic_state st;
	struct virq_instance *inst = lapic_new(1);
	struct virq_vcpu *v = V(inst, 0);
	unsigned long k;

	get_state(v, &st);
	st_set(&st, LAPIC_SVR, 0x1ff);
	st_set(&st, LAPIC_TPR, 0x40);
	st_set(&st, LAPIC_IRR + 0x20, BIT(0x50 - 64));
	st_set(&st, LAPIC_ISR + 0x10, BIT(0x35 - 32));
	k = kicks(v);
	CHECK_EQ(x86_lapic_set_state(v, &st), 0);
	CHECK(kicks(v) > k);
	CHECK_EQ(rd(v, LAPIC_PPR), 0x40);
	CHECK_EQ(out(v), VIRQ_OUT_INT);
	CHECK_EQ(inta(v), 0x50);
	wr(v, LAPIC_EOI, 0);
	CHECK(isr(v, 0x35));
	CHECK_EQ(rd(v, LAPIC_PPR), 0x40);
	wr(v, LAPIC_EOI, 0);
	CHECK_EQ(rd(v, LAPIC_ISR + 0x10), 0);
	harness_instance_close(inst);
}

TEST(show)
{
	struct virq_instance *inst = lapic_new(2);
	struct virq_vcpu *v = V(inst, 1);
	struct seq_file m;

	enable(v);
	CHECK_EQ(fixed(inst, 1, 0x41), 1);
	harness_seq_init(&m, 4096);
	x86_lapic_show(v, &m);
	CHECK(strstr(m.buf, "lapic 1: xAPIC apic_base 0xfee00800"));
	CHECK(strstr(m.buf, "svr 0x1ff"));
	CHECK(strstr(m.buf, "LVT0 0x10000"));
	CHECK(strstr(m.buf,
		     "irr 00000000 00000000 00000000 00000000 00000000 00000002"));
	CHECK(!seq_has_overflowed(&m));
	harness_seq_fini(&m);
	harness_instance_close(inst);
}

/* The TSC attribute reaches the timer under the LAPIC lock, both ways */
TEST(tsc_pass_through)
{
	struct virq_instance *inst = lapic_new(1);
	struct virq_vcpu *v = V(inst, 0);
	struct virq_x86_tsc in = { .tsc_khz = 2500000, .offset = -12345 };
	struct virq_x86_tsc out = {};

	CHECK_EQ(x86_lapic_set_tsc(v, &in), 0);
	x86_lapic_get_tsc(v, &out);
	CHECK_EQ(out.tsc_khz, 2500000);
	CHECK_EQ(out.offset, -12345);
	in.tsc_khz = 20000000;
	CHECK_EQ(x86_lapic_set_tsc(v, &in), -EINVAL);
	x86_lapic_get_tsc(v, &out);
	CHECK_EQ(out.tsc_khz, 2500000);
	harness_instance_close(inst);
}

TEST(enomem_and_timer_failure)
{
	struct virq_instance *inst;
	unsigned long i;
	int ret;

	for (i = 1; ; i++) {
		inst = harness_instance_open();
		CHECK_FATAL(inst);
		CHECK_FATAL(!harness_create_chip(inst, &fake_ops, 1, 16, NULL,
						 0));
		harness_fail_alloc_nth(i);
		ret = harness_create_vcpu(inst, 0, 0, NULL);
		if (!harness_alloc_failed()) {
			harness_fail_alloc_nth(0);
			CHECK_EQ(ret, 0);
			CHECK(V(inst, 0) && L(V(inst, 0)));
			harness_instance_close(inst);
			break;
		}
		harness_fail_alloc_nth(0);
		CHECK_EQ(ret, -ENOMEM);
		CHECK(!V(inst, 0));
		harness_instance_close(inst);
	}
	CHECK(i > 3);	/* the core's vCPU, the LAPIC, the timer */

	inst = harness_instance_open();
	CHECK_FATAL(inst);
	CHECK_FATAL(!harness_create_chip(inst, &fake_ops, 1, 16, NULL, 0));
	fake_timer_fail = 1;
	CHECK_EQ(harness_create_vcpu(inst, 0, 0, NULL), -ENOMEM);
	fake_timer_fail = 2;
	CHECK_EQ(harness_create_vcpu(inst, 0, 0, NULL), -EIO);
	fake_timer_fail = 0;
	CHECK(!V(inst, 0));
	CHECK_EQ(harness_create_vcpu(inst, 0, 0, NULL), 0);
	harness_instance_close(inst);
}

static const struct tap_test tests[] = {
	T(create_and_reset_state), T(mmio_widths_and_reserved),
	T(x2apic_msrs), T(tpr_ppr_masking), T(priority_order_and_apr),
	T(level_eoi_broadcast_and_suppression),
	T(spurious_and_software_disable), T(lvt_write_masks),
	T(esr_illegal_vectors_and_error_interrupt),
	T(lowest_priority_arbitration), T(logical_flat_and_cluster),
	T(x2apic_ids_and_clusters), T(ipi_shorthands),
	T(init_sipi_sequence), T(state_events_uapi_bits), T(nmi_smi_events),
	T(extint_via_lint0_disabled_lapic_and_message), T(timer_registers),
	T(state_round_trip), T(set_state_rejects_and_changes_nothing),
	T(kvm_reset_lvt0_restores), T(restore_kicks_and_recomputes),
	T(show), T(tsc_pass_through),
	T(enomem_and_timer_failure),
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
