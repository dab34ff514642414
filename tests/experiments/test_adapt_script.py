"""``twin adapt SCRIPT.py``'s adaptation and export (experiments.adapt.script)."""

import textwrap

import numpy as np
import pytest

from experiments.adapt.script import adapt_and_export, script_steps
from twin.hardware.parameters import bio_range
from twin.pynn.capture import CaptureError, capture_script

#: A small current-based network with alpha synapses of 0.5 ms (below the wafer's
#: range) and one Poisson generator per neuron, as PyNN's brunel.py builds them.
#: Receptors named: PyNN guesses an Assembly's default from a set, whose order
#: changes with the interpreter's string hashing.
SCRIPT = """\
from pyNN.utility import get_simulator
sim, args = get_simulator()
sim.setup(timestep=0.1, rng_seed=5)
cell = sim.IF_curr_alpha(tau_m=20.0, tau_syn_E=0.5, tau_syn_I=0.5, v_rest=0.0,
                         v_reset=10.0, v_thresh=20.0, tau_refrac=2.0, cm=1.0)
exc = sim.Population(40, cell, label="E")
inh = sim.Population(10, cell, label="I")
drive = sim.Population(50, sim.SpikeSourcePoisson(rate=900.0), label="drive")
rng = sim.NumpyRNG(seed=11)
cells = exc + inh
sim.Projection(drive, cells, sim.OneToOneConnector(),
               sim.StaticSynapse(weight=2.0, delay=1.5), receptor_type="excitatory")
sim.Projection(exc, cells, sim.FixedNumberPreConnector(4, rng=rng),
               sim.StaticSynapse(weight=2.0, delay=1.5), receptor_type="excitatory")
sim.Projection(inh, cells, sim.FixedNumberPreConnector(1, rng=rng),
               sim.StaticSynapse(weight=-10.0, delay=1.5), receptor_type="inhibitory")
cells.record("spikes")
sim.run(200.0)
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("adapt")
    script = folder / "small.py"
    script.write_text(textwrap.dedent(SCRIPT))
    return adapt_and_export(script, folder / "out", seed=3)


def test_the_recipe_takes_the_steps_the_network_needs(exported):
    adapted, t_stop, _ = exported
    assert t_stop == 200.0  # the script's own run
    assert [name for name, _ in adapted.rungs] == [
        "set_time_constants", "pool_inputs", "to_conductance", "to_wafer_ranges",
        "with_variation",
    ]  # fmt: skip
    pooled = adapted.rung("pool_inputs")
    # As many shared sources as neurons, min(200, N) = 50 connections each.
    (pool,) = [s for s in pooled.sources if s.size == 50]
    assert sum(p.size for p in pooled.projections_from(pool.name)) == 50 * 50
    net = adapted.rung("to_wafer_ranges")
    assert {p.cell_type for p in net.populations} == {"IF_cond_exp"}
    lo, hi = bio_range("tau_syn_E")
    for p in net.populations:
        assert lo <= float(np.min(p.parameters["tau_syn_E"])) <= hi
        # The seed's reversal potentials around V_mean = v_rest = 0 mV.
        np.testing.assert_array_equal(p.parameters["e_rev_E"], 140.0)
        np.testing.assert_array_equal(p.parameters["e_rev_I"], -140.0)


def test_a_conductance_network_with_wafer_time_constants_needs_fewer_steps(exported):
    adapted, _, _ = exported
    steps = script_steps(adapted.rung("to_wafer_ranges"), seed=3)
    assert [s.name for s in steps] == [
        "pool_inputs", "to_wafer_ranges", "with_variation"
    ]  # fmt: skip
    first, *_ = script_steps(adapted.original, seed=3, k=2.0)
    assert first.name == "downscale"


def test_the_exported_script_builds_the_wafer_ready_network(exported):
    adapted, _, (script, arrays) = exported
    assert arrays.is_file()
    assert "TWIN_SETUP = {'fidelity': 'hardware'}" in script.read_text()
    again = capture_script(script)
    want = adapted.rung("to_wafer_ranges")
    assert again.t_stop == 200.0
    assert [(p.size, p.cell_type) for p in again.network.populations] == [
        (p.size, p.cell_type) for p in want.populations
    ]
    got_w = np.sort(np.concatenate([p.weight for p in again.network.projections]))
    want_w = np.sort(np.concatenate([p.weight for p in want.projections]))
    np.testing.assert_allclose(got_w, want_w, rtol=1e-12)


def test_a_missing_script_is_a_clear_error(tmp_path):
    with pytest.raises(CaptureError, match="not found"):
        adapt_and_export(tmp_path / "nope.py", tmp_path)
