"""``twin calibrate`` recovers the saturation it was generated with."""

import json

import numpy as np
import pytest

from experiments.brunel import BrunelConfig
from experiments.calibrate import calibrate, load_calibration, save_calibration
from experiments.compare import load_wafer
from experiments.summary import write_seed_files
from experiments.sweep import grid, run_sweep, tier_list
from twin.analog.hardware import HardwareConfig
from twin.analog.saturation import Saturation
from twin.errors import ConfigError

TRUE_G_SAT = 0.03  # µS, between the grid values below


def test_calibrate_recovers_a_known_saturation(tmp_path):
    base = BrunelConfig.tiny(t_stop=1100.0)
    truth = HardwareConfig(saturation=Saturation(TRUE_G_SAT, TRUE_G_SAT))
    points = grid(base, gs=(4.0, 8.0), etas=(0.8, 2.4))
    wafer = run_sweep(points, tiers=tier_list(["hardware"], hardware=truth))
    write_seed_files(wafer, tmp_path, base.n_exc, base.n_inh)
    target = load_wafer(tmp_path)
    assert len(target) == 4
    cal = calibrate(target, base, g_sats=np.geomspace(0.01, 0.16, 5),
                    inh_scales=(0.9, 1.0, 1.1))  # fmt: skip
    # Stated tolerances: g_sat within 10 % (the grid steps by 2x, the search refines
    # between); inh_scale within one grid step (in this 250-neuron network it trades
    # off against g_sat at the 4 points).
    assert cal.g_sat == pytest.approx(TRUE_G_SAT, rel=0.10)
    assert abs(cal.inh_scale - 1.0) <= 0.1 + 1e-12
    path = save_calibration(cal, tmp_path / "cal.json")
    assert json.loads(path.read_text())["g_sat_E"] == pytest.approx(cal.g_sat)
    again = load_calibration(path)
    assert again.hardware().saturation == Saturation(cal.g_sat, cal.g_sat)


def test_unreadable_calibration_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="twin calibrate"):
        load_calibration(bad)
