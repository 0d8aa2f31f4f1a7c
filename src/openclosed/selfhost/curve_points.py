"""A self-hosted cost curve evaluated at many volumes at once: how a sweep prices it.

`curve_costs` hands a self-hosted curve's points here. Along sorted effective peaks (a shared
fleet, no batch window, no all-spot fleet) a plan's replica count changes only every so often, so each run of
equal counts is priced once and found by bisection; otherwise each distinct count of each plan
is priced once, point by point. `Points` shares what every curve of a sweep chunk derives from the
same volumes. The prices are exactly those `SelfCurve.quote` gives (tests compare the two).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from itertools import chain, pairwise, repeat
from operator import sub
from typing import TYPE_CHECKING

from ..workload.model import SECONDS_PER_MONTH
from .cost_curves import ApiCurve, ConstCurve, SelfCurve

if TYPE_CHECKING:
    from .cost_curves import Fleet, Plan
    from .packing import Packer


def curve_costs(
    curve: ApiCurve | ConstCurve | SelfCurve, rpms: list[float], peaks: list[float], points: Points | None = None
) -> list[float | None]:
    """Any curve's cost at every point: a self-hosted curve through `self_costs`, sharing what
    `points` derives from the volumes; a flat or per-request curve by its own arithmetic."""
    if isinstance(curve, SelfCurve):
        return self_costs(curve, rpms, peaks, points)
    return list(curve.costs(rpms, peaks))


def self_costs(
    curve: SelfCurve, rpms: list[float], peaks: list[float], points: Points | None = None
) -> list[float | None]:
    """The cost at every point. Points with the same replica counts in every plan cost the
    same, so each distinct combination is priced once. `points` shares what every curve of a
    sweep derives from the same volumes (the effective peaks)."""
    live = [(i, p) for i, p in enumerate(curve.plans) if p.ok] or list(enumerate(curve.plans))
    f = curve.fleet
    if f.batch_share <= 0 and f.spot != "all":
        points = points or Points(rpms, peaks)
        eff = points.effective(f.hours_per_day)
        if eff is not None:
            return _sorted(curve, live, eff, points)
    # Per plan, the price depends only on its replica counts: price each distinct count once.
    # The live plans all meet the latency targets, or none does: the key is (total, GPUs),
    # ties to the first plan.
    memos: list[dict[tuple[int, int, int], tuple[float, int] | None]] = [{} for _ in live]
    out: list[float | None] = []
    counts_of, key_of = curve._replica_counts, curve._plan_key
    for rpm, peak in zip(rpms, peaks, strict=False):
        best = None
        for (_, p), memo in zip(live, memos, strict=False):
            counts = counts_of(p, rpm, peak)
            key = memo[counts] if counts in memo else memo.setdefault(counts, key_of(p, counts))
            if key is not None and (best is None or key < best):
                best = key
        out.append(None if best is None else best[0])
    return out


def _sorted(curve: SelfCurve, live: list[tuple[int, Plan]], eff: list[float], points: Points) -> list[float | None]:
    """Shared fleets along sorted effective peaks: each plan's totals run by run of equal
    replica counts, then the cheapest plan on each stretch where no plan's count changes.
    Only the total is returned, so a tie between plans (which the key breaks by GPUs) cannot
    change the value."""
    runs = [_shared_runs(curve, plan, eff, points) for _, plan in live]
    if len(runs) == 1:
        ends, totals = runs[0]
    elif len(runs) == 2:
        ends, totals = _merge_two(*runs[0], *runs[1])
    else:
        ends, totals = _merge(runs)
    if math.inf in totals:  # no plan can be rented there
        totals = [None if v == math.inf else v for v in totals]  # type: ignore[misc]
    if len(ends) == len(eff):  # a new count at every point
        return totals  # type: ignore[return-value]
    return list(chain.from_iterable(map(repeat, totals, map(sub, ends, [0, *ends[:-1]]))))


def _shared_runs(curve: SelfCurve, plan: Plan, eff: list[float], points: Points) -> tuple[list[int], list[float]]:
    """(end index, total) of each run of equal replica counts of `plan` serving everything
    along the sorted effective peaks; the total is exactly `_total` of `_shared_raw` (inf where
    nothing can be rented). The count r covers the peaks in ((r - 1) × cap, r × cap]: a run's
    end is found by bisection and checked with the exact count; where the count changes at
    every point, each point is priced in the loop. A count's price does not depend on the
    plan's capacity, so plans of other options renting the same instances with the same fleet
    rules share it (`points.prices`)."""
    n = len(eff)
    if n == 0:
        return [], []
    f = curve.fleet
    cap, low = plan.cap, plan.min_replicas
    pk = plan.packer  # the shared path never runs on spot here (spot is "off" or "batch")
    best = pk.best
    if best is None:
        return [n], [math.inf]
    h, unit, unit_gpus, table = best.holds, best.hourly, best.gpus, pk.table
    spread = f.min_replicas
    active, setup = f.active_hours, curve.setup
    node_gpus = f.node_gpus
    prices = points.prices(pk, f)
    ops_of = points.prices(None, f)  # operations by node count: it changes every few replicas
    ceil, inf = math.ceil, math.inf
    ends: list[int] = []
    totals: list[float] = []
    r = ceil(eff[0] / cap - 1e-9)
    if r < low:
        r = low
    i = 0
    while i < n:
        j = i + 1
        nxt = 0
        # The count at a later point is at least r (sorted peaks): "<= r" means "== r" (for
        # r == low, counts below the minimum are raised to it).
        if j < n:
            nxt = ceil(eff[j] / cap - 1e-9)
            if nxt <= r:
                # A run: guess its end from the count's upper bound, then correct the guess
                # at the boundary with the exact count.
                j = max(j + 1, bisect_right(eff, (r + 1e-9) * cap, j + 1))
                while j > i + 2 and ceil(eff[j - 1] / cap - 1e-9) > r:
                    j -= 1
                while j < n and ceil(eff[j] / cap - 1e-9) <= r:
                    j += 1
                if j < n:
                    nxt = ceil(eff[j] / cap - 1e-9)
        total = prices.get(r)
        if total is None:
            # Packer.cost, inlined: the sweep prices each distinct count of every plan.
            bulk = r // h - 4
            if bulk < 0:
                bulk = 0
            hourly, billed, names = table[r - bulk * h]
            if spread > 1 and bulk + len(names) < spread:
                hourly, billed = pk.cost(r, spread)
            else:
                hourly, billed = hourly + bulk * unit, billed + bulk * unit_gpus
            if hourly == inf:
                total = inf
            else:
                nodes = ceil(billed / node_gpus - 1e-9) if billed > 0 else 0
                ops = ops_of.get(nodes)
                if ops is None:
                    ops = ops_of[nodes] = f.operations(billed)
                total = round(round(hourly * active, 6) + ops + setup, 6)
            prices[r] = total
        ends.append(j)
        totals.append(total)
        i, r = j, nxt
    return ends, totals


def _merge_two(ea: list[int], ta: list[float], eb: list[int], tb: list[float]) -> tuple[list[int], list[float]]:
    """The lower of two plans' totals on each stretch where neither changes (both end at n)."""
    ends: list[int] = []
    totals: list[float] = []
    i = j = 0
    while i < len(ea):
        a, b = ea[i], eb[j]
        x, y = ta[i], tb[j]
        ends.append(a if a < b else b)
        totals.append(y if y < x else x)
        if a <= b:
            i += 1
        if b <= a:
            j += 1
    return ends, totals


def _merge(runs: list[tuple[list[int], list[float]]]) -> tuple[list[int], list[float]]:
    """`_merge_two` for any number of plans."""
    ends = sorted({e for plan_ends, _ in runs for e in plan_ends})
    pos = [0] * len(runs)
    totals: list[float] = []
    for end in ends:
        low = math.inf
        for k, (plan_ends, plan_totals) in enumerate(runs):
            while plan_ends[pos[k]] < end:
                pos[k] += 1
            t = plan_totals[pos[k]]
            if t < low:
                low = t
        totals.append(low)
    return ends, totals


class Points:
    """Volumes at which many curves are evaluated together (a chunk of a sweep): what the
    self-hosted curves derive from them is computed once, not once per option."""

    __slots__ = ("_eff", "_prices", "peaks", "rpms")

    def __init__(self, rpms: list[float], peaks: list[float]) -> None:
        self.rpms, self.peaks = rpms, peaks
        self._eff: dict[float, list[float] | None] = {}
        self._prices: dict[tuple[Packer | None, Fleet], dict[int, float]] = {}

    def prices(self, packer: Packer | None, fleet: Fleet) -> dict[int, float]:
        """Totals by replica count of a shared fleet of `packer`'s instances under `fleet`'s
        rules (setup included: it is the fleet's), kept while these points are evaluated; with
        `packer` None, operations by node count."""
        key = (packer, fleet)
        got = self._prices.get(key)
        if got is None:
            got = self._prices[key] = {}
        return got

    def effective(self, hours_per_day: float) -> list[float] | None:
        """max(peak, Fleet.average_rps) at each point (the rate a shared fleet is sized for), or
        None when it is not non-decreasing (then runs of equal replica counts do not apply)."""
        if hours_per_day not in self._eff:
            div = SECONDS_PER_MONTH * hours_per_day / 24.0  # Fleet.average_rps, same operations
            eff = [a if (a := r / div) > p else p for r, p in zip(self.rpms, self.peaks, strict=False)]
            self._eff[hours_per_day] = eff if all(a <= b for a, b in pairwise(eff)) else None
        return self._eff[hours_per_day]
