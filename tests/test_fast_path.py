"""The fast path of a plain `compare` (cli/fast.py) gives what typer gives: the same output, messages
and exit code; any other command line goes to typer."""

from __future__ import annotations

import pytest
from conftest import ROOT, Run, invoke


def _both(capsys, args: list[str]) -> tuple[Run, Run]:
    """(through the console entry, which takes the fast path; through the typer app)."""
    from openclosed.cli import entry, fast
    from openclosed.cli.app import main as typer_main

    assert fast.parse_compare(args) is not None  # the first really is the fast path
    return invoke(capsys, entry.main, args), invoke(capsys, typer_main, args)


TODAY = ["--today", "2026-12-01"]


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "--preset", "chatbot", "-f", "json", *TODAY],
        ["compare", str(ROOT / "examples" / "startup.yaml"), "--format=markdown", "--today=2026-12-01"],
        ["compare", "--preset", "rag", "--format", "table", *TODAY],
    ],
)
def test_same_output_as_typer(capsys, args: list[str]) -> None:
    from openclosed.cli.fast import _KEPT

    fast, slow = _both(capsys, args)
    assert fast == slow
    assert fast.code == 0 and fast.out
    assert not _KEPT  # an in-process caller's result is freed as usual


def test_the_console_script_keeps_the_result_until_it_exits(capsys, monkeypatch) -> None:
    """The console script ends the process after the command: its compare is not freed first."""
    from openclosed.cli import fast

    monkeypatch.setattr(fast, "_KEPT", [])
    call = fast.parse_compare(["compare", "--preset", "chatbot", "-f", "json", *TODAY])
    with pytest.raises(SystemExit) as exc:
        fast.main(call, keep=True)
    assert exc.value.code in (0, None)
    assert len(fast._KEPT) == 1 and fast._KEPT[0].report.workload.name == "chatbot"
    assert capsys.readouterr().out.startswith("{")


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "--preset", "no-such-preset", "-f", "json"],
        ["compare", "--preset", "chatbot", "--today", "2026-13-01"],
        ["compare", "missing.yaml", "-f", "csv"],
        ["compare", str(ROOT / "examples" / "startup.yaml"), "--preset", "chatbot"],
    ],
)
def test_same_errors_as_typer(capsys, args: list[str]) -> None:
    fast, slow = _both(capsys, args)
    assert fast == slow
    assert fast.code == 2 and fast.err.startswith("error: ")


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "--all", "--preset", "chatbot"],  # another flag
        ["compare", "-f", "json", "-f", "csv"],  # a repeat
        ["compare", "-f=json"],  # click reads "=json" as the value
        ["compare", "-fjson"],
        ["compare", "--format", "JSON"],  # not one of the choices: typer's message
        ["compare", "--format"],  # no value
        ["compare", "--preset", "--format", "json"],  # a value that looks like a flag
        ["compare", "a.yaml", "b.yaml"],
        ["compare", "--preset="],
        ["compare", "--help"],
        ["--debug", "compare"],
        ["explain", "gpt-4o@openai"],
    ],
)
def test_anything_else_goes_to_typer(args: list[str]) -> None:
    from openclosed.cli.fast import parse_compare

    assert parse_compare(args) is None


def test_environment_that_typer_reads_goes_to_typer(monkeypatch) -> None:
    from openclosed.cli.fast import parse_compare

    assert parse_compare(["compare", "--preset", "rag"]) == {
        "workload": None,
        "wl_flags": {"preset": "rag"},
        "fmt": "table",
        "today": None,
    }
    monkeypatch.setenv("OPENCLOSED_TODAY", "2026-01-01")
    assert parse_compare(["compare", "--preset", "rag"]) is None
    assert parse_compare(["compare", "--preset", "rag", "--today", "2026-02-01"]) is not None
    monkeypatch.delenv("OPENCLOSED_TODAY")
    monkeypatch.setenv("_OPENCLOSED_COMPLETE", "bash_complete")
    assert parse_compare(["compare"]) is None


def test_the_fast_path_does_not_import_typer(tmp_path) -> None:
    import os
    import subprocess
    import sys

    # Nor what only other commands or options need: the format enums (typer's choices) and the
    # atomic file writer (--out-file), still importable from cli.common.
    code = (
        "import sys\n"
        "from openclosed.cli import entry\n"
        "try:\n"
        "    entry.main(['compare', '--preset', 'no-such-preset', '-f', 'json'])\n"
        "except SystemExit as exc:\n"
        "    print(exc.code, *(m in sys.modules for m in ('typer', 'openclosed.cli.formats', 'openclosed.fileio')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert proc.stdout.split() == ["2", "False", "False", "False"]
