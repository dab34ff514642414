"""The synapse drivers' STP rules: mode, U_SE capacitor setting, driver classes."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from twin.routing.stp_drivers import (
    DEPRESSING,
    FACILITATING,
    N_CAP_SETTINGS,
    N_DRIVER_CLASSES,
    STATIC,
    U_SE_LEVELS,
    class_cap,
    class_mode,
    driver_classes,
    stp_mode,
    u_se_cap,
)
from twin.routing.synapses import drivers_per_class, fit_half_rows
from twin.stp import TsodyksMarkram

times = arrays(np.float64, 20, elements=st.floats(0.1, 5000.0))
utilisations = arrays(np.float64, 30, elements=st.floats(1e-3, 1.0))


def test_u_se_levels_are_calibtics_default_line_from_025_to_04():
    # calibtic STPUtilizationCalibration::setDefaults: 0.25 + cap * (0.4 - 0.25) / 7
    assert U_SE_LEVELS.size == N_CAP_SETTINGS == 8
    np.testing.assert_allclose(U_SE_LEVELS, [0.25 + k * 0.15 / 7 for k in range(8)])
    assert U_SE_LEVELS[0] == 0.25
    assert np.isclose(U_SE_LEVELS[-1], 0.4)


@given(utilisations)
def test_cap_is_the_nearest_level_clipped_to_the_range(u):
    cap = u_se_cap(u)
    assert ((cap >= 0) & (cap < 8)).all()
    distance = np.abs(U_SE_LEVELS[None, :] - u[:, None])
    chosen = distance[np.arange(u.size), cap]
    np.testing.assert_array_less(chosen, distance.min(axis=1) + 1e-12)
    assert (cap[u <= 0.25] == 0).all()
    assert (cap[u >= 0.4] == 7).all()


def test_cap_of_each_level_is_itself_and_midpoints_round_up():
    np.testing.assert_array_equal(u_se_cap(U_SE_LEVELS), np.arange(8))
    mid = (U_SE_LEVELS[:-1] + U_SE_LEVELS[1:]) / 2
    np.testing.assert_array_equal(u_se_cap(mid + 1e-12), np.arange(1, 8))
    np.testing.assert_array_equal(u_se_cap(mid - 1e-12), np.arange(7))


@given(times, times)
def test_mode_is_facilitating_exactly_where_tau_facil_exceeds_tau_rec(rec, fac):
    mode = stp_mode(rec, fac)
    np.testing.assert_array_equal(mode == FACILITATING, fac > rec)
    np.testing.assert_array_equal(mode == DEPRESSING, fac <= rec)
    assert (stp_mode(rec, np.zeros_like(rec)) == DEPRESSING).all()


@given(utilisations, st.floats(0.1, 5000.0), st.booleans())
def test_driver_class_round_trips_mode_and_cap(u, tau, facil):
    n = u.size
    stp = TsodyksMarkram(
        U=u, tau_rec=np.full(n, tau), tau_facil=np.full(n, 2 * tau if facil else 0.0)
    )
    cls = driver_classes(stp, u.size)
    assert ((cls >= 1) & (cls < N_DRIVER_CLASSES)).all()
    mode = FACILITATING if facil else DEPRESSING
    np.testing.assert_array_equal(class_mode(cls), mode)
    np.testing.assert_array_equal(class_cap(cls), u_se_cap(u))
    by_mode = driver_classes(stp, n, per_u=False)
    np.testing.assert_array_equal(by_mode, 18 if facil else 17)
    np.testing.assert_array_equal(class_mode(by_mode), mode)
    np.testing.assert_array_equal(class_cap(by_mode), -1)
    assert N_DRIVER_CLASSES == 19
    static = driver_classes(None, 4)
    np.testing.assert_array_equal(static, 0)
    assert (class_mode(static) == STATIC).all()
    assert (class_cap(static) == -1).all()


# --- driver counting and the greedy fit with several classes ------------------------

demands = st.integers(1, 3).flatmap(
    lambda c: arrays(
        np.int64,
        st.tuples(st.integers(1, 5), st.just(8 * c)),
        elements=st.integers(0, 6),
    )
)


def _drivers_and_rows(h):
    rows = np.ceil(h.reshape(-1, 2, 4).sum(axis=2) / 2)
    return int(np.ceil(rows.sum(axis=1) / 2).sum()), int(rows.sum())


@given(demands, st.integers(0, 8), st.sampled_from([0.5, 1.0, 2.0]))
def test_fit_respects_rows_and_whole_drivers_per_class(demand, n_rows, q):
    h = fit_half_rows(demand, n_rows, q)
    drivers, rows = _drivers_and_rows(h)
    assert rows <= n_rows
    assert drivers <= -(-n_rows // 2)
    assert drivers == int(drivers_per_class(h).sum())


@given(demands, st.sampled_from([1.0, 2.0]))
def test_class_split_never_needs_fewer_drivers_than_one_class(demand, q):
    split = np.ceil(demand.max(axis=0) / q)
    merged = np.ceil(demand.reshape(demand.shape[0], -1, 8).sum(axis=1).max(0) / q)
    assert drivers_per_class(split).sum() >= drivers_per_class(merged).sum()
    # With the split's drivers every synapse fits.
    n_rows = 2 * int(drivers_per_class(split).sum())
    h = fit_half_rows(demand, n_rows, q)
    assert int(np.minimum(demand, np.floor(h * q)).sum()) == demand.sum()
