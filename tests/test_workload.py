"""The workload file: defaults, presets, conversions and one clear line for every mistake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import write

from openclosed.workload.presets import PRESETS, preset

GOOD = "version: 1\ntraffic:\n  requests_per_day: 1000\n  input_tokens: 500\n  output_tokens: 100\n"


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_are_valid(name: str) -> None:
    w = preset(name)
    assert w.requests_per_month > 0 and w.traffic.input_tokens > 0


def test_conversions_use_a_730_hour_month() -> None:
    from openclosed.workload.model import Workload

    base = {"input_tokens": 1, "output_tokens": 1}
    day = Workload.model_validate({"traffic": {"requests_per_day": 24, **base}})
    sec = Workload.model_validate({"traffic": {"requests_per_second": 1, **base}})
    assert day.requests_per_month == 730
    assert sec.requests_per_month == 730 * 3600
    assert day.traffic.context_tokens_value == 2


def test_defaults(tmp_path: Path) -> None:
    from openclosed.workload.model import load_workload

    w = load_workload(write(tmp_path / "w.yaml", GOOD))
    assert w.traffic.peak_to_average == 2.0 and w.traffic.cached_input_share == 0
    assert w.self_hosting.precisions == ["bf16", "fp8"]
    assert w.operations.engineer_cost_per_month == 15000 and w.horizon_months == 12


BAD = {
    "negative": (GOOD.replace("input_tokens: 500", "input_tokens: -5"), "traffic.input_tokens", 4),
    "nan": (GOOD.replace("output_tokens: 100", "output_tokens: .nan"), "NaN", 5),
    "share": (GOOD + "  cached_input_share: 1.5\n", "traffic.cached_input_share", 6),
    "unknown key": (GOOD + "  ouput_tokens: 3\n", "did you mean 'output_tokens'", 6),
    "two rates": (GOOD + "  requests_per_month: 5\n", "exactly one", 2),
    "no traffic": ("version: 1\nname: x\n", "traffic", 1),
    "huge": (GOOD.replace("1000", "1e400"), "finite", 3),
    "absurd": (GOOD.replace("1000", "1.0e14"), "less than or equal", 3),
    "peak below one": (GOOD + "  peak_to_average: 0.5\n", "peak_to_average", 6),
    "bad version": (GOOD.replace("version: 1", "version: 2"), "version", 1),
    "top-level typo": (GOOD + "latncy: {}\n", "did you mean 'latency'", 6),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_workloads_get_one_clear_line(cli, tmp_path: Path, case: str) -> None:
    text, needle, line = BAD[case]
    f = write(tmp_path / "w.yaml", text)
    r = cli("compare", str(f))
    assert r.code == 2, (case, r.err)
    assert "Traceback" not in r.err and r.out == ""
    errors = [ln for ln in r.err.splitlines() if ln.startswith("error:")]
    assert errors and needle in r.err, r.err
    assert f"{f}:{line}:" in r.err, r.err


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01binary",
        b"- just\n- a list\n",
        b"a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
    ],
)
def test_unreadable_files(cli, tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "w.yaml"
    f.write_bytes(content)
    r = cli("compare", str(f))
    assert r.code == 2 and "Traceback" not in r.err and str(f) in r.err


def test_missing_file_and_directory(cli, tmp_path: Path) -> None:
    assert cli("compare", str(tmp_path / "nope.yaml")).code == 2
    r = cli("compare", str(tmp_path))
    assert r.code == 2 and "directory" in r.err


def test_bad_flags(cli) -> None:
    r = cli("compare", "--cached-input-share", "2")
    assert r.code == 2 and "--cached-input-share" in r.err
    r = cli("compare", "--preset", "chatbott")
    assert r.code == 2 and "chatbot" in r.err
    r = cli("compare", "--no-such-flag")
    assert r.code == 2 and "Traceback" not in r.err


def test_default_preset_is_announced(cli) -> None:
    r = cli("compare", "--format", "json")
    assert r.code == 0 and "chatbot" in r.err
    assert r.json()["workload"]["source"] == "preset:chatbot"


@pytest.mark.parametrize("path", sorted((Path(__file__).parent.parent / "examples").glob("*.yaml")))
def test_examples_are_valid(cli, path: Path) -> None:
    r = cli("compare", str(path), "--format", "json", "--today", "2026-11-24")
    assert r.code == 0, r.err
    assert r.json()["workload"]["source"] == str(path)


def test_a_left_out_section_equals_the_validated_defaults() -> None:
    """Left-out sections are built without validation (`model_construct`, for speed): each must
    equal the section validated from nothing, so a validator that changed a default would show here."""
    from openclosed.workload import model as wm

    minimal = {"traffic": {"requests_per_month": 1000, "input_tokens": 10, "output_tokens": 5}}
    wl = wm.Workload.model_validate(minimal)
    sections = {
        "latency": wm.Latency,
        "privacy": wm.PrivacyNeeds,
        "licence": wm.LicenceNeeds,
        "quality": wm.QualityNeeds,
        "operations": wm.Operations,
        "self_hosting": wm.SelfHosting,
        "budget": wm.Budget,
    }
    for name, cls in sections.items():
        given = getattr(wl, name)
        validated = cls.model_validate({})
        assert type(given) is cls and given == validated, name
        assert given.model_fields_set == validated.model_fields_set == set(), name
    assert wl.self_hosting.on_prem == wm.OnPremNeeds.model_validate({})
    assert wl.self_hosting.precisions == ["bf16", "fp8"]
    # Each left-out section is a fresh object: changing one workload's never changes another's.
    other = wm.Workload.model_validate(
        {"traffic": {"requests_per_month": 1000, "input_tokens": 10, "output_tokens": 5}}
    )
    assert other.privacy is not wl.privacy and other.privacy.residency is not wl.privacy.residency


def _fields_sets(model: Any) -> dict[str, Any]:
    """Each model's fields set, its sections' included (what `exclude_unset` dumps read)."""
    from pydantic import BaseModel

    out: dict[str, Any] = {"": sorted(model.model_fields_set)}
    for name, value in model.__dict__.items():
        if isinstance(value, BaseModel):
            out[name] = _fields_sets(value)
    return out


@pytest.mark.parametrize("name", sorted(PRESETS))  # a new preset is checked too
def test_a_preset_equals_its_validated_workload(name: str) -> None:
    """Presets are built without validation (for speed): each must be what validating it gives,
    the same values of the same types (a whole number in a float field is a float) and the same
    fields set in every section."""
    from openclosed.workload.model import Workload

    built, validated = preset(name), Workload.model_validate(PRESETS[name])
    assert built == validated
    assert repr(built) == repr(validated)  # 50000.0, not 50000: the types, not only the values
    assert _fields_sets(built) == _fields_sets(validated)
    assert built.model_dump(exclude_unset=True) == validated.model_dump(exclude_unset=True)
    assert built.traffic.requests_per_day.__class__ is float  # given as 50_000 and the like
