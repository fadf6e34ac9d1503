#!/usr/bin/env python3
"""real_server.py -- runs a program that serves telemetry (it prints "url <URL>" once serving),
then runs a checker command with {base} replaced by that URL and {pid} by the program's pid,
and ends the program (SIGTERM, then SIGKILL) if the checker did not. Exit status: the
checker's (77: skipped), or 1 if the program never served or failed.

  real_server.py [--env K=V]... -- PROGRAM ARGS... -- CHECKER ARGS...
"""
import os
import signal
import subprocess
import sys
import time


def main(argv):
    env = dict(os.environ)
    while argv and argv[0] == "--env":
        k, v = argv[1].split("=", 1)
        env[k] = v
        argv = argv[2:]
    if not argv or argv[0] != "--" or "--" not in argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    cut = argv.index("--", 1)
    program, checker = argv[1:cut], argv[cut + 1:]
    proc = subprocess.Popen(program, stdout=subprocess.PIPE, env=env, text=True)
    url = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("url "):
            url = line.split()[1].rstrip("/")
            break
    if not url:
        print(f"real_server: {program[0]} never printed its url", file=sys.stderr)
        proc.kill()
        return 1
    print(f"real_server: {program[0]} serves {url} (pid {proc.pid})", flush=True)
    cmd = [a.replace("{base}", url).replace("{pid}", str(proc.pid)) for a in checker]
    status = subprocess.call(cmd)
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            print("real_server: the program did not stop at SIGTERM", file=sys.stderr)
            return 1
    if status == 0 and proc.returncode not in (0, -signal.SIGTERM):
        print(f"real_server: the program exited with {proc.returncode}", file=sys.stderr)
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
