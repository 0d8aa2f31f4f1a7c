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
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .cost_curves import ApiCurve, ConstCurve, SelfCurve
from .engine import Detail, Engine, Result
from .errors import InputError
from .report import OptionOut
from .workload import DAYS_PER_MONTH, Workload

SCHEMA_VERSION = 1

# field -> (workload section, unit shown on axes, default range relative to the workload's value
#           or absolute: ("rel", lo_factor, hi_factor) | ("abs", lo, hi))
FIELDS: dict[str, tuple[str, str, tuple[str, float, float]]] = {
    "requests_per_month": ("traffic", "requests/month", ("abs", 1e3, 1e9)),
    "requests_per_day": ("traffic", "requests/day", ("rel", 0.01, 100.0)),
    "input_tokens": ("traffic", "input tokens/request", ("rel", 0.1, 10.0)),
    "output_tokens": ("traffic", "output tokens/request", ("rel", 0.1, 10.0)),
    "cached_input_share": ("traffic", "cached share of input tokens", ("abs", 0.0, 0.95)),
    "peak_to_average": ("traffic", "peak-to-average traffic", ("abs", 1.0, 10.0)),
    "gpu_price_multiplier": ("self_hosting", "× catalogue GPU price", ("abs", 0.25, 2.0)),
}
VOLUME_FIELDS = ("requests_per_month", "requests_per_day")
FAST_FIELDS = (*VOLUME_FIELDS, "peak_to_average")
DEFAULT_STEPS_FAST = 241
DEFAULT_STEPS_ENGINE = 25
MAX_STEPS = 100_000
MAX_PAIRWISE = 12  # above this many options, only changes of the cheapest option are crossings
KINDS = ("closed API", "open-weight API", "self-hosted")
_BIG_VOLUME = 1e15  # requests/month at which an API option's per-request cost is read

Progress = Callable[[int, int], None]


# ------------------------------------------------------------------ the range
@dataclass(frozen=True)
class SweepSpec:
    field: str
    start: float
    stop: float
    steps: int
    log: bool

    @property
    def fast(self) -> bool:
        return self.field in FAST_FIELDS

    @property
    def unit(self) -> str:
        return FIELDS[self.field][1]


def _number(text: str, what: str) -> float:
    t = text.strip().replace(",", "").replace("_", "")
    mult = 1.0
    suffixes = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9}
    if t and t[-1].lower() in suffixes and not t.lower().endswith("e"):
        mult = suffixes[t[-1].lower()]
        t = t[:-1]
    try:
        value = float(t) * mult
    except ValueError:
        raise InputError.one(f"{what} {text.strip()!r} is not a number", field="--vary") from None
    if not math.isfinite(value):
        raise InputError.one(f"{what} must be finite (got {text.strip()!r})", field="--vary")
    return value


def normalise_field(name: str) -> str:
    key = name.strip().lower().replace("-", "_")
    if key not in FIELDS:
        import difflib

        close = difflib.get_close_matches(key, list(FIELDS), n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of {', '.join(FIELDS)}"
        raise InputError.one(f"cannot vary '{name.strip()}'{hint}", field="--vary")
    return key


def current_value(workload: Workload, name: str) -> float:
    if name == "requests_per_month":
        return workload.requests_per_month
    if name == "requests_per_day":
        return workload.requests_per_month / DAYS_PER_MONTH
    section = getattr(workload, FIELDS[name][0])
    return float(getattr(section, name))


def parse_spec(text: str | None, workload: Workload, steps: int | None = None, log: bool | None = None) -> SweepSpec:
    """`FIELD=START..STOP` (or `FIELD` alone for a default range) into a checked SweepSpec.

    `log=None` picks log spacing when the range spans two decades or more.
    """
    text = (text or "requests_per_month").strip()
    name, eq, rng = text.partition("=")
    field_name = normalise_field(name)
    if eq:
        lo_text, dots, hi_text = rng.partition("..")
        if not dots or not lo_text.strip() or not hi_text.strip():
            raise InputError.one(
                f"expected FIELD=START..STOP, e.g. requests_per_month=1e3..1e9 (got {text!r})",
                field="--vary",
            )
        start, stop = _number(lo_text, "START"), _number(hi_text, "STOP")
    else:
        kind, lo, hi = FIELDS[field_name][2]
        if kind == "rel":
            base = current_value(workload, field_name)
            start, stop = base * lo, base * hi
        else:
            start, stop = lo, hi
    if not start < stop:
        raise InputError.one(f"START must be below STOP (got {start:g}..{stop:g})", field="--vary")
    if steps is None:
        steps = DEFAULT_STEPS_FAST if field_name in FAST_FIELDS else DEFAULT_STEPS_ENGINE
    if not 2 <= steps <= MAX_STEPS:
        raise InputError.one(f"expected 2 to {MAX_STEPS:,} steps (got {steps})", field="--steps")
    if log is None:
        log = start > 0 and stop / start >= 100
    if log and start <= 0:
        raise InputError.one(
            f"a log range needs START > 0 (got {start:g}); drop --log or start above zero",
            field="--vary",
        )
    spec = SweepSpec(field_name, start, stop, steps, log)
    check_range(workload, spec)
    return spec


def check_range(workload: Workload, spec: SweepSpec) -> None:
    """Both ends of the range must make a valid workload (one clear line otherwise)."""
    from pydantic import ValidationError

    for end, value in (("START", spec.start), ("STOP", spec.stop)):
        try:
            Workload.model_validate(workload_at(workload, spec.field, value).model_dump())
        except ValidationError as exc:
            err = exc.errors()[0]
            msg = err.get("msg", "invalid").removeprefix("Value error, ")
            raise InputError.one(f"{end} {value:g} is not a valid {spec.field}: {msg}", field="--vary") from None


def grid(spec: SweepSpec) -> list[float]:
    n, lo, hi = spec.steps, spec.start, spec.stop
    if spec.log:
        a, b = math.log10(lo), math.log10(hi)
        values = [10 ** (a + (b - a) * i / (n - 1)) for i in range(n)]
    else:
        values = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    values[0], values[-1] = lo, hi
    return values


def workload_at(workload: Workload, name: str, value: float) -> Workload:
    """The workload with one field set (not validated: the range's ends are)."""
    if name == "requests_per_month":
        return workload.with_requests_per_month(value)
    if name == "requests_per_day":
        traffic = workload.traffic.model_copy(
            update={"requests_per_day": value, "requests_per_month": None, "requests_per_second": None}
        )
        return workload.model_copy(update={"traffic": traffic})
    section_name = FIELDS[name][0]
    section = getattr(workload, section_name).model_copy(update={name: value})
    return workload.model_copy(update={section_name: section})


# ------------------------------------------------------------------ option curves
def kind_of(o: OptionOut) -> str:
    if o.deployment == "self-hosted":
        return "self-hosted"
    return "open-weight API" if o.open_weights else "closed API"


def default_options(result: Result) -> list[str]:
    """The best feasible option of each kind, by overall score at the workload's own volume."""
    feasible = [o for o in result.report.options if o.feasible]
    by_overall = sorted(feasible, key=lambda o: (-o.scores.overall, o.monthly_cost, o.id))
    out = []
    for kind in KINDS:
        best = next((o for o in by_overall if kind_of(o) == kind), None)
        if best is not None:
            out.append(best.id)
    return out


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


@dataclass
class Sweep:
    spec: SweepSpec
    workload: Workload
    workload_source: str
    values: list[float]
    requests_per_month: list[float]
    tokens_per_month: list[float]
    series: list[Series]
    crossings: list[Crossing]
    method: str  # fast | engine
    notes: list[str] = field(default_factory=list)

    @property
    def field(self) -> str:
        return self.spec.field

    def cost_per_million(self, s: Series, i: int) -> float:
        tokens = self.tokens_per_month[i]
        return round(s.costs[i] / tokens * 1e6, 6) if tokens else 0.0

    def rows(self) -> Iterator[dict[str, Any]]:
        """One row per point and option, point-major."""
        for i, value in enumerate(self.values):
            for s in self.series:
                yield {
                    self.field: value,
                    "option": s.id,
                    "kind": s.kind,
                    "monthly_cost": s.costs[i],
                    "cost_per_million_tokens": self.cost_per_million(s, i),
                    "feasible": s.feasible[i],
                }

    def to_dict(self) -> dict[str, Any]:
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
            "points": list(self.rows()),
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
    """Evaluate `options` (ids, or "all"; default: the best of each kind) along `spec`."""
    wl = engine.wl
    notes: list[str] = []
    wanted = [o.strip() for o in options or [] if o.strip()]
    if not wanted or wanted == ["all"]:
        base = base or engine.run()
        ids = [o.id for o in base.report.options] if wanted else default_options(base)
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
    if spec.fast:
        big = None
        for oid in ids:
            out, det = pairs[oid]
            curve: Any
            if out.deployment == "api":
                if big is None:
                    big = engine.with_workload(wl.with_requests_per_month(_BIG_VOLUME))
                curve = ApiCurve(big.option(oid)[0].monthly_cost / _BIG_VOLUME)
            else:
                curve = _self_curve(out, det)
            curves[oid] = curve
            series.append(Series(oid, kind_of(out), curve.costs(rpms, peaks), [out.feasible] * n, list(out.violations)))
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

    crossings = find_crossings(values, series, cost_at, spec.log)
    method = "fast" if spec.fast else "engine"
    return Sweep(spec, wl, workload_source, values, rpms, tokens, series, crossings, method, notes)


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


# ------------------------------------------------------------------ crossings
def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def find_crossings(
    values: list[float],
    series: list[Series],
    cost_at: Callable[[Series, float], float] | None = None,
    log: bool = False,
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
                    sg = _sign(ca - cb)
                    if sg == 0:
                        continue
                    if last_sign and sg != last_sign:
                        pairs.append((a, b, last, i))
                    last, last_sign = i, sg
    else:
        pool = [s for s in series if all(s.feasible)] or list(series)
        pool.sort(key=lambda s: s.id)  # ties go to the smallest id
        cur = -1
        for i, column in enumerate(zip(*[s.costs for s in pool], strict=False)):
            low = min(column)
            j = column.index(low)
            if cur < 0:
                cur = j
            elif j != cur and low < column[cur]:
                pairs.append((pool[cur], pool[j], i - 1, i))
                cur = j
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
    left = _sign(a.costs[i0] - b.costs[i0]) or -_sign(a.costs[i1] - b.costs[i1])
    ca, cb = a.costs[i1], b.costs[i1]
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
