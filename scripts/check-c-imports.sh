#!/usr/bin/env bash
# Only files named *+Sodium.swift, *+Exif.swift, *+Zlib.swift, *+SQLite.swift or *+Process.swift
# may import a C module, so every call into C is easy to find and review.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(grep -rlE '^\s*(@preconcurrency\s+)?import\s+(CSodium|CExif|CZlib|CProcess|GRDBSQLite|SQLite3)\b' Sources Tests \
  | grep -vE '\+(Sodium|Exif|Zlib|SQLite|Process)\.swift$' | grep -v '^Sources/Benchmarks/' | grep -v '^Tests/' || true)
if [ -n "$bad" ]; then
  echo "lint: these files import a C module but are not named *+Sodium/*+Exif/*+Zlib/*+SQLite/*+Process.swift:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "lint: C imports confined to *+Sodium/*+Exif/*+Zlib/*+SQLite/*+Process.swift files"
