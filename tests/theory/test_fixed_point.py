"""Self-consistent rates: every fixed point found, stability classified, flags set."""

import numpy as np
import pytest

from twin.theory import Flag, NoStationaryRateError, TheoryInputError, solve_rates


def _bistable(x):
    """A sigmoid with fixed points ~1, 50 and ~100 (stable, unstable, stable)."""
    return 1.0 + 99.0 / (1.0 + np.exp(-(x - 50.0) / 5.0))


def test_bistable_transfer_gives_both_stable_points():
    (result,) = solve_rates(_bistable, ["p"], starts=(0.0, 30.0, 50.5, 80.0, 200.0))
    for point in result.fixed_points:  # each is a fixed point of the transfer
        rate = float(point.rates[0])
        assert _bistable(np.array([rate]))[0] == pytest.approx(rate, abs=1e-7)
        assert point.stable == (abs(rate - 50.0) > 1.0)  # the middle one is unstable
    stable = sorted(float(p.rates[0]) for p in result.stable)
    assert stable == pytest.approx([1.0, 100.0], abs=0.01)
    assert result.flags == {Flag.MULTISTABLE}
    assert not result.ok
    with pytest.raises(NoStationaryRateError, match="2 stable fixed points"):
        _ = result.rates
    assert np.isnan(result.rates_or_nan()).all()


def test_no_fixed_point_is_flagged_not_a_number():
    (result,) = solve_rates(lambda x: x + 1.0, ["p"])
    assert result.fixed_points == ()
    assert result.flags == {Flag.NO_FIXED_POINT}
    with pytest.raises(NoStationaryRateError):
        _ = result.rates


def test_an_unstable_fixed_point_alone_is_flagged():
    (result,) = solve_rates(lambda x: 2.0 * x - 10.0, ["p"])
    assert [float(p.rates[0]) for p in result.fixed_points] == pytest.approx([10.0])
    assert result.fixed_points[0].growth == pytest.approx(1.0, rel=1e-4)  # 2 - 1
    assert result.flags == {Flag.NO_STABLE_FIXED_POINT}


def test_two_populations_linear_system_is_solved_exactly():
    """F(nu) = A nu + b with a stable A: nu = (1 - A)^-1 b."""
    a = np.array([[0.5, -2.0], [0.3, -1.5]])
    b = np.array([40.0, 30.0])
    (result,) = solve_rates(lambda x: x @ a.T + b, ["e", "i"])
    np.testing.assert_allclose(result.rates, np.linalg.solve(np.eye(2) - a, b))
    eig = np.linalg.eigvals(a - np.eye(2)).real.max()
    assert result.fixed_points[0].growth == pytest.approx(eig, rel=1e-5)


def test_a_batch_of_points_is_solved_point_by_point():
    offsets = np.array([[1.0, 5.0], [20.0, 50.0]])

    def transfer(x):
        return 0.5 * x + offsets[..., None]

    results = solve_rates(transfer, ["p"], batch_shape=(2, 2))
    got = [float(r.rates[0]) for r in results]
    np.testing.assert_allclose(got, 2.0 * offsets.ravel())


def test_negative_start_is_an_error():
    with pytest.raises(TheoryInputError, match="starts"):
        solve_rates(lambda x: x, ["p"], starts=(-1.0,))
