"""`openclosed catalog show-effective | import genai-prices | diff`: keep the numbers true."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    import datetime as dt

from .common import CatalogOpt, Format, FormatOpt, OutFileOpt, TodayOpt, info, parse_today, show, warn


@lru_cache(maxsize=64)
def _short(file: str | None) -> str:
    """Embedded files as `embedded/providers.yaml`; overlays as given. (Asked once per value
    shown, of a handful of files: each answer resolves paths on disk, so it is kept.)"""
    if not file:
        return ""
    from ..catalog import embedded_dir

    p = Path(file)
    try:
        return "embedded/" + str(p.resolve().relative_to(embedded_dir().resolve()))
    except ValueError:
        return file


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)


def register(catalog_app: typer.Typer) -> None:
    _show_effective_command(catalog_app)
    _import_command(catalog_app)
    _diff_command(catalog_app)


def _show_effective_command(catalog_app: typer.Typer) -> None:
    @catalog_app.command("show-effective")
    def show_effective_cmd(
        catalog_dir: CatalogOpt = None,
        fmt: FormatOpt = Format.table,
        out_file: OutFileOpt = None,
        only: Annotated[
            str | None,
            typer.Option(
                "--only",
                help="Only one entry: KIND/ID, e.g. api_providers/together, models/llama-3.3-70b, "
                "gpu_clouds/aws, on_prem.",
            ),
        ] = None,
    ) -> None:
        """The merged catalogue (embedded + overlays), with the file:line every value came from."""
        from ..catalog import validate_dir
        from ..catalog.effective import effective_rows
        from ..render import Column, View

        cat = validate_dir(catalog_dir)
        rows = effective_rows(cat, only)
        table_rows = [
            {
                **r,
                "value_text": _text(r["value"]),
                "where": f"{_short(r['file'])}:{r['line']}" if r["line"] else _short(r["file"]),
            }
            for r in rows
        ]
        view = View(
            title="openclosed catalog show-effective",
            columns=[
                Column("path", "path", nowrap=True),
                Column("value_text", "value", width=40),
                Column("where", "from", width=30),
            ],
            rows=table_rows,
            json=rows,
            csv_columns=[
                Column("path", "path"),
                Column("value_text", "value"),
                Column("file", "file"),
                Column("line", "line"),
            ],
            notes=[f"layers (lowest first): {', '.join(cat.sources)}"],
        )
        show(view, fmt.value, out_file)


def _import_command(catalog_app: typer.Typer) -> None:
    @catalog_app.command("import")
    def import_cmd(
        source: Annotated[
            str, typer.Argument(help="Where prices come from: genai-prices or litellm (offline package data).")
        ],
        into: Annotated[
            Path | None,
            typer.Option(
                "--into",
                help="Overlay directory to write providers.yaml into (default: the user config "
                "catalogue directory). Never the installed package.",
            ),
        ] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the changes; write nothing.")] = False,
        threshold: Annotated[
            float,
            typer.Option(
                "--threshold",
                min=0,
                help="Percent difference above which the two sources 'disagree'; such offerings are held back "
                "unless --accept-disagreements.",
            ),
        ] = 25.0,
        accept: Annotated[
            bool,
            typer.Option(
                "--accept-disagreements", help="Also write offerings whose prices differ by more than --threshold."
            ),
        ] = False,
        released: Annotated[
            str | None,
            typer.Option(
                "--released",
                metavar="DATE",
                help="The day the installed package was published (e.g. its upload date on PyPI): it dates the "
                "prices the package lists without a date of their own, stated as such. Without it such prices "
                "keep the entry's date.",
            ),
        ] = None,
        fmt: FormatOpt = Format.table,
        today: TodayOpt = None,
    ) -> None:
        """Refresh API prices from genai-prices' or litellm's bundled data into an overlay (never over the network)."""
        import datetime as dt

        from ..catalog import refresh
        from ..errors import InputError
        from ..fileio import write_atomic

        kind = source.lower().replace("_", "-")
        if kind not in ("genai-prices", "litellm"):
            raise InputError.one(f"unknown price source {source!r}; expected genai-prices or litellm", field="SOURCE")
        target = refresh.check_target(into if into is not None else refresh.default_into())
        day = parse_today(today) or dt.date.today()
        published = _released(released, day)
        try:
            if kind == "litellm":
                from ..catalog import litellm_import

                ll_data = litellm_import.load_litellm()  # MissingExtraError (exit 2) without the extra
                cat = refresh.baseline_catalog(target)
                plan = litellm_import.plan_import(cat, day, threshold, accept, data=ll_data, released=published)
            else:
                data = refresh.load_genai_prices()  # MissingExtraError (exit 2) without the extra
                cat = refresh.baseline_catalog(target)
                plan = refresh.plan_import(cat, day, threshold, accept, data=data, released=published)
        except (AttributeError, TypeError, KeyError, ValueError, ArithmeticError) as exc:
            # The package's data is not shaped the way this version reads it.
            raise refresh.broken_extra(exc) from None
        path = target / "providers.yaml"
        written = False
        if plan.entries and not dry_run:
            existing, had_comments = refresh.read_existing(target)
            text = refresh.overlay_text(plan, existing, day)
            refresh.validate_overlay(target, text)
            target.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text, field="--into")
            written = True
            if had_comments:
                warn(f"{path}: comments in the existing overlay were not kept")
        notes = _import_notes(plan, day, threshold, path, dry_run=dry_run, written=written)
        view = _import_view(kind, plan, path, notes, dry_run=dry_run, written=written)
        for d in plan.disagreements:
            warn(
                f"{d['provider']}/{d['model']} {d['field']}: ours {_text(d['old'])}, {kind} "
                f"{_text(d['new'])} ({d['change_pct']:+.1f}%)"
                if d["change_pct"] is not None
                else (f"{d['provider']}/{d['model']} {d['field']}: ours {_text(d['old'])}, {kind} {_text(d['new'])}")
            )
        show(view, fmt.value, None)
        if written:
            info(f"wrote {path}")


def _diff_command(catalog_app: typer.Typer) -> None:
    @catalog_app.command("diff")
    def diff_cmd(
        old: Annotated[str, typer.Argument(help="Older catalogue: a directory, or 'embedded'.")],
        new: Annotated[str, typer.Argument(help="Newer catalogue: a directory, or 'embedded'.")],
        fmt: FormatOpt = Format.table,
        out_file: OutFileOpt = None,
    ) -> None:
        """What changed between two catalogues: prices, models added or retired, lifecycle, licences."""
        from ..catalog.diff import diff
        from ..render import Column, View

        data = diff(old, new)
        rows = [
            {
                **r,
                "old_text": "" if r["old"] is None else _text(r["old"]),
                "new_text": "" if r["new"] is None else _text(r["new"]),
            }
            for r in data["changes"]
        ]
        summary = ", ".join(f"{n} {k}" for k, n in sorted(data["summary"].items())) or "no changes"
        view = View(
            title=f"openclosed catalog diff: {data['old']['catalog']} ({data['old']['as_of']}) → "
            f"{data['new']['catalog']} ({data['new']['as_of']})",
            columns=[
                Column("kind", "kind", width=10),
                Column("item", "item", nowrap=True),
                Column("field", "field", width=24),
                Column("change", "change", width=8),
                Column("old_text", "old", width=14),
                Column("new_text", "new", width=14),
                Column("change_pct", "change %", "pct"),
            ],
            rows=rows,
            json=data,
            notes=[f"{len(rows)} change(s): {summary}."],
            csv_columns=[Column(k, k) for k in ("kind", "item", "field", "change", "old", "new", "change_pct")],
        )
        show(view, fmt.value, out_file)


def _released(text: str | None, day: dt.date) -> dt.date | None:
    """--released as a date, no later than the run date (a package is not published in the future)."""
    import datetime as dt

    from ..errors import InputError

    if text is None:
        return None
    try:
        released = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError.one(f"expected a date YYYY-MM-DD, got {text!r}", field="--released") from None
    if released > day:
        raise InputError.one(f"{released} is after the run date {day}", field="--released")
    return released


def _import_notes(plan: Any, day: dt.date, threshold: float, path: Path, *, dry_run: bool, written: bool) -> list[str]:
    """What an import found and did, one line each (printed under the table)."""
    applied = [c for c in plan.changes if c["status"] == "applied"]
    held = [c for c in plan.changes if c["status"] == "held back"]
    kept = {(c["provider"], c["model"]): c["status"] for c in plan.changes if c["status"].startswith("hold:")}
    n_off = len({(c["provider"], c["model"]) for c in applied})
    notes = [
        f"Source: {plan.source}. A price the package does not date is dated by the package's release "
        f"({plan.released}, --released), stated as such in its note."
        if plan.released
        else f"Source: {plan.source}. The package gives no date for its prices: a changed price keeps the "
        "entry's as_of and a confirmed one is not re-dated (--released DATE dates them by the package's release)."
        if plan.as_of == day
        else f"Source: {plan.source}, as of {plan.as_of}.",
        f"{len(plan.changes)} price difference(s) in {_offerings(plan.changes)} offering(s) "
        f"({n_off} applied, {_offerings(held)} held back, {len(kept)} kept on purpose); "
        f"{len(plan.confirmed)} offering(s) confirmed unchanged; {len(plan.unmatched)} not matched.",
    ]
    if held:
        notes.append(
            f"{len({(c['provider'], c['model']) for c in held})} offering(s) held back: the sources "
            f"disagree by more than {threshold:g}% (check them; --accept-disagreements writes them)."
        )
    for (prov, model), why in kept.items():
        notes.append(f"kept: {prov}/{model} differs on purpose ({why}); not overwritten.")
    for lc in plan.lifecycle:
        notes.append(
            f"lifecycle: {lc['provider']}/{lc['model']} {lc['field']}: ours {_text(lc['old'])}, "
            f"{lc['source']} {_text(lc['new'])} ({lc['status']})"
        )
    for u in plan.unmatched:
        notes.append(f"not matched: {u['provider']}/{u['model']}: {u['reason']}")
    if dry_run:
        notes.append(f"dry run: nothing written (target: {path}).")
    elif written:
        n_dated = sum(len(v) for v in plan.entries.values()) - n_off
        notes.append(
            f"wrote {n_off} offering(s) to {path}"
            + (f", and re-dated {n_dated} whose prices the source confirms." if n_dated > 0 else ".")
        )
    else:
        notes.append(f"nothing to write; {path} left as it was.")
    return notes


def _offerings(changes: list[dict[str, Any]]) -> int:
    return len({(c["provider"], c["model"]) for c in changes})


def _import_view(kind: str, plan: Any, path: Path, notes: list[str], *, dry_run: bool, written: bool) -> Any:
    """The changes of an import as a View (table, JSON, CSV)."""
    from ..render import Column, View

    match_key = "litellm_key" if kind == "litellm" else "genai_prices_model"
    rows = [
        {
            **c,
            "item": f"{c['provider']}/{c['model']}",
            "old_text": _text(c["old"]),
            "new_text": _text(c["new"]),
            # The reason of a hold is a sentence: the notes under the table give it whole ("kept: ...").
            "status_text": "hold" if c["status"].startswith("hold:") else c["status"],
        }
        for c in plan.changes
    ]
    out = {**plan.to_json(), "target": str(path), "dry_run": dry_run, "written": written}
    view = View(
        title=f"openclosed catalog import {kind}{' (dry run)' if dry_run else ''}",
        columns=[
            Column("item", "offering", nowrap=True),
            Column("field", "field", width=28),
            Column("old_text", "old", width=10),
            Column("new_text", "new", width=10),
            Column("change_pct", "change %", "pct"),
            Column("status_text", "status", width=10),
            Column(match_key, f"{kind} model", width=40, table=False),
        ],
        rows=rows,
        json=out,
        notes=notes,
        csv_columns=[
            Column(k, k)
            for k in (
                "provider",
                "model",
                match_key,
                "field",
                "old",
                "new",
                "change_pct",
                "disagrees",
                "status",
            )
        ],
    )
    return view
