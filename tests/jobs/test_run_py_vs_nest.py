"""``python run.py nest`` in a prepared folder: the job on NEST, the seed's files.

A short run (1000 ms, the seed's analysis window) of the seed network at g = 8,
eta = 0.8 (its "all" layout): both files are read back with the twin's reader and
analysed with the seed's protocol.
"""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from experiments.brunel import BrunelConfig
from experiments.brunel.io import read_population
from experiments.brunel.wafer_files import load_wafer
from experiments.jobs.config import HardwareJob
from experiments.jobs.prepare import BrunelJob, prepare_brunel, prepare_script

pytest.importorskip("nest")
pytestmark = pytest.mark.nest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # PyNN's and NEST's import-time notices
    import pyNN.nest  # noqa: F401  (fails here, not in the subprocess, if broken)

T_STOP = 1000.0


def run(folder, *args):
    done = subprocess.run(
        [sys.executable, "run.py", *args], cwd=folder, env=dict(os.environ),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def nest_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("job")
    prepare_brunel(BrunelJob(points=((8.0, 0.8),), t_stop=T_STOP), out, predict=False)
    run(out, "nest")
    return out


def test_nest_run_writes_both_populations_in_the_seeds_layout(nest_run):
    config = BrunelConfig()
    for pop, size in (("exc", config.n_exc), ("inh", config.n_inh)):
        name, segments = read_population(nest_run / f"{pop}.h5")
        assert name == pop
        assert len(segments) == 1
        (seg,) = segments
        assert seg.annotations["g"] == 8.0
        assert seg.annotations["eta"] == 0.8
        assert seg.annotations["sim_time"] == T_STOP
        assert seg.annotations["population_size"] == size
        assert seg.annotations["layout"] == "all"
        assert len(seg.spiketrains) == size  # every neuron: the "all" layout
        assert [a["source_id"] for a in seg.train_annotations] == list(range(size))
        times = np.concatenate(seg.spiketrains)
        assert times.size > 0
        assert times.min() > 0.0
        assert times.max() <= T_STOP
        assert all(np.all(np.diff(t) > 0) for t in seg.spiketrains)


def test_nest_files_load_with_the_seeds_protocol(nest_run):
    (stat,) = load_wafer(nest_run).values()
    assert stat.layout == "all"
    # Irregular asynchronous activity at g = 8, eta = 0.8: a rate below the
    # 1/t_ref ceiling (500 Hz) and above silence.
    assert 0.5 < stat.rate < 500.0
    assert 0.0 < stat.cv < 2.0


def test_wrapped_script_runs_on_nest(tmp_path):
    script = tmp_path / "toy.py"
    script.write_text(
        "import sys\nimport pyNN.nest as sim\n"
        "sim.setup(timestep=0.1)\n"
        "p = sim.Population(2, sim.IF_cond_exp(i_offset=1.0))\n"
        "p.record('spikes')\nsim.run(100.0)\n"
        "n = sum(len(t) for t in p.get_data().segments[0].spiketrains)\n"
        "open('out.txt', 'w').write(f'{n} {sys.argv[1:]}')\n"
    )
    prepare_script(script, tmp_path / "job", HardwareJob(), predict=False)
    run(tmp_path / "job", "nest", "x")
    count, args = (tmp_path / "job" / "out.txt").read_text().split(" ", 1)
    assert int(count) > 0  # 1 nA into 1 nF drives the neurons over threshold
    assert args == "['x']"
