"""The job client round trip against a local job service: prepare, submit, status,
fetch, compare, and the failures (an error job, a refused token, cut or corrupt
downloads, no client, no token). No network: the service is on the loopback address.
"""

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from experiments.brunel import BrunelConfig
from experiments.brunel.io import Segment, write_population
from experiments.cli import main
from experiments.jobs.client import TOKEN_VARIABLE
from tests.jobs.platform_server import TOKEN, FakePlatform

pytest.importorskip("pytest_httpserver")
nmpi_user = pytest.importorskip("nmpi.nmpi_user")

#: The wafer files' rate: every neuron fires RATE spikes in the 1 s run.
RATE = 12


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    out = tmp_path_factory.mktemp("prepared") / "job"
    code = main(["job", "prepare", "--workload", "brunel", "--g", "8", "--eta",
                 "0.8", "--t-stop", "1000", "--out", str(out)])  # fmt: skip
    assert code == 0
    return out


@pytest.fixture(scope="module")
def wafer_files(tmp_path_factory):
    """exc.h5/inh.h5 as a wafer job writes them, every neuron at RATE Hz."""
    folder = tmp_path_factory.mktemp("wafer")
    config = BrunelConfig()
    times = (np.arange(RATE) + 0.5) * 1000.0 / RATE
    for pop, size in (("exc", config.n_exc), ("inh", config.n_inh)):
        ann = {"g": 8.0, "eta": 0.8, "sim_time": 1000.0, "population_size": size,
               "layout": "all", "seed": 1234}  # fmt: skip
        write_population(folder / f"{pop}.h5", pop, [Segment(ann, (times,) * size)])
    return {name: (folder / name).read_bytes() for name in ("exc.h5", "inh.h5")}


@pytest.fixture
def platform(httpserver, monkeypatch, tmp_path):
    monkeypatch.setattr(nmpi_user, "TOKENFILE", str(tmp_path / "hbptoken"))
    monkeypatch.setattr("getpass.getpass", _no_prompt)
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    return FakePlatform(httpserver)


def _no_prompt(*args, **kwargs):
    raise AssertionError("the client prompted for a password")


@pytest.fixture
def job_dir(prepared, tmp_path):
    return Path(shutil.copytree(prepared, tmp_path / "job"))


def twin(platform, *args):
    service = ["--job-service", platform.url, "--user-info", f"{platform.url}/userinfo"]
    return main(["job", *args, *service])


def finished(platform, number, wafer_files, **changes):
    outputs = {f"results/{name}": data for name, data in wafer_files.items()}
    platform.finish(number, {**outputs, **changes})


def test_round_trip_submits_follows_fetches_and_compares(
    platform, job_dir, wafer_files, capsys
):
    assert twin(platform, "submit", str(job_dir), "--collab", "my-collab") == 0
    (job,) = platform.jobs.values()
    sent = job["sent"]
    assert sent["code"] == (job_dir / "run.py").read_text()
    assert sent["command"] == "run.py brainscales"
    assert sent["hardware_platform"] == "BrainScaleS"
    assert sent["collab"] == "my-collab"
    assert sent["hardware_config"] == {
        "WAFER_MODULE": 30,
        "SOFTWARE_VERSION": "nmpm_software/column_changes",
        "CORES": "48",
        "PARTITION": "batch",
    }  # fmt: skip (the seed's own config, random_network.rst)
    assert job["headers"]["Authorization"] == f"Bearer {TOKEN}"
    for state in ("submitted", "running"):
        platform.jobs[1]["status"] = state
        assert twin(platform, "status", "1") == 0
        assert f"job 1: {state}" in capsys.readouterr().out
    assert twin(platform, "fetch", "1", "--out", str(job_dir)) == 2
    assert "'running', not finished" in capsys.readouterr().err
    assert not (job_dir / "wafer").exists()

    finished(platform, 1, wafer_files)
    assert twin(platform, "fetch", "1", "--out", str(job_dir)) == 0
    for name, data in wafer_files.items():
        assert (job_dir / "wafer" / name).read_bytes() == data
    report = (job_dir / "compare" / "report.md").read_text()
    # The wafer's rate as the files hold it: RATE spikes per neuron in 1 s.
    row = re.search(r"^\| 8 \| – \| 0\.8 \| ([0-9.]+) \|", report, re.M)
    assert row is not None
    assert float(row.group(1)) == pytest.approx(RATE, abs=0.005)
    assert not list(job_dir.glob(".fetch-*"))
    out = capsys.readouterr()
    for path in job_dir.rglob("*"):
        assert not path.is_file() or TOKEN.encode() not in path.read_bytes()
    assert TOKEN not in out.out + out.err


def test_an_error_job_is_reported_with_its_log(platform, job_dir, capsys):
    assert twin(platform, "submit", str(job_dir), "--collab", "c") == 0
    log = "Traceback (most recent call last):\nRuntimeError: wafer 30 is not available"
    platform.finish(1, {}, status="error", log=log)
    assert twin(platform, "status", "1") == 0
    assert "job 1: error" in capsys.readouterr().out
    assert twin(platform, "fetch", "1", "--out", str(job_dir)) == 2
    err = capsys.readouterr().err
    assert "'error', not finished" in err
    assert "wafer 30 is not available" in err
    assert not (job_dir / "wafer").exists()


def test_a_refused_token_is_an_error_without_a_prompt(
    platform, job_dir, monkeypatch, capsys
):
    monkeypatch.setenv(TOKEN_VARIABLE, "stale-token-0b7d")
    assert twin(platform, "submit", str(job_dir), "--collab", "c") == 2
    out = capsys.readouterr()
    assert "refused the token" in out.err
    assert TOKEN_VARIABLE in out.err
    assert "stale-token-0b7d" not in out.out + out.err
    assert platform.jobs == {}
    assert not (job_dir / "submitted.json").exists()


@pytest.mark.parametrize("damage", ["corrupt", "cut"])
def test_a_bad_download_is_refused_and_the_previous_files_kept(
    platform, job_dir, wafer_files, capsys, damage
):
    for _ in range(2):
        assert twin(platform, "submit", str(job_dir), "--collab", "c") == 0
    (job_dir / "wafer").mkdir()  # the files of an earlier fetch
    for name, data in wafer_files.items():
        (job_dir / "wafer" / name).write_bytes(data)
    good = wafer_files["exc.h5"]
    if damage == "corrupt":  # the file itself is truncated (a whole download)
        finished(platform, 2, wafer_files, **{"results/exc.h5": good[: len(good) // 2]})
        expected = "fail the seed's layout"
    else:  # the connection ends before the announced length
        finished(platform, 2, wafer_files)
        platform.cut.add("2/results/exc.h5")
        expected = "downloading job 2's files failed"
    capsys.readouterr()
    assert twin(platform, "fetch", "2", "--out", str(job_dir)) == 2
    assert expected in capsys.readouterr().err
    assert (job_dir / "wafer" / "exc.h5").read_bytes() == good
    assert not list(job_dir.glob(".fetch-*"))


def test_an_unknown_job_is_an_error(platform, job_dir, capsys):
    assert twin(platform, "status", "41") == 2
    assert "reading job 41 failed (No such job: 41)" in capsys.readouterr().err


def test_the_token_file_is_read_when_the_variable_is_unset(
    platform, monkeypatch, tmp_path, capsys
):
    monkeypatch.delenv(TOKEN_VARIABLE)
    assert twin(platform, "status", "1") == 2
    assert TOKEN_VARIABLE in capsys.readouterr().err  # no token anywhere
    Path(nmpi_user.TOKENFILE).write_text(f'{{"tester": {{"access_token": "{TOKEN}"}}}}')
    platform.jobs[1] = {
        "status": "running",
        "log": "",
        "outputs": [],
        "sent": {"code": "", "command": "", "hardware_config": {}},
    }
    assert twin(platform, "status", "1") == 0
    assert "job 1: running" in capsys.readouterr().out


def test_without_the_client_the_commands_name_the_extra(monkeypatch, capsys, job_dir):
    monkeypatch.setitem(__import__("sys").modules, "nmpi", None)
    assert main(["job", "submit", str(job_dir), "--collab", "c"]) == 2
    assert "pip install -e .[jobs]" in capsys.readouterr().err


def test_the_prepared_folder_holds_the_job_and_the_twins_prediction(prepared):
    import csv
    import json

    job = json.loads((prepared / "job.json").read_text())
    assert job["schema"] == "twin-job/1"
    assert job["points"][0] | {"rate_per_source_hz": 0} == {
        "g": 8.0, "eta": 0.8, "layout": "all", "rate_per_source_hz": 0,
    }  # fmt: skip
    assert job["t_stop_ms"] == 1000.0
    assert job["prediction"] == {"folder": "prediction", "summary": "prediction.json"}
    # A perfect wafer and no isolated neurons at (8, 0.8): no chip to avoid.
    assert job["placement_hints"] == {"wafer_id": 30, "unusable_hicanns": []}
    prediction = json.loads((prepared / "prediction.json").read_text())
    with open(prepared / "prediction" / "summary.csv") as fh:
        rows = {r["tier"]: r for r in csv.DictReader(fh)}
    assert set(prediction["tiers"]) == {"mapped", "hardware"}
    for tier, (entry,) in prediction["tiers"].items():
        assert (entry["g"], entry["eta"]) == (8.0, 0.8)
        # summary.csv rounds to 4 decimals; prediction.json keeps the table's value
        assert entry["rate_hz"] == pytest.approx(float(rows[tier]["rate_hz"]), abs=1e-4)
        assert 0.0 <= entry["synapse_loss_fraction"] <= 1.0
        for stage in entry["spike_loss"].values():
            assert 0 <= stage["dropped_spikes"] <= stage["offered_spikes"]
    assert prediction["tiers"]["hardware"][0]["spike_loss"]  # the hardware tier's


def test_a_script_jobs_files_are_kept_as_downloaded(platform, tmp_path, capsys):
    from experiments.jobs.config import HardwareJob
    from experiments.jobs.prepare import prepare_script

    script = tmp_path / "toy.py"
    script.write_text("import pyNN.nest as sim\nsim.setup()\n")
    folder = tmp_path / "script-job"
    prepare_script(script, folder, HardwareJob(), predict=False)
    assert twin(platform, "submit", str(folder), "--collab", "c") == 0
    assert platform.jobs[1]["sent"]["code"] == (folder / "run.py").read_text()
    platform.finish(1, {"results/spikes.pkl": b"\x80\x04data"})
    assert twin(platform, "fetch", "1", "--out", str(folder)) == 0
    (kept,) = (folder / "wafer").rglob("spikes.pkl")
    assert kept.read_bytes() == b"\x80\x04data"
    assert (folder / "wafer" / "log.txt").read_text() == "run.py: done"
    assert "no compare" in capsys.readouterr().out
    assert not (folder / "compare").exists()
