"""The JAX the package declares is the JAX it needs; without ``jax.ffi`` it still runs.

``setup.cfg``'s floor for jax and jaxlib is :data:`twin.analog.native.ffi.JAX_FLOOR`,
the first JAX with ``jax.ffi``. Where the FFI is absent (an older or a stripped JAX,
simulated by hiding ``jax.ffi``) the emulator imports, ``delivery="auto"`` warns once
and gives the pure-JAX delivery's spikes, and ``delivery="native"`` is a ConfigError.
"""

import configparser
import json
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from twin.analog.native.ffi import JAX_FLOOR, ffi
from twin.errors import ConfigError

SETUP_CFG = Path(__file__).parents[2] / "setup.cfg"


def _floors():
    """Return ``{package: floor}`` of setup.cfg's ``install_requires`` (``>=``)."""
    config = configparser.ConfigParser()
    config.read(SETUP_CFG)
    floors = {}
    for line in config["options"]["install_requires"].split("\n"):
        if line.strip():
            req = Requirement(line.strip())
            for spec in req.specifier:
                if spec.operator == ">=":
                    floors[req.name.lower()] = spec.version
    return floors


@pytest.mark.parametrize("package", ["jax", "jaxlib"])
def test_setup_cfg_declares_the_floor_the_code_needs(package):
    assert _floors()[package] == JAX_FLOOR


def test_jax_ffi_offers_what_the_native_delivery_calls():
    names = ("ffi_call", "register_ffi_target", "pycapsule", "include_dir")
    assert all(callable(getattr(ffi(), name, None)) for name in names)


def test_a_jax_without_ffi_is_a_config_error_naming_the_floor(monkeypatch):
    monkeypatch.setitem(sys.modules, "jax.ffi", None)
    with pytest.raises(ConfigError, match=rf"jax\.ffi.*jax>={JAX_FLOOR}.*'jax'"):
        ffi()


#: A run with ``jax.ffi`` hidden before the emulator is imported: prints the warnings,
#: whether the spikes of "auto" equal those of "jax", and the "native" error.
SCRIPT = """
import json, sys, warnings
import jax
sys.modules["jax.ffi"] = None  # an import of jax.ffi now fails
del jax.ffi
import jax.random as jr
import numpy as np
from twin import Network, PoissonSource, Population, Projection
from twin.analog import SimConfig, simulate_batch
from twin.errors import ConfigError

net = Network(
    populations=(Population(name="n", size=3),),
    sources=(PoissonSource(name="p", size=3, rate=8000.0),),
    projections=(Projection(pre="p", post="n", pre_idx=[0, 1, 2], post_idx=[0, 1, 2],
                            weight=[0.02] * 3, delay=[1.0] * 3),),
)
keys = jr.split(jr.PRNGKey(0), 2)
runs = {}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for delivery in ("auto", "auto", "jax"):
        config = SimConfig(t_stop=50.0, delivery=delivery)
        runs[delivery] = simulate_batch(net, config, keys=keys).recordings
try:
    simulate_batch(net, SimConfig(t_stop=50.0, delivery="native"), keys=keys)
    error = None
except ConfigError as err:
    error = str(err)
print(json.dumps({
    "warnings": [str(w.message) for w in caught],
    "spikes": int(sum(r.counts.sum() for r in runs["jax"])),
    "same": all(np.array_equal(a.times, b.times) and np.array_equal(a.ids, b.ids)
                for a, b in zip(runs["auto"], runs["jax"])),
    "error": error,
}))
"""


def test_without_jax_ffi_the_emulator_runs_the_pure_jax_delivery():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(out["warnings"]) == 1  # once per process
    assert "using pure JAX" in out["warnings"][0]
    assert "jax.ffi" in out["warnings"][0]
    assert out["spikes"] > 0
    assert out["same"]
    assert out["error"] is not None
    assert f"jax>={JAX_FLOOR}" in out["error"]
