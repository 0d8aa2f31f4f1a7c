"""Sweep: the comparison evaluated across a range of one workload field (pure core).

Two ways to evaluate a point:

* the **fast path**, for the request volume (requests_per_month, requests_per_day) and for
  peak_to_average. Nothing that sizing depends on changes along such a sweep, so every option
  is reduced once to its cost curve (`cost_curves`): an API option costs a fixed amount per
  request (API cost is linear in volume); a self-hosted option is the very `SelfCurve` object
  the engine priced it with, a step function of the volume and the interactive peak rate
  (`Traffic.peak_rps`). Points are sorted, so a self-hosted curve is evaluated run by run (one
  packing per distinct replica count) rather than point by point. Feasibility does not depend on
  volume, and an option that cannot run at all is left out.
* the **engine path**, for every other field (token counts and cache share change sizing and
  the API price tier; the GPU price multiplier changes every instance price): each point is a
  run of the engine through `Engine.with_workload`, which keeps the sizing cache whenever the
  shape of a request is unchanged.

Because the sweep evaluates the engine's own curve objects, a cost rule cannot be added to one
path and forgotten in the other.

It is longer than most modules because the evaluation and its two streamed writers (CSV and JSON,
which must match the materialised output byte for byte) belong together; the range and the
crossings live in sweep_range.py and crossings.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..engine import Detail, Engine, Result
from ..errors import InputError
from ..report import OptionOut
from ..selfhost.cost_curves import ApiCurve, ConstCurve, FleetCurve, SelfCurve
from ..selfhost.curve_points import Points, curve_costs
from ..units import csv_cell
from ..workload.model import DAYS_PER_MONTH, Workload
from .crossings import MAX_PAIRWISE, Crossing, find_crossings
from .sweep_format import Repeat, cost_cells, csv_text_cell, finite, json_num, num_cell
from .sweep_picks import KINDS, default_picks, kind_of
from .sweep_range import (
    DEFAULT_STEPS_ENGINE,
    DEFAULT_STEPS_FAST,
    FAST_FIELDS,
    FIELDS,
    MAX_STEPS,
    VOLUME_FIELDS,
    SweepSpec,
    check_range,
    current_value,
    grid,
    normalise_field,
    parse_spec,
    workload_at,
)

SCHEMA_VERSION = 1

CHUNK = 512  # points evaluated together when rows are streamed
_BIG_VOLUME = 1e15  # requests/month at which an API option's per-request cost is read

Progress = Callable[[int, int], None]


# ------------------------------------------------------------------ option curves
def _self_curve(out: OptionOut, det: Detail) -> SelfCurve | ConstCurve:
    """The engine's own cost curve of a self-hosted option (nothing fits: a constant)."""
    if det.curve is None or not det.curve.plans:
        return ConstCurve(out.monthly_cost)
    return det.curve


# ------------------------------------------------------------------ the result
@dataclass
class Series:
    id: str
    kind: str
    costs: list[float]
    feasible: list[bool]
    violations: list[str] = field(default_factory=list)  # at the workload's own value
    method: str = "fast"  # fast | engine
    curve: Any = field(default=None, repr=False)  # the cost curve, when costs are computed per chunk


@dataclass
class Sweep:
    spec: SweepSpec
    workload: Workload
    workload_source: str
    values: list[float]
    requests_per_month: list[float]
    tokens_per_month: list[float]
    series: list[Series]
    found: list[Crossing] | None  # the crossings once found (see `crossings`)
    method: str  # fast | engine
    notes: list[str] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)
    # A sweep over many options keeps each option's curve, not its costs at every point: rows
    # are computed a chunk of points at a time, so memory stays flat in the number of points.
    lazy: bool = False
    # Given the sweep itself (not a closure over it: that cycle would keep every curve alive
    # until the cyclic collector runs).
    finder: Callable[[Sweep], list[Crossing]] | None = field(default=None, repr=False, compare=False)
    # Told (points written, points) after each chunk of rows: writing is most of a large sweep.
    progress: Progress | None = field(default=None, repr=False, compare=False)

    @property
    def field(self) -> str:
        return self.spec.field

    @property
    def crossings(self) -> list[Crossing]:
        """Where the options swap order, found on first use: over many options finding them
        evaluates every curve at every point once more, and a CSV never shows them."""
        if self.found is None:
            self.found = self.finder(self) if self.finder is not None else []
        return self.found

    def materialize(self) -> None:
        """Compute and keep every cost (for renderers that need whole series: tables, charts)."""
        if self.lazy:
            points = Points(self.requests_per_month, self.peaks)
            for s in self.series:
                s.costs = curve_costs(s.curve, self.requests_per_month, self.peaks, points)
            self.lazy = False

    def chunks(self, size: int = CHUNK) -> Iterator[tuple[int, list[list[float]]]]:
        """(first point index, costs per series for the points of the chunk), in order."""
        n = len(self.values)
        for a in range(0, n, size):
            b = min(n, a + size)
            if self.lazy:
                r, p = self.requests_per_month[a:b], self.peaks[a:b]
                points = Points(r, p)  # what every curve derives from the chunk's volumes, once
                yield a, [curve_costs(s.curve, r, p, points) for s in self.series]
            else:
                yield a, [s.costs[a:b] for s in self.series]
            if self.progress is not None:
                self.progress(b, n)

    def cost_per_million(self, s: Series, i: int) -> float:
        tokens = self.tokens_per_month[i]
        return round(s.costs[i] / tokens * 1e6, 6) if tokens else 0.0

    def rows(self) -> Iterator[dict[str, Any]]:
        """One row per point and option, point-major."""
        for a, costs in self.chunks():
            for k in range(len(costs[0]) if costs else 0):
                i = a + k
                value, tokens = self.values[i], self.tokens_per_month[i]
                for s, c in zip(self.series, costs, strict=True):
                    cost = c[k]
                    yield {
                        self.field: value,
                        "option": s.id,
                        "kind": s.kind,
                        "monthly_cost": cost,
                        "cost_per_million_tokens": round(cost / tokens * 1e6, 6) if tokens else 0.0,
                        "feasible": s.feasible[i],
                    }

    def write_csv(self, out: TextIO) -> None:
        """The CSV of every row, written a block of points at a time (memory stays flat in points).

        A 10,000-point sweep over the catalogue writes twelve million rows, so the text is built a
        point at a time rather than a row at a time: at one point many options cost the same (the
        same instances, the same replica count), and the two number cells depend only on the
        cost (and the point's token volume), so each distinct cost is formatted once and the
        point's rows are joined from those and the options' constant cells. The text is the same
        as `num_cell` on each row."""
        f = self.field
        out.write(f"{f},option,kind,monthly_cost,cost_per_million_tokens,feasible\n")
        # Each option's id and kind cells are the same on every row: escape them once.
        heads = [f"{csv_text_cell(s.id)},{csv_text_cell(s.kind)}," for s in self.series]
        if not all(isinstance(s.feasible, Repeat) for s in self.series):
            for a, costs in self.chunks():  # feasibility that changes along the sweep: row by row
                self._write_rows(out, heads, a, costs)
            return
        # A point's text is "".join(parts): per option the value cell, its id and kind cells, its
        # two number cells and its feasibility (the same at every point here). Only the value
        # and the number cells change from point to point: they are assigned as slices.
        parts: list[str | None] = []
        for h, s in zip(heads, self.series, strict=True):
            parts += [None, h, None, ",true\n" if s.feasible.value else ",false\n"]  # type: ignore[attr-defined]
        n_series = len(self.series)
        for a, costs in self.chunks():
            numbers: dict[float, str] = {}  # the cost cell (with its comma) by cost, over the chunk
            for k, at in enumerate(zip(*costs, strict=True)):
                i = a + k
                cells = cost_cells(at, self.tokens_per_month[i], numbers)
                parts[0::4] = [f"{csv_cell(self.values[i])},"] * n_series
                parts[2::4] = map(cells.__getitem__, at)
                out.write("".join(parts))  # type: ignore[arg-type]

    def _write_rows(self, out: TextIO, heads: list[str], a: int, costs: list[list[float]]) -> None:
        """Rows of the points a, a + 1, … one by one (feasibility that changes along the sweep)."""
        lines = []
        for k in range(len(costs[0]) if costs else 0):
            i = a + k
            value, tokens = csv_cell(self.values[i]), self.tokens_per_month[i]
            for j, s in enumerate(self.series):
                cost = costs[j][k]
                per = round(cost / tokens * 1e6, 6) if tokens else 0.0
                ok = "true" if s.feasible[i] else "false"
                lines.append(f"{value},{heads[j]}{num_cell(cost)},{num_cell(per)},{ok}\n")
        out.write("".join(lines))

    def write_json(self, out: TextIO, extra: dict[str, Any] | None = None) -> None:
        """The JSON document, its points written a chunk at a time (same text as json.dumps, indent 2);
        `extra` keys follow the sweep's own."""
        import json

        head = {**self.to_dict(points=False), **(extra or {})}
        text = json.dumps(finite(head), indent=2, ensure_ascii=False, allow_nan=False)
        marker = '  "points": "__POINTS__"'
        before, after = text.split(marker)
        out.write(before + '  "points": [')
        key = json.dumps(self.field, ensure_ascii=False)
        sep = "\n"
        for row in self.rows():
            out.write(
                f"{sep}    {{\n      {key}: {json_num(row[self.field])},\n"
                f'      "option": {json.dumps(row["option"], ensure_ascii=False)},\n'
                f'      "kind": {json.dumps(row["kind"], ensure_ascii=False)},\n'
                f'      "monthly_cost": {json_num(row["monthly_cost"])},\n'
                f'      "cost_per_million_tokens": {json_num(row["cost_per_million_tokens"])},\n'
                f'      "feasible": {"true" if row["feasible"] else "false"}\n    }}'
            )
            sep = ",\n"
        out.write(("\n  ]" if sep != "\n" else "]") + after + "\n")

    def to_dict(self, points: bool = True) -> dict[str, Any]:
        wl = self.workload
        return {
            "schema_version": SCHEMA_VERSION,
            "field": self.field,
            "unit": self.spec.unit,
            "start": self.spec.start,
            "stop": self.spec.stop,
            "steps": self.spec.steps,
            "log": self.spec.log,
            "method": self.method,
            "workload": {
                "name": wl.name,
                "source": self.workload_source,
                "requests_per_month": wl.requests_per_month,
                "input_tokens": wl.traffic.input_tokens,
                "output_tokens": wl.traffic.output_tokens,
                "cached_input_share": wl.traffic.cached_input_share,
                "peak_to_average": wl.traffic.peak_to_average,
                "gpu_price_multiplier": wl.self_hosting.gpu_price_multiplier,
            },
            "options": [
                {
                    "id": s.id,
                    "kind": s.kind,
                    "method": s.method,
                    "feasible": all(s.feasible),
                    "violations": s.violations,
                }
                for s in self.series
            ],
            "points": list(self.rows()) if points else "__POINTS__",
            "crossings": [c.to_dict(self.field) for c in self.crossings],
            "notes": self.notes,
        }


# ------------------------------------------------------------------ sweeping
def _volumes(spec: SweepSpec, values: list[float], wl: Workload) -> tuple[list[float], list[float]]:
    """Requests per month and peak requests per second at each point, as the engine computes them."""
    if spec.field == "requests_per_month":
        rpms = list(values)
    elif spec.field == "requests_per_day":
        rpms = [v * DAYS_PER_MONTH for v in values]
    else:
        rpms = [wl.requests_per_month] * len(values)
    # The interactive share's peak rate (Traffic.peak_rps), exactly as the engine passes it.
    t = wl.traffic
    if spec.field == "peak_to_average":
        peaks = [t.peak_rps(r, v) for r, v in zip(rpms, values, strict=False)]
    else:
        peaks = [t.peak_rps(r) for r in rpms]
    return rpms, peaks


def sweep(
    engine: Engine,
    spec: SweepSpec,
    options: list[str] | None = None,
    *,
    workload_source: str = "workload",
    progress: Progress | None = None,
    base: Result | None = None,
) -> Sweep:
    """Evaluate `options` (ids, or "all"; default: `default_picks`) along `spec`."""
    wl = engine.wl
    notes: list[str] = []
    wanted = [o.strip() for o in options or [] if o.strip()]
    if not wanted or wanted == ["all"]:
        base = base or engine.run()
        if wanted:
            ids = [o.id for o in base.report.options]
        else:
            drawn = default_picks(base)
            ids = [oid for oid, _ in drawn]
            if drawn:
                notes.append("options drawn: " + "; ".join(f"{oid} ({why})" for oid, why in drawn))
        if not ids:
            raise InputError.one("no feasible option to sweep; name some with --options", field="--options")
        pairs = {o.id: (o, base.details[o.id]) for o in base.report.options}
    else:
        pairs = {}
        for given in wanted:
            o, det = engine.option(given)
            pairs.setdefault(o.id, (o, det))
        ids = list(pairs)
    # An option that cannot run at all (nothing fits, shut down) has no cost at any volume.
    cannot = [oid for oid in ids if pairs[oid][0].monthly_cost is None]
    if cannot:
        ids = [oid for oid in ids if oid not in cannot]
        notes.append(f"{len(cannot)} option(s) cannot run at all and are left out: " + ", ".join(cannot[:5]))
        if not ids:
            raise InputError.one("none of the options can run (see compare --all)", field="--options")
    values = grid(spec)
    n = len(values)
    rpms, peaks = _volumes(spec, values, wl)
    tin, tout = wl.traffic.input_tokens, wl.traffic.output_tokens
    if spec.fast:
        tokens = [r * tin + r * tout for r in rpms]  # the engine's tokens_per_month
    else:
        tokens = [workload_at(wl, spec.field, v).tokens_per_month for v in values]
    total_work = len(ids) + (0 if spec.fast else n)
    done = 0

    def tick(k: int = 1) -> None:
        nonlocal done
        done += k
        if progress is not None:
            progress(done, total_work)

    series: list[Series] = []
    curves: dict[str, Any] = {}
    lazy = spec.fast and len(ids) > MAX_PAIRWISE
    if spec.fast:
        big = None
        points = Points(rpms, peaks)
        for oid in ids:
            out, det = pairs[oid]
            curve: Any
            if out.deployment == "api" and isinstance(det.curve, FleetCurve):
                curve = det.curve  # a tuned model's dedicated fleet: replicas step with the volume
            elif out.deployment == "api":
                if big is None:
                    big = engine.with_workload(wl.with_requests_per_month(_BIG_VOLUME))
                at_big = big.option(oid)[0]
                # A tuned model's training runs and hourly fees do not grow with the volume.
                fixed = at_big.cost_breakdown.get("training", 0.0) + at_big.cost_breakdown.get("tuned_hosting", 0.0)
                curve = (
                    ApiCurve((at_big.monthly_cost - fixed) / _BIG_VOLUME, fixed)
                    if fixed
                    else ApiCurve(at_big.monthly_cost / _BIG_VOLUME)
                )
            else:
                curve = _self_curve(out, det)
            curves[oid] = curve
            costs = [] if lazy else curve_costs(curve, rpms, peaks, points)
            feasible = Repeat(out.feasible, n)
            series.append(Series(oid, kind_of(out), costs, feasible, list(out.violations), curve=curve))  # type: ignore[arg-type]
            tick()
    else:
        for oid in ids:
            out, _ = pairs[oid]
            series.append(Series(oid, kind_of(out), [], [], list(out.violations), "engine"))
        notes.append(f"the engine ran at each of the {n} points, because {spec.field} changes sizing or prices")
        _engine_fill(engine, spec, values, series, tick)

    def cost_at(s: Series, value: float) -> float:
        curve = curves.get(s.id)
        if curve is not None:
            r, p = _volumes(spec, [value], wl)
            return curve.cost(r[0], p[0])
        eng = engine.with_workload(workload_at(wl, spec.field, value))
        return eng.option(s.id)[0].monthly_cost

    method = "fast" if spec.fast else "engine"
    result = Sweep(spec, wl, workload_source, values, rpms, tokens, series, None, method, notes, peaks, lazy)
    result.finder = lambda sw: find_crossings(
        values, series, cost_at, spec.log, columns=sw.chunks() if sw.lazy else None
    )
    return result


def _engine_fill(
    engine: Engine, spec: SweepSpec, values: list[float], targets: list[Series], tick: Callable[[int], None] | None
) -> None:
    many = len(targets) > 40
    eng = engine
    for value in values:
        eng = eng.with_workload(workload_at(engine.wl, spec.field, value))
        if many:
            by_id = {o.id: o for o in eng.run().all_options}
            outs = [by_id[s.id] for s in targets]
        else:
            outs = [eng.option(s.id)[0] for s in targets]
        for s, o in zip(targets, outs, strict=False):
            s.costs.append(o.monthly_cost)
            s.feasible.append(o.feasible)
        if tick is not None:
            tick(1)


__all__ = [
    "DEFAULT_STEPS_ENGINE",
    "DEFAULT_STEPS_FAST",
    "FAST_FIELDS",
    "FIELDS",
    "KINDS",
    "MAX_PAIRWISE",
    "MAX_STEPS",
    "VOLUME_FIELDS",
    "Crossing",
    "Series",
    "Sweep",
    "SweepSpec",
    "check_range",
    "current_value",
    "find_crossings",
    "grid",
    "kind_of",
    "normalise_field",
    "parse_spec",
    "sweep",
    "workload_at",
]
