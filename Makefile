SHELL := /bin/bash
# oomwatch — the two commands of the README are `make run` and `make test`; both install what they need.
SWIFT ?= swift
ARGS ?=
SCRATCH ?= .build

.PHONY: all deps run build release test bench clean

all: build

deps-%:
	@scripts/install-deps.sh $*

build: deps-run
	$(SWIFT) build --scratch-path $(SCRATCH)

release: deps-run
	$(SWIFT) build -c release --scratch-path $(SCRATCH) --product oomwatch

## Runs the daemon with working defaults (HTTP on 0.0.0.0:9847). Extra options: make run ARGS="--log-level debug"
run: release
	$(SCRATCH)/release/oomwatch run $(ARGS)

## Runs the whole test suite: unit, fixture, real-cgroup, real-journal and end-to-end tests.
## Fails on any compiler warning in this package's own code.
test: deps-test
	@mkdir -p $(SCRATCH)
	@set -o pipefail; $(SWIFT) build --build-tests --scratch-path $(SCRATCH) 2>&1 | tee $(SCRATCH)/build-tests.log
	@if grep -E "^$(CURDIR)/(Sources|Tests|Benchmarks|Fuzz)/.*warning:" $(SCRATCH)/build-tests.log; then \
		echo "oomwatch: compiler warnings in the package (listed above) fail the build" >&2; exit 1; fi
	$(SWIFT) test --skip-build --scratch-path $(SCRATCH)

## Benchmarks (release build); results are printed as tables.
bench: deps-bench
	$(SWIFT) build -c release --scratch-path $(SCRATCH) --product oomwatch-bench
	$(SCRATCH)/release/oomwatch-bench $(ARGS)

clean:
	rm -rf $(SCRATCH)
