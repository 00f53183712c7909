#!/usr/bin/env bash
# Browser end to end: a real headless Chromium with JavaScript disabled opens the intake form,
# types a message, attaches a GPS-tagged photo and submits; the receipt page must show
# <code id="receipt">, and the tip must be in the vault. Chromium is driven over the DevTools
# protocol on --remote-debugging-pipe (fds 3/4) by a stdlib-only Python script, so no
# WebDriver and no JavaScript in the page. Screenshot: bench-out/e2e/receipt.png.
#
# `make e2e` runs it; IntakeTests runs it too (with TIPLINE_BIN set) when chromium is installed.
# Exit 0 on success, 1 on failure; prints "e2e: skipped ..." and exits 0 without chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

chromium_bin=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium_bin" ]; then
  echo "e2e: skipped: chromium is not installed (scripts/install-deps.sh installs it)"
  exit 0
fi
if [ -z "${TIPLINE_BIN:-}" ]; then
  swift build --product tipintake >/dev/null && swift build --product tipvault >/dev/null
  TIPLINE_BIN=$(swift build --show-bin-path)
fi
out_dir=${E2E_OUT:-$PWD/bench-out/e2e}
mkdir -p "$out_dir"

work=$(mktemp -d /tmp/tipline-e2e.XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

export TIPVAULT_PASSPHRASE="e2e passphrase" TIPVAULT_TEST_FAST_KDF=1
"$TIPLINE_BIN/tipvault" init --vault "$work/vault" --keyring "$work/keyring" --investigator e2e >/dev/null
cat >"$work/policy.yaml" <<'YAML'
version: 1
intake:
  questions: ["Where did this happen?"]
receipts:
  argon2_ops_limit: 1
  argon2_mem_limit_bytes: 8192
YAML
mkdir -p "$work/tmp"
TMPDIR="$work/tmp" "$TIPLINE_BIN/tipintake" serve --data "$work/vault" --policy "$work/policy.yaml" \
  --host 127.0.0.1 --port 0 >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
port=""
for _ in $(seq 1 600); do
  port=$(sed -n 's|^tipintake: listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$work/stdout" | head -1)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.05
done
if [ -z "$port" ]; then
  echo "e2e: FAIL: the server did not start: $(cat "$work/stderr")" >&2
  exit 1
fi

# A photo with GPS, like one from a phone.
photo="$work/IMG_0042.jpg"
convert -size 320x240 gradient:skyblue-navy -quality 90 "$photo"
exiftool -q -overwrite_original -n -Make=E2ECam -Model=E2E -GPSLatitude=52.52 -GPSLatitudeRef=N \
  -GPSLongitude=13.40 -GPSLongitudeRef=E -Orientation=6 "$photo"

message="E2E tip typed by headless Chromium $(date +%s%N)"
python3 - "$chromium_bin" "http://127.0.0.1:$port/" "$photo" "$message" "$out_dir" "$work/profile" <<'PY'
import base64, json, os, re, subprocess, sys, time

chromium, url, photo, message, out_dir, profile = sys.argv[1:7]

# fd 3: commands to the browser; fd 4: replies and events from it (NUL-terminated JSON).
to_browser_r, to_browser_w = os.pipe()
from_browser_r, from_browser_w = os.pipe()
def child_fds():
    # Copy first: a pipe end may itself be fd 3 or 4, and dup2 onto itself keeps close-on-exec.
    a, b = os.dup(to_browser_r), os.dup(from_browser_w)
    os.dup2(a, 3)
    os.dup2(b, 4)
browser = subprocess.Popen(
    [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--remote-debugging-pipe",
     "--blink-settings=scriptEnabled=false", "--no-first-run", "--no-default-browser-check",
     "--disable-extensions", "--disable-background-networking", "--disable-dev-shm-usage",
     "--user-data-dir=" + profile, "--window-size=1000,1400", "about:blank"],
    preexec_fn=child_fds, close_fds=False,  # os.pipe() fds are close-on-exec; the dup2'd 3 and 4 are not
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(to_browser_r)
os.close(from_browser_w)
writer = os.fdopen(to_browser_w, "wb", buffering=0)
reader = os.fdopen(from_browser_r, "rb", buffering=0)
buffer = b""
events = []
next_id = 0

def fail(why):
    print("e2e: FAIL: " + why, file=sys.stderr)
    browser.kill()
    sys.exit(1)

def read_message(deadline):
    global buffer
    while b"\0" not in buffer:
        if time.time() > deadline:
            fail("timed out waiting for Chromium")
        chunk = reader.read(65536)
        if not chunk:
            fail("Chromium closed the DevTools pipe")
        buffer += chunk
    raw, buffer = buffer.split(b"\0", 1)
    return json.loads(raw)

def send(method, params=None, session=None, timeout=30):
    global next_id
    next_id += 1
    message = {"id": next_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    writer.write(json.dumps(message).encode() + b"\0")
    deadline = time.time() + timeout
    while True:
        reply = read_message(deadline)
        if reply.get("id") == next_id:
            if "error" in reply:
                fail(method + ": " + json.dumps(reply["error"]))
            return reply.get("result", {})
        events.append(reply)

def wait_event(method, session, timeout=30):
    deadline = time.time() + timeout
    while True:
        for i, e in enumerate(events):
            if e.get("method") == method and e.get("sessionId") == session:
                return events.pop(i)
        events.append(read_message(deadline))

target = send("Target.createTarget", {"url": "about:blank"})["targetId"]
session = send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
send("Page.enable", session=session)
send("DOM.enable", session=session)
send("Page.navigate", {"url": url}, session=session)
wait_event("Page.loadEventFired", session)

def query(selector):
    root = send("DOM.getDocument", {"depth": -1}, session=session)["root"]["nodeId"]
    node = send("DOM.querySelector", {"nodeId": root, "selector": selector}, session=session)["nodeId"]
    if not node:
        fail("no element matches " + selector)
    return node

html = send("DOM.getOuterHTML", {"nodeId": query("html")}, session=session)["outerHTML"]
if "<script" in html.lower():
    fail("the form page carries a <script>")

# Type the message like a person: focus the textarea, insert text (no JavaScript involved).
send("DOM.focus", {"nodeId": query("textarea[name=message]")}, session=session)
send("Input.insertText", {"text": message}, session=session)
send("DOM.focus", {"nodeId": query("input[name=question-0]")}, session=session)
send("Input.insertText", {"text": "At the harbour"}, session=session)
send("DOM.setFileInputFiles", {"files": [photo], "nodeId": query("input[type=file][name=attachments]")}, session=session)

# Click the submit button at its centre.
button = query("form[action='/tips'] button, form[action='/tips'] input[type=submit]")
send("DOM.scrollIntoViewIfNeeded", {"nodeId": button}, session=session)
quad = send("DOM.getBoxModel", {"nodeId": button}, session=session)["model"]["content"]
x = (quad[0] + quad[2] + quad[4] + quad[6]) / 4
y = (quad[1] + quad[3] + quad[5] + quad[7]) / 4
for kind in ("mousePressed", "mouseReleased"):
    send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}, session=session)
wait_event("Page.loadEventFired", session, timeout=60)

receipt_html = send("DOM.getOuterHTML", {"nodeId": query("code#receipt")}, session=session)["outerHTML"]
match = re.search(r">\s*([0-9A-HJKMNP-TV-Z]{5}(?:-[0-9A-HJKMNP-TV-Z]{5}){4})\s*<", receipt_html)
if not match:
    fail("code#receipt holds no receipt: " + receipt_html[:200])
shot = send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=session)["data"]
path = os.path.join(out_dir, "receipt.png")
with open(path, "wb") as f:
    f.write(base64.b64decode(shot))
try:
    send("Browser.close", timeout=5)
except SystemExit:
    raise
except Exception:
    pass
browser.wait(timeout=10)
print("e2e: receipt page shown (receipt " + match.group(1)[:5] + "-…), screenshot " + path)
PY

list=$("$TIPLINE_BIN/tipvault" list --json --vault "$work/vault" --keyring "$work/keyring")
python3 - "$list" "$message" <<'PY'
import json, sys
tips = json.loads(sys.argv[1])
ok = len(tips) == 1 and tips[0]["firstLine"] == sys.argv[2] and tips[0]["attachments"] == 1 and tips[0]["kinds"] == ["jpeg"]
print("e2e: vault holds the tip with its photo" if ok else "e2e: FAIL: vault listing: " + sys.argv[1][:300])
sys.exit(0 if ok else 1)
PY
identify -format '%m %wx%h\n' "$out_dir/receipt.png" | grep -q '^PNG ' || { echo "e2e: FAIL: screenshot is not a PNG" >&2; exit 1; }
echo "e2e: ok"
