"""The layering holds: the CLI on top, renderers below it, a pure core below both."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from conftest import ROOT

PKG = ROOT / "src" / "openclosed"


@cache  # three tests walk the same sources: each is parsed once
def _imports(source: str, module: str) -> frozenset[str]:
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
    return frozenset(out)


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


# ----------------------------------------------------------------------------- import cycles
def _module_sources(root: Path) -> dict[str, tuple[str, bool]]:
    """{dotted module name: (source, is a package's __init__)} for every module under `root`."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        init = parts[-1] == "__init__"
        out[".".join(parts[:-1] if init else parts)] = (path.read_text(encoding="utf-8"), init)
    return out


def _graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """Module → the modules of `sources` it imports: every import counts, those inside functions and
    under `if TYPE_CHECKING:` too; a package's __init__ importing its own modules is no edge."""
    graph: dict[str, set[str]] = {}
    for name, (source, init) in sources.items():
        # _imports resolves relative imports against the module's package: a package's __init__
        # is resolved as a module one level down (its own package).
        names = _imports(source, f"{name}.__init__" if init else name)
        edges = set()
        for target in names:
            while target and target not in sources:
                target = target.rpartition(".")[0]
            if target and target != name and not (init and target.startswith(name + ".")):
                edges.add(target)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_no_import_cycle_among_the_modules() -> None:
    assert _cycles(_graph(_module_sources(PKG))) == []


def test_the_cycle_check_counts_imports_in_functions_and_under_type_checking() -> None:
    # The check above must be able to fail: a cycle made only of a function-level import and a
    # TYPE_CHECKING import is found; a package __init__ importing its own module is not a cycle.
    sources = {
        "p": ("from .a import f\n", True),
        "p.a": ("def f():\n    from .b import g\n", False),
        "p.b": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n", False),
        "p.c": ("from . import d\n", False),
        "p.d": ("x = 1\n", False),
    }
    assert _cycles(_graph(sources)) == [["p.a", "p.b"]]
    sources["p.d"] = ("def h():\n    import p.c\n", False)
    assert _cycles(_graph(sources)) == [["p.a", "p.b"], ["p.c", "p.d"]]


def test_analyses_sit_above_the_engine() -> None:
    # The pipeline (engine) and the concepts it uses never reach up into analyses/, which
    # build on the engine (routing, sweeps, sensitivity, explain); only the CLI, the renderers
    # and the package's lazy public API may import them.
    graph = _graph(_module_sources(PKG))
    above = ("openclosed.analyses", "openclosed.cli", "openclosed.render", "openclosed.__main__")
    bad = sorted(
        f"{m} imports {t}"
        for m, targets in graph.items()
        for t in targets
        if t.startswith("openclosed.analyses") and m != "openclosed" and not m.startswith(above)
    )
    assert bad == []


def test_no_function_is_over_150_lines() -> None:
    long = []
    for path in sorted(PKG.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if length > 150:
                    long.append(f"{path.relative_to(PKG)}:{node.name} ({length} lines)")
    assert long == []


# The team's design notes and reference files live outside the product (users do not have them).
_TEAM_CITATION = re.compile(r"shared/(reference|DESIGN)|\bDESIGN(\.md)?\s*(§|section)|\bDESIGN\.md\b")


def _product_text() -> list[Path]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "data").glob("*.yaml"))]
    return files + sorted(PKG.rglob("*.py"))


def test_the_product_cites_only_public_sources() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}"
        for path in _product_text()
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if _TEAM_CITATION.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_citation_check_sees_each_form() -> None:
    for text in ("via shared/reference/selfhost.md §8", "(DESIGN.md section 10)", "(DESIGN section 11)", "DESIGN §11"):
        assert _TEAM_CITATION.search(text), text
    assert not _TEAM_CITATION.search("the shared/interactive fleet runs on spot")
