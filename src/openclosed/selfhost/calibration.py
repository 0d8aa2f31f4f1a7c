"""Published measurements the self-hosting estimator is checked against (data/calibration.yaml).

Each source is one published document or result file (an engine's documentation, a vendor's
model page, a performance lab's page, one run of a benchmark harness) with its URL and date; each
row is one measurement in it: model, GPU, GPU count and parallel plan, precision, engine, input and
output lengths, concurrency (or a burst of `requests` sent at once, or the engine's maximum) and
the metric measured. A third of the rows are held out by source: the efficiency terms of the step
model were fitted on the other sources only (benchmarks/calibration.py prints both tables), so
the held-out error is what the estimator does on runs it has never seen. docs/methodology.md
gives the held-out table per family (selfhost/families.py) and decide/uncertainty.py turns each
family's held-out error into its sizing spread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..catalog import Catalog
from ..errors import UnknownIdError
from .families import family
from .sizing import DEFAULT_EFFICIENCY, Efficiency, Plan, Sizing, size

TOLERANCE = 0.25  # |predicted / measured - 1| within this counts as a hit, for every metric
METRICS = ("tpot_ms", "ttft_ms", "output_tokens_per_s", "output_tokens_per_s_per_gpu")


@dataclass(frozen=True)
class Source:
    id: str
    url: str
    date: str
    publisher: str
    kind: str
    held_out: bool
    note: str = ""


@dataclass(frozen=True)
class Row:
    ref: str  # "<source id>#<n>", n counted from 1 in the file's order
    source: Source
    model: str
    gpu: str
    precision: str
    gpus: int
    input_tokens: int
    output_tokens: int
    # None: the engine's maximum (all requests queued), or a burst; with `requests`: the client's cap
    # on requests in flight (a finite run of `requests` at most `concurrency` at a time)
    concurrency: int | None
    metric: str
    measured: float
    engine: str = ""
    plan: Plan | None = None  # None: tensor parallel over `gpus`
    cached_share: float = 0.0  # 1.0: decode-only workers of a prefill/decode-disaggregated system
    requests: int | None = None  # a burst: this many requests sent at once
    kv_cache_dtype: str | None = None  # what the run used, where the source says
    note: str = ""

    @property
    def parallelism(self) -> str:
        return (self.plan or Plan(tp=self.gpus)).label

    @property
    def held_out(self) -> bool:
        return self.source.held_out


def data_path() -> Path:
    """The repository's data/calibration.yaml, else the copy shipped in the wheel."""
    repo = Path(__file__).resolve().parents[3] / "data" / "calibration.yaml"
    if repo.is_file():
        return repo
    from ..catalog import embedded_dir

    return embedded_dir() / "calibration.yaml"


def _plan(d: dict | None) -> Plan | None:
    return None if d is None else Plan(**d)


def parse(doc: dict) -> tuple[Row, ...]:
    rows = []
    for s in doc["sources"]:
        src = Source(
            s["id"], s["url"], str(s["date"]), s["publisher"], s["kind"], bool(s.get("held_out")), s.get("note", "")
        )
        for n, r in enumerate(s["rows"], 1):
            rows.append(
                Row(
                    ref=f"{src.id}#{n}",
                    source=src,
                    model=r["model"],
                    gpu=r["gpu"],
                    precision=r["precision"],
                    gpus=int(r["gpus"]),
                    input_tokens=int(r["input_tokens"]),
                    output_tokens=int(r["output_tokens"]),
                    concurrency=r.get("concurrency"),
                    metric=r["metric"],
                    measured=float(r["measured"]),
                    engine=r.get("engine", ""),
                    plan=_plan(r.get("plan")),
                    cached_share=float(r.get("cached_share", 0.0)),
                    requests=r.get("requests"),
                    kv_cache_dtype=r.get("kv_cache_dtype"),
                    note=r.get("note", ""),
                )
            )
    return tuple(rows)


@lru_cache(maxsize=1)
def load() -> tuple[Row, ...]:
    import yaml

    text = data_path().read_text(encoding="utf-8")
    return parse(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


def __getattr__(name: str):  # ROWS reads the file on first use, not at import
    if name == "ROWS":
        return load()
    raise AttributeError(name)


@dataclass(frozen=True)
class Check:
    row: Row
    predicted: float
    family: tuple[str, str] = ("", "")

    @property
    def error(self) -> float:
        return self.predicted / self.row.measured - 1.0

    @property
    def log_error(self) -> float:
        return math.log(self.predicted / self.row.measured)

    @property
    def tolerance(self) -> float:
        return TOLERANCE

    @property
    def within(self) -> bool:
        return abs(self.error) <= TOLERANCE


def available(catalog: Catalog, row: Row) -> bool:
    """Whether the row's model and GPU are in this catalogue (a user catalogue may lack them)."""
    try:
        catalog.model(row.model)
        catalog.gpu(row.gpu)
    except UnknownIdError:
        return False
    return True


def predict(catalog: Catalog, row: Row, eff: Efficiency = DEFAULT_EFFICIENCY) -> float:
    model = catalog.model(row.model)
    assert model.architecture is not None
    gpu = catalog.gpu(row.gpu)
    plan = row.plan or Plan(tp=row.gpus)
    # The run's cache: bf16 (the engines' default) unless its source says it set an fp8 cache.
    kv = row.kv_cache_dtype or "bf16"

    def run(concurrency: int | None):
        return size(
            model.id,
            model.architecture,
            gpu,
            row.precision,
            plan,
            row.input_tokens,
            row.output_tokens,
            concurrency=concurrency,
            cached_share=row.cached_share,
            eff=eff,
            kv_cache_dtype=kv,
        )

    if row.requests is not None:
        # A burst: every request is sent at once; the engine runs as many as fit, the rest queue.
        # With a concurrency too (a client's --max-concurrency), no more than that run at once.
        first = run(None)
        batch = max(1, min(row.requests, row.concurrency or row.requests, first.max_concurrency))
        s = run(batch)
        if row.metric in ("output_tokens_per_s", "output_tokens_per_s_per_gpu"):
            return burst_tokens_per_s(row.requests, batch, s, run) / (row.gpus if row.metric.endswith("gpu") else 1)
        if row.metric == "tpot_ms":
            return wave_tpot_ms(s)
    else:
        s = run(row.concurrency)
    if row.metric == "tpot_ms":
        return s.tpot_ms
    if row.metric == "ttft_ms":
        return s.ttft_ms
    if row.metric == "output_tokens_per_s_per_gpu":
        return s.output_tokens_per_s / row.gpus
    return s.output_tokens_per_s


def wave_tpot_ms(s: Sizing) -> float:
    """Mean time per output token of a wave of `s.concurrency` equal requests that arrive together.

    A steady state at that batch starts one request's prefill every so often, and each of the
    batch's other requests pays for it within its decode (`tpot_ms` = step + (b - 1) prefills per
    request, spread over its output tokens). In a wave every prefill comes at the start: the k-th
    request to be prefilled decodes while the b - k after it prefill, and is past all of them once
    they are done; the mean over the wave is (b - 1) / 2 prefills, half the steady state's. What the
    benchmark reports, (end-to-end - first token) / (output - 1) averaged over requests, is that
    mean. A smaller last wave is left out: the full waves carry the mean."""
    return (s.tpot_ms + s.decode_step_ms) / 2.0


def burst_tokens_per_s(requests: int, batch: int, full: Sizing, run) -> float:
    """Output tokens/s of a burst of `requests` identical requests when `batch` run at once.

    Requests of equal length that start together also finish together, so the burst runs in
    waves: requests // batch full waves at `batch`, then the remainder at its own, smaller batch
    (a wave takes batch × the time per request at that batch: its prefills, and its decode steps
    at that batch). Steady state at `batch` would price the remainder at the full batch's rate and
    so overstate the throughput of a burst whose last wave is small."""
    waves, rest = divmod(requests, batch)
    seconds = waves * batch / full.requests_per_s
    if rest:
        seconds += rest / run(rest).requests_per_s
    return requests * full.decode_tokens / seconds


def run(catalog: Catalog, rows: tuple[Row, ...] | None = None, eff: Efficiency = DEFAULT_EFFICIENCY) -> list[Check]:
    out = []
    for row in load() if rows is None else rows:
        if available(catalog, row):
            fam = family(catalog.model(row.model).architecture, row.gpu)
            out.append(Check(row, predict(catalog, row, eff), fam))
    return out


def median(values: list[float]) -> float:
    xs = sorted(values)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def summary(checks: list[Check]) -> tuple[float, float, float]:
    """(share within tolerance, median |error|, max |error|)."""
    errs = [abs(c.error) for c in checks]
    return sum(c.within for c in checks) / len(checks), median(errs), max(errs)


@dataclass(frozen=True)
class FamilyError:
    family: tuple[str, str]
    rows: int
    within: int
    median_abs_error: float
    rms_log_error: float

    @property
    def share(self) -> float:
        return self.within / self.rows


def by_family(checks: list[Check]) -> list[FamilyError]:
    groups: dict[tuple[str, str], list[Check]] = {}
    for c in checks:
        groups.setdefault(c.family, []).append(c)
    return [
        FamilyError(
            fam,
            len(cs),
            sum(c.within for c in cs),
            median([abs(c.error) for c in cs]),
            math.sqrt(sum(c.log_error**2 for c in cs) / len(cs)),
        )
        for fam, cs in sorted(groups.items())
    ]


def family_table(checks: list[Check]) -> str:
    """Markdown table: per family, rows, share within ±25 %, median |error|, RMS log error; then all."""
    lines = [
        "| family (kind × GPU generation) | rows | within ±25 % | median error | RMS log error |",
        "|---|---:|---:|---:|---:|",
    ]
    for f in by_family(checks):
        lines.append(
            f"| {f.family[0]} × {f.family[1]} | {f.rows} | {f.within} ({f.share:.0%}) | "
            f"{f.median_abs_error:.1%} | {f.rms_log_error:.3f} |"
        )
    share, med, _ = summary(checks)
    within = sum(c.within for c in checks)
    lines.append(f"| **all** | {len(checks)} | {within} ({share:.0%}) | {med:.1%} | |")
    return "\n".join(lines)


def table(checks: list[Check]) -> str:
    lines = [
        f"{'row':<34} {'model':<18} {'hw':<12} {'plan':<22} {'prec':<6} {'ISL/OSL':<11} {'conc':>9}  "
        f"{'metric':<28} {'measured':>9} {'predicted':>10} {'error':>7}  ok"
    ]
    for c in checks:
        r = c.row
        hw = f"{r.gpus}x{r.gpu}"
        conc = "max" if r.concurrency is None else str(r.concurrency)
        conc = (f"b{r.requests}" if r.concurrency is None else f"{r.requests}/{r.concurrency}") if r.requests else conc
        plan = r.parallelism.split(", ")[-1]
        lines.append(
            f"{r.ref[-34:]:<34} {r.model[:18]:<18} {hw:<12} {plan:<22} {r.precision:<6} "
            f"{f'{r.input_tokens}/{r.output_tokens}':<11} {conc:>9}  {r.metric:<28} {r.measured:>9,.1f} "
            f"{c.predicted:>10,.1f} {c.error:>+7.1%}  {'yes' if c.within else 'NO'}"
        )
    share, med, worst = summary(checks)
    within = sum(c.within for c in checks)
    lines.append(f"{within}/{len(checks)} within ±25 % ({share:.0%}); median |error| {med:.1%}, max {worst:.1%}")
    return "\n".join(lines)


def split(checks: list[Check]) -> tuple[list[Check], list[Check]]:
    """(fit rows, held-out rows)."""
    return [c for c in checks if not c.row.held_out], [c for c in checks if c.row.held_out]
