"""Fuzzing the three ways input arrives: workload YAML, command-line flags, saved report JSON.

Whatever hypothesis generates, the tool exits 0, 1 or 2 (never 3: no internal error), a failure
prints exactly one `error:` line (warnings aside), and nothing takes long. The example budget
comes from the hypothesis profile (tests/conftest.py): small by default, OPENCLOSED_THOROUGH=1
for a deep run.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import yaml
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

REPORT = ROOT / "tests" / "data" / "report-a.json"
MAX_S = 20  # per example, on a shared two-core machine; a hang or a blow-up takes far longer
BASE: dict[str, Any] = {
    "version": 1,
    "traffic": {"requests_per_day": 1000, "input_tokens": 500, "output_tokens": 200},
}
# Paths a mutation may set, the real keys and a few that do not exist.
PATHS = [
    ("version",),
    ("name",),
    ("horizon_months",),
    ("traffic",),
    ("traffic", "requests_per_day"),
    ("traffic", "requests_per_month"),
    ("traffic", "requests_per_second"),
    ("traffic", "input_tokens"),
    ("traffic", "output_tokens"),
    ("traffic", "cached_input_share"),
    ("traffic", "batch_share"),
    ("traffic", "peak_to_average"),
    ("traffic", "context_tokens"),
    ("latency", "max_ttft_ms"),
    ("latency", "min_output_tokens_per_s"),
    ("privacy", "sensitivity"),
    ("privacy", "allow_third_party"),
    ("privacy", "residency"),
    ("licence", "monthly_active_users"),
    ("licence", "commercial"),
    ("quality", "min_score"),
    ("operations", "engineer_cost_per_month"),
    ("self_hosting", "precisions"),
    ("self_hosting", "utilisation_cap"),
    ("self_hosting", "gpu_price_multiplier"),
    ("budget", "max_monthly_cost"),
    ("traffic", "unknown_key"),
    ("nonsense",),
]
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([0, -1, 1e-320, 5e-324, 1e-12, 1e15, 1e16, 2**63, 1e308, 0.5, 1, 3, 1000]),
)
SCALARS = st.one_of(
    NUMBERS,
    st.booleans(),
    st.none(),
    st.text(max_size=20),
    st.sampled_from(["yes", "no", "1e-320", "1e400", "inf", "nan", "\x1b[2J", "\u202e", "eu", "bf16", "fp3"]),
)
# Lists and mappings of at most one element: a single mutation is a single problem.
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=1), st.dictionaries(st.text(max_size=5), SCALARS, max_size=1))


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(data))
    cur = out
    for key in path[:-1]:
        if not isinstance(cur.get(key), dict):
            cur[key] = {}
        cur = cur[key]
    cur[path[-1]] = value
    return out


def _check(run, started: float) -> None:
    assert run.code in (0, 1, 2), (run.code, run.err[-3000:])
    assert "Traceback" not in run.err and "internal error" not in run.err, run.err[-3000:]
    if run.code == 2:
        errors = [line for line in run.err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, run.err[-3000:]
    assert time.monotonic() - started < MAX_S


@given(path=st.sampled_from(PATHS), value=VALUES)
def test_fuzz_workload_yaml(cli, tmp_path: Path, path: tuple[str, ...], value: Any) -> None:
    data = _set(BASE, path, value)
    try:
        text = yaml.safe_dump(data, allow_unicode=True)
    except (yaml.YAMLError, UnicodeEncodeError):
        return
    f = tmp_path / "w.yaml"
    f.write_text(text, encoding="utf-8", errors="surrogatepass")
    started = time.monotonic()
    _check(cli("compare", str(f), "--format", "json", "--today", "2026-11-24"), started)


@given(text=st.text(max_size=400), cut=st.integers(min_value=0, max_value=120))
def test_fuzz_workload_text(cli, tmp_path: Path, text: str, cut: int) -> None:
    """Raw text spliced into a valid workload: syntax errors, tags, anchors, odd characters."""
    base = yaml.safe_dump(BASE)
    f = tmp_path / "w.yaml"
    f.write_bytes((base[:cut] + text + base[cut:]).encode("utf-8", "surrogatepass"))
    started = time.monotonic()
    _check(cli("compare", str(f), "--format", "json", "--today", "2026-11-24"), started)


FLAG_VALUES = st.one_of(
    st.sampled_from(["inf", "-inf", "nan", "0", "-1", "1e-320", "1e400", "9" * 400, "abc", "", "1k", "yes", "1.5"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
COMMANDS = {
    "compare": (
        ["compare", "--preset", "chatbot", "--format", "json"],
        [
            "--requests-per-day",
            "--requests-per-month",
            "--input-tokens",
            "--output-tokens",
            "--cached-input-share",
            "--peak-to-average",
            "--horizon-months",
            "--gpu-price-multiplier",
            "--max-ttft-ms",
            "--min-quality",
            "--monthly-active-users",
            "--stale-days",
        ],
    ),
    "size": (
        ["size", "llama-3.1-8b", "--gpu", "l4", "--format", "json"],
        ["--input-tokens", "--output-tokens", "--gpus", "--concurrency", "--max-tpot-ms"],
    ),
    "sweep": (
        ["sweep", "--preset", "chatbot", "--format", "json", "--steps", "3"],
        ["--steps", "--vary"],
    ),
}


@given(
    command=st.sampled_from(sorted(COMMANDS)),
    flag_index=st.integers(min_value=0, max_value=20),
    value=FLAG_VALUES,
    vary_field=st.sampled_from(["requests_per_month", "input_tokens", "peak_to_average", "bogus"]),
)
def test_fuzz_flags(cli, command: str, flag_index: int, value: str, vary_field: str) -> None:
    base, flags = COMMANDS[command]
    flag = flags[flag_index % len(flags)]
    if flag == "--vary":
        value = f"{vary_field}={value}..{value}0"
    args = [*base, flag, value]
    if command == "sweep" and flag == "--steps":
        args = [a for a in base if a not in ("--steps", "3")] + [flag, value]
    started = time.monotonic()
    _check(cli(*args), started)


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**50), max_value=10**50),
    st.text(max_size=10),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)


@given(
    key=st.sampled_from(["schema_version", "options", "recommended", "catalog", "monthly_cost", "id", "x"]),
    value=JSON_VALUES,
    in_option=st.booleans(),
)
def test_fuzz_report_json(cli, tmp_path: Path, key: str, value: Any, in_option: bool) -> None:
    data = json.loads(REPORT.read_text())
    if in_option:
        data["options"][0][key] = value
    else:
        data[key] = value
    f = tmp_path / "r.json"
    try:
        f.write_text(json.dumps(data), encoding="utf-8")  # NaN and Infinity are written as such
    except UnicodeEncodeError:
        return
    started = time.monotonic()
    _check(cli("diff", str(REPORT), str(f), "--format", "json"), started)
