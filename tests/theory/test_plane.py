"""``rates_plane``: a grid of variants as arrays and table rows."""

import numpy as np
import pytest

from tests.theory.test_network_rates import _ei
from twin.theory import TheoryInputError
from twin.theory.network_rates import rates_over
from twin.theory.plane import flag_text, rates_plane


def test_plane_holds_rates_over_of_its_grid():
    network = _ei(varied=True)
    g, r = [0.5, 1.0, 2.0], [0.5, 1.5]
    plane = rates_plane(network, g, r, stability=False)
    gg, rr = np.meshgrid(g, r, indexing="ij")
    expected = rates_over(network, gg, rr)
    assert plane.rates.shape == (3, 2, 2)
    flat = plane.rates.reshape(-1, 2)
    for k, want in enumerate(expected):
        np.testing.assert_array_equal(flat[k], want.stationary.rates_or_nan())
        assert plane.flags[k // 2][k % 2] == want.flags
    rows = plane.rows(("g", "eta"))
    assert [(row["g"], row["eta"]) for row in rows] == list(
        zip(gg.ravel(), rr.ravel(), strict=True)
    )
    assert rows[0]["rate_e_hz"] == plane.rates[0, 0, 0]
    assert rows[0]["flags"] == flag_text(expected[0].flags)
    assert all(row["unstable"] is None and row["oscillatory"] is None for row in rows)
    assert np.isnan(plane.unstable).all()


def test_flags_as_text_are_sorted_names():
    from twin.theory import Flag

    assert flag_text(frozenset()) == ""
    both = frozenset({Flag.SLOW_SYNAPSES, Flag.LARGE_PSPS})
    assert flag_text(both) == "large_psps;slow_synapses"


@pytest.mark.parametrize("axis", [[], [[1.0, 2.0]], [-1.0]])
def test_bad_axis_is_refused(axis):
    with pytest.raises(TheoryInputError):
        rates_plane(_ei(varied=False), axis, [1.0], stability=False)


def test_unresolved_stability_is_unknown_never_stable():
    """A count not backed by its tail check says nothing, unless a root was located."""
    from twin.theory.plane import stability_state
    from twin.theory.plane_stability import LinearStability

    nan = float("nan")
    assert np.isnan(stability_state(None))
    assert stability_state(LinearStability(False, nan, nan, True)) == 0.0
    assert stability_state(LinearStability(True, 20.0, 5.0, True)) == 1.0
    assert np.isnan(stability_state(LinearStability(False, nan, nan, False)))
    assert np.isnan(stability_state(LinearStability(True, 20.0, nan, False)))
    assert stability_state(LinearStability(True, 20.0, 5.0, False)) == 1.0
