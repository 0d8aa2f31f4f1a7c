"""Writing the files a user owns: whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    with atomic_open(path) as fh:
        fh.write(text.encode("utf-8") if isinstance(text, str) else text)


@contextlib.contextmanager
def atomic_open(path: Path) -> Iterator[BinaryIO]:
    """A binary handle on a temporary file beside `path` that replaces `path` when the block
    ends without an error (fsync first); on any error the temporary file is removed and `path`
    is untouched. Output produced piece by piece (a large sweep) streams through it."""
    from .errors import InputError

    path = Path(path)
    if path.is_dir():
        raise InputError.one("is a directory; expected a file path", str(path), field="--out-file")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise InputError.one("directory does not exist", str(parent), field="--out-file")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        # mkstemp creates 0600 files; give the result the mode a plain open() would have.
        if path.exists():
            mode = path.stat().st_mode & 0o7777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
