# The README's two commands. Each target installs what it needs from Debian's
# packages first, so a fresh Debian 12 machine (or CI's clean clone) needs nothing else.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
HOST ?= 0.0.0.0
PORT ?= 3550
DATA_DIR ?= ./chatapp-data
PACKAGES_DIR := $(BUILD_DIR)/packages
SANITIZE_DIR ?= build-sanitize
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_TEST_SECONDS ?= 55

.PHONY: all deps build run test test-cluster test-sanitize fuzz-build fuzz test-fuzz package test-package \
	screenshots bench bench-quick clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/chatapp --serve $(HOST) $(PORT) --data-dir $(DATA_DIR)

# GUI tests run offscreen; the ones that need a real X server start their own Xvfb.
# The cluster test runs after the others, alone (it is also the only one of label cluster).
test: build
	cd $(BUILD_DIR) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 300 -j $(JOBS) -LE cluster
	$(MAKE) test-cluster
	$(MAKE) test-sanitize
	$(MAKE) test-fuzz
	$(MAKE) test-package

# Three chatapp nodes on one throwaway PostgreSQL behind nginx, under about 1,500 keyed
# sends a second, with a node killed and restarted, its listener ended and a node frozen:
# nothing answered is lost or doubled, every room is gapless and the same on every node
# (tests/cluster/test_cluster.py). As root it installs PostgreSQL and nginx if missing.
test-cluster: build
	cd $(BUILD_DIR) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 300 -L cluster

# The unit and integration suites again, on a build with AddressSanitizer and
# UndefinedBehaviorSanitizer: a memory error or undefined behaviour in the server
# aborts it, and the test that drove it fails. Leak checking is off: Qt's
# process-lifetime allocations would drown real findings.
test-sanitize: deps
	cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Sanitize \
		-DCMAKE_CXX_FLAGS_SANITIZE="-O1 -g1" -DCHATAPP_SANITIZE=ON
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	cd $(SANITIZE_DIR) && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 QT_QPA_PLATFORM=offscreen \
		ctest --output-on-failure --timeout 300 -j $(JOBS) -L "unit|integration"

# libFuzzer over request decoding (tests/fuzz, DEVELOPERS.md): its own clang build in
# $(FUZZ_DIR), apart from the g++ tree. New corpus entries go to $(FUZZ_DIR)/corpus, not
# into git; an input that fails is written to $(FUZZ_DIR)/crash-* (or leak-, timeout-).
# Inputs are capped at 8 KiB, room for a text past its 4,000-character limit. A small ASan
# quarantine keeps a run to a few hundred MB, where the default grows past 1 GB.
FUZZ_RUN = ASAN_OPTIONS=quarantine_size_mb=64 UBSAN_OPTIONS=print_stacktrace=1 \
	$(FUZZ_DIR)/fuzz_requests -artifact_prefix=$(FUZZ_DIR)/ -timeout=10
FUZZ_SEARCH = $(FUZZ_RUN) -max_len=8192 -dict=tests/fuzz/requests.dict -print_final_stats=1
FUZZ_CORPORA = $(FUZZ_DIR)/corpus tests/fuzz/corpus tests/fuzz/regressions
FUZZ_FAILED = { echo "fuzz_requests failed on the input named above: fix the code it \
points at and keep the input in tests/fuzz/regressions/ (DEVELOPERS.md, Fuzzing)"; exit 1; }

fuzz-build: deps
	CC=clang CXX=clang++ cmake -S tests/fuzz -B $(FUZZ_DIR) -G Ninja
	cmake --build $(FUZZ_DIR) -j $(JOBS)

# Every committed input once, whole, then a short search from them.
test-fuzz: fuzz-build
	$(FUZZ_RUN) tests/fuzz/regressions/* tests/fuzz/corpus/* || $(FUZZ_FAILED)
	mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_SEARCH) -max_total_time=$(FUZZ_TEST_SECONDS) $(FUZZ_CORPORA) || $(FUZZ_FAILED)

fuzz: fuzz-build
	mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_SEARCH) -max_total_time=$(FUZZ_SECONDS) $(FUZZ_CORPORA) || $(FUZZ_FAILED)

# What a user installs, into $(PACKAGES_DIR): the Debian 12 .deb (CPack), the Debian 13
# .deb (built in a trixie root), and the AppImage with our own runtime (packaging/README.md).
package: build
	@bash packaging/install-deps.sh
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR) -j $(JOBS)
	rm -rf $(PACKAGES_DIR)
	cd $(BUILD_DIR) && cpack -G DEB
	bash packaging/deb/build-deb-in-root.sh trixie $(PACKAGES_DIR)
	bash packaging/appimage/build-appimage.sh $(BUILD_DIR) $(PACKAGES_DIR)

# The packages as files, then installed and run in clean Debian 11, 12 and 13 roots
# (debootstrap, cached in /var/cache/chatapp-package-test); screenshots and logs in
# $(BUILD_DIR)/package-test. See packaging/README.md.
test-package: package
	bash tests/package/run.sh $(PACKAGES_DIR) $(BUILD_DIR)/package-test \
		$(BUILD_DIR)/appimage-runtime/runtime-x86_64

# ChatApp against nginx's nchan and the bare QHttpServer ceiling; see docs/benchmarks.md.
# Not part of `make test` (only a small smoke run of chatapp-bench is).
bench: build
	@bash scripts/install-bench-deps.sh
	python3 bench/run.py

bench-quick: build
	@bash scripts/install-bench-deps.sh
	python3 bench/run.py --quick

# The README's pictures of the window, taken by the GUI tests from real windows.
screenshots: build
	cd $(BUILD_DIR) && CHATAPP_SCREENSHOT_DIR=$(CURDIR)/docs QT_QPA_PLATFORM=offscreen \
		./tests/gui_tst_chatwindow screenshot
	cd $(BUILD_DIR) && CHATAPP_SCREENSHOT_DIR=$(CURDIR)/docs QT_QPA_PLATFORM=offscreen \
		./tests/gui_tst_spanish screenshot

clean:
	rm -rf $(BUILD_DIR)
