"""``run.py`` of a prepared Brunel job: its network, and its wafer path's calls.

The wafer path runs against a recording stand-in for the BSS-1 software
(``fake_bss1/``: ``pyhmf``, ``pymarocco``, ``pysthal``, ... log every call in
order), checked against the demos' call sequence (``execute.py``'s ``run_on_hw``
and ``execution_helpers.py``'s ``set_hardware_settings`` in
github.com/electronicvisions/brainscales1-demos). The network ``run.py`` draws is
checked against the twin's own realisation of the seed's code, synapse for synapse.
"""

import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from experiments.brunel import BrunelConfig
from experiments.brunel.io import read_population
from experiments.brunel.seed_network import build_seed_network
from experiments.jobs.config import HardwareJob
from experiments.jobs.errors import JobError
from experiments.jobs.prepare import BrunelJob, prepare_brunel

FAKE = Path(__file__).parent / "fake_bss1"
#: The stand-in's spike times of neuron 0 (ms); neuron k's are 0.01 k ms later.
SPIKE_TIMES = np.arange(1, 6) * 100.0
#: Points in two layouts ((8, 0.8): all; g 4: 30) and two etas in one layout.
POINTS = ((8.0, 0.8), (4.0, 0.8), (4.0, 1.6))


def run_fake(folder: Path, *args: str) -> list:
    """Run ``python run.py ARGS`` with the stand-in modules; return the call log."""
    log = folder / "calls.jsonl"
    log.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(FAKE), "FAKE_BSS1_LOG": str(log)}
    done = subprocess.run(
        [sys.executable, "run.py", *args], cwd=folder, env=env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in log.read_text().splitlines()]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    out = tmp_path_factory.mktemp("job")
    prepare_brunel(BrunelJob(points=POINTS, t_stop=1000.0), out, predict=False)
    return out


@pytest.fixture(scope="module")
def wafer_run(prepared):
    return run_fake(prepared, "brainscales"), prepared


def names(calls):
    return [c[0] for c in calls]


def index(calls, name, args=None):
    """Return the position of the first call ``name`` (with ``args``, if given)."""
    for i, (n, a, _) in enumerate(calls):
        if n == name and (args is None or a == args):
            return i
    raise AssertionError(f"no call {name} {args}")


def test_marocco_is_set_as_the_demos_helper_sets_it_before_setup(wafer_run):
    calls, folder = wafer_run
    job = json.loads((folder / "job.json").read_text())
    hw = job["marocco"]
    setup = index(calls, "pyhmf.setup")
    before = {n: a for n, a, _ in calls[:setup]}
    assert before["PyMarocco().neuron_placement.default_neuron_size"] == [
        hw["neuron_size"]
    ]
    assert before["Wafer"] == [job["hardware_config"]["WAFER_MODULE"]]
    assert before["PyMarocco().defects.backend ="] == ["Defects.Backend.XML"]
    assert before["PyMarocco().defects.path ="] == [hw["defects_path"]]
    assert before["PyMarocco().calib_path ="] == [hw["calib_path"]]
    assert before["PyMarocco().calib_backend ="] == ["PyMarocco.CalibBackend.Binary"]
    assert before["PyMarocco().param_trafo.set_trafo_with_bio_to_hw_ratio"] == [
        140.0, -140.0, 1.3, 0.45,
    ]  # fmt: skip
    assert before["PyMarocco().skip_mapping ="] == [True]
    assert before["PyMarocco().backend ="] == ["PyMarocco.Hardware"]
    assert index(calls, "Runtime") < setup
    assert calls[setup][2] == {"marocco": "PyMarocco()", "marocco_runtime": "Runtime()"}


def test_network_is_built_once_after_setup_without_multapses(wafer_run):
    calls, _ = wafer_run
    setup = index(calls, "pyhmf.setup")
    pops = [c for c in calls if c[0] == "pyhmf.Population"]
    config = BrunelConfig()
    assert [p[1][0] for p in pops[:3]] == [config.n_exc, config.n_inh, config.n_ext]
    assert index(calls, "pyhmf.Population") > setup
    projections = [c for c in calls if c[0] == "pyhmf.Projection"]
    assert all(not p[2]["multapses"] for p in projections)
    synapses = sum(p[1][2] for p in projections)
    assert (
        synapses
        == config.n_neurons * config.c_ext
        + config.c_exc * (config.n_neurons)
        + config.c_inh * config.n_neurons
    )
    first_run = index(calls, "pyhmf.run")
    assert max(i for i, c in enumerate(calls) if c[0] == "pyhmf.Projection") < first_run


def test_each_layout_loads_its_mapping_and_chips_are_reset_between(wafer_run):
    calls, folder = wafer_run
    path = json.loads((folder / "job.json").read_text())["marocco"]["mapping_path"]
    loads = [(i, a[0]) for i, (n, a, _) in enumerate(calls) if n.endswith(".load")]
    assert [p for _, p in loads] == [
        os.path.join(path, f"marocco_{kind}_{layout}.bin")
        for layout in ("all", "30")
        for kind in ("results", "wafer")
    ]
    configure = [
        i for i, c in enumerate(calls) if c[0] == "Runtime().wafer().configure"
    ]
    assert len(configure) == 1
    assert loads[1][0] < configure[0] < loads[2][0]
    forces = [i for i, c in enumerate(calls) if c[0].endswith("set_force")]
    runs = [i for i, c in enumerate(calls) if c[0] == "pyhmf.run"]
    assert len(forces) == 2
    assert loads[1][0] < forces[0] < runs[0]
    assert loads[3][0] < forces[1] < runs[1]


def test_every_run_has_its_g_and_fresh_input(wafer_run):
    calls, _ = wafer_run
    runs = [i for i, c in enumerate(calls) if c[0] == "pyhmf.run"]
    assert [calls[i][1] for i in runs] == [[1000.0]] * len(POINTS)
    g_now = 8.0  # the network is built at the mappings' g (mapping_g)
    inputs_before = []
    for lo, hi, (g, _) in zip([0, *runs[:-1]], runs, POINTS, strict=True):
        part = calls[lo:hi]
        assert names(part).index("pyhmf.reset") < names(part).index(
            "pyhmf.Projection.setWeights"
        )
        # One factor per run on every inhibitory projection; chained, they give g.
        factors = {c[2]["factor"] for c in part if c[0].endswith("setWeights")}
        assert len(factors) == 1
        g_now *= factors.pop()
        assert g_now == pytest.approx(g, rel=1e-12)
        inputs_before.append(
            sum(c[0] == "Runtime().results().spike_times.set" for c in calls[:hi])
        )
    # Every source gets its spike times once per (layout, eta), before that run.
    n_ext = BrunelConfig().n_ext
    assert inputs_before == [n_ext, 2 * n_ext, 3 * n_ext]


def test_files_hold_each_point_in_the_seeds_layout(wafer_run):
    _, folder = wafer_run
    config = BrunelConfig()
    for pop, size in (("exc", config.n_exc), ("inh", config.n_inh)):
        name, segments = read_population(folder / f"{pop}.h5")
        assert name == pop
        assert len(segments) == len(POINTS)
        for seg, (g, eta) in zip(segments, POINTS, strict=True):
            ann = seg.annotations
            layout = "all" if g >= 7 and eta <= 1.2 else "30"
            assert (ann["g"], ann["eta"], ann["sim_time"]) == (g, eta, 1000.0)
            assert ann["population_size"] == size
            assert ann["layout"] == layout
            assert len(seg.spiketrains) == (size if layout == "all" else 30)
            for k, train in enumerate(seg.spiketrains):
                np.testing.assert_allclose(train, SPIKE_TIMES + 0.01 * k, atol=1e-9)
                assert seg.train_annotations[k]["source_id"] == k


def test_network_is_the_twins_seed_realisation(prepared):
    module = runpy.run_path(str(prepared / "run.py"))
    for g in (4.0, 8.0):
        lists = module["connection_lists"](module["PARAMETERS"], g, True)
        net = build_seed_network(BrunelConfig(network="seed", g=g))
        twin = {(p.pre, p.post): p for p in net.projections}
        n_exc = BrunelConfig().n_exc
        for (pre, post), rows in lists.items():
            rows = np.array(rows)
            parts = (
                [twin[(pre, "exc")], twin[(pre, "inh")]] if post == "all"
                else [twin[(pre, post)]]
            )  # fmt: skip
            shift = [0, n_exc][: len(parts)]
            np.testing.assert_array_equal(
                rows[:, 0], np.concatenate([p.pre_idx for p in parts])
            )
            np.testing.assert_array_equal(
                rows[:, 1],
                np.concatenate(
                    [p.post_idx + s for p, s in zip(parts, shift, strict=True)]
                ),
            )
            np.testing.assert_array_equal(
                rows[:, 2], np.concatenate([p.weight for p in parts])
            )
            np.testing.assert_array_equal(
                rows[:, 3], np.concatenate([p.delay for p in parts])
            )


def test_unknown_backend_is_refused(prepared):
    done = subprocess.run([sys.executable, "run.py", "spinnaker"], cwd=prepared,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode != 0
    assert "spinnaker" in done.stderr


@pytest.mark.parametrize(
    ("points", "why"),
    [((), "no (g, eta)"), (((12.0, 0.8),), "g = 12"), (((8.0, 4.0),), "eta = 4")],
)
def test_points_outside_the_mappings_are_refused(points, why):
    with pytest.raises(JobError, match=re.escape(why)):
        BrunelJob(points=points)


def test_other_network_seed_short_runs_and_other_neuron_sizes_are_refused():
    with pytest.raises(JobError, match="1234"):
        BrunelJob(points=((8.0, 0.8),), seed=7)
    with pytest.raises(JobError, match="1000 ms"):
        BrunelJob(points=((8.0, 0.8),), t_stop=500.0)
    with pytest.raises(JobError, match="neuron size 4"):
        BrunelJob(points=((8.0, 0.8),), hardware=HardwareJob(neuron_size=4))
