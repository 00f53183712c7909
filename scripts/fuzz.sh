#!/usr/bin/env bash
# Builds every libFuzzer target (Fuzz/<Name>, release, --sanitize=fuzzer and address) and runs
# each for a set time, seeded from ../shared/corpus, small files made with ffmpeg/ImageMagick
# (test-only tools) and Tests/FuzzReplayTests/Inputs. Prints one line per target; exits 1 if
# any target crashed, timed out or ran out of memory (the input is saved under
# .build-fuzz/crashes/<target>/: copy it into Tests/FuzzReplayTests/Inputs/<target>/ once fixed).
#
#   scripts/fuzz.sh [--seconds N] [--runs N] [--seed N] [--address|--no-address] [Target ...]
#   (default: every target, 60 s each; --runs stops a target earlier after N executions, and
#   --runs with --seed makes a run from a clean .build-fuzz repeatable, e.g. a CI smoke)
#
# Cost per execution: each media input is scrubbed whole and in pieces of 1 + length % 17
# bytes (one split pattern per input, varied by the fuzzer through the length, not many
# split points), both verifiers run and the output is scrubbed again: five passes. -max_len is
# 64 KiB and seeds above 64 KiB are dropped, so a target runs at ~1,000 (MP3, FLAC, TIFF,
# JPEG) to ~10,000 (PNG, WAV, GIF, WebP) exec/s under ASan on one shared core. Tiny exec
# counts in the printed table mean the target stopped at its first crash, not that it is slow.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
# The Swift driver keeps only the last of several `-sanitize=` flags, and SwiftPM passes one per
# `--sanitize`: with both, the modules were built with ASan only and no coverage counters.
# So SwiftPM gets `fuzzer` (which links libFuzzer) and the compiler the combined flag.
sanitizers=(--sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address)
runs=() seed=()
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=(-runs="$2"); shift 2 ;;
    --seed) seed=(-seed="$2"); shift 2 ;;
    --no-address) sanitizers=(--sanitize=fuzzer); shift ;;
    --address) shift ;;
    -h|--help) sed -n 2,17p "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=($(ls Fuzz))
scratch=.build-fuzz
build=(swift build -c release "${sanitizers[@]}" --scratch-path "$scratch")

for t in "${targets[@]}"; do
  [ -d "Fuzz/$t" ] || { echo "fuzz: error: no target Fuzz/$t (have: $(ls Fuzz | tr '\n' ' '))" >&2; exit 2; }
  mkdir -p "$scratch/logs"
  if ! "${build[@]}" --product "Fuzz$t" >"$scratch/logs/build-$t.log" 2>&1; then
    grep -E "error:" "$scratch/logs/build-$t.log" | head -20 >&2
    echo "fuzz: error: building Fuzz$t failed (log: $scratch/logs/build-$t.log)" >&2
    exit 2
  fi
  grep -E "complete!" "$scratch/logs/build-$t.log" >&2
done
bin=$("${build[@]}" --show-bin-path)

# The replay folder's name for each target (FuzzTarget's raw values).
replay_name() { echo "$1" | tr '[:upper:]' '[:lower:]'; }

# Seeds: small real files of the target's format. Nothing here is ever edited in place.
seed() {
  local t=$1 dir=$scratch/seeds/$1 corpus=../shared/corpus tmp
  mkdir -p "$dir"
  local -a ext=()
  case $t in
    JPEG) ext=(jpg jpeg) ;; TIFF) ext=(tif tiff) ;; HEIF) ext=(heic heif avif) ;;
    Movie) ext=(mp4 mov m4a m4b 3gp) ;; WAV) ext=(wav) ;; FLAC) ext=(flac) ;; MP3) ext=(mp3) ;;
    Ogg) ext=(ogg opus) ;; WebM) ext=(webm mkv) ;; Redactor) ext=(jpg mp3 flac wav ogg mp4 m4a tiff heic) ;;
  esac
  if [ -d "$corpus" ]; then
    for e in "${ext[@]}"; do
      find "$corpus" -type f -iname "*.$e" -size -64k -exec cp -n {} "$dir/" \; 2>/dev/null
    done
  fi
  tmp=$(mktemp -d)
  if command -v ffmpeg >/dev/null; then
    local ff=(ffmpeg -nostdin -loglevel error -y)
    case $t in
      Movie|Redactor)
        "${ff[@]}" -f lavfi -i testsrc=size=32x24:rate=5 -f lavfi -i sine=frequency=440:duration=0.4 -t 0.4 \
          -c:v libx264 -c:a aac -metadata title=seed-title -metadata location=+48.8577+002.2950/ "$dir/seed.mp4"
        "${ff[@]}" -f lavfi -i testsrc=size=32x24:rate=5 -t 0.4 -c:v libx265 -tag:v hvc1 "$dir/seed-hevc.mov" 2>/dev/null
        "${ff[@]}" -f lavfi -i sine=duration=0.3 -c:a aac -metadata artist=seed "$dir/seed.m4a" ;;
    esac
    case $t in
      WAV|Redactor) "${ff[@]}" -f lavfi -i sine=duration=0.1:sample_rate=8000 -metadata artist=seed "$dir/seed.wav" ;;
    esac
    case $t in
      FLAC|Redactor) "${ff[@]}" -f lavfi -i sine=duration=0.2:sample_rate=8000 -metadata artist=seed "$dir/seed.flac" ;;
    esac
    case $t in
      MP3|Redactor) "${ff[@]}" -f lavfi -i sine=duration=0.3:sample_rate=8000 -metadata artist=seed "$dir/seed.mp3" ;;
    esac
    case $t in
      Ogg|Redactor)
        "${ff[@]}" -f lavfi -i sine=duration=0.3 -c:a libopus -metadata artist=seed "$dir/seed.opus"
        "${ff[@]}" -f lavfi -i sine=duration=0.3 -c:a libvorbis -metadata artist=seed "$dir/seed.ogg" 2>/dev/null ;;
    esac
    case $t in WebM) "${ff[@]}" -f lavfi -i testsrc=size=32x24:rate=5 -f lavfi -i sine=duration=0.4 -t 0.4 -c:v libvpx-vp9 -c:a libopus -metadata title=seed "$dir/seed.webm" ;; esac
  fi
  if command -v convert >/dev/null; then
    case $t in
      PNG|GIF|WebP|JPEG|TIFF|Redactor)
        local e
        for e in png gif webp jpg tiff; do
          case "$t:$e" in PNG:png|GIF:gif|WebP:webp|JPEG:jpg|TIFF:tiff|Redactor:*)
            convert -size 16x12 plasma:fractal -set comment seed-comment "$tmp/s.$e" 2>/dev/null && cp "$tmp/s.$e" "$dir/seed.$e"
            convert -size 16x12 -delay 10 xc:red xc:blue -loop 0 "$tmp/a.$e" 2>/dev/null && cp "$tmp/a.$e" "$dir/anim.$e" 2>/dev/null ;;
          esac
        done ;;
    esac
  fi
  case $t in
    Receipt) printf '7D2KQ-9XW0M-4RTVB-8N3CE-H6J1F' >"$dir/shape"; printf 'oooo iiii llll 0000 1111 2222 3\n' >"$dir/lookalikes" ;;
    Policy) cp policies/*.yaml "$dir/" 2>/dev/null ;;
  esac
  rm -rf "$tmp"
  local replay=Tests/FuzzReplayTests/Inputs/$(replay_name "$t")
  [ -d "$replay" ] && cp -n "$replay"/* "$dir/" 2>/dev/null
  find "$dir" -type f -size +64k -delete
}

failed=0
printf '%-9s %10s %9s %6s %s\n' target execs exec/s cover result
for t in "${targets[@]}"; do
  seed "$t"
  # Not `artifacts/`: SwiftPM owns that folder of the scratch path; a build removed the empty
  # target folders there while a fuzzer ran, so its crashes could not be saved.
  corpus=$scratch/corpus/$t artifacts=$scratch/crashes/$t
  mkdir -p "$corpus" "$artifacts"
  rm -f "$artifacts"/*  # a finding of an earlier run lives on in Tests/FuzzReplayTests/Inputs
  log=$scratch/logs/$t.log
  mkdir -p "$(dirname "$log")"
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1 "$bin/Fuzz$t" "$corpus" "$scratch/seeds/$t" \
    -max_total_time="$seconds" "${runs[@]}" "${seed[@]}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" >"$log" 2>&1
  status=$?
  execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
  speed=$(grep -Eo 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
  cover=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
  result=ok
  if [ "$status" -ne 0 ] || ls "$artifacts"/* >/dev/null 2>&1; then
    result="FAILED ($(ls "$artifacts" | tr '\n' ' '); see $log)"
    failed=1
  elif [ "${cover:-0}" -eq 0 ] || grep -q "Is the code instrumented" "$log"; then
    result="FAILED (no coverage: the entry point is not the instrumented harness; see $log)"
    failed=1
  fi
  printf '%-9s %10s %9s %6s %s\n' "$t" "${execs:-0}" "${speed:-0}" "${cover:-0}" "$result"
done
exit "$failed"
