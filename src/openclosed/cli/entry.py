"""The console script: answers `--version` before importing typer, then runs the app."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("--version", "-V"):
        from .. import __version__

        sys.stdout.write(f"openclosed {__version__}\n")
        sys.exit(0)
    from .app import main as run

    run(list(args))
