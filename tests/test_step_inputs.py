"""Inputs of the step model: the KV cache dtype, the tokens decoded per request, speculative decoding
and the memory budget of a model that barely fits. Expected values computed by hand."""

from __future__ import annotations

import pytest

from openclosed.selfhost import sizing
from openclosed.selfhost.sizing.speculative import SPECULATION

GIB = 2**30


def test_the_cache_dtype_is_its_own_input(catalog) -> None:
    m = catalog.model("deepseek-r1")
    g = catalog.gpu("h200")
    # FP8 weights keep a bf16 cache unless fp8 is asked for: 61 layers × 576 latent elements × bytes.
    bf16 = sizing.size(m.id, m.architecture, g, "fp8", 8, 1000, 500)
    fp8 = sizing.size(m.id, m.architecture, g, "fp8", 8, 1000, 500, kv_cache_dtype="fp8")
    assert bf16.kv_cache_gb_per_sequence == round(61 * 576 * 2 * 1504 / 1e9, 4)  # 1,500 tokens in 16-token blocks
    assert fp8.kv_cache_gb_per_sequence == round(61 * 576 * 1 * 1504 / 1e9, 4)
    assert bf16.weights_gb == fp8.weights_gb
    assert fp8.max_concurrency == pytest.approx(2 * bf16.max_concurrency, abs=1)


def test_decode_tokens_default_to_the_output(catalog) -> None:
    m = catalog.model("llama-3.1-8b")
    g = catalog.gpu("h100-sxm")
    plain = sizing.size(m.id, m.architecture, g, "bf16", 1, 1000, 500)
    same = sizing.size(m.id, m.architecture, g, "bf16", 1, 1000, 500, decode_tokens=500)
    assert plain.to_dict() == same.to_dict()
    # 1,500 tokens decoded for 500 visible: the cache holds 2,500 tokens, decode runs at a mean
    # context of 1,750, and a request costs 1,500 decode steps.
    longer = sizing.size(m.id, m.architecture, g, "bf16", 1, 1000, 500, decode_tokens=1500, concurrency=8)
    assert longer.kv_cache_gb_per_sequence == round(32 * 2 * 8 * 128 * 2 * 2512 / 1e9, 4)
    assert longer.mean_context_tokens == 1750
    step = longer.decode_step_ms / 1e3
    prefill = longer.step["prefill_compute_ms_per_request"] / 1e3
    assert longer.requests_per_s == pytest.approx(1 / (step * 1500 / 8 + prefill), rel=1e-3)
    assert longer.output_tokens_per_s == pytest.approx(longer.requests_per_s * 1500, abs=0.01)


def test_speculative_decoding(catalog) -> None:
    m = catalog.model("deepseek-r1")  # one MTP layer
    g = catalog.gpu("h200")
    plan = sizing.Plan(tp=8)
    spec = sizing.size(m.id, m.architecture, g, "fp8", plan, 1000, 500, concurrency=4, speculative="mtp")
    step = sizing.StepModel(m.architecture, g, "fp8", plan, 1250.0)
    mtp = SPECULATION["mtp"]
    # One drafted token: verify 2 tokens per sequence, plus the draft (one layer of 61), 1.85 tokens a step.
    verify = step.time(4, 2) + step.time(4) / 61
    interleave = spec.step["prefill_compute_ms_per_request"] / 1e3 / 500
    assert spec.tpot_ms == pytest.approx((verify / mtp.tokens_per_step + 3 * interleave) * 1e3, abs=1e-3)
    assert spec.tokens_per_step == 1.85 and spec.speculative == "mtp"
    # A model without MTP layers decodes plainly when asked for mtp.
    llama = catalog.model("llama-3.1-8b")
    a = sizing.size(llama.id, llama.architecture, g, "bf16", 1, 1000, 500, speculative="mtp")
    b = sizing.size(llama.id, llama.architecture, g, "bf16", 1, 1000, 500)
    assert a.to_dict() == b.to_dict()


def test_a_model_that_barely_fits_runs_with_the_engines_tight_budget(catalog) -> None:
    # InferenceX serves DeepSeek-R1 FP8 on 4×B200 (8K in, 1K out, fp8 cache) with SGLang at a 0.95
    # static memory fraction and 32 running requests. Weights: 672.85 GB / 4 = 168.21 GB per GPU,
    # plus 3/4 of MLA's latent down projections, which every rank holds whole (61 × 7,168 × 2,112
    # at one byte: 0.69 GB); the default budget (0.90 × 180 GiB − 4 %) leaves −2.7 GB, the tight one
    # 0.95 × 180 GiB − 168.90.
    m = catalog.model("deepseek-r1")
    b200 = catalog.gpu("b200")
    s = sizing.size(m.id, m.architecture, b200, "fp8", 4, 8192, 1024, kv_cache_dtype="fp8")
    pool = 0.95 * 180 * GIB - (672.85335808e9 + 3 * 61 * 7168 * 2112) / 4
    per_seq = 61 * 576 * 1 * 9216  # fp8 latent of 9,216 tokens, replicated on each TP rank
    assert s.fits and s.memory.tight
    assert s.memory.kv_pool_per_gpu_gb == pytest.approx(pool / 1e9, rel=1e-9)
    assert pool // per_seq == 45 and s.max_concurrency == 32  # the published configuration's batch
    # With a bf16 cache only 23 such sequences fit: not the configuration that was run, so refused.
    refused = sizing.size(m.id, m.architecture, b200, "fp8", 4, 8192, 1024)
    assert not refused.fits and not refused.memory.tight and refused.max_concurrency == 0
    # The run left 9 GiB outside the static fraction; no GPU is given less. An 80 GiB H100: 71 GiB
    # against the default 0.90 × 80 − 3.2 = 68.8 GiB; a 24 GB L4 gains nothing.
    assert sizing.tight_usable_bytes(catalog.gpu("h100-sxm")) == 71 * GIB
    assert sizing.tight_usable_bytes(catalog.gpu("l4")) is None


def test_size_flags_and_bad_values(cli) -> None:
    import json

    r = cli("size", "deepseek-r1", "--gpu", "h200", "--gpus", "8", "--kv-cache-dtype", "fp8", "-f", "json")
    d = json.loads(r.out)
    assert r.code == 0 and d["kv_cache_dtype"] == "fp8"
    assert d["kv_cache_gb_per_sequence"] == round(61 * 576 * 1 * 1504 / 1e9, 4)
    r = cli("size", "llama-3.1-8b", "--gpu", "h100", "--speculative", "mtp", "-f", "json")
    assert r.code == 0 and json.loads(r.out)["speculative"] == "none"  # no MTP layers: plain decoding
    for flag, value in (("--kv-cache-dtype", "fp16"), ("--speculative", "medusa")):
        r = cli("size", "llama-3.1-8b", "--gpu", "h100", flag, value)
        assert r.code == 2 and r.err.strip().count("\n") == 0 and flag in r.err
