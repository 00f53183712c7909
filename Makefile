# Tipline: `make run` serves the demo, `make test` runs every test, `make bench` the benchmarks.
SHELL := /bin/bash
SWIFT ?= swift

.PHONY: deps build run test bench e2e lint clean

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

lint:
	@scripts/check-c-imports.sh
	@$(SWIFT) format lint --strict --recursive Package.swift Sources Tests

clean:
	rm -rf .build
