"""The weight-factor fit (twin.adapt.fit): a known answer, its curve, its errors."""

import numpy as np
import pytest

from experiments.brunel import BrunelConfig, build_network
from twin.adapt.fit import fit_weight_factor, rates_at
from twin.adapt.fit_runs import Point
from twin.adapt.fit_theory import crossing, mismatch
from twin.adapt.weights import scale_weights
from twin.analog.store import CompiledStore
from twin.errors import AdaptError
from twin.network import Population

T_STOP = 400.0
SEED = 3
GRID = 4
#: The factor the adapted network lacks, by construction.
C = 1.25


@pytest.fixture(scope="module")
def store():
    return CompiledStore()


@pytest.fixture(scope="module")
def original():
    return build_network(BrunelConfig(scale=100.0, g=6.0, eta=1.6))


@pytest.fixture(scope="module")
def target(original, store):
    names = [p.name for p in original.populations]
    # A batch of GRID identical runs: the fit's batch size, so one compiled program.
    rates = rates_at(original, (Point(),), names, factors=[1.0] * GRID,
                     t_stop=T_STOP, seed=SEED, store=store)  # fmt: skip
    np.testing.assert_array_equal(rates[0], rates[-1])  # same stream at a point
    return {n: rates[0][:, k] for k, n in enumerate(names)}


def _fit(original, target, store, **kwargs):
    adapted, _ = scale_weights(1 / C)(original)
    return fit_weight_factor(target, adapted, t_stop=T_STOP, seed=SEED,
                             n_grid=GRID, store=store, first_guess=False,
                             **kwargs)  # fmt: skip


def test_mismatch_and_crossing_formulas():
    target = np.array([[10.0, 20.0]])
    rates = np.array([[[5.0, 10.0]], [[10.0, 20.0]], [[20.0, 40.0]]])
    np.testing.assert_allclose(mismatch(rates, target), [-0.5, 0.0, 1.0])
    # A silent target population is left out, not divided by.
    np.testing.assert_allclose(
        mismatch(rates, np.array([[0.0, 20.0]])), [-0.5, 0.0, 1.0]
    )
    assert crossing(np.array([1.0, 2.0, 4.0]), np.array([-1.0, 1.0, 3.0])) == (0, 1.5)
    assert crossing(np.array([1.0, 2.0]), np.array([0.5, 1.0])) is None
    assert crossing(np.array([1.0, 2.0, 3.0]), np.array([np.nan, -1.0, 1.0])) == (
        1,
        2.5,
    )


def test_weights_scaled_by_one_over_c_fit_factor_c(original, target, store):
    fit = _fit(original, target, store)
    # Tolerance: 5 % (finite-size rate noise of 125 neurons over 200 ms moves the
    # zero crossing by a few per cent between neighbouring factors).
    assert fit.factor == pytest.approx(C, rel=0.05)
    assert abs(fit.mismatch_after) < abs(fit.mismatch_before)
    assert fit.populations == ("exc", "inh")
    # Every fit call ran GRID factors: the first grid, the refinement, the check.
    assert fit.factors.size == 3 * GRID
    assert np.all(np.diff(fit.factors) >= 0)
    # Factor 1 (the check) is the adapted network as it is: below the target.
    assert fit.mismatch_before < 0


def test_rates_grow_with_the_weight_factor(original, target, store):
    fit = _fit(original, target, store)
    coarse = np.geomspace(0.5, 2.0, GRID)
    on_grid = np.isin(fit.factors, coarse)
    assert on_grid.sum() == GRID
    total = fit.rates[on_grid].sum(axis=(1, 2))
    assert np.all(np.diff(total) > 0)


def test_a_bracket_without_crossing_is_a_clear_error(original, target, store):
    with pytest.raises(AdaptError, match=r"do not cross the target .* \(0.3, 0.6\)"):
        _fit(original, target, store, bracket=(0.3, 0.6))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"bracket": (2.0, 1.0)}, "bracket"),
        ({"bracket": (0.0, 1.0)}, "bracket"),
        ({"n_grid": 2}, "n_grid"),
    ],
)
def test_bad_settings_are_clear_errors(original, kwargs, match):
    with pytest.raises(AdaptError, match=match):
        fit_weight_factor({"exc": [1.0]}, original, **kwargs)


def test_a_silent_or_misnamed_target_is_a_clear_error(original):
    with pytest.raises(AdaptError, match="silent"):
        fit_weight_factor({"exc": [0.0], "inh": [0.0]}, original)
    with pytest.raises(AdaptError, match="not in the adapted network"):
        fit_weight_factor({"pyramidal": [3.0]}, original)
    with pytest.raises(AdaptError, match="one rate per point"):
        fit_weight_factor({"exc": [3.0, 4.0]}, original)


def test_the_theory_guess_finds_a_known_factor(original):
    from twin.adapt.fit_theory import theory_guess, theory_rates

    point = (Point(),)
    names = [p.name for p in original.populations]
    goal = theory_rates(original, point, [1.0])
    assert goal is not None
    assert goal.shape == (1, 1, len(names))
    adapted, _ = scale_weights(1 / C)(original)
    # The mean-field rates are deterministic: the weights x C are the original's, so
    # the crossing is at C up to the rounding of 1 / C x C (grid points 1.0, C, 1.5).
    guess = theory_guess(adapted, goal[0], point, [1.0, C, 1.5])
    assert guess == pytest.approx(C, rel=1e-6)


def test_the_theory_gives_no_guess_for_current_based_cells(original):
    from twin.adapt.fit_theory import theory_guess

    cells = [
        Population(name=p.name, size=p.size, cell_type="IF_curr_exp")
        for p in original.populations
    ]
    current = original.replace(populations=tuple(cells), projections=())
    assert theory_guess(current, np.array([[5.0, 5.0]]), (Point(),), [1.0, 2.0]) is None
