"""Budget checks and report diffs (pure core; `check` and `diff` render them)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..report import OptionOut, Report
from ..yamlio import MAX_DEPTH, MAX_DIGITS, MAX_NUMBER, MIN_NUMBER


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"number is too large (more than {MAX_DIGITS} digits)")
    value = int(text)
    if abs(value) > MAX_NUMBER:
        raise ValueError(f"number {value} is out of range (up to {MAX_NUMBER:g})")
    return value


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise ValueError(f"number {value!r} is out of range (up to {MAX_NUMBER:g})")
    if value != 0 and abs(value) < MIN_NUMBER:
        raise ValueError(f"number {value!r} is too small (write 0 for zero)")
    return value


def parse_json(text: str, name: str) -> Any:
    """JSON with the YAML reader's limits: no NaN/Infinity, no huge or tiny numbers, bounded
    nesting, no lone surrogates. One InputError otherwise.

    Numbers are checked as they are parsed and the nesting by a walk over the containers alone:
    a saved `compare --all` report holds 1.4 million values."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int, parse_float=_parse_float)
    except json.JSONDecodeError as exc:
        raise InputError.one(f"invalid JSON: {exc.msg}", name, exc.lineno) from None
    except RecursionError:
        raise InputError.one(f"invalid JSON: nested more than {MAX_DEPTH} levels deep", name) from None
    except ValueError as exc:
        raise InputError.one(f"invalid JSON: {exc}", name) from None
    _check_depth(data, name)
    if _may_hold_surrogates(text):
        _check_strings(data, name)
    return data


def _check_depth(data: Any, name: str) -> None:
    """Every value (keys included) at most MAX_DEPTH levels below the top."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        kind = type(value)
        items = value.values() if kind is dict else value if kind is list else ()
        if items and depth + 1 > MAX_DEPTH:
            raise InputError.one(f"invalid JSON: nested more than {MAX_DEPTH} levels deep", name)
        for v in items:
            if type(v) is dict or type(v) is list:
                stack.append((v, depth + 1))


def _may_hold_surrogates(text: str) -> bool:
    """A lone surrogate reaches a parsed string only from a \\uD800-\\uDFFF escape or from the
    text itself (which then is not valid UTF-8)."""
    import re

    if re.search(r"\\u[dD][89a-fA-F]", text):
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_strings(value: Any, name: str) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _check_strings(k, name)
            _check_strings(v, name)
    elif isinstance(value, list):
        for v in value:
            _check_strings(v, name)
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError.one("invalid JSON: text holds a lone surrogate (not valid Unicode)", name) from None


def load_report(path: Path) -> dict[str, Any]:
    """A saved `compare --format json` report, checked enough to diff and compare against."""
    from ..yamlio import MAX_JSON_BYTES, read_text

    text = read_text(Path(path), kind="JSON", limit=MAX_JSON_BYTES)
    data = parse_json(text, str(path))
    if not isinstance(data, dict) or "options" not in data or not isinstance(data["options"], list):
        raise InputError.one("expected a report from `openclosed compare --format json`", str(path), 1)
    if data.get("schema_version") != 1:
        raise InputError.one(
            f"unsupported schema_version {data.get('schema_version')!r}; expected 1", str(path), 1, "schema_version"
        )
    for i, o in enumerate(data["options"]):
        cost = o.get("monthly_cost") if isinstance(o, dict) else None
        if (
            not isinstance(o, dict)
            or not isinstance(o.get("id"), str)
            or "monthly_cost" not in o
            or not (cost is None or _is_number(cost))
        ):
            raise InputError.one(
                "each option needs an id and a monthly_cost (a number, or null when it cannot run)",
                str(path),
                None,
                f"options[{i}]",
            )
        if cost is not None and not _is_cost(cost):
            raise InputError.one(
                f"monthly_cost must be a finite number from 0 to {MAX_NUMBER:g} (got {cost!r})",
                str(path),
                None,
                f"options[{i}].monthly_cost",
            )
    routing = data.get("routing")
    routed = routing.get("monthly_cost") if isinstance(routing, dict) else None
    if routed is not None and not (_is_number(routed) and _is_cost(routed)):
        raise InputError.one(
            f"monthly_cost must be a finite number from 0 to {MAX_NUMBER:g} (got {routed!r})",
            str(path),
            None,
            "routing.monthly_cost",
        )
    return data


def _is_cost(value: float) -> bool:
    # A negative cost turned a baseline comparison into "+inf%" (a failed check, exit 1).
    return math.isfinite(value) and 0 <= value <= MAX_NUMBER


ROUTED = "routed plan"


@dataclass
class RoutedPlan:
    """A routed workload's plan (every traffic class on its recommended option), read by a
    budget check like an option: the budget applies to what would run."""

    monthly_cost: float
    cost_per_million_tokens: float
    feasible: bool
    violations: list[str] = field(default_factory=list)
    id: str = ROUTED
    capex: float = 0.0  # the classes' options' capex, summed


def routed_plan(report: Report) -> RoutedPlan | None:
    routing = report.routing
    if routing is None:
        return None
    missing = [c.name for c in routing.classes if c.recommended is None]
    total = routing.monthly_cost
    if total is None:  # a class has no feasible option: the classes that do, and a violation
        total = round(sum(c.monthly_cost or 0.0 for c in routing.classes), 6)
    tokens = report.workload.tokens_per_month
    return RoutedPlan(
        monthly_cost=total,
        cost_per_million_tokens=round(total / tokens * 1e6, 6) if tokens else 0.0,
        feasible=not missing,
        violations=[f"class {n}: no option meets every constraint" for n in missing],
        capex=routing.capex or 0.0,
    )


def routed_baseline(baseline: dict[str, Any]) -> dict[str, Any]:
    """A saved report seen as the routed plan's baseline: its routed total, if it has one."""
    routing = baseline.get("routing")
    cost = routing.get("monthly_cost") if isinstance(routing, dict) else None
    return {"options": [{"id": ROUTED, "monthly_cost": cost}] if isinstance(cost, (int, float)) else []}


RUNS = "runs"  # the check of an option that cannot run at all (no figure for any budget)
FEASIBLE = "feasible"  # the check of an option a constraint rules out (a budget may hold)


def check_budgets(
    option: OptionOut | RoutedPlan,
    max_monthly_cost: float | None,
    max_cost_per_million: float | None,
    baseline: dict[str, Any] | None,
    max_increase_pct: float | None,
    max_capex: float | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return (checks, breaches); each check names the budget, the figure and the limit."""
    checks: list[dict[str, Any]] = []
    if option.monthly_cost is None:  # the option cannot run at all: no figure to check
        reason = "; ".join(option.violations) or "cannot run"
        check = {"budget": RUNS, "figure": reason, "limit": "an option that can run", "passed": False}
        return [check], [dict(check)]
    if max_monthly_cost is not None:
        checks.append(
            {
                "budget": "max_monthly_cost",
                "figure": option.monthly_cost,
                "limit": max_monthly_cost,
                "passed": option.monthly_cost <= max_monthly_cost,
            }
        )
    if max_capex is not None:
        capex = getattr(option, "capex", 0.0) or 0.0
        checks.append({"budget": "max_capex", "figure": capex, "limit": max_capex, "passed": capex <= max_capex})
    if max_cost_per_million is not None:
        checks.append(
            {
                "budget": "max_cost_per_million",
                "figure": option.cost_per_million_tokens,
                "limit": max_cost_per_million,
                "passed": option.cost_per_million_tokens <= max_cost_per_million,
            }
        )
    if baseline is not None:
        before = next((o for o in baseline["options"] if o["id"] == option.id), None)
        limit = max_increase_pct if max_increase_pct is not None else 0.0
        if before is None:
            checks.append(
                {
                    "budget": "max_increase_pct",
                    "figure": None,
                    "limit": limit,
                    "passed": True,
                    "note": f"{option.id} is not in the baseline; nothing to compare",
                }
            )
        elif before["monthly_cost"] is None:
            checks.append(
                {
                    "budget": "max_increase_pct",
                    "figure": None,
                    "limit": limit,
                    "passed": True,
                    "note": f"{option.id} could not run in the baseline; nothing to compare",
                }
            )
        else:
            old = float(before["monthly_cost"])
            pct = (
                (option.monthly_cost - old) / old * 100
                if old > 0
                else (0.0 if option.monthly_cost == 0 else float("inf"))
            )
            checks.append(
                {
                    "budget": "max_increase_pct",
                    "figure": round(pct, 4),
                    "limit": limit,
                    "passed": pct <= limit,
                    "baseline_monthly_cost": old,
                }
            )
    if not option.feasible:
        checks.append(
            {"budget": FEASIBLE, "figure": "; ".join(option.violations), "limit": "no violations", "passed": False}
        )
    return checks, [c for c in checks if not c["passed"]]


def diff_reports(base: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Every change between two saved reports: cost, rank and which option serves a model.

    Options are matched by id first; the ones left over are matched by model and deployment kind
    (a report of the best option per model names a different id when the best provider of a
    model changes). Only what neither match pairs up is added or removed.
    """
    before = {o["id"]: (i, o) for i, o in enumerate(base["options"], 1)}
    after = {o["id"]: (i, o) for i, o in enumerate(new["options"], 1)}
    pairs = [(before[oid], after[oid], "id") for oid in before if oid in after]
    gone = [before[oid] for oid in before if oid not in after]
    came = [after[oid] for oid in after if oid not in before]
    for old in list(gone):
        key = _kind_key(old[1])
        match = next((n for n in came if key is not None and _kind_key(n[1]) == key), None)
        if match is not None:
            pairs.append((old, match, "model and deployment"))
            gone.remove(old)
            came.remove(match)
    changed, same = [], 0
    for (pos_a, a), (pos_b, b), how in pairs:
        cost_a, cost_b = _cost(a), _cost(b)
        rank_a, rank_b = a.get("rank") or pos_a, b.get("rank") or pos_b
        if cost_a == cost_b and rank_a == rank_b and a["id"] == b["id"]:
            same += 1
            continue
        # null: the option could not run on that side; the change is then not a number.
        both = cost_a is not None and cost_b is not None
        changed.append(
            {
                "id": b["id"],
                "id_before": a["id"],
                "model": b.get("model"),
                "deployment": b.get("deployment"),
                "matched_by": how,
                "before": cost_a,
                "after": cost_b,
                "change": round(cost_b - cost_a, 6) if both else None,
                "change_pct": round((cost_b - cost_a) / cost_a * 100, 4) if both and cost_a else None,
                "rank_before": rank_a,
                "rank_after": rank_b,
            }
        )
    # Cost changes first (largest first; a side that cannot run last), then changes of id, then
    # moves in rank alone.
    changed.sort(
        key=lambda c: (
            c["change"] == 0,
            c["change"] is None,
            -abs(c["change"] or 0.0),
            c["id"] == c["id_before"],
            c["rank_after"],
        )
    )
    return {
        "schema_version": 1,
        "recommended_before": base.get("recommended"),
        "recommended_after": new.get("recommended"),
        "catalog_before": (base.get("catalog") or {}).get("as_of"),
        "catalog_after": (new.get("catalog") or {}).get("as_of"),
        "changed": changed,
        "unchanged": same,
        "added": sorted(o["id"] for _, o in came),
        "removed": sorted(o["id"] for _, o in gone),
    }


def _cost(option: dict[str, Any]) -> float | None:
    """An option's monthly cost in a saved report (null: it could not run)."""
    cost = option.get("monthly_cost")
    return None if cost is None else float(cost)


def _kind_key(option: dict[str, Any]) -> tuple[str, str] | None:
    model, deployment = option.get("model"), option.get("deployment")
    return (model, deployment) if isinstance(model, str) and isinstance(deployment, str) else None


def alternatives(report: Report, checked: OptionOut, n: int = 3) -> list[OptionOut]:
    from ..engine import best_per_model

    feasible = [o for o in report.options if o.feasible and o.id != checked.id]
    return best_per_model(feasible)[:n]
