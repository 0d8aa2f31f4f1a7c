"""Self-hosting sizing: memory, KV cache, decode step, batch, with hand-computed expectations."""

from __future__ import annotations

import pytest

from openclosed.selfhost import sizing


def test_weights_of_llama_8b(catalog) -> None:
    a = catalog.model("llama-3.1-8b").architecture
    assert sizing.weight_bytes(a, "bf16") == pytest.approx(8.03e9 * 2)
    # fp8: embedding and lm_head (2 × 128256 × 4096) stay 16-bit, the rest 1 byte.
    emb = 128256 * 4096
    assert sizing.weight_bytes(a, "fp8") == pytest.approx(2 * emb * 2 + (8.03e9 - 2 * emb))


def test_mxfp4_keeps_non_expert_weights_in_bf16(catalog) -> None:
    a = catalog.model("gpt-oss-120b").architecture
    experts = 36 * 128 * 3 * 2880 * 2880
    expected = experts * 4.25 / 8 + (a.total_params_b * 1e9 - experts) * 2
    assert sizing.weight_bytes(a, "mxfp4") == pytest.approx(expected)
    assert 60e9 < expected < 70e9  # OpenAI: "runs on a single 80 GB GPU"


def test_kv_cache_by_attention_kind(catalog) -> None:
    llama = catalog.model("llama-3.1-8b").architecture
    assert sizing.kv_bytes_per_sequence(llama, 1, 2) == 2 * 32 * 8 * 128 * 2  # 128 KiB
    ds = catalog.model("deepseek-v3").architecture
    assert sizing.kv_bytes_per_sequence(ds, 1, 2) == 61 * (512 + 64) * 2  # 68.6 KiB, MLA latent
    gemma = catalog.model("gemma-3-27b").architecture
    # 10 global layers see all 8,192 tokens; 52 local layers see the 1,024-token window.
    per = 2 * 16 * 128 * 2
    assert sizing.kv_bytes_per_sequence(gemma, 8192, 2) == per * (10 * 8192 + 52 * 1024)
    assert sizing.kv_divisor(ds, 8) == 1 and sizing.kv_divisor(llama, 16) == 8


def test_distinct_experts() -> None:
    assert sizing.distinct_experts(128, 4, 1) == pytest.approx(4)
    assert sizing.distinct_experts(8, 2, 2) == pytest.approx(8 * (1 - 0.75**2))
    assert sizing.distinct_experts(128, 4, 10_000) == pytest.approx(128)


def test_decode_step_at_batch_1_is_the_bandwidth_roofline(catalog, cli) -> None:
    r = cli(
        "size", "llama-3.1-8b", "--gpu", "h100-sxm", "--precision", "bf16", "--concurrency", "1", "--format", "json"
    )
    assert r.code == 0, r.err
    s = r.json()
    assert s["weights_gb"] == pytest.approx(16.06, abs=0.01)
    # Streamed: all weights but the input embedding (a row lookup), plus the KV of a 1,250-token
    # mean context, at 3.35 TB/s × MBU 0.8; plus the fixed cost of the step's kernels: 32 layers ×
    # (6 attention + 3 MLP kernels) + embedding and lm_head = 290 kernels × 5 µs on Hopper. At batch 1
    # the attention kernels are bound by their KV read, so the weight and KV reads add up.
    streamed = 8.03e9 * 2 - 128256 * 4096 * 2 + 131072 * 1250
    expected_ms = streamed / (3.35e12 * 0.8) * 1e3 + 290 * 0.005
    assert s["decode_step_ms"] == pytest.approx(expected_ms, rel=1e-3)
    roofline_ms = streamed / 3.35e12 * 1e3
    assert 1.0 < s["decode_step_ms"] / roofline_ms < 1.7  # MBU 0.8 (1.25×) and 1.45 ms of fixed kernel cost
    assert s["gpus"] == 1 and s["fits"] and s["concurrency"] == 1
    assert s["per_stream_tokens_per_s"] == pytest.approx(1000 / s["tpot_ms"], rel=1e-3)


def test_smallest_gpu_count_and_tpot_limit(catalog, cli) -> None:
    s = cli(
        "size", "llama-3.3-70b", "--gpu", "H100", "--precision", "fp8", "--max-tpot-ms", "40", "--format", "json"
    ).json()
    # Usable per "80 GB" GPU, which is 80 GiB of HBM: 0.9 × 80 GiB − max(1.5 GiB, 4 % × 80 GiB)
    # = 73.9 GB. fp8 weights are 72.7 GB (embeddings stay 16-bit) → 1 GPU; bf16 weights 141.2 GB
    # → 70.6 GB each on 2 GPUs, which fits too.
    hbm = 80 * 2**30
    usable = 0.9 * hbm - max(1.5 * 2**30, 0.04 * hbm)
    assert usable == pytest.approx(73.87e9, rel=1e-3)
    fp8_weights = 70.6e9 + 2 * 128256 * 8192
    smallest = min(n for n in (1, 2, 4, 8) if fp8_weights / n < usable)
    assert s["gpus"] == smallest == 1 and s["fits"]
    assert s["tpot_ms"] <= 40
    bf16 = cli("size", "llama-3.3-70b", "--gpu", "H100", "--precision", "bf16", "--format", "json").json()
    assert bf16["gpus"] == min(n for n in (1, 2, 4, 8) if 70.6e9 * 2 / n < usable) == 2
    # The largest batch meeting the limit: one more sequence would break it.
    a = catalog.model("llama-3.3-70b").architecture
    g = catalog.gpu("h100-sxm")
    more = sizing.size("x", a, g, "fp8", s["gpus"], 1000, 500, concurrency=s["concurrency"] + 1)
    assert more.tpot_ms > 40 or s["concurrency"] == s["max_concurrency"]


def test_does_not_fit(cli) -> None:
    s = cli("size", "llama-3.1-405b", "--gpu", "l4", "--gpus", "8", "--precision", "bf16", "--format", "json")
    assert s.code == 0
    data = s.json()
    assert not data["fits"] and "usable" in data["reason"]


def test_size_rejects_closed_models_and_bad_precision(cli) -> None:
    assert cli("size", "gpt-4o", "--gpu", "h100-sxm").code == 2
    r = cli("size", "llama-3.1-8b", "--gpu", "h100-sxm", "--precision", "fp3")
    assert r.code == 2 and "--precision" in r.err


def test_fp8_needs_fp8_tensor_cores(catalog) -> None:
    a = catalog.model("llama-3.1-8b").architecture
    s = sizing.size("x", a, catalog.gpu("a100-80gb"), "fp8", 1, 1000, 500)
    assert not s.fits and "fp8" in s.reason


def test_size_at_a_given_precision_is_compares_replica(cli) -> None:
    """`size --precision P` sizes the request as compare does: gpt-oss-120b always reasons, so
    each request decodes its hidden tokens too. Before, the given-precision path dropped the
    hidden tokens (and the cache dtype and speculation) and reported a 1.2 s first token where
    compare's replica on the same GPUs takes 66 s."""
    size = cli("size", "gpt-oss-120b", "--gpu", "H100", "--precision", "bf16", "--preset", "chatbot", "-f", "json")
    s = size.json()
    report = cli("compare", "--preset", "chatbot", "--models", "gpt-oss-120b", "--all", "-f", "json").json()
    sh = next(
        o["self_hosting"]
        for o in report["options"]
        if o["self_hosting"] and o["self_hosting"]["gpu"] == "h100-sxm" and o["self_hosting"]["precision"] == "bf16"
    )
    assert s["decode_tokens"] > s["output_tokens"]  # the hidden reasoning tokens are decoded
    assert (s["gpus"], s["ttft_ms"], s["tpot_ms"]) == (sh["gpus_per_replica"], sh["ttft_ms"], sh["tpot_ms"])


def test_size_flags_override_the_workloads_cache_settings(cli) -> None:
    """With a preset, --kv-cache-dtype fp8 halves the cache per sequence (one byte an element
    instead of two); before, a workload's path ignored the flag and sized bf16."""
    args = ("size", "llama-3.3-70b", "--gpu", "H100", "--precision", "fp8", "--preset", "chatbot", "-f", "json")
    bf16, fp8 = cli(*args).json(), cli(*args, "--kv-cache-dtype", "fp8").json()
    assert bf16["kv_cache_dtype"] == "bf16" and fp8["kv_cache_dtype"] == "fp8"
    assert fp8["kv_cache_gb_per_sequence"] == pytest.approx(bf16["kv_cache_gb_per_sequence"] / 2)
    assert fp8["max_concurrency"] > bf16["max_concurrency"]
