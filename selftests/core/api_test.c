// SPDX-License-Identifier: GPL-2.0
/*
 * Feature query and the instance fd before it has a chip: VIRQ_GET_API,
 * VIRQ_GET_FAMILY, unknown commands (ENOTTY) and every chip-needing ioctl
 * before VIRQ_CREATE_CHIP (ENODEV).
 */
#include <kselftest_harness.h>

#include "common.h"

FIXTURE(inst) {
	int fd;
};

FIXTURE_SETUP(inst)
{
	self->fd = -1;
	VIRQ_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN(inst)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(inst, get_api)
{
	struct virq_api api;
	long max_vcpus, max_sources;
	size_t i;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, virq_get_api(self->fd, &api));
	EXPECT_EQ(VIRQ_API_VERSION, api.version);
	EXPECT_EQ(0, api.flags);
	EXPECT_EQ(VIRQ_FEATURE_ALL, api.features);
	EXPECT_NE(0, api.families & (1ULL << VIRQ_FAMILY_XICS));
	/* no bit for family 0 or beyond VIRQ_FAMILY_MAX */
	EXPECT_EQ(0, api.families & ~(((1ULL << (VIRQ_FAMILY_MAX + 1)) - 1) &
				      ~1ULL));
	EXPECT_EQ(0, api.padding);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, api.reserved[i]) TH_LOG("reserved[%zu]", i);
	EXPECT_EQ(virq_module_param("max_routes"), api.max_routes);

	max_vcpus = virq_module_param("max_vcpus");
	max_sources = virq_module_param("max_sources");
	ASSERT_LT(0, max_vcpus);
	ASSERT_LT(0, max_sources);
	EXPECT_EQ(max_vcpus, api.max_vcpus);
	EXPECT_EQ(max_sources, api.max_sources);
	TH_LOG("version %u features %#llx families %#llx max_vcpus %u max_sources %u",
	       api.version, (unsigned long long)api.features,
	       (unsigned long long)api.families, api.max_vcpus,
	       api.max_sources);
}

TEST_F(inst, get_api_flags)
{
	struct virq_api api;
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	for (bit = 0; bit < 32; bit++) {
		memset(&api, 0, sizeof(api));
		api.flags = 1U << bit;
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_GET_API, &api));
		ASSERT_EQ(EINVAL, errno) TH_LOG("flags bit %u", bit);
	}
}

TEST_F(inst, get_api_efault)
{
	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_GET_API, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_GET_API, NULL));
	ASSERT_EQ(EFAULT, errno);
}

/* Each family: built ones answer, others EOPNOTSUPP. */
TEST_F(inst, get_family)
{
	struct virq_family_info info;
	struct virq_api api;
	__u32 fam;
	size_t i;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, virq_get_api(self->fd, &api));
	for (fam = 1; fam <= VIRQ_FAMILY_MAX; fam++) {
		memset(&info, 0xcc, sizeof(info));
		info.family = fam;
		info.flags = 0;
		if (!(api.families & (1ULL << fam))) {
			ASSERT_EQ(-1, ioctl(self->fd, VIRQ_GET_FAMILY, &info));
			ASSERT_EQ(EOPNOTSUPP, errno) TH_LOG("family %u", fam);
			continue;
		}
		ASSERT_EQ(0, ioctl(self->fd, VIRQ_GET_FAMILY, &info))
			TH_LOG("family %u: %s", fam, strerror(errno));
		EXPECT_EQ(fam, info.family);
		EXPECT_EQ(0, info.flags);
		EXPECT_LT(0, info.max_vcpus);
		EXPECT_LE(info.max_vcpus, api.max_vcpus);
		EXPECT_LT(0, info.max_sources);
		EXPECT_LE(info.max_sources, api.max_sources);
		EXPECT_NE(0xccccccccU, info.source_word_version);
		EXPECT_GE(4096, info.options_size);
		for (i = 0; i < 4; i++)
			EXPECT_EQ(0, info.reserved[i]) TH_LOG("reserved[%zu]", i);
		if (fam == VIRQ_FAMILY_XICS) {
			EXPECT_EQ(0, info.options_size);
			EXPECT_EQ(VIRQ_XICS_SOURCE_WORD_VERSION,
				  info.source_word_version);
			EXPECT_EQ(api.max_sources < VIRQ_XICS_MAX_SOURCES ?
				  api.max_sources : VIRQ_XICS_MAX_SOURCES,
				  info.max_sources);
		}
		TH_LOG("family %u: features %#llx max_vcpus %u max_sources %u word v%u options %u",
		       fam, (unsigned long long)info.features, info.max_vcpus,
		       info.max_sources, info.source_word_version,
		       info.options_size);
	}
}

TEST_F(inst, get_family_invalid)
{
	struct virq_family_info info;
	__u32 bad[] = { 0, VIRQ_FAMILY_MAX + 1, 0x80000000U, 0xffffffffU };
	size_t i;

	SKIP_IF_SETUP_SKIPPED();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&info, 0, sizeof(info));
		info.family = bad[i];
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_GET_FAMILY, &info));
		ASSERT_EQ(EINVAL, errno) TH_LOG("family %#x", bad[i]);
	}
}

TEST_F(inst, get_family_flags)
{
	struct virq_family_info info;
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	REQUIRE_XICS(self->fd);
	for (bit = 0; bit < 32; bit++) {
		memset(&info, 0, sizeof(info));
		info.family = VIRQ_FAMILY_XICS;
		info.flags = 1U << bit;
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_GET_FAMILY, &info));
		ASSERT_EQ(EINVAL, errno) TH_LOG("flags bit %u", bit);
	}
}

TEST_F(inst, get_family_efault)
{
	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_GET_FAMILY, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
}

/* Unknown commands fail with ENOTTY before and after the chip exists. */
TEST_F(inst, unknown_commands)
{
	unsigned long cmds[] = {
		VIRQ_IOCTL_UNDEF,
		_IOWR(VIRQIO, 0x0f, struct virq_call),
		_IOWR(VIRQIO, 0x3f, struct virq_api),
		_IOWR(VIRQIO, 0x00, __u32),	/* GET_API, wrong size */
		_IOR(VIRQIO, 0x00, struct virq_api), /* wrong direction */
		_IOW(VIRQIO, 0x02, __u64),	/* CREATE_CHIP, wrong size */
		KVM_IOCTL_NR,
		_IO(0xAE, 0x00),		/* KVM_GET_API_VERSION */
		/* vCPU fd commands are not instance commands */
		VIRQ_VCPU_GET_OUTPUT, VIRQ_VCPU_ACK, VIRQ_VCPU_ACCESS,
		VIRQ_VCPU_CALL, VIRQ_VCPU_GET_ATTR, VIRQ_VCPU_SET_ATTR,
		FIONREAD,
	};
	char buf[256];
	size_t i;
	int round;

	SKIP_IF_SETUP_SKIPPED();
	for (round = 0; round < 2; round++) {
		for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			memset(buf, 0, sizeof(buf));
			ASSERT_EQ(-1, ioctl(self->fd, cmds[i], buf));
			ASSERT_EQ(ENOTTY, errno)
				TH_LOG("cmd %#lx round %d", cmds[i], round);
		}
		if (round || !virq_family_built(self->fd, VIRQ_FAMILY_XICS))
			break;
		ASSERT_EQ(0, virq_create_chip(self->fd, VIRQ_FAMILY_XICS, 1,
					      XICS_NR_SOURCES))
			TH_LOG("create: %s", strerror(errno));
	}
}

/* Every ioctl that needs a chip, with a valid argument, before it: ENODEV */
TEST_F(inst, enodev_before_chip)
{
	struct virq_vcpu_create vc = { .index = 0, .arch_id = 0 };
	struct virq_irq_line line = { .source = XICS_SRC,
				      .op = VIRQ_LINE_EDGE };
	struct virq_irq_lines lines = { .count = 1,
					.lines = (__u64)(uintptr_t)&line };
	struct virq_msi msi = { .data = XICS_SRC };
	struct virq_irqfd irqfd = { .source = XICS_SRC };
	struct virq_route route = { .gsi = 0, .type = VIRQ_ROUTE_MSI };
	struct virq_routing routing = { .nr = 1,
					.entries = (__u64)(uintptr_t)&route };
	struct virq_route_update update = { .op = VIRQ_ROUTE_OP_ADD,
					    .route = route };
	__u64 words[4];
	struct virq_sources src = { .first = XICS_SRC, .count = 4,
				    .addr = (__u64)(uintptr_t)words };
	__u64 val = 0;
	struct virq_attr attr = { .group = 1, .addr = (__u64)(uintptr_t)&val,
				  .size = 8 };
	struct virq_call call = { .nr = VIRQ_XICS_CALL_GET_XIVE,
				  .args = { XICS_SRC } };
	int efd;

	SKIP_IF_SETUP_SKIPPED();
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	irqfd.fd = efd;
	memset(words, 0, sizeof(words));

#define EXPECT_ENODEV(cmd, arg) do {					\
		errno = 0;						\
		EXPECT_EQ(-1, ioctl(self->fd, cmd, arg));		\
		EXPECT_EQ(ENODEV, errno) TH_LOG("%s", #cmd);		\
	} while (0)
	EXPECT_ENODEV(VIRQ_CREATE_VCPU, &vc);
	EXPECT_ENODEV(VIRQ_IRQ_LINE, &line);
	EXPECT_ENODEV(VIRQ_IRQ_LINES, &lines);
	EXPECT_ENODEV(VIRQ_SIGNAL_MSI, &msi);
	EXPECT_ENODEV(VIRQ_IRQFD, &irqfd);
	EXPECT_ENODEV(VIRQ_SET_GSI_ROUTING, &routing);
	EXPECT_ENODEV(VIRQ_UPDATE_GSI_ROUTE, &update);
	EXPECT_ENODEV(VIRQ_GET_GSI_ROUTING, &routing);
	EXPECT_ENODEV(VIRQ_GET_SOURCES, &src);
	EXPECT_ENODEV(VIRQ_SET_SOURCES, &src);
	EXPECT_ENODEV(VIRQ_GET_ATTR, &attr);
	EXPECT_ENODEV(VIRQ_SET_ATTR, &attr);
	EXPECT_ENODEV(VIRQ_HAS_ATTR, &attr);
	EXPECT_ENODEV(VIRQ_CHIP_CALL, &call);
	EXPECT_ENODEV(VIRQ_GET_CHIP, &(struct virq_chip_config){});
	/* even with a bad argument pointer */
	EXPECT_ENODEV(VIRQ_IRQ_LINE, virq_bad_ptr());
#undef EXPECT_ENODEV
	close(efd);
}

/* A failed VIRQ_CREATE_CHIP leaves the instance without a chip. */
TEST_F(inst, enodev_after_failed_create)
{
	struct virq_irq_line line = { .source = XICS_SRC,
				      .op = VIRQ_LINE_EDGE };

	SKIP_IF_SETUP_SKIPPED();
	REQUIRE_XICS(self->fd);
	ASSERT_EQ(-1, virq_create_chip(self->fd, VIRQ_FAMILY_XICS, 0,
				       XICS_NR_SOURCES));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, virq_create_chip(self->fd, VIRQ_FAMILY_XICS, 1,
				       XICS_NR_SOURCES + 1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_IRQ_LINE, &line));
	ASSERT_EQ(ENODEV, errno);
	ASSERT_EQ(-1, virq_create_vcpu(self->fd, 0, 0));
	ASSERT_EQ(ENODEV, errno);
	/* and a valid creation still works afterwards */
	ASSERT_EQ(0, virq_create_chip(self->fd, VIRQ_FAMILY_XICS, 1,
				      XICS_NR_SOURCES));
	ASSERT_EQ(0, virq_line(self->fd, XICS_SRC, VIRQ_LINE_RESET, NULL));
}

/* The API query answers on every instance, chip or not, and many at once. */
TEST_F(inst, get_api_with_chip)
{
	struct virq_api a, b;

	SKIP_IF_SETUP_SKIPPED();
	REQUIRE_XICS(self->fd);
	ASSERT_EQ(0, virq_get_api(self->fd, &a));
	ASSERT_EQ(0, virq_create_chip(self->fd, VIRQ_FAMILY_XICS, 1,
				      XICS_NR_SOURCES));
	ASSERT_EQ(0, virq_get_api(self->fd, &b));
	ASSERT_EQ(0, memcmp(&a, &b, sizeof(a)));
}

TEST_HARNESS_MAIN
