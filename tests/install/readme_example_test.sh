#!/usr/bin/env bash
# The README's example must work: extract the FIRST ```c fenced block of README.md (a complete
# program), compile it as a user would (strict C11, public headers only, libsteady.a, -pthread),
# and run it: it must exit 0 within 20 seconds. No README, or no ```c block in it, is a failure.
#
# Run by ctest (tests/install/CMakeLists.txt sets the environment below). By hand:
#   STEADY_README=README.md STEADY_INCLUDE_DIR=include \
#   STEADY_STATIC_LIB=build/release/libsteady.a bash tests/install/readme_example_test.sh
set -euo pipefail

: "${STEADY_README:?path of README.md}"
: "${STEADY_INCLUDE_DIR:?public include directory}"
: "${STEADY_STATIC_LIB:?path of libsteady.a}"
STEADY_CC="${STEADY_CC:-cc}"
STEADY_CFLAGS="${STEADY_CFLAGS:--std=c11 -Wall -Wextra}"
STEADY_SANITIZE_FLAGS="${STEADY_SANITIZE_FLAGS:-}"
STEADY_LIBS_PRIVATE="${STEADY_LIBS_PRIVATE:-}"
STEADY_REQUIRES_PRIVATE="${STEADY_REQUIRES_PRIVATE:-}"
run_timeout=20

fail() {
    echo "readme_example: FAIL: $*" >&2
    exit 1
}

[[ -f "$STEADY_README" ]] || fail "$STEADY_README does not exist"
[[ -f "$STEADY_STATIC_LIB" ]] || fail "$STEADY_STATIC_LIB does not exist (build first)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/steady-readme-test.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
src="$tmp/readme_example.c"

# state 0: before the block, 1: inside it, 2: after it (done). A ```c opening fence may be
# indented by up to 3 spaces (CommonMark); ```cpp, ```cmake, ```console do not count.
awk -v out="$src" '
    state == 0 && /^ ? ? ?```[ \t]*c[ \t]*$/ { state = 1; next }
    state == 1 && /^ ? ? ?```[ \t]*$/         { state = 2; exit }
    state == 1                                { print > out }
    END {
        if (state == 0) exit 3
        if (state == 1) exit 4
    }' "$STEADY_README" || {
    case $? in
    3) fail "$STEADY_README has no \`\`\`c code block (the README must show a complete example program in its first \`\`\`c block)" ;;
    4) fail "the first \`\`\`c block of $STEADY_README is not closed" ;;
    *) fail "could not read $STEADY_README" ;;
    esac
}
[[ -s "$src" ]] || fail "the first \`\`\`c block of $STEADY_README is empty"
echo "readme_example: extracted $(wc -l <"$src") lines from the first \`\`\`c block of $STEADY_README"

read -r -a cflags <<<"$STEADY_CFLAGS"
read -r -a san <<<"$STEADY_SANITIZE_FLAGS"
read -r -a libs <<<"$STEADY_LIBS_PRIVATE"
if [[ -n "$STEADY_REQUIRES_PRIVATE" ]]; then
    # One argument: pkg-config parses a module list with version constraints itself.
    more="$(pkg-config --libs "$STEADY_REQUIRES_PRIVATE")" ||
        fail "pkg-config --libs $STEADY_REQUIRES_PRIVATE failed"
    read -r -a more_libs <<<"$more"
    libs+=("${more_libs[@]}")
fi

[[ " ${libs[*]} " == *" -pthread "* ]] || libs+=(-pthread)

cmd=("$STEADY_CC" "${cflags[@]}" "${san[@]}" -I "$STEADY_INCLUDE_DIR" "$src"
    "$STEADY_STATIC_LIB" "${libs[@]}" -o "$tmp/readme_example")
echo "readme_example: ${cmd[*]}"
if ! "${cmd[@]}"; then
    echo "---- the extracted program, with line numbers ----" >&2
    cat -n "$src" >&2
    fail "the README example does not compile"
fi

echo "readme_example: running it (limit ${run_timeout} s)"
set +e
(cd "$tmp" && timeout -k 5 "$run_timeout" ./readme_example </dev/null)
status=$?
set -e
[[ $status -ne 124 && $status -ne 137 ]] ||
    fail "the README example did not finish within ${run_timeout} s"
[[ $status -eq 0 ]] || fail "the README example exited with status $status"
echo "readme_example: PASS"
