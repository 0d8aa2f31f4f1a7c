"""The CLI surface: formats for every report kind, CSV = JSON, streams, exit codes, atomic files."""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path

import pytest
from conftest import COMPARE_ALL, TODAY

# Every command that renders a report, with arguments that make it succeed.
KINDS = {
    "compare": ["compare", "--today", TODAY],
    "explain": ["explain", "gpt-4o@openai", "--today", TODAY],
    "size": ["size", "llama-3.1-8b", "--gpu", "h100-sxm"],
    "breakeven": ["breakeven", "gpt-4o@openai", "llama-3.3-70b@lambda:h100-sxm", "--points", "9"],
    "sweep": ["sweep", "--preset", "chatbot", "--vary", "requests_per_month=1e3..1e6", "--steps", "4", "--no-plot"],
    "check": ["check", "--max-monthly-cost", "1000000", "--today", TODAY],
    "diff": [
        "diff",
        str(Path(__file__).parent / "data" / "report-a.json"),
        str(Path(__file__).parent / "data" / "report-a.json"),
    ],
    "catalog diff": ["catalog", "diff", "embedded", "embedded"],
    "catalog show-effective": ["catalog", "show-effective", "--only", "gpus/h100-sxm"],
    "models list": ["models", "list"],
    "models show": ["models", "show", "phi-4"],
    "providers list": ["providers", "list"],
    "providers show": ["providers", "show", "openai"],
    "gpus list": ["gpus", "list"],
    "gpus show": ["gpus", "show", "h100-sxm"],
    "licences list": ["licences", "list"],
    "licences show": ["licences", "show", "mit"],
}
FORMATS = ["table", "json", "csv", "markdown"]


# `check` has its own formats: text for logs instead of a table, and no CSV.
CASES = [(k, f) for k in sorted(KINDS) for f in FORMATS if not (k == "check" and f == "csv")]


@pytest.mark.parametrize(("kind", "fmt"), CASES)
def test_every_format_renders_every_report_kind(cli, kind: str, fmt: str) -> None:
    if kind == "check" and fmt == "table":
        fmt = "text"
    r = cli(*KINDS[kind], "--format", fmt)
    assert r.code == 0, r.err
    assert r.out.strip()
    if fmt == "json":
        json.loads(r.out)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(r.out)))
        # A diff of identical inputs has only its header; everything else has rows.
        assert len(rows) >= (1 if "diff" in kind else 2)
        assert all(len(row) == len(rows[0]) for row in rows)
    elif fmt == "markdown":
        assert r.out.startswith("### ")


def test_version_is_one_line(cli) -> None:
    r = cli("--version")
    assert r.code == 0 and r.out.strip().startswith("openclosed ") and len(r.out.strip().splitlines()) == 1


def test_csv_matches_json(cli, shared_cli) -> None:
    j = shared_cli(*COMPARE_ALL).json()
    rows = list(csv.DictReader(io.StringIO(cli("compare", "--all", "--format", "csv", "--today", TODAY).out)))
    assert len(rows) == len(j["options"])
    for row, o in zip(rows, j["options"], strict=True):
        assert row["id"] == o["id"]
        if o["monthly_cost"] is None:  # cannot run: an empty cell
            assert row["monthly_cost"] == row["cost_per_million_tokens"] == ""
            continue
        assert float(row["monthly_cost"]) == o["monthly_cost"]
        assert float(row["cost_per_million_tokens"]) == o["cost_per_million_tokens"]
        assert float(row["scores_overall"]) == o["scores"]["overall"]
        for k, v in o["cost_breakdown"].items():
            assert float(row[f"cost_breakdown_{k}"]) == v
        if o["self_hosting"]:
            assert int(row["self_hosting_replicas"]) == o["self_hosting"]["replicas"]
            assert float(row["self_hosting_gpu_hourly_price"]) == o["self_hosting"]["gpu_hourly_price"]
        elif o["unit_prices"]:
            assert float(row["unit_prices_input"]) == o["unit_prices"]["input"]
            assert row["self_hosting_replicas"] == ""
        assert "$" not in row["monthly_cost"]


def test_stdout_holds_only_the_output(cli) -> None:
    r = cli("compare", "--format", "json", "--today", TODAY)
    json.loads(r.out)  # nothing but JSON on stdout
    assert "chatbot" in r.err  # the default-preset note goes to stderr


def test_no_colour_and_80_columns(cli, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    from openclosed.cli import common

    common._consoles.clear()
    r = cli("compare", "--today", TODAY)
    assert "\x1b[" not in r.out
    lines = r.out.splitlines()
    assert max(len(ln) for ln in lines) <= 80
    assert any("$/month" in ln for ln in lines)


def test_out_file_is_written_atomically(cli, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "report.json"
    r = cli("compare", "--format", "json", "--out-file", str(target), "--today", TODAY)
    assert r.code == 0 and r.out == ""
    first = target.read_bytes()
    assert json.loads(first)["schema_version"] == 1
    # A write that fails midway leaves the old file intact and no temporary file behind.
    import os

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    r = cli("compare", "--format", "csv", "--out-file", str(target), "--today", TODAY)
    assert r.code != 0
    assert target.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_out_file_into_missing_directory(cli, tmp_path: Path) -> None:
    r = cli("compare", "--format", "json", "--out-file", str(tmp_path / "no" / "x.json"))
    assert r.code == 2 and "does not exist" in r.err


def test_internal_error_is_one_line_and_exit_3(cli, monkeypatch) -> None:
    import openclosed.analyses.compare as entry

    def broken(*a, **k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(entry, "compare", broken)
    r = cli("compare")
    assert r.code == 3
    assert "internal error" in r.err and "kaboom" in r.err and "Traceback" not in r.err
    r = cli("--debug", "compare")
    assert r.code == 3 and "Traceback" in r.err


def test_breakeven_reports_every_crossing(cli) -> None:
    r = cli("breakeven", "gpt-4o-mini@openai", "llama-3.1-8b@lambda:a100-80gb", "--format", "json", "--today", TODAY)
    assert r.code == 0, r.err
    d = r.json()
    assert d["points"] and all({"requests_per_month", "cost_a", "cost_b"} <= set(p) for p in d["points"])
    if d["crossings"]:
        c = d["crossings"][0]
        assert d["breakeven_requests_per_month"] == c["requests_per_month"]
        assert c["cost_a"] == pytest.approx(c["cost_b"], rel=0.02)
    # Crossings match the sign changes on the grid.
    signs = [p["cost_a"] < p["cost_b"] for p in d["points"]]
    changes = sum(a != b for a, b in itertools.pairwise(signs))
    assert len(d["crossings"]) >= changes


def test_breakeven_never_crossing_is_null(cli) -> None:
    d = cli("breakeven", "gpt-4o@openai", "gpt-4o@azure-openai", "--format", "json", "--points", "5").json()
    if d["points"][0]["cost_a"] != d["points"][0]["cost_b"]:
        assert d["breakeven_requests_per_month"] is None and d["crossings"] == []


def test_a_bad_today_is_the_one_line_said(cli) -> None:
    """Bad input is one clear line: the preset note ('No workload given: ...') came before it."""
    for args in (("compare", "--today", "2026-13-01"), ("check", "--today", "2026-13-01")):
        run = cli(*args)
        assert run.code == 2
        assert run.err == "error: --today: expected a date YYYY-MM-DD (got '2026-13-01')\n", args
