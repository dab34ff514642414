"""A network written as a PyNN script: run on twin.pynn and captured, it is the same.

The round trip: :func:`twin.pynn.export.write_pynn_script` writes a small network
(two populations of different cell types with a per-neuron spread of a parameter, a
Poisson source with one rate per generator, excitatory and inhibitory projections with
spread weights and delays); :func:`twin.pynn.capture.capture_script` runs the script
on twin.pynn and captures the network of its run. Every array must come back equal
(the synapses of a projection in PyNN's ``FromListConnector`` order, sorted here); the
spikes the script writes must equal a direct emulation of the network with the
session's Poisson stream (:func:`twin.pynn.engine.run_label` of the script's seed).
"""

import pickle

import numpy as np
import pytest

from twin.analog import SimConfig, simulate_batch
from twin.analog.keys import stream_key
from twin.errors import ConfigError
from twin.network import (
    CurrentStimulus,
    Network,
    PoissonSource,
    Population,
    Projection,
    SpikeTimesSource,
)
from twin.pynn.build import projection_prefix
from twin.pynn.capture import capture_script
from twin.pynn.engine import run_label
from twin.pynn.export import NO_STOP, ExportError, write_pynn_script
from twin.stp import TsodyksMarkram

T_STOP = 300.0
SEED = 11


def _projection(rng, pre, post, n_pre, n_post, weight, receptor, steps=(8, 10, 15, 23)):
    pre_idx, post_idx = np.nonzero(rng.random((n_pre, n_post)) < 0.25)
    n = pre_idx.size
    return Projection(
        pre=pre,
        post=post,
        pre_idx=pre_idx,
        post_idx=post_idx,
        weight=weight * rng.uniform(0.5, 1.5, n),
        delay=rng.choice(steps, n) * 0.1,  # steps · dt, as a session realises
        receptor=receptor,
        name=f"{pre}->{post}",
    )


def _network():
    rng = np.random.default_rng(5)
    n_e, n_i, n_x = 40, 10, 30
    return Network(
        populations=(
            Population(
                name="E",
                size=n_e,
                cell_type="IF_curr_exp",
                parameters={"tau_m": rng.uniform(15, 25, n_e), "tau_refrac": 2.0},
            ),
            Population(
                name="I",
                size=n_i,
                cell_type="IF_cond_exp",
                parameters={"cm": rng.uniform(0.2, 0.3, n_i), "tau_refrac": 2.0},
            ),
        ),
        sources=(
            PoissonSource(
                name="ext", size=n_x, rate=rng.uniform(100, 200, n_x), stop=250.0
            ),
            SpikeTimesSource(
                name="pulse", spike_times=(np.array([5.0, 50.0]), np.zeros(0))
            ),
        ),
        projections=(
            _projection(rng, "E", "E", n_e, n_e, 0.4, "excitatory"),
            _projection(rng, "E", "I", n_e, n_i, 0.004, "excitatory"),
            _projection(rng, "I", "E", n_i, n_e, -1.0, "inhibitory"),
            _projection(rng, "I", "I", n_i, n_i, 0.01, "inhibitory"),
            _projection(rng, "ext", "E", n_x, n_e, 1.2, "excitatory"),
            _projection(rng, "ext", "I", n_x, n_i, 0.012, "excitatory"),
            _projection(rng, "pulse", "E", 2, n_e, 2.0, "excitatory"),
        ),
    )


def _sorted(proj):
    """The projection's arrays with its synapses sorted by (post, pre, delay)."""
    order = np.lexsort((proj.delay, proj.pre_idx, proj.post_idx))
    return [getattr(proj, k)[order] for k in ("pre_idx", "post_idx", "weight", "delay")]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    net = _network()
    v_init = {"E": np.linspace(-70.0, -52.0, 40), "I": -60.0}
    path = tmp_path_factory.mktemp("export") / "adapted.py"
    write_pynn_script(net, path, t_stop=T_STOP, v_init=v_init, seed=SEED)
    return net, v_init, path


def test_the_captured_network_equals_the_exported_one(exported):
    net, v_init, path = exported
    got = capture_script(path)
    assert got.network.populations == net.populations
    assert got.network.sources == net.sources
    assert got.network.timestep == net.timestep
    assert got.t_stop == T_STOP
    assert got.seed == SEED
    assert len(got.network.projections) == len(net.projections)
    for k, (want, have) in enumerate(
        zip(net.projections, got.network.projections, strict=True)
    ):
        assert (have.pre, have.post, have.receptor) == (
            want.pre,
            want.post,
            want.receptor,
        )
        assert have.name == projection_prefix(want.name, k) + f"{want.pre}->{want.post}"
        for a, b in zip(_sorted(want), _sorted(have), strict=True):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(got.v_init["E"], v_init["E"])
    np.testing.assert_array_equal(got.v_init["I"], np.full(10, -60.0))
    assert {p.name: p.cell_type for p in got.populations} == {
        "E": "IF_curr_exp",
        "I": "IF_cond_exp",
        "ext": "SpikeSourcePoisson",
        "pulse": "SpikeSourceArray",
    }
    assert list(got.population("E").recorded["spikes"]) == list(range(40))
    assert not got.population("ext").recorded


def _direct_spikes(net, v_init):
    """Spikes of a direct emulation: the session's first Poisson stream, its v0."""
    v0 = np.concatenate(
        [np.broadcast_to(v_init[p.name], p.size) for p in net.populations]
    )
    config = SimConfig(
        t_stop=T_STOP, dt=net.timestep, record=(("E", None), ("I", None))
    )
    key = stream_key(run_label(SEED, 0, 0))
    rec = simulate_batch(net, config, keys=np.asarray(key)[None], v0=v0).recordings[0]
    return np.asarray(rec.ids), np.asarray(rec.times)


def test_the_script_s_spikes_equal_a_direct_emulation(exported):
    net, v_init, path = exported
    done = capture_script(path, emulate=True)  # runs to its end: adapted_twin.pkl
    with open(path.with_name("adapted_twin.pkl"), "rb") as f:
        block = pickle.load(f)
    ids, times = _direct_spikes(net, v_init)
    trains = block.segments[0].spiketrains
    assert len(trains) == 50
    offsets = {"E": 0, "I": 40}
    n_spikes = 0
    for train in trains:
        gid = offsets[train.annotations["source_population"]] + int(
            train.annotations["source_index"]
        )
        np.testing.assert_allclose(
            np.asarray(train.times.rescale("ms")), np.sort(times[ids == gid]), atol=1e-9
        )
        n_spikes += len(train)
    assert n_spikes == ids.size > 50  # the network is active
    for name, cells in (("E", ids < 40), ("I", ids >= 40)):
        rate = cells.sum() / (40 if name == "E" else 10) * 1000.0 / T_STOP
        assert f"{name} rate : {rate:g} Hz" in done.stdout


def test_poisson_without_stop_gets_pynn_s_default_duration(tmp_path):
    net = Network(
        populations=(Population(name="n", size=2),),
        sources=(PoissonSource(name="p", size=2, rate=10.0, start=1.0),),
    )
    path = write_pynn_script(net, tmp_path / "s.py", t_stop=5.0)
    got = capture_script(path)
    np.testing.assert_array_equal(got.network.sources[0].stop, 1.0 + NO_STOP)
    assert "duration=10000000000.0" in path.read_text()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"t_stop": 0.0}, "t_stop"),
        ({"path": "x.txt"}, "must end in .py"),
        ({"record": {"nope": ["spikes"]}}, "'nope'"),
        ({"v_init": {"ext": -60.0}}, "no neuron populations"),
    ],
)
def test_bad_arguments_are_refused_by_name(tmp_path, change, message):
    args = {"path": "s.py", "t_stop": 10.0, **change}
    args["path"] = tmp_path / args["path"]
    with pytest.raises(ExportError, match=message) as err:
        write_pynn_script(_network(), **args)
    assert isinstance(err.value, ConfigError)


def test_what_pynn_cannot_express_is_refused(tmp_path):
    sat = Network(
        populations=(Population(name="n", size=1, parameters={"g_sat_E": 0.1}),)
    )
    with pytest.raises(ExportError, match="g_sat_E"):
        write_pynn_script(sat, tmp_path / "a.py", t_stop=10.0)
    stim = Network(
        populations=(Population(name="n", size=1),),
        stimuli=(
            CurrentStimulus(
                name="dc",
                population="n",
                index=np.array([0]),
                times=[1.0],
                amplitudes=[0.5],
            ),
        ),
    )
    with pytest.raises(ExportError, match="current stimuli"):
        write_pynn_script(stim, tmp_path / "b.py", t_stop=10.0)
    assert not list(tmp_path.iterdir())  # nothing written


def test_recording_of_chosen_cells_comes_back(tmp_path):
    record = {"E": {"spikes": [7, 0, 5], "v": [1]}, "I": ("spikes",), "ext": {"v": []}}
    path = write_pynn_script(_network(), tmp_path / "r.py", t_stop=10.0, record=record)
    got = capture_script(path)
    recorded = {
        p.name: {k: list(v) for k, v in p.recorded.items()} for p in got.populations
    }
    assert recorded == {
        "E": {"spikes": [0, 5, 7], "v": [1]},
        "I": {"spikes": list(range(10))},
        "ext": {},
        "pulse": {},
    }
    assert {
        k: {v: list(c) for v, c in r.items()} for k, r in got.recording.items()
    } == {k: v for k, v in recorded.items() if v}
    with pytest.raises(ExportError, match=r"cells 0\.\.40 of 'E'"):
        write_pynn_script(_network(), path, t_stop=10.0, record={"E": {"v": [0, 40]}})


def test_short_term_plasticity_comes_back_per_synapse(tmp_path):
    """STP is written as TsodyksMarkramSynapse, each parameter per synapse."""
    rng = np.random.default_rng(8)
    base = _network()
    plastic = []
    for proj in base.projections[:2] + base.projections[4:5]:
        n = proj.size
        plastic.append(
            proj.replace(
                stp=TsodyksMarkram(
                    U=rng.uniform(0.1, 0.6, n),
                    tau_rec=rng.uniform(50.0, 800.0, n),
                    tau_facil=rng.choice([0.0, 200.0], n),
                )
            )
        )
    net = Network(
        populations=base.populations,
        sources=base.sources[:1],
        projections=(*plastic, base.projections[2]),
    )
    path = write_pynn_script(net, tmp_path / "plastic.py", t_stop=50.0)
    assert "TsodyksMarkramSynapse" in path.read_text()
    got = capture_script(path).network
    for want, have in zip(net.projections, got.projections, strict=True):
        assert (want.stp is None) == (have.stp is None)
        order_w = np.lexsort((want.delay, want.pre_idx, want.post_idx))
        order_h = np.lexsort((have.delay, have.pre_idx, have.post_idx))
        for a, b in zip(_sorted(want), _sorted(have), strict=True):
            np.testing.assert_array_equal(a, b)
        if want.stp is not None:
            for key in ("U", "tau_rec", "tau_facil"):
                np.testing.assert_array_equal(
                    getattr(want.stp, key)[order_w], getattr(have.stp, key)[order_h]
                )
