"""The View of a sweep: a readable sample of points for table/Markdown, every row for CSV."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import Column, View

if TYPE_CHECKING:
    from ..sweep import Sweep

TABLE_OPTIONS = 6  # option columns in the terminal table
TABLE_ROWS = 13


def value_text(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def sample_indices(sw: Sweep, rows: int = TABLE_ROWS) -> list[int]:
    """Grid points for the table: round numbers (1, 3 per decade on log sweeps) when the grid
    hits them, else evenly spaced points; always both ends."""
    values, n = sw.values, len(sw.values)
    if n <= rows:
        return list(range(n))
    picked: list[int] = []
    if sw.spec.log:
        lo, hi = values[0], values[-1]
        decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
        for mults in ((1,), (1, 3), (1, 2, 5)):
            picked = []
            for target in (m * 10.0**e for e in decades for m in mults):
                if not lo <= target <= hi:
                    continue
                i = min(range(n), key=lambda k: abs(math.log(values[k] / target)))
                if abs(values[i] / target - 1) < 0.005 and i not in picked:
                    picked.append(i)
            if len(picked) >= 5:
                break
        if len(picked) > rows:
            picked = picked[:: math.ceil(len(picked) / rows)]
    if len(picked) < 4:
        picked = [round(k * (n - 1) / (rows - 1)) for k in range(rows)]
    return sorted({0, n - 1, *picked})


def sweep_view(sw: Sweep, every_row: bool = True, legend: bool = True) -> View:
    """`every_row=False` skips the JSON object and the CSV rows (the table does not need them);
    `legend=False` leaves out the option keys and crossings (the terminal chart lists them)."""
    shown = sw.series[:TABLE_OPTIONS]
    keys = {s.id: chr(65 + i) for i, s in enumerate(sw.series[:26])}
    columns = [Column("value", sw.spec.unit, "number")]
    for s in shown:
        columns.append(Column(f"cost_{keys[s.id]}", f"{keys[s.id]} $/month", "money"))
    columns.append(Column("cheapest", "cheapest", "text"))
    rows = []
    for i in sample_indices(sw):
        row: dict[str, object] = {"value": sw.values[i]}
        for s in shown:
            row[f"cost_{keys[s.id]}"] = s.costs[i]
        feasible = [s for s in sw.series if s.feasible[i]] or sw.series
        best = min(feasible, key=lambda s: (s.costs[i], s.id))
        row["cheapest"] = keys.get(best.id, best.id)
        rows.append(row)
    notes = []
    if legend:
        notes += [
            f"{keys[s.id]} = {s.id} ({s.kind}{'' if all(s.feasible) else ', infeasible'})" for s in sw.series[:26]
        ]
        for k, c in enumerate(sw.crossings[:20], 1):
            a, b = keys.get(c.cheaper_above, c.cheaper_above), keys.get(c.cheaper_below, c.cheaper_below)
            ca, cb = (c.cost_a, c.cost_b) if c.a == c.cheaper_above else (c.cost_b, c.cost_a)
            notes.append(
                f"Crossing {k}: at {value_text(c.at)} {sw.spec.unit}, {a} becomes cheaper "
                f"than {b} (${ca:,.2f} vs ${cb:,.2f} a month)."
            )
        if len(sw.crossings) > 20:
            notes.append(f"… and {len(sw.crossings) - 20} more crossings in --format json.")
        if not sw.crossings:
            notes.append("No crossing: the options keep their order over the whole range.")
    if len(sw.series) > TABLE_OPTIONS:
        notes.append(
            f"The table shows {TABLE_OPTIONS} of {len(sw.series)} options; "
            "--format csv or json has every option at every point."
        )
    method = {
        "fast": "Fast path: sizing once per option, API cost linear in volume, self-hosted cost "
        "a step function of replicas.",
        "engine": "Evaluated by the engine at every point.",
    }[sw.method]
    notes.append(" ".join([method, *(n[:1].upper() + n[1:] + "." for n in sw.notes)]))
    wl = sw.workload
    notes.append(
        f"Workload '{wl.name}' ({sw.workload_source}): {wl.requests_per_month:,.0f} requests/month, "
        f"{wl.traffic.input_tokens:,.0f} in / {wl.traffic.output_tokens:,.0f} out tokens; "
        f"{sw.spec.steps} {'log-spaced' if sw.spec.log else 'evenly spaced'} points of {sw.field}."
    )
    csv_cols = [
        Column(sw.field, sw.field),
        Column("option", "option"),
        Column("kind", "kind"),
        Column("monthly_cost", "monthly_cost"),
        Column("cost_per_million_tokens", "cost_per_million_tokens"),
        Column("feasible", "feasible"),
    ]
    return View(
        title=f"openclosed sweep {sw.field} ({value_text(sw.spec.start)} to {value_text(sw.spec.stop)})",
        columns=columns,
        rows=rows,
        json=sw.to_dict() if every_row else None,
        notes=notes,
        csv_columns=csv_cols,
        csv_rows=list(sw.rows()) if every_row else None,
    )
