// SPDX-License-Identifier: GPL-2.0
/*
 * VIRQ_SET_MEMORY_REGION: every validation failure with its errno, slot
 * set/delete rules, overlap, and that it works before VIRQ_CREATE_CHIP.
 * The GICv3 tests show the models reading and writing through the slots.
 */
#include <sys/mman.h>

#include <kselftest_harness.h>

#include "common.h"

/* The host's page size: slots are aligned to it (64 KiB on some arm64) */
#define PAGE	((unsigned long)sysconf(_SC_PAGESIZE))

FIXTURE(mem) {
	int fd;
	void *buf;
	size_t len;
};

FIXTURE_SETUP(mem)
{
	self->fd = -1;
	self->len = 16 * PAGE;
	self->buf = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	VIRQ_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN(mem)
{
	if (self->fd >= 0)
		close(self->fd);
	munmap(self->buf, self->len);
}

static int set_region(int fd, __u32 slot, __u64 gpa, __u64 size, __u64 ua)
{
	struct virq_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = ua,
	};

	return ioctl(fd, VIRQ_SET_MEMORY_REGION, &r);
}

#define REGION_FAILS(err, slot, gpa, size, ua) do {			\
		ASSERT_EQ(-1, set_region(self->fd, slot, gpa, size, ua)); \
		ASSERT_EQ(err, errno);					\
	} while (0)

TEST_F(mem, feature_bit)
{
	struct virq_api api = { 0 };

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_GET_API, &api));
	EXPECT_TRUE(api.features & VIRQ_FEATURE_GUEST_MEMORY);
	EXPECT_TRUE(api.features & VIRQ_FEATURE_IRQFD_MSI);
}

TEST_F(mem, invalid)
{
	__u64 ua = (uintptr_t)self->buf;
	struct virq_memory_region r = { 0 };

	SKIP_IF_SETUP_SKIPPED();
	REGION_FAILS(EINVAL, VIRQ_MEMORY_SLOTS, 0, PAGE, ua);
	REGION_FAILS(EINVAL, ~0U, 0, PAGE, ua);
	/* flags */
	r.memory_size = PAGE;
	r.userspace_addr = ua;
	for (r.flags = 1; r.flags; r.flags <<= 1) {
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SET_MEMORY_REGION, &r));
		ASSERT_EQ(EINVAL, errno);
	}
	/* alignment of each field */
	REGION_FAILS(EINVAL, 0, 0x800, PAGE, ua);
	REGION_FAILS(EINVAL, 0, 0, PAGE + 1, ua);
	REGION_FAILS(EINVAL, 0, 0, PAGE, ua + 8);
	/* wraps */
	REGION_FAILS(EINVAL, 0, -PAGE, 2 * PAGE, ua);
	REGION_FAILS(EINVAL, 0, 0, 2 * PAGE, -PAGE);
	/* not user memory */
	REGION_FAILS(EINVAL, 0, 0, PAGE, 0xffff888000000000ULL);
	/* a delete carries nothing but the slot */
	REGION_FAILS(EINVAL, 0, PAGE, 0, 0);
	REGION_FAILS(EINVAL, 0, 0, 0, ua);
	/* none of that set slot 0 */
	REGION_FAILS(ENOENT, 0, 0, 0, 0);
	ASSERT_EQ(0, set_region(self->fd, 0, 0, PAGE, ua));
}

TEST_F(mem, efault)
{
	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SET_MEMORY_REGION, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F(mem, set_delete_overlap)
{
	__u64 ua = (uintptr_t)self->buf;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, set_region(self->fd, 3, 0x100000, 4 * PAGE, ua));
	/* set once */
	REGION_FAILS(EEXIST, 3, 0x200000, PAGE, ua);
	/* no overlap with another slot, at either end or inside */
	REGION_FAILS(EEXIST, 4, 0x100000 - PAGE, 2 * PAGE, ua);
	REGION_FAILS(EEXIST, 4, 0x100000 + 3 * PAGE, 2 * PAGE, ua);
	REGION_FAILS(EEXIST, 4, 0x100000 + PAGE, PAGE, ua);
	REGION_FAILS(EEXIST, 4, 0, 0x200000, ua);
	/* adjacent is fine; the same user memory twice is fine */
	ASSERT_EQ(0, set_region(self->fd, 4, 0x100000 + 4 * PAGE, PAGE, ua));
	ASSERT_EQ(0, set_region(self->fd, 5, 0x100000 - PAGE, PAGE, ua));
	/* delete, then the slot and its range are free again */
	ASSERT_EQ(0, set_region(self->fd, 3, 0, 0, 0));
	REGION_FAILS(ENOENT, 3, 0, 0, 0);
	ASSERT_EQ(0, set_region(self->fd, 6, 0x100000, 4 * PAGE, ua));
	ASSERT_EQ(0, set_region(self->fd, 3, 0x900000, PAGE, ua));
}

/* Every slot can be used; the instance drops them when it goes away. */
TEST_F(mem, all_slots_then_close)
{
	__u64 ua = (uintptr_t)self->buf;
	__u32 i;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < VIRQ_MEMORY_SLOTS; i++)
		ASSERT_EQ(0, set_region(self->fd, i, i * 0x10000ULL, PAGE, ua));
	/* and with a chip created afterwards, too */
	ASSERT_EQ(0, virq_create_chip(self->fd, VIRQ_FAMILY_XICS, 1,
				      VIRQ_XICS_ICS_SIZE));
	REGION_FAILS(EEXIST, 0, 0x7000000, PAGE, ua);
	ASSERT_EQ(0, set_region(self->fd, 0, 0, 0, 0));
	ASSERT_EQ(0, set_region(self->fd, 0, 0x7000000, PAGE, ua));
	close(self->fd);
	self->fd = -1;
}

TEST_HARNESS_MAIN
