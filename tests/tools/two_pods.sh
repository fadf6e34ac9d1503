# two_pods.sh — sourced by the steady-pods tests: a nats-server on a free port and two pods of
# lesson 03 joined over core NATS, each serving its telemetry. Call start_two_pods BIN_DIR
# BEATS; it sets work (a temporary directory, removed at exit), np (the server's port), server
# (its pid), sp and pp (the subscriber's and publisher's telemetry ports), and stops everything
# at exit. fail MESSAGE ends the test.
pids=()
work="$(mktemp -d /tmp/steady-pods-test.XXXXXX)"
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
await() { for _ in $(seq 1 1000); do accepts "$1" && return 0; sleep 0.01; done; fail "nothing on port $1"; }

start_two_pods() { # bin_dir beats
    np="$(port)" sp="$(port)" pp="$(port)"
    nats-server -a 127.0.0.1 -p "$np" >"$work/server.log" 2>&1 &
    server=$!
    pids+=("$server")
    await "$np"
    mkdir "$work/sub" "$work/pub"
    (cd "$work/sub" && exec "$1/lesson-03-subscribe" -t nats -u "nats://127.0.0.1:$np" \
        --telemetry-port "$sp") >"$work/sub.log" 2>&1 &
    pids+=($!)
    (cd "$work/pub" && exec "$1/lesson-03-publish" -t nats -u "nats://127.0.0.1:$np" \
        --telemetry-port "$pp" --rate 100 --beats "$2") >"$work/pub.log" 2>&1 &
    pids+=($!)
    await "$sp"
    await "$pp"
}
