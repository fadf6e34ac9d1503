#!/usr/bin/env python3
"""line_server_test.py SERVER CLIENT -- examples/line-server with real clients on 127.0.0.1.

Starts the server on a free port, runs examples/line-server/client.py against it twice (the
second round after the first has left, so nothing from the first may be stuck), then stops the
server with SIGINT and checks its totals against what the clients sent: every connection
served, every line echoed (exactly), no more clients dropped than vanished mid-line, a clean
stop and exit 0. Bounded: the server also stops by itself after 100 s.
"""
import re
import signal
import subprocess
import sys

server, client = sys.argv[1], sys.argv[2]
srv = subprocess.Popen([server, "--port", "0", "--pool", "4", "--seconds", "100"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
first = srv.stdout.readline()
m = re.search(r"listening on 127\.0\.0\.1:(\d+)", first)
if not m:
    srv.kill()
    sys.exit(f"line_server_test: no 'listening on' line, got {first!r}")
port = m.group(1)

want_conn = want_lines = vanished = 0
for seed, extra in ((1, []), (2, ["--clients", "500", "--lines", "10", "--vanish", "60"])):
    r = subprocess.run([sys.executable, client, "--port", port, "--seed", str(seed), *extra],
                       capture_output=True, text=True, timeout=120)
    sys.stdout.write(r.stdout)
    if r.returncode != 0:
        srv.kill()
        sys.exit(f"line_server_test: round {seed}: the client failed:\n{r.stdout}{r.stderr}")
    kv = dict(x.split("=") for x in r.stdout.strip().splitlines()[-1].split())
    want_conn += int(kv["connections"])
    want_lines += int(kv["lines"])
    vanished += int(kv["vanish"])

srv.send_signal(signal.SIGINT)
out, err = srv.communicate(timeout=30)
sys.stdout.write(out)
m = re.search(r"accepted (\d+), served (\d+) clients, echoed (\d+) lines \((\d+) bytes\), "
              r"dropped (\d+)", out)
problems = []
if srv.returncode != 0:
    problems.append(f"exit status {srv.returncode}")
if "stopped cleanly" not in err:
    problems.append("no 'stopped cleanly' line")
if not m:
    problems.append("no totals line")
else:
    accepted, served, echoed, _, dropped = map(int, m.groups())
    if accepted != want_conn or served != want_conn:
        problems.append(f"accepted {accepted} / served {served}, the clients made {want_conn}")
    if echoed != want_lines:
        problems.append(f"echoed {echoed} lines, the clients sent {want_lines}")
    if dropped > vanished:
        problems.append(f"dropped {dropped} clients, only {vanished} vanished mid-line")
if problems:
    sys.exit("line_server_test: FAIL: " + "; ".join(problems) + "\n" + err[-2000:])
print(f"line_server_test: PASS: {want_conn} connections, {want_lines} lines echoed exactly, "
      f"clean stop")
