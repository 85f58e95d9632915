"""What the benches measure of a bot process, and the run they report (shared by the benches)."""

from __future__ import annotations

import os
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from iombot.testing.loopback import free_port as free_port  # the benches take it from here

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    bot: str
    seconds: float
    cpu_seconds: float
    rss_mb: float
    peak_rss_mb: float
    count: int  # updates, events or requests answered

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    @property
    def cpu_us(self) -> float:
        return self.cpu_seconds / self.count * 1e6


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def answers_health(port: int, seconds: float) -> bool:
    """Whether a server on this port answers GET /healthz within `seconds` (tried every 0.1 s)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False
