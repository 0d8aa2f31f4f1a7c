"""The engine pauses the cyclic garbage collector while it builds a run, and restores it."""

from __future__ import annotations

import datetime as dt
import gc

import pytest

from openclosed.analyses.compare import compare
from openclosed.engine import Engine, Settings
from openclosed.errors import InputError
from openclosed.gcpause import paused_gc
from openclosed.workload.presets import preset

SETTINGS = Settings(today=dt.date(2026, 11, 24), samples=0, models=["gpt-4o", "llama-3.3-70b"])


@pytest.fixture(autouse=True)
def _collector_on():
    """The suite runs with the collector off (conftest.py); these tests start with it on."""
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_a_run_pauses_the_collector_and_switches_it_back_on(catalog, monkeypatch) -> None:
    seen: list[bool] = []
    inner = Engine._run

    def spy(self: Engine):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return inner(self)

    monkeypatch.setattr(Engine, "_run", spy)
    assert gc.isenabled()
    compare(catalog, preset("chatbot"), SETTINGS)
    assert seen == [False] and gc.isenabled()


def test_a_caller_that_turned_it_off_keeps_it_off(catalog) -> None:
    gc.disable()
    try:
        compare(catalog, preset("chatbot"), SETTINGS)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_failing_run_still_switches_it_back_on(catalog) -> None:
    with pytest.raises(InputError):
        compare(catalog, preset("chatbot"), Settings(deployment="on-the-moon"))
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("boom")
    assert gc.isenabled()
