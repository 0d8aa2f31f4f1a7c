"""How sure the answer is: every uncertain input as a range, sampled with shared errors.

Uncertain inputs and their spreads (docs/methodology.md, "How sure the answer is", gives the
evidence for each default):

- sizing: each replica's throughput is an estimate; its error is lognormal with the calibration
  set's RMS log error for the GPU family × architecture kind (`SIZING_SIGMA`), one draw per
  family × kind and scenario (an estimator that is 10 % optimistic for MoE models on Hopper is
  so for every such option at once);
- prices older than the staleness limit drift as a random walk in log price, `PRICE_DRIFT`
  per √year of age, one draw per provider and scenario;
- estimated quality indices: normal with the stated `error`, else `DEFAULT_QUALITY_ERROR`;
  one draw per model and scenario (published indices are taken as exact);
- traffic volume: lognormal, `traffic.uncertainty` or `DEFAULT_TRAFFIC_SPREAD`, one draw per
  scenario for every option;
- utilisation at peak (how peaky the traffic really is): lognormal, `DEFAULT_PEAK_SPREAD`, one
  draw per scenario for every self-hosted option.

Scenarios are a Latin hypercube over those draws: each input takes the normal quantiles
(k + ½)/n in an order shuffled by a generator seeded from the run's seed and the input's name,
so a given seed always gives the same scenarios, and adding an option never moves another's.
Feasibility is not re-checked per scenario (a budget or rate limit near its edge is not resampled).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import NormalDist
from typing import TYPE_CHECKING

from . import scoring
from .workload import SECONDS_PER_MONTH

if TYPE_CHECKING:
    from .evaluation import Context, Detail
    from .report import OptionOut, Recommendation

Z90 = NormalDist().inv_cdf(0.9)  # the 10th and 90th percentiles lie ∓1.2816 s.d. from the median
CLOSE_CALL = 0.6  # below this confidence the recommendation says it is a close call

# GPU families: the calibration rows measure a microarchitecture, not one board.
GPU_FAMILY = {
    "h100-sxm": "hopper",
    "h100-pcie": "hopper",
    "h100-nvl": "hopper",
    "h200": "hopper",
    "gh200": "hopper",
    "b200": "blackwell",
    "b300": "blackwell",
    "gb200": "blackwell",
    "gb300": "blackwell",
    "a100-80gb": "ampere",
    "a100-40gb": "ampere",
    "a10g": "ampere",
    "l40s": "ada",
    "l4": "ada",
    "mi300x": "cdna3",
    "mi325x": "cdna3",
}
# RMS of ln(predicted / measured) throughput over calibration.ROWS, per group (derive_sizing_sigmas;
# tests/test_uncertainty.py checks these against the rows). Groups with at least MIN_GROUP_ROWS
# rows use their own figure; groups with fewer use the larger of theirs and the pooled one.
SIZING_SIGMA = {("hopper", "dense"): 0.095, ("hopper", "moe"): 0.076, ("blackwell", "moe"): 0.160}
SIZING_SIGMA_POOLED = 0.097
MIN_GROUP_ROWS = 4
# Hardware without a calibration row: only the design tolerance (±35 % throughput, calibration.py)
# is claimed; read as a 90 % interval, ln(1.35) / 1.645 = 0.182.
SIZING_SIGMA_UNCALIBRATED = 0.182
PRICE_DRIFT = 0.5  # s.d. of ln(price) after one year; grows with √age (a random walk)
DEFAULT_QUALITY_ERROR = 5.0  # index points, one s.d., for an estimate that states no error
DEFAULT_TRAFFIC_SPREAD = 0.2  # s.d. of ln(volume) when the workload gives no traffic.uncertainty
DEFAULT_PEAK_SPREAD = 0.15  # s.d. of ln(peak over average)

Group = tuple[str, str]


def family(gpu_id: str) -> str:
    return GPU_FAMILY.get(gpu_id, gpu_id)


def sizing_sigma(group: Group) -> float:
    return SIZING_SIGMA.get(group, SIZING_SIGMA_UNCALIBRATED)


def derive_sizing_sigmas(rows: list[tuple[Group, float]]) -> tuple[dict[Group, float], float]:
    """(σ per group, pooled σ) from (group, ln(predicted/measured)) throughput rows, by the rule above."""
    by: dict[Group, list[float]] = {}
    for g, e in rows:
        by.setdefault(g, []).append(e)
    allv = [e for _, e in rows]
    pooled = math.sqrt(sum(e * e for e in allv) / len(allv))
    out = {}
    for g, errs in by.items():
        rms = math.sqrt(sum(e * e for e in errs) / len(errs))
        out[g] = rms if len(errs) >= MIN_GROUP_ROWS else max(rms, pooled)
    return out, pooled


def drift_sigma(age_days: int, stale_days: int) -> float:
    """Log-price s.d. of a price `age_days` old: none until it is stale, then PRICE_DRIFT·√years."""
    return PRICE_DRIFT * math.sqrt(age_days / 365.25) if age_days > stale_days else 0.0


def traffic_spread(ctx: Context) -> float:
    given = getattr(ctx.wl.traffic, "uncertainty", None)
    return DEFAULT_TRAFFIC_SPREAD if given is None else float(given)


def percentile(values: list[float], q: float, presorted: bool = False) -> float:
    """Linear interpolation between order statistics (numpy's default, `statistics` 'inclusive')."""
    xs = values if presorted else sorted(values)
    h = (len(xs) - 1) * q
    lo = math.floor(h)
    if lo + 1 >= len(xs):
        return xs[-1]
    return xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo])


@lru_cache(maxsize=16)
def _quantiles(n: int) -> tuple[float, ...]:
    nd = NormalDist()
    return tuple(nd.inv_cdf((k + 0.5) / n) for k in range(n))


@lru_cache(maxsize=512)
def normal_draws(n: int, seed: int, name: str) -> tuple[float, ...]:
    """n standard-normal draws for one input: stratified quantiles in a seeded shuffled order."""
    z = list(_quantiles(n))
    random.Random(f"{seed}:{name}").shuffle(z)
    return tuple(z)


# ------------------------------------------------------------------ scenarios
@dataclass
class Scenarios:
    """A batch of n scenarios: each input's value per scenario (missing inputs stay at base)."""

    n: int
    traffic: list[float] | None = None  # volume multiplier
    peak: list[float] | None = None  # peak-rate multiplier (utilisation)
    sizing: dict[Group, list[float]] = field(default_factory=dict)  # throughput multiplier
    drift: dict[str, list[float]] = field(default_factory=dict)  # standard-normal price drift per provider
    quality: dict[str, list[float]] = field(default_factory=dict)  # quality index per model
    gpu_price: list[float] | None = None  # what-if: GPU price multiplier
    engineer: list[float] | None = None  # what-if: operations and setup multiplier


@dataclass
class Entry:
    """One option reduced to what a scenario changes."""

    option: OptionOut
    kind: str  # "api" | "self" | "fixed" | "none"
    base: float | None
    provider: str
    sigma: float  # price drift s.d. of this option's price
    group: Group | None = None
    curve: object = None
    peak: float = 0.0
    quality_sd: float = 0.0
    fixed_score: float = 0.0  # weighted privacy and lock-in parts of the overall score
    penalty: float = 0.0


@dataclass
class Outcome:
    costs: list[list[float] | None]  # per entry, per scenario
    winners: list[int | None]  # entry index per scenario
    rec_overall: list[float]  # the reference option's overall score per scenario
    other_overall: list[float]  # the best other option's overall score per scenario


class Frame:
    """The options of one evaluation, ready to be priced and scored under many scenarios."""

    def __init__(self, ctx: Context, options: list[OptionOut], details: dict[str, Detail]) -> None:
        self.ctx = ctx
        self.weights = ctx.weights
        self.best_quality = ctx.best_quality
        self.entries: list[Entry] = []
        self.groups: dict[Group, float] = {}
        self.stale: dict[str, float] = {}  # provider -> largest drift s.d. of its stale prices
        self.estimated: dict[str, tuple[float, float]] = {}  # model -> (index, s.d.)
        w = ctx.weights
        for o in options:
            det = details[o.id]
            self.entries.append(self._entry(ctx, o, det, w))
        self.index = {e.option.id: i for i, e in enumerate(self.entries)}

    def _entry(self, ctx: Context, o: OptionOut, det: Detail, w: dict[str, float]) -> Entry:
        fixed_score = w["privacy"] * o.scores.privacy + w["lock_in"] * (100.0 - o.scores.lock_in)
        penalty = scoring.LIFECYCLE_PENALTY if o.model in ctx.expiring else 0.0
        q = det.model.quality
        if q is not None and q.estimated:
            sd = q.error if q.error is not None else DEFAULT_QUALITY_ERROR
            self.estimated[o.model] = (q.index, sd)
        as_of = o.unit_prices.as_of if o.unit_prices is not None else None
        if o.self_hosting is not None:
            as_of = o.self_hosting.price_as_of
        sigma = 0.0
        if as_of is not None:
            import datetime as dt

            sigma = drift_sigma((ctx.today - dt.date.fromisoformat(as_of)).days, ctx.st.stale_days)
        if sigma > 0:
            self.stale[o.provider] = max(self.stale.get(o.provider, 0.0), sigma)
        common = {"fixed_score": fixed_score, "penalty": penalty, "provider": o.provider, "sigma": sigma}
        if o.monthly_cost is None:
            return Entry(o, "none", None, **common)  # type: ignore[arg-type]
        if o.deployment == "api":
            return Entry(o, "api", o.monthly_cost, **common)  # type: ignore[arg-type]
        curve = det.curve
        if curve is None or not getattr(curve, "plans", None) or o.self_hosting is None:
            return Entry(o, "fixed", o.monthly_cost, **common)  # type: ignore[arg-type]
        arch = det.model.architecture
        group = (family(o.self_hosting.gpu), "moe" if arch is not None and arch.moe is not None else "dense")
        self.groups[group] = sizing_sigma(group)
        peak = det.hosting.get("peak_rps")
        if peak is None:
            peak = ctx.wl.requests_per_month / SECONDS_PER_MONTH * ctx.wl.traffic.peak_factor
        return Entry(o, "self", o.monthly_cost, group=group, curve=curve, peak=peak, **common)  # type: ignore[arg-type]

    # -------------------------------------------------------------- drawing
    def draw(self, n: int, seed: int) -> Scenarios:
        """n scenarios of every uncertain input, reproducible for a seed."""
        t, u = traffic_spread(self.ctx), DEFAULT_PEAK_SPREAD
        sc = Scenarios(n)
        sc.traffic = [math.exp(t * z) for z in normal_draws(n, seed, "traffic")]
        sc.peak = [math.exp(u * z) for z in normal_draws(n, seed, "peak")]
        for g, sd in self.groups.items():
            sc.sizing[g] = [math.exp(sd * z) for z in normal_draws(n, seed, f"sizing:{g[0]}/{g[1]}")]
        for p in self.stale:
            sc.drift[p] = list(normal_draws(n, seed, f"price:{p}"))
        for m, (index, sd) in self.estimated.items():
            sc.quality[m] = [min(100.0, max(0.0, index + sd * z)) for z in normal_draws(n, seed, f"quality:{m}")]
        return sc

    # -------------------------------------------------------------- pricing and scoring
    def costs(self, sc: Scenarios, exact: bool = False) -> list[list[float] | None]:
        n = sc.n
        ones = [1.0] * n
        traffic = sc.traffic or ones
        peak = [a * b for a, b in zip(traffic, sc.peak, strict=True)] if sc.peak else traffic
        # Peak over throughput multiplier per sizing group: shared by every option of the group.
        loads = {g: [p / c for p, c in zip(peak, caps, strict=True)] for g, caps in sc.sizing.items()}
        # Sorted once per group, so that each option prices runs of equal replica counts once.
        ranked: dict[Group | None, tuple[list[float], list[int]]] = {}
        if not exact:
            for g, xs in [*loads.items(), (None, peak)]:
                perm = sorted(range(n), key=xs.__getitem__)
                inv = [0] * n
                for pos, k in enumerate(perm):
                    inv[k] = pos
                ranked[g] = ([xs[k] for k in perm], inv)
        out: list[list[float] | None] = []
        drift_cache: dict[tuple[str, float], list[float]] = {}
        for e in self.entries:
            if e.kind == "none" or e.base is None:
                out.append(None)
                continue
            drift = None
            if e.sigma > 0 and e.provider in sc.drift:
                key = (e.provider, e.sigma)
                drift = drift_cache.get(key)
                if drift is None:
                    drift = drift_cache[key] = [math.exp(e.sigma * z) for z in sc.drift[e.provider]]
            if e.kind == "api":
                base = e.base
                f = traffic if drift is None else [a * b for a, b in zip(traffic, drift, strict=True)]
                out.append([base * x for x in f])
            elif e.kind == "fixed":
                out.append([e.base] * n)
            else:
                gpu = drift
                if sc.gpu_price is not None:
                    gpu = sc.gpu_price if gpu is None else [a * b for a, b in zip(gpu, sc.gpu_price, strict=True)]
                curve = e.curve
                if exact:
                    out.append(
                        curve.costs_scaled(  # type: ignore[attr-defined]
                            loads.get(e.group, peak),
                            e.peak,
                            gpu,
                            sc.engineer,  # type: ignore[arg-type]
                        )
                    )
                    continue
                xs, inv = ranked[e.group if e.group in loads else None]
                srt = curve.gpu_costs_sorted(xs, e.peak)  # type: ignore[attr-defined]
                fixed = curve.operations + curve.setup  # type: ignore[attr-defined]
                if isinstance(srt, float):
                    if gpu is None and sc.engineer is None:
                        out.append([srt + fixed] * n)
                        continue
                    g = [srt] * n
                else:
                    g = [srt[k] for k in inv]
                if gpu is not None:
                    g = [a * b for a, b in zip(g, gpu, strict=True)]
                if sc.engineer is None:
                    out.append([a + fixed for a in g])
                else:
                    out.append([a + fixed * f for a, f in zip(g, sc.engineer, strict=True)])
        return out

    def evaluate(self, sc: Scenarios, reference: str | None = None, exact: bool = False) -> Outcome:
        """Price every option in every scenario and find who comes first (ties: cheaper, then id),
        with the reference option's overall score and the best other option's."""
        costs = self.costs(sc, exact)
        n = sc.n
        feas = [i for i, e in enumerate(self.entries) if e.option.feasible and costs[i] is not None]
        cheapest = self._cheapest(costs, feas, n)
        w_c, w_q = self.weights["cost"], self.weights["quality"]
        ref = self.index.get(reference) if reference is not None else None
        # An upper bound on each option's overall score over the batch prunes the search: the
        # cost score falls with cost and rises with the cheapest cost.
        top_cheapest = max(cheapest)
        bounds = []
        for i in feas:
            e = self.entries[i]
            qmax = max(sc.quality[e.option.model]) if e.option.model in sc.quality else e.option.quality_index
            ub = (
                e.fixed_score
                + w_c * scoring.cost_score(min(costs[i]), top_cheapest)  # type: ignore[arg-type]
                + w_q * scoring.quality_score(qmax, self.best_quality)
                - e.penalty
            )
            bounds.append((min(100.0, ub) + 0.051, i))  # + rounding of the overall score to 0.1
        bounds.sort(key=lambda b: -b[0])
        winners: list[int | None] = []
        rec_overall: list[float] = []
        other_overall: list[float] = []
        for s in range(n):
            cs = cheapest[s]
            best: tuple[float, float, str, int] | None = None  # (-overall, cost, id, index)
            if ref is not None and ref in feas:
                v = self._overall(ref, costs[ref][s], cs, sc, s)  # type: ignore[index]
                rec_overall.append(v)
            for ub, i in bounds:
                if best is not None and ub < -best[0]:
                    break
                if i == ref:
                    continue
                c = costs[i][s]  # type: ignore[index]
                key = (-self._overall(i, c, cs, sc, s), c, self.entries[i].option.id, i)
                if best is None or key < best:
                    best = key
            other_overall.append(-best[0] if best is not None else 0.0)
            if ref is not None and ref in feas:
                rkey = (-rec_overall[-1], costs[ref][s], self.entries[ref].option.id, ref)  # type: ignore[index]
                if best is None or rkey < best:
                    best = rkey
            winners.append(best[3] if best is not None else None)
        return Outcome(costs, winners, rec_overall, other_overall)

    def _cheapest(self, costs: list[list[float] | None], feas: list[int], n: int) -> list[float]:
        # As recommend.score: the cheapest feasible positive cost, else the cheapest positive one.
        pool = [costs[i] for i in feas] or [c for c in costs if c is not None]
        positive = [c for c in pool if c is not None and min(c) > 0]
        if len(positive) < len(pool):  # a free option somewhere: column by column
            return [min((c[s] for c in pool if c is not None and c[s] > 0), default=1.0) for s in range(n)]  # type: ignore[index]
        return [min(col) for col in zip(*positive, strict=True)] if positive else [1.0] * n

    def _overall(self, i: int, cost: float, cheapest: float, sc: Scenarios, s: int) -> float:
        e = self.entries[i]
        o = e.option
        q = sc.quality[o.model][s] if o.model in sc.quality else o.quality_index
        parts = {
            "cost": scoring.cost_score(cost, cheapest),
            "privacy": o.scores.privacy,
            "lock_in": o.scores.lock_in,
            "quality": scoring.quality_score(q, self.best_quality),
        }
        return round(scoring.overall(parts, self.weights, e.penalty), 1)


# ------------------------------------------------------------------ the engine's hook
@dataclass
class Assessment:
    samples: int
    confidence: float | None
    contender: str | None  # the option that wins most of the other scenarios
    contender_share: float


def assess(
    ctx: Context, options: list[OptionOut], details: dict[str, Detail], recommended: str | None
) -> Assessment | None:
    """Sample the scenarios, set every option's monthly_cost_low/high, and measure how often the
    recommended option stays first. None when sampling is off (Settings.samples = 0)."""
    n = ctx.st.samples
    if n <= 0 or not options:
        return None
    frame = Frame(ctx, options, details)
    sc = frame.draw(n, ctx.st.seed)
    out = frame.evaluate(sc, recommended)
    for e, cs in zip(frame.entries, out.costs, strict=True):
        if cs is None or math.inf in cs:
            continue
        xs = sorted(cs)
        e.option.__dict__["monthly_cost_low"] = round(percentile(xs, 0.1, presorted=True), 6)
        e.option.__dict__["monthly_cost_high"] = round(percentile(xs, 0.9, presorted=True), 6)
    if recommended is None:
        return Assessment(n, None, None, 0.0)
    ref = frame.index[recommended]
    stays = sum(1 for w in out.winners if w == ref)
    others: dict[int, int] = {}
    for w in out.winners:
        if w is not None and w != ref:
            others[w] = others.get(w, 0) + 1
    contender, share = None, 0.0
    if others:
        top = min(others, key=lambda i: (-others[i], frame.entries[i].option.id))
        contender, share = frame.entries[top].option.id, others[top] / n
    return Assessment(n, round(stays / n, 3), contender, round(share, 3))


def close_call_text(a: Assessment) -> str | None:
    """The sentence the recommendation adds when it is a close call."""
    if a.confidence is None or a.confidence >= CLOSE_CALL:
        return None
    txt = f"A close call: it stays first in {a.confidence:.0%} of {a.samples} sampled scenarios"
    if a.contender:
        txt += f"; {a.contender} comes first in {a.contender_share:.0%}"
    return txt + " (see `openclosed sensitivity`)."


def apply(
    ctx: Context, options: list[OptionOut], details: dict[str, Detail], rec: Recommendation | None
) -> float | None:
    """The engine's one call: cost ranges on the options, a close-call sentence on the
    recommendation, and the recommendation's confidence (None when sampling is off)."""
    a = assess(ctx, options, details, rec.id if rec is not None else None)
    if a is None or rec is None:
        return None
    extra = close_call_text(a)
    if extra:
        rec.__dict__["why"] = f"{rec.why} {extra}"
    return a.confidence
