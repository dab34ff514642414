"""NEST's time-grid rules (twin.timegrid) against exact integer arithmetic.

Each expected value is computed from the decimal the user wrote (an integer ``k`` of
tics or sub-tics), with integer arithmetic only, so floating point cannot agree with
itself by accident.
"""

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from twin.errors import ConfigError, NetworkError
from twin.timegrid import TimeGrid, ms_to_tics

GRID = TimeGrid(0.1)  # 100 tics per step


def _ms(k: int, places: int) -> float:
    """The float a user gets by writing k / 10**places ms as a decimal literal."""
    return float(Decimal(k).scaleb(-places))


def test_every_half_step_delay_rounds_half_up():
    """Every multiple of 0.05 ms in [0.1, 20] ms: k/2 steps, halves up."""
    k = np.arange(2, 401)
    delays = [_ms(int(i) * 5, 2) for i in k]
    np.testing.assert_array_equal(GRID.delay_steps(delays), (k + 1) // 2)


def test_quoted_delays():
    assert GRID.delay_steps([0.15, 0.35, 1.15]).tolist() == [2, 4, 12]


@given(st.integers(1, 400_000))
def test_delays_are_the_nearest_step(k):
    """Delays with three decimals (tics): nearest step, ties up."""
    steps = int(GRID.delay_steps(_ms(k, 3)))
    assert steps == (k + 50) // 100


@given(st.integers(0, 3_000_000))
def test_refractory_periods_round_to_tics_then_up(k):
    """t_ref with five decimals: tics to nearest (ties excluded), steps rounded up."""
    assume(k % 100 != 50)
    tics = (k + 50) // 100
    assert int(GRID.ceil_steps(_ms(k, 5))) == -(-tics // 100)


def test_quoted_refractory_periods():
    assert GRID.ceil_steps([2.0004, 2.1004, 0.30026, 2.0, 2.04]).tolist() == [
        20,
        21,
        3,
        20,
        21,
    ]


@given(st.integers(1, 2_000_000))
def test_spike_times_act_at_the_end_of_their_step(k):
    """Times with four decimals: on the tic grid a step keeps it; else rounded up."""
    assume(k % 10 != 5)
    tic = (k + 5) // 10
    expected = tic // 100 if tic % 100 == 0 else -(-k // 1000)
    assert int(GRID.spike_stamps(_ms(k, 4))) == expected


def test_quoted_spike_times_and_times_near_zero():
    stamps = GRID.spike_stamps([10.01, 10.04, 10.05, 10.25, 0.04, 0.05, 0.0004])
    assert stamps.tolist() == [101, 101, 101, 103, 1, 1, 0]
    with pytest.raises(ConfigError, match=r"0\.0004 ms"):
        GRID.emitted_stamps([0.5, 0.0004], "source 's'")


@given(st.integers(-10, 2_000_000))
def test_run_length_must_be_a_whole_number_of_steps(k):
    t = _ms(k, 3)
    if k >= 100 and k % 100 == 0:
        assert GRID.run_steps(t) == k // 100
    else:
        with pytest.raises(ConfigError, match="multiple of the time step"):
            GRID.run_steps(t)


@pytest.mark.parametrize("t", [0.25, 10.05, 0.04, 0.0, -1.0, float("nan")])
def test_quoted_run_lengths_are_errors(t):
    with pytest.raises(ConfigError):
        GRID.run_steps(t)


@pytest.mark.parametrize("dt", [0.0, -0.1, 0.0005, 0.1234567, float("inf")])
def test_resolutions_off_the_tic_grid_are_errors(dt):
    with pytest.raises(ConfigError, match="dt"):
        TimeGrid(dt)


@given(st.integers(1, 1000))
def test_resolutions_on_the_tic_grid(k):
    assert TimeGrid(_ms(k, 3)).tics_per_step == k


def test_short_delays_name_the_value():
    with pytest.raises(NetworkError, match=r"0\.04 ms"):
        GRID.check_delays([1.0, 0.04], "projection 'p'")
    assert GRID.check_delays([0.05, 0.1], "p").tolist() == [1, 1]  # NEST: 0.05 -> 1


def test_tics_truncate_like_a_c_cast():
    assert ms_to_tics([1.0004, 1.0006, -0.0006, -0.0004]).tolist() == [1000, 1001, 0, 0]
