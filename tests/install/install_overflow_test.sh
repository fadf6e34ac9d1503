#!/usr/bin/env bash
# A stack overflow in a downstream program's actor, built against the installed package both
# ways (tests/install/consumer/overflow.c says what the program does):
#
#   1. install into a temporary prefix
#   2. build overflow.c through pkg-config (with the flags it gives, nothing added) and through
#      find_package(steady) (steady::steady's INTERFACE options)
#   3. each build, in-process: the process dies of SIGSEGV, and stderr has
#        steady: stack overflow in actor 'deep': it overran its 98304-byte stack (a fault in
#        its guard page); give it a larger .stack_size
#   4. each build, ISOLATED: the child dies of the overflow (the same line on stderr), 'deep'
#      is restarted once, and the graph still moves all its values and stops cleanly
#   5. frames larger than the 256 KiB guard (-DFRAME_KIB=512), the pkg-config build: the
#      probes the flag adds fault in the guard, so 'deep' is named (this is what the flag
#      buys: a 64 KiB frame faults in the wide guard even without it);
#   6. the control: the same with -fno-stack-clash-protection appended. Its 512 KiB frame steps
#      over the guard, so the line naming 'deep' must NOT appear (if it did, this toolchain
#      probes the stack anyway and step 5 could not tell whether the flag reached the
#      consumer). What happened instead is printed.
#
# Under a sanitizer the programs are instrumented too, and run with the sanitizer's SIGSEGV
# handling off (tests/install/CMakeLists.txt sets ASAN_OPTIONS / TSAN_OPTIONS handle_segv=0):
# steady's handler names the actor and hands the fault to the default action, as in a plain
# build.
#
# Run by ctest (tests/install/CMakeLists.txt). By hand:
#   STEADY_BUILD_DIR=build/release STEADY_SOURCE_DIR=$PWD bash tests/install/install_overflow_test.sh
set -euo pipefail
NAME=install_overflow
# shellcheck source=tests/install/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ulimit -c 0 # the in-process runs die of SIGSEGV on purpose: no core files
prefix="$tmp/prefix"
named="steady: stack overflow in actor 'deep': it overran its 98304-byte stack (a fault in its guard page); give it a larger .stack_size"
run_limit=60

step "install into $prefix"
install_to "$prefix"
export PKG_CONFIG_PATH="$pcdir"

step "build overflow.c through pkg-config and through find_package(steady)"
read -r -a pc_flags <<<"$(pkg-config --cflags --libs steady)"
pc_libdir="$(pkg-config --variable=libdir steady)"
build_pc() { # output, extra flags...
    local out="$1"
    shift
    echo "   $STEADY_CC ${cflags[*]} ${san[*]} overflow.c ${pc_flags[*]} -Wl,-rpath,$pc_libdir $*"
    "$STEADY_CC" "${cflags[@]}" "${san[@]}" "$consumer_src/overflow.c" "${pc_flags[@]}" \
        "-Wl,-rpath,$pc_libdir" "$@" -o "$out" || fail "overflow.c did not build through pkg-config"
}
build_pc "$tmp/overflow_pc"
cmake_consumer "$consumer_src" "$tmp/consumer-build" "$prefix"
declare -A builds=([pkg-config]="$tmp/overflow_pc" [find_package]="$tmp/consumer-build/overflow")

# run_case BINARY MODE: runs it (bounded), leaves its exit status in $status and its output in
# $tmp/out and $tmp/err.
run_case() {
    set +e
    # In a subshell that exits by itself: bash would print "Segmentation fault" for a command
    # it ran directly.
    (
        timeout -k 5 "$run_limit" "$1" "$2" >"$tmp/out" 2>"$tmp/err"
        exit $?
    ) 2>/dev/null
    status=$?
    set -e
    [[ $status -ne 124 && $status -ne 137 ]] ||
        fail "$1 $2 did not finish within $run_limit s; stderr: $(tail -n 20 "$tmp/err")"
}
died_how() { # exit status -> words
    if (($1 > 128)); then echo "killed by signal $(($1 - 128)) ($(kill -l $(($1 - 128))))"; else echo "exit status $1"; fi
}

for how in pkg-config find_package; do
    bin="${builds[$how]}"
    step "$how build, in-process: dies of SIGSEGV, naming 'deep'"
    run_case "$bin" inproc
    [[ $status -eq $((128 + 11)) ]] ||
        fail "$how: the in-process overflow ended by $(died_how $status), not SIGSEGV; stderr:" \
            "$(cat "$tmp/err")"
    grep -qxF "$named" "$tmp/err" ||
        fail "$how: stderr lacks the line naming the actor:" $'\n'"$named"$'\n'"stderr:"$'\n'"$(cat "$tmp/err")"
    echo "   $(died_how $status); stderr: $(grep -F 'stack overflow' "$tmp/err")"

    step "$how build, ISOLATED: the child dies, 'deep' restarts, the graph finishes its work"
    run_case "$bin" isolated
    [[ $status -eq 0 ]] || fail "$how: the isolated run ended by $(died_how $status):" \
        "$(cat "$tmp/out")" $'\n'"stderr:"$'\n'"$(cat "$tmp/err")"
    grep -qxF "$named" "$tmp/err" ||
        fail "$how: the isolated child did not name the actor; stderr:"$'\n'"$(cat "$tmp/err")"
    grep -qF "actor 'deep' failed (regeneration 0): its process killed by SIGSEGV" "$tmp/err" ||
        fail "$how: the warden did not report the child's SIGSEGV; stderr:"$'\n'"$(cat "$tmp/err")"
    echo "   $(cat "$tmp/out")"
done

step "frames larger than the guard, pkg-config build: the probes fault in the guard, naming 'deep'"
build_pc "$tmp/overflow_big" -DFRAME_KIB=512
run_case "$tmp/overflow_big" inproc
[[ $status -eq $((128 + 11)) ]] && grep -qxF "$named" "$tmp/err" ||
    fail "512 KiB frames: the flag's probes did not name 'deep' (ended by $(died_how $status));" \
        "stderr:"$'\n'"$(cat "$tmp/err")"
echo "   $(died_how $status); stderr: $(grep -F 'stack overflow' "$tmp/err")"

step "control: the same without -fstack-clash-protection steps over the guard"
build_pc "$tmp/overflow_unprotected" -DFRAME_KIB=512 -fno-stack-clash-protection
run_case "$tmp/overflow_unprotected" inproc
if grep -qF "stack overflow in actor 'deep'" "$tmp/err"; then
    fail "built without -fstack-clash-protection, the overflow still named 'deep': this" \
        "toolchain probes the stack anyway, so the checks above cannot tell whether the flag" \
        "reached the consumer"
fi
[[ $status -ne 0 ]] || fail "the unprotected build exited 0 after overflowing"
other="$(grep -F 'stack overflow' "$tmp/err" || true)"
echo "   $(died_how $status), without naming 'deep'${other:+ (it named another actor: $other)}"

echo "$NAME test: PASS"
