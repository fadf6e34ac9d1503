#!/usr/bin/env python3
"""driver.py -- runs steady's benchmark suite in shuffled rounds and prints the table.

Every configuration runs once per round, in a freshly shuffled order, for R rounds; each run is
its own process that probes the placement of the two vCPUs before and after its timed region
and prints one `result` line (bench_common.h). The table gives, per placement class (far, near,
mixed), each configuration's run count, median M msg/s, min-max, and ratios of medians to its
floor (the hand-written ring or pipeline) and to boost (for the ipc rows: to iceoryx) -- only
ever within one placement class.
Raw lines go to build/bench/results-<date>.txt, the table to results-<date>-table.txt.

  bench/driver.py [--build DIR] [--native-build DIR] [--baseline-build DIR] [--rounds R]
                  [--only REGEX] [--out-dir DIR] [--list]

--native-build DIR adds every throughput configuration again, run from a second build (made
with -DSTEADY_NATIVE=ON, i.e. -march=native), as "<config>+native" rows compared with the
native floor: compiler flags that matter, reported both ways in the same rounds.
--baseline-build DIR adds every steady configuration again from another build's bench
directory (e.g. the commit before a change), as "<config>+base" rows, and a table of the
current/baseline ratios of medians per placement class: a before/after in the same rounds.

Lesson 02B and its peers (section "lesson"): the whole program lesson-02b-performant (from the
build's examples/ directory) without --placement (it measures and chooses: "default") and with
each placement forced, and the same FizzBuzz pipeline over crossbeam-channel and Go channels
(bench/peers/), each run whole (bench/wholeproc.py: totals checked exactly, the probe before and
after), with the default's ratio to the best forced placement and to the faster peer.
The lesson serves its dashboard by default (libsteady-telemetry); two more rows measure what
that costs: "default-no-telemetry" (--no-telemetry) and "default-200-slow-clients" (200 HTTP
clients held open on the dashboard's port, each sending a header byte every 100 ms), with the
default's ratio to each (targets: telemetry costs < 2 %, the slow clients < 5 %).

Environment: BENCH_ROUNDS (default rounds), BENCH_SCALE (scales every message count; e.g. 0.1
for a quick look). Exit status 1 if any run failed (a wrong sum, a crash, a timeout).
"""
import argparse
import datetime
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import time

import wholeproc

LESSON = "lesson-02b-performant"  # in the build's examples/ directory, not bench/
CHAOS = "steady-chaos"  # in the build's tools/ directory
CHAOS_MESSAGES, CHAOS_FAILURES = 100000000, 10000  # make chaos's size (BENCH_SCALE scales both)
CHAOS_RE = re.compile(r"^elapsed: ([0-9.]+) s, ([0-9.]+) M msg/s$", re.M)
LESSON_RATE_MS, LESSON_BEATS = 200, 10  # 2 s per run (BENCH_SCALE scales the beats)
SLOW_CLIENTS = 200  # lesson02b/default-200-slow-clients

# (config as printed, program, mode, table section, floor config, boost config)
# The floor is the hand-written equivalent measured in the same rounds: ring.h for one channel,
# pipe_hand.c for the pipeline. None: this row is itself a floor (or has none). The "boost"
# column is the peer of the same shape: boost::lockfree for one channel, iceoryx for the ipc
# section (its header says which: PEER_COLUMN).
PEER_COLUMN = {"ipc": "vs iceoryx"}  # section -> the peer column's header (default "vs boost")
SECTIONS = [
    ("spsc-msg", "one channel, one message per call (64K slots)"),
    ("spsc-idle", "one message per call, consumer idles 256 pauses when empty (ablation)"),
    ("spsc-64", "one channel, batches of 64"),
    ("spsc-4096", "one channel, batches of 4096"),
    ("spsc-1m", "one channel of 1M slots, spans of half the capacity (double buffer)"),
    ("pipe", "4-stage pipeline gen -> +1 -> x2 -> sum, spans of up to 4096, 64K slots"),
    ("tiny", "channels of 1-64 slots, one message per call (tiny_channel; wait = spin/yield/park)"),
    ("sendwait", "send_wait / take_wait against the try + wait loop they replace, one message per "
                 "call (send_wait.c; vs floor = the try row of the same shape)"),
    ("stream", "stream channels, 1 KiB messages copied in, read in place (stream.c; floor: a "
               "hand-written length-prefixed byte ring)"),
    ("tee", "a tee, spans of 4096: what each consumer gets (tee.c; vs floor = steady/span4096, "
            "one channel, in the same rounds)"),
    # bench/ablation.c: the floor ring rebuilt from one template with one layout choice undone;
    # "vs floor" is each variant against ablation/base (base itself against ring.h's own row)
    ("ipc", "a channel between two processes, spans of 4096 u64, producer on cpu0, consumer on "
            "cpu1 (isolated.c): an ISOLATED producer, and one in a process with its own graph over a "
            "named mapping (steady/ipc.h; target: shm >= 0.8x of the in-process channel); the "
            "peer: iceoryx 2.0 publish/subscribe, chunks of 4096 u64 loaned and filled in place, "
            "16 queued, with shm's fill and sum callbacks (iceoryx_ipc.c, a RouDi it starts; "
            "vs iceoryx = the ratio to ipc/iceoryx)"),
    ("ipcstream", "a stream of 16-271-byte messages between two processes, written and read in "
                  "place, producer on cpu0, consumer on cpu1 (ipc_stream.c): the producer in a "
                  "process with its own graph over two named mappings (steady/ipc.h; target: shm "
                  ">= 0.8x of the in-process stream)"),
    ("nats", "u64 per second end to end through core NATS on loopback, 64 KiB messages of 8,187 "
             "values, the server sharing the cores (nats_bridge.c): libnats's own publish / "
             "NextMsg loop, and source -> egress -> ingress -> sink (target: >= 0.8x the raw "
             "client)"),
    ("mqtt", "u64 per second end to end through MQTT on loopback (mosquitto), 64 KiB messages "
             "of 8,187 values, at most 32 not yet completed, the broker sharing the cores "
             "(mqtt_bridge.c): libmosquitto's own threaded loop, and source -> egress -> ingress "
             "-> sink, at QoS 0 and 1 (target: >= 0.8x the raw client)"),
    ("abl-msg", "ablation of the floor ring's layout, one message per push/pop (vs base)"),
    ("abl-64", "ablation of the floor ring's layout, spans of 64 (vs base)"),
    ("abl-4096", "ablation of the floor ring's layout, spans of 4096 (vs base)"),
    ("chaos", "steady-chaos, 10^8 messages and 10^4 failures (cap3: channels of 3 slots, 2*10^5 "
              "and 20), seed = round"),
    ("lesson", "lesson 02B end to end (whole process, --rate 200 --beats 10), the same pipeline "
               "over crossbeam-channel and Go channels (as run, and on one CPU), and the floor: "
               "the lesson's bodies alone on one thread"),
]

CONFIGS = [
    ("steady/msg", "spsc_steady", "msg", "spsc-msg", "ring/msg-span", "boost/msg"),
    ("ring/msg-span", "spsc_ring", "msg-span", "spsc-msg", None, "boost/msg"),
    ("ring/msg", "spsc_ring", "msg", "spsc-msg", "ring/msg-span", "boost/msg"),
    ("ck/msg", "spsc_ck", "msg", "spsc-msg", "ring/msg-span", "boost/msg"),
    ("boost/msg", "spsc_boost", "msg", "spsc-msg", "ring/msg-span", None),
    ("zmq/msg", "spsc_zmq", "msg", "spsc-msg", "ring/msg-span", "boost/msg"),
    ("caf/msg", "actors_caf", "msg", "spsc-msg", "ring/msg-span", "boost/msg"),
    ("steady/msg-idle256", "spsc_steady", "msg-idle256", "spsc-idle", "ring/msg-idle256", None),
    ("ring/msg-idle256", "spsc_ring", "msg-idle256", "spsc-idle", None, None),
    ("steady/slice64", "spsc_steady", "slice64", "spsc-64", "ring/slice64", "boost/range64"),
    ("steady/span64", "spsc_steady", "span64", "spsc-64", "ring/span64", None),
    ("ring/slice64", "spsc_ring", "slice64", "spsc-64", None, "boost/range64"),
    ("ring/span64", "spsc_ring", "span64", "spsc-64", None, None),
    ("boost/range64", "spsc_boost", "range64", "spsc-64", "ring/slice64", None),
    ("steady/slice4096", "spsc_steady", "slice4096", "spsc-4096", "ring/slice4096",
     "boost/range4096"),
    ("steady/slice4096-stream", "spsc_steady", "slice4096-stream", "spsc-4096", "ring/slice4096",
     "boost/range4096"),
    ("steady/span4096", "spsc_steady", "span4096", "spsc-4096", "ring/span4096", None),
    ("ring/slice4096", "spsc_ring", "slice4096", "spsc-4096", None, "boost/range4096"),
    ("ring/span4096", "spsc_ring", "span4096", "spsc-4096", None, None),
    ("boost/range4096", "spsc_boost", "range4096", "spsc-4096", "ring/slice4096", None),
    ("zmq/batch4096", "spsc_zmq", "batch4096", "spsc-4096", "ring/slice4096", "boost/range4096"),
    ("caf/batch4096", "actors_caf", "batch4096", "spsc-4096", "ring/slice4096",
     "boost/range4096"),
    ("steady/span524288-1M", "spsc_steady", "span524288-1M", "spsc-1m", "ring/span524288-1M",
     None),
    ("ring/span524288-1M", "spsc_ring", "span524288-1M", "spsc-1m", None, None),
    ("pipe/steady/troupe1x4", "pipe_steady", "troupe1x4", "pipe", "pipe/hand/coop1", None),
    ("pipe/steady/troupe2x2", "pipe_steady", "troupe2x2", "pipe", "pipe/hand/coop2", None),
    ("pipe/steady/solo4", "pipe_steady", "solo4", "pipe", "pipe/hand/coop2", None),
    ("pipe/steady/solo4-free", "pipe_steady", "solo4-free", "pipe", "pipe/hand/coop2", None),
    ("pipe/hand/coop1", "pipe_hand", "coop1", "pipe", None, None),
    ("pipe/hand/coop2", "pipe_hand", "coop2", "pipe", None, None),
    # tiny channels: no floor ("-"); solo pinned to cpu0/cpu1, troupe on cpu0, chain4 unpinned
    *[(f"tiny/{pl}-c{cap}", "tiny_channel", f"{pl}-c{cap}", "tiny", "-", None)
      for pl in ("solo", "troupe", "chain4") for cap in (1, 2, 3, 4, 8, 64)],
    # the waiting send and take beside the loop they replace (bench/send_wait.c)
    *[(f"sendwait/{pre}{api}-c{cap}", "send_wait", f"{pre}{api}-c{cap}", "sendwait",
       None if api == "try" else f"sendwait/{pre}try-c{cap}", None)
      for pre, cap in (("", 65536), ("", 64), ("troupe-", 64)) for api in ("try", "wait")],
    # a channel between processes (isolated.c): the in-process channel is the floor
    ("ipc/inproc", "isolated_channel", "inproc", "ipc", None, None),
    ("ipc/isolated", "isolated_channel", "isolated", "ipc", "ipc/inproc", None),
    ("ipc/shm", "isolated_channel", "shm", "ipc", "ipc/inproc", "ipc/iceoryx"),
    # the peer (issue 14): iceoryx's zero-copy publish/subscribe between the same two processes
    ("ipc/iceoryx", "iceoryx_ipc", "zerocopy", "ipc", "ipc/inproc", None),
    # a stream between processes (ipc_stream.c): the in-process stream is the floor
    ("ipcstream/inproc", "ipc_stream", "inproc", "ipcstream", None, None),
    ("ipcstream/shm", "ipc_stream", "shm", "ipcstream", "ipcstream/inproc", None),
    # core NATS on loopback, a nats-server started by the program (nats_bridge.c): the raw client
    # is the floor of the bridge
    ("nats/raw", "nats_bridge", "raw", "nats", None, None),
    ("nats/bridge", "nats_bridge", "bridge", "nats", "nats/raw", None),
    ("nats/bridge-troupes", "nats_bridge", "bridge-troupes", "nats", "nats/raw", None),
    # JetStream (file storage in /tmp): libnats's async publish and pull loop is the floor
    ("nats/js-raw", "nats_bridge", "js-raw", "nats", None, None),
    ("nats/js-bridge", "nats_bridge", "js-bridge", "nats", "nats/js-raw", None),
    # MQTT on loopback, a mosquitto started by the program (mqtt_bridge.c): libmosquitto's own
    # threaded clients are the floor, at QoS 0 (written) and 1 (PUBACK)
    ("mqtt/raw0", "mqtt_bridge", "raw0", "mqtt", None, None),
    ("mqtt/bridge0", "mqtt_bridge", "bridge0", "mqtt", "mqtt/raw0", None),
    ("mqtt/raw1", "mqtt_bridge", "raw1", "mqtt", None, None),
    ("mqtt/bridge1", "mqtt_bridge", "bridge1", "mqtt", "mqtt/raw1", None),
    ("tee/tee1-span4096", "tee", "tee1-span4096", "tee", "steady/span4096", None),
    ("tee/tee2-span4096", "tee", "tee2-span4096", "tee", "steady/span4096", None),
    ("stream/steady-1k", "stream", "steady-1k", "stream", "stream/hand-1k", None),
    ("stream/hand-1k", "stream", "hand-1k", "stream", None, None),
    # tools/chaos at make chaos's size: sequence numbers through 4 threads under 10,000
    # injected failures (seed = round), both commit modes; exact verdict checked
    ("chaos/transactional", CHAOS, "transactional", "chaos", "-", None),
    ("chaos/separate", CHAOS, "separate", "chaos", "-", None),
    ("chaos/separate-cap3", CHAOS, "separate-cap3", "chaos", "-", None),
    # lesson 02B and its peers, whole programs (bench/wholeproc.py): their own table
    ("lesson02b/default", LESSON, None, "lesson", None, None),
    ("lesson02b/troupe", LESSON, "troupe", "lesson", None, None),
    ("lesson02b/split", LESSON, "split", "lesson", None, None),
    ("lesson02b/original", LESSON, "original", "lesson", None, None),
    ("lesson02b/default-no-telemetry", LESSON, "no-telemetry", "lesson", None, None),
    ("lesson02b/default-200-slow-clients", LESSON, "slow-clients", "lesson", None, None),
    ("peer/crossbeam", "fizzbuzz_crossbeam", None, "lesson", None, None),
    ("peer/go", "fizzbuzz_go", None, "lesson", None, None),
    # the peers confined to one CPU (taskset -c 0): where the kernel leaves their threads
    # spread over two far cores they run at a quarter of this (bench/README.md)
    ("peer/crossbeam-1cpu", "fizzbuzz_crossbeam", "1cpu", "lesson", None, None),
    ("peer/go-1cpu", "fizzbuzz_go", "1cpu", "lesson", None, None),
    # the floor: lesson 02B's own three bodies on one thread, without steady
    ("lesson02b/floor", "fizzbuzz_floor", None, "lesson", None, None),
    # wake-up latency: its own table (percentiles, not throughput)
    ("latency/pingpong", "wake_latency", "pingpong", "latency", None, None),
    ("latency/parked", "wake_latency", "parked", "latency", "latency/floor-parked", None),
    ("latency/floor-parked", "wake_latency", "floor-parked", "latency", None, None),
    # a descriptor wakes an actor waiting with STEADY_FD, beside a bare epoll_wait loop
    ("fdwait/steady", "fd_latency", "steady", "latency", "fdwait/epoll", None),
    ("fdwait/epoll", "fd_latency", "epoll", "latency", None, None),
    ("troupe/switch", "troupe_switch", None, "latency", None, None),
]
# Ring-layout ablations (bench/ablation.c): seq_cst indices, no cached opposite index, head and
# tail on one line, each against base (= ring.h, rebuilt from the same template) per granularity.
ABLATION_WAYS = [("msg", "abl-msg", "ring/msg"), ("b64", "abl-64", "ring/span64"),
                 ("b4096", "abl-4096", "ring/span4096")]
for _way, _sec, _ring in ABLATION_WAYS:
    CONFIGS.append((f"ablation/base/{_way}", "ablation", f"base/{_way}", _sec, _ring, None))
    for _kind in ("seqcst", "nocache", "nopad"):
        CONFIGS.append((f"ablation/{_kind}/{_way}", "ablation", f"{_kind}/{_way}", _sec,
                        f"ablation/base/{_way}", None))

# Configs whose two threads spin flat out: a run with less than this much CPU (CPU-seconds per
# wall-second) shared the machine with something else.
SPIN_PREFIXES = ("steady/", "ring/", "ck/", "boost/", "pipe/hand/coop2", "pipe/steady/troupe2x2",
                 "pipe/steady/solo4", "ablation/")
BUSY_CPU = 1.9
DEFAULT_ROUNDS = 12  # ~15 s per round near, ~35 s far: 4-7 minutes
RUN_TIMEOUT_S = 300
PLACES = ("far", "near", "mixed")

NATIVE = "+native"
BASE = "+base"

RESULT_RE = re.compile(r"^result (.*)$")
SWITCH_RE = re.compile(r"troupe member switch .*?: median ([0-9.]+) ns")
TPING_RE = re.compile(r"troupe ping-pong .*?: median ([0-9.]+) ns")


def parse_fields(text):
    out = {}
    for tok in text.split():
        if "=" in tok:
            k, v = tok.split("=", 1)
            out[k] = v
    return out


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except OSError:
        return float("nan")


def with_native(cfgs, native, baseline=None):
    """Each config paired with its build directory; with `native`, the throughput configs
    again as "<config>+native" from that build, right after their plain row (floors and boost
    rows renamed too: compared within the native build); with `baseline`, every steady config
    again as "<config>+base" (compared with its plain row, see baseline_table)."""
    out = []
    for c, build in cfgs:
        out.append((c, build))
        if native and c[3] not in ("latency", "lesson", "chaos"):
            suffixed = tuple(x + NATIVE if i in (0, 4, 5) and x and x != "-" else x
                             for i, x in enumerate(c))
            out.append((suffixed, native))
        if baseline and is_steady(c):
            out.append(((c[0] + BASE, c[1], c[2], c[3], None, None), baseline))
    return out


def plain_name(name):
    """The config's name without a +native / +base suffix (what --only matches)."""
    for suffix in (NATIVE, BASE):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def is_steady(c):
    """Configs that run steady's code (the ones a change to the library can move)."""
    return c[0].startswith(("steady/", "pipe/steady/", "tiny/", "latency/p", "lesson02b/",
                            "chaos/", "ipc/", "ipcstream/", "nats/bridge", "nats/js-bridge",
                            "mqtt/bridge")) and c[0] != "ipc/iceoryx"


def program_path(build, cfg):
    """Where cfg's program is: lesson 02B in the build's examples/, the rest in bench/."""
    if cfg[1] == LESSON:
        return os.path.join(wholeproc.examples_dir(build), LESSON)
    if cfg[1] == CHAOS:
        return os.path.join(os.path.dirname(os.path.abspath(build)), "tools", CHAOS)
    return os.path.join(build, cfg[1])


def run_chaos(build, cfg, env, rnd):
    """A steady-chaos run (docs/RELIABILITY.md's command): its own rate line, verdict ok."""
    tiny = cfg[2].endswith("-cap3")
    scale = scale_of(env) * (0.002 if tiny else 1)
    cmd = [os.path.join(os.path.dirname(os.path.abspath(build)), "tools", CHAOS),
           "--seed", str(rnd), "--messages", str(max(1000, int(CHAOS_MESSAGES * scale))),
           "--failures", str(max(1, int(CHAOS_FAILURES * scale))),
           "--commit", cfg[2].split("-")[0]]
    cmd += (["--capacity", "3", "--batch", "3"] if tiny else [])
    cmd += (["--expect-duplicates"] if cfg[2].startswith("separate") else [])
    probe = os.path.join(build, "placement_probe")
    before, load = wholeproc.probe(probe), loadavg()
    r0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None, f"{cfg[0]}: timed out after {RUN_TIMEOUT_S} s"
    r1, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.time() - t0
    cpu = (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) / wall
    after = wholeproc.probe(probe)
    m = CHAOS_RE.search(p.stdout)
    if p.returncode != 0 or "verdict: ok" not in p.stdout or not m:
        return None, f"{cfg[0]}: exit {p.returncode}: {(p.stdout + p.stderr).strip()[-400:]}"
    fields = {"config": cfg[0], "n": cmd[cmd.index("--messages") + 1], "mps": m.group(2),
              "secs": m.group(1), "cpu": f"{cpu:.3f}", "probe_before": f"{before[0]:.1f}",
              "probe_after": f"{after[0]:.1f}",
              "place": before[1] if before[1] == after[1] else "mixed",
              "seed": str(rnd), "loadavg": f"{load:.2f}"}
    return fields, wholeproc.result_line(cfg[0], fields) + f" seed={rnd} loadavg={load:.2f}"


def run_whole(build, cfg, env):
    """A lesson-section run: the whole program, totals checked, probed before and after."""
    beats = max(1, round(LESSON_BEATS * scale_of(env)))
    cmd = [program_path(build, cfg), "--rate", str(LESSON_RATE_MS), "--beats", str(beats)]
    run_env, slow = dict(env), None
    if cfg[2] == "no-telemetry":
        cmd += ["--no-telemetry"]
    elif cfg[2] == "slow-clients":
        port = wholeproc.free_port()
        run_env["STEADY_TELEMETRY_PORT"] = str(port)
        slow = wholeproc.SlowClients(port, SLOW_CLIENTS)
    elif cfg[2] == "1cpu":
        cmd = ["taskset", "-c", "0"] + cmd
    elif cfg[2]:
        cmd += ["--placement", cfg[2]]
    load = loadavg()
    try:
        fields, err = wholeproc.run(cmd, os.path.join(build, "placement_probe"), RUN_TIMEOUT_S,
                                    env=run_env)
    finally:
        held = slow.stop() if slow else None
    if fields is not None and held is not None:
        fields["slow_held"] = str(held)
        if held < SLOW_CLIENTS // 2:
            return None, f"{cfg[0]}: only {held} of {SLOW_CLIENTS} slow clients got connected"
    if fields is None:
        return None, f"{cfg[0]}: {err}"
    fields["config"] = cfg[0]
    fields["loadavg"] = f"{load:.2f}"
    return fields, wholeproc.result_line(cfg[0], fields) + f" loadavg={load:.2f}"


def run_one(build, cfg, env, rnd=1):
    """Runs one configuration; returns (fields or None, raw line or error text)."""
    name, prog, mode = cfg[0], cfg[1], cfg[2]
    if cfg[3] == "lesson":
        return run_whole(build, cfg, env)
    if cfg[3] == "chaos":
        return run_chaos(build, cfg, env, rnd)
    printed = plain_name(name)
    exe = os.path.join(build, prog)
    if prog == "troupe_switch":
        cmd = [exe, "--switches", str(max(1000, int(1000000 * scale_of(env)))), "--runs", "3"]
    else:
        cmd = [exe, mode]
    load = loadavg()
    t0 = time.time()
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None, f"{name}: timed out after {RUN_TIMEOUT_S} s"
    if p.returncode != 0:
        return None, f"{name}: exit {p.returncode}: {(p.stderr or p.stdout).strip()[-400:]}"
    if prog == "troupe_switch":
        sw, pp = SWITCH_RE.search(p.stdout), TPING_RE.search(p.stdout)
        if not sw or not pp:
            return None, f"{name}: unexpected output: {p.stdout.strip()[-300:]}"
        line = (f"result config=troupe/switch switch_ns={sw.group(1)} pingpong_rtt_ns={pp.group(1)}"
                f" place=any secs={time.time() - t0:.3f}")
    else:
        lines = [m.group(0) for m in map(RESULT_RE.match, p.stdout.splitlines()) if m]
        if len(lines) != 1:
            return None, f"{name}: expected one result line, got: {p.stdout.strip()[-300:]}"
        line = lines[0]
    fields = parse_fields(line[len("result "):])
    if fields.get("config") != printed:
        return None, f"{name}: program reported config {fields.get('config')}"
    if printed != name:
        fields["config"] = name
        line = line.replace(f"config={printed} ", f"config={name} ", 1)
    fields["loadavg"] = f"{load:.2f}"
    return fields, line + f" loadavg={load:.2f}"


def cpu_model():
    """lscpu's "Model name" (what every figure is quoted with), or /proc/cpuinfo's."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def scale_of(env):
    try:
        return float(env.get("BENCH_SCALE", "1") or "1")
    except ValueError:
        return 1.0


def fmt(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}"


def lesson_table(by, place, rows, title):
    """The lesson section of one placement class: each row's median, its ratio to the best
    forced placement and to the faster peer (medians of this class), and for the default the
    placements it chose; then the two target lines."""
    def med(cfg):
        rs = by.get((cfg, place))
        return statistics.median(float(r["mps"]) for r in rs) if rs else None

    forced = [m for m in (med(f"lesson02b/{p}") for p in ("troupe", "split", "original")) if m]
    peers = {name: med(name) for name in ("peer/crossbeam", "peer/go", "peer/crossbeam-1cpu",
                                          "peer/go-1cpu") if med(name)}
    best = max(forced) if forced else None
    fastest_peer = max(peers, key=peers.get) if peers else None
    comparable = place != "mixed"
    out = [f"-- {title}",
           f"{'config':<31} {'runs':>4} {'median M msg/s':>15} {'min-max':>19} "
           f"{'vs best pl.':>11} {'vs fast peer':>12} {'cpu':>5}  chosen"]
    for c in rows:
        rs = by[(c[0], place)]
        vals = [float(r["mps"]) for r in rs]
        m = statistics.median(vals)
        chosen = {}
        for r in rs:
            if c[0].startswith("lesson02b/default") and "placement" in r:
                chosen[r["placement"]] = chosen.get(r["placement"], 0) + 1
        out.append(f"{c[0]:<31} {len(vals):>4} {fmt(m):>15} "
                   f"{fmt(min(vals)) + '-' + fmt(max(vals)):>19} "
                   f"{ratio(m, best) if comparable else '-':>11} "
                   f"{ratio(m, peers.get(fastest_peer)) if comparable else '-':>12} "
                   f"{statistics.median(float(r['cpu']) for r in rs):>5.2f}  "
                   + ", ".join(f"{k} {v}" for k, v in sorted(chosen.items())))
    d = med("lesson02b/default")
    off, slow = med("lesson02b/default-no-telemetry"), med("lesson02b/default-200-slow-clients")
    if comparable and d and off:
        out.append(f"target: telemetry on costs < 2 %: default {fmt(d)} vs --no-telemetry "
                   f"{fmt(off)}: {d / off:.3f}x -> {'met' if d >= 0.98 * off else 'NOT met'}")
    if comparable and d and slow:
        out.append(f"target: 200 slow dashboard clients cost < 5 %: {fmt(slow)} vs {fmt(d)}: "
                   f"{slow / d:.3f}x -> {'met' if slow >= 0.95 * d else 'NOT met'}")
    if comparable and d and best:
        out.append(f"target: default within 0.9x of the best placement: {d / best:.2f}x "
                   f"({fmt(d)} vs {fmt(best)}) -> {'met' if d >= 0.9 * best else 'NOT met'}")
    if comparable and d and fastest_peer:
        p = peers[fastest_peer]
        out.append(f"target: default >= 2x the faster peer ({fastest_peer} {fmt(p)}): "
                   f"{d / p:.2f}x -> {'met' if d >= 2 * p else 'NOT met'}")
    fl = med("lesson02b/floor")
    if comparable and d and fl:
        out.append(f"floor: the lesson's bodies alone on one thread {fmt(fl)}: default "
                   f"{d / fl:.2f}x of it"
                   + (f", {fastest_peer} {peers[fastest_peer] / fl:.2f}x" if fastest_peer else ""))
    return out


def baseline_table(results):
    """Current / baseline ratio of medians for every config run from both builds, per class."""
    by = {}
    for r in results:  # latency rows by their p50 (ns: lower is better), the rest by M msg/s
        key = "p50_ns" if r["config"].startswith("latency/") else "mps"
        if key in r:
            by.setdefault((r["config"], r.get("place", "any")), []).append(float(r[key]))
    out = []
    for place in PLACES:
        pairs = sorted(c for c, p in by if p == place and (c + BASE, place) in by)
        if not pairs:
            continue
        out.append(f"\n== current vs baseline build, {place} (ratio of medians, M msg/s; "
                   f"latency/*: p50 ns; runs)")
        for c in pairs:
            a, b = by[(c, place)], by[(c + BASE, place)]
            out.append(f"{c:<31} {fmt(statistics.median(a)):>10} vs {fmt(statistics.median(b)):>10}"
                       f"  {ratio(statistics.median(a), statistics.median(b)):>6}x"
                       f"  ({len(a)} / {len(b)})")
    return out


def table(results, cfgs):
    """results: list of field dicts; cfgs: the config tuples that ran, in table order."""
    out = []
    by = {}  # (config, place) -> list of fields
    for r in results:
        by.setdefault((r["config"], r.get("place", "any")), []).append(r)

    def med(cfg, place, key="mps"):
        rs = by.get((cfg, place))
        if not rs:
            return None
        return statistics.median(float(r[key]) for r in rs)

    for place in PLACES:
        rows = [c for c in cfgs if c[3] != "latency" and (c[0], place) in by]
        if not rows:
            continue
        label = {"far": "far: cpu0 and cpu1 are distinct cores (probe >= 120 ns)",
                 "near": "near: cpu0 and cpu1 behave as SMT siblings (probe < 60 ns)",
                 "mixed": "mixed: probes disagreed or fell between classes (not compared)"}[place]
        out.append(f"\n== {label}")
        for sec, title in SECTIONS:
            srows = [c for c in rows if c[3] == sec]
            if not srows:
                continue
            if sec == "lesson":
                out += lesson_table(by, place, srows, title)
                continue
            out.append(f"-- {title}")
            out.append(f"{'config':<31} {'runs':>4} {'median M msg/s':>15} {'min-max':>19} "
                       f"{'vs floor':>9} {PEER_COLUMN.get(sec, 'vs boost'):>10} {'cpu':>5}")
            for c in srows:
                rs = by[(c[0], place)]
                vals = [float(r["mps"]) for r in rs]
                m = statistics.median(vals)
                cpu = statistics.median(float(r["cpu"]) for r in rs)
                floor = ("-" if c[4] == "-" or c[0].endswith(BASE) else
                         "floor" if c[4] is None else ratio(m, med(c[4], place)))
                if place == "mixed":
                    floor = "-"
                boost = ratio(m, med(c[5], place)) if c[5] and place != "mixed" else "-"
                out.append(f"{c[0]:<31} {len(vals):>4} {fmt(m):>15} "
                           f"{fmt(min(vals)) + '-' + fmt(max(vals)):>19} {floor:>9} {boost:>10} "
                           f"{cpu:>5.2f}")

    out += baseline_table(results)
    lat = [c for c in cfgs if c[3] == "latency"]
    if any((c[0], p) in by for c in lat for p in PLACES + ("any",)):
        out.append("\n== wake-up latency (one-way ns; medians over runs of each run's percentile)")
        out.append(f"{'config':<24} {'place':<6} {'runs':>4} {'p50 ns':>9} {'p99 ns':>9} "
                   f"{'wakes/msg':>9} {'vs floor p50':>12}")
        for c in lat:
            if c[0] == "troupe/switch":
                continue
            for place in PLACES:
                rs = by.get((c[0], place))
                if not rs:
                    continue
                p50 = statistics.median(float(r["p50_ns"]) for r in rs)
                p99 = statistics.median(float(r["p99_ns"]) for r in rs)
                wk = [float(r["wakes_per_msg"]) for r in rs if "wakes_per_msg" in r]
                fl = ratio(p50, med(c[4], place, "p50_ns")) if c[4] else "-"
                out.append(f"{c[0]:<24} {place:<6} {len(rs):>4} {p50:>9,.0f} {p99:>9,.0f} "
                           f"{(f'{statistics.median(wk):.3f}' if wk else '-'):>9} {fl:>12}")
        rs = by.get(("troupe/switch", "any"))
        if rs:
            sw = statistics.median(float(r["switch_ns"]) for r in rs)
            pp = statistics.median(float(r["pingpong_rtt_ns"]) for r in rs)
            out.append(f"troupe_switch: member switch {sw:.1f} ns, ping-pong between two members "
                       f"{pp:.1f} ns round trip (one thread; {len(rs)} runs)")
    return "\n".join(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(root, "build", "release", "bench"),
                    help="directory with the benchmark programs (default build/release/bench)")
    ap.add_argument("--baseline-build", default=None,
                    help="another build's bench directory: steady's configs again as +base rows")
    ap.add_argument("--native-build", default=None,
                    help="a second build's bench directory, made with -DSTEADY_NATIVE=ON")
    ap.add_argument("--rounds", type=int,
                    default=int(os.environ.get("BENCH_ROUNDS", "") or DEFAULT_ROUNDS))
    ap.add_argument("--only", default="", help="regex: run only the configs it matches")
    ap.add_argument("--out-dir", default=os.path.join(root, "build", "bench"))
    ap.add_argument("--list", action="store_true", help="list the configs and exit")
    ap.add_argument("--seed", type=int, default=None, help="shuffle seed (default: random)")
    args = ap.parse_args()

    if args.list:
        for c in CONFIGS:
            print(f"{c[0]:<24} {c[1]} {c[2] or ''}")
        return 0
    cfgs = with_native([(c, args.build) for c in CONFIGS], args.native_build,
                       args.baseline_build)
    cfgs = [(c, b) for c, b in cfgs if re.search(args.only, plain_name(c[0]))]
    available, missing = [], []
    for c, b in cfgs:
        (available if os.access(program_path(b, c), os.X_OK) else missing).append((c, b))
    if not available:
        print(f"driver: no benchmark programs in {args.build} (build the bench_all target)",
              file=sys.stderr)
        return 1
    skipped = sorted({program_path(b, c) for c, b in missing})

    env = dict(os.environ)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    os.makedirs(args.out_dir, exist_ok=True)
    raw_path = os.path.join(args.out_dir, f"results-{stamp}.txt")
    rng = random.Random(args.seed)
    head = [
        f"# steady bench {stamp}: {args.rounds} rounds x {len(available)} configs, "
        f"BENCH_SCALE={env.get('BENCH_SCALE', '1')}",
        f"# {platform.node()} {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} CPUs, load average at start {loadavg():.2f}",
        f"# CPU (lscpu): {cpu_model()}; placement probe now: "
        "{:.1f} ns ({})".format(*wholeproc.probe(os.path.join(args.build, "placement_probe"))),
    ]
    if skipped:
        head.append(f"# not built (peer package missing?): {', '.join(skipped)}")
    print("\n".join(head), flush=True)
    results, failures = [], []
    t_start = time.time()
    with open(raw_path, "w") as raw:
        raw.write("\n".join(head) + "\n")
        for rnd in range(1, args.rounds + 1):
            order = available[:]
            rng.shuffle(order)
            t_round = time.time()
            for c, build in order:
                fields, line = run_one(build, c, env, rnd)
                if fields is None:
                    failures.append(line)
                    print(f"FAILED {line}", file=sys.stderr, flush=True)
                    raw.write(f"# FAILED round={rnd} {line}\n")
                    continue
                fields["round"] = str(rnd)
                results.append(fields)
                raw.write(f"{line} round={rnd}\n")
                if "chose_why" in fields:  # lesson 02B's own account of its choice
                    raw.write(f"# {fields['config']} round={rnd} chose "
                              f"{fields['placement']}: {fields['chose_why']}\n")
                raw.flush()
            print(f"round {rnd}/{args.rounds}: {len(order)} runs in {time.time() - t_round:.0f} s,"
                  f" load average {loadavg():.2f}", flush=True)

    text = table(results, [c for c, _ in available])
    spin = [r for r in results if r["config"].startswith(SPIN_PREFIXES) and "cpu" in r]
    busy = [r for r in spin if float(r["cpu"]) < BUSY_CPU]
    places = {p: sum(1 for r in results if r.get("place") == p) for p in PLACES}
    loads = [float(r["loadavg"]) for r in results]
    summary = [
        f"\n{len(results)} runs in {time.time() - t_start:.0f} s; placement of runs: "
        + ", ".join(f"{p} {n}" for p, n in places.items()),
        f"machine load: load average at run start median {statistics.median(loads):.2f} "
        f"(max {max(loads):.2f}); {len(busy)} of {len(spin)} two-thread spin runs got less than "
        f"{BUSY_CPU} CPU-seconds per second (shared with other work; kept in the medians)"
        if loads else "",
        "floor = the hand-written equivalent (bench/ring.h, bench/pipe_hand.c) in the same rounds "
        "and placement; ratios are ratios of medians.",
        f"raw results: {raw_path}",
    ]
    if failures:
        summary.append(f"{len(failures)} FAILED runs:\n  " + "\n  ".join(failures))
    text += "\n" + "\n".join(s for s in summary if s)
    print(text)
    with open(os.path.join(args.out_dir, f"results-{stamp}-table.txt"), "w") as f:
        f.write("\n".join(head) + "\n" + text + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
