"""CSV: a stable header of column keys, raw numbers, one row per item."""

from __future__ import annotations

import csv
import io

from ..units import csv_cell
from . import View

_cell = csv_cell


def to_csv(view: View) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    columns = view.csv_columns or view.columns
    writer.writerow([c.key for c in columns])
    for row in view.csv_rows if view.csv_rows is not None else view.rows:
        writer.writerow([_cell(row.get(c.key)) for c in columns])
    return buf.getvalue()
