"""Giving the process's freed heap memory back to the operating system.

glibc keeps memory that was freed inside its heaps (the main one and one per thread
that allocated) for later allocations; it returns only a heap's free top. A run
frees a lot before it reaches its largest size: the host conversion's intermediates
(sort permutations, concatenated 3 M-synapse columns) in the main heap, the
compiler's working memory in its threads' heaps. The later allocations rarely reuse
that memory (arrays beyond glibc's mmap threshold get pages of their own, the loop's
buffers come from other threads), so without :func:`release_freed` it stays in the
resident set for the rest of the process (some 300 MiB of the microcircuit's peak).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import cache

__all__ = ["release_freed"]


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """Return the C library's ``malloc_trim`` (glibc), or ``None`` (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_freed() -> None:
    """Return the free pages of every malloc heap to the system (glibc; else nothing).

    Nothing allocated is touched: only pages no allocation uses are released, and
    they come back on demand if the process grows again. It takes milliseconds.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
