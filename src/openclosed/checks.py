"""Budget checks and report diffs (pure core; `check` and `diff` render them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import InputError
from .report import OptionOut, Report


def load_report(path: Path) -> dict[str, Any]:
    """A saved `compare --format json` report, checked enough to diff and compare against."""
    from .yamlio import read_text

    text = read_text(Path(path), kind="JSON")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError.one(f"invalid JSON: {exc.msg}", str(path), exc.lineno) from None
    if not isinstance(data, dict) or "options" not in data or not isinstance(data["options"], list):
        raise InputError.one("expected a report from `openclosed compare --format json`", str(path), 1)
    if data.get("schema_version") != 1:
        raise InputError.one(
            f"unsupported schema_version {data.get('schema_version')!r}; expected 1", str(path), 1, "schema_version"
        )
    for i, o in enumerate(data["options"]):
        if (
            not isinstance(o, dict)
            or not isinstance(o.get("id"), str)
            or not (o.get("monthly_cost") is None or isinstance(o.get("monthly_cost"), (int, float)))
            or "monthly_cost" not in o
        ):
            raise InputError.one(
                "each option needs an id and a monthly_cost (a number, or null when it cannot run)",
                str(path),
                None,
                f"options[{i}]",
            )
    return data


def check_budgets(
    option: OptionOut,
    max_monthly_cost: float | None,
    max_cost_per_million: float | None,
    baseline: dict[str, Any] | None,
    max_increase_pct: float | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return (checks, breaches); each check names the budget, the figure and the limit."""
    checks: list[dict[str, Any]] = []
    if option.monthly_cost is None:  # the option cannot run at all: no figure to check
        reason = "; ".join(option.violations) or "cannot run"
        return [{"budget": "runs", "figure": reason, "limit": "an option that can run", "passed": False}], [
            {"budget": "runs", "figure": reason, "limit": "an option that can run", "passed": False}
        ]
    if max_monthly_cost is not None:
        checks.append(
            {
                "budget": "max_monthly_cost",
                "figure": option.monthly_cost,
                "limit": max_monthly_cost,
                "passed": option.monthly_cost <= max_monthly_cost,
            }
        )
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
            {"budget": "feasible", "figure": "; ".join(option.violations), "limit": "no violations", "passed": False}
        )
    return checks, [c for c in checks if not c["passed"]]


def diff_reports(base: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    before = {o["id"]: o for o in base["options"]}
    after = {o["id"]: o for o in new["options"]}
    changed, same = [], 0
    for oid in sorted(set(before) & set(after)):
        a, b = before[oid]["monthly_cost"], after[oid]["monthly_cost"]
        if a == b:
            same += 1
            continue
        # null: the option could not run on that side; the change is then not a number.
        both = a is not None and b is not None
        changed.append(
            {
                "id": oid,
                "before": a,
                "after": b,
                "change": round(b - a, 6) if both else None,
                "change_pct": round((b - a) / a * 100, 4) if both and a else None,
            }
        )
    changed.sort(key=lambda c: (c["change"] is None, -abs(c["change"] or 0.0), c["id"]))
    return {
        "schema_version": 1,
        "recommended_before": base.get("recommended"),
        "recommended_after": new.get("recommended"),
        "catalog_before": (base.get("catalog") or {}).get("as_of"),
        "catalog_after": (new.get("catalog") or {}).get("as_of"),
        "changed": changed,
        "unchanged": same,
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
    }


def alternatives(report: Report, checked: OptionOut, n: int = 3) -> list[OptionOut]:
    from .engine import best_per_model

    feasible = [o for o in report.options if o.feasible and o.id != checked.id]
    return best_per_model(feasible)[:n]
