#!/usr/bin/env bash
# pods_test.sh STEADY_PODS BIN_DIR — steady-pods against two real pods of lesson 03 joined over
# core NATS (a nats-server started here on a free port), each serving its telemetry: the text
# and the Graphviz view name both pods and the bridge between them (accepted by dot), the
# bridge turns "down" (red) when the server is killed; an unreachable pod is exit 1 with a
# message, bad arguments exit 2.
set -uo pipefail
pods="$1" bin="$2"
. "$(dirname "$0")/two_pods.sh"
start_two_pods "$bin" 300
urls=("http://127.0.0.1:$pp" "http://127.0.0.1:$sp")
for _ in $(seq 1 500); do # until both pods have published a frame and the bridge is up
    text="$("$pods" "${urls[@]}" 2>&1)" && grep -q "egress (up) -> pod 2 ingress (up)" <<<"$text" && break
    sleep 0.02
done
grep -q "^pod 1  http://127.0.0.1:$pp/snapshot.json  graph 'lesson-03-publish' running" <<<"$text" ||
    fail "no publishing pod in: $text"
grep -q "^pod 2  http://127.0.0.1:$sp/snapshot.json  graph 'lesson-03-subscribe' running" <<<"$text" ||
    fail "no subscribing pod in: $text"
grep -q "^bridge  pod 1 egress (up) -> pod 2 ingress (up)  nats://127.0.0.1:$np/lesson03.values  " <<<"$text" ||
    fail "no bridge in: $text"
"$pods" --dot "${urls[@]}" >"$work/joined.dot" || fail "--dot exited $?"
dot -Tsvg -o "$work/joined.svg" "$work/joined.dot" || fail "dot refused the joined graph"
[ "$(grep -c '^  subgraph cluster_pod' "$work/joined.dot")" = 2 ] || fail "not two clusters"
grep -q '^  "p0_a0" -> "p1_a0" \[label="nats://127.0.0.1:'"$np"'/lesson03.values\\n.*style="bold,dashed"' \
    "$work/joined.dot" || fail "no bridge edge in: $(cat "$work/joined.dot")"
kill -9 "$server"
for _ in $(seq 1 500); do
    text="$("$pods" "${urls[@]}" 2>&1)" && grep -q "egress (down) -> pod 2 ingress (down)" <<<"$text" && break
    sleep 0.02
done
grep -q "egress (down) -> pod 2 ingress (down)" <<<"$text" || fail "the bridge is not down: $text"
"$pods" --dot "${urls[@]}" | grep -q 'nats egress · down", color="red"' || fail "no red egress"
out="$("$pods" "${urls[@]}" "http://127.0.0.1:1" 2>&1)"
[ $? = 1 ] || fail "an unreachable pod is not exit 1"
grep -q "steady-pods: http://127.0.0.1:1/snapshot.json: " <<<"$out" || fail "no message: $out"
"$pods" >/dev/null 2>&1
[ $? = 2 ] || fail "no URL is not exit 2"
"$pods" --timeout 0 x >/dev/null 2>&1
[ $? = 2 ] || fail "--timeout 0 is not exit 2"
"$pods" --colour x >/dev/null 2>&1
[ $? = 2 ] || fail "an unknown option is not exit 2"
echo "pods_test: both pods and the bridge seen, down when the server died"
