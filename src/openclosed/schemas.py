"""JSON Schemas of the public formats (committed under docs/schemas/, kept in sync by a test)."""

from __future__ import annotations

from typing import Any

KINDS = ("report", "workload", "catalog", "models", "providers")


def schema(kind: str) -> dict[str, Any]:
    from .errors import InputError

    if kind == "report":
        from .report import Report

        out = Report.model_json_schema()
    elif kind == "workload":
        from .workload.model import Workload

        out = Workload.model_json_schema()
    elif kind == "models":
        from .catalog.schema import ModelsFile

        out = ModelsFile.model_json_schema()
    elif kind == "providers":
        from .catalog.schema import ProvidersFile

        out = ProvidersFile.model_json_schema()
    elif kind == "catalog":
        return catalog_schema(schema("models"), schema("providers"))
    else:
        raise InputError.one(f"unknown schema '{kind}'; expected one of {', '.join(KINDS)}", field="KIND")
    out = {"$schema": "https://json-schema.org/draft/2020-12/schema", **out}
    return out


def catalog_schema(models: dict[str, Any], providers: dict[str, Any]) -> dict[str, Any]:
    """One JSON Schema that accepts either catalogue file: both files' schemas and their
    definitions under `$defs` (an editor can also point at `#/$defs/ModelsFile` alone)."""
    defs: dict[str, Any] = {}
    files = []
    for part in (models, providers):
        part = {k: v for k, v in part.items() if k != "$schema"}
        for name, body in part.pop("$defs", {}).items():
            if name in defs and defs[name] != body:  # pragma: no cover - guards a future clash
                raise ValueError(f"two catalogue schemas define {name} differently")
            defs[name] = body
        title = part["title"]
        defs[title] = part
        files.append({"$ref": f"#/$defs/{title}"})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "openclosed catalogue file",
        "description": "data/models.yaml follows $defs/ModelsFile; data/providers.yaml follows $defs/ProvidersFile.",
        "anyOf": files,
        "$defs": dict(sorted(defs.items())),
    }
