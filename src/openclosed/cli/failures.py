"""The one place errors become exit codes, for the typer app and for the fast path of `compare`.

Exit codes (docs/json.md, "Exit codes"): 0 success, 1 a check failed, 2 bad input, 3 internal error.
This module does not import typer: the app passes typer's Exit and Abort classes in.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, NoReturn


def run_guarded(
    call: Callable[[], Any],
    debug: bool,
    exit_types: tuple[type[BaseException], ...] = (),
    abort_types: tuple[type[BaseException], ...] = (),
) -> NoReturn:
    """Run a command and end with its exit code, every error reported as one line."""
    from ..errors import OpenclosedError, Terminated
    from .streams import StreamError

    try:
        rc = call()
    except StreamError as exc:
        sys.exit(exc.exit_code())
    except Terminated as exc:
        # SIGTERM or SIGHUP while a file was written: its temporary file is already removed.
        sys.stderr.write("terminated\n")
        sys.exit(128 + exc.signum)
    except OpenclosedError as exc:
        _error_lines(str(exc))
        sys.exit(exc.exit_code)
    except exit_types as exc:
        code = exc.exit_code  # type: ignore[attr-defined]
        if code == 130:
            sys.stderr.write("interrupted\n")
        sys.exit(code)
    except (*abort_types, KeyboardInterrupt):
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
