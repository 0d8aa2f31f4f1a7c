"""`openclosed schema report|workload|catalog|models|providers`."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import OutFileOpt, emit


def register(app: typer.Typer) -> None:
    @app.command("schema")
    def schema_cmd(
        kind: Annotated[str, typer.Argument(help="report, workload, catalog, models or providers.")],
        out_file: OutFileOpt = None,
    ) -> None:
        """Print the JSON Schema of a format (also committed under docs/schemas/)."""
        from ..render.jsonout import to_json
        from ..schemas import schema

        emit(to_json(schema(kind.lower())), out_file)
