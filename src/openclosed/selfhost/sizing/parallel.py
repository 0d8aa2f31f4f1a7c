"""Which parallel plans a replica may use, and the search for the smallest one that works.

Inside a node: tensor parallelism (TP) over NVLink, or for MLA models data-parallel attention
with expert parallelism (TP would copy MLA's latent KV cache to every rank). Across nodes (up to
MAX_NODES of gpu.max_gpus_per_node GPUs each, priced as whole nodes): pipeline stages (PP), or
expert parallelism over every GPU with attention TP inside each node or data-parallel attention.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ...catalog.architecture import Architecture
from ...catalog.schema import Gpu
from .attention import cache_parts
from .deploy import Sizing, largest_usable_bytes, size, weights_per_gpu
from .groups import layout_of
from .step import DEFAULT_EFFICIENCY, REUSED_CACHES, Efficiency, Plan, keep, reuse_on, reused

MAX_NODES = 16


def tp_candidates(gpu: Gpu, arch: Architecture, counts: list[int] | None = None) -> list[int]:
    """GPU counts a single-node tensor-parallel replica may use, dividing the attention heads."""
    options = counts or [1, 2, 4, 8]
    return sorted({n for n in options if n <= gpu.max_gpus_per_node and arch.attention_heads % n == 0})


def gpu_counts(gpu: Gpu, max_nodes: int = MAX_NODES) -> list[int]:
    """Replica sizes searched: powers of two inside one node, then whole nodes."""
    per_node = gpu.max_gpus_per_node
    inside = [n for n in (1, 2, 4, 8, 16, 32, 64, 72) if n < per_node] + [per_node]
    return inside + [n * per_node for n in range(2, max_nodes + 1)]


_TRAITS: dict[int, tuple[Architecture, tuple[int, bool]]] = {}


def _plan_traits(arch: Architecture) -> tuple[int, bool]:
    """(most routed experts of a layer, 0 for a dense model; whether data-parallel attention is
    planned: for MoE models whose cache cannot split over tensor-parallel ranks, MLA's latent or a
    single KV head, where TP would copy the cache to every rank). Memoised per architecture."""
    hit = _TRAITS.get(id(arch))
    if hit is not None and hit[0] is arch:
        return hit[1]
    experts = layout_of(arch).max_experts
    value = (experts, experts > 0 and cache_parts(arch, 2.0).kv_split == 1)
    _TRAITS[id(arch)] = (arch, value)
    return value


def plans_for(gpu: Gpu, arch: Architecture, gpus: int, max_nodes: int = MAX_NODES) -> list[Plan]:
    """Every plan of exactly `gpus` GPUs (empty when none is valid)."""
    per_node = gpu.max_gpus_per_node
    experts, dp_attention = _plan_traits(arch)
    plans: list[Plan] = []
    if gpus <= per_node:
        if arch.attention_heads % gpus == 0:
            plans.append(Plan(tp=gpus))
        if dp_attention and 1 < gpus <= experts:
            plans.append(Plan(tp=1, dp=gpus, ep=gpus))
        return plans
    if gpus % per_node:
        return []
    nodes = gpus // per_node
    if nodes > max_nodes:
        return []
    tp = per_node if arch.attention_heads % per_node == 0 else 0
    if tp and arch.layers >= nodes:
        plans.append(Plan(tp=tp, pp=nodes, nodes=nodes))
    if experts >= gpus:
        if tp:
            plans.append(Plan(tp=tp, dp=nodes, ep=gpus, nodes=nodes))
        if dp_attention:
            plans.append(Plan(tp=1, dp=gpus, ep=gpus, nodes=nodes))
    return plans


# The search's plans per replica shape (`_search`), kept inside `reusing()` only.
_SEARCHES: dict[tuple, tuple[Architecture, Gpu, Efficiency, tuple]] = {}
REUSED_CACHES.append(_SEARCHES)


def _search(
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    gpus: int | None,
    max_nodes: int,
    eff: Efficiency,
    skip_unfit: bool,
) -> Iterable[tuple[tuple[Plan, ...], tuple[Plan, ...]]]:
    """Per GPU count that has a valid plan, in the order `plan_replica` tries them: (its plans,
    those worth sizing). None of this depends on the request's tokens: inside `reusing()` it is
    worked out once per replica shape, for every count, and kept for every token profile; outside,
    count by count as the search asks (most searches stop at the first count they size)."""
    if not reuse_on():
        return _counts(arch, gpu, precision, gpus, max_nodes, eff, skip_unfit)
    key = (id(arch), id(gpu), precision, gpus, max_nodes, id(eff), skip_unfit)
    hit = reused(_SEARCHES, key, arch, gpu, eff)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    value = tuple(_counts(arch, gpu, precision, gpus, max_nodes, eff, skip_unfit))
    keep(_SEARCHES, key, arch, gpu, eff, value)
    return value


def _counts(
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    gpus: int | None,
    max_nodes: int,
    eff: Efficiency,
    skip_unfit: bool,
) -> Iterator[tuple[tuple[Plan, ...], tuple[Plan, ...]]]:
    """`_search`'s counts one by one. A plan whose weights alone fill a GPU's usable memory cannot
    run: with `skip_unfit` it is not sized (three in four of a catalogue run's candidates); such
    plans only matter as the reason when no size fits at all, and then the last size is sized in
    full."""
    usable = largest_usable_bytes(gpu, eff)
    for count in [gpus] if gpus is not None else gpu_counts(gpu, max_nodes):
        plans = tuple(plans_for(gpu, arch, count, max_nodes))
        if plans:
            kept = tuple(p for p in plans if weights_per_gpu(arch, precision, p) < usable) if skip_unfit else plans
            yield plans, kept


def _better(a: Sizing, b: Sizing | None, max_ttft_ms: float | None) -> bool:
    if b is None:
        return True  # (no key built: most searches size one plan of the count they stop at)
    return _key(a, max_ttft_ms) > _key(b, max_ttft_ms)


def _key(s: Sizing, max_ttft_ms: float | None) -> tuple:
    ok = s.fits and s.meets_tpot and (max_ttft_ms is None or s.ttft_ms <= max_ttft_ms)
    return (s.fits, ok, s.output_tokens_per_s, -s.nodes)


def works(s: Sizing, max_ttft_ms: float | None = None) -> bool:
    return s.fits and s.meets_tpot and (max_ttft_ms is None or s.ttft_ms <= max_ttft_ms)


def plan_replica(
    model_id: str,
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    input_tokens: float,
    output_tokens: float,
    gpus: int | None = None,
    concurrency: int | None = None,
    max_tpot_ms: float | None = None,
    max_ttft_ms: float | None = None,
    cached_share: float = 0.0,
    context_tokens: float | None = None,
    max_nodes: int = MAX_NODES,
    min_batch: int = 1,
    eff: Efficiency = DEFAULT_EFFICIENCY,
    *,
    decode_tokens: float | None = None,
    kv_cache_dtype: str = "bf16",
    speculative: str = "none",
) -> Sizing:
    """The replica to run: with `gpus`, the best plan of that many GPUs; without, the smallest GPU
    count (up to `max_nodes` whole nodes) whose best plan fits, holds `min_batch` sequences and
    meets the latency targets; failing that, the smallest that fits; failing that, the largest
    tried, with the reason it cannot run. Among plans of one size the highest throughput wins.
    `decode_tokens`: tokens decoded per request (visible output and hidden reasoning; `size`).
    """
    if gpus is None and gpu.network_gbit_s is None:
        max_nodes = 1  # no inter-node network in the catalogue: a replica stays inside one node

    def best_of(plans: tuple[Plan, ...]) -> Sizing | None:
        best: Sizing | None = None
        for plan in plans:
            s = size(
                model_id,
                arch,
                gpu,
                precision,
                plan,
                input_tokens,
                output_tokens,
                concurrency=concurrency,
                max_tpot_ms=max_tpot_ms,
                cached_share=cached_share,
                context_tokens=context_tokens,
                eff=eff,
                decode_tokens=decode_tokens,
                kv_cache_dtype=kv_cache_dtype,
                speculative=speculative,
            )
            if s.fits and s.max_concurrency < min_batch:
                s.fits = False
                s.reason = f"only {s.max_concurrency} sequences fit; {min_batch} are needed"
            if _better(s, best, max_ttft_ms):
                best = s
        return best

    fallback: Sizing | None = None
    last: Sizing | None = None
    last_plans: tuple[Plan, ...] = ()
    for plans, kept in _search(arch, gpu, precision, gpus, max_nodes, eff, concurrency is None):
        last_plans = plans
        best = best_of(kept)
        if best is None:
            last = None
            continue
        last = best
        if works(best, max_ttft_ms):
            return best
        if best.fits and fallback is None:
            fallback = best
    if fallback is not None:
        return fallback
    if last_plans and (last is None or not last.fits):
        last = best_of(last_plans)
    if last is None:
        # No valid plan at all (e.g. a GPU count that is not whole nodes): size it as one TP group
        # so that the caller still gets memory figures, and say why.
        n = gpus or 1
        last = size(
            model_id,
            arch,
            gpu,
            precision,
            n,
            input_tokens,
            output_tokens,
            eff=eff,
            decode_tokens=decode_tokens,
            kv_cache_dtype=kv_cache_dtype,
            speculative=speculative,
        )
        last.fits = False
        last.reason = (
            f"{n} GPUs make no valid plan: beyond one node a replica uses whole nodes of "
            f"{gpu.max_gpus_per_node} (at most {max_nodes}), and tensor parallelism must divide "
            f"the {arch.attention_heads} attention heads"
        )
    elif gpus is None and not last.fits:
        where = "one node" if max_nodes == 1 else f"{max_nodes} nodes"
        last.reason = f"does not fit {where} of {gpu.max_gpus_per_node}× {gpu.id}: {last.reason}"
    return last


def smallest_fit(
    model_id: str,
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    input_tokens: float,
    output_tokens: float,
    min_batch: int = 1,
    max_tpot_ms: float | None = None,
    counts: list[int] | None = None,
    eff: Efficiency = DEFAULT_EFFICIENCY,
    max_nodes: int = 1,
    *,
    decode_tokens: float | None = None,
    kv_cache_dtype: str = "bf16",
    speculative: str = "none",
) -> Sizing | None:
    """The smallest replica that fits with at least `min_batch` sequences (one node by default;
    `max_nodes` > 1 also searches multi-node plans)."""
    if counts is not None:
        for tp in tp_candidates(gpu, arch, counts):
            s = size(
                model_id,
                arch,
                gpu,
                precision,
                tp,
                input_tokens,
                output_tokens,
                max_tpot_ms=max_tpot_ms,
                eff=eff,
                decode_tokens=decode_tokens,
                kv_cache_dtype=kv_cache_dtype,
                speculative=speculative,
            )
            if s.fits and s.max_concurrency >= min_batch and s.meets_tpot:
                return s
        return None
    s = plan_replica(
        model_id,
        arch,
        gpu,
        precision,
        input_tokens,
        output_tokens,
        max_tpot_ms=max_tpot_ms,
        max_nodes=max_nodes,
        min_batch=min_batch,
        eff=eff,
        decode_tokens=decode_tokens,
        kv_cache_dtype=kv_cache_dtype,
        speculative=speculative,
    )
    return s if s.fits and s.meets_tpot and s.max_concurrency >= min_batch else None
