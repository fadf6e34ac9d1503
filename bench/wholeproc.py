"""wholeproc.py -- one run of a whole program as a benchmark: lesson 02B and its FizzBuzz peers.

Lesson 02B (examples/lesson-02b-performant) and the same pipeline written with crossbeam-channel
(bench/peers/crossbeam) and Go channels (bench/peers/go) each print, at their end,

  <name>: <N> messages in <S> s: <R> M msg/s (...)

the whole process's rate (start-up, lesson 02B's placement measurement, and drain included),
and the lines "Generator shutting down. Sent: N" and "Logger shutting down. Total: T (F:f, B:b,
FB:fb, V:v)". run() times one such run, checks the totals exactly (T = N and the four counts are
those of 0..N-1), and probes the placement of the two vCPUs before and after it with
bench/placement_probe. Used by bench/driver.py (the "lesson" rows) and bench/lesson02b.py.
"""
import os
import re
import sys
import resource
import socket
import subprocess
import threading
import time

RATE_RE = re.compile(r"^(\S+): (\d+) messages in ([0-9.]+) s: ([0-9.]+) M msg/s", re.M)
SENT_RE = re.compile(r"Generator shutting down\. Sent: (\d+)")
TOTAL_RE = re.compile(r"Logger shutting down\. Total: (\d+) \(F:(\d+), B:(\d+), FB:(\d+), V:(\d+)\)")
# lesson 02B without --placement: "lesson-02b-performant: placement troupe: the fastest; ..."
CHOSE_RE = re.compile(r"^lesson-02b-performant: placement (\w+): (.*)$", re.M)
PLACED_RE = re.compile(r"\(placement (\w+),")
NEAR_NS, FAR_NS = 60.0, 120.0


def place_of(ns):
    if ns < 0:
        return "unprobed"
    return "near" if ns < NEAR_NS else "far" if ns >= FAR_NS else "mixed"


def probe(probe_exe):
    """The placement probe: (one-way ns, class), or (-1, "unprobed") if it cannot run."""
    try:
        out = subprocess.run([probe_exe], capture_output=True, text=True, check=True,
                             timeout=30).stdout.split()
        return float(out[0]), out[1]
    except (OSError, subprocess.SubprocessError, IndexError, ValueError):
        return -1.0, "unprobed"


def check_exact(text):
    """None if the run's totals are exact, else what is wrong."""
    sent, total = SENT_RE.search(text), TOTAL_RE.search(text)
    if not sent or not total:
        return "missing the 'Sent: N' or the 'Total: ...' line"
    n = int(sent.group(1))
    got = tuple(int(x) for x in total.groups())
    efb = (n + 14) // 15
    ef, eb = (n + 2) // 3 - efb, (n + 4) // 5 - efb
    want = (n, ef, eb, efb, n - ef - eb - efb)
    if got != want:
        return f"totals (T, F, B, FB, V) = {got}, expected {want} for {n} values sent"
    return None


def run(cmd, probe_exe, timeout=300, env=None):
    """Runs cmd once. Returns (fields, None) or (None, error text). Fields: n, mps, secs, cpu
    (CPU-seconds per wall-second of the whole process), probe_before, probe_after, place, and
    for lesson 02B placement (the one it ran) and, when it chose, chose_why."""
    before = probe(probe_exe)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    try:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             env=env)
    except OSError as e:
        return None, f"cannot start {cmd[0]}: {e}"
    try:
        text, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return None, f"timed out after {timeout} s"
    wall = time.time() - t0
    # The program's CPU time: the children's rusage grew by exactly this run (probes excluded).
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) / wall if wall > 0 else 0
    after = probe(probe_exe)
    if p.returncode != 0:
        return None, f"exit {p.returncode}: {text.strip()[-400:]}"
    err = check_exact(text)
    if err:
        return None, f"totals not exact: {err}"
    m = RATE_RE.search(text)
    if not m:
        return None, f"no rate line in: {text.strip()[-300:]}"
    f = {"n": m.group(2), "secs": m.group(3), "mps": m.group(4),
         "probe_before": f"{before[0]:.1f}", "probe_after": f"{after[0]:.1f}",
         "place": before[1] if before[1] == after[1] else "mixed", "cpu": f"{cpu:.3f}"}
    placed = PLACED_RE.search(text)
    if placed:
        f["placement"] = placed.group(1)
    chose = CHOSE_RE.search(text)
    if chose:
        f["chose_why"] = chose.group(2)
    return f, None


def free_port():
    """A TCP port free on 127.0.0.1 now (the program binds it a moment later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SlowClients:
    """n HTTP clients on 127.0.0.1:port that connect as soon as the port listens and send a
    GET's header one byte every 100 ms, never finishing it (a slow-loris load on the lesson's
    dashboard): the server must hold them without slowing the graph. stop() closes them and
    returns the most that were connected at once."""

    REQUEST = b"GET /snapshot.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4000

    def __init__(self, port, n):
        self.port, self.n, self.held = port, n, 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _connect(self, socks):
        while len(socks) < self.n and not self.done.is_set():
            s = socket.socket()
            s.settimeout(0.2)
            try:
                s.connect(("127.0.0.1", self.port))
                s.setblocking(False)
                socks.append([s, 0])
            except OSError:
                s.close()
                return

    def _run(self):
        socks = []
        try:
            while not self.done.wait(0.1):
                self._connect(socks)
                for c in socks[:]:
                    try:
                        c[0].send(self.REQUEST[c[1] % len(self.REQUEST):][:1])
                        c[1] += 1
                    except OSError:  # the server closed it (its timeout): reconnect later
                        c[0].close()
                        socks.remove(c)
                self.held = max(self.held, len(socks))
        finally:
            for c in socks:
                c[0].close()

    def stop(self):
        self.done.set()
        self.thread.join()
        return self.held


def result_line(config, f):
    """The run as one driver result line (chose_why kept out: it has spaces)."""
    keys = ("n", "mps", "secs", "cpu", "probe_before", "probe_after", "place", "placement",
            "slow_held")
    return f"result config={config} " + " ".join(f"{k}={f[k]}" for k in keys if k in f)


def examples_dir(bench_dir):
    return os.path.join(os.path.dirname(os.path.abspath(bench_dir)), "examples")


def main(argv):
    """python3 wholeproc.py [--if-built] PROGRAM [ARG...]: one run, totals checked exactly (a
    ctest for the floor and the peers). Exit 0 with the result line, or 1 naming what is
    wrong. --if-built: a PROGRAM that is not there exits 77 (ctest's "skipped"), saying so: the
    peers are built by bench_all only."""
    if_built = len(argv) > 1 and argv[1] == "--if-built"
    cmd = argv[2:] if if_built else argv[1:]
    if not cmd or cmd[0] in ("-h", "--help"):
        print("usage: wholeproc.py [--if-built] PROGRAM [ARG...]\n"
              "Runs PROGRAM once and checks its lesson 02B totals exactly.")
        return 0 if cmd else 2
    if if_built and not os.access(cmd[0], os.X_OK):
        print(f"skipped: {cmd[0]} is not built (make bench builds it)")
        return 77
    f, err = run(cmd, os.path.join(os.path.dirname(os.path.abspath(cmd[0])), "placement_probe"))
    if f is None:
        print(f"{os.path.basename(cmd[0])}: {err}", file=sys.stderr)
        return 1
    print(result_line(os.path.basename(cmd[0]), f))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
