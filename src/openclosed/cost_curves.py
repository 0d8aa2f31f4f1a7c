"""An option reduced to its monthly cost as a function of volume.

The engine prices a self-hosted option through its `SelfCurve` at the workload's own volume,
and the sweep evaluates the very same object at thousands of other volumes, so a cost rule
added here holds for both. An API option's cost is linear in volume (`ApiCurve`).

Every self-hosting rule of the fleet lives in `Fleet` and `SelfCurve.quote` (docs/methodology.md,
"Fleet economics"): the schedule (hours a day, scale to zero), the minimum replicas, the
batch-tolerant share served inside its window and priced by the GPU-hours it needs, spot GPUs,
and operations effort that grows with the nodes. The functions are pure: the same curve can be
re-evaluated with other inputs (a perturbed `Fleet`, other prices) by building another one.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from itertools import groupby, pairwise

from .packing import Instance, packer
from .sizing import Sizing
from .workload import DAYS_PER_MONTH, HOURS_PER_MONTH, SECONDS_PER_MONTH

# Extra GPU-hours bought on spot capacity: work lost at an interruption is redone and the fleet
# keeps headroom to absorb the reclaim (docs/methodology.md, "Spot GPUs").
SPOT_INTERRUPTION_OVERHEAD = 0.10


class ApiCurve:
    """monthly cost = USD per request × requests, rounded to 1e-6 USD like the engine."""

    def __init__(self, per_request: float) -> None:
        self.per_request = per_request

    def costs(self, rpms: list[float], peaks: list[float]) -> list[float]:
        k = self.per_request * 1e6  # round(x * 1e6) / 1e6: see SelfCurve._dense
        return [round(k * r) / 1e6 for r in rpms]

    def cost(self, rpm: float, peak: float) -> float:
        return round(self.per_request * rpm, 6)


class ConstCurve:
    """An option whose cost does not depend on volume."""

    def __init__(self, value: float | None) -> None:
        self.value = value

    def costs(self, rpms: list[float], peaks: list[float]) -> list[float | None]:
        return [self.value] * len(rpms)

    def cost(self, rpm: float, peak: float) -> float | None:
        return self.value


@dataclass(frozen=True)
class Fleet:
    """The workload's rules for a self-hosted fleet: the same at every volume of a sweep."""

    hours_per_day: float = 24.0  # the day's requests arrive within these hours
    scale_to_zero: bool = False  # bill GPUs only for the active hours
    batch_share: float = 0.0  # requests that can wait for the batch window
    batch_window_hours: float = 24.0  # the batch-tolerant share is served within these hours a day
    min_replicas: int = 1  # interactive replicas kept for availability, in as many machines
    spot: str = "off"  # "off" | "batch" (batch-tolerant share on spot) | "all"
    engineer_cost: float = 0.0  # USD per engineer-month
    ops_base: float = 0.0  # engineers for any self-hosted fleet
    ops_per_node: float = 0.0  # engineers per node of `node_gpus` GPUs
    node_gpus: int = 8
    setup: float = 0.0  # USD a month: setup effort spread over the horizon
    owned: bool = False  # on-prem: the GPUs cost the same whether they run or not

    @property
    def active_hours(self) -> float:
        """GPU hours billed a month for an always-on replica."""
        return HOURS_PER_MONTH * (self.hours_per_day / 24.0 if self.scale_to_zero else 1.0)

    @property
    def batch_hours(self) -> float:
        """Hours a month a batch replica is paid for: the window every day (all month when owned)."""
        return HOURS_PER_MONTH if self.owned else self.batch_window_hours * DAYS_PER_MONTH

    def average_rps(self, rpm: float) -> float:
        """Mean request rate while active (the day's requests arrive within hours_per_day)."""
        return rpm / (SECONDS_PER_MONTH * self.hours_per_day / 24.0)

    def nodes(self, gpus: int) -> int:
        return math.ceil(gpus / self.node_gpus - 1e-9) if gpus > 0 else 0

    def operations(self, gpus: int) -> float:
        """USD a month of operations: a base effort plus a share per node (docs/methodology.md)."""
        return round(self.engineer_cost * (self.ops_base + self.ops_per_node * self.nodes(gpus)), 6)

    def engineers(self, gpus: int) -> float:
        return self.ops_base + self.ops_per_node * self.nodes(gpus)


def interactive_peak_rps(rpm: float, hours_per_day: float, batch_share: float, peak_to_average: float) -> float:
    """Peak rate of the interactive share: active-hours average × (1 − batch share) × peak/average."""
    return rpm / (SECONDS_PER_MONTH * hours_per_day / 24.0) * (1.0 - batch_share) * peak_to_average


class Plan:
    """One precision/GPU-count plan of a self-hosted option: replicas and their price."""

    def __init__(
        self,
        cap: float,
        instances: tuple[Instance, ...],
        ok: bool,
        gpus: int,
        precision: str = "",
        sizing: Sizing | None = None,
        full: float | None = None,
        spot_instances: tuple[Instance, ...] | None = None,
        min_replicas: int = 1,
    ) -> None:
        self.cap = cap  # requests/s one replica serves at the utilisation cap
        self.full = full if full is not None else cap  # requests/s at full load (batch work)
        self.instances = instances
        self.ok = ok  # meets the latency targets
        self.gpus = gpus  # GPUs per replica
        self.precision = precision
        self.sizing = sizing
        self.min_replicas = min_replicas
        self.packer = packer(instances)
        # Spot capacity, when the cloud publishes a spot price (else the on-demand menu).
        self.spot_packer = packer(spot_instances) if spot_instances else self.packer
        self.has_spot = bool(spot_instances)

    def replicas(self, peak: float) -> int:
        return max(self.min_replicas, math.ceil(peak / self.cap - 1e-9))

    def runs(self, peaks: list[float]) -> list[tuple[int, int]]:
        """(end index, replicas) for each run of equal replica counts along sorted peaks."""
        n = len(peaks)
        cap = self.cap
        first, last = self.replicas(peaks[0]), self.replicas(peaks[-1])
        if last - first > n // 8:  # dense: nearly every point has its own count
            ceil, low = math.ceil, self.min_replicas
            reps = [max(low, ceil(p / cap - 1e-9)) for p in peaks]
            out, end = [], 0
            for r, group in groupby(reps):
                end += sum(1 for _ in group)
                out.append((end, r))
            return out
        out = []
        i = 0
        rep = self.replicas
        while i < n:
            r = rep(peaks[i])
            j = max(i + 1, bisect_right(peaks, (r + 1e-9) * cap, i + 1))
            while j > i + 1 and rep(peaks[j - 1]) != r:
                j -= 1
            while j < n and rep(peaks[j]) == r:
                j += 1
            out.append((j, r))
            i = j
        return out


@dataclass(frozen=True)
class Quote:
    """One plan's price at one volume: what the engine reports and the sweep sums."""

    plan: int  # index into the curve's plans
    replicas: int  # interactive (or shared) replicas
    batch_replicas: int  # replicas running only inside the batch window (0: none)
    gpu_cost: float  # USD a month, interactive/shared fleet
    batch_cost: float  # USD a month, batch fleet
    billed_gpus: int
    batch_gpus: int
    operations: float
    spot: bool  # the shared/interactive fleet runs on spot
    ok: bool
    gpus: int  # per replica

    def parts(self, setup: float) -> dict[str, float]:
        """The cost breakdown, each part rounded to 1e-6 USD (the sum is the option's cost)."""
        out = {"gpus": round(self.gpu_cost, 6)}
        if self.batch_replicas:
            out["batch_gpus"] = round(self.batch_cost, 6)
        out["operations"] = self.operations
        out["setup"] = setup
        return out

    def total(self, setup: float) -> float:
        return round(sum(self.parts(setup).values()), 6)

    def key(self, setup: float) -> tuple[bool, float, int]:
        # A plan meeting the latency targets beats one that does not; then the cheaper; ties go
        # to fewer GPUs per replica (then to the first plan: `min` keeps the first).
        return (not self.ok, self.total(setup), self.gpus)


class SelfCurve:
    """A self-hosted option as a function of volume: the cheapest plan and fleet layout (a plan
    meeting the latency targets beats one that does not; ties go to fewer GPUs, then to the
    first plan) plus operations that grow with the nodes and a fixed setup cost."""

    def __init__(self, plans: list[Plan], fleet: Fleet) -> None:
        self.plans, self.fleet = plans, fleet
        self.setup = fleet.setup
        for p in plans:
            p.min_replicas = fleet.min_replicas

    # ------------------------------------------------------------ one plan at one volume
    def _hourly_factor(self, spot: bool) -> float:
        return 1.0 + SPOT_INTERRUPTION_OVERHEAD if spot else 1.0

    def _shared(self, i: int, plan: Plan, r: int) -> Quote | None:
        """`r` replicas serve everything (batch fills the valleys of the active hours)."""
        f = self.fleet
        spot = f.spot == "all" and plan.has_spot
        pk = plan.spot_packer if spot else plan.packer
        hourly, billed, _ = pk.plan_spread(r, f.min_replicas)
        if not math.isfinite(hourly):
            return None
        cost = hourly * f.active_hours * self._hourly_factor(spot)
        return Quote(i, r, 0, cost, 0.0, billed, 0, f.operations(billed), spot, plan.ok, plan.gpus)

    def _split(self, i: int, plan: Plan, r: int, rb: int) -> Quote | None:
        """`r` interactive replicas (0 when nothing is interactive) plus `rb` replicas that run
        only inside the batch window, on spot when asked."""
        f = self.fleet
        # Spot only where the cloud publishes a spot price; otherwise on demand, no overhead.
        all_spot = f.spot == "all" and plan.has_spot
        batch_spot = f.spot != "off" and plan.has_spot
        pk = plan.spot_packer if all_spot else plan.packer
        hourly, billed = (0.0, 0) if r == 0 else pk.plan_spread(r, f.min_replicas)[:2]
        bpk = plan.spot_packer if batch_spot else plan.packer
        bhourly, bbilled, _ = bpk.plan(rb)
        if not (math.isfinite(hourly) and math.isfinite(bhourly)):
            return None
        cost = hourly * f.active_hours * self._hourly_factor(all_spot)
        bcost = bhourly * f.batch_hours * self._hourly_factor(batch_spot)
        ops = f.operations(billed + bbilled)
        return Quote(i, r, rb, cost, bcost, billed, bbilled, ops, all_spot, plan.ok, plan.gpus)

    def _replica_counts(self, plan: Plan, rpm: float, peak: float) -> tuple[int, int, int]:
        """(shared replicas, interactive replicas of a split fleet, batch replicas)."""
        f = self.fleet
        avg = f.average_rps(rpm)
        shared = plan.replicas(max(peak, avg))
        if f.batch_share <= 0:
            return shared, shared, 0
        inter = 0 if f.batch_share >= 1 else plan.replicas(peak)
        batch_rps = f.batch_share * rpm / (DAYS_PER_MONTH * f.batch_window_hours * 3600.0)
        return shared, inter, math.ceil(batch_rps / plan.full - 1e-9)

    def _plan_quote(self, i: int, plan: Plan, counts: tuple[int, int, int]) -> Quote | None:
        shared, inter, rb = counts
        a = self._shared(i, plan, shared)
        if rb == 0:
            return a
        b = self._split(i, plan, inter, rb)
        if a is None or b is None:
            return a or b
        return b if b.total(self.setup) < a.total(self.setup) else a

    def quote(self, rpm: float, peak: float) -> Quote | None:
        """The chosen plan and fleet at a volume; None when nothing can be rented."""
        best: Quote | None = None
        for i, plan in enumerate(self.plans):
            q = self._plan_quote(i, plan, self._replica_counts(plan, rpm, peak))
            if q is not None and (best is None or q.key(self.setup) < best.key(self.setup)):
                best = q
        return best

    def choose(self, rpm: float, peak: float) -> tuple[int, int] | None:
        """(index of the chosen plan, its replicas) at a volume; None when nothing can be rented."""
        q = self.quote(rpm, peak)
        return None if q is None else (q.plan, q.replicas)

    def cost(self, rpm: float, peak: float) -> float | None:
        q = self.quote(rpm, peak)
        return None if q is None else q.total(self.setup)

    # ------------------------------------------------------------ many volumes (the sweep)
    def costs(self, rpms: list[float], peaks: list[float]) -> list[float | None]:
        """The cost at every point. Points with the same replica counts in every plan cost the
        same, so each distinct combination is priced once."""
        live = [(i, p) for i, p in enumerate(self.plans) if p.ok] or list(enumerate(self.plans))
        f = self.fleet
        if f.batch_share <= 0 and f.spot != "all":
            eff = [max(p, f.average_rps(r)) for r, p in zip(rpms, peaks, strict=False)]
            if all(a <= b for a, b in pairwise(eff)):
                return self._sorted(live, eff)
        memo: dict[tuple, float | None] = {}
        out: list[float | None] = []
        for rpm, peak in zip(rpms, peaks, strict=False):
            key = tuple(self._replica_counts(p, rpm, peak) for _, p in live)
            if key not in memo:
                best = None
                for (i, p), counts in zip(live, key, strict=False):
                    q = self._plan_quote(i, p, counts)
                    if q is not None and (best is None or q.key(self.setup) < best.key(self.setup)):
                        best = q
                memo[key] = None if best is None else best.total(self.setup)
            out.append(memo[key])
        return out

    def _sorted(self, live: list[tuple[int, Plan]], eff: list[float]) -> list[float | None]:
        """Shared fleets along sorted effective peaks: run by run of equal replica counts."""
        all_runs = [p.runs(eff) for _, p in live]
        ends = sorted({end for runs in all_runs for end, _ in runs})
        pos = [0] * len(all_runs)
        out: list[float | None] = []
        start = 0
        memo: dict[tuple[int, int], Quote | None] = {}
        for end in ends:
            best: Quote | None = None
            for k, runs in enumerate(all_runs):
                while runs[pos[k]][0] < end:
                    pos[k] += 1
                i, plan = live[k]
                r = runs[pos[k]][1]
                if (k, r) not in memo:
                    memo[(k, r)] = self._shared(i, plan, r)
                q = memo[(k, r)]
                if q is not None and (best is None or q.key(self.setup) < best.key(self.setup)):
                    best = q
            total = None if best is None else best.total(self.setup)
            out.extend([total] * (end - start))
            start = end
        return out
