"""The bridges under test. Each one starts between pA and pB in bkb-br and stops cleanly.

- kernel bridge, bare: br0 enslaving pA and pB, STP off, forward delay 0, multicast snooping off
  (nothing of its own on the wire). It forwards in softirq on whichever CPU sent the frame, i.e.
  the generator's CPU 0.
- kernel bridge + rules: the same, plus an nftables table loaded by a swappable shell command
  (`--kernel-rules-cmd`), by default `nft -f {nft}` of the generated rule file. Later this is
  Bridgekeeper's own mirror loading the same policy.
- dpdk-testpmd: two net_af_packet vdevs on pA/pB, io forwarding, on CPU 1.
- Bridgekeeper: `bridgekeeper run --port-a pA --port-b pB --policy FILE --cpu 1 --control SOCK`.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .proc import Background, BenchError, run
from .testbed import NS_BR, PORT_A, PORT_B

BRIDGE_DEV = "br0"
BRIDGE_CPU = 1


@dataclass
class Candidate(ABC):
    """Something that forwards frames between pA and pB."""

    name: str
    label: str
    is_bridgekeeper: bool = False
    busy_polls: bool = False
    skip_reason: Optional[str] = None
    details: dict = field(default_factory=dict)

    @abstractmethod
    def start(self, workdir: Path) -> None:
        """Starts forwarding; raises BenchError if it does not come up."""

    @abstractmethod
    def stop(self) -> None:
        """Stops forwarding and leaves pA/pB unbridged."""

    def process_groups(self) -> set[int]:
        """Process groups whose CPU is the candidate's own."""
        return set()

    def alive(self) -> bool:
        """False if its process died."""
        return True

    def reload(self, wait: bool = False) -> None:
        """Asks for a live policy reload (Bridgekeeper only)."""
        raise BenchError(f"{self.name} cannot reload")


class KernelBridge(Candidate):
    """Linux bridge, optionally with an nftables ruleset loaded by a command."""

    def __init__(self, name: str, label: str, rules_cmd: Optional[str] = None) -> None:
        super().__init__(name, label)
        self.rules_cmd = rules_cmd
        if rules_cmd:
            self.details["rules_cmd"] = rules_cmd

    def start(self, workdir: Path) -> None:
        # Snooping off: with it, br0 joins 224.0.0.106 (all-snoopers) when it comes up and sends
        # two IGMPv3 reports out of pB, which sink0 would count as delivered frames.
        run(["ip", "link", "add", BRIDGE_DEV, "type", "bridge", "stp_state", "0", "forward_delay", "0",
             "mcast_snooping", "0"], ns=NS_BR)
        run(["sysctl", "-qw", f"net.ipv6.conf.{BRIDGE_DEV}.disable_ipv6=1"], ns=NS_BR)
        for knob in ("call_iptables", "call_ip6tables", "call_arptables"):
            # Only present when br_netfilter is loaded; off keeps iptables out of the bridge path.
            run(["ip", "link", "set", BRIDGE_DEV, "type", "bridge", f"nf_{knob}", "0"], ns=NS_BR, check=False)
        for port in (PORT_A, PORT_B):
            run(["ip", "link", "set", port, "master", BRIDGE_DEV], ns=NS_BR)
        run(["ip", "link", "set", BRIDGE_DEV, "up"], ns=NS_BR)
        if self.rules_cmd:
            started = time.monotonic()
            run(["sh", "-c", self.rules_cmd], ns=NS_BR, timeout=300)
            self.details["rules_load_s"] = round(time.monotonic() - started, 2)
            listed = run(["nft", "list", "tables"], ns=NS_BR).stdout
            if "bridge" not in listed:
                raise BenchError(f"{self.name}: `{self.rules_cmd}` loaded no bridge table")

    def stop(self) -> None:
        run(["ip", "link", "del", BRIDGE_DEV], ns=NS_BR, check=False)
        if self.rules_cmd:
            run(["nft", "flush", "ruleset"], ns=NS_BR, check=False)


class TestPmd(Candidate):
    """dpdk-testpmd forwarding pA<->pB through two net_af_packet ports (io mode), on CPU 1.

    Flags that work with Debian 12's DPDK 22.11 here:
      --lcores=0@1,1@1 --main-lcore=0   testpmd needs a main lcore plus at least one forwarding
                                        lcore ("No cores defined for forwarding" with -l 1); both
                                        are mapped onto CPU 1, the main one only sleeps
      --no-huge -m 64 --no-pci          no hugepages (legacy memory, 64 MB), no PCI scan
      --no-shconf --file-prefix=...     no shared config; --in-memory is refused with --no-huge
      --total-num-mbufs=2048            small pool (512-frame rings per port by default)
      --stats-period=3600               non-interactive without reading stdin (otherwise it exits
                                        at EOF); stops on SIGINT
      stdbuf -oL                        its stdout is block-buffered into a file; the readiness line
                                        ("start packet forwarding") would only show at exit
    """

    def __init__(self, vdev_opts: str) -> None:
        super().__init__("testpmd", "dpdk-testpmd, net_af_packet, io fwd", busy_polls=True)
        self.prefix = f"bkb-bench-{os.getpid()}"
        self.vdev_opts = "," + vdev_opts.strip(",") if vdev_opts.strip(",") else ""
        self._proc: Optional[Background] = None
        if not shutil.which("dpdk-testpmd"):
            self.skip_reason = "dpdk-testpmd not installed (Debian package dpdk-dev)"

    def argv(self) -> list[str]:
        """The full command line."""
        return [
            "stdbuf", "-oL",  # line-buffered, so the readiness line reaches the log when printed
            "dpdk-testpmd",
            f"--lcores=0@{BRIDGE_CPU},1@{BRIDGE_CPU}", "--main-lcore=0",
            "--no-huge", "-m", "64", "--no-pci", "--no-shconf", f"--file-prefix={self.prefix}", "--log-level=5",
            f"--vdev=net_af_packet0,iface={PORT_A}{self.vdev_opts}",
            f"--vdev=net_af_packet1,iface={PORT_B}{self.vdev_opts}",
            "--",
            "--forward-mode=io", "--auto-start", "--total-num-mbufs=2048", "--stats-period=3600",
        ]

    def start(self, workdir: Path) -> None:
        self.details["argv"] = " ".join(self.argv())
        self._proc = Background(self.argv(), workdir / "testpmd.log", ns=NS_BR)
        if not self._proc.wait_for_output("start packet forwarding", timeout=30.0):
            tail = self._proc.log_tail()
            self.stop()
            raise BenchError(f"dpdk-testpmd did not start forwarding: {tail}")
        time.sleep(0.5)

    def stop(self) -> None:
        if self._proc:
            self._proc.stop(signal.SIGINT, grace=5.0)
            self._proc = None
        shutil.rmtree(f"/var/run/dpdk/{self.prefix}", ignore_errors=True)
        try:
            os.rmdir("/var/run/dpdk")  # only if empty: nothing else uses it
        except OSError:
            pass

    def process_groups(self) -> set[int]:
        return {self._proc.pid} if self._proc else set()

    def alive(self) -> bool:
        return bool(self._proc and self._proc.alive())


class Bridgekeeper(Candidate):
    """The bridge under development, run with one policy."""

    def __init__(self, name: str, label: str, binary: Path, policy: Optional[Path], control: Path,
                 extra: Optional[list[str]] = None) -> None:
        super().__init__(name, label, is_bridgekeeper=True)
        self.binary = binary
        self.extra = extra or []
        self.policy = policy
        self._source_policy: Optional[Path] = None
        self._reloads = 0
        self._reload_takes_timeout: Optional[bool] = None
        self.control = control
        self._proc: Optional[Background] = None
        if policy is not None:
            self.details["policy"] = str(policy)

    def argv(self) -> list[str]:
        """The `bridgekeeper run` command line."""
        return [
            str(self.binary), "run", "--port-a", PORT_A, "--port-b", PORT_B,
            "--policy", str(self.policy), "--cpu", str(BRIDGE_CPU), "--control", str(self.control),
        ] + self.extra

    def _status_ok(self) -> bool:
        cmd = [str(self.binary), "status", "--control", str(self.control)]
        return run(cmd, ns=NS_BR, check=False, timeout=10).returncode == 0

    def start(self, workdir: Path) -> None:
        # Run a private copy: each reload probe appends a comment to it, so every SIGHUP is a real
        # reload (a file whose contents did not change is not reloaded at all).
        if self.policy is not None:
            self._source_policy = self._source_policy or self.policy
            self.policy = workdir / f"{self.name}.policy"
            shutil.copyfile(self._source_policy, self.policy)
            self._reloads = 0
        self.details["argv"] = shlex.join(self.argv())
        try:
            self.control.unlink()  # stale from a crashed run (only one bench runs at a time)
        except FileNotFoundError:
            pass
        self._proc = Background(self.argv(), workdir / f"{self.name}.log", ns=NS_BR)
        deadline = time.monotonic() + 30.0
        while time.monotonic() < deadline:
            if not self._proc.alive():
                break
            if self._status_ok():
                return
            time.sleep(0.2)
        tail = self._proc.log_tail()
        self.stop()
        raise BenchError(f"{self.name}: `bridgekeeper status` never succeeded: {tail}")

    def stop(self) -> None:
        if self._proc:
            self._proc.stop(signal.SIGTERM, grace=5.0)
            self._proc = None
        try:
            self.control.unlink()
        except FileNotFoundError:
            pass

    def process_groups(self) -> set[int]:
        return {self._proc.pid} if self._proc else set()

    def alive(self) -> bool:
        return bool(self._proc and self._proc.alive())

    def reload(self, wait: bool = False) -> None:
        """Changes the running policy file (a comment, so the rules stay the same) and asks for a
        reload: the bridge parses, checks, compiles and swaps in the whole policy again. SIGHUP
        returns at once; `wait` uses `bridgekeeper reload`, which returns when a reload that
        started after the request (so after every earlier one) has finished."""
        if self._proc:
            if self.policy is not None:
                self._reloads += 1
                with open(self.policy, "a") as policy:
                    policy.write(f"# bench reload {self._reloads}\n")
            if wait:
                run(self._reload_argv(), ns=NS_BR, timeout=660)
            else:
                self._proc.signal_leader(signal.SIGHUP)

    def _reload_argv(self) -> list[str]:
        """`bridgekeeper reload`, with a generous `--timeout` where the binary has the option (a
        --baseline build may predate it and refuse the whole command)."""
        if self._reload_takes_timeout is None:
            usage = run([str(self.binary), "reload", "--help"], check=False, timeout=10)
            self._reload_takes_timeout = "--timeout" in usage.stdout + usage.stderr
        argv = [str(self.binary), "reload", "--control", str(self.control)]
        return argv + (["--timeout", "600"] if self._reload_takes_timeout else [])

    def still_serving(self) -> bool:
        """True if the process is alive and answers `status`."""
        return self.alive() and self._status_ok()

    def status_json(self) -> Optional[dict]:
        """`bridgekeeper status --json` as a dict, or None when it does not answer."""
        if not self._proc:
            return None
        cmd = [str(self.binary), "status", "--json", "--control", str(self.control)]
        try:
            result = run(cmd, ns=NS_BR, check=False, timeout=10)
        except BenchError:
            return None
        try:
            value = json.loads(result.stdout)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def policy_generation(self) -> Optional[int]:
        """The generation of the policy in force (from `status --json`), or None."""
        try:
            return int((self.status_json() or {})["policy"]["generation"])
        except (ValueError, KeyError, TypeError):
            return None
