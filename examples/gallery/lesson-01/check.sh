# shellcheck shell=bash
# Lesson 01's check (sourced by tests/new/lesson_test.sh): the generated lesson01 with these
# bodies prints lesson 01's exact Total, and a second run on its durable state goes on where the
# first stopped.
project lesson-01
step "lesson01 (20 beats of 100 ms, then the heartbeat stops the graph): Total == Sent, each value's FizzBuzz counted once"
(cd "$tmp" && "$prog" --state-dir "$tmp/state") >"$tmp/run1.log" 2>&1 ||
    { cat "$tmp/run1.log" >&2; fail "lesson01 failed"; }
grep -q "graph 'lesson01' stopped cleanly" "$tmp/run1.log" || fail "lesson01: no clean stop"
fizzbuzz_totals "$tmp/run1.log" 0
sent="$(sed -n 's/.*Generator shutting down\. Sent: \([0-9]*\).*/\1/p' "$tmp/run1.log")"
step "again, on the durable state: the generator goes on from $sent"
(cd "$tmp" && "$prog" --state-dir "$tmp/state") >"$tmp/run2.log" 2>&1 ||
    { cat "$tmp/run2.log" >&2; fail "the second run failed"; }
fizzbuzz_totals "$tmp/run2.log" "$sent"
