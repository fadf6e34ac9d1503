#!/usr/bin/env python3
"""steady-top as a user runs it: top_test.py STEADY_TOP OBSERVED_GRAPH FIXTURE_JSON

1. observed_graph serves a live graph (source -> middle, which holds each message, -> sink) on a
   free port; `steady-top --once URL` must list its three actors by load, mark the middle stage
   as the bottleneck and channel "a" as where back-pressure starts, and print no escape codes.
2. The documented snapshot (tests/telemetry/fixtures/snapshot.json), served by a small HTTP
   server on 127.0.0.1: read without error, its actors and channels listed.
3. Bad answers: no server, 404, not JSON, empty, truncated, another schema version, absurd
   numbers, and bad arguments: exit 1 (runtime) or 2 (usage) with a one-line message naming
   the problem, never a crash (a signal) or a hang."""
import gzip
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def top(exe, *args, timeout=20):
    p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout)
    if p.returncode < 0:
        fail(f"steady-top {' '.join(args)} died of signal {-p.returncode}:\n{p.stderr}")
    return p.returncode, p.stdout, p.stderr


def start_graph(binary):
    env = dict(os.environ, STEADY_TELEMETRY_PORT="0")
    proc = subprocess.Popen([binary, "--seconds", "30", "--hold-us", "300"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if m:
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # drain
            return proc, m.group(1)
    proc.kill()
    fail("observed_graph never printed its URL")


def live_graph(exe, graph):
    proc, url = start_graph(graph)
    try:
        out = ""
        for _ in range(40):  # until the window shows the bottleneck (a second or two)
            code, out, err = top(exe, "--once", url)
            if code == 0 and "bottleneck: middle" in out:
                break
            time.sleep(0.25)
        print(out)
        if "bottleneck: middle" not in out or "back-pressure starts at a" not in out:
            fail("the live view does not name the bottleneck and the back-pressure channel")
        if "\x1b[" in out:
            fail("--once printed escape codes")
        rows = re.findall(r"^([* ]) (source|middle|sink)\s.*?\s(\d+)%", out, re.M)
        names = [r[1] for r in rows]
        loads = [int(r[2]) for r in rows]
        if sorted(names) != ["middle", "sink", "source"] or loads != sorted(loads, reverse=True):
            fail(f"actors not all listed by load: {rows}")
        if [r[1] for r in rows if r[0] == "*"] != ["middle"]:
            fail(f"the bottleneck mark is not on middle alone: {rows}")
    finally:
        proc.kill()
        proc.wait()
    code, _, err = top(exe, "--once", url)  # the graph is gone
    if code != 1 or "steady-top:" not in err:
        fail(f"a stopped server: exit {code}, stderr {err!r}")


class Files(http.server.BaseHTTPRequestHandler):
    bodies = {}

    def do_GET(self):
        body = self.bodies.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def served(fixture):
    good = open(fixture, "rb").read()
    j = json.loads(good)
    other = dict(j, v=99)
    huge = json.loads(good)
    huge["seq"] = 10**30
    huge["actors"][0]["mcpu"] = 1e308
    huge["channels"][0]["rate"] = -1e308
    Files.bodies = {
        "/good/snapshot.json": good,
        "/notjson/snapshot.json": b"<html>hello</html>",
        "/empty/snapshot.json": b"",
        "/cut/snapshot.json": good[: len(good) // 2],
        "/v99/snapshot.json": json.dumps(other).encode(),
        "/huge/snapshot.json": json.dumps(huge).encode(),
        "/array/snapshot.json": b"[1,2,3]",
    }
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}", j


def fixture_and_bad_answers(exe, fixture):
    srv, base, j = served(fixture)
    try:
        code, out, err = top(exe, "--once", base + "/good/")
        if code != 0:
            fail(f"the documented fixture: exit {code}: {err}")
        for a in j["actors"]:
            if a["label"] not in out:
                fail(f"fixture actor {a['label']} missing:\n{out}")
        for c in j["channels"]:
            if c["name"] not in out:
                fail(f"fixture channel {c['name']} missing:\n{out}")
        code, out, err = top(exe, "--once", base + "/good/snapshot.json")  # the route itself
        if code != 0:
            fail(f"URL ending in /snapshot.json: exit {code}: {err}")
        for case in ["notjson", "empty", "cut", "v99", "array", "missing"]:
            code, out, err = top(exe, "--once", f"{base}/{case}/")
            lines = [ln for ln in err.splitlines() if ln.strip()]
            if code != 1 or not lines or not lines[0].startswith("steady-top:"):
                fail(f"{case}: exit {code}, stderr {err!r} (want 1 and a steady-top: line)")
            print(f"{case}: {lines[0]}")
        code, out, err = top(exe, "--once", base + "/huge/")
        if code not in (0, 1):
            fail(f"absurd numbers: exit {code}: {err}")
    finally:
        srv.shutdown()
    for args in (["--once"], ["--interval", "abc", "http://x/"], ["--bogus"],
                 ["--once", "not a url"], ["--once", "ftp://127.0.0.1/"]):
        code, _, err = top(exe, *args)
        if code not in (1, 2) or "steady-top" not in err:
            fail(f"{args}: exit {code}, stderr {err!r}")
        print(f"{args}: exit {code}: {err.splitlines()[0]}")
    code, out, _ = top(exe, "--help")
    if code != 0 or "--once" not in out:
        fail("--help")


def replay(exe, graph, tmp):
    """A history recorded by a real graph (--history), replayed: frame by frame, at a chosen
    frame, faster than recorded, and bad files refused."""
    path = os.path.join(tmp, "history.gz")
    env = dict(os.environ, STEADY_TELEMETRY_PORT="0")
    p = subprocess.run([graph, "--seconds", "3", "--hold-us", "300", "--frame-ms", "50",
                        "--history", path], env=env, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        fail(f"observed_graph --history: exit {p.returncode}\n{p.stdout}{p.stderr}")
    with gzip.open(path, "rt") as f:
        docs = [json.loads(line) for line in f]
    seqs = [d["seq"] for d in docs]
    if len(docs) < 20 or seqs != list(range(1, len(docs) + 1)):
        fail(f"the history holds {len(docs)} frames, seqs {seqs[:5]}...")
    code, out, err = top(exe, "--replay", "--once", path)
    if code != 0 or f"frame 1 of {len(docs)} (seq 1)" not in out or "source" not in out:
        fail(f"replay --once: exit {code}\n{out}{err}")
    last = docs[-1]
    code, out, err = top(exe, "--replay", "--once", "--at", str(last["seq"]), path)
    if code != 0 or f"(seq {last['seq']})" not in out or "end of the recording" not in out:
        fail(f"replay --at {last['seq']}: exit {code}\n{out}{err}")
    if last["bottleneck"]["actor"] is not None and "bottleneck: middle" not in out:
        fail(f"the replayed last frame does not name its bottleneck:\n{out}")
    t0 = time.monotonic()
    code, out, err = top(exe, "--replay", "--speed", "100", "--count", "10", path)
    frames = out.count("ACTORS (")
    if code != 0 or frames != 10:
        fail(f"replay --count 10: exit {code}, {frames} frames\n{err}")
    print(f"replayed 10 frames at 100x in {time.monotonic() - t0:.2f} s")
    bad = os.path.join(tmp, "plain.txt")
    with open(bad, "w") as f:
        f.write("not a history\n")
    for args in (["--replay", "--once", bad], ["--replay", "--once", path + ".none"],
                 ["--replay", "--once", "--at", "999999", path]):
        code, _, err = top(exe, *args)
        if code != 1 or not err.startswith("steady-top: "):
            fail(f"{args}: exit {code}, stderr {err!r}")
        print(f"{args[-1]}: {err.strip()}")
    for args in (["--replay"], ["--replay", "--speed", "0", path], ["--replay", "--at", "x", path]):
        code, _, err = top(exe, *args)
        if code != 2:
            fail(f"{args}: exit {code}, stderr {err!r}")


def main(argv):
    exe, graph, fixture = argv
    live_graph(exe, graph)
    fixture_and_bad_answers(exe, fixture)
    with tempfile.TemporaryDirectory() as tmp:
        replay(exe, graph, tmp)
    print("steady-top: ok")


if __name__ == "__main__":
    main(sys.argv[1:])
