# Tipline: `make run` serves the demo, `make test` runs every test, `make bench` the benchmarks,
# `make fuzz` the fuzzers.
SHELL := /bin/bash
SWIFT ?= swift

.PHONY: deps build run test bench e2e fuzz fuzz-smoke lint clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

run: deps
	@scripts/run-demo.sh

test: deps lint
	@scripts/run-tests.sh

bench: deps
	@scripts/run-benchmarks.sh

e2e: deps
	@scripts/e2e.sh

# Every libFuzzer target for FUZZ_SECONDS (default 60) each; `scripts/fuzz.sh --help`.
fuzz: deps
	@scripts/fuzz.sh

# CI's smoke: every target for 2,000 executions (at most 10 s) from seed 1, so a run repeats.
fuzz-smoke: deps
	@scripts/fuzz.sh --seconds 10 --runs 2000 --seed 1

lint:
	@scripts/check-c-imports.sh
	@$(SWIFT) format lint --strict --recursive Package.swift Sources Tests Fuzz

clean:
	rm -rf .build
