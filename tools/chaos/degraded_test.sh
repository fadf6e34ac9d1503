#!/usr/bin/env bash
# degraded_test.sh STEADY-CHAOS — steady-chaos exits 1, naming the degraded stop, when its graph
# loses an actor for good (issue 10: a degraded stop is never reported as success). Starts an
# --isolated run long enough to be killed in the middle, stops its zygote, SIGKILLs the
# zygote's standby and then the zygote (so no standby can take over): the ISOLATED stages cannot
# be restarted, the stop is STEADY_EDEGRADED, and the report must say so.
set -euo pipefail
bin=$1
out=$(mktemp)
trap 'rm -f "$out"; [ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null || true' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- output ---" >&2; tail -n 40 "$out" >&2; exit 1; }

child_named() { # a process named $2 whose parent is $1, or nothing
    local p
    for p in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && { echo "$p"; return; }
    done
}

"$bin" --isolated --messages 4000000000 --failures 10 --hows panic --stop-timeout 20 >"$out" 2>&1 &
pid=$!
zygote= standby=
for _ in $(seq 1 500); do
    zygote=$(child_named "$pid" steady-zygote)
    [ -n "$zygote" ] && standby=$(child_named "$zygote" steady-standby)
    [ -n "$standby" ] && break
    sleep 0.01
done
[ -n "$standby" ] || fail "no steady-zygote with a steady-standby under steady-chaos (pid $pid)"
sleep 0.2 # messages flowing through the children
kill -STOP "$zygote"
kill -KILL "$standby"
kill -KILL "$zygote"
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" -eq 1 ] || fail "steady-chaos exited $rc after losing its zygote and standby; expected 1"
grep -q "problem: the graph did not stop cleanly (.*degraded" "$out" ||
    fail "the report does not name the degraded stop"
grep -q "no zygote left to restart it" "$out" || fail "the report does not say why the stages were lost"
echo "ok: exit $rc; $(grep -m1 "problem: the graph did not stop cleanly" "$out")"
