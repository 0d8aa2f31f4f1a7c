"""The View of a sweep: a readable sample of points for table/Markdown, every row for CSV."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import Column, View

if TYPE_CHECKING:
    from ..analyses.sweep import Crossing, Series, Sweep

TABLE_OPTIONS = 6  # option columns in the terminal table
TABLE_ROWS = 13
TIES = 2  # options named in the cheapest column when several cost the same


def value_text(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def key(i: int) -> str:
    """The letter key of the i-th option: A..Z, then AA, AB, ... (every option gets one)."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def cheapest_at(sw: Sweep, i: int) -> Series:
    """The cheapest option at grid point i among those feasible there (all when none is)."""
    feasible = [s for s in sw.series if s.feasible[i]] or sw.series
    return min(feasible, key=lambda s: (s.costs[i], s.id))


def tied_cheapest(sw: Sweep, i: int) -> list[Series]:
    """Every option as cheap as the cheapest at grid point i (options at the same flat cost)."""
    from ..analyses.crossings import tied

    feasible = [s for s in sw.series if s.feasible[i]] or sw.series
    low = cheapest_at(sw, i).costs[i]
    return [s for s in feasible if tied(s.costs[i], low)]


def featured(sw: Sweep, n: int, indices: list[int] | None = None) -> list[int]:
    """Positions (in `sw.series`) of the options to draw or tabulate: every option that is
    cheapest at one of the grid points `indices` (default: all), then the first others, up to
    `n` (more only when more options are cheapest somewhere); in series order."""
    pos = {s.id: k for k, s in enumerate(sw.series)}
    points = range(len(sw.values)) if indices is None else indices
    wanted = {pos[cheapest_at(sw, i).id] for i in points}
    for k in range(len(sw.series)):
        if len(wanted) >= n:
            break
        wanted.add(k)
    return sorted(wanted)


def cheapest_changes(sw: Sweep) -> list[Crossing]:
    """One crossing per change of the cheapest option along the grid: the sweep's own crossing of
    the two options where it has one, else the grid point where the change shows."""
    from ..analyses.crossings import tied
    from ..analyses.sweep import Crossing

    out: list[Crossing] = []
    prev = cheapest_at(sw, 0) if sw.values else None
    for i in range(1, len(sw.values)):
        cur = cheapest_at(sw, i)
        if prev is None or any(s.id == prev.id for s in tied_cheapest(sw, i)):
            continue  # still (one of) the cheapest: no change
        if tied(prev.costs[i - 1], cur.costs[i - 1]):
            prev = cur  # tied just before: the other stepped up, nothing crossed
            continue
        lo, hi = sw.values[i - 1], sw.values[i]
        found = next(
            (
                c
                for c in sw.crossings
                if {c.a, c.b} == {prev.id, cur.id} and c.cheaper_above == cur.id and lo < c.at <= hi * (1 + 1e-9)
            ),
            None,
        )
        if found is None:
            found = Crossing(prev.id, cur.id, hi, (lo, hi), prev.costs[i], cur.costs[i], prev.id, cur.id, False)
        out.append(found)
        prev = cur
    return out


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


def sweep_view(
    sw: Sweep,
    every_row: bool = True,
    legend: bool = True,
    all_crossings: bool = False,
    keyed: frozenset[str] = frozenset(),
) -> View:
    """`every_row=False` skips the JSON object and the CSV rows (the table does not need them);
    `legend=False` leaves out the crossings and the keys of the options in `keyed` (the
    terminal chart lists them); `all_crossings` lists every pairwise crossing instead of the
    changes of the cheapest option."""
    keys = {s.id: key(i) for i, s in enumerate(sw.series)}
    picked = sample_indices(sw)
    cheapest = {i: cheapest_at(sw, i) for i in picked}
    # The table's option columns: every option cheapest on a shown row (kept), then the first
    # others (dropped first, the last first, when the terminal is narrow).
    shown = [sw.series[k] for k in featured(sw, TABLE_OPTIONS, picked)]
    winners = {s.id for s in cheapest.values()}
    columns = [Column("value", sw.spec.unit, "number")]
    for n, s in enumerate(shown, 1):
        optional = 0 if s.id in winners else n
        columns.append(Column(f"cost_{keys[s.id]}", f"{keys[s.id]} $/month", "money", optional=optional))
    columns.append(Column("cheapest", "cheapest", "text"))
    rows = []
    in_cheapest: set[str] = set()
    for i in picked:
        row: dict[str, object] = {"value": sw.values[i]}
        for s in shown:
            row[f"cost_{keys[s.id]}"] = s.costs[i]
        tie = tied_cheapest(sw, i)
        # Options at the same cost share the row's cheapest: "B=C", "B=C…" for more.
        row["cheapest"] = "=".join(keys[s.id] for s in tie[:TIES]) + ("…" if len(tie) > TIES else "")
        in_cheapest.update(s.id for s in tie[:TIES])
        rows.append(row)
    notes = []
    crossings = crossing_notes(sw, keys, all_crossings, listed=legend)
    # The legend names what the table draws and what the crossings name, not every option swept.
    in_crossings = {oid for c in crossings_listed(sw, all_crossings) for oid in (c.a, c.b)}
    named = {s.id for s in shown} | in_cheapest | in_crossings
    listed = [s for s in sw.series if s.id in named and (legend or s.id not in keyed)]
    for s in listed:
        notes.append(f"{keys[s.id]} = {s.id} ({s.kind}{'' if all(s.feasible) else ', infeasible'})")
    if legend and len(listed) < len(sw.series):
        notes.append(f"{len(sw.series) - len(listed)} other options swept are in --format csv and json.")
    notes += crossings
    if len(sw.series) > len(shown):
        notes.append(
            f"The table has columns for {len(shown)} of {len(sw.series)} options (always those cheapest on a row); "
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


def crossings_listed(sw: Sweep, all_crossings: bool, limit: int = 20) -> list[Crossing]:
    """The crossings the notes list."""
    return (sw.crossings if all_crossings else cheapest_changes(sw))[:limit]


def crossing_notes(
    sw: Sweep, keys: dict[str, str], all_crossings: bool, listed: bool = True, limit: int = 20
) -> list[str]:
    """The crossings, one line each (unless the chart above lists them: `listed=False`), and
    what the list leaves out."""
    crossings = sw.crossings if all_crossings else cheapest_changes(sw)
    notes = []
    for k, c in enumerate(crossings[:limit] if listed else [], 1):
        a, b = keys.get(c.cheaper_above, c.cheaper_above), keys.get(c.cheaper_below, c.cheaper_below)
        ca, cb = (c.cost_a, c.cost_b) if c.a == c.cheaper_above else (c.cost_b, c.cost_a)
        notes.append(
            f"Crossing {k}: at {value_text(c.at)} {sw.spec.unit}, {a} becomes cheaper "
            f"than {b} (${ca:,.2f} vs ${cb:,.2f} a month)."
        )
    if listed and len(crossings) > limit:
        notes.append(f"… and {len(crossings) - limit} more crossings in --format json.")
    if not crossings and all_crossings:
        notes.append("No crossing: the options keep their order over the whole range.")
    elif not crossings and sw.values:
        first = keys[cheapest_at(sw, 0).id]
        notes.append(f"No change of the cheapest option: {first} is cheapest over the whole range.")
    if not all_crossings and len(sw.crossings) > len(crossings):
        notes.append("Only changes of the cheapest option are listed; --crossings all lists every crossing.")
    return notes
