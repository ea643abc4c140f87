# Fuzzing with libFuzzer. Included from the Makefile (`include deploy/fuzz.mk`).
#
#   make fuzz          builds both fuzzers, then runs each for FUZZ_SECONDS (default 300)
#   make fuzz-smoke    the same for FUZZ_SMOKE_SECONDS each (default 20): what CI runs
#   make fuzz-replay   replays the committed corpora through a plain debug build (no libFuzzer)
#
# The recipe that works on Swift 6.3 (docs: shared/notes/swift-style.md, section 4): a release
# build (a debug build leaves the generic loads in uninstrumented libswiftCore), `--sanitize
# fuzzer` so SwiftPM links libFuzzer's main, and `-sanitize=fuzzer,address` as ONE flag (two
# separate -sanitize flags keep only the last, and the code gets no coverage counters).
# -DBRIDGEKEEPER_LIBFUZZER swaps the executables' replay `main` for LLVMFuzzerTestOneInput.
#
# Committed seeds are read from Tests/FuzzCorpus/<target>/ and never written; new inputs go to
# $(FUZZ_WORK)/<target>/, crashes to $(FUZZ_ARTIFACTS)/<target>-crash-*. A crash is replayed in a
# plain build with `.build/debug/FuzzFrame FILE` (or FuzzPolicy), then kept as a regression in
# Tests/FuzzCorpus/regressions/<target>/ with a test that replays it.
# Included anywhere in the Makefile, these rules never become its default goal.
FUZZ_PREVIOUS_GOAL := $(.DEFAULT_GOAL)

FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_SCRATCH ?= .build-fuzz
FUZZ_WORK ?= $(FUZZ_SCRATCH)/corpus
FUZZ_ARTIFACTS ?= $(FUZZ_SCRATCH)/artifacts
# Extra libFuzzer flags, e.g. FUZZ_FLAGS="-jobs=2 -workers=2" or "-seed=1".
FUZZ_FLAGS ?=
FUZZ_CORPUS := Tests/FuzzCorpus
# Swift's own crash backtracer would race ASan's and libFuzzer's reports: leave crashes to them.
FUZZ_ENV := SWIFT_BACKTRACE=enable=no

FUZZ_BUILD = $(SWIFT) build -c release --scratch-path $(FUZZ_SCRATCH) --sanitize fuzzer \
	-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DBRIDGEKEEPER_LIBFUZZER

# Frames up to a 9 KiB jumbo; policy text up to 16 KiB, with the language's words as a dictionary.
FUZZ_ARGS_frame := -max_len=9216 -timeout=10
FUZZ_ARGS_policy := -max_len=16384 -timeout=20 -dict=$(FUZZ_CORPUS)/policy.dict
FUZZ_BINARY_frame := FuzzFrame
FUZZ_BINARY_policy := FuzzPolicy

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-replay

## fuzz-build: both libFuzzer binaries (release, ASan) in $(FUZZ_SCRATCH).
fuzz-build: deps
	$(FUZZ_BUILD) --product FuzzFrame
	$(FUZZ_BUILD) --product FuzzPolicy

# $(call fuzz_run,TARGET,SECONDS): one fuzzer for SECONDS over the committed seeds and its own work corpus.
define fuzz_run
	@mkdir -p $(FUZZ_WORK)/$(1) $(FUZZ_ARTIFACTS)
	$(FUZZ_ENV) $(FUZZ_SCRATCH)/release/$(FUZZ_BINARY_$(1)) $(FUZZ_WORK)/$(1) $(FUZZ_CORPUS)/$(1) \
		$(wildcard $(FUZZ_CORPUS)/regressions/$(1)) $(FUZZ_ARGS_$(1)) -max_total_time=$(2) \
		-artifact_prefix=$(FUZZ_ARTIFACTS)/$(1)- -print_final_stats=1 $(FUZZ_FLAGS)
endef

## fuzz: each fuzzer for FUZZ_SECONDS seconds (default 300).
fuzz: fuzz-build
	$(call fuzz_run,frame,$(FUZZ_SECONDS))
	$(call fuzz_run,policy,$(FUZZ_SECONDS))

## fuzz-smoke: each fuzzer for FUZZ_SMOKE_SECONDS seconds (default 20); CI runs this.
fuzz-smoke: fuzz-build
	$(call fuzz_run,frame,$(FUZZ_SMOKE_SECONDS))
	$(call fuzz_run,policy,$(FUZZ_SMOKE_SECONDS))

## fuzz-replay: the committed seeds and regressions through the plain (debug, unsanitised) build.
fuzz-replay: deps
	$(SWIFT) build --product FuzzFrame
	$(SWIFT) build --product FuzzPolicy
	.build/debug/FuzzFrame $(FUZZ_CORPUS)/frame $(wildcard $(FUZZ_CORPUS)/regressions/frame)
	.build/debug/FuzzPolicy $(FUZZ_CORPUS)/policy $(wildcard $(FUZZ_CORPUS)/regressions/policy)

.DEFAULT_GOAL := $(FUZZ_PREVIOUS_GOAL)
