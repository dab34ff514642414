"""The native (C++) delivery against the pure-JAX reference: identical spikes.

Both paths add the same weights to the same ring-buffer cells in the same order (the
reference step runs on both: the native step is `tests/analog/test_fast.py`), so
every spike must be identical, in float64 and in float32 — on the seed network (all
four corners of its (g, eta) plane), on random networks (hypothesis) and on the
hardware tier (in-run rate limits, saturating inputs, a stacked ablation copy).
"""

import jax
import jax.random as jr
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.brunel import BrunelConfig, build_network
from tests.analog.helpers import seed_corners, x64  # noqa: F401 (autouse: 64-bit JAX)
from twin import Network, Population, Projection
from twin.analog import SimConfig, simulate_batch
from twin.analog.delivery import use_native
from twin.analog.native.build import compiler
from twin.errors import ConfigError
from twin.network import PoissonSource, SpikeTimesSource
from twin.stack import stack
from twin.tier_run import stacked_stages
from twin.tiers import realise, tier_list
from twin.wafer import HICANNS, Wafer

pytestmark = pytest.mark.skipif(
    compiler() is None or jax.default_backend() != "cpu",
    reason="the native delivery needs a C++ compiler and a CPU backend",
)


def _both(network, config, **kwargs):
    """Spike recordings of the native and the reference delivery."""
    runs = []
    for delivery in ("native", "jax"):
        cfg = SimConfig(**{**config, "delivery": delivery, "step": "jax"})
        runs.append(simulate_batch(network, cfg, **kwargs).recordings)
    return runs


def _assert_identical(native, reference):
    assert len(native) == len(reference)
    for a, b in zip(native, reference, strict=True):
        assert b.counts.sum() > 0  # spikes to compare
        np.testing.assert_array_equal(a.counts, b.counts)
        np.testing.assert_array_equal(a.times, b.times)
        np.testing.assert_array_equal(a.ids, b.ids)
        assert dict(a.counters) == dict(b.counters)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_seed_network_spikes_are_identical(dtype):
    network, batch = seed_corners()
    runs = _both(network, {"t_stop": 300.0, "dtype": dtype}, **batch)
    _assert_identical(*runs)


@st.composite
def random_networks(draw):
    """A recurrent network with Poisson and spike-time inputs, any delays."""
    n = draw(st.integers(3, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    pop = Population(
        name="p", size=n, cell_type="IF_cond_exp",
        parameters={"tau_refrac": float(draw(st.sampled_from([0.1, 0.5, 2.0])))},
    )  # fmt: skip
    k = int(draw(st.integers(1, 4 * n)))
    times = np.round(np.sort(rng.uniform(0.2, 150.0, 30)), 1)

    def projection(pre, n_pre, receptor, scale):
        return Projection(
            pre=pre, post="p", pre_idx=rng.integers(0, n_pre, k),
            post_idx=rng.integers(0, n, k), weight=rng.uniform(0, scale, k),
            delay=np.round(rng.uniform(0.1, 3.0, k), 1), receptor=receptor,
        )  # fmt: skip

    return Network(
        populations=(pop,),
        sources=(
            PoissonSource(name="ext", size=5, rate=float(rng.uniform(500, 5000))),
            SpikeTimesSource(name="st", spike_times=(times,)),
        ),
        projections=(
            projection("p", n, "excitatory", 0.02),
            projection("p", n, "inhibitory", 0.05),
            projection("ext", 5, "excitatory", 0.03),
            projection("st", 1, "excitatory", 0.05),
        ),
    )


@settings(max_examples=4)
@given(network=random_networks(), seed=st.integers(0, 1000))
def test_random_networks_spikes_are_identical(network, seed):
    runs = _both(
        network,
        {"t_stop": 200.0, "dtype": "float64", "block_steps": 20},
        keys=jr.split(jr.PRNGKey(seed), 2),
        g_scale=[1.0, 0.3],
        rate_scale=[1.0, 2.0],
    )
    for a, b in zip(*runs, strict=True):  # silent networks are allowed here
        np.testing.assert_array_equal(a.counts, b.counts)
        np.testing.assert_array_equal(a.times, b.times)


def test_hardware_tier_with_limits_and_a_stacked_copy_is_identical():
    network = build_network(BrunelConfig.tiny())
    block = [h.enum for h in HICANNS if 15 <= h.x <= 19 and 5 <= h.y <= 9]
    (full,) = tier_list(["hardware"])
    realised = [
        realise(tier, network, wafer=Wafer.region(block), seed=3)
        for tier in (full, full.without("saturation"))
    ]
    stages, _ = stacked_stages(realised)
    assert stages  # the bandwidth limits run inside the loop
    stacked = stack([r.network for r in realised], share_sources=True)
    runs = _both(
        stacked,
        {"t_stop": 400.0, "dtype": "float64"},
        keys=jr.split(jr.PRNGKey(1), 2),
        g_scale=[1.0, 0.5],
        rate_scale=[1.0, 1.5],
        limits=stages,
    )
    _assert_identical(*runs)


def test_unknown_or_impossible_delivery_is_a_config_error():
    with pytest.raises(ConfigError, match="delivery 'fast'"):
        SimConfig(t_stop=10.0, delivery="fast")
    with pytest.raises(ConfigError, match="delivery 'fast'"):
        use_native("fast")
    assert use_native("jax") is False
    assert use_native("native") is True  # a CPU with a compiler (see pytestmark)


def test_auto_falls_back_to_the_reference_with_a_warning(monkeypatch):
    from twin.analog import delivery, native

    def no_compiler():
        raise ConfigError("no C++ compiler found for the native delivery")

    monkeypatch.setattr(native, "register", no_compiler)
    monkeypatch.setattr(delivery, "_fallback_warned", [])
    with pytest.warns(RuntimeWarning, match="using pure JAX"):
        assert use_native("auto") is False
    with pytest.raises(ConfigError, match="no C\\+\\+ compiler"):
        use_native("native")
