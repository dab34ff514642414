import subprocess
import sys

import pytest

from experiments.cli import main
from twin.wafer import Defects


def _twin(*args):
    return subprocess.run(
        [sys.executable, "-m", "experiments.cli", *args], capture_output=True, text=True
    )


def test_wafer_command_prints_summary_and_writes_files(tmp_path, capsys):
    png, js = tmp_path / "w.png", tmp_path / "d.json"
    code = main(
        [
            "wafer",
            "--synthetic-defects",
            "1",
            "--out",
            str(png),
            "--save-defects",
            str(js),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "HICANNs usable" in out
    assert "recording_per_hicann" in out
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert Defects.load(js) is not None


def test_bad_defect_file_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "bss1-twin-defects", "hicanns": [999]}')
    result = _twin("wafer", "--defects", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "999" in result.stderr


def test_bad_picture_does_not_destroy_existing_file(tmp_path):
    png = tmp_path / "w.png"
    png.write_bytes(b"keep")
    result = _twin(
        "wafer", "--defects", str(tmp_path / "missing.json"), "--out", str(png)
    )
    assert result.returncode == 2
    assert png.read_bytes() == b"keep"


@pytest.mark.parametrize("command", [[], ["microcircuit"], ["compare"]])
def test_help_lists_every_sub_command(command, capsys):
    """``--help`` prints (a sub-command's help with a literal % sign included)."""
    with pytest.raises(SystemExit) as stop:
        main([*command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: twin")
    if not command:
        assert "Potjans & Diesmann, 10 %" in out


@pytest.mark.parametrize("args", [["brunel", "--t-stop", "-5"], ["nonsense"]])
def test_bad_options_exit_2(args):
    result = _twin(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_map_command_writes_the_mapping_files(tmp_path, capsys):
    import json
    import pickle

    assert main(["map", "--isolate", "30", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "total" in out
    assert "lost by reason" in out
    summary = json.loads((tmp_path / "mapping.json").read_text())
    assert summary["synapses_requested"] == 847_781
    assert set(summary["timings_s"]) >= {"placement", "l1_routing", "synapse_routing"}
    assert (
        summary["synapses_realised"] + sum(summary["lost_by_reason"].values())
        == 847_781
    )
    routes = pickle.loads((tmp_path / "implemented_routes.pickle").read_bytes())
    assert sum(len(v) for v in routes.values()) == summary["synapses_realised"]
    for name in ("wafer.png", "loss.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "args", [["map", "--neuron-size", "3"], ["map", "--max-neurons-per-hicann", "-4"]]
)
def test_map_bad_values_are_one_line_exit_2(args):
    result = _twin(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["brunel", "--t-stop", "500"], "analysis window"),
        (["brunel", "--fidelity", "hardwire"], "hardwire"),
        (["brunel", "--seeds", "0"], "--seeds"),
        (["brunel", "--g", "0,4"], "must be > 0"),
        (["brunel", "--eta", "-0.8"], "must be > 0"),
        (["nest", "--fidelity", "hardware"], "hardware tier"),
        (["calibrate", "--wafer", "/nonexistent"], "exc.h5"),
    ],
)
def test_brunel_bad_input_is_one_line_exit_2(args, needle, tmp_path):
    result = _twin(*args, "--out", str(tmp_path))
    assert result.returncode == 2
    assert needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not any(tmp_path.iterdir())
