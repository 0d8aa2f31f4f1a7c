"""Published measurements the self-hosting estimator is checked against.

Rows 9-24 are public measurements (each row names its source and commit); rows 30+
were added for the open frontier (issue 10): large MoE with MLA at TP8 on three GPU families
(InferenceMAX), expert parallelism over nine nodes (LMSYS), sparse attention (DeepSeek-V3.2), hybrid
linear attention (Qwen3-Next) and a 235B MoE at saturation. Each row names its engine and
version, its parallel plan, lengths, concurrency and source. Only rows with fixed input/output
lengths are used. Targets (DESIGN.md
section 9): decode step / TPOT within ±25 %, throughput within ±35 %; over the whole set at least
90 % of rows within and a median error of at most 12 %. The efficiency factors in
sizing.Efficiency were set from kernel measurements (selfhost.md section 4) before these rows were
compared; the per-family maturity factors (sizing.ENGINE_MATURITY) were fitted on groups of rows
of one GPU family, never on one row.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..catalog import Catalog
from .sizing import Plan, size
from .sizing.layout import kv_dtype_served_with

TPOT_TOLERANCE = 0.25
THROUGHPUT_TOLERANCE = 0.35


@dataclass(frozen=True)
class Row:
    ref: str  # row number in selfhost.md section 5, or 30+ for the rows added with issue 10
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
    engine: str = ""
    plan: Plan | None = None  # None: tensor parallel over `gpus`
    cached_share: float = 0.0  # 1.0: decode-only nodes of a prefill/decode-disaggregated system
    kv_cache_dtype: str | None = None  # the run's cache dtype; None: fp8 for fp8/nvfp4 weights, else bf16

    @property
    def parallelism(self) -> str:
        return (self.plan or Plan(tp=self.gpus)).label


TRT = "NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md (00f3768)"
NIM = "docs.nvidia.com/nim/benchmarking/llm/1.0.0/performance.md"
IMAX = "SemiAnalysis InferenceMAX via gminneci/mantile reconcile/by_model/openai_GPT-OSS-120B (72ff84e)"
IMAX_B200 = "InferenceMAX via gminneci/mantile reconcile/sources/inferencemax/raw (72ff84e)"
IMAX_DS = "InferenceMAX DeepSeek-R1-0528 via gminneci/mantile reconcile/sources/inferencemax/raw/run_{} (72ff84e)"
LMSYS = "lm-sys/lm-sys.github.io blog/2025-05-05-large-scale-ep.md (2db4e40): decode table, 'SGLang (Default)'"
GPUSTACK_V32 = (
    "gpustack/gpustack docs/performance-lab/deepseek-v3.2/h200.md (47277d7): '1k random input + 2k generation'"
)
LAMBDA_QNEXT = (
    "https://lambda.ai/inference-models/qwen/qwen3-coder-next (first of two result tables; the second reads "
    "14 ms ITL on both GPUs): vllm bench serve, 8192 in / 1024 out, 512 prompts, --max-concurrency 32"
)
GPUSTACK_Q235 = "gpustack/gpustack docs/performance-lab/qwen3-235b-a22b/h100.md (47277d7): baseline vLLM -tp 8"

_ENGINES = {
    "9": "TensorRT-LLM (PyTorch backend, v1.0-era docs)",
    "13": "NIM 1.8.0 (TensorRT-LLM)",
    "22": "vLLM (InferenceMAX run 20667906037)",
    "24": "vLLM v0.13.0 (InferenceMAX)",
}

_FIRST: tuple[Row, ...] = (
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


def _imax_ds(gpu: str, run: str, engine: str, values: dict[tuple[int, int, int, str], float]) -> tuple[Row, ...]:
    """DeepSeek-R1-0528 FP8 at TP8 (no DP attention, no speculative decoding), median TPOT in ms and
    output tokens/s per GPU as InferenceMAX records them."""
    return tuple(
        Row("30", IMAX_DS.format(run), "deepseek-r1", gpu, "fp8", 8, isl, osl, conc, metric, value, engine)
        for (isl, osl, conc, metric), value in values.items()
    )


_T, _G = "tpot_ms", "output_tokens_per_s_per_gpu"
_ADDED: tuple[Row, ...] = (
    *_imax_ds(
        "h200",
        "20621824084",
        "SGLang v0.5.6 (lmsysorg/sglang:v0.5.6-cu129-amd64)",
        {
            (1024, 1024, 4, _T): 12.09,
            (1024, 1024, 16, _T): 17.62,
            (1024, 1024, 64, _T): 33.16,
            (1024, 1024, 64, _G): 236.5,
            (8192, 1024, 4, _T): 13.46,
            (8192, 1024, 64, _T): 53.41,
            (1024, 8192, 64, _T): 31.76,
        },
    ),
    *_imax_ds(
        "b200",
        "20972034325",
        "SGLang v0.5.6 (lmsysorg/sglang:v0.5.6-cu129-amd64)",
        {
            (1024, 1024, 4, _T): 8.78,
            (1024, 1024, 16, _T): 13.58,
            (1024, 1024, 64, _T): 23.08,
            (1024, 1024, 64, _G): 247.2,
            (8192, 1024, 4, _T): 9.76,
            (8192, 1024, 64, _T): 41.76,
            (1024, 8192, 64, _T): 22.94,
        },
    ),
    *_imax_ds(
        "mi300x",
        "20720630953",
        "SGLang v0.5.5.post3 (ROCm 7.0, lmsysorg/sglang:v0.5.5.post3-rocm700-mi30x)",
        {
            (1024, 1024, 4, _T): 26.59,
            (1024, 1024, 16, _T): 32.61,
            (1024, 1024, 64, _T): 51.55,
            (1024, 1024, 64, _G): 148.2,
            (8192, 1024, 4, _T): 30.24,
            (8192, 1024, 64, _T): 84.99,
            (1024, 8192, 64, _T): 46.85,
        },
    ),
    # Nine decode nodes of 8×H100 (EP72, DP attention on every GPU, 256 sequences per GPU, 2,000
    # tokens of KV) behind separate prefill nodes: 22,282 output tokens/s per node.
    Row(
        "31",
        LMSYS,
        "deepseek-v3",
        "h100-sxm",
        "fp8",
        72,
        1900,
        100,
        256 * 72,
        _G,
        22282 / 8,
        "SGLang (May 2025, DeepEP low-latency, two-batch overlap, EPLB)",
        Plan(tp=1, dp=72, ep=72, nodes=9),
        cached_share=1.0,
    ),
    # DeepSeek-V3.2 (sparse attention) on 8×H200, 100 requests of 1k in / 2k out sent at once.
    Row("32", GPUSTACK_V32, "deepseek-v3.2", "h200", "fp8", 8, 1000, 2000, 100, _T, 45.83, "vLLM v0.13.0 (-tp 8)"),
    Row(
        "32",
        GPUSTACK_V32,
        "deepseek-v3.2",
        "h200",
        "fp8",
        8,
        1000,
        2000,
        100,
        _T,
        39.40,
        "SGLang v0.5.6.post2 (--tp 8 --dp 8 --enable-dp-attention)",
        Plan(tp=1, dp=8, ep=8),
    ),
    Row(
        "32",
        GPUSTACK_V32,
        "deepseek-v3.2",
        "h200",
        "fp8",
        8,
        1000,
        2000,
        100,
        "output_tokens_per_s",
        2469.32,
        "SGLang v0.5.6.post2 (--tp 8 --dp 8 --enable-dp-attention)",
        Plan(tp=1, dp=8, ep=8),
    ),
    # Hybrid linear attention: Qwen3-Coder-Next has Qwen3-Next-80B-A3B's architecture (12 full-attention
    # + 36 Gated DeltaNet layers, 512 experts, top-10); BF16 weights, 32 concurrent requests.
    *(
        Row("34", LAMBDA_QNEXT, "qwen3-next-80b-a3b", gpu, "bf16", n, 8192, 1024, 32, metric, value, "vLLM (Lambda)")
        for gpu, n, metric, value in (
            ("h100-sxm", 4, _T, 16.0),
            ("h100-sxm", 4, "output_tokens_per_s", 1810),
            ("b200", 2, _T, 16.0),
            ("b200", 2, "output_tokens_per_s", 1877),
        )
    ),
    # Qwen3-235B-A22B BF16 on 8×H100 at saturation (500 prompts sent at once); output tokens/s =
    # total tokens/s × output / (input + output).
    Row(
        "33",
        GPUSTACK_Q235,
        "qwen3-235b-a22b",
        "h100-sxm",
        "bf16",
        8,
        4000,
        200,
        None,
        "output_tokens_per_s",
        21113.53 * 200 / 4200,
        "vLLM v0.11.0 (-tp 8)",
    ),
    Row(
        "33",
        GPUSTACK_Q235,
        "qwen3-235b-a22b",
        "h100-sxm",
        "bf16",
        8,
        2000,
        100,
        None,
        "output_tokens_per_s",
        23858.69 * 100 / 2100,
        "vLLM v0.11.0 (-tp 8)",
    ),
)

ROWS: tuple[Row, ...] = tuple(dataclasses.replace(r, engine=_ENGINES[r.ref]) for r in _FIRST) + _ADDED


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


def available(catalog: Catalog, row: Row) -> bool:
    """Whether the row's model and GPU are in this catalogue (a user catalogue may lack them)."""
    try:
        catalog.model(row.model)
        catalog.gpu(row.gpu)
    except Exception:
        return False
    return True


def predict(catalog: Catalog, row: Row) -> float:
    model = catalog.model(row.model)
    assert model.architecture is not None
    s = size(
        model.id,
        model.architecture,
        catalog.gpu(row.gpu),
        row.precision,
        row.plan or row.gpus,
        row.input_tokens,
        row.output_tokens,
        concurrency=row.concurrency,
        cached_share=row.cached_share,
        kv_cache_dtype=row.kv_cache_dtype or kv_dtype_served_with(row.precision),
    )
    if row.metric == "tpot_ms":
        return s.tpot_ms
    if row.metric == "output_tokens_per_s_per_gpu":
        return s.output_tokens_per_s / row.gpus
    return s.output_tokens_per_s


def run(catalog: Catalog) -> list[Check]:
    return [Check(row, predict(catalog, row)) for row in ROWS if available(catalog, row)]


def summary(checks: list[Check]) -> tuple[float, float, float]:
    """(share within tolerance, median |error|, max |error|)."""
    errs = sorted(abs(c.error) for c in checks)
    n = len(errs)
    median = errs[n // 2] if n % 2 else (errs[n // 2 - 1] + errs[n // 2]) / 2
    return sum(c.within for c in checks) / n, median, errs[-1]


def table(checks: list[Check]) -> str:
    lines = [
        f"{'row':>4}  {'model':<18} {'hw':<12} {'plan':<24} {'prec':<6} {'ISL/OSL':<11} {'conc':>6}  "
        f"{'metric':<28} {'measured':>9} {'predicted':>10} {'error':>7}  ok"
    ]
    for c in checks:
        r = c.row
        hw = f"{r.gpus}x{r.gpu}"
        conc = "max" if r.concurrency is None else str(r.concurrency)
        plan = r.parallelism.split(", ")[-1]
        lines.append(
            f"{r.ref:>4}  {r.model:<18} {hw:<12} {plan:<24} {r.precision:<6} "
            f"{f'{r.input_tokens}/{r.output_tokens}':<11} {conc:>6}  {r.metric:<28} {r.measured:>9,.1f} "
            f"{c.predicted:>10,.1f} {c.error:>+7.1%}  "
            f"{'yes' if c.within else 'NO (±' + format(c.tolerance, '.0%') + ')'}"
        )
    share, median, worst = summary(checks)
    within = sum(c.within for c in checks)
    lines.append(f"{within}/{len(checks)} within tolerance ({share:.0%}); median |error| {median:.1%}, max {worst:.1%}")
    return "\n".join(lines)
