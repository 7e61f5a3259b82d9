// SPDX-License-Identifier: GPL-2.0
/*
 * VIRQ_CREATE_CHIP and VIRQ_CREATE_VCPU: each validation failure with its
 * errno, one broken field of an otherwise valid argument per check.
 */
#include <kselftest_harness.h>

#include "common.h"

FIXTURE(chip) {
	int fd;
	struct virq_family_info xics;
};

FIXTURE_SETUP(chip)
{
	self->fd = -1;
	VIRQ_OPEN_OR_SKIP(self->fd);
	REQUIRE_XICS(self->fd);
	memset(&self->xics, 0, sizeof(self->xics));
	self->xics.family = VIRQ_FAMILY_XICS;
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_GET_FAMILY, &self->xics));
}

FIXTURE_TEARDOWN(chip)
{
	if (self->fd >= 0)
		close(self->fd);
}

static struct virq_chip_config valid_config(void)
{
	struct virq_chip_config c = {
		.family = VIRQ_FAMILY_XICS,
		.nr_vcpus = XICS_NR_VCPUS,
		.nr_sources = XICS_NR_SOURCES,
	};

	return c;
}

#define CREATE_FAILS(cfg, err) do {					\
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_CREATE_CHIP, &(cfg)));	\
		ASSERT_EQ(err, errno);					\
	} while (0)

TEST_F(chip, create_valid_then_eexist)
{
	struct virq_chip_config cfg = valid_config();

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_CREATE_CHIP, &cfg));
	CREATE_FAILS(cfg, EEXIST);
	/* a different, valid configuration is refused all the same */
	cfg.nr_sources = 1024;
	cfg.nr_vcpus = 1;
	CREATE_FAILS(cfg, EEXIST);
}

TEST_F(chip, create_bad_family)
{
	struct virq_chip_config cfg = valid_config();
	struct virq_api api;
	__u32 fam;

	SKIP_IF_SETUP_SKIPPED();
	cfg.family = 0;
	CREATE_FAILS(cfg, EINVAL);
	cfg.family = VIRQ_FAMILY_MAX + 1;
	CREATE_FAILS(cfg, EINVAL);
	cfg.family = 0xffffffff;
	CREATE_FAILS(cfg, EINVAL);

	ASSERT_EQ(0, virq_get_api(self->fd, &api));
	for (fam = 1; fam <= VIRQ_FAMILY_MAX; fam++) {
		if (api.families & (1ULL << fam))
			continue;
		cfg.family = fam;
		CREATE_FAILS(cfg, EOPNOTSUPP);
	}
	/* none of it created a chip */
	cfg = valid_config();
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_CREATE_CHIP, &cfg));
}

TEST_F(chip, create_flags)
{
	struct virq_chip_config cfg;
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	for (bit = 0; bit < 32; bit++) {
		cfg = valid_config();
		cfg.flags = 1U << bit;
		CREATE_FAILS(cfg, EINVAL);
	}
}

TEST_F(chip, create_padding)
{
	struct virq_chip_config cfg;
	__u32 bit;

	SKIP_IF_SETUP_SKIPPED();
	for (bit = 0; bit < 32; bit++) {
		cfg = valid_config();
		cfg.padding = 1U << bit;
		CREATE_FAILS(cfg, EINVAL);
	}
}

TEST_F(chip, create_nr_vcpus)
{
	struct virq_chip_config cfg = valid_config();

	SKIP_IF_SETUP_SKIPPED();
	cfg.nr_vcpus = 0;
	CREATE_FAILS(cfg, EINVAL);
	cfg.nr_vcpus = self->xics.max_vcpus + 1;
	CREATE_FAILS(cfg, EINVAL);
	cfg.nr_vcpus = 0xffffffff;
	CREATE_FAILS(cfg, EINVAL);
	/* the largest accepted value is accepted */
	cfg.nr_vcpus = self->xics.max_vcpus;
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_CREATE_CHIP, &cfg));
}

TEST_F(chip, create_nr_sources)
{
	struct virq_chip_config cfg = valid_config();
	__u32 odd[] = { 1, 16, 1023, 1025, 1536, 2047, XICS_NR_SOURCES + 512 };
	size_t i;

	SKIP_IF_SETUP_SKIPPED();
	cfg.nr_sources = 0;
	CREATE_FAILS(cfg, EINVAL);
	/* a multiple of 1024, only too big */
	cfg.nr_sources = self->xics.max_sources + VIRQ_XICS_ICS_SIZE;
	CREATE_FAILS(cfg, EINVAL);
	cfg.nr_sources = 0xfffffc00;
	CREATE_FAILS(cfg, EINVAL);
	/* XICS: not a multiple of VIRQ_XICS_ICS_SIZE */
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		cfg.nr_sources = odd[i];
		CREATE_FAILS(cfg, EINVAL);
	}
	cfg.nr_sources = VIRQ_XICS_ICS_SIZE;
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_CREATE_CHIP, &cfg));
}

TEST_F(chip, create_max_sources)
{
	struct virq_chip_config cfg = valid_config();

	SKIP_IF_SETUP_SKIPPED();
	cfg.nr_vcpus = 1;
	cfg.nr_sources = self->xics.max_sources;
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_CREATE_CHIP, &cfg))
		TH_LOG("nr_sources %u: %s", cfg.nr_sources, strerror(errno));
	/* the last source exists, the one past it does not */
	ASSERT_EQ(0, virq_line(self->fd, cfg.nr_sources - 1,
			       VIRQ_LINE_RESET, NULL));
	ASSERT_EQ(-1, virq_line(self->fd, cfg.nr_sources, VIRQ_LINE_RESET,
				NULL));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(chip, create_options)
{
	struct virq_chip_config cfg;
	static char opts[8192];

	SKIP_IF_SETUP_SKIPPED();
	memset(opts, 0, sizeof(opts));

	/* pointer without size */
	cfg = valid_config();
	cfg.options = (__u64)(uintptr_t)opts;
	CREATE_FAILS(cfg, EINVAL);
	/* size without pointer */
	cfg = valid_config();
	cfg.options_size = 8;
	CREATE_FAILS(cfg, EINVAL);
	/* larger than a page */
	cfg = valid_config();
	cfg.options = (__u64)(uintptr_t)opts;
	cfg.options_size = 4097;
	CREATE_FAILS(cfg, E2BIG);
	cfg.options_size = 0xffffffff;
	CREATE_FAILS(cfg, E2BIG);
	/* XICS takes no options: any non-zero byte is too much */
	cfg = valid_config();
	cfg.options = (__u64)(uintptr_t)opts;
	cfg.options_size = 16;
	opts[15] = 1;
	CREATE_FAILS(cfg, E2BIG);
	opts[15] = 0;
	opts[0] = 0x80;
	CREATE_FAILS(cfg, E2BIG);
	opts[0] = 0;
	opts[4095] = 1;
	cfg.options_size = 4096;
	CREATE_FAILS(cfg, E2BIG);
	opts[4095] = 0;
	/* unreadable options */
	cfg.options = virq_bad_uptr();
	cfg.options_size = 8;
	CREATE_FAILS(cfg, EFAULT);
	/* all-zero trailing bytes are fine, up to a page */
	cfg = valid_config();
	cfg.options = (__u64)(uintptr_t)opts;
	cfg.options_size = 4096;
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_CREATE_CHIP, &cfg));
}

TEST_F(chip, create_efault)
{
	struct virq_chip_config cfg = valid_config();

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_CREATE_CHIP, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_CREATE_CHIP, NULL));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_CREATE_CHIP, &cfg));
}

/* --- VIRQ_GET_CHIP ------------------------------------------------------ */

#define GET_CHIP_FAILS(cfg, err) do {					\
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_GET_CHIP, &(cfg)));	\
		ASSERT_EQ(err, errno);					\
	} while (0)

TEST_F(chip, get_chip)
{
	struct virq_chip_config cfg = valid_config(), out;
	static char opts[8192];

	SKIP_IF_SETUP_SKIPPED();
	memset(&out, 0, sizeof(out));
	GET_CHIP_FAILS(out, ENODEV);
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_CREATE_CHIP, &cfg));

	memset(&out, 0, sizeof(out));
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_GET_CHIP, &out));
	EXPECT_EQ(VIRQ_FAMILY_XICS, out.family);
	EXPECT_EQ(XICS_NR_VCPUS, out.nr_vcpus);
	EXPECT_EQ(XICS_NR_SOURCES, out.nr_sources);
	EXPECT_EQ(0, out.options_size);	/* XICS takes no options */
	EXPECT_EQ(0, out.options);
	EXPECT_EQ(0, out.flags);
	EXPECT_EQ(0, out.padding);

	/* a buffer for options: zero-filled, since the family has none */
	memset(opts, 0xaa, sizeof(opts));
	out = (struct virq_chip_config){
		.options = (__u64)(uintptr_t)opts, .options_size = 64,
	};
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_GET_CHIP, &out));
	EXPECT_EQ(0, out.options_size);
	EXPECT_EQ((__u64)(uintptr_t)opts, out.options);
	EXPECT_EQ(0, opts[0]);
	EXPECT_EQ(0, opts[63]);
	EXPECT_EQ((char)0xaa, opts[64]);
}

TEST_F(chip, get_chip_errors)
{
	struct virq_chip_config cfg = valid_config(), out;
	static char opts[8192];

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, ioctl(self->fd, VIRQ_CREATE_CHIP, &cfg));
	out = (struct virq_chip_config){ .flags = 1 };
	GET_CHIP_FAILS(out, EINVAL);
	out = (struct virq_chip_config){ .flags = 1U << 31 };
	GET_CHIP_FAILS(out, EINVAL);
	out = (struct virq_chip_config){ .padding = 1 };
	GET_CHIP_FAILS(out, EINVAL);
	/* pointer without size, size without pointer */
	out = (struct virq_chip_config){ .options = (__u64)(uintptr_t)opts };
	GET_CHIP_FAILS(out, EINVAL);
	out = (struct virq_chip_config){ .options_size = 8 };
	GET_CHIP_FAILS(out, EINVAL);
	/* larger than VIRQ_OPTIONS_MAX_SIZE */
	out = (struct virq_chip_config){
		.options = (__u64)(uintptr_t)opts, .options_size = 4097,
	};
	GET_CHIP_FAILS(out, E2BIG);
	/* unwritable buffers */
	out = (struct virq_chip_config){
		.options = virq_bad_uptr(), .options_size = 8,
	};
	GET_CHIP_FAILS(out, EFAULT);
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_GET_CHIP, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
}

/* The value of field @key in /proc/self/fdinfo/@fd, or -1 */
static long long fdinfo_field(int fd, const char *key)
{
	char path[64], line[256];
	long long v = -1;
	size_t n = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtoll(line + n + 1, NULL, 0);
	fclose(f);
	return v;
}

TEST_F(chip, vcpu_get_id)
{
	struct virq_vcpu_create vid;
	struct virq_chip_config out = {};
	int vfd[2], other;
	long long id;
	__u32 i;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, virq_create_chip(self->fd, VIRQ_FAMILY_XICS,
				      XICS_NR_VCPUS, XICS_NR_SOURCES));
	for (i = 0; i < 2; i++) {
		vfd[i] = virq_create_vcpu(self->fd, 2 + i, 0x100 + i);
		ASSERT_LE(0, vfd[i]);
	}
	for (i = 0; i < 2; i++) {
		memset(&vid, 0xff, sizeof(vid));
		ASSERT_EQ(0, ioctl(vfd[i], VIRQ_VCPU_GET_ID, &vid));
		EXPECT_EQ(2 + i, vid.index);
		EXPECT_EQ(0, vid.flags);
		EXPECT_EQ(0x100 + i, vid.arch_id);
	}
	ASSERT_EQ(-1, ioctl(vfd[0], VIRQ_VCPU_GET_ID, virq_bad_ptr()));
	EXPECT_EQ(EFAULT, errno);

	/* fdinfo ties the vCPU fds to their instance, and no other */
	other = virq_open();
	ASSERT_LE(0, other);
	id = fdinfo_field(self->fd, "virq-instance");
	ASSERT_LE(0, id);
	EXPECT_NE(id, fdinfo_field(other, "virq-instance"));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(id, fdinfo_field(vfd[i], "virq-instance"));
		EXPECT_EQ(2 + i, fdinfo_field(vfd[i], "virq-vcpu-index"));
		EXPECT_EQ(0x100 + i, fdinfo_field(vfd[i], "virq-arch-id"));
	}
	close(other);
	/* each on its own kind of fd */
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_VCPU_GET_ID, &vid));
	EXPECT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(vfd[0], VIRQ_GET_CHIP, &out));
	EXPECT_EQ(ENOTTY, errno);
	close(vfd[0]);
	close(vfd[1]);
}

/* --- VIRQ_CREATE_VCPU --------------------------------------------------- */

#define VCPU_FAILS(vc, err) do {					\
		ASSERT_EQ(-1, ioctl(self->fd, VIRQ_CREATE_VCPU, &(vc)));	\
		ASSERT_EQ(err, errno);					\
	} while (0)

TEST_F(chip, vcpu_valid_cloexec)
{
	int vfd, flags;
	__u32 i;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, virq_create_chip(self->fd, VIRQ_FAMILY_XICS,
				      XICS_NR_VCPUS, XICS_NR_SOURCES));
	for (i = 0; i < XICS_NR_VCPUS; i++) {
		/* servers need not equal indexes */
		vfd = virq_create_vcpu(self->fd, i, XICS_NR_VCPUS - 1 - i);
		ASSERT_LE(0, vfd) TH_LOG("vcpu %u: %s", i, strerror(errno));
		flags = fcntl(vfd, F_GETFD);
		ASSERT_LE(0, flags);
		EXPECT_TRUE(flags & FD_CLOEXEC) TH_LOG("vcpu %u", i);
		ASSERT_LE(0, virq_vcpu_lines(vfd));
		close(vfd);
	}
}

TEST_F(chip, vcpu_flags)
{
	struct virq_vcpu_create vc;
	__u32 bit;
	int vfd;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, virq_create_chip(self->fd, VIRQ_FAMILY_XICS,
				      XICS_NR_VCPUS, XICS_NR_SOURCES));
	for (bit = 0; bit < 32; bit++) {
		memset(&vc, 0, sizeof(vc));
		vc.flags = 1U << bit;
		VCPU_FAILS(vc, EINVAL);
	}
	/* nothing was created: index 0 is still free */
	vfd = virq_create_vcpu(self->fd, 0, 0);
	ASSERT_LE(0, vfd);
	close(vfd);
}

TEST_F(chip, vcpu_index)
{
	struct virq_vcpu_create vc = { 0 };

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, virq_create_chip(self->fd, VIRQ_FAMILY_XICS,
				      XICS_NR_VCPUS, XICS_NR_SOURCES));
	vc.index = XICS_NR_VCPUS;
	VCPU_FAILS(vc, EINVAL);
	vc.index = 0xffffffff;
	VCPU_FAILS(vc, EINVAL);
	vc.index = 0x80000000;
	VCPU_FAILS(vc, EINVAL);
}

TEST_F(chip, vcpu_duplicates)
{
	struct virq_vcpu_create vc = { .index = 1, .arch_id = 7 };
	int vfd, vfd2;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, virq_create_chip(self->fd, VIRQ_FAMILY_XICS,
				      XICS_NR_VCPUS, XICS_NR_SOURCES));
	vfd = ioctl(self->fd, VIRQ_CREATE_VCPU, &vc);
	ASSERT_LE(0, vfd);
	/* same index, other server */
	vc.arch_id = 8;
	VCPU_FAILS(vc, EEXIST);
	/* other index, same server */
	vc.index = 2;
	vc.arch_id = 7;
	VCPU_FAILS(vc, EEXIST);
	/* closing the vCPU fd does not free the index or the server */
	close(vfd);
	vc.index = 1;
	vc.arch_id = 9;
	VCPU_FAILS(vc, EEXIST);
	vc.index = 3;
	vc.arch_id = 7;
	VCPU_FAILS(vc, EEXIST);
	/* failed attempts consumed nothing */
	vc.index = 2;
	vc.arch_id = 8;
	vfd2 = ioctl(self->fd, VIRQ_CREATE_VCPU, &vc);
	ASSERT_LE(0, vfd2);
	close(vfd2);
}

TEST_F(chip, vcpu_efault)
{
	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, virq_create_chip(self->fd, VIRQ_FAMILY_XICS,
				      XICS_NR_VCPUS, XICS_NR_SOURCES));
	ASSERT_EQ(-1, ioctl(self->fd, VIRQ_CREATE_VCPU, virq_bad_ptr()));
	ASSERT_EQ(EFAULT, errno);
}

/* Every vCPU of a large chip, then one too many. */
TEST_F(chip, vcpu_many)
{
	enum { N = 64 };
	int vfds[N], i;

	SKIP_IF_SETUP_SKIPPED();
	ASSERT_EQ(0, virq_create_chip(self->fd, VIRQ_FAMILY_XICS, N,
				      XICS_NR_SOURCES));
	for (i = 0; i < N; i++) {
		vfds[i] = virq_create_vcpu(self->fd, i, 1000 + i);
		ASSERT_LE(0, vfds[i]) TH_LOG("vcpu %d: %s", i, strerror(errno));
	}
	ASSERT_EQ(-1, virq_create_vcpu(self->fd, N, 2000));
	ASSERT_EQ(EINVAL, errno);
	for (i = 0; i < N; i++)
		close(vfds[i]);
}

TEST_HARNESS_MAIN
