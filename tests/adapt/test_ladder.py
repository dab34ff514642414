"""The ladder (twin.adapt.ladder): its rungs and their runs at points."""

import numpy as np
import pytest

from experiments.brunel import BrunelConfig, build_network
from experiments.runs.analysis import activity
from twin.adapt import Step, adapt_steps, scale_weights
from twin.adapt.fit_runs import Point
from twin.adapt.ladder import ladder_rungs, run_ladder
from twin.analog.store import CompiledStore
from twin.errors import AdaptError

T_STOP = 400.0
POINTS = (Point("low", g_scale=1.0), Point("high-g", g_scale=1.5))


@pytest.fixture(scope="module")
def store():
    return CompiledStore()


@pytest.fixture(scope="module")
def original():
    return build_network(BrunelConfig(scale=100.0, g=5.0, eta=1.6))


def _renamed(step, name):
    return Step(name, step.apply)


@pytest.fixture(scope="module")
def adapted(original):
    steps = [
        _renamed(scale_weights(1.0), "identity"),
        _renamed(scale_weights(0.5), "with_variation"),
    ]
    return adapt_steps(original, steps)


def test_rungs_in_order_and_the_hardware_tier_before_the_variation(adapted):
    rungs = ladder_rungs(adapted, tiers=("mapped", "hardware"))
    names = [r.name for r in rungs]
    assert names == ["original", "identity", "with_variation", "mapped", "hardware"]
    assert [r.tier.name for r in rungs] == ["ideal"] * 3 + ["mapped", "hardware"]
    # mapped: the fully adapted network; hardware supplies its own variation, so it
    # runs the rung before the variation step.
    assert rungs[3].network is adapted.network
    assert rungs[4].network is adapted.rung("identity")
    no_variation = ladder_rungs(adapted, tiers=("hardware",), wafer_input=None)
    assert no_variation[-1].network is adapted.network


def test_each_rung_at_each_point(adapted, store):
    ladder = run_ladder(adapted, POINTS, tiers=(), t_stop=T_STOP, seed=2,
                        measure=activity, store=store)  # fmt: skip
    assert ladder.rungs == ("original", "identity", "with_variation")
    assert len(ladder.rows) == 3 * len(POINTS) * 2
    assert ladder.window == T_STOP / 2
    for point in ("low", "high-g"):
        for pop in ("exc", "inh"):
            rates = ladder.rates(pop, point)
            # An identity step with the same Poisson stream changes no spike.
            assert rates[1] == rates[0]
            # Half the weights: less drive, a lower rate.
            assert rates[2] < rates[0]
    # More inhibition, a lower rate.
    assert ladder.rates("exc", "high-g")[0] < ladder.rates("exc", "low")[0]
    row = ladder.rows[0]
    assert row.n_neurons == 100
    assert row.synapse_loss == 0.0
    assert np.isfinite(row.cv)
    assert np.isfinite(row.global_cv)


def test_rates_alone_without_a_measure_agree_with_the_analysis(adapted, store):
    plain = run_ladder(adapted, POINTS, tiers=(), t_stop=T_STOP, seed=2, store=store)
    measured = run_ladder(adapted, POINTS, tiers=(), t_stop=T_STOP, seed=2,
                          measure=activity, store=store)  # fmt: skip
    for a, b in zip(plain.rows, measured.rows, strict=True):
        assert a.rate_hz == pytest.approx(b.rate_hz)
        assert np.isnan(a.cv)


def test_points_need_distinct_names(adapted):
    with pytest.raises(AdaptError, match="distinct"):
        run_ladder(adapted, (Point("a"), Point("a", 2.0)), tiers=())
    with pytest.raises(AdaptError, match="at least one"):
        run_ladder(adapted, (), tiers=())
