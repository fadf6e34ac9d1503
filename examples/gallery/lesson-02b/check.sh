# shellcheck shell=bash
# Lesson 02B's check (sourced by tests/new/lesson_test.sh): the generated lesson02b with these
# bodies runs flat out for its 10 beats of 20 ms, the heartbeat stops the graph, and the
# logger's Total is exact. The rate it prints is not judged: it depends on the machine and
# the build (sanitizers), the count's correctness does not. --run-ms is only a backstop.
project lesson-02b
step "lesson02b (10 beats of 20 ms at full speed, then the heartbeat stops the graph): Total == Sent, each value's FizzBuzz counted once"
(cd "$tmp" && timeout 60 "$prog" --run-ms 10000 --state-dir "$tmp/state") >"$tmp/run.log" 2>&1 ||
    { cat "$tmp/run.log" >&2; fail "lesson02b failed"; }
grep -q "graph 'lesson02b' stopped cleanly" "$tmp/run.log" || fail "lesson02b: no clean stop"
grep -q "Heartbeat shutting down. Beats: 10" "$tmp/run.log" || fail "lesson02b: the heartbeat did not stop the graph after its 10 beats"
fizzbuzz_totals "$tmp/run.log" 0
