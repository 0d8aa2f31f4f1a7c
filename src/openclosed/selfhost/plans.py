"""Sizing a self-hosted replica for the workload: the precisions it accepts and, per precision,
the replica to run (the smallest GPU count that fits and meets the latency targets), memoised per
catalogue and request shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..evaluation import Context
from . import store
from .sizing import Plan as SizingPlan
from .sizing import Sizing, plan_replica, size, supports, works
from .sizing.step import step_overhead_s

if TYPE_CHECKING:
    from ..catalog.schema import Model


def ttft_target(ctx: Context, model: Model, gpu: Any) -> float | None:
    """The TTFT target for the search over replica sizes, in ms. When the hidden tokens times a
    decode step's fixed overhead alone exceed it, no replica meets it: the search then stops at the
    smallest replica that meets the other targets (the option is ruled out on latency either way)."""
    max_ttft = ctx.wl.latency.max_ttft_ms
    hidden = ctx.reasoning(model).hidden_tokens
    assert model.architecture is not None
    if max_ttft is not None and hidden * step_overhead_s(model.architecture, gpu, ctx.st.efficiency) * 1e3 > max_ttft:
        return None
    return max_ttft


def sizing(ctx: Context, model: Model, gpu_id: str, precision: str, tp: int | SizingPlan) -> Sizing:
    """The cached sizing of one replica (`tp` GPUs in one group, or a multi-node Plan) for this
    workload's shape."""
    planned = _planned(ctx, model.id, gpu_id, precision, tp)
    if planned is not None:
        return planned
    key = (model.id, gpu_id, precision, tp)
    hit = ctx.sizing_cache.get(key)
    if hit is None:
        t = ctx.wl.traffic
        assert model.architecture is not None
        hit = size(
            model.id,
            model.architecture,
            ctx.cat.gpu(gpu_id),
            precision,
            tp,
            t.input_tokens,
            t.output_tokens,
            max_tpot_ms=max_tpot_ms(ctx),
            **request_kwargs(ctx, ctx.reasoning(model).decoded(t.output_tokens)),
        )
        ctx.sizing_cache[key] = hit
    return hit


def _planned(ctx: Context, model_id: str, gpu_id: str, precision: str, tp: int | SizingPlan) -> Sizing | None:
    """The replica `plans` chose for this model, GPU and precision when it is the one asked for
    (`tp` its `Plan`), else None. Looked up when asked rather than entered in `ctx.sizing_cache` for
    every plan chosen: a compare asks for none, and making each plan's key was about 1 ms a run."""
    for p, s, _ in ctx.plan_cache.get((model_id, gpu_id), ()):
        if p == precision and s.plan_obj == tp:
            return s
    return None


def precisions_for(ctx: Context, model: Model) -> list[str]:
    """The model's published precisions that the workload accepts (`self_hosting.precisions`): an
    excluded precision never comes back, not even the native one (issue 22); may be empty."""
    arch = model.architecture
    assert arch is not None
    allowed = set(ctx.wl.self_hosting.precisions)
    return [p for p in arch.precisions if p in allowed]


def precision_violation(ctx: Context, model: Model) -> str:
    """Why a model none of whose checkpoints is at an accepted precision is ruled out."""
    arch = model.architecture
    assert arch is not None
    return (
        f"precision: {model.name} is published only at {', '.join(arch.precisions)}; the workload accepts "
        f"{', '.join(ctx.wl.self_hosting.precisions)} (self_hosting.precisions)"
    )


def plans(ctx: Context, model: Model, gpu_id: str) -> list[tuple[str, Sizing, bool]]:
    """Per precision the replica to run: the smallest GPU count (up to MAX_NODES whole nodes where
    the GPU has an inter-node network) that fits and meets the latency targets, else the smallest
    that fits; with whether it meets them. Precisions that cannot run at all are recorded with
    their reason in `ctx.unfit` for the capacity message."""
    key = (model.id, gpu_id)
    hit = ctx.plan_cache.get(key)
    if hit is not None:
        return hit
    gpu = ctx.cat.gpu(gpu_id)
    arch = model.architecture
    assert arch is not None
    t, lat = ctx.wl.traffic, ctx.wl.latency
    max_tpot = max_tpot_ms(ctx)
    allowed = tuple(precisions_for(ctx, model))
    decoded = ctx.reasoning(model).decoded(t.output_tokens)
    # Sizing depends only on the catalogue entry and the request's shape: engines run one after
    # another in a process (a sweep, routing, sensitivity, the tests) reuse it, and so do later
    # processes (`store`, on disk, keyed on the catalogue and the code as well).
    request = _request_shape(ctx)
    pair = (model.id, gpu_id, allowed, decoded)
    shape = (id(ctx.cat), *pair, *request)
    memo = _PLAN_MEMO.get(shape)
    named = ""  # the store's name for the pair, when it is asked (once a sizing)
    if memo is None or memo[0] is not ctx.cat:
        named = repr(pair)
        stored = store.lookup(ctx.cat, request, named)
        if stored is not None:
            memo = (ctx.cat, *stored)
            _PLAN_MEMO[shape] = memo
    if memo is not None and memo[0] is ctx.cat:
        out, reasons = memo[1], memo[2]
        ctx.plan_cache[key] = out  # `sizing` finds each chosen replica here (`_planned`)
        ctx.unfit[key] = reasons
        return out
    max_ttft = ttft_target(ctx, model, gpu)
    sized_as = request_kwargs(ctx, decoded)
    out = []
    reasons = []
    for precision in allowed:
        if not supports(gpu, precision):
            reasons.append(f"{precision}: {gpu.name} has no {precision} support")
            continue

        def plan(tpot: float | None, ttft: float | None, precision: str = precision) -> Sizing:
            return plan_replica(
                model.id,
                arch,
                gpu,
                precision,
                t.input_tokens,
                t.output_tokens,
                max_tpot_ms=tpot,
                max_ttft_ms=ttft,
                **sized_as,
            )

        hidden = decoded - t.output_tokens
        s = plan(max_tpot, None if hidden else max_ttft)
        if hidden and max_ttft is not None and s.fits and not works(s, max_ttft):
            # The first visible token comes after the hidden tokens: a smaller batch decodes them
            # faster. Give them what the target leaves after the first token of the smallest
            # replica (its prefill and queue) and search again; if that fails too, the option is
            # ruled out on latency and costed at the per-stream target's batch.
            room = max_ttft - (s.ttft_ms - hidden * s.tpot_ms)
            if room > 0:
                cap = room / hidden
                again = plan(min(cap, max_tpot) if max_tpot else cap, max_ttft)
                s = again if works(again, max_ttft) else s
        if s.fits:
            out.append((precision, s, works(s, lat.max_ttft_ms)))
        else:
            reasons.append(f"{precision}: {s.reason}")
    ctx.plan_cache[key] = out
    ctx.unfit[key] = reasons
    if len(_PLAN_MEMO) > _PLAN_MEMO_MAX:
        _PLAN_MEMO.clear()
    # The catalogue is kept with the entry: its id cannot be reused by another while it is held.
    _PLAN_MEMO[shape] = (ctx.cat, out, reasons)
    store.remember(ctx.cat, request, named, (out, reasons))
    return out


def _request_shape(ctx: Context) -> tuple:
    """The workload's part of the sizing memo's key (the model's part is added per call)."""
    hit = ctx.__dict__.get("_request_shape")
    if hit is None:
        t, lat, sh = ctx.wl.traffic, ctx.wl.latency, ctx.wl.self_hosting
        hit = (
            t.input_tokens,
            t.output_tokens,
            t.cached_input_share,
            t.context_tokens_value,
            max_tpot_ms(ctx),
            lat.max_ttft_ms,
            repr(ctx.st.efficiency),
            sh.kv_cache_dtype,
            sh.speculative,
        )
        ctx.__dict__["_request_shape"] = hit
    return hit


def max_tpot_ms(ctx: Context) -> float | None:
    """The per-stream speed target as a time per output token (None: no target)."""
    tps = ctx.wl.latency.min_output_tokens_per_s
    return 1000.0 / tps if tps else None


def request_kwargs(ctx: Context, decoded: float) -> dict[str, Any]:
    """The request's shape as sizing's keyword arguments, `decoded` tokens a request included
    (`_request_shape` is its memo key): every caller of sizing for a workload passes these."""
    t, sh = ctx.wl.traffic, ctx.wl.self_hosting
    return {
        "cached_share": t.cached_input_share,
        "context_tokens": t.context_tokens_value,
        "eff": ctx.st.efficiency,
        "kv_cache_dtype": sh.kv_cache_dtype,
        "speculative": sh.speculative,
        "decode_tokens": decoded,
    }


_PLAN_MEMO: dict[tuple, tuple[Any, list[tuple[str, Sizing, bool]], list[str]]] = {}
_PLAN_MEMO_MAX = 20_000


def smallest_memory_need(ctx: Context, model: Model) -> float:
    """GB of the model's smallest accepted checkpoint: once per model and run (the capacity
    message of every GPU it does not fit on says it)."""
    memo = ctx.__dict__.setdefault("_memory_need", {})
    hit = memo.get(model.id)
    if hit is None:
        from .sizing import weight_bytes

        assert model.architecture is not None
        need = min((weight_bytes(model.architecture, p) for p in precisions_for(ctx, model)), default=0.0)
        hit = memo[model.id] = need / 1e9
    return hit
