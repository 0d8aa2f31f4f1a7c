"""Each traffic class compared as a workload of its own, keeping only what routing reads.

Routing reads, of each class: its recommended option and runner-up, which options it rules out,
and the cost of every option that serves every class (with the cost curve of each self-hosted
one, for shared fleets). A workload may have 100 classes of some 1,400 options each, so two
ways to run them:

* `full`: the engine on every option of every class, as `compare --all`, `explain` and the
  sweep need (every option's violations in every class, as the one answer lists them);
* `lean`: the same picks, runner-ups, single-option costs and shared fleets, with a class's
  options priced only where they can change them. An option the class rules out before any
  pricing (its model's quality floor, context, licence or lifecycle, an API's privacy terms, a
  GPU host's region or missing price) is not priced: it can be neither picked nor serve every
  class. A self-hosted option costs at
  least its fixed monthly costs, the operations of an empty fleet plus setup (every cost quote
  adds GPUs, which cost nothing or more, to those), so each class first prices every option that
  could be its cheapest feasible one (the cost score's reference), then scores the options it
  has priced together with, for each model and kind of host, a stand-in at that floor cost: a
  stand-in scores at least as high as any option it stands for (the cost score only falls as
  the cost grows; privacy, lock-in, quality and the lifecycle penalty are the option's own, at
  their best for a rented or owned host), so while no stand-in reaches the first two places,
  none of the options it stands for can be the class's pick or runner-up. Then every option no
  class has ruled out is priced in every class, to find those that serve them all. An option a
  class never priced has no violations from that class in a lean result: it is only for outputs
  that do not list infeasible options (`compare` without `--all`, `check`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from ..api.options import api_option
from ..catalog.schema import OnPrem
from ..decide import constraints
from ..decide.recommend import by_overall, host_kind, over_budget, score
from ..engine import Engine
from ..evaluation import Context, Detail
from ..report import OptionOut
from ..selfhost import owned
from ..selfhost.cost_curves import Plan, SelfCurve
from ..selfhost.host_prices import host_gpu
from ..selfhost.options import self_option, stand_in
from ..selfhost.plans import plans
from ..selfhost.sizing.step import reusing
from ..workload.classes import resolve_classes
from ..workload.customisation import active

if TYPE_CHECKING:
    from ..catalog.schema import ApiProvider, GpuCloud, GpuOffer, Model, Offering
    from ..engine import SelfCandidate
    from ..workload.model import Workload

# USD a month under the floor, so that rounding each part of a quote to 1e-6 never puts an
# option's cost below its floor.
_FLOOR_SLACK = 1e-5


@dataclass(frozen=True, slots=True)
class SlimOption:
    """What routing reads of an option in a class run (a full option is some 5 kB; 1,400 of
    them per class, 100 classes)."""

    id: str
    monthly_cost: float | None
    feasible: bool
    deployment: str
    capex: float = 0.0  # owned servers bought for the class (the routed plan's capex sums them)
    # Why the class rules the option out (the one answer names them: "class NAME: ..."); a tuple of
    # the option's own strings, empty when feasible.
    violations: tuple[str, ...] = ()


@dataclass
class ClassRun:
    """One class compared as a workload of its own."""

    name: str
    share: float
    workload: Workload
    engine: Engine
    # Model and cost curve of the feasible self-hosted options `fleet` may read (`_forget_curves`).
    details: dict[str, Detail]
    by_id: dict[str, SlimOption]  # every option priced for this class
    pick: str | None = None  # the option recommended for the class alone
    runner_up: str | None = None
    # Lean runs: self-hosted options not priced for this class ((floor, candidate) by id), and
    # those the class rules out before any pricing (its quality floor, context, licence, region).
    pending: dict[str, tuple[float, SelfCandidate]] = field(default_factory=dict)
    ruled_out: set[str] = field(default_factory=set)

    # Worked out once (routing asks some 5,000 times per class: every option's shared fleet).
    @cached_property
    def rpm(self) -> float:
        return self.workload.requests_per_month

    @cached_property
    def peak(self) -> float:
        """Peak requests per second of the interactive share, as the engine prices it."""
        return self.workload.traffic.peak_rps(self.rpm)

    def skipped(self, option_id: str) -> bool:
        """Not priced for this class on purpose (a lean run): no violations to report from it."""
        return option_id in self.pending or option_id in self.ruled_out

    def price(self, option_id: str) -> SlimOption:
        """Price a pending self-hosted option for this class (lean runs)."""
        _, cand = self.pending.pop(option_id)
        o, d = self_option(self.engine.ctx, *cand)
        return self._keep(o, d)

    def serve(self, option_id: str) -> SlimOption:
        """`price`, for the single option only: its cost, capex and cost curve, without the
        option's output (`_served`); priced whole when it cannot run, for its violations."""
        _, cand = self.pending[option_id]
        got = _served(self.engine.ctx, option_id, self.rpm, self.peak, *cand)
        if got is None:
            return self.price(option_id)
        del self.pending[option_id]
        cost, capex, curve = got
        out = self.by_id[option_id] = SlimOption(option_id, cost, True, "self-hosted", capex)
        self.details[option_id] = Detail(model=cand[0], curve=curve)
        return out

    def _keep(self, o: OptionOut, d: Detail, slim: bool = True) -> SlimOption:
        """`slim` False: the detail is kept whole until the class's options are scored (the
        privacy score reads its host)."""
        out = SlimOption(o.id, o.monthly_cost, o.feasible, o.deployment, o.capex, tuple(o.violations))
        self.by_id[o.id] = out
        if o.deployment == "self-hosted" and o.feasible:  # `fleet` reads picks and options serving every class
            self.details[o.id] = _slim_detail(d) if slim else d
        return out


def run_classes(engine: Engine, workload: Workload, lean: bool = False) -> list[ClassRun]:
    """Each class compared alone (`engine`: the whole traffic's). What routing does not read is
    dropped as each run ends: the class's own uncertainty sampling (its confidence is not
    reported; the whole traffic's is) and what only `explain` shows of each option."""
    # Every replica is sized at each class's token profile: the step model's other terms once.
    with reusing():
        return _run_classes(engine, workload, lean)


def _run_classes(engine: Engine, workload: Workload, lean: bool) -> list[ClassRun]:
    settings = replace(engine.st, samples=0)
    cands = _Candidates.of(engine) if lean else None
    runs: list[ClassRun] = []
    out: set[str] = set()  # options some class has ruled out: they cannot serve every class
    for cls, wl in zip(workload.traffic.classes or [], resolve_classes(workload), strict=True):
        eng = Engine(engine.cat, wl, settings)
        run = ClassRun(cls.name, cls.share, wl, eng, {}, {})
        if cands is not None:
            _lean_pick(run, cands)
        else:
            _full(run)
        # Cleared class by class, or 100 classes' sizings are held at once.
        _clear_caches(eng)
        runs.append(run)
        _forget_curves(runs, out)
    if lean:
        price_served(runs)
    return runs


def _forget_curves(runs: list[ClassRun], out: set[str]) -> None:
    """Drop the cost curves `fleet` will never read, as the classes are compared: it reads each
    class's pick and the options that serve every class, so not those of an option some class
    has ruled out (all of them once a class has no feasible option at all)."""
    run = runs[-1]
    if run.pick is None or any(r.pick is None for r in runs[:-1]):
        new = {oid for r in runs for oid in r.details} - out
    else:
        new = (run.ruled_out | {oid for oid, o in run.by_id.items() if not o.feasible}) - out
    out |= new
    for r in runs[:-1]:
        for oid in new:
            if oid != r.pick:
                r.details.pop(oid, None)
    for oid in [oid for oid in run.details if oid in out and oid != run.pick]:
        del run.details[oid]


def _full(run: ClassRun) -> None:
    res = run.engine.run()
    for o in res.all_options:
        run._keep(o, res.details[o.id])
    rec = res.report.recommendation
    run.pick, run.runner_up = res.report.recommended, rec.runner_up if rec is not None else None


def _slim_detail(d: Detail) -> Detail:
    d.candidates, d.hosting, d.sizing = [], {}, None
    if d.curve is not None:
        for plan in d.curve.plans:
            plan.sizing = None  # fleet() reads a plan's capacity, GPUs and menus, not its sizing
        # fleet() prices a new curve of these plans: the prices this one memoised while the
        # class was priced are some 18 % of what the class runs hold.
        d.curve.drop_memos()
    return d


def _clear_caches(engine: Engine) -> None:
    ctx = engine.ctx
    ctx.sizing_cache.clear()  # fleet() sizes again the few replicas it shares
    ctx.plan_cache.clear()
    ctx.host_cache.clear()
    ctx.constraint_cache.clear()


# ------------------------------------------------------------------ lean runs
@dataclass(frozen=True)
class _Candidates:
    """The options every class may evaluate (the same catalogue and filters for all), with what
    does not depend on the class worked out once: each API option's model; the self-hosted
    options by model, each with its id and its host's GPU; the stand-in group of each."""

    api: list[tuple[ApiProvider, Offering, Model]]
    hosted: dict[str, tuple[Model, list[tuple[str, SelfCandidate]]]]  # model id -> (model, [(id, candidate)])
    group: dict[str, tuple[str, str | None]]  # self-hosted option id -> (model, kind of host)

    @classmethod
    def of(cls, engine: Engine) -> _Candidates:
        api, hosted = engine.candidates()
        by_model: dict[str, tuple[Model, list[tuple[str, SelfCandidate]]]] = {}
        group = {}
        for c in hosted:
            oid = f"{c[0].id}@{c[1].id}:{c[2]}"
            by_model.setdefault(c[0].id, (c[0], []))[1].append((oid, c))
            group[oid] = (c[0].id, host_kind(c[1]))
        return cls([(p, o, engine.cat.model(o.model)) for p, o in api], by_model, group)


class _Lean:
    """One class's lean run: the options priced (whole, until scored) and the floors of the rest."""

    def __init__(self, run: ClassRun, cands: _Candidates) -> None:
        self.run, self.ctx = run, run.engine.ctx
        self.feasible: list[OptionOut] = []  # only feasible options can be picked or set the reference
        self.full: dict[str, Detail] = {}
        self.group = cands.group
        ctx = self.ctx
        for provider, offering, model in cands.api:
            if (
                constraints.model_constraints(ctx, model, api=True)[0]
                or constraints.api_privacy(ctx, provider, offering)[0]
            ):
                run.ruled_out.add(f"{model.id}@{provider.id}")  # what `api_option` would rule out anyway
                continue
            self.keep(*api_option(ctx, provider, offering))
        # What `self_option` rules out before sizing anything: the model (quality floor, context,
        # licence, lifecycle) or the host's GPU (region, marketplace, no price). Worked out once
        # per model and per GPU at a host (100 classes × 1,300 options).
        floors: dict[tuple[str, str], float | None] = {}
        for model, options in cands.hosted.values():
            if constraints.model_constraints(ctx, model, api=False)[0]:
                run.ruled_out.update(oid for oid, _ in options)
                continue
            for oid, cand in options:
                key = (cand[1].id, cand[2])
                if key not in floors:
                    hg = host_gpu(ctx, oid, *cand[1:])
                    ok = not hg.violations and hg.pricing is not None
                    floors[key] = hg.fleet.operations(0) + hg.fleet.setup - _FLOOR_SLACK if ok else None
                floor = floors[key]
                if floor is None:
                    run.ruled_out.add(oid)
                else:
                    run.pending[oid] = (floor, cand)

    def keep(self, o: OptionOut, d: Detail) -> OptionOut:
        if o.feasible:
            self.feasible.append(o)
            self.full[o.id] = d
        self.run._keep(o, d, slim=False)
        return o

    def price(self, oid: str) -> OptionOut:
        _, cand = self.run.pending.pop(oid)
        return self.keep(*self_option(self.ctx, *cand))

    def by_floor(self) -> list[str]:
        return [oid for _, oid in sorted((f, oid) for oid, (f, _) in self.run.pending.items())]


def _lean_pick(run: ClassRun, cands: _Candidates) -> None:
    """The class's pick and runner-up, pricing its self-hosted options only where they can matter."""
    lean = _Lean(run, cands)
    budget = lean.ctx.wl.budget.max_monthly_cost
    # 1. The cheapest feasible option (every cost score's reference) exactly: price every option
    # whose floor is below the cheapest found so far.
    cheapest = _cheapest(lean.feasible)
    for oid in lean.by_floor():
        if cheapest is not None and run.pending[oid][0] >= cheapest:
            break
        o = lean.price(oid)
        if o.feasible and o.monthly_cost is not None and o.monthly_cost > 0:
            cheapest = o.monthly_cost if cheapest is None else min(cheapest, o.monthly_cost)
    # 2. Whether any feasible option keeps the budget (the ranking puts those first).
    if budget is not None and all(over_budget(o, budget) for o in lean.feasible):
        for oid in lean.by_floor():
            if run.pending[oid][0] > budget:
                break
            if not over_budget(o := lean.price(oid), budget) and o.feasible:
                break
    # 3. Stand-ins for what is left, until the first two places are priced options. Scores do not
    # change once the cheapest is known (every option left costs at least as much), so each
    # option is scored once, beside the cheapest (which `score` takes its reference from).
    ref = [o for o in lean.feasible if o.monthly_cost == cheapest][:1]
    scored = 0
    while True:
        stand_ins, stands_for, their = _stand_ins(lean)
        score(lean.ctx, ref + lean.feasible[scored:] + stand_ins, {**lean.full, **their})
        scored = len(lean.feasible)
        ranked = by_overall(lean.feasible + stand_ins, budget)
        # Every stand-in ranked above the second priced option could take one of the first two
        # places: price the options of all of them at once.
        unpriced, real = [], 0
        for o in ranked:
            if o.id in stands_for:
                unpriced += stands_for[o.id]
            elif (real := real + 1) == 2:
                break
        if not unpriced:
            break
        for oid in unpriced:
            lean.price(oid)
    top = ranked[:2]
    run.pick = top[0].id if top else None
    run.runner_up = top[1].id if len(top) > 1 else None
    for d in run.details.values():
        _slim_detail(d)


def _cheapest(options: list[OptionOut]) -> float | None:
    costs = [o.monthly_cost for o in options if o.feasible and o.monthly_cost is not None and o.monthly_cost > 0]
    return min(costs) if costs else None


def _stand_ins(lean: _Lean) -> tuple[list[OptionOut], dict[str, list[str]], dict[str, Detail]]:
    """One stand-in per model and kind of host among the pending options, at their lowest floor:
    (stand-ins, the options each stands for, their details)."""
    ctx, pending = lean.ctx, lean.run.pending
    groups: dict[tuple[str, str | None], list[str]] = {}
    for oid in pending:
        groups.setdefault(lean.group[oid], []).append(oid)
    outs, members, details = [], {}, {}
    for (model_id, kind), ids in groups.items():
        floor = min(pending[i][0] for i in ids)
        model, host = pending[ids[0]][1][:2]
        # "\x00" sorts before any host id: a stand-in never loses a tie its options would win.
        sid = f"{model_id}@\x00{kind}"
        # No committed-use hold (no self-hosting figures): the lowest lock-in a rented host has.
        outs.append(stand_in(ctx, sid, model, host, floor))
        members[sid] = ids
        details[sid] = Detail(model=model, hosting={"host": host})
    return outs, members, details


def price_served(runs: list[ClassRun]) -> None:
    """Price, in every class, each option that no class has ruled out (those that may serve
    every class: routing's single option needs their cost in each). Nothing when some class has
    no feasible option at all: then no option serves every class. Class by class, so that one
    class's sizing caches are filled and cleared before the next."""
    if runs and all(r.pick is not None for r in runs):
        out: set[str] = set()
        for r in runs:
            out |= r.ruled_out
            out.update(oid for oid, o in r.by_id.items() if not o.feasible)
        candidates = sorted({oid for r in runs for oid in r.pending} - out)
        for r in runs:
            for oid in candidates:
                if oid in r.pending and oid not in out and not r.serve(oid).feasible:
                    out.add(oid)
            _clear_caches(r.engine)


def _served(
    ctx: Context,
    oid: str,
    rpm: float,
    peak: float,
    model: Model,
    host: GpuCloud | OnPrem,
    gpu_id: str,
    offers: list[GpuOffer],
) -> tuple[float, float, SelfCurve] | None:
    """A pending option's (monthly cost, capex, cost curve) in this class, as `self_option` prices
    them, when it runs here; None when it cannot (or fine-tunes): `self_option` then says why.

    What routing reads of an option that may serve every class is its cost and cost curve in each
    class (1,200 options × 100 classes that rule nothing out), not the option's output: building
    that (the self-hosting figures, the instance plan, the candidates `explain` lists) was a
    third of pricing it. A pending option passed its model's and its host's checks (`_Lean`), so
    it is feasible exactly when a plan can be rented and meets the latency targets. The curve is
    built as `self_option` builds it (capacity factor 1 without fine-tuning); the lean = full
    tests compare the two. `oid`: the option's id; `rpm` and `peak`: the class's volume and peak
    (`ClassRun`)."""
    wl = ctx.wl
    if active(wl.customisation) is not None:
        return None
    hg = host_gpu(ctx, oid, host, gpu_id, offers)
    if hg.violations or hg.pricing is None:
        return None
    gpu = hg.gpu
    fl = hg.fleet
    cap = wl.self_hosting.utilisation_cap
    curve_plans: list[Plan] = []
    for precision, s, ok in plans(ctx, model, gpu_id):
        inst, spot_inst = hg.menu(s.gpus, gpu.max_gpus_per_node)
        # `fleet` reads a plan's capacity, GPUs and menus, not its sizing (`_slim_detail`).
        plan = Plan(s.requests_per_s * cap, inst, ok, s.gpus, precision, None, s.requests_per_s, spot_inst)
        if plan.packer.best is not None:
            curve_plans.append(plan)
    curve = SelfCurve(curve_plans, fl)
    chosen = curve.chosen(rpm, peak)
    if chosen is None or not chosen[0].ok:
        return None
    # The quote's total is the sum of its breakdown as `self_option` reports it (cost_curves._total).
    _, raw, cost = chosen
    billed = raw[2] + raw[3]
    sh = wl.self_hosting
    capex = (
        owned.capex(host, gpu_id, billed, sh.on_prem.purchase, sh.gpu_price_multiplier)
        if isinstance(host, OnPrem)
        else 0.0
    )
    curve.drop_memos()
    return cost, capex, curve
