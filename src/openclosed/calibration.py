"""Published measurements the self-hosting estimator is checked against.

Rows come from shared/reference/selfhost.md section 5 (sources and commits there). Only rows with
a fixed input/output length are used: MLPerf OpenOrca and the ShareGPT runs (rows 1-3, 8, 15-17)
have length distributions that our stored sources do not give, and DeepSeek's production figure
(row 27) is an expert-parallel cluster across many nodes, which the single-node model does not
claim to cover. Targets (DESIGN.md section 9): decode step / TPOT within ±25 %, throughput
within ±35 %. The factors in sizing.Efficiency were set from kernel measurements (selfhost.md
section 4) before these rows were compared; none was tuned to a row.
"""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import Catalog
from .sizing import size

TPOT_TOLERANCE = 0.25
THROUGHPUT_TOLERANCE = 0.35


@dataclass(frozen=True)
class Row:
    ref: str  # row number in selfhost.md section 5
    source: str
    model: str
    gpu: str
    precision: str
    gpus: int
    input_tokens: int
    output_tokens: int
    concurrency: int | None  # None: the engine's maximum throughput
    metric: str  # "tpot_ms" | "output_tokens_per_s" | "output_tokens_per_s_per_gpu"
    measured: float


TRT = "NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md (00f3768)"
NIM = "docs.nvidia.com/nim/benchmarking/llm/1.0.0/performance.md"
IMAX = "SemiAnalysis InferenceMAX via gminneci/mantile reconcile/by_model/openai_GPT-OSS-120B (72ff84e)"
IMAX_B200 = "InferenceMAX via gminneci/mantile reconcile/sources/inferencemax/raw (72ff84e)"

ROWS: tuple[Row, ...] = (
    Row("9", TRT, "llama-3.1-8b", "h100-sxm", "fp8", 1, 128, 128, None, "output_tokens_per_s", 28312),
    Row("9", TRT, "llama-3.1-8b", "h100-sxm", "fp8", 1, 128, 2048, None, "output_tokens_per_s", 22714),
    Row("9", TRT, "llama-3.1-8b", "h100-sxm", "fp8", 1, 1000, 1000, None, "output_tokens_per_s", 15220),
    Row("9", TRT, "llama-3.1-8b", "h100-sxm", "fp8", 1, 2048, 2048, None, "output_tokens_per_s", 9305),
    Row("9", TRT, "llama-3.1-8b", "h100-sxm", "fp8", 1, 5000, 500, None, "output_tokens_per_s", 3459),
    Row("9", TRT, "llama-3.1-8b", "h100-sxm", "fp8", 1, 20000, 2000, None, "output_tokens_per_s", 1351),
    Row("13", NIM, "llama-3.3-70b", "h100-sxm", "fp8", 2, 5000, 500, 1, "tpot_ms", 18.58),
    Row("13", NIM, "llama-3.3-70b", "h100-sxm", "fp8", 2, 5000, 500, 25, "tpot_ms", 38.8),
    Row("13", NIM, "llama-3.3-70b", "h100-sxm", "fp8", 2, 5000, 500, 50, "tpot_ms", 59.7),
    Row("13", NIM, "llama-3.3-70b", "h100-sxm", "fp8", 2, 5000, 500, 1, "output_tokens_per_s", 51.7),
    Row("13", NIM, "llama-3.3-70b", "h100-sxm", "fp8", 2, 5000, 500, 25, "output_tokens_per_s", 623),
    Row("13", NIM, "llama-3.3-70b", "h100-sxm", "fp8", 2, 5000, 500, 50, "output_tokens_per_s", 814),
    Row("13", NIM, "llama-3.3-70b", "h100-sxm", "fp8", 2, 5000, 500, None, "output_tokens_per_s", 917),
    Row("22", IMAX, "gpt-oss-120b", "h100-sxm", "mxfp4", 2, 1000, 1000, 4, "tpot_ms", 5.2),
    Row("22", IMAX, "gpt-oss-120b", "h100-sxm", "mxfp4", 2, 1000, 1000, 64, "tpot_ms", 15.1),
    Row("22", IMAX, "gpt-oss-120b", "h100-sxm", "mxfp4", 4, 1000, 1000, 64, "tpot_ms", 9.9),
    Row("22", IMAX, "gpt-oss-120b", "h100-sxm", "mxfp4", 8, 1000, 1000, 64, "tpot_ms", 7.3),
    Row("22", IMAX, "gpt-oss-120b", "h100-sxm", "mxfp4", 2, 1000, 1000, 4, "output_tokens_per_s_per_gpu", 370),
    Row("22", IMAX, "gpt-oss-120b", "h100-sxm", "mxfp4", 2, 1000, 1000, 64, "output_tokens_per_s_per_gpu", 2056),
    Row("22", IMAX, "gpt-oss-120b", "h100-sxm", "mxfp4", 4, 1000, 1000, 64, "output_tokens_per_s_per_gpu", 1558),
    Row("22", IMAX, "gpt-oss-120b", "h100-sxm", "mxfp4", 8, 1000, 1000, 64, "output_tokens_per_s_per_gpu", 1047),
    Row("24", IMAX_B200, "gpt-oss-120b", "b200", "mxfp4", 1, 1000, 1000, 128, "tpot_ms", 13.0),
    Row("24", IMAX_B200, "gpt-oss-120b", "b200", "mxfp4", 1, 1000, 1000, 128, "output_tokens_per_s_per_gpu", 9138),
)


@dataclass(frozen=True)
class Check:
    row: Row
    predicted: float

    @property
    def error(self) -> float:
        return self.predicted / self.row.measured - 1.0

    @property
    def tolerance(self) -> float:
        return TPOT_TOLERANCE if self.row.metric == "tpot_ms" else THROUGHPUT_TOLERANCE

    @property
    def within(self) -> bool:
        return abs(self.error) <= self.tolerance


def predict(catalog: Catalog, row: Row) -> float:
    model = catalog.model(row.model)
    assert model.architecture is not None
    s = size(
        model.id,
        model.architecture,
        catalog.gpu(row.gpu),
        row.precision,
        row.gpus,
        row.input_tokens,
        row.output_tokens,
        concurrency=row.concurrency,
    )
    if row.metric == "tpot_ms":
        return s.tpot_ms
    if row.metric == "output_tokens_per_s_per_gpu":
        return s.output_tokens_per_s / row.gpus
    return s.output_tokens_per_s


def run(catalog: Catalog) -> list[Check]:
    return [Check(row, predict(catalog, row)) for row in ROWS]


def table(checks: list[Check]) -> str:
    lines = [
        f"{'row':>4}  {'model':<14} {'hw':<12} {'prec':<6} {'ISL/OSL':<11} {'conc':>5}  "
        f"{'metric':<28} {'measured':>9} {'predicted':>10} {'error':>7}  ok"
    ]
    for c in checks:
        r = c.row
        hw = f"{r.gpus}x{r.gpu}"
        conc = "max" if r.concurrency is None else str(r.concurrency)
        lines.append(
            f"{r.ref:>4}  {r.model:<14} {hw:<12} {r.precision:<6} {f'{r.input_tokens}/{r.output_tokens}':<11} "
            f"{conc:>5}  {r.metric:<28} {r.measured:>9,.1f} {c.predicted:>10,.1f} {c.error:>+7.1%}  "
            f"{'yes' if c.within else 'NO (±' + format(c.tolerance, '.0%') + ')'}"
        )
    within = sum(c.within for c in checks)
    errs = sorted(abs(c.error) for c in checks)
    lines.append(
        f"{within}/{len(checks)} within tolerance; median |error| {errs[len(errs) // 2]:.1%}, max {errs[-1]:.1%}"
    )
    return "\n".join(lines)
