"""PyNN's example scripts, unchanged, on the twin (`python -m twin.pynn.launch`)."""

import re
import subprocess
import sys

import pytest

from tests.conftest import in_ci
from tests.pynn.scenarios import sdist_tests


def _examples():
    try:
        return sdist_tests().parent / "examples"
    except RuntimeError as err:
        if in_ci():
            pytest.fail(f"PyNN's examples are needed in CI: {err}")
        pytest.skip(str(err))


def _run(args, cwd):
    done = subprocess.run(
        [sys.executable, "-W", "ignore", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_connections_example_builds_every_connector(tmp_path):
    out = _run(
        ["-m", "twin.pynn.launch", str(_examples() / "connections.py"), "twin"],
        tmp_path,
    )
    assert out.count("Number of Synapses") == 9  # one block per connector


@pytest.mark.nest
def test_inhomogeneous_network_gives_nest_s_rate(tmp_path):
    """Spike-time input onto 9 neurons with per-cell parameters: the same rate."""
    script = str(_examples() / "inhomogeneous_network.py")
    rates = []
    for args in (["-m", "twin.pynn.launch", script, "twin"], [script, "nest"]):
        out = _run(args, tmp_path)
        rates.append(float(re.search(r"Mean firing rate:\s+([0-9.]+)", out).group(1)))
    assert rates[0] > 0
    assert rates[0] == pytest.approx(rates[1], rel=1e-9)
