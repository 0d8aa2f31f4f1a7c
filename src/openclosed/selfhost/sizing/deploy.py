"""One deployment: memory plan, batch choice and speeds of one replica under a parallel plan."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from ...catalog.architecture import Architecture
from ...catalog.schema import Gpu
from .attention import CacheParts, cache_parts, kv_bytes_per_sequence
from .layout import GB, GIB, KV_DTYPE_BYTES, replicated_bytes, split_bytes
from .prefill import alone_s, batched_s, prefill_chunks
from .speculative import speculation_for
from .step import (
    DEFAULT_EFFICIENCY,
    REUSED_CACHES,
    Efficiency,
    Plan,
    StepTime,
    keep,
    reuse_on,
    reused,
    step_model,
    step_time,
    supports,
)

# Speed fields of a Sizing that mean nothing when the setup cannot run (shown as null).
SPEED_FIELDS = (
    "ttft_ms",
    "tpot_ms",
    "decode_step_ms",
    "prefill_ms",
    "output_tokens_per_s",
    "per_stream_tokens_per_s",
    "requests_per_s",
)


def memory_bytes(gpu: Gpu) -> float:
    """The GPU's memory in bytes: vendors' 'GB' on HBM parts are binary (80 GB H100 = 80 GiB)."""
    return gpu.memory_gb * (GIB if gpu.memory_unit == "GiB" else GB)


@dataclass
class Memory:
    """A replica's memory plan per GPU: usable memory, weights, reserve and the KV-cache pool."""

    gpu_memory_gb: float
    usable_gb: float
    reserve_gb: float
    weights_gb: float
    weights_per_gpu_gb: float
    kv_pool_per_gpu_gb: float
    kv_cache_gb_per_sequence: float
    kv_per_token_kb: float
    kv_per_gpu_gb_per_sequence: float = 0.0
    gpu_memory_unit: str = "GiB"
    tight: bool = False  # the engine's larger static fraction with a small batch (a model that barely fits)


@dataclass
class Sizing:
    """One replica of a model on a GPU at a precision under a parallel plan: fit, batch and speeds."""

    model: str
    gpu: str
    precision: str
    gpus: int
    fits: bool
    weights_gb: float
    kv_cache_gb_per_sequence: float
    max_concurrency: int
    concurrency: int
    ttft_ms: float
    tpot_ms: float
    decode_step_ms: float
    prefill_ms: float
    output_tokens_per_s: float
    per_stream_tokens_per_s: float
    requests_per_s: float
    input_tokens: float
    output_tokens: float
    mean_context_tokens: float
    bound: str
    meets_tpot: bool
    memory: Memory
    step: dict[str, float] = field(default_factory=dict)
    reason: str | None = None
    nodes: int = 1
    tp: int = 1
    ep: int = 1
    pp: int = 1
    dp: int = 1
    plan: str = ""
    decode_tokens: float = 0.0
    kv_cache_dtype: str = "bf16"
    speculative: str = "none"
    tokens_per_step: float = 1.0

    def __getattr__(self, name: str) -> Any:
        # A sizing read back from the sizing store (selfhost/store.py) holds its memory plan and step
        # times as text (`_lazy`), one `size` built holds what they are worked out from, until one of
        # them is first read.
        lazy = self.__dict__.pop("_lazy", None) if name in ("memory", "step") else None
        if lazy is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        memory, step = lazy()
        self.__dict__.setdefault("memory", memory)  # one assigned before is kept
        self.__dict__.setdefault("step", step)
        return self.__dict__[name]

    def to_dict(self) -> dict:
        return asdict(self)

    def report(self) -> dict:
        """The `size` answer: a setup that cannot run keeps its memory figures and reason, and its
        speed fields are null (docs/json.md, the Report)."""
        data = self.to_dict()
        if not self.fits:
            for k in SPEED_FIELDS:
                data[k] = None
            data["step"] = {}
            data["bound"] = None
            data["meets_tpot"] = None
            data["concurrency"] = None
        return data

    @property
    def plan_obj(self) -> Plan:
        return Plan(tp=self.tp, dp=self.dp, pp=self.pp, ep=self.ep, nodes=self.nodes)


def usable_bytes(gpu: Gpu, eff: Efficiency = DEFAULT_EFFICIENCY) -> float:
    """Bytes per GPU left for weights and KV cache after the engine's share and its reserve."""
    hbm = memory_bytes(gpu)
    return eff.hbm_usable_share * hbm - max(eff.reserve_min_gib * GIB, eff.reserve_share * hbm)


def tight_usable_bytes(gpu: Gpu, eff: Efficiency = DEFAULT_EFFICIENCY) -> float | None:
    """Bytes per GPU for weights and KV cache when the engine is set up for a model that barely fits:
    a static memory fraction of `tight_usable_share`, leaving at least `tight_reserve_gib` for the
    activations of a small batch (at most `tight_max_batch` sequences), its CUDA graphs and a short
    prefill chunk. None where that gives no more than the default budget (small GPUs)."""
    hbm = memory_bytes(gpu)
    tight = hbm - max((1.0 - eff.tight_usable_share) * hbm, eff.tight_reserve_gib * GIB)
    return tight if tight > usable_bytes(gpu, eff) else None


def largest_usable_bytes(gpu: Gpu, eff: Efficiency = DEFAULT_EFFICIENCY) -> float:
    """The most a GPU can give weights and KV cache under either memory budget."""
    return max(usable_bytes(gpu, eff), tight_usable_bytes(gpu, eff) or 0.0)


def _plan(tp: int | Plan) -> Plan:
    return tp if isinstance(tp, Plan) else Plan(tp=tp)


def weights_per_gpu(arch: Architecture, precision: str, plan: Plan) -> float:
    """Non-expert weights split by tp × pp (replicated across attention groups), but for the
    projections every tensor-parallel rank holds whole (layout.replicated_params); routed experts
    split by ep under expert parallelism, else like the rest."""
    rest, routed = split_bytes(arch, precision)
    whole = replicated_bytes(arch, precision) * (plan.tp - 1) if plan.tp > 1 else 0.0
    return (rest + whole) / (plan.tp * plan.pp) + routed / (plan.ep if plan.ep > 1 else plan.tp * plan.pp)


class Replica:
    """What sizing one replica reads that depends on neither the request's tokens nor the latency
    targets, per (architecture, GPU, precision, plan, efficiency, KV bytes): the memory budget
    (HBM, reserve, usable bytes under the default and the tight budget), the weights, the cache's
    parts, whether the GPU runs the precision and the plan spans nodes it can link. A new term
    that depends only on these belongs here; one that depends on the tokens or the context goes
    into `memory_plan`/`size` (per profile)."""

    __slots__ = ("hbm", "larger", "network_ok", "parts", "per_gpu", "plan", "reserve", "supported", "usable", "weights")

    def __init__(
        self, arch: Architecture, gpu: Gpu, precision: str, plan: Plan, eff: Efficiency, kv_bytes: float
    ) -> None:
        self.plan = plan
        self.hbm = hbm = memory_bytes(gpu)
        self.reserve = reserve = max(eff.reserve_min_gib * GIB, eff.reserve_share * hbm)
        self.usable = eff.hbm_usable_share * hbm - reserve
        self.weights = sum(split_bytes(arch, precision))
        self.per_gpu = weights_per_gpu(arch, precision, plan)
        self.larger = tight_usable_bytes(gpu, eff)
        self.parts: CacheParts = cache_parts(arch, kv_bytes)
        self.supported = supports(gpu, precision)
        self.network_ok = plan.nodes == 1 or gpu.network_gbit_s is not None


# Replicas by (architecture, GPU, precision, plan, efficiency, KV bytes), kept inside `reusing()`
# only (as step models are): the objects are kept with their entry, so their ids cannot be reused.
_REPLICAS: dict[tuple, tuple[Architecture, Gpu, Efficiency, Replica]] = {}
REUSED_CACHES.append(_REPLICAS)


def replica(arch: Architecture, gpu: Gpu, precision: str, plan: Plan, eff: Efficiency, kv_bytes: float) -> Replica:
    """`Replica(...)`; inside `reusing()`, once per replica for every token profile it is sized at."""
    if not reuse_on():
        return Replica(arch, gpu, precision, plan, eff, kv_bytes)
    key = (id(arch), id(gpu), precision, plan, id(eff), kv_bytes)
    hit = reused(_REPLICAS, key, arch, gpu, eff)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    r = Replica(arch, gpu, precision, plan, eff, kv_bytes)
    keep(_REPLICAS, key, arch, gpu, eff, r)
    return r


def memory_plan(
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    tp: int | Plan,
    seq_tokens: float,
    eff: Efficiency = DEFAULT_EFFICIENCY,
    kv_bytes: float = 2.0,
) -> Memory:
    plan = _plan(tp)
    return _memory(replica(arch, gpu, precision, plan, eff, kv_bytes), arch, gpu, seq_tokens, eff, kv_bytes)


def _memory(r: Replica, arch: Architecture, gpu: Gpu, seq_tokens: float, eff: Efficiency, kv_bytes: float) -> Memory:
    """The memory plan of replica `r` for sequences of `seq_tokens` tokens."""
    kv_seq, seq_per_gpu, usable, reserve, tight = _budget(r, seq_tokens, eff)
    per_gpu = r.per_gpu
    return Memory(
        gpu_memory_gb=gpu.memory_gb,
        usable_gb=usable / GB,
        reserve_gb=reserve / GB,
        weights_gb=r.weights / GB,
        weights_per_gpu_gb=per_gpu / GB,
        kv_pool_per_gpu_gb=(usable - per_gpu) / GB,
        kv_cache_gb_per_sequence=kv_seq / GB,
        kv_per_token_kb=kv_bytes_per_sequence(arch, max(seq_tokens, 1), kv_bytes) / max(seq_tokens, 1) / 1e3,
        kv_per_gpu_gb_per_sequence=seq_per_gpu / GB,
        gpu_memory_unit=gpu.memory_unit,
        tight=tight,
    )


def _budget(r: Replica, seq_tokens: float, eff: Efficiency) -> tuple[float, float, float, float, bool]:
    """What `size` reads of the memory plan of replica `r` for sequences of `seq_tokens` tokens:
    one sequence's cache bytes (all GPUs, and per GPU), the usable bytes and the reserve per GPU,
    and whether the tight budget applies. `Memory` is built from these only when it is read."""
    plan = r.plan
    usable, reserve, per_gpu = r.usable, r.reserve, r.per_gpu
    tokens = _round_block(seq_tokens, eff)
    parts = r.parts
    kv_seq = parts.stored(tokens)
    seq_per_gpu = parts.per_gpu(tokens, plan.tp) / plan.pp
    tight = False
    if usable - per_gpu < seq_per_gpu:
        # Not one sequence fits the default budget: engines then run a larger static fraction with a
        # small batch and prefill chunk (InferenceX's DeepSeek-R1 FP8 on 4×B200: SGLang with
        # --mem-fraction-static 0.95, 32 running requests, 8,192-token chunks), docs/methodology.md §3.3.
        # Admitted only where that configuration runs as published: its whole batch fits the cache.
        larger = r.larger
        if larger is not None and larger - per_gpu >= eff.tight_max_batch * seq_per_gpu:
            tight = True
            usable, reserve = larger, r.hbm - larger
    return kv_seq, seq_per_gpu, usable, reserve, tight


def _round_block(tokens: float, eff: Efficiency) -> float:
    return math.ceil(tokens / eff.kv_block_tokens) * eff.kv_block_tokens


def max_concurrency(arch: Architecture, mem: Memory, tp: int | Plan, eff: Efficiency) -> int:
    """Sequences whose cache fits: per attention group, times the groups."""
    return _concurrency(mem.kv_pool_per_gpu_gb, mem.kv_per_gpu_gb_per_sequence, mem.tight, _plan(tp), eff)


def _concurrency(pool_gb: float, per_gpu_seq: float, tight: bool, plan: Plan, eff: Efficiency) -> int:
    """`max_concurrency` from the memory plan's KV pool and one sequence's cache per GPU (GB)."""
    if pool_gb <= 0:
        return 0
    limit = eff.tight_max_batch if tight else eff.max_batch
    if per_gpu_seq <= 0:
        return limit * plan.dp
    return int(min(pool_gb / per_gpu_seq, limit)) * plan.dp


def size(
    model_id: str,
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    tp: int | Plan,
    input_tokens: float,
    output_tokens: float,
    concurrency: int | None = None,
    max_tpot_ms: float | None = None,
    cached_share: float = 0.0,
    context_tokens: float | None = None,
    eff: Efficiency = DEFAULT_EFFICIENCY,
    *,
    decode_tokens: float | None = None,
    kv_cache_dtype: str = "bf16",
    speculative: str = "none",
) -> Sizing:
    """Size one replica: `tp` GPUs in one tensor-parallel group, or a Plan over several nodes.

    Without `concurrency`, serve the largest batch that fits memory and keeps the effective
    time per output token within `max_tpot_ms`. `context_tokens` is the longest single request
    that must fit (default input + output).

    `decode_tokens`: the tokens decoded per request, visible output and hidden reasoning together
    (default `output_tokens`): decode time, cache context and generated tokens per second; `ttft_ms`
    is to the first *visible* token. `kv_cache_dtype`: the cache's element type (bf16 or fp8), apart
    from the weights' precision. `speculative`: none, mtp (the model's own MTP layers) or eagle.
    """
    plan = _plan(tp)
    decode = output_tokens if decode_tokens is None else decode_tokens
    kv_bytes = KV_DTYPE_BYTES[kv_cache_dtype]
    seq = input_tokens + decode
    longest = max(context_tokens or seq, seq)
    r = replica(arch, gpu, precision, plan, eff, kv_bytes)
    # The memory plan's figures that decide the batch; its `Memory` is built when first read.
    kv_seq, seq_per_gpu, usable, _, tight = _budget(r, seq, eff)
    pool_gb = (usable - r.per_gpu) / GB
    cap = _concurrency(pool_gb, seq_per_gpu / GB, tight, plan, eff)
    longest_kv = r.parts.per_gpu(_round_block(longest, eff), plan.tp) / plan.pp
    fits_longest = pool_gb * GB >= longest_kv
    network_ok = r.network_ok
    fits = cap >= 1 and fits_longest and r.supported and network_ok
    mean_ctx = input_tokens + decode / 2.0
    prefill_tokens = input_tokens * (1.0 - cached_share)
    # The prompt's prefill batched with decodes (`prefill_compute_s`) and alone (`prefill_s`): the
    # same parts but for the routed experts' chunk, so worked out together.
    chunk = eff.prefill_chunk_tokens
    batched, alone = (
        prefill_chunks(arch, gpu, precision, plan, prefill_tokens, (chunk, min(prefill_tokens, chunk)), eff, kv_bytes)
        if prefill_tokens > 0
        else (None, None)
    )
    p_cost = 0.0 if batched is None else batched_s(batched, plan, eff)

    model = step_model(arch, gpu, precision, plan, mean_ctx, eff, kv_bytes)
    # A prefill chunk's tensor-parallel all-reduces and expert-parallel dispatch and combine sit on
    # its critical path like a decode step's: its tokens' bytes cross the links too (one attention
    # group's GPUs for the all-reduce, every GPU for the all-to-all).
    p_cost += (model.ar_per_token / (plan.dp * plan.pp) + model.a2a_per_token) * prefill_tokens
    interleave = p_cost / decode
    spec = speculation_for(speculative, arch.mtp_layers)
    per_step = spec.tokens_per_step if spec is not None else 1.0

    def step_of(b: int) -> float:
        if spec is None:
            return model.time(b)
        # Verify the drafts plus one token per sequence, and run the drafts (one layer each).
        k = spec.draft_tokens
        return model.time(b, k + 1) + k * model.time(b) / arch.layers

    def tpot_of(b: int) -> float:
        # Other sequences' prefills interleave with this one's decode steps (chunked prefill).
        if spec is None:
            return model.time(b) + (b - 1) * interleave
        return step_of(b) / per_step + (b - 1) * interleave

    reason = (
        None
        if fits
        else _unfit_reason(
            gpu, precision, plan, _memory(r, arch, gpu, seq, eff, kv_bytes), cap, seq, longest, network_ok, fits_longest
        )
    )

    batch = _batch(concurrency, fits, cap, max_tpot_ms, tpot_of)
    # The step's parts, once: its total is `model.time(batch)` (not worked out twice), and its
    # StepTime (what `explain` shows) is built from them when the sizing's `step` is read.
    parts = model.parts(batch)
    total = model.total(parts)
    step_s = total if spec is None else step_of(batch)
    tpot = step_s + (batch - 1) * interleave if spec is None else tpot_of(batch)
    per_request = (total * decode / batch if spec is None else step_s / per_step * decode / batch) + p_cost
    rps = 1.0 / per_request
    t_prefill = (
        0.0 if alone is None else alone_s(alone, arch, gpu, precision, plan, prefill_tokens, eff, model, kv_bytes)
    )
    # New requests queue for prefill behind each other: with `batch` streams busy, prefills
    # arrive at batch / (lifetime of a request), spread over the attention groups and pipeline
    # stages; an M/D/1 queue gives the mean wait.
    lifetime = decode * tpot + t_prefill
    rho = min(batch / lifetime * t_prefill / (plan.dp * plan.pp), 0.99) if lifetime > 0 else 0.0
    queue_wait = rho / (2.0 * (1.0 - rho)) * t_prefill
    # Built as the sizing store builds a stored one: its memory plan and step figures (which only
    # `explain` and `size` read, not a comparison) are worked out when first read (`_details`).
    out = Sizing.__new__(Sizing)
    out.__dict__.update(
        model=model_id,
        gpu=gpu.id,
        precision=precision,
        gpus=plan.gpus,
        fits=fits and (concurrency is None or batch <= cap),
        weights_gb=round(r.weights / GB, 3),
        kv_cache_gb_per_sequence=round(kv_seq / GB, 4),
        max_concurrency=cap,
        concurrency=batch,
        ttft_ms=round((t_prefill + queue_wait + step_s + max(0.0, decode - output_tokens) * tpot) * 1e3, 3),
        tpot_ms=round(tpot * 1e3, 3),
        decode_step_ms=round(step_s * 1e3, 3),
        prefill_ms=round(t_prefill * 1e3, 3),
        output_tokens_per_s=round(rps * decode, 2),
        per_stream_tokens_per_s=round(1.0 / tpot, 2),
        requests_per_s=rps,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        mean_context_tokens=mean_ctx,
        bound="memory" if parts[0] >= parts[1] else "compute",  # as StepTime.bound
        meets_tpot=max_tpot_ms is None or tpot * 1e3 <= max_tpot_ms + 1e-9,
        reason=reason
        if not fits
        else (f"concurrency {batch} exceeds the {cap} sequences that fit" if batch > cap else None),
        nodes=plan.nodes,
        tp=plan.tp,
        ep=plan.ep,
        pp=plan.pp,
        dp=plan.dp,
        plan=plan.label,
        decode_tokens=decode,
        kv_cache_dtype=kv_cache_dtype,
        speculative=speculative if spec is not None else "none",
        tokens_per_step=per_step,
        _lazy=functools.partial(
            _details, r, arch, gpu, seq, eff, kv_bytes, (batch, parts, model.overhead), p_cost, queue_wait, rho
        ),
    )
    return out


def _batch(
    concurrency: int | None, fits: bool, cap: int, max_tpot_ms: float | None, tpot_of: Callable[[int], float]
) -> int:
    """The batch `size` serves: the one asked; else the largest that fits memory (`cap`) and keeps
    the effective time per output token (`tpot_of`, seconds) within `max_tpot_ms`."""
    if concurrency is not None:
        return max(1, int(concurrency))
    if not fits:
        return 1
    limit = max_tpot_ms / 1e3 if max_tpot_ms else None
    lo, hi = 1, cap
    if limit is None:
        lo = cap
    elif tpot_of(1) > limit:
        hi = 1
    else:
        while lo < hi:  # effective TPOT grows with the batch: bisect the largest that meets it
            mid = (lo + hi + 1) // 2
            if tpot_of(mid) <= limit:
                lo = mid
            else:
                hi = mid - 1
    return lo


def _details(
    r: Replica,
    arch: Architecture,
    gpu: Gpu,
    seq: float,
    eff: Efficiency,
    kv_bytes: float,
    step: tuple[int, tuple[float, ...], float],
    p_cost: float,
    queue_wait: float,
    rho: float,
) -> tuple[Memory, dict[str, float]]:
    """A sizing's memory plan and step figures, from what `size` worked out (`Sizing.__getattr__`);
    `step`: the batch, the step's parts and the model's fixed overhead."""
    return _memory(r, arch, gpu, seq, eff, kv_bytes), _step_figures(step_time(*step), p_cost, queue_wait, rho)


def _step_figures(st: StepTime, p_cost: float, queue_wait: float, rho: float) -> dict[str, float]:
    """A sizing's `step`: the decode step's parts and the prefill's (what `explain` shows)."""
    return {
        "memory_ms": st.memory_s * 1e3,
        "compute_ms": st.compute_s * 1e3,
        "allreduce_ms": st.allreduce_s * 1e3,
        "alltoall_ms": st.alltoall_s * 1e3,
        "pipeline_ms": st.pipeline_s * 1e3,
        "overhead_ms": st.overhead_s * 1e3,
        "moe_io_ms": st.moe_io_s * 1e3,
        "weight_read_gb": st.weight_read_gb,
        "kv_read_gb": st.kv_read_gb,
        "prefill_compute_ms_per_request": p_cost * 1e3,
        "prefill_queue_ms": queue_wait * 1e3,
        "prefill_utilisation": rho,
    }


def _unfit_reason(
    gpu: Gpu,
    precision: str,
    plan: Plan,
    mem: Memory,
    cap: int,
    seq: float,
    longest: float,
    network_ok: bool,
    fits_longest: bool,
) -> str | None:
    """Why a replica cannot run, the first obstacle first; None when it can."""
    if not supports(gpu, precision):
        return f"{gpu.id} has no {precision} tensor cores"
    if not network_ok:
        return f"the catalogue lists no inter-node network for {gpu.id}, so a replica cannot span nodes"
    if cap < 1 and mem.kv_pool_per_gpu_gb <= 0:
        return (
            f"weights need {mem.weights_per_gpu_gb:.1f} GB per GPU on {plan.gpus} GPUs "
            f"but only {mem.usable_gb:.1f} GB is usable"
        )
    if cap < 1:
        return (
            f"one {seq:,.0f}-token sequence needs {mem.kv_per_gpu_gb_per_sequence:.1f} GB of cache per GPU "
            f"but only {mem.kv_pool_per_gpu_gb:.1f} GB is left after the weights on {plan.gpus} GPUs"
        )
    if not fits_longest:
        return f"a {longest:,.0f}-token request does not fit the KV cache"
    return None
