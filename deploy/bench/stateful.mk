# Bridgekeeper's stateful benchmark on the veth testbed of bench-net. Included from the top-level
# Makefile; run as root.
#
#   make bench-stateful                                        # 5 rounds, about 10 minutes on 2 CPUs
#   make bench-stateful BENCH_STATEFUL_ARGS=--quick            # 1 round, short windows, about 2 minutes
#   make bench-stateful BENCH_STATEFUL_ARGS='--candidates bk-fwd,bk-state --rounds 3'
#
# Results: a table on stdout and bench-results/stateful-<timestamp>.json (ignored by git).
# Flags: python3 deploy/bench/stateful_bench.py --help; method: deploy/bench/README.md.

BENCH_STATEFUL_ARGS ?=

.PHONY: bench-stateful

bench-stateful: bench-deps
	python3 deploy/bench/stateful_bench.py --bridgekeeper $(BRIDGEKEEPER_BIN) $(BENCH_STATEFUL_ARGS)
