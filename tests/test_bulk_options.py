"""What the per-option speed-ups of `compare` rely on (issue 21): each shortcut gives what the
longer way gave, checked against an independent source where there is one."""

from __future__ import annotations

import random
from pathlib import Path

import pytest


@pytest.mark.parametrize("n", [1, 2, 3, 100, 257])
@pytest.mark.parametrize("seed", [0, 12])
def test_normal_draws_keep_the_standard_library_s_shuffled_order(n: int, seed: int) -> None:
    """normal_draws writes random.shuffle out; the order must stay the standard library's."""
    from openclosed.decide import uncertainty

    for name in ("traffic", "sizing:dense/h100-sxm", "quality:llama-3.3-70b"):
        expected = list(uncertainty._quantiles(n))
        random.Random(f"{seed}:{name}").shuffle(expected)
        assert uncertainty.normal_draws.__wrapped__(n, seed, name) == tuple(expected)


def test_equal_mixers_are_merged_and_their_layers_counted() -> None:
    """_distinct merges items with equal fields (== on the models), keeps the first one seen and
    the first-seen order, and adds the layer counts: 10 + 30 layers of one attention, 20 of another."""
    from openclosed.catalog.architecture import Mixer
    from openclosed.selfhost.sizing.groups import _distinct

    a = Mixer(kind="attention", kv_heads=8, head_dim=128)
    b = Mixer(kind="attention", kv_heads=8, head_dim=128, window=4096)
    a2 = Mixer(kind="attention", kv_heads=8, head_dim=128)
    out = _distinct([(a, 10), (b, 20), (a2, 30)])
    assert [(item, n) for item, n in out] == [(a, 40), (b, 20)]
    assert out[0][0] is a


def test_constructed_objects_share_a_complete_fields_set_that_assignment_leaves_alone() -> None:
    from openclosed.report import Scores, construct

    one = construct(Scores, cost=1.0, privacy=2.0, lock_in=3.0, quality=4.0, overall=5.0)
    two = construct(Scores, cost=6.0, privacy=7.0, lock_in=8.0, quality=9.0, overall=10.0)
    names = {"cost", "privacy", "lock_in", "quality", "overall"}
    assert one.model_fields_set == two.model_fields_set == names
    one.cost = 50.0  # pydantic's assignment adds the name to the set, which holds it already
    assert one.model_fields_set == two.model_fields_set == names
    assert (one.cost, two.cost) == (50.0, 6.0)
    copy = two.model_copy(update={"overall": 1.0})
    assert copy.overall == 1.0 and two.overall == 10.0 and copy.model_fields_set == names


def test_the_instance_plan_explain_prints_holds_the_fleet_the_option_bills(small_catalogue: Path) -> None:
    """instance_plan is worked out when asked: its instances hold every replica of the chosen
    fleet and add up to the GPUs the report bills, which the engine priced without it."""
    import datetime as dt

    from openclosed.catalog import loader
    from openclosed.engine import Engine, Settings
    from openclosed.selfhost.options import instance_plan
    from openclosed.workload.presets import preset

    cat = loader._fast_load(small_catalogue)
    result = Engine(cat, preset("chatbot"), Settings(samples=0, today=dt.date(2026, 12, 1))).run()
    checked = unfit = 0
    for o in result.report.options:
        if o.deployment != "self-hosted":
            continue
        det = result.details[o.id]
        sh = o.self_hosting
        if sh is None:
            assert instance_plan(det) == []  # nothing could be rented: no fleet to pack
            unfit += 1
            continue
        quote = det.hosting["quote"]
        plan = det.curve.plans[quote.plan]
        menu = {i.name: i for i in (plan.spot_packer if quote.spot else plan.packer).instances}
        packed = instance_plan(det)
        assert sum(menu[name].gpus * k for name, k in packed.items()) == sh.billed_gpus, o.id
        assert sum(menu[name].holds * k for name, k in packed.items()) >= sh.replicas, o.id
        checked += 1
    assert checked >= 10 and unfit >= 1


def test_a_price_date_is_parsed_once_and_a_bad_one_is_none() -> None:
    from openclosed.staleness import price_date

    class Priced:
        unit_prices = None

        def __init__(self, as_of: str) -> None:
            self.self_hosting = type("Sh", (), {"price_as_of": as_of})()

    first, second = price_date(Priced("2026-03-01")), price_date(Priced("2026-03-01T00:00"))
    assert first == second == __import__("datetime").date(2026, 3, 1)
    assert first is second  # one parse per distinct date
    assert price_date(Priced("2026-13-01")) is None


@pytest.mark.parametrize("name", ["chatbot", "batch"])
def test_the_loose_bound_prunes_without_changing_who_comes_first(catalog, name: str) -> None:
    """Frame.evaluate orders the options by a bound without the GPU cost and works out the floor
    with it only where that bound does not rule an option out: the best other option's score in
    every scenario is the one found by scoring every feasible option, and the loose floor is never
    above the floor."""
    import datetime as dt
    import math

    from openclosed.decide.scenario_costs import Costs
    from openclosed.decide.scenarios import Frame
    from openclosed.engine import Engine, Settings
    from openclosed.workload.presets import preset

    eng = Engine(catalog, preset(name), Settings(samples=0, today=dt.date(2026, 12, 1)))
    r = eng.run()
    f = Frame(eng.ctx, r.all_options, r.details)
    sc = f.draw(24, 3)
    ref = f.index[r.report.recommended]
    out = f.evaluate(sc, r.report.recommended)
    full = f.costs(sc)
    feas = [i for i, e in enumerate(f.entries) if e.option.feasible and full[i] is not None]
    cheapest = [min(full[i][s] for i in feas) for s in range(sc.n)]
    big = math.inf if eng.wl.budget.max_monthly_cost is None else eng.wl.budget.max_monthly_cost
    for s in range(sc.n):
        keys = [
            (full[i][s] > big, -f._overall(i, full[i][s], cheapest[s], sc, s), full[i][s], f.entries[i].option.id)
            for i in feas
            if i != ref
        ]
        assert out.other_overall[s] == -min(keys)[1]
    bounds = Costs(f, sc, exact=False)
    selfs = [i for i in feas if f.entries[i].kind == "self"]
    assert all(bounds.quick_floor(i) <= bounds.floor(i) for i in selfs)
    assert len(out.costs._floors) < len(selfs) / 10  # most fleets were never bounded by their GPUs
