"""Running commands (inside a network namespace or not) and owning background processes.

Every background process is started in its own session, so its whole process group (trafgen
forks a worker per CPU) can be signalled at once, and is kept in a registry so that cleanup can
stop exactly the processes this run started, by their ids, and nothing else.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Optional, Sequence


class BenchError(Exception):
    """A failure reported to the user as one line; the harness still cleans up after it."""


def in_netns(ns: Optional[str], argv: Sequence[str]) -> list[str]:
    """The argv that runs `argv` inside namespace `ns` (`ip netns exec` execs, so the pid is kept)."""
    return ["ip", "netns", "exec", ns, *argv] if ns else list(argv)


def run(
    argv: Sequence[str],
    ns: Optional[str] = None,
    check: bool = True,
    timeout: float = 60.0,
) -> subprocess.CompletedProcess:
    """Runs a command to completion and returns it; raises BenchError on failure when `check`."""
    full = in_netns(ns, argv)
    try:
        done = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"timed out after {timeout:.0f}s: {' '.join(full)}") from exc
    except FileNotFoundError as exc:
        raise BenchError(f"command not found: {full[0]}") from exc
    if check and done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        last = detail[-1] if detail else "no output"
        raise BenchError(f"`{' '.join(full)}` failed with exit {done.returncode}: {last}")
    return done


class Background:
    """A process started in its own session whose output goes to a log file."""

    _live: list["Background"] = []

    def __init__(
        self,
        argv: Sequence[str],
        log_path: Path,
        ns: Optional[str] = None,
    ) -> None:
        self.argv = in_netns(ns, argv)
        self.log_path = log_path
        self._log = open(log_path, "wb")
        try:
            self._popen = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except FileNotFoundError as exc:
            self._log.close()
            raise BenchError(f"command not found: {self.argv[0]}") from exc
        Background._live.append(self)

    @property
    def pid(self) -> int:
        """The process id (also its process group id: it leads its own session)."""
        return self._popen.pid

    def alive(self) -> bool:
        """True while the process has not exited."""
        return self._popen.poll() is None

    def returncode(self) -> Optional[int]:
        """The exit status, or None while it runs."""
        return self._popen.poll()

    def signal_group(self, sig: int) -> None:
        """Sends `sig` to the whole process group (no-op once it is gone)."""
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            pass

    def signal_leader(self, sig: int) -> None:
        """Sends `sig` to the process itself only."""
        if self.alive():
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, sig: int = signal.SIGINT, grace: float = 5.0) -> Optional[int]:
        """Signals the group, waits up to `grace` seconds, then kills it; returns the exit status."""
        if self.alive():
            self.signal_group(sig)
            try:
                self._popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)
                self._popen.wait(timeout=5.0)
        # A worker may outlive its parent (trafgen forks one); make sure the group is gone.
        self.signal_group(signal.SIGKILL)
        if not self._log.closed:
            self._log.close()
        if self in Background._live:
            Background._live.remove(self)
        return self._popen.returncode

    def log_tail(self, lines: int = 5) -> str:
        """The last lines of the process's output, for error messages."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        kept = [line for line in text.splitlines() if line.strip()]
        return " | ".join(kept[-lines:])

    def wait_for_output(self, needle: str, timeout: float) -> bool:
        """Waits until `needle` appears in the log; False on timeout or if the process exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if needle in self.log_path.read_text(errors="replace"):
                    return True
            except OSError:
                pass
            if not self.alive():
                return False
            time.sleep(0.05)
        return False

    @classmethod
    def stop_all(cls) -> None:
        """Stops every background process this run started and has not stopped yet."""
        for proc in list(cls._live):
            try:
                proc.stop(signal.SIGTERM, grace=3.0)
            except Exception:  # cleanup must go on whatever one process does
                pass
