#!/usr/bin/env bash
# lesson03_page.sh BIN_DIR — lesson 03's runner with telemetry on serves both pods joined at their
# bridge (steady-pods --serve) and prints its URL: while the stream runs, the page's /pods.json
# holds the two pods and one bridge, up; the run still ends with "totals match".
set -uo pipefail
bin="$1"
runner="$(dirname "$0")/../../examples/lesson-03-distributed/run"
out="$(mktemp)"
trap 'rm -f "$out"; [ -n "${pid:-}" ] && kill -INT "$pid" 2>/dev/null; wait 2>/dev/null' EXIT
fail() { echo "lesson03_page: $*" >&2; echo "--- runner output ---" >&2; cat "$out" >&2; exit 1; }
timeout -s INT 100 bash "$runner" --bin "$bin" --transport nats-js --rate 20 --beats 400 >"$out" 2>&1 &
pid=$!
url=""
for _ in $(seq 1 3000); do
    url="$(sed -n 's|^run: both pods joined at their bridge: \(http://.*/\)$|\1|p' "$out")"
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
done
[ -n "$url" ] || fail "no 'both pods joined at their bridge' line"
joined=""
for _ in $(seq 1 100); do # the first join may precede the bridge's first frames
    joined="$(curl -sf "${url}pods.json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(len(d["pods"]), len(d["bridges"]), all(b.get("up") for b in d["bridges"]))' 2>/dev/null)"
    [ "$joined" = "2 1 True" ] && break
    sleep 0.1
done
[ "$joined" = "2 1 True" ] || fail "the page's /pods.json: '$joined', expected 2 pods and 1 bridge up"
wait "$pid" || fail "the runner exited $?"
pid=""
grep -q "^run: totals match: " "$out" || fail "no 'totals match' line"
echo "lesson03_page: ${url} joined 2 pods and their bridge while the stream ran"
