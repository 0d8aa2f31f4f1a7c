"""Where the catalogue's files are: the embedded directory, the user's config directory and the
overlays layered over them. Imports no model: a compare decides from these, before any model module
is built, whether it can run on plain records (cli/fast.py)."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputError

FILES = ("models.yaml", "providers.yaml")
ENV_VAR = "OPENCLOSED_CATALOG"


def embedded_dir() -> Path:
    """The catalogue shipped with the package (wheel), or the repository's data/ (editable)."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "data"
    if (packaged / "models.yaml").exists():
        return packaged
    repo = here.parent.parent / "data"
    return repo


def user_config_dir() -> Path:
    """Platform convention: $XDG_CONFIG_HOME, ~/Library/Application Support, %APPDATA%."""
    if os.name == "nt":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    elif os.uname().sysname == "Darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "openclosed"


def overlay_dirs(catalog_dir: str | Path | None, use_env: bool = True) -> list[Path]:
    """Overlays in the order they apply: user config, then the env var, then --catalog."""
    dirs: list[Path] = []
    if use_env:
        user = Path(os.environ.get("OPENCLOSED_CONFIG_DIR") or user_config_dir()) / "catalog"
        if user.is_dir():
            dirs.append(user)
        env = os.environ.get(ENV_VAR)
        if env:
            dirs.extend(Path(p) for p in env.split(os.pathsep) if p)
    if catalog_dir is not None:
        dirs.append(Path(catalog_dir))
    for d in dirs:
        if not d.exists():
            raise InputError.one("catalogue directory not found", str(d))
        if not d.is_dir():
            raise InputError.one("expected a directory holding models.yaml and/or providers.yaml", str(d))
        if not any((d / f).exists() for f in FILES):
            raise InputError.one("holds neither models.yaml nor providers.yaml", str(d))
    return dirs
