#!/usr/bin/env python3
"""gate.py -- instructions per message of steady's channel paths, under callgrind.

Runs bench/icount (one thread alternating producer and consumer, no timing) under
`valgrind --tool=callgrind` at two message counts per mode and reports
    Ir/msg = (Ir(N2) - Ir(N1)) / (N2 - N1),
which removes start-up and tear-down. Deterministic, so fit for CI on a shared machine.
Exits 1 when a mode exceeds its threshold in bench/gate.conf, 2 when it cannot measure.

  bench/gate.py [--build DIR] [--conf FILE]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

N1, N2 = 262144, 1310720  # multiples of every burst (64, 4096)
# Rows run by another program, with their own counts: (executable, n1, n2, unit).
OTHER = {"telemetry-frame": ("tm_frame", "frame", 200, 1000, "Ir/frame")}
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def read_conf(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            mode, limit = line.split()[:2]
            rows.append((mode, None if limit == "-" else float(limit)))
    return rows


def instructions(exe, mode, n):
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", exe, mode, "--n",
           str(n)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    m = COLLECTED.search(p.stderr)
    if p.returncode != 0 or not m:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr.strip()[-600:]}")
    return int(m.group(1))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(root, "build", "release", "bench"))
    ap.add_argument("--conf", default=os.path.join(here, "gate.conf"))
    args = ap.parse_args()
    exe = os.path.join(args.build, "icount")
    if not shutil.which("valgrind"):
        print("gate: valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    if not os.access(exe, os.X_OK):
        print(f"gate: {exe} not found (build the icount target)", file=sys.stderr)
        return 2
    over = []
    print(f"{'mode':<16} {'Ir/msg':>9} {'limit':>7}  verdict")
    for mode, limit in read_conf(args.conf):
        run_exe, run_mode, n1, n2, unit = exe, mode, N1, N2, ""
        if mode in OTHER:
            name, run_mode, n1, n2, unit = OTHER[mode]
            run_exe = os.path.join(args.build, name)
            if not os.access(run_exe, os.X_OK):
                print(f"gate: {run_exe} not found (built with libsteady-telemetry only)",
                      file=sys.stderr)
                return 2
        try:
            per = (instructions(run_exe, run_mode, n2) - instructions(run_exe, run_mode, n1)) / (n2 - n1)
        except RuntimeError as e:
            print(f"gate: {e}", file=sys.stderr)
            return 2
        if limit is None:
            verdict = "(not gated)"
        elif per > limit:
            verdict = "OVER"
            over.append(f"{mode} {per:.2f} > {limit:g}")
        else:
            verdict = "ok"
        print(f"{mode:<16} {per:>9.2f} {('-' if limit is None else f'{limit:g}'):>7}  {verdict}"
              f"{'  (' + unit + ')' if unit else ''}", flush=True)
    if over:
        print("gate: FAILED: " + "; ".join(over))
        return 1
    print("gate: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
