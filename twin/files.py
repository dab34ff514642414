"""Atomic file writes: a file on disk is either the old one or the complete new one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["atomic_write", "atomic_write_bytes", "atomic_write_text"]


def _umask() -> int:
    """Return the process's umask (reading it requires setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
    """Write a file through ``write(tmp_path)`` and move it into place atomically.

    The temporary file lives in the target's directory, so the final ``os.replace`` is
    atomic on POSIX file systems; if ``write`` raises, the previous file is untouched.
    The file gets the permissions ``open()`` would give it (0666 minus the umask).

    Parameters
    ----------
    path
        Destination file.
    write
        Callable that writes the complete content to the path it is given.

    Returns
    -------
    Path
        The destination path.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp creates the file private (0600); give it the mode a plain open()
        # would, so results are as readable as any other file the user writes.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))
