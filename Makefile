# SPDX-License-Identifier: BSD-3-Clause
#
# Thin wrapper around buildtools/bootstrap.sh, ninja and meson test.
#   make [all]   install what is missing, configure and build
#   make test    build, run the fast-tests suite, print "N passed, N failed"
#   make perf    build, run the perf-tests suite
#   make run     build, run usertools/qosdt-run.py: server + client, QoS vs FIFO
#                (RUN_ARGS=... for more; the channel benchmark is in make perf)
#   make clean   remove the build dir (the fetched driver SDK is kept)
# SANITIZE=1 uses build dir build-asan with ASan+UBSan.

ifeq ($(SANITIZE),1)
BUILDDIR = build-asan
MESON_ARGS = -Db_sanitize=address,undefined -Db_lundef=false
# Undefined behaviour fails the test that hits it (DPDK's own, listed in
# the suppressions file, excepted).
export UBSAN_OPTIONS = halt_on_error=1:print_stacktrace=1:suppressions=$(CURDIR)/buildtools/ubsan.supp
else
BUILDDIR = build
MESON_ARGS =
endif
RUN_ARGS =

.PHONY: all bootstrap test perf run clean

all: bootstrap
	ninja -C $(BUILDDIR)

bootstrap:
	@bash buildtools/bootstrap.sh $(BUILDDIR) $(MESON_ARGS)

# Runs the suite, then prints the summary as the last line; fails if either does.
define run_suite
	@rm -f $(BUILDDIR)/meson-logs/testlog.json; rc=0; \
	meson test -C $(BUILDDIR) --suite $(1) --print-errorlogs --num-processes $(2) || rc=$$?; \
	python3 buildtools/test-summary.py $(BUILDDIR) || rc=1; \
	exit $$rc
endef

test: all
	$(call run_suite,fast-tests,2)

perf: all
	$(call run_suite,perf-tests,1)

run: all
	python3 usertools/qosdt-run.py --build $(BUILDDIR) $(RUN_ARGS)

# build/ also holds driver-sdk/, which is kept; build-*/ dirs go whole.
clean:
	@if [ "$(BUILDDIR)" = build ]; then \
		find build -mindepth 1 -maxdepth 1 ! -name driver-sdk -exec rm -rf {} + 2>/dev/null || true; \
	else \
		rm -rf $(BUILDDIR); \
	fi
