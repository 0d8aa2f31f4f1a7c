"""CSV: a stable header of column keys, raw numbers, one row per item."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from . import View


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return value


def to_csv(view: View) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    columns = view.csv_columns or view.columns
    writer.writerow([c.key for c in columns])
    for row in view.csv_rows if view.csv_rows is not None else view.rows:
        writer.writerow([_cell(row.get(c.key)) for c in columns])
    return buf.getvalue()
