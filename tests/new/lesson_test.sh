#!/usr/bin/env bash
# A gallery lesson with its actor bodies filled in, as a user finishes a generated project:
# steady installed into a prefix, the installed steady-new generates each project the lesson
# uses, the lesson's bodies replace the generated ones, CMake builds it against the installed
# package, and the lesson's check (examples/gallery/LESSON/check.sh) runs the programs and
# checks the lesson's exact Totals.
#
# check.sh is sourced here, with:
#   project STEM [BODIES]  generates examples/gallery/STEM.toml into $tmp/STEM, copies
#                          BODIES/*.c (default examples/gallery/LESSON/src) over its src/ (and
#                          BODIES/../tests/*.c over its tests/ when there are some, then runs its
#                          ctest), builds it; sets $out (the project) and $prog (its program)
#   fizzbuzz_totals LOG FIRST  checks a "Total: N (F:f, B:b, FB:fb, V:v)" line against the
#                          FizzBuzz of FIRST..FIRST+N-1 and that N equals the "Sent: N" line;
#                          prints the figures
#   fail, step, $tmp (tests/install/lib.sh)
#
# Run by ctest as codegen_LESSON (tests/new/CMakeLists.txt); by hand:
#   STEADY_BUILD_DIR=build/release STEADY_SOURCE_DIR=$PWD bash tests/new/lesson_test.sh lesson-01
set -euo pipefail
lesson="${1:?usage: lesson_test.sh LESSON (a directory under examples/gallery/)}"
NAME="codegen_$lesson"
# shellcheck source=tests/install/lib.sh
source "$STEADY_SOURCE_DIR/tests/install/lib.sh"
gallery="$STEADY_SOURCE_DIR/examples/gallery"
[[ -f "$gallery/$lesson/check.sh" ]] || fail "no $gallery/$lesson/check.sh"
prefix="$tmp/prefix"
step "cmake --install $STEADY_BUILD_DIR --prefix $prefix"
install_to "$prefix"
new="$prefix/bin/steady-new"

project() { # STEM [BODIES]
    local stem="$1" bodies="${2:-$gallery/$lesson/src}"
    out="$tmp/$stem"
    step "$stem: steady-new $gallery/$stem.toml --out $out, the bodies of $bodies"
    "$new" "$gallery/$stem.toml" --out "$out" >"$tmp/$stem.new.log" 2>&1 ||
        { cat "$tmp/$stem.new.log" >&2; fail "$stem: steady-new failed"; }
    cp "$bodies"/*.c "$out/src/"
    local tests=("$bodies"/../tests/*.c)
    [[ -e "${tests[0]}" ]] && cp "${tests[@]}" "$out/tests/"
    cmake_consumer "$out" "$out/build" "$prefix"
    prog="$out/build/$(sed -n 's/^project(\([a-z0-9_]*\) .*/\1/p' "$out/CMakeLists.txt")"
    if [[ -e "${tests[0]}" ]]; then
        step "$stem: its tests"
        (cd "$out/build" && ctest --output-on-failure --timeout 120) >"$tmp/$stem.ctest.log" 2>&1 ||
            { cat "$tmp/$stem.ctest.log" >&2; fail "$stem: the project's tests failed"; }
    fi
}

fizzbuzz_totals() { # LOG FIRST
    python3 - "$1" "$2" <<'PY' || fail "the totals of $1: see above"
import re, sys
log, first = open(sys.argv[1]).read(), int(sys.argv[2])
t = re.search(r"Total: (\d+) \(F:(\d+), B:(\d+), FB:(\d+), V:(\d+)\)", log)
g = re.search(r"Sent: (\d+) \(from (\d+)\)", log)
if not t or not g:
    sys.exit(print(log, "no Total or Sent line", file=sys.stderr))
n, f, b, fb, v = map(int, t.groups())
sent, start = map(int, g.groups())
def below(k, d):  # multiples of d in 0..k-1
    return (k + d - 1) // d
def between(d):  # multiples of d in start..start+sent-1
    return below(start + sent, d) - below(start, d)
fizzbuzz = between(15)
want = [between(3) - fizzbuzz, between(5) - fizzbuzz, 0, fizzbuzz]  # F, B, V, FB
want[2] = sent - want[0] - want[1] - want[3]
ok = n == sent > 0 and start == first and [f, b, v, fb] == want
print(f"Total {n}, Sent {sent} from {start}: {'exact' if ok else 'WRONG'} (F:{f}, B:{b}, FB:{fb}, V:{v}; want F:{want[0]}, B:{want[1]}, FB:{want[3]}, V:{want[2]})")
sys.exit(0 if ok else 1)
PY
}

# shellcheck source=/dev/null
source "$gallery/$lesson/check.sh"
echo "$NAME: ok"
