"""The step model and the prefill reused across token profiles (`sizing.step.reusing`): the same
numbers as built afresh, and nothing kept outside it (the calibration fit rewrites the kernel
tables in place between two sizings)."""

from __future__ import annotations

from dataclasses import replace

from openclosed.selfhost.sizing import kernels, prefill, step
from openclosed.selfhost.sizing.step import Plan

PLANS = [
    Plan(tp=1),
    Plan(tp=8),
    Plan(tp=1, dp=8, ep=8),
    Plan(tp=8, pp=2, nodes=2),
    Plan(tp=8, dp=2, ep=16, nodes=2),
]
# Dense GQA, MoE GQA, MoE MLA; a Hopper, a Blackwell and an AMD GPU.
MODELS = ["llama-3.1-8b", "qwen3-235b-a22b", "deepseek-v3"]
GPUS = ["h100-sxm", "b200", "mi300x"]


def test_a_step_model_moved_to_another_context_is_built_afresh(catalog) -> None:
    eff = step.DEFAULT_EFFICIENCY
    checked = 0
    with step.reusing():
        for mid in MODELS:
            arch = catalog.model(mid).architecture
            for gid in GPUS:
                gpu = catalog.gpu(gid)
                for plan in PLANS:
                    for kv in (2.0, 1.0):
                        for context in (650.0, 4321.5, 100_000.0, 650.0):
                            got = step.step_model(arch, gpu, "fp8", plan, context, eff, kv)
                            want = step.StepModel(arch, gpu, "fp8", plan, context, eff, kv)
                            assert vars(got) == vars(want), (mid, gid, plan, kv, context)
                            assert got.time(37) == want.time(37)
                            checked += 1
    assert checked == len(MODELS) * len(GPUS) * len(PLANS) * 2 * 4
    assert step._MODELS == {} and prefill._PREFILL == {}


def test_the_prefill_reused_is_the_prefill_worked_out(catalog) -> None:
    eff = step.DEFAULT_EFFICIENCY
    cases = [
        (catalog.model(mid).architecture, catalog.gpu(gid), plan, tokens)
        for mid in MODELS
        for gid in GPUS
        for plan in PLANS
        for tokens in (240.0, 3_700.0, 20_000.0)
    ]
    fresh = [
        (prefill.prefill_compute_s(a, g, "fp8", p, t, eff), prefill.prefill_s(a, g, "fp8", p, t, eff))
        for a, g, p, t in cases
    ]
    with step.reusing():
        for _ in range(2):  # worked out, then reused
            again = [
                (prefill.prefill_compute_s(a, g, "fp8", p, t, eff), prefill.prefill_s(a, g, "fp8", p, t, eff))
                for a, g, p, t in cases
            ]
            assert again == fresh
        assert prefill._PREFILL


def test_outside_reusing_a_changed_kernel_table_is_seen(catalog, monkeypatch) -> None:
    """What the calibration fit does: change a fitted factor in place, size again."""
    arch, gpu, eff = catalog.model("deepseek-v3").architecture, catalog.gpu("h100-sxm"), step.DEFAULT_EFFICIENCY
    before = step.step_model(arch, gpu, "fp8", Plan(tp=8), 2000.0, eff)
    time = prefill.prefill_s(arch, gpu, "fp8", Plan(tp=8), 2000.0, eff)
    assert step._MODELS == {} and prefill._PREFILL == {}
    for kind in list(kernels.ATTENTION_EFFICIENCY):
        monkeypatch.setitem(kernels.ATTENTION_EFFICIENCY, kind, kernels.ATTENTION_EFFICIENCY[kind] / 2)
    after = step.step_model(arch, gpu, "fp8", Plan(tp=8), 2000.0, eff)
    assert after.attn_flops_per_seq == 2 * before.attn_flops_per_seq
    assert prefill.prefill_s(arch, gpu, "fp8", Plan(tp=8), 2000.0, eff) > time


def test_a_step_totals_what_the_model_times(catalog) -> None:
    """`size` takes a batch's time per output token from the step it has worked out (its total),
    not from `StepModel.time`: the two are the same sum of the same terms."""
    eff = step.DEFAULT_EFFICIENCY
    for mid in MODELS:
        arch = catalog.model(mid).architecture
        for gid in GPUS:
            for plan in PLANS:
                model = step.StepModel(arch, catalog.gpu(gid), "fp8", plan, 3_000.0, eff)
                for batch in (1, 7, 64, 300):
                    assert model.step(batch).total_s == model.time(batch), (mid, gid, plan, batch)


def test_a_replica_sized_at_many_profiles_is_sized_as_alone(catalog) -> None:
    """Inside `reusing()` a replica's memory budget (`deploy.replica`), search (`parallel._search`),
    step model and prefill terms are kept across token profiles: each sizing is the one worked out
    afresh, and its prefill and time per output token are what `prefill_s`, `prefill_compute_s`
    and `StepModel.time` give (the prompt's two prefills are worked out together in `size`)."""
    from dataclasses import asdict

    from openclosed.selfhost.sizing import deploy, parallel

    # Grouped GEMMs slower with fewer tokens per expert: the prompt's two chunks then differ.
    eff = replace(step.DEFAULT_EFFICIENCY, expert_tokens_half=64.0)
    profiles = [(240.0, 90.0, 90.0), (3_700.0, 400.0, 2_400.0), (20_000.0, 1_000.0, 1_000.0), (240.0, 90.0, 90.0)]
    cases = [(m, g, p) for m in MODELS for g in GPUS for p in ("fp8", "bf16")]

    def sized() -> list[dict]:
        out = []
        for mid, gid, precision in cases:
            arch, gpu = catalog.model(mid).architecture, catalog.gpu(gid)
            for inp, output, decode in profiles:
                s = parallel.plan_replica(
                    mid, arch, gpu, precision, inp, output, eff=eff, decode_tokens=decode, cached_share=0.25
                )
                out.append(asdict(s))
        return out

    fresh = sized()
    with step.reusing():
        assert sized() == fresh
        assert sized() == fresh
        assert deploy._REPLICAS and parallel._SEARCHES
    assert deploy._REPLICAS == {} and parallel._SEARCHES == {}
    checked = 0
    for s in fresh:
        if not s["fits"]:
            continue
        arch, gpu = catalog.model(s["model"]).architecture, catalog.gpu(s["gpu"])
        plan = Plan(tp=s["tp"], dp=s["dp"], pp=s["pp"], ep=s["ep"], nodes=s["nodes"])
        prompt = s["input_tokens"] * 0.75
        model = step.StepModel(arch, gpu, s["precision"], plan, s["mean_context_tokens"], eff)
        assert s["prefill_ms"] == round(prefill.prefill_s(arch, gpu, s["precision"], plan, prompt, eff, model) * 1e3, 3)
        p_cost = prefill.prefill_compute_s(arch, gpu, s["precision"], plan, prompt, eff)
        p_cost += (model.ar_per_token / (plan.dp * plan.pp) + model.a2a_per_token) * prompt
        batch = s["concurrency"]
        tpot = model.time(batch) + (batch - 1) * p_cost / s["decode_tokens"]
        assert s["tpot_ms"] == round(tpot * 1e3, 3)
        checked += 1
    assert checked > 50


def test_a_sizing_builds_its_memory_plan_and_step_figures_when_read(catalog, monkeypatch) -> None:
    """A comparison reads a sizing's fit, batch and speeds, not its `memory` and `step` (what
    `explain` and `size` show): `size` builds them when first read, and they are what
    `memory_plan`, `max_concurrency` and the step model give."""
    from openclosed.selfhost.sizing import deploy

    built = []
    real = deploy.Memory

    def counted(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(deploy, "Memory", counted)
    sizings = []
    for mid in MODELS:
        arch = catalog.model(mid).architecture
        for gid in GPUS:
            gpu = catalog.gpu(gid)
            for plan in PLANS:
                for inp, out in ((240.0, 90.0), (3_700.0, 400.0)):
                    before = len(built)
                    s = deploy.size(mid, arch, gpu, "fp8", plan, inp, out, max_tpot_ms=50.0, cached_share=0.25)
                    if s.fits:  # (one that cannot run builds it for its reason)
                        assert len(built) == before
                        sizings.append((s, arch, gpu, plan))
    assert len(sizings) > 20
    built.clear()
    for s, arch, gpu, plan in sizings:
        seq = s.input_tokens + s.decode_tokens
        mem = deploy.memory_plan(arch, gpu, "fp8", plan, seq)
        assert s.memory == mem
        assert s.max_concurrency == deploy.max_concurrency(arch, mem, plan, step.DEFAULT_EFFICIENCY)
        assert s.weights_gb == round(mem.weights_gb, 3)
        assert s.kv_cache_gb_per_sequence == round(mem.kv_cache_gb_per_sequence, 4)
        st = step.StepModel(arch, gpu, "fp8", plan, s.mean_context_tokens).step(s.concurrency)
        for name in ("memory", "compute", "allreduce", "alltoall", "pipeline", "overhead", "moe_io"):
            assert s.step[f"{name}_ms"] == getattr(st, f"{name}_s") * 1e3
        assert (s.step["weight_read_gb"], s.step["kv_read_gb"]) == (st.weight_read_gb, st.kv_read_gb)
        assert s.decode_step_ms == round(st.total_s * 1e3, 3)
        assert s.bound == st.bound
    assert len(built) == 2 * len(sizings)  # one by `memory_plan`, one when `s.memory` was read
