"""Where two swept options swap order, refined by bisection between grid points."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol


class Series(Protocol):
    """What a crossing needs of a swept option (`sweep.Series` is one): an id, and its costs and
    feasibility at the grid points (costs may be empty when they are computed on demand)."""

    id: str
    costs: list[float]
    feasible: Any


MAX_PAIRWISE = 12  # above this many options, only changes of the cheapest option are crossings


@dataclass
class Crossing:
    a: str
    b: str
    at: float  # first value (refined) at which the order has flipped
    between: tuple[float, float]  # the grid points around it
    cost_a: float
    cost_b: float
    cheaper_below: str
    cheaper_above: str
    refined: bool

    def to_dict(self, field_name: str) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            field_name: self.at,
            "between": list(self.between),
            "cost_a": self.cost_a,
            "cost_b": self.cost_b,
            "cheaper_below": self.cheaper_below,
            "cheaper_above": self.cheaper_above,
            "refined": self.refined,
        }


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


TIE = 1e-9  # relative: two costs this close are the same cost (a tie, not an order)


def tied(a: float, b: float) -> bool:
    """Two costs equal but for float noise: options at the same flat cost are tied, and the end
    of a tie (one of them steps up) is no crossing."""
    return abs(a - b) <= TIE * max(abs(a), abs(b), 1.0)


def _order(a: float, b: float) -> int:
    return 0 if tied(a, b) else _sign(a - b)


def find_crossings(
    values: list[float],
    series: list[Series],
    cost_at: Callable[[Series, float], float] | None = None,
    log: bool = False,
    columns: Iterator[tuple[int, list[list[float]]]] | None = None,
) -> list[Crossing]:
    """Where two options swap order (pairwise up to MAX_PAIRWISE options; beyond that, where
    the cheapest option changes), refined by bisection when `cost_at` is given."""
    pairs: list[tuple[Series, Series, int, int]] = []  # (a, b, left index, right index)
    if len(series) <= MAX_PAIRWISE:
        for ia in range(len(series)):
            for ib in range(ia + 1, len(series)):
                a, b = series[ia], series[ib]
                last, last_sign = None, 0
                for i, (ca, cb) in enumerate(zip(a.costs, b.costs, strict=False)):
                    sg = _order(ca, cb)  # 0: tied (options at the same flat cost have no order)
                    if sg == 0:
                        continue
                    if last_sign and sg != last_sign:
                        pairs.append((a, b, last, i))
                    last, last_sign = i, sg
    else:
        pool = [s for s in series if all(s.feasible)] or list(series)
        pool.sort(key=lambda s: s.id)  # ties go to the smallest id
        where = {id(s): k for k, s in enumerate(series)}
        chunks = columns if columns is not None else iter([(0, [s.costs for s in series])])
        cur = -1
        before: tuple[float, ...] | None = None  # the previous grid point's costs
        for a, chunk in chunks:
            block = [chunk[where[id(s)]] for s in pool]
            for k, column in enumerate(zip(*block, strict=False)):
                i = a + k
                low = min(column)
                j = column.index(low)
                if cur < 0:
                    cur = j
                elif j != cur and not tied(low, column[cur]):
                    # Tied with the cheapest just before, the new cheapest only stayed flat while
                    # the other stepped up: a change of name, not a crossing.
                    if before is None or not tied(before[j], before[cur]):
                        pairs.append((pool[cur], pool[j], i - 1, i))
                    cur = j
                before = column
    out = []
    for a, b, i0, i1 in pairs:
        out.append(_refine(a, b, values, i0, i1, cost_at, log))
    out.sort(key=lambda c: (c.at, c.a, c.b))
    return out


def _refine(
    a: Series,
    b: Series,
    values: list[float],
    i0: int,
    i1: int,
    cost_at: Callable[[Series, float], float] | None,
    log: bool,
) -> Crossing:
    x0, x1 = values[i0], values[i1]

    def at(s: Series, i: int) -> float:
        # A streamed (lazy) series keeps no costs: read its curve at the grid point.
        return s.costs[i] if s.costs or cost_at is None else cost_at(s, values[i])

    left = _sign(at(a, i0) - at(b, i0)) or -_sign(at(a, i1) - at(b, i1))
    ca, cb = at(a, i1), at(b, i1)
    refined = False
    if cost_at is not None:
        refined = True
        for _ in range(60):
            mid = math.sqrt(x0 * x1) if log and x0 > 0 else (x0 + x1) / 2
            if not x0 < mid < x1:
                break
            ma, mb = cost_at(a, mid), cost_at(b, mid)
            if _sign(ma - mb) == left:
                x0 = mid
            else:
                x1, ca, cb = mid, ma, mb
            if x1 - x0 <= 1e-7 * abs(x1):
                break
    below, above = (a.id, b.id) if left < 0 else (b.id, a.id)
    return Crossing(a.id, b.id, x1, (values[i0], values[i1]), ca, cb, below, above, refined)
