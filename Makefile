# SPDX-License-Identifier: GPL-2.0
#
# virq out-of-tree build.  The kernel build itself is Kbuild's; this file
# wraps it and the test loop.  `make check` and `make demo` install what
# they need (see scripts/deps.sh) and run everything in a QEMU guest: the
# module is never loaded into the host's kernel.

BUILD	?= $(CURDIR)/build
GUEST_ENV := $(BUILD)/guest.env

# The guest kernel (Debian's linux-image of exactly the headers' version):
# KVER and KDIR come from scripts/guest-kernel.sh unless given.
KVER	?= $(shell sed -n 's/^KVER=//p' $(GUEST_ENV) 2>/dev/null)
KDIR	?= $(shell sed -n 's/^KDIR=//p' $(GUEST_ENV) 2>/dev/null)

KBUILD	= $(MAKE) -C $(KDIR) M=$(CURDIR)
KSRC	= $(BUILD)/ksrc
CHECKPATCH = $(KSRC)/scripts/checkpatch.pl

SOURCES	= $(shell git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^harness/include/')

.PHONY: all module modules deps sparse style selftests harness harness-test \
	check check-debug check-matrix demo install clean bench lib virqctl

all: module

$(GUEST_ENV):
	@mkdir -p $(BUILD)
	@bash scripts/deps.sh
	@bash scripts/guest-kernel.sh $(BUILD) > $@.tmp && mv $@.tmp $@

$(KSRC)/.stamp:
	@bash scripts/ksrc.sh $(BUILD)

deps: $(GUEST_ENV) $(KSRC)/.stamp

# W=1, and any warning is an error.
module modules: $(GUEST_ENV)
	@$(KBUILD) W=1 modules 2>&1 | tee $(BUILD)/module.log
	@! grep -E 'warning:|error:' $(BUILD)/module.log

sparse: $(GUEST_ENV)
	@$(KBUILD) C=2 W=1 modules 2>&1 | tee $(BUILD)/sparse.log
	@! grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' $(BUILD)/sparse.log

# checkpatch --strict over every C source and header.  Two files get one
# documented exemption each: trace.h is written in the TRACE_EVENT idiom
# checkpatch does not parse, and compat/ exists to test kernel versions.
CP_FLAGS = --strict --no-tree --quiet --show-types --ignore FILE_PATH_CHANGES
# User-space programs (tests, tools, the harness) are held to the same
# rules except those that only make sense inside the kernel (kernel types,
# ARRAY_SIZE, externs) or that the test idioms break on purpose (macros
# that return from the test, long TAP strings, BIT() is a kernel macro):
# the kernel code itself gets no exemption.
USER_SOURCES = $(filter selftests/% tools/% bench/% harness/% lib/%,$(SOURCES))
USER_CP_IGNORE = PREFER_KERNEL_TYPES,ARRAY_SIZE,CAMELCASE,AVOID_EXTERNS,$\
	MACRO_WITH_FLOW_CONTROL,MACRO_ARG_REUSE,LONG_LINE_STRING,BIT_MACRO
style: $(KSRC)/.stamp
	@perl $(CHECKPATCH) $(CP_FLAGS) --file \
		$(filter-out virq/trace.h virq/compat/% $(USER_SOURCES),$(SOURCES))
	@perl $(CHECKPATCH) $(CP_FLAGS) --ignore $(USER_CP_IGNORE) \
		--file $(filter $(USER_SOURCES),$(SOURCES))
	@perl $(CHECKPATCH) $(CP_FLAGS) \
		--ignore OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT --file virq/trace.h
	@perl $(CHECKPATCH) $(CP_FLAGS) \
		--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON \
		--file $(filter virq/compat/%,$(SOURCES))

selftests: $(KSRC)/.stamp
	@$(MAKE) -C selftests BUILD=$(BUILD) KSRC=$(KSRC)

harness harness-test: $(KSRC)/.stamp
	@$(MAKE) -C harness BUILD=$(BUILD) KSRC=$(KSRC) test

bench: deps module
	@$(MAKE) -C bench BUILD=$(BUILD) KSRC=$(KSRC)
	@bash scripts/bench.sh $(BUILD)

check: deps
	@bash scripts/check.sh $(BUILD)

# The guest suite on the debug kernel (KASAN, UBSAN, lockdep, kmemleak,
# failslab): Documentation/dev-tools/debug-kernel.rst.  Not in CI.
check-debug: deps
	@bash scripts/check-debug.sh $(BUILD)

# The kernel x architecture matrix (6.1, 6.1-rt and 6.12 on x86_64; 6.1
# on arm64, with KVM's vgic-v3 beside virq, and on ppc64le):
# Documentation/dev-tools/matrix.rst.  Not in CI: about 20 minutes.
check-matrix: deps
	@bash scripts/matrix.sh $(BUILD)

# One guest run: virq-demo narrates the ioctls (XICS); gicv3-demo an arm64
# VMM's GICv3 (an SPI, an SGI between vCPUs, an MSI through the ITS to an
# LPI, a PPI on the resident vCPU across load/put); then the small VMM
# of tools/vmm runs an x86 guest program on two vCPUs under the test
# guest's own /dev/kvm (--kvm-ref), with virq as its IOAPIC and LAPICs,
# and narrates that; last, migrate-demo live-migrates an x86 and a XICS
# instance, mid-flight, from one VMM process to another with virqctl
# (copied into the guest) and shows both sides' vCPUs receiving the same
# afterwards (it fails if they do not).
demo: deps module virqctl
	@$(MAKE) -s -C tools BUILD=$(BUILD)
	@bash tools/vm/run.sh --kver $(KVER) --guest-dir $(BUILD)/guest/$(KVER) \
		--module $(CURDIR)/virq.ko --out $(BUILD)/demo --demo --kvm-ref \
		--file $(BUILD)/tools/virqctl \
		-- $(BUILD)/tools/virq-demo --- $(BUILD)/tools/gicv3-demo \
		--- $(BUILD)/tools/vmm --narrate \
		--- $(BUILD)/tools/migrate-demo

# libvirq (libvirq.a, libvirq.pc) into $(BUILD)/lib; virqctl, linked
# statically against it, into $(BUILD)/tools.
lib:
	@$(MAKE) -s -C lib BUILD=$(BUILD)

virqctl: lib
	@$(MAKE) -s -C tools/virqctl BUILD=$(BUILD)

# The module (into $(DESTDIR)/lib/modules/<kver>), libvirq's headers,
# libvirq.a and libvirq.pc, and virqctl under $(DESTDIR)$(PREFIX).
PREFIX	?= /usr/local
install: module lib virqctl
	@$(KBUILD) INSTALL_MOD_PATH=$(DESTDIR) modules_install
	@$(MAKE) -s -C lib BUILD=$(BUILD) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) \
		install
	@$(MAKE) -s -C tools/virqctl BUILD=$(BUILD) PREFIX=$(PREFIX) \
		DESTDIR=$(DESTDIR) install

clean:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then $(KBUILD) clean; fi
	@$(MAKE) -s -C selftests BUILD=$(BUILD) clean
	@$(MAKE) -s -C harness BUILD=$(BUILD) clean
	@$(MAKE) -s -C tools/virqctl BUILD=$(BUILD) clean
	@$(MAKE) -s -C lib BUILD=$(BUILD) clean
	@rm -rf $(BUILD)/results $(BUILD)/vm $(BUILD)/demo
