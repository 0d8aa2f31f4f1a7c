"""Shared CLI plumbing: consoles, workload building, atomic output.

This module does not import typer: `cli/fast.py` runs a plain `compare` through it without typer
(~40 ms of a run). The typer option types (`CatalogOpt`, `with_workload_flags`, ...) live in
`cli/options.py`; they are still importable from here, built on first use."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from ..catalog import Catalog
    from ..workload.model import Workload

# ----------------------------------------------------------------- consoles
_consoles: dict[str, Console] = {}


def _no_color() -> bool:
    return bool(os.environ.get("NO_COLOR"))


def out_console(width: int | None = None) -> Console:
    """stdout: only the requested output."""
    from rich.console import Console

    if "out" not in _consoles:
        _consoles["out"] = Console(
            no_color=_no_color(),
            highlight=False,
            soft_wrap=False,
            width=width or _env_width(),
        )
    return _consoles["out"]


def err_console() -> Console:
    """stderr: messages, warnings, progress."""
    from rich.console import Console

    if "err" not in _consoles:
        _consoles["err"] = Console(stderr=True, no_color=_no_color(), highlight=False, width=_env_width())
    return _consoles["err"]


def _env_width() -> int | None:
    cols = os.environ.get("COLUMNS")
    if cols and cols.isdigit():
        return int(cols)
    if not sys.stdout.isatty():
        return 120
    return None


def warn(message: str) -> None:
    # Plain writes keep rich out of the JSON/CSV path (it costs ~30 ms to import).
    from ..render.fmt import printable

    label = "warning:"
    if sys.stderr.isatty() and not _no_color():
        label = "\x1b[33mwarning:\x1b[0m"
    sys.stderr.write(_fit_stderr(f"{label} {printable(message)}", len(label) - len("warning:")) + "\n")


def _fit_stderr(text: str, invisible: int = 0) -> str:
    """On a terminal, wrap a message at its width between words (the terminal would cut words),
    the following lines indented; elsewhere (logs, pipes) keep one line per message."""
    if not sys.stderr.isatty():
        return text
    import shutil
    import textwrap

    width = _env_width() or shutil.get_terminal_size((100, 24)).columns
    lines = textwrap.wrap(text, width + invisible, subsequent_indent="  ", break_on_hyphens=False)
    return "\n".join(lines) if lines else text


def warn_after(report_warnings: list[str], options: list[Any], name_options: bool = False) -> None:
    """Print the warnings of a command once each, after its output, counted per option
    (JSON keeps the full list in `warnings`); `name_options` for a command about one or two."""
    from ..render.warnings import summarise

    for line in summarise(report_warnings, [(o.id, o.warnings) for o in options], name_options):
        warn(line)


def info(message: str) -> None:
    from ..render.fmt import printable

    sys.stderr.write(_fit_stderr("\n".join(printable(line) for line in message.split("\n"))) + "\n")


def parse_today(value: str | None) -> dt.date | None:
    from ..errors import InputError

    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError.one(f"expected a date YYYY-MM-DD (got {value!r})", field="--today") from None


def catalog(path: Path | None) -> Catalog:
    from ..catalog import load_catalog

    return load_catalog(path)


# ----------------------------------------------------------------- workload
def build_workload(
    path: Path | None, preset_name: str | None, overrides: dict[str, Any], default_note: bool = True
) -> tuple[Workload, str]:
    """The workload and a short note of where it came from (file, preset, flags)."""
    from ..workload.model import apply_overrides, load_workload
    from ..workload.presets import DEFAULT_PRESET, preset

    if path is not None and preset_name:
        from ..errors import InputError

        raise InputError.one("give a workload file or --preset, not both", field="--preset")
    if path is not None:
        wl = load_workload(path)
        source = str(path)
    elif preset_name:
        wl = preset(preset_name)
        source = f"preset:{preset_name}"
    else:
        has_core = all(k in overrides.get("traffic", {}) for k in ("input_tokens", "output_tokens")) and any(
            k in overrides.get("traffic", {}) for k in ("requests_per_day", "requests_per_month", "requests_per_second")
        )
        wl = None if has_core else preset(DEFAULT_PRESET)
        source = "flags" if has_core else f"preset:{DEFAULT_PRESET}"
        if not has_core and default_note:
            info(
                f"No workload given: using the '{DEFAULT_PRESET}' preset (see docs/workload.md; "
                "pass a workload file or --preset)."
            )
    if overrides and source != "flags":
        source += " + flags"
    return apply_overrides(wl, overrides), source


def overrides_from(
    requests_per_day: float | None = None,
    requests_per_month: float | None = None,
    requests_per_second: float | None = None,
    input_tokens: float | None = None,
    output_tokens: float | None = None,
    cached_input_share: float | None = None,
    batch_share: float | None = None,
    peak_to_average: float | None = None,
    context_tokens: float | None = None,
    max_ttft_ms: float | None = None,
    min_output_tokens_per_s: float | None = None,
    allow_third_party: bool | None = None,
    sensitivity: str | None = None,
    residency: list[str] | None = None,
    monthly_active_users: int | None = None,
    min_quality: float | None = None,
    precisions: list[str] | None = None,
    gpu_price_multiplier: float | None = None,
    engineer_cost: float | None = None,
    engineers: float | None = None,
    horizon_months: float | None = None,
) -> dict[str, Any]:
    def put(section: str, key: str, value: Any) -> None:
        if value is not None:
            out.setdefault(section, {})[key] = value

    out: dict[str, Any] = {}
    for key, value in (
        ("requests_per_day", requests_per_day),
        ("requests_per_month", requests_per_month),
        ("requests_per_second", requests_per_second),
        ("input_tokens", input_tokens),
        ("output_tokens", output_tokens),
        ("cached_input_share", cached_input_share),
        ("batch_share", batch_share),
        ("peak_to_average", peak_to_average),
        ("context_tokens", context_tokens),
    ):
        put("traffic", key, value)
    put("latency", "max_ttft_ms", max_ttft_ms)
    put("latency", "min_output_tokens_per_s", min_output_tokens_per_s)
    put("privacy", "allow_third_party", allow_third_party)
    put("privacy", "sensitivity", sensitivity)
    if residency:
        put("privacy", "residency", [r for part in residency for r in part.split(",") if r])
    put("licence", "monthly_active_users", monthly_active_users)
    put("quality", "min_score", min_quality)
    if precisions:
        put("self_hosting", "precisions", [p for part in precisions for p in part.split(",") if p])
    put("self_hosting", "gpu_price_multiplier", gpu_price_multiplier)
    put("operations", "engineer_cost_per_month", engineer_cost)
    put("operations", "self_hosting_engineers", engineers)
    if horizon_months is not None:
        out["horizon_months"] = horizon_months
    return out


# ----------------------------------------------------------------- output
def emit(text: str, out_file: Path | None) -> None:
    """Write the requested output to stdout, or atomically to a file."""
    if not text.isascii():
        # Undecodable command-line bytes arrive as lone surrogates; never fail writing them.
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if out_file is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    from ..fileio import write_atomic

    write_atomic(out_file, text if text.endswith("\n") else text + "\n", field="--out-file")
    info(f"wrote {out_file}")


def check_outputs(out_file: Path | None, chart: Path | None = None) -> None:
    """Validate every output path before any work, so a bad `--out-file` cannot fail after the
    `--chart` image has already been replaced (and vice versa)."""
    from ..errors import InputError
    from ..fileio import check_writable

    if chart is not None:
        if chart.suffix.lower() not in (".png", ".svg"):
            raise InputError.one(f"expected a .png or .svg file (got {chart.name!r})", field="--chart")
        check_writable(chart, "--chart")
    if out_file is not None:
        check_writable(out_file, "--out-file")
        if chart is not None and Path(os.path.abspath(chart)) == Path(os.path.abspath(out_file)):
            raise InputError.one("--chart and --out-file name the same file", str(out_file), field="--chart")


def workload_from_flags(path: Path | None, flags: dict[str, Any], note: bool = True) -> tuple[Workload, str]:
    flags = dict(flags)
    preset_name = flags.pop("preset", None)
    return build_workload(path, preset_name, overrides_from(**flags), default_note=note)


def terminal_width(out_file: Path | None) -> int:
    if out_file is not None:
        return 100
    return _env_width() or out_console().width


def table_width(out_file: Path | None) -> int:
    """The width a table is drawn at: COLUMNS, else the terminal's; 100 in a file."""
    return _env_width() or (out_console().width if out_file is None else 100)


def show(view: Any, fmt: str, out_file: Path | None) -> None:
    """Render a view in the chosen format to stdout or a file."""
    from ..render import RENDERERS

    if fmt == "table":
        color = out_file is None and sys.stdout.isatty() and not _no_color()
        width = table_width(out_file)
        text = RENDERERS["table"](view, width=width, color=color)
    else:
        text = RENDERERS[fmt](view)
    emit(text, out_file)


# The typer option types, importable from here as before; defined in options.py so that this
# module loads without typer.
_OPTIONS = frozenset(
    ("CatalogOpt", "FormatOpt", "OutFileOpt", "TodayOpt", "StaleOpt", "WORKLOAD_FLAGS", "with_workload_flags")
)


def __getattr__(name: str) -> Any:
    if name in _OPTIONS:
        from . import options

        return getattr(options, name)
    # Also importable from here as before, loaded on first use: a plain compare (cli/fast.py)
    # needs neither the format enums nor the atomic writer.
    if name in ("Format", "FormatHtml"):
        from . import formats

        return getattr(formats, name)
    if name == "write_atomic":
        from ..fileio import write_atomic

        return write_atomic
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
