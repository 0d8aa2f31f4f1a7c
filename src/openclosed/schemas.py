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
        from .workload import Workload

        out = Workload.model_json_schema()
    elif kind == "models":
        from .catalog.schema import ModelsFile

        out = ModelsFile.model_json_schema()
    elif kind == "providers":
        from .catalog.schema import ProvidersFile

        out = ProvidersFile.model_json_schema()
    elif kind == "catalog":
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "openclosed catalogue",
            "description": "data/models.yaml follows 'models'; data/providers.yaml follows 'providers'.",
            "models": schema("models"),
            "providers": schema("providers"),
        }
    else:
        raise InputError.one(f"unknown schema '{kind}'; expected one of {', '.join(KINDS)}", field="KIND")
    out = {"$schema": "https://json-schema.org/draft/2020-12/schema", **out}
    return out
