"""The estimator against published measurements (shared/reference/selfhost.md section 5 and the
rows added with issue 10; per-row errors in docs/methodology.md)."""

from __future__ import annotations

from openclosed.selfhost import calibration

# Rows outside the DESIGN.md tolerance, each with the reason, kept inside a looser bound so that a
# regression still fails. (ref, gpu, input, output, concurrency, metric) -> bound.
# - DeepSeek-R1 8k/1k at concurrency 64 (B200, MI300X): SGLang runs each 8k-token prefill as its own
#   batch between decode steps, so the measured TPOT carries prefill stalls that the model's
#   chunked-prefill interleaving spreads thinner (-35 to -38 %).
# - DeepSeek-R1 B200 1k/1k c64 throughput: InferenceMAX's per-GPU throughput on B200 is 30 % below
#   what its own median TPOT implies (64 / 23.1 ms / 8 = 346 tokens/s per GPU against 247).
# - Qwen3-235B 2000/100 at saturation: a burst of 500 prompts is mostly prefill and queueing; the
#   model's steady-state throughput is +65 %.
KNOWN_MISSES = {
    ("30", "b200", 1024, 1024, 64, "output_tokens_per_s_per_gpu"): 0.60,
    ("30", "b200", 8192, 1024, 64, "tpot_ms"): 0.45,
    ("30", "mi300x", 8192, 1024, 64, "tpot_ms"): 0.45,
    ("33", "h100-sxm", 2000, 100, None, "output_tokens_per_s"): 0.75,
}
FIRST_REFS = {"9", "13", "22", "24"}


def _key(c: calibration.Check) -> tuple:
    r = c.row
    return (r.ref, r.gpu, r.input_tokens, r.output_tokens, r.concurrency, r.metric)


def test_every_calibration_row_is_within_tolerance(catalog) -> None:
    checks = calibration.run(catalog)
    print("\n" + calibration.table(checks))
    assert len(checks) == len(calibration.ROWS) >= 45
    for c in checks:
        bound = KNOWN_MISSES.get(_key(c), c.tolerance)
        assert abs(c.error) <= bound, (c.row, c.predicted)


def test_the_first_rows_stay_within_their_tolerance(catalog) -> None:
    first = [c for c in calibration.run(catalog) if c.row.ref in FIRST_REFS]
    assert len(first) == 23
    assert all(c.within for c in first), [(c.row, c.predicted) for c in first if not c.within]


def test_known_misses_are_really_misses(catalog) -> None:
    # If a known miss comes back within tolerance, the list above should shrink.
    checks = {_key(c): c for c in calibration.run(catalog)}
    for key in KNOWN_MISSES:
        assert not checks[key].within, key


def test_targets_over_the_whole_set(catalog) -> None:
    share, median, _ = calibration.summary(calibration.run(catalog))
    assert share >= 0.90
    assert median <= 0.12


def test_every_row_names_engine_plan_and_source() -> None:
    for r in calibration.ROWS:
        assert r.engine and r.source and r.parallelism
    # The multi-node row is planned over whole nodes with expert parallelism across them.
    multi = [r for r in calibration.ROWS if r.plan is not None and r.plan.nodes > 1]
    assert multi and multi[0].plan.gpus == multi[0].gpus == 72
