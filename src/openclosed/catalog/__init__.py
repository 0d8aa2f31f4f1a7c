"""The catalogue: schema, loading with overlays, and look-ups.

The names below load their modules on first use: importing a module of this package (the cache, the
places of the files) does not build the model classes, which a compare on plain records needs
(modelbase.py)."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .index import Catalog
    from .loader import load_catalog, validate_dir
    from .places import embedded_dir, user_config_dir

__all__ = ["Catalog", "embedded_dir", "load_catalog", "user_config_dir", "validate_dir"]
_HOMES = {
    "Catalog": "index",
    "load_catalog": "loader",
    "validate_dir": "loader",
    "embedded_dir": "places",
    "user_config_dir": "places",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
