"""Read-only, checked 1-D arrays: the array fields of a network's parts."""

from __future__ import annotations

import numpy as np

from twin.errors import NetworkError

__all__ = ["frozen_vector"]


def frozen_vector(
    values: object, dtype: type, name: str, context: str, allow_inf: bool = False
) -> np.ndarray:
    """Copy ``values`` to a read-only 1-D array of ``dtype``; reject NaN (and inf).

    Parameters
    ----------
    values
        A scalar or array-like, flattened.
    dtype
        The array's type (a float or an integer type).
    name, context
        The field and its owner (e.g. ``"weight"``, ``"projection 'e->i'"``), for
        the message.
    allow_inf
        Accept ``inf`` but require values > 0 (saturation conductances: ``inf``
        means none).

    Returns
    -------
    numpy.ndarray
        The read-only copy, shape ``(n,)``.

    Raises
    ------
    NetworkError
        If a float value is NaN or infinite (with ``allow_inf``: NaN or not > 0).

    Examples
    --------
    >>> v = frozen_vector([1, 2], float, "weight", "projection 'a->b'")
    >>> v.tolist(), v.flags.writeable
    ([1.0, 2.0], False)
    """
    arr: np.ndarray = np.array(values, dtype=dtype, copy=True).reshape(-1)
    finite = (~np.isnan(arr) & (arr > 0)) if allow_inf else np.isfinite(arr)
    if arr.dtype.kind == "f" and not np.all(finite):
        bad = int(np.flatnonzero(~finite)[0])
        remedy = "values > 0 (inf: no saturation)" if allow_inf else "finite values"
        raise NetworkError(f"{context}: {name}[{bad}] is {arr[bad]}; give {remedy}")
    arr.setflags(write=False)
    return arr
