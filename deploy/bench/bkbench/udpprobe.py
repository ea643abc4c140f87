#!/usr/bin/env python3
"""The long-lived established flow of the churn test: numbered UDP datagrams, echoed back.

    udpprobe.py echo --bind 198.18.0.2 --port 7000
    udpprobe.py send --to 198.18.0.2 --port 7000 --sport 7001 --rate 1000 --tos 0x10

`echo` (in the sink's namespace) sends every datagram back to its sender and counts the distinct
sequence numbers it saw; `send` (in the generator's) sends datagram n carrying n at a steady rate
and counts the echoes. Both print `ready` once their socket is bound, and one JSON line with
their counts when SIGINT or SIGTERM ends them. The datagrams cross the bridge both ways, so the
flow is established in its flow table (the echoes are its replies). Standard library only.
"""

from __future__ import annotations

import argparse
import json
import select
import signal
import socket
import struct
import sys
import time

SEQ = struct.Struct("!Q")
PAYLOAD_PAD = bytes(10)  # 8 + 10 bytes of UDP payload: a 60-byte frame (64 on the wire)


class Stop:
    """Set by SIGINT/SIGTERM; the loops check it between datagrams."""

    requested = False

    @classmethod
    def install(cls) -> None:
        def handler(_signum, _frame) -> None:
            cls.requested = True

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)


def echo(args: argparse.Namespace) -> dict:
    """Echoes datagrams until stopped; returns what it counted."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind((args.bind, args.port))
    print("ready", flush=True)
    seen: set[int] = set()
    received = 0
    while not Stop.requested:
        ready, _, _ = select.select([sock], [], [], 0.1)
        if not ready:
            continue
        data, peer = sock.recvfrom(2048)
        received += 1
        if len(data) >= SEQ.size:
            seen.add(SEQ.unpack_from(data)[0])
        try:
            sock.sendto(data, peer)
        except OSError:
            pass  # counted on the sender's side as a missing echo
    return {"received": received, "distinct": len(seen), "max_seq": max(seen) if seen else None}


def send(args: argparse.Namespace) -> dict:
    """Sends numbered datagrams at `rate` until stopped, then waits briefly for the last echoes."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, int(args.tos, 0))
    sock.bind(("0.0.0.0", args.sport))
    sock.connect((args.to, args.port))
    print("ready", flush=True)
    interval = 1.0 / args.rate
    sent = errors = 0
    echoes: set[int] = set()
    next_at = time.monotonic()

    def drain(timeout: float) -> None:
        ready, _, _ = select.select([sock], [], [], timeout)
        while ready:
            try:
                data = sock.recv(2048)
            except OSError:  # ECONNREFUSED from an ICMP error: the echo side is gone
                return
            if len(data) >= SEQ.size:
                echoes.add(SEQ.unpack_from(data)[0])
            ready, _, _ = select.select([sock], [], [], 0)

    while not Stop.requested:
        now = time.monotonic()
        if now < next_at:
            drain(next_at - now)
            continue
        try:
            sock.send(SEQ.pack(sent) + PAYLOAD_PAD)
            sent += 1
        except OSError:
            errors += 1
        # Never catch up in a burst after a stall: the stream stays at its rate.
        next_at = max(next_at + interval, now - interval)
    deadline = time.monotonic() + args.linger
    while time.monotonic() < deadline:
        drain(deadline - time.monotonic())
    return {"sent": sent, "send_errors": errors, "echoes": len(echoes)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    server = sub.add_parser("echo", help="echo datagrams back, count the sequence numbers seen")
    server.add_argument("--bind", required=True)
    server.add_argument("--port", type=int, required=True)
    client = sub.add_parser("send", help="send numbered datagrams at a steady rate, count the echoes")
    client.add_argument("--to", required=True)
    client.add_argument("--port", type=int, required=True)
    client.add_argument("--sport", type=int, required=True)
    client.add_argument("--rate", type=float, default=1000.0)
    client.add_argument("--tos", default="0")
    client.add_argument("--linger", type=float, default=0.5, help="seconds to wait for echoes after the stop")
    args = parser.parse_args()
    Stop.install()
    result = echo(args) if args.mode == "echo" else send(args)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
