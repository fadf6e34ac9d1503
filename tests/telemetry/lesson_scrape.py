#!/usr/bin/env python3
"""lesson_scrape.py -- lesson 02B served and scraped as a user would see it.

Runs lesson-02b-performant with its dashboard on an ephemeral port (STEADY_TELEMETRY_PORT=0),
then, while it runs:
  * /metrics passes the real `promtool check metrics`;
  * /graph.dot passes the real `dot -Tsvg`, with one node per actor (4) and one edge per
    channel (3);
  * /snapshot.json names the 4 actors and 3 channels;
  * a real Prometheus server, started here on 127.0.0.1 and a free port with a scrape interval
    of 1 s, scrapes the lesson, and its HTTP API answers
    rate(steady_channel_taken_total{channel="generator->worker"}[5s]) with a value near the
    rate the lesson prints itself ("Worker: X M msg/s"; within 0.5x..2x: both are averages
    over different seconds of a noisy machine);
then the lesson must end by itself with exit status 0 and the dashboard's URL announced.

  lesson_scrape.py LESSON_BINARY [--seconds N]

Exit 77 (skipped) when prometheus, promtool or dot is missing. Everything runs on 127.0.0.1
and stops by itself (the lesson after N seconds, Prometheus when the test ends).
"""
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

QUERY = 'rate(steady_channel_taken_total{channel="generator->worker"}[5s])'


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


class Lesson:
    """The lesson, its output collected by a thread; .url once announced."""

    def __init__(self, binary, seconds):
        beats = seconds * 500  # --rate 2: one beat every 2 ms
        env = dict(os.environ, STEADY_TELEMETRY_PORT="0")
        self.proc = subprocess.Popen([binary, "--rate", "2", "--beats", str(beats)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=env, text=True)
        self.lines, self.url, self.rates = [], None, []
        self.announced = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            m = re.search(r"Telemetry on (http://127\.0\.0\.1:\d+/)", line)
            if m:
                self.url = m.group(1)
                self.announced.set()
            m = re.search(r"Worker: ([0-9.]+) M msg/s", line)
            if m:
                self.rates.append((time.monotonic(), float(m.group(1)) * 1e6))
        self.announced.set()

    def tail(self):
        return "\n".join(self.lines[-30:])


def check_routes(url):
    status, metrics = get(url + "metrics")
    if status != 200:
        fail(f"/metrics answered {status}")
    p = subprocess.run(["promtool", "check", "metrics"], input=metrics, text=True,
                       capture_output=True)
    if p.returncode != 0:
        fail(f"promtool check metrics refused /metrics:\n{p.stdout}{p.stderr}")
    print(f"promtool check metrics: ok ({len(metrics.splitlines())} lines)")
    _, dot = get(url + "graph.dot")
    p = subprocess.run(["dot", "-Tsvg"], input=dot, text=True, capture_output=True)
    if p.returncode != 0:
        fail(f"dot -Tsvg refused /graph.dot:\n{p.stderr}")
    nodes = p.stdout.count('class="node"')
    edges = p.stdout.count('class="edge"')
    if (nodes, edges) != (4, 3):
        fail(f"the graph has 4 actors and 3 channels; the SVG has {nodes} nodes, {edges} edges")
    print(f"dot -Tsvg: ok ({nodes} nodes, {edges} edges)")
    _, snap = get(url + "snapshot.json")
    j = json.loads(snap)
    labels = sorted(a["label"] for a in j["actors"])
    if labels != ["generator", "heartbeat", "logger", "worker"] or len(j["channels"]) != 3:
        fail(f"snapshot.json: actors {labels}, {len(j['channels'])} channels")


def prometheus_rate(prom_url, deadline):
    """QUERY's answer once its whole 5 s range lies after the first non-zero answer (so the
    lesson's start-up, placement calibration included, is out of the range), polled until the
    deadline."""
    q = prom_url + "/api/v1/query?" + urllib.parse.urlencode({"query": QUERY})
    last, first = None, None
    while time.monotonic() < deadline:
        try:
            _, body = get(q)
            res = json.loads(body)["data"]["result"]
            if res and float(res[0]["value"][1]) > 0:
                first = first or time.monotonic()
                if time.monotonic() - first >= 6:
                    return float(res[0]["value"][1])
            last = body
        except OSError as e:
            last = str(e)
        time.sleep(1)
    fail(f"Prometheus never answered {QUERY} with a rate; last answer: {last}")


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    binary, seconds = argv[0], 25
    if len(argv) >= 3 and argv[1] == "--seconds":
        seconds = int(argv[2])
    for tool in ("prometheus", "promtool", "dot"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} is not installed (Debian: make deps-test)")
            return 77
    lesson = Lesson(binary, seconds)
    tmp = tempfile.mkdtemp(prefix="steady-prom-")
    prom = None
    try:
        if not lesson.announced.wait(30) or not lesson.url:
            fail("the lesson never announced 'Telemetry on http://127.0.0.1:PORT/':\n" +
                 lesson.tail())
        print(f"lesson serves {lesson.url}")
        time.sleep(1.5)  # a few frames
        check_routes(lesson.url)
        target = urllib.parse.urlparse(lesson.url).netloc
        with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: lesson02b\n"
                    f"    static_configs:\n      - targets: ['{target}']\n")
        pport = free_port()
        prom = subprocess.Popen(["prometheus", "--config.file", os.path.join(tmp, "prometheus.yml"),
                                 "--storage.tsdb.path", os.path.join(tmp, "data"),
                                 f"--web.listen-address=127.0.0.1:{pport}", "--log.level=warn"],
                                stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "prom.log"), "w"))
        deadline = time.monotonic() + seconds - 4
        rate = prometheus_rate(f"http://127.0.0.1:{pport}", deadline)
        t = time.monotonic()
        near = [r for (when, r) in lesson.rates if t - 6 < when < t + 1.5]
        if not near:
            fail("the lesson printed no 'Worker: X M msg/s' line near the query:\n" + lesson.tail())
        own = statistics.median(near)
        ratio = rate / own
        print(f"Prometheus rate {rate / 1e6:.1f} M msg/s, the lesson's own {own / 1e6:.1f} M msg/s "
              f"(ratio {ratio:.2f})")
        if not 0.5 <= ratio <= 2.0:
            fail(f"Prometheus says {rate:.0f}/s, the lesson {own:.0f}/s")
        try:
            code = lesson.proc.wait(timeout=seconds + 60)
        except subprocess.TimeoutExpired:
            fail("the lesson did not end by itself")
        if code != 0:
            fail(f"the lesson exited {code}:\n" + lesson.tail())
        print("ok")
        return 0
    finally:
        for p in (prom, lesson.proc):
            if p and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
