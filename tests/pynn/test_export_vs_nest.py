"""A network written as a PyNN script gives the same spikes on pyNN.nest and twin.pynn.

The script :func:`twin.pynn.export.write_pynn_script` writes runs unchanged as
``python adapted.py nest`` and ``python adapted.py twin``: spike-time input (no random
stream) into current- and conductance-based cells with per-neuron parameters and
spread weights and delays, recurrent excitation and inhibition. pyNN.nest runs NEST's
grid-based models (the script asks for ``spike_precision="on_grid"``), which the twin
emulates: the spike times agree to within 1e-9 ms.

pyNN.nest sends a ``SpikeSourceArray``'s spikes through parrot neurons, with its
spike times moved ``min_delay`` earlier (``adjust_spike_times_forward``); where that
difference is not exact in binary, NEST's ``spike_generator`` emits some spikes one
step late (38.7 ms with ``min_delay`` 0.8 ms: 38.8). The input's times here lie on a
0.5 ms grid and the smallest delay is 1.0 ms, so every difference is exact and the
comparison tests the network, not that rounding.
"""

import pickle
import subprocess
import sys

import numpy as np
import pytest

from tests.pynn.test_export import _projection
from twin.network import Network, Population, SpikeTimesSource
from twin.pynn.export import write_pynn_script

#: Delays in steps of 0.1 ms: the smallest, pyNN.nest's min_delay, is 1.0 ms.
STEPS = (10, 15, 20, 25)


def _network():
    rng = np.random.default_rng(9)
    n_e, n_i, n_x = 30, 8, 20
    trains = tuple(np.unique(rng.integers(3, 400, 40) * 0.5) for _ in range(n_x))
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
        sources=(SpikeTimesSource(name="input", spike_times=trains),),
        projections=(
            _projection(rng, "E", "E", n_e, n_e, 0.3, "excitatory", STEPS),
            _projection(rng, "E", "I", n_e, n_i, 0.004, "excitatory", STEPS),
            _projection(rng, "I", "E", n_i, n_e, -0.8, "inhibitory", STEPS),
            _projection(rng, "input", "E", n_x, n_e, 1.5, "excitatory", STEPS),
            _projection(rng, "input", "I", n_x, n_i, 0.015, "excitatory", STEPS),
        ),
    )


def _spikes(path, simulator):
    done = subprocess.run(
        [sys.executable, "-W", "ignore", str(path), simulator],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    with open(path.with_name(f"{path.stem}_{simulator}.pkl"), "rb") as f:
        block = pickle.load(f)
    return {
        (t.annotations["source_population"], int(t.annotations["source_index"])): (
            np.asarray(t.times.rescale("ms"))
        )
        for t in block.segments[0].spiketrains
    }


@pytest.mark.nest
def test_the_exported_script_gives_nest_s_spikes(tmp_path):
    path = write_pynn_script(
        _network(),
        tmp_path / "adapted.py",
        t_stop=200.0,
        v_init={"E": -60.0},
        twin_setup={"dtype": "float64"},  # NEST computes in double precision
    )
    nest, twin = _spikes(path, "nest"), _spikes(path, "twin")
    assert sorted(nest) == sorted(twin)
    assert len(nest) == 38
    assert sum(t.size for t in nest.values()) > 50  # both populations active
    assert all(nest[("I", i)].size for i in range(3))
    for key, times in nest.items():
        np.testing.assert_allclose(twin[key], times, atol=1e-9, rtol=0, err_msg=key)
