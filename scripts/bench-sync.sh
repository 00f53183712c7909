#!/usr/bin/env bash
# Sync benchmark (issue 11): a vault of N tips (default 10,000; small text tips written the
# way intake writes them, `tipvault debug-write-tips`), served by `tipintake serve
# --investigator-port`, pulled by `tipvault sync` into an empty cache (first sync), then
# again (nothing new), then `tipvault list` on the cache. Prints wall seconds and per-tip ms.
# Setup uses TIPVAULT_TEST_FAST_KDF (the one Argon2id unlock per command is not what is
# measured). Release binaries; the machine is shared, so the load is printed too.
#
#   scripts/bench-sync.sh [TIPS]
set -euo pipefail
cd "$(dirname "$0")/.."
tips="${1:-10000}"
config="${TIPLINE_BENCH_CONFIG:-release}"  # debug: a quick check that the script works
swift build -c "$config" --product tipintake >/dev/null 2>&1 || { echo "bench-sync: the build failed (swift build -c $config)" >&2; exit 1; }
swift build -c "$config" --product tipvault >/dev/null 2>&1 || { echo "bench-sync: the build failed" >&2; exit 1; }
bin="$(swift build -c "$config" --show-bin-path)"
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
export TIPVAULT_PASSPHRASE="bench passphrase" TIPVAULT_TEST_FAST_KDF=1
tv() { "$bin/tipvault" "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

tv init --vault "$work/vault" --keyring "$work/keyring" --investigator ana >/dev/null
key="$(tv whoami --keyring "$work/keyring" | sed -n 's/^signing-key: //p')"
echo "$key" > "$work/vault/admin.pub"
start="$(now)"
tv debug-write-tips --vault "$work/vault" --count "$tips" --attachments 0 >/dev/null
echo "wrote $tips tips in $(since "$start") s"

"$bin/tipintake" serve --data "$work/vault" --host 127.0.0.1 --port 0 --investigator-port 0 >"$work/server.out" 2>"$work/server.err" &
server=$!
for _ in $(seq 200); do grep -q "investigator listener on" "$work/server.out" && break; sleep 0.05; done
port="$(sed -n 's/^tipintake: investigator listener on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.out")"
tv remote add "http://127.0.0.1:$port" --keyring "$work/keyring" >/dev/null
tv roster set ana "$key" --role admin --keyring "$work/keyring" >/dev/null

for run in first again; do
  start="$(now)"
  out="$(tv sync --vault "$work/cache" --keyring "$work/keyring")"
  took="$(since "$start")"
  echo "sync ($run): $took s, $(awk -v t="$took" -v n="$tips" 'BEGIN { printf "%.3f", t * 1000 / n }') ms per tip: $out"
done
start="$(now)"
listed="$(tv list --vault "$work/cache" --keyring "$work/keyring" | wc -l)"
echo "list on the cache: $(since "$start") s for $((listed - 1)) tips"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
