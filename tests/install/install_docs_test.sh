#!/usr/bin/env bash
# docs/BUILDING.md's "Installing to a custom prefix, step by step", run as written. The blocks
# between the markers <!-- install-steps:begin ... --> and <!-- install-steps:end --> are
# taken from the page: every ```sh block, in order, becomes one script; the ```cmake block is
# the project's CMakeLists.txt. They run in a scratch HOME:
#   $HOME/steady   stands for steady's checkout: build/release is this build tree
#   $HOME/app      the user's project: app.c is the README's first ```c block
# with no LD_LIBRARY_PATH, PKG_CONFIG_PATH or CMAKE_PREFIX_PATH from outside, and `cc` being
# this build's compiler (with its sanitizer flags, which an instrumented library needs). Every
# program the steps run must print the README example's "sum of 0..999 = 499500": three of
# them (pkg-config, CMake build tree, CMake install).
#
# Run by ctest (tests/install/CMakeLists.txt). By hand:
#   STEADY_BUILD_DIR=build/release STEADY_SOURCE_DIR=$PWD bash tests/install/install_docs_test.sh
set -euo pipefail
NAME=install_docs
# shellcheck source=tests/install/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

page="$STEADY_SOURCE_DIR/docs/BUILDING.md"
readme="$STEADY_SOURCE_DIR/README.md"
home="$tmp/home"
mkdir -p "$home/steady/build" "$home/app" "$tmp/bin"
ln -s "$(readlink -f "$STEADY_BUILD_DIR")" "$home/steady/build/release"

step "extract the steps from docs/BUILDING.md"
# state 0: before begin, 1: between the markers, outside a block, 2: in a sh block, 3: in a
# cmake block, 4: after end. Other blocks between the markers are an error: the page would
# show a step the test does not run.
awk -v sh="$tmp/steps.sh" -v cm="$home/app/CMakeLists.txt" '
    state == 0 && /^<!-- install-steps:begin/ { state = 1; next }
    state == 1 && /^<!-- install-steps:end/   { state = 4; exit }
    state == 1 && /^```sh[ \t]*$/             { state = 2; nsh++; next }
    state == 1 && /^```cmake[ \t]*$/          { state = 3; ncm++; next }
    state == 1 && /^```/                      { bad = $0; exit }
    (state == 2 || state == 3) && /^```[ \t]*$/ { state = 1; next }
    state == 2                                { print > sh }
    state == 3                                { print > cm }
    END {
        if (bad != "") { print "a block other than sh/cmake between the markers: " bad > "/dev/stderr"; exit 3 }
        if (state != 4) { print "no <!-- install-steps:begin/end --> pair around closed blocks" > "/dev/stderr"; exit 3 }
        if (nsh < 1 || ncm != 1) { print "expected sh blocks and one cmake block, got " nsh + 0 " and " ncm + 0 > "/dev/stderr"; exit 3 }
    }' "$page" || fail "could not take the install steps from $page"
echo "   $(grep -c . "$tmp/steps.sh") command lines, CMakeLists.txt of $(grep -c . "$home/app/CMakeLists.txt") lines"

# app.c: the README's first ```c block (README's own test checks it alone).
awk 'f == 0 && /^ ? ? ?```[ \t]*c[ \t]*$/ { f = 1; next }
     f == 1 && /^ ? ? ?```[ \t]*$/ { exit }
     f == 1 { print }' "$readme" >"$home/app/app.c"
[[ -s "$home/app/app.c" ]] || fail "README.md has no \`\`\`c block to use as app.c"

# `cc` is this build's compiler with its sanitizer flags (an instrumented library needs them).
cat >"$tmp/bin/cc" <<SHIM
#!/bin/sh
exec "$STEADY_CC" $STEADY_SANITIZE_FLAGS "\$@"
SHIM
chmod +x "$tmp/bin/cc"

step "run the steps (bash -eu, in \$HOME/steady, HOME=$home)"
set +e
(
    cd "$home/steady" &&
        env -u PKG_CONFIG_PATH -u CMAKE_PREFIX_PATH -u LD_LIBRARY_PATH \
            HOME="$home" PATH="$tmp/bin:$PATH" CC="$tmp/bin/cc" \
            bash -eu -o pipefail -x "$tmp/steps.sh"
) >"$tmp/steps.log" 2>&1
status=$?
set -e
if [[ $status -ne 0 ]]; then
    echo "---- the steps ----" >&2
    cat -n "$tmp/steps.sh" >&2
    echo "---- their output (bash -x) ----" >&2
    tail -n 60 "$tmp/steps.log" >&2
    fail "the steps of docs/BUILDING.md failed (status $status)"
fi
runs="$(grep -c '^sum of 0\.\.999 = 499500$' "$tmp/steps.log" || true)"
[[ "$runs" -eq 3 ]] || {
    tail -n 60 "$tmp/steps.log" >&2
    fail "expected 3 programs to print 'sum of 0..999 = 499500', saw $runs"
}
[[ -x "$home/opt/app/bin/app" ]] || fail "the steps did not install \$HOME/opt/app/bin/app"
has_runpath "$home/opt/app/bin/app" "$home/opt/steady/lib" ||
    fail "the installed app has no RUNPATH to \$HOME/opt/steady/lib"
echo "   3 programs printed 'sum of 0..999 = 499500' (pkg-config, CMake build tree, CMake install)"
echo "$NAME test: PASS"
