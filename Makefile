# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff: out-of-tree kernel modules (Kbuild) and userspace tools.
#
#   make                build the modules against $(KDIR) and the tools
#   make W=1 / C=1      extra warnings / sparse, passed to Kbuild
#   make lint           checkpatch.pl --strict on every kernel source file
#   make install        modules_install into /lib/modules/<release>/updates
#   make dkms-install   the sources into /usr/src/tpm-handoff-VERSION, then
#                       dkms builds and installs them for every kernel
#                       with headers (and again on each kernel update)
#   make check          every test (deps and build included)
#   make demo           the handoff in the measured-dom0 VM (DIST=trixie:
#                       in a Debian 13 dom0)
#   make fuzz           the libFuzzer targets in build/fuzz (clang); run them
#                       with selftests/host/fuzz.sh (FUZZ_SECONDS=60)
#
# KDIR defaults to the running kernel's build directory, or else the newest
# /usr/src/linux-headers-*-amd64.

KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; \
	if [ -d $$d ]; then echo $$d; \
	else ls -dv /usr/src/linux-headers-*-amd64 2>/dev/null | tail -n1; fi)

CACHE ?= $(HOME)/.cache/tpm-handoff
CHECKPATCH ?= $(CACHE)/checkpatch/checkpatch.pl
KSRC = $(wildcard testing/manager/tpm_mgr_tis.c) $(shell find drivers include -name '*.[ch]' ! -name '*.mod.c' \
	! -name compat.h 2>/dev/null | sort)
# The compatibility header compares kernel versions: that is its purpose.
KSRC_COMPAT = include/tpm_handoff/compat.h

.PHONY: all modules tools clean install lint check demo deps kdir bench fuzz

all: modules tools

kdir:
	@if [ -z "$(KDIR)" ] || [ ! -d "$(KDIR)" ]; then \
		echo "No kernel build directory: install linux-headers-amd64 or set KDIR" >&2; \
		exit 1; fi

modules: kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
	$(MAKE) -C $(KDIR) M=$(CURDIR)/testing/manager modules

tools:
	$(MAKE) -C tools
	$(MAKE) -C testing

fuzz:
	$(MAKE) -C testing/fuzz

# The release modules install under (Debian's include/config/kernel.release
# holds the upstream version instead).
KRELEASE = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KRELEASE)

# DKMS.  VERSION is scripts/version's (0.2+git.SHA in a checkout); the
# source tree is what the modules' build reads, with dkms.conf's @VERSION@
# filled in.
VERSION ?= $(shell scripts/version)
DKMS_SRC = $(DESTDIR)/usr/src/tpm-handoff-$(VERSION)
.PHONY: dkms-source dkms-install

dkms-source:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r Kbuild Makefile VERSION LICENSE $(DKMS_SRC)/
	mkdir -p $(DKMS_SRC)/scripts
	cp scripts/version $(DKMS_SRC)/scripts/
	find drivers include \( -name '*.[ch]' -o -name Kbuild -o -name Kconfig \) \
		! -name '*.mod.c' -exec cp --parents {} $(DKMS_SRC)/ \;
	sed 's/@VERSION@/$(VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf

dkms-install: dkms-source
	dkms remove tpm-handoff/$(VERSION) --all >/dev/null 2>&1 || true
	dkms add tpm-handoff/$(VERSION)
	for b in /lib/modules/*/build; do \
		[ -e $$b ] || continue; \
		k=$${b%/build}; k=$${k##*/}; \
		dkms install tpm-handoff/$(VERSION) -k $$k || exit 1; \
	done

$(CHECKPATCH):
	scripts/extract-kernel-scripts $(dir $(CHECKPATCH))

# CAMELCASE is ignored: the only CamelCase names are Xen's own (XenbusState*),
# which checkpatch cannot see without a kernel tree.
lint: $(CHECKPATCH)
	@[ -n "$(KSRC)" ] || { echo "lint: no kernel sources"; exit 0; }; \
	{ $(CHECKPATCH) --strict --no-tree --terse --show-types \
		--ignore CAMELCASE -f $(KSRC); \
	  $(CHECKPATCH) --strict --no-tree --terse --show-types \
		--ignore CAMELCASE,LINUX_VERSION_CODE,CONSTANT_COMPARISON -f $(KSRC_COMPAT); } \
		| tee /dev/stderr | grep -q . && exit 1 || echo "lint: clean"

deps:
	scripts/deps.sh

check: deps
	$(MAKE) all
	testing/check

# DIST=trixie: the demo on a Debian 13 dom0 (default bookworm).
demo: deps
	$(MAKE) all
	testing/demo/demo $(if $(DIST),--dist $(DIST))

# BENCH_SIZES / BENCH_REPS from the environment choose a shorter run.
bench: deps
	$(MAKE) all
	testing/bench/bench

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/testing/manager clean
	$(MAKE) -C tools clean
	$(MAKE) -C testing clean
	rm -rf build

# Debug kernels built from linux-source-6.1 (testing/kernel/build; see
# Documentation/testing.rst, "Debug kernels"): a Xen PV dom0 with lockdep,
# kmemleak and UBSAN for testing/vm/boot-dom0, and a KASAN + KUnit kernel for
# native QEMU boots (testing/kernel/boot-native).
.PHONY: kernels kernel-dom0-debug kernel-kasan

kernels: kernel-dom0-debug kernel-kasan

kernel-dom0-debug:
	testing/kernel/build dom0-debug

kernel-kasan:
	testing/kernel/build kasan
