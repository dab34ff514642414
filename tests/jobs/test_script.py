"""A user's PyNN script as a job: the backend import replaced, or a clear refusal."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from experiments.jobs.config import HardwareJob
from experiments.jobs.errors import JobError
from experiments.jobs.prepare import prepare_script
from experiments.jobs.script import LOSSES_FILE, wrap_script

FAKE = Path(__file__).parent / "fake_bss1"

TOY = '''\
"""A toy network."""
from __future__ import annotations

import sys

import pyNN.nest as sim

sim.setup(timestep=0.1)
cells = sim.Population(3, sim.IF_cond_exp())
sim.run(50.0)
with open("args.txt", "w") as fh:
    fh.write(" ".join(sys.argv[1:]))
'''


def write(folder: Path, text: str, name: str = "toy.py") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_wrapped_script_runs_on_the_wafer_with_the_jobs_marocco(tmp_path):
    hardware = HardwareJob(neuron_size=4, wafer_module=33)
    prepare_script(write(tmp_path, TOY), tmp_path / "job", hardware, predict=False)
    log = tmp_path / "calls.jsonl"
    env = {**os.environ, "PYTHONPATH": str(FAKE), "FAKE_BSS1_LOG": str(log)}
    done = subprocess.run(
        [sys.executable, "run.py", "brainscales", "--trials", "2"],
        cwd=tmp_path / "job", env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    names = [c[0] for c in calls]
    setup = names.index("pyhmf.setup")
    before = {n: a for n, a, _ in calls[:setup]}
    assert before["PyMarocco().neuron_placement.default_neuron_size"] == [4]
    assert before["Wafer"] == [33]
    assert before["PyMarocco().defects.path ="] == [hardware.defects_path]
    # No pre-made mapping exists for a user's network: marocco maps it.
    assert "PyMarocco().skip_mapping =" not in before
    assert calls[setup][2] == {"marocco": "PyMarocco()", "marocco_runtime": "Runtime()"}
    assert names.index("pyhmf.Population") > setup
    assert names.index("pyhmf.run") > names.index("pyhmf.Population")
    # The backend argument is consumed; the script's own arguments are kept.
    assert (tmp_path / "job" / "args.txt").read_text() == "--trials 2"
    job = json.loads((tmp_path / "job" / "job.json").read_text())
    assert job["workload"] == "script"
    assert job["hardware_config"]["WAFER_MODULE"] == 33
    assert job["command"] == "run.py brainscales"


def test_only_the_import_line_changes(tmp_path):
    wrapped = wrap_script(write(tmp_path, TOY), HardwareJob().marocco_settings())
    kept = [line for line in TOY.splitlines() if "import pyNN.nest" not in line]
    body = wrapped.splitlines()
    assert all(line in body for line in kept)
    assert "import pyNN.nest as sim" not in body
    assert wrapped.startswith(
        '"""A toy network."""\nfrom __future__ import annotations'
    )


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("x = 1\n", "0 backend imports"),
        ("from pyNN.nest import *\n", "toy.py:1: `from pyNN.nest import"),
        ("import pyNN.nest\n", "toy.py:1: `import pyNN.nest` is not"),
        ("import pyNN.nest as sim, numpy as np\n", "toy.py:1:"),
        ("import pyNN.nest as a\nimport twin.pynn as b\n", "2 backend imports"),
        ("def f():\n    import pyNN.nest as sim\n", "toy.py:2: the backend import is"),
        ("import pyNN.nest as sim\nfrom . import helpers\n", "toy.py:2: a relative"),
        ("import pyNN.nest as sim\nimport helpers\n", "toy.py:2: it imports 'helpers'"),
        ("import pyNN.nest as sim\ndef (:\n", "cannot read"),
    ],
)
def test_scripts_that_cannot_be_wrapped_are_refused(tmp_path, text, why):
    write(tmp_path, "VALUE = 1\n", "helpers.py")
    with pytest.raises(JobError, match=re.escape(why)) as caught:
        wrap_script(write(tmp_path, text), HardwareJob().marocco_settings())
    assert "import pyNN.nest as sim" in str(caught.value) or "cannot read" in why


def test_pynn_helpers_are_not_backends(tmp_path):
    text = "import pyNN.random as random\nimport pyNN.nest as sim\n"
    wrapped = wrap_script(write(tmp_path, text), HardwareJob().marocco_settings())
    assert "import pyNN.random as random" in wrapped
    assert "sim = _twin_job_backend(" in wrapped


def test_twin_backend_runs_at_the_fidelity_asked_with_the_jobs_neuron_size(
    tmp_path, monkeypatch
):
    import twin.pynn

    seen = {}
    monkeypatch.setattr(twin.pynn, "setup", lambda *a, **k: seen.update(k))
    text = "import pyNN.nest as sim\nsim.setup(timestep=0.1)\n"
    source = wrap_script(
        write(tmp_path, text), HardwareJob(neuron_size=4).marocco_settings()
    )
    monkeypatch.setattr(sys, "argv", ["run.py", "twin", "--x"])
    monkeypatch.setenv("TWIN_FIDELITY", "mapped")
    monkeypatch.chdir(tmp_path)  # the losses file registered at exit goes here
    namespace = {"__name__": "__main__"}
    exec(compile(source, "run.py", "exec"), namespace)
    assert namespace["sim"] is twin.pynn
    assert seen["fidelity"] == "mapped"
    assert seen["mapping"].neuron_size == 4
    assert seen["timestep"] == 0.1
    assert sys.argv == ["run.py", "--x"]


def test_twin_backend_writes_the_sessions_losses_at_exit(tmp_path):
    text = (
        "import pyNN.nest as sim\n"
        "sim.setup(timestep=0.1)\n"
        "cells = sim.Population(4, sim.IF_cond_exp(i_offset=1.0))\n"
        "sim.Projection(cells, cells, sim.AllToAllConnector(allow_self_connections="
        "False), sim.StaticSynapse(weight=0.001))\n"
        "cells.record('spikes')\n"
        "sim.run(200.0)\n"
        "n = sum(len(t) for t in cells.get_data().segments[0].spiketrains)\n"
        "open('count.txt', 'w').write(str(n))\n"
    )
    job = tmp_path / "job"
    prepare_script(write(tmp_path, text), job, HardwareJob(), predict=False)
    env = {**os.environ, "TWIN_FIDELITY": "hardware"}
    done = subprocess.run([sys.executable, "run.py", "twin"], cwd=job, env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    losses = json.loads((job / LOSSES_FILE).read_text())
    spikes = int((job / "count.txt").read_text())
    assert spikes > 0
    assert losses["fidelity"] == "hardware"
    assert losses["synapses_requested"] == 4 * 3  # all to all, no autapses
    assert 0 <= losses["synapses_lost"] <= losses["synapses_requested"]
    # Every spike of the neurons is offered to their chip's priority encoder; the
    # count covers the whole run, where the recording may miss a neuron's spike at
    # the run's last step.
    offered = losses["spike_loss"]["priority_encoder"]["offered_spikes"]
    assert spikes <= offered <= spikes + 4
