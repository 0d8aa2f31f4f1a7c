"""`openclosed size MODEL --gpu GPU`: sizing of one self-hosted deployment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import CatalogOpt, Format, FormatOpt, OutFileOpt, TodayOpt, catalog, parse_today, show, warn


def _check_number(flag: str, value: float | None, low: float, high: float) -> None:
    """click's FloatRange lets inf (and NaN) through; the sizing arithmetic must not see them.
    None: the flag was not given."""
    import math

    from ..errors import InputError

    if value is None:
        return
    if not math.isfinite(value) or not low <= value <= high:
        raise InputError.one(f"expected a number from {low:g} to {high:,.0f} (got {value!r})", field=flag)


def register(app: typer.Typer) -> None:
    @app.command("size")
    def size_cmd(
        model: Annotated[str, typer.Argument(help="Open model id or Hugging Face id.")],
        workload: Annotated[
            Path | None,
            typer.Argument(help="Workload YAML: its input and output tokens per request are used.", show_default=False),
        ] = None,
        gpu: Annotated[str, typer.Option("--gpu", help="GPU id or name, e.g. h100-sxm or H100.")] = ...,  # type: ignore[assignment]
        preset: Annotated[
            str | None,
            typer.Option("--preset", help="Take the tokens per request from a preset: chatbot, rag, batch, ..."),
        ] = None,
        gpus: Annotated[
            int | None,
            typer.Option(
                "--gpus",
                min=1,
                max=1024,
                help="GPUs of one replica in total, over as many nodes as it takes (default: the smallest "
                "that fits, up to 16 nodes).",
            ),
        ] = None,
        precision: Annotated[
            str | None,
            typer.Option("--precision", help="bf16, fp8, int8, int4, mxfp4 or nvfp4 (default: the model's native)."),
        ] = None,
        input_tokens: Annotated[
            float | None,
            typer.Option("--input-tokens", min=1, help="Prompt tokens per request (default: 1000, or the workload's)."),
        ] = None,
        output_tokens: Annotated[
            float | None,
            typer.Option("--output-tokens", min=1, help="Output tokens per request (default: 500, or the workload's)."),
        ] = None,
        concurrency: Annotated[
            int | None,
            typer.Option(
                "--concurrency",
                min=1,
                help="Concurrent sequences (default: largest that fits and meets --max-tpot-ms).",
            ),
        ] = None,
        max_tpot_ms: Annotated[
            float | None, typer.Option("--max-tpot-ms", min=0.001, help="Latency limit per output token, ms.")
        ] = None,
        kv_cache_dtype: Annotated[
            str | None,
            typer.Option(
                "--kv-cache-dtype", help="KV cache element type: bf16 (engines' default, or the workload's) or fp8."
            ),
        ] = None,
        speculative: Annotated[
            str | None,
            typer.Option(
                "--speculative",
                help="Speculative decoding: none (default, or the workload's), mtp (the model's MTP layers) or eagle.",
            ),
        ] = None,
        fmt: FormatOpt = Format.table,
        out_file: OutFileOpt = None,
        catalog_dir: CatalogOpt = None,
        today: TodayOpt = None,
    ) -> None:
        """How many GPUs, what batch, what speed: one replica of MODEL on GPU."""
        from ..errors import InputError
        from ..render.views import size_view
        from ..selfhost.sizing import KV_CACHE_DTYPES, PRECISIONS, SPECULATIVE_METHODS, plan_replica
        from ..workload.model import MAX_INPUT_TOKENS, MAX_OUTPUT_TOKENS

        _check_number("--input-tokens", input_tokens, 1, MAX_INPUT_TOKENS)
        _check_number("--output-tokens", output_tokens, 1, MAX_OUTPUT_TOKENS)
        if max_tpot_ms is not None:
            _check_number("--max-tpot-ms", max_tpot_ms, 0.001, 1e7)
        if kv_cache_dtype is not None and kv_cache_dtype not in KV_CACHE_DTYPES:
            raise InputError.one(f"expected bf16 or fp8 (got {kv_cache_dtype!r})", field="--kv-cache-dtype")
        if speculative is not None and speculative not in SPECULATIVE_METHODS:
            raise InputError.one(f"expected none, mtp or eagle (got {speculative!r})", field="--speculative")
        cat = catalog(catalog_dir)
        m = cat.model(model)
        import datetime as dt

        from ..catalog.lifecycle import model_warnings

        input_tokens, output_tokens, lengths_from = request_lengths(workload, preset, input_tokens, output_tokens)
        later = [f"{m.id}: {w}" for w in model_warnings(m, parse_today(today) or dt.date.today())]
        if m.architecture is None:
            raise InputError.one(f"{m.id} is a closed model; only open-weight models can be sized", field="MODEL")
        arch = m.architecture
        g = cat.gpu(gpu)
        if precision is not None and precision.lower() not in PRECISIONS:
            raise InputError.one(f"expected one of {', '.join(PRECISIONS)} (got {precision!r})", field="--precision")
        if workload is not None or preset:
            # A workload or preset: compare's own replica (its latency targets, cached share,
            # longest request and precisions), so that size, explain and compare agree.
            from ..selfhost.replica import size_for_workload
            from ..workload.model import apply_overrides
            from .common import build_workload

            wl, _ = build_workload(workload, preset, {}, default_note=False)
            # Flags given override the workload's own self_hosting settings, as they do without one.
            given = {"kv_cache_dtype": kv_cache_dtype, "speculative": speculative}
            overrides: dict = {"traffic": {"input_tokens": input_tokens, "output_tokens": output_tokens}}
            if any(v is not None for v in given.values()):
                overrides["self_hosting"] = {k: v for k, v in given.items() if v is not None}
            wl = apply_overrides(wl, overrides)
            data = size_for_workload(
                cat, wl, m, g, precision.lower() if precision else None, gpus, concurrency, max_tpot_ms
            )
            data["schema_version"] = 1
            data["lengths_from"] = lengths_from
            show(size_view(data), fmt.value, out_file)
            for w in later:
                warn(w)
            return
        prec = (precision or arch.native_precision).lower()
        # With --gpus, the best plan of exactly that many GPUs (tensor parallel inside a node, expert
        # or pipeline parallel across nodes); without, the smallest replica that fits and meets
        # --max-tpot-ms, searched up to 16 nodes. A setup that cannot run says why (exit 0).
        result = plan_replica(
            m.id,
            arch,
            g,
            prec,
            input_tokens,
            output_tokens,
            gpus=gpus,
            concurrency=concurrency,
            max_tpot_ms=max_tpot_ms,
            kv_cache_dtype=kv_cache_dtype or "bf16",
            speculative=speculative or "none",
        )
        data = result.report()
        data["meets_latency"] = bool(result.fits and result.meets_tpot)
        data["schema_version"] = 1
        data["lengths_from"] = lengths_from
        show(size_view(data), fmt.value, out_file)
        for w in later:
            warn(w)


DEFAULT_INPUT_TOKENS, DEFAULT_OUTPUT_TOKENS = 1000.0, 500.0


def request_lengths(
    workload: Path | None, preset: str | None, input_tokens: float | None, output_tokens: float | None
) -> tuple[float, float, str]:
    """Tokens per request in and out, and where they came from: the flags, else the workload
    file or preset, else the defaults (1000 in, 500 out)."""
    source = "defaults"
    base_in, base_out = DEFAULT_INPUT_TOKENS, DEFAULT_OUTPUT_TOKENS
    if workload is not None or preset:
        from .common import build_workload

        wl, source = build_workload(workload, preset, {}, default_note=False)
        base_in, base_out = wl.traffic.input_tokens, wl.traffic.output_tokens
    if input_tokens is not None or output_tokens is not None:
        source = "flags" if source == "defaults" else f"{source} + flags"
    return (
        float(input_tokens if input_tokens is not None else base_in),
        float(output_tokens if output_tokens is not None else base_out),
        source,
    )
