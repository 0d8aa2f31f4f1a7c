"""The typer application: wiring and global options. Errors become exit codes in `failures`
(docs/json.md, "Exit codes": 0 success, 1 a check failed, 2 bad input, 3 internal error)."""

from __future__ import annotations

import sys
from typing import Any

import typer

from .. import __version__

app = typer.Typer(
    name="openclosed",
    help="Decide how to host an LLM: closed API, open model through an API, or your own GPUs.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    # Plain click help: rich's help tables cut long flag names at 80 columns and read "[plot]"
    # in a help text as markup.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"openclosed {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for internal errors."),
) -> None:
    """openclosed compares every way to serve a workload on cost, privacy, lock-in and quality."""


# Which module registers each command. Only the invoked command's module is imported and
# converted by typer (building every command's parameters cost 30-60 ms of each run); `--help`
# and anything unrecognised register them all. tests/test_cli_wiring.py keeps this map true.
COMMANDS: dict[str, str] = {
    "compare": "compare_cmd",
    "explain": "compare_cmd",
    "size": "size_cmd",
    "breakeven": "breakeven_cmd",
    "check": "check_cmd",
    "diff": "check_cmd",
    "schema": "schema_cmd",
    "sweep": "sweep_cmd",
    "catalog": "catalog_cmd",
    "models": "browse",
    "providers": "browse",
    "gpus": "browse",
    "licences": "browse",
    "workload": "workload_cmd",
    "sensitivity": "sensitivity_cmd",
}
_registered: set[str] = set()


def _register(args: list[str] | None = None) -> None:
    import importlib

    first = next((a for a in args or [] if not a.startswith("-")), None)
    wanted = [COMMANDS[first]] if first in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for name in wanted:
        if name not in _registered:
            _registered.add(name)
            importlib.import_module(f".{name}", __package__).register(app)


_command: Any = None
_built_for: frozenset[str] = frozenset()


def command() -> Any:
    """The click command tree, built once, with metavars a reader understands."""
    global _command, _built_for
    if _command is None or _built_for != frozenset(_registered):
        # Rebuilt only when another command's module was registered since (in-process callers).
        _command = typer.main.get_command(app)
        _built_for = frozenset(_registered)
        tidy_metavars(_command)
    return _command


def tidy_metavars(cmd: Any) -> None:
    """NUMBER, TEXT, PATH, [a|b] instead of typer's <float>, <list[str]>, <path>; arguments
    show their name in capitals. (Typer vendors click, so parameters are read by shape.)"""
    for sub in getattr(cmd, "commands", {}).values():
        tidy_metavars(sub)
    for p in cmd.params:
        if p.metavar is not None or getattr(p, "is_flag", False) or getattr(p, "count", False):
            continue
        desc = getattr(p, "type_descriptor", None)
        if not hasattr(p, "is_flag"):  # an argument: its name, without typer's "<path>" after it
            name = p.metavar = (p.name or "arg").upper()
            p.display_type_rich = lambda ctx: None
            usage = name if p.required else f"[{name}]"  # click's form, not typer's "{MODEL}"
            p.get_usage_pieces = lambda ctx, usage=usage: [usage]
        elif desc is not None and desc.is_choice:
            p.metavar = "[" + "|".join(str(getattr(c, "value", c)) for c in desc.choices or ()) + "]"
        elif desc is not None and desc.is_path:
            p.metavar = "PATH"
        elif p.bare_type().split("[")[-1].rstrip("]") in ("int", "float"):
            p.metavar = "NUMBER"
        else:
            p.metavar = "TEXT"


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app and map exceptions to exit codes."""
    from ..gcpause import paused_gc

    # The objects a command builds hold no reference cycles worth collecting: the cyclic
    # collector only costs time here. Restored as it was for in-process callers.
    with paused_gc():
        _run(argv)


def _run(argv: list[str] | None) -> None:
    from .streams import guarded_stdout

    # The command writes through a guard: a failed write to stdout is not an OSError by the time
    # it leaves the command, so typer's own handler (which exits 1 on a closed pipe) never sees it.
    with guarded_stdout():
        _invoke(argv)


def _invoke(argv: list[str] | None) -> None:
    from .failures import run_guarded

    args = list(sys.argv[1:] if argv is None else argv)
    _register(args)
    run_guarded(
        lambda: command().main(args=args, prog_name="openclosed", standalone_mode=False),
        debug="--debug" in args,
        exit_types=(typer.Exit,),
        abort_types=(typer.Abort,),
    )
