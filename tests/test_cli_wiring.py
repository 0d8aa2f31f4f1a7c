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
