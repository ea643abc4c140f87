"""A large, realistic policy that matches none of the benchmark's traffic, in two spellings.

The same rules come out as a Bridgekeeper policy (policy language v1) and as an nftables bridge
table, one nft rule per policy rule, each carrying its rule name as a comment (what Bridgekeeper's
mirror produces), so the kernel bridge can be measured with the same rules.

The mix: exact /32 hosts, prefixes, source prefixes with TCP/UDP port sets, destination prefixes
with port ranges, port sets mixing single ports and ranges, IPv6 prefixes, and a few allow rules;
ending in `default forward`. Addresses come from private and documentation ranges that never
include 198.18.0.0/15, ports never include the benchmark's UDP dport 9 or sports 10000-10063, so
every benchmark frame (and ping, and the ICMP the sink sends back) walks all rules and is forwarded.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass
from pathlib import Path

NFT_TABLE = "bridgekeeper"
_V4_POOLS = [ipaddress.ip_network(net) for net in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
)]
_V4_WEIGHTS = [50, 20, 10, 15, 1, 1, 1]
_V6_POOL = ipaddress.ip_network("2001:db8::/32")
_TCP_PORTS = [21, 22, 23, 25, 110, 135, 139, 143, 445, 1433, 1521, 2323, 3306, 3389, 5432, 5900, 6379, 8080, 8443]
_UDP_PORTS = [53, 69, 123, 137, 138, 161, 162, 500, 514, 1900, 4500, 5060, 5353, 11211]


@dataclass(frozen=True)
class Rule:
    """One rule: its name, its match in the policy language and in nft, and its verdict."""

    name: str
    policy_match: str
    nft_match: str
    forward: bool


def _set(items: list[str]) -> str:
    return "{ " + ", ".join(items) + " }"


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()
        # Networks of earlier rules that match on one address only, by (field, prefix length):
        # a later rule inside one of them could never match (the checker would call it shadowed).
        self.bare: dict[tuple[str, int], set[ipaddress.IPv4Network | ipaddress.IPv6Network]] = {}

    def pool(self) -> ipaddress.IPv4Network:
        return self.rng.choices(_V4_POOLS, weights=_V4_WEIGHTS)[0]

    def host(self, pool: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
        address = pool.network_address + self.rng.randrange(1, pool.num_addresses - 1)
        return ipaddress.ip_network(f"{address}/32")

    def prefix(self, low: int, high: int) -> ipaddress.IPv4Network:
        pool = self.pool()
        length = self.rng.randint(max(low, pool.prefixlen), max(high, pool.prefixlen))
        return self.host(pool).supernet(new_prefix=length)

    def prefix6(self) -> ipaddress.IPv6Network:
        length = self.rng.choice([48, 56, 64])
        offset = self.rng.getrandbits(length - 32) << (128 - length)
        return ipaddress.ip_network((int(_V6_POOL.network_address) + offset, length))

    def port_set(self, ports: list[int], with_range: bool) -> str:
        items = [str(port) for port in sorted(self.rng.sample(ports, self.rng.randint(2, 4)))]
        if with_range:
            start = self.rng.randrange(20000, 60000)
            items.append(f"{start}-{start + self.rng.randint(10, 500)}")
        return _set(items)

    def port_range(self) -> str:
        start = self.rng.randrange(20000, 64000)
        return f"{start}-{min(65535, start + self.rng.randint(16, 1024))}"

    def one(self) -> tuple[str, str, ipaddress.IPv4Network | ipaddress.IPv6Network, bool, bool]:
        """(address field, rest of the match, network, matches on the address only, forwards)."""
        roll = self.rng.random()
        direction = self.rng.choice(["saddr", "daddr"])
        if roll < 0.35:
            return f"ip {direction}", "", self.host(self.pool()), True, False
        if roll < 0.50:
            return f"ip {direction}", "", self.prefix(16, 28), True, False
        if roll < 0.65:
            proto, ports = self.rng.choice([("tcp", _TCP_PORTS), ("udp", _UDP_PORTS)])
            return "ip saddr", f"{proto} dport {self.port_set(ports, False)}", self.prefix(20, 28), False, False
        if roll < 0.75:
            proto = self.rng.choice(["tcp", "udp"])
            return "ip daddr", f"{proto} dport {self.port_range()}", self.prefix(22, 30), False, False
        if roll < 0.85:
            return "ip daddr", f"udp dport {self.port_set(_UDP_PORTS, True)}", self.prefix(24, 30), False, False
        if roll < 0.95:
            return f"ip6 {direction}", "", self.prefix6(), True, False
        return "ip saddr", f"tcp dport {self.rng.choice([443, 8443])}", self.prefix(24, 28), False, True

    def shadowed(self, field: str, net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
        return any(
            net.supernet(new_prefix=length) in self.bare.get((field, length), ())
            for length in range(0, net.prefixlen + 1)
        )

    def unique(self) -> tuple[str, bool]:
        while True:
            field, rest, net, bare, forward = self.one()
            match = f"{field} {net}" + (f" {rest}" if rest else "")
            if match in self.used or self.shadowed(field, net):
                continue
            self.used.add(match)
            if bare:
                self.bare.setdefault((field, net.prefixlen), set()).add(net)
            return match, forward


def generate_rules(count: int, seed: int = 2544) -> list[Rule]:
    """`count` distinct rules, deterministic for a given seed."""
    gen = _Generator(seed)
    rules = []
    for index in range(1, count + 1):
        match, forward = gen.unique()
        rules.append(Rule(f"r{index:05d}", match, match, forward))
    return rules


def policy_text(rules: list[Rule], title: str) -> str:
    """The rules as a Bridgekeeper policy file."""
    lines = [f"# {title}", "# Generated by deploy/bench/bench.py; matches none of the benchmark's frames.", "version 1", "", "default forward", ""]
    for rule in rules:
        lines += [f'rule "{rule.name}" {{', f"    match {rule.policy_match}", "    forward" if rule.forward else "    drop", "}"]
    return "\n".join(lines) + "\n"


def nft_text(rules: list[Rule]) -> str:
    """The same rules as an nft script replacing table `bridge bridgekeeper` in one transaction."""
    lines = [
        f"table bridge {NFT_TABLE}",
        f"delete table bridge {NFT_TABLE}",
        f"table bridge {NFT_TABLE} {{",
        "  chain forward {",
        "    type filter hook forward priority 0; policy accept;",
    ]
    for rule in rules:
        verdict = "accept" if rule.forward else "drop"
        lines.append(f'    {rule.nft_match} counter {verdict} comment "{rule.name}"')
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def write_rule_files(directory: Path, count: int) -> tuple[Path, Path]:
    """Writes rules-<count>.policy and rules-<count>.nft; returns their paths."""
    rules = generate_rules(count)
    policy = directory / f"rules-{count}.policy"
    nft = directory / f"rules-{count}.nft"
    policy.write_text(policy_text(rules, f"{count}-rule benchmark policy"))
    nft.write_text(nft_text(rules))
    return policy, nft


def forward_all_text() -> str:
    """A policy that forwards everything untouched."""
    return "# forward-all benchmark policy\nversion 1\n\ndefault forward\n"
