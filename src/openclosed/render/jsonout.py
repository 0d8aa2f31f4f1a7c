"""JSON: deterministic, numbers as numbers, never NaN."""

from __future__ import annotations

import json
import math
from typing import Any


def _clean(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        from ..report import to_plain

        value = to_plain(value)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def to_json(value: Any) -> str:
    return json.dumps(_clean(value), indent=2, ensure_ascii=False, allow_nan=False)
