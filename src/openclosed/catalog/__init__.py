"""The catalogue: schema, loading with overlays, and look-ups."""

from .index import Catalog
from .loader import embedded_dir, load_catalog, user_config_dir, validate_dir

__all__ = ["Catalog", "embedded_dir", "load_catalog", "user_config_dir", "validate_dir"]
