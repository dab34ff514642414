import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from twin.routing.synapses import fit_half_rows

demands = arrays(
    np.int64, st.tuples(st.integers(1, 6), st.just(8)), elements=st.integers(0, 6)
)


def _kept(demand, h, q):
    return int(np.minimum(demand, np.floor(h * q)).sum())


def _rows(h):
    return int(np.ceil(h[:4].sum() / 2) + np.ceil(h[4:].sum() / 2))


@given(demands, st.integers(0, 8), st.sampled_from([0.5, 1.0, 2.0, 4.0]))
def test_fit_never_exceeds_the_rows(demand, n_rows, q):
    h = fit_half_rows(demand, n_rows, q)
    assert _rows(h) <= n_rows
    assert (h >= 0).all()


@given(demands, st.sampled_from([1.0, 2.0]))
def test_enough_rows_keep_every_synapse(demand, q):
    needed = np.ceil(demand.max(axis=0) / q)
    n_rows = int(np.ceil(needed[:4].sum() / 2) + np.ceil(needed[4:].sum() / 2))
    h = fit_half_rows(demand, n_rows, q)
    assert _kept(demand, h, q) == demand.sum()


@given(demands, st.integers(0, 6), st.sampled_from([1.0, 2.0]))
def test_more_rows_never_keep_fewer_synapses(demand, n_rows, q):
    assert _kept(demand, fit_half_rows(demand, n_rows + 1, q), q) >= _kept(
        demand, fit_half_rows(demand, n_rows, q), q
    )
