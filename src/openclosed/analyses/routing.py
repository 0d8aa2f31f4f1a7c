"""Routing: each traffic class on the option recommended for it, against one option for everything.

A workload with `traffic.classes` is compared three ways:

* the whole traffic, every option priced for the classes' mix (`classes.blend`): the usual
  `options` list, so that consumers of the report keep working;
* each class as a workload of its own (`classes.resolve_class`): the engine's usual
  recommendation for that class alone; the routed total is what those picks cost together;
* the best single option that serves every class: an option feasible for every class, costed
  as the sum of its per-class costs, scored and chosen by the engine's usual rules.

Self-hosted classes on the same option share its replicas (`fleet`): one fleet sized for the
classes' combined peak instead of one per class, its cost split by each class's share of the
load. The same holds for a single self-hosted option serving every class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..decide.recommend import by_overall, score
from ..engine import Engine
from ..report import RoutedClass, Routing, SharedFleet
from ..selfhost.cost_curves import Plan, SelfCurve
from ..units import money
from ..workload.classes import blend, blend_notes
from .class_runs import ClassRun, run_classes

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..evaluation import Result, Settings
    from ..workload.model import Workload


@dataclass
class Fleet:
    """One self-hosted fleet serving several classes."""

    option: str
    classes: list[str]
    precision: str
    gpus: int
    replicas: int
    monthly_cost: float
    parts: list[float]  # each class's share of monthly_cost, by its share of the load
    separate: float  # the same classes each on a fleet of its own


def fleet(option_id: str, runs: list[ClassRun]) -> Fleet | None:
    """One fleet of a self-hosted option for several classes; None when no plan serves them all.

    Approximation: a request of class k takes 1/cap_k of a replica's time, cap_k being what a
    replica serves per second at the utilisation cap when it serves class k alone; a replica
    serving the mix then serves rpm / Σ(rpm_k / cap_k) requests per second (the blended
    capacity). The replica is the largest GPU count any class needs at that precision, and the
    latency of each class is its own request's on that replica: how long prompts of one class
    slow the other in a shared batch is not modelled. The classes peak together (they share the
    workload's peak-to-average), so the combined peak is the sum of their peaks."""
    outs = [r.by_id.get(option_id) for r in runs]
    dets = [r.details.get(option_id) for r in runs]
    if any(o is None or o.deployment != "self-hosted" or o.monthly_cost is None for o in outs):
        return None  # not self-hosted, or it cannot run for some class (no cost)
    if any(d is None for d in dets):
        return None
    curves = [d.curve for d in dets]  # type: ignore[union-attr]
    if any(c is None or not c.plans for c in curves):
        return None
    model = dets[0].model  # type: ignore[union-attr]
    gpu_id = option_id.rsplit(":", 1)[1]
    rpm = sum(r.rpm for r in runs)
    plans: list[Plan] = []
    caps_of: list[list[float]] = []
    for precision in [p.precision for p in curves[0].plans]:
        mine = [next((p for p in c.plans if p.precision == precision), None) for c in curves]
        if any(m is None for m in mine):
            continue
        gpus = max(m.gpus for m in mine)  # type: ignore[union-attr]
        base = next(m for m in mine if m is not None and m.gpus == gpus)
        caps, oks = [], []
        for run, m in zip(runs, mine, strict=True):
            assert m is not None
            if m.gpus == gpus:
                caps.append(m.cap)
                oks.append(m.ok)
                continue
            s = run.engine.sizing(model, gpu_id, precision, gpus)
            if not s.fits or s.requests_per_s <= 0:
                break
            max_ttft = run.workload.latency.max_ttft_ms
            caps.append(s.requests_per_s * run.workload.self_hosting.utilisation_cap)
            oks.append(s.meets_tpot and (max_ttft is None or s.ttft_ms <= max_ttft))
        else:
            work = sum(r.rpm / c for r, c in zip(runs, caps, strict=True))
            cap = rpm / work
            spot = base.spot_packer.instances if base.has_spot else None
            plans.append(Plan(cap, base.instances, all(oks), gpus, precision, None, cap * base.full / base.cap, spot))
            caps_of.append(caps)
    if not plans:
        return None
    curve = SelfCurve(plans, curves[0].fleet)
    peak = sum(r.peak for r in runs)
    chosen = curve.choose(rpm, peak)
    if chosen is None or not plans[chosen[0]].ok:
        return None  # one shared replica would miss a class's latency target
    i, replicas = chosen
    cost = curve.cost(rpm, peak)
    loads = [r.rpm / c for r, c in zip(runs, caps_of[i], strict=True)]
    parts = [round(cost * load / sum(loads), 6) for load in loads]
    separate = round(sum(o.monthly_cost for o in outs if o is not None), 6)
    return Fleet(option_id, [r.name for r in runs], plans[i].precision, plans[i].gpus, replicas, cost, parts, separate)


def single_cost(option_id: str, runs: list[ClassRun]) -> float:
    """One option for every class: the sum of its per-class costs; a self-hosted option as one
    fleet when that is cheaper than a fleet per class."""
    separate = round(sum(r.by_id[option_id].monthly_cost for r in runs), 6)
    f = fleet(option_id, runs) if len(runs) > 1 else None
    return min(separate, f.monthly_cost) if f is not None else separate


def route(engine: Engine, result: Result, workload: Workload) -> Routing:
    """The routed plan of a workload with traffic classes (`engine`, `result`: the whole traffic)."""
    return _route(engine, result, run_classes(engine, workload), workload)[0]


def _route(
    engine: Engine, result: Result, runs: list[ClassRun], workload: Workload
) -> tuple[Routing, dict[str, float]]:
    """The routed plan, and the options that serve every class with their single-option cost."""
    notes = blend_notes(workload, engine.wl)
    picks = [r.pick for r in runs]
    costs: list[float | None] = [r.by_id[p].monthly_cost if p else None for r, p in zip(runs, picks, strict=True)]
    alone = list(costs)
    shared_with: list[str | None] = [None] * len(runs)
    fleets: list[SharedFleet] = []
    for oid in dict.fromkeys(p for p in picks if p):
        members = [i for i, p in enumerate(picks) if p == oid]
        if len(members) < 2 or runs[members[0]].by_id[oid].deployment != "self-hosted":
            continue
        f = fleet(oid, [runs[i] for i in members])
        if f is None or f.monthly_cost >= f.separate:
            notes.append(
                f"{', '.join(runs[i].name for i in members)} each run their own fleet of {oid}: "
                + ("no one replica meets every class's latency target" if f is None else "that is cheaper")
            )
            continue
        for i, part in zip(members, f.parts, strict=True):
            costs[i], shared_with[i] = part, oid
        fleets.append(
            SharedFleet.model_construct(
                option=oid,
                classes=f.classes,
                precision=f.precision,
                gpus_per_replica=f.gpus,
                replicas=f.replicas,
                monthly_cost=f.monthly_cost,
                separate_monthly_cost=f.separate,
            )
        )
        notes.append(
            f"{' and '.join(f.classes)} share the replicas of {oid}: one fleet of {_n(f.replicas, 'replica')} "
            f"of {_n(f.gpus, 'GPU')} ({f.precision}) sized for their combined peak, {money(f.monthly_cost)} a month "
            f"against {money(f.separate)} as separate fleets; each class pays its share of the load "
            "(replica time per request from its own sizing)"
        )
    for r, p in zip(runs, picks, strict=True):
        if p is None:
            notes.append(f"class {r.name}: no option meets every constraint (compare it alone with --all for why)")
    total = round(sum(c for c in costs if c is not None), 6) if all(c is not None for c in costs) else None

    served = serving_every_class(result, runs)
    single, single_total, cheapest, cheapest_total = _single(engine, result, served)
    if single is None:
        notes.append("no single option meets every class's constraints")
    saving = pct = None
    if total is not None and single_total is not None:
        saving = round(single_total - total, 6)
        pct = round(saving / single_total * 100, 1) if single_total > 0 else None
    classes = [
        RoutedClass.model_construct(
            name=r.name,
            share=r.share,
            requests_per_month=round(r.rpm, 6),
            recommended=p,
            monthly_cost=c,
            runner_up=r.runner_up,
            shared_fleet=s,
            alone_monthly_cost=a,
        )
        for r, p, c, s, a in zip(runs, picks, costs, shared_with, alone, strict=True)
    ]
    return Routing.model_construct(
        classes=classes,
        monthly_cost=total,
        single_option=single,
        single_option_monthly_cost=single_total,
        saving=saving,
        saving_pct=pct,
        cheapest_single_option=cheapest,
        cheapest_single_option_monthly_cost=cheapest_total,
        shared_fleets=fleets,
        notes=notes,
        # Cash up front: every class's pick as bought for that class alone (a shared fleet may need fewer servers).
        capex=round(sum(r.by_id[p].capex for r, p in zip(runs, picks, strict=True) if p), 2),
    ), served


def serving_every_class(result: Result, runs: list[ClassRun]) -> dict[str, float]:
    """The options feasible for every class, each with its cost as the one option for all of them."""
    ok = set.intersection(*({oid for oid, o in r.by_id.items() if o.feasible} for r in runs))
    whole = {o.id for o in result.all_options}
    return {oid: single_cost(oid, runs) for oid in sorted(ok) if oid in whole}


def _single(
    engine: Engine, result: Result, served: dict[str, float]
) -> tuple[str | None, float | None, str | None, float | None]:
    """(best single option, its cost, cheapest single option, its cost) among those feasible for every class.

    "Best" is the engine's own rule (highest overall score, options within the budget first, ties
    to the cheaper) applied to these options with their single-option costs, so routing is
    compared with what the tool recommends when one option serves everything (`one_answer`
    makes that option the report's `recommended`)."""
    whole = {o.id: o for o in result.all_options}
    candidates = [
        whole[oid].model_copy(update={"monthly_cost": cost, "feasible": True, "violations": []})
        for oid, cost in served.items()
    ]
    if not candidates:
        return None, None, None, None
    score(engine.ctx, candidates, result.details)
    best = by_overall(candidates, engine.wl.budget.max_monthly_cost)[0]
    cheap = min(candidates, key=lambda o: (o.monthly_cost, o.id))
    return best.id, best.monthly_cost, cheap.id, cheap.monthly_cost


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def routed_sentence(routing: Routing) -> str:
    """The routed plan in one or two sentences, for the recommendation text."""
    picks = "; ".join(
        f"{c.name} ({c.share * 100:g}%) → {c.recommended or 'nothing feasible'}"
        + (f", {money(c.monthly_cost)}" if c.monthly_cost is not None else "")
        for c in routing.classes
    )
    txt = f"Routed by traffic class: {picks}."
    if routing.monthly_cost is not None:
        txt += f" Routed total {money(routing.monthly_cost)} a month"
        if routing.single_option is not None and routing.saving is not None:
            verb = "less" if routing.saving >= 0 else "more"
            txt += (
                f", {money(abs(routing.saving))} ({abs(routing.saving_pct or 0):.0f}%) {verb} than "
                f"{routing.single_option} ({money(routing.single_option_monthly_cost or 0)}), "
                "the best single option that serves every class"
            )
        txt += "."
    return txt


def class_violations(option_id: str, runs: list[ClassRun]) -> list[str]:
    """Why each class rules the option out, in the class's own words ("class NAME: ...")."""
    out = []
    for r in runs:
        o = r.by_id.get(option_id)
        if o is None:
            if not r.skipped(option_id):
                out.append(f"class {r.name}: not evaluated for this class")
        elif not o.feasible:
            out += [f"class {r.name}: {v}" for v in o.violations]
    return out


def one_answer(engine: Engine, result: Result, runs: list[ClassRun], served: dict[str, float]) -> Result:
    """The whole-traffic report made to agree with routing: the options that serve every class
    at their single-option cost, every other option ruled out with each class's reason, then
    scored, ranked and recommended again. The recommended option is then the best single option
    that serves every class (`routing.single_option`), and it is in the table."""
    ctx = engine.ctx
    sampled: dict[str, float] = {}
    for o in result.all_options:
        d = o.__dict__
        if o.id in served:
            cost = served[o.id]
            if o.monthly_cost and cost != o.monthly_cost:
                sampled[o.id] = cost / o.monthly_cost
            d.update(monthly_cost=cost, cost_per_million_tokens=ctx.per_million(cost), feasible=True, violations=[])
        else:
            why = class_violations(o.id, runs) or ["routing: does not serve every traffic class"]
            d.update(violations=[*o.violations, *(v for v in why if v not in o.violations)], feasible=False)
    score(ctx, result.all_options, result.details)
    out = engine.report(result.all_options, result.details)
    if out.ranges is not None and sampled:
        out.ranges.scale.update(sampled)
        out.ranges.fill([o for o in out.all_options if o.id in sampled and o.monthly_cost_low is not None])
    return out


def headline(kind: str | None, routing: Routing) -> str:
    """The recommendation's first words: which advice it is (the kind first)."""
    if kind == "routed":
        return "Routed plan, each traffic class on its own option. " + routed_sentence(routing)
    if kind == "single":
        txt = f"One option for every traffic class: {routing.single_option}."
        if routing.monthly_cost is not None and routing.saving is not None:
            txt += (
                f" Routing each class to its own option would cost {money(routing.monthly_cost)} a month, "
                f"{money(abs(routing.saving))} more."
            )
        return txt
    return "Nothing to recommend: no option serves every class and some class has no feasible option."


def compare_routed(
    catalog: Catalog, workload: Workload, settings: Settings | None = None, lean: bool = False
) -> Result:
    """`compare` for a workload with traffic classes: one answer in every format.

    The options are priced for the whole traffic (the classes' mix) and then made to agree with
    the classes (`one_answer`): `recommended` is the best single option that serves every class;
    `recommendation_kind` says whether the report advises it or the routed plan (each class on
    its own option), which is advised when its total is lower. `lean`: each class prices its
    self-hosted options only where they can change the answer (`class_runs`); the report is the
    same except that an infeasible option's violations name only the classes that priced it."""
    engine = Engine(catalog, blend(workload), settings)
    first = engine.run()
    runs = run_classes(engine, workload, lean)
    routing, served = _route(engine, first, runs, workload)
    result = one_answer(engine, first, runs, served)
    result.classes = {r.name: r for r in runs}
    report = result.report
    by_id = {o.id: o for o in result.all_options}
    single = report.recommended
    single_cost = by_id[single].monthly_cost if single else None
    routing.single_option, routing.single_option_monthly_cost = single, single_cost
    routing.saving = routing.saving_pct = None
    if routing.monthly_cost is not None and single_cost is not None:
        routing.saving = round(single_cost - routing.monthly_cost, 6)
        routing.saving_pct = round(routing.saving / single_cost * 100, 1) if single_cost > 0 else None
    report.routing = routing
    if routing.monthly_cost is not None and (single_cost is None or routing.monthly_cost < single_cost):
        kind: str | None = "routed"
    else:
        kind = "single" if single else None
    report.recommendation_kind = kind  # type: ignore[assignment]
    rec = report.recommendation
    if rec is not None:
        rec.why = f"{headline(kind, routing)} The single option: {rec.why}"
    return result
