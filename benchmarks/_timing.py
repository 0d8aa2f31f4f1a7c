"""Shared timing helpers for the benchmark scripts (medians of repeated subprocess runs)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def median_seconds(cmd: list[str], runs: int = 9, warmup: int = 2) -> float:
    for _ in range(warmup):
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            sys.exit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}")
    return statistics.median(times)


def openclosed(*args: str) -> list[str]:
    return [sys.executable, "-m", "openclosed", *args]
