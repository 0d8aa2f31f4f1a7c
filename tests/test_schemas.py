"""The JSON Schemas committed under docs/schemas/ match the code."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT


@pytest.mark.parametrize("kind", ["report", "workload", "catalog"])
def test_committed_schema_is_in_sync(cli, kind: str) -> None:
    r = cli("schema", kind)
    assert r.code == 0
    committed = json.loads((ROOT / "docs" / "schemas" / f"{kind}.schema.json").read_text())
    assert json.loads(r.out) == committed, f"run: openclosed schema {kind} --out-file docs/schemas/{kind}.schema.json"


def test_report_validates_against_its_schema(cli) -> None:
    # A structural check without a JSON-Schema library: every required field of Report and of
    # each option is present in a real report.
    schema = json.loads(cli("schema", "report").out)
    report = cli("compare", "--format", "json").json()
    assert set(schema["required"]) <= set(report)
    option_schema = schema["$defs"]["OptionOut"]
    for o in report["options"]:
        assert set(option_schema["required"]) <= set(o)


def test_unknown_schema(cli) -> None:
    r = cli("schema", "nope")
    assert r.code == 2 and "report" in r.err


def test_fast_serialisation_equals_pydantic(catalog) -> None:
    # JSON output walks the engine's constructed models directly (to_plain) for speed; it must
    # be exactly what pydantic's own serializer produces, field order included.
    from openclosed.analyses.compare import compare
    from openclosed.report import Report, to_plain
    from openclosed.workload.presets import preset

    report = compare(catalog, preset("agent")).report
    plain = to_plain(report)
    assert plain == report.model_dump(mode="json")
    assert list(plain) == list(Report.model_fields)
    Report.model_validate(plain)  # and it is a valid Report


def test_direct_constructor_requires_every_field() -> None:
    import pytest

    from openclosed.report import Scores, construct, to_plain

    s = construct(Scores, overall=5.0, cost=1.0, privacy=2.0, lock_in=3.0, quality=4.0)
    assert list(to_plain(s)) == list(Scores.model_fields)  # declaration order, whatever the call order
    assert s.model_dump() == {"cost": 1.0, "privacy": 2.0, "lock_in": 3.0, "quality": 4.0, "overall": 5.0}
    with pytest.raises(TypeError, match="missing"):
        construct(Scores, cost=1.0)
