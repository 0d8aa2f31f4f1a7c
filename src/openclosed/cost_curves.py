"""An option reduced to its monthly cost as a function of volume.

The engine prices a self-hosted option through its `SelfCurve` at the workload's own peak rate,
and the sweep evaluates the very same object at thousands of other volumes, so a cost rule
added here holds for both. An API option's cost is linear in volume (`ApiCurve`).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from itertools import groupby

from .packing import Instance, packer
from .sizing import Sizing
from .workload import HOURS_PER_MONTH


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
    """An option whose cost does not depend on volume (nothing fits: operations and setup only)."""

    def __init__(self, value: float) -> None:
        self.value = value

    def costs(self, rpms: list[float], peaks: list[float]) -> list[float]:
        return [self.value] * len(rpms)

    def cost(self, rpm: float, peak: float) -> float:
        return self.value


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
    ) -> None:
        self.cap = cap  # requests/s one replica serves at the utilisation cap
        self.instances = instances
        self.ok = ok  # meets the latency targets
        self.gpus = gpus  # GPUs per replica
        self.precision = precision
        self.sizing = sizing
        self.packer = packer(instances)

    def replicas(self, peak: float) -> int:
        return max(1, math.ceil(peak / self.cap - 1e-9))

    def gpu_cost(self, replicas: int) -> float:
        return self.packer.hourly(replicas) * HOURS_PER_MONTH

    def runs(self, peaks: list[float]) -> list[tuple[int, int]]:
        """(end index, replicas) for each run of equal replica counts along sorted peaks."""
        n = len(peaks)
        cap = self.cap
        first, last = self.replicas(peaks[0]), self.replicas(peaks[-1])
        if last - first > n // 8:  # dense: nearly every point has its own count
            ceil = math.ceil
            reps = [max(1, ceil(p / cap - 1e-9)) for p in peaks]
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


class SelfCurve:
    """A self-hosted option as a step function of the peak request rate: the cheapest plan
    (a plan meeting the latency targets beats one that does not; ties go to fewer GPUs, then to
    the first plan) plus fixed operations and setup costs."""

    def __init__(self, plans: list[Plan], operations: float, setup: float) -> None:
        self.plans, self.operations, self.setup = plans, operations, setup

    def choose(self, peak: float) -> tuple[int, int] | None:
        """(index of the chosen plan, its replicas) at a peak rate; None when nothing can be rented."""
        best: tuple[tuple[bool, float, int], int, int] | None = None
        for i, plan in enumerate(self.plans):
            r = plan.replicas(peak)
            cost = plan.gpu_cost(r)
            if not math.isfinite(cost):
                continue
            key = (not plan.ok, cost, plan.gpus)
            if best is None or key < best[0]:
                best = (key, i, r)
        return None if best is None else (best[1], best[2])

    def _total(self, reps: tuple[int, ...], plans: list[Plan] | None = None) -> float:
        best = None
        for plan, r in zip(plans or self.plans, reps, strict=False):
            cost = plan.gpu_cost(r)
            if not math.isfinite(cost):
                continue
            key = (not plan.ok, cost, plan.gpus)
            if best is None or key < best:
                best = key
        assert best is not None
        # The engine's breakdown is rounded to 1e-6 USD and summed in the order gpus, operations, setup.
        return round(round(best[1], 6) + self.operations + self.setup, 6)

    def cost(self, rpm: float, peak: float) -> float:
        return self._total(tuple(p.replicas(peak) for p in self.plans))

    def costs(self, rpms: list[float], peaks: list[float]) -> list[float]:
        live = [p for p in self.plans if p.ok] or self.plans
        n = len(peaks)
        spread = sum(min(n, p.replicas(peaks[-1]) - p.replicas(peaks[0]) + 1) for p in live)
        if spread > n // 6 and len(live) <= 2:
            return self._dense(live, peaks)
        all_runs = [p.runs(peaks) for p in live]
        if len(all_runs) == 1:
            out: list[float] = []
            start = 0
            for end, r in all_runs[0]:
                out.extend([self._total((r,), live)] * (end - start))
                start = end
            return out
        ends = sorted({end for runs in all_runs for end, _ in runs})
        pos = [0] * len(all_runs)
        out = []
        start = 0
        for end in ends:
            reps = []
            for k, runs in enumerate(all_runs):
                while runs[pos[k]][0] < end:
                    pos[k] += 1
                reps.append(runs[pos[k]][1])
            out.extend([self._total(tuple(reps), live)] * (end - start))
            start = end
        return out

    def _dense(self, live: list[Plan], peaks: list[float]) -> list[float]:
        """Point by point, for ranges where nearly every point needs its own replica count."""
        gpu = [_dense_gpu_costs(p, peaks) for p in live]
        if len(gpu) == 1:
            best = gpu[0]
        else:
            (a_costs, b_costs), (ga, gb) = gpu, (live[0].gpus, live[1].gpus)
            if ga <= gb:  # ties of cost go to fewer GPUs, then to the first plan
                best = [a if a <= b else b for a, b in zip(a_costs, b_costs, strict=False)]
            else:
                best = [a if a < b else b for a, b in zip(a_costs, b_costs, strict=False)]
        ops, setup = self.operations, self.setup
        # round(x * 1e6) / 1e6 is round(x, 6) except within an ulp of a half-micro-dollar tie,
        # and several times faster; a tie moves the result by 1e-6 USD, the engine's resolution.
        return [round((round(g * 1e6) / 1e6 + ops + setup) * 1e6) / 1e6 for g in best]


def _dense_gpu_costs(plan: Plan, peaks: list[float]) -> list[float]:
    ceil, cap, hpm = math.ceil, plan.cap, HOURS_PER_MONTH
    hourly = plan.packer.hourly_many([ceil(p / cap - 1e-9) or 1 for p in peaks])
    return [h * hpm for h in hourly]
