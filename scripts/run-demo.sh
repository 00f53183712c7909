#!/usr/bin/env bash
# `make run`: builds and starts the intake server on the demo vault (created if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product tipintake
echo "run-demo: the intake server lands with the intake issue; until then this builds only." >&2
"$(swift build --show-bin-path)/tipintake" --help
