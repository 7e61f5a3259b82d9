// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 family's chip: creation options, GSI dispatch through the
 * routing table to the PIC, the IOAPICs and MSIs, source and attribute
 * state, and the vCPU side (register accesses, acknowledge, outputs).
 * The device models live in ioapic.c, i8259.c, lapic.c, timer.c, msi.c
 * and route.c; see x86.h for how they fit together.
 */
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/nospec.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "route.h"
#include "x86.h"

#define X86_MAX_VCPUS		4096
#define X86_SRC_LEVELS		(VIRQ_X86_SRC_LEVEL_USER | \
				 VIRQ_X86_SRC_LEVEL_RESAMPLE)
#define X86_IOAPIC_WINDOW	0x1000

/*
 * The state layouts shared with KVM must match <linux/kvm.h> byte for
 * byte, so that a VMM moves them between the two with a memcpy().  KVM's
 * x86 structs exist only where the host is x86: check there.
 */
#if defined(__KERNEL__) && IS_ENABLED(CONFIG_X86)
#include <linux/kvm.h>

static_assert(sizeof(struct virq_x86_kvm_ioapic) ==
	      sizeof(struct kvm_ioapic_state));
static_assert(offsetof(struct virq_x86_kvm_ioapic, irr) ==
	      offsetof(struct kvm_ioapic_state, irr));
static_assert(offsetof(struct virq_x86_kvm_ioapic, redirtbl) ==
	      offsetof(struct kvm_ioapic_state, redirtbl));
static_assert(sizeof(struct virq_x86_kvm_pic) ==
	      sizeof(struct kvm_pic_state));
static_assert(offsetof(struct virq_x86_kvm_pic, elcr_mask) ==
	      offsetof(struct kvm_pic_state, elcr_mask));
static_assert(sizeof(((struct virq_x86_lapic_state *)0)->regs) ==
	      sizeof(struct kvm_lapic_state));
static_assert(sizeof(struct virq_route) ==
	      sizeof(struct kvm_irq_routing_entry));
static_assert(offsetof(struct virq_route, u) ==
	      offsetof(struct kvm_irq_routing_entry, u));
static_assert(VIRQ_X86_IRQCHIP_IOAPIC(0) == KVM_IRQCHIP_IOAPIC);
#endif

/* --- creation ------------------------------------------------------------ */

/*
 * Check @o and resolve its defaults into @cfg (one per IOAPIC): nr_pins 0
 * is 24, base 0 the default window of its index, and gsi_base 0 of IOAPIC
 * n > 0 the GSI after IOAPIC n - 1's last pin.  Returns the number of
 * IOAPICs or -EINVAL.
 */
static int x86_resolve_options(const struct virq_x86_options *o,
			       u32 nr_sources,
			       struct virq_x86_ioapic_config *cfg)
{
	static const struct virq_x86_ioapic_config zero;
	u32 nr, i, j;

	if (o->flags & ~VIRQ_X86_OPT_ALL || o->padding)
		return -EINVAL;
	if (o->nr_ioapics > VIRQ_X86_MAX_IOAPICS)
		return -EINVAL;
	if (o->nr_irtes && (o->nr_irtes > VIRQ_X86_MAX_IRTES ||
			    !is_power_of_2(o->nr_irtes)))
		return -EINVAL;
	for (i = o->nr_ioapics; i < VIRQ_X86_MAX_IOAPICS; i++)
		if (memcmp(&o->ioapics[i], &zero, sizeof(zero)))
			return -EINVAL;

	nr = o->nr_ioapics ? o->nr_ioapics : 1;
	for (i = 0; i < nr; i++) {
		cfg[i] = o->nr_ioapics ? o->ioapics[i] : zero;
		if (!cfg[i].nr_pins)
			cfg[i].nr_pins = VIRQ_X86_IOAPIC_DEFAULT_PINS;
		if (cfg[i].nr_pins > VIRQ_X86_IOAPIC_MAX_PINS)
			return -EINVAL;
		if (!cfg[i].base)
			cfg[i].base = VIRQ_X86_IOAPIC_DEFAULT_BASE +
				      (u64)X86_IOAPIC_WINDOW * i;
		if (cfg[i].base & (X86_IOAPIC_WINDOW - 1) || cfg[i].id > 15)
			return -EINVAL;
		if (!i && cfg[i].gsi_base)
			return -EINVAL;
		/* 0 beyond IOAPIC 0: right after the previous one's pins */
		if (i && !cfg[i].gsi_base)
			cfg[i].gsi_base = cfg[i - 1].gsi_base +
					  cfg[i - 1].nr_pins;
		/* the default routes of its pins must fit the GSI space */
		if ((u64)cfg[i].gsi_base + cfg[i].nr_pins > nr_sources)
			return -EINVAL;
		for (j = 0; j < i; j++) {
			if (cfg[j].base == cfg[i].base ||
			    cfg[j].id == cfg[i].id)
				return -EINVAL;
			if (cfg[i].gsi_base < cfg[j].gsi_base + cfg[j].nr_pins &&
			    cfg[j].gsi_base < cfg[i].gsi_base + cfg[i].nr_pins)
				return -EINVAL;
		}
	}
	return nr;
}

/*
 * The IOAPICs go first: destroying one cancels its EOI-storm work (and
 * waits for a run in progress), which sends through the remapping table
 * (x86_ir_translate()).  No
 * injection comes any more (the core released the irqfds and holds the
 * last reference), and the LAPIC timers, which outlive the chip until
 * the vCPUs go, reach only their own LAPIC.
 */
static void x86_free(struct x86_chip *chip)
{
	u32 i;

	for (i = 0; i < chip->nr_ioapics; i++)
		x86_ioapic_destroy(chip->ioapics[i]);
	if (chip->routes)
		x86_routes_destroy(chip->routes);
	if (chip->ir)
		x86_ir_destroy(chip->ir);
	if (chip->pic)
		x86_pic_destroy(chip->pic);
	kfree(chip);
}

static int x86_create(struct virq_instance *inst,
		      const struct virq_config *cfg)
{
	struct virq_x86_ioapic_config io[VIRQ_X86_MAX_IOAPICS];
	const struct virq_x86_options *o = cfg->options;
	struct x86_chip *chip;
	int nr, ret = -ENOMEM;
	u32 i;

	nr = x86_resolve_options(o, cfg->nr_sources, io);
	if (nr < 0)
		return nr;

	chip = kzalloc(sizeof(*chip), GFP_KERNEL_ACCOUNT);
	if (!chip)
		return -ENOMEM;
	chip->inst = inst;
	chip->flags = o->flags;

	if (!(o->flags & VIRQ_X86_OPT_NO_PIC)) {
		chip->pic = x86_pic_create(chip);
		if (IS_ERR_OR_NULL(chip->pic))
			goto err_ptr_pic;
	}
	for (i = 0; i < nr; i++) {
		struct x86_ioapic *ioapic = x86_ioapic_create(chip, i, &io[i]);

		if (IS_ERR_OR_NULL(ioapic)) {
			ret = ioapic ? PTR_ERR(ioapic) : -ENOMEM;
			goto err;
		}
		chip->ioapics[chip->nr_ioapics++] = ioapic;
	}
	if (o->nr_irtes) {
		chip->ir = x86_ir_create(o->nr_irtes);
		if (IS_ERR_OR_NULL(chip->ir)) {
			ret = chip->ir ? PTR_ERR(chip->ir) : -ENOMEM;
			chip->ir = NULL;
			goto err;
		}
	}
	chip->routes = x86_routes_create(chip, cfg->nr_sources,
					 cfg->max_routes);
	if (IS_ERR_OR_NULL(chip->routes)) {
		ret = chip->routes ? PTR_ERR(chip->routes) : -ENOMEM;
		chip->routes = NULL;
		goto err;
	}
	for (i = 0; i < nr; i++)
		x86_routes_set_ioapic_base(chip->routes, i, io[i].gsi_base);
	ret = x86_routes_set_default(chip->routes);
	if (ret)
		goto err;

	virq_view(inst)->chip = chip;
	return 0;

err_ptr_pic:
	ret = chip->pic ? PTR_ERR(chip->pic) : -ENOMEM;
	chip->pic = NULL;
err:
	x86_free(chip);
	return ret;
}

static void x86_destroy(struct virq_instance *inst)
{
	x86_free(x86_chip(inst));
	virq_view(inst)->chip = NULL;
}

/* --- injection ----------------------------------------------------------- */

/*
 * KVM's rule for a GSI fanned out to several targets: the sum of the
 * non-negative results, or the last negative one when all are.
 */
static int x86_merge_status(int ret, int r)
{
	if (r < 0)
		return ret;
	return r + (ret < 0 ? 0 : ret);
}

static int x86_msi_deliver(struct x86_chip *chip,
			   const struct virq_msi_msg *msg, int *status)
{
	struct x86_irq irq;
	int ret, n;

	ret = x86_msi_decode(chip, msg, &irq);
	if (ret == -EFAULT) {
		/* remapping fault: recorded by msi.c, the message dropped */
		*status = VIRQ_STATUS_MASKED;
		return 0;
	}
	if (ret)
		return ret;
	n = x86_deliver(chip, &irq, NULL);
	*status = n > 0 ? n : VIRQ_STATUS_COALESCED;
	return 0;
}

static int x86_route_set_irq(struct x86_chip *chip,
			     const struct virq_route *e, u32 op,
			     enum virq_driver driver, int *status)
{
	u32 irqchip = e->u.irqchip.irqchip, pin = e->u.irqchip.pin;
	struct virq_msi_msg msg;

	switch (e->type) {
	case VIRQ_ROUTE_IRQCHIP:
		if (irqchip <= VIRQ_X86_IRQCHIP_PIC_SLAVE)
			return x86_pic_set_irq(chip->pic, irqchip * 8 + pin,
					       op, driver, status);
		return x86_ioapic_set_irq(chip->ioapics[irqchip -
					  VIRQ_X86_IRQCHIP_IOAPIC(0)],
					  pin, op, driver, status);
	case VIRQ_ROUTE_MSI:
		/* an MSI is an edge: the falling half of a level is nothing */
		if (op == VIRQ_LINE_RESET) {
			*status = VIRQ_STATUS_COALESCED;
			return 0;
		}
		msg.address = (u64)e->u.msi.address_hi << 32 |
			      e->u.msi.address_lo;
		msg.data = e->u.msi.data;
		msg.devid = e->u.msi.devid;
		msg.has_devid = e->flags & VIRQ_ROUTE_FLAG_DEVID;
		return x86_msi_deliver(chip, &msg, status);
	}
	return -EINVAL;
}

/*
 * A GSI without routes reports VIRQ_STATUS_MASKED: nothing could take it.
 */
static int x86_set_irq(struct virq_instance *inst, u32 gsi, u32 op,
		       enum virq_driver driver, int *status)
{
	struct x86_chip *chip = x86_chip(inst);
	const struct x86_gsi *g;
	int ret = VIRQ_STATUS_MASKED, err = 0, r;
	u32 i;

	rcu_read_lock();
	g = x86_routes_lookup(chip->routes, gsi);
	for (i = 0; g && i < g->nr; i++) {
		err = x86_route_set_irq(chip, &g->e[i], op, driver, &r);
		if (err)
			break;
		ret = x86_merge_status(ret, r);
	}
	rcu_read_unlock();
	*status = ret;
	return err;
}

static int x86_signal_msi(struct virq_instance *inst,
			  const struct virq_msi_msg *msg, int *status)
{
	return x86_msi_deliver(x86_chip(inst), msg, status);
}

/* --- source state -------------------------------------------------------- */

static u8 x86_pin_drivers(struct x86_chip *chip, const struct virq_route *e)
{
	u32 irqchip = e->u.irqchip.irqchip, pin = e->u.irqchip.pin;

	if (irqchip <= VIRQ_X86_IRQCHIP_PIC_SLAVE)
		return x86_pic_get_drivers(chip->pic, irqchip * 8 + pin);
	return x86_ioapic_get_drivers(chip->ioapics[irqchip -
				      VIRQ_X86_IRQCHIP_IOAPIC(0)], pin);
}

static void x86_set_pin_drivers(struct x86_chip *chip,
				const struct virq_route *e, u8 drivers)
{
	u32 irqchip = e->u.irqchip.irqchip, pin = e->u.irqchip.pin;

	if (irqchip <= VIRQ_X86_IRQCHIP_PIC_SLAVE)
		x86_pic_set_drivers(chip->pic, irqchip * 8 + pin, drivers);
	else
		x86_ioapic_set_drivers(chip->ioapics[irqchip -
				       VIRQ_X86_IRQCHIP_IOAPIC(0)], pin,
				       drivers);
}

/*
 * A GSI's word: the drivers holding its irqchip pins high (the pins of a
 * fanned-out GSI move together, so their OR is the GSI's level).
 */
static int x86_get_sources(struct virq_instance *inst, u32 first, u32 count,
			   u64 *words)
{
	struct x86_chip *chip = x86_chip(inst);
	const struct x86_gsi *g;
	u32 i, j;

	rcu_read_lock();
	for (i = 0; i < count; i++) {
		g = x86_routes_lookup(chip->routes, first + i);
		words[i] = 0;
		for (j = 0; g && j < g->nr; j++)
			if (g->e[j].type == VIRQ_ROUTE_IRQCHIP)
				words[i] |= x86_pin_drivers(chip, &g->e[j]);
	}
	rcu_read_unlock();
	return 0;
}

static int x86_set_sources(struct virq_instance *inst, u32 first, u32 count,
			   const u64 *words)
{
	struct x86_chip *chip = x86_chip(inst);
	const struct x86_gsi *g;
	u32 i, j;

	for (i = 0; i < count; i++)
		if (words[i] & ~X86_SRC_LEVELS)
			return -EINVAL;

	rcu_read_lock();
	for (i = 0; i < count; i++) {
		g = x86_routes_lookup(chip->routes, first + i);
		for (j = 0; g && j < g->nr; j++)
			if (g->e[j].type == VIRQ_ROUTE_IRQCHIP)
				x86_set_pin_drivers(chip, &g->e[j], words[i]);
	}
	rcu_read_unlock();
	return 0;
}

/* --- routing ------------------------------------------------------------- */

static int x86_set_routing(struct virq_instance *inst,
			   const struct virq_route *e, u32 nr)
{
	return x86_routes_set_all(x86_chip(inst)->routes, e, nr);
}

static int x86_update_route(struct virq_instance *inst, u32 op,
			    const struct virq_route *e)
{
	return x86_routes_update(x86_chip(inst)->routes, op, e);
}

static int x86_get_routing(struct virq_instance *inst, struct virq_route *e,
			   u32 *nr)
{
	return x86_routes_get(x86_chip(inst)->routes, e, nr);
}

/* --- chip attributes ----------------------------------------------------- */

/* The size check every fixed-size GET makes: -ENOSPC with the size */
static bool x86_attr_fits(u32 *size, u32 need)
{
	bool fits = *size >= need;

	*size = need;
	return fits;
}

static int x86_irte_range(struct x86_chip *chip, u64 first, u32 size,
			  u32 *count)
{
	if (!chip->ir)
		return -ENXIO;
	if (!size || size % sizeof(struct virq_x86_irte) || first > U32_MAX)
		return -EINVAL;
	*count = size / sizeof(struct virq_x86_irte);
	return 0;
}

/* The IOAPIC a user's @attr names, or NULL; no speculation past the check */
static struct x86_ioapic *x86_attr_ioapic(struct x86_chip *chip, u64 attr)
{
	if (attr >= chip->nr_ioapics)
		return NULL;
	return chip->ioapics[array_index_nospec((u32)attr, chip->nr_ioapics)];
}

static int x86_get_attr(struct virq_instance *inst, u32 group, u64 attr,
			void *buf, u32 *size)
{
	struct x86_chip *chip = x86_chip(inst);
	struct x86_ioapic *ioapic;
	u32 count;
	int ret;

	switch (group) {
	case VIRQ_X86_GRP_IOAPIC:
		ioapic = x86_attr_ioapic(chip, attr);
		if (!ioapic)
			return -ENXIO;
		if (!x86_attr_fits(size, sizeof(struct virq_x86_ioapic_state)))
			return -ENOSPC;
		x86_ioapic_get_state(ioapic, buf);
		return 0;
	case VIRQ_X86_GRP_PIC:
		if (attr || !chip->pic)
			return -ENXIO;
		if (!x86_attr_fits(size, sizeof(struct virq_x86_pic_state)))
			return -ENOSPC;
		x86_pic_get_state(chip->pic, buf);
		return 0;
	case VIRQ_X86_GRP_IRTE:
		ret = x86_irte_range(chip, attr, *size, &count);
		if (ret)
			return ret;
		return x86_ir_get_entries(chip->ir, attr, count, buf);
	case VIRQ_X86_GRP_IR_FAULT:
		if (attr || !chip->ir)
			return -ENXIO;
		if (!x86_attr_fits(size, sizeof(struct virq_x86_ir_fault)))
			return -ENOSPC;
		x86_ir_get_fault(chip->ir, buf);
		return 0;
	}
	return -ENXIO;
}

static int x86_set_attr(struct virq_instance *inst, u32 group, u64 attr,
			const void *buf, u32 size)
{
	struct x86_chip *chip = x86_chip(inst);
	struct x86_ioapic *ioapic;
	u32 count;
	s32 fd;
	int ret;

	switch (group) {
	case VIRQ_X86_GRP_IOAPIC:
		ioapic = x86_attr_ioapic(chip, attr);
		if (!ioapic)
			return -ENXIO;
		if (size != sizeof(struct virq_x86_ioapic_state))
			return -EINVAL;
		return x86_ioapic_set_state(ioapic, buf);
	case VIRQ_X86_GRP_PIC:
		if (attr || !chip->pic)
			return -ENXIO;
		if (size != sizeof(struct virq_x86_pic_state))
			return -EINVAL;
		return x86_pic_set_state(chip->pic, buf);
	case VIRQ_X86_GRP_IRTE:
		ret = x86_irte_range(chip, attr, size, &count);
		if (ret)
			return ret;
		return x86_ir_set_entries(chip->ir, attr, count, buf);
	case VIRQ_X86_GRP_IR_FAULT:
		if (attr != 1 || !chip->ir)
			return -ENXIO;
		if (size != sizeof(fd))
			return -EINVAL;
		memcpy(&fd, buf, sizeof(fd));
		return x86_ir_set_fault_eventfd(chip->ir, fd);
	}
	return -ENXIO;
}

static int x86_has_attr(struct virq_instance *inst, u32 group, u64 attr)
{
	struct x86_chip *chip = x86_chip(inst);

	switch (group) {
	case VIRQ_X86_GRP_IOAPIC:
		return attr < chip->nr_ioapics ? 0 : -ENXIO;
	case VIRQ_X86_GRP_PIC:
		return !attr && chip->pic ? 0 : -ENXIO;
	case VIRQ_X86_GRP_IRTE:
		return chip->ir ? 0 : -ENXIO;
	case VIRQ_X86_GRP_IR_FAULT:
		return attr <= 1 && chip->ir ? 0 : -ENXIO;
	}
	return -ENXIO;
}

/* --- vCPUs ----------------------------------------------------------------- */

static int x86_vcpu_create(struct virq_vcpu *vcpu)
{
	/* 0xffffffff is the x2APIC broadcast id */
	if (vcpu->arch_id >= X86_BROADCAST_X2APIC)
		return -EINVAL;
	return x86_lapic_create(vcpu);
}

static int x86_vcpu_access(struct virq_vcpu *vcpu, u32 space, u64 addr,
			   u32 len, bool write, u64 *data)
{
	struct x86_chip *chip = x86_chip(vcpu->inst);
	u32 i;
	int ret;

	switch (space) {
	case VIRQ_SPACE_MMIO:
		for (i = 0; i < chip->nr_ioapics; i++) {
			ret = x86_ioapic_mmio(chip->ioapics[i], addr, len,
					      write, data);
			if (ret != -ENXIO)
				return ret;
		}
		return x86_lapic_access(vcpu, space, addr, len, write, data);
	case VIRQ_SPACE_MSR:
		return x86_lapic_access(vcpu, space, addr, len, write, data);
	case VIRQ_SPACE_PIO:
		if (!chip->pic || addr > U16_MAX)
			return -ENXIO;
		return x86_pic_pio(chip->pic, addr, len, write, data);
	}
	return -ENXIO;
}

static int x86_vcpu_get_attr(struct virq_vcpu *vcpu, u32 group, u64 attr,
			     void *buf, u32 *size)
{
	if (attr)
		return -ENXIO;
	switch (group) {
	case VIRQ_X86_VGRP_LAPIC:
		if (!x86_attr_fits(size, sizeof(struct virq_x86_lapic_state)))
			return -ENOSPC;
		x86_lapic_get_state(vcpu, buf);
		return 0;
	case VIRQ_X86_VGRP_TSC:
		if (!x86_attr_fits(size, sizeof(struct virq_x86_tsc)))
			return -ENOSPC;
		x86_lapic_get_tsc(vcpu, buf);
		return 0;
	}
	return -ENXIO;
}

static int x86_vcpu_set_attr(struct virq_vcpu *vcpu, u32 group, u64 attr,
			     const void *buf, u32 size)
{
	if (attr)
		return -ENXIO;
	switch (group) {
	case VIRQ_X86_VGRP_LAPIC:
		if (size != sizeof(struct virq_x86_lapic_state))
			return -EINVAL;
		return x86_lapic_set_state(vcpu, buf);
	case VIRQ_X86_VGRP_TSC:
		if (size != sizeof(struct virq_x86_tsc))
			return -EINVAL;
		return x86_lapic_set_tsc(vcpu, buf);
	}
	return -ENXIO;
}

static int x86_vcpu_has_attr(struct virq_vcpu *vcpu, u32 group, u64 attr)
{
	if (attr || (group != VIRQ_X86_VGRP_LAPIC &&
		     group != VIRQ_X86_VGRP_TSC))
		return -ENXIO;
	return 0;
}

/* --- services for the pieces --------------------------------------------- */

static void x86_gsi_eoi(struct x86_chip *chip, u32 gsi)
{
	virq_notify_eoi(chip->inst, gsi);
	virq_trace_eoi(chip->inst, gsi);
}

/**
 * x86_pin_eoi() - the guest ended a level interrupt on a pin
 * @chip: the chip
 * @irqchip: VIRQ_X86_IRQCHIP_*
 * @pin: pin of @irqchip
 *
 * Signals the resamplers of every GSI routed to the pin.
 * Context: process; no model lock held.
 */
void x86_pin_eoi(struct x86_chip *chip, u32 irqchip, u32 pin)
{
	x86_routes_for_each_gsi(chip->routes, irqchip, pin, x86_gsi_eoi);
}

/**
 * x86_eoi_broadcast() - a LAPIC ended a level-triggered vector
 * @chip: the chip
 * @vector: the vector
 *
 * Context: process; no model lock held.
 */
void x86_eoi_broadcast(struct x86_chip *chip, u8 vector)
{
	u32 i;

	for (i = 0; i < chip->nr_ioapics; i++)
		x86_ioapic_eoi(chip->ioapics[i], vector);
}

static void x86_show(struct virq_instance *inst, struct seq_file *m)
{
	struct x86_chip *chip = x86_chip(inst);
	struct virq_vcpu *vcpu;
	u32 i;

	seq_printf(m, "x86: %u IOAPIC(s), PIC %s, remapping %s\n",
		   chip->nr_ioapics, chip->pic ? "on" : "off",
		   chip->ir ? "on" : "off");
	if (chip->pic)
		x86_pic_show(chip->pic, m);
	for (i = 0; i < chip->nr_ioapics; i++)
		x86_ioapic_show(chip->ioapics[i], m);
	for (i = 0; i < virq_view(inst)->nr_vcpus; i++) {
		vcpu = virq_get_vcpu(inst, i);
		if (vcpu)
			x86_lapic_show(vcpu, m);
	}
}

const struct virq_chip_ops virq_x86_ops = {
	.family			= VIRQ_FAMILY_X86,
	.name			= "x86",
	.max_vcpus		= X86_MAX_VCPUS,
	.max_sources		= VIRQ_X86_MAX_GSIS,
	.features		= VIRQ_X86_FEATURE_MULTI_IOAPIC |
				  VIRQ_X86_FEATURE_X2APIC |
				  VIRQ_X86_FEATURE_TSC_DEADLINE |
				  VIRQ_X86_FEATURE_IR |
				  VIRQ_X86_FEATURE_DIRECTED_EOI,
	.source_word_version	= VIRQ_X86_SOURCE_WORD_VERSION,
	.options_size		= sizeof(struct virq_x86_options),
	.create			= x86_create,
	.destroy		= x86_destroy,
	.vcpu_create		= x86_vcpu_create,
	.vcpu_destroy		= x86_lapic_destroy,
	.set_irq		= x86_set_irq,
	.signal_msi		= x86_signal_msi,
	.get_sources		= x86_get_sources,
	.set_sources		= x86_set_sources,
	.get_attr		= x86_get_attr,
	.set_attr		= x86_set_attr,
	.has_attr		= x86_has_attr,
	.set_routing		= x86_set_routing,
	.update_route		= x86_update_route,
	.get_routing		= x86_get_routing,
	.vcpu_output		= x86_lapic_output,
	.vcpu_ack		= x86_lapic_ack,
	.vcpu_access		= x86_vcpu_access,
	.vcpu_get_attr		= x86_vcpu_get_attr,
	.vcpu_set_attr		= x86_vcpu_set_attr,
	.vcpu_has_attr		= x86_vcpu_has_attr,
	.show			= x86_show,
};
