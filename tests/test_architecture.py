"""The layering holds: the CLI on top, renderers below it, a pure core below both."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PKG = ROOT / "src" / "openclosed"


def _imports(source: str, module: str) -> set[str]:
    """Absolute names of every module `source` (the text of module `module`) imports."""
    package = module.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            mod = ".".join([*base, node.module] if node.module else base)
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
    return out


def _layer(path: Path) -> str:
    rel = path.relative_to(PKG).parts
    if rel[0] in ("cli", "__main__.py"):
        return "cli"
    return "render" if rel[0] == "render" else "core"


def test_nothing_below_the_cli_imports_it_and_the_core_imports_no_terminal_library() -> None:
    bad = []
    for path in sorted(PKG.rglob("*.py")):
        layer = _layer(path)
        module = ".".join(path.relative_to(PKG.parent).with_suffix("").parts)
        for name in _imports(path.read_text(encoding="utf-8"), module):
            if layer != "cli" and (name == "openclosed.cli" or name.startswith("openclosed.cli.")):
                bad.append(f"{path.relative_to(PKG)} imports {name}")
            if layer == "core" and name.split(".")[0] in ("typer", "rich", "click"):
                bad.append(f"{path.relative_to(PKG)} imports {name}")
            if layer == "core" and name.startswith("openclosed.render"):
                bad.append(f"{path.relative_to(PKG)} imports {name}")
    assert bad == []


def test_the_checker_resolves_relative_imports() -> None:
    # The rule above must be able to fail: a renderer's relative import of the CLI is seen.
    assert "openclosed.cli.common" in _imports("from ..cli.common import emit\n", "openclosed.render.chart")
    assert "openclosed.cli" in _imports("from ..cli import common\n", "openclosed.render.x")
    assert _layer(PKG / "render" / "chart.py") == "render" and _layer(PKG / "sweep.py") == "core"
