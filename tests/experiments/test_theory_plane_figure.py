"""The phase diagram marks cells, each on its own grid point, and unknown stability."""

import matplotlib
import numpy as np
import pytest

from experiments.brunel.theory import cell_edges, plane_figure
from twin.theory.plane import Plane
from twin.theory.stationary import Flag

matplotlib.use("Agg")


def _plane() -> Plane:
    g, eta = np.array([1.0, 4.0, 8.0]), np.array([0.5, 1.0, 3.0, 4.0])
    rates = np.full((3, 4, 2), 10.0)
    rates[0, :] = np.nan  # no stationary rate along g = 1
    unstable = np.zeros((3, 4))
    unstable[0, :] = np.nan  # not analysed
    unstable[2, 3] = 1.0
    unstable[1, 2] = np.nan  # analysed, not resolved
    resolved = np.ones((3, 4))
    resolved[0, :] = np.nan
    resolved[1, 2] = 0.0
    flags = tuple(
        tuple(
            frozenset({Flag.REGULAR_FIRING}) if (i, j) == (1, 0) else frozenset()
            for j in range(4)
        )
        for i in range(3)
    )
    nan = np.full((3, 4), np.nan)
    return Plane(
        g, eta, ("exc", "inh"), rates, np.ones((3, 4), int), flags, unstable, nan, nan,
        resolved,
    )  # fmt: skip


def test_cell_edges_are_midpoints_and_mirrored_ends():
    np.testing.assert_allclose(cell_edges([1.0, 4.0, 8.0]), [-0.5, 2.5, 6.0, 10.0])
    np.testing.assert_allclose(cell_edges([2.0]), [1.5, 2.5])


@pytest.mark.parametrize(
    ("hatch", "cells"),
    [("xx", {(0, j) for j in range(4)}), ("//", {(1, 0)}), ("..", {(1, 2)})],
)
def test_hatched_cells_are_centred_on_their_points(hatch, cells):
    plane = _plane()
    fig = plane_figure(plane)
    (collection,) = [c for c in fig.axes[0].collections if c.get_hatch() == hatch]
    centres = set()
    for path in collection.get_paths():
        box = path.get_extents()
        cx, cy = 0.5 * (box.x0 + box.x1), 0.5 * (box.y0 + box.y1)
        i = int(np.argmin(np.abs(plane.g_scale - cx)))
        j = int(np.argmin(np.abs(plane.rate_scale - cy)))
        # the box is the cell around the point: the point lies inside it
        assert box.x0 < plane.g_scale[i] < box.x1
        assert box.y0 < plane.rate_scale[j] < box.y1
        centres.add((i, j))
    assert centres == cells


def test_unknown_stability_is_not_a_stable_row():
    rows = _plane().rows(("g", "eta"))
    by_point = {(r["g"], r["eta"]): r for r in rows}
    assert by_point[(4.0, 3.0)]["unstable"] is None
    assert by_point[(4.0, 3.0)]["oscillatory"] is None
    assert by_point[(4.0, 3.0)]["stability_resolved"] is False
    assert by_point[(1.0, 0.5)]["stability_resolved"] is None
    assert by_point[(8.0, 4.0)]["unstable"] is True
    assert by_point[(4.0, 0.5)]["unstable"] is False
