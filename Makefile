# Lanyard: the two set-up commands are `make demo` and `make test` (see README.md).
SWIFT ?= swift
VENV := .venv
PYTHON := $(VENV)/bin/python
# Debian packages the build, the renderer and the tests need (umockdev and its Python bindings
# emulate a USB printer for the USB transport tests; nginx serves a registry repository as a
# plain web server would; openssl signs the kiosk reports of the registry fuzz proof; Chromium and
# its driver run the kiosk page's browser proof; qpdf checks the structure of the badge PDFs;
# cups-ipp-utils' ippeveprinter is the IPP Everywhere printer the IPP client is tested against, and
# dbus-daemon gives it the private system bus it will not start without; PostgreSQL 15 is the
# database the registry's replicas share, started by the tests themselves on a Unix socket;
# prometheus for its promtool, which checks and unit-tests the shipped alerting rules: its server is
# installed beside it but never started by the tests).
APT_PACKAGES := pkg-config libcairo2-dev libpango1.0-dev libqrencode-dev libzint-dev libzxing-dev \
	libusb-1.0-0-dev libsqlite3-dev zlib1g-dev libdeflate-dev fontconfig fonts-noto-core fonts-noto-cjk \
	python3 python3-venv python3-pip umockdev gir1.2-umockdev-1.0 python3-gi libumockdev-dev nginx-light openssl \
	chromium chromium-driver qpdf cups-ipp-utils dbus-daemon postgresql-15 prometheus
# Independent checkers used by the test suite (decoding symbols, rendering ZPL, a reference encoder,
# fuzzing the agent's and the registry's HTTP APIs from their OpenAPI descriptions, driving the
# kiosk page in Chromium and checking it with axe-core, reading the badge PDFs for PDF/A-2b, and
# python-tuf with securesystemslib's signers as the independent TUF implementation).
PY_TOOLS := zxing-cpp==3.1.1 zplkit==0.3.2 zebrafy==2.0.0 pillow schemathesis==4.32.5 selenium==4.51.0 \
	axe-selenium-python==2.1.6 pikepdf==10.17.0 tuf==6.0.0 securesystemslib[crypto]==1.6.0
# Seconds of the load proof (50 clients against the agent; Tests/Tools/agent_load.py).
LOAD_SECONDS ?= 60

.PHONY: demo test proofs build release deps tools bench bench-rest clean deb deb-test link-order

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

tools: deps
	@if ! $(PYTHON) -c "import zxingcpp, zplkit, zebrafy, PIL, schemathesis, selenium, axe_selenium_python, pikepdf, tuf.api.metadata, cryptography" 2>/dev/null; then \
		echo "Setting up $(VENV) with the test tools"; \
		python3 -m venv $(VENV) && $(PYTHON) -m pip install -q --disable-pip-version-check $(PY_TOOLS); \
	fi

build: deps
	$(SWIFT) build

# The release executable, as the Debian package ships it: the Swift standard library and Foundation
# linked in, and every function in a section of its own, so that lld can lay each one out by
# packaging/link-order/lanyard.order (docs/packaging.md, "Code layout").
RELEASE_FLAGS := --static-swift-stdlib -Xswiftc -Xfrontend -Xswiftc -function-sections \
	-Xcc -ffunction-sections -Xcc -fdata-sections

release: deps
	$(SWIFT) build -c release --product lanyard $(RELEASE_FLAGS)

demo: release
	.build/release/lanyard demo --out out

# The emulated-USB tests run on their own under umockdev's preload library, which redirects /sys
# and /dev for the whole process; everything else runs without it.
test: deps tools
	@# The tree stays as .swift-format lays it out (swift format --in-place --recursive Sources Tests Plugins ...).
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests Plugins Benchmarks/Benchmarks Package.swift Benchmarks/Package.swift
	@# The alerting rules the package ships, and their unit tests on recorded series (docs/alerts.md).
	promtool check rules packaging/prometheus/lanyard-alerts.rules.yml
	promtool test rules packaging/prometheus/lanyard-alerts.test.yml
	$(SWIFT) build --build-tests
	LANYARD_REQUIRE_EXTERNAL_TOOLS=1 LANYARD_PYTHON=$(abspath $(PYTHON)) $(SWIFT) test --skip-build --skip USBEmulated --skip FleetSyncTests
	LANYARD_REQUIRE_USB_EMULATION=1 umockdev-wrapper $(SWIFT) test --skip-build --filter USBEmulated
	@# Six processes of their own (eight with two registry replicas on PostgreSQL): after the
	@# parallel unit tests, not beside them (no timing is asserted).
	LANYARD_REQUIRE_EXTERNAL_TOOLS=1 $(SWIFT) test --skip-build --filter FleetSyncTests
	$(MAKE) --no-print-directory proofs

# Process-level proofs against the built `lanyard` (debug build): kill -9 during a 200-badge batch,
# the agent's API fuzzed from docs/openapi.yaml and the registry server's from
# docs/registry-openapi.yaml, 50 concurrent clients for LOAD_SECONDS, a printer out of paper among
# two, two kiosks handing badges over while either is killed, and the kiosk page in Chromium
# (with the keyboard scanner, then with a fake camera showing a ticket); the operator page's alerts
# firing on a queue backed up behind a printer out of paper.
proofs: tools
	LANYARD_BIN=$(abspath .build/debug/lanyard) $(PYTHON) Tests/Tools/agent_crash.py
	LANYARD_BIN=$(abspath .build/debug/lanyard) $(PYTHON) Tests/Tools/agent_fuzz.py
	LANYARD_BIN=$(abspath .build/debug/lanyard) $(PYTHON) Tests/Tools/registry_fuzz.py
	LANYARD_BIN=$(abspath .build/debug/lanyard) $(PYTHON) Tests/Tools/agent_load.py --duration $(LOAD_SECONDS)
	LANYARD_BIN=$(abspath .build/debug/lanyard) $(PYTHON) Tests/Tools/agent_failover.py
	LANYARD_BIN=$(abspath .build/debug/lanyard) $(PYTHON) Tests/Tools/agent_peers.py
	LANYARD_BIN=$(abspath .build/debug/lanyard) $(PYTHON) Tests/Tools/kiosk_browser.py
	LANYARD_BIN=$(abspath .build/debug/lanyard) $(PYTHON) Tests/Tools/operator_browser.py
	LANYARD_BIN=$(abspath .build/debug/lanyard) $(PYTHON) Tests/Tools/operator_alerts.py
	LANYARD_BIN=$(abspath .build/debug/lanyard) $(PYTHON) Tests/Tools/technician_browser.py
	LANYARD_BIN=$(abspath .build/debug/lanyard) $(PYTHON) Tests/Tools/scan_quality_browser.py
	LANYARD_BIN=$(abspath .build/debug/lanyard) $(PYTHON) Tests/Tools/kiosk_camera.py

# In-process benchmarks (Benchmarks/, ordo-one/benchmark) checked against the targets in
# Benchmarks/Thresholds, then the process-level ones, lanyard-bench, an executable never shipped
# (docs/benchmarks.md).
bench: release tools
	python3 Benchmarks/link_order_check.py --lanyard .build/release/lanyard
	SWIFT=$(SWIFT) Benchmarks/check-thresholds.sh
	$(SWIFT) build -c release --product lanyard-bench $(RELEASE_FLAGS)
	LANYARD_PYTHON=$(abspath $(PYTHON)) .build/release/lanyard-bench
	$(PYTHON) Benchmarks/kiosk_page.py --lanyard .build/release/lanyard

# What the agent costs at rest (CPU, wake-ups, memory with the simulator, a TCP printer and registry
# sync), CPU per printed badge, and request latency beside two CPU hogs standing in for the kiosk's
# browser; exits 1 when a target is missed (docs/benchmarks.md, "The agent at rest").
bench-rest: release
	@command -v stress-ng >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stress-ng >/dev/null; }
	python3 Benchmarks/agent_at_rest.py --lanyard .build/release/lanyard

# The Debian package out/lanyard_<version>_<arch>.deb (see packaging/deb/build.sh), and a test that
# installs it on this machine (as root) and runs the installed agent's commands.
deb: deps
	@command -v dpkg-shlibdeps >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpkg-dev >/dev/null; }
	SWIFT=$(SWIFT) packaging/deb/build.sh

deb-test: deb
	Tests/Tools/test_deb.sh out/lanyard_$$(.build/release/lanyard --version)_$$(dpkg --print-architecture).deb

# Regenerates packaging/link-order/lanyard.order from a profile of the release agent (callgrind).
link-order: release
	@command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
	packaging/link-order/generate.sh .build/release/lanyard
	@# The order file is not an input SwiftPM tracks: relink by hand.
	rm -f .build/release/lanyard
	$(MAKE) --no-print-directory release

clean:
	rm -rf .build out $(VENV)
