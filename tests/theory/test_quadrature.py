"""The erfcx integral against adaptive quadrature; close, equal, swapped, far bounds."""

import itertools
import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import erfcx

from twin.theory.quadrature import CLOSE, S_TABLE, erfcx_integral

#: Relative tolerance against the adaptive reference (itself ~1e-13).
RTOL = 1e-12


def _reference(a: float, b: float) -> float:
    """``int_a^b erfcx`` by QUADPACK on geometric pieces (signed)."""
    lo, hi = min(a, b), max(a, b)
    inner = np.geomspace(1e-3, 1e12, 46)
    edges = [lo, *inner[(inner > lo) & (inner < hi)], hi]
    pieces = (
        quad(erfcx, x, y, epsabs=0, epsrel=1e-13, limit=200)[0]
        for x, y in itertools.pairwise(edges)
    )
    return math.fsum(pieces) * (1.0 if b >= a else -1.0)


def _check(a: np.ndarray, b: np.ndarray) -> None:
    expected = np.array([_reference(x, y) for x, y in zip(a, b, strict=True)])
    np.testing.assert_allclose(erfcx_integral(a, b), expected, rtol=RTOL, atol=0)


def test_matches_adaptive_quadrature_on_a_log_grid_of_bounds():
    grid = np.concatenate([[0.0], np.geomspace(1e-6, 1e12, 19)])
    a, b = (x.ravel() for x in np.meshgrid(grid, grid))
    different = a != b
    _check(a[different], b[different])


def test_matches_adaptive_quadrature_at_random_bounds():
    rng = np.random.default_rng(26)
    a, b = np.expm1(rng.uniform(0.0, math.log1p(1e5), (2, 150)))
    _check(a, b)


def test_matches_adaptive_quadrature_around_the_end_of_the_table():
    a = np.array([0.0, 0.0, 0.0, 5e3, 9e3, 9999.0, 1e4, 2e3])
    b = np.array([9999.9, S_TABLE, 10000.1, 2e4, 1.3e4, 1e6, 1e12, 1e4])
    _check(a, b)


@pytest.mark.parametrize("gap", [1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 0.1, 0.99 * CLOSE])
def test_close_bounds_keep_their_relative_accuracy(gap):
    a = np.array([0.0, 1e-8, 0.3, 1.0, 7.0, 150.0, 9.9e3, 2e4, 3e8, 1e12])
    b = a + gap * (1.0 + a)
    _check(a, b)
    _check(b, a)


@pytest.mark.parametrize("ratio", [1.0 - 1e-12, 1.0 + 1e-12])
def test_close_bounds_at_either_side_of_the_switch(ratio):
    a = np.geomspace(1e-4, 1e10, 15)
    b = a + CLOSE * ratio * (1.0 + a)
    _check(a, b)


def test_equal_bounds_give_exactly_zero():
    s = np.concatenate([[0.0], np.geomspace(1e-300, 1e300, 61)])
    assert np.all(erfcx_integral(s, s) == 0.0)


def test_swapping_the_bounds_flips_the_sign_exactly():
    rng = np.random.default_rng(7)
    a, b = np.expm1(rng.uniform(0.0, 30.0, (2, 1000)))
    b[:200] = a[:200] * (1.0 + 1e-6)
    assert np.array_equal(erfcx_integral(b, a), -erfcx_integral(a, b))


def test_far_bounds_approach_the_logarithm():
    # erfcx(s) = (1 - 1/(2 s^2) + ...) / (s sqrt(pi)) (Abramowitz & Stegun 7.1.23):
    # beyond s = 1e20 the integrand is 1/(s sqrt(pi)) to double precision.
    a = np.array([1e20, 1e20, 1e50, 1e100])
    b = np.array([1e300, 1e21, 1e51, 1e250])
    expected = np.log(b / a) / math.sqrt(math.pi)
    np.testing.assert_allclose(erfcx_integral(a, b), expected, rtol=1e-14)


def test_small_bounds_follow_the_taylor_series():
    # erfcx(s) = 1 - 2 s / sqrt(pi) + s^2 - ...: Q(0, b) = b - b^2 / sqrt(pi) + b^3 / 3.
    b = np.geomspace(1e-12, 1e-5, 8)
    expected = b - b**2 / math.sqrt(math.pi) + b**3 / 3
    np.testing.assert_allclose(
        erfcx_integral(np.zeros_like(b), b), expected, rtol=1e-15
    )


def test_shapes_broadcast_and_nan_propagates():
    result = erfcx_integral(np.array([0.0, 1.0]), np.array([[2.0], [3.0], [4.0]]))
    assert result.shape == (3, 2)
    assert np.ndim(erfcx_integral(np.array(1.0), np.array(2.0))) == 0
    with_nan = erfcx_integral(np.array([np.nan, 1.0]), np.array(2.0))
    assert np.isnan(with_nan[0])
    assert np.isfinite(with_nan[1])


def test_large_arrays_are_chunked_consistently():
    rng = np.random.default_rng(3)
    a, b = np.expm1(rng.uniform(0.0, 12.0, (2, 100_003)))
    whole = erfcx_integral(a, b)
    parts = np.concatenate([erfcx_integral(a[i::7], b[i::7]) for i in range(7)])
    order = np.concatenate([np.arange(i, a.size, 7) for i in range(7)])
    assert np.array_equal(whole[order], parts)
