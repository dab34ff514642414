"""PyNN's ``examples/tsodyksmarkram.py``, unchanged, on twin.pynn and on pyNN.nest.

Static, depressing and facilitating inhibitory synapses from one spike train onto
three IF_cond_exp cells each (tau_syn_I 1.2, 6.7 and 4.3 ms: ``tau_psc`` differs per
target). The script sets up with ``min_delay='auto'``; pyNN.nest then delivers a
``SpikeSourceArray``'s spikes ``min_delay - dt`` = 0.4 ms later than the times
(it corrects the times by the ``min_delay`` of the source's creation, one step,
while NEST relays them with the final one, the projections' 0.5 ms), the static
synapses as the plastic ones; twin.pynn delivers them at the times. So the traces
are compared with NEST's shifted by that offset, which is asserted first. They then
agree to the twin's default float32: conductances to 2e-5 relative, V to 2e-3 mV
(measured 1.2e-5 and 7e-4 mV, the static synapses' as large as the plastic ones').
"""

import glob
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import in_ci
from tests.pynn.scenarios import sdist_tests

pytest.importorskip("nest")
pytestmark = pytest.mark.nest

LABELS = ("static", "depressing", "facilitating")
SHIFT = 4  # samples (0.1 ms): NEST's 0.4 ms late delivery, see above


def _script():
    try:
        return sdist_tests().parent / "examples" / "tsodyksmarkram.py"
    except RuntimeError as err:
        if in_ci():
            pytest.fail(f"PyNN's examples are needed in CI: {err}")
        pytest.skip(str(err))


def _traces(folder, simulator):
    from neo.io import PickleIO

    out = {}
    for label in LABELS:
        (path,) = glob.glob(f"{folder}/Results/*/tsodyksmarkram_{label}_{simulator}_*")
        segment = PickleIO(path).read_block().segments[0]
        out[label] = {s.name: np.asarray(s.magnitude) for s in segment.analogsignals}
    return out


def _first_arrival(g):
    return int(np.flatnonzero(np.diff(g[:, 0]) > 1e-6)[0])


def test_example_traces_agree_with_pynn_nest(tmp_path):
    script = str(_script())
    for args in (["-m", "twin.pynn.launch", script, "twin"], [script, "nest"]):
        done = subprocess.run(
            [sys.executable, "-W", "ignore", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-2000:]
    twin, nest = _traces(tmp_path, "twin"), _traces(tmp_path, "nest")
    for label in LABELS:
        g_twin, g_nest = twin[label]["gsyn_inh"], nest[label]["gsyn_inh"]
        assert _first_arrival(g_nest) - _first_arrival(g_twin) == SHIFT, label
        a, b = g_twin[:-SHIFT], g_nest[SHIFT:]
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-12, err_msg=label)
        v = np.abs(twin[label]["v"][:-SHIFT] - nest[label]["v"][SHIFT:])
        assert v.max() <= 2e-3, label
    # The plastic synapses act: the 9th PSC is far from the first (NEST's values).
    for label, low, high in (("depressing", 0.0, 0.2), ("facilitating", 2.0, 10.0)):
        g = nest[label]["gsyn_inh"][:, 0]
        jumps = np.diff(g)[np.diff(g) > 1e-6]
        assert jumps.size == 9, label
        assert low < jumps[-1] / jumps[0] < high, label
