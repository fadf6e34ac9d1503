# shellcheck shell=bash
# Lesson 02A's check (sourced by tests/new/lesson_test.sh): the generated lesson02a with these
# bodies, twice: as described (the worker solo, failing by returning an error), and from a copy
# of the description with the worker's placement switched to "isolated" (the lesson's
# --isolated: the worker in a child process of its own, killed by SIGSEGV); switch the line in
# the description and the copy is the solo one. In each run the worker meets the poison value,
# fails three times and is restarted three times, the supervisor moves the poison to the dead
# letters, and after its 50 beats the heartbeat stops the graph, cleanly. The logger's Total
# counts every value sent but the poison (Total == Sent - 1), F/B/FB/V those of 0..Sent-1
# without it, and the dead_letters actor received the poison, once.
#
# Under a sanitizer (STEADY_SANITIZE_FLAGS) the isolated run still crashes for real: its child
# inherits the sanitizer's SIGSEGV handler, turned off there (handle_segv=0) so the fault kills
# the child as in a plain build, as tests/lessons/CMakeLists.txt does for lesson 02A --isolated.
project lesson-02a
# The worker's line 'placement = "A" # or "B"': the description runs it A; a copy runs it B.
marker='^placement = "\(solo\|isolated\)" # or "\(solo\|isolated\)"'
[[ "$(grep -c "$marker" "$gallery/lesson-02a.toml")" == 1 ]] ||
    fail "lesson-02a.toml: no single worker line 'placement = \"solo\" # or \"isolated\"' to switch"
described="$(sed -n "s/$marker.*/\1/p" "$gallery/lesson-02a.toml")"
other="$(sed -n "s/$marker.*/\2/p" "$gallery/lesson-02a.toml")"
described_prog="$prog"

step "lesson-02a with the worker $other: steady-new $tmp/lesson-02a-$other.toml, the same bodies"
sed "s/$marker.*/placement = \"$other\"/" "$gallery/lesson-02a.toml" >"$tmp/lesson-02a-$other.toml"
other_out="$tmp/lesson-02a-$other"
"$new" "$tmp/lesson-02a-$other.toml" --out "$other_out" >"$other_out.new.log" 2>&1 ||
    { cat "$other_out.new.log" >&2; fail "lesson-02a-$other: steady-new failed"; }
[[ "$(grep -c '\.isolated = true' "$other_out/gen/lesson02a_gen.c")" == "$([[ $other == isolated ]] && echo 1 || echo 0)" ]] ||
    fail "lesson-02a-$other: the worker is not spawned $other"
cp "$gallery/$lesson/src"/*.c "$other_out/src/"
cmake_consumer "$other_out" "$other_out/build" "$prefix"

run_lesson02a() { # MODE (solo | isolated) PROGRAM
    local mode="$1" bin="$2" log="$tmp/run-$1.log" start_ns main_pid
    step "lesson02a, the worker $mode (poison 33, 50 beats of 20 ms): 3 failures and restarts, the poison in the dead letters, Total == Sent - 1"
    start_ns="$(date +%s%N)"
    # --run-ms is only a backstop: the heartbeat stops the graph after about a second. main's
    # pid ($!, the exec'd subshell) tells where each worker generation ran.
    (
        if [[ "$mode" == isolated && -n "$STEADY_SANITIZE_FLAGS" ]]; then
            export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0:handle_abort=0"
            export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}handle_segv=0:handle_abort=0"
        fi
        cd "$tmp" && exec "$bin" --run-ms 20000 --state-dir "$tmp/state-$mode"
    ) >"$log" 2>&1 &
    main_pid=$!
    wait "$main_pid" || { cat "$log" >&2; fail "lesson02a ($mode) failed"; }
    step "lesson02a ($mode) ran in $((($(date +%s%N) - start_ns) / 1000000)) ms"
    grep -q "graph 'lesson02a' stopped cleanly" "$log" || { cat "$log" >&2; fail "lesson02a ($mode): no clean stop"; }
    python3 - "$log" "$main_pid" "$mode" <<'PY' || { cat "$log" >&2; fail "lesson02a ($mode): see above"; }
import re, sys

log, main_pid, mode = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
isolated = mode == "isolated"
errors = []


def one(pattern, what):
    found = re.findall(pattern, log, re.M)
    if len(found) != 1:
        errors.append(f"{len(found)} {what} lines, expected 1")
        return None
    return found[0]


TRIES = 3
sent = one(r"Generator shutting down\. Sent: (\d+) \(from 0\)$", "'Generator shutting down. Sent: N (from 0)'")
total = one(r"Logger shutting down\. Total: (\d+) \(F:(\d+), B:(\d+), FB:(\d+), V:(\d+)\)$",
            "'Logger shutting down. Total: N (F:f, B:b, FB:fb, V:v)'")
poison = one(r"Worker starting; the poison value is (\d+)$", "'the poison value is P'")
if sent is None or total is None or poison is None:
    sys.exit("\n".join(errors))
sent, poison = int(sent), int(poison)
n, f, b, fb, v = map(int, total)

# The totals: every value of 0..sent-1 but the poison, each kind counted once.
want = {"F": 0, "B": 0, "FB": 0, "V": 0}
for x in range(sent):
    if x != poison:
        want["FB" if x % 15 == 0 else "F" if x % 3 == 0 else "B" if x % 5 == 0 else "V"] += 1
got = {"F": f, "B": b, "FB": fb, "V": v}
if not poison < sent:
    errors.append(f"the poison {poison} was never sent ({sent} values)")
if n != f + b + fb + v or n != sent - 1 or got != want:
    errors.append(f"Total {n} {got}; want Total {sent - 1} (Sent - 1) {want}")
print(f"{mode}: Sent {sent} from 0, poison {poison}; Total {n} (F:{f}, B:{b}, FB:{fb}, V:{v}): "
      f"{'exact' if not errors else 'WRONG'}")

# The poison's way out: the supervisor moved it, the dead_letters actor got it, once.
dead = re.findall(r"T\[dead_letters\] WARN .*dead letter: (\d+) ", log)
if dead != [str(poison)]:
    errors.append(f"the dead_letters actor received {dead}, expected [{poison}] once")
one(r"Dead letters shutting down\. Received: 1$", "'Dead letters shutting down. Received: 1'")
one(rf"WARN .*actor 'worker': message #{poison} of 'values' was the head when {TRIES} "
    r"generations failed; moved to dead letter 'dead'$", "supervisor's 'moved to dead letter'")

# The worker's restarts: each try announced by the worker, its failure logged by the framework
# (its process killed by SIGSEGV, or the error it returned), restarted; no fourth; no other
# actor failed.
how = "writing through a null pointer" if isolated else "failing"
for i in range(1, TRIES + 1):
    one(rf"value {poison} is poison \(try {i}; after {TRIES} it is moved aside\): {how}$",
        f"'try {i} ... {how}'")
    one(rf"Worker starting \(restart #{i}\) ", f"'Worker starting (restart #{i})'")
why = "its process killed by SIGSEGV" if isolated else "run returned 1"
failures = re.findall(r"ERROR .*actor '(\w+)' failed \(regeneration (\d+)\): (.*)$", log, re.M)
if [(a, int(r)) for a, r, _ in failures] != [("worker", r) for r in range(TRIES)] or not all(
        w.startswith(why) for _, _, w in failures):
    errors.append(f"failures {failures}; expected the worker's '{why}', regenerations "
                  f"0..{TRIES - 1}, and no other failure")
if f"Worker starting (restart #{TRIES + 1})" in log:
    errors.append(f"the worker restarted more than {TRIES} times")
# The described backoff: 5 ms, doubling, each within its 20 % jitter (10, 20 ms after).
waits = re.findall(r"actor 'worker' restarting as regeneration (\d+) in (\d+) (us|ms)", log)
for gen, t, unit in waits:
    ms, want_ms = int(t) / (1000 if unit == "us" else 1), 5 * 2 ** (int(gen) - 1)
    if not 0.8 * want_ms - 0.01 <= ms <= 1.2 * want_ms + 0.01:
        errors.append(f"restart {gen} after {t} {unit}: the described backoff says {want_ms} ms +-20 %")
if len(waits) != TRIES:
    errors.append(f"{len(waits)} 'restarting as regeneration' lines for the worker, expected {TRIES}")

# Where each generation ran: isolated, each in a process of its own, none the program's; solo,
# all in the program's.
pids = re.findall(rf"T\[worker\] INFO .*Worker runs in process (\d+); the program's is {main_pid}$",
                  log, re.M)
if len(pids) != TRIES + 1:
    errors.append(f"{len(pids)} 'Worker runs in process P; the program's is {main_pid}' lines, "
                  f"expected {TRIES + 1}")
elif isolated and (len(set(pids)) != len(pids) or main_pid in pids):
    errors.append(f"worker processes {pids}: expected {TRIES + 1} distinct, none {main_pid}")
elif not isolated and set(pids) != {main_pid}:
    errors.append(f"worker processes {pids}: expected all {main_pid}")

# The stop: the heartbeat's, after its beats; the worker handled everything but the poison.
one(r"Heartbeat shutting down\. Beats: 50$", "'Heartbeat shutting down. Beats: 50'")
one(rf"Worker shutting down\. Beats: 50, values: {sent - 1}$",
    f"'Worker shutting down. Beats: 50, values: {sent - 1}'")

for line in re.findall(r"^.*(?:ERROR|restarting as|moved to dead letter|dead letter:|stopped).*$",
                       log, re.M):
    print("  " + re.sub(r"^\[[^]]*\] (T\[[^]]*\] \w+) \[[^]]*\] ", r"\1 ", line))
print(f"  worker processes {' '.join(pids)}; the program's {main_pid}")
sys.exit("\n".join(errors) or None)
PY
}
run_lesson02a "$described" "$described_prog"
run_lesson02a "$other" "$other_out/build/lesson02a"
