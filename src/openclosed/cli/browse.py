"""Browsing the catalogue: models, providers, gpus, licences (list and show).

It is longer than most modules because the four browse groups (models, providers, GPUs,
licences) share their list/show plumbing; each group is a short block.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .common import CatalogOpt, Format, FormatOpt, OutFileOpt, catalog, show

USEFUL_BATCH = 8  # "serves it with a useful batch": 8 sequences of 8,192 tokens
USEFUL_INPUT, USEFUL_OUTPUT = 7168, 1024


def _txt(value: Any) -> str:
    """A table cell: a dash for a missing value (never "None"), lists without brackets."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_txt(v) for v in value)
    return str(value)


def _kv_view(
    title: str, record: dict[str, Any], extra_sections: list[tuple[str, list[dict[str, Any]], list[str]]] | None = None
) -> Any:
    from ..render import Column, View
    from ..render.escape import md

    rows = []
    for k, v in record.items():
        if isinstance(v, dict):
            v = ", ".join(f"{a}={_txt(b)}" for a, b in v.items() if b is not None and not isinstance(b, (dict, list)))
        elif isinstance(v, list):
            v = "; ".join(
                _txt(x)
                if not isinstance(x, dict)
                else ", ".join(f"{a}={_txt(b)}" for a, b in x.items() if b is not None)
                for x in v
            )
        rows.append({"field": k, "value": _txt(v)})
    notes: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for heading, table_rows, cols in extra_sections or []:
        lines = [" | ".join(cols), " | ".join("---" for _ in cols)]
        lines += [" | ".join(md(_txt(r.get(c))) for c in cols) for r in table_rows]  # Markdown: escaped
        sections.append((heading, ["| " + ln + " |" for ln in lines]))
        notes.append(f"\n{heading}")
        widths = [max(len(str(c)), *(len(_txt(r.get(c))) for r in table_rows)) for c in cols]
        notes.append("  ".join(str(c).ljust(w) for c, w in zip(cols, widths, strict=False)).rstrip())
        for r in table_rows:
            notes.append("  ".join(_txt(r.get(c)).ljust(w) for c, w in zip(cols, widths, strict=False)).rstrip())
    return View(
        title=title,
        columns=[Column("field", "field", nowrap=True), Column("value", "value", width=90)],
        rows=rows,
        json=record,
        notes=notes,
        sections=sections,
    )


def register(app: typer.Typer) -> None:
    models = typer.Typer(help="Models in the catalogue.", no_args_is_help=True, rich_markup_mode=None)
    providers = typer.Typer(help="API providers, GPU clouds and on-prem.", no_args_is_help=True, rich_markup_mode=None)
    gpus = typer.Typer(help="GPU types and their specs.", no_args_is_help=True, rich_markup_mode=None)
    licences = typer.Typer(help="Model licences and their terms.", no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(models, name="models")
    app.add_typer(providers, name="providers")
    app.add_typer(gpus, name="gpus")
    app.add_typer(licences, name="licences")
    _models_list(models)
    _models_show(models)
    _providers_list(providers)
    _providers_show(providers)
    _gpus_list(gpus)
    _gpus_show(gpus)
    _licences_list(licences)
    _licences_show(licences)


def _models_list(models: typer.Typer) -> None:
    @models.command("list")
    def models_list(
        open_only: Annotated[bool, typer.Option("--open", help="Open-weight models only.")] = False,
        closed_only: Annotated[bool, typer.Option("--closed", help="Closed models only.")] = False,
        provider: Annotated[
            str | None, typer.Option("--provider", help="Only models this API provider serves.")
        ] = None,
        vendor: Annotated[
            str | None, typer.Option("--vendor", help="Only models from this vendor (meta, openai, ...).")
        ] = None,
        active: Annotated[bool, typer.Option("--active", help="Hide models already shut down.")] = False,
        fmt: FormatOpt = Format.table,
        out_file: OutFileOpt = None,
        catalog_dir: CatalogOpt = None,
    ) -> None:
        """List models with licence, context, size and quality."""
        import datetime as dt

        from ..render import Column, View

        cat = catalog(catalog_dir)
        served = None
        if provider:
            served = {o.model for o in cat.api_provider(provider).offerings}
        today = dt.date.today()
        items = []
        for m in cat.all_models():
            if (open_only and not m.open_weights) or (closed_only and m.open_weights):
                continue
            if served is not None and m.id not in served:
                continue
            if vendor and m.vendor.lower() != vendor.lower():
                continue
            if active and m.shutdown_date and m.shutdown_date <= today:
                continue
            a = m.architecture
            items.append(
                {
                    "id": m.id,
                    "name": m.name,
                    "vendor": m.vendor,
                    "open_weights": m.open_weights,
                    "licence": m.licence,
                    "context_window": m.context_window,
                    "parameters_b": a.total_params_b if a else None,
                    "active_parameters_b": a.active_params_b if a else None,
                    "quality_index": m.quality.index if m.quality else None,
                    "release_date": m.release_date.isoformat() if m.release_date else None,
                    "shutdown_date": m.shutdown_date.isoformat() if m.shutdown_date else None,
                    "providers": cat.providers_serving(m.id),
                }
            )
        cols = [
            # Ids never wrap (they are pasted into `show`); narrow terminals drop columns instead.
            Column("id", "id", nowrap=True),
            Column("open_weights", "open", "bool"),
            Column("licence", "licence", nowrap=True),
            Column("context_window", "context", "int", optional=1),
            Column("parameters_b", "params B", "number"),
            Column("active_parameters_b", "active B", "number", optional=3),
            Column("quality_index", "quality", "number"),
            Column("shutdown_date", "shutdown", optional=2),
        ]
        csv_cols = [
            Column(k, k)
            for k in (
                "id",
                "name",
                "vendor",
                "open_weights",
                "licence",
                "context_window",
                "parameters_b",
                "active_parameters_b",
                "quality_index",
                "release_date",
                "shutdown_date",
                "providers",
            )
        ]
        show(
            View(
                title=f"{len(items)} models (catalogue as of {cat.as_of})",
                columns=cols,
                rows=items,
                json=items,
                csv_columns=csv_cols,
            ),
            fmt.value,
            out_file,
        )


def _models_show(models: typer.Typer) -> None:
    @models.command("show")
    def models_show(
        model: Annotated[str, typer.Argument(help="Model id, alias or Hugging Face id.")],
        fmt: FormatOpt = Format.table,
        out_file: OutFileOpt = None,
        catalog_dir: CatalogOpt = None,
    ) -> None:
        """One model: facts with sources, who serves it, and what it takes to run it."""
        from ..selfhost.sizing import MAX_NODES, smallest_fit, weight_bytes

        cat = catalog(catalog_dir)
        m = cat.model(model)
        record: dict[str, Any] = m.model_dump(mode="json")
        offers = [
            {
                "provider": p.id,
                "input": o.prices.input,
                "output": o.prices.output,
                "cached_input": o.prices.cached_input,
                "as_of": o.as_of.isoformat(),
            }
            for p, o in cat.offerings_of(m.id)
        ]
        record["offerings"] = offers
        sections = []
        if offers:
            sections.append(
                (
                    "API offerings (USD per million tokens)",
                    offers,
                    ["provider", "input", "cached_input", "output", "as_of"],
                )
            )
        if m.architecture is not None:
            arch = m.architecture
            memory = [{"precision": p, "weights_gb": round(weight_bytes(arch, p) / 1e9, 1)} for p in arch.precisions]
            requirements = []
            plans = []
            shown = []
            for g in cat.all_gpus():
                row: dict[str, Any] = {"gpu": g.id}
                text: dict[str, Any] = {"gpu": g.id}
                for p in arch.precisions:
                    # Up to 16 nodes where the GPU has an inter-node network in the catalogue.
                    s = smallest_fit(
                        m.id, arch, g, p, USEFUL_INPUT, USEFUL_OUTPUT, min_batch=USEFUL_BATCH, max_nodes=MAX_NODES
                    )
                    row[p] = s.gpus if s else None
                    text[p] = "–" if s is None else (f"{s.gpus} ({s.nodes} nodes)" if s.nodes > 1 else s.gpus)
                    if s is not None:
                        plans.append(
                            {"gpu": g.id, "precision": p, "gpus": s.gpus, "nodes": s.nodes, "tp": s.tp, "ep": s.ep}
                            | {"pp": s.pp, "plan": s.plan}
                        )
                requirements.append(row)
                shown.append(text)
            record["weight_memory"] = memory
            record["gpu_requirements"] = {
                "useful_batch": f"{USEFUL_BATCH} sequences of {USEFUL_INPUT + USEFUL_OUTPUT} tokens",
                "smallest_gpu_count": requirements,
                "plans": plans,
            }
            sections.append(("Weight memory (GB, 10^9 bytes)", memory, ["precision", "weights_gb"]))
            sections.append(
                (
                    f"Smallest GPU count per replica for {USEFUL_BATCH} sequences of "
                    f"{USEFUL_INPUT + USEFUL_OUTPUT:,} tokens (– = not on {MAX_NODES} nodes, or not on one node "
                    "where the GPU has no inter-node network listed)",
                    shown,
                    ["gpu", *arch.precisions],
                )
            )
        record_view = {k: v for k, v in record.items() if k not in ("offerings", "weight_memory", "gpu_requirements")}
        view = _kv_view(f"{m.name} ({m.id})", record_view, sections)
        view.json = record
        show(view, fmt.value, out_file)


def _providers_list(providers: typer.Typer) -> None:
    @providers.command("list")
    def providers_list(
        kind: Annotated[str | None, typer.Option("--kind", help="api, gpu-cloud or on-prem.")] = None,
        model: Annotated[str | None, typer.Option("--model", help="Only API providers serving this model.")] = None,
        fmt: FormatOpt = Format.table,
        out_file: OutFileOpt = None,
        catalog_dir: CatalogOpt = None,
    ) -> None:
        """List API providers (with privacy terms), GPU clouds and on-prem."""
        from ..render import Column, View

        cat = catalog(catalog_dir)
        pf = cat.providers_file
        wanted = cat.model(model).id if model else None
        items: list[dict[str, Any]] = []
        for p in pf.api_providers:
            if wanted and not any(o.model == wanted for o in p.offerings):
                continue
            items.append(
                {
                    "id": p.id,
                    "name": p.name,
                    "kind": "api",
                    "offerings": len(p.offerings),
                    "trains_on_data": p.privacy.trains_on_data,
                    "retention_days": p.privacy.retention_days,
                    "zero_retention": p.privacy.zero_retention,
                    "residency": p.privacy.residency,
                }
            )
        if not wanted:
            for c in pf.gpu_clouds:
                items.append(
                    {
                        "id": c.id,
                        "name": c.name,
                        "kind": "gpu-cloud",
                        "offerings": len(c.offers),
                        "trains_on_data": None,
                        "retention_days": None,
                        "zero_retention": None,
                        "residency": c.regions,
                    }
                )
            if pf.on_prem is not None:
                items.append(
                    {
                        "id": pf.on_prem.id,
                        "name": pf.on_prem.name,
                        "kind": "on-prem",
                        "offerings": len(pf.on_prem.gpus),
                        "trains_on_data": None,
                        "retention_days": None,
                        "zero_retention": None,
                        "residency": [],
                    }
                )
        if kind:
            items = [i for i in items if i["kind"] == kind]
        cols = [
            Column("id", "id", nowrap=True),
            Column("kind", "kind"),
            Column("offerings", "offers", "int", optional=1),
            Column("trains_on_data", "trains", "bool"),
            Column("retention_days", "retention d", "int"),
            Column("zero_retention", "ZDR", nowrap=True),
            Column("residency", "residency", width=24),
        ]
        show(View(title=f"{len(items)} providers", columns=cols, rows=items, json=items), fmt.value, out_file)


def _providers_show(providers: typer.Typer) -> None:
    @providers.command("show")
    def providers_show(
        provider: Annotated[str, typer.Argument(help="Provider or cloud id.")],
        fmt: FormatOpt = Format.table,
        out_file: OutFileOpt = None,
        catalog_dir: CatalogOpt = None,
    ) -> None:
        """One provider: privacy terms and every offering with its source and date."""
        cat = catalog(catalog_dir)
        p = cat.provider(provider)
        record = p.model_dump(mode="json")
        record.setdefault("kind", "on-prem")
        sections = []
        if hasattr(p, "offerings"):
            rows = [
                {
                    "model": o.model,
                    "input": o.prices.input,
                    "cached_input": o.prices.cached_input,
                    "output": o.prices.output,
                    "batch": o.batch_discount,
                    "as_of": o.as_of.isoformat(),
                }
                for o in p.offerings
            ]
            sections.append(
                (
                    "Offerings (USD per million tokens)",
                    rows,
                    ["model", "input", "cached_input", "output", "batch", "as_of"],
                )
            )
        elif hasattr(p, "offers"):
            rows = [
                {
                    "gpu": o.gpu,
                    "instance": o.instance,
                    "hourly_price": o.hourly_price,
                    "reserved": o.reserved_hourly_price,
                    "counts": o.gpu_counts,
                    "as_of": o.as_of.isoformat(),
                }
                for o in p.offers
            ]
            sections.append(
                (
                    "GPU offers (USD per GPU-hour)",
                    rows,
                    ["gpu", "instance", "hourly_price", "reserved", "counts", "as_of"],
                )
            )
        shown = {k: v for k, v in record.items() if k not in ("offerings", "offers", "gpus")}
        view = _kv_view(f"{p.name} ({p.id})", shown, sections)
        view.json = record
        show(view, fmt.value, out_file)


def _gpus_list(gpus: typer.Typer) -> None:
    @gpus.command("list")
    def gpus_list(
        fmt: FormatOpt = Format.table,
        out_file: OutFileOpt = None,
        catalog_dir: CatalogOpt = None,
    ) -> None:
        """List GPU types with memory, bandwidth and dense TFLOP/s."""
        from ..render import Column, View

        cat = catalog(catalog_dir)
        items = [
            {
                "id": g.id,
                "name": g.name,
                "vendor": g.vendor,
                "memory_gb": g.memory_gb,
                "bandwidth_tb_s": g.bandwidth_tb_s,
                "bf16_tflops": g.bf16_tflops,
                "fp8_tflops": g.fp8_tflops,
                "interconnect": g.interconnect,
                "power_w": g.power_w,
                "aliases": g.aliases,
            }
            for g in cat.all_gpus()
        ]
        cols = [
            Column("id", "id", nowrap=True),
            Column("memory_gb", "GB", "number"),
            Column("bandwidth_tb_s", "TB/s", "number"),
            Column("bf16_tflops", "bf16 TF", "number"),
            Column("fp8_tflops", "fp8 TF", "number"),
            Column("interconnect", "link"),
            Column("power_w", "W", "int"),
        ]
        show(View(title=f"{len(items)} GPUs", columns=cols, rows=items, json=items), fmt.value, out_file)


def _gpus_show(gpus: typer.Typer) -> None:
    @gpus.command("show")
    def gpus_show(
        gpu: Annotated[str, typer.Argument(help="GPU id or name, e.g. H100.")],
        fmt: FormatOpt = Format.table,
        out_file: OutFileOpt = None,
        catalog_dir: CatalogOpt = None,
    ) -> None:
        """One GPU: specs with source, and where it can be rented."""
        cat = catalog(catalog_dir)
        g = cat.gpu(gpu)
        record = g.model_dump(mode="json")
        offers = [
            {
                "cloud": c.id,
                "instance": o.instance,
                "hourly_price": o.hourly_price,
                "reserved": o.reserved_hourly_price,
                "as_of": o.as_of.isoformat(),
            }
            for c in cat.providers_file.gpu_clouds
            for o in c.offers
            if o.gpu == g.id
        ]
        record["offers"] = offers
        view = _kv_view(
            f"{g.name} ({g.id})",
            {k: v for k, v in record.items() if k != "offers"},
            [("Cloud offers (USD per GPU-hour)", offers, ["cloud", "instance", "hourly_price", "reserved", "as_of"])]
            if offers
            else [],
        )
        view.json = record
        show(view, fmt.value, out_file)


def _licences_list(licences: typer.Typer) -> None:
    @licences.command("list")
    def licences_list(
        fmt: FormatOpt = Format.table,
        out_file: OutFileOpt = None,
        catalog_dir: CatalogOpt = None,
    ) -> None:
        """List licences: commercial use, MAU limits and models under each."""
        from ..render import Column, View

        cat = catalog(catalog_dir)
        items = []
        for lic in cat.licences.items.values():
            items.append(
                {
                    "id": lic.id,
                    "name": lic.name,
                    "kind": lic.kind,
                    "commercial_use": lic.commercial_use,
                    "mau_limit": lic.mau_limit,
                    "eu_multimodal_exclusion": lic.eu_multimodal_exclusion,
                    "models": sorted(m.id for m in cat.all_models() if m.licence == lic.id),
                }
            )
        cols = [
            Column("id", "id", nowrap=True),
            Column("kind", "kind", optional=1),
            Column("commercial_use", "commercial", "bool"),
            Column("mau_limit", "MAU limit", "int"),
            Column("models", "models", width=40, nowrap=True),
        ]
        show(View(title=f"{len(items)} licences", columns=cols, rows=items, json=items), fmt.value, out_file)


def _licences_show(licences: typer.Typer) -> None:
    @licences.command("show")
    def licences_show(
        licence: Annotated[str, typer.Argument(help="Licence id.")],
        fmt: FormatOpt = Format.table,
        out_file: OutFileOpt = None,
        catalog_dir: CatalogOpt = None,
    ) -> None:
        """One licence: what it permits, requires and restricts, with its source."""
        cat = catalog(catalog_dir)
        lic = cat.licence(licence)
        record = lic.model_dump(mode="json")
        record["models"] = sorted(m.id for m in cat.all_models() if m.licence == lic.id)
        show(_kv_view(f"{lic.name} ({lic.id})", record), fmt.value, out_file)
