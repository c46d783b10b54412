# Front door over CMake. Every target installs missing Debian packages first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja
# Warnings are errors where LUCOMPAT_WERROR=ON (CI sets it): a fresh
# compiler's new warning must not break a user's build.
CMAKE_GEN  += -DLUCOMPAT_WERROR=$(if $(filter ON,$(LUCOMPAT_WERROR)),ON,OFF)

# What `make run` shows: one kernel per table shape and byte order.
EXAMPLES = $(BUILD)/examples/x86_64/kernel.elf \
           $(BUILD)/examples/s390x/kernel.stripped \
           $(BUILD)/examples/arm/kernel.o \
           $(BUILD)/examples/aarch64/module.ko
# And, when the shared corpus is there, a real Linux 7.3.4 LUO kernel, its
# memfd-v3 variant and the command line a next kernel needs LUO on with.
REAL         ?= ../shared/corpus/real
REAL_KERNEL   = $(REAL)/x86_64-bzImage-xz-7.3.4
REAL_CMDLINE  = 'console=ttyS0 liveupdate=on'

.PHONY: all deps configure build run-build run test e2e-systemd asan tsan fuzz tidy format bench bench-fleet install clean

all: build

deps:
	@scripts/install-deps

configure: deps
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# What `make run` runs and nothing more: the tests, the layering check, the
# benchmarks and the man pages wait for `make build` or `make test`.
run-build: configure
	cmake --build $(BUILD) -j $(JOBS) --target lucompat examples

# inspect the examples, then check one update that is safe and one that must
# be refused (check exits 1 for it: that is the point). The same for the real
# kernels: asis to asis is safe, asis to memfd-v3 loses every session.
run: run-build
	$(BUILD)/lucompat inspect $(EXAMPLES)
	$(BUILD)/lucompat check --current $(BUILD)/examples/x86_64/kernel-old.elf \
	    --next $(BUILD)/examples/x86_64/kernel.elf
	$(BUILD)/lucompat check --current $(BUILD)/examples/x86_64/kernel.elf \
	    --next $(BUILD)/examples/x86_64/kernel-break.elf; test $$? -eq 1
ifneq ($(wildcard $(REAL)/MANIFEST.tsv),)
	$(BUILD)/lucompat inspect $(REAL_KERNEL)-asis
	$(BUILD)/lucompat check --current $(REAL_KERNEL)-asis --next $(REAL_KERNEL)-asis \
	    --next-cmdline $(REAL_CMDLINE)
	$(BUILD)/lucompat check --current $(REAL_KERNEL)-asis --next $(REAL_KERNEL)-memfd-v3 \
	    --next-cmdline $(REAL_CMDLINE); test $$? -eq 1
else
	@echo "$(REAL) is absent: the real 7.3.4 kernels are not shown"
endif

# e2e.systemd boots Debian sid's systemd from a root file system made once
# with mmdebstrap (scripts/build-sid-rootfs) and kept in the build tree;
# without a network it cannot be made, and that test alone is skipped.
# LUCOMPAT_SYSTEMD_E2E=require (CI sets it) makes that failure fatal.
SID_ROOTFS = $(BUILD)/e2e-systemd/sid.tar
test: build
	@scripts/build-sid-rootfs $(SID_ROOTFS) || { \
	    test "$(LUCOMPAT_SYSTEMD_E2E)" != require || exit 1; \
	    echo "warning: no sid root file system ($(SID_ROOTFS)): e2e.systemd is skipped" >&2; }
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# That test alone, where the root file system must be made.
e2e-systemd: build
	scripts/build-sid-rootfs $(SID_ROOTFS)
	ctest --test-dir $(BUILD) --output-on-failure -R '^e2e[.]systemd$$'

# clang-tidy's bugprone and performance checks over src/ (.clang-tidy), and
# the sources as clang-format writes them (.clang-format; make format fixes).
# It reads each source's own compile command: from a tree configured
# without the unity build (configured only; nothing is compiled).
TIDY_BUILD ?= build-tidy
tidy: deps
	cmake -S . -B $(TIDY_BUILD) $(CMAKE_GEN) -DLUCOMPAT_UNITY_BUILD=OFF \
	    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
	scripts/tidy $(TIDY_BUILD)

format:
	scripts/check-format --fix

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer; any
# report fails the run.
asan: deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DLUCOMPAT_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

# The suite under ThreadSanitizer: the inspection pool, the decoders' shared
# memory budget, the ingest pipeline, the C API on several threads. A race
# or a lock-order inversion fails the run.
tsan: deps
	cmake -S . -B $(TSAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLUCOMPAT_TSAN=ON >/dev/null
	cmake --build $(TSAN_BUILD) -j $(JOBS)
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	ctest --test-dir $(TSAN_BUILD) --output-on-failure -j $(JOBS)

# libFuzzer targets (clang), each run for FUZZ_SECONDS; see docs/reliability.md.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DLUCOMPAT_FUZZ=ON -DLUCOMPAT_TESTS=OFF -DLUCOMPAT_EXAMPLES=OFF >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	scripts/run-fuzzers $(FUZZ_BUILD) $(FUZZ_SECONDS)

# Benchmarks are not tests: they measure, and write docs/performance.md.
# Needs ../shared/corpus; the module tree fetches Debian's kernel package
# once (apt-get download) and keeps it in $(BUILD)/bench-cache. Minutes.
# BENCH_KERNELS: more real kernels for bench/real_kernels.py (Debian's 7.3.4
# ones, which no package source here carries).
BENCH_KERNELS ?=
bench: build
	python3 bench/micro_bench.py --binary $(BUILD)/bench/micro/lucompat_micro_bench
	python3 bench/inspect_corpus.py --lucompat $(BUILD)/lucompat
	python3 bench/real_kernels.py --lucompat $(BUILD)/lucompat $(foreach k,$(BENCH_KERNELS),--kernel $(k))
	python3 bench/module_tree.py --lucompat $(BUILD)/lucompat --cache $(BUILD)/bench-cache

# A million-host fleet on SQLite and PostgreSQL: minutes, and 1 GB of disk.
bench-fleet: build
	python3 bench/fleet_scale.py --lucompat $(BUILD)/lucompat

# make install PREFIX=/usr/local (DESTDIR is honoured too).
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
