#!/usr/bin/env bash
# lesson03_flags.sh BIN_DIR — lesson 03's pods and runner refuse what they cannot honour: exit 2
# and a message naming the problem, before anything starts.
set -uo pipefail
bin="$1"
runner="$(dirname "$0")/../../examples/lesson-03-distributed/run"
fails=0
expect() { # exit-status message-part command...
    local want="$1" part="$2"
    shift 2
    local out status
    out="$("$@" 2>&1)"
    status=$?
    if [ "$status" != "$want" ] || ! grep -qF -- "$part" <<<"$out"; then
        echo "FAIL: $* -> exit $status (want $want), output: $out" >&2
        fails=$((fails + 1))
    fi
}
pub="$bin/lesson-03-publish" sub="$bin/lesson-03-subscribe"
expect 2 "is not a transport" "$pub" --transport bogus
expect 2 "--url for mqtt is the broker" "$sub" --transport mqtt --url nats://127.0.0.1:4222
expect 2 "--qos needs a whole number from 0 to 2" "$pub" --transport mqtt --qos 3
expect 2 "the session name has a character" "$sub" --transport mqtt --session 'a b' --no-telemetry
expect 2 "--qos is for mqtt" bash "$runner" --bin "$bin" --transport nats --qos 1
expect 2 "--kill-subscriber needs nats-js or shm" bash "$runner" --bin "$bin" --transport mqtt --kill-subscriber 1
expect 2 "--url for nats-js is the server" "$sub" --transport nats-js --url foo
expect 2 "--beats needs a whole number" "$pub" --beats 0
expect 2 "--replicas needs a whole number from 1 to 5" "$pub" --replicas 9
expect 2 "is not a channel name" "$pub" --transport shm --url bad/name --no-telemetry
expect 2 "the subject has an empty token" "$sub" --transport nats --subject a..b --no-telemetry
expect 2 "--transport needs a value" "$pub" --transport
expect 0 "--transport NAME" "$pub" --help
expect 2 "--cluster is for nats-js" bash "$runner" --bin "$bin" --transport shm --cluster
expect 2 "--kill-subscriber needs nats-js or shm" bash "$runner" --bin "$bin" --transport nats --kill-subscriber 2
expect 2 "must be shm, nats, nats-js or mqtt" bash "$runner" --bin "$bin" --transport carrier-pigeon
expect 2 "is not built" bash "$runner" --bin /nonexistent --transport shm
expect 2 "--transport needs a value" bash "$runner" --bin "$bin" --transport
expect 2 "-b needs a value" bash "$runner" --bin "$bin" -t shm -b
expect 2 "--kill-subscriber needs a whole number" bash "$runner" --bin "$bin" -t nats-js --kill-subscriber abc
expect 2 "--rate needs a whole number" bash "$runner" --bin "$bin" -t shm --rate abc
expect 2 "--beats needs a whole number" bash "$runner" --bin "$bin" -t shm --beats 0
expect 2 "--url for nats is the server" "$pub" --transport nats --url 127.0.0.1:4222
out="$(bash "$runner" --help)"
grep -q "set -euo" <<<"$out" && { echo "FAIL: run --help shows its code" >&2; fails=$((fails + 1)); }
[ "$fails" = 0 ] && echo "lesson03_flags: every bad flag refused"
exit $((fails > 0))
