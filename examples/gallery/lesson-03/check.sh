# shellcheck shell=bash
# Lesson 03's check (sourced by tests/new/lesson_test.sh): two pods, two generated programs,
# joined over shm by the channel both descriptions bridge ("values"). Run in either order, the
# subscriber logs every value the publisher sent, once and in order (gaps 0, repeats 0), and
# both stop cleanly by themselves when the stream ends. --uri gives each run a mapping of its
# own, so runs in parallel do not meet. Then the same programs over NATS JetStream (a
# nats-server started here on 127.0.0.1 and a free port): the bridge actors steady-new wires in.
project lesson-03-publish "$gallery/lesson-03/publish"
pub="$prog"
project lesson-03-subscribe "$gallery/lesson-03/subscribe"
sub="$prog"

pods() { # NAME FIRST-POD SECOND-POD [URI]: the second starts 300 ms after the first
    local name="$1" uri="${4:-shm:/steady-gallery-$$-$1}"
    step "$name: $2 first, then $3, over $uri"
    declare -A log=([pub]="$tmp/$name.pub.log" [sub]="$tmp/$name.sub.log")
    declare -A bin=([pub]="$pub" [sub]="$sub")
    timeout 60 "${bin[$2]}" --uri "values=$uri" >"${log[$2]}" 2>&1 &
    local first=$!
    sleep 0.3
    timeout 60 "${bin[$3]}" --uri "values=$uri" >"${log[$3]}" 2>&1 ||
        { cat "${log[$3]}" >&2; fail "$name: $3 failed"; }
    wait "$first" || { cat "${log[$2]}" >&2; fail "$name: $2 failed"; }
    grep -q "graph 'lesson03_publish' stopped cleanly" "${log[pub]}" || fail "$name: publisher: no clean stop"
    grep -q "graph 'lesson03_subscribe' stopped cleanly" "${log[sub]}" || fail "$name: subscriber: no clean stop"
    grep -q "gaps: 0, repeats: 0" "${log[sub]}" || { cat "${log[sub]}" >&2; fail "$name: the stream had gaps or repeats"; }
    cat "${log[pub]}" "${log[sub]}" >"$tmp/$name.log"
    fizzbuzz_totals "$tmp/$name.log" 0
    [[ ! -e "/dev/shm/steady-gallery-$$-$1" ]] || fail "$name: the mapping was left in /dev/shm"
}
pods subscriber-first sub pub
pods publisher-first pub sub

command -v nats-server >/dev/null || fail "nats-server is not installed (make deps-test installs it)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
nats-server -js -sd "$tmp/js" -a 127.0.0.1 -p "$port" >"$tmp/nats.log" 2>&1 &
nats=$!
trap 'kill $nats 2>/dev/null; cleanup' EXIT
for _ in $(seq 1 500); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.01; done
pods jetstream sub pub "nats+js://127.0.0.1:$port/LESSON03/lesson03.values"
