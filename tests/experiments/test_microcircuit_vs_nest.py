"""The microcircuit workload on the twin's ideal tier and on NEST: the same instance.

The network has no noise source (raised resting potentials instead of Poisson input),
so both simulators integrate the same deterministic system from the same initial
potentials; NEST (float64, exact exponential integration) and the twin (float32, RK4
with exact conductance decay) then give spike trains that stay close for a while and
population rates that agree far inside the acceptance rule of the full comparison
(max(15 %, 2 sd over seeds), ``experiments.microcircuit.compare``).
"""

import pytest

from experiments.microcircuit.compare import compare
from experiments.microcircuit.config import POPULATIONS, MicrocircuitConfig
from experiments.microcircuit.workload import MicrocircuitWorkload
from experiments.runs.sweep import run_sweep

pytestmark = pytest.mark.nest

#: Relative rate difference per population accepted between the platforms.
RATE_TOLERANCE = 0.05


def test_twin_ideal_tier_gives_nest_s_population_rates():
    pytest.importorskip("nest")
    from experiments.microcircuit.analysis import microcircuit_activity

    config = MicrocircuitConfig(
        scale=0.02, k_scale=0.02, t_stop=800.0, analysis_start=300.0
    )
    workload = MicrocircuitWorkload()
    (twin,) = run_sweep(workload, [config], "twin")
    (nest,) = run_sweep(workload, [config], "nest")
    assert twin.neurons.size == nest.neurons.size == config.n_neurons
    for pop in POPULATIONS:
        t, n = twin[f"rate_{pop}"], nest[f"rate_{pop}"]
        assert n > 1.0, pop  # every population is driven above threshold
        assert t == pytest.approx(n, rel=RATE_TOLERANCE), pop
    rows = compare(
        [microcircuit_activity(twin.recording, config.analysis_start)],
        [microcircuit_activity(nest.recording, config.analysis_start)],
    )
    assert [r.name for r in rows] == list(POPULATIONS)
    assert all(r.agrees for r in rows)
