"""Helpers for the read-only numpy arrays stored in frozen results."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["arrays_equal", "readonly"]


def readonly(values: object, dtype: type | None = None) -> np.ndarray:
    """Return a read-only copy of ``values`` as an array.

    Examples
    --------
    >>> readonly([1, 2]).flags.writeable
    False
    """
    arr = np.array(values, dtype=dtype, copy=True)
    arr.setflags(write=False)
    return arr


def arrays_equal(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray]) -> bool:
    """Return whether two name -> array mappings hold equal keys and arrays."""
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
