// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the x86 GSI routing table (virq/x86/route.c), alone: the
 * chip is filled in by hand, and the IOAPICs are fakes whose only service
 * is x86_ioapic_nr_pins().  Default routes, every single-entry operation
 * with each errno, whole-table sets (all-or-nothing, -ENOMEM at every
 * allocation), ordered reads, the pin -> GSI reverse map, and allocation
 * counts for sparse 1M-GSI and 128k-route tables.
 */
#include <stdlib.h>

#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/rcupdate.h>

#include "tap.h"
#include "../../virq/x86/route.h"

#define MASTER		VIRQ_X86_IRQCHIP_PIC_MASTER
#define SLAVE		VIRQ_X86_IRQCHIP_PIC_SLAVE
#define IOAPIC(n)	VIRQ_X86_IRQCHIP_IOAPIC(n)
#define ADD		VIRQ_ROUTE_OP_ADD
#define DEL		VIRQ_ROUTE_OP_DELETE
#define REPL		VIRQ_ROUTE_OP_REPLACE
#define CLEAR		VIRQ_ROUTE_OP_CLEAR

/* --- fakes of the other pieces ------------------------------------------ */

struct x86_ioapic {
	u32 nr_pins;
};

static struct x86_ioapic fake_ioapic[VIRQ_X86_MAX_IOAPICS];
static char fake_pic;
static struct x86_chip chip;

u32 x86_ioapic_nr_pins(struct x86_ioapic *ioapic)
{
	return ioapic->nr_pins;
}

/* A chip with a PIC or not and IOAPICs of @pins[0..n) pins */
static struct x86_chip *chip_setup(bool pic, u32 n, const u32 *pins)
{
	u32 i;

	memset(&chip, 0, sizeof(chip));
	chip.pic = pic ? (struct x86_pic *)&fake_pic : NULL;
	chip.nr_ioapics = n;
	for (i = 0; i < n; i++) {
		fake_ioapic[i].nr_pins = pins[i];
		chip.ioapics[i] = &fake_ioapic[i];
	}
	return &chip;
}

/* The KVM_CREATE_IRQCHIP chip: PIC pair and one 24-pin IOAPIC */
static struct x86_routes *routes_new(u32 nr_gsis, u32 max_routes)
{
	static const u32 pins[] = { 24 };
	struct x86_routes *r;

	chip_setup(true, 1, pins);
	r = x86_routes_create(&chip, nr_gsis, max_routes);
	CHECK_FATAL(!IS_ERR_OR_NULL(r));
	return r;
}

static struct virq_route rt_chip(u32 gsi, u32 irqchip, u32 pin)
{
	struct virq_route e = {
		.gsi = gsi,
		.type = VIRQ_ROUTE_IRQCHIP,
		.u.irqchip = { .irqchip = irqchip, .pin = pin },
	};

	return e;
}

static struct virq_route rt_msi(u32 gsi, u32 lo, u32 data)
{
	struct virq_route e = {
		.gsi = gsi,
		.type = VIRQ_ROUTE_MSI,
		.u.msi = { .address_lo = lo, .data = data },
	};

	return e;
}

/* The same, as pointers to compound literals */
#define RC(g, c, p) (&(struct virq_route){				\
	.gsi = (g), .type = VIRQ_ROUTE_IRQCHIP,				\
	.u.irqchip = { .irqchip = (c), .pin = (p) } })
#define RM(g, lo, d) (&(struct virq_route){				\
	.gsi = (g), .type = VIRQ_ROUTE_MSI,				\
	.u.msi = { .address_lo = (lo), .data = (d) } })

static bool route_eq(const struct virq_route *a, const struct virq_route *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Entries of @gsi (0 if none) */
static u32 nr_of(struct x86_routes *r, u32 gsi)
{
	const struct x86_gsi *g;

	rcu_read_lock();
	g = x86_routes_lookup(r, gsi);
	rcu_read_unlock();
	return g ? g->nr : 0;
}

/* Entry @i of @gsi equals @want */
static bool has(struct x86_routes *r, u32 gsi, u32 i,
		const struct virq_route *want)
{
	const struct x86_gsi *g = x86_routes_lookup(r, gsi);

	return g && i < g->nr && route_eq(&g->e[i], want);
}

/* --- the reverse map, as the EOI path sees it ----------------------------- */

#define MAX_SEEN	64
static u32 seen[MAX_SEEN];
static u32 nr_seen;

static void seen_fn(struct x86_chip *c, u32 gsi)
{
	CHECK(c == &chip);
	if (nr_seen < MAX_SEEN)
		seen[nr_seen] = gsi;
	nr_seen++;
}

static int u32_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* The GSIs on (@irqchip, @pin), sorted, as a comma-separated string */
static const char *pin_gsis(struct x86_routes *r, u32 irqchip, u32 pin)
{
	static char buf[512];
	u32 i;
	int n = 0;

	nr_seen = 0;
	x86_routes_for_each_gsi(r, irqchip, pin, seen_fn);
	qsort(seen, min_t(u32, nr_seen, MAX_SEEN), sizeof(u32), u32_cmp);
	buf[0] = 0;
	for (i = 0; i < nr_seen && i < MAX_SEEN; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%u", i ? "," : "",
			      seen[i]);
	return buf;
}

#define CHECK_PIN(r, chipno, pin, want)					\
	do {								\
		u32 __c = (chipno), __p = (pin);			\
		const char *__want = (want);				\
		const char *__got = pin_gsis(r, __c, __p);		\
		if (strcmp(__got, __want)) {				\
			tap_failed_checks++;				\
			printf("# %s:%d: pin (%u,%u): got \"%s\", want \"%s\"\n", \
			       __FILE__, __LINE__, __c, __p, __got,	\
			       __want);					\
		}							\
	} while (0)

/* --- tests ---------------------------------------------------------------- */

TEST(create_destroy)
{
	static const u32 pins[] = { 24 };
	struct x86_routes *r;
	long live = harness_live_allocs();

	chip_setup(true, 1, pins);
	CHECK_EQ(PTR_ERR(x86_routes_create(&chip, 0, 10)), -EINVAL);
	CHECK_EQ(PTR_ERR(x86_routes_create(&chip, VIRQ_X86_MAX_GSIS + 1, 10)),
		 -EINVAL);
	harness_fail_alloc_nth(1);
	CHECK_EQ(PTR_ERR(x86_routes_create(&chip, 24, 10)), -ENOMEM);
	CHECK_EQ(harness_live_allocs(), live);

	r = x86_routes_create(&chip, VIRQ_X86_MAX_GSIS, 10);
	CHECK_FATAL(!IS_ERR_OR_NULL(r));
	CHECK_EQ(x86_routes_count(r), 0);
	CHECK(!x86_routes_lookup(r, 0));
	CHECK(!x86_routes_lookup(r, VIRQ_X86_MAX_GSIS - 1));
	CHECK(!x86_routes_lookup(r, VIRQ_X86_MAX_GSIS));
	CHECK(!x86_routes_lookup(r, ~0U));
	x86_routes_destroy(r);
	x86_routes_destroy(NULL);
}

TEST(default_routes_kvm)
{
	struct x86_routes *r = routes_new(64, 1000);
	struct virq_route e[64], want;
	u32 nr = ARRAY_SIZE(e), gsi;

	CHECK_EQ(x86_routes_set_default(r), 0);
	CHECK_EQ(x86_routes_count(r), 16 + 24);
	for (gsi = 0; gsi < 16; gsi++) {
		CHECK_EQ(nr_of(r, gsi), 2);
		want = rt_chip(gsi, gsi < 8 ? MASTER : SLAVE, gsi % 8);
		CHECK(has(r, gsi, 0, &want));
		want = rt_chip(gsi, IOAPIC(0), gsi);
		CHECK(has(r, gsi, 1, &want));
	}
	for (; gsi < 24; gsi++) {
		CHECK_EQ(nr_of(r, gsi), 1);
		want = rt_chip(gsi, IOAPIC(0), gsi);
		CHECK(has(r, gsi, 0, &want));
	}
	for (; gsi < 64; gsi++)
		CHECK_EQ(nr_of(r, gsi), 0);

	/* get: by GSI, PIC entry first within 0-15 */
	CHECK_EQ(x86_routes_get(r, e, &nr), 0);
	CHECK_EQ(nr, 40);
	want = rt_chip(0, MASTER, 0);
	CHECK(route_eq(&e[0], &want));
	want = rt_chip(0, IOAPIC(0), 0);
	CHECK(route_eq(&e[1], &want));
	want = rt_chip(15, SLAVE, 7);
	CHECK(route_eq(&e[30], &want));
	want = rt_chip(23, IOAPIC(0), 23);
	CHECK(route_eq(&e[39], &want));

	CHECK_PIN(r, MASTER, 0, "0");
	CHECK_PIN(r, SLAVE, 0, "8");
	CHECK_PIN(r, IOAPIC(0), 2, "2");
	CHECK_PIN(r, IOAPIC(0), 23, "23");
	CHECK_PIN(r, IOAPIC(1), 0, "");

	/* Setting the defaults again changes nothing */
	CHECK_EQ(x86_routes_set_default(r), 0);
	CHECK_EQ(x86_routes_count(r), 40);
	CHECK_PIN(r, IOAPIC(0), 2, "2");
	x86_routes_destroy(r);
}

TEST(default_routes_no_pic_multi_ioapic)
{
	static const u32 pins[] = { 24, 16, 8, 4 };
	struct virq_route want;
	struct x86_routes *r;

	chip_setup(false, 4, pins);
	r = x86_routes_create(&chip, 104, 1000);
	CHECK_FATAL(!IS_ERR(r));
	CHECK_EQ(x86_routes_set_ioapic_base(r, 0, 1), -EINVAL);
	CHECK_EQ(x86_routes_set_ioapic_base(r, VIRQ_X86_MAX_IOAPICS, 0),
		 -EINVAL);
	CHECK_EQ(x86_routes_set_ioapic_base(r, 0, 0), 0);
	/*
	 * IOAPIC 1 unset: follows IOAPIC 0 at 24; IOAPIC 2 at 100 (4 of 8
	 * pins below nr_gsis); IOAPIC 3 unset: 108, beyond nr_gsis
	 */
	CHECK_EQ(x86_routes_set_ioapic_base(r, 2, 100), 0);
	CHECK_EQ(x86_routes_set_default(r), 0);
	CHECK_EQ(x86_routes_count(r), 24 + 16 + 4);
	CHECK_EQ(nr_of(r, 0), 1);
	want = rt_chip(0, IOAPIC(0), 0);
	CHECK(has(r, 0, 0, &want));
	want = rt_chip(24, IOAPIC(1), 0);
	CHECK(has(r, 24, 0, &want));
	want = rt_chip(39, IOAPIC(1), 15);
	CHECK(has(r, 39, 0, &want));
	CHECK_EQ(nr_of(r, 40), 0);
	want = rt_chip(103, IOAPIC(2), 3);
	CHECK(has(r, 103, 0, &want));
	CHECK_PIN(r, MASTER, 0, "");
	CHECK_PIN(r, IOAPIC(2), 0, "100");
	CHECK_PIN(r, IOAPIC(3), 0, "");

	/* Overlapping bases fan one GSI out to two IOAPICs */
	CHECK_EQ(x86_routes_set_ioapic_base(r, 1, 20), 0);
	CHECK_EQ(x86_routes_set_default(r), 0);
	CHECK_EQ(nr_of(r, 20), 2);
	CHECK_PIN(r, IOAPIC(1), 0, "20");
	CHECK_PIN(r, IOAPIC(0), 20, "20");
	x86_routes_destroy(r);
}

TEST(default_routes_limits)
{
	struct x86_routes *r = routes_new(10, 1000);
	struct virq_route want;

	/* Only GSIs below nr_gsis */
	CHECK_EQ(x86_routes_set_default(r), 0);
	CHECK_EQ(x86_routes_count(r), 20);
	want = rt_chip(9, SLAVE, 1);
	CHECK(has(r, 9, 0, &want));
	x86_routes_destroy(r);

	/* More than max_routes: ENOSPC, table untouched */
	r = routes_new(64, 39);
	CHECK_EQ(x86_routes_update(r, ADD, &(struct virq_route){
		.gsi = 50, .type = VIRQ_ROUTE_MSI }), 0);
	CHECK_EQ(x86_routes_set_default(r), -ENOSPC);
	CHECK_EQ(x86_routes_count(r), 1);
	CHECK_EQ(nr_of(r, 50), 1);
	x86_routes_destroy(r);

	r = routes_new(64, 40);
	CHECK_EQ(x86_routes_set_default(r), 0);
	harness_fail_alloc_nth(1);
	CHECK_EQ(x86_routes_set_default(r), -ENOMEM);
	CHECK_EQ(x86_routes_count(r), 40);
	x86_routes_destroy(r);
}

/* Each subtest breaks one field of a valid entry */
TEST(entry_validation)
{
	static const u32 pins[] = { 24, 8 };
	struct virq_route good[] = {
		rt_chip(5, MASTER, 7), rt_chip(6, SLAVE, 0),
		rt_chip(7, IOAPIC(1), 7), rt_msi(8, 0xfee00000, 0x41),
	};
	struct virq_route bad[20], e;
	struct x86_routes *r;
	u32 i, n = 0;

	chip_setup(true, 2, pins);
	r = x86_routes_create(&chip, 100, 1000);
	CHECK_FATAL(!IS_ERR(r));

	bad[n++] = rt_chip(100, IOAPIC(0), 0);		/* gsi >= nr_gsis */
	e = rt_chip(1, IOAPIC(0), 0);
	e.pad = 1;
	bad[n++] = e;
	e = rt_chip(1, IOAPIC(0), 0);
	e.type = 0;
	bad[n++] = e;
	e.type = 3;
	bad[n++] = e;
	e = rt_chip(1, IOAPIC(0), 0);
	e.flags = VIRQ_ROUTE_FLAG_DEVID;		/* DEVID on irqchip */
	bad[n++] = e;
	e = rt_chip(1, IOAPIC(0), 0);
	e.u.pad[2] = 1;
	bad[n++] = e;
	e = rt_chip(1, IOAPIC(0), 0);
	e.u.pad[7] = 1;
	bad[n++] = e;
	bad[n++] = rt_chip(1, MASTER, 8);		/* PIC pin */
	bad[n++] = rt_chip(1, SLAVE, 8);
	bad[n++] = rt_chip(1, IOAPIC(0), 24);		/* IOAPIC pin */
	bad[n++] = rt_chip(1, IOAPIC(1), 8);
	bad[n++] = rt_chip(1, IOAPIC(2), 0);		/* no IOAPIC 2 */
	bad[n++] = rt_chip(1, IOAPIC(8), 0);
	bad[n++] = rt_chip(1, ~0U, 0);
	e = rt_msi(1, 0xfee00000, 0);
	e.flags = 2;					/* unknown flag */
	bad[n++] = e;
	e = rt_msi(1, 0xfee00000, 0);
	e.u.msi.devid = 0x100;				/* devid, no flag */
	bad[n++] = e;
	e = rt_msi(1, 0xfee00000, 0);
	e.u.pad[4] = 1;
	bad[n++] = e;
	e = rt_msi(1, 0xfee00000, 0);
	e.pad = 1;
	bad[n++] = e;

	for (i = 0; i < n; i++) {
		struct virq_route all[ARRAY_SIZE(good) + 1];

		CHECK_EQ(x86_routes_update(r, ADD, &bad[i]), -EINVAL);
		CHECK_EQ(x86_routes_update(r, REPL, &bad[i]), -EINVAL);
		CHECK_EQ(x86_routes_update(r, DEL, &bad[i]), -EINVAL);
		/* one bad entry among good ones: whole set refused */
		memcpy(all, good, sizeof(good));
		all[ARRAY_SIZE(good)] = bad[i];
		CHECK_EQ(x86_routes_set_all(r, all, ARRAY_SIZE(all)), -EINVAL);
		CHECK_EQ(x86_routes_count(r), 0);
	}

	/* Without a PIC, PIC entries are invalid */
	chip.pic = NULL;
	CHECK_EQ(x86_routes_update(r, ADD, &good[0]), -EINVAL);
	chip.pic = (struct x86_pic *)&fake_pic;

	CHECK_EQ(x86_routes_set_all(r, good, ARRAY_SIZE(good)), 0);
	CHECK_EQ(x86_routes_count(r), ARRAY_SIZE(good));
	/* MSI with devid */
	e = rt_msi(9, 0xfee01000, 0x8041);
	e.flags = VIRQ_ROUTE_FLAG_DEVID;
	e.u.msi.devid = 0x0108;
	e.u.msi.address_hi = 0x100;
	CHECK_EQ(x86_routes_update(r, ADD, &e), 0);
	CHECK(has(r, 9, 0, &e));

	/* Unknown ops */
	CHECK_EQ(x86_routes_update(r, 0, &good[0]), -EINVAL);
	CHECK_EQ(x86_routes_update(r, 5, &good[0]), -EINVAL);
	CHECK_EQ(x86_routes_count(r), ARRAY_SIZE(good) + 1);
	x86_routes_destroy(r);
}

TEST(op_add)
{
	static const u32 pins[] = { 24, 24 };
	struct virq_route a = rt_chip(3, MASTER, 3);
	struct virq_route b = rt_chip(3, IOAPIC(0), 3);
	struct virq_route c = rt_chip(3, IOAPIC(1), 11);
	struct virq_route m = rt_msi(4, 0xfee00000, 0x30);
	struct virq_route e;
	struct x86_routes *r;

	chip_setup(true, 2, pins);
	r = x86_routes_create(&chip, 1024, 6);
	CHECK_FATAL(!IS_ERR(r));

	/* Fan-out: PIC + two IOAPICs */
	CHECK_EQ(x86_routes_update(r, ADD, &a), 0);
	CHECK_EQ(x86_routes_update(r, ADD, &b), 0);
	CHECK_EQ(x86_routes_update(r, ADD, &c), 0);
	CHECK_EQ(nr_of(r, 3), 3);
	CHECK(has(r, 3, 0, &a) && has(r, 3, 1, &b) && has(r, 3, 2, &c));
	CHECK_PIN(r, MASTER, 3, "3");
	CHECK_PIN(r, IOAPIC(0), 3, "3");
	CHECK_PIN(r, IOAPIC(1), 11, "3");

	/* EEXIST: same entry, same irqchip on another pin */
	CHECK_EQ(x86_routes_update(r, ADD, &b), -EEXIST);
	e = rt_chip(3, IOAPIC(0), 4);
	CHECK_EQ(x86_routes_update(r, ADD, &e), -EEXIST);
	e = rt_chip(3, SLAVE, 3);		/* PIC master and slave differ */
	CHECK_EQ(x86_routes_update(r, ADD, &e), 0);
	CHECK_EQ(nr_of(r, 3), 4);

	/* One MSI, alone */
	CHECK_EQ(x86_routes_update(r, ADD, &m), 0);
	e = rt_msi(4, 0xfee01000, 0x31);
	CHECK_EQ(x86_routes_update(r, ADD, &e), -EEXIST);
	e = rt_chip(4, IOAPIC(0), 4);
	CHECK_EQ(x86_routes_update(r, ADD, &e), -EEXIST);
	e = rt_msi(3, 0xfee00000, 0x30);
	CHECK_EQ(x86_routes_update(r, ADD, &e), -EEXIST);
	CHECK_EQ(nr_of(r, 4), 1);
	CHECK(has(r, 4, 0, &m));

	/* max_routes 6: one more fits, then ENOSPC */
	e = rt_chip(20, IOAPIC(0), 20);
	CHECK_EQ(x86_routes_update(r, ADD, &e), 0);
	CHECK_EQ(x86_routes_count(r), 6);
	e = rt_chip(21, IOAPIC(0), 21);
	CHECK_EQ(x86_routes_update(r, ADD, &e), -ENOSPC);
	CHECK_EQ(nr_of(r, 21), 0);
	/* EEXIST is reported before ENOSPC */
	CHECK_EQ(x86_routes_update(r, ADD, &b), -EEXIST);

	/* ENOMEM: nothing changes */
	CHECK_EQ(x86_routes_update(r, CLEAR, &(struct virq_route){ .gsi = 20 }),
		 0);
	e = rt_chip(1000, IOAPIC(0), 20);
	harness_fail_alloc_nth(1);		/* the set */
	CHECK_EQ(x86_routes_update(r, ADD, &e), -ENOMEM);
	harness_fail_alloc_nth(2);		/* the new chunk */
	CHECK_EQ(x86_routes_update(r, ADD, &e), -ENOMEM);
	CHECK(harness_alloc_failed());
	CHECK_EQ(nr_of(r, 1000), 0);
	CHECK_PIN(r, IOAPIC(0), 20, "");
	CHECK_EQ(x86_routes_count(r), 5);
	CHECK_EQ(x86_routes_update(r, ADD, &e), 0);
	CHECK_PIN(r, IOAPIC(0), 20, "1000");
	x86_routes_destroy(r);
}

TEST(op_delete)
{
	struct x86_routes *r = routes_new(64, 100);
	struct virq_route e, m = rt_msi(40, 0xfee00000, 0x50);

	CHECK_EQ(x86_routes_set_default(r), 0);
	/*
	 * ENOENT: another pin, another irqchip, a GSI without entries, an
	 * MSI that differs in one field
	 */
	e = rt_chip(5, IOAPIC(0), 6);
	CHECK_EQ(x86_routes_update(r, DEL, &e), -ENOENT);
	e = rt_chip(5, SLAVE, 5);
	CHECK_EQ(x86_routes_update(r, DEL, &e), -ENOENT);
	e = rt_chip(30, IOAPIC(0), 5);
	CHECK_EQ(x86_routes_update(r, DEL, &e), -ENOENT);
	CHECK_EQ(x86_routes_update(r, ADD, &m), 0);
	e = m;
	e.u.msi.data = 0x51;
	CHECK_EQ(x86_routes_update(r, DEL, &e), -ENOENT);
	CHECK_EQ(x86_routes_count(r), 41);

	/* Delete the first of two: the other stays */
	e = rt_chip(5, MASTER, 5);
	harness_fail_alloc_nth(1);
	CHECK_EQ(x86_routes_update(r, DEL, &e), -ENOMEM);
	CHECK_EQ(nr_of(r, 5), 2);
	CHECK_EQ(x86_routes_update(r, DEL, &e), 0);
	CHECK_EQ(nr_of(r, 5), 1);
	e = rt_chip(5, IOAPIC(0), 5);
	CHECK(has(r, 5, 0, &e));
	CHECK_PIN(r, MASTER, 5, "");
	CHECK_PIN(r, IOAPIC(0), 5, "5");
	CHECK_EQ(x86_routes_update(r, DEL, RC(5, MASTER, 5)), -ENOENT);
	/* Delete the last: no entry left (no allocation needed) */
	harness_fail_alloc_nth(1);
	CHECK_EQ(x86_routes_update(r, DEL, &e), 0);
	harness_fail_alloc_nth(0);
	CHECK(!x86_routes_lookup(r, 5));
	CHECK_PIN(r, IOAPIC(0), 5, "");
	CHECK_EQ(x86_routes_update(r, DEL, &m), 0);
	CHECK_EQ(nr_of(r, 40), 0);
	CHECK_EQ(x86_routes_count(r), 38);

	/* Delete the middle of three keeps the order */
	CHECK_EQ(x86_routes_update(r, ADD, RC(50, IOAPIC(0), 1)), 0);
	CHECK_EQ(x86_routes_update(r, ADD, RC(50, SLAVE, 2)), 0);
	CHECK_EQ(x86_routes_update(r, ADD, RC(50, MASTER, 3)), 0);
	CHECK_EQ(x86_routes_update(r, DEL, RC(50, SLAVE, 2)), 0);
	CHECK_EQ(nr_of(r, 50), 2);
	CHECK(has(r, 50, 0, RC(50, IOAPIC(0), 1)));
	CHECK(has(r, 50, 1, RC(50, MASTER, 3)));
	CHECK_PIN(r, IOAPIC(0), 1, "1,50");
	CHECK_PIN(r, SLAVE, 2, "10");
	CHECK_PIN(r, MASTER, 3, "3,50");
	x86_routes_destroy(r);
}

TEST(op_replace)
{
	struct x86_routes *r = routes_new(64, 40);
	struct virq_route m = rt_msi(3, 0xfee00000, 0x60);
	struct virq_route e;

	CHECK_EQ(x86_routes_set_default(r), 0);
	/* Two irqchip entries become one MSI */
	CHECK_EQ(x86_routes_update(r, REPL, &m), 0);
	CHECK_EQ(nr_of(r, 3), 1);
	CHECK(has(r, 3, 0, &m));
	CHECK_PIN(r, MASTER, 3, "");
	CHECK_PIN(r, IOAPIC(0), 3, "");
	CHECK_EQ(x86_routes_count(r), 39);
	/* MSI back to one pin */
	e = rt_chip(3, IOAPIC(0), 9);
	CHECK_EQ(x86_routes_update(r, REPL, &e), 0);
	CHECK_PIN(r, IOAPIC(0), 9, "3,9");
	/*
	 * Fill to 40, then: REPLACE of an empty GSI is ENOSPC, of a
	 * non-empty one fine
	 */
	CHECK_EQ(x86_routes_update(r, ADD, RC(3, MASTER, 3)), 0);
	CHECK_EQ(x86_routes_count(r), 40);
	CHECK_EQ(x86_routes_update(r, REPL, RC(30, IOAPIC(0), 1)),
		 -ENOSPC);
	CHECK_EQ(nr_of(r, 30), 0);
	CHECK_EQ(x86_routes_update(r, REPL, RC(23, IOAPIC(0), 1)), 0);
	CHECK_PIN(r, IOAPIC(0), 1, "1,23");
	CHECK_PIN(r, IOAPIC(0), 23, "");
	harness_fail_alloc_nth(1);
	CHECK_EQ(x86_routes_update(r, REPL, &m), -ENOMEM);
	CHECK_EQ(nr_of(r, 3), 2);
	CHECK_EQ(x86_routes_count(r), 40);
	x86_routes_destroy(r);
}

TEST(op_clear)
{
	struct x86_routes *r = routes_new(64, 100);
	struct virq_route e;
	u32 i;

	CHECK_EQ(x86_routes_set_default(r), 0);
	e = (struct virq_route){ .gsi = 64 };
	CHECK_EQ(x86_routes_update(r, CLEAR, &e), -EINVAL);
	e = (struct virq_route){ .gsi = 4, .type = VIRQ_ROUTE_IRQCHIP };
	CHECK_EQ(x86_routes_update(r, CLEAR, &e), -EINVAL);
	e = (struct virq_route){ .gsi = 4, .flags = 1 };
	CHECK_EQ(x86_routes_update(r, CLEAR, &e), -EINVAL);
	e = (struct virq_route){ .gsi = 4, .pad = 1 };
	CHECK_EQ(x86_routes_update(r, CLEAR, &e), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(e.u.pad); i++) {
		e = (struct virq_route){ .gsi = 4 };
		e.u.pad[i] = 1;
		CHECK_EQ(x86_routes_update(r, CLEAR, &e), -EINVAL);
	}
	CHECK_EQ(nr_of(r, 4), 2);

	e = (struct virq_route){ .gsi = 4 };
	harness_fail_alloc_nth(1);		/* needs no allocation */
	CHECK_EQ(x86_routes_update(r, CLEAR, &e), 0);
	harness_fail_alloc_nth(0);
	CHECK_EQ(nr_of(r, 4), 0);
	CHECK_PIN(r, MASTER, 4, "");
	CHECK_PIN(r, IOAPIC(0), 4, "");
	CHECK_EQ(x86_routes_count(r), 38);
	/* Again, and a GSI never used (no chunk): not an error */
	CHECK_EQ(x86_routes_update(r, CLEAR, &e), 0);
	e.gsi = 63;
	CHECK_EQ(x86_routes_update(r, CLEAR, &e), 0);
	CHECK_EQ(x86_routes_count(r), 38);
	x86_routes_destroy(r);
}

TEST(set_all)
{
	struct x86_routes *r = routes_new(2048, 8);
	struct virq_route set[] = {
		rt_msi(1500, 0xfee00000, 0x22),
		rt_chip(7, IOAPIC(0), 1),
		rt_chip(700, IOAPIC(0), 1),
		rt_chip(7, MASTER, 0),
	};
	struct virq_route get[8], e;
	u32 nr, n;

	CHECK_EQ(x86_routes_set_default(r), -ENOSPC);
	CHECK_EQ(x86_routes_update(r, ADD, RC(9, IOAPIC(0), 9)), 0);
	CHECK_EQ(x86_routes_update(r, ADD, RM(1000, 0xfee00000, 1)), 0);

	CHECK_EQ(x86_routes_set_all(r, set, ARRAY_SIZE(set)), 0);
	CHECK_EQ(x86_routes_count(r), 4);
	CHECK_EQ(nr_of(r, 9), 0);		/* old entries gone */
	CHECK_EQ(nr_of(r, 1000), 0);
	CHECK_PIN(r, IOAPIC(0), 9, "");
	CHECK_PIN(r, IOAPIC(0), 1, "7,700");
	CHECK_PIN(r, MASTER, 0, "7");
	/* Entries of one GSI keep their order */
	CHECK(has(r, 7, 0, &set[1]) && has(r, 7, 1, &set[3]));
	nr = ARRAY_SIZE(get);
	CHECK_EQ(x86_routes_get(r, get, &nr), 0);
	CHECK_EQ(nr, 4);
	CHECK(route_eq(&get[0], &set[1]) && route_eq(&get[1], &set[3]) &&
	      route_eq(&get[2], &set[2]) && route_eq(&get[3], &set[0]));

	/* Conflicts within a GSI are EINVAL (KVM), and change nothing */
	{
		struct virq_route two_msi[] = {
			rt_msi(5, 0xfee00000, 1), rt_msi(5, 0xfee00000, 2),
		};
		struct virq_route msi_chip[] = {
			rt_chip(5, IOAPIC(0), 5), rt_msi(6, 0xfee00000, 2),
			rt_msi(5, 0xfee00000, 1),
		};
		struct virq_route same_chip[] = {
			rt_chip(5, IOAPIC(0), 5), rt_chip(6, IOAPIC(0), 5),
			rt_chip(5, IOAPIC(0), 6),
		};
		struct virq_route dup[] = {
			rt_chip(5, SLAVE, 5), rt_chip(5, SLAVE, 5),
		};

		CHECK_EQ(x86_routes_set_all(r, two_msi, 2), -EINVAL);
		CHECK_EQ(x86_routes_set_all(r, msi_chip, 3), -EINVAL);
		CHECK_EQ(x86_routes_set_all(r, same_chip, 3), -EINVAL);
		CHECK_EQ(x86_routes_set_all(r, dup, 2), -EINVAL);
	}
	/* More than max_routes */
	{
		struct virq_route many[9];

		for (n = 0; n < 9; n++)
			many[n] = rt_msi(n, 0xfee00000, n);
		CHECK_EQ(x86_routes_set_all(r, many, 9), -ENOSPC);
		CHECK_EQ(x86_routes_set_all(r, many, 8), 0);
		CHECK_EQ(x86_routes_count(r), 8);
		CHECK_EQ(x86_routes_set_all(r, set, ARRAY_SIZE(set)), 0);
	}
	CHECK_EQ(x86_routes_count(r), 4);
	CHECK_PIN(r, IOAPIC(0), 1, "7,700");

	/* -ENOMEM at every allocation leaves the old table, no leak */
	{
		struct virq_route next[] = {
			rt_chip(2047, IOAPIC(0), 2), rt_chip(7, IOAPIC(0), 1),
			rt_chip(1024, SLAVE, 0), rt_chip(1024, IOAPIC(0), 2),
		};
		unsigned long nth;
		int ret;

		for (nth = 1;; nth++) {
			harness_fail_alloc_nth(nth);
			ret = x86_routes_set_all(r, next, ARRAY_SIZE(next));
			if (!harness_alloc_failed())
				break;
			CHECK_EQ(ret, -ENOMEM);
			CHECK_EQ(x86_routes_count(r), 4);
			CHECK(has(r, 7, 1, &set[3]));
			CHECK(has(r, 1500, 0, &set[0]));
			CHECK_PIN(r, IOAPIC(0), 1, "7,700");
			CHECK_PIN(r, IOAPIC(0), 2, "");
		}
		harness_fail_alloc_nth(0);
		CHECK_EQ(ret, 0);
		CHECK(nth > 4);
		CHECK_EQ(x86_routes_count(r), 4);
		CHECK_PIN(r, IOAPIC(0), 1, "7");
		CHECK_PIN(r, IOAPIC(0), 2, "1024,2047");
		CHECK_PIN(r, SLAVE, 0, "1024");
		CHECK_PIN(r, MASTER, 0, "");
		CHECK_EQ(nr_of(r, 1500), 0);
		CHECK_EQ(nr_of(r, 700), 0);
	}

	/* The empty table */
	CHECK_EQ(x86_routes_set_all(r, NULL, 0), 0);
	CHECK_EQ(x86_routes_count(r), 0);
	CHECK_PIN(r, IOAPIC(0), 2, "");
	nr = 0;
	CHECK_EQ(x86_routes_get(r, NULL, &nr), 0);
	CHECK_EQ(nr, 0);
	e = rt_chip(1, IOAPIC(0), 1);
	CHECK_EQ(x86_routes_update(r, ADD, &e), 0);
	x86_routes_destroy(r);
}

TEST(get_order_and_enospc)
{
	struct x86_routes *r = routes_new(4096, 100);
	static const u32 gsis[] = { 4000, 3, 1025, 512, 511, 0, 2048 };
	struct virq_route out[16];
	u32 i, nr;

	for (i = 0; i < ARRAY_SIZE(gsis); i++)
		CHECK_EQ(x86_routes_update(r, ADD,
					   RM(gsis[i], 0xfee00000, i)), 0);
	CHECK_EQ(x86_routes_update(r, ADD, RC(511, 0, 0)), -EEXIST);
	CHECK_EQ(x86_routes_update(r, REPL, RC(511, IOAPIC(0), 1)), 0);
	CHECK_EQ(x86_routes_update(r, ADD, RC(511, SLAVE, 1)), 0);

	/* Too small: ENOSPC and the count, the buffer untouched */
	memset(out, 0xcc, sizeof(out));
	nr = 7;
	CHECK_EQ(x86_routes_get(r, out, &nr), -ENOSPC);
	CHECK_EQ(nr, 8);
	CHECK_EQ(out[0].gsi, 0xcccccccc);
	nr = 0;
	CHECK_EQ(x86_routes_get(r, NULL, &nr), -ENOSPC);
	CHECK_EQ(nr, 8);

	/* Exactly enough, and more than enough */
	nr = 8;
	CHECK_EQ(x86_routes_get(r, out, &nr), 0);
	CHECK_EQ(nr, 8);
	nr = ARRAY_SIZE(out);
	memset(out, 0xcc, sizeof(out));
	CHECK_EQ(x86_routes_get(r, out, &nr), 0);
	CHECK_EQ(nr, 8);
	for (i = 1; i < nr; i++)
		CHECK(out[i - 1].gsi <= out[i].gsi);
	CHECK_EQ(out[0].gsi, 0);
	CHECK_EQ(out[1].gsi, 3);
	CHECK(route_eq(&out[2], RC(511, IOAPIC(0), 1)));
	CHECK(route_eq(&out[3], RC(511, SLAVE, 1)));
	CHECK_EQ(out[4].gsi, 512);
	CHECK_EQ(out[5].gsi, 1025);
	CHECK_EQ(out[6].gsi, 2048);
	CHECK(route_eq(&out[7], RM(4000, 0xfee00000, 0)));
	CHECK_EQ(out[8].gsi, 0xcccccccc);
	x86_routes_destroy(r);
}

/* The pin lists: heads, middles and tails unlinked correctly */
TEST(reverse_map)
{
	struct x86_routes *r = routes_new(1 << 20, 1000);
	u32 i;

	CHECK_PIN(r, IOAPIC(0), 7, "");
	for (i = 0; i < 5; i++)
		CHECK_EQ(x86_routes_update(r, ADD,
					   RC(100000 * i + 7, IOAPIC(0), 7)),
			 0);
	CHECK_PIN(r, IOAPIC(0), 7, "7,100007,200007,300007,400007");
	CHECK_EQ(x86_routes_update(r, DEL, RC(200007, IOAPIC(0), 7)), 0);
	CHECK_PIN(r, IOAPIC(0), 7, "7,100007,300007,400007");
	/* the successor of the node just unlinked */
	CHECK_EQ(x86_routes_update(r, DEL, RC(100007, IOAPIC(0), 7)), 0);
	CHECK_PIN(r, IOAPIC(0), 7, "7,300007,400007");
	CHECK_EQ(x86_routes_update(r, ADD, RC(100007, IOAPIC(0), 7)), 0);
	CHECK_PIN(r, IOAPIC(0), 7, "7,100007,300007,400007");
	/* the last added is the list head, the first added the tail */
	CHECK_EQ(x86_routes_update(r, DEL, RC(400007, IOAPIC(0), 7)), 0);
	CHECK_EQ(x86_routes_update(r, DEL, RC(7, IOAPIC(0), 7)), 0);
	CHECK_PIN(r, IOAPIC(0), 7, "100007,300007");
	/* A GSI on two pins; moving it updates both */
	CHECK_EQ(x86_routes_update(r, ADD, RC(100007, MASTER, 1)), 0);
	CHECK_PIN(r, MASTER, 1, "100007");
	CHECK_EQ(x86_routes_update(r, REPL, RC(100007, SLAVE, 1)), 0);
	CHECK_PIN(r, MASTER, 1, "");
	CHECK_PIN(r, SLAVE, 1, "100007");
	CHECK_PIN(r, IOAPIC(0), 7, "300007");
	/* ADD keeps the GSI's other pins listed once */
	CHECK_EQ(x86_routes_update(r, ADD, RC(100007, IOAPIC(0), 7)), 0);
	CHECK_PIN(r, SLAVE, 1, "100007");
	CHECK_PIN(r, IOAPIC(0), 7, "100007,300007");
	/* An MSI GSI is on no list */
	CHECK_EQ(x86_routes_update(r, REPL, RM(300007, 0xfee00000, 1)),
		 0);
	CHECK_PIN(r, IOAPIC(0), 7, "100007");
	/* Out of range: no call */
	CHECK_PIN(r, X86_GSI_MAX_PINS, 0, "");
	CHECK_PIN(r, IOAPIC(0), VIRQ_X86_IOAPIC_MAX_PINS, "");
	CHECK_PIN(r, ~0U, ~0U, "");
	/* set_all rebuilds the lists */
	{
		struct virq_route set[] = {
			rt_chip(5, IOAPIC(0), 7), rt_chip(6, IOAPIC(0), 7),
			rt_chip(6, MASTER, 1),
		};

		CHECK_EQ(x86_routes_set_all(r, set, ARRAY_SIZE(set)), 0);
	}
	CHECK_PIN(r, IOAPIC(0), 7, "5,6");
	CHECK_PIN(r, SLAVE, 1, "");
	CHECK_PIN(r, MASTER, 1, "6");
	CHECK_EQ(x86_routes_update(r, CLEAR, &(struct virq_route){ .gsi = 6 }),
		 0);
	CHECK_PIN(r, IOAPIC(0), 7, "5");
	CHECK_PIN(r, MASTER, 1, "");
	x86_routes_destroy(r);
}

/* A sparse table of 1M GSIs: memory follows the chunks in use */
TEST(sparse_1m_memory)
{
	struct x86_routes *r;
	long live = harness_live_allocs();
	u32 last = VIRQ_X86_MAX_GSIS - 1;

	r = routes_new(VIRQ_X86_MAX_GSIS, VIRQ_ROUTES_DEFAULT_MAX);
	CHECK_EQ(harness_live_allocs() - live, 1);	/* the table only */
	CHECK_EQ(x86_routes_update(r, ADD, RM(last, 0xfee00000, 1)), 0);
	CHECK_EQ(harness_live_allocs() - live, 3);	/* + chunk + set */
	CHECK_EQ(x86_routes_update(r, ADD, RM(last - 1, 0xfee00000, 1)),
		 0);
	CHECK_EQ(harness_live_allocs() - live, 4);	/* same chunk */
	CHECK_EQ(x86_routes_update(r, ADD, RM(524288, 0xfee00000, 1)), 0);
	CHECK_EQ(harness_live_allocs() - live, 6);
	CHECK_EQ(x86_routes_set_default(r), 0);		/* GSI 0-23 */
	CHECK_EQ(harness_live_allocs() - live, 1 + 1 + 24 + 2);
	CHECK(!x86_routes_lookup(r, last));		/* replaced */
	CHECK_EQ(nr_of(r, 23), 1);
	CHECK_EQ(x86_routes_update(r, CLEAR,
				   &(struct virq_route){ .gsi = 23 }), 0);
	CHECK_EQ(harness_live_allocs() - live, 1 + 1 + 23 + 2);
	x86_routes_destroy(r);
	CHECK_EQ(harness_live_allocs(), live);
}

/*
 * 128k routes (and the default maximum, 256k, over 1M GSIs): updating
 * one GSI allocates one set and frees one, whatever the table size.
 */
TEST(scale_update_is_o1)
{
	const u32 nr = 1 << 17;
	struct virq_route *e = calloc(VIRQ_ROUTES_DEFAULT_MAX, sizeof(*e));
	struct x86_routes *r;
	unsigned long attempts;
	long live;
	u32 i;

	CHECK_FATAL(e);
	r = routes_new(VIRQ_X86_MAX_GSIS, VIRQ_ROUTES_DEFAULT_MAX);
	for (i = 0; i < nr; i++)
		e[i] = rt_msi(i * 7, 0xfee00000 | (i & 0xff) << 12, i & 0xff);
	CHECK_EQ(x86_routes_set_all(r, e, nr), 0);
	CHECK_EQ(x86_routes_count(r), nr);

	live = harness_live_allocs();
	attempts = harness_alloc_attempts();
	CHECK_EQ(x86_routes_update(r, REPL, RC(7 * 5000, IOAPIC(0), 3)),
		 0);
	CHECK_EQ(harness_alloc_attempts() - attempts, 1);
	CHECK_EQ(harness_live_allocs(), live);
	attempts = harness_alloc_attempts();
	CHECK_EQ(x86_routes_update(r, ADD, RC(7 * 5000, MASTER, 3)), 0);
	CHECK_EQ(x86_routes_update(r, DEL, RC(7 * 5000, MASTER, 3)), 0);
	CHECK_EQ(x86_routes_update(r, CLEAR,
				   &(struct virq_route){ .gsi = 7 * 5000 }), 0);
	CHECK_EQ(x86_routes_update(r, ADD, RM(7 * 5000, 0xfee00000, 9)),
		 0);
	CHECK_EQ(harness_alloc_attempts() - attempts, 3);
	CHECK_EQ(harness_live_allocs(), live);
	CHECK_EQ(x86_routes_count(r), nr);
	CHECK_PIN(r, IOAPIC(0), 3, "");

	/* The whole default maximum in one set, then updates stay O(1) */
	for (i = 0; i < VIRQ_ROUTES_DEFAULT_MAX; i++)
		e[i] = rt_msi(VIRQ_X86_MAX_GSIS - 1 - i * 4, 0xfee00000, i);
	CHECK_EQ(x86_routes_set_all(r, e, VIRQ_ROUTES_DEFAULT_MAX), 0);
	CHECK_EQ(x86_routes_count(r), VIRQ_ROUTES_DEFAULT_MAX);
	CHECK_EQ(nr_of(r, 7 * 5000), 0);
	CHECK_EQ(x86_routes_update(r, ADD, RM(2, 0xfee00000, 1)),
		 -ENOSPC);
	live = harness_live_allocs();
	attempts = harness_alloc_attempts();
	CHECK_EQ(x86_routes_update(r, REPL, RM(3, 0xfee00000, 1)), 0);
	CHECK_EQ(harness_alloc_attempts() - attempts, 1);
	CHECK_EQ(harness_live_allocs(), live);
	x86_routes_destroy(r);
	free(e);
}

static const struct tap_test tests[] = {
	T(create_destroy),
	T(default_routes_kvm),
	T(default_routes_no_pic_multi_ioapic),
	T(default_routes_limits),
	T(entry_validation),
	T(op_add),
	T(op_delete),
	T(op_replace),
	T(op_clear),
	T(set_all),
	T(get_order_and_enospc),
	T(reverse_map),
	T(sparse_1m_memory),
	T(scale_update_is_o1),
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
