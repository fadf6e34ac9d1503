#!/usr/bin/env bash
# demo_quiet_test.sh SOURCE_DIR — `make demo` is quiet (issue 10): configuring and building are
# one "-- ..." line each (their output goes to a log file), nothing of CMake's or the compiler's
# reaches the terminal, no misleading "skipping ck_ring" line, and lesson 01 says what it runs
# before it runs. Runs the real `make demo` in SOURCE_DIR with short lesson arguments (the
# build/release directory this test belongs to is already built, so the build step is a check).
set -euo pipefail
src=$1
out=$(mktemp)
log=$(mktemp)
trap 'rm -f "$out" "$log"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- make demo printed ---" >&2; cat "$out" >&2; exit 1; }

rc=0
make -C "$src" --no-print-directory demo DEMO_LOG="$log" DEMO_ARGS="--rate 10 --beats 20" \
    DEMO2_ARGS="--rate 2 --beats 200" >"$out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "make demo exited $rc"
grep -qx -- "-- configuring build/release (Release)…" "$out" || fail "no one-line configure step"
grep -qx -- "-- building lessons 01, 02A and 02B…" "$out" || fail "no one-line build step"
if grep -nE '^\[ *[0-9]+%\]|Scanning dependencies|Configuring done|Generating done|Build files have been written|^-- (The C compiler|Detecting|Check|Found|Looking)|ck_ring|warning:|^(cc|gcc|clang|/usr/bin/cmake) ' "$out"; then
    fail "CMake's or the compiler's output reached the terminal (lines above)"
fi
[ -s "$log" ] || fail "the demo's log ($log) is empty: where did the build output go?"
first=$(grep -m1 -A1 -- "^== lesson 01" "$out" | tail -1)
case "$first" in ./*lesson-01-standard*) ;; *) fail "lesson 01's command line is not shown first" ;; esac
grep -m1 -A2 -- "^== lesson 01" "$out" | tail -1 | grep -q "Running heartbeat + generator -> worker -> logger for about" ||
    fail "lesson 01 does not say first what it runs"
for verdict in "graph 'lesson-01' stopped cleanly" "lesson-02a-robust: generated .*: exact" \
    "graph 'lesson-02b' stopped cleanly" "line-server: accepted [0-9]+, served"; do
    grep -qE "$verdict" "$out" || fail "missing: $verdict"
done
echo "ok: make demo printed $(wc -l <"$out") lines, the build's $(wc -l <"$log") went to its log"
