#!/usr/bin/env bash
# Builds and runs every test (XCTest and Swift Testing), then prints one closing line
# with the totals: "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests || exit 1
log=$(mktemp)
swift test --skip-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# Swift Testing: "✔ Test run with 42 tests in 7 suites passed after ..." / "✘ Test run with 42 tests ... failed after ... with 3 issues"
st_total=$(grep -Eo 'Test run with [0-9]+ tests?' "$log" | grep -Eo '[0-9]+' | tail -1)
st_failed=$(grep -E '^✘ Test [^r].* failed after' "$log" | grep -c . || true)
# XCTest: "Executed 12 tests, with 0 failures" (the last such line is the grand total)
xc_line=$(grep -E 'Executed [0-9]+ tests?, with [0-9]+ failures?' "$log" | tail -1)
xc_total=$(echo "$xc_line" | grep -Eo 'Executed [0-9]+' | grep -Eo '[0-9]+')
xc_failed=$(echo "$xc_line" | grep -Eo 'with [0-9]+ failure' | grep -Eo '[0-9]+')
rm -f "$log"
total=$(( ${st_total:-0} + ${xc_total:-0} ))
failed=$(( ${st_failed:-0} + ${xc_failed:-0} ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "tests: $(( total - failed )) passed, $failed failed"
exit "$status"
