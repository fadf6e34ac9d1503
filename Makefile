# steady: the front door. CMake does the work (CMakeLists.txt, CMakePresets.json); this file
# installs missing Debian packages, then configures, builds and tests with the right settings.
#
#   make                 same as make build
#   make build           Release build in build/release (WERROR=ON for -Werror; tests if cmocka
#                        is installed, or BUILD_TESTS=ON/OFF)
#   make test            deps-test + build + ctest (build/release)
#   make demo            deps-demo + build + run lesson 01 (DEMO_ARGS=...), about 10 s, lesson 02A
#                        with --chaos (DEMO2A_ARGS=...), about 1 s, then lesson 02B
#                        (DEMO2_ARGS=...), about 30 s, then the line server with its clients (4 s),
#                        each lesson with its live dashboard (the URL is
#                        printed: http://127.0.0.1:9900/ unless that port is busy); one line per
#                        build step, the whole CMake log in build/demo.log (shown when a step
#                        fails)
#   make demo-distributed  deps + build + lesson 03: two pods (two processes) joined over
#                        shared memory, then over NATS JetStream (a nats-server the runner
#                        starts on a free port), each with the subscriber SIGKILLed 3 times,
#                        then over a JetStream cluster of three, then over MQTT (mosquitto);
#                        each serves both pods on one joined page while it runs (its URL
#                        printed) and ends with the totals compared
#                        (DEMO3_ARGS=..., e.g. --rate 50 --beats 100)
#   make install         build the libraries (build/release), then install headers, libraries,
#                        steady.pc and the CMake package into PREFIX (/usr/local), under DESTDIR
#                        when set (staging); docs/BUILDING.md says how to use a custom prefix
#   make install-files   the install step alone, from an existing build/release
#   make asan | tsan     sanitizer builds (build/asan, build/tsan), ctest under setarch -R
#   make ucontext        the ucontext fiber backend (build/ucontext) + ctest
#   make fuzz            the libFuzzer targets (clang, ASan+UBSan, build/fuzz), 20 s each from
#                        the corpus in tests/fuzz/corpus (ctest -L fuzz)
#   make deps-test       install the Debian packages the tests need (root), or print the command
#   make deps-demo       the same for the demo
#   make format-check    clang-format --dry-run -Werror over the C sources
#   make format          clang-format -i over the same files
#   make clean           remove build/
#
# Variables: JOBS (2), WERROR (OFF), BUILD_TESTS (auto|ON|OFF), CTEST_ARGS (e.g. -L unit),
#            DEMO_ARGS, PREFIX (/usr/local), DESTDIR (empty).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# cmake --build runs make too; keep its output free of "Entering directory" lines.
MAKEFLAGS += --no-print-directory
.DEFAULT_GOAL := build

CMAKE ?= cmake
CTEST ?= ctest
CLANG_FORMAT ?= clang-format
JOBS ?= 2
WERROR ?= OFF
BUILD_TESTS ?= auto
CTEST_ARGS ?=
DEMO_ARGS ?=
DEMO3_ARGS ?= --rate 50 --beats 100
DEMO3_RUN := examples/lesson-03-distributed/run

RELEASE_DIR := build/release
DEMO_BIN := $(RELEASE_DIR)/examples/lesson-01-standard
DEMO2_BIN := $(RELEASE_DIR)/examples/lesson-02b-performant
DEMO2_ARGS ?= --rate 2 --beats 15000
DEMO2A_BIN := $(RELEASE_DIR)/examples/lesson-02a-robust
DEMO2A_ARGS ?= --chaos
LINESRV_BIN := $(RELEASE_DIR)/examples/line-server
DEMO_LOG := build/demo.log
PREFIX ?= /usr/local
DESTDIR ?=
comma := ,

# Debian packages. libclang-rt-14-dev: clang's ASan/TSan runtimes; util-linux: setarch;
# zlib1g-dev: the library's CRC-32 (durable state files); libmicrohttpd-dev: libsteady-telemetry's
# HTTP server; graphviz (dot) and prometheus (promtool) check what telemetry serves; chromium
# and nodejs/npm run the dashboard's browser test (playwright-core from npm, web/package.json);
# openssl makes the TLS test's certificate; curl is the tests' second client; libnats-dev is
# libsteady-bridge's NATS client and nats-server the server its tests start on 127.0.0.1;
# libmosquitto-dev its MQTT client and mosquitto the broker (mosquitto_passwd: its passwords).
# steady-new (tools/new) is C++17 on libtomlplusplus-dev and libkainjow-mustache-dev, merging
# with diffutils' diff3.
TEST_DEBS := build-essential gcc clang cmake make pkg-config libcmocka-dev libclang-rt-14-dev \
             util-linux zlib1g-dev libmicrohttpd-dev graphviz prometheus chromium openssl \
             curl python3 libcurl4-openssl-dev libjansson-dev libnats-dev nats-server \
             libmosquitto-dev mosquitto g++ libtomlplusplus-dev libkainjow-mustache-dev diffutils \
             libgraphviz-dev
DEMO_DEBS := gcc make cmake pkg-config zlib1g-dev libmicrohttpd-dev python3
# Lesson 03's bridges: the NATS and MQTT client libraries and the servers the runner starts.
DEMO3_DEBS := $(DEMO_DEBS) libnats-dev nats-server libmosquitto-dev mosquitto

FORMAT_DIRS := include src tests examples bench tools

# $(call ensure_debs,<packages>): install the missing ones (root), or print how and fail.
define ensure_debs
	@if ! command -v dpkg-query >/dev/null 2>&1; then \
	    echo "deps: no dpkg-query (not Debian?); make sure these are installed: $(strip $(1))"; \
	    exit 0; \
	fi; \
	missing=""; \
	for p in $(1); do \
	    case "$$(dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null || true)" in \
	    *" installed") ;; \
	    *) missing="$$missing $$p" ;; \
	    esac; \
	done; \
	if [ -z "$$missing" ]; then \
	    echo "deps: installed: $(strip $(1))"; \
	    exit 0; \
	fi; \
	echo "deps: missing:$$missing"; \
	if [ "$$(id -u)" -eq 0 ]; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update; \
	    apt-get install -y --no-install-recommends $$missing; \
	else \
	    echo "deps: not root; run this, then make $@ again:"; \
	    echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends$$missing"; \
	    exit 1; \
	fi
endef

# $(call configure_release_sh,<ON|OFF|auto>): the shell commands that configure build/release.
configure_release_sh = tests="$(1)"; \
	if [ "$$tests" = auto ]; then \
	    if pkg-config --exists cmocka 2>/dev/null; then tests=ON; \
	    else tests=OFF; echo "note: cmocka not installed, configuring without tests (make deps-test)"; fi; \
	fi; \
	set -x; \
	$(CMAKE) --preset release -DSTEADY_WERROR=$(WERROR) -DSTEADY_BUILD_TESTS=$$tests

# $(call configure_release,<ON|OFF|auto>)
define configure_release
	@$(call configure_release_sh,$(1))
endef

# $(call quiet_step,<what>,<shell commands>): prints "-- <what>", appends the commands' output to
# $(DEMO_LOG); on failure prints the log's last lines and names the file.
quiet_step = echo "-- $(1)"; \
	if ! ( $(2) ) >>$(DEMO_LOG) 2>&1; then \
	    echo "-- that failed; the last lines of $(DEMO_LOG), which holds the whole log:"; \
	    tail -n 30 $(DEMO_LOG) | sed 's/^/   /'; \
	    exit 1; \
	fi

# $(call preset_run,<preset>,<command prefix for ctest>)
define preset_run
	$(CMAKE) --preset $(1) -DSTEADY_BUILD_TESTS=ON
	$(CMAKE) --build build/$(1) -j $(JOBS)
	$(2) $(CTEST) --test-dir build/$(1) --output-on-failure -j $(JOBS) $(CTEST_ARGS)
endef

# Sanitizers fail to start with a high vm.mmap_rnd_bits; no randomisation avoids it (DESIGN.md).
NO_ASLR = setarch "$$(uname -m)" -R

.PHONY: build test demo demo-distributed install install-files asan tsan ucontext fuzz deps-test deps-demo \
        format-check format clean help print-test-debs

build:
	$(call configure_release,$(BUILD_TESTS))
	$(CMAKE) --build $(RELEASE_DIR) -j $(JOBS)

test: deps-test
	$(call configure_release,ON)
	$(CMAKE) --build $(RELEASE_DIR) -j $(JOBS)
	$(CTEST) --test-dir $(RELEASE_DIR) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

demo: deps-demo
	@mkdir -p build && : >$(DEMO_LOG)
	@$(call quiet_step,configuring $(RELEASE_DIR) (Release)…,$(call configure_release_sh,$(BUILD_TESTS)))
	@$(call quiet_step,building lessons 01$(comma) 02A and 02B…,$(CMAKE) --build $(RELEASE_DIR) \
	    -j $(JOBS) --target lesson-01-standard lesson-02a-robust lesson-02b-performant \
	    line-server)
	@echo "== the lessons serve their live dashboard: open the 'Telemetry on' URL each prints"
	@echo "   (http://127.0.0.1:9900/ unless that port is busy; --no-telemetry turns it off)"
	@echo "== lesson 01 standard: heartbeat + generator -> worker -> logger (~10 s)"
	./$(DEMO_BIN) $(DEMO_ARGS)
	@echo "== lesson 02A robust: the same pipeline failing on purpose; nothing is lost (~1 s)"
	./$(DEMO2A_BIN) $(DEMO2A_ARGS)
	@echo "== lesson 02B performant: the same pipeline at full speed (~30 s): watch it live"
	./$(DEMO2_BIN) $(DEMO2_ARGS)
	@echo "== line server: a TCP echo server on 127.0.0.1 (acceptor + 4 connection actors waiting"
	@echo "   on their sockets with STEADY_FD), 364 clients at once for a few seconds"
	@./$(LINESRV_BIN) --port 0 --seconds 4 >build/line-server.out & srv=$$!; \
	    for i in 1 2 3 4 5 6 7 8 9 10; do grep -q listening build/line-server.out && break; \
	    sleep 0.2; done; head -1 build/line-server.out; \
	    port=$$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' build/line-server.out | head -1); \
	    python3 examples/line-server/client.py --port $$port; status=$$?; \
	    wait $$srv || status=1; tail -1 build/line-server.out; exit $$status

demo-distributed:
	$(call ensure_debs,$(DEMO3_DEBS))
	@mkdir -p build && : >$(DEMO_LOG)
	@$(call quiet_step,configuring $(RELEASE_DIR) (Release)…,$(call configure_release_sh,$(BUILD_TESTS)))
	@$(call quiet_step,building lesson 03's two pods…,$(CMAKE) --build $(RELEASE_DIR) \
	    -j $(JOBS) --target lesson-03-publish lesson-03-subscribe)
	@echo "== lesson 03 over shared memory: two processes, one channel in /dev/shm; the"
	@echo "   subscriber is SIGKILLed 3 times and started again from its saved state"
	$(DEMO3_RUN) --transport shm --kill-subscriber 3 $(DEMO3_ARGS)
	@echo "== lesson 03 over NATS JetStream; the subscriber is SIGKILLed 3 times and started"
	@echo "   again from its saved state: the totals stay exact"
	$(DEMO3_RUN) --transport nats-js --kill-subscriber 3 $(DEMO3_ARGS)
	@echo "== lesson 03 over a JetStream cluster of three servers (the stream in 3 replicas)"
	$(DEMO3_RUN) --transport nats-js --cluster $(DEMO3_ARGS)
	@echo "== lesson 03 over MQTT (mosquitto), QoS 1 into the subscriber's persistent session"
	$(DEMO3_RUN) --transport mqtt $(DEMO3_ARGS)

# PREFIX and DESTDIR must be absolute (cmake --install would take a relative one from the
# build directory).
install:
	$(call configure_release,$(BUILD_TESTS))
	$(CMAKE) --build $(RELEASE_DIR) -j $(JOBS)
	@$(MAKE) install-files

install-files:
	@case "$(PREFIX)" in /*) ;; *) echo "make install: PREFIX must be an absolute path" \
	    "(got '$(PREFIX)'); e.g. PREFIX=$$HOME/.local"; exit 2 ;; esac
	@case "$(DESTDIR)" in ""|/*) ;; *) echo "make install: DESTDIR must be empty or an" \
	    "absolute path (got '$(DESTDIR)')"; exit 2 ;; esac
	@if [ ! -f $(RELEASE_DIR)/cmake_install.cmake ]; then \
	    echo "make install-files: $(RELEASE_DIR) is not configured; run make install"; exit 2; fi
	DESTDIR="$(DESTDIR)" $(CMAKE) --install $(RELEASE_DIR) --prefix "$(PREFIX)"
	@libdir="$$(sed -n 's/^CMAKE_INSTALL_LIBDIR:[A-Z]*=//p' $(RELEASE_DIR)/CMakeCache.txt)"; \
	case "$$libdir" in /*) ;; *) libdir="$(PREFIX)/$$libdir" ;; esac; \
	version="$$(sed -n 's/^CMAKE_PROJECT_VERSION:[A-Z]*=//p' $(RELEASE_DIR)/CMakeCache.txt)"; \
	echo "-- installed steady $$version into $(DESTDIR)$(PREFIX) (libraries in $$libdir)"; \
	echo "-- use it: PKG_CONFIG_PATH=$$libdir/pkgconfig for pkg-config," \
	    "-DCMAKE_PREFIX_PATH=$(PREFIX) for CMake, -Wl,-rpath,$$libdir at link time" \
	    "(docs/BUILDING.md)"

asan: deps-test
	$(call preset_run,asan,$(NO_ASLR))

tsan: deps-test
	$(call preset_run,tsan,$(NO_ASLR))

ucontext: deps-test
	$(call preset_run,ucontext,)

# Only the fuzz targets and what they link are built: the rest is covered by make asan.
fuzz: deps-test
	$(CMAKE) --preset fuzz -DSTEADY_BUILD_TESTS=ON
	$(CMAKE) --build build/fuzz -j $(JOBS) --target fuzz_frame fuzz_uri fuzz_toml fuzz_dot
	$(NO_ASLR) $(CTEST) --test-dir build/fuzz --output-on-failure -j $(JOBS) -L fuzz

deps-test:
	$(call ensure_debs,$(TEST_DEBS))

deps-demo:
	$(call ensure_debs,$(DEMO_DEBS))

print-test-debs:
	@echo $(TEST_DEBS)

# Top-level *.c / *.h too. Sources under build/ and node_modules/ are never looked at.
FORMAT_FILES = $(sort $(if $(wildcard $(FORMAT_DIRS)),$(shell find $(wildcard $(FORMAT_DIRS)) \
	-type f \( -name '*.c' -o -name '*.h' \) -not -path '*/node_modules/*')) $(wildcard *.c *.h))

format-check:
	@if [ -z "$(strip $(FORMAT_FILES))" ]; then echo "format-check: no C files"; exit 0; fi; \
	echo "format-check: $(words $(FORMAT_FILES)) files"; \
	$(CLANG_FORMAT) --dry-run -Werror $(FORMAT_FILES)

format:
	@if [ -n "$(strip $(FORMAT_FILES))" ]; then $(CLANG_FORMAT) -i $(FORMAT_FILES); fi

clean:
	rm -rf build

help:
	@sed -n '1,/^$$/p' $(firstword $(MAKEFILE_LIST)) | sed 's/^# \{0,1\}//'

# ---------------------------------------------------------------------------------------------
# Benchmarks (bench/README.md)
#
#   make bench           deps-bench + Release build in build/release with -DSTEADY_BUILD_BENCH=ON
#                        + bench/driver.py: shuffled interleaved rounds, a table per placement
#                        (BENCH_ROUNDS=12, BENCH_SCALE=1; results in build/bench/)
#                        BENCH_NATIVE=1 also builds build/release-native (-DSTEADY_NATIVE=ON,
#                        -march=native) and runs every throughput config from both builds
#   make bench-gate      callgrind instructions per message vs bench/gate.conf (deterministic;
#                        what CI may gate on); exits non-zero above a threshold
#   make deps-bench      install the peers' Debian packages (root); otherwise print the command
#                        and go on without the missing peers (they are optional)
# ---------------------------------------------------------------------------------------------
# bench-deps: lesson 02B's FizzBuzz pipeline in Rust over crossbeam-channel and in Go, both from
# Debian's archive only: Debian's rustc and cargo build the crossbeam peer offline against the
# crates librust-crossbeam-channel-dev installs in /usr/share/cargo/registry (no crates.io, no
# rustup), and golang-go builds the Go peer (standard library only). Installed by `make bench`
# (deps-bench) with the other peers in BENCH_DEBS; never in TEST_DEBS (CI runs no benchmarks).
BENCH_PEER_DEBS := golang-go rustc cargo librust-crossbeam-channel-dev
BENCH_DEBS := g++ pkg-config python3 valgrind libck-dev libboost-dev libzmq3-dev libcaf-dev \
              libnats-dev nats-server libmosquitto-dev mosquitto \
              iceoryx libiceoryx-binding-c-dev \
              $(BENCH_PEER_DEBS)
BENCH_ROUNDS ?=
BENCH_ARGS ?=
BENCH_NATIVE ?=
NATIVE_DIR := build/release-native

.PHONY: bench bench-gate deps-bench

deps-bench:
	@missing=""; \
	for p in $(BENCH_DEBS); do \
	    case "$$(dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null || true)" in \
	    *" installed") ;; \
	    *) missing="$$missing $$p" ;; \
	    esac; \
	done; \
	if [ -z "$$missing" ]; then echo "deps-bench: installed: $(BENCH_DEBS)"; exit 0; fi; \
	echo "deps-bench: missing:$$missing"; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	    echo "deps-bench: no apt-get; install the equivalents of:$$missing"; exit 0; \
	fi; \
	if [ "$$(id -u)" -eq 0 ]; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update && apt-get install -y --no-install-recommends $$missing; \
	else \
	    echo "deps-bench: not root; to compare with every peer run:"; \
	    echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends$$missing"; \
	    echo "deps-bench: going on without them (missing peers are skipped)"; \
	fi

# Configured by the same rule as `make build`, then with the benchmarks switched on.
bench: deps-bench
	$(call configure_release,$(BUILD_TESTS))
	$(CMAKE) -S . -B $(RELEASE_DIR) -DSTEADY_BUILD_BENCH=ON
	$(CMAKE) --build $(RELEASE_DIR) -j $(JOBS) --target bench_all
	$(if $(filter 1 ON yes,$(BENCH_NATIVE)),$(CMAKE) -S . -B $(NATIVE_DIR) \
	    -DCMAKE_BUILD_TYPE=Release -DSTEADY_NATIVE=ON -DSTEADY_BUILD_BENCH=ON \
	    -DSTEADY_BUILD_TESTS=OFF -DSTEADY_BUILD_EXAMPLES=OFF)
	$(if $(filter 1 ON yes,$(BENCH_NATIVE)),$(CMAKE) --build $(NATIVE_DIR) -j $(JOBS) \
	    --target bench_all)
	python3 bench/driver.py --build $(RELEASE_DIR)/bench \
	    $(if $(filter 1 ON yes,$(BENCH_NATIVE)),--native-build $(NATIVE_DIR)/bench) \
	    $(if $(BENCH_ROUNDS),--rounds $(BENCH_ROUNDS)) $(BENCH_ARGS)

bench-gate:
	$(call ensure_debs,valgrind python3 libmicrohttpd-dev)
	$(call configure_release,$(BUILD_TESTS))
	$(CMAKE) -S . -B $(RELEASE_DIR) -DSTEADY_BUILD_BENCH=ON
	$(CMAKE) --build $(RELEASE_DIR) -j $(JOBS) --target icount tm_frame
	python3 bench/gate.py --build $(RELEASE_DIR)/bench

# make chaos: steady-chaos (tools/chaos/README.md) at full size: 10,000 injected failures over
# 10^8 messages with the transactional commit (0 lost, 0 duplicated, 0 reordered), then the
# same with separate send and take (0 lost, 0 < duplicated <= failures). Then the ISOLATED
# placement (troupe "ab" and stage-c in child processes): 100 children killed by SIGKILL or a
# real SIGSEGV over 10^7 messages, and 1,000 failures of every kind, native deaths among them
# (both 0 lost, 0 duplicated, 0 reordered). A few seconds each.
.PHONY: chaos
chaos:
	$(call configure_release,$(BUILD_TESTS))
	$(CMAKE) --build $(RELEASE_DIR) -j $(JOBS) --target steady-chaos
	./$(RELEASE_DIR)/tools/steady-chaos --messages 100000000 --failures 10000 --commit transactional
	./$(RELEASE_DIR)/tools/steady-chaos --messages 100000000 --failures 10000 --commit separate \
	    --expect-duplicates
	./$(RELEASE_DIR)/tools/steady-chaos --isolated --messages 10000000 --failures 100 \
	    --hows sigkill,sigsegv
	./$(RELEASE_DIR)/tools/steady-chaos --isolated --messages 10000000 --failures 1000 --hows all
