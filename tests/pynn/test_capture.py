"""Capturing a PyNN script's network at its first run (twin.pynn.capture).

PyNN's own ``brunel.py``, unchanged, is captured with the simulator's name on its
command line as PyNN's examples take it: the network is the one its parameters
describe (sizes, in-degrees, weights from its formulas); small scripts check the
seed, the stop time, the module alias and the errors.
"""

import sys
import textwrap

import numpy as np
import pytest

from tests.pynn.test_examples import _examples
from twin.errors import ConfigError
from twin.pynn import simulator
from twin.pynn.capture import CaptureError, capture_script

_SCRIPT = """\
from pyNN.utility import get_simulator
sim, args = get_simulator(("--rate", "Poisson rate, Hz", {"type": float}))
sim.setup(timestep=0.1, rng_seed=17)
cells = sim.Population(3, sim.IF_curr_exp(tau_m=12.0), label="cells")
cells.initialize(v=-60.0)
drive = sim.Population(3, sim.SpikeSourcePoisson(rate=args.rate), label="drive")
sim.Projection(drive, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.5))
cells[1:].record(["spikes", "v"])
print("built")
sim.run(25.0)
raise RuntimeError("after the run")
"""


def _write(tmp_path, text, name="script.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_a_script_is_captured_at_its_first_run(tmp_path):
    argv = list(sys.argv)
    got = capture_script(_write(tmp_path, _SCRIPT), ["--rate", "40"])
    assert sys.argv == argv
    assert "pyNN.twin" not in sys.modules
    assert simulator.state.structure.populations == []  # the session is cleared
    assert (got.t_stop, got.timestep, got.seed) == (25.0, 0.1, 17)
    assert got.stdout == "built\n"  # stopped at run: the RuntimeError never raised
    net = got.network
    assert [(p.name, p.size, p.cell_type) for p in net.populations] == [
        ("cells", 3, "IF_curr_exp")
    ]
    np.testing.assert_array_equal(net.populations[0].parameters["tau_m"], 12.0)
    np.testing.assert_array_equal(net.sources[0].rate, 40.0)
    np.testing.assert_array_equal(got.v_init["cells"], -60.0)
    (proj,) = net.projections
    np.testing.assert_array_equal(proj.pre_idx, proj.post_idx)
    np.testing.assert_array_equal(proj.weight, 0.5)
    cells = got.population("cells")
    assert {k: list(v) for k, v in cells.recorded.items()} == {
        "spikes": [1, 2],
        "v": [1, 2],
    }
    assert got.population("drive").cell_type == "SpikeSourcePoisson"


def test_a_script_importing_pynn_nest_is_captured_as_nest(tmp_path):
    text = """\
    import pyNN.nest as sim
    sim.setup()
    sim.Population(2, sim.IF_cond_exp(), label="a")
    sim.run(10.0)
    """
    got = capture_script(_write(tmp_path, text), simulator_arg="nest")
    assert got.network.populations[0].name == "a"
    import pyNN

    assert getattr(pyNN, "nest", None) is not sys.modules.get("twin.pynn")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("raise ValueError('bad value 7')\n", "ValueError: bad value 7"),
        ("import sys\nprint('hello')\nsys.exit(3)\n", "(?s)exit status 3.*hello"),
        ("import pyNN.twin as sim\nsim.setup()\n", "without calling run"),
        ("import sys\nsys.exit(0)\n", "without calling run"),
    ],
)
def test_a_failing_script_is_a_capture_error_naming_it(tmp_path, text, message):
    path = _write(tmp_path, text, "failing.py")
    with pytest.raises(CaptureError, match=message) as err:
        capture_script(path)
    assert "failing.py" in str(err.value)
    assert isinstance(err.value, ConfigError)
    assert "pyNN.twin" not in sys.modules


def test_a_missing_script_is_named(tmp_path):
    with pytest.raises(CaptureError, match=r"nope\.py' not found"):
        capture_script(tmp_path / "nope.py")


def test_pynn_s_brunel_example_is_the_network_its_parameters_describe():
    """brunel.py's own numbers: NE = 4000, NI = 1000 (order 50000 / downscale 50),
    connection probability 0.1, JE = J·downscale/tauSyn·fudge nA, JI = -g·JE, delay
    1.5 ms, one Poisson generator per neuron at p_rate = 1000·eta·nu_thresh·CE Hz with
    weight JE and delay dt, v uniform in [0, 20) mV, 50 recorded cells, 100 ms."""
    got = capture_script(_examples() / "brunel.py")
    net = got.network
    assert [(p.name, p.size, p.cell_type) for p in net.populations] == [
        ("E_net", 4000, "IF_curr_alpha"),
        ("I_net", 1000, "IF_curr_alpha"),
    ]
    je = (0.1 * 50 / 0.1) * 0.00041363506632638
    theta, j_eff, ce, tau_m = 20.0, 0.1 * 50, 400, 20.0
    p_rate = 1000 * 2.0 * theta / (j_eff * ce * tau_m) * ce
    for source in net.sources:
        np.testing.assert_allclose(source.rate, p_rate)
    sizes = {p.name: p.size for p in net.populations + net.sources}
    for proj in net.projections:
        if proj.pre.endswith("poisson"):
            assert proj.size == sizes[proj.post]
            np.testing.assert_allclose(proj.weight, je)
            np.testing.assert_allclose(proj.delay, 0.1)
            continue
        n_pairs = sizes[proj.pre] * sizes[proj.post]
        assert abs(proj.size - 0.1 * n_pairs) < 4 * np.sqrt(0.09 * n_pairs)
        np.testing.assert_allclose(proj.weight, je if proj.pre == "E_net" else -5 * je)
        np.testing.assert_allclose(proj.delay, 1.5)
        assert proj.receptor == ("excitatory" if proj.pre == "E_net" else "inhibitory")
    for name in ("E_net", "I_net"):
        assert 0.0 <= got.v_init[name].min() < 0.5
        assert 19.5 < got.v_init[name].max() < 20
        assert got.population(name).recorded["spikes"].size == 50
    params = net.populations[0].parameters
    assert params["cm"][0] == 0.001
    assert params["tau_syn_E"][0] == 0.1
    assert got.t_stop == 100.0
