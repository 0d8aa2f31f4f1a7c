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


# Records that nothing compares, prints or copies: plain classes rather than dataclasses, whose
# generated `__init__` is compiled from source when the module is imported (a start-up cost of
# every command).
class Scenarios:
    """A batch of n scenarios: each input's value per scenario (missing inputs stay at base)."""

    def __init__(
        self,
        n: int,
        traffic: list[float] | None = None,
        peak: list[float] | None = None,
        sizing: dict[Group, list[float]] | None = None,
        drift: dict[str, list[float]] | None = None,
        quality: dict[str, list[float]] | None = None,
        gpu_price: list[float] | None = None,
        engineer: list[float] | None = None,
        purchase: list[float] | None = None,
        operations: list[float] | None = None,
    ) -> None:
        self.n = n
        self.traffic = traffic  # volume multiplier
        self.peak = peak  # peak-rate multiplier (utilisation)
        self.sizing: dict[Group, list[float]] = {} if sizing is None else sizing  # throughput multiplier
        self.drift: dict[str, list[float]] = {} if drift is None else drift  # standard-normal drift per provider
        self.quality: dict[str, list[float]] = {} if quality is None else quality  # quality index per model
        self.gpu_price = gpu_price  # what-if: GPU price multiplier
        self.engineer = engineer  # what-if: operations, setup (and materiality without a budget) multiplier
        self.purchase = purchase  # owned servers' purchase price multiplier
        self.operations = operations  # owned servers' operations effort multiplier


class Entry:
    """One option reduced to what a scenario changes."""

    def __init__(
        self,
        option: OptionOut,
        kind: str,
        base: float | None,
        provider: str,
        sigma: float,
        group: Group | None = None,
        curve: object = None,
        peak: float = 0.0,
        rpm: float = 0.0,
        quality_sd: float = 0.0,
        fixed_score: float = 0.0,
        penalty: float = 0.0,
        hw_share: float = 0.0,
        fixed: float = 0.0,
    ) -> None:
        self.option = option
        self.kind = kind  # "api" | "fleet" (a tuned model's dedicated API fleet) | "self" | "fixed" | "none"
        self.base = base
        self.provider = provider
        self.sigma = sigma  # price drift s.d. of this option's price
        self.group = group
        self.curve = curve
        self.peak = peak
        self.rpm = rpm
        self.quality_sd = quality_sd
        self.fixed_score = fixed_score  # weighted privacy and lock-in parts of the overall score
        self.penalty = penalty
        self.hw_share = hw_share  # owned servers: the purchase (hardware) share of the GPU cost
        self.fixed = fixed  # USD a month that no scenario moves (an API option's fine-tuning runs and fees)


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


_UNSET = object()


class Costs:
    """Each option's monthly cost in every scenario of a batch, priced when first asked for.

    `floor(i)` is a lower bound on option i's cheapest scenario that costs far less than pricing
    every scenario: exact for API and fixed-cost options (their scenarios are cheap to price); for
    a self-hosted option, its GPU cost at the lowest load of the batch (every plan's rental price
    never falls as replicas are added) at the lowest price drift, plus the operations every fleet
    pays and the setup cost."""

    def __init__(self, frame: Frame, sc: Scenarios, exact: bool) -> None:
        self.frame, self.sc, self.exact = frame, sc, exact
        n = sc.n
        self.ones = [1.0] * n
        self.traffic = sc.traffic or self.ones
        self.peak = [a * b for a, b in zip(self.traffic, sc.peak, strict=True)] if sc.peak else self.traffic
        self._drift: dict[tuple[str, float], list[float]] = {}
        self._done: list[object] = [_UNSET] * len(frame.entries)
        self._floors: dict[int, float] = {}
        self._least: dict[Group | None, tuple[float, float]] = {}

    def __len__(self) -> int:
        return len(self._done)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return (self[i] for i in range(len(self._done)))

    def __getitem__(self, i: int) -> list[float] | None:
        hit = self._done[i]
        if hit is _UNSET:
            hit = self._done[i] = self._price(self.frame.entry(i))
        return hit  # type: ignore[return-value]

    def _drift_of(self, e: Entry) -> list[float] | None:
        if e.sigma > 0 and e.provider in self.sc.drift:
            key = (e.provider, e.sigma)
            drift = self._drift.get(key)
            if drift is None:
                drift = self._drift[key] = [math.exp(e.sigma * z) for z in self.sc.drift[e.provider]]
            return drift
        return None

    def _gpu_factor(self, e: Entry) -> list[float] | None:
        gpu = self._drift_of(e)
        if self.sc.gpu_price is not None:
            gpu = self.sc.gpu_price if gpu is None else [a * b for a, b in zip(gpu, self.sc.gpu_price, strict=True)]
        return gpu

    def _purchase_factor(self, e: Entry) -> list[float] | None:
        """The GPU-cost multiplier of an owned option in each scenario: its hardware share moves
        with the purchase price, power and hosting do not."""
        if self.sc.purchase is None or e.hw_share <= 0:
            return None
        h = e.hw_share
        return [1.0 + h * (m - 1.0) for m in self.sc.purchase]

    def _loads(self, e: Entry) -> tuple[list[float], list[float]]:
        caps = self.sc.sizing.get(e.group) if e.group is not None else None
        caps = caps or self.ones
        # The load over the capacity factor: the engine's own curve prices the fleet.
        rpms = [e.rpm * t / c for t, c in zip(self.traffic, caps, strict=True)]
        peaks = [e.peak * p / c for p, c in zip(self.peak, caps, strict=True)]
        return rpms, peaks

    def _price(self, e: Entry) -> list[float] | None:
        n = self.sc.n
        if e.kind == "none" or e.base is None:
            return None
        if e.kind == "api":
            drift = self._drift_of(e)
            f = self.traffic if drift is None else [a * b for a, b in zip(self.traffic, drift, strict=True)]
            if e.fixed:
                return [e.base * x + e.fixed for x in f]
            return [e.base * x for x in f]
        if e.kind == "fixed":
            return [e.base] * n
        if e.kind == "fleet":
            return e.curve.costs([e.rpm * t for t in self.traffic], [e.peak * p for p in self.peak])  # type: ignore[attr-defined]
        gpu = self._gpu_factor(e)
        rpms, peaks = self._loads(e)
        g, ops = e.curve.split_costs(rpms, peaks)  # type: ignore[attr-defined]
        setup = e.curve.setup  # type: ignore[attr-defined]
        if gpu is not None:
            g = [a * d for a, d in zip(g, gpu, strict=True)]
        own = self._purchase_factor(e)
        if own is not None:
            g = [a * m for a, m in zip(g, own, strict=True)]
        if self.sc.operations is not None and e.hw_share > 0:
            ops = [o * f for o, f in zip(ops, self.sc.operations, strict=True)]
        if self.sc.engineer is not None:  # sensitivity only: operations and setup scaled (training is GPU time)
            train = getattr(e.curve, "training", 0.0)
            row = [a + (o + setup - train) * f + train for a, o, f in zip(g, ops, self.sc.engineer, strict=True)]
        else:
            row = [a + o + setup for a, o in zip(g, ops, strict=True)]
        return [round(x, 6) for x in row] if self.exact else row

    def floor(self, i: int) -> float:
        """A lower bound on option i's cost over the batch (its minimum once it is priced)."""
        known = self._known_floor(i)
        if known is not None:
            return known
        e = self.frame.entries[i]
        if e.kind != "self":
            return min(self[i])  # type: ignore[arg-type]
        a, b = self._least_load(e.group)
        # A hair below the lowest load, so that rounding cannot lift a replica count above the
        # count at the sampled load.
        gpu_low = e.curve.gpu_floor(e.rpm * a * (1 - 1e-9), e.peak * b * (1 - 1e-9))  # type: ignore[attr-defined]
        gpu = self._gpu_factor(e)
        if gpu is not None:
            gpu_low *= min(1.0, min(gpu))
        own = self._purchase_factor(e)
        if own is not None:
            gpu_low *= min(1.0, min(own))
        # Rounding to 1e-6 (exact mode) can lower a cost by half a micro-dollar.
        low = self._floors[i] = gpu_low + self._fixed_low(e) - 1e-6
        return low

    def quick_floor(self, i: int) -> float:
        """A lower bound on option i's cost that is cheaper still: `floor` without the GPU cost (which
        is never negative) for a self-hosted option not yet priced, `floor` itself otherwise. A fleet's
        operations and setup alone often put it above every bound that matters."""
        known = self._known_floor(i)
        if known is not None:
            return known
        e = self.frame.entries[i]
        if e.kind != "self":
            return self.floor(i)
        return self._fixed_low(e) - 1e-6

    def _known_floor(self, i: int) -> float | None:
        """Option i's minimum once it is priced, else the floor worked out before, else None."""
        hit = self._done[i]
        if hit is not _UNSET:
            return min(hit)  # type: ignore[arg-type]
        return self._floors.get(i)

    def _fixed_low(self, e: Entry) -> float:
        """The least operations and setup a self-hosted option pays in any scenario of the batch."""
        ops_low = e.curve.operations_floor()  # type: ignore[attr-defined]
        if self.sc.operations is not None and e.hw_share > 0:
            ops_low *= min(1.0, min(self.sc.operations))
        fixed = ops_low + e.curve.setup  # type: ignore[attr-defined]
        if self.sc.engineer is not None:
            fixed *= min(1.0, min(self.sc.engineer))
        return fixed

    def _least_load(self, group: Group | None) -> tuple[float, float]:
        """The smallest volume and peak factors of the batch over the group's capacity factor."""
        hit = self._least.get(group)
        if hit is None:
            caps = (self.sc.sizing.get(group) if group is not None else None) or self.ones
            hit = self._least[group] = (
                min(t / c for t, c in zip(self.traffic, caps, strict=True)),
                min(p / c for p, c in zip(self.peak, caps, strict=True)),
            )
        return hit

    def cheapest_candidates(self, feas: list[int]) -> list[int]:
        """The feasible options that may be the cheapest in some scenario: every option priced
        exactly up front, and any other whose floor is at most the lowest worst case among those."""
        exact = [i for i in feas if self.frame.entries[i].kind != "self"]
        worst = [max(c) for c in (self[i] for i in exact) if c is not None and min(c) > 0]
        if not worst or len(worst) < len(exact):
            return feas  # nothing to bound with, or a free option: price them all
        ceiling = min(worst)
        priced = set(exact)
        return [i for i in feas if i in priced or (self.quick_floor(i) <= ceiling and self.floor(i) <= ceiling)]


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
