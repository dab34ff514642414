"""The scaled Siegert integral against adaptive quadrature of its definition.

Reference: ``scipy.integrate.quad`` of ``exp(-max(a, 0)^2) erfcx(-u)`` from ``b`` to
``a`` (written as ``exp(u^2 - a^2) erfc(-u)`` above 0, so nothing overflows), split
at 0, to 1e-13 relative.
"""

import itertools

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import dawsn, erfc, erfcx

from twin.theory.quadrature import S_TABLE, erfcx_integral
from twin.theory.siegert_integral import scaled_primitive, siegert_integral

RTOL = 1e-12


def _reference(a, b):
    top = max(a, 0.0)

    def integrand(u):
        if u > 0:
            return np.exp(u * u - top * top) * erfc(-u)
        return erfcx(-u) * np.exp(-top * top)

    edges = [b, *([0.0] if b < 0.0 < a else []), a]
    return sum(
        quad(integrand, lo, hi, epsabs=0, epsrel=1e-13, limit=200)[0]
        for lo, hi in itertools.pairwise(edges)
    )


def _cases():
    fixed = [
        (1.0, -2.0),  # across 0: mean between reset and threshold
        (3.0, 1.0),  # both above 0: fluctuation-driven
        (-1.0, -3.0),  # both below: mean-driven
        (10.0, 2.0),
        (25.0, 0.5),  # far below threshold: the rate underflows, S does not
        (-20.0, -40.0),
        (0.01, -0.01),
        (1e-9, -1.0),
        (2.0, -2.0),  # |a| == |b|
        (-0.5, -0.52),  # both below and close: the Gauss-Legendre rule
        (5.0, 4.0),
    ]
    rng = np.random.default_rng(26)
    drawn = np.sort(rng.uniform(-8.0, 8.0, (60, 2)), axis=1)[:, ::-1]
    return fixed + [tuple(x) for x in drawn.tolist()]


@pytest.mark.parametrize(("a", "b"), _cases())
def test_matches_quadrature(a, b):
    assert float(siegert_integral(np.array(a), np.array(b))) == pytest.approx(
        _reference(a, b), rel=RTOL
    )


def test_primitive_sides():
    """P(0) = 0; below 0 it is -G(|y|), above 2 D(y) - exp(-y^2) G(y)."""
    assert scaled_primitive(np.array(0.0)) == 0.0
    y = np.array([1e-6, 0.3, 1.0, 4.0, 50.0, 3e3])
    g = erfcx_integral(np.zeros_like(y), y)
    np.testing.assert_allclose(scaled_primitive(-y), -g, rtol=1e-14)
    np.testing.assert_allclose(
        scaled_primitive(y), 2 * dawsn(y) - np.exp(-y * y) * g, rtol=1e-13
    )


def test_beyond_the_table():
    """The asymptotic series continues the table at S_TABLE on both sides."""
    edge = np.array([S_TABLE * (1 - 1e-12), S_TABLE * (1 + 1e-12)])
    for side in (edge, -edge):
        inside, outside = scaled_primitive(side)
        assert outside == pytest.approx(inside, rel=1e-12)
    far = np.array([2e4, 1e6])
    np.testing.assert_allclose(scaled_primitive(far), 2 * dawsn(far), rtol=1e-14)
    np.testing.assert_allclose(
        scaled_primitive(-far), -erfcx_integral(np.zeros(2), far), rtol=1e-14
    )


def test_shapes_and_nan():
    a = np.array([[1.0, 2.0], [3.0, -1.0]])
    got = siegert_integral(a, a - 1.5)
    assert got.shape == (2, 2)
    assert np.ndim(siegert_integral(np.array(1.0), np.array(0.0))) == 0
    assert np.isnan(scaled_primitive(np.array([np.nan, 1.0]))[0])
