"""`explain`'s fine-tuning section: the training run and the tuned model's serving, traced to the
catalogue's fine-tuning prices or to the first-principles formula (docs/methodology.md, "Fine-tuning")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..selfhost import training

if TYPE_CHECKING:
    from ..evaluation import Detail
    from ..report import OptionOut
    from ..workload.model import Workload


def _step(item: str, value: Any, how: str = "", source: str = "", as_of: str = "") -> dict[str, Any]:
    return {"section": "fine-tuning", "item": item, "value": value, "how": how, "source": source, "as_of": as_of}


def training_steps(o: OptionOut, det: Detail, wl: Workload) -> list[dict[str, Any]]:
    """Nothing for a workload that does not customise; else how the option prices tuning, or why not."""
    c = wl.customisation
    if c is None or c.method == "none" or det.tuning is None:
        return []
    steps = [
        _step("asked", c.describe(), "workload customisation section"),
        _step(
            "tokens per run",
            c.tokens_per_run,
            "training_tokens" if c.training_tokens is not None else "examples × tokens_per_example × epochs",
        ),
    ]
    if o.customisation is None:
        return [*steps, *(_step("not priced", v) for v in o.violations if v.startswith("customisation:"))]
    t = det.tuning
    if o.deployment == "api":
        steps.append(
            _step(
                "training price (USD per million tokens)",
                round(t.price_per_million, 6),
                f"{o.provider}'s fine-tuning price for {c.method}"
                if t.method_priced
                else f"{o.provider}'s one fine-tuning price (it does not say how it tunes)",
                t.source,
                t.as_of,
            )
        )
        steps.append(_step("one run (USD)", t.per_run, "tokens per run / 1e6 × training price", t.source, t.as_of))
        if t.tuned_prices is not None:
            steps.append(
                _step(
                    "tuned-model prices (USD per million tokens)",
                    {k: v for k, v in t.tuned_prices.model_dump().items() if v is not None},
                    "a tuned model is billed at these prices instead of the base model's",
                    t.source,
                    t.as_of,
                )
            )
        if t.fleet is not None and not t.fleet.reason:
            steps += _fleet_steps(t)
        if t.hosting_per_month:
            steps.append(
                _step(
                    "tuned hosting (USD a month)",
                    t.hosting_per_month,
                    "hourly fee × 730 h × adapters deployed",
                    t.source,
                    t.as_of,
                )
            )
    else:
        run = t.run
        arch = det.model.architecture
        k = training.FLOPS_PER_PARAM_TOKEN[run.method]
        steps += [
            _step(
                "training FLOPs",
                run.flops,
                f"{k:g} × active parameters ({arch.active_params_b:g} B) × tokens per run "
                f"({'full: forward 2N + backward 4N' if run.method == 'full' else 'LoRA: no weight gradients, 4N'})",
            ),
            _step(
                "memory (GB)",
                round(run.memory_gb, 3),
                f"{training.BYTES_PER_PARAM[run.method]:g} bytes × {arch.total_params_b:g} B parameters"
                + (" + adapters × 16 bytes" if run.method == "lora" else "")
                + " + one micro-batch's activations",
            ),
            _step("GPUs", run.gpus, f"memory / ({training.USABLE_MEMORY:g} × GPU memory), rounded up"),
            _step(
                "MFU",
                round(run.mfu, 4),
                "published fine-tuning throughput of the GPU family"
                + (f", × {training.SHARDED_FACTOR:g} when split over several GPUs" if run.gpus > 1 else ""),
            ),
            _step("GPU-hours per run", round(run.gpu_hours, 4), "FLOPs / (BF16 dense peak × MFU) / 3600"),
            _step("wall-clock hours per run", round(run.hours, 4), "GPU-hours / GPUs"),
            _step(
                "USD per GPU-hour",
                round(run.usd_per_gpu_hour, 6),
                "the price this option pays for its GPUs (owned: cost of ownership per GPU-hour)",
                o.self_hosting.price_source if o.self_hosting is not None else "",
                o.self_hosting.price_as_of if o.self_hosting is not None else "",
            ),
            _step("one run (USD)", round(run.cost, 6), "GPU-hours × USD per GPU-hour"),
            _step(
                "LoRA adapter memory (GB, BF16)",
                round(t.adapter_gb, 6),
                f"rank {training.LORA_RANK} × (d_in + d_out) of every projection × layers × 2 bytes",
            ),
        ]
        if t.capacity != 1.0:
            steps.append(
                _step(
                    "serving capacity factor",
                    t.capacity,
                    f"{c.adapters} unmerged LoRA adapters batched together (multi-LoRA overhead)",
                )
            )
    steps.append(
        _step(
            "training (USD a month)",
            o.cost_breakdown.get("training"),
            f"one run × runs_per_year ({c.runs_per_year:g}) / 12",
        )
    )
    steps.append(
        _step(
            "first run (USD, one-off)", o.cost_breakdown.get("first_training_run"), "shown apart from the monthly total"
        )
    )
    return steps


def _fleet_steps(t: Any) -> list[dict[str, Any]]:
    """A tuned model served only on the provider's dedicated deployments: the fleet priced (api/dedicated.py)."""
    f, d = t.fleet, t.dedicated
    src, as_of = d.source, d.as_of.isoformat()
    return [
        _step(
            "dedicated replica",
            f"{f.gpus_per_replica} × {f.gpu} at {f.precision}, {f.requests_per_s:,.3f} requests/s",
            "the self-hosted sizing of the model on this GPU (the cheapest fleet among the provider's GPUs)",
        ),
        _step(
            "dedicated replica latency",
            f"time to first token {f.ttft_ms:,.0f} ms, {f.tokens_per_s:,.1f} output tokens/s per stream",
            "the same sizing's estimate (api_speed, basis estimate): only replicas that meet the latency "
            "targets are priced; the serverless endpoint's published speed is another deployment's",
        ),
        _step(
            "dedicated GPUs",
            f.gpus,
            f"{f.replicas} replica(s) for the peak at the utilisation cap (at least one) × {f.gpus_per_replica} GPU(s)",
        ),
        _step(
            "dedicated GPU-hour price (USD)",
            f.hourly_per_gpu,
            f"the provider's on-demand price for {f.gpu}",
            src,
            as_of,
        ),
        _step(
            "dedicated serving (USD a month)",
            f.monthly,
            "GPUs × GPU-hour price × 730 h; no token charges, run by the provider (no engineers)",
            src,
            as_of,
        ),
    ]
