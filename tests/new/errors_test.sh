#!/usr/bin/env bash
# Bad descriptions: steady-new exits 1, names the file and line of each problem (the line of the
# key whose value is wrong, else its table's) and its fix,
# and writes nothing (--out does not appear). Each case below is a description and a line the
# error output must hold (CASE stands for the case's file name). Also: a missing file, bad usage (exit 2), warnings that do not stop
# the generation (a cycle), and --check.
set -euo pipefail
NAME=codegen_errors
# shellcheck source=tests/install/lib.sh
source "$STEADY_SOURCE_DIR/tests/install/lib.sh"
new="$STEADY_BUILD_DIR/tools/steady-new"
export STEADY_NEW_TEMPLATES="$STEADY_SOURCE_DIR/tools/new/templates"
[[ -x "$new" ]] || fail "$new is not built"

base='[app]
name = "demo"
[[actor]]
name = "src"
[[actor]]
name = "dst"
'
ok_channel='[[channel]]
from = "src"
to = "dst"
type = "uint64_t"
'
n=0
expect_error() { # description-text expected-line
    n=$((n + 1))
    local f="$tmp/case$n.toml" out="$tmp/out$n" rc=0
    printf '%s' "$1" >"$f"
    "$new" "$f" --out "$out" >"$tmp/case$n.log" 2>&1 || rc=$?
    [[ $rc == 1 ]] || { cat "$tmp/case$n.log" >&2; fail "case $n: exit $rc, not 1"; }
    local want="${2//CASE/case$n.toml}" # CASE: this case's file name
    grep -qF -- "$want" "$tmp/case$n.log" || { cat "$tmp/case$n.log" >&2; fail "case $n: no '$want'"; }
    grep -q "has errors; nothing was written" "$tmp/case$n.log" || fail "case $n: no summary"
    [[ ! -e "$out" ]] || fail "case $n: $out was written"
}

step "syntax and shape"
expect_error '[app
name = "x"' "CASE:1: error: not TOML"
expect_error '# nothing' "error: the description needs an [app] table"
expect_error "$base"'[[actor]]
nmae = "x"' "CASE:8: error: unknown key 'nmae' in [[actor]]"
expect_error "$base"'[[channel]]
from = "src"
to = "dst"
type = "uint64_t"
capacity = "lots"' "CASE:11: error: channel.capacity must be an integer >= 0"
expect_error "$base"'[[channel]]
from = "src"
to = "dst"
type = "uint64_t"
capacity = -1' "channel.capacity must be an integer >= 0"
expect_error 'actor = 3
[app]
name = "demo"' "CASE:1: error: 'actor' must be written [[actor]]"

step "names"
expect_error '[app]
name = "Demo"
[[actor]]
name = "a"' "CASE:2: error: app name 'Demo' must start with a lower-case letter"
expect_error '[app]
name = "demo"
[[actor]]
name = "while"' "CASE:4: error: actor name 'while' is a C keyword"
expect_error '[app]
name = "demo"
[[actor]]
name = "my-actor"' "actor name 'my-actor' may hold only a-z, 0-9 and _"
expect_error "$base"'[[actor]]
name = "src"' "CASE:7: error: two [[actor]]s named 'src'"
expect_error '[app]
name = "demo"
[[actor]]
name = "graph"' "actor name 'graph' is taken by the whole-graph test"
expect_error '[app]
name = "demo"
[[type]]
name = "worker_state"
fields = ["uint8_t a"]
[[actor]]
name = "a"' "type 'worker_state' ends in _state, which steady-new's own names use"
expect_error '[app]
name = "demo"
[[type]]
name = "uint64"
fields = ["uint8_t a"]
[[actor]]
name = "a"' "type 'uint64' is (or would clash with) a fixed type"

# A value out of range is named on its own line, not on its table's.
expect_error '[app]
name = "demo"
[[actor]]
name = "a"
placement = "solo"
period_ms = 0' "CASE:6: error: actor 'a': period_ms must be 1..86400000"

step "channel ends"
expect_error "$base"'[[channel]]
from = "src"
to = "nobody"
type = "uint64_t"' "CASE:9: error: channel to unknown actor 'nobody' (actors: dst, src)"
expect_error "$base"'[[channel]]
to = "dst"
type = "uint64_t"' "a channel's sending end is bound to no actor: add from = \"<actor>\""
expect_error "$base$ok_channel$ok_channel" "two channels named 'src_to_dst': an end would be bound twice"

step "types, capacities, budget"
expect_error "$base"'[[channel]]
from = "src"
to = "dst"
type = "uint65_t"' "CASE:10: error: channel 'src_to_dst': unknown type 'uint65_t'"
expect_error "$base"'[[channel]]
from = "src"
to = "dst"
type = "uint64_t"
capacity = 0' "channel 'src_to_dst': capacity 0 holds nothing; use at least 1"
expect_error '[app]
name = "demo"
[[type]]
name = "pair"
fields = ["uint64_t a", "float a"]
[[actor]]
name = "x"' "CASE:5: error: type 'pair' has two fields named 'a'"
expect_error '[app]
name = "demo"
[[type]]
name = "pair"
fields = ["uint64_t"]
[[actor]]
name = "x"' 'a field is "<type> <name>" or "<type> <name>[<count>]", not "uint64_t"'
expect_error '[app]
name = "demo"
memory_limit_mb = 1
[[type]]
name = "block"
fields = ["uint8_t bytes[4096]"]
[[actor]]
name = "src"
[[actor]]
name = "dst"
[[channel]]
from = "src"
to = "dst"
type = "block"
capacity = 1024' "the channels need 4 MiB, over the budget of 1 MiB"
expect_error "$base"'[[actor]]
name = "t"
placement = "troupe"' "actor 't' is placed in a troupe: name it with troupe = \"...\""
expect_error "$base"'[[actor]]
name = "d"
durable = true' "actor 'd' is durable but has no state fields"

step "bridges and showstoppers"
bridged='[[channel]]
name = "out"
from = "dst"
type = "uint64_t"
'
expect_error "$base$ok_channel$bridged"'bridge = "shm:bad"' \
    "CASE:15: error: bridge \"shm:bad\" transport URI 'shm:bad'"
expect_error "$base$ok_channel$bridged"'bridge = "nats://127.0.0.1/a.*"' \
    "a wildcard subject or topic is for receiving only"
expect_error "$base$ok_channel$bridged"'to = "src"
bridge = "shm:/x"' "bind exactly one end here (from = \"<actor>\" to send, or to = \"<actor>\" to receive), not both"
expect_error "$base$ok_channel"'[[channel]]
type = "uint64_t"
bridge = "shm:/x"' "bind exactly one end here"
expect_error "$base$ok_channel"'[[actor]]
name = "out_pod"
'"$bridged"'bridge = "shm:/x"' "its other pod is played by an actor 'out_pod' in tests"
expect_error "$base$ok_channel"'showstopper = 1' "showstopper must be 2..1000"
expect_error "$base$ok_channel"'dead_letters = "x"' "names dead_letters but no showstopper"
expect_error "$base$ok_channel"'showstopper = 3
dead_letters = "nope"' "dead_letters names no channel 'nope'"
expect_error "$base$ok_channel"'showstopper = 3
dead_letters = "back"
[[channel]]
name = "back"
from = "src"
to = "dst"
type = "uint64_t"' "dead_letters 'back' must be a channel from 'dst'"
expect_error "$base$ok_channel"'showstopper = 3
dead_letters = "dl"
[[channel]]
name = "dl"
from = "dst"
to = "src"
type = "uint32_t"' "dead_letters 'dl' carries uint32_t, not uint64_t"
expect_error "$base$ok_channel$bridged"'bridge = "shm:/x"
showstopper = 3' "a showstopper is for a channel an actor here receives"

expect_error "$base"'backoff_floor_ms = 50
backoff_ceiling_ms = 40' "actor 'dst': backoff_floor_ms <= backoff_ceiling_ms"
expect_error "$base"'escalation = "panic"' "CASE:7: error: escalation \"panic\" is none of \"stop_graph\", \"stop_actor\""

expect_error '[app]
name = "demo"
summary = "two\nlines"
[[actor]]
name = "a"' "[app] summary is one line of text"
mkdir -p "$tmp/adir"
rc=0; "$new" "$tmp/adir" --check >"$tmp/adir.log" 2>&1 || rc=$?
[[ $rc == 2 ]] && grep -q "adir is a directory: give the description file" "$tmp/adir.log" ||
    { cat "$tmp/adir.log" >&2; fail "a directory as the description: exit $rc"; }

step "counts and lanes"
many='[[actor]]
name = "pool"
count = 3
[[actor]]
name = "pair"
count = 2
'
expect_error "$base"'count = 0' "actor 'dst': count must be 1..64"
expect_error "$base"'count = 65' "actor 'dst': count must be 1..64"
expect_error "$base$ok_channel"'lanes = 2000' "channel 'src_to_dst': lanes must be 1..1024"
expect_error "$base$many"'[[channel]]
from = "pool"
to = "pair"
type = "uint64_t"' "channel 'pool_to_pair' joins 3 instances of 'pool' to 2 of 'pair': make the counts equal"
expect_error "$base$many"'[[channel]]
from = "src"
to = "pool"
type = "uint64_t"
lanes = 2' "channel 'src_to_pool': lanes = 2 but 'pool' has 3 instances, one lane each"
expect_error "$base$many"'[[channel]]
name = "out"
from = "pool"
type = "uint64_t"
bridge = "shm:/x"' "channel 'out' is bridged: its actor must have count 1"
expect_error "$base$ok_channel"'lanes = 2
showstopper = 3' "a showstopper is for a single input; 'dst' receives this one as a bundle of lanes"

step "telemetry"
expect_error "$base"'[telemetry]
port = 70000' "CASE:8: error: [telemetry] port must be 0..65535"
expect_error "$base"'[telemetry]
frame_ms = 5' "[telemetry] frame_ms must be 10..60000"
expect_error "$base"'[telemetry]
addr = ""' "[telemetry] addr must be an address"
expect_error "$base"'[telemetry]
prot = 1' "CASE:8: error: unknown key 'prot' in [telemetry] (known: addr, frame_ms, port)"
expect_error 'telemetry = 3
'"$base" "CASE:1: error: 'telemetry' must be a table"

step "DOT (--from-dot)"
printf 'digraph G {\n A -> B\n B -> \n}' >"$tmp/bad.dot"
rc=0; "$new" --from-dot "$tmp/bad.dot" --out "$tmp/dotout" >"$tmp/dot.log" 2>&1 || rc=$?
[[ $rc == 1 ]] && grep -q "bad.dot:4: error: not Graphviz DOT: syntax error in line 4" "$tmp/dot.log" ||
    { cat "$tmp/dot.log" >&2; fail "a DOT syntax error: exit $rc"; }
[[ ! -e "$tmp/dotout" ]] || fail "a bad DOT file wrote $tmp/dotout"
printf 'graph G { A -- B }' >"$tmp/undirected.dot"
rc=0; "$new" --from-dot "$tmp/undirected.dot" --check >"$tmp/dot.log" 2>&1 || rc=$?
[[ $rc == 1 ]] && grep -q "error: an undirected graph: write digraph" "$tmp/dot.log" ||
    { cat "$tmp/dot.log" >&2; fail "an undirected graph: exit $rc"; }
printf 'digraph G { A -> B [label="<u64> #0"] }' >"$tmp/cap0.dot"
rc=0; "$new" --from-dot "$tmp/cap0.dot" --check >"$tmp/dot.log" 2>&1 || rc=$?
[[ $rc == 1 ]] && grep -q "channel 'a_to_b': capacity 0 holds nothing" "$tmp/dot.log" ||
    { cat "$tmp/dot.log" >&2; fail "a DOT capacity of 0: exit $rc"; }
printf 'digraph G {\n A -> B [label="name::work <u64> #8"]\n A -> B [label="name::work <u64> #8"]\n A -> B [label="name::work <u64> #8"]\n A -> B [label="name::log <u64> #8"]\n}' >"$tmp/bundle.dot"
"$new" --from-dot "$tmp/bundle.dot" --to-toml >"$tmp/bundle.toml" 2>"$tmp/bundle.log" ||
    { cat "$tmp/bundle.log" >&2; fail "DOT parallel edges of one name: refused"; }
[[ "$(grep -c '^\[\[channel\]\]' "$tmp/bundle.toml")" == 2 ]] && grep -q '^lanes = 3$' "$tmp/bundle.toml" ||
    { cat "$tmp/bundle.toml" >&2; fail "DOT parallel edges of one name did not become one channel of 3 lanes"; }
step "--to-toml: the DOT description as TOML, which reads back the same"
"$new" --from-dot "$STEADY_SOURCE_DIR/examples/gallery/fizz-buzz.dot" --to-toml >"$tmp/fb.toml" 2>"$tmp/fb.log" ||
    { cat "$tmp/fb.log" >&2; fail "--to-toml failed"; }
grep -q "warning: message FizzBuzzMessage became type 'fizz_buzz_message'" "$tmp/fb.log" || fail "no warning for the stub type"
grep -q '^name = "heart_beat"$' "$tmp/fb.toml" && grep -q '^period_ms = 100$' "$tmp/fb.toml" || fail "--to-toml: no heart_beat"
! grep -q legend "$tmp/fb.toml" || fail "a __ note became an actor"
"$new" "$tmp/fb.toml" --to-toml >"$tmp/fb2.toml" || fail "the TOML of --to-toml does not read"
diff -u "$tmp/fb.toml" "$tmp/fb2.toml" >&2 || fail "--to-toml does not round-trip"

step "warnings do not stop it: a cycle"
printf '%s' "$base$ok_channel"'[[channel]]
from = "dst"
to = "src"
type = "uint64_t"' >"$tmp/cycle.toml"
"$new" "$tmp/cycle.toml" --check >"$tmp/cycle.log" 2>&1 || { cat "$tmp/cycle.log" >&2; fail "a cycle is an error"; }
grep -q "cycle.toml:11: warning: cycle src -> dst -> src" "$tmp/cycle.log" ||
    { cat "$tmp/cycle.log" >&2; fail "no cycle warning"; }

step "usage"
rc=0; "$new" >/dev/null 2>&1 || rc=$?; [[ $rc == 2 ]] || fail "no argument: exit $rc"
rc=0; "$new" "$tmp/none.toml" 2>"$tmp/none.log" || rc=$?
[[ $rc == 2 ]] && grep -q "none.toml: No such file" "$tmp/none.log" || fail "a missing file: exit $rc"
rc=0; "$new" "$tmp/cycle.toml" --bogus 2>/dev/null || rc=$?; [[ $rc == 2 ]] || fail "--bogus: exit $rc"
rc=0; "$new" "$tmp/cycle.toml" --out 2>/dev/null || rc=$?; [[ $rc == 2 ]] || fail "--out without a directory: exit $rc"
rc=0; "$new" "$tmp/cycle.toml" --templates "$tmp/nowhere" --out "$tmp/x" 2>"$tmp/tmpl.log" || rc=$?
[[ $rc == 2 ]] && grep -q "cannot be read (reinstall steady, or pass --templates DIR)" "$tmp/tmpl.log" ||
    fail "missing templates: exit $rc"
[[ ! -e "$tmp/x" ]] || fail "missing templates: files written"
echo "$NAME: ok ($n bad descriptions)"
