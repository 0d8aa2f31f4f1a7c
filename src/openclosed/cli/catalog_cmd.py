"""`openclosed catalog ...`: validate, schema (overlays, import and diff live here too)."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import CatalogOpt, OutFileOpt, emit, info

catalog_app = typer.Typer(
    help="Validate, inspect and refresh the catalogue.", no_args_is_help=True, rich_markup_mode=None
)


@catalog_app.command("validate")
def validate_cmd(catalog_dir: CatalogOpt = None) -> None:
    """Check the catalogue (with overlays): schema, cross-references, every problem with file:line."""
    from ..catalog import validate_dir

    cat = validate_dir(catalog_dir)
    c = cat.counts()
    info(
        f"catalogue valid: {c['models']} models, {c['licences']} licences, {c['providers']} providers, "
        f"{c['gpus']} GPUs (as of {cat.as_of}); files: {', '.join(cat.sources)}"
    )


@catalog_app.command("schema")
def schema_cmd(
    file: Annotated[str, typer.Option("--file", help="catalog (both), models or providers.")] = "catalog",
    out_file: OutFileOpt = None,
) -> None:
    """JSON Schema of the catalogue files, for editors that validate YAML."""
    from ..render.jsonout import to_json
    from ..schemas import schema

    emit(to_json(schema(file.lower())), out_file)


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
    try:
        from . import catalog_tools
    except ImportError:  # pragma: no cover
        return
    catalog_tools.register(catalog_app)
