#!/usr/bin/env bash
# Regeneration keeps the user's code (docs/guide/codegen.md, "Regenerating"):
#   1. generate lesson 01, edit the worker (a line of the user's in its loop and one at its
#      end), edit its test;
#   2. the description gains a channel into the edited worker and a new actor after it;
#      --dry-run prints the diff and writes nothing;
#   3. regenerate: every user line is still there, the new channel is wired into the worker
#      (its end, its wait, its veto term), the new actor has its files; it builds and its tests
#      pass;
#   4. a conflict (the user and the generator changed the same line): exit 3, listed with its
#      line, the markers in the file;
#   5. an actor removed from the description: its files are kept and said so;
#   6. an edited gen/ file is replaced, the edit kept as .orig and said so;
#   7. a non-empty directory steady-new did not make is refused, nothing written;
#   8. the edited worker gets count = 3: its channels become a fan-out and a fan-in of lanes,
#      the generator and logger wait on lanes, the conflict at the worker's last line is
#      resolved keeping both, the edits stay, the tests pass and all three instances work;
#   9. a durable actor's state fields change at the same size: its old state file is refused.
set -euo pipefail
NAME=codegen_regen
# shellcheck source=tests/install/lib.sh
source "$STEADY_SOURCE_DIR/tests/install/lib.sh"
prefix="$tmp/prefix"
step "cmake --install $STEADY_BUILD_DIR --prefix $prefix"
install_to "$prefix"
new="$prefix/bin/steady-new"
app="$tmp/app"
desc="$tmp/app.toml"
cp "$STEADY_SOURCE_DIR/examples/gallery/lesson-01.toml" "$desc"

step "1. generate and edit the worker"
"$new" "$desc" --out "$app" >/dev/null
python3 - "$app/src/worker.c" "$app/tests/worker_test.c" <<'PY'
import sys
w, t = sys.argv[1], sys.argv[2]
s = open(w).read()
s = s.replace("    uint64_t handled = 0;\n",
              "    uint64_t handled = 0;\n    uint64_t user_rounds = 0; /* USER-EDIT-1 */\n", 1)
s = s.replace("    STEADY_INFO(\"worker: %\" PRIu64 \" messages\", handled);\n",
              "    STEADY_INFO(\"worker: %\" PRIu64 \" messages\", handled);\n"
              "    STEADY_INFO(\"worker: %\" PRIu64 \" rounds\", user_rounds); /* USER-EDIT-2 */\n", 1)
s = s.replace("        if (r != STEADY_READY)\n            continue; /* SHUTDOWN: look at the veto again */\n",
              "        if (r != STEADY_READY)\n            continue; /* SHUTDOWN: look at the veto again */\n"
              "        user_rounds++; /* USER-EDIT-3 */\n", 1)
open(w, "w").write(s)
u = open(t).read()
u = u.replace("int main(void)\n", "/* USER-EDIT-4: my own test notes */\nint main(void)\n", 1)
open(t, "w").write(u)
PY
for n in 1 2 3; do grep -q "USER-EDIT-$n" "$app/src/worker.c" || fail "the edit $n was not made"; done

cat >>"$desc" <<'TOML'

[[actor]]
name = "auditor"

[[channel]]
name = "audit"
from = "logger"
to = "auditor"
type = "fizzbuzz_msg"
capacity = 16

[[channel]]
name = "extra"
from = "generator"
to = "worker"
type = "uint32_t"
capacity = 32
TOML

step "2. --dry-run: the diff, nothing written"
before="$(cd "$app" && find . -type f -newer "$desc" | sort; md5sum src/worker.c)"
"$new" "$desc" --out "$app" --dry-run >"$tmp/dry.log" 2>&1 || { cat "$tmp/dry.log" >&2; fail "--dry-run failed"; }
grep -q '^+++ b/src/worker.c' "$tmp/dry.log" || fail "the dry run shows no change of src/worker.c"
grep -q '^+.*uint32_ch_avail_open(io->extra, 1)' "$tmp/dry.log" || fail "the dry run does not show the new wait"
grep -q '^+++ b/src/auditor.c' "$tmp/dry.log" || fail "the dry run does not show the new actor"
grep -q 'nothing was written' "$tmp/dry.log" || fail "the dry run does not say nothing was written"
[[ ! -e "$app/src/auditor.c" ]] || fail "--dry-run wrote src/auditor.c"
after="$(cd "$app" && find . -type f -newer "$desc" | sort; md5sum src/worker.c)"
[[ "$before" == "$after" ]] || fail "--dry-run changed the project"

step "3. regenerate: the edits stay, the new channel is wired in"
"$new" "$desc" --out "$app" >"$tmp/regen.log" 2>&1 || { cat "$tmp/regen.log" >&2; fail "regeneration failed"; }
for n in 1 2 3; do grep -q "USER-EDIT-$n" "$app/src/worker.c" || fail "the user's edit $n was lost"; done
grep -q "USER-EDIT-4" "$app/tests/worker_test.c" || fail "the user's test edit was lost"
grep -q 'STEADY_I(uint32_ch_rx_is_closed_and_empty(io->extra))' "$app/src/worker.c" ||
    fail "the new channel is not in the worker's veto"
grep -q 'uint32_ch_avail_open(io->extra, 1)' "$app/src/worker.c" || fail "the worker does not wait on the new channel"
grep -q 'uint32_ch_rx_try_take(io->extra' "$app/src/worker.c" || fail "the worker does not take from it"
grep -q 'uint32_ch_rx extra; /\* from generator \*/' "$app/gen/lesson01_gen.h" || fail "gen/ lacks the end"
[[ -f "$app/src/auditor.c" && -f "$app/tests/auditor_test.c" ]] || fail "the new actor's files are missing"
grep -q 'src/auditor.c' "$app/CMakeLists.txt" || fail "CMakeLists.txt does not build the new actor"
grep -q 'USER' "$app/src/main.c" && fail "main.c changed"
cmake_consumer "$app" "$app/build" "$prefix"
(cd "$app/build" && ctest --output-on-failure --timeout 120) >"$tmp/ctest.log" 2>&1 ||
    { cat "$tmp/ctest.log" >&2; fail "the regenerated project's tests failed"; }
grep -q '100% tests passed, 0 tests failed out of 6' "$tmp/ctest.log" ||
    { cat "$tmp/ctest.log" >&2; fail "not the 6 tests (5 actors and the graph)"; }
"$app/build/lesson01" --run-ms 300 --state-dir "$tmp/state" >"$tmp/run.log" 2>&1 ||
    { cat "$tmp/run.log" >&2; fail "the regenerated program failed"; }
grep -q 'worker: [0-9]* rounds' "$tmp/run.log" || fail "the user's line did not run"
grep -q 'auditor: [1-9][0-9]* messages' "$tmp/run.log" || fail "the new actor received nothing"

step "4. a conflict is listed, exit 3"
sed -i 's|&& STEADY_I(uint32_ch_rx_is_closed_and_empty(io->extra))|&  /* mine */|' "$app/src/worker.c"
sed -i 's/^type = "uint32_t"$/type = "uint16_t"/' "$desc"
rc=0
"$new" "$desc" --out "$app" >"$tmp/conflict.log" 2>&1 || rc=$?
[[ $rc == 3 ]] || { cat "$tmp/conflict.log" >&2; fail "a conflict exited $rc, not 3"; }
grep -q '^conflicts (resolve them, then build):' "$tmp/conflict.log" || fail "no conflict list"
grep -Eq '^  src/worker.c: line [0-9]+' "$tmp/conflict.log" || fail "the conflict's line is not named"
grep -q '^<<<<<<< yours' "$app/src/worker.c" || fail "no conflict markers in src/worker.c"
grep -q "USER-EDIT-1" "$app/src/worker.c" || fail "the conflict lost a user edit"
rc=0 # run again before resolving: refused, nothing written
"$new" "$desc" --out "$app" >"$tmp/again.log" 2>&1 || rc=$?
[[ $rc == 2 ]] && grep -q 'src/worker.c: line [0-9]* .* is still unresolved from the last generation' "$tmp/again.log" ||
    { cat "$tmp/again.log" >&2; fail "an unresolved conflict: exit $rc, not refused"; }
python3 - "$app/src/worker.c" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
# resolve: take this generation's side
s = re.sub(r"<<<<<<< yours\n.*?=======\n(.*?)>>>>>>> this generation\n", r"\1", s, flags=re.S)
open(p, "w").write(s)
PY
"$STEADY_CMAKE" --build "$app/build" >"$tmp/b4.log" 2>&1 || { cat "$tmp/b4.log" >&2; fail "no build after resolving"; }

step "5. a removed actor's files are kept"
python3 - "$desc" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('\n[[actor]]\nname = "auditor"\n', "\n")
s = s.replace('\n[[channel]]\nname = "audit"\nfrom = "logger"\nto = "auditor"\ntype = "fizzbuzz_msg"\ncapacity = 16\n', "\n")
open(p, "w").write(s)
PY
"$new" "$desc" --out "$app" >"$tmp/removed.log" 2>&1 || { cat "$tmp/removed.log" >&2; fail "regeneration failed"; }
grep -q 'src/auditor.c (no longer in the description: kept; delete it yourself)' "$tmp/removed.log" ||
    { cat "$tmp/removed.log" >&2; fail "the kept file is not said"; }
[[ -f "$app/src/auditor.c" ]] || fail "src/auditor.c was removed"
grep -q 'src/auditor.c' "$app/CMakeLists.txt" && fail "CMakeLists.txt still builds the removed actor"
"$STEADY_CMAKE" --build "$app/build" >"$tmp/b5.log" 2>&1 || { cat "$tmp/b5.log" >&2; fail "no build after the removal"; }

step "6. an edited gen/ file is replaced and kept as .orig"
echo "/* my edit */" >>"$app/gen/lesson01_gen.c"
"$new" "$desc" --out "$app" >"$tmp/gen.log" 2>&1 || { cat "$tmp/gen.log" >&2; fail "regeneration failed"; }
grep -q 'gen/lesson01_gen.c was edited, but steady-new owns it: your copy is kept as gen/lesson01_gen.c.orig' "$tmp/gen.log" ||
    { cat "$tmp/gen.log" >&2; fail "the gen/ edit is not said"; }
grep -q 'my edit' "$app/gen/lesson01_gen.c.orig" || fail "no .orig"
grep -q 'my edit' "$app/gen/lesson01_gen.c" && fail "the gen/ edit was kept in place"

step "7. a directory steady-new did not make, or made for another application"
mkdir -p "$tmp/other" && echo keep >"$tmp/other/notes.txt"
rc=0
"$new" "$desc" --out "$tmp/other" >"$tmp/other.log" 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "a foreign directory: exit $rc, not 2"
grep -q "is not empty and steady-new did not make it" "$tmp/other.log" || fail "not said"
[[ "$(ls -A "$tmp/other")" == notes.txt ]] || fail "files were written into it"
sed 's/^name = "lesson01"$/name = "another"/' "$desc" >"$tmp/another.toml"
rc=0
"$new" "$tmp/another.toml" --out "$app" >"$tmp/another.log" 2>&1 || rc=$?
[[ $rc == 2 ]] && grep -q "was made for the application 'lesson01', not 'another'" "$tmp/another.log" ||
    { cat "$tmp/another.log" >&2; fail "another application's description: exit $rc"; }

step "8. the edited worker becomes three instances: its channels become lanes, its edits stay"
sed -i 's/^name = "worker"$/name = "worker"\ncount = 3/' "$desc"
rc=0
"$new" "$desc" --out "$app" >"$tmp/count.log" 2>&1 || rc=$?
# The worker's last log line changed (it names its instance) next to a line the user added
# after it: diff3 says so (exit 3) and the user keeps both.
[[ $rc == 3 ]] && grep -Eq '^  src/worker.c: line [0-9]+' "$tmp/count.log" ||
    { cat "$tmp/count.log" "$app/src/worker.c" >&2; fail "count = 3: exit $rc, not the conflict at the log line"; }
python3 - "$app/src/worker.c" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
keep = lambda m: m.group(2) + [l for l in m.group(1).splitlines(True) if "USER-EDIT-2" in l][0]
s, n = re.subn(r"<<<<<<< yours\n(.*?)\|\|\|\|\|\|\| last generation\n.*?=======\n(.*?)>>>>>>> this generation\n",
               keep, s, flags=re.S)
assert n == 1, n
open(p, "w").write(s)
PY
for n in 1 2 3; do grep -q "USER-EDIT-$n" "$app/src/worker.c" || fail "count = 3 lost the user's edit $n"; done
grep -q 'worker_io worker\[3\];' "$app/gen/lesson01_gen.h" || fail "gen/ has no three workers"
grep -q 'STEADY_VACANT_LANE(io->values, 1, &lane_values)' "$app/src/generator.c" ||
    fail "the generator does not wait for a lane of its fan-out"
grep -q 'STEADY_AVAIL_LANE(io->fizzbuzz, 1, &lane_fizzbuzz)' "$app/src/logger.c" ||
    fail "the logger does not wait for a lane of its fan-in"
"$STEADY_CMAKE" --build "$app/build" >"$tmp/b8.log" 2>&1 || { cat "$tmp/b8.log" >&2; fail "no build with three workers"; }
(cd "$app/build" && ctest --output-on-failure --timeout 120) >"$tmp/ctest8.log" 2>&1 ||
    { cat "$tmp/ctest8.log" >&2; fail "the tests with three workers failed"; }
"$app/build/lesson01" --run-ms 300 --state-dir "$tmp/state8" >"$tmp/run8.log" 2>&1 ||
    { cat "$tmp/run8.log" >&2; fail "the program with three workers failed"; }
for i in 0 1 2; do
    grep -q "T\[worker-$i\].*worker-$i: [1-9][0-9]* messages" "$tmp/run8.log" ||
        { cat "$tmp/run8.log" >&2; fail "worker-$i handled nothing"; }
done

step "9. a durable actor's state fields change but keep their size: its old state file is refused"
sed -i 's/^state = \["uint64_t next"\]$/state = ["double next"]/' "$desc"
grep -q '"double next"' "$desc" || fail "the generator's state was not changed"
"$new" "$desc" --out "$app" >"$tmp/layout.log" 2>&1 || { cat "$tmp/layout.log" >&2; fail "regeneration failed"; }
"$STEADY_CMAKE" --build "$app/build" >"$tmp/b9.log" 2>&1 || { cat "$tmp/b9.log" >&2; fail "no build"; }
rc=0
"$app/build/lesson01" --run-ms 100 --state-dir "$tmp/state8" >"$tmp/run9.log" 2>&1 || rc=$?
[[ $rc == 1 ]] && grep -q "generator.state was saved with another state layout" "$tmp/run9.log" ||
    { cat "$tmp/run9.log" >&2; fail "a state file of another layout: exit $rc, not refused"; }
"$app/build/lesson01" --run-ms 100 --state-dir "$tmp/state9" >"$tmp/run9b.log" 2>&1 ||
    { cat "$tmp/run9b.log" >&2; fail "a fresh state directory did not run"; }
echo "$NAME: ok"
