"""The emulator on a GPU against the CPU reference (marked ``gpu``; never in CI).

The GPU runs the pure-JAX delivery (the native one is CPU only); the reference is the
same call in a CPU-only process (``JAX_PLATFORMS=cpu``). In float64 both must give
identical spikes; in float32 the rounding of the GPU's scatter-add differs, so the
population rates must agree within 2 % (chaotic networks decorrelate spike by spike).
"""

import json
import os
import subprocess
import sys

import jax
import jax.random as jr
import numpy as np
import pytest

from experiments.brunel import BrunelConfig, build_network
from twin.analog import SimConfig, simulate_batch

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(
        not any(d.platform == "gpu" for d in jax.devices()),
        reason="no GPU on this host",
    ),
]

CORNERS = [(1.0, 0.8), (4.0, 3.2), (8.0, 1.6), (10.0, 2.4)]

#: The run, as a script for a CPU-only interpreter: prints counts and spike digests.
SCRIPT = """
import json, sys, hashlib
import jax
jax.config.update("jax_enable_x64", sys.argv[1] == "float64")
import jax.random as jr, numpy as np
from experiments.brunel import BrunelConfig, build_network
from twin.analog import SimConfig, simulate_batch
corners = json.loads(sys.argv[2])
base = BrunelConfig()
recs = simulate_batch(
    build_network(base), SimConfig(t_stop=500.0, dtype=sys.argv[1], delivery="jax"),
    keys=jr.split(jr.PRNGKey(7), len(corners)),
    g_scale=[g / base.g for g, _ in corners],
    rate_scale=[e / base.eta for _, e in corners],
).recordings
print(json.dumps([[r.counts.tolist(), r.times.tolist(), r.ids.tolist()] for r in recs]))
"""


def _cpu_reference(dtype):
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, dtype, json.dumps(CORNERS)],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def _gpu_run(dtype):
    before = jax.config.read("jax_enable_x64")  # restored after the run
    jax.config.update("jax_enable_x64", dtype == "float64")
    base = BrunelConfig()
    try:
        return simulate_batch(
            build_network(base),
            SimConfig(t_stop=500.0, dtype=dtype, delivery="auto"),
            keys=jr.split(jr.PRNGKey(7), len(CORNERS)),
            g_scale=[g / base.g for g, _ in CORNERS],
            rate_scale=[e / base.eta for _, e in CORNERS],
        ).recordings
    finally:
        jax.config.update("jax_enable_x64", before)


def test_gpu_spikes_equal_the_cpu_reference_in_float64():
    reference = _cpu_reference("float64")
    for rec, (counts, times, ids) in zip(_gpu_run("float64"), reference, strict=True):
        np.testing.assert_array_equal(rec.counts, counts)
        np.testing.assert_array_equal(rec.times, times)
        np.testing.assert_array_equal(rec.ids, ids)


def test_gpu_rates_match_the_cpu_reference_in_float32():
    reference = _cpu_reference("float32")
    for rec, (counts, _, _) in zip(_gpu_run("float32"), reference, strict=True):
        assert rec.counts.mean() == pytest.approx(np.mean(counts), rel=0.02)
