"""A benchmark process's own memory, from /proc/self (Linux); the whole-life peak elsewhere."""

from __future__ import annotations

import resource
from pathlib import Path


def status_mb(field: str) -> float | None:
    """A memory line of /proc/self/status (VmRSS, VmHWM) in MB; None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_rss_reset() -> bool:
    """Reset the process's RSS high-water mark (Linux ≥ 4.0: write 5 to clear_refs); False where it cannot,
    and the peak is then the process's whole life."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mb() -> float:
    peak = status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    return status_mb("VmRSS") or 0.0
