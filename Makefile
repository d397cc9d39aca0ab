# SPDX-License-Identifier: GPL-2.0
#
# `make` builds kvm_timer_backport.ko for the running kernel, as any
# out-of-tree module does (its headers installed; KDIR= for another
# prepared tree): no root, nothing installed. kbuild itself (this make -C
# KDIR M=..., and dkms) reads Kbuild, not this file.
#
# Every other target is for developers and CI: the work is done by
# scripts/*.sh, everything big is cached under /var/cache/kvm-timer-backport
# (KTB_CACHE overrides), and they need root, because the first run
# installs the Debian 12 packages it lacks. `make help` lists them.

CACHE := $(or $(KTB_CACHE),/var/cache/kvm-timer-backport)
KDIR ?= /lib/modules/$(shell uname -r)/build

modules:
	@test -f $(KDIR)/Makefile || { \
		echo "no kernel build tree at $(KDIR): install the headers of the running kernel (Debian: linux-headers-$$(uname -r)) or pass KDIR=/path/to/tree" >&2; \
		exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules_install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

help:
	@echo "make              build kvm_timer_backport.ko for the running kernel (KDIR= for another tree); no root"
	@echo "make modules_install  install it into /lib/modules (root; the packages use dkms instead)"
	@echo "make check        everything below; ends with 'check: N passed, M failed'"
	@echo "make kunit        KUnit suites in UML 6.1 (kunit/.kunitconfig)"
	@echo "make uml-lint     W=1 and sparse on our sources in the KUnit (UML) configuration"
	@echo "make kunit-debug  the same with lockdep, KASAN, UBSAN (kunit/debug.kunitconfig)"
	@echo "make module       out-of-tree build against Debian's 6.1 amd64 headers, W=1 and sparse"
	@echo "make matrix       kernels 5.10 6.1 6.12 7.2 x UML/amd64/mips64el/ppc64el: build, sparse, KUnit"
	@echo "make checkpatch   checkpatch.pl --strict on src/ compat/ kunit/"
	@echo "make kerneldoc    kernel-doc on every non-static function, and kernel-doc's own warnings"
	@echo "make mutants      break core rules one by one; every mutant must fail make kunit"
	@echo "make bench        exact instruction counts of a Count read and a re-arm, upstream's vs the module's, on mipsel mips64el ppc64le x86_64 (qemu-user); then a guest's trapped Count read timed in the Malta 5.10 rig, none/auto/takeover"
	@echo "make e2e          both rigs below: the module on real kernels running real guests"
	@echo "make e2e-ppc64    three ppc64el KVM hosts in QEMU (Debian's 6.1, 6.1 without the decrementer migration fix, 5.10): a real guest's timebase and decrementer with the module absent, auto, defer, takeover"
	@echo "make e2e-mips     three 5.10 Malta trap-and-emulate kernels (stock, without COUNT_CTL, without the 3.16 timer) in QEMU x modes none/auto/defer/takeover"
	@echo "make stress       the Malta 5.10 debug kernel (lockdep, hrtimer debug objects, slab poisoning, failslab) in QEMU: VM churn, ONE_REG hammering and fuzzing threads, vCPU creation under failslab, load/unload racing VMs"
	@echo "make stress-ppc64 the powernv 5.10 debug kernel (preemptible, lockdep, debug objects, slab poisoning, failslab) on 2 CPUs in QEMU: TB_OFFSET/DEC_EXPIRY churn and fuzzing threads, VM/vCPU creation under failslab, load/unload racing VMs and kvm-hv's own unload"
	@echo "make shellcheck   shellcheck the scripts"
	@echo "make deb          the kvm-timer-backport-dkms .deb and Debian source package, lintian"
	@echo "make rpm          the noarch dkms .rpm and .src.rpm, rpmlint"
	@echo "make pkg-test     both packages: dpkg install, dkms skip and cross builds, purge; rpm checks"
	@echo "make dkms-install register this checkout with dkms, install for every kernel with headers (or KVER=), with the modprobe.d softdep and the boot unit"
	@echo "make dkms-uninstall  dkms remove --all, delete /usr/src/kvm-timer-backport-VERSION"
	@echo "make clean        remove build output from this tree"
	@echo "make cacheclean   remove the rigs' build output, logs and results from the cache (keeps kernels and sources)"
	@echo "make distclean    remove all of $(CACHE)"

check:
	@scripts/check.sh

deps:
	@scripts/deps.sh

kunit: deps
	@scripts/kunit.sh default

uml-lint: deps
	@scripts/uml-lint.sh

kunit-debug: deps
	@scripts/kunit.sh debug

module: deps
	@scripts/module.sh

matrix: deps
	@scripts/matrix.sh

kerneldoc: deps
	@scripts/kerneldoc.sh

mutants: deps
	@scripts/mutants.py

bench:
	@scripts/bench.sh
	@scripts/bench-mips-rig.sh

checkpatch: deps
	@scripts/checkpatch.sh

e2e-ppc64: deps
	@scripts/e2e-ppc64.sh

e2e-mips: deps
	@scripts/e2e-mips.sh

stress: deps
	@scripts/stress.sh

stress-ppc64: deps
	@scripts/stress-ppc64.sh

# The main job, end to end: the module on real kernels running real guests.
e2e: e2e-ppc64 e2e-mips

deb:
	@scripts/pkg-deb.sh

rpm:
	@scripts/pkg-rpm.sh

pkg-test: deps
	@scripts/pkg-test.sh

dkms-install:
	@scripts/pkg-dkms.sh install $(KVER)

dkms-uninstall:
	@scripts/pkg-dkms.sh uninstall

shellcheck:
	shellcheck -x .ci/run scripts/*.sh

clean:
	find . -path ./.git -prune -o \( -name '*.o' -o -name '*.ko' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name '.*.cmd' \
		-o -name Module.symvers -o -name modules.order \) -exec rm -f {} +

cacheclean:
	rm -rf $(CACHE)/build $(CACHE)/logs $(CACHE)/results $(CACHE)/checkpatch-ok $(CACHE)/pkg \
		$(CACHE)/matrix

distclean: clean
	rm -rf $(CACHE)

.PHONY: modules modules_install help check deps kunit uml-lint kunit-debug module matrix kerneldoc mutants bench checkpatch e2e e2e-ppc64 e2e-mips stress stress-ppc64 shellcheck \
	deb rpm pkg-test dkms-install dkms-uninstall clean cacheclean distclean
