r"""The Siegert formula's integral, scaled, by one table look-up per bound.

The Siegert rate (:mod:`twin.theory.siegert`) needs, for scaled bounds
:math:`b < a` (reset and threshold),

.. math:: S(a, b) = e^{-a^{+2}} \int_b^a \operatorname{erfcx}(-u)\,du
          = P(a) - e^{b^{+2} - a^{+2}} P(b), \qquad
          P(y) = e^{-y^{+2}} \int_0^y \operatorname{erfcx}(-u)\,du,

with :math:`y^+ = \max(y, 0)`: the factor keeps every number finite (the integral
grows as :math:`e^{a^2}`), and every exponential has a non-positive argument. ``P``
is smooth and bounded on each side of 0:

* :math:`y \le 0`: :math:`P(y) = -G(|y|)`, ``G`` the tabulated primitive of
  :math:`\operatorname{erfcx}` (:mod:`twin.theory.quadrature`);
* :math:`y > 0`: :math:`P(y) = 2D(y) - e^{-y^2} G(y)` (:math:`e^{u^2}(1 +
  \operatorname{erf} u) = 2e^{u^2} - \operatorname{erfcx}(u)`, ``D`` Dawson's
  function), falling as :math:`1/y`.

The positive side is tabulated at import as ``G`` is: pieces uniform in
:math:`t = \ln(1 + y)` (:data:`twin.theory.quadrature.PIECES_PER_UNIT` per unit),
on each the degree-:data:`DEGREE` Chebyshev interpolant at the extrema points
(the ends included: ``P(0) = 0`` exactly), as monomials for Horner's rule; beyond
:data:`twin.theory.quadrature.S_TABLE` the asymptotic series :math:`P(y) = 1/y +
1/(2y^3) + 3/(4y^5) + \dots` (Abramowitz & Stegun 7.1.23 for ``D``). Both sides
share one coefficient array, so a bound of either sign is one look-up: two per
rate instead of two ``G`` look-ups, two Dawson functions and an exponential.

Where both bounds are at most 0 and close (``|a - b| <=``
:data:`twin.theory.quadrature.CLOSE` ``(1 + |a|)``) the difference of two ``P``
would cancel; there ``S`` is :func:`twin.theory.quadrature.erfcx_integral` of the
bounds' magnitudes (its Gauss-Legendre rule). Accuracy: ``tests/theory/
test_siegert_integral.py`` (against ``scipy.integrate.quad`` to 1e-12 relative).
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.polynomial import Chebyshev, Polynomial
from scipy.special import dawsn

from twin.theory.quadrature import (
    CLOSE,
    PIECES_PER_UNIT,
    S_TABLE,
    erfcx_integral,
    erfcx_primitive,
    erfcx_primitive_table,
)

__all__ = ["DEGREE", "scaled_primitive", "siegert_integral"]

#: Degree of the interpolant of ``P`` on each piece.
DEGREE: Final = 6
#: Elements per chunk of the table evaluation (keeps the temporaries in cache).
_CHUNK: Final = 1 << 14


def _interpolation_map(degree: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the Chebyshev extrema on ``[0, 1]`` and values -> monomials map.

    Returns
    -------
    nodes : np.ndarray
        ``(degree + 1,)``, ascending, ``0`` and ``1`` included.
    matrix : np.ndarray
        ``(degree + 1, degree + 1)``: values at ``nodes`` to the monomial
        coefficients (in ``u``, ascending) of their interpolant.
    """
    m = degree + 1
    x = np.cos(np.pi * np.arange(m) / degree)[::-1]
    to_cheb = np.linalg.inv(np.polynomial.chebyshev.chebvander(x, degree))
    columns = []
    for unit in np.eye(m):
        series = Chebyshev(to_cheb @ unit, domain=[0.0, 1.0])
        mono = series.convert(kind=Polynomial, domain=[0.0, 1.0], window=[0.0, 1.0])
        columns.append(np.pad(mono.coef, (0, m - mono.coef.size)))
    return 0.5 * (1.0 + x), np.array(columns).T


def _positive_exact(y: np.ndarray) -> np.ndarray:
    """Return ``P(y)`` for ``y >= 0`` from Dawson's function and ``G``."""
    return np.asarray(2.0 * dawsn(y) - np.exp(-y * y) * erfcx_primitive(y))


def _build_table() -> tuple[np.ndarray, int]:
    """Return the coefficients of both sides ``(rows, 2 pieces)`` and ``pieces``.

    Columns ``[0, pieces)``: ``-G`` (``y <= 0``, in ``|y|``); ``[pieces, 2
    pieces)``: ``P`` for ``y > 0``. Row ``j``: the coefficient of ``u**j``.
    """
    negative = -erfcx_primitive_table()
    pieces = negative.shape[1]
    nodes, matrix = _interpolation_map(DEGREE)
    t = (np.arange(pieces)[:, None] + nodes) / PIECES_PER_UNIT
    values = _positive_exact(np.expm1(t).ravel()).reshape(t.shape)
    values[0, 0] = 0.0
    positive = (values @ matrix.T).T  # (DEGREE + 1, pieces)
    rows = max(negative.shape[0], positive.shape[0])
    table = np.zeros((rows, 2 * pieces))
    table[: negative.shape[0], :pieces] = negative
    table[: positive.shape[0], pieces:] = positive
    table[0, [0, pieces]] = 0.0  # P(0) = 0 exactly (the conversions leave ~1e-19)
    return table, pieces


_TABLE, _PIECES = _build_table()
_TABLE.flags.writeable = False


def _lookup(y: np.ndarray, out: np.ndarray) -> None:
    """Write ``P(y)`` for ``|y| <= S_TABLE`` (1-d arrays) into ``out``."""
    t = np.abs(y)
    np.log1p(t, out=t)
    t *= PIECES_PER_UNIT
    with np.errstate(invalid="ignore"):  # NaN: any piece, the result stays NaN
        piece = t.astype(np.intp)
    t -= piece  # the local variable u, in [0, 1]
    piece += (y > 0) * _PIECES
    scratch = np.empty_like(t)
    _TABLE[-1].take(piece, out=out, mode="clip")
    for row in _TABLE[-2::-1]:
        out *= t
        out += row.take(piece, out=scratch, mode="clip")


def scaled_primitive(y: np.ndarray) -> np.ndarray:
    """Return ``P(y)`` (the module docstring), the shape of ``y``.

    Parameters
    ----------
    y
        Any finite values (NaN gives NaN).
    """
    y = np.asarray(y, float)
    flat = y.ravel()
    out = np.empty_like(flat)
    clipped = np.clip(flat, -S_TABLE, S_TABLE)
    for start in range(0, flat.size, _CHUNK):
        part = slice(start, start + _CHUNK)
        _lookup(clipped[part], out[part])
    far = np.abs(flat) > S_TABLE
    if np.any(far):
        s = flat[far]
        inverse = 1.0 / s
        r = inverse * inverse
        positive = inverse * (1.0 + r * (0.5 + r * 0.75))
        out[far] = np.where(s > 0, positive, -erfcx_primitive(np.abs(s)))
    return out.reshape(y.shape)


def siegert_integral(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    r"""Return :math:`S(a, b) = e^{-a^{+2}} \int_b^a \operatorname{erfcx}(-u)\,du`.

    Parameters
    ----------
    a, b
        Upper and lower bound (``b < a``), finite, broadcastable.

    Returns
    -------
    np.ndarray
        ``S``, the broadcast shape (positive).
    """
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    a_pos, b_pos = np.maximum(a, 0.0), np.maximum(b, 0.0)
    factor = np.exp(b_pos * b_pos - a_pos * a_pos)
    out = np.asarray(scaled_primitive(a) - factor * scaled_primitive(b))
    close = (a <= 0.0) & (a - b <= CLOSE * (1.0 - a))
    if np.any(close):
        out[close] = erfcx_integral(-a[close], -b[close])
    return out
