# Bridgekeeper. `make demo` and `make test` are all the set-up a fresh Debian machine needs:
# each installs the Debian packages it is missing (apt-get, as root) before it builds.
SHELL := /bin/bash
SWIFT ?= swift
PREFIX ?= /usr/local
# systemd: systemd-analyze (the unit's verify and security tests); procps: pgrep (the demo test).
DEB_PACKAGES := libpcap-dev libnftnl-dev libmnl-dev pkg-config nftables iproute2 ethtool \
	netsniff-ng iputils-ping tcpdump python3 jq curl systemd procps
.PHONY: deps build release release-all test test-unit lint format bench bench-pipeline demo clean

## deps: install the Debian packages the build, the tests and the demo use (when missing).
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing $$(echo $$missing)"; \
		if [ "$$(id -u)" != 0 ]; then echo "make deps: run as root (apt-get needs it)" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

## build: debug build of everything.
build: deps
	$(SWIFT) build

## release: optimised build (what `run`, the demo and the benchmarks use).
release: deps
	$(SWIFT) build -c release --product bridgekeeper

## release-all: optimised build of every product (the CLI, the benchmarks, the probe, the fuzz
## replayers), so a change that breaks only the -O build is caught before it lands.
release-all: deps
	$(SWIFT) build -c release

## test: unit and integration tests (integration tests need root: namespaces, veth, nftables).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

## test-unit: only the tests that need no root, no namespaces and no kernel (the inner loop: seconds).
## (CLITests' --print-nft test asks the kernel's nft to check the mirror: root, so skipped here.)
UNIT_TESTS := ^(FrameTests|PolicyTests|PipelineTests|LoaderTests|BridgeUnitTests|FuzzReplayTests|CLITests|MirrorTests\.Planner)
UNIT_SKIP := printNftShowsTheMirrorAndNftAcceptsIt
test-unit:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter '$(UNIT_TESTS)' --skip '$(UNIT_SKIP)'

## lint: swift format, strict.
lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift

format:
	$(SWIFT) format format -i -r Sources Tests Package.swift

## bench-pipeline: ns/frame through the pipeline (default, edge, 10k rules), compile time, allocations.
bench-pipeline: deps
	$(SWIFT) build -c release --product PipelineBench
	.build/release/PipelineBench --policies policies

include deploy/bench/bench.mk
include deploy/bench/stateful.mk
include deploy/install.mk
include deploy/fuzz.mk

## bench: the pipeline benchmark, then the veth testbed against the kernel bridge and DPDK
## (about 30 minutes on 2 CPUs, 13 with BENCH_ARGS=--search-rounds=0), then the stateful figures
## (about 10 more). `make bench-net BENCH_ARGS=--quick` and
## `make bench-stateful BENCH_STATEFUL_ARGS=--quick` are two-minute smoke runs.
bench: bench-pipeline release
	$(MAKE) bench-net BENCH_ARGS="--kernel-rules-cmd '{bridgekeeper} mirror --policy {policy} --port-a pA --port-b pB' $(BENCH_ARGS)"
	$(MAKE) bench-stateful

clean:
	rm -rf .build .build-fuzz

## demo: two hosts and the bridge in network namespaces, real traffic, what the policy did.
demo: release
	deploy/demo.sh
