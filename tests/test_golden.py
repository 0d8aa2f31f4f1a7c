"""Golden files: the default table output of each command, byte for byte.

Fixed width (COLUMNS), NO_COLOR, a fixed --today and the frozen catalogue in tests/fixtures/catalog
(`extends: none`), so only a change of the tool changes them. Regenerate deliberately with
OPENCLOSED_UPDATE_GOLDEN=1 (tests/golden/README.md) and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
CATALOG = str(ROOT / "tests" / "fixtures" / "catalog")
DISCOUNT = str(ROOT / "tests" / "fixtures" / "catalog-discount")
TODAY = "2026-11-24"
COMMON = ("--catalog", CATALOG, "--today", TODAY)
# Relative to the repository root (the test runs there): the report prints the path as given, and a
# golden file must not hold the absolute path of one checkout.
SPEND = "tests/fixtures/workloads/current-spend.yaml"

CASES: dict[str, tuple[int, tuple[str, ...]]] = {
    "compare-80": (80, ("compare", "--preset", "chatbot", *COMMON)),
    "compare-120": (120, ("compare", "--preset", "chatbot", *COMMON)),
    "compare-all-80": (80, ("compare", "--preset", "chatbot", "--all", "--residency", "eu", *COMMON)),
    "explain-80": (80, ("explain", "gpt-oss-20b@lambda:h100-sxm", "--preset", "chatbot", *COMMON)),
    "size-80": (80, ("size", "llama-3.3-70b", "--gpu", "h100-sxm", *COMMON)),
    "size-preset-80": (80, ("size", "llama-3.3-70b", "--gpu", "h100-sxm", "--preset", "rag", *COMMON)),
    "breakeven-80": (80, ("breakeven", "gpt-4o@openai", "llama-3.3-70b@aws:h100-sxm", "--preset", "chatbot", *COMMON)),
    "sweep-80": (80, ("sweep", "--preset", "chatbot", "--options", "all", *COMMON)),
    "sweep-120": (120, ("sweep", "--preset", "chatbot", "--options", "all", *COMMON)),
    "check-80": (80, ("check", "--preset", "chatbot", "--max-monthly-cost", "100", *COMMON)),
    # Issue 26: what a user reads every day, at both widths.
    "compare-spend-80": (80, ("compare", SPEND, *COMMON)),
    "compare-spend-120": (120, ("compare", SPEND, *COMMON)),
    "sensitivity-80": (80, ("sensitivity", "--preset", "chatbot", *COMMON)),
    "sensitivity-120": (120, ("sensitivity", "--preset", "chatbot", *COMMON)),
    "sweep-no-plot-80": (80, ("sweep", "--preset", "chatbot", "--options", "all", "--no-plot", *COMMON)),
    "presets-80": (80, ("workload", "presets")),
    "presets-120": (120, ("workload", "presets")),
}


def _record(code: int, out: str, err: str) -> str:
    return f"{out}--- stderr ---\n{err}--- exit {code} ---\n"


def _compare(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("OPENCLOSED_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path.name}: run OPENCLOSED_UPDATE_GOLDEN=1 pytest {__file__}"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{path.name} changed: review, then OPENCLOSED_UPDATE_GOLDEN=1 to accept"


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(cli, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    width, args = CASES[name]
    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.chdir(ROOT)
    r = cli(*args)
    _compare(name, _record(r.code, r.out, r.err))


def test_golden_diff(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Two reports of the same workload: the frozen catalogue, then with a 20 % Together discount.
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    cli("compare", "--preset", "chatbot", *COMMON, "--format", "json", "--out-file", str(before))
    monkeypatch.setenv("OPENCLOSED_CATALOG", CATALOG)
    r = cli("compare", "--preset", "chatbot", "--catalog", DISCOUNT, "--today", TODAY, "-f", "json", "-o", str(after))
    assert r.code == 0, r.err
    monkeypatch.setenv("COLUMNS", "80")
    r = cli("diff", str(before), str(after))
    _compare("diff-80", _record(r.code, r.out, r.err))
