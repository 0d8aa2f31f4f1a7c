"""The one routing-aware entry: how the CLI and the Python API compare a workload.

The engine compares one workload and knows nothing of traffic classes. A workload with
`traffic.classes` is routed here: each class is compared alone and the routed plan goes on the
report (`routing`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine import Engine

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..evaluation import Result, Settings
    from ..workload.model import Workload


def compare(
    catalog: Catalog, workload: Workload, settings: Settings | None = None, lean_classes: bool = False
) -> Result:
    """Price, size, check, score and rank every option for a workload (routed when it has classes).

    `lean_classes`: for outputs that list no infeasible option, each traffic class prices only
    the self-hosted options that can change the answer (`class_runs`, "lean")."""
    if workload.traffic.classes:
        from .routing import compare_routed

        return compare_routed(catalog, workload, settings, lean_classes)
    return Engine(catalog, workload, settings).run()
