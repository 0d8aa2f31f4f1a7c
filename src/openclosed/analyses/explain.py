"""Trace one option's numbers to formulas, inputs and catalogue entries (pure core)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..catalog import Catalog
from ..engine import Detail, Result
from ..errors import UnknownIdError
from ..report import OptionOut
from ..selfhost.options import instance_plan
from ..selfhost.sizing.groups import pattern_label
from ..units import money
from ..workload.model import HOURS_PER_MONTH, SECONDS_PER_MONTH, Workload
from .explain_training import training_steps


def find_option(result: Result, given: str) -> OptionOut:
    key = given.strip().lower()
    for o in result.all_options:
        if o.id == key:
            return o
    import difflib

    ids = [o.id for o in result.all_options]
    raise UnknownIdError("option", given, difflib.get_close_matches(key, ids, n=3, cutoff=0.4))


def _step(
    section: str, item: str, value: Any, how: str = "", source: str = "", as_of: str = "", note: str | None = None
) -> dict[str, Any]:
    """One traced figure; `note` is the catalogue entry's own note (its caveats, and the evidence
    a source of "see note" points to)."""
    step = {"section": section, "item": item, "value": value, "how": how, "source": source, "as_of": as_of}
    step["note"] = note or ""
    return step


def explain(catalog: Catalog, workload: Workload, result: Result, option_id: str) -> dict[str, Any]:
    """Every number of one option, section by section, with the formula and source it comes from."""
    o = find_option(result, option_id)
    result.fill_ranges([o])  # its P10/P90 cost, when the run priced ranges lazily
    det: Detail = result.details[o.id]
    steps = _workload_steps(workload) + _model_steps(det.model) + _reasoning_steps(det.model, o, workload)
    if det.api is not None and det.offering is not None and det.provider is not None:
        steps += _api_steps(det)
    elif det.sizing is not None and o.self_hosting is not None:
        gpu = catalog.gpu(o.self_hosting.gpu)
        arch = det.model.architecture
        assert arch is not None
        steps += _hardware_steps(arch, gpu, o.self_hosting)
        steps += _replica_steps(det.sizing, o.self_hosting, arch, gpu, det)
        steps += _fleet_steps(o, o.self_hosting, workload, det)
    steps += training_steps(o, det, workload)
    steps += _total_and_score_steps(o, result)
    return {"schema_version": 1, "option": o.model_dump(mode="json"), "steps": steps}


def _workload_steps(wl: Workload) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    steps.append(
        _step(
            "workload",
            "requests per month",
            round(wl.requests_per_month, 6),
            "requests_per_day × 730/24, or per second × 730 × 3600",
        )
    )
    steps.append(
        _step(
            "workload",
            "input / output tokens per request",
            f"{wl.traffic.input_tokens:g} / {wl.traffic.output_tokens:g}",
        )
    )
    steps.append(
        _step("workload", "tokens per month", round(wl.tokens_per_month, 3), "requests × (input + output tokens)")
    )
    return steps


def _model_steps(m: Any) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    steps.append(_step("model", m.name, m.id, f"licence {m.licence}", m.source, m.as_of.isoformat()))
    if m.quality is not None:
        steps.append(
            _step(
                "model",
                "quality index",
                m.quality.index,
                m.quality.benchmark,
                m.quality.source,
                m.quality.as_of.isoformat(),
                m.quality.note,
            )
        )
    return steps


def _reasoning_steps(m: Any, o: OptionOut, wl: Workload) -> list[dict[str, Any]]:
    """The reasoning mode priced, its hidden tokens and its quality (docs/methodology.md §12)."""
    if m.reasoning is None:
        return []
    mode = m.reasoning.mode(o.reasoning or "") or m.reasoning.mode(m.reasoning.default)
    assert mode is not None
    measured = wl.traffic.reasoning_tokens is not None
    return [
        _step(
            "model",
            f"reasoning: {o.reasoning} ({mode.setting or mode.mode})",
            f"{o.reasoning_tokens_per_request:g} hidden tokens per request, quality index {o.quality_index}",
            ("traffic.reasoning_tokens (measured)" if measured else "the mode's typical hidden tokens")
            + f"; default mode {m.reasoning.default}; a mode's index is the model's moved by the snapshot's "
            "difference between the modes; API: billed at the output price, self-hosted: decoded",
            mode.source,
            mode.as_of.isoformat(),
        )
    ]


def _api_steps(det: Detail) -> list[dict[str, Any]]:
    """Catalogue prices, the unit prices charged, the cost arithmetic and the provider's terms."""
    assert det.api is not None and det.offering is not None and det.provider is not None
    steps: list[dict[str, Any]] = []
    off, prov, up = det.offering, det.provider, det.api.unit_prices
    steps.append(
        _step(
            "prices",
            "catalogue prices (USD per million tokens)",
            {k: v for k, v in off.prices.model_dump().items() if v is not None},
            f"{prov.name} list price",
            off.source,
            off.as_of.isoformat(),
            off.note,
        )
    )
    if off.long_context is not None:
        steps.append(
            _step(
                "prices",
                "long-context tier",
                off.long_context.model_dump(),
                "applies to the whole request when input_tokens exceed the threshold",
                off.source,
                off.as_of.isoformat(),
            )
        )
    if prov.price_multiplier != 1:
        steps.append(_step("prices", "negotiated price multiplier", prov.price_multiplier, "from a catalogue overlay"))
    steps.append(
        _step(
            "prices",
            "unit prices charged",
            up.model_dump(),
            "tier chosen and multiplier applied",
            up.source,
            up.as_of,
        )
    )
    fleet = getattr(det.tuning, "fleet", None)
    if fleet is not None and not fleet.reason:
        # A tuned model on a dedicated deployment pays GPU-hours (fine-tuning section), not these tokens.
        steps.append(
            _step("cost", "token charges", 0, "none: the provider's dedicated deployment is billed per GPU-hour")
        )
    else:
        for what, how, value in det.api.steps:
            steps.append(_step("cost", what, value, how))
    p = prov.privacy
    steps.append(
        _step(
            "privacy terms",
            prov.name,
            {
                "trains_on_data": p.trains_on_data,
                "retention_days": p.retention_days,
                "zero_retention": p.zero_retention,
                "residency": p.residency,
            },
            "",
            p.source,
            p.as_of.isoformat(),
            p.note,
        )
    )
    return steps


def _hardware_steps(arch: Any, gpu: Any, sh: Any) -> list[dict[str, Any]]:
    """The model's architecture, the GPU's specs and the efficiency factors the sizing uses."""
    steps: list[dict[str, Any]] = []
    steps.append(
        _step(
            "architecture",
            "parameters (total / active, billions)",
            f"{arch.total_params_b:g} / {arch.active_params_b:g}",
            pattern_label(arch),
            arch.source,
            arch.as_of.isoformat(),
            arch.note,
        )
    )
    steps.append(
        _step(
            "GPU",
            gpu.name,
            {
                "memory_gb": gpu.memory_gb,
                "bandwidth_tb_s": gpu.bandwidth_tb_s,
                "bf16_tflops": gpu.bf16_tflops,
                "fp8_tflops": gpu.fp8_tflops,
                "interconnect_gb_s": gpu.interconnect_gb_s,
            },
            "dense figures (no sparsity)",
            gpu.source,
            gpu.as_of.isoformat(),
            gpu.note,
        )
    )
    from ..selfhost.sizing import DEFAULT_EFFICIENCY

    steps.append(
        _step(
            "efficiency",
            "factors",
            asdict(DEFAULT_EFFICIENCY),
            "docs/methodology.md §3.7 (kernel measurements; the fitted terms from data/calibration.yaml)",
        )
    )
    return steps


def _replica_steps(s: Any, sh: Any, arch: Any, gpu: Any, det: Detail) -> list[dict[str, Any]]:
    """One replica: memory, the plan and batch chosen, the decode step, prefill and throughput."""
    steps: list[dict[str, Any]] = []
    mem = s.memory
    steps.append(
        _step(
            "memory",
            "weights (GB)",
            round(mem.weights_gb, 3),
            f"parameters × bytes per weight at {sh.precision} (embeddings in 16 bits)",
        )
    )
    budget = (
        "memory − max(5 %, 9 GiB): the engines' tight budget for a model that barely fits, at most 32 "
        "sequences (docs/methodology.md §3.3)"
        if mem.tight
        else "0.90 × memory − max(1.5 GiB, 4 % of memory)"
    )
    steps.append(_step("memory", "usable per GPU (GB)", round(mem.usable_gb, 3), budget))
    steps.append(
        _step(
            "memory",
            "KV pool per GPU (GB)",
            round(mem.kv_pool_per_gpu_gb, 3),
            f"usable − weights / {sh.gpus_per_replica} GPUs",
        )
    )
    steps.append(
        _step(
            "memory",
            "KV cache per sequence (GB)",
            round(mem.kv_cache_gb_per_sequence, 4),
            f"{mem.kv_per_token_kb:.1f} kB per token × (input + output), by attention kind",
        )
    )
    steps.append(
        _step(
            "sizing",
            "precision and GPUs per replica",
            f"{sh.precision}, {sh.gpus_per_replica}",
            "cheapest allowed precision; smallest GPU count (up to 16 whole nodes) that fits and meets latency",
        )
    )
    from ..selfhost.sizing import plan_trace

    # The plan over nodes, the true cache per token, and the network terms of the step.
    for group, name, value, formula in plan_trace(s, arch, gpu):
        steps.append(_step(group, name, value, formula))
    for cand in det.candidates:
        steps.append(_step("sizing", "candidate", cand, "compared on monthly GPU cost"))
    steps.append(
        _step(
            "sizing",
            "max concurrency / batch served",
            f"{s.max_concurrency} / {s.concurrency}",
            "largest batch that fits the KV pool and meets the TPOT target",
        )
    )
    steps.append(
        _step(
            "decode",
            "decode step (ms)",
            s.decode_step_ms,
            "max(memory, compute) + all-reduce + per-layer overheads",
        )
    )
    for k, v in s.step.items():
        steps.append(_step("decode", k, round(v, 6)))
    steps.append(
        _step(
            "decode",
            "TPOT with prefill interleaved (ms)",
            s.tpot_ms,
            "decode step + (batch − 1) × prefill compute per request / output tokens",
        )
    )
    steps.append(_step("prefill", "TTFT (ms)", s.ttft_ms, "prefill of uncached input + one decode step"))
    steps.append(
        _step(
            "throughput",
            "requests/s per replica",
            round(s.requests_per_s, 6),
            "1 / (decode step × output tokens / batch + prefill compute per request)",
        )
    )
    steps.append(_step("throughput", "output tokens/s per replica", s.output_tokens_per_s))
    return steps


def _fleet_steps(o: OptionOut, sh: Any, wl: Workload, det: Detail) -> list[dict[str, Any]]:
    """Replicas for the peak, the GPUs billed and their price, and the cost breakdown."""
    steps: list[dict[str, Any]] = []
    steps.append(
        _step(
            "replicas",
            "peak requests/s",
            sh.peak_requests_per_s,
            f"max(interactive peak, average); average = requests per month / ({SECONDS_PER_MONTH:,.0f} s "
            "× hours_per_day / 24); interactive peak = average × (1 − batch_share) × peak_to_average",
        )
    )
    steps.append(
        _step(
            "replicas",
            "replicas",
            sh.replicas,
            f"max(min_replicas {wl.min_replicas}, ceil(peak / (requests/s per replica × utilisation cap "
            f"{wl.self_hosting.utilisation_cap:g})))",
        )
    )
    steps.append(
        _step(
            "price",
            "GPUs billed",
            sh.billed_gpus,
            f"replicas packed into rentable instances {instance_plan(det)}",
        )
    )
    steps.append(
        _step("price", "USD per GPU-hour", sh.gpu_hourly_price, sh.gpu_price_kind, sh.price_source, sh.price_as_of)
    )
    if sh.on_prem:
        host = det.hosting.get("host")
        steps.append(
            _step(
                "price",
                "on-prem hourly parts",
                sh.on_prem,
                f"hardware = purchase ({sh.purchase}, with the network share) × (1 − residual "
                f"{sh.residual_value:g}) / ({sh.write_off_years:g} years × 8760); power = kW × (1 + overhead) × "
                "PUE × $/kWh; hosting = hosting per GPU-month / 730",
                getattr(host, "source", ""),
                str(getattr(host, "as_of", "")),
                getattr(host, "note", None),
            )
        )
        steps.append(
            _step(
                "price",
                "capex",
                o.capex,
                f"servers of {getattr(host, 'gpus_per_server', 8)} GPUs holding {sh.billed_gpus} GPUs × "
                "(GPUs per server × purchase per GPU + network per server), paid up front",
                sh.price_source,
                sh.price_as_of,
            )
        )
    fl = det.hosting.get("fleet")
    hours = fl.active_hours if fl is not None else HOURS_PER_MONTH
    steps.append(
        _step("cost", "gpus", o.cost_breakdown["gpus"], f"billed GPUs × USD per GPU-hour × {hours:g} h ({sh.pricing})")
    )
    if "batch_gpus" in o.cost_breakdown:
        steps.append(
            _step(
                "cost",
                "batch_gpus",
                o.cost_breakdown["batch_gpus"],
                f"{sh.batch_replicas} batch replicas × GPUs × USD per GPU-hour × batch_window_hours × 30.42 days "
                f"({sh.batch_pricing})",
            )
        )
    steps.append(
        _step(
            "cost",
            "operations",
            o.cost_breakdown["operations"],
            f"(self_hosting_engineers + engineers_per_node × {sh.nodes_in_fleet} nodes"
            + (
                " + owned servers' 24/7 on-call + datacentre engineers per server × servers, or "
                "operations.on_prem_engineers"
                if sh.pricing == "owned"
                else ""
            )
            + f") × engineer_cost_per_month = {sh.operations_engineers:g} engineers",
        )
    )
    steps.append(
        _step(
            "cost",
            "setup",
            o.cost_breakdown["setup"],
            "setup_engineer_months × engineer_cost_per_month / horizon_months",
        )
    )
    return steps


def _total_and_score_steps(o: OptionOut, result: Result) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    steps.append(_step("cost", "monthly cost", o.monthly_cost, "sum of the breakdown"))
    steps.append(
        _step("cost", "cost per million tokens", o.cost_per_million_tokens, "monthly cost / tokens per month × 1e6")
    )
    for k in ("cost", "privacy", "lock_in", "quality", "overall"):
        why = [
            r
            for r in o.reasons
            if r.startswith(k.replace("_", "-") + ":") or (k == "overall" and r.startswith("overall:"))
        ]
        how = "; ".join(why)
        if k == "overall":
            w = result.report.weights
            how = (
                f"{w['cost']:.2f}×cost + {w['privacy']:.2f}×privacy + {w['lock_in']:.2f}×(100 − lock-in) "
                f"+ {w['quality']:.2f}×quality" + (f"; {how}" if how else "")
            )
        steps.append(_step("scores", k, getattr(o.scores, k), how))
    for v in o.violations:
        steps.append(_step("constraints", "violation", v))
    for w in o.warnings:
        steps.append(_step("constraints", "warning", w))
    return steps


def explain_class(catalog: Catalog, result: Result, option_id: str, class_name: str) -> dict[str, Any]:
    """`explain OPTION --class NAME`: the option's cost for one traffic class, traced like any
    option's (the class as the workload of its own that routing compares), with what the class
    pays in the routed plan."""
    from ..errors import InputError

    classes = result.classes
    if not classes:
        raise InputError.one("the workload has no traffic classes (traffic.classes)", field="--class")
    run = classes.get(class_name.strip())
    if run is None:
        import difflib

        near = difflib.get_close_matches(class_name.strip(), list(classes), n=1, cutoff=0.5)
        hint = f"; did you mean '{near[0]}'?" if near else f"; expected one of {', '.join(classes)}"
        raise InputError.one(f"unknown traffic class '{class_name}'" + hint, field="--class")
    # The routed comparison keeps only what routing reads of a class run (routing._slim), so the
    # class is compared again, in full, for the one option traced.
    data = explain(catalog, run.workload, run.engine.run(), option_id)
    oid = data["option"]["id"]
    head = [
        _step(
            "class",
            run.name,
            f"{run.share * 100:g}% of the requests, {run.rpm:,.0f} a month",
            "the class compared as a workload of its own: its tokens, quality and latency needs",
        )
    ]
    routing = result.report.routing
    routed = next((c for c in routing.classes if c.name == run.name), None) if routing is not None else None
    if routed is not None:
        if routed.recommended == oid:
            how = (
                f"its share of the load of one fleet shared with other classes ({routed.shared_fleet})"
                if routed.shared_fleet
                else "the option recommended for this class alone"
            )
            head.append(_step("class", "cost in the routed plan", routed.monthly_cost, how))
        else:
            head.append(
                _step(
                    "class",
                    "routed to",
                    routed.recommended or "no feasible option",
                    f"{money(routed.monthly_cost)} a month" if routed.monthly_cost is not None else "",
                )
            )
    data["steps"] = head + data["steps"]
    data["class"] = run.name
    return data
