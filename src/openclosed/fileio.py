"""Writing the files a user owns: whole or not at all, and only over regular files.

`write_atomic` is the single writer of every file the tool produces (`--out-file`, `--chart`,
catalogue imports). It writes a temporary file beside the target and renames it over the target,
so a failed or interrupted run never leaves a half-written file. A rename would *replace* a device
node, FIFO or socket with a regular file (as root, `-o /dev/null` used to turn /dev/null into a
file), so the target must be a regular file, a symlink to one, or missing; anything else is an
InputError naming the flag (`field`) that gave the path. `check_writable` runs the same checks
without writing, so a command can validate all its output paths before it computes anything.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

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
    """Raise InputError unless `path` can be written atomically: a regular file or a missing path
    in an existing, writable directory. Returns the path. Writes nothing."""
    from .errors import InputError

    path = Path(path)
    name = str(path)

    def fail(message: str, where: str = name) -> InputError:
        return InputError.one(message, where, field=field)

    try:
        st = os.stat(path)  # follows symlinks: a link to /dev/null is as bad as /dev/null
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise fail(_reason(exc)) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = _kind(st.st_mode)
        hint = "; expected a file path" if kind == "a directory" else "; only regular files are replaced"
        raise fail(f"is {kind}{hint}")
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
            raise fail(f"file name is too long (at most {limit - 14} bytes)")
    return path


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
    without an error (fsync first); on any error the temporary file is removed and `path` is
    untouched. Output produced piece by piece (a large sweep) streams through it."""
    from .errors import InputError

    path = check_writable(path, field)
    parent = path.parent if str(path.parent) else Path(".")
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
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise InputError.one(
                    f"is {_kind(os.stat(path).st_mode)}; only regular files are replaced", str(path), field=field
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
