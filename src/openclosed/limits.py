"""Documented bounds on the work one command may do (docs/security.md, docs/workload.md).

Every input is bounded before the work it causes starts, so that no file or flag can make the tool
run for hours or exhaust memory: the YAML/JSON reader has its own limits (`yamlio`), the workload
its numeric ranges (`workload`), and a sweep its budget of points × options here.
"""

from __future__ import annotations

from .errors import InputError

# Points × options one sweep may evaluate. The whole embedded catalogue (about 700 options) over
# 10,000 points is 7 million; the cap leaves room for the catalogue to grow almost threefold.
MAX_SWEEP_WORK = 20_000_000


def check_sweep_budget(points: int, options: int) -> None:
    """Raise InputError (exit 2) when `points` × `options` exceeds MAX_SWEEP_WORK."""
    work = points * options
    if work > MAX_SWEEP_WORK:
        most = max(2, MAX_SWEEP_WORK // max(options, 1))
        raise InputError.one(
            f"{points:,} points × {options:,} options = {work:,} evaluations, above the limit of "
            f"{MAX_SWEEP_WORK:,}; use --steps {most:,} or fewer, or name fewer --options",
            field="--steps",
        )
