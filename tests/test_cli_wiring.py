"""The lazy command map in cli/app.py names the module that really registers each command."""

from __future__ import annotations

import importlib

import typer

from openclosed.cli import app as app_module


def _names(module: str) -> set[str]:
    probe = typer.Typer()
    importlib.import_module(f"openclosed.cli.{module}").register(probe)
    names = {c.name for c in probe.registered_commands} | {g.name for g in probe.registered_groups}
    return {n for n in names if n}


def test_every_command_maps_to_the_module_that_registers_it() -> None:
    modules = set(app_module.COMMANDS.values())
    registered = {name: module for module in modules for name in _names(module)}
    assert registered == app_module.COMMANDS


def test_version_answers_without_typer(capsys) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from openclosed.cli.entry import main\n"
        "try:\n main(['--version'])\nexcept SystemExit: pass\n"
        "print('typer' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "False" and out.startswith("openclosed ")


class _Ended(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


def _console(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run the console script as the `openclosed` executable would, with the process's end caught."""
    import sys

    from openclosed.cli import entry

    def end(status: int) -> None:
        raise _Ended(status)

    monkeypatch.setattr(entry.os, "_exit", end)
    monkeypatch.setattr(sys, "argv", ["openclosed", *args])
    try:
        entry.main()
    except _Ended as done:
        out = capsys.readouterr()
        return done.status, out.out, out.err
    raise AssertionError("the console script returned instead of ending the process")


def test_the_console_script_ends_with_the_commands_exit_code(monkeypatch, capsys) -> None:
    import json

    status, out, _ = _console(monkeypatch, capsys, "compare", "--preset", "chatbot", "--format", "json", "--top", "2")
    data = json.loads(out)
    rec = data["recommendation"]
    # The best options of the first two models (or kinds), plus any option the recommendation's
    # text names that is not among them (a runner-up may be the same model elsewhere).
    named = {rec["id"], rec["runner_up"], rec["best_other_kind"]} - {None}
    ids = [o["id"] for o in data["options"]]
    assert status == 0 and named <= set(ids) and 2 <= len(ids) <= 2 + len(named)
    status, out, err = _console(monkeypatch, capsys, "compare", "--top", "zero")
    assert status == 2 and out == "" and "--top" in err


def test_a_message_exit_is_written_and_ends_with_1(monkeypatch, capsys) -> None:
    from openclosed.cli import entry

    monkeypatch.setattr(entry.os, "_exit", lambda status: (_ for _ in ()).throw(_Ended(status)))
    try:
        entry._exit("stopped: reason")
    except _Ended as done:
        assert done.status == 1
    assert capsys.readouterr().err == "stopped: reason\n"
