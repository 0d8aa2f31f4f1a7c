"""Writing the files a user owns: whole or not at all, and only over regular files.

`write_atomic` is the single writer of every file the tool produces (`--out-file`, `--chart`,
catalogue imports). It writes a temporary file beside the target and renames it over the target,
so a failed or interrupted run (an error, Ctrl-C, SIGTERM, SIGHUP) never leaves a half-written
file or a temporary one. A rename would *replace* a device node, FIFO or socket with a regular file
(as root, `-o /dev/null` used to turn /dev/null into a file), so the target must be a regular file
or missing; anything else is an InputError naming the flag (`field`) that gave the path.

Symbolic links are resolved first, so a rename never replaces the link itself:
- a link to a regular file (or a dangling link) is written atomically beside its target and
  renamed over the target; the link stays;
- a link to a character device or a FIFO (`/dev/stdout`, `/proc/self/fd/1` when stdout is a pipe
  or a terminal) is written through directly: the one exception to "temporary file, then rename",
  since there is no file to keep whole; a FIFO nobody reads is refused rather than waited on.

`check_writable` runs the same checks without writing, so a command can validate all its output
paths before it computes anything.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .errors import Terminated  # defined there: cli/failures.py catches it without importing this module

_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def check_writable(path: Path | str, field: str = "--out-file") -> Path:
    """Raise InputError unless `path` can be written: a regular file or a missing path in an
    existing, writable directory, or a link to one, to a character device or to a FIFO.
    Returns the path. Writes nothing."""
    resolve(path, field)
    return Path(path)


def resolve(path: Path | str, field: str = "--out-file") -> tuple[Path, bool]:
    """(the path to write, whether to write through it directly instead of a temporary file and
    a rename). Links are followed: see the module's docstring."""
    from .errors import InputError

    path = Path(path)
    name = str(path)

    def fail(message: str, where: str = name) -> InputError:
        return InputError.one(message, where, field=field)

    if os.path.islink(path):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            st = None  # a dangling link: its target is created
        except OSError as exc:
            raise fail(_reason(exc)) from None
        if st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
            return path, True
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise fail(f"is a link to {_kind(st.st_mode)}; only regular files are replaced")
        real = Path(os.path.realpath(path))
        if st is not None and _identity(real) != (st.st_dev, st.st_ino):
            return path, True  # /proc/self/fd/N of a file that has no name of its own (deleted)
        _check_target(real, fail)
        return real, False
    _check_target(path, fail)
    return path, False


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _check_target(path: Path, fail: Any) -> None:
    """`path` (no longer a link) is a regular file or missing, in a writable directory."""
    name = str(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise fail(_reason(exc)) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = _kind(st.st_mode)
        hint = "; expected a file path" if kind == "a directory" else "; only regular files are replaced"
        raise fail(f"is {kind}{hint}", name)
    parent = path.parent if str(path.parent) else Path(".")
    try:
        pst = os.stat(parent)
    except FileNotFoundError:
        raise fail("directory does not exist", str(parent)) from None
    except OSError as exc:
        raise fail(_reason(exc), str(parent)) from None
    if not stat.S_ISDIR(pst.st_mode):
        raise fail("is not a directory", str(parent))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise fail("directory is not writable", str(parent))
    with contextlib.suppress(OSError, ValueError):
        limit = os.pathconf(parent, "PC_NAME_MAX")
        # The temporary file's name is longer than the target's: check that one.
        if len(os.fsencode(f".{path.name}.XXXXXXXX.tmp")) > limit:
            raise fail(f"file name is too long (at most {limit - 14} bytes)", name)


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "file name is too long"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is not a directory"
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return f"cannot write: {exc.strerror or exc}"


def write_atomic(path: Path | str, text: str | bytes, field: str = "--out-file") -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it.

    `field` names the flag that gave the path, for the error message (`--chart`, `--out-file`).
    Raises InputError (exit 2) for a path that is not a regular file or cannot be written.
    """
    data = text.encode("utf-8", "backslashreplace") if isinstance(text, str) else text
    with atomic_open(path, field) as fh:
        fh.write(data)


@contextlib.contextmanager
def atomic_open(path: Path | str, field: str = "--out-file") -> Iterator[BinaryIO]:
    """A binary handle on a temporary file beside `path` that replaces `path` when the block ends
    without an error (fsync first); on any error, interrupt or SIGTERM/SIGHUP the temporary file
    is removed and `path` is untouched. Output produced piece by piece (a large sweep) streams
    through it. A link to a device or FIFO is written through instead (see the module)."""
    from .errors import InputError

    target, through = resolve(path, field)
    if through:
        with _through(target, str(path), field) as fh:
            yield fh
        return
    path = target
    parent = path.parent if str(path.parent) else Path(".")
    with _signals_raise():
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
        except OSError as exc:
            raise InputError.one(_reason(exc), str(path), field=field) from None
        try:
            # mkstemp creates 0600 files; give the result the mode a plain open() would have.
            try:
                st = os.stat(path)
                mode = st.st_mode & 0o7777
            except FileNotFoundError:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            os.chmod(tmp, mode)
            with os.fdopen(fd, "wb") as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            # Re-check just before the rename: the target may have been swapped for a FIFO meanwhile.
            with contextlib.suppress(FileNotFoundError):
                if not stat.S_ISREG(os.lstat(path).st_mode):
                    raise InputError.one(
                        f"is {_kind(os.lstat(path).st_mode)}; only regular files are replaced", str(path), field=field
                    )
            os.replace(tmp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise InputError.one(_reason(exc), str(path), field=field) from None
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


@contextlib.contextmanager
def _through(path: Path, name: str, field: str) -> Iterator[BinaryIO]:
    """Write to a device or FIFO (through a link) directly. Opened non-blocking, so a FIFO with
    no reader is an error rather than a wait; then blocking again for the writes."""
    import fcntl

    from .errors import InputError

    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise InputError.one("is a FIFO that no process reads", name, field=field) from None
        raise InputError.one(_reason(exc), name, field=field) from None
    try:
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.ftruncate(fd, 0)
        with os.fdopen(fd, "wb") as fh:
            yield fh
    except OSError as exc:
        raise InputError.one(_reason(exc), name, field=field) from None


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Terminated for the block, so the temporary file is cleaned up as
    on Ctrl-C. Only where the signal has its default action (a `nohup` keeps SIGHUP ignored) and
    in the main thread (the only one Python lets set handlers)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise Terminated(signum)

    previous = {}
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None and signal.getsignal(sig) == signal.SIG_DFL:
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, before in previous.items():
            signal.signal(sig, before)
