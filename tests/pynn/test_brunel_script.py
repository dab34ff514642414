"""The seed network as a plain PyNN script (examples/brunel_pynn.py) on the twin and
on NEST: the same script, rates agree statistically over network seeds."""

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.nest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
from brunel_pynn import run_points  # noqa: E402

POINTS = ([8.0], [0.8, 2.4])  # a low-rate and a high-rate point


def _rates(name, seeds):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.array(
            [
                [
                    r["rate"]
                    for r in run_points(
                        name, *POINTS, t_stop=1000.0, seed=s, scale=12.0, record="all"
                    )
                ]
                for s in seeds
            ]
        )  # (seeds, points)


def test_the_script_agrees_with_itself_on_nest():
    """Mean rate over 3 network seeds within max(15 %, 2 combined sd over seeds)."""
    seeds = (1, 2, 3)
    twin, nest = _rates("twin", seeds), _rates("nest", seeds)
    assert nest.min() > 1.0
    spread = np.sqrt(twin.std(axis=0, ddof=1) ** 2 + nest.std(axis=0, ddof=1) ** 2)
    tolerance = np.maximum(0.15 * nest.mean(axis=0), 2 * spread)
    diff = np.abs(twin.mean(axis=0) - nest.mean(axis=0))
    assert np.all(diff <= tolerance), (twin.mean(axis=0), nest.mean(axis=0), tolerance)
