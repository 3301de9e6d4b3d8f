# SPDX-License-Identifier: BSD-3-Clause
#
# Thin wrapper around buildtools/bootstrap.sh, ninja and meson test.
#   make [all]   install what is missing, configure and build
#   make test    build, run the fast-tests suite in build/, build and run it
#                again with ASan+UBSan in build-asan/, print one line
#                "N passed, N failed" over both (what CI runs)
#   make perf    build, run the perf-tests suite (installs clang for the
#                fuzz targets' bounded run, doc/fuzzing.md)
#   make run     build, run usertools/qosdt-run.py: server + client, QoS vs FIFO
#                (RUN_ARGS=... for more; the channel benchmark is in make perf)
#   make eval    build, run usertools/qosdt-eval.py: the performance chapter's
#                experiments, 3 repeats (~15 min), regenerating doc/perf.md
#                and doc/perf/; QUICK=1: one short repeat (< 5 min) whose
#                figures and report go to build/eval-quick/ instead
#   make install    build, copy net_shm (librte_net_shm.so) into the system
#                   DPDK's driver plugin dir, so that stock tools (dpdk-dumpcap,
#                   dpdk-proc-info, dpdk-testpmd) load it without -d
#                   (buildtools/pmd-install.py, doc/tools.md); needs root/sudo
#   make uninstall  take it out again
#   make vm-test build, run usertools/qosdt-vm.py: two QEMU guests on one
#                ivshmem region, the full ladder and its table (doc/vm.md)
#   make clean   remove the build dirs (the fetched driver SDK is kept)
# make perf and make vm-test install QEMU, a guest kernel and busybox
# (QOSDT_WITH_VM=1) and build the guest image (build/vm/) before the tests.
# SANITIZE=1 uses build dir build-asan with ASan+UBSan for everything
# (make SANITIZE=1 test runs the suite there only).

ASAN_DIR = build-asan
ASAN_MESON_ARGS = -Db_sanitize=address,undefined -Db_lundef=false
# Undefined behaviour fails the test that hits it (DPDK's own, listed in
# the suppressions file, excepted). No effect on builds without UBSan.
export UBSAN_OPTIONS = halt_on_error=1:print_stacktrace=1:suppressions=$(CURDIR)/buildtools/ubsan.supp

ifeq ($(SANITIZE),1)
BUILDDIR = $(ASAN_DIR)
MESON_ARGS = $(ASAN_MESON_ARGS)
TEST_DIRS = $(ASAN_DIR)
else
BUILDDIR = build
MESON_ARGS =
TEST_DIRS = build $(ASAN_DIR)
endif
RUN_ARGS =
VM_ARGS =
# make eval's plots need Debian's matplotlib, installed for Debian's python3
# (another python3 first on PATH, e.g. pyenv's, would not see it).
EVAL_PYTHON = $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)

.PHONY: all bootstrap asan vm-image test perf run eval vm-test install uninstall clean

all: bootstrap
	ninja -C $(BUILDDIR)

bootstrap:
	@bash buildtools/bootstrap.sh $(BUILDDIR) $(MESON_ARGS)

# The sanitizer build make test runs the suite in as well.
asan:
	@bash buildtools/bootstrap.sh $(ASAN_DIR) $(ASAN_MESON_ARGS)
	ninja -C $(ASAN_DIR)

# Runs suite $(1) in each build dir of $(3), then prints the summary over
# all of them as the last line; fails if any run or the summary does (a
# test of test/expected-tests.txt that did not run counts as failed).
define run_suite
	@rc=0; for d in $(3); do \
		echo "make: $(1) in $$d"; \
		rm -f $$d/meson-logs/testlog.json; \
		meson test -C $$d --suite $(1) --print-errorlogs --num-processes $(2) || rc=$$?; \
	done; \
	python3 buildtools/test-summary.py --suite $(1) $(3) || rc=1; \
	exit $$rc
endef

# The guest image of the VM smoke and ladder (perf-tests, make vm-test),
# built from build/ (cached); prints why not when QEMU cannot run here.
vm-image: all
	python3 usertools/qosdt-vm.py --build build --image-only

# bootstrap.sh installs tshark when asked to (test/dpdk_tools.py decodes a
# capture with it).
test: export QOSDT_WITH_TSHARK = 1
test: all $(if $(filter $(ASAN_DIR),$(BUILDDIR)),,asan)
	$(call run_suite,fast-tests,2,$(TEST_DIRS))

# bootstrap.sh installs clang (and its libFuzzer runtime) when asked to.
perf: export QOSDT_WITH_CLANG = 1
perf: export QOSDT_WITH_VM = 1
perf: all vm-image
	$(call run_suite,perf-tests,1,$(BUILDDIR))

run: all
	python3 usertools/qosdt-run.py --build $(BUILDDIR) $(RUN_ARGS)

# bootstrap.sh installs python3-matplotlib, and iproute2, sockperf and
# iperf3 for the kernel baseline, when asked to.
eval: export QOSDT_WITH_PLOTS = 1
eval: export QOSDT_WITH_NETBENCH = 1
eval: export QOSDT_EVAL_COMMAND = make eval$(if $(QUICK), QUICK=$(QUICK))
eval: all
	$(EVAL_PYTHON) usertools/qosdt-eval.py --build $(BUILDDIR) $(if $(QUICK),--quick)

# A sanitizer build's driver is refused (no tool could load it).
install: all
	@python3 buildtools/pmd-install.py install $(BUILDDIR)

uninstall:
	@python3 buildtools/pmd-install.py uninstall

vm-test: export QOSDT_WITH_VM = 1
vm-test: all
	python3 usertools/qosdt-vm.py --build $(BUILDDIR) $(VM_ARGS)

# build/ also holds driver-sdk/, which is kept; build-*/ dirs go whole.
clean:
	@if [ "$(BUILDDIR)" = build ]; then \
		find build -mindepth 1 -maxdepth 1 ! -name driver-sdk -exec rm -rf {} + 2>/dev/null || true; \
	fi
	rm -rf $(ASAN_DIR)
