"""The suite's own output: pytest-xdist's "bringing up nodes..." at most once (conftest.py)."""

from __future__ import annotations

from types import SimpleNamespace

import conftest


class _Reporter:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def ensure_show_status(self) -> None:
        self.lines.append("bringing up nodes...")


def test_xdist_status_line_is_written_once() -> None:
    # xdist calls ensure_show_status when its workers start and again when they have collected.
    reporter = _Reporter()
    session = SimpleNamespace(config=SimpleNamespace(pluginmanager=SimpleNamespace(getplugin=lambda name: reporter)))
    conftest.pytest_sessionstart(session)  # type: ignore[arg-type]
    reporter.ensure_show_status()
    reporter.ensure_show_status()
    assert reporter.lines == ["bringing up nodes..."]


def test_without_xdist_nothing_is_patched() -> None:
    session = SimpleNamespace(config=SimpleNamespace(pluginmanager=SimpleNamespace(getplugin=lambda name: None)))
    conftest.pytest_sessionstart(session)  # type: ignore[arg-type]
