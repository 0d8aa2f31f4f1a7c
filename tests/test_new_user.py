"""What a new user trips over (issue 16): each test failed before its fix.

Most run on the small frozen catalogue in tests/fixtures/catalog; the few that need many options
(long ids, 49 rows) use the embedded one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import COMPARE_ALL, ROOT, TODAY, yaml_load

from openclosed.analyses.checks import diff_reports
from openclosed.render import Column, View
from openclosed.render.table import to_table

FIXTURE = str(ROOT / "tests" / "fixtures" / "catalog")
SMALL = ("--catalog", FIXTURE, "--today", TODAY, "--preset", "chatbot")


# ------------------------------------------------------------------ 1. diff shows real changes
def _opt(oid: str, cost: float, rank: int) -> dict:
    model = oid.partition("@")[0]
    return {"id": oid, "model": model, "deployment": "api", "monthly_cost": cost, "rank": rank}


def _report(*options: dict, recommended: str = "a@x") -> dict:
    return {"schema_version": 1, "recommended": recommended, "catalog": {"as_of": TODAY}, "options": list(options)}


def test_diff_matches_a_model_whose_best_provider_changed() -> None:
    base = _report(_opt("a@x", 100.0, 1), _opt("q@deepinfra", 575.0, 2), _opt("r@y", 548.0, 3))
    new = _report(_opt("a@x", 100.0, 1), _opt("r@y", 548.0, 2), _opt("q@together", 511.0, 3))
    d = diff_reports(base, new)
    assert d["added"] == [] and d["removed"] == [] and d["unchanged"] == 1
    q, r = d["changed"]
    assert (q["id_before"], q["id"], q["matched_by"]) == ("q@deepinfra", "q@together", "model and deployment")
    assert (q["before"], q["after"], q["change"], q["rank_before"], q["rank_after"]) == (575.0, 511.0, -64.0, 2, 3)
    assert q["change_pct"] == round(-64 / 575 * 100, 4)
    # A move in rank alone is a change too.
    assert (r["id"], r["change"], r["rank_before"], r["rank_after"]) == ("r@y", 0.0, 3, 2)


def test_diff_table_shows_the_change(cli, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(_report(_opt("a@x", 100.0, 1), _opt("q@deepinfra", 575.0, 2))))
    b.write_text(json.dumps(_report(_opt("a@x", 100.0, 1), _opt("q@together", 511.0, 2))))
    for fmt in ("table", "markdown"):
        r = cli("diff", str(a), str(b), "--format", fmt)
        assert r.code == 0, r.err
        assert "nothing to show" not in r.out
        assert "q@deepinfra → q@together" in r.out and "$575" in r.out and "$511" in r.out
        assert "1 changed, 1 unchanged, 0 added, 0 removed." in r.out


# ------------------------------------------------------------------ 2. ids never wrap
def test_table_never_wraps_an_id_and_names_the_hidden_columns() -> None:
    long_id = "llama-3.2-11b-vision@coreweave:a100-80gb"
    view = View(
        title="t",
        columns=[
            Column("id", "option", nowrap=True),
            Column("cost", "$/month", "money"),
            Column("per_m", "$/Mtok", "money", optional=1),
            Column("status", "status", width=40),
        ],
        rows=[{"id": long_id, "cost": 1234.0, "per_m": 0.5, "status": "capacity: does not fit on one node of 8 GPUs"}],
        json=None,
    )
    text = to_table(view, width=64)
    assert long_id in text.splitlines()[3]  # title, header, rule, row
    assert "$/Mtok" not in text.splitlines()[1]
    assert "Columns hidden at this width: $/Mtok" in text
    assert max(len(ln) for ln in text.splitlines()) <= 64


def test_compare_all_at_80_columns_keeps_every_id_whole(cli, shared_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = [o["id"] for o in shared_cli(*COMPARE_ALL).json()["options"]]
    monkeypatch.setenv("COLUMNS", "80")
    r = cli("compare", "--all", "--today", TODAY)
    tokens = set(r.out.split())
    assert all(i in tokens for i in ids), [i for i in ids if i not in tokens][:5]
    assert "Columns hidden at this width: " in r.out and "$/Mtok" in r.out.split("hidden at this width")[1]
    assert max(len(ln) for ln in r.out.splitlines()) <= 80


# ------------------------------------------------------------------ 3. sweep keys and crossings
def _sweep(n_options: int = 4):
    from openclosed.analyses.sweep import Series, Sweep, find_crossings, parse_spec
    from openclosed.workload.presets import preset

    values = [1.0, 2.0, 3.0, 4.0]
    # A is cheapest, then B from 3 on; C and D also pass A there: three pairwise crossings at
    # one point, one change of the cheapest option.
    costs = [[1, 1, 9, 9], [2, 2, 1, 1], [3, 3, 2, 2], [4, 4, 3, 3]]
    costs += [[10 + k] * 4 for k in range(n_options - 4)]
    series = [Series(f"opt{k}@p", "closed API", [float(c) for c in cs], [True] * 4) for k, cs in enumerate(costs)]
    wl = preset("chatbot")
    spec = parse_spec("requests_per_month=1..4", wl, steps=4, log=False)
    return Sweep(spec, wl, "test", values, values, values, series, find_crossings(values, series), "fast")


def test_sweep_lists_one_crossing_per_change_of_the_cheapest_option() -> None:
    from openclosed.render.sweep_view import cheapest_changes, sweep_view

    sw = _sweep()
    assert len(sw.crossings) == 3
    (change,) = cheapest_changes(sw)
    assert (change.cheaper_below, change.cheaper_above, change.at) == ("opt0@p", "opt1@p", 3.0)
    default = [n for n in sweep_view(sw).notes if n.startswith("Crossing")]
    assert default == ["Crossing 1: at 3 requests/month, B becomes cheaper than A ($1.00 vs $9.00 a month)."]
    every = [n for n in sweep_view(sw, all_crossings=True).notes if n.startswith("Crossing")]
    assert len(every) == 3


def test_sweep_keys_every_option_and_shows_the_cheapest_columns() -> None:
    from openclosed.render.sweep_view import key, sweep_view

    assert [key(i) for i in (0, 25, 26, 27, 51, 52)] == ["A", "Z", "AA", "AB", "AZ", "BA"]
    sw = _sweep(30)
    view = sweep_view(sw)
    headers = {c.header.split()[0] for c in view.columns}
    assert {r["cheapest"] for r in view.rows} <= headers
    # The legend names the options the table names (issue 26: not every option swept) and counts
    # the others; the 30th option has a key too (AD), in CSV and JSON.
    legend = [n.split(" = ")[0] for n in view.notes if " = opt" in n]
    crossing_text = " ".join(n for n in view.notes if n.startswith("Crossing"))
    assert all(k in headers or f" {k} " in f" {crossing_text} " for k in legend)
    assert f"{30 - len(legend)} other options swept are in --format csv and json." in view.notes


def test_sweep_cli_defaults_to_changes_of_the_cheapest(cli) -> None:
    r = cli("sweep", *SMALL, "--options", "all", "--no-plot")
    assert r.code == 0, r.err
    assert "--crossings all lists every crossing" in r.out
    every = cli("sweep", *SMALL, "--options", "all", "--no-plot", "--crossings", "all")
    assert every.out.count("Crossing ") > r.out.count("Crossing ")
    data = cli("sweep", *SMALL, "--options", "all", "--format", "json").json()
    assert len(data["cheapest_changes"]) < len(data["crossings"])


# ------------------------------------------------------------------ 4. readable default length
def _table_rows(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if re.match(r"^\s*\d+\s{2,}\S+@", ln)]


def test_compare_table_shows_a_readable_default(cli) -> None:
    data = cli("compare", "--format", "json", "--today", TODAY, "--preset", "chatbot").json()
    r = cli("compare", "--today", TODAY, "--preset", "chatbot")
    rows = _table_rows(r.out)
    assert len(data["options"]) > 20 and len(rows) <= 13
    assert f"Showing {len(rows)} of {len(data['options'])} rows" in r.out and "--top all" in r.out
    every = cli("compare", "--today", TODAY, "--preset", "chatbot", "--top", "all")
    assert len(_table_rows(every.out)) == len(data["options"])
    assert cli("compare", "--top", "nope").code == 2


def test_breakeven_table_shows_decades_and_the_break_even(cli) -> None:
    args = ("breakeven", "gpt-4o@openai", "llama-3.3-70b@aws:h100-sxm", *SMALL)
    r = cli(*args)
    rows = [ln for ln in r.out.splitlines() if re.match(r"^\s*[\d,]+\s{2,}[\d,]+\s", ln)]
    assert len(rows) == 9 and "= break-even" in r.out
    assert "The table shows 8 of 71 points" in r.out
    assert len(cli(*args, "--format", "csv").out.splitlines()) == 72  # header + every point


# ------------------------------------------------------------------ 5. one meaning of rank
def test_rank_is_the_position_in_the_output_everywhere(cli) -> None:
    data = cli("compare", *SMALL, "--format", "json").json()
    ranks = [o["rank"] for o in data["options"]]
    assert ranks == list(range(1, len(ranks) + 1))
    assert [o["rank_among_all"] for o in data["options"]] != ranks  # the engine's places: 1, 2, 3, 5, ...
    rows = list(csv.DictReader(io.StringIO(cli("compare", *SMALL, "--format", "csv").out)))
    assert [int(r["rank"]) for r in rows] == ranks
    table = cli("compare", *SMALL).out
    for o in data["options"]:
        assert re.search(rf"^\s*{o['rank']}\s+{re.escape(o['id'])}\s", table, re.M), o["id"]
    html = cli("compare", *SMALL, "--format", "html").out
    head, _, tail = data["options"][1]["id"].partition("@")  # an id breaks only after its "@"
    cell = f'<span class="id">{head}@</span><wbr><span class="id">{tail}</span>'
    assert re.search(r"<td[^>]*>2</td><td[^>]*>" + re.escape(cell), html)


# ------------------------------------------------------------------ 6. help and empty cells
def test_help_reads_right_at_80_columns(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    text = cli("compare", "--help").out
    assert "<bool>" not in text and "…" not in text and "<float>" not in text
    assert "--requests-per-second NUMBER" in text and "--all " in text
    for cmd in ("sweep", "breakeven"):
        assert "openclosed[plot]" in cli(cmd, "--help").out


def test_no_none_in_table_cells(cli) -> None:
    r = cli("models", "show", "llama-3.3-70b", "--catalog", FIXTURE)
    assert r.code == 0 and "None" not in r.out
    assert "True" not in cli("explain", "gpt-oss-20b@lambda:h100-sxm", *SMALL).out


# ------------------------------------------------------------------ 9. size: lengths and presets
def test_size_takes_a_preset_or_workload_and_says_what_it_assumed(cli, tmp_path: Path) -> None:
    base = ("size", "llama-3.3-70b", "--gpu", "h100-sxm", "--catalog", FIXTURE)
    r = cli(*base)
    assert "Assumed 1,000 input and 500 output tokens per request (the defaults" in r.out
    rag = cli(*base, "--preset", "rag", "--format", "json").json()
    assert (rag["input_tokens"], rag["output_tokens"], rag["lengths_from"]) == (6000, 400, "preset:rag")
    wl = tmp_path / "w.yaml"
    wl.write_text("version: 1\nname: w\ntraffic: {requests_per_day: 10, input_tokens: 2000, output_tokens: 250}\n")
    r = cli("size", "llama-3.3-70b", str(wl), "--gpu", "h100-sxm", "--catalog", FIXTURE, "--output-tokens", "100")
    assert r.code == 0, r.err
    assert f"Assumed 2,000 input and 100 output tokens per request (from {wl} + flags)." in " ".join(r.out.split())


# ------------------------------------------------------------------ 10. an install line that works
def test_ci_docs_install_from_the_repository() -> None:
    for path in (ROOT / "docs" / "ci.md", *sorted((ROOT / "examples" / "ci").glob("*"))):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"pip install openclosed\s*($|#)", text, re.M), path
        assert "git+https://" in text, path


# ------------------------------------------------------------------ 11. warnings once, after, counted
def test_summarise_folds_per_option_warnings() -> None:
    from openclosed.render.warnings import summarise

    speed = "latency: no published speed for {} at {}; the tokens/s target was not checked"
    options = [
        ("a@x", [speed.format("a", "x"), "price of a at x is 100 days old (as of 2026-08-16)"]),
        ("b@y", [speed.format("b", "y"), "lifecycle: B shuts down on 2027-01-01"]),
        ("c@y", ["lifecycle: B shuts down on 2027-01-01"]),
    ]
    report = [speed.format("a", "x"), "3 of 9 options use prices older than 90 days; refresh the catalogue"]
    assert summarise(report, options) == [
        "3 of 9 options use prices older than 90 days; refresh the catalogue",
        "latency: no published speed for 2 options (e.g. a@x); the tokens/s target was not checked for them",
        "lifecycle: B shuts down on 2027-01-01 (2 options)",
    ]
    # Without the report's summary, stale prices fold into one line with their ages.
    assert summarise([], [options[0]])[1] == "price of a at x is 100 days old (as of 2026-08-16)"
    two = [
        ("a@x", ["price of a at x is 100 days old (as of 1)"]),
        ("b@y", ["price of b at y is 300 days old (as of 2)"]),
    ]
    assert summarise([], two) == ["prices 100 to 300 days old for 2 options; refresh the catalogue (docs/catalogue.md)"]


def test_warnings_come_once_after_the_output() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1", "COLUMNS": "100"}
    env.pop("OPENCLOSED_CATALOG", None)
    out = subprocess.run(
        [sys.executable, "-m", "openclosed", "compare", *SMALL],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=True,
    ).stdout
    lines = out.splitlines()
    warnings = [i for i, ln in enumerate(lines) if ln.startswith("warning:")]
    assert warnings and min(warnings) > max(i for i, ln in enumerate(lines) if ln.startswith("Workload "))
    assert len({lines[i] for i in warnings}) == len(warnings)
    assert any("latency unchecked for 4 of" in lines[i] for i in warnings)


# ------------------------------------------------------------------ 12. one valid catalogue schema
def test_catalog_schema_validates_the_catalogue_files(cli) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = cli("schema", "catalog").json()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name in ("models.yaml", "providers.yaml"):
        data = json.loads(json.dumps(yaml_load((ROOT / "data" / name).read_text()), default=str))
        assert not list(validator.iter_errors(data)), name
    assert list(validator.iter_errors({"models": "not a list"}))
