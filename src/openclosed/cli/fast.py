"""The fast path of a plain `compare`: its few simple flags parsed without typer.

Importing typer and building the command's parameters costs about 40 ms of a 400 ms `compare`.
A command line of this exact form skips both:

    openclosed compare [WORKLOAD] [--preset NAME] [--format|-f FORMAT] [--today DATE]

each flag at most once, as `--flag VALUE` or `--flag=VALUE` (`-f VALUE` only), FORMAT one of the
command's formats, no value empty or starting with '-'. Anything else (another flag, a repeat,
`--help`, an unknown format, `OPENCLOSED_TODAY` or shell completion in the environment) returns
None and goes to typer, which gives the usual behaviour and messages. What runs is the same
`compare_run.compare` the typer command calls, with typer's defaults for every other option, under
the same error handling (`failures.run_guarded`); tests/test_fast_path.py runs both paths.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

FORMATS = ("table", "json", "csv", "markdown", "html")
_FLAGS = {"--preset": "preset", "--format": "format", "-f": "format", "--today": "today"}


def parse_compare(args: list[str]) -> dict[str, Any] | None:
    """The compare call's arguments for a plain command line, else None (typer parses it)."""
    if not args or args[0] != "compare" or "_OPENCLOSED_COMPLETE" in os.environ:
        return None
    seen: dict[str, str] = {}
    workload: str | None = None
    i = 1
    while i < len(args):
        arg = args[i]
        if arg.startswith("-"):
            name, eq, value = arg.partition("=")
            key = _FLAGS.get(name)
            if key is None or key in seen or (eq and not name.startswith("--")):
                return None
            if not eq:
                if i + 1 >= len(args):
                    return None
                i += 1
                value = args[i]
            if not value or value.startswith("-"):
                return None
            seen[key] = value
        else:
            if workload is not None or not arg:
                return None
            workload = arg
        i += 1
    fmt = seen.get("format", "table")
    if fmt not in FORMATS or ("today" not in seen and "OPENCLOSED_TODAY" in os.environ):
        return None
    from pathlib import Path

    return {
        "workload": Path(workload) if workload is not None else None,
        "wl_flags": {"preset": seen.get("preset")},
        "fmt": fmt,
        "today": seen.get("today"),
    }


# What the console script's compare computed, kept until the process ends (entry._exit). Freeing a
# compare's some 100,000 objects when the command returns costs about 11 ms of CPU, for memory the
# operating system takes back at once; the process ends without the interpreter's teardown.
_KEPT: list[Any] = []


def main(call: dict[str, Any], keep: bool = False) -> None:
    """Run the parsed compare as `app.main` runs a command: the cyclic collector paused, stdout
    guarded, errors mapped to exit codes (ends with SystemExit). `keep`: the console script, which
    ends the process after the command, keeps the result rather than free it."""
    if keep:
        _plain_records(call)
    from ..gcpause import paused_gc
    from .failures import run_guarded
    from .streams import guarded_stdout

    with paused_gc(), guarded_stdout():
        run_guarded(lambda: _as_click_would(call, keep), debug=False)


PYDANTIC_ENV = "OPENCLOSED_PYDANTIC"


def _plain_records(call: dict[str, Any]) -> None:
    """Build the models on plain records (modelbase.py) when this compare validates nothing: no
    catalogue overlay is set, the validated catalogue is in the cache, and the workload is a preset,
    none, or a file validated on an earlier run (workload/validated.py). Called before any model
    module is imported; OPENCLOSED_PYDANTIC=1 keeps pydantic."""
    if os.environ.get(PYDANTIC_ENV):
        return
    from ..catalog import cache, places
    from ..errors import InputError

    directory = cache.cache_dir()
    if directory is None:
        return
    try:
        if places.overlay_dirs(None):
            return
        base = places.embedded_dir()
        files = [base / f for f in places.FILES]
        key = cache.cache_key(files)
        cache.hand_over_key(files, key)  # the loader's, whichever mode the run takes
        if call["workload"] is not None and not call["wl_flags"].get("preset"):
            from ..workload import validated
            from ..yamlio import read_text

            text = read_text(call["workload"])
            if not cache.prefetch(directory, validated.key(text), validated.PREFIX):
                return
    except (InputError, OSError):
        return  # the run says it, with pydantic as always
    if cache.prefetch(directory, key):
        from .. import modelbase

        modelbase.use_plain()


def _again_with_pydantic() -> None:
    """Start this command again with pydantic models: a plain-records run met something to
    validate (a damaged cache entry, rebuilt by the new run). Nothing has been written yet: the
    catalogue and the workload are read before any output."""
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
        sys.stderr.flush()
    os.environ[PYDANTIC_ENV] = "1"
    # The same command line, interpreter options included (`sys.orig_argv`: a console script's path
    # or `-m openclosed`), run by the same interpreter.
    argv = [sys.executable, *sys.orig_argv[1:]]
    if os.name == "posix":
        os.execv(sys.executable, argv)
    import subprocess  # Windows' execv starts a process and returns: wait for its exit code

    sys.exit(subprocess.call(argv))


def _as_click_would(call: dict[str, Any], keep: bool) -> None:
    """The command, with what click's `main` does around a command in non-standalone mode."""
    import errno

    from ..plain_models import NeedsValidation
    from .compare_run import compare

    try:
        try:
            result = compare(call["workload"], call["wl_flags"], call["fmt"], today=call["today"])
        except NeedsValidation:
            _again_with_pydantic()
        if keep:
            _KEPT.append(result)
    except (EOFError, KeyboardInterrupt) as exc:
        # click prints an empty line and raises Abort, which failures reports as "interrupted".
        sys.stderr.write("\n")
        sys.stderr.flush()
        raise KeyboardInterrupt from exc
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            sys.exit(1)
        raise
