#!/usr/bin/env bash
# pods_serve_test.sh STEADY_PODS BIN_DIR NODE [pods_page_test.mjs options...] — steady-pods
# --serve against two real pods of lesson 03 joined over core NATS (a nats-server started here
# on a free port): /pods.json and /pods.dot answer, then pods_page_test.mjs drives the page in
# headless Chromium (2-D and 3-D views, the bridge red once the server is SIGKILLed); a bad
# --serve argument is exit 2, a port taken exit 1, SIGTERM a clean exit 0. Exit 77 (skipped)
# when the browser test skips (no playwright-core or Chromium).
set -uo pipefail
pods="$1" bin="$2" node="$3"
shift 3
here="$(cd "$(dirname "$0")" && pwd)"
. "$(dirname "$0")/two_pods.sh"
start_two_pods "$bin" 600
"$pods" --serve nope "http://127.0.0.1:$pp" >/dev/null 2>&1
[ $? = 2 ] || fail "--serve nope is not exit 2"
"$pods" --serve 0 --dot "http://127.0.0.1:$pp" >/dev/null 2>&1
[ $? = 2 ] || fail "--serve with --dot is not exit 2"
"$pods" --serve "127.0.0.1:$np" "http://127.0.0.1:$pp" >"$work/taken.log" 2>&1
[ $? = 1 ] || fail "a port taken is not exit 1"
grep -q "cannot serve on 127.0.0.1:$np" "$work/taken.log" || fail "no message: $(cat "$work/taken.log")"

# A pod URL that is not UTF-8 (a byte 0xff): still a pod in /pods.json (jansson refused the
# string, and the pod vanished), not reachable, with its reason.
"$pods" --serve 0 "http://127.0.0.1:$pp" $'http://127.0.0.1:1/\xff' >"$work/odd.log" 2>&1 &
odd=$!
pids+=("$odd")
for _ in $(seq 1 500); do grep -q "joined on" "$work/odd.log" && break; sleep 0.01; done
obase="$(sed -n 's|.*joined on \(http://[0-9.:]*\)/.*|\1|p' "$work/odd.log")"
odd_ok() {
    curl -sf "$obase/pods.json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert len(d["pods"]) == 2, d["pods"]
assert d["pods"][0]["ok"] and not d["pods"][1]["ok"] and d["pods"][1]["why"], d["pods"]
assert d["pods"][1]["url"] == "http://127.0.0.1:1/?/snapshot.json", d["pods"][1]["url"]
' 2>/dev/null
}
for _ in $(seq 1 50); do odd_ok && break; sleep 0.1; done # until a join after the first frame
odd_ok || fail "a pod with a URL that is not UTF-8 is not in /pods.json: $(curl -s "$obase/pods.json")"
kill -TERM "$odd"
wait "$odd"

"$pods" --serve 0 "http://127.0.0.1:$pp" "http://127.0.0.1:$sp" >"$work/serve.log" 2>&1 &
serve=$!
pids+=("$serve")
for _ in $(seq 1 500); do grep -q "joined on" "$work/serve.log" && break; sleep 0.01; done
base="$(sed -n 's|.*joined on \(http://[0-9.:]*\)/.*|\1|p' "$work/serve.log")"
[ -n "$base" ] || fail "no 'joined on' line: $(cat "$work/serve.log")"
for _ in $(seq 1 500); do # until the bridge is up in the joined view
    curl -sf "$base/pods.json" | grep -q '"bridges":\[{.*"up":true' && break
    sleep 0.02
done
curl -sf "$base/pods.json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [p["name"] for p in d["pods"]] == ["lesson-03-publish", "lesson-03-subscribe"], d["pods"]
assert len(d["bridges"]) == 1 and d["bridges"][0]["up"], d["bridges"]
assert d["bridges"][0]["from_pod"] == 0 and d["bridges"][0]["to_pod"] == 1
' || fail "/pods.json is not two pods and one bridge up"
curl -sf "$base/pods.dot" | dot -Tsvg >/dev/null || fail "dot refused /pods.dot"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/nothing")" = 404 ] || fail "no 404"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/")" = 405 ] || fail "POST is not 405"
# Only addresses and localhost name this server (DNS rebinding): a DNS name gets 421.
port="${base##*:}"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: evil.example:$port" "$base/pods.json")" = 421 ] ||
    fail "a DNS name in Host is not refused with 421"
for h in "localhost:$port" "127.0.0.1:$port" "127.0.0.1" "[::1]:$port"; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $h" "$base/pods.json")" = 200 ] ||
        fail "Host $h is refused"
done
for h in "" "127.0.0.1:" "127.0.0.1:x" "[::1" "evil.example"; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $h" "$base/pods.json")" != 200 ] ||
        fail "Host '$h' is served"
done

"$node" "$here/pods_page_test.mjs" --base "$base" --pods 2 --nodes 6 --bridges 1 \
    --stop-cmd "kill -9 $server" "$@"
rc=$?
[ "$rc" = 77 ] && exit 77
[ "$rc" = 0 ] || fail "the page test failed ($rc)"
kill -TERM "$serve"
wait "$serve"
[ $? = 0 ] || fail "steady-pods --serve did not exit 0 on SIGTERM"
echo "pods_serve_test: served, drawn in 2-D and 3-D, red when the server died, stopped cleanly"
