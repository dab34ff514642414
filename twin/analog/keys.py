"""The JAX key of a labelled random stream (:mod:`twin.streams`).

:func:`stream_key` folds the words of a label (:func:`twin.streams.encode`, an injective
code) into a key one by one, in order, from ``PRNGKey(0)``: keys of different labels
differ unless Threefry's fold-in collides. Every key of the emulator's users (a PyNN
session's runs, a sweep's points) comes from here; the emulator itself only folds in
the block index of each draw (:mod:`twin.analog.kernel`).
"""

from __future__ import annotations

import jax.random as jr
import numpy as np
from jax import Array

from twin.streams import Label, encode

__all__ = ["stream_key"]


def stream_key(label: Label) -> Array:
    """Return the PRNG key (``jax.random.PRNGKey`` layout) of the stream ``label``.

    Parameters
    ----------
    label
        ``(name, value)`` fields (see :mod:`twin.streams`).

    Returns
    -------
    jax.Array
        The key; equal labels give equal keys.

    Raises
    ------
    ConfigError
        If ``label`` is malformed (see :func:`twin.streams.encode`).

    Examples
    --------
    >>> import numpy as np
    >>> a = stream_key((("trial", 1), ("run", 0)))
    >>> b = stream_key((("trial", 0), ("run", 1)))
    >>> bool(np.array_equal(a, b))
    False
    """
    key = jr.PRNGKey(0)
    for word in encode(label):
        key = jr.fold_in(key, np.uint32(word))
    return key
