"""The step model and the prefill reused across token profiles (`sizing.step.reusing`): the same
numbers as built afresh, and nothing kept outside it (the calibration fit rewrites the kernel
tables in place between two sizings)."""

from __future__ import annotations

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
