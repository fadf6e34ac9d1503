#!/usr/bin/env bash
# lesson03_check.sh BIN_DIR RUNNER_ARGS... — runs lesson 03's runner as a user would and checks
# what it promises: exit 0, "totals match", and the subscriber's FizzBuzz counts exactly those of
# the values 0..N-1 (N the publisher's "Total generated"), with no gap.
set -uo pipefail
bin="$1"
shift
runner="$(dirname "$0")/../../examples/lesson-03-distributed/run"
# Interrupted (SIGINT, as Ctrl-C) before ctest's own timeout, so a hang still shows the pods'
# last log lines instead of nothing.
out="$(timeout -s INT "${LESSON03_CHECK_TIMEOUT:-100}" bash "$runner" --bin "$bin" --no-telemetry "$@" 2>&1)"
status=$?
fail() {
    echo "lesson03_check: $*" >&2
    echo "--- runner output ---" >&2
    echo "$out" >&2
    exit 1
}
[ "$status" = 0 ] || fail "the runner exited $status"
grep -q "^run: totals match: " <<<"$out" || fail "no 'totals match' line"
n="$(sed -n 's/.*Total generated: \([0-9]*\)$/\1/p' <<<"$out" | tail -1)"
line="$(grep "Logger shutting down. Total: " <<<"$out" | tail -1)"
[ -n "$n" ] && [ "$n" -gt 0 ] || fail "no 'Total generated: N' line"
fb=$(((n + 14) / 15))
f=$(((n + 2) / 3 - fb))
b=$(((n + 4) / 5 - fb))
v=$((n - f - b - fb))
want="Total: $n (F:$f, B:$b, FB:$fb, V:$v)"
grep -qF "$want" <<<"$line" || fail "expected '$want' in: $line"
grep -q "Audit: next sequence $n, 0 lost (gaps)" <<<"$out" || fail "the audit found gaps"
args=" $* "
if [[ "$args" =~ " --kill-subscriber "([0-9]+)" " ]]; then # each kill happened mid-stream
    k="${BASH_REMATCH[1]}"
    grep -q "subscriber SIGKILLed ($k of $k)" <<<"$out" || fail "fewer than $k kills mid-stream"
fi
if [[ "$args" =~ " --kill-publisher "([0-9]+)" " ]]; then
    k="${BASH_REMATCH[1]}"
    grep -q "publisher SIGKILLed ($k of $k)" <<<"$out" || fail "fewer than $k publisher kills"
fi
echo "lesson03_check: $want over $*"
