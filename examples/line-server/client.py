#!/usr/bin/env python3
"""client.py -- clients for examples/line-server: many at once, slow ones, ones that stop
reading, ones that vanish mid-line; every echo checked.

  client.py --port N [--clients 300] [--lines 40] [--slow 20] [--hoarders 4] [--vanish 40]
            [--timeout 60]

Normal clients send --lines lines each in random chunks while reading; slow clients send one
byte at a time; hoarders send 1 MiB of lines before reading any echo (the server must pause
them, not buffer without bound, and still echo every line); vanishing clients send half a line
and disconnect (half of them with a reset). Every echo must equal what its client sent, in
order. Prints one summary line and the counts as key=value; exit 0 when every echo matched and
no client was left waiting past --timeout.
"""
import argparse
import asyncio
import random
import socket
import struct
import sys


async def talk(port, lines, chunker, pause, read_first=True):
    """Sends lines (bytes, each ending in a newline) and checks the echo; returns an error or
    None."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    want = b"".join(lines)

    async def send():
        for piece in chunker(want):
            writer.write(piece)
            await writer.drain()
            if pause:
                await asyncio.sleep(pause())

    got = bytearray()

    async def receive():
        while len(got) < len(want):
            data = await reader.read(65536)
            if not data:
                break
            got.extend(data)

    if read_first:
        await asyncio.gather(send(), receive())
    else:
        await send()
        await asyncio.sleep(0.2)  # the server has paused us by now
        await receive()
    writer.close()
    try:
        await writer.wait_closed()
    except ConnectionError:
        pass
    if bytes(got) != want:
        at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        return f"echo differs at byte {at} of {len(want)} (got {len(got)} bytes)"
    return None


def random_chunks(rng):
    def chunker(data):
        i = 0
        while i < len(data):
            k = rng.randint(1, 700)
            yield data[i:i + k]
            i += k
    return chunker


def one_byte(data):
    for i in range(len(data)):
        yield data[i:i + 1]


def whole(data):
    for i in range(0, len(data), 65536):
        yield data[i:i + 65536]


async def vanish(port, rng, reset):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"half a line that never ends " + bytes(rng.randint(65, 90) for _ in range(40)))
    await writer.drain()
    await asyncio.sleep(0.05)
    if reset:  # SO_LINGER 0: the close sends a reset instead of a FIN
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.close()


def make_lines(rng, cid, n, tag):
    return [f"{tag}{cid}-{j}-{'x' * rng.randint(0, 120)}\n".encode() for j in range(n)]


async def run(args):
    rng = random.Random(args.seed)
    jobs, lines_total = [], 0
    for c in range(args.clients):
        lines = make_lines(rng, c, args.lines, "c")
        lines_total += len(lines)
        jobs.append(talk(args.port, lines, random_chunks(random.Random(c)),
                         (lambda r=random.Random(c): r.random() * 0.002)))
    for c in range(args.slow):
        lines = make_lines(rng, c, 3, "s")
        lines_total += len(lines)
        jobs.append(talk(args.port, lines, one_byte, lambda: 0.001))
    for c in range(args.hoarders):
        lines = make_lines(rng, c, 1 << 13, "h")  # ~0.6 MiB each, none read until all sent
        lines += [b"y" * 1000 + b"\n"] * 512
        lines_total += len(lines)
        jobs.append(talk(args.port, lines, whole, None, read_first=False))
    results = await asyncio.wait_for(
        asyncio.gather(*jobs, *[vanish(args.port, rng, i % 2 == 1) for i in range(args.vanish)],
                       return_exceptions=True),
        timeout=args.timeout)
    errors = [r for r in results if r is not None]
    return lines_total, errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--clients", type=int, default=300)
    ap.add_argument("--lines", type=int, default=40)
    ap.add_argument("--slow", type=int, default=20)
    ap.add_argument("--hoarders", type=int, default=4)
    ap.add_argument("--vanish", type=int, default=40)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    try:
        lines, errors = asyncio.run(run(args))
    except asyncio.TimeoutError:
        print(f"client: FAIL: clients still waiting after {args.timeout} s (a stuck echo)")
        return 1
    connections = args.clients + args.slow + args.hoarders + args.vanish
    print(f"client: {connections} connections, {lines} lines sent and echoed back, "
          f"{len(errors)} errors")
    print(f"connections={connections} lines={lines} errors={len(errors)} vanish={args.vanish}")
    for e in errors[:5]:
        print(f"client: error: {e}")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
