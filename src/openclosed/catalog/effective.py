"""The effective catalogue: every merged value with the file and line it came from.

`openclosed catalog show-effective` prints these rows. Paths name list entries by their key, the
way validation errors do: `api_providers[together].price_multiplier`,
`api_providers[together].offerings[llama-3.3-70b].prices.input`. The two files' top-level
scalars (`version`, `as_of`) are prefixed with the file name: `providers.yaml:as_of`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import InputError
from .index import Catalog
from .loader import Layered, _entry_key
from .places import FILES

# --only KIND/ID: the section a kind names (singular, plural and loose spellings accepted).
KINDS = {
    "model": "models",
    "models": "models",
    "licence": "licences",
    "licences": "licences",
    "license": "licences",
    "licenses": "licences",
    "gpu": "gpus",
    "gpus": "gpus",
    "provider": "api_providers",
    "providers": "api_providers",
    "api": "api_providers",
    "api-provider": "api_providers",
    "api_provider": "api_providers",
    "api_providers": "api_providers",
    "cloud": "gpu_clouds",
    "clouds": "gpu_clouds",
    "gpu-cloud": "gpu_clouds",
    "gpu_cloud": "gpu_clouds",
    "gpu_clouds": "gpu_clouds",
    "on-prem": "on_prem",
    "on_prem": "on_prem",
    "onprem": "on_prem",
}


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _walk(lay: Layered, value: Any, loc: tuple, path: str, out: list[dict[str, Any]]) -> None:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _walk(lay, v, (*loc, k), f"{path}.{k}" if path else str(k), out)
        return
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            key = _entry_key(v)
            _walk(lay, v, (*loc, i), f"{path}[{key[1] if key else i}]", out)
        return
    file, line = lay.where(loc)
    out.append({"path": path, "value": _plain(value), "file": file, "line": line})


def effective_rows(cat: Catalog, only: str | None = None) -> list[dict[str, Any]]:
    """One row {path, value, file, line} per leaf value of the merged catalogue."""
    if not cat.origins:
        raise InputError.one("the catalogue was loaded without origins; use validate_dir()")
    rows: list[dict[str, Any]] = []
    for fname, kind in zip(FILES, ("models", "providers"), strict=True):
        lay: Layered = cat.origins[kind]
        for key, value in lay.data.items():
            if isinstance(value, (dict, list)):
                _walk(lay, value, (key,), key, rows)
            else:
                file, line = lay.where((key,))
                rows.append({"path": f"{fname}:{key}", "value": _plain(value), "file": file, "line": line})
    if only:
        prefix = parse_only(only)
        rows = [r for r in rows if _selected(r["path"], prefix)]
        if not rows:
            raise InputError.one(
                f"nothing in the catalogue matches {only!r} (expected KIND/ID, e.g. "
                "api_providers/together, models/llama-3.3-70b, gpu_clouds/aws, on_prem)",
                field="--only",
            )
    return rows


def parse_only(only: str) -> str:
    """`provider/Together` -> `api_providers[together]`; `on-prem` -> `on_prem`."""
    kind, _, ident = only.strip().partition("/")
    section = KINDS.get(kind.strip().lower())
    if section is None:
        raise InputError.one(
            f"unknown kind {kind!r}; expected one of models, licences, gpus, api_providers, gpu_clouds, on_prem",
            field="--only",
        )
    ident = ident.strip().lower()
    return f"{section}[{ident}]" if ident else section


def _selected(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")
