#!/usr/bin/env bash
# The doc checker catches what it is meant to catch: run on tests/docs/selftest/bad (pages and
# examples that drift in every way it knows, one per block), it must fail with exactly the
# failures listed in bad/expected.txt, each at its page and line, with its message; run on
# tests/docs/selftest/good (every mode used correctly), it must pass with the counts in
# good/expected.txt. The spinning program in bad/README.md is the supervise.md bug of issue 10.
#
# Same environment as doc_examples_test.sh (tests/docs/CMakeLists.txt sets it).
set -euo pipefail

: "${STEADY_SOURCE_DIR:?the repository root directory}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$STEADY_SOURCE_DIR" && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/steady-doc-selftest.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "doc_examples_selftest: FAIL: $*" >&2
    failures=$((failures + 1))
}

# run_on <fixture>: copies it to a root of its own, with the real public headers, and runs the
# checker there. Writes <fixture>.out; prints the exit status.
run_on() {
    local root="$tmp/$1" status=0
    cp -r "$here/selftest/$1" "$root"
    rm -f "$root/expected.txt"
    ln -s "$src/include" "$root/include"
    STEADY_SOURCE_DIR="$root" STEADY_DOC_RUN_TIMEOUT=3 \
        bash "$here/doc_examples_test.sh" >"$tmp/$1.out" 2>&1 || status=$?
    echo "$status"
}

# ---- bad: every expected failure, and no other ------------------------------------------------
status="$(run_on bad)"
[[ "$status" == 1 ]] || fail "on selftest/bad the checker exited $status, not 1"
# One record per failure: its FAIL line and the indented lines after it, joined by " | ".
awk '/^FAIL / { if (r != "") print r; r = $0; next }
     /^    / && r != "" { r = r " | " $0; next }
     { if (r != "") print r; r = "" }
     END { if (r != "") print r }' "$tmp/bad.out" >"$tmp/records"
while IFS=$'\t' read -r where text; do
    if ! grep -F -- "FAIL $where" "$tmp/records" | grep -qF -- "$text"; then
        fail "no failure at '$where' saying '$text'"
    fi
done <"$here/selftest/bad/expected.txt"
want="$(cut -f1 "$here/selftest/bad/expected.txt" | sort -u | wc -l)"
got="$(wc -l <"$tmp/records")"
[[ "$got" == "$want" ]] || fail "selftest/bad gave $got failures, not the $want expected"

# ---- good: a pass, with the expected counts ---------------------------------------------------
status="$(run_on good)"
[[ "$status" == 0 ]] || fail "on selftest/good the checker exited $status, not 0"
grep -qxF -- "$(cat "$here/selftest/good/expected.txt")" "$tmp/good.out" ||
    fail "selftest/good's summary is not: $(cat "$here/selftest/good/expected.txt")"

if [[ $failures -gt 0 ]]; then
    for f in bad good; do
        echo "---- the checker's output on selftest/$f ----" >&2
        cat "$tmp/$f.out" >&2
    done
    exit 1
fi
echo "doc_examples_selftest: PASS ($want kinds of drift caught at their page and line; the good pages pass)"
