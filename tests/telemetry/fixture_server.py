#!/usr/bin/env python3
"""A stand-in for libsteady-telemetry's HTTP server, for the dashboard's browser test.

Serves the dashboard's files (from the build's asset manifest, i.e. exactly what assets.c
embeds, or from a web/ directory), plus /config, /graph.dot and /snapshot.json made from the
fixtures in tests/telemetry/fixtures/ with figures that change from frame to frame, and
/healthz. Every response carries the real server's headers (CSP, nosniff, no-store).

GET /__stop answers 200 and then closes the listening socket: the page sees a server that
stopped answering (connections refused), as when the graph's process ends.

  fixture_server.py --manifest build/src/telemetry/web_assets.txt [--fixtures DIR] [--no-viz]
                    [--port 0] [-- COMMAND ARG...]

Without a COMMAND it prints "BASE http://127.0.0.1:PORT" and serves until /__stop or ^C.
With one, it runs COMMAND (each "{base}" replaced by the URL, "{pid}" by this process's id)
once the server listens, stops the server when it ends, and exits with its status.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; connect-src 'self'")
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
HERE = os.path.dirname(os.path.abspath(__file__))


def load_assets(args):
    """url path -> (file, content type)"""
    assets = {}
    if args.manifest:
        with open(args.manifest, encoding="utf-8") as fh:
            for line in fh:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                url, path, kind = line.split("\t")
                assets[url] = (path, TYPES["." + kind])
    else:
        web = args.web or os.path.join(HERE, "..", "..", "web")
        for name in sorted(os.listdir(web)):
            ext = os.path.splitext(name)[1]
            if ext in TYPES and os.path.isfile(os.path.join(web, name)):
                assets["/" + name] = (os.path.join(web, name), TYPES[ext])
        if args.viz and not args.no_viz:
            assets["/viz/viz-standalone.js"] = (args.viz, TYPES[".js"])
        if "/index.html" in assets:
            assets["/"] = assets["/index.html"]
    if args.no_viz:
        assets.pop("/viz/viz-standalone.js", None)
    return assets


class Frames:
    """The fixture snapshot, animated: frame numbers follow the clock (a frame every frame_ms),
    figures wobble around the fixture's values, totals grow with the rates."""

    def __init__(self, fixtures, have_viz):
        with open(os.path.join(fixtures, "snapshot.json"), encoding="utf-8") as fh:
            self.base = json.load(fh)
        with open(os.path.join(fixtures, "config.json"), encoding="utf-8") as fh:
            self.config = json.load(fh)
        self.config["have_viz"] = have_viz
        self.t0 = time.time()
        self.frame_ms = self.base.get("frame_ms", 100)

    @staticmethod
    def stats(v, spread, top=None):
        def cap(x):
            return min(x, top) if top is not None else x
        lo = max(0.0, v * (1 - spread))
        hi = cap(v * (1 + spread))
        return {"n": 128, "avg": v, "min": lo, "max": hi, "std": v * spread / 2,
                "p25": v * (1 - spread / 2), "p50": v, "p75": cap(v * (1 + spread / 3)),
                "p90": cap(v * (1 + spread / 2)), "p95": cap(v * (1 + spread * 0.7)), "p99": hi * 0.99}

    def snapshot(self):
        now = time.time()
        el = now - self.t0
        seq = 1 + int(el * 1000 / self.frame_ms)
        t = seq * self.frame_ms / 1000.0
        s = json.loads(json.dumps(self.base))
        s["seq"] = seq
        s["unix_ms"] = int(self.t0 * 1000) + seq * self.frame_ms
        for a in s["actors"]:
            w = 1 + 0.25 * math.sin(t * 0.9 + a["id"] * 1.7)
            a["mcpu"] = round(min(1024.0, a["mcpu"] * w), 1)
            a["load"] = round(min(100.0, a["load"] * w), 1)
            a["stats"] = {"mcpu": self.stats(a["mcpu"], 0.3, 1024.0), "load": self.stats(a["load"], 0.3, 100.0)}
        total = 0.0
        for c in s["channels"]:
            w = 1 + 0.2 * math.sin(t * 1.3 + c["id"] * 0.8)
            c["rate"] = round(c["rate"] * w, 1)
            total += c["rate"]
            base_fill = c["fill"]
            c["fill"] = max(0.0, min(1.0, base_fill + (0.03 if base_fill > 0.9 else 0.12) * math.sin(t * 0.7 + c["id"])))
            c["inflight"] = int(round(c["fill"] * c["capacity"]))
            c["taken_total"] = int(c["rate"] * el / w)
            c["sent_total"] = c["taken_total"] + c["inflight"]
            if c.get("latency_s") is not None:
                c["latency_s"] = c["latency_s"] * (1 + 0.3 * math.sin(t * 1.1 + c["id"]))
            stats = {"rate": self.stats(c["rate"], 0.2), "fill": self.stats(c["fill"], 0.2, 1.0)}
            if c.get("latency_s") is not None:
                stats["latency"] = self.stats(c["latency_s"], 0.3)
            c["stats"] = stats
        s["total_rate"] = round(total, 1)
        return s

    def dot(self, s):
        """DOT in the style of steady_state's (reference inventory §2.5)."""
        def q(x):
            # labels and tooltips carry DOT's \n escapes on purpose: only quotes are escaped
            return '"' + str(x).replace('"', '\\"') + '"'
        border = {"none": "grey", "ok": "green", "yellow": "yellow", "orange": "orange", "red": "red"}
        fill = {"none": "#EFEFEF", "ok": "#E0F4E0", "yellow": "#FFFBE0", "orange": "#FFF0E0", "red": "#FFE0E0"}
        edge = {"none": "#A0A0A0", "ok": "#A0A0A0", "yellow": "#FFFF00", "orange": "#FFA500", "red": "#FF0000"}
        out = ["digraph G {", "rankdir=LR;", "graph [nodesep=.35, ranksep=1.2];", "node [margin=0.1];",
               "node [style=filled, fillcolor=white, fontcolor=black, fontname=Helvetica, fontsize=14];",
               "edge [color=white, fontcolor=white, fontname=Helvetica, fontsize=12];", "graph [bgcolor=black];"]
        labels = {a["id"]: a["label"] for a in s["actors"]}
        win = s.get("window_s", 12.8)
        for a in s["actors"]:
            lab = f"{a['label']}\\nAvg load: {a['load']:.0f} %\\nAvg mCPU: {a['mcpu']:.0f} \\n"
            if a["regeneration"]:
                lab += f"Restarts: {a['regeneration']}\\n"
            tip = (f"{a['label']}\\n\\nThread {a['tid']} Core:{a['core']}\\nWindow {win} secs\\n--- Stats ---\\n"
                   f"Avg load: {a['load']:.0f} %\\nAvg mCPU: {a['mcpu']:.0f} \\n")
            c = a.get("color", "none")
            out.append(f"{q(a['label'])} [label={q(lab)}, "
                       f"tooltip={q(tip)}, color={q(border[c])}, "
                       f"fillcolor={q(fill[c])}, penwidth=3];")
        for c in s["channels"]:
            if c["from"] is None or c["to"] is None:
                continue
            lat = "" if c.get("latency_s") is None else f"Avg latency: {c['latency_s'] * 1e6:.0f} µs\\n"
            lab = (f"{c['name']}\\nAvg rate: {c['rate'] / 1000:.0f}K per/sec\\nAvg filled: {c['fill'] * 100:.0f} %\\n"
                   f"{lat}Total: {c['taken_total'] / 1000:.0f}K\\n")
            tip = f"Window: {win} secs\\nCH#{c['id']}: Data\\n Capacity: {c['capacity']}\\n Total: {c['taken_total']}\\n"
            out.append(f"{q(labels[c['from']])} -> {q(labels[c['to']])} [label={q(lab)}, "
                       f"tooltip={q(tip)}, color={q(edge[c.get('color', 'none')])}, penwidth=1];")
        out.append("}")
        return "\n".join(out) + "\n"


def make_handler(assets, frames, stop, is_stopped):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):  # quiet: the test prints what matters
            if os.environ.get("FIXTURE_VERBOSE"):
                sys.stderr.write("fixture: " + (fmt % a) + "\n")

        def send(self, code, ctype, body):
            if isinstance(body, str):
                body = body.encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Security-Policy", CSP)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            if is_stopped():
                # A dead server: a kept-alive connection gets nothing and is closed.
                self.close_connection = True
                return
            path = self.path.split("?", 1)[0]
            if path == "/__stop":
                self.send(200, "text/plain", "stopping\n")
                threading.Thread(target=stop, daemon=True).start()
            elif path == "/healthz":
                self.send(200, "text/plain", "ok\n")
            elif path == "/config":
                self.send(200, "application/json", json.dumps(frames.config))
            elif path == "/snapshot.json":
                self.send(200, "application/json", json.dumps(frames.snapshot()))
            elif path == "/graph.dot":
                self.send(200, "text/vnd.graphviz; charset=utf-8", frames.dot(frames.snapshot()))
            elif path in assets:
                fpath, ctype = assets[path]
                with open(fpath, "rb") as fh:
                    self.send(200, ctype, fh.read())
            else:
                self.send(404, "text/plain", "not found\n")

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--manifest", help="the build's web_assets.txt (url<TAB>file<TAB>kind lines)")
    ap.add_argument("--web", help="serve this web/ directory instead of a manifest")
    ap.add_argument("--viz", help="with --web: the @viz-js/viz browser build to serve")
    ap.add_argument("--fixtures", default=os.path.join(HERE, "fixtures"))
    ap.add_argument("--no-viz", action="store_true", help="serve no layout engine (have_viz false)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command

    assets = load_assets(args)
    have_viz = "/viz/viz-standalone.js" in assets
    frames = Frames(args.fixtures, have_viz)
    holder = {}
    stopped = threading.Event()

    def stop():
        if stopped.is_set():
            return
        stopped.set()
        srv = holder["srv"]
        srv.shutdown()
        srv.server_close()

    srv = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(assets, frames, stop, stopped.is_set))
    srv.daemon_threads = True
    holder["srv"] = srv
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    print(f"BASE {base}", flush=True)
    print(f"fixture: {len(assets)} assets, viz {'yes' if have_viz else 'no'}", file=sys.stderr, flush=True)

    if not cmd:
        try:
            srv.serve_forever()
        except KeyboardInterrupt:
            pass
        if not stopped.is_set():
            srv.server_close()
        return 0

    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    cmd = [a.replace("{base}", base).replace("{pid}", str(os.getpid())) for a in cmd]
    try:
        rc = subprocess.call(cmd)
    except FileNotFoundError as e:
        print(f"fixture: cannot run {cmd[0]}: {e}", file=sys.stderr)
        rc = 77
    stop()
    return rc


if __name__ == "__main__":
    sys.exit(main())
