"""Starting and stopping trafgen (netsniff-ng) on gen0, pinned to CPU 0, at full rate or paced.

What this trafgen (0.6.8) can and cannot do, found by reading its source and trying it here:

- Full rate: the default fast path fills a TPACKET_V2 TX ring and kicks it with
  sendto(MSG_DONTWAIT), bypassing the qdisc (PACKET_QDISC_BYPASS). `-P1` runs one worker, which
  trafgen pins to CPU 0 itself; `taskset -c 0` makes sure of it.
- `-b/--rate N pps` is not a smooth rate: trafgen sends N frames as fast as it can, then sleeps
  out the rest of each second (shaper_delay). Useless for a zero-loss search.
- `-t/--gap` sleeps (nanosleep) after every frame; on this VM that caps it near 45 k frames/s.
- So paced runs use the slow path (`-t 0`: one blocking sendto per frame, no sleep) through the
  qdisc (`-q`) and let a token bucket on gen0 (testbed.set_pace) set the rate: when the bucket
  holds frames, the socket's send buffer fills and trafgen blocks, so it burns no CPU spinning.
  The slow path tops out lower than the fast path (about 110-250 k frames/s here, depending on
  load), so a paced trial may not reach its target; the offered rate is always measured.
- `-A` exists only as `--no-sock-mem` in this version (the short option is missing); it keeps
  trafgen from retuning the host-wide socket memory sysctls.
- trafgen's parent waits for its forked worker and only the worker sends; SIGINT must reach the
  whole process group, which is why it runs in its own session.
"""

from __future__ import annotations

import itertools
import signal
import time
from pathlib import Path
from typing import Optional

from .proc import Background, BenchError
from .testbed import GEN_DEV, NS_GEN, Testbed

GEN_CPU = 0


class Trafgen:
    """Starts trafgen runs for one testbed."""

    def __init__(self, testbed: Testbed, workdir: Path) -> None:
        self.testbed = testbed
        self.workdir = workdir
        self._serial = itertools.count()

    def start(self, config: Path, pace: Optional[float] = None, frame_len: int = 60) -> Background:
        """Starts sending `config` round robin: unpaced (fast path) or paced to `pace` frames/s."""
        extra: list[str] = []
        if pace is not None:
            self.testbed.set_pace(pace, frame_len)
            extra = ["-q", "-t", "0"]
        argv = [
            "taskset", "-c", str(GEN_CPU),
            "trafgen", "-i", str(config), "-o", GEN_DEV, "-P1", "-Q", "--no-sock-mem", "-C", *extra,
        ]
        log = self.workdir / f"trafgen-{next(self._serial)}.log"
        proc = Background(argv, log, ns=NS_GEN)
        time.sleep(0.05)
        if not proc.alive():
            raise BenchError(f"trafgen exited at start: {proc.log_tail()}")
        return proc

    def stop(self, proc: Background) -> None:
        """Stops a run (SIGINT to its group, as Ctrl-C would) and checks that it had not died early."""
        died_early = not proc.alive()
        proc.stop(signal.SIGINT, grace=5.0)
        if died_early:
            raise BenchError(f"trafgen died during the run: {proc.log_tail()}")
