#!/usr/bin/env bash
# `make run`: builds tipintake and tipvault, creates the demo vault and keyring on first use,
# then serves the demo on http://127.0.0.1:8080 (Ctrl-C stops it).
#
# The demo keyring's passphrase is fixed and printed below: DEMO ONLY. A real deployment runs
# `tipvault init` on the investigators' machine with a real passphrase, and copies only
# agency.pub to the server.
set -euo pipefail
cd "$(dirname "$0")/.."

DEMO_PASSPHRASE="demo passphrase - DEMO ONLY, never use for real tips"
VAULT=demo/vault
KEYRING=demo/keyring
HOST=127.0.0.1
PORT="${PORT:-8080}"

swift build --product tipintake
swift build --product tipvault
BIN="$(realpath --relative-to=. "$(swift build --show-bin-path)")"

if [[ ! -f "$VAULT/agency.pub" ]]; then
    echo "run-demo: creating the demo vault in $VAULT and the demo keyring in $KEYRING" >&2
    mkdir -p demo
    TIPVAULT_PASSPHRASE="$DEMO_PASSPHRASE" "$BIN/tipvault" init --vault "$VAULT" --keyring "$KEYRING"
fi

cat >&2 <<MSG

==================================================================================
  DEMO ONLY. The demo keyring ($KEYRING) is protected by a FIXED, PUBLIC passphrase:
      export TIPVAULT_PASSPHRASE='$DEMO_PASSPHRASE'
  Never put real tips in this vault.

  Open http://$HOST:$PORT/ to send a tip, then read it as an investigator:
      $BIN/tipvault list   --vault $VAULT --keyring $KEYRING
      $BIN/tipvault show   TIP-ID --vault $VAULT --keyring $KEYRING
      $BIN/tipvault export TIP-ID --to demo/export --vault $VAULT --keyring $KEYRING
      $BIN/tipvault reply  TIP-ID "Thank you, we are looking into it." --vault $VAULT --keyring $KEYRING
      $BIN/tipvault status TIP-ID triaged --vault $VAULT --keyring $KEYRING
  The tipster sees replies and status at http://$HOST:$PORT/followup with their receipt.
==================================================================================

MSG

exec "$BIN/tipintake" serve --data "$VAULT" --policy policies/default.yaml --host "$HOST" --port "$PORT"
