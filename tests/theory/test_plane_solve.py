"""``solve_points``: a batch solved row by row, F evaluated only where still moving."""

import numpy as np
import pytest

from twin.theory.fixed_point import solve_points, solve_rates


def _sigmoid(x, offset):
    """Bistable for offset 1 (fixed points ~1, 50, ~100), one point (~159) for 60."""
    return offset + 99.0 / (1.0 + np.exp(-(x - 50.0) / 5.0))


def test_rows_are_points_and_only_moving_rows_are_evaluated():
    offsets = np.array([1.0, 60.0, 1.0, 60.0])
    sizes = []

    def transfer(x, point):
        assert np.all(x >= 0)  # the root finder's trial steps included
        sizes.append(point.size)
        return _sigmoid(x, offsets[point][:, None])

    starts = (0.0, 30.0, 50.5, 80.0, 200.0)
    found = solve_points(transfer, ["p"], 4, starts=starts)
    assert sizes[0] == 4 * len(starts)
    assert min(sizes) < sizes[0]  # converged rows are left alone
    for offset, result in zip(offsets, found, strict=True):
        (alone,) = solve_rates(lambda x, o=offset: _sigmoid(x, o), ["p"], starts=starts)
        assert len(result.fixed_points) == len(alone.fixed_points)
        for a, b in zip(result.fixed_points, alone.fixed_points, strict=True):
            assert a.rates[0] == pytest.approx(b.rates[0], rel=1e-9)
            assert a.stable == b.stable
        for p in result.fixed_points:
            assert _sigmoid(p.rates, offset)[0] == pytest.approx(p.rates[0], rel=1e-9)
    assert [len(r.stable) for r in found] == [2, 1, 2, 1]
