"""The cyclic garbage collector, paused while a run builds its objects.

A comparison allocates some 100,000 objects (options, cost curves, plans, reasons) that hold no
reference cycles; reference counting frees them. The cyclic collector still walks the whole heap
every so often while they are built, and in a process that already holds earlier results (a test
suite, a notebook, a sweep) one such pass costs more than the comparison itself: a warm `compare`
takes 0.35-1.4 s with the collector on and 0.25-0.45 s with it paused (benchmarks/gc_pause.py).
The collector is switched back on when the run ends, and cycles made meanwhile are collected then.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic collector for the block (a no-op when it is already off, as nested runs are)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
