"""A variant's random draws are its own: alone, in any batch, after any rerun.

The Poisson events of a variant depend on its key and rate scale only. The capacity
of a block (shared by a batch, sized for its largest rate scale, doubled and the call
repeated when a block overflows) must not change them: a sweep split into other
batches, resumed, or rerun after an overflow gives every point the same spikes. Both
settings of JAX's ``jax_threefry_partitionable`` are checked (before JAX 0.5 it was
off, and with it off a random array's values depend on its length).
"""

import functools
import sys

import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest

from twin import Network, PoissonSource, Population, Projection
from twin.analog.poisson import PIECE, block_capacity, poisson_block, rates_of
from twin.analog.simulate import SimConfig, simulate_batch

simulate_module = sys.modules["twin.analog.simulate"]


@pytest.fixture(params=[True, False], ids=["partitionable", "original"])
def threefry(request):
    """Run the test with each threefry implementation; restore the setting after."""
    before = jax.config.jax_threefry_partitionable
    jax.config.update("jax_threefry_partitionable", request.param)
    yield request.param
    jax.config.update("jax_threefry_partitionable", before)


@pytest.mark.usefixtures("threefry")
@pytest.mark.parametrize("equal", [True, False], ids=["equal", "mixed"])
def test_block_events_do_not_depend_on_the_capacity(equal):
    """For 64 keys: the count and the first events of a block are the same with a
    capacity below one piece (often overflowing) and with several pieces."""
    rate = np.full(31, 6000.0 / 31) if equal else np.r_[np.full(30, 150.0), 1500.0]
    rates = rates_of(rate, jnp.float64)  # 6 kHz: 60 events a block on average
    keys = jr.split(jr.PRNGKey(4), 64)

    def draw(capacity):
        one = functools.partial(
            poisson_block, rates=rates, rate_scale=jnp.float64(1.0), dt=0.1,
            block_steps=100, capacity=capacity, equal=equal,
        )  # fmt: skip
        return jax.jit(jax.vmap(one))(keys)

    small, large = draw(PIECE - 7), draw(3 * PIECE + 5)
    count = np.asarray(small.valid.sum(axis=1) + small.overflow)
    np.testing.assert_array_equal(count, large.valid.sum(axis=1) + large.overflow)
    assert np.all(large.overflow == 0)
    assert np.any(small.overflow > 0)  # some blocks overflow the small capacity
    assert np.any(small.overflow == 0)
    kept = np.asarray(small.valid)
    np.testing.assert_array_equal(kept, np.asarray(large.valid)[:, : PIECE - 7])
    for field in ("source", "step"):
        np.testing.assert_array_equal(
            np.asarray(getattr(small, field))[kept],
            np.asarray(getattr(large, field))[:, : PIECE - 7][kept],
        )


def test_the_capacity_is_whole_pieces_above_ten_sd():
    for total in (0.0, 10.0, 5e3, 3e6):
        lam = total * 0.1e-3 * 100
        cap = block_capacity(total, 0.1, 100)
        assert cap % PIECE == 0
        assert (
            lam + 10 * np.sqrt(lam) + 16 <= cap < lam + 10 * np.sqrt(lam) + 16 + PIECE
        )


def _network(mixed):
    """40 recurrent neurons driven by 20 Poisson sources (equal or mixed rates)."""
    n, k = 40, 400
    rng = np.random.default_rng(2)
    rates = np.linspace(300.0, 1500.0, 20) if mixed else 900.0
    pop = Population(name="n", size=n, parameters={"tau_refrac": 2.0})

    def projection(pre, n_pre, receptor, weight, count):
        return Projection(
            pre=pre, post="n", pre_idx=rng.integers(0, n_pre, count),
            post_idx=rng.integers(0, n, count), weight=np.full(count, weight),
            delay=rng.choice([0.1, 0.8, 1.5], count), receptor=receptor,
        )  # fmt: skip

    return Network(
        populations=(pop,),
        sources=(PoissonSource(name="ext", size=20, rate=rates),),
        projections=(
            projection("n", n, "excitatory", 0.004, k),
            projection("n", n, "inhibitory", 0.01, k // 4),
            projection("ext", 20, "excitatory", 0.012, k),
        ),
    )


CONFIG = SimConfig(t_stop=60.0, dtype="float64", block_steps=50, record_poisson=True)
KEY = jr.PRNGKey(11)


def _point(network, **kwargs):
    """The point (KEY, g 1, rate 1) run alone (default) or as variant ``at``."""
    at = kwargs.pop("at", 0)
    kwargs.setdefault("keys", KEY[None])
    return simulate_batch(network, CONFIG, **kwargs).recordings[at]


def _assert_same(a, b):
    assert b.counts.sum() > 0  # spikes to compare
    np.testing.assert_array_equal(a.counts, b.counts)
    np.testing.assert_array_equal(a.times, b.times)
    np.testing.assert_array_equal(a.ids, b.ids)
    for x, y in zip(a.poisson_events, b.poisson_events, strict=True):
        np.testing.assert_array_equal(x, y)
    assert a.counters["poisson_events"] == b.counters["poisson_events"]


@pytest.mark.usefixtures("threefry")
@pytest.mark.parametrize("mixed", [False, True], ids=["equal", "mixed"])
def test_a_point_draws_the_same_alone_and_among_any_neighbours(mixed):
    network = _network(mixed)
    alone = _point(network)
    # Neighbours with a 4x rate scale: a larger capacity for the whole batch.
    batch = _point(
        network,
        keys=jnp.stack([jr.PRNGKey(1), KEY, jr.PRNGKey(2)]),
        g_scale=[0.5, 1.0, 2.0],
        rate_scale=[4.0, 1.0, 0.5],
        at=1,
    )
    _assert_same(batch, alone)


def test_a_point_draws_the_same_after_an_overflow_and_rerun(monkeypatch):
    network = _network(mixed=True)
    alone = _point(network)
    # A capacity of a third of the events: blocks overflow, the call runs again.
    real = block_capacity
    monkeypatch.setattr(simulate_module, "block_capacity", lambda *a: real(*a) // 3)
    calls = []
    run = simulate_module.run_chunks
    monkeypatch.setattr(
        simulate_module, "run_chunks", lambda *a: calls.append(1) or run(*a)
    )
    rerun = _point(network)
    assert len(calls) > 1  # overflowed at least once
    assert rerun.counters["poisson_overflow"] == 0
    _assert_same(rerun, alone)
