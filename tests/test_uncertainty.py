"""How sure the answer is: sampled ranges, confidence, and sensitivity (hand-computed cases)."""

from __future__ import annotations

import datetime as dt
import math
from statistics import NormalDist
from types import SimpleNamespace

import pytest

from openclosed.analyses.sensitivity import Input, find_flip
from openclosed.decide import confidence
from openclosed.decide import uncertainty as u
from openclosed.decide.scenarios import Frame, Scenarios
from openclosed.report import OptionOut, Scores, UnitPricesOut, construct
from openclosed.selfhost.cost_curves import Fleet, Plan, SelfCurve
from openclosed.selfhost.packing import Instance
from openclosed.workload.model import SECONDS_PER_MONTH, Workload

TODAY = dt.date(2026, 11, 24)
COST_ONLY = {"cost": 1.0, "privacy": 0.0, "lock_in": 0.0, "quality": 0.0}
BALANCED = {"cost": 0.40, "privacy": 0.20, "lock_in": 0.10, "quality": 0.30}


# ------------------------------------------------------------------ synthetic options
def _ctx(weights: dict[str, float], samples: int = 100, rpm: float = 1e6, **traffic: float) -> SimpleNamespace:
    wl = Workload.model_validate(
        {"traffic": {"requests_per_month": rpm, "input_tokens": 1000, "output_tokens": 100, **traffic}}
    )
    st = SimpleNamespace(stale_days=90, samples=samples, seed=12)
    return SimpleNamespace(weights=weights, best_quality=100.0, expiring=set(), today=TODAY, st=st, wl=wl)


def _unit_prices(as_of: dt.date) -> UnitPricesOut:
    return UnitPricesOut.model_construct(source="s", as_of=as_of.isoformat())


def _option(oid: str, cost: float, deployment: str = "api", as_of: dt.date = TODAY, quality: float = 50.0):
    model, _, provider = oid.partition("@")
    o = OptionOut.model_construct(
        id=oid,
        model=model,
        provider=provider.split(":")[0],
        deployment=deployment,
        monthly_cost=cost,
        monthly_cost_low=None,
        monthly_cost_high=None,
        quality_index=quality,
        feasible=True,
        unit_prices=_unit_prices(as_of) if deployment == "api" else None,
        self_hosting=None,
        scores=construct(Scores, cost=0.0, privacy=80.0, lock_in=20.0, quality=quality, overall=0.0),
    )
    model_obj = SimpleNamespace(quality=SimpleNamespace(index=quality, estimated=False, error=None), architecture=None)
    return o, SimpleNamespace(model=model_obj, curve=None, hosting={})


def _self_option(oid: str, curve: SelfCurve, rpm: float, peak: float):
    o, det = _option(oid, curve.cost(rpm, peak), deployment="self-hosted")
    o.__dict__["self_hosting"] = SimpleNamespace(gpu="h100-sxm", price_as_of=TODAY.isoformat())
    det.curve, det.hosting = curve, {"peak_rps": peak}
    return o, det


def _frame(ctx, pairs):
    options = [o for o, _ in pairs]
    return Frame(ctx, options, {o.id: d for o, d in pairs}), options


# The workload defaults: 2 interactive replicas at least, operations 0.25 engineer + 0.02 per
# 8-GPU node at $15,000 a month, setup 1 engineer-month over 12 months = $1,250 a month.
FLEET = Fleet(min_replicas=2, engineer_cost=15_000.0, ops_base=0.25, ops_per_node=0.02, node_gpus=8, setup=1250.0)


def _curve(cap: float = 10.0, hourly: float = 2.0) -> SelfCurve:
    # One GPU per replica (one-GPU machines), $2 an hour: $1,460 a replica-month (730 h).
    plan = Plan(cap, (Instance(1, 1, hourly, "g1"),), True, 1)
    return SelfCurve([plan], FLEET)


# ------------------------------------------------------------------ pieces
def test_percentiles_of_a_known_distribution() -> None:
    assert u.percentile([float(x) for x in range(1, 12)], 0.1) == 2.0
    assert u.percentile([float(x) for x in range(11, 0, -1)], 0.9) == 10.0
    assert u.percentile([0.0, 10.0], 0.25) == 2.5
    assert u.percentile([7.0], 0.9) == 7.0


def test_draws_are_seeded_stratified_and_independent_per_input() -> None:
    a = u.normal_draws(100, 12, "traffic")
    u.normal_draws.cache_clear()
    assert u.normal_draws(100, 12, "traffic") == a
    nd = NormalDist()
    assert sorted(a) == [nd.inv_cdf((k + 0.5) / 100) for k in range(100)]
    assert u.normal_draws(100, 12, "peak") != a
    assert u.normal_draws(100, 13, "traffic") != a


def test_price_drift_grows_with_the_square_root_of_age() -> None:
    assert u.drift_sigma(90, 90) == 0.0
    assert u.drift_sigma(1461, 90) == pytest.approx(1.0)  # 4 years: 0.5 × √4
    assert u.drift_sigma(365, 400) == 0.0  # not stale under a longer limit


def test_sizing_sigmas_are_the_held_out_calibration_rms(catalog) -> None:
    from openclosed.selfhost import calibration

    fit, held = calibration.split(calibration.run(catalog))
    sigmas, pooled = u.derive_sizing_sigmas(
        [(c.family, c.log_error) for c in held], [(c.family, c.log_error) for c in fit]
    )
    assert {g: round(v, 3) for g, v in sigmas.items()} == u.SIZING_SIGMA
    assert round(pooled, 3) == u.SIZING_SIGMA_POOLED == u.SIZING_SIGMA_UNCALIBRATED
    # A family the held-out rows show to be poorly known gets a wider spread than a well-known one.
    assert u.sizing_sigma(("mla", "hopper")) > u.sizing_sigma(("moe", "hopper"))


def test_a_family_the_held_out_rows_barely_see_is_as_wide_as_its_fitted_rows_miss() -> None:
    # Held out: family A has 4 rows (its own RMS, 0.1), B has 1 (0.05), C none; pooled RMS of the
    # 5 held-out rows = sqrt((4 × 0.01 + 0.0025) / 5) = sqrt(0.0085) = 0.0922.
    held = [(("a", "x"), 0.1), (("a", "x"), -0.1), (("a", "x"), 0.1), (("a", "x"), -0.1), (("b", "x"), 0.05)]
    # Fitted: A misses by 0.5 (ignored: A has enough held-out rows), B by 0.3, C by 0.6, D by 0.01,
    # and E by 0.9 on only 3 rows (too few to count).
    fitted = [
        (g, e) for g, e, n in ((("a", "x"), 0.5, 4), (("b", "x"), 0.3, 4), (("c", "x"), -0.6, 4)) for _ in range(n)
    ]
    fitted += [(("d", "x"), 0.01)] * 4 + [(("e", "x"), 0.9)] * 3
    sigmas, pooled = u.derive_sizing_sigmas(held, fitted)
    assert pooled == pytest.approx(math.sqrt(0.0085))
    assert sigmas[("a", "x")] == pytest.approx(0.1)  # its own held-out figure
    assert sigmas[("b", "x")] == pytest.approx(0.3)  # max(0.05, pooled 0.092, fitted 0.3)
    assert sigmas[("c", "x")] == pytest.approx(0.6)  # no held-out row, a fit that misses by 0.6
    assert ("d", "x") not in sigmas and ("e", "x") not in sigmas  # the pooled figure applies
    # Without fitted rows the rule is the held-out one alone.
    alone, _ = u.derive_sizing_sigmas(held)
    assert alone == {("a", "x"): pytest.approx(0.1), ("b", "x"): pytest.approx(math.sqrt(0.0085))}


def test_every_self_hosted_option_maps_to_one_sizing_family(catalog) -> None:
    model = catalog.model("llama-3.3-70b")
    assert u.sizing_group(model.architecture, "h200") == ("dense", "hopper")
    assert u.sizing_group(catalog.model("deepseek-v3.2").architecture, "b200") == ("sparse", "blackwell")
    assert u.sizing_group(catalog.model("qwen3-next-80b-a3b").architecture, "mi300x") == ("hybrid", "cdna3")
    assert u.sizing_group(None, "l4") == ("dense", "ada")


def test_a_poorly_known_family_gets_a_wider_cost_range(catalog) -> None:
    # Two self-hosted options with the same cost curve on H100 (0.2 requests/s a replica, so the
    # replicas scale with the load): a MoE model (MoE × Hopper, held-out RMS log error 0.129) and a
    # dense model (dense × Hopper, 0.301, whose held-out Qwen3-32B bursts miss by far more;
    # u.SIZING_SIGMA has both). The dense option's P10-P90 range is wider.
    assert u.SIZING_SIGMA[("dense", "hopper")] > 2 * u.SIZING_SIGMA[("moe", "hopper")]
    ctx = _ctx(COST_ONLY, rpm=5e6)
    peak = ctx.wl.traffic.peak_rps(ctx.wl.requests_per_month)
    dense = _self_option("llama-3.3-70b@c:h100-sxm", _curve(cap=0.2), 5e6, peak)
    moe = _self_option("qwen3-235b-a22b@c:h100-sxm", _curve(cap=0.2), 5e6, peak)
    dense[1].model.architecture = catalog.model("llama-3.3-70b").architecture
    moe[1].model.architecture = catalog.model("qwen3-235b-a22b").architecture
    pairs = [dense, moe]
    _, options = _frame(ctx, pairs)
    confidence.assess(ctx, options, {o.id: d for o, d in pairs}, options[0].id)
    width = {o.id: o.monthly_cost_high - o.monthly_cost_low for o in options}
    assert width["llama-3.3-70b@c:h100-sxm"] > width["qwen3-235b-a22b@c:h100-sxm"] > 0


def test_scaled_self_hosted_cost_by_hand() -> None:
    curve = _curve()
    # 25 requests/s over 10 per replica: 3 replicas × $2 × 730 h = $4,380 of GPU; 3 GPUs are one
    # node: operations (0.25 + 0.02) × $15,000 = $4,050; + $1,250 setup = $9,680.
    assert curve.cost(0.0, 25.0) == 9680.0
    assert curve.cost_scaled(0.0, 25.0) == 9680.0
    assert curve.cost_scaled(0.0, 25.0, cap_factor=0.5) == 12600.0  # 5 replicas: $7,300 + $5,300
    assert curve.cost_scaled(0.0, 25.0, gpu_factor=2.0) == 14060.0  # $8,760 + $5,300
    assert curve.cost_scaled(0.0, 25.0, fixed_factor=0.5) == 7030.0  # $4,380 + $2,650
    # A quarter of the capacity: 10 replicas, 10 GPUs on 2 nodes: $14,600 + (0.25 + 0.04) × $15,000
    # = $4,350 of operations + $1,250 setup.
    assert curve.cost_scaled(0.0, 25.0, cap_factor=0.25) == 20200.0
    # 1 request/s still keeps the 2 replicas kept for availability: $2,920 + $4,050 + $1,250.
    assert curve.cost(0.0, 1.0) == 8220.0
    # (GPU, operations) per point: 2, 2, 2, 2, 4 and 9 replicas (9 GPUs: a second node).
    peaks = [1.0, 9.9, 10.0, 10.5, 31.0, 81.0]
    gpu, ops = curve.split_costs([0.0] * len(peaks), peaks)
    assert gpu == [2920.0, 2920.0, 2920.0, 2920.0, 5840.0, 13140.0]
    assert ops == [4050.0] * 5 + [4350.0]


# ------------------------------------------------------------------ sampling
def test_clear_cut_confidence_is_one_and_ranges_follow_the_traffic_spread() -> None:
    ctx = _ctx(BALANCED)
    pairs = [_option("a@p1", 100.0), _option("b@p2", 1000.0)]
    _, options = _frame(ctx, pairs)
    a = confidence.assess(ctx, options, {o.id: d for o, d in pairs}, "a@p1")
    assert a is not None and a.confidence == 1.0 and a.contender is None
    # Prices are fresh, so only the traffic factor moves an API option: exp(0.2 z) with z at
    # the Latin-hypercube quantiles (k + ½)/100; P10 interpolates between the 10th and 11th.
    assert options[0].monthly_cost_low == round(100.0 * _p10(0.2), 6)
    assert options[0].monthly_cost_high == round(100.0 * _p90(0.2), 6)
    assert options[1].monthly_cost_low == round(1000.0 * _p10(0.2), 6)


def _p10(sd: float) -> float:
    # 100 samples: P10 sits at rank 9.9 (0-based), between the quantiles 0.095 and 0.105.
    nd = NormalDist()
    a, b = math.exp(sd * nd.inv_cdf(0.095)), math.exp(sd * nd.inv_cdf(0.105))
    return a + 0.9 * (b - a)


def _p90(sd: float) -> float:
    nd = NormalDist()  # rank 89.1: between the quantiles 0.895 and 0.905
    a, b = math.exp(sd * nd.inv_cdf(0.895)), math.exp(sd * nd.inv_cdf(0.905))
    return a + 0.1 * (b - a)


def test_traffic_uncertainty_from_the_workload() -> None:
    ctx = _ctx(BALANCED, uncertainty=0.5)
    pairs = [_option("a@p1", 100.0)]
    _, options = _frame(ctx, pairs)
    confidence.assess(ctx, options, {o.id: d for o, d in pairs}, "a@p1")
    assert options[0].monthly_cost_low == round(100.0 * _p10(0.5), 6)


def test_near_tie_is_a_close_call_and_reproducible() -> None:
    old = TODAY - dt.timedelta(days=400)  # stale prices at two providers drift independently
    ctx = _ctx(COST_ONLY)
    pairs = [_option("m@p1", 100.0, as_of=old), _option("m@p2", 100.0, as_of=old)]
    details = {o.id: d for o, d in pairs}
    first = confidence.assess(ctx, [o for o, _ in pairs], details, "m@p1")
    again = confidence.assess(ctx, [o for o, _ in pairs], details, "m@p1")
    assert first == again
    assert first is not None and first.confidence is not None
    assert 0.3 < first.confidence < 0.6
    assert first.contender == "m@p2" and first.contender_share == pytest.approx(1 - first.confidence)
    text = confidence.close_call_text(first)
    assert text is not None and text.startswith("A close call") and "m@p2" in text
    assert first.model_share == 1.0 and "(the same model, at any host, in 100%)" in text  # hosts differ, not models


def test_no_sampling_when_samples_is_zero() -> None:
    ctx = _ctx(BALANCED, samples=0)
    pairs = [_option("a@p1", 100.0)]
    assert confidence.assess(ctx, [pairs[0][0]], {"a@p1": pairs[0][1]}, "a@p1") is None
    assert pairs[0][0].monthly_cost_low is None


def test_base_scenario_reproduces_the_engine(catalog) -> None:
    from openclosed.engine import Engine, Settings
    from openclosed.workload.presets import preset

    eng = Engine(catalog, preset("chatbot"), Settings(samples=0, models=["llama-3.3-70b", "gpt-oss-120b"]))
    r = eng.run()
    f = Frame(eng.ctx, r.all_options, r.details)
    out = f.evaluate(Scenarios(1), r.report.recommended, exact=True)
    assert f.entries[out.winners[0]].option.id == r.report.recommended
    for e, cs in zip(f.entries, f.costs(Scenarios(1), exact=True), strict=True):
        assert cs is None or cs[0] == e.option.monthly_cost
    sc = f.draw(40, 5)
    sc.gpu_price, sc.engineer = [1.3] * 40, [0.7] * 40
    for x, y in zip(f.costs(sc, exact=True), f.costs(sc, exact=False), strict=True):
        assert x is None or all(abs(p - q) <= 1e-6 * max(1.0, p) for p, q in zip(x, y, strict=True))


def test_engine_reports_ranges_and_confidence(catalog) -> None:
    from openclosed.analyses.compare import compare
    from openclosed.engine import Settings
    from openclosed.workload.presets import preset

    settings = Settings(models=["llama-3.3-70b", "gpt-oss-120b"], today=TODAY)
    r1 = compare(catalog, preset("rag"), settings).report
    r2 = compare(catalog, preset("rag"), settings).report
    assert r1.recommendation_confidence == r2.recommendation_confidence
    assert 0.0 < r1.recommendation_confidence <= 1.0
    for o in r1.options:
        if o.monthly_cost is None:  # cannot run (e.g. no instance holds a replica): no range either
            assert o.monthly_cost_low is None and o.monthly_cost_high is None and not o.feasible
            continue
        assert o.monthly_cost_low is not None and o.monthly_cost_low <= o.monthly_cost_high
        if o.deployment == "api":  # the median of a lognormal factor is 1
            assert o.monthly_cost_low <= o.monthly_cost <= o.monthly_cost_high
    assert [o.monthly_cost_low for o in r1.options] == [o.monthly_cost_low for o in r2.options]


def test_scenarios_score_cost_with_the_engines_materiality() -> None:
    # a: $100, quality 50; b: $400, quality 60; the same privacy (80) and lock-in (20): 24 points.
    # Every dollar counting: b's cost score is 100 − 50 × log10(4) = 69.90, overall
    # 24 + 0.4 × 69.90 + 0.3 × 60 = 69.96 against a's 24 + 40 + 15 = 79: a first.
    # With the engine's materiality of $1,500 (a tenth of an engineer, no budget) the $300 carries
    # 300 / 1,800 of that penalty: b scores 94.98 on cost, 79.99 overall: b first, as the engine says.
    ctx = _ctx(BALANCED)
    pairs = [_option("a@p1", 100.0), _option("b@p2", 400.0, quality=60.0)]
    frame, _ = _frame(ctx, pairs)
    out = frame.evaluate(Scenarios(1), "a@p1")
    assert frame.entries[out.winners[0]].option.id == "a@p1" and out.rec_overall == [79.0]
    ctx.materiality = 1500.0
    frame, _ = _frame(ctx, pairs)
    out = frame.evaluate(Scenarios(1), "a@p1")
    assert frame.entries[out.winners[0]].option.id == "b@p2" and out.other_overall == [80.0]
    # The engineer-cost what-if at a tenth moves the materiality with it ($150): the $300 carries
    # 2/3 of the penalty, b scores 79.93 on cost and 73.97 overall: a first again.
    out = frame.evaluate(Scenarios(1, engineer=[0.1]), "a@p1")
    assert frame.entries[out.winners[0]].option.id == "a@p1" and out.other_overall == [74.0]


# ------------------------------------------------------------------ sensitivity
def test_flip_volume_of_an_api_against_self_hosting_by_hand() -> None:
    # API at $0.001 a request; self-hosting two replicas (the minimum) of 10 requests/s at $2 an
    # hour: $2,920 of GPU + $4,050 operations (2 GPUs, one node) + $1,250 setup = $8,220 a month
    # until the peak passes 20/s. Cost alone decides, so self-hosting comes first from 8,220,000
    # requests a month (peak there: 8.22e6 / 2,628,000 s × 2 = 6.3/s, still two replicas).
    rpm = 1e6
    ctx = _ctx(COST_ONLY, rpm=rpm, peak_to_average=2.0)
    peak = rpm / SECONDS_PER_MONTH * 2.0
    pairs = [_option("m@api", 0.001 * rpm), _self_option("m@cloud:h100-sxm", _curve(), rpm, peak)]
    frame, options = _frame(ctx, pairs)
    assert options[1].monthly_cost == 8220.0

    def outcome(inp: Input, values: list[float]):
        out = frame.evaluate(inp.build(values), "m@api")
        return [frame.entries[w].option.id for w in out.winners], [0.0] * len(values)

    volume = Input(
        "requests_per_month",
        "",
        rpm,
        rpm / 2,
        rpm * 2,
        (rpm / 1000, rpm * 1000),
        True,
        lambda vs: Scenarios(len(vs), traffic=[v / rpm for v in vs]),
    )
    assert find_flip(outcome, "m@api", volume) == 8_220_000.0
    gpu = Input(
        "gpu_price_multiplier",
        "",
        1.0,
        0.5,
        2.0,
        (0.1, 10.0),
        True,
        lambda vs: Scenarios(len(vs), gpu_price=list(vs)),
    )
    assert find_flip(outcome, "m@api", gpu) is None  # $5,300 fixed alone is above $1,000


def test_sensitivity_formats(cli, catalog, tmp_path) -> None:
    from openclosed.analyses.sensitivity import sensitivity
    from openclosed.engine import Engine, Settings
    from openclosed.render import RENDERERS
    from openclosed.render.tornado import sensitivity_view, tornado_text
    from openclosed.workload.presets import preset

    only = ["gpt-oss-120b", "llama-3.3-70b"]
    clouds = ["deepinfra", "together", "gcp"]
    settings = Settings(samples=0, models=only, providers=clouds, today=TODAY)
    result = sensitivity(Engine(catalog, preset("rag"), settings))
    data = result.to_json()
    assert list(data) == ["schema_version", "recommended", "inputs"]
    assert data["schema_version"] == 1 and data["recommended"]
    names = [i["name"] for i in data["inputs"]]
    assert {"requests_per_month", "tokens_per_request", "gpu_price_multiplier", "engineer_cost_per_month"} <= set(names)
    for i in data["inputs"]:
        assert list(i) == ["name", "low", "high", "recommended_at_low", "recommended_at_high", "flips_at"]
        assert i["low"] <= i["high"]
    influence = [s.influence for s in result.inputs]
    assert influence == sorted(influence, reverse=True)
    view = sensitivity_view(result)
    csv = RENDERERS["csv"](view)
    assert csv.splitlines()[0].startswith("rank,name,label,base,low,high,recommended_at_low")
    assert len(csv.splitlines()) == len(names) + 1
    assert "| input |" in RENDERERS["markdown"](view)
    assert "<table" in RENDERERS["html"](view)
    assert "flips at" in RENDERERS["table"](view, width=100)
    text = tornado_text(result, 80)
    assert text.startswith("Lead of ") and all(len(line) <= 80 for line in text.splitlines())
    # The command itself: JSON on stdout, and a bad chart name is exit 2 before any work.
    r = cli(
        "sensitivity",
        "--preset",
        "rag",
        "--models",
        ",".join(only),
        "--providers",
        ",".join(clouds),
        "--today",
        "2026-11-24",
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    assert r.json() == data
    bad = cli("sensitivity", "--chart", str(tmp_path / "x.gif"))
    assert bad.code == 2 and "png" in bad.err


@pytest.mark.xdist_group("matplotlib")  # one worker draws (test_chart.py)
def test_tornado_chart_png_and_svg(catalog, tmp_path) -> None:
    pytest.importorskip("matplotlib")
    import xml.etree.ElementTree as ET

    from openclosed.analyses.sensitivity import sensitivity
    from openclosed.engine import Engine, Settings
    from openclosed.render.tornado import tornado_chart
    from openclosed.workload.presets import preset

    settings = Settings(samples=0, models=["gpt-oss-120b"], providers=["deepinfra", "gcp"], today=TODAY)
    # A measured mean of no hidden tokens (traffic.reasoning_tokens, issue 22): at its default
    # 1,970 hidden tokens gpt-oss-120b meets the rag preset's first visible token nowhere here.
    rag = preset("rag")
    rag = rag.model_copy(update={"traffic": rag.traffic.model_copy(update={"reasoning_tokens": 0.0})})
    result = sensitivity(Engine(catalog, rag, settings))
    tornado_chart(result, tmp_path / "t.png")
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    tornado_chart(result, tmp_path / "t.svg")
    ET.parse(tmp_path / "t.svg")
    # The chart draws the inputs that move the lead (here the engineer cost alone, then the next
    # two: at least three), not those that move nothing (requests_per_month here).
    svg = (tmp_path / "t.svg").read_text()
    assert "engineer_cost_per_month" in svg and "requests_per_month" not in svg


def test_chart_without_matplotlib_is_exit_2(cli, tmp_path, monkeypatch) -> None:
    import builtins

    real = builtins.__import__

    def no_mpl(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_mpl)
    r = cli(
        "sensitivity",
        "--preset",
        "rag",
        "--models",
        "gpt-oss-120b",
        "--providers",
        "deepinfra,gcp",
        "--chart",
        str(tmp_path / "t.png"),
        "--format",
        "json",
    )
    assert r.code == 2 and "openclosed[plot]" in r.err
    assert not (tmp_path / "t.png").exists()


def test_sensitivity_with_nothing_feasible_is_empty(catalog) -> None:
    from openclosed.analyses.sensitivity import sensitivity
    from openclosed.engine import Engine, Settings
    from openclosed.workload.model import apply_overrides
    from openclosed.workload.presets import preset

    wl = apply_overrides(preset("rag"), {"quality": {"min_score": 100}})
    result = sensitivity(Engine(catalog, wl, Settings(samples=0, models=["gpt-oss-120b"], today=TODAY)))
    assert result.to_json() == {"schema_version": 1, "recommended": None, "inputs": []}


# ------------------------------------------------------------------ pricing only what can matter
def _brute_force_winners(f: Frame, sc: Scenarios, ref: str | None, budget: float | None) -> list[int | None]:
    """Every option priced in every scenario, every feasible one scored: the first by
    (over budget, -overall, cost, id), as the engine ranks."""
    costs = f.costs(sc)
    feas = [i for i, e in enumerate(f.entries) if e.option.feasible and costs[i] is not None]
    positive = [costs[i] for i in feas if min(costs[i]) > 0]
    assert len(positive) == len(feas)  # no free option in these catalogues
    cheapest = [min(col) for col in zip(*positive, strict=True)]
    big = math.inf if budget is None else budget
    winners: list[int | None] = []
    for s in range(sc.n):
        keys = [
            (costs[i][s] > big, -f._overall(i, costs[i][s], cheapest[s], sc, s), costs[i][s], f.entries[i].option.id, i)
            for i in feas
        ]
        winners.append(min(keys)[4] if keys else None)
    return winners


def _framed(catalog, name: str):
    """A preset's engine, its unsampled result, and a frame of every option."""
    from openclosed.engine import Engine, Settings
    from openclosed.workload.presets import preset

    eng = Engine(catalog, preset(name), Settings(samples=0, today=TODAY))
    r = eng.run()
    return eng, r, Frame(eng.ctx, r.all_options, r.details)


@pytest.mark.parametrize("name", ["chatbot", "agent", "batch"])
def test_pruned_scenarios_find_the_same_winners_as_pricing_everything(catalog, name: str) -> None:
    eng, r, f = _framed(catalog, name)
    sc = f.draw(24, 3)
    out = f.evaluate(sc, r.report.recommended)
    assert out.winners == _brute_force_winners(f, sc, r.report.recommended, eng.wl.budget.max_monthly_cost)
    # Most self-hosted options were bounded, not priced scenario by scenario.
    from openclosed.decide.scenario_costs import _UNSET

    priced = sum(1 for i in range(len(f.entries)) if out.costs._done[i] is not _UNSET)
    assert priced < len(f.entries) / 2


@pytest.mark.parametrize("name", ["chatbot", "code-assistant", "batch"])
def test_every_floor_is_at_most_the_cheapest_scenario(catalog, name: str) -> None:
    from openclosed.decide.scenario_costs import Costs

    _, _, f = _framed(catalog, name)
    sc = f.draw(30, 9)
    sc.gpu_price, sc.engineer = [0.8 + 0.02 * k for k in range(30)], [1.2 - 0.01 * k for k in range(30)]
    floors, full = Costs(f, sc, exact=True), f.costs(sc, exact=True)
    checked = 0
    for i, cs in enumerate(full):
        if cs is not None and f.entries[i].kind == "self":
            assert floors.floor(i) <= min(cs), f.entries[i].option.id
            checked += 1
    assert checked > 500


def test_lazy_ranges_are_the_ranges_computed_for_every_option(catalog) -> None:
    from openclosed.analyses.compare import compare
    from openclosed.engine import Settings
    from openclosed.workload.presets import preset

    eager_result = compare(catalog, preset("code-assistant"), Settings(today=TODAY, samples=30))
    eager = eager_result.report.options
    result = compare(catalog, preset("code-assistant"), Settings(today=TODAY, samples=30, lazy_ranges=True))
    lazy = result.report.options
    assert all(o.monthly_cost_low is None and o.monthly_cost_high is None for o in lazy)
    some = lazy[::7]
    result.fill_ranges(some)
    by_id = {o.id: o for o in eager}
    filled = 0
    for o in some:
        assert (o.monthly_cost_low, o.monthly_cost_high) == (
            by_id[o.id].monthly_cost_low,
            by_id[o.id].monthly_cost_high,
        )
        filled += o.monthly_cost_low is not None
    assert filled > 100
    assert result.report.recommendation_confidence == eager_result.report.recommendation_confidence
