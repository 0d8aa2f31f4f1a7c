"""The typer application: wiring, global options, and the one place errors become exit codes.

Exit codes (DESIGN.md section 7): 0 success, 1 a check failed, 2 bad input, 3 internal error.
"""

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


def _register() -> None:
    from . import (
        breakeven_cmd,
        browse,
        catalog_cmd,
        check_cmd,
        compare_cmd,
        schema_cmd,
        size_cmd,
    )

    for module in (compare_cmd, size_cmd, breakeven_cmd, check_cmd, schema_cmd):
        module.register(app)
    browse.register(app)
    catalog_cmd.register(app)
    try:
        from . import sweep_cmd
    except ImportError:  # pragma: no cover - optional module during development
        return
    sweep_cmd.register(app)


_register()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app and map exceptions to exit codes."""
    import gc

    # The objects a command builds hold no reference cycles worth collecting: the cyclic
    # collector only costs time here (10-25 ms of a compare). Re-enabled for in-process callers.
    gc.disable()
    try:
        _run(argv)
    finally:
        gc.enable()


def _run(argv: list[str] | None) -> None:
    from ..errors import OpenclosedError

    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        rc = _click_command()(args=args, prog_name="openclosed", standalone_mode=False)
    except OpenclosedError as exc:
        _error_lines(str(exc))
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        if exc.exit_code == 130:
            sys.stderr.write("interrupted\n")
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        # click turns Ctrl-C into Abort (after printing an empty line); say what happened.
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except SystemExit:
        raise
    except RecursionError:
        # Every reader bounds nesting (docs/security.md); this is the last line of defence.
        _error_lines("input is nested too deeply")
        sys.exit(2)
    except MemoryError:
        _error_lines("out of memory; the input or the requested work is too large (docs/security.md)")
        sys.exit(2)
    except Exception as exc:
        if _is_usage_error(exc):
            ctx = getattr(exc, "ctx", None)
            if ctx is not None:
                sys.stderr.write(_safe(ctx.get_usage()) + "\n")
            _error_lines(exc.format_message())  # type: ignore[attr-defined]
            sys.exit(2)
        if isinstance(exc, OSError) and getattr(exc, "filename", None):
            # An unreadable or unwritable path that slipped past the checks: the user's input.
            _error_lines(f"{exc.filename}: {exc.strerror or exc}")
            sys.exit(2)
        # Anything else is a bug: one line, and the traceback only with --debug.
        if debug:
            import traceback

            traceback.print_exc()
        sys.stderr.write(
            _safe(
                f"internal error: {type(exc).__name__}: {exc}. This is a bug; please report it "
                "with the command you ran (add --debug for the traceback)."
            )
            + "\n"
        )
        sys.exit(3)
    # Without standalone mode click returns typer.Exit codes instead of raising them; typer turns
    # Ctrl-C into Exit(130) without a word, and no command of ours exits 130 on purpose.
    if rc == 130:
        sys.stderr.write("interrupted\n")
    sys.exit(rc if isinstance(rc, int) else 0)


_COMMAND: list[Any] = []


def _click_command() -> Any:
    """The click command typer builds from `app`, built once per process.

    `app(...)` rebuilds it on every call (about 50 ms of signature inspection); that is once per
    run for the console script, but every in-process caller (the tests, scripts calling `main`)
    would pay it each time. Pretty exceptions are off, so calling the command directly is what
    `app(...)` does."""
    if not _COMMAND:
        _COMMAND.append(typer.main.get_command(app))
    return _COMMAND[0]


def _is_usage_error(exc: Exception) -> bool:
    # Typer vendors click (typer._click) in recent releases; match click's exception by shape
    # rather than by a private import path.
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__) and hasattr(exc, "format_message")


def _safe(text: str) -> str:
    from ..render.fmt import printable

    return "\n".join(printable(line) for line in text.split("\n"))


def _error_lines(text: str) -> None:
    # Names and ids in messages come from files and flags: escape control characters.
    # Split on newlines only: str.splitlines() also splits at \x1c-\x1e and \u2028, which a
    # name may hold (escaped below), and would turn one problem into two lines.
    for line in text.rstrip("\n").split("\n"):
        sys.stderr.write(f"error: {_safe(line)}\n")
