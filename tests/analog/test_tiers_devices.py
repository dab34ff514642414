"""Fidelity tiers and multi-device batches."""

import os
import subprocess
import sys

import jax.random as jr
import numpy as np
import pytest

from experiments.brunel import BrunelConfig, build_network
from twin import ConfigError
from twin.analog import SimConfig, realise, simulate
from twin.routing import map_network
from twin.wafer import HICANNS, Wafer


def test_mapped_tier_runs_the_realised_network():
    net = build_network(BrunelConfig.tiny())
    block = [h.enum for h in HICANNS if 15 <= h.x <= 19 and 5 <= h.y <= 9]
    mapping = map_network(net, Wafer.region(block))
    mapped = realise(net, "mapped", mapping, seed=1)
    assert 0 < mapped.n_synapses == mapping.loss.total_realised <= net.n_synapses
    delays = np.concatenate([p.delay for p in mapped.projections])
    assert delays.min() >= 0.1
    assert realise(net, "ideal") is net
    rec = simulate(mapped, SimConfig(t_stop=200.0), jr.PRNGKey(0))
    assert rec.counts.sum() > 0


def test_tier_errors_are_clear():
    net = build_network(BrunelConfig.tiny())
    with pytest.raises(ConfigError, match="needs a mapping"):
        realise(net, "mapped")
    with pytest.raises(ConfigError, match="not implemented"):
        realise(net, "hardware")


_SCRIPT = """
import jax, jax.random as jr, numpy as np
jax.config.update("jax_enable_x64", True)
from experiments.brunel import BrunelConfig, build_network
from twin.analog import SimConfig, simulate_batch
net = build_network(BrunelConfig.tiny(g=4.0))
recs = simulate_batch(net, SimConfig(t_stop=200.0, dtype="float64"),
                      keys=jr.split(jr.PRNGKey(5), 3), g_scale=[0.25, 1.0, 2.0])
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
