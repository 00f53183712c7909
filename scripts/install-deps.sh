#!/usr/bin/env bash
# Installs the Debian packages Tipline builds and tests with. Idempotent: does nothing
# when everything is already there. Used by `make run`, `make test` and `.ci/run`.
set -euo pipefail

packages=(
  pkg-config
  libsodium-dev libsqlite3-dev libexif-dev   # the C libraries Tipline links
  zlib1g-dev                                  # inflates PNG iCCP profiles so they can be classified
  libimage-exiftool-perl imagemagick          # independent oracles the redaction tests use
  libjpeg-turbo-progs                         # jpegtran: restart-marker and progressive JPEG fixtures
  chromium                                    # headless browser for the no-JavaScript form e2e (scripts/e2e.sh)
  ffmpeg                                      # tests only: builds video/audio fixtures, decodes outputs to compare frames and samples
)

# `install-deps.sh --list` prints the names only, for .ci/run's explicit apt-get install.
if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
