"""Rentable instances and the cheapest way to hold N replicas in them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from ..catalog.schema import GpuOffer


@dataclass(frozen=True)
class Instance:
    """A rentable instance shape: replicas it holds, its GPUs, its hourly price and its name."""

    holds: int  # replicas per instance
    gpus: int
    hourly: float  # USD per instance-hour
    name: str


def instances(offers: list[tuple[GpuOffer, float]], tp: int, node_gpus: int = 8) -> list[Instance]:
    """The instance shapes (offer × GPU count) that hold at least one replica of `tp` GPUs.

    A replica larger than a node (`tp` a multiple of `node_gpus`) rents whole nodes: an offer that
    rents a full node holds it as tp / node_gpus of those instances."""
    out = []
    for offer, price in offers:
        for count in offer.gpu_counts:
            if count >= tp:
                out.append(Instance(count // tp, count, count * price, offer.instance or ""))
        if tp > node_gpus and tp % node_gpus == 0 and node_gpus in offer.gpu_counts:
            out.append(Instance(1, tp, tp * price, f"{tp // node_gpus}× {offer.instance or 'node'}"))
    return out


class Packer:
    """The cheapest way to hold N replicas in a cloud's rentable instances (one instance menu).

    Large counts are mostly the instance with the best price per replica; an exact table covers
    the remainder (fewer than five of those instances' worth), so any N costs a few operations.
    """

    def __init__(self, instances: tuple[Instance, ...]) -> None:
        self.instances = instances
        self.best = min(instances, key=lambda i: i.hourly / i.holds) if instances else None
        size = 5 * self.best.holds if self.best else 0
        # table[n]: (USD/hour, GPUs, instance names) of the cheapest cover of n replicas.
        table: list[tuple[float, int, tuple[str, ...]]] = [(0.0, 0, ())] + [(math.inf, 0, ())] * size
        for k in range(1, size + 1):
            for inst in instances:
                prev = table[max(0, k - inst.holds)]
                cand = (prev[0] + inst.hourly, prev[1] + inst.gpus, (*prev[2], inst.name))
                if cand[0] < table[k][0] - 1e-12:
                    table[k] = cand
        self.table = table
        self._spread: dict[tuple[int, int], tuple[float, int]] = {}  # small counts spread over machines

    def _split(self, replicas: int) -> tuple[int, int]:
        assert self.best is not None
        bulk = max(0, replicas // self.best.holds - 4)
        return bulk, replicas - bulk * self.best.holds

    def hourly(self, replicas: int) -> float:
        """USD per hour for `replicas` replicas (inf when nothing can be rented)."""
        if self.best is None:
            return math.inf
        bulk, rest = self._split(replicas)
        return self.table[rest][0] + bulk * self.best.hourly

    def hourly_many(self, replicas: list[int]) -> list[float]:
        """`hourly` for many counts at once (a sweep prices thousands of points)."""
        best = self.best
        if best is None:
            return [math.inf] * len(replicas)
        h, unit, table = best.holds, best.hourly, self.table
        out = []
        for r in replicas:
            bulk = r // h - 4
            if bulk < 0:
                bulk = 0
            out.append(table[r - bulk * h][0] + bulk * unit)
        return out

    def plan(self, replicas: int) -> tuple[float, int, dict[str, int]]:
        """(USD/hour, GPUs billed, instance counts by name). Counts, not a list of names: at a
        billion requests a day a list would hold a million entries per option."""
        if self.best is None:
            return (math.inf, 0, {})
        bulk, rest = self._split(replicas)
        cost, gpus, names = self.table[rest]
        counts: dict[str, int] = {self.best.name: bulk} if bulk else {}
        for name in names:
            counts[name] = counts.get(name, 0) + 1
        return (cost + bulk * self.best.hourly, gpus + bulk * self.best.gpus, counts)

    def cost(self, replicas: int, spread: int = 1) -> tuple[float, int]:
        """(USD/hour, GPUs billed) of `plan_spread`, without building the instance counts: the
        sweep prices thousands of points with it."""
        best = self.best
        if best is None:
            return (math.inf, 0)
        bulk = replicas // best.holds - 4
        if bulk < 0:
            bulk = 0
        cost, gpus, names = self.table[replicas - bulk * best.holds]
        if spread > 1 and bulk + len(names) < spread:
            key = (replicas, spread)
            hit = self._spread.get(key)
            if hit is None:
                hit = self._spread[key] = self.plan_spread(replicas, spread)[:2]
            return hit
        return (cost + bulk * best.hourly, gpus + bulk * best.gpus)

    def plan_spread(self, replicas: int, spread: int) -> tuple[float, int, dict[str, int]]:
        """`plan`, with the replicas in at least `spread` instances (no single machine whose loss
        takes every replica down). Only small counts need the search: once the cheapest cover
        already uses `spread` instances, it is the answer.

        The work is bounded whatever `min_replicas` is (it may be 100,000): an exact table search
        while replicas × spread × instance shapes stays under EXACT_WORK, else the cheapest plan
        of at most two instance shapes (`_two_shapes`)."""
        base = self.plan(replicas)
        if spread <= 1 or self.best is None or sum(base[2].values()) >= spread:
            return base
        spread = min(spread, replicas)
        if (replicas + 1) * (spread + 1) * len(self.instances) <= EXACT_WORK:
            return self._exact_spread(replicas, spread)
        return self._two_shapes(replicas, spread)

    def _exact_spread(self, replicas: int, spread: int) -> tuple[float, int, dict[str, int]]:
        """The cheapest cover of `replicas` with at least `spread` instances, by a table over
        (replicas covered, instances so far, capped at `spread`); back-pointers, not copies."""
        inf = math.inf
        cost = [[inf] * (spread + 1) for _ in range(replicas + 1)]
        back: list[list[tuple[int, int, int] | None]] = [[None] * (spread + 1) for _ in range(replicas + 1)]
        cost[0][0] = 0.0
        for n in range(replicas + 1):
            row = cost[n]
            for j in range(spread + 1):
                here = row[j]
                if here == inf:
                    continue
                k = min(spread, j + 1)
                for i, inst in enumerate(self.instances):
                    m = min(replicas, n + inst.holds)
                    cand = here + inst.hourly
                    if cand < cost[m][k] - 1e-12:
                        cost[m][k] = cand
                        back[m][k] = (n, j, i)
        counts: dict[str, int] = {}
        gpus, n, j = 0, replicas, spread
        while (step := back[n][j]) is not None:
            n, j, i = step
            inst = self.instances[i]
            counts[inst.name] = counts.get(inst.name, 0) + 1
            gpus += inst.gpus
        return (cost[replicas][spread], gpus, counts)

    def _two_shapes(self, replicas: int, spread: int) -> tuple[float, int, dict[str, int]]:
        """The cheapest plan of at most two instance shapes a and b: x_a + x_b >= spread
        instances holding h_a x_a + h_b x_b >= replicas. A linear programme with these two
        constraints has an optimum on two shapes; for a pair, the cost as a function of x_a is
        piecewise linear with steps of period h_b, so only x_a near its ends and near the
        corner where both constraints bind (± h_b) is tried. A few thousand evaluations."""
        best: tuple[float, int, dict[str, int]] = (math.inf, 0, {})
        shapes = self.instances
        for ia, a in enumerate(shapes):
            for b in shapes[ia:]:
                top = max(spread, -(-replicas // a.holds))
                points = {0, top}
                if b.holds != a.holds:
                    corner = (spread * b.holds - replicas) / (b.holds - a.holds)
                    points.add(int(corner))
                for p in list(points):
                    points.update(range(max(0, p - b.holds - 1), min(top, p + b.holds + 1) + 1))
                for xa in points:
                    if not 0 <= xa <= top:
                        continue
                    xb = max(0, spread - xa, -(-(replicas - a.holds * xa) // b.holds))
                    total = xa * a.hourly + xb * b.hourly
                    if total < best[0] - 1e-12:
                        counts: dict[str, int] = {}
                        for inst, x in ((a, xa), (b, xb)):
                            if x:
                                counts[inst.name] = counts.get(inst.name, 0) + x
                        best = (total, xa * a.gpus + xb * b.gpus, counts)
        return best


# Above this many table cells (replicas × spread × instance shapes) the spread search uses the
# two-shape plan: a compare prices hundreds of such counts, so the exact table stays small.
EXACT_WORK = 2_000


@lru_cache(maxsize=4096)
def _packer(instances: tuple[Instance, ...]) -> Packer:
    return Packer(instances)


# The menu a host hands out for a GPU count is one tuple object for every model (host_prices.HostGpu):
# looked up by identity first, its instances are not hashed again for each of 2,000 plans.
_BY_ID: dict[int, tuple[tuple[Instance, ...], Packer]] = {}


def packer(instances: tuple[Instance, ...]) -> Packer:
    """The packer of an instance menu, one per distinct menu (the menu is kept with its entry, so
    its id cannot be reused by another while the entry stands)."""
    hit = _BY_ID.get(id(instances))
    if hit is not None and hit[0] is instances:
        return hit[1]
    made = _packer(instances)
    if len(_BY_ID) >= 4096:
        _BY_ID.clear()
    _BY_ID[id(instances)] = (instances, made)
    return made


def cheapest_packing(instances: tuple[Instance, ...], replicas: int) -> tuple[float, int, dict[str, int]]:
    """Cheapest set of instances holding `replicas` replicas: (USD/hour, GPUs billed, counts)."""
    return packer(instances).plan(replicas)
