"""Standard output that keeps the exit-code contract when it fails (docs/security.md, exit codes).

- A closed pipe (`openclosed models list | head -1`, or a reader gone before the first write):
  exit 0, nothing said; the reader had what it wanted.
- A closed stdout (`>&-`) or a full or failing one (`> /dev/full`): one `error:` line on stderr
  and exit 2, like any other output that cannot be written (an `--out-file` in a missing
  directory).

Writes and flushes go through `_Guarded`, which turns the OSError into `StreamError`: typer's
own handler catches OSError and exits 1 on a closed pipe (1 means "over budget" here).
"""

from __future__ import annotations

import contextlib
import errno
import sys
from collections.abc import Iterator
from typing import Any


class StreamError(Exception):
    """Standard output failed: `errno` says how."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(reason)
        self.errno, self.reason = code, reason

    @property
    def closed_pipe(self) -> bool:
        return self.errno == errno.EPIPE

    def exit_code(self) -> int:
        """0 for a closed pipe, else 2 after one line on stderr."""
        if self.closed_pipe:
            return 0  # what is still buffered fails again at the final flush, which expects it
        report(self.reason)
        return 2


def report(reason: str) -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(f"error: cannot write the output to standard output: {reason}\n")
        sys.stderr.flush()


def _failure(exc: OSError) -> StreamError:
    if exc.errno == errno.EBADF:
        return StreamError(exc.errno, "standard output is closed")
    return StreamError(exc.errno, exc.strerror or str(exc))


class _Guarded:
    """sys.stdout for one command: every failed write or flush raises StreamError."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise _failure(exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise _failure(exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _Closed:
    """sys.stdout when the process started without one (`>&-`): Python sets it to None."""

    encoding = "utf-8"
    errors = "strict"

    def write(self, text: str) -> int:
        raise StreamError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


@contextlib.contextmanager
def guarded_stdout() -> Iterator[None]:
    """Route sys.stdout through the guard for the block (restored after: in-process callers)."""
    before = sys.stdout
    sys.stdout = _Closed() if before is None else _Guarded(before)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout = before


def final_flush(status: int) -> int:
    """Flush stdout before the process ends; the exit status, changed to 2 if the flush fails
    (a full disk is often noticed only here)."""
    if sys.stdout is None:
        return status
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass  # the reader left: nothing to say, and the status stands
    except OSError as exc:
        report(_failure(exc).reason)
        return 2 if status in (0, 1) else status
    except ValueError:  # stdout closed by the command itself
        pass
    return status
