"""`openclosed sensitivity`: which input moves the recommendation, and where it flips (pure core).

Each input swings between a low and a high value with every other input at its estimate:
the uncertain inputs of uncertainty.py between their 10th and 90th percentiles, and the
what-if inputs (tokens per request, GPU price, engineer cost) between half and twice their
value. Inputs are ordered by how far either end moves the recommended option's lead over the
best other option (overall score points). `flips_at` is the value nearest the estimate at which
another option comes first, found on a grid over a wide range (`Input.domain`) and refined by
bisection; null when none does within that range.

Scenarios are priced through the options' cost curves (scenarios.Frame), the same arithmetic
as the sampled ranges. Tokens per request change the sizing of every replica, so that input
re-runs the engine on the leading options only (`LEADERS` by overall score and `CHEAPEST` by cost).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..decide.scenarios import Frame, Scenarios
from ..decide.uncertainty import DEFAULT_PEAK_SPREAD, Z90, traffic_spread
from ..workload.customisation import active

if TYPE_CHECKING:
    from ..engine import Engine, Result
    from ..workload.model import Workload

LEADERS = 15  # options by overall score re-priced when tokens per request change
CHEAPEST = 5  # and the cheapest feasible ones (they set every option's cost score)
WHAT_IF = 2.0  # what-if inputs swing between value / 2 and value × 2
GRID = 16  # points per side of the estimate when looking for a flip
ROUNDS = 6  # bisection rounds of GRID - 1 interior points each (relative precision ~1e-7)


@dataclass
class Input:
    name: str
    label: str
    base: float
    low: float
    high: float
    domain: tuple[float, float]
    log: bool
    build: Callable[[list[float]], Scenarios] | None = None  # None: re-run the engine (tokens, customisation)
    # The workload at a value, for inputs that re-run the engine (default: tokens per request scaled).
    rework: Callable[[Workload, float], Workload] | None = None


def _factor(name: str, label: str, sd: float, build: Callable[[list[float]], Scenarios]) -> Input:
    """A log-normal factor on an estimate (1 = the catalogue's figure) over its 90 % interval."""
    return Input(name, label, 1.0, math.exp(-Z90 * sd), math.exp(Z90 * sd), (0.1, 10.0), True, build)


@dataclass
class Swing:
    name: str
    label: str
    base: float
    low: float
    high: float
    recommended_at_low: str | None
    recommended_at_high: str | None
    flips_at: float | None
    lead_low: float
    lead_high: float
    lead_base: float

    @property
    def influence(self) -> float:
        return max(abs(self.lead_low - self.lead_base), abs(self.lead_high - self.lead_base))


@dataclass
class Sensitivity:
    workload: str
    recommended: str | None
    runner_up: str | None
    lead: float
    inputs: list[Swing] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The sensitivity output of docs/json.md, inputs ordered by influence."""
        return {
            "schema_version": 1,
            "recommended": self.recommended,
            "inputs": [
                {
                    "name": s.name,
                    "low": s.low,
                    "high": s.high,
                    "recommended_at_low": s.recommended_at_low,
                    "recommended_at_high": s.recommended_at_high,
                    "flips_at": s.flips_at,
                }
                for s in self.inputs
            ],
        }


class _Evaluator:
    def __init__(self, engine: Engine, result: Result) -> None:
        self.engine, self.result = engine, result
        self.rec = result.report.recommended
        self.frame = Frame(engine.ctx, result.all_options, result.details)

    def outcome(self, inp: Input, values: list[float]) -> tuple[list[str | None], list[float]]:
        """(first option, recommended option's lead) at each value of one input."""
        if inp.build is None:
            return self._tokens(inp, values)
        out = self.frame.evaluate(inp.build(values), self.rec)
        ids = [self.frame.entries[w].option.id if w is not None else None for w in out.winners]
        return ids, [round(a - b, 1) for a, b in zip(out.rec_overall, out.other_overall, strict=True)]

    def _tokens(self, inp: Input, values: list[float]) -> tuple[list[str | None], list[float]]:
        base_opts = self.result.all_options
        feasible = [o for o in base_opts if o.feasible]
        by_score = sorted(feasible, key=lambda o: (-o.scores.overall, o.monthly_cost, o.id))[:LEADERS]
        cheap = sorted(feasible, key=lambda o: (o.monthly_cost, o.id))[:CHEAPEST]
        keep = {o.id: o for o in [*by_score, *cheap]}
        wl = self.engine.wl
        t = wl.traffic
        ids, leads = [], []
        for v in values:
            if inp.rework is not None:
                eng = self.engine.with_workload(inp.rework(wl, v))
            else:
                k = v / inp.base
                traffic = t.model_copy(
                    update={"input_tokens": t.input_tokens * k, "output_tokens": t.output_tokens * k}
                )
                eng = self.engine.with_workload(wl.model_copy(update={"traffic": traffic}))
            opts, details = [], {}
            for oid, base in keep.items():
                o, det = eng.option(oid)
                o.__dict__["scores"] = base.scores  # privacy and lock-in do not depend on tokens
                opts.append(o)
                details[o.id] = det
            frame = Frame(eng.ctx, opts, details)
            out = frame.evaluate(Scenarios(1), self.rec)
            w = out.winners[0]
            ids.append(frame.entries[w].option.id if w is not None else None)
            lead = out.rec_overall[0] - out.other_overall[0] if out.rec_overall else 0.0
            leads.append(round(lead, 1))
        return ids, leads


def inputs_for(engine: Engine, result: Result, frame: Frame) -> list[Input]:
    """Every input worth swinging for this evaluation (see the module docstring)."""
    wl = engine.wl
    t = wl.traffic
    spread = traffic_spread(engine.ctx)
    out: list[Input] = []
    rpm = wl.requests_per_month
    out.append(
        Input(
            "requests_per_month",
            "requests per month",
            rpm,
            rpm * math.exp(-Z90 * spread),
            rpm * math.exp(Z90 * spread),
            (rpm / 1000, rpm * 1000),
            True,
            lambda vs: Scenarios(len(vs), traffic=[v / rpm for v in vs]),
        )
    )
    pf = t.peak_factor
    out.append(
        Input(
            "peak_factor",
            "peak over average load (utilisation)",
            pf,
            max(1.0, pf * math.exp(-Z90 * DEFAULT_PEAK_SPREAD)),
            pf * math.exp(Z90 * DEFAULT_PEAK_SPREAD),
            (max(1.0, pf / 4), pf * 4),
            True,
            lambda vs: Scenarios(len(vs), peak=[v / pf for v in vs]),
        )
    )
    leaders = _leaders(result)
    for g, sd in sorted(frame.groups.items()):
        if not any(frame.entries[frame.index[o]].group == g for o in leaders):
            continue
        label = f"sizing: throughput on {g[0]} ({g[1]}) × estimate"
        out.append(_factor(f"throughput:{g[0]}/{g[1]}", label, sd, _sizing_builder(g)))
    for p, sd in sorted(frame.stale.items()):
        if not any(frame.entries[frame.index[o]].provider == p for o in leaders):
            continue
        out.append(_factor(f"price:{p}", f"stale prices at {p} × catalogue (oldest price)", sd, _drift_builder(p, sd)))
    for m, (index, sd) in sorted(frame.estimated.items()):
        out.append(
            Input(
                f"quality:{m}",
                f"estimated quality index of {m}",
                index,
                max(0.0, index - Z90 * sd),
                min(100.0, index + Z90 * sd),
                (0.0, 100.0),
                False,
                _quality_builder(m),
            )
        )
    tokens = t.input_tokens + t.output_tokens
    out.append(
        Input(
            "tokens_per_request",
            "input + output tokens per request",
            tokens,
            tokens / WHAT_IF,
            tokens * WHAT_IF,
            (tokens / 10, tokens * 10),
            True,
            None,
        )
    )
    out += customisation_inputs(wl)
    gm = wl.self_hosting.gpu_price_multiplier
    out.append(
        Input(
            "gpu_price_multiplier",
            "GPU prices × catalogue",
            gm,
            gm / WHAT_IF,
            gm * WHAT_IF,
            (gm / 10, gm * 10),
            True,
            lambda vs: Scenarios(len(vs), gpu_price=[v / gm for v in vs]),
        )
    )
    ec = wl.operations.engineer_cost_per_month
    if ec > 0:
        out.append(
            Input(
                "engineer_cost_per_month",
                "engineer cost per month (operations, setup, materiality)",
                ec,
                ec / WHAT_IF,
                ec * WHAT_IF,
                (ec / 10, ec * 10),
                True,
                lambda vs: Scenarios(len(vs), engineer=[v / ec for v in vs]),
            )
        )
    return out


def customisation_inputs(wl: Workload) -> list[Input]:
    """Training tokens per run and runs a year, between half and twice their value, when the
    workload customises (both re-run the engine on the leading options)."""
    c = active(wl.customisation)
    if c is None:
        return []
    tokens, runs = c.tokens_per_run, c.runs_per_year

    def with_tokens(w: Workload, v: float) -> Workload:
        return w.model_copy(update={"customisation": c.with_training_tokens(v)})

    def with_runs(w: Workload, v: float) -> Workload:
        return w.model_copy(update={"customisation": c.model_copy(update={"runs_per_year": v})})

    return [
        Input(
            "training_tokens",
            "fine-tuning tokens per training run",
            tokens,
            tokens / WHAT_IF,
            tokens * WHAT_IF,
            (tokens / 10, tokens * 10),
            True,
            None,
            with_tokens,
        ),
        Input(
            "runs_per_year",
            "fine-tuning runs a year (re-training frequency)",
            runs,
            runs / WHAT_IF,
            runs * WHAT_IF,
            (runs / 10, runs * 10),
            True,
            None,
            with_runs,
        ),
    ]


def _leaders(result: Result) -> list[str]:
    feasible = [o for o in result.all_options if o.feasible]
    by_score = sorted(feasible, key=lambda o: (-o.scores.overall, o.monthly_cost, o.id))[:LEADERS]
    cheap = sorted(feasible, key=lambda o: (o.monthly_cost, o.id))[:CHEAPEST]
    return list(dict.fromkeys(o.id for o in [*by_score, *cheap]))


def _sizing_builder(g: tuple[str, str]) -> Callable[[list[float]], Scenarios]:
    return lambda vs: Scenarios(len(vs), sizing={g: list(vs)})


def _drift_builder(p: str, sd: float) -> Callable[[list[float]], Scenarios]:
    # The value multiplies the provider's oldest stale price; a younger one moves by the same
    # number of standard deviations of its own (smaller) drift.
    return lambda vs: Scenarios(len(vs), drift={p: [math.log(v) / sd for v in vs]})


def _quality_builder(m: str) -> Callable[[list[float]], Scenarios]:
    return lambda vs: Scenarios(len(vs), quality={m: list(vs)})


def _toward(a: float, b: float, k: int, log: bool) -> list[float]:
    """k points from a (excluded) to b (included)."""
    if log:
        r = math.log(b / a)
        return [a * math.exp(r * i / k) for i in range(1, k + 1)]
    return [a + (b - a) * i / k for i in range(1, k + 1)]


Outcome = Callable[[Input, list[float]], tuple[list[str | None], list[float]]]


def find_flip(outcome: Outcome, recommended: str, inp: Input) -> float | None:
    """The value nearest the estimate at which another option comes first (None: none in the
    domain). `outcome(input, values)` gives the first option at each value."""
    found: list[float] = []
    grid = GRID if inp.build is not None else GRID // 2
    for end in inp.domain:
        if end == inp.base:
            continue
        pts = _toward(inp.base, end, grid, inp.log)
        ids, _ = outcome(inp, pts)
        first = next((i for i, w in enumerate(ids) if w != recommended), None)
        if first is None:
            continue
        a, b = (inp.base if first == 0 else pts[first - 1]), pts[first]
        for _ in range(ROUNDS if inp.build is not None else 3):
            inner = _toward(a, b, grid, inp.log)[:-1]
            ids, _ = outcome(inp, inner)
            k = next((i for i, w in enumerate(ids) if w != recommended), None)
            if k is None:
                a = inner[-1]
            else:
                a, b = (a if k == 0 else inner[k - 1]), inner[k]
        found.append(b)
    if not found:
        return None
    if inp.log:
        best = min(found, key=lambda v: abs(math.log(v / inp.base)))
    else:
        best = min(found, key=lambda v: abs(v - inp.base))
    return float(f"{best:.6g}")


def sensitivity(engine: Engine, result: Result | None = None) -> Sensitivity:
    """Swing every input of one evaluation and find where the recommendation flips."""
    result = result or engine.run()
    ev = _Evaluator(engine, result)
    rec = ev.rec
    rep = result.report
    out = Sensitivity(rep.workload.name, rec, rep.recommendation.runner_up if rep.recommendation else None, 0.0)
    if rec is None:
        return out
    base = ev.frame.evaluate(Scenarios(1), rec)
    out.lead = round(base.rec_overall[0] - base.other_overall[0], 1)
    for inp in inputs_for(engine, result, ev.frame):
        ids, leads = ev.outcome(inp, [inp.low, inp.high])
        out.inputs.append(
            Swing(
                inp.name,
                inp.label,
                _num(inp.base),
                _num(inp.low),
                _num(inp.high),
                ids[0],
                ids[1],
                find_flip(ev.outcome, rec, inp),
                leads[0],
                leads[1],
                out.lead,
            )
        )
    out.inputs.sort(key=lambda s: (-s.influence, s.name))
    return out


def _num(x: float) -> float:
    return float(f"{x:.6g}")
