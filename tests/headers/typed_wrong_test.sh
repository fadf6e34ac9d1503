#!/bin/sh
# typed_wrong_test.sh CC INCLUDE_DIR SOURCE
#
# Compiles SOURCE (typed_wrong.c) with -DCASE=0 (must compile: the control) and with each
# -DCASE=1..5 (each passes one end of the wrong type or kind to a typed call: must fail with an
# "incompatible type" error, and not for another reason).
set -u
cc=$1
inc=$2
src=$3
flags="-std=c11 -pedantic -Wall -Wextra -Werror -fsyntax-only -I$inc"
status=0
if ! out=$($cc $flags -DCASE=0 "$src" 2>&1); then
    echo "typed_wrong: the control (CASE 0) does not compile:"
    echo "$out"
    exit 1
fi
for c in 1 2 3 4 5 6; do
    if out=$($cc $flags -DCASE=$c "$src" 2>&1); then
        echo "typed_wrong: CASE $c compiled, but passes an end of the wrong type: the typed layer must refuse it"
        status=1
    elif ! printf '%s\n' "$out" | grep -q -E "incompatible (type|pointer type)|aligned to at most 64"; then
        echo "typed_wrong: CASE $c failed, but not with an incompatible-type error:"
        printf '%s\n' "$out" | head -5
        status=1
    else
        echo "typed_wrong: CASE $c refused: $(printf '%s\n' "$out" | grep -m1 -E 'incompatible|aligned to at most 64')"
    fi
done
[ "$status" -eq 0 ] && echo "typed_wrong: PASS: the control compiles, the 5 wrong ends and the over-aligned element are refused"
exit $status
