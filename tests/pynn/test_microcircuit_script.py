"""The microcircuit as a plain PyNN script (examples/microcircuit_pynn.py), unchanged on
twin.pynn and on pyNN.nest, at scale 0.01 (767 neurons, about 150,000 synapses) for
300 ms."""

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from experiments.microcircuit.config import (
    NEURON_MEANS,
    POPULATIONS,
    V_REST,
    MicrocircuitConfig,
)

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "microcircuit_pynn.py"
SCALE, T_STOP = 0.01, 300.0
#: The script's analysis start for a run shorter than 2 s: half the run.
START = T_STOP / 2


def _run(simulator, tmp_path):
    """Run the script in its own process; return (stdout, its JSON result)."""
    out = tmp_path / f"{simulator}.json"
    done = subprocess.run(
        [
            sys.executable,
            "-W",
            "ignore",
            str(SCRIPT),
            simulator,
            "--scale",
            str(SCALE),
            "--t-stop",
            str(T_STOP),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=SCRIPT.parents[1],
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, json.loads(out.read_text())


def _check_output(stdout, result):
    """Eight population rates printed and written; every population fires.

    Every raised resting potential lies above the threshold, so without input every
    neuron fires tonically: a population at 0 Hz means the drive is missing.
    """
    assert all(V_REST[p] > NEURON_MEANS["v_thresh"] for p in POPULATIONS)
    printed = dict(re.findall(r"^(L\d+[EI]): ([0-9.]+) Hz$", stdout, re.M))
    assert list(printed) == list(POPULATIONS)
    assert list(result["rates"]) == list(POPULATIONS)
    for name, rate in result["rates"].items():
        assert float(printed[name]) == pytest.approx(rate, abs=5e-4)
        assert 0 < rate < 1000 / NEURON_MEANS["tau_refrac"]


def test_the_script_runs_on_the_twin(tmp_path):
    _check_output(*_run("twin", tmp_path))


@pytest.mark.nest
def test_the_script_gives_nest_s_rates_on_the_twin(tmp_path):
    """The same script on pyNN.nest: the same eight rates, per population within
    10 % of NEST's rate plus 4 standard errors of a difference of two Poisson count
    rates (sqrt(2 r / (n T)), n neurons, T = the analysed 150 ms): both simulators
    build the same realisation (the same PyNN RNG streams), and the twin's ideal tier
    integrates as NEST does, in float32."""
    stdout, nest = _run("nest", tmp_path)
    _check_output(stdout, nest)
    _, twin = _run("twin", tmp_path)
    sizes = MicrocircuitConfig(scale=SCALE).sizes
    window = (T_STOP - START) * 1e-3
    for name in POPULATIONS:
        r = max(nest["rates"][name], 1.0 / (sizes[name] * window))
        tolerance = 0.1 * r + 4 * math.sqrt(2 * r / (sizes[name] * window))
        assert abs(twin["rates"][name] - nest["rates"][name]) <= tolerance, name
