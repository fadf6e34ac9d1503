#!/usr/bin/env python3
"""lesson02b.py -- lesson 02B end to end: every placement and worker mode, and its peers.

Runs build/<dir>/examples/lesson-02b-performant without --placement (it measures the placements
and chooses: "default") and with each placement forced, in both worker modes, and the same
FizzBuzz pipeline over crossbeam-channel and Go channels (build/<dir>/bench/fizzbuzz_crossbeam,
fizzbuzz_go, when built), in freshly shuffled order each round, for R rounds. Each run's figure is
the program's own last line: messages the logger counted / whole process wall time (start-up,
the default's measurement, and drain included). Every run is checked exactly (bench/wholeproc.py);
a wrong total fails the script. The placement probe runs before and after each run; the table is
split by placement class, as bench/driver.py does, with ratios to the best forced placement and
to the faster peer (same class, same rounds). bench/driver.py runs the zero-copy rows too.

  bench/lesson02b.py [--build DIR] [--rounds R] [--rate MS] [--beats N]
"""
import argparse
import os
import random
import statistics
import sys

import driver
import wholeproc

PLACEMENTS = ("default", "troupe", "split", "original")
MODES = ("zero-copy", "double-buffer")
PEERS = ("fizzbuzz_crossbeam", "fizzbuzz_go")


def configs(build):
    out = [(f"{p}/{m}", [os.path.join(build, "examples", "lesson-02b-performant")]
            + ([] if p == "default" else ["--placement", p]) + ["--mode", m])
           for p in PLACEMENTS for m in MODES]
    for peer in PEERS:
        exe = os.path.join(build, "bench", peer)
        if os.access(exe, os.X_OK):
            out.append((peer, [exe]))
        else:
            print(f"# not built: {exe} (make bench builds the peers)", file=sys.stderr)
    return out


def report(results, rate, beats, rounds):
    print(f"\nlesson 02B end to end, --rate {rate} --beats {beats}, {rounds} rounds; M msg/s over "
          f"the whole process (start-up and drain included), totals exact; CPU: "
          f"{driver.cpu_model()}")
    for cls in ("far", "near", "mixed"):
        rows = {k[1]: v for k, v in results.items() if k[0] == cls}
        if not rows:
            continue
        med = {k: statistics.median(r["mps"] for r in v) for k, v in rows.items()}
        forced = [m for k, m in med.items() if k.split("/")[0] in PLACEMENTS[1:]]
        peers = [m for k, m in med.items() if k in PEERS]
        best, peer = (max(forced) if forced else None), (max(peers) if peers else None)
        print(f"== {cls}")
        print(f"{'config':28} {'runs':>4} {'median':>8} {'min-max':>16} {'vs best':>8} "
              f"{'vs peer':>8}  chosen")
        for k in sorted(rows, key=lambda k: -med[k]):
            v = [r["mps"] for r in rows[k]]
            chosen = sorted({r["placement"] for r in rows[k] if k.startswith("default")})
            print(f"{k:28} {len(v):4} {med[k]:8.1f} {min(v):7.1f}-{max(v):<8.1f} "
                  f"{driver.ratio(med[k], best) if cls != 'mixed' else '-':>8} "
                  f"{driver.ratio(med[k], peer) if cls != 'mixed' else '-':>8}  "
                  + ", ".join(chosen))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "5")))
    ap.add_argument("--rate", type=int, default=200)
    ap.add_argument("--beats", type=int, default=10)
    a = ap.parse_args()
    cfgs = configs(a.build)
    probe = os.path.join(a.build, "bench", "placement_probe")
    results = {}
    for r in range(a.rounds):
        random.shuffle(cfgs)
        for name, cmd in cfgs:
            f, err = wholeproc.run(cmd + ["--rate", str(a.rate), "--beats", str(a.beats)], probe)
            if f is None:
                sys.exit(f"{name}: {err}")
            f["mps"] = float(f["mps"])
            results.setdefault((f["place"], name), []).append(f)
            print(f"round {r + 1}: {name}: {f['mps']:.1f} M msg/s ({f['place']}, probe "
                  f"{f['probe_before']}/{f['probe_after']} ns)"
                  + (f"; chose {f['placement']}: {f['chose_why']}" if "chose_why" in f else ""),
                  flush=True)
    report(results, a.rate, a.beats, a.rounds)


if __name__ == "__main__":
    main()
