# Bridgekeeper's veth benchmark. Included from the top-level Makefile; run as root.
#
#   make bench-net                                  # full run (3 rounds + 5 sizing rounds), ~30 minutes on 2 CPUs
#   make bench-net BENCH_ARGS=--quick               # ~3-minute smoke run
#   make bench-net BENCH_ARGS='--candidates kbr,testpmd --rounds 5'
#   make bench-net BENCH_ARGS='--search-rounds 0'   # without the generator-bound sizing runs (~15 minutes)
#   make bench-net BENCH_ARGS='--search-rounds 3 --search-trial 5 --idle 5'   # shorter sizing runs
#   make bench-net BRIDGEKEEPER_BIN=/path/to/bridgekeeper
#   make bench-net BENCH_ARGS='--baseline /path/to/old/bridgekeeper --candidates kbr,testpmd,bk-fwd'
#                                                   # before/after a change in one run (adds bk-base)
#
# Results: a table on stdout and bench-results/bench-<timestamp>.json (ignored by git).
# Flags: python3 deploy/bench/bench.py --help; method: deploy/bench/README.md.

BENCH_PACKAGES := netsniff-ng tcpdump ethtool iproute2 nftables iputils-ping procps util-linux python3
# dpdk-testpmd is the optional peer; Debian 12 ships it in dpdk-dev.
BENCH_OPTIONAL_PACKAGES := dpdk-dev
BRIDGEKEEPER_BIN ?= .build/release/bridgekeeper
BENCH_ARGS ?=

.PHONY: bench-deps bench-net

bench-deps:
	@missing=$$(for p in $(BENCH_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "bench: installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@for p in $(BENCH_OPTIONAL_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' && continue; \
		echo "bench: installing optional $$p"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$p; } >/dev/null 2>&1 \
			|| echo "bench: note: $$p could not be installed; the dpdk-testpmd peer will be skipped"; \
	done

bench-net: bench-deps
	python3 deploy/bench/bench.py --bridgekeeper $(BRIDGEKEEPER_BIN) $(BENCH_ARGS)
