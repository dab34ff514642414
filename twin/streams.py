"""Random streams named by labels: one derivation for every seed and key of the twin.

A *label* names a random stream as a tuple of ``(name, value)`` fields in a fixed
order, e.g. ``(("stream", "pynn.poisson"), ("seed", 3), ("trial", 1), ("run", 0))``.
:func:`encode` writes a label as 32-bit words with a code that is injective by
construction: the field count comes first and every name and value carries its type and
length, so no two labels share a word sequence, and no label's words are a prefix of
another's (a trailing zero field or a split integer changes the count or a length).

The words then seed the stream: :func:`rng` (numpy,
``np.random.SeedSequence(words)``) and :func:`twin.analog.keys.stream_key` (JAX, the
words folded into a key in order). Two streams can then coincide only if their labels
are equal, up to a collision of the hash behind them (NumPy's SeedSequence pool,
Threefry's fold-in), never by construction -- unlike folding bare integers, where
``fold(fold(k, trial), run)`` of trial t, run 0 equals trial 0, run t.

Examples
--------
>>> encode((("run", 1),)) != encode((("run", 1), ("trial", 0)))
True
>>> label = (("stream", "demo"), ("seed", 1))
>>> int(rng(label).integers(10**9)) == int(rng(label).integers(10**9))
True
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import numpy as np

from twin.errors import ConfigError

__all__ = ["Label", "encode", "rng", "seed_sequence"]

#: A stream's name: ``(field name, value)`` pairs in a fixed order.
Label = Sequence[tuple[str, int | str]]

_INT, _STR = 0, 1  # type codes of a value
_WORD = 1 << 32


def _int_words(value: int) -> list[int]:
    """Return ``[sign, n, w_0 .. w_n-1]``: ``|value|`` in little-endian 32-bit words."""
    magnitude, words = abs(value), []
    while magnitude:
        words.append(magnitude % _WORD)
        magnitude //= _WORD
    return [int(value < 0), len(words), *words]


def _str_words(text: str) -> list[int]:
    """Return ``[n_bytes, words...]``: the UTF-8 bytes packed four to a word."""
    data = text.encode("utf-8")
    padded = data + b"\0" * (-len(data) % 4)
    return [len(data), *np.frombuffer(padded, "<u4").tolist()]


def _value_words(name: str, value: object) -> list[int]:
    """Return the type code and words of one field's value.

    Raises
    ------
    ConfigError
        If ``value`` is neither an integer nor a string.
    """
    if isinstance(value, str):
        return [_STR, *_str_words(value)]
    if isinstance(value, bool | float) or not hasattr(value, "__index__"):
        raise ConfigError(
            f"random stream label field {name!r} = {value!r}: give an integer or a "
            "string (round a float parameter to an integer grid first)"
        )
    return [_INT, *_int_words(operator.index(value))]


def encode(label: Label) -> tuple[int, ...]:
    """Return the words (each in ``[0, 2**32)``) that name ``label``; injective.

    Parameters
    ----------
    label
        ``(name, value)`` fields in order; a value is an integer (any size, any sign)
        or a string.

    Returns
    -------
    tuple of int
        ``[n_fields]`` then, per field, the name (byte count, bytes) and the value
        (type code, then sign, word count and words of an integer, or byte count and
        bytes of a string).

    Raises
    ------
    ConfigError
        If a field is not a ``(str, int | str)`` pair.
    """
    words = [len(label)]
    for field in label:
        if not (isinstance(field, tuple) and len(field) == 2):
            raise ConfigError(
                f"random stream label field {field!r}: give a (name, value) pair"
            )
        name, value = field
        if not isinstance(name, str):
            raise ConfigError(f"random stream label field name {name!r}: give a string")
        words += _str_words(name) + _value_words(name, value)
    return tuple(words)


def seed_sequence(label: Label) -> np.random.SeedSequence:
    """Return the numpy seed sequence of the stream ``label`` names.

    Raises
    ------
    ConfigError
        If ``label`` is malformed (see :func:`encode`).
    """
    return np.random.SeedSequence(list(encode(label)))


def rng(label: Label) -> np.random.Generator:
    """Return a numpy generator of the stream ``label`` names.

    Raises
    ------
    ConfigError
        If ``label`` is malformed (see :func:`encode`).
    """
    return np.random.default_rng(seed_sequence(label))
