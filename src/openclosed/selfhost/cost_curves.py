"""An option reduced to its monthly cost as a function of volume.

The engine prices a self-hosted option through its `SelfCurve` at the workload's own volume,
and the sweep evaluates the very same object at thousands of other volumes, so a cost rule
added here holds for both. An API option's cost is linear in volume (`ApiCurve`).

Every self-hosting rule of the fleet lives in `Fleet` and `SelfCurve.quote` (docs/methodology.md,
"Fleet economics"): the schedule (hours a day, scale to zero), the minimum replicas, the
batch-tolerant share served inside its window and priced by the GPU-hours it needs, spot GPUs,
and operations effort that grows with the nodes. The functions are pure: the same curve can be
re-evaluated with other inputs (a perturbed `Fleet`, other prices) by building another one.

It is a little longer than most modules because every fleet rule (schedules, batch window,
minimum replicas, spot, operations per node) must live in the one curve the engine and the sweep
share; how a sweep evaluates a curve at thousands of volumes at once lives in `curve_points.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..workload.model import DAYS_PER_MONTH, HOURS_PER_MONTH, SECONDS_PER_MONTH
from .packing import Instance, packer
from .sizing import Sizing

# Extra GPU-hours bought on spot capacity: work lost at an interruption is redone and the fleet
# keeps headroom to absorb the reclaim (docs/methodology.md, "Spot GPUs").
SPOT_INTERRUPTION_OVERHEAD = 0.10


class ApiCurve:
    """monthly cost = USD per request × requests (+ `fixed` USD a month: a tuned model's training
    runs and hourly fees), rounded to 1e-6 USD like the engine."""

    def __init__(self, per_request: float, fixed: float = 0.0) -> None:
        self.per_request = per_request
        self.fixed = fixed

    def costs(self, rpms: list[float], peaks: list[float]) -> list[float]:
        k = self.per_request * 1e6  # round(x * 1e6) / 1e6 is round(x, 6) but for a half-micro-dollar tie
        if self.fixed:
            return [round(round(k * r) / 1e6 + self.fixed, 6) for r in rpms]
        return [round(k * r) / 1e6 for r in rpms]

    def cost(self, rpm: float, peak: float) -> float:
        if self.fixed:
            return round(round(self.per_request * rpm, 6) + self.fixed, 6)
        return round(self.per_request * rpm, 6)


# Immutable, but nothing compares, hashes or prints it: no generated `==`, hash or repr (each
# generated method is compiled when the module is imported, a start-up cost of every command).
@dataclass(frozen=True, eq=False, repr=False)
class FleetCurve:
    """A tuned model on its API provider's dedicated deployment (api/dedicated.py): per candidate
    replica (`(requests/s at the utilisation cap, GPUs, USD per GPU-hour)`), at least one replica
    and enough for the load; the cheapest candidate, plus `fixed` USD a month (training runs).
    The provider runs it: GPU-hours only, no operations."""

    candidates: tuple[tuple[float, int, float], ...]
    hours_per_day: float = 24.0
    fixed: float = 0.0

    def pick(self, rpm: float, peak: float) -> tuple[int, int, float]:
        """(index of the cheapest candidate, its replicas, its USD a month) at this load."""
        need = max(peak, rpm / (SECONDS_PER_MONTH * self.hours_per_day / 24.0))
        best = (0, 0, math.inf)
        for i, (cap, gpus, hourly) in enumerate(self.candidates):
            replicas = max(1, math.ceil(need / cap - 1e-9))
            monthly = round(replicas * gpus * hourly * HOURS_PER_MONTH, 6)
            if monthly < best[2]:
                best = (i, replicas, monthly)
        return best

    def cost(self, rpm: float, peak: float) -> float:
        return round(self.pick(rpm, peak)[2] + self.fixed, 6)

    def costs(self, rpms: list[float], peaks: list[float]) -> list[float]:
        return [self.cost(r, p) for r, p in zip(rpms, peaks, strict=True)]


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
    training: float = 0.0  # USD a month: fine-tuning runs (runs a year / 12 × one run), fixed like setup
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


def _total(gpu: float, batch: float, has_batch: bool, operations: float, setup: float) -> float:
    """The option's cost from its parts, each rounded to 1e-6 USD and summed in the breakdown's
    order (gpus, batch_gpus, operations, setup), exactly as the report's sum of its breakdown."""
    if has_batch:
        return round(round(gpu, 6) + round(batch, 6) + operations + setup, 6)
    return round(round(gpu, 6) + operations + setup, 6)


def choice_key(ok: bool, total: float, gpus: int) -> tuple[bool, float, int]:
    """How a self-hosted option chooses among its plans (`SelfCurve.quote` and `chosen`): a plan
    meeting the latency targets beats one that does not; then the cheaper; ties go to fewer GPUs
    per replica (then to the first plan: the first minimum is kept)."""
    return (not ok, total, gpus)


class Quote:
    """One plan's price at one volume: what the engine reports and the sweep sums."""

    __slots__ = (
        "batch_cost",
        "batch_gpus",
        "batch_replicas",
        "billed_gpus",
        "gpu_cost",
        "gpus",
        "ok",
        "operations",
        "plan",
        "replicas",
        "spot",
        "total",
    )

    def __init__(
        self,
        plan: int,
        replicas: int,
        batch_replicas: int,
        gpu_cost: float,
        batch_cost: float,
        billed_gpus: int,
        batch_gpus: int,
        operations: float,
        spot: bool,
        ok: bool,
        gpus: int,
        setup: float,
    ) -> None:
        self.plan = plan  # index into the curve's plans
        self.replicas = replicas  # interactive (or shared) replicas
        self.batch_replicas = batch_replicas  # replicas running only inside the batch window (0: none)
        self.gpu_cost = gpu_cost  # USD a month, interactive/shared fleet
        self.batch_cost = batch_cost  # USD a month, batch fleet
        self.billed_gpus = billed_gpus
        self.batch_gpus = batch_gpus
        self.operations = operations
        self.spot = spot  # the shared/interactive fleet runs on spot
        self.ok = ok
        self.gpus = gpus  # per replica
        self.total = _total(gpu_cost, batch_cost, batch_replicas > 0, operations, setup)

    def parts(self, setup: float) -> dict[str, float]:
        """The cost breakdown, each part rounded to 1e-6 USD (the sum is the option's cost)."""
        out = {"gpus": round(self.gpu_cost, 6)}
        if self.batch_replicas:
            out["batch_gpus"] = round(self.batch_cost, 6)
        out["operations"] = self.operations
        out["setup"] = setup
        return out

    def key(self) -> tuple[bool, float, int]:
        return choice_key(self.ok, self.total, self.gpus)


_MISSING = object()
_RAW_MEMO_MAX = 1024


class SelfCurve:
    """A self-hosted option as a function of volume: the cheapest plan and fleet layout (a plan
    meeting the latency targets beats one that does not; ties go to fewer GPUs, then to the
    first plan) plus operations that grow with the nodes and a fixed setup cost."""

    def __init__(self, plans: list[Plan], fleet: Fleet) -> None:
        self.plans, self.fleet = plans, fleet
        # Every total counts the fixed monthly costs: setup and, for a tuned model, its training runs.
        self.setup = fleet.setup + fleet.training
        self.training = fleet.training
        for p in plans:
            p.min_replicas = fleet.min_replicas
        f = fleet
        self._spot_factor = 1.0 + SPOT_INTERRUPTION_OVERHEAD
        self._avg_k = 1.0 / (SECONDS_PER_MONTH * f.hours_per_day / 24.0)  # rpm → active-hours req/s
        self._batch_k = f.batch_share / (DAYS_PER_MONTH * f.batch_window_hours * 3600.0)  # rpm → batch req/s
        self._raw_memo: dict[tuple[Plan, tuple[int, int, int]], tuple[tuple, int, int, float] | None] = {}
        # gpu_floor by load: `sensitivity` bounds the same loads again for every what-if that
        # leaves volume, peak and capacity as they are (prices, quality, engineer cost).
        self._floor_memo: dict[tuple[float, float], float] = {}
        self._ops_floor: float | None = None

    # ------------------------------------------------------------ one plan at one volume
    # Raw prices: (gpu cost, batch cost, billed GPUs, batch GPUs, operations, on spot), or None.
    def _shared_raw(self, plan: Plan, r: int) -> tuple[float, float, int, int, float, bool] | None:
        """`r` replicas serve everything (batch fills the valleys of the active hours)."""
        cost, billed, spot = self._shared_gpu(plan, r)
        if cost == math.inf:
            return None
        return (cost, 0.0, billed, 0, self.fleet.operations(billed), spot)

    def _shared_gpu(self, plan: Plan, r: int) -> tuple[float, int, bool]:
        """(GPU cost a month, GPUs billed, on spot) of `r` shared replicas; inf when nothing can
        be rented (`gpu_floor` needs only this, not the operations)."""
        f = self.fleet
        spot = f.spot == "all" and plan.has_spot
        pk = plan.spot_packer if spot else plan.packer
        hourly, billed = pk.cost(r, f.min_replicas)
        if hourly == math.inf:
            return (math.inf, billed, spot)
        return (hourly * f.active_hours * (self._spot_factor if spot else 1.0), billed, spot)

    def _split_raw(self, plan: Plan, r: int, rb: int) -> tuple[float, float, int, int, float, bool] | None:
        """`r` interactive replicas (0 when nothing is interactive) plus `rb` replicas that run
        only inside the batch window, on spot when asked."""
        f = self.fleet
        # Spot only where the cloud publishes a spot price; otherwise on demand, no overhead.
        all_spot = f.spot == "all" and plan.has_spot
        batch_spot = f.spot != "off" and plan.has_spot
        pk = plan.spot_packer if all_spot else plan.packer
        hourly, billed = (0.0, 0) if r == 0 else pk.cost(r, f.min_replicas)
        bpk = plan.spot_packer if batch_spot else plan.packer
        bhourly, bbilled = bpk.cost(rb)
        if hourly == math.inf or bhourly == math.inf:
            return None
        cost = hourly * f.active_hours * (self._spot_factor if all_spot else 1.0)
        bcost = bhourly * f.batch_hours * (self._spot_factor if batch_spot else 1.0)
        return (cost, bcost, billed, bbilled, f.operations(billed + bbilled), all_spot)

    def _raw(self, plan: Plan, counts: tuple[int, int, int]) -> tuple[tuple, int, int, float] | None:
        """The cheaper fleet layout of one plan: (raw price, replicas, batch replicas, total).
        Memoised: the engine, the sampled scenarios and their bounds ask for the same counts."""
        key = (plan, counts)
        hit = self._raw_memo.get(key, _MISSING)
        if hit is _MISSING:
            if len(self._raw_memo) >= _RAW_MEMO_MAX:
                self._raw_memo.clear()  # thousands of sampled scenarios: keep memory bounded
            hit = self._raw_memo[key] = self._raw_layout(plan, counts)
        return hit  # type: ignore[return-value]

    def _raw_layout(self, plan: Plan, counts: tuple[int, int, int]) -> tuple[tuple, int, int, float] | None:
        shared, inter, rb = counts
        setup = self.setup
        a = self._shared_raw(plan, shared)
        ta = math.inf if a is None else _total(a[0], 0.0, False, a[4], setup)
        if rb == 0:
            return None if a is None else (a, shared, 0, ta)
        b = self._split_raw(plan, inter, rb)
        if b is None:
            return None if a is None else (a, shared, 0, ta)
        tb = _total(b[0], b[1], True, b[4], setup)
        return (b, inter, rb, tb) if tb < ta else (a, shared, 0, ta)

    def _replica_counts(self, plan: Plan, rpm: float, peak: float) -> tuple[int, int, int]:
        """(shared replicas, interactive replicas of a split fleet, batch replicas)."""
        avg = rpm * self._avg_k
        cap, low = plan.cap, plan.min_replicas
        shared = math.ceil((peak if peak > avg else avg) / cap - 1e-9)
        if shared < low:
            shared = low
        if self._batch_k <= 0:
            return shared, shared, 0
        if self.fleet.batch_share >= 1:
            inter = 0
        else:
            inter = math.ceil(peak / cap - 1e-9)
            if inter < low:
                inter = low
        return shared, inter, math.ceil(rpm * self._batch_k / plan.full - 1e-9)

    def _plan_quote(self, i: int, plan: Plan, counts: tuple[int, int, int]) -> Quote | None:
        got = self._raw(plan, counts)
        if got is None:
            return None
        (cost, bcost, billed, bbilled, ops, spot), r, rb, _ = got
        return Quote(i, r, rb, cost, bcost, billed, bbilled, ops, spot, plan.ok, plan.gpus, self.setup)

    def _plan_key(self, plan: Plan, counts: tuple[int, int, int]) -> tuple[float, int] | None:
        """(total, GPUs per replica) of `_plan_quote`, without building the quote (the sweep,
        which keeps its own memo per chunk: this one would grow with the points)."""
        got = self._raw_layout(plan, counts)
        if got is None:
            return None
        return (got[3], plan.gpus)

    def quotes(self, rpm: float, peak: float) -> list[Quote | None]:
        """Every plan's price at a volume (None where nothing can be rented)."""
        return [self._plan_quote(i, p, self._replica_counts(p, rpm, peak)) for i, p in enumerate(self.plans)]

    @staticmethod
    def best(quotes: list[Quote | None]) -> Quote | None:
        best: Quote | None = None
        for q in quotes:
            if q is not None and (best is None or q.key() < best.key()):
                best = q
        return best

    def quote(self, rpm: float, peak: float) -> Quote | None:
        """The chosen plan and fleet at a volume; None when nothing can be rented."""
        return self.best(self.quotes(rpm, peak))

    def choose(self, rpm: float, peak: float) -> tuple[int, int] | None:
        """(index of the chosen plan, its replicas) at a volume; None when nothing can be rented."""
        q = self.quote(rpm, peak)
        return None if q is None else (q.plan, q.replicas)

    def cost(self, rpm: float, peak: float) -> float | None:
        q = self.quote(rpm, peak)
        return None if q is None else q.total

    def chosen(self, rpm: float, peak: float) -> tuple[Plan, tuple, float] | None:
        """The plan `quote` chooses at a volume, its raw price and its total (the option's cost),
        without building the quotes: traffic classes price 100 × 1,200 options for the single
        option alone. None when nothing can be rented."""
        best: tuple[tuple[bool, float, int], Plan, tuple] | None = None
        for plan in self.plans:
            # Not memoised (`_raw`): each plan is priced once here, and the curve is kept for later.
            got = self._raw_layout(plan, self._replica_counts(plan, rpm, peak))
            if got is None:
                continue
            key = choice_key(plan.ok, got[3], plan.gpus)  # as Quote.key: the first minimum is kept
            if best is None or key < best[0]:
                best = (key, plan, got)
        return None if best is None else (best[1], best[2][0], best[2][3])

    # ------------------------------------------------------------ bounds (uncertainty)
    def gpu_floor(self, rpm: float, peak: float) -> float:
        """A lower bound on the GPU cost a month at any volume and peak at least (`rpm`, `peak`):
        the cheapest plan and fleet layout at these replica counts. Counts never fall as the load
        grows, and a packer's price never falls as replicas are added (any cover of n + 1
        replicas also covers n), so no larger load costs less in GPUs."""
        key = (rpm, peak)
        hit = self._floor_memo.get(key)
        if hit is not None:
            return hit
        low = math.inf
        for plan in self.plans:
            shared, inter, rb = self._replica_counts(plan, rpm, peak)
            cost = self._shared_gpu(plan, shared)[0]
            if cost < low:
                low = cost
            if self._batch_k > 0:
                b = self._split_raw(plan, inter, rb)
                if b is not None:
                    low = min(low, b[0] + b[1])
        low = self._floor_memo[key] = 0.0 if low == math.inf else low
        return low

    def operations_floor(self) -> float:
        """The operations cost every fleet pays, whatever its size."""
        if self._ops_floor is None:
            self._ops_floor = self.fleet.operations(0)
        return self._ops_floor

    def drop_memos(self) -> None:
        """Forget the prices memoised so far (they are worked out again when asked): a curve kept
        for later, as traffic classes keep 100 × 1,300 of them for shared fleets, holds only its plans."""
        self._raw_memo = {}
        self._floor_memo = {}

    # ------------------------------------------------------------ scaled volumes (uncertainty)
    def _counts_all(self, rpm: float, peak: float) -> tuple[tuple[int, int, int], ...]:
        return tuple(self._replica_counts(p, rpm, peak) for p in self.plans)

    def split_costs(self, rpms: list[float], peaks: list[float]) -> tuple[list[float], list[float]]:
        """(GPU cost, operations cost) a month at each (requests a month, interactive peak).
        Uncertainty sampling passes the load over a capacity factor (a replica serving f × its
        rate needs as many replicas as 1 / f × the load). Volumes with the same replica counts
        in every plan cost the same, so each distinct combination is priced once; inf where
        nothing can be rented."""
        gpu: list[float] = []
        ops: list[float] = []
        memo: dict[tuple, tuple[float, float]] = {}
        if rpms:
            # Replica counts never fall as the volume or the peak grows: when the smallest and the
            # largest of both need the same counts, every sample does (one price for all).
            low = self._counts_all(min(rpms), min(peaks))
            if low == self._counts_all(max(rpms), max(peaks)):
                one = self._best_parts(low)
                return [one[0]] * len(rpms), [one[1]] * len(rpms)
        for rpm, peak in zip(rpms, peaks, strict=True):
            counts = self._counts_all(rpm, peak)
            hit = memo.get(counts)
            if hit is None:
                hit = memo[counts] = self._best_parts(counts)
            gpu.append(hit[0])
            ops.append(hit[1])
        return gpu, ops

    def _best_parts(self, counts: tuple[tuple[int, int, int], ...]) -> tuple[float, float]:
        """(GPU cost, operations) of the plan `quote` would choose at these replica counts, without
        building the quotes; (inf, 0) when nothing can be rented."""
        best: tuple[bool, float, int] | None = None
        parts = (math.inf, 0.0)
        for plan, c in zip(self.plans, counts, strict=True):
            got = self._raw(plan, c)
            if got is None:
                continue
            raw, _, _, total = got
            key = (not plan.ok, total, plan.gpus)
            if best is None or key < best:
                best, parts = key, (raw[0] + raw[1], raw[4])
        return parts

    def cost_scaled(
        self,
        rpm: float,
        peak: float,
        cap_factor: float = 1.0,
        gpu_factor: float = 1.0,
        fixed_factor: float = 1.0,
    ) -> float | None:
        """`cost` with each replica serving `cap_factor` × its estimated rate, GPU prices ×
        `gpu_factor`, operations and setup × `fixed_factor` (sensitivity); exactly `cost` when
        every factor is 1."""
        q = self.quote(rpm / cap_factor, peak / cap_factor)
        if q is None:
            return None
        if cap_factor == gpu_factor == fixed_factor == 1.0:
            return q.total
        gpu = (q.gpu_cost + q.batch_cost) * gpu_factor
        return round(gpu + (q.operations + self.setup - self.training) * fixed_factor + self.training, 6)
