// SPDX-License-Identifier: GPL-2.0
/*
 * virq-demo: what `make demo` runs inside the guest.  It plays the part of
 * a VMM and narrates each step: what it asks of /dev/virq and what comes
 * back.  Every check is real: the demo exits non-zero if virq does not
 * behave as narrated.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/virq.h>

#include "demo.h"

static int xcall(int fd, unsigned long req, __u32 nr, __u64 a0, __u64 a1,
		 __u64 a2, struct virq_call *out)
{
	struct virq_call c = { .nr = nr, .args = { a0, a1, a2 } };
	int ret = ioctl(fd, req, &c);

	if (out)
		*out = c;
	if (ret)
		return -errno;
	return (int)c.ret;
}

static const char *lines_str(long lines)
{
	return lines & VIRQ_OUT_INT ? "EE asserted" : "EE low";
}

static long vcpu_lines(int vcpu)
{
	struct virq_vcpu_output out = { 0 };

	if (ioctl(vcpu, VIRQ_VCPU_GET_OUTPUT, &out))
		return -1;
	return out.lines;
}

static int poll_in(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

static __u64 source_word(int fd, __u32 src)
{
	struct virq_sources s = { .first = src, .count = 1 };
	__u64 w = 0;

	s.addr = (uintptr_t)&w;
	if (ioctl(fd, VIRQ_GET_SOURCES, &s))
		return ~0ULL;
	return w;
}

static void show_word(const char *name, __u64 w)
{
	say("   %s: server %llu priority %llu%s%s%s%s%s\n", name,
	    w & VIRQ_XICS_DESTINATION_MASK,
	    (w >> VIRQ_XICS_PRIORITY_SHIFT) & VIRQ_XICS_PRIORITY_MASK,
	    w & VIRQ_XICS_LEVEL_SENSITIVE ? " level" : " edge",
	    w & VIRQ_XICS_MASKED ? " masked" : "",
	    w & VIRQ_XICS_PENDING ? " pending" : "",
	    w & VIRQ_XICS_PRESENTED ? " presented" : "",
	    w & VIRQ_XICS_ASSERTED ? " asserted" : "");
}

static void demo_api(int fd)
{
	static const char *const fam[] = { "?", "x86", "GICv3", "XICS" };
	struct virq_api api = { 0 };
	int f;

	step("What does this virq support?  (VIRQ_GET_API)");
	expect(!ioctl(fd, VIRQ_GET_API, &api), "VIRQ_GET_API");
	say("   API version %u, features 0x%llx, up to %u vCPUs and %u sources\n",
	    api.version, (unsigned long long)api.features, api.max_vcpus,
	    api.max_sources);
	for (f = 1; f <= VIRQ_FAMILY_MAX; f++) {
		struct virq_family_info info = { .family = f };

		if (ioctl(fd, VIRQ_GET_FAMILY, &info)) {
			say("   family %-5s: not built (%s)\n", fam[f],
			    strerror(errno));
			continue;
		}
		say("   family %-5s: built, up to %u vCPUs, %u sources, source word v%u\n",
		    fam[f], info.max_vcpus, info.max_sources,
		    info.source_word_version);
	}
}

static void demo_xics(int fd)
{
	struct virq_chip_config cfg = {
		.family = VIRQ_FAMILY_XICS, .nr_vcpus = 2, .nr_sources = 8192,
	};
	struct virq_call c;
	int vcpu[2], i, status, efd, rfd;
	const __u32 lsi = 0x20, msi_count = 4;
	__u32 msi;
	__u64 xirr, one = 1;

	step("A PAPR guest's XICS: 2 servers, 8192 flat source numbers");
	expect(!ioctl(fd, VIRQ_CREATE_CHIP, &cfg), "VIRQ_CREATE_CHIP");
	for (i = 0; i < 2; i++) {
		struct virq_vcpu_create vc = { .index = i, .arch_id = i };

		vcpu[i] = ioctl(fd, VIRQ_CREATE_VCPU, &vc);
		expect(vcpu[i] >= 0, "VIRQ_CREATE_VCPU");
		say("   vCPU %d: fd %d, server number %d\n", i, vcpu[i], i);
		/* An ICP resets with CPPR 0 (all masked); the guest opens it. */
		expect(!xcall(vcpu[i], VIRQ_VCPU_CALL, VIRQ_XICS_H_CPPR, 0xff,
			      0, 0, NULL), "H_CPPR");
	}
	say("   each guest CPU opens its ICP: H_CPPR(0xff)\n");
	say("   no routing table on XICS: VIRQ_SET_GSI_ROUTING -> %s\n",
	    ioctl(fd, VIRQ_SET_GSI_ROUTING,
		  &(struct virq_routing){ 0 }) ? strerror(errno) : "ok?");

	step("A level-sensitive device line (LSI) to server 0");
	expect(!xcall(fd, VIRQ_CHIP_CALL, VIRQ_XICS_CALL_SET_LSI, lsi, 1, 0,
		      NULL), "SET_LSI");
	expect(!xcall(fd, VIRQ_CHIP_CALL, VIRQ_XICS_CALL_SET_XIVE, lsi, 0, 5,
		      NULL), "ibm,set-xive");
	say("   ibm,set-xive(0x%x, server 0, priority 5)\n", lsi);
	say("   server 0 before: %s; poll() says %s\n",
	    lines_str(vcpu_lines(vcpu[0])),
	    poll_in(vcpu[0], 0) ? "readable" : "nothing");
	status = 0;
	{
		struct virq_irq_line l = { .source = lsi, .op = VIRQ_LINE_SET };

		expect(!ioctl(fd, VIRQ_IRQ_LINE, &l), "VIRQ_IRQ_LINE");
		status = l.status;
	}
	say("   device raises the line: VIRQ_IRQ_LINE(0x%x, SET) -> status %d\n",
	    lsi, status);
	say("   (status > 0: presented to that many vCPUs)\n");
	expect(poll_in(vcpu[0], 1000), "poll wakes");
	say("   server 0: poll() is readable, %s\n",
	    lines_str(vcpu_lines(vcpu[0])));
	show_word("source 0x20", source_word(fd, lsi));

	expect(!xcall(vcpu[0], VIRQ_VCPU_CALL, VIRQ_XICS_H_XIRR, 0, 0, 0, &c),
	       "H_XIRR");
	xirr = c.rets[0];
	say("   guest: H_XIRR -> 0x%08llx (CPPR 0x%02llx, source 0x%llx); %s\n",
	    xirr, xirr >> 24, xirr & 0xffffff,
	    lines_str(vcpu_lines(vcpu[0])));
	expect((xirr & 0xffffff) == lsi, "XIRR names the LSI");

	say("   guest: H_EOI while the line is still high ...\n");
	expect(!xcall(vcpu[0], VIRQ_VCPU_CALL, VIRQ_XICS_H_EOI,
		      (0xffULL << 24) | lsi, 0, 0, NULL), "H_EOI");
	say("   ... it is presented again: %s\n",
	    lines_str(vcpu_lines(vcpu[0])));
	expect(vcpu_lines(vcpu[0]) & VIRQ_OUT_INT, "re-presented");
	xcall(vcpu[0], VIRQ_VCPU_CALL, VIRQ_XICS_H_XIRR, 0, 0, 0, &c);
	{
		struct virq_irq_line l = { .source = lsi, .op = VIRQ_LINE_RESET };

		ioctl(fd, VIRQ_IRQ_LINE, &l);
	}
	say("   device lowers the line; guest EOIs: ");
	xcall(vcpu[0], VIRQ_VCPU_CALL, VIRQ_XICS_H_EOI, (0xffULL << 24) | lsi,
	      0, 0, NULL);
	say("%s\n", lines_str(vcpu_lines(vcpu[0])));
	expect(!(vcpu_lines(vcpu[0]) & VIRQ_OUT_INT), "quiet after EOI");

	step("MSIs are ordinary sources: allocate an aligned block of 4");
	expect(!xcall(fd, VIRQ_CHIP_CALL, VIRQ_XICS_CALL_MSI_ALLOC, msi_count,
		      0, 0, &c), "MSI_ALLOC");
	msi = c.rets[0];
	say("   MSI_ALLOC(4) -> sources 0x%x..0x%x\n", msi, msi + msi_count - 1);
	for (i = 0; i < (int)msi_count; i++)
		xcall(fd, VIRQ_CHIP_CALL, VIRQ_XICS_CALL_SET_XIVE, msi + i, 1,
		      6, NULL);
	{
		struct virq_msi m = { .data = msi + 2 };

		expect(!ioctl(fd, VIRQ_SIGNAL_MSI, &m), "VIRQ_SIGNAL_MSI");
		say("   VIRQ_SIGNAL_MSI(data 0x%x) -> status %d; server 1: %s\n",
		    msi + 2, m.status, lines_str(vcpu_lines(vcpu[1])));
	}
	xcall(vcpu[1], VIRQ_VCPU_CALL, VIRQ_XICS_H_XIRR, 0, 0, 0, &c);
	say("   server 1: H_XIRR -> 0x%08llx\n", (unsigned long long)c.rets[0]);
	expect((c.rets[0] & 0xffffff) == msi + 2, "XIRR names the MSI");
	xcall(vcpu[1], VIRQ_VCPU_CALL, VIRQ_XICS_H_EOI, c.rets[0] | 0xff000000,
	      0, 0, NULL);

	step("An IPI: server 0 writes server 1's MFRR (H_IPI)");
	expect(!xcall(vcpu[0], VIRQ_VCPU_CALL, VIRQ_XICS_H_IPI, 1, 4, 0, NULL),
	       "H_IPI");
	say("   H_IPI(server 1, priority 4): server 1 %s\n",
	    lines_str(vcpu_lines(vcpu[1])));
	xcall(vcpu[1], VIRQ_VCPU_CALL, VIRQ_XICS_H_XIRR, 0, 0, 0, &c);
	say("   server 1: H_XIRR -> 0x%08llx (source 2 is the IPI)\n",
	    (unsigned long long)c.rets[0]);
	expect((c.rets[0] & 0xffffff) == VIRQ_XICS_IPI, "IPI");
	xcall(vcpu[1], VIRQ_VCPU_CALL, VIRQ_XICS_H_IPI, 1, 0xff, 0, NULL);
	xcall(vcpu[1], VIRQ_VCPU_CALL, VIRQ_XICS_H_EOI, c.rets[0] | 0xff000000,
	      0, 0, NULL);

	step("irqfd: an eventfd bound to source 0x20, no syscall into virq");
	efd = eventfd(0, EFD_CLOEXEC);
	rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	{
		struct virq_irqfd irqfd = {
			.fd = efd, .source = lsi,
			.flags = VIRQ_IRQFD_FLAG_RESAMPLE, .resamplefd = rfd,
		};

		expect(!ioctl(fd, VIRQ_IRQFD, &irqfd), "VIRQ_IRQFD");
	}
	expect(write(efd, &one, 8) == 8, "eventfd write");
	say("   write(eventfd) -> server 0 %s\n",
	    lines_str(vcpu_lines(vcpu[0])));
	xcall(vcpu[0], VIRQ_VCPU_CALL, VIRQ_XICS_H_XIRR, 0, 0, 0, &c);
	xcall(vcpu[0], VIRQ_VCPU_CALL, VIRQ_XICS_H_EOI, c.rets[0] | 0xff000000,
	      0, 0, NULL);
	say("   guest H_XIRR 0x%08llx then H_EOI: resamplefd %s, line %s\n",
	    (unsigned long long)c.rets[0],
	    poll_in(rfd, 1000) ? "signalled" : "silent",
	    source_word(fd, lsi) & VIRQ_XICS_ASSERTED ? "still high" : "low");

	step("Migration: every source as a KVM_XICS word, in bulk");
	{
		static __u64 words[8192];
		struct virq_sources s = {
			.first = 0, .count = 8192, .addr = (uintptr_t)words,
		};
		int used = 0;

		expect(!ioctl(fd, VIRQ_GET_SOURCES, &s), "VIRQ_GET_SOURCES");
		for (i = VIRQ_XICS_FIRST_SOURCE; i < 8192; i++)
			if (words[i] != (VIRQ_XICS_MASKED |
					 (0xffULL << VIRQ_XICS_PRIORITY_SHIFT)))
				used++;
		say("   VIRQ_GET_SOURCES(0, 8192): %d sources differ from reset state\n",
		    used);
		show_word("source 0x20", words[lsi]);
		show_word("MSI + 2   ", words[msi + 2]);
	}
	close(efd);
	close(rfd);
	close(vcpu[0]);
	close(vcpu[1]);
}

int main(void)
{
	int fd = open("/dev/virq", O_RDWR | O_CLOEXEC);

	say("virq demo: this program is a VMM talking to /dev/virq in a QEMU guest\n");
	if (fd < 0) {
		perror("/dev/virq");
		return 1;
	}
	demo_api(fd);
	demo_xics(fd);
	close(fd);
	printf("\n%s\n", failures ? "demo FAILED" : "demo done: everything behaved as described");
	return failures ? 1 : 0;
}
