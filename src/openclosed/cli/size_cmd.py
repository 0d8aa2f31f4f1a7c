"""`openclosed size MODEL --gpu GPU`: sizing of one self-hosted deployment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import CatalogOpt, Format, FormatOpt, OutFileOpt, TodayOpt, catalog, parse_today, show, warn


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
            typer.Option("--gpus", min=1, max=64, help="Tensor-parallel degree (default: smallest that fits)."),
        ] = None,
        precision: Annotated[
            str | None,
            typer.Option("--precision", help="bf16, fp8, int8, int4 or mxfp4 (default: the model's native)."),
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
        fmt: FormatOpt = Format.table,
        out_file: OutFileOpt = None,
        catalog_dir: CatalogOpt = None,
        today: TodayOpt = None,
    ) -> None:
        """How many GPUs, what batch, what speed: one replica of MODEL on GPU."""
        from ..errors import InputError
        from ..render.views import size_view
        from ..sizing import PRECISIONS, size, smallest_fit, tp_candidates

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
        prec = (precision or arch.native_precision).lower()
        if prec not in PRECISIONS:
            raise InputError.one(f"expected one of {', '.join(PRECISIONS)} (got {precision!r})", field="--precision")
        if gpus is None:
            found = smallest_fit(m.id, arch, g, prec, input_tokens, output_tokens, max_tpot_ms=max_tpot_ms)
            tp = found.gpus if found else max(tp_candidates(g, arch) or [1])
        else:
            if arch.attention_heads % gpus:
                raise InputError.one(
                    f"{gpus} does not divide the model's {arch.attention_heads} attention heads", field="--gpus"
                )
            tp = gpus
        result = size(
            m.id, arch, g, prec, tp, input_tokens, output_tokens, concurrency=concurrency, max_tpot_ms=max_tpot_ms
        )
        data = result.to_dict()
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
