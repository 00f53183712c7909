#!/usr/bin/env bash
# Builds release binaries and runs each benchmark; each prints its own figures and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build -c release
for b in CryptoBench RedactionBench VaultBench IntakeBench; do
  echo "== $b"
  "$(swift build -c release --show-bin-path)/$b" "$@"
done
