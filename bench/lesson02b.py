#!/usr/bin/env python3
"""lesson02b.py -- lesson 02B end to end: whole-process throughput per placement and mode.

Runs build/<dir>/examples/lesson-02b-performant in every placement and worker mode, in freshly
shuffled order each round, for R rounds. Each run's figure is the program's own last line:
messages the logger counted / whole process wall time (start-up and drain included). Every run
is also checked exactly (the logger's Total equals the generator's Sent, and the four counts
are the FizzBuzz counts of 0..N-1); a wrong total fails the script. The placement probe runs
before and after each run; the table is split by placement class, as bench/driver.py does.

  bench/lesson02b.py [--build DIR] [--rounds R] [--rate MS] [--beats N]
"""
import argparse
import os
import random
import re
import statistics
import subprocess
import sys

PLACEMENTS = ("troupe", "split", "original")
MODES = ("zero-copy", "double-buffer")
RATE_RE = re.compile(r"lesson-02b-performant: (\d+) messages in ([0-9.]+) s: ([0-9.]+) M msg/s")
SENT_RE = re.compile(r"Generator shutting down\. Sent: (\d+)")
TOTAL_RE = re.compile(r"Logger shutting down\. Total: (\d+) \(F:(\d+), B:(\d+), FB:(\d+), V:(\d+)\)")


def probe(build):
    out = subprocess.run([os.path.join(build, "bench", "placement_probe")], capture_output=True,
                         text=True, check=True).stdout.split()
    return float(out[0]), out[1]


def check_exact(text):
    sent, total = SENT_RE.search(text), TOTAL_RE.search(text)
    if not sent or not total:
        return "missing Sent or Total line"
    n = int(sent.group(1))
    t, f, b, fb, v = (int(x) for x in total.groups())
    efb = (n + 14) // 15
    ef, eb = (n + 2) // 3 - efb, (n + 4) // 5 - efb
    want = (n, ef, eb, efb, n - ef - eb - efb)
    if (t, f, b, fb, v) != want:
        return f"got {(t, f, b, fb, v)}, expected {want}"
    return None


def run(build, place, mode, rate, beats):
    exe = os.path.join(build, "examples", "lesson-02b-performant")
    before = probe(build)
    p = subprocess.run([exe, "--rate", str(rate), "--beats", str(beats), "--placement", place,
                        "--mode", mode], capture_output=True, text=True, timeout=120)
    after = probe(build)
    text = p.stdout + p.stderr
    if p.returncode != 0:
        sys.exit(f"{place}/{mode}: exit {p.returncode}: {text[-400:]}")
    err = check_exact(text)
    if err:
        sys.exit(f"{place}/{mode}: totals not exact: {err}")
    m = RATE_RE.search(text)
    cls = before[1] if before[1] == after[1] else "mixed"
    return float(m.group(3)), cls


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "5")))
    ap.add_argument("--rate", type=int, default=200)
    ap.add_argument("--beats", type=int, default=10)
    a = ap.parse_args()
    configs = [(p, m) for p in PLACEMENTS for m in MODES]
    results = {}
    for r in range(a.rounds):
        random.shuffle(configs)
        for place, mode in configs:
            mps, cls = run(a.build, place, mode, a.rate, a.beats)
            results.setdefault((cls, place, mode), []).append(mps)
            print(f"round {r + 1}: {place}/{mode}: {mps:.1f} M msg/s ({cls})", flush=True)
    print(f"\nlesson 02B end to end, --rate {a.rate} --beats {a.beats}, {a.rounds} rounds; "
          f"M msg/s over the whole process (start-up and drain included), totals exact")
    for cls in ("far", "near", "mixed"):
        rows = [(k, v) for k, v in results.items() if k[0] == cls]
        if not rows:
            continue
        print(f"== {cls}")
        print(f"{'placement/mode':28} {'runs':>4} {'median':>8} {'min-max':>16}")
        for (c, place, mode), v in sorted(rows, key=lambda kv: -statistics.median(kv[1])):
            print(f"{place + '/' + mode:28} {len(v):4} {statistics.median(v):8.1f} "
                  f"{min(v):7.1f}-{max(v):<8.1f}")


if __name__ == "__main__":
    main()
