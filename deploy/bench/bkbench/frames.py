"""The benchmark's frames: IPv4/UDP from the generator to the sink, as trafgen configs; pcap reading.

Frame sizes follow RFC 2544 usage: a "64-byte frame" is 60 bytes handed to the device plus the
4-byte FCS a real wire would add (veth has none), a "1518-byte frame" is 1514 + 4.
Every frame is fully static (checksums computed here), so trafgen does no per-packet work.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

FCS_LEN = 4
UDP_DPORT = 9  # discard: nothing listens in the sink namespace, so the far host answers ICMP unreachable
UDP_SPORT_BASE = 10000


def mac_bytes(mac: str) -> bytes:
    """'02:b0:00:00:00:01' -> 6 bytes."""
    return bytes(int(part, 16) for part in mac.split(":"))


def ipv4_bytes(addr: str) -> bytes:
    """'198.18.0.1' -> 4 bytes."""
    return bytes(int(part) for part in addr.split("."))


def internet_checksum(data: bytes) -> int:
    """RFC 1071 ones' complement sum of 16-bit words."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


@dataclass(frozen=True)
class FlowSpec:
    """Who sends to whom: the L2 destination decides the regime (sink's own MAC or an unowned one)."""

    dst_mac: str
    src_mac: str
    src_ip: str
    dst_ip: str


def udp_frame(flow: FlowSpec, sport: int, wire_len: int) -> bytes:
    """One IPv4/UDP frame of `wire_len` bytes on the wire (FCS included), checksums filled in."""
    frame_len = wire_len - FCS_LEN
    ip_len = frame_len - 14
    udp_len = ip_len - 20
    if udp_len < 8:
        raise ValueError(f"frame of {wire_len} bytes is too small for IPv4/UDP")
    src, dst = ipv4_bytes(flow.src_ip), ipv4_bytes(flow.dst_ip)
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, 0, 0x4000, 64, 17, 0, src, dst))
    ip[10:12] = struct.pack("!H", internet_checksum(bytes(ip)))
    payload = bytes((i * 7 + sport) & 0xFF for i in range(udp_len - 8))
    udp = bytearray(struct.pack("!HHHH", sport, UDP_DPORT, udp_len, 0))
    pseudo = src + dst + struct.pack("!BBH", 0, 17, udp_len)
    udp[6:8] = struct.pack("!H", internet_checksum(pseudo + bytes(udp) + payload) or 0xFFFF)
    eth = mac_bytes(flow.dst_mac) + mac_bytes(flow.src_mac) + b"\x08\x00"
    return eth + bytes(ip) + bytes(udp) + payload


def flow_frames(flow: FlowSpec, wire_len: int, flows: int) -> list[bytes]:
    """`flows` frames differing in UDP source port (UDP_SPORT_BASE upwards), sent round robin."""
    return [udp_frame(flow, UDP_SPORT_BASE + k, wire_len) for k in range(flows)]


def trafgen_config(frames: list[bytes]) -> str:
    """A trafgen packet config: one static `{ 0x.., ... }` block per frame."""
    blocks = []
    for frame in frames:
        blocks.append("{ " + ", ".join(f"0x{byte:02x}" for byte in frame) + " }")
    return "\n".join(blocks) + "\n"


def write_trafgen_config(path: Path, frames: list[bytes]) -> Path:
    """Writes the config and returns its path."""
    path.write_text(trafgen_config(frames))
    return path


def read_pcap(path: Path) -> list[bytes]:
    """The frames of a classic pcap file (either byte order, micro or nanosecond stamps)."""
    data = path.read_bytes()
    if len(data) < 24:
        return []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        order = ">"
    else:
        raise ValueError(f"{path}: not a pcap file")
    frames, offset = [], 24
    while offset + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(order + "IIII", data[offset : offset + 16])
        offset += 16
        frames.append(data[offset : offset + caplen])
        offset += caplen
    return frames
