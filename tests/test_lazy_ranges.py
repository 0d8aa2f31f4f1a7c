"""`check` and `explain` price the cost ranges (P10/P90 of the sampled costs) of the options they
print, not of all ~1,600: the ranges they print are the same as when every range was priced."""

from __future__ import annotations

import pytest
from conftest import TODAY

OPTION = "gpt-4o-mini@openai"


@pytest.fixture
def filled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the options whose range is set, in order, over one command."""
    from openclosed.decide import confidence

    seen: list[str] = []
    fill = confidence.Ranges.fill

    def spy(self, options):  # type: ignore[no-untyped-def]
        seen.extend(o.id for o in options)
        return fill(self, options)

    monkeypatch.setattr(confidence.Ranges, "fill", spy)
    return seen


def test_check_prices_the_ranges_it_prints(cli, filled: list[str]) -> None:
    r = cli("check", "--option", OPTION, "--max-monthly-cost", "1e9", "--format", "json", "--today", TODAY)
    assert r.code == 0, r.err
    data = r.json()
    printed = [data["option"], *data["alternatives"]]
    assert len(data["alternatives"]) == 3
    assert sorted(set(filled)) == sorted(o["id"] for o in printed)
    for o in printed:
        assert o["monthly_cost_low"] <= o["monthly_cost"] <= o["monthly_cost_high"], o["id"]


def test_explain_prices_the_range_it_prints(cli, filled: list[str]) -> None:
    r = cli("explain", OPTION, "--format", "json", "--today", TODAY)
    assert r.code == 0, r.err
    o = r.json()["option"]
    assert set(filled) == {OPTION}
    assert o["monthly_cost_low"] <= o["monthly_cost"] <= o["monthly_cost_high"]
