#!/usr/bin/env bash
# lesson02a_check.sh — end-to-end check of lesson 02A (robust), as a user would run it.
#
#   lesson02a_check.sh <binary> [args...]
#
# Runs the program once with the given arguments and checks:
#   - exit status 0 and main's own verdict ("...: exact");
#   - the logger's last line is "Total: N (F:a, B:b, FB:c, V:d)" with N = a+b+c+d, and each
#     count equal to what 0..M-1 gives without the poison value (M: the generator's
#     "Total generated: M"), so N = M - 1 when the poison was generated, else N = M;
#   - when the poison was generated: the dead-letters line for it, the supervisor's warning,
#     exactly SHOWSTOPPER_TRIES (3) worker failures and restarts, one moved aside, none dropped;
#   - for every actor that restarted R times (main's summary): the framework's failure lines
#     and the actor's own "starting (restart #1)" .. "#R" lines, and no "#R+1";
#   - with --chaos: heartbeat, generator and logger each restarted at least once;
#   - with --isolated: the worker's failures are its process killed by SIGSEGV (one per try,
#     each announced by its own "writing through a null pointer" line, in whatever order the
#     lines of two processes reach the log), each generation ran in a process of its own,
#     none of them main's; without it: panics, and no process lines.
# Optional environment: CHECK_CLI=1 also checks --help and bad arguments; MAX_MS bounds the
# run's wall time.
set -euo pipefail

bin=$1
shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
tries=3

fail() { echo "FAIL: $*" >&2; echo "--- output ---" >&2; tail -n 60 "$out" >&2; exit 1; }

check_cli() { # bad arguments exit 2 with a message naming the option; --help exits 0
    "$bin" --help >"$out" 2>&1 || fail "--help exited non-zero"
    for opt in "--rate MS" "--beats N" "--capacity N" "--poison V" "--chaos" "--seed N" "--isolated"; do
        grep -q -- "$opt" "$out" || fail "--help does not describe $opt"
    done
    local rc=0
    "$bin" --poison abc >"$out" 2>&1 || rc=$?
    [ "$rc" -eq 2 ] || fail "--poison abc exited $rc, expected 2"
    grep -q -- "--poison needs a whole number" "$out" || fail "--poison abc gave no clear message"
    rc=0
    "$bin" --beats 0 >"$out" 2>&1 || rc=$?
    [ "$rc" -eq 2 ] || fail "--beats 0 exited $rc, expected 2"
}

# count <fixed string>: how many output lines contain it, leaving out the telemetry's lint
# lines (restart_loop quotes the last failure's reason, which is not a failure of its own)
count() { grep -F -- "$1" "$out" | grep -cvF "telemetry lint" || true; }

# check_restarts <actor> <Display name> <restarts>
# The failure lines come from the actor's thread, or for an isolated actor from the warden in
# main's process: matched by their text, not their thread.
check_restarts() {
    local actor=$1 display=$2 r=$3 n
    n=$(grep -cE "ERROR .*actor '$actor' failed \(regeneration [0-9]+\): " "$out" || true)
    [ "$n" -eq "$r" ] || fail "$actor restarted $r times but the framework logged $n failures"
    for ((i = 1; i <= r; i++)); do
        [ "$(count "$display starting (restart #$i)")" -eq 1 ] ||
            fail "no single '$display starting (restart #$i)' line ($r restarts)"
    done
    [ "$(count "$display starting (restart #$((r + 1)))")" -eq 0 ] ||
        fail "'$display starting (restart #$((r + 1)))' but only $r restarts"
}

[ "${CHECK_CLI:-0}" = 1 ] && check_cli

chaos=0 isolated=0
for arg in "$@"; do
    case "$arg" in
    --chaos | -x) chaos=1 ;;
    --isolated | -i) isolated=1 ;;
    esac
done

start=$(date +%s%N)
rc=0
"$bin" "$@" >"$out" 2>&1 || rc=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[ "$rc" -eq 0 ] || fail "$(basename "$bin") $* exited $rc"

# --- the totals ---
gen=$(sed -n 's/.*Generator shutting down\. Total generated: \([0-9]*\)$/\1/p' "$out")
[ -n "$gen" ] || fail "no 'Generator shutting down. Total generated: M' line"
poison=$(sed -n 's/.*Worker starting; the poison value is \([0-9]*\)$/\1/p' "$out")
[ -n "$poison" ] || fail "no 'Worker starting; the poison value is P' line"
last=$(grep "T\[logger\]" "$out" | tail -n 1)
[[ "$last" =~ Logger\ shutting\ down\.\ Total:\ ([0-9]+)\ \(F:([0-9]+),\ B:([0-9]+),\ FB:([0-9]+),\ V:([0-9]+)\)$ ]] ||
    fail "the logger's last line is not the Total line: $last"
total=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} b=${BASH_REMATCH[3]} fb=${BASH_REMATCH[4]} v=${BASH_REMATCH[5]}
# values 0..gen-1: multiples of 15, of 3 only, of 5 only, and the rest; then without the poison
efb=$(((gen + 14) / 15)) ef=$(((gen + 2) / 3 - (gen + 14) / 15)) eb=$(((gen + 4) / 5 - (gen + 14) / 15))
ev=$((gen - efb - ef - eb)) expected=$gen poisoned=0
if [ "$poison" -lt "$gen" ]; then
    poisoned=1 expected=$((gen - 1))
    if ((poison % 15 == 0)); then efb=$((efb - 1))
    elif ((poison % 3 == 0)); then ef=$((ef - 1))
    elif ((poison % 5 == 0)); then eb=$((eb - 1))
    else ev=$((ev - 1)); fi
fi
[ "$total" -eq $((f + b + fb + v)) ] || fail "N != a+b+c+d in: $last"
[ "$total" -eq "$expected" ] ||
    fail "logger counted $total; generated $gen, poison $poison: expected $expected"
[ "$f" -eq "$ef" ] && [ "$b" -eq "$eb" ] && [ "$fb" -eq "$efb" ] && [ "$v" -eq "$ev" ] ||
    fail "counts (F:$f B:$b FB:$fb V:$v) differ from expected (F:$ef B:$eb FB:$efb V:$ev)"
[ "$total" -ge "${MIN_TOTAL:-100}" ] || fail "total $total below ${MIN_TOTAL:-100}"
grep -q "generated $gen, logged $total, dead letters $poisoned: exact$" "$out" ||
    fail "main's summary does not say 'generated $gen, logged $total, dead letters $poisoned: exact'"

# --- restarts, as main's summary gives them ---
summary=$(grep "lesson-02a-robust: restarts:" "$out" || true)
[[ "$summary" =~ restarts:\ heartbeat\ ([0-9]+),\ generator\ ([0-9]+),\ worker\ ([0-9]+),\ logger\ ([0-9]+),\ dead-letters\ ([0-9]+)\;\ showstoppers\ moved\ aside:\ ([0-9]+)\ \(dropped:\ ([0-9]+)\)$ ]] ||
    fail "no restart summary line: $summary"
r_hb=${BASH_REMATCH[1]} r_gen=${BASH_REMATCH[2]} r_worker=${BASH_REMATCH[3]} r_log=${BASH_REMATCH[4]}
r_dead=${BASH_REMATCH[5]} moved=${BASH_REMATCH[6]} dropped=${BASH_REMATCH[7]}
check_restarts heartbeat Heartbeat "$r_hb"
check_restarts generator Generator "$r_gen"
check_restarts worker Worker "$r_worker"
check_restarts logger Logger "$r_log"
check_restarts dead-letters "Dead letters" "$r_dead"

# --- the showstopper ---
[ "$dropped" -eq 0 ] || fail "$dropped showstoppers were dropped, not moved to the dead letters"
if [ "$poisoned" -eq 1 ]; then
    [ "$moved" -eq 1 ] || fail "poison $poison was generated; $moved showstoppers moved aside"
    [ "$r_worker" -eq "$tries" ] || fail "the worker restarted $r_worker times, expected $tries"
    if [ "$isolated" -eq 1 ]; then
        for ((i = 1; i <= tries; i++)); do
            [ "$(count "value $poison is poison (try $i; after $tries it is moved aside): writing through a null pointer")" -eq 1 ] ||
                fail "--isolated: no single 'value $poison is poison (try $i ...): writing through a null pointer' line"
        done
        [ "$(grep -cE "ERROR .*actor 'worker' failed \(regeneration [0-9]+\): its process killed by SIGSEGV \(" "$out" || true)" -eq "$tries" ] ||
            fail "--isolated: expected $tries worker failures 'its process killed by SIGSEGV'"
        [ "$(count "panic: value")" -eq 0 ] || fail "--isolated: the worker panicked instead of crashing"
    else
        [ "$(count "panic: value $poison is poison")" -eq "$tries" ] ||
            fail "expected $tries 'value $poison is poison' failures"
    fi
    [ "$(count "T[dead-letters] WARN")" -eq 1 ] && [ "$(count "dead letter: $poison ")" -eq 1 ] ||
        fail "no single 'dead letter: $poison' line"
    grep -qE "WARN .*actor 'worker': message #$poison of 'generator->worker' was the head when $tries generations failed; moved to dead letter 'worker->dead-letters'$" "$out" ||
        fail "no supervisor warning moving message #$poison of 'generator->worker' to the dead letters"
else
    [ "$moved" -eq 0 ] && [ "$r_worker" -eq 0 ] && [ "$(count "dead letter:")" -eq 0 ] ||
        fail "poison $poison was never generated ($gen values), yet something was moved aside"
fi

# --- processes: only an isolated worker runs in a child, one per generation ---
[ "$(count "killed by SIG")" -eq $((isolated * poisoned * tries)) ] ||
    fail "$(count "killed by SIG") processes killed by a signal; expected $((isolated * poisoned * tries))"
if [ "$isolated" -eq 1 ]; then
    main_pid=$(sed -n 's/^lesson-02a-robust: main runs in process \([0-9]*\); the worker will run in a child process$/\1/p' "$out")
    [ -n "$main_pid" ] || fail "--isolated: main does not say which process it runs in"
    pids=$(sed -n "s/.*T\[worker\] INFO .*Worker runs in process \([0-9]*\); main's is $main_pid\$/\1/p" "$out")
    n_pids=$(grep -c . <<<"$pids" || true)
    [ "$n_pids" -eq $((r_worker + 1)) ] && [ "$(count "Worker runs in process")" -eq "$n_pids" ] ||
        fail "--isolated: $n_pids 'Worker runs in process P; main's is $main_pid' lines for $((r_worker + 1)) generations"
    [ "$(sort -u <<<"$pids" | grep -c .)" -eq "$n_pids" ] ||
        fail "--isolated: two worker generations ran in the same process: $(echo $pids)"
    if grep -qx "$main_pid" <<<"$pids"; then fail "--isolated: the worker ran in main's process"; fi
else
    [ "$(count "runs in process")" -eq 0 ] || fail "process lines without --isolated"
fi

# --- chaos ---
if [ "$chaos" -eq 1 ]; then
    for pair in "heartbeat $r_hb" "generator $r_gen" "logger $r_log"; do
        read -r actor r <<<"$pair"
        [ "$r" -ge 1 ] || fail "--chaos: $actor never restarted"
        [ "$(count "chaos: $actor fails")" -eq "$r" ] ||
            fail "--chaos: $actor restarted $r times, not all of them by chaos"
    done
else
    [ "$(count "chaos:")" -eq 0 ] || fail "chaos failures without --chaos"
    [ $((r_hb + r_gen + r_log + r_dead)) -eq 0 ] || fail "restarts without --chaos: $summary"
fi

if [ -n "${MAX_MS:-}" ]; then
    [ "$elapsed_ms" -le "$MAX_MS" ] || fail "run took $elapsed_ms ms, expected at most $MAX_MS"
fi
echo "ok: generated $gen, poison $poison, $total logged in $elapsed_ms ms; restarts hb $r_hb gen $r_gen worker $r_worker log $r_log$([ "$isolated" -eq 1 ] && echo "; worker processes $(echo $pids)") ($last)"
