"""The console script: answers `--version` before importing typer, runs a plain `compare` without it
(fast.py), and anything else through the typer app."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import Any


def main(argv: list[str] | None = None) -> None:
    """`argv` None: the console script (or `python -m openclosed`), which ends the process itself
    once the command is done; a list: an in-process caller, which gets SystemExit as usual."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("--version", "-V"):
        from .. import __version__
        from .streams import StreamError, guarded_stdout

        code = 0
        with guarded_stdout():
            try:
                sys.stdout.write(f"openclosed {__version__}\n")
                sys.stdout.flush()
            except StreamError as exc:
                code = exc.exit_code()
        if argv is None:
            _exit(code)
        sys.exit(code)
    if argv is None:
        # A command's objects hold no reference cycles (tests/test_no_cycles.py): reference
        # counting frees them, and the cyclic collector only walks the heap while the imports and
        # the catalogue are built (about 80 ms of a compare). The process ends below, so it is
        # not switched back on; in-process callers keep theirs (the app pauses it per command).
        gc.disable()
    run = _runner(args, console=argv is None)
    if argv is not None:
        run(list(args))
        return
    try:
        run(list(args))
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    _exit(code)


def _runner(args: list[str], console: bool) -> Any:
    """The typer app, or the fast path of a plain `compare` (cli/fast.py), which skips typer;
    `console`: the process ends after the command (the fast path keeps its result till then)."""
    if args and args[0] == "compare":
        from .fast import main as fast_main
        from .fast import parse_compare

        call = parse_compare(args)
        if call is not None:
            return lambda _args: fast_main(call, keep=console)
    from .app import main as run

    return run


def _exit(code: object) -> None:
    """End the process without the interpreter's teardown. A compare leaves some 100,000 objects
    (the catalogue, every option, their cost curves); freeing them one by one at exit costs about
    150 ms, a sixth of the command, for memory the operating system takes back at once. Every
    file the command writes is closed (and renamed into place) before it returns; only the
    standard streams are left to flush."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        sys.stderr.write(f"{code}\n")  # what SystemExit does with a message
        status = 1
    from .streams import final_flush

    status = final_flush(status)
    # The sizing store (selfhost/store.py) writes what this run sized, once the output is out:
    # only a process that sized a new request shape has anything to write.
    store = sys.modules.get("openclosed.selfhost.store")
    if store is not None:
        with contextlib.suppress(OSError, ValueError, TypeError):
            store.flush()
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.flush()
    os._exit(status)
