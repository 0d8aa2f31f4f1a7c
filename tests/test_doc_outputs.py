"""The command outputs that README.md and docs/charts.md show are what the commands print now.

A change that moves a figure (a price, a sizing term) used to leave these blocks stale; nothing
checked them. Each block is re-run at the terminal width it was written at, with the default
number of sampled scenarios (the suite's smaller one would move the P10–P90 ranges), in a folder
where `examples/` and the usage fixtures have the relative paths the commands name.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The width each block was written at, by the start of its command (80 where not listed).
WIDTHS = {
    "compare examples/rag-internal-docs.yaml": 100,
    "compare examples/routed-support.yaml": 100,
    "workload from-usage": 187,
}
# A command without --today runs on this day: the day its block was last written.
WRITTEN = "2026-12-07"


def _blocks(doc: str) -> list[tuple[list[str], str]]:
    """(commands, the text under them) of each fenced block that starts with `$ openclosed`."""
    out = []
    for fence in re.finditer(r"```[a-z]*\n(\$ openclosed .*?)```", (ROOT / doc).read_text(), re.S):
        text = fence.group(1).replace("\\\n    ", "")
        for part in re.split(r"^(?=\$ openclosed )", text, flags=re.M):
            if part:
                command, _, shown = part.partition("\n")
                out.append((shlex.split(command[2:])[1:], shown))
    return out


def _width(args: list[str]) -> int:
    line = " ".join(args)
    return next((w for start, w in WIDTHS.items() if line.startswith(start)), 80)


@pytest.fixture
def in_docs_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / "tests" / "fixtures").mkdir(parents=True)
    (tmp_path / "tests" / "fixtures" / "usage").symlink_to(ROOT / "tests" / "fixtures" / "usage")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENCLOSED_SAMPLES")
    monkeypatch.setenv("OPENCLOSED_TODAY", WRITTEN)
    return tmp_path


def test_the_chart_doc_s_sweep_block_is_the_readme_s() -> None:
    # docs/charts.md shows the README's chatbot sweep under a sentence rather than a `$` line.
    lead = "`openclosed sweep --preset chatbot --vary requests_per_month=1e3..1e9 --log` at 80 columns:\n\n```\n"
    charts = (ROOT / "docs" / "charts.md").read_text()
    start = charts.index(lead) + len(lead)
    readme = dict((" ".join(args), shown) for args, shown in _blocks("README.md"))
    assert (
        charts[start : charts.index("```", start)]
        == readme["sweep --preset chatbot --vary requests_per_month=1e3..1e9 --log"]
    )


def test_the_blocks_are_found() -> None:
    # The parser must see every block: 7 commands in the README, 5 in docs/charts.md.
    assert len(_blocks("README.md")) == 7
    assert [args[0] for args, _ in _blocks("docs/charts.md")] == ["sweep", "sweep", "sweep", "sweep", "breakeven"]


def test_readme_blocks_are_what_the_commands_print(cli, in_docs_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # In order: the from-usage block writes the workload.yaml that the next one compares.
    for args, shown in _blocks("README.md"):
        monkeypatch.setenv("COLUMNS", str(_width(args)))
        run = cli(*args)
        assert (run.out + run.err).rstrip("\n") == shown.rstrip("\n"), " ".join(args)


def test_chart_doc_blocks_are_what_the_commands_print(
    cli, in_docs_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # docs/charts.md shows stdout (a failing command's one line: stderr); "..." cuts a block short.
    for args, shown in _blocks("docs/charts.md"):
        monkeypatch.setenv("COLUMNS", str(_width(args)))
        run = cli(*args)
        printed = (run.out or run.err).rstrip("\n")
        if shown.rstrip("\n").endswith("\n..."):
            shown = shown.rstrip("\n")[: -len("...")]
            assert printed.startswith(shown), " ".join(args)
        else:
            assert printed == shown.rstrip("\n"), " ".join(args)
