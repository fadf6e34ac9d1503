# shellcheck shell=bash
# Lesson 01's check (sourced by tests/new/lesson_test.sh): the generated lesson01 with these
# bodies prints lesson 01's exact Total, and a second run on its durable state goes on where the
# first stopped.
project lesson-01
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
step "lesson01 (20 beats of 100 ms, then the heartbeat stops the graph; its dashboard on port $port): Total == Sent, each value's FizzBuzz counted once"
(cd "$tmp" && exec "$prog" --state-dir "$tmp/state" --telemetry-port "$port") >"$tmp/run1.log" 2>&1 &
run=$!
sleep 1 # mid-run: the graph's metrics, as Prometheus reads them
curl -sf --max-time 5 "http://127.0.0.1:$port/metrics" >"$tmp/metrics.txt" ||
    { wait "$run"; cat "$tmp/run1.log" >&2; fail "no /metrics on port $port"; }
wait "$run" || { cat "$tmp/run1.log" >&2; fail "lesson01 failed"; }
promtool check metrics <"$tmp/metrics.txt" >"$tmp/promtool.log" 2>&1 ||
    { cat "$tmp/promtool.log" >&2; fail "promtool refuses the generated program's /metrics"; }
grep -q '^steady_channel_.*"fizzbuzz' "$tmp/metrics.txt" ||
    { head -40 "$tmp/metrics.txt" >&2; fail "/metrics has no line for the fizzbuzz channel"; }
[[ -s "$tmp/logs/graph.dot" ]] || fail "the stop did not write logs/graph.dot"
dot -Tsvg "$tmp/logs/graph.dot" >/dev/null || fail "dot refuses logs/graph.dot"
grep -q "graph 'lesson01' stopped cleanly" "$tmp/run1.log" || fail "lesson01: no clean stop"
fizzbuzz_totals "$tmp/run1.log" 0
sent="$(sed -n 's/.*Generator shutting down\. Sent: \([0-9]*\).*/\1/p' "$tmp/run1.log")"
step "again, on the durable state: the generator goes on from $sent"
(cd "$tmp" && "$prog" --state-dir "$tmp/state") >"$tmp/run2.log" 2>&1 ||
    { cat "$tmp/run2.log" >&2; fail "the second run failed"; }
fizzbuzz_totals "$tmp/run2.log" "$sent"
