"""Break-even volume between two options (pure core).

Costs are evaluated on a log-spaced grid of monthly request volumes; every sign change of
cost_a − cost_b is then bisected. Self-hosting cost is a step function of replicas, so two
options may cross several times: every crossing is reported, not only the first.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from ..engine import Engine
from ..errors import InputError


def _cost(engine: Engine, option: str, rpm: float) -> float:
    eng = engine.with_workload(engine.wl.with_requests_per_month(rpm))
    return eng.option(option)[0].monthly_cost


def fleet(engine: Engine, option: str, rpm: float) -> dict[str, Any] | None:
    """A self-hosted option's fleet at `rpm` requests a month (null for an API): the servers
    bought or rented where the costs cross, not at the workload's own volume."""
    o = engine.with_workload(engine.wl.with_requests_per_month(rpm)).option(option)[0]
    sh = o.self_hosting
    if sh is None:
        return None
    out: dict[str, Any] = {
        "replicas": sh.replicas,
        "gpus_per_replica": sh.gpus_per_replica,
        "billed_gpus": sh.billed_gpus,
        "nodes": sh.nodes_in_fleet,
    }
    capex = getattr(o, "capex", None)  # the up-front purchase at that volume (0 for rented GPUs)
    if capex is not None:
        out["capex"] = capex
    return out


def breakeven(engine: Engine, a: str, b: str, lo: float = 1e3, hi: float = 1e10, points: int = 71) -> dict[str, Any]:
    a_out, b_out = engine.option(a)[0], engine.option(b)[0]
    for o in (a_out, b_out):
        if o.monthly_cost is None:  # does not fit / shut down: no cost at any volume
            raise InputError.one(
                f"{o.id} cannot run at all ({'; '.join(o.violations)}); there is no break-even", field="option"
            )
    a_id, b_id = a_out.id, b_out.id
    tokens_per_request = engine.wl.traffic.input_tokens + engine.wl.traffic.output_tokens
    grid = [10 ** (math.log10(lo) + (math.log10(hi) - math.log10(lo)) * i / (points - 1)) for i in range(points)]
    rows = []
    for r in grid:
        ca, cb = _cost(engine, a_id, r), _cost(engine, b_id, r)
        rows.append({"requests_per_month": r, "tokens_per_month": r * tokens_per_request, "cost_a": ca, "cost_b": cb})
    crossings = []
    for left, right in itertools.pairwise(rows):
        d_left = left["cost_a"] - left["cost_b"]
        d_right = right["cost_a"] - right["cost_b"]
        if d_left == 0 and left is rows[0]:
            crossings.append(_crossing(left, left, right, tokens_per_request))
        if (d_left < 0) == (d_right < 0) or (d_right == 0 and d_left == 0):
            continue
        x0, x1 = left["requests_per_month"], right["requests_per_month"]
        for _ in range(48):  # bisect in log space to ~1e-6 relative
            mid = math.sqrt(x0 * x1)
            dm = _cost(engine, a_id, mid) - _cost(engine, b_id, mid)
            if (dm < 0) == (d_left < 0):
                x0 = mid
            else:
                x1 = mid
            if x1 / x0 < 1 + 1e-7:
                break
        at = x1
        point = {
            "requests_per_month": at,
            "tokens_per_month": at * tokens_per_request,
            "cost_a": _cost(engine, a_id, at),
            "cost_b": _cost(engine, b_id, at),
        }
        crossings.append(_crossing(point, left, right, tokens_per_request))
    for c in crossings:
        c["fleet_a"] = fleet(engine, a_id, c["requests_per_month"])
        c["fleet_b"] = fleet(engine, b_id, c["requests_per_month"])
    return {
        "schema_version": 1,
        "option_a": a_id,
        "option_b": b_id,
        "searched_requests_per_month": [lo, hi],
        "breakeven_requests_per_month": crossings[0]["requests_per_month"] if crossings else None,
        "breakeven_tokens_per_month": crossings[0]["tokens_per_month"] if crossings else None,
        "crossings": crossings,
        "points": rows,
    }


def _crossing(point: dict[str, Any], left: dict[str, Any], right: dict[str, Any], tpr: float) -> dict[str, Any]:
    def cheaper(row: dict[str, Any]) -> str:
        if row["cost_a"] == row["cost_b"]:
            return "equal"
        return "a" if row["cost_a"] < row["cost_b"] else "b"

    return {
        "requests_per_month": point["requests_per_month"],
        "tokens_per_month": point["requests_per_month"] * tpr,
        "cost_a": point["cost_a"],
        "cost_b": point["cost_b"],
        "cheaper_below": cheaper(left),
        "cheaper_above": cheaper(right),
    }
