"""A self-hosted option: its plans (`plans`), its host's GPU prices (`host_prices`), replicas and
monthly cost, assembled into an option.

A self-hosted option is priced through its cost curve (`cost_curves.SelfCurve`): the plans that
fit, each a GPU count per replica with its capacity and rentable instance menu, plus fixed
operations and setup costs. The option's cost is the curve at the workload's peak rate.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..catalog.schema import GpuCloud, GpuOffer, OnPrem
from ..decide import constraints
from ..evaluation import UNSCORED, Context, Detail
from ..report import OptionOut, SelfHostingOut, adopt, construct
from ..workload.customisation import active
from . import owned
from .cost_curves import Plan, SelfCurve
from .host_prices import GpuPricing, host_gpu, no_price
from .plans import plans, precision_violation, precisions_for, smallest_memory_need

if TYPE_CHECKING:
    from ..catalog.schema import Model


# ------------------------------------------------------------------ the option
def self_option(
    ctx: Context, model: Model, host: GpuCloud | OnPrem, gpu_id: str, offers: list[GpuOffer]
) -> tuple[OptionOut, Detail]:
    wl = ctx.wl
    oid = f"{model.id}@{host.id}:{gpu_id}"
    mv, mw = constraints.model_constraints(ctx, model, api=False)
    hg = host_gpu(ctx, oid, host, gpu_id, offers)
    gpu = hg.gpu
    violations = [*mv, *hg.violations]
    pricing = hg.pricing
    if pricing is None:
        # Owned servers with no purchase price of that kind are said by `_host_gpu`.
        if not isinstance(host, OnPrem):
            violations.append(no_price(host.name, gpu.name, wl.self_hosting.region, wl.self_hosting.commitment_value))
        pricing = GpuPricing([], "on-demand", "on-demand", wl.self_hosting.region, "", None)
    warnings = [*mw, *pricing.warnings, *hg.warnings]
    onprem_parts = pricing.onprem_parts

    rpm, peak_i, cap, custom = _run_figures(ctx)
    fl = hg.fleet
    tuning = _tuning(custom, model, gpu, pricing)
    if tuning is not None:
        violations += tuning.violations
        fl = replace(fl, training=tuning.monthly)
    capacity = tuning.capacity if tuning is not None else 1.0
    curve_plans: list[Plan] = []
    for precision, s, ok in plans(ctx, model, gpu_id):
        inst, spot_inst = hg.menu(s.gpus, gpu.max_gpus_per_node)
        plan = Plan(
            s.requests_per_s * cap * capacity,
            inst,
            ok,
            s.gpus,
            precision,
            s,
            full=s.requests_per_s * capacity,
            spot_instances=spot_inst,
        )
        if plan.packer.best is not None:
            curve_plans.append(plan)
    curve = SelfCurve(curve_plans, fl)
    quotes = curve.quotes(rpm, peak_i)
    candidates = Candidates(curve_plans, quotes)
    chosen = curve.best(quotes)
    if chosen is None:
        violations += _unfit(ctx, model, host, gpu, gpu_id, pricing)
        out = _self_out(ctx, oid, model, host, None, violations, warnings, None)
        return out, Detail(model=model, candidates=candidates, hosting={"host": host}, curve=curve)
    plan = curve_plans[chosen.plan]
    s = plan.sizing
    assert s is not None
    if not plan.ok:
        violations += constraints.self_latency(ctx, s, gpu)
    billed = chosen.billed_gpus + chosen.batch_gpus
    breakdown = chosen.parts(fl.setup)
    if tuning is not None and tuning.run is not None:
        breakdown["training"] = fl.training
    capex = (
        owned.capex(host, gpu_id, billed, wl.self_hosting.on_prem.purchase, wl.self_hosting.gpu_price_multiplier)
        if isinstance(host, OnPrem)
        else 0.0
    )
    provisioned = max(peak_i, fl.average_rps(rpm)) if not chosen.batch_replicas else peak_i
    pricing_kind = "owned" if isinstance(host, OnPrem) else "spot" if chosen.spot else pricing.pricing
    hosting = (ctx, host, gpu_id, plan, chosen, fl, pricing, pricing_kind, provisioned)
    # A compare that prints a few dozen options builds the figures of those only (`PendingHosting`).
    sh: Any = PendingHosting(hosting) if ctx.st.lean_options else hosting_out(*hosting)
    out = _self_out(ctx, oid, model, host, sh, violations, warnings, breakdown, capex)
    if tuning is not None and tuning.run is not None:
        # The method priced, and the first run as a one-off amount (not part of the monthly total).
        out.__dict__["customisation"] = tuning.run.method
        breakdown["first_training_run"] = round(tuning.run.cost, 6)
    det = Detail(
        model=model,
        sizing=s,
        candidates=candidates,
        hosting={
            "peak_rps": provisioned,
            "operations": chosen.operations,
            "setup": fl.setup,
            "onprem_parts": onprem_parts,
            "host": host,
            "quote": chosen,
            "fleet": fl,
        },
        curve=curve,
        tuning=tuning,
    )
    return out, det


def hosting_out(
    ctx: Context,
    host: GpuCloud | OnPrem,
    gpu_id: str,
    plan: Plan,
    chosen: Any,
    fl: Any,
    pricing: GpuPricing,
    pricing_kind: str,
    provisioned: float,
) -> SelfHostingOut:
    """The report's figures of a priced self-hosted option (`OptionOut.self_hosting`)."""
    s = plan.sizing
    assert s is not None
    replicas = chosen.replicas
    billed = chosen.billed_gpus + chosen.batch_gpus
    gpu_hours = chosen.billed_gpus * fl.active_hours + chosen.batch_gpus * fl.batch_hours
    per_gpu_hour = (chosen.gpu_cost + chosen.batch_cost) / gpu_hours if gpu_hours else 0.0
    onprem_parts = pricing.onprem_parts
    return construct(
        SelfHostingOut,
        cloud=host.id,
        gpu=gpu_id,
        precision=plan.precision,
        gpus_per_replica=s.gpus,
        replicas=replicas,
        total_gpus=replicas * s.gpus,
        billed_gpus=billed,
        gpu_hourly_price=round(per_gpu_hour, 6),
        gpu_price_kind=pricing.kind,  # type: ignore[arg-type]
        pricing=pricing_kind,  # type: ignore[arg-type]
        batch_replicas=chosen.batch_replicas,
        batch_pricing=(
            ("spot" if fl.spot != "off" and plan.has_spot else pricing_kind) if chosen.batch_replicas else None
        ),
        gpu_hours_per_month=round(gpu_hours, 3),
        nodes_in_fleet=fl.nodes(billed),
        operations_engineers=round(fl.engineers(billed), 4),
        output_tokens_per_s_per_replica=s.output_tokens_per_s,
        requests_per_s_per_replica=round(s.requests_per_s, 6),
        peak_requests_per_s=round(provisioned, 6),
        utilisation_at_peak=round(provisioned / (replicas * s.requests_per_s), 4) if replicas else 0.0,
        concurrency=s.concurrency,
        max_concurrency=s.max_concurrency,
        ttft_ms=s.ttft_ms,
        tpot_ms=s.tpot_ms,
        decode_step_ms=s.decode_step_ms,
        per_stream_tokens_per_s=s.per_stream_tokens_per_s,
        weights_gb=s.weights_gb,
        kv_cache_gb_per_sequence=s.kv_cache_gb_per_sequence,
        price_source=pricing.source,
        price_as_of=pricing.as_of.isoformat(),
        on_prem=_on_prem(onprem_parts),
        nodes=s.nodes,
        tp=s.tp,
        ep=s.ep,
        pp=s.pp,
        region=pricing.region,
        **_owned_fields(ctx, host),
    )


def _on_prem(parts: dict[str, float] | None) -> dict[str, float] | None:
    return {k: round(v, 6) for k, v in parts.items()} if parts else None


class PendingHosting:
    """A priced self-hosted option's `self_hosting` before its figures are built
    (`Settings.lean_options`).

    A compare scores, checks and samples some 1,500 self-hosted options and prints a few dozen;
    building the 38 report figures of each was about a fifth of pricing them. Scoring, sampling and
    staleness read only the GPU, how it is paid for and the price's date and on-prem parts, which
    this holds; any other figure builds the whole `SelfHostingOut` (the recommendation's prose
    reads a few of its option's). `Result.fill_ranges` swaps in the built figures of every option
    a command prints, so nothing that is output ever holds this."""

    __slots__ = ("_args", "_built", "gpu", "price_as_of", "pricing")

    def __init__(self, args: tuple[Any, ...]) -> None:
        self._args = args
        self._built: SelfHostingOut | None = None
        self.gpu: str = args[2]
        self.pricing: str = args[7]
        self.price_as_of: str = args[6].as_of.isoformat()

    @property
    def on_prem(self) -> dict[str, float] | None:
        return _on_prem(self._args[6].onprem_parts)

    def built(self) -> SelfHostingOut:
        if self._built is None:
            self._built = hosting_out(*self._args)
        return self._built

    def __getattr__(self, name: str) -> Any:
        # Copy, pickle and friends get nothing lent, and a slot not yet set (a copy being built)
        # must not build: the figures have no name with a leading underscore.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.built(), name)


def instance_plan(det: Detail) -> Any:
    """The rentable instances the chosen fleet is packed into, for `explain` ([] when nothing
    was chosen). Worked out when asked: a compare prints it for no option, and spreading
    replicas over a menu of instances was a twentieth of pricing the self-hosted options."""
    quote = det.hosting.get("quote")
    if quote is None or det.curve is None:
        return []
    if not quote.replicas:
        return {}
    plan = det.curve.plans[quote.plan]
    pk = plan.spot_packer if quote.spot else plan.packer
    return pk.plan_spread(quote.replicas, det.curve.fleet.min_replicas)[2]


def _run_figures(ctx: Context) -> tuple[float, float, float, Any]:
    """(requests a month, the interactive share's peak rate, the utilisation cap, the active
    customisation): the same for every self-hosted option of a run, worked out once."""
    hit = ctx.__dict__.get("_self_figures")
    if hit is None:
        wl = ctx.wl
        rpm = wl.requests_per_month
        # The interactive share's peak (the sweep passes the same).
        hit = (rpm, wl.traffic.peak_rps(rpm), wl.self_hosting.utilisation_cap, active(wl.customisation))
        ctx.__dict__["_self_figures"] = hit
    return hit


def _tuning(custom: Any, model: Model, gpu: Any, pricing: GpuPricing) -> Any:
    """Fine-tuning this option as the workload asks (selfhost/training.py), or None when it does not."""
    if custom is None or model.architecture is None:
        return None
    from .training import self_tuning  # only a fine-tuning workload needs it (a few ms of start-up)

    # Training runs on GPUs of the type the option serves on, at the GPU-hour price it pays
    # (on-prem: the owned GPU's hourly cost of ownership).
    hourly = min((p for _, p in pricing.priced), default=0.0)
    return self_tuning(
        model.architecture, gpu, custom.method, custom.tokens_per_run, custom.runs_per_month, custom.adapters, hourly
    )


def _unfit(
    ctx: Context, model: Model, host: GpuCloud | OnPrem, gpu: Any, gpu_id: str, pricing: GpuPricing
) -> list[str]:
    """Why no plan of this model could be priced on this GPU at this host."""
    out: list[str] = []
    fitting = plans(ctx, model, gpu_id)
    if fitting and pricing.priced:
        # It fits, but no rentable shape holds a replica (e.g. no full-node instance for a multi-node plan).
        sizes = sorted({s.gpus for _, s, _ in fitting})
        out.append(
            f"capacity: {host.name} rents no {gpu.name} instance that holds a replica of "
            f"{'/'.join(str(n) for n in sizes)} GPUs"
        )
    elif not precisions_for(ctx, model):
        out.append(precision_violation(ctx, model))
    elif not fitting:
        need = smallest_memory_need(ctx, model)
        why = "; ".join(ctx.unfit.get((model.id, gpu_id), []))
        out.append(
            f"capacity: does not fit on {gpu.name} (weights alone {need:.0f} GB): {why}"
            if need
            else f"capacity: does not fit on {gpu.name}: {why}"
        )
    return out


class Candidates:
    """Every plan that could be priced, as `explain` lists the candidates compared: a sequence of
    dicts, built when first read (a compare reads none; building them for every option was about
    2 ms of a compare)."""

    __slots__ = ("_plans", "_quotes", "_rows")

    def __init__(self, plans: list[Plan], quotes: list[Any]) -> None:
        self._plans, self._quotes = plans, quotes
        self._rows: list[dict[str, Any]] | None = None

    def _list(self) -> list[dict[str, Any]]:
        if self._rows is None:
            self._rows = _candidates(self._plans, self._quotes)
        return self._rows

    def __getitem__(self, i: int) -> dict[str, Any]:
        return self._list()[i]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._list())

    def __len__(self) -> int:
        return len(self._list())

    def __eq__(self, other: object) -> bool:
        return self._list() == (other._list() if isinstance(other, Candidates) else other)

    __hash__ = None  # type: ignore[assignment]  # compared by value, like the list it stands for

    def __repr__(self) -> str:
        return repr(self._list())


def _candidates(curve_plans: list[Plan], quotes: list[Any]) -> list[dict[str, Any]]:
    """Every plan that could be priced, as `explain` lists the candidates compared."""
    out = []
    for plan, q in zip(curve_plans, quotes, strict=True):
        if q is None:
            continue
        out.append(
            {
                "precision": plan.precision,
                "meets_latency": plan.ok,
                "replicas": q.replicas,
                "batch_replicas": q.batch_replicas,
                "billed_gpus": q.billed_gpus + q.batch_gpus,
                "gpu_cost": q.gpu_cost + q.batch_cost,
                "operations": q.operations,
                "gpus_per_replica": plan.gpus,
            }
        )
    return out


def _owned_fields(ctx: Context, host: GpuCloud | OnPrem) -> dict[str, Any]:
    """The purchase and write-off of owned servers, for the report (null for rented GPUs; every key
    given, in field order, keeps `construct` on its fast path)."""
    if not isinstance(host, OnPrem):
        return {"purchase": None, "write_off_years": None, "residual_value": None}
    t = owned.terms(host, ctx.wl)
    return {"purchase": t.purchase, "write_off_years": round(t.years, 6), "residual_value": t.residual}


def stand_in(ctx: Context, oid: str, model: Model, host: Any, monthly_cost: float) -> OptionOut:
    """A feasible self-hosted option with a cost and nothing else: routing's stand-in for a model's
    options at one kind of host, at their lowest cost (`analyses/class_runs`). No per-million
    figure, no self-hosting figures: it is scored, never printed."""
    out = _self_out(ctx, oid, model, host, None, [], [], None)
    out.__dict__["monthly_cost"] = monthly_cost  # as scores are written: no `__setattr__`
    return out


def _self_out(
    ctx: Context,
    oid: str,
    model: Model,
    host: Any,
    sh: Any,
    violations: list[str],
    warnings: list[str],
    breakdown: dict[str, float] | None,
    capex: float = 0.0,
) -> OptionOut:
    """`breakdown` None: the option cannot run at all (nothing fits), so it has no cost. `sh`: the
    option's `SelfHostingOut`, or its `PendingHosting`."""
    total = round(sum(breakdown.values()), 6) if breakdown is not None else None
    # A copy of the model's fields shared by all its self-hosted options (some 30 per model),
    # with the option's own set: every field, in the model's order, as `construct` builds them.
    data = _model_fields(ctx, model).copy()
    data["id"] = oid
    data["provider"] = host.id
    data["monthly_cost"] = total
    data["cost_per_million_tokens"] = ctx.per_million(total)
    data["capex"] = capex
    data["cost_breakdown"] = breakdown if breakdown is not None else {}
    data["self_hosting"] = sh
    data["feasible"] = not violations
    data["violations"] = violations
    data["warnings"] = warnings
    data["reasons"] = []
    return adopt(OptionOut, data)


def _model_fields(ctx: Context, model: Model) -> dict[str, Any]:
    """The fields of an `OptionOut` of `model` self-hosted, with the per-option ones unset (None)."""
    memo = ctx.__dict__.setdefault("_self_fields", {})
    hit = memo.get(model.id)
    if hit is None:
        plan = ctx.reasoning(model)
        hit = memo[model.id] = construct(
            OptionOut,
            id="",
            model=model.id,
            model_name=model.name,
            open_weights=True,
            deployment="self-hosted",
            provider="",
            licence=model.licence,
            quality_index=plan.quality,
            quality_estimated=plan.quality_estimated,
            monthly_cost=None,
            monthly_cost_low=None,
            monthly_cost_high=None,
            cost_per_million_tokens=None,
            capex=0.0,
            cost_breakdown={},
            unit_prices=None,
            self_hosting=None,
            api_speed=None,
            feasible=False,
            violations=[],
            warnings=[],
            scores=UNSCORED,
            reasons=[],
            rank=None,
            rank_among_all=None,
            reasoning=plan.mode,
            reasoning_tokens_per_request=plan.hidden_tokens,
            customisation=None,
        ).__dict__
    return hit  # type: ignore[no-any-return]
