#!/usr/bin/env bash
# cli_check.sh — every benchmark program answers --help and refuses what it does not know.
#
#   cli_check.sh [--if-built] PROGRAM...
#
# A PROGRAM may be "python3 path/to/script.py" (one argument). `--if-built PROGRAM` checks
# PROGRAM only if the file exists (the peers, which only `make bench` builds) and says so if not.
#
# For each: `PROGRAM --help` exits 0 within 10 s and prints a line starting "usage:" on stdout;
# `PROGRAM --bogus-option` exits 2 and names the option in its message. (Two programs used to
# ignore --help: placement_probe ran its probe, troupe_switch its whole benchmark.)
set -uo pipefail

fails=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

fail() { echo "FAIL: $*" >&2; sed 's/^/    /' "$out" "$err" | tail -n 8 >&2; fails=$((fails + 1)); }

checked=0
while [ $# -gt 0 ]; do
    prog=$1
    shift
    if [ "$prog" = --if-built ]; then
        prog=$1
        shift
        if [ ! -x "$prog" ]; then
            echo "not built, not checked: $prog (make bench builds it)"
            continue
        fi
    fi
    checked=$((checked + 1))
    # shellcheck disable=SC2086 # "python3 script.py" is two words on purpose
    timeout 10 $prog --help >"$out" 2>"$err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        fail "$prog --help exited $rc, expected 0"
    elif ! grep -qi '^usage:' "$out"; then
        fail "$prog --help printed no 'usage:' line on stdout"
    fi
    # shellcheck disable=SC2086
    timeout 10 $prog --bogus-option >"$out" 2>"$err"
    rc=$?
    if [ "$rc" -ne 2 ]; then
        fail "$prog --bogus-option exited $rc, expected 2"
    elif ! grep -q -- '--bogus-option' "$err"; then
        fail "$prog --bogus-option: stderr does not name the option"
    fi
done
[ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "ok: $checked programs answer --help and refuse --bogus-option"
