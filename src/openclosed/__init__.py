"""openclosed: decide how to host a large language model.

The Python API mirrors the CLI without a subprocess::

    from openclosed import load_catalog, Workload, compare, preset
    report = compare(load_catalog(), preset("chatbot")).report
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Catalog",
    "Report",
    "Settings",
    "Workload",
    "__version__",
    "compare",
    "load_catalog",
    "load_workload",
    "preset",
    "size",
]

if TYPE_CHECKING:
    from .analyses.compare import compare
    from .catalog import Catalog, load_catalog
    from .engine import Settings
    from .report import Report
    from .selfhost.sizing import size
    from .workload.model import Workload, load_workload
    from .workload.presets import preset

_LAZY = {
    "Catalog": "catalog",
    "load_catalog": "catalog",
    "Settings": "engine",
    "compare": "analyses.compare",
    "Report": "report",
    "size": "selfhost.sizing",
    "Workload": "workload.model",
    "load_workload": "workload.model",
    "preset": "workload.presets",
}


def __getattr__(name: str) -> Any:
    # Imports stay lazy so that `openclosed --version` does not pay for pydantic.
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(name)
