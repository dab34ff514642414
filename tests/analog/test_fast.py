"""The native block step against the pure-JAX reference step: identical spikes.

The C++ handler (``twin/analog/native/step.cc``) computes the reference's operations
in the same order, and XLA runs without fused multiply-adds (``twin.cpu_arithmetic``),
so every spike, count and final state must be identical, in float64 and in float32:
the seed network (four corners of its plane, a batch of variants), the microcircuit,
random
conductance-based, current-based and mixed networks (hypothesis), steps with stiff
neurons (RK4 sub-steps), runs whose last block ends early (a state to continue from),
and the one case the handler leaves to the reference (exponential-Euler sub-steps).
"""

import dataclasses

import jax
import jax.random as jr
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.brunel import BrunelConfig, build_network
from experiments.microcircuit.config import MicrocircuitConfig
from experiments.microcircuit.network import build_network as build_microcircuit
from experiments.microcircuit.network import initial_potentials
from tests.analog.helpers import seed_corners, x64  # noqa: F401 (autouse: 64-bit JAX)
from tests.analog.time_networks import fanout
from twin import Network, Population, Projection
from twin.analog import SimConfig, simulate_batch
from twin.analog.fast import contracts, eligible
from twin.analog.loop_types import Static
from twin.analog.native.build import compiler
from twin.cpu_arithmetic import EXACT_ISA, prefer_exact_arithmetic
from twin.errors import ConfigError
from twin.network import PoissonSource, SpikeTimesSource

pytestmark = pytest.mark.skipif(
    compiler() is None or jax.default_backend() != "cpu",
    reason="the native step needs a C++ compiler and a CPU backend",
)


def _both(network, config, **kwargs):
    """The results of the native and of the reference step (native checked used)."""
    results = []
    for step in ("native", "jax"):
        result = simulate_batch(
            network, SimConfig(**{**config, "step": step}), **kwargs
        )
        assert result.step == step
        results.append(result)
    return results


def _assert_identical(native, reference, spikes=True):
    for a, b in zip(native.recordings, reference.recordings, strict=True):
        if spikes:
            assert b.counts.sum() > 0  # spikes to compare
        np.testing.assert_array_equal(a.counts, b.counts)
        np.testing.assert_array_equal(a.times, b.times)
        np.testing.assert_array_equal(a.ids, b.ids)
        assert dict(a.counters) == dict(b.counters)


def test_the_running_backend_does_not_contract_multiply_adds():
    # Importing twin capped XLA's ISA before the backend started (x86-64 hosts).
    assert not contracts()


def test_the_exact_isa_is_added_once_and_a_users_cap_is_kept(monkeypatch):
    monkeypatch.setattr("platform.machine", lambda: "x86_64")
    monkeypatch.setenv("XLA_FLAGS", "--xla_force_host_platform_device_count=2")
    prefer_exact_arithmetic()
    prefer_exact_arithmetic()
    flags = "--xla_force_host_platform_device_count=2 " + EXACT_ISA
    assert __import__("os").environ["XLA_FLAGS"] == flags
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_max_isa=AVX2")
    prefer_exact_arithmetic()
    assert __import__("os").environ["XLA_FLAGS"] == "--xla_cpu_max_isa=AVX2"
    monkeypatch.setattr("platform.machine", lambda: "aarch64")
    monkeypatch.delenv("XLA_FLAGS")
    prefer_exact_arithmetic()
    assert "XLA_FLAGS" not in __import__("os").environ


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_seed_network_spikes_are_identical(dtype):
    network, batch = seed_corners()
    runs = _both(network, {"t_stop": 300.0, "dtype": dtype}, **batch)
    _assert_identical(*runs)


def test_microcircuit_spikes_are_identical():
    # the demo's adapted microcircuit at 3 %: stiff steps occur (sub-steps)
    config = MicrocircuitConfig(
        t_stop=200.0, scale=0.03, k_scale=0.1, seed=5, analysis_start=0.0
    )
    network = build_microcircuit(config)
    runs = _both(
        network,
        {"t_stop": 200.0, "dtype": "float64"},
        keys=jr.split(jr.PRNGKey(0), 1),
        v0=initial_potentials(config, network),
    )
    _assert_identical(*runs)


@st.composite
def random_networks(draw):
    """Conductance-based, current-based or both kinds, recurrent, with inputs."""
    kinds = draw(st.sampled_from([("IF_cond_exp",), ("IF_curr_exp",),
                                  ("IF_cond_exp", "IF_curr_exp")]))  # fmt: skip
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    refrac = float(draw(st.sampled_from([0.1, 0.5, 2.0])))
    pops = tuple(
        Population(name=f"p{i}", size=int(rng.integers(3, 30)), cell_type=kind,
                   parameters={"tau_refrac": refrac})
        for i, kind in enumerate(kinds)
    )  # fmt: skip
    times = np.round(np.sort(rng.uniform(0.2, 150.0, 30)), 1)
    sizes = {p.name: p.size for p in pops} | {"ext": 5, "st": 1}

    def projection(pre, post, receptor):
        k = int(rng.integers(1, 4 * sizes[post]))
        current = post.startswith("p") and pops[int(post[1:])].cell_type[3:7] == "curr"
        scale = {"excitatory": 0.03, "inhibitory": 0.05}[receptor]
        scale *= 10.0 if current else 1.0  # nA for currents, µS for conductances
        sign = -1.0 if current and receptor == "inhibitory" else 1.0
        return Projection(
            pre=pre, post=post, pre_idx=rng.integers(0, sizes[pre], k),
            post_idx=rng.integers(0, sizes[post], k),
            weight=sign * rng.uniform(0, scale, k),
            delay=np.round(rng.uniform(0.1, 3.0, k), 1), receptor=receptor,
        )  # fmt: skip

    projections = []
    for post in (p.name for p in pops):
        for pre in (*(p.name for p in pops), "ext", "st"):
            projections.append(projection(pre, post, "excitatory"))
        projections.append(projection(pops[0].name, post, "inhibitory"))
    return Network(
        populations=pops,
        sources=(
            PoissonSource(name="ext", size=5, rate=float(rng.uniform(500, 5000))),
            SpikeTimesSource(name="st", spike_times=(times,)),
        ),
        projections=tuple(projections),
    )


@settings(max_examples=4, deadline=None)
@given(network=random_networks(), seed=st.integers(0, 1000))
def test_random_networks_spikes_are_identical(network, seed):
    runs = _both(
        network,
        {"t_stop": 200.0, "dtype": "float64", "block_steps": 20},
        keys=jr.split(jr.PRNGKey(seed), 2),
        g_scale=[1.0, 0.3],
        rate_scale=[1.0, 2.0],
    )
    _assert_identical(*runs, spikes=False)  # silent networks are allowed here


def _stiff_network(weight):
    """Input of ``weight`` µS into 0.2 nF: stiffness >= 0.1 weight / 0.2 on arrival."""
    rng = np.random.default_rng(3)
    trains = [np.sort(rng.uniform(1.0, 90.0, 8)).round(1) for _ in range(6)]
    net = fanout(trains, 1.0, weight=weight, cm=0.2, tau_syn_E=2.0)
    inh = net.projections[0].replace(
        receptor="inhibitory", weight=np.full(6, 0.3), name="inh"
    )
    return net.replace(projections=(*net.projections, inh))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_steps_with_stiff_neurons_take_the_reference_sub_steps(dtype):
    # weight 2 µS: stiffness >= 1 (> 0.5, sub-steps) and far below 160 (RK4 sub-steps)
    runs = _both(
        _stiff_network(2.0),
        {"t_stop": 100.0, "dtype": dtype},
        keys=jr.split(jr.PRNGKey(0), 2),
        g_scale=[1.0, 3.0],
    )
    _assert_identical(*runs)


def test_exponential_euler_sub_steps_are_left_to_the_reference():
    # weight 1000 µS: stiffness ~500 > 160, beyond the native step: the reference runs
    network = _stiff_network(1000.0)
    config = SimConfig(t_stop=100.0, dtype="float64")
    auto = simulate_batch(network, config, keys=jr.split(jr.PRNGKey(0), 1))
    ref = simulate_batch(
        network, SimConfig(t_stop=100.0, dtype="float64", step="jax"),
        keys=jr.split(jr.PRNGKey(0), 1),
    )  # fmt: skip
    assert auto.step == "jax"
    _assert_identical(auto, ref)


def test_a_run_to_be_continued_ends_in_the_same_state():
    # 105 ms in blocks of 100 steps: the last block's 50 steps past the end are dead
    network = build_network(BrunelConfig.tiny())
    kwargs = {"keys": jr.split(jr.PRNGKey(2), 2), "g_scale": [1.0, 0.5]}
    runs = _both(network, {"t_stop": 105.0, "dtype": "float64"}, keep_final=True,
                 **kwargs)  # fmt: skip
    _assert_identical(*runs)
    for a, b in zip(
        jax.tree_util.tree_leaves(runs[0].final),
        jax.tree_util.tree_leaves(runs[1].final),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    later = [
        simulate_batch(network, SimConfig(t_stop=50.0, dtype="float64", step=step,
                                          offset=105.0), resume=run.final, **kwargs)
        for step, run in zip(("native", "jax"), runs, strict=True)
    ]  # fmt: skip
    assert later[0].step == "native"
    _assert_identical(*later)


def test_networks_beyond_the_native_step_are_named_or_run_on_the_reference():
    adex = Network(populations=(
        Population(name="a", size=3, cell_type="EIF_cond_exp_isfa_ista"),))  # fmt: skip
    with pytest.raises(ConfigError, match="exponential"):
        simulate_batch(adex, SimConfig(t_stop=10.0, step="native"),
                       keys=jr.split(jr.PRNGKey(0), 1))  # fmt: skip
    auto = simulate_batch(adex, SimConfig(t_stop=10.0), keys=jr.split(jr.PRNGKey(0), 1))
    assert auto.step == "jax"
    with pytest.raises(ConfigError, match="step 'fast'"):
        SimConfig(t_stop=10.0, step="fast")
    with pytest.raises(ConfigError, match="native delivery is off"):
        simulate_batch(adex.replace(populations=(Population(name="a", size=3),)),
                       SimConfig(t_stop=10.0, step="native", delivery="jax"),
                       keys=jr.split(jr.PRNGKey(0), 1))  # fmt: skip


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"kinds": ("cond_alpha",)}, "synapse kinds"),
        ({"exponential": True}, "exponential"),
        ({"saturating": True}, "saturating"),
        ({"stp": ((3, 2),)}, "plasticity"),
        ({"n_stages": 2}, "rate limits"),
        ({"stimulated": True}, "current stimuli"),
        ({"trace": (0,)}, "traced"),
    ],
)
def test_eligible_names_the_first_reason(change, reason):
    base = Static(n=4, n_blocks=1, block_steps=10, n_steps=10, slots=20, dt=0.1,
                  spike_chunk=64, capacity=0, equal_rates=True, record=(), trace=(),
                  exponential=False, saturating=False, record_from_block=0,
                  kinds=("cond_exp", "curr_exp"))  # fmt: skip
    assert eligible(base) is None
    assert reason in eligible(dataclasses.replace(base, **change))
