# Bridgekeeper. `make demo` and `make test` are all the set-up a fresh Debian machine needs.
SHELL := /bin/bash
SWIFT ?= swift
DEB_PACKAGES := libpcap-dev libnftnl-dev libmnl-dev pkg-config nftables iproute2 ethtool \
	netsniff-ng iputils-ping tcpdump jq
.PHONY: deps build release test lint format

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift

format:
	$(SWIFT) format format -i -r Sources Tests Package.swift
