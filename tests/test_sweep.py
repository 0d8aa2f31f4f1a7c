"""`openclosed sweep`: the fast path against the engine, crossings, ranges, formats, progress."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import itertools
import math

import pytest
from conftest import SWEEP_CHATBOT, TODAY

from openclosed.analyses import sweep as sw
from openclosed.analyses.compare import compare
from openclosed.analyses.sweep_picks import default_picks
from openclosed.engine import Engine, Settings
from openclosed.workload.model import DAYS_PER_MONTH, apply_overrides
from openclosed.workload.presets import preset

# As `openclosed sweep` runs the engine: without sampled scenarios (a sweep prints no ranges).
SETTINGS = Settings(today=dt.date.fromisoformat(TODAY), samples=0)


def _same(got: float, want: float) -> bool:
    # The engine rounds every cost to 1e-6 USD; a half-micro-dollar tie may round either way.
    return math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-6)


def _engine_costs(catalog, wl, ids=None) -> dict[str, tuple[float, float, bool]]:
    """Each option's (monthly cost, cost per million tokens, feasible) as the engine prices it at
    this workload: every option, or only the models of `ids` (an option's cost and feasibility do
    not depend on which other options are compared, and a run over a few models takes a
    hundredth of the time of a run over all)."""
    settings = SETTINGS if ids is None else dataclasses.replace(SETTINGS, models=sorted({i.split("@")[0] for i in ids}))
    result = compare(catalog, wl, settings)
    return {o.id: (o.monthly_cost, o.cost_per_million_tokens, o.feasible) for o in result.all_options}


def _peak(wl) -> float:
    return wl.traffic.peak_rps(wl.requests_per_month)


def _check_against_engine(catalog, res: sw.Sweep, wl_at, indices) -> int:
    res.materialize()
    checked = 0
    # A sweep of a few options is checked against an engine run over their models only.
    ids = [s.id for s in res.series] if len(res.series) <= 10 else None
    for i in indices:
        expected = _engine_costs(catalog, wl_at(res.values[i]), ids)
        for s in res.series:
            cost, per_million, feasible = expected[s.id]
            assert _same(s.costs[i], cost), (s.id, res.values[i], s.costs[i], cost)
            assert _same(res.cost_per_million(s, i), per_million), (s.id, res.values[i])
            assert s.feasible[i] == feasible, (s.id, res.values[i])
            checked += 1
    return checked


@pytest.mark.parametrize("name", ["chatbot", "agent"])
def test_fast_path_matches_the_engine_for_every_option(catalog, name: str) -> None:
    wl = preset(name)
    spec = sw.parse_spec("requests_per_month=1e3..1e10", wl, steps=71, log=True)
    res = sw.sweep(Engine(catalog, wl, SETTINGS), spec, ["all"])
    assert res.method == "fast"
    # Every option that can run at all: one that cannot (nothing fits, shut down) has no cost.
    runnable = [o for o in compare(catalog, wl, SETTINGS).all_options if o.monthly_cost is not None]
    assert len(res.series) == len(runnable)
    assert any("cannot run at all" in n for n in res.notes)
    kinds = {s.kind for s in res.series}
    assert kinds == {"closed API", "open-weight API", "self-hosted"}
    # Low volumes (one replica), the step region, and dense replica counts at the top.
    checked = _check_against_engine(catalog, res, wl.with_requests_per_month, [0, 35, 63])
    assert checked == 3 * len(res.series)


def test_a_sweep_over_every_option_streams_its_rows(catalog) -> None:
    # Over many options no series keeps its costs: rows are computed a chunk at a time, so memory
    # is flat in the number of points; the streamed CSV equals the rows of the materialised sweep.
    wl = preset("chatbot")
    spec = sw.parse_spec("requests_per_month=1e3..1e9", wl, steps=sw.CHUNK + 7, log=True)
    # Four models' options (well over MAX_PAIRWISE, so streamed) keep the test quick.
    few = dataclasses.replace(SETTINGS, models=["gpt-oss-120b", "llama-3.3-70b", "gpt-4o", "kimi-k2"])
    res = sw.sweep(Engine(catalog, wl, few), spec, ["all"])
    assert len(res.series) > sw.MAX_PAIRWISE
    assert res.lazy and all(s.costs == [] for s in res.series)
    streamed = io.StringIO()
    res.write_csv(streamed)
    lines = streamed.getvalue().splitlines()
    assert len(lines) == 1 + (sw.CHUNK + 7) * len(res.series)
    res.materialize()
    assert not res.lazy and all(len(s.costs) == sw.CHUNK + 7 for s in res.series)
    again = io.StringIO()
    res.write_csv(again)
    assert again.getvalue() == streamed.getvalue()
    row = next(r for r in csv.DictReader(io.StringIO(streamed.getvalue())) if r["option"] == res.series[3].id)
    assert float(row["monthly_cost"]) == res.series[3].costs[0]


def test_fast_path_dense_and_sparse_agree_with_the_engine(catalog) -> None:
    # 2,000 points make most self-hosted curves take the point-by-point ("dense") branch.
    wl = preset("rag")
    # (On-prem H100: the A100 is no longer sold new, so it is not offered on-prem by default.)
    ids = ["llama-3.3-70b@aws:h100-sxm", "gpt-oss-120b@on-prem:h100-sxm", "gpt-4o@openai"]
    spec = sw.parse_spec("requests_per_month=1e6..1e10", wl, steps=2000, log=True)
    res = sw.sweep(Engine(catalog, wl, SETTINGS), spec, ids)
    assert [s.id for s in res.series] == ids
    _check_against_engine(catalog, res, wl.with_requests_per_month, [0, 999, 1500, 1999])


def test_requests_per_day_uses_the_fast_path_and_matches(catalog) -> None:
    wl = preset("chatbot")
    spec = sw.parse_spec("requests_per_day=100..1e7", wl, steps=21)
    assert spec.log  # five decades: log spacing by default
    res = sw.sweep(Engine(catalog, wl, SETTINGS), spec, ["all"])
    assert res.method == "fast"
    assert res.requests_per_month[3] == res.values[3] * DAYS_PER_MONTH

    def at(v: float):
        return apply_overrides(wl, {"traffic": {"requests_per_day": v}})

    _check_against_engine(catalog, res, at, [0, 10, 20])


def test_peak_to_average_fast_path_matches(catalog) -> None:
    wl = preset("code-assistant")
    spec = sw.parse_spec("peak_to_average=1..40", wl, steps=9, log=False)
    res = sw.sweep(Engine(catalog, wl, SETTINGS), spec, ["all"])
    assert res.method == "fast"

    def at(v: float):
        return apply_overrides(wl, {"traffic": {"peak_to_average": v}})

    _check_against_engine(catalog, res, at, [0, 4, 8])


def test_other_fields_run_the_engine_at_each_point(catalog) -> None:
    wl = preset("rag")
    ids = ["gpt-oss-120b@deepinfra", "llama-3.3-70b@aws:h100-sxm"]
    spec = sw.parse_spec("input_tokens=1000..9000", wl, steps=3)
    res = sw.sweep(Engine(catalog, wl, SETTINGS), spec, ids)
    assert res.method == "engine"
    assert any("engine ran at each" in n for n in res.notes)

    def at(v: float):
        return apply_overrides(wl, {"traffic": {"input_tokens": v}})

    _check_against_engine(catalog, res, at, [0, 1, 2])
    spec = sw.parse_spec("gpu_price_multiplier=0.5..1.5", wl, steps=3)
    res = sw.sweep(Engine(catalog, wl, SETTINGS), spec, ids)

    def at_gpu(v: float):
        return apply_overrides(wl, {"self_hosting": {"gpu_price_multiplier": v}})

    _check_against_engine(catalog, res, at_gpu, [0, 2])


def test_the_sweep_evaluates_the_engines_own_cost_curve(catalog, monkeypatch) -> None:
    # One representation: the sweep's self-hosted series is the engine's SelfCurve (the object
    # the engine priced the option with) evaluated at other volumes, so a cost rule in the curve
    # reaches both.
    from openclosed.selfhost.cost_curves import SelfCurve

    wl = preset("chatbot")
    engine = Engine(catalog, wl, SETTINGS)
    oid = "llama-3.3-70b@aws:h100-sxm"
    out, det = engine.option(oid)
    peak = _peak(wl)
    assert det.curve.cost(wl.requests_per_month, peak) == out.monthly_cost
    from openclosed.selfhost import curve_points

    seen: list[int] = []
    real = curve_points.self_costs

    def spy(curve: SelfCurve, r: list[float], p: list[float], points: object = None) -> list[float | None]:
        seen.append(len(r))
        return real(curve, r, p, points)

    monkeypatch.setattr(curve_points, "self_costs", spy)
    res = sw.sweep(engine, sw.parse_spec("requests_per_month=1e4..1e8", wl, steps=5), ["gpt-4o@openai", oid])
    assert seen == [5]
    assert [s.method for s in res.series] == ["fast", "fast"]
    _check_against_engine(catalog, res, wl.with_requests_per_month, [0, 2, 4])


def _opt(oid: str, overall: float, cost: float, quality: float, feasible: bool = True):
    """A stand-in option: what `default_picks` reads of one (its kind from the id's shape)."""
    from types import SimpleNamespace

    model, where = oid.split("@")
    self_hosted = ":" in where
    return SimpleNamespace(
        id=oid,
        model=model,
        deployment="self-hosted" if self_hosted else "api",
        open_weights=self_hosted or not model.startswith("closed"),
        feasible=feasible,
        violations=[] if feasible else ["quality: index 10 is below the floor 20"],
        scores=SimpleNamespace(overall=overall),
        monthly_cost=cost,
        quality_index=quality,
    )


def _result(recommended: str, *options):
    from types import SimpleNamespace

    return SimpleNamespace(report=SimpleNamespace(recommended=recommended, options=list(options)))


def test_a_sweep_draws_the_recommended_option_its_counterpart_and_the_remaining_kind() -> None:
    # Before: the best of each kind, whatever its model: a 1 T model on owned servers against
    # another model's API (issue 22). Now the counterpart serves the same model.
    opts = [
        _opt("big@on-prem:b200", 90, 900, 50),
        _opt("big@cloud:h100", 85, 950, 50),
        _opt("small@api-a", 89, 100, 30),
        _opt("big@api-b", 70, 300, 50),
        _opt("big@api-c", 75, 310, 50),
        _opt("closed-x@vendor", 80, 400, 60),
        _opt("closed-y@vendor", 82, 500, 55),
    ]
    got = default_picks(_result("big@on-prem:b200", *opts))
    assert [oid for oid, _ in got] == ["big@on-prem:b200", "big@api-c", "closed-y@vendor"]
    assert got[1][1] == "its counterpart: big at its best API provider"
    # An open model's API: the same model self-hosted, at its best host.
    got = default_picks(_result("big@api-c", *opts))
    assert [oid for oid, _ in got] == ["big@api-c", "big@on-prem:b200", "closed-y@vendor"]


def test_a_closed_recommendation_is_set_against_a_self_hosted_model_of_at_least_its_quality() -> None:
    opts = [
        _opt("closed-x@vendor", 90, 400, 52),
        _opt("weak@on-prem:b200", 88, 100, 40),  # better overall, but below the closed model's quality
        _opt("able@cloud:h100", 60, 900, 52),
        _opt("abler@cloud:h200", 55, 990, 58),
        _opt("weak@api-a", 70, 50, 40),
    ]
    got = default_picks(_result("closed-x@vendor", *opts))
    assert [oid for oid, _ in got] == ["closed-x@vendor", "able@cloud:h100", "weak@api-a"]
    assert "at least its quality (52)" in got[1][1]
    # No self-hosted model reaches it: the best self-hosted option, and the text says so.
    got = default_picks(_result("closed-x@vendor", *[o for o in opts if o.quality_index < 52 or "@v" in o.id]))
    why = "no self-hosted open model reaches its quality (52): the best self-hosted option"
    assert got[1] == ("weak@on-prem:b200", why)


def test_a_pick_without_a_candidate_falls_back_and_an_infeasible_one_says_why() -> None:
    opts = [
        _opt("only@cloud:h100", 90, 500, 40),
        _opt("other@api-a", 50, 10, 30, feasible=False),
    ]
    got = default_picks(_result("only@cloud:h100", *opts))
    assert got[1][0] == "other@api-a"
    assert got[1][1].startswith("no API provider serves only: the best open-weight API option; ruled out")
    assert len(got) == 2  # no closed option at all: nothing to draw


def test_default_sweep_of_the_chatbot_preset_keeps_the_model_across_the_line(catalog) -> None:
    wl = preset("chatbot")
    res = sw.sweep(Engine(catalog, wl, SETTINGS), sw.parse_spec(None, wl, steps=5))
    report = compare(catalog, wl, SETTINGS).report
    first, second = res.series[0], res.series[1]
    assert first.id == report.recommended
    assert {first.kind, second.kind} == {"open-weight API", "self-hosted"}
    assert first.id.split("@")[0] == second.id.split("@")[0]
    assert any(n.startswith("options drawn: ") for n in res.notes)


def test_crossings_are_where_the_order_flips(catalog) -> None:
    wl = preset("chatbot")
    a, b = "gpt-4o@openai", "llama-3.3-70b@aws:h100-sxm"
    spec = sw.parse_spec("requests_per_month=1e4..1e10", wl, steps=61)
    res = sw.sweep(Engine(catalog, wl, SETTINGS), spec, [a, b])
    assert res.crossings, "an API line and a GPU cluster must cross somewhere in six decades"
    for c in res.crossings:
        lo, hi = c.between
        assert lo < c.at <= hi
        # Independently: the engine's order just below and at the crossing differ.
        below = _engine_costs(catalog, wl.with_requests_per_month(c.at * (1 - 1e-6)), [a, b])
        at = _engine_costs(catalog, wl.with_requests_per_month(c.at), [a, b])
        sign_below = math.copysign(1, below[a][0] - below[b][0])
        sign_at = math.copysign(1, at[a][0] - at[b][0])
        assert sign_below != sign_at
        assert (c.cheaper_below == a) == (below[a][0] < below[b][0])


def test_many_options_report_changes_of_the_cheapest() -> None:
    s1 = sw.Series("a", "closed API", [1.0, 2.0, 3.0, 4.0], [True] * 4)
    s2 = sw.Series("b", "closed API", [2.0, 2.5, 2.9, 3.0], [True] * 4)
    others = [sw.Series(f"z{i}", "self-hosted", [9.0] * 4, [True] * 4) for i in range(12)]
    found = sw.find_crossings([1.0, 2.0, 3.0, 4.0], [s1, s2, *others])
    assert [(c.cheaper_below, c.cheaper_above, c.between) for c in found] == [("a", "b", (2.0, 3.0))]


@pytest.mark.parametrize(
    ("vary", "extra", "needle"),
    [
        ("requests_per_month=1e9..1e3", [], "START must be below STOP"),
        ("requests_per_month=1e3-1e9", [], "expected FIELD=START..STOP"),
        ("requests_per_month=abc..1e9", [], "not a number"),
        ("request_per_month=1..10", [], "did you mean 'requests_per_month'"),
        ("colour=1..10", [], "cannot vary 'colour'"),
        ("requests_per_month=0..1e9", ["--log"], "log range needs START > 0"),
        ("cached_input_share=0..2", [], "STOP 2 is not a valid cached_input_share"),
        ("peak_to_average=0.5..4", [], "START 0.5 is not a valid peak_to_average"),
        ("requests_per_month=1e3..1e9", ["--steps", "1"], "expected 2 to"),
    ],
)
def test_bad_ranges_are_one_clear_line_and_exit_2(cli, vary: str, extra: list[str], needle: str) -> None:
    r = cli("sweep", "--preset", "chatbot", "--vary", vary, *extra, "--format", "json")
    assert r.code == 2
    lines = [ln for ln in r.err.splitlines() if ln.strip()]
    assert len(lines) == 1, r.err
    assert lines[0].startswith("error: ") and needle in lines[0], lines[0]
    assert r.out == ""


def test_cli_json_has_a_row_per_point_and_option(cli, catalog) -> None:
    r = cli(
        *SWEEP_CHATBOT,
        "--log",
        "--steps",
        "7",
        "--today",
        TODAY,
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    data = r.json()
    assert data["field"] == "requests_per_month" and data["log"] is True and data["method"] == "fast"
    ids = [o["id"] for o in data["options"]]
    assert len(ids) == 3
    assert len(data["points"]) == 7 * 3
    assert [p["requests_per_month"] for p in data["points"][::3]] == pytest.approx(
        [10.0**e for e in range(3, 10)], rel=1e-12
    )
    expected = _engine_costs(catalog, preset("chatbot").with_requests_per_month(1e6), ids)
    for p in data["points"][9:12]:
        assert _same(p["monthly_cost"], expected[p["option"]][0])
        assert _same(p["cost_per_million_tokens"], expected[p["option"]][1])
        assert set(p) == {"requests_per_month", "option", "kind", "monthly_cost", "cost_per_million_tokens", "feasible"}


def test_cli_csv_and_options(cli) -> None:
    r = cli(
        "sweep",
        "--preset",
        "rag",
        "--vary",
        "requests_per_day=1k..100k",
        "--steps",
        "5",
        "--options",
        "gpt-4o@openai,llama-3.3-70b@aws:h100-sxm",
        "--format",
        "csv",
    )
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(r.out)))
    assert list(rows[0]) == [
        "requests_per_day",
        "option",
        "kind",
        "monthly_cost",
        "cost_per_million_tokens",
        "feasible",
    ]
    assert len(rows) == 10
    assert {row["option"] for row in rows} == {"gpt-4o@openai", "llama-3.3-70b@aws:h100-sxm"}
    assert float(rows[0]["requests_per_day"]) == 1000.0


def test_unknown_option_is_exit_2(cli) -> None:
    r = cli("sweep", "--preset", "chatbot", "--options", "gpt-4o@nowhere", "--format", "json", "--steps", "3")
    assert r.code == 2
    assert r.err.startswith("error: ") and "nowhere" in r.err


def test_table_fits_80_columns_with_chart_and_no_progress_off_terminal(cli, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    r = cli("sweep", "--preset", "chatbot", "--vary", "requests_per_month=1e3..1e9", "--log", "--today", TODAY)
    assert r.code == 0, r.err
    widths = [len(line) for line in r.out.splitlines()]
    assert max(widths) <= 80
    assert "Requests per month" in r.out and "$/month" in r.out
    assert "\x1b[" not in r.out  # NO_COLOR and not a terminal
    assert "━" not in r.err and "sweeping" not in r.err  # no progress bar off a terminal


def test_progress_bar_appears_on_a_terminal_only() -> None:
    from rich.console import Console

    from openclosed.cli.sweep_cmd import LazyProgress

    buf = io.StringIO()
    bar = LazyProgress("sweeping", delay=0.0, console=Console(file=buf, force_terminal=True, width=80))
    for k in range(1, 4):
        bar(k, 3)
    assert bar.bar is not None
    bar.close()
    quiet = LazyProgress("sweeping", delay=0.0, console=Console(file=io.StringIO(), force_terminal=False))
    quiet(1, 3)
    assert quiet.bar is None


def test_grid_ends_are_exact_and_log_spaced() -> None:
    wl = preset("chatbot")
    spec = sw.parse_spec("requests_per_month=1k..1B", wl, steps=13)
    values = sw.grid(spec)
    assert values[0] == 1e3 and values[-1] == 1e9
    ratios = [b / a for a, b in itertools.pairwise(values)]
    assert max(ratios) == pytest.approx(min(ratios), rel=1e-9)
    assert sw.parse_spec("cached_input_share=0..0.9", wl).log is False


def test_rows_report_their_progress_a_chunk_at_a_time(catalog) -> None:
    wl = preset("chatbot")
    spec = sw.parse_spec("requests_per_month=1e3..1e9", wl, steps=2 * sw.CHUNK + 5, log=True)
    few = dataclasses.replace(SETTINGS, models=["gpt-oss-120b", "gpt-4o"])
    res = sw.sweep(Engine(catalog, wl, few), spec, ["all"])
    told: list[tuple[int, int]] = []
    res.progress = lambda done, total: told.append((done, total))
    out = io.StringIO()
    res.write_csv(out)
    n = 2 * sw.CHUNK + 5
    assert told == [(sw.CHUNK, n), (2 * sw.CHUNK, n), (n, n)]
    assert out.getvalue().count("\n") == 1 + n * len(res.series)


def test_a_routed_workload_sweeps_the_option_compare_recommends(cli) -> None:
    import json

    args = ("examples/routed-support.yaml", "--format", "json", "--today", TODAY)
    report = json.loads(cli("compare", *args, "--samples", "0").out)
    swept = json.loads(cli("sweep", *args, "--steps", "5").out)
    # Before: the sweep's own whole-traffic run picked gpt-oss-120b@deepinfra, which the
    # troubleshooting class rules out; compare recommends the best single option for every class.
    assert swept["options"][0]["id"] == report["recommended"] == report["routing"]["single_option"]
