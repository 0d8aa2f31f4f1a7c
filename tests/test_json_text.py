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
    from openclosed.analyses.compare import compare
    from openclosed.engine import Settings
    from openclosed.report import to_plain
    from openclosed.workload.presets import preset

    report = compare(catalog, preset("agent"), Settings(today=dt.date(2026, 11, 24), samples=8)).report
    assert to_json(report) == json.dumps(_clean(to_plain(report)), indent=2, ensure_ascii=False, allow_nan=False)


def test_a_saved_report_is_held_to_the_input_limits() -> None:
    import pytest

    from openclosed.analyses.checks import parse_json
    from openclosed.errors import InputError
    from openclosed.yamlio import MAX_DEPTH

    assert parse_json("[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH, "r.json")
    refused = {
        "[" * (MAX_DEPTH + 1) + "1" + "]" * (MAX_DEPTH + 1): f"nested more than {MAX_DEPTH} levels deep",
        '{"a": 1e300}': "number 1e+300 is out of range (up to 1e+15)",
        '{"a": [1e-20]}': "number 1e-20 is too small (write 0 for zero)",
        '{"a": 12345678901234567}': "number 12345678901234567 is out of range (up to 1e+15)",
        '{"\\udc00": 1}': "text holds a lone surrogate (not valid Unicode)",
        '["ok", "\\ud800"]': "text holds a lone surrogate (not valid Unicode)",
        "[NaN]": "NaN is not allowed",
    }
    for text, why in refused.items():
        with pytest.raises(InputError) as err:
            parse_json(text, "r.json")
        assert str(err.value) == f"r.json: invalid JSON: {why}"
    # An escaped backslash before "ud800" is text, not a surrogate.
    assert parse_json('["\\\\ud800", 0, -0.0, 1e-12, 1e15]', "r.json") == ["\\ud800", 0, -0.0, 1e-12, 1e15]
