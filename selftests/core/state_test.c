// SPDX-License-Identifier: GPL-2.0
/*
 * State plumbing: VIRQ_GET_SOURCES / VIRQ_SET_SOURCES range checks and
 * round trip, all-or-nothing SET, and the chip attribute ioctls
 * (VIRQ_{GET,SET,HAS}_ATTR) validation.
 */
#include <kselftest_harness.h>

#include "common.h"

FIXTURE(xics) {
	XICS_FIXTURE_FIELDS;
};

FIXTURE_SETUP(xics)
{
	XICS_FIXTURE_SETUP();
}

FIXTURE_TEARDOWN(xics)
{
	XICS_FIXTURE_TEARDOWN();
}

#define RT_FIRST	16
#define RT_COUNT	256

/* A valid, stable XICS word for source @i: server 0/1, priority, LSI, mask */
static __u64 rt_word(int i, int salt)
{
	__u64 w = (__u64)((i + salt) & 1);	/* server */

	w |= (__u64)(1 + (i * 7 + salt) % 0xfe) << VIRQ_XICS_PRIORITY_SHIFT;
	if ((i + salt) % 3 == 0)
		w |= VIRQ_XICS_LEVEL_SENSITIVE;
	if ((i + salt) % 5 == 0)
		w |= VIRQ_XICS_MASKED;
	return w;
}

static int sources_ioctl(int fd, unsigned long cmd, __u32 first, __u32 count,
			 __u32 flags, __u32 padding, void *addr)
{
	struct virq_sources s = {
		.first = first, .count = count, .flags = flags,
		.padding = padding, .addr = (__u64)(uintptr_t)addr,
	};

	return ioctl(fd, cmd, &s);
}

TEST_F(xics, sources_roundtrip)
{
	__u64 in[RT_COUNT], out[RT_COUNT], edge[2];
	struct virq_call c;
	int i;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, virq_get_words(self->fd, RT_FIRST - 1, 1, &edge[0]));
	ASSERT_EQ(0, virq_get_words(self->fd, RT_FIRST + RT_COUNT, 1,
				    &edge[1]));
	for (i = 0; i < RT_COUNT; i++)
		in[i] = rt_word(i, 0);
	ASSERT_EQ(0, virq_set_words(self->fd, RT_FIRST, RT_COUNT, in))
		TH_LOG("%s", strerror(errno));
	memset(out, 0xcc, sizeof(out));
	ASSERT_EQ(0, virq_get_words(self->fd, RT_FIRST, RT_COUNT, out));
	for (i = 0; i < RT_COUNT; i++)
		ASSERT_EQ(in[i], out[i]) TH_LOG("source %d", RT_FIRST + i);

	/* a second, different state */
	for (i = 0; i < RT_COUNT; i++)
		in[i] = rt_word(i, 1);
	ASSERT_EQ(0, virq_set_words(self->fd, RT_FIRST, RT_COUNT, in));
	ASSERT_EQ(0, virq_get_words(self->fd, RT_FIRST, RT_COUNT, out));
	ASSERT_EQ(0, memcmp(in, out, sizeof(in)));

	/* a sub-range reads back the same words */
	memset(out, 0xcc, sizeof(out));
	ASSERT_EQ(0, virq_get_words(self->fd, RT_FIRST + 10, 5, out));
	ASSERT_EQ(0, memcmp(&in[10], out, 5 * sizeof(__u64)));
	/* no overrun */
	EXPECT_EQ(0xccccccccccccccccULL, out[5]);

	/* neighbours untouched */
	EXPECT_EQ(edge[0], virq_word(self->fd, RT_FIRST - 1));
	EXPECT_EQ(edge[1], virq_word(self->fd, RT_FIRST + RT_COUNT));

	/* the word agrees with the RTAS view */
	ASSERT_EQ(0, xics_rtas(self->fd, VIRQ_XICS_CALL_SET_XIVE, RT_FIRST, 1, 9,
			       &c));
	EXPECT_EQ(0, c.ret);
	EXPECT_EQ(((__u64)9 << VIRQ_XICS_PRIORITY_SHIFT) | 1,
		  virq_word(self->fd, RT_FIRST) &
		  (VIRQ_XICS_DESTINATION_MASK |
		   ((__u64)VIRQ_XICS_PRIORITY_MASK << VIRQ_XICS_PRIORITY_SHIFT) |
		   VIRQ_XICS_MASKED));
}

/* The last source of the chip, and a whole-chip read */
TEST_F(xics, sources_whole_chip)
{
	static __u64 all[XICS_NR_SOURCES];
	__u64 w = rt_word(1, 0);

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, virq_set_words(self->fd, XICS_NR_SOURCES - 1, 1, &w));
	memset(all, 0xcc, sizeof(all));
	ASSERT_EQ(0, virq_get_words(self->fd, 0, XICS_NR_SOURCES, all));
	EXPECT_EQ(w, all[XICS_NR_SOURCES - 1]);
}

/* One invalid word anywhere: the call fails and nothing changes. */
TEST_F(xics, sources_set_all_or_nothing)
{
	__u64 orig[RT_COUNT], bad[RT_COUNT], out[RT_COUNT];
	__u64 junk[] = { 1ULL << 63, 1ULL << 62, 1ULL << 45, 1ULL << 56 };
	int pos[] = { 0, RT_COUNT / 2, RT_COUNT - 1 };
	size_t i, j;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < RT_COUNT; i++)
		orig[i] = rt_word(i, 0);
	ASSERT_EQ(0, virq_set_words(self->fd, RT_FIRST, RT_COUNT, orig));

	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		for (j = 0; j < sizeof(junk) / sizeof(junk[0]); j++) {
			int k;

			for (k = 0; k < RT_COUNT; k++)
				bad[k] = rt_word(k, 1);
			bad[pos[i]] |= junk[j];
			ASSERT_EQ(-1, virq_set_words(self->fd, RT_FIRST,
						     RT_COUNT, bad));
			ASSERT_EQ(EINVAL, errno)
				TH_LOG("junk %#llx at %d",
				       (unsigned long long)junk[j], pos[i]);
			ASSERT_EQ(0, virq_get_words(self->fd, RT_FIRST,
						    RT_COUNT, out));
			ASSERT_EQ(0, memcmp(orig, out, sizeof(orig)))
				TH_LOG("junk %#llx at %d changed state",
				       (unsigned long long)junk[j], pos[i]);
		}
	}
	/* the same words without the junk apply */
	for (i = 0; i < RT_COUNT; i++)
		bad[i] = rt_word(i, 1);
	ASSERT_EQ(0, virq_set_words(self->fd, RT_FIRST, RT_COUNT, bad));
	ASSERT_EQ(0, virq_get_words(self->fd, RT_FIRST, RT_COUNT, out));
	ASSERT_NE(0, memcmp(orig, out, sizeof(orig)));
}

TEST_F(xics, sources_invalid)
{
	unsigned long cmds[] = { VIRQ_GET_SOURCES, VIRQ_SET_SOURCES };
	static __u64 buf[XICS_NR_SOURCES + 1];
	size_t c;
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, virq_get_words(self->fd, 0, XICS_NR_SOURCES, buf));
	for (c = 0; c < 2; c++) {
		unsigned long cmd = cmds[c];

#define SRC_FAILS(first, count, flags, pad, addr, err) do {		\
		ASSERT_EQ(-1, sources_ioctl(self->fd, cmd, first, count,	\
					    flags, pad, addr));		\
		ASSERT_EQ(err, errno) TH_LOG("cmd %zu first %u count %u", \
					     c, (__u32)(first),		\
					     (__u32)(count));		\
	} while (0)
		SRC_FAILS(RT_FIRST, 0, 0, 0, buf, EINVAL);
		SRC_FAILS(0, XICS_NR_SOURCES + 1, 0, 0, buf, EINVAL);
		SRC_FAILS(1, XICS_NR_SOURCES, 0, 0, buf, EINVAL);
		SRC_FAILS(XICS_NR_SOURCES, 1, 0, 0, buf, EINVAL);
		SRC_FAILS(XICS_NR_SOURCES - 4, 5, 0, 0, buf, EINVAL);
		/* first + count overflows 32 bits */
		SRC_FAILS(0xffffffff, 1, 0, 0, buf, EINVAL);
		SRC_FAILS(0xffffff00, 0x100, 0, 0, buf, EINVAL);
		SRC_FAILS(0xfffffff0, 0x20, 0, 0, buf, EINVAL);
		SRC_FAILS(0, 0xffffffff, 0, 0, buf, EINVAL);
		for (bit = 0; bit < 32; bit++) {
			SRC_FAILS(RT_FIRST, 4, 1U << bit, 0, buf, EINVAL);
			SRC_FAILS(RT_FIRST, 4, 0, 1U << bit, buf, EINVAL);
		}
		SRC_FAILS(RT_FIRST, 4, 0, 0, virq_bad_ptr(), EFAULT);
		SRC_FAILS(RT_FIRST, 4, 0, 0, NULL, EFAULT);
		/* buffer valid for the first word only */
		SRC_FAILS(RT_FIRST, 4, 0, 0,
			  virq_edge_ptr(), EFAULT);
		ASSERT_EQ(-1, ioctl(self->fd, cmd, virq_bad_ptr()));
		ASSERT_EQ(EFAULT, errno);
#undef SRC_FAILS
	}
}

/* count > VIRQ_SOURCES_MAX on a chip large enough for it */
TEST(sources_count_max)
{
	static __u64 buf[VIRQ_SOURCES_MAX + 1];
	__u32 nr = (VIRQ_SOURCES_MAX / VIRQ_XICS_ICS_SIZE + 2) *
		   VIRQ_XICS_ICS_SIZE;
	int fd;

	VIRQ_OPEN_OR_SKIP(fd);
	REQUIRE_XICS(fd);
	ASSERT_EQ(0, virq_create_chip(fd, VIRQ_FAMILY_XICS, 1, nr));
	ASSERT_EQ(-1, virq_get_words(fd, 0, VIRQ_SOURCES_MAX + 1, buf));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, virq_set_words(fd, 0, VIRQ_SOURCES_MAX + 1, buf));
	ASSERT_EQ(EINVAL, errno);
	/* exactly the maximum is fine, both ways */
	ASSERT_EQ(0, virq_get_words(fd, 1024, VIRQ_SOURCES_MAX, buf));
	ASSERT_EQ(0, virq_set_words(fd, 1024, VIRQ_SOURCES_MAX, buf));
	close(fd);
}

/* --- chip attributes ----------------------------------------------------- */

TEST_F(xics, chip_attr_invalid)
{
	unsigned long cmds[] = { VIRQ_GET_ATTR, VIRQ_SET_ATTR, VIRQ_HAS_ATTR };
	struct virq_attr a;
	__u64 val = 0;
	size_t i;
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < 3; i++) {
		for (bit = 0; bit < 32; bit++) {
			memset(&a, 0, sizeof(a));
			a.addr = (__u64)(uintptr_t)&val;
			a.size = 8;
			a.flags = 1U << bit;
			ASSERT_EQ(-1, ioctl(self->fd, cmds[i], &a));
			ASSERT_EQ(EINVAL, errno) TH_LOG("cmd %zu flags %u",
							i, bit);
			a.flags = 0;
			a.padding = 1U << bit;
			ASSERT_EQ(-1, ioctl(self->fd, cmds[i], &a));
			ASSERT_EQ(EINVAL, errno) TH_LOG("cmd %zu pad %u",
							i, bit);
		}
		ASSERT_EQ(-1, ioctl(self->fd, cmds[i], virq_bad_ptr()));
		ASSERT_EQ(EFAULT, errno);
	}
	/*
	 * A SET of more than VIRQ_ATTR_MAX_SIZE bytes is E2BIG; a GET may
	 * offer any buffer (XICS has no chip attributes: ENXIO), and HAS
	 * ignores the size.
	 */
	memset(&a, 0, sizeof(a));
	a.addr = (__u64)(uintptr_t)&val;
	a.size = VIRQ_ATTR_MAX_SIZE + 1;
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SET_ATTR, &a));
	ASSERT_EQ(E2BIG, errno);
	a.size = 0xffffffff;
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_SET_ATTR, &a));
	ASSERT_EQ(E2BIG, errno);
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_GET_ATTR, &a));
	ASSERT_EQ(ENXIO, errno);
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_HAS_ATTR, &a));
	ASSERT_EQ(ENXIO, errno);
}

/* XICS has no chip attributes: every group is ENXIO. */
TEST_F(xics, chip_attr_groups_enxio)
{
	unsigned long cmds[] = { VIRQ_GET_ATTR, VIRQ_SET_ATTR, VIRQ_HAS_ATTR };
	__u32 groups[] = { 0, 1, 2, VIRQ_XICS_GRP_ICP, 0x1234, 0xffffffff };
	struct virq_attr a;
	__u64 val = 0x1122334455667788ULL;
	size_t i, g;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < 3; i++) {
		for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
			memset(&a, 0, sizeof(a));
			a.group = groups[g];
			a.addr = (__u64)(uintptr_t)&val;
			a.size = 8;
			ASSERT_EQ(-1, ioctl(self->fd, cmds[i], &a));
			ASSERT_EQ(ENXIO, errno) TH_LOG("cmd %zu group %#x",
						       i, groups[g]);
		}
	}
	EXPECT_EQ(0x1122334455667788ULL, val);
}

TEST_HARNESS_MAIN
