"""Scenarios: the options of one evaluation priced and scored under many values of the inputs.

`Frame` reduces each option to what a scenario changes (an API option's cost, a self-hosted
option's cost curve, its price age, sizing group and quality) and evaluates a batch of scenarios
at once: every option's monthly cost in each, and which option comes first. The uncertainty
sampling (uncertainty.py) and the sensitivity swings (sensitivity.py) both use it.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from typing import TYPE_CHECKING

from ..selfhost.cost_curves import FleetCurve
from . import scoring
from .scenario_costs import Costs, Entry, Scenarios
from .uncertainty import (
    DEFAULT_PEAK_SPREAD,
    DEFAULT_QUALITY_ERROR,
    OPERATIONS_SPREAD,
    PURCHASE_SPREAD,
    Group,
    drift_sigma,
    normal_draws,
    sizing_group,
    sizing_sigma,
    traffic_spread,
)

if TYPE_CHECKING:
    from ..evaluation import Context, Detail
    from ..report import OptionOut


@lru_cache(maxsize=1024)
def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# A record that nothing compares, prints or copies: a plain class rather than a dataclass, whose
# generated `__init__` is compiled from source when the module is imported.
class Outcome:
    """Sampled scenarios priced: each entry's costs, the winner and the two overall scores per scenario."""

    def __init__(
        self,
        costs: list[list[float] | None],
        winners: list[int | None],
        rec_overall: list[float],
        other_overall: list[float],
    ) -> None:
        self.costs = costs  # per entry, per scenario
        self.winners = winners  # entry index per scenario
        self.rec_overall = rec_overall  # the reference option's overall score per scenario
        self.other_overall = other_overall  # the best other option's overall score per scenario


class _Shared:
    """What a frame's options share, filled while its entries are built (see Frame.__init__)."""

    def __init__(self, rpm: float, peak: float) -> None:
        self.rpm, self.peak = rpm, peak
        self.sigma: dict[object, float] = {}  # price date -> drift s.d.
        self.groups: dict[tuple[int, str], Group] = {}  # (architecture, GPU) -> sizing group


class Frame:
    """The options of one evaluation, ready to be priced and scored under many scenarios."""

    def __init__(self, ctx: Context, options: list[OptionOut], details: dict[str, Detail]) -> None:
        # Not the context itself: it holds the frame's cost ranges (`ctx.ranges`), and a cycle
        # would leave every comparison's 30,000 objects to the cyclic collector instead of being
        # freed as soon as the caller drops the result.
        self.spread = traffic_spread(ctx)
        self.budget = ctx.wl.budget.max_monthly_cost
        self.weights = ctx.weights
        self.best_quality = ctx.best_quality
        self.entries: list[Entry] = []
        self.groups: dict[Group, float] = {}
        self.stale: dict[str, float] = {}  # provider -> largest drift s.d. of its stale prices
        self.estimated: dict[str, tuple[float, float]] = {}  # model -> (index, s.d.)
        self.owned = False  # an owned option is among the entries (its purchase and operations are sampled)
        # The engine's materiality amount (recommend.score): without it a sampled scenario would
        # score a $300 difference as the engine does not, and the base scenario would not
        # reproduce the engine's choice. Without a budget it is a share of the engineer's cost,
        # so it moves with the engineer-cost what-if (`Scenarios.engineer`).
        self.material: float | None = getattr(ctx, "materiality", None)
        budget = ctx.wl.budget.max_monthly_cost
        self.material_follows_engineer = budget is None or budget <= 0
        w = ctx.weights
        # What every option of the run shares, worked out once rather than per option (1,400 of
        # them): the volume and peak rate, the drift of a price of a given date, the sizing group
        # of an (architecture, GPU) pair.
        rpm = ctx.wl.requests_per_month
        shared = _Shared(rpm, ctx.wl.traffic.peak_rps(rpm))
        # A compare without --all (`Settings.lean_scores`) never prices a ruled-out option in the
        # scenarios unless it prints it, or nothing is feasible: its entry is built when first
        # asked for (`entry`), but what it adds to the frame (its price's drift, its model's
        # estimated quality, its sizing group, owned hardware) is noted now, in the same order.
        lean = getattr(ctx.st, "lean_scores", False)
        self._pending: dict[int, tuple] = {}
        entries = self.entries
        for o in options:
            det = details[o.id]
            if lean and not o.feasible:
                self._pending[len(entries)] = (o, det, w, shared, self._note(ctx, o, det, shared), ctx.expiring)
                entries.append(None)  # type: ignore[arg-type]
            else:
                entries.append(self._entry(ctx, o, det, w, shared))
        self.index = {o.id: i for i, o in enumerate(options)}
        self._feasible: list[int] | None = None

    def entry(self, i: int) -> Entry:
        """Entry `i`, built now if it was left pending."""
        e = self.entries[i]
        if e is None:
            o, det, w, shared, sigma, expiring = self._pending.pop(i)
            e = self.entries[i] = self._build(o, det, w, shared, sigma, expiring)
        return e

    def complete(self) -> None:
        """Build every pending entry (pricing every option)."""
        for i in list(self._pending):
            self.entry(i)

    def _entry(self, ctx: Context, o: OptionOut, det: Detail, w: dict[str, float], shared: _Shared) -> Entry:
        return self._build(o, det, w, shared, self._note(ctx, o, det, shared), ctx.expiring)

    def _note(self, ctx: Context, o: OptionOut, det: Detail, shared: _Shared) -> float:
        """What an option adds to the frame (its model's estimated quality, its provider's largest
        price drift, its sizing group, owned hardware); returns its price's drift s.d."""
        q = det.model.quality
        if q is not None and q.estimated:
            sd = q.error if q.error is not None else DEFAULT_QUALITY_ERROR
            # Centred on the option's own index: the mode priced (workload/reasoning.py).
            self.estimated[o.model] = (o.quality_index if o.quality_index is not None else q.index, sd)
        as_of = o.unit_prices.as_of if o.unit_prices is not None else None
        if o.self_hosting is not None:
            as_of = o.self_hosting.price_as_of
        sigma = 0.0
        if as_of is not None:
            sigma = shared.sigma.get(as_of)
            if sigma is None:
                sigma = shared.sigma[as_of] = drift_sigma((ctx.today - _date(as_of)).days, ctx.st.stale_days)
        if sigma > 0:
            self.stale[o.provider] = max(self.stale.get(o.provider, 0.0), sigma)
        if o.monthly_cost is None or o.deployment == "api":
            return sigma
        curve = det.curve
        if curve is None or not getattr(curve, "plans", None) or o.self_hosting is None:
            return sigma
        pair = (id(det.model.architecture), o.self_hosting.gpu)  # the architectures outlive the frame's construction
        if pair not in shared.groups:
            group = shared.groups[pair] = sizing_group(det.model.architecture, o.self_hosting.gpu)
            self.groups[group] = sizing_sigma(group)
        if not self.owned and getattr(o.self_hosting, "on_prem", None):
            self.owned = True
        return sigma

    def _build(
        self, o: OptionOut, det: Detail, w: dict[str, float], shared: _Shared, sigma: float, expiring: set[str]
    ) -> Entry:
        """The entry of an option whose additions to the frame `_note` has made."""
        fixed_score = w["privacy"] * o.scores.privacy + w["lock_in"] * (100.0 - o.scores.lock_in)
        penalty = scoring.LIFECYCLE_PENALTY if (o.model in expiring or o.id in expiring) else 0.0
        if o.monthly_cost is None:
            return Entry(o, "none", None, o.provider, sigma, fixed_score=fixed_score, penalty=penalty)
        if o.deployment == "api" and isinstance(det.curve, FleetCurve):
            # A tuned model on the provider's dedicated fleet: its replicas follow the sampled load.
            return Entry(
                o,
                "fleet",
                o.monthly_cost,
                o.provider,
                sigma,
                curve=det.curve,
                peak=shared.peak,
                rpm=shared.rpm,
                fixed_score=fixed_score,
                penalty=penalty,
            )
        if o.deployment == "api":
            # Training runs and tuned-model fees do not grow with traffic (nor drift with token prices).
            bd = getattr(o, "cost_breakdown", None) or {}
            fixed = bd.get("training", 0.0) + bd.get("tuned_hosting", 0.0)
            if fixed:
                return Entry(
                    o,
                    "api",
                    o.monthly_cost - fixed,
                    o.provider,
                    sigma,
                    fixed_score=fixed_score,
                    penalty=penalty,
                    fixed=fixed,
                )
            return Entry(o, "api", o.monthly_cost, o.provider, sigma, fixed_score=fixed_score, penalty=penalty)
        curve = det.curve
        if curve is None or not getattr(curve, "plans", None) or o.self_hosting is None:
            return Entry(o, "fixed", o.monthly_cost, o.provider, sigma, fixed_score=fixed_score, penalty=penalty)
        group = shared.groups[(id(det.model.architecture), o.self_hosting.gpu)]
        parts = getattr(o.self_hosting, "on_prem", None)
        hw_share = 0.0
        if parts:
            total = sum(parts.values())
            hw_share = parts.get("hardware", 0.0) / total if total > 0 else 0.0
        # The interactive peak, as the engine prices it.
        return Entry(
            o,
            "self",
            o.monthly_cost,
            o.provider,
            sigma,
            group=group,
            curve=curve,
            peak=shared.peak,
            rpm=shared.rpm,
            fixed_score=fixed_score,
            penalty=penalty,
            hw_share=hw_share,
        )

    def feasible_indices(self) -> list[int]:
        """The entries that meet every constraint and have a cost (the same in every scenario;
        `sensitivity` evaluates a frame hundreds of times)."""
        if self._feasible is None:
            self._feasible = [
                i
                for i, e in enumerate(self.entries)
                if e is not None and e.option.feasible and e.kind != "none" and e.base is not None
            ]
        return self._feasible

    # -------------------------------------------------------------- drawing
    def draw(self, n: int, seed: int) -> Scenarios:
        """n scenarios of every uncertain input, reproducible for a seed."""
        t, u = self.spread, DEFAULT_PEAK_SPREAD
        sc = Scenarios(n)
        sc.traffic = [math.exp(t * z) for z in normal_draws(n, seed, "traffic")]
        sc.peak = [math.exp(u * z) for z in normal_draws(n, seed, "peak")]
        for g, sd in self.groups.items():
            sc.sizing[g] = [math.exp(sd * z) for z in normal_draws(n, seed, f"sizing:{g[0]}/{g[1]}")]
        for p in self.stale:
            sc.drift[p] = list(normal_draws(n, seed, f"price:{p}"))
        if self.owned:
            sc.purchase = [math.exp(PURCHASE_SPREAD * z) for z in normal_draws(n, seed, "purchase")]
        if self.owned:
            sc.operations = [math.exp(OPERATIONS_SPREAD * z) for z in normal_draws(n, seed, "operations")]
        for m, (index, sd) in self.estimated.items():
            sc.quality[m] = [min(100.0, max(0.0, index + sd * z)) for z in normal_draws(n, seed, f"quality:{m}")]
        return sc

    # -------------------------------------------------------------- pricing and scoring
    def costs(self, sc: Scenarios, exact: bool = False) -> list[list[float] | None]:
        """Every option's monthly cost in each scenario (None for an option that cannot run)."""
        lazy = Costs(self, sc, exact)
        return [lazy[i] for i in range(len(self.entries))]

    def evaluate(self, sc: Scenarios, reference: str | None = None, exact: bool = False) -> Outcome:
        """Price the options in every scenario and find who comes first (ties: cheaper, then id),
        with the reference option's overall score and the best other option's.

        Only the options that can matter are priced in every scenario: those that may be the
        cheapest in some scenario (the cost score's reference) and those whose best possible
        score may come first. The rest are priced when asked (`Outcome.costs` is lazy)."""
        costs = Costs(self, sc, exact)
        n = sc.n
        feas = self.feasible_indices()
        cheapest = self._cheapest(costs, feas, n)
        w_c, w_q = self.weights["cost"], self.weights["quality"]
        ref = self.index.get(reference) if reference is not None else None
        # An upper bound on each option's overall score over the batch prunes the search: the
        # cost score falls with cost and rises with the cheapest cost.
        top_cheapest = max(cheapest)
        material = self._material_bound(sc)

        def bound(i: int, low: float) -> float:
            e = self.entries[i]
            qmax = max(sc.quality[e.option.model]) if e.option.model in sc.quality else e.option.quality_index
            ub = (
                e.fixed_score
                + w_c * scoring.cost_score(low, top_cheapest, material)
                + w_q * scoring.quality_score(qmax, self.best_quality)
                - e.penalty
            )
            return min(100.0, ub) + 0.051  # + rounding of the overall score to 0.1

        # Ordered by a looser bound first (a self-hosted option's floor without its GPU cost, which
        # alone often rules it out); the floor with it is worked out only for an option the
        # loose bound does not rule out (`exact`), so most fleets are never bounded by their GPUs.
        bounds = [(bound(i, costs.quick_floor(i)), i) for i in feas]
        bounds.sort(key=lambda b: -b[0])
        exact: dict[int, float] = {}
        winners: list[int | None] = []
        rec_overall: list[float] = []
        other_overall: list[float] = []
        # With a budget, options within it come first, as in the engine's ranking (recommend.by_overall).
        budget = self.budget
        big = float("inf") if budget is None else budget
        ref_feasible = ref is not None and ref in feas
        for s in range(n):
            cs = cheapest[s]
            best: tuple[bool, float, float, str, int] | None = None  # (over budget, -overall, cost, id, index)
            if ref_feasible:
                v = self._overall(ref, costs[ref][s], cs, sc, s)  # type: ignore[index]
                rec_overall.append(v)
            for ub, i in bounds:
                if best is not None and not best[0] and ub < -best[1]:
                    break
                if i == ref:
                    continue
                if best is not None and not best[0]:
                    tight = exact.get(i)
                    if tight is None:
                        tight = exact[i] = bound(i, costs.floor(i))
                    if tight < -best[1]:
                        continue  # cannot come first: what the break does for the options after it
                c = costs[i][s]  # type: ignore[index]
                key = (c > big, -self._overall(i, c, cs, sc, s), c, self.entries[i].option.id, i)
                if best is None or key < best:
                    best = key
            other_overall.append(-best[1] if best is not None else 0.0)
            if ref_feasible:
                rc = costs[ref][s]  # type: ignore[index]
                rkey = (rc > big, -rec_overall[-1], rc, self.entries[ref].option.id, ref)
                if best is None or rkey < best:
                    best = rkey
            winners.append(best[4] if best is not None else None)
        return Outcome(costs, winners, rec_overall, other_overall)  # type: ignore[arg-type]

    def _cheapest(self, costs: Costs, feas: list[int], n: int) -> list[float]:
        # As recommend.score: the cheapest feasible positive cost, else the cheapest positive one.
        pool = costs.cheapest_candidates(feas) if feas else list(range(len(self.entries)))
        cols = [costs[i] for i in pool]
        cols = [c for c in cols if c is not None]
        positive = [c for c in cols if min(c) > 0]
        if len(positive) < len(cols):  # a free option somewhere: column by column
            return [min((c[s] for c in cols if c[s] > 0), default=1.0) for s in range(n)]
        return [min(col) for col in zip(*positive, strict=True)] if positive else [1.0] * n

    def _material(self, sc: Scenarios, s: int) -> float | None:
        """The materiality amount in scenario s (scaled with the engineer cost when it derives from it)."""
        m = self.material
        if m is None or sc.engineer is None or not self.material_follows_engineer:
            return m
        return m * sc.engineer[s]

    def _material_bound(self, sc: Scenarios) -> float | None:
        # The cost score rises with the materiality amount: the largest one bounds it from above.
        m = self.material
        if m is None or sc.engineer is None or not self.material_follows_engineer:
            return m
        return m * max(sc.engineer)

    def _overall(self, i: int, cost: float, cheapest: float, sc: Scenarios, s: int) -> float:
        e = self.entries[i]
        o = e.option
        q = sc.quality[o.model][s] if o.model in sc.quality else o.quality_index
        parts = {
            "cost": scoring.cost_score(cost, cheapest, self._material(sc, s)),
            "privacy": o.scores.privacy,
            "lock_in": o.scores.lock_in,
            "quality": scoring.quality_score(q, self.best_quality),
        }
        return round(scoring.overall(parts, self.weights, e.penalty), 1)
