#!/usr/bin/env bash
# lesson_check.sh — end-to-end checks of the lesson programs, as a user would run them.
#
#   lesson_check.sh lesson00 <binary>            beats, exit code, --help, bad arguments
#   lesson_check.sh fizzbuzz <binary> [args...]  exact FizzBuzz totals (lessons 01, 02A, 02B)
#
# The fizzbuzz check recomputes the expected counts for 0..N-1 from the generator's
# "Sent: N" line and compares them with the logger's final line, field by field. With
# FIRST_LINE set (an extended regular expression), the program's first line must match it;
# with EXPECT_LINE=<extended regex> set, some output line must also match it.
set -euo pipefail

mode=$1 bin=$2
shift 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT

fail() { echo "FAIL: $*" >&2; echo "--- output ---" >&2; tail -n 40 "$out" >&2; exit 1; }

check_cli() { # bad arguments exit 2 with a message naming the option; --help exits 0
    "$bin" --help >"$out" 2>&1 || fail "--help exited non-zero"
    grep -q -- "--rate MS" "$out" || fail "--help does not describe --rate"
    grep -q -- "--beats N" "$out" || fail "--help does not describe --beats"
    local rc=0
    "$bin" --rate abc >"$out" 2>&1 || rc=$?
    [ "$rc" -eq 2 ] || fail "--rate abc exited $rc, expected 2"
    grep -q -- "--rate needs a whole number" "$out" || fail "--rate abc gave no clear message"
    rc=0
    "$bin" --bogus >"$out" 2>&1 || rc=$?
    [ "$rc" -eq 2 ] || fail "--bogus exited $rc, expected 2"
    grep -q "unknown option '--bogus'" "$out" || fail "--bogus gave no clear message"
    rc=0
    "$bin" --beats 0 >"$out" 2>&1 || rc=$?
    [ "$rc" -eq 2 ] || fail "--beats 0 exited $rc, expected 2"
}

case "$mode" in
lesson00)
    check_cli
    "$bin" --rate 20 --beats 5 >"$out" 2>&1 || fail "lesson 00 exited non-zero"
    n=$(grep -c "Heartbeat [0-9]* of 5" "$out" || true)
    [ "$n" -eq 5 ] || fail "expected 5 heartbeat lines, saw $n"
    grep -q "^Heartbeats: 5$" "$out" || fail "missing final 'Heartbeats: 5'"
    grep -qE '^\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{6}\] T\[heartbeat\] INFO \[main\.c:[0-9]+\] Heartbeat 1 of 5' "$out" ||
        fail "log line format"
    ;;
fizzbuzz)
    check_cli
    start=$(date +%s%N)
    "$bin" "$@" >"$out" 2>&1 || fail "$(basename "$bin") exited non-zero"
    elapsed_ms=$((($(date +%s%N) - start) / 1000000))
    if [ -n "${FIRST_LINE:-}" ]; then
        head -n 1 "$out" | grep -qE -- "$FIRST_LINE" || fail "the first line does not match: $FIRST_LINE"
    fi
    sent=$(sed -n 's/.*Generator shutting down\. Sent: \([0-9]*\)$/\1/p' "$out")
    [ -n "$sent" ] || fail "no 'Generator shutting down. Sent: N' line"
    last=$(grep "T\[logger\]" "$out" | tail -n 1)
    [[ "$last" =~ Logger\ shutting\ down\.\ Total:\ ([0-9]+)\ \(F:([0-9]+),\ B:([0-9]+),\ FB:([0-9]+),\ V:([0-9]+)\)$ ]] ||
        fail "the logger's last line is not the Total line: $last"
    total=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} b=${BASH_REMATCH[3]} fb=${BASH_REMATCH[4]} v=${BASH_REMATCH[5]}
    # values 0..sent-1: multiples of 15, of 3 only, of 5 only, and the rest
    efb=$(((sent + 14) / 15)) ef=$(((sent + 2) / 3 - (sent + 14) / 15)) eb=$(((sent + 4) / 5 - (sent + 14) / 15))
    ev=$((sent - efb - ef - eb))
    [ "$total" -eq "$sent" ] || fail "logger counted $total, generator sent $sent"
    [ "$total" -eq $((f + b + fb + v)) ] || fail "N != a+b+c+d in: $last"
    [ "$f" -eq "$ef" ] && [ "$b" -eq "$eb" ] && [ "$fb" -eq "$efb" ] && [ "$v" -eq "$ev" ] ||
        fail "counts (F:$f B:$b FB:$fb V:$v) differ from expected (F:$ef B:$eb FB:$efb V:$ev) for $sent values"
    [ "${MIN_TOTAL:-1000}" -le "$total" ] || fail "total $total below ${MIN_TOTAL:-1000}"
    if [ -n "${EXPECT_LINE:-}" ]; then
        grep -qE -- "$EXPECT_LINE" "$out" || fail "no line matches: $EXPECT_LINE"
    fi
    if [ -n "${MIN_MS:-}" ]; then
        [ "$elapsed_ms" -ge "$MIN_MS" ] && [ "$elapsed_ms" -le "$MAX_MS" ] ||
            fail "run took $elapsed_ms ms, expected $MIN_MS..$MAX_MS"
    fi
    echo "ok: $total values in $elapsed_ms ms ($last)"
    ;;
*) echo "usage: $0 lesson00|fizzbuzz <binary> [args...]" >&2; exit 2 ;;
esac
