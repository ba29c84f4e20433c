# The README's two commands. Each target installs what it needs from Debian's
# packages first, so a fresh Debian 12 machine (or CI's clean clone) needs nothing else.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
HOST ?= 0.0.0.0
PORT ?= 3550
DATA_DIR ?= ./chatapp-data
PACKAGES_DIR := $(BUILD_DIR)/packages
SANITIZE_DIR ?= build-sanitize

.PHONY: all deps build run test test-sanitize package test-package screenshots bench bench-quick clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/chatapp --serve $(HOST) $(PORT) --data-dir $(DATA_DIR)

# GUI tests run offscreen; the ones that need a real X server start their own Xvfb.
test: build
	cd $(BUILD_DIR) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 300 -j $(JOBS)
	$(MAKE) test-sanitize
	$(MAKE) test-package

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

# What a user installs, into $(PACKAGES_DIR): the .deb (CPack), and the AppImage's AppDir,
# its tarball and squashfs payload (and the AppImage, given a runtime: packaging/README.md).
package: build
	@bash packaging/install-deps.sh
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR) -j $(JOBS)
	rm -rf $(PACKAGES_DIR)
	cd $(BUILD_DIR) && cpack -G DEB
	bash packaging/appimage/build-appimage.sh $(BUILD_DIR) $(PACKAGES_DIR)

# The packages installed and run in a clean Debian 12 root (debootstrap, cached in
# /var/cache/chatapp-package-test); screenshots and logs in $(BUILD_DIR)/package-test.
test-package: package
	bash tests/package/run.sh $(PACKAGES_DIR) $(BUILD_DIR)/package-test

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
