"""The JSON writer: the same text as `json.dumps(indent=2, ensure_ascii=False)` of the plain data."""

from __future__ import annotations

import datetime as dt
import enum
import json
import math

from openclosed.render.jsonout import _clean, to_json


class Tier(str, enum.Enum):
    gold = "gold é"


class Level(enum.IntEnum):
    high = 3


def _reference(value: object) -> str:
    return json.dumps(_clean(value), indent=2, ensure_ascii=False, allow_nan=False)


def test_every_kind_of_value_is_written_as_json_dumps_writes_it() -> None:
    cases = [
        {},
        [],
        {"a": [], "b": {}},
        {"k": [1, 2.5, None, True, False, 'é\n"\t\\', 1e300, -0.0, 1e-7, 10**20]},
        {1: "an int key", "when": dt.date(2026, 1, 2)},
        [Tier.gold, Level.high, (1, (2, 3))],
        "text",
        7,
    ]
    for value in cases:
        assert to_json(value) == _reference(value)


def test_non_finite_numbers_are_null() -> None:
    assert to_json({"x": [math.inf, -math.inf, math.nan]}) == '{\n  "x": [\n    null,\n    null,\n    null\n  ]\n}'


def test_a_whole_report_matches_the_reference(catalog) -> None:
    from openclosed.engine import Settings, compare
    from openclosed.report import to_plain
    from openclosed.workload import preset

    report = compare(catalog, preset("agent"), Settings(today=dt.date(2026, 11, 24), samples=8)).report
    assert to_json(report) == json.dumps(_clean(to_plain(report)), indent=2, ensure_ascii=False, allow_nan=False)
