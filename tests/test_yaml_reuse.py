"""A YAML text parsed before in the process is reused: each caller still gets its own data."""

from __future__ import annotations

import pytest

from openclosed.errors import InputError
from openclosed.yamlio import load_yaml

TEXT = "traffic:\n  requests_per_day: 100\n  classes:\n    - name: a\n      share: 1.0\n"


def test_a_reused_parse_is_a_fresh_copy_with_the_same_lines() -> None:
    first, lines = load_yaml(TEXT, "w.yaml")
    first["traffic"]["classes"][0]["share"] = 0.5  # callers merge overlays into what they get
    first["extra"] = True
    again, again_lines = load_yaml(TEXT, "w.yaml")
    assert again == {"traffic": {"requests_per_day": 100, "classes": [{"name": "a", "share": 1.0}]}}
    assert again_lines == lines and again_lines[("traffic", "classes", 0, "share")] == 5
    assert again_lines is not lines


def test_a_bad_text_fails_every_time_with_its_own_name() -> None:
    for name in ("a.yaml", "b.yaml"):
        with pytest.raises(InputError) as err:
            load_yaml("a: 1\na: 2\n", name)
        assert err.value.problems[0].file == name and "duplicate key" in str(err.value)
