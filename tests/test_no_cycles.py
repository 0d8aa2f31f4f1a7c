"""A comparison's objects are freed by reference counting as soon as the caller drops them.

A reference cycle through one object (the context holding its cost ranges, whose scenario frame
held the context; a sweep whose crossing finder was a closure over the sweep) leaves every
option, curve and plan of a run, some 30,000 objects, to the cyclic collector: memory grows
across the runs of a notebook, a sweep or a test session until a collection pass, and that pass
walks all of them.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator

import pytest
from conftest import ROOT, TODAY

from openclosed.analyses import sweep as sw
from openclosed.analyses.compare import compare
from openclosed.engine import Engine, Settings
from openclosed.workload.model import load_workload
from openclosed.workload.presets import preset


@pytest.fixture
def no_collector() -> Iterator[None]:
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _unreachable_after(run: Callable[[], object]) -> int:
    run()  # first use builds what is kept for the process (validators, memos), cycles included
    gc.collect()
    run()  # the result is dropped at once
    return gc.collect()


@pytest.mark.parametrize(
    ("workload", "lazy"), [("chatbot", True), ("chatbot", False), ("examples/routed-support.yaml", True)]
)
def test_a_comparison_leaves_no_cycle(catalog, no_collector: None, workload: str, lazy: bool) -> None:
    settings = Settings(today=dt.date.fromisoformat(TODAY), samples=8, lazy_ranges=lazy)
    wl = load_workload(ROOT / workload) if workload.endswith(".yaml") else preset(workload)

    def run() -> object:
        result = compare(catalog, wl, settings)
        assert result.report.recommendation_confidence is not None  # the sampling ran
        if wl.traffic.classes:
            assert result.report.routing is not None  # and the routing by traffic class
        return result

    assert _unreachable_after(run) == 0


def test_a_sweep_leaves_no_cycle(catalog, no_collector: None) -> None:
    wl = preset("chatbot")
    spec = sw.parse_spec("requests_per_month=1e3..1e9", wl, steps=5, log=True)

    def run() -> object:
        # Every option (the largest sweep), and two that cross: the finder keeps the sweep it ran on.
        engine = Engine(catalog, wl, Settings(today=dt.date.fromisoformat(TODAY), samples=0))
        sw.sweep(engine, spec, ["all"]).materialize()
        res = sw.sweep(engine, spec, ["gpt-4o@openai", "llama-3.3-70b@aws:h100-sxm"])
        assert res.crossings  # the finder ran
        return res

    assert _unreachable_after(run) == 0
