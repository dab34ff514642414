"""Batches split over several XLA devices give the same spikes."""

import os
import subprocess
import sys

_SCRIPT = """
import jax, jax.random as jr, numpy as np
jax.config.update("jax_enable_x64", True)
from experiments.brunel import BrunelConfig, build_network
from twin.analog import SimConfig, simulate_batch
net = build_network(BrunelConfig.tiny(g=4.0))
run = simulate_batch(net, SimConfig(t_stop=200.0, dtype="float64"),
                     keys=jr.split(jr.PRNGKey(5), 3), g_scale=[0.25, 1.0, 2.0])
recs = run.recordings
trains = ";".join(",".join(f"{t:.1f}" for t in r.times) for r in recs)
print(jax.local_device_count(), trains)
"""


def _run(devices):
    env = dict(
        os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}"
    )
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    count, trains = out.stdout.strip().split(" ", 1)
    return int(count), trains


def test_splitting_a_batch_over_two_devices_gives_the_same_spikes():
    one, two = _run(1), _run(2)
    assert one[0] == 1
    assert two[0] == 2
    assert one[1] == two[1]
